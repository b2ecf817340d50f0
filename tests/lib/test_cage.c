/* test_cage.c - libtestcage end to end as root: function-mode and exec-mode
 * cages, verdicts, leak reports, timeouts, output capture, the event loop,
 * and that the host is left clean and the runner leaks no fd or memory. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include <testcage/testcage.h>

/* ---- helpers ---- */

static char marker[16];  /* unique comm for processes the bodies leak */
static char tmpname[64]; /* unique file name for /tmp and /dev/shm litter */

static void opts_for(testcage_opts *o, testcage_fn fn, void *arg)
{
    testcage_opts_init(o);
    o->fn = fn;
    o->fn_arg = arg;
    o->timeout = 20;
    o->timeout_backtrace = false; /* gdb at a timeout is not what these tests test */
}

static void run(const testcage_opts *o, testcage_result *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(testcage_run(o, r), 0);
}

/* Prints what a result says, so a failed assertion is easy to read. */
static void explain(const testcage_result *r)
{
    fprintf(stderr, "  status=%s exit=%d signal=%d timed_out=%d killed=%d msg=%s\n",
            testcage_status_name(r->status), r->exit_code, r->signal, r->timed_out, r->killed,
            r->message ? r->message : "-");
}

#define assert_status(r, st)                                                                       \
    do {                                                                                           \
        if ((r)->status != (st))                                                                   \
            explain(r);                                                                            \
        assert_int_equal((r)->status, (st));                                                       \
    } while (0)

/* A zombie is dead already (its reaper may just not have run yet). */
static bool is_zombie(const char *pid)
{
    char path[300], buf[512] = "";
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true; /* gone */
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *end = strrchr(buf, ')');
    return !end || end[1] == 0 || end[2] == 'Z' || end[2] == 'X';
}

/* Live host processes whose comm is the marker. */
static int count_marked(void)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], comm[64] = "";
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof(comm), f)) {
            comm[strcspn(comm, "\n")] = 0;
            n += strcmp(comm, marker) == 0 && !is_zombie(e->d_name);
        }
        fclose(f);
    }
    closedir(d);
    return n;
}

/* Forks a child that names itself with the marker and waits forever; returns
 * once the name is set. */
static int leak_child(void)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_NAME, marker);
        if (write(p[1], "x", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char c;
    close(p[1]);
    return read(p[0], &c, 1) == 1 ? 0 : -1;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static bool host_has(const char *dir)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, tmpname);
    return access(path, F_OK) == 0;
}

static int setup(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        fprintf(stderr, "test_cage needs root (CI runs as root): failing, not skipping\n");
        return -1;
    }
    snprintf(marker, sizeof(marker), "tcl%x", (unsigned)getpid());
    snprintf(tmpname, sizeof(tmpname), "testcage-libtest-%d", (int)getpid());
    return 0;
}

/* ---- bodies ---- */

static int body_pid(void *arg)
{
    (void)arg;
    if (getpid() != 2)
        return 10;
    if (kill(1, 0) != 0)
        return 11;
    char comm[64] = "";
    FILE *f = fopen("/proc/1/comm", "r"); /* the fresh /proc shows the cage's init */
    if (!f || !fgets(comm, sizeof(comm), f))
        return 12;
    fclose(f);
    return getppid() == 1 ? 0 : 13;
}

static int body_abort(void *arg)
{
    (void)arg;
    abort();
}

static int body_sigterm(void *arg)
{
    (void)arg;
    raise(SIGTERM);
    return 0;
}

static int body_exit(void *arg)
{
    return (int)(intptr_t)arg;
}

static int body_skip(void *arg)
{
    (void)arg;
    testcage_report_skip("why %d", 42);
}

static int body_failure_returns_0(void *arg)
{
    (void)arg;
    testcage_report_failure("some_file.c", 123, "expected %d, got %d", 1, 2);
    testcage_report_failure(NULL, 0, "second");
    return 0;
}

/* 0 when umount /tmp gave EPERM; 1 when it worked; 2 otherwise. */
/* The cage's /tmp is locked in the body's copy of the mount table (EINVAL),
 * or out of reach for want of privilege (EPERM). */
static int body_umount(void *arg)
{
    (void)arg;
    if (umount2("/tmp", MNT_DETACH) == 0)
        return 1;
    return errno == EINVAL || errno == EPERM ? 0 : 2;
}

