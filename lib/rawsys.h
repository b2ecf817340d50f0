/* rawsys.h - system calls that touch no libc state: no errno, no TLS, no locks.
 * The cage init may share the runner's memory (CLONE_VM) and uses only these. */
#ifndef TESTCAGE_RAWSYS_H
#define TESTCAGE_RAWSYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>

/* Every call returns the kernel's value: >= 0, or -errno. */
#if defined(__x86_64__)
#define TC_RAW_SYSCALLS 1
static inline long tc_sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
static inline void *tc_thread_pointer(void)
{
    void *tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
}
#elif defined(__aarch64__)
#define TC_RAW_SYSCALLS 1
static inline long tc_sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory", "cc");
    return x0;
}
static inline void *tc_thread_pointer(void)
{
    void *tp;
    __asm__("mrs %0, tpidr_el0" : "=r"(tp));
    return tp;
}
#else
/* Elsewhere the init never shares the runner's memory, so libc's errno is
 * its own and syscall() will do. */
#define TC_RAW_SYSCALLS 0
#include <errno.h>
#include <unistd.h>
static inline long tc_sys6(long n, long a, long b, long c, long d, long e, long f)
{
    long r = syscall(n, a, b, c, d, e, f);
    return r < 0 ? -errno : r;
}
static inline void *tc_thread_pointer(void)
{
    return NULL;
}
#endif

#define TC_SYS_(n, a, b, c, d, e, f, ...)                                                          \
    tc_sys6((long)(n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define tc_sys(...) TC_SYS_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

/* A fork: the child goes on on a copy of the caller's stack. With ctid the
 * kernel stores the child's tid there (in the child's memory), as glibc's
 * fork() does for its thread descriptor. ns: namespace flags for the child. */
static inline long tc_raw_fork_ns(int *ctid, unsigned long ns)
{
    unsigned long flags = 17 /* SIGCHLD */ | ns;
    if (ctid)
        flags |= 0x01000000 /* CLONE_CHILD_SETTID */ | 0x00200000 /* CLONE_CHILD_CLEARTID */;
#if defined(__aarch64__)
    return tc_sys(SYS_clone, flags, 0, 0, 0, ctid);
#else
    return tc_sys(SYS_clone, flags, 0, 0, ctid, 0);
#endif
}

static inline long tc_raw_fork(int *ctid)
{
    return tc_raw_fork_ns(ctid, 0);
}

/* Fills what with fmt, its one "%s" replaced by arg; returns err (< 0).
 * Plain copying, no libc: an init that shares the runner's memory uses it. */
static inline int tc_raw_describe(char *what, size_t len, const char *fmt, const char *arg,
                                  long err)
{
    size_t n = 0;
    for (const char *f = fmt; *f && n + 1 < len; f++) {
        if (f[0] == '%' && f[1] == 's') {
            for (const char *a = arg; *a && n + 1 < len; a++)
                what[n++] = *a;
            f++;
        } else {
            what[n++] = *f;
        }
    }
    what[n] = 0;
    return (int)err;
}

/* Writes v in decimal at out (no terminator); returns the length. */
static inline size_t tc_raw_decimal(char *out, unsigned long v)
{
    char digits[24];
    size_t d = 0;
    do
        digits[d++] = (char)('0' + v % 10);
    while ((v /= 10) && d < sizeof(digits));
    for (size_t k = 0; k < d; k++)
        out[k] = digits[d - 1 - k];
    return d;
}

/* The directory entries getdents64 fills in. */
struct tc_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

#endif
