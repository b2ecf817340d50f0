/* userns.c - the id maps of a cage's user namespace: the caller's own uid
 * and gid, mapped to themselves. Raw system calls only (run by the init). */
#include "testcage_internal.h"
#include "rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

static long write_file(const char *path, const char *text)
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
    char digits[16];
    size_t d = 0, n = 0;
    do
        digits[d++] = (char)('0' + id % 10);
    while ((id /= 10) && d < sizeof(digits));
    for (int rep = 0; rep < 2; rep++) {
        for (size_t k = d; k > 0; k--)
            out[n++] = digits[k - 1];
        out[n++] = ' ';
    }
    memcpy(out + n, "1\n", 3);
}

int tc_userns_map(uid_t uid, gid_t gid, char *what, size_t len)
{
    char line[64];
    long rc;
    map_line(line, (unsigned)uid);
    if ((rc = write_file("/proc/self/uid_map", line)) < 0)
        return tc_raw_describe(what, len, "write %s", "/proc/self/uid_map", rc);
    /* gid_map may only be written by the unprivileged once setgroups is off. */
    if ((rc = write_file("/proc/self/setgroups", "deny")) < 0 && rc != -ENOENT)
        return tc_raw_describe(what, len, "write %s", "/proc/self/setgroups", rc);
    map_line(line, (unsigned)gid);
    if ((rc = write_file("/proc/self/gid_map", line)) < 0)
        return tc_raw_describe(what, len, "write %s", "/proc/self/gid_map", rc);
    return 0;
}
