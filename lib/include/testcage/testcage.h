/* testcage.h - run a function or a program in a disposable Linux namespace cage.
 *
 * A cage is a fresh PID, mount and IPC namespace (optionally UTS, net, user)
 * with a private tmpfs on /tmp and /dev/shm and a fresh /proc. Its init
 * (pid 1) forks the test body (pid 2), reaps orphans, and when the body
 * exits reports the body's wait status plus everything left behind:
 * processes, files in /tmp and /dev/shm, SysV IPC objects. A wall-clock
 * limit is enforced term-then-kill. The library never prints; callers
 * report the result as they see fit.
 *
 * Two ways to run a cage:
 *   - blocking:  testcage_run(&opts, &result);
 *   - event loop: testcage_start() gives a cage whose testcage_cage_fd()
 *     becomes readable whenever testcage_cage_dispatch() has work; when
 *     dispatch returns 1 the cage is over and testcage_cage_finish() hands
 *     over the result. Many cages can run at once from one thread.
 *
 * The library is single-threaded by design: a cage is a copy-on-write
 * fork of the caller, so no lock may be held across testcage_start().
 * How it works inside: docs/architecture.md.
 */
#ifndef TESTCAGE_TESTCAGE_H
#define TESTCAGE_TESTCAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <testcage/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the public API: the libraries are built with hidden visibility and
 * export only what carries this, so a test's own function named like one of
 * ours (wire_encode, tc_now) never binds to the library's internals. */
#if defined(__GNUC__) || defined(__clang__)
#define TESTCAGE_API __attribute__((visibility("default")))
#else
#define TESTCAGE_API
#endif

/* Namespaces a cage may be given. 0 means "fork only": no namespace, the
 * body runs in its own process group under a child-subreaper init with a
 * private TMPDIR (the same as the automatic fallback). */
enum testcage_ns {
    TESTCAGE_NS_PID = 1u << 0,
    TESTCAGE_NS_MOUNT = 1u << 1,
    TESTCAGE_NS_IPC = 1u << 2,
    TESTCAGE_NS_UTS = 1u << 3,
    TESTCAGE_NS_NET = 1u << 4,  /* loopback is brought up */
    TESTCAGE_NS_USER = 1u << 5, /* maps the caller's own uid/gid */
    /* The body's own cgroup namespace, rooted at its cgroup (the cage's
     * with max_procs/memory_max, else the caller's); with a mount
     * namespace its view is mounted on /sys/fs/cgroup. */
    TESTCAGE_NS_CGROUP = 1u << 6,
    /* A time namespace: the body sees CLOCK_MONOTONIC and CLOCK_BOOTTIME
     * shifted by monotonic_offset and boottime_offset (Linux 5.6). */
    TESTCAGE_NS_TIME = 1u << 7,
};
#define TESTCAGE_NS_DEFAULT (TESTCAGE_NS_PID | TESTCAGE_NS_MOUNT | TESTCAGE_NS_IPC)

/* What to do with leftovers. The leaks are always listed in the result;
 * under FAIL a passing case becomes TESTCAGE_FAIL with leak_failed set. */
enum testcage_leak_policy {
    TESTCAGE_LEAKS_WARN = 0,
    TESTCAGE_LEAKS_FAIL,
    TESTCAGE_LEAKS_IGNORE,
};

/* The body of a function-mode cage. Its return value is the exit status. */
typedef int (*testcage_fn)(void *arg);

