/* suite_internal.h - the linked runner's parts shared by the cmocka adapter and
 * the plain-C main: cases, options, selection, the cage scheduler, reporting. */
#ifndef TESTCAGE_SUITE_INTERNAL_H
#define TESTCAGE_SUITE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <signal.h>
#include <setjmp.h>
#include <stdio.h>

#include <testcage/testcage.h>

#include "parse_internal.h"
#include "report_internal.h"

/* Exit status valgrind gives a case it found errors in (--error-exitcode). */
#define TC_VALGRIND_EXIT 99

typedef struct tc_suite_case tc_suite_case;

/* One case. Names are borrowed from the test program (static strings). */
struct tc_suite_case {
    const char *group;      /* cmocka group; NULL for plain cases */
    const char *name;       /* case name */
    char *full;             /* "group/case" (cmocka) or "case" (plain); owned */
    size_t index;           /* global declaration index: sharding uses it */
    int (*body)(void *arg); /* runs the case in the current process */
    void *arg;
    /* Turns what the case printed into failure records (cmocka); may be NULL. */
    void (*annotate)(const tc_suite_case *c, testcage_result *result);
    double timeout, grace; /* < 0: suite default */
    long namespaces;       /* < 0: suite default */
    int leaks;             /* < 0: suite default */
    unsigned failed_runs;  /* --repeat: its runs that failed so far */
};

/* registry.c: a growable list of cases. */
typedef struct tc_registry {
    tc_suite_case *cases;
    size_t n, cap;
} tc_registry;

/* Appends a case (full name derived from group and name); NULL on ENOMEM. */
tc_suite_case *tc_registry_add(tc_registry *reg, const char *group, const char *name,
                               bool qualified);
void tc_registry_free(tc_registry *reg);

/* options.c: command line + TESTCAGE_* environment (flags win). */
typedef struct tc_suite_opts {
    bool help, list, tap, exec, valgrind;
    bool tap_exit_stream; /* --tap-exit stream: 0 once the TAP stream is whole */
    int verbosity; /* -1 quiet, 0, 1 verbose */
    int jobs;
    double timeout, grace;
    bool timeout_set; /* --timeout or TESTCAGE_TIMEOUT: Bazel's TEST_TIMEOUT does not cap it */
    unsigned namespaces;
    bool namespaces_set;
    enum testcage_leak_policy leaks;
    const char *run; /* --run NAME */
    char **filters;  /* "-GLOB" excludes */
    size_t nfilters;
    unsigned shard_index, shard_total; /* total 0: no sharding */
    const char *shard_status_file;     /* Bazel: touched when sharding */
    const char *junit[3];              /* --junit, XML_OUTPUT_FILE, CMOCKA_XML_FILE; NULL: unused */
    const char *json;
    char **wrap;    /* exec-mode argv prefix, NULL-terminated; NULL: none */
    char *wrap_buf; /* the words wrap points into */
    const char *premature_exit_file;
    /* Bazel: TESTBRIDGE_TEST_ONLY's globs (--test_filter), which narrow the
     * selection further; TEST_TIMEOUT in seconds, 0 when unset. */
    char **test_only;
    char *test_only_buf;
    size_t ntest_only;
    double test_timeout;
    /* Passed to every cage as they are (see testcage_opts). */
    unsigned max_procs;
    uint64_t memory_max;
    int64_t monotonic_offset, boottime_offset; /* --clock-offset seconds */
    char tmp_size[32];
    const char *keep_on_fail, *on_timeout;
    bool no_backtrace, no_private_tmp, require_isolation;
    /* How the run goes. */
    bool fail_fast;
    bool shuffle, seed_set;
    unsigned seed;
    int durations;       /* list this many slowest cases at the end; 0: none */
    enum tc_color color; /* the console report's */
    unsigned rounds;     /* --repeat / --until-fail N; 0: one round */
    bool until_fail;     /* a failing round ends the run */
    bool no_cage;        /* --no-cage: cases run in this process */
} tc_suite_opts;

/* Returns 0, or the exit status to end with after printing one line to stderr
 * (TC_EXIT_SETUP for a bad option). argv[0] is the program. */
int tc_suite_opts_parse(tc_suite_opts *o, int argc, char **argv);
void tc_suite_opts_free(tc_suite_opts *o);
void tc_suite_usage(FILE *out, const char *prog);

/* filter.c / shard.c: which cases this process runs. */
bool tc_filter_match(const tc_suite_opts *o, const char *full);
bool tc_shard_match(const tc_suite_opts *o, size_t index);
bool tc_case_selected(const tc_suite_opts *o, const tc_suite_case *c);

/* body.c: what runs inside the cage before the case. */
int tc_case_body(void *arg);

/* bazel.c: the Bazel test protocol. */
/* Reads Bazel's variables into *o after the options (they come last); 0 or
 * the exit status for a bad value. */
int tc_bazel_env(tc_suite_opts *o);
/* The run begins: the markers, TEST_TIMEOUT's deadline, what the cases need
 * to find their own TEST_TMPDIR. 0 or -1 (said on stderr). */
struct tc_run;
int tc_bazel_start(struct tc_run *run);
int tc_bazel_ack_shard(const tc_suite_opts *o);
void tc_bazel_finish(const tc_suite_opts *o);
/* In the case's cage, before the case: TEST_TMPDIR (and a TMPDIR that was
 * Bazel's) become the cage's private /tmp, or fork only its private TMPDIR. */
