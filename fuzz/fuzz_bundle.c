/* libFuzzer target for the checkpoint readers: the SSTable parser, V2 bundle entries and data
 * (numeric and string tensors, partitioned variables) and V1 SavedTensorSlices. The first byte
 * picks the mode:
 *   bit 0  0: a V2 bundle (index + data file); 1: a V1 checkpoint (one table, no data file)
 *   bit 1  0: raw: a u32 LE index length, the index bytes, then the data file's bytes;
 *          1: built: the index is an SSTable our builder makes from (u8 key length, key, u16 LE
 *             value length, value) records, sorted and deduplicated, so block CRCs hold and the
 *             mutations reach the entries; the bytes after a u32 LE records length are the data
 *   bit 2  (built, V2) recompute each entry's tensor CRC (and a string tensor's length CRC) over
 *          the data it points at, so mutations also reach the value decoding behind them
 * Every tensor that opens is read. The index is also read from a file, block by block, which
 * must give the same entries as memory. Build and run: see fuzz/meson.build. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "crc32c.h"
#include "sstable.h"
#include "tensor_bundle.pb-c.h"
#include "varint.h"

typedef struct {
    const uint8_t *key, *val;
    size_t klen, vlen;
} record;

static int record_cmp(const void *a, const void *b)
{
    const record *x = a, *y = b;
    size_t m = x->klen < y->klen ? x->klen : y->klen;
    int c = m ? memcmp(x->key, y->key, m) : 0;
    return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

/* The CRC a V2 entry should carry for the data it points at (see bundle.c); for a string tensor,
 * the length CRC inside the data is rewritten first. False when it points nowhere sensible. */
static bool fixed_crc(const Tensorflow__BundleEntryProto *e, uint8_t *data, size_t data_len, uint32_t *crc)
{
    if (e->offset < 0 || e->size < 0 || (uint64_t)e->offset > data_len ||
        (uint64_t)e->size > data_len - (uint64_t)e->offset)
        return false;
    uint8_t *p = data + e->offset, *end = p + e->size;
    if (e->dtype != TENSORFLOW__DATA_TYPE__DT_STRING) {
        *crc = tfc_crc32c(p, (size_t)e->size);
        return true;
    }
    int64_t n = 1;
    for (size_t d = 0; e->shape && d < e->shape->n_dim; d++) {
        if (e->shape->dim[d]->size < 0 || e->shape->dim[d]->size > 1 << 20) return false;
        n *= e->shape->dim[d]->size;
        if (n > 1 << 20) return false;
    }
    uint32_t c = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t len;
        uint8_t le[8];
        if (!(p = (uint8_t *)tfc_varint_get(p, end, TFC_VARINT64_MAX, &len))) return false;
        tfc_put_u32le(le, (uint32_t)len);
        tfc_put_u32le(le + 4, (uint32_t)(len >> 32));
        c = tfc_crc32c_extend(c, le, len <= UINT32_MAX ? 4 : 8);
    }
    if (end - p < 4) return false;
    tfc_put_u32le(p, tfc_crc32c_mask(c));
    c = tfc_crc32c_extend(c, p, 4);
    p += 4;
    *crc = tfc_crc32c_extend(c, p, (size_t)(end - p));
    return true;
}

