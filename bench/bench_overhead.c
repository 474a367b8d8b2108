/* bench_overhead: what one session run costs beyond its arithmetic, on the seeds' first graph
 * a = (b + c) * (c + 2) with b fed 10x1 floats and a fetched (a copy handed back, as
 * TensorFlow's session.run returns an array).
 *
 *   bench_overhead [--runs N] [--threads N]
 *
 * Prints `overhead: N runs, T threads, X us per run` (the best of five rounds of N runs; default
 * 200,000 runs, 1 thread). bench/run overhead runs it beside TensorFlow's and PyTorch's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops.h"
#include "session.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_overhead [--runs N] [--threads N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    long runs = 200000, threads = 1;
    for (int i = 1; i < argc; i++) {
        long *v = strcmp(argv[i], "--runs") == 0 ? &runs : strcmp(argv[i], "--threads") == 0 ? &threads : NULL;
        char *end;
        if (!v || i + 1 == argc) return usage();
        *v = strtol(argv[++i], &end, 10);
        if (*end || *v < 1) return usage();
    }
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out cst = tfc_const_scalar(g, 2.0f, "const");
    tfc_out c = tfc_variable_scalar(g, 1.0f, "c");
    tfc_out b = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 1), "b");
    tfc_out d = tfc_add(g, b, c, "d");
    tfc_out e = tfc_add(g, c, cst, "e");
    tfc_out a = tfc_mul(g, d, e, "a");
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = (int)threads}, st);
    tfc_tensor *bval = tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(10, 1)), *aval = NULL;
    tfc_session_run_init(s, st);
    double best = 1e30;
    for (int round = 0; round < 5 && tfc_ok(st); round++) {
        double t0 = now();
        for (long i = 0; i < runs && tfc_session_run(s, TFC_FEEDS({b, bval}), TFC_FETCHES(a), &aval, st); i++)
            tfc_tensor_free(aval);
        double t = (now() - t0) / (double)runs;
        if (t < best) best = t;
    }
    int rc = 0;
    if (!tfc_ok(st)) {
        fprintf(stderr, "bench_overhead: %s\n", tfc_message(st));
        rc = 1;
    } else {
        printf("overhead: %ld runs, %ld threads, %.3f us per run\n", runs, threads, best * 1e6);
    }
    tfc_tensor_free(bval);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
    return rc;
}
