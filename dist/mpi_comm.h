/* The process group of a job started by an MPI launcher (`mpirun -np N tfc-run ...`), as a
 * communicator for the engine (engine/comm.h). Open MPI is optional: a build without it runs
 * alone, and says so when it finds itself started by mpirun. */
#ifndef TFC_MPI_COMM_H
#define TFC_MPI_COMM_H

#include "api.h"
#include "comm.h"

TFC_BEGIN_DECLS

/* Whether this build has MPI. */
TFC_API bool tfc_mpi_built(void);

/* Joins the job when the process was started by an MPI launcher (Open MPI's, or any PMI one) and
 * returns its communicator; returns NULL with st untouched when the process runs alone. NULL with
 * st set when MPI fails to start, or when launched by mpirun in a build without MPI. */
TFC_API tfc_comm *tfc_mpi_init(int *argc, char ***argv, tfc_status *st);

/* Leaves the job in good order (every rank calls it); c may be NULL. */
TFC_API void tfc_mpi_finalize(tfc_comm *c);

/* Ends the whole job at once from one rank (after an error the others cannot know of, which would
 * leave them waiting in a collective); does not return. */
TFC_API void tfc_mpi_abort(tfc_comm *c, int code) __attribute__((noreturn));

TFC_END_DECLS

#endif
