/* plain_suite.c - TESTCAGE_TEST cases of every kind the cage must handle. */
#include <testcage/test.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int counter; /* a case that changes it must not be seen by the next */
static void *volatile sink;

TESTCAGE_TEST(passes)
{
    return 0;
}

TESTCAGE_TEST(fails_by_return)
{
    printf("output of the failing case\n");
    return 3;
}

TESTCAGE_TEST(fails_by_message)
{
    testcage_fail("expected %d, got %d", 1, 2);
}

TESTCAGE_TEST(skips)
{
    testcage_skip("not on this machine");
}

TESTCAGE_TEST(crashes)
{
    raise(SIGSEGV);
    return 0;
}

TESTCAGE_TEST(aborts)
{
    abort();
}

TESTCAGE_TEST(hangs)
{
    for (;;)
        pause();
    return 0;
}

/* Its own limit wins over --timeout. */
TESTCAGE_TEST(hangs_with_own_limit, .timeout = 0.3, .grace = 0.1)
{
    for (;;)
        pause();
    return 0;
}

TESTCAGE_TEST(mutates_state)
{
    testcage_assert(counter == 0);
    counter = 42;
    return 0;
}

TESTCAGE_TEST(sees_fresh_state)
{
    testcage_assert(counter == 0);
    return 0;
}

TESTCAGE_TEST(leaks_daemon)
{
    pid_t pid = fork();
    testcage_assert(pid >= 0);
    if (pid == 0) {
        setsid();
        execlp("sleep", "sleep", "1000", (char *)NULL);
        _exit(127);
    }
    return 0;
}

static int leak_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    testcage_assert(fd >= 0);
    testcage_assert(write(fd, "leak", 4) == 4);
    return close(fd);
}

TESTCAGE_TEST(leaks_tmp_file)
{
    return leak_file("/tmp/testcage-suite-leak");
}

/* Leak policy per case: this one fails on what it leaves. */
TESTCAGE_TEST(leaks_shm_file, .leaks = TESTCAGE_LEAKS_FAIL)
{
    return leak_file("/dev/shm/testcage-suite-leak");
}

TESTCAGE_TEST(leaks_malloc)
{
    sink = malloc(100);
    memset(sink, 1, 100);
    sink = NULL;
    return 0;
}

TESTCAGE_TEST(tmp_is_empty)
{
    testcage_assert(access("/tmp/testcage-suite-leak", F_OK) != 0);
    testcage_assert(access("/dev/shm/testcage-suite-leak", F_OK) != 0);
    return 0;
}
