/* Ops that pick elements by index or condition: GatherV2 (and UnsortedSegmentSum, its gradient),
 * OneHot, Range, Where (the indices of true elements), Select and SelectV2, and the set ops ListDiff
 * and Unique that TensorFlow's gradients use. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"

static bool const_scalar(const tfc_graph *g, int node, int i, int64_t *v)
{
    const tfc_tensor *t = tfc_graph_const_value(g, in_out(g, node, i));
    if (!t || t->size != 1) return false;
    *v = (int64_t)tfc_tensor_get(t, 0);
    return true;
}

static int64_t product(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++) p *= d[i];
    return p;
}

/* ---- GatherV2: (params, indices, axis), attr batch_dims ---- */

/* The output shape: params[:axis] + indices[batch_dims:] + params[axis+1:]; false with a reason. */
static bool gather_shape(tfc_shape p, tfc_shape ix, int64_t ax, int64_t bd, int *axis, tfc_shape *out, char *why, size_t n)
{
    if (bd < 0) bd += ix.rank;
    if (bd < 0 || bd > ix.rank) return snprintf(why, n, "batch_dims is out of range for indices of rank %d", ix.rank), false;
    if (!tfc_normalize_axis(ax, p.rank, axis)) return snprintf(why, n, "axis %lld is out of range for params of rank %d", (long long)ax, p.rank), false;
    if (*axis < bd) return snprintf(why, n, "axis must not be less than batch_dims"), false;
    if (p.rank - 1 + ix.rank - bd > TFC_MAX_DIMS) return snprintf(why, n, "the result would have too many dims"), false;
    out->rank = 0;
    for (int i = 0; i < *axis; i++) out->dims[out->rank++] = p.dims[i];
    for (int i = (int)bd; i < ix.rank; i++) out->dims[out->rank++] = ix.dims[i];
    for (int i = *axis + 1; i < p.rank; i++) out->dims[out->rank++] = p.dims[i];
    return true;
}

static bool infer_gather(tfc_graph *g, int node)
{
    tfc_shape p = in_shape(g, node, 0), ix = in_shape(g, node, 1), out = TFC_UNKNOWN_SHAPE;
    int64_t ax;
    int axis;
    char why[128], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS) ||
        !tfc_require_dtype(g, node, 2, TFC_INTS))
        return false;
    if (p.rank >= 0 && ix.rank >= 0 && const_scalar(g, node, 2, &ax) &&
        !gather_shape(p, ix, ax, tfc_attr_int(g, node, "batch_dims", 0), &axis, &out, why, sizeof why))
        return tfc_node_error(g, node, "%s (params %s, indices %s)", why, tfc_shape_str(p, a), tfc_shape_str(ix, b));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_gather(tfc_kernel_ctx *k)
{
    const tfc_tensor *p = k->in[0], *ix = k->in[1];
    int64_t bd = tfc_attr_int(k->graph, k->node, "batch_dims", 0);
    int axis;
    tfc_shape out;
    char why[128], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (k->in[2]->size != 1 || !gather_shape(p->shape, ix->shape, (int64_t)tfc_tensor_get(k->in[2], 0), bd, &axis, &out, why, sizeof why))
        return tfc_kernel_error(k, "%s (params %s, indices %s)", why, tfc_shape_str(p->shape, a), tfc_shape_str(ix->shape, b));
    if (bd < 0) bd += ix->shape.rank;
    for (int i = 0; i < bd; i++)
        if (p->shape.dims[i] != ix->shape.dims[i])
            return tfc_kernel_error(k, "params %s and indices %s differ in batch dim %d", tfc_shape_str(p->shape, a),
                                    tfc_shape_str(ix->shape, b), i);
    tfc_tensor *z = tfc_kernel_output(k, 0, p->dtype, out);
    if (!z) return false;
    /* params as [batch, outer, n, inner], indices as [batch, m], the result [batch, outer, m, inner] */
    int64_t batch = product(p->shape.dims, 0, (int)bd), outer = product(p->shape.dims, (int)bd, axis);
    int64_t n = p->shape.dims[axis], inner = product(p->shape.dims, axis + 1, p->shape.rank);
    int64_t m = product(ix->shape.dims, (int)bd, ix->shape.rank);
    size_t row = (size_t)inner * tfc_dtype_size(p->dtype);
    const char *src = p->data;
    char *dst = z->data;
    for (int64_t bt = 0; bt < batch; bt++)
        for (int64_t o = 0; o < outer; o++)
            for (int64_t j = 0; j < m; j++) {
                int64_t i = (int64_t)tfc_tensor_get(ix, bt * m + j);
                if (i < 0 || i >= n)
                    return tfc_kernel_error(k, "indices[%lld] = %lld is not in [0, %lld)", (long long)(bt * m + j), (long long)i,
                                            (long long)n);
                memcpy(dst + (size_t)(((bt * outer + o) * m + j)) * row, src + (size_t)(((bt * outer + o) * n + i)) * row, row);
            }
    return true;
}

