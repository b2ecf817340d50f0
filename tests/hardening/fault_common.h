/* fault_common.h - the misbehaviours shared by fault_prog (CLI) and
 * fault_cases (linked runner); fault_run(mode) returns the exit status. */
#ifndef FAULT_COMMON_H
#define FAULT_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Forks until fork fails; reports how many it got and the errno, then
 * waits for its children (which sleep) so the cage ends them. */
static int fault_forkbomb(void)
{
    int made = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;)
                pause();
        }
        if (pid < 0) {
            printf("forkbomb: fork failed after %d children: %s\n", made, strerror(errno));
            fflush(stdout);
            return errno == EAGAIN ? 3 : 4;
        }
        if (++made > 100000)
            return 5; /* no limit at all: never expected */
    }
}

/* Touches memory 1 MiB at a time until something stops it. */
static int fault_alloc(void)
{
    for (size_t total = 0; total < ((size_t)16 << 30); total += 1 << 20) {
        char *p = malloc(1 << 20);
        if (!p) {
            printf("alloc: malloc failed after %zu MiB\n", total >> 20);
            fflush(stdout);
            return 3;
        }
        memset(p, 0x5a, 1 << 20);
    }
    return 5;
}

/* Writes 2 MiB to /tmp; exits 3 on ENOSPC, 0 if everything fit. */
static int fault_fill_tmp(void)
{
    int fd = open("/tmp/tcfault-fill", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        printf("fill: open: %s\n", strerror(errno));
        return 4;
    }
    static char block[64 << 10];
    memset(block, 'f', sizeof block);
    for (int i = 0; i < 32; i++) {
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block) {
            printf("fill: write %d: %s\n", i, strerror(errno));
            fflush(stdout);
            close(fd);
            return errno == ENOSPC ? 3 : 4;
        }
    }
    close(fd);
    return 0;
}

/* Chains of short-lived processes: each forks its successor and exits, so
 * /proc entries appear and vanish while the cage scans for survivors. */
static int fault_respawn(void)
{
    for (int chain = 0; chain < 4; chain++) {
        pid_t pid = fork();
        if (pid < 0)
            return 4;
        if (pid > 0)
            continue;
        for (;;) {
            pid_t next = fork();
            if (next != 0)
                _exit(0); /* the successor (or nobody, on failure) carries on */
        }
    }
    usleep(20000); /* let the chains get going */
    return 0;
}

/* Closes every fd >= 3 (the report channel included), then ends `rc`. */
static int fault_close_fds(int rc)
{
    struct rlimit rl;
    long max =
        getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (long)rl.rlim_cur : 65536;
    for (long fd = 3; fd < max; fd++)
        close((int)fd);
    return rc;
}

static int fault_run(const char *mode)
{
    if (strcmp(mode, "pass") == 0)
        return 0;
    if (strcmp(mode, "forkbomb") == 0)
        return fault_forkbomb();
    if (strcmp(mode, "alloc") == 0)
        return fault_alloc();
    if (strcmp(mode, "fill") == 0)
        return fault_fill_tmp();
    if (strcmp(mode, "respawn") == 0)
        return fault_respawn();
    if (strcmp(mode, "closefds-fail") == 0)
        return fault_close_fds(3);
    if (strcmp(mode, "closefds-pass") == 0)
        return fault_close_fds(0);
    if (strcmp(mode, "sigstop") == 0) {
        raise(SIGSTOP);
        return 6; /* continued: the cage should have killed it instead */
    }
    fprintf(stderr, "fault_prog: unknown mode %s\n", mode);
    return 2;
}

#endif
