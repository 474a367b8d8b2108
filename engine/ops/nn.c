/* Neural-network ops: BiasAdd (and BiasAddGrad), Softmax, LogSoftmax, SoftmaxCrossEntropyWithLogits,
 * SparseSoftmaxCrossEntropyWithLogits, InTopK and InTopKV2 (tf.nn.in_top_k), and the functions TensorFlow builds from other ops:
 * tf.nn.dropout, tf.clip_by_value, tf.nn.sigmoid_cross_entropy_with_logits, tf.nn.embedding_lookup. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---- BiasAdd ---- */

static bool infer_bias_add(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_same_dtype(g, node, 0, 1)) return false;
    tfc_shape x = in_shape(g, node, 0), b = in_shape(g, node, 1);
    char sx[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX];
    if (b.rank >= 0 && b.rank != 1) return tfc_node_error(g, node, "bias must be a vector, got %s", tfc_shape_str(b, sb));
    if (x.rank >= 0 && x.rank < 1) return tfc_node_error(g, node, "value must have rank >= 1");
    if (x.rank >= 1 && b.rank == 1 && x.dims[x.rank - 1] >= 0 && b.dims[0] >= 0 && x.dims[x.rank - 1] != b.dims[0])
        return tfc_node_error(g, node, "bias of shape %s does not match the last dimension of %s", tfc_shape_str(b, sb),
                              tfc_shape_str(x, sx));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), x);
    return true;
}

typedef struct {
    const float *x, *b;
    float *z;
    int64_t c;
} bias_job;

static void bias_rows(void *arg, int64_t r0, int64_t r1)
{
    const bias_job *j = arg;
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = j->x + r * j->c;
        float *zr = j->z + r * j->c;
        for (int64_t i = 0; i < j->c; i++) zr[i] = xr[i] + j->b[i];
    }
}

static bool k_bias_add(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0], *b = k->in[1];
    char sx[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX];
    if (x->shape.rank < 1 || b->shape.rank != 1 || x->shape.dims[x->shape.rank - 1] != b->shape.dims[0])
        return tfc_kernel_error(k, "bias %s does not match %s", tfc_shape_str(b->shape, sb), tfc_shape_str(x->shape, sx));
    tfc_tensor *z = tfc_kernel_output_over(k, 0, 0, x->dtype, x->shape);
    if (!z) return false;
    if (x->dtype != TFC_FLOAT) {
        TFC_NUMERIC_SWITCH(x->dtype, T, {
            for (int64_t i = 0; i < x->size; i++)
                ((T *)z->data)[i] = (T)((uint64_t)((const T *)x->data)[i] + (uint64_t)((const T *)b->data)[i % b->size]);
        })
        return true;
    }
    bias_job j = {x->data, b->data, z->data, b->size};
    int64_t rows = b->size ? x->size / b->size : 0;
    tfc_parallel_for(k, rows, (1 << 15) / (j.c ? j.c : 1) + 1, bias_rows, &j);
    return true;
}

static bool infer_bias_add_grad(tfc_graph *g, int node)
{
    tfc_shape x = in_shape(g, node, 0);
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS)) return false;
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), x.rank >= 1 ? TFC_SHAPE(x.dims[x.rank - 1]) : TFC_SHAPE(-1));
    return true;
}

/* Column sums of rows [r0, r1) of d (c columns) into sum. */
static void column_sums(const float *d, int64_t c, int64_t r0, int64_t r1, float *sum)
{
    memset(sum, 0, (size_t)c * sizeof *sum);
    for (int64_t r = r0; r < r1; r++)
        for (int64_t i = 0; i < c; i++) sum[i] += d[r * c + i];
}

/* Big gradients are summed in chunks of CHUNK_ROWS rows on the session's threads, then the chunks'
 * sums in order: the result does not depend on the thread count. */
#define CHUNK_ROWS 2048

