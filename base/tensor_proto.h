/* TensorFlow's TensorProto to a tensor, as TensorFlow's Tensor::FromProto reads one: the raw bytes
 * of tensor_content, or the typed *_val field, whose last value repeats to fill the shape (a
 * Const of shape [32] with one float_val 0.1 is 32 times 0.1), no value at all meaning zeros.
 * Used by graph import (Const values, tensor attrs) and the V1 checkpoint reader. */
#ifndef TFC_TENSOR_PROTO_H
#define TFC_TENSOR_PROTO_H

#include "tensor.h"
#include "tensor.pb-c.h"
#include "tensor_shape.pb-c.h"

/* A TensorShapeProto as a shape (unknown_rank: rank -1; a dim of -1: unknown). false with *why
 * set when it has more than TFC_MAX_DIMS dims or a dim below -1. */
bool tfc_shape_from_proto(const Tensorflow__TensorShapeProto *p, tfc_shape *out, const char **why);

/* Fills t (its dtype and shape given) with the proto's values. false with *why set when they do not
 * fit: tensor_content of another size, more values than elements, values of another type. */
bool tfc_tensor_fill_from_proto(tfc_tensor *t, const Tensorflow__TensorProto *p, const char **why);

/* A new tensor of the proto's dtype and shape holding its values; NULL with *why set when the
 * dtype is not one tfc holds, the shape is not fully known or the values do not fit. */
tfc_tensor *tfc_tensor_from_proto(const Tensorflow__TensorProto *p, const char **why);

#endif
