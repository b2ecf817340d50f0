/* case_end.c - how a function body proves its case function returned: it
 * writes the cage's token into a word of memory shared with the runner.
 * Memory, not a pipe: a case that closed every fd still ends honestly, and
 * bytes a test writes anywhere cannot claim that the case finished. */
#include "testcage_internal.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* One page of slots, shared (MAP_SHARED survives every fork and clone) with
 * all bodies; enough for any -j. */
#define END_SLOTS (4096 / sizeof(uint64_t))

static volatile uint64_t *slots;
static unsigned char used[END_SLOTS];

volatile uint64_t *tc_case_end_take(uint64_t *token)
{
    static uint64_t key, seq;
    if (!slots) {
        void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED)
            return NULL;
        slots = page;
    }
    if (!key && getrandom(&key, sizeof(key), 0) != (ssize_t)sizeof(key))
        key = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
    for (size_t k = 0; k < END_SLOTS; k++) {
        if (!used[k]) {
            used[k] = 1;
            slots[k] = 0;
            *token = key ^ (++seq * 0x9e3779b97f4a7c15ULL);
            return &slots[k];
        }
    }
    return NULL; /* more live cages than slots: that cage goes unchecked */
}

bool tc_case_end_seen(volatile uint64_t *slot, uint64_t token)
{
    return slot && *slot == token;
}

void tc_case_end_give(volatile uint64_t *slot)
{
    if (slot) {
        *slot = 0;
        used[slot - slots] = 0;
    }
}
