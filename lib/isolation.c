/* isolation.c - the isolation this process gets, decided once: by the
 * first cage refused its namespaces, or by a probe (a child cloned with the
 * cage's namespace flags that makes the id maps and mounts a cage makes);
 * the shape every later cage falls back to, and the words that say what is
 * missing, why, and how to get it. */
#include "testcage_internal.h"
#include "rawsys.h"
#include "wire_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEXT_MAX 512

/* The process's shape. The first reason to drop wins: it is the one said. */
static struct {
    bool probed;    /* the probe ran (or a cage found out first) */
    bool fork_only; /* namespaces are out of reach: every cage is fork only */
    char notice[TEXT_MAX], refusal[TEXT_MAX];
} shape;

/* Does the one-line file hold this value? (false when it does not exist) */
static bool file_says(const char *path, const char *want)
{
    char buf[64] = "";
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    bool got = fgets(buf, sizeof(buf), f) != NULL;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return got && strcmp(buf, want) == 0;
}

/* Is a seccomp filter installed on us (a container's profile, say)? */
static bool seccomp_filtered(void)
{
    char line[128];
    bool found = false;
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return false;
    while (!found && fgets(line, sizeof(line), f))
        found = strncmp(line, "Seccomp:", 8) == 0 && strtol(line + 8, NULL, 10) == 2;
    fclose(f);
    return found;
}

static bool denied(int err)
{
    return err == EPERM || err == EACCES;
}

struct why {
    char cause[256];
    const char *remedy;
};

/* The clone itself was refused. Errnos that mislead (ENOSPC) are put in
 * words; sysctls and a seccomp filter, when they are the reason, named. */
static void explain_clone(struct why *w, int err, bool userns)
{
    const char *root = "run as root";
    if (userns && (err == ENOSPC || err == EUSERS)) {
        snprintf(w->cause, sizeof(w->cause),
                 "the user-namespace limit is reached (sysctl user.max_user_namespaces%s)",
                 file_says("/proc/sys/user/max_user_namespaces", "0") ? " is 0" : "");
        w->remedy = "run as root or raise user.max_user_namespaces";
    } else if (err == ENOSPC || err == EUSERS) {
        snprintf(w->cause, sizeof(w->cause),
                 "a namespace limit is reached (user.max_*_namespaces)");
        w->remedy = "raise the user.max_*_namespaces sysctls";
    } else if (userns && file_says("/proc/sys/kernel/unprivileged_userns_clone", "0")) {
        snprintf(w->cause, sizeof(w->cause),
                 "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0)");
        w->remedy = "run as root or set kernel.unprivileged_userns_clone=1";
    } else if (denied(err) && seccomp_filtered()) {
        snprintf(w->cause, sizeof(w->cause),
                 "creating namespaces is denied by a seccomp filter (a container's default "
                 "profile does this)");
        w->remedy = "run the container with --security-opt seccomp=unconfined or --privileged";
    } else if (err == ENOSYS || err == EINVAL) {
        snprintf(w->cause, sizeof(w->cause), "the kernel offers no %s namespaces (clone: %s)",
                 err == EINVAL ? "such" : "", strerror(err));
        w->remedy = "use a kernel built with user, PID, mount and IPC namespaces";
    } else {
        snprintf(w->cause, sizeof(w->cause), "creating %snamespaces is not permitted here (%s)",
                 userns ? "user " : "", strerror(err));
        w->remedy = userns ? "run as root or allow unprivileged user namespaces" : root;
    }
}

/* The namespaces were made but the cage's world was not: id maps or mounts. */
static void explain_world(struct why *w, int err, const char *what)
{
    if (denied(err) && seccomp_filtered()) {
        snprintf(w->cause, sizeof(w->cause),
                 "mounts are denied by a seccomp filter (cannot %s: %s)", what, strerror(err));
        w->remedy =
            "let mount(2) through (docker: --security-opt seccomp=unconfined) or run as root";
    } else {
        snprintf(w->cause, sizeof(w->cause),
                 "the cage's namespaces cannot be set up (cannot %s: %s)", what, strerror(err));
        w->remedy = "run as root";
    }
}

