/* The optimizers of tf.compat.v1.train (see optimizer.h), built as TensorFlow's Optimizer builds
 * them: slots first (outside any control dependencies, named VAR/NAME from the root), then under
 * scope NAME the constants (_prepare), one update_VAR/Apply* op per variable, and the finish (Adam's
 * beta powers, the group, global_step += 1). */
#include "optimizer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distributed.h"
#include "grad.h"
#include "graph_internal.h"
#include "op.h"
#include "ops.h"

static const char *const kind_names[] = {"GradientDescent", "Momentum", "Adagrad", "RMSProp", "Adam"};

static tfc_optimizer make(tfc_optimizer_kind kind, float learning_rate)
{
    return (tfc_optimizer){.kind = kind, .learning_rate_tensor = TFC_NO_OUT, .learning_rate = learning_rate};
}

tfc_optimizer tfc_gradient_descent_optimizer(float learning_rate) { return make(TFC_GRADIENT_DESCENT, learning_rate); }

tfc_optimizer tfc_momentum_optimizer(float learning_rate, float momentum)
{
    tfc_optimizer o = make(TFC_MOMENTUM, learning_rate);
    o.momentum = momentum;
    return o;
}

tfc_optimizer tfc_adagrad_optimizer(float learning_rate)
{
    tfc_optimizer o = make(TFC_ADAGRAD, learning_rate);
    o.initial_accumulator_value = 0.1f;
    return o;
}

tfc_optimizer tfc_rmsprop_optimizer(float learning_rate)
{
    tfc_optimizer o = make(TFC_RMSPROP, learning_rate);
    o.decay = 0.9f;
    o.epsilon = 1e-10f;
    return o;
}

tfc_optimizer tfc_adam_optimizer(float learning_rate)
{
    tfc_optimizer o = make(TFC_ADAM, learning_rate);
    o.beta1 = 0.9f;
    o.beta2 = 0.999f;
    o.epsilon = 1e-8f;
    return o;
}

tfc_out tfc_global_step(tfc_graph *g)
{
    int existing = tfc_graph_find(g, "global_step/read");
    if (existing >= 0) return (tfc_out){existing, 0};
    int first = tfc_graph_num_nodes(g);
    tfc_out gs = tfc_variable_zeros(g, TFC_SCALAR, TFC_INT64, "global_step", false);
    tfc_graph_colocate_since(g, first, tfc_variable_node(g, gs)); /* get_or_create_global_step's get_variable */
    if (tfc_out_ok(gs)) tfc_graph_add_to_collection(g, "global_step", "global_step");
    return gs;
}

int tfc_trainable_variables(const tfc_graph *g, tfc_out *vars, int cap)
{
    int n = 0;
    for (int i = 0; i < tfc_graph_num_variables(g); i++) {
        int v = tfc_graph_variable(g, i);
        if (!tfc_variable_trainable(g, v)) continue;
        if (vars && n < cap) vars[n] = (tfc_out){v, 0};
        n++;
    }
    return n;
}

