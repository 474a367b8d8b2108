/* Joining tensors along an axis and splitting them again: ConcatV2 (and ConcatOffset, which its
 * gradient uses, as TensorFlow's does), Pack, Unpack, Split, SplitV. Values move as bytes, so every
 * dtype of fixed size works; Pack also stacks strings. */
#include <stdio.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"

/* Row r of the output (outer rows of all parts side by side) is part 0's row r, part 1's row r, ...;
 * part p's rows are width[p] bytes. */
static void join_rows(char *out, int64_t outer, const char *const *parts, const size_t *width, int n)
{
    for (int64_t r = 0; r < outer; r++)
        for (int p = 0; p < n; p++) {
            if (width[p]) memcpy(out, parts[p] + (size_t)r * width[p], width[p]);
            out += width[p];
        }
}

/* The inverse: the input's rows cut into pieces of width[p] bytes, piece p to parts[p]. */
static void split_rows(const char *in, int64_t outer, char *const *parts, const size_t *width, int n)
{
    for (int64_t r = 0; r < outer; r++)
        for (int p = 0; p < n; p++) {
            if (width[p]) memcpy(parts[p] + (size_t)r * width[p], in, width[p]);
            in += width[p];
        }
}

/* Elements before and after axis. */
static void outer_inner(tfc_shape s, int axis, int64_t *outer, int64_t *inner)
{
    *outer = *inner = 1;
    for (int i = 0; i < axis; i++) *outer *= s.dims[i];
    for (int i = axis + 1; i < s.rank; i++) *inner *= s.dims[i];
}

/* Merges two static sizes of one dim (-1 unknown); false when both are known and differ. */
static bool merge_dim(int64_t a, int64_t b, int64_t *out)
{
    if (a >= 0 && b >= 0 && a != b) return false;
    *out = a >= 0 ? a : b;
    return true;
}

/* A constant scalar input's value, false when the input is not a Const holding one value. */
static bool const_scalar(const tfc_graph *g, int node, int i, int64_t *v)
{
    const tfc_tensor *t = tfc_graph_const_value(g, in_out(g, node, i));
    if (!t || t->size != 1) return false;
    *v = (int64_t)tfc_tensor_get(t, 0);
    return true;
}

/* ---- ConcatV2: (values..., axis) ---- */

