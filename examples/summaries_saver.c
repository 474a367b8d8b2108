/* The seed's TensorBoard and Saver intro: a variable incremented 1,000 times by a fed random whole
 * number, with a scalar summary of it written to an event file every step (a rising line in
 * TensorBoard) beside the graph; then the variable saved, overwritten and restored by name.
 * Usage: summaries_saver LOGDIR (prints the final value, then the value restored) */
#include <stdio.h>
#include <stdlib.h>

#include <tfc/tfc.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: summaries_saver LOGDIR\n");
        return 2;
    }
    tfc_status *st = tfc_status_new();
    tfc_graph *g = tfc_graph_new();
    tfc_out var = tfc_variable_scalar(g, 0.0f, "var");
    tfc_out increment = tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "increment");
    tfc_out update = tfc_assign_add(g, var, increment, "update");
    tfc_summary_scalar(g, "value", update);
    tfc_out merged = tfc_summary_merge_all(g);
    tfc_global_variables_initializer(g);

    tfc_session *s = tfc_session_new(g, NULL, st);
    tfc_event_writer *w = tfc_event_writer_open(argv[1], NULL, st);
    tfc_tensor *inc = tfc_tensor_scalar_f32(0.0f), *out[2] = {0};
    bool ok = s && w && tfc_session_run_init(s, st) && tfc_event_writer_add_graph(w, g, st);
    srand(1);
    for (int step = 0; ok && step < 1000; step++) {
        tfc_f32(inc)[0] = (float)(rand() % 10);
        ok = tfc_session_run(s, TFC_FEEDS({increment, inc}), TFC_FETCHES(update, merged), out, st);
        size_t len;
        const char *summary = ok ? tfc_tensor_string(out[1], 0, &len) : NULL;
        ok = ok && tfc_event_writer_add_summary(w, summary, len, step, st);
        if (ok && step == 999) printf("final value %.1f\n", tfc_f32(out[0])[0]);
        tfc_tensor_free(out[0]);
        tfc_tensor_free(out[1]);
    }

    /* saved, overwritten with 3, restored by name */
    char prefix[4096], saved[4200];
    snprintf(prefix, sizeof prefix, "%s/model.ckpt", argv[1]);
    int node = tfc_variable_node(g, var);
    tfc_tensor *three = tfc_tensor_scalar_f32(3.0f);
    ok = ok && tfc_saver_save(s, prefix, 1000, 5, saved, sizeof saved, st) && tfc_session_assign(s, node, three, st) &&
         tfc_saver_restore(s, saved, st);
    if (ok) printf("restored %.1f from %s\n", tfc_f32(tfc_session_variable(s, node))[0], saved);
    if (!tfc_event_writer_close(w, st)) ok = false;
    if (!ok) fprintf(stderr, "summaries_saver: %s\n", tfc_message(st));
    tfc_tensor_free(three);
    tfc_tensor_free(inc);
    tfc_session_free(s);
    tfc_graph_free(g);
    tfc_status_free(st);
    return ok ? 0 : 1;
}
