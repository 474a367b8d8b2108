/* Variables and the ops that set them: VariableV2, Assign, AssignAdd, AssignSub, and the same
 * writes through resource handles (AssignVariableOp, AssignAddVariableOp, AssignSubVariableOp; the
 * handles are in resource.c, the optimizers' updates in training.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"

static bool is_var(const tfc_graph *g, tfc_out o) { return o.node >= 0 && (tfc_graph_node(g, o.node)->def->flags & TFC_OP_VARIABLE); }

/* ---- VariableV2 ---- */

static bool infer_variable(tfc_graph *g, int node)
{
    const tfc_attr *s = tfc_node_find_attr(g, node, "shape");
    if (!s || s->kind != TFC_ATTR_SHAPE || !tfc_shape_known(s->shape))
        return tfc_node_error(g, node, "a variable needs a fully known shape (attr 'shape')");
    tfc_node_set_output(g, node, 0, tfc_attr_type(g, node, "dtype", TFC_FLOAT), s->shape);
    return true;
}

static bool k_variable(tfc_kernel_ctx *k)
{
    const tfc_tensor *v = tfc_kernel_variable(k);
    if (!v)
        return tfc_fail(k->st, TFC_FAILED_PRECONDITION,
                        "variable '%s' is used before it is initialised (run the initialiser, e.g. init, first)",
                        tfc_node_name(k->graph, k->node));
    tfc_kernel_forward(k, 0, v);
    return true;
}

const tfc_op_def tfc_op_VariableV2 = {"VariableV2", infer_variable, k_variable, NULL, TFC_OP_STATEFUL | TFC_OP_VARIABLE, .ninputs = 0};

/* ---- Assign, AssignAdd, AssignSub, and the same through resource handles ---- */

/* Assign, AssignAdd, AssignSub output the variable; AssignVariableOp and its Add and Sub forms,
 * which write through a resource handle, nothing. */
static bool writes_through_handle(const tfc_graph *g, int node)
{
    const char *op = tfc_node_op(g, node);
    size_t n = strlen(op);
    return n > 10 && strcmp(op + n - 10, "VariableOp") == 0;
}

static bool infer_assign(tfc_graph *g, int node)
{
    int var = tfc_ref_variable(g, in_out(g, node, 0));
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], nv[256];
    if (var < 0) return tfc_node_error(g, node, "input 0 must be a variable");
    tfc_out_name(g, in_out(g, node, 1), nv, sizeof nv);
    tfc_dtype vd = tfc_variable_dtype(g, var);
    if (vd != in_dtype(g, node, 1))
        return tfc_node_error(g, node, "variable '%s' is %s, value '%s' is %s", tfc_node_name(g, var),
                              tfc_dtype_name(vd), nv, tfc_dtype_name(in_dtype(g, node, 1)));
    tfc_shape vs = tfc_variable_shape(g, var), xs = in_shape(g, node, 1);
    /* the Add and Sub forms also take a scalar */
    const char *op = tfc_node_op(g, node);
    bool scalar_ok = strcmp(op, "Assign") != 0 && strcmp(op, "AssignVariableOp") != 0 && xs.rank == 0;
    if (!scalar_ok && !tfc_shape_compatible(vs, xs))
        return tfc_node_error(g, node, "variable '%s' has shape %s, value '%s' has shape %s", tfc_node_name(g, var),
                              tfc_shape_str(vs, a), nv, tfc_shape_str(xs, b));
    if (!writes_through_handle(g, node)) tfc_node_set_output(g, node, 0, vd, vs);
    return true;
}

/* The variable is the output of Assign, AssignAdd and AssignSub, not of the ops on handles. */
static void forward_var(tfc_kernel_ctx *k, const tfc_tensor *var)
{
    if (tfc_node_num_outputs(k->graph, k->node)) tfc_kernel_forward(k, 0, var);
}

static bool k_assign(tfc_kernel_ctx *k)
{
    const tfc_tensor *value = k->in[1];
    tfc_shape vs = tfc_variable_shape(k->graph, tfc_ref_variable(k->graph, tfc_node_input(k->graph, k->node, 0)));
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_shape_equal(vs, value->shape))
        return tfc_kernel_error(k, "variable has shape %s, value has shape %s", tfc_shape_str(vs, a),
                                tfc_shape_str(value->shape, b));
    if (!tfc_kernel_assign_ref(k, 0, value)) return false;
    forward_var(k, tfc_kernel_ref(k, 0));
    return true;
}

