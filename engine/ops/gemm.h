/* A single-threaded float matrix product tuned for the shapes of small networks: a few dozen rows
 * times a big weight matrix (a layer's forward pass and input gradient) and the weight gradient
 * with a short inner dimension. Callers split C among threads themselves. */
#ifndef TFC_OPS_GEMM_H
#define TFC_OPS_GEMM_H

#include <stdbool.h>
#include <stdint.h>

/* C = op(A) op(B), row-major, where op(A) is m x k (A is k x m when ta) and op(B) is k x n (B is
 * n x k when tb). lda, ldb and ldc are the row strides of A, B and C as stored. Returns false when
 * it cannot allocate its packing buffers, with C untouched. */
bool tfc_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
              int64_t ldb, float *c, int64_t ldc);

/* The few-rows product whatever the shape (m, n, k > 0): for a caller that split a product
 * tfc_gemm_few_rows accepted into column bands. */
bool tfc_gemm_in_place(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                       int64_t ldb, float *c, int64_t ldc);

/* Whether tfc_gemm takes a product this shape with B read in place (a few rows of A against a wide
 * B, the shape of a layer's forward pass and input gradient), where it beats OpenBLAS. */
bool tfc_gemm_few_rows(bool tb, int64_t m, int64_t n, int64_t k);

/* The same product handed over a band of rows at a time: computes rows [r0, r1) of C, at most
 * `band` of them, into a buffer (row stride n) and calls fn(arg, r0, r1, rows) before the next
 * band overwrites it. For consumers that want C only once, as an optimiser wants a gradient: each
 * band is used while it is in cache and C is never written whole. */
bool tfc_gemm_bands(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                    int64_t ldb, int64_t band, void (*fn)(void *arg, int64_t r0, int64_t r1, const float *rows), void *arg);

/* The column width of the micro-kernel: splitting C's columns at multiples of it wastes nothing. */
int tfc_gemm_panel_width(void);

#endif
