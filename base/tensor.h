/* Tensors: an n-dimensional, row-major array of one dtype. The dtype values are TensorFlow's
 * DataType numbers, so they go to and from GraphDefs and checkpoints unchanged. */
#ifndef TFC_TENSOR_H
#define TFC_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

TFC_BEGIN_DECLS

typedef enum {
    TFC_INVALID = 0,
    TFC_FLOAT = 1,
    TFC_DOUBLE = 2,
    TFC_INT32 = 3,
    TFC_UINT8 = 4,
    TFC_INT16 = 5,
    TFC_INT8 = 6,
    TFC_STRING = 7,
    TFC_COMPLEX64 = 8,
    TFC_INT64 = 9,
    TFC_BOOL = 10,
    TFC_BFLOAT16 = 14,
    TFC_UINT16 = 17,
    TFC_COMPLEX128 = 18,
    TFC_HALF = 19,
    TFC_RESOURCE = 20, /* a resource variable's handle (VarHandleOp): a static dtype only, never a tensor */
    TFC_UINT32 = 22,
    TFC_UINT64 = 23,
} tfc_dtype;

#define TFC_MAX_DIMS 8

/* rank -1: unknown rank; a dim of -1: unknown size (TensorFlow's None). */
typedef struct {
    int rank;
    int64_t dims[TFC_MAX_DIMS];
} tfc_shape;

#define TFC_NARGS_(a, b, c, d, e, f, g, h, n, ...) n
#define TFC_NARGS(...) TFC_NARGS_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)
/* TFC_SHAPE(-1, 784): a shape literal of rank 1..8. */
#define TFC_SHAPE(...) ((tfc_shape){.rank = TFC_NARGS(__VA_ARGS__), .dims = {__VA_ARGS__}})
#define TFC_SCALAR ((tfc_shape){.rank = 0})
#define TFC_UNKNOWN_SHAPE ((tfc_shape){.rank = -1})

/* One element of a TFC_STRING tensor; the tensor owns the bytes. */
typedef struct {
    size_t len;
    char *ptr;
} tfc_bytes;

typedef struct tfc_tensor {
    tfc_dtype dtype;
    tfc_shape shape; /* always fully known */
    int64_t size;    /* number of elements */
    void *data;      /* size * tfc_dtype_size(dtype) bytes; tfc_bytes[size] for strings */
} tfc_tensor;

/* Bytes per element (sizeof(tfc_bytes) for strings), 0 for an unknown dtype. */
TFC_API size_t tfc_dtype_size(tfc_dtype dt);
/* "float32", "int64", ...: NumPy's names. "?" for an unknown dtype. */
TFC_API const char *tfc_dtype_name(tfc_dtype dt);
/* The inverse of tfc_dtype_name; TFC_INVALID if unknown. */
TFC_API tfc_dtype tfc_dtype_from_name(const char *name);

/* Number of elements, or -1 when a dim or the rank is unknown. */
TFC_API int64_t tfc_shape_numel(tfc_shape s);
/* Whether the rank and every dim are known. */
TFC_API bool tfc_shape_known(tfc_shape s);
/* Whether the two have the same rank and dims (unknown ones compare equal to unknown ones). */
TFC_API bool tfc_shape_equal(tfc_shape a, tfc_shape b);
/* Whether a and b may be the same shape: equal where both are known (an unknown rank or dim fits
 * anything). */
TFC_API bool tfc_shape_compatible(tfc_shape a, tfc_shape b);
/* Writes "[?,784]" ("[]" for a scalar, "<unknown>" for an unknown rank) into buf and returns buf;
 * NULL when buf is NULL. */
#define TFC_SHAPE_STR_MAX 192
TFC_API char *tfc_shape_str(tfc_shape s, char buf[TFC_SHAPE_STR_MAX]);

/* Every function below that returns a tensor returns a new one, which the caller frees with
 * tfc_tensor_free, or NULL: when the shape is not fully known, the dtype is unknown, the size
 * overflows or memory runs out. */

/* A new zero-filled tensor (empty strings for TFC_STRING). */
TFC_API tfc_tensor *tfc_tensor_new(tfc_dtype dt, tfc_shape shape);
/* A new tensor holding a copy of the numel(shape) elements at data (numeric dtypes only; NULL for
 * TFC_STRING, and for NULL data unless the tensor is empty). */
TFC_API tfc_tensor *tfc_tensor_from(tfc_dtype dt, tfc_shape shape, const void *data);
/* start, start+1, ... converted to dt, filling shape (the seed's np.arange(0, 10)[:, None]). */
TFC_API tfc_tensor *tfc_tensor_range(tfc_dtype dt, double start, tfc_shape shape);
/* A float32 scalar holding v. */
TFC_API tfc_tensor *tfc_tensor_scalar_f32(float v);
/* A deep copy of t (strings included); NULL for a NULL t. */
TFC_API tfc_tensor *tfc_tensor_copy(const tfc_tensor *t);
/* Frees t and its data (and its strings); NULL is allowed. */
TFC_API void tfc_tensor_free(tfc_tensor *t);

/* The data as an array of the dtype (t must not be NULL and must have that dtype), and its size
 * in bytes; the tensor owns the data. */
static inline float *tfc_f32(const tfc_tensor *t) { return (float *)t->data; }
static inline int32_t *tfc_i32(const tfc_tensor *t) { return (int32_t *)t->data; }
static inline int64_t *tfc_i64(const tfc_tensor *t) { return (int64_t *)t->data; }
static inline uint8_t *tfc_u8(const tfc_tensor *t) { return (uint8_t *)t->data; }
static inline size_t tfc_tensor_nbytes(const tfc_tensor *t) { return (size_t)t->size * tfc_dtype_size(t->dtype); }

/* Element i converted to double (numeric dtypes); NaN for strings and other dtypes without a
 * real value, a NULL t or an i out of range. */
TFC_API double tfc_tensor_get(const tfc_tensor *t, int64_t i);

/* Element i of a TFC_STRING tensor (a summary op's serialized Summary, for one): its bytes, which
 * the tensor owns and which may hold '\0' (a '\0' follows the last), and their count in *len
 * (len may be NULL). NULL, with *len 0, when t is NULL or not a string tensor or i is out of range. */
TFC_API const char *tfc_tensor_string(const tfc_tensor *t, int64_t i, size_t *len);
/* Sets element i of a TFC_STRING tensor to a copy of the n bytes at bytes. False, leaving t as it
 * was, when t is NULL or not a string tensor, i is out of range, or memory runs out. */
TFC_API bool tfc_tensor_set_string(tfc_tensor *t, int64_t i, const void *bytes, size_t n);

TFC_END_DECLS

#endif
