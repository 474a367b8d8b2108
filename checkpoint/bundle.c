/* Reading tensor bundles: the V2 index and data files, partitioned variables, and what V1 and V2
 * share (entries, shapes, slices). See bundle.h. */
#include "bundle.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_internal.h"
#include "crc32c.h"
#include "in_file.h"
#include "varint.h"

/* TensorFlow's kTensorBundleVersion: bundles whose min_consumer is above it need a newer reader. */
#define BUNDLE_VERSION 1
/* More shards than this is a corrupt header, not a real checkpoint. */
#define MAX_SHARDS 65536

const char *tfc_bundle_dtype_name(int dtype, char buf[24])
{
    static const char *const others[] = {[11] = "qint8",     [12] = "quint8",   [13] = "qint32",
                                         [15] = "qint16",    [16] = "quint16",  [20] = "resource",
                                         [21] = "variant"};
    const char *n = tfc_dtype_name((tfc_dtype)dtype);
    if (strcmp(n, "?") != 0) return n;
    if (dtype >= 0 && dtype < (int)(sizeof others / sizeof *others) && others[dtype]) return others[dtype];
    if (!buf) return "?";
    snprintf(buf, 24, "dtype(%d)", dtype);
    return buf;
}

size_t bundle_elem_size(int dtype)
{
    if (dtype == TFC_STRING) return 0;
    return tfc_dtype_size((tfc_dtype)dtype);
}

int tfc_bundle_version(const tfc_bundle *b) { return b ? b->version : 0; }
const char *tfc_bundle_prefix(const tfc_bundle *b) { return b ? b->prefix : NULL; }
int tfc_bundle_count(const tfc_bundle *b) { return b ? b->n : 0; }
const tfc_bundle_entry *tfc_bundle_at(const tfc_bundle *b, int i)
{
    return b && i >= 0 && i < b->n ? &b->items[i].pub : NULL;
}

static int item_cmp(const void *a, const void *b)
{
    return strcmp(((const bundle_item *)a)->name, ((const bundle_item *)b)->name);
}

static bundle_item *find_item(const tfc_bundle *b, const char *name)
{
    bundle_item key = {.name = (char *)name};
    return b && name && b->n ? bsearch(&key, b->items, (size_t)b->n, sizeof *b->items, item_cmp) : NULL;
}

const tfc_bundle_entry *tfc_bundle_find(const tfc_bundle *b, const char *name)
{
    bundle_item *it = find_item(b, name);
    return it ? &it->pub : NULL;
}

void tfc_bundle_close(tfc_bundle *b)
{
    if (!b) return;
    for (int i = 0; i < b->n; i++) {
        free(b->items[i].name);
        free(b->items[i].slices);
    }
    free(b->items);
    for (int i = 0; i < b->ntables; i++) tfc_sstable_free(b->tables[i]);
    free(b->tables);
    if (b->fds)
        for (int i = 0; i < b->num_shards; i++)
            if (b->fds[i] >= 0) close(b->fds[i]);
    free(b->fds);
    free(b->shard_size);
    free(b->mem_data);
    free(b->prefix);
    free(b);
}

bundle_item *bundle_add_item(tfc_bundle *b, const char *name, int dtype, tfc_status *st)
{
    if (b->n == b->cap) {
        int cap = b->cap ? 2 * b->cap : 32;
        bundle_item *items = realloc(b->items, (size_t)cap * sizeof *items);
        if (!items) {
            tfc_fail(st, TFC_INTERNAL, "%s: out of memory", b->prefix);
            return NULL;
        }
        b->items = items;
        b->cap = cap;
    }
    bundle_item *it = &b->items[b->n];
    *it = (bundle_item){0};
    if (!(it->name = strdup(name))) {
        tfc_fail(st, TFC_INTERNAL, "%s: out of memory", b->prefix);
        return NULL;
    }
    it->pub.name = it->name;
    it->pub.dtype = dtype;
    b->n++;
    return it;
}

bool bundle_shape_from_proto(const tfc_bundle *b, const char *file, const char *name,
                             const Tensorflow__TensorShapeProto *p, tfc_shape *s, tfc_status *st)
{
    (void)b;
    if (!p) return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s' has no shape", file, name);
    if (p->unknown_rank) return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s' has an unknown rank", file, name);
    if (p->n_dim > TFC_MAX_DIMS)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s' has %zu dims; tfc handles at most %d", file, name,
                        p->n_dim, TFC_MAX_DIMS);
    s->rank = (int)p->n_dim;
    for (size_t i = 0; i < p->n_dim; i++) {
        if (p->dim[i]->size < 0)
            return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s' has an invalid dim %lld", file, name,
                            (long long)p->dim[i]->size);
        s->dims[i] = p->dim[i]->size;
    }
    char buf[TFC_SHAPE_STR_MAX];
    if (tfc_shape_numel(*s) < 0)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s' has an absurd shape %s (too many elements)", file, name,
                        tfc_shape_str(*s, buf));
    return true;
}

