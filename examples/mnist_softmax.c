/* The seeds' softmax regression on MNIST, written against the public C API the way the tutorial
 * writes it in Python: y = softmax(x W + b), cross entropy -sum(y_ log y), GradientDescent 0.5,
 * 1,000 steps of 100, then the test accuracy (about 92%).
 * Usage: mnist_softmax [DATA_DIR] */
#include <stdio.h>

#include <tfc/tfc.h>

int main(int argc, char **argv)
{
    tfc_status *st = tfc_status_new();
    char dir[1024];
    tfc_mnist *mnist = NULL;
    if (!tfc_mnist_find(TFC_DATASET_MNIST, argc > 1 ? argv[1] : NULL, dir, sizeof dir, st) ||
        !(mnist = tfc_mnist_load(dir, st))) {
        fprintf(stderr, "mnist_softmax: %s\n", tfc_message(st));
        tfc_status_free(st);
        return 1;
    }

    tfc_graph *g = tfc_graph_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "x");
    tfc_out W = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(784, 10), TFC_FLOAT, NULL), "W");
    tfc_out b = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(10), TFC_FLOAT, NULL), "b");
    tfc_out y = tfc_softmax(g, tfc_add(g, tfc_matmul(g, x, W, false, false, NULL), b, NULL), NULL);
    tfc_out y_ = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 10), "y_");
    int axis1 = 1;
    tfc_out cross_entropy = tfc_reduce_mean(
        g, tfc_neg(g, tfc_reduce_sum(g, tfc_mul(g, y_, tfc_log(g, y, NULL), NULL), &axis1, 1, false, NULL), NULL), NULL, 0,
        false, NULL);
    tfc_out train_step = tfc_gradient_descent_minimize(g, cross_entropy, 0.5f, TFC_NO_OUT);
    tfc_out correct = tfc_equal(g, tfc_argmax(g, y, 1, NULL), tfc_argmax(g, y_, 1, NULL), NULL);
    tfc_out accuracy = tfc_reduce_mean(g, tfc_cast(g, correct, TFC_FLOAT, NULL), NULL, 0, false, NULL);

    tfc_session *sess = tfc_session_new(g, NULL, st);
    tfc_tensor *xs = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(100, 784)), *ys = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(100, 10));
    tfc_batcher batches;
    bool batching = false;
    bool ok = sess && tfc_session_run_init(sess, st) && (batching = tfc_batcher_init(&batches, &mnist->train, 0, 1));
    for (int i = 0; ok && i < 1000; i++) {
        tfc_batcher_next(&batches, 100, tfc_f32(xs), tfc_f32(ys), NULL);
        ok = tfc_session_run(sess, TFC_FEEDS({x, xs}, {y_, ys}), TFC_FETCHES(train_step), NULL, st);
    }
    if (batching) tfc_batcher_free(&batches);

    /* The test accuracy over batches of 1,000 images, each batch's mean weighted by its size. */
    double right = 0;
    for (int start = 0; ok && start < mnist->test.n; start += 1000) {
        int n = mnist->test.n - start < 1000 ? mnist->test.n - start : 1000;
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
    if (ok)
        printf("test accuracy: %.4f\n", right / mnist->test.n);
    else
        fprintf(stderr, "mnist_softmax: %s\n", tfc_message(st));
    tfc_tensor_free(xs);
    tfc_tensor_free(ys);
    tfc_session_free(sess);
    tfc_graph_free(g);
    tfc_mnist_free(mnist);
    tfc_status_free(st);
    return ok ? 0 : 1;
}
