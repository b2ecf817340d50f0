/* mounts.c - the cage's view of the filesystem: nothing propagates out,
 * /tmp and /dev/shm are fresh tmpfs, /proc shows only the cage. Raw system
 * calls only: the init that runs this may share the runner's memory. */
#include "testcage_internal.h"
#include "rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fills what with fmt, its one "%s" replaced by arg; returns err (< 0).
 * Plain copying: this runs in an init that may share the runner's memory. */
static int fail(char *what, size_t len, const char *fmt, const char *arg, long err)
{
    size_t n = 0;
    for (const char *f = fmt; *f && n + 1 < len; f++) {
        if (f[0] == '%' && f[1] == 's') {
            for (const char *a = arg; *a && n + 1 < len; a++)
                what[n++] = *a;
            f++;
        } else {
            what[n++] = *f;
        }
    }
    what[n] = 0;
    return (int)err;
}

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
        return fail(what, len, "write %s", "/proc/self/uid_map", rc);
    /* gid_map may only be written by the unprivileged once setgroups is off. */
    if ((rc = write_file("/proc/self/setgroups", "deny")) < 0 && rc != -ENOENT)
        return fail(what, len, "write %s", "/proc/self/setgroups", rc);
    map_line(line, (unsigned)gid);
    if ((rc = write_file("/proc/self/gid_map", line)) < 0)
        return fail(what, len, "write %s", "/proc/self/gid_map", rc);
    return 0;
}

int tc_net_lo_up(void)
{
    long s = tc_sys(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return (int)s;
    struct ifreq ifr = {0};
    memcpy(ifr.ifr_name, "lo", 3);
    long rc = tc_sys(SYS_ioctl, s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = tc_sys(SYS_ioctl, s, SIOCSIFFLAGS, &ifr);
    }
    tc_sys(SYS_close, s);
    return (int)rc;
}

/* Which tmpfs a kept path lives under, or NULL. */
static const char *covering_tmpfs(const char *path)
{
    if (strncmp(path, "/tmp/", 5) == 0)
        return "/tmp";
    if (strncmp(path, "/dev/shm/", 9) == 0)
        return "/dev/shm";
    return NULL;
}

static long mkdir_one(const char *path)
{
    long rc = tc_sys(SYS_mkdirat, AT_FDCWD, path, 0755);
    return rc == -EEXIST ? 0 : rc;
}

static long mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        long rc = mkdir_one(path);
        *p = '/';
        if (rc < 0)
            return rc;
    }
    return mkdir_one(path);
}

/* Creates the mount point for a kept path inside the new tmpfs. */
static long make_mount_point(const char *path, bool is_dir)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    if (is_dir)
        return mkdir_p(buf);
    char *slash = strrchr(buf, '/');
    *slash = 0;
    long rc = mkdir_p(buf);
    if (rc < 0)
        return rc;
    long fd = tc_sys(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    return fd < 0 ? fd : tc_sys(SYS_close, fd);
}

/* "/proc/self/fd/<fd>" */
static void fd_path(char out[32], long fd)
{
    char digits[16];
    size_t d = 0;
    do
        digits[d++] = (char)('0' + fd % 10);
    while ((fd /= 10) && d < sizeof(digits));
    memcpy(out, "/proc/self/fd/", 14);
    size_t n = 14;
    while (d)
        out[n++] = digits[--d];
    out[n] = 0;
}

/* Binds the paths that a fresh /tmp would hide back at the same place. The
 * fds are opened before the tmpfs covers them. */
static int mount_tmpfs_keeping(const char *target, const struct cage_plan *p, char *what,
                               size_t len)
{
    long fds[TC_MAX_KEEP];
    size_t n = 0;
    for (size_t k = 0; p->keep[k]; k++) {
        const char *top = covering_tmpfs(p->keep[k]);
        if (!top || strcmp(top, target) != 0)
            continue;
        fds[n] = tc_sys(SYS_openat, AT_FDCWD, p->keep[k], O_PATH | O_CLOEXEC);
        if (fds[n] < 0)
            continue; /* vanished: nothing to keep */
        n++;
    }
    long rc = tc_sys(SYS_mount, "tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, p->tmp_options);
    int ret = rc < 0 ? fail(what, len, "mount tmpfs on %s", target, rc) : 0;
    for (size_t k = 0, j = 0; p->keep[k] && j < n; k++) {
        const char *top = covering_tmpfs(p->keep[k]);
        if (!top || strcmp(top, target) != 0)
            continue;
        struct stat st = {0};
        char src[32];
        fd_path(src, fds[j]);
        if (ret == 0) {
            rc = tc_sys(SYS_newfstatat, fds[j], "", &st, AT_EMPTY_PATH);
            if (rc == 0)
                rc = make_mount_point(p->keep[k], S_ISDIR(st.st_mode));
            if (rc == 0)
                rc = tc_sys(SYS_mount, src, p->keep[k], "none", MS_BIND | MS_REC, NULL);
            if (rc < 0)
                ret = fail(what, len, "bind %s back into the cage", p->keep[k], rc);
        }
        tc_sys(SYS_close, fds[j++]);
    }
    return ret;
}

int tc_mounts_setup(const struct cage_plan *p, char *what, size_t len)
{
    /* "none", not NULL, for unused source and type: valgrind flags NULL. */
    long rc = tc_sys(SYS_mount, "none", "/", "none", MS_REC | MS_PRIVATE, NULL);
    if (rc < 0)
        return fail(what, len, "make %s private", "/", rc);
    int ret;
    if (p->private_tmp && ((ret = mount_tmpfs_keeping("/tmp", p, what, len)) < 0 ||
                           (ret = mount_tmpfs_keeping("/dev/shm", p, what, len)) < 0))
        return ret;
    if ((p->ns & TESTCAGE_NS_PID) && p->fresh_proc &&
        (rc = tc_sys(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) <
            0)
        return fail(what, len, "mount a fresh %s", "/proc", rc);
    /* Re-enter the working directory by name: the old reference would
     * still see the host's /tmp underneath the new tmpfs. */
    if (p->cwd[0] && (rc = tc_sys(SYS_chdir, p->cwd)) < 0 && tc_sys(SYS_chdir, "/") < 0)
        return fail(what, len, "chdir %s", p->cwd, rc);
    return 0;
}
