/* drvprog.c - `drvprog MODE` or a copy named drv-MODE: one plain test program
 * for the Meson and Automake drivers. pass, skip (77), hard (99), fail (1),
 * litter (two files in /dev/shm, passes), hang (sleeps 60 s), linked (calls
 * libtestcage). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef DRV_LINKED
#include <testcage/testcage.h>
#endif

static int litter(void)
{
    for (int i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/dev/shm/drvprog-litter-%d", i);
        FILE *f = fopen(path, "w");
        if (!f || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *mode = argc > 1 ? argv[1] : strncmp(base, "drv-", 4) == 0 ? base + 4 : "pass";
    if (strcmp(mode, "pass") == 0)
        return getpid() == 2 ? 0 : 1; /* PID 2: inside a cage */
    if (strcmp(mode, "skip") == 0)
        return 77;
    if (strcmp(mode, "hard") == 0)
        return 99;
    if (strcmp(mode, "fail") == 0)
        return 1;
    if (strcmp(mode, "litter") == 0)
        return litter();
    if (strcmp(mode, "hang") == 0)
        return (int)sleep(60);
#ifdef DRV_LINKED
    if (strcmp(mode, "linked") == 0)
        return strcmp(testcage_status_name(TESTCAGE_PASS), "pass") == 0 ? 0 : 1;
#endif
    fprintf(stderr, "drvprog: unknown mode '%s'\n", mode);
    return 2;
}
