/* tf.linalg.global_norm and tf.clip_by_global_norm, with TensorFlow's nodes (see optimizer.h):
 * what a program puts between computing its gradients and applying them. */
#include <stdio.h>
#include <stdlib.h>

#include "graph_internal.h"
#include "op.h"
#include "ops.h"
#include "optimizer.h"

static bool check_list(tfc_graph *g, const tfc_out *t, int n, const char *what)
{
    if (!tfc_graph_ok(g)) return false;
    int given = 0;
    for (int i = 0; t && i < n; i++) {
        if (!tfc_out_ok(t[i])) continue;
        given++;
        if (t[i].node >= tfc_graph_num_nodes(g) || tfc_out_dtype(g, t[i]) != TFC_FLOAT) {
            char b[256];
            tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s: tensor %d ('%s') is not a float32 tensor of this graph", what, i,
                     t[i].node < tfc_graph_num_nodes(g) ? tfc_out_name(g, t[i], b, sizeof b) : "?");
            return false;
        }
    }
    if (!given) tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s: no tensors given", what);
    return given > 0;
}

tfc_out tfc_global_norm(tfc_graph *g, const tfc_out *t, int n, const char *name)
{
    if (!g || !check_list(g, t, n, name ? name : "global_norm")) return TFC_NO_OUT;
    tfc_out *half = malloc((size_t)n * sizeof *half);
    if (!half) {
        tfc_fail(g->st, TFC_INTERNAL, "out of memory while building the graph");
        return TFC_NO_OUT;
    }
    tfc_scope_push(g, name ? name : "global_norm");
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!tfc_out_ok(t[i])) continue;
        int first = tfc_graph_num_nodes(g);
        half[k++] = tfc_l2_loss(g, t[i], NULL);
        tfc_graph_colocate_since(g, first, t[i].node); /* ops.colocate_with(t) */
    }
    tfc_out sum = tfc_reduce_sum(g, tfc_stack(g, half, k, 0, "stack"), NULL, 0, false, NULL);
    tfc_out norm = tfc_sqrt(g, tfc_mul(g, sum, tfc_const_scalar(g, 2.0f, "Const"), "mul"), "global_norm");
    tfc_scope_pop(g);
    free(half);
    return norm;
}

bool tfc_clip_by_global_norm(tfc_graph *g, const tfc_out *t, int n, float clip_norm, tfc_out *out, tfc_out *global_norm,
                             const char *name)
{
    if (!g || !check_list(g, t, n, name ? name : "clip_by_global_norm")) return false;
    if (!out || !(clip_norm > 0)) {
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s: %s", name ? name : "clip_by_global_norm",
                 out ? "clip_norm must be positive" : "no place for the clipped tensors");
        return false;
    }
    tfc_out norm = tfc_global_norm(g, t, n, name); /* TensorFlow hands it the same name */
    tfc_scope_push(g, name ? name : "clip_by_global_norm");
    char full[512], sub[600];
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    /* scale = clip_norm * min(1 / norm, 1 / clip_norm), NaN when the norm is not finite */
    tfc_scope_push(g, "truediv");
    snprintf(sub, sizeof sub, "%s", tfc_scope(g));
    tfc_out one = tfc_const_scalar(g, 1.0f, "x");
    tfc_scope_pop(g);
    tfc_out inv_norm = tfc_div(g, one, norm, sub);
    tfc_out one_c = tfc_const_scalar(g, 1.0f, "Const");
    tfc_scope_push(g, "truediv");
    snprintf(sub, sizeof sub, "%s", tfc_scope(g));
    tfc_out clip_y = tfc_const_scalar(g, clip_norm, "y");
    tfc_scope_pop(g);
    tfc_out inv_clip = tfc_div(g, one_c, clip_y, sub);
    tfc_out least = tfc_minimum(g, inv_norm, inv_clip, NULL);
    tfc_scope_push(g, "mul");
    snprintf(sub, sizeof sub, "%s", tfc_scope(g));
    tfc_out clip_x = tfc_const_scalar(g, clip_norm, "x");
    tfc_scope_pop(g);
    tfc_out finite = tfc_mul(g, clip_x, least, sub);
    tfc_out scale = tfc_add(g, finite, tfc_sub(g, norm, norm, "sub"), "add");
    for (int i = 0; i < n; i++) {
        out[i] = TFC_NO_OUT;
        if (!tfc_out_ok(t[i])) continue;
        int first = tfc_graph_num_nodes(g);
        snprintf(sub, sizeof sub, "%s_%d", full, i); /* TensorFlow's "%s_%d" % (name, i), name ending in '/' */
        out[i] = tfc_identity(g, tfc_mul(g, t[i], scale, "mul"), sub);
        tfc_graph_colocate_since(g, first, t[i].node); /* ops.colocate_with(t) */
    }
    tfc_scope_pop(g);
    if (global_norm) *global_norm = norm;
    return tfc_graph_ok(g);
}