/* Only for batch_dims 0: dy's rows summed into the rows of params they came from (UnsortedSegmentSum,
 * what TensorFlow's IndexedSlices gradient becomes as a dense tensor), with axis moved to the front
 * and back when it is not 0. */
static void grad_gather(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_shape p = in_shape(g, node, 0), ix = in_shape(g, node, 1);
    int64_t ax;
    int axis;
    if (!tfc_shape_known(p) || ix.rank < 0 || !const_scalar(g, node, 2, &ax) || !tfc_normalize_axis(ax, p.rank, &axis) ||
        tfc_attr_int(g, node, "batch_dims", 0) != 0) {
        tfc_node_error(g, node, "the gradient needs batch_dims 0, a constant axis and params of known shape");
        return;
    }
    /* dy as [outer, m, inner] with the gathered rows m in one dim */
    tfc_shape vs = {.rank = p.rank};
    for (int i = 0; i < p.rank; i++) vs.dims[i] = i == axis ? -1 : p.dims[i];
    tfc_out values = tfc_reshape(g, dy[0], vs, NULL);
    tfc_out flat_ix = tfc_reshape(g, in_out(g, node, 1), TFC_SHAPE(-1), NULL);
    int perm[TFC_MAX_DIMS], inv[TFC_MAX_DIMS];
    if (axis) {
        perm[0] = axis;
        for (int i = 1; i <= axis; i++) perm[i] = i - 1;
        for (int i = axis + 1; i < p.rank; i++) perm[i] = i;
        for (int i = 0; i < p.rank; i++) inv[perm[i]] = i;
        values = tfc_transpose(g, values, perm, p.rank, NULL);
    }
    tfc_out num = tfc_const_int(g, (int32_t)p.dims[axis], "strided_slice");
    int s = tfc_node_begin(g, "UnsortedSegmentSum", NULL, (tfc_out[]){values, flat_ix, num}, 3, 1);
    tfc_set_T(g, s);
    tfc_set_type_of(g, s, "Tindices", 1);
    tfc_set_attr_type(g, s, "Tnumsegments", TFC_INT32);
    dx[0] = tfc_node_finish(g, s);
    if (axis) dx[0] = tfc_transpose(g, dx[0], inv, p.rank, NULL);
}

const tfc_op_def tfc_op_GatherV2 = {"GatherV2", infer_gather, k_gather, grad_gather, 0, .ninputs = 3};

tfc_out tfc_gather(tfc_graph *g, tfc_out params, tfc_out indices, int axis, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "GatherV2", full);
    tfc_out ax = tfc_const_int(g, axis, "axis");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "GatherV2", full, (tfc_out[]){params, indices, ax}, 3, 1);
    tfc_set_attr_int(g, n, "batch_dims", 0);
    tfc_set_type_of(g, n, "Tparams", 0);
    tfc_set_type_of(g, n, "Tindices", 1);
    tfc_set_attr_type(g, n, "Taxis", TFC_INT32);
    return tfc_node_finish(g, n);
}

/* ---- UnsortedSegmentSum: (data, segment_ids, num_segments) ---- */

