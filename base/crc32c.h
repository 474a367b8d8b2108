/* CRC32C (Castagnoli) and TensorFlow's masking, shared by event files and checkpoints. */
#ifndef TFC_CRC32C_H
#define TFC_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "varint.h"

/* Extends crc (0 to start) over n bytes. */
uint32_t tfc_crc32c_extend(uint32_t crc, const void *data, size_t n);
static inline uint32_t tfc_crc32c(const void *data, size_t n) { return tfc_crc32c_extend(0, data, n); }
/* Extends crc over n zero bytes in O(log n) steps, without reading them (a hole in a sparse file). */
uint32_t tfc_crc32c_extend_zeros(uint32_t crc, uint64_t n);
/* Rotate right by 15, then add 0xA282EAD8 (FORMATS.md §1). */
static inline uint32_t tfc_crc32c_mask(uint32_t c) { return ((c >> 15) | (c << 17)) + 0xA282EAD8u; }
static inline uint32_t tfc_crc32c_unmask(uint32_t m)
{
    uint32_t r = m - 0xA282EAD8u;
    return (r >> 17) | (r << 15);
}

/* Whether the 12 bytes at h begin a TFRecord: a u64 length and that length's masked CRC32C
 * (FORMATS.md §1), as event files' records and any TFRecord file's first bytes are. */
static inline bool tfc_record_header_ok(const unsigned char *h)
{
    return tfc_get_u32le(h + 8) == tfc_crc32c_mask(tfc_crc32c(h, 8));
}

#endif
