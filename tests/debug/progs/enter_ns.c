/* enter_ns.c - testcage_enter() with +cgroup and clock offsets: the caller itself gets its
 * cgroup namespace (its cgroups read as /) and keeps its clocks; its children get both
 * clocks shifted by the offsets. Exits 0 when every check passed. */
#define _GNU_SOURCE
#include <testcage/testcage.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OFFSET 864000 /* ten days */

static int failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: %s: ", #cond);                                                           \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failed = 1;                                                                            \
        }                                                                                          \
    } while (0)

static long long now(clockid_t clock)
{
    struct timespec ts;
    return clock_gettime(clock, &ts) == 0 ? (long long)ts.tv_sec : -1;
}

static void ns_link(const char *name, char *out, size_t len)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
    ssize_t n = readlink(path, out, len - 1);
    out[n > 0 ? n : 0] = 0;
}

/* Every line of /proc/self/cgroup ends in ":/"; returns how many lines, or -1. */
static int root_lines(void)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[1024];
    int n = 0;
    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        size_t len = strlen(line);
        if (len < 2 || strcmp(line + len - 2, ":/") != 0)
            n = -1000;
        n++;
    }
    if (f)
        fclose(f);
    return n > 0 ? n : -1;
}

int main(void)
{
    char cg_before[128], cg_after[128], time_self[128], time_children[128];
    ns_link("cgroup", cg_before, sizeof(cg_before));
    long long host_mono = now(CLOCK_MONOTONIC), host_boot = now(CLOCK_BOOTTIME);
    testcage_opts o;
    testcage_opts_init(&o);
    o.namespaces |= TESTCAGE_NS_CGROUP;
    o.monotonic_offset = o.boottime_offset = OFFSET;
    if (testcage_enter(&o) < 0) {
        printf("FAIL: testcage_enter: %s\n", strerror(errno));
        return 2;
    }
    ns_link("cgroup", cg_after, sizeof(cg_after));
    ns_link("time", time_self, sizeof(time_self));
    ns_link("time_for_children", time_children, sizeof(time_children));
    CHECK(strcmp(cg_before, cg_after) != 0, "still in cgroup namespace %s", cg_after);
    CHECK(root_lines() > 0, "a /proc/self/cgroup line is not the root");
    CHECK(access("/sys/fs/cgroup", R_OK) == 0, "no /sys/fs/cgroup view");
    CHECK(strcmp(time_self, time_children) != 0, "no time namespace for children (%s)",
          time_children);
    CHECK(now(CLOCK_MONOTONIC) < host_mono + OFFSET, "the caller's own clock moved");
    pid_t child = fork();
    if (child == 0)
        _exit(now(CLOCK_MONOTONIC) >= host_mono + OFFSET &&
                      now(CLOCK_BOOTTIME) >= host_boot + OFFSET
                  ? 0
                  : 1);
    int st = -1;
    CHECK(child > 0 && waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the child's clocks were not %d s ahead (status %d)", OFFSET, st);
    printf("%s\n", failed ? "SOME CHECKS FAILED" : "ALL OK");
    return failed;
}
