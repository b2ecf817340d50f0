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
        snprintf(buf, len, "%s after %.1f s%s", r->timed_out ? "timed out" : "interrupted",
                 r->duration, r->killed ? ", SIGKILL needed" : "");
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
static void clean(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static void proc_line(const testcage_leaked_proc *p, char *buf, size_t len)
{
    const char *comm = p->comm ? p->comm : "?";

    if (p->cmdline && *p->cmdline)
        snprintf(buf, len, "leaked process %s (pid %d): %s", comm, (int)p->pid, p->cmdline);
    else
        snprintf(buf, len, "leaked process %s (pid %d)", comm, (int)p->pid);
}

static void file_line(const testcage_leaked_file *f, char *buf, size_t len)
{
    const char *path = f->path ? f->path : "?";

    if (f->is_dir)
        snprintf(buf, len, "leaked file %s (empty directory)", path);
    else
        snprintf(buf, len, "leaked file %s (%llu byte%s)", path, (unsigned long long)f->size,
                 f->size == 1 ? "" : "s");
}

static void ipc_line(const testcage_leaked_ipc *p, char *buf, size_t len)
{
    snprintf(buf, len, "leaked IPC %s key 0x%08x (id %d)", testcage_ipc_kind_name(p->kind),
             (unsigned)p->key, (int)p->id);
}

static void omitted_line(size_t n, const char *one, const char *many, char *buf, size_t len)
{
    snprintf(buf, len, "... and %zu more leaked %s", n, n == 1 ? one : many);
}

/* The report is three sections, each its listed items then an optional
 * "... and N more" line; i walks them in order. */
static bool leak_line(const testcage_result *r, size_t i, char *buf, size_t len)
{
    if (i < r->nprocs)
        return proc_line(&r->procs[i], buf, len), true;
    i -= r->nprocs;
    if (r->procs_omitted && i-- == 0)
        return omitted_line(r->procs_omitted, "process", "processes", buf, len), true;
    if (i < r->nfiles)
        return file_line(&r->files[i], buf, len), true;
    i -= r->nfiles;
    if (r->files_omitted && i-- == 0)
        return omitted_line(r->files_omitted, "file", "files", buf, len), true;
    if (i < r->nipcs)
        return ipc_line(&r->ipcs[i], buf, len), true;
    i -= r->nipcs;
    if (r->ipcs_omitted && i-- == 0)
        return omitted_line(r->ipcs_omitted, "IPC object", "IPC objects", buf, len), true;
    return false;
}

bool tc_leak_line(const testcage_result *result, size_t i, char *buf, size_t len)
{
    if (len == 0 || !leak_line(result, i, buf, len))
        return false;
    clean(buf);
    return true;
}

void tc_print_leaks(FILE *out, const char *prefix, const testcage_result *result)
{
    char line[4096];

    for (size_t i = 0; tc_leak_line(result, i, line, sizeof line); i++)
        fprintf(out, "%s%s\n", prefix ? prefix : "", line);
}