/* As root the body may use its cage: a tmpfs of its own, mounted and
 * unmounted below /tmp, and the hostname of its UTS namespace. */
static int body_uses_cage(void *arg)
{
    (void)arg;
    if (mkdir("/tmp/mnt", 0700) < 0 || mount("none", "/tmp/mnt", "tmpfs", 0, NULL) < 0)
        return 3;
    if (umount2("/tmp/mnt", 0) < 0 || rmdir("/tmp/mnt") < 0)
        return 4;
    return sethostname("inside", 6) == 0 ? 0 : 5;
}

static int write_file(const char *dir, size_t size)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, tmpname);
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    for (size_t k = 0; k < size; k++)
        fputc('z', f);
    return fclose(f) == 0 ? 0 : 1;
}

static int body_litter(void *arg)
{
    return write_file((const char *)arg, 5);
}

static int body_leak_child(void *arg)
{
    (void)arg;
    return leak_child() == 0 ? 0 : 1;
}

#define SHM_KEY 0x7e57ca9e

static int body_shm(void *arg)
{
    (void)arg;
    return shmget(SHM_KEY, 4096, IPC_CREAT | 0600) >= 0 ? 0 : 1;
}

/* One SysV object of the kind arg names, alone: each kind is looked for. */
static int body_one_ipc(void *arg)
{
    int kind = *(const int *)arg;
    if (kind == TESTCAGE_IPC_SEM)
        return semget(SHM_KEY + 1, 1, IPC_CREAT | 0600) >= 0 ? 0 : 1;
    if (kind == TESTCAGE_IPC_MSG)
        return msgget(SHM_KEY + 2, IPC_CREAT | 0600) >= 0 ? 0 : 1;
    return body_shm(NULL);
}

/* An empty directory in /tmp is left; a file made and removed is not. */
static int body_dir_and_removed_file(void *arg)
{
    (void)arg;
    char path[128];
    snprintf(path, sizeof(path), "/tmp/%s.d", tmpname);
    if (mkdir(path, 0700) < 0 || write_file("/tmp", 3) != 0)
        return 1;
    snprintf(path, sizeof(path), "/tmp/%s", tmpname);
    return unlink(path) == 0 ? 0 : 1;
}

static int body_sleep(void *arg)
{
    (void)arg;
    for (int k = 0; k < 100; k++)
        sleep(10);
    return 0;
}

static int body_ignore_term(void *arg)
{
    (void)arg;
    signal(SIGTERM, SIG_IGN);
    for (int k = 0; k < 1000; k++)
        pause();
    return 0;
}

static int body_output(void *arg)
{
    (void)arg;
    printf("to-stdout\n");
    fflush(stdout);
    fprintf(stderr, "to-stderr\n");
    return 0;
}

#define BIG_OUTPUT (1024 * 1024)

static int body_big_output(void *arg)
{
    (void)arg;
    static char line[64];
    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\n';
    if (write(1, "HEAD-MARK\n", 10) != 10)
        return 1;
    for (size_t n = 0; n < BIG_OUTPUT; n += sizeof(line))
        if (write(n % 2 ? 2 : 1, line, sizeof(line)) != (ssize_t)sizeof(line))
            return 1;
    return write(2, "TAIL-MARK\n", 10) == 10 ? 0 : 1;
}

