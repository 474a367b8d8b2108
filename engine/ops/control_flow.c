/* TensorFlow 1's control flow of tf.cond: Switch sends its input to output 1 when the predicate is
 * true and to output 0 when it is false, the other output carrying no value ("dead"); RefSwitch
 * does so with a variable, so that the assignments of a branch reach it; Merge passes on the one of
 * its inputs that has a value, and its index. What reads a dead output is dead too and does not
 * run, and so is what waits on a dead node: the executor tracks it (tfc_kernel_set_dead), as
 * TensorFlow's does. The loops of tf.while_loop (Enter, Exit, NextIteration, LoopCond) are not
 * supported. No gradients here: TensorFlow's gradients of a cond are Switch and Merge nodes
 * themselves, imported with the graph. A resource variable's handle goes through a Switch as a ref
 * variable through RefSwitch: what reads the variable through it reaches it, when that side is live.
 * Assert, which tf.debugging's checks and learning-rate schedules guard by a cond, fails the run
 * with its data when its condition is false. */
#include <stdio.h>
#include <string.h>

#include "common.h"

/* ---- Switch, RefSwitch ---- */

/* Input 1, the predicate: a bool scalar. */
static bool check_pred(tfc_graph *g, int node)
{
    char a[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 1, TFC_DTYPE_BIT(TFC_BOOL))) return false;
    tfc_shape s = in_shape(g, node, 1);
    if (s.rank > 0) return tfc_node_error(g, node, "the predicate (input 1) must be a scalar, not %s", tfc_shape_str(s, a));
    return true;
}

static bool infer_switch(tfc_graph *g, int node)
{
    if (!check_pred(g, node)) return false;
    tfc_dtype dt = in_dtype(g, node, 0);
    if (dt == TFC_RESOURCE && tfc_ref_variable(g, in_out(g, node, 0)) < 0)
        return tfc_node_error(g, node, "input 0 is a resource that is not a variable's handle");
    for (int i = 0; i < 2; i++) tfc_node_set_output(g, node, i, dt, in_shape(g, node, 0));
    return true;
}

static bool infer_ref_switch(tfc_graph *g, int node)
{
    if (!check_pred(g, node)) return false;
    int var = tfc_ref_variable(g, in_out(g, node, 0));
    if (var < 0) return tfc_node_error(g, node, "input 0 must be a variable");
    for (int i = 0; i < 2; i++) tfc_node_set_output(g, node, i, tfc_variable_dtype(g, var), tfc_variable_shape(g, var));
    return true;
}

/* The value goes to the output the predicate picks (a copy: TensorFlow forwards it), the other
 * output is dead. */
static bool switch_to(tfc_kernel_ctx *k, const tfc_tensor *x)
{
    const tfc_tensor *pred = k->in[1];
    if (!x || !pred || pred->size != 1) return tfc_kernel_error(k, "needs a value and a scalar predicate");
    int live = ((const unsigned char *)pred->data)[0] != 0;
    tfc_tensor *c = tfc_tensor_copy(x);
    if (!c) return tfc_kernel_error(k, "out of memory");
    tfc_kernel_set_output(k, live, c);
    tfc_kernel_set_dead(k, !live);
    return true;
}

static bool k_switch(tfc_kernel_ctx *k) { return switch_to(k, k->in[0]); }

static bool k_ref_switch(tfc_kernel_ctx *k)
{
    const tfc_tensor *v = tfc_kernel_ref(k, 0);
    return v && switch_to(k, v);
}

const tfc_op_def tfc_op_Switch = {"Switch", infer_switch, k_switch, NULL, TFC_OP_CONTROL_FLOW, .ninputs = 2};
/* (input 0 is the variable itself, or another RefSwitch's output: TFC_OP_REF_INPUT0) */
const tfc_op_def tfc_op_RefSwitch = {"RefSwitch", infer_ref_switch, k_ref_switch, NULL,
                                     TFC_OP_CONTROL_FLOW | TFC_OP_REF_INPUT0, .ninputs = 2};

/* ---- Merge ---- */

