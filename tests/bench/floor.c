/* floor.c - the physical floor of a cage: N times clone into PID+mount+IPC
 * namespaces (private /, tmpfs /tmp and /dev/shm, fresh /proc, a pipe write,
 * exit, wait), or N bare fork+wait; prints {"mode":..,"n":..,"us_per_iter":..}. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The one-process cage: what the child does before it reports and exits. */
static _Noreturn void cage_child(int wfd)
{
    int ok = mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
             mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0 &&
             mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0 &&
             mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
    char c = ok ? 'k' : 'e';
    _exit(write(wfd, &c, 1) == 1 && ok ? 0 : 1);
}

static int one(bool cage)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    unsigned long flags = cage ? CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC : 0;
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0) {
        close(p[0]);
        if (cage)
            cage_child(p[1]);
        _exit(0);
    }
    close(p[1]);
    char c = 0;
    ssize_t n = cage ? read(p[0], &c, 1) : 0;
    close(p[0]);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return cage && (n != 1 || c != 'k') ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "cage") != 0 && strcmp(argv[1], "fork") != 0)) {
        fprintf(stderr, "usage: %s cage|fork N\n", argv[0]);
        return 2;
    }
    bool cage = strcmp(argv[1], "cage") == 0;
    long n = strtol(argv[2], NULL, 10);
    if (n <= 0) {
        fprintf(stderr, "%s: bad count '%s'\n", argv[0], argv[2]);
        return 2;
    }
    double start = now_us();
    for (long k = 0; k < n; k++) {
        if (one(cage) < 0) {
            perror(cage ? "floor: clone into namespaces" : "floor: fork");
            return 1;
        }
    }
    double per = (now_us() - start) / (double)n;
    printf("{\"mode\":\"%s\",\"n\":%ld,\"us_per_iter\":%.2f}\n", argv[1], n, per);
    return 0;
}
