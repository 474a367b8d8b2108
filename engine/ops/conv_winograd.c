/* Winograd F(4x4, 5x5) convolution and its filter gradient F(5x5, 4x4) on NHWC tensors, with the
 * interpolation points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2015). With BT, G, AT the 1-D transforms:
 *   output tile = AT [ (G w G^T) * (BT d BT^T) ] AT^T
 * for an 8x8 input tile d and a 4x4 output tile, and the 64 element-wise products, summed over
 * input channels, are 64 sgemm calls per block of tiles. Every transform works on rows of
 * channels, so its loops vectorise. */
#include "conv_winograd.h"

#include <cblas.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "conv_vec.h"

/* Tiles handled together: the transformed block stays in the core's cache between the input
 * transform, the products and the output transform. */
#define TILES_PER_BLOCK 32
/* Channels a transform handles at once: one vector, so a transform loads all its input rows into
 * registers before it stores any output row. */
#define CB TFC_VEC_WIDTH

bool tfc_winograd_suits(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t in_channels, int64_t out_channels)
{
    return kh == 5 && kw == 5 && sh == 1 && sw == 1 && in_channels % CB == 0 && out_channels % CB == 0 && in_channels &&
           out_channels;
}

/* ---- the 1-D transforms, each on CB channels of strided rows: row r at in + r * is ---- */

static inline void load_rows(const float *in, int64_t is, tfc_vec *d, int rows)
{
    for (int r = 0; r < rows; r++) d[r] = tfc_vec_load(in + r * is);
}

/* BT: 8 -> 8 (input tiles). */
static inline void apply_bt(const float *in, int64_t is, float *out, int64_t os)
{
    tfc_vec d[8];
    load_rows(in, is, d, 8);
    tfc_vec a1 = d[2] - 4.25f * d[4] + d[6], b1 = d[1] - 4.25f * d[3] + d[5];
    tfc_vec a2 = 0.25f * d[2] - 1.25f * d[4] + d[6], b2 = 0.5f * d[1] - 2.5f * d[3] + 2 * d[5];
    tfc_vec a3 = 4 * d[2] - 5 * d[4] + d[6], b3 = 2 * d[1] - 2.5f * d[3] + 0.5f * d[5];
    tfc_vec_store(out, d[6] - d[0] + 5.25f * (d[2] - d[4]));
    tfc_vec_store(out + os, a1 + b1);
    tfc_vec_store(out + 2 * os, a1 - b1);
    tfc_vec_store(out + 3 * os, a2 + b2);
    tfc_vec_store(out + 4 * os, a2 - b2);
    tfc_vec_store(out + 5 * os, a3 + b3);
    tfc_vec_store(out + 6 * os, a3 - b3);
    tfc_vec_store(out + 7 * os, d[7] - d[1] + 5.25f * (d[3] - d[5]));
}

/* The sums and differences of the point pairs (1, -1), (2, -2), (1/2, -1/2) of a transformed row. */
typedef struct {
    tfc_vec s1, d1, s2, d2, s3, d3;
} pairs;

static inline pairs pair_up(const tfc_vec *m)
{
    return (pairs){m[1] + m[2], m[1] - m[2], m[3] + m[4], m[3] - m[4], m[5] + m[6], m[5] - m[6]};
}

/* AT of F(4, 5): 8 -> 4 (output tiles). */
static inline void apply_at4(const float *in, int64_t is, float *out, int64_t os)
{
    tfc_vec m[8];
    load_rows(in, is, m, 8);
    pairs p = pair_up(m);
    tfc_vec_store(out, m[0] + p.s1 + p.s2 + p.s3);
    tfc_vec_store(out + os, p.d1 + 2 * p.d2 + 0.5f * p.d3);
    tfc_vec_store(out + 2 * os, p.s1 + 4 * p.s2 + 0.25f * p.s3);
    tfc_vec_store(out + 3 * os, p.d1 + 8 * p.d2 + 0.125f * p.d3 + m[7]);
}

