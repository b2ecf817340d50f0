/* drvtap.c - a linked runner (TESTCAGE_TEST, testcage-main) run by Meson as
 * a protocol: 'tap' test: one case passes, one fails. */
#include <testcage/test.h>

TESTCAGE_TEST(passes)
{
    return 0;
}

TESTCAGE_TEST(fails)
{
    testcage_fail("on purpose");
    return 1;
}
