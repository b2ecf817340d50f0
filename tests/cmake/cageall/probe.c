/* probe.c - a test that passes only inside a testcage cage: pid 2, caged
 * environment, the host's /tmp hidden; leaves a marker the host must not see. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

static void expect(int ok, const char *name, const char *what)
{
    if (!ok) {
        printf("probe %s: NOT caged: %s\n", name, what);
        failures++;
    }
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "unnamed";
    const char *in_cage = getenv("TESTCAGE_IN_CAGE");
    const char *sentinel = getenv("CAGEALL_SENTINEL");
    const char *timeout = getenv("TESTCAGE_TIMEOUT");
    const char *want_timeout = argc > 2 ? argv[2] : "1500";
    char marker[256];

    expect(getpid() == 2, name, "pid is not 2");
    expect(in_cage != NULL && strcmp(in_cage, "1") == 0, name, "TESTCAGE_IN_CAGE is not 1");
    expect(sentinel != NULL, name, "CAGEALL_SENTINEL not passed through");
    expect(sentinel == NULL || access(sentinel, F_OK) != 0, name, "the host's /tmp is visible");
    expect(timeout != NULL && strcmp(timeout, want_timeout) == 0, name,
           "TESTCAGE_TIMEOUT is not the expected cage limit");
    snprintf(marker, sizeof(marker), "/tmp/cageall-marker-%s", name);
    FILE *f = fopen(marker, "w");
    expect(f != NULL, name, "cannot write to /tmp");
    if (f != NULL)
        fclose(f);
    if (failures == 0)
        printf("probe %s: caged\n", name);
    return failures == 0 ? 0 : 1;
}
