/* Conv2D and MaxPool: small cases worked by hand; the kernels (Winograd for 5x5 stride 1, direct
 * loops for few taps, im2col otherwise, over several thread counts) and their gradients against a direct double-precision
 * loop on random data; shape, stride and padding mistakes as build-time errors naming the node. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "grad.h"
#include "ops.h"
#include "session.h"

static uint64_t rng_state = 7;
static float frand(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng_state >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
}

static tfc_tensor *random_tensor(tfc_shape s)
{
    tfc_tensor *t = tfc_tensor_new(TFC_FLOAT, s);
    for (int64_t i = 0; i < t->size; i++) tfc_f32(t)[i] = frand();
    return t;
}

/* ---- the direct loops the kernels are checked against ---- */

typedef struct {
    int64_t n, h, w, c, kh, kw, o, sh, sw;
    bool same;
} conv_spec;

/* A spec with TensorFlow's output size and padding before. */
typedef struct {
    int64_t n, h, w, c, kh, kw, o, sh, sw;
    bool same;
    int64_t oh, ow, pt, pl;
} conv_case;

static conv_case settle(conv_spec sp)
{
    conv_case c = {sp.n, sp.h, sp.w, sp.c, sp.kh, sp.kw, sp.o, sp.sh, sp.sw, sp.same, 0, 0, 0, 0}, *cc = &c;
    if (cc->same) {
        cc->oh = (cc->h + cc->sh - 1) / cc->sh;
        cc->ow = (cc->w + cc->sw - 1) / cc->sw;
        int64_t ph = (cc->oh - 1) * cc->sh + cc->kh - cc->h, pw = (cc->ow - 1) * cc->sw + cc->kw - cc->w;
        cc->pt = ph > 0 ? ph / 2 : 0;
        cc->pl = pw > 0 ? pw / 2 : 0;
    } else {
        cc->oh = (cc->h - cc->kh) / cc->sh + 1;
        cc->ow = (cc->w - cc->kw) / cc->sw + 1;
        cc->pt = cc->pl = 0;
    }
    return c;
}

/* Calls fn for every (output element, filter element) pair that meets inside the image. */
#define FOR_EACH_TAP(cc, body)                                                                                   \
    for (int64_t n = 0; n < cc->n; n++)                                                                          \
        for (int64_t oy = 0; oy < cc->oh; oy++)                                                                  \
            for (int64_t ox = 0; ox < cc->ow; ox++)                                                              \
                for (int64_t ky = 0; ky < cc->kh; ky++)                                                          \
                    for (int64_t kx = 0; kx < cc->kw; kx++) {                                                    \
                        int64_t iy = oy * cc->sh + ky - cc->pt, ix = ox * cc->sw + kx - cc->pl;                  \
                        if (iy < 0 || iy >= cc->h || ix < 0 || ix >= cc->w) continue;                            \
                        for (int64_t c = 0; c < cc->c; c++)                                                      \
                            for (int64_t o = 0; o < cc->o; o++) {                                                \
                                int64_t xi = ((n * cc->h + iy) * cc->w + ix) * cc->c + c;                        \
                                int64_t fi = ((ky * cc->kw + kx) * cc->c + c) * cc->o + o;                       \
                                int64_t yi = ((n * cc->oh + oy) * cc->ow + ox) * cc->o + o;                      \
                                body;                                                                            \
                            }                                                                                    \
                    }

/* Largest |got - want| relative to the largest |want|. */
static double rel_error(const tfc_tensor *got, const double *want, int64_t size)
{
    double scale = 1e-30, err = 0;
    for (int64_t i = 0; i < size; i++) scale = fmax(scale, fabs(want[i]));
    if (!got || got->size != size) return INFINITY;
    for (int64_t i = 0; i < size; i++) err = fmax(err, fabs(tfc_f32(got)[i] - want[i]));
    return err / scale;
}

/* Conv2D, its input gradient and its filter gradient for loss = sum(conv(x, f) * r); plain: with
 * the session's plain_convolution (no Winograd). */
