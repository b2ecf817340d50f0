/* cmocka_suite.c - an ordinary cmocka suite; the one change for testcage is
 * testcage_run_group_tests() instead of cmocka_run_group_tests(). */
#include <testcage/cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int counter; /* each case starts from a fresh copy: always 0 here */

static int group_setup(void **state)
{
    /* Runs inside every case's cage: each case finds its own fresh file. */
    FILE *f = fopen("/tmp/fixture.txt", "w");
    if (f == NULL)
        return -1;
    fputs("fixture\n", f);
    fclose(f);
    *state = &counter;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return remove("/tmp/fixture.txt"); /* leave nothing behind: no leak report */
}

static void test_add(void **state)
{
    (void)state;
    assert_int_equal(2 + 2, 4);
}

static void test_fresh_world(void **state)
{
    int *c = *state;
    assert_int_equal(*c, 0); /* the other case's increment never reaches us */
    (*c)++;
    assert_int_equal(access("/tmp/fixture.txt", R_OK), 0);
    assert_int_equal(getpid(), 2); /* the case body is pid 2 of its cage */
}

static void test_fresh_world_again(void **state)
{
    test_fresh_world(state);
}

static void test_needs_network(void **state)
{
    (void)state;
    if (getenv("SAMPLE_HAVE_NETWORK") == NULL)
        skip(); /* reported as skipped; CTest shows "Skipped" */
}

int main(void)
{
    const struct CMUnitTest math[] = {
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_fresh_world),
        cmocka_unit_test(test_fresh_world_again),
        cmocka_unit_test(test_needs_network),
    };
    return testcage_run_group_tests(math, group_setup, group_teardown);
}