/* Builds an SSTable from the records in spec; NULL when the spec is malformed. */
static uint8_t *build(const uint8_t *spec, size_t n, bool fix, uint8_t *data, size_t data_len, size_t *len)
{
    record *r = malloc((n / 3 + 1) * sizeof *r);
    size_t nr = 0, off = 0;
    while (off < n) {
        size_t klen = spec[off++];
        if (n - off < klen + 2) break;
        r[nr].key = spec + off;
        r[nr].klen = klen;
        off += klen;
        size_t vlen = spec[off] | (size_t)spec[off + 1] << 8;
        off += 2;
        if (n - off < vlen) vlen = n - off;
        r[nr].val = spec + off;
        r[nr++].vlen = vlen;
        off += vlen;
    }
    qsort(r, nr, sizeof *r, record_cmp);
    tfc_sstable_builder *b = tfc_sstable_builder_new();
    uint8_t *out = NULL;
    for (size_t i = 0; i < nr; i++) {
        if (i && record_cmp(&r[i - 1], &r[i]) == 0) continue;
        uint8_t *val = NULL;
        size_t vlen = r[i].vlen;
        Tensorflow__BundleEntryProto *e =
            fix && r[i].klen ? tensorflow__bundle_entry_proto__unpack(NULL, r[i].vlen, r[i].val) : NULL;
        uint32_t crc;
        if (e && fixed_crc(e, data, data_len, &crc)) {
            e->crc32c = tfc_crc32c_mask(crc);
            vlen = tensorflow__bundle_entry_proto__get_packed_size(e);
            val = malloc(vlen ? vlen : 1);
            tensorflow__bundle_entry_proto__pack(e, val);
        }
        if (e) tensorflow__bundle_entry_proto__free_unpacked(e, NULL);
        tfc_sstable_builder_add(b, r[i].key, r[i].klen, val ? val : r[i].val, vlen, NULL);
        free(val);
    }
    const uint8_t *table;
    if (tfc_sstable_builder_finish(b, &table, len, NULL)) {
        out = malloc(*len);
        memcpy(out, table, *len);
    }
    tfc_sstable_builder_free(b);
    free(r);
    return out;
}

/* The table read from a file (a memfd holding the index, read block by block) must be the one
 * parsed from memory: both refused, or the same entries. */
static void compare_file_and_memory(const uint8_t *index, size_t len)
{
    int fd = memfd_create("fuzz-index", MFD_CLOEXEC);
    if (fd < 0) return;
    if (len && write(fd, index, len) != (ssize_t)len) {
        close(fd);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    tfc_sstable *f = tfc_sstable_open(path, NULL), *m = tfc_sstable_parse(index, len, "fuzz", NULL);
    if (!f != !m || (f && tfc_sstable_count(f) != tfc_sstable_count(m))) abort();
    for (size_t i = 0; f && i < tfc_sstable_count(f); i++) {
        const tfc_sstable_entry *a = tfc_sstable_at(f, i), *b = tfc_sstable_at(m, i);
        if (a->key_len != b->key_len || a->value_len != b->value_len || memcmp(a->key, b->key, a->key_len) ||
            memcmp(a->value, b->value, a->value_len))
            abort();
    }
    tfc_sstable_free(f);
    tfc_sstable_free(m);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    if (size < 5) return 0;
    uint8_t mode = in[0];
    size_t split = tfc_get_u32le(in + 1);
    in += 5;
    size -= 5;
    if (split > size) split = size;
    uint8_t *data = malloc(size - split + 1);
    size_t data_len = size - split;
    memcpy(data, in + split, data_len);
    const uint8_t *index = in;
    size_t index_len = split;
    uint8_t *built = NULL;
    if (mode & 2) {
        built = build(in, split, (mode & 4) && !(mode & 1), data, data_len, &index_len);
        index = built;
    }
    if (index) compare_file_and_memory(index, index_len);
    tfc_status *st = tfc_status_new();
    tfc_bundle *b =
        index ? tfc_bundle_open_memory(index, index_len, mode & 1 ? NULL : data, data_len, "fuzz", st) : NULL;
    volatile double sink = 0;
    for (int i = 0; b && i < tfc_bundle_count(b); i++) {
        tfc_tensor *t = tfc_bundle_read(b, tfc_bundle_at(b, i)->name, st);
        if (t && t->dtype != TFC_STRING && t->size) sink += tfc_tensor_get(t, t->size - 1);
        if (t && t->dtype == TFC_STRING)
            for (int64_t k = 0; k < t->size; k++) sink += (double)((tfc_bytes *)t->data)[k].len;
        tfc_tensor_free(t);
        tfc_status_clear(st);
    }
    (void)sink;
    tfc_bundle_close(b);
    tfc_status_free(st);
    free(built);
    free(data);
    return 0;
}
