/* output.c - the reporters one run writes to (console or TAP on stdout, plus
 * JUnit and JSON files), driven as one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite_internal.h"

static int add(tc_outputs *out, tc_reporter *r, const char *what, const char *path)
{
    if (!r) {
        fprintf(stderr, "%s: cannot write %s %s: %s\n", program_invocation_short_name, what,
                path ? path : "report", strerror(errno));
        return -1;
    }
    out->reps[out->n++] = r;
    return 0;
}

static bool seen_before(const tc_suite_opts *o, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (o->junit[k] && strcmp(o->junit[k], o->junit[i]) == 0)
            return true;
    return false;
}

/* --color auto: on a terminal unless NO_COLOR; CLICOLOR_FORCE forces it
 * (both as https://no-color.org and https://bixense.com/clicolors say). */
static bool want_color(const tc_suite_opts *o)
{
    const char *nc = getenv("NO_COLOR"), *force = getenv("CLICOLOR_FORCE");
    if (o->color != TC_COLOR_AUTO)
        return o->color == TC_COLOR_ALWAYS;
    if (nc && *nc)
        return false;
    return (force && *force && strcmp(force, "0") != 0) || isatty(STDOUT_FILENO) == 1;
}

int tc_outputs_open(tc_outputs *out, const tc_suite_opts *o)
{
    *out = (tc_outputs){0};
    int rc = 0;
    if (o->tap) {
        rc = add(out, tc_reporter_tap_new(stdout), "TAP", NULL);
    } else {
        bool tty = isatty(STDOUT_FILENO) == 1;
        struct tc_console_opts co = {
            .verbosity = o->verbosity, .color = want_color(o), .progress = tty, .prefix = ""};
        rc = add(out, tc_reporter_console_new(stdout, &co), "console", NULL);
    }
    for (size_t i = 0; i < 3 && !rc; i++)
        if (o->junit[i] && !seen_before(o, i))
            rc = add(out, tc_reporter_junit_new(o->junit[i]), "JUnit", o->junit[i]);
    if (!rc && o->json)
        rc = add(out, tc_reporter_json_new(o->json), "JSON", o->json);
    if (rc)
        tc_outputs_close(out);
    return rc;
}

void tc_outputs_begin(tc_outputs *out, const char *suite, size_t total)
{
    for (size_t i = 0; i < out->n; i++)
        out->reps[i]->begin(out->reps[i], suite, total);
}

/* --repeat: run k of a case is reported as NAME#k. */
static const char *run_name(const tc_outputs *out, const tc_suite_case *c, char *buf, size_t len)
{
    if (!out->run)
        return c->name;
    snprintf(buf, len, "%s#%u", c->name, out->run);
    return buf;
}

void tc_outputs_start(tc_outputs *out, const tc_suite_case *c)
{
    char buf[512];
    const char *name = run_name(out, c, buf, sizeof buf);
    for (size_t i = 0; i < out->n; i++)
        out->reps[i]->case_start(out->reps[i], c->group, name);
}

void tc_outputs_done(tc_outputs *out, const tc_suite_case *c, const testcage_result *r)
{
    char name[512];
    tc_case tc = {.suite = c->group, .name = run_name(out, c, name, sizeof name), .result = r};
    for (size_t i = 0; i < out->n; i++)
        out->reps[i]->case_done(out->reps[i], &tc);
}

int tc_outputs_end(tc_outputs *out, const tc_summary *sum)
{
    int rc = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->reps[i]->end(out->reps[i], sum) < 0)
            rc = -1;
    return rc;
}

void tc_outputs_close(tc_outputs *out)
{
    for (size_t i = 0; i < out->n; i++)
        out->reps[i]->destroy(out->reps[i]);
    out->n = 0;
}
