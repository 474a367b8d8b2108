/* Elementwise binary ops with NumPy broadcasting: AddV2 Sub Mul RealDiv Maximum Minimum,
 * the comparisons Equal GreaterEqual LessEqual, and AddN. */
#include <string.h>

#include "common.h"

/* ---- broadcasting iteration ---- */

typedef struct {
    int rank;
    int64_t dims[TFC_MAX_DIMS];
    int64_t sx[TFC_MAX_DIMS], sy[TFC_MAX_DIMS]; /* element strides, 0 along broadcast dims */
} bcast;

static bool make_bcast(tfc_kernel_ctx *k, const tfc_tensor *x, const tfc_tensor *y, bcast *b, tfc_shape *out)
{
    tfc_shape o;
    char a[TFC_SHAPE_STR_MAX], c[TFC_SHAPE_STR_MAX];
    if (!tfc_broadcast_shapes(x->shape, y->shape, &o) || !tfc_shape_known(o))
        return tfc_kernel_error(k, "shapes %s and %s cannot be broadcast together", tfc_shape_str(x->shape, a),
                                tfc_shape_str(y->shape, c));
    for (int i = 0; i < o.rank; i++) {
        int ix = x->shape.rank - o.rank + i, iy = y->shape.rank - o.rank + i;
        int64_t dx = ix >= 0 ? x->shape.dims[ix] : 1, dy = iy >= 0 ? y->shape.dims[iy] : 1;
        if ((dx != 1 && dx != o.dims[i]) || (dy != 1 && dy != o.dims[i]))
            return tfc_kernel_error(k, "shapes %s and %s cannot be broadcast together", tfc_shape_str(x->shape, a),
                                    tfc_shape_str(y->shape, c));
    }
    *out = o;
    b->rank = o.rank;
    int64_t stx = 1, sty = 1;
    for (int i = o.rank - 1; i >= 0; i--) {
        int ix = x->shape.rank - o.rank + i, iy = y->shape.rank - o.rank + i;
        int64_t dx = ix >= 0 ? x->shape.dims[ix] : 1, dy = iy >= 0 ? y->shape.dims[iy] : 1;
        b->dims[i] = o.dims[i];
        b->sx[i] = dx == 1 ? 0 : stx;
        b->sy[i] = dy == 1 ? 0 : sty;
        stx *= dx;
        sty *= dy;
    }
    return true;
}

/* Runs BODY(i, ix, iy) over every output element i with the input offsets ix, iy. The common
 * cases (equal shapes, a scalar side) are flat loops the compiler vectorises. */
#define BCAST_LOOP(x, y, n, b, BODY)                                                                   \
    do {                                                                                               \
        if ((x)->size == (n) && (y)->size == (n)) {                                                    \
            for (int64_t i = 0; i < (n); i++) {                                                        \
                int64_t ix = i, iy = i;                                                                \
                BODY;                                                                                  \
            }                                                                                          \
        } else if ((y)->size == 1 && (x)->size == (n)) {                                               \
            for (int64_t i = 0; i < (n); i++) {                                                        \
                int64_t ix = i, iy = 0;                                                                \
                BODY;                                                                                  \
            }                                                                                          \
        } else if ((x)->size == 1 && (y)->size == (n)) {                                               \
            for (int64_t i = 0; i < (n); i++) {                                                        \
                int64_t ix = 0, iy = i;                                                                \
                BODY;                                                                                  \
            }                                                                                          \
        } else {                                                                                       \
            int64_t idx_[TFC_MAX_DIMS] = {0};                                                          \
            int r_ = (b).rank;                                                                         \
            int64_t inner_ = r_ ? (b).dims[r_ - 1] : 1;                                                \
            int64_t sxi_ = r_ ? (b).sx[r_ - 1] : 0, syi_ = r_ ? (b).sy[r_ - 1] : 0;                    \
            int64_t bx_ = 0, by_ = 0;                                                                  \
            for (int64_t base_ = 0; base_ < (n); base_ += inner_) {                                    \
                for (int64_t j_ = 0; j_ < inner_; j_++) {                                              \
                    int64_t i = base_ + j_, ix = bx_ + j_ * sxi_, iy = by_ + j_ * syi_;                 \
                    BODY;                                                                              \
                }                                                                                      \
                for (int d_ = r_ - 2; d_ >= 0; d_--) {                                                 \
                    idx_[d_]++;                                                                        \
                    bx_ += (b).sx[d_];                                                                 \
                    by_ += (b).sy[d_];                                                                 \
                    if (idx_[d_] < (b).dims[d_]) break;                                                \
                    bx_ -= (b).sx[d_] * idx_[d_];                                                      \
                    by_ -= (b).sy[d_] * idx_[d_];                                                      \
                    idx_[d_] = 0;                                                                      \
                }                                                                                      \
            }                                                                                          \
        }                                                                                              \
    } while (0)

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN } arith_op;
typedef enum { CMP_EQ, CMP_GE, CMP_LE } cmp_op;

