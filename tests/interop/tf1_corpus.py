"""A corpus of TensorFlow 1 programs (tf.compat.v1 graph mode), written the way their users wrote
them, for tfc's GraphDef/MetaGraph import tests: TensorFlow is the oracle.

    .venv/bin/python tests/interop/tf1_corpus.py [--onednn] OUT_DIR [NAME ...]

writes, for each program NAME (all when none are named; see PROGRAMS):
  NAME.meta            the MetaGraph tf.compat.v1.train.Saver writes (collections: variables,
                       trainable_variables, train_op (which minimize fills), summaries,
                       update_ops where used)
  NAME-0.index/.data   the initial weights (Saver checkpoint, step 0)
  NAME.feeds.*         a V2 bundle of feeds: the forward batch under the placeholders' tensor names
                       ("x:0"), the training batches under "step/<k>/x:0" (k = 0 .. STEPS-1);
                       a program's mode placeholder (cond_bn's is_training) is among them
  NAME.expect.*        a V2 bundle of TensorFlow's results: "out/<tensor>" for the forward fetches
                       on the forward batch, "var/<variable>" for every variable after STEPS
                       training steps from the initial weights on those batches (dropout off)
  NAME.json            the tensor names: inputs, outputs, loss, train_op, keep_prob; the trainable
                       variables' names
Data are random MNIST-shaped batches from a fixed NumPy seed, so no data set is needed.

TensorFlow runs on its own CPU kernels (TF_ENABLE_ONEDNN_OPTS=0). With --onednn (after a first pass
into the same OUT_DIR) it runs on oneDNN's instead, from the first pass's initial weights, and writes
only NAME.onednn.*, its results as NAME.expect holds them: how far TensorFlow's
two kernel sets differ from each other on the same program, the spread any third implementation
is held to where it exceeds the tests' bounds.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Keras 2 (tf_keras) behind tf.compat.v1.layers and rnn_cell, as TensorFlow 1 programs used them.
os.environ["TF_USE_LEGACY_KERAS"] = "1"
# oneDNN's kernels round differently from TensorFlow's own; the oracle is TensorFlow's (--onednn: the
# other kernels, for their spread).
ONEDNN = "--onednn" in sys.argv[1:]
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if ONEDNN else "0"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

v1 = tf.compat.v1
v1.disable_v2_behavior()

STEPS = 20
BATCH = 50


def placeholders(shape=(None, 784)):
    x = v1.placeholder(tf.float32, list(shape), name="x")
    y = v1.placeholder(tf.float32, [None, 10], name="y_")
    return x, y


def accuracy(logits, y):
    with v1.name_scope("evaluation"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
        return tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")


def softmax():
    """Seed 3's softmax regression: zero weights, -sum(y_ log y), GradientDescent 0.5."""
    x, y_ = placeholders()
    w = v1.Variable(tf.zeros([784, 10]), name="W")
    b = v1.Variable(tf.zeros([10]), name="b")
    y = tf.nn.softmax(tf.matmul(x, w) + b, name="y")
    loss = tf.reduce_mean(-tf.reduce_sum(y_ * tf.math.log(y), axis=[1]), name="cross_entropy")
    train = v1.train.GradientDescentOptimizer(0.5).minimize(loss)
    return dict(outputs=[y, loss, accuracy(y, y_)], loss=loss, train=train)


def mlp():
    """Seed 2's three-layer network: N(0, 0.03) weights, the clipped cross entropy, GD 0.5."""
    x, y = placeholders()
    w1 = v1.Variable(v1.random_normal([784, 300], stddev=0.03), name="W1")
    b1 = v1.Variable(v1.random_normal([300], stddev=0.03), name="b1")
    w2 = v1.Variable(v1.random_normal([300, 10], stddev=0.03), name="W2")
    b2 = v1.Variable(v1.random_normal([10], stddev=0.03), name="b2")
    hidden = tf.nn.relu(tf.add(tf.matmul(x, w1), b1))
    y_ = tf.nn.softmax(tf.add(tf.matmul(hidden, w2), b2))
    y_clipped = tf.clip_by_value(y_, 1e-10, 0.9999999)
    loss = -tf.reduce_mean(tf.reduce_sum(y * tf.math.log(y_clipped) + (1 - y) * tf.math.log(1 - y_clipped), axis=1))
    train = v1.train.GradientDescentOptimizer(learning_rate=0.5).minimize(loss)
    return dict(outputs=[y_, loss, accuracy(y_, y)], loss=loss, train=train)


