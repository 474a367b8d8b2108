/* Reductions over axes: Sum Mean Prod Max Min (with keep_dims; float32, int32, int64), All Any
 * (bool: the checks of tf.debugging's asserts), ArgMax
 * ArgMin, L2Loss, and the running ones Cumsum Cumprod. The axes are an int input, a Const as
 * tf.reduce_sum makes it. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"

/* Which axes of a rank-r input the axes tensor names (negative ones count from the end). */
static bool axes_mask(const tfc_tensor *axes, int rank, bool mask[TFC_MAX_DIMS])
{
    memset(mask, 0, TFC_MAX_DIMS * sizeof *mask);
    if (axes->shape.rank > 1) return false;
    for (int64_t i = 0; i < axes->size; i++) {
        int a;
        if (!tfc_normalize_axis((int64_t)tfc_tensor_get(axes, i), rank, &a)) return false;
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
    const char *op = tfc_node_op(g, node);
    tfc_dtype_set takes = strcmp(op, "All") == 0 || strcmp(op, "Any") == 0 ? TFC_DTYPE_BIT(TFC_BOOL) : TFC_NUMBERS;
    if (!tfc_require_dtype(g, node, 0, takes) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
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

typedef enum { R_SUM, R_MEAN, R_PROD, R_MAX, R_MIN, R_ALL, R_ANY } reduce_op;

/* Combines every input element into its output element (z starts at the op's identity): each input
 * row (the last dim) goes into z at the output position its index maps to, element by element when
 * the last dim is kept (is 1), into one element when it is reduced (is 0). COMBINE(a, v) is a
 * combined with v. */
#define REDUCE_ROWS(T, COMBINE)                                                                        \
    do {                                                                                               \
        int64_t idx[TFC_MAX_DIMS] = {0}, base = 0;                                                     \
        for (int64_t off = 0; off < x->size; off += inner) {                                           \
            if (is) {                                                                                  \
                for (int64_t j = 0; j < inner; j++) zp[base + j] = COMBINE(zp[base + j], xp[off + j]); \
            } else {                                                                                   \
                T acc = zp[base];                                                                      \
                for (int64_t j = 0; j < inner; j++) acc = COMBINE(acc, xp[off + j]);                   \
                zp[base] = acc;                                                                        \
            }                                                                                          \
            for (int d = r - 2; d >= 0; d--) {                                                         \
                idx[d]++;                                                                              \
                base += ostride[d];                                                                    \
                if (idx[d] < x->shape.dims[d]) break;                                                  \
                base -= ostride[d] * idx[d];                                                           \
                idx[d] = 0;                                                                            \
            }                                                                                          \
        }                                                                                              \
    } while (0)

#define ADD(a, v) ((a) + (v))
#define MUL(a, v) ((a) * (v))
#define MAX(a, v) ((v) > (a) || (v) != (v) ? (v) : (a))
#define MIN(a, v) ((v) < (a) || (v) != (v) ? (v) : (a))
#define AND(a, v) ((a) && (v))
#define OR(a, v) ((a) || (v))

/* Integers wrap around as TensorFlow's (two's complement), without C's overflow UB. */
#define WRAP_ADD(a, v) ((elem)((uint64_t)(a) + (uint64_t)(v)))
#define WRAP_MUL(a, v) ((elem)((uint64_t)(a) * (uint64_t)(v)))

#define REDUCE(T, LOWEST, HIGHEST, PLUS, TIMES)                                                        \
    do {                                                                                               \
        typedef T elem;                                                                                \
        const T *xp = x->data;                                                                         \
        T *zp = z->data;                                                                               \
        elem init = op == R_PROD || op == R_ALL ? (T)1 : op == R_MAX ? LOWEST : op == R_MIN ? HIGHEST : (T)0; \
        for (int64_t i = 0; i < z->size; i++) zp[i] = init;                                            \
        switch (op) {                                                                                  \
        case R_SUM:                                                                                    \
        case R_MEAN: REDUCE_ROWS(T, PLUS); break;                                                      \
        case R_PROD: REDUCE_ROWS(T, TIMES); break;                                                     \
        case R_MAX: REDUCE_ROWS(T, MAX); break;                                                        \
        case R_MIN: REDUCE_ROWS(T, MIN); break;                                                        \
        case R_ALL: REDUCE_ROWS(T, AND); break;                                                        \
        case R_ANY: REDUCE_ROWS(T, OR); break;                                                         \
        }                                                                                              \
        if (op == R_MEAN && count)                                                                     \
            for (int64_t i = 0; i < z->size; i++) zp[i] = (T)(zp[i] / (T)count);                       \
    } while (0)

static bool reduce_kernel(tfc_kernel_ctx *k, reduce_op op)
{
    const tfc_tensor *x = k->in[0];
    bool keep = tfc_attr_bool(k->graph, k->node, "keep_dims", false), mask[TFC_MAX_DIMS];
    char b[TFC_SHAPE_STR_MAX];
    if (!axes_mask(k->in[1], x->shape.rank, mask))
        return tfc_kernel_error(k, "reduction axes out of range for an input of shape %s", tfc_shape_str(x->shape, b));
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, reduced_shape(x->shape, mask, keep));
    if (!z) return false;
    int64_t count = z->size ? x->size / z->size : 0;
    if (z->size == 1 && x->dtype == TFC_FLOAT && (op == R_SUM || op == R_MEAN)) {
        /* one total, kept in double */
        double acc = 0;
        for (int64_t i = 0; i < x->size; i++) acc += tfc_f32(x)[i];
        tfc_f32(z)[0] = (float)(op == R_MEAN && count ? acc / (double)count : acc);
        return true;
    }
    /* Output strides over the input's axes (0 along reduced ones). */
    int r = x->shape.rank;
    int64_t ostride[TFC_MAX_DIMS], s = 1;
    for (int i = r - 1; i >= 0; i--) {
        ostride[i] = mask[i] ? 0 : s;
        if (!mask[i]) s *= x->shape.dims[i];
    }
    int64_t inner = r ? x->shape.dims[r - 1] : 1, is = r ? ostride[r - 1] : 0;
    if (!inner) {
        inner = 1; /* an empty input: z holds the identities */
        if (x->size) return tfc_kernel_error(k, "empty last dim");
    }
    switch (x->dtype) {
    case TFC_FLOAT: REDUCE(float, -INFINITY, INFINITY, ADD, MUL); break;
    case TFC_INT32: REDUCE(int32_t, INT32_MIN, INT32_MAX, WRAP_ADD, WRAP_MUL); break;
    case TFC_INT64: REDUCE(int64_t, INT64_MIN, INT64_MAX, WRAP_ADD, WRAP_MUL); break;
    case TFC_BOOL: REDUCE(uint8_t, 0, 1, OR, AND); break;
    default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));
    }
    return true;
}