/* AT of F(5, 4): 8 -> 5 (the filter gradient back from the transformed sums). */
static inline void apply_at5(const float *in, int64_t is, float *out, int64_t os)
{
    tfc_vec m[8];
    load_rows(in, is, m, 8);
    pairs p = pair_up(m);
    tfc_vec_store(out, m[0] + p.s1 + p.s2 + p.s3);
    tfc_vec_store(out + os, p.d1 + 2 * p.d2 + 0.5f * p.d3);
    tfc_vec_store(out + 2 * os, p.s1 + 4 * p.s2 + 0.25f * p.s3);
    tfc_vec_store(out + 3 * os, p.d1 + 8 * p.d2 + 0.125f * p.d3);
    tfc_vec_store(out + 4 * os, p.s1 + 16 * p.s2 + 0.0625f * p.s3 + m[7]);
}

/* G of F(4, 5) (k = 5, filters) and of F(5, 4) (k = 4, output-gradient tiles): k -> 8. Rows 1-6
 * evaluate the polynomial with coefficients g at the points +-1, +-2 and +-1/2, scaled. */
static inline void apply_g(const float *in, int64_t is, float *out, int64_t os, int k)
{
    tfc_vec g[5];
    load_rows(in, is, g, k);
    tfc_vec e1 = g[0] + g[2], o1 = g[1] + g[3];                             /* at 1 */
    tfc_vec e2 = g[0] + 4 * g[2], o2 = 2 * g[1] + 8 * g[3];                 /* at 2 */
    tfc_vec e3 = 16 * g[0] + 4 * g[2], o3 = 8 * g[1] + 2 * g[3];            /* at 1/2, times 16 */
    if (k == 5) {
        e1 += g[4];
        e2 += 16 * g[4];
        e3 += g[4];
    }
    tfc_vec_store(out, -g[0]);
    tfc_vec_store(out + os, (e1 + o1) * (-2.0f / 9));
    tfc_vec_store(out + 2 * os, (e1 - o1) * (-2.0f / 9));
    tfc_vec_store(out + 3 * os, (e2 + o2) * (1.0f / 90));
    tfc_vec_store(out + 4 * os, (e2 - o2) * (1.0f / 90));
    tfc_vec_store(out + 5 * os, (e3 + o3) * (2.0f / 45));
    tfc_vec_store(out + 6 * os, (e3 - o3) * (2.0f / 45));
    tfc_vec_store(out + 7 * os, g[k - 1]);
}

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* n floats on a cache-line boundary (malloc's 16-byte alignment would split every vector access
 * across two lines). */
static float *lines_alloc(size_t n) { return aligned_alloc(64, (n * sizeof(float) + 63) & ~(size_t)63); }

/* The input tile's side, the output tile's side, and the number of transformed planes. */
#define ALPHA 8
#define TILE 4
#define PLANES (ALPHA * ALPHA)

/* The distance between the planes of a transformed block of tiles with nc channels: one cache
 * line more than the block, so the rows a tile transform reads or writes do not all fall into the
 * same few sets of the L1 cache (as power-of-two strides would). */
static inline int64_t block_stride(int64_t nc) { return TILES_PER_BLOCK * nc + CB; }

/* ---- tiles (nc, the channel count, is a multiple of CB) ---- */

/* v[t * vs + c] = (BT d BT^T)[t] for the 8x8 patch d[i][j][c] = src[i * rs + j * cs + c]. */
static void input_tile(const float *src, int64_t rs, int64_t cs, int64_t nc, float *v, int64_t vs)
{
    float tmp[PLANES * CB];
    for (int64_t c0 = 0; c0 < nc; c0 += CB) {
        for (int j = 0; j < ALPHA; j++) apply_bt(src + j * cs + c0, rs, tmp + j * CB, ALPHA * CB);
        for (int a = 0; a < ALPHA; a++) apply_bt(tmp + a * ALPHA * CB, CB, v + a * ALPHA * vs + c0, vs);
    }
}