typedef struct {
    const float *d;
    float *parts;
    int64_t c, rows;
} colsum_job;

static void colsum_chunks(void *arg, int64_t b, int64_t e)
{
    const colsum_job *j = arg;
    for (int64_t q = b; q < e; q++) {
        int64_t r1 = (q + 1) * CHUNK_ROWS < j->rows ? (q + 1) * CHUNK_ROWS : j->rows;
        column_sums(j->d, j->c, q * CHUNK_ROWS, r1, j->parts + q * j->c);
    }
}

static bool k_bias_add_grad(tfc_kernel_ctx *k)
{
    const tfc_tensor *dy = k->in[0];
    if (dy->shape.rank < 1) return tfc_kernel_error(k, "needs rank >= 1");
    int64_t c = dy->shape.dims[dy->shape.rank - 1], rows = c ? dy->size / c : 0;
    tfc_tensor *z = tfc_kernel_output(k, 0, dy->dtype, TFC_SHAPE(c));
    if (!z) return false;
    if (dy->dtype != TFC_FLOAT) {
        memset(z->data, 0, tfc_tensor_nbytes(z));
        TFC_NUMERIC_SWITCH(dy->dtype, T, {
            for (int64_t i = 0; i < dy->size; i++)
                ((T *)z->data)[i % c] = (T)((uint64_t)((T *)z->data)[i % c] + (uint64_t)((const T *)dy->data)[i]);
        })
        return true;
    }
    float *zp = z->data;
    int64_t chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    if (chunks < 4) {
        column_sums(dy->data, c, 0, rows, zp);
        return true;
    }
    colsum_job j = {dy->data, malloc((size_t)(chunks * c) * sizeof(float)), c, rows};
    if (!j.parts) return tfc_kernel_error(k, "out of memory");
    tfc_parallel_for(k, chunks, 1, colsum_chunks, &j);
    memset(zp, 0, (size_t)c * sizeof *zp);
    for (int64_t q = 0; q < chunks; q++)
        for (int64_t i = 0; i < c; i++) zp[i] += j.parts[q * c + i];
    free(j.parts);
    return true;
}

static void grad_bias_add(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    (void)node;
    dx[0] = dy[0];
    int n = tfc_node_begin(g, "BiasAddGrad", NULL, &dy[0], 1, 1);
    tfc_set_T(g, n);
    tfc_set_attr_string(g, n, "data_format", "NHWC");
    dx[1] = tfc_node_finish(g, n);
}

const tfc_op_def tfc_op_BiasAdd = {"BiasAdd", infer_bias_add, k_bias_add, grad_bias_add, 0, .ninputs = 2};
const tfc_op_def tfc_op_BiasAddGrad = {"BiasAddGrad", infer_bias_add_grad, k_bias_add_grad, NULL, 0, .ninputs = 1};

tfc_out tfc_bias_add(tfc_graph *g, tfc_out x, tfc_out bias, const char *name)
{
    int n = tfc_node_begin(g, "BiasAdd", name, (tfc_out[]){x, bias}, 2, 1);
    tfc_set_T(g, n);
    tfc_set_attr_string(g, n, "data_format", "NHWC");
    return tfc_node_finish(g, n);
}

/* ---- Softmax over the last axis ---- */

static void softmax_row(const float *x, float *y, int64_t c)
{
    float m = -FLT_MAX;
    for (int64_t i = 0; i < c; i++) m = x[i] > m ? x[i] : m;
    float s = 0;
    for (int64_t i = 0; i < c; i++) s += y[i] = expf(x[i] - m);
    float inv = 1.0f / s;
    for (int64_t i = 0; i < c; i++) y[i] *= inv;
}

static bool infer_softmax(tfc_graph *g, int node)
{
    if (!tfc_require_float(g, node, 0)) return false;
    tfc_shape s = in_shape(g, node, 0);
    if (s.rank == 0) return tfc_node_error(g, node, "logits must have rank >= 1");
    return tfc_infer_same_as_input(g, node);
}

