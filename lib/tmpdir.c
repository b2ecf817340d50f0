/* tmpdir.c - the fork-only cage's private TMPDIR: where it can be made
 * (a read-only /tmp is no reason to fail), the spare a case left empty for
 * the next one, and the removal of those a dead runner of ours could not
 * remove (killed while it held one). */
#include "testcage_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PREFIX "testcage."

/* Our PID namespace: a pid means something only inside it (a /tmp may be
 * shared with other containers). A process never changes its own, so it is
 * asked once per process (a lookup in /proc costs more than the mkdir). */
static unsigned long pidns_id(void)
{
    static pid_t asked_by;
    static unsigned long id;
    struct stat st;
    if (asked_by != getpid()) {
        id = stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long)st.st_ino : 0;
        asked_by = getpid();
    }
    return id;
}

/* testcage.<pid>.<pidns>.XXXXXX of ours in base, removed: those of `only`
 * (a runner known dead), or with only = 0, those of any pid that is gone.
 * A live pid (or a reused one) keeps its directory, so nothing in use goes. */
static void sweep(const char *base, pid_t only)
{
    unsigned long ns = pidns_id();
    DIR *d = opendir(base);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0)
            continue;
        long pid = strtol(e->d_name + strlen(PREFIX), &end, 10);
        struct stat st;
        char path[PATH_MAX];
        if (pid <= 0 || *end != '.' || strtoul(end + 1, &end, 10) != ns || *end != '.' ||
            (only ? pid != only : kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
            tc_remove_tree(path);
    }
    if (d)
        closedir(d);
}

void tc_tmpdir_sweep_runner(const char *tmpdir, pid_t runner)
{
    char base[PATH_MAX];
    snprintf(base, sizeof(base), "%s", tmpdir);
    char *slash = strrchr(base, '/');
    if (!slash || runner <= 0)
        return;
    *slash = 0;
    /* The runner's pid names it in its own pid namespace, which is ours. */
    sweep(slash == base ? "/" : base, runner);
}

/* Swept once per directory and process: the first cage pays for it. */
static void sweep_once(const char *base)
{
    static char swept[4][PATH_MAX];
    for (size_t k = 0; k < 4; k++) {
        if (strcmp(swept[k], base) == 0)
            return;
        if (!swept[k][0]) {
            snprintf(swept[k], sizeof(swept[k]), "%s", base);
            sweep(base, 0);
            return;
        }
    }
}

static int make_below(const char *base, char *out, size_t len)
{
    if (!base || base[0] != '/' || strlen(base) + 32 > len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    sweep_once(base);
    snprintf(out, len, "%s/" PREFIX "%d.%lu.XXXXXX", base, (int)getpid(), pidns_id());
    return mkdtemp(out) ? 0 : -1;
}

/* An empty TMPDIR a case ended with, for the next case of this process:
 * on a disk filesystem a mkdir and rmdir per case cost more than the rest of
 * a fork-only cage. Closed at exit; a runner killed while it holds one
 * leaves it to its inits' clean-up or to the next run's sweep. */
static struct {
    char *path;
    char *base_env; /* $TMPDIR when it was made: a changed one is obeyed */
    pid_t owner;
} spare;

static void spare_drop(void)
{
    free(spare.path);
    free(spare.base_env);
    spare.path = spare.base_env = NULL;
}

__attribute__((destructor)) static void spare_remove(void)
{
    if (spare.path && spare.owner == getpid() && rmdir(spare.path) < 0 && errno != ENOENT)
        tc_remove_tree(spare.path);
    if (spare.owner == getpid())
        spare_drop();
}

static bool same_env(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool tc_tmpdir_give(const char *path)
{
    if (spare.path && spare.owner == getpid())
        return false;
    spare_drop(); /* a copy's (a runner inside a body) names its parent's */
    const char *env = getenv("TMPDIR");
    spare.path = strdup(path);
    spare.base_env = env ? strdup(env) : NULL;
    spare.owner = getpid();
    if (!spare.path || (env && !spare.base_env)) {
        spare_drop();
        return false;
    }
    return true;
}

/* Is the directory as mkdtemp makes it: ours, mode 0700, no extended
 * attribute (ACLs are some) and no immutable or append-only flag? */
static bool as_made(const char *path)
{
    struct statx st;
    const uint64_t flags = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND;
    return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) == 0 &&
           S_ISDIR(st.stx_mode) && (st.stx_mode & 07777) == 0700 && st.stx_uid == geteuid() &&
           !(st.stx_attributes & flags) && llistxattr(path, NULL, 0) == 0;
}

/* The spare, if it is still what a fresh one would be (a case may have
 * changed its mode, ACL or flags; its emptiness the init saw). */
static bool take_spare(char *out, size_t len)
{
    if (!spare.path || spare.owner != getpid())
        return false;
    bool fresh = same_env(getenv("TMPDIR"), spare.base_env) && strlen(spare.path) < len &&
                 as_made(spare.path);
    if (fresh)
        snprintf(out, len, "%s", spare.path);
    else if (rmdir(spare.path) < 0 && errno != ENOENT)
        tc_remove_tree(spare.path);
    spare_drop();
    return fresh;
}

int tc_tmpdir_make(char *out, size_t len)
{
    if (take_spare(out, len))
        return 0;
    const char *env = getenv("TMPDIR");
    char cwd[PATH_MAX];
    const char *bases[] = {env && env[0] == '/' ? env : "/tmp", "/var/tmp", NULL};
    int first = 0;
    for (size_t k = 0; k < sizeof(bases) / sizeof(bases[0]); k++) {
        /* The working directory is the last resort: asked only then. */
        const char *base = k < 2 ? bases[k] : getcwd(cwd, sizeof(cwd));
        if (make_below(base, out, len) == 0)
            return 0;
        first = first ? first : errno;
    }
    out[0] = 0;
    errno = first; /* the first place's reason is the one worth saying */
    return -1;
}
