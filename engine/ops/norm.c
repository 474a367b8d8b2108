/* Normalisation over channels, NHWC float32, with TensorFlow's CPU formulas: FusedBatchNormV3
 * (training: batch statistics, the running ones updated; inference: the given mean and variance) with
 * FusedBatchNormGradV3, and LRN (local response normalisation across channels) with LRNGrad. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---- FusedBatchNormV3: (x, scale, offset, mean, variance) -> y, batch_mean, batch_variance,
 * reserve_space_1 (the mean used), reserve_space_2 (the variance used), reserve_space_3 (empty) ---- */

/* Channels and the vectors' static check: scale and offset of c entries; mean and variance too
 * (they may be empty in training with exponential_avg_factor 1, where they are not read). */
static bool infer_batch_norm(tfc_graph *g, int node)
{
    tfc_shape x = in_shape(g, node, 0);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    for (int i = 0; i < 5; i++)
        if (!tfc_require_float(g, node, i)) return false;
    if (strcmp(tfc_attr_string(g, node, "data_format", "NHWC"), "NHWC"))
        return tfc_node_error(g, node, "data_format %s is not supported (NHWC only)", tfc_attr_string(g, node, "data_format", ""));
    if (x.rank >= 0 && x.rank != 4) return tfc_node_error(g, node, "x must be NHWC (rank 4), got %s", tfc_shape_str(x, a));
    int64_t c = x.rank == 4 ? x.dims[3] : -1;
    bool training = tfc_attr_bool(g, node, "is_training", true);
    bool reads_stats = !training || tfc_attr_float(g, node, "exponential_avg_factor", 1.0f) != 1.0f;
    for (int i = 1; i < 5; i++) {
        tfc_shape v = in_shape(g, node, i);
        bool empty_ok = i >= 3 && !reads_stats && v.rank == 1 && v.dims[0] == 0;
        if (v.rank >= 0 && !empty_ok && (v.rank != 1 || (c >= 0 && v.dims[0] >= 0 && v.dims[0] != c)))
            return tfc_node_error(g, node, "input %d has shape %s; x %s needs a vector of its %lld channels", i,
                                  tfc_shape_str(v, b), tfc_shape_str(x, a), (long long)c);
    }
    tfc_node_set_output(g, node, 0, TFC_FLOAT, x);
    for (int i = 1; i < 5; i++) tfc_node_set_output(g, node, i, TFC_FLOAT, TFC_SHAPE(c));
    tfc_node_set_output(g, node, 5, TFC_FLOAT, TFC_SHAPE(0));
    return true;
}