static int body_garbage(void *arg)
{
    (void)arg;
    const char *env = getenv("TESTCAGE_REPORT_FD");
    if (!env)
        return 50;
    int fd = atoi(env);
    /* A forged STATUS frame "exited 0", then raw garbage. */
    const unsigned char forged[] = {1, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (write(fd, forged, sizeof(forged)) < 0)
        return 51;
    char junk[256];
    for (size_t k = 0; k < sizeof(junk); k++)
        junk[k] = (char)(k * 37 + 11);
    if (write(fd, junk, sizeof(junk)) < 0)
        return 52;
    return 3;
}

static int body_forge_only(void *arg)
{
    (void)arg;
    int fd = atoi(getenv("TESTCAGE_REPORT_FD"));
    const unsigned char forged[] = {1, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (write(fd, forged, sizeof(forged)) < 0)
        return 51;
    return 1;
}

/* Fork-only: litter TMPDIR (print it) and leak a child. */
static int body_fork_only(void *arg)
{
    (void)arg;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || strncmp(tmp, "/tmp/", 5) != 0)
        return 60;
    printf("TMPDIR=%s\n", tmp);
    fflush(stdout);
    if (write_file(tmp, 3) != 0)
        return 61;
    return leak_child() == 0 ? 0 : 62;
}

/* What a fork-only case found as its TMPDIR, told through shared memory. */
struct tmpdir_seen {
    char path[256];
    bool fresh; /* an empty directory of ours, mode 0700 */
};

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    bool empty = d != NULL;
    while (d && empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    if (d)
        closedir(d);
    return empty;
}

/* arg: the shared record; what the case then does to its TMPDIR is in it:
 * 'k' keeps it clean, 'c' chmods it 0755, 'x' gives it an extended
 * attribute, 'f' leaves a file in it. */
static int body_tmpdir_seen(void *arg)
{
    struct tmpdir_seen *seen = arg;
    const char *tmp = getenv("TMPDIR");
    struct stat st;
    if (!tmp || lstat(tmp, &st) < 0)
        return 70;
    char what = seen->path[0];
    snprintf(seen->path, sizeof(seen->path), "%s", tmp);
    seen->fresh = S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700 && st.st_uid == geteuid() &&
                  dir_is_empty(tmp);
    if (what == 'c')
        return chmod(tmp, 0755) == 0 ? 0 : 71;
    if (what == 'x')
        return setxattr(tmp, "user.testcage", "1", 1, 0) == 0 ? 0 : 72;
    return what == 'f' ? write_file(tmp, 2) : 0;
}

static void run_tmpdir_case(struct tmpdir_seen *seen, char what, testcage_result *r)
{
    testcage_opts o;
    opts_for(&o, body_tmpdir_seen, seen);
    o.namespaces = 0;
    memset(seen, 0, sizeof(*seen));
    seen->path[0] = what;
    run(&o, r);
    assert_status(r, TESTCAGE_PASS);
    assert_true(seen->fresh);
}

/* An empty TMPDIR goes to the next fork-only case (no mkdir and rmdir per
 * case); one the case changed or left a file in does not, and the next
 * case still gets an empty 0700 directory of its own. */
static void test_fork_only_tmpdir_reused_only_fresh(void **state)
{
    (void)state;
    struct tmpdir_seen *seen =
        mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(seen != MAP_FAILED);
    testcage_result r;
    char seen_paths[4][256];
    const char steps[] = "kckxfk";
    /* The path each step must see: the one before it (a clean one came
     * back) or a new one (the one before was chmodded, given an extended
     * attribute or littered). */
    const bool same_as_before[] = {false, true, false, true, false, false};
    int made = 0;
    for (size_t k = 0; steps[k]; k++) {
        run_tmpdir_case(seen, steps[k], &r);
        if (k > 0 && same_as_before[k])
            assert_string_equal(seen->path, seen_paths[made - 1]);
        else if (k > 0)
            assert_string_not_equal(seen->path, seen_paths[made - 1]);
        if (k == 0 || !same_as_before[k])
            snprintf(seen_paths[made++], sizeof(seen_paths[0]), "%s", seen->path);
        assert_int_equal(r.nfiles, steps[k] == 'f' ? 1 : 0);
        testcage_result_free(&r);
    }
    for (int k = 0; k < made - 1; k++) /* all but the last one's are gone */
        assert_int_equal(access(seen_paths[k], F_OK), -1);
    munmap(seen, sizeof(*seen));
}

static int body_hostname(void *arg)
{
    char name[256] = "";
    if (gethostname(name, sizeof(name)) < 0)
        return 2;
    return strcmp(name, (const char *)arg) == 0 ? 0 : 1;
}

static int body_net(void *arg)
{
    (void)arg;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return 2;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return 3;
    close(s);
    if (!(ifr.ifr_flags & IFF_UP))
        return 4;
    struct if_nameindex *ifs = if_nameindex();
    if (!ifs)
        return 5;
    int n = 0;
    while (ifs[n].if_index)
        n++;
    if_freenameindex(ifs);
    return n == 1 ? 0 : 6; /* only lo in a fresh network namespace */
}

static int body_print_then_hang(void *arg)
{
    (void)arg;
    printf("said before the kill\n");
    fflush(stdout);
    signal(SIGTERM, SIG_IGN);
    for (int k = 0; k < 1000; k++)
        pause();
    return 0;
}

/* 0 when /tmp fills up with ENOSPC before 4 MiB were written. */
static int body_fill_tmp(void *arg)
{
    (void)arg;
    int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 2;
    static char block[65536];
    for (int k = 0; k < 64; k++)
        if (write(fd, block, sizeof(block)) < 0)
            return errno == ENOSPC ? 0 : 3;
    return 1;
}

/* The body is a raw clone of a copy of the runner: its libc must be as
 * whole as after fork(): the thread's tid (CPU clocks, PI mutexes), rseq
 * (sched_getcpu), threads. */
static void *take_pi(void *arg)
{
    return (void *)(intptr_t)pthread_mutex_lock(arg);
}

static int body_libc_state(void *arg)
{
    (void)arg;
    clockid_t cid;
    struct timespec ts;
    if (pthread_getcpuclockid(pthread_self(), &cid) != 0 || clock_gettime(cid, &ts) != 0)
        return 2;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    unsigned cpu = 0;
    if (sched_setaffinity(0, sizeof(one), &one) != 0 ||
        syscall(SYS_getcpu, &cpu, NULL, NULL) != 0 || sched_getcpu() != (int)cpu)
        return 3;
    pthread_mutexattr_t ma;
    pthread_mutex_t m;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
    if (pthread_mutex_init(&m, &ma) != 0 || pthread_mutex_lock(&m) != 0)
        return 4;
    pthread_t t;
    void *got = (void *)1;
    if (pthread_create(&t, NULL, take_pi, &m) != 0)
        return 5;
    usleep(50000); /* the thread waits in the kernel, which checks our tid */
    pthread_mutex_unlock(&m);
    if (pthread_join(t, &got) != 0 || got != NULL)
        return 6;
    return 0;
}

/* ---- tests ---- */

static void test_body_libc_state(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_libc_state, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_int_equal(r.exit_code, 0);
    testcage_result_free(&r);
}

static void test_body_is_pid_2(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_pid, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_int_equal(r.exit_code, 0);
    assert_true(r.isolated);
    assert_true(r.init_pid > 0);
    assert_true(r.duration > 0);
    testcage_result_free(&r);
}

static void test_abort_is_sigabrt(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_abort, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_CRASH);
    assert_int_equal(r.signal, SIGABRT);
    assert_int_equal(r.exit_code, -1);
    assert_false(r.timed_out);
    testcage_result_free(&r);
}

