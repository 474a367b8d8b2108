/* libFuzzer target for graph import (graphdef/): protobuf-c's parse, then the checks before anything
 * is added (op types, names, inputs, cycles, arity), the attrs' conversion, every op's shape
 * inference on what the file claims, the _output_shapes check and the MetaGraph's collections. The
 * first byte picks the mode: bit 0 a GraphDef (0) or a MetaGraphDef (1), bit 1 a name prefix, bit 2
 * a SavedModel (base/graph_file.c takes its first MetaGraph, which is then imported). What
 * imports must export and import again (GraphDef and MetaGraph), or the target traps: an imported
 * graph is one tfc can write. Build and run: see fuzz/meson.build. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "graph_file.h"
#include "graph_import.h"
#include "graphdef.h"
#include "meta_graph.h"

/* g's GraphDef and MetaGraph import into fresh graphs. */
static bool exports_import(const tfc_graph *g)
{
    tfc_status *st = tfc_status_new();
    size_t len = 0, mlen = 0;
    unsigned char *gd = tfc_graphdef_serialize(g, &len, st), *mg = tfc_meta_graph_serialize(g, &mlen, st);
    tfc_graph *a = tfc_graph_new(), *b = tfc_graph_new();
    bool ok = gd && mg && tfc_graph_import(a, gd, len, NULL, st) && tfc_meta_graph_import(b, mg, mlen, NULL, st) &&
              tfc_graph_num_nodes(a) == tfc_graph_num_nodes(g) && tfc_graph_num_nodes(b) == tfc_graph_num_nodes(g);
    tfc_graph_free(a);
    tfc_graph_free(b);
    free(gd);
    free(mg);
    tfc_status_free(st);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool meta = data[0] & 1;
    const char *prefix = data[0] & 2 ? "p" : NULL;
    tfc_status *st = tfc_status_new();
    tfc_graph *g = tfc_graph_new();
    uint8_t *saved_meta = NULL;
    size_t saved_len = 0;
    bool ok;
    if (data[0] & 4)
        ok = tfc_saved_model_meta_graph("fuzz", data + 1, size - 1, &saved_meta, &saved_len, st) &&
             tfc_meta_graph_import(g, saved_meta, saved_len, prefix, st);
    else
        ok = meta ? tfc_meta_graph_import(g, data + 1, size - 1, prefix, st)
                  : tfc_graph_import(g, data + 1, size - 1, prefix, st);
    free(saved_meta);
    if (ok && !exports_import(g)) __builtin_trap();
    tfc_graph_free(g);
    tfc_status_free(st);
    return 0;
}
