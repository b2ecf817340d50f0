/* body.c - the test body's side of a cage (pid 2): it waits for the init's
 * word that the cage's world is made, enters the cage's limits and
 * privileges, then runs the test function or executes the program. */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static int clamp_status(int rc)
{
    return rc >= 0 && rc <= 255 ? rc : 1;
}

/* Waits for the init's word that mounts and maps are in place; the body
 * is cloned before the cage's world is made. */
static char wait_for_go(int go_fd)
{
    char go = 0;
    ssize_t n;
    while ((n = read(go_fd, &go, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1 || (go != TC_GO && go != TC_GO_NESTED))
        _exit(TC_INIT_SETUP_FAILED); /* the init could not make the cage */
    close(go_fd);
    return go;
}

/* The fds the init needs and the body must not hold; the stdio and the
 * environment the test sees. */
static void enter_process(const struct cage_plan *p)
{
    close(p->result_w);
    if (p->runner_pidfd >= 0)
        close(p->runner_pidfd);
    if (p->keep_fd >= 0)
        close(p->keep_fd);
    /* In fork-only mode nothing else ends the body with its init. */
    if (!p->pidns && (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0))
        _exit(TC_INIT_SETUP_FAILED);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Cloned before the mounts: see the new /tmp under the same name. */
    if ((p->ns & TESTCAGE_NS_MOUNT) && p->cwd[0] && chdir(p->cwd) < 0 && chdir("/") < 0)
        _exit(TC_INIT_SETUP_FAILED);
    if (p->capture_w >= 0) {
        if (dup2(p->capture_w, 1) < 0 || dup2(p->capture_w, 2) < 0)
            _exit(TC_INIT_SETUP_FAILED);
        close(p->capture_w);
    }
    char fdnum[16];
    snprintf(fdnum, sizeof(fdnum), "%d", p->report_w);
    tc_report_fd = p->report_w;
    if (setenv("TESTCAGE_REPORT_FD", fdnum, 1) < 0 || setenv("TESTCAGE_IN_CAGE", "1", 1) < 0 ||
        (p->fork_only && p->tmpdir[0] && setenv("TMPDIR", p->tmpdir, 1) < 0))
        _exit(TC_INIT_SETUP_FAILED);
}

static _Noreturn void setup_failed(const struct cage_plan *p, const char *what)
{
    wire_send_error(p->report_w, WIRE_SETUP_ERROR, errno, what);
    _exit(TC_INIT_SETUP_FAILED);
}

/* In its own user namespace the body takes private copies of the cage's
 * mount table (and UTS and network namespaces, as asked): it may mount and
 * set the hostname, and the kernel locks the cage's own mounts together in
 * the copy, so /tmp and /dev/shm cannot be unmounted to reach the host's.
 * Nothing needs dropping: its capabilities reach only what it owns. */
static void enter_nested(const struct cage_plan *p)
{
    int flags = CLONE_NEWNS;
    flags |= (p->ns & TESTCAGE_NS_UTS) ? CLONE_NEWUTS : 0;
    flags |= (p->ns & TESTCAGE_NS_NET) ? CLONE_NEWNET : 0;
    if (unshare(flags) < 0)
        setup_failed(p, "enter the body's own namespaces");
    if ((p->ns & TESTCAGE_NS_NET) && tc_net_lo_up() < 0)
        setup_failed(p, "bring up lo in the body's network namespace");
    if (p->opts->argv && tc_caps_keep_across_exec() < 0)
        setup_failed(p, "keep the body's capabilities across execve");
}

/* The cage's limits and the capabilities the body gives up. */
static void enter_limits(const struct cage_plan *p, bool nested)
{
    if (tc_limits_join(p) < 0)
        setup_failed(p, "join the cage's cgroup");
    for (int k = 0; k < 2; k++)
        if (p->cgroup_fd[k] >= 0)
            close(p->cgroup_fd[k]);
    if (tc_limits_apply_rlimits(p) < 0)
        setup_failed(p, "set the resource limits");
    if (nested)
        enter_nested(p);
    /* After joining the cage's cgroups (they become its root), in the
     * body's own mount namespace when nested, before dropping anything. */
    char what[300];
    if ((p->ns & TESTCAGE_NS_CGROUP) && tc_cgroup_enter(p->cgroup_view, what, sizeof(what)) < 0)
        setup_failed(p, what);
    if (!nested && (p->drop_caps || p->drop_all_caps) && tc_caps_drop(p->drop_all_caps) < 0)
        setup_failed(p, "drop capabilities");
}

/* The case function returned: say so (only the body itself can), then end
 * the way any process ends, so that the test's exit handlers run, stdio is
 * flushed, gcov writes its counts and LeakSanitizer checks for leaks (a
 * leak fails the case). An exit inside the case never gets here. */
static _Noreturn void end_case(const struct cage_plan *p, pid_t body, int rc)
{
    if (getpid() != body) {
        /* A child the case forked came back through the case function. */
        struct wire_rec f = {.type = WIRE_FAILURE, .nint = 1, .nstr = 2};
        f.s[0] = "";
        f.s[1] = "a process forked by the case returned from the case function";
        wire_send(p->report_w, &f);
        _exit(1);
    }
    if (p->end_slot)
        *p->end_slot = p->end_token;
    exit(clamp_status(rc));
}

_Noreturn void tc_body_run(const struct cage_plan *p, int go_fd)
{
    const testcage_opts *o = p->opts;
    bool nested = wait_for_go(go_fd) == TC_GO_NESTED;
    enter_process(p);
    enter_limits(p, nested);
    if (o->argv) {
        /* Executed programs find their report channel by number. */
        if (fcntl(p->report_w, F_SETFD, 0) < 0)
            _exit(TC_INIT_SETUP_FAILED);
        execvp(o->argv[0], (char *const *)o->argv);
        int err = errno;
        wire_send_error(p->report_w, WIRE_EXEC_ERROR, err, o->argv[0]);
        _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
    }
    tc_coverage_reset();
    pid_t self = getpid();
    int rc = o->fn(o->fn_arg);
    end_case(p, self, rc);
}