/* g[t * gs + c] = (G e G^T)[t] (F(5, 4)'s G) for the 4x4 patch e[i][j][c] = src[i * rs + j * cs + c]. */
static void grad_tile(const float *src, int64_t rs, int64_t cs, int64_t nc, float *g, int64_t gs)
{
    float tmp[ALPHA * TILE * CB];
    for (int64_t c0 = 0; c0 < nc; c0 += CB) {
        for (int j = 0; j < TILE; j++) apply_g(src + j * cs + c0, rs, tmp + j * CB, TILE * CB, TILE);
        for (int a = 0; a < ALPHA; a++) apply_g(tmp + a * TILE * CB, CB, g + a * ALPHA * gs + c0, gs, TILE);
    }
}

/* The rows x cols corner of AT m AT^T into dst[i * rs + j * cs + c], m[t][c] = m[t * ms + c]. */
static void output_tile(const float *m, int64_t ms, int64_t nc, float *dst, int64_t rs, int64_t cs, int64_t rows,
                        int64_t cols)
{
    float tmp[TILE * ALPHA * CB], out[TILE * TILE * CB];
    for (int64_t c0 = 0; c0 < nc; c0 += CB) {
        for (int b = 0; b < ALPHA; b++) apply_at4(m + b * ms + c0, ALPHA * ms, tmp + b * CB, ALPHA * CB);
        if (rows == TILE && cols == TILE) {
            for (int i = 0; i < TILE; i++) apply_at4(tmp + i * ALPHA * CB, CB, dst + i * rs + c0, cs);
            continue;
        }
        for (int i = 0; i < TILE; i++) apply_at4(tmp + i * ALPHA * CB, CB, out + i * TILE * CB, CB);
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++)
                tfc_vec_store(dst + i * rs + j * cs + c0, tfc_vec_load(out + (i * TILE + j) * CB));
    }
}

/* One image copied with zeros around it, so every tile's patch lies inside: rows [y0, y0 + h) and
 * columns [x0, x0 + w) of an image plane [ih][iw][nc]. */
typedef struct {
    float *data;
    int64_t image; /* the image it holds, -1 for none yet */
    int64_t h, w, nc, y0, x0;
} padded_image;

static bool padded_init(padded_image *p, int64_t h, int64_t w, int64_t nc, int64_t y0, int64_t x0)
{
    *p = (padded_image){lines_alloc((size_t)(h * w * nc)), -1, h, w, nc, y0, x0};
    return p->data != NULL;
}

/* The patch whose corner is (y, x) in padded coordinates, for image n of planes (each
 * [ih][iw][nc]); copies the image in first unless it is the one held. */
static const float *padded_patch(padded_image *p, const float *planes, int64_t ih, int64_t iw, int64_t n, int64_t y,
                                 int64_t x)
{
    int64_t nc = p->nc;
    if (p->image != n) {
        const float *img = planes + n * ih * iw * nc;
        int64_t c0 = -p->x0 > 0 ? -p->x0 : 0, c1 = iw - p->x0 < p->w ? iw - p->x0 : p->w; /* columns holding the image */
        if (c1 < c0) c1 = c0;
        for (int64_t r = 0; r < p->h; r++) {
            float *row = p->data + r * p->w * nc;
            int64_t iy = p->y0 + r;
            if (iy < 0 || iy >= ih) {
                memset(row, 0, (size_t)(p->w * nc) * sizeof *row);
                continue;
            }
            memset(row, 0, (size_t)(c0 * nc) * sizeof *row);
            memcpy(row + c0 * nc, img + (iy * iw + p->x0 + c0) * nc, (size_t)((c1 - c0) * nc) * sizeof *row);
            memset(row + c1 * nc, 0, (size_t)((p->w - c1) * nc) * sizeof *row);
        }
        p->image = n;
    }
    return p->data + (y * p->w + x) * nc;
}

/* ---- the jobs ---- */

typedef struct {
    const tfc_winograd_shape *s;
    const float *x, *dy;
    const float *u; /* transformed filter [PLANES][ic][oc] */
    const tfc_epilogue *ep; /* forward: bias (and Relu) for the outputs, or NULL */
    float *y;       /* the output (the filter gradient's [5][5][ic][oc] taps) */
    float *acc;     /* filter gradient: one [PLANES][ic][oc] sum per chunk */
    int64_t th, tw, tiles, blocks, chunks;
    atomic_llong next; /* forward: the next block to take */
    atomic_bool failed;
} wino_job;

