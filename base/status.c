/* The status object behind every fallible call of the library. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tfc_status {
    tfc_code code;
    char msg[1024];
};

tfc_status *tfc_status_new(void) { return calloc(1, sizeof(tfc_status)); }

void tfc_status_free(tfc_status *st) { free(st); }

bool tfc_ok(const tfc_status *st) { return !st || st->code == TFC_OK; }

tfc_code tfc_status_code(const tfc_status *st) { return st ? st->code : TFC_OK; }

const char *tfc_message(const tfc_status *st) { return st ? st->msg : ""; }

bool tfc_fail(tfc_status *st, tfc_code code, const char *fmt, ...)
{
    if (!st || st->code != TFC_OK) return false;
    st->code = code == TFC_OK ? TFC_INTERNAL : code;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(st->msg, sizeof st->msg, fmt ? fmt : "(an error without a message)", ap);
    va_end(ap);
    if (len >= (int)sizeof st->msg) { /* cut: said with "...", between UTF-8 characters */
        size_t end = sizeof st->msg - 4;
        while (end && ((unsigned char)st->msg[end] & 0xc0) == 0x80) end--;
        memcpy(st->msg + end, "...", 4);
    }
    return false;
}

void tfc_status_clear(tfc_status *st)
{
    if (!st) return;
    st->code = TFC_OK;
    st->msg[0] = '\0';
}
