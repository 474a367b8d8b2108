/* The seed's cluster example, on the ranks of an MPI job (mpirun -np 2 cluster): a variable a = 5
 * and b = a * 10 on task 0, c = b + a on task 1, and the client (task 0) prints c = 55. Every rank
 * runs this same program; the session splits the graph between them and sends b and a to task 1
 * and c back to task 0, as TensorFlow's _Send/_Recv pairs do between the tasks of a cluster. */
#include <stdio.h>

#include <tfc/tfc.h>

int main(int argc, char **argv)
{
    tfc_status *st = tfc_status_new();
    tfc_comm *comm = tfc_mpi_init(&argc, &argv, st);
    if (!comm) {
        if (tfc_ok(st))
            fprintf(stderr, "cluster: run it as the tasks of an MPI job: mpirun -np 2 %s\n", argv[0]);
        else
            fprintf(stderr, "cluster: %s\n", tfc_message(st));
        tfc_status_free(st);
        return 2;
    }
    tfc_graph *g = tfc_graph_new();
    tfc_device_push(g, "/job:worker/task:0");
    tfc_out a = tfc_variable_scalar(g, 5.0f, "a");
    tfc_out b = tfc_mul(g, a, tfc_const_scalar(g, 10.0f, "ten"), "b");
    tfc_device_pop(g);
    tfc_device_push(g, "/job:worker/task:1");
    tfc_out c = tfc_add(g, b, a, "c");
    tfc_device_pop(g);
    tfc_global_variables_initializer(g);

    tfc_session_options opts = {.threads = 1, .comm = comm};
    tfc_session *s = tfc_session_new(g, &opts, st);
    tfc_tensor *cval = NULL;
    bool ok = s && tfc_session_run_init(s, st) && tfc_session_run(s, NULL, 0, TFC_FETCHES(c), &cval, st);
    if (ok && comm->rank == 0) printf("c = %g (b + a computed on task 1 of %d)\n", tfc_f32(cval)[0], comm->size);
    if (!ok) fprintf(stderr, "cluster: rank %d: %s\n", comm->rank, tfc_message(st));
    tfc_tensor_free(cval);
    tfc_session_free(s);
    tfc_graph_free(g);
    tfc_status_free(st);
    if (!ok) tfc_mpi_abort(comm, 1);
    tfc_mpi_finalize(comm);
    return 0;
}
