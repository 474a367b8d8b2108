/* Ops that take boxes out of tensors or put them in: Slice, StridedSlice (with StridedSliceGrad,
 * its gradient), Pad, Tile, Transpose (and InvertPermutation). All move elements as bytes with one
 * strided copy, so every dtype of fixed size works. */
#include <stdio.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"

/* ---- the one strided copy ---- */

/* Row-major strides (in elements) of a shape. */
static void contiguous(tfc_shape s, int64_t *stride)
{
    int64_t st = 1;
    for (int i = s.rank - 1; i >= 0; i--) {
        stride[i] = st;
        st *= s.dims[i];
    }
}

/* For every index idx of shape: dst[dbase + sum idx*dstride] = src[sbase + sum idx*sstride]
 * (elements of es bytes). Runs along the last dim are copied in one go where both are dense. */
static void move_box(char *dst, int64_t dbase, const int64_t *dstride, const char *src, int64_t sbase,
                     const int64_t *sstride, tfc_shape shape, size_t es)
{
    int r = shape.rank;
    if (tfc_shape_numel(shape) == 0) return;
    if (r == 0) {
        memcpy(dst + (size_t)dbase * es, src + (size_t)sbase * es, es);
        return;
    }
    int64_t idx[TFC_MAX_DIMS] = {0}, len = shape.dims[r - 1], ds = dstride[r - 1], ss = sstride[r - 1];
    for (;;) {
        char *d = dst + (size_t)dbase * es;
        const char *s = src + (size_t)sbase * es;
        if (ds == 1 && ss == 1)
            memcpy(d, s, (size_t)len * es);
        else
            for (int64_t j = 0; j < len; j++) memcpy(d + (ptrdiff_t)(j * ds) * (ptrdiff_t)es, s + (ptrdiff_t)(j * ss) * (ptrdiff_t)es, es);
        int k = r - 2;
        for (; k >= 0; k--) {
            dbase += dstride[k];
            sbase += sstride[k];
            if (++idx[k] < shape.dims[k]) break;
            dbase -= dstride[k] * idx[k];
            sbase -= sstride[k] * idx[k];
            idx[k] = 0;
        }
        if (k < 0) return;
    }
}

/* The int32/int64 vector of a Const input, false when the input is not a constant vector. */
static bool const_vector(const tfc_graph *g, int node, int i, int64_t *v, int *n, int max)
{
    const tfc_tensor *t = tfc_graph_const_value(g, in_out(g, node, i));
    if (!t || t->shape.rank != 1 || t->size > max) return false;
    *n = (int)t->size;
    for (int64_t j = 0; j < t->size; j++) v[j] = (int64_t)tfc_tensor_get(t, j);
    return true;
}

static bool vector_of(const tfc_tensor *t, int64_t *v, int n)
{
    if (t->shape.rank != 1 || t->size != n) return false;
    for (int i = 0; i < n; i++) v[i] = (int64_t)tfc_tensor_get(t, i);
    return true;
}

/* An int vector Const of the index dtype dt. */
static tfc_out const_index_vector(tfc_graph *g, const int64_t *v, int n, tfc_dtype dt, const char *name)
{
    tfc_tensor *t = tfc_tensor_new(dt, TFC_SHAPE(n));
    for (int i = 0; t && i < n; i++) tfc_set_index(t, i, v[i]);
    tfc_out c = tfc_const(g, t, name);
    tfc_tensor_free(t);
    return c;
}

/* ---- Slice: (input, begin, size), size -1 meaning "to the end" ---- */

/* The output shape from begin and size (either may be NULL: unknown) for an input shape; false
 * with a reason when the box does not fit. */
static bool slice_shape(tfc_shape in, const int64_t *begin, const int64_t *size, tfc_shape *out, char *why, size_t n)
{
    out->rank = in.rank;
    for (int i = 0; i < in.rank; i++) {
        int64_t b = begin ? begin[i] : -1, d = in.dims[i], s = size ? size[i] : -2;
        if (begin && b < 0) return snprintf(why, n, "begin[%d] is negative (%lld)", i, (long long)b), false;
        if (size && s < -1) return snprintf(why, n, "size[%d] is %lld", i, (long long)s), false;
        if (s == -1) s = begin && d >= 0 ? d - b : -1;
        if (begin && d >= 0 && s >= 0 && b + s > d)
            return snprintf(why, n, "begin %lld + size %lld exceeds dim %d of size %lld", (long long)b, (long long)s, i,
                            (long long)d),
                   false;
        out->dims[i] = s >= 0 ? s : -1;
    }
    return true;
}

