/* Reductions over axes: Sum and Mean (with keep_dims), and ArgMax. The axes are an int32 input,
 * a Const as tf.reduce_sum makes it. */
#include <float.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"

/* Which axes of a rank-r input the axes tensor names (negative ones count from the end). */
static bool axes_mask(const tfc_tensor *axes, int rank, bool mask[TFC_MAX_DIMS])
{
    memset(mask, 0, TFC_MAX_DIMS * sizeof *mask);
    if (axes->shape.rank > 1) return false;
    for (int64_t i = 0; i < axes->size; i++) {
        int64_t a = (int64_t)tfc_tensor_get(axes, i);
        if (a < 0) a += rank;
        if (a < 0 || a >= rank) return false;
        mask[a] = true;
    }
    return true;
}

static tfc_shape reduced_shape(tfc_shape in, const bool mask[TFC_MAX_DIMS], bool keep)
{
    tfc_shape o = {.rank = 0};
    for (int i = 0; i < in.rank; i++) {
        if (!mask[i])
            o.dims[o.rank++] = in.dims[i];
        else if (keep)
            o.dims[o.rank++] = 1;
    }
    return o;
}

static bool infer_reduce(tfc_graph *g, int node)
{
    tfc_shape in = in_shape(g, node, 0);
    const tfc_tensor *axes = tfc_graph_const_value(g, in_out(g, node, 1));
    bool keep = tfc_attr_bool(g, node, "keep_dims", false), mask[TFC_MAX_DIMS];
    if (in.rank < 0 || !axes) {
        tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), TFC_UNKNOWN_SHAPE);
        return true;
    }
    char b[TFC_SHAPE_STR_MAX];
    if (!axes_mask(axes, in.rank, mask))
        return tfc_node_error(g, node, "reduction axes out of range for an input of shape %s", tfc_shape_str(in, b));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), reduced_shape(in, mask, keep));
    return true;
}

/* Sums x over the masked axes into z (float); mean divides by the count reduced. */
static bool reduce_kernel(tfc_kernel_ctx *k, bool mean)
{
    const tfc_tensor *x = k->in[0];
    bool keep = tfc_attr_bool(k->graph, k->node, "keep_dims", false), mask[TFC_MAX_DIMS];
    char b[TFC_SHAPE_STR_MAX];
    if (!axes_mask(k->in[1], x->shape.rank, mask))
        return tfc_kernel_error(k, "reduction axes out of range for an input of shape %s", tfc_shape_str(x->shape, b));
    if (x->dtype != TFC_FLOAT) return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_FLOAT, reduced_shape(x->shape, mask, keep));
    if (!z) return false;
    const float *xp = x->data;
    float *zp = z->data;
    int64_t count = z->size ? x->size / z->size : 0;
    if (z->size == 1) {
        double acc = 0;
        for (int64_t i = 0; i < x->size; i++) acc += xp[i];
        zp[0] = (float)(mean && count ? acc / (double)count : acc);
        return true;
    }
    /* Output strides over the input's axes (0 along reduced ones). */
    int r = x->shape.rank;
    int64_t ostride[TFC_MAX_DIMS], s = 1;
    for (int i = r - 1; i >= 0; i--) {
        ostride[i] = mask[i] ? 0 : s;
        if (!mask[i]) s *= x->shape.dims[i];
    }
    memset(zp, 0, (size_t)z->size * sizeof *zp);
    int64_t inner = r ? x->shape.dims[r - 1] : 1, is = r ? ostride[r - 1] : 0;
    int64_t idx[TFC_MAX_DIMS] = {0}, base = 0;
    for (int64_t off = 0; off < x->size; off += inner) {
        if (is) {
            for (int64_t j = 0; j < inner; j++) zp[base + j] += xp[off + j];
        } else {
            float acc = 0;
            for (int64_t j = 0; j < inner; j++) acc += xp[off + j];
            zp[base] += acc;
        }
        for (int d = r - 2; d >= 0; d--) {
            idx[d]++;
            base += ostride[d];
            if (idx[d] < x->shape.dims[d]) break;
            base -= ostride[d] * idx[d];
            idx[d] = 0;
        }
    }
    if (mean && count) {
        float inv = 1.0f / (float)count;
        for (int64_t i = 0; i < z->size; i++) zp[i] *= inv;
    }
    return true;
}

static bool k_sum(tfc_kernel_ctx *k) { return reduce_kernel(k, false); }
static bool k_mean(tfc_kernel_ctx *k) { return reduce_kernel(k, true); }

/* The gradient of a sum spreads dy back over the reduced axes: dy with the reduced axes put back
 * as size 1 (ExpandDims), broadcast to the input's run-time shape. */
static tfc_out spread_back(tfc_graph *g, int node, tfc_out dy)
{
    tfc_shape in = in_shape(g, node, 0);
    const tfc_tensor *axes = tfc_graph_const_value(g, in_out(g, node, 1));
    bool mask[TFC_MAX_DIMS];
    if (!axes || in.rank < 0 || !axes_mask(axes, in.rank, mask)) {
        tfc_node_error(g, node, "gradient needs constant reduction axes and a known input rank");
        return TFC_NO_OUT;
    }
    tfc_out r = dy;
    if (!tfc_attr_bool(g, node, "keep_dims", false))
        for (int i = 0; i < in.rank; i++)
            if (mask[i]) r = tfc_binary(g, "ExpandDims", r, tfc_const_int(g, i, "ExpandDims/dim"), NULL);
    tfc_out bt = tfc_binary(g, "BroadcastTo", r, tfc_shape_of(g, in_out(g, node, 0), NULL), NULL);
    if (tfc_out_ok(bt)) tfc_set_attr_type(g, bt.node, "Tidx", TFC_INT32);
    return bt;
}

