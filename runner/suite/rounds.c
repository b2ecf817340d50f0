/* rounds.c - --repeat N and --until-fail N: the selected cases run in rounds,
 * each run in a new cage and reported as NAME#k; --until-fail ends the run
 * after the first round in which a case failed. */
#include <stdio.h>

#include "suite_internal.h"

size_t tc_rounds_total(const tc_suite_opts *o, size_t total)
{
    /* A run that may stop early has an unknown count (TAP puts its plan last). */
    if (o->until_fail || (o->rounds > 1 && o->fail_fast))
        return 0;
    return o->rounds ? total * o->rounds : total;
}

size_t tc_run_cases(tc_run *run, tc_suite_case *const *cases, size_t n)
{
    const tc_suite_opts *o = run->opts;
    unsigned rounds = o->rounds ? o->rounds : 1, done = 0;
    size_t failed = 0;
    if (run->until_failed)
        return 0; /* a cmocka group after the round that failed */
    while (done < rounds) {
        done++;
        run->out.run = o->rounds ? done : 0;
        run->round_failure = NULL;
        failed += tc_run_round(run, cases, n);
        if (o->until_fail && run->round_failure) {
            run->until_failed = true;
            fprintf(stderr, "testcage: --until-fail: %s failed in round %u (of at most %u)\n",
                    run->round_failure, done, rounds);
            break;
        }
        if (run->stopped)
            break; /* --fail-fast: the rounds after it would only be "not run" */
    }
    /* cmocka: every group has its rounds; the summary counts the most. */
    if (o->rounds && done > run->sum.rounds)
        run->sum.rounds = done;
    for (size_t i = 0; i < n; i++)
        run->sum.failing_cases += cases[i]->failed_runs > 0;
    return failed;
}

void tc_rounds_end(const tc_run *run)
{
    if (run->opts->until_fail && !run->until_failed && !run->interrupted)
        fprintf(stderr, "testcage: --until-fail: no case failed in %u rounds\n", run->sum.rounds);
}
