/* filter.c - --filter GLOB selection: any positive pattern must match, no
 * "-GLOB" may match, and --run NAME picks one case by its exact name. Bazel's
 * --test_filter (TESTBRIDGE_TEST_ONLY) is a second such list: both must pass. */
#include <fnmatch.h>
#include <string.h>

#include "suite_internal.h"

static bool globs_match(char *const *globs, size_t n, const char *full)
{
    bool have_include = false, included = false;
    for (size_t i = 0; i < n; i++) {
        const char *pat = globs[i];
        if (pat[0] == '-') {
            if (fnmatch(pat + 1, full, 0) == 0)
                return false;
            continue;
        }
        have_include = true;
        if (fnmatch(pat, full, 0) == 0)
            included = true;
    }
    return !have_include || included;
}

bool tc_filter_match(const tc_suite_opts *o, const char *full)
{
    return globs_match(o->filters, o->nfilters, full) &&
           globs_match(o->test_only, o->ntest_only, full);
}

bool tc_case_selected(const tc_suite_opts *o, const tc_suite_case *c)
{
    if (o->run && strcmp(o->run, c->full) != 0)
        return false;
    return tc_filter_match(o, c->full) && tc_shard_match(o, c->index);
}
