/* bench_cases.c - 1,000 trivial cmocka cases; built as plain cmocka and as
 * a testcage suite (BENCH_TESTCAGE) to measure the cost of a cage per case. */
#ifdef BENCH_TESTCAGE
#include <testcage/cmocka.h>
#define RUN_GROUP testcage_run_group_tests
#else
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#define RUN_GROUP cmocka_run_group_tests
#endif

static void trivial(void **state)
{
    (void)state;
    assert_true(1);
}

#define T10                                                                                        \
    cmocka_unit_test(trivial), cmocka_unit_test(trivial), cmocka_unit_test(trivial),               \
        cmocka_unit_test(trivial), cmocka_unit_test(trivial), cmocka_unit_test(trivial),           \
        cmocka_unit_test(trivial), cmocka_unit_test(trivial), cmocka_unit_test(trivial),           \
        cmocka_unit_test(trivial)
#define T100 T10, T10, T10, T10, T10, T10, T10, T10, T10, T10

int main(void)
{
    const struct CMUnitTest bench[] = {T100, T100, T100, T100, T100, T100, T100, T100, T100, T100};
    return RUN_GROUP(bench, NULL, NULL) != 0;
}
