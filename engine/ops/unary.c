/* Elementwise unary ops and the *Grad ops their gradients use, with TensorFlow's formulas:
 *   on float32, int32, int64: Neg Abs Sign Square Relu Relu6 (and ReluGrad Relu6Grad);
 *   on float32: Sigmoid Tanh Log Log1p Exp Sqrt Rsqrt Reciprocal Floor Softplus Elu Selu LeakyRelu Erf,
 *   and SigmoidGrad TanhGrad SqrtGrad RsqrtGrad ReciprocalGrad (y, dy) and SoftplusGrad EluGrad
 *   SeluGrad LeakyReluGrad (gradients, features or outputs), in TensorFlow's input order;
 *   on bool: LogicalNot. */
#include <math.h>
#include <string.h>

#include "common.h"

enum {
    U_NEG, U_ABS, U_SIGN, U_SQUARE, U_RELU, U_RELU6, /* numeric */
    U_SIGMOID, U_TANH, U_LOG, U_LOG1P, U_EXP, U_SQRT, U_RSQRT, U_RECIP, U_FLOOR, U_SOFTPLUS, U_ELU, U_SELU, U_LEAKY, U_ERF,
    G_RELU, G_RELU6, /* numeric; (gradients, features) */
    G_SOFTPLUS, G_ELU, G_SELU, G_LEAKY, /* (gradients, features or outputs) */
    G_SIGMOID, G_TANH, G_SQRT, G_RSQRT, G_RECIP, /* (y, dy) */
};

typedef struct {
    const float *x, *y; /* y: the second input of the *Grad ops */
    float *z;
    int op;
    float alpha; /* LeakyRelu's */
} unary_job;

/* Softplus as TensorFlow computes it: x itself or exp(x) where log1p(exp(x)) rounds to them. */
static float softplus(float x)
{
    const float threshold = logf(__FLT_EPSILON__) + 2.0f;
    if (x > -threshold) return x;
    if (x < threshold) return expf(x);
    return log1pf(expf(x));
}

/* Selu's constants (Klambauer et al.), as TensorFlow's kernel has them. */
#define SELU_SCALE 1.0507009873554804934193349852946f
#define SELU_SCALE_ALPHA (1.0507009873554804934193349852946f * 1.6732632423543772848170429916717f)

