/* test_verdict.c - the runner's verdict from a cage's records, without a
 * cage (no root): status from the body's wait status, leaks and the leak
 * policy, failures, skips, setup and exec errors, caps on listed items,
 * and the two records that ask the runner to act. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "testcage_internal.h"
#include "wire_internal.h"

/* A wait status as the kernel encodes it. */
static int exited(int code)
{
    return (code & 0xff) << 8;
}

static struct wire_rec status_rec(int st)
{
    return (struct wire_rec){.type = WIRE_STATUS, .nint = 1, .i = {st}};
}

static struct wire_rec proc_rec(int pid)
{
    struct wire_rec w = {.type = WIRE_PROC, .nint = 1, .nstr = 2, .i = {pid}};
    w.s[0] = "sleep";
    w.s[1] = "sleep 100";
    return w;
}

/* One case: an optional leaked process (pid 0: none), the body's wait
 * status, the verdict under the policy. */
static void run_case(struct tc_verdict *v, int st, enum testcage_leak_policy leaks, int leak_pid)
{
    tc_verdict_init(v, leaks);
    struct wire_rec w = status_rec(st);
    assert_int_equal(tc_verdict_init_record(v, &w), TC_ASK_NOTHING);
    if (leak_pid) {
        w = proc_rec(leak_pid);
        tc_verdict_init_record(v, &w);
    }
    tc_verdict_classify(v, WIFEXITED(st) ? WEXITSTATUS(st) : 0);
}

/* The status a verdict reaches from one wait status and policy. */
static enum testcage_status judge(int st, enum testcage_leak_policy leaks, bool leak)
{
    struct tc_verdict v;
    run_case(&v, st, leaks, leak ? 7 : 0);
    enum testcage_status s = v.res.status;
    testcage_result_free(&v.res);
    return s;
}

/* Each test gets a fresh verdict; whatever its result still owns is freed. */
static int fresh(void **state)
{
    struct tc_verdict *v = malloc(sizeof(*v));
    if (!v)
        return -1;
    tc_verdict_init(v, TESTCAGE_LEAKS_WARN);
    *state = v;
    return 0;
}

static int dispose(void **state)
{
    struct tc_verdict *v = *state;
    testcage_result_free(&v->res);
    free(v);
    return 0;
}

static void test_status_from_wait_status(void **state)
{
    (void)state;
    assert_int_equal(judge(exited(0), TESTCAGE_LEAKS_WARN, false), TESTCAGE_PASS);
    assert_int_equal(judge(exited(1), TESTCAGE_LEAKS_WARN, false), TESTCAGE_FAIL);
    assert_int_equal(judge(exited(77), TESTCAGE_LEAKS_WARN, false), TESTCAGE_SKIP);
    assert_int_equal(judge(SIGSEGV, TESTCAGE_LEAKS_WARN, false), TESTCAGE_CRASH);
}

static void test_leak_policy(void **state)
{
    assert_int_equal(judge(exited(0), TESTCAGE_LEAKS_WARN, true), TESTCAGE_PASS);
    assert_int_equal(judge(exited(0), TESTCAGE_LEAKS_IGNORE, true), TESTCAGE_PASS);
    assert_int_equal(judge(exited(0), TESTCAGE_LEAKS_FAIL, true), TESTCAGE_FAIL);
    assert_int_equal(judge(exited(0), TESTCAGE_LEAKS_FAIL, false), TESTCAGE_PASS);
    /* A pass turned into a failure by its leaks says so; omitted leaks
     * count too. */
    struct tc_verdict *v = *state;
    run_case(v, exited(0), TESTCAGE_LEAKS_FAIL, 9);
    struct wire_rec w = {.type = WIRE_OMITTED, .nint = 3, .i = {2, 3, 4}};
    tc_verdict_init_record(v, &w);
    assert_int_equal(v->res.status, TESTCAGE_FAIL);
    assert_true(v->res.leak_failed);
    assert_int_equal(v->res.nprocs, 1);
    assert_int_equal(v->res.procs[0].pid, 9);
    assert_string_equal(v->res.procs[0].cmdline, "sleep 100");
    assert_int_equal(testcage_result_leaks(&v->res), 1 + 2 + 3 + 4);
    testcage_result_free(&v->res);
    /* A failing case stays a plain failure: the leaks did not make it one. */
    run_case(v, exited(3), TESTCAGE_LEAKS_FAIL, 9);
    assert_int_equal(v->res.status, TESTCAGE_FAIL);
    assert_false(v->res.leak_failed);
}

static void test_no_status_is_a_crash(void **state)
{
    struct tc_verdict *v = *state;
    tc_verdict_classify(v, 137);
    assert_int_equal(v->res.status, TESTCAGE_CRASH);
    assert_non_null(strstr(v->res.message, "code 137"));
    testcage_result_free(&v->res);
    /* A timeout or an interrupt explains the missing status. */
    tc_verdict_init(v, TESTCAGE_LEAKS_WARN);
    v->res.timed_out = true;
    tc_verdict_classify(v, 137);
    assert_int_equal(v->res.status, TESTCAGE_TIMEOUT);
    testcage_result_free(&v->res);
}

