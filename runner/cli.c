/* cli.c - `testcage [OPTIONS] [--] PROGRAM [ARGS...]`: run one program in a
 * cage, pass its status through, report what it left behind. */
#include "parse_internal.h"
#include "report_internal.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define PREFIX   "testcage: "
#define MAX_WRAP 64
#define MAX_KEEP 16

struct cli {
    testcage_opts o;
    int verbosity;
    const char *json, *junit, *wrap;
    bool valgrind;
    char tmp_size[64];
    const char *keep[MAX_KEEP + 1];
    size_t nkeep;
    char *wrap_copy;
    const char **argv; /* wrapper words + PROGRAM + ARGS */
};

static const char usage_text[] =
    "Usage: testcage [OPTIONS] [--] PROGRAM [ARGS...]\n"
    "Run PROGRAM in a disposable namespace cage: its own PID, mount and IPC\n"
    "namespaces, a private tmpfs on /tmp and /dev/shm, a fresh /proc, a\n"
    "wall-clock limit enforced term-then-kill, and a report of every process,\n"
    "file and SysV IPC object it leaves behind.\n"
    "\n"
    "Options (environment form in brackets; flags win):\n"
    "  --timeout S          wall-clock limit in seconds, fractions and ms/s/m/h\n"
    "                       suffixes allowed; 0 = none (default 60) [TESTCAGE_TIMEOUT]\n"
    "  --grace S            SIGTERM -> SIGKILL delay (default 2) [TESTCAGE_GRACE]\n"
    "  --leaks MODE         warn (default) | fail | ignore [TESTCAGE_LEAKS]\n"
    "  --ns LIST            namespaces: pid,mount,ipc,uts,net,user (default\n"
    "                       pid,mount,ipc; +user is added when not privileged);\n"
    "                       +name/-name edit the default; none = fork only [TESTCAGE_NS]\n"
    "  --no-private-tmp     keep the host's /tmp and /dev/shm [TESTCAGE_NO_PRIVATE_TMP=1]\n"
    "  --tmp-size SIZE      size of the private tmpfs, e.g. 64m, 1g, 10% [TESTCAGE_TMP_SIZE]\n"
    "  --keep PATH          bind PATH (under /tmp or /dev/shm) back into the cage;\n"
    "                       repeatable [TESTCAGE_KEEP, colon-separated]\n"
    "  --require-isolation  refuse to run without namespaces (exit 125)\n"
    "                       [TESTCAGE_REQUIRE_ISOLATION=1]\n"
    "  --tmp-mode MODE      mode of the private tmpfs root (default 1777)\n"
    "  --tmp-options OPTS   raw tmpfs options, e.g. size=64m,mode=1777 (overrides both)\n"
    "  --no-proc            keep the host's /proc (the PID namespace stays private)\n"
    "  --keep-caps          as root, let PROGRAM keep CAP_SYS_ADMIN and friends\n"
    "  --on-timeout CMD     at the timeout, before SIGTERM, run CMD inside the cage;\n"
    "                       %p is PROGRAM's pid there (default: a gdb backtrace of\n"
    "                       every thread when gdb is installed) [TESTCAGE_ON_TIMEOUT]\n"
    "  --no-backtrace       no default gdb backtrace at the timeout\n"
    "  --keep-on-fail DIR   when PROGRAM fails, copy what it left in /tmp and\n"
    "                       /dev/shm to a new directory below DIR [TESTCAGE_KEEP_ON_FAIL]\n"
    "  --max-procs N        at most N processes in the cage (fork bombs stay inside)\n"
    "                       [TESTCAGE_MAX_PROCS]\n"
    "  --memory SIZE        memory limit for the cage, e.g. 512m [TESTCAGE_MEMORY]\n"
    "  --wrap CMD           run PROGRAM under CMD (split on blanks), e.g. \"strace -f\"\n"
    "                       [TESTCAGE_WRAP]\n"
    "  --valgrind           run PROGRAM under valgrind memcheck; memory errors or\n"
    "                       leaks exit 121 [TESTCAGE_VALGRIND=1]\n"
    "  --json FILE          write the result as JSON [TESTCAGE_JSON]\n"
    "  --junit FILE         write the result as JUnit XML [TESTCAGE_JUNIT]\n"
    "  -q, --quiet          only errors and leak failures\n"
    "  -v, --verbose        also the cage init's pid, the verdict and timing\n"
    "  --enter PID [CMD...]  run CMD (default $SHELL) inside the running cage whose\n"
    "                       init or PROGRAM has host pid PID (see -v for the pid)\n"
    "  --version            print the version and exit\n"
    "  -h, --help           print this help and exit\n"
    "\n"
    "Exit status: PROGRAM's own status; 122 leaks found under --leaks=fail;\n"
    "121 valgrind errors; 124 timeout; 125 bad option or the cage could not be\n"
    "set up; 126 PROGRAM not executable; 127 PROGRAM not found; 128+N PROGRAM\n"
    "killed by signal N; 130/143 testcage itself got SIGINT/SIGTERM.\n";