/* Records a build error that belongs to no node (the first error wins, as always); returns TFC_NO_OUT. */
static tfc_out build_error(tfc_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static tfc_out build_error(tfc_graph *g, const char *fmt, ...)
{
    if (!tfc_graph_ok(g)) return TFC_NO_OUT;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s", msg);
    return TFC_NO_OUT;
}

static const char *opt_name(const tfc_optimizer *opt)
{
    if (opt->name) return opt->name;
    return (unsigned)opt->kind < sizeof kind_names / sizeof *kind_names ? kind_names[opt->kind] : "optimizer";
}

tfc_out tfc_optimizer_minimize(tfc_graph *g, const tfc_optimizer *opt, tfc_out loss, tfc_out global_step,
                               const tfc_out *var_list, int n)
{
    if (!g || !tfc_graph_ok(g)) return TFC_NO_OUT;
    if (!opt) return build_error(g, "minimize: no optimizer given");
    if (var_list && n <= 0) return build_error(g, "%s: var_list is empty", opt_name(opt));
    int nv = var_list ? n : tfc_trainable_variables(g, NULL, 0);
    tfc_out *vars = malloc((size_t)(nv ? nv : 1) * sizeof *vars), *grads = malloc((size_t)(nv ? nv : 1) * sizeof *grads);
    tfc_out r = TFC_NO_OUT;
    if (!vars || !grads) {
        build_error(g, "out of memory while building the graph");
        goto done;
    }
    if (var_list) {
        memcpy(vars, var_list, (size_t)n * sizeof *vars);
    } else {
        /* the float ones: an integer variable (a counter) has no gradient to follow */
        int all = tfc_trainable_variables(g, vars, nv);
        nv = 0;
        for (int i = 0; i < all; i++)
            if (tfc_node_output_dtype(g, vars[i].node, 0) == TFC_FLOAT) vars[nv++] = vars[i];
        if (!nv) {
            build_error(g, "%s: the graph has no trainable float variable to minimize over", opt_name(opt));
            goto done;
        }
    }
    for (int i = 0; i < nv; i++) {
        int v = tfc_variable_node(g, vars[i]);
        if (v < 0) {
            char b[256];
            build_error(g, "%s: var_list[%d] ('%s') is not a variable", opt_name(opt), i, tfc_out_name(g, vars[i], b, sizeof b));
            goto done;
        }
        if (tfc_node_output_dtype(g, v, 0) != TFC_FLOAT) {
            build_error(g, "%s: variable '%s' is %s; optimizers update float32 variables", opt_name(opt), tfc_node_name(g, v),
                        tfc_dtype_name(tfc_node_output_dtype(g, v, 0)));
            goto done;
        }
        vars[i] = (tfc_out){v, 0};
    }
    if (tfc_gradients(g, loss, vars, nv, grads)) {
        tfc_distribute_gradients(g, grads, nv); /* averaged over the ranks when distributed (Horovod) */
        r = tfc_optimizer_apply_gradients(g, opt, grads, vars, nv, global_step);
    }
done:
    free(vars);
    free(grads);
    return r;
}

/* TensorFlow's array_ops.zeros/ones inside an initializer (kind "zeros" or "ones"): a Const when it
 * has under 1,000 elements, else Fill from KIND/shape_as_tensor and KIND/Const; constant_initializer
 * (kind "Const"): a Const. */
static tfc_out initial_value(tfc_graph *g, tfc_shape shape, float value, const char *kind)
{
    if (strcmp(kind, "Const") == 0 || tfc_shape_numel(shape) < 1000) {
        tfc_tensor *t = tfc_tensor_new(TFC_FLOAT, shape);
        if (!t) return build_error(g, "out of memory while building the graph");
        for (int64_t i = 0; i < t->size; i++) tfc_f32(t)[i] = value;
        tfc_out c = tfc_const(g, t, kind);
        tfc_tensor_free(t);
        return c;
    }
    tfc_scope_push(g, kind);
    char full[512];
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    int32_t dims[TFC_MAX_DIMS];
    for (int i = 0; i < shape.rank; i++) dims[i] = (int32_t)shape.dims[i];
    tfc_out d = tfc_const_ints(g, dims, shape.rank, "shape_as_tensor");
    tfc_out v = tfc_const_scalar(g, value, "Const");
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "Fill", full, (tfc_out[]){d, v}, 2, 1);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_set_attr_type(g, n, "index_type", TFC_INT32);
    return tfc_node_finish(g, n);
}

/* A slot of variable node var, as TensorFlow's slot_creator makes it: the untrainable variable
 * VAR/SUFFIX (VAR/SUFFIX_1, ... when taken) named from the root scope, initialised from
 * VAR/SUFFIX/Initializer/KIND. Returns the VariableV2 node, -1 after an error. */