static bool infer_segment_sum(tfc_graph *g, int node)
{
    tfc_shape d = in_shape(g, node, 0), ids = in_shape(g, node, 1), out = TFC_UNKNOWN_SHAPE;
    int64_t num;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_dtype(g, node, 1, TFC_INTS) ||
        !tfc_require_dtype(g, node, 2, TFC_INTS))
        return false;
    if (d.rank >= 0 && ids.rank >= 0) {
        bool fits = ids.rank <= d.rank;
        for (int i = 0; fits && i < ids.rank; i++) fits = d.dims[i] < 0 || ids.dims[i] < 0 || d.dims[i] == ids.dims[i];
        if (!fits)
            return tfc_node_error(g, node, "segment_ids %s must be a prefix of the data's shape %s", tfc_shape_str(ids, b),
                                  tfc_shape_str(d, a));
        out.rank = d.rank - ids.rank + 1;
        out.dims[0] = const_scalar(g, node, 2, &num) ? num : -1;
        for (int i = ids.rank; i < d.rank; i++) out.dims[i - ids.rank + 1] = d.dims[i];
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_segment_sum(tfc_kernel_ctx *k)
{
    const tfc_tensor *d = k->in[0], *ids = k->in[1];
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    bool fits = ids->shape.rank <= d->shape.rank && k->in[2]->size == 1;
    for (int i = 0; fits && i < ids->shape.rank; i++) fits = d->shape.dims[i] == ids->shape.dims[i];
    int64_t num = fits ? (int64_t)tfc_tensor_get(k->in[2], 0) : -1;
    if (!fits || num < 0)
        return tfc_kernel_error(k, "segment_ids %s must be a prefix of the data's shape %s and num_segments a size",
                                tfc_shape_str(ids->shape, b), tfc_shape_str(d->shape, a));
    tfc_shape out = {.rank = d->shape.rank - ids->shape.rank + 1};
    out.dims[0] = num;
    for (int i = ids->shape.rank; i < d->shape.rank; i++) out.dims[i - ids->shape.rank + 1] = d->shape.dims[i];
    tfc_tensor *z = tfc_kernel_output(k, 0, d->dtype, out);
    if (!z) return false;
    memset(z->data, 0, tfc_tensor_nbytes(z));
    int64_t inner = ids->size ? d->size / ids->size : 0;
    for (int64_t r = 0; r < ids->size; r++) {
        int64_t s = (int64_t)tfc_tensor_get(ids, r);
        if (s >= num) return tfc_kernel_error(k, "segment_ids[%lld] = %lld is not below num_segments %lld", (long long)r, (long long)s, (long long)num);
        if (s < 0) continue; /* negative ids are dropped, as in TensorFlow */
        TFC_NUMERIC_SWITCH(d->dtype, T, {
            const T *src = (const T *)d->data + r * inner;
            T *dst = (T *)z->data + s * inner;
            for (int64_t j = 0; j < inner; j++) dst[j] += src[j];
        })
    }
    return true;
}

/* Each data row takes its segment's gradient (none for the dropped negative ids). */
static void grad_segment_sum(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out ids = in_out(g, node, 1);
    tfc_shape ds = in_shape(g, node, 0), is = in_shape(g, node, 1);
    if (ds.rank < 0 || is.rank < 0) {
        tfc_node_error(g, node, "the gradient needs the ranks of data and segment_ids");
        return;
    }
    tfc_out clipped = tfc_maximum(g, ids, tfc_zeros_like(g, ids, NULL), NULL);
    tfc_out gathered = tfc_gather(g, dy[0], clipped, 0, NULL);
    tfc_shape ms = {.rank = ds.rank};
    for (int i = 0; i < ds.rank; i++) ms.dims[i] = i < is.rank ? is.dims[i] : 1;
    tfc_out positive = tfc_greater_equal(g, ids, tfc_zeros_like(g, ids, NULL), NULL);
    tfc_out mask = tfc_cast(g, tfc_reshape(g, positive, ms, NULL), in_dtype(g, node, 0), NULL);
    dx[0] = tfc_mul(g, gathered, mask, NULL);
}

const tfc_op_def tfc_op_UnsortedSegmentSum = {"UnsortedSegmentSum", infer_segment_sum, k_segment_sum, grad_segment_sum, 0, .ninputs = 3};

/* ---- OneHot: (indices, depth, on_value, off_value), attr axis ---- */

static bool infer_one_hot(tfc_graph *g, int node)
{
    tfc_shape ix = in_shape(g, node, 0), out = TFC_UNKNOWN_SHAPE;
    int64_t ax = tfc_attr_int(g, node, "axis", -1), depth;
    if (!tfc_require_dtype(g, node, 0, TFC_INTS | TFC_DTYPE_BIT(TFC_UINT8)) ||
        !tfc_require_dtype(g, node, 1, TFC_DTYPE_BIT(TFC_INT32)) || !tfc_require_dtype(g, node, 2, TFC_FIXED_SIZE) ||
        !tfc_require_same_dtype(g, node, 2, 3))
        return false;
    if (in_shape(g, node, 2).rank > 0 || in_shape(g, node, 3).rank > 0)
        return tfc_node_error(g, node, "on_value and off_value must be scalars");
    if (ix.rank >= 0) {
        if (ix.rank >= TFC_MAX_DIMS || ax < -1 || ax > ix.rank)
            return tfc_node_error(g, node, "axis %lld is out of range for indices of rank %d", (long long)ax, ix.rank);
        int a = ax < 0 ? ix.rank : (int)ax;
        out.rank = ix.rank + 1;
        for (int i = 0, j = 0; i < out.rank; i++) out.dims[i] = i == a ? -1 : ix.dims[j++];
        if (const_scalar(g, node, 1, &depth)) {
            if (depth < 0) return tfc_node_error(g, node, "depth is negative (%lld)", (long long)depth);
            out.dims[a] = depth;
        }
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 2), out);
    return true;
}

