/* optable.c - the option table of the CLI and the linked runner, with the
 * walkers over argv and the environment and the --help printer built on it. */
#include "optable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>

#include "parse_internal.h"

#define CLI   TC_FRONT_CLI
#define SUITE TC_FRONT_SUITE
#define BOTH  TC_FRONT_BOTH

/* In the order --help lists them. */
const tc_optdef tc_optdefs[] = {
    {TC_OPT_LIST, "list", 0, NULL, SUITE, NULL, 0,
     "print the selected case names, one a line, and exit", NULL},
    {TC_OPT_FILTER, "filter", 0, "GLOB", SUITE, "TESTCAGE_FILTER", ':',
     "run cases matching GLOB (repeatable); -GLOB excludes", NULL},
    {TC_OPT_RUN, "run", 0, "NAME", SUITE, NULL, 0, "run the one case NAME", NULL},
    {TC_OPT_JOBS, "jobs", 'j', "N", SUITE, "TESTCAGE_JOBS", 0,
     "cages at once (default 1; 0 = number of CPUs)", NULL},
    {TC_OPT_FAIL_FAST, "fail-fast", 0, NULL, SUITE, "TESTCAGE_FAIL_FAST", 0,
     "after the first failing case start no other: cases\n"
     "already running finish, the rest are reported as\n"
     "skipped (not run); the exit status is 1",
     NULL},
    {TC_OPT_SHUFFLE, "shuffle", 0, NULL, SUITE, "TESTCAGE_SHUFFLE", 0,
     "run the selected cases in a random order; the seed is\n"
     "printed first and recorded in the JSON and JUnit reports",
     NULL},
    {TC_OPT_SEED, "seed", 0, "S", SUITE, "TESTCAGE_SEED", 0,
     "the order of --shuffle (implies it): the same S, the\n"
     "same order, with any -j and --shard",
     NULL},
    {TC_OPT_REPEAT, "repeat", 0, "N", SUITE, "TESTCAGE_REPEAT", 0,
     "run every selected case N times in N rounds, each run\n"
     "in a new cage; reports name run k NAME#k",
     NULL},
    {TC_OPT_UNTIL_FAIL, "until-fail", 0, "N", SUITE, "TESTCAGE_UNTIL_FAIL", 0,
     "repeat in rounds until a case fails, at most N rounds;\n"
     "a failing round ends the run, which names it (exit 1)",
     NULL},
    {TC_OPT_NO_CAGE, "no-cage", 0, NULL, SUITE, "TESTCAGE_NO_CAGE", 0,
     "run the cases in this process, one after another: no\n"
     "namespaces, fork, timeout or leak check (for gdb)",
     NULL},
    {TC_OPT_DURATIONS, "durations", 0, "N", SUITE, "TESTCAGE_DURATIONS", 0,
     "list the N slowest cases at the end", NULL},
    {TC_OPT_TIMEOUT, "timeout", 0, "S", BOTH, "TESTCAGE_TIMEOUT", 0,
     "wall-clock limit in seconds, fractions and ms/s/m/h\n"
     "suffixes allowed; 0 = none (default 60)",
     "wall-clock limit per case in seconds, fractions and\n"
     "ms/s/m/h suffixes allowed; 0 = none (default 60)"},
    {TC_OPT_GRACE, "grace", 0, "S", BOTH, "TESTCAGE_GRACE", 0,
     "SIGTERM -> SIGKILL delay (default 2)", NULL},
    {TC_OPT_LEAKS, "leaks", 0, "MODE", BOTH, "TESTCAGE_LEAKS", 0, "warn (default) | fail | ignore",
     NULL},
    {TC_OPT_NS, "ns", 0, "LIST", BOTH, "TESTCAGE_NS", 0,
     "namespaces: pid,mount,ipc,uts,net,user,cgroup,time\n"
     "(default pid,mount,ipc; +user is added when not\n"
     "privileged); +name/-name edit the default; none = fork\n"
     "only; cgroup: /sys/fs/cgroup shows the cage's own cgroup",
     NULL},
    {TC_OPT_CLOCK_OFFSET, "clock-offset", 0, "monotonic=S,boottime=S", BOTH,
     "TESTCAGE_CLOCK_OFFSET", 0,
     "shift CLOCK_MONOTONIC and CLOCK_BOOTTIME in the cage by\n"
     "S seconds (s/m/h/d suffixes; negative while the clock\n"
     "stays >= 0); implies +time. CLOCK_REALTIME is not\n"
     "namespaced and stays the host's; the timeout keeps the\n"
     "runner's clock",
     NULL},
    {TC_OPT_NO_PRIVATE_TMP, "no-private-tmp", 0, NULL, BOTH, "TESTCAGE_NO_PRIVATE_TMP", 0,
     "keep the host's /tmp and /dev/shm", NULL},
    {TC_OPT_TMP_SIZE, "tmp-size", 0, "SIZE", BOTH, "TESTCAGE_TMP_SIZE", 0,
     "size of the private tmpfs, e.g. 64m, 1g, 10%", NULL},
    {TC_OPT_TMP_MODE, "tmp-mode", 0, "MODE", CLI, "TESTCAGE_TMP_MODE", 0,
     "mode of the private tmpfs root (default 1777)", NULL},
    {TC_OPT_TMP_OPTIONS, "tmp-options", 0, "OPTS", CLI, "TESTCAGE_TMP_OPTIONS", 0,
     "raw tmpfs options, e.g. size=64m,mode=1777 (overrides both)", NULL},
    {TC_OPT_KEEP, "keep", 0, "PATH", CLI, "TESTCAGE_KEEP", ':',
     "bind PATH (under /tmp or /dev/shm) back into the cage;\nrepeatable", NULL},
    {TC_OPT_REQUIRE_ISOLATION, "require-isolation", 0, NULL, BOTH, "TESTCAGE_REQUIRE_ISOLATION", 0,
     "refuse to run without namespaces (exit 125)",
     "fail every case instead of running without namespaces"},
    {TC_OPT_NO_PROC, "no-proc", 0, NULL, CLI, "TESTCAGE_NO_PROC", 0,
     "keep the host's /proc (the PID namespace stays private)", NULL},
    {TC_OPT_KEEP_CAPS, "keep-caps", 0, NULL, CLI, "TESTCAGE_KEEP_CAPS", 0,
     "as root, run PROGRAM as the host's full root (no nested\nuser namespace; it can undo its cage)", NULL},
    {TC_OPT_ON_TIMEOUT, "on-timeout", 0, "CMD", BOTH, "TESTCAGE_ON_TIMEOUT", 0,
     "at the timeout, before SIGTERM, run CMD inside the cage;\n"
     "%p is PROGRAM's pid there (default: a gdb backtrace of\n"
     "every thread when gdb is installed)",
     "at the timeout, before SIGTERM, run CMD inside the cage;\n"
     "%p is the case's pid there (default: a gdb backtrace of\n"
     "every thread when gdb is installed)"},
    {TC_OPT_NO_BACKTRACE, "no-backtrace", 0, NULL, BOTH, "TESTCAGE_NO_BACKTRACE", 0,
     "no default gdb backtrace at the timeout", NULL},
    {TC_OPT_KEEP_ON_FAIL, "keep-on-fail", 0, "DIR", BOTH, "TESTCAGE_KEEP_ON_FAIL", 0,
     "when PROGRAM fails, copy what it left in /tmp and\n"
     "/dev/shm to a new directory below DIR",
     "when a case fails, copy what it left in /tmp and\n"
     "/dev/shm to a new directory below DIR"},
    {TC_OPT_MAX_PROCS, "max-procs", 0, "N", BOTH, "TESTCAGE_MAX_PROCS", 0,
     "at most N processes in the cage (fork bombs stay inside)", NULL},
    {TC_OPT_MEMORY, "memory", 0, "SIZE", BOTH, "TESTCAGE_MEMORY", 0,
     "memory limit for the cage, e.g. 512m", NULL},
    {TC_OPT_WRAP, "wrap", 0, "CMD", BOTH, "TESTCAGE_WRAP", 0,
     "run PROGRAM under CMD (split on blanks), e.g. \"strace -f\"",
     "run each case under CMD (split on blanks; implies --exec)"},
    {TC_OPT_VALGRIND, "valgrind", 0, NULL, BOTH, "TESTCAGE_VALGRIND", 0,
     "run PROGRAM under valgrind memcheck; memory errors or\nleaks exit 121",
     "run each case under valgrind memcheck (implies --exec)"},
    {TC_OPT_EXEC, "exec", 0, NULL, SUITE, "TESTCAGE_EXEC", 0, "re-execute this binary per case",
     NULL},
    {TC_OPT_SHARD, "shard", 0, "I/N", SUITE, "TESTCAGE_SHARD", 0,
     "run shard I of N (cases k with k mod N = I)", NULL},
    {TC_OPT_TAP, "tap", 0, NULL, SUITE, "TESTCAGE_TAP", 0,
     "TAP on stdout instead of the console report", NULL},
    {TC_OPT_JSON, "json", 0, "FILE", BOTH, "TESTCAGE_JSON", 0, "write the result as JSON",
     "JSON report"},
    {TC_OPT_JUNIT, "junit", 0, "FILE", BOTH, "TESTCAGE_JUNIT", 0, "write the result as JUnit XML",
     "JUnit XML report"},
    {TC_OPT_TAP_EXIT, "tap-exit", 0, "WHEN", SUITE, "TESTCAGE_TAP_EXIT", 0,
     "with --tap: failures (default: exit 1 when a case failed)\n"
     "| stream (exit 0 once the TAP stream is complete: the\n"
     "verdicts are in it, as Meson and tap-driver.sh expect)",
     NULL},
    {TC_OPT_COLOR, "color", 0, "WHEN", SUITE, "TESTCAGE_COLOR", 0,
     "auto (default: on a terminal unless NO_COLOR is set;\n"
     "CLICOLOR_FORCE forces it) | always | never",
     NULL},
    {TC_OPT_QUIET, "quiet", 'q', NULL, BOTH, "TESTCAGE_QUIET", 0, "only errors and leak failures",
     "only failures and the summary"},
    {TC_OPT_VERBOSE, "verbose", 'v', NULL, BOTH, "TESTCAGE_VERBOSE", 0,
     "also the cage init's pid, the verdict and timing", "show every case's output"},
    {TC_OPT_ENTER, "enter", 0, "PID [CMD...]", CLI, NULL, 0,
     "run CMD (default $SHELL) inside the running cage whose\n"
     "init or PROGRAM has host pid PID (see -v for the pid)",
     NULL},
    {TC_OPT_VERSION, "version", 0, NULL, CLI, NULL, 0, "print the version and exit", NULL},
    {TC_OPT_HELP, "help", 'h', NULL, BOTH, NULL, 0, "print this help and exit", NULL},
};
const size_t tc_noptdefs = sizeof tc_optdefs / sizeof *tc_optdefs;
_Static_assert(sizeof tc_optdefs / sizeof *tc_optdefs <= 64, "env_list keeps one copy per option");