#define ARITH_CASES(T, xp, yp, op_)                                                                    \
    switch (op_) {                                                                                     \
    case OP_ADD: BCAST_LOOP(x, y, n, b, zp[i] = (T)(xp[ix] + yp[iy])); break;                          \
    case OP_SUB: BCAST_LOOP(x, y, n, b, zp[i] = (T)(xp[ix] - yp[iy])); break;                          \
    case OP_MUL: BCAST_LOOP(x, y, n, b, zp[i] = (T)(xp[ix] * yp[iy])); break;                          \
    case OP_DIV: BCAST_LOOP(x, y, n, b, zp[i] = (T)(xp[ix] / yp[iy])); break;                          \
    case OP_MAX: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] > yp[iy] ? xp[ix] : yp[iy]); break;             \
    case OP_MIN: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] < yp[iy] ? xp[ix] : yp[iy]); break;             \
    }

static bool arith_kernel(tfc_kernel_ctx *k, arith_op op)
{
    const tfc_tensor *x = k->in[0], *y = k->in[1];
    bcast b;
    tfc_shape os;
    if (!make_bcast(k, x, y, &b, &os)) return false;
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, os);
    if (!z) return false;
    int64_t n = z->size;
    switch (x->dtype) {
    case TFC_FLOAT: {
        const float *xp = x->data, *yp = y->data;
        float *zp = z->data;
        ARITH_CASES(float, xp, yp, op);
        break;
    }
    case TFC_INT32: {
        const int32_t *xp = x->data, *yp = y->data;
        int32_t *zp = z->data;
        if (op == OP_DIV) {
            for (int64_t i = 0; i < y->size; i++)
                if (!yp[i]) return tfc_kernel_error(k, "integer division by zero");
        }
        ARITH_CASES(int32_t, xp, yp, op);
        break;
    }
    case TFC_INT64: {
        const int64_t *xp = x->data, *yp = y->data;
        int64_t *zp = z->data;
        if (op == OP_DIV) {
            for (int64_t i = 0; i < y->size; i++)
                if (!yp[i]) return tfc_kernel_error(k, "integer division by zero");
        }
        ARITH_CASES(int64_t, xp, yp, op);
        break;
    }
    default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));
    }
    return true;
}

#define CMP_CASES(T)                                                                                   \
    do {                                                                                               \
        const T *xp = x->data, *yp = y->data;                                                          \
        switch (op) {                                                                                  \
        case CMP_EQ: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] == yp[iy]); break;                          \
        case CMP_GE: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] >= yp[iy]); break;                          \
        case CMP_LE: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] <= yp[iy]); break;                          \
        }                                                                                              \
    } while (0)

static bool cmp_kernel(tfc_kernel_ctx *k, cmp_op op)
{
    const tfc_tensor *x = k->in[0], *y = k->in[1];
    bcast b;
    tfc_shape os;
    if (!make_bcast(k, x, y, &b, &os)) return false;
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_BOOL, os);
    if (!z) return false;
    int64_t n = z->size;
    uint8_t *zp = z->data;
    switch (x->dtype) {
    case TFC_FLOAT: CMP_CASES(float); break;
    case TFC_INT32: CMP_CASES(int32_t); break;
    case TFC_INT64: CMP_CASES(int64_t); break;
    case TFC_UINT8:
    case TFC_BOOL: CMP_CASES(uint8_t); break;
    default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));
    }
    return true;
}

/* ---- shape inference ---- */

