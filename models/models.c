/* The seeds' networks: softmax regression, the three-layer MLP, the name-scoped "deep" network
 * with dropout and Adam, and the convolutional network of Deep MNIST. */
#include "models.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distributed.h"
#include "ops.h"
#include "optimizer.h"
#include "session.h"
#include "summary_ops.h"

static void add_activation(tfc_model *m, const char *name, tfc_out a)
{
    if (m->nactivations < 8) {
        m->activation_names[m->nactivations] = name;
        m->activations[m->nactivations++] = a;
    }
}

const char *const tfc_model_names[] = {"softmax", "mlp", "deep", "cnn", NULL};

typedef struct {
    const char *name;
    float lr;
    const char *optimizer;
    int batch;
    int64_t steps;
    int epochs;
    float keep;
} seed_setup;

static const seed_setup setups[] = {
    {"softmax", 0.5f, "gd", 100, 1000, 0, 1.0f},
    {"mlp", 0.5f, "gd", 100, 0, 10, 1.0f},
    {"deep", 0.001f, "adam", 100, 20000, 0, 0.2f},
    {"cnn", 1e-4f, "adam", 50, 20000, 0, 0.5f},
};

const char *const tfc_model_optimizers[] = {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "centered-rmsprop", "adam", NULL};

/* The learning rate each of tfc_model_optimizers brings when it is not the seed's own optimizer. */
static const float optimizer_lr[] = {0.5f, 0.005f, 0.005f, 0.05f, 1e-3f, 1e-3f, 1e-3f};

static int optimizer_index(const char *name)
{
    for (int i = 0; tfc_model_optimizers[i]; i++)
        if (strcmp(tfc_model_optimizers[i], name) == 0) return i;
    return -1;
}

/* Adagrad's first ADAGRAD_WARMUP steps take a fifth of its learning rate (piecewise_constant of
 * global_step): with its accumulator starting near zero, each weight's first steps are about the
 * whole learning rate, whatever its gradient's size. */
#define ADAGRAD_WARMUP 1000

/* The optimizer called `name` with TensorFlow's settings, but where the deep model's first layer,
 * a 500-way softmax whose weights' gradients are about 1e-7 to 1e-4 (a five-hundredth of the other
 * layers'), needs others: momentum 0.9 in the momentum ones; Adagrad's initial accumulator 1e-10
 * (TensorFlow's 0.1, and still 1e-6, outweighs that layer's squared gradients for the whole run)
 * and its warmup; RMSProp's decay 0.99 (TensorFlow's 0.9 divides by a mean of about ten squared
 * gradients, too noisy a measure for them) and epsilon 1e-14 (added under the square root,
 * TensorFlow's 1e-10 puts a floor of 1e-5 under the divisor, above most of that layer's gradients). */
static tfc_optimizer optimizer_of(tfc_graph *g, const char *name, float lr, tfc_out global_step)
{
    if (strcmp(name, "momentum") == 0 || strcmp(name, "nesterov") == 0) {
        tfc_optimizer o = tfc_momentum_optimizer(lr, 0.9f);
        o.use_nesterov = strcmp(name, "nesterov") == 0;
        return o;
    }
    if (strcmp(name, "adagrad") == 0) {
        tfc_optimizer o = tfc_adagrad_optimizer(lr);
        o.initial_accumulator_value = 1e-10f;
        const int64_t boundary = ADAGRAD_WARMUP - 1; /* global_step 0 to 999 before each update */
        o.learning_rate_tensor = tfc_piecewise_constant(g, global_step, &boundary, 1, (const float[]){lr / 5, lr}, NULL);
        return o;
    }
    if (strcmp(name, "rmsprop") == 0 || strcmp(name, "centered-rmsprop") == 0) {
        tfc_optimizer o = tfc_rmsprop_optimizer(lr);
        o.centered = strcmp(name, "centered-rmsprop") == 0;
        o.decay = 0.99f;
        o.epsilon = 1e-14f;
        return o;
    }
    if (strcmp(name, "adam") == 0) return tfc_adam_optimizer(lr);
    return tfc_gradient_descent_optimizer(lr);
}

