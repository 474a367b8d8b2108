/* Collective ops of data-parallel training, run on the session's communicator (comm.h).
 * GroupedAllreduce averages a group of float tensors over all ranks, as Horovod's
 * grouped_allreduce does: the gradients of one bucket in one op. Without a communicator (or with
 * one rank) it passes its inputs on. */
#include <stdlib.h>
#include <string.h>

#include "../comm.h"
#include "../distributed.h"
#include "common.h"

/* Pieces of this many floats per transport call: Open MPI moves pieces of ~100k floats several
 * times faster per byte on loopback than one call of millions (PRACTICAL.md), and a bucket of small
 * tensors (biases) is gathered into one piece instead of a call each. */
#define DEFAULT_CHUNK_FLOATS 65536

static bool infer_grouped_allreduce(tfc_graph *g, int node)
{
    int n = tfc_node_num_inputs(g, node);
    if (n < 1) return tfc_node_error(g, node, "needs at least one tensor");
    for (int i = 0; i < n; i++) {
        if (!tfc_require_float(g, node, i)) return false;
        tfc_node_set_output(g, node, i, TFC_FLOAT, in_shape(g, node, i));
    }
    if (tfc_attr_int(g, node, "chunk_floats", DEFAULT_CHUNK_FLOATS) < 1)
        return tfc_node_error(g, node, "chunk_floats must be at least 1");
    return true;
}

typedef struct {
    tfc_comm *comm;
    tfc_status *st;
    float *stage; /* small tensors gathered for one call */
    int64_t staged, cap;
    float **parts; /* where the staged pieces go back to, and their sizes */
    int64_t *sizes;
    int nparts;
} reducer;

static void average(float *x, int64_t n, int size)
{
    float d = (float)size;
    for (int64_t i = 0; i < n; i++) x[i] /= d;
}

static bool flush_stage(reducer *r)
{
    if (!r->staged) return true;
    if (!r->comm->allreduce_f32(r->comm, r->stage, r->staged, r->st)) return false;
    average(r->stage, r->staged, r->comm->size);
    const float *from = r->stage;
    for (int i = 0; i < r->nparts; from += r->sizes[i], i++) memcpy(r->parts[i], from, (size_t)r->sizes[i] * sizeof(float));
    r->staged = 0;
    r->nparts = 0;
    return true;
}

/* Averages x[0..n) over the ranks: in place in pieces when large, through the stage when small. */
static bool reduce_tensor(reducer *r, float *x, int64_t n)
{
    if (n >= r->cap) {
        for (int64_t at = 0; at < n; at += r->cap) {
            int64_t len = n - at < r->cap ? n - at : r->cap;
            if (!r->comm->allreduce_f32(r->comm, x + at, len, r->st)) return false;
            average(x + at, len, r->comm->size);
        }
        return true;
    }
    if (r->staged + n > r->cap && !flush_stage(r)) return false;
    memcpy(r->stage + r->staged, x, (size_t)n * sizeof(float));
    r->parts[r->nparts] = x;
    r->sizes[r->nparts++] = n;
    r->staged += n;
    return true;
}

static bool k_grouped_allreduce(tfc_kernel_ctx *k)
{
    int n = k->ninputs;
    float **outs = malloc((size_t)n * sizeof *outs);
    if (!outs) return tfc_kernel_error(k, "out of memory");
    for (int i = 0; i < n; i++) {
        tfc_tensor *o = tfc_kernel_output_over(k, i, i, TFC_FLOAT, k->in[i]->shape);
        if (!o) {
            free(outs);
            return false;
        }
        if (o != k->in[i]) memcpy(o->data, k->in[i]->data, tfc_tensor_nbytes(o));
        outs[i] = tfc_f32(o);
    }
    tfc_comm *c = tfc_kernel_comm(k);
    if (!c || c->size <= 1) {
        free(outs);
        return true;
    }
    reducer r = {.comm = c, .st = k->st, .cap = tfc_attr_int(k->graph, k->node, "chunk_floats", DEFAULT_CHUNK_FLOATS)};
    r.stage = malloc((size_t)r.cap * sizeof *r.stage);
    r.parts = malloc((size_t)n * sizeof *r.parts);
    r.sizes = malloc((size_t)n * sizeof *r.sizes);
    bool ok = r.stage && r.parts && r.sizes;
    if (!ok) tfc_kernel_error(k, "out of memory");
    for (int i = 0; ok && i < n; i++) ok = reduce_tensor(&r, outs[i], k->in[i]->size);
    ok = ok && flush_stage(&r);
    free(r.stage);
    free(r.parts);
    free(r.sizes);
    free(outs);
    return ok;
}

const tfc_op_def tfc_op_GroupedAllreduce = {"GroupedAllreduce", infer_grouped_allreduce, k_grouped_allreduce, NULL,
                                            TFC_OP_STATEFUL | TFC_OP_WAITS, .ninputs = TFC_INPUTS_LIST};

void tfc_grouped_allreduce(tfc_graph *g, const tfc_out *xs, int n, int64_t chunk_floats, int after, const char *name,
                           tfc_out *outs)
{
    if (!tfc_builder_array(g, "tfc_grouped_allreduce", name, "GroupedAllreduce", "xs", xs, n) ||
        !tfc_builder_array(g, "tfc_grouped_allreduce", name, "GroupedAllreduce", "outs", outs, n))
        return;
    int node = tfc_node_begin(g, "GroupedAllreduce", name, xs, n, n);
    if (after >= 0) tfc_node_add_control(g, node, after);
    tfc_set_attr_int(g, node, "N", n);
    tfc_set_T(g, node);
    tfc_set_attr_string(g, node, "reduce_op", "Average");
    if (chunk_floats > 0) tfc_set_attr_int(g, node, "chunk_floats", chunk_floats);
    tfc_out o = tfc_node_finish(g, node);
    for (int i = 0; i < n; i++) outs[i] = tfc_out_ok(o) ? (tfc_out){o.node, i} : TFC_NO_OUT;
}
