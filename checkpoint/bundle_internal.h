/* What the bundle reader's V2 part (bundle.c) and V1 part (bundle_v1.c) share. */
#ifndef TFC_BUNDLE_INTERNAL_H
#define TFC_BUNDLE_INTERNAL_H

#include "bundle.h"
#include "crc32c.h"
#include "sstable.h"
#include "tensor_bundle.pb-c.h"
#include "varint.h"

/* Where a V2 tensor (or slice) lies in the data files. */
typedef struct {
    int shard;
    int64_t offset, size;
    uint32_t crc; /* masked, as stored */
} bundle_loc;

/* A slice of a tensor: the extent along each dim, and where its values are. */
typedef struct {
    int64_t start[TFC_MAX_DIMS], length[TFC_MAX_DIMS];
    bool to_end[TFC_MAX_DIMS];      /* the extent had no length: it runs to the end of the dim */
    bundle_loc loc;                 /* V2 */
    const tfc_sstable_entry *saved; /* V1: the SavedTensorSlices entry holding the values */
} bundle_slice;

typedef struct {
    tfc_bundle_entry pub;
    char *name;
    bundle_loc loc;        /* V2 tensors stored whole */
    bundle_slice *slices;  /* V1 always; V2 partitioned variables */
    int nslices;
} bundle_item;

struct tfc_bundle {
    int version;
    char *prefix;
    tfc_sstable **tables; /* V2: the index; V1: one per file */
    int ntables;
    int num_shards;
    bool big_endian;
    int *fds;             /* V2 data files, one per shard */
    int64_t *shard_size;
    uint8_t *mem_data;    /* tfc_bundle_open_memory's data file */
    bundle_item *items;
    int n, cap;
};

/* Appends an item (the name is copied); NULL when out of memory (reported in st). */
bundle_item *bundle_add_item(tfc_bundle *b, const char *name, int dtype, tfc_status *st);
/* Converts a TensorShapeProto into s; false (with an error naming file and tensor) when it is not
 * a valid, fully known shape of at most TFC_MAX_DIMS dims with a representable element count. */
bool bundle_shape_from_proto(const tfc_bundle *b, const char *file, const char *name,
                             const Tensorflow__TensorShapeProto *p, tfc_shape *s, tfc_status *st);
/* Resolves a TensorSliceProto against the full shape into sl's extents; checks the bounds. */
bool bundle_slice_from_proto(const char *file, const char *name, const Tensorflow__TensorSliceProto *p,
                             tfc_shape full, bundle_slice *sl, tfc_status *st);
/* Bytes per element of a TensorFlow dtype stored as raw bytes; 0 for strings and unsupported ones. */
size_t bundle_elem_size(int dtype);

/* TensorFlow's DT_VARIANT: opaque values (a tf.data iterator's state) that tfc keeps as bytes. */
#define BUNDLE_DT_VARIANT 21
/* The CRC (unmasked) that a V2 bundle stores for the n bytes of a tensor of numel elements whose
 * values tfc does not decode: for DT_VARIANT, TensorFlow's layout of each element (varint64 length,
 * the serialized VariantTensorDataProto, the masked CRC so far), checksummed with each length as
 * a u64 LE and each element's CRC checked; for strings, TensorFlow's layout of them (decode_strings');
 * for other dtypes, the CRC of the bytes. False when variant or string bytes do not hold numel
 * such elements. */
bool bundle_raw_crc(int dtype, int64_t numel, const uint8_t *p, int64_t n, uint32_t *crc);

/* crc extended over a string's or a variant's length as TensorFlow checksums it: as a u32 LE, or
 * as a u64 LE when u64 (a variant's always, a string's past 4 GiB). */
static inline uint32_t bundle_crc_length(uint32_t crc, uint64_t len, bool u64)
{
    uint8_t le[8];
    tfc_put_u32le(le, (uint32_t)len);
    tfc_put_u32le(le + 4, (uint32_t)(len >> 32));
    return tfc_crc32c_extend(crc, le, u64 ? 8 : 4);
}

/* bundle_v1.c: lists the tensors of the V1 checkpoint whose files are b->tables. */
bool bundle_open_v1(tfc_bundle *b, tfc_status *st);
/* bundle_v1.c: the values of one V1 slice, as a tensor of the slice's shape. */
tfc_tensor *bundle_read_v1_slice(const tfc_bundle *b, const bundle_item *it, const bundle_slice *sl,
                                 tfc_status *st);

#endif