static tfc_out accuracy_of(tfc_graph *g, tfc_out prediction, tfc_out labels)
{
    tfc_out correct = tfc_equal(g, tfc_argmax(g, prediction, 1, NULL), tfc_argmax(g, labels, 1, NULL), "correct_prediction");
    return tfc_reduce_mean(g, tfc_cast(g, correct, TFC_FLOAT, NULL), NULL, 0, false, NULL);
}

/* Seed 3: y = softmax(x W + b), zero-initialised, cross entropy -sum(y_ log y). */
static void build_softmax(tfc_model *m)
{
    tfc_graph *g = m->g;
    m->x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "x");
    m->labels = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 10), "y_");
    tfc_out w = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(784, 10), TFC_FLOAT, NULL), "W");
    tfc_out b = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(10), TFC_FLOAT, NULL), "b");
    tfc_out y = tfc_softmax(g, tfc_add(g, tfc_matmul(g, m->x, w, false, false, NULL), b, NULL), "y");
    int axis1 = 1;
    tfc_out per_example = tfc_reduce_sum(g, tfc_mul(g, m->labels, tfc_log(g, y, NULL), NULL), &axis1, 1, false, NULL);
    m->loss = tfc_reduce_mean(g, tfc_neg(g, per_example, NULL), NULL, 0, false, "cross_entropy");
    m->accuracy = accuracy_of(g, y, m->labels);
}

/* Seed 2: 784 -> 300 relu -> 10 softmax, N(0, 0.03) weights and biases, the clipped two-sided
 * cross entropy. */
static void build_mlp(tfc_model *m)
{
    tfc_graph *g = m->g;
    m->x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "x");
    m->labels = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 10), "y");
    tfc_out w1 = tfc_variable(g, tfc_random_normal(g, TFC_SHAPE(784, 300), 0, 0.03f, 0, NULL), "W1");
    tfc_out b1 = tfc_variable(g, tfc_random_normal(g, TFC_SHAPE(300), 0, 0.03f, 0, NULL), "b1");
    tfc_out w2 = tfc_variable(g, tfc_random_normal(g, TFC_SHAPE(300, 10), 0, 0.03f, 0, NULL), "W2");
    tfc_out b2 = tfc_variable(g, tfc_random_normal(g, TFC_SHAPE(10), 0, 0.03f, 0, NULL), "b2");
    tfc_out hidden = tfc_relu(g, tfc_add(g, tfc_matmul(g, m->x, w1, false, false, NULL), b1, NULL), "hidden_out");
    add_activation(m, "hidden_out", hidden);
    tfc_out y_ = tfc_softmax(g, tfc_add(g, tfc_matmul(g, hidden, w2, false, false, NULL), b2, NULL), "y_");
    tfc_out yc = tfc_clip_by_value(g, y_, 1e-10f, 0.9999999f, NULL);
    tfc_out one = tfc_const_scalar(g, 1.0f, "sub/x");
    tfc_out term = tfc_add(g, tfc_mul(g, m->labels, tfc_log(g, yc, NULL), NULL),
                           tfc_mul(g, tfc_sub(g, one, m->labels, NULL), tfc_log(g, tfc_sub(g, one, yc, NULL), NULL), NULL), NULL);
    int axis1 = 1;
    tfc_out per_example = tfc_reduce_sum(g, term, &axis1, 1, false, NULL);
    m->loss = tfc_neg(g, tfc_reduce_mean(g, per_example, NULL, 0, false, NULL), "cross_entropy");
    m->accuracy = accuracy_of(g, y_, m->labels);
}