bool bundle_slice_from_proto(const char *file, const char *name, const Tensorflow__TensorSliceProto *p,
                             tfc_shape full, bundle_slice *sl, tfc_status *st)
{
    if (p && p->n_extent != 0 && p->n_extent != (size_t)full.rank)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': a slice has %zu dims, the tensor %d", file, name,
                        p->n_extent, full.rank);
    for (int d = 0; d < full.rank; d++) {
        const Tensorflow__TensorSliceProto__Extent *e = p && p->n_extent ? p->extent[d] : NULL;
        bool has_len = e && e->has_length_case == TENSORFLOW__TENSOR_SLICE_PROTO__EXTENT__HAS_LENGTH_LENGTH;
        int64_t start = e ? e->start : 0, len = has_len ? e->length : full.dims[d] - start;
        if (start < 0 || len < 0 || start > full.dims[d] || len > full.dims[d] - start)
            return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': slice [%lld, +%lld) exceeds dim %d of size %lld", file,
                            name, (long long)start, (long long)len, d, (long long)full.dims[d]);
        sl->start[d] = start;
        sl->length[d] = len;
        sl->to_end[d] = !has_len;
    }
    return true;
}

/* ---- OrderedCode: how TensorFlow names the entries holding the slices of a partitioned variable ---- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} key_buf;

static bool kb_put(key_buf *k, const void *d, size_t n)
{
    if (k->n + n > k->cap) {
        size_t cap = (k->n + n) * 2 + 64;
        uint8_t *p = realloc(k->p, cap);
        if (!p) return false;
        k->p = p;
        k->cap = cap;
    }
    memcpy(k->p + k->n, d, n);
    k->n += n;
    return true;
}

static bool oc_num_increasing(key_buf *k, uint64_t v)
{
    uint8_t b[9];
    int len = 0;
    for (uint64_t x = v; x; x >>= 8) len++;
    b[0] = (uint8_t)len;
    for (int i = 0; i < len; i++) b[1 + i] = (uint8_t)(v >> (8 * (len - 1 - i)));
    return kb_put(k, b, (size_t)len + 1);
}

static bool oc_string(key_buf *k, const char *s)
{
    for (const uint8_t *p = (const uint8_t *)s; *p; p++) {
        if (*p == 0xff ? !kb_put(k, "\xff\x00", 2) : !kb_put(k, p, 1)) return false;
    }
    return kb_put(k, "\x00\x01", 2);
}

static bool oc_signed_num_increasing(key_buf *k, int64_t v)
{
    static const uint8_t header[11][2] = {{0, 0},    {0x80, 0}, {0xc0, 0}, {0xe0, 0}, {0xf0, 0},   {0xf8, 0},
                                          {0xfc, 0}, {0xfe, 0}, {0xff, 0}, {0xff, 0x80}, {0xff, 0xc0}};
    uint64_t x = v < 0 ? ~(uint64_t)v : (uint64_t)v;
    int bits = 0;
    while (bits < 64 && (x >> bits)) bits++;
    int len = bits / 7 + 1;
    uint8_t buf[10];
    uint8_t sign = v < 0 ? 0xff : 0x00;
    buf[0] = buf[1] = sign;
    for (int i = 0; i < 8; i++) buf[2 + i] = (uint8_t)((uint64_t)v >> (8 * (7 - i)));
    uint8_t *begin = buf + 10 - len;
    begin[0] ^= header[len][0];
    if (len > 1) begin[1] ^= header[len][1];
    return kb_put(k, begin, (size_t)len);
}

/* TensorFlow's EncodeTensorNameSlice: the key of a slice's entry in a V2 bundle. */
static bool slice_key(key_buf *k, const char *name, int rank, const bundle_slice *sl)
{
    k->n = 0;
    if (!oc_num_increasing(k, 0) || !oc_string(k, name) || !oc_num_increasing(k, (uint64_t)rank)) return false;
    for (int d = 0; d < rank; d++)
        if (!oc_signed_num_increasing(k, sl->start[d]) ||
            !oc_signed_num_increasing(k, sl->to_end[d] ? -1 : sl->length[d]))
            return false;
    return true;
}

/* ---- V2 ---- */

