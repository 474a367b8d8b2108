/* Convolution and pooling on NHWC float32 tensors (int32 convolutions and integer max pooling by
 * plain loops too, as TensorFlow's CPU kernels take them): Conv2D with its gradients Conv2DBackpropInput
 * (also the forward op of tf.nn.conv2d_transpose) and Conv2DBackpropFilter (Winograd for 5x5 stride-1
 * windows, see conv_winograd.c; direct loops for windows with few taps, see conv_direct.c; im2col +
 * OpenBLAS sgemm otherwise), MaxPool with MaxPoolGrad, AvgPool with AvgPoolGrad. Padding follows
 * TensorFlow: VALID uses no padding; SAME gives ceil(in / stride) outputs and puts the odd pixel of
 * padding after. Dilations other than 1 and NCHW are refused when the node is built. */
#include <cblas.h>
#include <float.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"
#include "conv_direct.h"
#include "conv_vec.h"
#include "conv_winograd.h"

/* Pooling windows use the same description, with o = c. */
typedef tfc_conv_geometry geometry;

static bool out_size(int64_t in, int64_t k, int64_t s, bool same, int64_t *out, int64_t *pad)
{
    if (in < 0) {
        *out = -1;
        *pad = 0;
        return true;
    }
    if (same) {
        *out = (in + s - 1) / s;
        int64_t total = (*out - 1) * s + k - in;
        *pad = total > 0 ? total / 2 : 0;
    } else {
        if (in < k) return false;
        *out = (in - k) / s + 1;
        *pad = 0;
    }
    return true;
}

/* Reads strides/ksize/padding attrs; false with a message when they are malformed. */
static bool window_attrs(const tfc_graph *g, int node, const char *list, int64_t v[4], char *why, size_t n)
{
    const tfc_attr *a = tfc_node_find_attr(g, node, list);
    if (!a || a->kind != TFC_ATTR_INT_LIST || a->ints.n != 4) return snprintf(why, n, "%s must have 4 values", list), false;
    for (int i = 0; i < 4; i++) v[i] = a->ints.v[i];
    if (v[0] != 1 || v[3] != 1) return snprintf(why, n, "%s must be 1 in the batch and channel dimensions", list), false;
    if (v[1] < 1 || v[2] < 1) return snprintf(why, n, "%s must be positive", list), false;
    return true;
}

static bool padding_same(const tfc_graph *g, int node, bool *same, char *why, size_t n)
{
    const char *p = tfc_attr_string(g, node, "padding", "");
    if (strcmp(p, "SAME") && strcmp(p, "VALID")) return snprintf(why, n, "padding must be SAME or VALID, not '%s'", p), false;
    *same = strcmp(p, "SAME") == 0;
    return true;
}

/* The geometry of a node from its input and window shapes (static shapes may hold -1). */
static bool make_geometry(const tfc_graph *g, int node, tfc_shape in, int64_t kh, int64_t kw, int64_t o, const char *win_attr,
                          geometry *ge, char *why, size_t n)
{
    int64_t strides[4], ksize[4] = {1, kh, kw, 1};
    bool same;
    if (!window_attrs(g, node, "strides", strides, why, n) || !padding_same(g, node, &same, why, n)) return false;
    if (strcmp(tfc_attr_string(g, node, "data_format", "NHWC"), "NHWC"))
        return snprintf(why, n, "data_format %s is not supported (NHWC only)", tfc_attr_string(g, node, "data_format", "")), false;
    const tfc_attr *dil = tfc_node_find_attr(g, node, "dilations");
    for (int i = 0; dil && dil->kind == TFC_ATTR_INT_LIST && i < dil->ints.n; i++)
        if (dil->ints.v[i] != 1) return snprintf(why, n, "dilations other than 1 are not supported"), false;
    if (win_attr && !window_attrs(g, node, win_attr, ksize, why, n)) return false;
    memset(ge, 0, sizeof *ge);
    ge->n = in.dims[0];
    ge->h = in.dims[1];
    ge->w = in.dims[2];
    ge->c = in.dims[3];
    ge->kh = ksize[1];
    ge->kw = ksize[2];
    ge->o = o;
    ge->sh = strides[1];
    ge->sw = strides[2];
    if (!out_size(ge->h, ge->kh, ge->sh, same, &ge->oh, &ge->pt) || !out_size(ge->w, ge->kw, ge->sw, same, &ge->ow, &ge->pl))
        return snprintf(why, n, "the %lldx%lld window is larger than the %lldx%lld input with VALID padding", (long long)ge->kh,
                        (long long)ge->kw, (long long)ge->h, (long long)ge->w),
               false;
    return true;
}

/* ---- int32 and int64: plain loops (TensorFlow's CPU kernels take int32 convolutions and integer
 * max pooling); integers wrap around as TensorFlow's ---- */

#define WRAP(T, v) ((T)(uint64_t)(v))

/* y = conv(x, f) (bias and relu of the epilogue after), or with bp the input gradient: x is then
 * the output's gradient and y the input gradient, of ge's input shape. */
static void int_conv(const geometry *ge, tfc_dtype dt, const void *xv, const void *fv, const tfc_epilogue *ep, bool bp,
                     void *yv)
{
    TFC_NUMERIC_SWITCH(dt, T, {
        const T *x = xv, *f = fv;
        T *y = yv;
        if (bp) memset(y, 0, (size_t)(ge->n * ge->h * ge->w * ge->c) * sizeof(T));
        for (int64_t n = 0; n < ge->n; n++)
            for (int64_t oy = 0; oy < ge->oh; oy++)
                for (int64_t ox = 0; ox < ge->ow; ox++)
                    for (int64_t o = 0; o < ge->o; o++) {
                        int64_t at = ((n * ge->oh + oy) * ge->ow + ox) * ge->o + o;
                        uint64_t acc = 0;
                        for (int64_t ky = 0; ky < ge->kh; ky++)
                            for (int64_t kx = 0; kx < ge->kw; kx++) {
                                int64_t iy = oy * ge->sh + ky - ge->pt, ix = ox * ge->sw + kx - ge->pl;
                                if (iy < 0 || iy >= ge->h || ix < 0 || ix >= ge->w) continue;
                                for (int64_t c = 0; c < ge->c; c++) {
                                    int64_t xi = ((n * ge->h + iy) * ge->w + ix) * ge->c + c, fi = ((ky * ge->kw + kx) * ge->c + c) * ge->o + o;
                                    if (bp)
                                        y[xi] = WRAP(T, (uint64_t)y[xi] + (uint64_t)x[at] * (uint64_t)f[fi]);
                                    else
                                        acc += (uint64_t)x[xi] * (uint64_t)f[fi];
                                }
                            }
                        if (bp) continue;
                        T v = WRAP(T, acc);
                        if (ep) v = WRAP(T, (uint64_t)v + (uint64_t)((const T *)ep->bias->data)[o]);
                        y[at] = ep && ep->relu && v < 0 ? 0 : v;
                    }
    })
}

