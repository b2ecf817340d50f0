/* floor.c - the physical floor of a cage, N times: "cage" clones one process into
 * PID+mount+IPC namespaces (private /, tmpfs /tmp and /dev/shm, fresh /proc, a pipe
 * write, exit, wait); "fork" is a bare fork+wait; "init" is testcage's shape (the
 * cloned init mounts, forks the body that writes the pipe, reaps it); "vminit" the
 * same with a CLONE_VM init on its own stack, so only the body copies the page
 * tables; "nested" that shape with the body in a user namespace of its own
 * (identity maps written by the init) that unshares its own mount namespace,
 * as testcage's body does so that root can mount in its cage; "forkonly"
 * the CLONE_VM shape without namespaces or mounts (testcage's fork-only
 * cage: a subreaper init and its body). Prints {"mode":..,"n":..,"us_per_iter":..}. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

#define NS_FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC)

static int mounts(void)
{
    return mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                   mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0 &&
                   mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0 &&
                   mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0
               ? 0
               : -1;
}

/* The one-process cage: what the child does before it reports and exits. */
static _Noreturn void cage_child(int wfd)
{
    int ok = mounts() == 0;
    char c = ok ? 'k' : 'e';
    _exit(write(wfd, &c, 1) == 1 && ok ? 0 : 1);
}

struct two {
    int wfd;     /* the body reports here */
    int forked;  /* vminit: tells the runner the body exists (-1: not used) */
    char *stack; /* vminit: top of the body's stack */
    int go[2];   /* nested: the init's word that the body's id maps are written */
    bool caged;  /* false (forkonly): no namespaces, so no mounts either */
};

static int body_fn(void *arg)
{
    const struct two *t = arg;
    char c = 'k';
    _exit(write(t->wfd, &c, 1) == 1 ? 0 : 1);
}

/* nested: the body is in a user namespace of its own and copies the cage's
 * mount table into a mount namespace that namespace owns, which is what
 * locks the cage's mounts (mount_namespaces(7)) and lets root mount. */
static int nested_body_fn(void *arg)
{
    const struct two *t = arg;
    char c = 0;
    if (read(t->go[0], &c, 1) != 1 || unshare(CLONE_NEWNS) < 0)
        _exit(1);
    return body_fn(arg);
}

/* No stdio: the init shares the runner's memory (and malloc's). */
static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t len = (ssize_t)strlen(text);
    bool ok = fd >= 0 && write(fd, text, (size_t)len) == len;
    return fd >= 0 && close(fd) == 0 && ok ? 0 : -1;
}

/* The identity map of every id, as testcage writes for root's body. */
static int map_nested(pid_t body)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)body);
    if (write_file(path, "0 0 4294967295\n") < 0)
        return -1;
    snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)body);
    return write_file(path, "0 0 4294967295\n");
}

/* The init of a two-process cage: mounts, forks the body, reaps it. With
 * CLONE_VM it shares the runner's memory: only raw system calls and its own
 * stack; the body gets a copy (fork semantics) on a stack of its own. */
static int init_fn(void *arg)
{
    const struct two *t = arg;
    if (t->caged && mounts() < 0)
        _exit(1);
    bool nested = t->go[0] >= 0;
    pid_t body = nested          ? clone(nested_body_fn, t->stack, CLONE_NEWUSER | SIGCHLD, arg)
                 : t->forked >= 0 ? clone(body_fn, t->stack, SIGCHLD, arg)
                                  : (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
    if (body == 0)
        body_fn(arg);
    char go = 'g';
    if (nested && (body < 0 || map_nested(body) < 0 || write(t->go[1], &go, 1) != 1))
        _exit(1);
    if (t->forked >= 0) {
        char c = 'f';
        if (write(t->forked, &c, 1) != 1)
            _exit(1);
    }
    int st;
    _exit(body > 0 && waitpid(body, &st, 0) == body && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0
                                                                                             : 1);
}

static int two_process(bool vm, bool nested, bool caged)
{
    static char *stacks;
    enum { STACK = 64 * 1024 };
    if (vm && !stacks) {
        stacks = mmap(NULL, 2 * STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (stacks == MAP_FAILED)
            return -1;
    }
    int p[2], f[2] = {-1, -1};
    int go[2] = {-1, -1};
    if (pipe(p) < 0 || (vm && pipe(f) < 0) || (nested && pipe2(go, O_CLOEXEC) < 0))
        return -1;
    struct two t = {.wfd = p[1],
                    .forked = f[1],
                    .stack = vm ? stacks + 2 * STACK : NULL,
                    .go = {go[0], go[1]},
                    .caged = caged};
    int ns = caged ? NS_FLAGS : 0;
    pid_t pid = vm ? clone(init_fn, stacks + STACK, CLONE_VM | ns | SIGCHLD, &t)
                   : (pid_t)syscall(SYS_clone, ns | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0)
        init_fn(&t);
    char c = 0;
    /* vminit: the runner stays still until the body's copy is taken. */
    if (vm && (read(f[0], &c, 1) != 1 || c != 'f'))
        pid = -1;
    close(p[1]);
    ssize_t n = read(p[0], &c, 1);
    close(p[0]);
    if (vm) {
        close(f[0]);
        close(f[1]);
    }
    if (nested) {
        close(go[0]);
        close(go[1]);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, vm ? __WALL : 0) != pid || !WIFEXITED(st) ||
        WEXITSTATUS(st) != 0)
        return -1;
    return n == 1 && c == 'k' ? 0 : -1;
}

static int one(bool cage)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    unsigned long flags = cage ? NS_FLAGS : 0;
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
    const char *modes[] = {"cage", "fork", "init", "vminit", "nested", "forkonly"};
    int mode = -1;
    for (int k = 0; argc == 3 && k < 6; k++)
        if (strcmp(argv[1], modes[k]) == 0)
            mode = k;
    if (mode < 0) {
        fprintf(stderr, "usage: %s cage|fork|init|vminit|nested|forkonly N\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    if (n <= 0) {
        fprintf(stderr, "%s: bad count '%s'\n", argv[0], argv[2]);
        return 2;
    }
    double start = now_us();
    for (long k = 0; k < n; k++) {
        int rc = mode <= 1 ? one(mode == 0) : two_process(mode >= 3, mode == 4, mode != 5);
        if (rc < 0) {
            fprintf(stderr, "floor: %s failed: %s\n", modes[mode], strerror(errno));
            return 1;
        }
    }
    double per = (now_us() - start) / (double)n;
    printf("{\"mode\":\"%s\",\"n\":%ld,\"us_per_iter\":%.2f}\n", modes[mode], n, per);
    return 0;
}
