/* test_wire.c - the framed record format: round trips for every record type,
 * and a decoder and pipe reader that reject every malformed frame. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wire_internal.h"

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/* A frame with the given header and payload, built by hand. */
static size_t raw_frame(uint8_t *out, uint32_t type, const uint8_t *payload, size_t plen)
{
    put_u32(out, type);
    put_u32(out + 4, (uint32_t)plen);
    memcpy(out + WIRE_HEADER, payload, plen);
    return WIRE_HEADER + plen;
}

static void check_same(const struct wire_rec *a, const struct wire_rec *b)
{
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->nint, b->nint);
    assert_int_equal(a->nstr, b->nstr);
    for (unsigned k = 0; k < a->nint; k++)
        assert_true(a->i[k] == b->i[k]);
    for (unsigned k = 0; k < a->nstr; k++) {
        assert_string_equal(a->s[k] ? a->s[k] : "", b->s[k]);
        assert_int_equal(strlen(b->s[k]), b->slen[k]);
    }
}

static void round_trip(const struct wire_rec *r)
{
    uint8_t buf[WIRE_MAX_FRAME];
    size_t n = wire_encode(buf, sizeof(buf), r);
    assert_true(n >= WIRE_HEADER + 2);
    struct wire_rec d;
    size_t used = 0;
    assert_int_equal(wire_decode(buf, n, &d, &used), 1);
    assert_int_equal(used, n);
    check_same(r, &d);
    /* With a following frame's bytes behind it, only this frame is used. */
    uint8_t two[2 * WIRE_MAX_FRAME];
    memcpy(two, buf, n);
    memcpy(two + n, buf, n);
    assert_int_equal(wire_decode(two, 2 * n, &d, &used), 1);
    assert_int_equal(used, n);
}

static void test_round_trip_every_type(void **state)
{
    (void)state;
    const struct wire_rec recs[] = {
        {.type = WIRE_STATUS, .nint = 1, .i = {0x1234}},
        {.type = WIRE_PROC, .nint = 1, .nstr = 2, .i = {42}, .s = {"sleep", "sleep 1000"}},
        {.type = WIRE_FILE, .nint = 2, .nstr = 1, .i = {INT64_MAX, 1}, .s = {"/tmp/x y"}},
        {.type = WIRE_IPC, .nint = 3, .i = {2, -1, INT32_MAX}},
        {.type = WIRE_OMITTED, .nint = 3, .i = {1, 2, 3}},
        {.type = WIRE_FAILURE, .nint = 1, .nstr = 2, .i = {-7}, .s = {"", "msg\twith\nlines"}},
        {.type = WIRE_SKIP, .nstr = 1, .s = {"no network"}},
        {.type = WIRE_SETUP_ERROR, .nint = 1, .nstr = 1, .i = {EPERM}, .s = {"mount /tmp"}},
        {.type = WIRE_EXEC_ERROR, .nint = 1, .nstr = 1, .i = {ENOENT}, .s = {"/no/such"}},
        {.type = WIRE_NOTICE, .nstr = 1, .s = {"running without isolation"}},
        {.type = WIRE_DEBUG, .nstr = 1, .s = {"#0 0x0 in main ()\n"}},
        {.type = WIRE_DEBUG_DONE},
        {.type = WIRE_KEPT, .nstr = 1, .s = {"case.12.0"}},
        {.type = WIRE_HOLD},
        {.type = WIRE_STATUS, .nint = 4, .nstr = 4, .i = {INT64_MIN, -1, 0, 1}, .s = {"", "a"}},
    };
    for (size_t k = 0; k < sizeof(recs) / sizeof(recs[0]); k++)
        round_trip(&recs[k]);
    /* Every type in the enum is covered above. */
    unsigned seen = 0;
    for (size_t k = 0; k < sizeof(recs) / sizeof(recs[0]); k++)
        seen |= 1u << recs[k].type;
    for (unsigned t = 1; t < WIRE_TYPE_MAX; t++)
        assert_true(seen & (1u << t));
}

