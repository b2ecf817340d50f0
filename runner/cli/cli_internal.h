/* cli_internal.h - the CLI's settings, filled from the option table (the
 * environment first, then the command line), and `testcage --enter`. */
#ifndef TESTCAGE_CLI_INTERNAL_H
#define TESTCAGE_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <testcage/testcage.h>

#define TC_CLI_PREFIX   "testcage: "
#define TC_CLI_MAX_KEEP 16

typedef struct tc_cli {
    testcage_opts o;
    int verbosity; /* -1 quiet, 0, 1 verbose */
    const char *json, *junit, *wrap;
    bool valgrind, help, version;
    char tmp_size[64];
    const char *keep[TC_CLI_MAX_KEEP + 1];
    size_t nkeep;
    const char *enter_pid; /* --enter PID [CMD...] */
    char **enter_cmd;
    char *wrap_copy;
    const char **argv; /* wrapper words + PROGRAM + ARGS */
} tc_cli;

/* Defaults, then TESTCAGE_* and argv (flags win). Returns 0 with *first the
 * index of PROGRAM (== argc when none), or an exit status after a one-line
 * error. Stops at --help, --version and --enter (see the fields). */
int tc_cli_options(tc_cli *c, int argc, char **argv, int *first);
void tc_cli_usage(FILE *out);
/* Prints "testcage: <message> (see testcage --help)" and returns exit 125. */
int tc_cli_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* `testcage --enter PID [CMD...]`: returns CMD's exit status (enter.c). */
int tc_enter_cage(const char *pid, char **cmd);

#endif
