/* plan.c - what a cage will be, decided in the runner before the clone:
 * namespaces, capabilities to drop, paths to keep, tmpfs options, the
 * on-timeout command; and the copy a vm init gets of it. */
#include "testcage_internal.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* /tmp/a/b/c -> /tmp/a: the whole checkout or build tree stays reachable. */
static void keep_top(struct cage_plan *p, size_t *n, const char *path)
{
    const char *roots[] = {"/tmp/", "/dev/shm/"};
    if (!path)
        return;
    for (size_t r = 0; r < 2 && *n < TC_MAX_KEEP; r++) {
        size_t rl = strlen(roots[r]);
        if (strncmp(path, roots[r], rl) != 0 || path[rl] == 0)
            continue;
        size_t len = rl + strcspn(path + rl, "/");
        if (len >= sizeof(p->keep_store[0]))
            return;
        for (size_t k = 0; k < *n; k++)
            if (strncmp(p->keep_store[k], path, len) == 0 && p->keep_store[k][len] == 0)
                return;
        snprintf(p->keep_store[*n], sizeof(p->keep_store[*n]), "%.*s", (int)len, path);
        p->keep[*n] = p->keep_store[*n];
        (*n)++;
    }
}

/* Where execvp will find argv0, so that a program under /tmp stays visible. */
static void program_path(const char *argv0, char out[PATH_MAX])
{
    out[0] = 0;
    if (strchr(argv0, '/')) {
        if (!realpath(argv0, out))
            out[0] = 0;
        return;
    }
    const char *path = getenv("PATH");
    for (const char *dir = path; dir && *dir;) {
        size_t len = strcspn(dir, ":");
        char cand[PATH_MAX];
        snprintf(cand, sizeof(cand), "%.*s/%s", (int)len, dir, argv0);
        if (access(cand, X_OK) == 0 && realpath(cand, out))
            return;
        dir += len + (dir[len] == ':');
    }
    out[0] = 0;
}

/* Our own binary (a linked runner re-executes it); it does not move, so it
 * is looked up once per process, not once per cage. */
static const char *own_exe(void)
{
    static char exe[PATH_MAX];
    static bool known;
    if (!known) {
        ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        exe[len > 0 ? len : 0] = 0;
        known = true;
    }
    return exe;
}

static void plan_keep(struct cage_plan *p, const testcage_opts *o)
{
    size_t n = 0;
    char path[PATH_MAX] = "";
    for (size_t k = 0; o->keep && o->keep[k] && n < TC_MAX_KEEP; k++) {
        snprintf(p->keep_store[n], sizeof(p->keep_store[n]), "%s", o->keep[k]);
        p->keep[n] = p->keep_store[n];
        n++;
    }
    keep_top(p, &n, p->cwd);
    if (o->argv) {
        program_path(o->argv[0], path);
        keep_top(p, &n, path);
    }
    if (o->program) {
        program_path(o->program, path);
        keep_top(p, &n, path);
    }
    keep_top(p, &n, own_exe());
    p->keep[n] = NULL;
}

static void plan_tmp_options(struct cage_plan *p, const testcage_opts *o)
{
    if (o->tmp_options)
        snprintf(p->tmp_options, sizeof(p->tmp_options), "%s", o->tmp_options);
    else
        snprintf(p->tmp_options, sizeof(p->tmp_options), "mode=%s%s%s",
                 o->tmp_mode ? o->tmp_mode : "1777", o->tmp_size ? ",size=" : "",
                 o->tmp_size ? o->tmp_size : "");
}

/* "inside inside count" for each line "inside outside count" of our own
 * map: the ids this user namespace has (all of them on the host; the one
 * mapped uid in a container's or a sandbox's). Read once. */
