/* Ops that make, name or reshape tensors: Const Placeholder PlaceholderWithDefault Identity
 * IdentityN StopGradient PreventGradient NoOp ZerosLike OnesLike Fill Shape ShapeN Size Rank Reshape
 * ExpandDims Squeeze BroadcastTo Cast. */
#include <stdio.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"

/* ---- Const ---- */

static bool infer_const(tfc_graph *g, int node)
{
    const tfc_attr *a = tfc_node_find_attr(g, node, "value");
    if (!a || a->kind != TFC_ATTR_TENSOR) return tfc_node_error(g, node, "has no value");
    tfc_node_set_output(g, node, 0, a->tensor->dtype, a->tensor->shape);
    return true;
}

static bool k_const(tfc_kernel_ctx *k)
{
    tfc_kernel_forward(k, 0, tfc_node_find_attr(k->graph, k->node, "value")->tensor);
    return true;
}

const tfc_op_def tfc_op_Const = {"Const", infer_const, k_const, NULL, 0, .ninputs = 0};

tfc_out tfc_const(tfc_graph *g, const tfc_tensor *value, const char *name)
{
    if (!value) {
        int n = tfc_node_begin(g, "Const", name, NULL, 0, 1);
        if (n >= 0) tfc_node_error(g, n, "no value given (out of memory?)");
        return tfc_node_finish(g, n);
    }
    int n = tfc_node_begin(g, "Const", name, NULL, 0, 1);
    tfc_set_attr_type(g, n, "dtype", value->dtype);
    tfc_set_attr_tensor(g, n, "value", value);
    return tfc_node_finish(g, n);
}

static tfc_out const_owned(tfc_graph *g, tfc_tensor *t, const char *name)
{
    tfc_out o = tfc_const(g, t, name);
    tfc_tensor_free(t);
    return o;
}

tfc_out tfc_const_scalar(tfc_graph *g, float v, const char *name)
{
    return const_owned(g, tfc_tensor_from(TFC_FLOAT, TFC_SCALAR, &v), name);
}

tfc_out tfc_const_int(tfc_graph *g, int32_t v, const char *name)
{
    return const_owned(g, tfc_tensor_from(TFC_INT32, TFC_SCALAR, &v), name);
}

tfc_out tfc_const_ints(tfc_graph *g, const int32_t *v, int n, const char *name)
{
    return const_owned(g, tfc_tensor_from(TFC_INT32, TFC_SHAPE(n), v), name);
}

/* ---- Placeholder ---- */

static bool infer_placeholder(tfc_graph *g, int node)
{
    const tfc_attr *s = tfc_node_find_attr(g, node, "shape");
    if (s && s->kind != TFC_ATTR_SHAPE) return tfc_node_error(g, node, "attr 'shape' is not a shape");
    tfc_node_set_output(g, node, 0, tfc_attr_type(g, node, "dtype", TFC_FLOAT), s ? s->shape : TFC_UNKNOWN_SHAPE);
    return true;
}

static bool k_placeholder(tfc_kernel_ctx *k)
{
    char b[TFC_SHAPE_STR_MAX];
    tfc_shape s = tfc_node_output_shape(k->graph, k->node, 0);
    tfc_fail(k->st, TFC_FAILED_PRECONDITION, "placeholder '%s' (%s %s) must be fed a value",
             tfc_node_name(k->graph, k->node), tfc_dtype_name(tfc_node_output_dtype(k->graph, k->node, 0)),
             tfc_shape_str(s, b));
    return false;
}

const tfc_op_def tfc_op_Placeholder = {"Placeholder", infer_placeholder, k_placeholder, NULL, TFC_OP_STATEFUL, .ninputs = 0};

/* PlaceholderWithDefault: its input's value unless it is fed (TensorFlow's Saver names its file
 * with one); its static shape is the shape attr, which may say less than the input's. */
static bool infer_placeholder_default(tfc_graph *g, int node)
{
    const tfc_attr *s = tfc_node_find_attr(g, node, "shape");
    tfc_shape shape = s && s->kind == TFC_ATTR_SHAPE ? s->shape : TFC_UNKNOWN_SHAPE, in = in_shape(g, node, 0);
    tfc_dtype dt = tfc_attr_type(g, node, "dtype", in_dtype(g, node, 0));
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (dt != in_dtype(g, node, 0))
        return tfc_node_error(g, node, "dtype %s, its default is %s", tfc_dtype_name(dt), tfc_dtype_name(in_dtype(g, node, 0)));
    if (!tfc_shape_compatible(shape, in))
        return tfc_node_error(g, node, "shape %s, its default has shape %s", tfc_shape_str(shape, a), tfc_shape_str(in, b));
    tfc_node_set_output(g, node, 0, dt, shape);
    return true;
}

