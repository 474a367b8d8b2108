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

TFC_API tfc_status *tfc_status_new(void);
TFC_API void tfc_status_free(tfc_status *st);
TFC_API bool tfc_ok(const tfc_status *st);
TFC_API tfc_code tfc_status_code(const tfc_status *st);
/* The message of the first error, or "" when ok. */
TFC_API const char *tfc_message(const tfc_status *st);
/* Records an error unless one is already there; returns false so callers can
 * `return tfc_fail(st, ...)`. A NULL status is allowed and ignores the error. */
TFC_API bool tfc_fail(tfc_status *st, tfc_code code, const char *fmt, ...)
    TFC_PRINTF(3, 4);
/* Forgets the error. */
TFC_API void tfc_status_clear(tfc_status *st);

TFC_END_DECLS

#endif
