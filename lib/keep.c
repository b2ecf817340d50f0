/* keep.c - --keep-on-fail: copy what a failing case left in its private
 * /tmp and /dev/shm to a host directory opened before the cage hid it. */
#include "testcage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sendfile.h>
#include <unistd.h>

/* nftw has no user pointer: the copy's state lives here (one at a time). */
static struct {
    int dest; /* the new directory */
    dev_t dev;
} copy;

static int copy_file(const char *src, const char *rel, const struct stat *st)
{
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0)
        return -1;
    int out = openat(copy.dest, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
    int rc = out < 0 ? -1 : 0;
    for (off_t off = 0; rc == 0 && off < st->st_size;) {
        ssize_t n = sendfile(out, in, &off, (size_t)(st->st_size - off));
        if (n <= 0)
            rc = n < 0 && errno == EINTR ? 0 : -1;
        if (n == 0)
            break;
    }
    close(in);
    if (out >= 0)
        close(out);
    return rc;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (st->st_dev != copy.dev && flag != FTW_SL)
        return 0;               /* a kept host path bound back in: not the test's */
    const char *rel = path + 1; /* "/tmp/x" -> "tmp/x" below the new directory */
    if (flag == FTW_D) {
        mkdirat(copy.dest, rel, 0755); /* best effort: copy what can be copied */
        return 0;
    }
    if (flag == FTW_SL) {
        char target[4096];
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n >= 0) {
            target[n] = 0;
            symlinkat(target, copy.dest, rel);
        }
        return 0;
    }
    if (flag == FTW_F && S_ISREG(st->st_mode))
        copy_file(path, rel, st);
    return 0;
}

int tc_keep_files(int dirfd, const char *name)
{
    if (mkdirat(dirfd, name, 0755) < 0)
        return -1;
    copy.dest = openat(dirfd, name, O_DIRECTORY | O_CLOEXEC);
    if (copy.dest < 0)
        return -1;
    mkdirat(copy.dest, "dev", 0755);
    const char *roots[] = {"/tmp", "/dev/shm"};
    for (size_t k = 0; k < 2; k++) {
        struct stat st;
        if (stat(roots[k], &st) < 0)
            continue;
        copy.dev = st.st_dev;
        nftw(roots[k], visit, 16, FTW_PHYS | FTW_MOUNT);
    }
    close(copy.dest);
    return 0;
}
