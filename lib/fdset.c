/* fdset.c - the fds the runner holds for its cages, recorded so that every
 * new cage init can close its copies of them (a leaf: knows no cage). */
#include "testcage_internal.h"
#include "rawsys.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORD_BITS (sizeof(unsigned long) * CHAR_BIT)

/* One bit per fd number. Only the runner writes it; an init that shares
 * the runner's memory reads it while the runner holds still. */
static unsigned long *bits;
static size_t nwords;
static size_t ntracked; /* none left: the table is freed (nothing reachable at exit) */

int tc_fds_track(int fd)
{
    if (fd < 0)
        return fd;
    size_t word = (size_t)fd / WORD_BITS;
    if (word >= nwords) {
        size_t want = word + 1 > nwords * 2 ? word + 1 : nwords * 2;
        unsigned long *grown = realloc(bits, want * sizeof(*bits));
        if (!grown) {
            close(fd);
            errno = ENOMEM;
            return -1;
        }
        memset(grown + nwords, 0, (want - nwords) * sizeof(*bits));
        bits = grown;
        nwords = want;
    }
    unsigned long bit = 1UL << ((size_t)fd % WORD_BITS);
    ntracked += !(bits[word] & bit);
    bits[word] |= bit;
    return fd;
}

void tc_fds_close(int *fd)
{
    if (*fd < 0)
        return;
    size_t word = (size_t)*fd / WORD_BITS;
    unsigned long bit = 1UL << ((size_t)*fd % WORD_BITS);
    if (word < nwords && (bits[word] & bit)) {
        bits[word] &= ~bit;
        if (--ntracked == 0) {
            free(bits);
            bits = NULL;
            nwords = 0;
        }
    }
    close(*fd);
    *fd = -1;
}

void tc_fds_close_inherited(void)
{
    for (size_t w = 0; w < nwords; w++)
        for (size_t b = 0; b < WORD_BITS; b++)
            if (bits[w] & (1UL << b))
                tc_sys(SYS_close, (long)(w * WORD_BITS + b));
}
