/* options.c - the linked runner's options: TESTCAGE_* environment first, then
 * the command line, so flags win; the Bazel variables come last in priority. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "parse_internal.h"
#include "suite_internal.h"

enum { OPT_NOARG, OPT_ARG };

struct optdef {
    const char *longname;
    char shortname;
    int has_arg;
    const char *env; /* environment form, NULL: none */
};

static const struct optdef optdefs[] = {
    {"help", 'h', OPT_NOARG, NULL},
    {"list", 0, OPT_NOARG, NULL},
    {"filter", 0, OPT_ARG, "TESTCAGE_FILTER"},
    {"run", 0, OPT_ARG, NULL},
    {"jobs", 'j', OPT_ARG, "TESTCAGE_JOBS"},
    {"timeout", 0, OPT_ARG, "TESTCAGE_TIMEOUT"},
    {"grace", 0, OPT_ARG, "TESTCAGE_GRACE"},
    {"leaks", 0, OPT_ARG, "TESTCAGE_LEAKS"},
    {"ns", 0, OPT_ARG, "TESTCAGE_NS"},
    {"tap", 0, OPT_NOARG, "TESTCAGE_TAP"},
    {"junit", 0, OPT_ARG, "TESTCAGE_JUNIT"},
    {"json", 0, OPT_ARG, "TESTCAGE_JSON"},
    {"shard", 0, OPT_ARG, "TESTCAGE_SHARD"},
    {"exec", 0, OPT_NOARG, "TESTCAGE_EXEC"},
    {"wrap", 0, OPT_ARG, "TESTCAGE_WRAP"},
    {"valgrind", 0, OPT_NOARG, "TESTCAGE_VALGRIND"},
    {"verbose", 'v', OPT_NOARG, "TESTCAGE_VERBOSE"},
    {"quiet", 'q', OPT_NOARG, "TESTCAGE_QUIET"},
    {"max-procs", 0, OPT_ARG, "TESTCAGE_MAX_PROCS"},
    {"memory", 0, OPT_ARG, "TESTCAGE_MEMORY"},
    {"tmp-size", 0, OPT_ARG, "TESTCAGE_TMP_SIZE"},
    {"keep-on-fail", 0, OPT_ARG, "TESTCAGE_KEEP_ON_FAIL"},
    {"on-timeout", 0, OPT_ARG, "TESTCAGE_ON_TIMEOUT"},
    {"no-backtrace", 0, OPT_NOARG, "TESTCAGE_NO_BACKTRACE"},
    {"no-private-tmp", 0, OPT_NOARG, "TESTCAGE_NO_PRIVATE_TMP"},
    {"require-isolation", 0, OPT_NOARG, "TESTCAGE_REQUIRE_ISOLATION"},
};

void tc_suite_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "usage: %s [OPTIONS]\n"
            "Runs every test case in its own namespace cage.\n"
            "  --list            print the selected case names, one a line, and exit\n"
            "  --filter GLOB     run cases matching GLOB (repeatable); -GLOB excludes\n"
            "  --run NAME        run the one case NAME\n"
            "  -j, --jobs N      cages at once (default 1; 0 = number of CPUs)\n"
            "  --timeout S       wall-clock limit per case (default 60, 0 = none)\n"
            "  --grace S         SIGTERM -> SIGKILL delay (default 2)\n"
            "  --leaks MODE      warn (default) | fail | ignore\n"
            "  --ns LIST         namespaces: pid,mount,ipc,uts,net,user or none\n"
            "  --tap             TAP on stdout instead of the console report\n"
            "  --junit FILE      JUnit XML report\n"
            "  --json FILE       JSON report\n"
            "  --shard I/N       run shard I of N (cases k with k mod N = I)\n"
            "  --exec            re-execute this binary per case\n"
            "  --wrap CMD        run each case under CMD (implies --exec)\n"
            "  --valgrind        run each case under valgrind memcheck (implies --exec)\n"
            "  --max-procs N     at most N processes per cage (fork bombs stay inside)\n"
            "  --memory SIZE     memory limit per cage, e.g. 256m\n"
            "  --tmp-size SIZE   size of each cage's private /tmp and /dev/shm\n"
            "  --no-private-tmp  keep the host's /tmp and /dev/shm\n"
            "  --require-isolation  fail every case instead of running without namespaces\n"
            "  --keep-on-fail DIR   copy a failing case's /tmp and /dev/shm below DIR\n"
            "  --on-timeout CMD  run CMD inside a timed-out cage first (%%p = the case's pid)\n"
            "  --no-backtrace    no gdb backtrace of a timed-out case\n"
            "  -v, --verbose     show every case's output\n"
            "  -q, --quiet       only failures and the summary\n"
            "  -h, --help        this text\n"
            "Each option has an environment form TESTCAGE_<NAME> (TESTCAGE_FILTER takes\n"
            "GLOBs separated by ':'; booleans take 1/0); flags win.\n",
            prog);
}

