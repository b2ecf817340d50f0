/* test_reporters.c - feeds hand-built results (every status, leaks of every
 * kind, hostile strings, 1 MB of output, 10,000 cases) through the four
 * reporters and checks what comes out. Leaves sample files in argv[1] for
 * the CTest checks that run xmllint, prove and python on them. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report_internal.h"

static const char *outdir = ".";

/* Captured output may hold NUL bytes (the nasty case's raw output on the
 * console), so searches cover the length the last capture or slurp saw. */
static size_t hay_len;

/* ---- hand-built results ---------------------------------------------- */

static testcage_failure fail_recs[] = {
    {"math.c", 12, "expected 1 == 2"},
    {NULL, 0, "second failure"},
};
static testcage_leaked_proc procs[] = {{5, "sleep", "sleep 1000"}, {7, "sh", ""}};
static testcage_leaked_file files[] = {
    {"/tmp/x", 12, false}, {"/tmp/d", 0, true}, {"/dev/shm/one", 1, false}};
static testcage_leaked_ipc ipcs[] = {
    {TESTCAGE_IPC_SHM, 0x1234, 3}, {TESTCAGE_IPC_SEM, -1, 4}, {TESTCAGE_IPC_MSG, 0, 5}};

/* Quotes, markup, TAP's '#' and '\', control characters, invalid UTF-8
 * (a stray continuation byte, an overlong NUL, a surrogate), valid UTF-8. */
#define NASTY "q\"uo'te <a&b> #1 \\ \x01\x1b[31m\xff\xc0\x80\xed\xa0\x80 caf\xc3\xa9\x7f"

static testcage_failure nasty_recs[] = {{"n\"asty.c", 3, NASTY "\nsecond line"}};
static testcage_leaked_file nasty_files[] = {{"/tmp/" NASTY "\n", 3, false}};

enum { PASS, FAIL, SKIP, TIMEOUT, CRASH, SETUP, LEAKY, LEAKFAIL, NASTY_CASE, NCASES };

static const char *names[NCASES] = {"pass",    "fail",     "skip",
                                    "timeout", "crash",    "setup",
                                    "leaky",   "leakfail", "na\"sty <&> #1 \\ \x01\xff"};
static testcage_result results[NCASES];
static char *big_output; /* 1 MB of every byte value */

static void add_leaks(testcage_result *r)
{
    r->procs = procs, r->nprocs = 2, r->procs_omitted = 2;
    r->files = files, r->nfiles = 3, r->files_omitted = 1;
    r->ipcs = ipcs, r->nipcs = 3, r->ipcs_omitted = 3;
}

static void build_results(void)
{
    const size_t big = 1 << 20;
    testcage_result *r = results;

    memset(results, 0, sizeof results);
    for (int i = 0; i < NCASES; i++)
        r[i] = (testcage_result){.exit_code = 0,
                                 .duration = 0.012,
                                 .isolated = true,
                                 .init_pid = 1000 + i,
                                 .namespaces = TESTCAGE_NS_DEFAULT | TESTCAGE_NS_CGROUP};
    r[PASS].output = "pass-output-marker\n", r[PASS].output_len = 19;
    r[FAIL].status = TESTCAGE_FAIL, r[FAIL].exit_code = 1;
    r[FAIL].failures = fail_recs, r[FAIL].nfailures = 2;
    r[FAIL].output = "hello\nworld\n", r[FAIL].output_len = 12, r[FAIL].output_dropped = 100;
    r[SKIP].status = TESTCAGE_SKIP, r[SKIP].exit_code = 77, r[SKIP].skip_reason = "no network";
    r[TIMEOUT].status = TESTCAGE_TIMEOUT, r[TIMEOUT].exit_code = -1;
    r[TIMEOUT].signal = SIGKILL, r[TIMEOUT].duration = 2.5;
    r[TIMEOUT].timed_out = r[TIMEOUT].killed = true;
    r[TIMEOUT].debug_output = "Thread 1 (LWP 2):\n#0  nanosleep ()\n";
    r[FAIL].kept_dir = "/var/tmp/kept/fail.1";
    r[CRASH].status = TESTCAGE_CRASH, r[CRASH].exit_code = -1, r[CRASH].signal = SIGSEGV;
    r[CRASH].output = "  indented first line\nthen\r\n", r[CRASH].output_len = 28;
    r[SETUP].status = TESTCAGE_SETUP_ERROR, r[SETUP].exit_code = -1, r[SETUP].isolated = false;
    r[SETUP].message = "cannot create PID namespace: Operation not permitted";
    add_leaks(&r[LEAKY]);
    add_leaks(&r[LEAKFAIL]);
    r[LEAKFAIL].status = TESTCAGE_FAIL, r[LEAKFAIL].leak_failed = true;

    big_output = malloc(big + 1);
    assert_non_null(big_output);
    for (size_t i = 0; i < big; i++)
        big_output[i] = (char)(i % 256);
    big_output[big] = '\0';
    r[NASTY_CASE].status = TESTCAGE_FAIL, r[NASTY_CASE].exit_code = 2;
    r[NASTY_CASE].failures = nasty_recs, r[NASTY_CASE].nfailures = 1;
    r[NASTY_CASE].files = nasty_files, r[NASTY_CASE].nfiles = 1;
    r[NASTY_CASE].message = NASTY, r[NASTY_CASE].skip_reason = NASTY;
    r[NASTY_CASE].output = big_output, r[NASTY_CASE].output_len = big;
    r[NASTY_CASE].duration = 1.0 / 0.0; /* must not print "inf" */
}

