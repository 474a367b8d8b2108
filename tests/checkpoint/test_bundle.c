/* Tensor bundles: the V2 writer byte-exact against FORMATS.md §5's worked example, round trips of
 * every dtype (strings, scalars, empty tensors), many tensors, partitioned variables, and corrupt
 * checkpoints rejected with an error naming the file and the tensor. */
#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "check.h"
#include "crc32c.h"
#include "sstable.h"
#include "tensor_bundle.pb-c.h"

static char dir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static char *path_in(const char *name)
{
    static char buf[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *p = malloc(*len + 1);
    CHECK(fread(p, 1, *len, f) == *len);
    fclose(f);
    return p;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(data, 1, len, f) == len);
    if (f) fclose(f);
}

static int count_tempstate_files(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, ".tempstate") != NULL;
    closedir(d);
    return n;
}

static const uint8_t example_index[121] = {
    0x00, 0x00, 0x06, 0x08, 0x01, 0x1a, 0x02, 0x08, 0x01, 0x00, 0x01, 0x0f, 0x77, 0x08, 0x01, 0x12, 0x04, 0x12, 0x02,
    0x08, 0x02, 0x28, 0x08, 0x35, 0x59, 0x3c, 0xe5, 0x35, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x09,
    0x21, 0xad, 0xc3, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xf2, 0xa1, 0xb0, 0x00, 0x01, 0x02,
    0x78, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xab, 0x30, 0x70, 0x7f, 0x29, 0x08, 0x36,
    0x0e, [112] = 0x00, 0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
static const uint8_t example_data[8] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40};

static void write_example(const char *prefix)
{
    tfc_status *st = tfc_status_new();
    float v[2] = {1, 2};
    tfc_tensor *t = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(2), v);
    tfc_bundle_writer *w = tfc_bundle_writer_new(prefix, st);
    CHECK(w && tfc_bundle_writer_add(w, "w", t, st) && tfc_bundle_writer_finish(w, st));
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));
    tfc_bundle_writer_free(w);
    tfc_tensor_free(t);
    tfc_status_free(st);
}

static void test_worked_example(void)
{
    write_example(path_in("ex"));
    size_t n = 0;
    uint8_t *index = slurp(path_in("ex.index"), &n);
    CHECK(index && n == sizeof example_index && memcmp(index, example_index, n) == 0);
    free(index);
    uint8_t *data = slurp(path_in("ex.data-00000-of-00001"), &n);
    CHECK(data && n == 8 && memcmp(data, example_data, 8) == 0);
    free(data);
    CHECK(count_tempstate_files() == 0);

    tfc_status *st = tfc_status_new();
    tfc_bundle *b = tfc_bundle_open(path_in("ex"), st);
    CHECK_MSG(b, "%s", tfc_message(st));
    if (b) {
        CHECK(tfc_bundle_version(b) == 2 && tfc_bundle_count(b) == 1);
        const tfc_bundle_entry *e = tfc_bundle_find(b, "w");
        CHECK(e && e->dtype == TFC_FLOAT && tfc_shape_equal(e->shape, TFC_SHAPE(2)) && e->nbytes == 8);
        tfc_tensor *t = tfc_bundle_read(b, "w", st);
        CHECK(t && tfc_f32(t)[0] == 1 && tfc_f32(t)[1] == 2);
        tfc_tensor_free(t);
        CHECK(!tfc_bundle_read(b, "v", st) && strstr(tfc_message(st), "no tensor 'v'"));
    }
    tfc_bundle_close(b);
    tfc_status_free(st);
}

static tfc_tensor *strings(tfc_shape shape, const char *const *vals, const size_t *lens)
{
    tfc_tensor *t = tfc_tensor_new(TFC_STRING, shape);
    tfc_bytes *s = t->data;
    for (int64_t i = 0; i < t->size; i++) {
        s[i].len = lens[i];
        s[i].ptr = malloc(lens[i] + 1);
        memcpy(s[i].ptr, vals[i], lens[i]);
    }
    return t;
}

