/* cli_options.c - the CLI's side of the option table: what each option sets,
 * the environment before the command line (flags win), and --help. */
#include "cli_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optable.h"
#include "parse_internal.h"

static int refuse(const char *source, const char *err)
{
    fprintf(stderr, TC_CLI_PREFIX "%s: %s\n", source, err);
    return TC_EXIT_SETUP;
}

int tc_cli_refuse(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    // The analyzer loses va_start across the exported prototype:
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, TC_CLI_PREFIX "%s (see testcage --help)\n", msg);
    return TC_EXIT_SETUP;
}

static int add_keep(tc_cli *c, const char *val)
{
    if (val[0] != '/')
        return tc_cli_refuse("--keep needs an absolute path, not '%s'", val);
    if (c->nkeep == TC_CLI_MAX_KEEP)
        return tc_cli_refuse("too many --keep paths (at most 16): '%s'", val);
    c->keep[c->nkeep++] = val;
    return 0;
}

/* Switches: a flag sets them, the environment form says yes or no. */
static int apply_switch(tc_cli *c, const tc_optdef *d, const char *val, const char *source)
{
    char err[200];
    bool on;
    if (tc_opt_bool(val, &on, err, sizeof err) < 0)
        return refuse(source, err);
    switch (d->id) {
    case TC_OPT_NO_PRIVATE_TMP:
        c->o.private_tmp = !on;
        break;
    case TC_OPT_REQUIRE_ISOLATION:
        c->o.require_isolation = on;
        break;
    case TC_OPT_NO_PROC:
        c->o.fresh_proc = !on;
        break;
    case TC_OPT_KEEP_CAPS:
        c->o.keep_caps = on;
        break;
    case TC_OPT_NO_BACKTRACE:
        c->o.timeout_backtrace = !on;
        break;
    case TC_OPT_VALGRIND:
        c->valgrind = on;
        break;
    case TC_OPT_QUIET:
        c->verbosity = on ? -1 : c->verbosity;
        break;
    case TC_OPT_VERBOSE:
        c->verbosity = on ? 1 : c->verbosity;
        break;
    case TC_OPT_HELP:
        c->help = on;
        return on ? TC_OPT_STOP : 0;
    case TC_OPT_VERSION:
        c->version = on;
        return on ? TC_OPT_STOP : 0;
    default:
        break;
    }
    return 0;
}

/* Options whose value is checked by a parser in parse.c. */
static int apply_parsed(tc_cli *c, const tc_optdef *d, const char *val, const char *source)
{
    char err[256];
    int rc = 0, n = 0;
    switch (d->id) {
    case TC_OPT_TIMEOUT:
        rc = tc_parse_duration(val, &c->o.timeout, err, sizeof err);
        break;
    case TC_OPT_GRACE:
        rc = tc_parse_duration(val, &c->o.grace, err, sizeof err);
        break;
    case TC_OPT_LEAKS:
        rc = tc_parse_leaks(val, &c->o.leaks, err, sizeof err);
        break;
    case TC_OPT_NS:
        rc = tc_parse_namespaces(val, &c->o.namespaces, err, sizeof err);
        break;
    case TC_OPT_MEMORY:
        rc = tc_parse_bytes(val, &c->o.memory_max, err, sizeof err);
        break;
    case TC_OPT_CLOCK_OFFSET:
        rc = tc_parse_clock_offset(val, &c->o.monotonic_offset, &c->o.boottime_offset, err,
                                   sizeof err);
        break;
    case TC_OPT_TMP_SIZE:
        rc = tc_parse_size(val, c->tmp_size, sizeof c->tmp_size, err, sizeof err);
        c->o.tmp_size = c->tmp_size;
        break;
    case TC_OPT_MAX_PROCS:
        rc = tc_parse_count(val, &n, err, sizeof err);
        c->o.max_procs = (unsigned)n;
        break;
    default:
        return apply_switch(c, d, val, source);
    }
    return rc < 0 ? refuse(source, err) : 0;
}

static int apply(void *ctx, const tc_optdef *d, const char *val, const char *source, char **rest)
{
    tc_cli *c = ctx;
    switch (d->id) {
    case TC_OPT_KEEP:
        return add_keep(c, val);
    case TC_OPT_WRAP:
        c->wrap = *val ? val : NULL;
        return 0;
    case TC_OPT_JSON:
        c->json = val;
        return 0;
    case TC_OPT_JUNIT:
        c->junit = val;
        return 0;
    case TC_OPT_ON_TIMEOUT:
        c->o.on_timeout = *val ? val : NULL;
        return 0;
    case TC_OPT_TMP_MODE:
        if (strspn(val, "01234567") != strlen(val) || !*val || strlen(val) > 4)
            return tc_cli_refuse("--tmp-mode needs an octal mode, not '%s'", val);
        c->o.tmp_mode = val;
        return 0;
    case TC_OPT_TMP_OPTIONS:
        if (!*val || strpbrk(val, " \t\n"))
            return tc_cli_refuse("invalid --tmp-options '%s'", val);
        c->o.tmp_options = val;
        return 0;
    case TC_OPT_KEEP_ON_FAIL:
        if (!*val)
            return tc_cli_refuse("--keep-on-fail needs a directory%s", "");
        c->o.keep_on_fail = val;
        return 0;
    case TC_OPT_ENTER:
        c->enter_pid = val;
        c->enter_cmd = rest;
        return TC_OPT_STOP;
    default:
        return apply_parsed(c, d, val, source);
    }
}

int tc_cli_options(tc_cli *c, int argc, char **argv, int *first)
{
    *c = (tc_cli){0};
    testcage_opts_init(&c->o);
    int rc = tc_opt_env(TC_FRONT_CLI, apply, c);
    if (!rc)
        rc = tc_opt_argv(TC_FRONT_CLI, "testcage", argc, argv, first, apply, c);
    c->keep[c->nkeep] = NULL;
    c->o.keep = c->keep;
    if (!rc && !c->o.namespaces && (c->o.monotonic_offset || c->o.boottime_offset))
        rc = tc_cli_refuse("--clock-offset needs a time namespace, which --ns none has not%s", "");
    return rc;
}

void tc_cli_usage(FILE *out)
{
    fputs("Usage: testcage [OPTIONS] [--] PROGRAM [ARGS...]\n"
          "Run PROGRAM in a disposable namespace cage: its own PID, mount and IPC\n"
          "namespaces, a private tmpfs on /tmp and /dev/shm, a fresh /proc, a\n"
          "wall-clock limit enforced term-then-kill, and a report of every process,\n"
          "file and SysV IPC object it leaves behind.\n"
          "\n"
          "Options (environment form in brackets; switches there take 1/0 or yes/no;\n"
          "flags win):\n",
          out);
    tc_opt_usage(out, TC_FRONT_CLI);
    fputs("\n"
          "Exit status: PROGRAM's own status; 122 leaks found under --leaks=fail;\n"
          "121 valgrind errors; 124 timeout; 125 bad option or the cage could not be\n"
          "set up; 126 PROGRAM not executable; 127 PROGRAM not found; 128+N PROGRAM\n"
          "killed by signal N; 130/143 testcage itself got SIGINT/SIGTERM.\n",
          out);
}
