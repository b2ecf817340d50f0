/* init.c - the cage init (pid 1 of the cage, never runs test code) and the
 * start of the test body it forks (pid 2). Runs in the child of the clone. */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int tc_report_fd = -1;

static void send_error(int fd, int type, int err, const char *what)
{
    struct wire_rec r = {.type = (uint32_t)type, .nint = 1, .nstr = 1, .i = {err}};
    r.s[0] = what;
    wire_send(fd, &r);
}

/* The runner may have died between the clone and PR_SET_PDEATHSIG. */
static bool runner_gone(int pidfd)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    return pidfd >= 0 && poll(&p, 1, 0) > 0;
}

/* Dispositions stay as in the caller, as after any fork; only the mask the
 * init used for sigwaitinfo is undone. */
static void reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static int clamp_status(int rc)
{
    return rc >= 0 && rc <= 255 ? rc : 1;
}

static _Noreturn void run_body(const struct cage_plan *p, const char *tmpdir)
{
    const testcage_opts *o = p->opts;
    close(p->result_w);
    if (p->runner_pidfd >= 0)
        close(p->runner_pidfd);
    if (p->keep_fd >= 0)
        close(p->keep_fd);
    /* In fork-only mode nothing else ends the body with its init. */
    if (!p->pidns && (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0))
        _exit(TC_INIT_SETUP_FAILED);
    reset_signals();
    if (p->capture_w >= 0) {
        if (dup2(p->capture_w, 1) < 0 || dup2(p->capture_w, 2) < 0)
            _exit(TC_INIT_SETUP_FAILED);
        close(p->capture_w);
    }
    char fdnum[16];
    snprintf(fdnum, sizeof(fdnum), "%d", p->report_w);
    tc_report_fd = p->report_w;
    if (setenv("TESTCAGE_REPORT_FD", fdnum, 1) < 0 || setenv("TESTCAGE_IN_CAGE", "1", 1) < 0 ||
        (tmpdir && setenv("TMPDIR", tmpdir, 1) < 0))
        _exit(TC_INIT_SETUP_FAILED);
    if (tc_limits_apply_rlimits(p) < 0) {
        send_error(p->report_w, WIRE_SETUP_ERROR, errno, "set the resource limits");
        _exit(TC_INIT_SETUP_FAILED);
    }
    if ((p->drop_caps || p->drop_all_caps) && tc_caps_drop(p->drop_all_caps) < 0) {
        send_error(p->report_w, WIRE_SETUP_ERROR, errno, "drop capabilities");
        _exit(TC_INIT_SETUP_FAILED);
    }
    if (o->argv) {
        /* Executed programs find their report channel by number. */
        if (fcntl(p->report_w, F_SETFD, 0) < 0)
            _exit(TC_INIT_SETUP_FAILED);
        execvp(o->argv[0], (char *const *)o->argv);
        int err = errno;
        send_error(p->report_w, WIRE_EXEC_ERROR, err, o->argv[0]);
        _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
    }
    int rc = o->fn(o->fn_arg);
    fflush(NULL);
    _exit(clamp_status(rc));
}

/* Fork-only mode has no namespace whose end kills everything: the init
 * outlives the runner just long enough to kill what the test left. */
#define RUNNER_DIED SIGUSR2

static pid_t runner_pid; /* the parent as the init first saw it */

/* Only the runner may steer the init: a test that signals its pid 1 (or,
 * fork-only, its parent) is ignored. From outside a PID namespace the
 * sender's pid reads as 0. */
static bool from_runner(const struct cage_plan *p, const siginfo_t *info)
{
    return p->pidns ? info->si_pid == 0 : info->si_pid == runner_pid;
}

static _Noreturn void clean_up_after_runner(const struct cage_plan *p, const char *tmpdir)
{
    tc_leaks_kill_all(getpid());
    if (p->fork_only && tmpdir && *tmpdir)
        tc_remove_tree(tmpdir);
    _exit(TC_INIT_SETUP_FAILED);
}

/* Signals the init acts on; all are blocked and taken with sigwaitinfo. */
static void init_signals(sigset_t *set)
{
    sigemptyset(set);
    int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, RUNNER_DIED};
    for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
        sigaddset(set, sigs[k]);
    sigprocmask(SIG_BLOCK, set, NULL);
}

/* Makes the cage's world; returns 0 or sends the reason and returns -1. */
static int setup_world(const struct cage_plan *p)
{
    char what[256] = "";
    int rc = 0;
    if ((p->ns & TESTCAGE_NS_USER) && tc_userns_map(p->uid, p->gid, what, sizeof(what)) < 0)
        rc = -1;
    if (rc == 0 && (p->ns & TESTCAGE_NS_MOUNT) && tc_mounts_setup(p, what, sizeof(what)) < 0)
        rc = -1;
    if (rc == 0 && (p->ns & TESTCAGE_NS_UTS)) {
        const char *name = p->opts->hostname ? p->opts->hostname : "testcage";
        if (sethostname(name, strlen(name)) < 0) {
            snprintf(what, sizeof(what), "set the hostname");
            rc = -1;
        }
    }
    if (rc == 0 && (p->ns & TESTCAGE_NS_NET) && tc_net_lo_up() < 0) {
        snprintf(what, sizeof(what), "bring up lo");
        rc = -1;
    }
    if (rc < 0)
        send_error(p->result_w, WIRE_SETUP_ERROR, errno, what);
    return rc;
}

