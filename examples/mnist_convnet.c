/* A small MNIST convnet written against the public C API with what TensorFlow 1 programs reach for
 * beyond the seeds: two blocks of convolution -> batch normalisation (FusedBatchNormV3 on the
 * batch's statistics, moving averages kept as tf.compat.v1.layers.batch_normalization keeps them,
 * their update ops run before each step through control dependencies, as with
 * tf.control_dependencies(tf.get_collection(UPDATE_OPS))) -> relu -> average pooling (AvgPool),
 * a dense layer, and Momentum 0.9 on an exponentially decaying learning rate (exponential_decay of
 * global_step). The test accuracy is taken with the moving statistics (batch norm in inference);
 * with SAVE_PREFIX every variable (moving averages and Momentum slots included) is saved there, as
 * saver.save(sess, SAVE_PREFIX) does.
 *
 * Usage: mnist_convnet [DATA_DIR [STEPS [SAVE_PREFIX]]]   (default 500 steps of 50; prints the loss
 * every 50 steps) */
#include <stdio.h>
#include <stdlib.h>
#include <tfc/tfc.h>

enum { BATCH = 50 };

/* One batch-normalised layer's variables and the nodes that use them. */
typedef struct {
    tfc_out gamma, beta, moving_mean, moving_variance;
} batch_norm;

/* tf.compat.v1.layers.batch_normalization's variables under scope NAME. */
static batch_norm batch_norm_variables(tfc_graph *g, int64_t channels, const char *name)
{
    batch_norm bn;
    tfc_scope_push(g, name);
    bn.gamma = tfc_variable(g, tfc_fill(g, TFC_SHAPE(channels), 1.0f, "ones"), "gamma");
    bn.beta = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(channels), TFC_FLOAT, NULL), "beta");
    bn.moving_mean = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(channels), TFC_FLOAT, NULL), "moving_mean");
    bn.moving_variance = tfc_variable(g, tfc_fill(g, TFC_SHAPE(channels), 1.0f, "ones"), "moving_variance");
    tfc_scope_pop(g);
    /* the statistics are not trained: their update ops set them */
    tfc_variable_set_trainable(g, tfc_variable_node(g, bn.moving_mean), false);
    tfc_variable_set_trainable(g, tfc_variable_node(g, bn.moving_variance), false);
    return bn;
}

/* moving -= (moving - batch) * (1 - momentum), momentum 0.99: the layer's AssignMovingAvg. */
static tfc_out assign_moving_average(tfc_graph *g, tfc_out moving, tfc_out batch, const char *name)
{
    tfc_scope_push(g, name);
    tfc_out delta = tfc_mul(g, tfc_sub(g, moving, batch, "sub"), tfc_const_scalar(g, 0.01f, "decay"), "mul");
    tfc_out r = tfc_assign(g, moving, tfc_sub(g, moving, delta, NULL), "AssignMovingAvg");
    tfc_scope_pop(g);
    return r;
}

/* Conv (5x5, SAME) -> batch norm -> relu -> 2x2 average pool, in scope NAME. In training the batch
 * norm uses the batch's statistics and two update ops go to updates[]; otherwise the moving ones. */
static tfc_out block(tfc_graph *g, tfc_out x, tfc_out filter, const batch_norm *bn, bool training, tfc_out *updates,
                     const char *name)
{
    static const int64_t one[4] = {1, 1, 1, 1}, two[4] = {1, 2, 2, 1};
    tfc_scope_push(g, name);
    tfc_out conv = tfc_conv2d(g, x, filter, one, "SAME", NULL);
    tfc_out batch_mean, batch_variance;
    tfc_out y = training ? tfc_fused_batch_norm(g, conv, bn->gamma, bn->beta, TFC_NO_OUT, TFC_NO_OUT, 1e-3f, 1.0f, true,
                                                &batch_mean, &batch_variance, "FusedBatchNormV3")
                         : tfc_fused_batch_norm(g, conv, bn->gamma, bn->beta, bn->moving_mean, bn->moving_variance, 1e-3f,
                                                1.0f, false, NULL, NULL, "FusedBatchNormV3");
    if (training) {
        updates[0] = assign_moving_average(g, bn->moving_mean, batch_mean, "moving_mean");
        updates[1] = assign_moving_average(g, bn->moving_variance, batch_variance, "moving_variance");
    }
    tfc_out r = tfc_avg_pool(g, tfc_relu(g, y, NULL), two, two, "VALID", NULL);
    tfc_scope_pop(g);
    return r;
}

/* The network on images x [?, 784]: training (batch statistics) or inference (moving ones). */
static tfc_out network(tfc_graph *g, tfc_out x, const tfc_out filters[2], const batch_norm bn[2], tfc_out w, tfc_out b,
                       bool training, tfc_out updates[4])
{
    tfc_out h = tfc_reshape(g, x, TFC_SHAPE(-1, 28, 28, 1), NULL);
    h = block(g, h, filters[0], &bn[0], training, updates, "block1");     /* 14 x 14 x 16 */
    h = block(g, h, filters[1], &bn[1], training, updates + 2, "block2"); /* 7 x 7 x 32 */
    h = tfc_reshape(g, h, TFC_SHAPE(-1, 7 * 7 * 32), NULL);
    return tfc_add(g, tfc_matmul(g, h, w, false, false, NULL), b, "logits");
}

