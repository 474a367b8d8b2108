"""Every op of tfc against TensorFlow, as ggml's test-backend-ops holds every op of a backend
against the CPU one: for each op a list of cases (shapes, attrs, dtypes), each run as a one-op graph
in TensorFlow (tf.raw_ops in a tf.Graph, gradients by tf.gradients) and in tfc (through
<build>/tests/engine/op_eval, which builds the same node from the NodeDef's attrs, so tfc reads
exactly what TensorFlow writes). Compared per case:

- forward: float32 outputs to FWD_TOL relative (max |tfc - tf| / max |tf|), other dtypes exactly,
  and the same dtypes and shapes;
- gradients of L = sum_i sum(y_i * R_i) (random R) with respect to every float input tfc feeds:
  to GRAD_TOL of TensorFlow's, and to tfc's own central differences of L (FD_TOL), where TensorFlow
  has none tfc must have none (or zeros);
- error cases: tfc refuses the graph when it is built (never first at run time), naming the node
  and the dtype.

Adding an op adds one entry to CASES; test_every_op_has_cases fails for a registered op without one.

The builders of engine/ops.h (tf.concat, tf.nn.sigmoid_cross_entropy_with_logits, ...) are held
against TensorFlow's Python the same way: <build>/tests/engine/op_graphs writes the graph of each
BUILDERS case as a GraphDef, and its nodes must be those TensorFlow builds for the same call: names,
op types, inputs, attrs and constants.
"""
import os
import re
import subprocess

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.framework import op_def_library, op_def_registry

FWD_TOL = 1e-5
GRAD_TOL = 1e-4
FD_TOL = 2e-3
FD_STEP = 1e-3

RNG = np.random.default_rng(20240516)


# ---- inputs ----

class Const:
    """An input TensorFlow's Python would make a Const (axes, shapes, sizes): tfc's static shape
    inference sees its value."""

    def __init__(self, value, dtype=None):
        self.value = np.asarray(value, dtype=dtype)


class Feed:
    """An input fed to a placeholder of its static shape (the default for float arrays)."""

    def __init__(self, value, dtype=None):
        self.value = np.asarray(value, dtype=dtype)


def i32(v):
    return Const(v, np.int32)


def i64(v):
    return Const(v, np.int64)


def u(*shape, lo=-1.0, hi=1.0):
    """Uniform float32 values."""
    return RNG.uniform(lo, hi, shape).astype(np.float32)


def away(*shape, lo=0.1, hi=1.0):
    """Float32 values of either sign, at least lo from 0 (no kink of Relu, Abs, ... within the
    finite differences' reach)."""
    return (RNG.uniform(lo, hi, shape) * RNG.choice([-1.0, 1.0], shape)).astype(np.float32)


def ramp(*shape, step=0.05):
    """Distinct float32 values step apart, shuffled (no ties for Max, Min, ArgMin, MaxPool)."""
    n = int(np.prod(shape))
    v = (np.arange(n) - n / 2) * step
    RNG.shuffle(v)
    return v.reshape(shape).astype(np.float32)


def ints(*shape, lo=-9, hi=10, dtype=np.int32):
    return Feed(RNG.integers(lo, hi, shape), dtype)


def bools(*shape):
    return Feed(RNG.integers(0, 2, shape).astype(bool))


C0, C1 = Const(np.float32(0)), Const(np.float32(1))


def softmax_rows(*shape):
    """Float32 rows of positive values that sum to 1 (labels of a softmax cross entropy)."""
    v = RNG.uniform(0.1, 1, shape)
    return (v / v.sum(axis=-1, keepdims=True)).astype(np.float32)


def lrn_grad_case(x, **attrs):
    """LRNGrad's inputs: a gradient, the LRN's input x and its output (from TensorFlow)."""
    y = tf.raw_ops.LRN(input=x, **attrs).numpy()
    return case(u(*x.shape), x, y, grad=False, **attrs)


def case(*inputs, wout=None, grad=True, fd=True, error=None, **attrs):
    """One case: inputs in the op's input order (a list for a list input), attrs TensorFlow's
    Python API would be given (TensorFlow adds the rest, dtypes and defaults, to the NodeDef).
    wout: the outputs whose gradients flow back (default: every float output); grad=False for
    forward only; error: tfc must refuse to build the node with a message holding this."""
    return dict(inputs=list(inputs), attrs=attrs, wout=wout, grad=grad, fd=fd, error=error)


# ---- the cases, one list per op ----

