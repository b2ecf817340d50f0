/* stats.c - linked into the bench's testcage binaries: with BENCH_STATS=FILE the
 * runner process appends {"fds":N,"vmhwm_kb":K} to FILE as it exits. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pid_t runner_pid;

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own fd */
}

static long vmhwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* Registered first, so it runs after every exit handler of the runner. Cages
 * and the cmocka discovery child are copies of this process: they skip it. */
static void write_stats(void)
{
    const char *path = getenv("BENCH_STATS");
    if (!path || !*path || getpid() != runner_pid)
        return;
    long fds = open_fds(), hwm = vmhwm_kb();
    FILE *f = fopen(path, "ae");
    if (!f)
        return;
    fprintf(f, "{\"fds\":%ld,\"vmhwm_kb\":%ld}\n", fds, hwm);
    fclose(f);
}

__attribute__((constructor)) static void bench_stats_init(void)
{
    runner_pid = getpid();
    atexit(write_stats);
}