static bool parse_loc(const tfc_bundle *b, const char *file, const char *name, const Tensorflow__BundleEntryProto *e,
                      int dtype, tfc_shape shape, bundle_loc *loc, tfc_status *st)
{
    if (e->shard_id < 0 || e->shard_id >= b->num_shards)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': shard %d is not among the %d data files", file, name,
                        e->shard_id, b->num_shards);
    if (e->offset < 0 || e->size < 0)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': negative offset or size", file, name);
    int64_t numel = tfc_shape_numel(shape);
    size_t es = bundle_elem_size(dtype);
    if (dtype == TFC_STRING) {
        if (numel > 0 && (e->size < 4 || numel > e->size - 4))
            return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': %lld bytes cannot hold %lld strings", file, name,
                            (long long)e->size, (long long)numel);
    } else if (es) {
        if (numel > INT64_MAX / (int64_t)es || numel * (int64_t)es != e->size)
            return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': size %lld bytes does not match its shape (%lld x %zu)",
                            file, name, (long long)e->size, (long long)numel, es);
    }
    int64_t have = b->shard_size[e->shard_id];
    if (e->offset > have || e->size > have - e->offset)
        return tfc_fail(st, TFC_DATA_LOSS,
                        "%s: tensor '%s': bytes [%lld, %lld) lie beyond the end of data file %d (%lld bytes)", file,
                        name, (long long)e->offset, (long long)(e->offset + e->size), e->shard_id, (long long)have);
    *loc = (bundle_loc){.shard = e->shard_id, .offset = e->offset, .size = e->size, .crc = e->crc32c};
    return true;
}

static bool read_header(tfc_bundle *b, const tfc_sstable *t, tfc_status *st)
{
    const char *file = tfc_sstable_name(t);
    const tfc_sstable_entry *h = tfc_sstable_at(t, 0);
    if (!h || h->key_len != 0)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: no bundle header entry (not a TensorFlow checkpoint index?)", file);
    Tensorflow__BundleHeaderProto *hp = tensorflow__bundle_header_proto__unpack(NULL, h->value_len, h->value);
    if (!hp) return tfc_fail(st, TFC_DATA_LOSS, "%s: the bundle header does not parse", file);
    bool ok = true;
    if (hp->num_shards < 1 || hp->num_shards > MAX_SHARDS)
        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: the bundle header claims %d data files", file, hp->num_shards);
    else if (hp->endianness != TENSORFLOW__BUNDLE_HEADER_PROTO__ENDIANNESS__LITTLE &&
             hp->endianness != TENSORFLOW__BUNDLE_HEADER_PROTO__ENDIANNESS__BIG)
        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: unknown endianness %d in the bundle header", file, (int)hp->endianness);
    else if (hp->version && hp->version->min_consumer > BUNDLE_VERSION)
        ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: written by a newer TensorFlow (bundle min_consumer %d > %d)", file,
                      hp->version->min_consumer, BUNDLE_VERSION);
    if (ok && hp->version)
        for (size_t i = 0; i < hp->version->n_bad_consumers; i++)
            if (hp->version->bad_consumers[i] == BUNDLE_VERSION)
                ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: this bundle version is marked unreadable", file);
    if (ok) {
        b->num_shards = hp->num_shards;
        b->big_endian = hp->endianness == TENSORFLOW__BUNDLE_HEADER_PROTO__ENDIANNESS__BIG;
    }
    tensorflow__bundle_header_proto__free_unpacked(hp, NULL);
    return ok;
}

/* Stats (or, in memory mode, sizes) the data files. */
static bool open_data_files(tfc_bundle *b, tfc_status *st)
{
    b->fds = malloc((size_t)b->num_shards * sizeof *b->fds);
    b->shard_size = calloc((size_t)b->num_shards, sizeof *b->shard_size);
    if (!b->fds || !b->shard_size) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", b->prefix);
    for (int i = 0; i < b->num_shards; i++) b->fds[i] = -1;
    for (int i = 0; i < b->num_shards; i++) {
        size_t n = strlen(b->prefix) + 40;
        char *path = malloc(n);
        if (!path) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", b->prefix);
        snprintf(path, n, "%s.data-%05d-of-%05d", b->prefix, i, b->num_shards);
        uint64_t size;
        b->fds[i] = tfc_in_file_open(path, &size, st);
        free(path);
        if (b->fds[i] < 0) return false;
        b->shard_size[i] = (int64_t)size;
    }
    return true;
}

