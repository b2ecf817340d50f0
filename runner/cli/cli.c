/* cli.c - `testcage [OPTIONS] [--] PROGRAM [ARGS...]`: run one program in a
 * cage, pass its status through, report what it left behind. */
#include "cli_internal.h"
#include "optable.h"
#include "parse_internal.h"
#include "report_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define PREFIX   TC_CLI_PREFIX
#define MAX_WRAP 64

#define die_usage(...) exit(tc_cli_refuse(__VA_ARGS__))

/* wrapper words, valgrind, then PROGRAM and its arguments. */
static void build_argv(tc_cli *c, int argc, char **argv, int first)
{
    static const char *const vg[] = {"valgrind",
                                     "--vgdb=no",
                                     "--error-exitcode=121",
                                     "--leak-check=full",
                                     "--errors-for-leak-kinds=definite,indirect",
                                     "-q"};
    size_t n = 0, cap = MAX_WRAP + 8 + (size_t)(argc - first) + 1;
    c->argv = calloc(cap, sizeof(*c->argv));
    if (!c->argv) {
        perror(PREFIX "calloc");
        exit(TC_EXIT_SETUP);
    }
    if (c->wrap) {
        c->wrap_copy = strdup(c->wrap);
        for (char *save, *p = strtok_r(c->wrap_copy, " \t", &save); p;
             p = strtok_r(NULL, " \t", &save)) {
            if (n == MAX_WRAP)
                die_usage("--wrap has too many words: '%s'", c->wrap);
            c->argv[n++] = p;
        }
    }
    for (size_t k = 0; c->valgrind && k < sizeof(vg) / sizeof(vg[0]); k++)
        c->argv[n++] = vg[k];
    for (int k = first; k < argc; k++)
        c->argv[n++] = argv[k];
    c->argv[n] = NULL;
    c->o.argv = c->argv;
}

/* Runs the cage; returns the signal that interrupted testcage, or 0. */
static int run(tc_cli *c, testcage_result *r)
{
    sigset_t old;
    int sfd = tc_teardown_sigfd(&old);
    testcage_cage *cage;
    if (sfd < 0 || testcage_start(&c->o, &cage) < 0) {
        fprintf(stderr, PREFIX "cannot start a cage: %s\n", strerror(errno));
        exit(TC_EXIT_SETUP);
    }
    if (c->verbosity > 0 && testcage_cage_pid(cage) > 0)
        fprintf(stderr, PREFIX "cage init pid %d\n", (int)testcage_cage_pid(cage));
    int got = 0;
    struct pollfd p[2] = {{.fd = testcage_cage_fd(cage), .events = POLLIN},
                          {.fd = sfd, .events = POLLIN}};
    while (!testcage_cage_dispatch(cage)) {
        tc_isolation_found(c->verbosity); /* before the program's own output */
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        struct signalfd_siginfo si;
        if ((p[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
            got = got ? got : (int)si.ssi_signo;
            testcage_cage_terminate(cage);
        }
    }
    testcage_cage_finish(cage, r);
    close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return got;
}

static void say_outcome(const tc_cli *c, const testcage_result *r)
{
    const char *prog = c->argv[0];
    const char *msg = tc_isolation_news(r, c->verbosity); /* the notice is said once */
    if (msg && (r->status == TESTCAGE_SETUP_ERROR || r->exec_errno || c->verbosity >= 0))
        fprintf(stderr, PREFIX "%s\n", msg);
    if (r->limits_via && c->verbosity >= 0)
        fprintf(stderr, PREFIX "limits enforced through %s\n", r->limits_via);
    if (r->timed_out)
        fprintf(stderr, PREFIX "%s timed out after %g s%s\n", prog, c->o.timeout,
                r->killed ? "; it ignored SIGTERM and was killed" : "");
    if (r->debug_output && *r->debug_output) {
        fprintf(stderr, PREFIX "at the timeout, inside the cage:\n%s", r->debug_output);
        if (r->debug_output[strlen(r->debug_output) - 1] != '\n')
            fputc('\n', stderr);
    }
    if (r->kept_dir)
        fprintf(stderr, PREFIX "files left in /tmp and /dev/shm copied to %s\n", r->kept_dir);
    if (r->report_corrupt && c->verbosity >= 0)
        fprintf(stderr, PREFIX "%s wrote garbage on its report channel; ignored\n", prog);
    bool show_leaks = c->o.leaks != TESTCAGE_LEAKS_IGNORE && (c->verbosity >= 0 || r->leak_failed);
    if (show_leaks)
        tc_print_leaks(stderr, PREFIX, r);
    if (r->leak_failed) {
        /* The program's own output ends with its success: say why it failed. */
        size_t n = testcage_result_leaks(r);
        fprintf(stderr,
                PREFIX "%s passed but left %zu thing%s behind; failing under --leaks=fail\n", prog,
                n, n == 1 ? "" : "s");
    }
    if (c->verbosity > 0)
        fprintf(stderr, PREFIX "%s: %s, exit %d, signal %d, %.3f s\n", prog,
                testcage_status_name(r->status), r->exit_code, r->signal, r->duration);
}

static int write_report(tc_reporter *rep, const char *path, const char *name,
                        const testcage_result *r)
{
    if (!rep) {
        fprintf(stderr, PREFIX "cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    tc_case tcase = {.suite = "testcage", .name = name, .result = r};
    tc_summary sum = {0};
    tc_summary_add(&sum, r);
    sum.duration = r->duration;
    rep->begin(rep, "testcage", 1);
    rep->case_done(rep, &tcase);
    int rc = rep->end(rep, &sum);
    rep->destroy(rep);
    if (rc < 0)
        fprintf(stderr, PREFIX "cannot write %s: %s\n", path, strerror(errno));
    return rc;
}

int main(int argc, char **argv)
{
    tc_cli c;
    int first = 0, rc = tc_cli_options(&c, argc, argv, &first);
    if (rc)
        return rc;
    if (c.help) {
        tc_cli_usage(stdout);
        return 0;
    }
    if (c.version) {
        printf("testcage %s\n", TESTCAGE_VERSION);
        return 0;
    }
    if (c.enter_pid)
        return tc_enter_cage(c.enter_pid, c.enter_cmd);
    if (first >= argc)
        die_usage("no PROGRAM given");
    build_argv(&c, argc, argv, first);
    c.o.name = argv[first];
    c.o.program = argv[first];

    if ((rc = tc_say_isolation(&c.o, c.o.require_isolation, c.verbosity)) != 0) {
        free(c.argv);
        free(c.wrap_copy);
        return rc;
    }
    testcage_result r;
    int sig = run(&c, &r);
    say_outcome(&c, &r);
    rc = tc_exit_status(&r);
    if (c.json && write_report(tc_reporter_json_new(c.json), c.json, argv[first], &r) < 0)
        rc = rc ? rc : TC_EXIT_SETUP;
    if (c.junit && write_report(tc_reporter_junit_new(c.junit), c.junit, argv[first], &r) < 0)
        rc = rc ? rc : TC_EXIT_SETUP;
    if (r.exec_errno)
        rc = r.exec_errno == ENOENT || r.exec_errno == ENOTDIR ? TC_EXIT_NOENT : TC_EXIT_NOEXEC;
    testcage_result_free(&r);
    free(c.argv);
    free(c.wrap_copy);
    return sig ? 128 + sig : rc;
}
