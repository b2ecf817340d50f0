/* scheduler.c - the run: a single-threaded poll loop keeps up to -j cages
 * going and reports finished cases in declaration order. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "optable.h"
#include "parse_internal.h"
#include "suite_internal.h"

double tc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A fresh /tmp in the cage hides a binary that lives under /tmp; exec mode
 * needs it, so its directory is bind-mounted back. */
static int keep_self(tc_run *run)
{
    if (strncmp(run->self, "/tmp/", 5) != 0 && strncmp(run->self, "/dev/shm/", 9) != 0)
        return 0;
    if (!(run->keep_dir = strdup(run->self)))
        return -1;
    *strrchr(run->keep_dir, '/') = '\0';
    run->keep[0] = run->keep_dir;
    return 0;
}

static char *self_path(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return strdup(buf);
}

static void release_run(tc_run *run)
{
    close(run->sigfd);
    sigprocmask(SIG_SETMASK, &run->oldmask, NULL);
    free(run->self);
    free(run->keep_dir);
    run->self = run->keep_dir = NULL;
}

/* Under --require-isolation a refusal is known before any case (and any
 * report file is opened): nothing runs. Otherwise what the machine denies
 * the cages comes with the first result (tc_isolation_news). */
static int say_isolation(const tc_suite_opts *o)
{
    testcage_opts co;
    testcage_opts_init(&co);
    if (o->namespaces_set)
        co.namespaces = o->namespaces;
    co.private_tmp = !o->no_private_tmp;
    co.tmp_size = o->tmp_size[0] ? o->tmp_size : NULL;
    return tc_say_isolation(&co, o->require_isolation, o->verbosity);
}

int tc_run_begin(tc_run *run, const tc_suite_opts *o, const char *suite, size_t total)
{
    *run = (tc_run){.opts = o, .suite = suite, .started = tc_now(), .sigfd = -1};
    if (say_isolation(o) != 0)
        return TC_EXIT_SETUP;
    if (o->exec && (!(run->self = self_path()) || keep_self(run) < 0)) {
        fprintf(stderr, "%s: cannot find own executable: %s\n", suite, strerror(errno));
        free(run->self);
        return TC_EXIT_SETUP;
    }
    if ((run->sigfd = tc_teardown_sigfd(&run->oldmask)) < 0) {
        fprintf(stderr, "%s: signalfd: %s\n", suite, strerror(errno));
        free(run->self);
        free(run->keep_dir);
        return TC_EXIT_SETUP;
    }
    if (tc_bazel_start(run) < 0 || tc_outputs_open(&run->out, o) < 0) {
        release_run(run);
        return TC_EXIT_SETUP;
    }
    if (o->shuffle) {
        /* Said first, so any failing order can be replayed with --seed. */
        run->sum.shuffled = true;
        run->sum.seed = o->seed_set ? o->seed : (unsigned)(time(NULL) ^ getpid()) & 0x7fffffff;
        fprintf(stderr, "testcage: shuffling the cases with --seed %u\n", run->sum.seed);
    }
    run->sum.shard_index = o->shard_index;
    run->sum.shard_total = o->shard_total;
    tc_outputs_begin(&run->out, suite, tc_rounds_total(o, total));
    run->begun = true;
    return 0;
}

/* --durations N: the N slowest cases, after the report. TAP owns stdout. */
static void say_durations(tc_run *run)
{
    const tc_suite_opts *o = run->opts;
    FILE *out = o->tap ? stderr : stdout;
    size_t n = (size_t)o->durations < run->ntimed ? (size_t)o->durations : run->ntimed;
    if (n)
        fprintf(out, "slowest %zu case%s:\n", n, n == 1 ? "" : "s");
    for (size_t k = 0; k < n; k++) {
        size_t best = k;
        for (size_t i = k + 1; i < run->ntimed; i++)
            if (run->timed[i].duration > run->timed[best].duration)
                best = i;
        struct tc_timed t = run->timed[best];
        run->timed[best] = run->timed[k];
        run->timed[k] = t;
        fprintf(out, "  %9.3f s  %s\n", t.duration, t.name);
    }
    for (size_t i = 0; i < run->ntimed; i++)
        free(run->timed[i].name);
    free(run->timed);
    run->timed = NULL;
    run->ntimed = 0;
}