static int group_setup(void **state)
{
    (void)state;
    build_results();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(big_output);
    return 0;
}

/* ---- helpers ----------------------------------------------------------- */

/* Runs the given cases through r and returns end()'s value. */
static int run_cases(tc_reporter *r, const int *which, size_t n)
{
    tc_summary sum = {0};
    int rc;

    r->begin(r, "unit", n);
    for (size_t i = 0; i < n; i++) {
        tc_case c = {"unit", names[which[i]], &results[which[i]]};
        r->case_start(r, c.suite, c.name);
        r->case_done(r, &c);
        tc_summary_add(&sum, c.result);
    }
    sum.duration = 1.25;
    rc = r->end(r, &sum);
    r->destroy(r);
    return rc;
}

static int run_all(tc_reporter *r)
{
    static const int all[] = {PASS, FAIL, SKIP, TIMEOUT, CRASH, SETUP, LEAKY, LEAKFAIL, NASTY_CASE};
    return run_cases(r, all, NCASES);
}

/* Runs a stream reporter (console, TAP) into memory; caller frees. */
static char *capture(tc_reporter *(*make)(FILE *, const void *), const void *opts, size_t *len)
{
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);

    assert_non_null(mem);
    assert_int_equal(run_all(make(mem, opts)), 0);
    assert_int_equal(fclose(mem), 0);
    hay_len = *len;
    return buf;
}

static tc_reporter *make_console(FILE *out, const void *opts)
{
    return tc_reporter_console_new(out, opts);
}

static tc_reporter *make_tap(FILE *out, const void *opts)
{
    (void)opts;
    return tc_reporter_tap_new(out);
}

static char *path_in_outdir(const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", outdir, name) > 0);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    char *buf = NULL;
    FILE *f = fopen(path, "r");
    struct stat st;

    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &st), 0);
    buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)st.st_size, f);
    assert_int_equal(*len, (size_t)st.st_size);
    buf[*len] = '\0';
    hay_len = *len;
    fclose(f);
    return buf;
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!memmem((hay), hay_len, (needle), strlen(needle)))                                     \
            fail_msg("missing: \"%s\"", (needle));                                                 \
    } while (0)
#define assert_lacks(hay, needle)                                                                  \
    do {                                                                                           \
        if (memmem((hay), hay_len, (needle), strlen(needle)))                                      \
            fail_msg("unexpected: \"%s\"", (needle));                                              \
    } while (0)

#define assert_starts(s, lit) assert_memory_equal((s), (lit), strlen(lit))
#define assert_ends(s, len, lit)                                                                   \
    do {                                                                                           \
        assert_true((len) >= strlen(lit));                                                         \
        assert_memory_equal((s) + (len)-strlen(lit), (lit), strlen(lit));                          \
    } while (0)

