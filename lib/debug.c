/* debug.c - a look at a hung test before it is terminated: the init runs
 * the on-timeout command (by default gdb's backtrace of every thread). */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <time.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEBUG_OUTPUT_MAX (64 * 1024)
#define CHUNK            8192

/* "%p" -> pid, "%%" -> "%". */
static void expand(const char *tmpl, pid_t pid, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = tmpl; *p && n + 16 < cap; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            n += (size_t)snprintf(out + n, cap - n, "%d", (int)pid);
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            out[n++] = '%';
            p++;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = 0;
}

static void send_chunks(int fd, const char *buf, size_t len)
{
    for (size_t off = 0; off < len; off += CHUNK) {
        char chunk[CHUNK + 1];
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        memcpy(chunk, buf + off, n);
        chunk[n] = 0;
        for (size_t k = 0; k < n; k++)
            if (chunk[k] == 0)
                chunk[k] = ' ';
        struct wire_rec r = {.type = WIRE_DEBUG, .nstr = 1};
        r.s[0] = chunk;
        wire_send(fd, &r);
    }
}

/* The command's process: its own group (so whatever it leaves running can
 * be killed with it), default signals, the cage's /proc. */
static _Noreturn void exec_command(const struct cage_plan *p, int out, const char *cmd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    /* With --no-proc the init still sees the host's /proc, where %p would
     * name some host process: give the command the cage's own. */
    if ((p->ns & TESTCAGE_NS_PID) && !p->fresh_proc)
        tc_private_proc(); /* best effort: a look, the cage goes on anyway */
    dup2(out, 1);
    dup2(out, 2);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Collects the command's output until it exits (a background child of it
 * may keep the pipe open) or the deadline passes; then kills its group. */
static size_t collect(int fd, pid_t pid, char *out, size_t cap)
{
    size_t len = 0;
    double deadline = now() + TC_DEBUG_LIMIT /* a look, not a second test run */;
    bool exited = false;
    while (!exited && now() < deadline && len < cap) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int ready = poll(&pf, 1, 50);
        exited = waitpid(pid, NULL, WNOHANG) == pid;
        for (ssize_t n = 1; ready > 0 && n > 0 && len < cap;) {
            n = read(fd, out + len, cap - len);
            len += n > 0 ? (size_t)n : 0;
            if (n == 0 || (n < 0 && errno != EINTR))
                ready = 0; /* EOF: nothing more will come */
            if (n < 0 && errno == EAGAIN)
                break;
        }
        if (ready == 0 && pf.revents & POLLHUP)
            break;
    }
    kill(-pid, SIGKILL);
    if (!exited)
        waitpid(pid, NULL, 0);
    return len;
}

void tc_debug_run(const struct cage_plan *p, pid_t body)
{
    static char out[DEBUG_OUTPUT_MAX];
    char cmd[sizeof(p->debug_cmd) + 64];
    size_t len = 0;
    int fds[2];
    expand(p->debug_cmd, body, cmd, sizeof(cmd));
    if (cmd[0] && pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
        pid_t pid = fork();
        if (pid == 0)
            exec_command(p, fds[1], cmd);
        close(fds[1]);
        if (pid > 0)
            len = collect(fds[0], pid, out, sizeof(out));
        close(fds[0]);
    }
    send_chunks(p->result_w, out, len);
    struct wire_rec done = {.type = WIRE_DEBUG_DONE};
    wire_send(p->result_w, &done);
}