static void check_conv_case(conv_spec spec, int threads, bool plain)
{
    conv_case cc = settle(spec);
    char what[160];
    snprintf(what, sizeof what, "%lldx%lldx%lld, %lldx%lld window to %lld, strides %lld,%lld, %s, %d threads%s", (long long)cc.h,
             (long long)cc.w, (long long)cc.c, (long long)cc.kh, (long long)cc.kw, (long long)cc.o, (long long)cc.sh,
             (long long)cc.sw, cc.same ? "SAME" : "VALID", threads, plain ? ", plain" : "");
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_tensor *xv = random_tensor(TFC_SHAPE(cc.n, cc.h, cc.w, cc.c)), *fv = random_tensor(TFC_SHAPE(cc.kh, cc.kw, cc.c, cc.o));
    tfc_tensor *rv = random_tensor(TFC_SHAPE(cc.n, cc.oh, cc.ow, cc.o));
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, cc.h, cc.w, cc.c), "x");
    tfc_out f = tfc_placeholder(g, TFC_FLOAT, fv->shape, "f");
    tfc_out y = tfc_conv2d(g, x, f, (const int64_t[]){1, cc.sh, cc.sw, 1}, cc.same ? "SAME" : "VALID", "conv");
    tfc_out loss = tfc_reduce_sum(g, tfc_mul(g, y, tfc_const(g, rv, "r"), NULL), NULL, 0, false, "loss");
    tfc_out d[2];
    CHECK_MSG(tfc_gradients(g, loss, (tfc_out[]){x, f}, 2, d), "%s: %s", what, tfc_graph_error(g));
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads, .plain_convolution = plain}, st);
    tfc_tensor *out[3] = {0};
    CHECK_MSG(s && tfc_session_run(s, TFC_FEEDS({x, xv}, {f, fv}), TFC_FETCHES(y, d[0], d[1]), out, st), "%s: %s", what,
              tfc_message(st));

    double *wy = calloc((size_t)rv->size, sizeof *wy), *wx = calloc((size_t)xv->size, sizeof *wx);
    double *wf = calloc((size_t)fv->size, sizeof *wf);
    const float *X = tfc_f32(xv), *F = tfc_f32(fv), *R = tfc_f32(rv);
    conv_case *p = &cc;
    FOR_EACH_TAP(p, {
        wy[yi] += (double)X[xi] * F[fi];
        wx[xi] += (double)R[yi] * F[fi];
        wf[fi] += (double)R[yi] * X[xi];
    });
    double ey = rel_error(out[0], wy, rv->size), ex = rel_error(out[1], wx, xv->size), ef = rel_error(out[2], wf, fv->size);
    /* Winograd's transforms (5x5 windows, stride 1, 16k channels) cost some precision: a few 1e-6
     * relative, up to 3e-5 for a filter gradient from a single output pixel; the other kernels
     * sum the products directly, and so do all with plain_convolution. */
    double tol = !plain && cc.kh == 5 && cc.kw == 5 && cc.sh == 1 && cc.sw == 1 && cc.c % 16 == 0 && cc.o % 16 == 0 ? 5e-5 : 2e-6;
    CHECK_MSG(ey < tol, "%s: Conv2D off by %g", what, ey);
    CHECK_MSG(ex < tol, "%s: Conv2DBackpropInput off by %g", what, ex);
    CHECK_MSG(ef < tol, "%s: Conv2DBackpropFilter off by %g", what, ef);
    for (int i = 0; i < 3; i++) tfc_tensor_free(out[i]);
    free(wy);
    free(wx);
    free(wf);
    tfc_tensor_free(xv);
    tfc_tensor_free(fv);
    tfc_tensor_free(rv);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