int tc_run_exit_status(const tc_run *run)
{
    if (run->opts->tap && run->opts->tap_exit_stream)
        return 0; /* the failures are in the stream; the stream is whole */
    return run->failed ? 1 : 0;
}

int tc_run_end(tc_run *run)
{
    if (!run->begun || run->ended)
        return tc_run_exit_status(run);
    run->ended = true;
    fflush(NULL);
    run->sum.duration = tc_now() - run->started;
    int rc = tc_outputs_end(&run->out, &run->sum);
    tc_outputs_close(&run->out);
    say_durations(run);
    tc_rounds_end(run);
    release_run(run);
    if (rc < 0)
        return 1;
    if (!run->interrupted)
        tc_bazel_finish(run->opts);
    return tc_run_exit_status(run);
}

/* One running cage and what it needs until it is over. */
struct slot {
    testcage_cage *cage;
    size_t pos;
    const char **argv; /* exec mode */
};

/* A case held until its turn to be reported. */
struct held {
    bool started, announced, done;
    testcage_result result;
};

struct loop {
    tc_run *run;
    tc_suite_case *const *cases;
    size_t n, next_start, next_report, nrunning, window;
    struct slot *slots;
    struct held *held; /* ring of `window` entries, indexed by pos % window */
};

/* exec mode: [wrapper...] self --run NAME */
static const char **exec_argv(const tc_run *run, const tc_suite_case *c)
{
    static const char *const vg[] = {"valgrind",
                                     "-q",
                                     "--vgdb=no",
                                     "--leak-check=full",
                                     "--errors-for-leak-kinds=definite",
                                     "--error-exitcode=99"};
    const tc_suite_opts *o = run->opts;
    size_t nwrap = 0, nvg = o->valgrind ? sizeof vg / sizeof *vg : 0;
    while (o->wrap && o->wrap[nwrap])
        nwrap++;
    const char **argv = calloc(nwrap + nvg + 4, sizeof *argv);
    if (!argv)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < nwrap; i++)
        argv[k++] = o->wrap[i];
    for (size_t i = 0; i < nvg; i++)
        argv[k++] = vg[i];
    argv[k++] = run->self;
    argv[k++] = "--run";
    argv[k++] = c->full;
    return argv;
}

static void case_opts(const tc_run *run, const tc_suite_case *c, testcage_opts *co)
{
    const tc_suite_opts *o = run->opts;
    testcage_opts_init(co);
    co->timeout = tc_run_case_limit(run, c->timeout >= 0 ? c->timeout : o->timeout);
    co->grace = c->grace >= 0 ? c->grace : o->grace;
    co->leaks = c->leaks >= 0 ? (enum testcage_leak_policy)c->leaks : o->leaks;
    if (c->namespaces >= 0)
        co->namespaces = (unsigned)c->namespaces;
    else if (o->namespaces_set)
        co->namespaces = o->namespaces;
    co->capture_output = true;
    co->name = c->full;
    co->max_procs = o->max_procs;
    co->memory_max = o->memory_max;
    co->monotonic_offset = o->monotonic_offset;
    co->boottime_offset = o->boottime_offset;
    co->tmp_size = o->tmp_size[0] ? o->tmp_size : NULL;
    co->keep_on_fail = o->keep_on_fail;
    co->on_timeout = o->on_timeout;
    co->timeout_backtrace = !o->no_backtrace;
    co->private_tmp = !o->no_private_tmp;
    co->require_isolation = o->require_isolation;
    if (run->keep[0])
        co->keep = run->keep;
    co->fn = tc_case_body;
    co->fn_arg = (void *)c;
}

/* A case that never got a cage still gets a result to report. */
static void setup_error(testcage_result *r, const char *why)
{
    *r = (testcage_result){.status = TESTCAGE_SETUP_ERROR, .exit_code = -1};
    r->message = strdup(why);
}

