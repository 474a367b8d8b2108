/* The nodes tfc-graph draws, before they become a model: a GraphDef's nodes, and the bodies of the
 * functions its nodes call (TF2's While/If/Case bodies, StatefulPartitionedCall functions, TF1
 * function-call ops) inlined under the calling node as scopes named "ATTR:FUNCTION"
 * ("while/body:while_body_167/while/add"). A ':' is not allowed in TensorFlow's node names, so
 * these scopes never meet a name of the graph. Each body gets one "_Arg" node per input
 * argument, fed by the call's input, and its return values feed the calling node, so the data
 * flows through the body when it is drawn open. Internal to viz/. */
#ifndef TFC_GRAPH_NODES_H
#define TFC_GRAPH_NODES_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.pb-c.h"

/* Inlining stops at this many nested calls, and at this many inlined nodes in all (counted in
 * nskipped past that), so that no graph's function library can blow up the drawing. */
#define TFC_GDRAW_INLINE_DEPTH 8
#define TFC_GDRAW_INLINE_NODES 100000

typedef struct {
    char *name;                    /* full name, inlined bodies prefixed */
    const char *op;                /* borrowed from nd, or a literal */
    const Tensorflow__NodeDef *nd; /* device and attrs (shapes); NULL for an _Arg node */
    size_t ninputs;
    char **inputs;  /* "name", "name:1", "^name", in the GraphDef's namespace */
    int call;       /* the node whose function body this one belongs to, -1 for the graph's own */
    const char *fn; /* that function's name, NULL for the graph's own */
} tfc_gdraw_node;

typedef struct {
    size_t n, cap;
    tfc_gdraw_node *nodes; /* the graph's own nodes first, in GraphDef order */
    size_t ninlined;       /* function bodies drawn */
    size_t nskipped;       /* calls whose bodies were not inlined (depth, recursion, budget) */
} tfc_gdraw_nodes;

/* Fills out from gd (which must outlive out). False when out of memory. */
bool tfc_gdraw_nodes_build(const Tensorflow__GraphDef *gd, tfc_gdraw_nodes *out);
void tfc_gdraw_nodes_clear(tfc_gdraw_nodes *nodes);

#endif