static bool k_one_hot(tfc_kernel_ctx *k)
{
    const tfc_tensor *ix = k->in[0];
    int64_t ax = tfc_attr_int(k->graph, k->node, "axis", -1), depth = tfc_i32(k->in[1])[0];
    int r = ix->shape.rank;
    if (ax < -1 || ax > r || r >= TFC_MAX_DIMS) return tfc_kernel_error(k, "axis out of range");
    if (depth < 0) return tfc_kernel_error(k, "depth is negative (%lld)", (long long)depth);
    int a = ax < 0 ? r : (int)ax;
    tfc_shape out = {.rank = r + 1};
    for (int i = 0, j = 0; i < out.rank; i++) out.dims[i] = i == a ? depth : ix->shape.dims[j++];
    tfc_tensor *z = tfc_kernel_output(k, 0, k->in[2]->dtype, out);
    if (!z) return false;
    size_t es = tfc_dtype_size(z->dtype);
    /* indices as [outer, inner] around the new axis: z[o, d, i] = (ix[o, i] == d) ? on : off */
    int64_t outer = product(ix->shape.dims, 0, a), inner = product(ix->shape.dims, a, r);
    char *zp = z->data;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t d = 0; d < depth; d++)
            for (int64_t i = 0; i < inner; i++) {
                bool hot = (int64_t)tfc_tensor_get(ix, o * inner + i) == d;
                memcpy(zp + (size_t)((o * depth + d) * inner + i) * es, (hot ? k->in[2] : k->in[3])->data, es);
            }
    return true;
}

const tfc_op_def tfc_op_OneHot = {"OneHot", infer_one_hot, k_one_hot, NULL, 0, .ninputs = 4};

tfc_out tfc_one_hot(tfc_graph *g, tfc_out indices, int depth, float on_value, float off_value, int axis, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "one_hot", full);
    tfc_out on = tfc_const_scalar(g, on_value, "on_value"), off = tfc_const_scalar(g, off_value, "off_value");
    tfc_out d = tfc_const_int(g, depth, "depth");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "OneHot", full, (tfc_out[]){indices, d, on, off}, 4, 1);
    tfc_set_attr_int(g, n, "axis", axis);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_set_type_of(g, n, "TI", 0);
    return tfc_node_finish(g, n);
}

/* ---- Range: (start, limit, delta) ---- */

static bool range_size(double start, double limit, double delta, bool integral, int64_t *n, char *why, size_t len)
{
    if (delta == 0) return snprintf(why, len, "delta must not be 0"), false;
    if ((delta > 0 && start > limit) || (delta < 0 && start < limit))
        return snprintf(why, len, "start %g is beyond limit %g for delta %g", start, limit, delta), false;
    *n = integral ? (int64_t)((fabs(limit - start) + fabs(delta) - 1) / fabs(delta)) : (int64_t)ceil(fabs((limit - start) / delta));
    return true;
}

static bool infer_range(tfc_graph *g, int node)
{
    tfc_dtype dt = in_dtype(g, node, 0);
    const tfc_tensor *s = tfc_graph_const_value(g, in_out(g, node, 0)), *l = tfc_graph_const_value(g, in_out(g, node, 1)),
                     *d = tfc_graph_const_value(g, in_out(g, node, 2));
    int64_t n = -1;
    char why[160];
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_same_dtype(g, node, 0, 2)) return false;
    if (s && l && d && s->size == 1 && l->size == 1 && d->size == 1 &&
        !range_size(tfc_tensor_get(s, 0), tfc_tensor_get(l, 0), tfc_tensor_get(d, 0), dt != TFC_FLOAT, &n, why, sizeof why))
        return tfc_node_error(g, node, "%s", why);
    tfc_node_set_output(g, node, 0, dt, TFC_SHAPE(n));
    return true;
}

