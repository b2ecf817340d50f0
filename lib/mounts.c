/* mounts.c - the cage's view of the filesystem: nothing propagates out,
 * /tmp and /dev/shm are fresh tmpfs, /proc shows only the cage. */
#include "testcage_internal.h"

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

static int fail(char *what, size_t len, const char *fmt, const char *arg)
{
    int saved = errno;
    snprintf(what, len, fmt, arg);
    errno = saved;
    return -1;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == (ssize_t)n ? 0 : -1;
}

int tc_userns_map(uid_t uid, gid_t gid, char *what, size_t len)
{
    char line[64];
    snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (write_file("/proc/self/uid_map", line) < 0)
        return fail(what, len, "write %s", "/proc/self/uid_map");
    /* gid_map may only be written by the unprivileged once setgroups is off. */
    if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
        return fail(what, len, "write %s", "/proc/self/setgroups");
    snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (write_file("/proc/self/gid_map", line) < 0)
        return fail(what, len, "write %s", "/proc/self/gid_map");
    return 0;
}

int tc_net_lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(s);
    errno = saved;
    return rc;
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

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc < 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Creates the mount point for a kept path inside the new tmpfs. */
static int make_mount_point(const char *path, bool is_dir)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    if (is_dir)
        return mkdir_p(buf);
    char *slash = strrchr(buf, '/');
    *slash = 0;
    if (mkdir_p(buf) < 0)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    return fd < 0 ? -1 : close(fd);
}

/* Binds the paths that a fresh /tmp would hide back at the same place. The
 * fds are opened before the tmpfs covers them. */
static int mount_tmpfs_keeping(const char *target, const struct cage_plan *p, char *what,
                               size_t len)
{
    int fds[TC_MAX_KEEP];
    size_t n = 0;
    for (size_t k = 0; p->keep[k]; k++) {
        const char *top = covering_tmpfs(p->keep[k]);
        if (!top || strcmp(top, target) != 0)
            continue;
        fds[n] = open(p->keep[k], O_PATH | O_CLOEXEC);
        if (fds[n] < 0)
            continue; /* vanished: nothing to keep */
        n++;
    }
    int rc = mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, p->tmp_options);
    if (rc < 0)
        fail(what, len, "mount tmpfs on %s", target);
    for (size_t k = 0, j = 0; p->keep[k] && j < n; k++) {
        const char *top = covering_tmpfs(p->keep[k]);
        if (!top || strcmp(top, target) != 0)
            continue;
        struct stat st;
        char src[64];
        snprintf(src, sizeof(src), "/proc/self/fd/%d", fds[j]);
        if (rc == 0 &&
            (fstat(fds[j], &st) < 0 || make_mount_point(p->keep[k], S_ISDIR(st.st_mode)) < 0 ||
             mount(src, p->keep[k], "none", MS_BIND | MS_REC, NULL) < 0))
            rc = fail(what, len, "bind %s back into the cage", p->keep[k]);
        close(fds[j++]);
    }
    return rc;
}

int tc_mounts_setup(const struct cage_plan *p, char *what, size_t len)
{
    /* "none", not NULL, for unused source and type: valgrind flags NULL. */
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
        return fail(what, len, "make %s private", "/");
    if (p->opts->private_tmp) {
        if (mount_tmpfs_keeping("/tmp", p, what, len) < 0 ||
            mount_tmpfs_keeping("/dev/shm", p, what, len) < 0)
            return -1;
    }
    if ((p->ns & TESTCAGE_NS_PID) && p->opts->fresh_proc &&
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return fail(what, len, "mount a fresh %s", "/proc");
    /* Re-enter the working directory by name: the old reference would
     * still see the host's /tmp underneath the new tmpfs. */
    if (p->cwd[0] && chdir(p->cwd) < 0 && chdir("/") < 0)
        return fail(what, len, "chdir %s", p->cwd);
    return 0;
}
