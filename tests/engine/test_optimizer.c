/* The optimizers: each update rule against TensorFlow's formulas computed here by hand, the slots'
 * names, initial values and initialisers, learning rates as tensors, var_list, the train op's
 * structure with and without global_step, build errors; the learning-rate schedules and
 * clip_by_global_norm against their formulas; and control dependencies
 * (tfc_control_dependencies_push/pop) as tf.control_dependencies adds them. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "ops.h"
#include "optimizer.h"
#include "session.h"

static const float w0[3] = {1.0f, -2.0f, 0.5f};
static const float k[3] = {1.0f, 2.0f, 3.0f};

/* loss = sum(k * w^2), so grad = 2 k w. */
static tfc_out quadratic_loss(tfc_graph *g, tfc_out *w)
{
    tfc_tensor *wt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(3), w0), *kt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(3), k);
    *w = tfc_variable_const(g, wt, "w");
    tfc_out loss = tfc_reduce_sum(g, tfc_mul(g, tfc_const(g, kt, "k"), tfc_square(g, *w, NULL), NULL), NULL, 0, false, "loss");
    tfc_tensor_free(wt);
    tfc_tensor_free(kt);
    return loss;
}

static const tfc_tensor *var_value(tfc_session *s, tfc_graph *g, const char *name)
{
    int n = tfc_graph_find(g, name);
    return n >= 0 ? tfc_session_variable(s, n) : NULL;
}

/* TensorFlow's update rules (training_ops.cc) in double precision, STEPS steps from w0. */
static void reference(const tfc_optimizer *o, int steps, double w[3])
{
    double s1[3] = {0}, s2[3] = {0}, s3[3] = {0}, b1p = o->beta1, b2p = o->beta2;
    for (int i = 0; i < 3; i++) {
        w[i] = w0[i];
        if (o->kind == TFC_ADAGRAD) s1[i] = o->initial_accumulator_value;
        if (o->kind == TFC_RMSPROP) s1[i] = 1.0; /* ms starts at one */
    }
    double lr = o->learning_rate;
    for (int t = 0; t < steps; t++) {
        for (int i = 0; i < 3; i++) {
            double gr = 2.0 * k[i] * w[i];
            switch (o->kind) {
            case TFC_GRADIENT_DESCENT: w[i] -= lr * gr; break;
            case TFC_MOMENTUM:
                s1[i] = s1[i] * o->momentum + gr;
                w[i] -= o->use_nesterov ? gr * lr + s1[i] * o->momentum * lr : s1[i] * lr;
                break;
            case TFC_ADAGRAD:
                s1[i] += gr * gr;
                w[i] -= gr * lr / sqrt(s1[i]);
                break;
            case TFC_RMSPROP: {
                s1[i] += (gr * gr - s1[i]) * (1 - o->decay);
                double denom = s1[i] + o->epsilon;
                if (o->centered) {
                    s2[i] += (gr - s2[i]) * (1 - o->decay);
                    denom = s1[i] - s2[i] * s2[i] + o->epsilon;
                }
                s3[i] = s3[i] * o->momentum + gr * lr / sqrt(denom);
                w[i] -= s3[i];
                break;
            }
            case TFC_ADAM: {
                double alpha = lr * sqrt(1 - b2p) / (1 - b1p);
                s1[i] += (gr - s1[i]) * (1 - o->beta1);
                s2[i] += (gr * gr - s2[i]) * (1 - o->beta2);
                w[i] -= o->use_nesterov ? (gr * (1 - o->beta1) + o->beta1 * s1[i]) * alpha / (sqrt(s2[i]) + o->epsilon)
                                        : s1[i] * alpha / (sqrt(s2[i]) + o->epsilon);
                break;
            }
            }
        }
        b1p *= o->beta1;
        b2p *= o->beta2;
    }
}