static void test_raise_sigterm_kills(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_sigterm, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_CRASH);
    assert_int_equal(r.signal, SIGTERM);
    testcage_result_free(&r);
}

static void test_exit_codes(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_exit, (void *)(intptr_t)77);
    run(&o, &r);
    assert_status(&r, TESTCAGE_SKIP);
    assert_int_equal(r.exit_code, 77);
    testcage_result_free(&r);
    opts_for(&o, body_exit, (void *)(intptr_t)3);
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exit_code, 3);
    assert_int_equal(r.signal, 0);
    testcage_result_free(&r);
    /* Out-of-range return values do not wrap to 0. */
    opts_for(&o, body_exit, (void *)(intptr_t)256);
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_not_equal(r.exit_code, 0);
    testcage_result_free(&r);
}

static void test_report_skip(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_skip, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_SKIP);
    assert_non_null(r.skip_reason);
    assert_string_equal(r.skip_reason, "why 42");
    testcage_result_free(&r);
}

static void test_report_failure(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_failure_returns_0, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.nfailures, 2);
    assert_string_equal(r.failures[0].file, "some_file.c");
    assert_int_equal(r.failures[0].line, 123);
    assert_string_equal(r.failures[0].message, "expected 1, got 2");
    assert_null(r.failures[1].file);
    assert_string_equal(r.failures[1].message, "second");
    assert_false(r.report_corrupt);
    testcage_result_free(&r);
}

static void test_root_uses_its_cage(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    char host[256] = "";
    gethostname(host, sizeof(host));
    opts_for(&o, body_uses_cage, NULL);
    o.namespaces |= TESTCAGE_NS_UTS;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    testcage_result_free(&r);
    char after[256] = "";
    gethostname(after, sizeof(after));
    assert_string_equal(host, after);
}

static void test_cage_stays_locked(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_umount, NULL);
    o.leaks = TESTCAGE_LEAKS_IGNORE; /* were /tmp unmounted, the init would list the host's */
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS); /* 0: EPERM */
    testcage_result_free(&r);
    /* With keep_caps the same body can (proving the check above can fail). */
    o.keep_caps = true;
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exit_code, 1);
    testcage_result_free(&r);
}

