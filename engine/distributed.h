/* Data-parallel training over a communicator (comm.h), as Horovod does it for TensorFlow: every
 * rank runs the same graph on its own batch, the gradients are averaged by GroupedAllreduce ops in
 * the graph before the optimizer applies them, rank 0's variables are broadcast to the others, and
 * the ranks check that they agree before the first collective instead of hanging in it. */
#ifndef TFC_DISTRIBUTED_H
#define TFC_DISTRIBUTED_H

#include "api.h"
#include "comm.h"
#include "session.h"

TFC_BEGIN_DECLS

/* From now on the optimizers built in g (optimizer.h) average their gradients over the session's
 * ranks before applying them (Horovod's DistributedOptimizer). The gradients go, in the order the
 * backward pass produces them (the last layer's first), into buckets of up to bucket_floats floats,
 * one GroupedAllreduce node each under the scope `allreduce/`; each sends pieces of chunk_floats
 * (0: the op's default). A session without a communicator runs the graph as one rank. */
TFC_API void tfc_distributed_optimizer(tfc_graph *g, int64_t bucket_floats, int64_t chunk_floats);

/* What optimizers call on their gradients: replaces grads[i] by their averages over the ranks when
 * tfc_distributed_optimizer was called for g, else leaves them. */
TFC_API void tfc_distribute_gradients(tfc_graph *g, tfc_out *grads, int n);

/* One GroupedAllreduce node averaging xs[0..n) over the ranks; outs[i] is the average of xs[i].
 * after: a node it must run after (-1: none). Collectives must run in the same order on every rank:
 * a chain of control inputs fixes that order whatever order the executor finds ready nodes in. */
TFC_API void tfc_grouped_allreduce(tfc_graph *g, const tfc_out *xs, int n, int64_t chunk_floats, int after,
                                   const char *name, tfc_out *outs);

/* Every rank calls this with whether its own set-up went well (st holding its error otherwise).
 * Returns true when all did; else false on every rank, with st = "rank R: <R's error>" for the
 * lowest failing rank R. With c NULL, returns ok. */
TFC_API bool tfc_comm_agree(tfc_comm *c, bool ok, tfc_status *st);

/* Checks that every rank built the same graph (names, op types, devices, inputs, dtypes, shapes):
 * otherwise false on every rank, naming the first node where a rank's graph differs from rank 0's. */
TFC_API bool tfc_comm_check_graph(tfc_comm *c, const tfc_graph *g, tfc_status *st);

/* Sets every variable of the session's graph on every rank to root's value (after initialising or
 * restoring on root). */
TFC_API bool tfc_comm_broadcast_variables(tfc_comm *c, tfc_session *s, int root, tfc_status *st);

TFC_END_DECLS

#endif