static bool infer_concat(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node) - 1;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (n < 1) return tfc_node_error(g, node, "needs at least one value and the axis");
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_same_dtype(g, node, 0, n - 1) ||
        !tfc_require_dtype(g, node, n, TFC_INTS))
        return false;
    tfc_shape out = TFC_UNKNOWN_SHAPE;
    for (int i = 0; i < n; i++) {
        tfc_shape s = in_shape(g, node, i);
        if (s.rank == 0) return tfc_node_error(g, node, "cannot concatenate scalars (input %d); use tf.stack", i);
        if (s.rank < 0) continue;
        if (out.rank >= 0 && s.rank != out.rank)
            return tfc_node_error(g, node, "input %d has shape %s, input 0 %s: ranks differ", i, tfc_shape_str(s, a),
                                  tfc_shape_str(in_shape(g, node, 0), b));
        if (out.rank < 0) out = s;
    }
    int64_t ax;
    int axis;
    if (out.rank < 0 || !const_scalar(g, node, n, &ax)) {
        for (int i = 0; i < out.rank; i++) out.dims[i] = -1;
        tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
        return true;
    }
    if (!tfc_normalize_axis(ax, out.rank, &axis))
        return tfc_node_error(g, node, "axis %lld is out of range for rank %d", (long long)ax, out.rank);
    out.dims[axis] = 0;
    for (int i = 0; i < n; i++) {
        tfc_shape s = in_shape(g, node, i);
        if (s.rank < 0) {
            out.dims[axis] = -1;
            continue;
        }
        for (int d = 0; d < s.rank; d++) {
            if (d == axis) continue;
            if (!merge_dim(out.dims[d], s.dims[d], &out.dims[d]))
                return tfc_node_error(g, node, "input %d has shape %s, input 0 %s: they differ outside axis %d", i,
                                      tfc_shape_str(s, a), tfc_shape_str(in_shape(g, node, 0), b), axis);
        }
        out.dims[axis] = out.dims[axis] < 0 || s.dims[axis] < 0 ? -1 : out.dims[axis] + s.dims[axis];
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_concat(tfc_kernel_ctx *k)
{
    int n = k->ninputs - 1, axis;
    const tfc_tensor *x0 = k->in[0];
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (k->in[n]->size != 1 || !tfc_normalize_axis((int64_t)tfc_tensor_get(k->in[n], 0), x0->shape.rank, &axis))
        return tfc_kernel_error(k, "axis out of range for values of shape %s", tfc_shape_str(x0->shape, a));
    tfc_shape out = x0->shape;
    out.dims[axis] = 0;
    const char *parts[64];
    size_t width[64];
    if (n > 64) return tfc_kernel_error(k, "more than 64 values");
    for (int i = 0; i < n; i++) {
        tfc_shape s = k->in[i]->shape;
        bool same = s.rank == out.rank && k->in[i]->dtype == x0->dtype;
        for (int d = 0; same && d < s.rank; d++) same = d == axis || s.dims[d] == out.dims[d];
        if (!same)
            return tfc_kernel_error(k, "input %d is %s %s, input 0 %s %s", i, tfc_dtype_name(k->in[i]->dtype),
                                    tfc_shape_str(s, a), tfc_dtype_name(x0->dtype), tfc_shape_str(x0->shape, b));
        out.dims[axis] += s.dims[axis];
    }
    tfc_tensor *z = tfc_kernel_output(k, 0, x0->dtype, out);
    if (!z) return false;
    int64_t outer, inner;
    outer_inner(out, axis, &outer, &inner);
    for (int i = 0; i < n; i++) {
        parts[i] = k->in[i]->data;
        width[i] = (size_t)(k->in[i]->shape.dims[axis] * inner) * tfc_dtype_size(x0->dtype);
    }
    join_rows(z->data, outer, parts, width, n);
    return true;
}

/* Each value's gradient is its piece of dy: ConcatOffset gives where the pieces begin. */
static void grad_concat(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int n = tfc_node_num_inputs(g, node) - 1, axis;
    int64_t ax;
    tfc_shape s0 = in_shape(g, node, 0);
    if (!const_scalar(g, node, n, &ax) || s0.rank < 0 || !tfc_normalize_axis(ax, s0.rank, &axis)) {
        tfc_node_error(g, node, "the gradient needs a constant axis and a known rank");
        return;
    }
    tfc_out sizes[64];
    if (n > 64) return;
    for (int i = 0; i < n; i++) sizes[i] = tfc_shape_tensor(g, in_out(g, node, i), TFC_INT32);
    tfc_out cd = tfc_const_int(g, axis, "Const");
    tfc_out ins[65];
    ins[0] = cd;
    memcpy(ins + 1, sizes, (size_t)n * sizeof *sizes);
    int off = tfc_node_begin(g, "ConcatOffset", NULL, ins, n + 1, n);
    tfc_set_attr_int(g, off, "N", n);
    tfc_set_attr_type(g, off, "shape_type", TFC_INT32);
    if (!tfc_out_ok(tfc_node_finish(g, off))) return;
    for (int i = 0; i < n; i++) dx[i] = tfc_slice_by(g, dy[0], node_out(off, i), sizes[i], NULL);
}

const tfc_op_def tfc_op_ConcatV2 = {"ConcatV2", infer_concat, k_concat, grad_concat, 0, .ninputs = TFC_INPUTS_LIST};

tfc_out tfc_concat(tfc_graph *g, const tfc_out *values, int n, int axis, const char *name)
{
    char full[512];
    if (!tfc_builder_array(g, "tfc_concat", name, "concat", "values", values, n)) return TFC_NO_OUT;
    if (n == 1) return tfc_identity(g, values[0], name ? name : "concat");
    tfc_op_scope_push(g, name, "concat", full);
    tfc_out ax = tfc_const_int(g, axis, "axis");
    tfc_scope_pop(g);
    tfc_out ins[65];
    if (n < 1 || n > 64) {
        int node = tfc_node_begin(g, "ConcatV2", full, &ax, 1, 1);
        if (node >= 0) tfc_node_error(g, node, "takes 1 to 64 values, not %d", n);
        return tfc_node_finish(g, node);
    }
    memcpy(ins, values, (size_t)n * sizeof *values);
    ins[n] = ax;
    int node = tfc_node_begin(g, "ConcatV2", full, ins, n + 1, 1);
    tfc_set_attr_int(g, node, "N", n);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Tidx", TFC_INT32);
    return tfc_node_finish(g, node);
}

/* ---- ConcatOffset: (concat_dim, shapes...) -> where each piece begins ---- */

static bool infer_concat_offset(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node) - 1;
    for (int i = 1; i <= n; i++) {
        if (!tfc_require_dtype(g, node, i, TFC_INTS)) return false;
        tfc_node_set_output(g, node, i - 1, in_dtype(g, node, i), in_shape(g, node, i));
    }
    return tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_INT32));
}

