/* hostile.c - a multi-call misbehaving test program for the testcage CLI tests:
 * `hostile MODE [ARGS...] [MARKER]`; extra trailing arguments are ignored (markers for pgrep). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
    fputs("usage: hostile MODE [ARGS...]\n"
          "modes: hang, ignore-term, term-report, daemon [stay], daemon-nowait,\n"
          "       children N, respawn, litter NAME, ipc KEY, segv, abort, exit CODE, flood MIB, "
          "garbage CODE,\n"
          "       zombies N, ids, bind PORT, echo VAR, excl PATH, umount, usecage DIR, "
          "heap-overflow,\n"
          "       sleep SECONDS, clocks\n",
          stderr);
    exit(2);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static _Noreturn void hang(void)
{
    for (;;)
        pause();
}

/* Writes all of buf or dies. */
static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("hostile: write");
            exit(3);
        }
        p += n;
        len -= (size_t)n;
    }
}

static long arg_long(int argc, char **argv, int i)
{
    if (i >= argc)
        usage();
    char *end;
    errno = 0;
    long v = strtol(argv[i], &end, 0);
    if (errno || *end || end == argv[i])
        usage();
    return v;
}

static void term_report(int sig)
{
    static const char line[] = "hostile: SIGTERM received, cleaning up\n";
    (void)sig;
    write_all(STDOUT_FILENO, line, sizeof line - 1);
    _exit(3);
}

/* Double fork + setsid: the grandchild sleeps forever, detached. With
 * nowait the caller returns at once, so the middle process forks and dies
 * while the cage may already be looking for leaks. */
static void spawn_daemon(bool nowait)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("hostile: fork");
        exit(3);
    }
    if (pid == 0) {
        if (setsid() < 0)
            _exit(3);
        if (fork() != 0)
            _exit(0);
        signal(SIGHUP, SIG_IGN);
        hang();
    }
    if (!nowait)
        waitpid(pid, NULL, 0);
}

static void make_file(const char *path, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "hostile: %s: %s\n", path, strerror(errno));
        exit(3);
    }
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    while (size > 0) {
        size_t n = size < sizeof buf ? size : sizeof buf;
        write_all(fd, buf, n);
        size -= n;
    }
    close(fd);
}

static int mode_litter(int argc, char **argv)
{
    if (argc < 3)
        usage();
    char path[512];
    snprintf(path, sizeof path, "/tmp/%s-a", argv[2]);
    make_file(path, 1234);
    snprintf(path, sizeof path, "/dev/shm/%s-b", argv[2]);
    make_file(path, 4321);
    snprintf(path, sizeof path, "/tmp/%s-dir", argv[2]);
    if (mkdir(path, 0755) < 0) {
        perror("hostile: mkdir");
        return 3;
    }
    printf("littered %s\n", argv[2]);
    return 0;
}

static int mode_ipc(int argc, char **argv)
{
    key_t key = (key_t)arg_long(argc, argv, 2);
    if (shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600) < 0) {
        perror("hostile: shmget");
        return 3;
    }
    if (semget(key + 1, 1, IPC_CREAT | IPC_EXCL | 0600) < 0) {
        perror("hostile: semget");
        return 3;
    }
    if (msgget(key + 2, IPC_CREAT | IPC_EXCL | 0600) < 0) {
        perror("hostile: msgget");
        return 3;
    }
    printf("ipc 0x%08x 0x%08x 0x%08x\n", (unsigned)key, (unsigned)key + 1, (unsigned)key + 2);
    return 0;
}

static int mode_flood(int argc, char **argv)
{
    long mib = arg_long(argc, argv, 2);
    static char buf[1 << 20];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    for (long i = 0; i < mib; i++)
        write_all(STDOUT_FILENO, buf, sizeof buf);
    return 0;
}

/* Writes bytes that look like framed records claiming success, then plain junk,
 * to every open fd, then exits with the given code. */
