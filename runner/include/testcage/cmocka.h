/* testcage/cmocka.h - the cmocka drop-in: include this instead of <cmocka.h> and
 * call testcage_run_group_tests() where you called cmocka_run_group_tests().
 *
 * Every case runs in its own cage: group setup, the case's setup, the case,
 * its teardown and group teardown, in a fresh copy of the process. Cases are
 * named "group/case" (group = the array's name, as cmocka prints it).
 *
 * Several groups per binary: where the run needs them all at its start
 * (--list, --tap, --shard, --junit or Bazel's XML, --json, the progress
 * line on a terminal) the first call forks a child that runs the rest of
 * main() with every call only recording its group (stdio on /dev/null), so
 * the list, the TAP plan and the reports cover the whole binary. A plain
 * console run (and --run NAME, as CTest runs each case) starts without that
 * child; a teardown signal then forks it, so that the cases of the groups
 * still to come are reported as not run. --shard counts cases across all
 * groups (case k of the binary belongs to shard k mod N). Each call then
 * runs its own group (-j applies within it) and returns its failure count,
 * as cmocka does; code main() runs between or after the calls may
 * therefore run once more in that child. Without the child the summary
 * comes at exit, after that code's output; --run NAME naming no case is
 * found out there too (one line, exit 125). The process exits 1 when any
 * case failed, whatever main() returned (a count of 256 would wrap to 0).
 *
 * cmocka's environment:
 *   CMOCKA_MESSAGE_OUTPUT=TAP  our TAP report on stdout (as --tap)
 *   CMOCKA_MESSAGE_OUTPUT=XML  our JUnit report, one file for all groups, in
 *                              CMOCKA_XML_FILE ("%g" becomes the binary's
 *                              name) or on stderr when that is unset
 *   CMOCKA_TEST_ABORT=1        a failed assertion aborts: the case is
 *                              reported as crashed (SIGABRT), as it would
 *                              under cmocka, and a core dump is possible
 * Inside each cage cmocka always prints its standard output (captured, and
 * shown for failing cases); failure messages and file:line are read back
 * from it into the reports.
 */
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
TESTCAGE_API int _testcage_run_group_tests(const char *group, const struct CMUnitTest *tests,
                                           size_t n, CMFixtureFunction group_setup,
                                           CMFixtureFunction group_teardown);

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
TESTCAGE_API void _testcage_cmocka_skip(const char *file, int line);
#undef skip
#define skip() _testcage_cmocka_skip(__FILE__, __LINE__)

#ifdef __cplusplus
}
#endif
#endif
