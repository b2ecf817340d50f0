/* fault_cases.c - linked-runner cases for the fault tests: each misbehaves
 * one way (fault_common.h) between passing cases that must still report. */
#define _GNU_SOURCE
#include <testcage/test.h>

#include "fault_common.h"

TESTCAGE_TEST(a_pass_before)
{
    return 0;
}

TESTCAGE_TEST(closefds_fail)
{
    return fault_run("closefds-fail");
}

TESTCAGE_TEST(closefds_pass)
{
    return fault_run("closefds-pass");
}

/* The failure record cannot be sent once the report fd is closed: the
 * verdict still comes from the exit status. */
TESTCAGE_TEST(closefds_then_testcage_fail)
{
    fault_run("closefds-pass");
    testcage_fail("sent on a closed report channel");
}

TESTCAGE_TEST(respawn)
{
    return fault_run("respawn");
}

TESTCAGE_TEST(sigstop, .timeout = 1, .grace = 0.5)
{
    return fault_run("sigstop");
}

TESTCAGE_TEST(z_pass_after)
{
    return 0;
}

/* Resource runaways: only under the runner's --max-procs, --memory and
 * --tmp-size (FAULT_LIMITS=1 says they are given), never unbounded. */
static void need_limits(void)
{
    if (!getenv("FAULT_LIMITS"))
        testcage_skip("runs only under --max-procs/--memory/--tmp-size (FAULT_LIMITS=1)");
}

TESTCAGE_TEST(limit_forkbomb)
{
    need_limits();
    return fault_run("forkbomb");
}

TESTCAGE_TEST(limit_alloc)
{
    need_limits();
    return fault_run("alloc");
}

TESTCAGE_TEST(limit_fill)
{
    need_limits();
    return fault_run("fill");
}
