/* cov_cases.c - a cmocka suite whose gcov line counts must be the same caged
 * and uncaged: built once with cmocka_run_group_tests (-DFIDELITY_UNCAGED)
 * and once with testcage_run_group_tests. */
#ifdef FIDELITY_UNCAGED
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#else
#include <testcage/cmocka.h>
#endif

#include <stdio.h>

static int calls; /* every case starts from main()'s value */

static int square(int x)
{
    calls++;
    return x * x;
}

/* Called a different number of times by each case, so that a count taken
 * from the wrong process shows. */
static int sum_of_squares(int n)
{
    int s = 0;
    for (int k = 1; k <= n; k++)
        s += square(k);
    return s;
}

static void one_call(void **state)
{
    (void)state;
    assert_int_equal(square(3), 9);
}

static void three_calls(void **state)
{
    (void)state;
    assert_int_equal(sum_of_squares(3), 14);
}

static void branches(void **state)
{
    (void)state;
    int odd = 0;
    for (int k = 0; k < 5; k++) {
        if (k % 2)
            odd++;
        else
            odd += 0;
    }
    assert_int_equal(odd, 2);
}

static void no_helper(void **state)
{
    (void)state;
    char buf[8];
    snprintf(buf, sizeof(buf), "%d", 42);
    assert_string_equal(buf, "42");
}

int main(int argc, char **argv)
{
    (void)argv;
    calls = 1; /* FIDELITY: first line of main */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_call),
        cmocka_unit_test(three_calls),
        cmocka_unit_test(branches),
        cmocka_unit_test(no_helper),
    };
    if (argc < 1) /* a line main() runs between its first and the run call */
        return 2;
#ifdef FIDELITY_UNCAGED
    return cmocka_run_group_tests(tests, NULL, NULL); /* FIDELITY: the run call */
#else
    return testcage_run_group_tests(tests, NULL, NULL); /* FIDELITY: the run call */
#endif
}
