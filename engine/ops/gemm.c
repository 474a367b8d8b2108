/* The blocked matrix product of gemm.h, in the GotoBLAS manner: a block of B (KC x NC) and a block
 * of A (MC x KC) are copied into panel order, then a register-blocked kernel computes R x NR tiles
 * of C from them, keeping a whole tile in registers for the KC steps (the tile loop runs at the
 * core's FMA peak). Rows are split into even groups, so a 50-row batch has no half-empty tile.
 * Whole products run about as fast as OpenBLAS's; what it adds is tfc_gemm_bands, which OpenBLAS
 * cannot do: handing C over band by band with B packed once. */
#include "gemm.h"

#include <stdlib.h>
#include <string.h>

#include "conv_vec.h"

#define W TFC_VEC_WIDTH
#define NR (2 * W) /* columns of a tile: two vectors */
#if W >= 16
#define R_MAX 12 /* rows of a tile: 2 x 12 accumulators of the 32 vector registers */
#else
#define R_MAX 6 /* 2 x 6 of 16 */
#endif
#define KC 256 /* inner-dimension block: a B panel of KC x NR stays in L1 */
#define MC 120 /* rows of A packed at once (a multiple of R_MAX) */
#define NC 512 /* columns of B packed at once: KC x NC is 512 KiB, in L2 */
/* Packed B panels lie a cache line more than their size apart: exactly 32 KiB apart, the stores of
 * one row of B into all of them would fall into the same L1 set. */
#define PANEL(kc) ((kc) * NR + 16)

int tfc_gemm_panel_width(void) { return NR; }

static inline float op_a(bool ta, const float *a, int64_t lda, int64_t i, int64_t k)
{
    return ta ? a[k * lda + i] : a[i * lda + k];
}

/* Rows [i0, i0 + mc) and inner steps [p0, p0 + kc) of op(A), in groups of even sizes up to R_MAX:
 * group after group, each stored step by step with its rows side by side. */
static void pack_a(bool ta, const float *a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float *dst)
{
    int64_t groups = (mc + R_MAX - 1) / R_MAX;
    for (int64_t g = 0, i = 0; g < groups; g++) {
        int64_t rr = (mc - i) / (groups - g);
        for (int64_t r = 0; r < rr; r++)
            for (int64_t kk = 0; kk < kc; kk++) dst[kk * rr + r] = op_a(ta, a, lda, i0 + i + r, p0 + kk);
        dst += rr * kc;
        i += rr;
    }
}

/* Columns [j0, j0 + nc) and steps [p0, p0 + kc) of op(B) as panels of NR columns, each stored step
 * by step; a last, narrower panel is padded with zeros. */
static void pack_b(bool tb, const float *b, int64_t ldb, int64_t j0, int64_t nc, int64_t p0, int64_t kc, float *dst)
{
    int64_t full = nc / NR * NR;
    if (!tb) {
        /* A few panels at a time, row by row of B within them: the reads run along memory for a
         * while and the stores go to only a few places. */
        for (int64_t jb = 0; jb < nc; jb += 16 * NR) {
            int64_t je = jb + 16 * NR < full ? jb + 16 * NR : full;
            for (int64_t kk = 0; kk < kc; kk++) {
                const float *src = b + (p0 + kk) * ldb + j0;
                for (int64_t j = jb; j < je; j += NR) memcpy(dst + j / NR * PANEL(kc) + kk * NR, src + j, NR * sizeof *dst);
            }
        }
        if (full < nc)
            for (int64_t kk = 0; kk < kc; kk++) {
                float *d = dst + full / NR * PANEL(kc) + kk * NR;
                memcpy(d, b + (p0 + kk) * ldb + j0 + full, (size_t)(nc - full) * sizeof *dst);
                memset(d + (nc - full), 0, (size_t)(NR - (nc - full)) * sizeof *dst);
            }
        return;
    }
    for (int64_t j = 0; j < nc; j += NR, dst += PANEL(kc)) {
        int64_t nr = nc - j < NR ? nc - j : NR;
        for (int64_t jj = 0; jj < NR; jj++) {
            const float *src = b + (j0 + j + jj) * ldb + p0;
            for (int64_t kk = 0; kk < kc; kk++) dst[kk * NR + jj] = jj < nr ? src[kk] : 0.0f;
        }
    }
}

/* One RR x NR tile: C (+)= A-group . B-panel over kc steps; only nr columns of C are written. The
 * panel's rows lie ldpb floats apart: NR when packed, B's row stride when B is read in place, and
 * then each step asks for the row PREFETCH steps ahead (one B row per step goes to a new page:
 * the hardware's prefetcher does not look that far), and for row q of pf into L2 during the
 * first pfn steps (see multiply_block). */
