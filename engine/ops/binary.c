/* Elementwise binary ops with NumPy broadcasting: AddV2 Sub Mul RealDiv Maximum Minimum Pow
 * SquaredDifference MulNoNan DivNoNan FloorDiv FloorMod, the comparisons Equal NotEqual Greater GreaterEqual Less LessEqual,
 * LogicalAnd LogicalOr, and AddN. Arithmetic runs on float32, int32 and int64 (RealDiv, MulNoNan
 * and DivNoNan on float32, as TensorFlow's CPU kernels). */
#include <math.h>
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

typedef enum {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN, OP_POW, OP_SQDIFF, OP_MULNONAN, OP_DIVNONAN, OP_FLOORDIV, OP_FLOORMOD
} arith_op;
typedef enum { CMP_EQ, CMP_NE, CMP_GT, CMP_GE, CMP_LT, CMP_LE, CMP_AND, CMP_OR } cmp_op;

/* x^y for integers by squaring (y >= 0; the caller rejects negative exponents). */
#define INT_POW(T)                                                                                     \
    static T pow_##T(T x, T y)                                                                         \
    {                                                                                                  \
        T r = 1;                                                                                       \
        for (; y > 0; y >>= 1, x = (T)((uint64_t)x * (uint64_t)x))                                     \
            if (y & 1) r = (T)((uint64_t)r * (uint64_t)x);                                             \
        return r;                                                                                      \
    }
INT_POW(int32_t)
INT_POW(int64_t)

/* Division rounding towards minus infinity, and the remainder with the divisor's sign (y != 0). */
#define INT_FLOOR(T)                                                                                   \
    static T floor_div_##T(T x, T y)                                                                   \
    {                                                                                                  \
        T q = (T)(x / y);                                                                              \
        return (x % y != 0 && ((x < 0) != (y < 0))) ? (T)(q - 1) : q;                                 \
    }                                                                                                  \
    static T floor_mod_##T(T x, T y)                                                                   \
    {                                                                                                  \
        T r = (T)(x % y);                                                                              \
        return (r != 0 && ((r < 0) != (y < 0))) ? (T)(r + y) : r;                                      \
    }
INT_FLOOR(int32_t)
INT_FLOOR(int64_t)

static float floor_mod_float(float x, float y)
{
    float r = fmodf(x, y);
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}

/* Wrapping integer arithmetic, as TensorFlow's (two's complement), without C's overflow UB. */
#define WRAP(T, a, op, b) ((T)((uint64_t)(a)op(uint64_t)(b)))