static bool k_range(tfc_kernel_ctx *k)
{
    const tfc_tensor *s = k->in[0], *l = k->in[1], *d = k->in[2];
    int64_t n;
    char why[160];
    if (s->size != 1 || l->size != 1 || d->size != 1) return tfc_kernel_error(k, "start, limit and delta must be scalars");
    if (!range_size(tfc_tensor_get(s, 0), tfc_tensor_get(l, 0), tfc_tensor_get(d, 0), s->dtype != TFC_FLOAT, &n, why, sizeof why))
        return tfc_kernel_error(k, "%s", why);
    tfc_tensor *z = tfc_kernel_output(k, 0, s->dtype, TFC_SHAPE(n));
    if (!z) return false;
    TFC_NUMERIC_SWITCH(s->dtype, T, {
        T v = *(const T *)s->data, step = *(const T *)d->data;
        for (int64_t i = 0; i < n; i++, v += step) ((T *)z->data)[i] = v;
    })
    return true;
}

const tfc_op_def tfc_op_Range = {"Range", infer_range, k_range, NULL, 0, .ninputs = 3};

tfc_out tfc_range(tfc_graph *g, int32_t start, int32_t limit, int32_t delta, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "range", full);
    tfc_out s = tfc_const_int(g, start, "start"), l = tfc_const_int(g, limit, "limit"), d = tfc_const_int(g, delta, "delta");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "Range", full, (tfc_out[]){s, l, d}, 3, 1);
    tfc_set_attr_type(g, n, "Tidx", TFC_INT32);
    return tfc_node_finish(g, n);
}

/* ---- Where: the coordinates of the true (non-zero) elements, [count, rank] int64 ---- */

static bool infer_where(tfc_graph *g, int node)
{
    tfc_shape s = in_shape(g, node, 0);
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS | TFC_DTYPE_BIT(TFC_BOOL))) return false;
    tfc_node_set_output(g, node, 0, TFC_INT64, TFC_SHAPE(-1, s.rank));
    return true;
}

static bool k_where(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    int64_t count = 0;
    for (int64_t i = 0; i < x->size; i++) count += tfc_tensor_get(x, i) != 0;
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_INT64, TFC_SHAPE(count, x->shape.rank));
    if (!z) return false;
    int64_t *zp = z->data;
    for (int64_t i = 0; i < x->size; i++) {
        if (tfc_tensor_get(x, i) == 0) continue;
        int64_t rest = i;
        for (int d = x->shape.rank - 1; d >= 0; d--) {
            zp[d] = rest % x->shape.dims[d];
            rest /= x->shape.dims[d];
        }
        zp += x->shape.rank;
    }
    return true;
}

const tfc_op_def tfc_op_Where = {"Where", infer_where, k_where, NULL, 0, .ninputs = 1};

/* ---- Select (condition of t's shape, or a vector along its first dim) and SelectV2 (all three
 * broadcast) ---- */

/* The strides of a shape broadcast to `to` (0 along broadcast dims; in elements). */
static void broadcast_strides(tfc_shape s, tfc_shape to, int64_t *stride)
{
    int64_t st = 1;
    for (int i = to.rank - 1; i >= 0; i--) {
        int j = s.rank - to.rank + i;
        int64_t d = j >= 0 ? s.dims[j] : 1;
        stride[i] = d == 1 ? 0 : st;
        st *= d;
    }
}

/* z[i] = c[i] ? t[i] : e[i] with each operand read through its own (broadcast) strides; false when
 * memory for a string runs out. */