/* No byte XML 1.0 forbids (C0 controls other than tab, LF, CR). */
static void assert_xml_chars(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            fail_msg("control byte 0x%02x at offset %zu", c, i);
    }
}

/* ---- shared pieces ------------------------------------------------------- */

static void test_summary(void **state)
{
    tc_summary sum = {0};

    (void)state;
    for (int i = 0; i < NCASES; i++)
        tc_summary_add(&sum, &results[i]);
    assert_int_equal(sum.total, 9);
    assert_int_equal(sum.passed, 2);
    assert_int_equal(sum.failed, 3);
    assert_int_equal(sum.skipped, 1);
    assert_int_equal(sum.timed_out, 1);
    assert_int_equal(sum.crashed, 1);
    assert_int_equal(sum.setup_errors, 1);
    assert_int_equal(sum.leaky, 3);
    assert_false(tc_result_failed(&results[PASS]));
    assert_false(tc_result_failed(&results[SKIP]));
    assert_true(tc_result_failed(&results[TIMEOUT]));
    assert_true(tc_result_failed(&results[SETUP]));
}

static void test_reason(void **state)
{
    char buf[256];

    (void)state;
    tc_result_reason(&results[FAIL], buf, sizeof buf);
    assert_string_equal(buf, "expected 1 == 2");
    tc_result_reason(&results[TIMEOUT], buf, sizeof buf);
    assert_string_equal(buf, "timed out after 2.5 s, SIGKILL needed");
    tc_result_reason(&results[CRASH], buf, sizeof buf);
    assert_string_equal(buf, "killed by signal SIGSEGV");
    tc_result_reason(&results[LEAKFAIL], buf, sizeof buf);
    assert_string_equal(buf, "left 14 leaked objects behind");
    assert_string_equal(tc_signal_name(999, buf, sizeof buf), "signal 999");
}

static void test_print_leaks(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);

    (void)state;
    tc_print_leaks(mem, "testcage: ", &results[LEAKY]);
    tc_print_leaks(mem, NULL, &results[NASTY_CASE]);
    fclose(mem);
    assert_string_equal(buf, "testcage: leaked process sleep (pid 5): sleep 1000\n"
                             "testcage: leaked process sh (pid 7)\n"
                             "testcage: ... and 2 more leaked processes\n"
                             "testcage: leaked file /tmp/x (12 bytes)\n"
                             "testcage: leaked file /tmp/d (empty directory)\n"
                             "testcage: leaked file /dev/shm/one (1 byte)\n"
                             "testcage: ... and 1 more leaked file\n"
                             "testcage: leaked IPC shm key 0x00001234 (id 3)\n"
                             "testcage: leaked IPC sem key 0xffffffff (id 4)\n"
                             "testcage: leaked IPC msg key 0x00000000 (id 5)\n"
                             "testcage: ... and 3 more leaked IPC objects\n"
                             /* one line per leak, whatever the name holds */
                             "leaked file /tmp/q\"uo'te <a&b> #1 \\ ??[31m\xff\xc0\x80\xed\xa0\x80"
                             " caf\xc3\xa9?? (3 bytes)\n");
    free(buf);
}

static char *escaped(int (*esc)(FILE *, const char *, size_t), const char *s, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);

    assert_int_equal(esc(mem, s, n), 0);
    fclose(mem);
    return buf;
}

static void test_xml_escape(void **state)
{
    static const char in[] =
        "a<b>&\"'\t\n\r\x01\xff\xc0\x80\xef\xbf\xbe caf\xc3\xa9 \xf0\x9f\x98\x80"
        "\0z";
    char *text = escaped(tc_xml_escape, in, sizeof in - 1);
    char *attr = escaped(tc_xml_escape_attr, in, sizeof in - 1);

    (void)state;
    assert_string_equal(text, "a&lt;b&gt;&amp;&quot;&apos;\t\n&#13;\xef\xbf\xbd\xef\xbf\xbd"
                              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9 \xf0\x9f\x98\x80"
                              "\xef\xbf\xbdz");
    assert_string_equal(attr, "a&lt;b&gt;&amp;&quot;&apos;&#9;&#10;&#13;\xef\xbf\xbd\xef\xbf\xbd"
                              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9 \xf0\x9f\x98\x80"
                              "\xef\xbf\xbdz");
    free(text);
    free(attr);
}

