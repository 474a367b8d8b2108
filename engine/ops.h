/* Building graphs: one function per operation, named like TensorFlow's Python API. Each adds
 * the node (under the current name scope and device, graph.h) and returns its output 0. The
 * inputs must be tensors of g with the dtypes and shapes the op takes (NumPy broadcasting for the
 * elementwise math); anything else is a build error naming the node, its inputs and their shapes,
 * which the graph keeps (tfc_graph_check), after which every builder returns TFC_NO_OUT and adds
 * nothing. A NULL g returns TFC_NO_OUT. name may be NULL for TensorFlow's default name (the op
 * type, e.g. "MatMul", then "MatMul_1"); it is copied, as are tensors and arrays given as values. */
#ifndef TFC_OPS_H
#define TFC_OPS_H

#include "api.h"
#include "graph.h"

TFC_BEGIN_DECLS

/* ---- constants, placeholders, variables ---- */
/* tf.constant: a Const holding a copy of value (a float32 or int32 scalar for the next two). */
TFC_API tfc_out tfc_const(tfc_graph *g, const tfc_tensor *value, const char *name);
TFC_API tfc_out tfc_const_scalar(tfc_graph *g, float v, const char *name);
TFC_API tfc_out tfc_const_int(tfc_graph *g, int32_t v, const char *name);
/* An int32 vector constant (shapes, axes). */
TFC_API tfc_out tfc_const_ints(tfc_graph *g, const int32_t *v, int n, const char *name);
/* tf.placeholder: a value fed at run time (session.h), of dtype dt and a shape whose unknown dims
 * (-1) take any size; running what needs it without a feed is an error naming it. */
TFC_API tfc_out tfc_placeholder(tfc_graph *g, tfc_dtype dt, tfc_shape shape, const char *name);
/* tf.Variable(initial_value, name): nodes NAME (VariableV2), NAME/Assign (its initialiser) and
 * NAME/read (Identity); returns NAME/read:0. The initial value is any tensor of known shape. */
TFC_API tfc_out tfc_variable(tfc_graph *g, tfc_out initial_value, const char *name);
/* tf.Variable(<constant>, name): a NAME/initial_value Const as TensorFlow builds it. */
TFC_API tfc_out tfc_variable_const(tfc_graph *g, const tfc_tensor *value, const char *name);
/* tf.Variable(v, name) of a float32 scalar. */
TFC_API tfc_out tfc_variable_scalar(tfc_graph *g, float v, const char *name);
/* A variable NAME/... named from the root scope and initialised from NAME/Initializer/zeros, as
 * TensorFlow makes optimizer slots and global_step. */
TFC_API tfc_out tfc_variable_zeros(tfc_graph *g, tfc_shape shape, tfc_dtype dt, const char *name, bool trainable);
/* The VariableV2 node behind a variable's read tensor (or the node itself), -1 if none. */
TFC_API int tfc_variable_node(const tfc_graph *g, tfc_out var);
/* NoOp "init" whose control inputs are all variables' initialisers (global_variables_initializer). */
TFC_API tfc_out tfc_global_variables_initializer(tfc_graph *g);

/* ---- initial values ---- */
/* tf.zeros(shape, dt) and tf.fill(shape, value) (float32); the shape must be fully known. */
TFC_API tfc_out tfc_zeros(tfc_graph *g, tfc_shape shape, tfc_dtype dt, const char *name);
TFC_API tfc_out tfc_fill(tfc_graph *g, tfc_shape shape, float value, const char *name);
/* tf.random_normal / tf.truncated_normal: mean + stddev * N(0,1) (truncated at 2 stddev). seed 0:
 * from the session's seed. */
TFC_API tfc_out tfc_random_normal(tfc_graph *g, tfc_shape shape, float mean, float stddev, int64_t seed, const char *name);
TFC_API tfc_out tfc_truncated_normal(tfc_graph *g, tfc_shape shape, float mean, float stddev, int64_t seed, const char *name);
/* Uniform in [0, 1) of the runtime shape given by an int32 vector tensor. */
TFC_API tfc_out tfc_random_uniform(tfc_graph *g, tfc_out shape, int64_t seed, const char *name);

/* ---- state ---- */
/* tf.assign / tf.assign_add: var (a variable's read tensor or its node) set to, or increased by,
 * value of its dtype and shape when run; the output is the new value. */