static bool infer_slice(tfc_graph *g, int node)
{
    tfc_shape in = in_shape(g, node, 0), out = TFC_UNKNOWN_SHAPE;
    int64_t begin[TFC_MAX_DIMS], size[TFC_MAX_DIMS];
    int nb = -1, ns = -1;
    char why[160], a[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS) ||
        !tfc_require_same_dtype(g, node, 1, 2))
        return false;
    bool hb = const_vector(g, node, 1, begin, &nb, TFC_MAX_DIMS), hs = const_vector(g, node, 2, size, &ns, TFC_MAX_DIMS);
    tfc_shape bs = in_shape(g, node, 1);
    int rank = in.rank >= 0 ? in.rank : hs ? ns : hb ? nb : bs.rank == 1 ? (int)bs.dims[0] : -1;
    if ((hb && nb != rank) || (hs && ns != rank))
        return tfc_node_error(g, node, "begin and size must have one entry per dim of the input %s", tfc_shape_str(in, a));
    if (rank >= 0) {
        if (in.rank < 0) {
            in.rank = rank;
            for (int i = 0; i < rank; i++) in.dims[i] = -1;
        }
        if (!slice_shape(in, hb ? begin : NULL, hs ? size : NULL, &out, why, sizeof why))
            return tfc_node_error(g, node, "%s (input %s)", why, tfc_shape_str(in, a));
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_slice(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    int64_t begin[TFC_MAX_DIMS], size[TFC_MAX_DIMS], stride[TFC_MAX_DIMS];
    tfc_shape out;
    char why[160], a[TFC_SHAPE_STR_MAX];
    if (!vector_of(k->in[1], begin, x->shape.rank) || !vector_of(k->in[2], size, x->shape.rank))
        return tfc_kernel_error(k, "begin and size must have one entry per dim of the input %s", tfc_shape_str(x->shape, a));
    if (!slice_shape(x->shape, begin, size, &out, why, sizeof why))
        return tfc_kernel_error(k, "%s (input %s)", why, tfc_shape_str(x->shape, a));
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, out);
    if (!z) return false;
    int64_t zs[TFC_MAX_DIMS], base = 0;
    contiguous(x->shape, stride);
    contiguous(out, zs);
    for (int i = 0; i < x->shape.rank; i++) base += begin[i] * stride[i];
    move_box(z->data, 0, zs, x->data, base, stride, out, tfc_dtype_size(x->dtype));
    return true;
}

/* dy padded back to the input's shape: begin before, the rest after (TensorFlow's gradient). */
static void grad_slice(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_out x = in_out(g, node, 0), begin = in_out(g, node, 1);
    tfc_dtype it = in_dtype(g, node, 1);
    tfc_shape xs = in_shape(g, node, 0), ys = tfc_node_output_shape(g, node, 0);
    int64_t b[TFC_MAX_DIMS], pads[2 * TFC_MAX_DIMS];
    int nb;
    tfc_out paddings;
    if (tfc_shape_known(xs) && tfc_shape_known(ys) && const_vector(g, node, 1, b, &nb, TFC_MAX_DIMS)) {
        for (int i = 0; i < xs.rank; i++) {
            pads[2 * i] = b[i];
            pads[2 * i + 1] = xs.dims[i] - ys.dims[i] - b[i];
        }
        tfc_tensor *t = tfc_tensor_new(it, TFC_SHAPE(xs.rank, 2));
        for (int i = 0; t && i < 2 * xs.rank; i++) tfc_set_index(t, i, pads[i]);
        paddings = tfc_const(g, t, "Const");
        tfc_tensor_free(t);
    } else {
        if (xs.rank < 0) {
            tfc_node_error(g, node, "the gradient needs the input's rank");
            return;
        }
        tfc_out col = const_index_vector(g, (const int64_t[]){xs.rank, 1}, 2, TFC_INT32, "stack");
        tfc_out before = tfc_binary(g, "Reshape", begin, col, "Reshape");
        tfc_set_attr_type(g, before.node, "Tshape", TFC_INT32);
        tfc_out rest = tfc_sub(g, tfc_sub(g, tfc_shape_tensor(g, x, it), tfc_shape_tensor(g, node_out(node, 0), it), NULL),
                               begin, NULL);
        tfc_out after = tfc_binary(g, "Reshape", rest, col, "Reshape_1");
        tfc_set_attr_type(g, after.node, "Tshape", TFC_INT32);
        paddings = tfc_concat(g, (tfc_out[]){before, after}, 2, 1, NULL);
    }
    int p = tfc_node_begin(g, "Pad", NULL, (tfc_out[]){dy[0], paddings}, 2, 1);
    tfc_set_T(g, p);
    tfc_set_type_of(g, p, "Tpaddings", 1);
    dx[0] = tfc_node_finish(g, p);
}

const tfc_op_def tfc_op_Slice = {"Slice", infer_slice, k_slice, grad_slice, 0, .ninputs = 3};

