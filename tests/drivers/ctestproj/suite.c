/* suite.c - linked-runner cases for the CTest limit and leak summary tests. */
#define _POSIX_C_SOURCE 200809L
#include <testcage/test.h>

#include <stdio.h>
#include <unistd.h>

TESTCAGE_TEST(sleepy)
{
    sleep(2);
    return 0;
}

TESTCAGE_TEST(litter)
{
    for (int i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/tmp/ctestproj-disc-%d", i);
        FILE *f = fopen(path, "w");
        testcage_assert(f != NULL && fclose(f) == 0);
    }
    return 0;
}