/* Max pooling, or with dy its gradient: each window's gradient to its first maximum (zeroed where
 * the input is not positive when a ReluGrad is folded in). */
static void int_pool(const geometry *ge, tfc_dtype dt, const void *xv, const void *dyv, bool relu, void *yv)
{
    TFC_NUMERIC_SWITCH(dt, T, {
        const T *x = xv, *dy = dyv;
        T *y = yv;
        if (dy) memset(y, 0, (size_t)(ge->n * ge->h * ge->w * ge->c) * sizeof(T));
        for (int64_t n = 0; n < ge->n; n++)
            for (int64_t oy = 0; oy < ge->oh; oy++)
                for (int64_t ox = 0; ox < ge->ow; ox++)
                    for (int64_t c = 0; c < ge->c; c++) {
                        int64_t best = -1;
                        for (int64_t iy = oy * ge->sh - ge->pt; iy < oy * ge->sh - ge->pt + ge->kh; iy++)
                            for (int64_t ix = ox * ge->sw - ge->pl; ix < ox * ge->sw - ge->pl + ge->kw; ix++) {
                                if (iy < 0 || iy >= ge->h || ix < 0 || ix >= ge->w) continue;
                                int64_t i = ((n * ge->h + iy) * ge->w + ix) * ge->c + c;
                                if (best < 0 || x[i] > x[best]) best = i;
                            }
                        int64_t at = ((n * ge->oh + oy) * ge->ow + ox) * ge->c + c;
                        if (!dy)
                            y[at] = x[best];
                        else if (!relu || x[best] > 0)
                            y[best] = WRAP(T, (uint64_t)y[best] + (uint64_t)dy[at]);
                    }
    })
}

/* ---- Conv2D ---- */

static bool infer_conv(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_FLOATS | TFC_DTYPE_BIT(TFC_INT32)) || !tfc_require_same_dtype(g, node, 0, 1))
        return false;
    tfc_shape in = in_shape(g, node, 0), f = in_shape(g, node, 1);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], why[256], ni[256], nf[256];
    tfc_out_name(g, in_out(g, node, 0), ni, sizeof ni);
    tfc_out_name(g, in_out(g, node, 1), nf, sizeof nf);
    if (in.rank >= 0 && in.rank != 4) return tfc_node_error(g, node, "input '%s' must be NHWC (rank 4), got %s", ni, tfc_shape_str(in, a));
    if (f.rank >= 0 && f.rank != 4)
        return tfc_node_error(g, node, "filter '%s' must be [height, width, in, out], got %s", nf, tfc_shape_str(f, b));
    if (in.rank < 0) in = TFC_SHAPE(-1, -1, -1, -1);
    if (f.rank < 0) f = TFC_SHAPE(-1, -1, -1, -1);
    if (in.dims[3] >= 0 && f.dims[2] >= 0 && in.dims[3] != f.dims[2])
        return tfc_node_error(g, node, "input '%s' %s has %lld channels but filter '%s' %s expects %lld", ni, tfc_shape_str(in, a),
                              (long long)in.dims[3], nf, tfc_shape_str(f, b), (long long)f.dims[2]);
    /* a window of unknown size: the output's size is known with SAME padding only */
    geometry ge;
    if (!make_geometry(g, node, in, f.dims[0] < 0 ? 1 : f.dims[0], f.dims[1] < 0 ? 1 : f.dims[1], f.dims[3], NULL, &ge, why,
                       sizeof why))
        return tfc_node_error(g, node, "%s (input '%s' %s, filter '%s' %s)", why, ni, tfc_shape_str(in, a), nf, tfc_shape_str(f, b));
    bool same = strcmp(tfc_attr_string(g, node, "padding", ""), "SAME") == 0;
    if (f.dims[0] < 0 && !same) ge.oh = -1;
    if (f.dims[1] < 0 && !same) ge.ow = -1;
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), TFC_SHAPE(ge.n, ge.oh, ge.ow, ge.o));
    return true;
}

/* Work on rows in blocks so the column buffer stays in cache-friendly sizes. */
#define BLOCK_ROWS 1024

typedef struct {
    const geometry *ge;
    const float *x;  /* input */
    const float *f;  /* filter [K, O] */
    const float *dy; /* gradient of the output */
    float *y;        /* output, or input gradient */
    float *dw;       /* per-thread filter gradients, one [K, O] block per chunk */
    const tfc_epilogue *ep; /* forward: bias (and Relu) for the outputs, or NULL */
    int64_t chunk_rows;
    atomic_bool failed; /* a thread could not allocate its column buffer */
} conv_job;

/* A thread's column buffer for BLOCK_ROWS rows; NULL (and the job marked failed) when memory runs out. */
static float *column_buffer(conv_job *j)
{
    float *col = malloc((size_t)BLOCK_ROWS * (size_t)(j->ge->kh * j->ge->kw * j->ge->c) * sizeof *col);
    if (!col) atomic_store(&j->failed, true);
    return col;
}

/* Runs an im2col job over n items and reports a failed allocation as the kernel's error. */
static bool run_columns(tfc_kernel_ctx *k, int64_t n, void (*fn)(void *, int64_t, int64_t), conv_job *j)
{
    atomic_init(&j->failed, false);
    tfc_parallel_for(k, n, 1, fn, j);
    return !atomic_load(&j->failed) || tfc_kernel_error(k, "out of memory for the im2col buffers");
}

/* The part [k0, k1) of a window row starting at input column ix0 that lies inside the image. */
static void window_span(const geometry *ge, int64_t ix0, int64_t *k0, int64_t *k1)
{
    *k0 = ix0 < 0 ? -ix0 : 0;
    *k1 = ge->w - ix0 < ge->kw ? ge->w - ix0 : ge->kw;
    if (*k1 < *k0) *k1 = *k0;
}

/* im2col for output rows [r0, r1) of the whole batch (a row = one output pixel, its columns the
 * window in (ky, kx, c) order). A window row is contiguous in NHWC, so it is copied in one go. */
static void im2col(const geometry *ge, const float *x, int64_t r0, int64_t r1, float *col)
{
    int64_t K = ge->kh * ge->kw * ge->c, rowlen = ge->kw * ge->c;
    for (int64_t r = r0; r < r1; r++) {
        int64_t n = r / (ge->oh * ge->ow), p = r % (ge->oh * ge->ow), oy = p / ge->ow, ox = p % ge->ow;
        int64_t ix0 = ox * ge->sw - ge->pl, k0, k1;
        window_span(ge, ix0, &k0, &k1);
        float *dst = col + (r - r0) * K;
        for (int64_t ky = 0; ky < ge->kh; ky++, dst += rowlen) {
            int64_t iy = oy * ge->sh + ky - ge->pt;
            if (iy < 0 || iy >= ge->h) {
                memset(dst, 0, (size_t)rowlen * sizeof *dst);
                continue;
            }
            const float *src = x + ((n * ge->h + iy) * ge->w + ix0) * ge->c;
            for (int64_t i = 0; i < k0 * ge->c; i++) dst[i] = 0;
            for (int64_t i = k0 * ge->c; i < k1 * ge->c; i++) dst[i] = src[i];
            for (int64_t i = k1 * ge->c; i < rowlen; i++) dst[i] = 0;
        }
    }
}