static bool k_sum(tfc_kernel_ctx *k) { return reduce_kernel(k, R_SUM); }
static bool k_mean(tfc_kernel_ctx *k) { return reduce_kernel(k, R_MEAN); }
static bool k_prod(tfc_kernel_ctx *k) { return reduce_kernel(k, R_PROD); }
static bool k_max(tfc_kernel_ctx *k) { return reduce_kernel(k, R_MAX); }
static bool k_min(tfc_kernel_ctx *k) { return reduce_kernel(k, R_MIN); }
static bool k_all(tfc_kernel_ctx *k) { return reduce_kernel(k, R_ALL); }
static bool k_any(tfc_kernel_ctx *k) { return reduce_kernel(k, R_ANY); }

/* The reduced axes of a node with constant axes and an input of known rank; false with the node's
 * error set otherwise. */
static bool grad_axes(tfc_graph *g, int node, bool mask[TFC_MAX_DIMS])
{
    tfc_shape in = in_shape(g, node, 0);
    const tfc_tensor *axes = tfc_graph_const_value(g, in_out(g, node, 1));
    if (axes && in.rank >= 0 && axes_mask(axes, in.rank, mask)) return true;
    return tfc_node_error(g, node, "gradient needs constant reduction axes and a known input rank");
}

/* t (an output-shaped tensor) with the reduced axes put back as size 1 (ExpandDims), unless
 * keep_dims kept them. */
