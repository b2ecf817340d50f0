/* leaks.c - what a test left behind: processes, files in its temporary
 * directories, SysV IPC objects; and killing what is left. Runs in the
 * init's helpers (processes of their own, with libc) after the body. */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PIDS 32768

/* Reads a small /proc file; returns its length or -1. NULs become spaces
 * (cmdline), a trailing newline is dropped. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0)
        return -1;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == 0))
        n--;
    for (ssize_t k = 0; k < n; k++)
        if (buf[k] == 0)
            buf[k] = ' ';
    buf[n] = 0;
    return n;
}

static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_small(path, buf, sizeof(buf)) < 0)
        return -1;                 /* gone while we looked: not a leak */
    char *end = strrchr(buf, ')'); /* comm may hold spaces and parens */
    /* ") S 123 ...": state, then the parent's pid. */
    if (!end || end[1] != ' ' || !end[2] || end[3] != ' ')
        return -1;
    char state = end[2], *after;
    long ppid = strtol(end + 4, &after, 10);
    if (after == end + 4 || ppid < 0)
        return -1;
    /* A zombie is already dead; whoever should reap it is the leak. */
    return state == 'Z' || state == 'X' ? -1 : (pid_t)ppid;
}

/* All pids in /proc with their parents. */
static size_t snapshot(pid_t *pids, pid_t *ppids, size_t max)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while (n < max && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t pid = (pid_t)strtol(e->d_name, NULL, 10), ppid = parent_of(pid);
        if (ppid < 0)
            continue;
        pids[n] = pid;
        ppids[n++] = ppid;
    }
    closedir(d);
    return n;
}

long tc_leaks_list_pids(pid_t root, pid_t *out, size_t max)
{
    /* The init is pid 1 or a subreaper: every survivor descends from a live
     * child of it. No child at all, no /proc walk (fork-only pays per host
     * process there). */
    siginfo_t si;
    if (root == getpid() && waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 &&
        errno == ECHILD)
        return 0;
    /* Seen from inside a PID namespace, the cage is everyone but its init. */
    bool ns_mode = root == 1;
    static pid_t pids[MAX_PIDS], ppids[MAX_PIDS];
    static bool below[MAX_PIDS];
    size_t n = snapshot(pids, ppids, MAX_PIDS);
    /* Descendants of root: repeat until no new one is marked (the list is
     * not ordered by ancestry). In a PID namespace that is everyone but 1. */
    for (size_t k = 0; k < n; k++)
        below[k] = ns_mode ? pids[k] != root : ppids[k] == root;
    for (bool grew = !ns_mode; grew;) {
        grew = false;
        for (size_t k = 0; k < n; k++)
            for (size_t j = 0; j < n && !below[k]; j++)
                if (below[j] && ppids[k] == pids[j])
                    below[k] = grew = true;
    }
    long total = 0;
    for (size_t k = 0; k < n; k++) {
        if (!below[k] || pids[k] == getpid())
            continue;
        if ((size_t)total < max)
            out[total] = pids[k];
        total++;
    }
    return total;
}

/* What the last report found in all, listed or not. */
static struct {
    long procs, ipcs;
} counted;

/* A scan reads the pid list first and each process's state after it: a
 * process that forks and dies in between (a daemon's double fork) would
 * leave its child out of the scan, and the leak unseen. So the scan is
 * repeated until two agree (bounded: a fork bomb never settles). */
static long list_settled(pid_t root, pid_t *pids)
{
    static pid_t again[TC_MAX_LISTED];
    long n = tc_leaks_list_pids(root, pids, TC_MAX_LISTED);
    for (int round = 0; n >= 0 && round < 8; round++) {
        long m = tc_leaks_list_pids(root, again, TC_MAX_LISTED);
        size_t bytes = (size_t)(m < TC_MAX_LISTED ? m : TC_MAX_LISTED) * sizeof(pid_t);
        bool same = m == n && memcmp(again, pids, bytes) == 0;
        n = m;
        if (m >= 0)
            memcpy(pids, again, bytes);
        if (same)
            break;
    }
    return n;
}

static int report_procs(int fd, pid_t root, int64_t *omitted)
{
    pid_t pids[TC_MAX_LISTED];
    long total = list_settled(root, pids);
    if (total < 0)
        return -1;
    counted.procs = total;
    long listed = total < TC_MAX_LISTED ? total : TC_MAX_LISTED;
    for (long k = 0; k < listed; k++) {
        char path[64], comm[64] = "?", cmd[1024] = "";
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[k]);
        read_small(path, comm, sizeof(comm));
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[k]);
        read_small(path, cmd, sizeof(cmd));
        struct wire_rec r = {.type = WIRE_PROC, .nint = 1, .nstr = 2, .i = {pids[k]}};
        r.s[0] = comm;
        r.s[1] = cmd;
        if (wire_send(fd, &r) < 0)
            return -1;
    }
    *omitted = total - listed;
    return 0;
}