#define INT_ARITH(T)                                                                                   \
    do {                                                                                               \
        const T *xp = x->data, *yp = y->data;                                                          \
        T *zp = z->data;                                                                               \
        if (op == OP_POW)                                                                              \
            for (int64_t i = 0; i < y->size; i++)                                                      \
                if (yp[i] < 0) return tfc_kernel_error(k, "integers to negative integer powers are not allowed"); \
        if (op == OP_FLOORDIV || op == OP_FLOORMOD)                                                    \
            for (int64_t i = 0; i < y->size; i++)                                                      \
                if (!yp[i]) return tfc_kernel_error(k, "integer division by zero");                    \
        switch (op) {                                                                                  \
        case OP_ADD: BCAST_LOOP(x, y, n, b, zp[i] = WRAP(T, xp[ix], +, yp[iy])); break;                \
        case OP_SUB: BCAST_LOOP(x, y, n, b, zp[i] = WRAP(T, xp[ix], -, yp[iy])); break;                \
        case OP_MUL: BCAST_LOOP(x, y, n, b, zp[i] = WRAP(T, xp[ix], *, yp[iy])); break;                \
        case OP_MAX: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] > yp[iy] ? xp[ix] : yp[iy]); break;         \
        case OP_MIN: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] < yp[iy] ? xp[ix] : yp[iy]); break;         \
        case OP_POW: BCAST_LOOP(x, y, n, b, zp[i] = pow_##T(xp[ix], yp[iy])); break;                   \
        case OP_SQDIFF: BCAST_LOOP(x, y, n, b, T d_ = WRAP(T, xp[ix], -, yp[iy]); zp[i] = WRAP(T, d_, *, d_)); break; \
        case OP_FLOORDIV: BCAST_LOOP(x, y, n, b, zp[i] = floor_div_##T(xp[ix], yp[iy])); break;        \
        case OP_FLOORMOD: BCAST_LOOP(x, y, n, b, zp[i] = floor_mod_##T(xp[ix], yp[iy])); break;        \
        default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));  \
        }                                                                                              \
    } while (0)

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
        switch (op) {
        case OP_ADD: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] + yp[iy]); break;
        case OP_SUB: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] - yp[iy]); break;
        case OP_MUL: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] * yp[iy]); break;
        case OP_DIV: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] / yp[iy]); break;
        case OP_MAX: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] > yp[iy] ? xp[ix] : yp[iy]); break;
        case OP_MIN: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] < yp[iy] ? xp[ix] : yp[iy]); break;
        case OP_POW: BCAST_LOOP(x, y, n, b, zp[i] = powf(xp[ix], yp[iy])); break;
        case OP_SQDIFF: BCAST_LOOP(x, y, n, b, float d_ = xp[ix] - yp[iy]; zp[i] = d_ * d_); break;
        case OP_MULNONAN: BCAST_LOOP(x, y, n, b, zp[i] = yp[iy] == 0 ? 0.0f : xp[ix] * yp[iy]); break;
        case OP_DIVNONAN: BCAST_LOOP(x, y, n, b, zp[i] = yp[iy] == 0 ? 0.0f : xp[ix] / yp[iy]); break;
        case OP_FLOORDIV: BCAST_LOOP(x, y, n, b, zp[i] = floorf(xp[ix] / yp[iy])); break;
        case OP_FLOORMOD: BCAST_LOOP(x, y, n, b, zp[i] = floor_mod_float(xp[ix], yp[iy])); break;
        }
        break;
    }
    case TFC_INT32: INT_ARITH(int32_t); break;
    case TFC_INT64: INT_ARITH(int64_t); break;
    default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(x->dtype));
    }
    return true;
}

#define CMP_CASES(T)                                                                                   \
    do {                                                                                               \
        const T *xp = x->data, *yp = y->data;                                                          \
        switch (op) {                                                                                  \
        case CMP_EQ: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] == yp[iy]); break;                          \
        case CMP_NE: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] != yp[iy]); break;                          \
        case CMP_GT: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] > yp[iy]); break;                           \
        case CMP_GE: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] >= yp[iy]); break;                          \
        case CMP_LT: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] < yp[iy]); break;                           \
        case CMP_LE: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] <= yp[iy]); break;                          \
        case CMP_AND: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] && yp[iy]); break;                         \
        case CMP_OR: BCAST_LOOP(x, y, n, b, zp[i] = xp[ix] || yp[iy]); break;                          \
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

static bool infer_binary(tfc_graph *g, int node, tfc_dtype_set types, bool to_bool)
{
    tfc_shape sx = in_shape(g, node, 0), sy = in_shape(g, node, 1), so;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], nx[256], ny[256];
    if (!tfc_require_same_dtype(g, node, 0, 1) || !tfc_require_dtype(g, node, 0, types)) return false;
    tfc_out_name(g, in_out(g, node, 0), nx, sizeof nx);
    tfc_out_name(g, in_out(g, node, 1), ny, sizeof ny);
    if (!tfc_broadcast_shapes(sx, sy, &so))
        return tfc_node_error(g, node, "shapes cannot be broadcast: '%s' is %s, '%s' is %s", nx,
                              tfc_shape_str(sx, a), ny, tfc_shape_str(sy, b));
    tfc_node_set_output(g, node, 0, to_bool ? TFC_BOOL : in_dtype(g, node, 0), so);
    return true;
}

#define ORDERED (TFC_NUMBERS | TFC_DTYPE_BIT(TFC_UINT8))
#define EQUATABLE (ORDERED | TFC_DTYPE_BIT(TFC_BOOL))

