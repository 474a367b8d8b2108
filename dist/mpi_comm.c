/* engine/comm.h over Open MPI: MPI_COMM_WORLD, errors returned (MPI_ERRORS_RETURN) and reported as
 * one line naming the call and the rank. */
#include "mpi_comm.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <unistd.h>

bool tfc_mpi_built(void) { return true; }

static bool failed(tfc_comm *c, tfc_status *st, const char *call, int rc)
{
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return tfc_fail(st, TFC_IO, "rank %d: %s failed: %s", c->rank, call, msg);
}

/* MPI counts are ints: larger buffers go in pieces. */
#define MAX_PIECE (INT_MAX / 8)

static bool allreduce_f32(tfc_comm *c, float *buf, int64_t n, tfc_status *st)
{
    for (int64_t at = 0; at < n; at += MAX_PIECE) {
        int len = (int)(n - at < MAX_PIECE ? n - at : MAX_PIECE);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buf + at, len, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return failed(c, st, "MPI_Allreduce", rc);
    }
    return true;
}

static bool allreduce_i64(tfc_comm *c, int64_t *buf, int64_t n, tfc_reduce_op op, tfc_status *st)
{
    MPI_Op mop = op == TFC_REDUCE_MIN ? MPI_MIN : op == TFC_REDUCE_MAX ? MPI_MAX : MPI_SUM;
    for (int64_t at = 0; at < n; at += MAX_PIECE) {
        int len = (int)(n - at < MAX_PIECE ? n - at : MAX_PIECE);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buf + at, len, MPI_INT64_T, mop, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return failed(c, st, "MPI_Allreduce", rc);
    }
    return true;
}

static bool broadcast(tfc_comm *c, void *buf, size_t bytes, int root, tfc_status *st)
{
    for (size_t at = 0; at < bytes; at += MAX_PIECE) {
        int len = (int)(bytes - at < MAX_PIECE ? bytes - at : MAX_PIECE);
        int rc = MPI_Bcast((char *)buf + at, len, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return failed(c, st, "MPI_Bcast", rc);
    }
    return true;
}

static bool send(tfc_comm *c, const void *buf, size_t bytes, int dest, int tag, tfc_status *st)
{
    for (size_t at = 0; at < bytes || (at == 0 && bytes == 0); at += MAX_PIECE) {
        int len = (int)(bytes - at < MAX_PIECE ? bytes - at : MAX_PIECE);
        int rc = MPI_Send((const char *)buf + at, len, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return failed(c, st, "MPI_Send", rc);
        if (!bytes) break;
    }
    return true;
}

static bool recv(tfc_comm *c, void *buf, size_t bytes, int src, int tag, tfc_status *st)
{
    for (size_t at = 0; at < bytes || (at == 0 && bytes == 0); at += MAX_PIECE) {
        int len = (int)(bytes - at < MAX_PIECE ? bytes - at : MAX_PIECE);
        int rc = MPI_Recv((char *)buf + at, len, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS) return failed(c, st, "MPI_Recv", rc);
        if (!bytes) break;
    }
    return true;
}

/* Started by a launcher: Open MPI's mpirun, or a PMI/PMIx one (Slurm's srun, MPICH's hydra). */
static bool launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

tfc_comm *tfc_mpi_init(int *argc, char ***argv, tfc_status *st)
{
    if (!launched()) return NULL;
    int provided = 0;
    /* Kernels may run on the session's worker threads; collectives are ordered by the graph (each
     * bucket waits for the one before it), so one thread at a time calls MPI. */
    int rc = MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) {
        tfc_fail(st, TFC_IO, "MPI_Init_thread failed (code %d)", rc);
        return NULL;
    }
    tfc_comm *c = calloc(1, sizeof *c);
    if (!c) {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &c->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c->size);
    if (provided < MPI_THREAD_SERIALIZED) {
        tfc_fail(st, TFC_IO, "rank %d: this MPI library cannot be called from several threads", c->rank);
        MPI_Finalize();
        free(c);
        return NULL;
    }
    c->allreduce_f32 = allreduce_f32;
    c->allreduce_i64 = allreduce_i64;
    c->broadcast = broadcast;
    c->send = send;
    c->recv = recv;
    return c;
}

void tfc_mpi_finalize(tfc_comm *c)
{
    if (!c) return;
    MPI_Finalize();
    free(c);
}

void tfc_mpi_abort(tfc_comm *c, int code)
{
    (void)c;
    MPI_Abort(MPI_COMM_WORLD, code);
    _exit(code);
}