static bool k_batch_norm(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0], *scale = k->in[1], *offset = k->in[2], *mean = k->in[3], *var = k->in[4];
    bool training = tfc_attr_bool(k->graph, k->node, "is_training", true);
    float eps = tfc_attr_float(k->graph, k->node, "epsilon", 1e-4f), factor = tfc_attr_float(k->graph, k->node, "exponential_avg_factor", 1.0f);
    char a[TFC_SHAPE_STR_MAX];
    if (x->shape.rank != 4) return tfc_kernel_error(k, "x must be NHWC (rank 4), got %s", tfc_shape_str(x->shape, a));
    int64_t c = x->shape.dims[3], rows = c ? x->size / c : 0;
    bool reads_stats = !training || factor != 1.0f;
    if (scale->size != c || offset->size != c || (reads_stats && (mean->size != c || var->size != c)))
        return tfc_kernel_error(k, "scale, offset, mean and variance must hold one value per channel (%lld) of x %s",
                                (long long)c, tfc_shape_str(x->shape, a));
    tfc_tensor *y = tfc_kernel_output(k, 0, TFC_FLOAT, x->shape), *out[5];
    for (int i = 1; i < 6; i++) out[i - 1] = tfc_kernel_output(k, i, TFC_FLOAT, TFC_SHAPE(i == 5 ? 0 : c));
    if (!y || !out[0] || !out[1] || !out[2] || !out[3] || !out[4]) return false;
    float *bm = tfc_f32(out[0]), *bv = tfc_f32(out[1]), *m = tfc_f32(out[2]), *v = tfc_f32(out[3]);
    const float *xp = x->data;
    if (training) {
        /* The sums run over every pixel of the batch (tens of thousands of values): in double, as
         * a float running sum would drift by about 1e-4 of them and carry that into every output. */
        float adjust = (float)rows / (float)(rows > 1 ? rows - 1 : 1);
        double *sum = calloc((size_t)(c ? 2 * c : 1), sizeof *sum), *sq = sum + c;
        if (!sum) return tfc_kernel_error(k, "out of memory");
        for (int64_t r = 0; r < rows; r++)
            for (int64_t j = 0; j < c; j++) sum[j] += xp[r * c + j];
        for (int64_t j = 0; j < c; j++) m[j] = (float)(sum[j] / (double)rows);
        for (int64_t r = 0; r < rows; r++)
            for (int64_t j = 0; j < c; j++) {
                double d = (double)xp[r * c + j] - m[j];
                sq[j] += d * d;
            }
        for (int64_t j = 0; j < c; j++) v[j] = (float)(sq[j] / (double)rows);
        free(sum);
        for (int64_t j = 0; j < c; j++) {
            bm[j] = factor == 1.0f ? m[j] : (1 - factor) * tfc_f32(mean)[j] + factor * m[j];
            bv[j] = factor == 1.0f ? v[j] * adjust : (1 - factor) * tfc_f32(var)[j] + factor * adjust * v[j];
        }
    } else {
        memcpy(m, mean->data, (size_t)c * sizeof *m);
        memcpy(v, var->data, (size_t)c * sizeof *v);
        memcpy(bm, m, (size_t)c * sizeof *m);
        memcpy(bv, v, (size_t)c * sizeof *v);
    }
    float *yp = y->data;
    for (int64_t j = 0; j < c; j++) {
        float f = 1.0f / sqrtf(v[j] + eps) * tfc_f32(scale)[j], o = tfc_f32(offset)[j];
        for (int64_t r = 0; r < rows; r++) yp[r * c + j] = (xp[r * c + j] - m[j]) * f + o;
    }
    return true;
}

/* From dy alone (the statistics outputs pass no gradient back, as in TensorFlow): training uses the
 * batch statistics kept in reserve_space_1/2, inference the given mean and variance. */
static void grad_batch_norm(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    if (!tfc_out_ok(dy[0])) return;
    bool training = tfc_attr_bool(g, node, "is_training", true);
    tfc_out ins[6] = {dy[0], in_out(g, node, 0), in_out(g, node, 1),
                      training ? node_out(node, 3) : in_out(g, node, 3), training ? node_out(node, 4) : in_out(g, node, 4),
                      node_out(node, 5)};
    int n = tfc_node_begin(g, "FusedBatchNormGradV3", NULL, ins, 6, 5);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_set_attr_type(g, n, "U", TFC_FLOAT);
    tfc_set_attr_float(g, n, "epsilon", tfc_attr_float(g, node, "epsilon", 1e-4f));
    tfc_set_attr_string(g, n, "data_format", "NHWC");
    tfc_set_attr_bool(g, n, "is_training", training);
    if (!tfc_out_ok(tfc_node_finish(g, n))) return;
    for (int i = 0; i < 3; i++) dx[i] = node_out(n, i);
}

const tfc_op_def tfc_op_FusedBatchNormV3 = {"FusedBatchNormV3", infer_batch_norm, k_batch_norm, grad_batch_norm, 0, .ninputs = 5};

static tfc_out empty_vector(tfc_graph *g)
{
    tfc_tensor *t = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(0));
    tfc_out c = tfc_const(g, t, "Const");
    tfc_tensor_free(t);
    return c;
}

