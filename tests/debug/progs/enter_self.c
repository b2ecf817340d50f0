/* enter_self.c - calls testcage_enter() first thing in main(), then checks what the issue
 * promises: a private /tmp and IPC for the caller, pid 1 semantics for its next child. */
#define _GNU_SOURCE
#include <testcage/testcage.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC_ 0x01021994

static int failed;
static char host_file[PATH_MAX], after_file[PATH_MAX], shm_file[PATH_MAX];

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            printf("ok: %s\n", #cond);                                                             \
        } else {                                                                                   \
            printf("FAIL: %s: ", #cond);                                                           \
            printf(__VA_ARGS__);                                                                   \
            printf(" (errno %s)\n", strerror(errno));                                              \
            failed = 1;                                                                            \
        }                                                                                          \
        fflush(stdout);                                                                            \
    } while (0)

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static long count_entries(const char *dir, bool numeric_only)
{
    DIR *d = opendir(dir);
    long n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!numeric_only || strspn(e->d_name, "0123456789") == strlen(e->d_name))
            n++;
    }
    closedir(d);
    return n;
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

/* The first child: pid 1 of the new PID namespace. */
static int first_child(key_t key)
{
    failed = 0;
    CHECK(getpid() == 1, "child pid is %d", (int)getpid());
    CHECK(getppid() == 0, "child's parent reads as %d", (int)getppid());
    CHECK(!exists(host_file), "child sees the host file %s", host_file);
    CHECK(exists(after_file), "child does not see %s made after enter", after_file);
    CHECK(shmget(key, 0, 0) >= 0, "child does not see the shm segment made after enter");
    /* pid 1 semantics: a default-action signal from inside its namespace is ignored. */
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    CHECK(1, "child survived raise(SIGTERM) as pid 1");
    pid_t g = fork();
    if (g == 0)
        _exit(getpid() == 2 && getppid() == 1 ? 0 : 1);
    int st = -1;
    CHECK(g > 0 && waitpid(g, &st, 0) == g && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "grandchild was not pid 2 with parent 1 (status %d)", st);
    /* A fresh /proc, in a mount namespace of its own so the parent keeps its /proc. */
    CHECK(unshare(CLONE_NEWNS) == 0 && mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
              mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0,
          "cannot mount a fresh /proc");
    char self[32] = "";
    ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = 0;
    CHECK(strcmp(self, "1") == 0, "/proc/self is '%s'", self);
    CHECK(count_entries("/proc", true) == 1, "fresh /proc lists %ld processes",
          count_entries("/proc", true));
    return failed;
}

int main(int argc, char **argv)
{
    testcage_opts o;
    testcage_opts_init(&o);
    if (testcage_enter(&o) < 0) {
        printf("FAIL: testcage_enter: %s\n", strerror(errno));
        return 2;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: %s MARK KEY  (host file /tmp/MARK-host must exist)\n", argv[0]);
        return 2;
    }
    const char *mark = argv[1];
    key_t key = (key_t)strtol(argv[2], NULL, 0);
    snprintf(host_file, sizeof(host_file), "/tmp/%s-host", mark);
    snprintf(after_file, sizeof(after_file), "/tmp/%s-after", mark);
    snprintf(shm_file, sizeof(shm_file), "/dev/shm/%s-shm", mark);

    /* The caller itself: keeps its pid, gets private mounts and IPC. */
    pid_t self = getpid();
    CHECK(self != 1, "the caller itself became pid 1");
    CHECK(!exists(host_file), "the caller still sees the host file %s", host_file);
    struct statfs sf;
    CHECK(statfs("/tmp", &sf) == 0 && sf.f_type == TMPFS_MAGIC_, "/tmp is not a tmpfs");
    CHECK(statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC_, "/dev/shm is not a tmpfs");
    CHECK(count_entries("/dev/shm", false) == 0, "/dev/shm is not empty");
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) && strncmp(cwd, "/tmp/", 5) != 0 &&
        strncmp(argv[0], "/tmp/", 5) != 0) /* else that tree is bound back in */
        CHECK(count_entries("/tmp", false) == 0, "/tmp is not empty");
    CHECK(write_file(after_file, "made after enter\n"), "cannot write %s", after_file);
    CHECK(write_file(shm_file, "shm after enter\n"), "cannot write %s", shm_file);
    CHECK(shmget(key, 4096, IPC_CREAT | 0600) >= 0, "shmget");
    CHECK(semget(key + 1, 1, IPC_CREAT | 0600) >= 0, "semget");

    /* The host looks now (the files and IPC objects exist); it closes stdin when done. */
    printf("READY %d\n", (int)self);
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof(buf)) > 0)
        ;

    pid_t child = fork();
    if (child == 0)
        _exit(first_child(key));
    int st = -1;
    CHECK(child > 0 && waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the first child failed (status %d)", st);
    /* Documented: once that child is gone, the PID namespace is over. */
    pid_t again = fork();
    if (again == 0)
        _exit(0);
    CHECK(again < 0 && errno == ENOMEM, "a fork after the namespace's init exited gave %d",
          (int)again);
    if (again > 0)
        waitpid(again, NULL, 0);
    printf("%s\n", failed ? "SOME CHECKS FAILED" : "ALL OK");
    return failed;
}
