/* cage.c - the runner's side of a cage: plan it, clone it, watch its fds
 * (result and report records, captured output, deadline, init exit) and
 * turn what it learns into a testcage_result. */
#include "testcage_internal.h"
#include "rawsys.h"
#include "wire_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum source { SRC_PIDFD, SRC_TIMER, SRC_RESULT, SRC_REPORT, SRC_CAPTURE, SRC_COUNT };
enum phase { RUNNING, DEBUGGING, TERMINATING, KILLED, OVER };

struct capture {
    char *head, *tail; /* first bytes; then a ring of the last ones */
    size_t head_len, head_cap, tail_cap, tail_pos, total;
};

struct testcage_cage {
    struct testcage_cage *next, *prev; /* live cages, closed in every new child */
    int fd[SRC_COUNT];                 /* runner-side fds, -1 when closed */
    int epfd;
    pid_t pid;
    enum phase phase;
    double grace;
    enum testcage_leak_policy opts_leaks;
    struct timespec start;
    double due; /* monotonic seconds of the phase deadline, 0 = none */
    struct wire_reader *result_rd, *report_rd;
    struct capture cap;
    bool got_status;
    bool has_debug;    /* an on-timeout command runs before SIGTERM */
    char *keep_parent; /* keep_on_fail, for result->kept_dir */
    int park_fd;       /* vm init: the runner's end of the hold-still channel */
    char *stack;       /* vm init: its stack (and plan), back to the pool once reaped */
    bool reaped;
    char *tmpdir; /* fork-only: the private TMPDIR, removed at the end */
    struct tc_limits lim;
    testcage_result res;
};

static struct testcage_cage *live_cages;
static int runner_pidfd = -1; /* inherited by every init: readable once we die */
static int ns_unavailable;    /* errno of the clone that showed namespaces are off */

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

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void tc_cages_close_inherited(void)
{
    /* Only reads shared memory: the fds are closed in our own table. */
    for (const struct testcage_cage *c = live_cages; c; c = c->next) {
        for (int k = 0; k < SRC_COUNT; k++)
            if (c->fd[k] >= 0)
                tc_sys(SYS_close, c->fd[k]);
        if (c->epfd >= 0)
            tc_sys(SYS_close, c->epfd);
        if (c->park_fd >= 0)
            tc_sys(SYS_close, c->park_fd);
    }
}

static double elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* ---- results ---- */

