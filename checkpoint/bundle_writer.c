/* Writing V2 tensor bundles as TensorFlow's BundleWriter does (FORMATS.md §5): tensors go to the
 * data file in the order added, unpadded; the index lists them sorted by name after the header
 * entry. Both files are written under temporary names and renamed into place when complete. */
#include <stdlib.h>
#include <string.h>

#include "out_file.h"
#include "bundle.h"
#include "bundle_internal.h"
#include "crc32c.h"
#include "sstable.h"
#include "tensor_bundle.pb-c.h"
#include "varint.h"

typedef struct {
    char *name;
    int dtype; /* TensorFlow's DataType number */
    tfc_shape shape;
    int64_t offset, size;
    uint32_t crc; /* masked */
} written;

struct tfc_bundle_writer {
    char *prefix;
    tfc_out_file data;
    int64_t size;
    written *entries;
    int n, cap;
    bool failed;
};

bool tfc_bundle_prefix_ok(const char *prefix, tfc_status *st)
{
    if (!prefix) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no checkpoint prefix (NULL)");
    const char *slash = strrchr(prefix, '/');
    const char *name = slash ? slash + 1 : prefix;
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return tfc_fail(st, TFC_INVALID_ARGUMENT,
                        "checkpoint prefix '%s' needs a file name at its end (e.g. '%s%smodel.ckpt')", prefix,
                        prefix, *name ? "/" : "");
    return true;
}

tfc_bundle_writer *tfc_bundle_writer_new(const char *prefix, tfc_status *st)
{
    if (!tfc_bundle_prefix_ok(prefix, st)) return NULL;
    tfc_bundle_writer *w = calloc(1, sizeof *w);
    size_t n = strlen(prefix) + 32;
    char *path = malloc(n);
    if (!w || !path || !(w->prefix = strdup(prefix))) {
        free(path);
        tfc_bundle_writer_free(w);
        tfc_fail(st, TFC_INTERNAL, "%s: out of memory", prefix);
        return NULL;
    }
    snprintf(path, n, "%s.data-00000-of-00001", prefix);
    bool ok = tfc_out_file_open(&w->data, path, st);
    free(path);
    if (!ok) {
        tfc_bundle_writer_free(w);
        return NULL;
    }
    return w;
}

void tfc_bundle_writer_free(tfc_bundle_writer *w)
{
    if (!w) return;
    tfc_out_file_abort(&w->data);
    for (int i = 0; i < w->n; i++) free(w->entries[i].name);
    free(w->entries);
    free(w->prefix);
    free(w);
}

/* Writes a string tensor's bytes; returns its CRC (see bundle.c's decode_strings for the layout). */
static bool write_strings(tfc_bundle_writer *w, const tfc_tensor *t, int64_t *size, uint32_t *crc_out,
                          tfc_status *st)
{
    const tfc_bytes *s = t->data;
    size_t nlen = (size_t)t->size * TFC_VARINT64_MAX;
    uint8_t *lens = malloc(nlen ? nlen : 1);
    if (!lens) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", w->prefix);
    uint8_t *p = lens;
    uint32_t crc = 0;
    for (int64_t i = 0; i < t->size; i++) {
        uint64_t len = s[i].len;
        p = tfc_varint_put(p, len);
        crc = bundle_crc_length(crc, len, len > UINT32_MAX);
    }
    uint8_t masked[4];
    tfc_put_u32le(masked, tfc_crc32c_mask(crc));
    crc = tfc_crc32c_extend(crc, masked, 4);
    bool ok = tfc_out_file_write(&w->data, lens, (size_t)(p - lens), st) &&
              tfc_out_file_write(&w->data, masked, 4, st);
    *size = (int64_t)(p - lens) + 4;
    free(lens);
    for (int64_t i = 0; ok && i < t->size; i++) {
        ok = tfc_out_file_write(&w->data, s[i].ptr, s[i].len, st);
        crc = tfc_crc32c_extend(crc, s[i].ptr, s[i].len);
        *size += (int64_t)s[i].len;
    }
    *crc_out = crc;
    return ok;
}

