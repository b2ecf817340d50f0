/* restrict.c - runs a command under a seccomp filter that makes this machine
 * look like a restricted one: `restrict [--deny-mount] [--deny-ns]
 * [--clone3-enosys] -- CMD [ARGS...]`. --deny-mount: mount(2) and the new
 * mount API fail with EPERM (what Ubuntu 24.04's AppArmor does to an
 * unprivileged user namespace). --deny-ns: clone and unshare with a namespace
 * flag, and setns, fail with EPERM; --clone3-enosys: clone3 fails with ENOSYS
 * (both as Docker's default profile). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const unsigned long ns_flags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
                                         CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};

static void add(scmp_filter_ctx ctx, int err, int sys, unsigned nargs, struct scmp_arg_cmp *arg)
{
    int rc = nargs ? seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)err), sys, nargs, arg)
                   : seccomp_rule_add(ctx, SCMP_ACT_ERRNO((unsigned)err), sys, 0);
    if (rc < 0) {
        fprintf(stderr, "restrict: seccomp_rule_add(%s): %s\n",
                seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, sys), strerror(-rc));
        exit(98);
    }
}

static void deny_mount(scmp_filter_ctx ctx)
{
    const char *calls[] = {"mount",      "umount2",   "fsopen",        "fsmount",
                           "move_mount", "open_tree", "mount_setattr", "fsconfig"};
    for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
        add(ctx, EPERM, seccomp_syscall_resolve_name(calls[k]), 0, NULL);
}

/* One rule per flag: any namespace flag in the argument is refused. */
static void deny_ns(scmp_filter_ctx ctx)
{
    for (size_t k = 0; k < sizeof(ns_flags) / sizeof(ns_flags[0]); k++) {
        struct scmp_arg_cmp has = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[k], ns_flags[k]);
        add(ctx, EPERM, SCMP_SYS(clone), 1, &has);
        add(ctx, EPERM, SCMP_SYS(unshare), 1, &has);
    }
    add(ctx, EPERM, SCMP_SYS(setns), 0, NULL);
}

int main(int argc, char **argv)
{
    bool mount = false, ns = false, clone3 = false;
    int k = 1;
    for (; k < argc && strcmp(argv[k], "--") != 0; k++) {
        if (strcmp(argv[k], "--deny-mount") == 0)
            mount = true;
        else if (strcmp(argv[k], "--deny-ns") == 0)
            ns = true;
        else if (strcmp(argv[k], "--clone3-enosys") == 0)
            clone3 = true;
        else {
            fprintf(stderr, "restrict: unknown option %s\n", argv[k]);
            return 2;
        }
    }
    if (k + 1 >= argc || !(mount || ns || clone3)) {
        fputs("usage: restrict [--deny-mount] [--deny-ns] [--clone3-enosys] -- CMD [ARGS...]\n",
              stderr);
        return 2;
    }
    scmp_filter_ctx ctx =
        seccomp_init(SCMP_ACT_ALLOW); /* sets no_new_privs: allowed unprivileged */
    if (!ctx) {
        fputs("restrict: seccomp_init failed\n", stderr);
        return 98;
    }
    if (mount)
        deny_mount(ctx);
    if (ns)
        deny_ns(ctx);
    if (clone3)
        add(ctx, ENOSYS, seccomp_syscall_resolve_name("clone3"), 0, NULL);
    int rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc < 0) {
        fprintf(stderr, "restrict: seccomp_load: %s\n", strerror(-rc));
        return 98;
    }
    execvp(argv[k + 1], argv + k + 1);
    fprintf(stderr, "restrict: exec %s: %s\n", argv[k + 1], strerror(errno));
    return 127;
}
