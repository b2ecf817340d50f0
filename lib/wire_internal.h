/* wire_internal.h - framed records between a cage and its runner: the
 * init's result pipe and the body's report pipe speak the same format. */
#ifndef TESTCAGE_WIRE_INTERNAL_H
#define TESTCAGE_WIRE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame is an 8-byte header (type, payload length; little endian u32s)
 * followed by the payload: a count of integers (u8), a count of strings
 * (u8), the integers (i64 each) and the strings (u32 length + bytes, the
 * last byte a NUL that the length includes). */
enum wire_type {
    WIRE_STATUS = 1,  /* i0 = body wait status */
    WIRE_PROC,        /* i0 = pid; s0 = comm, s1 = cmdline */
    WIRE_FILE,        /* i0 = size, i1 = is_dir; s0 = path */
    WIRE_IPC,         /* i0 = kind, i1 = key, i2 = id */
    WIRE_OMITTED,     /* i0 = procs, i1 = files, i2 = ipcs left out of the lists */
    WIRE_FAILURE,     /* i0 = line; s0 = file ("" if none), s1 = message */
    WIRE_SKIP,        /* s0 = reason */
    WIRE_SETUP_ERROR, /* i0 = errno; s0 = what failed */
    WIRE_EXEC_ERROR,  /* i0 = errno; s0 = program */
    WIRE_NOTICE,      /* s0 = text, e.g. the fallback notice */
    WIRE_DEBUG,       /* s0 = a chunk of the on-timeout command's output */
    WIRE_DEBUG_DONE,  /* the on-timeout command is over: go on with SIGTERM */
    WIRE_KEPT,        /* s0 = name of the directory the files were copied to */
    WIRE_HOLD,        /* the init is about to clone: hold still until it says so */
    WIRE_TYPE_MAX,
};

#define WIRE_MAX_INTS    4
#define WIRE_MAX_STRS    4
#define WIRE_HEADER      8
#define WIRE_MAX_PAYLOAD 16384
#define WIRE_MAX_FRAME   (WIRE_HEADER + WIRE_MAX_PAYLOAD)

struct wire_rec {
    uint32_t type;
    unsigned nint, nstr;
    int64_t i[WIRE_MAX_INTS];
    const char *s[WIRE_MAX_STRS]; /* NUL-terminated; point into the frame */
    size_t slen[WIRE_MAX_STRS];   /* without the NUL */
};

/* Encodes r into out (at most cap bytes). Strings longer than fit are cut.
 * Returns the frame size, or 0 when r is malformed. */
size_t wire_encode(uint8_t *out, size_t cap, const struct wire_rec *r);

/* Decodes one frame from buf. Returns 1 with *used set, 0 when more bytes
 * are needed, -1 when the bytes can never be a valid frame. */
int wire_decode(const uint8_t *buf, size_t len, struct wire_rec *r, size_t *used);

/* Encodes and writes a whole frame (EINTR-safe, short writes retried).
 * Returns 0 or -1 with errno. Never allocates: safe in a cage init. */
int wire_send(int fd, const struct wire_rec *r);

/* The same without errno (raw system calls): 0 or -errno. Safe in a cage
 * init that shares the runner's memory. */
int wire_send_raw(int fd, const struct wire_rec *r);

/* Sends a WIRE_SETUP_ERROR or WIRE_EXEC_ERROR record: err (either sign)
 * and what failed. Raw system calls, like wire_send_raw. */
int wire_send_error(int fd, uint32_t type, long err, const char *what);

/* Incremental reader for a non-blocking pipe. */
struct wire_reader {
    uint8_t buf[WIRE_MAX_FRAME];
    uint8_t frame[WIRE_MAX_FRAME]; /* the last record taken; its strings point here */
    size_t len;
    bool corrupt; /* a bad frame was seen: the rest of the stream is discarded */
    bool eof;
};

/* Readies a reader without touching its buffers. */
void wire_reader_init(struct wire_reader *rd);

/* Reads what is available from fd. Returns 0 when more may come, 1 at
 * EOF, -1 on a read error. */
int wire_reader_fill(struct wire_reader *rd, int fd);

/* Takes the next complete record: 1, or 0 when none is complete. The record's
 * strings stay valid until the next call. */
int wire_reader_next(struct wire_reader *rd, struct wire_rec *r);

#endif
