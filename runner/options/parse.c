/* parse.c - option values shared by the CLI and the linked runner: every
 * bad value gets a one-line reason naming it. */
#include "parse_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static int bad(char *err, size_t len, const char *what, const char *s)
{
    snprintf(err, len, "invalid %s '%s'", what, s);
    return -1;
}

int tc_parse_duration(const char *s, double *out, char *err, size_t len)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0 || isspace((unsigned char)*s))
        return bad(err, len, "duration", s);
    double scale = 1;
    if (strcmp(end, "ms") == 0)
        scale = 0.001;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        scale = 60;
    else if (strcmp(end, "h") == 0)
        scale = 3600;
    else if (*end && strcmp(end, "s") != 0)
        return bad(err, len, "duration", s);
    v *= scale;
    if (v > 1e9) /* beyond what a timerfd holds meaningfully */
        return bad(err, len, "duration", s);
    *out = v;
    return 0;
}

int tc_parse_size(const char *s, char *out, size_t outlen, char *err, size_t len)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*s))
        return bad(err, len, "size", s);
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || v == 0)
        return bad(err, len, "size", s);
    char unit = (char)tolower((unsigned char)*end);
    if (*end && (end[1] || !strchr("kmg%", unit)))
        return bad(err, len, "size", s);
    if (unit == '%' && v > 100)
        return bad(err, len, "size", s);
    if (snprintf(out, outlen, "%llu%c", v, *end ? unit : 0) >= (int)outlen)
        return bad(err, len, "size", s);
    if (!*end)
        snprintf(out, outlen, "%llu", v);
    return 0;
}

int tc_parse_bytes(const char *s, uint64_t *out, char *err, size_t len)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*s))
        return bad(err, len, "size", s);
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 0;
    switch (tolower((unsigned char)*end)) {
    case 0:
        break;
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    default:
        return bad(err, len, "size", s);
    }
    if (errno || v == 0 || (*end && end[1]) || v > (UINT64_MAX >> shift))
        return bad(err, len, "size", s);
    *out = (uint64_t)v << shift;
    return 0;
}

static const struct {
    const char *name;
    unsigned bit;
} ns_names[] = {
    {"pid", TESTCAGE_NS_PID},       {"mount", TESTCAGE_NS_MOUNT}, {"ipc", TESTCAGE_NS_IPC},
    {"uts", TESTCAGE_NS_UTS},       {"net", TESTCAGE_NS_NET},     {"user", TESTCAGE_NS_USER},
    {"cgroup", TESTCAGE_NS_CGROUP}, {"time", TESTCAGE_NS_TIME},
};

static int ns_bit(const char *name, size_t n, unsigned *bit)
{
    for (size_t k = 0; k < sizeof(ns_names) / sizeof(ns_names[0]); k++)
        if (strlen(ns_names[k].name) == n && strncmp(ns_names[k].name, name, n) == 0) {
            *bit = ns_names[k].bit;
            return 0;
        }
    return -1;
}

int tc_parse_namespaces(const char *s, unsigned *out, char *err, size_t len)
{
    if (strcmp(s, "none") == 0) {
        *out = 0;
        return 0;
    }
    /* A list of +name / -name edits the default; plain names replace it. */
    bool edits = *s == '+' || *s == '-';
    unsigned v = edits ? TESTCAGE_NS_DEFAULT : 0;
    if (!*s)
        return bad(err, len, "namespace list", s);
    for (const char *p = s; *p;) {
        char op = '+';
        if (*p == '+' || *p == '-')
            op = *p++;
        size_t n = strcspn(p, ",");
        unsigned bit;
        if (ns_bit(p, n, &bit) < 0) {
            snprintf(
                err, len,
                "unknown namespace '%.*s' (expected pid, mount, ipc, uts, net, user, cgroup, time "
                "or none)",
                (int)n, p);
            return -1;
        }
        v = op == '-' ? v & ~bit : v | bit;
        p += n + (p[n] == ',');
        if (p[-1] == ',' && !*p)
            return bad(err, len, "namespace list", s);
    }
    /* A fresh /proc or a private /tmp needs its own mount namespace. */
    if ((v & TESTCAGE_NS_PID) && !(v & TESTCAGE_NS_MOUNT))
        v |= TESTCAGE_NS_MOUNT;
    *out = v;
    return 0;
}

/* The kernel keeps a namespaced clock within KTIME_SEC_MAX / 2 seconds. */
#define CLOCK_LIMIT 4611686018LL

/* "[-]N[s|m|h|d]" seconds into *out; the clock it shifts must stay in
 * 0 .. CLOCK_LIMIT, as the kernel requires, or the cage could not start. */