int tc_opt_bool(const char *val, bool *out, char *err, size_t errlen)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false", "off"};
    if (!val)
        return *out = true, 0;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (strcasecmp(val, yes[i]) == 0)
            return *out = true, 0;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (strcasecmp(val, no[i]) == 0)
            return *out = false, 0;
    snprintf(err, errlen, "'%s' is not a yes/no value (1/0, yes/no, true/false, on/off)", val);
    return -1;
}

/* "a:b:c" calls fn for a, b and c. The pieces stay valid until the next
 * walk over the environment, as getenv's strings do. */
static int env_list(const tc_optdef *d, const char *v, tc_opt_fn fn, void *ctx)
{
    static char *copies[64];
    size_t slot = (size_t)(d - tc_optdefs) % (sizeof copies / sizeof *copies);
    free(copies[slot]);
    if (!(copies[slot] = strdup(v))) {
        fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, d->env, strerror(errno));
        return TC_EXIT_SETUP;
    }
    int rc = 0;
    char sep[2] = {d->env_sep, '\0'}, *save = NULL;
    for (char *p = strtok_r(copies[slot], sep, &save); p && !rc; p = strtok_r(NULL, sep, &save))
        rc = fn(ctx, d, p, d->env, NULL);
    return rc;
}

int tc_opt_env(unsigned front, tc_opt_fn fn, void *ctx)
{
    for (size_t i = 0; i < tc_noptdefs; i++) {
        const tc_optdef *d = &tc_optdefs[i];
        const char *v = d->env && (d->fronts & front) ? getenv(d->env) : NULL;
        if (!v || !*v)
            continue; /* set but empty is the same as unset */
        int rc = d->env_sep ? env_list(d, v, fn, ctx) : fn(ctx, d, v, d->env, NULL);
        if (rc > 0)
            return rc;
    }
    return 0;
}

