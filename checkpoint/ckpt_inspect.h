/* What `tfc-ckpt` does with checkpoints: the table of tensors with statistics (or JSON), a tensor's
 * values, the differences between two checkpoints, a tensor dumped as .npy, a checkpoint rewritten
 * as V2. Paths are resolved
 * by tfc_checkpoint_resolve (a prefix, a file of the checkpoint, or a folder). */
#ifndef TFC_CKPT_INSPECT_H
#define TFC_CKPT_INSPECT_H

#include <stdbool.h>
#include <stdio.h>

#include "status.h"

typedef struct {
    bool json;          /* JSON instead of the table */
    bool all;           /* the values of every tensor too */
    bool full;          /* values without `...` summaries */
    const char *tensor; /* only this tensor, with its values */
} tfc_ckpt_inspect_options;

bool tfc_ckpt_inspect(const char *path, const tfc_ckpt_inspect_options *o, FILE *out, tfc_status *st);

/* Compares names, dtypes, shapes and values; writes the differences to out. Returns 0 when the
 * checkpoints hold the same tensors with bit-identical values, 1 when they differ, -1 on error. */
int tfc_ckpt_diff(const char *a, const char *b, FILE *out, tfc_status *st);

/* Rewrites a checkpoint (V1 or V2, partitioned variables joined) as a V2 bundle at dst_prefix,
 * tensors in name order as TensorFlow's Saver writes them. */
bool tfc_ckpt_convert(const char *src, const char *dst_prefix, tfc_status *st);

/* Writes one tensor of a checkpoint to a NumPy .npy file. */
bool tfc_ckpt_dump(const char *path, const char *tensor, const char *npy_path, tfc_status *st);

#endif
