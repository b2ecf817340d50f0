/* testcage_internal.h - what the runner side (cage.c) and the child side
 * (init.c, mounts.c, caps.c, leaks.c) of a cage share. */
#ifndef TESTCAGE_INTERNAL_H
#define TESTCAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <testcage/testcage.h>

#define TC_MAX_KEEP          16  /* paths bind-mounted back into /tmp or /dev/shm */
#define TC_MAX_LISTED        100 /* leaked objects listed per kind; the rest are counted */
#define TC_INIT_SETUP_FAILED 125

/* Everything the cage init needs, prepared by the runner before the clone
 * so that the child allocates as little as possible. The init and its
 * helpers read only the plan: opts is valid in the body alone (an init
 * sharing the runner's memory outlives the caller's opts). */
struct cage_plan {
    const testcage_opts *opts;
    enum testcage_leak_policy leaks;
    bool private_tmp, fresh_proc;
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
    uid_t uid;          /* the caller's, for the user namespace maps */
    gid_t gid;
    int result_w;               /* init -> runner records */
    int report_w;               /* body -> runner records */
    int capture_w;              /* body's stdout and stderr, or -1 */
    int runner_pidfd;           /* readable once the runner is gone */
    int keep_fd;                /* keep_on_fail directory, or -1 */
    int cgroup_fd[2];           /* cgroup.procs files the body joins, or -1 */
    unsigned long rlimit_nproc; /* rlimits the body sets when no cgroup: 0 = none */
    unsigned long long rlimit_as;
    const char *keep[TC_MAX_KEEP + 1]; /* NULL-terminated, into keep_store */
    /* Strings last: a plan is made and copied once per cage, and only the
     * bytes in use are touched (each page written costs a fault after the
     * next fork). */
    char hostname[256];
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

/* Run in the init (join the cgroups) and in the body (set rlimits). */
int tc_limits_join(const struct cage_plan *plan);
int tc_limits_apply_rlimits(const struct cage_plan *plan);

/* Did the OOM killer act in the cage's memory cgroup? */
bool tc_limits_oom_killed(const struct tc_limits *lim);

/* Removes the cage's cgroups once it is over. */
void tc_limits_release(struct tc_limits *lim);

/* Copies the cage's /tmp and /dev/shm into a new directory `name` below
 * dirfd (a host directory opened before the clone). Returns 0 or -1. */
int tc_keep_files(int dirfd, const char *name);

/* The init's answer to SIGUSR1: runs plan->debug_cmd and sends its output. */
void tc_debug_run(const struct cage_plan *plan, pid_t body);

/* Planning (plan.c): kept paths and tmpfs options; namespaces and which
 * capabilities the body drops; clone flags for a namespace set. */
void tc_plan_paths(struct cage_plan *plan, const testcage_opts *opts);
void tc_plan_namespaces(struct cage_plan *plan, const testcage_opts *opts);
unsigned long tc_clone_flags(unsigned ns);
void tc_plan_debug(struct cage_plan *plan, const testcage_opts *opts);
void tc_plan_policy(struct cage_plan *plan, const testcage_opts *opts);
/* An empty plan: fds -1, strings "", only the bytes that need it written. */
void tc_plan_init(struct cage_plan *plan, const testcage_opts *opts);
/* Copies a plan; the copy's kept paths point into its own storage. */
void tc_plan_copy(struct cage_plan *dst, const struct cage_plan *src);

/* The cage init, run in the child of the clone. Never returns. */
_Noreturn void tc_cage_init(const struct cage_plan *plan);

/* Closes, in a freshly cloned child, every fd the library holds for other
 * cages (they were copied by the clone and must not outlive it). Raw
 * system calls: the init runs it while the runner holds still. */
void tc_cages_close_inherited(void);

/* Private /, tmpfs on /tmp and /dev/shm with the kept paths bound back,
 * fresh /proc. Returns 0, or -errno with a description in what. */
int tc_mounts_setup(const struct cage_plan *plan, char *what, size_t whatlen);

/* Maps the caller's own uid/gid in a new user namespace (run by the init).
 * Like tc_mounts_setup, returns 0 or -errno and leaves errno alone. */
int tc_userns_map(uid_t uid, gid_t gid, char *what, size_t whatlen);

/* Brings up lo in a new network namespace: 0 or -errno. */
int tc_net_lo_up(void);

/* Drops capabilities from the body: the ones that could undo the cage, or
 * all of them. Returns 0 or -1 with errno. */
int tc_caps_drop(bool all);

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

/* The body's report fd (set in the body; -1 elsewhere). */
extern int tc_report_fd;

/* Result helpers shared by cage.c and the tests. */
char *tc_strdup_n(const char *s, size_t n);

#endif
