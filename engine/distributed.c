/* Data-parallel training over a communicator: gradient buckets averaged by GroupedAllreduce
 * nodes, the ranks' agreement on their set-up and graph, and the broadcast of rank 0's variables. */
#include "distributed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"
#include "ops.h"

void tfc_distributed_optimizer(tfc_graph *g, int64_t bucket_floats, int64_t chunk_floats)
{
    if (!g) return;
    g->dist_bucket_floats = bucket_floats > 0 ? bucket_floats : 0;
    g->dist_chunk_floats = chunk_floats > 0 ? chunk_floats : 0;
}

void tfc_distribute_gradients(tfc_graph *g, tfc_out *grads, int n)
{
    if (!g || g->dist_bucket_floats <= 0 || n <= 0 || !tfc_graph_ok(g)) return;
    tfc_out *xs = malloc((size_t)n * sizeof *xs), *avg = malloc((size_t)n * sizeof *avg);
    int *idx = malloc((size_t)n * sizeof *idx);
    if (!xs || !avg || !idx) {
        free(xs);
        free(avg);
        free(idx);
        int node = tfc_node_begin(g, "NoOp", "allreduce", NULL, 0, 0);
        if (node >= 0) tfc_node_error(g, node, "out of memory");
        return;
    }
    tfc_scope_push(g, "allreduce");
    /* The backward pass yields the last variables' gradients first: buckets are filled in that
     * order, so the first one can be sent while the earlier layers' gradients are computed. */
    int nb = 0, prev = -1;
    int64_t floats = 0;
    for (int i = n - 1; i >= -1; i--) {
        int64_t size = i >= 0 ? tfc_shape_numel(tfc_out_shape(g, grads[i])) : 0;
        if (i >= 0 && !tfc_out_ok(grads[i])) continue;
        if (nb && (i < 0 || floats + (size < 0 ? g->dist_bucket_floats : size) > g->dist_bucket_floats)) {
            tfc_grouped_allreduce(g, xs, nb, g->dist_chunk_floats, prev, "bucket", avg);
            for (int j = 0; j < nb; j++) grads[idx[j]] = avg[j];
            prev = avg[0].node;
            nb = 0;
            floats = 0;
        }
        if (i < 0) break;
        idx[nb] = i;
        xs[nb++] = grads[i];
        floats += size < 0 ? g->dist_bucket_floats : size;
    }
    tfc_scope_pop(g);
    free(xs);
    free(avg);
    free(idx);
}

/* ---- agreement ---- */

#define MESSAGE_BYTES 768

bool tfc_comm_agree(tfc_comm *c, bool ok, tfc_status *st)
{
    if (!c || c->size <= 1) return ok;
    int64_t first = ok ? INT64_MAX : c->rank;
    tfc_status *own = tfc_status_new();
    if (!c->allreduce_i64(c, &first, 1, TFC_REDUCE_MIN, own)) {
        bool r = tfc_fail(st, tfc_status_code(own), "%s", tfc_message(own));
        tfc_status_free(own);
        return r;
    }
    if (first == INT64_MAX) {
        tfc_status_free(own);
        return true;
    }
    char msg[MESSAGE_BYTES] = "";
    tfc_code code = TFC_FAILED_PRECONDITION;
    if (c->rank == first) {
        snprintf(msg, sizeof msg, "%s", tfc_message(st));
        code = tfc_status_code(st);
    }
    int64_t code64 = code;
    bool sent = c->broadcast(c, msg, sizeof msg, (int)first, own) && c->broadcast(c, &code64, sizeof code64, (int)first, own);
    msg[sizeof msg - 1] = '\0';
    tfc_status_clear(st);
    if (!sent)
        tfc_fail(st, tfc_status_code(own), "rank %lld failed; then: %s", (long long)first, tfc_message(own));
    else
        tfc_fail(st, (tfc_code)code64, "rank %lld: %s", (long long)first, msg);
    tfc_status_free(own);
    return false;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s) { return fnv(h, s, strlen(s) + 1); }

static uint64_t node_hash(const tfc_graph *g, int v)
{
    uint64_t h = 0xCBF29CE484222325ull;
    h = fnv_str(h, tfc_node_name(g, v));
    h = fnv_str(h, tfc_node_op(g, v));
    h = fnv_str(h, tfc_node_device(g, v));
    for (int i = 0; i < tfc_node_num_inputs(g, v); i++) {
        tfc_out o = tfc_node_input(g, v, i);
        h = fnv(h, &o, sizeof o);
    }
    for (int i = 0; i < tfc_node_num_controls(g, v); i++) {
        int c = tfc_node_control(g, v, i);
        h = fnv(h, &c, sizeof c);
    }
    for (int i = 0; i < tfc_node_num_outputs(g, v); i++) {
        tfc_dtype dt = tfc_node_output_dtype(g, v, i);
        tfc_shape s = tfc_node_output_shape(g, v, i);
        h = fnv(h, &dt, sizeof dt);
        h = fnv(h, &s.rank, sizeof s.rank);
        if (s.rank > 0) h = fnv(h, s.dims, (size_t)s.rank * sizeof *s.dims);
    }
    return h;
}

