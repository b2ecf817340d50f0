/* cmocka_internal.h - finding every cmocka group of a binary before the first
 * one runs (for --list, the TAP plan and one report per binary). */
#ifndef TESTCAGE_CMOCKA_INTERNAL_H
#define TESTCAGE_CMOCKA_INTERNAL_H

#include <stddef.h>

#include <testcage/cmocka.h>

typedef struct tc_cm_group {
    const char *name;
    size_t n;
    const char **cases;
} tc_cm_group;

typedef struct tc_cm_discovery {
    char *buf; /* NUL-separated records the names point into */
    tc_cm_group *groups;
    size_t ngroups;
    const char **names;
} tc_cm_discovery;

/* Forks a child that runs the rest of main() only recording each group.
 * Returns 1 in that child (*child_fd: where to record), 0 in the parent with
 * *d filled in, -1 when discovery failed (*d is then empty). */
int tc_cm_discover(tc_cm_discovery *d, int *child_fd);

/* In the discovery child: one group's record. */
void tc_cm_discover_record(int fd, const char *group, const struct CMUnitTest *tests, size_t n);

void tc_cm_discovery_free(tc_cm_discovery *d);

#endif