CASES = {
    # array ops
    "Identity": [case(u(2, 3)), case(ints(4))],
    "IdentityN": [case([u(2, 3)]), case([u(2, 3), ints(4), u()])],
    "Fill": [case(i32([2, 3]), u()), case(i32([3]), ints(dtype=np.int64)), case(i64([2, 1, 2]), Feed(True))],
    "Shape": [case(u(2, 3, 4)), case(u()), case(u(5), out_type=tf.int64)],
    "Size": [case(u(2, 3, 4)), case(u(5), out_type=tf.int64)],
    "Reshape": [case(u(2, 3, 4), i32([4, -1])), case(u(6), i32([3, 2])), case(ints(2, 3), i64([-1])),
                case(u(2, 3), Feed([3, 2], np.int32))],
    "ExpandDims": [case(u(2, 3), i32(0)), case(u(2, 3), i32(-1)), case(ints(3), i64(1))],
    "BroadcastTo": [case(u(3), i32([2, 3])), case(u(2, 1), i32([2, 4])), case(u(1, 3, 1), i32([2, 3, 4])),
                    case(ints(3), i32([2, 3]))],
    "StopGradient": [case(u(2, 3))],
    "PlaceholderWithDefault": [case(u(2, 3), shape=[None, 3]), case(ints(4), shape=[4])],
    "PreventGradient": [case(u(2, 3), grad=False)],
    "ZerosLike": [case(u(2, 3)), case(ints(4, dtype=np.int64)), case(bools(3))],
    "OnesLike": [case(u(2, 3)), case(ints(4)), case(bools(2, 2))],
    "Rank": [case(u(2, 3, 4)), case(u())],
    "ShapeN": [case([u(2, 3), u(4), u()]), case([ints(2, 2, 2)], out_type=tf.int64)],
    "BroadcastGradientArgs": [case(i32([2, 3, 1]), i32([3, 4])), case(i32([2, 1, 3]), i32([1, 1, 3])),
                              case(i32([1, 1]), i32([1])), case(i64([5]), Const(np.zeros(0, np.int64))),
                              case(i32([2, 1, 3]), i32([2, 1, 3]))],
    "Squeeze": [case(u(2, 1, 3, 1)), case(u(2, 1, 3, 1), squeeze_dims=[1]), case(u(1, 1), squeeze_dims=[-1]),
                case(ints(1, 3))],
    "ConcatV2": [case([u(2, 3), u(2, 2)], i32(1)), case([u(2, 3), u(1, 3), u(3, 3)], i32(0)),
                 case([u(2, 3, 2), u(2, 3, 2)], i32(-1)), case([ints(2, 2), ints(2, 2)], i64(1)),
                 case([bools(2), bools(1)], i32(0))],
    "ConcatOffset": [case(i32(1), [i32([2, 3, 4]), i32([2, 5, 4]), i32([2, 1, 4])])],
    "Pack": [case([u(2, 3), u(2, 3)]), case([u(2, 3), u(2, 3), u(2, 3)], axis=1), case([u(3), u(3)], axis=-1),
             case([ints(2), ints(2)])],
    "Unpack": [case(u(3, 2), num=3), case(u(2, 3, 4), num=3, axis=1), case(ints(2, 2), num=2, axis=-1)],
    "Split": [case(i32(1), u(2, 6), num_split=3), case(i32(0), u(4, 3), num_split=2),
              case(i32(-1), ints(2, 4), num_split=2)],
    "SplitV": [case(u(2, 6), i32([1, 2, 3]), i32(1), num_split=3), case(u(5, 2), i64([2, -1]), i32(0), num_split=2)],
    "Slice": [case(u(3, 4), i32([1, 1]), i32([2, 2])), case(u(2, 3, 4), i32([0, 1, 2]), i32([-1, 2, -1])),
              case(ints(4), i64([1]), i64([2]))],
    "StridedSlice": [
        case(u(4, 5), i32([1, 0]), i32([3, 0]), i32([1, 2]), begin_mask=2, end_mask=2),  # x[1:3, ::2]
        case(u(4, 5), i32([-1]), i32([0]), i32([1]), shrink_axis_mask=1),  # x[-1]
        case(u(2, 3, 4), i32([0, 1]), i32([0, 2]), i32([1, 1]), ellipsis_mask=1, shrink_axis_mask=2),  # x[..., 1]
        case(u(3, 4), i32([0, 0, 1]), i32([0, 0, 0]), i32([1, 1, 1]), begin_mask=1, end_mask=5,
             new_axis_mask=2),  # x[:, None, 1:]
        case(u(5), i32([0]), i32([0]), i32([-1]), begin_mask=1, end_mask=1),  # x[::-1]
        case(u(5, 3), i32([3, 1]), i32([0, 2]), i32([-2, 1]), shrink_axis_mask=2),  # x[3:0:-2, 1]
        case(ints(6), i64([1]), i64([5]), i64([2])),  # x[1:5:2]
        case(u(2, 3), i32([0, 0]), i32([0, 0]), i32([1, 1]), ellipsis_mask=1, new_axis_mask=2),  # x[..., None]
        case(u(4), i32([-10]), i32([10]), i32([1])),  # x[-10:10]
        case(u(2, 3, 4), i32([1, 0, 3]), i32([2, 3, 0]), i32([1, 1, -1]), end_mask=4),  # x[1:2, 0:3, 3::-1]
    ],
    "StridedSliceGrad": [case(i32([4, 5]), i32([1, 0]), i32([3, 5]), i32([1, 2]), u(2, 3), grad=False),
                         case(i32([3, 4]), i32([0, 2]), i32([0, 3]), i32([1, 1]), u(3), shrink_axis_mask=2,
                              begin_mask=1, end_mask=1, grad=False)],
    "Pad": [case(u(2, 3), i32([[1, 0], [2, 1]])), case(u(2, 2, 2), i64([[0, 1], [1, 1], [0, 0]])),
            case(ints(3), i32([[2, 2]]))],
    "Tile": [case(u(2, 3), i32([2, 1])), case(u(2, 1, 2), i32([1, 3, 2])), case(ints(3), i64([2]))],
    "Transpose": [case(u(2, 3), i32([1, 0])), case(u(2, 3, 4), i32([2, 0, 1])), case(ints(2, 3, 2), i64([1, 2, 0]))],
    "InvertPermutation": [case(i32([2, 0, 3, 1])), case(i64([0]))],
    "GatherV2": [case(u(5, 3), i32([0, 2, 2, 4]), i32(0)), case(u(2, 5, 3), i32([[1, 0], [4, 4]]), i32(1)),
                 case(u(4), i64([3, 0]), i32(0)), case(ints(3, 4), i32([2, 0]), i32(-1)),
                 case(u(2, 3, 4), i32([[0, 2], [1, 1]]), i32(1), batch_dims=1, grad=False)],
    "UnsortedSegmentSum": [case(u(5, 3), i32([0, 2, 2, -1, 1]), i32(4)), case(ints(4), i32([1, 1, 0, 2]), i32(3)),
                           case(u(2, 2, 3), i64([[0, 1], [1, 1]]), i32(2))],
    "OneHot": [case(i32([0, 2, -1, 1]), i32(3), C1, C0), case(i64([[1, 0], [2, 2]]), i32(3), Const(np.float32(5)),
                                                               Const(np.float32(-1)), axis=0),
               case(Feed(np.uint8([1, 0])), i32(2), i32(7), i32(0), axis=1)],
    "Range": [case(i32(1), i32(10), i32(3)), case(i32(10), i32(1), i32(-4)), case(i64(0), i64(5), i64(1)),
              case(Const(np.float32(0.5)), Const(np.float32(2.0)), Const(np.float32(0.25)))],
    "DynamicStitch": [case([i32([0, 2]), i32([1, 3])], [u(2, 3), u(2, 3)]),
                      case([i32([[0, 1], [4, 5]]), i32([2, 3])], [u(2, 2), u(2)]),
                      case([i32([1, 0])], [ints(2, 2)])],
    "ListDiff": [case(Feed(np.int32([1, 2, 3, 4, 5, 6])), Feed(np.int32([1, 3, 5]))),
                 case(Feed(np.float32([0.5, 1, 2])), Feed(np.float32([1])), out_idx=tf.int64, grad=False)],
    "Unique": [case(Feed(np.int32([1, 1, 2, 4, 4, 4, 7, 8, 8]))),
               case(Feed(np.float32([2.5, 1, 2.5, 0])), out_idx=tf.int64, grad=False)],
    "Where": [case(Feed(np.array([[True, False], [False, True]]))), case(ints(3, 2, lo=-1, hi=2))],
    "Select": [case(bools(2, 3), u(2, 3), u(2, 3)), case(bools(2), u(2, 3), u(2, 3)), case(Feed(True), u(3), u(3)),
               case(bools(4), ints(4), ints(4))],
    "SelectV2": [case(bools(2, 3), u(2, 3), u(3)), case(bools(3), u(2, 3), u()), case(bools(2, 1), ints(3), ints(2, 3))],
    "Cast": [case(u(2, 3, lo=-5, hi=5), DstT=tf.int32), case(ints(4), DstT=tf.float32),
             case(Feed([True, False]), DstT=tf.float32), case(ints(3), DstT=tf.int64)],
    # elementwise binary
    "AddV2": [case(u(2, 3), u(2, 3)), case(u(2, 3), u(3)), case(u(4, 1), u(1, 5)), case(u(), u(2, 2)),
              case(ints(2, 3), ints(3)), case(ints(4, dtype=np.int64), ints(4, dtype=np.int64)),
              case(bools(2), bools(2), error="AddV2 takes float32, int32, int64")],
    "Sub": [case(u(2, 3), u(2, 3)), case(u(3, 1), u(1, 2)), case(ints(2, 3), ints(2, 3))],
    "Mul": [case(u(2, 3), u(2, 3)), case(u(2, 3), u()), case(u(2, 1, 3), u(4, 1)), case(ints(5), ints(5))],
    "RealDiv": [case(u(2, 3), away(2, 3, lo=0.5)), case(u(2, 3), away(3, lo=0.5)),
                case(ints(2), ints(2), error="RealDiv takes float32")],
    "Maximum": [case(ramp(2, 3), ramp(2, 3) + 0.01), case(ramp(2, 3), away(3)), case(ints(6), ints(6))],
    "Minimum": [case(ramp(2, 3), ramp(2, 3) + 0.01), case(ramp(4, 1), away(1, 3)), case(ints(6), ints(6))],
    "Pow": [case(u(2, 3, lo=0.5, hi=2), u(2, 3, lo=-2, hi=2)), case(u(2, 3, lo=0.5, hi=2), u(3)),
            case(Feed(np.float32([0, 2, 0.5])), Feed(np.float32([2, 3, 2]))),
            case(ints(4, lo=-3, hi=4), Const(np.int32([0, 1, 2, 3]))), case(ints(3, dtype=np.int64), i64(3))],
    "SquaredDifference": [case(u(2, 3), u(2, 3)), case(u(2, 3), u(3)), case(ints(4), ints(4))],
    "FloorDiv": [case(ints(6), Feed(np.int32([3, -3, 2, -2, 5, -5]))), case(u(4, lo=-3, hi=3), away(4, lo=0.5)),
                 case(ints(3, dtype=np.int64), i64(-2))],
    "FloorMod": [case(ints(6), Feed(np.int32([3, -3, 2, -2, 5, -5]))),
                 case(Feed(np.float32([2.3, -1.7, 5.2, -4.1])), Feed(np.float32([1.1, 0.9, -1.5, 2.2])))],
    "MulNoNan": [case(u(2, 3), u(2, 3)), case(u(3), Feed(np.float32([1, 0, -2])))],
    "DivNoNan": [case(u(2, 3), away(2, 3, lo=0.5)), case(u(3), Feed(np.float32([1, 0, -2])), fd=False)],
    "Equal": [case(ints(2, 3, lo=0, hi=3), ints(2, 3, lo=0, hi=3)), case(np.float32([1, 2, 3]), np.float32([1, 0, 3])),
              case(bools(4), bools(4))],
    "NotEqual": [case(ints(2, 3, lo=0, hi=3), ints(3, lo=0, hi=3)), case(np.float32([1, 2]), np.float32([1, 0])),
                 case(bools(4), bools(1))],
    "Greater": [case(ints(2, 3, lo=0, hi=3), ints(3, lo=0, hi=3)), case(u(4), u(4)), case(ints(3, dtype=np.int64), i64(0))],
    "GreaterEqual": [case(ints(2, 3, lo=0, hi=3), ints(3, lo=0, hi=3)), case(u(4), u(4))],
    "Less": [case(ints(2, 3, lo=0, hi=3), ints(3, lo=0, hi=3)), case(u(4), u(4))],
    "LessEqual": [case(ints(2, 3, lo=0, hi=3), ints(3, lo=0, hi=3)), case(u(4), u(4))],
    "LogicalAnd": [case(bools(2, 3), bools(3)), case(bools(4), bools(4))],
    "LogicalOr": [case(bools(2, 3), bools(3)), case(bools(4), bools(4))],
    "LogicalNot": [case(bools(2, 3)), case(ints(3), error="LogicalNot takes bool")],
    "AddN": [case([u(2, 3), u(2, 3), u(2, 3)]), case([u(4), u(4)]), case([ints(2, 2), ints(2, 2)]),
             case([ints(3, dtype=np.int64), ints(3, dtype=np.int64)])],
    # elementwise unary
    "Neg": [case(u(2, 3)), case(ints(5)), case(ints(2, dtype=np.int64))],
    "Abs": [case(away(2, 3)), case(ints(5)), case(ints(3, dtype=np.int64))],
    "Sign": [case(away(2, 3)), case(Feed(np.float32([0, -0.5, 2])), fd=False), case(ints(6, lo=-2, hi=3))],
    "Square": [case(u(2, 3)), case(ints(4)), case(ints(3, dtype=np.int64))],
    "Relu": [case(away(2, 3)), case(ints(5))],
    "Relu6": [case(Feed(np.float32([-2, -0.5, 0.5, 3, 5.5, 6.5, 8]))), case(ints(6, lo=-3, hi=9))],
    "Sigmoid": [case(u(2, 3, lo=-4, hi=4))],
    "Tanh": [case(u(2, 3, lo=-3, hi=3))],
    "Log": [case(u(2, 3, lo=0.2, hi=3))],
    "Log1p": [case(u(2, 3, lo=-0.5, hi=2)), case(Feed(np.float32([1e-6, -1e-5, 3e-4])))],
    "Exp": [case(u(2, 3, lo=-2, hi=2))],
    "Sqrt": [case(u(2, 3, lo=0.2, hi=3))],
    "Rsqrt": [case(u(2, 3, lo=0.3, hi=3))],
    "Reciprocal": [case(away(2, 3, lo=0.3))],
    "Floor": [case(u(2, 3, lo=-3, hi=3), grad=False)],
    "Softplus": [case(u(2, 3, lo=-3, hi=3)), case(Feed(np.float32([-20, -14, -13.5, 13.5, 14, 20, 0, 1e-3])))],
    "Elu": [case(away(2, 3, lo=0.05, hi=2)), case(Feed(np.float32([-1e-3, -5, 3]))),
            case(ints(3), error="Elu takes float32")],
    "Selu": [case(away(2, 3, lo=0.05, hi=2)), case(Feed(np.float32([-1e-3, -5, 3, 0])), fd=False),
             case(ints(3), error="Selu takes float32")],
    "LeakyRelu": [case(away(2, 3)), case(away(4), alpha=0.1)],
    "Erf": [case(u(2, 3, lo=-2, hi=2)), case(Feed(np.float32([-4, 0, 4, 1e-3, -0.5]))), case(ints(3), error="Erf takes float32")],
    "ReluGrad": [case(u(2, 3), away(2, 3), grad=False), case(ints(4), ints(4), grad=False)],
    "Relu6Grad": [case(u(7), Feed(np.float32([-2, -0.5, 0.5, 3, 5.5, 6.5, 8])), grad=False),
                  case(ints(4), Feed(np.int32([-1, 3, 6, 7])), grad=False)],
    "SoftplusGrad": [case(u(2, 3), u(2, 3, lo=-3, hi=3), grad=False)],
    "EluGrad": [case(u(2, 3), u(2, 3, lo=-0.9, hi=2), grad=False)],
    "SeluGrad": [case(u(2, 3), u(2, 3, lo=-1.7, hi=2), grad=False)],
    "LeakyReluGrad": [case(u(2, 3), away(2, 3), grad=False), case(u(3), away(3), alpha=0.3, grad=False)],
    "SigmoidGrad": [case(u(2, 3, lo=0, hi=1), u(2, 3), grad=False)],
    "TanhGrad": [case(u(2, 3), u(2, 3), grad=False)],
    "SqrtGrad": [case(u(2, 3, lo=0.5, hi=2), u(2, 3), grad=False)],
    "RsqrtGrad": [case(u(2, 3, lo=0.5, hi=2), u(2, 3), grad=False)],
    "ReciprocalGrad": [case(away(2, 3, lo=0.5), u(2, 3), grad=False)],
    # matrices, reductions
    "MatMul": [case(u(2, 3), u(3, 4)), case(u(3, 2), u(3, 4), transpose_a=True),
               case(u(2, 3), u(4, 3), transpose_b=True), case(u(3, 2), u(4, 3), transpose_a=True, transpose_b=True),
               case(ints(2, 3), ints(3, 4)), case(ints(3, 2, dtype=np.int64), ints(4, 3, dtype=np.int64), transpose_a=True,
                                                  transpose_b=True),
               case(bools(2, 2), bools(2, 2), error="MatMul takes float32, int32, int64")],
    "Sum": [case(u(2, 3, 4), i32([1])), case(u(2, 3, 4), i32([0, 2]), keep_dims=True), case(u(5), i32([0])),
            case(u(2, 3), i32([-1])), case(ints(2, 3), i32([1])), case(ints(2, 3, dtype=np.int64), i64([0, 1])),
            case(bools(2), i32([0]), error="Sum takes float32, int32, int64")],
    "Mean": [case(u(2, 3, 4), i32([1])), case(u(2, 3, 4), i32([0, 2]), keep_dims=True), case(u(2, 3), i32([0, 1])),
             case(ints(2, 3), i32([1]))],
    "Prod": [case(u(2, 3), i32([1])), case(u(2, 3, 2), i32([0, 2]), keep_dims=True),
             case(Feed(np.float32([[1, 0, 2], [3, 4, 0]])), i32([1])), case(ints(2, 3, lo=-3, hi=4), i32([0]))],
    "Max": [case(ramp(3, 4), i32([1])), case(ramp(2, 3, 4), i32([0, 2]), keep_dims=True),
            case(Feed(np.float32([[1, 3, 3], [2, 2, 0]])), i32([1]), fd=False), case(ints(3, 4), i32([0]))],
    "Min": [case(ramp(3, 4), i32([0])), case(ramp(2, 3, 4), i32([1, 2])),
            case(Feed(np.float32([[1, 1, 3], [2, 0, 0]])), i32([1]), keep_dims=True, fd=False),
            case(ints(3, 4, dtype=np.int64), i32([1]))],
    "All": [case(bools(3, 4), i32([1])), case(bools(2, 3, 4), i32([0, 2]), keep_dims=True),
            case(Feed(np.ones((2, 3), bool)), i32([0, 1])), case(bools(4), i32([0])),
            case(u(2, 3), i32([1]), error="All takes bool")],
    "Any": [case(bools(3, 4), i32([0])), case(bools(2, 3, 4), i32([1, 2]), keep_dims=True),
            case(Feed(np.zeros((2, 3), bool)), i64([1]))],
    "InTopKV2": [case(u(4, 5), Feed(np.int32([0, 1, 2, 4])), i32(1), grad=False),
                 case(u(3, 6), Feed(np.int64([5, 0, 2])), i64(2), grad=False),
                 case(Feed(np.float32([[1, 1, 0], [0, 2, 2], [np.nan, 1, 0], [3, 1, np.inf]])),
                      Feed(np.int32([0, 2, 1, 0])), i32(1), grad=False),
                 case(u(2, 3), Feed(np.int32([3, -1])), i32(1), grad=False)],
    "InTopK": [case(u(4, 5), Feed(np.int32([0, 1, 2, 4])), k=2, grad=False)],
    "ArgMax": [case(ramp(3, 4), i32(1)), case(ramp(3, 4), i32(0)), case(ramp(2, 3, 4), i32(-1), output_type=tf.int32),
               case(ints(3, 4, lo=0, hi=3), i64(1))],
    "ArgMin": [case(ramp(3, 4), i32(0)), case(ints(2, 5, lo=0, hi=3), i64(1), output_type=tf.int32)],
    "L2Loss": [case(u(2, 3)), case(u(5))],
    "Cumsum": [case(u(2, 3), i32(1)), case(u(4), i32(0), exclusive=True), case(u(2, 3), i32(0), reverse=True),
               case(ints(5), i32(0), exclusive=True, reverse=True)],
    "Cumprod": [case(u(2, 3, lo=0.5, hi=1.5), i32(1)), case(away(4), i32(0), exclusive=True, reverse=True),
                case(ints(4, lo=1, hi=4), i32(0))],
    # nn
    "BiasAdd": [case(u(2, 3), u(3)), case(u(2, 4, 4, 3), u(3)), case(ints(2, 3), ints(3))],
    "BiasAddGrad": [case(u(2, 3), grad=False), case(u(2, 4, 4, 3), grad=False), case(ints(3, 2, dtype=np.int64))],
    "Softmax": [case(u(2, 5, lo=-3, hi=3)), case(u(3, 2, 4))],
    "LogSoftmax": [case(u(2, 5, lo=-3, hi=3)), case(u(3, 2, 4))],
    "SoftmaxCrossEntropyWithLogits": [
        case(u(3, 5, lo=-3, hi=3), np.float32(np.eye(5)[[1, 0, 4]]), wout=[0]),
        case(u(2, 4), softmax_rows(2, 4), wout=[0])],
    "SparseSoftmaxCrossEntropyWithLogits": [case(u(3, 5, lo=-3, hi=3), i32([1, 0, 4]), wout=[0]),
                                            case(u(2, 4), i64([3, 3]), wout=[0])],
    "Conv2D": [case(u(2, 5, 5, 3), u(3, 3, 3, 4), strides=[1, 1, 1, 1], padding="SAME"),
               case(u(1, 6, 7, 2), u(2, 3, 2, 3), strides=[1, 2, 2, 1], padding="VALID"),
               case(u(1, 5, 5, 1), u(3, 3, 1, 1), strides=[1, 1, 1, 1], padding="SAME", dilations=[1, 2, 2, 1],
                    error="dilations other than 1"),
               case(ints(1, 5, 4, 2), ints(3, 2, 2, 3), strides=[1, 2, 1, 1], padding="SAME"),
               case(ints(2, 4, 4, 1, dtype=np.int64), ints(2, 2, 1, 1, dtype=np.int64), strides=[1, 1, 1, 1],
                    padding="VALID", error="Conv2D takes float32, int32")],
    "Conv2DBackpropInput": [
        case(i32([2, 5, 5, 3]), u(3, 3, 3, 4), u(2, 5, 5, 4), strides=[1, 1, 1, 1], padding="SAME"),
        case(i32([1, 7, 7, 2]), u(3, 3, 2, 3), u(1, 3, 3, 3), strides=[1, 2, 2, 1], padding="VALID"),
        case(i32([1, 6, 6, 2]), u(2, 2, 2, 3), u(1, 3, 3, 3), strides=[1, 2, 2, 1], padding="SAME"),
        case(i32([1, 5, 5, 2]), ints(3, 3, 2, 3), ints(1, 3, 3, 3), strides=[1, 2, 2, 1], padding="SAME")],
    "Conv2DBackpropFilter": [
        case(u(2, 5, 5, 3), i32([3, 3, 3, 4]), u(2, 5, 5, 4), strides=[1, 1, 1, 1], padding="SAME"),
        case(u(1, 7, 7, 2), i32([3, 3, 2, 3]), u(1, 3, 3, 3), strides=[1, 2, 2, 1], padding="VALID")],
    "MaxPool": [case(ramp(2, 4, 4, 3), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
                case(ramp(1, 5, 5, 2), ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME"),
                case(ints(1, 5, 5, 2), ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME"),
                case(ints(1, 4, 4, 3, dtype=np.int64), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")],
    "MaxPoolGrad": [case(ramp(1, 4, 4, 2), Feed(np.zeros((1, 2, 2, 2), np.float32)), u(1, 2, 2, 2),
                         ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID", grad=False),
                    case(Feed(np.int32([[[[1], [5], [5]], [[2], [0], [3]], [[4], [4], [1]]]])), Feed(np.zeros((1, 2, 2, 1), np.int32)),
                         ints(1, 2, 2, 1), ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="VALID")],
    "AvgPool": [case(u(2, 4, 4, 3), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
                case(u(1, 5, 5, 2), ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME"),
                case(u(1, 4, 5, 2), ksize=[1, 2, 3, 1], strides=[1, 1, 2, 1], padding="SAME")],
    "AvgPoolGrad": [case(i32([1, 5, 5, 2]), u(1, 3, 3, 2), ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME",
                         grad=False),
                    case(i32([2, 4, 4, 3]), u(2, 2, 2, 3), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID",
                         grad=False)],
    "FusedBatchNormV3": [
        case(u(2, 3, 3, 4), u(4, lo=0.5, hi=1.5), u(4), Feed(np.zeros(0, np.float32)), Feed(np.zeros(0, np.float32)),
             epsilon=0.001, wout=[0]),
        case(u(2, 2, 3, 3), u(3, lo=0.5, hi=1.5), u(3), u(3), u(3, lo=0.5, hi=1.5), exponential_avg_factor=0.1, wout=[0]),
        case(u(2, 3, 3, 4), u(4, lo=0.5, hi=1.5), u(4), u(4), u(4, lo=0.5, hi=1.5), is_training=False, wout=[0]),
        case(ints(1, 2, 2, 2), u(2), u(2), u(2), u(2), error="FusedBatchNormV3 takes float32")],
    "FusedBatchNormGradV3": [
        case(u(2, 3, 3, 4), u(2, 3, 3, 4), u(4, lo=0.5, hi=1.5), u(4), u(4, lo=0.5, hi=1.5), Feed(np.zeros(0, np.float32)),
             epsilon=0.001, grad=False),
        case(u(2, 2, 2, 3), u(2, 2, 2, 3), u(3, lo=0.5, hi=1.5), u(3), u(3, lo=0.5, hi=1.5), Feed(np.zeros(0, np.float32)),
             is_training=False, grad=False)],
    "LRN": [case(u(2, 2, 2, 6), depth_radius=2, bias=1.0, alpha=0.5, beta=0.75), case(u(1, 2, 2, 7)),
            case(u(1, 1, 2, 4, lo=0.5, hi=2), depth_radius=1, bias=2.0, alpha=0.1, beta=0.5)],
    "LRNGrad": [lrn_grad_case(u(2, 2, 2, 6), depth_radius=2, bias=1.0, alpha=0.5, beta=0.75),
                lrn_grad_case(u(1, 2, 2, 7))],
}

# Ops a one-op graph cannot show (variables and their updates, randomness, summaries, checkpoint files,
# collectives across processes): tested by their own suites.
NOT_HERE = re.compile(r"^(Const|Placeholder|NoOp|VariableV2|VarHandleOp|ReadVariableOp|VarIsInitializedOp|"
                      r"IsVariableInitialized|Assign\w*|(Resource)?Apply\w+|Random\w+|TruncatedNormal|\w*Summary|"
                      r"SaveV2|SaveSlices|RestoreV2|MergeV2Checkpoints|GroupedAllreduce|"
                      # control flow: one op alone has a dead output (tests/engine/test_control_flow.c,
                      # the cond_bn program of test_graph_import_tf.py); Assert has no output and
                      # VariableShape and DisableCopyOnRead read a variable (test_graph_import_tf.py,
                      # test_ckpt_restore_tf.py)
                      r"Switch|RefSwitch|Merge|Assert|VariableShape|DisableCopyOnRead|"
                      # strings, which op_eval's raw inputs cannot hold (test_graph_files_tf.py)
                      r"StringJoin|StaticRegexFullMatch|ShardedFilename)$")


# ---- running one op's cases ----

def _flatten(inputs):
    """[(arg index, Const|Feed)] over the inputs, list inputs spread out."""
    out = []
    for i, v in enumerate(inputs):
        for item in (v if isinstance(v, list) else [v]):
            if not isinstance(item, (Const, Feed)):
                arr = np.asarray(item)
                item = Feed(arr) if arr.dtype == np.float32 else Const(arr)
            out.append((i, item))
    return out


def _tf_case(op, c):
    """Runs the case in TensorFlow: (attr lines of the NodeDef, number of outputs, outputs, the
    weights per output, the gradient per flat input (None where none or not float))."""
    op_def = op_def_registry.get(op)
    flat = _flatten(c["inputs"])
    g = tf.Graph()
    with g.as_default():
        tensors, feed_dict = [], {}
        for _, item in flat:
            v = item.value
            if isinstance(item, Feed):
                t = tf.compat.v1.placeholder(tf.as_dtype(v.dtype), v.shape)
                feed_dict[t] = v
            else:
                t = tf.constant(v)
            tensors.append(t)
        kwargs, k = {}, 0
        for i, arg in enumerate(op_def.input_arg):
            if isinstance(c["inputs"][i], list):
                kwargs[arg.name] = tensors[k:k + len(c["inputs"][i])]
                k += len(c["inputs"][i])
            else:
                kwargs[arg.name] = tensors[k]
                k += 1
        # What tf.raw_ops calls, by the OpDef's own argument names (tf.raw_ops renames a few).
        op_def_library._apply_op_helper(op, name="op", **kwargs, **_with_defaults(op_def, c["attrs"]))
        node = g.get_operation_by_name("op")
        outs = list(node.outputs)
        with tf.compat.v1.Session(graph=g) as sess:
            values = sess.run(outs, feed_dict)
            wanted = c["wout"] if c["wout"] is not None else range(len(outs))
            weights = {i: RNG.uniform(-1, 1, values[i].shape).astype(np.float32)
                       for i in wanted if outs[i].dtype == tf.float32 and c["grad"]}
            grads = [None] * len(flat)
            xs = [j for j, (_, item) in enumerate(flat) if isinstance(item, Feed) and item.value.dtype == np.float32]
            if weights and xs:
                loss = tf.add_n([tf.reduce_sum(outs[i] * w) for i, w in weights.items()])
                gs = [tf.convert_to_tensor(x) if isinstance(x, tf.IndexedSlices) else x
                      for x in tf.gradients(loss, [tensors[j] for j in xs])]
                got = sess.run([x for x in gs if x is not None], feed_dict)
                it = iter(got)
                for j, x in zip(xs, gs):
                    grads[j] = None if x is None else next(it)
    return _attr_lines(node.node_def), len(outs), values, weights, grads


def _with_defaults(op_def, attrs):
    """attrs plus the OpDef's defaults for the attrs inputs do not determine (as the generated
    Python wrappers pass them)."""
    inferred = {a.type_attr for a in op_def.input_arg} | {a.number_attr for a in op_def.input_arg} | \
        {a.type_list_attr for a in op_def.input_arg}
    full = dict(attrs)
    for a in op_def.attr:
        if a.name in full or a.name in inferred or not a.HasField("default_value"):
            continue
        d = a.default_value
        kind = d.WhichOneof("value")
        full[a.name] = list(d.list.i) if kind == "list" else getattr(d, kind)
    return full


def _attr_lines(node_def):
    lines = []
    for name in sorted(node_def.attr):
        v = node_def.attr[name]
        kind = v.WhichOneof("value")
        if kind == "i":
            lines.append(f"attr {name} int {v.i}")
        elif kind == "f":
            lines.append(f"attr {name} float {v.f!r}")
        elif kind == "b":
            lines.append(f"attr {name} bool {int(v.b)}")
        elif kind == "type":
            lines.append(f"attr {name} type {tf.as_dtype(v.type).name}")
        elif kind == "s":
            lines.append(f"attr {name} string {v.s.decode()}")
        elif kind == "shape":
            dims = ",".join(str(d.size) for d in v.shape.dim) or "-"
            lines.append(f"attr {name} shape {'?' if v.shape.unknown_rank else dims}")
        elif kind == "list" and v.list.type and not v.list.i and not v.list.s:
            lines.append(f"attr {name} types {','.join(tf.as_dtype(t).name for t in v.list.type)}")
        elif kind == "list" and not v.list.type and not v.list.s:
            lines.append(f"attr {name} ints {','.join(map(str, v.list.i)) or '-'}")
        else:
            raise AssertionError(f"attr {name}: kind {kind} not handled by the harness")
    return lines


def _shape(a):
    return "[" + ",".join(map(str, a.shape)) + "]"


def _rel_err(got, want):
    return float(np.max(np.abs(got.astype(np.float64) - want))) / max(float(np.max(np.abs(want))), 1e-30) \
        if want.size else 0.0


@pytest.fixture(scope="module")
def op_eval(build_dir):
    exe = build_dir / "tests" / "engine" / "op_eval"
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is not built: run 'ninja -C {build_dir}'")
    return exe


def run_op(op_eval, tmp_path, op, cases):
    """Runs an op's cases in TensorFlow and tfc; returns the list of mismatches."""
    spec, expected = [], []
    for n, c in enumerate(cases):
        cid = f"{op}_{n}"
        flat = _flatten(c["inputs"])
        spec.append(f"case {cid}")
        for j, (_, item) in enumerate(flat):
            path = tmp_path / f"{cid}_in{j}.raw"
            v = item.value
            np.ascontiguousarray(v, v.dtype.newbyteorder("<")).tofile(path)
            kind = ("feed?" if c.get("unknown_dims") else "feed") if isinstance(item, Feed) else "const"
            spec.append(f"input {kind} {v.dtype.name} {_shape(v)} {path}")
        if c["error"]:
            nout = len(op_def_registry.get(op).output_arg)
            attr_lines = [f"attr {k} {_kind_of(v)} {_value_of(v)}" for k, v in c["attrs"].items()]
            want = None
        else:
            attr_lines, nout, values, weights, grads = _tf_case(op, c)
            want = (values, grads)
            for i, w in weights.items():
                path = tmp_path / f"{cid}_w{i}.raw"
                w.tofile(path)
                spec.append(f"weight {i} {_shape(w)} {path}")
            if c["fd"] and weights:
                spec.append(f"fd {FD_STEP}")
        spec.append(f"op {op} {nout}")
        spec += attr_lines
        spec.append("end")
        expected.append((cid, c, flat, want))
    spec_path = tmp_path / f"{op}.spec"
    spec_path.write_text("\n".join(spec) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    r = subprocess.run([str(op_eval), str(spec_path), str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    problems = []
    for cid, c, flat, want in expected:
        problems += [f"{cid}: {p}" for p in _compare(out / cid, c, flat, want)]
    return problems


def _kind_of(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, tf.DType):
        return "type"
    if isinstance(v, (list, tuple)):
        return "ints"
    return "string"


def _value_of(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, tf.DType):
        return v.name
    if isinstance(v, (list, tuple)):
        return ",".join(map(str, v)) or "-"
    return v


def _compare(d, c, flat, want):
    err = (d / "error.txt").read_text().strip() if (d / "error.txt").exists() else None
    if c["error"]:
        if not err:
            return [f"built and ran, expected a build error holding {c['error']!r}"]
        if not err.startswith("build: ") or c["error"] not in err:
            return [f"expected a build error holding {c['error']!r}, got {err!r}"]
        return []
    if err:
        return [err]
    values, grads = want
    problems = []
    for i, v in enumerate(values):
        p = d / f"y{i}.npy"
        if not p.exists():
            problems.append(f"output {i} missing")
            continue
        got = np.load(p)
        if got.dtype != v.dtype or got.shape != v.shape:
            problems.append(f"output {i}: {got.dtype}{list(got.shape)}, TensorFlow's {v.dtype}{list(v.shape)}")
        elif v.dtype == np.float32:
            e = _rel_err(got, v)
            if not e <= FWD_TOL:
                problems.append(f"output {i}: relative error {e:.2e}")
        elif not np.array_equal(got, v):
            problems.append(f"output {i}: {got.ravel()[:8]} ..., TensorFlow's {v.ravel()[:8]} ...")
    for j, gw in enumerate(grads):
        p = d / f"dx{j}.npy"
        got = np.load(p) if p.exists() else None
        if gw is None:
            if got is not None and np.any(got):
                problems.append(f"d/d input {j}: TensorFlow has no gradient, tfc has one")
            continue
        if got is None:
            problems.append(f"d/d input {j}: missing (TensorFlow's: {gw.ravel()[:4]} ...)")
            continue
        if got.shape != gw.shape:
            problems.append(f"d/d input {j}: shape {list(got.shape)}, TensorFlow's {list(gw.shape)}")
            continue
        e = _rel_err(got, gw)
        if not e <= GRAD_TOL:
            problems.append(f"d/d input {j}: relative error {e:.2e} against TensorFlow's")
        pf = d / f"fd{j}.npy"
        if c["fd"] and pf.exists():
            fd = np.load(pf)
            e = float(np.max(np.abs(fd - got))) / max(1.0, float(np.max(np.abs(got))))
            if not e <= FD_TOL:
                problems.append(f"d/d input {j}: error {e:.2e} against central differences")
    return problems


def _with_unknown_dims(cases):
    """The cases, and their first again with every dim of its fed inputs unknown when the graph is
    built (forward only): shape inference must let it through, the kernel work out the rest."""
    first = next((c for c in cases if not c["error"]), None)
    return cases + ([dict(first, grad=False, unknown_dims=True)] if first else [])


@pytest.mark.parametrize("op", sorted(CASES))
def test_op_matches_tensorflow(op_eval, tmp_path, op):
    problems = run_op(op_eval, tmp_path, op, _with_unknown_dims(CASES[op]))
    assert not problems, "\n".join(problems)


def test_every_op_has_cases(repo_root):
    table = (repo_root / "engine" / "op_table.c").read_text()
    registered = set(re.findall(r"X\((\w+)\)", table))
    missing = sorted(op for op in registered if op not in CASES and not NOT_HERE.match(op))
    assert not missing, "ops without cases in CASES: " + ", ".join(missing)
    unknown = sorted(set(CASES) - registered)
    assert not unknown, "cases for ops tfc does not register: " + ", ".join(unknown)


# ---- the builders: the graph of each op_graphs case as TensorFlow's Python builds it ----

def _builders():
    v1 = tf.compat.v1

    def ph(dtype, shape, name):
        return v1.placeholder(dtype, shape, name=name)

    def x23():
        return ph(tf.float32, [2, 3], "x")

    def image():
        return ph(tf.float32, [1, 4, 4, 2], "x")

    def ids():
        return ph(tf.int32, [4], "i")

    def cond23():
        return ph(tf.bool, [2, 3], "c")

    def embedding_var():
        v1.disable_resource_variables()
        try:
            w = v1.Variable(tf.zeros([5, 3]), name="W")
        finally:
            v1.enable_resource_variables()
        tf.nn.embedding_lookup(w, ids())

    return {
        "concat": lambda: tf.concat([x23(), x23()], 1),
        "stack": lambda: tf.stack([x23(), x23()], 1),
        "unstack": lambda: tf.unstack(x23(), axis=1),
        "split": lambda: tf.split(x23(), 3, 1),
        "split_v": lambda: tf.split(x23(), [1, 2], 1),
        "transpose": lambda: tf.transpose(x23()),
        "slice": lambda: tf.slice(x23(), [0, 1], [2, 2]),
        "strided_slice": lambda: tf.strided_slice(x23(), [0, 1], [2, 3], [1, 1]),
        "gather": lambda: tf.gather(x23(), ids(), axis=1),
        "one_hot": lambda: tf.one_hot(ids(), 5),
        "pad": lambda: tf.pad(x23(), [[1, 0], [0, 2]]),
        "tile": lambda: tf.tile(x23(), [2, 1]),
        "squeeze": lambda: tf.squeeze(ph(tf.float32, [2, 1], "x"), [1]),
        "expand_dims": lambda: tf.expand_dims(x23(), 1),
        "range": lambda: tf.range(0, 10, 2),
        "where1": lambda: v1.where(cond23()),
        "where3": lambda: v1.where(cond23(), x23(), x23()),
        "where_v2": lambda: tf.where(cond23(), x23(), x23()),
        "reduce_max": lambda: tf.reduce_max(x23(), [1]),
        "reduce_sum_all": lambda: tf.reduce_sum(x23()),
        "argmin": lambda: tf.argmin(x23(), 1),
        "l2_loss": lambda: tf.nn.l2_loss(x23()),
        "cumprod": lambda: tf.math.cumprod(x23(), 1, exclusive=True),
        "leaky_relu": lambda: tf.nn.leaky_relu(x23()),
        "log_softmax": lambda: tf.nn.log_softmax(x23()),
        "zeros_like_small": lambda: tf.zeros_like(x23()),
        "zeros_like_big": lambda: tf.zeros_like(ph(tf.float32, [10, 200], "x")),
        "zeros_like_unknown": lambda: tf.zeros_like(ph(tf.float32, [None, 3], "x")),
        "ones_like_small": lambda: tf.ones_like(x23()),
        "ones_like_big": lambda: tf.ones_like(ph(tf.float32, [10, 200], "x")),
        "ones_like_unknown": lambda: tf.ones_like(ph(tf.float32, [None, 3], "x")),
        "sigmoid_xent": lambda: tf.nn.sigmoid_cross_entropy_with_logits(labels=x23(), logits=x23()),
        "sparse_xent": lambda: v1.nn.sparse_softmax_cross_entropy_with_logits(labels=ph(tf.int32, [2], "l"),
                                                                               logits=x23()),
        "embedding": lambda: tf.nn.embedding_lookup(x23(), ids()),
        "embedding_var": embedding_var,
        "avg_pool": lambda: tf.nn.avg_pool(image(), [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
        "conv2d_transpose": lambda: v1.nn.conv2d_transpose(image(), ph(tf.float32, [3, 3, 5, 2], "f"), [1, 8, 8, 5],
                                                           [1, 2, 2, 1], "SAME"),
        "fused_batch_norm": lambda: v1.nn.fused_batch_norm(image(), ph(tf.float32, [2], "s"),
                                                           ph(tf.float32, [2], "o")),
        "lrn": lambda: tf.nn.local_response_normalization(image()),
        "pow": lambda: tf.pow(x23(), x23()),
        "sqdiff": lambda: tf.math.squared_difference(x23(), x23()),
        "greater": lambda: tf.greater(x23(), x23()),
        "logical_and": lambda: tf.logical_and(ph(tf.bool, [2], "c"), ph(tf.bool, [2], "d")),
        "abs": lambda: tf.abs(x23()),
        "stop_gradient": lambda: tf.stop_gradient(x23()),
        "softplus": lambda: tf.nn.softplus(x23()),
        "relu6": lambda: tf.nn.relu6(x23()),
        "elu": lambda: tf.nn.elu(x23()),
        "rsqrt": lambda: tf.math.rsqrt(x23()),
        "log1p": lambda: tf.math.log1p(x23()),
        "sign": lambda: tf.sign(x23()),
        "add_n_one": lambda: tf.add_n([x23()], name="total"),
        "summary_names": lambda: [v1.summary.scalar(n, x) for x in [ph(tf.float32, [], "x")] for n in ("my loss", "/a b/c:d")],
    }


BUILDERS = _builders()


def _nodes(graph_def):
    """{name: (op, inputs, {attr: value})} of a GraphDef, values comparable across writers
    (constants as arrays, tfc's _output_shapes left out)."""
    out = {}
    for n in graph_def.node:
        attrs = {}
        for k, v in n.attr.items():
            if k == "_output_shapes":
                continue
            if v.WhichOneof("value") == "tensor":
                a = tf.make_ndarray(v.tensor)
                attrs[k] = (str(a.dtype), a.shape, a.tolist())
            else:
                attrs[k] = v.SerializeToString(deterministic=True)
        out[n.name] = (n.op, list(n.input), attrs)
    return out


@pytest.fixture(scope="module")
def op_graphs(build_dir, tmp_path_factory):
    exe = build_dir / "tests" / "engine" / "op_graphs"
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is not built: run 'ninja -C {build_dir}'")
    out = tmp_path_factory.mktemp("op_graphs")
    r = subprocess.run([str(exe), str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.split()) == sorted(BUILDERS), "op_graphs' cases and BUILDERS differ"
    return out


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builder_graph_matches_tensorflow(op_graphs, name):
    g = tf.Graph()
    with g.as_default():
        BUILDERS[name]()
    want = _nodes(g.as_graph_def())
    gd = tf.compat.v1.GraphDef()
    gd.ParseFromString((op_graphs / f"{name}.pb").read_bytes())
    got = _nodes(gd)
    problems = [f"TensorFlow's node {n} ({want[n][0]}) is missing" for n in want if n not in got]
    problems += [f"node {n} ({got[n][0]}) is not in TensorFlow's graph" for n in got if n not in want]
    for n in want:
        if n not in got:
            continue
        (wop, win, wattrs), (gop, gin, gattrs) = want[n], got[n]
        if (wop, win) != (gop, gin):
            problems.append(f"{n}: {gop} on {gin}, TensorFlow's {wop} on {win}")
        for k in sorted(set(wattrs) | set(gattrs)):
            if wattrs.get(k) != gattrs.get(k):
                problems.append(f"{n}: attr {k} is {gattrs.get(k)!r}, TensorFlow's {wattrs.get(k)!r}")
    assert not problems, "\n".join(problems)
