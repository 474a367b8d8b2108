/* Elementwise unary float ops and the helper ops their gradients use:
 * Neg Relu Sigmoid Tanh Log Exp Square Sqrt Reciprocal Floor, ReluGrad SigmoidGrad TanhGrad SqrtGrad. */
#include <math.h>

#include "common.h"

typedef struct {
    const float *x;
    const float *y; /* second operand of the *Grad ops */
    float *z;
    int op;
} unary_job;

enum { U_NEG, U_RELU, U_SIGMOID, U_TANH, U_LOG, U_EXP, U_SQUARE, U_SQRT, U_RECIP, U_FLOOR, G_RELU, G_SIGMOID, G_TANH, G_SQRT };

static void unary_range(void *arg, int64_t b, int64_t e)
{
    const unary_job *j = arg;
    const float *x = j->x, *y = j->y;
    float *z = j->z;
    switch (j->op) {
    case U_NEG: for (int64_t i = b; i < e; i++) z[i] = -x[i]; break;
    case U_RELU: for (int64_t i = b; i < e; i++) z[i] = x[i] > 0 ? x[i] : 0; break;
    case U_SIGMOID: for (int64_t i = b; i < e; i++) z[i] = 1.0f / (1.0f + expf(-x[i])); break;
    case U_TANH: for (int64_t i = b; i < e; i++) z[i] = tanhf(x[i]); break;
    case U_LOG: for (int64_t i = b; i < e; i++) z[i] = logf(x[i]); break;
    case U_EXP: for (int64_t i = b; i < e; i++) z[i] = expf(x[i]); break;
    case U_SQUARE: for (int64_t i = b; i < e; i++) z[i] = x[i] * x[i]; break;
    case U_SQRT: for (int64_t i = b; i < e; i++) z[i] = sqrtf(x[i]); break;
    case U_RECIP: for (int64_t i = b; i < e; i++) z[i] = 1.0f / x[i]; break;
    case U_FLOOR: for (int64_t i = b; i < e; i++) z[i] = floorf(x[i]); break;
    /* The *Grad ops take (gradient, forward value) like TensorFlow's; ReluGrad's second input is
     * the Relu's output or its features (positive in the same places). */
    case G_RELU: for (int64_t i = b; i < e; i++) z[i] = y[i] > 0 ? x[i] : 0; break;
    case G_SIGMOID: for (int64_t i = b; i < e; i++) z[i] = x[i] * y[i] * (1.0f - y[i]); break;
    case G_TANH: for (int64_t i = b; i < e; i++) z[i] = x[i] * (1.0f - y[i] * y[i]); break;
    case G_SQRT: for (int64_t i = b; i < e; i++) z[i] = x[i] * 0.5f / y[i]; break;
    }
}

static bool run_unary(tfc_kernel_ctx *k, int op)
{
    const tfc_tensor *x = k->in[0];
    if (x->dtype != TFC_FLOAT) return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));
    const tfc_tensor *y = k->ninputs > 1 ? k->in[1] : NULL;
    if (y && y->size != x->size) {
        char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
        return tfc_kernel_error(k, "inputs have shapes %s and %s", tfc_shape_str(x->shape, a), tfc_shape_str(y->shape, b));
    }
    tfc_tensor *z = tfc_kernel_output_over(k, 0, 0, TFC_FLOAT, x->shape);
    if (!z) return false;
    unary_job j = {x->data, y ? y->data : NULL, z->data, op};
    tfc_parallel_for(k, z->size, 1 << 16, unary_range, &j);
    return true;
}

static bool infer_float_unary(tfc_graph *g, int node)
{
    return tfc_require_float(g, node, 0) && tfc_infer_same_as_input(g, node);
}

static bool infer_float_pair(tfc_graph *g, int node)
{
    if (!tfc_require_float(g, node, 0) || !tfc_require_float(g, node, 1)) return false;
    tfc_shape a = in_shape(g, node, 0), b = in_shape(g, node, 1), m;
    char sa[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX];
    if (!tfc_broadcast_shapes(a, b, &m) || m.rank != a.rank || m.rank != b.rank)
        return tfc_node_error(g, node, "inputs have shapes %s and %s", tfc_shape_str(a, sa), tfc_shape_str(b, sb));
    tfc_node_set_output(g, node, 0, TFC_FLOAT, m);
    return true;
}

#define KERNEL(fn, op)                                                                                 \
    static bool fn(tfc_kernel_ctx *k) { return run_unary(k, op); }
