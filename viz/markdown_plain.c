/* Markdown to plain text (see markdown_plain.h), line by line: block markup first (fences,
 * headings, bullets, GitHub's tables), then inline markup, where emphasis delimiters are paired CommonMark's way
 * in simplified form (an opener followed by a non-space, a closer preceded by one, the same
 * character and run length) before anything is written. */
#include "markdown_plain.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s; /* the line */
    size_t n;
    bool *skip; /* per byte: an emphasis delimiter that was paired */
    FILE *out;
} line;

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\0'; }

/* The end of the code span opened by the backtick run at i (just past its closing run), or 0. */
static size_t code_span_end(const line *l, size_t i, size_t *ticks)
{
    size_t k = i;
    while (k < l->n && l->s[k] == '`') k++;
    *ticks = k - i;
    for (size_t j = k; j < l->n;) {
        if (l->s[j] != '`') {
            j++;
            continue;
        }
        size_t e = j;
        while (e < l->n && l->s[e] == '`') e++;
        if (e - j == *ticks) return e;
        j = e;
    }
    return 0;
}

/* Pairs emphasis delimiter runs of the line, marking the paired ones in skip. */
static void pair_emphasis(line *l)
{
    enum { MAX_OPEN = 64 };
    size_t open_at[MAX_OPEN], open_len[MAX_OPEN];
    char open_ch[MAX_OPEN];
    size_t nopen = 0;
    for (size_t i = 0; i < l->n;) {
        char c = l->s[i];
        if (c == '\\' && i + 1 < l->n) {
            i += 2;
            continue;
        }
        if (c == '`') {
            size_t ticks, end = code_span_end(l, i, &ticks);
            i = end ? end : i + ticks;
            continue;
        }
        if (c != '*' && c != '_') {
            i++;
            continue;
        }
        size_t k = i;
        while (k < l->n && l->s[k] == c) k++;
        size_t len = k - i;
        char before = i ? l->s[i - 1] : '\0', after = k < l->n ? l->s[k] : '\0';
        bool can_open = !is_space(after), can_close = !is_space(before);
        if (c == '_') { /* snake_case keeps its underscores */
            can_open = can_open && !isalnum((unsigned char)before);
            can_close = can_close && !isalnum((unsigned char)after);
        }
        bool closed = false;
        if (can_close) {
            for (size_t o = nopen; o-- > 0;) {
                if (open_ch[o] != c || open_len[o] != len) continue;
                memset(l->skip + open_at[o], 1, len);
                memset(l->skip + i, 1, len);
                nopen = o;
                closed = true;
                break;
            }
        }
        if (!closed && can_open && len <= 3 && nopen < MAX_OPEN) {
            open_at[nopen] = i;
            open_len[nopen] = len;
            open_ch[nopen++] = c;
        }
        i = k;
    }
}

/* The link starting with '[' at i: its text [i+1, *text_end) and url [*url_at, *url_end);
 * false when it is no link. */
static bool parse_link(const line *l, size_t i, size_t *text_end, size_t *url_at, size_t *url_end)
{
    int depth = 0;
    size_t j = i;
    for (; j < l->n; j++) {
        if (l->s[j] == '\\') {
            j++;
            continue;
        }
        if (l->s[j] == '[') depth++;
        if (l->s[j] == ']' && --depth == 0) break;
    }
    if (j + 1 >= l->n || l->s[j + 1] != '(') return false;
    int parens = 0;
    for (size_t k = j + 1; k < l->n; k++) {
        if (l->s[k] == '(') parens++;
        if (l->s[k] == ')' && --parens == 0) {
            *text_end = j;
            *url_at = j + 2;
            *url_end = k;
            return true;
        }
    }
    return false;
}

static void inline_range(const line *l, size_t from, size_t to)
{
    for (size_t i = from; i < to;) {
        char c = l->s[i];
        if (l->skip[i]) {
            i++;
        } else if (c == '\\' && i + 1 < to && ispunct((unsigned char)l->s[i + 1])) {
            fputc(l->s[i + 1], l->out);
            i += 2;
        } else if (c == '`') {
            size_t ticks, end = code_span_end(l, i, &ticks);
            if (end && end <= to) {
                size_t a = i + ticks, b = end - ticks;
                if (b - a >= 2 && l->s[a] == ' ' && l->s[b - 1] == ' ') a++, b--;
                fwrite(l->s + a, 1, b - a, l->out);
                i = end;
            } else {
                fwrite(l->s + i, 1, ticks, l->out);
                i += ticks;
            }
        } else if (c == '[' || (c == '!' && i + 1 < to && l->s[i + 1] == '[')) {
            size_t at = c == '!' ? i + 1 : i, text_end, url_at, url_end;
            if (parse_link(l, at, &text_end, &url_at, &url_end) && url_end < to) {
                inline_range(l, at + 1, text_end);
                fputs(" (", l->out);
                fwrite(l->s + url_at, 1, url_end - url_at, l->out);
                fputc(')', l->out);
                i = url_end + 1;
            } else {
                fputc(c, l->out);
                i++;
            }
        } else {
            fputc(c, l->out);
            i++;
        }
    }
}