static void describe(const tfc_graph *g, int v, char *buf, size_t cap)
{
    if (v < 0 || v >= tfc_graph_num_nodes(g)) {
        snprintf(buf, cap, "no node there (%d nodes in all)", tfc_graph_num_nodes(g));
        return;
    }
    char sh[TFC_SHAPE_STR_MAX] = "";
    if (tfc_node_num_outputs(g, v) > 0) tfc_shape_str(tfc_node_output_shape(g, v, 0), sh);
    snprintf(buf, cap, "'%s' (%s%s%s)", tfc_node_name(g, v), tfc_node_op(g, v), *sh ? " " : "", sh);
}

bool tfc_comm_check_graph(tfc_comm *c, const tfc_graph *g, tfc_status *st)
{
    if (!tfc_graph_check(g, st)) return false;
    if (!c || c->size <= 1) return true;
    int n = tfc_graph_num_nodes(g);
    uint64_t *h = malloc((size_t)(n + 1) * sizeof *h);
    if (!h) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    uint64_t all = fnv(0xCBF29CE484222325ull, &n, sizeof n);
    for (int v = 0; v < n; v++) {
        h[v] = node_hash(g, v);
        all = fnv(all, &h[v], sizeof h[v]);
    }
    /* min and max of the whole-graph hashes: equal when every rank has the same graph */
    int64_t mm[2] = {(int64_t)(all >> 1), -(int64_t)(all >> 1)};
    bool ok = c->allreduce_i64(c, mm, 1, TFC_REDUCE_MIN, st) && c->allreduce_i64(c, mm + 1, 1, TFC_REDUCE_MIN, st);
    if (!ok || mm[0] == -mm[1]) {
        free(h);
        return ok;
    }
    /* They differ: rank 0's node hashes to all, the first node where any rank differs, the lowest
     * such rank, and both ranks' descriptions of that node. */
    int64_t n0 = n;
    ok = c->broadcast(c, &n0, sizeof n0, 0, st);
    uint64_t *h0 = ok ? malloc((size_t)(n0 + 1) * sizeof *h0) : NULL;
    if (ok && !h0) ok = tfc_fail(st, TFC_INTERNAL, "out of memory");
    if (ok && c->rank == 0) memcpy(h0, h, (size_t)n * sizeof *h);
    ok = ok && c->broadcast(c, h0, (size_t)n0 * sizeof *h0, 0, st);
    int64_t first = INT64_MAX;
    for (int64_t v = 0; ok && v < (n < n0 ? n : n0) && first == INT64_MAX; v++)
        if (h[v] != h0[v]) first = v;
    if (ok && first == INT64_MAX && n != n0) first = n < n0 ? n : n0;
    int64_t d = first;
    ok = ok && c->allreduce_i64(c, &d, 1, TFC_REDUCE_MIN, st);
    int64_t who = first == d ? c->rank : INT64_MAX;
    ok = ok && c->allreduce_i64(c, &who, 1, TFC_REDUCE_MIN, st);
    char mine[MESSAGE_BYTES], theirs[MESSAGE_BYTES];
    describe(g, (int)(d < n ? d : n), mine, sizeof mine);
    memcpy(theirs, mine, sizeof theirs);
    char zero[MESSAGE_BYTES];
    memcpy(zero, mine, sizeof zero);
    ok = ok && c->broadcast(c, zero, sizeof zero, 0, st) && c->broadcast(c, theirs, sizeof theirs, (int)who, st);
    free(h);
    free(h0);
    if (!ok) return false;
    zero[sizeof zero - 1] = theirs[sizeof theirs - 1] = '\0';
    return tfc_fail(st, TFC_FAILED_PRECONDITION,
                    "the ranks built different graphs: at node %lld rank 0 has %s, rank %lld has %s", (long long)d, zero,
                    (long long)who, theirs);
}

bool tfc_comm_broadcast_variables(tfc_comm *c, tfc_session *s, int root, tfc_status *st)
{
    if (!s) return tfc_fail(st, TFC_INVALID_ARGUMENT, "broadcast of variables: no session");
    if (!c || c->size <= 1) return true;
    const tfc_graph *g = tfc_session_graph(s);
    for (int i = 0; i < tfc_graph_num_variables(g); i++) {
        int v = tfc_graph_variable(g, i);
        const tfc_tensor *cur = tfc_session_variable(s, v);
        int64_t have = cur != NULL && cur->dtype != TFC_STRING;
        if (!c->allreduce_i64(c, &have, 1, TFC_REDUCE_MIN, st)) return false;
        if (!have)
            return tfc_fail(st, TFC_FAILED_PRECONDITION, "variable '%s' is not initialised on every rank",
                            tfc_node_name(g, v));
        tfc_tensor *t = tfc_tensor_copy(cur);
        if (!t) return tfc_fail(st, TFC_INTERNAL, "out of memory");
        bool ok = c->broadcast(c, t->data, tfc_tensor_nbytes(t), root, st) && tfc_session_assign(s, v, t, st);
        tfc_tensor_free(t);
        if (!ok) return false;
    }
    return true;
}
