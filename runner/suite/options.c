/* options.c - the linked runner's options: TESTCAGE_* environment first, then
 * the command line, so flags win; the Bazel variables (bazel.c) come last. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "optable.h"
#include "parse_internal.h"
#include "suite_internal.h"

void tc_suite_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "usage: %s [OPTIONS]\n"
            "Runs every test case in its own namespace cage.\n"
            "Options (environment form in brackets; switches there take 1/0 or yes/no;\n"
            "flags win):\n",
            prog);
    tc_opt_usage(out, TC_FRONT_SUITE);
}

static int bad(const char *what, const char *value, const char *why)
{
    fprintf(stderr, "%s: %s '%s': %s\n", program_invocation_short_name, what, value, why);
    return TC_EXIT_SETUP;
}

static int add_filter(tc_suite_opts *o, const char *glob)
{
    if (!glob)
        return bad("--filter", "", "needs a GLOB");
    char **f = realloc(o->filters, (o->nfilters + 1) * sizeof *f);
    if (!f)
        return bad("--filter", glob, strerror(errno));
    o->filters = f;
    if (!(f[o->nfilters] = strdup(glob)))
        return bad("--filter", glob, strerror(errno));
    o->nfilters++;
    return 0;
}

/* --wrap "strace -f -o log" becomes an argv prefix split on blanks. */
static int set_wrap(tc_suite_opts *o, const char *cmd)
{
    free(o->wrap_buf);
    free(o->wrap);
    o->wrap = NULL;
    if (!(o->wrap_buf = strdup(cmd)))
        return bad("--wrap", cmd, strerror(errno));
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(o->wrap_buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char **v = realloc(o->wrap, (n + 2) * sizeof *v);
        if (!v)
            return bad("--wrap", cmd, strerror(errno));
        o->wrap = v;
        v[n++] = w;
        v[n] = NULL;
    }
    if (n == 0)
        return bad("--wrap", cmd, "empty command");
    o->exec = true;
    return 0;
}

/* Switches: a flag sets them, the environment form says yes or no. */
static int apply_switch(tc_suite_opts *o, const tc_optdef *d, const char *name, const char *val)
{
    char err[200];
    bool on;
    if (tc_opt_bool(val, &on, err, sizeof err) < 0)
        return bad(name, val, err);
    switch (d->id) {
    case TC_OPT_HELP:
        o->help = on;
        break;
    case TC_OPT_LIST:
        o->list = on;
        break;
    case TC_OPT_TAP:
        o->tap = on;
        break;
    case TC_OPT_EXEC:
        o->exec = o->exec || on;
        break;
    case TC_OPT_VALGRIND:
        o->valgrind = on, o->exec = o->exec || on;
        break;
    case TC_OPT_VERBOSE:
        o->verbosity = on ? 1 : o->verbosity;
        break;
    case TC_OPT_QUIET:
        o->verbosity = on ? -1 : o->verbosity;
        break;
    case TC_OPT_NO_BACKTRACE:
        o->no_backtrace = on;
        break;
    case TC_OPT_NO_PRIVATE_TMP:
        o->no_private_tmp = on;
        break;
    case TC_OPT_REQUIRE_ISOLATION:
        o->require_isolation = on;
        break;
    case TC_OPT_FAIL_FAST:
        o->fail_fast = on;
        break;
    case TC_OPT_SHUFFLE:
        o->shuffle = on || o->seed_set;
        break;
    case TC_OPT_NO_CAGE:
        o->no_cage = on;
        break;
    default:
        break;
    }
    return 0;
}