tfc_out tfc_slice_by(tfc_graph *g, tfc_out x, tfc_out begin, tfc_out size, const char *name)
{
    int n = tfc_node_begin(g, "Slice", name, (tfc_out[]){x, begin, size}, 3, 1);
    tfc_set_T(g, n);
    tfc_set_type_of(g, n, "Index", 1);
    return tfc_node_finish(g, n);
}

tfc_out tfc_slice(tfc_graph *g, tfc_out x, const int64_t *begin, const int64_t *size, int n, const char *name)
{
    char full[512];
    if (!tfc_builder_array(g, "tfc_slice", name, "Slice", "begin", begin, n) ||
        !tfc_builder_array(g, "tfc_slice", name, "Slice", "size", size, n))
        return TFC_NO_OUT;
    tfc_op_scope_push(g, name, "Slice", full);
    tfc_out b = const_index_vector(g, begin, n, TFC_INT32, "begin");
    tfc_out s = const_index_vector(g, size, n, TFC_INT32, "size");
    tfc_scope_pop(g);
    return tfc_slice_by(g, x, b, s, full);
}

/* ---- StridedSlice and StridedSliceGrad ---- */

/* A strided slice resolved against a shape (TensorFlow's ValidateStridedSliceOp): per input dim
 * the first index, the step and the count taken (the "processing shape"), and the output shape
 * with shrunk dims dropped and new axes of size 1 added. */
typedef struct {
    int64_t begin[TFC_MAX_DIMS], step[TFC_MAX_DIMS];
    tfc_shape box;
    tfc_shape out;
} strided_plan;

typedef struct {
    int64_t begin, end, ellipsis, new_axis, shrink;
} slice_masks;

static slice_masks masks_of(const tfc_graph *g, int node)
{
    return (slice_masks){tfc_attr_int(g, node, "begin_mask", 0), tfc_attr_int(g, node, "end_mask", 0),
                         tfc_attr_int(g, node, "ellipsis_mask", 0), tfc_attr_int(g, node, "new_axis_mask", 0),
                         tfc_attr_int(g, node, "shrink_axis_mask", 0)};
}

/* b, e, s hold n sparse entries; dims of `in` may be -1 (then so is the count there). */
static bool plan_strided(tfc_shape in, const int64_t *b, const int64_t *e, const int64_t *s, int n, slice_masks m,
                         strided_plan *p, char *why, size_t len)
{
    enum { NEW_AXIS = -1, SHRINK = -2 };
    if (n > 30) return snprintf(why, len, "more than 30 slice entries"), false;
    if (m.ellipsis & (m.ellipsis - 1)) return snprintf(why, len, "more than one ellipsis"), false;
    int after = 0, sparse = n;
    bool seen = false;
    for (int i = 0; i < n; i++) {
        if (seen && (m.new_axis >> i & 1)) after++;
        if (m.ellipsis >> i & 1) seen = true;
    }
    if (!seen) m.ellipsis |= 1ll << sparse++; /* an implicit ellipsis at the end */
    int64_t db[TFC_MAX_DIMS], de[TFC_MAX_DIMS], ds[TFC_MAX_DIMS];
    int64_t dbm = 0, dem = 0, dshrink = 0;
    int gather[40], ng = 0, full = 0;
    for (int i = 0; i < sparse; i++) {
        if (m.ellipsis >> i & 1) {
            int next = in.rank - (sparse - i) + 1 + after;
            if (next > in.rank) next = in.rank;
            for (; full < next; full++) {
                db[full] = de[full] = 0;
                ds[full] = 1;
                dbm |= 1ll << full;
                dem |= 1ll << full;
                gather[ng++] = full;
            }
        } else if (m.new_axis >> i & 1) {
            gather[ng++] = NEW_AXIS;
        } else {
            if (full == in.rank) return snprintf(why, len, "the slice has more entries than the input's %d dims", in.rank), false;
            db[full] = b[i];
            de[full] = e[i];
            ds[full] = s[i];
            if (m.begin >> i & 1) dbm |= 1ll << full;
            if (m.end >> i & 1) dem |= 1ll << full;
            if (m.shrink >> i & 1) {
                gather[ng++] = SHRINK;
                dshrink |= 1ll << full;
            } else {
                gather[ng++] = full;
            }
            full++;
        }
    }
    p->box.rank = in.rank;
    for (int i = 0; i < in.rank; i++) {
        int64_t st = ds[i], dim = in.dims[i], bi = db[i], ei = de[i];
        bool shrink = dshrink >> i & 1;
        if (st == 0) return snprintf(why, len, "strides[%d] is 0", i), false;
        if (shrink && st <= 0) return snprintf(why, len, "only stride 1 is allowed where an index is taken (dim %d)", i), false;
        p->step[i] = st;
        if (dim < 0) {
            p->begin[i] = 0;
            p->box.dims[i] = shrink ? 1 : -1;
            continue;
        }
        if (shrink) {
            int64_t x = bi < 0 ? dim + bi : bi;
            if (x < 0 || x >= dim)
                return snprintf(why, len, "index %lld is out of bounds for dim %d of size %lld", (long long)bi, i, (long long)dim),
                       false;
            bi = x;
            ei = x + 1;
        } else {
            int64_t lo = st > 0 ? 0 : -1, hi = st > 0 ? dim : dim - 1;
            if (dbm >> i & 1) {
                bi = st > 0 ? lo : hi;
            } else {
                bi = bi < 0 ? dim + bi : bi;
                bi = bi < lo ? lo : bi > hi ? hi : bi;
            }
            if (dem >> i & 1) {
                ei = st > 0 ? hi : lo;
            } else {
                ei = ei < 0 ? dim + ei : ei;
                ei = ei < lo ? lo : ei > hi ? hi : ei;
            }
        }
        int64_t span = ei - bi;
        p->begin[i] = bi;
        p->box.dims[i] = span == 0 || ((span < 0) != (st < 0)) ? 0 : span / st + (span % st != 0);
    }
    p->out.rank = 0;
    for (int i = 0; i < ng; i++) {
        if (gather[i] == SHRINK) continue;
        if (p->out.rank == TFC_MAX_DIMS) return snprintf(why, len, "the result would have more than %d dims", TFC_MAX_DIMS), false;
        p->out.dims[p->out.rank++] = gather[i] == NEW_AXIS ? 1 : p->box.dims[gather[i]];
    }
    return true;
}