tfc_out tfc_placeholder(tfc_graph *g, tfc_dtype dt, tfc_shape shape, const char *name)
{
    if (!tfc_builder_shape(g, "tfc_placeholder", name, "Placeholder", shape, true, true, INT64_MAX)) return TFC_NO_OUT;
    int n = tfc_node_begin(g, "Placeholder", name, NULL, 0, 1);
    tfc_set_attr_type(g, n, "dtype", dt);
    tfc_set_attr_shape(g, n, "shape", shape);
    return tfc_node_finish(g, n);
}

/* ---- Identity, NoOp ---- */

static bool k_identity(tfc_kernel_ctx *k)
{
    tfc_kernel_forward(k, 0, k->in[0]);
    return true;
}

static void grad_identity(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    (void)g;
    (void)node;
    dx[0] = dy[0];
}

const tfc_op_def tfc_op_Identity = {"Identity", tfc_infer_same_as_input, k_identity, grad_identity,
                                    TFC_OP_FORWARDS_INPUT0, .ninputs = 1};
const tfc_op_def tfc_op_NoOp = {"NoOp", NULL, NULL, NULL, 0, .ninputs = 0};

/* IdentityN: Identity of several tensors at once (tf.custom_gradient wraps a function's outputs in
 * one). Outputs after the first are copies: only output 0 may pass its input on. */
static bool infer_identity_n(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node);
    if (n < 1 || n > TFC_MAX_OUTPUTS) return tfc_node_error(g, node, "takes 1 to %d tensors, not %d", TFC_MAX_OUTPUTS, n);
    for (int i = 0; i < n; i++) tfc_node_set_output(g, node, i, in_dtype(g, node, i), in_shape(g, node, i));
    return true;
}

static bool k_identity_n(tfc_kernel_ctx *k)
{
    tfc_kernel_forward(k, 0, k->in[0]);
    for (int i = 1; i < k->ninputs; i++) {
        tfc_tensor *c = tfc_tensor_copy(k->in[i]);
        if (!c) return tfc_kernel_error(k, "out of memory");
        tfc_kernel_set_output(k, i, c);
    }
    return true;
}

static void grad_identity_n(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    for (int i = 0; i < tfc_node_num_inputs(g, node); i++) dx[i] = dy[i];
}

const tfc_op_def tfc_op_IdentityN = {"IdentityN", infer_identity_n, k_identity_n, grad_identity_n, TFC_OP_FORWARDS_INPUT0,
                                     .ninputs = TFC_INPUTS_LIST};
const tfc_op_def tfc_op_PlaceholderWithDefault = {"PlaceholderWithDefault", infer_placeholder_default, k_identity,
                                                  grad_identity, TFC_OP_FORWARDS_INPUT0, .ninputs = 1};
/* Identity to the forward pass; no gradient flows back through it. */
const tfc_op_def tfc_op_StopGradient = {"StopGradient", tfc_infer_same_as_input, k_identity, NULL, TFC_OP_FORWARDS_INPUT0,
                                         .ninputs = 1};

/* Identity too, but differentiating through it is an error (its message says why), as in
 * TensorFlow, where it guards the backprop output of the sparse cross entropy. */
static void grad_prevent(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    (void)dy;
    (void)dx;
    tfc_node_error(g, node, "gradient explicitly disabled: %s", tfc_attr_string(g, node, "message", ""));
}

const tfc_op_def tfc_op_PreventGradient = {"PreventGradient", tfc_infer_same_as_input, k_identity, grad_prevent,
                                            TFC_OP_FORWARDS_INPUT0, .ninputs = 1};

tfc_out tfc_identity(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Identity", x, name); }
tfc_out tfc_stop_gradient(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "StopGradient", x, name); }

/* ---- ZerosLike, OnesLike ---- */

static bool infer_like(tfc_graph *g, int node)
{
    return tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) && tfc_infer_same_as_input(g, node);
}