static bool add_v2_entries(tfc_bundle *b, tfc_status *st)
{
    const tfc_sstable *t = b->tables[0];
    const char *file = tfc_sstable_name(t);
    size_t count = tfc_sstable_count(t);
    key_buf key = {0};
    bool ok = true;
    /* Slices of partitioned variables are entries of their own, hidden behind their tensor. */
    bool *hidden = calloc(count ? count : 1, sizeof *hidden);
    if (!hidden) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", file);
    for (size_t i = 1; ok && i < count; i++) {
        const tfc_sstable_entry *te = tfc_sstable_at(t, i);
        if (memchr(te->key, 0, te->key_len)) continue; /* a slice's key; reached through its tensor */
        char *name = strndup((const char *)te->key, te->key_len);
        Tensorflow__BundleEntryProto *e = name ? tensorflow__bundle_entry_proto__unpack(NULL, te->value_len, te->value)
                                               : NULL;
        if (!name)
            ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", file);
        else if (!e)
            ok = tfc_fail(st, TFC_DATA_LOSS, "%s: the entry of tensor '%s' does not parse", file, name);
        tfc_shape shape = {0};
        ok = ok && bundle_shape_from_proto(b, file, name, e->shape, &shape, st);
        bundle_item *it = ok ? bundle_add_item(b, name, (int)e->dtype, st) : NULL;
        ok = it != NULL;
        if (ok) {
            it->pub.shape = shape;
            if (e->n_slices == 0) {
                ok = parse_loc(b, file, name, e, it->pub.dtype, shape, &it->loc, st);
                it->pub.nbytes = it->loc.size;
            } else if (!(it->slices = calloc(e->n_slices, sizeof *it->slices))) {
                ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", file);
            } else {
                it->nslices = it->pub.num_slices = (int)e->n_slices;
                for (size_t s = 0; ok && s < e->n_slices; s++) {
                    bundle_slice *sl = &it->slices[s];
                    ok = bundle_slice_from_proto(file, name, e->slices[s], shape, sl, st);
                    if (ok && !slice_key(&key, name, shape.rank, sl))
                        ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", file);
                    const tfc_sstable_entry *se = ok ? tfc_sstable_find(t, key.p, key.n) : NULL;
                    if (ok && !se)
                        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': the entry of its slice %zu is missing", file,
                                      name, s);
                    Tensorflow__BundleEntryProto *se_p =
                        ok ? tensorflow__bundle_entry_proto__unpack(NULL, se->value_len, se->value) : NULL;
                    if (ok && !se_p)
                        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': slice %zu does not parse", file, name, s);
                    tfc_shape sshape = {.rank = shape.rank};
                    for (int d = 0; d < shape.rank; d++) sshape.dims[d] = sl->length[d];
                    if (ok && (int)se_p->dtype != it->pub.dtype)
                        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': slice %zu has another dtype", file, name, s);
                    ok = ok && parse_loc(b, file, name, se_p, it->pub.dtype, sshape, &sl->loc, st);
                    if (ok) {
                        it->pub.nbytes += sl->loc.size;
                        hidden[se - tfc_sstable_at(t, 0)] = true;
                    }
                    if (se_p) tensorflow__bundle_entry_proto__free_unpacked(se_p, NULL);
                }
            }
        }
        if (e) tensorflow__bundle_entry_proto__free_unpacked(e, NULL);
        free(name);
    }
    for (size_t i = 1; ok && i < count; i++) {
        const tfc_sstable_entry *te = tfc_sstable_at(t, i);
        if (!hidden[i] && memchr(te->key, 0, te->key_len))
            ok = tfc_fail(st, TFC_DATA_LOSS, "%s: entry %zu is a slice of no tensor", file, i);
    }
    free(hidden);
    free(key.p);
    return ok;
}

static tfc_bundle *new_bundle(const char *prefix, tfc_status *st)
{
    tfc_bundle *b = calloc(1, sizeof *b);
    if (b && (b->prefix = strdup(prefix))) return b;
    free(b);
    tfc_fail(st, TFC_INTERNAL, "%s: out of memory", prefix);
    return NULL;
}

static bool add_table(tfc_bundle *b, tfc_sstable *t, tfc_status *st)
{
    tfc_sstable **tables = realloc(b->tables, (size_t)(b->ntables + 1) * sizeof *tables);
    if (!tables) {
        tfc_sstable_free(t);
        return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", b->prefix);
    }
    b->tables = tables;
    b->tables[b->ntables++] = t;
    return true;
}

/* Sorts the items by name; a name twice is corruption. */
static bool finish_items(tfc_bundle *b, tfc_status *st)
{
    if (b->n) qsort(b->items, (size_t)b->n, sizeof *b->items, item_cmp);
    for (int i = 1; i < b->n; i++)
        if (strcmp(b->items[i - 1].name, b->items[i].name) == 0)
            return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s' is listed twice", b->prefix, b->items[i].name);
    return true;
}

static bool open_v2(tfc_bundle *b, tfc_sstable *t, tfc_status *st)
{
    b->version = 2;
    if (!add_table(b, t, st) || !read_header(b, t, st)) return false;
    if (b->big_endian)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: a big-endian checkpoint; tfc reads little-endian ones only",
                        tfc_sstable_name(t));
    if (b->mem_data && b->num_shards != 1)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: %d data files, only 1 given", b->prefix, b->num_shards);
    if (!b->mem_data && !open_data_files(b, st)) return false;
    return add_v2_entries(b, st) && finish_items(b, st);
}