static bool infer_arith(tfc_graph *g, int node) { return infer_binary(g, node, TFC_NUMBERS, false); }
static bool infer_float_arith(tfc_graph *g, int node) { return infer_binary(g, node, TFC_FLOATS, false); }
static bool infer_order(tfc_graph *g, int node) { return infer_binary(g, node, ORDERED, true); }
static bool infer_equality(tfc_graph *g, int node) { return infer_binary(g, node, EQUATABLE, true); }
static bool infer_logical(tfc_graph *g, int node) { return infer_binary(g, node, TFC_DTYPE_BIT(TFC_BOOL), true); }

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

static tfc_out mul_no_nan(tfc_graph *g, tfc_out x, tfc_out y) { return tfc_binary(g, "MulNoNan", x, y, NULL); }

/* TensorFlow's: dx = dy * y * x^(y-1); dy = dy * z * log(x) where x > 0 and 0 elsewhere (no false
 * singularity at x = 0), each with MulNoNan (0 where dy is 0). */
static void grad_pow(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 1), z = node_out(node, 0);
    tfc_out ym1 = tfc_sub(g, y, tfc_const_scalar(g, 1.0f, "sub/y"), NULL);
    tfc_out gx = mul_no_nan(g, tfc_mul(g, y, tfc_binary(g, "Pow", x, ym1, NULL), NULL), dy[0]);
    tfc_out mask = tfc_greater(g, x, tfc_zeros_like(g, x, NULL), NULL);
    tfc_out safe_x = tfc_where(g, mask, x, tfc_ones_like(g, x, NULL), NULL);
    tfc_out log_x = tfc_where(g, mask, tfc_log(g, safe_x, NULL), tfc_zeros_like(g, x, NULL), NULL);
    tfc_out gy = mul_no_nan(g, tfc_mul(g, z, log_x, NULL), dy[0]);
    unbroadcast_both(g, node, gx, gy, dx);
}

/* d(x-y)^2 = 2 dy (x - y), and its negative for y. */
static void grad_sqdiff(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 1);
    tfc_out gx = tfc_mul(g, tfc_mul(g, tfc_const_scalar(g, 2.0f, "scalar"), dy[0], "Mul"), tfc_sub(g, x, y, NULL), NULL);
    unbroadcast_both(g, node, gx, tfc_neg(g, gx, NULL), dx);
}

/* MulNoNan(x, y): d/dx = MulNoNan(dy, y), d/dy = MulNoNan(x, dy). */
static void grad_mul_no_nan(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 1);
    unbroadcast_both(g, node, mul_no_nan(g, dy[0], y), mul_no_nan(g, x, dy[0]), dx);
}

static tfc_out div_no_nan(tfc_graph *g, tfc_out x, tfc_out y) { return tfc_binary(g, "DivNoNan", x, y, NULL); }

/* DivNoNan(x, y): d/dx = DivNoNan(dy, y), d/dy = dy * DivNoNan(DivNoNan(-x, y), y). */
static void grad_div_no_nan(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), y = in_out(g, node, 1);
    tfc_out gy = tfc_mul(g, dy[0], div_no_nan(g, div_no_nan(g, tfc_neg(g, x, NULL), y), y), NULL);
    unbroadcast_both(g, node, div_no_nan(g, dy[0], y), gy, dx);
}

/* FloorMod(x, y) = x - floor(x / y) * y: dx = dy, dy = -dy * floor(x / y). FloorDiv has no gradient. */
static void grad_floor_mod(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out q = tfc_binary(g, "FloorDiv", in_out(g, node, 0), in_out(g, node, 1), NULL);
    unbroadcast_both(g, node, dy[0], tfc_mul(g, dy[0], tfc_neg(g, q, NULL), NULL), dx);
}

/* ---- definitions ---- */

#define KERNEL(fn, run, op)                                                                            \
    static bool fn(tfc_kernel_ctx *k) { return run(k, op); }
