/* tfc-plot --text: text summaries printed as plain text, each value under a line naming tag, run
 * and step; a single text as lines, a vector or matrix as a table of aligned columns (as
 * TensorBoard's text dashboard shows them). What reaches the terminal is escaped: control
 * characters other than newline and tab, and bytes that are not UTF-8, are written as \xNN. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "markdown_plain.h"
#include "plot.h"
#include "utf8.h"

/* Writes s[0..n) escaped to out (NULL: nowhere), newlines as spaces when one_line; returns the
 * columns it takes (one per character). */
static size_t put_safe(FILE *out, const char *s, size_t n, bool one_line)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t cols = 0;
    for (size_t i = 0; i < n;) {
        size_t k = u[i] >= 0x80 ? tfc_utf8_len(u + i, n - i) : 0;
        if (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0) k = 0; /* C1 controls */
        if (k) {
            if (out) fwrite(s + i, 1, k, out);
            i += k;
            cols++;
        } else if ((u[i] >= 0x20 && u[i] < 0x7f) || u[i] == '\n' || u[i] == '\t') {
            if (out) fputc(one_line && u[i] == '\n' ? ' ' : u[i], out);
            i++;
            cols++;
        } else {
            if (out) fprintf(out, "\\x%02x", u[i]);
            i++;
            cols += 4;
        }
    }
    return cols;
}

/* A single text: its lines, indented. */
static void print_lines(FILE *out, const char *text)
{
    for (const char *p = text;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n) fputs("  ", out);
        put_safe(out, p, n, false);
        fputc('\n', out);
        if (!nl) break;
        p = nl + 1;
    }
}

/* A table: cells on one line each, columns padded to their widest cell. */
static void print_table(FILE *out, const char *const *cells, size_t rows, size_t cols, size_t *width)
{
    for (size_t i = 0; i < rows * cols; i++) {
        size_t w = put_safe(NULL, cells[i], strlen(cells[i]), true);
        if (w > width[i % cols]) width[i % cols] = w;
    }
    for (size_t r = 0; r < rows; r++) {
        fputs("  ", out);
        for (size_t c = 0; c < cols; c++) {
            const char *cell = cells[r * cols + c];
            size_t w = put_safe(out, cell, strlen(cell), true);
            if (c + 1 < cols) fprintf(out, "%*s | ", (int)(width[c] - w), "");
        }
        fputc('\n', out);
    }
}

static void print_point(FILE *out, const tfc_text_point *p)
{
    size_t n = p->rows * p->cols;
    if (!n) {
        fputs("  (empty)\n", out);
        return;
    }
    /* Each cell as plain text; as written where Markdown conversion ran out of memory. */
    char **plain = calloc(n, sizeof *plain);
    const char **cells = calloc(n, sizeof *cells);
    size_t *width = calloc(p->cols, sizeof *width);
    if (!plain || !cells || !width) {
        fputs("  (out of memory)\n", out);
    } else {
        for (size_t i = 0; i < n; i++) {
            plain[i] = tfc_markdown_plain(p->cells[i]);
            cells[i] = plain[i] ? plain[i] : p->cells[i];
        }
        if (n == 1) print_lines(out, cells[0]);
        else print_table(out, cells, p->rows, p->cols, width);
    }
    for (size_t i = 0; plain && i < n; i++) free(plain[i]);
    free(plain);
    free(cells);
    free(width);
}

void tfc_plot_print_text(const tfc_plot_source *src, const char *tag, FILE *out)
{
    bool first = true;
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_text_series *s = tfc_run_text(src->runs[r].run, tag);
        for (size_t i = 0; s && i < s->n; i++) {
            if (!first) fputc('\n', out);
            first = false;
            put_safe(out, tag, strlen(tag), true);
            fputs(", run ", out);
            put_safe(out, src->runs[r].name, strlen(src->runs[r].name), true);
            fprintf(out, ", step %" PRId64 ":\n", s->points[i].step);
            print_point(out, &s->points[i]);
        }
    }
}