static tfc_out kept_dims(tfc_graph *g, int node, const bool mask[TFC_MAX_DIMS], tfc_out t)
{
    if (tfc_attr_bool(g, node, "keep_dims", false)) return t;
    for (int i = 0; i < in_shape(g, node, 0).rank; i++)
        if (mask[i]) t = tfc_expand_dims(g, t, i, NULL);
    return t;
}

/* The gradient of a sum spreads dy back over the reduced axes: broadcast to the input's run-time
 * shape. */
static tfc_out spread_back(tfc_graph *g, int node, tfc_out dy)
{
    bool mask[TFC_MAX_DIMS];
    if (!grad_axes(g, node, mask)) return TFC_NO_OUT;
    tfc_out bt = tfc_binary(g, "BroadcastTo", kept_dims(g, node, mask, dy), tfc_shape_of(g, in_out(g, node, 0), NULL), NULL);
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

/* TensorFlow's: the gradient goes to the elements equal to the result, split evenly among ties. */
static void grad_min_max(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    bool mask[TFC_MAX_DIMS];
    if (!grad_axes(g, node, mask)) return;
    tfc_out x = in_out(g, node, 0), y = kept_dims(g, node, mask, node_out(node, 0)), d = kept_dims(g, node, mask, dy[0]);
    tfc_out indicators = tfc_cast(g, tfc_equal(g, y, x, NULL), tfc_out_dtype(g, dy[0]), NULL);
    int axes[TFC_MAX_DIMS], n = 0;
    for (int i = 0; i < in_shape(g, node, 0).rank; i++)
        if (mask[i]) axes[n++] = i;
    tfc_out selected = tfc_reduce_sum(g, indicators, axes, n, true, NULL);
    dx[0] = tfc_mul(g, tfc_div(g, indicators, selected, NULL), d, NULL);
}

/* TensorFlow's: each element's gradient is dy times the product of the others in its reduction,
 * from exclusive cumulative products from both ends (no division, so zeros are fine): the input is
 * transposed to [reduced..., kept...], seen as [reduced count, kept count], and back. */
static void grad_prod(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    bool mask[TFC_MAX_DIMS];
    tfc_shape in = in_shape(g, node, 0);
    if (!grad_axes(g, node, mask)) return;
    if (!tfc_shape_known(in)) {
        tfc_node_error(g, node, "gradient needs an input of known shape");
        return;
    }
    int perm[TFC_MAX_DIMS], inv[TFC_MAX_DIMS], n = 0;
    int64_t rn = 1, on = 1;
    for (int i = 0; i < in.rank; i++)
        if (mask[i]) {
            perm[n++] = i;
            rn *= in.dims[i];
        }
    for (int i = 0; i < in.rank; i++)
        if (!mask[i]) {
            perm[n++] = i;
            on *= in.dims[i];
        }
    tfc_shape permuted = {.rank = in.rank};
    for (int i = 0; i < in.rank; i++) {
        inv[perm[i]] = i;
        permuted.dims[i] = in.dims[perm[i]];
    }
    tfc_out t = tfc_reshape(g, tfc_transpose(g, in_out(g, node, 0), perm, in.rank, NULL), TFC_SHAPE(rn, on), NULL);
    tfc_out left = tfc_cumprod(g, t, 0, true, false, NULL), right = tfc_cumprod(g, t, 0, true, true, NULL);
    tfc_out y = tfc_transpose(g, tfc_reshape(g, tfc_mul(g, left, right, NULL), permuted, NULL), inv, in.rank, NULL);
    tfc_out spread = tfc_binary(g, "BroadcastTo", kept_dims(g, node, mask, dy[0]), tfc_const_shape(g, in, "Shape"), NULL);
    if (tfc_out_ok(spread)) tfc_set_attr_type(g, spread.node, "Tidx", TFC_INT32);
    dx[0] = tfc_mul(g, spread, y, NULL);
}

const tfc_op_def tfc_op_Sum = {"Sum", infer_reduce, k_sum, grad_sum, 0, .ninputs = 2};
const tfc_op_def tfc_op_Mean = {"Mean", infer_reduce, k_mean, grad_mean, 0, .ninputs = 2};
const tfc_op_def tfc_op_Prod = {"Prod", infer_reduce, k_prod, grad_prod, 0, .ninputs = 2};
const tfc_op_def tfc_op_Max = {"Max", infer_reduce, k_max, grad_min_max, 0, .ninputs = 2};
const tfc_op_def tfc_op_Min = {"Min", infer_reduce, k_min, grad_min_max, 0, .ninputs = 2};
const tfc_op_def tfc_op_All = {"All", infer_reduce, k_all, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_Any = {"Any", infer_reduce, k_any, NULL, 0, .ninputs = 2};

static tfc_out reduction(tfc_graph *g, const char *type, tfc_out x, const int *axes, int naxes, bool keep,
                         const char *name)
{
    int32_t ax[TFC_MAX_DIMS];
    int n = 0;
    char full[512];
    tfc_out c;
    /* as TensorFlow names them: the given axes "OP/reduction_indices", all axes "Const" beside it */
    if (axes) {
        for (int i = 0; i < naxes && i < TFC_MAX_DIMS; i++) ax[n++] = axes[i];
        tfc_op_scope_push(g, name, type, full);
        c = tfc_const_ints(g, ax, n, "reduction_indices");
        tfc_scope_pop(g);
        name = full;
    } else {
        tfc_shape s = tfc_out_shape(g, x);
        for (int i = 0; i < s.rank; i++) ax[n++] = i;
        c = tfc_const_ints(g, ax, n, "Const");
    }
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

tfc_out tfc_reduce_prod(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name)
{
    return reduction(g, "Prod", x, axes, naxes, keep_dims, name);
}

tfc_out tfc_reduce_max(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name)
{
    return reduction(g, "Max", x, axes, naxes, keep_dims, name);
}

tfc_out tfc_reduce_min(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name)
{
    return reduction(g, "Min", x, axes, naxes, keep_dims, name);
}

/* ---- ArgMax, ArgMin ---- */

static bool infer_arg(tfc_graph *g, int node)
{
    tfc_shape in = in_shape(g, node, 0);
    const tfc_tensor *d = tfc_graph_const_value(g, in_out(g, node, 1));
    tfc_dtype out = tfc_attr_type(g, node, "output_type", TFC_INT64);
    bool mask[TFC_MAX_DIMS];
    char b[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    if (out != TFC_INT32 && out != TFC_INT64)
        return tfc_node_error(g, node, "output_type must be int32 or int64, not %s", tfc_dtype_name(out));
    if (in.rank < 0 || !d) {
        tfc_node_set_output(g, node, 0, out, TFC_UNKNOWN_SHAPE);
        return true;
    }
    if (d->size != 1 || !axes_mask(d, in.rank, mask))
        return tfc_node_error(g, node, "dimension out of range for an input of shape %s", tfc_shape_str(in, b));
    tfc_node_set_output(g, node, 0, out, reduced_shape(in, mask, false));
    return true;
}

/* The index of the first maximum (or minimum) along the axis. */
static bool arg_kernel(tfc_kernel_ctx *k, bool is_max)
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
    tfc_tensor *z = tfc_kernel_output(k, 0, tfc_node_output_dtype(k->graph, k->node, 0), reduced_shape(x->shape, mask, false));
    if (!z) return false;
    if (!n && z->size) return tfc_kernel_error(k, "reducing an empty dimension");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            int64_t best = 0;
            TFC_NUMERIC_SWITCH(x->dtype, T, {
                const T *xp = (const T *)x->data + o * n * inner + in;
                T bv = xp[0];
                for (int64_t j = 1; j < n; j++)
                    if (is_max ? xp[j * inner] > bv : xp[j * inner] < bv) {
                        bv = xp[j * inner];
                        best = j;
                    }
            })
            tfc_set_index(z, o * inner + in, best);
        }
    return true;
}

static bool k_argmax(tfc_kernel_ctx *k) { return arg_kernel(k, true); }
static bool k_argmin(tfc_kernel_ctx *k) { return arg_kernel(k, false); }

const tfc_op_def tfc_op_ArgMax = {"ArgMax", infer_arg, k_argmax, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_ArgMin = {"ArgMin", infer_arg, k_argmin, NULL, 0, .ninputs = 2};

static tfc_out arg_op(tfc_graph *g, const char *type, tfc_out x, int axis, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, type, full);
    tfc_out d = tfc_const_int(g, axis, "dimension");
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, type, full, (tfc_out[]){x, d}, 2, 1);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Tidx", TFC_INT32);
    tfc_set_attr_type(g, node, "output_type", TFC_INT64);
    return tfc_node_finish(g, node);
}

tfc_out tfc_argmax(tfc_graph *g, tfc_out x, int axis, const char *name) { return arg_op(g, "ArgMax", x, axis, name); }
tfc_out tfc_argmin(tfc_graph *g, tfc_out x, int axis, const char *name) { return arg_op(g, "ArgMin", x, axis, name); }

/* ---- L2Loss: sum(t^2) / 2 ---- */

static bool infer_l2_loss(tfc_graph *g, int node)
{
    if (!tfc_require_float(g, node, 0)) return false;
    tfc_node_set_output(g, node, 0, TFC_FLOAT, TFC_SCALAR);
    return true;
}

static bool k_l2_loss(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_FLOAT, TFC_SCALAR);
    if (!z) return false;
    double acc = 0;
    for (int64_t i = 0; i < x->size; i++) acc += (double)tfc_f32(x)[i] * tfc_f32(x)[i];
    tfc_f32(z)[0] = (float)(acc / 2);
    return true;
}

