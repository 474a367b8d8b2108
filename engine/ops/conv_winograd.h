/* Winograd's minimal filtering for 5x5, stride-1 convolutions (the CNN's second layer): an 8x8
 * input tile gives a 4x4 output tile with 64 multiplications per channel pair instead of 400, so
 * Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter become 64 small sgemm calls per block of
 * tiles. Used by engine/ops/conv.c where the shapes suit it. The transforms cost some precision:
 * results agree with the direct convolution to a few 1e-6 relative (tests/engine/test_conv.c
 * compares them, tests/interop/test_conv_tf.py holds them against TensorFlow's). */
#ifndef TFC_OPS_CONV_WINOGRAD_H
#define TFC_OPS_CONV_WINOGRAD_H

#include <stdbool.h>
#include <stdint.h>

#include "../op.h"

/* A stride-1 5x5 correlation on NHWC tensors: y[n, oy, ox, o] = sum over ky, kx < 5 and c of
 * x[n, oy + ky - pt, ox + kx - pl, c] * w[ky, kx, c, o], x being zero outside the image. */
typedef struct {
    int64_t n;          /* images */
    int64_t ih, iw, ic; /* input height, width, channels */
    int64_t oh, ow, oc; /* output height, width, channels */
    int64_t pt, pl;     /* zero rows above and columns left of the input (0..4) */
} tfc_winograd_shape;

/* Whether a convolution with this window, these strides and channel counts goes through
 * Winograd: 5x5, stride 1, channel counts multiples of the transforms' vector width (16 with
 * AVX-512; few channels would not pay for the transforms anyway). */
bool tfc_winograd_suits(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t in_channels, int64_t out_channels);

/* y = the correlation of x with the filter. The filter is w[ky, kx, c, o] (HWIO, in_channels =
 * s->ic), or, with `flipped`, the filter of the transposed convolution taken from
 * w[4 - ky, 4 - kx, o, c] (HWIO with in_channels = s->oc), which computes Conv2DBackpropInput
 * from out_backprop. ep (or NULL): a bias and Relu applied as the outputs are stored. False with
 * the kernel's error set when memory runs out. */
bool tfc_winograd_conv(tfc_kernel_ctx *k, const tfc_winograd_shape *s, const float *x, const float *w, bool flipped,
                       const tfc_epilogue *ep, float *y);

/* dw[ky, kx, c, o] = sum over n, oy, ox of x[n, oy + ky - pt, ox + kx - pl, c] * dy[n, oy, ox, o]
 * (Conv2DBackpropFilter); dy has the output's shape. */
bool tfc_winograd_filter_grad(tfc_kernel_ctx *k, const tfc_winograd_shape *s, const float *x, const float *dy,
                              float *dw);

#endif