tfc_out tfc_fused_batch_norm(tfc_graph *g, tfc_out x, tfc_out scale, tfc_out offset, tfc_out mean, tfc_out variance,
                             float epsilon, float exponential_avg_factor, bool is_training, tfc_out *running_mean,
                             tfc_out *running_variance, const char *name)
{
    if (!tfc_out_ok(mean)) mean = empty_vector(g);
    if (!tfc_out_ok(variance)) variance = empty_vector(g);
    int n = tfc_node_begin(g, "FusedBatchNormV3", name, (tfc_out[]){x, scale, offset, mean, variance}, 5, 6);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_set_attr_type(g, n, "U", TFC_FLOAT);
    tfc_set_attr_float(g, n, "epsilon", epsilon > 1.001e-5f ? epsilon : 1.001e-5f); /* TensorFlow's minimum */
    tfc_set_attr_float(g, n, "exponential_avg_factor", exponential_avg_factor);
    tfc_set_attr_string(g, n, "data_format", "NHWC");
    tfc_set_attr_bool(g, n, "is_training", is_training);
    tfc_out y = tfc_node_finish(g, n);
    if (running_mean) *running_mean = tfc_out_ok(y) ? node_out(n, 1) : TFC_NO_OUT;
    if (running_variance) *running_variance = tfc_out_ok(y) ? node_out(n, 2) : TFC_NO_OUT;
    return y;
}

/* ---- FusedBatchNormGradV3: (dy, x, scale, reserve_space_1, reserve_space_2, reserve_space_3) ->
 * dx, dscale, doffset, reserve_space_4, reserve_space_5 (scalar zeros) ---- */

static bool infer_batch_norm_grad(tfc_graph *g, int node)
{
    tfc_shape x = in_shape(g, node, 1), dy = in_shape(g, node, 0), m;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    for (int i = 0; i < 6; i++)
        if (!tfc_require_float(g, node, i)) return false;
    if (x.rank >= 0 && x.rank != 4) return tfc_node_error(g, node, "x must be NHWC (rank 4), got %s", tfc_shape_str(x, a));
    if (!tfc_broadcast_shapes(x, dy, &m) || (x.rank >= 0 && dy.rank >= 0 && dy.rank != x.rank))
        return tfc_node_error(g, node, "y_backprop %s does not match x %s", tfc_shape_str(dy, b), tfc_shape_str(x, a));
    int64_t c = x.rank == 4 ? x.dims[3] : -1;
    tfc_node_set_output(g, node, 0, TFC_FLOAT, x.rank >= 0 ? x : dy);
    tfc_node_set_output(g, node, 1, TFC_FLOAT, TFC_SHAPE(c));
    tfc_node_set_output(g, node, 2, TFC_FLOAT, TFC_SHAPE(c));
    /* reserve_space_4 and 5, which nothing reads: [0] as TensorFlow's shape function says (and its
     * _output_shapes in a GraphDef); the kernel leaves scalars, as TensorFlow's oneDNN kernel does */
    tfc_node_set_output(g, node, 3, TFC_FLOAT, TFC_SHAPE(0));
    tfc_node_set_output(g, node, 4, TFC_FLOAT, TFC_SHAPE(0));
    return true;
}