static int bad(const char *what, const char *value, const char *why)
{
    fprintf(stderr, "%s: %s '%s': %s\n", program_invocation_short_name, what, value, why);
    return TC_EXIT_SETUP;
}

static int parse_bool(const char *name, const char *s, bool *out)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false", "off", ""};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (strcasecmp(s, yes[i]) == 0)
            return *out = true, 0;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (strcasecmp(s, no[i]) == 0)
            return *out = false, 0;
    return bad(name, s, "expected 1 or 0");
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

/* TESTCAGE_FILTER="a*:-b*" is two filters. */
static int add_filter_list(tc_suite_opts *o, const char *list)
{
    char *copy = strdup(list);
    if (!copy)
        return bad("TESTCAGE_FILTER", list, strerror(errno));
    int rc = 0;
    char *save = NULL;
    for (char *g = strtok_r(copy, ":", &save); g && !rc; g = strtok_r(NULL, ":", &save))
        rc = add_filter(o, g);
    free(copy);
    return rc;
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

static int apply_dispatch(tc_suite_opts *o, const char *opt, const char *name, const char *val);

/* Applies one option; `name` is how the user spelled it, for messages. */
static int apply(tc_suite_opts *o, const char *opt, const char *name, const char *val)
{
    char err[200];
    int rc = 0;
    if (strcmp(opt, "jobs") == 0)
        rc = tc_parse_count(val, &o->jobs, err, sizeof err);
    else if (strcmp(opt, "timeout") == 0)
        rc = tc_parse_duration(val, &o->timeout, err, sizeof err);
    else if (strcmp(opt, "grace") == 0)
        rc = tc_parse_duration(val, &o->grace, err, sizeof err);
    else if (strcmp(opt, "leaks") == 0)
        rc = tc_parse_leaks(val, &o->leaks, err, sizeof err);
    else if (strcmp(opt, "ns") == 0) {
        rc = tc_parse_namespaces(val, &o->namespaces, err, sizeof err);
        o->namespaces_set = true;
    } else if (strcmp(opt, "shard") == 0)
        rc = tc_parse_shard(val, &o->shard_index, &o->shard_total, err, sizeof err);
    else if (strcmp(opt, "max-procs") == 0) {
        int n = 0;
        rc = tc_parse_count(val, &n, err, sizeof err);
        o->max_procs = (unsigned)n;
    } else if (strcmp(opt, "memory") == 0)
        rc = tc_parse_bytes(val, &o->memory_max, err, sizeof err);
    else if (strcmp(opt, "tmp-size") == 0)
        rc = tc_parse_size(val, o->tmp_size, sizeof o->tmp_size, err, sizeof err);
    else
        return apply_dispatch(o, opt, name, val);
    return rc < 0 ? bad(name, val, err) : 0;
}

static int apply_dispatch(tc_suite_opts *o, const char *opt, const char *name, const char *val)
{
    bool flag = true;
    if (strcmp(opt, "filter") == 0)
        return add_filter(o, val);
    if (strcmp(opt, "run") == 0)
        return o->run = val, 0;
    if (strcmp(opt, "junit") == 0)
        return o->junit[0] = val, 0;
    if (strcmp(opt, "json") == 0)
        return o->json = val, 0;
    if (strcmp(opt, "wrap") == 0)
        return set_wrap(o, val);
    if (strcmp(opt, "keep-on-fail") == 0)
        return val && *val ? (o->keep_on_fail = val, 0) : bad(name, "", "needs a directory");
    if (strcmp(opt, "on-timeout") == 0)
        return o->on_timeout = val && *val ? val : NULL, 0;
    /* The rest are booleans: a flag sets them, the environment says 1/0. */
    if (val && parse_bool(name, val, &flag))
        return TC_EXIT_SETUP;
    if (strcmp(opt, "help") == 0)
        o->help = flag;
    else if (strcmp(opt, "list") == 0)
        o->list = flag;
    else if (strcmp(opt, "tap") == 0)
        o->tap = flag;
    else if (strcmp(opt, "exec") == 0)
        o->exec = o->exec || flag;
    else if (strcmp(opt, "valgrind") == 0)
        o->valgrind = flag, o->exec = o->exec || flag;
    else if (strcmp(opt, "verbose") == 0)
        o->verbosity = flag ? 1 : o->verbosity;
    else if (strcmp(opt, "quiet") == 0)
        o->verbosity = flag ? -1 : o->verbosity;
    else if (strcmp(opt, "no-backtrace") == 0)
        o->no_backtrace = flag;
    else if (strcmp(opt, "no-private-tmp") == 0)
        o->no_private_tmp = flag;
    else if (strcmp(opt, "require-isolation") == 0)
        o->require_isolation = flag;
    return 0;
}

static int apply_env(tc_suite_opts *o)
{
    for (size_t i = 0; i < sizeof optdefs / sizeof *optdefs; i++) {
        const struct optdef *d = &optdefs[i];
        const char *v = d->env ? getenv(d->env) : NULL;
        if (!v)
            continue;
        int rc = strcmp(d->longname, "filter") == 0 ? add_filter_list(o, v)
                                                    : apply(o, d->longname, d->env, v);
        if (rc)
            return rc;
    }
    return 0;
}

/* Bazel's sharding applies only when neither --shard nor TESTCAGE_SHARD did. */
static int apply_bazel(tc_suite_opts *o)
{
    const char *total = getenv("TEST_TOTAL_SHARDS"), *index = getenv("TEST_SHARD_INDEX");
    o->premature_exit_file = getenv("TEST_PREMATURE_EXIT_FILE");
    o->shard_status_file = getenv("TEST_SHARD_STATUS_FILE");
    const char *xml = getenv("XML_OUTPUT_FILE");
    if (xml && *xml)
        o->junit[1] = xml;
    if (o->shard_total || !total || !*total)
        return 0;
    char spec[64], err[200];
    snprintf(spec, sizeof spec, "%s/%s", index ? index : "0", total);
    if (tc_parse_shard(spec, &o->shard_index, &o->shard_total, err, sizeof err) < 0)
        return bad("TEST_TOTAL_SHARDS/TEST_SHARD_INDEX", spec, err);
    return 0;
}

static const struct optdef *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof optdefs / sizeof *optdefs; i++)
        if (strlen(optdefs[i].longname) == len && strncmp(optdefs[i].longname, name, len) == 0)
            return &optdefs[i];
    return NULL;
}