/* A fully connected layer in scope NAME: weights (truncated normal 0.1) and biases (0.1). */
static tfc_out fc_layer(tfc_graph *g, tfc_out in, int64_t n_in, int64_t n_out, tfc_out *weights)
{
    tfc_out w = tfc_variable(g, tfc_truncated_normal(g, TFC_SHAPE(n_in, n_out), 0, 0.1f, 0, NULL), "weights");
    tfc_out b = tfc_variable(g, tfc_fill(g, TFC_SHAPE(n_out), 0.1f, "Const"), "biases");
    if (weights) *weights = w;
    return tfc_add(g, tfc_matmul(g, in, w, false, false, NULL), b, NULL);
}

/* The seeds' train/loss (mean softmax cross entropy of the logits) and evaluation scopes. */
static void loss_and_evaluation(tfc_model *m, tfc_out logits)
{
    tfc_graph *g = m->g;
    tfc_scope_push(g, "train");
    tfc_scope_push(g, "loss");
    tfc_out xent = tfc_softmax_cross_entropy_with_logits(g, m->labels, logits, NULL);
    m->loss = tfc_reduce_mean(g, xent, NULL, 0, false, "loss");
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    tfc_scope_push(g, "evaluation");
    m->accuracy = accuracy_of(g, logits, m->labels);
    tfc_scope_pop(g);
}

/* Seed 4: scopes input, model/fc1..fc3, train, evaluation. */
static void build_deep(tfc_model *m)
{
    tfc_graph *g = m->g;
    tfc_scope_push(g, "input");
    m->x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "x");
    m->labels = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 10), "label");
    m->keep_prob = tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "keep_prob");
    tfc_scope_pop(g);
    tfc_scope_push(g, "model");
    tfc_scope_push(g, "fc1");
    tfc_out h1 = tfc_softmax(g, fc_layer(g, m->x, 784, 500, NULL), "softmax_activation");
    add_activation(m, "model/fc1/softmax_activation", h1);
    h1 = tfc_dropout(g, h1, m->keep_prob, 0, "dropout");
    tfc_scope_pop(g);
    tfc_scope_push(g, "fc2");
    tfc_out h2 = tfc_relu(g, fc_layer(g, h1, 500, 100, NULL), "relu_activation");
    add_activation(m, "model/fc2/relu_activation", h2);
    h2 = tfc_dropout(g, h2, m->keep_prob, 0, "dropout");
    tfc_scope_pop(g);
    tfc_scope_push(g, "fc3");
    tfc_out logits = tfc_identity(g, fc_layer(g, h2, 100, 10, NULL), "logits");
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    loss_and_evaluation(m, logits);
}

static tfc_out conv_layer(tfc_graph *g, tfc_out in, int64_t k, int64_t cin, int64_t cout)
{
    tfc_out w = tfc_variable(g, tfc_truncated_normal(g, TFC_SHAPE(k, k, cin, cout), 0, 0.1f, 0, NULL), "weights");
    tfc_out b = tfc_variable(g, tfc_fill(g, TFC_SHAPE(cout), 0.1f, "Const"), "biases");
    const int64_t strides[4] = {1, 1, 1, 1};
    return tfc_relu(g, tfc_bias_add(g, tfc_conv2d(g, in, w, strides, "SAME", NULL), b, NULL), NULL);
}

static tfc_out pool2(tfc_graph *g, tfc_out in)
{
    const int64_t k[4] = {1, 2, 2, 1};
    return tfc_max_pool(g, in, k, k, "SAME", NULL);
}

