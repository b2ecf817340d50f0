/* ci.c - GitHub Actions workflow commands for a finished case, so failures
 * and leaks show inline on the pull request; the normal report is unchanged. */
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"

/* Workflow-command escaping: '%', CR and LF always; ':' and ',' too in a
 * property value. */
static void put_escaped(FILE *out, const char *s, bool property)
{
    for (; s && *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

/* A path below GITHUB_WORKSPACE is given relative to it, as GitHub wants. */
static const char *relative(const char *path)
{
    const char *ws = getenv("GITHUB_WORKSPACE");
    size_t n = ws ? strlen(ws) : 0;
    while (n > 1 && ws[n - 1] == '/')
        n--;
    if (n && path[0] == '/' && strncmp(path, ws, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

void tc_annotate_ci(FILE *out, const tc_suite_case *c, const testcage_result *r)
{
    const char *gha = getenv("GITHUB_ACTIONS");
    if (!gha || strcmp(gha, "true") != 0)
        return;
    for (size_t i = 0; i < r->nfailures; i++) {
        const testcage_failure *f = &r->failures[i];
        if (!f->file || f->line <= 0)
            continue;
        fputs("::error file=", out);
        put_escaped(out, relative(f->file), true);
        fprintf(out, ",line=%d::", f->line);
        put_escaped(out, c->full, false);
        fputs(": ", out);
        put_escaped(out, f->message, false);
        fputc('\n', out);
    }
    char line[4096];
    for (size_t i = 0; tc_leak_line(r, i, line, sizeof line); i++) {
        fputs("::warning::", out);
        put_escaped(out, c->full, false);
        fputs(": ", out);
        put_escaped(out, line, false);
        fputc('\n', out);
    }
    fflush(out);
}
