/* reporter_junit.c - JUnit XML (the subset in shared/schemas/junit.xsd that
 * Jenkins, GitLab and ctest agree on), streamed with bounded memory.
 *
 * <testsuite> must carry the counts before its cases, but cases arrive one
 * by one and a run may have 10,000+ of them, each with up to the capture
 * limit of output. So each <testcase> is written to an unlinked tmpfile()
 * as it finishes; end() writes the header with the counts to the real file
 * and copies the body after it.
 *
 * Status mapping (kept in step with docs/json-format.md's statuses):
 *   pass         -> <testcase> with no child but output/leaks
 *   fail         -> <failure type="failure"> (type="leaks" when only leaks
 *                   under --leaks=fail made it fail); counted in failures
 *   skip         -> <skipped message="reason">; counted in skipped
 *   timeout      -> <error type="timeout">; counted in errors
 *   crash        -> <error type="crash" message="killed by signal SIGSEGV">
 *   setup_error  -> <error type="setup">: the test never ran
 * Captured output goes to <system-out>; notices, leak lines, the kept
 * directory and what --on-timeout (or gdb) printed to <system-err>; testcase's `status` attribute
 * holds testcage's own status name and `file`/`line` the first failure record. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report_internal.h"

struct junit {
    tc_reporter base; /* first: the reporter pointer is the object */
    FILE *out;        /* the requested file, written at end() */
    FILE *body;       /* the <testcase> elements so far */
    char *suite;
    char timestamp[32];
    tc_summary counts; /* of the cases actually written */
    bool failed;       /* an escape or buffer failed: end() reports it */
};

static struct junit *to_junit(tc_reporter *r)
{
    return (struct junit *)r;
}

static void text(struct junit *j, FILE *f, const char *s)
{
    if (s && tc_xml_escape(f, s, strlen(s)) < 0)
        j->failed = true;
}

static void attr(struct junit *j, FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    if (value && tc_xml_escape_attr(f, value, strlen(value)) < 0)
        j->failed = true;
    fputc('"', f);
}

/* xs:decimal: no exponent, no nan/inf. */
static double seconds(double s)
{
    return isfinite(s) && s > 0 ? s : 0.0;
}

static void junit_begin(tc_reporter *r, const char *suite, size_t total)
{
    struct junit *j = to_junit(r);
    time_t now = time(NULL);
    struct tm tm;

    (void)total;
    free(j->suite);
    j->suite = strdup(suite && *suite ? suite : "testcage");
    if (!j->suite)
        j->failed = true;
    /* Local time without a zone, as Ant's JUnit task and ctest write it. */
    if (localtime_r(&now, &tm))
        strftime(j->timestamp, sizeof j->timestamp, "%Y-%m-%dT%H:%M:%S", &tm);
}

static void junit_case_start(tc_reporter *r, const char *suite, const char *name)
{
    (void)r, (void)suite, (void)name;
}

/* Failure records, one per line, as the text of <failure>/<error>. */
static void problem_text(struct junit *j, const testcage_result *res)
{
    char line[32];

    for (size_t i = 0; i < res->nfailures; i++) {
        const testcage_failure *f = &res->failures[i];
        if (f->file) {
            text(j, j->body, f->file);
            snprintf(line, sizeof line, ":%d: ", f->line);
            text(j, j->body, line);
        }
        text(j, j->body, f->message ? f->message : "failed");
        fputc('\n', j->body);
    }
    if (res->exit_code >= 0 && res->status != TESTCAGE_SETUP_ERROR)
        fprintf(j->body, "exit status %d\n", res->exit_code);
}

static void problem(struct junit *j, const testcage_result *res)
{
    static const char *types[] = {
        [TESTCAGE_FAIL] = "failure",
        [TESTCAGE_TIMEOUT] = "timeout",
        [TESTCAGE_CRASH] = "crash",
        [TESTCAGE_SETUP_ERROR] = "setup",
    };
    const char *elem = res->status == TESTCAGE_FAIL ? "failure" : "error";
    const char *type = types[res->status];
    char reason[1024];

    if (res->status == TESTCAGE_FAIL && res->leak_failed && res->nfailures == 0)
        type = "leaks";
    tc_result_reason(res, reason, sizeof reason);
    fprintf(j->body, "      <%s", elem);
    attr(j, j->body, "message", reason);
    attr(j, j->body, "type", type);
    fputc('>', j->body);
    problem_text(j, res);
    fprintf(j->body, "</%s>\n", elem);
}

