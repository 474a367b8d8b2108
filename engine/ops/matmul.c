/* MatMul through OpenBLAS sgemm, or for a few rows against a wide matrix through engine/ops/gemm.c,
 * with TensorFlow's transpose flags; int32 and int64 products by plain loops. */
#include <cblas.h>

#include "common.h"
#include "gemm.h"

static bool infer_matmul(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_same_dtype(g, node, 0, 1)) return false;
    tfc_shape a = in_shape(g, node, 0), b = in_shape(g, node, 1);
    bool ta = tfc_attr_bool(g, node, "transpose_a", false), tb = tfc_attr_bool(g, node, "transpose_b", false);
    char sa[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX], na[256], nb[256];
    tfc_out_name(g, in_out(g, node, 0), na, sizeof na);
    tfc_out_name(g, in_out(g, node, 1), nb, sizeof nb);
    if ((a.rank >= 0 && a.rank != 2) || (b.rank >= 0 && b.rank != 2))
        return tfc_node_error(g, node, "both inputs must be matrices: '%s' is %s, '%s' is %s", na, tfc_shape_str(a, sa),
                              nb, tfc_shape_str(b, sb));
    int64_t m = a.rank == 2 ? a.dims[ta ? 1 : 0] : -1, ka = a.rank == 2 ? a.dims[ta ? 0 : 1] : -1;
    int64_t kb = b.rank == 2 ? b.dims[tb ? 1 : 0] : -1, n = b.rank == 2 ? b.dims[tb ? 0 : 1] : -1;
    if (ka >= 0 && kb >= 0 && ka != kb)
        return tfc_node_error(g, node, "inner dimensions differ: '%s' is %s%s, '%s' is %s%s", na, tfc_shape_str(a, sa),
                              ta ? " (transposed)" : "", nb, tfc_shape_str(b, sb), tb ? " (transposed)" : "");
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), TFC_SHAPE(m, n));
    return true;
}

typedef struct {
    const float *a, *b;
    float *c;
    int64_t m, n, k;
    bool ta, tb;
    bool few_rows; /* tfc_gemm reads B in place (OpenBLAS if it cannot allocate) */
} gemm_job;

/* Each thread multiplies its own band of rows of C with a single-threaded sgemm: on a few cores
 * this beats OpenBLAS's own threading for the short, skinny products of small networks. */
static void gemm_rows(void *arg, int64_t r0, int64_t r1)
{
    const gemm_job *j = arg;
    const float *a = j->ta ? j->a + r0 : j->a + r0 * j->k;
    cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->tb ? CblasTrans : CblasNoTrans, (int)(r1 - r0),
                (int)j->n, (int)j->k, 1.0f, a, j->ta ? (int)j->m : (int)j->k, j->b, j->tb ? (int)j->k : (int)j->n, 0.0f,
                j->c + r0 * j->n, (int)j->n);
}

/* A band of columns of C. For a short, wide product (a batch of rows times a big weight matrix)
 * splitting rows would make every thread read and pack all of B; by columns each reads its part. */
static void gemm_cols(void *arg, int64_t c0, int64_t c1)
{
    const gemm_job *j = arg;
    const float *b = j->tb ? j->b + c0 * j->k : j->b + c0;
    if (j->few_rows && tfc_gemm_in_place(j->ta, j->tb, j->m, c1 - c0, j->k, j->a, j->ta ? j->m : j->k, b,
                                         j->tb ? j->k : j->n, j->c + c0, j->n))
        return;
    cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->tb ? CblasTrans : CblasNoTrans, (int)j->m,
                (int)(c1 - c0), (int)j->k, 1.0f, j->a, j->ta ? (int)j->m : (int)j->k, b, j->tb ? (int)j->k : (int)j->n, 0.0f,
                j->c + c0, (int)j->n);
}

