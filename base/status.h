/* Errors as values: a status holds the first error reported to it, later ones are ignored,
 * so a chain of calls can be checked once at the end. */
#ifndef TFC_STATUS_H
#define TFC_STATUS_H

#include <stdbool.h>

#include "api.h"

TFC_BEGIN_DECLS

typedef enum {
    TFC_OK = 0,
    TFC_INVALID_ARGUMENT, /* bad shapes, bad flags, bad values given by the caller */
    TFC_NOT_FOUND,        /* missing file, node, tag, tensor */
    TFC_DATA_LOSS,        /* corrupt or truncated file */
    TFC_FAILED_PRECONDITION, /* unfed placeholder, uninitialised variable */
    TFC_IO,               /* the operating system refused a read or write */
    TFC_INTERNAL,
} tfc_code;

typedef struct tfc_status tfc_status;

/* A new status holding no error, for the caller to free with tfc_status_free; NULL when out of
 * memory (every function taking a status accepts NULL: errors are then not kept). */
TFC_API tfc_status *tfc_status_new(void);
/* Frees st; NULL is allowed. */
TFC_API void tfc_status_free(tfc_status *st);
/* True while no error was recorded (and for a NULL status). */
TFC_API bool tfc_ok(const tfc_status *st);
/* The first error's code, TFC_OK when there is none. */
TFC_API tfc_code tfc_status_code(const tfc_status *st);
/* The message of the first error (one line naming the file, node, shape or flag involved), "" when
 * ok. The string belongs to st and changes with it. */
TFC_API const char *tfc_message(const tfc_status *st);
/* Records an error (a printf format and its arguments; a message over 1 KiB is cut and ends
 * "...") unless one is there already; TFC_OK counts as TFC_INTERNAL. Returns false, so that a
 * function can `return tfc_fail(st, ...)`. A NULL status ignores the error. */
TFC_API bool tfc_fail(tfc_status *st, tfc_code code, const char *fmt, ...)
    TFC_PRINTF(3, 4);
/* Forgets the error, so that st records the next one; NULL is allowed. */
TFC_API void tfc_status_clear(tfc_status *st);

TFC_END_DECLS

#endif