/* Plans a node's slice: spec inputs first..first+2 (begin, end, strides) against shape in. From
 * Consts at build time (false without an error when they are not constant). */
static bool plan_of_consts(tfc_graph *g, int node, int first, tfc_shape in, strided_plan *p, bool *have)
{
    int64_t b[32], e[32], s[32];
    int nb, ne, ns;
    char why[200], a[TFC_SHAPE_STR_MAX];
    *have = false;
    if (in.rank < 0 || !const_vector(g, node, first, b, &nb, 32) || !const_vector(g, node, first + 1, e, &ne, 32) ||
        !const_vector(g, node, first + 2, s, &ns, 32))
        return true;
    if (nb != ne || nb != ns) return tfc_node_error(g, node, "begin, end and strides differ in length");
    if (!plan_strided(in, b, e, s, nb, masks_of(g, node), p, why, sizeof why))
        return tfc_node_error(g, node, "%s (input %s)", why, tfc_shape_str(in, a));
    *have = true;
    return true;
}

static bool plan_at_run(tfc_kernel_ctx *k, int first, tfc_shape in, strided_plan *p)
{
    int64_t b[32], e[32], s[32];
    int n = (int)k->in[first]->size;
    char why[200], a[TFC_SHAPE_STR_MAX];
    if (n > 32 || !vector_of(k->in[first], b, n) || !vector_of(k->in[first + 1], e, n) || !vector_of(k->in[first + 2], s, n))
        return tfc_kernel_error(k, "begin, end and strides must be vectors of one length");
    if (!plan_strided(in, b, e, s, n, masks_of(k->graph, k->node), p, why, sizeof why))
        return tfc_kernel_error(k, "%s (input %s)", why, tfc_shape_str(in, a));
    return true;
}

static bool require_spec_types(tfc_graph *g, int node, int first)
{
    return tfc_require_dtype(g, node, first, TFC_INTS) && tfc_require_same_dtype(g, node, first, first + 2);
}

static bool infer_strided_slice(tfc_graph *g, int node)
{
    strided_plan p;
    bool have;
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !require_spec_types(g, node, 1) ||
        !plan_of_consts(g, node, 1, in_shape(g, node, 0), &p, &have))
        return false;
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), have ? p.out : TFC_UNKNOWN_SHAPE);
    return true;
}

/* The offset of the box's first element and the steps through the full tensor of shape s. */
static int64_t box_strides(const strided_plan *p, tfc_shape s, int64_t *stride)
{
    int64_t base = 0;
    contiguous(s, stride);
    for (int i = 0; i < s.rank; i++) {
        base += p->begin[i] * stride[i];
        stride[i] *= p->step[i];
    }
    return base;
}

static bool k_strided_slice(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    strided_plan p;
    if (!plan_at_run(k, 1, x->shape, &p)) return false;
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, p.out);
    if (!z) return false;
    int64_t xs[TFC_MAX_DIMS], zs[TFC_MAX_DIMS];
    int64_t base = box_strides(&p, x->shape, xs);
    contiguous(p.box, zs);
    move_box(z->data, 0, zs, x->data, base, xs, p.box, tfc_dtype_size(x->dtype));
    return true;
}