static void float_range(void *arg, int64_t b, int64_t e)
{
    const unary_job *j = arg;
    const float *x = j->x, *y = j->y;
    float *z = j->z, a = j->alpha;
    switch (j->op) {
    case U_NEG: for (int64_t i = b; i < e; i++) z[i] = -x[i]; break;
    case U_ABS: for (int64_t i = b; i < e; i++) z[i] = fabsf(x[i]); break;
    case U_SIGN: for (int64_t i = b; i < e; i++) z[i] = (float)((x[i] > 0) - (x[i] < 0)); break;
    case U_SQUARE: for (int64_t i = b; i < e; i++) z[i] = x[i] * x[i]; break;
    case U_RELU: for (int64_t i = b; i < e; i++) z[i] = x[i] > 0 ? x[i] : 0; break;
    case U_RELU6: for (int64_t i = b; i < e; i++) z[i] = x[i] > 0 ? (x[i] < 6 ? x[i] : 6) : 0; break;
    case U_SIGMOID: for (int64_t i = b; i < e; i++) z[i] = 1.0f / (1.0f + expf(-x[i])); break;
    case U_TANH: for (int64_t i = b; i < e; i++) z[i] = tanhf(x[i]); break;
    case U_LOG: for (int64_t i = b; i < e; i++) z[i] = logf(x[i]); break;
    case U_LOG1P: for (int64_t i = b; i < e; i++) z[i] = log1pf(x[i]); break;
    case U_EXP: for (int64_t i = b; i < e; i++) z[i] = expf(x[i]); break;
    case U_SQRT: for (int64_t i = b; i < e; i++) z[i] = sqrtf(x[i]); break;
    case U_RSQRT: for (int64_t i = b; i < e; i++) z[i] = 1.0f / sqrtf(x[i]); break;
    case U_RECIP: for (int64_t i = b; i < e; i++) z[i] = 1.0f / x[i]; break;
    case U_FLOOR: for (int64_t i = b; i < e; i++) z[i] = floorf(x[i]); break;
    case U_SOFTPLUS: for (int64_t i = b; i < e; i++) z[i] = softplus(x[i]); break;
    case U_ELU: for (int64_t i = b; i < e; i++) z[i] = x[i] < 0 ? expf(x[i]) - 1.0f : x[i]; break;
    case U_SELU: for (int64_t i = b; i < e; i++) z[i] = x[i] < 0 ? SELU_SCALE_ALPHA * (expf(x[i]) - 1.0f) : SELU_SCALE * x[i]; break;
    case U_LEAKY: for (int64_t i = b; i < e; i++) z[i] = x[i] > 0 ? x[i] : x[i] * a; break;
    case U_ERF: for (int64_t i = b; i < e; i++) z[i] = erff(x[i]); break;
    /* ReluGrad's second input is the Relu's output or its features (positive in the same places) */
    case G_RELU: for (int64_t i = b; i < e; i++) z[i] = y[i] > 0 ? x[i] : 0; break;
    case G_RELU6: for (int64_t i = b; i < e; i++) z[i] = y[i] > 0 && y[i] < 6 ? x[i] : 0; break;
    case G_SOFTPLUS: for (int64_t i = b; i < e; i++) z[i] = x[i] / (expf(-y[i]) + 1.0f); break;
    case G_ELU: for (int64_t i = b; i < e; i++) z[i] = y[i] < 0 ? (y[i] + 1.0f) * x[i] : x[i]; break;
    case G_SELU: for (int64_t i = b; i < e; i++) z[i] = y[i] < 0 ? x[i] * (y[i] + SELU_SCALE_ALPHA) : x[i] * SELU_SCALE; break;
    case G_LEAKY: for (int64_t i = b; i < e; i++) z[i] = y[i] > 0 ? x[i] : x[i] * a; break;
    case G_SIGMOID: for (int64_t i = b; i < e; i++) z[i] = y[i] * x[i] * (1.0f - x[i]); break;
    case G_TANH: for (int64_t i = b; i < e; i++) z[i] = y[i] * (1.0f - x[i] * x[i]); break;
    case G_SQRT: for (int64_t i = b; i < e; i++) z[i] = 0.5f * y[i] / x[i]; break;
    case G_RSQRT: for (int64_t i = b; i < e; i++) z[i] = -0.5f * (y[i] * x[i]) * (x[i] * x[i]); break;
    case G_RECIP: for (int64_t i = b; i < e; i++) z[i] = -y[i] * (x[i] * x[i]); break;
    }
}

#define INT_CASES(T)                                                                                   \
    do {                                                                                               \
        const T *x = k->in[0]->data, *y = k->ninputs > 1 ? k->in[1]->data : NULL;                      \
        T *z = out->data;                                                                              \
        for (int64_t i = 0; i < out->size; i++) switch (op) {                                          \
            case U_NEG: z[i] = (T)-x[i]; break;                                                        \
            case U_ABS: z[i] = x[i] < 0 ? (T)-x[i] : x[i]; break;                                      \
            case U_SIGN: z[i] = (T)((x[i] > 0) - (x[i] < 0)); break;                                   \
            case U_SQUARE: z[i] = (T)(x[i] * x[i]); break;                                             \
            case U_RELU: z[i] = x[i] > 0 ? x[i] : 0; break;                                            \
            case U_RELU6: z[i] = x[i] > 0 ? (x[i] < 6 ? x[i] : 6) : 0; break;                          \
            case G_RELU: z[i] = y[i] > 0 ? x[i] : 0; break;                                            \
            case G_RELU6: z[i] = y[i] > 0 && y[i] < 6 ? x[i] : 0; break;                               \
            }                                                                                          \
    } while (0)

/* over: the input the output may be written over (the gradient input of the *Grad ops). */
static bool run_unary(tfc_kernel_ctx *k, int op, int over)
{
    const tfc_tensor *x = k->in[0], *y = k->ninputs > 1 ? k->in[1] : NULL;
    if (y && !tfc_shape_equal(y->shape, x->shape)) {
        char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
        return tfc_kernel_error(k, "inputs have shapes %s and %s", tfc_shape_str(x->shape, a), tfc_shape_str(y->shape, b));
    }
    tfc_tensor *out = tfc_kernel_output_over(k, 0, over, x->dtype, x->shape);
    if (!out) return false;
    switch (x->dtype) {
    case TFC_FLOAT: {
        unary_job j = {x->data, y ? y->data : NULL, out->data, op, tfc_attr_float(k->graph, k->node, "alpha", 0.2f)};
        tfc_parallel_for(k, out->size, 1 << 16, float_range, &j);
        break;
    }
    case TFC_INT32: INT_CASES(int32_t); break;
    case TFC_INT64: INT_CASES(int64_t); break;
    default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));
    }
    return true;
}

