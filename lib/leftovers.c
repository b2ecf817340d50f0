/* leftovers.c - the init's cheap look, once the body has ended, for anything
 * the case left that needs a helper to list, kill or remove. Usually nothing
 * is left, so the look is a few raw system calls, not a directory walk. */
#include "testcage_internal.h"
#include "rawsys.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

/* Inodes in use on a tmpfs, or -1 where statfs cannot tell (not a tmpfs,
 * or one without an inode limit, which reports no counts). */
static long tmpfs_inodes(const char *path)
{
    struct statfs st;
    memset(&st, 0, sizeof(st));
    if (tc_sys(SYS_statfs, path, &st) < 0 || st.f_type != TMPFS_MAGIC || st.f_files == 0)
        return -1;
    return (long)(st.f_files - st.f_ffree);
}

void tc_leftovers_mark(const struct cage_plan *p, struct tc_leftovers *l)
{
    bool fresh = (p->ns & TESTCAGE_NS_MOUNT) && p->private_tmp;
    l->tmp_inodes = fresh ? tmpfs_inodes("/tmp") : -1;
    l->shm_inodes = fresh && p->private_shm ? tmpfs_inodes("/dev/shm") : -1;
}

/* Does the directory hold anything of its own filesystem? Kept paths are
 * bind mounts of the host's and do not count. */
static bool dir_has_files(const char *path)
{
    long fd = tc_sys(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat dir = {0}, st = {0};
    if (fd < 0)
        return false;
    bool found = tc_sys(SYS_newfstatat, fd, "", &dir, AT_EMPTY_PATH) < 0;
    char buf[2048] __attribute__((aligned(8))) = {0};
    long n;
    while (!found && (n = tc_sys(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n && !found;) {
            const struct tc_dirent64 *e = (const void *)(buf + off);
            off += e->d_reclen;
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            found = tc_sys(SYS_newfstatat, fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    st.st_dev == dir.st_dev;
        }
    }
    tc_sys(SYS_close, fd);
    return found;
}

/* A tmpfs of the cage: any inode made since the mark (a file, a directory,
 * a link) changes the count, and removing it gives it back. The mark
 * already holds the mount points of kept paths. */
static bool tmpfs_changed(const char *path, long marked)
{
    if (marked < 0)
        return dir_has_files(path);
    long now = tmpfs_inodes(path);
    return now < 0 || now != marked;
}

/* Does the cage's IPC namespace hold a SysV object? The *_INFO commands
 * count them without a look at /proc; a refused call says "look closer". */
static bool ipc_objects(void)
{
    struct shm_info shm;
    struct seminfo sem;
    struct msginfo msg;
    memset(&shm, 0, sizeof(shm));
    memset(&sem, 0, sizeof(sem));
    memset(&msg, 0, sizeof(msg));
    return tc_sys(SYS_shmctl, 0, SHM_INFO, &shm) < 0 || shm.used_ids > 0 ||
           tc_sys(SYS_semctl, 0, 0, SEM_INFO, &sem) < 0 || sem.semusz > 0 ||
           tc_sys(SYS_msgctl, 0, MSG_INFO, &msg) < 0 || msg.msgpool > 0;
}

bool tc_leftovers_found(const struct cage_plan *p, const struct tc_leftovers *l)
{
    bool listing = p->leaks != TESTCAGE_LEAKS_IGNORE;
    siginfo_t si = {0};
    /* Survivors are children of the init (orphans) or descend from one. */
    if ((listing || !p->pidns) &&
        tc_sys(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT, NULL) == 0)
        return true;
    if (p->fork_only)
        return dir_has_files(p->tmpdir); /* also to be removed, listed or not */
    if (listing && (p->ns & TESTCAGE_NS_MOUNT) && p->private_tmp &&
        (tmpfs_changed("/tmp", l->tmp_inodes) ||
         (p->private_shm && tmpfs_changed("/dev/shm", l->shm_inodes))))
        return true;
    return listing && (p->ns & TESTCAGE_NS_IPC) && ipc_objects();
}
