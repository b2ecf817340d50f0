/* userns.c - the id maps of a cage's user namespaces: the cage's own (the
 * caller's uid and gid, mapped to themselves) and the body's nested one
 * (every id the cage has, mapped to itself). Raw system calls only (run by
 * the init). */
#include "testcage_internal.h"
#include "rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

long tc_raw_write_file(const char *path, const char *text)
{
    long fd = tc_sys(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return fd;
    size_t n = strlen(text);
    long w = tc_sys(SYS_write, fd, text, n);
    tc_sys(SYS_close, fd);
    return w == (long)n ? 0 : w < 0 ? w : -EIO;
}

/* "<id> <id> 1\n" */
static void map_line(char *out, unsigned id)
{
    size_t n = 0;
    for (int rep = 0; rep < 2; rep++) {
        n += tc_raw_decimal(out + n, id);
        out[n++] = ' ';
    }
    memcpy(out + n, "1\n", 3);
}

int tc_userns_map(uid_t uid, gid_t gid, char *what, size_t len)
{
    char line[64];
    long rc;
    map_line(line, (unsigned)uid);
    if ((rc = tc_raw_write_file("/proc/self/uid_map", line)) < 0)
        return tc_raw_describe(what, len, "write %s", "/proc/self/uid_map", rc);
    /* gid_map may only be written by the unprivileged once setgroups is off. */
    if ((rc = tc_raw_write_file("/proc/self/setgroups", "deny")) < 0 && rc != -ENOENT)
        return tc_raw_describe(what, len, "write %s", "/proc/self/setgroups", rc);
    map_line(line, (unsigned)gid);
    if ((rc = tc_raw_write_file("/proc/self/gid_map", line)) < 0)
        return tc_raw_describe(what, len, "write %s", "/proc/self/gid_map", rc);
    return 0;
}

/* "/proc/<pid>/<file>" */
static void proc_path(char *out, long pid, const char *file)
{
    size_t n = 6;
    memcpy(out, "/proc/", n);
    n += tc_raw_decimal(out + n, (unsigned long)pid);
    out[n++] = '/';
    memcpy(out + n, file, strlen(file) + 1);
}

int tc_userns_map_body(long pid, const struct cage_plan *p, char *what, size_t len)
{
    char path[64];
    long rc;
    proc_path(path, pid, "uid_map");
    if ((rc = tc_raw_write_file(path, p->nest_uid_map)) < 0)
        return tc_raw_describe(what, len, "write %s", "the body's uid_map", rc);
    proc_path(path, pid, "gid_map");
    if ((rc = tc_raw_write_file(path, p->nest_gid_map)) < 0)
        return tc_raw_describe(what, len, "write %s", "the body's gid_map", rc);
    return 0;
}
