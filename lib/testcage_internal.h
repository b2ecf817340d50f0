/* testcage_internal.h - what the runner's side of a cage (cage.c, clone.c,
 * verdict.c, capture.c) and the cage's side (init.c, body.c, mounts.c, ...)
 * share. docs/architecture.md tells how the pieces fit. */
#ifndef TESTCAGE_INTERNAL_H
#define TESTCAGE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <testcage/testcage.h>

#define TC_MAX_KEEP          16  /* paths bind-mounted back into /tmp or /dev/shm */
#define TC_MAX_LISTED        100 /* leaked objects listed per kind; the rest are counted */
#define TC_INIT_SETUP_FAILED 125
/* The init's word to the body that the cage is made: go, or go and make
 * your nested user namespace's mount (UTS, net) namespaces first. */
#define TC_GO        'g'
#define TC_GO_NESTED 'n'

/* The runner steers the init with signals; the init takes them only from
 * the runner (see from_runner in init.c). */
#define TC_SIG_DEBUG       SIGUSR1 /* timeout: run the on-timeout command first */
#define TC_SIG_TERM        SIGTERM /* timeout or interrupt: forward SIGTERM */
#define TC_SIG_KILL_ALL    SIGQUIT /* grace is over: SIGKILL everyone, still report */
#define TC_SIG_ABANDON     SIGKILL /* the init itself hangs: end it, the kernel ends the rest */
#define TC_SIG_RUNNER_DIED SIGUSR2 /* fork-only: the init's parent-death signal */

/* Seconds. The runner waits for the on-timeout command a little longer
 * than the init lets it run, so the init's own limit is the one that acts. */
#define TC_DEBUG_LIMIT      10.0
#define TC_DEBUG_WAIT       (TC_DEBUG_LIMIT + 2.0)
#define TC_KILL_REPORT_WAIT 1.0 /* after TC_SIG_KILL_ALL, before TC_SIG_ABANDON */

/* Everything the cage init needs, prepared by the runner before the clone
 * so that the child allocates as little as possible. The init and its
 * helpers read only the plan: opts is valid in the body alone (an init
 * sharing the runner's memory outlives the caller's opts). */
struct cage_plan {
    const testcage_opts *opts;
    enum testcage_leak_policy leaks;
    bool private_tmp, fresh_proc;
    bool private_shm;  /* a tmpfs on /dev/shm too (false: the machine has none) */
    bool vm;           /* the init shares the runner's memory (CLONE_VM): it
                        * clones a process only while the runner holds still */
    int park_fd;       /* vm: the init's end of the hold-still channel, or -1 */
    int *tid_addr;     /* glibc's tid field for the body's thread, or NULL */
    void *robust_head; /* the robust-futex list the body registers again */
    size_t robust_len;
    unsigned ns;        /* namespaces actually requested from clone() */
    bool fork_only;     /* no namespace: private TMPDIR instead of a tmpfs */
    bool pidns;         /* own PID namespace: the init is pid 1 and kill(-1)
                         * means the cage; without it the init is a subreaper
                         * and finds the cage's processes as its descendants */
    bool drop_caps;     /* as root: drop the dangerous capabilities */
    bool drop_all_caps; /* in a user namespace: drop every capability */
    bool nest_user;     /* the body gets a user namespace nested in the cage
                         * (with its own mount, and UTS/net as asked): it may
                         * use its cage, the cage's mounts are locked */
    uid_t uid;          /* the caller's, for the user namespace maps */
    gid_t gid;
    int result_w;                /* init -> runner records */
    int report_w;                /* body -> runner records */
    int capture_w;               /* body's stdout and stderr, or -1 */
    int runner_pidfd;            /* readable once the runner is gone */
    int keep_fd;                 /* keep_on_fail directory, or -1 */
    int cgroup_fd[2];            /* cgroup.procs files the body joins, or -1 */
    volatile uint64_t *end_slot; /* function mode: where the body writes... */
    uint64_t end_token;          /* ... this once its function returned */
    unsigned long rlimit_nproc;  /* rlimits the body sets when no cgroup: 0 = none */
    unsigned long long rlimit_as;
    /* TESTCAGE_NS_TIME: the monotonic and boottime offsets, seconds. */
    long long clock_offset[2];
    /* TESTCAGE_NS_CGROUP in a mount namespace: the view the body mounts
     * (the runner's lookup, read in the body's copy), or NULL. */
    const struct tc_cgroup_view *cgroup_view;
    const char *keep[TC_MAX_KEEP + 1]; /* NULL-terminated, into keep_store */
    /* Strings last: a plan is made and copied once per cage, and only the
     * bytes in use are touched (each page written costs a fault after the
     * next fork). */
    char hostname[256];
    char nest_uid_map[192]; /* nest_user: the body's uid_map and gid_map, */
    char nest_gid_map[192]; /* every id the cage has, mapped to itself */
    char tmp_options[256];
    char keep_name[128];  /* keep_on_fail: the case's new subdirectory */
    char debug_cmd[1024]; /* run at the timeout, or "" */
    char cwd[4096];
    char tmpdir[4096]; /* fork-only: the private TMPDIR the runner made */
    char keep_store[TC_MAX_KEEP][1024];
};

