/* plain_internal.h - the TESTCAGE_TEST registrations, for main_plain.c. */
#ifndef TESTCAGE_PLAIN_INTERNAL_H
#define TESTCAGE_PLAIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <testcage/test.h>

/* The cases in constructor order; *oom when one could not be registered. */
const struct testcage_test *const *tc_plain_tests(size_t *n, bool *oom);
void tc_plain_tests_free(void);

#endif