static bool identity_of_own_map(const char *file, char *out, size_t len)
{
    FILE *f = fopen(file, "re");
    if (!f)
        return false;
    char line[128];
    size_t n = 0;
    bool ok = true;
    out[0] = 0;
    while (ok && fgets(line, sizeof(line), f)) {
        char *end;
        unsigned long in = strtoul(line, &end, 10);
        (void)strtoul(end, &end, 10); /* the outer id: ours maps to itself */
        unsigned long count = strtoul(end, &end, 10);
        int w = snprintf(out + n, len - n, "%lu %lu %lu\n", in, in, count);
        ok = count > 0 && w > 0 && (size_t)w < len - n;
        n += ok ? (size_t)w : 0;
    }
    fclose(f);
    return ok && n > 0;
}

/* The nested body's maps: in a cage with a user namespace, the cage's one
 * id; else every id this process's user namespace has. */
static bool plan_nested_maps(struct cage_plan *p)
{
    static char uid_map[sizeof(p->nest_uid_map)], gid_map[sizeof(p->nest_gid_map)];
    static int known = -1;
    if (p->ns & TESTCAGE_NS_USER) {
        snprintf(p->nest_uid_map, sizeof(p->nest_uid_map), "%u %u 1\n", (unsigned)p->uid,
                 (unsigned)p->uid);
        snprintf(p->nest_gid_map, sizeof(p->nest_gid_map), "%u %u 1\n", (unsigned)p->gid,
                 (unsigned)p->gid);
        return true;
    }
    if (known < 0)
        known = identity_of_own_map("/proc/self/uid_map", uid_map, sizeof(uid_map)) &&
                identity_of_own_map("/proc/self/gid_map", gid_map, sizeof(gid_map));
    if (known) {
        memcpy(p->nest_uid_map, uid_map, strlen(uid_map) + 1);
        memcpy(p->nest_gid_map, gid_map, strlen(gid_map) + 1);
    }
    return known;
}

/* Offsets mean a time namespace; a cgroup namespace's view is mounted
 * only in a mount namespace of the cage's, never on the host's tree. */
static void plan_clocks_cgroups(struct cage_plan *p, const testcage_opts *o)
{
    p->clock_offset[0] = o->monotonic_offset;
    p->clock_offset[1] = o->boottime_offset;
    if (p->ns && (o->monotonic_offset || o->boottime_offset))
        p->ns |= TESTCAGE_NS_TIME;
    p->cgroup_view = NULL;
    if ((p->ns & TESTCAGE_NS_CGROUP) && (p->ns & TESTCAGE_NS_MOUNT))
        p->cgroup_view = tc_cgroup_view_plan();
}

static void plan_namespaces(struct cage_plan *p, const testcage_opts *o)
{
    bool privileged = tc_caps_privileged();
    p->ns = o->namespaces;
    if (p->ns && !privileged && o->auto_user)
        p->ns |= TESTCAGE_NS_USER;
    p->fork_only = p->ns == 0;
    p->pidns = (p->ns & TESTCAGE_NS_PID) != 0;
    p->uid = geteuid();
    p->gid = getegid();
    p->drop_caps = !p->fork_only && privileged && !o->keep_caps && !(p->ns & TESTCAGE_NS_USER);
    p->drop_all_caps = (p->ns & TESTCAGE_NS_USER) && !o->keep_caps;
    /* What drop_caps and drop_all_caps guard against, a nested user
     * namespace makes impossible while letting the body use its cage. It
     * needs the cage's own /proc to be mapped from the init. */
    p->nest_user = (p->drop_caps || p->drop_all_caps) && (p->ns & TESTCAGE_NS_MOUNT) &&
                   !(p->pidns && !o->fresh_proc) && plan_nested_maps(p);
    plan_clocks_cgroups(p, o);
}

