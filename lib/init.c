/* init.c - the cage init (pid 1 of the cage, never runs test code): it
 * clones the test body (pid 2, body.c) and helpers for work that needs libc.
 * The init may share the runner's memory (CLONE_VM, see clone.c): it makes
 * raw system calls only, reads only its plan, and clones a process only
 * while the runner holds still, so that every copy finds libc at rest. */
#include "testcage_internal.h"
#include "rawsys.h"
#include "wire_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define TC_HAVE_RSEQ 1
#endif

/* Fork-only mode has no namespace whose end kills everything: the init
 * outlives the runner just long enough to kill what the test left. */
#define RUNNER_DIED TC_SIG_RUNNER_DIED
#define MAX_HELPERS 4

enum job { JOB_REPORT, JOB_DEBUG, JOB_TERM, JOB_KILL, JOB_CLEANUP };

/* The init's whole state; it lives on the init's own stack. */
struct init {
    const struct cage_plan *p;
    unsigned long sigs; /* kernel sigset of the signals the init takes */
    pid_t runner, self, body;
    pid_t helpers[MAX_HELPERS];
    bool failed;                /* the body's status alone says it failed */
    bool body_nested;           /* the body is in a user namespace nested in the cage */
    struct tc_leftovers marked; /* the cage's tmpfs before the body ran */
};

static _Noreturn void die(int code)
{
    for (;;)
        tc_sys(SYS_exit_group, code);
}

/* ---- processes cloned by the init ---- */

/* A process made by tc_raw_fork is a copy whose libc was not told: give it
 * what glibc's fork() would (the tid came with the clone). */
static void after_raw_fork(const struct cage_plan *p)
{
    if (p->robust_head)
        tc_sys(SYS_set_robust_list, p->robust_head, p->robust_len);
#ifdef TC_HAVE_RSEQ
    if (__rseq_size > 0 && tc_thread_pointer())
        tc_sys(SYS_rseq, (char *)tc_thread_pointer() + __rseq_offset,
               __rseq_size < 32 ? 32 : __rseq_size, 0, RSEQ_SIG);
#endif
    if (p->park_fd >= 0)
        close(p->park_fd);
}

/* vm: asks the runner to hold still and waits until it does. */
static void hold_runner(const struct init *in)
{
    const struct cage_plan *p = in->p;
    if (!p->vm || tc_sys(SYS_getppid) != in->runner)
        return; /* a dead runner changes nothing any more */
    struct wire_rec r = {.type = WIRE_HOLD};
    char ack;
    if (wire_send_raw(p->result_w, &r) == 0)
        while (tc_sys(SYS_read, p->park_fd, &ack, 1) == -EINTR)
            ;
}

static void release_runner(const struct cage_plan *p)
{
    char go = 'r';
    if (p->vm)
        tc_sys(SYS_write, p->park_fd, &go, 1);
}

/* Clones a copy of the (held) runner's memory; returns as fork() does. */
static long clone_copy(const struct init *in)
{
    hold_runner(in);
    long pid = tc_raw_fork(in->p->tid_addr);
    if (pid != 0)
        release_runner(in->p);
    else
        after_raw_fork(in->p);
    return pid;
}

/* The leak report in detail, then the kill and the kept files. */
static void report_leaks(const struct init *in)
{
    const struct cage_plan *p = in->p;
    pid_t root = p->pidns ? 1 : in->self;
    bool private_tmp = (p->ns & TESTCAGE_NS_MOUNT) && p->private_tmp;
    long leaks = 0;
    bool listing = p->leaks != TESTCAGE_LEAKS_IGNORE;
    /* With --no-proc the cage saw the host's /proc: listing that would
     * report host processes as leaks. */
    long rc = listing && p->pidns && !p->fresh_proc ? tc_private_proc() : 0;
    if (rc < 0) {
        wire_send_error(p->result_w, WIRE_SETUP_ERROR, rc,
                        "mount the cage's /proc for the leak report");
        listing = false;
    }
    if (listing) {
        const char *ns_dirs[] = {"/tmp", "/dev/shm", NULL};
        const char *fo_dirs[] = {p->tmpdir[0] ? p->tmpdir : NULL, NULL};
        const char *none[] = {NULL};
        leaks = tc_leaks_report(p->result_w, root, (p->ns & TESTCAGE_NS_IPC) != 0,
                                p->fork_only  ? fo_dirs
                                : private_tmp ? ns_dirs
                                              : none);
    }
    if (!p->pidns)
        tc_leaks_kill_all(root); /* in a PID namespace the init's exit does it */
    /* The runner decides the verdict; this is its best guess at "failed"
     * (the test's own failure records can only add to it). */
    bool failed = in->failed || (p->leaks == TESTCAGE_LEAKS_FAIL && leaks > 0);
    if (p->fork_only && p->tmpdir[0])
        tc_remove_tree(p->tmpdir); /* listed: now it goes, whatever happens to the runner */
    if (failed && private_tmp && p->keep_fd >= 0 && tc_keep_files(p->keep_fd, p->keep_name) == 0) {
        struct wire_rec kept = {.type = WIRE_KEPT, .nstr = 1};
        kept.s[0] = p->keep_name;
        wire_send(p->result_w, &kept);
    }
}