/* Checks a tensor's name and appends its entry at the end of the data written so far; NULL (st
 * set) when it cannot be added. */
static written *new_entry(tfc_bundle_writer *w, const char *name, int dtype, tfc_shape shape, bool have,
                          tfc_status *st)
{
    if (!w) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no bundle writer (did tfc_bundle_writer_new fail?)"), NULL;
    if (!name || !have)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no tensor or no name (NULL) to add", w->prefix), NULL;
    if (w->failed || !w->data.f)
        return tfc_fail(st, TFC_INTERNAL, "%s: adding to a failed or finished bundle writer", w->prefix), NULL;
    if (!name[0]) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: a tensor needs a non-empty name", w->prefix), NULL;
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->entries[i].name, name) == 0)
            return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s' added twice", w->prefix, name), NULL;
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 32;
        written *e = realloc(w->entries, (size_t)cap * sizeof *e);
        if (!e) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", w->prefix), NULL;
        w->entries = e;
        w->cap = cap;
    }
    written *e = &w->entries[w->n];
    *e = (written){.dtype = dtype, .shape = shape, .offset = w->size};
    if (!(e->name = strdup(name))) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", w->prefix), NULL;
    w->n++;
    return e;
}

/* Counts an entry's bytes in (its size and masked CRC set); a failed write fails the writer. */
static bool entry_written(tfc_bundle_writer *w, written *e, uint32_t crc, bool ok)
{
    e->crc = tfc_crc32c_mask(crc);
    w->size += e->size;
    if (!ok) w->failed = true;
    return ok;
}

bool tfc_bundle_writer_add(tfc_bundle_writer *w, const char *name, const tfc_tensor *t, tfc_status *st)
{
    if (t && !tfc_dtype_size(t->dtype))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s' has an unknown dtype %d", w ? w->prefix : "?",
                        name ? name : "?", (int)t->dtype);
    written *e = new_entry(w, name, t ? (int)t->dtype : 0, t ? t->shape : (tfc_shape){0}, t != NULL, st);
    if (!e) return false;
    uint32_t crc = 0;
    bool ok;
    if (t->dtype == TFC_STRING) {
        ok = write_strings(w, t, &e->size, &crc, st);
    } else {
        e->size = (int64_t)tfc_tensor_nbytes(t);
        crc = tfc_crc32c(t->data, (size_t)e->size);
        ok = tfc_out_file_write(&w->data, t->data, (size_t)e->size, st);
    }
    return entry_written(w, e, crc, ok);
}

bool tfc_bundle_writer_add_raw(tfc_bundle_writer *w, const char *name, int dtype, tfc_shape shape, const void *bytes,
                               int64_t n, tfc_status *st)
{
    if (n < 0 || (n && !bytes))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s': no bytes to add (%lld)", w ? w->prefix : "?",
                        name ? name : "?", (long long)n);
    uint32_t crc;
    char db[24];
    if (tfc_shape_numel(shape) < 0)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s': a shape of rank %d is no tensor's (ranks 0 to %d, "
                        "dims 0 or more)", w ? w->prefix : "?", name ? name : "?", shape.rank, TFC_MAX_DIMS);
    if (!bundle_raw_crc(dtype, tfc_shape_numel(shape), bytes, n, &crc))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s': %lld bytes are not %lld %s values",
                        w ? w->prefix : "?", name ? name : "?", (long long)n, (long long)tfc_shape_numel(shape),
                        tfc_bundle_dtype_name(dtype, db));
    written *e = new_entry(w, name, dtype, shape, true, st);
    if (!e) return false;
    e->size = n;
    return entry_written(w, e, crc, tfc_out_file_write(&w->data, bytes, (size_t)n, st));
}

static int written_cmp(const void *a, const void *b)
{
    return strcmp(((const written *)a)->name, ((const written *)b)->name);
}