static void start_one(struct loop *l)
{
    size_t pos = l->next_start++;
    const tc_suite_case *c = l->cases[pos];
    struct held *h = &l->held[pos % l->window];
    *h = (struct held){.started = true};
    char why[128];
    if (tc_run_why_not(l->run, why, sizeof why)) {
        tc_result_not_run(&h->result, why);
        h->done = true;
        return;
    }
    if (l->run->opts->no_cage) {
        tc_nocage_run(l->run, c, &h->result);
        h->done = true;
        return;
    }
    struct slot *s = &l->slots[l->nrunning];
    *s = (struct slot){.pos = pos};
    testcage_opts co;
    case_opts(l->run, c, &co);
    if (l->run->opts->exec && !(co.argv = s->argv = exec_argv(l->run, c))) {
        setup_error(&h->result, strerror(errno));
        h->done = true;
        return;
    }
    if (testcage_start(&co, &s->cage) < 0) { /* it flushes stdio before the clone */
        setup_error(&h->result, strerror(errno));
        h->done = true;
        free(s->argv);
        return;
    }
    l->nrunning++;
}

static void finish_slot(struct loop *l, size_t i)
{
    struct slot *s = &l->slots[i];
    const tc_suite_case *c = l->cases[s->pos];
    struct held *h = &l->held[s->pos % l->window];
    testcage_cage_finish(s->cage, &h->result);
    tc_result_interrupted(&h->result);
    if (l->run->opts->valgrind && h->result.exit_code == TC_VALGRIND_EXIT)
        tc_result_add_failure(&h->result, NULL, 0, "valgrind found errors (see output)");
    if (c->annotate)
        c->annotate(c, &h->result);
    if (l->run->opts->fail_fast && tc_result_failed(&h->result))
        l->run->stopped = true;
    h->done = true;
    free(s->argv);
    l->slots[i] = l->slots[--l->nrunning];
}

static void record_duration(tc_run *run, const tc_suite_case *c, const testcage_result *r)
{
    if (run->opts->durations <= 0 || r->duration <= 0)
        return;
    struct tc_timed *t = realloc(run->timed, (run->ntimed + 1) * sizeof *t);
    if (!t)
        return; /* the list is a courtesy: a short one is no failure */
    run->timed = t;
    if ((t[run->ntimed].name = strdup(c->full)))
        t[run->ntimed++].duration = r->duration;
}

/* Reports every finished case whose turn has come. */
static void report_ready(struct loop *l)
{
    tc_run *run = l->run;
    while (l->next_report < l->next_start) {
        tc_suite_case *c = l->cases[l->next_report];
        struct held *h = &l->held[l->next_report % l->window];
        if (!h->announced) {
            tc_outputs_start(&run->out, c);
            h->announced = true;
        }
        if (!h->done)
            return;
        /* Said once per run: how the resource limits are enforced here. */
        static bool limits_said;
        if (h->result.limits_via && !limits_said && run->opts->verbosity >= 0 && !run->opts->tap) {
            fprintf(stderr, "testcage: limits enforced through %s\n", h->result.limits_via);
            limits_said = true;
        }
        tc_isolation_news(&h->result, run->opts->verbosity); /* said once, if not at the start */
        tc_outputs_done(&run->out, c, &h->result);
        tc_annotate_ci(stdout, c, &h->result);
        record_duration(run, c, &h->result);
        tc_summary_add(&run->sum, &h->result);
        if (tc_result_failed(&h->result)) {
            run->failed++;
            c->failed_runs++;
            if (!run->round_failure)
                run->round_failure = c->full;
        }
        testcage_result_free(&h->result);
        h->done = h->started = false;
        l->next_report++;
    }
}

