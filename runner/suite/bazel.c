/* bazel.c - the Bazel test protocol's marker files: TEST_PREMATURE_EXIT_FILE
 * exists while the run is under way, TEST_SHARD_STATUS_FILE says we shard. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "suite_internal.h"

static int touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", program_invocation_short_name, path,
                strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* Tells Bazel this binary understands its sharding variables. */
int tc_bazel_ack_shard(const tc_suite_opts *o)
{
    if (o->shard_total && o->shard_status_file)
        return touch(o->shard_status_file);
    return 0;
}

int tc_bazel_start(const tc_suite_opts *o)
{
    if (o->premature_exit_file && touch(o->premature_exit_file) < 0)
        return -1;
    return tc_bazel_ack_shard(o);
}

/* Only a run that reached its end removes the marker; an interrupted or
 * crashed runner leaves it, which is what tells Bazel it died early. */
void tc_bazel_finish(const tc_suite_opts *o)
{
    if (o->premature_exit_file && unlink(o->premature_exit_file) < 0 && errno != ENOENT)
        fprintf(stderr, "%s: cannot remove %s: %s\n", program_invocation_short_name,
                o->premature_exit_file, strerror(errno));
}
