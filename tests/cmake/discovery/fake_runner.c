/* fake_runner.c - speaks the linked runner's --list/--run protocol without a
 * cage, to test testcage_discover_tests() on its own. FAKE_MODE: 0 lists,
 * 1 fails to list, 2 hangs in --list, 3 lists only when FAKE_CAN_RUN=1. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const cases[] = {"alpha/one", "alpha/two", "beta/skips", "odd name [x]=]"};

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        if (FAKE_MODE == 1) {
            fprintf(stderr, "boom: this runner cannot list\n");
            return 3;
        }
        if (FAKE_MODE == 2) {
            printf("alpha/one\n");
            fflush(stdout);
            for (;;)
                pause();
        }
        if (FAKE_MODE == 3 && getenv("FAKE_CAN_RUN") == NULL) {
            fprintf(stderr, "cannot run here: FAKE_CAN_RUN is not set\n");
            return 4;
        }
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            printf("%s\n", cases[i]);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--run") == 0) {
        const char *prop = getenv("FAKE_PROP");
        if (prop == NULL || strcmp(prop, "yes") != 0) {
            printf("PROPERTIES did not reach the test\n");
            return 1;
        }
        for (int i = 3; i < argc; i++)
            printf("arg %s\n", argv[i]);
        const char *limit = getenv("TESTCAGE_TIMEOUT");
        printf("env TESTCAGE_TIMEOUT=%s\n", limit ? limit : "(unset)");
        if (strcmp(argv[2], "beta/skips") == 0)
            return 77;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            if (strcmp(argv[2], cases[i]) == 0)
                return 0;
        printf("no case %s\n", argv[2]);
        return 1;
    }
    return 2;
}