def deep():
    """Seed 4's network: name scopes, softmax and relu layers with dropout, Adam 0.001, global_step,
    Accuracy and Loss summaries."""
    with v1.name_scope("input"):
        x = v1.placeholder(tf.float32, [None, 784], name="x-input")
        y = v1.placeholder(tf.float32, [None, 10], name="y-input")
        keep_prob = v1.placeholder(tf.float32, name="keep_prob")

    def layer(inp, n_in, n_out, name, act):
        with v1.name_scope(name):
            w = v1.Variable(v1.truncated_normal([n_in, n_out], stddev=0.1), name="weights")
            b = v1.Variable(tf.constant(0.1, shape=[n_out]), name="biases")
            h = tf.matmul(inp, w) + b
            return act(h) if act else h

    with v1.name_scope("model"):
        h1 = layer(x, 784, 500, "fc1", lambda h: tf.nn.softmax(h, name="softmax_activation"))
        h1 = tf.nn.dropout(h1, rate=1 - keep_prob)
        h2 = layer(h1, 500, 100, "fc2", lambda h: tf.nn.relu(h, name="relu_activation"))
        h2 = tf.nn.dropout(h2, rate=1 - keep_prob)
        logits = layer(h2, 100, 10, "fc3", None)
    global_step = v1.train.get_or_create_global_step()
    with v1.name_scope("train"):
        with v1.name_scope("loss"):
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = v1.train.AdamOptimizer(0.001).minimize(loss, global_step=global_step)
    acc = accuracy(logits, y)
    v1.summary.scalar("Accuracy", acc)
    v1.summary.scalar("Loss", loss)
    v1.summary.merge_all()
    return dict(outputs=[logits, loss, acc], loss=loss, train=train, keep_prob=keep_prob)


def cnn():
    """Seed 5's Deep MNIST network: two conv+pool layers, fc 1024, dropout, Adam 1e-4."""
    x, y = placeholders()
    keep_prob = v1.placeholder(tf.float32, name="keep_prob")

    def weight(shape):
        return v1.Variable(v1.truncated_normal(shape, stddev=0.1))

    def bias(n):
        return v1.Variable(tf.constant(0.1, shape=[n]))

    def conv_pool(inp, w, b):
        h = tf.nn.relu(tf.nn.conv2d(inp, w, strides=[1, 1, 1, 1], padding="SAME") + b)
        return tf.nn.max_pool2d(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

    h1 = conv_pool(tf.reshape(x, [-1, 28, 28, 1]), weight([5, 5, 1, 32]), bias(32))
    h2 = conv_pool(h1, weight([5, 5, 32, 64]), bias(64))
    fc1 = tf.nn.relu(tf.matmul(tf.reshape(h2, [-1, 7 * 7 * 64]), weight([7 * 7 * 64, 1024])) + bias(1024))
    logits = tf.matmul(tf.nn.dropout(fc1, rate=1 - keep_prob), weight([1024, 10])) + bias(10)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.AdamOptimizer(1e-4).minimize(loss)
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train, keep_prob=keep_prob)


def convbn():
    """A convnet with batch normalisation (tf.compat.v1.layers, fused, moving averages through
    UPDATE_OPS) and average pooling, Adam."""
    x, y = placeholders()
    h = tf.reshape(x, [-1, 28, 28, 1])
    for i, ch in enumerate((8, 16)):
        h = v1.layers.conv2d(h, ch, 3, padding="same", use_bias=False, name=f"conv{i + 1}")
        h = v1.layers.batch_normalization(h, training=True, name=f"bn{i + 1}")
        h = tf.nn.relu(h)
        h = tf.nn.avg_pool2d(h, ksize=2, strides=2, padding="VALID")
    logits = v1.layers.dense(tf.reshape(h, [-1, 7 * 7 * 16]), 10, name="logits")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train = v1.train.AdamOptimizer(1e-3).minimize(loss)
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train)


def autoencoder():
    """A dense autoencoder 784-128-32-128-784 with sigmoids and a mean squared error, GD; written with
    TensorFlow 2's tf.Variable, which makes resource variables (VarHandleOp) even in graph mode."""
    x = v1.placeholder(tf.float32, [None, 784], name="x")
    h = x
    for i, n in enumerate((128, 32, 128, 784)):
        with v1.name_scope(f"layer{i + 1}"):
            w = tf.Variable(v1.random_normal([int(h.shape[1]), n], stddev=0.1), name="w")
            b = tf.Variable(tf.zeros([n]), name="b")
            h = tf.sigmoid(tf.matmul(h, w) + b)
    loss = tf.reduce_mean(tf.square(h - x), name="mse")
    train = v1.train.GradientDescentOptimizer(1.0).minimize(loss)
    return dict(outputs=[h, loss], loss=loss, train=train, labels=False)