tfc_bundle *tfc_bundle_open_memory(const void *index, size_t index_len, const void *data, size_t data_len,
                                   const char *name, tfc_status *st)
{
    if (!name) name = "<memory>";
    if (!index || (!data && data_len))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no checkpoint bytes (NULL) to read", name), NULL;
    tfc_bundle *b = new_bundle(name, st);
    if (!b) return NULL;
    tfc_sstable *t = tfc_sstable_parse(index, index_len, name, st);
    bool ok = t != NULL;
    if (ok && !data) {
        ok = add_table(b, t, st) && bundle_open_v1(b, st) && finish_items(b, st);
    } else if (ok) {
        b->mem_data = malloc(data_len ? data_len : 1);
        b->shard_size = calloc(1, sizeof *b->shard_size);
        if (!b->mem_data || !b->shard_size) {
            tfc_sstable_free(t);
            ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", name);
        } else {
            if (data_len) memcpy(b->mem_data, data, data_len);
            b->shard_size[0] = (int64_t)data_len;
            ok = open_v2(b, t, st);
        }
    }
    if (!ok) {
        tfc_bundle_close(b);
        return NULL;
    }
    return b;
}

static bool is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* What a file taken for a checkpoint is instead, told by its first bytes: the formats of other
 * frameworks' weights; NULL for anything else. */
static const char *other_format(const char *path)
{
    unsigned char m[12] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(m, 1, sizeof m, f) : 0;
    if (f) fclose(f);
    /* A TFRecord starts with its first record's length and that length's masked CRC32C. */
    if (n == 12 && tfc_record_header_ok(m))
        return "a TFRecord file (a TensorBoard event file? tfc-plot and tfc-report read those)";
    if (n >= 8 && memcmp(m, "\x89HDF\r\n\x1a\n", 8) == 0) return "an HDF5 file (Keras's .h5 weights?)";
    if (n >= 4 && memcmp(m, "PK\x03\x04", 4) == 0) return "a zip archive (PyTorch's torch.save, a .keras model?)";
    if (n >= 2 && m[0] == 0x80 && m[1] >= 2 && m[1] <= 5) return "a Python pickle (PyTorch's older torch.save?)";
    return NULL;
}

static bool open_v1_files(tfc_bundle *b, char **files, int n, tfc_status *st)
{
    for (int i = 0; i < n; i++) {
        tfc_sstable *t = tfc_sstable_open(files[i], st);
        if (!t || !add_table(b, t, st)) return false;
    }
    return bundle_open_v1(b, st);
}

tfc_bundle *tfc_bundle_open(const char *prefix, tfc_status *st)
{
    if (!prefix) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no checkpoint prefix (NULL)"), NULL;
    tfc_bundle *b = new_bundle(prefix, st);
    if (!b) return NULL;
    size_t n = strlen(prefix) + 32;
    char *path = malloc(n);
    bool ok = path != NULL;
    if (!ok) tfc_fail(st, TFC_INTERNAL, "%s: out of memory", prefix);
    if (ok) snprintf(path, n, "%s.index", prefix);
    if (ok && is_file(path)) {
        tfc_sstable *t = tfc_sstable_open(path, st);
        ok = t && open_v2(b, t, st);
    } else if (ok && is_file(prefix)) {
        char *files[1] = {(char *)prefix};
        const char *other = other_format(prefix);
        ok = other ? tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: %s, not a TensorFlow checkpoint", prefix, other)
                   : open_v1_files(b, files, 1, st);
    } else if (ok) {
        snprintf(path, n, "%s-\?\?\?\?\?-of-\?\?\?\?\?", prefix);
        glob_t g;
        if (glob(path, 0, NULL, &g) == 0) {
            ok = open_v1_files(b, g.gl_pathv, (int)g.gl_pathc, st);
            globfree(&g);
        } else {
            ok = tfc_fail(st, TFC_NOT_FOUND, "%s: no checkpoint there (neither %s.index nor a V1 checkpoint file)",
                          prefix, prefix);
        }
    }
    free(path);
    ok = ok && (b->version == 2 || finish_items(b, st));
    if (!ok) {
        tfc_bundle_close(b);
        return NULL;
    }
    return b;
}

/* ---- reading values ---- */

