/* Shape rules and gradient building blocks used by several op files. */
#include "common.h"

#include <stdio.h>
#include <string.h>

#include "../graph_internal.h"

bool tfc_broadcast_shapes(tfc_shape a, tfc_shape b, tfc_shape *out)
{
    if (a.rank < 0 || b.rank < 0) {
        *out = TFC_UNKNOWN_SHAPE;
        return true;
    }
    int r = a.rank > b.rank ? a.rank : b.rank;
    tfc_shape o = {.rank = r};
    for (int i = 0; i < r; i++) {
        int ia = a.rank - r + i, ib = b.rank - r + i;
        int64_t da = ia >= 0 ? a.dims[ia] : 1, db = ib >= 0 ? b.dims[ib] : 1;
        if (da == 1)
            o.dims[i] = db;
        else if (db == 1)
            o.dims[i] = da;
        else if (da < 0)
            o.dims[i] = db; /* unknown against known n (or unknown): must be n at run time */
        else if (db < 0)
            o.dims[i] = da;
        else if (da == db)
            o.dims[i] = da;
        else
            return false;
    }
    *out = o;
    return true;
}

tfc_out tfc_grad_unbroadcast(tfc_graph *g, tfc_out dy, tfc_shape target)
{
    tfc_shape ds = tfc_out_shape(g, dy);
    if (!tfc_out_ok(dy) || ds.rank < 0 || target.rank < 0) return dy;
    if (tfc_shape_equal(ds, target)) return dy;
    int lead = ds.rank - target.rank;
    int axes[TFC_MAX_DIMS], na = 0;
    for (int i = 0; i < lead; i++) axes[na++] = i;
    tfc_out r = dy;
    if (na) r = tfc_reduce_sum(g, r, axes, na, false, NULL);
    na = 0;
    for (int i = 0; i < target.rank; i++)
        if (target.dims[i] == 1 && ds.dims[lead + i] != 1) axes[na++] = i;
    if (na) r = tfc_reduce_sum(g, r, axes, na, true, NULL);
    return r;
}

bool tfc_infer_same_as_input(tfc_graph *g, int node)
{
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), in_shape(g, node, 0));
    return true;
}

bool tfc_require_dtype(tfc_graph *g, int node, int i, tfc_dtype_set allowed)
{
    tfc_dtype dt = in_dtype(g, node, i);
    if (dt == TFC_INVALID || ((unsigned)dt < 32 && (allowed & TFC_DTYPE_BIT(dt)))) return true;
    char list[256] = "", name[256];
    size_t n = 0;
    for (unsigned d = 1; d < 32; d++)
        if (allowed & TFC_DTYPE_BIT(d))
            n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s", n ? ", " : "",
                                  tfc_dtype_name((tfc_dtype)d));
    tfc_out_name(g, in_out(g, node, i), name, sizeof name);
    return tfc_node_error(g, node, "input %d ('%s') is %s; %s takes %s", i, name, tfc_dtype_name(dt),
                          tfc_node_op(g, node), list);
}

bool tfc_require_same_dtype(tfc_graph *g, int node, int first, int last)
{
    for (int i = first + 1; i <= last; i++)
        if (in_dtype(g, node, i) != in_dtype(g, node, first)) {
            char a[256], b[256];
            tfc_out_name(g, in_out(g, node, first), a, sizeof a);
            tfc_out_name(g, in_out(g, node, i), b, sizeof b);
            return tfc_node_error(g, node, "dtypes differ: input %d ('%s') is %s, input %d ('%s') is %s", first, a,
                                  tfc_dtype_name(in_dtype(g, node, first)), i, b, tfc_dtype_name(in_dtype(g, node, i)));
        }
    return true;
}

bool tfc_require_float(tfc_graph *g, int node, int i) { return tfc_require_dtype(g, node, i, TFC_FLOATS); }