/* Adds the column rows back into the input gradient (the transpose of im2col). Chunks split by
 * whole images, so threads never write the same pixel. */
static void col2im(const geometry *ge, const float *col, int64_t r0, int64_t r1, float *dx)
{
    int64_t K = ge->kh * ge->kw * ge->c, rowlen = ge->kw * ge->c;
    for (int64_t r = r0; r < r1; r++) {
        int64_t n = r / (ge->oh * ge->ow), p = r % (ge->oh * ge->ow), oy = p / ge->ow, ox = p % ge->ow;
        int64_t ix0 = ox * ge->sw - ge->pl, k0, k1;
        window_span(ge, ix0, &k0, &k1);
        const float *src = col + (r - r0) * K;
        for (int64_t ky = 0; ky < ge->kh; ky++, src += rowlen) {
            int64_t iy = oy * ge->sh + ky - ge->pt;
            if (iy < 0 || iy >= ge->h) continue;
            float *d = dx + ((n * ge->h + iy) * ge->w + ix0) * ge->c;
            for (int64_t i = k0 * ge->c; i < k1 * ge->c; i++) d[i] += src[i];
        }
    }
}

static void conv_forward_range(void *arg, int64_t i0, int64_t i1)
{
    conv_job *j = arg;
    const geometry *ge = j->ge;
    int64_t K = ge->kh * ge->kw * ge->c, rows_per_image = ge->oh * ge->ow;
    float *col = column_buffer(j);
    if (!col) return;
    for (int64_t r = i0 * rows_per_image; r < i1 * rows_per_image; r += BLOCK_ROWS) {
        int64_t e = r + BLOCK_ROWS < i1 * rows_per_image ? r + BLOCK_ROWS : i1 * rows_per_image;
        im2col(ge, j->x, r, e, col);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(e - r), (int)ge->o, (int)K, 1.0f, col, (int)K, j->f,
                    (int)ge->o, 0.0f, j->y + r * ge->o, (int)ge->o);
        if (j->ep) tfc_apply_epilogue(j->y + r * ge->o, e - r, ge->o, ge->o, tfc_f32(j->ep->bias), j->ep->relu);
    }
    free(col);
}

static bool geometry_at_run(tfc_kernel_ctx *k, tfc_shape xs, int64_t kh, int64_t kw, int64_t o, const char *win,
                            geometry *ge)
{
    char why[256], a[TFC_SHAPE_STR_MAX];
    if (xs.rank != 4 || !tfc_shape_known(xs)) return tfc_kernel_error(k, "input must be NHWC, got %s", tfc_shape_str(xs, a));
    if (!make_geometry(k->graph, k->node, xs, kh, kw, o, win, ge, why, sizeof why))
        return tfc_kernel_error(k, "%s", why);
    return true;
}

static bool winograd(const tfc_kernel_ctx *k, const geometry *ge)
{
    return !tfc_kernel_plain_convolution(k) && tfc_winograd_suits(ge->kh, ge->kw, ge->sh, ge->sw, ge->c, ge->o);
}

static bool k_conv(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0], *f = k->in[1];
    geometry ge;
    if (f->shape.rank != 4 || !geometry_at_run(k, x->shape, f->shape.dims[0], f->shape.dims[1], f->shape.dims[3], NULL, &ge))
        return false;
    if (x->shape.dims[3] != f->shape.dims[2] || x->dtype != f->dtype) return tfc_kernel_error(k, "input and filter channels differ");
    tfc_tensor *y = tfc_kernel_output(k, 0, x->dtype, TFC_SHAPE(ge.n, ge.oh, ge.ow, ge.o));
    if (!y) return false;
    tfc_epilogue epilogue, *ep = NULL;
    if (tfc_kernel_epilogue(k, &epilogue)) {
        char sb[TFC_SHAPE_STR_MAX];
        const tfc_tensor *b = epilogue.bias;
        if (b->dtype != x->dtype || b->shape.rank != 1 || b->shape.dims[0] != ge.o)
            return tfc_kernel_error(k, "the bias %s added to it does not match its %lld output channels",
                                    tfc_shape_str(b->shape, sb), (long long)ge.o);
        ep = &epilogue;
    }
    if (x->dtype != TFC_FLOAT) {
        int_conv(&ge, x->dtype, x->data, f->data, ep, false, y->data);
        return true;
    }
    if (winograd(k, &ge)) {
        tfc_winograd_shape ws = {ge.n, ge.h, ge.w, ge.c, ge.oh, ge.ow, ge.o, ge.pt, ge.pl};
        return tfc_winograd_conv(k, &ws, x->data, f->data, false, ep, y->data);
    }
    if (tfc_conv_direct_suits(&ge)) return tfc_conv_direct_forward(k, &ge, x->data, f->data, ep, y->data);
    conv_job j = {.ge = &ge, .x = x->data, .f = f->data, .y = y->data, .ep = ep};
    return run_columns(k, ge.n, conv_forward_range, &j);
}

/* ---- Conv2DBackpropInput: (input_sizes, filter, out_backprop) -> d input ---- */

static bool infer_conv_bp_input(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_INT32)) ||
        !tfc_require_dtype(g, node, 1, TFC_FLOATS | TFC_DTYPE_BIT(TFC_INT32)) || !tfc_require_same_dtype(g, node, 1, 2))
        return false;
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 1), tfc_shape_from_const_input(g, in_out(g, node, 0)));
    return true;
}

static void conv_bp_input_range(void *arg, int64_t i0, int64_t i1)
{
    conv_job *j = arg;
    const geometry *ge = j->ge;
    int64_t K = ge->kh * ge->kw * ge->c, rows_per_image = ge->oh * ge->ow;
    memset(j->y + i0 * ge->h * ge->w * ge->c, 0, (size_t)((i1 - i0) * ge->h * ge->w * ge->c) * sizeof(float));
    float *col = column_buffer(j);
    if (!col) return;
    for (int64_t r = i0 * rows_per_image; r < i1 * rows_per_image; r += BLOCK_ROWS) {
        int64_t e = r + BLOCK_ROWS < i1 * rows_per_image ? r + BLOCK_ROWS : i1 * rows_per_image;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(e - r), (int)K, (int)ge->o, 1.0f, j->dy + r * ge->o,
                    (int)ge->o, j->f, (int)ge->o, 0.0f, col, (int)K);
        col2im(ge, col, r, e, j->y);
    }
    free(col);
}

