/* LevelDB table writer and reader with TensorFlow's options (see sstable.h). The writer mirrors
 * TensorFlow's TableBuilder decision for decision (block flushes, short separators, the short
 * successor of the last key) so our index files are byte-identical to TensorFlow's. */
#include "sstable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "in_file.h"
#include "varint.h"

/* ---- growable byte buffer ---- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
    bool oom;
} bytes_buf;

static bool buf_reserve(bytes_buf *b, size_t extra)
{
    if (b->oom) return false;
    if (extra > SIZE_MAX / 2 - b->n) return !(b->oom = true);
    if (b->n + extra <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra) cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) return !(b->oom = true);
    b->p = p;
    b->cap = cap;
    return true;
}

/* The buffer's bytes; never NULL, also while it is empty (no offset is applied to NULL). */
static const uint8_t *buf_bytes(const bytes_buf *b) { return b->p ? b->p : (const uint8_t *)""; }

static void buf_append(bytes_buf *b, const void *data, size_t n)
{
    if (!n || !buf_reserve(b, n)) return;
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void buf_varint(bytes_buf *b, uint64_t v)
{
    uint8_t tmp[TFC_VARINT64_MAX];
    buf_append(b, tmp, (size_t)(tfc_varint_put(tmp, v) - tmp));
}

static void buf_u32(bytes_buf *b, uint32_t v)
{
    uint8_t tmp[4];
    tfc_put_u32le(tmp, v);
    buf_append(b, tmp, 4);
}

/* ---- block builder (LevelDB's BlockBuilder) ---- */

typedef struct {
    bytes_buf data;
    bytes_buf restarts; /* u32 LE offsets */
    bytes_buf last_key;
    int counter;
    int interval;
} block_builder;

static void block_reset(block_builder *bb)
{
    bb->data.n = 0;
    bb->restarts.n = 0;
    buf_u32(&bb->restarts, 0);
    bb->last_key.n = 0;
    bb->counter = 0;
}

static bool block_empty(const block_builder *bb) { return bb->data.n == 0; }

static size_t block_size_estimate(const block_builder *bb) { return bb->data.n + bb->restarts.n + 4; }

static void block_add(block_builder *bb, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    size_t shared = 0;
    if (bb->counter < bb->interval) {
        size_t m = klen < bb->last_key.n ? klen : bb->last_key.n;
        while (shared < m && bb->last_key.p[shared] == key[shared]) shared++;
    } else {
        buf_u32(&bb->restarts, (uint32_t)bb->data.n);
        bb->counter = 0;
    }
    buf_varint(&bb->data, shared);
    buf_varint(&bb->data, klen - shared);
    buf_varint(&bb->data, vlen);
    buf_append(&bb->data, key + shared, klen - shared);
    buf_append(&bb->data, val, vlen);
    bb->last_key.n = 0;
    buf_append(&bb->last_key, key, klen);
    bb->counter++;
}

/* Appends the restart array and its length; the block's bytes are then bb->data. */
static void block_finish(block_builder *bb)
{
    buf_append(&bb->data, bb->restarts.p, bb->restarts.n);
    buf_u32(&bb->data, (uint32_t)(bb->restarts.n / 4));
}

static bool block_oom(const block_builder *bb) { return bb->data.oom || bb->restarts.oom || bb->last_key.oom; }

static void block_free(block_builder *bb)
{
    free(bb->data.p);
    free(bb->restarts.p);
    free(bb->last_key.p);
}

/* ---- table builder ---- */

struct tfc_sstable_builder {
    bytes_buf out;
    block_builder data_block, index_block;
    bytes_buf last_key;
    uint64_t num_entries;
    bool pending_index_entry;
    uint64_t pending_offset, pending_size;
    bool finished;
};

tfc_sstable_builder *tfc_sstable_builder_new(void)
{
    tfc_sstable_builder *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->data_block.interval = TFC_SSTABLE_RESTART_INTERVAL;
    b->index_block.interval = 1;
    block_reset(&b->data_block);
    block_reset(&b->index_block);
    return b;
}

void tfc_sstable_builder_free(tfc_sstable_builder *b)
{
    if (!b) return;
    free(b->out.p);
    block_free(&b->data_block);
    block_free(&b->index_block);
    free(b->last_key.p);
    free(b);
}

/* Writes a finished block with its trailer (type 0 = uncompressed, masked CRC of contents + type). */
static void write_block(tfc_sstable_builder *b, block_builder *bb, uint64_t *offset, uint64_t *size)
{
    block_finish(bb);
    *offset = b->out.n;
    *size = bb->data.n;
    buf_append(&b->out, bb->data.p, bb->data.n);
    uint8_t type = 0;
    uint32_t crc = tfc_crc32c_extend(tfc_crc32c(bb->data.p, bb->data.n), &type, 1);
    buf_append(&b->out, &type, 1);
    buf_u32(&b->out, tfc_crc32c_mask(crc));
    block_reset(bb);
}

static void flush_data_block(tfc_sstable_builder *b)
{
    if (block_empty(&b->data_block)) return;
    write_block(b, &b->data_block, &b->pending_offset, &b->pending_size);
    b->pending_index_entry = true;
}

static void add_index_entry(tfc_sstable_builder *b)
{
    uint8_t handle[2 * TFC_VARINT64_MAX];
    uint8_t *e = tfc_varint_put(tfc_varint_put(handle, b->pending_offset), b->pending_size);
    block_add(&b->index_block, buf_bytes(&b->last_key), b->last_key.n, handle, (size_t)(e - handle));
    b->pending_index_entry = false;
}

/* Shortens last_key to a key >= it and < limit, as LevelDB's bytewise comparator does. */
static void shortest_separator(bytes_buf *last, const uint8_t *limit, size_t limit_len)
{
    size_t m = last->n < limit_len ? last->n : limit_len, i = 0;
    while (i < m && last->p[i] == limit[i]) i++;
    if (i >= m) return; /* one is a prefix of the other */
    uint8_t d = last->p[i];
    if (d < 0xff && d + 1 < limit[i]) {
        last->p[i]++;
        last->n = i + 1;
    }
}

/* Shortens last_key to a short key >= it: increments its first byte that is not 0xff. */
static void short_successor(bytes_buf *last)
{
    for (size_t i = 0; i < last->n; i++)
        if (last->p[i] != 0xff) {
            last->p[i]++;
            last->n = i + 1;
            return;
        }
}

static bool builder_oom(const tfc_sstable_builder *b, tfc_status *st)
{
    if (b->out.oom || b->last_key.oom || block_oom(&b->data_block) || block_oom(&b->index_block))
        return !tfc_fail(st, TFC_INTERNAL, "SSTable builder: out of memory");
    return false;
}

bool tfc_sstable_builder_add(tfc_sstable_builder *b, const void *key, size_t key_len, const void *value,
                             size_t value_len, tfc_status *st)
{
    if (b->finished) return tfc_fail(st, TFC_INTERNAL, "SSTable builder: add after finish");
    if (b->num_entries > 0) {
        size_t m = key_len < b->last_key.n ? key_len : b->last_key.n;
        int c = m ? memcmp(key, b->last_key.p, m) : 0;
        if (c < 0 || (c == 0 && key_len <= b->last_key.n))
            return tfc_fail(st, TFC_INVALID_ARGUMENT, "SSTable builder: key '%.*s' is not after the previous key",
                            (int)(key_len > 200 ? 200 : key_len), (const char *)key);
        if (key_len + value_len >= 2 * (size_t)TFC_SSTABLE_BLOCK_SIZE) flush_data_block(b);
    }
    if (b->pending_index_entry) {
        shortest_separator(&b->last_key, key, key_len);
        add_index_entry(b);
    }
    b->last_key.n = 0;
    buf_append(&b->last_key, key, key_len);
    b->num_entries++;
    block_add(&b->data_block, key, key_len, value, value_len);
    if (block_size_estimate(&b->data_block) >= TFC_SSTABLE_BLOCK_SIZE) flush_data_block(b);
    return !builder_oom(b, st);
}

bool tfc_sstable_builder_finish(tfc_sstable_builder *b, const uint8_t **data, size_t *len, tfc_status *st)
{
    if (b->finished) return tfc_fail(st, TFC_INTERNAL, "SSTable builder: finished twice");
    b->finished = true;
    flush_data_block(b);
    block_builder meta = {.interval = TFC_SSTABLE_RESTART_INTERVAL};
    block_reset(&meta);
    uint64_t meta_off, meta_size, index_off, index_size;
    write_block(b, &meta, &meta_off, &meta_size);
    bool meta_oom = block_oom(&meta);
    block_free(&meta);
    if (b->pending_index_entry) {
        short_successor(&b->last_key);
        add_index_entry(b);
    }
    write_block(b, &b->index_block, &index_off, &index_size);
    uint8_t footer[TFC_SSTABLE_FOOTER_SIZE] = {0};
    uint8_t *e = tfc_varint_put(footer, meta_off);
    e = tfc_varint_put(e, meta_size);
    e = tfc_varint_put(e, index_off);
    tfc_varint_put(e, index_size);
    tfc_put_u32le(footer + 40, (uint32_t)TFC_SSTABLE_MAGIC);
    tfc_put_u32le(footer + 44, (uint32_t)(TFC_SSTABLE_MAGIC >> 32));
    buf_append(&b->out, footer, sizeof footer);
    if (meta_oom) return tfc_fail(st, TFC_INTERNAL, "SSTable builder: out of memory");
    if (builder_oom(b, st)) return false;
    *data = b->out.p;
    *len = b->out.n;
    return true;
}

/* ---- reader ---- */

struct tfc_sstable {
    char *name;
    const uint8_t *mem; /* a table held in memory (owned), or NULL: read from fd */
    int fd;
    uint64_t len;        /* the file's size */
    uint8_t **blocks;    /* the blocks read from the file, each with its 5-byte trailer */
    size_t nblocks;
    tfc_sstable_entry *entries;
    size_t n, cap;
    bytes_buf keys; /* every entry's full key, back to back */
    size_t *key_off;
};

const char *tfc_sstable_name(const tfc_sstable *t) { return t->name; }
size_t tfc_sstable_count(const tfc_sstable *t) { return t->n; }
const tfc_sstable_entry *tfc_sstable_at(const tfc_sstable *t, size_t i) { return i < t->n ? &t->entries[i] : NULL; }

void tfc_sstable_free(tfc_sstable *t)
{
    if (!t) return;
    free(t->name);
    free((void *)t->mem);
    if (t->fd >= 0) close(t->fd);
    for (size_t i = 0; i < t->nblocks; i++) free(t->blocks[i]);
    free(t->blocks);
    free(t->entries);
    free(t->keys.p);
    free(t->key_off);
    free(t);
}

static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

const tfc_sstable_entry *tfc_sstable_find(const tfc_sstable *t, const void *key, size_t key_len)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(t->entries[mid].key, t->entries[mid].key_len, key, key_len);
        if (c == 0) return &t->entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

typedef struct {
    uint64_t offset, size;
} block_handle;

/* Decodes a block handle from [p, end) and checks it lies inside the file; returns the byte after it. */
static const uint8_t *decode_handle(const tfc_sstable *t, const uint8_t *p, const uint8_t *end, const char *what,
                                    block_handle *h, tfc_status *st)
{
    p = tfc_varint_get(p, end, TFC_VARINT64_MAX, &h->offset);
    if (p) p = tfc_varint_get(p, end, TFC_VARINT64_MAX, &h->size);
    if (!p) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: corrupt SSTable: bad %s block handle", t->name, what);
        return NULL;
    }
    uint64_t limit = t->len - TFC_SSTABLE_FOOTER_SIZE;
    if (h->offset > limit || h->size > limit || h->offset + h->size + 5 > limit) {
        tfc_fail(st, TFC_DATA_LOSS,
                 "%s: corrupt SSTable: %s block [%llu, +%llu) lies beyond the data (%llu bytes); the file may be "
                 "truncated",
                 t->name, what, (unsigned long long)h->offset, (unsigned long long)h->size, (unsigned long long)limit);
        return NULL;
    }
    return p;
}

