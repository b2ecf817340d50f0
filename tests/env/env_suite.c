/* env_suite.c - the linked runner's cases for the environment tests: one
 * that leaves proof it ran (once per run, appended to $ENV_RAN), one that
 * fails, one that waits to be killed, one that litters its TMPDIR. */
#define _GNU_SOURCE
#include <testcage/test.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void mark(const char *what)
{
    const char *path = getenv("ENV_RAN");
    int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666) : -1;
    if (fd < 0)
        testcage_fail("cannot open $ENV_RAN (%s)", path ? path : "unset");
    dprintf(fd, "%s\n", what);
    close(fd);
}

TESTCAGE_TEST(ran)
{
    const char *tmp = getenv("TMPDIR");
    mark("ran");
    printf("pid %d tmpdir %s shm %s\n", (int)getpid(), tmp ? tmp : "-",
           access("/dev/shm", F_OK) == 0 ? "yes" : "no");
    return 0;
}

TESTCAGE_TEST(fails)
{
    mark("fails");
    return 3;
}

TESTCAGE_TEST(waits)
{
    mark("waits");
    sleep(30);
    return 0;
}

TESTCAGE_TEST(litters)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/litter", tmp ? tmp : "/tmp");
    FILE *f = fopen(path, "w");
    if (!f)
        testcage_fail("cannot write %s", path);
    fputs("x\n", f);
    fclose(f);
    mark("litters");
    return 0;
}

/* Asks for a mount namespace whatever the run's --ns: where mounts are
 * denied its init fails where the run's other cages were made, and the
 * case is retried fork only. */
TESTCAGE_TEST(wants_mount, .namespaces = TESTCAGE_NS_PID | TESTCAGE_NS_MOUNT | TESTCAGE_NS_IPC)
{
    mark("wants_mount");
    return 0;
}