static void skipped(struct junit *j, const testcage_result *res)
{
    fputs("      <skipped", j->body);
    if (res->skip_reason)
        attr(j, j->body, "message", res->skip_reason);
    fputs("/>\n", j->body);
}

static void system_out(struct junit *j, const testcage_result *res)
{
    if (!res->output || res->output_len == 0)
        return;
    fputs("      <system-out>", j->body);
    if (tc_xml_escape(j->body, res->output, res->output_len) < 0)
        j->failed = true;
    if (res->output_dropped)
        fprintf(j->body, "%s[testcage: %zu bytes omitted from the middle]\n",
                res->output[res->output_len - 1] == '\n' ? "" : "\n", res->output_dropped);
    fputs("</system-out>\n", j->body);
}

/* Notices and leak lines (worded as on the console). No allocation per
 * case: tc_leak_line renders into a stack buffer. */
static void system_err(struct junit *j, const testcage_result *res)
{
    char line[4096];
    bool notice = res->message && res->status != TESTCAGE_SETUP_ERROR;

    if (testcage_result_leaks(res) == 0 && !notice && !res->report_corrupt && !res->debug_output &&
        !res->kept_dir)
        return;
    fputs("      <system-err>", j->body);
    if (notice) {
        text(j, j->body, res->message);
        fputc('\n', j->body);
    }
    if (res->report_corrupt)
        fputs("the test wrote garbage on its report channel\n", j->body);
    for (size_t i = 0; tc_leak_line(res, i, line, sizeof line); i++) {
        text(j, j->body, line);
        fputc('\n', j->body);
    }
    if (res->kept_dir) {
        fputs("files kept in ", j->body);
        text(j, j->body, res->kept_dir);
        fputc('\n', j->body);
    }
    if (res->debug_output) {
        fputs("--- at the timeout ---\n", j->body);
        text(j, j->body, res->debug_output);
    }
    fputs("</system-err>\n", j->body);
}

static void testcase_open(struct junit *j, const tc_case *c)
{
    const testcage_result *res = c->result;

    fputs("    <testcase", j->body);
    attr(j, j->body, "name", c->name ? c->name : "?");
    attr(j, j->body, "classname", c->suite && *c->suite ? c->suite : j->suite);
    fprintf(j->body, " time=\"%.3f\"", seconds(res->duration));
    attr(j, j->body, "status", testcage_status_name(res->status));
    if (res->nfailures > 0 && res->failures[0].file && res->failures[0].line >= 0) {
        attr(j, j->body, "file", res->failures[0].file);
        fprintf(j->body, " line=\"%d\"", res->failures[0].line);
    }
    fputs(">\n", j->body);
}

static void junit_case_done(tc_reporter *r, const tc_case *c)
{
    struct junit *j = to_junit(r);
    const testcage_result *res = c->result;

    if (!j->suite)
        junit_begin(r, c->suite, 0);
    tc_summary_add(&j->counts, res);
    testcase_open(j, c);
    if (res->status == TESTCAGE_SKIP)
        skipped(j, res);
    else if (res->status != TESTCAGE_PASS)
        problem(j, res);
    system_out(j, res);
    system_err(j, res);
    fputs("    </testcase>\n", j->body);
    /* Flushed per case: a caged child forked later must not inherit and
     * write out a half-full stdio buffer a second time. */
    if (fflush(j->body) == EOF)
        j->failed = true;
}

/* Each shard's suite has its own name, spelt as Bazel's own test.xml
 * spells it ("NAME_shard_2/3", counted from 1), so that merged reports
 * keep them apart; the cases' classname stays the same in every shard. */