static void grad_sum(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = spread_back(g, node, dy[0]); }

static void grad_mean(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out spread = spread_back(g, node, dy[0]);
    int64_t nin = tfc_shape_numel(in_shape(g, node, 0)), nout = tfc_shape_numel(tfc_node_output_shape(g, node, 0));
    tfc_out count;
    if (nin >= 0 && nout > 0) {
        count = tfc_const_scalar(g, (float)((double)nin / (double)nout), "Const");
    } else {
        tfc_out sin = tfc_unary(g, "Size", in_out(g, node, 0), NULL);
        tfc_out sout = tfc_unary(g, "Size", node_out(node, 0), NULL);
        count = tfc_div(g, tfc_cast(g, sin, TFC_FLOAT, NULL), tfc_cast(g, sout, TFC_FLOAT, NULL), NULL);
    }
    dx[0] = tfc_div(g, spread, count, NULL);
}

const tfc_op_def tfc_op_Sum = {"Sum", infer_reduce, k_sum, grad_sum, 0, .ninputs = 2};
const tfc_op_def tfc_op_Mean = {"Mean", infer_reduce, k_mean, grad_mean, 0, .ninputs = 2};

static tfc_out reduction(tfc_graph *g, const char *type, tfc_out x, const int *axes, int naxes, bool keep,
                         const char *name)
{
    int32_t ax[TFC_MAX_DIMS];
    int n = 0;
    if (axes) {
        for (int i = 0; i < naxes && i < TFC_MAX_DIMS; i++) ax[n++] = axes[i];
    } else {
        tfc_shape s = tfc_out_shape(g, x);
        for (int i = 0; i < s.rank; i++) ax[n++] = i;
    }
    tfc_out c = tfc_const_ints(g, ax, n, "Const");
    int node = tfc_node_begin(g, type, name, (tfc_out[]){x, c}, 2, 1);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Tidx", TFC_INT32);
    tfc_set_attr_bool(g, node, "keep_dims", keep);
    return tfc_node_finish(g, node);
}

tfc_out tfc_reduce_sum(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name)
{
    return reduction(g, "Sum", x, axes, naxes, keep_dims, name);
}

tfc_out tfc_reduce_mean(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name)
{
    return reduction(g, "Mean", x, axes, naxes, keep_dims, name);
}

/* ---- ArgMax ---- */

static bool infer_argmax(tfc_graph *g, int node)
{
    tfc_shape in = in_shape(g, node, 0);
    const tfc_tensor *d = tfc_graph_const_value(g, in_out(g, node, 1));
    bool mask[TFC_MAX_DIMS];
    char b[TFC_SHAPE_STR_MAX];
    if (in.rank < 0 || !d) {
        tfc_node_set_output(g, node, 0, TFC_INT64, TFC_UNKNOWN_SHAPE);
        return true;
    }
    if (d->size != 1 || !axes_mask(d, in.rank, mask))
        return tfc_node_error(g, node, "dimension out of range for an input of shape %s", tfc_shape_str(in, b));
    tfc_node_set_output(g, node, 0, TFC_INT64, reduced_shape(in, mask, false));
    return true;
}

static bool k_argmax(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    bool mask[TFC_MAX_DIMS];
    char b[TFC_SHAPE_STR_MAX];
    if (k->in[1]->size != 1 || !axes_mask(k->in[1], x->shape.rank, mask))
        return tfc_kernel_error(k, "dimension out of range for an input of shape %s", tfc_shape_str(x->shape, b));
    int axis = 0;
    while (!mask[axis]) axis++;
    int64_t outer = 1, n = x->shape.dims[axis], inner = 1;
    for (int i = 0; i < axis; i++) outer *= x->shape.dims[i];
    for (int i = axis + 1; i < x->shape.rank; i++) inner *= x->shape.dims[i];
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_INT64, reduced_shape(x->shape, mask, false));
    if (!z) return false;
    if (!n && z->size) return tfc_kernel_error(k, "argmax over an empty dimension");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            int64_t best = 0;
            double bv = -DBL_MAX;
            for (int64_t j = 0; j < n; j++) {
                double v = tfc_tensor_get(x, (o * n + j) * inner + in);
                if (v > bv) {
                    bv = v;
                    best = j;
                }
            }
            tfc_i64(z)[o * inner + in] = best;
        }
    return true;
}

const tfc_op_def tfc_op_ArgMax = {"ArgMax", infer_argmax, k_argmax, NULL, 0, .ninputs = 2};

tfc_out tfc_argmax(tfc_graph *g, tfc_out x, int axis, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "ArgMax", full);
    tfc_out d = tfc_const_int(g, axis, "dimension");
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, "ArgMax", full, (tfc_out[]){x, d}, 2, 1);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Tidx", TFC_INT32);
    tfc_set_attr_type(g, node, "output_type", TFC_INT64);
    return tfc_node_finish(g, node);
}
