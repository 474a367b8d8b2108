/* What tfc-graph draws of a model: which name scopes are open (Graphviz clusters) and which are
 * collapsed into one node, the edges between the drawn items merged (with how many tensors
 * flow), and what was moved aside (auxiliary ops, TensorBoard-style high-degree nodes) or
 * simplified to keep the layout bounded, as a few lines of text for a side note. No Graphviz
 * here: graph_render.c draws a view. */
#ifndef TFC_GRAPH_VIEW_H
#define TFC_GRAPH_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "graph_model.h"
#include "status.h"

/* gradients/ and an optimizer's scope (one holding update_* scopes of Apply* ops) are never
 * moved aside and, like a variable's scope (its read, Assign, optimizer slots), stay one node
 * at any depth unless named by expand: what TensorBoard shows, and what keeps a full graph's
 * layout readable. */
typedef struct {
    int depth; /* name levels drawn: scopes at this depth are collapsed; 0 opens every other */
    const char *const *expand; /* scopes to open (with their ancestors) whatever the depth */
    size_t nexpand;
    bool all; /* draw auxiliary ops and high-degree nodes in place */
    /* The layout's budget in virtual nodes (see tfc_gdraw_view.nvirtual), 0 for none. Past it,
     * the view is simplified, each step only while still past it: gradients and optimizer boxes
     * of high degree go aside like any other node (TensorBoard's extraction, without the
     * exception made for them), then the edges crossing the most ranks are left out, but for
     * one that alone holds a part of the graph to the rest (an edge left out of the ranking only
     * while the estimate stays within twice the budget). */
    size_t max_virtual;
    /* At most this many open scopes drawn as boxes (0: no limit), the shallowest kept; never
     * more than TFC_GDRAW_MAX_NESTING levels of boxes in boxes. The items of a scope not drawn as
     * a box are drawn in the nearest box that is, and the view says so in a simplified line. */
    size_t max_clusters;
    /* A view of more nodes and edges than this (0: no limit) is laid out with fewer Graphviz
     * iterations and straight edges (fast_layout), and at most TFC_GDRAW_FAST_CLUSTERS boxes,
     * said in a simplified line. */
    size_t fast_size;
    /* A view of more nodes than this (0: no limit) has its ops named alike in one scope drawn as
     * series (when simplifying, max_virtual set); drawing still more is an error naming it. */
    size_t max_nodes;
} tfc_gdraw_options;

/* The limits tfc-graph simplifies by (see above), found by timing Graphviz 2.43 on Keras
 * applications' training graphs: a few seconds at the default depth, about a minute fully open. */
#define TFC_GDRAW_MAX_VIRTUAL 2000
#define TFC_GDRAW_MAX_CLUSTERS 300
#define TFC_GDRAW_FAST_SIZE 2000
#define TFC_GDRAW_FAST_CLUSTERS 40
#define TFC_GDRAW_MAX_NODES 10000

#define TFC_GDRAW_MAX_NESTING 32

/* A node drawn: an op, or a collapsed scope. A scope holding no drawn op but the one named like
 * it (a variable whose Assign and initial value are aside) is drawn as that op. A series is
 * several ops of one type named alike (op_1 ... op_40000), one node, as TensorBoard groups them. */
typedef struct {
    int op;       /* the op drawn (a series: its first), or -1 */
    int scope;    /* the collapsed scope drawn, or -1 */
    int parent;   /* the open scope it is drawn in (0: the top level) */
    size_t nops;  /* ops it stands for (1 for an op) */
    bool aside;   /* moved aside as a high-degree node (not drawn) */
    int series;   /* index into the view's series, or -1 */
} tfc_gdraw_item;

/* Ops named BASE + a number, drawn as one node "BASE[LO-HI]". */
typedef struct {
    char *base; /* the last name component before the number */
    unsigned long long lo, hi;
} tfc_gdraw_series;

/* An edge between two drawn items, merging every tensor and control dependency between them.
 * More than four such edges between an open scope and one item (or another open scope) outside
 * it are bundled into one edge drawn from (to) the scope's box, as TensorBoard bundles bridge
 * paths: from_scope / to_scope name the box, from / to are items inside it. */
typedef struct {
    int from, to;      /* items */
    size_t ntensors;   /* distinct tensors flowing (data edges); summed over a bundle */
    size_t nupdates;   /* of these, variables that only ops updating them (Assign, Apply*) take */
    size_t ncontrol;   /* control dependencies */
    int src_op;        /* the tensor when ntensors == 1 */
    int src_output;
    int from_scope, to_scope; /* > 0: the open scope whose box the edge leaves / enters */
    size_t nbundled;   /* item-to-item edges it stands for (1 unless bundled) */
    /* How the layout takes it. An edge handing variables only to the ops updating them is left
     * out of the ranking (constraint false), so that a variable stays by its layer. An edge from
     * a variable or a constant is laid out backwards (reversed; drawn forwards), so that the
     * source shares its rank with the layer it feeds instead of pushing that layer's box aside. */
    bool constraint;
    bool reversed;
} tfc_gdraw_edge;

typedef struct {
    size_t nitems;
    tfc_gdraw_item *items; /* collapsed scopes in scope order, then ops in GraphDef order */
    size_t nedges;
    tfc_gdraw_edge *edges; /* between drawn items, sorted by (from, to) */
    bool *cluster;         /* per scope: drawn as an open cluster ([0], the root, is false) */
    size_t ndrawn;         /* items drawn (not aside) */
    size_t naside_ops;     /* ops moved aside, high-degree items' ops included */
    size_t nnote;
    char **note; /* what was moved aside, one line each ("summaries (5 ops): Accuracy, Loss") */
    /* What the layout will cost: the ranks of the drawn items (longest paths along the edges
     * the ranking takes) and the points the edges add by crossing ranks (Graphviz's virtual
     * nodes). */
    size_t nranks, nvirtual;
    size_t nsimplified;
    char **simplified; /* what was simplified to keep the layout bounded, one line each */
    size_t nseries;
    tfc_gdraw_series *series;
    bool fast_layout;  /* lay out with Graphviz's fast settings (a large view, simplifying) */
} tfc_gdraw_view;

/* NULL with st set when an --expand scope is unknown (the message lists a few known ones) or
 * names an op. */
tfc_gdraw_view *tfc_gdraw_view_build(const tfc_gdraw_model *m, const tfc_gdraw_options *opt,
                                     tfc_status *st);
void tfc_gdraw_view_free(tfc_gdraw_view *v);

/* The item's name (op name, scope path, or "path/BASE[LO-HI]" for a series), malloc'ed; NULL
 * when out of memory. */
char *tfc_gdraw_item_name(const tfc_gdraw_model *m, const tfc_gdraw_view *v, const tfc_gdraw_item *it);

#endif