static bool k_softmax(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    if (x->shape.rank < 1) return tfc_kernel_error(k, "logits must have rank >= 1");
    tfc_tensor *y = tfc_kernel_output(k, 0, TFC_FLOAT, x->shape);
    if (!y) return false;
    int64_t c = x->shape.dims[x->shape.rank - 1], rows = c ? x->size / c : 0;
    for (int64_t r = 0; r < rows; r++) softmax_row(tfc_f32(x) + r * c, tfc_f32(y) + r * c, c);
    return true;
}

/* logits - max - log(sum(exp(logits - max))) along the last axis */
static bool k_log_softmax(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    if (x->shape.rank < 1) return tfc_kernel_error(k, "logits must have rank >= 1");
    tfc_tensor *y = tfc_kernel_output(k, 0, TFC_FLOAT, x->shape);
    if (!y) return false;
    int64_t c = x->shape.dims[x->shape.rank - 1], rows = c ? x->size / c : 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = tfc_f32(x) + r * c;
        float *yr = tfc_f32(y) + r * c, m = -FLT_MAX;
        for (int64_t i = 0; i < c; i++) m = xr[i] > m ? xr[i] : m;
        double sum = 0;
        for (int64_t i = 0; i < c; i++) sum += exp((double)(xr[i] - m));
        float lse = (float)log(sum);
        for (int64_t i = 0; i < c; i++) yr[i] = (xr[i] - m) - lse;
    }
    return true;
}

/* dx = dy - sum(dy, -1, keepdims) * exp(y) */
static void grad_log_softmax(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int last = -1;
    tfc_out softmax = tfc_exp(g, node_out(node, 0), NULL);
    dx[0] = tfc_sub(g, dy[0], tfc_mul(g, tfc_reduce_sum(g, dy[0], &last, 1, true, NULL), softmax, NULL), NULL);
}

/* dx = (dy - sum(dy * y, -1, keepdims)) * y */
static void grad_softmax(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out y = node_out(node, 0);
    int last = -1;
    tfc_out s = tfc_reduce_sum(g, tfc_mul(g, dy[0], y, NULL), &last, 1, true, NULL);
    dx[0] = tfc_mul(g, tfc_sub(g, dy[0], s, NULL), y, NULL);
}

const tfc_op_def tfc_op_Softmax = {"Softmax", infer_softmax, k_softmax, grad_softmax, 0, .ninputs = 1};

const tfc_op_def tfc_op_LogSoftmax = {"LogSoftmax", infer_softmax, k_log_softmax, grad_log_softmax, 0, .ninputs = 1};

tfc_out tfc_softmax(tfc_graph *g, tfc_out logits, const char *name) { return tfc_unary(g, "Softmax", logits, name); }
tfc_out tfc_log_softmax(tfc_graph *g, tfc_out logits, const char *name) { return tfc_unary(g, "LogSoftmax", logits, name); }

/* ---- SoftmaxCrossEntropyWithLogits: (features [n,c], labels [n,c]) -> loss [n], backprop [n,c] ---- */

static bool infer_xent(tfc_graph *g, int node)
{
    if (!tfc_require_float(g, node, 0) || !tfc_require_float(g, node, 1)) return false;
    tfc_shape f = in_shape(g, node, 0), l = in_shape(g, node, 1), m;
    char sf[TFC_SHAPE_STR_MAX], sl[TFC_SHAPE_STR_MAX], nf[256], nl[256];
    tfc_out_name(g, in_out(g, node, 0), nf, sizeof nf);
    tfc_out_name(g, in_out(g, node, 1), nl, sizeof nl);
    if ((f.rank >= 0 && f.rank != 2) || (l.rank >= 0 && l.rank != 2) || !tfc_broadcast_shapes(f, l, &m) ||
        (f.rank == 2 && l.rank == 2 && f.dims[1] >= 0 && l.dims[1] >= 0 && f.dims[1] != l.dims[1]))
        return tfc_node_error(g, node, "logits '%s' %s and labels '%s' %s must be matrices of the same shape", nf,
                              tfc_shape_str(f, sf), nl, tfc_shape_str(l, sl));
    tfc_node_set_output(g, node, 0, TFC_FLOAT, TFC_SHAPE(m.rank == 2 ? m.dims[0] : -1));
    tfc_node_set_output(g, node, 1, TFC_FLOAT, m);
    return true;
}