/* Seed 5: two conv + pool stages, fc 1024 with dropout, 10 logits. */
static void build_cnn(tfc_model *m)
{
    tfc_graph *g = m->g;
    tfc_scope_push(g, "input");
    m->x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "x");
    m->labels = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 10), "label");
    m->keep_prob = tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "keep_prob");
    tfc_out image = tfc_reshape(g, m->x, TFC_SHAPE(-1, 28, 28, 1), "x_image");
    tfc_scope_pop(g);
    tfc_scope_push(g, "model");
    tfc_scope_push(g, "conv1");
    tfc_out h = pool2(g, conv_layer(g, image, 5, 1, 32));
    add_activation(m, "model/conv1/pool", h);
    tfc_scope_pop(g);
    tfc_scope_push(g, "conv2");
    h = pool2(g, conv_layer(g, h, 5, 32, 64));
    add_activation(m, "model/conv2/pool", h);
    tfc_scope_pop(g);
    tfc_scope_push(g, "fc1");
    h = tfc_reshape(g, h, TFC_SHAPE(-1, 7 * 7 * 64), "flat");
    h = tfc_relu(g, fc_layer(g, h, 7 * 7 * 64, 1024, NULL), NULL);
    add_activation(m, "model/fc1/relu", h);
    h = tfc_dropout(g, h, m->keep_prob, 0, "dropout");
    tfc_scope_pop(g);
    tfc_scope_push(g, "fc2");
    tfc_out logits = tfc_identity(g, fc_layer(g, h, 1024, 10, NULL), "logits");
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    loss_and_evaluation(m, logits);
}

/* The first convolution's 32 filters [5, 5, 1, 32] as one picture, 4 rows of 8 with a line of
 * zeros above and left of each (grey once the image op has scaled the signed weights), as the
 * TensorFlow tutorials' put_kernels_on_grid lays them out: each filter padded to 6x6, the filter
 * index split into (row, column) of the grid, and the filters' rows interleaved with the grid's. */
static tfc_out filter_grid(tfc_graph *g, tfc_out weights)
{
    static const int64_t pad[8] = {1, 0, 1, 0, 0, 0, 0, 0};
    static const int perm[4] = {2, 0, 3, 1};
    tfc_out w = tfc_pad(g, weights, pad, 4, NULL);          /* [6, 6, 1, 32] */
    w = tfc_reshape(g, w, TFC_SHAPE(6, 6, 4, 8), NULL);     /* (y, x, row, column) */
    w = tfc_transpose(g, w, perm, 4, NULL);                 /* (row, y, column, x) */
    return tfc_reshape(g, w, TFC_SHAPE(1, 24, 48, 1), NULL);
}

/* The seed's scalar summaries Loss and Accuracy; with histograms, every trainable variable and
 * the hidden activations under histograms/; with images, the first input images as the
 * TensorFlow tutorials show them (input_reshape/input/image/0, ...) and, for the convnet, its
 * first layer's filters as one grid (model/conv1/filters/image). */
static void add_summaries(tfc_model *m, bool histograms, int images)
{
    tfc_graph *g = m->g;
    if (images > 0) {
        tfc_scope_push(g, "input_reshape");
        tfc_summary_image(g, "input", tfc_reshape(g, m->x, TFC_SHAPE(-1, 28, 28, 1), NULL), images);
        tfc_scope_pop(g);
        int filters = strcmp(m->name, "cnn") == 0 ? tfc_graph_find(g, "model/conv1/weights") : -1;
        if (filters >= 0) {
            tfc_scope_push(g, "model/conv1/");
            tfc_scope_push(g, "filters_grid");
            tfc_out grid = filter_grid(g, (tfc_out){filters, 0});
            tfc_scope_pop(g);
            tfc_summary_image(g, "filters", grid, 1);
            tfc_scope_pop(g);
        }
    }
    tfc_summary_scalar(g, "Loss", m->loss);
    tfc_summary_scalar(g, "Accuracy", m->accuracy);
    if (histograms) {
        tfc_scope_push(g, "histograms");
        for (int i = 0; i < tfc_graph_num_variables(g); i++) {
            int v = tfc_graph_variable(g, i);
            if (tfc_variable_trainable(g, v)) tfc_summary_histogram(g, tfc_node_name(g, v), (tfc_out){v, 0});
        }
        for (int i = 0; i < m->nactivations; i++) tfc_summary_histogram(g, m->activation_names[i], m->activations[i]);
        tfc_scope_pop(g);
    }
    m->summaries = tfc_summary_merge_all(g);
}

