/* UTF-8 as the tools check it before text from files reaches JSON, a terminal or a picture. */
#ifndef TFC_UTF8_H
#define TFC_UTF8_H

#include <stddef.h>

/* The length (2 to 4) of the well-formed UTF-8 sequence of a code point from U+0080 up at s,
 * reading at most avail bytes, or 0 when s holds none there: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing past U+10FFFF. */
size_t tfc_utf8_len(const unsigned char *s, size_t avail);

#endif
