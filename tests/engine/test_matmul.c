/* MatMul against a direct double-precision loop for every transpose combination, on products big
 * enough to be split across threads: by rows when C is tall, by columns when it is short and wide
 * (a batch times a weight matrix), over 1 to 3 threads. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "ops.h"
#include "session.h"

static uint64_t rng_state = 11;
static float frand(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng_state >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
}

static void check_product(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int threads)
{
    tfc_shape sa = ta ? TFC_SHAPE(k, m) : TFC_SHAPE(m, k), sb = tb ? TFC_SHAPE(n, k) : TFC_SHAPE(k, n);
    tfc_tensor *av = tfc_tensor_new(TFC_FLOAT, sa), *bv = tfc_tensor_new(TFC_FLOAT, sb);
    for (int64_t i = 0; i < av->size; i++) tfc_f32(av)[i] = frand();
    for (int64_t i = 0; i < bv->size; i++) tfc_f32(bv)[i] = frand();
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out c = tfc_matmul(g, tfc_const(g, av, "a"), tfc_const(g, bv, "b"), ta, tb, NULL);
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads}, st);
    tfc_tensor *out = NULL;
    CHECK_MSG(s && tfc_session_run(s, NULL, 0, &c, 1, &out, st), "%s", tfc_message(st));
    double err = 0;
    for (int64_t i = 0; out && i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double want = 0;
            for (int64_t q = 0; q < k; q++)
                want += (double)tfc_f32(av)[ta ? q * m + i : i * k + q] * tfc_f32(bv)[tb ? j * k + q : q * n + j];
            err = fmax(err, fabs(tfc_f32(out)[i * n + j] - want));
        }
    CHECK_MSG(out && err < 1e-4, "%lldx%lldx%lld ta=%d tb=%d, %d threads: off by %g", (long long)m, (long long)n, (long long)k,
              ta, tb, threads, err);
    tfc_tensor_free(out);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
    tfc_tensor_free(av);
    tfc_tensor_free(bv);
}

int main(void)
{
    /* the last two: a few rows against a B of more than 2^20 entries (B read in place, by dot
     * products when transposed, in column bands on the threads), a width not a multiple of the
     * panels, an inner dimension not a multiple of the blocks */
    const int64_t shapes[][3] = {{50, 301, 97}, {301, 50, 97}, {7, 1000, 64}, {130, 129, 40}, {50, 1024, 1100},
                                 {21, 1000, 1100}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        for (int t = 0; t < 4; t++)
            for (int threads = 1; threads <= 3; threads++)
                check_product(shapes[i][0], shapes[i][1], shapes[i][2], t & 1, t & 2, threads);
    return check_result();
}
