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
    p->drop_caps = !p->fork_only && privileged && !o->keep_caps && !(p->ns & TESTCAGE_NS_USER);
    p->drop_all_caps = (p->ns & TESTCAGE_NS_USER) && !o->keep_caps;
    /* What drop_caps and drop_all_caps guard against, a nested user
     * namespace makes impossible while letting the body use its cage. It
     * needs the cage's own /proc to be mapped from the init. */
    p->nest_user = (p->drop_caps || p->drop_all_caps) && (p->ns & TESTCAGE_NS_MOUNT) &&
                   !(p->pidns && !o->fresh_proc);
    p->uid = geteuid();
    p->gid = getegid();
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