static void test_json_escape(void **state)
{
    static const char in[] = "\"\\/\b\f\n\r\t\x01\x1f\x7f\xff\xe2\x80\xa8 caf\xc3\xa9\0z";
    char *out = escaped(tc_json_escape, in, sizeof in - 1);

    (void)state;
    assert_string_equal(out, "\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\ufffd\\u2028 "
                             "caf\xc3\xa9\\u0000z");
    free(out);
}

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(tc_utf8_len("a", 1), 1);
    assert_int_equal(tc_utf8_len("\xc3\xa9", 2), 2);
    assert_int_equal(tc_utf8_len("\xc3\xa9", 1), 0);         /* cut short */
    assert_int_equal(tc_utf8_len("\xe2\x82\xac", 3), 3);     /* euro sign */
    assert_int_equal(tc_utf8_len("\xf0\x9f\x98\x80", 4), 4); /* emoji */
    assert_int_equal(tc_utf8_len("\xc0\x80", 2), 0);         /* overlong NUL */
    assert_int_equal(tc_utf8_len("\xe0\x80\xaf", 3), 0);     /* overlong '/' */
    assert_int_equal(tc_utf8_len("\xed\xa0\x80", 3), 0);     /* surrogate */
    assert_int_equal(tc_utf8_len("\xf4\x90\x80\x80", 4), 0); /* beyond U+10FFFF */
    assert_int_equal(tc_utf8_len("\x80", 1), 0);
    assert_int_equal(tc_utf8_len("\xc3(", 2), 0);
}

/* ---- console --------------------------------------------------------------- */

static void test_console_default(void **state)
{
    struct tc_console_opts o = {0};
    size_t len;
    char *out = capture(make_console, &o, &len);

    (void)state;
    assert_lacks(out, "[ RUN      ]");
    assert_lacks(out, "\033[32m"); /* the nasty case's own message has "\033[31m" */
    assert_lacks(out, "\033[0m");
    assert_contains(out, "[       OK ] unit/pass (12 ms)\n");
    assert_lacks(out, "pass-output-marker"); /* passing cases stay quiet */
    assert_contains(out, "[  FAILED  ] unit/fail (12 ms)\n"
                         "    math.c:12: expected 1 == 2\n"
                         "    second failure\n"
                         "    --- output (100 bytes omitted from the middle) ---\n"
                         "hello\nworld\n"
                         "    --- end of output ---\n");
    assert_contains(out, "[ SKIPPED  ] unit/skip: no network\n");
    assert_contains(out, "[ TIMEOUT  ] unit/timeout (after 2.5 s, SIGKILL needed)\n"
                         "    --- at the timeout ---\nThread 1 (LWP 2):\n#0  nanosleep ()\n"
                         "    --- end of timeout report ---\n");
    assert_contains(out, "    --- end of output ---\n    files kept in /var/tmp/kept/fail.1\n");
    assert_contains(out, "[  CRASH   ] unit/crash (SIGSEGV)\n");
    assert_contains(out, "[  ERROR   ] unit/setup: cannot create PID namespace: Operation not "
                         "permitted\n");
    assert_contains(out, "[  LEAKS   ] unit/leaky: 14 leaked objects\n"
                         "    leaked process sleep (pid 5): sleep 1000\n");
    assert_contains(out, "[  LEAKS   ] unit/leakfail: 14 leaked objects (fails the case)\n");
    assert_contains(out, "[==========] 9 tests ran (1.25 s)\n"
                         "[  PASSED  ] 2 tests\n"
                         "[ SKIPPED  ] 1 test\n"
                         "[  FAILED  ] 6 tests, listed below:\n"
                         "[  FAILED  ] unit/fail\n"
                         "[ TIMEOUT  ] unit/timeout\n"
                         "[  CRASH   ] unit/crash\n"
                         "[  ERROR   ] unit/setup\n"
                         "[  FAILED  ] unit/leakfail\n");
    assert_contains(out, "[  LEAKS   ] 3 tests left something behind\n");
    assert_int_equal(out[len - 1], '\n');
    free(out);
}