static void check_litter(const char *dir)
{
    assert_false(host_has(dir));
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_litter, (void *)dir);
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS); /* leaks only warn by default */
    char want[128];
    snprintf(want, sizeof(want), "%s/%s", dir, tmpname);
    bool found = false;
    for (size_t k = 0; k < r.nfiles; k++)
        if (strcmp(r.files[k].path, want) == 0) {
            found = true;
            assert_int_equal(r.files[k].size, 5);
            assert_false(r.files[k].is_dir);
        }
    if (!found)
        fail_msg("%s not listed among %zu leaked files", want, r.nfiles);
    assert_false(r.leak_failed);
    assert_false(host_has(dir));
    testcage_result_free(&r);
}

static void test_tmp_file_listed_not_on_host(void **state)
{
    (void)state;
    check_litter("/tmp");
}

static void test_dev_shm_file_listed_not_on_host(void **state)
{
    (void)state;
    check_litter("/dev/shm");
}

static void test_leaked_child_listed_and_killed(void **state)
{
    (void)state;
    assert_int_equal(count_marked(), 0);
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_leak_child, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_int_equal(r.nprocs, 1);
    assert_string_equal(r.procs[0].comm, marker);
    assert_true(r.procs[0].pid > 2); /* as seen inside the cage */
    assert_int_equal(count_marked(), 0);
    testcage_result_free(&r);
}

static void test_sysv_shm_listed(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_shm, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_int_equal(r.nipcs, 1);
    assert_int_equal(r.ipcs[0].kind, TESTCAGE_IPC_SHM);
    assert_int_equal(r.ipcs[0].key, (int32_t)SHM_KEY);
    assert_string_equal(testcage_ipc_kind_name(r.ipcs[0].kind), "shm");
    /* It lived in the cage's IPC namespace, not the host's. */
    assert_int_equal(shmget(SHM_KEY, 0, 0), -1);
    assert_int_equal(errno, ENOENT);
    testcage_result_free(&r);
}

static void test_each_ipc_kind_listed(void **state)
{
    (void)state;
    const int kinds[] = {TESTCAGE_IPC_SHM, TESTCAGE_IPC_SEM, TESTCAGE_IPC_MSG};
    for (size_t k = 0; k < 3; k++) {
        testcage_opts o;
        testcage_result r;
        opts_for(&o, body_one_ipc, (void *)&kinds[k]);
        run(&o, &r);
        assert_status(&r, TESTCAGE_PASS);
        assert_int_equal(r.nipcs, 1);
        assert_int_equal(r.ipcs[0].kind, kinds[k]);
        testcage_result_free(&r);
    }
}

static void test_dir_listed_removed_file_not(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_dir_and_removed_file, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    char want[128];
    snprintf(want, sizeof(want), "/tmp/%s.d", tmpname);
    assert_int_equal(r.nfiles, 1);
    assert_string_equal(r.files[0].path, want);
    assert_true(r.files[0].is_dir);
    testcage_result_free(&r);
}

static void test_timeout_term(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_sleep, NULL);
    o.timeout = 0.2;
    o.grace = 5;
    run(&o, &r);
    assert_status(&r, TESTCAGE_TIMEOUT);
    assert_true(r.timed_out);
    assert_false(r.killed); /* SIGTERM was enough */
    assert_int_equal(r.signal, SIGTERM);
    testcage_result_free(&r);
}

static void test_timeout_kill(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_ignore_term, NULL);
    o.timeout = 0.2;
    o.grace = 0.2;
    run(&o, &r);
    assert_status(&r, TESTCAGE_TIMEOUT);
    assert_true(r.timed_out);
    assert_true(r.killed);
    testcage_result_free(&r);
}

static void test_output_kept_after_kill(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_print_then_hang, NULL);
    o.capture_output = true;
    o.timeout = 0.3;
    o.grace = 0.2;
    run(&o, &r);
    assert_status(&r, TESTCAGE_TIMEOUT);
    assert_true(r.killed);
    assert_non_null(r.output);
    assert_non_null(strstr(r.output, "said before the kill"));
    testcage_result_free(&r);
}

