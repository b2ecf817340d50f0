/* timens.c - the cage's time namespace: made by the init before it clones
 * the body, since a time namespace is entered only by the children of the
 * process that unshares it. Raw system calls only (the init may share the
 * runner's memory). */
#include "testcage_internal.h"
#include "rawsys.h"

#include <errno.h>
#include <sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* "<clock> <seconds> 0\n" at out; returns the length. */
static size_t offset_line(char *out, const char *clock, long long sec)
{
    size_t n = 0;
    while (*clock)
        out[n++] = *clock++;
    out[n++] = ' ';
    if (sec < 0)
        out[n++] = '-';
    n += tc_raw_decimal(out + n, sec < 0 ? 0ul - (unsigned long)sec : (unsigned long)sec);
    out[n++] = ' ';
    out[n++] = '0';
    out[n++] = '\n';
    return n;
}

int tc_timens_make(const struct cage_plan *p, char *what, size_t len)
{
    long rc = tc_sys(SYS_unshare, CLONE_NEWTIME);
    if (rc == -EINVAL)
        return tc_raw_describe(what, len, "make a time namespace (%s)",
                               "this kernel has none: Linux 5.6 with CONFIG_TIME_NS", rc);
    if (rc < 0)
        return tc_raw_describe(what, len, "make a time %s", "namespace", rc);
    /* The offsets are frozen once a process enters the namespace: written
     * before the body is cloned. */
    char text[96];
    size_t n = offset_line(text, "monotonic", p->clock_offset[0]);
    n += offset_line(text + n, "boottime", p->clock_offset[1]);
    text[n] = 0;
    rc = tc_raw_write_file("/proc/self/timens_offsets", text);
    if (rc == -ERANGE)
        return tc_raw_describe(what, len, "set the clock offsets (%s)",
                               "a negative offset would take a clock below 0", rc);
    if (rc < 0)
        return tc_raw_describe(what, len, "write %s", "/proc/self/timens_offsets", rc);
    return 0;
}