static int make_slot(tfc_graph *g, int var, const char *suffix, float value, const char *kind)
{
    char name[600], full[512];
    int first = tfc_graph_num_nodes(g);
    snprintf(name, sizeof name, "%s/%s", tfc_node_name(g, var), suffix);
    tfc_scope_push(g, "/");
    tfc_scope_push(g, name);
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    tfc_scope_push(g, "Initializer");
    tfc_out init = initial_value(g, tfc_node_output_shape(g, var, 0), value, kind);
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    int slot = tfc_variable_node(g, tfc_variable(g, init, full));
    tfc_scope_pop(g);
    if (slot >= 0) tfc_graph_node(g, slot)->trainable = false;
    tfc_graph_colocate_since(g, first, var); /* slots live with their variable */
    return slot;
}

/* update_VAR/TYPE on var with its inputs (the variable first), attrs as TensorFlow sets them. */
static tfc_out update_op(tfc_graph *g, const tfc_optimizer *opt, const char *type, int var, const tfc_out *inputs, int nin)
{
    char scope[600];
    snprintf(scope, sizeof scope, "update_%s", tfc_node_name(g, var));
    tfc_scope_push(g, scope);
    int n = tfc_node_begin(g, type, type, inputs, nin, 1);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_set_attr_bool(g, n, "use_locking", opt->use_locking);
    if (opt->kind == TFC_MOMENTUM || opt->kind == TFC_ADAM) tfc_set_attr_bool(g, n, "use_nesterov", opt->use_nesterov);
    if (opt->kind == TFC_ADAGRAD) tfc_set_attr_bool(g, n, "update_slots", true);
    tfc_out r = tfc_node_finish(g, n);
    if (tfc_out_ok(r)) tfc_graph_colocate_since(g, r.node, var);
    tfc_scope_pop(g);
    return r;
}

/* Adam's beta powers, TensorFlow's non-slot variables: in the current name scope, colocated with
 * the variable whose name sorts first (colocated, the node where TensorFlow puts them). */
static bool beta_powers(tfc_graph *g, const tfc_optimizer *opt, int colocated, tfc_out *b1p, tfc_out *b2p)
{
    int first = tfc_graph_num_nodes(g);
    *b1p = tfc_variable_scalar(g, opt->beta1, "beta1_power");
    *b2p = tfc_variable_scalar(g, opt->beta2, "beta2_power");
    int b1n = tfc_variable_node(g, *b1p), b2n = tfc_variable_node(g, *b2p);
    if (b1n < 0 || b2n < 0) return false;
    tfc_graph_node(g, b1n)->trainable = tfc_graph_node(g, b2n)->trainable = false;
    tfc_graph_colocate_since(g, first, colocated);
    return true;
}

/* The slots of variable node v into slots[] in the update op's input order. */
static void create_slots(tfc_graph *g, const tfc_optimizer *opt, int v, int slots[3])
{
    const char *nm = opt_name(opt);
    switch (opt->kind) {
    case TFC_GRADIENT_DESCENT: break;
    case TFC_MOMENTUM: slots[0] = make_slot(g, v, nm, 0.0f, "zeros"); break;
    case TFC_ADAGRAD: slots[0] = make_slot(g, v, nm, opt->initial_accumulator_value, "Const"); break;
    case TFC_RMSPROP: {
        int k = 0;
        int rms = make_slot(g, v, nm, 1.0f, "ones");
        if (opt->centered) slots[k++] = make_slot(g, v, nm, 0.0f, "zeros"); /* mg */
        slots[k++] = rms;
        slots[k] = make_slot(g, v, nm, 0.0f, "zeros"); /* momentum */
        break;
    }
    case TFC_ADAM:
        slots[0] = make_slot(g, v, nm, 0.0f, "zeros");
        slots[1] = make_slot(g, v, nm, 0.0f, "zeros");
        break;
    }
}

/* The train op: NAME grouping the updates, or NAME/update, then global_step += 1 as NAME after it
 * (TensorFlow's apply_gradients). Called inside scope NAME, whose full name is full. */
