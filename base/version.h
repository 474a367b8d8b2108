/* The version of tfc: the macros give the headers a program was compiled with, tfc_version() the
 * library it runs with. meson.build refuses to configure when TFC_VERSION_STRING is not the
 * project's version, so the two cannot drift apart. */
#ifndef TFC_VERSION_H
#define TFC_VERSION_H

#include "api.h"

TFC_BEGIN_DECLS

#define TFC_VERSION_MAJOR 0
#define TFC_VERSION_MINOR 1
#define TFC_VERSION_PATCH 0
#define TFC_VERSION_STRING "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for `#if TFC_VERSION_NUMBER >= 100` and the like. */
#define TFC_VERSION_NUMBER (TFC_VERSION_MAJOR * 10000 + TFC_VERSION_MINOR * 100 + TFC_VERSION_PATCH)

/* The version of the library linked at run time, "MAJOR.MINOR.PATCH" (a static string). */
TFC_API const char *tfc_version(void);

TFC_END_DECLS

#endif