KERNEL(k_neg, U_NEG)
KERNEL(k_relu, U_RELU)
KERNEL(k_sigmoid, U_SIGMOID)
KERNEL(k_tanh, U_TANH)
KERNEL(k_log, U_LOG)
KERNEL(k_exp, U_EXP)
KERNEL(k_square, U_SQUARE)
KERNEL(k_sqrt, U_SQRT)
KERNEL(k_recip, U_RECIP)
KERNEL(k_floor, U_FLOOR)
KERNEL(k_relu_grad, G_RELU)
KERNEL(k_sigmoid_grad, G_SIGMOID)
KERNEL(k_tanh_grad, G_TANH)
KERNEL(k_sqrt_grad, G_SQRT)
#undef KERNEL

/* ---- gradients ---- */

static tfc_out y_of(int node) { return node_out(node, 0); }

static void grad_neg(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    (void)node;
    dx[0] = tfc_neg(g, dy[0], NULL);
}

static void grad_relu(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    /* On the Relu's output, as TensorFlow does (positive exactly where the features are): the
     * features are then read by the Relu alone, which can write over them. */
    dx[0] = tfc_binary(g, "ReluGrad", dy[0], node_out(node, 0), "ReluGrad");
}

static void grad_sigmoid(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_binary(g, "SigmoidGrad", dy[0], y_of(node), "SigmoidGrad");
}

static void grad_tanh(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_binary(g, "TanhGrad", dy[0], y_of(node), "TanhGrad");
}

static void grad_log(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_mul(g, dy[0], tfc_reciprocal(g, in_out(g, node, 0), NULL), NULL);
}

static void grad_exp(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_mul(g, dy[0], y_of(node), NULL);
}

static void grad_square(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out two_x = tfc_mul(g, tfc_const_scalar(g, 2.0f, "Const"), in_out(g, node, 0), NULL);
    dx[0] = tfc_mul(g, dy[0], two_x, NULL);
}

static void grad_sqrt(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    dx[0] = tfc_binary(g, "SqrtGrad", dy[0], y_of(node), "SqrtGrad");
}

/* d(1/x) = -dy / x^2 = -dy * y^2 */
static void grad_recip(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out y = y_of(node);
    dx[0] = tfc_neg(g, tfc_mul(g, dy[0], tfc_mul(g, y, y, NULL), NULL), NULL);
}

const tfc_op_def tfc_op_Neg = {"Neg", infer_float_unary, k_neg, grad_neg, 0, .ninputs = 1};
const tfc_op_def tfc_op_Relu = {"Relu", infer_float_unary, k_relu, grad_relu, 0, .ninputs = 1};
const tfc_op_def tfc_op_Sigmoid = {"Sigmoid", infer_float_unary, k_sigmoid, grad_sigmoid, 0, .ninputs = 1};
const tfc_op_def tfc_op_Tanh = {"Tanh", infer_float_unary, k_tanh, grad_tanh, 0, .ninputs = 1};
const tfc_op_def tfc_op_Log = {"Log", infer_float_unary, k_log, grad_log, 0, .ninputs = 1};
const tfc_op_def tfc_op_Exp = {"Exp", infer_float_unary, k_exp, grad_exp, 0, .ninputs = 1};
const tfc_op_def tfc_op_Square = {"Square", infer_float_unary, k_square, grad_square, 0, .ninputs = 1};
const tfc_op_def tfc_op_Sqrt = {"Sqrt", infer_float_unary, k_sqrt, grad_sqrt, 0, .ninputs = 1};
const tfc_op_def tfc_op_Reciprocal = {"Reciprocal", infer_float_unary, k_recip, grad_recip, 0, .ninputs = 1};
/* Floor is piecewise constant: TensorFlow gives it no gradient, and neither do we. */
const tfc_op_def tfc_op_Floor = {"Floor", infer_float_unary, k_floor, NULL, 0, .ninputs = 1};
const tfc_op_def tfc_op_ReluGrad = {"ReluGrad", infer_float_pair, k_relu_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_SigmoidGrad = {"SigmoidGrad", infer_float_pair, k_sigmoid_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_TanhGrad = {"TanhGrad", infer_float_pair, k_tanh_grad, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_SqrtGrad = {"SqrtGrad", infer_float_pair, k_sqrt_grad, NULL, 0, .ninputs = 2};

tfc_out tfc_neg(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Neg", x, name); }
tfc_out tfc_relu(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Relu", x, name); }
tfc_out tfc_sigmoid(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Sigmoid", x, name); }
tfc_out tfc_tanh(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Tanh", x, name); }
tfc_out tfc_log(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Log", x, name); }
tfc_out tfc_exp(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Exp", x, name); }
tfc_out tfc_square(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Square", x, name); }
tfc_out tfc_sqrt(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Sqrt", x, name); }
tfc_out tfc_reciprocal(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Reciprocal", x, name); }
tfc_out tfc_floor(tfc_graph *g, tfc_out x, const char *name) { return tfc_unary(g, "Floor", x, name); }