static void test_console_quiet(void **state)
{
    struct tc_console_opts o = {.verbosity = -1, .prefix = ""};
    size_t len;
    char *out = capture(make_console, &o, &len);

    (void)state;
    assert_lacks(out, "[       OK ]");
    assert_lacks(out, "unit/skip: no network");
    assert_lacks(out, "[  LEAKS   ] unit/leaky");
    assert_contains(out, "[  FAILED  ] unit/fail (12 ms)\n    math.c:12:");
    assert_contains(out, "[  CRASH   ] unit/crash (SIGSEGV)\n");
    assert_contains(out, "[  LEAKS   ] unit/leakfail: 14");
    assert_contains(out, "[==========] 9 tests ran");
    free(out);
}

static void test_console_verbose(void **state)
{
    struct tc_console_opts o = {.verbosity = 1, .prefix = "testcage: "};
    size_t len;
    char *out = capture(make_console, &o, &len);

    (void)state;
    assert_contains(out, "[ RUN      ] unit/pass\n[       OK ] unit/pass (12 ms)\n"
                         "testcage: --- output ---\npass-output-marker\n");
    assert_contains(out, "[ RUN      ] unit/timeout\n");
    assert_contains(out, "testcage: leaked IPC shm key 0x00001234 (id 3)\n");
    free(out);
}

static void test_console_color_progress(void **state)
{
    struct tc_console_opts o = {.color = true, .progress = true};
    size_t len;
    char *out = capture(make_console, &o, &len);

    (void)state;
    assert_contains(out, "\r[ 0/9 ] unit/pass\033[K");
    /* the progress line is erased before a status line is printed */
    assert_contains(out, "\r\033[K\033[32m[       OK ]\033[0m unit/pass (12 ms)\n");
    assert_contains(out, "\r\033[K\033[31m[  FAILED  ]\033[0m unit/fail");
    assert_contains(out, "\r[ 9/9 ] unit/na\"sty");
    assert_contains(out, "\r\033[K\033[32m[==========]\033[0m 9 tests ran");
    free(out);
}

static void test_console_many_failures_bounded(void **state)
{
    struct tc_console_opts o = {.verbosity = -1};
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    tc_reporter *r = tc_reporter_console_new(mem, &o);
    tc_summary sum = {0};

    (void)state;
    r->begin(r, "unit", 150);
    for (int i = 0; i < 150; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%d", i);
        tc_case c = {"unit", name, &results[FAIL]};
        r->case_done(r, &c);
        tc_summary_add(&sum, c.result);
    }
    assert_int_equal(r->end(r, &sum), 0);
    r->destroy(r);
    fclose(mem);
    hay_len = len;
    assert_contains(buf, "[  FAILED  ] unit/f99\n... and 50 more\n");
    assert_lacks(buf, "[  FAILED  ] unit/f100\n");
    free(buf);
}

/* ---- TAP ----------------------------------------------------------------- */

static void write_file(const char *name, const char *data, size_t len)
{
    char *path = path_in_outdir(name);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(path);
}