/* Exact name first, else a unique prefix (as getopt_long allows). */
static const tc_optdef *find_long(unsigned front, const char *name, size_t len, bool *ambiguous)
{
    const tc_optdef *found = NULL;
    *ambiguous = false;
    for (size_t i = 0; i < tc_noptdefs; i++) {
        const tc_optdef *d = &tc_optdefs[i];
        if (!(d->fronts & front) || strncmp(d->longname, name, len) != 0)
            continue;
        if (strlen(d->longname) == len)
            return d;
        *ambiguous = found != NULL;
        found = found ? found : d;
    }
    return *ambiguous ? NULL : found;
}

static const tc_optdef *find_short(unsigned front, char c)
{
    for (size_t i = 0; i < tc_noptdefs; i++)
        if (tc_optdefs[i].shortname == c && (tc_optdefs[i].fronts & front))
            return &tc_optdefs[i];
    return NULL;
}

static int argv_error(const char *prog, const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s '%s' (see %s --help)\n", prog, what, arg, prog);
    return TC_EXIT_SETUP;
}

struct walk {
    unsigned front;
    const char *prog;
    int argc, i;
    char **argv;
    tc_opt_fn fn;
    void *ctx;
};

/* --name, --name=VALUE, --name VALUE. */
static int walk_long(struct walk *w, const char *arg)
{
    const char *eq = strchr(arg + 2, '='), *val = eq ? eq + 1 : NULL;
    bool ambiguous;
    const tc_optdef *d =
        find_long(w->front, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), &ambiguous);
    if (!d)
        return argv_error(w->prog, ambiguous ? "ambiguous option" : "unknown option", arg);
    if (!d->metavar && val)
        return argv_error(w->prog, "option takes no value:", arg);
    if (d->metavar && !val) {
        if (w->i + 1 >= w->argc)
            return argv_error(w->prog, "option needs a value:", arg);
        val = w->argv[++w->i];
    }
    char source[64];
    snprintf(source, sizeof source, "--%s", d->longname);
    return w->fn(w->ctx, d, val, source, w->argv + w->i + 1);
}