KERNEL(k_add, arith_kernel, OP_ADD)
KERNEL(k_sub, arith_kernel, OP_SUB)
KERNEL(k_mul, arith_kernel, OP_MUL)
KERNEL(k_div, arith_kernel, OP_DIV)
KERNEL(k_max, arith_kernel, OP_MAX)
KERNEL(k_min, arith_kernel, OP_MIN)
KERNEL(k_pow, arith_kernel, OP_POW)
KERNEL(k_sqdiff, arith_kernel, OP_SQDIFF)
KERNEL(k_mul_no_nan, arith_kernel, OP_MULNONAN)
KERNEL(k_div_no_nan, arith_kernel, OP_DIVNONAN)
KERNEL(k_floor_div, arith_kernel, OP_FLOORDIV)
KERNEL(k_floor_mod, arith_kernel, OP_FLOORMOD)
KERNEL(k_eq, cmp_kernel, CMP_EQ)
KERNEL(k_ne, cmp_kernel, CMP_NE)
KERNEL(k_gt, cmp_kernel, CMP_GT)
KERNEL(k_ge, cmp_kernel, CMP_GE)
KERNEL(k_lt, cmp_kernel, CMP_LT)
KERNEL(k_le, cmp_kernel, CMP_LE)
KERNEL(k_and, cmp_kernel, CMP_AND)
KERNEL(k_or, cmp_kernel, CMP_OR)
#undef KERNEL

const tfc_op_def tfc_op_AddV2 = {"AddV2", infer_arith, k_add, grad_add, 0, .ninputs = 2};
const tfc_op_def tfc_op_Sub = {"Sub", infer_arith, k_sub, grad_sub, 0, .ninputs = 2};
const tfc_op_def tfc_op_Mul = {"Mul", infer_arith, k_mul, grad_mul, 0, .ninputs = 2};
const tfc_op_def tfc_op_RealDiv = {"RealDiv", infer_float_arith, k_div, grad_div, 0, .ninputs = 2};
const tfc_op_def tfc_op_Maximum = {"Maximum", infer_arith, k_max, grad_max, 0, .ninputs = 2};
const tfc_op_def tfc_op_Minimum = {"Minimum", infer_arith, k_min, grad_min, 0, .ninputs = 2};
const tfc_op_def tfc_op_Pow = {"Pow", infer_arith, k_pow, grad_pow, 0, .ninputs = 2};
const tfc_op_def tfc_op_SquaredDifference = {"SquaredDifference", infer_arith, k_sqdiff, grad_sqdiff, 0, .ninputs = 2};
const tfc_op_def tfc_op_MulNoNan = {"MulNoNan", infer_float_arith, k_mul_no_nan, grad_mul_no_nan, 0, .ninputs = 2};
const tfc_op_def tfc_op_DivNoNan = {"DivNoNan", infer_float_arith, k_div_no_nan, grad_div_no_nan, 0, .ninputs = 2};
const tfc_op_def tfc_op_FloorDiv = {"FloorDiv", infer_arith, k_floor_div, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_FloorMod = {"FloorMod", infer_arith, k_floor_mod, grad_floor_mod, 0, .ninputs = 2};
const tfc_op_def tfc_op_Equal = {"Equal", infer_equality, k_eq, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_NotEqual = {"NotEqual", infer_equality, k_ne, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_Greater = {"Greater", infer_order, k_gt, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_GreaterEqual = {"GreaterEqual", infer_order, k_ge, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_Less = {"Less", infer_order, k_lt, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_LessEqual = {"LessEqual", infer_order, k_le, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_LogicalAnd = {"LogicalAnd", infer_logical, k_and, NULL, 0, .ninputs = 2};
const tfc_op_def tfc_op_LogicalOr = {"LogicalOr", infer_logical, k_or, NULL, 0, .ninputs = 2};

tfc_out tfc_add(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "AddV2", x, y, name ? name : "add"); }
tfc_out tfc_sub(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Sub", x, y, name ? name : "sub"); }
tfc_out tfc_mul(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Mul", x, y, name ? name : "mul"); }
tfc_out tfc_div(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "RealDiv", x, y, name ? name : "truediv"); }
tfc_out tfc_maximum(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Maximum", x, y, name); }
tfc_out tfc_minimum(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Minimum", x, y, name); }
tfc_out tfc_pow(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return tfc_binary(g, "Pow", x, y, name); }
tfc_out tfc_squared_difference(tfc_graph *g, tfc_out x, tfc_out y, const char *name)
{
    return tfc_binary(g, "SquaredDifference", x, y, name);
}

static tfc_out comparison(tfc_graph *g, const char *type, tfc_out x, tfc_out y, const char *name)
{
    int n = tfc_node_begin(g, type, name, (tfc_out[]){x, y}, 2, 1);
    tfc_set_T(g, n);
    if (n >= 0 && (strcmp(type, "Equal") == 0 || strcmp(type, "NotEqual") == 0))
        tfc_set_attr_bool(g, n, "incompatible_shape_error", true);
    return tfc_node_finish(g, n);
}

tfc_out tfc_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "Equal", x, y, name); }
tfc_out tfc_not_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "NotEqual", x, y, name); }
tfc_out tfc_greater(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "Greater", x, y, name); }
tfc_out tfc_greater_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "GreaterEqual", x, y, name); }
tfc_out tfc_less(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "Less", x, y, name); }
tfc_out tfc_less_equal(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return comparison(g, "LessEqual", x, y, name); }

static tfc_out logical(tfc_graph *g, const char *type, tfc_out x, tfc_out y, const char *name)
{
    return tfc_node_finish(g, tfc_node_begin(g, type, name, (tfc_out[]){x, y}, 2, 1));
}

tfc_out tfc_logical_and(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return logical(g, "LogicalAnd", x, y, name); }
tfc_out tfc_logical_or(tfc_graph *g, tfc_out x, tfc_out y, const char *name) { return logical(g, "LogicalOr", x, y, name); }

/* ---- AddN: the sum of N tensors of one shape (gradient accumulation) ---- */

static bool infer_addn(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node);
    tfc_shape s = in_shape(g, node, 0);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_NUMBERS) || !tfc_require_same_dtype(g, node, 0, n - 1)) return false;
    for (int i = 1; i < n; i++) {
        tfc_shape si = in_shape(g, node, i), m;
        if (!tfc_broadcast_shapes(s, si, &m) || (si.rank >= 0 && s.rank >= 0 && (m.rank != si.rank || m.rank != s.rank)))
            return tfc_node_error(g, node, "input %d has shape %s, input 0 %s", i, tfc_shape_str(si, a), tfc_shape_str(s, b));
        s = s.rank >= 0 ? m : si;
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), s);
    return true;
}

