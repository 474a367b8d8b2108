/* The blocked matrix product (engine/ops/gemm.c) against a direct double-precision loop, whole
 * and band by band, and the optimiser updates that take a weight gradient from it: a train step
 * whose gradient product is left to ApplyAdam / ApplyGradientDescent must move the weights as the
 * same step does with the gradient computed by MatMul (fetching the gradient keeps it a MatMul). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ops.h"
#include "ops/gemm.h"
#include "optimizer.h"
#include "session.h"

static uint64_t rng_state = 5;
static float frand(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng_state >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
}

/* op(A) op(B) entry (i, j) in double precision; lda/ldb are the stored row strides. */
static double want(bool ta, bool tb, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb, int64_t i, int64_t j)
{
    double s = 0;
    for (int64_t q = 0; q < k; q++) s += (double)(ta ? a[q * lda + i] : a[i * lda + q]) * (tb ? b[j * ldb + q] : b[q * ldb + j]);
    return s;
}

typedef struct {
    bool ta, tb;
    int64_t n, k, lda, ldb, next_row, bands, max_band;
    const float *a, *b;
    double err;
} band_check;

static void on_band(void *arg, int64_t r0, int64_t r1, const float *rows)
{
    band_check *c = arg;
    if (r0 != c->next_row || r1 <= r0 || r1 - r0 > c->max_band) c->err = INFINITY;
    c->next_row = r1;
    c->bands++;
    for (int64_t i = r0; i < r1; i++)
        for (int64_t j = 0; j < c->n; j++)
            c->err = fmax(c->err, fabs(rows[(i - r0) * c->n + j] - want(c->ta, c->tb, c->k, c->a, c->lda, c->b, c->ldb, i, j)));
}

/* A and B are stored with a few spare columns (lda, ldb above the minimum), as a sub-matrix is. */
static void check_gemm(int64_t m, int64_t n, int64_t k, bool ta, bool tb)
{
    int64_t arows = ta ? k : m, acols = ta ? m : k, brows = tb ? n : k, bcols = tb ? k : n;
    int64_t lda = acols + 3, ldb = bcols + 5, ldc = n + 2;
    float *a = malloc((size_t)(arows * lda + 1) * sizeof *a), *b = malloc((size_t)(brows * ldb + 1) * sizeof *b);
    float *c = malloc((size_t)(m * ldc + 1) * sizeof *c);
    for (int64_t i = 0; i < arows * lda; i++) a[i] = frand();
    for (int64_t i = 0; i < brows * ldb; i++) b[i] = frand();
    for (int64_t i = 0; i < m * ldc; i++) c[i] = NAN; /* everything the product covers is written */
    CHECK(tfc_gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc));
    double err = 0;
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) err = fmax(err, fabs(c[i * ldc + j] - want(ta, tb, k, a, lda, b, ldb, i, j)));
        for (int64_t j = n; j < ldc && i + 1 < m; j++) CHECK_MSG(isnan(c[i * ldc + j]), "wrote past column %lld", (long long)n);
    }
    if (isnan(err)) err = INFINITY;
    CHECK_MSG(err < 1e-4 * (1 + sqrt((double)k)), "gemm %lldx%lldx%lld ta=%d tb=%d: off by %g", (long long)m, (long long)n,
              (long long)k, ta, tb, err);

    int64_t band = m / 3 + 1;
    band_check bc = {ta, tb, n, k, lda, ldb, 0, 0, band, a, b, 0};
    CHECK(tfc_gemm_bands(ta, tb, m, n, k, a, lda, b, ldb, band, on_band, &bc));
    CHECK_MSG(bc.next_row == m && bc.bands == (m + band - 1) / band && bc.err < 1e-4 * (1 + sqrt((double)k)),
              "gemm_bands %lldx%lldx%lld ta=%d tb=%d: rows %lld of %lld in %lld bands, off by %g", (long long)m,
              (long long)n, (long long)k, ta, tb, (long long)bc.next_row, (long long)m, (long long)bc.bands, bc.err);
    free(a);
    free(b);
    free(c);
}

/* Trains y = x W (W: 300 x OUT) toward a target for a few steps; returns W afterwards. With
 * fetch_grad the run also fetches W's gradient, so the session must compute it as a MatMul. */
