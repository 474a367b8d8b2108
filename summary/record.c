/* TFRecord framing: writing records and reading them back with both checksums checked. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "in_file.h"
#include "pb_check.h"

/* Records over this size are checksummed from the file before memory is spent on them. */
#define CHECK_FIRST_BYTES (16u << 20)

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p) { return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

void tfc_record_frame(const void *payload, size_t len, unsigned char *out)
{
    for (int i = 0; i < 8; i++) out[i] = (unsigned char)((uint64_t)len >> (8 * i));
    put_u32(out + 8, tfc_crc32c_mask(tfc_crc32c(out, 8)));
    if (len) memcpy(out + 12, payload, len);
    put_u32(out + 12 + len, tfc_crc32c_mask(tfc_crc32c(payload, len)));
}

void tfc_record_reader_clear(tfc_record_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
}

/* n bytes at off: a pointer into memory, or read from the file into the reader's buffer. NULL
 * with errno set on a read error or when out of memory. */
static const unsigned char *bytes_at(tfc_record_reader *r, uint64_t off, size_t n)
{
    if (r->mem) return r->mem + off;
    if (n > r->cap) {
        unsigned char *b = realloc(r->buf, n);
        if (!b) {
            errno = ENOMEM;
            return NULL;
        }
        r->buf = b;
        r->cap = n;
    }
    if (tfc_in_file_read(r->fd, r->buf, n, off)) return r->buf;
    if (errno == 0) errno = EIO; /* the file shrank while being read */
    return NULL;
}

static tfc_record_result stop(tfc_record_reader *r, tfc_record_result res, char *why, size_t whylen,
                              const char *what, uint64_t at)
{
    uint64_t left = r->size - at;
    if (res == TFC_RECORD_CORRUPT)
        snprintf(why, whylen, "%s; reading stops here, as TensorFlow's does (%llu byte%s not read)", what,
                 (unsigned long long)left, left == 1 ? "" : "s");
    else
        snprintf(why, whylen, "%s", what);
    r->stopped = true;
    return res;
}

tfc_record_result tfc_record_next(tfc_record_reader *r, const unsigned char **payload, size_t *len, size_t *at,
                                  char *why, size_t whylen)
{
    uint64_t off = r->off, left = r->size - off;
    char what[160];
    *at = (size_t)off;
    if (r->stopped || left == 0) {
        r->stopped = true;
        return TFC_RECORD_END;
    }
    if (left < 12) {
        snprintf(what, sizeof what, "incomplete record header (%llu of 12 bytes)", (unsigned long long)left);
        return stop(r, TFC_RECORD_TRUNCATED, why, whylen, what, off);
    }
    const unsigned char *p = bytes_at(r, off, 12);
    if (!p) return stop(r, TFC_RECORD_CORRUPT, why, whylen, strerror(errno), off);
    if (!tfc_record_header_ok(p)) {
        if (off == 0 && p[0] == 0x1f && p[1] == 0x8b) /* gzip's magic: TFRecord's GZIP option */
            return stop(r, TFC_RECORD_CORRUPT, why, whylen,
                        "gzip-compressed, not TFRecord framing (gunzip it first: TensorBoard does not "
                        "read compressed event files either)",
                        off);
        return stop(r, TFC_RECORD_CORRUPT, why, whylen, "corrupted record: length checksum mismatch", off);
    }
    uint64_t n = get_u64(p);
    if (left < TFC_RECORD_OVERHEAD || n > left - TFC_RECORD_OVERHEAD || n > SIZE_MAX - TFC_RECORD_OVERHEAD) {
        snprintf(what, sizeof what, "incomplete record (%llu of %llu bytes)", (unsigned long long)left,
                 (unsigned long long)n + TFC_RECORD_OVERHEAD);
        return stop(r, TFC_RECORD_TRUNCATED, why, whylen, what, off);
    }
    uint32_t crc = 0;
    if (!r->mem && n > CHECK_FIRST_BYTES) {
        /* Checked in pieces first: a damaged giant costs no memory. */
        unsigned char stored[4];
        if (!tfc_in_file_crc32c(r->fd, off + 12, n, &crc) || !tfc_in_file_read(r->fd, stored, 4, off + 12 + n))
            return stop(r, TFC_RECORD_CORRUPT, why, whylen, errno ? strerror(errno) : "the file shrank", off);
        if (get_u32(stored) != tfc_crc32c_mask(crc)) {
            snprintf(what, sizeof what, "corrupted record: payload checksum mismatch (%llu bytes)",
                     (unsigned long long)n);
            return stop(r, TFC_RECORD_CORRUPT, why, whylen, what, off);
        }
        uint64_t bad;
        int valid = r->payload_type ? tfc_pb_check_file(r->fd, off + 12, n, r->payload_type, &bad) : 1;
        if (valid < 0) return stop(r, TFC_RECORD_CORRUPT, why, whylen, errno ? strerror(errno) : "the file shrank", off);
        if (!valid) {
            r->off = off + TFC_RECORD_OVERHEAD + n;
            *payload = NULL;
            *len = (size_t)n;
            return TFC_RECORD_OK;
        }
    }
    if (!(p = bytes_at(r, off + 12, (size_t)n + 4)))
        return stop(r, TFC_RECORD_CORRUPT, why, whylen, strerror(errno), off);
    if (get_u32(p + n) != tfc_crc32c_mask(tfc_crc32c(p, (size_t)n))) {
        snprintf(what, sizeof what, "corrupted record: payload checksum mismatch (%llu bytes)", (unsigned long long)n);
        return stop(r, TFC_RECORD_CORRUPT, why, whylen, what, off);
    }
    r->off = off + TFC_RECORD_OVERHEAD + n;
    *payload = p;
    *len = (size_t)n;
    return TFC_RECORD_OK;
}
