/* capture.c - a case's captured stdout and stderr, bounded: the first
 * bytes and a ring of the last ones are kept, the middle is counted. */
#include "testcage_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tc_capture_init(struct tc_capture *cp, size_t limit)
{
    if (limit < 1024)
        limit = 1024;
    cp->head_cap = limit / 4;
    cp->tail_cap = limit - cp->head_cap;
    cp->head = malloc(cp->head_cap);
    cp->tail = malloc(cp->tail_cap);
    return cp->head && cp->tail ? 0 : -1;
}

void tc_capture_add(struct tc_capture *cp, const char *buf, size_t n)
{
    cp->total += n;
    size_t h = cp->head_cap - cp->head_len < n ? cp->head_cap - cp->head_len : n;
    memcpy(cp->head + cp->head_len, buf, h);
    cp->head_len += h;
    for (size_t k = h; k < n && cp->tail_cap; k++) {
        cp->tail[cp->tail_pos % cp->tail_cap] = buf[k];
        cp->tail_pos++;
    }
}

void tc_capture_finish(struct tc_capture *cp, testcage_result *r)
{
    size_t tail_len = cp->tail_pos < cp->tail_cap ? cp->tail_pos : cp->tail_cap;
    r->output_dropped = cp->total - cp->head_len - tail_len;
    char note[80] = "";
    if (r->output_dropped)
        snprintf(note, sizeof(note), "\n[testcage: %zu bytes of output omitted]\n",
                 r->output_dropped);
    size_t len = cp->head_len + strlen(note) + tail_len;
    r->output = malloc(len + 1);
    if (!r->output)
        return;
    memcpy(r->output, cp->head, cp->head_len);
    memcpy(r->output + cp->head_len, note, strlen(note));
    char *dst = r->output + cp->head_len + strlen(note);
    size_t first = cp->tail_pos - tail_len; /* oldest byte still in the ring */
    for (size_t k = 0; k < tail_len; k++)
        dst[k] = cp->tail[(first + k) % cp->tail_cap];
    r->output[len] = 0;
    r->output_len = len;
}

void tc_capture_free(struct tc_capture *cp)
{
    free(cp->head);
    free(cp->tail);
    cp->head = cp->tail = NULL;
}
