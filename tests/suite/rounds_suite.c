/* rounds_suite.c - TESTCAGE_TEST cases that leave a trace outside the cage
 * (ROUNDS_LOG, ROUNDS_COUNTER), so --repeat, --until-fail and --no-cage can
 * be checked for what ran, in what order, how often and where. */
#include <testcage/test.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* One line per run: the case, whether it was caged, its pid and whether its
 * /tmp was fresh (a new cage each run). Without ROUNDS_LOG: nothing. */
static void trace(const char *name)
{
    const char *log = getenv("ROUNDS_LOG");
    if (!log)
        return;
    int fresh = access("/tmp/rounds_suite.mark", F_OK) != 0;
    FILE *m = fopen("/tmp/rounds_suite.mark", "w");
    if (m)
        fclose(m);
    FILE *f = fopen(log, "a");
    if (!f)
        testcage_fail("cannot append to %s", log);
    fprintf(f, "%s caged=%d pid=%d fresh_tmp=%d\n", name, testcage_in_cage(), (int)getpid(), fresh);
    fclose(f);
}

TESTCAGE_TEST(logs_a)
{
    trace("logs_a");
    unlink(
        "/tmp/rounds_suite.mark"); /* a cage removes it anyway; the host's /tmp must not keep it */
    return 0;
}

/* Fails on its third run, counted in ROUNDS_COUNTER (a file outside the
 * cage's /tmp, which is new each run). */
TESTCAGE_TEST(third_run_fails)
{
    const char *path = getenv("ROUNDS_COUNTER");
    if (!path)
        return 0;
    int n = 0;
    FILE *f = fopen(path, "r");
    if (f && fscanf(f, "%d", &n) != 1)
        n = 0;
    if (f)
        fclose(f);
    if (!(f = fopen(path, "w")))
        testcage_fail("cannot write %s", path);
    fprintf(f, "%d\n", ++n);
    fclose(f);
    if (n == 3)
        testcage_fail("failed on run %d", n);
    return 0;
}

TESTCAGE_TEST(asserts)
{
    trace("asserts");
    testcage_assert(2 + 2 == 5);
    trace("asserts_went_on"); /* never: the failed assertion ends the case */
    return 0;
}

TESTCAGE_TEST(skips)
{
    trace("skips");
    testcage_skip("not today");
}

TESTCAGE_TEST(logs_b)
{
    trace("logs_b");
    unlink("/tmp/rounds_suite.mark");
    return 0;
}

/* gdb stops here: not static and never inlined, so the symbol is there. */
void rounds_breakpoint(int n);
__attribute__((noinline)) void rounds_breakpoint(int n)
{
    __asm__ volatile("" : : "r"(n) : "memory");
}

TESTCAGE_TEST(stops_in_gdb)
{
    rounds_breakpoint(42);
    return 0;
}