static void test_tmp_size_enospc(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_fill_tmp, NULL);
    o.tmp_size = "1m";
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_true(r.nfiles >= 1);
    assert_true(r.files[0].size <= 1024 * 1024);
    testcage_result_free(&r);
    /* Without the limit the same body writes its 4 MiB (the check can fail). */
    o.tmp_size = NULL;
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exit_code, 1);
    testcage_result_free(&r);
}

static void test_capture_output(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_output, NULL);
    o.capture_output = true;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_non_null(r.output);
    assert_string_equal(r.output, "to-stdout\nto-stderr\n");
    assert_int_equal(r.output_len, strlen(r.output));
    assert_int_equal(r.output_dropped, 0);
    testcage_result_free(&r);
}

static void test_capture_bounded(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_big_output, NULL);
    o.capture_output = true;
    o.capture_limit = 4096;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_non_null(r.output);
    assert_true(r.output_len <= 4096 + 100);
    assert_int_equal(strlen(r.output), r.output_len);
    assert_true(r.output_dropped > 0);
    assert_true(strncmp(r.output, "HEAD-MARK\n", 10) == 0);
    assert_true(r.output_len >= 10);
    assert_memory_equal(r.output + r.output_len - 10, "TAIL-MARK\n", 10);
    const char *note = strstr(r.output, "bytes of output omitted");
    assert_non_null(note);
    /* Kept + dropped = everything written. */
    size_t total = 10 + BIG_OUTPUT + 10;
    const char *nl = strchr(note, '\n');
    const char *note_start = note;
    while (note_start > r.output && note_start[-1] != '\n')
        note_start--;
    size_t note_len = (size_t)(nl + 1 - note_start) + 1; /* plus its leading newline */
    assert_int_equal(r.output_len - note_len + r.output_dropped, total);
    testcage_result_free(&r);
}

static void test_garbage_report_cannot_pass(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_garbage, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exit_code, 3);
    assert_true(r.report_corrupt);
    testcage_result_free(&r);
    /* A well-formed forged STATUS record on the report pipe is ignored too. */
    opts_for(&o, body_forge_only, NULL);
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exit_code, 1);
    testcage_result_free(&r);
}

static void test_leaks_fail_policy(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_litter, (void *)"/tmp");
    o.leaks = TESTCAGE_LEAKS_FAIL;
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_true(r.leak_failed);
    assert_int_equal(r.exit_code, 0);
    assert_true(testcage_result_leaks(&r) >= 1);
    testcage_result_free(&r);
    /* A clean case under the same policy passes. */
    opts_for(&o, body_exit, (void *)0);
    o.leaks = TESTCAGE_LEAKS_FAIL;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_false(r.leak_failed);
    testcage_result_free(&r);
    /* IGNORE: not even listed. */
    opts_for(&o, body_litter, (void *)"/tmp");
    o.leaks = TESTCAGE_LEAKS_IGNORE;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_int_equal(testcage_result_leaks(&r), 0);
    testcage_result_free(&r);
}

static void test_fork_only(void **state)
{
    (void)state;
    assert_int_equal(count_marked(), 0);
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_fork_only, NULL);
    o.namespaces = 0;
    o.capture_output = true;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    assert_false(r.isolated);
    assert_non_null(r.output);
    const char *t = strstr(r.output, "TMPDIR=");
    assert_non_null(t);
    char tmpdir[128];
    snprintf(tmpdir, sizeof(tmpdir), "%.*s", (int)strcspn(t + 7, "\n"), t + 7);
    /* The file was listed under the private TMPDIR ... */
    char want[256];
    snprintf(want, sizeof(want), "%s/%s", tmpdir, tmpname);
    bool found = false;
    for (size_t k = 0; k < r.nfiles; k++)
        found |= strcmp(r.files[k].path, want) == 0 && r.files[k].size == 3;
    if (!found)
        fail_msg("%s not listed among %zu leaked files", want, r.nfiles);
    /* ... and the directory is gone from the host. */
    assert_int_equal(access(tmpdir, F_OK), -1);
    assert_false(host_has("/tmp"));
    /* The leaked child was listed and killed. */
    bool child = false;
    for (size_t k = 0; k < r.nprocs; k++)
        child |= strcmp(r.procs[k].comm, marker) == 0;
    assert_true(child);
    assert_int_equal(count_marked(), 0);
    testcage_result_free(&r);
}