static _Noreturn void die_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, PREFIX);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see testcage --help)\n");
    exit(TC_EXIT_SETUP);
}

static void check(int rc, const char *source, const char *err)
{
    if (rc < 0) {
        fprintf(stderr, PREFIX "%s: %s\n", source, err);
        exit(TC_EXIT_SETUP);
    }
}

static bool env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

enum {
    OPT_TIMEOUT = 256,
    OPT_GRACE,
    OPT_LEAKS,
    OPT_NS,
    OPT_NO_PRIVATE_TMP,
    OPT_TMP_SIZE,
    OPT_KEEP,
    OPT_REQUIRE,
    OPT_KEEP_CAPS,
    OPT_WRAP,
    OPT_VALGRIND,
    OPT_JSON,
    OPT_JUNIT,
    OPT_VERSION,
    OPT_TMP_MODE,
    OPT_TMP_OPTIONS,
    OPT_NO_PROC,
    OPT_ON_TIMEOUT,
    OPT_NO_BACKTRACE,
    OPT_KEEP_ON_FAIL,
    OPT_ENTER,
    OPT_MAX_PROCS,
    OPT_MEMORY,
};

/* One setting from a flag or its environment form; `source` names it. */
static void apply(struct cli *c, int opt, const char *val, const char *source)
{
    char err[256];
    switch (opt) {
    case OPT_TIMEOUT:
        check(tc_parse_duration(val, &c->o.timeout, err, sizeof(err)), source, err);
        break;
    case OPT_GRACE:
        check(tc_parse_duration(val, &c->o.grace, err, sizeof(err)), source, err);
        break;
    case OPT_LEAKS:
        check(tc_parse_leaks(val, &c->o.leaks, err, sizeof(err)), source, err);
        break;
    case OPT_NS:
        check(tc_parse_namespaces(val, &c->o.namespaces, err, sizeof(err)), source, err);
        break;
    case OPT_TMP_SIZE:
        check(tc_parse_size(val, c->tmp_size, sizeof(c->tmp_size), err, sizeof(err)), source, err);
        c->o.tmp_size = c->tmp_size;
        break;
    case OPT_KEEP:
        if (val[0] != '/')
            die_usage("--keep needs an absolute path, not '%s'", val);
        if (c->nkeep == MAX_KEEP)
            die_usage("too many --keep paths (at most 16): '%s'", val);
        c->keep[c->nkeep++] = val;
        break;
    case OPT_WRAP:
        c->wrap = *val ? val : NULL;
        break;
    case OPT_JSON:
        c->json = val;
        break;
    case OPT_JUNIT:
        c->junit = val;
        break;
    case OPT_TMP_MODE:
        if (strspn(val, "01234567") != strlen(val) || !*val || strlen(val) > 4)
            die_usage("--tmp-mode needs an octal mode, not '%s'", val);
        c->o.tmp_mode = val;
        break;
    case OPT_TMP_OPTIONS:
        if (!*val || strpbrk(val, " \t\n"))
            die_usage("invalid --tmp-options '%s'", val);
        c->o.tmp_options = val;
        break;
    case OPT_MAX_PROCS: {
        int n;
        check(tc_parse_count(val, &n, err, sizeof(err)), source, err);
        c->o.max_procs = (unsigned)n;
        break;
    }
    case OPT_MEMORY:
        check(tc_parse_bytes(val, &c->o.memory_max, err, sizeof(err)), source, err);
        break;
    case OPT_ON_TIMEOUT:
        c->o.on_timeout = *val ? val : NULL;
        break;
    case OPT_KEEP_ON_FAIL:
        if (!*val)
            die_usage("--keep-on-fail needs a directory%s", "");
        c->o.keep_on_fail = val;
        break;
    }
}

