/* test_options.c - the option table drives both front ends alike: every
 * environment form sets what its flag sets (in the CLI and the linked
 * runner), switches take yes/no words, bad words are refused with 125. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_internal.h"
#include "optable.h"
#include "parse_internal.h"
#include "suite_internal.h"

/* A valid value per option with a value; the environment form of a list
 * option joins two with its separator, the flags give them one by one. */
static const struct {
    const char *name, *a, *b;
} samples[] = {
    {"filter", "a*", "-b*"},
    {"jobs", "3", NULL},
    {"timeout", "7.5", NULL},
    {"grace", "250ms", NULL},
    {"leaks", "fail", NULL},
    {"ns", "pid,mount,net", NULL},
    {"clock-offset", "monotonic=10d,boottime=-1", NULL},
    {"tmp-size", "64m", NULL},
    {"tmp-mode", "0700", NULL},
    {"tmp-options", "size=1m", NULL},
    {"keep", "/tmp/a", "/tmp/b"},
    {"on-timeout", "echo %p", NULL},
    {"keep-on-fail", "/var/kept", NULL},
    {"max-procs", "9", NULL},
    {"memory", "1m", NULL},
    {"wrap", "strace -f", NULL},
    {"shard", "1/3", NULL},
    {"seed", "42", NULL},
    {"durations", "5", NULL},
    {"repeat", "3", NULL},
    {"until-fail", "4", NULL},
    {"color", "always", NULL},
    {"tap-exit", "stream", NULL},
    {"json", "r.json", NULL},
    {"junit", "r.xml", NULL},
};

static const char *sample(const tc_optdef *d, bool second)
{
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++)
        if (strcmp(samples[i].name, d->longname) == 0)
            return second ? samples[i].b : samples[i].a;
    fail_msg("option --%s has no sample value in test_options.c", d->longname);
    return NULL;
}

/* Everything an option can change, as text, so two parses compare. */
static void describe_cli(const tc_cli *c, char *buf, size_t len)
{
    const testcage_opts *o = &c->o;
    int n = snprintf(buf, len,
                     "ns=%u tmp=%d size=%s mode=%s topt=%s proc=%d t=%g g=%g leaks=%d caps=%d "
                     "req=%d ot=%s bt=%d kof=%s mp=%u mem=%llu v=%d json=%s junit=%s wrap=%s "
                     "vg=%d clk=%lld/%lld keep=",
                     o->namespaces, o->private_tmp, o->tmp_size ? o->tmp_size : "-",
                     o->tmp_mode ? o->tmp_mode : "-", o->tmp_options ? o->tmp_options : "-",
                     o->fresh_proc, o->timeout, o->grace, (int)o->leaks, o->keep_caps,
                     o->require_isolation, o->on_timeout ? o->on_timeout : "-",
                     o->timeout_backtrace, o->keep_on_fail ? o->keep_on_fail : "-", o->max_procs,
                     (unsigned long long)o->memory_max, c->verbosity, c->json ? c->json : "-",
                     c->junit ? c->junit : "-", c->wrap ? c->wrap : "-", c->valgrind,
                     (long long)o->monotonic_offset, (long long)o->boottime_offset);
    for (size_t i = 0; i < c->nkeep && n > 0 && (size_t)n < len; i++)
        n += snprintf(buf + n, len - (size_t)n, "%s,", c->keep[i]);
}

