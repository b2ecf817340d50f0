/* dbg_prog.c - programs the debugging tests cage: one that hangs in named functions (for
 * the timeout backtrace), and ones that trap or ignore SIGTERM (for the grace period). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
    (void)sig;
    got_term = 1;
}

/* The names the backtrace tests look for; never inlined, never return.
 * Extern, so the names survive in any build. */
void hang_here_forever(void);
void on_the_way_down(void);
__attribute__((noinline, noreturn)) void hang_here_forever(void)
{
    for (;;)
        pause();
}

__attribute__((noinline, noreturn)) static void *thread_stuck_here(void *arg)
{
    (void)arg;
    for (;;)
        pause();
}

__attribute__((noinline, noreturn)) void on_the_way_down(void)
{
    hang_here_forever();
}

static void say(const char *line)
{
    printf("%s\n", line);
    fflush(stdout);
}

/* Traps SIGTERM, then takes half a second to clean up and exit 0. */
static int slow_term(void)
{
    struct sigaction sa = {.sa_handler = on_term};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    say("ready");
    while (!got_term)
        pause();
    say("trapped SIGTERM, cleaning up");
    struct timespec half = {0, 500 * 1000 * 1000};
    nanosleep(&half, NULL);
    say("clean exit after SIGTERM");
    return 0;
}

/* Ignores SIGTERM and SIGINT, and so does a child it leaves running. */
static _Noreturn void ignore_term(void)
{
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    if (fork() == 0)
        for (;;)
            pause();
    say("ready");
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s hang|threads|slowterm|ignoreterm MARK\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "hang") == 0) {
        say("ready");
        on_the_way_down();
    }
    if (strcmp(mode, "threads") == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, thread_stuck_here, NULL) != 0)
            return 2;
        say("ready");
        on_the_way_down();
    }
    if (strcmp(mode, "slowterm") == 0)
        return slow_term();
    if (strcmp(mode, "ignoreterm") == 0)
        ignore_term();
    fprintf(stderr, "%s: unknown mode %s\n", argv[0], mode);
    return 2;
}
