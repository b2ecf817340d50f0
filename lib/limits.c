/* limits.c - a fork bomb or an allocation runaway stays inside its cage:
 * pids and memory limits through a cgroup of the cage's own, else rlimits. */
#include "testcage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Mount point of the cgroup hierarchy: v2 (controller NULL) or the v1 one
 * that holds `controller`. */
static bool find_mount(const char *controller, char *out, size_t len)
{
    FILE *f = fopen("/proc/self/mounts", "re");
    if (!f)
        return false;
    char dev[256], dir[512], type[64], opts[512];
    bool found = false;
    while (!found && fscanf(f, "%255s %511s %63s %511s %*d %*d", dev, dir, type, opts) == 4) {
        if (!controller)
            found = strcmp(type, "cgroup2") == 0;
        else if (strcmp(type, "cgroup") == 0)
            for (char *save, *o = strtok_r(opts, ",", &save); o && !found;
                 o = strtok_r(NULL, ",", &save))
                found = strcmp(o, controller) == 0;
        if (found && snprintf(out, len, "%s", dir) >= (int)len)
            found = false; /* a path we cannot hold: as good as absent */
    }
    fclose(f);
    return found;
}

/* Our own cgroup path in that hierarchy, from /proc/self/cgroup. */
static bool own_cgroup(const char *controller, char *out, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = 0;
        if (!controller)
            found = strcmp(line, "0") == 0 && c1[1] == 0;
        else
            for (char *save, *o = strtok_r(c1 + 1, ",", &save); o && !found;
                 o = strtok_r(NULL, ",", &save))
                found = strcmp(o, controller) == 0;
        if (found && snprintf(out, len, "%s", strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1) >= (int)len)
            found = false;
    }
    fclose(f);
    return found;
}

static int write_value(const char *dir, const char *file, const char *value)
{
    char path[640];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, value, strlen(value));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(value) ? 0 : -1;
}

static bool has_word(const char *dir, const char *file, const char *word)
{
    char path[640], buf[512];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    bool found = false;
    while (!found && fscanf(f, "%511s", buf) == 1)
        found = strcmp(buf, word) == 0;
    fclose(f);
    return found;
}

/* A fresh cgroup below ours in one hierarchy; its cgroup.procs opened for
 * the init to join. */