static void set_message(testcage_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_message(testcage_result *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    free(r->message);
    r->message = strdup(buf);
}

/* Makes room for one more item (false: out of memory, the item is dropped). */
static bool grow(void **arr, size_t n, size_t size)
{
    void *grown = realloc(*arr, (n + 1) * size);
    if (grown)
        *arr = grown;
    return grown != NULL;
}

static void send_term(struct testcage_cage *c);

/* A vm init clones a copy of our memory only while we are blocked in a
 * read: the copy then finds libc and the heap at rest. */
static void hold_still(struct testcage_cage *c)
{
    char b = 'h';
    /* MSG_NOSIGNAL: an init killed since its request must not kill us. */
    if (c->park_fd < 0 || send(c->park_fd, &b, 1, MSG_NOSIGNAL) != 1)
        return;
    while (read(c->park_fd, &b, 1) < 0 && errno == EINTR)
        ;
}

static void append_debug(testcage_result *r, const char *chunk, size_t n)
{
    size_t have = r->debug_output ? strlen(r->debug_output) : 0;
    if (have + n > (size_t)64 * 1024)
        return;
    char *grown = realloc(r->debug_output, have + n + 1);
    if (!grown)
        return;
    memcpy(grown + have, chunk, n + 1);
    r->debug_output = grown;
}

static void take_init_record(struct testcage_cage *c, const struct wire_rec *w)
{
    testcage_result *r = &c->res;
    if (w->type == WIRE_STATUS && w->nint >= 1) {
        int st = (int)w->i[0];
        c->got_status = true;
        r->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    } else if (w->type == WIRE_PROC && w->nint >= 1 && w->nstr >= 2 && r->nprocs < TC_MAX_LISTED &&
               grow((void **)&r->procs, r->nprocs, sizeof(*r->procs))) {
        r->procs[r->nprocs++] =
            (testcage_leaked_proc){(pid_t)w->i[0], strdup(w->s[0]), strdup(w->s[1])};
    } else if (w->type == WIRE_FILE && w->nint >= 2 && w->nstr >= 1 && r->nfiles < TC_MAX_LISTED &&
               grow((void **)&r->files, r->nfiles, sizeof(*r->files))) {
        r->files[r->nfiles++] =
            (testcage_leaked_file){strdup(w->s[0]), (uint64_t)w->i[0], w->i[1] != 0};
    } else if (w->type == WIRE_IPC && w->nint >= 3 && r->nipcs < TC_MAX_LISTED &&
               grow((void **)&r->ipcs, r->nipcs, sizeof(*r->ipcs))) {
        r->ipcs[r->nipcs++] = (testcage_leaked_ipc){(enum testcage_ipc_kind)w->i[0],
                                                    (int32_t)w->i[1], (int32_t)w->i[2]};
    } else if (w->type == WIRE_OMITTED && w->nint >= 3) {
        r->procs_omitted = (size_t)w->i[0];
        r->files_omitted = (size_t)w->i[1];
        r->ipcs_omitted = (size_t)w->i[2];
    } else if (w->type == WIRE_DEBUG && w->nstr >= 1) {
        append_debug(r, w->s[0], w->slen[0]);
    } else if (w->type == WIRE_HOLD) {
        hold_still(c);
    } else if (w->type == WIRE_DEBUG_DONE) {
        if (c->phase == DEBUGGING)
            send_term(c);
    } else if (w->type == WIRE_KEPT && w->nstr >= 1 && c->keep_parent && !r->kept_dir) {
        if (asprintf(&r->kept_dir, "%s/%s", c->keep_parent, w->s[0]) < 0)
            r->kept_dir = NULL;
    } else if (w->type == WIRE_SETUP_ERROR && w->nint >= 1 && w->nstr >= 1) {
        r->status = TESTCAGE_SETUP_ERROR;
        set_message(r, "cannot %s: %s", w->s[0], strerror((int)w->i[0]));
    }
}

/* The body speaks only for itself: failures, a skip reason, exec errors.
 * Nothing here can turn a failing status into a pass. */
static void take_body_record(struct testcage_cage *c, const struct wire_rec *w)
{
    testcage_result *r = &c->res;
    if (w->type == WIRE_FAILURE && w->nint >= 1 && w->nstr >= 2 && r->nfailures < TC_MAX_LISTED &&
        grow((void **)&r->failures, r->nfailures, sizeof(*r->failures))) {
        r->failures[r->nfailures++] =
            (testcage_failure){w->s[0][0] ? strdup(w->s[0]) : NULL, (int)w->i[0], strdup(w->s[1])};
    } else if (w->type == WIRE_SKIP && w->nstr >= 1 && !r->skip_reason) {
        r->skip_reason = strdup(w->s[0]);
    } else if (w->type == WIRE_EXEC_ERROR && w->nint >= 1 && w->nstr >= 1) {
        r->exec_errno = (int)w->i[0];
        set_message(r, "%s: %s", w->s[0],
                    r->exec_errno == ENOENT ? "not found" : strerror(r->exec_errno));
    } else if (w->type == WIRE_SETUP_ERROR && w->nint >= 1 && w->nstr >= 1) {
        take_init_record(c, w);
    }
}

/* ---- captured output, bounded: the head and the tail are kept ---- */

static void capture_add(struct capture *cp, const char *buf, size_t n)
{
    cp->total += n;
    size_t h = cp->head_cap - cp->head_len < n ? cp->head_cap - cp->head_len : n;
    memcpy(cp->head + cp->head_len, buf, h);
    cp->head_len += h;
    for (size_t k = h; k < n && cp->tail_cap; k++) {
        cp->tail[cp->tail_pos % cp->tail_cap] = buf[k];
        cp->tail_pos++;
    }
}

static void capture_finish(struct capture *cp, testcage_result *r)
{
    size_t tail_len = cp->tail_pos < cp->tail_cap ? cp->tail_pos : cp->tail_cap;
    r->output_dropped = cp->total - cp->head_len - tail_len;
    char note[80] = "";
    if (r->output_dropped)
        snprintf(note, sizeof(note), "\n[testcage: %zu bytes of output omitted]\n",
                 r->output_dropped);
    size_t len = cp->head_len + strlen(note) + tail_len;
    r->output = malloc(len + 1);
    if (!r->output)
        return;
    memcpy(r->output, cp->head, cp->head_len);
    memcpy(r->output + cp->head_len, note, strlen(note));
    char *dst = r->output + cp->head_len + strlen(note);
    size_t first = cp->tail_pos - tail_len; /* oldest byte still in the ring */
    for (size_t k = 0; k < tail_len; k++)
        dst[k] = cp->tail[(first + k) % cp->tail_cap];
    r->output[len] = 0;
    r->output_len = len;
}

/* ---- the event side ---- */

static void watch(struct testcage_cage *c, enum source s)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = s};
    if (c->fd[s] >= 0 && epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd[s], &ev) < 0)
        close_fd(&c->fd[s]);
}