static bool k_zeros_like(tfc_kernel_ctx *k)
{
    tfc_tensor *z = tfc_kernel_output(k, 0, k->in[0]->dtype, k->in[0]->shape);
    if (z) memset(z->data, 0, tfc_tensor_nbytes(z));
    return z != NULL;
}

static bool k_ones_like(tfc_kernel_ctx *k)
{
    tfc_tensor *z = tfc_kernel_output(k, 0, k->in[0]->dtype, k->in[0]->shape);
    if (!z) return false;
    if (z->dtype == TFC_BOOL || z->dtype == TFC_UINT8) memset(z->data, 1, tfc_tensor_nbytes(z));
    TFC_NUMERIC_SWITCH(z->dtype, T, for (int64_t i = 0; i < z->size; i++) ((T *)z->data)[i] = 1)
    return true;
}

static bool infer_ones_like(tfc_graph *g, int node)
{
    return tfc_require_dtype(g, node, 0, TFC_NUMBERS | TFC_DTYPE_BIT(TFC_BOOL) | TFC_DTYPE_BIT(TFC_UINT8)) &&
           tfc_infer_same_as_input(g, node);
}

const tfc_op_def tfc_op_ZerosLike = {"ZerosLike", infer_like, k_zeros_like, NULL, 0, .ninputs = 1};
const tfc_op_def tfc_op_OnesLike = {"OnesLike", infer_ones_like, k_ones_like, NULL, 0, .ninputs = 1};

/* tf.zeros_like / tf.ones_like as TensorFlow's Python builds them (named NAME, default dflt): a Const
 * when x's shape is known and small, a Fill of it when known and large, the ZerosLike / OnesLike op
 * otherwise. */
static tfc_out filled_like(tfc_graph *g, tfc_out x, int value, const char *name, const char *dflt, const char *op)
{
    tfc_shape s = tfc_out_shape(g, x);
    tfc_dtype dt = tfc_out_dtype(g, x);
    char full[512];
    tfc_op_scope_push(g, name, dflt, full);
    int64_t n = tfc_shape_numel(s);
    if (n < 0) {
        tfc_scope_pop(g);
        return tfc_unary(g, op, x, full);
    }
    tfc_tensor *t = tfc_tensor_new(dt, n < 1000 ? s : TFC_SCALAR);
    if (t && value) {
        if (dt == TFC_BOOL || dt == TFC_UINT8) memset(t->data, 1, tfc_tensor_nbytes(t));
        TFC_NUMERIC_SWITCH(dt, T, for (int64_t i = 0; i < t->size; i++) ((T *)t->data)[i] = 1)
    }
    if (n < 1000) {
        tfc_scope_pop(g);
        tfc_out c = tfc_const(g, t, full);
        tfc_tensor_free(t);
        return c;
    }
    tfc_out dims = tfc_const_shape(g, s, "shape_as_tensor");
    tfc_out v = tfc_const(g, t, "Const");
    tfc_tensor_free(t);
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, "Fill", full, (tfc_out[]){dims, v}, 2, 1);
    tfc_set_attr_type(g, node, "T", dt);
    tfc_set_attr_type(g, node, "index_type", TFC_INT32);
    return tfc_node_finish(g, node);
}

tfc_out tfc_zeros_like(tfc_graph *g, tfc_out x, const char *name) { return filled_like(g, x, 0, name, "zeros_like", "ZerosLike"); }
tfc_out tfc_ones_like(tfc_graph *g, tfc_out x, const char *name) { return filled_like(g, x, 1, name, "ones_like", "OnesLike"); }

tfc_out tfc_group(tfc_graph *g, const tfc_out *deps, int n, const char *name)
{
    if (!tfc_builder_array(g, "tfc_group", name, "NoOp", "deps", deps, n)) return TFC_NO_OUT;
    int node = tfc_node_begin(g, "NoOp", name, NULL, 0, 0);
    for (int i = 0; i < n; i++)
        if (tfc_out_ok(deps[i])) tfc_node_add_control(g, node, deps[i].node);
    tfc_node_finish(g, node);
    return node >= 0 && tfc_graph_ok(g) ? (tfc_out){node, 0} : TFC_NO_OUT;
}

/* ---- Fill ---- */

static bool infer_fill(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_INTS) || !tfc_require_dtype(g, node, 1, TFC_FIXED_SIZE)) return false;
    tfc_shape s = tfc_shape_from_const_input(g, in_out(g, node, 0));
    tfc_shape vs = in_shape(g, node, 1);
    if (vs.rank > 0) return tfc_node_error(g, node, "the fill value must be a scalar");
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 1), s);
    return true;
}