static void grad_l2_loss(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_mul(g, in_out(g, node, 0), dy[0], NULL);
}

const tfc_op_def tfc_op_L2Loss = {"L2Loss", infer_l2_loss, k_l2_loss, grad_l2_loss, 0, .ninputs = 1};

tfc_out tfc_l2_loss(tfc_graph *g, tfc_out t, const char *name) { return tfc_unary(g, "L2Loss", t, name); }

/* ---- Cumsum, Cumprod: (x, axis), attrs exclusive and reverse ---- */

static bool infer_cumulative(tfc_graph *g, int node)
{
    tfc_shape s = in_shape(g, node, 0);
    const tfc_tensor *a = tfc_graph_const_value(g, in_out(g, node, 1));
    int axis;
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    if (a && s.rank >= 0 && (a->size != 1 || !tfc_normalize_axis((int64_t)tfc_tensor_get(a, 0), s.rank, &axis)))
        return tfc_node_error(g, node, "axis out of range for an input of rank %d", s.rank);
    return tfc_infer_same_as_input(g, node);
}

static bool cumulative(tfc_kernel_ctx *k, bool prod)
{
    const tfc_tensor *x = k->in[0];
    int axis;
    if (k->in[1]->size != 1 || !tfc_normalize_axis((int64_t)tfc_tensor_get(k->in[1], 0), x->shape.rank, &axis))
        return tfc_kernel_error(k, "axis out of range for an input of rank %d", x->shape.rank);
    bool excl = tfc_attr_bool(k->graph, k->node, "exclusive", false), rev = tfc_attr_bool(k->graph, k->node, "reverse", false);
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, x->shape);
    if (!z) return false;
    int64_t outer = 1, n = x->shape.dims[axis], inner = 1;
    for (int i = 0; i < axis; i++) outer *= x->shape.dims[i];
    for (int i = axis + 1; i < x->shape.rank; i++) inner *= x->shape.dims[i];
    TFC_NUMERIC_SWITCH(x->dtype, T, {
        const T *xp = x->data;
        T *zp = z->data;
        for (int64_t o = 0; o < outer; o++)
            for (int64_t in = 0; in < inner; in++) {
                T acc = prod ? (T)1 : (T)0;
                for (int64_t s = 0; s < n; s++) {
                    int64_t j = rev ? n - 1 - s : s, at = (o * n + j) * inner + in;
                    T v = xp[at];
                    if (!excl) acc = prod ? (T)(acc * v) : (T)(acc + v);
                    zp[at] = acc;
                    if (excl) acc = prod ? (T)(acc * v) : (T)(acc + v);
                }
            }
    })
    return true;
}

