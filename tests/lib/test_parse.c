/* test_parse.c - the option value parsers shared by the CLI and the linked
 * runner (runner/parse.c), and the exit status a finished cage maps to. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse_internal.h"

static char err[256];

static void dur_ok(const char *s, double want)
{
    double v = -42;
    err[0] = 0;
    if (tc_parse_duration(s, &v, err, sizeof(err)) != 0)
        fail_msg("duration '%s' refused: %s", s, err);
    if (v < want - 1e-9 || v > want + 1e-9)
        fail_msg("duration '%s' gave %g, expected %g", s, v, want);
}

static void dur_bad(const char *s)
{
    double v = -42;
    err[0] = 0;
    if (tc_parse_duration(s, &v, err, sizeof(err)) != -1)
        fail_msg("duration '%s' accepted as %g", s, v);
    assert_true(v == -42); /* untouched on error */
    assert_non_null(strstr(err, "duration"));
    assert_null(strchr(err, '\n'));
}

static void test_duration(void **state)
{
    (void)state;
    dur_ok("0", 0);
    dur_ok("1.5", 1.5);
    dur_ok("250ms", 0.25);
    dur_ok("2m", 120);
    dur_ok("2s", 2);
    dur_ok("1h", 3600);
    dur_ok("90", 90);
    dur_ok("0.001", 0.001);
    dur_bad("");
    dur_bad("abc");
    dur_bad("-1");
    dur_bad("nan");
    dur_bad("NaN");
    dur_bad("inf");
    dur_bad("-inf");
    dur_bad("1e400");
    dur_bad(" 1");
    dur_bad("1 ");
    dur_bad("1x");
    dur_bad("1ss");
    dur_bad("ms");
    dur_bad("1e10"); /* far beyond any sensible limit */
    /* The reason names the bad value. */
    dur_bad("bogus-value");
    assert_non_null(strstr(err, "bogus-value"));
}

static void size_ok(const char *s, const char *want)
{
    char out[64] = "";
    if (tc_parse_size(s, out, sizeof(out), err, sizeof(err)) != 0)
        fail_msg("size '%s' refused: %s", s, err);
    assert_string_equal(out, want);
}

static void size_bad(const char *s)
{
    char out[64] = "untouched";
    err[0] = 0;
    if (tc_parse_size(s, out, sizeof(out), err, sizeof(err)) != -1)
        fail_msg("size '%s' accepted as '%s'", s, out);
    assert_non_null(strstr(err, "size"));
}

static void test_size(void **state)
{
    (void)state;
    size_ok("64m", "64m");
    size_ok("1G", "1g");
    size_ok("4096", "4096");
    size_ok("10%", "10%");
    size_ok("100%", "100%");
    size_ok("8k", "8k");
    size_bad("");
    size_bad("0");
    size_bad("0m");
    size_bad("-1m");
    size_bad("m");
    size_bad("64mb");
    size_bad("64x");
    size_bad("101%");
    size_bad(" 64m");
    size_bad("64m,mode=777"); /* no smuggling extra tmpfs options */
    size_bad("99999999999999999999999");
    /* A too-small output buffer is an error, not a truncated size. */
    char tiny[3];
    assert_int_equal(tc_parse_size("12345", tiny, sizeof(tiny), err, sizeof(err)), -1);
}

static void test_bytes(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(tc_parse_bytes("512m", &v, err, sizeof(err)), 0);
    assert_true(v == 512ull << 20);
    assert_int_equal(tc_parse_bytes("1G", &v, err, sizeof(err)), 0);
    assert_true(v == 1ull << 30);
    assert_int_equal(tc_parse_bytes("65536", &v, err, sizeof(err)), 0);
    assert_true(v == 65536);
    assert_int_equal(tc_parse_bytes("4k", &v, err, sizeof(err)), 0);
    assert_true(v == 4096);
    const char *bad[] = {"", "0", "10%", "-4k", "4kb", "k", "17179869184g", " 1"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        v = 7;
        if (tc_parse_bytes(bad[k], &v, err, sizeof(err)) != -1)
            fail_msg("bytes '%s' accepted as %llu", bad[k], (unsigned long long)v);
        assert_true(v == 7);
    }
}

static unsigned ns_ok(const char *s)
{
    unsigned v = 0xdead;
    if (tc_parse_namespaces(s, &v, err, sizeof(err)) != 0)
        fail_msg("namespaces '%s' refused: %s", s, err);
    return v;
}

static void ns_bad(const char *s)
{
    unsigned v = 0xdead;
    err[0] = 0;
    if (tc_parse_namespaces(s, &v, err, sizeof(err)) != -1)
        fail_msg("namespaces '%s' accepted as %#x", s, v);
    assert_int_equal(v, 0xdead);
    assert_true(err[0] != 0);
}