static void copy_slice_attrs(tfc_graph *g, int from, int to)
{
    static const char *const names[] = {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"};
    for (int i = 0; i < 5; i++) tfc_set_attr_int(g, to, names[i], tfc_attr_int(g, from, names[i], 0));
}

static void grad_strided_slice(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_dtype it = in_dtype(g, node, 1);
    tfc_out shape = tfc_shape_tensor(g, in_out(g, node, 0), it);
    int n = tfc_node_begin(g, "StridedSliceGrad", NULL,
                           (tfc_out[]){shape, in_out(g, node, 1), in_out(g, node, 2), in_out(g, node, 3), dy[0]}, 5, 1);
    tfc_set_type_of(g, n, "T", 4);
    tfc_set_attr_type(g, n, "Index", it);
    copy_slice_attrs(g, node, n);
    dx[0] = tfc_node_finish(g, n);
}

const tfc_op_def tfc_op_StridedSlice = {"StridedSlice", infer_strided_slice, k_strided_slice, grad_strided_slice, 0, .ninputs = 4};

/* StridedSliceGrad: (shape, begin, end, strides, dy) -> zeros of shape with dy in the slice. */
static bool infer_strided_slice_grad(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_INTS) || !require_spec_types(g, node, 1) ||
        !tfc_require_dtype(g, node, 4, TFC_FIXED_SIZE))
        return false;
    tfc_shape s = tfc_shape_from_const_input(g, in_out(g, node, 0));
    strided_plan p;
    bool have;
    if (!plan_of_consts(g, node, 1, s, &p, &have)) return false;
    tfc_shape dy = in_shape(g, node, 4);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (have && dy.rank >= 0 && tfc_shape_known(p.out) && tfc_shape_known(dy) && tfc_shape_numel(dy) != tfc_shape_numel(p.out))
        return tfc_node_error(g, node, "dy has shape %s, the slice %s", tfc_shape_str(dy, a), tfc_shape_str(p.out, b));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 4), s);
    return true;
}

static bool k_strided_slice_grad(tfc_kernel_ctx *k)
{
    const tfc_tensor *dy = k->in[4];
    tfc_shape s;
    strided_plan p;
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_shape_from_tensor(k->in[0], &s) || !tfc_shape_known(s)) return tfc_kernel_error(k, "shape must be a vector of sizes");
    if (!plan_at_run(k, 1, s, &p)) return false;
    if (dy->size != tfc_shape_numel(p.box))
        return tfc_kernel_error(k, "dy has shape %s, the slice %s", tfc_shape_str(dy->shape, a), tfc_shape_str(p.out, b));
    tfc_tensor *z = tfc_kernel_output(k, 0, dy->dtype, s);
    if (!z) return false;
    memset(z->data, 0, tfc_tensor_nbytes(z));
    int64_t zs[TFC_MAX_DIMS], ds[TFC_MAX_DIMS];
    int64_t base = box_strides(&p, s, zs);
    contiguous(p.box, ds);
    move_box(z->data, base, zs, dy->data, 0, ds, p.box, tfc_dtype_size(dy->dtype));
    return true;
}

const tfc_op_def tfc_op_StridedSliceGrad = {"StridedSliceGrad", infer_strided_slice_grad, k_strided_slice_grad, NULL, 0, .ninputs = 5};

tfc_out tfc_strided_slice(tfc_graph *g, tfc_out x, const int64_t *begin, const int64_t *end, const int64_t *strides, int n,
                          const tfc_slice_masks *masks, const char *name)
{
    char full[512];
    int64_t ones[32];
    if (!tfc_builder_array(g, "tfc_strided_slice", name, "StridedSlice", "begin", begin, n) ||
        !tfc_builder_array(g, "tfc_strided_slice", name, "StridedSlice", "end", end, n))
        return TFC_NO_OUT;
    for (int i = 0; i < n && i < 32; i++) ones[i] = 1;
    tfc_op_scope_push(g, name, "StridedSlice", full);
    tfc_out b = const_index_vector(g, begin, n, TFC_INT32, "begin");
    tfc_out e = const_index_vector(g, end, n, TFC_INT32, "end");
    tfc_out s = const_index_vector(g, strides ? strides : ones, n, TFC_INT32, "strides");
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, "StridedSlice", full, (tfc_out[]){x, b, e, s}, 4, 1);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Index", TFC_INT32);
    tfc_slice_masks m = masks ? *masks : (tfc_slice_masks){0};
    tfc_set_attr_int(g, node, "begin_mask", m.begin);
    tfc_set_attr_int(g, node, "end_mask", m.end);
    tfc_set_attr_int(g, node, "ellipsis_mask", m.ellipsis);
    tfc_set_attr_int(g, node, "new_axis_mask", m.new_axis);
    tfc_set_attr_int(g, node, "shrink_axis_mask", m.shrink_axis);
    return tfc_node_finish(g, node);
}

