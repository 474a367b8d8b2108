/* LEB128 varints and little-endian fixed-width integers, as LevelDB tables and tensor bundles store
 * them. Decoders never read past `end` and return NULL on truncated or overlong input. */
#ifndef TFC_VARINT_H
#define TFC_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define TFC_VARINT64_MAX 10

/* Writes v at p (at most 10 bytes); returns the byte after it. */
static inline uint8_t *tfc_varint_put(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline size_t tfc_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Reads a varint of at most max_bytes (5 for 32-bit values, 10 for 64-bit) into *v. */
static inline const uint8_t *tfc_varint_get(const uint8_t *p, const uint8_t *end, int max_bytes, uint64_t *v)
{
    uint64_t r = 0;
    for (int i = 0; i < max_bytes && p < end; i++) {
        uint8_t b = *p++;
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (max_bytes == 5 && r > UINT32_MAX) return NULL;
            *v = r;
            return p;
        }
    }
    return NULL;
}

static inline void tfc_put_u32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t tfc_get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t tfc_get_u64le(const uint8_t *p)
{
    return tfc_get_u32le(p) | (uint64_t)tfc_get_u32le(p + 4) << 32;
}

#endif