/* Image and output corner of tile t. */
static void tile_at(const wino_job *j, int64_t t, int64_t *n, int64_t *oy, int64_t *ox)
{
    int64_t per_image = j->th * j->tw, r = t % per_image;
    *n = t / per_image;
    *oy = TILE * (r / j->tw);
    *ox = TILE * (r % j->tw);
}

/* The padded input images: each tile's 8x8 patch starts at its output corner. */
static bool input_padded(const wino_job *j, padded_image *p)
{
    const tfc_winograd_shape *s = j->s;
    return padded_init(p, j->th * TILE + ALPHA - TILE, j->tw * TILE + ALPHA - TILE, s->ic, -s->pt, -s->pl);
}

/* Transforms the input patches of tiles [t0, t0 + nt) into v[PLANES][block_stride(ic)]. */
static void input_block(const wino_job *j, int64_t t0, int64_t nt, float *v, padded_image *xp)
{
    const tfc_winograd_shape *s = j->s;
    for (int64_t b = 0; b < nt; b++) {
        int64_t n, oy, ox;
        tile_at(j, t0 + b, &n, &oy, &ox);
        const float *src = padded_patch(xp, j->x, s->ih, s->iw, n, oy, ox);
        input_tile(src, xp->w * s->ic, s->ic, s->ic, v + b * s->ic, block_stride(s->ic));
    }
}

/* One thread's part of a convolution: blocks taken from the shared counter until none is left, so
 * the threads finish within a block of each other (a block is 1/25 of the MNIST CNN's second layer;
 * even shares of a few blocks each left one thread idle for a tenth of the time). */
static void conv_worker(void *arg, int64_t w0, int64_t w1)
{
    (void)w0;
    (void)w1;
    wino_job *j = arg;
    const tfc_winograd_shape *s = j->s;
    float *v = lines_alloc(PLANES * (size_t)block_stride(s->ic));
    float *m = lines_alloc(PLANES * (size_t)block_stride(s->oc));
    padded_image xp;
    if (!input_padded(j, &xp) || !v || !m) atomic_store(&j->failed, true);
    for (int64_t blk; !atomic_load(&j->failed) && (blk = atomic_fetch_add(&j->next, 1)) < j->blocks;) {
        int64_t t0 = blk * TILES_PER_BLOCK, nt = min64(TILES_PER_BLOCK, j->tiles - t0);
        input_block(j, t0, nt, v, &xp);
        /* The outputs the block's tiles write, from the first tile's corner to the end of the last
         * one's rows, are asked for (for writing) a share at a time while the products run: the
         * output transform's stores then find their lines in cache instead of each waiting for
         * one from memory. */
        int64_t n0, y0, x0, n1, y1, x1;
        tile_at(j, t0, &n0, &y0, &x0);
        tile_at(j, t0 + nt - 1, &n1, &y1, &x1);
        const char *out0 = (const char *)(j->y + ((n0 * s->oh + y0) * s->ow + x0) * s->oc);
        const char *out1 = (const char *)(j->y + ((n1 * s->oh + min64(y1 + TILE, s->oh)) * s->ow) * s->oc);
        int64_t lines = (out1 - out0 + 63) / 64, share = (lines + PLANES - 1) / PLANES;
        for (int t = 0; t < PLANES; t++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nt, (int)s->oc, (int)s->ic, 1.0f,
                        v + t * block_stride(s->ic), (int)s->ic, j->u + t * s->ic * s->oc, (int)s->oc, 0.0f,
                        m + t * block_stride(s->oc), (int)s->oc);
            for (int64_t q = t * share; q < (t + 1) * share && q < lines; q++) __builtin_prefetch(out0 + 64 * q, 1);
        }
        for (int64_t b = 0; b < nt; b++) {
            int64_t n, oy, ox;
            tile_at(j, t0 + b, &n, &oy, &ox);
            float *dst = j->y + ((n * s->oh + oy) * s->ow + ox) * s->oc;
            int64_t rows = min64(TILE, s->oh - oy), cols = min64(TILE, s->ow - ox);
            output_tile(m + b * s->oc, block_stride(s->oc), s->oc, dst, s->ow * s->oc, s->oc, rows, cols);
            if (j->ep)
                for (int64_t r = 0; r < rows; r++)
                    tfc_apply_epilogue(dst + r * s->ow * s->oc, cols, s->oc, s->oc, tfc_f32(j->ep->bias), j->ep->relu);
        }
    }
    free(v);
    free(m);
    free(xp.data);
}