static bool k_fill(tfc_kernel_ctx *k)
{
    tfc_shape s;
    if (!tfc_shape_from_tensor(k->in[0], &s) || !tfc_shape_known(s))
        return tfc_kernel_error(k, "dims must be a vector of non-negative sizes");
    const tfc_tensor *v = k->in[1];
    tfc_tensor *z = tfc_kernel_output(k, 0, v->dtype, s);
    if (!z) return false;
    size_t es = tfc_dtype_size(v->dtype);
    for (int64_t i = 0; i < z->size; i++) memcpy((char *)z->data + (size_t)i * es, v->data, es);
    return true;
}

/* The value is spread over every element: its gradient is the sum of dy. */
static void grad_fill(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    (void)node;
    dx[1] = tfc_reduce_sum(g, dy[0], NULL, 0, false, NULL);
}

const tfc_op_def tfc_op_Fill = {"Fill", infer_fill, k_fill, grad_fill, 0, .ninputs = 2};

tfc_out tfc_fill(tfc_graph *g, tfc_shape shape, float value, const char *name)
{
    char full[512];
    if (!tfc_builder_shape(g, "tfc_fill", name, "Fill", shape, false, false, INT32_MAX)) return TFC_NO_OUT;
    tfc_op_scope_push(g, name, "Fill", full);
    tfc_out d = tfc_const_shape(g, shape, "dims");
    tfc_out v = tfc_const_scalar(g, value, "value");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "Fill", full, (tfc_out[]){d, v}, 2, 1);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_set_attr_type(g, n, "index_type", TFC_INT32);
    return tfc_node_finish(g, n);
}

tfc_out tfc_zeros(tfc_graph *g, tfc_shape shape, tfc_dtype dt, const char *name)
{
    if (!tfc_builder_shape(g, "tfc_zeros", name, "zeros", shape, false, false, INT64_MAX)) return TFC_NO_OUT;
    tfc_tensor *t = tfc_tensor_new(dt, shape);
    if (!t) {
        int n = tfc_node_begin(g, "Const", name ? name : "zeros", NULL, 0, 1);
        char b[TFC_SHAPE_STR_MAX];
        if (n >= 0) tfc_node_error(g, n, "cannot make zeros of shape %s", tfc_shape_str(shape, b));
        return tfc_node_finish(g, n);
    }
    return const_owned(g, t, name ? name : "zeros");
}

/* ---- Shape, Size ---- */

static tfc_dtype out_type(const tfc_graph *g, int node) { return tfc_attr_type(g, node, "out_type", TFC_INT32); }

static bool require_index_type(tfc_graph *g, int node, tfc_dtype dt)
{
    if (dt == TFC_INT32 || dt == TFC_INT64) return true;
    return tfc_node_error(g, node, "out_type must be int32 or int64, not %s", tfc_dtype_name(dt));
}

static bool infer_shape_op(tfc_graph *g, int node)
{
    tfc_shape s = in_shape(g, node, 0);
    if (!require_index_type(g, node, out_type(g, node))) return false;
    tfc_node_set_output(g, node, 0, out_type(g, node), s.rank >= 0 ? TFC_SHAPE(s.rank) : TFC_SHAPE(-1));
    return true;
}

static bool k_shape_op(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    tfc_tensor *z = tfc_kernel_output(k, 0, out_type(k->graph, k->node), TFC_SHAPE(x->shape.rank));
    if (!z) return false;
    for (int i = 0; i < x->shape.rank; i++) tfc_set_index(z, i, x->shape.dims[i]);
    return true;
}

const tfc_op_def tfc_op_Shape = {"Shape", infer_shape_op, k_shape_op, NULL, 0, .ninputs = 1};

tfc_out tfc_shape_of(tfc_graph *g, tfc_out x, const char *name)
{
    int n = tfc_node_begin(g, "Shape", name, &x, 1, 1);
    tfc_set_T(g, n);
    tfc_set_attr_type(g, n, "out_type", TFC_INT32);
    return tfc_node_finish(g, n);
}

static bool infer_size(tfc_graph *g, int node)
{
    if (!require_index_type(g, node, out_type(g, node))) return false;
    tfc_node_set_output(g, node, 0, out_type(g, node), TFC_SCALAR);
    return true;
}

