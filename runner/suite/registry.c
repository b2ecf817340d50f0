/* registry.c - the list of cases one binary declares, in declaration order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_internal.h"

static int grow(tc_registry *reg)
{
    if (reg->n < reg->cap)
        return 0;
    size_t cap = reg->cap ? reg->cap * 2 : 16;
    tc_suite_case *cases = realloc(reg->cases, cap * sizeof *cases);
    if (!cases)
        return -1;
    reg->cases = cases;
    reg->cap = cap;
    return 0;
}

tc_suite_case *tc_registry_add(tc_registry *reg, const char *group, const char *name,
                               bool qualified)
{
    if (grow(reg) < 0)
        return NULL;
    char *full = NULL;
    if (qualified) {
        if (asprintf(&full, "%s/%s", group, name) < 0)
            return NULL;
    } else if (!(full = strdup(name))) {
        return NULL;
    }
    tc_suite_case *c = &reg->cases[reg->n];
    *c = (tc_suite_case){.group = group,
                         .name = name,
                         .full = full,
                         .index = reg->n,
                         .timeout = -1,
                         .grace = -1,
                         .namespaces = -1,
                         .leaks = -1};
    reg->n++;
    return c;
}

void tc_registry_free(tc_registry *reg)
{
    for (size_t i = 0; i < reg->n; i++)
        free(reg->cases[i].full);
    free(reg->cases);
    *reg = (tc_registry){0};
}