/* Drops a source once it reached EOF: polling a hung-up pipe spins. */
static void unwatch(struct testcage_cage *c, enum source s)
{
    if (c->fd[s] >= 0) {
        epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd[s], NULL);
        close_fd(&c->fd[s]);
    }
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
            if (s == SRC_RESULT)
                take_init_record(c, &w);
            else
                take_body_record(c, &w);
        }
        if (rd->corrupt && s == SRC_REPORT)
            c->res.report_corrupt = true;
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
            capture_add(&c->cap, buf, (size_t)n);
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

static double mono(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
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
    kill(c->pid, SIGTERM); /* the init forwards it to everyone in the cage */
    c->phase = TERMINATING;
    arm_timer(c, c->grace);
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
    if (c->phase == RUNNING && c->has_debug) {
        /* Look at the hung test before it is terminated; bounded. */
        c->res.timed_out = true;
        c->phase = DEBUGGING;
        kill(c->pid, SIGUSR1);
        arm_timer(c, 12); /* the init gives its command 10 s */
    } else if (c->phase == RUNNING || c->phase == DEBUGGING) {
        c->res.timed_out = true;
        send_term(c);
    } else if (c->phase == TERMINATING) {
        /* The init kills everyone and still reports; fork-only, it is the
         * only one who can find detached daemons. */
        c->res.killed = true;
        c->phase = KILLED;
        kill(c->pid, SIGQUIT);
        arm_timer(c, 1);
    } else if (c->phase == KILLED) {
        kill(c->pid, SIGKILL); /* the init hangs: the kernel ends the namespace */
    }
    if (c->due <= 0)
        rearm(c);
}

static void classify(struct testcage_cage *c, int init_code)
{
    testcage_result *r = &c->res;
    if (r->status == TESTCAGE_SETUP_ERROR)
        return;
    if (!c->got_status && !r->timed_out && !r->interrupted) {
        r->status = TESTCAGE_CRASH;
        if (!r->message)
            set_message(r, "the cage init ended before reporting (code %d)", init_code);
        return;
    }
    if (r->timed_out)
        r->status = TESTCAGE_TIMEOUT;
    else if (r->signal)
        r->status = TESTCAGE_CRASH;
    else if (r->exit_code == 77)
        r->status = TESTCAGE_SKIP;
    else if (r->exit_code != 0 || r->nfailures)
        r->status = TESTCAGE_FAIL;
    else
        r->status = TESTCAGE_PASS;
    if (r->status == TESTCAGE_PASS && c->opts_leaks == TESTCAGE_LEAKS_FAIL &&
        testcage_result_leaks(r)) {
        r->status = TESTCAGE_FAIL;
        r->leak_failed = true;
    }
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
    return true;
}