static bool infer_binary(tfc_graph *g, int node, bool to_bool)
{
    tfc_dtype dx = in_dtype(g, node, 0), dy = in_dtype(g, node, 1);
    tfc_shape sx = in_shape(g, node, 0), sy = in_shape(g, node, 1), so;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], nx[256], ny[256];
    tfc_out_name(g, in_out(g, node, 0), nx, sizeof nx);
    tfc_out_name(g, in_out(g, node, 1), ny, sizeof ny);
    if (dx != dy)
        return tfc_node_error(g, node, "dtypes differ: '%s' is %s, '%s' is %s", nx, tfc_dtype_name(dx), ny,
                              tfc_dtype_name(dy));
    if (!tfc_broadcast_shapes(sx, sy, &so))
        return tfc_node_error(g, node, "shapes cannot be broadcast: '%s' is %s, '%s' is %s", nx,
                              tfc_shape_str(sx, a), ny, tfc_shape_str(sy, b));
    tfc_node_set_output(g, node, 0, to_bool ? TFC_BOOL : dx, so);
    return true;
}

static bool infer_arith(tfc_graph *g, int node) { return infer_binary(g, node, false); }
static bool infer_cmp(tfc_graph *g, int node) { return infer_binary(g, node, true); }

/* ---- gradients ---- */

static void unbroadcast_both(tfc_graph *g, int node, tfc_out gx, tfc_out gy, tfc_out *dx)
{
    dx[0] = tfc_grad_unbroadcast(g, gx, in_shape(g, node, 0));
    dx[1] = tfc_grad_unbroadcast(g, gy, in_shape(g, node, 1));
}

static void grad_add(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    unbroadcast_both(g, node, dy[0], dy[0], dx);
}

static void grad_sub(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    unbroadcast_both(g, node, dy[0], tfc_neg(g, dy[0], NULL), dx);
}

static void grad_mul(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 1);
    unbroadcast_both(g, node, tfc_mul(g, dy[0], y, NULL), tfc_mul(g, x, dy[0], NULL), dx);
}

/* d(x/y) = dy/y, -dy*x/y^2 */
static void grad_div(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 1);
    tfc_out gx = tfc_div(g, dy[0], y, NULL);
    tfc_out gy = tfc_mul(g, dy[0], tfc_div(g, tfc_div(g, tfc_neg(g, x, NULL), y, NULL), y, NULL), NULL);
    unbroadcast_both(g, node, gx, gy, dx);
}

/* The gradient goes to x where x wins (ties to x, as TensorFlow), to y elsewhere. */
static void grad_select(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx, bool is_max)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 1);
    tfc_out xwins = is_max ? tfc_greater_equal(g, x, y, NULL) : tfc_less_equal(g, x, y, NULL);
    tfc_out mask = tfc_cast(g, xwins, in_dtype(g, node, 0), NULL);
    tfc_out gx = tfc_mul(g, dy[0], mask, NULL);
    tfc_out gy = tfc_sub(g, dy[0], gx, NULL);
    unbroadcast_both(g, node, gx, gy, dx);
}

