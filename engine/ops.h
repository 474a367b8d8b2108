/* Building graphs: one function per operation, named like TensorFlow's Python API. Each adds
 * the node (under the current name scope and device, graph.h) and returns its output 0. Names
 * are TensorFlow's: a full node name must match [A-Za-z0-9.][A-Za-z0-9_.\\/>-]* (else a build
 * error, as TensorFlow's ValueError). The inputs must be tensors of g with the dtypes and shapes the op takes (NumPy broadcasting for the
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

/* ---- math (NumPy broadcasting; float32, int32 and int64 where TensorFlow's CPU kernels take them,
 * other dtypes refused when the node is built) ---- */
/* x + y (AddV2), x - y, x * y, x / y (RealDiv), elementwise max and min; x and y of one dtype. */
TFC_API tfc_out tfc_add(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_sub(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_mul(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_div(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_maximum(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_minimum(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
/* tf.add_n: the sum of the n tensors xs[0..n), all of one dtype and shape (for n 1, xs[0] itself,
 * or an Identity NAME when a name is given, as TensorFlow). */
TFC_API tfc_out tfc_add_n(tfc_graph *g, const tfc_out *xs, int n, const char *name);
/* x^y (Pow) and (x - y)^2 (SquaredDifference), elementwise. */
TFC_API tfc_out tfc_pow(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_squared_difference(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
/* Elementwise comparisons (x == y, x != y, x > y, ...) and logical ops, as bool tensors. */
TFC_API tfc_out tfc_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_not_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_greater(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_greater_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_less(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_less_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_logical_and(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_logical_or(tfc_graph *g, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_logical_not(tfc_graph *g, tfc_out x, const char *name);
/* tf.matmul: the matrix product op(a) op(b) of two rank-2 tensors, op transposing when asked. */
TFC_API tfc_out tfc_matmul(tfc_graph *g, tfc_out a, tfc_out b, bool transpose_a, bool transpose_b, const char *name);
/* Elementwise -x, |x|, sign(x), max(x, 0), min(max(x, 0), 6) (relu6) of a float32, int32 or int64
 * tensor; elu, leaky_relu (TensorFlow's default alpha is 0.2), softplus, 1/(1+e^-x), tanh, ln,
 * ln(1+x), e^x, x^2, sqrt, 1/sqrt, 1/x and floor of a float tensor (x^2 takes integers too). */
TFC_API tfc_out tfc_neg(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_abs(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_sign(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_relu(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_relu6(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_elu(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_leaky_relu(tfc_graph *g, tfc_out x, float alpha, const char *name);
TFC_API tfc_out tfc_softplus(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_sigmoid(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_tanh(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_log(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_log1p(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_exp(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_square(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_sqrt(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_rsqrt(tfc_graph *g, tfc_out x, const char *name);
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
TFC_API tfc_out tfc_reduce_prod(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name);
TFC_API tfc_out tfc_reduce_max(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name);
TFC_API tfc_out tfc_reduce_min(tfc_graph *g, tfc_out x, const int *axes, int naxes, bool keep_dims, const char *name);
/* tf.argmax / tf.argmin: the int64 index of the largest / smallest value along axis (the first of
 * equal ones). */
TFC_API tfc_out tfc_argmax(tfc_graph *g, tfc_out x, int axis, const char *name);
TFC_API tfc_out tfc_argmin(tfc_graph *g, tfc_out x, int axis, const char *name);
/* tf.cumsum / tf.cumprod along axis; exclusive leaves each element out of its own result, reverse
 * runs from the end. */
TFC_API tfc_out tfc_cumsum(tfc_graph *g, tfc_out x, int axis, bool exclusive, bool reverse, const char *name);
TFC_API tfc_out tfc_cumprod(tfc_graph *g, tfc_out x, int axis, bool exclusive, bool reverse, const char *name);

/* ---- neural network ---- */
/* tf.nn.l2_loss: sum(t^2) / 2. */
TFC_API tfc_out tfc_l2_loss(tfc_graph *g, tfc_out t, const char *name);
/* tf.nn.bias_add: the vector bias added along x's last dim. */
TFC_API tfc_out tfc_bias_add(tfc_graph *g, tfc_out x, tfc_out bias, const char *name);
/* tf.nn.softmax along the last dim. */
TFC_API tfc_out tfc_softmax(tfc_graph *g, tfc_out logits, const char *name);
/* tf.nn.log_softmax along the last dim: logits - log(sum(exp(logits))). */
TFC_API tfc_out tfc_log_softmax(tfc_graph *g, tfc_out logits, const char *name);
/* Per-example loss (output 0 of SoftmaxCrossEntropyWithLogits; output 1 is the backprop). */
TFC_API tfc_out tfc_softmax_cross_entropy_with_logits(tfc_graph *g, tfc_out labels, tfc_out logits, const char *name);
/* tf.nn.sparse_softmax_cross_entropy_with_logits: logits [batch, classes], labels [batch] of int32 or
 * int64 class indices; per-example loss. */
TFC_API tfc_out tfc_sparse_softmax_cross_entropy_with_logits(tfc_graph *g, tfc_out labels, tfc_out logits, const char *name);
/* tf.nn.sigmoid_cross_entropy_with_logits: elementwise, labels of the logits' shape, built from
 * TensorFlow's ops under scope "logistic_loss". */
TFC_API tfc_out tfc_sigmoid_cross_entropy_with_logits(tfc_graph *g, tfc_out labels, tfc_out logits, const char *name);
/* tf.nn.embedding_lookup with one params tensor: its rows for the int ids (GatherV2, Identity). */
TFC_API tfc_out tfc_embedding_lookup(tfc_graph *g, tfc_out params, tfc_out ids, const char *name);
/* tf.compat.v1.nn.fused_batch_norm on NHWC x with per-channel scale and offset: in training the batch's
 * statistics (mean and variance may be TFC_NO_OUT: empty, unless exponential_avg_factor is not 1),
 * otherwise the given mean and variance. Returns y; the running mean and variance (unbiased variance
 * in training) go to *running_mean and *running_variance when not NULL. epsilon at least 1.001e-5. */
TFC_API tfc_out tfc_fused_batch_norm(tfc_graph *g, tfc_out x, tfc_out scale, tfc_out offset, tfc_out mean, tfc_out variance,
                                     float epsilon, float exponential_avg_factor, bool is_training, tfc_out *running_mean,
                                     tfc_out *running_variance, const char *name);
/* tf.nn.local_response_normalization (LRN) across the channels of rank-4 x (TensorFlow's defaults:
 * depth_radius 5, bias 1, alpha 1, beta 0.5). */
TFC_API tfc_out tfc_local_response_normalization(tfc_graph *g, tfc_out x, int depth_radius, float bias, float alpha, float beta,
                                                 const char *name);
/* tf.nn.dropout(x, keep_prob) under scope NAME (default "dropout"): x / keep_prob * floor(keep_prob + U[0,1)). */
TFC_API tfc_out tfc_dropout(tfc_graph *g, tfc_out x, tfc_out keep_prob, int64_t seed, const char *name);
/* tf.nn.conv2d on NHWC input with an HWIO filter; strides as [1, sh, sw, 1]; padding "SAME" or
 * "VALID". tf.nn.max_pool likewise, with window ksize [1, kh, kw, 1]. NULL strides, ksize or
 * padding is a build error naming the node. */
TFC_API tfc_out tfc_conv2d(tfc_graph *g, tfc_out input, tfc_out filter, const int64_t strides[4], const char *padding,
                           const char *name);
/* tf.nn.conv2d_transpose: the Conv2DBackpropInput op (the gradient of a Conv2D) on value, giving a
 * tensor of output_shape; filter is [height, width, output channels, value's channels]. */
TFC_API tfc_out tfc_conv2d_transpose(tfc_graph *g, tfc_out value, tfc_out filter, tfc_shape output_shape, const int64_t strides[4],
                                     const char *padding, const char *name);
TFC_API tfc_out tfc_max_pool(tfc_graph *g, tfc_out input, const int64_t ksize[4], const int64_t strides[4],
                             const char *padding, const char *name);
/* tf.nn.avg_pool: the mean over each window's part inside the image (arguments as tfc_max_pool). */
TFC_API tfc_out tfc_avg_pool(tfc_graph *g, tfc_out input, const int64_t ksize[4], const int64_t strides[4],
                             const char *padding, const char *name);

/* ---- arrays (any dtype of fixed size) ---- */
/* tf.reshape: x's elements in a new shape of the same size; one dim may be -1 (inferred). */
TFC_API tfc_out tfc_reshape(tfc_graph *g, tfc_out x, tfc_shape shape, const char *name);
/* tf.shape: x's shape at run time as an int32 vector. */
TFC_API tfc_out tfc_shape_of(tfc_graph *g, tfc_out x, const char *name);
/* tf.rank: x's rank at run time as an int32 scalar. */
TFC_API tfc_out tfc_rank(tfc_graph *g, tfc_out x, const char *name);
/* tf.expand_dims: x with a dim of 1 inserted at axis (negative counts from the end). */
TFC_API tfc_out tfc_expand_dims(tfc_graph *g, tfc_out x, int axis, const char *name);
/* tf.squeeze: drops the listed size-1 dims, or every size-1 dim when naxes is 0. */
TFC_API tfc_out tfc_squeeze(tfc_graph *g, tfc_out x, const int *axes, int naxes, const char *name);
/* tf.zeros_like / tf.ones_like as TensorFlow's Python builds them: a Const for a small known shape, a
 * Fill for a large one, the ZerosLike / OnesLike op for one not known when the graph is built. */
TFC_API tfc_out tfc_zeros_like(tfc_graph *g, tfc_out x, const char *name);
TFC_API tfc_out tfc_ones_like(tfc_graph *g, tfc_out x, const char *name);
/* tf.stop_gradient: x, with no gradient flowing back. */
TFC_API tfc_out tfc_stop_gradient(tfc_graph *g, tfc_out x, const char *name);
/* tf.concat (ConcatV2) and tf.stack (Pack) of n tensors along axis. */
TFC_API tfc_out tfc_concat(tfc_graph *g, const tfc_out *values, int n, int axis, const char *name);
TFC_API tfc_out tfc_stack(tfc_graph *g, const tfc_out *values, int n, int axis, const char *name);
/* tf.unstack (Unpack), tf.split into num_split equal pieces (Split) or pieces of the given sizes, one
 * of them -1 for the rest (SplitV): fill outputs[] and return their count, 0 after an error. */
TFC_API int tfc_unstack(tfc_graph *g, tfc_out value, int num, int axis, tfc_out *outputs, const char *name);
TFC_API int tfc_split(tfc_graph *g, tfc_out value, int num_split, int axis, tfc_out *outputs, const char *name);
TFC_API int tfc_split_v(tfc_graph *g, tfc_out value, const int32_t *sizes, int n, int axis, tfc_out *outputs, const char *name);
/* tf.transpose; perm NULL reverses the dims. */
TFC_API tfc_out tfc_transpose(tfc_graph *g, tfc_out x, const int *perm, int n, const char *name);
/* tf.slice: size -1 takes the rest of a dim. */
TFC_API tfc_out tfc_slice(tfc_graph *g, tfc_out x, const int64_t *begin, const int64_t *size, int n, const char *name);
/* tf.strided_slice with TensorFlow's masks (bit i for entry i); strides NULL: all 1. */
typedef struct {
    int64_t begin, end, ellipsis, new_axis, shrink_axis;
} tfc_slice_masks;
TFC_API tfc_out tfc_strided_slice(tfc_graph *g, tfc_out x, const int64_t *begin, const int64_t *end, const int64_t *strides, int n,
                                  const tfc_slice_masks *masks, const char *name);
/* tf.gather(params, indices, axis) (GatherV2, batch_dims 0). */
TFC_API tfc_out tfc_gather(tfc_graph *g, tfc_out params, tfc_out indices, int axis, const char *name);
/* tf.one_hot: float32 on_value where indices == d along the new axis (-1: last), off_value elsewhere. */
TFC_API tfc_out tfc_one_hot(tfc_graph *g, tfc_out indices, int depth, float on_value, float off_value, int axis, const char *name);
/* tf.pad with zeros: paddings holds (before, after) for each of the rank dims. */
TFC_API tfc_out tfc_pad(tfc_graph *g, tfc_out x, const int64_t *paddings, int rank, const char *name);
/* tf.tile: x repeated multiples[i] times along dim i. */
TFC_API tfc_out tfc_tile(tfc_graph *g, tfc_out x, const int64_t *multiples, int n, const char *name);
/* tf.range of int32. */
TFC_API tfc_out tfc_range(tfc_graph *g, int32_t start, int32_t limit, int32_t delta, const char *name);
/* tf.compat.v1.where: with x and y, Select (condition of their shape, or a vector along their first
 * dim); with both TFC_NO_OUT, Where (the int64 coordinates of the true elements).
 * tfc_where_v2: tf.where of TensorFlow 2, SelectV2 (condition, x and y broadcast together). */
TFC_API tfc_out tfc_where(tfc_graph *g, tfc_out condition, tfc_out x, tfc_out y, const char *name);
TFC_API tfc_out tfc_where_v2(tfc_graph *g, tfc_out condition, tfc_out x, tfc_out y, const char *name);

TFC_END_DECLS

#endif