#define PREFETCH 8
static inline __attribute__((always_inline)) void tile(int rr, int64_t kc, const float *pa, const float *pb, int64_t ldpb,
                                                       float *c, int64_t ldc, int64_t nr, bool add, const float *pf,
                                                       int64_t pfn)
{
    tfc_vec acc0[R_MAX], acc1[R_MAX];
    for (int r = 0; r < rr; r++) acc0[r] = acc1[r] = (tfc_vec){0};
    for (int64_t kk = 0; kk < kc; kk++) {
        tfc_vec b0 = tfc_vec_load(pb + kk * ldpb), b1 = tfc_vec_load(pb + kk * ldpb + W);
        if (ldpb != NR) {
            __builtin_prefetch(pb + (kk + PREFETCH) * ldpb);
            __builtin_prefetch(pb + (kk + PREFETCH) * ldpb + W);
            if (kk < pfn) {
                __builtin_prefetch(pf + kk * ldpb, 0, 2);
                __builtin_prefetch(pf + kk * ldpb + W, 0, 2);
            }
        }
        for (int r = 0; r < rr; r++) {
            float x = pa[kk * rr + r];
            acc0[r] += x * b0;
            acc1[r] += x * b1;
        }
    }
    for (int r = 0; r < rr; r++) {
        float *row = c + r * ldc;
        if (nr == NR) {
            if (add) {
                acc0[r] += tfc_vec_load(row);
                acc1[r] += tfc_vec_load(row + W);
            }
            tfc_vec_store(row, acc0[r]);
            tfc_vec_store(row + W, acc1[r]);
        } else {
            float part[NR];
            tfc_vec_store(part, acc0[r]);
            tfc_vec_store(part + W, acc1[r]);
            for (int64_t j = 0; j < nr; j++) row[j] = add ? row[j] + part[j] : part[j];
        }
    }
}

/* The tile for a run-time row count, through copies specialised for each count. */
static void tile_rows(int64_t rr, int64_t kc, const float *pa, const float *pb, int64_t ldpb, float *c, int64_t ldc,
                      int64_t nr, bool add, const float *pf, int64_t pfn)
{
    switch (rr) {
#define CASE(R)                                                                                        \
    case R: tile(R, kc, pa, pb, ldpb, c, ldc, nr, add, pf, pfn); break;
        CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6)
#if R_MAX > 6
        CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12)
#endif
#undef CASE
    default: break;
    }
}

/* Where multiply_block finds the B panels of its nc columns: panel number q starts at
 * first + q * step and its rows lie row floats apart. */
typedef struct {
    const float *first;
    int64_t step, row;
} panels;

/* Rows [i0, i0 + mc) of C (C points at row i0), the nc columns whose B panels bp gives, over the kc
 * steps of one block of the inner dimension starting at p0: packs that part of A into pa and adds
 * to C unless p0 is 0. */
static void multiply_block(bool ta, const float *a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
                           panels bp, int64_t nc, float *c, int64_t ldc, float *pa)
{
    pack_a(ta, a, lda, i0, mc, p0, kc, pa);
    int64_t groups = (mc + R_MAX - 1) / R_MAX;
    for (int64_t j = 0; j < nc; j += NR) {
        const float *panel = bp.first + (j / NR) * bp.step;
        const float *group = pa;
        for (int64_t g = 0, i = 0; g < groups; g++) {
            int64_t rr = (mc - i) / (groups - g);
            /* Read in place, a panel comes from memory while the first group runs; the other
             * groups, which find it in cache, share out the fetching of the next panel. */
            const float *pf = NULL;
            int64_t pfn = 0;
            if (bp.row != NR && g > 0 && j + NR < nc) {
                int64_t q0 = (g - 1) * kc / (groups - 1), q1 = g * kc / (groups - 1);
                pf = panel + bp.step + q0 * bp.row;
                pfn = q1 - q0;
            }
            tile_rows(rr, kc, group, panel, bp.row, c + i * ldc + j, ldc, nc - j < NR ? nc - j : NR, p0 > 0, pf, pfn);
            group += rr * kc;
            i += rr;
        }
    }
}

/* ---- A few rows of A: B read where it lies ----
 * With a batch of rows against a big weight matrix every element of B serves only those few rows,
 * so copying B into panels first costs about as much as the multiplication: the kernels below read
 * B in place instead (about 1.2x OpenBLAS's speed on the 50 x 3136 x 1024 products of the MNIST
 * CNN's first dense layer). */

