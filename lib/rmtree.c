/* rmtree.c - removing a directory tree (the fork-only mode's private
 * TMPDIR), best effort: what can be removed is. */
#include "testcage_internal.h"

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int unlink_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path); /* best effort: go on with the rest of the tree */
    else
        unlink(path);
    return 0;
}

int tc_remove_tree(const char *dir)
{
    return nftw(dir, unlink_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
