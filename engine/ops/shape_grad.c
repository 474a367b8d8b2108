/* The shape arithmetic TensorFlow's gradients write into graphs, which tfc's own gradients do with
 * static shapes instead: BroadcastGradientArgs (which axes a broadcast input's gradient is summed
 * over) and DynamicStitch (interleaving tensors by index: the kept-dims shape of a reduction). */
#include <string.h>

#include "common.h"

static bool is_index_type(tfc_dtype dt) { return dt == TFC_INT32 || dt == TFC_INT64; }

/* ---- BroadcastGradientArgs ---- */

static bool infer_bga(tfc_graph *g, int node)
{
    for (int i = 0; i < 2; i++) {
        if (!is_index_type(in_dtype(g, node, i)) || in_dtype(g, node, i) != in_dtype(g, node, 0))
            return tfc_node_error(g, node, "shapes must be int32 or int64 vectors of one dtype");
        if (in_shape(g, node, i).rank > 1) return tfc_node_error(g, node, "input %d must be a shape (a vector)", i);
        tfc_node_set_output(g, node, i, in_dtype(g, node, 0), TFC_SHAPE(-1));
    }
    return true;
}

static bool k_bga(tfc_kernel_ctx *k)
{
    const tfc_tensor *s0 = k->in[0], *s1 = k->in[1];
    if (s0->size > TFC_MAX_DIMS || s1->size > TFC_MAX_DIMS) return tfc_kernel_error(k, "shapes of more than 8 dims");
    int r = (int)(s0->size > s1->size ? s0->size : s1->size);
    int64_t r0[TFC_MAX_DIMS], r1[TFC_MAX_DIMS];
    int n0 = 0, n1 = 0;
    bool same = s0->size == s1->size;
    for (int64_t i = 0; same && i < s0->size; i++) same = tfc_tensor_get(s0, i) == tfc_tensor_get(s1, i);
    /* equal shapes need no sums; otherwise, aligned at the right: a dim of 1 against another is
     * summed over, and a dim of 1 in both is summed over in both */
    for (int i = 0; !same && i < r; i++) {
        int64_t i0 = i - (r - s0->size), i1 = i - (r - s1->size);
        int64_t x = i0 >= 0 ? (int64_t)tfc_tensor_get(s0, i0) : 1, y = i1 >= 0 ? (int64_t)tfc_tensor_get(s1, i1) : 1;
        if (x == y && x != 1) continue;
        if (x == 1) r0[n0++] = i;
        if (y == 1) r1[n1++] = i;
        if (x != 1 && y != 1) return tfc_kernel_error(k, "shapes that do not broadcast (dim %d: %lld and %lld)", i, (long long)x, (long long)y);
    }
    const int64_t *idx[2] = {r0, r1};
    int n[2] = {n0, n1};
    for (int o = 0; o < 2; o++) {
        tfc_tensor *t = tfc_kernel_output(k, o, s0->dtype, TFC_SHAPE(n[o]));
        if (!t) return false;
        for (int i = 0; i < n[o]; i++) {
            if (s0->dtype == TFC_INT32) tfc_i32(t)[i] = (int32_t)idx[o][i];
            else tfc_i64(t)[i] = idx[o][i];
        }
    }
    return true;
}

const tfc_op_def tfc_op_BroadcastGradientArgs = {"BroadcastGradientArgs", infer_bga, k_bga, NULL, 0, .ninputs = 2};

/* ---- DynamicStitch ---- */