/* n bytes at off: in the table held in memory, or read from the file into a buffer kept until
 * the table is freed (entries point into it). */
static const uint8_t *bytes_at(tfc_sstable *t, uint64_t off, size_t n, tfc_status *st)
{
    if (t->mem) return t->mem + off;
    uint8_t **blocks = realloc(t->blocks, (t->nblocks + 1) * sizeof *blocks);
    uint8_t *b = blocks ? malloc(n ? n : 1) : NULL;
    if (blocks) t->blocks = blocks;
    if (!b) {
        tfc_fail(st, TFC_INTERNAL, "%s: out of memory for %zu bytes", t->name, n);
        return NULL;
    }
    t->blocks[t->nblocks++] = b;
    if (tfc_in_file_read(t->fd, b, n, off)) return b;
    tfc_fail(st, TFC_IO, "%s: cannot read %zu bytes at offset %llu: %s", t->name, n, (unsigned long long)off,
             errno ? strerror(errno) : "the file shrank");
    return NULL;
}

/* The block's bytes with its trailer, type and checksum checked. A big block of a file is
 * checksummed in pieces before memory is spent on it. */
static const uint8_t *check_block(tfc_sstable *t, block_handle h, const char *what, tfc_status *st)
{
    uint8_t trailer[5];
    const uint8_t *tr = t->mem ? t->mem + h.offset + h.size : trailer;
    if (!t->mem && !tfc_in_file_read(t->fd, trailer, 5, h.offset + h.size))
        return tfc_fail(st, TFC_IO, "%s: cannot read the %s block at offset %llu", t->name, what,
                        (unsigned long long)h.offset),
               NULL;
    uint8_t type = tr[0];
    if (type != 0)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: %s block at offset %llu is %s (type %u), which checkpoints never use",
                        t->name, what, (unsigned long long)h.offset,
                        type == 1 ? "snappy-compressed" : "of unknown type", type),
               NULL;
    uint32_t stored = tfc_crc32c_unmask(tfc_get_u32le(tr + 1)), crc = 0;
    if (!t->mem && h.size > (16u << 20)) {
        if (!tfc_in_file_crc32c(t->fd, h.offset, h.size, &crc))
            return tfc_fail(st, TFC_IO, "%s: cannot read the %s block at offset %llu", t->name, what,
                            (unsigned long long)h.offset),
                   NULL;
        if (tfc_crc32c_extend(crc, &type, 1) != stored)
            return tfc_fail(st, TFC_DATA_LOSS, "%s: %s block at offset %llu: checksum mismatch", t->name, what,
                            (unsigned long long)h.offset),
                   NULL;
    }
    const uint8_t *p = bytes_at(t, h.offset, (size_t)h.size, st);
    if (!p) return NULL;
    crc = tfc_crc32c_extend(tfc_crc32c(p, h.size), &type, 1);
    if (crc != stored)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: %s block at offset %llu: checksum mismatch (stored %08x, computed %08x)",
                        t->name, what, (unsigned long long)h.offset, stored, crc),
               NULL;
    return p;
}