/* ---- Pad: (input, paddings [rank, 2]) with zeros ---- */

static bool pad_shape(tfc_shape in, const int64_t *pads, tfc_shape *out, char *why, size_t n)
{
    out->rank = in.rank;
    for (int i = 0; i < in.rank; i++) {
        if (pads[2 * i] < 0 || pads[2 * i + 1] < 0) return snprintf(why, n, "paddings must not be negative"), false;
        out->dims[i] = in.dims[i] < 0 ? -1 : in.dims[i] + pads[2 * i] + pads[2 * i + 1];
    }
    return true;
}

static bool infer_pad(tfc_graph *g, int node)
{
    tfc_shape in = in_shape(g, node, 0), ps = in_shape(g, node, 1), out = TFC_UNKNOWN_SHAPE;
    const tfc_tensor *p = tfc_graph_const_value(g, in_out(g, node, 1));
    char why[128], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    if (ps.rank >= 0 && (ps.rank != 2 || (ps.dims[1] >= 0 && ps.dims[1] != 2) ||
                         (in.rank >= 0 && ps.dims[0] >= 0 && ps.dims[0] != in.rank)))
        return tfc_node_error(g, node, "paddings of shape %s do not fit an input of shape %s: need [rank, 2]",
                              tfc_shape_str(ps, b), tfc_shape_str(in, a));
    if (in.rank < 0 && ps.rank == 2 && ps.dims[0] >= 0) {
        in.rank = (int)ps.dims[0];
        for (int i = 0; i < in.rank; i++) in.dims[i] = -1;
    }
    if (in.rank >= 0) {
        int64_t pads[2 * TFC_MAX_DIMS];
        for (int i = 0; i < in.rank; i++) out.dims[i] = -1;
        out.rank = in.rank;
        if (p && p->size == 2 * in.rank) {
            for (int i = 0; i < 2 * in.rank; i++) pads[i] = (int64_t)tfc_tensor_get(p, i);
            if (!pad_shape(in, pads, &out, why, sizeof why)) return tfc_node_error(g, node, "%s", why);
        }
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_pad(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0], *p = k->in[1];
    int64_t pads[2 * TFC_MAX_DIMS], xs[TFC_MAX_DIMS], zs[TFC_MAX_DIMS], base = 0;
    tfc_shape out;
    char why[128], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (p->shape.rank != 2 || p->shape.dims[0] != x->shape.rank || p->shape.dims[1] != 2)
        return tfc_kernel_error(k, "paddings of shape %s do not fit an input of shape %s: need [rank, 2]",
                                tfc_shape_str(p->shape, b), tfc_shape_str(x->shape, a));
    for (int i = 0; i < 2 * x->shape.rank; i++) pads[i] = (int64_t)tfc_tensor_get(p, i);
    if (!pad_shape(x->shape, pads, &out, why, sizeof why)) return tfc_kernel_error(k, "%s", why);
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, out);
    if (!z) return false;
    memset(z->data, 0, tfc_tensor_nbytes(z));
    contiguous(x->shape, xs);
    contiguous(out, zs);
    for (int i = 0; i < out.rank; i++) base += pads[2 * i] * zs[i];
    move_box(z->data, base, zs, x->data, 0, xs, x->shape, tfc_dtype_size(x->dtype));
    return true;
}

/* The input's part of dy: a slice from the padding before, of the input's shape. */
static void grad_pad(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_shape xs = in_shape(g, node, 0);
    tfc_dtype it = in_dtype(g, node, 1);
    if (xs.rank < 0) {
        tfc_node_error(g, node, "the gradient needs the input's rank");
        return;
    }
    tfc_out at = const_index_vector(g, (const int64_t[]){0, 0}, 2, TFC_INT32, "Slice/begin");
    tfc_out col = const_index_vector(g, (const int64_t[]){xs.rank, 1}, 2, TFC_INT32, "stack");
    tfc_out before = tfc_slice_by(g, in_out(g, node, 1), at, col, NULL);
    tfc_out flat = tfc_reshape(g, before, TFC_SHAPE(-1), NULL);
    dx[0] = tfc_slice_by(g, dy[0], flat, tfc_shape_tensor(g, in_out(g, node, 0), it), NULL);
}

const tfc_op_def tfc_op_Pad = {"Pad", infer_pad, k_pad, grad_pad, 0, .ninputs = 2};

