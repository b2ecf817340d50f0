/* reporter_tap.c - TAP for harnesses such as Perl's prove: a plan, one
 * ok/not ok line per case, SKIP directives and a YAML diagnostic block
 * (message, status, duration, failures, leaks, output) where it helps.
 *
 * The version line says 13, not 14: TAP::Harness 3.44 (Debian 12's prove)
 * reports "TAP specified version 14 but we don't know about versions later
 * than 13" as a parse error and fails the whole file. Everything written
 * here is valid TAP 14 as well (no subtests or pragmas are used), and a
 * TAP 14 consumer accepts a version 13 stream. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define REPLACEMENT "\xef\xbf\xbd"

struct tap {
    tc_reporter base; /* first: the reporter pointer is the object */
    FILE *out;
    size_t n;         /* test points written */
    bool begun;       /* version line written */
    bool plan_at_end; /* the total was unknown at begin() */
};

static struct tap *to_tap(tc_reporter *r)
{
    return (struct tap *)r;
}

/* Writes s with what TAP/YAML cannot carry replaced; `esc` maps one ASCII
 * byte to its replacement (or NULL to keep it). Invalid UTF-8 becomes
 * U+FFFD because a TAP 13 parser decodes the stream as UTF-8. */
static void put_filtered(FILE *out, const char *s, size_t len, const char *(*esc)(unsigned char))
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : tc_utf8_len(s + i, len - i);
        const char *rep = c < 0x80 ? esc(c) : (n ? NULL : REPLACEMENT);

        if (rep)
            fputs(rep, out);
        else
            fwrite(s + i, 1, n, out);
        i += n ? n : 1;
    }
}

/* Test point descriptions: TAP 14 escapes '#' and '\'; a line break would
 * end the test line, so control characters become spaces. */
static const char *desc_esc(unsigned char c)
{
    if (c == '#')
        return "\\#";
    if (c == '\\')
        return "\\\\";
    return c < 0x20 || c == 0x7f ? " " : NULL;
}

/* A SKIP reason runs to the end of the line; only line breaks matter. */
static const char *line_esc(unsigned char c)
{
    return c < 0x20 || c == 0x7f ? " " : NULL;
}

/* YAML double-quoted scalars, in the escapes TAP::Parser's YAMLish reader
 * understands (\" \\ \t \n \r \xNN). */
static const char *yq_esc(unsigned char c)
{
    static char hex[8];

    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\t':
        return "\\t";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    default:
        if (c >= 0x20 && c != 0x7f)
            return NULL;
        snprintf(hex, sizeof hex, "\\x%02x", c);
        return hex;
    }
}

/* TAP::Parser matches a quoted scalar with a regex that gives up past
 * ~65,000 characters, so no quoted string may be longer than this. */
#define YQ_MAX 8192

/* Where to cut s to at most max bytes without splitting a UTF-8 sequence. */
static size_t cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return max > 0 ? max : YQ_MAX;
}

static void yq_n(FILE *out, const char *s, size_t len)
{
    size_t n = cut(s, len, YQ_MAX);

    fputc('"', out);
    put_filtered(out, s, n, yq_esc);
    if (n < len)
        fputs(" [...]", out);
    fputc('"', out);
}

static void yq(FILE *out, const char *s)
{
    yq_n(out, s ? s : "", s ? strlen(s) : 0);
}

/* A literal block (`|`) reads best for output, but YAML cannot carry
 * control characters in one, and a first line starting with blanks would
 * set a deeper indentation than later lines have. */
static bool block_ok(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && s[i] == '\n')
        i++;
    if (i < len && (s[i] == ' ' || s[i] == '\t'))
        return false;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

static const char *no_esc(unsigned char c)
{
    (void)c;
    return NULL;
}

/* Calls line() for every line of s (without its newline). */
static void each_line(FILE *out, const char *s, size_t len,
                      void (*line)(FILE *, const char *, size_t))
{
    size_t start = 0;

    while (start < len) {
        const char *nl = memchr(s + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - s) : len;
        line(out, s + start, end - start);
        start = end + 1;
    }
}

/* Every line indented, blank ones included: the YAMLish reader ends the
 * block at the first line without the block's indentation. */
static void block_line(FILE *out, const char *s, size_t len)
{
    fputs("    ", out);
    put_filtered(out, s, len, no_esc);
    fputc('\n', out);
}

/* One quoted list item per line; lines too long for one are split. */
static void list_line(FILE *out, const char *s, size_t len)
{
    do {
        size_t n = cut(s, len, YQ_MAX);
        fputs("    - \"", out);
        put_filtered(out, s, n, yq_esc);
        fputs("\"\n", out);
        s += n, len -= n;
    } while (len > 0);
}

/* Output as a literal block when YAML can carry it as is, else as a list
 * of quoted lines (escapes keep every byte; long lines are split). */
static void yaml_text(FILE *out, const char *key, const char *s, size_t len)
{
    if (!s || len == 0)
        return;
    if (block_ok(s, len)) {
        fprintf(out, "  %s: |\n", key);
        each_line(out, s, len, block_line);
    } else {
        fprintf(out, "  %s:\n", key);
        each_line(out, s, len, list_line);
    }
}