static bool k_batch_norm_grad(tfc_kernel_ctx *k)
{
    const tfc_tensor *dy = k->in[0], *x = k->in[1], *scale = k->in[2], *mean = k->in[3], *var = k->in[4];
    bool training = tfc_attr_bool(k->graph, k->node, "is_training", true);
    float eps = tfc_attr_float(k->graph, k->node, "epsilon", 1e-4f);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (x->shape.rank != 4 || !tfc_shape_equal(x->shape, dy->shape))
        return tfc_kernel_error(k, "y_backprop %s and x %s must be one NHWC shape", tfc_shape_str(dy->shape, b),
                                tfc_shape_str(x->shape, a));
    int64_t c = x->shape.dims[3], rows = c ? x->size / c : 0;
    if (scale->size != c || mean->size != c || var->size != c)
        return tfc_kernel_error(k, "scale and the reserved mean and variance must hold one value per channel (%lld)", (long long)c);
    tfc_tensor *gx = tfc_kernel_output(k, 0, TFC_FLOAT, x->shape), *gs = tfc_kernel_output(k, 1, TFC_FLOAT, TFC_SHAPE(c)),
               *go = tfc_kernel_output(k, 2, TFC_FLOAT, TFC_SHAPE(c)), *r4 = tfc_kernel_output(k, 3, TFC_FLOAT, TFC_SCALAR),
               *r5 = tfc_kernel_output(k, 4, TFC_FLOAT, TFC_SCALAR);
    if (!gx || !gs || !go || !r4 || !r5) return false;
    tfc_f32(r4)[0] = tfc_f32(r5)[0] = 0;
    const float *xp = x->data, *dp = dy->data, *mp = mean->data, *vp = var->data, *sp = scale->data;
    float *sb = gs->data, *ob = go->data, *xb = gx->data;
    /* (sums over the batch's pixels in double, as the forward's) */
    double *ssum = calloc((size_t)(c ? 2 * c : 1), sizeof *ssum), *osum = ssum + c;
    if (!ssum) return tfc_kernel_error(k, "out of memory");
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < c; j++) {
            float coef = 1.0f / sqrtf(vp[j] + eps);
            ssum[j] += dp[r * c + j] * ((xp[r * c + j] - mp[j]) * coef);
            osum[j] += dp[r * c + j];
        }
    for (int64_t j = 0; j < c; j++) {
        sb[j] = (float)ssum[j];
        ob[j] = (float)osum[j];
    }
    free(ssum);
    float inv = 1.0f / (float)rows;
    for (int64_t j = 0; j < c; j++) {
        float coef = 1.0f / sqrtf(vp[j] + eps), c1 = sp[j] * coef, dmean = ob[j] * inv, xdmean = sb[j] * inv;
        for (int64_t r = 0; r < rows; r++) {
            int64_t i = r * c + j;
            xb[i] = training ? c1 * (dp[i] - dmean - (xp[i] - mp[j]) * coef * xdmean) : dp[i] * sp[j] * coef;
        }
    }
    return true;
}

const tfc_op_def tfc_op_FusedBatchNormGradV3 = {"FusedBatchNormGradV3", infer_batch_norm_grad, k_batch_norm_grad, NULL, 0, .ninputs = 6};

/* ---- LRN: x / (bias + alpha * sum of x^2 over the channels within depth_radius)^beta ---- */

typedef struct {
    int64_t r;
    float bias, alpha, beta;
} lrn_attrs;

static lrn_attrs lrn_attrs_of(const tfc_graph *g, int node)
{
    return (lrn_attrs){tfc_attr_int(g, node, "depth_radius", 5), tfc_attr_float(g, node, "bias", 1.0f),
                       tfc_attr_float(g, node, "alpha", 1.0f), tfc_attr_float(g, node, "beta", 0.5f)};
}

static bool infer_lrn(tfc_graph *g, int node)
{
    tfc_shape x = in_shape(g, node, 0);
    char a[TFC_SHAPE_STR_MAX];
    int n = tfc_node_num_inputs(g, node);
    for (int i = 0; i < n; i++)
        if (!tfc_require_float(g, node, i)) return false;
    if (x.rank >= 0 && x.rank != 4) return tfc_node_error(g, node, "input must be of rank 4, got %s", tfc_shape_str(x, a));
    if (lrn_attrs_of(g, node).r < 0) return tfc_node_error(g, node, "depth_radius is negative");
    return tfc_infer_same_as_input(g, node);
}

/* The window [*b, *e) of channel j and its bias + alpha * sum of squares. */
static float lrn_norm(const float *x, int64_t c, int64_t j, const lrn_attrs *at, int64_t *b, int64_t *e)
{
    *b = j - at->r < 0 ? 0 : j - at->r;
    *e = j + at->r + 1 < c ? j + at->r + 1 : c;
    float s = 0;
    for (int64_t i = *b; i < *e; i++) s += x[i] * x[i];
    return at->bias + at->alpha * s;
}