/* op(A) B with B as stored: A is packed a block of KC steps at a time, all its rows at once, and
 * each full panel of B is read from B itself; columns short of a panel go the packed way. */
static bool product_b_in_place(bool ta, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                               int64_t ldb, float *c, int64_t ldc)
{
    int64_t full = n / NR * NR;
    float *pa = malloc((size_t)(m * (k < KC ? k : KC)) * sizeof *pa);
    if (!pa) return false;
    for (int64_t p0 = 0; p0 < k; p0 += KC) {
        int64_t kc = k - p0 < KC ? k - p0 : KC;
        multiply_block(ta, a, lda, 0, m, p0, kc, (panels){b + p0 * ldb, NR, ldb}, full, c, ldc, pa);
    }
    free(pa);
    return full == n || tfc_gemm(ta, false, m, n - full, k, a, lda, b + full, ldb, c + full, ldc);
}

/* The dot-product kernel for op(A) B^T, when B's rows (C's columns) run along the inner dimension
 * as A's rows do: a TN x TI block of C from TN rows of B and TI rows of A, each entry a vector of
 * partial sums added up at the end. */
#if W >= 16
#define TN 5
#define TI 5 /* 25 accumulators */
#else
#define TN 3
#define TI 4
#endif
/* The sum of a vector's lanes by halves (a loop over the lanes is a chain of scalar additions). */
typedef float half_vec __attribute__((vector_size(sizeof(tfc_vec) / 2)));
static inline float vec_sum(tfc_vec v)
{
    half_vec a, b;
    memcpy(&a, &v, sizeof a);
    memcpy(&b, (const char *)&v + sizeof a, sizeof b);
    a += b;
#if W >= 16
    typedef float quarter_vec __attribute__((vector_size(16)));
    quarter_vec c, d;
    memcpy(&c, &a, sizeof c);
    memcpy(&d, (const char *)&a + sizeof c, sizeof d);
    c += d;
    return (c[0] + c[2]) + (c[1] + c[3]);
#elif W >= 8
    return (a[0] + a[2]) + (a[1] + a[3]);
#else
    return a[0] + a[1];
#endif
}

static inline __attribute__((always_inline)) void dot_tile(int tn, int ti, int64_t k, const float *a, int64_t lda,
                                                           const float *b, int64_t ldb, float *c, int64_t ldc)
{
    tfc_vec acc[TN][TI];
    for (int x = 0; x < tn; x++)
        for (int y = 0; y < ti; y++) acc[x][y] = (tfc_vec){0};
    int64_t kv = k / W * W;
    for (int64_t q = 0; q < kv; q += W) {
        tfc_vec bv[TN];
        for (int x = 0; x < tn; x++) bv[x] = tfc_vec_load(b + x * ldb + q);
        for (int y = 0; y < ti; y++) {
            tfc_vec av = tfc_vec_load(a + y * lda + q);
            for (int x = 0; x < tn; x++) acc[x][y] += av * bv[x];
        }
    }
    for (int x = 0; x < tn; x++)
        for (int y = 0; y < ti; y++) {
            float sum = vec_sum(acc[x][y]);
            for (int64_t q = kv; q < k; q++) sum += a[y * lda + q] * b[x * ldb + q];
            c[y * ldc + x] = sum;
        }
}

static void dot_block(int64_t tn, int64_t ti, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                      float *c, int64_t ldc)
{
    switch (tn * 8 + ti) {
#define CASE(X, Y)                                                                                                        \
    case X * 8 + Y: dot_tile(X, Y, k, a, lda, b, ldb, c, ldc); break;
#define ROW(X) CASE(X, 1) CASE(X, 2) CASE(X, 3) CASE(X, 4)
        ROW(1) ROW(2) ROW(3)
#if TN > 3
        ROW(4) ROW(5) CASE(1, 5) CASE(2, 5) CASE(3, 5) CASE(4, 5) CASE(5, 5)
#endif
#undef ROW
#undef CASE
    default: break;
    }
}

/* op(A) B^T: A's rows in even groups of up to TI, B's rows TN at a time (the same TN rows of B for
 * every group while they are in L1). A transposed is copied into rows first. */
static bool product_dots(bool ta, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                         int64_t ldb, float *c, int64_t ldc)
{
    float *rows = NULL;
    if (ta) {
        rows = malloc((size_t)(m * k) * sizeof *rows);
        if (!rows) return false;
        for (int64_t q = 0; q < k; q++)
            for (int64_t i = 0; i < m; i++) rows[i * k + q] = a[q * lda + i];
        a = rows;
        lda = k;
    }
    int64_t groups = (m + TI - 1) / TI;
    for (int64_t j = 0; j < n; j += TN) {
        int64_t tn = n - j < TN ? n - j : TN;
        for (int64_t g = 0, i = 0; g < groups; g++) {
            int64_t ti = (m - i) / (groups - g);
            dot_block(tn, ti, k, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc);
            i += ti;
        }
    }
    free(rows);
    return true;
}

