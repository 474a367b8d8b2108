/* Helpers shared by the op files: static shape rules and small building blocks of gradients. */
#ifndef TFC_OPS_COMMON_H
#define TFC_OPS_COMMON_H

#include "../op.h"
#include "../ops.h"

static inline tfc_out in_out(const tfc_graph *g, int node, int i) { return tfc_node_input(g, node, i); }
static inline tfc_shape in_shape(const tfc_graph *g, int node, int i) { return tfc_out_shape(g, tfc_node_input(g, node, i)); }
static inline tfc_dtype in_dtype(const tfc_graph *g, int node, int i) { return tfc_out_dtype(g, tfc_node_input(g, node, i)); }
static inline tfc_out node_out(int node, int i) { return (tfc_out){node, i}; }

/* NumPy broadcasting of two static shapes (unknown dims allowed); false when incompatible. */
bool tfc_broadcast_shapes(tfc_shape a, tfc_shape b, tfc_shape *out);
/* Sums dy (of shape dy_shape) down to target, the shape of an input that was broadcast. Adds
 * Sum/Reshape nodes only where needed; unknown dims of equal position are taken as equal. */
tfc_out tfc_grad_unbroadcast(tfc_graph *g, tfc_out dy, tfc_shape target);
/* Infer for ops whose output has input 0's dtype and shape (unary elementwise). */
bool tfc_infer_same_as_input(tfc_graph *g, int node);
/* Sets of dtypes an op's kernel handles, for the build-time check: TFC_DTYPE_BIT(TFC_INT32) | ... */
typedef uint32_t tfc_dtype_set;
#define TFC_DTYPE_BIT(dt) (1u << (dt))
#define TFC_FLOATS TFC_DTYPE_BIT(TFC_FLOAT)
#define TFC_INTS (TFC_DTYPE_BIT(TFC_INT32) | TFC_DTYPE_BIT(TFC_INT64))
#define TFC_NUMBERS (TFC_FLOATS | TFC_INTS)
/* what data movement (concat, transpose, gather, ...) handles: every dtype of fixed size */
#define TFC_FIXED_SIZE                                                                                 \
    (TFC_NUMBERS | TFC_DTYPE_BIT(TFC_DOUBLE) | TFC_DTYPE_BIT(TFC_UINT8) | TFC_DTYPE_BIT(TFC_INT16) |     \
     TFC_DTYPE_BIT(TFC_INT8) | TFC_DTYPE_BIT(TFC_BOOL) | TFC_DTYPE_BIT(TFC_UINT16) | TFC_DTYPE_BIT(TFC_HALF) | \
     TFC_DTYPE_BIT(TFC_BFLOAT16) | TFC_DTYPE_BIT(TFC_UINT32) | TFC_DTYPE_BIT(TFC_UINT64) |                 \
     TFC_DTYPE_BIT(TFC_COMPLEX64) | TFC_DTYPE_BIT(TFC_COMPLEX128))
/* Checks that input i's dtype is in the set, reporting "input i ('x:0') is int32; Elu takes float32"
 * otherwise. An input of unknown dtype passes (it is checked when it becomes known). */
bool tfc_require_dtype(tfc_graph *g, int node, int i, tfc_dtype_set allowed);
/* Checks that inputs [first, last] have one dtype (T attrs shared by several inputs). */
bool tfc_require_same_dtype(tfc_graph *g, int node, int first, int last);
/* Checks that input i has a floating dtype (float32), reporting otherwise. */
bool tfc_require_float(tfc_graph *g, int node, int i);
/* Runs BODY with T the C type of a numeric dtype (float32, int32, int64); other dtypes run none. */
#define TFC_NUMERIC_SWITCH(dt, T, ...)                                                                \
    switch (dt) {                                                                                      \
    case TFC_FLOAT: {                                                                                  \
        typedef float T;                                                                               \
        __VA_ARGS__;                                                                                          \
        break;                                                                                         \
    }                                                                                                  \
    case TFC_INT32: {                                                                                  \
        typedef int32_t T;                                                                             \
        __VA_ARGS__;                                                                                          \
        break;                                                                                         \
    }                                                                                                  \
    case TFC_INT64: {                                                                                  \
        typedef int64_t T;                                                                             \
        __VA_ARGS__;                                                                                          \
        break;                                                                                         \
    }                                                                                                  \
    default: break;                                                                                    \
    }
/* A non-negative axis for a tensor of the given rank from one in [-rank, rank); false when out of
 * range. */
bool tfc_normalize_axis(int64_t axis, int rank, int *out);
/* The gradient flowing into output i of node, or ZerosLike of that output when none does (as
 * TensorFlow fills in for ops whose gradient needs all of their outputs' gradients). */
tfc_out tfc_grad_or_zeros(tfc_graph *g, int node, const tfc_out *dy, int i);
/* Element i of an int32 or int64 tensor (shapes, indices). */
static inline void tfc_set_index(tfc_tensor *t, int64_t i, int64_t v)
{
    if (t->dtype == TFC_INT64)
        tfc_i64(t)[i] = v;
    else
        tfc_i32(t)[i] = (int32_t)v;
}
/* Sets attr `name` to the dtype of input i (the T, Tidx, ... attrs of builders). */
void tfc_set_type_of(tfc_graph *g, int node, const char *name, int i);
/* Sets the "T" attr from input 0's dtype (done by most builders). */
void tfc_set_T(tfc_graph *g, int node);
/* Shape from an int32/int64 shape tensor at run time. */
bool tfc_shape_from_tensor(const tfc_tensor *t, tfc_shape *out);
/* Static shape described by a Const shape input (unknown when not constant). */
tfc_shape tfc_shape_from_const_input(const tfc_graph *g, tfc_out shape_input);
/* A unary builder: node of type `type` on x, T attr set. */
tfc_out tfc_unary(tfc_graph *g, const char *type, tfc_out x, const char *name);
/* A binary builder: node of type `type` on x and y, T attr set. */
tfc_out tfc_binary(tfc_graph *g, const char *type, tfc_out x, tfc_out y, const char *name);

/* x's shape as an int32 or int64 vector: a Const "Shape" when its static shape is fully known (so what is
 * built from it keeps a static shape), the Shape op otherwise. */
tfc_out tfc_shape_tensor(tfc_graph *g, tfc_out x, tfc_dtype dt);
/* Slice with begin and size given as tensors (the T and Index attrs from them). */
tfc_out tfc_slice_by(tfc_graph *g, tfc_out x, tfc_out begin, tfc_out size, const char *name);
/* A Select or SelectV2 node (type) on condition c. */
tfc_out tfc_select_op(tfc_graph *g, const char *type, tfc_out c, tfc_out t, tfc_out e, const char *name);
/* An int32 vector Const holding the dims of shape (what tf.reshape or tf.fill make of a list). */
tfc_out tfc_const_shape(tfc_graph *g, tfc_shape shape, const char *name);

/* Opens a name scope NAME (or dflt) as tf.name_scope does inside an op function, and copies its
 * full name with the trailing '/' into buf: helper nodes go inside, and the op itself, built after
 * tfc_scope_pop with name buf, takes the scope's name (TensorFlow's "Reshape" with "Reshape/shape"). */
void tfc_op_scope_push(tfc_graph *g, const char *name, const char *dflt, char buf[512]);

#endif
