/* enter.c - `testcage --enter PID [CMD...]`: join a running cage, like
 * nsenter, with the cage's root and working directory. */
#include "cli_internal.h"
#include "parse_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define PREFIX "testcage: --enter: "

static int fail(const char *what, const char *arg)
{
    fprintf(stderr, PREFIX "%s %s: %s\n", what, arg, strerror(errno));
    return TC_EXIT_SETUP;
}

/* Joins one namespace of pid unless we are in it already (setns into our
 * own user namespace is refused). */
static int join(pid_t pid, const char *ns, int type)
{
    char theirs[64], ours[64];
    snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, ns);
    snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns);
    struct stat a, b;
    if (stat(theirs, &a) < 0)
        return -1;
    if (stat(ours, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        return 0;
    int fd = open(theirs, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = setns(fd, type);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* Root joins a body's nested user namespace last, since from inside it the
 * cage's own namespaces are out of reach; a rootless caller must join the
 * cage's user namespace first to be allowed the rest. So: every other
 * namespace that can be joined now, then the user namespace, then again
 * the ones refused before it. */
static int join_all(pid_t pid)
{
    static const struct {
        const char *name;
        int type;
    } order[] = {{"ipc", CLONE_NEWIPC},
                 {"uts", CLONE_NEWUTS},
                 {"net", CLONE_NEWNET},
                 {"pid", CLONE_NEWPID},
                 {"mnt", CLONE_NEWNS}};
    enum { N = sizeof(order) / sizeof(order[0]) };
    bool refused[N] = {false};
    for (size_t k = 0; k < N; k++) {
        if (join(pid, order[k].name, order[k].type) == 0)
            continue;
        if (errno != EPERM)
            return fail("cannot join the namespace", order[k].name);
        refused[k] = true;
    }
    if (join(pid, "user", CLONE_NEWUSER) < 0)
        return fail("cannot join the namespace", "user");
    for (size_t k = 0; k < N; k++)
        if (refused[k] && join(pid, order[k].name, order[k].type) < 0)
            return fail("cannot join the namespace", order[k].name);
    return 0;
}

static int exec_in(pid_t pid, char **cmd)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
    int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
    int cwd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0 || cwd < 0)
        return fail("cannot open the root and cwd of pid", path);
    if (join_all(pid) < 0)
        return TC_EXIT_SETUP;
    if (fchdir(root) < 0 || chroot(".") < 0 || fchdir(cwd) < 0)
        return fail("cannot take the cage's root and cwd from pid", path);
    close(root);
    close(cwd);
    /* The PID namespace applies to children only: run CMD in one. */
    pid_t child = fork();
    if (child < 0)
        return fail("cannot fork", "");
    if (child == 0) {
        const char *shell = getenv("SHELL");
        char *dflt[] = {(char *)(shell && *shell ? shell : "/bin/sh"), NULL};
        char **argv = cmd[0] ? cmd : dflt;
        execvp(argv[0], argv);
        fprintf(stderr, PREFIX "%s: %s\n", argv[0], strerror(errno));
        _exit(errno == ENOENT ? TC_EXIT_NOENT : TC_EXIT_NOEXEC);
    }
    int st;
    while (waitpid(child, &st, 0) < 0)
        if (errno != EINTR)
            return fail("cannot wait for", "CMD");
    /* Inside the cage's root and namespaces nothing is left to clean up,
     * and exit handlers (a leak checker's, say) would look for a /proc that
     * is not ours: leave at once. */
    fflush(NULL);
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* A cage's init and body live in a PID namespace of their own. */
static bool in_other_pidns(pid_t pid)
{
    char path[64];
    struct stat theirs, ours;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
    return stat(path, &theirs) == 0 && stat("/proc/self/ns/pid", &ours) == 0 &&
           (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev);
}

int tc_enter_cage(const char *pidarg, char **cmd)
{
    int pid;
    char err[128];
    if (tc_parse_count(pidarg, &pid, err, sizeof(err)) < 0 || pid < 1) {
        fprintf(stderr, PREFIX "invalid pid '%s'\n", pidarg);
        return TC_EXIT_SETUP;
    }
    if (kill(pid, 0) < 0 && errno == ESRCH) {
        fprintf(stderr, PREFIX "no process %d\n", pid);
        return TC_EXIT_SETUP;
    }
    if (!in_other_pidns(pid)) {
        fprintf(stderr, PREFIX "process %d is not in a cage (same PID namespace as ours)\n", pid);
        return TC_EXIT_SETUP;
    }
    return exec_in(pid, cmd);
}