/* Termination request without a PID namespace: the body's group and every
 * descendant of the init. */
static void forward_term(const struct init *in)
{
    kill(-in->body, SIGTERM);
    kill(-in->body, SIGCONT); /* a stopped process could not act on it */
    pid_t pids[TC_MAX_LISTED];
    long n = tc_leaks_list_pids(in->self, pids, TC_MAX_LISTED);
    for (long k = 0; k < n && k < TC_MAX_LISTED; k++) {
        kill(pids[k], SIGTERM);
        kill(pids[k], SIGCONT);
    }
}

static _Noreturn void run_helper(const struct init *in, enum job job)
{
    const struct cage_plan *p = in->p;
    if (job == JOB_REPORT)
        report_leaks(in);
    else if (job == JOB_DEBUG)
        tc_debug_run(p, in->body);
    else if (job == JOB_TERM)
        forward_term(in);
    else if (job == JOB_KILL || job == JOB_CLEANUP)
        tc_leaks_kill_all(in->self);
    if (job == JOB_CLEANUP && p->fork_only && p->tmpdir[0]) {
        tc_remove_tree(p->tmpdir);
        tc_tmpdir_sweep_runner(p->tmpdir, in->runner); /* the spare it held */
    }
    _exit(0);
}

/* Starts a helper; returns its pid or -errno. */
static long start_helper(struct init *in, enum job job)
{
    int slot = 0;
    while (slot < MAX_HELPERS && in->helpers[slot])
        slot++;
    if (slot == MAX_HELPERS)
        return -EAGAIN;
    long pid = clone_copy(in);
    if (pid == 0)
        run_helper(in, job);
    if (pid > 0)
        in->helpers[slot] = (pid_t)pid;
    return pid;
}

static void forget_helper(struct init *in, long pid)
{
    for (int k = 0; k < MAX_HELPERS; k++)
        if (in->helpers[k] == pid)
            in->helpers[k] = 0;
}

/* Waits for every helper, reaping whatever else dies meanwhile. */
static void wait_helpers(struct init *in)
{
    for (int k = 0; k < MAX_HELPERS; k++) {
        while (in->helpers[k]) {
            long pid = tc_sys(SYS_wait4, -1, NULL, 0, NULL);
            if (pid < 0 && pid != -EINTR)
                return;
            forget_helper(in, pid);
        }
    }
}

/* ---- the init's own work: raw system calls only ---- */

static void add_sig(unsigned long *set, int sig)
{
    *set |= 1UL << (sig - 1);
}

/* Signals the init acts on; all are blocked and taken with sigtimedwait.
 * SIGPIPE stays blocked: a write to a dead runner just fails. */
static void block_signals(struct init *in)
{
    const int sigs[] = {SIGCHLD,         TC_SIG_TERM,  SIGINT,     SIGHUP,
                        TC_SIG_KILL_ALL, TC_SIG_DEBUG, RUNNER_DIED};
    for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
        add_sig(&in->sigs, sigs[k]);
    unsigned long blocked = in->sigs;
    add_sig(&blocked, SIGPIPE);
    tc_sys(SYS_rt_sigprocmask, SIG_BLOCK, &blocked, NULL, sizeof(blocked));
}

/* The runner may have died between the clone and PR_SET_PDEATHSIG. */
static bool runner_gone(int pidfd)
{
    struct raw_pollfd {
        int fd;
        short events, revents;
    } pfd = {pidfd, 1 /* POLLIN */, 0};
    struct timespec zero = {0, 0};
    return pidfd >= 0 && tc_sys(SYS_ppoll, &pfd, 1, &zero, NULL, 0) > 0;
}

/* The body, in a user namespace of its own where the plan asks for one;
 * where the kernel refuses one (user namespaces off or used up) it runs
 * in the cage's and gives its capabilities up instead. */