/* Serializes a protobuf-c message into a fresh buffer; NULL when out of memory. */
static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf) protobuf_c_message_pack(m, buf);
    return buf;
}

static bool add_entry(tfc_sstable_builder *tb, const written *e, tfc_status *st)
{
    Tensorflow__TensorShapeProto__Dim dims[TFC_MAX_DIMS], *dimp[TFC_MAX_DIMS];
    Tensorflow__TensorShapeProto shape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    for (int d = 0; d < e->shape.rank; d++) {
        tensorflow__tensor_shape_proto__dim__init(&dims[d]);
        dims[d].size = e->shape.dims[d];
        dimp[d] = &dims[d];
    }
    shape.n_dim = (size_t)e->shape.rank;
    shape.dim = dimp;
    Tensorflow__BundleEntryProto ep = TENSORFLOW__BUNDLE_ENTRY_PROTO__INIT;
    ep.dtype = (Tensorflow__DataType)e->dtype;
    ep.shape = &shape;
    ep.offset = e->offset;
    ep.size = e->size;
    ep.crc32c = e->crc;
    size_t len;
    uint8_t *buf = pack(&ep.base, &len);
    bool ok = buf ? tfc_sstable_builder_add(tb, e->name, strlen(e->name), buf, len, st)
                  : tfc_fail(st, TFC_INTERNAL, "out of memory");
    free(buf);
    return ok;
}

/* The index: the header entry, then one BundleEntryProto per tensor in name order. */
static bool build_index(tfc_bundle_writer *w, tfc_sstable_builder *tb, tfc_status *st)
{
    Tensorflow__VersionDef version = TENSORFLOW__VERSION_DEF__INIT;
    version.producer = 1;
    Tensorflow__BundleHeaderProto header = TENSORFLOW__BUNDLE_HEADER_PROTO__INIT;
    header.num_shards = 1;
    header.endianness = TENSORFLOW__BUNDLE_HEADER_PROTO__ENDIANNESS__LITTLE;
    header.version = &version;
    size_t len;
    uint8_t *buf = pack(&header.base, &len);
    bool ok = buf ? tfc_sstable_builder_add(tb, "", 0, buf, len, st) : tfc_fail(st, TFC_INTERNAL, "out of memory");
    free(buf);
    if (w->n) qsort(w->entries, (size_t)w->n, sizeof *w->entries, written_cmp);
    for (int i = 0; ok && i < w->n; i++) ok = add_entry(tb, &w->entries[i], st);
    return ok;
}

bool tfc_bundle_writer_finish(tfc_bundle_writer *w, tfc_status *st)
{
    if (!w) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no bundle writer (did tfc_bundle_writer_new fail?)");
    if (w->failed || !w->data.f) return tfc_fail(st, TFC_INTERNAL, "%s: finishing a failed bundle writer", w->prefix);
    w->failed = true; /* until it succeeds */
    if (!tfc_out_file_commit(&w->data, st)) return false;
    tfc_sstable_builder *tb = tfc_sstable_builder_new();
    size_t n = strlen(w->prefix) + 8;
    char *path = malloc(n);
    const uint8_t *table;
    size_t len;
    tfc_out_file index;
    bool ok = tb && path ? true : tfc_fail(st, TFC_INTERNAL, "%s: out of memory", w->prefix);
    if (ok) snprintf(path, n, "%s.index", w->prefix);
    ok = ok && build_index(w, tb, st) && tfc_sstable_builder_finish(tb, &table, &len, st) &&
         tfc_out_file_open(&index, path, st);
    if (ok) {
        if (tfc_out_file_write(&index, table, len, st))
            ok = tfc_out_file_commit(&index, st);
        else {
            tfc_out_file_abort(&index);
            ok = false;
        }
    }
    ok = ok && tfc_fsync_parent_dir(path, st);
    tfc_sstable_builder_free(tb);
    free(path);
    if (ok) w->failed = false;
    return ok;
}
