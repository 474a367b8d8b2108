/* The graph's insides, shared by graph.c, session.c and grad.c only. */
#ifndef TFC_GRAPH_INTERNAL_H
#define TFC_GRAPH_INTERNAL_H

#include "op.h"

typedef struct {
    char *name;
    const tfc_op_def *def;
    char *device;
    int nin;
    tfc_out *in;
    int nctl;
    int *ctl;
    int nout;
    tfc_dtype *out_dtype;
    tfc_shape *out_shape;
    int nattr;
    tfc_attr *attrs;
    int init; /* for VariableV2: its initialiser (an Assign node), -1 until set */
    bool trainable; /* for VariableV2: optimizers update it (slots and counters are not) */
} tfc_node;

/* An open tfc_control_dependencies_push: its control inputs, and the first node built inside it. */
typedef struct {
    int *ctl;
    int nctl;
    int first;
    bool barrier; /* pushed with deps NULL: the contexts below it do not apply */
} tfc_control_context;

typedef struct {
    char *key;
    char **items;
    int n;
} tfc_collection;

typedef struct {
    char **keys;
    int *vals;
    size_t cap, n;
} tfc_name_map;

struct tfc_graph {
    tfc_node *nodes;
    int n, cap;
    tfc_status *st;
    tfc_name_map names; /* lower-cased names in use -> count, as TF's Graph._names_in_use */
    char **scopes;       /* stack of full scope names (without trailing '/') */
    int nscopes;
    char **devices;
    int ndevices;
    tfc_control_context *controls;
    int ncontrols;
    int *vars;
    int nvars;
    int building; /* node id from begin to the end of finish (its infer), -1 otherwise */
    /* tfc_distributed_optimizer's settings: 0 buckets = gradients are not averaged over ranks */
    int64_t dist_bucket_floats, dist_chunk_floats;
    tfc_collection *collections;
    int ncollections;
};

static inline tfc_node *tfc_graph_node(const tfc_graph *g, int id) { return &g->nodes[id]; }

/* The value of a Const node feeding o, or NULL when o is not a constant. */
const tfc_tensor *tfc_graph_const_value(const tfc_graph *g, tfc_out o);
/* tf.colocate_with(node) around the nodes built since `first` (a node id): each gets the attr
 * _class ["loc:@NODE"], as TensorFlow marks optimizer slots and what it builds next to a tensor. */
void tfc_graph_colocate_since(tfc_graph *g, int first, int node);

#endif