TFC_API tfc_out tfc_assign(tfc_graph *g, tfc_out var, tfc_out value, const char *name);
TFC_API tfc_out tfc_assign_add(tfc_graph *g, tfc_out var, tfc_out value, const char *name);
/* tf.identity: x passed on unchanged. */
TFC_API tfc_out tfc_identity(tfc_graph *g, tfc_out x, const char *name);
/* NoOp with control inputs on the given nodes (tf.group). */
TFC_API tfc_out tfc_group(tfc_graph *g, const tfc_out *deps, int n, const char *name);

/* ---- math (NumPy broadcasting) ---- */
/* x + y (AddV2), x - y, x * y, x / y (RealDiv), elementwise max and min; x and y of one dtype. */
TFC_API tfc_out tfc_add(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_sub(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_mul(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_div(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_maximum(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_minimum(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
/* tf.add_n: the sum of the n tensors xs[0..n), all of one dtype and shape. */
TFC_API tfc_out tfc_add_n(tfc_graph *g, const tfc_out *xs, int n, const char *name);
/* Elementwise x == y, x >= y, x <= y, as bool tensors. */
TFC_API tfc_out tfc_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_greater_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_less_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
/* tf.matmul: the matrix product op(a) op(b) of two rank-2 tensors, op transposing when asked. */
TFC_API tfc_out tfc_matmul(tfc_graph *g, tfc_out a, tfc_out b, bool transpose_a, bool transpose_b, const char *name);
/* Elementwise -x, max(x, 0), 1/(1+e^-x), tanh, ln, e^x, x^2, sqrt, 1/x and floor of a float tensor. */
TFC_API tfc_out tfc_neg(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_relu(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_sigmoid(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_tanh(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_log(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_exp(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_square(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_sqrt(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_reciprocal(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_floor(tfc_graph *g, tfc_out x, const char *name);
/* tf.cast: x converted to dtype `to` (true is 1, false 0). */
TFC_API tfc_out tfc_cast(tfc_graph *g, tfc_out x, tfc_dtype to, const char *name);
/* tf.clip_by_value: clip_by_value/Minimum then clip_by_value (Maximum) under scope NAME. */
TFC_API tfc_out tfc_clip_by_value(tfc_graph *g, tfc_out x, float lo, float hi, const char *name);

/* ---- reductions ---- */
/* tf.reduce_sum / tf.reduce_mean over the naxes axes at axes (NULL: all of them; a negative axis
 * counts from the end), keeping them as dims of 1 when keep_dims. */
TFC_API tfc_out tfc_reduce_sum(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name);
TFC_API tfc_out tfc_reduce_mean(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name);
/* tf.argmax: the int64 index of the largest value along axis (the first of equal ones). */
TFC_API tfc_out tfc_argmax(tfc_graph *g, tfc_out x, int axis, const char *name);

/* ---- neural network ---- */
/* tf.nn.bias_add: the vector bias added along x's last dim. */
TFC_API tfc_out tfc_bias_add(tfc_graph *g, tfc_out x, tfc_out bias, const char *name);
/* tf.nn.softmax along the last dim. */
TFC_API tfc_out tfc_softmax(tfc_graph *g, tfc_out logits, const char *name);
/* Per-example loss (output 0 of SoftmaxCrossEntropyWithLogits; output 1 is the backprop). */
TFC_API tfc_out tfc_softmax_cross_entropy_with_logits(tfc_graph *g, tfc_out labels, tfc_out logits, const char *name);
/* tf.nn.dropout(x, keep_prob) under scope NAME (default "dropout"): x / keep_prob * floor(keep_prob + U[0,1)). */
TFC_API tfc_out tfc_dropout(tfc_graph *g, tfc_out x, tfc_out keep_prob, int64_t seed, const char *name);
/* tf.nn.conv2d on NHWC input with an HWIO filter; strides as [1, sh, sw, 1]; padding "SAME" or
 * "VALID". tf.nn.max_pool likewise, with window ksize [1, kh, kw, 1]. NULL strides, ksize or
 * padding is a build error naming the node. */
TFC_API tfc_out tfc_conv2d(tfc_graph *g, tfc_out input, tfc_out filter, const int64_t strides[4], const char *padding,
                           const char *name);
TFC_API tfc_out tfc_max_pool(tfc_graph *g, tfc_out input, const int64_t ksize[4], const int64_t strides[4],
                             const char *padding, const char *name);

/* ---- arrays ---- */
/* tf.reshape: x's elements in a new shape of the same size; one dim may be -1 (inferred). */
TFC_API tfc_out tfc_reshape(tfc_graph *g, tfc_out x, tfc_shape shape, const char *name);
/* tf.shape: x's shape at run time as an int32 vector. */
TFC_API tfc_out tfc_shape_of(tfc_graph *g, tfc_out x, const char *name);

TFC_END_DECLS

#endif