static void test_tap(void **state)
{
    size_t len;
    char *out = capture(make_tap, NULL, &len);

    (void)state;
    assert_starts(out, "TAP version 13\n1..9\nok 1 - unit/pass\n");
    assert_contains(out, "\nnot ok 2 - unit/fail\n  ---\n  message: \"expected 1 == 2\"\n"
                         "  severity: fail\n  status: fail\n  duration: 0.012\n"
                         "  exit_code: 1\n  failures:\n"
                         "    - message: \"expected 1 == 2\"\n      file: \"math.c\"\n"
                         "      line: 12\n    - message: \"second failure\"\n"
                         "  output_dropped: 100\n  output: |\n    hello\n    world\n"
                         "  kept_dir: \"/var/tmp/kept/fail.1\"\n  ...\n");
    assert_contains(out, "  debug_output: |\n    Thread 1 (LWP 2):\n    #0  nanosleep ()\n  ...\n");
    assert_contains(out, "\nok 3 - unit/skip # SKIP no network\n");
    assert_contains(out, "\nnot ok 4 - unit/timeout\n  ---\n"
                         "  message: \"timed out after 2.5 s, SIGKILL needed\"\n");
    assert_contains(out, "  signal: SIGSEGV\n");
    /* a first line with leading blanks or a CR forces the list form */
    assert_contains(out, "  output:\n    - \"  indented first line\"\n    - \"then\\r\"\n  ...\n");
    assert_contains(out, "\nok 7 - unit/leaky\n  ---\n  message: \"passed\"\n  severity: warn\n");
    assert_contains(out, "    - \"leaked process sleep (pid 5): sleep 1000\"\n");
    assert_contains(out, "\nnot ok 9 - unit/na\"sty <&> \\#1 \\\\  \xef\xbf\xbd\n");
    assert_contains(out, "  message: \"q\\\"uo'te <a&b> #1 \\\\ \\x01\\x1b[31m\xef\xbf\xbd");
    assert_int_equal(out[len - 1], '\n');
    assert_ends(out, len, "  ...\n");
    write_file("sample.tap", out, len);
    free(out);
}

/* Only passing and skipped cases: prove must exit 0 on it. */
static void test_tap_passing(void **state)
{
    static const int ok[] = {PASS, SKIP, LEAKY};
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);

    (void)state;
    assert_int_equal(run_cases(tc_reporter_tap_new(mem), ok, 3), 0);
    fclose(mem);
    assert_starts(buf, "TAP version 13\n1..3\n");
    write_file("pass.tap", buf, len);
    free(buf);
}

/* An unknown total puts the plan at the end. */
static void test_tap_late_plan(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    tc_reporter *r = tc_reporter_tap_new(mem);
    tc_case c = {"unit", "pass", &results[PASS]};
    tc_summary sum = {0};

    (void)state;
    r->begin(r, "unit", 0);
    r->case_done(r, &c);
    r->case_done(r, &c);
    assert_int_equal(r->end(r, &sum), 0);
    r->destroy(r);
    fclose(mem);
    assert_string_equal(buf, "TAP version 13\nok 1 - unit/pass\nok 2 - unit/pass\n1..2\n");
    free(buf);
}

/* ---- JUnit and JSON files -------------------------------------------------- */