/* Strings longer than the frame are cut, never overflow. */
static void test_encode_cuts_long_strings(void **state)
{
    (void)state;
    static char big[3 * WIRE_MAX_PAYLOAD];
    memset(big, 'a', sizeof(big) - 1);
    struct wire_rec r = {.type = WIRE_PROC, .nint = 1, .nstr = 2, .i = {1}, .s = {big, big}};
    uint8_t buf[WIRE_MAX_FRAME];
    size_t n = wire_encode(buf, sizeof(buf), &r);
    assert_true(n > WIRE_HEADER && n <= sizeof(buf));
    struct wire_rec d;
    size_t used;
    assert_int_equal(wire_decode(buf, n, &d, &used), 1);
    assert_int_equal(d.nstr, 2);
    assert_true(d.slen[0] > 1000 && d.slen[1] > 1000);
    assert_int_equal(strspn(d.s[1], "a"), d.slen[1]);
    /* A small buffer: still a valid frame, strings shortened. */
    uint8_t small[64];
    n = wire_encode(small, sizeof(small), &r);
    assert_true(n > 0 && n <= sizeof(small));
    assert_int_equal(wire_decode(small, n, &d, &used), 1);
    assert_int_equal(used, n);
    /* Malformed records are refused. */
    struct wire_rec bad = {.type = WIRE_STATUS, .nint = WIRE_MAX_INTS + 1};
    assert_int_equal(wire_encode(buf, sizeof(buf), &bad), 0);
    bad.nint = 0;
    bad.nstr = WIRE_MAX_STRS + 1;
    assert_int_equal(wire_encode(buf, sizeof(buf), &bad), 0);
    struct wire_rec four = {.type = WIRE_NOTICE, .nstr = 4};
    assert_int_equal(wire_encode(buf, WIRE_HEADER + 2 + 5 * 4 - 1, &four), 0);
}

/* Strings that fit in one frame together are not cut, however unevenly
 * their lengths are shared. */
static void test_encode_keeps_what_fits(void **state)
{
    (void)state;
    static char longer[9001];
    memset(longer, 'a', sizeof(longer) - 1);
    struct wire_rec r = {
        .type = WIRE_FAILURE, .nint = 1, .nstr = 2, .i = {1}, .s = {"f.c", longer}};
    uint8_t buf[WIRE_MAX_FRAME];
    size_t n = wire_encode(buf, sizeof(buf), &r);
    assert_true(n > 0);
    struct wire_rec d;
    size_t used;
    assert_int_equal(wire_decode(buf, n, &d, &used), 1);
    assert_string_equal(d.s[0], "f.c");
    assert_int_equal(d.slen[1], 9000);
    /* The long string first, the short one second. */
    struct wire_rec r2 = {.type = WIRE_PROC, .nint = 1, .nstr = 2, .i = {1}, .s = {longer, "x"}};
    n = wire_encode(buf, sizeof(buf), &r2);
    assert_true(n > 0);
    assert_int_equal(wire_decode(buf, n, &d, &used), 1);
    assert_int_equal(d.slen[0], 9000);
    assert_string_equal(d.s[1], "x");
}

/* "Encodes r into out (at most cap bytes)": a buffer larger than a frame
 * is not a malformed record. */
static void test_encode_large_buffer(void **state)
{
    (void)state;
    static uint8_t big[2 * WIRE_MAX_FRAME];
    struct wire_rec st = {.type = WIRE_STATUS, .nint = 1, .i = {9}};
    size_t n = wire_encode(big, sizeof(big), &st);
    assert_int_equal(n, WIRE_HEADER + 2 + 8);
}

/* Every proper prefix of a valid frame asks for more bytes. */
static void test_truncated_needs_more(void **state)
{
    (void)state;
    struct wire_rec r = {
        .type = WIRE_FAILURE, .nint = 1, .nstr = 2, .i = {12}, .s = {"file.c", "went wrong"}};
    uint8_t buf[WIRE_MAX_FRAME];
    size_t n = wire_encode(buf, sizeof(buf), &r);
    assert_true(n > 0);
    for (size_t len = 0; len < n; len++) {
        struct wire_rec d;
        size_t used = 999;
        assert_int_equal(wire_decode(buf, len, &d, &used), 0);
        assert_int_equal(used, 999);
    }
}