static bool k_addn(tfc_kernel_ctx *k)
{
    const tfc_tensor *x0 = k->in[0];
    for (int i = 1; i < k->ninputs; i++)
        if (!tfc_shape_equal(k->in[i]->shape, x0->shape) || k->in[i]->dtype != x0->dtype) {
            char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
            return tfc_kernel_error(k, "input %d has shape %s, input 0 %s", i, tfc_shape_str(k->in[i]->shape, a),
                                    tfc_shape_str(x0->shape, b));
        }
    tfc_tensor *z = tfc_kernel_output(k, 0, x0->dtype, x0->shape);
    if (!z) return false;
    memcpy(z->data, x0->data, tfc_tensor_nbytes(x0));
    TFC_NUMERIC_SWITCH(x0->dtype, T, {
        T *zp = z->data;
        for (int i = 1; i < k->ninputs; i++) {
            const T *xp = k->in[i]->data;
            for (int64_t j = 0; j < z->size; j++) zp[j] = (T)(zp[j] + xp[j]);
        }
    })
    return true;
}

static void grad_addn(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    for (int i = 0; i < tfc_node_num_inputs(g, node); i++) dx[i] = dy[0];
}

const tfc_op_def tfc_op_AddN = {"AddN", infer_addn, k_addn, grad_addn, 0, .ninputs = TFC_INPUTS_LIST};

tfc_out tfc_add_n(tfc_graph *g, const tfc_out *xs, int n, const char *name)
{
    if (!tfc_builder_array(g, "tfc_add_n", name, "AddN", "xs", xs, n)) return TFC_NO_OUT;
    if (n == 1) return name ? tfc_identity(g, xs[0], name) : xs[0]; /* as tf.add_n: a name asked for is a node */
    int node = tfc_node_begin(g, "AddN", name, xs, n, 1);
    tfc_set_attr_int(g, node, "N", n);
    tfc_set_T(g, node);
    return tfc_node_finish(g, node);
}
