/* GradientDescent and Adam, built from the graph's gradients and the Apply* update ops, with
 * TensorFlow's node and slot names (var/Adam, var/Adam_1, beta1_power, beta2_power). */
#include "optimizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distributed.h"
#include "grad.h"
#include "graph_internal.h"
#include "op.h"
#include "ops.h"

tfc_out tfc_global_step(tfc_graph *g)
{
    int existing = tfc_graph_find(g, "global_step/read");
    if (existing >= 0) return (tfc_out){existing, 0};
    return tfc_variable_zeros(g, TFC_SCALAR, TFC_INT64, "global_step", false);
}

typedef struct {
    int n;
    int *vars;     /* VariableV2 nodes */
    tfc_out *grads;
} var_grads;

/* Gradients of loss for every trainable float variable; an error when none gets one. */
static bool compute_grads(tfc_graph *g, tfc_out loss, var_grads *vg)
{
    int nv = tfc_graph_num_variables(g);
    vg->vars = malloc((size_t)(nv ? nv : 1) * sizeof *vg->vars);
    tfc_out *xs = malloc((size_t)(nv ? nv : 1) * sizeof *xs);
    vg->grads = malloc((size_t)(nv ? nv : 1) * sizeof *vg->grads);
    vg->n = 0;
    if (!vg->vars || !xs || !vg->grads) {
        free(xs);
        return false;
    }
    for (int i = 0; i < nv; i++) {
        int v = tfc_graph_variable(g, i);
        if (!tfc_variable_trainable(g, v) || tfc_node_output_dtype(g, v, 0) != TFC_FLOAT) continue;
        vg->vars[vg->n] = v;
        xs[vg->n++] = (tfc_out){v, 0};
    }
    bool ok = tfc_gradients(g, loss, xs, vg->n, vg->grads);
    free(xs);
    if (!ok) return false;
    int kept = 0;
    for (int i = 0; i < vg->n; i++)
        if (tfc_out_ok(vg->grads[i])) {
            vg->vars[kept] = vg->vars[i];
            vg->grads[kept++] = vg->grads[i];
        }
    vg->n = kept;
    if (!kept) {
        int node = tfc_node_begin(g, "NoOp", "minimize", NULL, 0, 0);
        if (node >= 0) tfc_node_error(g, node, "no variable has a gradient from the loss");
        return false;
    }
    tfc_distribute_gradients(g, vg->grads, vg->n);
    return tfc_graph_ok(g);
}

static void free_grads(var_grads *vg)
{
    free(vg->vars);
    free(vg->grads);
}

/* The final op: NoOp NAME after the updates, or AssignAdd(global_step, 1) NAME after them. */
static tfc_out finish(tfc_graph *g, const char *name, const tfc_out *deps, int ndeps, tfc_out global_step)
{
    if (!tfc_out_ok(global_step)) return tfc_group(g, deps, ndeps, name);
    char full[512];
    tfc_scope_push(g, name);
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    tfc_tensor *one = tfc_tensor_new(TFC_INT64, TFC_SCALAR);
    if (one) tfc_i64(one)[0] = 1;
    tfc_out c = tfc_const(g, one, "value");
    tfc_scope_pop(g);
    tfc_tensor_free(one);
    tfc_out r = tfc_assign_add(g, global_step, c, full);
    for (int i = 0; i < ndeps && tfc_out_ok(r); i++) tfc_node_add_control(g, r.node, deps[i].node);
    return r;
}

static tfc_out update_op(tfc_graph *g, const char *type, int var, const tfc_out *inputs, int nin)
{
    char scope[600];
    snprintf(scope, sizeof scope, "update_%s", tfc_node_name(g, var));
    tfc_scope_push(g, scope);
    int n = tfc_node_begin(g, type, type, inputs, nin, 1);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_set_attr_bool(g, n, "use_locking", false);
    if (strcmp(type, "ApplyAdam") == 0) tfc_set_attr_bool(g, n, "use_nesterov", false);
    char loc[600];
    snprintf(loc, sizeof loc, "loc:@%s", tfc_node_name(g, var));
    const char *cls[1] = {loc};
    tfc_set_attr_strings(g, n, "_class", cls, 1);
    tfc_out r = tfc_node_finish(g, n);
    tfc_scope_pop(g);
    return r;
}

