/* Restoring a checkpoint into a seed model and evaluating it (see ckpt_restore.h). */
#include "ckpt_restore.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "bundle.h"
#include "checkpoint_state.h"
#include "models.h"
#include "ops.h"
#include "saver.h"
#include "session.h"

/* Test images per session run while evaluating. */
#define EVAL_BATCH 500
/* Checkpoint tensors left unrestored that are named; the rest are counted. */
#define LEFT_LISTED 8

/* The optimizer whose slots the checkpoint at prefix holds (the first slot name found; gd for none),
 * NULL when it cannot be read or lacks one of g's trainable variables (then it is another model's).
 * Momentum stands for nesterov too: their slots are alike. */
static const char *slots_optimizer(const char *prefix, const tfc_graph *g)
{
    static const struct {
        const char *slot, *optimizer;
    } slots[] = {{"/Adam", "adam"}, {"/RMSProp_2", "centered-rmsprop"}, {"/RMSProp", "rmsprop"},
                 {"/Momentum", "momentum"}, {"/Adagrad", "adagrad"}};
    tfc_bundle *b = tfc_bundle_open(prefix, NULL);
    const char *found = b ? "gd" : NULL;
    for (int i = 0; found && i < tfc_graph_num_variables(g); i++) {
        int v = tfc_graph_variable(g, i);
        if (tfc_variable_trainable(g, v) && !tfc_bundle_find(b, tfc_node_name(g, v))) found = NULL;
    }
    for (size_t k = 0; found && k < sizeof slots / sizeof *slots && !strcmp(found, "gd"); k++)
        for (int i = 0; i < tfc_bundle_count(b); i++)
            if (strstr(tfc_bundle_at(b, i)->name, slots[k].slot)) {
                found = slots[k].optimizer;
                break;
            }
    tfc_bundle_close(b);
    return found;
}

/* After a seed model's restore failed: when the checkpoint's slots are another optimizer's than the
 * model's, the error says which --optimizer fits (a checkpoint of tfc-run --optimizer rmsprop,
 * restored with the model's own Adam, lists only missing and unexpected slots otherwise). */
static void hint_optimizer(const char *prefix, const tfc_model *m, tfc_status *st)
{
    const char *have = slots_optimizer(prefix, m->g), *want = m->optimizer;
    bool alike = have && want && (!strcmp(have, want) || (!strcmp(have, "momentum") && !strcmp(want, "nesterov")));
    if (!have || alike) return;
    char msg[1100];
    snprintf(msg, sizeof msg, "%s (its slots are %s's: restore with --optimizer %s)", tfc_message(st), have, have);
    tfc_code code = tfc_status_code(st);
    tfc_status_clear(st);
    tfc_fail(st, code, "%s", msg);
}

bool tfc_ckpt_restore_note_left(const tfc_graph *g, const char *prefix, const char *lead, FILE *out, tfc_status *st)
{
    tfc_bundle *b = tfc_bundle_open(prefix, st);
    const char *left[LEFT_LISTED]; /* (names the bundle holds: written before it closes) */
    int nleft = b ? tfc_saver_unrestored(g, b, left, LEFT_LISTED, st) : -1;
    if (nleft > 0) {
        fprintf(out, "%sleft %d tensor%s of the checkpoint that no variable of the graph takes, as TensorFlow's "
                     "Saver does:", lead, nleft, nleft == 1 ? "" : "s");
        for (int i = 0; i < nleft && i < LEFT_LISTED; i++) fprintf(out, "%s %s", i ? "," : "", left[i]);
        if (nleft > LEFT_LISTED) fprintf(out, " and %d more", nleft - LEFT_LISTED);
        fputc('\n', out);
    }
    tfc_bundle_close(b);
    return nleft >= 0;
}

bool tfc_ckpt_restore(const char *path, const tfc_ckpt_restore_options *o, FILE *out, tfc_status *st)
{
    char prefix[PATH_MAX];
    if (!tfc_checkpoint_resolve(path, prefix, sizeof prefix, st)) return false;
    tfc_model_options mo = {.optimizer = o->optimizer};
    tfc_model m;
    if (!(o->graph.graph ? tfc_model_import(&m, &o->graph, st) : tfc_model_build(&m, o->model, &mo, st))) return false;
    /* an imported graph's nodes placed on a GPU (or another task) run on this CPU, with one note */
    tfc_session_options so = {.threads = o->threads,
                              .plain_convolution = o->graph.graph != NULL,
                              .allow_soft_placement = o->graph.graph != NULL};
    tfc_session *s = tfc_session_new(m.g, &so, st);
    bool ok = s && tfc_saver_restore(s, prefix, st);
    if (s && !ok && !o->graph.graph) hint_optimizer(prefix, &m, st);
    if (ok) {
        const tfc_tensor *step = tfc_session_variable(s, tfc_variable_node(m.g, m.global_step));
        fprintf(out, "restored %d variables of %s %s from %s (global_step %.0f)\n", tfc_graph_num_variables(m.g),
                o->graph.graph ? "graph" : "model", o->graph.graph ? o->graph.graph : o->model, prefix,
                step ? tfc_tensor_get(step, 0) : 0.0);
        ok = tfc_ckpt_restore_note_left(m.g, prefix, "", out, st);
    }
    if (ok && o->evaluate) {
        char dir[1024];
        tfc_mnist *data = tfc_mnist_find(o->dataset, o->data_dir, dir, sizeof dir, st) ? tfc_mnist_load(dir, st) : NULL;
        double accuracy, loss;
        ok = data && tfc_model_evaluate(&m, s, &data->test, EVAL_BATCH, &accuracy, &loss, st);
        if (ok && isnan(loss))
            fprintf(out, "test accuracy %.4f (%d images from %s)\n", accuracy, data->test.n, dir);
        else if (ok)
            fprintf(out, "test accuracy %.4f, loss %.4f (%d images from %s)\n", accuracy, loss, data->test.n, dir);
        tfc_mnist_free(data);
    }
    tfc_session_free(s);
    tfc_model_free(&m);
    return ok;
}