typedef struct testcage_opts {
    unsigned namespaces;     /* TESTCAGE_NS_* bits; default TESTCAGE_NS_DEFAULT */
    bool auto_user;          /* add a user namespace when not privileged (default true) */
    bool private_tmp;        /* tmpfs on /tmp and /dev/shm (default true) */
    const char *tmp_size;    /* tmpfs size= value ("64m", "10%"); NULL: kernel default */
    const char *tmp_mode;    /* tmpfs mode= value; NULL: "1777" */
    const char *tmp_options; /* raw tmpfs options; overrides tmp_size and tmp_mode */
    bool fresh_proc;         /* mount a new /proc in the PID namespace (default true) */
    double timeout;          /* seconds, 0 = no limit (default 60) */
    double grace;            /* SIGTERM -> SIGKILL delay in seconds (default 2) */
    enum testcage_leak_policy leaks;
    bool keep_caps;          /* as root: let the body keep every capability */
    bool require_isolation;  /* never fall back to fork only: setup error instead */
    const char *const *keep; /* NULL-terminated paths bind-mounted back into /tmp */
    const char *hostname;    /* with TESTCAGE_NS_UTS; NULL: "testcage" */
    const char *const *argv; /* exec mode: program and arguments (PATH is searched) */
    const char *program;     /* the program argv really runs when argv[0] is a wrapper
                              * (valgrind, strace): its tree under /tmp stays reachable */
    testcage_fn fn;          /* function mode (used when argv is NULL) */
    void *fn_arg;
    bool capture_output;  /* body's stdout+stderr into result->output, bounded */
    size_t capture_limit; /* bytes kept (head and tail); default 64 KiB */
    const char *name;     /* the case's name, for --keep-on-fail directories */
    /* At the timeout, before SIGTERM, run this shell command inside the cage
     * ("%p" becomes the body's pid as seen there); its output goes to
     * result->debug_output. NULL: a gdb backtrace of every thread when
     * timeout_backtrace is set and gdb is installed. */
    const char *on_timeout;
    bool timeout_backtrace; /* default true */
    /* When the case fails, copy what it left in /tmp and /dev/shm to a new
     * directory below this host directory (result->kept_dir). */
    const char *keep_on_fail;
    /* Resource limits for the whole cage (0 = none): through a cgroup when
     * one can be made (v2 where delegated, else v1 as root), else rlimits
     * on the body (RLIMIT_NPROC, RLIMIT_AS). result->limits_via says which. */
    unsigned max_procs;
    uint64_t memory_max; /* bytes */
    /* Seconds added to CLOCK_MONOTONIC and CLOCK_BOOTTIME in the body
     * (negative where the clock stays >= 0). Either non-zero adds
     * TESTCAGE_NS_TIME to a cage with namespaces. CLOCK_REALTIME is not
     * namespaced; the timeout runs on the caller's own clock. */
    int64_t monotonic_offset, boottime_offset;
} testcage_opts;

/* Fills *opts with the defaults documented above. */
TESTCAGE_API void testcage_opts_init(testcage_opts *opts);

enum testcage_status {
    TESTCAGE_PASS = 0,
    TESTCAGE_FAIL,        /* non-zero exit, failure record, or leaks under FAIL */
    TESTCAGE_SKIP,        /* exit status 77 */
    TESTCAGE_TIMEOUT,     /* the limit was reached */
    TESTCAGE_CRASH,       /* killed by a signal it did not ask for */
    TESTCAGE_SETUP_ERROR, /* the cage could not be set up; the test never ran */
};

typedef struct testcage_leaked_proc {
    pid_t pid; /* as seen inside the cage */
    char *comm;
    char *cmdline; /* arguments joined by spaces */
} testcage_leaked_proc;

typedef struct testcage_leaked_file {
    char *path; /* as seen inside the cage, e.g. "/tmp/x" */
    uint64_t size;
    bool is_dir; /* an empty directory */
} testcage_leaked_file;

enum testcage_ipc_kind { TESTCAGE_IPC_SHM, TESTCAGE_IPC_SEM, TESTCAGE_IPC_MSG };

typedef struct testcage_leaked_ipc {
    enum testcage_ipc_kind kind;
    int32_t key;
    int32_t id;
} testcage_leaked_ipc;

typedef struct testcage_failure {
    char *file; /* may be NULL */
    int line;
    char *message;
} testcage_failure;