def lstm():
    """An LSTM over the image's 28 rows, statically unrolled (tf.compat.v1.nn.static_rnn with an
    rnn_cell.LSTMCell), then a dense layer; Adam."""
    x, y = placeholders()
    rows = tf.unstack(tf.reshape(x, [-1, 28, 28]), axis=1)
    cell = v1.nn.rnn_cell.LSTMCell(32)
    outputs, _ = v1.nn.static_rnn(cell, rows, dtype=tf.float32)
    w = v1.Variable(v1.truncated_normal([32, 10], stddev=0.1), name="out_w")
    b = v1.Variable(tf.zeros([10]), name="out_b")
    logits = tf.matmul(outputs[-1], w) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.AdamOptimizer(1e-2).minimize(loss)
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train)


def keras_mlp():
    """An MLP of Keras layers (tf_keras.layers.Dense) in graph mode, with a compat.v1 loss and Adam."""
    import tf_keras
    x, y = placeholders()
    h = tf_keras.layers.Dense(64, activation="relu", name="hidden")(x)
    logits = tf_keras.layers.Dense(10, name="logits")(h)
    loss = v1.losses.softmax_cross_entropy(y, logits)
    train = v1.train.AdamOptimizer(1e-3).minimize(loss)
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train)


def cond_bn():
    """An MLP with batch normalisation switched by a placeholder, as TensorFlow 1 programs trained and
    evaluated one graph: tf.compat.v1.layers.batch_normalization(training=is_training) builds
    tf.cond's Switch and Merge nodes (batch or moving statistics) and updates its moving averages
    through RefSwitch inside the cond; the gradients go back through the cond; Adam. The forward
    outputs are the evaluation's (is_training false), the training steps train (true)."""
    x, y = placeholders()
    is_training = v1.placeholder(tf.bool, [], name="is_training")
    h = v1.layers.dense(x, 64, use_bias=False, name="hidden")
    h = tf.nn.relu(v1.layers.batch_normalization(h, training=is_training, name="bn"))
    logits = v1.layers.dense(h, 10, name="logits")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train = v1.train.AdamOptimizer(1e-2).minimize(loss)
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train, mode=(is_training, False, True))


def keras_bn_cond():
    """Keras layers in graph mode switched by a placeholder: a convnet whose BatchNormalization is
    called with training=is_training builds a tf.cond on resource variables (their handles through
    Switch nodes, and VariableShape in the gradients of the branch not taken); Adam."""
    import tf_keras
    x, y = placeholders((None, 28, 28, 1))
    is_training = v1.placeholder(tf.bool, [], name="is_training")
    h = tf_keras.layers.Conv2D(4, 3, strides=2, use_bias=False, name="conv")(x)
    h = tf.nn.relu(tf_keras.layers.BatchNormalization(name="bn")(h, training=is_training))
    logits = tf_keras.layers.Dense(10, name="logits")(tf_keras.layers.Flatten()(h))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train = v1.train.AdamOptimizer(1e-2).minimize(loss)
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train, mode=(is_training, False, True))


def schedule():
    """An MLP of tf.compat.v1.get_variable and bias_add, its learning rate a piecewise constant of the
    global step (the boundaries' check is an Assert in a tf.cond) and the momentum Nesterov's."""
    x, y = placeholders()
    w1 = v1.get_variable("w1", [784, 32], initializer=v1.glorot_uniform_initializer())
    b1 = v1.get_variable("b1", [32], initializer=v1.zeros_initializer())
    w2 = v1.get_variable("w2", [32, 10], initializer=v1.glorot_uniform_initializer())
    logits = tf.matmul(tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w1), b1)), w2)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    step = v1.train.get_or_create_global_step()
    rate = v1.train.piecewise_constant(step, [5, 10], [0.1, 0.05, 0.01])
    train = v1.train.MomentumOptimizer(rate, 0.9, use_nesterov=True).minimize(loss, global_step=step)
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train)


def activations():
    """An MLP of tf.compat.v1.layers with leaky_relu, selu and swish (a tf.custom_gradient: IdentityN),
    an L2 penalty through kernel_regularizer, label smoothing, the gradients clipped by their global
    norm, RMSProp with momentum."""
    x, y = placeholders()
    l2 = lambda w: 1e-3 * tf.nn.l2_loss(w)  # noqa: E731
    h = v1.layers.dense(x, 48, activation=tf.nn.leaky_relu, kernel_regularizer=l2, name="leaky")
    h = v1.layers.dense(h, 32, activation=tf.nn.selu, kernel_regularizer=l2, name="selu")
    h = v1.layers.dense(h, 32, activation=tf.nn.swish, name="swish")
    logits = v1.layers.dense(h, 10, name="logits")
    loss = v1.losses.softmax_cross_entropy(y, logits, label_smoothing=0.1) + v1.losses.get_regularization_loss()
    opt = v1.train.RMSPropOptimizer(1e-3, momentum=0.9)
    grads, variables = zip(*opt.compute_gradients(loss))
    grads, _ = tf.clip_by_global_norm(grads, 1.0)
    train = opt.apply_gradients(zip(grads, variables))
    return dict(outputs=[logits, loss, accuracy(logits, y)], loss=loss, train=train)