tfc_out tfc_gradient_descent_minimize(tfc_graph *g, tfc_out loss, float learning_rate, tfc_out global_step)
{
    var_grads vg;
    if (!compute_grads(g, loss, &vg)) {
        free_grads(&vg);
        return TFC_NO_OUT;
    }
    tfc_scope_push(g, "GradientDescent");
    char full[512];
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    tfc_out lr = tfc_const_scalar(g, learning_rate, "learning_rate");
    tfc_out *updates = malloc((size_t)vg.n * sizeof *updates);
    for (int i = 0; updates && i < vg.n; i++)
        updates[i] = update_op(g, "ApplyGradientDescent", vg.vars[i], (tfc_out[]){{vg.vars[i], 0}, lr, vg.grads[i]}, 3);
    tfc_scope_pop(g);
    tfc_out r = updates ? finish(g, full, updates, vg.n, global_step) : TFC_NO_OUT;
    free(updates);
    free_grads(&vg);
    return r;
}

tfc_out tfc_adam_minimize(tfc_graph *g, tfc_out loss, float learning_rate, const tfc_adam_options *opts,
                          tfc_out global_step)
{
    float b1 = opts && opts->beta1 > 0 ? opts->beta1 : 0.9f;
    float b2 = opts && opts->beta2 > 0 ? opts->beta2 : 0.999f;
    float eps = opts && opts->epsilon > 0 ? opts->epsilon : 1e-8f;
    var_grads vg;
    if (!compute_grads(g, loss, &vg)) {
        free_grads(&vg);
        return TFC_NO_OUT;
    }
    tfc_out *m = malloc((size_t)vg.n * sizeof *m), *v = malloc((size_t)vg.n * sizeof *v);
    tfc_out *updates = malloc((size_t)(vg.n + 2) * sizeof *updates);
    tfc_out r = TFC_NO_OUT;
    if (!m || !v || !updates) goto done;
    for (int i = 0; i < vg.n; i++) {
        char name[600];
        snprintf(name, sizeof name, "%s/Adam", tfc_node_name(g, vg.vars[i]));
        tfc_shape s = tfc_node_output_shape(g, vg.vars[i], 0);
        m[i] = tfc_variable_zeros(g, s, TFC_FLOAT, name, false);
        v[i] = tfc_variable_zeros(g, s, TFC_FLOAT, name, false);
    }
    /* The beta powers sit with the variable whose name sorts first (TensorFlow colocates them). */
    tfc_scope_push(g, "/");
    tfc_out b1p = tfc_variable_scalar(g, b1, "beta1_power");
    tfc_out b2p = tfc_variable_scalar(g, b2, "beta2_power");
    tfc_scope_pop(g);
    int b1n = tfc_variable_node(g, b1p), b2n = tfc_variable_node(g, b2p);
    if (b1n < 0 || b2n < 0) goto done;
    tfc_graph_node(g, b1n)->trainable = tfc_graph_node(g, b2n)->trainable = false;
    tfc_scope_push(g, "Adam");
    char full[512];
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    tfc_out lr = tfc_const_scalar(g, learning_rate, "learning_rate");
    tfc_out cb1 = tfc_const_scalar(g, b1, "beta1");
    tfc_out cb2 = tfc_const_scalar(g, b2, "beta2");
    tfc_out ce = tfc_const_scalar(g, eps, "epsilon");
    for (int i = 0; i < vg.n; i++) {
        tfc_out in[10] = {{vg.vars[i], 0}, {tfc_variable_node(g, m[i]), 0}, {tfc_variable_node(g, v[i]), 0}, b1p, b2p,
                          lr, cb1, cb2, ce, vg.grads[i]};
        updates[i] = update_op(g, "ApplyAdam", vg.vars[i], in, 10);
    }
    tfc_out mul1 = tfc_mul(g, b1p, cb1, "mul");
    for (int i = 0; i < vg.n && tfc_out_ok(mul1); i++) tfc_node_add_control(g, mul1.node, updates[i].node);
    tfc_out as1 = tfc_assign(g, (tfc_out){b1n, 0}, mul1, "Assign");
    tfc_out mul2 = tfc_mul(g, b2p, cb2, "mul_1");
    for (int i = 0; i < vg.n && tfc_out_ok(mul2); i++) tfc_node_add_control(g, mul2.node, updates[i].node);
    tfc_out as2 = tfc_assign(g, (tfc_out){b2n, 0}, mul2, "Assign_1");
    tfc_scope_pop(g);
    updates[vg.n] = as1;
    updates[vg.n + 1] = as2;
    r = finish(g, full, updates, vg.n + 2, global_step);
done:
    free(m);
    free(v);
    free(updates);
    free_grads(&vg);
    return r;
}
