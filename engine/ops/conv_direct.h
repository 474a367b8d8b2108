/* Direct convolution for windows with few taps (kh * kw * in_channels up to 32, like a first
 * layer on grey images), where im2col would copy every input pixel kh * kw times into rows too
 * short for sgemm to run well. Used by engine/ops/conv.c for Conv2D and Conv2DBackpropFilter. */
#ifndef TFC_OPS_CONV_DIRECT_H
#define TFC_OPS_CONV_DIRECT_H

#include <stdbool.h>
#include <stdint.h>

#include "../op.h"

/* A Conv2D on NHWC input with an HWIO filter, TensorFlow's padding already worked out. */
typedef struct {
    int64_t n, h, w, c; /* input */
    int64_t kh, kw, o;  /* window (filter height, width, output channels) */
    int64_t sh, sw;     /* strides */
    int64_t oh, ow;     /* output */
    int64_t pt, pl;     /* padding before (top, left) */
} tfc_conv_geometry;

/* Whether the direct kernels take this convolution: at most 32 taps, output channels a multiple
 * of two vectors (32 with AVX-512), the width the kernels keep in registers. */
bool tfc_conv_direct_suits(const tfc_conv_geometry *ge);

/* y = conv(x, f), then ep (or NULL): a bias and Relu applied as the outputs are stored. False with
 * the kernel's error set when memory runs out. */
bool tfc_conv_direct_forward(tfc_kernel_ctx *k, const tfc_conv_geometry *ge, const float *x, const float *f,
                             const tfc_epilogue *ep, float *y);

/* df = the filter gradient for output gradient dy; summed image by image in order, so the result
 * does not depend on the thread count. */
bool tfc_conv_direct_filter_grad(tfc_kernel_ctx *k, const tfc_conv_geometry *ge, const float *x, const float *dy,
                                 float *df);

#endif
