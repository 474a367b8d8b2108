/* Tensor storage, dtypes and shapes. */
#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_MIN ((size_t)4 << 20)

static const struct {
    tfc_dtype dt;
    const char *name;
    size_t size;
} dtypes[] = {
    {TFC_FLOAT, "float32", 4},   {TFC_DOUBLE, "float64", 8},    {TFC_INT32, "int32", 4},
    {TFC_UINT8, "uint8", 1},     {TFC_INT16, "int16", 2},       {TFC_INT8, "int8", 1},
    {TFC_STRING, "string", sizeof(tfc_bytes)},                  {TFC_COMPLEX64, "complex64", 8},
    {TFC_INT64, "int64", 8},     {TFC_BOOL, "bool", 1},         {TFC_BFLOAT16, "bfloat16", 2},
    {TFC_UINT16, "uint16", 2},   {TFC_COMPLEX128, "complex128", 16}, {TFC_HALF, "float16", 2},
    {TFC_UINT32, "uint32", 4},   {TFC_UINT64, "uint64", 8},    {TFC_RESOURCE, "resource", 0},
};

size_t tfc_dtype_size(tfc_dtype dt)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].dt == dt) return dtypes[i].size;
    return 0;
}

const char *tfc_dtype_name(tfc_dtype dt)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].dt == dt) return dtypes[i].name;
    return "?";
}

tfc_dtype tfc_dtype_from_name(const char *name)
{
    if (!name) return TFC_INVALID;
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (strcmp(dtypes[i].name, name) == 0) return dtypes[i].dt;
    return TFC_INVALID;
}

int64_t tfc_shape_numel(tfc_shape s)
{
    if (s.rank < 0 || s.rank > TFC_MAX_DIMS) return -1;
    int64_t n = 1;
    for (int i = 0; i < s.rank; i++) {
        if (s.dims[i] < 0) return -1;
        if (s.dims[i] > 0 && n > INT64_MAX / s.dims[i]) return -1;
        n *= s.dims[i];
    }
    return n;
}

bool tfc_shape_known(tfc_shape s) { return tfc_shape_numel(s) >= 0; }

bool tfc_shape_equal(tfc_shape a, tfc_shape b)
{
    if (a.rank != b.rank) return false;
    for (int i = 0; i < a.rank; i++)
        if (a.dims[i] != b.dims[i]) return false;
    return true;
}

bool tfc_shape_compatible(tfc_shape a, tfc_shape b)
{
    if (a.rank < 0 || b.rank < 0) return true;
    if (a.rank != b.rank) return false;
    for (int i = 0; i < a.rank; i++)
        if (a.dims[i] >= 0 && b.dims[i] >= 0 && a.dims[i] != b.dims[i]) return false;
    return true;
}

char *tfc_shape_str(tfc_shape s, char buf[TFC_SHAPE_STR_MAX])
{
    if (!buf) return NULL;
    if (s.rank < 0) {
        snprintf(buf, TFC_SHAPE_STR_MAX, "<unknown>");
        return buf;
    }
    size_t n = 0;
    buf[n++] = '[';
    for (int i = 0; i < s.rank && n < TFC_SHAPE_STR_MAX - 24; i++) {
        if (s.dims[i] < 0)
            n += (size_t)snprintf(buf + n, TFC_SHAPE_STR_MAX - n, "%s?", i ? "," : "");
        else
            n += (size_t)snprintf(buf + n, TFC_SHAPE_STR_MAX - n, "%s%lld", i ? "," : "", (long long)s.dims[i]);
    }
    snprintf(buf + n, TFC_SHAPE_STR_MAX - n, "]");
    return buf;
}

tfc_tensor *tfc_tensor_new(tfc_dtype dt, tfc_shape shape)
{
    size_t es = tfc_dtype_size(dt);
    int64_t n = tfc_shape_numel(shape);
    if (!es || n < 0 || shape.rank > TFC_MAX_DIMS || (uint64_t)n > SIZE_MAX / es / 2) return NULL;
    tfc_tensor *t = malloc(sizeof *t);
    if (!t) return NULL;
    t->dtype = dt;
    t->shape = shape;
    t->size = n;
    /* 64-byte alignment suits the BLAS and vector kernels. Tensors of several MiB (a layer's
     * activations or weights) are placed on 2 MiB boundaries and asked to be kept in huge pages:
     * a training step sweeps through ~100 MB of them, more than the TLB covers in 4 KiB pages. */
    size_t bytes = ((size_t)n * es + 63) & ~(size_t)63;
    if (bytes >= HUGE_MIN) {
        bytes = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
        t->data = aligned_alloc(HUGE_PAGE, bytes);
#ifdef MADV_HUGEPAGE
        if (t->data) madvise(t->data, bytes, MADV_HUGEPAGE);
#endif
    } else {
        t->data = aligned_alloc(64, bytes ? bytes : 64);
    }
    if (!t->data) {
        free(t);
        return NULL;
    }
    memset(t->data, 0, bytes ? bytes : 64);
    return t;
}

