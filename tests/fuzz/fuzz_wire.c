/* fuzz_wire.c - libFuzzer target for the record decoder: wire_decode over
 * arbitrary bytes (every decoded record re-encodes to the same frame) and the
 * pipe reader fed the same bytes in chunks (never more records than exist). */
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire_internal.h"

static void check_record(const uint8_t *frame, size_t used, const struct wire_rec *r)
{
    assert(used >= WIRE_HEADER + 2 && used <= WIRE_MAX_FRAME);
    assert(r->type > 0 && r->type < WIRE_TYPE_MAX);
    assert(r->nint <= WIRE_MAX_INTS && r->nstr <= WIRE_MAX_STRS);
    for (unsigned k = 0; k < r->nstr; k++) {
        assert((const uint8_t *)r->s[k] >= frame && (const uint8_t *)r->s[k] < frame + used);
        assert(strlen(r->s[k]) == r->slen[k]);
    }
    /* Re-encoding gives a frame that decodes to the same record; strings
     * may only be cut, never changed. */
    static uint8_t again[WIRE_MAX_FRAME];
    size_t n = wire_encode(again, sizeof(again), r);
    assert(n > 0 && n <= used);
    struct wire_rec d;
    size_t used2 = 0;
    assert(wire_decode(again, n, &d, &used2) == 1 && used2 == n);
    assert(d.type == r->type && d.nint == r->nint && d.nstr == r->nstr);
    for (unsigned k = 0; k < r->nint; k++)
        assert(d.i[k] == r->i[k]);
    for (unsigned k = 0; k < r->nstr; k++)
        assert(d.slen[k] <= r->slen[k] && memcmp(d.s[k], r->s[k], d.slen[k]) == 0);
}

/* Decodes frames back to back; returns how many were valid before the
 * first bad or incomplete one. */
static size_t decode_all(const uint8_t *data, size_t size)
{
    size_t off = 0, count = 0;
    for (;;) {
        struct wire_rec r;
        size_t used = 0;
        int rc = wire_decode(data + off, size - off, &r, &used);
        if (rc != 1) {
            assert(rc == 0 || rc == -1);
            return count;
        }
        assert(used <= size - off);
        check_record(data + off, used, &r);
        off += used;
        count++;
    }
}

static struct wire_reader rd;

/* The same bytes through a non-blocking pipe, in chunks sized by the data. */
static size_t read_all(const uint8_t *data, size_t size)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        abort();
    memset(&rd, 0, sizeof(rd));
    size_t off = 0, count = 0;
    unsigned chunk = size ? data[0] % 61 + 1 : 1;
    for (;;) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (n && write(p[1], data + off, n) != (ssize_t)n)
            abort();
        off += n;
        if (off == size && p[1] >= 0) {
            close(p[1]);
            p[1] = -1;
        }
        int rc = wire_reader_fill(&rd, p[0]);
        assert(rc == 0 || rc == 1);
        struct wire_rec r;
        while (wire_reader_next(&rd, &r) == 1) {
            assert(!rd.corrupt);
            assert(strlen(r.nstr ? r.s[0] : "") == (r.nstr ? r.slen[0] : 0));
            count++;
        }
        assert(rd.len <= sizeof(rd.buf));
        if (rc == 1)
            break;
    }
    close(p[0]);
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t decoded = decode_all(data, size);
    size_t read = read_all(data, size);
    /* The reader takes exactly the frames the decoder accepts in a row. */
    assert(read == decoded);
    return 0;
}
