/* reporter_json.c - the JSON report (format documented in docs/json-format.md),
 * streamed case by case so memory stays bounded for any number of cases.
 *
 * Unlike JUnit, nothing has to precede the cases: "summary" and "duration"
 * follow the "cases" array (JSON objects are unordered), so each case goes
 * straight to the file as it finishes and no temporary copy is needed. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_internal.h"

/* Bumped only on incompatible changes; adding fields keeps it. */
#define JSON_FORMAT 1

struct json {
    tc_reporter base; /* first: the reporter pointer is the object */
    FILE *out;
    tc_summary counts; /* of the cases written */
    bool begun;
    bool failed; /* an escape failed: end() reports it */
};

static struct json *to_json(tc_reporter *r)
{
    return (struct json *)r;
}

static void jstrn(struct json *j, const char *s, size_t len)
{
    if (!s) {
        fputs("null", j->out);
        return;
    }
    fputc('"', j->out);
    if (tc_json_escape(j->out, s, len) < 0)
        j->failed = true;
    fputc('"', j->out);
}

static void jstr(struct json *j, const char *s)
{
    jstrn(j, s, s ? strlen(s) : 0);
}

/* "key": "value" with a leading comma unless first. */
static void kstr(struct json *j, const char *key, const char *s)
{
    fprintf(j->out, ",\"%s\":", key);
    jstr(j, s);
}

static void kbool(struct json *j, const char *key, bool b)
{
    fprintf(j->out, ",\"%s\":%s", key, b ? "true" : "false");
}

static void kint(struct json *j, const char *key, long long v)
{
    fprintf(j->out, ",\"%s\":%lld", key, v);
}

/* JSON has no nan or inf. */
static double seconds(double s)
{
    return isfinite(s) && s > 0 ? s : 0.0;
}

