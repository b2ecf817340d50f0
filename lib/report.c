/* report.c - the test body's side of the report channel: failure and skip
 * records, and whether we are inside a cage at all. */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int tc_report_fd = -1;

/* Exec'd programs find the channel through the environment. */
static int report_fd(void)
{
    if (tc_report_fd >= 0)
        return tc_report_fd;
    const char *env = getenv("TESTCAGE_REPORT_FD");
    char *end;
    long fd = env ? strtol(env, &end, 10) : -1;
    if (!env || *end || fd < 3 || fd > 65535)
        return -1;
    tc_report_fd = (int)fd;
    return tc_report_fd;
}

bool testcage_in_cage(void)
{
    const char *env = getenv("TESTCAGE_IN_CAGE");
    return env && env[0] == '1';
}

/* Set by a runner that runs bodies in its own process (--no-cage). */
static testcage_record_fn record_hook;
static void *record_hook_ctx;

void testcage_set_record_hook(testcage_record_fn fn, void *ctx)
{
    record_hook = fn;
    record_hook_ctx = ctx;
}

/* msg is formatted already: a hook that longjmps leaves no va_list open. */
static void send_text(uint32_t type, const char *file, int line, const char *msg)
{
    if (record_hook) {
        record_hook(record_hook_ctx,
                    type == WIRE_FAILURE ? TESTCAGE_RECORD_FAILURE : TESTCAGE_RECORD_SKIP, file,
                    line, msg);
        return;
    }
    int fd = report_fd();
    struct wire_rec r = {.type = type};
    if (type == WIRE_FAILURE) {
        r.nint = 1;
        r.i[0] = line;
        r.nstr = 2;
        r.s[0] = file ? file : "";
        r.s[1] = msg;
    } else {
        r.nstr = 1;
        r.s[0] = msg;
    }
    if (fd < 0 || wire_send(fd, &r) < 0) {
        /* No channel (not caged, or it was closed): say it on stderr. */
        if (file)
            fprintf(stderr, "%s:%d: %s\n", file, line, msg);
        else
            fprintf(stderr, "%s\n", msg);
    }
}

void testcage_report_failure(const char *file, int line, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    send_text(WIRE_FAILURE, file, line, msg);
}

_Noreturn void testcage_report_skip(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    send_text(WIRE_SKIP, NULL, 0, msg);
    exit(77); /* as any process ends: the test's exit handlers and coverage too */
}