static bool read_bytes(const tfc_bundle *b, const bundle_item *it, const bundle_loc *loc, void *dst, tfc_status *st)
{
    if (b->mem_data) {
        memcpy(dst, b->mem_data + loc->offset, (size_t)loc->size);
        return true;
    }
    size_t done = 0, want = (size_t)loc->size;
    while (done < want) {
        ssize_t r = pread(b->fds[loc->shard], (char *)dst + done, want - done, (off_t)(loc->offset + (int64_t)done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            return tfc_fail(st, r < 0 ? TFC_IO : TFC_DATA_LOSS, "%s.data-%05d-of-%05d: tensor '%s': %s", b->prefix,
                            loc->shard, b->num_shards, it->name,
                            r < 0 ? strerror(errno) : "the data file ended early (truncated while reading?)");
        done += (size_t)r;
    }
    return true;
}

static bool crc_fail(const tfc_bundle *b, const bundle_item *it, const bundle_loc *loc, uint32_t computed,
                     tfc_status *st)
{
    return tfc_fail(st, TFC_DATA_LOSS,
                    "%s.data-%05d-of-%05d: tensor '%s': checksum mismatch (stored %08x, computed %08x): the data "
                    "file is corrupt",
                    b->prefix, loc->shard, b->num_shards, it->name, tfc_crc32c_unmask(loc->crc), computed);
}

/* A string tensor: varint64 lengths, a masked CRC of the lengths (each as u32 LE, or u64 LE when it
 * does not fit), then the bytes; the entry's CRC covers lengths, that CRC's bytes and the strings. */
static bool decode_strings(const tfc_bundle *b, const bundle_item *it, const bundle_loc *loc, const uint8_t *p,
                           tfc_tensor *t, tfc_status *st)
{
    const uint8_t *end = p + loc->size;
    if (t->size == 0 && loc->size == 0) return true;
    tfc_bytes *s = t->data;
    uint32_t crc = 0;
    uint64_t total = 0;
    for (int64_t i = 0; i < t->size; i++) {
        uint64_t len;
        p = tfc_varint_get(p, end, TFC_VARINT64_MAX, &len);
        if (!p || len > (uint64_t)loc->size)
            return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': corrupt string lengths", b->prefix, it->name);
        s[i].len = (size_t)len;
        total += len;
        crc = bundle_crc_length(crc, len, len > UINT32_MAX);
    }
    if (end - p < 4 || tfc_crc32c_unmask(tfc_get_u32le(p)) != crc)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': the checksum of the string lengths does not match",
                        b->prefix, it->name);
    crc = tfc_crc32c_extend(crc, p, 4);
    p += 4;
    if (total != (uint64_t)(end - p))
        return tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': string lengths add up to %llu bytes, the entry holds %lld",
                        b->prefix, it->name, (unsigned long long)total, (long long)(end - p));
    for (int64_t i = 0; i < t->size; i++) {
        if (!(s[i].ptr = malloc(s[i].len + 1)))
            return tfc_fail(st, TFC_INTERNAL, "%s: tensor '%s': out of memory", b->prefix, it->name);
        memcpy(s[i].ptr, p, s[i].len);
        s[i].ptr[s[i].len] = '\0';
        crc = tfc_crc32c_extend(crc, p, s[i].len);
        p += s[i].len;
    }
    if (crc != tfc_crc32c_unmask(loc->crc)) return crc_fail(b, it, loc, crc, st);
    return true;
}

static tfc_tensor *new_tensor(const tfc_bundle *b, const bundle_item *it, tfc_shape shape, tfc_status *st)
{
    char buf[24];
    if (it->pub.dtype != TFC_STRING && !bundle_elem_size(it->pub.dtype)) {
        tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s': dtype %s is not supported by tfc", b->prefix, it->name,
                 tfc_bundle_dtype_name(it->pub.dtype, buf));
        return NULL;
    }
    tfc_tensor *t = tfc_tensor_new((tfc_dtype)it->pub.dtype, shape);
    if (!t) {
        char sb[TFC_SHAPE_STR_MAX];
        tfc_fail(st, TFC_INTERNAL, "%s: tensor '%s': cannot allocate %s %s", b->prefix, it->name,
                 tfc_bundle_dtype_name(it->pub.dtype, buf), tfc_shape_str(shape, sb));
    }
    return t;
}

static tfc_tensor *read_loc(const tfc_bundle *b, const bundle_item *it, const bundle_loc *loc, tfc_shape shape,
                            tfc_status *st)
{
    tfc_tensor *t = new_tensor(b, it, shape, st);
    if (!t) return NULL;
    bool ok;
    if (it->pub.dtype == TFC_STRING) {
        uint8_t *raw = malloc(loc->size ? (size_t)loc->size : 1);
        ok = raw ? read_bytes(b, it, loc, raw, st) : tfc_fail(st, TFC_INTERNAL, "%s: out of memory", b->prefix);
        ok = ok && decode_strings(b, it, loc, raw, t, st);
        free(raw);
    } else {
        ok = read_bytes(b, it, loc, t->data, st);
        uint32_t crc = ok ? tfc_crc32c(t->data, (size_t)loc->size) : 0;
        if (ok && crc != tfc_crc32c_unmask(loc->crc)) ok = crc_fail(b, it, loc, crc, st);
    }
    if (!ok) {
        tfc_tensor_free(t);
        return NULL;
    }
    return t;
}

/* bundle_raw_crc of strings: numel varint64 lengths, their CRC (each length as a u32, or a u64 past
 * 4 GiB, as decode_strings reads them), masked, then the bytes. */
