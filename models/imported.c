/* A TensorFlow graph as a tfc model (see models.h, tfc_model_import): the graph imported as it is,
 * with its own loss, accuracy and training step, the user naming the tensors that tfc-run feeds and
 * reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_import.h"
#include "models.h"
#include "ops.h"
#include "summary_ops.h"

/* The tensor `name` names, checked for dtype and shape; `what` is the flag it came from. */
static bool named(const tfc_graph *g, const char *name, const char *what, tfc_dtype dt, tfc_shape want, tfc_out *out,
                  tfc_status *st)
{
    *out = tfc_graph_tensor(g, name);
    if (!tfc_out_ok(*out)) return tfc_fail(st, TFC_NOT_FOUND, "%s '%s': no such tensor in the graph", what, name);
    if (dt == TFC_INVALID) return true; /* an op to run */
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    tfc_dtype got = tfc_out_dtype(g, *out);
    tfc_shape s = tfc_out_shape(g, *out);
    if (got != dt || !tfc_shape_compatible(s, want))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s '%s' is %s %s, tfc-run needs %s %s", what, name, tfc_dtype_name(got),
                        tfc_shape_str(s, a), tfc_dtype_name(dt), tfc_shape_str(want, b));
    return true;
}

/* The one item of a collection (TensorFlow 1 programs often add their train op again to the
 * collection its optimizer put it in), NULL when it has none or several. */
static const char *only_item(const tfc_graph *g, const char *key)
{
    const char *first = tfc_graph_collection_item(g, key, 0);
    for (int i = 1; first && i < tfc_graph_collection_size(g, key); i++)
        if (strcmp(tfc_graph_collection_item(g, key, i), first) != 0) return NULL;
    return first;
}

/* The labels: one-hot float32 [?, 10], or class indices int32 or int64 [?] (then m->class_labels is
 * made, for tfc_model_feeds to fill). */
static bool labels_placeholder(tfc_model *m, const char *name, tfc_status *st)
{
    tfc_out *y = &m->labels;
    if (!named(m->g, name, "--labels", TFC_INVALID, TFC_UNKNOWN_SHAPE, y, st)) return false;
    tfc_dtype dt = tfc_out_dtype(m->g, *y);
    tfc_shape s = tfc_out_shape(m->g, *y);
    char b[TFC_SHAPE_STR_MAX];
    if (dt == TFC_FLOAT && tfc_shape_compatible(s, TFC_SHAPE(-1, 10))) return true;
    if ((dt == TFC_INT32 || dt == TFC_INT64) && tfc_shape_compatible(s, TFC_SHAPE(-1))) {
        m->class_labels = calloc(1, sizeof *m->class_labels);
        return m->class_labels || tfc_fail(st, TFC_INTERNAL, "out of memory");
    }
    return tfc_fail(st, TFC_INVALID_ARGUMENT,
                    "--labels '%s' is %s %s, tfc-run needs float32 [?,10] (one-hot) or int32 or int64 [?] (class indices)",
                    name, tfc_dtype_name(dt), tfc_shape_str(s, b));
}

static bool input_placeholder(const tfc_graph *g, const char *name, tfc_out *x, tfc_status *st)
{
    if (!named(g, name, "--input", TFC_FLOAT, TFC_UNKNOWN_SHAPE, x, st)) return false;
    tfc_shape s = tfc_out_shape(g, *x);
    int64_t per = 1;
    for (int i = 1; i < s.rank; i++) per *= s.dims[i] < 0 ? 0 : s.dims[i];
    char b[TFC_SHAPE_STR_MAX];
    if (s.rank < 2 || per != 784)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "--input '%s' has shape %s: tfc-run feeds 784 pixels per image ([?, 784] or [?, 28, 28, 1])",
                        name, tfc_shape_str(s, b));
    return true;
}

bool tfc_model_import(tfc_model *m, const tfc_graph_model_spec *spec, tfc_status *st)
{
    if (!m || !spec) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_model_import: no model or no spec (NULL)");
    memset(m, 0, sizeof *m);
    m->name = "graph";
    m->optimizer = "the graph's";
    m->batch_size = 100;
    m->steps = 1000;
    m->train_keep_prob = spec->keep_prob ? spec->keep_prob_train : 1.0f;
    m->keep_prob_is_rate = spec->keep_prob && spec->keep_prob_is_rate;
    m->keep_prob = m->training = m->train = m->loss = m->global_step = m->summaries = m->init = TFC_NO_OUT;
    if (!spec->graph || !spec->input || !spec->labels || !spec->accuracy)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "an imported graph needs its input, labels and accuracy tensors named");
    if (!(m->g = tfc_graph_new())) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    tfc_graph *g = m->g;
    bool ok = tfc_graph_import_file(g, spec->graph, NULL, st) && input_placeholder(g, spec->input, &m->x, st) &&
              labels_placeholder(m, spec->labels, st) &&
              named(g, spec->accuracy, "--accuracy", TFC_FLOAT, TFC_SCALAR, &m->accuracy, st);
    const char *loss = spec->loss ? spec->loss : only_item(g, "losses");
    if (ok && loss) ok = named(g, loss, spec->loss ? "--loss" : "the losses collection's", TFC_FLOAT, TFC_SCALAR, &m->loss, st);
    const char *train = spec->train_op ? spec->train_op : only_item(g, "train_op");
    if (ok && train) ok = named(g, train, spec->train_op ? "--train-op" : "the train_op collection's", TFC_INVALID, TFC_UNKNOWN_SHAPE, &m->train, st);
    if (ok && spec->keep_prob)
        ok = named(g, spec->keep_prob, spec->keep_prob_is_rate ? "--dropout-rate" : "--keep-prob", TFC_FLOAT, TFC_SCALAR,
                   &m->keep_prob, st);
    if (ok && spec->training) ok = named(g, spec->training, "--training", TFC_BOOL, TFC_SCALAR, &m->training, st);
    const char *step = only_item(g, "global_step");
    if (ok) {
        m->global_step = tfc_graph_tensor(g, step ? step : "global_step");
        if (tfc_out_ok(m->global_step) && tfc_variable_node(g, m->global_step) < 0) m->global_step = TFC_NO_OUT;
    }
    int nsum = tfc_graph_collection_size(g, "summaries");
    if (ok && spec->summaries && nsum) {
        tfc_out items[64];
        int n = 0;
        for (int i = 0; i < nsum && n < 64; i++) {
            tfc_out o = tfc_graph_tensor(g, tfc_graph_collection_item(g, "summaries", i));
            if (tfc_out_ok(o) && tfc_out_dtype(g, o) == TFC_STRING) items[n++] = o;
        }
        m->summaries = n ? tfc_summary_merge(g, items, n, NULL) : TFC_NO_OUT;
    }
    if (!ok || !tfc_graph_check(g, st)) {
        tfc_model_free(m);
        return false;
    }
    return true;
}
