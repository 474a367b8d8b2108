/* tf.gradients in C: walk the ops between xs and y backwards, asking each op's gradient function
 * (next to its kernel in ops/) to add nodes, and summing the gradients that meet at a tensor. */
#include "grad.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"
#include "ops.h"

typedef struct {
    tfc_out *v;
    int n, cap;
} out_list;

static bool push_out(out_list *l, tfc_out o)
{
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 2;
        tfc_out *nv = realloc(l->v, (size_t)nc * sizeof *nv);
        if (!nv) return false;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = o;
    return true;
}

/* The sum of the gradients gathered for one tensor, NO_OUT when none. */
static tfc_out total(tfc_graph *g, out_list *l)
{
    if (!l->n) return TFC_NO_OUT;
    return l->n == 1 ? l->v[0] : tfc_add_n(g, l->v, l->n, "AddN");
}

bool tfc_gradients(tfc_graph *g, tfc_out y, const tfc_out *xs, int nx, tfc_out *dxs)
{
    if (!tfc_builder_array(g, "tfc_gradients", NULL, "gradients", "xs", xs, nx) ||
        !tfc_builder_array(g, "tfc_gradients", NULL, "gradients", "dxs", dxs, nx))
        return false;
    for (int i = 0; i < nx; i++) dxs[i] = TFC_NO_OUT;
    if (!tfc_graph_ok(g)) return false;
    int n = tfc_graph_num_nodes(g);
    if (y.node < 0 || y.node >= n) return tfc_fail(g->st, TFC_INVALID_ARGUMENT, "gradients: y is not a tensor of this graph");
    unsigned char *back = calloc((size_t)n, 1), *fwd = calloc((size_t)n, 1), *is_x = calloc((size_t)n, 1);
    out_list *acc = NULL;
    int *off = calloc((size_t)n + 1, sizeof *off);
    bool ok = false;
    if (!back || !fwd || !is_x || !off) goto done;

    /* Ancestors of y through data inputs. */
    back[y.node] = 1;
    for (int v = y.node; v >= 0; v--) {
        if (!back[v]) continue;
        const tfc_node *nd = tfc_graph_node(g, v);
        for (int i = 0; i < nd->nin; i++) back[nd->in[i].node] = 1;
    }
    /* Descendants of the xs. */
    for (int i = 0; i < nx; i++) {
        if (xs[i].node < 0 || xs[i].node >= n) {
            tfc_fail(g->st, TFC_INVALID_ARGUMENT, "gradients: x %d is not a tensor of this graph", i);
            goto done;
        }
        fwd[xs[i].node] = is_x[xs[i].node] = 1;
    }
    for (int v = 0; v < n; v++) {
        const tfc_node *nd = tfc_graph_node(g, v);
        for (int i = 0; i < nd->nin && !fwd[v]; i++)
            if (fwd[nd->in[i].node]) fwd[v] = 1;
    }
    /* One gradient list per node output. */
    for (int v = 0; v < n; v++) off[v + 1] = off[v] + tfc_graph_node(g, v)->nout;
    acc = calloc((size_t)off[n] + 1, sizeof *acc);
    if (!acc) goto done;

    tfc_scope_push(g, "gradients");
    tfc_out shape = tfc_shape_of(g, y, "Shape");
    tfc_out one;
    {
        float v1 = 1.0f;
        tfc_tensor *t = tfc_tensor_from(tfc_out_dtype(g, y), TFC_SCALAR, &v1);
        one = tfc_const(g, t, "grad_ys_0");
        tfc_tensor_free(t);
    }
    int fill = tfc_node_begin(g, "Fill", "Fill", (tfc_out[]){shape, one}, 2, 1);
    tfc_set_attr_type(g, fill, "T", tfc_out_dtype(g, y));
    tfc_set_attr_type(g, fill, "index_type", TFC_INT32);
    if (!push_out(&acc[off[y.node] + y.index], tfc_node_finish(g, fill))) goto oom;

    for (int v = n - 1; v >= 0 && tfc_graph_ok(g); v--) {
        if (!back[v] || !fwd[v] || is_x[v]) continue;
        const tfc_node *nd = tfc_graph_node(g, v);
        tfc_out dy[16], dx[64];
        if (nd->nout > 16 || nd->nin > 64) continue;
        bool any = false;
        for (int i = 0; i < nd->nout; i++) {
            dy[i] = total(g, &acc[off[v] + i]);
            any |= tfc_out_ok(dy[i]);
        }
        if (!any || !nd->def->grad) continue; /* ops without a gradient pass none on, as TF's NotDifferentiable */
        for (int i = 0; i < nd->nin; i++) dx[i] = TFC_NO_OUT;
        char scope[600];
        snprintf(scope, sizeof scope, "%s_grad", nd->name);
        tfc_scope_push(g, scope);
        nd->def->grad(g, v, dy, dx);
        tfc_scope_pop(g);
        nd = tfc_graph_node(g, v); /* the node array may have moved */
        for (int i = 0; i < nd->nin; i++) {
            tfc_out src = nd->in[i];
            if (!tfc_out_ok(dx[i]) || !fwd[src.node]) continue;
            if (!push_out(&acc[off[src.node] + src.index], dx[i])) goto oom;
        }
    }
    for (int i = 0; i < nx; i++) dxs[i] = total(g, &acc[off[xs[i].node] + xs[i].index]);
    tfc_scope_pop(g);
    ok = tfc_graph_ok(g);
    goto done;
oom:
    tfc_scope_pop(g);
    tfc_fail(g->st, TFC_INTERNAL, "out of memory building gradients");
done:
    if (acc)
        for (int i = 0; i < off[n]; i++) free(acc[i].v);
    free(acc);
    free(off);
    free(back);
    free(fwd);
    free(is_x);
    return ok;
}
