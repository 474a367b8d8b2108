/* A TF2 trace's RunMetadata to one GraphDef (see graph_trace.h). The merged graph borrows the
 * traced graphs' nodes and functions (their names and inputs prefixed in place) and is packed
 * before the RunMetadata is freed. */
#include "graph_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_metadata.pb-c.h"

/* prefix + "/" + s, keeping a leading '^'. */
static char *prefixed(const char *prefix, const char *s)
{
    char *out = NULL;
    bool control = s[0] == '^';
    return asprintf(&out, "%s%s/%s", control ? "^" : "", prefix, s + control) < 0 ? NULL : out;
}

static bool prefix_graph(Tensorflow__GraphDef *g, const char *prefix)
{
    for (size_t i = 0; i < g->n_node; i++) {
        Tensorflow__NodeDef *nd = g->node[i];
        char *name = prefixed(prefix, nd->name);
        if (!name) return false;
        free(nd->name);
        nd->name = name;
        for (size_t k = 0; k < nd->n_input; k++) {
            char *in = prefixed(prefix, nd->input[k]);
            if (!in) return false;
            free(nd->input[k]);
            nd->input[k] = in;
        }
    }
    return true;
}

static int fn_cmp(const void *a, const void *b)
{
    const Tensorflow__FunctionDef *x = *(Tensorflow__FunctionDef *const *)a, *y = *(Tensorflow__FunctionDef *const *)b;
    return strcmp(x->signature ? x->signature->name : "", y->signature ? y->signature->name : "");
}

bool tfc_gdraw_trace_graph(const uint8_t *blob, size_t blob_len, const char *what, uint8_t **bytes,
                           size_t *len, tfc_status *st)
{
    Tensorflow__RunMetadata *rm = tensorflow__run_metadata__unpack(NULL, blob_len, blob);
    if (!rm) return tfc_fail(st, TFC_DATA_LOSS, "%s: not a valid RunMetadata (protobuf parse failed)", what);
    size_t ngraphs = 0, nnodes = 0, nfns = 0;
    for (size_t i = 0; i < rm->n_function_graphs; i++) {
        const Tensorflow__GraphDef *g = rm->function_graphs[i]->pre_optimization_graph;
        if (!g) continue;
        ngraphs++;
        nnodes += g->n_node;
        nfns += g->library ? g->library->n_function : 0;
    }
    if (!nnodes) {
        tensorflow__run_metadata__free_unpacked(rm, NULL);
        return tfc_fail(st, TFC_NOT_FOUND, "%s: the trace holds no graph (was tf.summary.trace_on called with graph=True?)",
                        what);
    }
    Tensorflow__NodeDef **nodes = malloc(nnodes * sizeof *nodes);
    Tensorflow__FunctionDef **fns = malloc((nfns ? nfns : 1) * sizeof *fns);
    bool ok = nodes && fns;
    size_t n = 0, nf = 0, index = 0;
    for (size_t i = 0; ok && i < rm->n_function_graphs; i++) {
        Tensorflow__GraphDef *g = rm->function_graphs[i]->pre_optimization_graph;
        if (!g) continue;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "graph_%zu", ++index);
        if (ngraphs > 1) ok = prefix_graph(g, prefix);
        for (size_t k = 0; ok && k < g->n_node; k++) nodes[n++] = g->node[k];
        for (size_t k = 0; ok && g->library && k < g->library->n_function; k++) fns[nf++] = g->library->function[k];
    }
    if (ok && nf > 1) { /* one copy of each function, the first seen */
        qsort(fns, nf, sizeof *fns, fn_cmp);
        size_t kept = 1;
        for (size_t k = 1; k < nf; k++)
            if (fn_cmp(&fns[kept - 1], &fns[k])) fns[kept++] = fns[k];
        nf = kept;
    }
    if (ok) {
        Tensorflow__FunctionDefLibrary lib = TENSORFLOW__FUNCTION_DEF_LIBRARY__INIT;
        lib.n_function = nf;
        lib.function = fns;
        Tensorflow__GraphDef merged = TENSORFLOW__GRAPH_DEF__INIT;
        merged.n_node = n;
        merged.node = nodes;
        merged.library = nf ? &lib : NULL;
        *len = tensorflow__graph_def__get_packed_size(&merged);
        *bytes = malloc(*len ? *len : 1);
        ok = *bytes != NULL;
        if (ok) tensorflow__graph_def__pack(&merged, *bytes);
    }
    free(nodes);
    free(fns);
    tensorflow__run_metadata__free_unpacked(rm, NULL);
    return ok || tfc_fail(st, TFC_INTERNAL, "%s: out of memory", what);
}
