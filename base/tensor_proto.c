/* TensorProto to tensor (see tensor_proto.h). */
#include "tensor_proto.h"

#include <stdlib.h>
#include <string.h>

bool tfc_shape_from_proto(const Tensorflow__TensorShapeProto *p, tfc_shape *out, const char **why)
{
    if (!p) {
        *out = TFC_SCALAR;
        return true;
    }
    if (p->unknown_rank) {
        *out = TFC_UNKNOWN_SHAPE;
        return true;
    }
    if (p->n_dim > TFC_MAX_DIMS) return *why = "more dimensions than tfc handles (8)", false;
    out->rank = (int)p->n_dim;
    for (size_t i = 0; i < p->n_dim; i++) {
        int64_t d = p->dim[i] ? p->dim[i]->size : 0;
        if (d < -1) return *why = "a dimension below -1", false;
        out->dims[i] = d;
    }
    return true;
}

/* Copies the first `have` of n values converted to T, then repeats the last one. */
#define FILL(T, src, have)                                                                                            \
    do {                                                                                                              \
        T *d_ = (T *)t->data;                                                                                         \
        for (size_t i_ = 0; i_ < n; i_++) d_[i_] = (T)(src)[i_ < (have) ? i_ : (have) - 1];                           \
    } while (0)

bool tfc_tensor_fill_from_proto(tfc_tensor *t, const Tensorflow__TensorProto *p, const char **why)
{
    size_t n = (size_t)t->size, es = tfc_dtype_size(t->dtype);
    if (t->dtype != TFC_STRING && p->tensor_content.len) {
        if (p->tensor_content.len != n * es) return *why = "tensor_content does not match the dtype and shape", false;
        memcpy(t->data, p->tensor_content.data, n * es);
        return true;
    }
    size_t have;
    switch (t->dtype) {
    case TFC_FLOAT: have = p->n_float_val; break;
    case TFC_DOUBLE: have = p->n_double_val; break;
    case TFC_INT32: case TFC_UINT8: case TFC_INT8: case TFC_INT16: case TFC_UINT16: have = p->n_int_val; break;
    case TFC_INT64: have = p->n_int64_val; break;
    case TFC_BOOL: have = p->n_bool_val; break;
    case TFC_HALF: case TFC_BFLOAT16: have = p->n_half_val; break;
    case TFC_UINT32: have = p->n_uint32_val; break;
    case TFC_UINT64: have = p->n_uint64_val; break;
    case TFC_COMPLEX64: have = p->n_scomplex_val / 2; break;
    case TFC_COMPLEX128: have = p->n_dcomplex_val / 2; break;
    case TFC_STRING: have = p->n_string_val; break;
    default: return *why = "a dtype tfc does not hold", false;
    }
    if (have > n) return *why = "more values than the shape holds", false;
    if (!have || !n) return true; /* zeros (tfc_tensor_new zero-fills) */
    switch (t->dtype) {
    case TFC_FLOAT: FILL(float, p->float_val, have); break;
    case TFC_DOUBLE: FILL(double, p->double_val, have); break;
    case TFC_INT32: FILL(int32_t, p->int_val, have); break;
    case TFC_UINT8: FILL(uint8_t, p->int_val, have); break;
    case TFC_INT8: FILL(int8_t, p->int_val, have); break;
    case TFC_INT16: FILL(int16_t, p->int_val, have); break;
    case TFC_UINT16: FILL(uint16_t, p->int_val, have); break;
    case TFC_INT64: FILL(int64_t, p->int64_val, have); break;
    case TFC_BOOL: FILL(uint8_t, p->bool_val, have); break;
    case TFC_HALF: case TFC_BFLOAT16: FILL(uint16_t, p->half_val, have); break;
    case TFC_UINT32: FILL(uint32_t, p->uint32_val, have); break;
    case TFC_UINT64: FILL(uint64_t, p->uint64_val, have); break;
    case TFC_COMPLEX64:
    case TFC_COMPLEX128: {
        /* pairs (real, imaginary): element i is values 2i and 2i+1 */
        size_t half = es / 2;
        const void *src = t->dtype == TFC_COMPLEX64 ? (const void *)p->scomplex_val : (const void *)p->dcomplex_val;
        for (size_t i = 0; i < n; i++) memcpy((char *)t->data + i * es, (const char *)src + (i < have ? i : have - 1) * 2 * half, es);
        break;
    }
    case TFC_STRING:
        for (size_t i = 0; i < n; i++) {
            const ProtobufCBinaryData *src = &p->string_val[i < have ? i : have - 1];
            tfc_bytes *s = &((tfc_bytes *)t->data)[i];
            if (!(s->ptr = malloc(src->len + 1))) return *why = "out of memory", false;
            if (src->len) memcpy(s->ptr, src->data, src->len);
            s->ptr[src->len] = '\0';
            s->len = src->len;
        }
        break;
    default: break;
    }
    return true;
}

tfc_tensor *tfc_tensor_from_proto(const Tensorflow__TensorProto *p, const char **why)
{
    tfc_shape shape;
    if (!tfc_shape_from_proto(p->tensor_shape, &shape, why)) return NULL;
    if (!tfc_shape_known(shape)) return *why = "its shape is not fully known", NULL;
    if (!tfc_dtype_size((tfc_dtype)p->dtype)) return *why = "a dtype tfc does not hold", NULL;
    tfc_tensor *t = tfc_tensor_new((tfc_dtype)p->dtype, shape);
    if (!t) return *why = "too large for memory", NULL;
    if (!tfc_tensor_fill_from_proto(t, p, why)) {
        tfc_tensor_free(t);
        return NULL;
    }
    return t;
}