void tc_shape_drop(enum tc_step step, int err, unsigned ns, const char *what)
{
    if (shape.fork_only)
        return;
    shape.fork_only = shape.probed = true;
    struct why w;
    bool userns = (ns & TESTCAGE_NS_USER) != 0;
    /* Ubuntu 24.04 lets the user namespace be made, then denies what needs
     * a capability in it (the id maps, the mounts, the other namespaces). */
    if (userns && denied(err) &&
        file_says("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1")) {
        snprintf(w.cause, sizeof(w.cause),
                 "unprivileged user namespaces are restricted on this machine (AppArmor)");
        w.remedy = "run as root or set kernel.apparmor_restrict_unprivileged_userns=0";
    } else if (step == TC_STEP_CLONE) {
        explain_clone(&w, err, userns);
    } else {
        explain_world(&w, err, what && *what ? what : "set up the cage");
    }
    snprintf(shape.notice, sizeof(shape.notice),
             "%s; running without namespaces; %s (TESTCAGE_NS=none silences this)", w.cause,
             w.remedy);
    snprintf(shape.refusal, sizeof(shape.refusal), "%s; isolation is required, so nothing runs; %s",
             w.cause, w.remedy);
}

bool tc_shape_fork_only(void)
{
    return shape.fork_only;
}

const char *tc_shape_notice(void)
{
    return shape.notice;
}

const char *tc_shape_refusal(void)
{
    return shape.refusal;
}

bool tc_shape_has_shm(void)
{
    static int has = -1;
    struct stat st;
    if (has < 0)
        has = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode);
    return has;
}

/* The probe child: what a cage init does before its body may run. Raw
 * system calls only, like the init. */
static _Noreturn void probe_child(const struct cage_plan *p, int fd)
{
    char what[256] = "";
    int rc = tc_world_maps_mounts(p, what, sizeof(what));
    if (rc < 0)
        wire_send_error(fd, WIRE_SETUP_ERROR, rc, what);
    for (;;)
        tc_sys(SYS_exit_group, 0);
}

/* Reads the child's one record, if any: 0 (the world was made) or errno. */
static int probe_answer(int fd, char *what, size_t len)
{
    uint8_t buf[WIRE_HEADER + 512];
    size_t have = 0, used;
    ssize_t n;
    while (have < sizeof(buf) && (n = read(fd, buf + have, sizeof(buf) - have)) != 0) {
        if (n < 0 && errno != EINTR)
            break;
        have += n > 0 ? (size_t)n : 0;
    }
    struct wire_rec r;
    if (wire_decode(buf, have, &r, &used) != 1 || r.type != WIRE_SETUP_ERROR || r.nint < 1 ||
        r.nstr < 1)
        return 0;
    snprintf(what, len, "%s", r.s[0]);
    return (int)(r.i[0] < 0 ? -r.i[0] : r.i[0]);
}

static void probe(const testcage_opts *o)
{
    struct cage_plan *p = malloc(sizeof(*p));
    int fds[2];
    if (!p || pipe2(fds, O_CLOEXEC) < 0) {
        free(p);
        return; /* no verdict: the first cage finds out */
    }
    tc_plan_make(p, o);
    p->cwd[0] = 0;
    fflush(NULL); /* or buffered output would be printed by the child too */
    pid_t pid = (pid_t)syscall(SYS_clone, tc_clone_flags(p->ns) | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0)
        probe_child(p, fds[1]);
    int err = errno;
    close(fds[1]);
    char what[256] = "";
    if (pid < 0 && (tc_namespaces_refused(err)))
        tc_shape_drop(TC_STEP_CLONE, err, p->ns, NULL);
    else if (pid > 0 && (err = probe_answer(fds[0], what, sizeof(what))) && denied(err))
        tc_shape_drop(TC_STEP_WORLD, err, p->ns, what);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    close(fds[0]);
    shape.probed = pid > 0 || shape.fork_only;
    free(p);
}

void testcage_isolation_known(const testcage_opts *o, testcage_isolation *out)
{
    *out = (testcage_isolation){0};
    out->isolated = o->namespaces && !shape.fork_only;
    out->private_shm = out->isolated && o->private_tmp && tc_shape_has_shm();
    if (o->namespaces && shape.fork_only) {
        out->notice = shape.notice;
        out->refusal = shape.refusal;
    }
}

void testcage_isolation_check(const testcage_opts *o, testcage_isolation *out)
{
    if (o->namespaces && !shape.probed)
        probe(o);
    testcage_isolation_known(o, out);
}