static int mode_garbage(int argc, char **argv)
{
    int code = (int)arg_long(argc, argv, 2);
    unsigned char junk[512];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    /* Plausible frames: type 0..7 with tiny and huge lengths, zero payload ("passed"). */
    unsigned char frames[64] = {0};
    for (int i = 0; i < 8; i++) {
        frames[i * 8] = (unsigned char)i;
        frames[i * 8 + 4] = (unsigned char)(i & 1 ? 0xff : 4);
    }
    signal(SIGPIPE, SIG_IGN);
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) < 0)
            continue;
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        (void)!write(fd, frames, sizeof frames);
        (void)!write(fd, junk, sizeof junk);
        (void)!write(fd, "PASS\n{\"status\":\"pass\"}\n", 24);
        n++;
    }
    fprintf(stderr, "hostile: wrote garbage to %d fds\n", n);
    return code;
}

static int mode_zombies(int argc, char **argv)
{
    long n = arg_long(argc, argv, 2);
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("hostile: fork");
            return 3;
        }
        if (pid == 0)
            _exit(0);
    }
    sleep_ms(100); /* let them all die unreaped */
    int zombies = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(buf, sizeof buf, f)) {
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'Z')
                zombies++;
        }
        fclose(f);
    }
    if (d)
        closedir(d);
    printf("zombies %d\n", zombies);
    return 0;
}

static int mode_ids(void)
{
    char host[256] = "";
    gethostname(host, sizeof host);
    printf("pid %d\nppid %d\nuid %d\nhostname %s\nprocs", (int)getpid(), (int)getppid(),
           (int)getuid(), host);
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
            printf(" %s", e->d_name);
    }
    if (d)
        closedir(d);
    printf("\n");
    return 0;
}

static int mode_bind(int argc, char **argv)
{
    long port = arg_long(argc, argv, 2);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        perror("hostile: socket");
        return 3;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 1) < 0) {
        printf("bind %ld failed: %s\n", port, strerror(errno));
        return 1;
    }
    printf("bound %ld\n", port);
    close(s);
    return 0;
}

static int mode_echo(int argc, char **argv)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "?");
    printf("cwd %s\nargc %d\n", cwd, argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] %s\n", i, argv[i]);
    const char *var = argc > 2 ? argv[2] : "HOME";
    const char *val = getenv(var);
    printf("env %s=%s\n", var, val ? val : "(unset)");
    fflush(stdout);
    char buf[4096];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
        write_all(STDOUT_FILENO, buf, (size_t)n);
    return 0;
}