typedef struct testcage_result {
    enum testcage_status status;
    int exit_code;    /* when the body exited, else -1 */
    int signal;       /* when the body was killed by a signal, else 0 */
    double duration;  /* seconds, start to cage teardown */
    bool timed_out;   /* the limit was reached and SIGTERM sent */
    bool killed;      /* ... and SIGKILL was needed after the grace period */
    bool interrupted; /* testcage_cage_terminate() ended it */
    bool isolated;    /* false when it ran fork only (fallback or namespaces = 0) */
    bool leak_failed; /* leaks turned a pass into a failure */
    int exec_errno;   /* exec mode: the program could not be executed (errno), else 0 */
    char *message;    /* setup error, fallback notice or exec error; may be NULL */
    pid_t init_pid;   /* host pid of the cage init */

    testcage_leaked_proc *procs;
    size_t nprocs, procs_omitted;
    testcage_leaked_file *files;
    size_t nfiles, files_omitted;
    testcage_leaked_ipc *ipcs;
    size_t nipcs, ipcs_omitted;

    testcage_failure *failures; /* records sent by the test itself */
    size_t nfailures;
    char *skip_reason;
    bool report_corrupt; /* the test wrote garbage on its report channel */

    char *debug_output;     /* what on_timeout (or gdb) printed at the timeout */
    char *kept_dir;         /* keep_on_fail: where the failing case's files went */
    const char *limits_via; /* "cgroup v2", "cgroup v1", "rlimits" or NULL (static) */

    char *output; /* captured stdout+stderr (capture_output), NUL-terminated */
    size_t output_len;
    size_t output_dropped; /* bytes left out of the middle */

    unsigned namespaces; /* TESTCAGE_NS_* the cage really got (0: fork only) */
} testcage_result;

/* Total number of leaked objects, omitted ones included. */
TESTCAGE_API size_t testcage_result_leaks(const testcage_result *result);

/* Releases everything the result owns and zeroes it. */
TESTCAGE_API void testcage_result_free(testcage_result *result);

/* Runs one cage to completion. Returns 0, or -1 with errno when the
 * caller's own resources failed (out of memory); every cage problem is
 * reported in result->status instead. */
TESTCAGE_API int testcage_run(const testcage_opts *opts, testcage_result *result);

/* Event-loop interface. */
typedef struct testcage_cage testcage_cage;

/* Starts a cage. Returns 0 with *out set (also when setup failed: the
 * result will say so), or -1 with errno when no cage object could be made.
 * opts itself may go once this returns, but what it points to (argv, keep,
 * the strings, fn_arg) must stay valid until testcage_cage_finish(): a
 * cage whose init finds a step of its world refused (EPERM/EACCES on the
 * id maps or mounts; the test has not run yet) is started again fork only. */
TESTCAGE_API int testcage_start(const testcage_opts *opts, testcage_cage **out);

/* An fd to poll for POLLIN; call testcage_cage_dispatch() when it fires. */
TESTCAGE_API int testcage_cage_fd(const testcage_cage *cage);

/* Does the work that is pending: reads records and output, moves the
 * timeout on, reaps the init. It may wait briefly: while the cage's init
 * clones a process (it asked the runner to hold still), and, where pidfds
 * are missing (valgrind), to reap an init whose result pipe closed.
 * Returns 1 once the cage is over, 0 while it runs. */
TESTCAGE_API int testcage_cage_dispatch(testcage_cage *cage);

/* Begins term-then-kill now (e.g. the runner got SIGINT). */
TESTCAGE_API void testcage_cage_terminate(testcage_cage *cage);

/* Host pid of the cage init, for `testcage --enter`. */
TESTCAGE_API pid_t testcage_cage_pid(const testcage_cage *cage);

/* Moves the result out and frees the cage. Call after dispatch returned 1;
 * if called earlier the cage is killed first. */
TESTCAGE_API void testcage_cage_finish(testcage_cage *cage, testcage_result *out);