static void describe_suite(const tc_suite_opts *o, char *buf, size_t len)
{
    int n = snprintf(
        buf, len,
        "list=%d tap=%d exec=%d vg=%d v=%d j=%d t=%g g=%g ns=%u/%d leaks=%d run=%s shard=%u/%u "
        "junit=%s json=%s wrap=%s mp=%u mem=%llu size=%s kof=%s ot=%s bt=%d tmp=%d req=%d "
        "ff=%d sh=%d seed=%u/%d dur=%d color=%d rounds=%u/%d nocage=%d tapx=%d clk=%lld/%lld f=",
        o->list, o->tap, o->exec, o->valgrind, o->verbosity, o->jobs, o->timeout, o->grace,
        o->namespaces, o->namespaces_set, (int)o->leaks, o->run ? o->run : "-", o->shard_index,
        o->shard_total, o->junit[0] ? o->junit[0] : "-", o->json ? o->json : "-",
        o->wrap ? o->wrap[0] : "-", o->max_procs, (unsigned long long)o->memory_max, o->tmp_size,
        o->keep_on_fail ? o->keep_on_fail : "-", o->on_timeout ? o->on_timeout : "-",
        o->no_backtrace, o->no_private_tmp, o->require_isolation, o->fail_fast, o->shuffle, o->seed,
        o->seed_set, o->durations, (int)o->color, o->rounds, o->until_fail, o->no_cage,
        o->tap_exit_stream, (long long)o->monotonic_offset, (long long)o->boottime_offset);
    for (size_t i = 0; i < o->nfilters && n > 0 && (size_t)n < len; i++)
        n += snprintf(buf + n, len - (size_t)n, "%s,", o->filters[i]);
}

static void clear_env(void)
{
    for (size_t i = 0; i < tc_noptdefs; i++)
        if (tc_optdefs[i].env)
            unsetenv(tc_optdefs[i].env);
}

/* Parses argv (NULL-terminated, argv[0] the program) with one front end. */
static int parse(unsigned front, char **argv, char *buf, size_t len)
{
    int argc = 0, first = 0, rc;
    while (argv[argc])
        argc++;
    if (front == TC_FRONT_CLI) {
        tc_cli c;
        rc = tc_cli_options(&c, argc, argv, &first);
        describe_cli(&c, buf, len);
    } else {
        tc_suite_opts o;
        rc = tc_suite_opts_parse(&o, argc, argv);
        describe_suite(&o, buf, len);
        tc_suite_opts_free(&o);
    }
    return rc;
}

static bool has_value(const tc_optdef *d)
{
    return d->metavar != NULL;
}

/* One option in one front end: default != flag form == environment form. */
static void check_option(const tc_optdef *d, unsigned front)
{
    char def[1024], flag[1024], env[1024], joined[256], name[64];
    char *argv0[] = {"prog", NULL};
    snprintf(name, sizeof name, "--%s", d->longname);
    const char *a = has_value(d) ? sample(d, false) : NULL;
    const char *b = has_value(d) ? sample(d, true) : NULL;
    char *argv[] = {"prog", name, (char *)a, b ? name : NULL, (char *)b, NULL};
    clear_env();
    assert_int_equal(parse(front, argv0, def, sizeof def), 0);
    assert_int_equal(parse(front, argv, flag, sizeof flag), 0);
    if (b)
        snprintf(joined, sizeof joined, "%s%c%s", a, d->env_sep, b);
    else
        snprintf(joined, sizeof joined, "%s", a ? a : "1");
    setenv(d->env, joined, 1);
    assert_int_equal(parse(front, argv0, env, sizeof env), 0);
    clear_env();
    if (strcmp(def, flag) == 0)
        fail_msg("%s changes nothing (front %u): %s", name, front, flag);
    if (strcmp(flag, env) != 0)
        fail_msg("%s=%s differs from %s (front %u):\n  flag %s\n  env  %s", d->env, joined, name,
                 front, flag, env);
}

static void env_forms_match_flags(void **state)
{
    (void)state;
    size_t checked = 0;
    for (size_t i = 0; i < tc_noptdefs; i++) {
        const tc_optdef *d = &tc_optdefs[i];
        if (!d->env)
            continue;
        for (unsigned front = TC_FRONT_CLI; front <= TC_FRONT_SUITE; front <<= 1)
            if (d->fronts & front)
                check_option(d, front), checked++;
    }
    assert_true(checked >= 40); /* every shared option counts twice */
}

