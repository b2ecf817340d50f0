/* plain_registry.c - TESTCAGE_TEST cases register themselves from
 * constructors; this keeps them until main() runs, and testcage_fail(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <testcage/test.h>

#include "plain_internal.h"
#include "suite_internal.h"

static const struct testcage_test **tests;
static size_t ntests, cap;
static bool out_of_memory;

void testcage_register_test(const struct testcage_test *t)
{
    if (ntests == cap) {
        size_t ncap = cap ? cap * 2 : 64;
        const struct testcage_test **n = realloc(tests, ncap * sizeof(struct testcage_test *));
        if (!n) {
            out_of_memory = true;
            return;
        }
        tests = n;
        cap = ncap;
    }
    tests[ntests++] = t;
}

const struct testcage_test *const *tc_plain_tests(size_t *n, bool *oom)
{
    *n = ntests;
    *oom = out_of_memory;
    return tests;
}

void tc_plain_tests_free(void)
{
    free(tests);
    tests = NULL;
    ntests = cap = 0;
}

_Noreturn void _testcage_fail_at(const char *file, int line, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    testcage_report_failure(file, line, "%s", msg);
    fflush(NULL);
    /* --no-cage: the case ran in the runner's process, which goes on. */
    if (tc_nocage_jump)
        longjmp(*tc_nocage_jump, 1);
    exit(1);
}
