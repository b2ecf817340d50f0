/* annotate.c - failure records the case could not send itself: valgrind's
 * verdict, and cmocka's assertion messages recovered from the captured
 * output (cmocka prints them; it has no hook to hand them over). */
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"

int tc_result_add_failure(testcage_result *r, const char *file, int line, const char *msg)
{
    testcage_failure *f = realloc(r->failures, (r->nfailures + 1) * sizeof *f);
    if (!f)
        return -1;
    r->failures = f;
    f = &f[r->nfailures];
    *f = (testcage_failure){.line = line, .message = strdup(msg)};
    if (file)
        f->file = strdup(file);
    if (!f->message || (file && !f->file)) {
        free(f->message);
        free(f->file);
        return -1;
    }
    r->nfailures++;
    return 0;
}

/* What cmocka 1.1 prints for a failed case (stderr):
 *   [  ERROR   ] --- 0x1 != 0x2
 *   [   LINE   ] --- t.c:8: error: Failure!
 * fail_msg() prints "ERROR: <msg>" first and an empty ERROR line. */
struct cm_scan {
    char msg[512], loc[512], errline[512];
};

static void copy_line(char *dst, size_t size, const char *src)
{
    size_t n = strcspn(src, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void scan_line(struct cm_scan *s, const char *line)
{
    static const char err[] = "[  ERROR   ] --- ", loc[] = "[   LINE   ] --- ";
    if (strncmp(line, err, sizeof err - 1) == 0) {
        line += sizeof err - 1;
        if (strncmp(line, loc, sizeof loc - 1) != 0 && !s->msg[0] && line[0] != '\n')
            copy_line(s->msg, sizeof s->msg, line);
    }
    if (strncmp(line, loc, sizeof loc - 1) == 0 && !s->loc[0])
        copy_line(s->loc, sizeof s->loc, line + sizeof loc - 1);
    else if (strncmp(line, "ERROR: ", 7) == 0 && !s->errline[0])
        copy_line(s->errline, sizeof s->errline, line + 7);
    else if (strncmp(line, "Could not run test: ", 20) == 0 && !s->msg[0])
        copy_line(s->msg, sizeof s->msg, line);
    else if (strncmp(line, "[  FAILED  ] GROUP SETUP", 24) == 0 && !s->msg[0])
        copy_line(s->msg, sizeof s->msg, "group setup failed");
}

void tc_annotate_cmocka(const tc_suite_case *c, testcage_result *r)
{
    (void)c;
    if (r->status == TESTCAGE_PASS || r->status == TESTCAGE_SKIP || r->nfailures || !r->output)
        return;
    struct cm_scan s = {0};
    for (const char *p = r->output; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        scan_line(&s, p);
    /* "t.c:8: error: Failure!" -> file t.c, line 8 */
    char *file = NULL, *colon = strchr(s.loc, ':');
    int line = 0;
    if (colon) {
        *colon = '\0';
        file = s.loc;
        line = (int)strtol(colon + 1, NULL, 10);
    }
    const char *msg = s.msg[0] ? s.msg : s.errline[0] ? s.errline : NULL;
    if (msg || file)
        tc_result_add_failure(r, file, line, msg ? msg : "Failure!");
}