/* Inputs: N int32 index tensors, then N data tensors, data[m] of shape indices[m].shape + the rest. */
static bool infer_stitch(tfc_graph *g, int node)
{
    int nin = tfc_node_num_inputs(g, node), n = nin / 2;
    if (nin < 2 || nin % 2) return tfc_node_error(g, node, "needs N index tensors and N data tensors, got %d inputs", nin);
    if (tfc_attr_int(g, node, "N", n) != n) return tfc_node_error(g, node, "attr N is not the number of index tensors (%d)", n);
    tfc_dtype dt = in_dtype(g, node, n);
    tfc_shape rest = TFC_UNKNOWN_SHAPE;
    for (int m = 0; m < n; m++) {
        tfc_shape is = in_shape(g, node, m), ds = in_shape(g, node, n + m);
        if (in_dtype(g, node, m) != TFC_INT32) return tfc_node_error(g, node, "index input %d must be int32", m);
        if (in_dtype(g, node, n + m) != dt) return tfc_node_error(g, node, "data inputs of several dtypes");
        if (is.rank < 0 || ds.rank < 0) continue;
        if (ds.rank < is.rank) return tfc_node_error(g, node, "data %d has fewer dims than its indices", m);
        tfc_shape r = {.rank = ds.rank - is.rank};
        for (int d = 0; d < r.rank; d++) r.dims[d] = ds.dims[is.rank + d];
        if (rest.rank >= 0 && !tfc_shape_compatible(rest, r)) return tfc_node_error(g, node, "data of incompatible shapes");
        if (rest.rank < 0) rest = r;
    }
    tfc_shape out = {.rank = rest.rank < 0 ? -1 : rest.rank + 1, .dims = {-1}};
    if (out.rank > TFC_MAX_DIMS) return tfc_node_error(g, node, "more than 8 dims");
    for (int d = 0; d < rest.rank; d++) out.dims[d + 1] = rest.dims[d];
    tfc_node_set_output(g, node, 0, dt, out);
    return true;
}

static bool k_stitch(tfc_kernel_ctx *k)
{
    int n = k->ninputs / 2;
    int64_t rows = 0, first_rank = k->in[0]->shape.rank;
    const tfc_tensor *d0 = k->in[n];
    /* every index tensor's elements pick a slice of its data of this many elements */
    int64_t slice = 1;
    for (int d = (int)first_rank; d < d0->shape.rank; d++) slice *= d0->shape.dims[d];
    for (int m = 0; m < n; m++) {
        const tfc_tensor *ix = k->in[m], *data = k->in[n + m];
        if (data->shape.rank < ix->shape.rank || data->size != ix->size * slice || data->dtype != d0->dtype)
            return tfc_kernel_error(k, "data %d does not match its indices' shape", m);
        for (int d = 0; d < ix->shape.rank; d++)
            if (data->shape.dims[d] != ix->shape.dims[d]) return tfc_kernel_error(k, "data %d does not match its indices' shape", m);
        for (int64_t i = 0; i < ix->size; i++) {
            int32_t v = tfc_i32(ix)[i];
            if (v < 0 || v > (1 << 28)) return tfc_kernel_error(k, "index %d out of range", v);
            if (v + 1 > rows) rows = v + 1;
        }
    }
    tfc_shape os = {.rank = d0->shape.rank - (int)first_rank + 1};
    if (os.rank > TFC_MAX_DIMS) return tfc_kernel_error(k, "a result of more than 8 dims");
    os.dims[0] = rows;
    for (int d = 1; d < os.rank; d++) os.dims[d] = d0->shape.dims[first_rank + d - 1];
    tfc_tensor *out = tfc_kernel_output(k, 0, d0->dtype, os);
    if (!out) return false;
    size_t es = tfc_dtype_size(d0->dtype), row = (size_t)slice * es;
    if (d0->dtype == TFC_STRING) return tfc_kernel_error(k, "string data is not supported");
    memset(out->data, 0, tfc_tensor_nbytes(out));
    for (int m = 0; m < n; m++)
        for (int64_t i = 0; i < k->in[m]->size; i++)
            memcpy((char *)out->data + (size_t)tfc_i32(k->in[m])[i] * row, (const char *)k->in[n + m]->data + (size_t)i * row, row);
    return true;
}

/* Each data tensor's gradient is gathered from dy at its indices (TensorFlow's; exact without
 * repeated indices). */
static void grad_stitch(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int n = tfc_node_num_inputs(g, node) / 2;
    for (int m = 0; m < n; m++) dx[n + m] = tfc_gather(g, dy[0], in_out(g, node, m), 0, NULL);
}

const tfc_op_def tfc_op_DynamicStitch = {"DynamicStitch", infer_stitch, k_stitch, grad_stitch, 0, .ninputs = TFC_INPUTS_LIST};