static void test_junit(void **state)
{
    char *path = path_in_outdir("sample.xml");
    size_t len;
    char *xml;

    (void)state;
    assert_int_equal(run_all(tc_reporter_junit_new(path)), 0);
    xml = slurp(path, &len);
    assert_xml_chars(xml, len);
    assert_starts(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    assert_contains(xml, "<testsuites name=\"unit\" tests=\"9\" failures=\"3\" errors=\"3\" "
                         "skipped=\"1\" time=\"1.250\">");
    assert_contains(xml, "<testsuite name=\"unit\" tests=\"9\" failures=\"3\" errors=\"3\" "
                         "skipped=\"1\" time=\"1.250\" timestamp=\"");
    assert_contains(xml, "<testcase name=\"pass\" classname=\"unit\" time=\"0.012\" "
                         "status=\"pass\">\n      <system-out>pass-output-marker\n</system-out>");
    assert_contains(xml, "status=\"fail\" file=\"math.c\" line=\"12\">\n"
                         "      <failure message=\"expected 1 == 2\" type=\"failure\">"
                         "math.c:12: expected 1 == 2\nsecond failure\nexit status 1\n</failure>");
    assert_contains(xml, "[testcage: 100 bytes omitted from the middle]");
    assert_contains(xml, "<skipped message=\"no network\"/>");
    assert_contains(xml, "<error message=\"timed out after 2.5 s, SIGKILL needed\" "
                         "type=\"timeout\">");
    assert_contains(xml, "<error message=\"killed by signal SIGSEGV\" type=\"crash\">");
    assert_contains(xml, "<system-err>--- at the timeout ---\nThread 1 (LWP 2):\n#0  nanosleep "
                         "()\n</system-err>");
    assert_contains(xml, "<system-err>files kept in /var/tmp/kept/fail.1\n</system-err>");
    assert_contains(xml, "<error message=\"cannot create PID namespace: Operation not "
                         "permitted\" type=\"setup\">");
    assert_contains(xml, "<failure message=\"left 14 leaked objects behind\" type=\"leaks\">");
    assert_contains(xml, "<system-err>leaked process sleep (pid 5): sleep 1000\n");
    assert_contains(xml,
                    "<testcase name=\"na&quot;sty &lt;&amp;&gt; #1 \\ \xef\xbf\xbd\xef\xbf\xbd\"");
    assert_contains(xml, "time=\"0.000\" status=\"fail\" file=\"n&quot;asty.c\"");
    assert_contains(xml, "message=\"q&quot;uo&apos;te &lt;a&amp;b&gt; #1 \\ "
                         "\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd");
    assert_contains(xml, "&#10;second line\"");
    assert_ends(xml, len, "  </testsuite>\n</testsuites>\n");
    free(xml);
    free(path);
}

static void test_json(void **state)
{
    char *path = path_in_outdir("sample.json");
    size_t len;
    char *js;

    (void)state;
    assert_int_equal(run_all(tc_reporter_json_new(path)), 0);
    js = slurp(path, &len);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)js[i] < 0x20 && js[i] != '\n')
            fail_msg("raw control byte at %zu", i);
    assert_contains(js, "\"testcage\": \"" TESTCAGE_VERSION "\"");
    assert_contains(js, "\"suite\": \"unit\"");
    assert_contains(js, "{\"name\":\"pass\",\"suite\":\"unit\",\"status\":\"pass\","
                        "\"exit_code\":0,\"signal\":0,\"signal_name\":null,"
                        "\"duration\":0.012000,");
    assert_contains(js, "\"failures\":[{\"file\":\"math.c\",\"line\":12,\"message\":\"expected "
                        "1 == 2\"},{\"file\":null,\"line\":0,\"message\":\"second failure\"}]");
    assert_contains(js, "\"status\":\"crash\",\"exit_code\":-1,\"signal\":11,"
                        "\"signal_name\":\"SIGSEGV\"");
    assert_contains(js, "\"leaks\":{\"processes\":[{\"pid\":5,\"comm\":\"sleep\",\"cmdline\":"
                        "\"sleep 1000\"},{\"pid\":7,\"comm\":\"sh\",\"cmdline\":\"\"}],"
                        "\"files\":[{\"path\":\"/tmp/x\",\"size\":12,\"is_dir\":false},"
                        "{\"path\":\"/tmp/d\",\"size\":0,\"is_dir\":true},"
                        "{\"path\":\"/dev/shm/one\",\"size\":1,\"is_dir\":false}],"
                        "\"ipc\":[{\"kind\":\"shm\",\"key\":4660,\"id\":3},"
                        "{\"kind\":\"sem\",\"key\":-1,\"id\":4},"
                        "{\"kind\":\"msg\",\"key\":0,\"id\":5}],"
                        "\"omitted\":{\"processes\":2,\"files\":1,\"ipc\":3}}");
    assert_contains(js, "\"name\":\"na\\\"sty <&> #1 \\\\ \\u0001\\ufffd\"");
    assert_contains(js, "\"summary\": {\"total\":9,\"passed\":2,\"failed\":3,\"skipped\":1,"
                        "\"timed_out\":1,\"crashed\":1,\"setup_errors\":1,\"leaky\":3},\n"
                        "  \"duration\": 1.250000\n}\n");
    assert_contains(js, "\"debug_output\":\"Thread 1 (LWP 2):\\n#0  nanosleep ()\\n\","
                        "\"kept_dir\":null}");
    assert_contains(js, "\"debug_output\":null,\"kept_dir\":\"/var/tmp/kept/fail.1\"}");
    assert_lacks(js, "inf");
    free(js);
    free(path);
}

static void test_empty_runs(void **state)
{
    char *xml = path_in_outdir("empty.xml"), *js = path_in_outdir("empty.json");

    (void)state;
    assert_int_equal(run_cases(tc_reporter_junit_new(xml), NULL, 0), 0);
    assert_int_equal(run_cases(tc_reporter_json_new(js), NULL, 0), 0);
    free(xml);
    free(js);
}