static bool k_xent(tfc_kernel_ctx *k)
{
    const tfc_tensor *f = k->in[0], *l = k->in[1];
    char sf[TFC_SHAPE_STR_MAX], sl[TFC_SHAPE_STR_MAX];
    if (f->shape.rank != 2 || !tfc_shape_equal(f->shape, l->shape))
        return tfc_kernel_error(k, "logits %s and labels %s must be matrices of the same shape",
                                tfc_shape_str(f->shape, sf), tfc_shape_str(l->shape, sl));
    int64_t n = f->shape.dims[0], c = f->shape.dims[1];
    tfc_tensor *loss = tfc_kernel_output(k, 0, TFC_FLOAT, TFC_SHAPE(n));
    tfc_tensor *bp = tfc_kernel_output(k, 1, TFC_FLOAT, f->shape);
    if (!loss || !bp) return false;
    for (int64_t r = 0; r < n; r++) {
        const float *x = tfc_f32(f) + r * c, *y = tfc_f32(l) + r * c;
        float *p = tfc_f32(bp) + r * c;
        float m = -FLT_MAX;
        for (int64_t i = 0; i < c; i++) m = x[i] > m ? x[i] : m;
        double s = 0;
        for (int64_t i = 0; i < c; i++) s += exp((double)(x[i] - m));
        double lse = log(s) + m, acc = 0;
        for (int64_t i = 0; i < c; i++) {
            double logp = x[i] - lse;
            acc -= y[i] * logp;
            p[i] = (float)(exp(logp) - y[i]);
        }
        tfc_f32(loss)[r] = (float)acc;
    }
    return true;
}

/* dloss[:, None] * t, TensorFlow's _BroadcastMul. */
static tfc_out broadcast_mul(tfc_graph *g, tfc_out dloss, tfc_out t)
{
    return tfc_mul(g, tfc_expand_dims(g, dloss, -1, NULL), t, NULL);
}

/* d(features) = dloss[:, None] * backprop; d(labels) = dloss[:, None] * -log_softmax(features) */
static void grad_xent(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    if (!tfc_out_ok(dy[0])) return;
    dx[0] = broadcast_mul(g, dy[0], node_out(node, 1));
    dx[1] = broadcast_mul(g, dy[0], tfc_neg(g, tfc_log_softmax(g, in_out(g, node, 0), NULL), NULL));
}

const tfc_op_def tfc_op_SoftmaxCrossEntropyWithLogits = {"SoftmaxCrossEntropyWithLogits", infer_xent, k_xent, grad_xent, 0, .ninputs = 2};

tfc_out tfc_softmax_cross_entropy_with_logits(tfc_graph *g, tfc_out labels, tfc_out logits, const char *name)
{
    int n = tfc_node_begin(g, "SoftmaxCrossEntropyWithLogits", name ? name : "softmax_cross_entropy_with_logits",
                           (tfc_out[]){logits, labels}, 2, 2);
    tfc_set_T(g, n);
    return tfc_node_finish(g, n);
}

/* ---- SparseSoftmaxCrossEntropyWithLogits: (features [n,c], labels [n] int) -> loss [n], backprop [n,c] ---- */