static bool strings_raw_crc(int64_t numel, const uint8_t *p, const uint8_t *end, uint32_t *crc)
{
    uint32_t c = 0;
    uint64_t total = 0;
    for (int64_t i = 0; i < numel; i++) {
        uint64_t len;
        p = tfc_varint_get(p, end, TFC_VARINT64_MAX, &len);
        if (!p || len > (uint64_t)(end - p)) return false;
        total += len;
        c = bundle_crc_length(c, len, len > UINT32_MAX);
    }
    if (end - p < 4 || tfc_crc32c_unmask(tfc_get_u32le(p)) != c || total != (uint64_t)(end - p - 4)) return false;
    *crc = tfc_crc32c_extend(c, p, (size_t)(end - p));
    return true;
}

bool bundle_raw_crc(int dtype, int64_t numel, const uint8_t *p, int64_t n, uint32_t *crc)
{
    if (dtype == TFC_STRING) return strings_raw_crc(numel, p, p + n, crc);
    if (dtype != BUNDLE_DT_VARIANT || n == 0) {
        *crc = tfc_crc32c(p, (size_t)n);
        return true;
    }
    const uint8_t *end = p + n;
    uint32_t c = 0;
    for (int64_t i = 0; i < numel; i++) {
        uint64_t len;
        p = tfc_varint_get(p, end, TFC_VARINT64_MAX, &len);
        if (!p || len > (uint64_t)(end - p) || (uint64_t)(end - p) - len < 4) return false;
        c = tfc_crc32c_extend(bundle_crc_length(c, len, true), p, (size_t)len);
        p += len;
        if (tfc_crc32c_unmask(tfc_get_u32le(p)) != c) return false;
        c = tfc_crc32c_extend(c, p, 4);
        p += 4;
    }
    *crc = c;
    return p == end;
}

void *tfc_bundle_read_raw(tfc_bundle *b, const char *name, int64_t *n, tfc_status *st)
{
    if (!b) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no checkpoint (did tfc_bundle_open fail?)"), NULL;
    if (!name || !n) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no tensor named or no length (NULL)", b->prefix), NULL;
    const bundle_item *it = find_item(b, name);
    if (!it) return tfc_fail(st, TFC_NOT_FOUND, "%s: no tensor '%s' in the checkpoint", b->prefix, name), NULL;
    if (b->version != 2 || it->nslices)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s' is stored as %s, not as one run of bytes", b->prefix,
                        name, b->version != 2 ? "V1 slices" : "a partitioned variable's slices"),
               NULL;
    uint8_t *raw = malloc(it->loc.size ? (size_t)it->loc.size : 1);
    if (!raw) return tfc_fail(st, TFC_INTERNAL, "%s: tensor '%s': out of memory", b->prefix, name), NULL;
    bool ok = read_bytes(b, it, &it->loc, raw, st);
    uint32_t crc = 0;
    if (ok && !bundle_raw_crc(it->pub.dtype, tfc_shape_numel(it->pub.shape), raw, it->loc.size, &crc))
        ok = tfc_fail(st, TFC_DATA_LOSS, "%s.data-%05d-of-%05d: tensor '%s': its %s values are corrupt (lengths or "
                      "checksums that do not add up)", b->prefix, it->loc.shard, b->num_shards, name,
                      tfc_bundle_dtype_name(it->pub.dtype, NULL));
    else if (ok && crc != tfc_crc32c_unmask(it->loc.crc))
        ok = crc_fail(b, it, &it->loc, crc, st);
    if (!ok) {
        free(raw);
        return NULL;
    }
    *n = it->loc.size;
    return raw;
}

/* Copies the block [start, start + length) of full to part, or part into that block of full
 * (to_full: strings are then moved, not copied); false when a string cannot be copied. */
static bool copy_block(tfc_tensor *full, const int64_t *start, const int64_t *length, tfc_tensor *part, bool to_full)
{
    int r = full->shape.rank;
    size_t es = tfc_dtype_size(full->dtype);
    int64_t idx[TFC_MAX_DIMS] = {0};
    for (int64_t i = 0; i < part->size; i++) {
        int64_t off = 0;
        for (int d = 0; d < r; d++) off = off * full->shape.dims[d] + start[d] + idx[d];
        char *f = (char *)full->data + (size_t)off * es, *p = (char *)part->data + (size_t)i * es;
        if (!to_full && full->dtype == TFC_STRING) {
            const tfc_bytes *src = (const tfc_bytes *)f;
            if (!tfc_tensor_set_string(part, i, src->ptr, src->len)) return false;
        } else {
            memcpy(to_full ? f : p, to_full ? p : f, es);
            if (full->dtype == TFC_STRING) *(tfc_bytes *)p = (tfc_bytes){0};
        }
        for (int d = r - 1; d >= 0; d--) {
            if (++idx[d] < length[d]) break;
            idx[d] = 0;
        }
    }
    return true;
}