static bool same_values(const tfc_tensor *a, const tfc_tensor *b)
{
    if (a->dtype != b->dtype || !tfc_shape_equal(a->shape, b->shape) || a->size != b->size) return false;
    if (a->dtype != TFC_STRING) return a->size == 0 || memcmp(a->data, b->data, tfc_tensor_nbytes(a)) == 0;
    const tfc_bytes *x = a->data, *y = b->data;
    for (int64_t i = 0; i < a->size; i++)
        if (x[i].len != y[i].len || (x[i].len && memcmp(x[i].ptr, y[i].ptr, x[i].len) != 0)) return false;
    return true;
}

/* Every dtype, scalars, empty tensors and strings (empty, with NULs, longer than one varint byte). */
static void test_round_trip(void)
{
    static const tfc_dtype dts[] = {TFC_FLOAT,  TFC_DOUBLE,    TFC_INT32,      TFC_UINT8, TFC_INT16,  TFC_INT8,
                                    TFC_INT64,  TFC_BOOL,      TFC_COMPLEX64,  TFC_BFLOAT16, TFC_UINT16,
                                    TFC_COMPLEX128, TFC_HALF,  TFC_UINT32,     TFC_UINT64};
    enum { ND = sizeof dts / sizeof *dts };
    tfc_tensor *ts[ND + 4];
    char names[ND + 4][32];
    for (int i = 0; i < ND; i++) {
        ts[i] = tfc_tensor_new(dts[i], i % 3 == 0 ? TFC_SCALAR : TFC_SHAPE(2, 3, i));
        for (size_t k = 0; k < tfc_tensor_nbytes(ts[i]); k++) tfc_u8(ts[i])[k] = (uint8_t)(k * 31 + (size_t)i);
        if (dts[i] == TFC_BOOL)
            for (int64_t k = 0; k < ts[i]->size; k++) tfc_u8(ts[i])[k] &= 1;
        snprintf(names[i], sizeof names[i], "t/%s", tfc_dtype_name(dts[i]));
    }
    char longstr[300];
    memset(longstr, 'x', sizeof longstr);
    const char *sv[] = {"", "a\0b", longstr, "hello"};
    size_t sl[] = {0, 3, sizeof longstr, 5};
    ts[ND] = strings(TFC_SHAPE(2, 2), sv, sl);
    ts[ND + 1] = strings(TFC_SCALAR, sv + 3, sl + 3);
    ts[ND + 2] = tfc_tensor_new(TFC_STRING, TFC_SHAPE(0));
    ts[ND + 3] = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(0, 3));
    strcpy(names[ND], "strings");
    strcpy(names[ND + 1], "a_string");
    strcpy(names[ND + 2], "no_strings");
    strcpy(names[ND + 3], "empty");

    tfc_status *st = tfc_status_new();
    tfc_bundle_writer *w = tfc_bundle_writer_new(path_in("all"), st);
    /* Added out of name order: the index sorts them, the data keeps the order added. */
    for (int i = ND + 3; i >= 0; i--) CHECK(tfc_bundle_writer_add(w, names[i], ts[i], st));
    CHECK(!tfc_bundle_writer_add(w, "strings", ts[0], st) && strstr(tfc_message(st), "added twice"));
    tfc_status_clear(st);
    CHECK(!tfc_bundle_writer_add(w, "", ts[0], st));
    tfc_status_clear(st);
    CHECK(tfc_bundle_writer_finish(w, st));
    CHECK(!tfc_bundle_writer_add(w, "late", ts[0], st));
    tfc_status_clear(st);
    tfc_bundle_writer_free(w);

    tfc_bundle *b = tfc_bundle_open(path_in("all"), st);
    CHECK_MSG(b, "%s", tfc_message(st));
    if (b) {
        CHECK(tfc_bundle_count(b) == ND + 4);
        for (int i = 1; i < tfc_bundle_count(b); i++)
            CHECK(strcmp(tfc_bundle_at(b, i - 1)->name, tfc_bundle_at(b, i)->name) < 0);
        for (int i = 0; i < ND + 4; i++) {
            tfc_tensor *t = tfc_bundle_read(b, names[i], st);
            CHECK_MSG(t && same_values(t, ts[i]), "%s: %s", names[i], tfc_message(st));
            tfc_tensor_free(t);
        }
        /* Each tensor's stored bytes, as tfc_bundle_read_raw gives them, written again by
         * tfc_bundle_writer_add_raw, read back as the same values (strings' bytes were checked
         * against a plain CRC: 'checksum mismatch: the data file is corrupt'). */
        tfc_bundle_writer *rw = tfc_bundle_writer_new(path_in("raw"), st);
        for (int i = 0; i < ND + 4; i++) {
            int64_t n;
            void *raw = tfc_bundle_read_raw(b, names[i], &n, st);
            CHECK_MSG(raw && tfc_bundle_writer_add_raw(rw, names[i], ts[i]->dtype, ts[i]->shape, raw, n, st), "%s: %s",
                      names[i], tfc_message(st));
            tfc_status_clear(st);
            free(raw);
        }
        /* a shape no tensor has was kept, and its dims read past the shape's 8 at finish */
        CHECK(!tfc_bundle_writer_add_raw(rw, "deep", 21, (tfc_shape){.rank = 100}, NULL, 0, st) &&
              strstr(tfc_message(st), "tensor 'deep': a shape of rank 100 is no tensor's"));
        CHECK(!tfc_bundle_writer_add_raw(rw, "negative", 1, TFC_SHAPE(-1), NULL, 0, st));
        tfc_status_clear(st);
        CHECK(tfc_bundle_writer_finish(rw, st));
        tfc_bundle_writer_free(rw);
        tfc_bundle *rb = tfc_bundle_open(path_in("raw"), st);
        for (int i = 0; rb && i < ND + 4; i++) {
            tfc_tensor *t = tfc_bundle_read(rb, names[i], st);
            CHECK_MSG(t && same_values(t, ts[i]), "raw %s: %s", names[i], tfc_message(st));
            tfc_tensor_free(t);
        }
        tfc_bundle_close(rb);
        /* The empty string tensor still stores the 4-byte length checksum, as TensorFlow does. */
        CHECK(tfc_bundle_find(b, "no_strings")->nbytes == 4);
        CHECK(tfc_bundle_find(b, "strings")->nbytes == 1 + 1 + 2 + 1 + 4 + 0 + 3 + 300 + 5);
    }
    tfc_bundle_close(b);
    for (int i = 0; i < ND + 4; i++) tfc_tensor_free(ts[i]);
    tfc_status_free(st);
}

