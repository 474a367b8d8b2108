/* Writing a tensor as a NumPy .npy file (format version 1.0), for `tfc-ckpt dump`. */
#ifndef TFC_NPY_H
#define TFC_NPY_H

#include <stdbool.h>

#include "status.h"
#include "tensor.h"

/* Writes t to path (atomically). Strings become fixed-width bytes ('S<longest>', at least 1);
 * bfloat16, which NumPy lacks, is an error. */
bool tfc_npy_write(const char *path, const tfc_tensor *t, tfc_status *st);

#endif
