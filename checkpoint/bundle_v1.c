/* Reading legacy V1 checkpoints (FORMATS.md §5): one SSTable per shard whose "" entry lists the
 * tensors (SavedTensorSliceMeta) and whose other entries each hold one slice of one tensor
 * (SavedSlice, values in a TensorProto). Slices are found by the name and extent they carry, so the
 * OrderedCode keys are never decoded. */
#include <stdlib.h>
#include <string.h>

#include "bundle_internal.h"
#include "tensor.pb-c.h"

static bool add_meta(tfc_bundle *b, const tfc_sstable *t, tfc_status *st)
{
    const char *file = tfc_sstable_name(t);
    const tfc_sstable_entry *h = tfc_sstable_at(t, 0);
    if (!h || h->key_len != 0)
        return tfc_fail(st, TFC_DATA_LOSS, "%s: no checkpoint metadata entry (not a TensorFlow checkpoint?)", file);
    Tensorflow__SavedTensorSlices *s = tensorflow__saved_tensor_slices__unpack(NULL, h->value_len, h->value);
    if (!s || !s->meta) {
        if (s) tensorflow__saved_tensor_slices__free_unpacked(s, NULL);
        return tfc_fail(st, TFC_DATA_LOSS, "%s: the checkpoint metadata does not parse", file);
    }
    bool ok = true;
    for (size_t i = 0; ok && i < s->meta->n_tensor; i++) {
        const Tensorflow__SavedSliceMeta *m = s->meta->tensor[i];
        const char *name = m->name ? m->name : "";
        tfc_shape shape = {0};
        ok = bundle_shape_from_proto(b, file, name, m->shape, &shape, st);
        bool known = false;
        for (int k = 0; ok && k < b->n; k++) {
            if (strcmp(b->items[k].name, name) != 0) continue;
            known = true; /* listed by an earlier shard too */
            if (b->items[k].pub.dtype != (int)m->type || !tfc_shape_equal(b->items[k].pub.shape, shape))
                ok = tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s' has another dtype or shape than in another shard",
                              file, name);
        }
        if (!ok || known) continue;
        bundle_item *it = bundle_add_item(b, name, (int)m->type, st);
        ok = it != NULL;
        if (ok) {
            it->pub.shape = shape;
            size_t es = bundle_elem_size(it->pub.dtype);
            it->pub.nbytes = es ? tfc_shape_numel(shape) * (int64_t)es : 0;
        }
    }
    tensorflow__saved_tensor_slices__free_unpacked(s, NULL);
    return ok;
}

static bundle_item *item_named(tfc_bundle *b, const char *name)
{
    for (int k = 0; k < b->n; k++)
        if (strcmp(b->items[k].name, name) == 0) return &b->items[k];
    return NULL;
}

static bool add_slices(tfc_bundle *b, const tfc_sstable *t, tfc_status *st)
{
    const char *file = tfc_sstable_name(t);
    bool ok = true;
    for (size_t i = 1; ok && i < tfc_sstable_count(t); i++) {
        const tfc_sstable_entry *e = tfc_sstable_at(t, i);
        Tensorflow__SavedTensorSlices *s = tensorflow__saved_tensor_slices__unpack(NULL, e->value_len, e->value);
        if (!s || !s->data || !s->data->name) {
            ok = tfc_fail(st, TFC_DATA_LOSS, "%s: entry %zu is not a saved slice", file, i);
        } else {
            bundle_item *it = item_named(b, s->data->name);
            bundle_slice *slices = it ? realloc(it->slices, (size_t)(it->nslices + 1) * sizeof *slices) : NULL;
            if (!it)
                ok = tfc_fail(st, TFC_DATA_LOSS, "%s: a slice of tensor '%s', which the metadata does not list", file,
                              s->data->name);
            else if (!slices)
                ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", file);
            else {
                it->slices = slices;
                bundle_slice *sl = &slices[it->nslices];
                *sl = (bundle_slice){.saved = e};
                ok = bundle_slice_from_proto(file, it->name, s->data->slice, it->pub.shape, sl, st);
                if (ok) it->nslices++;
            }
        }
        if (s) tensorflow__saved_tensor_slices__free_unpacked(s, NULL);
    }
    return ok;
}

bool bundle_open_v1(tfc_bundle *b, tfc_status *st)
{
    b->version = 1;
    for (int i = 0; i < b->ntables; i++)
        if (!add_meta(b, b->tables[i], st)) return false;
    for (int i = 0; i < b->ntables; i++)
        if (!add_slices(b, b->tables[i], st)) return false;
    for (int k = 0; k < b->n; k++) {
        bundle_item *it = &b->items[k];
        bool whole = it->nslices == 1;
        for (int d = 0; whole && d < it->pub.shape.rank; d++)
            whole = it->slices[0].start[d] == 0 && it->slices[0].length[d] == it->pub.shape.dims[d];
        it->pub.num_slices = whole ? 0 : it->nslices;
    }
    return true;
}

