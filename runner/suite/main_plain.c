/* main_plain.c - main() for TESTCAGE_TEST suites (TestCage::main): every
 * registered case, in declaration order, each in its own cage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"
#include "plain_internal.h"
#include "suite_internal.h"

static int plain_body(void *arg)
{
    const struct testcage_test *t = arg;
    return t->fn();
}

/* Declaration order: files in the order the constructors met them, then by
 * line (the constructors' order inside one file is the compiler's business). */
struct order {
    const struct testcage_test *t;
    size_t file_rank, seen;
};

static int by_declaration(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    if (x->file_rank != y->file_rank)
        return x->file_rank < y->file_rank ? -1 : 1;
    if (x->t->line != y->t->line)
        return x->t->line < y->t->line ? -1 : 1;
    return x->seen < y->seen ? -1 : x->seen > y->seen;
}

static struct order *sorted_tests(size_t *n)
{
    bool oom;
    const struct testcage_test *const *tests = tc_plain_tests(n, &oom);
    struct order *ord = oom ? NULL : calloc(*n + 1, sizeof *ord);
    if (!ord)
        return NULL;
    for (size_t i = 0; i < *n; i++) {
        ord[i] = (struct order){.t = tests[i], .file_rank = i, .seen = i};
        for (size_t k = 0; k < i; k++)
            if (strcmp(tests[k]->file, tests[i]->file) == 0) {
                ord[i].file_rank = ord[k].file_rank;
                break;
            }
    }
    qsort(ord, *n, sizeof *ord, by_declaration);
    return ord;
}

static int build(tc_registry *reg)
{
    size_t n;
    struct order *ord = sorted_tests(&n);
    if (!ord)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct testcage_test *t = ord[i].t;
        tc_suite_case *c = tc_registry_add(reg, NULL, t->name, false);
        if (!c)
            return free(ord), -1;
        c->body = plain_body;
        c->arg = (void *)t;
        c->timeout = t->settings.timeout;
        c->grace = t->settings.grace;
        c->namespaces = t->settings.namespaces;
        c->leaks = t->settings.leaks;
    }
    free(ord);
    return 0;
}

static tc_suite_case *named(const tc_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->cases[i].full, name) == 0)
            return &reg->cases[i];
    fprintf(stderr, "%s: no test case named '%s'\n", program_invocation_short_name, name);
    return NULL;
}

static int run_in_process(const tc_registry *reg, const char *name)
{
    tc_suite_case *c = named(reg, name);
    return c ? tc_case_body(c) : TC_EXIT_SETUP;
}

static int run_selected(tc_suite_opts *o, tc_registry *reg)
{
    tc_suite_case **sel = calloc(reg->n + 1, sizeof(tc_suite_case *));
    if (!sel) {
        perror(program_invocation_short_name);
        return 1;
    }
    size_t nsel = 0;
    for (size_t i = 0; i < reg->n; i++)
        if (tc_case_selected(o, &reg->cases[i]))
            sel[nsel++] = &reg->cases[i];
    int rc = 0;
    if (o->list) {
        tc_bazel_ack_shard(o);
        for (size_t i = 0; i < nsel; i++)
            printf("%s\n", sel[i]->full);
    } else if (o->run && !named(reg, o->run)) {
        rc = TC_EXIT_SETUP;
    } else {
        tc_run run;
        rc = tc_run_begin(&run, o, program_invocation_short_name, nsel);
        if (rc == 0) {
            tc_run_cases(&run, sel, nsel);
            rc = tc_run_end(&run);
        }
    }
    free(sel);
    return rc;
}

TESTCAGE_API int main(int argc, char **argv)
{
    tc_suite_opts o;
    tc_registry reg = {0};
    int rc = tc_suite_opts_parse(&o, argc, argv);
    if (rc == 0 && o.help)
        tc_suite_usage(stdout, program_invocation_short_name);
    else if (rc == 0 && build(&reg) < 0) {
        perror(program_invocation_short_name);
        rc = 1;
    } else if (rc == 0 && o.run && testcage_in_cage())
        rc = run_in_process(&reg, o.run);
    else if (rc == 0)
        rc = run_selected(&o, &reg);
    tc_registry_free(&reg);
    tc_plain_tests_free();
    tc_suite_opts_free(&o);
    return rc;
}