static void offset_bad(const char *s)
{
    int64_t mono = 7, boot = 7;
    err[0] = 0;
    if (tc_parse_clock_offset(s, &mono, &boot, err, sizeof(err)) != -1)
        fail_msg("clock offset '%s' accepted as %lld,%lld", s, (long long)mono, (long long)boot);
    assert_true(mono == 7 && boot == 7);
    assert_true(err[0] != 0 && !strchr(err, '\n'));
}

static void test_clock_offset(void **state)
{
    (void)state;
    int64_t mono = 7, boot = 7;
    assert_int_equal(tc_parse_clock_offset("monotonic=864000", &mono, &boot, err, sizeof(err)), 0);
    assert_true(mono == 864000 && boot == 0);
    assert_int_equal(
        tc_parse_clock_offset("boottime=2h,monotonic=10d", &mono, &boot, err, sizeof(err)), 0);
    assert_true(mono == 864000 && boot == 7200);
    assert_int_equal(
        tc_parse_clock_offset("monotonic=-1,boottime=3m", &mono, &boot, err, sizeof(err)), 0);
    assert_true(mono == -1 && boot == 180);
    /* Far beyond what the kernel allows either way (the clock must stay >= 0). */
    offset_bad("monotonic=-99999999999");
    offset_bad("monotonic=-200y");
    offset_bad("monotonic=99999999999d");
    offset_bad("monotonic=1.5");
    offset_bad("monotonic=abc");
    offset_bad("monotonic= 1");
    offset_bad("realtime=5");
    offset_bad("monotonic=1,monotonic=2");
    offset_bad("monotonic=");
    offset_bad("monotonic=1,");
    offset_bad("");
    offset_bad(",");
    assert_non_null(strstr(err, "clock offset"));
}

static void test_namespaces(void **state)
{
    (void)state;
    const unsigned P = TESTCAGE_NS_PID, M = TESTCAGE_NS_MOUNT, I = TESTCAGE_NS_IPC,
                   U = TESTCAGE_NS_UTS, N = TESTCAGE_NS_NET, S = TESTCAGE_NS_USER;
    assert_int_equal(ns_ok("none"), 0);
    assert_int_equal(ns_ok("pid,mount,ipc"), TESTCAGE_NS_DEFAULT);
    assert_int_equal(ns_ok("mount"), M);
    assert_int_equal(ns_ok("ipc"), I);
    assert_int_equal(ns_ok("uts,net"), U | N);
    assert_int_equal(ns_ok("user,pid,mount"), S | P | M);
    assert_int_equal(ns_ok("pid,mount,ipc,uts,net,user"), P | M | I | U | N | S);
    /* pid implies mount (a fresh /proc needs its own mount namespace). */
    assert_int_equal(ns_ok("pid"), P | M);
    assert_int_equal(ns_ok("pid,ipc"), P | M | I);
    /* Edits of the default. */
    assert_int_equal(ns_ok("+net"), TESTCAGE_NS_DEFAULT | N);
    assert_int_equal(ns_ok("-ipc"), P | M);
    assert_int_equal(ns_ok("+uts,+net"), TESTCAGE_NS_DEFAULT | U | N);
    assert_int_equal(ns_ok("-ipc,+uts"), P | M | U);
    assert_int_equal(ns_ok("-mount"), P | M | I); /* pid still needs mount */
    assert_int_equal(ns_ok("+cgroup"), TESTCAGE_NS_DEFAULT | TESTCAGE_NS_CGROUP);
    assert_int_equal(ns_ok("+time,-ipc"), P | M | TESTCAGE_NS_TIME);
    assert_int_equal(ns_ok("cgroup,time"), TESTCAGE_NS_CGROUP | TESTCAGE_NS_TIME);
    ns_bad("");
    ns_bad("bogus");
    ns_bad("pid,bogus");
    assert_non_null(strstr(err, "bogus"));
    ns_bad("pid,");
    ns_bad("pid,,mount");
    ns_bad(",pid");
    ns_bad("+");
    ns_bad("PID");
    ns_bad("none,pid");
    ns_bad("pidx");
    ns_bad("pi");
}

static void test_leaks(void **state)
{
    (void)state;
    enum testcage_leak_policy p = (enum testcage_leak_policy)99;
    assert_int_equal(tc_parse_leaks("warn", &p, err, sizeof(err)), 0);
    assert_int_equal(p, TESTCAGE_LEAKS_WARN);
    assert_int_equal(tc_parse_leaks("fail", &p, err, sizeof(err)), 0);
    assert_int_equal(p, TESTCAGE_LEAKS_FAIL);
    assert_int_equal(tc_parse_leaks("ignore", &p, err, sizeof(err)), 0);
    assert_int_equal(p, TESTCAGE_LEAKS_IGNORE);
    const char *bad[] = {"", "WARN", "failx", "fail ", "error"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        p = (enum testcage_leak_policy)99;
        assert_int_equal(tc_parse_leaks(bad[k], &p, err, sizeof(err)), -1);
        assert_int_equal(p, 99);
        assert_non_null(strstr(err, "leak"));
    }
}