tfc_out tfc_pad(tfc_graph *g, tfc_out x, const int64_t *paddings, int rank, const char *name)
{
    char full[512];
    if (!tfc_builder_array(g, "tfc_pad", name, "Pad", "paddings", paddings, rank)) return TFC_NO_OUT;
    tfc_op_scope_push(g, name, "Pad", full);
    tfc_tensor *t = tfc_tensor_new(TFC_INT32, TFC_SHAPE(rank, 2));
    for (int i = 0; t && i < 2 * rank; i++) tfc_i32(t)[i] = (int32_t)paddings[i];
    tfc_out p = tfc_const(g, t, "paddings");
    tfc_tensor_free(t);
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "Pad", full, (tfc_out[]){x, p}, 2, 1);
    tfc_set_T(g, n);
    tfc_set_attr_type(g, n, "Tpaddings", TFC_INT32);
    return tfc_node_finish(g, n);
}

/* ---- Tile: (input, multiples) ---- */

static bool infer_tile(tfc_graph *g, int node)
{
    tfc_shape in = in_shape(g, node, 0), out = TFC_UNKNOWN_SHAPE;
    int64_t m[TFC_MAX_DIMS];
    int n;
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    bool known = const_vector(g, node, 1, m, &n, TFC_MAX_DIMS);
    if (known && in.rank >= 0 && n != in.rank)
        return tfc_node_error(g, node, "multiples has %d entries for an input of rank %d", n, in.rank);
    if (in.rank >= 0) {
        out = in;
        for (int i = 0; i < in.rank; i++) {
            if (known && m[i] < 0) return tfc_node_error(g, node, "multiples[%d] is negative", i);
            out.dims[i] = known && in.dims[i] >= 0 ? in.dims[i] * m[i] : -1;
        }
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_tile(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    int64_t m[TFC_MAX_DIMS], xs[TFC_MAX_DIMS], zs[TFC_MAX_DIMS];
    int r = x->shape.rank;
    if (!vector_of(k->in[1], m, r)) return tfc_kernel_error(k, "multiples must have one entry per input dim (%d)", r);
    tfc_shape out = x->shape;
    for (int i = 0; i < r; i++) {
        if (m[i] < 0) return tfc_kernel_error(k, "multiples[%d] is negative", i);
        out.dims[i] *= m[i];
    }
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, out);
    if (!z || !z->size) return z != NULL;
    contiguous(x->shape, xs);
    contiguous(out, zs);
    /* one copy of the input per tile position */
    int64_t t[TFC_MAX_DIMS] = {0};
    for (;;) {
        int64_t base = 0;
        for (int i = 0; i < r; i++) base += t[i] * x->shape.dims[i] * zs[i];
        move_box(z->data, base, zs, x->data, 0, xs, x->shape, tfc_dtype_size(x->dtype));
        int i = r - 1;
        for (; i >= 0; i--) {
            if (++t[i] < m[i]) break;
            t[i] = 0;
        }
        if (i < 0) return true;
    }
}

/* dy seen as [m0, d0, m1, d1, ...] summed over the multiples' axes. */
static void grad_tile(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    tfc_shape in = in_shape(g, node, 0);
    int64_t m[TFC_MAX_DIMS];
    int n;
    if (!tfc_shape_known(in) || !const_vector(g, node, 1, m, &n, TFC_MAX_DIMS) || n != in.rank || 2 * n > TFC_MAX_DIMS) {
        tfc_node_error(g, node, "the gradient needs constant multiples, a known input shape and rank <= %d", TFC_MAX_DIMS / 2);
        return;
    }
    tfc_shape split = {.rank = 2 * n};
    int axes[TFC_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        split.dims[2 * i] = m[i];
        split.dims[2 * i + 1] = in.dims[i];
        axes[i] = 2 * i;
    }
    dx[0] = tfc_reduce_sum(g, tfc_reshape(g, dy[0], split, NULL), axes, n, false, NULL);
}

const tfc_op_def tfc_op_Tile = {"Tile", infer_tile, k_tile, grad_tile, 0, .ninputs = 2};

tfc_out tfc_tile(tfc_graph *g, tfc_out x, const int64_t *multiples, int n, const char *name)
{
    char full[512];
    if (!tfc_builder_array(g, "tfc_tile", name, "Tile", "multiples", multiples, n)) return TFC_NO_OUT;
    tfc_op_scope_push(g, name, "Tile", full);
    tfc_out m = const_index_vector(g, multiples, n, TFC_INT32, "multiples");
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, "Tile", full, (tfc_out[]){x, m}, 2, 1);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Tmultiples", TFC_INT32);
    return tfc_node_finish(g, node);
}

/* ---- Transpose: (x, perm), InvertPermutation ---- */

static bool is_permutation(const int64_t *p, int n)
{
    bool seen[TFC_MAX_DIMS] = {false};
    for (int i = 0; i < n; i++) {
        if (p[i] < 0 || p[i] >= n || seen[p[i]]) return false;
        seen[p[i]] = true;
    }
    return true;
}