static void test_open_errors(void **state)
{
    (void)state;
    errno = 0;
    assert_null(tc_reporter_junit_new("/nonexistent-dir/x.xml"));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(tc_reporter_json_new("/nonexistent-dir/x.json"));
    assert_int_equal(errno, ENOENT);
}

/* /dev/full fails every write with ENOSPC, as a full disk does. */
static void test_disk_full(void **state)
{
    struct tc_console_opts o = {0};
    FILE *f;

    (void)state;
    assert_int_equal(run_all(tc_reporter_junit_new("/dev/full")), -1);
    assert_int_equal(run_all(tc_reporter_json_new("/dev/full")), -1);
    f = fopen("/dev/full", "w");
    assert_non_null(f);
    assert_int_equal(run_all(tc_reporter_tap_new(f)), -1);
    fclose(f);
    f = fopen("/dev/full", "w");
    assert_non_null(f);
    assert_int_equal(run_all(tc_reporter_console_new(f, &o)), -1);
    fclose(f);
}

/* Destroy without end (an aborted run) must release everything too. */
static void test_destroy_without_end(void **state)
{
    char *xml = path_in_outdir("aborted.xml"), *js = path_in_outdir("aborted.json");
    tc_reporter *r[2] = {tc_reporter_junit_new(xml), tc_reporter_json_new(js)};
    tc_case c = {"unit", "fail", &results[FAIL]};

    (void)state;
    for (int i = 0; i < 2; i++) {
        assert_non_null(r[i]);
        r[i]->begin(r[i], "unit", 1);
        r[i]->case_done(r[i], &c);
        r[i]->destroy(r[i]);
    }
    unlink(xml);
    unlink(js);
    free(xml);
    free(js);
}

static long maxrss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* 10,000 cases with 2 KiB of output each: ~20 MB per file. The reporters
 * must stream it: peak memory may not grow by anything near that. */
static void test_ten_thousand_cases(void **state)
{
    enum { CASES = 10000, OUT = 2048 };
    char *xml = path_in_outdir("big.xml"), *js = path_in_outdir("big.json");
    tc_reporter *r[2] = {tc_reporter_junit_new(xml), tc_reporter_json_new(js)};
    char output[OUT + 1];
    testcage_result res = results[LEAKFAIL];
    tc_summary sum = {0};
    long before;

    (void)state;
    memset(output, 'x', OUT);
    for (int i = 63; i < OUT; i += 64)
        output[i] = '\n';
    output[OUT] = '\0';
    res.output = output, res.output_len = OUT;
    before = maxrss_kib();
    for (int k = 0; k < 2; k++) {
        assert_non_null(r[k]);
        r[k]->begin(r[k], "big", CASES);
    }
    for (int i = 0; i < CASES; i++) {
        char name[32];
        snprintf(name, sizeof name, "case_%05d", i);
        tc_case c = {"big", name, &res};
        for (int k = 0; k < 2; k++)
            r[k]->case_done(r[k], &c);
        tc_summary_add(&sum, &res);
    }
    for (int k = 0; k < 2; k++) {
        assert_int_equal(r[k]->end(r[k], &sum), 0);
        r[k]->destroy(r[k]);
    }
    /* 40 MB went out; allow 8 MB of growth for stdio buffers and noise. */
    if (maxrss_kib() - before > 8 * 1024)
        fail_msg("peak RSS grew by %ld KiB", maxrss_kib() - before);
    free(xml);
    free(js);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_reason),
        cmocka_unit_test(test_print_leaks),
        cmocka_unit_test(test_xml_escape),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_console_default),
        cmocka_unit_test(test_console_quiet),
        cmocka_unit_test(test_console_verbose),
        cmocka_unit_test(test_console_color_progress),
        cmocka_unit_test(test_console_many_failures_bounded),
        cmocka_unit_test(test_tap),
        cmocka_unit_test(test_tap_passing),
        cmocka_unit_test(test_tap_late_plan),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_empty_runs),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_destroy_without_end),
        cmocka_unit_test(test_ten_thousand_cases),
    };

    if (argc > 1) {
        outdir = argv[1];
        if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
            perror(outdir);
            return 1;
        }
    }
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