static void test_conv_against_direct(void)
{
    /* n, h, w, c, kh, kw, o, sh, sw, same */
    const conv_spec cases[] = {
        /* Winograd: the CNN's second layer, odd sizes (partial tiles), VALID, more tiles than a block */
        {2, 14, 14, 32, 5, 5, 64, 1, 1, true},
        {3, 7, 9, 16, 5, 5, 32, 1, 1, true},
        {2, 9, 8, 32, 5, 5, 16, 1, 1, false},
        {1, 5, 5, 16, 5, 5, 16, 1, 1, false},
        {3, 23, 19, 16, 5, 5, 48, 1, 1, true},
        /* direct (at most 32 taps, 32k outputs; the input gradient by im2col): the CNN's first
         * layer, strides, odd widths, an even window */
        {4, 28, 28, 1, 5, 5, 32, 1, 1, true},
        {2, 9, 7, 3, 3, 3, 64, 2, 2, false},
        {3, 10, 11, 2, 3, 3, 32, 1, 2, true},
        {2, 6, 6, 2, 4, 4, 32, 1, 1, true},
        /* im2col: more taps or outputs not multiples of 32, other windows, strides */
        {3, 7, 9, 9, 5, 5, 17, 1, 1, true},
        {2, 7, 6, 3, 3, 3, 5, 2, 2, true},
        {2, 8, 7, 3, 3, 2, 4, 2, 3, false},
        {2, 9, 9, 16, 5, 5, 8, 2, 2, true},
        {1, 6, 6, 4, 1, 1, 3, 1, 1, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int threads = 1; threads <= 3; threads += 2) check_conv_case(cases[i], threads, false);
        check_conv_case(cases[i], 2, true);
    }
}

/* MaxPool and MaxPoolGrad (through the gradient of sum(pool(x) * r)) against direct loops; the
 * input has ties (values on a coarse grid) so the first-maximum rule is exercised. */
static void check_pool_case(conv_spec spec, int threads)
{
    spec.o = spec.c;
    conv_case cc = settle(spec);
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_tensor *xv = random_tensor(TFC_SHAPE(cc.n, cc.h, cc.w, cc.c)), *rv = random_tensor(TFC_SHAPE(cc.n, cc.oh, cc.ow, cc.c));
    for (int64_t i = 0; i < xv->size; i++) tfc_f32(xv)[i] = roundf(tfc_f32(xv)[i] * 3);
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, xv->shape, "x");
    tfc_out y = tfc_max_pool(g, x, (const int64_t[]){1, cc.kh, cc.kw, 1}, (const int64_t[]){1, cc.sh, cc.sw, 1},
                             cc.same ? "SAME" : "VALID", NULL);
    tfc_out loss = tfc_reduce_sum(g, tfc_mul(g, y, tfc_const(g, rv, "r"), NULL), NULL, 0, false, "loss");
    tfc_out dx;
    CHECK(tfc_gradients(g, loss, &x, 1, &dx));
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads}, st);
    tfc_tensor *out[2] = {0};
    CHECK_MSG(s && tfc_session_run(s, TFC_FEEDS({x, xv}), TFC_FETCHES(y, dx), out, st), "%s", tfc_message(st));
    double *wy = malloc((size_t)rv->size * sizeof *wy), *wx = calloc((size_t)xv->size, sizeof *wx);
    const float *X = tfc_f32(xv);
    for (int64_t n = 0; n < cc.n; n++)
        for (int64_t oy = 0; oy < cc.oh; oy++)
            for (int64_t ox = 0; ox < cc.ow; ox++)
                for (int64_t c = 0; c < cc.c; c++) {
                    int64_t best = -1;
                    for (int64_t ky = 0; ky < cc.kh; ky++)
                        for (int64_t kx = 0; kx < cc.kw; kx++) {
                            int64_t iy = oy * cc.sh + ky - cc.pt, ix = ox * cc.sw + kx - cc.pl;
                            if (iy < 0 || iy >= cc.h || ix < 0 || ix >= cc.w) continue;
                            int64_t at = ((n * cc.h + iy) * cc.w + ix) * cc.c + c;
                            if (best < 0 || X[at] > X[best]) best = at;
                        }
                    int64_t yi = ((n * cc.oh + oy) * cc.ow + ox) * cc.c + c;
                    wy[yi] = X[best];
                    wx[best] += tfc_f32(rv)[yi];
                }
    double ey = rel_error(out[0], wy, rv->size), ex = rel_error(out[1], wx, xv->size);
    CHECK_MSG(ey == 0, "MaxPool %lldx%lld/%lld,%lld %s: off by %g", (long long)cc.kh, (long long)cc.kw, (long long)cc.sh,
              (long long)cc.sw, cc.same ? "SAME" : "VALID", ey);
    CHECK_MSG(ex < 1e-6, "MaxPoolGrad %lldx%lld/%lld,%lld %s: off by %g", (long long)cc.kh, (long long)cc.kw, (long long)cc.sh,
              (long long)cc.sw, cc.same ? "SAME" : "VALID", ex);
    for (int i = 0; i < 2; i++) tfc_tensor_free(out[i]);
    free(wy);
    free(wx);
    tfc_tensor_free(xv);
    tfc_tensor_free(rv);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