static void json_begin(tc_reporter *r, const char *suite, size_t total)
{
    struct json *j = to_json(r);
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;

    (void)total;
    if (j->begun)
        return;
    j->begun = true;
    if (gmtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(j->out,
            "{\n  \"testcage\": \"%s\",\n  \"format\": %d,\n  \"suite\": ", TESTCAGE_VERSION,
            JSON_FORMAT);
    jstr(j, suite);
    fprintf(j->out, ",\n  \"timestamp\": \"%s\",\n  \"cases\": [", stamp);
}

static void json_case_start(tc_reporter *r, const char *suite, const char *name)
{
    (void)r, (void)suite, (void)name;
}

static void failures(struct json *j, const testcage_result *res)
{
    fputs(",\"failures\":[", j->out);
    for (size_t i = 0; i < res->nfailures; i++) {
        const testcage_failure *f = &res->failures[i];
        fputs(i ? ",{\"file\":" : "{\"file\":", j->out);
        jstr(j, f->file);
        kint(j, "line", f->line);
        kstr(j, "message", f->message);
        fputc('}', j->out);
    }
    fputc(']', j->out);
}

static void leaked_procs(struct json *j, const testcage_result *res)
{
    fputs("\"processes\":[", j->out);
    for (size_t i = 0; i < res->nprocs; i++) {
        const testcage_leaked_proc *p = &res->procs[i];
        fprintf(j->out, "%s{\"pid\":%d", i ? "," : "", (int)p->pid);
        kstr(j, "comm", p->comm);
        kstr(j, "cmdline", p->cmdline);
        fputc('}', j->out);
    }
    fputc(']', j->out);
}

static void leaked_files(struct json *j, const testcage_result *res)
{
    fputs(",\"files\":[", j->out);
    for (size_t i = 0; i < res->nfiles; i++) {
        const testcage_leaked_file *f = &res->files[i];
        fputs(i ? ",{\"path\":" : "{\"path\":", j->out);
        jstr(j, f->path);
        fprintf(j->out, ",\"size\":%llu", (unsigned long long)f->size);
        kbool(j, "is_dir", f->is_dir);
        fputc('}', j->out);
    }
    fputc(']', j->out);
}

static void leaked_ipcs(struct json *j, const testcage_result *res)
{
    fputs(",\"ipc\":[", j->out);
    for (size_t i = 0; i < res->nipcs; i++) {
        const testcage_leaked_ipc *p = &res->ipcs[i];
        fprintf(j->out, "%s{\"kind\":", i ? "," : "");
        jstr(j, testcage_ipc_kind_name(p->kind));
        kint(j, "key", p->key);
        kint(j, "id", p->id);
        fputc('}', j->out);
    }
    fputc(']', j->out);
}

static void leaks(struct json *j, const testcage_result *res)
{
    fputs(",\"leaks\":{", j->out);
    leaked_procs(j, res);
    leaked_files(j, res);
    leaked_ipcs(j, res);
    fprintf(j->out, ",\"omitted\":{\"processes\":%zu,\"files\":%zu,\"ipc\":%zu}}",
            res->procs_omitted, res->files_omitted, res->ipcs_omitted);
}

/* The namespaces the cage really got, by their --ns names. */
static void namespaces(struct json *j, unsigned ns)
{
    static const char *const names[] = {"pid", "mount", "ipc",    "uts",
                                        "net", "user",  "cgroup", "time"};
    fputs(",\"namespaces\":[", j->out);
    for (unsigned k = 0, n = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (ns & (1u << k)) {
            fputs(n++ ? "," : "", j->out);
            jstr(j, names[k]);
        }
    fputc(']', j->out);
}

static void outcome(struct json *j, const testcage_result *res)
{
    char sig[32];

    kstr(j, "status", testcage_status_name(res->status));
    kint(j, "exit_code", res->exit_code);
    kint(j, "signal", res->signal);
    kstr(j, "signal_name", res->signal ? tc_signal_name(res->signal, sig, sizeof sig) : NULL);
    fprintf(j->out, ",\"duration\":%.6f", seconds(res->duration));
    kbool(j, "timed_out", res->timed_out);
    kbool(j, "killed", res->killed);
    kbool(j, "interrupted", res->interrupted);
    kbool(j, "isolated", res->isolated);
    namespaces(j, res->namespaces);
    kbool(j, "leak_failed", res->leak_failed);
    kint(j, "exec_errno", res->exec_errno);
    kbool(j, "report_corrupt", res->report_corrupt);
    kint(j, "init_pid", res->init_pid);
    kstr(j, "message", res->message);
}

static void json_case_done(tc_reporter *r, const tc_case *c)
{
    struct json *j = to_json(r);
    const testcage_result *res = c->result;

    json_begin(r, c->suite, 0);
    fputs(j->counts.total ? ",\n    {\"name\":" : "\n    {\"name\":", j->out);
    tc_summary_add(&j->counts, res);
    jstr(j, c->name);
    kstr(j, "suite", c->suite);
    outcome(j, res);
    failures(j, res);
    kstr(j, "skip_reason", res->skip_reason);
    leaks(j, res);
    fputs(",\"output\":", j->out);
    jstrn(j, res->output, res->output ? res->output_len : 0);
    fprintf(j->out, ",\"output_dropped\":%zu", res->output_dropped);
    kstr(j, "debug_output", res->debug_output);
    kstr(j, "kept_dir", res->kept_dir);
    fputc('}', j->out);
    /* Flushed per case: a caged child forked later must not inherit and
     * write out a half-full stdio buffer a second time. */
    if (fflush(j->out) == EOF)
        j->failed = true;
}

static void summary(struct json *j, const tc_summary *sum)
{
    const tc_summary *n = &j->counts;

    fprintf(j->out,
            "\n  ],\n  \"summary\": {\"total\":%zu,\"passed\":%zu,\"failed\":%zu,"
            "\"skipped\":%zu,\"timed_out\":%zu,\"crashed\":%zu,\"setup_errors\":%zu,"
            "\"leaky\":%zu},\n  \"duration\": %.6f",
            n->total, n->passed, n->failed, n->skipped, n->timed_out, n->crashed, n->setup_errors,
            n->leaky, seconds(sum ? sum->duration : 0));
    if (sum && sum->shuffled)
        fprintf(j->out, ",\n  \"seed\": %u", sum->seed);
    if (sum && sum->rounds)
        fprintf(j->out, ",\n  \"rounds\": %u,\n  \"failing_cases\": %zu", sum->rounds,
                sum->failing_cases);
    fputs("\n}\n", j->out);
}

static int json_end(tc_reporter *r, const tc_summary *sum)
{
    struct json *j = to_json(r);
    int rc;

    if (!j->out)
        return -1; /* end() already ran */
    json_begin(r, NULL, 0);
    summary(j, sum);
    /* stdio's error indicator is sticky: one check covers every write. */
    rc = j->failed || ferror(j->out) ? -1 : 0;
    if (fclose(j->out) == EOF)
        rc = -1;
    j->out = NULL;
    return rc;
}

static void json_destroy(tc_reporter *r)
{
    struct json *j = to_json(r);

    if (!j)
        return;
    if (j->out)
        fclose(j->out);
    free(j);
}

tc_reporter *tc_reporter_json_new(const char *path)
{
    struct json *j = calloc(1, sizeof *j);
    int saved;

    if (!j)
        return NULL;
    j->out = fopen(path, "we"); /* close-on-exec: cages exec programs */
    if (!j->out) {
        saved = errno;
        free(j);
        errno = saved;
        return NULL;
    }
    j->base.begin = json_begin;
    j->base.case_start = json_case_start;
    j->base.case_done = json_case_done;
    j->base.end = json_end;
    j->base.destroy = json_destroy;
    return &j->base;
}