static void apply_env(struct cli *c)
{
    static const struct {
        const char *name;
        int opt;
    } vars[] = {
        {"TESTCAGE_TIMEOUT", OPT_TIMEOUT},   {"TESTCAGE_GRACE", OPT_GRACE},
        {"TESTCAGE_LEAKS", OPT_LEAKS},       {"TESTCAGE_NS", OPT_NS},
        {"TESTCAGE_TMP_SIZE", OPT_TMP_SIZE}, {"TESTCAGE_WRAP", OPT_WRAP},
        {"TESTCAGE_JSON", OPT_JSON},         {"TESTCAGE_JUNIT", OPT_JUNIT},
    };
    for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++) {
        const char *v = getenv(vars[k].name);
        if (v && *v)
            apply(c, vars[k].opt, v, vars[k].name);
    }
    c->o.private_tmp = !env_flag("TESTCAGE_NO_PRIVATE_TMP");
    c->o.require_isolation = env_flag("TESTCAGE_REQUIRE_ISOLATION");
    c->valgrind = env_flag("TESTCAGE_VALGRIND");
    const char *keep = getenv("TESTCAGE_KEEP");
    static char keep_copy[4096];
    if (keep && *keep) {
        snprintf(keep_copy, sizeof(keep_copy), "%s", keep);
        for (char *save, *p = strtok_r(keep_copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
            apply(c, OPT_KEEP, p, "TESTCAGE_KEEP");
    }
}

static int parse_args(struct cli *c, int argc, char **argv)
{
    static const struct option longs[] = {
        {"timeout", required_argument, 0, OPT_TIMEOUT},
        {"grace", required_argument, 0, OPT_GRACE},
        {"leaks", required_argument, 0, OPT_LEAKS},
        {"ns", required_argument, 0, OPT_NS},
        {"no-private-tmp", no_argument, 0, OPT_NO_PRIVATE_TMP},
        {"tmp-size", required_argument, 0, OPT_TMP_SIZE},
        {"keep", required_argument, 0, OPT_KEEP},
        {"require-isolation", no_argument, 0, OPT_REQUIRE},
        {"keep-caps", no_argument, 0, OPT_KEEP_CAPS},
        {"wrap", required_argument, 0, OPT_WRAP},
        {"valgrind", no_argument, 0, OPT_VALGRIND},
        {"json", required_argument, 0, OPT_JSON},
        {"junit", required_argument, 0, OPT_JUNIT},
        {"quiet", no_argument, 0, 'q'},
        {"verbose", no_argument, 0, 'v'},
        {"version", no_argument, 0, OPT_VERSION},
        {"tmp-mode", required_argument, 0, OPT_TMP_MODE},
        {"tmp-options", required_argument, 0, OPT_TMP_OPTIONS},
        {"no-proc", no_argument, 0, OPT_NO_PROC},
        {"on-timeout", required_argument, 0, OPT_ON_TIMEOUT},
        {"no-backtrace", no_argument, 0, OPT_NO_BACKTRACE},
        {"keep-on-fail", required_argument, 0, OPT_KEEP_ON_FAIL},
        {"enter", required_argument, 0, OPT_ENTER},
        {"max-procs", required_argument, 0, OPT_MAX_PROCS},
        {"memory", required_argument, 0, OPT_MEMORY},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    opterr = 0;
    for (;;) {
        int idx = 0, opt = getopt_long(argc, argv, "+:qvh", longs, &idx);
        if (opt == -1)
            break;
        char source[64];
        snprintf(source, sizeof(source), "--%s", longs[idx].name);
        switch (opt) {
        case 'q':
            c->verbosity = -1;
            break;
        case 'v':
            c->verbosity = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case OPT_VERSION:
            printf("testcage %s\n", TESTCAGE_VERSION);
            exit(0);
        case OPT_NO_PRIVATE_TMP:
            c->o.private_tmp = false;
            break;
        case OPT_REQUIRE:
            c->o.require_isolation = true;
            break;
        case OPT_KEEP_CAPS:
            c->o.keep_caps = true;
            break;
        case OPT_VALGRIND:
            c->valgrind = true;
            break;
        case OPT_NO_PROC:
            c->o.fresh_proc = false;
            break;
        case OPT_NO_BACKTRACE:
            c->o.timeout_backtrace = false;
            break;
        case OPT_ENTER:
            exit(tc_enter_cage(optarg, argv + optind));
        case ':':
            die_usage("option '%s' needs a value", argv[optind - 1]);
        case '?':
            die_usage("unknown option '%s'", argv[optind - 1]);
        default:
            apply(c, opt, optarg, source);
        }
    }
    if (optind >= argc)
        die_usage("%s", "no PROGRAM given");
    return optind;
}

/* wrapper words, valgrind, then PROGRAM and its arguments. */
static void build_argv(struct cli *c, int argc, char **argv, int first)
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

static int signal_fd(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    /* Any signal that would end testcage tears the cage down first. */
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
    for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
        sigaddset(&set, sigs[k]);
    sigprocmask(SIG_BLOCK, &set, old);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Runs the cage; returns the signal that interrupted testcage, or 0. */
static int run(struct cli *c, testcage_result *r)
{
    sigset_t old;
    int sfd = signal_fd(&old);
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

static void say_outcome(const struct cli *c, const testcage_result *r)
{
    const char *prog = c->argv[0];
    if (r->message && (r->status == TESTCAGE_SETUP_ERROR || r->exec_errno || c->verbosity >= 0))
        fprintf(stderr, PREFIX "%s\n", r->message);
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
    struct cli c = {0};
    testcage_opts_init(&c.o);
    apply_env(&c);
    int first = parse_args(&c, argc, argv);
    c.keep[c.nkeep] = NULL;
    c.o.keep = c.keep;
    build_argv(&c, argc, argv, first);
    c.o.name = argv[first];
    c.o.program = argv[first];

    testcage_result r;
    int sig = run(&c, &r);
    say_outcome(&c, &r);
    int rc = tc_exit_status(&r);
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