static void test_bad_headers(void **state)
{
    (void)state;
    uint8_t buf[WIRE_HEADER + 16] = {0};
    struct wire_rec d;
    size_t used;
    /* Oversized length: rejected from the header alone, without the bytes. */
    put_u32(buf, WIRE_STATUS);
    put_u32(buf + 4, WIRE_MAX_PAYLOAD + 1);
    assert_int_equal(wire_decode(buf, WIRE_HEADER, &d, &used), -1);
    put_u32(buf + 4, UINT32_MAX);
    assert_int_equal(wire_decode(buf, WIRE_HEADER, &d, &used), -1);
    /* Zero and unknown types. */
    put_u32(buf + 4, 2);
    put_u32(buf, 0);
    assert_int_equal(wire_decode(buf, WIRE_HEADER + 2, &d, &used), -1);
    put_u32(buf, WIRE_TYPE_MAX);
    assert_int_equal(wire_decode(buf, WIRE_HEADER + 2, &d, &used), -1);
    put_u32(buf, 0xffffffffu);
    assert_int_equal(wire_decode(buf, WIRE_HEADER + 2, &d, &used), -1);
    /* The largest legal payload length only waits for its bytes. */
    put_u32(buf, WIRE_STATUS);
    put_u32(buf + 4, WIRE_MAX_PAYLOAD);
    assert_int_equal(wire_decode(buf, WIRE_HEADER, &d, &used), 0);
}

static int decode_payload(const uint8_t *payload, size_t plen)
{
    uint8_t buf[256];
    struct wire_rec d;
    size_t used;
    size_t n = raw_frame(buf, WIRE_NOTICE, payload, plen);
    return wire_decode(buf, n, &d, &used);
}