/* nftw has no user pointer: the walk's state lives here (one walk at a time). */
static struct {
    int fd;
    dev_t dev;
    int64_t listed, omitted;
    int err;
} walk;

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    /* Directories count only when empty: their files speak for the rest. */
    if (ftw->level == 0 || st->st_dev != walk.dev)
        return 0;
    bool is_dir = flag == FTW_D || flag == FTW_DNR || flag == FTW_DP;
    if (is_dir && !dir_is_empty(path))
        return 0;
    if (walk.listed >= TC_MAX_LISTED) {
        walk.omitted++;
        return 0;
    }
    struct wire_rec r = {.type = WIRE_FILE, .nint = 2, .nstr = 1};
    r.i[0] = is_dir ? 0 : (int64_t)st->st_size;
    r.i[1] = is_dir;
    r.s[0] = path;
    if (wire_send(walk.fd, &r) < 0) {
        walk.err = errno;
        return 1;
    }
    walk.listed++;
    return 0;
}

static int report_files(int fd, const char *const *dirs, int64_t *omitted)
{
    walk.fd = fd;
    walk.listed = walk.omitted = 0;
    walk.err = 0;
    for (size_t k = 0; dirs[k]; k++) {
        struct stat st;
        if (stat(dirs[k], &st) < 0)
            continue;
        walk.dev = st.st_dev; /* kept bind mounts are the host's, not leaks */
        nftw(dirs[k], visit, 16, FTW_PHYS | FTW_MOUNT);
    }
    *omitted = walk.omitted;
    errno = walk.err;
    return walk.err ? -1 : 0;
}

static int report_ipc(int fd, int64_t *omitted)
{
    static const char *const files[] = {"/proc/sysvipc/shm", "/proc/sysvipc/sem",
                                        "/proc/sysvipc/msg"};
    static const int kinds[] = {TESTCAGE_IPC_SHM, TESTCAGE_IPC_SEM, TESTCAGE_IPC_MSG};
    int64_t listed = 0;
    counted.ipcs = 0;
    for (size_t k = 0; k < 3; k++) {
        FILE *f = fopen(files[k], "re");
        if (!f)
            continue;
        char line[512];
        if (!fgets(line, sizeof(line), f)) /* header */
            line[0] = 0;
        while (fgets(line, sizeof(line), f)) {
            char *p = line, *end;
            long key = strtol(p, &end, 10);
            if (end == p)
                continue;
            p = end;
            long id = strtol(p, &end, 10);
            if (end == p)
                continue;
            counted.ipcs++;
            if (listed++ >= TC_MAX_LISTED) {
                (*omitted)++;
                continue;
            }
            struct wire_rec r = {.type = WIRE_IPC, .nint = 3, .i = {kinds[k], key, id}};
            if (wire_send(fd, &r) < 0) {
                fclose(f);
                return -1;
            }
        }
        fclose(f);
    }
    return 0;
}

long tc_leaks_report(int fd, pid_t root, bool ipcns, const char *const *dirs)
{
    struct wire_rec om = {.type = WIRE_OMITTED, .nint = 3};
    if (report_procs(fd, root, &om.i[0]) < 0 || report_files(fd, dirs, &om.i[1]) < 0)
        return -1;
    long found = counted.procs + walk.listed + om.i[1];
    /* Outside an IPC namespace the objects are everyone's, not the test's. */
    if (ipcns && report_ipc(fd, &om.i[2]) < 0)
        return -1;
    found += counted.ipcs;
    if ((om.i[0] || om.i[1] || om.i[2]) && wire_send(fd, &om) < 0)
        return -1;
    return found;
}

void tc_leaks_kill_all(pid_t root)
{
    /* Stop first so that a respawner cannot fork faster than we kill. */
    static pid_t pids[MAX_PIDS];
    for (int round = 0; round < 100; round++) {
        long n = tc_leaks_list_pids(root, pids, MAX_PIDS);
        if (n <= 0)
            break;
        for (long k = 0; k < n && k < MAX_PIDS; k++)
            kill(pids[k], SIGSTOP);
        long again = tc_leaks_list_pids(root, pids, MAX_PIDS);
        if (again > n)
            continue; /* new ones appeared: stop them too before killing */
        /* Not reaped here: the caller's wait for the body must still see
         * it die (zombies are skipped by the scan, so the loop ends). */
        for (long k = 0; k < again && k < MAX_PIDS; k++)
            kill(pids[k], SIGKILL);
    }
}