bool tfc_gemm_few_rows(bool tb, int64_t m, int64_t n, int64_t k)
{
    /* B of 4 MiB or more comes from L3 or memory whichever way, and packing it is a second pass;
     * a smaller B stays in L2, where packing is cheap and aligned panels are faster to read (a
     * 100 x 784 x 300 product runs ~20% slower in place). */
    return m > 0 && m <= MC && n >= NR && k >= (tb ? 4 * W : 1) && n * k >= (1 << 20);
}

bool tfc_gemm_in_place(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                       int64_t ldb, float *c, int64_t ldc)
{
    return tb ? product_dots(ta, m, n, k, a, lda, b, ldb, c, ldc) : product_b_in_place(ta, m, n, k, a, lda, b, ldb, c, ldc);
}

bool tfc_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
              int64_t ldb, float *c, int64_t ldc)
{
    if (m <= 0 || n <= 0) return true;
    if (k <= 0) {
        for (int64_t i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof *c);
        return true;
    }
    if (tfc_gemm_few_rows(tb, m, n, k)) return tfc_gemm_in_place(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    int64_t kcap = k < KC ? k : KC, npanels = ((n < NC ? n : NC) + NR - 1) / NR, mcap = m < MC ? m : MC;
    float *pa = malloc((size_t)(mcap * kcap) * sizeof *pa), *pb = malloc((size_t)(npanels * PANEL(kcap)) * sizeof *pb);
    if (!pa || !pb) {
        free(pa);
        free(pb);
        return false;
    }
    for (int64_t j0 = 0; j0 < n; j0 += NC) {
        int64_t nc = n - j0 < NC ? n - j0 : NC;
        for (int64_t p0 = 0; p0 < k; p0 += KC) {
            int64_t kc = k - p0 < KC ? k - p0 : KC;
            pack_b(tb, b, ldb, j0, nc, p0, kc, pb);
            for (int64_t i0 = 0; i0 < m; i0 += MC) {
                int64_t mc = m - i0 < MC ? m - i0 : MC;
                multiply_block(ta, a, lda, i0, mc, p0, kc, (panels){pb, PANEL(kc), NR}, nc, c + i0 * ldc + j0, ldc, pa);
            }
        }
    }
    free(pa);
    free(pb);
    return true;
}

bool tfc_gemm_bands(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                    int64_t ldb, int64_t band, void (*fn)(void *arg, int64_t r0, int64_t r1, const float *rows), void *arg)
{
    if (m <= 0 || n <= 0) return true;
    if (band < 1) band = 1;
    if (band > m) band = m;
    float *rows = malloc((size_t)(band * n) * sizeof *rows);
    if (!rows) return false;
    bool ok = true;
    if (k > KC || k <= 0) {
        /* A long inner dimension: each band is a product of its own. */
        for (int64_t r0 = 0; ok && r0 < m; r0 += band) {
            int64_t r1 = m - r0 < band ? m : r0 + band;
            ok = tfc_gemm(ta, tb, r1 - r0, n, k, ta ? a + r0 : a + r0 * lda, lda, b, ldb, rows, n);
            if (ok) fn(arg, r0, r1, rows);
        }
        free(rows);
        return ok;
    }
    /* One block of the inner dimension: B is packed once for all bands. */
    int64_t npanels = (n + NR - 1) / NR, mcap = band < MC ? band : MC;
    float *pb = malloc((size_t)(npanels * PANEL(k)) * sizeof *pb), *pa = malloc((size_t)(mcap * k) * sizeof *pa);
    if (pb && pa) {
        pack_b(tb, b, ldb, 0, n, 0, k, pb);
        for (int64_t r0 = 0; r0 < m; r0 += band) {
            int64_t r1 = m - r0 < band ? m : r0 + band;
            for (int64_t i0 = r0; i0 < r1; i0 += MC) {
                int64_t mc = r1 - i0 < MC ? r1 - i0 : MC;
                multiply_block(ta, a, lda, i0, mc, 0, k, (panels){pb, PANEL(k), NR}, n, rows + (i0 - r0) * n, n, pa);
            }
            fn(arg, r0, r1, rows);
        }
    }
    ok = pb && pa;
    free(pb);
    free(pa);
    free(rows);
    return ok;
}