bool tfc_normalize_axis(int64_t axis, int rank, int *out)
{
    if (axis < -rank || axis >= rank) return false;
    *out = (int)(axis < 0 ? axis + rank : axis);
    return true;
}

tfc_out tfc_grad_or_zeros(tfc_graph *g, int node, const tfc_out *dy, int i)
{
    return tfc_out_ok(dy[i]) ? dy[i] : tfc_unary(g, "ZerosLike", node_out(node, i), NULL);
}

void tfc_set_type_of(tfc_graph *g, int node, const char *name, int i)
{
    if (node >= 0 && i < tfc_node_num_inputs(g, node)) tfc_set_attr_type(g, node, name, in_dtype(g, node, i));
}

void tfc_set_T(tfc_graph *g, int node)
{
    if (node >= 0 && tfc_node_num_inputs(g, node) > 0) tfc_set_attr_type(g, node, "T", in_dtype(g, node, 0));
}

bool tfc_shape_from_tensor(const tfc_tensor *t, tfc_shape *out)
{
    if (!t || t->shape.rank > 1 || t->size > TFC_MAX_DIMS || (t->dtype != TFC_INT32 && t->dtype != TFC_INT64))
        return false;
    out->rank = (int)t->size;
    for (int64_t i = 0; i < t->size; i++) out->dims[i] = (int64_t)tfc_tensor_get(t, i);
    return true;
}

tfc_shape tfc_shape_from_const_input(const tfc_graph *g, tfc_out shape_input)
{
    const tfc_tensor *c = tfc_graph_const_value(g, shape_input);
    tfc_shape s;
    if (c && tfc_shape_from_tensor(c, &s)) return s;
    tfc_shape in = tfc_out_shape(g, shape_input);
    if (in.rank == 1 && in.dims[0] >= 0 && in.dims[0] <= TFC_MAX_DIMS) {
        s.rank = (int)in.dims[0];
        for (int i = 0; i < s.rank; i++) s.dims[i] = -1;
        return s;
    }
    return TFC_UNKNOWN_SHAPE;
}

tfc_out tfc_unary(tfc_graph *g, const char *type, tfc_out x, const char *name)
{
    int n = tfc_node_begin(g, type, name, &x, 1, 1);
    tfc_set_T(g, n);
    return tfc_node_finish(g, n);
}

tfc_out tfc_binary(tfc_graph *g, const char *type, tfc_out x, tfc_out y, const char *name)
{
    int n = tfc_node_begin(g, type, name, (tfc_out[]){x, y}, 2, 1);
    tfc_set_T(g, n);
    return tfc_node_finish(g, n);
}

void tfc_op_scope_push(tfc_graph *g, const char *name, const char *dflt, char buf[512])
{
    tfc_scope_push(g, name ? name : dflt);
    snprintf(buf, 512, "%s", tfc_scope(g));
}

tfc_out tfc_const_shape(tfc_graph *g, tfc_shape shape, const char *name)
{
    int32_t dims[TFC_MAX_DIMS];
    for (int i = 0; i < shape.rank; i++) dims[i] = (int32_t)shape.dims[i];
    return tfc_const_ints(g, dims, shape.rank < 0 ? 0 : shape.rank, name);
}

tfc_out tfc_shape_tensor(tfc_graph *g, tfc_out x, tfc_dtype dt)
{
    tfc_shape s = tfc_out_shape(g, x);
    if (tfc_shape_known(s)) {
        tfc_tensor *t = tfc_tensor_new(dt, TFC_SHAPE(s.rank));
        for (int i = 0; t && i < s.rank; i++) tfc_set_index(t, i, s.dims[i]);
        tfc_out c = tfc_const(g, t, "Shape");
        tfc_tensor_free(t);
        return c;
    }
    int n = tfc_node_begin(g, "Shape", NULL, &x, 1, 1);
    tfc_set_T(g, n);
    tfc_set_attr_type(g, n, "out_type", dt);
    return tfc_node_finish(g, n);
}