/* var += sign * value, the value of the variable's shape or a scalar. */
static bool assign_update(tfc_kernel_ctx *k, int sign)
{
    tfc_tensor *var = tfc_kernel_ref(k, 0);
    if (!var) return false;
    const tfc_tensor *d = k->in[1];
    if ((d->size != var->size && d->size != 1) || d->dtype != var->dtype)
        return tfc_kernel_error(k, "value does not match the variable's dtype and shape");
    for (int64_t i = 0; i < var->size; i++) {
        int64_t j = d->size == 1 ? 0 : i;
        switch (var->dtype) {
        case TFC_FLOAT: tfc_f32(var)[i] += (float)sign * tfc_f32(d)[j]; break;
        case TFC_INT32: tfc_i32(var)[i] += sign * tfc_i32(d)[j]; break;
        case TFC_INT64: tfc_i64(var)[i] += sign * tfc_i64(d)[j]; break;
        default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(var->dtype));
        }
    }
    forward_var(k, var);
    return true;
}

static bool k_assign_add(tfc_kernel_ctx *k) { return assign_update(k, 1); }
static bool k_assign_sub(tfc_kernel_ctx *k) { return assign_update(k, -1); }

#define WRITE_FLAGS (TFC_OP_STATEFUL | TFC_OP_REF_INPUT0)
const tfc_op_def tfc_op_Assign = {"Assign", infer_assign, k_assign, NULL, WRITE_FLAGS, .ninputs = 2};
const tfc_op_def tfc_op_AssignAdd = {"AssignAdd", infer_assign, k_assign_add, NULL, WRITE_FLAGS, .ninputs = 2};
const tfc_op_def tfc_op_AssignSub = {"AssignSub", infer_assign, k_assign_sub, NULL, WRITE_FLAGS, .ninputs = 2};
const tfc_op_def tfc_op_AssignVariableOp = {"AssignVariableOp", infer_assign, k_assign, NULL, WRITE_FLAGS, .ninputs = 2};
const tfc_op_def tfc_op_AssignAddVariableOp = {"AssignAddVariableOp", infer_assign, k_assign_add, NULL, WRITE_FLAGS,
                                               .ninputs = 2};
const tfc_op_def tfc_op_AssignSubVariableOp = {"AssignSubVariableOp", infer_assign, k_assign_sub, NULL, WRITE_FLAGS,
                                               .ninputs = 2};

static void set_class(tfc_graph *g, int node, int var)
{
    if (node < 0 || var < 0) return;
    char loc[600];
    snprintf(loc, sizeof loc, "loc:@%s", tfc_node_name(g, var));
    const char *v[1] = {loc};
    tfc_set_attr_strings(g, node, "_class", v, 1);
}

static tfc_out assign_op(tfc_graph *g, const char *type, tfc_out var, tfc_out value, bool locking, const char *name)
{
    int vn = tfc_variable_node(g, var);
    tfc_out ref = vn >= 0 ? (tfc_out){vn, 0} : var;
    int n = tfc_node_begin(g, type, name, (tfc_out[]){ref, value}, 2, 1);
    tfc_set_T(g, n);
    if (strcmp(type, "Assign") == 0) tfc_set_attr_bool(g, n, "validate_shape", true);
    tfc_set_attr_bool(g, n, "use_locking", locking);
    set_class(g, n, vn);
    return tfc_node_finish(g, n);
}

tfc_out tfc_assign(tfc_graph *g, tfc_out var, tfc_out value, const char *name)
{
    return assign_op(g, "Assign", var, value, true, name);
}

tfc_out tfc_assign_add(tfc_graph *g, tfc_out var, tfc_out value, const char *name)
{
    return assign_op(g, "AssignAdd", var, value, false, name);
}

