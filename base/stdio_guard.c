/* The filter in front of the tools' stdout and stderr (see stdio_guard.h). */
#include "stdio_guard.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int fd;
    bool escape;        /* a terminal: control characters as \xNN */
    int err;            /* errno of the first failed write */
    int need;           /* continuation bytes still due in the current UTF-8 sequence */
    unsigned char lead; /* that sequence's first byte */
} guard;

static bool put(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Appends byte c to out (k bytes so far), escaped when it is a control character or not part of
 * well-formed UTF-8; returns the new length. */
static size_t filter(guard *g, unsigned char c, char *out, size_t k)
{
    if (g->need && c >= 0x80 && c <= 0xbf) {
        g->need--;
        if (g->lead != 0xc2 || c > 0x9f) {
            out[k++] = (char)c;
            return k;
        }
        /* U+0080-U+009F, a C1 control: its lead byte was just written, raw */
        if (k) k--;
        return k + (size_t)sprintf(out + k, "\\xc2\\x%02x", c);
    }
    g->need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    g->lead = c;
    bool raw = g->need || (c < 0x80 && (c >= 0x20 || c == '\n' || c == '\t') && c != 0x7f);
    if (raw) {
        out[k++] = (char)c;
        return k;
    }
    return k + (size_t)sprintf(out + k, "\\x%02x", c);
}

static guard *stdout_guard;

/* A short count on failure, never -1 (glibc's stdio takes -1 for a count). */
static ssize_t guard_write(void *cookie, const char *buf, size_t n)
{
    guard *g = cookie;
    char out[1024];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (g->escape) k = filter(g, (unsigned char)buf[i], out, k);
        else out[k++] = buf[i];
        if (k > sizeof out - 16 || i + 1 == n) {
            if (!put(g->fd, out, k)) {
                if (!g->err) g->err = errno ? errno : EIO;
                return 0;
            }
            k = 0;
        }
    }
    return (ssize_t)n;
}

static FILE *guarded(FILE *f, int mode, guard **kept)
{
    int fd = fileno(f);
    if (fd < 0) return f;
    guard *g = calloc(1, sizeof *g);
    FILE *out = g ? fopencookie(g, "w", (cookie_io_functions_t){.write = guard_write}) : NULL;
    if (!out) {
        free(g);
        return f;
    }
    g->fd = fd;
    g->escape = isatty(fd);
    setvbuf(out, NULL, mode, BUFSIZ);
    fflush(f);
    if (kept) *kept = g;
    return out;
}

void tfc_stdio_guard(bool also_stderr)
{
    stdout = guarded(stdout, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, &stdout_guard);
    if (also_stderr && isatty(STDERR_FILENO)) stderr = guarded(stderr, _IONBF, NULL);
}

int tfc_stdio_write_error(void) { return stdout_guard ? stdout_guard->err : 0; }