/* Options whose value is checked by a parser in parse.c. */
static int apply_parsed(tc_suite_opts *o, const tc_optdef *d, const char *name, const char *val)
{
    char err[200];
    int rc = 0, n = 0;
    switch (d->id) {
    case TC_OPT_JOBS:
        rc = tc_parse_count(val, &o->jobs, err, sizeof err);
        break;
    case TC_OPT_TIMEOUT:
        rc = tc_parse_duration(val, &o->timeout, err, sizeof err);
        o->timeout_set = true;
        break;
    case TC_OPT_GRACE:
        rc = tc_parse_duration(val, &o->grace, err, sizeof err);
        break;
    case TC_OPT_LEAKS:
        rc = tc_parse_leaks(val, &o->leaks, err, sizeof err);
        break;
    case TC_OPT_MEMORY:
        rc = tc_parse_bytes(val, &o->memory_max, err, sizeof err);
        break;
    case TC_OPT_CLOCK_OFFSET:
        rc = tc_parse_clock_offset(val, &o->monotonic_offset, &o->boottime_offset, err, sizeof err);
        break;
    case TC_OPT_NS:
        rc = tc_parse_namespaces(val, &o->namespaces, err, sizeof err);
        o->namespaces_set = true;
        break;
    case TC_OPT_SHARD:
        rc = tc_parse_shard(val, &o->shard_index, &o->shard_total, err, sizeof err);
        break;
    case TC_OPT_MAX_PROCS:
        rc = tc_parse_count(val, &n, err, sizeof err);
        o->max_procs = (unsigned)n;
        break;
    case TC_OPT_TMP_SIZE:
        rc = tc_parse_size(val, o->tmp_size, sizeof o->tmp_size, err, sizeof err);
        break;
    case TC_OPT_SEED:
        rc = tc_parse_seed(val, &o->seed, err, sizeof err);
        o->seed_set = o->shuffle = true;
        break;
    case TC_OPT_DURATIONS:
        rc = tc_parse_count(val, &o->durations, err, sizeof err);
        break;
    case TC_OPT_COLOR:
        rc = tc_parse_color(val, &o->color, err, sizeof err);
        break;
    case TC_OPT_TAP_EXIT:
        rc = tc_parse_tap_exit(val, &o->tap_exit_stream, err, sizeof err);
        break;
    case TC_OPT_REPEAT:
    case TC_OPT_UNTIL_FAIL:
        /* One count of rounds: the later of the two wins, as for any option. */
        rc = tc_parse_rounds(val, &o->rounds, err, sizeof err);
        o->until_fail = d->id == TC_OPT_UNTIL_FAIL;
        break;
    default:
        return apply_switch(o, d, name, val);
    }
    return rc < 0 ? bad(name, val, err) : 0;
}

/* Applies one option; `name` is how the user spelled it, for messages. */
static int apply(void *ctx, const tc_optdef *d, const char *val, const char *name, char **rest)
{
    tc_suite_opts *o = ctx;
    (void)rest;
    switch (d->id) {
    case TC_OPT_FILTER:
        return add_filter(o, val);
    case TC_OPT_RUN:
        return o->run = val, 0;
    case TC_OPT_JUNIT:
        return o->junit[0] = val, 0;
    case TC_OPT_JSON:
        return o->json = val, 0;
    case TC_OPT_WRAP:
        return set_wrap(o, val);
    case TC_OPT_KEEP_ON_FAIL:
        return *val ? (o->keep_on_fail = val, 0) : bad(name, "", "needs a directory");
    case TC_OPT_ON_TIMEOUT:
        return o->on_timeout = *val ? val : NULL, 0;
    default:
        return apply_parsed(o, d, name, val);
    }
}

/* --no-cage runs bodies here: what needs a cage or a second process cannot go with it. */
static int check_no_cage(const tc_suite_opts *o)
{
    if (!o->no_cage)
        return 0;
    if (o->exec)
        return bad("--no-cage",
                   o->valgrind ? "--valgrind"
                   : o->wrap   ? "--wrap"
                               : "--exec",
                   "runs each case in a new process, which --no-cage does not");
    if (o->require_isolation)
        return bad("--no-cage", "--require-isolation", "the two contradict each other");
    return 0;
}

/* Clock offsets need a time namespace: not with --ns none. */
static int check_clock(const tc_suite_opts *o)
{
    if ((o->monotonic_offset || o->boottime_offset) && o->namespaces_set && !o->namespaces)
        return bad("--clock-offset", "--ns none", "a time namespace is needed");
    return 0;
}

int tc_suite_opts_parse(tc_suite_opts *o, int argc, char **argv)
{
    *o = (tc_suite_opts){.jobs = 1, .timeout = 60, .grace = 2};
    int first, rc = tc_opt_env(TC_FRONT_SUITE, apply, o);
    /* What follows "--" belongs to the test program. */
    if (!rc)
        rc = tc_opt_argv(TC_FRONT_SUITE, program_invocation_short_name, argc, argv, &first, apply,
                         o);
    if (!rc)
        rc = tc_bazel_env(o);
    if (!rc)
        rc = check_no_cage(o);
    if (!rc)
        rc = check_clock(o);
    if (!rc && o->jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o->jobs = n > 0 ? (int)n : 1;
    }
    return rc;
}

void tc_suite_opts_free(tc_suite_opts *o)
{
    for (size_t i = 0; i < o->nfilters; i++)
        free(o->filters[i]);
    free(o->filters);
    free(o->test_only);
    free(o->test_only_buf);
    free(o->wrap);
    free(o->wrap_buf);
    *o = (tc_suite_opts){0};
}