static int offset_seconds(const char *s, size_t n, clockid_t clock, int64_t *out)
{
    char num[32], *end;
    if (n == 0 || n >= sizeof(num) || isspace((unsigned char)*s))
        return -1;
    memcpy(num, s, n);
    num[n] = 0;
    errno = 0;
    long long v = strtoll(num, &end, 10);
    if (end == num || errno || (!isdigit((unsigned char)num[0]) && num[0] != '-'))
        return -1;
    long long scale = *end == 'd' ? 86400 : *end == 'h' ? 3600 : *end == 'm' ? 60 : 1;
    if (*end && (end[1] || !strchr("smhd", *end)))
        return -1;
    if (v > CLOCK_LIMIT / scale || v < -CLOCK_LIMIT / scale)
        return -1;
    struct timespec now;
    if (clock_gettime(clock, &now) < 0 || now.tv_sec + v * scale < 0 ||
        now.tv_sec + v * scale > CLOCK_LIMIT)
        return -1;
    *out = v * scale;
    return 0;
}

int tc_parse_clock_offset(const char *s, int64_t *mono, int64_t *boot, char *err, size_t len)
{
    int64_t v[2] = {0, 0};
    bool seen[2] = {false, false};
    static const char *const names[] = {"monotonic=", "boottime="};
    static const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_BOOTTIME};
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, ",");
        int k = strncmp(p, names[0], 10) == 0 ? 0 : strncmp(p, names[1], 9) == 0 ? 1 : -1;
        size_t key = k < 0 ? 0 : strlen(names[k]);
        if (k < 0 || seen[k] || key > n || offset_seconds(p + key, n - key, clocks[k], &v[k]) < 0) {
            snprintf(err, len,
                     "invalid clock offset '%.*s' (expected monotonic=S,boottime=S: whole "
                     "seconds, s/m/h/d allowed, the clock kept at or above 0)",
                     (int)n, p);
            return -1;
        }
        seen[k] = true;
        p += n + (p[n] == ',');
        if (p[-1] == ',' && !*p)
            return bad(err, len, "clock offset list", s);
    }
    if (!seen[0] && !seen[1])
        return bad(err, len, "clock offset list", s);
    *mono = v[0];
    *boot = v[1];
    return 0;
}

int tc_parse_leaks(const char *s, enum testcage_leak_policy *out, char *err, size_t len)
{
    if (strcmp(s, "warn") == 0)
        *out = TESTCAGE_LEAKS_WARN;
    else if (strcmp(s, "fail") == 0)
        *out = TESTCAGE_LEAKS_FAIL;
    else if (strcmp(s, "ignore") == 0)
        *out = TESTCAGE_LEAKS_IGNORE;
    else {
        snprintf(err, len, "invalid leak mode '%s' (expected warn, fail or ignore)", s);
        return -1;
    }
    return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int tc_parse_shard(const char *s, unsigned *index, unsigned *total, char *err, size_t len)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    unsigned long i, n;
    if (!slash || (size_t)(slash - s) >= sizeof(buf))
        return bad(err, len, "shard (expected I/N)", s);
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = 0;
    if (parse_uint(buf, 1000000, &i) < 0 || parse_uint(slash + 1, 1000000, &n) < 0 || n == 0 ||
        i >= n)
        return bad(err, len, "shard (expected I/N with 0 <= I < N)", s);
    *index = (unsigned)i;
    *total = (unsigned)n;
    return 0;
}

int tc_parse_count(const char *s, int *out, char *err, size_t len)
{
    unsigned long v;
    if (parse_uint(s, 1000000, &v) < 0)
        return bad(err, len, "count", s);
    *out = (int)v;
    return 0;
}

int tc_parse_rounds(const char *s, unsigned *out, char *err, size_t len)
{
    unsigned long v;
    if (parse_uint(s, 1000000, &v) < 0 || v == 0)
        return bad(err, len, "number of rounds (expected 1 to 1000000)", s);
    *out = (unsigned)v;
    return 0;
}

int tc_parse_seed(const char *s, unsigned *out, char *err, size_t len)
{
    unsigned long v;
    if (parse_uint(s, 4294967295UL, &v) < 0)
        return bad(err, len, "seed", s);
    *out = (unsigned)v;
    return 0;
}

int tc_exit_status(const testcage_result *r)
{
    switch (r->status) {
    case TESTCAGE_SETUP_ERROR:
        return TC_EXIT_SETUP;
    case TESTCAGE_TIMEOUT:
        return TC_EXIT_TIMEOUT;
    default:
        break;
    }
    if (r->signal)
        return 128 + r->signal;
    if (r->leak_failed)
        return TC_EXIT_LEAKS;
    if (r->status == TESTCAGE_FAIL && r->exit_code == 0)
        return 1; /* it exited 0 but reported a failure */
    return r->exit_code >= 0 ? r->exit_code : 1;
}

int tc_parse_color(const char *s, enum tc_color *out, char *err, size_t errlen)
{
    static const char *const words[] = {"auto", "always", "never"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(s, words[i]) == 0)
            return *out = (enum tc_color)i, 0;
    snprintf(err, errlen, "'%s' is not auto, always or never", s);
    return -1;
}

int tc_parse_tap_exit(const char *s, bool *stream, char *err, size_t errlen)
{
    if (strcmp(s, "failures") == 0 || strcmp(s, "stream") == 0) {
        *stream = s[0] == 's';
        return 0;
    }
    snprintf(err, errlen, "'%s' is not failures or stream", s);
    return -1;
}