static bool k_concat_offset(tfc_kernel_ctx *k)
{
    int n = k->ninputs - 1, axis;
    const tfc_tensor *s0 = k->in[1];
    if (k->in[0]->size != 1 || !tfc_normalize_axis(tfc_i32(k->in[0])[0], (int)s0->size, &axis))
        return tfc_kernel_error(k, "concat_dim out of range for shapes of %lld dims", (long long)s0->size);
    int64_t at = 0;
    for (int i = 0; i < n; i++) {
        const tfc_tensor *s = k->in[i + 1];
        if (s->size != s0->size) return tfc_kernel_error(k, "shape %d has %lld dims, shape 0 %lld", i, (long long)s->size, (long long)s0->size);
        tfc_tensor *z = tfc_kernel_output(k, i, s->dtype, s->shape);
        if (!z) return false;
        for (int64_t d = 0; d < s->size; d++) {
            if (d != axis && tfc_tensor_get(s, d) != tfc_tensor_get(s0, d))
                return tfc_kernel_error(k, "shape %d differs from shape 0 outside the concat dim", i);
            tfc_set_index(z, d, d == axis ? at : 0);
        }
        at += (int64_t)tfc_tensor_get(s, axis);
    }
    return true;
}

const tfc_op_def tfc_op_ConcatOffset = {"ConcatOffset", infer_concat_offset, k_concat_offset, NULL, 0, .ninputs = TFC_INPUTS_LIST};

/* ---- Pack (tf.stack) and Unpack (tf.unstack) ---- */