static bool k_conv_bp_input(tfc_kernel_ctx *k)
{
    tfc_shape xs;
    const tfc_tensor *f = k->in[1], *dy = k->in[2];
    if (!tfc_shape_from_tensor(k->in[0], &xs) || xs.rank != 4 || f->shape.rank != 4)
        return tfc_kernel_error(k, "input_sizes must be 4 sizes and the filter of rank 4");
    geometry ge;
    if (!geometry_at_run(k, xs, f->shape.dims[0], f->shape.dims[1], f->shape.dims[3], NULL, &ge)) return false;
    if (dy->size != ge.n * ge.oh * ge.ow * ge.o || dy->dtype != f->dtype)
        return tfc_kernel_error(k, "out_backprop does not match the output size");
    tfc_tensor *dx = tfc_kernel_output(k, 0, f->dtype, xs);
    if (!dx) return false;
    if (f->dtype != TFC_FLOAT) {
        int_conv(&ge, f->dtype, dy->data, f->data, NULL, true, dx->data);
        return true;
    }
    if (winograd(k, &ge)) {
        /* The input gradient is the correlation of out_backprop with the rotated filter. */
        tfc_winograd_shape ws = {ge.n, ge.oh, ge.ow, ge.o, ge.h, ge.w, ge.c, ge.kh - 1 - ge.pt, ge.kw - 1 - ge.pl};
        return tfc_winograd_conv(k, &ws, dy->data, f->data, true, NULL, dx->data);
    }
    conv_job j = {.ge = &ge, .f = f->data, .dy = dy->data, .y = dx->data};
    return run_columns(k, ge.n, conv_bp_input_range, &j);
}

/* ---- Conv2DBackpropFilter: (input, filter_sizes, out_backprop) -> d filter ---- */

static bool infer_conv_bp_filter(tfc_graph *g, int node)
{
    if (!tfc_require_float(g, node, 0) || !tfc_require_dtype(g, node, 1, TFC_DTYPE_BIT(TFC_INT32)) ||
        !tfc_require_float(g, node, 2))
        return false;
    tfc_node_set_output(g, node, 0, TFC_FLOAT, tfc_shape_from_const_input(g, in_out(g, node, 1)));
    return true;
}

static void conv_bp_filter_range(void *arg, int64_t c0, int64_t c1)
{
    conv_job *j = arg;
    const geometry *ge = j->ge;
    int64_t K = ge->kh * ge->kw * ge->c, total = ge->n * ge->oh * ge->ow;
    float *col = column_buffer(j);
    if (!col) return;
    for (int64_t chunk = c0; chunk < c1; chunk++) {
        float *dw = j->dw + chunk * K * ge->o;
        memset(dw, 0, (size_t)(K * ge->o) * sizeof *dw);
        int64_t end = (chunk + 1) * j->chunk_rows < total ? (chunk + 1) * j->chunk_rows : total;
        for (int64_t r = chunk * j->chunk_rows; r < end; r += BLOCK_ROWS) {
            int64_t e = r + BLOCK_ROWS < end ? r + BLOCK_ROWS : end;
            im2col(ge, j->x, r, e, col);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)ge->o, (int)(e - r), 1.0f, col, (int)K,
                        j->dy + r * ge->o, (int)ge->o, 1.0f, dw, (int)ge->o);
        }
    }
    free(col);
}

static bool k_conv_bp_filter(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0], *dy = k->in[2];
    tfc_shape fs;
    if (!tfc_shape_from_tensor(k->in[1], &fs) || fs.rank != 4) return tfc_kernel_error(k, "filter_sizes must be 4 sizes");
    geometry ge;
    if (!geometry_at_run(k, x->shape, fs.dims[0], fs.dims[1], fs.dims[3], NULL, &ge)) return false;
    int64_t K = ge.kh * ge.kw * ge.c, total = ge.n * ge.oh * ge.ow;
    if (dy->size != total * ge.o) return tfc_kernel_error(k, "out_backprop does not match the output size");
    tfc_tensor *dw = tfc_kernel_output(k, 0, TFC_FLOAT, fs);
    if (!dw) return false;
    if (winograd(k, &ge)) {
        tfc_winograd_shape ws = {ge.n, ge.h, ge.w, ge.c, ge.oh, ge.ow, ge.o, ge.pt, ge.pl};
        return tfc_winograd_filter_grad(k, &ws, x->data, dy->data, dw->data);
    }
    if (tfc_conv_direct_suits(&ge)) return tfc_conv_direct_filter_grad(k, &ge, x->data, dy->data, dw->data);
    int nchunks = tfc_kernel_threads(k);
    if (nchunks > total / BLOCK_ROWS + 1) nchunks = (int)(total / BLOCK_ROWS + 1);
    float *parts = malloc((size_t)nchunks * (size_t)(K * ge.o) * sizeof *parts);
    if (!parts) return tfc_kernel_error(k, "out of memory");
    conv_job j = {.ge = &ge, .x = x->data, .dy = dy->data, .dw = parts, .chunk_rows = (total + nchunks - 1) / nchunks};
    if (!run_columns(k, nchunks, conv_bp_filter_range, &j)) {
        free(parts);
        return false;
    }
    float *out = dw->data;
    memcpy(out, parts, (size_t)(K * ge.o) * sizeof *out);
    for (int c = 1; c < nchunks; c++)
        for (int64_t i = 0; i < K * ge.o; i++) out[i] += parts[(size_t)c * (size_t)(K * ge.o) + (size_t)i];
    free(parts);
    return true;
}

/* The attrs of a convolution node as TensorFlow writes them, strides and padding from `from`. */
static int conv_attrs(tfc_graph *g, int from, int to)
{
    const tfc_attr *st = tfc_node_find_attr(g, from, "strides");
    if (st && st->kind == TFC_ATTR_INT_LIST) tfc_set_attr_ints(g, to, "strides", st->ints.v, st->ints.n);
    tfc_set_attr_string(g, to, "padding", tfc_attr_string(g, from, "padding", ""));
    tfc_set_attr_type(g, to, "T", TFC_FLOAT);
    tfc_set_attr_string(g, to, "data_format", "NHWC");
    tfc_set_attr_bool(g, to, "use_cudnn_on_gpu", true);
    tfc_set_attr_ints(g, to, "explicit_paddings", NULL, 0);
    tfc_set_attr_ints(g, to, "dilations", (const int64_t[]){1, 1, 1, 1}, 4);
    return to;
}

static tfc_out conv_node(tfc_graph *g, const char *type, int from, const tfc_out *ins, int n)
{
    return tfc_node_finish(g, conv_attrs(g, from, tfc_node_begin(g, type, NULL, ins, n, 1)));
}

/* Conv2D(x, f): dx = Conv2DBackpropInput(shape x, f, dy), df = Conv2DBackpropFilter(x, shape f, dy). */
static void grad_conv(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), f = in_out(g, node, 1);
    dx[0] = conv_node(g, "Conv2DBackpropInput", node, (tfc_out[]){tfc_shape_of(g, x, "Shape"), f, dy[0]}, 3);
    dx[1] = conv_node(g, "Conv2DBackpropFilter", node, (tfc_out[]){x, tfc_const_shape(g, in_shape(g, node, 1), "Const"), dy[0]}, 3);
}

