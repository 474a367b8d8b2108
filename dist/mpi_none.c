/* dist/mpi_comm.h in a build without MPI: the process runs alone, and refuses to pretend when an
 * MPI launcher started it. */
#include "mpi_comm.h"

#include <stdlib.h>
#include <unistd.h>

bool tfc_mpi_built(void) { return false; }

tfc_comm *tfc_mpi_init(int *argc, char ***argv, tfc_status *st)
{
    (void)argc;
    (void)argv;
    const char *size = getenv("OMPI_COMM_WORLD_SIZE");
    if (!size) size = getenv("PMI_SIZE");
    if (size && atoi(size) > 1)
        tfc_fail(st, TFC_FAILED_PRECONDITION,
                 "started by an MPI launcher with %s ranks, but this tfc was built without MPI "
                 "(install libopenmpi-dev and rebuild; meson option -Dmpi=enabled)",
                 size);
    return NULL;
}

void tfc_mpi_finalize(tfc_comm *c) { (void)c; }

void tfc_mpi_abort(tfc_comm *c, int code)
{
    (void)c;
    _exit(code);
}