bool tfc_model_build(tfc_model *m, const char *name, const tfc_model_options *opts, tfc_status *st)
{
    if (!m) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_model_build: no model to fill (NULL)");
    memset(m, 0, sizeof *m);
    const seed_setup *s = NULL;
    for (size_t i = 0; name && i < sizeof setups / sizeof *setups; i++)
        if (strcmp(setups[i].name, name) == 0) s = &setups[i];
    if (!s) return tfc_fail(st, TFC_INVALID_ARGUMENT, "unknown model '%s' (known: softmax, mlp, deep, cnn)", name ? name : "(NULL)");
    m->name = s->name;
    m->g = tfc_graph_new();
    if (!m->g) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    m->keep_prob = m->training = TFC_NO_OUT;
    m->summaries = TFC_NO_OUT;
    m->train_keep_prob = s->keep;
    m->batch_size = s->batch;
    m->steps = s->steps;
    m->epochs = s->epochs;
    m->optimizer = opts && opts->optimizer ? opts->optimizer : s->optimizer;
    int o = optimizer_index(m->optimizer);
    bool ok = o >= 0 || tfc_fail(st, TFC_INVALID_ARGUMENT, "unknown optimizer '%s' (known: gd, momentum, nesterov, adagrad, rmsprop, centered-rmsprop, adam)", m->optimizer);
    /* the seed's learning rate goes with the seed's optimizer; another one brings its own */
    m->learning_rate = opts && opts->learning_rate > 0      ? opts->learning_rate
                       : strcmp(m->optimizer, s->optimizer) ? (o >= 0 ? optimizer_lr[o] : 0)
                                                            : s->lr;
    if (opts && opts->learning_rate_scale > 0) m->learning_rate *= opts->learning_rate_scale;
    tfc_graph *g = m->g;
    tfc_device_push(g, "/cpu:0");
    if (strcmp(name, "softmax") == 0)
        build_softmax(m);
    else if (strcmp(name, "mlp") == 0)
        build_mlp(m);
    else if (strcmp(name, "deep") == 0)
        build_deep(m);
    else
        build_cnn(m);
    m->global_step = tfc_global_step(g);
    if (opts && opts->allreduce_bucket_floats > 0) tfc_distributed_optimizer(g, opts->allreduce_bucket_floats, 0);
    bool is_deep = strcmp(name, "deep") == 0 || strcmp(name, "cnn") == 0;
    if (is_deep) tfc_scope_push(g, "train/"); /* back into the scope that holds the loss */
    if (ok) {
        tfc_optimizer opt = optimizer_of(g, m->optimizer, m->learning_rate, m->global_step);
        m->train = tfc_optimizer_minimize(g, &opt, m->loss, m->global_step, NULL, 0);
    }
    if (is_deep) tfc_scope_pop(g);
    /* what a MetaGraph of the model tells TensorFlow (and tfc-run --graph) */
    char loss[600];
    if (tfc_out_ok(m->train)) tfc_graph_add_to_collection(g, "train_op", tfc_node_name(g, m->train.node));
    if (tfc_out_ok(m->loss)) tfc_graph_add_to_collection(g, "losses", tfc_out_name(g, m->loss, loss, sizeof loss));
    if (opts && opts->summaries) add_summaries(m, opts->histograms, opts->images);
    tfc_device_pop(g);
    m->init = tfc_global_variables_initializer(g);
    if (!tfc_ok(st) || !tfc_graph_check(g, st)) {
        tfc_model_free(m);
        return false;
    }
    return true;
}

void tfc_model_free(tfc_model *m)
{
    if (!m) return;
    tfc_graph_free(m->g);
    m->g = NULL;
    if (m->class_labels) tfc_tensor_free(m->class_labels->t);
    free(m->class_labels);
    m->class_labels = NULL;
}

