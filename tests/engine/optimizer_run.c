/* optimizer_run: trains a small network with one of tfc's optimizers from initial weights and
 * batches given in files, then saves every variable (slots included) to a checkpoint and the graph
 * as a GraphDef, so tests/interop/test_optimizers_tf.py can hold them against the same training in
 * TensorFlow. Not a unit test: a tool for that comparison.
 *
 * The network: x [?, 20] -> layer1 (weights [20,64], biases [64], tanh) -> layer2 (weights [64,5],
 * biases [5]) -> loss = mean softmax cross entropy with the one-hot y [?, 5].
 *
 *   optimizer_run OPTIMIZER INIT DATA STEPS BATCH OUT GRAPH [SETTING=VALUE ...]
 *
 * OPTIMIZER: gd, momentum, adagrad, rmsprop or adam. INIT: a checkpoint holding the four weights.
 * DATA: a folder with x.raw and y.raw (float32, STEPS * BATCH rows). OUT: the checkpoint prefix
 * saved (plain, no step). GRAPH: the GraphDef file. Settings: lr, momentum, nesterov (0/1), decay,
 * epsilon, centered (0/1), accumulator, beta1, beta2, schedule (constant; placeholder: lr / (1 +
 * step / 100) fed each step; exponential or exponential-staircase: exponential_decay(lr, global_step,
 * 50, 0.5); piecewise: piecewise_constant(global_step, [60, 130], [lr, lr / 2, lr / 10])), clip
 * (clip_by_global_norm of the gradients to this norm between compute and apply), var_list (all, or
 * layer2: its two variables only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grad.h"
#include "graphdef.h"
#include "ops.h"
#include "optimizer.h"
#include "saver.h"
#include "session.h"

enum { IN = 20, HIDDEN = 64, OUT = 5 };

static int fail(const char *what, const char *detail)
{
    fprintf(stderr, "optimizer_run: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

static tfc_tensor *read_floats(const char *path, int64_t rows, int64_t cols)
{
    tfc_tensor *t = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(rows, cols));
    FILE *f = fopen(path, "rb");
    bool ok = t && f && fread(t->data, sizeof(float), (size_t)t->size, f) == (size_t)t->size && fgetc(f) == EOF;
    if (f) fclose(f);
    if (!ok) {
        fprintf(stderr, "optimizer_run: %s: cannot read %lld float32 values (and no more)\n", path, (long long)(rows * cols));
        tfc_tensor_free(t);
        return NULL;
    }
    return t;
}

/* A dense layer in scope NAME with zero-initialised weights (the checkpoint sets them). */
static tfc_out dense(tfc_graph *g, const char *name, tfc_out x, int64_t n_in, int64_t n_out, tfc_out vars[2])
{
    tfc_scope_push(g, name);
    vars[0] = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(n_in, n_out), TFC_FLOAT, NULL), "weights");
    vars[1] = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(n_out), TFC_FLOAT, NULL), "biases");
    tfc_scope_pop(g);
    return tfc_add(g, tfc_matmul(g, x, vars[0], false, false, NULL), vars[1], NULL);
}

static bool setting(int argc, char **argv, const char *key, double *v)
{
    size_t n = strlen(key);
    for (int i = 8; i < argc; i++)
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=') {
            *v = strtod(argv[i] + n + 1, NULL);
            return true;
        }
    return false;
}

static const char *setting_str(int argc, char **argv, const char *key, const char *dflt)
{
    size_t n = strlen(key);
    for (int i = 8; i < argc; i++)
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
    return dflt;
}

