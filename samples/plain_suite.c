/* plain_suite.c - plain C cases with TESTCAGE_TEST; link TestCage::main for
 * main(). No list to maintain: each TESTCAGE_TEST registers itself. */
#define _POSIX_C_SOURCE 200809L
#include <testcage/test.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TESTCAGE_TEST(string_compare)
{
    testcage_assert(strcmp("cage", "cage") == 0);
    return 0;
}

TESTCAGE_TEST(private_tmp)
{
    /* Every case sees an empty private /tmp; this file never reaches the host. */
    FILE *f = fopen("/tmp/plain_suite_scratch", "w");
    testcage_assert(f != NULL);
    fputs("scratch\n", f);
    return fclose(f) != 0 || remove("/tmp/plain_suite_scratch") != 0;
}

TESTCAGE_TEST(pid_two)
{
    testcage_assert(getpid() == 2);
    return 0;
}

TESTCAGE_TEST(slow_but_allowed, .timeout = 5)
{
    struct timespec t = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
    nanosleep(&t, NULL);
    return 0;
}