static bool infer_transpose(tfc_graph *g, int node)
{
    tfc_shape in = in_shape(g, node, 0), out = TFC_UNKNOWN_SHAPE;
    int64_t p[TFC_MAX_DIMS];
    int n;
    char a[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_FIXED_SIZE) || !tfc_require_dtype(g, node, 1, TFC_INTS)) return false;
    bool known = const_vector(g, node, 1, p, &n, TFC_MAX_DIMS);
    if (known && ((in.rank >= 0 && n != in.rank) || !is_permutation(p, n)))
        return tfc_node_error(g, node, "perm is not a permutation of the dims of %s", tfc_shape_str(in, a));
    if (in.rank >= 0) {
        out.rank = in.rank;
        for (int i = 0; i < in.rank; i++) out.dims[i] = known ? in.dims[p[i]] : -1;
    }
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), out);
    return true;
}

static bool k_transpose(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    int64_t p[TFC_MAX_DIMS], xs[TFC_MAX_DIMS], ps[TFC_MAX_DIMS], zs[TFC_MAX_DIMS];
    int r = x->shape.rank;
    char a[TFC_SHAPE_STR_MAX];
    if (!vector_of(k->in[1], p, r) || !is_permutation(p, r))
        return tfc_kernel_error(k, "perm is not a permutation of the dims of %s", tfc_shape_str(x->shape, a));
    tfc_shape out = {.rank = r};
    contiguous(x->shape, xs);
    for (int i = 0; i < r; i++) {
        out.dims[i] = x->shape.dims[p[i]];
        ps[i] = xs[p[i]];
    }
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, out);
    if (!z) return false;
    contiguous(out, zs);
    move_box(z->data, 0, zs, x->data, 0, ps, out, tfc_dtype_size(x->dtype));
    return true;
}

/* dy transposed back: by the inverse permutation, a Const when perm is one. */
static void grad_transpose(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx)
{
    int64_t p[TFC_MAX_DIMS], inv[TFC_MAX_DIMS];
    int n;
    tfc_out ip;
    if (const_vector(g, node, 1, p, &n, TFC_MAX_DIMS) && is_permutation(p, n)) {
        for (int i = 0; i < n; i++) inv[p[i]] = i;
        ip = const_index_vector(g, inv, n, in_dtype(g, node, 1), "InvertPermutation");
    } else {
        ip = tfc_unary(g, "InvertPermutation", in_out(g, node, 1), NULL);
    }
    int t = tfc_node_begin(g, "Transpose", NULL, (tfc_out[]){dy[0], ip}, 2, 1);
    tfc_set_T(g, t);
    tfc_set_type_of(g, t, "Tperm", 1);
    dx[0] = tfc_node_finish(g, t);
}

const tfc_op_def tfc_op_Transpose = {"Transpose", infer_transpose, k_transpose, grad_transpose, 0, .ninputs = 2};

tfc_out tfc_transpose(tfc_graph *g, tfc_out x, const int *perm, int n, const char *name)
{
    int64_t p[TFC_MAX_DIMS];
    tfc_shape s = tfc_out_shape(g, x);
    if (!perm) n = s.rank < 0 ? 0 : s.rank;
    for (int i = 0; i < n && i < TFC_MAX_DIMS; i++) p[i] = perm ? perm[i] : n - 1 - i;
    char full[512];
    tfc_op_scope_push(g, name, "transpose", full);
    tfc_out pc = const_index_vector(g, p, n < TFC_MAX_DIMS ? n : TFC_MAX_DIMS, TFC_INT32, "perm");
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, "Transpose", full, (tfc_out[]){x, pc}, 2, 1);
    tfc_set_T(g, node);
    tfc_set_attr_type(g, node, "Tperm", TFC_INT32);
    return tfc_node_finish(g, node);
}

static bool infer_invert_permutation(tfc_graph *g, int node)
{
    tfc_shape s = in_shape(g, node, 0);
    if (!tfc_require_dtype(g, node, 0, TFC_INTS)) return false;
    if (s.rank >= 0 && s.rank != 1) return tfc_node_error(g, node, "x must be a vector");
    return tfc_infer_same_as_input(g, node);
}

static bool k_invert_permutation(tfc_kernel_ctx *k)
{
    const tfc_tensor *x = k->in[0];
    tfc_tensor *z = tfc_kernel_output(k, 0, x->dtype, x->shape);
    if (!z) return false;
    for (int64_t i = 0; i < x->size; i++) tfc_set_index(z, i, -1);
    for (int64_t i = 0; i < x->size; i++) {
        int64_t v = (int64_t)tfc_tensor_get(x, i);
        if (v < 0 || v >= x->size || tfc_tensor_get(z, v) != -1) return tfc_kernel_error(k, "x is not a permutation");
        tfc_set_index(z, v, i);
    }
    return true;
}

const tfc_op_def tfc_op_InvertPermutation = {"InvertPermutation", infer_invert_permutation, k_invert_permutation, NULL, 0, .ninputs = 1};
