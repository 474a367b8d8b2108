/* The communicator collective and point-to-point ops run on: a group of `size` processes, this one
 * being `rank`. The engine knows only this interface (a session without one is a group of one);
 * dist/ implements it over Open MPI. Every function returns false with st set when the transport
 * fails; collectives must be called by every rank in the same order. */
#ifndef TFC_COMM_H
#define TFC_COMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum { TFC_REDUCE_SUM, TFC_REDUCE_MIN, TFC_REDUCE_MAX } tfc_reduce_op;

typedef struct tfc_comm tfc_comm;
struct tfc_comm {
    int rank, size;
    /* Sums n floats over all ranks, in place; every rank gets the same bits. */
    bool (*allreduce_f32)(tfc_comm *c, float *buf, int64_t n, tfc_status *st);
    /* Reduces n int64s over all ranks, in place. */
    bool (*allreduce_i64)(tfc_comm *c, int64_t *buf, int64_t n, tfc_reduce_op op, tfc_status *st);
    /* Root's bytes to every rank. */
    bool (*broadcast)(tfc_comm *c, void *buf, size_t bytes, int root, tfc_status *st);
    /* Point to point, matched by (peer, tag). */
    bool (*send)(tfc_comm *c, const void *buf, size_t bytes, int dest, int tag, tfc_status *st);
    bool (*recv)(tfc_comm *c, void *buf, size_t bytes, int src, int tag, tfc_status *st);
    void *impl;
};

#endif
