/* clash_cmocka.c - a cmocka suite that defines functions named like the
 * runner's internals. With the libraries exporting only the testcage_* API,
 * the runner's own calls stay with its own functions and these stay ours. */
#include <testcage/cmocka.h>

#include "clash_names.h"

static void own_names_are_ours(void **state)
{
    (void)state;
    assert_int_equal(wire_encode(), CLASH_WIRE_ENCODE);
    assert_int_equal(tc_now(), CLASH_TC_NOW);
    assert_int_equal(tc_plan_init(), CLASH_TC_PLAN_INIT);
    assert_int_equal(clash_calls, 3);
}

static void a_second_case_runs_too(void **state)
{
    (void)state;
    assert_int_equal(clash_calls, 0); /* a fresh copy of the process */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_names_are_ours),
        cmocka_unit_test(a_second_case_runs_too),
    };
    return testcage_run_group_tests(tests, NULL, NULL);
}