/* -q, -qv (switches bundled), -j4, -j 4. */
static int walk_short(struct walk *w, const char *arg)
{
    for (const char *p = arg + 1; *p; p++) {
        const tc_optdef *d = find_short(w->front, *p);
        char source[3] = {'-', *p, '\0'};
        if (!d)
            return argv_error(w->prog, "unknown option", p == arg + 1 ? arg : source);
        const char *val = NULL;
        if (d->metavar) {
            if (p[1])
                val = p + 1;
            else if (w->i + 1 < w->argc)
                val = w->argv[++w->i];
            else
                return argv_error(w->prog, "option needs a value:", source);
        }
        int rc = w->fn(w->ctx, d, val, source, w->argv + w->i + 1);
        if (rc || val)
            return rc;
    }
    return 0;
}

int tc_opt_argv(unsigned front, const char *prog, int argc, char **argv, int *first, tc_opt_fn fn,
                void *ctx)
{
    struct walk w = {front, prog, argc, 1, argv, fn, ctx};
    int rc = 0;
    for (; w.i < argc && !rc; w.i++) {
        const char *arg = argv[w.i];
        if (strcmp(arg, "--") == 0) {
            w.i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            if (front == TC_FRONT_CLI)
                break; /* PROGRAM: the rest is its own */
            return argv_error(prog, "unknown option", arg);
        }
        rc = arg[1] == '-' ? walk_long(&w, arg) : walk_short(&w, arg);
    }
    *first = w.i;
    return rc == TC_OPT_STOP ? 0 : rc;
}

/* "  -j, --jobs N" then the help, lines aligned at column 23, then the
 * environment form where it fits. */
static void usage_row(FILE *out, const tc_optdef *d, unsigned front)
{
    char head[64], env[80] = "";
    int col = snprintf(head, sizeof head, "  %s%s%s--%s%s%s", d->shortname ? "-" : "",
                       d->shortname ? (char[]){d->shortname, '\0'} : "", d->shortname ? ", " : "",
                       d->longname, d->metavar ? " " : "", d->metavar ? d->metavar : "");
    fprintf(out, "%-22s", head);
    if (col >= 22)
        fprintf(out, "\n%-22s", "");
    const char *help = front == TC_FRONT_SUITE && d->help_suite ? d->help_suite : d->help;
    for (const char *p = help; *p;) {
        size_t len = strcspn(p, "\n");
        fprintf(out, " %.*s", (int)len, p);
        col = 23 + (int)len;
        p += len;
        if (*p)
            fprintf(out, "\n%-22s", ""), p++;
    }
    if (d->env && d->env_sep)
        snprintf(env, sizeof env, "[%s, '%c'-separated]", d->env, d->env_sep);
    else if (d->env)
        snprintf(env, sizeof env, "[%s%s]", d->env, d->metavar ? "" : "=1");
    if (*env && col + 1 + (int)strlen(env) > 79)
        fprintf(out, "\n%-22s", "");
    fprintf(out, "%s%s\n", *env ? " " : "", env);
}

void tc_opt_usage(FILE *out, unsigned front)
{
    for (size_t i = 0; i < tc_noptdefs; i++)
        if (tc_optdefs[i].fronts & front)
            usage_row(out, &tc_optdefs[i], front);
}

int tc_teardown_sigfd(sigset_t *old)
{
    /* Any signal whose default action would end the front end tears its
     * cages down first. */
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
    sigset_t set;
    sigemptyset(&set);
    for (size_t k = 0; k < sizeof sigs / sizeof *sigs; k++)
        sigaddset(&set, sigs[k]);
    if (sigprocmask(SIG_BLOCK, &set, old) < 0)
        return -1;
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, old, NULL);
        errno = e;
    }
    return fd;
}