/* Where a cage's limits live: cgroups made for it (removed afterwards). */
struct tc_limits {
    char dir[2][512]; /* "" when unused */
    const char *via;
};

/* Makes the cgroups for opts' limits, or plans rlimits. Returns 0, or -1
 * with errno when a limit was asked for and nothing could enforce it. */
int tc_limits_prepare(struct cage_plan *plan, const testcage_opts *opts, struct tc_limits *lim);

/* Run in the body before the test: join the cgroups, or set rlimits. */
int tc_limits_join(const struct cage_plan *plan);
int tc_limits_apply_rlimits(const struct cage_plan *plan);

/* Did the OOM killer act in the cage's memory cgroup? */
bool tc_limits_oom_killed(const struct tc_limits *lim);

/* Removes the cage's cgroups once it is over. */
void tc_limits_release(struct tc_limits *lim);

/* Copies the cage's /tmp and /dev/shm into a new directory `name` below
 * dirfd (a host directory opened before the clone). Returns 0 or -1. */
int tc_keep_files(int dirfd, const char *name);

/* The init's cheap look after the body (leftovers.c): marks what the
 * cage's tmpfs hold once its world is made, then tells whether anything is
 * left (a process, a file, an IPC object) that needs the report helper. */
struct tc_leftovers {
    long tmp_inodes, shm_inodes; /* inodes in use at the mark; -1: walk instead */
};
void tc_leftovers_mark(const struct cage_plan *plan, struct tc_leftovers *l);
bool tc_leftovers_found(const struct cage_plan *plan, const struct tc_leftovers *l);

/* The init's answer to SIGUSR1: runs plan->debug_cmd and sends its output. */
void tc_debug_run(const struct cage_plan *plan, pid_t body);

/* The isolation this process gets, decided once (isolation.c): by the
 * first cage that finds out, or a probe (--require-isolation). After a drop
 * every cage is fork only; the notice and refusal say why in words. */
enum tc_step { TC_STEP_CLONE, TC_STEP_WORLD /* id maps or mounts, in the init */ };
void tc_shape_drop(enum tc_step step, int err, unsigned ns, const char *what);
bool tc_shape_fork_only(void);
const char *tc_shape_notice(void);
const char *tc_shape_refusal(void);
/* Does this machine have a /dev/shm to cover (asked once)? */
bool tc_shape_has_shm(void);
/* Did clone refuse the namespaces themselves (not our resources)? */
bool tc_namespaces_refused(int err);

/* Fork only: makes the private TMPDIR (tmpdir.c) below $TMPDIR or /tmp,
 * else /var/tmp, else the working directory, named after this process so
 * that a later run removes it if we die before we can. Returns 0, or -1
 * with errno and out "" when none can be made. */
int tc_tmpdir_make(char *out, size_t len);
/* A case's TMPDIR that the init left empty becomes the process's spare
 * (false: one is held already, remove this one), taken by the next
 * tc_tmpdir_make. A runner's inits remove the spare when the runner dies. */
bool tc_tmpdir_give(const char *path);
/* In a helper of a dead runner's init: removes every TMPDIR of that runner
 * beside this case's (its spare among them). */
void tc_tmpdir_sweep_runner(const char *tmpdir, pid_t runner);

