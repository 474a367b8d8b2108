/* Reading legacy V1 checkpoints (FORMATS.md §5): one SSTable per shard whose "" entry lists the
 * tensors (SavedTensorSliceMeta) and whose other entries each hold one slice of one tensor
 * (SavedSlice, values in a TensorProto). Slices are found by the name and extent they carry, so the
 * OrderedCode keys are never decoded. */
#include <stdlib.h>
#include <string.h>

#include "bundle_internal.h"
#include "tensor_proto.h"

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
    const char *why = s ? "no values" : "not a SavedTensorSlices";
    bool ok = s && s->data && s->data->data && tfc_tensor_fill_from_proto(t, s->data->data, &why);
    if (s) tensorflow__saved_tensor_slices__free_unpacked(s, NULL);
    if (!ok) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: tensor '%s': the saved values do not fit its dtype %s and shape (%s)", b->prefix,
                 it->name, tfc_bundle_dtype_name(it->pub.dtype, buf), why);
        tfc_tensor_free(t);
        return NULL;
    }
    return t;
}