static void test_shard(void **state)
{
    (void)state;
    unsigned i = 99, n = 99;
    assert_int_equal(tc_parse_shard("0/1", &i, &n, err, sizeof(err)), 0);
    assert_int_equal(i, 0);
    assert_int_equal(n, 1);
    assert_int_equal(tc_parse_shard("3/4", &i, &n, err, sizeof(err)), 0);
    assert_int_equal(i, 3);
    assert_int_equal(n, 4);
    const char *bad[] = {
        "4/4",  "1/0",  "0/0", "",     "/",    "1",    "1/",    "/4",
        "-1/4", "1/-4", "a/b", "1/4x", " 1/4", "1 /4", "1/4/5", "99999999999/100000000000"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        i = n = 77;
        if (tc_parse_shard(bad[k], &i, &n, err, sizeof(err)) != -1)
            fail_msg("shard '%s' accepted as %u/%u", bad[k], i, n);
        assert_int_equal(i, 77);
        assert_int_equal(n, 77);
    }
    /* A very long index part is refused, not overflowing a buffer. */
    char longs[200];
    memset(longs, '1', sizeof(longs) - 3);
    strcpy(longs + sizeof(longs) - 3, "/4");
    assert_int_equal(tc_parse_shard(longs, &i, &n, err, sizeof(err)), -1);
}

static void test_count(void **state)
{
    (void)state;
    int v = -5;
    assert_int_equal(tc_parse_count("0", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 0);
    assert_int_equal(tc_parse_count("16", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 16);
    const char *bad[] = {"", "-1", "+3", "1.5", "abc", " 2", "2 ", "99999999999999999999"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        v = -5;
        if (tc_parse_count(bad[k], &v, err, sizeof(err)) != -1)
            fail_msg("count '%s' accepted as %d", bad[k], v);
        assert_int_equal(v, -5);
    }
}

/* A tiny error buffer truncates the reason; never overflows it. */
static void test_tiny_error_buffer(void **state)
{
    (void)state;
    char small[8];
    memset(small, 'Z', sizeof(small));
    double d;
    assert_int_equal(tc_parse_duration("a-very-long-bad-duration", &d, small, sizeof(small)), -1);
    assert_int_equal(small[7], 0);
    unsigned ns;
    assert_int_equal(tc_parse_namespaces("nonexistent-namespace", &ns, small, sizeof(small)), -1);
    assert_int_equal(small[7], 0);
}

static int exit_of(enum testcage_status st, int code, int sig, bool leak_failed)
{
    testcage_result r;
    memset(&r, 0, sizeof(r));
    r.status = st;
    r.exit_code = code;
    r.signal = sig;
    r.leak_failed = leak_failed;
    return tc_exit_status(&r);
}

static void test_exit_status(void **state)
{
    (void)state;
    assert_int_equal(exit_of(TESTCAGE_PASS, 0, 0, false), 0);
    assert_int_equal(exit_of(TESTCAGE_FAIL, 3, 0, false), 3);
    assert_int_equal(exit_of(TESTCAGE_SKIP, 77, 0, false), 77);
    assert_int_equal(exit_of(TESTCAGE_TIMEOUT, -1, 15, false), TC_EXIT_TIMEOUT);
    assert_int_equal(exit_of(TESTCAGE_TIMEOUT, -1, 9, false), 124);
    assert_int_equal(exit_of(TESTCAGE_CRASH, -1, 6, false), 134);
    assert_int_equal(exit_of(TESTCAGE_CRASH, -1, 11, false), 139);
    assert_int_equal(exit_of(TESTCAGE_SETUP_ERROR, -1, 0, false), TC_EXIT_SETUP);
    assert_int_equal(exit_of(TESTCAGE_SETUP_ERROR, 0, 0, false), 125);
    /* Leaks under --leaks=fail: a passing exit becomes the documented code. */
    assert_int_equal(exit_of(TESTCAGE_FAIL, 0, 0, true), TC_EXIT_LEAKS);
    /* The cage init ended before reporting: never 0. */
    assert_int_equal(exit_of(TESTCAGE_CRASH, -1, 0, false), 1);
    /* A failure record with exit 0 must not map to success. */
    assert_int_not_equal(exit_of(TESTCAGE_FAIL, 0, 0, false), 0);
    /* Exec errors keep 126/127 from the body. */
    assert_int_equal(exit_of(TESTCAGE_FAIL, 127, 0, false), TC_EXIT_NOENT);
    assert_int_equal(exit_of(TESTCAGE_FAIL, 126, 0, false), TC_EXIT_NOEXEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_clock_offset),
        cmocka_unit_test(test_leaks),
        cmocka_unit_test(test_shard),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_tiny_error_buffer),
        cmocka_unit_test(test_exit_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
