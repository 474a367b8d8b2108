"""Benchmark peer: the seed networks in TensorFlow's tf.compat.v1 graph mode, fed by feed_dict (each
step's rows gathered from the training set as NumPy arrays; the loss fetched only when printed).

mlp: 784 -> 300 relu -> 10 softmax, weights and biases N(0, 0.03), the seed's clipped cross entropy,
GradientDescent 0.5. cnn: conv5x5x32 relu, maxpool2, conv5x5x64 relu, maxpool2, fc1024 relu,
dropout 0.5, fc10; truncated-normal 0.1 weights, biases 0.1, softmax cross entropy, Adam 1e-4.
Run by bench/run; see common.py for the flags and the output.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

import common  # noqa: E402

v1 = tf.compat.v1


def mlp(x, y):
    w1 = tf.Variable(v1.random_normal([784, 300], stddev=0.03), name="W1")
    b1 = tf.Variable(v1.random_normal([300], stddev=0.03), name="b1")
    w2 = tf.Variable(v1.random_normal([300, 10], stddev=0.03), name="W2")
    b2 = tf.Variable(v1.random_normal([10], stddev=0.03), name="b2")
    hidden = tf.nn.relu(tf.add(tf.matmul(x, w1), b1))
    y_ = tf.nn.softmax(tf.add(tf.matmul(hidden, w2), b2))
    y_clipped = tf.clip_by_value(y_, 1e-10, 0.9999999)
    cross_entropy = -tf.reduce_mean(tf.reduce_sum(
        y * tf.math.log(y_clipped) + (1 - y) * tf.math.log(1 - y_clipped), axis=1))
    return cross_entropy, v1.train.GradientDescentOptimizer(learning_rate=0.5).minimize(cross_entropy), {}


def cnn(x, y):
    def weight(shape):
        return tf.Variable(v1.truncated_normal(shape, stddev=0.1))

    def bias(n):
        return tf.Variable(tf.constant(0.1, shape=[n]))

    def conv_pool(inp, w, b):
        h = tf.nn.relu(tf.nn.conv2d(inp, w, strides=[1, 1, 1, 1], padding="SAME") + b)
        return tf.nn.max_pool2d(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

    keep_prob = v1.placeholder(tf.float32)
    h1 = conv_pool(tf.reshape(x, [-1, 28, 28, 1]), weight([5, 5, 1, 32]), bias(32))
    h2 = conv_pool(h1, weight([5, 5, 32, 64]), bias(64))
    fc1 = tf.nn.relu(tf.matmul(tf.reshape(h2, [-1, 7 * 7 * 64]), weight([7 * 7 * 64, 1024])) + bias(1024))
    logits = tf.matmul(tf.nn.dropout(fc1, rate=1 - keep_prob), weight([1024, 10])) + bias(10)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    return loss, v1.train.AdamOptimizer(1e-4).minimize(loss), {keep_prob: 0.5}


def build_step(model, threads, seed, train):
    v1.disable_eager_execution()
    v1.set_random_seed(seed)
    x = v1.placeholder(tf.float32, [None, 784])
    y = v1.placeholder(tf.float32, [None, 10])
    loss, train_op, extra_feeds = {"mlp": mlp, "cnn": cnn}[model](x, y)
    config = v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)
    sess = v1.Session(config=config)
    sess.run(v1.global_variables_initializer())

    def step(i, want_loss):
        rows = train.batches[i]
        feed = {x: train.images[rows], y: train.one_hot[rows], **extra_feeds}
        if want_loss:
            return float(sess.run([train_op, loss], feed_dict=feed)[1])
        sess.run(train_op, feed_dict=feed)
        return None
    return step


if __name__ == "__main__":
    args = common.parse_args("Train a seed network in TensorFlow (tf.compat.v1 graph mode) and time it.")
    common.main(args, f"TensorFlow {tf.__version__}", build_step)
