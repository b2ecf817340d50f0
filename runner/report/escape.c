/* escape.c - XML and JSON escaping for the machine-readable reporters, plus
 * the UTF-8 check they share. Test output is arbitrary bytes; these make it
 * always well-formed, replacing what a format cannot carry by U+FFFD. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "report_internal.h"

/* U+FFFD REPLACEMENT CHARACTER as UTF-8. */
#define REPLACEMENT "\xef\xbf\xbd"

/* Decodes one well-formed UTF-8 sequence; returns its length or 0. */
static size_t utf8_decode(const unsigned char *u, size_t len, uint32_t *cp)
{
    size_t n;
    uint32_t c, min;

    if (len == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] >= 0xc2 && u[0] <= 0xdf) {
        n = 2, c = u[0] & 0x1f, min = 0x80;
    } else if ((u[0] & 0xf0) == 0xe0) {
        n = 3, c = u[0] & 0x0f, min = 0x800;
    } else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
        n = 4, c = u[0] & 0x07, min = 0x10000;
    } else {
        return 0; /* continuation byte, 0xc0/0xc1 (always overlong), 0xf5+ */
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

size_t tc_utf8_len(const char *s, size_t len)
{
    uint32_t cp;
    return utf8_decode((const unsigned char *)s, len, &cp);
}

/* Writes s[from, to) unchanged. */
static int put_run(FILE *out, const char *s, size_t from, size_t to)
{
    if (to == from)
        return 0;
    return fwrite(s + from, 1, to - from, out) == to - from ? 0 : -1;
}

/* The replacement for one ASCII byte in XML, or NULL to keep it. */
static const char *xml_ascii(unsigned char c, bool attr)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;"; /* "]]>" must not appear raw in text */
    case '"':
        return "&quot;";
    case '\'':
        return "&apos;";
    case '\t':
        return attr ? "&#9;" : NULL;
    case '\n':
        return attr ? "&#10;" : NULL;
    case '\r':
        return "&#13;"; /* a raw CR would be normalised to LF by parsers */
    default:
        /* XML 1.0 has no way to carry other C0 controls, not even as
         * character references. */
        return c < 0x20 ? REPLACEMENT : NULL;
    }
}

static int xml_escape(FILE *out, const char *s, size_t len, bool attr)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;

    while (i < len) {
        const char *rep;
        size_t adv = 1;

        if (u[i] >= 0x80) {
            uint32_t cp = 0;
            size_t n = utf8_decode(u + i, len - i, &cp);
            if (n && cp != 0xfffe && cp != 0xffff) {
                i += n;
                continue;
            }
            rep = REPLACEMENT; /* invalid UTF-8 or a non-character XML forbids */
            adv = n ? n : 1;
        } else {
            rep = xml_ascii(u[i], attr);
            if (!rep) {
                i++;
                continue;
            }
        }
        if (put_run(out, s, run, i) < 0 || fputs(rep, out) == EOF)
            return -1;
        i += adv;
        run = i;
    }
    return put_run(out, s, run, len);
}

int tc_xml_escape(FILE *out, const char *s, size_t len)
{
    return xml_escape(out, s, len, false);
}

int tc_xml_escape_attr(FILE *out, const char *s, size_t len)
{
    return xml_escape(out, s, len, true);
}

/* Writes the JSON escape for an ASCII byte into buf; returns 0 to keep it. */
static int json_ascii(unsigned char c, char buf[8])
{
    const char *simple = NULL;

    switch (c) {
    case '"':
        simple = "\\\"";
        break;
    case '\\':
        simple = "\\\\";
        break;
    case '\n':
        simple = "\\n";
        break;
    case '\t':
        simple = "\\t";
        break;
    case '\r':
        simple = "\\r";
        break;
    case '\b':
        simple = "\\b";
        break;
    case '\f':
        simple = "\\f";
        break;
    default:
        /* DEL is legal JSON, but escaping it keeps terminals safe. */
        if (c >= 0x20 && c != 0x7f)
            return 0;
        snprintf(buf, 8, "\\u%04x", c);
        return 1;
    }
    strcpy(buf, simple);
    return 1;
}

int tc_json_escape(FILE *out, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;
    char buf[8];

    while (i < len) {
        const char *rep = buf;
        size_t adv = 1;

        if (u[i] >= 0x80) {
            uint32_t cp = 0;
            size_t n = utf8_decode(u + i, len - i, &cp);
            if (n && cp != 0x2028 && cp != 0x2029) {
                i += n;
                continue;
            }
            /* U+2028/9 are valid JSON but break JavaScript string literals. */
            if (n)
                snprintf(buf, sizeof buf, "\\u%04x", (unsigned)cp);
            else
                rep = "\\ufffd";
            adv = n ? n : 1;
        } else if (!json_ascii(u[i], buf)) {
            i++;
            continue;
        }
        if (put_run(out, s, run, i) < 0 || fputs(rep, out) == EOF)
            return -1;
        i += adv;
        run = i;
    }
    return put_run(out, s, run, len);
}
