/* cmocka_adapter.c - testcage_run_group_tests(): the cmocka drop-in. Each call
 * runs its group's selected cases, each in its own cage, with group and test
 * fixtures inside the cage, and returns the failure count as cmocka would.
 * One report covers the whole binary: it begins at the first call (the
 * groups to come are known from discovery, where the run needs them then)
 * and ends after the last one (or at exit). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmocka_internal.h"
#include "parse_internal.h"
#include "suite_internal.h"

/* What a case's cage runs: one cmocka test with its group's fixtures. */
struct cm_case {
    const char *group;
    struct CMUnitTest test;
    CMFixtureFunction group_setup, group_teardown;
};

static struct {
    bool init;
    int disc_fd; /* >= 0: this is the discovery child */
    tc_cm_discovery disc;
    bool discovered;
    size_t groups_called, next_index;
    bool in_process, ran; /* --run NAME inside a cage: run it right here */
    bool named;           /* --run NAME: a group main() called has that case */
    size_t group_n;       /* cases of the group being run */
    jmp_buf group_return; /* where a discovery child forked mid-run returns */
    char *cmdline, **argv, *xml_path;
    tc_suite_opts opts;
    tc_run run;
    int status; /* of tc_run_end */
} S = {.disc_fd = -1};

static const char *skip_file;
static int skip_line;

void _testcage_cmocka_skip(const char *file, int line)
{
    skip_file = file;
    skip_line = line;
    _skip(file, line);
}

static int cm_body(void *arg)
{
    const struct cm_case *cc = arg;
    /* The runner owns the report formats; cmocka's own output, captured per
     * case, stays the familiar one so its failure lines can be read back. */
    setenv("CMOCKA_MESSAGE_OUTPUT", "STDOUT", 1);
    unsetenv("CMOCKA_XML_FILE");
    struct CMUnitTest one[1] = {cc->test};
    int failed = _cmocka_run_group_tests(cc->group, one, 1, cc->group_setup, cc->group_teardown);
    fflush(NULL);
    if (failed)
        return 1;
    if (skip_file)
        testcage_report_skip("skipped at %s:%d", skip_file, skip_line);
    return 0;
}

/* Linked into a test program, we get no argv: read our own. */
static int read_cmdline(int *argc)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0, cap = 4096;
    S.cmdline = malloc(cap);
    ssize_t r = 0;
    while (S.cmdline && (r = read(fd, S.cmdline + len, cap - len - 1)) > 0) {
        len += (size_t)r;
        char *b = len + 1 >= cap ? realloc(S.cmdline, cap *= 2) : S.cmdline;
        if (!b)
            free(S.cmdline);
        S.cmdline = b;
    }
    close(fd);
    if (!S.cmdline || r < 0)
        return -1;
    S.cmdline[len] = '\0';
    *argc = 0;
    for (size_t i = 0; i < len; i += strlen(S.cmdline + i) + 1)
        ++*argc;
    if (!(S.argv = calloc((size_t)*argc + 1, sizeof *S.argv)))
        return -1;
    int k = 0;
    for (size_t i = 0; i < len; i += strlen(S.cmdline + i) + 1)
        S.argv[k++] = S.cmdline + i;
    return 0;
}

/* CMOCKA_MESSAGE_OUTPUT=TAP gives our TAP on stdout; =XML our JUnit in
 * CMOCKA_XML_FILE (one file for every group: %g becomes the binary's name)
 * or on stderr as cmocka does without a file. */
static int cmocka_env(void)
{
    const char *out = getenv("CMOCKA_MESSAGE_OUTPUT"), *xml = getenv("CMOCKA_XML_FILE");
    if (!out)
        return 0;
    if (strcasecmp(out, "TAP") == 0)
        S.opts.tap = true;
    if (strcasecmp(out, "XML") != 0)
        return 0;
    if (!xml || !*xml)
        return S.opts.junit[2] = "/dev/stderr", 0;
    size_t cap = strlen(xml) * (strlen(program_invocation_short_name) + 1) + 1, k = 0;
    if (!(S.xml_path = malloc(cap)))
        return -1;
    for (const char *p = xml; *p; p++) {
        if (p[0] == '%' && p[1] == 'g') {
            k += (size_t)sprintf(S.xml_path + k, "%s", program_invocation_short_name);
            p++;
        } else {
            S.xml_path[k++] = *p;
        }
    }
    S.xml_path[k] = '\0';
    S.opts.junit[2] = S.xml_path;
    return 0;
}

/* Selection of a discovered case, by its full name and global index. */
static bool discovered_selected(const char *group, const char *name, size_t index)
{
    tc_suite_case c = {.index = index};
    if (asprintf(&c.full, "%s/%s", group, name) < 0)
        return false;
    bool sel = tc_case_selected(&S.opts, &c);
    free(c.full);
    return sel;
}