static void test_pool_against_direct(void)
{
    /* n, h, w, c, kh, kw, (o), sh, sw, same */
    const conv_spec cases[] = {
        {3, 28, 28, 32, 2, 2, 0, 2, 2, true}, {2, 7, 7, 64, 2, 2, 0, 2, 2, true}, {2, 7, 8, 5, 3, 3, 0, 2, 2, true},
        {2, 9, 7, 70, 3, 3, 0, 1, 2, false},  {2, 5, 5, 3, 5, 5, 0, 1, 1, false}, {1, 6, 5, 2, 3, 2, 0, 3, 1, true},
        /* disjoint windows leaving pixels out: VALID remainders, strides past the window */
        {2, 7, 9, 5, 2, 2, 0, 2, 2, false},   {2, 8, 8, 3, 2, 2, 0, 3, 3, false}, {1, 8, 7, 70, 2, 3, 0, 3, 3, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int threads = 1; threads <= 2; threads++) check_pool_case(cases[i], threads);
}

/* ---- small cases by hand ---- */

static tfc_tensor *run1(tfc_graph *g, tfc_out fetch)
{
    tfc_status *st = tfc_status_new();
    tfc_session *s = tfc_session_new(g, NULL, st);
    tfc_tensor *out = NULL;
    CHECK_MSG(s && tfc_session_run(s, NULL, 0, &fetch, 1, &out, st), "%s", tfc_message(st));
    tfc_session_free(s);
    tfc_status_free(st);
    return out;
}

static void check_values(const char *what, const tfc_tensor *t, tfc_shape shape, const float *want)
{
    CHECK_MSG(t && tfc_shape_equal(t->shape, shape), "%s: wrong shape", what);
    if (!t || !tfc_shape_equal(t->shape, shape)) return;
    for (int64_t i = 0; i < t->size; i++) CHECK_MSG(tfc_f32(t)[i] == want[i], "%s[%lld] = %g, want %g", what, (long long)i, tfc_f32(t)[i], want[i]);
}

static void test_by_hand(void)
{
    /* The 4x4 image 1..16 with the 2x2 filter [[1, 0], [0, -1]] (top left minus bottom right):
     * VALID stride 1 gives -5 everywhere (3x3). SAME stride 2 pads nothing before: windows at
     * (0,0), (0,2), (2,0), (2,2) give -5 each. SAME stride 1 (4x4) pads one row/column after, so
     * the last row/column see x alone: 4, 8, 12 then 13 14 15 16. */
    float img[16], filt[4] = {1, 0, 0, -1};
    for (int i = 0; i < 16; i++) img[i] = (float)(i + 1);
    tfc_tensor *xv = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1, 4, 4, 1), img);
    tfc_tensor *fv = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(2, 2, 1, 1), filt);
    struct {
        const char *padding;
        int64_t stride;
        tfc_shape shape;
        float want[16];
    } cases[] = {
        {"VALID", 1, TFC_SHAPE(1, 3, 3, 1), {-5, -5, -5, -5, -5, -5, -5, -5, -5}},
        {"SAME", 2, TFC_SHAPE(1, 2, 2, 1), {-5, -5, -5, -5}},
        {"SAME", 1, TFC_SHAPE(1, 4, 4, 1), {-5, -5, -5, 4, -5, -5, -5, 8, -5, -5, -5, 12, 13, 14, 15, 16}},
        {"VALID", 2, TFC_SHAPE(1, 2, 2, 1), {-5, -5, -5, -5}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tfc_graph *g = tfc_graph_new();
        tfc_out y = tfc_conv2d(g, tfc_const(g, xv, "x"), tfc_const(g, fv, "f"),
                               (const int64_t[]){1, cases[i].stride, cases[i].stride, 1}, cases[i].padding, NULL);
        tfc_tensor *t = run1(g, y);
        check_values(cases[i].padding, t, cases[i].shape, cases[i].want);
        tfc_tensor_free(t);
        tfc_graph_free(g);
    }
    /* Two channels in, two out: out0 = in0 + in1, out1 = in0 - 2 in1 with a 1x1 filter. */
    float two[8] = {1, 2, 3, 4, 5, 6, 7, 8}, mix[4] = {1, 1, 1, -2};
    tfc_graph *g = tfc_graph_new();
    tfc_tensor *tv = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1, 2, 2, 2), two), *mv = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1, 1, 2, 2), mix);
    tfc_tensor *t = run1(g, tfc_conv2d(g, tfc_const(g, tv, "x"), tfc_const(g, mv, "f"), (const int64_t[]){1, 1, 1, 1}, "SAME", NULL));
    check_values("1x1 channel mix", t, TFC_SHAPE(1, 2, 2, 2), (const float[]){3, -3, 7, -5, 11, -7, 15, -9});
    tfc_tensor_free(t);
    tfc_graph_free(g);

    /* MaxPool 2x2/2 SAME on a 3x3 image 1..9 (one padding row/column after): 5 6 / 8 9;
     * 3x3/1 VALID: 9. Ties go to the first maximum: pooling [[7, 7], [7, 1]] sends the whole
     * gradient to the top left. */
    float nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    tfc_tensor *nv = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1, 3, 3, 1), nine);
    g = tfc_graph_new();
    t = run1(g, tfc_max_pool(g, tfc_const(g, nv, "x"), (const int64_t[]){1, 2, 2, 1}, (const int64_t[]){1, 2, 2, 1}, "SAME", NULL));
    check_values("MaxPool SAME", t, TFC_SHAPE(1, 2, 2, 1), (const float[]){5, 6, 8, 9});
    tfc_tensor_free(t);
    tfc_graph_free(g);
    g = tfc_graph_new();
    t = run1(g, tfc_max_pool(g, tfc_const(g, nv, "x"), (const int64_t[]){1, 3, 3, 1}, (const int64_t[]){1, 1, 1, 1}, "VALID", NULL));
    check_values("MaxPool VALID", t, TFC_SHAPE(1, 1, 1, 1), (const float[]){9});
    tfc_tensor_free(t);
    tfc_graph_free(g);
    g = tfc_graph_new();
    tfc_tensor *tie = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1, 2, 2, 1), (const float[]){7, 7, 7, 1});
    tfc_out x = tfc_const(g, tie, "x"), dx;
    tfc_out pooled = tfc_max_pool(g, x, (const int64_t[]){1, 2, 2, 1}, (const int64_t[]){1, 2, 2, 1}, "VALID", NULL);
    CHECK(tfc_gradients(g, pooled, &x, 1, &dx));
    t = run1(g, dx);
    check_values("MaxPoolGrad tie", t, TFC_SHAPE(1, 2, 2, 1), (const float[]){1, 0, 0, 0});
    tfc_tensor_free(t);
    tfc_graph_free(g);
    tfc_tensor_free(tie);
    /* The same routing with 16 channels (the vector path): each channel's window a, b, c, d with
     * ties, zeros (as after a ReLU), NaNs first and later; the rest all zero (to a). */
    const float win[8][4] = {{7, 7, 7, 1}, {1, 7, 7, 1}, {1, 1, 7, 7}, {1, 1, 1, 7},
                             {0, 0, 0, 0}, {NAN, 1, 2, 3}, {1, NAN, 2, 3}, {-1, -2, -3, -4}};
    const int to[16] = {0, 1, 2, 3, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    float xs[64] = {0}, want[64] = {0};
    for (int ch = 0; ch < 16; ch++) {
        for (int p = 0; p < 4 && ch < 8; p++) xs[p * 16 + ch] = win[ch][p];
        want[to[ch] * 16 + ch] = 1;
    }
    tfc_tensor *wide = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1, 2, 2, 16), xs);
    g = tfc_graph_new();
    x = tfc_const(g, wide, "x");
    pooled = tfc_max_pool(g, x, (const int64_t[]){1, 2, 2, 1}, (const int64_t[]){1, 2, 2, 1}, "VALID", NULL);
    CHECK(tfc_gradients(g, pooled, &x, 1, &dx));
    t = run1(g, dx);
    check_values("MaxPoolGrad 16 channels", t, TFC_SHAPE(1, 2, 2, 16), want);
    tfc_tensor_free(t);
    tfc_graph_free(g);
    tfc_tensor_free(wide);
    tfc_tensor_free(nv);
    tfc_tensor_free(tv);
    tfc_tensor_free(mv);
    tfc_tensor_free(xv);
    tfc_tensor_free(fv);
}