/* Conv2DBackpropInput(sizes, f, y) is linear in f and y: df = Conv2DBackpropFilter(dy, shape f, y),
 * dy = Conv2D(dy, f), as TensorFlow's gradient of conv2d_transpose. */
static void grad_conv_bp_input(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out f = in_out(g, node, 1), y = in_out(g, node, 2);
    dx[1] = conv_node(g, "Conv2DBackpropFilter", node, (tfc_out[]){dy[0], tfc_shape_tensor(g, f, TFC_INT32), y}, 3);
    dx[2] = conv_node(g, "Conv2D", node, (tfc_out[]){dy[0], f}, 2);
}

/* Conv2DBackpropFilter(x, sizes, y): dx = Conv2DBackpropInput(shape x, dy, y), dy = Conv2D(x, dy). */
static void grad_conv_bp_filter(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 2);
    dx[0] = conv_node(g, "Conv2DBackpropInput", node, (tfc_out[]){tfc_shape_tensor(g, x, TFC_INT32), dy[0], y}, 3);
    dx[2] = conv_node(g, "Conv2D", node, (tfc_out[]){x, dy[0]}, 2);
}

const tfc_op_def tfc_op_Conv2D = {"Conv2D", infer_conv, k_conv, grad_conv, 0, .ninputs = 2};
const tfc_op_def tfc_op_Conv2DBackpropInput = {"Conv2DBackpropInput", infer_conv_bp_input, k_conv_bp_input,
                                               grad_conv_bp_input, 0, .ninputs = 3};
const tfc_op_def tfc_op_Conv2DBackpropFilter = {"Conv2DBackpropFilter", infer_conv_bp_filter, k_conv_bp_filter,
                                                grad_conv_bp_filter, 0, .ninputs = 3};

tfc_out tfc_conv2d(tfc_graph *g, tfc_out input, tfc_out filter, const int64_t strides[4], const char *padding, const char *name)
{
    int n = tfc_node_begin(g, "Conv2D", name, (tfc_out[]){input, filter}, 2, 1);
    tfc_set_T(g, n);
    tfc_set_attr_ints(g, n, "strides", strides, 4);
    tfc_set_attr_string(g, n, "padding", padding);
    tfc_set_attr_string(g, n, "data_format", "NHWC");
    tfc_set_attr_bool(g, n, "use_cudnn_on_gpu", true);
    tfc_set_attr_ints(g, n, "dilations", (const int64_t[]){1, 1, 1, 1}, 4);
    return tfc_node_finish(g, n);
}

tfc_out tfc_conv2d_transpose(tfc_graph *g, tfc_out value, tfc_out filter, tfc_shape output_shape, const int64_t strides[4],
                             const char *padding, const char *name)
{
    char full[512];
    if (!tfc_builder_shape(g, "tfc_conv2d_transpose", name, "conv2d_transpose", output_shape, false, false, INT32_MAX))
        return TFC_NO_OUT;
    tfc_op_scope_push(g, name, "conv2d_transpose", full);
    tfc_out sizes = tfc_const_shape(g, output_shape, "input_sizes");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "Conv2DBackpropInput", full, (tfc_out[]){sizes, filter, value}, 3, 1);
    tfc_set_attr_ints(g, n, "strides", strides, 4);
    tfc_set_attr_string(g, n, "padding", padding);
    tfc_set_attr_ints(g, n, "explicit_paddings", NULL, 0);
    tfc_set_attr_string(g, n, "data_format", "NHWC");
    tfc_set_attr_bool(g, n, "use_cudnn_on_gpu", true);
    tfc_set_attr_ints(g, n, "dilations", (const int64_t[]){1, 1, 1, 1}, 4);
    if (n >= 0) tfc_set_attr_type(g, n, "T", in_dtype(g, n, 1));
    return tfc_node_finish(g, n);
}

/* ---- MaxPool, MaxPoolGrad ---- */

/* AvgPool takes float32, MaxPool integers too */
static bool infer_pool(tfc_graph *g, int node)
{
    bool max = strcmp(tfc_node_op(g, node), "MaxPool") == 0;
    if (!tfc_require_dtype(g, node, 0, max ? TFC_NUMBERS : TFC_FLOATS)) return false;
    tfc_shape in = in_shape(g, node, 0);
    char a[TFC_SHAPE_STR_MAX], why[256], ni[256];
    tfc_out_name(g, in_out(g, node, 0), ni, sizeof ni);
    if (in.rank >= 0 && in.rank != 4) return tfc_node_error(g, node, "input '%s' must be NHWC (rank 4), got %s", ni, tfc_shape_str(in, a));
    if (in.rank < 0) in = TFC_SHAPE(-1, -1, -1, -1);
    geometry ge;
    if (!make_geometry(g, node, in, 1, 1, in.dims[3], "ksize", &ge, why, sizeof why))
        return tfc_node_error(g, node, "%s (input '%s' %s)", why, ni, tfc_shape_str(in, a));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), TFC_SHAPE(ge.n, ge.oh, ge.ow, ge.c));
    return true;
}

typedef struct {
    const geometry *ge;
    const float *x, *dy;
    float *y;
    /* MaxPoolGrad with disjoint windows: whether each input row / column lies in some window */
    const unsigned char *row_in, *col_in;
    bool relu; /* MaxPoolGrad: also zero the gradient where the input is not positive (a folded ReluGrad) */
} pool_job;

/* Channels handled together: the window is scanned once per output pixel with the channels as
 * the inner, vectorised loop. */
#define POOL_CBLOCK 64

/* The window of output pixel (oy, ox), clipped to the image: rows [y0, y1), columns [x0, x1). */
static void pool_window(const geometry *ge, int64_t oy, int64_t ox, int64_t *y0, int64_t *y1, int64_t *x0, int64_t *x1)
{
    *y0 = oy * ge->sh - ge->pt;
    *x0 = ox * ge->sw - ge->pl;
    *y1 = *y0 + ge->kh < ge->h ? *y0 + ge->kh : ge->h;
    *x1 = *x0 + ge->kw < ge->w ? *x0 + ge->kw : ge->w;
    if (*y0 < 0) *y0 = 0;
    if (*x0 < 0) *x0 = 0;
}

/* For channels [c0, c0 + nc) of output pixel (n, oy, ox): the maximum and the input offset of
 * its first occurrence in row-major window order (TensorFlow's choice among ties). The window
 * is never empty: TensorFlow's padding leaves at least one input pixel in each. */
