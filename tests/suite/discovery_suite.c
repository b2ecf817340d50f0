/* discovery_suite.c - two cmocka groups and main() code after each call,
 * which appends "after GROUP PID" to $DISCOVERY_LOG: the discovery child
 * runs main() again, so the log tells whether (and where) discovery ran. */
#include <testcage/cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void logged(const char *group)
{
    const char *path = getenv("DISCOVERY_LOG");
    FILE *f = path ? fopen(path, "ae") : NULL;
    if (!f) {
        perror("DISCOVERY_LOG");
        exit(99);
    }
    fprintf(f, "after %s %d\n", group, (int)getpid());
    fclose(f);
}

static void passes(void **state)
{
    (void)state;
}

static void waits(void **state)
{
    (void)state;
    sleep(60); /* until the runner's teardown ends it */
}

int main(void)
{
    const struct CMUnitTest first[] = {cmocka_unit_test(passes), cmocka_unit_test(waits)};
    const struct CMUnitTest second[] = {cmocka_unit_test(passes), cmocka_unit_test(waits)};
    int failed = testcage_run_group_tests(first, NULL, NULL);
    logged("first");
    failed += testcage_run_group_tests(second, NULL, NULL);
    logged("second");
    return failed;
}