/* ---- ops folded into the one before them ---- */

/* Runs graph g (freed here) with profiling, fetching `want` and, unless fold, also `also` (which
 * keeps the session from folding); returns want's value and sets *runs to how often node watch's
 * kernel ran. */
static tfc_tensor *run_watching(tfc_graph *g, tfc_out want, tfc_out also, bool fold, int watch, int64_t *runs)
{
    tfc_status *st = tfc_status_new();
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = 2, .profile = true}, st);
    tfc_tensor *out[2] = {0};
    double sec;
    CHECK_MSG(s && tfc_session_run(s, NULL, 0, (tfc_out[]){want, also}, fold ? 1 : 2, out, st), "%s", tfc_message(st));
    CHECK(s && tfc_session_node_time(s, watch, &sec, runs));
    tfc_tensor_free(out[1]);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
    return out[0];
}

/* Whether two results are the same bit for bit. */
static bool same_bits(const tfc_tensor *a, const tfc_tensor *b)
{
    return a && b && a->size == b->size && memcmp(a->data, b->data, (size_t)a->size * sizeof(float)) == 0;
}

/* ---- ReluGrad folded into MaxPoolGrad ----
 * relu -> max-pool: the gradient of the relu's input, with the MaxPoolGrad's output also fetched
 * (so the session cannot fold the ReluGrad into it) and not (so it does, and the ReluGrad kernel does
 * not run): the same values, bit for bit, on disjoint 2x2 windows (vector path and not), clipped
 * windows and overlapping ones, with zeros, negatives and ties in the input. */