static void pool_pixel(const geometry *ge, const float *x, int64_t n, int64_t oy, int64_t ox, int64_t c0, int64_t nc,
                       float *restrict best, int64_t *restrict at)
{
    int64_t y0, y1, x0, x1;
    pool_window(ge, oy, ox, &y0, &y1, &x0, &x1);
    bool first = true;
    for (int64_t iy = y0; iy < y1; iy++)
        for (int64_t ix = x0; ix < x1; ix++) {
            int64_t off = ((n * ge->h + iy) * ge->w + ix) * ge->c + c0;
            const float *restrict xr = x + off;
            if (first) {
                for (int64_t c = 0; c < nc; c++) {
                    best[c] = xr[c];
                    at[c] = off + c;
                }
                first = false;
                continue;
            }
            for (int64_t c = 0; c < nc; c++) {
                bool gt = xr[c] > best[c];
                best[c] = gt ? xr[c] : best[c];
                at[c] = gt ? off + c : at[c];
            }
        }
}

static void pool_range(void *arg, int64_t n0, int64_t n1)
{
    const pool_job *j = arg;
    const geometry *ge = j->ge;
    for (int64_t n = n0; n < n1; n++)
        for (int64_t oy = 0; oy < ge->oh; oy++)
            for (int64_t ox = 0; ox < ge->ow; ox++) {
                int64_t y0, y1, x0, x1;
                pool_window(ge, oy, ox, &y0, &y1, &x0, &x1);
                float *restrict out = j->y + ((n * ge->oh + oy) * ge->ow + ox) * ge->c;
                const float *restrict first = j->x + ((n * ge->h + y0) * ge->w + x0) * ge->c;
                if (y1 - y0 == 2 && x1 - x0 == 2) {
                    /* a whole 2x2 window: its four pixels at once, in the same order */
                    const float *b = first + ge->c, *c2 = first + ge->w * ge->c, *d = c2 + ge->c;
                    for (int64_t c = 0; c < ge->c; c++) {
                        float m = first[c];
                        m = b[c] > m ? b[c] : m;
                        m = c2[c] > m ? c2[c] : m;
                        out[c] = d[c] > m ? d[c] : m;
                    }
                    continue;
                }
                for (int64_t c = 0; c < ge->c; c++) out[c] = first[c];
                for (int64_t iy = y0; iy < y1; iy++)
                    for (int64_t ix = x0; ix < x1; ix++) {
                        const float *restrict xr = j->x + ((n * ge->h + iy) * ge->w + ix) * ge->c;
                        for (int64_t c = 0; c < ge->c; c++) out[c] = xr[c] > out[c] ? xr[c] : out[c];
                    }
            }
}

/* Routes each output gradient to the first maximum of its window, as TensorFlow's CPU kernel
 * does; overlapping windows add up. Chunks are whole images, so threads write disjoint pixels. */
static void pool_grad_range(void *arg, int64_t n0, int64_t n1)
{
    const pool_job *j = arg;
    const geometry *ge = j->ge;
    float best[POOL_CBLOCK];
    int64_t at[POOL_CBLOCK];
    for (int64_t n = n0; n < n1; n++) {
        /* image by image, so the cleared gradient is still in cache when the windows add to it */
        memset(j->y + n * ge->h * ge->w * ge->c, 0, (size_t)(ge->h * ge->w * ge->c) * sizeof(float));
        for (int64_t oy = 0; oy < ge->oh; oy++)
            for (int64_t ox = 0; ox < ge->ow; ox++) {
                const float *dy = j->dy + ((n * ge->oh + oy) * ge->ow + ox) * ge->c;
                for (int64_t c0 = 0; c0 < ge->c; c0 += POOL_CBLOCK) {
                    int64_t nc = ge->c - c0 < POOL_CBLOCK ? ge->c - c0 : POOL_CBLOCK;
                    pool_pixel(ge, j->x, n, oy, ox, c0, nc, best, at);
                    for (int64_t c = 0; c < nc; c++) j->y[at[c]] += dy[c0 + c];
                }
            }
        if (j->relu) {
            int64_t size = ge->h * ge->w * ge->c;
            float *img = j->y + n * size;
            const float *x = j->x + n * size;
            for (int64_t i = 0; i < size; i++) img[i] = x[i] > 0 ? img[i] : 0.0f;
        }
    }
}

/* The common 2x2 window with stride 2 wholly inside the image, for nc channels (a multiple of the
 * vector width) of output pixel g: the same routing as the loops above (the first maximum in
 * a, b, c, d order takes the gradient; a NaN in a keeps it), vector by vector. */
typedef int32_t tfc_vec_mask __attribute__((vector_size(sizeof(tfc_vec))));
static void pool_grad_2x2(const float *a, const float *b, const float *c, const float *d, const float *g, int64_t nc,
                          bool relu, float *da, float *db, float *dc, float *dd)
{
    for (int64_t k = 0; k < nc; k += TFC_VEC_WIDTH) {
        tfc_vec va = tfc_vec_load(a + k), vb = tfc_vec_load(b + k), vc = tfc_vec_load(c + k), vd = tfc_vec_load(d + k);
        tfc_vec_mask gv = (tfc_vec_mask)tfc_vec_load(g + k);
        tfc_vec m = va;
        tfc_vec_mask up = vb > m;
        m = (tfc_vec)(((tfc_vec_mask)vb & up) | ((tfc_vec_mask)m & ~up));
        up = vc > m;
        m = (tfc_vec)(((tfc_vec_mask)vc & up) | ((tfc_vec_mask)m & ~up));
        up = vd > m;
        m = (tfc_vec)(((tfc_vec_mask)vd & up) | ((tfc_vec_mask)m & ~up));
        if (relu) gv &= m > 0; /* the maximum is the input where the gradient goes */
        tfc_vec_mask ha = (va == m) | (m != m), hb = ~ha & (vb == m), hc = ~ha & ~hb & (vc == m);
        tfc_vec_mask hd = ~ha & ~hb & ~hc & (vd == m);
        tfc_vec_store(da + k, (tfc_vec)(gv & ha));
        tfc_vec_store(db + k, (tfc_vec)(gv & hb));
        tfc_vec_store(dc + k, (tfc_vec)(gv & hc));
        tfc_vec_store(dd + k, (tfc_vec)(gv & hd));
    }
}

/* The same when no two windows overlap (strides at least the window, as in 2x2/2 pooling): each
 * input pixel is written once, with its window's gradient where it is the maximum and 0 elsewhere
 * (pixels outside every window too), so there is no clearing pass. The maximum is found first and
 * then its first position marked, in float lanes that vectorise across the channels. */