static bool k_size(tfc_kernel_ctx *k)
{
    tfc_tensor *z = tfc_kernel_output(k, 0, out_type(k->graph, k->node), TFC_SCALAR);
    if (!z) return false;
    tfc_set_index(z, 0, k->in[0]->size);
    return true;
}

const tfc_op_def tfc_op_Size = {"Size", infer_size, k_size, NULL, 0, .ninputs = 1};

/* ShapeN: the shapes of N tensors at once. */
static bool infer_shape_n(tfc_graph *g, int node)
{
    if (!require_index_type(g, node, out_type(g, node))) return false;
    for (int i = 0; i < tfc_node_num_inputs(g, node); i++) {
        tfc_shape s = in_shape(g, node, i);
        tfc_node_set_output(g, node, i, out_type(g, node), TFC_SHAPE(s.rank >= 0 ? s.rank : -1));
    }
    return true;
}

static bool k_shape_n(tfc_kernel_ctx *k)
{
    for (int i = 0; i < k->ninputs; i++) {
        const tfc_tensor *x = k->in[i];
        tfc_tensor *z = tfc_kernel_output(k, i, out_type(k->graph, k->node), TFC_SHAPE(x->shape.rank));
        if (!z) return false;
        for (int d = 0; d < x->shape.rank; d++) tfc_set_index(z, d, x->shape.dims[d]);
    }
    return true;
}

const tfc_op_def tfc_op_ShapeN = {"ShapeN", infer_shape_n, k_shape_n, NULL, 0, .ninputs = TFC_INPUTS_LIST};

static bool infer_rank(tfc_graph *g, int node)
{
    tfc_node_set_output(g, node, 0, TFC_INT32, TFC_SCALAR);
    return true;
}

static bool k_rank(tfc_kernel_ctx *k)
{
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_INT32, TFC_SCALAR);
    if (!z) return false;
    tfc_i32(z)[0] = k->in[0]->shape.rank;
    return true;
}

const tfc_op_def tfc_op_Rank = {"Rank", infer_rank, k_rank, NULL, 0, .ninputs = 1};

tfc_out tfc_rank(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Rank", x, name); }

/* ---- Reshape ---- */

/* Resolves a requested shape (one -1 allowed) against a known element count; n < 0 = unknown. */
static bool resolve_reshape(tfc_shape req, int64_t n, tfc_shape *out, char *why, size_t whylen)
{
    int unknown = -1;
    int64_t prod = 1;
    for (int i = 0; i < req.rank; i++) {
        if (req.dims[i] == -1) {
            if (unknown >= 0) return snprintf(why, whylen, "more than one -1 in the new shape"), false;
            unknown = i;
        } else if (req.dims[i] < 0) {
            return snprintf(why, whylen, "negative size in the new shape"), false;
        } else {
            prod *= req.dims[i];
        }
    }
    *out = req;
    if (n < 0) return true;
    if (unknown >= 0) {
        if (prod == 0 || n % prod) return snprintf(why, whylen, "%lld elements cannot be shaped so", (long long)n), false;
        out->dims[unknown] = n / prod;
    } else if (prod != n) {
        return snprintf(why, whylen, "%lld elements cannot take a shape of %lld", (long long)n, (long long)prod), false;
    }
    return true;
}

static bool infer_reshape(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    tfc_shape req = tfc_shape_from_const_input(g, in_out(g, node, 1)), out;
    char why[128], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    /* A shape computed at run time: only its rank is known here. */
    if (req.rank < 0 || !tfc_graph_const_value(g, in_out(g, node, 1))) {
        tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), req);
        return true;
    }
    if (!resolve_reshape(req, tfc_shape_numel(in_shape(g, node, 0)), &out, why, sizeof why))
        return tfc_node_error(g, node, "cannot reshape %s to %s: %s", tfc_shape_str(in_shape(g, node, 0), a),
                              tfc_shape_str(req, b), why);
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_reshape(tfc_kernel_ctx *k)
{
    tfc_shape req, out;
    char why[128], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_shape_from_tensor(k->in[1], &req)) return tfc_kernel_error(k, "the shape must be an int vector");
    if (!resolve_reshape(req, k->in[0]->size, &out, why, sizeof why))
        return tfc_kernel_error(k, "cannot reshape %s to %s: %s", tfc_shape_str(k->in[0]->shape, a),
                                tfc_shape_str(req, b), why);
    tfc_tensor *z = tfc_kernel_output(k, 0, k->in[0]->dtype, out);
    if (!z) return false;
    if (z->size) memcpy(z->data, k->in[0]->data, tfc_tensor_nbytes(z));
    return true;
}

