/* soak_cases.c - 10,000 TESTCAGE_TEST cases (c0000..c9999) expanded by the
 * preprocessor; case n behaves by n % 10 (see soak_kind) for the soak test. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <testcage/test.h>

/* n % 10: 0-4 pass, 5 testcage_fail, 6 abort, 7 SIGSEGV, 8 leaks a /tmp file,
 * 9 leaks a background child. The soak script derives expectations the same way. */
static int soak_case(const char *name)
{
    long n = strtol(name + 1, NULL, 10);
    switch (n % 10) {
    case 5:
        testcage_fail("case %ld fails on purpose", n);
    case 6:
        abort();
    case 7: {
        volatile int *volatile p = NULL;
        *p = 1; /* a real SIGSEGV */
        return 1;
    }
    case 8: {
        char path[64];
        snprintf(path, sizeof path, "/tmp/soak-%ld", n);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, "x", 1) != 1)
            testcage_fail("cannot write %s", path);
        close(fd);
        return 0;
    }
    case 9: {
        pid_t pid = fork();
        if (pid < 0)
            testcage_fail("fork failed");
        if (pid == 0) {
            for (;;)
                pause();
        }
        return 0;
    }
    default:
        return 0;
    }
}

#define SOAK_CASE(id)                                                                              \
    TESTCAGE_TEST(id)                                                                              \
    {                                                                                              \
        return soak_case(#id);                                                                     \
    }
#define SOAK_10(p)                                                                                 \
    SOAK_CASE(p##0)                                                                                \
    SOAK_CASE(p##1)                                                                                \
    SOAK_CASE(p##2)                                                                                \
    SOAK_CASE(p##3)                                                                                \
    SOAK_CASE(p##4)                                                                                \
    SOAK_CASE(p##5)                                                                                \
    SOAK_CASE(p##6)                                                                                \
    SOAK_CASE(p##7)                                                                                \
    SOAK_CASE(p##8)                                                                                \
    SOAK_CASE(p##9)
#define SOAK_100(p)                                                                                \
    SOAK_10(p##0)                                                                                  \
    SOAK_10(p##1)                                                                                  \
    SOAK_10(p##2)                                                                                  \
    SOAK_10(p##3)                                                                                  \
    SOAK_10(p##4)                                                                                  \
    SOAK_10(p##5)                                                                                  \
    SOAK_10(p##6)                                                                                  \
    SOAK_10(p##7)                                                                                  \
    SOAK_10(p##8)                                                                                  \
    SOAK_10(p##9)
#define SOAK_1000(p)                                                                               \
    SOAK_100(p##0)                                                                                 \
    SOAK_100(p##1)                                                                                 \
    SOAK_100(p##2)                                                                                 \
    SOAK_100(p##3)                                                                                 \
    SOAK_100(p##4)                                                                                 \
    SOAK_100(p##5)                                                                                 \
    SOAK_100(p##6)                                                                                 \
    SOAK_100(p##7)                                                                                 \
    SOAK_100(p##8)                                                                                 \
    SOAK_100(p##9)

SOAK_1000(c0)
SOAK_1000(c1)
SOAK_1000(c2)
SOAK_1000(c3)
SOAK_1000(c4)
SOAK_1000(c5)
SOAK_1000(c6)
SOAK_1000(c7)
SOAK_1000(c8)
SOAK_1000(c9)
