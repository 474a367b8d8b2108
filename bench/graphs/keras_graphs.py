"""Writes real TensorFlow training graphs of 1,000 to 20,000 nodes for tfc-graph's benchmark:
Keras applications (tf_keras, Keras 2) built in tf.compat.v1 graph mode, each with its loss, the
gradients/ scope and Adam, global_variables_initializer, a Saver and a scalar summary, as a
TF1 training script writes them with tf.compat.v1.summary.FileWriter(logdir, sess.graph) (a binary
GraphDef with _output_shapes, add_shapes=True).

    .venv/bin/python bench/graphs/keras_graphs.py OUTDIR [MODEL...]

MODELs (default: all but nasnet_mobile, past the benchmark's range): small_cnn, mobilenet, resnet50
(the graph of issue 20), inception_v3, densenet121, nasnet_mobile.
Writes OUTDIR/MODEL.pb and prints "MODEL NODES" per graph; a graph already there is kept."""
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

MODELS = ("small_cnn", "mobilenet", "resnet50", "inception_v3", "densenet121", "nasnet_mobile")
DEFAULT = MODELS[:-1]


def build(name):
    import tensorflow as tf
    import tf_keras
    v1 = tf.compat.v1
    apps = tf_keras.applications
    if name == "small_cnn":
        layers = tf_keras.layers
        blocks = []
        for i, width in enumerate((16, 32, 32, 64)):
            blocks += [layers.Conv2D(width, 3, padding="same", name=f"conv_{i}"),
                       layers.BatchNormalization(name=f"norm_{i}"), layers.ReLU(name=f"relu_{i}")]
        model = tf_keras.Sequential([
            tf_keras.Input((28, 28, 1)), *blocks,
            layers.MaxPooling2D(name="pool"),
            layers.Flatten(name="flat"),
            layers.Dense(64, activation="relu", name="hidden"),
            layers.Dropout(0.3, name="drop"),
            layers.Dense(10, name="logits"),
        ])
        shape, classes = (28, 28, 1), 10
    else:
        ctor, shape = {
            "mobilenet": (apps.MobileNet, (128, 128, 3)),
            "resnet50": (apps.ResNet50, (224, 224, 3)),
            "inception_v3": (apps.InceptionV3, (299, 299, 3)),
            "densenet121": (apps.DenseNet121, (224, 224, 3)),
            "nasnet_mobile": (apps.NASNetMobile, (224, 224, 3)),
        }[name]
        classes = 1000
        model = ctor(weights=None, input_shape=shape, classes=classes)
    labels = v1.placeholder(tf.int32, [None], name="labels")
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=model.output))
    step = v1.train.get_or_create_global_step()
    v1.train.AdamOptimizer(1e-3).minimize(loss, global_step=step, var_list=model.trainable_weights)
    v1.summary.scalar("train_loss", loss)
    v1.summary.merge_all()
    v1.global_variables_initializer()
    v1.train.Saver()


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    names = argv[2:] or list(DEFAULT)
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    for name in names:
        if name not in MODELS:
            sys.exit(f"keras_graphs: unknown model {name!r}; models are {', '.join(MODELS)}")
        path = out / f"{name}.pb"
        if not path.exists():
            g = tf.Graph()
            with g.as_default():
                build(name)
            tmp = path.with_suffix(".pb.tmp")
            tmp.write_bytes(g.as_graph_def(add_shapes=True).SerializeToString())
            tmp.rename(path)
        gd = tf.compat.v1.GraphDef.FromString(path.read_bytes())
        print(name, len(gd.node), flush=True)


if __name__ == "__main__":
    main(sys.argv)