static bool infer_pack(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node), axis;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (n < 1) return tfc_node_error(g, node, "needs at least one value");
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE | TFC_DTYPE_BIT(TFC_STRING)) || !tfc_require_same_dtype(g, node, 0, n - 1))
        return false;
    tfc_shape s = TFC_UNKNOWN_SHAPE;
    for (int i = 0; i < n; i++) {
        tfc_shape si = in_shape(g, node, i);
        if (si.rank < 0) continue;
        if (s.rank < 0) {
            s = si;
            continue;
        }
        bool ok = si.rank == s.rank;
        for (int d = 0; ok && d < s.rank; d++) ok = merge_dim(s.dims[d], si.dims[d], &s.dims[d]);
        if (!ok)
            return tfc_node_error(g, node, "input %d has shape %s, input 0 %s", i, tfc_shape_str(si, a),
                                  tfc_shape_str(in_shape(g, node, 0), b));
    }
    int64_t ax = tfc_attr_int(g, node, "axis", 0);
    if (s.rank < 0) {
        tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), s);
        return true;
    }
    if (s.rank >= TFC_MAX_DIMS || !tfc_normalize_axis(ax, s.rank + 1, &axis))
        return tfc_node_error(g, node, "axis %lld is out of range for values of rank %d", (long long)ax, s.rank);
    tfc_shape out = {.rank = s.rank + 1};
    for (int i = 0, j = 0; i < out.rank; i++) out.dims[i] = i == axis ? n : s.dims[j++];
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_pack(tfc_kernel_ctx *k)
{
    int n = k->ninputs, axis;
    const tfc_tensor *x0 = k->in[0];
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (n > 64) return tfc_kernel_error(k, "more than 64 values");
    if (!tfc_normalize_axis(tfc_attr_int(k->graph, k->node, "axis", 0), x0->shape.rank + 1, &axis))
        return tfc_kernel_error(k, "axis out of range");
    const char *parts[64];
    size_t width[64];
    for (int i = 0; i < n; i++) {
        if (!tfc_shape_equal(k->in[i]->shape, x0->shape) || k->in[i]->dtype != x0->dtype)
            return tfc_kernel_error(k, "input %d has shape %s, input 0 %s", i, tfc_shape_str(k->in[i]->shape, a),
                                    tfc_shape_str(x0->shape, b));
        parts[i] = k->in[i]->data;
    }
    tfc_shape out = {.rank = x0->shape.rank + 1};
    for (int i = 0, j = 0; i < out.rank; i++) out.dims[i] = i == axis ? n : x0->shape.dims[j++];
    tfc_tensor *z = tfc_kernel_output(k, 0, x0->dtype, out);
    if (!z) return false;
    int64_t outer, inner;
    outer_inner(out, axis, &outer, &inner);
    if (x0->dtype == TFC_STRING) { /* element by element (a sharded Saver's file names) */
        for (int64_t r = 0; r < outer; r++)
            for (int i = 0; i < n; i++)
                for (int64_t j = 0; j < inner; j++) {
                    size_t len;
                    const char *str = tfc_tensor_string(k->in[i], r * inner + j, &len);
                    if (!tfc_tensor_set_string(z, (r * n + i) * inner + j, str, len)) return tfc_kernel_error(k, "out of memory");
                }
        return true;
    }
    for (int i = 0; i < n; i++) width[i] = (size_t)inner * tfc_dtype_size(x0->dtype);
    join_rows(z->data, outer, parts, width, n);
    return true;
}

static void grad_pack(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int n = tfc_node_num_inputs(g, node);
    int u = tfc_node_begin(g, "Unpack", NULL, dy, 1, n);
    tfc_set_attr_int(g, u, "num", n);
    tfc_set_T(g, u);
    tfc_set_attr_int(g, u, "axis", tfc_attr_int(g, node, "axis", 0));
    if (!tfc_out_ok(tfc_node_finish(g, u))) return;
    for (int i = 0; i < n; i++) dx[i] = node_out(u, i);
}

const tfc_op_def tfc_op_Pack = {"Pack", infer_pack, k_pack, grad_pack, 0, .ninputs = TFC_INPUTS_LIST};

tfc_out tfc_stack(tfc_graph *g, const tfc_out *values, int n, int axis, const char *name)
{
    if (!tfc_builder_array(g, "tfc_stack", name, "stack", "values", values, n)) return TFC_NO_OUT;
    int node = tfc_node_begin(g, "Pack", name ? name : "stack", values, n, 1);
    tfc_set_attr_int(g, node, "N", n);
    tfc_set_T(g, node);
    tfc_set_attr_int(g, node, "axis", axis);
    return tfc_node_finish(g, node);
}