/* Enough long names that the index needs several 256 KiB blocks. */
static void test_many(void)
{
    enum { N = 3000 };
    tfc_status *st = tfc_status_new();
    tfc_bundle_writer *w = tfc_bundle_writer_new(path_in("many"), st);
    char name[256];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "v%04d/%0200d", (i * 7919) % N, i);
        tfc_tensor *t = tfc_tensor_range(TFC_INT32, i, TFC_SHAPE(i % 5));
        CHECK(tfc_bundle_writer_add(w, name, t, st));
        tfc_tensor_free(t);
    }
    CHECK(tfc_bundle_writer_finish(w, st));
    tfc_bundle_writer_free(w);
    size_t n;
    uint8_t *index = slurp(path_in("many.index"), &n);
    CHECK(n > 2 * TFC_SSTABLE_BLOCK_SIZE);
    free(index);
    tfc_bundle *b = tfc_bundle_open(path_in("many"), st);
    CHECK_MSG(b && tfc_bundle_count(b) == N, "%s", tfc_message(st));
    for (int i = 0; b && i < N; i += 13) {
        snprintf(name, sizeof name, "v%04d/%0200d", (i * 7919) % N, i);
        tfc_tensor *t = tfc_bundle_read(b, name, st);
        CHECK(t && t->size == i % 5 && (t->size == 0 || tfc_i32(t)[0] == i));
        tfc_tensor_free(t);
    }
    tfc_bundle_close(b);
    tfc_status_free(st);
}