static bool infer_merge(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node);
    if (n < 1) return tfc_node_error(g, node, "needs at least one input");
    if (!tfc_require_same_dtype(g, node, 0, n - 1)) return false;
    /* the dims the inputs agree on; a rank they differ in leaves it unknown */
    tfc_shape s = in_shape(g, node, 0);
    for (int i = 1; i < n && s.rank >= 0; i++) {
        tfc_shape si = in_shape(g, node, i);
        if (si.rank != s.rank) {
            s = TFC_UNKNOWN_SHAPE;
            break;
        }
        for (int d = 0; d < s.rank; d++)
            if (s.dims[d] != si.dims[d]) s.dims[d] = -1;
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), s);
    tfc_node_set_output(g, node, 1, TFC_INT32, TFC_SCALAR);
    return true;
}

/* The first input that has a value (a dead one is NULL here; in a cond exactly one has one). */
static bool k_merge(tfc_kernel_ctx *k)
{
    int i = 0;
    while (i < k->ninputs && !k->in[i]) i++;
    if (i == k->ninputs) return tfc_kernel_error(k, "no input has a value");
    tfc_tensor *c = tfc_tensor_copy(k->in[i]);
    if (!c) return tfc_kernel_error(k, "out of memory");
    tfc_kernel_set_output(k, 0, c);
    tfc_tensor *index = tfc_kernel_output(k, 1, TFC_INT32, TFC_SCALAR);
    if (!index) return false;
    tfc_i32(index)[0] = i;
    return true;
}

const tfc_op_def tfc_op_Merge = {"Merge", infer_merge, k_merge, NULL, TFC_OP_CONTROL_FLOW, .ninputs = TFC_INPUTS_LIST};

/* ---- Assert ---- */

static bool infer_assert(tfc_graph *g, int node)
{
    char a[TFC_SHAPE_STR_MAX];
    if (tfc_node_num_inputs(g, node) < 1) return tfc_node_error(g, node, "needs a condition (input 0)");
    if (!tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_BOOL))) return false;
    tfc_shape s = in_shape(g, node, 0);
    if (s.rank > 0) return tfc_node_error(g, node, "the condition (input 0) must be a scalar, not %s", tfc_shape_str(s, a));
    return true;
}

/* Appends the first `summarize` values of t to buf, as "[1 2 3...]" (a string scalar as it is). */
static void append_data(char *buf, size_t cap, const tfc_tensor *t, int64_t summarize)
{
    size_t at = strlen(buf);
#define PUT(...) (at += (size_t)snprintf(buf + at, at < cap ? cap - at : 0, __VA_ARGS__), at = at < cap ? at : cap)
    PUT(" [");
    int64_t n = t->size < summarize ? t->size : summarize;
    for (int64_t i = 0; i < n; i++) {
        if (i) PUT(" ");
        size_t len;
        switch (t->dtype) {
        case TFC_STRING: {
            const char *str = tfc_tensor_string(t, i, &len);
            PUT("%.*s", (int)(len > 200 ? 200 : len), str ? str : "");
            break;
        }
        case TFC_FLOAT: PUT("%g", (double)tfc_f32(t)[i]); break;
        case TFC_DOUBLE: PUT("%g", ((const double *)t->data)[i]); break;
        case TFC_INT32: PUT("%d", tfc_i32(t)[i]); break;
        case TFC_INT64: PUT("%lld", (long long)tfc_i64(t)[i]); break;
        case TFC_BOOL: PUT("%d", tfc_u8(t)[i]); break;
        default: PUT("%s", tfc_dtype_name(t->dtype)); i = n; break;
        }
    }
    PUT("%s]", n < t->size ? "..." : "");
#undef PUT
}

static bool k_assert(tfc_kernel_ctx *k)
{
    const tfc_tensor *cond = k->in[0];
    if (cond->size != 1) return tfc_kernel_error(k, "the condition must be a scalar");
    if (tfc_u8(cond)[0]) return true;
    char msg[600] = "";
    int64_t summarize = tfc_attr_int(k->graph, k->node, "summarize", 3);
    for (int i = 1; i < k->ninputs; i++) append_data(msg, sizeof msg, k->in[i], summarize > 0 ? summarize : 3);
    return tfc_kernel_error(k, "assertion failed:%s", msg);
}

const tfc_op_def tfc_op_Assert = {"Assert", infer_assert, k_assert, NULL, TFC_OP_STATEFUL, .ninputs = TFC_INPUTS_LIST};