static void on_signal(struct loop *l)
{
    struct signalfd_siginfo si;
    while (read(l->run->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        l->run->signo = (int)si.ssi_signo;
        for (size_t i = 0; i < l->nrunning; i++)
            testcage_cage_terminate(l->slots[i].cage);
    }
}

static void wait_and_dispatch(struct loop *l, struct pollfd *pfd)
{
    for (size_t i = 0; i < l->nrunning; i++)
        pfd[i] = (struct pollfd){.fd = testcage_cage_fd(l->slots[i].cage), .events = POLLIN};
    pfd[l->nrunning] = (struct pollfd){.fd = l->run->sigfd, .events = POLLIN};
    if (poll(pfd, l->nrunning + 1, -1) < 0) {
        if (errno != EINTR)
            perror("poll");
        return;
    }
    if (pfd[l->nrunning].revents)
        on_signal(l);
    /* Walk backwards: finishing a slot moves the last one into its place. */
    for (size_t i = l->nrunning; i-- > 0;)
        if (pfd[i].revents && testcage_cage_dispatch(l->slots[i].cage) == 1)
            finish_slot(l, i);
}

/* Never starts a case further than `window` ahead of the oldest unreported
 * one, so held results (each up to the capture limit) stay bounded even when
 * an early case hangs while later ones finish. A case that must not start
 * (tc_run_why_not) takes no slot: it is reported as not run. */
static void loop_run(struct loop *l, struct pollfd *pfd)
{
    size_t jobs = (size_t)l->run->opts->jobs;
    char why[128];
    for (;;) {
        while ((l->nrunning < jobs || tc_run_why_not(l->run, why, sizeof why)) &&
               l->next_start < l->n && l->next_start < l->next_report + l->window)
            start_one(l);
        report_ready(l);
        if (l->nrunning == 0 && l->next_start == l->n)
            break;
        if (l->nrunning == 0)
            continue; /* a start failed: start the next one */
        wait_and_dispatch(l, pfd);
    }
}

/* splitmix64: the same order for the same seed on every libc. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* --shuffle: a Fisher-Yates permutation of this round's cases (a cmocka
 * group is a round), seeded by the run's seed and the round. */
static tc_suite_case **shuffled(tc_run *run, tc_suite_case *const *cases, size_t n)
{
    tc_suite_case **v = malloc((n ? n : 1) * sizeof(tc_suite_case *));
    if (!v)
        return NULL;
    memcpy(v, cases, n * sizeof(tc_suite_case *));
    uint64_t state = ((uint64_t)run->sum.seed << 32) | run->rounds;
    for (size_t i = n; i > 1; i--) {
        size_t k = (size_t)(next_random(&state) % i);
        tc_suite_case *t = v[i - 1];
        v[i - 1] = v[k];
        v[k] = t;
    }
    return v;
}

size_t tc_run_round(tc_run *run, tc_suite_case *const *cases, size_t n)
{
    tc_suite_case **order = run->opts->shuffle ? shuffled(run, cases, n) : NULL;
    run->rounds++;
    if (run->opts->shuffle && !order) {
        perror(run->suite);
        exit(1);
    }
    if (order)
        cases = order;
    size_t jobs = run->opts->jobs > 0 ? (size_t)run->opts->jobs : 1;
    size_t before = run->failed, window = jobs * 8 < 64 ? 64 : jobs * 8;
    if (run->opts->no_cage)
        window = 1; /* each case is reported before the next one runs */
    struct loop l = {.run = run, .cases = cases, .n = n, .window = window};
    l.slots = calloc(jobs, sizeof *l.slots);
    l.held = calloc(window, sizeof *l.held);
    struct pollfd *pfd = calloc(jobs + 1, sizeof *pfd);
    if (!l.slots || !l.held || !pfd) {
        perror(run->suite);
        exit(1);
    }
    loop_run(&l, pfd);
    free(order);
    free(pfd);
    free(l.slots);
    free(l.held);
    if (run->signo) {
        run->interrupted = true;
        if (run->skip_rest)
            run->skip_rest(run);
        tc_run_end(run);
        fprintf(stderr, "%s: interrupted by %s\n", run->suite, strsignal(run->signo));
        exit(128 + run->signo);
    }
    return run->failed - before;
}
