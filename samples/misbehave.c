/* misbehave.c - deliberately badly behaved test programs, one per mode, to
 * show what the cage catches: misbehave daemon|litter|hang|ignore-term. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Forks a child that detaches (double fork + setsid) and lives forever. */
static int leak_daemon(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        setsid();
        if (fork() != 0)
            _exit(0);
        for (;;)
            pause();
    }
    printf("started a daemon and passed\n");
    return 0;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    fputs(text, f);
    return fclose(f) != 0;
}

/* Leaves files behind in /tmp and /dev/shm; the host never sees them. */
static int litter(void)
{
    if (write_file("/tmp/sample-litter.txt", "left behind\n") != 0 ||
        write_file("/dev/shm/sample-litter.shm", "shared\n") != 0)
        return 1;
    printf("littered /tmp and /dev/shm and passed\n");
    return 0;
}

_Noreturn static void hang(void)
{
    printf("hanging\n");
    fflush(stdout);
    for (;;)
        pause();
}

_Noreturn static void ignore_term(void)
{
    signal(SIGTERM, SIG_IGN);
    printf("ignoring SIGTERM\n");
    fflush(stdout);
    for (;;)
        pause();
}

/* Forks until the kernel refuses: under --max-procs that happens inside the
 * cage, and the cage's end takes every child with it. */
static int fork_bomb(void)
{
    for (int n = 1; n <= 100000; n++) {
        pid_t pid = fork();
        if (pid < 0) {
            printf("fork failed after %d processes: contained\n", n);
            return 0;
        }
        if (pid == 0) {
            pause();
            _exit(0);
        }
    }
    printf("100000 processes and no limit\n");
    return 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "daemon") == 0)
        return leak_daemon();
    if (strcmp(mode, "litter") == 0)
        return litter();
    if (strcmp(mode, "hang") == 0)
        hang();
    if (strcmp(mode, "ignore-term") == 0)
        ignore_term();
    if (strcmp(mode, "fork-bomb") == 0)
        return fork_bomb();
    fprintf(stderr, "usage: misbehave daemon|litter|hang|ignore-term|fork-bomb\n");
    return 2;
}