int main(int argc, char **argv)
{
    if (argc < 8) return fail("usage: optimizer_run OPTIMIZER INIT DATA STEPS BATCH OUT GRAPH [SETTING=VALUE ...]", NULL);
    const char *kind = argv[1], *init = argv[2], *data = argv[3], *out = argv[6], *graph_file = argv[7];
    int steps = atoi(argv[4]), batch = atoi(argv[5]);
    if (steps <= 0 || batch <= 0) return fail("STEPS and BATCH must be positive", NULL);
    double lr = 0.01, v;
    setting(argc, argv, "lr", &lr);
    tfc_optimizer opt;
    if (strcmp(kind, "gd") == 0)
        opt = tfc_gradient_descent_optimizer((float)lr);
    else if (strcmp(kind, "momentum") == 0)
        opt = tfc_momentum_optimizer((float)lr, setting(argc, argv, "momentum", &v) ? (float)v : 0.9f);
    else if (strcmp(kind, "adagrad") == 0)
        opt = tfc_adagrad_optimizer((float)lr);
    else if (strcmp(kind, "rmsprop") == 0)
        opt = tfc_rmsprop_optimizer((float)lr);
    else if (strcmp(kind, "adam") == 0)
        opt = tfc_adam_optimizer((float)lr);
    else
        return fail("unknown optimizer", kind);
    if (setting(argc, argv, "momentum", &v)) opt.momentum = (float)v;
    if (setting(argc, argv, "nesterov", &v)) opt.use_nesterov = v != 0;
    if (setting(argc, argv, "decay", &v)) opt.decay = (float)v;
    if (setting(argc, argv, "epsilon", &v)) opt.epsilon = (float)v;
    if (setting(argc, argv, "centered", &v)) opt.centered = v != 0;
    if (setting(argc, argv, "accumulator", &v)) opt.initial_accumulator_value = (float)v;
    if (setting(argc, argv, "beta1", &v)) opt.beta1 = (float)v;
    if (setting(argc, argv, "beta2", &v)) opt.beta2 = (float)v;
    const char *schedule = setting_str(argc, argv, "schedule", "constant");
    const char *var_list = setting_str(argc, argv, "var_list", "all");

    char path[4096];
    snprintf(path, sizeof path, "%s/x.raw", data);
    tfc_tensor *xs = read_floats(path, (int64_t)steps * batch, IN);
    snprintf(path, sizeof path, "%s/y.raw", data);
    tfc_tensor *ys = read_floats(path, (int64_t)steps * batch, OUT);
    if (!xs || !ys) return 1;

    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, IN), "x");
    tfc_out y = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, OUT), "y");
    tfc_out weights[4];
    tfc_out h = tfc_tanh(g, dense(g, "layer1", x, IN, HIDDEN, weights), NULL);
    tfc_out logits = dense(g, "layer2", h, HIDDEN, OUT, weights + 2);
    tfc_out loss = tfc_reduce_mean(g, tfc_softmax_cross_entropy_with_logits(g, y, logits, NULL), NULL, 0, false, "loss");
    tfc_out gs = tfc_global_step(g);
    tfc_out lr_feed = TFC_NO_OUT;
    const int64_t bounds[2] = {60, 130};
    const float values[3] = {(float)lr, (float)(lr / 2), (float)(lr / 10)};
    if (strcmp(schedule, "placeholder") == 0)
        opt.learning_rate_tensor = lr_feed = tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "learning_rate");
    else if (strncmp(schedule, "exponential", 11) == 0)
        opt.learning_rate_tensor = tfc_exponential_decay(g, (float)lr, gs, 50, 0.5f, strcmp(schedule, "exponential-staircase") == 0, NULL);
    else if (strcmp(schedule, "piecewise") == 0)
        opt.learning_rate_tensor = tfc_piecewise_constant(g, gs, bounds, 2, values, NULL);
    else if (strcmp(schedule, "constant") != 0)
        return fail("unknown schedule", schedule);
    bool layer2_only = strcmp(var_list, "layer2") == 0;
    tfc_out train;
    if (setting(argc, argv, "clip", &v)) {
        /* compute_gradients, clip_by_global_norm, apply_gradients */
        tfc_out grads[4], clipped[4];
        tfc_gradients(g, loss, weights, 4, grads);
        tfc_clip_by_global_norm(g, grads, 4, (float)v, clipped, NULL, NULL);
        train = tfc_optimizer_apply_gradients(g, &opt, clipped, weights, 4, gs);
    } else {
        train = tfc_optimizer_minimize(g, &opt, loss, gs, layer2_only ? weights + 2 : NULL, layer2_only ? 2 : 0);
    }

    tfc_session *s = tfc_graph_check(g, st) ? tfc_session_new(g, &(tfc_session_options){.threads = 1}, st) : NULL;
    bool ok = s && tfc_session_run_init(s, st) && tfc_saver_restore_vars(s, weights, 4, init, st);
    tfc_tensor *bx = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(batch, IN)), *by = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(batch, OUT));
    for (int t = 0; ok && t < steps; t++) {
        memcpy(bx->data, tfc_f32(xs) + (size_t)t * batch * IN, (size_t)batch * IN * sizeof(float));
        memcpy(by->data, tfc_f32(ys) + (size_t)t * batch * OUT, (size_t)batch * OUT * sizeof(float));
        tfc_tensor *lv = tfc_tensor_scalar_f32((float)(lr / (1.0 + t / 100.0)));
        tfc_feed feeds[3] = {{x, bx}, {y, by}, {lr_feed, lv}};
        ok = tfc_session_run(s, feeds, tfc_out_ok(lr_feed) ? 3 : 2, &train, 1, NULL, st);
        tfc_tensor_free(lv);
    }
    ok = ok && tfc_saver_save(s, out, TFC_SAVER_NO_STEP, 5, NULL, 0, st);
    size_t len = 0;
    unsigned char *pb = ok ? tfc_graphdef_serialize(g, &len, st) : NULL;
    FILE *f = pb ? fopen(graph_file, "wb") : NULL;
    if (pb && (!f || fwrite(pb, 1, len, f) != len)) ok = tfc_fail(st, TFC_IO, "%s: %s", graph_file, strerror(errno));
    if (f && fclose(f) != 0) ok = tfc_fail(st, TFC_IO, "%s: %s", graph_file, strerror(errno));
    free(pb);
    if (!ok || !pb) fprintf(stderr, "optimizer_run: %s\n", tfc_message(st));
    tfc_tensor_free(bx);
    tfc_tensor_free(by);
    tfc_tensor_free(xs);
    tfc_tensor_free(ys);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
    return ok && pb ? 0 : 1;
}
