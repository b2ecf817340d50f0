/* cage.c - the runner's side of a cage: start it, watch its fds (result
 * and report records, captured output, deadline, init exit) in an event
 * loop, and hand over the verdict. How a cage works: docs/architecture.md. */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum source { SRC_PIDFD, SRC_TIMER, SRC_RESULT, SRC_REPORT, SRC_CAPTURE, SRC_COUNT };
enum phase { RUNNING, DEBUGGING, TERMINATING, KILLED, OVER };

struct testcage_cage {
    int fd[SRC_COUNT]; /* runner-side fds, -1 when closed */
    int epfd;
    pid_t pid;
    enum phase phase;
    double grace;
    struct timespec start;
    double due; /* monotonic seconds of the phase deadline, 0 = none */
    struct wire_reader *result_rd, *report_rd;
    struct tc_capture cap;
    bool has_debug;    /* an on-timeout command runs before SIGTERM */
    char *keep_parent; /* keep_on_fail, for result->kept_dir */
    struct tc_clone clone;
    bool reaped;
    bool init_exited; /* reaped after exit(), not killed: it did its end */
    char *tmpdir;     /* fork-only: the private TMPDIR, removed or handed on at the end */
    struct tc_limits lim;
    struct tc_verdict v;
    volatile uint64_t *end_slot; /* a function body's proof that it finished */
    uint64_t end_token;
    testcage_opts opts; /* a copy: a cage whose world is refused starts again */
    unsigned ns;        /* the namespaces the init was cloned with */
    int world_err;      /* errno of the init's setup error before the body ran */
    char world_what[128];
};

static int runner_pidfd = -1; /* inherited by every init: readable once we die */

/* The epoll fd and timer fd of the last cage that ended cleanly, the timer
 * still registered and disarmed: the next cage takes them instead of
 * making and closing two fds. One pair suffices: cages end and start in
 * turn, at any -j. */
static struct {
    int epfd, timer;
    pid_t owner; /* a copy of us (a body) never holds them: tracked fds */
} spare = {-1, -1, 0};

/* The runner leaves no fd of ours open at exit. */
__attribute__((destructor)) static void events_drop(void)
{
    if (spare.epfd >= 0 && spare.owner == getpid()) {
        tc_fds_close(&spare.epfd);
        tc_fds_close(&spare.timer);
    }
}

static void events_take(struct testcage_cage *c)
{
    if (spare.epfd >= 0 && spare.owner == getpid()) {
        c->epfd = spare.epfd;
        c->fd[SRC_TIMER] = spare.timer;
        spare.epfd = spare.timer = -1;
        return;
    }
    c->epfd = tc_fds_track(epoll_create1(EPOLL_CLOEXEC));
    /* Made first: with it a cage whose setup fails later (no fds left)
     * can still wake its caller's poll loop. */
    c->fd[SRC_TIMER] = tc_fds_track(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = SRC_TIMER};
    if (c->epfd >= 0 && c->fd[SRC_TIMER] >= 0 &&
        epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd[SRC_TIMER], &ev) < 0)
        tc_fds_close(&c->fd[SRC_TIMER]);
}

/* Kept only when nothing but the timer is left in the epoll set (every
 * other source was removed from it) and the timer disarms: a spare must
 * never wake the next cage with an event of this one. */
static void events_give(struct testcage_cage *c)
{
    bool clean =
        (spare.epfd < 0 || spare.owner != getpid()) && c->epfd >= 0 && c->fd[SRC_TIMER] >= 0;
    for (int k = 0; k < SRC_COUNT; k++)
        clean = clean && (k == SRC_TIMER || c->fd[k] < 0);
    struct itimerspec off = {0};
    if (clean && timerfd_settime(c->fd[SRC_TIMER], 0, &off, NULL) == 0) {
        spare.epfd = c->epfd;
        spare.timer = c->fd[SRC_TIMER];
        spare.owner = getpid();
        c->epfd = c->fd[SRC_TIMER] = -1;
    }
}

void testcage_opts_init(testcage_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->namespaces = TESTCAGE_NS_DEFAULT;
    o->auto_user = true;
    o->private_tmp = true;
    o->fresh_proc = true;
    o->timeout = 60;
    o->grace = 2;
    o->capture_limit = (size_t)64 * 1024;
    o->timeout_backtrace = true;
}