static void check_relu_fold(conv_spec sp)
{
    tfc_tensor *xt = random_tensor(TFC_SHAPE(sp.n, sp.h, sp.w, sp.c));
    for (int64_t i = 0; i < xt->size; i++)
        if (i % 5 == 0) tfc_f32(xt)[i] = 0; /* ties at zero, as after a relu */
    tfc_tensor *got[2] = {0};
    int64_t relu_runs[2] = {-1, -1};
    for (int fold = 0; fold < 2; fold++) {
        tfc_graph *g = tfc_graph_new();
        tfc_out x = tfc_const(g, xt, "x");
        tfc_out p = tfc_max_pool(g, tfc_relu(g, x, NULL), (const int64_t[]){1, sp.kh, sp.kw, 1},
                                 (const int64_t[]){1, sp.sh, sp.sw, 1}, sp.same ? "SAME" : "VALID", NULL);
        tfc_out dx;
        CHECK(tfc_gradients(g, tfc_reduce_sum(g, p, NULL, 0, false, NULL), &x, 1, &dx)); /* dy = 1: zero windows matter */
        got[fold] = run_watching(g, dx, tfc_node_input(g, dx.node, 0), fold, dx.node, &relu_runs[fold]);
    }
    CHECK_MSG(relu_runs[0] == 1 && relu_runs[1] == 0, "%dx%d/%d: the ReluGrad kernel ran %lld and %lld times", (int)sp.kh,
              (int)sp.kw, (int)sp.sh, (long long)relu_runs[0], (long long)relu_runs[1]);
    CHECK_MSG(same_bits(got[0], got[1]), "%dx%d/%d on %lldx%lldx%lld: folded and separate ReluGrad differ", (int)sp.kh, (int)sp.kw, (int)sp.sh,
              (long long)sp.h, (long long)sp.w, (long long)sp.c);
    tfc_tensor_free(got[0]);
    tfc_tensor_free(got[1]);
    tfc_tensor_free(xt);
}