/* Back to the input's shape, read at run time as TensorFlow does. */
static void grad_to_input_shape(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_binary(g, "Reshape", dy[0], tfc_shape_of(g, in_out(g, node, 0), NULL), NULL);
    if (tfc_out_ok(dx[0])) tfc_set_attr_type(g, dx[0].node, "Tshape", TFC_INT32);
}

const tfc_op_def tfc_op_Reshape = {"Reshape", infer_reshape, k_reshape, grad_to_input_shape, 0, .ninputs = 2};

tfc_out tfc_reshape(tfc_graph *g, tfc_out x, tfc_shape shape, const char *name)
{
    char full[512];
    if (!tfc_builder_shape(g, "tfc_reshape", name, "Reshape", shape, false, true, INT32_MAX)) return TFC_NO_OUT;
    tfc_op_scope_push(g, name, "Reshape", full);
    tfc_out s = tfc_const_shape(g, shape, "shape");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "Reshape", full, (tfc_out[]){x, s}, 2, 1);
    tfc_set_T(g, n);
    tfc_set_attr_type(g, n, "Tshape", TFC_INT32);
    return tfc_node_finish(g, n);
}

/* ---- ExpandDims ---- */

static bool expand_shape(tfc_shape in, int64_t dim, tfc_shape *out)
{
    if (in.rank < 0 || in.rank >= TFC_MAX_DIMS) return false;
    if (dim < 0) dim += in.rank + 1;
    if (dim < 0 || dim > in.rank) return false;
    out->rank = in.rank + 1;
    for (int i = 0, j = 0; i < out->rank; i++) out->dims[i] = i == dim ? 1 : in.dims[j++];
    return true;
}

static bool infer_expand_dims(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    const tfc_tensor *d = tfc_graph_const_value(g, in_out(g, node, 1));
    tfc_shape out = TFC_UNKNOWN_SHAPE;
    if (d && d->size == 1 && !expand_shape(in_shape(g, node, 0), (int64_t)tfc_tensor_get(d, 0), &out))
        return tfc_node_error(g, node, "dim %lld is out of range", (long long)tfc_tensor_get(d, 0));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_expand_dims(tfc_kernel_ctx *k)
{
    tfc_shape out;
    if (k->in[1]->size != 1 || !expand_shape(k->in[0]->shape, (int64_t)tfc_tensor_get(k->in[1], 0), &out))
        return tfc_kernel_error(k, "bad dim");
    tfc_tensor *z = tfc_kernel_output(k, 0, k->in[0]->dtype, out);
    if (!z) return false;
    if (z->size) memcpy(z->data, k->in[0]->data, tfc_tensor_nbytes(z));
    return true;
}

const tfc_op_def tfc_op_ExpandDims = {"ExpandDims", infer_expand_dims, k_expand_dims, grad_to_input_shape, 0, .ninputs = 2};

tfc_out tfc_expand_dims(tfc_graph *g, tfc_out x, int axis, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "ExpandDims", full);
    tfc_out d = tfc_const_int(g, axis, "dim");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "ExpandDims", full, (tfc_out[]){x, d}, 2, 1);
    tfc_set_T(g, n);
    tfc_set_attr_type(g, n, "Tdim", TFC_INT32);
    return tfc_node_finish(g, n);
}

/* ---- Squeeze ---- */

/* The shape without the listed size-1 dims (all size-1 dims when none are listed); false with a
 * reason when a listed dim is out of range or not 1. An unknown dim: unknown rank, unless listed. */