static double mono(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static double elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void setup_error(struct testcage_cage *c, const char *what, int err)
{
    c->v.res.status = TESTCAGE_SETUP_ERROR;
    tc_result_message(&c->v.res, "cannot %s: %s", what, strerror(err));
}

/* ---- the event side ---- */

static void watch(struct testcage_cage *c, enum source s)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = s};
    if (c->fd[s] >= 0 && epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd[s], &ev) < 0)
        tc_fds_close(&c->fd[s]);
}

/* Drops a source once it reached EOF: polling a hung-up pipe spins. */
static void unwatch(struct testcage_cage *c, enum source s)
{
    if (c->fd[s] >= 0) {
        epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd[s], NULL);
        tc_fds_close(&c->fd[s]);
    }
}

static void send_term(struct testcage_cage *c);

static void take_record(struct testcage_cage *c, enum source s, const struct wire_rec *w)
{
    if (s == SRC_REPORT) {
        tc_verdict_body_record(&c->v, w);
        return;
    }
    /* Before STATUS the init has not let the body run: a refused step
     * there may be retried in the next shape (see retry_fork_only). */
    if (w->type == WIRE_SETUP_ERROR && !c->v.got_status && !c->world_err && w->nint >= 1 &&
        w->nstr >= 1) {
        c->world_err = (int)(w->i[0] < 0 ? -w->i[0] : w->i[0]);
        snprintf(c->world_what, sizeof(c->world_what), "%s", w->s[0]);
    }
    enum tc_verdict_ask ask = tc_verdict_init_record(&c->v, w);
    if (ask == TC_ASK_HOLD)
        tc_clone_hold_still(&c->clone);
    else if (ask == TC_ASK_DEBUG_DONE && c->phase == DEBUGGING)
        send_term(c);
}

static void drain_records(struct testcage_cage *c, enum source s)
{
    struct wire_reader *rd = s == SRC_RESULT ? c->result_rd : c->report_rd;
    for (;;) {
        int rc = wire_reader_fill(rd, c->fd[s]);
        struct wire_rec w;
        int got = 0;
        while (wire_reader_next(rd, &w) == 1) {
            got++;
            take_record(c, s, &w);
        }
        if (rd->corrupt && s == SRC_REPORT)
            c->v.res.report_corrupt = true;
        if (rc != 0) {
            unwatch(c, s);
            return;
        }
        if (!got)
            return;
    }
}

/* Reads what is there; a writer that outlived the cage cannot hold us. */
static void drain_capture(struct testcage_cage *c, size_t budget)
{
    char buf[16384];
    while (c->fd[SRC_CAPTURE] >= 0 && budget) {
        ssize_t n = read(c->fd[SRC_CAPTURE], buf, sizeof(buf));
        if (n > 0) {
            tc_capture_add(&c->cap, buf, (size_t)n);
            budget--;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n == 0 || errno != EAGAIN)
                unwatch(c, SRC_CAPTURE);
            return;
        }
    }
}

/* Captured output is read on a tick, not on every write: a chatty test
 * would otherwise wake the runner for each line it prints. The pipe holds
 * what comes in between. */
#define DRAIN_TICK 0.02

/* Sets the timer for the phase deadline or the next drain, whichever is first. */
static void rearm(struct testcage_cage *c)
{
    double next = c->due > 0 ? c->due - mono() : -1;
    if (c->due > 0 && next < 0)
        next = 0; /* overdue: fire at once */
    if (c->fd[SRC_CAPTURE] >= 0 && (next < 0 || next > DRAIN_TICK))
        next = DRAIN_TICK;
    struct itimerspec its = {0};
    if (next >= 0) {
        its.it_value.tv_sec = (time_t)next;
        its.it_value.tv_nsec = (long)((next - (double)its.it_value.tv_sec) * 1e9);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec <= 0)
            its.it_value.tv_nsec = 1; /* zero would disarm it */
    }
    timerfd_settime(c->fd[SRC_TIMER], 0, &its, NULL);
}

static void arm_timer(struct testcage_cage *c, double seconds)
{
    c->due = mono() + seconds;
    rearm(c);
}