static bool k_matmul(tfc_kernel_ctx *k)
{
    const tfc_tensor *a = k->in[0], *b = k->in[1];
    bool ta = tfc_attr_bool(k->graph, k->node, "transpose_a", false);
    bool tb = tfc_attr_bool(k->graph, k->node, "transpose_b", false);
    char sa[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX];
    if (a->shape.rank != 2 || b->shape.rank != 2 || a->shape.dims[ta ? 0 : 1] != b->shape.dims[tb ? 1 : 0])
        return tfc_kernel_error(k, "cannot multiply %s by %s", tfc_shape_str(a->shape, sa), tfc_shape_str(b->shape, sb));
    int64_t m = a->shape.dims[ta ? 1 : 0], kk = a->shape.dims[ta ? 0 : 1], n = b->shape.dims[tb ? 0 : 1];
    tfc_tensor *c = tfc_kernel_output(k, 0, a->dtype, TFC_SHAPE(m, n));
    if (!c) return false;
    if (a->dtype != TFC_FLOAT) {
        /* integers wrap around as TensorFlow's */
        TFC_NUMERIC_SWITCH(a->dtype, T, {
            const T *ap = a->data, *bp = b->data;
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++) {
                    uint64_t acc = 0;
                    for (int64_t p = 0; p < kk; p++)
                        acc += (uint64_t)ap[ta ? p * m + i : i * kk + p] * (uint64_t)bp[tb ? j * kk + p : p * n + j];
                    ((T *)c->data)[i * n + j] = (T)acc;
                }
        })
        return true;
    }
    if (!kk) {
        for (int64_t i = 0; i < c->size; i++) tfc_f32(c)[i] = 0;
        return true;
    }
    gemm_job j = {a->data, b->data, c->data, m, n, kk, ta, tb, m < n && tfc_gemm_few_rows(tb, m, n, kk)};
    /* Split rows (or columns, for few rows) across threads when each band still has real work:
     * one band per thread, as sgemm runs best on big calls; tfc_gemm's bands end on its panels. */
    bool by_cols = m < n;
    int64_t len = by_cols ? n : m, threads = tfc_kernel_threads(k);
    int64_t grain = (m * n * kk) / 2 > 200000 ? (len + threads - 1) / threads : len;
    if (j.few_rows) {
        int64_t w = tfc_gemm_panel_width();
        /* B^T's rows are read by dot products with nothing packed per call: smaller pieces cost
         * nothing and let the threads even out (B read in place packs A per call: one band each) */
        grain = tb ? 4 * w : (grain + w - 1) / w * w;
    }
    tfc_parallel_for(k, len, grain < 16 ? 16 : grain, by_cols ? gemm_cols : gemm_rows, &j);
    return true;
}

/* C = A B: dA = dC B^T, dB = A^T dC (with the transposes folded in as TensorFlow does). */
static void grad_matmul(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out a = in_out(g, node, 0), b = in_out(g, node, 1);
    bool ta = tfc_attr_bool(g, node, "transpose_a", false), tb = tfc_attr_bool(g, node, "transpose_b", false);
    if (!ta && !tb) {
        dx[0] = tfc_matmul(g, dy[0], b, false, true, NULL);
        dx[1] = tfc_matmul(g, a, dy[0], true, false, NULL);
    } else if (!ta && tb) {
        dx[0] = tfc_matmul(g, dy[0], b, false, false, NULL);
        dx[1] = tfc_matmul(g, dy[0], a, true, false, NULL);
    } else if (ta && !tb) {
        dx[0] = tfc_matmul(g, b, dy[0], false, true, NULL);
        dx[1] = tfc_matmul(g, a, dy[0], false, false, NULL);
    } else {
        dx[0] = tfc_matmul(g, b, dy[0], true, true, NULL);
        dx[1] = tfc_matmul(g, dy[0], a, true, true, NULL);
    }
}

const tfc_op_def tfc_op_MatMul = {"MatMul", infer_matmul, k_matmul, grad_matmul, 0, .ninputs = 2};

tfc_out tfc_matmul(tfc_graph *g, tfc_out a, tfc_out b, bool transpose_a, bool transpose_b, const char *name)
{
    int n = tfc_node_begin(g, "MatMul", name, (tfc_out[]){a, b}, 2, 1);
    tfc_set_T(g, n);
    tfc_set_attr_bool(g, n, "transpose_a", transpose_a);
    tfc_set_attr_bool(g, n, "transpose_b", transpose_b);
    return tfc_node_finish(g, n);
}