/* Forwards a termination request to every process of the cage. */
static void forward_term(const struct cage_plan *p, pid_t body)
{
    if (p->pidns && getpid() == 1) {
        kill(-1, SIGTERM);
        kill(-1, SIGCONT); /* a stopped process could not act on it */
        return;
    }
    kill(-body, SIGTERM);
    kill(-body, SIGCONT);
    pid_t pids[TC_MAX_LISTED];
    long n = tc_leaks_list_pids(getpid(), pids, TC_MAX_LISTED);
    for (long k = 0; k < n && k < TC_MAX_LISTED; k++) {
        kill(pids[k], SIGTERM);
        kill(pids[k], SIGCONT);
    }
}

/* Waits for the body, reaping every orphan on the way. */
static int wait_body(const struct cage_plan *p, const sigset_t *set, pid_t body, const char *tmpdir)
{
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(set, &info);
        if (sig == SIGCHLD) {
            int st;
            pid_t pid;
            while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                if (pid == body)
                    return st;
        } else if (sig == RUNNER_DIED && !p->pidns && getppid() != runner_pid) {
            clean_up_after_runner(p, tmpdir);
        } else if (sig > 0 && !from_runner(p, &info)) {
            continue;
        } else if (sig == SIGUSR1) {
            tc_debug_run(p, body);
        } else if (sig == SIGQUIT) {
            tc_leaks_kill_all(getpid()); /* the grace period is over */
        } else if (sig > 0 && sig != RUNNER_DIED) {
            forward_term(p, body);
        }
    }
}

/* With --no-proc the body saw the host's /proc; the init needs the cage's
 * own to list survivors, so it mounts one in a mount namespace of its own. */
static void private_proc(void)
{
    if (unshare(CLONE_NEWNS) == 0)
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static void report_end(const struct cage_plan *p, int status, const char *tmpdir)
{
    struct wire_rec r = {.type = WIRE_STATUS, .nint = 1, .i = {status}};
    wire_send(p->result_w, &r);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ; /* orphans that just died are not leaks */
    pid_t self = getpid();
    if ((p->ns & TESTCAGE_NS_PID) && !p->opts->fresh_proc)
        private_proc();
    bool private_tmp = (p->ns & TESTCAGE_NS_MOUNT) && p->opts->private_tmp;
    long leaks = 0;
    if (p->opts->leaks != TESTCAGE_LEAKS_IGNORE) {
        const char *ns_dirs[] = {"/tmp", "/dev/shm", NULL};
        const char *fo_dirs[] = {tmpdir, NULL};
        const char *none[] = {NULL};
        leaks = tc_leaks_report(p->result_w, self, (p->ns & TESTCAGE_NS_IPC) != 0,
                                p->fork_only  ? fo_dirs
                                : private_tmp ? ns_dirs
                                              : none);
    }
    /* A scan that found no process proves none is left to fork another:
     * skip the second walk over the host's /proc (fork-only is slow there). */
    if (p->pidns || p->opts->leaks == TESTCAGE_LEAKS_IGNORE || tc_leaks_last_procs() != 0)
        tc_leaks_kill_all(self);
    /* The runner decides the verdict; this is its best guess at "failed"
     * (the test's own failure records can only add to it). */
    bool failed = !WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 77) ||
                  (p->opts->leaks == TESTCAGE_LEAKS_FAIL && leaks > 0);
    if (failed && private_tmp && p->keep_fd >= 0 && tc_keep_files(p->keep_fd, p->keep_name) == 0) {
        struct wire_rec kept = {.type = WIRE_KEPT, .nstr = 1};
        kept.s[0] = p->keep_name;
        wire_send(p->result_w, &kept);
    }
}

_Noreturn void tc_cage_init(const struct cage_plan *p)
{
    sigset_t set;
    init_signals(&set); /* before PDEATHSIG: RUNNER_DIED must not kill us unhandled */
    runner_pid = getppid();
    int death = p->pidns ? SIGKILL : RUNNER_DIED;
    if (prctl(PR_SET_PDEATHSIG, death) < 0 || runner_gone(p->runner_pidfd))
        _exit(TC_INIT_SETUP_FAILED);
    tc_cages_close_inherited();
    if (setup_world(p) < 0)
        _exit(TC_INIT_SETUP_FAILED);
    char tmpdir[PATH_MAX] = "";
    if (!p->pidns && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        send_error(p->result_w, WIRE_SETUP_ERROR, errno, "become the cage's subreaper");
        _exit(TC_INIT_SETUP_FAILED);
    }
    if (p->fork_only) {
        /* Below the caller's TMPDIR when it names one, as mkstemp users expect. */
        const char *base = getenv("TMPDIR");
        if (!base || base[0] != '/' || strlen(base) > PATH_MAX - 32)
            base = "/tmp";
        snprintf(tmpdir, sizeof(tmpdir), "%s/testcage.XXXXXX", base);
        if (!mkdtemp(tmpdir)) {
            send_error(p->result_w, WIRE_SETUP_ERROR, errno, "make a private TMPDIR");
            _exit(TC_INIT_SETUP_FAILED);
        }
    }
    if (tc_limits_join(p) < 0) {
        send_error(p->result_w, WIRE_SETUP_ERROR, errno, "join the cage's cgroup");
        _exit(TC_INIT_SETUP_FAILED);
    }
    for (int k = 0; k < 2; k++)
        if (p->cgroup_fd[k] >= 0)
            close(p->cgroup_fd[k]);
    pid_t body = fork();
    if (body < 0) {
        send_error(p->result_w, WIRE_SETUP_ERROR, errno, "fork the test body");
        _exit(TC_INIT_SETUP_FAILED);
    }
    if (body == 0)
        run_body(p, p->fork_only ? tmpdir : NULL);
    close(p->report_w);
    if (p->capture_w >= 0)
        close(p->capture_w);
    int status = wait_body(p, &set, body, tmpdir);
    report_end(p, status, tmpdir);
    if (p->fork_only)
        tc_remove_tree(tmpdir);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}
