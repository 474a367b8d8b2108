/* UTF-8 well-formedness: every code point from U+0080 to U+10FFFF encoded as UTF-8 is one
 * sequence of its length; surrogates, overlong forms, code points past U+10FFFF, stray and
 * missing continuation bytes and sequences cut short by the end are not. */
#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "utf8.h"

static size_t encode(unsigned long cp, unsigned char *b)
{
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    b[0] = (unsigned char)(0xf0 | cp >> 18);
    b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    b[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

int main(void)
{
    unsigned char b[8];
    bool all = true;
    for (unsigned long cp = 0x80; cp <= 0x10ffff; cp++) {
        size_t n = encode(cp, b);
        bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
        all &= tfc_utf8_len(b, n) == (surrogate ? 0 : n) && tfc_utf8_len(b, n - 1) == 0;
    }
    CHECK(all);
    /* Past U+10FFFF, overlong forms of U+0000..U+FFFF, leads that begin nothing. */
    static const unsigned char bad[][4] = {
        {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80}, {0xff, 0x80, 0x80, 0x80}, {0xc0, 0x80},
        {0xc1, 0xbf}, {0xe0, 0x9f, 0xbf}, {0xf0, 0x8f, 0xbf, 0xbf}, {0x80, 0x80}, {0xbf},
        {0xc3, 0x28}, {0xe2, 0x82, 0x28}, {0xf0, 0x9f, 0x98, 0xc3}, {0x41},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECK_MSG(tfc_utf8_len(bad[i], 4) == 0, "case %zu", i);
    static const unsigned char ok[] = {0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0xef, 0xbf, 0xbf};
    CHECK(tfc_utf8_len(ok, sizeof ok) == 2 && tfc_utf8_len(ok + 2, 7) == 4 && tfc_utf8_len(ok + 6, 3) == 3);
    CHECK(tfc_utf8_len(NULL, 4) == 0 && tfc_utf8_len(ok, 0) == 0);
    return check_result();
}