static void pool_grad_disjoint_range(void *arg, int64_t n0, int64_t n1)
{
    const pool_job *j = arg;
    const geometry *ge = j->ge;
    float best[POOL_CBLOCK];
    int32_t done[POOL_CBLOCK];
    for (int64_t n = n0; n < n1; n++) {
        float *img = j->y + n * ge->h * ge->w * ge->c;
        const float *ximg = j->x + n * ge->h * ge->w * ge->c;
        for (int64_t iy = 0; iy < ge->h; iy++)
            for (int64_t ix = 0; ix < ge->w; ix++)
                if (!j->row_in[iy] || !j->col_in[ix]) memset(img + (iy * ge->w + ix) * ge->c, 0, (size_t)ge->c * sizeof *img);
        for (int64_t oy = 0; oy < ge->oh; oy++)
            for (int64_t ox = 0; ox < ge->ow; ox++) {
                const float *dy = j->dy + ((n * ge->oh + oy) * ge->ow + ox) * ge->c;
                int64_t y0, y1, x0, x1;
                pool_window(ge, oy, ox, &y0, &y1, &x0, &x1);
                if (y1 - y0 == 2 && x1 - x0 == 2 && ge->c % TFC_VEC_WIDTH == 0) {
                    int64_t o = (y0 * ge->w + x0) * ge->c, r = ge->w * ge->c;
                    pool_grad_2x2(ximg + o, ximg + o + ge->c, ximg + o + r, ximg + o + r + ge->c, dy, ge->c, j->relu,
                                  img + o, img + o + ge->c, img + o + r, img + o + r + ge->c);
                    continue;
                }
                for (int64_t c0 = 0; c0 < ge->c; c0 += POOL_CBLOCK) {
                    int64_t nc = ge->c - c0 < POOL_CBLOCK ? ge->c - c0 : POOL_CBLOCK;
                    const float *restrict first = ximg + (y0 * ge->w + x0) * ge->c + c0;
                    for (int64_t c = 0; c < nc; c++) {
                        best[c] = first[c];
                        done[c] = 0;
                    }
                    for (int64_t iy = y0; iy < y1; iy++)
                        for (int64_t ix = x0; ix < x1; ix++) {
                            const float *restrict xr = ximg + (iy * ge->w + ix) * ge->c + c0;
                            for (int64_t c = 0; c < nc; c++) best[c] = xr[c] > best[c] ? xr[c] : best[c];
                        }
                    /* The first position holding the maximum takes the gradient; a NaN that
                     * starts the window stays its maximum and takes it there. */
                    for (int64_t iy = y0; iy < y1; iy++)
                        for (int64_t ix = x0; ix < x1; ix++) {
                            int64_t off = (iy * ge->w + ix) * ge->c + c0;
                            const float *restrict xr = ximg + off;
                            float *restrict d = img + off;
                            bool at_first = iy == y0 && ix == x0;
                            for (int64_t c = 0; c < nc; c++) {
                                int32_t hit = (done[c] == 0) & ((xr[c] == best[c]) | (at_first & (best[c] != best[c])));
                                d[c] = hit && (!j->relu || xr[c] > 0) ? dy[c0 + c] : 0.0f;
                                done[c] |= hit;
                            }
                        }
                }
            }
    }
}

/* Marks the input rows (or columns) [0, len) that some window covers. */
static void covered(int64_t len, int64_t out, int64_t k, int64_t stride, int64_t pad, unsigned char *in)
{
    memset(in, 0, (size_t)len);
    for (int64_t o = 0; o < out; o++)
        for (int64_t i = o * stride - pad; i < o * stride - pad + k; i++)
            if (i >= 0 && i < len) in[i] = 1;
}

static bool k_pool(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    geometry ge;
    if (!geometry_at_run(k, x->shape, 1, 1, x->shape.rank == 4 ? x->shape.dims[3] : 0, "ksize", &ge)) return false;
    tfc_tensor *y = tfc_kernel_output(k, 0, x->dtype, TFC_SHAPE(ge.n, ge.oh, ge.ow, ge.c));
    if (!y) return false;
    if (x->dtype != TFC_FLOAT) {
        int_pool(&ge, x->dtype, x->data, NULL, false, y->data);
        return true;
    }
    pool_job j = {&ge, x->data, NULL, y->data, NULL, NULL, false};
    tfc_parallel_for(k, ge.n, 1, pool_range, &j);
    return true;
}

static bool infer_pool_grad(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_same_dtype(g, node, 0, 2)) return false;
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), in_shape(g, node, 0));
    return true;
}

static bool k_pool_grad(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0], *dy = k->in[2];
    geometry ge;
    if (!geometry_at_run(k, x->shape, 1, 1, x->shape.rank == 4 ? x->shape.dims[3] : 0, "ksize", &ge)) return false;
    if (dy->size != ge.n * ge.oh * ge.ow * ge.c || dy->dtype != x->dtype)
        return tfc_kernel_error(k, "gradient does not match the pooled size");
    tfc_tensor *dx = tfc_kernel_output(k, 0, x->dtype, x->shape);
    if (!dx) return false;
    if (x->dtype != TFC_FLOAT) {
        int_pool(&ge, x->dtype, x->data, dy->data, tfc_kernel_folds_relu_grad(k), dx->data);
        return true;
    }
    pool_job j = {&ge, x->data, dy->data, dx->data, NULL, NULL, tfc_kernel_folds_relu_grad(k)};
    if (ge.sh < ge.kh || ge.sw < ge.kw) {
        tfc_parallel_for(k, ge.n, 1, pool_grad_range, &j);
        return true;
    }
    unsigned char *in = malloc((size_t)(ge.h + ge.w));
    if (!in) return tfc_kernel_error(k, "out of memory");
    covered(ge.h, ge.oh, ge.kh, ge.sh, ge.pt, in);
    covered(ge.w, ge.ow, ge.kw, ge.sw, ge.pl, in + ge.h);
    j.row_in = in;
    j.col_in = in + ge.h;
    tfc_parallel_for(k, ge.n, 1, pool_grad_disjoint_range, &j);
    free(in);
    return true;
}

/* The attrs of a pooling node as TensorFlow writes them, from `from`. */
static int pool_attrs(tfc_graph *g, int from, int to, bool explicit_paddings)
{
    const char *lists[] = {"ksize", "strides"};
    for (int i = 0; i < 2; i++) {
        const tfc_attr *a = tfc_node_find_attr(g, from, lists[i]);
        if (a && a->kind == TFC_ATTR_INT_LIST) tfc_set_attr_ints(g, to, lists[i], a->ints.v, a->ints.n);
    }
    tfc_set_attr_string(g, to, "padding", tfc_attr_string(g, from, "padding", ""));
    if (explicit_paddings) tfc_set_attr_ints(g, to, "explicit_paddings", NULL, 0);
    tfc_set_attr_string(g, to, "data_format", "NHWC");
    tfc_set_attr_type(g, to, "T", TFC_FLOAT);
    return to;
}

static void grad_pool(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int n = tfc_node_begin(g, "MaxPoolGrad", NULL, (tfc_out[]){in_out(g, node, 0), node_out(node, 0), dy[0]}, 3, 1);
    dx[0] = tfc_node_finish(g, pool_attrs(g, node, n, true));
}

const tfc_op_def tfc_op_MaxPool = {"MaxPool", infer_pool, k_pool, grad_pool, 0, .ninputs = 1};
const tfc_op_def tfc_op_MaxPoolGrad = {"MaxPoolGrad", infer_pool_grad, k_pool_grad, NULL, 0, .ninputs = 3};