/* The words a switch's environment form takes; "no" is off (the CLI used to
 * read anything but "0" as on). */
static void switch_words(void **state)
{
    (void)state;
    static const char *const on[] = {"1", "yes", "true", "on", "YES"};
    static const char *const off[] = {"0", "no", "false", "off", "No"};
    char def[1024], got[1024];
    char *argv0[] = {"prog", NULL};
    for (unsigned front = TC_FRONT_CLI; front <= TC_FRONT_SUITE; front <<= 1) {
        clear_env();
        parse(front, argv0, def, sizeof def);
        for (size_t i = 0; i < 5; i++) {
            setenv("TESTCAGE_VALGRIND", off[i], 1);
            assert_int_equal(parse(front, argv0, got, sizeof got), 0);
            assert_string_equal(got, def);
            setenv("TESTCAGE_VALGRIND", on[i], 1);
            assert_int_equal(parse(front, argv0, got, sizeof got), 0);
            assert_string_not_equal(got, def);
        }
        setenv("TESTCAGE_VALGRIND", "sometimes", 1);
        assert_int_equal(parse(front, argv0, got, sizeof got), TC_EXIT_SETUP);
        clear_env();
    }
}

/* Flags win over the environment; an empty variable is unset. */
static void flags_win(void **state)
{
    (void)state;
    char a[1024], b[1024];
    char *argv0[] = {"prog", NULL}, *argv[] = {"prog", "--timeout", "3", NULL};
    for (unsigned front = TC_FRONT_CLI; front <= TC_FRONT_SUITE; front <<= 1) {
        clear_env();
        parse(front, argv, a, sizeof a);
        setenv("TESTCAGE_TIMEOUT", "9", 1);
        assert_int_equal(parse(front, argv, b, sizeof b), 0);
        assert_string_equal(a, b);
        parse(front, argv0, a, sizeof a);
        setenv("TESTCAGE_TIMEOUT", "", 1);
        assert_int_equal(parse(front, argv0, b, sizeof b), 0);
        assert_string_not_equal(a, b);
        assert_non_null(strstr(b, " t=60 "));
        clear_env();
    }
}

/* The same spellings in both: --name=V, unique prefixes, bundled switches. */
static void spellings(void **state)
{
    (void)state;
    char a[1024], b[1024];
    char *full[] = {"prog", "--timeout", "4", "--quiet", "--grace", "1", NULL};
    char *other[] = {"prog", "--time=4", "-q", "--gr", "1", NULL};
    for (unsigned front = TC_FRONT_CLI; front <= TC_FRONT_SUITE; front <<= 1) {
        clear_env();
        assert_int_equal(parse(front, full, a, sizeof a), 0);
        assert_int_equal(parse(front, other, b, sizeof b), 0);
        assert_string_equal(a, b);
    }
    char *ambiguous[] = {"prog", "--no", NULL};
    assert_int_equal(parse(TC_FRONT_CLI, ambiguous, a, sizeof a), TC_EXIT_SETUP);
    char *bundled[] = {"prog", "-qv", NULL}, *verbose[] = {"prog", "-v", NULL};
    parse(TC_FRONT_SUITE, bundled, a, sizeof a);
    parse(TC_FRONT_SUITE, verbose, b, sizeof b);
    assert_string_equal(a, b);
}

/* Both tear down on the same signals: the set is one function's. */
static void teardown_signals(void **state)
{
    (void)state;
    sigset_t old, now;
    int fd = tc_teardown_sigfd(&old);
    assert_true(fd >= 0);
    sigprocmask(SIG_SETMASK, NULL, &now);
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        assert_true(sigismember(&now, sigs[i]));
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(env_forms_match_flags),
        cmocka_unit_test(switch_words),
        cmocka_unit_test(flags_win),
        cmocka_unit_test(spellings),
        cmocka_unit_test(teardown_signals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
