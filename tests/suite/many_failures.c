/* many_failures.c - 300 failing cases: the exit status must not wrap to 0
 * although main() returns the failure count, as cmocka suites do. */
#include <testcage/cmocka.h>

static void fails(void **state)
{
    (void)state;
    fail();
}

#define F10                                                                                        \
    cmocka_unit_test(fails), cmocka_unit_test(fails), cmocka_unit_test(fails),                     \
        cmocka_unit_test(fails), cmocka_unit_test(fails), cmocka_unit_test(fails),                 \
        cmocka_unit_test(fails), cmocka_unit_test(fails), cmocka_unit_test(fails),                 \
        cmocka_unit_test(fails)
#define F100 F10, F10, F10, F10, F10, F10, F10, F10, F10, F10

int main(void)
{
    const struct CMUnitTest tests[] = {F100, F100, F100};
    return testcage_run_group_tests(tests, NULL, NULL);
}