int main(int argc, char **argv)
{
    int steps = argc > 2 ? atoi(argv[2]) : 500;
    tfc_status *st = tfc_status_new();
    char dir[1024];
    tfc_mnist *mnist = NULL;
    if (steps < 1 || !tfc_mnist_find(TFC_DATASET_MNIST, argc > 1 ? argv[1] : NULL, dir, sizeof dir, st) ||
        !(mnist = tfc_mnist_load(dir, st))) {
        fprintf(stderr, "mnist_convnet: %s\n", steps < 1 ? "STEPS must be a positive number" : tfc_message(st));
        tfc_status_free(st);
        return steps < 1 ? 2 : 1;
    }

    tfc_graph *g = tfc_graph_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "x");
    tfc_out y_ = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 10), "y_");
    tfc_out filters[2];
    batch_norm bn[2];
    tfc_scope_push(g, "block1");
    filters[0] = tfc_variable(g, tfc_truncated_normal(g, TFC_SHAPE(5, 5, 1, 16), 0, 0.1f, 0, NULL), "filter");
    tfc_scope_pop(g);
    tfc_scope_push(g, "block2");
    filters[1] = tfc_variable(g, tfc_truncated_normal(g, TFC_SHAPE(5, 5, 16, 32), 0, 0.1f, 0, NULL), "filter");
    tfc_scope_pop(g);
    bn[0] = batch_norm_variables(g, 16, "batch_normalization");
    bn[1] = batch_norm_variables(g, 32, "batch_normalization_1");
    tfc_scope_push(g, "dense");
    tfc_out w = tfc_variable(g, tfc_truncated_normal(g, TFC_SHAPE(7 * 7 * 32, 10), 0, 0.05f, 0, NULL), "kernel");
    tfc_out b = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(10), TFC_FLOAT, NULL), "bias");
    tfc_scope_pop(g);

    tfc_out updates[4];
    tfc_out logits = network(g, x, filters, bn, w, b, true, updates);
    tfc_out loss = tfc_reduce_mean(g, tfc_softmax_cross_entropy_with_logits(g, y_, logits, NULL), NULL, 0, false, "loss");
    tfc_out global_step = tfc_global_step(g);
    tfc_out learning_rate = tfc_exponential_decay(g, 0.05f, global_step, 100, 0.7f, true, NULL);
    tfc_optimizer momentum = tfc_momentum_optimizer(0, 0.9f);
    momentum.learning_rate_tensor = learning_rate;
    tfc_control_dependencies_push(g, updates, 4); /* the moving averages before each step */
    tfc_out train = tfc_optimizer_minimize(g, &momentum, loss, global_step, NULL, 0);
    tfc_control_dependencies_pop(g);

    tfc_scope_push(g, "evaluation");
    tfc_out eval_logits = network(g, x, filters, bn, w, b, false, NULL);
    tfc_out correct = tfc_equal(g, tfc_argmax(g, eval_logits, 1, NULL), tfc_argmax(g, y_, 1, NULL), NULL);
    tfc_out accuracy = tfc_reduce_mean(g, tfc_cast(g, correct, TFC_FLOAT, NULL), NULL, 0, false, "accuracy");
    tfc_scope_pop(g);

    tfc_session *sess = tfc_session_new(g, NULL, st);
    tfc_tensor *xs = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(BATCH, 784)), *ys = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(BATCH, 10));
    tfc_batcher batches;
    bool ok = sess && xs && ys && tfc_session_run_init(sess, st) && tfc_batcher_init(&batches, &mnist->train, 0, 1);
    bool batcher = ok;
    for (int i = 0; ok && i < steps; i++) {
        tfc_batcher_next(&batches, BATCH, tfc_f32(xs), tfc_f32(ys), NULL);
        tfc_tensor *out[3] = {0};
        ok = tfc_session_run(sess, TFC_FEEDS({x, xs}, {y_, ys}), TFC_FETCHES(train, loss, learning_rate), out, st);
        if (ok && ((i + 1) % 50 == 0 || i == 0))
            printf("step %d: loss %.4f, learning rate %.4g\n", i + 1, tfc_f32(out[1])[0], tfc_f32(out[2])[0]);
        for (int k = 0; k < 3; k++) tfc_tensor_free(out[k]);
    }
    if (batcher) tfc_batcher_free(&batches);

    double right = 0;
    for (int start = 0; ok && start < mnist->test.n; start += 500) {
        int n = mnist->test.n - start < 500 ? mnist->test.n - start : 500;
        tfc_tensor *tx = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(n, 784)), *ty = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(n, 10));
        tfc_tensor *acc = NULL;
        ok = tx && ty;
        if (ok) {
            tfc_mnist_slice(&mnist->test, start, n, tfc_f32(tx), tfc_f32(ty));
            ok = tfc_session_run(sess, TFC_FEEDS({x, tx}, {y_, ty}), TFC_FETCHES(accuracy), &acc, st);
        }
        if (ok) right += (double)tfc_f32(acc)[0] * n;
        tfc_tensor_free(acc);
        tfc_tensor_free(tx);
        tfc_tensor_free(ty);
    }
    if (ok) printf("test accuracy: %.4f\n", right / mnist->test.n);
    if (ok && argc > 3 && (ok = tfc_saver_save(sess, argv[3], TFC_SAVER_NO_STEP, 1, NULL, 0, st))) printf("saved %s\n", argv[3]);
    if (!ok)
        fprintf(stderr, "mnist_convnet: %s\n", tfc_message(st));
    tfc_tensor_free(xs);
    tfc_tensor_free(ys);
    tfc_session_free(sess);
    tfc_graph_free(g);
    tfc_mnist_free(mnist);
    tfc_status_free(st);
    return ok ? 0 : 1;
}
