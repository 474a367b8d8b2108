/* Direct Conv2D and Conv2DBackpropFilter for windows with few taps. Each image is first copied
 * into a zero-padded buffer, so the loops need no bounds checks; the output channels are taken
 * two vectors at a time and kept in registers: the forward pass computes four output pixels
 * per sweep over the taps, the filter gradient four taps per sweep over the pixels. */
#include "conv_direct.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "conv_vec.h"

#define MAX_TAPS 32
#define PIXELS 7 /* forward: output pixels per sweep */
#define TAPS 5   /* filter gradient: taps per sweep */
#define OB (2 * TFC_VEC_WIDTH)

bool tfc_conv_direct_suits(const tfc_conv_geometry *ge)
{
    return ge->kh * ge->kw * ge->c <= MAX_TAPS && ge->o % OB == 0 && ge->o > 0;
}

/* The padded copy of one image: rows [-pt, ph - pt) and columns [-pl, pw - pl) of the input, zero
 * outside it; pw covers whole sweeps of PIXELS output pixels. */
typedef struct {
    int64_t ph, pw;
    int64_t off[MAX_TAPS]; /* where tap t reads, relative to an output pixel's corner */
} padded;

static void padded_init(const tfc_conv_geometry *ge, padded *p)
{
    int64_t sweeps = (ge->ow + PIXELS - 1) / PIXELS;
    p->ph = (ge->oh - 1) * ge->sh + ge->kh;
    p->pw = (sweeps * PIXELS - 1) * ge->sw + ge->kw;
    for (int64_t ky = 0, t = 0; ky < ge->kh; ky++)
        for (int64_t kx = 0; kx < ge->kw; kx++)
            for (int64_t c = 0; c < ge->c; c++) p->off[t++] = (ky * p->pw + kx) * ge->c + c;
}

static void pad_image(const tfc_conv_geometry *ge, const padded *p, const float *x, float *xp)
{
    int64_t c = ge->c;
    memset(xp, 0, (size_t)(p->ph * p->pw * c) * sizeof *xp);
    for (int64_t py = 0; py < p->ph; py++) {
        int64_t iy = py - ge->pt;
        if (iy < 0 || iy >= ge->h) continue;
        int64_t x0 = ge->pl, x1 = ge->pl + ge->w < p->pw ? ge->pl + ge->w : p->pw; /* padded columns holding the row */
        if (x1 > x0) memcpy(xp + (py * p->pw + x0) * c, x + iy * ge->w * c, (size_t)((x1 - x0) * c) * sizeof *xp);
    }
}

typedef struct {
    const tfc_conv_geometry *ge;
    const padded *p;
    const float *x, *f, *dy;
    const float *bias; /* forward: added to the outputs (a folded BiasAdd), or NULL */
    bool relu;         /* and then max(., 0) (a folded Relu) */
    float *y;
    float *parts; /* filter gradient: one [taps][o] sum per image */
    atomic_bool failed;
} direct_job;

/* Output pixels [ox0, ox0 + PIXELS) of row oy, channels [o0, o0 + OB); pixels past the row's end
 * are computed from the padding and dropped. */
static void forward_sweep(const direct_job *j, const float *xp, int64_t oy, int64_t ox0, int64_t o0, float *yrow)
{
    const tfc_conv_geometry *ge = j->ge;
    int64_t taps = ge->kh * ge->kw * ge->c, ps = ge->sw * ge->c;
    const float *base = xp + (oy * ge->sh * j->p->pw + ox0 * ge->sw) * ge->c;
    tfc_vec acc[PIXELS][2] = {{{0}}};
    for (int64_t t = 0; t < taps; t++) {
        const float *w = j->f + t * ge->o + o0, *xt = base + j->p->off[t];
        tfc_vec w0 = tfc_vec_load(w), w1 = tfc_vec_load(w + TFC_VEC_WIDTH);
        for (int i = 0; i < PIXELS; i++) {
            float xv = xt[i * ps];
            acc[i][0] += xv * w0;
            acc[i][1] += xv * w1;
        }
    }
    for (int64_t i = 0; i < PIXELS && ox0 + i < ge->ow; i++) {
        float *out = yrow + (ox0 + i) * ge->o + o0;
        tfc_vec_store(out, acc[i][0]);
        tfc_vec_store(out + TFC_VEC_WIDTH, acc[i][1]);
    }
    if (j->bias) {
        int64_t n = ge->ow - ox0 < PIXELS ? ge->ow - ox0 : PIXELS;
        tfc_apply_epilogue(yrow + ox0 * ge->o + o0, n, ge->o, OB, j->bias + o0, j->relu);
    }
}