static tfc_out pool_op(tfc_graph *g, const char *type, tfc_out input, const int64_t ksize[4], const int64_t strides[4],
                       const char *padding, const char *name)
{
    int n = tfc_node_begin(g, type, name, &input, 1, 1);
    tfc_set_T(g, n);
    tfc_set_attr_ints(g, n, "ksize", ksize, 4);
    tfc_set_attr_ints(g, n, "strides", strides, 4);
    tfc_set_attr_string(g, n, "padding", padding);
    tfc_set_attr_string(g, n, "data_format", "NHWC");
    return tfc_node_finish(g, n);
}

tfc_out tfc_max_pool(tfc_graph *g, tfc_out input, const int64_t ksize[4], const int64_t strides[4], const char *padding,
                     const char *name)
{
    return pool_op(g, "MaxPool", input, ksize, strides, padding, name);
}

/* ---- AvgPool, AvgPoolGrad: the mean over the part of each window inside the image ---- */

static void avg_pool_range(void *arg, int64_t n0, int64_t n1)
{
    const pool_job *j = arg;
    const geometry *ge = j->ge;
    for (int64_t n = n0; n < n1; n++)
        for (int64_t oy = 0; oy < ge->oh; oy++)
            for (int64_t ox = 0; ox < ge->ow; ox++) {
                int64_t y0, y1, x0, x1;
                pool_window(ge, oy, ox, &y0, &y1, &x0, &x1);
                float *restrict out = j->y + ((n * ge->oh + oy) * ge->ow + ox) * ge->c;
                for (int64_t c = 0; c < ge->c; c++) out[c] = 0;
                for (int64_t iy = y0; iy < y1; iy++)
                    for (int64_t ix = x0; ix < x1; ix++) {
                        const float *restrict xr = j->x + ((n * ge->h + iy) * ge->w + ix) * ge->c;
                        for (int64_t c = 0; c < ge->c; c++) out[c] += xr[c];
                    }
                float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int64_t c = 0; c < ge->c; c++) out[c] *= inv;
            }
}

static bool k_avg_pool(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    geometry ge;
    if (!geometry_at_run(k, x->shape, 1, 1, x->shape.rank == 4 ? x->shape.dims[3] : 0, "ksize", &ge)) return false;
    tfc_tensor *y = tfc_kernel_output(k, 0, TFC_FLOAT, TFC_SHAPE(ge.n, ge.oh, ge.ow, ge.c));
    if (!y) return false;
    pool_job j = {&ge, x->data, NULL, y->data, NULL, NULL, false};
    tfc_parallel_for(k, ge.n, 1, avg_pool_range, &j);
    return true;
}

/* Each output's gradient spread evenly over its window; chunks are whole images. */
static void avg_pool_grad_range(void *arg, int64_t n0, int64_t n1)
{
    const pool_job *j = arg;
    const geometry *ge = j->ge;
    for (int64_t n = n0; n < n1; n++) {
        memset(j->y + n * ge->h * ge->w * ge->c, 0, (size_t)(ge->h * ge->w * ge->c) * sizeof(float));
        for (int64_t oy = 0; oy < ge->oh; oy++)
            for (int64_t ox = 0; ox < ge->ow; ox++) {
                int64_t y0, y1, x0, x1;
                pool_window(ge, oy, ox, &y0, &y1, &x0, &x1);
                const float *restrict dy = j->dy + ((n * ge->oh + oy) * ge->ow + ox) * ge->c;
                float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int64_t iy = y0; iy < y1; iy++)
                    for (int64_t ix = x0; ix < x1; ix++) {
                        float *restrict d = j->y + ((n * ge->h + iy) * ge->w + ix) * ge->c;
                        for (int64_t c = 0; c < ge->c; c++) d[c] += dy[c] * inv;
                    }
            }
    }
}

static bool infer_avg_pool_grad(tfc_graph *g, int node)
{
    tfc_shape s = tfc_shape_from_const_input(g, in_out(g, node, 0)), dy = in_shape(g, node, 1);
    char why[256], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    geometry ge;
    if (!tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_INT32)) || !tfc_require_float(g, node, 1)) return false;
    if (s.rank >= 0 && s.rank != 4) return tfc_node_error(g, node, "orig_input_shape must hold 4 sizes (NHWC)");
    if (tfc_shape_known(s)) {
        if (!make_geometry(g, node, s, 1, 1, s.dims[3], "ksize", &ge, why, sizeof why))
            return tfc_node_error(g, node, "%s (input %s)", why, tfc_shape_str(s, a));
        tfc_shape o = TFC_SHAPE(ge.n, ge.oh, ge.ow, ge.c);
        if (!tfc_shape_compatible(o, dy))
            return tfc_node_error(g, node, "grad %s does not match the pooled shape %s", tfc_shape_str(dy, b), tfc_shape_str(o, a));
    }
    tfc_node_set_output(g, node, 0, TFC_FLOAT, s);
    return true;
}

static bool k_avg_pool_grad(tfc_kernel_ctx *k)
{
    const tfc_tensor *dy = k->in[1];
    tfc_shape s;
    geometry ge;
    if (!tfc_shape_from_tensor(k->in[0], &s) || s.rank != 4) return tfc_kernel_error(k, "orig_input_shape must hold 4 sizes");
    if (!geometry_at_run(k, s, 1, 1, s.dims[3], "ksize", &ge)) return false;
    if (dy->size != ge.n * ge.oh * ge.ow * ge.c) return tfc_kernel_error(k, "grad does not match the pooled size");
    tfc_tensor *dx = tfc_kernel_output(k, 0, TFC_FLOAT, s);
    if (!dx) return false;
    pool_job j = {&ge, NULL, dy->data, dx->data, NULL, NULL, false};
    tfc_parallel_for(k, ge.n, 1, avg_pool_grad_range, &j);
    return true;
}

static void grad_avg_pool(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out shape = tfc_shape_tensor(g, in_out(g, node, 0), TFC_INT32);
    int n = tfc_node_begin(g, "AvgPoolGrad", NULL, (tfc_out[]){shape, dy[0]}, 2, 1);
    dx[0] = tfc_node_finish(g, pool_attrs(g, node, n, false));
}

const tfc_op_def tfc_op_AvgPool = {"AvgPool", infer_pool, k_avg_pool, grad_avg_pool, 0, .ninputs = 1};
const tfc_op_def tfc_op_AvgPoolGrad = {"AvgPoolGrad", infer_avg_pool_grad, k_avg_pool_grad, NULL, 0, .ninputs = 2};

tfc_out tfc_avg_pool(tfc_graph *g, tfc_out input, const int64_t ksize[4], const int64_t strides[4], const char *padding,
                     const char *name)
{
    return pool_op(g, "AvgPool", input, ksize, strides, padding, name);
}