static bool squeeze_shape(tfc_shape in, const tfc_attr *dims, tfc_shape *out, char *why, size_t n)
{
    bool drop[TFC_MAX_DIMS] = {false};
    int nd = dims && dims->kind == TFC_ATTR_INT_LIST ? dims->ints.n : 0;
    *out = TFC_UNKNOWN_SHAPE;
    if (in.rank < 0) return true;
    for (int i = 0; i < nd; i++) {
        int a;
        if (!tfc_normalize_axis(dims->ints.v[i], in.rank, &a))
            return snprintf(why, n, "squeeze dim %lld is out of range for rank %d", (long long)dims->ints.v[i], in.rank), false;
        if (in.dims[a] >= 0 && in.dims[a] != 1)
            return snprintf(why, n, "cannot squeeze dim %d of size %lld", a, (long long)in.dims[a]), false;
        drop[a] = true;
    }
    for (int i = 0; i < in.rank && !nd; i++) {
        if (in.dims[i] < 0) return true;
        drop[i] = in.dims[i] == 1;
    }
    out->rank = 0;
    for (int i = 0; i < in.rank; i++)
        if (!drop[i]) out->dims[out->rank++] = in.dims[i];
    return true;
}

static bool infer_squeeze(tfc_graph *g, int node)
{
    tfc_shape out;
    char why[128], b[TFC_SHAPE_STR_MAX];
    if (!squeeze_shape(in_shape(g, node, 0), tfc_node_find_attr(g, node, "squeeze_dims"), &out, why, sizeof why))
        return tfc_node_error(g, node, "%s (input %s)", why, tfc_shape_str(in_shape(g, node, 0), b));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_squeeze(tfc_kernel_ctx *k)
{
    tfc_shape out;
    char why[128], b[TFC_SHAPE_STR_MAX];
    if (!squeeze_shape(k->in[0]->shape, tfc_node_find_attr(k->graph, k->node, "squeeze_dims"), &out, why, sizeof why))
        return tfc_kernel_error(k, "%s (input %s)", why, tfc_shape_str(k->in[0]->shape, b));
    tfc_tensor *z = tfc_kernel_output(k, 0, k->in[0]->dtype, out);
    if (!z) return false;
    if (z->size) memcpy(z->data, k->in[0]->data, tfc_tensor_nbytes(z));
    return true;
}

const tfc_op_def tfc_op_Squeeze = {"Squeeze", infer_squeeze, k_squeeze, grad_to_input_shape, 0, .ninputs = 1};

tfc_out tfc_squeeze(tfc_graph *g, tfc_out x, const int *axes, int naxes, const char *name)
{
    if (!tfc_builder_array(g, "tfc_squeeze", name, "Squeeze", "axes", axes, naxes)) return TFC_NO_OUT;
    int64_t dims[TFC_MAX_DIMS];
    for (int i = 0; i < naxes && i < TFC_MAX_DIMS; i++) dims[i] = axes[i];
    int n = tfc_node_begin(g, "Squeeze", name, &x, 1, 1);
    tfc_set_T(g, n);
    tfc_set_attr_ints(g, n, "squeeze_dims", dims, naxes < TFC_MAX_DIMS ? naxes : TFC_MAX_DIMS);
    return tfc_node_finish(g, n);
}

/* ---- BroadcastTo ---- */

static bool infer_broadcast_to(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    tfc_shape target = tfc_shape_from_const_input(g, in_out(g, node, 1)), m;
    if (target.rank >= 0 && !tfc_broadcast_shapes(in_shape(g, node, 0), target, &m)) {
        char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
        return tfc_node_error(g, node, "cannot broadcast %s to %s", tfc_shape_str(in_shape(g, node, 0), a),
                              tfc_shape_str(target, b));
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), target);
    return true;
}

static bool k_broadcast_to(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    tfc_shape t;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_shape_from_tensor(k->in[1], &t) || !tfc_shape_known(t) || t.rank < x->shape.rank)
        return tfc_kernel_error(k, "cannot broadcast %s to %s", tfc_shape_str(x->shape, a), tfc_shape_str(t, b));
    int64_t strides[TFC_MAX_DIMS], st = 1;
    for (int i = t.rank - 1; i >= 0; i--) {
        int ix = x->shape.rank - t.rank + i;
        int64_t d = ix >= 0 ? x->shape.dims[ix] : 1;
        if (d != 1 && d != t.dims[i])
            return tfc_kernel_error(k, "cannot broadcast %s to %s", tfc_shape_str(x->shape, a), tfc_shape_str(t, b));
        strides[i] = d == 1 ? 0 : st;
        st *= d;
    }
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, t);
    if (!z) return false;
    /* Row by row over the last dim: a copied row where the input has that dim, a filled one
     * where it is broadcast. */
    size_t es = tfc_dtype_size(x->dtype);
    int64_t inner = t.rank ? t.dims[t.rank - 1] : 1, idx[TFC_MAX_DIMS] = {0};
    bool row_copy = t.rank && strides[t.rank - 1] == 1;
    char *out = z->data;
    for (int64_t base = 0; base < z->size; base += inner) {
        int64_t off = 0;
        for (int d = 0; d < t.rank - 1; d++) off += idx[d] * strides[d];
        const char *src = (const char *)x->data + (size_t)off * es;
        if (row_copy) {
            memcpy(out + (size_t)base * es, src, (size_t)inner * es);
        } else if (es == 4) {
            uint32_t v;
            memcpy(&v, src, 4);
            uint32_t *o = (uint32_t *)(void *)(out + (size_t)base * es);
            for (int64_t j = 0; j < inner; j++) o[j] = v;
        } else {
            for (int64_t j = 0; j < inner; j++) memcpy(out + (size_t)(base + j) * es, src, es);
        }
        for (int d = t.rank - 2; d >= 0; d--) {
            if (++idx[d] < t.dims[d]) break;
            idx[d] = 0;
        }
    }
    return true;
}