static void forward_range(void *arg, int64_t n0, int64_t n1)
{
    direct_job *j = arg;
    const tfc_conv_geometry *ge = j->ge;
    float *xp = malloc((size_t)(j->p->ph * j->p->pw * ge->c) * sizeof *xp);
    if (!xp) {
        atomic_store(&j->failed, true);
        return;
    }
    for (int64_t n = n0; n < n1; n++) {
        pad_image(ge, j->p, j->x + n * ge->h * ge->w * ge->c, xp);
        for (int64_t oy = 0; oy < ge->oh; oy++) {
            float *yrow = j->y + (n * ge->oh + oy) * ge->ow * ge->o;
            for (int64_t ox0 = 0; ox0 < ge->ow; ox0 += PIXELS)
                for (int64_t o0 = 0; o0 < ge->o; o0 += OB) forward_sweep(j, xp, oy, ox0, o0, yrow);
        }
    }
    free(xp);
}

bool tfc_conv_direct_forward(tfc_kernel_ctx *k, const tfc_conv_geometry *ge, const float *x, const float *f,
                             const tfc_epilogue *ep, float *y)
{
    padded p;
    padded_init(ge, &p);
    direct_job j = {.ge = ge, .p = &p, .x = x, .f = f, .y = y};
    if (ep) {
        j.bias = tfc_f32(ep->bias);
        j.relu = ep->relu;
    }
    atomic_init(&j.failed, false);
    tfc_parallel_for(k, ge->n, 1, forward_range, &j);
    return !atomic_load(&j.failed) || tfc_kernel_error(k, "out of memory");
}

/* Adds taps [t0, t0 + TAPS) x channels [o0, o0 + OB) of one image's filter gradient into part
 * ([taps][o]); taps past the last read tap 0 and are dropped. */
static void grad_sweep(const direct_job *j, const float *xp, const float *dy, int64_t t0, int64_t o0, float *part)
{
    const tfc_conv_geometry *ge = j->ge;
    int64_t taps = ge->kh * ge->kw * ge->c, off[TAPS];
    for (int i = 0; i < TAPS; i++) off[i] = t0 + i < taps ? j->p->off[t0 + i] : 0;
    tfc_vec acc[TAPS][2] = {{{0}}};
    for (int64_t oy = 0; oy < ge->oh; oy++)
        for (int64_t ox = 0; ox < ge->ow; ox++) {
            const float *g = dy + (oy * ge->ow + ox) * ge->o + o0;
            const float *xt = xp + (oy * ge->sh * j->p->pw + ox * ge->sw) * ge->c;
            tfc_vec g0 = tfc_vec_load(g), g1 = tfc_vec_load(g + TFC_VEC_WIDTH);
            for (int i = 0; i < TAPS; i++) {
                float xv = xt[off[i]];
                acc[i][0] += xv * g0;
                acc[i][1] += xv * g1;
            }
        }
    for (int64_t i = 0; i < TAPS && t0 + i < taps; i++) {
        tfc_vec_store(part + (t0 + i) * ge->o + o0, acc[i][0]);
        tfc_vec_store(part + (t0 + i) * ge->o + o0 + TFC_VEC_WIDTH, acc[i][1]);
    }
}

static void grad_range(void *arg, int64_t n0, int64_t n1)
{
    direct_job *j = arg;
    const tfc_conv_geometry *ge = j->ge;
    int64_t taps = ge->kh * ge->kw * ge->c;
    float *xp = malloc((size_t)(j->p->ph * j->p->pw * ge->c) * sizeof *xp);
    if (!xp) {
        atomic_store(&j->failed, true);
        return;
    }
    for (int64_t n = n0; n < n1; n++) {
        pad_image(ge, j->p, j->x + n * ge->h * ge->w * ge->c, xp);
        const float *dy = j->dy + n * ge->oh * ge->ow * ge->o;
        for (int64_t t0 = 0; t0 < taps; t0 += TAPS)
            for (int64_t o0 = 0; o0 < ge->o; o0 += OB) grad_sweep(j, xp, dy, t0, o0, j->parts + n * taps * ge->o);
    }
    free(xp);
}

bool tfc_conv_direct_filter_grad(tfc_kernel_ctx *k, const tfc_conv_geometry *ge, const float *x, const float *dy,
                                 float *df)
{
    int64_t size = ge->kh * ge->kw * ge->c * ge->o;
    padded p;
    padded_init(ge, &p);
    direct_job j = {.ge = ge, .p = &p, .x = x, .dy = dy, .parts = malloc((size_t)(ge->n * size) * sizeof(float))};
    atomic_init(&j.failed, !j.parts && ge->n > 0);
    if (j.parts) tfc_parallel_for(k, ge->n, 1, grad_range, &j);
    if (atomic_load(&j.failed)) {
        free(j.parts);
        return tfc_kernel_error(k, "out of memory");
    }
    memset(df, 0, (size_t)size * sizeof *df);
    for (int64_t n = 0; n < ge->n; n++)
        for (int64_t i = 0; i < size; i++) df[i] += j.parts[n * size + i];
    free(j.parts);
    return true;
}