static long clone_body(const struct cage_plan *p, bool *nested)
{
    *nested = false;
    /* First the cage's own maps: a user namespace can be made (the body's)
     * only by a process whose ids its own namespace maps. */
    char what[256] = "";
    int rc = (p->ns & TESTCAGE_NS_USER) ? tc_userns_map(p->uid, p->gid, what, sizeof(what)) : 0;
    /* A time namespace is for the children of the process that makes it:
     * made now, before the body, by the init that stays in the runner's. */
    if (rc == 0 && (p->ns & TESTCAGE_NS_TIME))
        rc = tc_timens_make(p, what, sizeof(what));
    if (rc < 0) {
        wire_send_error(p->result_w, WIRE_SETUP_ERROR, rc, what);
        return -ECANCELED;
    }
    if (p->nest_user) {
        long pid = tc_raw_fork_ns(p->tid_addr, CLONE_NEWUSER);
        bool refused = pid == -EPERM || pid == -ENOSPC || pid == -EUSERS || pid == -EINVAL;
        if (!refused) {
            *nested = pid >= 0;
            return pid;
        }
    }
    return tc_raw_fork(p->tid_addr);
}

/* Maps the nested body's ids, once /proc is the cage's own. */
static int map_body(const struct init *in)
{
    char what[256] = "";
    int rc = tc_userns_map_body(in->body, in->p, what, sizeof(what));
    if (rc < 0)
        wire_send_error(in->p->result_w, WIRE_SETUP_ERROR, rc, what);
    return rc;
}

/* Makes the cage's world; returns 0 or sends the reason and returns -1. */
static int setup_world(const struct cage_plan *p)
{
    char what[256] = "";
    int rc = 0; /* the cage's id maps came first, in clone_body */
    if (p->ns & TESTCAGE_NS_MOUNT)
        rc = tc_mounts_setup(p, what, sizeof(what));
    if (rc == 0 && (p->ns & TESTCAGE_NS_UTS) &&
        (rc = (int)tc_sys(SYS_sethostname, p->hostname, strlen(p->hostname))) < 0)
        memcpy(what, "set the hostname", 17);
    if (rc == 0 && (p->ns & TESTCAGE_NS_NET) && (rc = tc_net_lo_up()) < 0)
        memcpy(what, "bring up lo", 12);
    if (rc < 0)
        wire_send_error(p->result_w, WIRE_SETUP_ERROR, rc, what);
    return rc < 0 ? -1 : 0;
}

/* Only the runner may steer the init: a test that signals its pid 1 (or,
 * fork-only, its parent) is ignored. From outside a PID namespace the
 * sender's pid reads as 0. */
static bool from_runner(const struct init *in, const siginfo_t *info)
{
    return in->p->pidns ? info->si_pid == 0 : info->si_pid == in->runner;
}

static void kill_cage(struct init *in, int sig)
{
    if (in->p->pidns) {
        tc_sys(SYS_kill, -1, sig);
        if (sig == SIGTERM)
            tc_sys(SYS_kill, -1, SIGCONT); /* a stopped process could not act on it */
    } else {
        start_helper(in, sig == SIGTERM ? JOB_TERM : JOB_KILL);
    }
}

/* Waits for the body, reaping every orphan on the way. */
static int wait_body(struct init *in)
{
    for (;;) {
        siginfo_t info = {0}; /* filled by the kernel; zeroed for the analyzer */
        long sig = tc_sys(SYS_rt_sigtimedwait, &in->sigs, &info, NULL, sizeof(in->sigs));
        if (sig == SIGCHLD) {
            int st = 0;
            long pid;
            while ((pid = tc_sys(SYS_wait4, -1, &st, WNOHANG, NULL)) > 0) {
                forget_helper(in, pid);
                if (pid == in->body)
                    return st;
            }
        } else if (sig == RUNNER_DIED && !in->p->pidns && tc_sys(SYS_getppid) != in->runner) {
            start_helper(in, JOB_CLEANUP);
            wait_helpers(in);
            die(TC_INIT_SETUP_FAILED);
        } else if (sig > 0 && !from_runner(in, &info)) {
            continue;
        } else if (sig == TC_SIG_DEBUG) {
            start_helper(in, JOB_DEBUG);
        } else if (sig == TC_SIG_KILL_ALL) {
            kill_cage(in, SIGKILL); /* the grace period is over */
        } else if (sig > 0 && sig != RUNNER_DIED) {
            kill_cage(in, SIGTERM);
        }
    }
}

