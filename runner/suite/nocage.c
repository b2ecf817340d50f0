/* nocage.c - --no-cage: the selected cases run in this process, one after
 * another, so a debugger stops in them (gdb --args ./suite --no-cage ...).
 * A case's failure and skip records come back through the library's record
 * hook and a longjmp here, instead of a report channel and an exit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "suite_internal.h"

jmp_buf *tc_nocage_jump;

enum { JUMP_FAIL = 1, JUMP_SKIP = 2 };

static void on_record(void *ctx, enum testcage_record_kind kind, const char *file, int line,
                      const char *msg)
{
    testcage_result *r = ctx;
    if (kind == TESTCAGE_RECORD_FAILURE) {
        /* Out of memory the case still fails, by its exit status. */
        tc_result_add_failure(r, file, line, msg);
        return;
    }
    free(r->skip_reason);
    r->skip_reason = strdup(msg);
    if (tc_nocage_jump)
        longjmp(*tc_nocage_jump, JUMP_SKIP);
}

/* The body's status as a cage would see its exit: testcage_fail() and a skip
 * jump back here (1, 77), the rest of the process stays as the case left it. */
static int run_body(const tc_suite_case *c, testcage_result *r)
{
    jmp_buf jump;
    int rc;
    testcage_set_record_hook(on_record, r);
    tc_nocage_jump = &jump;
    int how = setjmp(jump);
    if (how == 0)
        rc = c->body(c->arg);
    else
        rc = how == JUMP_SKIP ? 77 : 1;
    tc_nocage_jump = NULL;
    testcage_set_record_hook(NULL, NULL);
    return rc;
}

/* cmocka prints its assertion messages on stderr and hands them to nobody:
 * they are captured (as a cage does) for the report and tc_annotate_cmocka. */
struct capture {
    int saved, fd;
};

static void capture_begin(struct capture *cap, const tc_suite_case *c)
{
    *cap = (struct capture){-1, -1};
    if (!c->annotate)
        return;
    fflush(stderr);
    if ((cap->fd = memfd_create("testcage-no-cage-stderr", MFD_CLOEXEC)) < 0 ||
        (cap->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
        dup2(cap->fd, STDERR_FILENO) < 0) {
        fprintf(stderr, "testcage: --no-cage: cannot capture stderr: %s\n", strerror(errno));
        if (cap->saved >= 0)
            close(cap->saved);
        if (cap->fd >= 0)
            close(cap->fd);
        *cap = (struct capture){-1, -1};
    }
}

static void capture_end(struct capture *cap, testcage_result *r)
{
    if (cap->fd < 0)
        return;
    fflush(stderr);
    dup2(cap->saved, STDERR_FILENO);
    close(cap->saved);
    off_t len = lseek(cap->fd, 0, SEEK_END);
    if (len > 0 && (r->output = malloc((size_t)len + 1))) {
        ssize_t got = pread(cap->fd, r->output, (size_t)len, 0);
        r->output_len = got > 0 ? (size_t)got : 0;
        r->output[r->output_len] = '\0';
    }
    close(cap->fd);
}

void tc_nocage_run(tc_run *run, const tc_suite_case *c, testcage_result *r)
{
    static bool said;
    if (!said)
        fprintf(stderr, "testcage: --no-cage: isolation is off: the cases run in this process, "
                        "one after another, with no namespaces, timeout or leak check\n");
    said = true;
    *r = (testcage_result){.exit_code = -1};
    struct capture cap;
    capture_begin(&cap, c);
    /* The case gets the signal mask it would have had without us: Ctrl-C and
     * its own signals act as they would in a plain program. */
    sigset_t runner_mask;
    sigprocmask(SIG_SETMASK, &run->oldmask, &runner_mask);
    double started = tc_now();
    int rc = run_body(c, r);
    r->duration = tc_now() - started;
    fflush(NULL);
    sigprocmask(SIG_SETMASK, &runner_mask, NULL);
    capture_end(&cap, r);
    r->exit_code = rc;
    if (rc == 77 && !r->nfailures)
        r->status = TESTCAGE_SKIP;
    else
        r->status = rc == 0 && !r->nfailures ? TESTCAGE_PASS : TESTCAGE_FAIL;
    if (c->annotate)
        c->annotate(c, r);
}
