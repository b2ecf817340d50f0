/* legacy_test.c - a classic test program (exit 0 = pass, 77 = skip) that knows
 * nothing about testcage; testcage_add_test() runs it in a cage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        failures++;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--skip") == 0) {
        printf("skipping: nothing to test here\n");
        return 77;
    }
    check(strlen("testcage") == 8, "strlen");
    check(atoi("42") == 42, "atoi");
    const char *caged = getenv("TESTCAGE_IN_CAGE");
    check(caged != NULL && strcmp(caged, "1") == 0, "runs in a cage");
    return failures == 0 ? 0 : 1;
}