static const struct optdef *find_short(char c)
{
    for (size_t i = 0; i < sizeof optdefs / sizeof *optdefs; i++)
        if (optdefs[i].shortname && optdefs[i].shortname == c)
            return &optdefs[i];
    return NULL;
}

/* Parses argv[*i]; advances *i past a separate value. */
static int parse_arg(tc_suite_opts *o, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *val = NULL;
    const struct optdef *d = NULL;
    if (arg[0] == '-' && arg[1] == '-') {
        const char *eq = strchr(arg + 2, '=');
        d = find_long(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
        val = eq ? eq + 1 : NULL;
    } else if (arg[0] == '-' && arg[1] && (d = find_short(arg[1])) != NULL) {
        val = arg[2] ? arg + 2 : NULL;
    }
    if (!d)
        return bad("unknown option", arg, "see --help");
    if (d->has_arg == OPT_NOARG && val)
        return bad(arg, val, "takes no value");
    if (d->has_arg == OPT_ARG && !val) {
        if (*i + 1 >= argc)
            return bad("option", arg, "needs a value");
        val = argv[++*i];
    }
    return apply(o, d->longname, arg, d->has_arg == OPT_ARG ? val : NULL);
}

int tc_suite_opts_parse(tc_suite_opts *o, int argc, char **argv)
{
    *o = (tc_suite_opts){.jobs = 1, .timeout = 60, .grace = 2};
    int rc = apply_env(o);
    for (int i = 1; i < argc && !rc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break; /* the rest belongs to the test program */
        rc = parse_arg(o, argc, argv, &i);
    }
    if (!rc)
        rc = apply_bazel(o);
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
    free(o->wrap);
    free(o->wrap_buf);
    *o = (tc_suite_opts){0};
}
