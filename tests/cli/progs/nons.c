/* nons.c - runs a command where no namespace can be created, without touching host settings:
 * a user namespace mapping root and uid 65534, max_user_namespaces=0 inside, then uid 65534. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "nons: %s: %s\n", what, strerror(errno));
    exit(98);
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        die(path);
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        die(path);
    close(fd);
}

static int clone_child(void *arg)
{
    (void)arg;
    return 0;
}

/* Returns 1 when clone() with these flags works, 0 when it fails (errno kept). */
static int try_clone(int flags)
{
    static char stack[64 * 1024] __attribute__((aligned(16)));
    pid_t pid = clone(clone_child, stack + sizeof stack, flags | SIGCHLD, NULL);
    if (pid < 0)
        return 0;
    waitpid(pid, NULL, 0);
    return 1;
}

/* Every namespace testcage could use must be out of reach (verbose: say how each fails). */
static int verify(int verbose)
{
    static const struct {
        int flag;
        const char *name;
    } ns[] = {
        {CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWPID, "CLONE_NEWPID"},
        {CLONE_NEWNS, "CLONE_NEWNS"},     {CLONE_NEWIPC, "CLONE_NEWIPC"},
        {CLONE_NEWUTS, "CLONE_NEWUTS"},   {CLONE_NEWNET, "CLONE_NEWNET"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        if (try_clone(ns[i].flag)) {
            fprintf(stderr, "nons: clone(%s) still works: simulation failed\n", ns[i].name);
            bad = 1;
        } else if (verbose) {
            fprintf(stderr, "nons: clone(%s) fails: %s\n", ns[i].name, strerror(errno));
        }
    }
    return bad;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: nons --check | nons PROGRAM [ARGS...]\n", stderr);
        return 2;
    }
    int ready[2], mapped[2];
    if (pipe(ready) < 0 || pipe(mapped) < 0)
        die("pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        char c;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWUSER) < 0)
            die("unshare(CLONE_NEWUSER)");
        if (write(ready[1], "r", 1) != 1)
            die("write");
        if (read(mapped[0], &c, 1) != 1)
            _exit(98);
        close(ready[1]);
        close(mapped[0]);
        /* Root of this namespace: forbid further user namespaces below it. */
        write_file("/proc/sys/user/max_user_namespaces", "0\n");
        if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
            setresuid(NOBODY, NOBODY, NOBODY) < 0)
            die("drop to uid 65534");
        int check = !strcmp(argv[1], "--check");
        if (verify(check))
            _exit(99);
        if (check) {
            fprintf(stderr, "nons: no namespace can be created\n");
            _exit(0);
        }
        execvp(argv[1], argv + 1);
        fprintf(stderr, "nons: exec %s: %s\n", argv[1], strerror(errno));
        _exit(97);
    }
    char c, path[64];
    close(ready[1]);
    close(mapped[0]);
    if (read(ready[0], &c, 1) != 1) {
        fprintf(stderr, "nons: child failed before mapping\n");
        waitpid(pid, NULL, 0);
        return 98;
    }
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    write_file(path, "0 0 1\n65534 65534 1\n");
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
    write_file(path, "0 0 1\n65534 65534 1\n");
    if (write(mapped[1], "m", 1) != 1)
        die("write");
    close(mapped[1]);
    /* Pass termination requests on so tests can interrupt through us. */
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
