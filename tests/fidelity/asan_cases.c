/* asan_cases.c - built with AddressSanitizer: LeakSanitizer's check at the
 * body's exit fails a leaking case with its report in the case's output, a
 * clean case passes, a heap overflow still fails. */
#include "fidelity_case.h"

#include <stdlib.h>
#include <string.h>

static char *volatile sink;

static __attribute__((noinline)) void lose(size_t n)
{
    sink = malloc(n);
    if (sink)
        memset(sink, 1, n);
    sink = NULL; /* the only pointer to it: leaked */
}

FIDELITY_CASE(leaks)
{
    lose(4242);
    return 0;
}

FIDELITY_CASE(clean)
{
    char *p = malloc(100);
    if (!p)
        return 1;
    memset(p, 0, 100);
    free(p);
    return 0;
}

FIDELITY_CASE(overflow)
{
    char *p = malloc(16);
    if (!p)
        return 1;
    sink = p;
    sink[16] = 'x'; /* one byte past the end */
    free(p);
    return 0;
}

#ifdef FIDELITY_CMOCKA
int main(void)
{
    const struct CMUnitTest asan[] = {
        cmocka_unit_test(leaks),
        cmocka_unit_test(clean),
        cmocka_unit_test(overflow),
    };
    return testcage_run_group_tests(asan, NULL, NULL);
}
#endif