static bool infer_float_unary(tfc_graph *g, int node)
{
    return tfc_require_float(g, node, 0) && tfc_infer_same_as_input(g, node);
}

static bool infer_numeric_unary(tfc_graph *g, int node)
{
    return tfc_require_dtype(g, node, 0, TFC_NUMBERS) && tfc_infer_same_as_input(g, node);
}

/* The two inputs of a *Grad op: one dtype from the set, one shape. */
static bool infer_pair(tfc_graph *g, int node, tfc_dtype_set types)
{
    if (!tfc_require_dtype(g, node, 0, types) || !tfc_require_same_dtype(g, node, 0, 1)) return false;
    tfc_shape a = in_shape(g, node, 0), b = in_shape(g, node, 1), m;
    char sa[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX];
    if (!tfc_broadcast_shapes(a, b, &m) || (a.rank >= 0 && b.rank >= 0 && (m.rank != a.rank || m.rank != b.rank)))
        return tfc_node_error(g, node, "inputs have shapes %s and %s", tfc_shape_str(a, sa), tfc_shape_str(b, sb));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), a.rank >= 0 ? m : b);
    return true;
}

static bool infer_float_pair(tfc_graph *g, int node) { return infer_pair(g, node, TFC_FLOATS); }
static bool infer_numeric_pair(tfc_graph *g, int node) { return infer_pair(g, node, TFC_NUMBERS); }

#define KERNEL(fn, op, over)                                                                           \
    static bool fn(tfc_kernel_ctx *k) { return run_unary(k, op, over); }
KERNEL(k_neg, U_NEG, 0)
KERNEL(k_abs, U_ABS, 0)
KERNEL(k_sign, U_SIGN, 0)
KERNEL(k_square, U_SQUARE, 0)
KERNEL(k_relu, U_RELU, 0)
KERNEL(k_relu6, U_RELU6, 0)
KERNEL(k_sigmoid, U_SIGMOID, 0)
KERNEL(k_tanh, U_TANH, 0)
KERNEL(k_log, U_LOG, 0)
KERNEL(k_log1p, U_LOG1P, 0)
KERNEL(k_exp, U_EXP, 0)
KERNEL(k_sqrt, U_SQRT, 0)
KERNEL(k_rsqrt, U_RSQRT, 0)
KERNEL(k_recip, U_RECIP, 0)
KERNEL(k_floor, U_FLOOR, 0)
KERNEL(k_softplus, U_SOFTPLUS, 0)
KERNEL(k_elu, U_ELU, 0)
KERNEL(k_selu, U_SELU, 0)
KERNEL(k_leaky, U_LEAKY, 0)
KERNEL(k_erf, U_ERF, 0)
KERNEL(k_relu_grad, G_RELU, 0)
KERNEL(k_relu6_grad, G_RELU6, 0)
KERNEL(k_softplus_grad, G_SOFTPLUS, 0)
KERNEL(k_elu_grad, G_ELU, 0)
KERNEL(k_selu_grad, G_SELU, 0)
KERNEL(k_leaky_grad, G_LEAKY, 0)
KERNEL(k_sigmoid_grad, G_SIGMOID, 1)
KERNEL(k_tanh_grad, G_TANH, 1)
KERNEL(k_sqrt_grad, G_SQRT, 1)
KERNEL(k_rsqrt_grad, G_RSQRT, 1)
KERNEL(k_recip_grad, G_RECIP, 1)
#undef KERNEL

/* ---- gradients ---- */

static tfc_out x_of(const tfc_graph *g, int node) { return in_out(g, node, 0); }
static tfc_out y_of(int node) { return node_out(node, 0); }

/* A *Grad node named like its type on (a, b), with the T attr (and LeakyRelu's alpha). */
static tfc_out grad_op(tfc_graph *g, const char *type, tfc_out a, tfc_out b, int from)
{
    tfc_out r = tfc_binary(g, type, a, b, type);
    const tfc_attr *alpha = tfc_node_find_attr(g, from, "alpha");
    if (tfc_out_ok(r) && alpha && alpha->kind == TFC_ATTR_FLOAT) tfc_set_attr_float(g, r.node, "alpha", alpha->f);
    return r;
}

static void grad_neg(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    (void)node;
    dx[0] = tfc_neg(g, dy[0], NULL);
}

static void grad_abs(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_mul(g, dy[0], tfc_sign(g, x_of(g, node), NULL), NULL);
}