static bool infer_unpack(tfc_graph *g, int node)
{
    tfc_shape s = in_shape(g, node, 0);
    int64_t ax = tfc_attr_int(g, node, "axis", 0), num = tfc_attr_int(g, node, "num", -1);
    int axis, n = (int)num;
    char a[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE)) return false;
    if (num < 0 || num > 64) return tfc_node_error(g, node, "num must be 0 to 64, not %lld", (long long)num);
    tfc_shape out = TFC_UNKNOWN_SHAPE;
    if (s.rank >= 0) {
        if (!tfc_normalize_axis(ax, s.rank, &axis))
            return tfc_node_error(g, node, "axis %lld is out of range for a value of shape %s", (long long)ax, tfc_shape_str(s, a));
        if (s.dims[axis] >= 0 && s.dims[axis] != num)
            return tfc_node_error(g, node, "cannot unstack %lld values from dim %d of %s", (long long)num, axis,
                                  tfc_shape_str(s, a));
        out.rank = s.rank - 1;
        for (int i = 0, j = 0; i < s.rank; i++)
            if (i != axis) out.dims[j++] = s.dims[i];
    }
    for (int i = 0; i < n; i++) tfc_node_set_output(g, node, i, in_dtype(g, node, 0), out);
    return true;
}

/* Cuts x along axis into n pieces of sizes[p], each given the shape shape_of(p); outputs p. */
static bool split_kernel(tfc_kernel_ctx *k, const tfc_tensor *x, int axis, const int64_t *sizes, int n, bool drop_axis)
{
    char *parts[64];
    size_t width[64];
    int64_t outer, inner;
    if (n > 64) return tfc_kernel_error(k, "more than 64 outputs");
    outer_inner(x->shape, axis, &outer, &inner);
    for (int p = 0; p < n; p++) {
        tfc_shape s = x->shape;
        s.dims[axis] = sizes[p];
        if (drop_axis) {
            memmove(s.dims + axis, s.dims + axis + 1, (size_t)(s.rank - axis - 1) * sizeof *s.dims);
            s.rank--;
        }
        tfc_tensor *z = tfc_kernel_output(k, p, x->dtype, s);
        if (!z) return false;
        parts[p] = z->data;
        width[p] = (size_t)(sizes[p] * inner) * tfc_dtype_size(x->dtype);
    }
    split_rows(x->data, outer, parts, width, n);
    return true;
}

static bool k_unpack(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    int n = tfc_node_num_outputs(k->graph, k->node), axis;
    char a[TFC_SHAPE_STR_MAX];
    if (!tfc_normalize_axis(tfc_attr_int(k->graph, k->node, "axis", 0), x->shape.rank, &axis) || x->shape.dims[axis] != n)
        return tfc_kernel_error(k, "cannot unstack %d values from %s", n, tfc_shape_str(x->shape, a));
    int64_t ones[64];
    for (int i = 0; i < n && i < 64; i++) ones[i] = 1;
    return split_kernel(k, x, axis, ones, n, true);
}

static void grad_unpack(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int n = tfc_node_num_outputs(g, node);
    tfc_out parts[64];
    if (n > 64) return;
    for (int i = 0; i < n; i++) parts[i] = tfc_grad_or_zeros(g, node, dy, i);
    dx[0] = tfc_stack(g, parts, n, (int)tfc_attr_int(g, node, "axis", 0), NULL);
}

const tfc_op_def tfc_op_Unpack = {"Unpack", infer_unpack, k_unpack, grad_unpack, 0, .ninputs = 1};

int tfc_unstack(tfc_graph *g, tfc_out value, int num, int axis, tfc_out *outputs, const char *name)
{
    if (!tfc_builder_array(g, "tfc_unstack", name, "unstack", "outputs", outputs, num)) return 0;
    int node = tfc_node_begin(g, "Unpack", name ? name : "unstack", &value, 1, num);
    tfc_set_attr_int(g, node, "num", num);
    tfc_set_T(g, node);
    tfc_set_attr_int(g, node, "axis", axis);
    bool ok = tfc_out_ok(tfc_node_finish(g, node));
    for (int i = 0; i < num; i++) outputs[i] = ok ? node_out(node, i) : TFC_NO_OUT;
    return ok ? num : 0;
}

/* ---- Split: (split_dim, value) into num_split equal pieces; SplitV: (value, size_splits, split_dim) ---- */