static void check_rule(tfc_optimizer o, const char *what)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out w;
    tfc_out loss = quadratic_loss(g, &w);
    tfc_out gs = tfc_global_step(g);
    tfc_out train = tfc_optimizer_minimize(g, &o, loss, gs, NULL, 0);
    CHECK_MSG(tfc_graph_ok(g), "%s: %s", what, tfc_graph_error(g));
    tfc_session *s = tfc_session_new(g, NULL, st);
    bool ok = s && tfc_session_run_init(s, st);
    for (int t = 0; ok && t < 5; t++) ok = tfc_session_run(s, NULL, 0, TFC_FETCHES(train), NULL, st);
    CHECK_MSG(ok, "%s: %s", what, tfc_message(st));
    double want[3];
    reference(&o, 5, want);
    const tfc_tensor *wv = ok ? tfc_session_variable(s, tfc_variable_node(g, w)) : NULL;
    for (int i = 0; wv && i < 3; i++)
        CHECK_MSG(fabs(tfc_f32(wv)[i] - want[i]) <= 1e-5 * fmax(1.0, fabs(want[i])), "%s: w[%d] = %.9g, want %.9g", what, i,
                  tfc_f32(wv)[i], want[i]);
    const tfc_tensor *step = ok ? var_value(s, g, "global_step") : NULL;
    CHECK_MSG(step && tfc_i64(step)[0] == 5, "%s: global_step is not 5", what);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

static void test_rules(void)
{
    check_rule(tfc_gradient_descent_optimizer(0.05f), "GradientDescent");
    check_rule(tfc_momentum_optimizer(0.05f, 0.9f), "Momentum");
    tfc_optimizer o = tfc_momentum_optimizer(0.05f, 0.9f);
    o.use_nesterov = true;
    check_rule(o, "Momentum (Nesterov)");
    check_rule(tfc_adagrad_optimizer(0.3f), "Adagrad");
    o = tfc_adagrad_optimizer(0.3f);
    o.initial_accumulator_value = 2.5f;
    check_rule(o, "Adagrad (accumulator 2.5)");
    check_rule(tfc_rmsprop_optimizer(0.01f), "RMSProp");
    o = tfc_rmsprop_optimizer(0.01f);
    o.momentum = 0.5f;
    o.decay = 0.8f;
    o.epsilon = 1e-3f;
    check_rule(o, "RMSProp (momentum 0.5, decay 0.8, epsilon 1e-3)");
    o.centered = true;
    check_rule(o, "centered RMSProp");
    check_rule(tfc_adam_optimizer(0.1f), "Adam");
    o = tfc_adam_optimizer(0.1f);
    o.use_nesterov = true;
    check_rule(o, "Adam (Nesterov)");
}

static bool has_input(tfc_graph *g, int node, int i, const char *name)
{
    char b[256];
    return node >= 0 && i < tfc_node_num_inputs(g, node) &&
           strcmp(tfc_out_name(g, tfc_node_input(g, node, i), b, sizeof b), name) == 0;
}

static bool has_control(tfc_graph *g, int node, const char *name)
{
    for (int i = 0; node >= 0 && i < tfc_node_num_controls(g, node); i++)
        if (strcmp(tfc_node_name(g, tfc_node_control(g, node, i)), name) == 0) return true;
    return false;
}

/* Slot names, their initialisers (a Const under 1,000 elements, a Fill from 1,000) and values,
 * and the update ops' inputs in TensorFlow's order. */