int tfc_variable_node(const tfc_graph *g, tfc_out var)
{
    if (var.node < 0 || var.node >= tfc_graph_num_nodes(g)) return -1;
    if (is_var(g, var)) return var.node;
    const char *op = tfc_node_op(g, var.node);
    if ((strcmp(op, "Identity") == 0 || strcmp(op, "ReadVariableOp") == 0) && tfc_node_num_inputs(g, var.node) == 1 &&
        is_var(g, tfc_node_input(g, var.node, 0)))
        return tfc_node_input(g, var.node, 0).node;
    return -1;
}

int tfc_ref_variable(const tfc_graph *g, tfc_out ref)
{
    /* (inputs are older nodes: the walk ends) */
    while (ref.node >= 0 && ref.node < tfc_graph_num_nodes(g) && !is_var(g, ref)) {
        const char *op = tfc_node_op(g, ref.node);
        bool passes = strcmp(op, "RefSwitch") == 0 ||
                      ((strcmp(op, "Switch") == 0 || strcmp(op, "Identity") == 0) && tfc_out_dtype(g, ref) == TFC_RESOURCE);
        if (!passes || tfc_node_num_inputs(g, ref.node) < 1) return -1;
        ref = tfc_node_input(g, ref.node, 0);
    }
    return ref.node >= 0 && ref.node < tfc_graph_num_nodes(g) ? ref.node : -1;
}

/* Builds NAME (VariableV2), NAME/Assign and NAME/read inside scope `full`, which is open. */
static tfc_out variable_in_scope(tfc_graph *g, tfc_out init, const char *full)
{
    tfc_shape s = tfc_out_shape(g, init);
    int v = tfc_node_begin(g, "VariableV2", full, NULL, 0, 1);
    tfc_set_attr_shape(g, v, "shape", s);
    tfc_set_attr_type(g, v, "dtype", tfc_out_dtype(g, init));
    tfc_set_attr_string(g, v, "container", "");
    tfc_set_attr_string(g, v, "shared_name", "");
    tfc_out var = tfc_node_finish(g, v);
    if (tfc_out_ok(var)) tfc_graph_node(g, var.node)->trainable = true;
    tfc_out a = tfc_assign(g, var, init, "Assign");
    tfc_variable_set_initializer(g, var.node, a.node);
    int r = tfc_node_begin(g, "Identity", "read", &var, 1, 1);
    tfc_set_T(g, r);
    set_class(g, r, var.node);
    return tfc_node_finish(g, r);
}

tfc_out tfc_variable(tfc_graph *g, tfc_out initial_value, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "Variable", full);
    tfc_out r = variable_in_scope(g, initial_value, full);
    tfc_scope_pop(g);
    return r;
}

tfc_out tfc_variable_const(tfc_graph *g, const tfc_tensor *value, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "Variable", full);
    tfc_out init = tfc_const(g, value, "initial_value");
    tfc_out r = variable_in_scope(g, init, full);
    tfc_scope_pop(g);
    return r;
}

tfc_out tfc_variable_scalar(tfc_graph *g, float v, const char *name)
{
    tfc_tensor *t = tfc_tensor_scalar_f32(v);
    tfc_out r = tfc_variable_const(g, t, name);
    tfc_tensor_free(t);
    return r;
}

tfc_out tfc_variable_zeros(tfc_graph *g, tfc_shape shape, tfc_dtype dt, const char *name, bool trainable)
{
    tfc_scope_push(g, "/"); /* slots and counters are named from the root, as TensorFlow's */
    char full[512];
    tfc_op_scope_push(g, name, "Variable", full);
    tfc_scope_push(g, "Initializer");
    tfc_out zeros = tfc_zeros(g, shape, dt, "zeros");
    tfc_scope_pop(g);
    tfc_out r = variable_in_scope(g, zeros, full);
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    int vn = tfc_variable_node(g, r);
    if (vn >= 0) tfc_graph_node(g, vn)->trainable = trainable;
    return r;
}

tfc_out tfc_global_variables_initializer(tfc_graph *g)
{
    int n = tfc_node_begin(g, "NoOp", "init", NULL, 0, 0);
    for (int i = 0; i < tfc_graph_num_variables(g); i++) {
        int init = tfc_graph_node(g, tfc_graph_variable(g, i))->init;
        if (init >= 0) tfc_node_add_control(g, n, init);
    }
    tfc_node_finish(g, n);
    return n >= 0 && tfc_graph_ok(g) ? (tfc_out){n, 0} : TFC_NO_OUT;
}