/* Counts (and with print, lists) the selected cases of every group. */
static size_t discovered_walk(bool print)
{
    size_t total = 0, index = 0;
    for (size_t g = 0; g < S.disc.ngroups; g++) {
        const tc_cm_group *grp = &S.disc.groups[g];
        for (size_t i = 0; i < grp->n; i++, index++) {
            if (!discovered_selected(grp->name, grp->cases[i], index))
                continue;
            total++;
            if (print)
                printf("%s/%s\n", grp->name, grp->cases[i]);
        }
    }
    return total;
}

static void at_exit(int status, void *arg);

/* Discovery that starts mid-run, in a group call: the child leaves that
 * call for main() at once and records only the groups after it. */
static bool discover_rest(void)
{
    tc_cm_discovery_free(&S.disc);
    int d = tc_cm_discover(&S.disc, &S.disc_fd);
    if (d == 1)
        longjmp(S.group_return, 1);
    return d == 0;
}

/* A teardown signal ends the run inside the current group: the selected
 * cases of the groups main() would have called next are reported as not
 * run, so that every report still lists every selected case. A run that
 * did not discover at the start does it now. */
static void skip_rest(tc_run *run)
{
    char why[128];
    if (!tc_run_why_not(run, why, sizeof why))
        return;
    /* The calls so far matched what discovery recorded: the next group's
     * first case has the index after the current group's. */
    size_t first = S.groups_called + 1, index = S.next_index + S.group_n;
    if (!S.discovered) {
        if (!discover_rest())
            return;
        first = 0;
    }
    for (size_t g = first; g < S.disc.ngroups; g++) {
        const tc_cm_group *grp = &S.disc.groups[g];
        for (size_t i = 0; i < grp->n; i++, index++) {
            if (!discovered_selected(grp->name, grp->cases[i], index))
                continue;
            tc_suite_case c = {.group = grp->name, .name = grp->cases[i], .index = index};
            if (asprintf(&c.full, "%s/%s", grp->name, grp->cases[i]) < 0)
                return;
            tc_run_report_not_run(run, &c, why);
            free(c.full);
        }
    }
}

/* Discovery forks a child that runs main() again; only what needs every
 * group's cases before main() called them asks for it: --list, the TAP
 * plan and the progress line (a terminal's) show them or their total
 * first, and --shard, JUnit (Bazel's too) and JSON runs are kept as they
 * were. A plain console run, --run NAME included, starts without it. */
static bool wants_discovery(const tc_suite_opts *o)
{
    bool reports = o->json != NULL;
    for (size_t i = 0; i < sizeof o->junit / sizeof o->junit[0]; i++)
        reports = reports || o->junit[i] != NULL;
    return o->list || o->tap || o->shard_total || reports || isatty(STDOUT_FILENO) == 1;
}

static size_t group_selected(const char *group, const struct CMUnitTest *tests, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += discovered_selected(group, tests[i].name, S.next_index + i);
    return total;
}

static void init(const char *group, const struct CMUnitTest *tests, size_t n)
{
    int argc = 0;
    S.init = true;
    if (read_cmdline(&argc) < 0) {
        fprintf(stderr, "%s: cannot read /proc/self/cmdline: %s\n", program_invocation_short_name,
                strerror(errno));
        exit(TC_EXIT_SETUP);
    }
    int rc = tc_suite_opts_parse(&S.opts, argc, S.argv);
    if (!rc && cmocka_env() < 0)
        rc = TC_EXIT_SETUP;
    if (rc || S.opts.help) {
        if (S.opts.help)
            tc_suite_usage(stdout, program_invocation_short_name);
        exit(rc);
    }
    on_exit(at_exit, NULL);
    if (S.opts.run && testcage_in_cage()) {
        S.in_process = true;
        return;
    }
    int d = wants_discovery(&S.opts) ? tc_cm_discover(&S.disc, &S.disc_fd) : -1;
    if (d == 1)
        return;
    S.discovered = d == 0;
    if (S.opts.list)
        tc_bazel_ack_shard(&S.opts);
    if (S.opts.list && S.discovered) {
        discovered_walk(true);
        exit(0);
    }
    if (S.opts.list)
        return;
    size_t total = S.discovered ? discovered_walk(false) : group_selected(group, tests, n);
    if ((rc = tc_run_begin(&S.run, &S.opts, program_invocation_short_name, total)) != 0)
        exit(rc);
    S.run.skip_rest = skip_rest;
}

