/* body.c - the first code a case's cage runs: undo the runner's process state
 * the case must not inherit, give it its own TEST_TMPDIR, run the case, flush
 * what it printed. */
#include <signal.h>
#include <stdio.h>

#include "suite_internal.h"

static bool in_case_body;

bool tc_in_case_body(void)
{
    return in_case_body;
}

int tc_case_body(void *arg)
{
    const tc_suite_case *c = arg;
    in_case_body = true;
    /* The runner blocks SIGINT/SIGTERM to read them from a signalfd; a case
     * that inherited that mask would ignore the cage's SIGTERM at timeout. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    /* stdout is a pipe here, hence fully buffered: line buffering keeps what
     * a case printed before it crashed or hung. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    tc_bazel_case_env();
    int rc = c->body(c->arg);
    fflush(NULL);
    return rc;
}
