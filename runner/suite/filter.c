/* filter.c - --filter GLOB selection: any positive pattern must match, no
 * "-GLOB" may match, and --run NAME picks one case by its exact name. */
#include <fnmatch.h>
#include <string.h>

#include "suite_internal.h"

bool tc_filter_match(const tc_suite_opts *o, const char *full)
{
    bool have_include = false, included = false;
    for (size_t i = 0; i < o->nfilters; i++) {
        const char *pat = o->filters[i];
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

bool tc_case_selected(const tc_suite_opts *o, const tc_suite_case *c)
{
    if (o->run && strcmp(o->run, c->full) != 0)
        return false;
    return tc_filter_match(o, c->full) && tc_shard_match(o, c->index);
}