/* Discovery is trusted only while the calls match what it recorded. */
static void check_discovery(const char *group, size_t n)
{
    if (!S.discovered)
        return;
    const tc_cm_group *g =
        S.groups_called < S.disc.ngroups ? &S.disc.groups[S.groups_called] : NULL;
    if (!g || g->n != n || strcmp(g->name, group) != 0)
        S.discovered = false;
}

static int run_in_process(tc_suite_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cases[i].full, S.opts.run) != 0)
            continue;
        S.ran = true;
        exit(tc_case_body(&cases[i]));
    }
    return 0;
}

static size_t run_group(tc_registry *reg)
{
    tc_suite_case **sel = calloc(reg->n + 1, sizeof(tc_suite_case *));
    if (!sel) {
        perror(program_invocation_short_name);
        exit(1);
    }
    size_t nsel = 0;
    for (size_t i = 0; i < reg->n; i++)
        if (tc_case_selected(&S.opts, &reg->cases[i]))
            sel[nsel++] = &reg->cases[i];
    size_t failed = 0;
    if (S.opts.list) {
        for (size_t i = 0; i < nsel; i++)
            printf("%s\n", sel[i]->full);
    } else {
        failed = tc_run_cases(&S.run, sel, nsel);
    }
    free(sel);
    return failed;
}

static int build_group(tc_registry *reg, struct cm_case *cm, const char *group,
                       const struct CMUnitTest *tests, size_t n, CMFixtureFunction gs,
                       CMFixtureFunction gt)
{
    for (size_t i = 0; i < n; i++) {
        cm[i] = (struct cm_case){
            .group = group, .test = tests[i], .group_setup = gs, .group_teardown = gt};
        tc_suite_case *c = tc_registry_add(reg, group, tests[i].name, true);
        if (!c)
            return -1;
        c->index = S.next_index + i;
        S.named = S.named || (S.opts.run && strcmp(c->full, S.opts.run) == 0);
        c->body = cm_body;
        c->arg = &cm[i];
        c->annotate = tc_annotate_cmocka;
    }
    return 0;
}

int _testcage_run_group_tests(const char *group, const struct CMUnitTest *tests, size_t n,
                              CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    if (!S.init)
        init(group, tests, n);
    if (S.disc_fd >= 0) {
        tc_cm_discover_record(S.disc_fd, group, tests, n);
        return 0;
    }
    check_discovery(group, n);
    S.group_n = n;
    /* A discovery child forked in skip_rest, on its way back to main()
     * (what this call allocated is the child's to drop at its exit). */
    if (setjmp(S.group_return))
        return 0;
    tc_registry reg = {0};
    struct cm_case *cm = calloc(n + 1, sizeof *cm);
    if (!cm || build_group(&reg, cm, group, tests, n, group_setup, group_teardown) < 0) {
        perror(program_invocation_short_name);
        exit(1);
    }
    size_t failed = S.in_process ? (size_t)run_in_process(reg.cases, reg.n) : run_group(&reg);
    S.next_index += n;
    S.groups_called++;
    if (S.discovered && S.groups_called == S.disc.ngroups)
        S.status = tc_run_end(&S.run);
    tc_registry_free(&reg);
    free(cm);
    return failed > 1000000 ? 1000000 : (int)failed;
}

static void release(void)
{
    tc_suite_opts_free(&S.opts);
    tc_cm_discovery_free(&S.disc);
    free(S.argv);
    free(S.cmdline);
    free(S.xml_path);
}

/* Ends the report if main() returned before the last group, and makes the
 * exit status 1 whenever a case failed: main() usually returns the failure
 * count, which wraps to 0 at 256. Remaining exit handlers are skipped then. */
static void at_exit(int status, void *arg)
{
    (void)arg;
    if (tc_in_case_body())
        return; /* a case's own end: the runner's report is not its business */
    if (S.disc_fd >= 0)
        _exit(0);
    if (S.in_process && !S.ran) {
        fprintf(stderr, "%s: no test case named '%s'\n", program_invocation_short_name, S.opts.run);
        fflush(NULL);
        _exit(TC_EXIT_SETUP);
    }
    /* Found out only now, unless discovery ran: --run NAME named no case. */
    bool unnamed = S.opts.run && S.run.begun && !S.named && !S.run.interrupted;
    if (unnamed)
        fprintf(stderr, "%s: no test case named '%s'\n", program_invocation_short_name, S.opts.run);
    if (S.run.begun && !S.run.ended)
        S.status = tc_run_end(&S.run);
    S.status = unnamed ? TC_EXIT_SETUP : S.status;
    int forced = S.status ? S.status : S.run.begun ? tc_run_exit_status(&S.run) : 0;
    bool stream = S.opts.tap && S.opts.tap_exit_stream;
    release();
    if ((forced || stream) && status != forced && !S.run.interrupted) {
        fflush(NULL);
        _exit(forced);
    }
}
