/* mounts.c - the cage's view of the filesystem: nothing propagates out,
 * /tmp and /dev/shm are fresh tmpfs, /proc shows only the cage. Raw system
 * calls only: the init that runs this may share the runner's memory. */
#include "testcage_internal.h"
#include "rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

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
    int ret = rc < 0 ? tc_raw_describe(what, len, "mount tmpfs on %s", target, rc) : 0;
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
                ret = tc_raw_describe(what, len, "bind %s back into the cage", p->keep[k], rc);
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
        return tc_raw_describe(what, len, "make %s private", "/", rc);
    int ret;
    if (p->private_tmp && (ret = mount_tmpfs_keeping("/tmp", p, what, len)) < 0)
        return ret;
    if (p->private_shm && (ret = mount_tmpfs_keeping("/dev/shm", p, what, len)) < 0)
        return ret;
    if ((p->ns & TESTCAGE_NS_PID) && p->fresh_proc &&
        (rc = tc_sys(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) <
            0)
        return tc_raw_describe(what, len, "mount a fresh %s", "/proc", rc);
    /* The body mounts its cgroup view here in its own mount namespace;
     * below it, locked there, the host's hierarchies stay out of sight. */
    if ((p->ns & TESTCAGE_NS_CGROUP) && p->cgroup_view &&
        (rc = tc_sys(SYS_mount, "tmpfs", "/sys/fs/cgroup", "tmpfs",
                     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=4k")) < 0)
        return tc_raw_describe(what, len, "hide the host's %s", "/sys/fs/cgroup", rc);
    /* Re-enter the working directory by name: the old reference would
     * still see the host's /tmp underneath the new tmpfs. */
    if (p->cwd[0] && (rc = tc_sys(SYS_chdir, p->cwd)) < 0 && tc_sys(SYS_chdir, "/") < 0)
        return tc_raw_describe(what, len, "chdir %s", p->cwd, rc);
    return 0;
}

int tc_world_maps_mounts(const struct cage_plan *p, char *what, size_t len)
{
    int rc = 0;
    if (p->ns & TESTCAGE_NS_USER)
        rc = tc_userns_map(p->uid, p->gid, what, len);
    if (rc == 0 && (p->ns & TESTCAGE_NS_MOUNT))
        rc = tc_mounts_setup(p, what, len);
    return rc;
}

int tc_private_proc(void)
{
    long rc = tc_sys(SYS_unshare, CLONE_NEWNS);
    if (rc == 0)
        rc = tc_sys(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    return (int)rc;
}
