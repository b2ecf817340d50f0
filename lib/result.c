/* result.c - owning and naming the parts of a testcage_result. */
#include "testcage_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_result_message(testcage_result *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    free(r->message);
    r->message = strdup(buf);
}

size_t testcage_result_leaks(const testcage_result *r)
{
    return r->nprocs + r->procs_omitted + r->nfiles + r->files_omitted + r->nipcs + r->ipcs_omitted;
}

void testcage_result_free(testcage_result *r)
{
    for (size_t k = 0; k < r->nprocs; k++) {
        free(r->procs[k].comm);
        free(r->procs[k].cmdline);
    }
    for (size_t k = 0; k < r->nfiles; k++)
        free(r->files[k].path);
    for (size_t k = 0; k < r->nfailures; k++) {
        free(r->failures[k].file);
        free(r->failures[k].message);
    }
    free(r->procs);
    free(r->files);
    free(r->ipcs);
    free(r->failures);
    free(r->skip_reason);
    free(r->message);
    free(r->output);
    free(r->debug_output);
    free(r->kept_dir);
    memset(r, 0, sizeof(*r));
}

const char *testcage_status_name(enum testcage_status s)
{
    static const char *const names[] = {"pass", "fail", "skip", "timeout", "crash", "setup-error"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

const char *testcage_ipc_kind_name(enum testcage_ipc_kind k)
{
    static const char *const names[] = {"shm", "sem", "msg"};
    return (unsigned)k < 3 ? names[k] : "ipc";
}