/* The class indices of the one-hot rows of y, in c's tensor (made again when the row count changes);
 * NULL when memory runs out. */
static const tfc_tensor *class_indices(const tfc_model *m, struct tfc_class_labels *c, const tfc_tensor *y)
{
    int64_t n = y->shape.rank == 2 ? y->shape.dims[0] : 0;
    if (!c->t || c->t->size != n) {
        tfc_tensor_free(c->t);
        c->t = tfc_tensor_new(tfc_out_dtype(m->g, m->labels), TFC_SHAPE(n));
        if (!c->t) return NULL;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t k = 0;
        for (int64_t j = 1; j < y->shape.dims[1]; j++)
            if (tfc_f32(y)[i * y->shape.dims[1] + j] > tfc_f32(y)[i * y->shape.dims[1] + k]) k = j;
        if (c->t->dtype == TFC_INT64) tfc_i64(c->t)[i] = k;
        else tfc_i32(c->t)[i] = (int32_t)k;
    }
    return c->t;
}

tfc_shape tfc_model_input_shape(const tfc_model *m, int n)
{
    if (!m) return TFC_UNKNOWN_SHAPE;
    tfc_shape s = tfc_out_shape(m->g, m->x);
    if (s.rank < 1) return TFC_SHAPE(n, 784);
    s.dims[0] = n;
    return s;
}

int tfc_model_feeds(const tfc_model *m, const tfc_tensor *x, const tfc_tensor *y, const tfc_tensor *keep,
                    const tfc_tensor *training, tfc_feed feeds[4])
{
    if (!m || !feeds) return 0;
    int n = 0;
    feeds[n++] = (tfc_feed){m->x, x};
    if (m->class_labels && y && !(y = class_indices(m, m->class_labels, y))) return 0;
    feeds[n++] = (tfc_feed){m->labels, y};
    if (tfc_out_ok(m->keep_prob)) feeds[n++] = (tfc_feed){m->keep_prob, keep};
    if (tfc_out_ok(m->training)) feeds[n++] = (tfc_feed){m->training, training};
    return n;
}

/* The first Placeholder that node `root` reads through data or control edges and no node marked in
 * seen (the fed ones, and those walked from an earlier root); -1 when none. stack holds a node each. */
static int unfed_placeholder(const tfc_graph *g, int root, char *seen, int *stack)
{
    if (root < 0 || seen[root]) return -1;
    int top = 0;
    stack[top++] = root;
    seen[root] = 1;
    while (top) {
        int v = stack[--top];
        if (strcmp(tfc_node_op(g, v), "Placeholder") == 0) return v;
        int ni = tfc_node_num_inputs(g, v), nc = tfc_node_num_controls(g, v);
        for (int i = 0; i < ni + nc; i++) {
            int u = i < ni ? tfc_node_input(g, v, i).node : tfc_node_control(g, v, i - ni);
            if (u >= 0 && !seen[u]) {
                seen[u] = 1;
                stack[top++] = u;
            }
        }
    }
    return -1;
}