static bool infer_sparse_xent(tfc_graph *g, int node)
{
    if (!tfc_require_float(g, node, 0) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    tfc_shape f = in_shape(g, node, 0), l = in_shape(g, node, 1);
    char sf[TFC_SHAPE_STR_MAX], sl[TFC_SHAPE_STR_MAX];
    if ((f.rank >= 0 && f.rank != 2) || (l.rank >= 0 && l.rank != 1) ||
        (f.rank == 2 && l.rank == 1 && f.dims[0] >= 0 && l.dims[0] >= 0 && f.dims[0] != l.dims[0]))
        return tfc_node_error(g, node, "logits %s must be a matrix and labels %s a vector of one label per row",
                              tfc_shape_str(f, sf), tfc_shape_str(l, sl));
    int64_t n = f.rank == 2 && f.dims[0] >= 0 ? f.dims[0] : l.rank == 1 ? l.dims[0] : -1;
    tfc_node_set_output(g, node, 0, TFC_FLOAT, TFC_SHAPE(n));
    tfc_node_set_output(g, node, 1, TFC_FLOAT, TFC_SHAPE(n, f.rank == 2 ? f.dims[1] : -1));
    return true;
}

static bool k_sparse_xent(tfc_kernel_ctx *k)
{
    const tfc_tensor *f = k->in[0], *l = k->in[1];
    char sf[TFC_SHAPE_STR_MAX], sl[TFC_SHAPE_STR_MAX];
    if (f->shape.rank != 2 || l->shape.rank != 1 || l->shape.dims[0] != f->shape.dims[0])
        return tfc_kernel_error(k, "logits %s must be a matrix and labels %s a vector of one label per row",
                                tfc_shape_str(f->shape, sf), tfc_shape_str(l->shape, sl));
    int64_t n = f->shape.dims[0], c = f->shape.dims[1];
    for (int64_t r = 0; r < n; r++) {
        int64_t label = (int64_t)tfc_tensor_get(l, r);
        if (label < 0 || label >= c)
            return tfc_kernel_error(k, "label %lld of row %lld is outside the valid range [0, %lld)", (long long)label,
                                    (long long)r, (long long)c);
    }
    tfc_tensor *loss = tfc_kernel_output(k, 0, TFC_FLOAT, TFC_SHAPE(n));
    tfc_tensor *bp = tfc_kernel_output(k, 1, TFC_FLOAT, f->shape);
    if (!loss || !bp) return false;
    for (int64_t r = 0; r < n; r++) {
        const float *x = tfc_f32(f) + r * c;
        float *p = tfc_f32(bp) + r * c, m = -FLT_MAX;
        int64_t label = (int64_t)tfc_tensor_get(l, r);
        for (int64_t i = 0; i < c; i++) m = x[i] > m ? x[i] : m;
        double s = 0;
        for (int64_t i = 0; i < c; i++) s += exp((double)(x[i] - m));
        double lse = log(s) + m;
        for (int64_t i = 0; i < c; i++) p[i] = (float)(exp(x[i] - lse) - (i == label));
        tfc_f32(loss)[r] = (float)(lse - x[label]);
    }
    return true;
}

/* d(features) = dloss[:, None] * backprop; the labels have none. */
static void grad_sparse_xent(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    if (tfc_out_ok(dy[0])) dx[0] = broadcast_mul(g, dy[0], node_out(node, 1));
}

const tfc_op_def tfc_op_SparseSoftmaxCrossEntropyWithLogits = {"SparseSoftmaxCrossEntropyWithLogits", infer_sparse_xent,
                                                               k_sparse_xent, grad_sparse_xent, 0, .ninputs = 2};

/* tf.nn.sparse_softmax_cross_entropy_with_logits for matrix logits, as TensorFlow's Python builds it:
 * under scope NAME, a Shape of the labels and the op. */
tfc_out tfc_sparse_softmax_cross_entropy_with_logits(tfc_graph *g, tfc_out labels, tfc_out logits, const char *name)
{
    tfc_scope_push(g, name ? name : "SparseSoftmaxCrossEntropyWithLogits");
    tfc_shape_tensor(g, labels, TFC_INT32);
    int n = tfc_node_begin(g, "SparseSoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits",
                           (tfc_out[]){logits, labels}, 2, 2);
    tfc_set_T(g, n);
    tfc_set_type_of(g, n, "Tlabels", 1);
    tfc_out loss = tfc_node_finish(g, n);
    tfc_scope_pop(g);
    return loss;
}

/* ---- composites ---- */

/* max(x, 0) - x * z + log(1 + exp(-|x|)), with TensorFlow's ops and names (scope "logistic_loss"):
 * the max and the abs as Selects on x >= 0, so both have gradients at 0. */
tfc_out tfc_sigmoid_cross_entropy_with_logits(tfc_graph *g, tfc_out labels, tfc_out logits, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "logistic_loss", full);
    tfc_out zeros = tfc_zeros_like(g, logits, NULL);
    tfc_out cond = tfc_greater_equal(g, logits, zeros, NULL);
    tfc_out relu_logits = tfc_where(g, cond, logits, zeros, NULL);
    tfc_out neg_abs = tfc_where(g, cond, tfc_neg(g, logits, NULL), logits, NULL);
    tfc_out a = tfc_sub(g, relu_logits, tfc_mul(g, logits, labels, NULL), NULL);
    tfc_out b = tfc_log1p(g, tfc_exp(g, neg_abs, NULL), NULL);
    tfc_scope_pop(g);
    return tfc_add(g, a, b, full);
}