static bool k_cumsum(tfc_kernel_ctx *k) { return cumulative(k, false); }
static bool k_cumprod(tfc_kernel_ctx *k) { return cumulative(k, true); }

static tfc_out cumulative_op(tfc_graph *g, const char *type, tfc_out x, tfc_out axis, bool exclusive, bool reverse,
                             const char *name)
{
    int n = tfc_node_begin(g, type, name, (tfc_out[]){x, axis}, 2, 1);
    tfc_set_attr_bool(g, n, "exclusive", exclusive);
    tfc_set_attr_bool(g, n, "reverse", reverse);
    tfc_set_T(g, n);
    tfc_set_type_of(g, n, "Tidx", 1);
    return tfc_node_finish(g, n);
}

/* The sums from the other end. */
static void grad_cumsum(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = cumulative_op(g, "Cumsum", dy[0], in_out(g, node, 1), tfc_attr_bool(g, node, "exclusive", false),
                          !tfc_attr_bool(g, node, "reverse", false), NULL);
}

/* TensorFlow's: cumsum(cumprod(x) * dy) from the other end, divided by x (0 where x is 0). */
static void grad_cumprod(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    bool excl = tfc_attr_bool(g, node, "exclusive", false), rev = tfc_attr_bool(g, node, "reverse", false);
    tfc_out x = in_out(g, node, 0), axis = in_out(g, node, 1);
    tfc_out prod = cumulative_op(g, "Cumprod", x, axis, excl, rev, NULL);
    tfc_out out = cumulative_op(g, "Cumsum", tfc_mul(g, prod, dy[0], NULL), axis, excl, !rev, NULL);
    dx[0] = tfc_binary(g, "DivNoNan", out, x, NULL);
}

const tfc_op_def tfc_op_Cumsum = {"Cumsum", infer_cumulative, k_cumsum, grad_cumsum, 0, .ninputs = 2};
const tfc_op_def tfc_op_Cumprod = {"Cumprod", infer_cumulative, k_cumprod, grad_cumprod, 0, .ninputs = 2};

tfc_out tfc_cumsum(tfc_graph *g, tfc_out x, int axis, bool exclusive, bool reverse, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "Cumsum", full);
    tfc_out a = tfc_const_int(g, axis, "axis");
    tfc_scope_pop(g);
    return cumulative_op(g, "Cumsum", x, a, exclusive, reverse, full);
}

tfc_out tfc_cumprod(tfc_graph *g, tfc_out x, int axis, bool exclusive, bool reverse, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "Cumprod", full);
    tfc_out a = tfc_const_int(g, axis, "axis");
    tfc_scope_pop(g);
    return cumulative_op(g, "Cumprod", x, a, exclusive, reverse, full);
}
