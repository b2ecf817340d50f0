/* reporter_console.c - the human reporter: cmocka/gtest-like status lines,
 * details (failure records, captured output, leaks) only where they help,
 * an optional live progress line and a summary listing what went wrong. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "report_internal.h"

#define GREEN  "\033[32m"
#define RED    "\033[31m"
#define YELLOW "\033[33m"
#define RESET  "\033[0m"

/* The summary names at most this many failed cases: memory stays bounded
 * however many fail, and a longer list helps nobody on a terminal. */
#define MAX_LISTED 100

struct listed {
    enum testcage_status status;
    char *name;
};

struct console {
    tc_reporter base; /* first: the reporter pointer is the object */
    FILE *out;
    struct tc_console_opts opts;
    const char *detail; /* prefix of detail lines */
    size_t total, done;
    char *current; /* last started case, for the progress line */
    bool progress_shown;
    struct listed listed[MAX_LISTED];
    size_t nlisted, unlisted;
};

static struct console *to_console(tc_reporter *r)
{
    return (struct console *)r;
}

/* "suite/name", or just the name when there is no distinct suite (the
 * CLI names its one case after the program). Returns malloc'd or NULL. */
static char *full_name(const char *suite, const char *name)
{
    char *s = NULL;

    if (!name)
        name = "?";
    if (!suite || !*suite || strcmp(suite, name) == 0)
        return strdup(name);
    return asprintf(&s, "%s/%s", suite, name) < 0 ? NULL : s;
}

static void tag(struct console *c, const char *color, const char *text)
{
    if (c->opts.color)
        fprintf(c->out, "%s[%s]%s ", color, text, RESET);
    else
        fprintf(c->out, "[%s] ", text);
}

