/* wire.c - encoding and bounded, validating decoding of framed records.
 * The decoder faces bytes a test may have forged: it never trusts a length. */
#include "wire_internal.h"
#include "rawsys.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_i64(uint8_t *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(u >> (8 * k));
}

static int64_t get_i64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int k = 7; k >= 0; k--)
        u = u << 8 | p[k];
    return (int64_t)u;
}

size_t wire_encode(uint8_t *out, size_t cap, const struct wire_rec *r)
{
    if (r->nint > WIRE_MAX_INTS || r->nstr > WIRE_MAX_STRS)
        return 0;
    if (cap > WIRE_MAX_FRAME)
        cap = WIRE_MAX_FRAME;
    size_t pos = WIRE_HEADER + 2 + 8 * (size_t)r->nint;
    if (pos + 5 * (size_t)r->nstr > cap)
        return 0;
    size_t need = pos; /* strings are cut only when they do not all fit */
    for (unsigned k = 0; k < r->nstr; k++)
        need += 5 + strlen(r->s[k] ? r->s[k] : "");
    bool fits = need <= cap;
    out[WIRE_HEADER] = (uint8_t)r->nint;
    out[WIRE_HEADER + 1] = (uint8_t)r->nstr;
    for (unsigned k = 0; k < r->nint; k++)
        put_i64(out + WIRE_HEADER + 2 + (size_t)8 * k, r->i[k]);
    for (unsigned k = 0; k < r->nstr; k++) {
        const char *s = r->s[k] ? r->s[k] : "";
        size_t n = strlen(s);
        size_t room = cap - pos - 4 - 1 - (size_t)5 * (r->nstr - k - 1);
        if (!fits && n > room / (r->nstr - k)) /* share what is left among the strings */
            n = room / (r->nstr - k);
        put_u32(out + pos, (uint32_t)(n + 1));
        memcpy(out + pos + 4, s, n);
        out[pos + 4 + n] = 0;
        pos += 4 + n + 1;
    }
    put_u32(out, r->type);
    put_u32(out + 4, (uint32_t)(pos - WIRE_HEADER));
    return pos;
}

static int decode_payload(const uint8_t *p, size_t len, struct wire_rec *r)
{
    if (len < 2 || p[0] > WIRE_MAX_INTS || p[1] > WIRE_MAX_STRS)
        return -1;
    r->nint = p[0];
    r->nstr = p[1];
    size_t pos = 2;
    if (len - pos < 8 * (size_t)r->nint)
        return -1;
    for (unsigned k = 0; k < r->nint; k++, pos += 8)
        r->i[k] = get_i64(p + pos);
    for (unsigned k = 0; k < r->nstr; k++) {
        if (len - pos < 4)
            return -1;
        uint32_t n = get_u32(p + pos);
        pos += 4;
        if (n == 0 || n > len - pos || p[pos + n - 1] != 0 || memchr(p + pos, 0, n - 1))
            return -1;
        r->s[k] = (const char *)p + pos;
        r->slen[k] = n - 1;
        pos += n;
    }
    return pos == len ? 0 : -1;
}

int wire_decode(const uint8_t *buf, size_t len, struct wire_rec *r, size_t *used)
{
    memset(r, 0, sizeof(*r));
    if (len < WIRE_HEADER)
        return 0;
    uint32_t type = get_u32(buf), plen = get_u32(buf + 4);
    if (type == 0 || type >= WIRE_TYPE_MAX || plen > WIRE_MAX_PAYLOAD)
        return -1;
    if (len - WIRE_HEADER < plen)
        return 0;
    r->type = type;
    if (decode_payload(buf + WIRE_HEADER, plen, r) < 0)
        return -1;
    *used = WIRE_HEADER + plen;
    return 1;
}

int wire_send_raw(int fd, const struct wire_rec *r)
{
    uint8_t frame[WIRE_MAX_FRAME];
    size_t n = wire_encode(frame, sizeof(frame), r);
    if (n == 0)
        return -EINVAL;
    for (size_t off = 0; off < n;) {
        long w = tc_sys(SYS_write, fd, frame + off, n - off);
        if (w == -EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? (int)w : -EPIPE;
        off += (size_t)w;
    }
    return 0;
}

int wire_send(int fd, const struct wire_rec *r)
{
    int rc = wire_send_raw(fd, r);
    if (rc < 0)
        errno = -rc;
    return rc < 0 ? -1 : 0;
}

void wire_reader_init(struct wire_reader *rd)
{
    rd->len = 0;
    rd->corrupt = rd->eof = false;
}

int wire_reader_fill(struct wire_reader *rd, int fd)
{
    for (;;) {
        uint8_t sink[4096];
        uint8_t *dst = rd->corrupt ? sink : rd->buf + rd->len;
        size_t room = rd->corrupt ? sizeof(sink) : sizeof(rd->buf) - rd->len;
        if (room == 0)
            return 0; /* a full frame is waiting to be taken */
        ssize_t n = read(fd, dst, room);
        if (n > 0) {
            if (!rd->corrupt)
                rd->len += (size_t)n;
            continue;
        }
        if (n == 0) {
            rd->eof = true;
            return 1;
        }
        if (errno == EINTR)
            continue;
        return errno == EAGAIN ? 0 : -1;
    }
}

int wire_reader_next(struct wire_reader *rd, struct wire_rec *r)
{
    size_t used = 0;
    if (rd->corrupt)
        return 0;
    int rc = wire_decode(rd->buf, rd->len, r, &used);
    if (rc < 0 || (rc == 0 && rd->len == sizeof(rd->buf))) {
        rd->corrupt = true;
        rd->len = 0;
        return 0;
    }
    if (rc == 0)
        return 0;
    memcpy(rd->frame, rd->buf, used);
    memmove(rd->buf, rd->buf + used, rd->len - used);
    rd->len -= used;
    /* Re-point the strings at the stable copy. */
    return wire_decode(rd->frame, used, r, &used);
}

int wire_send_error(int fd, uint32_t type, long err, const char *what)
{
    struct wire_rec r = {.type = type, .nint = 1, .nstr = 1, .i = {err < 0 ? -err : err}};
    r.s[0] = what;
    return wire_send_raw(fd, &r);
}
