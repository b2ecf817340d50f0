/* clone.c - the runner's side of cloning a cage init: the stack pool and
 * CLONE_VM entry of a vm init, what a raw fork must hand over, and the
 * hold/park protocol that keeps the runner still while the init clones. */
#include "testcage_internal.h"
#include "rawsys.h"

#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A vm init's stack: the body and the helpers it clones go on on their
 * copies of it, so it is as big as a main thread's (only touched pages
 * cost anything). Stacks are reused once their init is reaped. */
#define INIT_STACK ((size_t)8 << 20)
#define STACK_POOL 8
#define GUARD_PAGE 4096

static char *stack_pool[STACK_POOL];

static char *stack_take(void)
{
    for (int k = 0; k < STACK_POOL; k++) {
        if (stack_pool[k]) {
            char *st = stack_pool[k];
            stack_pool[k] = NULL;
            return st;
        }
    }
    char *st = mmap(NULL, INIT_STACK, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (st == MAP_FAILED)
        return NULL;
    if (mprotect(st, GUARD_PAGE, PROT_NONE) < 0) {
        munmap(st, INIT_STACK);
        return NULL;
    }
    return st;
}

static void stack_give(char *st)
{
    for (int k = 0; k < STACK_POOL; k++) {
        if (!stack_pool[k]) {
            stack_pool[k] = st;
            return;
        }
    }
    munmap(st, INIT_STACK);
}

/* The init may share our memory where it can make raw system calls, and
 * where nothing watches memory from outside (valgrind, sanitizers). */
bool tc_clone_vm_usable(void)
{
#if !TC_RAW_SYSCALLS || defined(__SANITIZE_ADDRESS__)
    return false;
#else
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
    return false;
#endif
#endif
    static int usable = -1;
    if (usable < 0) {
        const char *preload = getenv("LD_PRELOAD");
        const char *mode = getenv("TESTCAGE_INIT");
        /* A test binary built with a sanitizer links its runtime even when
         * this library was built without one: its leak check would scan
         * a body running on an init's stack wrongly. */
        bool sanitized = dlsym(RTLD_DEFAULT, "__asan_init") || dlsym(RTLD_DEFAULT, "__lsan_init") ||
                         dlsym(RTLD_DEFAULT, "__msan_init") || dlsym(RTLD_DEFAULT, "__tsan_init");
        usable = !(preload && strstr(preload, "vgpreload")) &&
                 !(mode && strcmp(mode, "fork") == 0) && !sanitized;
    }
    return usable;
#endif
}

/* What a raw clone must hand over to keep the copy's libc whole: the
 * kernel fills glibc's tid field, the robust-futex list is registered again. */
static void plan_raw_fork(struct cage_plan *p)
{
    /* They belong to the calling thread: asked again only when it changes. */
    static void *asked_by;
    static int *tid_addr;
    static void *robust_head;
    static size_t robust_len;
    void *self = tc_thread_pointer();
    if (!self || self != asked_by) {
        int *tid = NULL;
        tid_addr = prctl(PR_GET_TID_ADDRESS, &tid) == 0 && tid && *tid == gettid() ? tid : NULL;
        robust_head = NULL;
        robust_len = 0;
        if (syscall(SYS_get_robust_list, 0, &robust_head, &robust_len) != 0)
            robust_head = NULL;
        asked_by = self;
    }
    p->tid_addr = tid_addr;
    p->robust_head = robust_head;
    p->robust_len = robust_len;
}

static int vm_entry(void *plan)
{
    tc_cage_init(plan);
}

/* Blocked in a read, the runner's libc and heap are at rest for a copy. */
static void park(int fd)
{
    char b;
    while (read(fd, &b, 1) < 0 && errno == EINTR)
        ;
}

/* Clones the init sharing our memory, on its own stack with its own copy
 * of the plan, and holds still until it has cloned the body. */
static pid_t clone_vm(struct tc_clone *cl, const struct cage_plan *p, unsigned long flags)
{
    int sv[2];
    if (!cl->stack && !(cl->stack = stack_take()))
        return -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    /* Tracked before the clone: later cages' inits close our end. */
    if ((cl->park_fd = tc_fds_track(sv[0])) < 0) {
        close(sv[1]);
        return -1;
    }
    char *top = cl->stack + INIT_STACK - sizeof(*p);
    struct cage_plan *copy = (struct cage_plan *)(void *)(top - ((uintptr_t)top & 63));
    tc_plan_copy(copy, p);
    copy->vm = true;
    copy->park_fd = sv[1];
    pid_t pid = clone(vm_entry, copy, (int)(flags | CLONE_VM | SIGCHLD), copy);
    int err = errno;
    close(sv[1]);
    if (pid > 0)
        park(cl->park_fd);
    else
        tc_fds_close(&cl->park_fd);
    errno = err;
    return pid;
}

pid_t tc_clone_init(struct tc_clone *cl, struct cage_plan *p, unsigned long flags)
{
    plan_raw_fork(p);
    fflush(NULL); /* or buffered output would be printed by the child too */
    if (tc_clone_vm_usable())
        return clone_vm(cl, p, flags);
    /* A fork with namespace flags: no CLONE_VM, so no stack to hand over. */
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0)
        tc_cage_init(p);
    return pid;
}

void tc_clone_hold_still(const struct tc_clone *cl)
{
    char b = 'h';
    /* MSG_NOSIGNAL: an init killed since its request must not kill us. */
    if (cl->park_fd >= 0 && send(cl->park_fd, &b, 1, MSG_NOSIGNAL) == 1)
        park(cl->park_fd);
}

void tc_clone_release(struct tc_clone *cl, bool init_gone)
{
    tc_fds_close(&cl->park_fd);
    if (cl->stack && init_gone)
        stack_give(cl->stack); /* else an init may still run on it: leave it */
    cl->stack = NULL;
}
