/* testcage/test.h - plain C test cases: TESTCAGE_TEST(name) { ... } registers a
 * case that runs in its own cage; link TestCage::main for main(). */
#ifndef TESTCAGE_TEST_H
#define TESTCAGE_TEST_H

#include <testcage/testcage.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Per-case settings; a field left out keeps the suite-wide value (from the
 * command line or TESTCAGE_* environment). The case's own value wins because
 * it states what the case needs (a longer limit, a network namespace). */
struct testcage_test_settings {
    double timeout;  /* seconds, 0 = none */
    double grace;    /* seconds */
    long namespaces; /* TESTCAGE_NS_* bits, 0 = fork only */
    int leaks;       /* enum testcage_leak_policy */
};

/* A case body: 0 passes, anything else fails. */
typedef int (*testcage_test_fn)(void);

struct testcage_test {
    const char *name;
    testcage_test_fn fn;
    const char *file;
    int line;
    struct testcage_test_settings settings;
};

/* Called by TESTCAGE_TEST's constructor; t must stay valid (it is static). */
TESTCAGE_API void testcage_register_test(const struct testcage_test *t);

/* Records a failure at file:line on the report channel and exits 1 (under
 * the runner's --no-cage it ends only the case: the run goes on). */
TESTCAGE_API _Noreturn void _testcage_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Unset settings: negative values no valid setting takes. */
#define TESTCAGE_SETTINGS_UNSET_ .timeout = -1, .grace = -1, .namespaces = -1, .leaks = -1

/* TESTCAGE_TEST(name) or TESTCAGE_TEST(name, .timeout = 2, .leaks = TESTCAGE_LEAKS_FAIL).
 * The settings are designated initializers placed after the defaults, which
 * overrides them; the pragma keeps -Woverride-init quiet about that. */
#define TESTCAGE_TEST(...) TESTCAGE_TEST_(__VA_ARGS__, )
#define TESTCAGE_TEST_(name, ...)                                                                  \
    static int testcage_case_##name(void);                                                         \
    __attribute__((constructor)) static void testcage_register_##name(void)                        \
    {                                                                                              \
        _Pragma("GCC diagnostic push");                                                            \
        _Pragma("GCC diagnostic ignored \"-Woverride-init\"");                                     \
        static const struct testcage_test t = {#name,                                              \
                                               testcage_case_##name,                               \
                                               __FILE__,                                           \
                                               __LINE__,                                           \
                                               {TESTCAGE_SETTINGS_UNSET_, __VA_ARGS__}};           \
        _Pragma("GCC diagnostic pop");                                                             \
        testcage_register_test(&t);                                                                \
    }                                                                                              \
    static int testcage_case_##name(void)

/* Fails the case with a printf-style message and its file:line. */
#define testcage_fail(...) _testcage_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fails the case unless expr holds. */
#define testcage_assert(expr)                                                                      \
    do {                                                                                           \
        if (!(expr))                                                                               \
            _testcage_fail_at(__FILE__, __LINE__, "assertion failed: %s", #expr);                  \
    } while (0)

/* Skips the case (exit status 77) with a printf-style reason. */
#define testcage_skip(...) testcage_report_skip(__VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