static void grad_sign(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    (void)dy;
    dx[0] = tfc_zeros_like(g, x_of(g, node), NULL);
}

static void grad_square(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out two_x = tfc_mul(g, x_of(g, node), tfc_const_scalar(g, 2.0f, "Const"), NULL);
    dx[0] = tfc_mul(g, dy[0], two_x, NULL);
}

/* On the Relu's output, as TensorFlow does (positive exactly where the features are): the features
 * are then read by the Relu alone, which can write over them. */
static void grad_relu(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "ReluGrad", dy[0], y_of(node), node); }
static void grad_relu6(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "Relu6Grad", dy[0], x_of(g, node), node); }
static void grad_softplus(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "SoftplusGrad", dy[0], x_of(g, node), node); }
static void grad_elu(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "EluGrad", dy[0], y_of(node), node); }
static void grad_selu(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "SeluGrad", dy[0], y_of(node), node); }
static void grad_leaky(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "LeakyReluGrad", dy[0], x_of(g, node), node); }
static void grad_sigmoid(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "SigmoidGrad", y_of(node), dy[0], node); }
static void grad_tanh(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "TanhGrad", y_of(node), dy[0], node); }
static void grad_sqrt(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "SqrtGrad", y_of(node), dy[0], node); }
static void grad_rsqrt(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "RsqrtGrad", y_of(node), dy[0], node); }
static void grad_recip(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = grad_op(g, "ReciprocalGrad", y_of(node), dy[0], node); }

static void grad_log(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_mul(g, dy[0], tfc_reciprocal(g, x_of(g, node), NULL), NULL);
}

/* dy / (1 + x) */
static void grad_log1p(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out one_x = tfc_add(g, tfc_const_scalar(g, 1.0f, "add/x"), x_of(g, node), NULL);
    dx[0] = tfc_mul(g, dy[0], tfc_reciprocal(g, one_x, NULL), NULL);
}