/* Copies n values of a repeated TensorProto field, converting them to the tensor's element type. */
#define COPY_VALS(T, src, count)                                                                                     \
    do {                                                                                                             \
        for (size_t i_ = 0; i_ < (count); i_++) ((T *)t->data)[i_] = (T)(src)[i_];                                    \
    } while (0)

static bool fill_from_proto(tfc_tensor *t, const Tensorflow__TensorProto *p)
{
    size_t n = (size_t)t->size, es = tfc_dtype_size(t->dtype);
    if (t->dtype != TFC_STRING && p->tensor_content.len) {
        if (p->tensor_content.len != n * es) return false;
        memcpy(t->data, p->tensor_content.data, n * es);
        return true;
    }
    switch (t->dtype) {
    case TFC_FLOAT:
        if (p->n_float_val != n) return false;
        COPY_VALS(float, p->float_val, n);
        return true;
    case TFC_DOUBLE:
        if (p->n_double_val != n) return false;
        COPY_VALS(double, p->double_val, n);
        return true;
    case TFC_INT32:
        if (p->n_int_val != n) return false;
        COPY_VALS(int32_t, p->int_val, n);
        return true;
    case TFC_UINT8:
        if (p->n_int_val != n) return false;
        COPY_VALS(uint8_t, p->int_val, n);
        return true;
    case TFC_INT8:
        if (p->n_int_val != n) return false;
        COPY_VALS(int8_t, p->int_val, n);
        return true;
    case TFC_INT16:
        if (p->n_int_val != n) return false;
        COPY_VALS(int16_t, p->int_val, n);
        return true;
    case TFC_UINT16:
        if (p->n_int_val != n) return false;
        COPY_VALS(uint16_t, p->int_val, n);
        return true;
    case TFC_INT64:
        if (p->n_int64_val != n) return false;
        COPY_VALS(int64_t, p->int64_val, n);
        return true;
    case TFC_BOOL:
        if (p->n_bool_val != n) return false;
        for (size_t i = 0; i < n; i++) ((uint8_t *)t->data)[i] = p->bool_val[i] != 0;
        return true;
    case TFC_HALF:
    case TFC_BFLOAT16:
        if (p->n_half_val != n) return false;
        COPY_VALS(uint16_t, p->half_val, n);
        return true;
    case TFC_UINT32:
        if (p->n_uint32_val != n) return false;
        COPY_VALS(uint32_t, p->uint32_val, n);
        return true;
    case TFC_UINT64:
        if (p->n_uint64_val != n) return false;
        COPY_VALS(uint64_t, p->uint64_val, n);
        return true;
    case TFC_COMPLEX64:
        if (p->n_scomplex_val != 2 * n) return false;
        COPY_VALS(float, p->scomplex_val, 2 * n);
        return true;
    case TFC_COMPLEX128:
        if (p->n_dcomplex_val != 2 * n) return false;
        COPY_VALS(double, p->dcomplex_val, 2 * n);
        return true;
    case TFC_STRING:
        if (p->n_string_val != n) return false;
        for (size_t i = 0; i < n; i++) {
            tfc_bytes *s = &((tfc_bytes *)t->data)[i];
            if (!(s->ptr = malloc(p->string_val[i].len + 1))) return false;
            if (p->string_val[i].len) memcpy(s->ptr, p->string_val[i].data, p->string_val[i].len);
            s->ptr[p->string_val[i].len] = '\0';
            s->len = p->string_val[i].len;
        }
        return true;
    default:
        return false;
    }
}

tfc_tensor *bundle_read_v1_slice(const tfc_bundle *b, const bundle_item *it, const bundle_slice *sl, tfc_status *st)
{
    char buf[24];
    tfc_shape shape = {.rank = it->pub.shape.rank};
    for (int d = 0; d < shape.rank; d++) shape.dims[d] = sl->length[d];
    tfc_tensor *t = tfc_tensor_new((tfc_dtype)it->pub.dtype, shape);
    if (!t) {
        tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: tensor '%s': dtype %s is not supported by tfc", b->prefix, it->name,
                 tfc_bundle_dtype_name(it->pub.dtype, buf));
        return NULL;
    }
    Tensorflow__SavedTensorSlices *s = tensorflow__saved_tensor_slices__unpack(NULL, sl->saved->value_len,
                                                                              sl->saved->value);
    bool ok = s && s->data && s->data->data && fill_from_proto(t, s->data->data);
    if (s) tensorflow__saved_tensor_slices__free_unpacked(s, NULL);
    if (!ok) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': the saved values do not match its dtype %s and shape", b->prefix,
                 it->name, tfc_bundle_dtype_name(it->pub.dtype, buf));
        tfc_tensor_free(t);
        return NULL;
    }
    return t;
}
