/* Restoring a checkpoint into a seed model and evaluating it (see ckpt_restore.h). */
#include "ckpt_restore.h"

#include <limits.h>
#include <math.h>

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
    tfc_bundle *b = ok ? tfc_bundle_open(prefix, st) : NULL;
    ok = b != NULL;
    if (ok) {
        const tfc_tensor *step = tfc_session_variable(s, tfc_variable_node(m.g, m.global_step));
        fprintf(out, "restored %d variables of %s %s from %s (global_step %.0f)\n", tfc_graph_num_variables(m.g),
                o->graph.graph ? "graph" : "model", o->graph.graph ? o->graph.graph : o->model, prefix,
                step ? tfc_tensor_get(step, 0) : 0.0);
        const char *left[LEFT_LISTED];
        int nleft = tfc_saver_unrestored(m.g, b, left, LEFT_LISTED, st);
        ok = nleft >= 0;
        if (nleft > 0) {
            fprintf(out, "left %d tensor%s of the checkpoint that no variable of the graph takes, as TensorFlow's "
                         "Saver does:", nleft, nleft == 1 ? "" : "s");
            for (int i = 0; i < nleft && i < LEFT_LISTED; i++) fprintf(out, "%s %s", i ? "," : "", left[i]);
            if (nleft > LEFT_LISTED) fprintf(out, " and %d more", nleft - LEFT_LISTED);
            fputc('\n', out);
        }
    }
    tfc_bundle_close(b);
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