/* Planning (plan.c): the whole plan from opts, in the runner's working
 * directory: namespaces, what the body drops, kept paths, tmpfs options,
 * the on-timeout command. Fds are left -1 for the caller to fill. */
void tc_plan_make(struct cage_plan *plan, const testcage_opts *opts);
/* Clone flags for a set of TESTCAGE_NS_* bits. */
unsigned long tc_clone_flags(unsigned ns);
/* Copies a plan; the copy's kept paths point into its own storage. */
void tc_plan_copy(struct cage_plan *dst, const struct cage_plan *src);

/* The runner's fds for its cages (fdset.c). Every one is recorded, so a
 * new cage init can close its copies: track returns fd (or -1 and closes
 * it when it cannot be recorded); close forgets, closes and sets -1. */
int tc_fds_track(int fd);
void tc_fds_close(int *fd);
/* Raw system calls: the init runs it while the runner holds still. */
void tc_fds_close_inherited(void);

/* Cloning the init (clone.c, the runner's side). A cage's clone state: the
 * vm init's stack and the runner's end of the park socketpair. */
struct tc_clone {
    char *stack; /* NULL, or taken from the pool for this cage */
    int park_fd; /* -1 unless a vm init was cloned */
};
/* Clones the init with the namespace flags; with CLONE_VM where it may
 * (see tc_clone_vm_usable), then holding still until the body is cloned.
 * Returns the pid, or -1 with errno. */
pid_t tc_clone_init(struct tc_clone *cl, struct cage_plan *plan, unsigned long flags);
/* May the init share our memory? Not under valgrind or a sanitizer. */
bool tc_clone_vm_usable(void);
/* The init asked to clone: hold still (block in a read) until it is done. */
void tc_clone_hold_still(const struct tc_clone *cl);
/* Closes the park fd; the stack goes back to the pool once no init can
 * run on it any more (reaped, or never cloned). */
void tc_clone_release(struct tc_clone *cl, bool init_gone);

/* The cage init, run in the child of the clone. Never returns. */
_Noreturn void tc_cage_init(const struct cage_plan *plan);

/* The test body's side of a cage (body.c): waits for the init's "go" on
 * go_fd, enters the cage's limits and privileges, runs the test. */
_Noreturn void tc_body_run(const struct cage_plan *plan, int go_fd);

/* Private /, tmpfs on /tmp and /dev/shm with the kept paths bound back,
 * fresh /proc. Returns 0, or -errno with a description in what. */
int tc_mounts_setup(const struct cage_plan *plan, char *what, size_t whatlen);

/* The steps of a cage's world that a refusal of permission can stop: the
 * user namespace's id maps, then the mounts (the init, and the probe in
 * isolation.c, run it). Returns 0 or -errno with a description in what. */
int tc_world_maps_mounts(const struct cage_plan *plan, char *what, size_t whatlen);

/* Maps the caller's own uid/gid in a new user namespace (run by the init).
 * Like tc_mounts_setup, returns 0 or -errno and leaves errno alone. */
int tc_userns_map(uid_t uid, gid_t gid, char *what, size_t whatlen);

/* Maps the body's nested user namespace (plan->nest_user): every id the
 * cage has, to itself. Run by the init once /proc is the cage's. */
int tc_userns_map_body(long pid, const struct cage_plan *p, char *what, size_t whatlen);

/* Writes text to a /proc file with raw system calls: 0 or -errno. */
long tc_raw_write_file(const char *path, const char *text);

/* Makes the time namespace the init's next children enter, with the
 * plan's clock offsets (raw system calls). 0, or -errno with what. */
int tc_timens_make(const struct cage_plan *p, char *what, size_t whatlen);

/* The cgroup hierarchies mounted below /sys/fs/cgroup, as the caller sees
 * them: looked up once per process (cgroupns.c). NULL when there are none. */
struct tc_cgroup_view;
const struct tc_cgroup_view *tc_cgroup_view_plan(void);
/* In the body (libc): a cgroup namespace rooted at the caller's cgroup,
 * and (view not NULL) its view mounted on /sys/fs/cgroup in the caller's
 * mount namespace. 0, or -1 with errno and what. */
int tc_cgroup_enter(const struct tc_cgroup_view *view, char *what, size_t whatlen);

