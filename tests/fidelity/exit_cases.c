/* exit_cases.c - cases that end unlike a plain return: exit handlers,
 * buffered output, exit(0) or _exit(0) mid-case, a forked child returning
 * from the case, every fd closed. Built as a cmocka suite
 * (-DFIDELITY_CMOCKA) and as a TESTCAGE_TEST suite. */
#include "fidelity_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRATCH "/tmp/scratch.txt"

/* No newline: the text is still in stdout's buffer when exit flushes it,
 * after the case function returned and the runner's own flush. */
static void remove_scratch(void)
{
    if (remove(SCRATCH) != 0)
        perror("remove " SCRATCH);
    else
        printf("scratch removed at exit");
}

/* Its handler removes the file at exit: nothing is left to report. */
FIDELITY_CASE(atexit_cleanup)
{
    FILE *f = fopen(SCRATCH, "w");
    if (!f || fputs("scratch\n", f) < 0 || fclose(f) != 0)
        return 1;
    return atexit(remove_scratch) != 0;
}

/* stdout is a pipe, fully buffered: the text reaches the report only when
 * the body's stdio is flushed at its end. */
FIDELITY_CASE(partial_line)
{
    printf("a partial line, no newline");
    return 1;
}

FIDELITY_CASE(exit0_midcase)
{
    exit(0);
}

FIDELITY_CASE(underscore_exit0)
{
    _exit(0);
}

/* The child returns from the case as the parent will; only the parent is
 * the case. */
FIDELITY_CASE(forked_child_returns)
{
    pid_t pid = fork();
    if (pid <= 0)
        return pid < 0;
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 1;
    return 0;
}

/* Whatever channel a body has, the case still ends honestly. */
FIDELITY_CASE(closes_all_fds)
{
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    return 0;
}

#ifdef FIDELITY_CMOCKA
int main(void)
{
    const struct CMUnitTest exits[] = {
        cmocka_unit_test(atexit_cleanup),       cmocka_unit_test(partial_line),
        cmocka_unit_test(exit0_midcase),        cmocka_unit_test(underscore_exit0),
        cmocka_unit_test(forked_child_returns), cmocka_unit_test(closes_all_fds),
    };
    return testcage_run_group_tests(exits, NULL, NULL);
}
#endif