/* Decodes the entries of a block; each is handed to add() with its full key. */
typedef bool (*entry_fn)(tfc_sstable *t, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                         void *ctx, tfc_status *st);

static bool decode_block(tfc_sstable *t, block_handle h, const char *what, entry_fn add, void *ctx, tfc_status *st)
{
    const uint8_t *p = check_block(t, h, what, st);
    if (!p) return false;
    size_t size = (size_t)h.size;
    if (size < 4) return tfc_fail(st, TFC_DATA_LOSS, "%s: corrupt SSTable: %s block too short", t->name, what);
    uint32_t nrestarts = tfc_get_u32le(p + size - 4);
    if (nrestarts > (size - 4) / 4)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: corrupt SSTable: %s block claims %u restart points", t->name, what,
                        nrestarts);
    const uint8_t *end = p + size - 4 - 4 * (size_t)nrestarts;
    bytes_buf key = {0};
    bool ok = true;
    while (ok && p < end) {
        uint64_t shared, non_shared, vlen;
        p = tfc_varint_get(p, end, 5, &shared);
        if (p) p = tfc_varint_get(p, end, 5, &non_shared);
        if (p) p = tfc_varint_get(p, end, 5, &vlen);
        if (!p || shared > key.n || non_shared > (uint64_t)(end - p) || vlen > (uint64_t)(end - p) - non_shared) {
            ok = tfc_fail(st, TFC_DATA_LOSS, "%s: corrupt SSTable: bad entry in %s block at offset %llu", t->name,
                          what, (unsigned long long)h.offset);
            break;
        }
        key.n = (size_t)shared;
        buf_append(&key, p, (size_t)non_shared);
        if (key.oom) {
            ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", t->name);
            break;
        }
        p += non_shared;
        ok = add(t, key.p, key.n, p, (size_t)vlen, ctx, st);
        p += vlen;
    }
    free(key.p);
    return ok;
}