static bool select_into(tfc_tensor *z, const tfc_tensor *c, const tfc_tensor *t, const tfc_tensor *e, const int64_t *sc,
                        const int64_t *st, const int64_t *se)
{
    size_t es = tfc_dtype_size(z->dtype);
    int r = z->shape.rank;
    int64_t idx[TFC_MAX_DIMS] = {0};
    const uint8_t *cp = c->data;
    /* Each operand whole or a scalar, elements of 4 bytes (a dropout's mask, its gradient): a flat
     * loop, an element a few cycles instead of an index walk. */
    bool flat = es == 4;
    const tfc_tensor *ops[3] = {c, t, e};
    for (int j = 0; j < 3; j++) flat = flat && (ops[j]->size == z->size || ops[j]->size == 1);
    if (flat && z->size) {
        const uint8_t *restrict cr = cp;
        const uint32_t *restrict tp = t->data, *restrict ep = e->data;
        uint32_t *restrict zp = z->data, t0 = tp[0], e0 = ep[0];
        int64_t n = z->size;
        /* (each case its own loop, restrict and scalars hoisted, so that the compiler vectorises the
         * blend) */
        if (c->size == 1 && n > 1)
            for (int64_t i = 0; i < n; i++) zp[i] = cr[0] ? tp[t->size == 1 ? 0 : i] : ep[e->size == 1 ? 0 : i];
        else if (t->size == n && e->size == n)
            for (int64_t i = 0; i < n; i++) zp[i] = cr[i] ? tp[i] : ep[i];
        else if (t->size == n)
            for (int64_t i = 0; i < n; i++) zp[i] = cr[i] ? tp[i] : e0;
        else if (e->size == n)
            for (int64_t i = 0; i < n; i++) zp[i] = cr[i] ? t0 : ep[i];
        else
            for (int64_t i = 0; i < n; i++) zp[i] = cr[i] ? t0 : e0;
        return true;
    }
    for (int64_t i = 0; i < z->size; i++) {
        int64_t oc = 0, ot = 0, oe = 0;
        for (int d = 0; d < r; d++) {
            oc += idx[d] * sc[d];
            ot += idx[d] * st[d];
            oe += idx[d] * se[d];
        }
        if (z->dtype == TFC_STRING) { /* (the file names of a sharded Saver) */
            size_t len;
            const char *str = cp[oc] ? tfc_tensor_string(t, ot, &len) : tfc_tensor_string(e, oe, &len);
            if (!tfc_tensor_set_string(z, i, str, len)) return false;
        } else {
            memcpy((char *)z->data + (size_t)i * es, cp[oc] ? (const char *)t->data + (size_t)ot * es : (const char *)e->data + (size_t)oe * es, es);
        }
        for (int d = r - 1; d >= 0; d--) {
            if (++idx[d] < z->shape.dims[d]) break;
            idx[d] = 0;
        }
    }
    return true;
}

static bool infer_select_types(tfc_graph *g, int node)
{
    return tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_BOOL)) &&
           tfc_require_dtype(g, node, 1, TFC_FIXED_SIZE | TFC_DTYPE_BIT(TFC_STRING)) &&
           tfc_require_same_dtype(g, node, 1, 2);
}

/* Select's condition fits when it has t's shape, is a scalar, or is a vector as long as t's first dim. */
static bool select_fits(tfc_shape c, tfc_shape t)
{
    if (c.rank < 0 || t.rank < 0 || c.rank == 0) return true;
    if (c.rank == 1 && t.rank > 1) return c.dims[0] < 0 || t.dims[0] < 0 || c.dims[0] == t.dims[0];
    if (c.rank != t.rank) return false;
    for (int i = 0; i < c.rank; i++)
        if (c.dims[i] >= 0 && t.dims[i] >= 0 && c.dims[i] != t.dims[i]) return false;
    return true;
}

static bool infer_select(tfc_graph *g, int node)
{
    tfc_shape c = in_shape(g, node, 0), t = in_shape(g, node, 1), e = in_shape(g, node, 2);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], d[TFC_SHAPE_STR_MAX];
    if (!infer_select_types(g, node)) return false;
    bool same = t.rank < 0 || e.rank < 0 || t.rank == e.rank;
    for (int i = 0; same && t.rank >= 0 && i < t.rank; i++)
        same = t.dims[i] < 0 || e.dims[i] < 0 || t.dims[i] == e.dims[i];
    if (!same || !select_fits(c, t.rank >= 0 ? t : e))
        return tfc_node_error(g, node, "condition %s, t %s and e %s do not fit: t and e must match, the condition too "
                              "(or be a scalar, or a vector along their first dim)",
                              tfc_shape_str(c, a), tfc_shape_str(t, b), tfc_shape_str(e, d));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 1), t.rank >= 0 ? t : e);
    return true;
}

static bool k_select(tfc_kernel_ctx *k)
{
    const tfc_tensor *c = k->in[0], *t = k->in[1], *e = k->in[2];
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], d[TFC_SHAPE_STR_MAX];
    bool vec = c->shape.rank == 1 && t->shape.rank > 1 && c->shape.dims[0] == t->shape.dims[0];
    if (!tfc_shape_equal(t->shape, e->shape) || !(c->shape.rank == 0 || vec || tfc_shape_equal(c->shape, t->shape)))
        return tfc_kernel_error(k, "condition %s, t %s and e %s do not fit", tfc_shape_str(c->shape, a), tfc_shape_str(t->shape, b),
                                tfc_shape_str(e->shape, d));
    tfc_tensor *z = tfc_kernel_output(k, 0, t->dtype, t->shape);
    if (!z) return false;
    int64_t sc[TFC_MAX_DIMS] = {0}, st[TFC_MAX_DIMS];
    broadcast_strides(t->shape, t->shape, st);
    if (vec)
        sc[0] = 1;
    else if (c->shape.rank)
        broadcast_strides(c->shape, t->shape, sc);
    return select_into(z, c, t, e, sc, st, st) || tfc_kernel_error(k, "out of memory");
}