/* u[t][i][o] = (G f G^T)[t] for the 5x5 filter of input channel i and output channel o. */
typedef struct {
    const tfc_winograd_shape *s;
    const float *w;
    bool flipped;
    float *u;
} filter_job;

/* Input channels [i0, i1) of the transform (a parallel loop over the input channels). */
static void transform_filter(void *arg, int64_t i0, int64_t i1)
{
    const filter_job *f = arg;
    const float *w = f->w;
    bool flipped = f->flipped;
    float *u = f->u;
    int64_t ic = f->s->ic, oc = f->s->oc, plane = ic * oc;
    float g[25 * CB], tmp[ALPHA * 5 * CB];
    for (int64_t i = i0; i < i1; i++)
        for (int64_t o0 = 0; o0 < oc; o0 += CB) {
            const float *src = w + i * oc + o0;
            int64_t ks = plane, rs = 5 * plane;
            if (flipped) {
                /* w is [5][5][oc][ic]: gather the rotated window into g[ky][kx][o]. */
                for (int64_t q = 0; q < 25; q++)
                    for (int64_t c = 0; c < CB; c++) g[q * CB + c] = w[(24 - q) * plane + (o0 + c) * ic + i];
                src = g;
                ks = CB;
                rs = 5 * CB;
            }
            for (int kx = 0; kx < 5; kx++) apply_g(src + kx * ks, rs, tmp + kx * CB, 5 * CB, 5);
            for (int a = 0; a < ALPHA; a++) apply_g(tmp + a * 5 * CB, CB, u + a * ALPHA * plane + i * oc + o0, plane, 5);
        }
}

static int64_t blocks_of(wino_job *j, const tfc_winograd_shape *s)
{
    j->s = s;
    j->th = (s->oh + TILE - 1) / TILE;
    j->tw = (s->ow + TILE - 1) / TILE;
    j->tiles = s->n * j->th * j->tw;
    j->blocks = (j->tiles + TILES_PER_BLOCK - 1) / TILES_PER_BLOCK;
    atomic_init(&j->next, 0);
    atomic_init(&j->failed, false);
    return j->blocks;
}

bool tfc_winograd_conv(tfc_kernel_ctx *k, const tfc_winograd_shape *s, const float *x, const float *w, bool flipped,
                       const tfc_epilogue *ep, float *y)
{
    float *u = lines_alloc(PLANES * (size_t)(s->ic * s->oc));
    if (!u) return tfc_kernel_error(k, "out of memory");
    tfc_parallel_for(k, s->ic, 4, transform_filter, &(filter_job){s, w, flipped, u});
    wino_job j = {.x = x, .u = u, .ep = ep, .y = y};
    int64_t blocks = blocks_of(&j, s);
    tfc_parallel_for(k, min64(tfc_kernel_threads(k), blocks), 1, conv_worker, &j);
    free(u);
    if (atomic_load(&j.failed)) return tfc_kernel_error(k, "out of memory");
    return true;
}

/* ---- filter gradient ---- */

