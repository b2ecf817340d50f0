/* bazel_env.c - Bazel's test variables as options, read after the flags and
 * the TESTCAGE_* environment: sharding (unless --shard said otherwise), the
 * report and marker files, --test_filter, TEST_TIMEOUT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"
#include "suite_internal.h"

static int bad(const char *what, const char *value, const char *why)
{
    fprintf(stderr, "%s: %s '%s': %s\n", program_invocation_short_name, what, value, why);
    return TC_EXIT_SETUP;
}

/* --test_filter: the same globs as --filter, ':'-separated, "-GLOB" excludes. */
static int read_test_only(tc_suite_opts *o)
{
    const char *only = getenv("TESTBRIDGE_TEST_ONLY");
    if (!only || !*only)
        return 0;
    size_t n = 1;
    for (const char *p = only; *p; p++)
        n += *p == ':';
    if (!(o->test_only_buf = strdup(only)) || !(o->test_only = calloc(n, sizeof(char *))))
        return bad("TESTBRIDGE_TEST_ONLY", only, strerror(errno));
    char *save = NULL;
    for (char *g = strtok_r(o->test_only_buf, ":", &save); g; g = strtok_r(NULL, ":", &save))
        o->test_only[o->ntest_only++] = g;
    return 0;
}

static int read_test_timeout(tc_suite_opts *o)
{
    const char *t = getenv("TEST_TIMEOUT");
    char err[200];
    if (!t || !*t)
        return 0;
    if (tc_parse_duration(t, &o->test_timeout, err, sizeof err) < 0)
        return bad("TEST_TIMEOUT", t, err);
    return 0;
}

/* Bazel's sharding applies only when neither --shard nor TESTCAGE_SHARD did. */
int tc_bazel_env(tc_suite_opts *o)
{
    const char *total = getenv("TEST_TOTAL_SHARDS"), *index = getenv("TEST_SHARD_INDEX");
    o->premature_exit_file = getenv("TEST_PREMATURE_EXIT_FILE");
    o->shard_status_file = getenv("TEST_SHARD_STATUS_FILE");
    const char *xml = getenv("XML_OUTPUT_FILE");
    if (xml && *xml)
        o->junit[1] = xml;
    int rc = read_test_only(o);
    if (!rc)
        rc = read_test_timeout(o);
    if (rc || o->shard_total || !total || !*total)
        return rc;
    char spec[64], err[200];
    snprintf(spec, sizeof spec, "%s/%s", index ? index : "0", total);
    if (tc_parse_shard(spec, &o->shard_index, &o->shard_total, err, sizeof err) < 0)
        return bad("TEST_TOTAL_SHARDS/TEST_SHARD_INDEX", spec, err);
    return 0;
}