PROGRAMS = {f.__name__: f for f in (softmax, mlp, deep, cnn, convbn, autoencoder, lstm, keras_mlp, cond_bn,
                                    keras_bn_cond, schedule, activations)}


# The labels of random images are a fixed linear teacher's argmax: a problem the networks learn
# smoothly. (Random labels make them memorise a few examples with ever more confident softmaxes, a
# regime where an ulp of difference in one step grows tenfold every few steps, in TensorFlow itself.)
TEACHER = np.random.default_rng(1234).standard_normal((784, 10)).astype(np.float32)


def batch(rng, n):
    """MNIST-shaped random data: pixels in [0, 1] with many zeros, one-hot labels."""
    x = rng.random((n, 784), dtype=np.float32)
    x[x < 0.85] = 0  # about as many lit pixels as an MNIST digit
    labels = np.argmax(x @ TEACHER, axis=1)
    return x, np.eye(10, dtype=np.float32)[labels]


def save_bundle(prefix, tensors):
    """A V2 checkpoint bundle holding the named arrays (keys sorted, as bundles need)."""
    names = sorted(tensors)
    with tf.Graph().as_default(), v1.Session() as sess:
        sess.run(tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                                   tensors=[tf.constant(tensors[k]) for k in names]))


def write(name, out_dir, seed=0):
    rng = np.random.default_rng(seed)
    g = tf.Graph()
    with g.as_default():
        v1.set_random_seed(seed)
        p = PROGRAMS[name]()
        x, y = g.get_tensor_by_name(("input/x-input" if name == "deep" else "x") + ":0"), None
        if p.get("labels", True):
            y = g.get_tensor_by_name(("input/y-input" if name == "deep" else "y_") + ":0")
        saver = v1.train.Saver()
        keep = p.get("keep_prob")
        mode, mode_forward, mode_train = p.get("mode", (None, None, None))
        spec = dict(inputs=[x.name] + ([y.name] if y is not None else []) + ([mode.name] if mode is not None else []),
                    outputs=[t.name for t in p["outputs"]], loss=p["loss"].name, train_op=p["train"].name,
                    keep_prob=keep.name if keep is not None else None, steps=STEPS)
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            prefix = os.path.join(out_dir, name)
            if ONEDNN:  # from the same initial weights as the first pass
                saver.restore(sess, prefix + "-0")
            else:
                saver.save(sess, prefix, global_step=0)  # writes NAME-0.{index,data,meta}
                os.replace(prefix + "-0.meta", prefix + ".meta")
            feeds, expect = {}, {}
            image = [-1] + x.shape.as_list()[1:]  # [?, 784] or [?, 28, 28, 1]
            fx, fy = batch(rng, BATCH)
            fx = fx.reshape(image)
            feed = {x: fx}
            feeds[x.name] = fx
            if y is not None:
                feed[y] = fy
                feeds[y.name] = fy
            if keep is not None:
                feed[keep] = 1.0
            if mode is not None:
                feed[mode] = mode_forward
                feeds[mode.name] = np.array(mode_forward)
            for t, value in zip(spec["outputs"], sess.run(p["outputs"], feed)):
                expect["out/" + t] = np.asarray(value)
            for k in range(STEPS):
                bx, by = batch(rng, BATCH)
                bx = bx.reshape(image)
                feeds[f"step/{k}/{x.name}"] = bx
                feed = {x: bx}
                if y is not None:
                    feeds[f"step/{k}/{y.name}"] = by
                    feed[y] = by
                if keep is not None:
                    feed[keep] = 1.0
                if mode is not None:
                    feed[mode] = mode_train
                    feeds[f"step/{k}/{mode.name}"] = np.array(mode_train)
                sess.run(p["train"], feed)
            for v in v1.global_variables():
                expect["var/" + v.op.name] = sess.run(v)
            spec["trainable"] = sorted(v.op.name for v in v1.trainable_variables())
    if ONEDNN:
        save_bundle(os.path.join(out_dir, name + ".onednn"), expect)
        return spec
    save_bundle(os.path.join(out_dir, name + ".feeds"), feeds)
    save_bundle(os.path.join(out_dir, name + ".expect"), expect)
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(spec, f, indent=1)
    return spec


def main(argv):
    argv = [a for a in argv if a != "--onednn"]
    if len(argv) < 2:
        sys.exit(__doc__)
    out_dir = argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name in argv[2:] or PROGRAMS:
        if name not in PROGRAMS:
            sys.exit(f"unknown program {name!r}; known: {', '.join(PROGRAMS)}")
        write(name, out_dir)
        print(f"{out_dir}/{name}.{'onednn' if ONEDNN else 'meta'}")


if __name__ == "__main__":
    main(sys.argv)