static int make_cgroup(const char *controller, char *dir, size_t len, int *procs_fd)
{
    static unsigned seq;
    char mnt[256], own[256];
    if (!find_mount(controller, mnt, sizeof(mnt)) || !own_cgroup(controller, own, sizeof(own)))
        return -1;
    if (snprintf(dir, len, "%s%s/testcage.%d.%u", mnt, own, (int)getpid(), seq++) >= (int)len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (mkdir(dir, 0755) < 0)
        return -1;
    char procs[640];
    snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
    *procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
    return *procs_fd < 0 ? -1 : 0;
}

static int try_v2(struct cage_plan *p, const testcage_opts *o, struct tc_limits *lim)
{
    char mnt[256], own[256], parent[600], v[32];
    if (!find_mount(NULL, mnt, sizeof(mnt)) || !own_cgroup(NULL, own, sizeof(own)))
        return -1;
    snprintf(parent, sizeof(parent), "%s%s", mnt, own);
    /* Delegated means the controllers are already enabled for our children. */
    if ((o->max_procs && !has_word(parent, "cgroup.subtree_control", "pids")) ||
        (o->memory_max && !has_word(parent, "cgroup.subtree_control", "memory")))
        return -1;
    if (make_cgroup(NULL, lim->dir[0], sizeof(lim->dir[0]), &p->cgroup_fd[0]) < 0)
        return -1;
    snprintf(v, sizeof(v), "%u", o->max_procs);
    if (o->max_procs && write_value(lim->dir[0], "pids.max", v) < 0)
        return -1;
    snprintf(v, sizeof(v), "%llu", (unsigned long long)o->memory_max);
    if (o->memory_max && (write_value(lim->dir[0], "memory.max", v) < 0))
        return -1;
    if (o->memory_max)
        write_value(lim->dir[0], "memory.swap.max", "0");
    lim->via = "cgroup v2";
    return 0;
}

static int try_v1(struct cage_plan *p, const testcage_opts *o, struct tc_limits *lim)
{
    char v[32];
    int k = 0;
    if (o->max_procs) {
        snprintf(v, sizeof(v), "%u", o->max_procs);
        if (make_cgroup("pids", lim->dir[k], sizeof(lim->dir[k]), &p->cgroup_fd[k]) < 0 ||
            write_value(lim->dir[k], "pids.max", v) < 0)
            return -1;
        k++;
    }
    if (o->memory_max) {
        snprintf(v, sizeof(v), "%llu", (unsigned long long)o->memory_max);
        if (make_cgroup("memory", lim->dir[k], sizeof(lim->dir[k]), &p->cgroup_fd[k]) < 0 ||
            write_value(lim->dir[k], "memory.limit_in_bytes", v) < 0)
            return -1;
        write_value(lim->dir[k], "memory.memsw.limit_in_bytes", v); /* no swap to escape to */
    }
    lim->via = "cgroup v1";
    return 0;
}

static void undo(struct cage_plan *p, struct tc_limits *lim)
{
    for (int k = 0; k < 2; k++) {
        if (p->cgroup_fd[k] >= 0)
            close(p->cgroup_fd[k]);
        p->cgroup_fd[k] = -1;
    }
    tc_limits_release(lim);
}

int tc_limits_prepare(struct cage_plan *p, const testcage_opts *o, struct tc_limits *lim)
{
    memset(lim, 0, sizeof(*lim));
    p->cgroup_fd[0] = p->cgroup_fd[1] = -1;
    if (!o->max_procs && !o->memory_max)
        return 0;
    if (try_v2(p, o, lim) == 0)
        return 0;
    undo(p, lim);
    if (try_v1(p, o, lim) == 0)
        return 0;
    undo(p, lim);
    /* RLIMIT_NPROC counts per user (per user namespace since 5.14) and is
     * not enforced for root: weaker, and said so through limits_via. */
    p->rlimit_nproc = o->max_procs;
    p->rlimit_as = o->memory_max;
    lim->via = "rlimits";
    return 0;
}

int tc_limits_join(const struct cage_plan *p)
{
    for (int k = 0; k < 2; k++)
        if (p->cgroup_fd[k] >= 0 && write(p->cgroup_fd[k], "0", 1) != 1)
            return -1;
    return 0;
}

int tc_limits_apply_rlimits(const struct cage_plan *p)
{
    struct rlimit nproc = {p->rlimit_nproc, p->rlimit_nproc};
    struct rlimit as = {p->rlimit_as, p->rlimit_as};
    if (p->rlimit_nproc && setrlimit(RLIMIT_NPROC, &nproc) < 0)
        return -1;
    if (p->rlimit_as && setrlimit(RLIMIT_AS, &as) < 0)
        return -1;
    return 0;
}

void tc_limits_release(struct tc_limits *lim)
{
    for (int k = 0; k < 2; k++) {
        /* The cage is reaped, but the kernel may still be freeing it. */
        for (int tries = 0; lim->dir[k][0] && tries < 50; tries++) {
            if (rmdir(lim->dir[k]) == 0 || errno == ENOENT)
                break;
            usleep(2000);
        }
        lim->dir[k][0] = 0;
    }
}

/* Did the kernel's OOM killer act inside the cage's memory cgroup? Both
 * v1's memory.oom_control and v2's memory.events hold "oom_kill N". */
bool tc_limits_oom_killed(const struct tc_limits *lim)
{
    static const char *const files[] = {"memory.oom_control", "memory.events"};
    for (int k = 0; k < 2; k++) {
        for (int f = 0; f < 2 && lim->dir[k][0]; f++) {
            char path[640], line[128];
            snprintf(path, sizeof(path), "%s/%s", lim->dir[k], files[f]);
            FILE *in = fopen(path, "re");
            if (!in)
                continue;
            long count = 0;
            while (fgets(line, sizeof(line), in))
                if (strncmp(line, "oom_kill ", 9) == 0)
                    count = strtol(line + 9, NULL, 10);
            fclose(in);
            if (count > 0)
                return true;
        }
    }
    return false;
}