static void grad_exp(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { dx[0] = tfc_mul(g, dy[0], y_of(node), NULL); }

/* dy * 2/sqrt(pi) * exp(-x^2), as TensorFlow's gradient writes it */
static void grad_erf(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out two_over_root_pi = tfc_const_scalar(g, 1.1283791670955126f, "mul/x");
    tfc_out e = tfc_exp(g, tfc_neg(g, tfc_square(g, x_of(g, node), NULL), NULL), NULL);
    dx[0] = tfc_mul(g, tfc_mul(g, two_over_root_pi, e, NULL), dy[0], NULL);
}

/* ---- definitions ---- */

const tfc_op_def tfc_op_Neg = {"Neg", infer_numeric_unary, k_neg, grad_neg, 0, .ninputs = 1};
const tfc_op_def tfc_op_Abs = {"Abs", infer_numeric_unary, k_abs, grad_abs, 0, .ninputs = 1};
const tfc_op_def tfc_op_Sign = {"Sign", infer_numeric_unary, k_sign, grad_sign, 0, .ninputs = 1};
const tfc_op_def tfc_op_Square = {"Square", infer_numeric_unary, k_square, grad_square, 0, .ninputs = 1};
const tfc_op_def tfc_op_Relu = {"Relu", infer_numeric_unary, k_relu, grad_relu, 0, .ninputs = 1};
const tfc_op_def tfc_op_Relu6 = {"Relu6", infer_numeric_unary, k_relu6, grad_relu6, 0, .ninputs = 1};
const tfc_op_def tfc_op_Sigmoid = {"Sigmoid", infer_float_unary, k_sigmoid, grad_sigmoid, 0, .ninputs = 1};
const tfc_op_def tfc_op_Tanh = {"Tanh", infer_float_unary, k_tanh, grad_tanh, 0, .ninputs = 1};
const tfc_op_def tfc_op_Log = {"Log", infer_float_unary, k_log, grad_log, 0, .ninputs = 1};
const tfc_op_def tfc_op_Log1p = {"Log1p", infer_float_unary, k_log1p, grad_log1p, 0, .ninputs = 1};
const tfc_op_def tfc_op_Exp = {"Exp", infer_float_unary, k_exp, grad_exp, 0, .ninputs = 1};
const tfc_op_def tfc_op_Sqrt = {"Sqrt", infer_float_unary, k_sqrt, grad_sqrt, 0, .ninputs = 1};
const tfc_op_def tfc_op_Rsqrt = {"Rsqrt", infer_float_unary, k_rsqrt, grad_rsqrt, 0, .ninputs = 1};
const tfc_op_def tfc_op_Reciprocal = {"Reciprocal", infer_float_unary, k_recip, grad_recip, 0, .ninputs = 1};
/* Floor is piecewise constant: TensorFlow gives it no gradient, and neither do we. */
const tfc_op_def tfc_op_Floor = {"Floor", infer_float_unary, k_floor, NULL, 0, .ninputs = 1};
const tfc_op_def tfc_op_Softplus = {"Softplus", infer_float_unary, k_softplus, grad_softplus, 0, .ninputs = 1};
const tfc_op_def tfc_op_Elu = {"Elu", infer_float_unary, k_elu, grad_elu, 0, .ninputs = 1};
const tfc_op_def tfc_op_Selu = {"Selu", infer_float_unary, k_selu, grad_selu, 0, .ninputs = 1};
const tfc_op_def tfc_op_LeakyRelu = {"LeakyRelu", infer_float_unary, k_leaky, grad_leaky, 0, .ninputs = 1};
const tfc_op_def tfc_op_Erf = {"Erf", infer_float_unary, k_erf, grad_erf, 0, .ninputs = 1};
const tfc_op_def tfc_op_ReluGrad = {"ReluGrad", infer_numeric_pair, k_relu_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_Relu6Grad = {"Relu6Grad", infer_numeric_pair, k_relu6_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_SoftplusGrad = {"SoftplusGrad", infer_float_pair, k_softplus_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_EluGrad = {"EluGrad", infer_float_pair, k_elu_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_SeluGrad = {"SeluGrad", infer_float_pair, k_selu_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_LeakyReluGrad = {"LeakyReluGrad", infer_float_pair, k_leaky_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_SigmoidGrad = {"SigmoidGrad", infer_float_pair, k_sigmoid_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_TanhGrad = {"TanhGrad", infer_float_pair, k_tanh_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_SqrtGrad = {"SqrtGrad", infer_float_pair, k_sqrt_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_RsqrtGrad = {"RsqrtGrad", infer_float_pair, k_rsqrt_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_ReciprocalGrad = {"ReciprocalGrad", infer_float_pair, k_recip_grad, NULL, 0, .ninputs = 2};

tfc_out tfc_neg(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Neg", x, name); }
tfc_out tfc_abs(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Abs", x, name); }
tfc_out tfc_sign(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Sign", x, name); }
tfc_out tfc_square(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Square", x, name); }
tfc_out tfc_relu(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Relu", x, name); }
tfc_out tfc_relu6(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Relu6", x, name); }
tfc_out tfc_sigmoid(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Sigmoid", x, name); }
tfc_out tfc_tanh(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Tanh", x, name); }
tfc_out tfc_log(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Log", x, name); }
tfc_out tfc_log1p(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Log1p", x, name); }
tfc_out tfc_exp(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Exp", x, name); }
tfc_out tfc_sqrt(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Sqrt", x, name); }
tfc_out tfc_rsqrt(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Rsqrt", x, name); }
tfc_out tfc_reciprocal(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Reciprocal", x, name); }
tfc_out tfc_floor(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Floor", x, name); }
tfc_out tfc_softplus(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Softplus", x, name); }
tfc_out tfc_elu(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Elu", x, name); }

/* tf.nn.leaky_relu: the LeakyRelu op under NAME (default "LeakyRelu"). */
tfc_out tfc_leaky_relu(tfc_graph *g, tfc_out x, float alpha, const char *name)
{
    int n = tfc_node_begin(g, "LeakyRelu", name ? name : "LeakyRelu", &x, 1, 1);
    tfc_set_attr_float(g, n, "alpha", alpha);
    tfc_set_T(g, n);
    return tfc_node_finish(g, n);
}

/* ---- LogicalNot ---- */

static bool infer_logical_not(tfc_graph *g, int node)
{
    return tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_BOOL)) && tfc_infer_same_as_input(g, node);
}

static bool k_logical_not(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    tfc_tensor *z = tfc_kernel_output_over(k, 0, 0, TFC_BOOL, x->shape);
    if (!z) return false;
    for (int64_t i = 0; i < z->size; i++) tfc_u8(z)[i] = !tfc_u8(x)[i];
    return true;
}

const tfc_op_def tfc_op_LogicalNot = {"LogicalNot", infer_logical_not, k_logical_not, NULL, 0, .ninputs = 1};

tfc_out tfc_logical_not(tfc_graph *g, tfc_out x, const char *name)
{
    return tfc_node_finish(g, tfc_node_begin(g, "LogicalNot", name, &x, 1, 1));
}