/* Brings up lo in a new network namespace: 0 or -errno. */
int tc_net_lo_up(void);

/* A mount namespace of the caller's own with a fresh /proc: for helpers
 * that must see the cage's processes when the cage kept the host's /proc.
 * Returns 0 or -errno. */
int tc_private_proc(void);

/* Drops capabilities from the body: the ones that could undo the cage, or
 * all of them. Returns 0 or -1 with errno. */
int tc_caps_drop(bool all);

/* In the body's nested user namespace, as a uid other than 0: make the
 * capabilities it holds there ambient, so that a program it executes keeps
 * them as root's would. Returns 0 or -1 with errno. */
int tc_caps_keep_across_exec(void);

/* Is the caller privileged enough to create namespaces without a user one? */
bool tc_caps_privileged(void);

/* Pids of every process below `root` (root 1, seen from inside a PID
 * namespace: every process but pid 1), the caller excluded, at most max of
 * them; returns how many there are in all, or -1. */
long tc_leaks_list_pids(pid_t root, pid_t *out, size_t max);

/* Sends the leak records for the processes, for files below each of dirs
 * (NULL-terminated), and (in an IPC namespace of the cage's own) for SysV
 * IPC objects, plus a WIRE_OMITTED record when lists were capped. Returns
 * how many leaks there were in all, or -1. */
long tc_leaks_report(int fd, pid_t root, bool ipcns, const char *const *dirs);

/* Kills every process below root for good, the caller excepted: stop all,
 * then kill them. */
void tc_leaks_kill_all(pid_t root);

/* Removes a directory tree (the fork-only mode's private TMPDIR). */
int tc_remove_tree(const char *dir);

/* The body's report fd (report.c; set in the body, -1 elsewhere). */
extern int tc_report_fd;

/* Replaces r->message with the formatted text (result.c). */
void tc_result_message(testcage_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The verdict (verdict.c): records in, a testcage_result out. Pure: no
 * fds, no signals, so it is unit-tested without a cage. */
struct wire_rec;
struct tc_verdict {
    testcage_result res;
    bool got_status; /* the init sent the body's wait status */
    bool fn_mode;    /* a function body, which must prove its function returned */
    bool case_ended; /* ... and did (see case_end.c) */
    enum testcage_leak_policy leaks;
    const char *keep_parent; /* keep_on_fail directory, for res.kept_dir */
};
/* What an init record asks the runner to do besides recording it. */
enum tc_verdict_ask { TC_ASK_NOTHING, TC_ASK_HOLD, TC_ASK_DEBUG_DONE };
void tc_verdict_init(struct tc_verdict *v, enum testcage_leak_policy leaks);
enum tc_verdict_ask tc_verdict_init_record(struct tc_verdict *v, const struct wire_rec *w);
/* The body speaks only for itself: failures, a skip reason, exec errors. */
void tc_verdict_body_record(struct tc_verdict *v, const struct wire_rec *w);
/* The status, once the init is reaped (init_code: its exit code). */
void tc_verdict_classify(struct tc_verdict *v, int init_code);

/* Coverage (coverage.c): the binary's gcov runtime, looked up once in the
 * runner before the first clone; a body resets its counters at its start. */
void tc_coverage_lookup(void);
void tc_coverage_reset(void);

/* End of a function body (case_end.c): the runner takes a slot and a token
 * per cage; the body writes the token once its function returned; the
 * runner reads it when the cage is over, then gives the slot back. NULL:
 * no slot left, the cage goes unchecked. */
volatile uint64_t *tc_case_end_take(uint64_t *token);
bool tc_case_end_seen(volatile uint64_t *slot, uint64_t token);
void tc_case_end_give(volatile uint64_t *slot);

/* Captured output, bounded: the head and a ring of the tail (capture.c). */
struct tc_capture {
    char *head, *tail;
    size_t head_len, head_cap, tail_cap, tail_pos, total;
};
int tc_capture_init(struct tc_capture *cp, size_t limit);
void tc_capture_add(struct tc_capture *cp, const char *buf, size_t n);
/* Moves what was kept into r->output (with a note on what was dropped). */
void tc_capture_finish(struct tc_capture *cp, testcage_result *r);
void tc_capture_free(struct tc_capture *cp);

#endif
