/* summary.c - what every reporter shares: the run's counters, the one-line
 * reason a case ended as it did, signal names and the leak report lines. */
#include <signal.h>
#include <string.h>

#include "report_internal.h"

void tc_summary_add(tc_summary *sum, const testcage_result *result)
{
    sum->total++;
    switch (result->status) {
    case TESTCAGE_PASS:
        sum->passed++;
        break;
    case TESTCAGE_FAIL:
        sum->failed++;
        break;
    case TESTCAGE_SKIP:
        sum->skipped++;
        break;
    case TESTCAGE_TIMEOUT:
        sum->timed_out++;
        break;
    case TESTCAGE_CRASH:
        sum->crashed++;
        break;
    case TESTCAGE_SETUP_ERROR:
        sum->setup_errors++;
        break;
    }
    if (testcage_result_leaks(result) > 0)
        sum->leaky++;
}

bool tc_result_failed(const testcage_result *result)
{
    return result->status != TESTCAGE_PASS && result->status != TESTCAGE_SKIP;
}

const char *tc_signal_name(int sig, char *buf, size_t len)
{
    const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

    if (abbrev)
        snprintf(buf, len, "SIG%s", abbrev);
    else
        snprintf(buf, len, "signal %d", sig);
    return buf;
}

/* Why a FAIL failed, most specific first. */
static void fail_reason(const testcage_result *r, char *buf, size_t len)
{
    if (r->nfailures > 0 && r->failures[0].message)
        snprintf(buf, len, "%s", r->failures[0].message);
    else if (r->leak_failed)
        snprintf(buf, len, "left %zu leaked objects behind", testcage_result_leaks(r));
    else if (r->message)
        snprintf(buf, len, "%s", r->message); /* e.g. the program could not be executed */
    else if (r->report_corrupt)
        snprintf(buf, len, "the test wrote garbage on its report channel");
    else
        snprintf(buf, len, "exited with status %d", r->exit_code);
}

void tc_result_reason(const testcage_result *r, char *buf, size_t len)
{
    char sig[32];

    switch (r->status) {
    case TESTCAGE_PASS:
        snprintf(buf, len, "passed");
        break;
    case TESTCAGE_FAIL:
        fail_reason(r, buf, len);
        break;
    case TESTCAGE_SKIP:
        snprintf(buf, len, "%s", r->skip_reason ? r->skip_reason : "skipped");
        break;
    case TESTCAGE_TIMEOUT:
        snprintf(buf, len, "timed out after %.1f s%s", r->duration,
                 r->killed ? ", SIGKILL needed" : "");
        break;
    case TESTCAGE_CRASH:
        snprintf(buf, len, "killed by signal %s", tc_signal_name(r->signal, sig, sizeof sig));
        break;
    case TESTCAGE_SETUP_ERROR:
        snprintf(buf, len, "%s", r->message ? r->message : "the cage could not be set up");
        break;
    }
}

/* Leak lines go to terminals and logs one per line: a newline or escape
 * sequence inside a leaked file's name must not break or hijack that. */
static void put_clean(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
    }
}

static void print_omitted(FILE *out, const char *prefix, size_t n, const char *one,
                          const char *many)
{
    if (n > 0)
        fprintf(out, "%s... and %zu more leaked %s\n", prefix, n, n == 1 ? one : many);
}

static void print_procs(FILE *out, const char *prefix, const testcage_result *r)
{
    for (size_t i = 0; i < r->nprocs; i++) {
        const testcage_leaked_proc *p = &r->procs[i];
        fprintf(out, "%sleaked process ", prefix);
        put_clean(out, p->comm ? p->comm : "?");
        fprintf(out, " (pid %d)", (int)p->pid);
        if (p->cmdline && *p->cmdline) {
            fputs(": ", out);
            put_clean(out, p->cmdline);
        }
        fputc('\n', out);
    }
    print_omitted(out, prefix, r->procs_omitted, "process", "processes");
}

static void print_files(FILE *out, const char *prefix, const testcage_result *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        const testcage_leaked_file *f = &r->files[i];
        fprintf(out, "%sleaked file ", prefix);
        put_clean(out, f->path ? f->path : "?");
        if (f->is_dir)
            fputs(" (empty directory)\n", out);
        else
            fprintf(out, " (%llu byte%s)\n", (unsigned long long)f->size, f->size == 1 ? "" : "s");
    }
    print_omitted(out, prefix, r->files_omitted, "file", "files");
}

static void print_ipcs(FILE *out, const char *prefix, const testcage_result *r)
{
    for (size_t i = 0; i < r->nipcs; i++) {
        const testcage_leaked_ipc *p = &r->ipcs[i];
        fprintf(out, "%sleaked IPC %s key 0x%08x (id %d)\n", prefix,
                testcage_ipc_kind_name(p->kind), (unsigned)p->key, (int)p->id);
    }
    print_omitted(out, prefix, r->ipcs_omitted, "IPC object", "IPC objects");
}

void tc_print_leaks(FILE *out, const char *prefix, const testcage_result *result)
{
    if (!prefix)
        prefix = "";
    print_procs(out, prefix, result);
    print_files(out, prefix, result);
    print_ipcs(out, prefix, result);
}
