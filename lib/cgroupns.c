/* cgroupns.c - the body's cgroup namespace and its view on /sys/fs/cgroup:
 * the hierarchies the caller sees there are looked up once per process in
 * the runner, and each body mounts the same layout rooted at its own
 * cgroup (cgroup2 on a v2 host; a tmpfs with every v1 hierarchy, and the
 * v2 one where mounted, on a v1 host). */
#include "testcage_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define MAX_HIER    16

struct tc_cgroup_view {
    bool tmpfs_root; /* v1 layout: a tmpfs holding the hierarchies */
    size_t n;
    struct {
        char dir[160];
        char type[8];   /* "cgroup" or "cgroup2" */
        char opts[160]; /* v1: the controllers and name= of the hierarchy */
    } m[MAX_HIER];
};

/* Is word one of the mount options cgroup v1 takes for a hierarchy? The
 * rest (rw, relatime, nosuid, ...) are the mount's, not the hierarchy's. */
static bool hierarchy_option(const char *word, const char *controllers)
{
    if (strncmp(word, "name=", 5) == 0 || strcmp(word, "xattr") == 0 ||
        strcmp(word, "noprefix") == 0 || strcmp(word, "cpuset_v2_mode") == 0)
        return true;
    size_t n = strlen(word);
    for (const char *c = controllers; (c = strstr(c, word)); c += n)
        if ((c == controllers || c[-1] == ' ') && (c[n] == ' ' || c[n] == 0))
            return true;
    return false;
}

/* " cpu cpuacct memory ..." from /proc/cgroups. */
static void known_controllers(char *out, size_t len)
{
    size_t used = 0;
    out[0] = 0;
    FILE *f = fopen("/proc/cgroups", "re");
    char line[256], name[64];
    while (f && fgets(line, sizeof(line), f))
        if (line[0] != '#' && sscanf(line, "%63s", name) == 1 && used + strlen(name) + 2 < len)
            used += (size_t)snprintf(out + used, len - used, " %s", name);
    if (f)
        fclose(f);
}

static void add_hierarchy(struct tc_cgroup_view *v, const char *dir, const char *type, char *opts,
                          const char *controllers)
{
    if (v->n == MAX_HIER || strlen(dir) >= sizeof(v->m[0].dir))
        return;
    size_t k = v->n++, used = 0;
    snprintf(v->m[k].dir, sizeof(v->m[k].dir), "%s", dir);
    snprintf(v->m[k].type, sizeof(v->m[k].type), "%s", type);
    v->m[k].opts[0] = 0;
    for (char *save, *o = strtok_r(opts, ",", &save); o && strcmp(type, "cgroup") == 0;
         o = strtok_r(NULL, ",", &save))
        if (hierarchy_option(o, controllers) && used + strlen(o) + 2 < sizeof(v->m[k].opts))
            used += (size_t)snprintf(v->m[k].opts + used, sizeof(v->m[k].opts) - used, "%s%s",
                                     used ? "," : "", o);
}

/* The view from /proc/self/mounts: what is mounted on /sys/fs/cgroup
 * (the last mount there wins) and the hierarchies right below it. */
static bool read_view(struct tc_cgroup_view *v)
{
    char controllers[512], dev[256], dir[256], type[64], opts[512];
    known_controllers(controllers, sizeof(controllers));
    FILE *f = fopen("/proc/self/mounts", "re");
    if (!f)
        return false;
    bool rooted = false;
    while (fscanf(f, "%255s %255s %63s %511s %*d %*d", dev, dir, type, opts) == 4) {
        bool cg = strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0;
        if (strcmp(dir, CGROUP_ROOT) == 0) {
            v->n = 0; /* mounted over: what was below is hidden */
            rooted = cg || strcmp(type, "tmpfs") == 0;
            v->tmpfs_root = !cg;
            if (cg)
                add_hierarchy(v, dir, type, opts, controllers);
        } else if (cg && rooted && v->tmpfs_root && strncmp(dir, CGROUP_ROOT "/", 15) == 0 &&
                   !strchr(dir + 15, '/')) {
            add_hierarchy(v, dir, type, opts, controllers);
        }
    }
    fclose(f);
    return rooted && v->n > 0;
}

const struct tc_cgroup_view *tc_cgroup_view_plan(void)
{
    static struct tc_cgroup_view view;
    static int known = -1;
    if (known < 0)
        known = read_view(&view);
    return known ? &view : NULL;
}

static int failed(char *what, size_t len, const char *verb, const char *path)
{
    int err = errno;
    snprintf(what, len, "%s %s", verb, path);
    errno = err;
    return -1;
}

int tc_cgroup_enter(const struct tc_cgroup_view *v, char *what, size_t len)
{
    if (unshare(CLONE_NEWCGROUP) < 0)
        return failed(what, len, "make", "the cgroup namespace");
    if (!v)
        return 0;
    const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    /* Mounted now, each hierarchy's root is this namespace's root. */
    if (v->tmpfs_root && mount("tmpfs", CGROUP_ROOT, "tmpfs", flags, "mode=755") < 0)
        return failed(what, len, "mount a tmpfs on", CGROUP_ROOT);
    for (size_t k = 0; k < v->n; k++) {
        if (v->tmpfs_root && mkdir(v->m[k].dir, 0755) < 0 && errno != EEXIST)
            return failed(what, len, "make", v->m[k].dir);
        if (mount(v->m[k].type, v->m[k].dir, v->m[k].type, flags, v->m[k].opts) < 0)
            return failed(what, len, "mount the cage's cgroup view on", v->m[k].dir);
    }
    return 0;
}
