/* optable.h - the one option table of both front ends (CLI and linked runner):
 * names, environment forms and help, the argv/environment walkers, --help. */
#ifndef TESTCAGE_OPTABLE_H
#define TESTCAGE_OPTABLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Which front end has an option. */
enum { TC_FRONT_CLI = 1, TC_FRONT_SUITE = 2, TC_FRONT_BOTH = 3 };

typedef enum tc_opt_id {
    TC_OPT_HELP,
    TC_OPT_VERSION,
    TC_OPT_LIST,
    TC_OPT_FILTER,
    TC_OPT_RUN,
    TC_OPT_JOBS,
    TC_OPT_TIMEOUT,
    TC_OPT_GRACE,
    TC_OPT_LEAKS,
    TC_OPT_NS,
    TC_OPT_CLOCK_OFFSET,
    TC_OPT_NO_PRIVATE_TMP,
    TC_OPT_TMP_SIZE,
    TC_OPT_TMP_MODE,
    TC_OPT_TMP_OPTIONS,
    TC_OPT_KEEP,
    TC_OPT_REQUIRE_ISOLATION,
    TC_OPT_NO_PROC,
    TC_OPT_KEEP_CAPS,
    TC_OPT_ON_TIMEOUT,
    TC_OPT_NO_BACKTRACE,
    TC_OPT_KEEP_ON_FAIL,
    TC_OPT_MAX_PROCS,
    TC_OPT_MEMORY,
    TC_OPT_WRAP,
    TC_OPT_VALGRIND,
    TC_OPT_EXEC,
    TC_OPT_SHARD,
    TC_OPT_TAP,
    TC_OPT_JSON,
    TC_OPT_JUNIT,
    TC_OPT_QUIET,
    TC_OPT_VERBOSE,
    TC_OPT_ENTER,
    TC_OPT_FAIL_FAST,
    TC_OPT_SHUFFLE,
    TC_OPT_SEED,
    TC_OPT_DURATIONS,
    TC_OPT_COLOR,
    TC_OPT_REPEAT,
    TC_OPT_UNTIL_FAIL,
    TC_OPT_NO_CAGE,
    TC_OPT_TAP_EXIT,
} tc_opt_id;

/* Fields in the order a table row reads; the padding of 40 rows is no cost. */
typedef struct tc_optdef { // NOLINT(clang-analyzer-optin.performance.Padding)
    tc_opt_id id;
    const char *longname;
    char shortname;         /* 0: none */
    const char *metavar;    /* NULL: a switch without a value */
    unsigned fronts;        /* TC_FRONT_* */
    const char *env;        /* environment form; NULL: none */
    char env_sep;           /* the environment form is a list split on this; 0: one value */
    const char *help;       /* lines split on '\n' */
    const char *help_suite; /* the linked runner's wording; NULL: `help` */
} tc_optdef;

extern const tc_optdef tc_optdefs[];
extern const size_t tc_noptdefs;

/* Called for each option found. `val` is NULL for a switch given as a flag,
 * else the value (an environment form of a switch passes its word). `source`
 * names the option as the user spelled it, for messages. `rest` is what
 * follows on the command line (NULL from the environment). Returns 0 to go
 * on, TC_OPT_STOP to end the command line here, or an exit status after
 * printing a one-line error. */
enum { TC_OPT_STOP = -1 };
typedef int (*tc_opt_fn)(void *ctx, const tc_optdef *d, const char *val, const char *source,
                         char **rest);

/* Every environment form of `front` that is set and not empty, list forms
 * split; returns 0 or fn's first non-zero. */
int tc_opt_env(unsigned front, tc_opt_fn fn, void *ctx);

/* argv[1..]: long options (--name, --name=V, --name V, unique prefixes),
 * short ones (-q, -qv, -j4, -j 4). The CLI stops at the first operand,
 * the linked runner refuses operands; both stop after "--". *first is the
 * index after the options. Returns 0 or an exit status (error printed,
 * prefixed with `prog`). */
int tc_opt_argv(unsigned front, const char *prog, int argc, char **argv, int *first, tc_opt_fn fn,
                void *ctx);

/* A switch's value: NULL (given as a flag) is true; else 1/yes/true/on or
 * 0/no/false/off. -1 with a reason in err for anything else. */
int tc_opt_bool(const char *val, bool *out, char *err, size_t errlen);

/* The options part of --help for `front`, each with its environment form. */
void tc_opt_usage(FILE *out, unsigned front);

/* Blocks the signals both front ends tear their cages down on and returns a
 * signalfd for them (old mask saved in *old), or -1 with errno, mask kept. */
int tc_teardown_sigfd(sigset_t *old);

#endif