/* The piece sizes: from size_splits (one -1 filled in) or equal pieces; false with the reason when
 * they cannot fit dim (unknown: -1, then so are the sizes that depend on it). */
static bool piece_sizes(const tfc_tensor *size_splits, int n, int64_t dim, int64_t *sizes, char *why, size_t len)
{
    if (!size_splits) {
        if (dim >= 0 && dim % n)
            return snprintf(why, len, "a dimension of size %lld cannot be split into %d equal pieces", (long long)dim, n), false;
        for (int p = 0; p < n; p++) sizes[p] = dim < 0 ? -1 : dim / n;
        return true;
    }
    if (size_splits->size != n)
        return snprintf(why, len, "size_splits has %lld sizes for %d outputs", (long long)size_splits->size, n), false;
    int64_t sum = 0;
    int unknown = -1;
    for (int p = 0; p < n; p++) {
        sizes[p] = (int64_t)tfc_tensor_get(size_splits, p);
        if (sizes[p] == -1 && unknown < 0)
            unknown = p;
        else if (sizes[p] < 0)
            return snprintf(why, len, "size_splits holds a negative size other than one -1"), false;
        else
            sum += sizes[p];
    }
    if (dim >= 0 && (unknown >= 0 ? sum > dim : sum != dim))
        return snprintf(why, len, "size_splits add up to %lld, the dimension has %lld", (long long)sum, (long long)dim), false;
    if (unknown >= 0) sizes[unknown] = dim < 0 ? -1 : dim - sum;
    return true;
}

static bool infer_split_common(tfc_graph *g, int node, int value, int axis_in, const tfc_tensor *size_splits)
{
    int64_t num = tfc_attr_int(g, node, "num_split", -1), ax, sizes[64];
    int n = (int)num, axis;
    tfc_shape s = in_shape(g, node, value);
    char a[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, value, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, axis_in, TFC_DTYPE_BIT(TFC_INT32)))
        return false;
    if (num < 1 || num > 64) return tfc_node_error(g, node, "num_split must be 1 to 64, not %lld", (long long)num);
    if (s.rank < 0 || !const_scalar(g, node, axis_in, &ax)) {
        for (int i = 0; i < s.rank; i++) s.dims[i] = -1;
        for (int p = 0; p < n; p++) tfc_node_set_output(g, node, p, in_dtype(g, node, value), s);
        return true;
    }
    if (!tfc_normalize_axis(ax, s.rank, &axis))
        return tfc_node_error(g, node, "split dim %lld is out of range for a value of shape %s", (long long)ax, tfc_shape_str(s, a));
    char why[160];
    if (!piece_sizes(size_splits, n, s.dims[axis], sizes, why, sizeof why)) return tfc_node_error(g, node, "%s", why);
    for (int p = 0; p < n; p++) {
        tfc_shape o = s;
        o.dims[axis] = sizes[p];
        tfc_node_set_output(g, node, p, in_dtype(g, node, value), o);
    }
    return true;
}

static bool infer_split(tfc_graph *g, int node) { return infer_split_common(g, node, 1, 0, NULL); }

static bool infer_split_v(tfc_graph *g, int node)
{
    const tfc_tensor *sizes = tfc_graph_const_value(g, in_out(g, node, 1));
    if (!tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    if (!sizes) {
        tfc_shape s = in_shape(g, node, 0);
        int64_t n = tfc_attr_int(g, node, "num_split", -1);
        if (n < 1 || n > 64) return tfc_node_error(g, node, "num_split must be 1 to 64, not %lld", (long long)n);
        for (int i = 0; i < s.rank; i++) s.dims[i] = -1;
        for (int p = 0; p < n; p++) tfc_node_set_output(g, node, p, in_dtype(g, node, 0), s);
        return tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE);
    }
    return infer_split_common(g, node, 0, 2, sizes);
}