static void filter_grad_range(void *arg, int64_t c0, int64_t c1)
{
    wino_job *j = arg;
    const tfc_winograd_shape *s = j->s;
    int64_t plane = s->ic * s->oc;
    float *v = lines_alloc(PLANES * (size_t)block_stride(s->ic));
    float *g = lines_alloc(PLANES * (size_t)block_stride(s->oc));
    padded_image xp, gp;
    bool ok = input_padded(j, &xp);
    /* the output gradient, padded to whole tiles */
    ok = padded_init(&gp, j->th * TILE, j->tw * TILE, s->oc, 0, 0) && ok;
    if (!ok || !v || !g) {
        atomic_store(&j->failed, true);
        c1 = c0;
    }
    for (int64_t chunk = c0; chunk < c1; chunk++) {
        float *acc = j->acc + chunk * PLANES * plane;
        memset(acc, 0, PLANES * (size_t)plane * sizeof *acc);
        /* each chunk an even share of the tiles, in blocks */
        int64_t end = (chunk + 1) * j->tiles / j->chunks;
        for (int64_t t0 = chunk * j->tiles / j->chunks; t0 < end; t0 += TILES_PER_BLOCK) {
            int64_t nt = min64(TILES_PER_BLOCK, end - t0);
            input_block(j, t0, nt, v, &xp);
            for (int64_t b = 0; b < nt; b++) {
                int64_t n, oy, ox;
                tile_at(j, t0 + b, &n, &oy, &ox);
                const float *src = padded_patch(&gp, j->dy, s->oh, s->ow, n, oy, ox);
                grad_tile(src, gp.w * s->oc, s->oc, s->oc, g + b * s->oc, block_stride(s->oc));
            }
            for (int t = 0; t < PLANES; t++)
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)s->ic, (int)s->oc, (int)nt, 1.0f,
                            v + t * block_stride(s->ic), (int)s->ic, g + t * block_stride(s->oc), (int)s->oc, 1.0f,
                            acc + t * plane, (int)s->oc);
        }
    }
    free(v);
    free(g);
    free(xp.data);
    free(gp.data);
}

/* Input channels [i0, i1) of the filter gradient (j->y): the chunks' sums added up in chunk order,
 * then transformed back to 5x5 taps. */
static void filter_grad_finish(void *arg, int64_t i0, int64_t i1)
{
    const wino_job *j = arg;
    const tfc_winograd_shape *s = j->s;
    int64_t plane = s->ic * s->oc;
    float tmp[5 * ALPHA * CB];
    for (int64_t i = i0; i < i1; i++) {
        for (int t = 0; t < PLANES; t++) {
            float *sum = j->acc + t * plane + i * s->oc;
            for (int64_t c = 1; c < j->chunks; c++)
                for (int64_t o = 0; o < s->oc; o++) sum[o] += sum[c * PLANES * plane + o];
        }
        for (int64_t o0 = 0; o0 < s->oc; o0 += CB) {
            const float *src = j->acc + i * s->oc + o0;
            for (int b = 0; b < ALPHA; b++) apply_at5(src + b * plane, ALPHA * plane, tmp + b * CB, ALPHA * CB);
            for (int ky = 0; ky < 5; ky++) apply_at5(tmp + ky * ALPHA * CB, CB, j->y + ky * 5 * plane + i * s->oc + o0, plane);
        }
    }
}

bool tfc_winograd_filter_grad(tfc_kernel_ctx *k, const tfc_winograd_shape *s, const float *x, const float *dy,
                              float *dw)
{
    wino_job j = {.x = x, .dy = dy};
    int64_t blocks = blocks_of(&j, s), plane = s->ic * s->oc;
    if (!blocks) {
        memset(dw, 0, 25 * (size_t)plane * sizeof *dw);
        return true;
    }
    j.chunks = min64(tfc_kernel_threads(k), blocks);
    j.acc = lines_alloc((size_t)(j.chunks * PLANES * plane));
    if (!j.acc) return tfc_kernel_error(k, "out of memory");
    tfc_parallel_for(k, j.chunks, 1, filter_grad_range, &j);
    if (atomic_load(&j.failed)) {
        free(j.acc);
        return tfc_kernel_error(k, "out of memory");
    }
    j.y = dw;
    tfc_parallel_for(k, s->ic, 4, filter_grad_finish, &j);
    free(j.acc);
    return true;
}
