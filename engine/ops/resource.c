/* Resource variables, as TensorFlow builds them for Keras layers and for tf.Variable of TensorFlow 2's
 * namespace: VarHandleOp is the variable (its output a handle of dtype resource, its value kept by
 * the session as a VariableV2's is), ReadVariableOp reads it, VarIsInitializedOp (and
 * IsVariableInitialized for a VariableV2) asks whether it holds a value, VariableShape gives its
 * shape, DisableCopyOnRead (a mode tfc's variables lack) does nothing. The ops taking a handle reach the variable through it (TFC_OP_REF_INPUT0), also through
 * a tf.cond's Switch (tfc_ref_variable); the writes and optimizer updates through
 * handles are in state.c beside their VariableV2 forms. */
#include <string.h>

#include "common.h"

static bool is_var(const tfc_graph *g, tfc_out o)
{
    return o.node >= 0 && (tfc_op_lookup(tfc_node_op(g, o.node))->flags & TFC_OP_VARIABLE);
}

/* ---- VarHandleOp ---- */

static bool infer_handle(tfc_graph *g, int node)
{
    const tfc_attr *s = tfc_node_find_attr(g, node, "shape");
    if (!s || s->kind != TFC_ATTR_SHAPE || !tfc_shape_known(s->shape))
        return tfc_node_error(g, node, "a variable needs a fully known shape");
    if (!tfc_dtype_size(tfc_attr_type(g, node, "dtype", TFC_INVALID)) || tfc_attr_type(g, node, "dtype", TFC_INVALID) == TFC_STRING)
        return tfc_node_error(g, node, "a variable of dtype %s is not supported", tfc_dtype_name(tfc_attr_type(g, node, "dtype", TFC_INVALID)));
    tfc_node_set_output(g, node, 0, TFC_RESOURCE, TFC_SCALAR);
    return true;
}

/* The handle stands for the variable: readers reach its value through the session. */
static bool k_handle(tfc_kernel_ctx *k)
{
    tfc_kernel_forward(k, 0, tfc_kernel_variable(k));
    return true;
}

const tfc_op_def tfc_op_VarHandleOp = {"VarHandleOp", infer_handle, k_handle, NULL, TFC_OP_STATEFUL | TFC_OP_VARIABLE,
                                       .ninputs = 0};

/* ---- ReadVariableOp ---- */

/* Input 0 is a variable's handle, of the node's "dtype" attr (when it has one): the variable's node,
 * or -1 after reporting. */
static int check_handle(tfc_graph *g, int node)
{
    int v = tfc_ref_variable(g, in_out(g, node, 0));
    if (v < 0) return tfc_node_error(g, node, "input 0 must be a variable's handle"), -1;
    tfc_dtype want = tfc_attr_type(g, node, "dtype", tfc_variable_dtype(g, v));
    if (want != tfc_variable_dtype(g, v))
        return tfc_node_error(g, node, "variable '%s' is %s, the op reads %s", tfc_node_name(g, v),
                              tfc_dtype_name(tfc_variable_dtype(g, v)), tfc_dtype_name(want)), -1;
    return v;
}

static bool infer_read(tfc_graph *g, int node)
{
    int v = check_handle(g, node);
    if (v < 0) return false;
    tfc_node_set_output(g, node, 0, tfc_variable_dtype(g, v), tfc_variable_shape(g, v));
    return true;
}

static bool k_read(tfc_kernel_ctx *k)
{
    tfc_tensor *v = tfc_kernel_ref(k, 0);
    if (!v) return false;
    tfc_kernel_forward(k, 0, v);
    return true;
}

const tfc_op_def tfc_op_ReadVariableOp = {"ReadVariableOp", infer_read, k_read, NULL, TFC_OP_STATEFUL | TFC_OP_REF_INPUT0,
                                          .ninputs = 1};

/* ---- DisableCopyOnRead ---- */

/* TensorFlow's resource variables may copy their buffer on a read while sparse updates run
 * (copy-on-read mode); its Saver turns that off before reading a partitioned variable's parts.
 * tfc's variables have no such mode: the op checks its handle and has nothing to do. */
static bool infer_disable_copy_on_read(tfc_graph *g, int node) { return check_handle(g, node) >= 0; }

const tfc_op_def tfc_op_DisableCopyOnRead = {"DisableCopyOnRead", infer_disable_copy_on_read, NULL, NULL,
                                             TFC_OP_STATEFUL | TFC_OP_REF_INPUT0, .ninputs = 1};

/* ---- VarIsInitializedOp, IsVariableInitialized ---- */

static bool infer_is_initialized(tfc_graph *g, int node)
{
    if (!is_var(g, in_out(g, node, 0))) return tfc_node_error(g, node, "input 0 must be a variable");
    tfc_node_set_output(g, node, 0, TFC_BOOL, TFC_SCALAR);
    return true;
}

static bool k_is_initialized(tfc_kernel_ctx *k)
{
    tfc_tensor *out = tfc_kernel_output(k, 0, TFC_BOOL, TFC_SCALAR);
    if (!out) return false;
    tfc_u8(out)[0] = tfc_session_variable(k->session, tfc_node_input(k->graph, k->node, 0).node) != NULL;
    return true;
}

const tfc_op_def tfc_op_VarIsInitializedOp = {"VarIsInitializedOp", infer_is_initialized, k_is_initialized, NULL,
                                              TFC_OP_STATEFUL | TFC_OP_REF_INPUT0, .ninputs = 1};
const tfc_op_def tfc_op_IsVariableInitialized = {"IsVariableInitialized", infer_is_initialized, k_is_initialized, NULL,
                                                 TFC_OP_STATEFUL | TFC_OP_REF_INPUT0, .ninputs = 1};

/* ---- VariableShape ---- */

static bool infer_variable_shape(tfc_graph *g, int node)
{
    int v = check_handle(g, node);
    if (v < 0) return false;
    tfc_dtype dt = tfc_attr_type(g, node, "out_type", TFC_INT32);
    if (dt != TFC_INT32 && dt != TFC_INT64)
        return tfc_node_error(g, node, "out_type must be int32 or int64, not %s", tfc_dtype_name(dt));
    tfc_node_set_output(g, node, 0, dt, TFC_SHAPE(tfc_variable_shape(g, v).rank));
    return true;
}

static bool k_variable_shape(tfc_kernel_ctx *k)
{
    const tfc_tensor *v = tfc_kernel_ref(k, 0);
    if (!v) return false;
    tfc_tensor *z = tfc_kernel_output(k, 0, tfc_attr_type(k->graph, k->node, "out_type", TFC_INT32), TFC_SHAPE(v->shape.rank));
    if (!z) return false;
    for (int i = 0; i < v->shape.rank; i++) tfc_set_index(z, i, v->shape.dims[i]);
    return true;
}

const tfc_op_def tfc_op_VariableShape = {"VariableShape", infer_variable_shape, k_variable_shape, NULL,
                                         TFC_OP_STATEFUL | TFC_OP_REF_INPUT0, .ninputs = 1};
