/* isolation_note.c - the one line both front ends print when this machine
 * denies the cages some isolation (with the first case's result, or at the
 * start when it is already known), and the refusal --require-isolation
 * turns it into before anything runs. */
#include "parse_internal.h"

#include <stdio.h>
#include <string.h>

static const char *said; /* the notice printed (or silenced by -q), once */

static void say_once(const char *notice, int verbosity)
{
    if (said || !notice)
        return;
    if (verbosity >= 0)
        fprintf(stderr, "testcage: %s\n", notice);
    said = notice;
}

int tc_say_isolation(const testcage_opts *co, bool require, int verbosity)
{
    testcage_isolation iso;
    /* Only a refusal must be known before anything runs; otherwise the
     * first cage finds out (its case runs once, fork only) and its result
     * brings the notice, which saves every run a probe child. */
    if (require)
        testcage_isolation_check(co, &iso);
    else
        testcage_isolation_known(co, &iso);
    if (iso.refusal && require) {
        fprintf(stderr, "testcage: %s\n", iso.refusal);
        return TC_EXIT_SETUP;
    }
    say_once(iso.notice, verbosity);
    if (iso.isolated && co->private_tmp && !iso.private_shm && verbosity > 0)
        fprintf(stderr, "testcage: this machine has no /dev/shm, so the cage has no private one\n");
    return 0;
}

/* The process's notice, once a cage found it out: static, unlike the
 * result's message, which is freed once reported. */
static const char *found_notice(void)
{
    testcage_opts any;
    testcage_isolation iso;
    testcage_opts_init(&any);
    testcage_isolation_known(&any, &iso);
    return iso.notice;
}

const char *tc_isolation_news(const testcage_result *r, int verbosity)
{
    const char *msg = r->message;
    if (r->isolated || !msg || !strstr(msg, "; running without namespaces; "))
        return msg;
    say_once(found_notice(), verbosity); /* a case found out what the start did not */
    size_t n = said ? strlen(said) : 0;
    if (said && strncmp(msg, said, n) == 0)
        return msg[n] == ';' && msg[n + 1] == ' ' ? msg + n + 2 : NULL;
    return msg;
}

void tc_isolation_found(int verbosity)
{
    if (!said)
        say_once(found_notice(), verbosity);
}