/* The body's records: failures turn exit 0 into a failure; nothing from
 * the body turns a failing status into a pass. */
static void test_body_records(void **state)
{
    struct tc_verdict *v = *state;
    struct wire_rec w = {.type = WIRE_FAILURE, .nint = 1, .nstr = 2, .i = {42}};
    w.s[0] = "t.c";
    w.s[1] = "x != y";
    tc_verdict_body_record(v, &w);
    w = (struct wire_rec){.type = WIRE_SKIP, .nstr = 1};
    w.s[0] = "no gpu";
    tc_verdict_body_record(v, &w);
    w = status_rec(exited(0));
    tc_verdict_body_record(v, &w); /* the body cannot send a status */
    assert_false(v->got_status);
    tc_verdict_init_record(v, &w);
    tc_verdict_classify(v, 0);
    assert_int_equal(v->res.status, TESTCAGE_FAIL);
    assert_int_equal(v->res.nfailures, 1);
    assert_string_equal(v->res.failures[0].file, "t.c");
    assert_int_equal(v->res.failures[0].line, 42);
    assert_string_equal(v->res.skip_reason, "no gpu");
    testcage_result_free(&v->res);
}

/* An error record from the init or the body, then the body's exit code. */
static void error_case(struct tc_verdict *v, uint32_t type, int err, const char *what,
                       bool from_body, int code)
{
    tc_verdict_init(v, TESTCAGE_LEAKS_WARN);
    struct wire_rec w = {.type = type, .nint = 1, .nstr = 1, .i = {err}};
    w.s[0] = what;
    if (from_body)
        tc_verdict_body_record(v, &w);
    else
        tc_verdict_init_record(v, &w);
    w = status_rec(exited(code));
    tc_verdict_init_record(v, &w);
    tc_verdict_classify(v, code);
}

static void test_setup_and_exec_errors(void **state)
{
    struct tc_verdict *v = *state;
    error_case(v, WIRE_SETUP_ERROR, EPERM, "mount tmpfs on /tmp", false, 0);
    assert_int_equal(v->res.status, TESTCAGE_SETUP_ERROR);
    assert_non_null(strstr(v->res.message, "cannot mount tmpfs on /tmp"));
    testcage_result_free(&v->res);
    /* The body's own setup (cgroup, rlimits, capabilities) counts the same. */
    error_case(v, WIRE_SETUP_ERROR, EPERM, "drop capabilities", true, 125);
    assert_int_equal(v->res.status, TESTCAGE_SETUP_ERROR);
    testcage_result_free(&v->res);
    error_case(v, WIRE_EXEC_ERROR, ENOENT, "./nope", true, 127);
    assert_int_equal(v->res.status, TESTCAGE_FAIL);
    assert_int_equal(v->res.exec_errno, ENOENT);
    assert_string_equal(v->res.message, "./nope: not found");
}

/* Lists are capped; the rest is dropped, not a reason to fail. */
static void test_lists_capped(void **state)
{
    struct tc_verdict *v = *state;
    for (int k = 0; k < TC_MAX_LISTED + 5; k++) {
        struct wire_rec w = proc_rec(k + 2);
        tc_verdict_init_record(v, &w);
    }
    assert_int_equal(v->res.nprocs, TC_MAX_LISTED);
    testcage_result_free(&v->res);
}

static void test_asks_and_kept_dir(void **state)
{
    struct tc_verdict *v = *state;
    struct wire_rec w = {.type = WIRE_HOLD};
    assert_int_equal(tc_verdict_init_record(v, &w), TC_ASK_HOLD);
    w = (struct wire_rec){.type = WIRE_DEBUG_DONE};
    assert_int_equal(tc_verdict_init_record(v, &w), TC_ASK_DEBUG_DONE);
    w = (struct wire_rec){.type = WIRE_DEBUG, .nstr = 1, .slen = {3}};
    w.s[0] = "bt\n";
    tc_verdict_init_record(v, &w);
    tc_verdict_init_record(v, &w);
    assert_string_equal(v->res.debug_output, "bt\nbt\n");
    w = (struct wire_rec){.type = WIRE_KEPT, .nstr = 1};
    w.s[0] = "case.1.0";
    tc_verdict_init_record(v, &w);
    assert_null(v->res.kept_dir); /* no keep_on_fail directory was asked for */
    v->keep_parent = "/var/keep";
    tc_verdict_init_record(v, &w);
    assert_string_equal(v->res.kept_dir, "/var/keep/case.1.0");
    testcage_result_free(&v->res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_from_wait_status),
        cmocka_unit_test_setup_teardown(test_leak_policy, fresh, dispose),
        cmocka_unit_test_setup_teardown(test_no_status_is_a_crash, fresh, dispose),
        cmocka_unit_test_setup_teardown(test_body_records, fresh, dispose),
        cmocka_unit_test_setup_teardown(test_setup_and_exec_errors, fresh, dispose),
        cmocka_unit_test_setup_teardown(test_lists_capped, fresh, dispose),
        cmocka_unit_test_setup_teardown(test_asks_and_kept_dir, fresh, dispose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
