/* A vector register's worth of floats as one value (GCC/Clang vector extension) for the
 * convolution kernels: a loop body written on these keeps its rows in vector registers, loads
 * before it stores, and needs no help from the auto-vectoriser. The width follows the instruction
 * set the build targets (16 with AVX-512, 8 with AVX, else 4). Unaligned loads and stores go
 * through memcpy. */
#ifndef TFC_OPS_CONV_VEC_H
#define TFC_OPS_CONV_VEC_H

#include <string.h>

/* GCC contracts a * b + c into one fused multiply-add only when told to (in ISO C mode it does
 * not by default, clang does within an expression); the kernels including this header want it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif

#if defined(__AVX512F__)
#define TFC_VEC_WIDTH 16
#elif defined(__AVX__)
#define TFC_VEC_WIDTH 8
#else
#define TFC_VEC_WIDTH 4
#endif
typedef float tfc_vec __attribute__((vector_size(TFC_VEC_WIDTH * sizeof(float))));

static inline tfc_vec tfc_vec_load(const float *p)
{
    tfc_vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void tfc_vec_store(float *p, tfc_vec v) { memcpy(p, &v, sizeof v); }

/* A folded BiasAdd (and Relu) on n outputs of o channels, output i at y + i * stride: y + bias
 * then max(., 0) as Relu computes it (NaN to 0), with the same float operations as those ops. */
static inline void tfc_apply_epilogue(float *y, int64_t n, int64_t stride, int64_t o, const float *bias, int relu)
{
    for (int64_t i = 0; i < n; i++) {
        float *row = y + i * stride;
        for (int64_t c = 0; c < o; c++) {
            float v = row[c] + bias[c];
            row[c] = relu ? (v > 0 ? v : 0) : v;
        }
    }
}

#endif