/* A single params tensor: GatherV2 of the rows of params under scope NAME (default
 * "embedding_lookup"), then an Identity, as TensorFlow's Python builds it. */
tfc_out tfc_embedding_lookup(tfc_graph *g, tfc_out params, tfc_out ids, const char *name)
{
    char full[512], loc[600];
    const char *group = loc;
    tfc_op_scope_push(g, name, "embedding_lookup", full);
    /* colocated with params, as TensorFlow marks them: with params' own group (a variable's read is
     * in its variable's) or else params' node */
    const tfc_attr *cls = tfc_out_ok(params) ? tfc_node_find_attr(g, params.node, "_class") : NULL;
    if (cls && cls->kind == TFC_ATTR_STRING_LIST && cls->strs.n == 1)
        group = cls->strs.v[0];
    else
        snprintf(loc, sizeof loc, "loc:@%s", tfc_out_ok(params) ? tfc_node_name(g, params.node) : "");
    tfc_out ax = tfc_const_int(g, 0, "axis");
    if (tfc_out_ok(ax)) tfc_set_attr_strings(g, ax.node, "_class", &group, 1);
    int n = tfc_node_begin(g, "GatherV2", full, (tfc_out[]){params, ids, ax}, 3, 1);
    tfc_set_attr_strings(g, n, "_class", &group, 1);
    tfc_set_attr_int(g, n, "batch_dims", 0);
    tfc_set_type_of(g, n, "Tparams", 0);
    tfc_set_type_of(g, n, "Tindices", 1);
    tfc_set_attr_type(g, n, "Taxis", TFC_INT32);
    tfc_out rows = tfc_node_finish(g, n);
    tfc_out out = tfc_identity(g, rows, "Identity");
    tfc_scope_pop(g);
    return out;
}

tfc_out tfc_dropout(tfc_graph *g, tfc_out x, tfc_out keep_prob, int64_t seed, const char *name)
{
    tfc_scope_push(g, name ? name : "dropout");
    tfc_out shape = tfc_shape_of(g, x, "Shape");
    tfc_out u = tfc_random_uniform(g, shape, seed, "random_uniform");
    tfc_out r = tfc_add(g, keep_prob, u, "add");
    tfc_out binary = tfc_floor(g, r, "Floor");
    tfc_out scaled = tfc_div(g, x, keep_prob, "div");
    tfc_out out = tfc_mul(g, scaled, binary, "mul");
    tfc_scope_pop(g);
    return out;
}

