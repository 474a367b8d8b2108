/* Writing text into the report: HTML escaping, JSON strings and numbers, base64, and which points
 * of a long series are kept. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report_internal.h"
#include "utf8.h"

void tfc_report_warn(tfc_report_ctx *r, const char *fmt, ...)
{
    if (!r->warn) return;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    r->warn(r->ctx, line);
}

void tfc_report_html(FILE *f, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0, n = strlen(s); i < n;) {
        size_t k = u[i] >= 0x80 ? tfc_utf8_len(u + i, n - i) : 1;
        switch (k ? u[i] : 0) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case 0: fprintf(f, "\\x%02x", u[i]); break; /* a byte that is not UTF-8, as the terminal shows it */
        default: fwrite(u + i, 1, k, f);
        }
        i += k ? k : 1;
    }
}

void tfc_report_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0, n = strlen(s); i < n;) {
        size_t k = u[i] >= 0x80 ? tfc_utf8_len(u + i, n - i) : 1;
        if (u[i] == '"' || u[i] == '\\') fprintf(f, "\\%c", u[i]);
        else if (u[i] < 0x20 || u[i] == '<' || u[i] == 0x7f) fprintf(f, "\\u%04x", u[i]);
        else if (!k) fprintf(f, "\\udc%02x", u[i]); /* a byte that is not UTF-8, as tfc_json_string writes it */
        else fwrite(u + i, 1, k, f);
        i += k ? k : 1;
    }
    fputc('"', f);
}

void tfc_report_json_number(FILE *f, double v, int digits)
{
    if (isnan(v)) fputs("null", f);
    else if (isinf(v)) fputs(v > 0 ? "1e999" : "-1e999", f);
    else if (v == floor(v) && fabs(v) < 1e15) fprintf(f, "%.0f", v);
    else fprintf(f, "%.*g", digits, v);
}

void tfc_report_base64(FILE *f, const void *data, size_t len)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char out[4];
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
        out[0] = abc[v >> 18];
        out[1] = abc[(v >> 12) & 63];
        out[2] = i + 1 < len ? abc[(v >> 6) & 63] : '=';
        out[3] = i + 2 < len ? abc[v & 63] : '=';
        fwrite(out, 1, 4, f);
    }
}

size_t tfc_report_kept(size_t n, size_t max)
{
    return max && n > max ? max : n;
}

size_t tfc_report_kept_index(size_t n, size_t max, size_t i)
{
    size_t k = tfc_report_kept(n, max);
    if (k == n) return i;
    if (k == 1) return n - 1;
    return (i * (n - 1) + (k - 1) / 2) / (k - 1);
}
