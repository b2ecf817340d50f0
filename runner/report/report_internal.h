/* report_internal.h - the reporters' common model: finished cases go in, in
 * declaration order; console, TAP, JUnit XML and JSON come out. */
#ifndef TESTCAGE_REPORT_INTERNAL_H
#define TESTCAGE_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <testcage/testcage.h>

/* One finished case. `suite` is the binary or cmocka group, `name` the
 * case; the result is only borrowed for the duration of the call. */
typedef struct tc_case {
    const char *suite;
    const char *name;
    const testcage_result *result;
} tc_case;

typedef struct tc_summary {
    size_t total, passed, failed, skipped, timed_out, crashed, setup_errors, leaky;
    double duration; /* wall-clock seconds for the whole run */
    bool shuffled;   /* --shuffle: the cases ran in the order of `seed` */
    unsigned seed;
    unsigned rounds;      /* --repeat / --until-fail: rounds run (total counts runs); 0: none */
    size_t failing_cases; /* with rounds: distinct cases with at least one failed run */
    unsigned shard_index, shard_total; /* this run is one shard; total 0: not sharded */
} tc_summary;

/* Adds one case's outcome to the counters. */
void tc_summary_add(tc_summary *sum, const testcage_result *result);

/* Failed in the sense of the exit status: anything but pass or skip. */
bool tc_result_failed(const testcage_result *result);

/* One line on why a case ended as it did, for messages: the first failure
 * record, "exited with status 1", "killed by signal SIGSEGV", "timed out
 * after 2.0 s, SIGKILL needed", the setup error, the skip reason. */
void tc_result_reason(const testcage_result *result, char *buf, size_t len);

/* "SIGSEGV" (or "signal 99" when unknown), written into buf. */
const char *tc_signal_name(int sig, char *buf, size_t len);

typedef struct tc_reporter tc_reporter;
struct tc_reporter {
    /* total = number of cases that will be reported (for TAP's plan). */
    void (*begin)(tc_reporter *r, const char *suite, size_t total);
    /* Called as a case is started (console shows [ RUN ] only when -v). */
    void (*case_start)(tc_reporter *r, const char *suite, const char *name);
    void (*case_done)(tc_reporter *r, const tc_case *c);
    /* Returns 0, or -1 when the output could not be written (the caller
     * reports it and exits non-zero). */
    int (*end)(tc_reporter *r, const tc_summary *sum);
    void (*destroy)(tc_reporter *r);
};

struct tc_console_opts {
    int verbosity;      /* -1 quiet, 0 default, 1 verbose (show all output) */
    bool color;         /* caller decides: isatty && !NO_COLOR */
    bool progress;      /* live progress line (terminal only) */
    const char *prefix; /* "testcage: " for the CLI's one-line messages */
};

tc_reporter *tc_reporter_console_new(FILE *out, const struct tc_console_opts *opts);
tc_reporter *tc_reporter_tap_new(FILE *out);
tc_reporter *tc_reporter_junit_new(const char *path); /* NULL + errno on failure */
tc_reporter *tc_reporter_json_new(const char *path);

/* The one-line-per-leak report used by the CLI and the console reporter:
 *   <prefix>leaked process sleep (pid 5): sleep 1000
 *   <prefix>leaked file /tmp/x (12 bytes)
 *   <prefix>leaked IPC shm key 0x00001234 (id 3)
 *   <prefix>... and N more leaked files
 */
void tc_print_leaks(FILE *out, const char *prefix, const testcage_result *result);

/* Line i (from 0) of that report, without prefix or newline, into buf
 * (truncated to len; control characters become '?'). Returns false past
 * the last line. Lets the XML and TAP writers word leaks the same way
 * without allocating per case. */
bool tc_leak_line(const testcage_result *result, size_t i, char *buf, size_t len);

/* Escaping for the machine formats; each writes to out and returns 0/-1.
 * Invalid UTF-8 and characters the format cannot carry become U+FFFD.
 * tc_xml_escape is for text content (keeps tab and newline readable);
 * tc_xml_escape_attr is for attribute values (encodes them as &#9; &#10;
 * so attribute-value normalisation does not eat them). */
int tc_xml_escape(FILE *out, const char *s, size_t len);
int tc_xml_escape_attr(FILE *out, const char *s, size_t len);
int tc_json_escape(FILE *out, const char *s, size_t len);

/* Length (1-4) of the well-formed UTF-8 sequence at s, or 0 when the bytes
 * there are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, cut). */
size_t tc_utf8_len(const char *s, size_t len);

#endif