/* TensorFlow's notation of a slice: "start,length" per dim, joined by ':'. */
static char *slice_spec(const bundle_slice *sl, int rank, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int d = 0; d < rank && k < n; d++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld,%lld", d ? ":" : "", (long long)sl->start[d],
                              (long long)sl->length[d]);
    return buf;
}

/* Slices that share values leave others stored nowhere, or store some twice: TensorFlow's
 * TensorSliceSet refuses them ("Overlapping slices"). With none shared, the slices cover the
 * tensor exactly when their sizes add up to its size (checked after reading them). */
static bool slices_disjoint(const tfc_bundle *b, const bundle_item *it, tfc_status *st)
{
    int r = it->pub.shape.rank;
    for (int i = 0; i < it->nslices; i++)
        for (int j = 0; j < i; j++) {
            const bundle_slice *x = &it->slices[i], *y = &it->slices[j];
            bool shared = true;
            for (int d = 0; shared && d < r; d++)
                shared = x->length[d] > 0 && y->length[d] > 0 && x->start[d] < y->start[d] + y->length[d] &&
                         y->start[d] < x->start[d] + x->length[d];
            char a[TFC_MAX_DIMS * 42], c[TFC_MAX_DIMS * 42];
            if (shared)
                return tfc_fail(st, TFC_DATA_LOSS,
                                "%s: tensor '%s': its slices %s and %s overlap (part of it is stored twice, part "
                                "perhaps nowhere)",
                                b->prefix, it->name, slice_spec(y, r, a, sizeof a), slice_spec(x, r, c, sizeof c));
        }
    return true;
}

tfc_tensor *tfc_bundle_read(tfc_bundle *b, const char *name, tfc_status *st)
{
    if (!b) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no checkpoint (did tfc_bundle_open fail?)"), NULL;
    if (!name) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no tensor named (NULL)", b->prefix), NULL;
    const bundle_item *it = find_item(b, name);
    if (!it) {
        tfc_fail(st, TFC_NOT_FOUND, "%s: no tensor '%s' in the checkpoint", b->prefix, name);
        return NULL;
    }
    if (b->version == 2 && it->nslices == 0) return read_loc(b, it, &it->loc, it->pub.shape, st);
    if (!slices_disjoint(b, it, st)) return NULL;
    tfc_tensor *full = new_tensor(b, it, it->pub.shape, st);
    int64_t covered = 0;
    for (int s = 0; full && s < it->nslices; s++) {
        const bundle_slice *sl = &it->slices[s];
        tfc_shape shape = {.rank = it->pub.shape.rank};
        for (int d = 0; d < shape.rank; d++) shape.dims[d] = sl->length[d];
        tfc_tensor *part = b->version == 2 ? read_loc(b, it, &sl->loc, shape, st) : bundle_read_v1_slice(b, it, sl, st);
        if (part) {
            copy_block(full, sl->start, sl->length, part, true);
            covered += part->size;
            tfc_tensor_free(part);
        } else {
            tfc_tensor_free(full);
            full = NULL;
        }
    }
    if (full && covered != full->size) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': its slices hold %lld of its %lld values", b->prefix, it->name,
                 (long long)covered, (long long)full->size);
        tfc_tensor_free(full);
        full = NULL;
    }
    return full;
}

tfc_tensor *tfc_bundle_read_slice(tfc_bundle *b, const char *name, int rank, const int64_t *start,
                                  const int64_t *length, tfc_status *st)
{
    if (!b || !name || (rank && (!start || !length)))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_bundle_read_slice: no checkpoint, name or extent (NULL)"), NULL;
    const tfc_bundle_entry *e = tfc_bundle_find(b, name);
    if (e && e->shape.rank != rank) {
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s' has %d dims, its slice %d", b->prefix, name,
                        e->shape.rank, rank),
               NULL;
    }
    tfc_shape part_shape = {.rank = rank};
    for (int d = 0; e && d < rank; d++) {
        if (start[d] < 0 || length[d] < 0 || start[d] > e->shape.dims[d] - length[d])
            return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s': a slice of %lld from %lld lies outside dim %d "
                            "(%lld)", b->prefix, name, (long long)length[d], (long long)start[d], d,
                            (long long)e->shape.dims[d]),
                   NULL;
        part_shape.dims[d] = length[d];
    }
    tfc_tensor *full = tfc_bundle_read(b, name, st);
    if (!full) return NULL;
    tfc_tensor *part = tfc_tensor_new(full->dtype, part_shape);
    if (!part || !copy_block(full, start, length, part, false)) {
        tfc_fail(st, TFC_INTERNAL, "%s: tensor '%s': out of memory", b->prefix, name);
        tfc_tensor_free(part);
        part = NULL;
    }
    tfc_tensor_free(full);
    return part;
}