tfc_tensor *tfc_tensor_from(tfc_dtype dt, tfc_shape shape, const void *data)
{
    if (dt == TFC_STRING || (!data && tfc_shape_numel(shape) != 0)) return NULL;
    tfc_tensor *t = tfc_tensor_new(dt, shape);
    if (t && t->size) memcpy(t->data, data, tfc_tensor_nbytes(t));
    return t;
}

static void set_from_double(tfc_tensor *t, int64_t i, double v)
{
    switch (t->dtype) {
    case TFC_FLOAT: ((float *)t->data)[i] = (float)v; break;
    case TFC_DOUBLE: ((double *)t->data)[i] = v; break;
    case TFC_INT32: ((int32_t *)t->data)[i] = (int32_t)v; break;
    case TFC_INT64: ((int64_t *)t->data)[i] = (int64_t)v; break;
    case TFC_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
    case TFC_BOOL: ((uint8_t *)t->data)[i] = v != 0; break;
    default: break;
    }
}

tfc_tensor *tfc_tensor_range(tfc_dtype dt, double start, tfc_shape shape)
{
    tfc_tensor *t = tfc_tensor_new(dt, shape);
    if (!t) return NULL;
    for (int64_t i = 0; i < t->size; i++) set_from_double(t, i, start + (double)i);
    return t;
}

tfc_tensor *tfc_tensor_scalar_f32(float v) { return tfc_tensor_from(TFC_FLOAT, TFC_SCALAR, &v); }

tfc_tensor *tfc_tensor_copy(const tfc_tensor *src)
{
    if (!src) return NULL;
    tfc_tensor *t = tfc_tensor_new(src->dtype, src->shape);
    if (!t) return NULL;
    if (src->dtype != TFC_STRING) {
        if (t->size) memcpy(t->data, src->data, tfc_tensor_nbytes(t));
        return t;
    }
    const tfc_bytes *from = src->data;
    tfc_bytes *to = t->data;
    for (int64_t i = 0; i < t->size; i++) {
        to[i].ptr = malloc(from[i].len + 1);
        if (!to[i].ptr) {
            tfc_tensor_free(t);
            return NULL;
        }
        if (from[i].len) memcpy(to[i].ptr, from[i].ptr, from[i].len); /* an empty string may have no bytes */
        to[i].ptr[from[i].len] = '\0';
        to[i].len = from[i].len;
    }
    return t;
}

void tfc_tensor_free(tfc_tensor *t)
{
    if (!t) return;
    if (t->dtype == TFC_STRING) {
        tfc_bytes *b = t->data;
        for (int64_t i = 0; i < t->size; i++) free(b[i].ptr);
    }
    free(t->data);
    free(t);
}

double tfc_tensor_get(const tfc_tensor *t, int64_t i)
{
    if (!t || i < 0 || i >= t->size) return NAN;
    switch (t->dtype) {
    case TFC_FLOAT: return ((const float *)t->data)[i];
    case TFC_DOUBLE: return ((const double *)t->data)[i];
    case TFC_INT32: return ((const int32_t *)t->data)[i];
    case TFC_INT64: return (double)((const int64_t *)t->data)[i];
    case TFC_UINT8:
    case TFC_BOOL: return ((const uint8_t *)t->data)[i];
    case TFC_INT8: return ((const int8_t *)t->data)[i];
    case TFC_INT16: return ((const int16_t *)t->data)[i];
    case TFC_UINT16: return ((const uint16_t *)t->data)[i];
    case TFC_UINT32: return ((const uint32_t *)t->data)[i];
    case TFC_UINT64: return (double)((const uint64_t *)t->data)[i];
    default: return NAN;
    }
}

const char *tfc_tensor_string(const tfc_tensor *t, int64_t i, size_t *len)
{
    if (len) *len = 0;
    if (!t || t->dtype != TFC_STRING || i < 0 || i >= t->size) return NULL;
    const tfc_bytes *b = &((const tfc_bytes *)t->data)[i];
    if (len) *len = b->len;
    return b->ptr ? b->ptr : "";
}

bool tfc_tensor_set_string(tfc_tensor *t, int64_t i, const void *bytes, size_t n)
{
    if (!t || t->dtype != TFC_STRING || i < 0 || i >= t->size || (!bytes && n)) return false;
    char *copy = malloc(n + 1);
    if (!copy) return false;
    if (n) memcpy(copy, bytes, n);
    copy[n] = '\0';
    tfc_bytes *b = &((tfc_bytes *)t->data)[i];
    free(b->ptr);
    *b = (tfc_bytes){n, copy};
    return true;
}
