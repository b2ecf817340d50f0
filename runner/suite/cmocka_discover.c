/* cmocka_discover.c - cmocka groups are run one call at a time from main(),
 * yet --list, the TAP plan and sharding want the whole binary: a forked child
 * runs the rest of main() with each call only recording its group's names.
 * Code main() runs between or after the calls thus runs once more in that
 * child, with stdin, stdout and stderr on /dev/null. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmocka_internal.h"
#include "suite_internal.h"

enum { DISCOVERY_TIMEOUT_MS = 30000, DISCOVERY_MAX = 64 << 20 };

static void write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, s, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(1); /* the parent sees a short record and ignores it all */
        s += w;
        len -= (size_t)w;
    }
}

/* Record: group NUL count NUL name NUL ... */
void tc_cm_discover_record(int fd, const char *group, const struct CMUnitTest *tests, size_t n)
{
    char count[32];
    int len = snprintf(count, sizeof count, "%zu", n);
    write_all(fd, group, strlen(group) + 1);
    write_all(fd, count, (size_t)len + 1);
    for (size_t i = 0; i < n; i++)
        write_all(fd, tests[i].name, strlen(tests[i].name) + 1);
}

static void quiet_child(void)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        _exit(1);
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(null, fd) < 0)
            _exit(1);
    close(null);
}

/* Reads until EOF or the time limit; returns the length or -1. */
static ssize_t read_records(int fd, char **out)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = buf ? poll(&p, 1, DISCOVERY_TIMEOUT_MS) : -1;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0 || len > DISCOVERY_MAX)
            break;
        if (len + 1 >= cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                break;
            buf = b;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            *out = buf;
            return (ssize_t)len;
        }
        if (r < 0)
            break;
        len += (size_t)r;
    }
    free(buf);
    return -1;
}

static int add_group(tc_cm_discovery *d, const char *name, size_t n, const char **cases)
{
    tc_cm_group *g = realloc(d->groups, (d->ngroups + 1) * sizeof *g);
    if (!g)
        return -1;
    d->groups = g;
    d->groups[d->ngroups++] = (tc_cm_group){.name = name, .n = n, .cases = cases};
    return 0;
}

/* Splits the records; names point into d->buf. */
static int parse_records(tc_cm_discovery *d, size_t len)
{
    size_t nstr = 0;
    for (size_t i = 0; i < len; i++)
        nstr += d->buf[i] == '\0';
    if (len && d->buf[len - 1] != '\0')
        return -1;
    d->names = calloc(nstr + 1, sizeof *d->names);
    if (!d->names)
        return -1;
    size_t k = 0;
    for (size_t off = 0; off < len; off += strlen(d->buf + off) + 1)
        d->names[k++] = d->buf + off;
    for (size_t i = 0; i + 1 < k;) {
        char *end;
        unsigned long long n = strtoull(d->names[i + 1], &end, 10);
        if (*end || n > k - i - 2 || add_group(d, d->names[i], (size_t)n, &d->names[i + 2]) < 0)
            return -1;
        i += 2 + (size_t)n;
    }
    return 0;
}

static int reap(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int tc_cm_discover(tc_cm_discovery *d, int *child_fd)
{
    *d = (tc_cm_discovery){0};
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        quiet_child();
        *child_fd = p[1];
        return 1;
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    ssize_t len = read_records(p[0], &d->buf);
    close(p[0]);
    if (len < 0)
        kill(pid, SIGKILL);
    if (reap(pid) < 0 || len < 0 || parse_records(d, (size_t)len) < 0) {
        tc_cm_discovery_free(d);
        return -1;
    }
    return 0;
}

void tc_cm_discovery_free(tc_cm_discovery *d)
{
    free(d->buf);
    free(d->groups);
    free(d->names);
    *d = (tc_cm_discovery){0};
}