static bool add_data_entry(tfc_sstable *t, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                           void *ctx, tfc_status *st)
{
    (void)ctx;
    if (t->n > 0) {
        size_t prev = t->n - 1;
        if (key_cmp(buf_bytes(&t->keys) + t->key_off[prev], t->entries[prev].key_len, key, klen) >= 0)
            return tfc_fail(st, TFC_DATA_LOSS, "%s: corrupt SSTable: keys out of order at entry %zu", t->name, t->n);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        tfc_sstable_entry *e = realloc(t->entries, cap * sizeof *e);
        if (e) t->entries = e;
        size_t *o = e ? realloc(t->key_off, cap * sizeof *o) : NULL;
        if (!o) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", t->name);
        t->key_off = o;
        t->cap = cap;
    }
    t->key_off[t->n] = t->keys.n;
    buf_append(&t->keys, key, klen);
    if (t->keys.oom) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", t->name);
    t->entries[t->n++] = (tfc_sstable_entry){.key = NULL, .key_len = klen, .value = val, .value_len = vlen};
    return true;
}

static bool add_index_entry_read(tfc_sstable *t, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                                 void *ctx, tfc_status *st)
{
    (void)key;
    (void)klen;
    (void)ctx;
    block_handle h;
    if (!decode_handle(t, val, val + vlen, "data", &h, st)) return false;
    return decode_block(t, h, "data", add_data_entry, NULL, st);
}

