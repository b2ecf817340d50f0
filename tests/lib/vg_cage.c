/* vg_cage.c - a small function-mode runner for valgrind memcheck: a handful
 * of cages (pass, failure record, litter, leaked child, captured output,
 * timeout, exec error) whose results are checked; exit 0 when all are right. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <testcage/testcage.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static int body(void *arg)
{
    switch ((int)(long)arg) {
    case 0:
        return 0;
    case 1:
        testcage_report_failure(__FILE__, __LINE__, "deliberate failure %d", 1);
        return 1;
    case 2: {
        FILE *f = fopen("/tmp/vg-litter", "w");
        if (!f)
            return 2;
        fputs("litter", f);
        fclose(f);
        if (fork() == 0) {
            for (;;)
                pause();
        }
        return 0;
    }
    case 3:
        for (int k = 0; k < 2000; k++)
            printf("line %d of output\n", k);
        return 0;
    default:
        for (;;)
            pause();
    }
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n;
}

static void run(long which, testcage_result *r, const char *const *argv)
{
    testcage_opts o;
    testcage_opts_init(&o);
    o.fn = body;
    o.fn_arg = (void *)which;
    o.argv = argv;
    o.timeout = which == 4 ? 0.3 : 30;
    o.grace = 0.3;
    o.timeout_backtrace = false;
    o.capture_output = which == 3;
    o.capture_limit = 4096;
    memset(r, 0, sizeof(*r));
    CHECK(testcage_run(&o, r) == 0);
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "vg_cage needs root\n");
        return 1;
    }
    testcage_result r;
    run(0, &r, NULL);
    CHECK(r.status == TESTCAGE_PASS);
    testcage_result_free(&r);
    int fds = count_fds(); /* after the first cage: the runner's own pidfd stays */

    run(1, &r, NULL);
    CHECK(r.status == TESTCAGE_FAIL && r.nfailures == 1);
    testcage_result_free(&r);

    run(2, &r, NULL);
    CHECK(r.status == TESTCAGE_PASS && r.nfiles == 1 && r.nprocs == 1);
    testcage_result_free(&r);

    run(3, &r, NULL);
    CHECK(r.status == TESTCAGE_PASS && r.output && r.output_dropped > 0);
    testcage_result_free(&r);

    run(4, &r, NULL);
    CHECK(r.status == TESTCAGE_TIMEOUT);
    testcage_result_free(&r);

    const char *argv[] = {"/nonexistent/vg-no-such-program", NULL};
    run(0, &r, argv);
    CHECK(r.exec_errno == ENOENT && r.exit_code == 127);
    testcage_result_free(&r);

    CHECK(count_fds() == fds);
    if (failures)
        fprintf(stderr, "vg_cage: %d checks failed\n", failures);
    return failures ? 1 : 0;
}
