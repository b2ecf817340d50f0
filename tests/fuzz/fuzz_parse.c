/* fuzz_parse.c - libFuzzer target for every option parser of runner/parse.c:
 * arbitrary strings in, and each accepted value must be in its documented
 * range; each refusal must leave a NUL-terminated reason. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

static void check_err(const char *err, size_t cap)
{
    assert(memchr(err, 0, cap) != NULL);
    assert(err[0] != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    char err[128], tiny[4];

    double d = -1;
    if (tc_parse_duration(s, &d, err, sizeof(err)) == 0)
        assert(isfinite(d) && d >= 0 && d <= 1e9);
    else
        check_err(err, sizeof(err));

    char out[32];
    if (tc_parse_size(s, out, sizeof(out), err, sizeof(err)) == 0) {
        size_t digits = strspn(out, "0123456789");
        assert(digits > 0 && out[0] != '0');
        assert(out[digits] == 0 || (strchr("kmg%", out[digits]) && out[digits + 1] == 0));
        assert(strchr(out, ',') == NULL); /* no tmpfs option smuggled in */
    } else {
        check_err(err, sizeof(err));
    }
    (void)tc_parse_size(s, tiny, sizeof(tiny), err, sizeof(err));

    uint64_t b = 0;
    if (tc_parse_bytes(s, &b, err, sizeof(err)) == 0)
        assert(b > 0);
    else
        check_err(err, sizeof(err));

    unsigned ns = 0xdead;
    if (tc_parse_namespaces(s, &ns, err, sizeof(err)) == 0) {
        assert((ns & ~0xffu) == 0);
        assert(!(ns & TESTCAGE_NS_PID) || (ns & TESTCAGE_NS_MOUNT));
        assert(ns != 0 || strcmp(s, "none") == 0 || strchr(s, '-'));
    } else {
        check_err(err, sizeof(err));
    }

    int64_t mono = 7, boot = 7;
    if (tc_parse_clock_offset(s, &mono, &boot, err, sizeof(err)) == 0)
        assert((mono || boot || strchr(s, '=')) && mono >= -4611686018LL && mono <= 4611686018LL &&
               boot >= -4611686018LL && boot <= 4611686018LL);
    else
        check_err(err, sizeof(err));
    (void)tc_parse_clock_offset(s, &mono, &boot, tiny, sizeof(tiny));

    enum testcage_leak_policy lp;
    if (tc_parse_leaks(s, &lp, err, sizeof(err)) == 0)
        assert(lp == TESTCAGE_LEAKS_WARN || lp == TESTCAGE_LEAKS_FAIL ||
               lp == TESTCAGE_LEAKS_IGNORE);
    else
        check_err(err, sizeof(err));

    unsigned i = 0, n = 0;
    if (tc_parse_shard(s, &i, &n, err, sizeof(err)) == 0)
        assert(n > 0 && i < n);
    else
        check_err(err, sizeof(err));

    int c = -1;
    if (tc_parse_count(s, &c, err, sizeof(err)) == 0)
        assert(c >= 0);
    else
        check_err(err, sizeof(err));

    /* Error buffers of any size are respected. */
    (void)tc_parse_duration(s, &d, tiny, sizeof(tiny));
    (void)tc_parse_namespaces(s, &ns, tiny, sizeof(tiny));
    (void)tc_parse_shard(s, &i, &n, tiny, 1);
    assert(memchr(tiny, 0, sizeof(tiny)) != NULL);
    free(s);
    return 0;
}