static int mode_excl(int argc, char **argv)
{
    if (argc < 3)
        usage();
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        printf("excl %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    write_all(fd, "mine\n", 5);
    sleep_ms(300); /* overlap with the other runs */
    close(fd);
    unlink(argv[2]);
    printf("excl ok\n");
    return 0;
}

static int mode_umount(void)
{
    if (umount2("/tmp", MNT_DETACH) == 0) {
        printf("umount /tmp succeeded\n");
        return 1;
    }
    printf("umount /tmp failed: %s\n", strerror(errno));
    return 0;
}

/* A test using its cage (as root or in its nested user namespace): a tmpfs
 * of its own on DIR with a file in it (left mounted: the host must never
 * see it), the hostname, and the cage's /tmp, which must stay put. */
static int mode_usecage(int argc, char **argv)
{
    if (argc < 3)
        usage();
    const char *dir = argv[2];
    char file[4096];
    snprintf(file, sizeof(file), "%s/inside", dir);
    int rc = 0;
    int fd = -1;
    if (mount("none", dir, "tmpfs", 0, NULL) == 0 &&
        (fd = open(file, O_CREAT | O_WRONLY, 0600)) >= 0) {
        printf("mounted %s\n", dir);
        close(fd);
    } else {
        printf("mount failed: %s\n", strerror(errno));
        rc = 1;
    }
    if (mkdir("/tmp/own", 0700) == 0 && mount("none", "/tmp/own", "tmpfs", 0, NULL) == 0 &&
        umount2("/tmp/own", 0) == 0 && rmdir("/tmp/own") == 0)
        printf("mounted and unmounted /tmp/own\n");
    if (sethostname("usecage", 7) == 0)
        printf("hostname set\n");
    if (umount2("/tmp", MNT_DETACH) == 0) {
        printf("umount /tmp succeeded\n");
        rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *mode = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (!strcmp(mode, "hang"))
        hang();
    if (!strcmp(mode, "ignore-term")) {
        signal(SIGTERM, SIG_IGN);
        hang();
    }
    if (!strcmp(mode, "term-report")) {
        struct sigaction sa = {.sa_handler = term_report};
        sigaction(SIGTERM, &sa, NULL);
        printf("hostile: waiting for SIGTERM\n");
        hang();
    }
    if (!strcmp(mode, "daemon") || !strcmp(mode, "daemon-nowait")) {
        spawn_daemon(!strcmp(mode, "daemon-nowait"));
        printf("daemon spawned\n");
        if (argc > 2 && !strcmp(argv[2], "stay"))
            hang();
        return 0;
    }
    if (!strcmp(mode, "children")) {
        long n = arg_long(argc, argv, 2);
        for (long i = 0; i < n; i++) {
            pid_t pid = fork();
            if (pid < 0) {
                perror("hostile: fork");
                return 3;
            }
            if (pid == 0)
                hang();
        }
        printf("children %ld\n", n);
        return 0;
    }
    if (!strcmp(mode, "respawn")) {
        /* A chain: each generation forks its successor and exits, forever. */
        for (;;) {
            pid_t pid = fork();
            if (pid < 0) {
                sleep_ms(1);
                continue;
            }
            if (pid > 0)
                _exit(0);
            sleep_ms(1);
        }
    }
    if (!strcmp(mode, "litter"))
        return mode_litter(argc, argv);
    if (!strcmp(mode, "ipc"))
        return mode_ipc(argc, argv);
    if (!strcmp(mode, "segv")) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        volatile int *p = NULL;
        *p = 1;
        return 3;
    }
    if (!strcmp(mode, "abort")) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        abort();
    }
    if (!strcmp(mode, "exit"))
        return (int)arg_long(argc, argv, 2);
    if (!strcmp(mode, "flood"))
        return mode_flood(argc, argv);
    if (!strcmp(mode, "garbage"))
        return mode_garbage(argc, argv);
    if (!strcmp(mode, "zombies"))
        return mode_zombies(argc, argv);
    if (!strcmp(mode, "ids"))
        return mode_ids();
    if (!strcmp(mode, "bind"))
        return mode_bind(argc, argv);
    if (!strcmp(mode, "echo"))
        return mode_echo(argc, argv);
    if (!strcmp(mode, "excl"))
        return mode_excl(argc, argv);
    if (!strcmp(mode, "umount"))
        return mode_umount();
    if (!strcmp(mode, "usecage"))
        return mode_usecage(argc, argv);
    if (!strcmp(mode, "heap-overflow")) {
        /* A memory error for --valgrind to find; harmless without it. */
        volatile size_t i = 16;
        volatile char *volatile p = malloc(16);
        if (!p)
            return 3;
        p[i] = 'x';
        printf("wrote past a 16-byte block\n");
        free((void *)p);
        return 0;
    }
    if (!strcmp(mode, "clocks")) {
        /* Whole seconds of the clocks a time namespace does and does not shift. */
        const clockid_t ids[] = {CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME};
        const char *names[] = {"monotonic", "boottime", "realtime"};
        for (int k = 0; k < 3; k++) {
            struct timespec ts;
            if (clock_gettime(ids[k], &ts) < 0)
                return 3;
            printf("%s %lld\n", names[k], (long long)ts.tv_sec);
        }
        return 0;
    }
    if (!strcmp(mode, "sleep")) {
        sleep_ms((long)(arg_long(argc, argv, 2) * 1000));
        return 0;
    }
    usage();
}