void tc_bazel_case_env(void);

/* output.c: the reporters this run writes to, as one. */
typedef struct tc_outputs {
    tc_reporter *reps[6];
    size_t n;
    unsigned run; /* --repeat: the round being reported, names become NAME#run; 0: none */
} tc_outputs;

int tc_outputs_open(tc_outputs *out, const tc_suite_opts *o);
void tc_outputs_begin(tc_outputs *out, const char *suite, size_t total);
void tc_outputs_start(tc_outputs *out, const tc_suite_case *c);
void tc_outputs_done(tc_outputs *out, const tc_suite_case *c, const testcage_result *r);
int tc_outputs_end(tc_outputs *out, const tc_summary *sum);
void tc_outputs_close(tc_outputs *out);

/* scheduler.c: the whole run of one process. */
typedef struct tc_run {
    const tc_suite_opts *opts;
    tc_outputs out;
    tc_summary sum;
    const char *suite;
    char *self;       /* this binary's path, for exec mode */
    double started;   /* monotonic seconds */
    int sigfd;        /* the teardown signals (tc_teardown_sigfd) */
    sigset_t oldmask; /* restored at the end: main() goes on after a cmocka run */
    char *keep_dir;   /* exec mode: our directory when under /tmp (hidden there) */
    const char *keep[2];
    bool begun, ended;
    bool interrupted; /* keeps the Bazel premature-exit marker */
    size_t failed;    /* cases failed so far */
    bool stopped;     /* --fail-fast: a case failed, no other starts */
    unsigned rounds;  /* tc_run_round calls so far (groups, rounds): seed --shuffle */
    int signo;        /* the teardown signal that ended the run, else 0 */
    double deadline;  /* monotonic: no case may run past it (TEST_TIMEOUT); 0: none */
    /* Reports the cases of later rounds as not run when a signal ends the
     * run early (cmocka: the groups discovery found but main never called). */
    void (*skip_rest)(struct tc_run *run);
    struct tc_timed {
        char *name;
        double duration;
    } * timed; /* --durations: every case run, in report order */
    size_t ntimed;
    const char *round_failure; /* the first case that failed in this round */
    bool until_failed;         /* --until-fail: a round failed, none runs after it */
} tc_run;

/* Opens the outputs and starts the report; returns 0 or an exit status. */
int tc_run_begin(tc_run *run, const tc_suite_opts *o, const char *suite, size_t total);
/* Runs the cases (already selected) in cages, reports them in order and
 * returns how many runs failed: once each, or in rounds (rounds.c). On a
 * teardown signal (SIGINT, SIGTERM, ...) ends the run and exits 128+N. */
size_t tc_run_cases(tc_run *run, tc_suite_case *const *cases, size_t n);
/* scheduler.c: one round of tc_run_cases. */
size_t tc_run_round(tc_run *run, tc_suite_case *const *cases, size_t n);

/* rounds.c: how many results a run of `total` selected cases reports (0:
 * not known before, as when --until-fail may stop early). */
size_t tc_rounds_total(const tc_suite_opts *o, size_t total);
/* At the end of the run: --until-fail says when no round failed. */
void tc_rounds_end(const tc_run *run);

/* nocage.c: --no-cage. Runs one case in this process and fills *r. */
void tc_nocage_run(tc_run *run, const tc_suite_case *c, testcage_result *r);
/* Armed while a TESTCAGE_TEST case runs uncaged: testcage_fail() jumps here
 * (with 1) instead of exiting; NULL in a cage. */
extern jmp_buf *tc_nocage_jump;
/* Ends the report; returns the process exit status (tc_run_exit_status). */
int tc_run_end(tc_run *run);
/* 1 when a case failed, else 0; always 0 under --tap --tap-exit stream. */
int tc_run_exit_status(const tc_run *run);
/* Why a case that is due must not start (--fail-fast, a teardown signal,
 * TEST_TIMEOUT used up), or NULL: it may. */
const char *tc_run_why_not(const tc_run *run, char *buf, size_t len);
/* A skip result "not run: WHY" for a case that never got a cage. */
void tc_result_not_run(testcage_result *r, const char *why);
/* Reports one case as not run, in order with the rest (cmocka's skip_rest). */
void tc_run_report_not_run(tc_run *run, const tc_suite_case *c, const char *why);
/* The limit a case gets: its own or the run's, capped by the deadline. */
double tc_run_case_limit(const tc_run *run, double limit);
/* A case the run's teardown signal ended is reported as interrupted, not as
 * killed by the cage's own SIGTERM or SIGKILL. */
void tc_result_interrupted(testcage_result *r);

/* annotate.c: failure records from valgrind and cmocka output. */
int tc_result_add_failure(testcage_result *r, const char *file, int line, const char *msg);
void tc_annotate_cmocka(const tc_suite_case *c, testcage_result *r);

/* ci.c: GitHub Actions annotations (GITHUB_ACTIONS=true) of a finished case:
 * ::error for each failure with a file and line, ::warning for each leak. */
void tc_annotate_ci(FILE *out, const tc_suite_case *c, const testcage_result *r);

/* Monotonic clock in seconds. */
double tc_now(void);
/* Is this process a case body (in its cage, or run in-process)? */
bool tc_in_case_body(void);

#endif