static void yaml_output(FILE *out, const testcage_result *r)
{
    if (r->output && r->output_len && r->output_dropped)
        fprintf(out, "  output_dropped: %zu\n", r->output_dropped);
    yaml_text(out, "output", r->output, r->output ? r->output_len : 0);
    /* what --on-timeout (or gdb) printed when the limit was reached */
    yaml_text(out, "debug_output", r->debug_output, r->debug_output ? strlen(r->debug_output) : 0);
    if (r->kept_dir) {
        fputs("  kept_dir: ", out);
        yq(out, r->kept_dir);
        fputc('\n', out);
    }
}

static void yaml_failures(FILE *out, const testcage_result *r)
{
    if (r->nfailures == 0)
        return;
    fputs("  failures:\n", out);
    for (size_t i = 0; i < r->nfailures; i++) {
        const testcage_failure *f = &r->failures[i];
        fputs("    - message: ", out);
        yq(out, f->message);
        if (f->file) {
            fputs("\n      file: ", out);
            yq(out, f->file);
            fprintf(out, "\n      line: %d", f->line);
        }
        fputc('\n', out);
    }
}

/* The leak lines as a YAML list, worded as on the console. */
static void yaml_leaks(FILE *out, const testcage_result *r)
{
    char line[4096];

    if (testcage_result_leaks(r) == 0)
        return;
    fputs("  leaks:\n", out);
    for (size_t i = 0; tc_leak_line(r, i, line, sizeof line); i++) {
        fputs("    - ", out);
        yq(out, line);
        fputc('\n', out);
    }
}

static void yaml_diag(FILE *out, const testcage_result *r)
{
    char reason[512], sig[32];

    tc_result_reason(r, reason, sizeof reason);
    fputs("  ---\n  message: ", out);
    yq(out, reason);
    fprintf(out, "\n  severity: %s\n", tc_result_failed(r) ? "fail" : "warn");
    fprintf(out, "  status: %s\n", testcage_status_name(r->status));
    fprintf(out, "  duration: %.3f\n", r->duration > 0 ? r->duration : 0.0);
    if (r->exit_code >= 0)
        fprintf(out, "  exit_code: %d\n", r->exit_code);
    if (r->signal)
        fprintf(out, "  signal: %s\n", tc_signal_name(r->signal, sig, sizeof sig));
    if (r->timed_out)
        fprintf(out, "  timed_out: true\n  killed: %s\n", r->killed ? "true" : "false");
    if (r->message && r->status != TESTCAGE_SETUP_ERROR) {
        fputs("  notice: ", out);
        yq(out, r->message);
        fputc('\n', out);
    }
    yaml_failures(out, r);
    yaml_leaks(out, r);
    yaml_output(out, r);
    fputs("  ...\n", out);
}

static void begin_once(struct tap *t)
{
    if (!t->begun)
        fputs("TAP version 13\n", t->out);
    t->begun = true;
}

static void tap_begin(tc_reporter *r, const char *suite, size_t total)
{
    struct tap *t = to_tap(r);

    (void)suite;
    begin_once(t);
    if (total > 0)
        fprintf(t->out, "1..%zu\n", total);
    else
        t->plan_at_end = true; /* unknown now; a trailing plan is valid TAP */
}

static void tap_case_start(tc_reporter *r, const char *suite, const char *name)
{
    (void)r, (void)suite, (void)name;
}

static void put_name(FILE *out, const tc_case *c)
{
    const char *name = c->name ? c->name : "?";

    if (c->suite && *c->suite && strcmp(c->suite, name) != 0) {
        put_filtered(out, c->suite, strlen(c->suite), desc_esc);
        fputc('/', out);
    }
    put_filtered(out, name, strlen(name), desc_esc);
}

static void tap_case_done(tc_reporter *r, const tc_case *c)
{
    struct tap *t = to_tap(r);
    const testcage_result *res = c->result;
    bool failed = tc_result_failed(res);

    begin_once(t);
    fprintf(t->out, "%s %zu - ", failed ? "not ok" : "ok", ++t->n);
    put_name(t->out, c);
    if (res->status == TESTCAGE_SKIP) {
        fputs(" # SKIP", t->out);
        if (res->skip_reason) {
            fputc(' ', t->out);
            put_filtered(t->out, res->skip_reason, strlen(res->skip_reason), line_esc);
        }
    }
    fputc('\n', t->out);
    if (failed || testcage_result_leaks(res) > 0)
        yaml_diag(t->out, res);
    /* Flushed per case: a caged child forked later must not inherit and
     * write out a half-full stdio buffer a second time. */
    fflush(t->out);
}

static int tap_end(tc_reporter *r, const tc_summary *sum)
{
    struct tap *t = to_tap(r);

    (void)sum;
    begin_once(t);
    if (t->plan_at_end)
        fprintf(t->out, "1..%zu\n", t->n);
    if (fflush(t->out) == EOF || ferror(t->out))
        return -1;
    return 0;
}

static void tap_destroy(tc_reporter *r)
{
    free(r);
}

tc_reporter *tc_reporter_tap_new(FILE *out)
{
    struct tap *t = calloc(1, sizeof *t);

    if (!t)
        return NULL;
    t->out = out;
    t->base.begin = tap_begin;
    t->base.case_start = tap_case_start;
    t->base.case_done = tap_case_done;
    t->base.end = tap_end;
    t->base.destroy = tap_destroy;
    return &t->base;
}