static void test_uts_hostname(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_hostname, (void *)"testcage");
    o.namespaces |= TESTCAGE_NS_UTS;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    testcage_result_free(&r);
    o.hostname = "other-name";
    o.fn_arg = (void *)"other-name";
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    testcage_result_free(&r);
    /* Without UTS the host's name is seen (the check can fail). */
    char host[256] = "";
    assert_int_equal(gethostname(host, sizeof(host)), 0);
    if (strcmp(host, "testcage") != 0) {
        o.namespaces = TESTCAGE_NS_DEFAULT;
        o.fn_arg = (void *)"testcage";
        run(&o, &r);
        assert_status(&r, TESTCAGE_FAIL);
        testcage_result_free(&r);
    }
}

static void test_net_lo_up(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    opts_for(&o, body_net, NULL);
    o.namespaces |= TESTCAGE_NS_NET;
    run(&o, &r);
    assert_status(&r, TESTCAGE_PASS);
    testcage_result_free(&r);
}

/* Four cages at once, driven by one poll loop. */
static int body_mixed(void *arg)
{
    switch ((int)(intptr_t)arg) {
    case 0:
        return 0;
    case 1:
        return 3;
    case 2:
        abort();
    default:
        usleep(100000);
        return 77;
    }
}

static void test_event_loop(void **state)
{
    (void)state;
    enum { N = 4 };
    testcage_opts o[N];
    testcage_cage *c[N];
    bool done[N] = {false};
    testcage_result r[N];
    for (int k = 0; k < N; k++) {
        opts_for(&o[k], body_mixed, (void *)(intptr_t)k);
        assert_int_equal(testcage_start(&o[k], &c[k]), 0);
        assert_true(testcage_cage_fd(c[k]) >= 0);
        assert_true(testcage_cage_pid(c[k]) > 0);
    }
    for (int left = N; left > 0;) {
        struct pollfd p[N];
        int idx[N], n = 0;
        for (int k = 0; k < N; k++)
            if (!done[k]) {
                p[n] = (struct pollfd){.fd = testcage_cage_fd(c[k]), .events = POLLIN};
                idx[n++] = k;
            }
        assert_true(poll(p, (nfds_t)n, 30000) > 0);
        for (int j = 0; j < n; j++)
            if (p[j].revents && testcage_cage_dispatch(c[idx[j]])) {
                testcage_cage_finish(c[idx[j]], &r[idx[j]]);
                done[idx[j]] = true;
                left--;
            }
    }
    assert_status(&r[0], TESTCAGE_PASS);
    assert_status(&r[1], TESTCAGE_FAIL);
    assert_int_equal(r[1].exit_code, 3);
    assert_status(&r[2], TESTCAGE_CRASH);
    assert_int_equal(r[2].signal, SIGABRT);
    assert_status(&r[3], TESTCAGE_SKIP);
    for (int k = 0; k < N; k++)
        testcage_result_free(&r[k]);
}

/* testcage_cage_terminate ends a running cage and says so. */
static void test_terminate(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_cage *c;
    testcage_result r;
    opts_for(&o, body_sleep, NULL);
    assert_int_equal(testcage_start(&o, &c), 0);
    testcage_cage_terminate(c);
    struct pollfd p = {.fd = testcage_cage_fd(c), .events = POLLIN};
    while (!testcage_cage_dispatch(c))
        assert_true(poll(&p, 1, 30000) > 0);
    testcage_cage_finish(c, &r);
    assert_true(r.interrupted);
    assert_int_not_equal(r.status, TESTCAGE_PASS);
    testcage_result_free(&r);
}

/* A mix of cases: pass, leaked file, captured output, failure record. */
static void run_mix(int k)
{
    testcage_opts o;
    testcage_result r;
    switch (k % 4) {
    case 0:
        opts_for(&o, body_exit, (void *)0);
        break;
    case 1:
        opts_for(&o, body_litter, (void *)"/tmp");
        break;
    case 2:
        opts_for(&o, body_output, NULL);
        o.capture_output = true;
        break;
    default:
        opts_for(&o, body_failure_returns_0, NULL);
        break;
    }
    run(&o, &r);
    assert_int_equal(r.status, k % 4 == 3 ? TESTCAGE_FAIL : TESTCAGE_PASS);
    testcage_result_free(&r);
}

static void test_no_fd_leak(void **state)
{
    (void)state;
    run_mix(0); /* the library keeps the runner's pidfd and one spare epoll+timer pair */
    int before = count_fds();
    for (int k = 0; k < 50; k++)
        run_mix(k);
    assert_int_equal(count_fds(), before);
}

