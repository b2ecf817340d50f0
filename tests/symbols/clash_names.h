/* clash_names.h - a test's own functions with the names (not the
 * signatures) of runner and library internals. Had the libraries exported
 * them, the dynamic linker would bind the runner's calls here: the scheduler
 * would read a clock of 7 and the cage would encode no records. */
#ifndef CLASH_NAMES_H
#define CLASH_NAMES_H

enum { CLASH_WIRE_ENCODE = 41, CLASH_TC_NOW = 7, CLASH_TC_PLAN_INIT = 3 };

int clash_calls;

int wire_encode(void);
int tc_now(void);
int tc_plan_init(void);

int wire_encode(void)
{
    clash_calls++;
    return CLASH_WIRE_ENCODE;
}

int tc_now(void)
{
    clash_calls++;
    return CLASH_TC_NOW;
}

int tc_plan_init(void)
{
    clash_calls++;
    return CLASH_TC_PLAN_INIT;
}
#endif