static void testsuite_name(struct junit *j, const tc_summary *sum)
{
    char *name = NULL;
    if (!sum || !sum->shard_total ||
        asprintf(&name, "%s_shard_%u/%u", j->suite ? j->suite : "", sum->shard_index + 1,
                 sum->shard_total) < 0) {
        attr(j, j->out, "name", j->suite);
        return;
    }
    attr(j, j->out, "name", name);
    free(name);
}

static void header(struct junit *j, const tc_summary *sum)
{
    const tc_summary *n = &j->counts;
    size_t errors = n->timed_out + n->crashed + n->setup_errors;
    double time = seconds(sum ? sum->duration : 0);
    char host[256] = "localhost";

    gethostname(host, sizeof host - 1);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", j->out);
    attr(j, j->out, "name", j->suite);
    fprintf(j->out,
            " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
            n->total, n->failed, errors, n->skipped, time);
    fputs("  <testsuite", j->out);
    testsuite_name(j, sum);
    fprintf(j->out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
            n->total, n->failed, errors, n->skipped, time);
    if (j->timestamp[0])
        fprintf(j->out, " timestamp=\"%s\"", j->timestamp);
    attr(j, j->out, "hostname", host);
    fputs(">\n", j->out);
    if (sum && (sum->shuffled || sum->rounds)) {
        fputs("    <properties>\n", j->out);
        if (sum->shuffled)
            fprintf(j->out, "      <property name=\"seed\" value=\"%u\"/>\n", sum->seed);
        if (sum->rounds)
            fprintf(j->out,
                    "      <property name=\"rounds\" value=\"%u\"/>\n"
                    "      <property name=\"failing_cases\" value=\"%zu\"/>\n",
                    sum->rounds, sum->failing_cases);
        fputs("    </properties>\n", j->out);
    }
}

/* Appends the tmpfile's content to the output. */
static int copy_body(struct junit *j)
{
    char buf[1 << 16];
    size_t n;

    if (fflush(j->body) == EOF || fseeko(j->body, 0, SEEK_SET) < 0)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, j->body)) > 0)
        if (fwrite(buf, 1, n, j->out) != n)
            return -1;
    return ferror(j->body) ? -1 : 0;
}

static int junit_end(tc_reporter *r, const tc_summary *sum)
{
    struct junit *j = to_junit(r);
    int rc;

    if (!j->out)
        return -1; /* end() already ran */
    if (!j->suite)
        junit_begin(r, NULL, 0);
    header(j, sum);
    if (copy_body(j) < 0)
        j->failed = true;
    fputs("  </testsuite>\n</testsuites>\n", j->out);
    /* stdio's error indicator is sticky: one check here covers every
     * fprintf/fputs that went before, on both streams. */
    rc = j->failed || ferror(j->out) || ferror(j->body) ? -1 : 0;
    if (fclose(j->out) == EOF)
        rc = -1;
    j->out = NULL;
    return rc;
}

static void junit_destroy(tc_reporter *r)
{
    struct junit *j = to_junit(r);

    if (!j)
        return;
    if (j->out)
        fclose(j->out);
    if (j->body)
        fclose(j->body);
    free(j->suite);
    free(j);
}

/* tmpfile() has no close-on-exec flag; exec-mode cages must not inherit
 * the fd. */
static FILE *body_file(void)
{
    FILE *f = tmpfile();

    if (f && fcntl(fileno(f), F_SETFD, FD_CLOEXEC) < 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

tc_reporter *tc_reporter_junit_new(const char *path)
{
    struct junit *j = calloc(1, sizeof *j);
    int saved;

    if (!j)
        return NULL;
    j->out = fopen(path, "we");
    if (j->out)
        j->body = body_file();
    if (!j->out || !j->body) {
        saved = errno;
        junit_destroy(&j->base);
        errno = saved;
        return NULL;
    }
    j->base.begin = junit_begin;
    j->base.case_start = junit_case_start;
    j->base.case_done = junit_case_done;
    j->base.end = junit_end;
    j->base.destroy = junit_destroy;
    return &j->base;
}