/* ---- hand-made indexes, for what our writer never produces ---- */

typedef struct {
    const char *key;
    size_t key_len;
    int dtype;
    int rank;
    int64_t dims[4];
    int64_t offset, size;
    int nslices;
    int64_t slice_start[2], slice_len[2]; /* per slice, one dim */
    bool bad_crc;
} fake_entry;

/* Writes PREFIX.index from entries (sorted by key by the caller) and PREFIX.data-00000-of-00001. */
static void write_fake(const char *prefix, const fake_entry *es, int n, const uint8_t *data, size_t data_len)
{
    tfc_status *st = tfc_status_new();
    tfc_sstable_builder *tb = tfc_sstable_builder_new();
    CHECK(tfc_sstable_builder_add(tb, "", 0, "\x08\x01\x1a\x02\x08\x01", 6, st));
    for (int i = 0; i < n; i++) {
        const fake_entry *f = &es[i];
        Tensorflow__TensorShapeProto__Dim dims[4], *dp[4];
        Tensorflow__TensorShapeProto shape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
        for (int d = 0; d < f->rank; d++) {
            tensorflow__tensor_shape_proto__dim__init(&dims[d]);
            dims[d].size = f->dims[d];
            dp[d] = &dims[d];
        }
        shape.n_dim = (size_t)f->rank;
        shape.dim = dp;
        Tensorflow__TensorSliceProto__Extent ext[2], *extp[2];
        Tensorflow__TensorSliceProto slices[2], *slicep[2];
        for (int s = 0; s < f->nslices; s++) {
            tensorflow__tensor_slice_proto__extent__init(&ext[s]);
            ext[s].start = f->slice_start[s];
            ext[s].has_length_case = TENSORFLOW__TENSOR_SLICE_PROTO__EXTENT__HAS_LENGTH_LENGTH;
            ext[s].length = f->slice_len[s];
            extp[s] = &ext[s];
            tensorflow__tensor_slice_proto__init(&slices[s]);
            slices[s].n_extent = 1;
            slices[s].extent = &extp[s];
            slicep[s] = &slices[s];
        }
        Tensorflow__BundleEntryProto e = TENSORFLOW__BUNDLE_ENTRY_PROTO__INIT;
        e.dtype = (Tensorflow__DataType)f->dtype;
        e.shape = &shape;
        e.offset = f->offset;
        e.size = f->size;
        e.n_slices = (size_t)f->nslices;
        e.slices = slicep;
        if (!f->nslices && f->offset >= 0 && f->size >= 0 && (size_t)(f->offset + f->size) <= data_len)
            e.crc32c = tfc_crc32c_mask(tfc_crc32c(data + f->offset, (size_t)f->size) ^ (f->bad_crc ? 1 : 0));
        uint8_t buf[256];
        size_t len = tensorflow__bundle_entry_proto__pack(&e, buf);
        CHECK(tfc_sstable_builder_add(tb, f->key, f->key_len ? f->key_len : strlen(f->key), buf, len, st));
    }
    const uint8_t *table;
    size_t len;
    CHECK(tfc_sstable_builder_finish(tb, &table, &len, st));
    char path[300];
    snprintf(path, sizeof path, "%s.index", prefix);
    spit(path, table, len);
    snprintf(path, sizeof path, "%s.data-00000-of-00001", prefix);
    spit(path, data, data_len);
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));
    tfc_sstable_builder_free(tb);
    tfc_status_free(st);
}

