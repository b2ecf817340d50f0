/* body.c - the test body's side of a cage (pid 2): it waits for the init's
 * word that the cage's world is made, enters the cage's limits and
 * privileges, then runs the test function or executes the program. */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <fcntl.h>
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
static void wait_for_go(int go_fd)
{
    char go = 0;
    ssize_t n;
    while ((n = read(go_fd, &go, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1 || go != 'g')
        _exit(TC_INIT_SETUP_FAILED); /* the init could not make the cage */
    close(go_fd);
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

/* The cage's limits and the capabilities the body gives up. */
static void enter_limits(const struct cage_plan *p)
{
    if (tc_limits_join(p) < 0)
        setup_failed(p, "join the cage's cgroup");
    for (int k = 0; k < 2; k++)
        if (p->cgroup_fd[k] >= 0)
            close(p->cgroup_fd[k]);
    if (tc_limits_apply_rlimits(p) < 0)
        setup_failed(p, "set the resource limits");
    if ((p->drop_caps || p->drop_all_caps) && tc_caps_drop(p->drop_all_caps) < 0)
        setup_failed(p, "drop capabilities");
}

_Noreturn void tc_body_run(const struct cage_plan *p, int go_fd)
{
    const testcage_opts *o = p->opts;
    wait_for_go(go_fd);
    enter_process(p);
    enter_limits(p);
    if (o->argv) {
        /* Executed programs find their report channel by number. */
        if (fcntl(p->report_w, F_SETFD, 0) < 0)
            _exit(TC_INIT_SETUP_FAILED);
        execvp(o->argv[0], (char *const *)o->argv);
        int err = errno;
        wire_send_error(p->report_w, WIRE_EXEC_ERROR, err, o->argv[0]);
        _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
    }
    int rc = o->fn(o->fn_arg);
    fflush(NULL);
    _exit(clamp_status(rc));
}