static bool k_lrn(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    lrn_attrs at = lrn_attrs_of(k->graph, k->node);
    if (x->shape.rank != 4) return tfc_kernel_error(k, "input must be of rank 4");
    tfc_tensor *y = tfc_kernel_output(k, 0, TFC_FLOAT, x->shape);
    if (!y) return false;
    int64_t c = x->shape.dims[3], rows = c ? x->size / c : 0, b, e;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = tfc_f32(x) + r * c;
        for (int64_t j = 0; j < c; j++) tfc_f32(y)[r * c + j] = xr[j] * powf(lrn_norm(xr, c, j, &at, &b, &e), -at.beta);
    }
    return true;
}

/* LRNGrad(dy, x, y) as TensorFlow's CPU kernel: from x alone (y is not read). Output j feeds on
 * every input i of its window: dy_j * (delta_ij N_j^-beta - 2 alpha beta x_i x_j N_j^(-beta-1)). */
static bool k_lrn_grad(tfc_kernel_ctx *k)
{
    const tfc_tensor *dy = k->in[0], *x = k->in[1];
    lrn_attrs at = lrn_attrs_of(k->graph, k->node);
    if (x->shape.rank != 4 || !tfc_shape_equal(x->shape, dy->shape) || !tfc_shape_equal(x->shape, k->in[2]->shape))
        return tfc_kernel_error(k, "the gradient, input and output must be of one rank-4 shape");
    tfc_tensor *dx = tfc_kernel_output(k, 0, TFC_FLOAT, x->shape);
    if (!dx) return false;
    memset(dx->data, 0, tfc_tensor_nbytes(dx));
    int64_t c = x->shape.dims[3], rows = c ? x->size / c : 0, b, e;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = tfc_f32(x) + r * c, *gr = tfc_f32(dy) + r * c;
        float *out = tfc_f32(dx) + r * c;
        for (int64_t j = 0; j < c; j++) {
            float norm = lrn_norm(xr, c, j, &at, &b, &e), pre = powf(norm, -at.beta), act = xr[j] * pre;
            for (int64_t i = b; i < e; i++) {
                float d = -2.0f * at.alpha * at.beta * xr[i] * act / norm;
                if (i == j) d += pre;
                out[i] += d * gr[j];
            }
        }
    }
    return true;
}

static void set_lrn_attrs(tfc_graph *g, int n, lrn_attrs at)
{
    tfc_set_attr_int(g, n, "depth_radius", at.r);
    tfc_set_attr_float(g, n, "bias", at.bias);
    tfc_set_attr_float(g, n, "alpha", at.alpha);
    tfc_set_attr_float(g, n, "beta", at.beta);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
}

static void grad_lrn(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int n = tfc_node_begin(g, "LRNGrad", NULL, (tfc_out[]){dy[0], in_out(g, node, 0), node_out(node, 0)}, 3, 1);
    set_lrn_attrs(g, n, lrn_attrs_of(g, node));
    dx[0] = tfc_node_finish(g, n);
}

const tfc_op_def tfc_op_LRN = {"LRN", infer_lrn, k_lrn, grad_lrn, 0, .ninputs = 1};
const tfc_op_def tfc_op_LRNGrad = {"LRNGrad", infer_lrn, k_lrn_grad, NULL, 0, .ninputs = 3};

tfc_out tfc_local_response_normalization(tfc_graph *g, tfc_out x, int depth_radius, float bias, float alpha, float beta,
                                         const char *name)
{
    int n = tfc_node_begin(g, "LRN", name, &x, 1, 1);
    set_lrn_attrs(g, n, (lrn_attrs){depth_radius, bias, alpha, beta});
    return tfc_node_finish(g, n);
}
