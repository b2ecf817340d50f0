/* isolation_note.c - the one line both front ends print at the start of a
 * run when this machine denies the cages some isolation (or, found out
 * only by a case, with its result), and the refusal --require-isolation
 * turns it into. */
#include "parse_internal.h"

#include <stdio.h>
#include <string.h>

static const char *said; /* the notice printed (or silenced by -q), once */

int tc_say_isolation(const testcage_opts *co, bool require, int verbosity)
{
    testcage_isolation iso;
    testcage_isolation_check(co, &iso);
    if (iso.refusal && require) {
        fprintf(stderr, "testcage: %s\n", iso.refusal);
        return TC_EXIT_SETUP;
    }
    if (iso.notice && !said && verbosity >= 0)
        fprintf(stderr, "testcage: %s\n", iso.notice);
    said = said ? said : iso.notice;
    if (iso.isolated && co->private_tmp && !iso.private_shm && verbosity > 0)
        fprintf(stderr, "testcage: this machine has no /dev/shm, so the cage has no private one\n");
    return 0;
}

const char *tc_isolation_news(const testcage_result *r, int verbosity)
{
    const char *msg = r->message;
    if (r->isolated || !msg || !strstr(msg, "; running without namespaces; "))
        return msg;
    size_t n = said ? strlen(said) : 0;
    if (said && strncmp(msg, said, n) == 0)
        return msg[n] == ';' && msg[n + 1] == ' ' ? msg + n + 2 : NULL;
    if (verbosity >= 0) /* a case found out what the start did not */
        fprintf(stderr, "testcage: %s\n", msg);
    said = msg;
    return NULL;
}