static bool infer_select_v2(tfc_graph *g, int node)
{
    tfc_shape c = in_shape(g, node, 0), t = in_shape(g, node, 1), e = in_shape(g, node, 2), m1, m2;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], d[TFC_SHAPE_STR_MAX];
    if (!infer_select_types(g, node)) return false;
    if (!tfc_broadcast_shapes(t, e, &m1) || !tfc_broadcast_shapes(c, m1, &m2))
        return tfc_node_error(g, node, "condition %s, t %s and e %s cannot be broadcast together", tfc_shape_str(c, a),
                              tfc_shape_str(t, b), tfc_shape_str(e, d));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 1), m2);
    return true;
}

static bool k_select_v2(tfc_kernel_ctx *k)
{
    const tfc_tensor *c = k->in[0], *t = k->in[1], *e = k->in[2];
    tfc_shape m1, out;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], d[TFC_SHAPE_STR_MAX];
    bool ok = tfc_broadcast_shapes(t->shape, e->shape, &m1) && tfc_broadcast_shapes(c->shape, m1, &out);
    for (int i = 0; ok && i < out.rank; i++) {
        const tfc_tensor *ops[3] = {c, t, e};
        for (int j = 0; j < 3; j++) {
            int k2 = ops[j]->shape.rank - out.rank + i;
            int64_t dj = k2 >= 0 ? ops[j]->shape.dims[k2] : 1;
            ok = ok && (dj == 1 || dj == out.dims[i]);
        }
    }
    if (!ok)
        return tfc_kernel_error(k, "condition %s, t %s and e %s cannot be broadcast together", tfc_shape_str(c->shape, a),
                                tfc_shape_str(t->shape, b), tfc_shape_str(e->shape, d));
    tfc_tensor *z = tfc_kernel_output(k, 0, t->dtype, out);
    if (!z) return false;
    int64_t sc[TFC_MAX_DIMS], st[TFC_MAX_DIMS], se[TFC_MAX_DIMS];
    broadcast_strides(c->shape, out, sc);
    broadcast_strides(t->shape, out, st);
    broadcast_strides(e->shape, out, se);
    return select_into(z, c, t, e, sc, st, se) || tfc_kernel_error(k, "out of memory");
}

/* dy goes to t where the condition holds and to e elsewhere: Select(c, dy, zeros) and
 * Select(c, zeros, dy), as TensorFlow's gradient builds them. */
static void grad_select(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out c = in_out(g, node, 0), zeros = tfc_zeros_like(g, in_out(g, node, 1), NULL);
    dx[1] = tfc_select_op(g, "Select", c, dy[0], zeros, NULL);
    dx[2] = tfc_select_op(g, "Select", c, zeros, dy[0], NULL);
}

/* The same with SelectV2 and a scalar zero, each side summed down to its input's shape. */
static void grad_select_v2(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out c = in_out(g, node, 0);
    tfc_tensor *zt = tfc_tensor_new(tfc_out_dtype(g, dy[0]), TFC_SCALAR);
    tfc_out zero = tfc_const(g, zt, "zeros");
    tfc_tensor_free(zt);
    tfc_out gx = tfc_select_op(g, "SelectV2", c, dy[0], zero, NULL);
    tfc_out gy = tfc_select_op(g, "SelectV2", c, zero, dy[0], NULL);
    dx[1] = tfc_grad_unbroadcast(g, gx, in_shape(g, node, 1));
    dx[2] = tfc_grad_unbroadcast(g, gy, in_shape(g, node, 2));
}

const tfc_op_def tfc_op_Select = {"Select", infer_select, k_select, grad_select, 0, .ninputs = 3};
const tfc_op_def tfc_op_SelectV2 = {"SelectV2", infer_select_v2, k_select_v2, grad_select_v2, 0, .ninputs = 3};

tfc_out tfc_select_op(tfc_graph *g, const char *type, tfc_out c, tfc_out t, tfc_out e, const char *name)
{
    int n = tfc_node_begin(g, type, name, (tfc_out[]){c, t, e}, 3, 1);
    tfc_set_type_of(g, n, "T", 1);
    return tfc_node_finish(g, n);
}

