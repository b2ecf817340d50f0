/* debug.c - a look at a hung test before it is terminated: the init runs
 * the on-timeout command (by default gdb's backtrace of every thread). */
#include "testcage_internal.h"
#include "wire_internal.h"

#include <errno.h>
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

void tc_debug_run(const struct cage_plan *p, pid_t body)
{
    static char out[DEBUG_OUTPUT_MAX];
    char cmd[sizeof(p->debug_cmd) + 64];
    size_t len = 0;
    int fds[2];
    expand(p->debug_cmd, body, cmd, sizeof(cmd));
    if (cmd[0] && pipe2(fds, O_CLOEXEC) == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            dup2(fds[1], 1);
            dup2(fds[1], 2);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        for (ssize_t n; pid > 0 && (n = read(fds[0], out + len, sizeof(out) - len)) != 0;) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 || (len += (size_t)n) == sizeof(out))
                break;
        }
        close(fds[0]);
        if (pid > 0)
            waitpid(pid, NULL, 0);
    }
    send_chunks(p->result_w, out, len);
    struct wire_rec done = {.type = WIRE_DEBUG_DONE};
    wire_send(p->result_w, &done);
}