static void test_slots(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_scope_push(g, "layer");
    tfc_out big = tfc_variable(g, tfc_fill(g, TFC_SHAPE(40, 30), 0.5f, NULL), "weights");
    tfc_out small = tfc_variable(g, tfc_fill(g, TFC_SHAPE(30), 0.25f, NULL), "biases");
    tfc_scope_pop(g);
    tfc_out loss = tfc_add(g, tfc_reduce_sum(g, tfc_square(g, big, NULL), NULL, 0, false, NULL),
                           tfc_reduce_sum(g, small, NULL, 0, false, NULL), "loss");
    tfc_optimizer rms = tfc_rmsprop_optimizer(0.01f);
    rms.centered = true;
    tfc_optimizer ada = tfc_adagrad_optimizer(0.1f), mom = tfc_momentum_optimizer(0.1f, 0.9f);
    tfc_out t1 = tfc_optimizer_minimize(g, &rms, loss, TFC_NO_OUT, NULL, 0);
    tfc_out t2 = tfc_optimizer_minimize(g, &ada, loss, TFC_NO_OUT, NULL, 0);
    tfc_out t3 = tfc_optimizer_minimize(g, &mom, loss, TFC_NO_OUT, NULL, 0);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    const struct {
        const char *name, *init_op;
        float value;
    } slots[] = {
        {"layer/weights/RMSProp", "Fill", 1.0f},   {"layer/weights/RMSProp_1", "Fill", 0.0f},
        {"layer/weights/RMSProp_2", "Fill", 0.0f}, {"layer/biases/RMSProp", "Const", 1.0f},
        {"layer/biases/RMSProp_1", "Const", 0.0f}, {"layer/biases/RMSProp_2", "Const", 0.0f},
        {"layer/weights/Adagrad", "Const", 0.1f},  {"layer/biases/Adagrad", "Const", 0.1f},
        {"layer/weights/Momentum", "Fill", 0.0f},  {"layer/biases/Momentum", "Const", 0.0f},
    };
    tfc_session *s = tfc_session_new(g, NULL, st);
    CHECK(s && tfc_session_run_init(s, st));
    for (size_t i = 0; s && i < sizeof slots / sizeof *slots; i++) {
        int v = tfc_graph_find(g, slots[i].name);
        CHECK_MSG(v >= 0 && !tfc_variable_trainable(g, v), "slot %s missing or trainable", slots[i].name);
        char init[300];
        snprintf(init, sizeof init, "%s/Initializer/%s", slots[i].name,
                 strstr(slots[i].name, "Adagrad") ? "Const" : slots[i].value == 1.0f ? "ones" : "zeros");
        int in = tfc_graph_find(g, init);
        CHECK_MSG(in >= 0 && strcmp(tfc_node_op(g, in), slots[i].init_op) == 0, "%s: no %s %s", slots[i].name,
                  slots[i].init_op, init);
        const tfc_tensor *t = v >= 0 ? tfc_session_variable(s, v) : NULL;
        for (int64_t e = 0; t && e < t->size; e++)
            if (tfc_f32(t)[e] != slots[i].value) {
                CHECK_MSG(false, "%s[%lld] = %g, want %g", slots[i].name, (long long)e, tfc_f32(t)[e], slots[i].value);
                break;
            }
    }
    CHECK(tfc_graph_find(g, "layer/weights/RMSProp/Initializer/ones/shape_as_tensor") >= 0 &&
          tfc_graph_find(g, "layer/weights/RMSProp/Initializer/ones/Const") >= 0);
    int u = tfc_graph_find(g, "RMSProp/update_layer/weights/ApplyCenteredRMSProp");
    const char *want[] = {"layer/weights:0", "layer/weights/RMSProp_1:0", "layer/weights/RMSProp:0",
                          "layer/weights/RMSProp_2:0", "RMSProp/learning_rate:0", "RMSProp/decay:0",
                          "RMSProp/momentum:0", "RMSProp/epsilon:0"};
    for (int i = 0; i < 8; i++) CHECK_MSG(has_input(g, u, i, want[i]), "ApplyCenteredRMSProp input %d is not %s", i, want[i]);
    u = tfc_graph_find(g, "Momentum/update_layer/biases/ApplyMomentum");
    CHECK(has_input(g, u, 1, "layer/biases/Momentum:0") && has_input(g, u, 2, "Momentum/learning_rate:0") &&
          has_input(g, u, 4, "Momentum/momentum:0"));
    u = tfc_graph_find(g, "Adagrad/update_layer/weights/ApplyAdagrad");
    const tfc_attr *a = u >= 0 ? tfc_node_find_attr(g, u, "update_slots") : NULL;
    CHECK(a && a->b && has_input(g, u, 1, "layer/weights/Adagrad:0"));
    /* without global_step the train op is the group NAME */
    CHECK(strcmp(tfc_node_name(g, t1.node), "RMSProp") == 0 && strcmp(tfc_node_op(g, t1.node), "NoOp") == 0);
    CHECK(strcmp(tfc_node_name(g, t2.node), "Adagrad") == 0 && strcmp(tfc_node_name(g, t3.node), "Momentum") == 0);
    CHECK(has_control(g, t1.node, "RMSProp/update_layer/weights/ApplyCenteredRMSProp") &&
          has_control(g, t1.node, "RMSProp/update_layer/biases/ApplyCenteredRMSProp"));
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* A placeholder as learning rate: no NAME/learning_rate constant, the fed value is used each run. */
static void test_learning_rate_tensor(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out w;
    tfc_out loss = quadratic_loss(g, &w);
    tfc_out lr = tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "lr");
    tfc_optimizer o = tfc_momentum_optimizer(123.0f, 0.5f);
    o.learning_rate_tensor = lr;
    tfc_out gs = tfc_global_step(g);
    tfc_out train = tfc_optimizer_minimize(g, &o, loss, gs, NULL, 0);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    CHECK(tfc_graph_find(g, "Momentum/learning_rate") < 0);
    CHECK(has_input(g, tfc_graph_find(g, "Momentum/update_w/ApplyMomentum"), 2, "lr:0"));
    /* with global_step: NAME/update groups the updates, NAME/value waits for it, NAME adds one */
    int update = tfc_graph_find(g, "Momentum/update"), value = tfc_graph_find(g, "Momentum/value");
    CHECK(update >= 0 && strcmp(tfc_node_op(g, update), "NoOp") == 0 && has_control(g, update, "Momentum/update_w/ApplyMomentum"));
    CHECK(value >= 0 && has_control(g, value, "Momentum/update"));
    CHECK(strcmp(tfc_node_name(g, train.node), "Momentum") == 0 && strcmp(tfc_node_op(g, train.node), "AssignAdd") == 0 &&
          tfc_node_num_controls(g, train.node) == 0 && has_input(g, train.node, 1, "Momentum/value:0"));
    tfc_session *s = tfc_session_new(g, NULL, st);
    bool ok = s && tfc_session_run_init(s, st);
    double want[3], accum[3] = {0};
    for (int i = 0; i < 3; i++) want[i] = w0[i];
    const float rates[3] = {0.1f, 0.02f, 0.05f};
    for (int t = 0; ok && t < 3; t++) {
        tfc_tensor *lv = tfc_tensor_scalar_f32(rates[t]);
        ok = tfc_session_run(s, TFC_FEEDS({lr, lv}), TFC_FETCHES(train), NULL, st);
        tfc_tensor_free(lv);
        for (int i = 0; i < 3; i++) {
            accum[i] = accum[i] * 0.5 + 2.0 * k[i] * want[i];
            want[i] -= rates[t] * accum[i];
        }
    }
    CHECK_MSG(ok, "%s", tfc_message(st));
    const tfc_tensor *wv = ok ? tfc_session_variable(s, tfc_variable_node(g, w)) : NULL;
    for (int i = 0; wv && i < 3; i++) CHECK_NEAR(tfc_f32(wv)[i], want[i], 1e-5);
    /* unfed, the placeholder is an error naming it */
    CHECK(!tfc_session_run(s, NULL, 0, TFC_FETCHES(train), NULL, st) && strstr(tfc_message(st), "'lr'"));
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* minimize with a var_list updates those variables only and makes slots for them only. */
static void test_var_list(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out w;
    tfc_out loss = quadratic_loss(g, &w);
    tfc_out b = tfc_variable_scalar(g, 3.0f, "b");
    loss = tfc_add(g, loss, tfc_square(g, b, NULL), NULL);
    tfc_optimizer o = tfc_adagrad_optimizer(0.5f);
    tfc_out train = tfc_optimizer_minimize(g, &o, loss, TFC_NO_OUT, &b, 1);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    CHECK(tfc_graph_find(g, "b/Adagrad") >= 0 && tfc_graph_find(g, "w/Adagrad") < 0);
    tfc_session *s = tfc_session_new(g, NULL, st);
    bool ok = s && tfc_session_run_init(s, st) && tfc_session_run(s, NULL, 0, TFC_FETCHES(train), NULL, st);
    CHECK_MSG(ok, "%s", tfc_message(st));
    const tfc_tensor *wv = ok ? tfc_session_variable(s, tfc_variable_node(g, w)) : NULL;
    const tfc_tensor *bv = ok ? tfc_session_variable(s, tfc_variable_node(g, b)) : NULL;
    CHECK(wv && memcmp(wv->data, w0, sizeof w0) == 0);
    CHECK(bv && fabs(tfc_f32(bv)[0] - (3.0 - 0.5 * 6.0 / sqrt(0.1 + 36.0))) < 1e-6);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* Build errors name what is wrong; the graph keeps the first. */
static void test_errors(void)
{
    struct {
        const char *what, *want;
    } cases[] = {
        {"int lr", "input 'lr'"},          {"matrix lr", "must be a scalar"},
        {"not a variable", "var_list[0]"}, {"no gradient", "no variable has a gradient"},
        {"no optimizer", "no optimizer"},  {"int var_list", "is int64"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        tfc_graph *g = tfc_graph_new();
        tfc_out w;
        tfc_out loss = quadratic_loss(g, &w);
        tfc_optimizer o = tfc_momentum_optimizer(0.1f, 0.9f);
        tfc_out var = w;
        const tfc_optimizer *op = &o;
        if (c == 0) o.learning_rate_tensor = tfc_const_int(g, 1, "int_lr");
        if (c == 1) o.learning_rate_tensor = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2, 2), "matrix_lr");
        if (c == 2) var = loss;
        if (c == 3) var = tfc_variable_scalar(g, 1.0f, "unused");
        if (c == 4) op = NULL;
        if (c == 5) var = tfc_global_step(g);
        tfc_out r = tfc_optimizer_minimize(g, op, loss, TFC_NO_OUT, &var, 1);
        CHECK_MSG(!tfc_out_ok(r) && !tfc_graph_ok(g) && strstr(tfc_graph_error(g), cases[c].want), "%s: got '%s'",
                  cases[c].what, tfc_graph_error(g));
        tfc_graph_free(g);
    }
}

/* tf.control_dependencies: what gets the control inputs, nesting, None, and the order at run time. */
static void test_control_dependencies(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out v = tfc_variable_scalar(g, 0.0f, "v");
    tfc_out one = tfc_const_scalar(g, 1.0f, "one");
    tfc_out inc = tfc_assign_add(g, v, one, "inc");
    tfc_out other = tfc_const_scalar(g, 5.0f, "other");
    tfc_control_dependencies_push(g, &inc, 1);
    tfc_out read = tfc_identity(g, v, "read_after");    /* input from outside: gets ^inc */
    tfc_out twice = tfc_add(g, read, read, "twice");    /* input built inside: already after inc */
    tfc_out of_inc = tfc_identity(g, inc, "of_inc");    /* reads inc itself: no control input on it */
    tfc_control_dependencies_push(g, &other, 1);
    tfc_out nested = tfc_const_scalar(g, 2.0f, "nested"); /* both contexts */
    tfc_control_dependencies_push(g, NULL, 0);
    tfc_out clean = tfc_const_scalar(g, 3.0f, "clean"); /* None: neither */
    tfc_control_dependencies_pop(g);
    tfc_control_dependencies_pop(g);
    tfc_control_dependencies_pop(g);
    tfc_out after = tfc_const_scalar(g, 4.0f, "after");
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    CHECK(tfc_node_num_controls(g, read.node) == 1 && has_control(g, read.node, "inc"));
    CHECK(tfc_node_num_controls(g, twice.node) == 0);
    CHECK(tfc_node_num_controls(g, of_inc.node) == 0);
    CHECK(tfc_node_num_controls(g, nested.node) == 2 && has_control(g, nested.node, "inc") && has_control(g, nested.node, "other"));
    CHECK(tfc_node_num_controls(g, clean.node) == 0 && tfc_node_num_controls(g, after.node) == 0);
    tfc_session *s = tfc_session_new(g, NULL, st);
    CHECK(s && tfc_session_run_init(s, st));
    for (int t = 1; s && t <= 2; t++) {
        tfc_tensor *out = NULL;
        CHECK_MSG(tfc_session_run(s, NULL, 0, TFC_FETCHES(twice), &out, st), "%s", tfc_message(st));
        CHECK_MSG(out && tfc_f32(out)[0] == 2.0f * t, "run %d: %g", t, out ? tfc_f32(out)[0] : NAN);
        tfc_tensor_free(out);
    }
    /* a dependency that is not a node of the graph is a build error */
    tfc_control_dependencies_push(g, (tfc_out[]){{9999, 0}}, 1);
    tfc_control_dependencies_pop(g);
    CHECK(!tfc_graph_ok(g) && strstr(tfc_graph_error(g), "control dependency 0"));
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* Fetches a float scalar with global_step set to step. */
static double at_step(tfc_session *s, tfc_graph *g, tfc_out gs, tfc_out fetch, int64_t step)
{
    tfc_status *st = tfc_status_new();
    tfc_tensor *v = tfc_tensor_new(tfc_out_dtype(g, gs), TFC_SCALAR), *out = NULL;
    if (v->dtype == TFC_INT64)
        tfc_i64(v)[0] = step;
    else
        tfc_i32(v)[0] = (int32_t)step;
    bool ok = tfc_session_assign(s, tfc_variable_node(g, gs), v, st) && tfc_session_run(s, NULL, 0, &fetch, 1, &out, st);
    CHECK_MSG(ok, "%s", tfc_message(st));
    double r = ok ? tfc_f32(out)[0] : NAN;
    tfc_tensor_free(v);
    tfc_tensor_free(out);
    tfc_status_free(st);
    return r;
}

static void test_schedules(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out gs = tfc_global_step(g);
    tfc_out smooth = tfc_exponential_decay(g, 0.1f, gs, 10, 0.5f, false, NULL);
    tfc_out stairs = tfc_exponential_decay(g, 0.1f, gs, 10, 0.5f, true, NULL);
    const int64_t bounds[2] = {10, 20};
    const float values[3] = {1.0f, 0.5f, 0.1f};
    tfc_out piece = tfc_piecewise_constant(g, gs, bounds, 2, values, NULL);
    tfc_out counter32 = tfc_variable(g, tfc_zeros(g, TFC_SCALAR, TFC_INT32, NULL), "counter32");
    tfc_out piece32 = tfc_piecewise_constant(g, counter32, bounds, 1, values, "one_boundary");
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    /* TensorFlow's nodes: ExponentialDecay (Mul) of initial_learning_rate and Pow(Cast_1/x, truediv) */
    const char *names[] = {"ExponentialDecay/initial_learning_rate", "ExponentialDecay/Cast/x", "ExponentialDecay/Cast",
                           "ExponentialDecay/Cast_1/x", "ExponentialDecay/Cast_2", "ExponentialDecay/truediv",
                           "ExponentialDecay/Pow", "ExponentialDecay_1/Floor", "PiecewiseConstant/LessEqual",
                           "PiecewiseConstant/Greater", "PiecewiseConstant/Greater_1", "PiecewiseConstant/LessEqual_1",
                           "PiecewiseConstant/and"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) CHECK_MSG(tfc_graph_find(g, names[i]) >= 0, "no node %s", names[i]);
    CHECK(strcmp(tfc_node_name(g, smooth.node), "ExponentialDecay") == 0 && strcmp(tfc_node_op(g, smooth.node), "Mul") == 0);
    CHECK(strcmp(tfc_node_name(g, stairs.node), "ExponentialDecay_1") == 0);
    CHECK(tfc_graph_find(g, "ExponentialDecay/Cast_1") < 0); /* the float rate needs no Cast */
    tfc_session *s = tfc_session_new(g, NULL, st);
    CHECK(s && tfc_session_run_init(s, st));
    const int64_t steps[] = {0, 5, 10, 11, 20, 21, 25, 100};
    for (size_t i = 0; s && i < sizeof steps / sizeof *steps; i++) {
        int64_t t = steps[i];
        CHECK_NEAR(at_step(s, g, gs, smooth, t), 0.1 * pow(0.5, t / 10.0), 1e-7);
        CHECK_NEAR(at_step(s, g, gs, stairs, t), 0.1 * pow(0.5, (double)(t / 10)), 1e-7);
        float want = t <= 10 ? 1.0f : t <= 20 ? 0.5f : 0.1f;
        CHECK_MSG(at_step(s, g, gs, piece, t) == want, "piecewise at %lld: %g", (long long)t, at_step(s, g, gs, piece, t));
        CHECK(at_step(s, g, counter32, piece32, t) == (t <= 10 ? 1.0f : 0.5f));
    }
    tfc_session_free(s);
    tfc_graph_free(g);

    /* As an optimizer's learning rate: each step uses the rate of the step count before it. */
    g = tfc_graph_new();
    tfc_out w = tfc_variable_scalar(g, 1.0f, "w");
    gs = tfc_global_step(g);
    tfc_optimizer o = tfc_gradient_descent_optimizer(0);
    o.learning_rate_tensor = tfc_piecewise_constant(g, gs, bounds, 2, values, NULL);
    tfc_out train = tfc_optimizer_minimize(g, &o, w, gs, NULL, 0); /* d(w)/dw = 1 */
    s = tfc_session_new(g, NULL, st);
    bool ok = s && tfc_session_run_init(s, st);
    for (int t = 0; ok && t < 25; t++) ok = tfc_session_run(s, NULL, 0, &train, 1, NULL, st);
    CHECK_MSG(ok, "%s", tfc_message(st));
    const tfc_tensor *wv = ok ? tfc_session_variable(s, tfc_variable_node(g, w)) : NULL;
    CHECK(wv && fabs(tfc_f32(wv)[0] - (1.0 - 11 * 1.0 - 10 * 0.5 - 4 * 0.1)) < 1e-5);
    tfc_session_free(s);
    tfc_graph_free(g);

    /* Bad arguments: errors naming the schedule */
    g = tfc_graph_new();
    tfc_out f = tfc_const_scalar(g, 1.0f, "f");
    const int64_t down[2] = {20, 10};
    CHECK(!tfc_out_ok(tfc_exponential_decay(g, 0.1f, f, 10, 0.5f, false, NULL)) && strstr(tfc_graph_error(g), "ExponentialDecay"));
    tfc_graph_free(g);
    g = tfc_graph_new();
    gs = tfc_global_step(g);
    CHECK(!tfc_out_ok(tfc_piecewise_constant(g, gs, down, 2, values, "lr")) && strstr(tfc_graph_error(g), "lr: the boundaries"));
    tfc_graph_free(g);
    g = tfc_graph_new();
    gs = tfc_global_step(g);
    CHECK(!tfc_out_ok(tfc_exponential_decay(g, 0.1f, gs, 0, 0.5f, false, NULL)) && strstr(tfc_graph_error(g), "decay_steps"));
    tfc_graph_free(g);
    tfc_status_free(st);
}

static void test_clip_by_global_norm(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    float a[2] = {3.0f, 4.0f}, b[1] = {12.0f};
    tfc_tensor *at = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(2), a), *bt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1), b);
    tfc_out t[3] = {tfc_const(g, at, "a"), TFC_NO_OUT, tfc_const(g, bt, "b")}, clipped[3], loose[3], norm;
    CHECK(tfc_clip_by_global_norm(g, t, 3, 6.5f, clipped, &norm, NULL)); /* the norm is 13: halved */
    CHECK(tfc_clip_by_global_norm(g, t, 3, 100.0f, loose, NULL, NULL));  /* under the limit: as they are */
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    CHECK(!tfc_out_ok(clipped[1]) && !tfc_out_ok(loose[1]));
    CHECK(strcmp(tfc_node_name(g, norm.node), "global_norm/global_norm") == 0);
    CHECK(strcmp(tfc_node_name(g, clipped[0].node), "clip_by_global_norm/clip_by_global_norm/_0") == 0);
    CHECK(strcmp(tfc_node_name(g, clipped[2].node), "clip_by_global_norm/clip_by_global_norm/_2") == 0);
    CHECK(tfc_graph_find(g, "global_norm/L2Loss_1") >= 0 && tfc_graph_find(g, "global_norm/stack") >= 0);
    tfc_session *s = tfc_session_new(g, NULL, st);
    tfc_tensor *out[5] = {0};
    CHECK(s && tfc_session_run(s, NULL, 0, (tfc_out[]){norm, clipped[0], clipped[2], loose[0], loose[2]}, 5, out, st));
    if (out[0]) {
        CHECK_NEAR(tfc_f32(out[0])[0], 13.0, 1e-5);
        CHECK_NEAR(tfc_f32(out[1])[0], 1.5, 1e-6);
        CHECK_NEAR(tfc_f32(out[1])[1], 2.0, 1e-6);
        CHECK_NEAR(tfc_f32(out[2])[0], 6.0, 1e-6);
        CHECK(tfc_f32(out[3])[1] == 4.0f && tfc_f32(out[4])[0] == 12.0f);
    }
    for (int i = 0; i < 5; i++) tfc_tensor_free(out[i]);
    tfc_session_free(s);
    CHECK(!tfc_clip_by_global_norm(g, t, 3, -1.0f, clipped, NULL, "bad") && strstr(tfc_graph_error(g), "bad: clip_norm"));
    tfc_tensor_free(at);
    tfc_tensor_free(bt);
    tfc_status_free(st);
    tfc_graph_free(g);
}

int main(void)
{
    test_rules();
    test_slots();
    test_learning_rate_tensor();
    test_var_list();
    test_errors();
    test_control_dependencies();
    test_schedules();
    test_clip_by_global_norm();
    return check_result();
}
