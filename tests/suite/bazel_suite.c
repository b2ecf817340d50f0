/* bazel_suite.c - cases for the Bazel test protocol: each must find its own
 * TEST_TMPDIR (and leaves a file there), one hangs until a limit or
 * Bazel's SIGTERM ends it, and quick ones fill the shards. Also the cc_test
 * of the real Bazel run (tests/bazel). */
#include <testcage/test.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* TEST_TMPDIR is the case's own: the file each case leaves there must not
 * be there yet, as it would be in a directory shared with the other case
 * (or left from an earlier run). It is not empty when the working directory
 * lies below /tmp: the cage then keeps that path in its private /tmp. */
static int own_test_tmpdir(void)
{
    const char *t = getenv("TEST_TMPDIR");
    if (!t)
        testcage_fail("TEST_TMPDIR is not set");
    printf("TEST_TMPDIR=%s TMPDIR=%s HOME=%s\n", t, getenv("TMPDIR") ? getenv("TMPDIR") : "",
           getenv("HOME") ? getenv("HOME") : "");
    char path[4096];
    snprintf(path, sizeof path, "%s/left-by-case", t);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        testcage_fail("cannot create %s: %s", path, strerror(errno));
    if (write(fd, "x", 1) != 1)
        testcage_fail("cannot write %s: %s", path, strerror(errno));
    close(fd);
    return 0;
}

TESTCAGE_TEST(tmpdir_a)
{
    return own_test_tmpdir();
}

TESTCAGE_TEST(tmpdir_b)
{
    return own_test_tmpdir();
}

TESTCAGE_TEST(hangs)
{
    for (;;)
        pause();
    return 0;
}

TESTCAGE_TEST(quick_1)
{
    return 0;
}

TESTCAGE_TEST(quick_2)
{
    return 0;
}

TESTCAGE_TEST(quick_3)
{
    return 0;
}

TESTCAGE_TEST(quick_4)
{
    return 0;
}