static void on_init_exit(struct testcage_cage *c, bool block)
{
    int code;
    if (!reap_init(c, block, &code))
        return;
    c->reaped = true;
    c->res.duration = elapsed(&c->start);
    if (c->fd[SRC_RESULT] >= 0)
        drain_records(c, SRC_RESULT);
    if (c->fd[SRC_REPORT] >= 0)
        drain_records(c, SRC_REPORT);
    drain_capture(c, 1024);
    for (int k = 0; k < SRC_COUNT; k++)
        unwatch(c, (enum source)k);
    classify(c, code);
    if (c->res.signal == SIGKILL && !c->res.killed && tc_limits_oom_killed(&c->lim))
        set_message(&c->res, "killed by the cage's memory limit (out of memory)");
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

static int make_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    return fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

static int capture_init(struct capture *cp, size_t limit)
{
    if (limit < 1024)
        limit = 1024;
    cp->head_cap = limit / 4;
    cp->tail_cap = limit - cp->head_cap;
    cp->head = malloc(cp->head_cap);
    cp->tail = malloc(cp->tail_cap);
    return cp->head && cp->tail ? 0 : -1;
}

/* ---- cloning the init ---- */

/* A vm init's stack: the body and the helpers it clones go on on their
 * copies of it, so it is as big as a main thread's (only touched pages
 * cost anything). Stacks are reused once their init is reaped. */
#define INIT_STACK ((size_t)8 << 20)
#define STACK_POOL 8

static char *stack_pool[STACK_POOL];

static char *stack_take(void)
{
    for (int k = 0; k < STACK_POOL; k++) {
        if (stack_pool[k]) {
            char *st = stack_pool[k];
            stack_pool[k] = NULL;
            return st;
        }
    }
    char *st = mmap(NULL, INIT_STACK, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (st == MAP_FAILED)
        return NULL;
    if (mprotect(st, 4096, PROT_NONE) < 0) { /* guard page */
        munmap(st, INIT_STACK);
        return NULL;
    }
    return st;
}

static void stack_give(char *st)
{
    for (int k = 0; k < STACK_POOL; k++) {
        if (!stack_pool[k]) {
            stack_pool[k] = st;
            return;
        }
    }
    munmap(st, INIT_STACK);
}

/* The init may share our memory where it can make raw system calls, and
 * where nothing watches memory from outside (valgrind, sanitizers). */
static bool vm_init_usable(void)
{
#if !TC_RAW_SYSCALLS || defined(__SANITIZE_ADDRESS__)
    return false;
#else
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
    return false;
#endif
#endif
    static int usable = -1;
    if (usable < 0) {
        const char *preload = getenv("LD_PRELOAD");
        const char *mode = getenv("TESTCAGE_INIT");
        usable = !(preload && strstr(preload, "vgpreload")) && !(mode && strcmp(mode, "fork") == 0);
    }
    return usable;
#endif
}

/* What a raw clone must hand over to keep the copy's libc whole: the
 * kernel fills glibc's tid field, the robust-futex list is registered again. */
static void plan_raw_fork(struct cage_plan *p)
{
    /* They belong to the calling thread: asked again only when it changes. */
    static void *asked_by;
    static int *tid_addr;
    static void *robust_head;
    static size_t robust_len;
    void *self = tc_thread_pointer();
    if (!self || self != asked_by) {
        int *tid = NULL;
        tid_addr = prctl(PR_GET_TID_ADDRESS, &tid) == 0 && tid && *tid == gettid() ? tid : NULL;
        robust_head = NULL;
        robust_len = 0;
        if (syscall(SYS_get_robust_list, 0, &robust_head, &robust_len) != 0)
            robust_head = NULL;
        asked_by = self;
    }
    p->tid_addr = tid_addr;
    p->robust_head = robust_head;
    p->robust_len = robust_len;
}

static int vm_entry(void *plan)
{
    tc_cage_init(plan);
}

/* Clones the init sharing our memory, on its own stack with its own copy
 * of the plan, and holds still until it has cloned the body. */
static pid_t clone_vm(struct testcage_cage *c, const struct cage_plan *p, unsigned long flags)
{
    int sv[2];
    if (!c->stack && !(c->stack = stack_take()))
        return -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    char *top = c->stack + INIT_STACK - sizeof(*p);
    struct cage_plan *copy = (struct cage_plan *)(void *)(top - ((uintptr_t)top & 63));
    tc_plan_copy(copy, p);
    copy->vm = true;
    copy->park_fd = sv[1];
    c->park_fd = sv[0];
    pid_t pid = clone(vm_entry, copy, (int)(flags | CLONE_VM | SIGCHLD), copy);
    int err = errno;
    close(sv[1]);
    char b;
    while (pid > 0 && read(c->park_fd, &b, 1) < 0 && errno == EINTR)
        ;
    if (pid < 0)
        close_fd(&c->park_fd);
    errno = err;
    return pid;
}

static pid_t clone_init(struct testcage_cage *c, struct cage_plan *p, unsigned long flags)
{
    fflush(NULL); /* or buffered output would be printed by the child too */
    if (vm_init_usable())
        return clone_vm(c, p, flags);
    /* A fork with namespace flags: no CLONE_VM, so no stack to hand over. */
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0)
        tc_cage_init(p);
    return pid;
}

static bool namespaces_refused(int err)
{
    return err == EPERM || err == EINVAL || err == ENOSPC || err == EUSERS || err == ENOSYS;
}

/* Fork-only: the private TMPDIR, below the caller's TMPDIR when it names
 * one, as mkstemp users expect. */
static int make_tmpdir(struct testcage_cage *c, struct cage_plan *p)
{
    const char *base = getenv("TMPDIR");
    if (!base || base[0] != '/' || strlen(base) > sizeof(p->tmpdir) - 32)
        base = "/tmp";
    snprintf(p->tmpdir, sizeof(p->tmpdir), "%s/testcage.XXXXXX", base);
    if (!mkdtemp(p->tmpdir)) {
        set_message(&c->res, "cannot make a private TMPDIR: %s", strerror(errno));
        c->res.status = TESTCAGE_SETUP_ERROR;
        return -1;
    }
    if (!(c->tmpdir = strdup(p->tmpdir))) {
        rmdir(p->tmpdir);
        set_message(&c->res, "cannot make a private TMPDIR: %s", strerror(errno));
        c->res.status = TESTCAGE_SETUP_ERROR;
        return -1;
    }
    return 0;
}

/* Clones the init; falls back to fork only when no namespace can be made. */
static pid_t spawn(struct testcage_cage *c, struct cage_plan *p, const testcage_opts *o)
{
    plan_raw_fork(p);
    if (!p->fork_only && !ns_unavailable) {
        pid_t pid = clone_init(c, p, tc_clone_flags(p->ns));
        if (pid > 0 || !namespaces_refused(errno))
            return pid;
        ns_unavailable = errno;
    }
    if (!p->fork_only) {
        if (o->require_isolation) {
            c->res.status = TESTCAGE_SETUP_ERROR;
            set_message(&c->res, "no namespaces available (%s) and isolation is required",
                        strerror(ns_unavailable));
            errno = ns_unavailable;
            return -1;
        }
        set_message(&c->res, "no namespaces available (%s); running without isolation",
                    strerror(ns_unavailable));
        p->fork_only = true;
        p->pidns = false;
        p->ns = 0;
        p->drop_caps = p->drop_all_caps = false;
    }
    if (make_tmpdir(c, p) < 0)
        return -1;
    return clone_init(c, p, 0);
}

static int open_watch_fds(struct testcage_cage *c, const testcage_opts *o)
{
    c->fd[SRC_PIDFD] = pidfd_open(c->pid, 0);
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

static void link_cage(struct testcage_cage *c)
{
    c->next = live_cages;
    if (live_cages)
        live_cages->prev = c;
    live_cages = c;
}

static void unlink_cage(struct testcage_cage *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (live_cages == c)
        live_cages = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->next = c->prev = NULL;
}

static struct testcage_cage *cage_new(const testcage_opts *o)
{
    struct testcage_cage *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    for (int k = 0; k < SRC_COUNT; k++)
        c->fd[k] = -1;
    c->park_fd = -1;
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    /* Made first: with it a cage whose setup fails later (no fds left)
     * can still wake its caller's poll loop. */
    c->fd[SRC_TIMER] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (c->epfd >= 0 && c->fd[SRC_TIMER] >= 0)
        watch(c, SRC_TIMER);
    /* malloc, not calloc: zeroing 64 KiB here would cost every cage the
     * copy of those pages after the clone. */
    c->result_rd = malloc(sizeof(*c->result_rd));
    c->report_rd = malloc(sizeof(*c->report_rd));
    if (c->result_rd)
        wire_reader_init(c->result_rd);
    if (c->report_rd)
        wire_reader_init(c->report_rd);
    c->grace = o->grace;
    c->opts_leaks = o->leaks;
    c->res.exit_code = -1;
    c->pid = -1;
    clock_gettime(CLOCK_MONOTONIC, &c->start);
    if (c->epfd < 0 || c->fd[SRC_TIMER] < 0 || !c->result_rd || !c->report_rd ||
        (o->capture_output && capture_init(&c->cap, o->capture_limit) < 0)) {
        testcage_cage_finish(c, NULL);
        return NULL;
    }
    return c;
}

static void close_pair(int p[2])
{
    close_fd(&p[0]);
    close_fd(&p[1]);
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

int testcage_start(const testcage_opts *opts, testcage_cage **out)
{
    const testcage_opts *o = opts;
    struct testcage_cage *c = cage_new(o);
    if (!c)
        return -1;
    if (runner_pidfd < 0)
        runner_pidfd = pidfd_open(getpid(), 0); /* CLOEXEC by default */
    struct cage_plan p;
    tc_plan_init(&p, o);
    p.runner_pidfd = runner_pidfd;
    int res[2] = {-1, -1}, rep[2] = {-1, -1}, cap[2] = {-1, -1};
    if (!getcwd(p.cwd, sizeof(p.cwd)))
        p.cwd[0] = 0;
    tc_plan_paths(&p, o);
    tc_plan_namespaces(&p, o);
    tc_plan_debug(&p, o);
    tc_plan_policy(&p, o);
    c->has_debug = p.debug_cmd[0] != 0;
    if (tc_limits_prepare(&p, o, &c->lim) < 0) {
        set_message(&c->res, "cannot set up the resource limits: %s", strerror(errno));
        c->res.status = TESTCAGE_SETUP_ERROR;
    }
    c->res.limits_via = c->lim.via;
    if (o->keep_on_fail && plan_keep_dir(c, &p, o) < 0) {
        set_message(&c->res, "cannot use %s for kept files: %s", o->keep_on_fail, strerror(errno));
        c->res.status = TESTCAGE_SETUP_ERROR;
    }
    if (c->res.status == TESTCAGE_SETUP_ERROR) {
        errno = 0;
    } else if (make_pipe(res) < 0 || make_pipe(rep) < 0 ||
               (o->capture_output && make_pipe(cap) < 0)) {
        set_message(&c->res, "cannot make a pipe: %s", strerror(errno));
        c->res.status = TESTCAGE_SETUP_ERROR;
    } else {
        p.result_w = res[1];
        p.report_w = rep[1];
        p.capture_w = cap[1];
        c->fd[SRC_RESULT] = res[0];
        c->fd[SRC_REPORT] = rep[0];
        c->fd[SRC_CAPTURE] = cap[0];
        res[0] = rep[0] = cap[0] = -1;
        link_cage(c); /* from here on, later cages' children close our fds */
        c->pid = spawn(c, &p, o);
    }
    int err = errno;
    if (p.keep_fd >= 0)
        close(p.keep_fd);
    for (int k = 0; k < 2; k++)
        if (p.cgroup_fd[k] >= 0)
            close(p.cgroup_fd[k]);
    close_pair(res);
    close_pair(rep);
    close_pair(cap);
    c->res.isolated = !p.fork_only;
    if (c->pid < 0 && c->res.status != TESTCAGE_SETUP_ERROR) {
        c->res.status = TESTCAGE_SETUP_ERROR;
        set_message(&c->res, "cannot clone the cage: %s", strerror(err));
    }
    if (c->pid > 0 && open_watch_fds(c, o) < 0) {
        c->res.status = TESTCAGE_SETUP_ERROR;
        set_message(&c->res, "cannot watch the cage: %s", strerror(errno));
        kill(c->pid, SIGKILL);
    }
    c->res.init_pid = c->pid;
    if (c->pid < 0 || c->res.status == TESTCAGE_SETUP_ERROR) {
        /* Nothing to watch: make the fd readable at once so the caller's
         * loop picks the verdict up like any other. */
        if (c->pid > 0)
            waitpid(c->pid, NULL, 0);
        c->pid = -1;
        c->phase = OVER;
        for (int k = 0; k < SRC_COUNT; k++)
            if (k != SRC_TIMER)
                unwatch(c, (enum source)k);
        arm_timer(c, 0);
    }
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
    c->res.interrupted = true;
    send_term(c);
}

void testcage_cage_finish(testcage_cage *cage, testcage_result *out)
{
    testcage_cage *c = cage;
    if (c->phase != OVER && c->pid > 0) {
        kill(c->pid, SIGKILL);
        on_init_exit(c, true);
    }
    if (c->cap.head)
        capture_finish(&c->cap, &c->res);
    for (int k = 0; k < SRC_COUNT; k++)
        close_fd(&c->fd[k]);
    close_fd(&c->epfd);
    close_fd(&c->park_fd);
    unlink_cage(c);
    tc_limits_release(&c->lim);
    /* Usually gone already; left when the init was killed or found files. */
    if (c->tmpdir && rmdir(c->tmpdir) < 0 && errno != ENOENT)
        tc_remove_tree(c->tmpdir);
    free(c->tmpdir);
    if (c->stack && (c->reaped || c->pid < 0))
        stack_give(c->stack); /* else an init may still run on it: leave it */
    free(c->cap.head);
    free(c->cap.tail);
    free(c->result_rd);
    free(c->report_rd);
    free(c->keep_parent);
    if (out)
        *out = c->res;
    else
        testcage_result_free(&c->res);
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
