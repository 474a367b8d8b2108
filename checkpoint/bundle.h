/* TensorFlow checkpoints as tensor bundles (FORMATS.md §5): writing the V2 format
 * (PREFIX.index + PREFIX.data-00000-of-00001), and reading V2 (also sharded data files,
 * partitioned variables and TF2 object-based keys) and the legacy V1 format (one SSTable of
 * SavedTensorSlices). Every read is checked: block and tensor CRCs, offsets against the data file,
 * sizes against shapes; errors name the file and the tensor. */
#ifndef TFC_BUNDLE_H
#define TFC_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "status.h"
#include "tensor.h"

TFC_BEGIN_DECLS

/* ---- Writing ---- */

typedef struct tfc_bundle_writer tfc_bundle_writer;

/* Whether PREFIX ends in a file name ("dir/model.ckpt", not "dir/", "dir/." or ""): the bundle's
 * files are PREFIX.index and PREFIX.data-*, which would otherwise be hidden files in the folder. */
TFC_API bool tfc_bundle_prefix_ok(const char *prefix, tfc_status *st);
/* Starts PREFIX.data-00000-of-00001 as a temporary file (<file>.tempstate<random>) in PREFIX's
 * folder, which must exist. Returns the writer, which the caller frees with
 * tfc_bundle_writer_free (after finishing it, or to give up); NULL with st set when PREFIX is not
 * a usable prefix or the file cannot be created. The functions below return false with st set,
 * naming the prefix, on a NULL writer or argument, a failed write, or a writer that failed
 * before. */
TFC_API tfc_bundle_writer *tfc_bundle_writer_new(const char *prefix, tfc_status *st);
/* Appends one tensor (any dtype tfc has, strings included) under a unique, non-empty name. */
TFC_API bool tfc_bundle_writer_add(tfc_bundle_writer *w, const char *name, const tfc_tensor *t, tfc_status *st);
/* Appends a tensor of any dtype as the n bytes a bundle stores for it (tfc_bundle_read_raw's), as
 * they are: a dtype tfc has no values for (a tf.data iterator's variant state) keeps its encoding. */
TFC_API bool tfc_bundle_writer_add_raw(tfc_bundle_writer *w, const char *name, int dtype, tfc_shape shape,
                                       const void *bytes, int64_t n, tfc_status *st);
/* Writes the index, fsyncs both files and renames them into place (data first, then the index,
 * which makes the checkpoint visible), then fsyncs the folder. */
TFC_API bool tfc_bundle_writer_finish(tfc_bundle_writer *w, tfc_status *st);
/* Frees the writer (NULL is allowed); an unfinished bundle's temporary files are removed. */
TFC_API void tfc_bundle_writer_free(tfc_bundle_writer *w);

/* ---- Reading ---- */

typedef struct {
    const char *name;
    int dtype;       /* TensorFlow's DataType number (tfc_dtype when tfc knows it) */
    tfc_shape shape;
    int64_t nbytes;  /* bytes stored (V2: in the data file; V1: of the tensor's values) */
    int num_slices;  /* > 0: stored as that many slices (partitioned variable, V1 slices) */
} tfc_bundle_entry;

typedef struct tfc_bundle tfc_bundle;

/* Opens a checkpoint by prefix: PREFIX.index (V2), else the file PREFIX or the shards
 * PREFIX-?????-of-NNNNN (V1). Every entry is parsed and checked against its data file here.
 * Returns the bundle, which the caller closes with tfc_bundle_close (NULL is allowed); NULL with
 * st set, naming the file and what is wrong with it (TFC_NOT_FOUND, TFC_DATA_LOSS, TFC_IO). */
TFC_API tfc_bundle *tfc_bundle_open(const char *prefix, tfc_status *st);
/* A checkpoint held in memory (tests and fuzzing): a V2 index and its one data file, or, when
 * data is NULL, a whole V1 checkpoint. */
TFC_API tfc_bundle *tfc_bundle_open_memory(const void *index, size_t index_len, const void *data, size_t data_len,
                                           const char *name, tfc_status *st);
TFC_API void tfc_bundle_close(tfc_bundle *b);

/* The format, 1 or 2 (0 for a NULL bundle), and the prefix opened (the bundle's string). */
TFC_API int tfc_bundle_version(const tfc_bundle *b);
TFC_API const char *tfc_bundle_prefix(const tfc_bundle *b);
/* The tensors, sorted by name: their count, the i-th, the one named so (NULL when there is none);
 * entries belong to the bundle. */
TFC_API int tfc_bundle_count(const tfc_bundle *b);
TFC_API const tfc_bundle_entry *tfc_bundle_at(const tfc_bundle *b, int i);
TFC_API const tfc_bundle_entry *tfc_bundle_find(const tfc_bundle *b, const char *name);
/* A new tensor with the named tensor's values (the caller frees it), CRC-checked; NULL with st set
 * when there is no such tensor (TFC_NOT_FOUND) or its data is damaged (TFC_DATA_LOSS). */
TFC_API tfc_tensor *tfc_bundle_read(tfc_bundle *b, const char *name, tfc_status *st);
/* The block [start, start + length) of the named tensor (rank values each; a partitioned
 * variable's part, as tf.compat.v1's Saver restores one), as a new tensor the caller frees; NULL
 * with st set when there is no such tensor, the block lies outside it or its data is damaged. */
TFC_API tfc_tensor *tfc_bundle_read_slice(tfc_bundle *b, const char *name, int rank, const int64_t *start,
                                          const int64_t *length, tfc_status *st);
/* The bytes a V2 bundle stores for a tensor kept whole, of any dtype (variant, resource and
 * quantized ones included), CRC-checked: a new buffer the caller frees, its length in *n. NULL
 * with st set when there is no such tensor, it is a V1 tensor or a partitioned one
 * (TFC_INVALID_ARGUMENT), or its data is damaged. */
TFC_API void *tfc_bundle_read_raw(tfc_bundle *b, const char *name, int64_t *n, tfc_status *st);

/* "float32", ... for dtypes tfc knows, TensorFlow's names ("qint8", "resource", "variant", ...)
 * for the others, "dtype(N)" written into buf for unknown numbers ("?" when buf is NULL). */
TFC_API const char *tfc_bundle_dtype_name(int dtype, char buf[24]);

TFC_END_DECLS

#endif
