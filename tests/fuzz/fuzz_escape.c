/* fuzz_escape.c - libFuzzer target for the reporters' escaping: any bytes
 * through tc_xml_escape, tc_xml_escape_attr and tc_json_escape must give
 * well-formed output (valid UTF-8, no raw control characters in XML, a JSON
 * string that re-parses) which decodes back to the input whenever the input
 * was representable. Also writes into a too-small fmemopen buffer. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Decodes one UTF-8 sequence (strict); returns its length, 0 if invalid. */
static size_t utf8(const unsigned char *u, size_t len, uint32_t *cp)
{
    size_t n = tc_utf8_len((const char *)u, len);
    if (n == 0)
        return 0;
    static const unsigned char mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t c = u[0] & mask[n];
    for (size_t k = 1; k < n; k++) {
        assert((u[k] & 0xc0) == 0x80);
        c = c << 6 | (u[k] & 0x3f);
    }
    *cp = c;
    return n;
}

static void put_utf8(char **o, uint32_t c)
{
    unsigned char *p = (unsigned char *)*o;
    if (c < 0x80) {
        *p++ = (unsigned char)c;
    } else if (c < 0x800) {
        *p++ = (unsigned char)(0xc0 | c >> 6);
        *p++ = (unsigned char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        *p++ = (unsigned char)(0xe0 | c >> 12);
        *p++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
        *p++ = (unsigned char)(0x80 | (c & 0x3f));
    } else {
        *p++ = (unsigned char)(0xf0 | c >> 18);
        *p++ = (unsigned char)(0x80 | (c >> 12 & 0x3f));
        *p++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
        *p++ = (unsigned char)(0x80 | (c & 0x3f));
    }
    *o = (char *)p;
}

/* Is every byte of the input something the format carries as itself? */
static bool representable(const unsigned char *u, size_t len, bool xml)
{
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = utf8(u + i, len - i, &c);
        if (n == 0)
            return false;
        if (xml &&
            ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfffe || c == 0xffff))
            return false;
        i += n;
    }
    return true;
}

/* Checks XML character data / attribute text and decodes it into dec. */
static size_t check_xml(const char *s, size_t len, bool attr, char *dec)
{
    const unsigned char *u = (const unsigned char *)s;
    char *o = dec;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = utf8(u + i, len - i, &c);
        assert(n > 0); /* output is valid UTF-8 */
        assert(c >= 0x20 || c == '\n' || c == '\t');
        assert(!(attr && (c == '\n' || c == '\t')));
        assert(c != '<' && c != '>' && c != '"' && c != '\'');
        assert(c != 0xfffe && c != 0xffff);
        if (c == '&') {
            static const struct {
                const char *ent;
                char ch;
            } ents[] = {{"&amp;", '&'},   {"&lt;", '<'},  {"&gt;", '>'},   {"&quot;", '"'},
                        {"&apos;", '\''}, {"&#9;", '\t'}, {"&#10;", '\n'}, {"&#13;", '\r'}};
            size_t k = 0;
            for (; k < sizeof(ents) / sizeof(ents[0]); k++) {
                size_t el = strlen(ents[k].ent);
                if (len - i >= el && memcmp(s + i, ents[k].ent, el) == 0) {
                    *o++ = ents[k].ch;
                    i += el;
                    break;
                }
            }
            assert(k < sizeof(ents) / sizeof(ents[0])); /* a known entity */
            continue;
        }
        memcpy(o, s + i, n);
        o += n;
        i += n;
    }
    return (size_t)(o - dec);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A strict JSON string-body parser (RFC 8259); decodes into dec. */
static size_t check_json(const char *s, size_t len, char *dec)
{
    const unsigned char *u = (const unsigned char *)s;
    char *o = dec;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = utf8(u + i, len - i, &c);
        assert(n > 0);
        assert(c >= 0x20 && c != '"'); /* no raw control, no unescaped quote */
        if (c != '\\') {
            memcpy(o, s + i, n);
            o += n;
            i += n;
            continue;
        }
        assert(i + 1 < len);
        char e = s[i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        assert(e != 0);
        if (e != 'u') {
            assert(simple != NULL);
            static const char to[] = "\"\\/\b\f\n\r\t";
            *o++ = to[simple - "\"\\/bfnrt"];
            i += 2;
            continue;
        }
        assert(i + 6 <= len);
        uint32_t cp = 0;
        for (int k = 2; k < 6; k++) {
            int h = hexval(s[i + k]);
            assert(h >= 0);
            cp = cp << 4 | (uint32_t)h;
        }
        i += 6;
        if (cp >= 0xd800 && cp <= 0xdbff) { /* a surrogate pair */
            assert(i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u');
            uint32_t lo = 0;
            for (int k = 2; k < 6; k++) {
                int h = hexval(s[i + k]);
                assert(h >= 0);
                lo = lo << 4 | (uint32_t)h;
            }
            assert(lo >= 0xdc00 && lo <= 0xdfff);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        } else {
            assert(cp < 0xdc00 || cp > 0xdfff); /* no lone low surrogate */
        }
        put_utf8(&o, cp);
    }
    return (size_t)(o - dec);
}

static char *escape(int (*fn)(FILE *, const char *, size_t), const char *in, size_t len,
                    size_t *outlen)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, outlen);
    assert(f != NULL);
    assert(fn(f, in, len) == 0);
    assert(fclose(f) == 0);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t olen;
    char *dec;

    for (int attr = 0; attr < 2; attr++) {
        char *out = escape(attr ? tc_xml_escape_attr : tc_xml_escape, in, size, &olen);
        assert(strlen(out) == olen); /* no NUL reaches the document */
        dec = malloc(olen + 1);
        size_t dlen = check_xml(out, olen, attr, dec);
        if (representable(data, size, true))
            assert(dlen == size && memcmp(dec, data, size) == 0);
        free(dec);
        free(out);
    }

    char *out = escape(tc_json_escape, in, size, &olen);
    assert(strlen(out) == olen);
    dec = malloc(olen + 4);
    size_t dlen = check_json(out, olen, dec);
    if (representable(data, size, false))
        assert(dlen == size && memcmp(dec, data, size) == 0);
    free(dec);
    free(out);

    /* A full output stream is an error (-1), never an overflow. */
    char small[16];
    FILE *f = fmemopen(small, sizeof(small), "w");
    assert(f != NULL);
    setvbuf(f, NULL, _IONBF, 0);
    int rc = tc_json_escape(f, in, size);
    assert(rc == 0 || rc == -1);
    rc = tc_xml_escape(f, in, size);
    assert(rc == 0 || rc == -1);
    fclose(f);
    return 0;
}