static void test_bad_payloads(void **state)
{
    (void)state;
    /* Sanity: a hand-built good frame decodes. */
    const uint8_t good[] = {0, 1, 3, 0, 0, 0, 'a', 'b', 0};
    assert_int_equal(decode_payload(good, sizeof(good)), 1);
    /* Empty payload and a payload missing its counts. */
    assert_int_equal(decode_payload(good, 0), -1);
    assert_int_equal(decode_payload(good, 1), -1);
    /* String without its NUL. */
    const uint8_t no_nul[] = {0, 1, 2, 0, 0, 0, 'a', 'b'};
    assert_int_equal(decode_payload(no_nul, sizeof(no_nul)), -1);
    /* Interior NUL. */
    const uint8_t interior[] = {0, 1, 3, 0, 0, 0, 'a', 0, 0};
    assert_int_equal(decode_payload(interior, sizeof(interior)), -1);
    /* Zero-length string (not even the NUL). */
    const uint8_t zero_len[] = {0, 1, 0, 0, 0, 0};
    assert_int_equal(decode_payload(zero_len, sizeof(zero_len)), -1);
    /* String length beyond the payload. */
    const uint8_t too_long[] = {0, 1, 200, 0, 0, 0, 'a', 0};
    assert_int_equal(decode_payload(too_long, sizeof(too_long)), -1);
    const uint8_t huge_len[] = {0, 1, 0xff, 0xff, 0xff, 0xff, 'a', 0};
    assert_int_equal(decode_payload(huge_len, sizeof(huge_len)), -1);
    /* Too many ints / strings. */
    uint8_t many[2 + 8 * 5] = {WIRE_MAX_INTS + 1, 0};
    assert_int_equal(decode_payload(many, sizeof(many)), -1);
    const uint8_t many_s[] = {0, WIRE_MAX_STRS + 1,
                              1, 0,
                              0, 0,
                              0, 1,
                              0, 0,
                              0, 0,
                              1, 0,
                              0, 0,
                              0, 1,
                              0, 0,
                              0, 0,
                              1, 0,
                              0, 0,
                              0};
    assert_int_equal(decode_payload(many_s, sizeof(many_s)), -1);
    /* Ints announced but missing; string count announced but missing. */
    const uint8_t short_ints[] = {2, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(decode_payload(short_ints, sizeof(short_ints)), -1);
    const uint8_t short_strs[] = {0, 2, 2, 0, 0, 0, 'a', 0};
    assert_int_equal(decode_payload(short_strs, sizeof(short_strs)), -1);
    const uint8_t cut_len[] = {0, 1, 2, 0};
    assert_int_equal(decode_payload(cut_len, sizeof(cut_len)), -1);
    /* Trailing bytes after the last string, and after the ints. */
    const uint8_t trailing[] = {0, 1, 2, 0, 0, 0, 'a', 0, 'x'};
    assert_int_equal(decode_payload(trailing, sizeof(trailing)), -1);
    const uint8_t trailing_i[] = {1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(decode_payload(trailing_i, sizeof(trailing_i)), -1);
}

/* ---- the reader over a real pipe ---- */

static int nb_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    return fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

static void test_reader_split_frame(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(nb_pipe(p), 0);
    static struct wire_reader rd;
    memset(&rd, 0, sizeof(rd));
    struct wire_rec r = {.type = WIRE_PROC, .nint = 1, .nstr = 2, .i = {7}, .s = {"cat", "cat -"}};
    uint8_t buf[WIRE_MAX_FRAME];
    size_t n = wire_encode(buf, sizeof(buf), &r);
    struct wire_rec d;
    /* One byte at a time: nothing is taken until the last one arrives. */
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(write(p[1], buf + k, 1), 1);
        assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
        if (k + 1 < n)
            assert_int_equal(wire_reader_next(&rd, &d), 0);
    }
    assert_int_equal(wire_reader_next(&rd, &d), 1);
    check_same(&r, &d);
    assert_int_equal(wire_reader_next(&rd, &d), 0);
    /* Two frames and a half in one write, the rest later; then EOF. */
    uint8_t three[3 * WIRE_MAX_FRAME];
    memcpy(three, buf, n);
    memcpy(three + n, buf, n);
    memcpy(three + 2 * n, buf, n);
    assert_int_equal(write(p[1], three, 2 * n + n / 2), (ssize_t)(2 * n + n / 2));
    assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
    assert_int_equal(wire_reader_next(&rd, &d), 1);
    check_same(&r, &d);
    assert_int_equal(wire_reader_next(&rd, &d), 1);
    assert_int_equal(wire_reader_next(&rd, &d), 0);
    assert_int_equal(write(p[1], three + 2 * n + n / 2, n - n / 2), (ssize_t)(n - n / 2));
    close(p[1]);
    assert_int_equal(wire_reader_fill(&rd, p[0]), 1);
    assert_true(rd.eof);
    assert_int_equal(wire_reader_next(&rd, &d), 1);
    check_same(&r, &d);
    assert_false(rd.corrupt);
    close(p[0]);
}

/* Strings of a taken record stay valid while later bytes arrive. */
static void test_reader_strings_stable(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(nb_pipe(p), 0);
    static struct wire_reader rd;
    memset(&rd, 0, sizeof(rd));
    struct wire_rec a = {.type = WIRE_SKIP, .nstr = 1, .s = {"first reason"}};
    struct wire_rec b = {.type = WIRE_SKIP, .nstr = 1, .s = {"SECOND!REASON"}};
    assert_int_equal(wire_send(p[1], &a), 0);
    assert_int_equal(wire_send(p[1], &b), 0);
    assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
    struct wire_rec d;
    assert_int_equal(wire_reader_next(&rd, &d), 1);
    assert_int_equal(wire_send(p[1], &b), 0);
    assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
    assert_string_equal(d.s[0], "first reason");
    close(p[0]);
    close(p[1]);
}

static void test_reader_garbage_then_valid(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(nb_pipe(p), 0);
    static struct wire_reader rd;
    memset(&rd, 0, sizeof(rd));
    struct wire_rec r = {.type = WIRE_STATUS, .nint = 1, .i = {0}};
    struct wire_rec d;
    assert_int_equal(wire_send(p[1], &r), 0);
    const char garbage[] = "\xff\xff\xff\xffhello, this is not a frame";
    assert_int_equal(write(p[1], garbage, sizeof(garbage)), (ssize_t)sizeof(garbage));
    assert_int_equal(wire_send(p[1], &r), 0);
    assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
    /* The frame before the garbage is taken, then the stream is corrupt. */
    assert_int_equal(wire_reader_next(&rd, &d), 1);
    assert_int_equal(d.type, WIRE_STATUS);
    assert_int_equal(wire_reader_next(&rd, &d), 0);
    assert_true(rd.corrupt);
    /* Valid frames after that are discarded: corrupt stays corrupt. */
    for (int k = 0; k < 100; k++)
        assert_int_equal(wire_send(p[1], &r), 0);
    assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
    assert_int_equal(wire_reader_next(&rd, &d), 0);
    assert_true(rd.corrupt);
    /* Lots of bytes after corruption are read and dropped (no overflow). */
    static uint8_t junk[50 * 4096];
    memset(junk, 0xab, sizeof(junk));
    size_t off = 0;
    while (off < sizeof(junk)) {
        ssize_t w = write(p[1], junk + off, 4096);
        assert_int_equal(w, 4096);
        off += (size_t)w;
        assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
    }
    close(p[1]);
    assert_int_equal(wire_reader_fill(&rd, p[0]), 1);
    assert_int_equal(wire_reader_next(&rd, &d), 0);
    assert_true(rd.corrupt);
    close(p[0]);
}

/* A header announcing a legal but long payload that never completes: the
 * reader waits (no false corruption) and the read error path works. */
static void test_reader_incomplete_and_errors(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(nb_pipe(p), 0);
    static struct wire_reader rd;
    memset(&rd, 0, sizeof(rd));
    uint8_t hdr[WIRE_HEADER + 100];
    memset(hdr, 0, sizeof(hdr));
    put_u32(hdr, WIRE_NOTICE);
    put_u32(hdr + 4, WIRE_MAX_PAYLOAD);
    assert_int_equal(write(p[1], hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
    assert_int_equal(wire_reader_fill(&rd, p[0]), 0);
    struct wire_rec d;
    assert_int_equal(wire_reader_next(&rd, &d), 0);
    assert_false(rd.corrupt);
    close(p[1]);
    assert_int_equal(wire_reader_fill(&rd, p[0]), 1);
    assert_int_equal(wire_reader_next(&rd, &d), 0);
    close(p[0]);
    /* A bad fd is a read error, not EOF. */
    memset(&rd, 0, sizeof(rd));
    assert_int_equal(wire_reader_fill(&rd, -1), -1);
    assert_false(rd.eof);
}

/* wire_send to a closed pipe fails with an error instead of hanging. */
static void test_send_errors(void **state)
{
    (void)state;
    struct wire_rec r = {.type = WIRE_STATUS, .nint = 1};
    assert_int_equal(wire_send(-1, &r), -1);
    assert_int_equal(errno, EBADF);
    struct wire_rec bad = {.type = WIRE_STATUS, .nint = 9};
    errno = 0;
    assert_int_equal(wire_send(1, &bad), -1);
    assert_int_equal(errno, EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_type),
        cmocka_unit_test(test_encode_cuts_long_strings),
        cmocka_unit_test(test_encode_keeps_what_fits),
        cmocka_unit_test(test_encode_large_buffer),
        cmocka_unit_test(test_truncated_needs_more),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_payloads),
        cmocka_unit_test(test_reader_split_frame),
        cmocka_unit_test(test_reader_strings_stable),
        cmocka_unit_test(test_reader_garbage_then_valid),
        cmocka_unit_test(test_reader_incomplete_and_errors),
        cmocka_unit_test(test_send_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