/* Fork only, the runner gone before it could steer us: the (empty)
 * private TMPDIR goes with us, so that nothing is left behind. */
static void remove_tmpdir(const struct cage_plan *p)
{
    if (p->fork_only && p->tmpdir[0])
        tc_sys(SYS_unlinkat, AT_FDCWD, p->tmpdir, AT_REMOVEDIR);
}

/* Fork only: an empty TMPDIR stays for the runner, which hands it to its
 * next case (a mkdir and rmdir per case are dear on a disk). A runner that
 * died meanwhile cannot: the clean-up helper removes it and the runner's
 * spare. */
static void end_tmpdir(struct init *in)
{
    const struct cage_plan *p = in->p;
    if (!p->fork_only || !p->tmpdir[0])
        return;
    bool gone =
        p->runner_pidfd >= 0 ? runner_gone(p->runner_pidfd) : tc_sys(SYS_getppid) != in->runner;
    if (gone) {
        start_helper(in, JOB_CLEANUP);
        wait_helpers(in);
    }
}

static void report_end(struct init *in, int status)
{
    const struct cage_plan *p = in->p;
    wait_helpers(in); /* a debug helper's records must not interleave */
    struct wire_rec r = {.type = WIRE_STATUS, .nint = 1, .i = {status}};
    wire_send_raw(p->result_w, &r);
    while (tc_sys(SYS_wait4, -1, NULL, WNOHANG, NULL) > 0)
        ; /* orphans that just died are not leaks */
    in->failed = !WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 77);
    bool left = tc_leftovers_found(p, &in->marked);
    bool keep = in->failed && p->keep_fd >= 0 && (p->ns & TESTCAGE_NS_MOUNT) && p->private_tmp;
    if (left || keep) {
        start_helper(in, JOB_REPORT);
        wait_helpers(in);
    }
    if (p->pidns)
        tc_sys(SYS_kill, -1, SIGKILL);
    end_tmpdir(in);
}

_Noreturn void tc_cage_init(const struct cage_plan *p)
{
    struct init in = {.p = p};
    block_signals(&in); /* before PDEATHSIG: RUNNER_DIED must not kill us unhandled */
    in.runner = (pid_t)tc_sys(SYS_getppid);
    in.self = (pid_t)tc_sys(SYS_getpid);
    int death = p->pidns ? SIGKILL : RUNNER_DIED;
    if (tc_sys(SYS_prctl, PR_SET_PDEATHSIG, death) < 0 || runner_gone(p->runner_pidfd)) {
        remove_tmpdir(p);
        die(TC_INIT_SETUP_FAILED);
    }
    tc_fds_close_inherited();
    int go[2] = {-1, -1};
    long rc = tc_sys(SYS_pipe2, go, O_CLOEXEC);
    /* The body is cloned first, while the runner still holds still after
     * cloning us; the cage's world is made while both run. */
    long body = rc < 0 ? rc : clone_body(p, &in.body_nested);
    if (body == 0) {
        after_raw_fork(p);
        close(go[1]);
        tc_body_run(p, go[0]);
    }
    release_runner(p);
    if (body < 0) {
        if (body != -ECANCELED) /* else the cage's id maps failed, and said so */
            wire_send_error(p->result_w, WIRE_SETUP_ERROR, body, "fork the test body");
        die(TC_INIT_SETUP_FAILED);
    }
    in.body = (pid_t)body;
    tc_sys(SYS_close, go[0]);
    for (int k = 0; k < 2; k++)
        if (p->cgroup_fd[k] >= 0)
            tc_sys(SYS_close, p->cgroup_fd[k]);
    if (!p->pidns && (rc = tc_sys(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1)) < 0) {
        wire_send_error(p->result_w, WIRE_SETUP_ERROR, rc, "become the cage's subreaper");
        remove_tmpdir(p);
        die(TC_INIT_SETUP_FAILED); /* the body reads EOF instead of "go" and ends */
    }
    if (setup_world(p) < 0 || (in.body_nested && map_body(&in) < 0))
        die(TC_INIT_SETUP_FAILED);
    tc_leftovers_mark(p, &in.marked);
    char word = in.body_nested ? TC_GO_NESTED : TC_GO;
    tc_sys(SYS_write, go[1], &word, 1);
    tc_sys(SYS_close, go[1]);
    tc_sys(SYS_close, p->report_w);
    if (p->capture_w >= 0)
        tc_sys(SYS_close, p->capture_w);
    int status = wait_body(&in);
    report_end(&in, status);
    die(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}