static void test_no_memory_growth(void **state)
{
    (void)state;
    for (int k = 0; k < 8; k++)
        run_mix(k);
    malloc_trim(0);
    struct mallinfo2 before = mallinfo2();
    for (int k = 0; k < 50; k++)
        run_mix(k);
    malloc_trim(0);
    struct mallinfo2 after = mallinfo2();
    /* Allocated bytes return to the same level; a leak of a single
     * result string per case (50 x >= 16 bytes) would exceed this. */
    if (after.uordblks > before.uordblks + 512)
        fail_msg("heap in use grew from %zu to %zu bytes over 50 cases", before.uordblks,
                 after.uordblks);
}

/* ---- exec mode ---- */

static void test_exec_not_found(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    const char *argv[] = {"/nonexistent/testcage-no-such-program", NULL};
    opts_for(&o, NULL, NULL);
    o.argv = argv;
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exec_errno, ENOENT);
    assert_int_equal(r.exit_code, 127);
    assert_non_null(r.message);
    testcage_result_free(&r);
    const char *argv2[] = {"testcage-no-such-program-in-path", NULL};
    o.argv = argv2;
    run(&o, &r);
    assert_int_equal(r.exec_errno, ENOENT);
    assert_int_equal(r.exit_code, 127);
    testcage_result_free(&r);
}

static void test_exec_not_executable(void **state)
{
    (void)state;
    char path[] = "testcage-noexec-XXXXXX";
    int fd = mkstemp(path); /* in the build tree, mode 0600 */
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
    close(fd);
    char full[4096];
    assert_non_null(realpath(path, full));
    testcage_opts o;
    testcage_result r;
    const char *argv[] = {full, NULL};
    opts_for(&o, NULL, NULL);
    o.argv = argv;
    run(&o, &r);
    unlink(path);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exec_errno, EACCES);
    assert_int_equal(r.exit_code, 126);
    testcage_result_free(&r);
}

static void test_exec_runs(void **state)
{
    (void)state;
    testcage_opts o;
    testcage_result r;
    const char *argv[] = {"sh", "-c", "echo \"$TESTCAGE_IN_CAGE $$\"; exit 5", NULL};
    opts_for(&o, NULL, NULL);
    o.argv = argv;
    o.capture_output = true;
    run(&o, &r);
    assert_status(&r, TESTCAGE_FAIL);
    assert_int_equal(r.exit_code, 5);
    assert_int_equal(r.exec_errno, 0);
    assert_string_equal(r.output, "1 2\n");
    testcage_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_is_pid_2),
        cmocka_unit_test(test_body_libc_state),
        cmocka_unit_test(test_abort_is_sigabrt),
        cmocka_unit_test(test_raise_sigterm_kills),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_report_skip),
        cmocka_unit_test(test_report_failure),
        cmocka_unit_test(test_root_uses_its_cage),
        cmocka_unit_test(test_cage_stays_locked),
        cmocka_unit_test(test_tmp_file_listed_not_on_host),
        cmocka_unit_test(test_dev_shm_file_listed_not_on_host),
        cmocka_unit_test(test_leaked_child_listed_and_killed),
        cmocka_unit_test(test_sysv_shm_listed),
        cmocka_unit_test(test_each_ipc_kind_listed),
        cmocka_unit_test(test_dir_listed_removed_file_not),
        cmocka_unit_test(test_timeout_term),
        cmocka_unit_test(test_timeout_kill),
        cmocka_unit_test(test_capture_output),
        cmocka_unit_test(test_capture_bounded),
        cmocka_unit_test(test_output_kept_after_kill),
        cmocka_unit_test(test_tmp_size_enospc),
        cmocka_unit_test(test_garbage_report_cannot_pass),
        cmocka_unit_test(test_leaks_fail_policy),
        cmocka_unit_test(test_fork_only),
        cmocka_unit_test(test_fork_only_tmpdir_reused_only_fresh),
        cmocka_unit_test(test_uts_hostname),
        cmocka_unit_test(test_net_lo_up),
        cmocka_unit_test(test_event_loop),
        cmocka_unit_test(test_terminate),
        cmocka_unit_test(test_no_fd_leak),
        cmocka_unit_test(test_no_memory_growth),
        cmocka_unit_test(test_exec_not_found),
        cmocka_unit_test(test_exec_not_executable),
        cmocka_unit_test(test_exec_runs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