tfc_out tfc_clip_by_value(tfc_graph *g, tfc_out x, float lo, float hi, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "clip_by_value", full);
    tfc_out m = tfc_minimum(g, x, tfc_const_scalar(g, hi, "clip_value_max"), "Minimum");
    tfc_out lo_c = tfc_const_scalar(g, lo, "clip_value_min");
    tfc_scope_pop(g);
    return tfc_binary(g, "Maximum", m, lo_c, full);
}

/* ---- InTopK (k an attr), InTopKV2 (k an input) ---- */

/* Predictions float32 [batch, classes], targets int32 or int64 [batch], k (V2: an int scalar input). */
static bool infer_in_top_k(tfc_graph *g, int node)
{
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_require_float(g, node, 0) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    if (tfc_node_num_inputs(g, node) == 3 && !tfc_require_dtype(g, node, 2, TFC_INTS)) return false;
    tfc_shape p = in_shape(g, node, 0), t = in_shape(g, node, 1);
    if ((p.rank >= 0 && p.rank != 2) || (t.rank >= 0 && t.rank != 1) ||
        (p.rank == 2 && t.rank == 1 && p.dims[0] >= 0 && t.dims[0] >= 0 && p.dims[0] != t.dims[0]))
        return tfc_node_error(g, node, "predictions %s and targets %s: they must be [batch, classes] and [batch]",
                              tfc_shape_str(p, a), tfc_shape_str(t, b));
    tfc_node_set_output(g, node, 0, TFC_BOOL, TFC_SHAPE(p.rank == 2 ? p.dims[0] : t.rank == 1 ? t.dims[0] : -1));
    return true;
}

/* Whether each target's prediction is among the k largest of its row: fewer than k predictions are
 * larger (ties count in its favour); false for a target out of range or a row holding a non-finite
 * prediction, as TensorFlow's kernel. */
static bool in_top_k(tfc_kernel_ctx *k, int64_t top)
{
    const tfc_tensor *p = k->in[0], *t = k->in[1];
    if (p->shape.rank != 2 || t->shape.rank != 1 || t->shape.dims[0] != p->shape.dims[0])
        return tfc_kernel_error(k, "predictions must be [batch, classes] and targets [batch]");
    int64_t rows = p->shape.dims[0], classes = p->shape.dims[1];
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_BOOL, TFC_SHAPE(rows));
    if (!z) return false;
    for (int64_t r = 0; r < rows; r++) {
        const float *row = tfc_f32(p) + r * classes;
        int64_t target = t->dtype == TFC_INT64 ? tfc_i64(t)[r] : tfc_i32(t)[r], larger = 0;
        bool cannot_say = target < 0 || target >= classes || !isfinite(row[target]);
        for (int64_t c = 0; !cannot_say && c < classes; c++) {
            if (!isfinite(row[c])) cannot_say = true;
            else larger += row[c] > row[target];
        }
        tfc_u8(z)[r] = !cannot_say && larger < top;
    }
    return true;
}

static bool k_in_top_k(tfc_kernel_ctx *k) { return in_top_k(k, tfc_attr_int(k->graph, k->node, "k", 1)); }

static bool k_in_top_k_v2(tfc_kernel_ctx *k)
{
    const tfc_tensor *top = k->in[2];
    if (top->size != 1) return tfc_kernel_error(k, "k (input 2) must be a scalar");
    return in_top_k(k, top->dtype == TFC_INT64 ? tfc_i64(top)[0] : tfc_i32(top)[0]);
}

const tfc_op_def tfc_op_InTopK = {"InTopK", infer_in_top_k, k_in_top_k, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_InTopKV2 = {"InTopKV2", infer_in_top_k, k_in_top_k_v2, NULL, 0, .ninputs = 3};