/* True when the line (after up to three spaces) opens or closes a fenced code block. */
static bool is_fence(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && i < 3 && s[i] == ' ') i++;
    return n - i >= 3 && (!strncmp(s + i, "```", 3) || !strncmp(s + i, "~~~", 3));
}

static void block_line(line *l)
{
    size_t i = 0, end = l->n;
    while (i < end && i < 3 && l->s[i] == ' ') i++;
    size_t hashes = 0;
    while (i + hashes < end && l->s[i + hashes] == '#') hashes++;
    if (hashes >= 1 && hashes <= 6 && (i + hashes == end || l->s[i + hashes] == ' ')) {
        i += hashes;
        while (i < end && l->s[i] == ' ') i++;
        while (end > i && l->s[end - 1] == ' ') end--;
        size_t t = end;
        while (t > i && l->s[t - 1] == '#') t--;
        if (t < end && (t == i || l->s[t - 1] == ' ')) end = t;
        while (end > i && l->s[end - 1] == ' ') end--;
    } else {
        i = 0;
        while (i < end && (l->s[i] == ' ' || l->s[i] == '\t')) i++;
        if (i + 1 < end && (l->s[i] == '*' || l->s[i] == '+') && l->s[i + 1] == ' ') {
            fwrite(l->s, 1, i, l->out);
            fputc('-', l->out);
            i++;
        } else {
            i = 0;
        }
    }
    pair_emphasis(l);
    inline_range(l, i, end);
}

/* The position of the first '|' of s[from..n) that no backslash escapes, or n. */
static size_t next_pipe(const char *s, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++) {
        if (s[i] == '\\') i++;
        else if (s[i] == '|') return i;
    }
    return n;
}

/* A GitHub table's delimiter row: "| --- | :-: |", pipes, dashes, colons and spaces only. */
static bool is_delimiter_row(const char *s, size_t n)
{
    bool dash = false, pipe = false;
    for (size_t i = 0; i < n; i++) {
        if (!strchr("|-: \t", s[i])) return false;
        dash |= s[i] == '-';
        pipe |= s[i] == '|';
    }
    return dash && pipe;
}

/* A table row as TensorBoard shows it, cells apart, without the Markdown pipes at its ends:
 * "| a | **b** |" -> "a | **b**" (inline markup is taken off later); malloc'ed. */
static char *table_row(const char *s, size_t n, size_t *len)
{
    char *row = malloc(3 * n + 1); /* a pipe becomes " | ", anything else at most itself */
    if (!row) return NULL;
    size_t i = 0, k = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (i < n && s[i] == '|') i++;
    if (n > i && s[n - 1] == '|' && (n < 2 || s[n - 2] != '\\')) n--;
    for (bool first = true; i <= n; first = false) {
        size_t end = next_pipe(s, i, n), a = i, b = end;
        while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
        if (!first) k += (size_t)sprintf(row + k, " | ");
        memcpy(row + k, s + a, b - a);
        k += b - a;
        i = end + 1;
    }
    row[k] = '\0';
    *len = k;
    return row;
}

char *tfc_markdown_plain(const char *md)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) return NULL;
    bool fenced = false, ok = true, table = false, delimiter = false;
    for (const char *p = md; ok;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (delimiter) { /* the row under a table's header goes, with its line break */
            delimiter = false;
            if (!nl) break;
            p = nl + 1;
            continue;
        }
        /* a table: a row with pipes over a delimiter row, then the rows with pipes after it */
        if (table && next_pipe(p, 0, n) == n) table = false;
        if (!fenced && !table && nl && next_pipe(p, 0, n) < n) {
            const char *nl2 = strchr(nl + 1, '\n');
            table = delimiter = is_delimiter_row(nl + 1, nl2 ? (size_t)(nl2 - nl - 1) : strlen(nl + 1));
        }
        if (is_fence(p, n)) {
            fenced = !fenced;
        } else if (fenced) {
            fwrite(p, 1, n, out);
        } else {
            size_t rn = n;
            char *row = table ? table_row(p, n, &rn) : NULL;
            line l = {row ? row : p, rn, calloc(rn ? rn : 1, sizeof(bool)), out};
            if ((ok = l.skip != NULL && (row || !table))) block_line(&l);
            free(l.skip);
            free(row);
        }
        if (!nl) break;
        if (!is_fence(p, n)) fputc('\n', out);
        p = nl + 1;
    }
    if (fclose(out) != 0 || !ok) {
        free(buf);
        return NULL;
    }
    /* a line break that belonged to a line taken away (a closing fence, a table's delimiter row) */
    size_t mdlen = strlen(md);
    if (len && buf[len - 1] == '\n' && (!mdlen || md[mdlen - 1] != '\n')) buf[len - 1] = '\0';
    return buf;
}
