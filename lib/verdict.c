/* verdict.c - the runner's judgement of a cage: the init's and the body's
 * records in, a testcage_result out. Pure: it touches no fd and sends no
 * signal (what a record asks the runner to do is returned). */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define DEBUG_OUTPUT_MAX ((size_t)64 * 1024)

void tc_verdict_init(struct tc_verdict *v, enum testcage_leak_policy leaks)
{
    memset(v, 0, sizeof(*v));
    v->leaks = leaks;
    v->res.exit_code = -1;
}

/* Makes room for one more item (false: out of memory, the item is dropped). */
static bool grow(void **arr, size_t n, size_t size)
{
    void *grown = realloc(*arr, (n + 1) * size);
    if (grown)
        *arr = grown;
    return grown != NULL;
}

static void append_debug(testcage_result *r, const char *chunk, size_t n)
{
    size_t have = r->debug_output ? strlen(r->debug_output) : 0;
    if (have + n > DEBUG_OUTPUT_MAX)
        return;
    char *grown = realloc(r->debug_output, have + n + 1);
    if (!grown)
        return;
    memcpy(grown + have, chunk, n + 1);
    r->debug_output = grown;
}

static void take_status(struct tc_verdict *v, int st)
{
    v->got_status = true;
    v->res.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    v->res.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

/* The leak lists; false when w is none of them. */
static bool take_leak(testcage_result *r, const struct wire_rec *w)
{
    if (w->type == WIRE_PROC && w->nint >= 1 && w->nstr >= 2) {
        if (r->nprocs < TC_MAX_LISTED && grow((void **)&r->procs, r->nprocs, sizeof(*r->procs)))
            r->procs[r->nprocs++] =
                (testcage_leaked_proc){(pid_t)w->i[0], strdup(w->s[0]), strdup(w->s[1])};
    } else if (w->type == WIRE_FILE && w->nint >= 2 && w->nstr >= 1) {
        if (r->nfiles < TC_MAX_LISTED && grow((void **)&r->files, r->nfiles, sizeof(*r->files)))
            r->files[r->nfiles++] =
                (testcage_leaked_file){strdup(w->s[0]), (uint64_t)w->i[0], w->i[1] != 0};
    } else if (w->type == WIRE_IPC && w->nint >= 3) {
        if (r->nipcs < TC_MAX_LISTED && grow((void **)&r->ipcs, r->nipcs, sizeof(*r->ipcs)))
            r->ipcs[r->nipcs++] = (testcage_leaked_ipc){(enum testcage_ipc_kind)w->i[0],
                                                        (int32_t)w->i[1], (int32_t)w->i[2]};
    } else if (w->type == WIRE_OMITTED && w->nint >= 3) {
        r->procs_omitted = (size_t)w->i[0];
        r->files_omitted = (size_t)w->i[1];
        r->ipcs_omitted = (size_t)w->i[2];
    } else {
        return false;
    }
    return true;
}

static void take_setup_error(testcage_result *r, const struct wire_rec *w)
{
    r->status = TESTCAGE_SETUP_ERROR;
    tc_result_message(r, "cannot %s: %s", w->s[0], strerror((int)w->i[0]));
}

enum tc_verdict_ask tc_verdict_init_record(struct tc_verdict *v, const struct wire_rec *w)
{
    testcage_result *r = &v->res;
    if (w->type == WIRE_STATUS && w->nint >= 1)
        take_status(v, (int)w->i[0]);
    else if (take_leak(r, w))
        ;
    else if (w->type == WIRE_DEBUG && w->nstr >= 1)
        append_debug(r, w->s[0], w->slen[0]);
    else if (w->type == WIRE_HOLD)
        return TC_ASK_HOLD;
    else if (w->type == WIRE_DEBUG_DONE)
        return TC_ASK_DEBUG_DONE;
    else if (w->type == WIRE_KEPT && w->nstr >= 1 && v->keep_parent && !r->kept_dir) {
        if (asprintf(&r->kept_dir, "%s/%s", v->keep_parent, w->s[0]) < 0)
            r->kept_dir = NULL;
    } else if (w->type == WIRE_SETUP_ERROR && w->nint >= 1 && w->nstr >= 1)
        take_setup_error(r, w);
    return TC_ASK_NOTHING;
}

/* Nothing here can turn a failing status into a pass. */
void tc_verdict_body_record(struct tc_verdict *v, const struct wire_rec *w)
{
    testcage_result *r = &v->res;
    if (w->type == WIRE_FAILURE && w->nint >= 1 && w->nstr >= 2) {
        if (r->nfailures < TC_MAX_LISTED &&
            grow((void **)&r->failures, r->nfailures, sizeof(*r->failures)))
            r->failures[r->nfailures++] = (testcage_failure){w->s[0][0] ? strdup(w->s[0]) : NULL,
                                                             (int)w->i[0], strdup(w->s[1])};
    } else if (w->type == WIRE_SKIP && w->nstr >= 1 && !r->skip_reason) {
        r->skip_reason = strdup(w->s[0]);
    } else if (w->type == WIRE_EXEC_ERROR && w->nint >= 1 && w->nstr >= 1) {
        r->exec_errno = (int)w->i[0];
        tc_result_message(r, "%s: %s", w->s[0],
                          r->exec_errno == ENOENT ? "not found" : strerror(r->exec_errno));
    } else if (w->type == WIRE_SETUP_ERROR && w->nint >= 1 && w->nstr >= 1) {
        take_setup_error(r, w);
    }
}

/* A function body that ended the process before its function returned
 * (exit(0) mid-case, or a forked child's exit): whatever it wrote, the case
 * did not finish. */
static void early_exit(testcage_result *r)
{
    r->status = TESTCAGE_FAIL;
    if (grow((void **)&r->failures, r->nfailures, sizeof(*r->failures)))
        r->failures[r->nfailures++] =
            (testcage_failure){NULL, 0, strdup("exited with status 0 before the case finished")};
}

void tc_verdict_classify(struct tc_verdict *v, int init_code)
{
    testcage_result *r = &v->res;
    if (r->status == TESTCAGE_SETUP_ERROR)
        return;
    if (!v->got_status && !r->timed_out && !r->interrupted) {
        r->status = TESTCAGE_CRASH;
        if (!r->message)
            tc_result_message(r, "the cage init ended before reporting (code %d)", init_code);
        return;
    }
    if (r->timed_out)
        r->status = TESTCAGE_TIMEOUT;
    else if (r->signal)
        r->status = TESTCAGE_CRASH;
    else if (r->exit_code == 77)
        r->status = TESTCAGE_SKIP;
    else if (r->exit_code == 0 && v->fn_mode && !v->case_ended)
        early_exit(r);
    else if (r->exit_code != 0 || r->nfailures)
        r->status = TESTCAGE_FAIL;
    else
        r->status = TESTCAGE_PASS;
    if (r->status == TESTCAGE_PASS && v->leaks == TESTCAGE_LEAKS_FAIL && testcage_result_leaks(r)) {
        r->status = TESTCAGE_FAIL;
        r->leak_failed = true;
    }
}