static bool run_split(tfc_kernel_ctx *k, const tfc_tensor *x, const tfc_tensor *axis_t, const tfc_tensor *size_splits)
{
    int n = tfc_node_num_outputs(k->graph, k->node), axis;
    int64_t sizes[64];
    char a[TFC_SHAPE_STR_MAX];
    if (n > 64 || axis_t->size != 1 || !tfc_normalize_axis((int64_t)tfc_tensor_get(axis_t, 0), x->shape.rank, &axis))
        return tfc_kernel_error(k, "split dim out of range for a value of shape %s", tfc_shape_str(x->shape, a));
    char why[160];
    if (!piece_sizes(size_splits, n, x->shape.dims[axis], sizes, why, sizeof why)) return tfc_kernel_error(k, "%s", why);
    return split_kernel(k, x, axis, sizes, n, false);
}

static bool k_split(tfc_kernel_ctx *k) { return run_split(k, k->in[1], k->in[0], NULL); }
static bool k_split_v(tfc_kernel_ctx *k) { return run_split(k, k->in[0], k->in[2], k->in[1]); }

/* The pieces' gradients joined again along the split dim. */
static tfc_out join_grads(tfc_graph *g, int node, const tfc_out *dy, int axis_in)
{
    int n = tfc_node_num_outputs(g, node);
    tfc_out ins[65];
    if (n > 64) return TFC_NO_OUT;
    for (int i = 0; i < n; i++) ins[i] = tfc_grad_or_zeros(g, node, dy, i);
    ins[n] = in_out(g, node, axis_in);
    int c = tfc_node_begin(g, "ConcatV2", "concat", ins, n + 1, 1);
    tfc_set_attr_int(g, c, "N", n);
    tfc_set_T(g, c);
    tfc_set_attr_type(g, c, "Tidx", TFC_INT32);
    return tfc_node_finish(g, c);
}

static void grad_split(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[1] = join_grads(g, node, dy, 0); }
static void grad_split_v(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = join_grads(g, node, dy, 2); }

const tfc_op_def tfc_op_Split = {"Split", infer_split, k_split, grad_split, 0, .ninputs = 2};
const tfc_op_def tfc_op_SplitV = {"SplitV", infer_split_v, k_split_v, grad_split_v, 0, .ninputs = 3};

int tfc_split(tfc_graph *g, tfc_out value, int num_split, int axis, tfc_out *outputs, const char *name)
{
    char full[512];
    if (!tfc_builder_array(g, "tfc_split", name, "split", "outputs", outputs, num_split)) return 0;
    tfc_op_scope_push(g, name, "split", full);
    tfc_out d = tfc_const_int(g, axis, "split_dim");
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, "Split", full, (tfc_out[]){d, value}, 2, num_split);
    tfc_set_attr_int(g, node, "num_split", num_split);
    tfc_set_type_of(g, node, "T", 1);
    bool ok = tfc_out_ok(tfc_node_finish(g, node));
    for (int i = 0; i < num_split; i++) outputs[i] = ok ? node_out(node, i) : TFC_NO_OUT;
    return ok ? num_split : 0;
}

int tfc_split_v(tfc_graph *g, tfc_out value, const int32_t *sizes, int n, int axis, tfc_out *outputs, const char *name)
{
    if (!tfc_builder_array(g, "tfc_split_v", name, "split", "sizes", sizes, n) ||
        !tfc_builder_array(g, "tfc_split_v", name, "split", "outputs", outputs, n))
        return 0;
    tfc_out s = tfc_const_ints(g, sizes, n, "Const");
    char full[512];
    tfc_op_scope_push(g, name, "split", full);
    tfc_out d = tfc_const_int(g, axis, "split_dim");
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, "SplitV", full, (tfc_out[]){value, s, d}, 3, n);
    tfc_set_attr_int(g, node, "num_split", n);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Tlen", TFC_INT32);
    bool ok = tfc_out_ok(tfc_node_finish(g, node));
    for (int i = 0; i < n; i++) outputs[i] = ok ? node_out(node, i) : TFC_NO_OUT;
    return ok ? n : 0;
}