static tfc_tensor *train(tfc_optimizer_kind kind, bool fetch_grad, bool transpose_x, int threads, int64_t OUT, bool *fused)
{
    enum { B = 20, IN = 300 }; /* 300 x 130 weights are split across threads */
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    uint64_t saved = rng_state;
    rng_state = 99;
    tfc_tensor *xv = tfc_tensor_new(TFC_FLOAT, transpose_x ? TFC_SHAPE(IN, B) : TFC_SHAPE(B, IN));
    tfc_tensor *tv = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(B, OUT)), *wv = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(IN, OUT));
    for (int64_t i = 0; i < xv->size; i++) tfc_f32(xv)[i] = frand();
    for (int64_t i = 0; i < tv->size; i++) tfc_f32(tv)[i] = frand();
    for (int64_t i = 0; i < wv->size; i++) tfc_f32(wv)[i] = 0.1f * frand();
    rng_state = saved;
    tfc_out x = tfc_const(g, xv, "x"), w = tfc_variable_const(g, wv, "w");
    tfc_out y = tfc_matmul(g, x, w, transpose_x, false, "y");
    tfc_out loss = tfc_reduce_mean(g, tfc_square(g, tfc_sub(g, y, tfc_const(g, tv, "target"), NULL), NULL), NULL, 0, false, "loss");
    tfc_optimizer opt = kind == TFC_ADAM      ? tfc_adam_optimizer(0.01f)
                        : kind == TFC_ADAGRAD ? tfc_adagrad_optimizer(0.1f)
                        : kind == TFC_RMSPROP ? tfc_rmsprop_optimizer(0.01f)
                                              : tfc_gradient_descent_optimizer(0.5f);
    if (kind == TFC_RMSPROP) {
        opt.momentum = 0.5f;
        opt.centered = true;
    }
    tfc_out step = tfc_optimizer_minimize(g, &opt, loss, TFC_NO_OUT, NULL, 0);
    int update = -1;
    for (int v = 0; v < tfc_graph_num_nodes(g); v++)
        if (strncmp(tfc_node_op(g, v), "Apply", 5) == 0) update = v;
    CHECK(update >= 0);
    tfc_out grad = tfc_node_input(g, update, tfc_node_num_inputs(g, update) - 1);
    CHECK(strcmp(tfc_node_op(g, grad.node), "MatMul") == 0);
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads, .profile = true}, st);
    bool ok = s && tfc_session_run_init(s, st);
    for (int i = 0; ok && i < 4; i++) {
        tfc_tensor *out[2] = {0};
        ok = tfc_session_run(s, NULL, 0, (tfc_out[]){step, grad}, fetch_grad ? 2 : 1, out, st);
        tfc_tensor_free(out[0]);
        tfc_tensor_free(out[1]);
    }
    CHECK_MSG(ok, "%s", tfc_message(st));
    double secs;
    int64_t runs;
    CHECK(tfc_session_node_time(s, grad.node, &secs, &runs));
    *fused = runs == 0;
    tfc_tensor *result = ok ? tfc_tensor_copy(tfc_session_variable(s, tfc_variable_node(g, w))) : NULL;
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
    tfc_tensor_free(xv);
    tfc_tensor_free(tv);
    tfc_tensor_free(wv);
    return result;
}

static void check_fused_update(tfc_optimizer_kind kind, bool transpose_x, int threads, int64_t out)
{
    static const char *const names[] = {"GD", "Momentum", "Adagrad", "RMSProp", "Adam"};
    bool fused_a = false, fused_b = true, adaptive = kind != TFC_GRADIENT_DESCENT;
    tfc_tensor *a = train(kind, false, transpose_x, threads, out, &fused_a), *b = train(kind, true, transpose_x, threads, out, &fused_b);
    CHECK_MSG(fused_a && !fused_b, "%s: the gradient product was %sleft to the update, and %sleft when fetched",
              names[kind], fused_a ? "" : "not ", fused_b ? "" : "not ");
    double err = 0, scale = 0;
    for (int64_t i = 0; a && b && i < a->size; i++) {
        err = fmax(err, fabs(tfc_f32(a)[i] - tfc_f32(b)[i]));
        scale = fmax(scale, fabs(tfc_f32(b)[i]));
    }
    /* The products sum in another order than OpenBLAS's, and the adaptive updates scale each step
     * to about the learning rate whatever the gradient's size, so last-bit differences in tiny
     * gradients show as ~1e-6 in the weights; a misplaced band moves them by ~0.1. */
    CHECK_MSG(a && b && scale > 0 && err <= 1e-4 * (adaptive ? 1 : scale),
              "%s (x%s, %lld outputs, %d threads): fused and unfused weights differ by %g", names[kind],
              transpose_x ? " transposed" : "", (long long)out, threads, err);
    tfc_tensor_free(a);
    tfc_tensor_free(b);
}

int main(void)
{
    /* Rows, columns and inner sizes around the kernel's tile (up to 12 x 32) and block (256) edges;
     * up to 120 rows against a B of 4 MiB or more, B is read in place, or by dot products when
     * transposed (the last three). */
    const int64_t shapes[][3] = {{1, 1, 1},   {50, 1024, 300}, {50, 33, 257}, {13, 31, 5},  {121, 70, 50},
                                 {300, 100, 64}, {7, 65, 600}, {130, 520, 3}, {25, 40, 0}, {50, 1024, 1024},
                                 {7, 1027, 1031}, {120, 97, 10900}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        for (int t = 0; t < 4; t++) check_gemm(shapes[i][0], shapes[i][1], shapes[i][2], t & 1, t & 2);
    for (int threads = 1; threads <= 3; threads += 2)
        for (tfc_optimizer_kind kind = TFC_GRADIENT_DESCENT; kind <= TFC_ADAM; kind++) {
            if (kind == TFC_MOMENTUM) continue; /* its gradient is not its last input: never fused */
            for (int tx = 0; tx < 2; tx++) {
                check_fused_update(kind, tx, threads, 130);
                check_fused_update(kind, tx, threads, 10); /* narrower than a tile: through OpenBLAS */
            }
        }
    return check_result();
}