/* Cages the calling process itself, for the rest of its life: unshares the
 * mount, IPC and (as asked) UTS, net and user namespaces in place, makes /
 * private and mounts the private /tmp and /dev/shm (with the kept paths),
 * and unshares the PID namespace so that the caller's NEXT child becomes
 * pid 1 of a new PID namespace. Applies to the caller: mounts, IPC, UTS,
 * net, user. Applies only to children: the PID namespace (and a fresh
 * /proc, which that first child may mount itself). When that first child
 * exits the PID namespace is over and later fork()s fail with ENOMEM.
 * TESTCAGE_NS_CGROUP applies to the caller (its cgroup becomes its root;
 * the view is mounted on /sys/fs/cgroup); TESTCAGE_NS_TIME (implied by
 * the clock offsets) only to children, like the PID namespace.
 * No timeout, leak report or capability drop: those need a runner.
 * Returns 0 or -1 with errno. */
TESTCAGE_API int testcage_enter(const testcage_opts *opts);

/* The isolation cages get in this process. Decided once per process: by
 * the first cage that finds a step refused (its case then runs fork only,
 * still once, and its result's message starts with the notice), or by
 * testcage_isolation_check's probe, whichever comes first; from then on
 * every cage is fork only. notice and refusal are one line each, without a
 * prefix: what is missing, why in words a user can act on, how to get full
 * isolation. Both are NULL when the cage is isolated as asked (as far as
 * is known) or opts asks for no namespace (fork only on purpose). The
 * strings are static. */
typedef struct testcage_isolation {
    bool isolated;       /* namespaces as asked (false: fork only) */
    bool private_shm;    /* a private /dev/shm (false: none here, or none asked) */
    const char *notice;  /* "...; running without namespaces; ..." or NULL */
    const char *refusal; /* the same cause, for require_isolation; or NULL */
} testcage_isolation;
/* Knows for sure: the first call with namespaces probes (a child cloned
 * with opts' namespaces that makes the id maps and mounts a cage makes,
 * about 0.3 ms), so a refusal is known before anything runs. For
 * require_isolation, where nothing may run on a refusal. */
TESTCAGE_API void testcage_isolation_check(const testcage_opts *opts, testcage_isolation *out);
/* What is known so far, without a probe: isolated until a cage (or a
 * probe) found out otherwise. The front ends call this at the start and
 * say a notice that arrives later with the first case's result. */
TESTCAGE_API void testcage_isolation_known(const testcage_opts *opts, testcage_isolation *out);

/* Is this process caged? True in the body of a cage and in programs it
 * executes (they see TESTCAGE_IN_CAGE=1 and TESTCAGE_REPORT_FD). */
TESTCAGE_API bool testcage_in_cage(void);

/* Reports a failure from inside the body (file may be NULL). It does not
 * end the test; exit non-zero as well. Outside a cage it prints to stderr. */
TESTCAGE_API void testcage_report_failure(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records why the test skips and exits with status 77. */
TESTCAGE_API _Noreturn void testcage_report_skip(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* For a runner that runs test bodies in its own process (the linked runner's
 * --no-cage): while a hook is set, failure and skip records go to it instead
 * of the report channel. On a skip the hook may longjmp back to the runner;
 * if it returns, the skip exits 77 as it always does. NULL unsets it. */
enum testcage_record_kind { TESTCAGE_RECORD_FAILURE, TESTCAGE_RECORD_SKIP };
typedef void (*testcage_record_fn)(void *ctx, enum testcage_record_kind kind, const char *file,
                                   int line, const char *message);
TESTCAGE_API void testcage_set_record_hook(testcage_record_fn fn, void *ctx);

/* Short names for a status and an IPC object kind, for reporters. */
TESTCAGE_API const char *testcage_status_name(enum testcage_status status);
TESTCAGE_API const char *testcage_ipc_kind_name(enum testcage_ipc_kind kind);

#ifdef __cplusplus
}
#endif
#endif