/* Opening (and then reading `tensor`, when given) fails with a message holding every needle. */
static bool fails_with(const char *prefix, const char *tensor, const char *n1, const char *n2)
{
    tfc_status *st = tfc_status_new();
    tfc_bundle *b = tfc_bundle_open(prefix, st);
    tfc_tensor *t = b && tensor ? tfc_bundle_read(b, tensor, st) : NULL;
    bool failed = !tfc_ok(st) && !t;
    bool ok = failed && strstr(tfc_message(st), n1) && (!n2 || strstr(tfc_message(st), n2));
    if (!ok) fprintf(stderr, "  %s: got: %s\n", prefix, failed ? tfc_message(st) : "(no error)");
    tfc_tensor_free(t);
    tfc_bundle_close(b);
    tfc_status_free(st);
    return ok;
}

/* A partitioned variable: "p" float [4] in two slices [0,+1) and [1,+3), stored under their
 * OrderedCode keys \0 "p" \0\1 \1\1 start length. */
static void test_partitioned(void)
{
    float vals[4] = {10, 20, 30, 40};
    fake_entry es[] = {
        {.key = "\x00\x70\x00\x01\x01\x01\x80\x81", .key_len = 8, .dtype = TFC_FLOAT, .rank = 1, .dims = {1},
         .offset = 0, .size = 4},
        {.key = "\x00\x70\x00\x01\x01\x01\x81\x83", .key_len = 8, .dtype = TFC_FLOAT, .rank = 1, .dims = {3},
         .offset = 4, .size = 12},
        {.key = "p", .dtype = TFC_FLOAT, .rank = 1, .dims = {4}, .nslices = 2, .slice_start = {0, 1},
         .slice_len = {1, 3}},
    };
    write_fake(path_in("part"), es, 3, (const uint8_t *)vals, sizeof vals);
    tfc_status *st = tfc_status_new();
    tfc_bundle *b = tfc_bundle_open(path_in("part"), st);
    CHECK_MSG(b, "%s", tfc_message(st));
    if (b) {
        CHECK(tfc_bundle_count(b) == 1);
        const tfc_bundle_entry *e = tfc_bundle_at(b, 0);
        CHECK(strcmp(e->name, "p") == 0 && e->num_slices == 2 && e->nbytes == 16);
        tfc_tensor *t = tfc_bundle_read(b, "p", st);
        CHECK(t && memcmp(t->data, vals, sizeof vals) == 0);
        tfc_tensor_free(t);
    }
    tfc_bundle_close(b);
    /* A slice entry that is missing. */
    write_fake(path_in("part2"), es + 1, 2, (const uint8_t *)vals, sizeof vals);
    CHECK(fails_with(path_in("part2"), NULL, "tensor 'p'", "slice 0 is missing"));
    tfc_status_free(st);

    /* Slices [0,+2) and [1,+2) of 4 values: their sizes add up to 4, yet value 3 is stored
     * nowhere. A data loss naming the variable, not zeros. */
    fake_entry overlap[] = {
        {.key = "\x00\x70\x00\x01\x01\x01\x80\x82", .key_len = 8, .dtype = TFC_FLOAT, .rank = 1, .dims = {2},
         .offset = 0, .size = 8},
        {.key = "\x00\x70\x00\x01\x01\x01\x81\x82", .key_len = 8, .dtype = TFC_FLOAT, .rank = 1, .dims = {2},
         .offset = 8, .size = 8},
        {.key = "p", .dtype = TFC_FLOAT, .rank = 1, .dims = {4}, .nslices = 2, .slice_start = {0, 1},
         .slice_len = {2, 2}},
    };
    write_fake(path_in("part3"), overlap, 3, (const uint8_t *)vals, sizeof vals);
    CHECK(fails_with(path_in("part3"), "p", "tensor 'p'", "slices 0,2 and 1,2 overlap"));

    /* Slices [0,+1) and [2,+2), none shared: value 1 is stored nowhere. */
    fake_entry gap[] = {
        {.key = "\x00\x70\x00\x01\x01\x01\x80\x81", .key_len = 8, .dtype = TFC_FLOAT, .rank = 1, .dims = {1},
         .offset = 0, .size = 4},
        {.key = "\x00\x70\x00\x01\x01\x01\x82\x82", .key_len = 8, .dtype = TFC_FLOAT, .rank = 1, .dims = {2},
         .offset = 4, .size = 8},
        {.key = "p", .dtype = TFC_FLOAT, .rank = 1, .dims = {4}, .nslices = 2, .slice_start = {0, 2},
         .slice_len = {1, 2}},
    };
    write_fake(path_in("part4"), gap, 3, (const uint8_t *)vals, sizeof vals);
    CHECK(fails_with(path_in("part4"), "p", "tensor 'p'", "its slices hold 3 of its 4 values"));
}