static void grad_broadcast_to(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_grad_unbroadcast(g, dy[0], in_shape(g, node, 0));
}

const tfc_op_def tfc_op_BroadcastTo = {"BroadcastTo", infer_broadcast_to, k_broadcast_to, grad_broadcast_to, 0, .ninputs = 2};

/* ---- Cast ---- */

/* The dtypes the kernel converts between. */
#define CAST_TYPES                                                                                     \
    (TFC_NUMBERS | TFC_DTYPE_BIT(TFC_DOUBLE) | TFC_DTYPE_BIT(TFC_UINT8) | TFC_DTYPE_BIT(TFC_BOOL))

static bool infer_cast(tfc_graph *g, int node)
{
    tfc_dtype to = tfc_attr_type(g, node, "DstT", TFC_FLOAT);
    if (!tfc_require_dtype(g, node, 0, CAST_TYPES)) return false;
    if ((unsigned)to >= 32 || !(CAST_TYPES & TFC_DTYPE_BIT(to)))
        return tfc_node_error(g, node, "cannot cast to %s", tfc_dtype_name(to));
    tfc_node_set_output(g, node, 0, to, in_shape(g, node, 0));
    return true;
}

static bool k_cast(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    tfc_dtype to = tfc_node_output_dtype(k->graph, k->node, 0);
    tfc_tensor *z = tfc_kernel_output(k, 0, to, x->shape);
    if (!z) return false;
    if (x->dtype == TFC_BOOL && to == TFC_FLOAT) {
        const uint8_t *xp = x->data;
        float *zp = z->data;
        for (int64_t i = 0; i < z->size; i++) zp[i] = xp[i] ? 1.0f : 0.0f;
        return true;
    }
    for (int64_t i = 0; i < z->size; i++) {
        double v = tfc_tensor_get(x, i);
        switch (to) {
        case TFC_FLOAT: tfc_f32(z)[i] = (float)v; break;
        case TFC_DOUBLE: ((double *)z->data)[i] = v; break;
        case TFC_INT32: tfc_i32(z)[i] = (int32_t)v; break;
        case TFC_INT64: tfc_i64(z)[i] = (int64_t)v; break;
        case TFC_UINT8: tfc_u8(z)[i] = (uint8_t)v; break;
        case TFC_BOOL: tfc_u8(z)[i] = v != 0; break;
        default: return tfc_kernel_error(k, "cannot cast to %s", tfc_dtype_name(to));
        }
    }
    return true;
}

static void grad_cast(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_dtype from = in_dtype(g, node, 0);
    if (from == TFC_FLOAT && tfc_out_dtype(g, dy[0]) == TFC_FLOAT) dx[0] = dy[0];
}

const tfc_op_def tfc_op_Cast = {"Cast", infer_cast, k_cast, grad_cast, 0, .ninputs = 1};

tfc_out tfc_cast(tfc_graph *g, tfc_out x, tfc_dtype to, const char *name)
{
    int n = tfc_node_begin(g, "Cast", name, &x, 1, 1);
    if (n >= 0) tfc_set_attr_type(g, n, "SrcT", in_dtype(g, n, 0));
    tfc_set_attr_type(g, n, "DstT", to);
    tfc_set_attr_bool(g, n, "Truncate", false);
    return tfc_node_finish(g, n);
}