static tfc_out finish(tfc_graph *g, const char *full, const tfc_out *deps, int ndeps, tfc_out global_step)
{
    char verbatim[520];
    snprintf(verbatim, sizeof verbatim, "%s/", full);
    if (!tfc_out_ok(global_step)) return tfc_group(g, deps, ndeps, verbatim);
    tfc_out update = tfc_group(g, deps, ndeps, "update");
    tfc_control_dependencies_push(g, &update, 1);
    tfc_tensor *one = tfc_tensor_new(TFC_INT64, TFC_SCALAR);
    if (one) tfc_i64(one)[0] = 1;
    int first = tfc_graph_num_nodes(g);
    tfc_out c = one ? tfc_const(g, one, "value") : build_error(g, "out of memory while building the graph");
    tfc_graph_colocate_since(g, first, tfc_variable_node(g, global_step));
    tfc_tensor_free(one);
    tfc_control_dependencies_pop(g);
    return tfc_assign_add(g, global_step, c, verbatim);
}

tfc_out tfc_optimizer_apply_gradients(tfc_graph *g, const tfc_optimizer *opt, const tfc_out *grads, const tfc_out *vars,
                                      int n, tfc_out global_step)
{
    if (!g || !tfc_graph_ok(g)) return TFC_NO_OUT;
    if (!opt) return build_error(g, "apply_gradients: no optimizer given");
    if ((unsigned)opt->kind >= sizeof kind_names / sizeof *kind_names)
        return build_error(g, "apply_gradients: unknown optimizer kind %d", (int)opt->kind);
    const char *nm = opt_name(opt);
    if (!grads || !vars || n <= 0) return build_error(g, "%s: no gradients and variables given", nm);
    int *v = malloc((size_t)n * sizeof *v), (*slots)[3] = malloc((size_t)n * sizeof *slots);
    tfc_out *gr = malloc((size_t)n * sizeof *gr), *updates = malloc((size_t)(n + 2) * sizeof *updates);
    tfc_out r = TFC_NO_OUT;
    int m = 0;
    if (!v || !slots || !gr || !updates) {
        build_error(g, "out of memory while building the graph");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (!tfc_out_ok(grads[i])) continue;
        char b[256];
        v[m] = tfc_variable_node(g, vars[i]);
        if (v[m] < 0) {
            build_error(g, "%s: vars[%d] ('%s') is not a variable", nm, i, tfc_out_name(g, vars[i], b, sizeof b));
            goto done;
        }
        if (tfc_node_output_dtype(g, v[m], 0) != TFC_FLOAT) {
            build_error(g, "%s: variable '%s' is %s; optimizers update float32 variables", nm, tfc_node_name(g, v[m]),
                        tfc_dtype_name(tfc_node_output_dtype(g, v[m], 0)));
            goto done;
        }
        gr[m++] = grads[i];
    }
    if (!m) {
        build_error(g, "%s: no variable has a gradient (of the %d given)", nm, n);
        goto done;
    }

    /* Slots are made as under tf.init_scope: no control dependencies reach them. */
    tfc_out b1p = TFC_NO_OUT, b2p = TFC_NO_OUT;
    int first_var = v[0];
    for (int i = 1; i < m; i++)
        if (strcmp(tfc_node_name(g, v[i]), tfc_node_name(g, first_var)) < 0) first_var = v[i];
    tfc_control_dependencies_push(g, NULL, 0);
    bool ok = opt->kind != TFC_ADAM || beta_powers(g, opt, first_var, &b1p, &b2p);
    for (int i = 0; ok && i < m; i++) create_slots(g, opt, v[i], slots[i]);
    tfc_control_dependencies_pop(g);
    if (!ok || !tfc_graph_ok(g)) goto done;

    tfc_scope_push(g, nm);
    char full[512];
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    if (full[0]) full[strlen(full) - 1] = '\0';
    tfc_out lr = tfc_out_ok(opt->learning_rate_tensor) ? opt->learning_rate_tensor
                                                        : tfc_const_scalar(g, opt->learning_rate, "learning_rate");
    tfc_out c1 = TFC_NO_OUT, c2 = TFC_NO_OUT, c3 = TFC_NO_OUT;
    if (opt->kind == TFC_MOMENTUM) {
        c1 = tfc_const_scalar(g, opt->momentum, "momentum");
    } else if (opt->kind == TFC_RMSPROP) {
        c1 = tfc_const_scalar(g, opt->decay, "decay");
        c2 = tfc_const_scalar(g, opt->momentum, "momentum");
        c3 = tfc_const_scalar(g, opt->epsilon, "epsilon");
    } else if (opt->kind == TFC_ADAM) {
        c1 = tfc_const_scalar(g, opt->beta1, "beta1");
        c2 = tfc_const_scalar(g, opt->beta2, "beta2");
        c3 = tfc_const_scalar(g, opt->epsilon, "epsilon");
    }
    for (int i = 0; i < m; i++) {
        tfc_out var = {v[i], 0}, s0 = {slots[i][0], 0}, s1 = {slots[i][1], 0}, s2 = {slots[i][2], 0};
        switch (opt->kind) {
        case TFC_GRADIENT_DESCENT:
            updates[i] = update_op(g, opt, "ApplyGradientDescent", v[i], (tfc_out[]){var, lr, gr[i]}, 3);
            break;
        case TFC_MOMENTUM: updates[i] = update_op(g, opt, "ApplyMomentum", v[i], (tfc_out[]){var, s0, lr, gr[i], c1}, 5); break;
        case TFC_ADAGRAD: updates[i] = update_op(g, opt, "ApplyAdagrad", v[i], (tfc_out[]){var, s0, lr, gr[i]}, 4); break;
        case TFC_RMSPROP:
            updates[i] = opt->centered ? update_op(g, opt, "ApplyCenteredRMSProp", v[i],
                                                   (tfc_out[]){var, s0, s1, s2, lr, c1, c2, c3, gr[i]}, 9)
                                       : update_op(g, opt, "ApplyRMSProp", v[i], (tfc_out[]){var, s0, s1, lr, c1, c2, c3, gr[i]}, 8);
            break;
        case TFC_ADAM:
            updates[i] = update_op(g, opt, "ApplyAdam", v[i], (tfc_out[]){var, s0, s1, b1p, b2p, lr, c1, c2, c3, gr[i]}, 10);
            break;
        }
    }
    int nupdates = m;
    if (opt->kind == TFC_ADAM) {
        /* beta powers advance after every update (TensorFlow's AdamOptimizer._finish) */
        tfc_control_dependencies_push(g, updates, m);
        int first = tfc_graph_num_nodes(g);
        tfc_out as1 = tfc_assign(g, b1p, tfc_mul(g, b1p, c1, "mul"), "Assign");
        tfc_out as2 = tfc_assign(g, b2p, tfc_mul(g, b2p, c2, "mul_1"), "Assign_1");
        tfc_graph_colocate_since(g, first, first_var); /* with the beta powers */
        tfc_control_dependencies_pop(g);
        if (tfc_out_ok(as1) && tfc_out_ok(as2)) {
            tfc_set_attr_bool(g, as1.node, "use_locking", opt->use_locking);
            tfc_set_attr_bool(g, as2.node, "use_locking", opt->use_locking);
        }
        updates[nupdates++] = as1;
        updates[nupdates++] = as2;
    }
    r = finish(g, full, updates, nupdates, global_step);
    tfc_scope_pop(g);
done:
    free(v);
    free(slots);
    free(gr);
    free(updates);
    return tfc_graph_ok(g) ? r : TFC_NO_OUT;
}

tfc_out tfc_gradient_descent_minimize(tfc_graph *g, tfc_out loss, float learning_rate, tfc_out global_step)
{
    tfc_optimizer opt = tfc_gradient_descent_optimizer(learning_rate);
    return tfc_optimizer_minimize(g, &opt, loss, global_step, NULL, 0);
}

tfc_out tfc_adam_minimize(tfc_graph *g, tfc_out loss, float learning_rate, const tfc_adam_options *opts,
                          tfc_out global_step)
{
    tfc_optimizer opt = tfc_adam_optimizer(learning_rate);
    if (opts && opts->beta1 > 0) opt.beta1 = opts->beta1;
    if (opts && opts->beta2 > 0) opt.beta2 = opts->beta2;
    if (opts && opts->epsilon > 0) opt.epsilon = opts->epsilon;
    return tfc_optimizer_minimize(g, &opt, loss, global_step, NULL, 0);
}
