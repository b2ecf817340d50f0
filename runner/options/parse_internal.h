/* parse_internal.h - parsers for option values shared by the CLI and the
 * linked runner; each returns 0, or -1 with a one-line reason in err. */
#ifndef TESTCAGE_PARSE_INTERNAL_H
#define TESTCAGE_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <testcage/testcage.h>

/* Exit codes shared by every front end (documented in the README). */
enum {
    TC_EXIT_LEAKS = 122,   /* leaks under --leaks=fail turned a pass into a failure */
    TC_EXIT_TIMEOUT = 124, /* the wall-clock limit was reached */
    TC_EXIT_SETUP = 125,   /* bad option or the cage could not be set up */
    TC_EXIT_NOEXEC = 126,  /* PROGRAM is not executable */
    TC_EXIT_NOENT = 127,   /* PROGRAM was not found */
};

/* Says once, on stderr, what isolation this machine denies the cages co
 * describes, why, and how to get it (nothing under -q); with require it
 * refuses instead. Returns 0, or TC_EXIT_SETUP when nothing may run. */
int tc_say_isolation(const testcage_opts *co, bool require, int verbosity);
/* A case's message minus the notice: the notice is said here when the
 * start did not (a case found out); returns what is left to say, or NULL. */
const char *tc_isolation_news(const testcage_result *r, int verbosity);
/* The notice, said as soon as a cage found it out (the CLI asks after each
 * dispatch, so it comes before the program's own output). */
void tc_isolation_found(int verbosity);

/* "1.5", "90", "250ms", "2s", "1m": seconds as a double, >= 0, finite. */
int tc_parse_duration(const char *s, double *out, char *err, size_t errlen);

/* "64m", "1G", "4096", "10%": validated and normalised for tmpfs size=. */
int tc_parse_size(const char *s, char *out, size_t outlen, char *err, size_t errlen);

/* "512m", "1G", "65536", "4k": a byte count (no percentages). */
int tc_parse_bytes(const char *s, uint64_t *out, char *err, size_t errlen);

/* "pid,mount,ipc", "none", "+net" (added to the default), "-ipc": bits. */
int tc_parse_namespaces(const char *s, unsigned *out, char *err, size_t errlen);

/* --clock-offset "monotonic=S,boottime=S" (either may be left out):
 * seconds, negative where the clock stays >= 0. */
int tc_parse_clock_offset(const char *s, int64_t *mono, int64_t *boot, char *err, size_t errlen);

/* "warn" | "fail" | "ignore". */
int tc_parse_leaks(const char *s, enum testcage_leak_policy *out, char *err, size_t errlen);

/* "I/N" with 0 <= I < N. */
int tc_parse_shard(const char *s, unsigned *index, unsigned *total, char *err, size_t errlen);

/* --color: "auto" (0), "always" (1), "never" (2). */
enum tc_color { TC_COLOR_AUTO, TC_COLOR_ALWAYS, TC_COLOR_NEVER };
int tc_parse_color(const char *s, enum tc_color *out, char *err, size_t errlen);
/* --tap-exit: "failures" (false) or "stream" (true). */
int tc_parse_tap_exit(const char *s, bool *stream, char *err, size_t errlen);

/* A non-negative integer that fits in int (for -j). */
int tc_parse_count(const char *s, int *out, char *err, size_t errlen);

/* --repeat / --until-fail: 1 .. 1000000 rounds. */
int tc_parse_rounds(const char *s, unsigned *out, char *err, size_t errlen);

/* --seed: 0 .. 4294967295. */
int tc_parse_seed(const char *s, unsigned *out, char *err, size_t errlen);

/* The exit status a front end reports for one finished cage. */
int tc_exit_status(const testcage_result *result);

#endif