bool tfc_model_check_feeds(const tfc_model *m, bool training, tfc_status *st)
{
    if (!m || !m->g) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_model_check_feeds: no model (NULL)");
    const tfc_graph *g = m->g;
    int n = tfc_graph_num_nodes(g);
    char *seen = calloc((size_t)n + 1, 1);
    int *stack = malloc(((size_t)n + 1) * sizeof *stack);
    if (!seen || !stack) {
        free(seen);
        free(stack);
        return tfc_fail(st, TFC_INTERNAL, "out of memory");
    }
    const tfc_out fed[] = {m->x, m->labels, m->keep_prob, m->training};
    for (size_t i = 0; i < sizeof fed / sizeof *fed; i++)
        if (tfc_out_ok(fed[i])) seen[fed[i].node] = 1;
    const struct {
        tfc_out root;
        const char *what;
    } roots[] = {{training ? m->train : TFC_NO_OUT, "the training step"}, {m->accuracy, "the accuracy"},
                 {m->loss, "the loss"}, {m->summaries, "the summaries"}};
    int p = -1;
    const char *what = NULL;
    for (size_t i = 0; p < 0 && i < sizeof roots / sizeof *roots; i++) {
        p = unfed_placeholder(g, roots[i].root.node, seen, stack);
        what = roots[i].what;
    }
    free(seen);
    free(stack);
    if (p < 0) return true;
    const char *name = tfc_node_name(g, p);
    tfc_dtype dt = tfc_node_output_dtype(g, p, 0);
    tfc_shape sh = tfc_node_output_shape(g, p, 0);
    char b[TFC_SHAPE_STR_MAX];
    if (dt == TFC_BOOL && sh.rank == 0)
        return tfc_fail(st, TFC_FAILED_PRECONDITION,
                        "placeholder '%s' (bool []), which %s reads, is not fed: name it with --training %s:0 (fed "
                        "true in training, false when evaluating)",
                        name, what, name);
    return tfc_fail(st, TFC_FAILED_PRECONDITION,
                    "placeholder '%s' (%s %s), which %s reads, is not fed: the tools feed --input, --labels, "
                    "--keep-prob (a float32 scalar) and --training (a bool scalar)",
                    name, tfc_dtype_name(dt), tfc_shape_str(sh, b), what);
}

bool tfc_model_evaluate(const tfc_model *m, tfc_session *s, const tfc_mnist_split *split, int batch, double *accuracy,
                        double *loss, tfc_status *st)
{
    if (!m || !s || !split || !accuracy)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_model_evaluate: no model, session, split or accuracy (NULL)");
    if (batch < 1) batch = 1000;
    tfc_tensor *x = tfc_tensor_new(TFC_FLOAT, tfc_model_input_shape(m, batch));
    tfc_tensor *y = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(batch, 10));
    tfc_tensor *keep = tfc_tensor_scalar_f32(tfc_model_dropout_off(m));
    tfc_tensor *training = tfc_tensor_new(TFC_BOOL, TFC_SCALAR); /* false */
    if (!x || !y || !keep || !training) {
        tfc_tensor_free(x);
        tfc_tensor_free(y);
        tfc_tensor_free(keep);
        tfc_tensor_free(training);
        return tfc_fail(st, TFC_INTERNAL, "out of memory");
    }
    double acc_sum = 0, loss_sum = 0;
    bool ok = tfc_model_check_feeds(m, false, st), has_loss = tfc_out_ok(m->loss);
    for (int start = 0; ok && start < split->n; start += batch) {
        int n = split->n - start < batch ? split->n - start : batch;
        x->shape.dims[0] = y->shape.dims[0] = n;
        x->size = (int64_t)n * split->pixels;
        y->size = (int64_t)n * 10;
        tfc_mnist_slice(split, start, n, tfc_f32(x), tfc_f32(y));
        tfc_feed feeds[4];
        int nfeeds = tfc_model_feeds(m, x, y, keep, training, feeds);
        tfc_tensor *out[2] = {0};
        ok = tfc_session_run(s, feeds, nfeeds, (tfc_out[]){m->accuracy, m->loss}, has_loss ? 2 : 1, out, st);
        if (ok) {
            acc_sum += tfc_f32(out[0])[0] * (double)n;
            if (has_loss) loss_sum += tfc_f32(out[1])[0] * (double)n;
        }
        tfc_tensor_free(out[0]);
        tfc_tensor_free(out[1]);
    }
    /* restore the full sizes so the buffers are freed as allocated */
    x->shape.dims[0] = y->shape.dims[0] = batch;
    tfc_tensor_free(x);
    tfc_tensor_free(y);
    tfc_tensor_free(keep);
    tfc_tensor_free(training);
    if (ok && split->n) {
        *accuracy = acc_sum / split->n;
        if (loss) *loss = has_loss ? loss_sum / split->n : NAN;
    }
    return ok;
}
