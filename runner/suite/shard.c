/* shard.c - --shard I/N: case k (global declaration index, counted across
 * every cmocka group of the binary) belongs to shard k mod N, so shards
 * 0..N-1 together run each case exactly once and stay balanced. */
#include "suite_internal.h"

bool tc_shard_match(const tc_suite_opts *o, size_t index)
{
    if (o->shard_total == 0)
        return true;
    return index % o->shard_total == o->shard_index;
}
