/* UTF-8 well-formedness (see utf8.h), as Unicode's table 3-7 defines it. */
#include "utf8.h"

size_t tfc_utf8_len(const unsigned char *s, size_t avail)
{
    if (!s || !avail) return 0;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    if (!n || n > avail) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (s[0] == 0xe0 && s[1] < 0xa0) return 0; /* overlong */
    if (s[0] == 0xed && s[1] >= 0xa0) return 0; /* U+D800..U+DFFF */
    if (s[0] == 0xf0 && s[1] < 0x90) return 0; /* overlong */
    if (s[0] == 0xf4 && s[1] >= 0x90) return 0; /* past U+10FFFF */
    return n;
}