unsigned long tc_clone_flags(unsigned ns)
{
    unsigned long f = 0;
    f |= (ns & TESTCAGE_NS_PID) ? CLONE_NEWPID : 0;
    f |= (ns & TESTCAGE_NS_MOUNT) ? CLONE_NEWNS : 0;
    f |= (ns & TESTCAGE_NS_IPC) ? CLONE_NEWIPC : 0;
    f |= (ns & TESTCAGE_NS_UTS) ? CLONE_NEWUTS : 0;
    f |= (ns & TESTCAGE_NS_NET) ? CLONE_NEWNET : 0;
    f |= (ns & TESTCAGE_NS_USER) ? CLONE_NEWUSER : 0;
    return f;
}

static void plan_paths(struct cage_plan *p, const testcage_opts *o)
{
    plan_keep(p, o);
    plan_tmp_options(p, o);
}

static void plan_debug(struct cage_plan *p, const testcage_opts *o)
{
    p->debug_cmd[0] = 0;
    if (o->timeout <= 0)
        return;
    if (o->on_timeout)
        snprintf(p->debug_cmd, sizeof(p->debug_cmd), "%s", o->on_timeout);
    else if (o->timeout_backtrace) /* gdb is looked for only when a timeout fires */
        snprintf(p->debug_cmd, sizeof(p->debug_cmd),
                 "command -v gdb >/dev/null && gdb -p %%p -batch -nx -q -ex 'set pagination off' "
                 "-ex 'thread apply all bt' </dev/null 2>&1");
}

static void plan_policy(struct cage_plan *p, const testcage_opts *o)
{
    p->leaks = o->leaks;
    p->private_tmp = o->private_tmp;
    /* Some minimal containers have no /dev/shm: then there is none to cover. */
    p->private_shm = o->private_tmp && tc_shape_has_shm();
    p->fresh_proc = o->fresh_proc;
    snprintf(p->hostname, sizeof(p->hostname), "%s", o->hostname ? o->hostname : "testcage");
}

/* An empty plan: fds -1, strings "", only the bytes that need it written. */
static void plan_init(struct cage_plan *p, const testcage_opts *o)
{
    memset(p, 0, offsetof(struct cage_plan, hostname));
    p->opts = o;
    p->park_fd = p->capture_w = p->keep_fd = p->runner_pidfd = -1;
    p->result_w = p->report_w = -1;
    p->cgroup_fd[0] = p->cgroup_fd[1] = -1;
    p->hostname[0] = p->tmp_options[0] = p->keep_name[0] = p->debug_cmd[0] = 0;
    p->nest_uid_map[0] = p->nest_gid_map[0] = 0;
    p->cwd[0] = p->tmpdir[0] = 0;
}

void tc_plan_make(struct cage_plan *p, const testcage_opts *o)
{
    plan_init(p, o);
    /* First: the kept paths include the tree we run in. */
    if (!getcwd(p->cwd, sizeof(p->cwd)))
        p->cwd[0] = 0;
    plan_paths(p, o);
    plan_namespaces(p, o);
    plan_debug(p, o);
    plan_policy(p, o);
}

static void copy_string(char *dst, const char *src)
{
    memcpy(dst, src, strlen(src) + 1);
}

void tc_plan_copy(struct cage_plan *dst, const struct cage_plan *src)
{
    memcpy(dst, src, offsetof(struct cage_plan, hostname));
    copy_string(dst->hostname, src->hostname);
    copy_string(dst->nest_uid_map, src->nest_uid_map);
    copy_string(dst->nest_gid_map, src->nest_gid_map);
    copy_string(dst->tmp_options, src->tmp_options);
    copy_string(dst->keep_name, src->keep_name);
    copy_string(dst->debug_cmd, src->debug_cmd);
    copy_string(dst->cwd, src->cwd);
    copy_string(dst->tmpdir, src->tmpdir);
    for (size_t k = 0; k < TC_MAX_KEEP && src->keep[k]; k++) {
        copy_string(dst->keep_store[k], src->keep_store[k]);
        dst->keep[k] = dst->keep_store[k]; /* into the copy's own store */
    }
}