static void test_corrupt(void)
{
    float vals[6] = {1, 2, 3, 4, 5, 6};
    const uint8_t *data = (const uint8_t *)vals;
    fake_entry absurd = {.key = "huge", .dtype = TFC_FLOAT, .rank = 3, .dims = {1ll << 40, 1ll << 40, 1ll << 40},
                         .size = 24};
    write_fake(path_in("absurd"), &absurd, 1, data, sizeof vals);
    CHECK(fails_with(path_in("absurd"), NULL, "absurd.index: tensor 'huge'", "absurd shape"));

    fake_entry negative = {.key = "neg", .dtype = TFC_FLOAT, .rank = 2, .dims = {-1, 6}, .size = 24};
    write_fake(path_in("negdim"), &negative, 1, data, sizeof vals);
    CHECK(fails_with(path_in("negdim"), NULL, "tensor 'neg'", "invalid dim"));

    fake_entry mismatch = {.key = "m", .dtype = TFC_FLOAT, .rank = 1, .dims = {5}, .size = 24};
    write_fake(path_in("size"), &mismatch, 1, data, sizeof vals);
    CHECK(fails_with(path_in("size"), NULL, "tensor 'm'", "does not match its shape"));

    fake_entry beyond = {.key = "far", .dtype = TFC_FLOAT, .rank = 1, .dims = {6}, .offset = 1000, .size = 24};
    write_fake(path_in("beyond"), &beyond, 1, data, sizeof vals);
    CHECK(fails_with(path_in("beyond"), NULL, "tensor 'far'", "beyond the end of data file"));

    fake_entry badcrc = {.key = "c", .dtype = TFC_FLOAT, .rank = 1, .dims = {6}, .size = 24, .bad_crc = true};
    write_fake(path_in("crc"), &badcrc, 1, data, sizeof vals);
    CHECK(fails_with(path_in("crc"), "c", "crc.data-00000-of-00001: tensor 'c'", "checksum mismatch"));

    fake_entry resource = {.key = "r", .dtype = 20, .rank = 0, .size = 4};
    write_fake(path_in("resource"), &resource, 1, data, sizeof vals);
    CHECK(fails_with(path_in("resource"), "r", "tensor 'r'", "resource is not supported"));

    fake_entry deep = {.key = "deep", .dtype = TFC_FLOAT, .rank = 4, .dims = {1, 1, 1, 6}, .size = 24};
    write_fake(path_in("deep"), &deep, 1, data, sizeof vals);
    tfc_status *st = tfc_status_new();
    tfc_bundle *b = tfc_bundle_open(path_in("deep"), st);
    tfc_tensor *t = b ? tfc_bundle_read(b, "deep", st) : NULL;
    CHECK_MSG(t && t->size == 6 && tfc_f32(t)[5] == 6, "%s", tfc_message(st));
    tfc_tensor_free(t);
    tfc_bundle_close(b);

    /* Damage to a bundle our writer wrote. */
    write_example(path_in("ok"));
    size_t n;
    uint8_t *index = slurp(path_in("ok.index"), &n);
    spit(path_in("trunc.index"), index, n - 10);
    spit(path_in("trunc.data-00000-of-00001"), example_data, 8);
    CHECK(fails_with(path_in("trunc"), NULL, "trunc.index", "bad magic"));
    index[n - 1] ^= 0xff;
    spit(path_in("magic.index"), index, n);
    spit(path_in("magic.data-00000-of-00001"), example_data, 8);
    CHECK(fails_with(path_in("magic"), NULL, "magic.index", "bad magic"));
    index[n - 1] ^= 0xff;
    index[14] ^= 0x04; /* inside the entry of "w": the data block's CRC catches it */
    spit(path_in("block.index"), index, n);
    spit(path_in("block.data-00000-of-00001"), example_data, 8);
    CHECK(fails_with(path_in("block"), NULL, "block.index", "checksum mismatch"));
    index[14] ^= 0x04;
    spit(path_in("tensor.index"), index, n);
    uint8_t bad[8];
    memcpy(bad, example_data, 8);
    bad[3] ^= 0x01;
    spit(path_in("tensor.data-00000-of-00001"), bad, 8);
    CHECK(fails_with(path_in("tensor"), "w", "tensor.data-00000-of-00001: tensor 'w'", "checksum mismatch"));
    spit(path_in("short.index"), index, n);
    spit(path_in("short.data-00000-of-00001"), example_data, 6);
    CHECK(fails_with(path_in("short"), NULL, "tensor 'w'", "beyond the end of data file 0 (6 bytes)"));
    spit(path_in("nodata.index"), index, n);
    CHECK(fails_with(path_in("nodata"), NULL, "nodata.data-00000-of-00001", "No such file"));
    CHECK(fails_with(path_in("missing"), NULL, "missing", "no checkpoint there"));
    spit(path_in("random"), "this is not a checkpoint at all, nor an SSTable; it is plain text.\n", 68);
    CHECK(fails_with(path_in("random"), NULL, "random", "bad magic"));
    free(index);

    /* A string tensor whose length checksum is wrong. */
    const char *sv[] = {"ab", "c"};
    size_t sl[] = {2, 1};
    tfc_tensor *s = strings(TFC_SHAPE(2), sv, sl);
    tfc_bundle_writer *w = tfc_bundle_writer_new(path_in("str"), st);
    CHECK(tfc_bundle_writer_add(w, "s", s, st) && tfc_bundle_writer_finish(w, st));
    tfc_bundle_writer_free(w);
    tfc_tensor_free(s);
    uint8_t *sd = slurp(path_in("str.data-00000-of-00001"), &n);
    CHECK(n == 2 + 4 + 3);
    sd[3] ^= 1;
    spit(path_in("str.data-00000-of-00001"), sd, n);
    CHECK(fails_with(path_in("str"), "s", "tensor 's'", "string lengths does not match"));
    sd[3] ^= 1;
    sd[0] = 9; /* lengths 9 + 1 > the 3 bytes there */
    spit(path_in("str.data-00000-of-00001"), sd, n);
    CHECK(fails_with(path_in("str"), "s", "tensor 's'", "string lengths"));
    free(sd);

    /* Every truncation and bit flip of a small bundle's index: an error or the right values. */
    write_example(path_in("fl"));
    index = slurp(path_in("fl.index"), &n);
    for (size_t i = 0; i < n * 8; i++) {
        index[i / 8] ^= (uint8_t)(1u << (i % 8));
        tfc_bundle *fb = tfc_bundle_open_memory(index, n, example_data, 8, "flip", st);
        t = fb ? tfc_bundle_read(fb, "w", st) : NULL;
        CHECK(t ? t->size == 2 && tfc_f32(t)[1] == 2 : !tfc_ok(st) && strstr(tfc_message(st), "flip"));
        tfc_tensor_free(t);
        tfc_bundle_close(fb);
        tfc_status_clear(st);
        index[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    free(index);
    tfc_status_free(st);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tfc-test-bundle-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_worked_example();
    test_round_trip();
    test_many();
    test_partitioned();
    test_corrupt();
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_result();
}
