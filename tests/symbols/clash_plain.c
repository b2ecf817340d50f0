/* clash_plain.c - TESTCAGE_TEST cases next to functions named like the
 * runner's internals (see clash_names.h). */
#include <testcage/test.h>

#include "clash_names.h"

TESTCAGE_TEST(own_names_are_ours)
{
    testcage_assert(wire_encode() == CLASH_WIRE_ENCODE);
    testcage_assert(tc_now() == CLASH_TC_NOW);
    testcage_assert(tc_plan_init() == CLASH_TC_PLAN_INIT);
    return clash_calls == 3 ? 0 : 1;
}

TESTCAGE_TEST(a_second_case_runs_too)
{
    return clash_calls;
}