/* A table with its source set (mem or fd, len): the footer, the index block and through it
 * every data block are read, checked and decoded. Frees t on failure. */
static tfc_sstable *parse(tfc_sstable *t, tfc_status *st)
{
    const char *name = t->name;
    if (t->len < TFC_SSTABLE_FOOTER_SIZE) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: not an SSTable: %llu bytes is shorter than the %d-byte footer (truncated?)",
                 name, (unsigned long long)t->len, TFC_SSTABLE_FOOTER_SIZE);
        goto fail;
    }
    const uint8_t *footer = bytes_at(t, t->len - TFC_SSTABLE_FOOTER_SIZE, TFC_SSTABLE_FOOTER_SIZE, st);
    if (!footer) goto fail;
    if (tfc_get_u64le(footer + 40) != TFC_SSTABLE_MAGIC) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: not an SSTable: bad magic number (truncated or not a checkpoint file?)", name);
        goto fail;
    }
    block_handle meta, index;
    const uint8_t *p = decode_handle(t, footer, footer + 40, "metaindex", &meta, st);
    if (!p || !decode_handle(t, p, footer + 40, "index", &index, st) || !check_block(t, meta, "metaindex", st) ||
        !decode_block(t, index, "index", add_index_entry_read, NULL, st))
        goto fail;
    for (size_t i = 0; i < t->n; i++) t->entries[i].key = buf_bytes(&t->keys) + t->key_off[i];
    return t;
fail:
    tfc_sstable_free(t);
    return NULL;
}

static tfc_sstable *new_table(const char *name, tfc_status *st)
{
    tfc_sstable *t = calloc(1, sizeof *t);
    if (t) t->fd = -1;
    if (t && (t->name = strdup(name))) return t;
    free(t);
    tfc_fail(st, TFC_INTERNAL, "%s: out of memory", name);
    return NULL;
}

tfc_sstable *tfc_sstable_parse(const void *data, size_t len, const char *name, tfc_status *st)
{
    tfc_sstable *t = new_table(name, st);
    uint8_t *copy = t ? malloc(len ? len : 1) : NULL;
    if (!copy) {
        tfc_sstable_free(t);
        tfc_fail(st, TFC_INTERNAL, "%s: out of memory", name);
        return NULL;
    }
    if (len) memcpy(copy, data, len);
    t->mem = copy;
    t->len = len;
    return parse(t, st);
}

tfc_sstable *tfc_sstable_open(const char *path, tfc_status *st)
{
    uint64_t size;
    int fd = tfc_in_file_open(path, &size, st);
    if (fd < 0) return NULL;
    tfc_sstable *t = new_table(path, st);
    if (!t) {
        close(fd);
        return NULL;
    }
    t->fd = fd;
    t->len = size;
    return parse(t, st);
}