tfc_out tfc_where(tfc_graph *g, tfc_out condition, tfc_out x, tfc_out y, const char *name)
{
    if (!tfc_out_ok(x) && !tfc_out_ok(y)) {
        int n = tfc_node_begin(g, "Where", name, &condition, 1, 1);
        tfc_set_T(g, n);
        return tfc_node_finish(g, n);
    }
    return tfc_select_op(g, "Select", condition, x, y, name);
}

tfc_out tfc_where_v2(tfc_graph *g, tfc_out condition, tfc_out x, tfc_out y, const char *name)
{
    if (!tfc_out_ok(x) && !tfc_out_ok(y)) return tfc_where(g, condition, x, y, name);
    return tfc_select_op(g, "SelectV2", condition, x, y, name);
}

/* ---- ListDiff (x's values not in y, and where they are in x), Unique (x's values once, and where
 * each element of x is among them); 1-D ---- */

static tfc_dtype out_idx(const tfc_graph *g, int node) { return tfc_attr_type(g, node, "out_idx", TFC_INT32); }

static bool infer_set_op(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node);
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_same_dtype(g, node, 0, n - 1)) return false;
    if (out_idx(g, node) != TFC_INT32 && out_idx(g, node) != TFC_INT64)
        return tfc_node_error(g, node, "out_idx must be int32 or int64");
    for (int i = 0; i < n; i++)
        if (in_shape(g, node, i).rank >= 0 && in_shape(g, node, i).rank != 1)
            return tfc_node_error(g, node, "input %d must be a vector", i);
    bool unique = n == 1;
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), TFC_SHAPE(-1));
    tfc_node_set_output(g, node, 1, out_idx(g, node), unique ? in_shape(g, node, 0) : TFC_SHAPE(-1));
    return true;
}

static bool k_list_diff(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0], *y = k->in[1];
    if (x->shape.rank != 1 || y->shape.rank != 1) return tfc_kernel_error(k, "x and y must be vectors");
    size_t es = tfc_dtype_size(x->dtype);
    int64_t count = 0;
    bool *keep = calloc((size_t)x->size + 1, sizeof *keep);
    if (!keep) return tfc_kernel_error(k, "out of memory");
    for (int64_t i = 0; i < x->size; i++) {
        keep[i] = true;
        for (int64_t j = 0; j < y->size && keep[i]; j++)
            keep[i] = memcmp((const char *)x->data + i * (int64_t)es, (const char *)y->data + j * (int64_t)es, es) != 0;
        count += keep[i];
    }
    tfc_tensor *out = tfc_kernel_output(k, 0, x->dtype, TFC_SHAPE(count));
    tfc_tensor *idx = tfc_kernel_output(k, 1, out_idx(k->graph, k->node), TFC_SHAPE(count));
    for (int64_t i = 0, o = 0; out && idx && i < x->size; i++)
        if (keep[i]) {
            memcpy((char *)out->data + o * (int64_t)es, (const char *)x->data + i * (int64_t)es, es);
            tfc_set_index(idx, o++, i);
        }
    free(keep);
    return out && idx;
}

static bool k_unique(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    if (x->shape.rank != 1) return tfc_kernel_error(k, "x must be a vector");
    size_t es = tfc_dtype_size(x->dtype);
    int64_t *first = malloc(((size_t)x->size + 1) * sizeof *first), count = 0;
    tfc_tensor *idx = tfc_kernel_output(k, 1, out_idx(k->graph, k->node), x->shape);
    if (!first || !idx) {
        free(first);
        return idx ? tfc_kernel_error(k, "out of memory") : false;
    }
    /* first[u]: where unique value u first appears, in order of appearance */
    for (int64_t i = 0; i < x->size; i++) {
        int64_t u = 0;
        while (u < count && memcmp((const char *)x->data + first[u] * (int64_t)es, (const char *)x->data + i * (int64_t)es, es))
            u++;
        if (u == count) first[count++] = i;
        tfc_set_index(idx, i, u);
    }
    tfc_tensor *y = tfc_kernel_output(k, 0, x->dtype, TFC_SHAPE(count));
    for (int64_t u = 0; y && u < count; u++)
        memcpy((char *)y->data + u * (int64_t)es, (const char *)x->data + first[u] * (int64_t)es, es);
    free(first);
    return y != NULL;
}

const tfc_op_def tfc_op_ListDiff = {"ListDiff", infer_set_op, k_list_diff, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_Unique = {"Unique", infer_set_op, k_unique, NULL, 0, .ninputs = 1};