static void send_term(struct testcage_cage *c)
{
    kill(c->pid, TC_SIG_TERM); /* the init forwards it to everyone in the cage */
    c->phase = TERMINATING;
    arm_timer(c, c->grace);
}

/* The deadline of the phase passed: on to the next, harder one. */
static void next_phase(struct testcage_cage *c)
{
    if (c->phase == RUNNING && c->has_debug) {
        /* Look at the hung test before it is terminated; bounded. */
        c->v.res.timed_out = true;
        c->phase = DEBUGGING;
        kill(c->pid, TC_SIG_DEBUG);
        arm_timer(c, TC_DEBUG_WAIT);
    } else if (c->phase == RUNNING || c->phase == DEBUGGING) {
        c->v.res.timed_out = true;
        send_term(c);
    } else if (c->phase == TERMINATING) {
        /* The init kills everyone and still reports; fork-only, it is the
         * only one who can find detached daemons. */
        c->v.res.killed = true;
        c->phase = KILLED;
        kill(c->pid, TC_SIG_KILL_ALL);
        arm_timer(c, TC_KILL_REPORT_WAIT);
    } else if (c->phase == KILLED) {
        kill(c->pid, TC_SIG_ABANDON); /* the init hangs: the kernel ends the namespace */
    }
}

static void on_timer(struct testcage_cage *c)
{
    uint64_t ticks;
    if (read(c->fd[SRC_TIMER], &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
        return;
    drain_capture(c, 64);
    if (c->due <= 0 || mono() < c->due) {
        rearm(c); /* a drain tick */
        return;
    }
    c->due = 0;
    next_phase(c);
    if (c->due <= 0)
        rearm(c);
}

/* Without pidfds (valgrind 3.19 lacks pidfd_open) the result pipe's EOF
 * tells that the init is gone; it is then reaped with a blocking wait. */
static bool reap_init(struct testcage_cage *c, bool block, int *code)
{
    siginfo_t info = {0};
    int flags = WEXITED | (block ? 0 : WNOHANG);
    int rc = c->fd[SRC_PIDFD] >= 0 ? waitid((idtype_t)P_PIDFD, (id_t)c->fd[SRC_PIDFD], &info, flags)
                                   : waitid(P_PID, (id_t)c->pid, &info, flags);
    if (rc < 0 || info.si_pid == 0)
        return false;
    *code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
    c->init_exited = info.si_code == CLD_EXITED;
    return true;
}

static bool retry_fork_only(struct testcage_cage *c);

static void on_init_exit(struct testcage_cage *c, bool block)
{
    int code;
    if (!reap_init(c, block, &code))
        return;
    c->reaped = true;
    c->v.res.duration = elapsed(&c->start);
    if (c->fd[SRC_RESULT] >= 0)
        drain_records(c, SRC_RESULT);
    if (c->fd[SRC_REPORT] >= 0)
        drain_records(c, SRC_REPORT);
    drain_capture(c, 1024);
    if (retry_fork_only(c))
        return;
    for (int k = 0; k < SRC_COUNT; k++)
        if (k != SRC_TIMER) /* disarmed at the finish, and kept if it can be */
            unwatch(c, (enum source)k);
    struct itimerspec off = {0};
    timerfd_settime(c->fd[SRC_TIMER], 0, &off, NULL);
    c->v.case_ended = tc_case_end_seen(c->end_slot, c->end_token);
    tc_verdict_classify(&c->v, code);
    if (c->v.res.signal == SIGKILL && !c->v.res.killed && tc_limits_oom_killed(&c->lim))
        tc_result_message(&c->v.res, "killed by the cage's memory limit (out of memory)");
    c->phase = OVER;
}

int testcage_cage_dispatch(struct testcage_cage *c)
{
    struct epoll_event evs[SRC_COUNT];
    int n = c->phase == OVER ? 0 : epoll_wait(c->epfd, evs, SRC_COUNT, 0);
    bool init_exited = false;
    for (int k = 0; k < n; k++) {
        switch (evs[k].data.u32) {
        case SRC_TIMER:
            on_timer(c);
            break;
        case SRC_RESULT:
        case SRC_REPORT:
            drain_records(c, (enum source)evs[k].data.u32);
            break;
        case SRC_CAPTURE:
            drain_capture(c, 64);
            break;
        case SRC_PIDFD:
            init_exited = true; /* handled last: the pipes are drained first */
            break;
        }
    }
    bool no_pidfd = c->fd[SRC_PIDFD] < 0 && c->fd[SRC_RESULT] < 0 && c->phase != OVER;
    if (init_exited || no_pidfd)
        on_init_exit(c, no_pidfd);
    return c->phase == OVER;
}

/* ---- starting ---- */

bool tc_namespaces_refused(int err)
{
    return err == EPERM || err == EINVAL || err == ENOSPC || err == EUSERS || err == ENOSYS;
}

/* Fork-only: the private TMPDIR. None is no reason to fail the case: the
 * body keeps the caller's TMPDIR, and the result says so. */
static void make_tmpdir(struct testcage_cage *c, struct cage_plan *p)
{
    if (tc_tmpdir_make(p->tmpdir, sizeof(p->tmpdir)) < 0) {
        int err = errno;
        const char *was = c->v.res.message;
        tc_result_message(&c->v.res,
                          "%s%sno private TMPDIR: none can be made below $TMPDIR or /tmp, /var/tmp "
                          "or the working directory (%s)",
                          was ? was : "", was ? "; " : "", strerror(err));
        return;
    }
    if (!(c->tmpdir = strdup(p->tmpdir))) {
        rmdir(p->tmpdir);
        p->tmpdir[0] = 0;
    }
}

static void plan_fork_only(struct cage_plan *p)
{
    p->fork_only = true;
    p->pidns = false;
    p->ns = 0;
    p->drop_caps = p->drop_all_caps = p->nest_user = false;
    p->private_shm = false;
}

/* Clones the init in the process's shape: with the plan's namespaces
 * until they proved out of reach, then fork only (unless refused). */
static pid_t spawn(struct testcage_cage *c, struct cage_plan *p, const testcage_opts *o)
{
    if (!p->fork_only && !tc_shape_fork_only()) {
        pid_t pid = tc_clone_init(&c->clone, p, tc_clone_flags(p->ns));
        if (pid > 0 || !tc_namespaces_refused(errno))
            return pid;
        tc_shape_drop(TC_STEP_CLONE, errno, p->ns, NULL);
    }
    if (!p->fork_only) {
        if (o->require_isolation) {
            c->v.res.status = TESTCAGE_SETUP_ERROR;
            tc_result_message(&c->v.res, "%s", tc_shape_refusal());
            errno = EPERM;
            return -1;
        }
        tc_result_message(&c->v.res, "%s", tc_shape_notice());
        plan_fork_only(p);
    }
    make_tmpdir(c, p);
    return tc_clone_init(&c->clone, p, 0);
}

static int open_watch_fds(struct testcage_cage *c, const testcage_opts *o)
{
    c->fd[SRC_PIDFD] = tc_fds_track(pidfd_open(c->pid, 0));
    if (c->fd[SRC_PIDFD] < 0 && errno != ENOSYS)
        return -1;
    for (int k = 0; k < SRC_COUNT; k++)
        if (k != SRC_TIMER && k != SRC_CAPTURE)
            watch(c, (enum source)k);
    if (o->timeout > 0)
        arm_timer(c, o->timeout);
    else
        rearm(c);
    return 0;
}

static struct testcage_cage *cage_new(const testcage_opts *o)
{
    struct testcage_cage *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    for (int k = 0; k < SRC_COUNT; k++)
        c->fd[k] = -1;
    c->clone.park_fd = -1;
    events_take(c);
    /* malloc, not calloc: zeroing 64 KiB here would cost every cage the
     * copy of those pages after the clone. */
    c->result_rd = malloc(sizeof(*c->result_rd));
    c->report_rd = malloc(sizeof(*c->report_rd));
    if (c->result_rd)
        wire_reader_init(c->result_rd);
    if (c->report_rd)
        wire_reader_init(c->report_rd);
    c->grace = o->grace;
    c->opts = *o;
    tc_verdict_init(&c->v, o->leaks);
    c->pid = -1;
    clock_gettime(CLOCK_MONOTONIC, &c->start);
    if (c->epfd < 0 || c->fd[SRC_TIMER] < 0 || !c->result_rd || !c->report_rd ||
        (o->capture_output && tc_capture_init(&c->cap, o->capture_limit) < 0)) {
        testcage_cage_finish(c, NULL);
        return NULL;
    }
    return c;
}

/* Opens (making it if needed) the host directory for --keep-on-fail and
 * picks a fresh name below it for this case. */
static int plan_keep_dir(struct testcage_cage *c, struct cage_plan *p, const testcage_opts *o)
{
    static unsigned seq;
    if (mkdir(o->keep_on_fail, 0755) < 0 && errno != EEXIST)
        return -1;
    p->keep_fd = open(o->keep_on_fail, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    c->keep_parent = strdup(o->keep_on_fail);
    c->v.keep_parent = c->keep_parent;
    if (p->keep_fd < 0 || !c->keep_parent)
        return -1;
    char name[64];
    snprintf(name, sizeof(name), "%s", o->name ? o->name : "case");
    for (char *q = name; *q; q++)
        if (*q == '/' || *q == ' ' || *q == '.')
            *q = '_';
    snprintf(p->keep_name, sizeof(p->keep_name), "%s.%d.%u", name, (int)getpid(), seq++);
    return 0;
}

/* The host-side resources a plan names: cgroups or rlimits, the kept dir. */
static void plan_host_side(struct testcage_cage *c, struct cage_plan *p, const testcage_opts *o)
{
    if (tc_limits_prepare(p, o, &c->lim) < 0)
        setup_error(c, "set up the resource limits", errno);
    c->v.res.limits_via = c->lim.via;
    if (o->keep_on_fail && plan_keep_dir(c, p, o) < 0) {
        c->v.res.status = TESTCAGE_SETUP_ERROR;
        tc_result_message(&c->v.res, "cannot use %s for kept files: %s", o->keep_on_fail,
                          strerror(errno));
    }
}

/* A pipe whose read end (non-blocking) the runner keeps: 0, or -1 with
 * errno and both ends closed. */
static int runner_pipe(int *runner_end, int *cage_end)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0 || (*runner_end = tc_fds_track(fds[0])) < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        errno = err;
        return -1;
    }
    *cage_end = fds[1];
    return 0;
}

/* Makes the pipes and clones the init; the cage's ends are closed after. */
static void open_and_spawn(struct testcage_cage *c, struct cage_plan *p, const testcage_opts *o)
{
    if (runner_pipe(&c->fd[SRC_RESULT], &p->result_w) < 0 ||
        runner_pipe(&c->fd[SRC_REPORT], &p->report_w) < 0 ||
        (o->capture_output && runner_pipe(&c->fd[SRC_CAPTURE], &p->capture_w) < 0)) {
        setup_error(c, "make a pipe", errno);
    } else {
        c->pid = spawn(c, p, o);
        if (c->pid < 0 && c->v.res.status != TESTCAGE_SETUP_ERROR)
            setup_error(c, "clone the cage", errno);
    }
    int cage_fds[] = {p->keep_fd,  p->cgroup_fd[0], p->cgroup_fd[1],
                      p->result_w, p->report_w,     p->capture_w};
    for (size_t k = 0; k < sizeof(cage_fds) / sizeof(cage_fds[0]); k++)
        if (cage_fds[k] >= 0)
            close(cage_fds[k]);
}

/* Nothing to watch: make the fd readable at once so the caller's loop
 * picks the verdict up like any other. */
static void over_at_once(struct testcage_cage *c)
{
    if (c->pid > 0)
        waitpid(c->pid, NULL, 0);
    c->pid = -1;
    c->phase = OVER;
    for (int k = 0; k < SRC_COUNT; k++)
        if (k != SRC_TIMER)
            unwatch(c, (enum source)k);
    arm_timer(c, 0);
}

/* Plans and clones the cage's init in the process's current shape. */
static void launch(struct testcage_cage *c)
{
    const testcage_opts *o = &c->opts;
    struct cage_plan p;
    tc_plan_make(&p, o);
    p.runner_pidfd = runner_pidfd;
    if (!o->argv) {
        tc_coverage_lookup();
        c->v.fn_mode = true;
        p.end_slot = c->end_slot = tc_case_end_take(&c->end_token);
        p.end_token = c->end_token;
    }
    c->has_debug = p.debug_cmd[0] != 0;
    plan_host_side(c, &p, o);
    if (c->v.res.status != TESTCAGE_SETUP_ERROR)
        open_and_spawn(c, &p, o);
    c->ns = p.ns;
    c->v.res.isolated = !p.fork_only;
    c->v.res.namespaces = p.fork_only ? 0 : p.ns;
    if (c->pid > 0 && open_watch_fds(c, o) < 0) {
        setup_error(c, "watch the cage", errno);
        kill(c->pid, SIGKILL);
    }
    c->v.res.init_pid = c->pid;
    if (c->pid < 0 || c->v.res.status == TESTCAGE_SETUP_ERROR)
        over_at_once(c);
}

/* The init could not make the cage's world for lack of permission (id
 * maps, mounts) and the body never ran: the process drops to fork only
 * and this case starts again in that shape, so it still runs once. */
static bool retry_fork_only(struct testcage_cage *c)
{
    if (!c->ns || (c->world_err != EPERM && c->world_err != EACCES))
        return false;
    tc_shape_drop(TC_STEP_WORLD, c->world_err, c->ns, c->world_what);
    if (c->opts.require_isolation) {
        tc_result_message(&c->v.res, "%s", tc_shape_refusal());
        return false;
    }
    for (int k = 0; k < SRC_COUNT; k++)
        if (k != SRC_TIMER)
            unwatch(c, (enum source)k);
    tc_clone_release(&c->clone, true);
    tc_limits_release(&c->lim);
    free(c->keep_parent);
    c->keep_parent = NULL;
    testcage_result_free(&c->v.res);
    tc_verdict_init(&c->v, c->opts.leaks);
    wire_reader_init(c->result_rd);
    wire_reader_init(c->report_rd);
    c->reaped = false;
    c->world_err = 0;
    c->phase = RUNNING;
    c->due = 0;
    c->pid = -1;
    launch(c);
    return true;
}

int testcage_start(const testcage_opts *o, testcage_cage **out)
{
    struct testcage_cage *c = cage_new(o);
    if (!c)
        return -1;
    if (runner_pidfd < 0)
        runner_pidfd = pidfd_open(getpid(), 0); /* CLOEXEC by default */
    launch(c);
    *out = c;
    return 0;
}

int testcage_cage_fd(const testcage_cage *c)
{
    return c->epfd;
}

pid_t testcage_cage_pid(const testcage_cage *c)
{
    return c->pid;
}

void testcage_cage_terminate(testcage_cage *c)
{
    if (c->phase != RUNNING && c->phase != DEBUGGING)
        return;
    c->v.res.interrupted = true;
    send_term(c);
}

void testcage_cage_finish(testcage_cage *c, testcage_result *out)
{
    if (c->phase != OVER && c->pid > 0) {
        kill(c->pid, SIGKILL);
        on_init_exit(c, true);
    }
    if (c->cap.head)
        tc_capture_finish(&c->cap, &c->v.res);
    events_give(c);
    for (int k = 0; k < SRC_COUNT; k++)
        tc_fds_close(&c->fd[k]);
    tc_fds_close(&c->epfd);
    tc_clone_release(&c->clone, c->reaped || c->pid < 0);
    tc_limits_release(&c->lim);
    tc_case_end_give(c->end_slot);
    /* An init that ended its case left the TMPDIR empty (or removed what
     * the case left in it): the next case may have it. Else it goes. */
    bool reusable = c->reaped && c->init_exited && c->v.got_status && !c->v.res.nfiles;
    if (c->tmpdir && !(reusable && tc_tmpdir_give(c->tmpdir)) && rmdir(c->tmpdir) < 0 &&
        errno != ENOENT)
        tc_remove_tree(c->tmpdir);
    free(c->tmpdir);
    tc_capture_free(&c->cap);
    free(c->result_rd);
    free(c->report_rd);
    free(c->keep_parent);
    if (out)
        *out = c->v.res;
    else
        testcage_result_free(&c->v.res);
    free(c);
}

int testcage_run(const testcage_opts *o, testcage_result *r)
{
    testcage_cage *c;
    if (testcage_start(o, &c) < 0)
        return -1;
    struct pollfd p = {.fd = testcage_cage_fd(c), .events = POLLIN};
    while (!testcage_cage_dispatch(c))
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            break;
    testcage_cage_finish(c, r);
    return 0;
}