static void grad_max(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { grad_select(g, node, dy, dx, true); }
static void grad_min(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx) { grad_select(g, node, dy, dx, false); }

/* ---- definitions ---- */

static bool k_add(tfc_kernel_ctx *k) { return arith_kernel(k, OP_ADD); }
static bool k_sub(tfc_kernel_ctx *k) { return arith_kernel(k, OP_SUB); }
static bool k_mul(tfc_kernel_ctx *k) { return arith_kernel(k, OP_MUL); }
static bool k_div(tfc_kernel_ctx *k) { return arith_kernel(k, OP_DIV); }
static bool k_max(tfc_kernel_ctx *k) { return arith_kernel(k, OP_MAX); }
static bool k_min(tfc_kernel_ctx *k) { return arith_kernel(k, OP_MIN); }
static bool k_eq(tfc_kernel_ctx *k) { return cmp_kernel(k, CMP_EQ); }
static bool k_ge(tfc_kernel_ctx *k) { return cmp_kernel(k, CMP_GE); }
static bool k_le(tfc_kernel_ctx *k) { return cmp_kernel(k, CMP_LE); }

const tfc_op_def tfc_op_AddV2 = {"AddV2", infer_arith, k_add, grad_add, 0, .ninputs = 2};
const tfc_op_def tfc_op_Sub = {"Sub", infer_arith, k_sub, grad_sub, 0, .ninputs = 2};
const tfc_op_def tfc_op_Mul = {"Mul", infer_arith, k_mul, grad_mul, 0, .ninputs = 2};
const tfc_op_def tfc_op_RealDiv = {"RealDiv", infer_arith, k_div, grad_div, 0, .ninputs = 2};
const tfc_op_def tfc_op_Maximum = {"Maximum", infer_arith, k_max, grad_max, 0, .ninputs = 2};
const tfc_op_def tfc_op_Minimum = {"Minimum", infer_arith, k_min, grad_min, 0, .ninputs = 2};
const tfc_op_def tfc_op_Equal = {"Equal", infer_cmp, k_eq, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_GreaterEqual = {"GreaterEqual", infer_cmp, k_ge, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_LessEqual = {"LessEqual", infer_cmp, k_le, NULL, 0, .ninputs = 2};

tfc_out tfc_add(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "AddV2", x, y, name ? name : "add"); }
tfc_out tfc_sub(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Sub", x, y, name ? name : "sub"); }
tfc_out tfc_mul(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Mul", x, y, name ? name : "mul"); }
tfc_out tfc_div(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "RealDiv", x, y, name ? name : "truediv"); }
tfc_out tfc_maximum(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Maximum", x, y, name); }
tfc_out tfc_minimum(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Minimum", x, y, name); }

static tfc_out comparison(tfc_graph *g, const char *type, tfc_out x, tfc_out y, const char *name)
{
    int n = tfc_node_begin(g, type, name, (tfc_out[]){x, y}, 2, 1);
    tfc_set_T(g, n);
    if (n >= 0 && strcmp(type, "Equal") == 0) tfc_set_attr_bool(g, n, "incompatible_shape_error", true);
    return tfc_node_finish(g, n);
}

tfc_out tfc_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "Equal", x, y, name); }
tfc_out tfc_greater_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "GreaterEqual", x, y, name); }
tfc_out tfc_less_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "LessEqual", x, y, name); }

/* ---- AddN: the sum of N tensors of one shape (gradient accumulation) ---- */

static bool infer_addn(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node);
    tfc_shape s = in_shape(g, node, 0);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    for (int i = 1; i < n; i++) {
        tfc_shape si = in_shape(g, node, i);
        if (in_dtype(g, node, i) != in_dtype(g, node, 0))
            return tfc_node_error(g, node, "input %d has dtype %s, input 0 %s", i, tfc_dtype_name(in_dtype(g, node, i)),
                                  tfc_dtype_name(in_dtype(g, node, 0)));
        tfc_shape m;
        if (!tfc_broadcast_shapes(s, si, &m) || m.rank != si.rank || m.rank != s.rank)
            return tfc_node_error(g, node, "input %d has shape %s, input 0 %s", i, tfc_shape_str(si, a), tfc_shape_str(s, b));
        s = m;
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), s);
    return true;
}

static bool k_addn(tfc_kernel_ctx *k)
{
    const tfc_tensor *x0 = k->in[0];
    if (x0->dtype != TFC_FLOAT) return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x0->dtype));
    for (int i = 1; i < k->ninputs; i++)
        if (!tfc_shape_equal(k->in[i]->shape, x0->shape)) {
            char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
            return tfc_kernel_error(k, "input %d has shape %s, input 0 %s", i, tfc_shape_str(k->in[i]->shape, a),
                                    tfc_shape_str(x0->shape, b));
        }
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_FLOAT, x0->shape);
    if (!z) return false;
    float *zp = z->data;
    memcpy(zp, x0->data, tfc_tensor_nbytes(x0));
    for (int i = 1; i < k->ninputs; i++) {
        const float *xp = k->in[i]->data;
        for (int64_t j = 0; j < z->size; j++) zp[j] += xp[j];
    }
    return true;
}

static void grad_addn(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    for (int i = 0; i < tfc_node_num_inputs(g, node); i++) dx[i] = dy[0];
}

const tfc_op_def tfc_op_AddN = {"AddN", infer_addn, k_addn, grad_addn, 0, .ninputs = TFC_INPUTS_LIST};

tfc_out tfc_add_n(tfc_graph *g, const tfc_out *xs, int n, const char *name)
{
    if (n == 1) return xs[0];
    int node = tfc_node_begin(g, "AddN", name, xs, n, 1);
    tfc_set_attr_int(g, node, "N", n);
    tfc_set_T(g, node);
    return tfc_node_finish(g, node);
}
