/* bazel.c - the Bazel test protocol at run time (bazel_env.c reads it): the
 * marker files, each case's own TEST_TMPDIR, TEST_TIMEOUT's budget, and what
 * a run cut short (Bazel's timeout is a SIGTERM) still reports for every
 * selected case. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite_internal.h"

/* What the runner's own /tmp and TMPDIR were ("DEV:TMPDIR"), for the case's
 * body to tell whether its cage has a private /tmp or TMPDIR. An environment
 * variable rather than memory: an exec-mode case is a new program. */
#define RUNNER_TMP_VAR "TESTCAGE_RUNNER_TMP"

static int touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", program_invocation_short_name, path,
                strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* Tells Bazel this binary understands its sharding variables. */
int tc_bazel_ack_shard(const tc_suite_opts *o)
{
    if (o->shard_total && o->shard_status_file)
        return touch(o->shard_status_file);
    return 0;
}

/* Bazel sends SIGTERM at TEST_TIMEOUT: cases end earlier, by their cage's
 * limit, so that it reports them. The reserve is for the cage's grace, its
 * kill and leak report, our report, and Bazel's clock starting before ours. */
static void set_deadline(tc_run *run)
{
    const tc_suite_opts *o = run->opts;
    if (o->test_timeout <= 0 || o->timeout_set)
        return;
    double reserve = o->grace + 3;
    if (reserve > o->test_timeout / 2)
        reserve = o->test_timeout / 2;
    run->deadline = run->started + o->test_timeout - reserve;
}

static int record_runner_tmp(void)
{
    struct stat st;
    const char *tmpdir = getenv("TMPDIR");
    char *v = NULL;
    if (!getenv("TEST_TMPDIR") || testcage_in_cage())
        return 0;
    if (stat("/tmp", &st) < 0 ||
        asprintf(&v, "%llu:%s", (unsigned long long)st.st_dev, tmpdir ? tmpdir : "") < 0) {
        fprintf(stderr, "%s: cannot record /tmp for TEST_TMPDIR: %s\n",
                program_invocation_short_name, strerror(errno));
        return -1;
    }
    int rc = setenv(RUNNER_TMP_VAR, v, 1);
    free(v);
    return rc;
}

int tc_bazel_start(tc_run *run)
{
    const tc_suite_opts *o = run->opts;
    set_deadline(run);
    if (record_runner_tmp() < 0)
        return -1;
    if (o->premature_exit_file && touch(o->premature_exit_file) < 0)
        return -1;
    return tc_bazel_ack_shard(o);
}

/* Only a run that reached its end removes the marker; an interrupted or
 * crashed runner leaves it, which is what tells Bazel it died early. */
void tc_bazel_finish(const tc_suite_opts *o)
{
    if (o->premature_exit_file && unlink(o->premature_exit_file) < 0 && errno != ENOENT)
        fprintf(stderr, "%s: cannot remove %s: %s\n", program_invocation_short_name,
                o->premature_exit_file, strerror(errno));
}

/* The case's own temporary directory: the cage's private /tmp (another
 * device than the runner's), else fork only the private TMPDIR the cage
 * set, else none (--no-private-tmp, a cage without a mount namespace). */
static char *own_tmpdir(const char *runner)
{
    char *end;
    struct stat st;
    unsigned long long dev = strtoull(runner, &end, 10);
    if (*end != ':')
        return NULL;
    if (stat("/tmp", &st) == 0 && (unsigned long long)st.st_dev != dev)
        return strdup("/tmp");
    const char *tmpdir = getenv("TMPDIR");
    if (tmpdir && *tmpdir && strcmp(tmpdir, end + 1) != 0)
        return strdup(tmpdir);
    return NULL;
}

/* Every variable that named Bazel's shared TEST_TMPDIR (HOME and TMPDIR
 * may) names the case's own instead, so what the case leaves there is its
 * own, reported as a leak, and gone with the cage. */
void tc_bazel_case_env(void)
{
    static const char *const vars[] = {"TMPDIR", "HOME", "GTEST_TMP_DIR"};
    const char *runner = getenv(RUNNER_TMP_VAR), *shared = getenv("TEST_TMPDIR");
    char *own = runner && shared ? own_tmpdir(runner) : NULL;
    char *bazel = own ? strdup(shared) : NULL;
    unsetenv(RUNNER_TMP_VAR);
    if (!bazel) {
        free(own);
        return;
    }
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && strcmp(v, bazel) == 0)
            setenv(vars[i], own, 1);
    }
    setenv("TEST_TMPDIR", own, 1);
    free(own);
    free(bazel);
}

/* ---- a run cut short ---- */

const char *tc_run_why_not(const tc_run *run, char *buf, size_t len)
{
    char sig[32];
    if (run->stopped)
        snprintf(buf, len, "--fail-fast after a failing case");
    else if (run->signo)
        snprintf(buf, len, "interrupted by %s", tc_signal_name(run->signo, sig, sizeof sig));
    else if (run->deadline > 0 && tc_now() >= run->deadline)
        snprintf(buf, len, "Bazel's TEST_TIMEOUT of %g s was used up", run->opts->test_timeout);
    else
        return NULL;
    return buf;
}

double tc_run_case_limit(const tc_run *run, double limit)
{
    if (run->deadline <= 0)
        return limit;
    double left = run->deadline - tc_now();
    if (left < 0.001)
        left = 0.001; /* tc_run_why_not refuses to start it; never "no limit" */
    return limit == 0 || limit > left ? left : limit;
}

void tc_result_not_run(testcage_result *r, const char *why)
{
    *r = (testcage_result){.status = TESTCAGE_SKIP, .exit_code = -1};
    if (asprintf(&r->skip_reason, "not run: %s", why) < 0)
        r->skip_reason = NULL;
}

void tc_run_report_not_run(tc_run *run, const tc_suite_case *c, const char *why)
{
    testcage_result r;
    tc_result_not_run(&r, why);
    tc_outputs_start(&run->out, c);
    tc_outputs_done(&run->out, c, &r);
    tc_summary_add(&run->sum, &r);
    testcage_result_free(&r);
}

/* Only the runner's own teardown sets `interrupted`: the SIGTERM or SIGKILL
 * that ended the case was ours, not the case's crash. */
void tc_result_interrupted(testcage_result *r)
{
    if (!r->interrupted || r->timed_out || r->status != TESTCAGE_CRASH)
        return;
    if (r->signal == 0 || r->signal == SIGTERM || r->signal == SIGKILL)
        r->status = TESTCAGE_TIMEOUT;
}
