"""tfc's optimizers against TensorFlow's (tf.compat.v1.train, ref variables, as TensorFlow 1 built
them): the same small network trained 200 steps from the same initial weights on the same batches
by tfc (tests/engine/optimizer_run.c) and by TensorFlow ends with the same variables, every slot
included, within 1e-5 relative; the optimizer's part of tfc's graph (slots and their initialisers,
the constants, the Apply* ops with their inputs and attrs, the finish with global_step, learning-
rate schedules) is TensorFlow's node for node; and a tf.compat.v1 Saver restores tfc's checkpoint
(a plain prefix, no step) into TensorFlow's graph with the same optimizer, slots and all, and
trains on from it.

The initial weights come from TensorFlow (a Saver with a var_list, read by tfc's Saver with a
var_list); the batches from a fixed NumPy seed, so no data set is needed.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

STEPS, BATCH = 200, 32
IN, HIDDEN, OUT = 20, 64, 5  # layer1's weights (1,280) take Fill initialisers for their slots

# name -> (optimizer, settings); settings are optimizer_run's, and the TensorFlow script's.
CASES = {
    "momentum": ("momentum", {"lr": 0.1, "momentum": 0.9}),
    "nesterov_lr_fed": ("momentum", {"lr": 0.05, "momentum": 0.9, "nesterov": 1, "schedule": "placeholder"}),
    "rmsprop": ("rmsprop", {"lr": 0.01}),
    "rmsprop_centered_momentum": ("rmsprop", {"lr": 0.005, "momentum": 0.5, "centered": 1, "decay": 0.8,
                                              "schedule": "placeholder"}),
    "adagrad": ("adagrad", {"lr": 0.3}),
    "adagrad_var_list": ("adagrad", {"lr": 0.2, "accumulator": 0.5, "var_list": "layer2"}),
    "gd_lr_fed": ("gd", {"lr": 0.5, "schedule": "placeholder"}),
    "adam_lr_fed": ("adam", {"lr": 0.01, "schedule": "placeholder"}),
    "momentum_exponential_staircase": ("momentum", {"lr": 0.2, "momentum": 0.5, "schedule": "exponential-staircase"}),
    "adagrad_piecewise": ("adagrad", {"lr": 0.5, "schedule": "piecewise"}),
    "rmsprop_exponential_clip": ("rmsprop", {"lr": 0.01, "schedule": "exponential", "clip": 0.5}),
    "gd_clip": ("gd", {"lr": 1.0, "clip": 0.2}),
}

TF_SCRIPT = r'''
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"   # TensorFlow's own kernels are the oracle
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
v1.disable_resource_variables()
phase, work = sys.argv[1], sys.argv[2]
cases = json.load(open(os.path.join(work, "cases.json")))
STEPS, BATCH = %(steps)d, %(batch)d


def build(kind, s, init):
    """The network and the optimizer as a TensorFlow 1 program writes them."""
    x = v1.placeholder(tf.float32, [None, %(IN)d], name="x")
    y = v1.placeholder(tf.float32, [None, %(OUT)d], name="y")
    weights = []

    def dense(name, inp):
        with v1.name_scope(name):
            w = v1.Variable(init[name + "/weights"], name="weights")
            b = v1.Variable(init[name + "/biases"], name="biases")
        weights.extend([w, b])
        return tf.matmul(inp, w) + b

    h = tf.tanh(dense("layer1", x))
    logits = dense("layer2", h)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
    gs = v1.train.get_or_create_global_step()
    lr = s["lr"]
    feed_lr = None
    schedule = s.get("schedule")
    if schedule == "placeholder":
        lr = feed_lr = v1.placeholder(tf.float32, [], name="learning_rate")
    elif schedule in ("exponential", "exponential-staircase"):
        lr = v1.train.exponential_decay(lr, gs, 50, 0.5, staircase=schedule == "exponential-staircase")
    elif schedule == "piecewise":
        lr = v1.train.piecewise_constant(gs, [60, 130], [lr, lr / 2, lr / 10])
    if kind == "gd":
        opt = v1.train.GradientDescentOptimizer(lr)
    elif kind == "momentum":
        opt = v1.train.MomentumOptimizer(lr, s["momentum"], use_nesterov=bool(s.get("nesterov", 0)))
    elif kind == "adagrad":
        opt = v1.train.AdagradOptimizer(lr, initial_accumulator_value=s.get("accumulator", 0.1))
    elif kind == "rmsprop":
        opt = v1.train.RMSPropOptimizer(lr, decay=s.get("decay", 0.9), momentum=s.get("momentum", 0.0),
                                        epsilon=s.get("epsilon", 1e-10), centered=bool(s.get("centered", 0)))
    else:
        opt = v1.train.AdamOptimizer(lr)
    var_list = weights[2:] if s.get("var_list") == "layer2" else None
    if "clip" in s:
        grads, variables = zip(*opt.compute_gradients(loss))
        clipped, _ = tf.clip_by_global_norm(grads, s["clip"])
        train = opt.apply_gradients(zip(clipped, variables), global_step=gs)
    else:
        train = opt.minimize(loss, global_step=gs, var_list=var_list)
    return x, y, feed_lr, train, weights


def feeds(x, y, feed_lr, s, data, t):
    d = {x: data["x"][t * BATCH:(t + 1) * BATCH], y: data["y"][t * BATCH:(t + 1) * BATCH]}
    if feed_lr is not None:
        d[feed_lr] = np.float32(s["lr"] / (1.0 + t / 100.0))
    return d


def session(g):
    return v1.Session(graph=g, config=v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1))


for name, (kind, s) in cases.items():
    d = os.path.join(work, name)
    data = {k: np.fromfile(os.path.join(d, k + ".raw"), dtype=np.float32) for k in ("x", "y")}
    data["x"] = data["x"].reshape(-1, %(IN)d)
    data["y"] = data["y"].reshape(-1, %(OUT)d)
    init = dict(np.load(os.path.join(d, "init.npz")))
    g = tf.Graph()
    with g.as_default():
        x, y, feed_lr, train, weights = build(kind, s, init)
        saver = v1.train.Saver()
        with session(g) as sess:
            sess.run(v1.global_variables_initializer())
            if phase == "train":
                v1.train.Saver(var_list=weights).save(sess, os.path.join(d, "init", "weights"))
                for t in range(STEPS):
                    sess.run(train, feeds(x, y, feed_lr, s, data, t))
                saver.save(sess, os.path.join(d, "tf", "model.ckpt"))
                with open(os.path.join(d, "tf.pb"), "wb") as f:
                    f.write(g.as_graph_def().SerializeToString())
            else:
                # tfc's checkpoint into TensorFlow's graph: every variable, slots included
                saver.restore(sess, os.path.join(d, "tfc", "model.ckpt"))
                values = {v.op.name: sess.run(v) for v in v1.global_variables()}
                np.savez(os.path.join(d, "restored.npz"), **values)
                sess.run(train, feeds(x, y, feed_lr, s, data, STEPS - 1))
                after = {v.op.name: sess.run(v) for v in v1.global_variables()}
                np.savez(os.path.join(d, "trained_on.npz"), **after)
'''


def run_tf(phase, work):
    script = TF_SCRIPT % {"steps": STEPS, "batch": BATCH, "IN": IN, "OUT": OUT}
    p = subprocess.run([sys.executable, "-c", script, phase, str(work)], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr[-4000:]


def read_checkpoint(prefix):
    import tensorflow as tf
    reader = tf.train.load_checkpoint(str(prefix))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory, build_dir):
    """Every case trained by TensorFlow and by tfc; TensorFlow then restores tfc's checkpoints."""
    work = tmp_path_factory.mktemp("optimizers")
    rng = np.random.default_rng(2016)
    for name in CASES:
        d = work / name
        d.mkdir()
        x = rng.standard_normal((STEPS * BATCH, IN)).astype(np.float32)
        y = np.eye(OUT, dtype=np.float32)[rng.integers(0, OUT, STEPS * BATCH)]
        x.tofile(d / "x.raw")
        y.tofile(d / "y.raw")
        np.savez(d / "init.npz", **{
            "layer1/weights": (0.3 * rng.standard_normal((IN, HIDDEN))).astype(np.float32),
            "layer1/biases": (0.1 * rng.standard_normal(HIDDEN)).astype(np.float32),
            "layer2/weights": (0.3 * rng.standard_normal((HIDDEN, OUT))).astype(np.float32),
            "layer2/biases": (0.1 * rng.standard_normal(OUT)).astype(np.float32)})
    (work / "cases.json").write_text(json.dumps(CASES))
    run_tf("train", work)
    driver = build_dir / "tests" / "engine" / "optimizer_run"
    for name, (kind, settings) in CASES.items():
        d = work / name
        (d / "tfc").mkdir()
        args = [str(driver), kind, str(d / "init" / "weights"), str(d), str(STEPS), str(BATCH),
                str(d / "tfc" / "model.ckpt"), str(d / "tfc.pb")] + [f"{k}={v}" for k, v in settings.items()]
        p = subprocess.run(args, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, f"{name}: {p.stderr}"
    run_tf("restore", work)
    return work


def assert_close(name, mine, theirs):
    """Within 1e-5 relative, element by element, with the tensor's own scale as the floor (an
    element near zero is held to 1e-5 of the tensor's largest)."""
    scale = float(np.abs(theirs).max()) if theirs.size else 0.0
    err = np.abs(mine.astype(np.float64) - theirs.astype(np.float64))
    bound = 1e-5 * np.maximum(np.abs(theirs.astype(np.float64)), scale)
    worst = float((err / np.maximum(bound, 1e-30)).max()) if err.size else 0.0
    assert worst <= 1.0, f"{name}: off by {float(err.max()):.3g} (largest |value| {scale:.3g}), {worst:.2f}x the bound"


@pytest.mark.parametrize("case", list(CASES))
def test_trains_like_tensorflow(trained, case):
    d = trained / case
    mine = read_checkpoint(d / "tfc" / "model.ckpt")
    theirs = read_checkpoint(d / "tf" / "model.ckpt")
    assert sorted(mine) == sorted(theirs)
    kind, settings = CASES[case]
    slots = {"momentum": ["Momentum"], "adagrad": ["Adagrad"], "gd": [], "adam": ["Adam", "Adam_1"],
             "rmsprop": ["RMSProp", "RMSProp_1"] + (["RMSProp_2"] if settings.get("centered") else [])}[kind]
    trained_vars = ["layer2/weights", "layer2/biases"]
    if settings.get("var_list") != "layer2":
        trained_vars += ["layer1/weights", "layer1/biases"]
    assert {f"{v}/{s}" for v in trained_vars for s in slots} <= set(mine)
    assert int(mine["global_step"]) == STEPS
    for name in sorted(theirs):
        assert mine[name].dtype == theirs[name].dtype and mine[name].shape == theirs[name].shape, name
        assert_close(name, mine[name], theirs[name])
    # the weights moved: the comparison is not of two untrained networks
    init = np.load(d / "init.npz")
    assert np.abs(mine["layer2/weights"] - init["layer2/weights"]).max() > 1e-2
    if settings.get("var_list") == "layer2":
        assert np.array_equal(mine["layer1/weights"], init["layer1/weights"])


OPTIMIZER_SCOPES = {"gd": "GradientDescent", "momentum": "Momentum", "adagrad": "Adagrad", "rmsprop": "RMSProp",
                    "adam": "Adam"}


SCHEDULE_AND_CLIP_SCOPES = ("ExponentialDecay", "PiecewiseConstant", "global_norm", "clip_by_global_norm")


def normal_input(name):
    """The gradients' tensors as GRAD (tfc's gradient graph is its own), piecewise_constant's
    result as PIECEWISE (TensorFlow's case/cond/Identity, tfc's last select)."""
    if name.lstrip("^").startswith("gradients/"):
        return "GRAD"
    return "PIECEWISE" if name.startswith("PiecewiseConstant/case/") else name


def optimizer_part(pb_path, kind):
    """The nodes the optimizer built (its scope, the slots, beta powers, global_step, a fed learning
    rate, a schedule, the gradients' clipping), each as (op, inputs with the gradients' tensors as
    GRAD, attrs). TensorFlow's piecewise_constant ends in a functional If (its "case" scope) that
    tfc builds as a chain of selects: the comparisons before it are compared."""
    import tensorflow as tf
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(pb_path.read_bytes())
    scope = OPTIMIZER_SCOPES[kind]
    part = {}
    for n in graph.node:
        name = n.name
        if name.startswith(("gradients/", "PiecewiseConstant/case/")) or not (
                name == scope or name.startswith(scope + "/") or "/" + scope in name or name == "learning_rate"
                or name.startswith(("global_step", "beta1_power", "beta2_power"))
                or name.split("/")[0] in SCHEDULE_AND_CLIP_SCOPES):
            continue
        attrs = {}
        for k, v in n.attr.items():
            if k in ("_output_shapes", "_has_manual_control_dependencies"):
                continue
            if k == "value":
                t = tf.make_ndarray(v.tensor)
                attrs[k] = (t.dtype.name, t.shape, t.tolist())
            else:
                attrs[k] = re.sub(r'loc:@gradients/[^"]*', "loc:@GRAD", str(v))
        part[name] = (n.op, [normal_input(i) for i in n.input], attrs)
    return part


@pytest.mark.parametrize("case", list(CASES))
def test_graph_is_tensorflows(trained, case):
    kind = CASES[case][0]
    mine = optimizer_part(trained / case / "tfc.pb", kind)
    theirs = optimizer_part(trained / case / "tf.pb", kind)
    assert sorted(mine) == sorted(theirs)
    differ = [f"{name}:\n  tfc {mine[name]}\n  tf  {theirs[name]}" for name in sorted(theirs) if mine[name] != theirs[name]]
    assert not differ, "\n".join(differ)
    assert any(op.startswith("Apply") for op, _, _ in mine.values())


@pytest.mark.parametrize("case", list(CASES))
def test_tensorflow_restores_and_trains_on(trained, case):
    d = trained / case
    mine = read_checkpoint(d / "tfc" / "model.ckpt")
    restored = dict(np.load(d / "restored.npz"))
    assert sorted(restored) == sorted(mine)
    for name, value in mine.items():
        assert np.array_equal(restored[name], value), name
    after = dict(np.load(d / "trained_on.npz"))
    assert int(after["global_step"]) == STEPS + 1
    assert not np.array_equal(after["layer2/weights"], mine["layer2/weights"])