static void test_relu_fold(void)
{
    const conv_spec cases[] = {{2, 8, 8, 32, 2, 2, 0, 2, 2, true}, {2, 7, 9, 16, 2, 2, 0, 2, 2, true},
                               {2, 6, 6, 3, 2, 2, 0, 2, 2, false}, {2, 7, 7, 5, 3, 3, 0, 1, 1, true}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) check_relu_fold(cases[i]);
}

/* ---- BiasAdd and Relu folded into Conv2D ----
 * conv -> bias -> (relu): the result with the convolution's output also fetched (so the session
 * cannot fold the BiasAdd and Relu into it) and not (so it does, and their kernels do not run): the
 * same values, bit for bit, through the Winograd, direct and im2col kernels. */
static void check_epilogue_fold(conv_spec sp, bool relu)
{
    conv_case cc = settle(sp);
    tfc_tensor *xt = random_tensor(TFC_SHAPE(cc.n, cc.h, cc.w, cc.c));
    tfc_tensor *ft = random_tensor(TFC_SHAPE(cc.kh, cc.kw, cc.c, cc.o)), *bt = random_tensor(TFC_SHAPE(cc.o));
    tfc_tensor *got[2] = {0};
    int64_t runs[2] = {-1, -1};
    for (int fold = 0; fold < 2; fold++) {
        tfc_graph *g = tfc_graph_new();
        tfc_out b = tfc_const(g, bt, "b"); /* made before the convolution, as a layer's variables are */
        tfc_out conv = tfc_conv2d(g, tfc_const(g, xt, "x"), tfc_const(g, ft, "f"), (const int64_t[]){1, sp.sh, sp.sw, 1},
                                  sp.same ? "SAME" : "VALID", NULL);
        tfc_out y = tfc_bias_add(g, conv, b, NULL), bias = y;
        if (relu) y = tfc_relu(g, y, NULL);
        got[fold] = run_watching(g, y, conv, fold, bias.node, &runs[fold]);
    }
    CHECK_MSG(runs[0] == 1 && runs[1] == 0, "the BiasAdd kernel ran %lld and %lld times", (long long)runs[0],
              (long long)runs[1]);
    CHECK_MSG(same_bits(got[0], got[1]), "%dx%d %lld->%lld channels%s: folded and separate BiasAdd differ", (int)sp.kh, (int)sp.kw, (long long)sp.c,
              (long long)sp.o, relu ? " (relu)" : "");
    tfc_tensor_free(got[0]);
    tfc_tensor_free(got[1]);
    tfc_tensor_free(xt);
    tfc_tensor_free(ft);
    tfc_tensor_free(bt);
}

static void test_epilogue_fold(void)
{
    /* Winograd, direct (one input channel, 32 outputs), im2col */
    const conv_spec cases[] = {{2, 9, 7, 16, 5, 5, 32, 1, 1, true}, {2, 11, 10, 1, 5, 5, 32, 1, 1, true},
                               {2, 7, 6, 3, 3, 3, 5, 2, 2, false}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        check_epilogue_fold(cases[i], true);
        check_epilogue_fold(cases[i], false);
    }
}

/* ---- build-time errors ---- */

