/* testcage/cmocka.h - the cmocka drop-in: include this instead of <cmocka.h> and
 * call testcage_run_group_tests() where you called cmocka_run_group_tests(). */
#ifndef TESTCAGE_CMOCKA_H
#define TESTCAGE_CMOCKA_H

/* cmocka.h needs these first and does not include them itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <testcage/testcage.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same contract as _cmocka_run_group_tests(): runs every selected case of the
 * group, each in its own cage, and returns the number that failed. */
int _testcage_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t count,
                              CMFixtureFunction group_setup, CMFixtureFunction group_teardown);

#define testcage_run_group_tests(group_tests, group_setup, group_teardown)                         \
    _testcage_run_group_tests(#group_tests, group_tests,                                           \
                              sizeof(group_tests) / sizeof((group_tests)[0]), group_setup,         \
                              group_teardown)

#define testcage_run_group_tests_name(group_name, group_tests, group_setup, group_teardown)        \
    _testcage_run_group_tests(group_name, group_tests,                                             \
                              sizeof(group_tests) / sizeof((group_tests)[0]), group_setup,         \
                              group_teardown)

/* skip() is wrapped so the runner learns that the case skipped: cmocka keeps
 * that in private state and exits 0 either way. */
void _testcage_cmocka_skip(const char *file, int line);
#undef skip
#define skip() _testcage_cmocka_skip(__FILE__, __LINE__)

#ifdef __cplusplus
}
#endif
#endif
