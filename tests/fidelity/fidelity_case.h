/* fidelity_case.h - one case source, two suites: FIDELITY_CASE(name) { ... }
 * is an int function (0 = success), a TESTCAGE_TEST as it is, or wrapped in
 * a cmocka case (-DFIDELITY_CMOCKA) that asserts it returned 0. */
#ifndef FIDELITY_CASE_H
#define FIDELITY_CASE_H

#ifdef FIDELITY_CMOCKA
#include <testcage/cmocka.h>

#define FIDELITY_CASE(name)                                                                        \
    static int name##_body(void);                                                                  \
    static void name(void **state)                                                                 \
    {                                                                                              \
        (void)state;                                                                               \
        assert_int_equal(name##_body(), 0);                                                        \
    }                                                                                              \
    static int name##_body(void)
#else
#include <testcage/test.h>

#define FIDELITY_CASE(name) TESTCAGE_TEST(name)
#endif

#endif