typedef struct {
    tfc_shape input, filter;
    int64_t strides[4];
    const char *padding;
    const char *message; /* a piece the error must contain */
} bad_conv;

static void check_error(tfc_graph *g, tfc_out y, const char *node, const char *piece)
{
    const char *err = tfc_graph_error(g);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "node '%s'", node);
    CHECK_MSG(!tfc_out_ok(y) && !tfc_graph_ok(g), "%s: accepted", piece);
    CHECK_MSG(err && strstr(err, prefix), "error '%s' does not name %s", err ? err : "", prefix);
    CHECK_MSG(err && strstr(err, piece), "error '%s' does not say '%s'", err ? err : "", piece);
}

static void test_build_errors(void)
{
    const bad_conv convs[] = {
        {TFC_SHAPE(-1, 28, 28, 3), TFC_SHAPE(5, 5, 1, 32), {1, 1, 1, 1}, "SAME", "has 3 channels but filter 'f:0' [5,5,1,32] expects 1"},
        {TFC_SHAPE(-1, 784), TFC_SHAPE(5, 5, 1, 32), {1, 1, 1, 1}, "SAME", "input 'x:0' must be NHWC (rank 4)"},
        {TFC_SHAPE(-1, 28, 28, 1), TFC_SHAPE(5, 5, 32), {1, 1, 1, 1}, "SAME", "filter 'f:0' must be [height, width, in, out]"},
        {TFC_SHAPE(-1, 4, 4, 1), TFC_SHAPE(5, 5, 1, 2), {1, 1, 1, 1}, "VALID", "window is larger than the 4x4 input"},
        {TFC_SHAPE(-1, 8, 8, 1), TFC_SHAPE(3, 3, 1, 2), {1, 0, 1, 1}, "SAME", "strides must be positive"},
        {TFC_SHAPE(-1, 8, 8, 1), TFC_SHAPE(3, 3, 1, 2), {2, 1, 1, 1}, "SAME", "strides must be 1 in the batch and channel"},
        {TFC_SHAPE(-1, 8, 8, 1), TFC_SHAPE(3, 3, 1, 2), {1, 1, 1, 1}, "FULL", "padding must be SAME or VALID, not 'FULL'"},
    };
    for (size_t i = 0; i < sizeof convs / sizeof *convs; i++) {
        tfc_graph *g = tfc_graph_new();
        tfc_out x = tfc_placeholder(g, TFC_FLOAT, convs[i].input, "x");
        tfc_out f = tfc_placeholder(g, TFC_FLOAT, convs[i].filter, "f");
        tfc_out y = tfc_conv2d(g, x, f, convs[i].strides, convs[i].padding, "conv1");
        check_error(g, y, "conv1", convs[i].message);
        tfc_graph_free(g);
    }
    /* Pooling: a window in the batch dimension, a bad padding, a window past a VALID input. */
    struct {
        int64_t ksize[4], strides[4];
        const char *padding, *message;
    } pools[] = {
        {{2, 2, 2, 1}, {1, 2, 2, 1}, "SAME", "ksize must be 1 in the batch and channel"},
        {{1, 2, 2, 1}, {1, 2, 2, 1}, "same", "padding must be SAME or VALID, not 'same'"},
        {{1, 9, 2, 1}, {1, 1, 1, 1}, "VALID", "window is larger than the 8x8 input"},
        {{1, 2, 2, 1}, {1, -1, 2, 1}, "VALID", "strides must be positive"},
    };
    for (size_t i = 0; i < sizeof pools / sizeof *pools; i++) {
        tfc_graph *g = tfc_graph_new();
        tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 8, 8, 3), "x");
        tfc_out y = tfc_max_pool(g, x, pools[i].ksize, pools[i].strides, pools[i].padding, "pool");
        check_error(g, y, "pool", pools[i].message);
        tfc_graph_free(g);
    }
}

int main(void)
{
    test_by_hand();
    test_build_errors();
    test_conv_against_direct();
    test_pool_against_direct();
    test_relu_fold();
    test_epilogue_fold();
    return check_result();
}