static int term_width(FILE *out)
{
    struct winsize ws;

    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

/* The progress line is erased before anything else is printed, so status
 * lines never end up glued to it. */
static void progress_erase(struct console *c)
{
    if (!c->progress_shown)
        return;
    fputs("\r\033[K", c->out);
    c->progress_shown = false;
}

static void progress_draw(struct console *c)
{
    char head[64];
    int width, room;

    if (!c->opts.progress)
        return;
    width = term_width(c->out);
    snprintf(head, sizeof head, "[ %zu/%zu ] ", c->done, c->total);
    /* Cut the name so the line never wraps: \r cannot go back a row. */
    room = width - 1 - (int)strlen(head);
    fprintf(c->out, "\r%s%.*s\033[K", head, room > 0 ? room : 0, c->current ? c->current : "");
    fflush(c->out);
    c->progress_shown = true;
}

static void console_begin(tc_reporter *r, const char *suite, size_t total)
{
    struct console *c = to_console(r);

    (void)suite;
    c->total = total;
}

static void console_case_start(tc_reporter *r, const char *suite, const char *name)
{
    struct console *c = to_console(r);

    free(c->current);
    c->current = full_name(suite, name);
    progress_erase(c);
    if (c->opts.verbosity >= 1) {
        tag(c, GREEN, " RUN      ");
        fprintf(c->out, "%s\n", c->current ? c->current : name);
        fflush(c->out);
    }
    progress_draw(c);
}

static long long ms(double seconds)
{
    return seconds > 0 ? (long long)(seconds * 1000.0 + 0.5) : 0;
}

/* The status line: one per case, the tag chosen by status. */
static void status_line(struct console *c, const char *name, const testcage_result *r)
{
    char sig[32];

    switch (r->status) {
    case TESTCAGE_PASS:
        tag(c, GREEN, "       OK ");
        fprintf(c->out, "%s (%lld ms)\n", name, ms(r->duration));
        break;
    case TESTCAGE_FAIL:
        tag(c, RED, "  FAILED  ");
        fprintf(c->out, "%s (%lld ms)\n", name, ms(r->duration));
        break;
    case TESTCAGE_SKIP:
        tag(c, YELLOW, " SKIPPED  ");
        if (r->skip_reason)
            fprintf(c->out, "%s: %s\n", name, r->skip_reason);
        else
            fprintf(c->out, "%s\n", name);
        break;
    case TESTCAGE_TIMEOUT:
        tag(c, RED, " TIMEOUT  ");
        fprintf(c->out, "%s (after %.1f s%s)\n", name, r->duration,
                r->killed ? ", SIGKILL needed" : "");
        break;
    case TESTCAGE_CRASH:
        tag(c, RED, "  CRASH   ");
        fprintf(c->out, "%s (%s)\n", name, tc_signal_name(r->signal, sig, sizeof sig));
        break;
    case TESTCAGE_SETUP_ERROR:
        tag(c, RED, "  ERROR   ");
        fprintf(c->out, "%s: %s\n", name, r->message ? r->message : "cage setup failed");
        break;
    }
}

/* Failure records, exit status and notices of a case worth explaining. */
static void details(struct console *c, const testcage_result *r)
{
    const char *d = c->detail;

    for (size_t i = 0; i < r->nfailures; i++) {
        const testcage_failure *f = &r->failures[i];
        const char *msg = f->message ? f->message : "failed";
        if (f->file)
            fprintf(c->out, "%s%s:%d: %s\n", d, f->file, f->line, msg);
        else
            fprintf(c->out, "%s%s\n", d, msg);
    }
    if (r->status == TESTCAGE_FAIL && r->nfailures == 0 && r->exit_code > 0)
        fprintf(c->out, "%sexited with status %d\n", d, r->exit_code);
    if (r->message && r->status != TESTCAGE_SETUP_ERROR)
        fprintf(c->out, "%s%s\n", d, r->message);
    if (r->report_corrupt)
        fprintf(c->out, "%sthe test wrote garbage on its report channel\n", d);
    if (r->interrupted)
        fprintf(c->out, "%sinterrupted\n", d);
}

/* Captured output goes out raw: it is what the test would have printed on
 * this terminal without the cage. */
static void output_block(struct console *c, const testcage_result *r)
{
    if (!r->output || r->output_len == 0)
        return;
    if (r->output_dropped)
        fprintf(c->out, "%s--- output (%zu bytes omitted from the middle) ---\n", c->detail,
                r->output_dropped);
    else
        fprintf(c->out, "%s--- output ---\n", c->detail);
    fwrite(r->output, 1, r->output_len, c->out);
    if (r->output[r->output_len - 1] != '\n')
        fputc('\n', c->out);
    fprintf(c->out, "%s--- end of output ---\n", c->detail);
}

/* What --on-timeout (or gdb's backtrace) printed before SIGTERM: the most
 * useful thing to see about a hung test. */
static void debug_block(struct console *c, const testcage_result *r)
{
    size_t len = r->debug_output ? strlen(r->debug_output) : 0;

    if (r->kept_dir)
        fprintf(c->out, "%sfiles kept in %s\n", c->detail, r->kept_dir);
    if (len == 0)
        return;
    fprintf(c->out, "%s--- at the timeout ---\n", c->detail);
    fwrite(r->debug_output, 1, len, c->out);
    if (r->debug_output[len - 1] != '\n')
        fputc('\n', c->out);
    fprintf(c->out, "%s--- end of timeout report ---\n", c->detail);
}

static void leaks_block(struct console *c, const char *name, const testcage_result *r)
{
    size_t n = testcage_result_leaks(r);

    if (n == 0)
        return;
    tag(c, YELLOW, "  LEAKS   ");
    fprintf(c->out, "%s: %zu leaked object%s%s\n", name, n, n == 1 ? "" : "s",
            r->leak_failed ? " (fails the case)" : "");
    tc_print_leaks(c->out, c->detail, r);
}

static void remember_failure(struct console *c, const char *name, enum testcage_status status)
{
    char *copy = NULL;

    if (c->nlisted < MAX_LISTED)
        copy = strdup(name);
    if (!copy) {
        c->unlisted++;
        return;
    }
    c->listed[c->nlisted].status = status;
    c->listed[c->nlisted++].name = copy;
}

static void console_case_done(tc_reporter *r, const tc_case *tc)
{
    struct console *c = to_console(r);
    const testcage_result *res = tc->result;
    bool failed = tc_result_failed(res);
    char *name = full_name(tc->suite, tc->name);
    const char *shown = name ? name : (tc->name ? tc->name : "?");

    c->done++;
    progress_erase(c);
    if (failed)
        remember_failure(c, shown, res->status);
    if (failed || c->opts.verbosity >= 0) {
        status_line(c, shown, res);
        if (failed || c->opts.verbosity >= 1) {
            details(c, res);
            output_block(c, res);
            debug_block(c, res);
        }
        leaks_block(c, shown, res);
    }
    /* Flushed per case: a caged child forked later must not inherit (and
     * print again) a half-full stdio buffer. */
    fflush(c->out);
    free(name);
    progress_draw(c);
}

static const char *plural(size_t n)
{
    return n == 1 ? "test" : "tests";
}

static void list_failures(struct console *c)
{
    static const char *tags[] = {
        [TESTCAGE_FAIL] = "  FAILED  ",
        [TESTCAGE_TIMEOUT] = " TIMEOUT  ",
        [TESTCAGE_CRASH] = "  CRASH   ",
        [TESTCAGE_SETUP_ERROR] = "  ERROR   ",
    };

    for (size_t i = 0; i < c->nlisted; i++) {
        tag(c, RED, tags[c->listed[i].status]);
        fprintf(c->out, "%s\n", c->listed[i].name);
    }
    if (c->unlisted)
        fprintf(c->out, "... and %zu more\n", c->unlisted);
}

static int console_end(tc_reporter *r, const tc_summary *sum)
{
    struct console *c = to_console(r);
    size_t bad = sum->failed + sum->timed_out + sum->crashed + sum->setup_errors;

    progress_erase(c);
    tag(c, GREEN, "==========");
    fprintf(c->out, "%zu %s ran (%.2f s)\n", sum->total, plural(sum->total), sum->duration);
    if (sum->rounds) {
        tag(c, GREEN, "  ROUNDS  ");
        fprintf(c->out, "%u round%s: %zu runs, %zu distinct failing %s\n", sum->rounds,
                sum->rounds == 1 ? "" : "s", sum->total, sum->failing_cases,
                plural(sum->failing_cases));
    }
    tag(c, GREEN, "  PASSED  ");
    fprintf(c->out, "%zu %s\n", sum->passed, plural(sum->passed));
    if (sum->skipped) {
        tag(c, YELLOW, " SKIPPED  ");
        fprintf(c->out, "%zu %s\n", sum->skipped, plural(sum->skipped));
    }
    if (bad) {
        tag(c, RED, "  FAILED  ");
        fprintf(c->out, "%zu %s, listed below:\n", bad, plural(bad));
        list_failures(c);
    }
    if (sum->leaky) {
        tag(c, YELLOW, "  LEAKS   ");
        fprintf(c->out, "%zu %s left something behind\n", sum->leaky, plural(sum->leaky));
    }
    if (fflush(c->out) == EOF || ferror(c->out))
        return -1;
    return 0;
}

static void console_destroy(tc_reporter *r)
{
    struct console *c = to_console(r);

    if (!c)
        return;
    for (size_t i = 0; i < c->nlisted; i++)
        free(c->listed[i].name);
    free(c->current);
    free(c);
}

tc_reporter *tc_reporter_console_new(FILE *out, const struct tc_console_opts *opts)
{
    struct console *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->out = out;
    if (opts)
        c->opts = *opts;
    /* The CLI prefixes its lines with "testcage: "; without a prefix,
     * details are indented under their status line. */
    c->detail = c->opts.prefix && *c->opts.prefix ? c->opts.prefix : "    ";
    c->base.begin = console_begin;
    c->base.case_start = console_case_start;
    c->base.case_done = console_case_done;
    c->base.end = console_end;
    c->base.destroy = console_destroy;
    return &c->base;
}
