/* tmpdir.c - the fork-only cage's private TMPDIR: where it can be made
 * (a read-only /tmp is no reason to fail), and the removal of those a dead
 * runner of ours could not remove (SIGKILL between mkdtemp and the clone). */
#include "testcage_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* testcage.<pid>.<pidns>.XXXXXX of a process of ours that is gone: removed.
 * A live pid (or a reused one) keeps its directory, so nothing in use goes. */
static void sweep(const char *base)
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
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
            tc_remove_tree(path);
    }
    if (d)
        closedir(d);
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
            sweep(base);
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

int tc_tmpdir_make(char *out, size_t len)
{
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
