/* The dataflow graph: nodes with TensorFlow's names, op types, inputs, devices and attributes.
 * Building is checked as it goes: the first error (a shape mismatch, an unknown input) is kept in
 * the graph, every later build call is a no-op returning TFC_NO_OUT, and tfc_graph_ok() tells.
 * Nodes are numbered 0, 1, ... in creation order; a function given a node id the graph does not
 * have (or a NULL graph) returns NULL, 0, -1, TFC_INVALID or TFC_NO_OUT as its type allows. The
 * strings returned belong to the graph and live as long as it. */
#ifndef TFC_GRAPH_H
#define TFC_GRAPH_H

#include "api.h"
#include "status.h"
#include "tensor.h"

TFC_BEGIN_DECLS

typedef struct tfc_graph tfc_graph;

/* A tensor in the graph: output `index` of node `node` (TensorFlow's "name:index"). */
typedef struct {
    int node;
    int index;
} tfc_out;
#define TFC_NO_OUT ((tfc_out){-1, 0})
static inline bool tfc_out_ok(tfc_out o) { return o.node >= 0; }

/* A new, empty graph for the caller to free with tfc_graph_free; NULL when out of memory (every
 * function accepts that NULL: tfc_graph_check reports it). */
TFC_API tfc_graph *tfc_graph_new(void);
/* Frees the graph, its nodes and their attributes; NULL is allowed. Sessions on it must be freed
 * first. */
TFC_API void tfc_graph_free(tfc_graph *g);
/* True while no build call failed (false for a NULL graph). */
TFC_API bool tfc_graph_ok(const tfc_graph *g);
/* The first build error, "" when none (a sentence about tfc_graph_new for a NULL graph). */
TFC_API const char *tfc_graph_error(const tfc_graph *g);
/* Copies the graph's build error, if any, into st (for a NULL graph: that tfc_graph_new failed);
 * returns tfc_graph_ok(g). */
TFC_API bool tfc_graph_check(const tfc_graph *g, tfc_status *st);

/* Name scopes, as tf.name_scope: "model" then "fc1" gives "model/fc1/"; a scope entered again
 * is uniquified ("dropout_1/"). A name ending in '/' is used verbatim. Every push needs its pop
 * (also after an error, which push and pop keep balanced); a NULL name is a build error, and so
 * is a pop without its push (here and for the device and control-dependency pops below). */
TFC_API void tfc_scope_push(tfc_graph *g, const char *name);
TFC_API void tfc_scope_pop(tfc_graph *g);
/* The current scope with its trailing '/', "" at the top; valid until the next call on this thread. */
TFC_API const char *tfc_scope(const tfc_graph *g);
/* Device strings ("/cpu:0", copied), recorded on the nodes built while pushed; NULL is "". */
TFC_API void tfc_device_push(tfc_graph *g, const char *device);
TFC_API void tfc_device_pop(tfc_graph *g);

/* tf.control_dependencies: the nodes built until the matching pop get control inputs on the nodes
 * of deps (run after them), as TensorFlow adds them: not where an input of the new node was itself
 * built inside the context (it already runs after deps), and not on a node the new one takes as a
 * data input. Contexts nest and add up; deps NULL (TensorFlow's None) opens a clean one, whose nodes
 * get no control inputs from the contexts around it. */
TFC_API void tfc_control_dependencies_push(tfc_graph *g, const tfc_out *deps, int n);
TFC_API void tfc_control_dependencies_pop(tfc_graph *g);

/* ---- Introspection (used by the GraphDef writer, the saver and the tools) ---- */

typedef enum {
    TFC_ATTR_INT,
    TFC_ATTR_FLOAT,
    TFC_ATTR_BOOL,
    TFC_ATTR_TYPE,
    TFC_ATTR_SHAPE,
    TFC_ATTR_STRING,
    TFC_ATTR_TENSOR,
    TFC_ATTR_INT_LIST,
    TFC_ATTR_STRING_LIST,
    TFC_ATTR_TYPE_LIST,
} tfc_attr_kind;

typedef struct {
    const char *name;
    tfc_attr_kind kind;
    union {
        int64_t i;
        float f;
        bool b;
        tfc_dtype type;
        tfc_shape shape;
        const char *s;
        const tfc_tensor *tensor;
        struct {
            int n;
            const int64_t *v;
        } ints;
        struct {
            int n;
            const char *const *v;
        } strs;
        struct {
            int n;
            const tfc_dtype *v;
        } types;
    };
} tfc_attr;

/* The most outputs a node may have. */
#define TFC_MAX_OUTPUTS 65536

/* The number of nodes; ids run from 0 to that minus one. */
TFC_API int tfc_graph_num_nodes(const tfc_graph *g);
/* Node id by full name ("model/fc1/weights"), -1 if none. */
TFC_API int tfc_graph_find(const tfc_graph *g, const char *name);
/* A node's full name, its TensorFlow op type ("MatMul") and its device ("" when none). */
TFC_API const char *tfc_node_name(const tfc_graph *g, int node);
TFC_API const char *tfc_node_op(const tfc_graph *g, int node);
TFC_API const char *tfc_node_device(const tfc_graph *g, int node);
/* A node's data inputs (tensors of other nodes) and control inputs (node ids it runs after). */
TFC_API int tfc_node_num_inputs(const tfc_graph *g, int node);
TFC_API tfc_out tfc_node_input(const tfc_graph *g, int node, int i);
TFC_API int tfc_node_num_controls(const tfc_graph *g, int node);
TFC_API int tfc_node_control(const tfc_graph *g, int node, int i);
/* A node's outputs, with their static dtypes and shapes (dims of -1 unknown until run). */
TFC_API int tfc_node_num_outputs(const tfc_graph *g, int node);
TFC_API tfc_dtype tfc_node_output_dtype(const tfc_graph *g, int node, int i);
TFC_API tfc_shape tfc_node_output_shape(const tfc_graph *g, int node, int i);
/* A node's attributes (TensorFlow's attr map: "T", "transpose_a", "value", ...), by index or by
 * name (NULL when it has none of that name); they belong to the graph. */
TFC_API int tfc_node_num_attrs(const tfc_graph *g, int node);
TFC_API const tfc_attr *tfc_node_attr(const tfc_graph *g, int node, int i);
TFC_API const tfc_attr *tfc_node_find_attr(const tfc_graph *g, int node, const char *name);
/* The static dtype and shape of a tensor (TFC_INVALID and an unknown shape for one the graph does
 * not have). */
TFC_API tfc_dtype tfc_out_dtype(const tfc_graph *g, tfc_out o);
TFC_API tfc_shape tfc_out_shape(const tfc_graph *g, tfc_out o);
/* Writes "name:index" ("<invalid>" for a tensor the graph does not have) into buf, n bytes at
 * most, and returns buf ("" when buf is NULL or n is 0). */
TFC_API const char *tfc_out_name(const tfc_graph *g, tfc_out o, char *buf, size_t n);
/* The tensor "name:index" of the graph; "name" alone is output 0, or the node itself as a run
 * target when it has no outputs (a NoOp train op). TFC_NO_OUT when there is no such tensor. */
TFC_API tfc_out tfc_graph_tensor(const tfc_graph *g, const char *name);

/* Variables (VariableV2 and VarHandleOp nodes) in creation order: their count, and the i-th
 * one's node id (-1 when there is none). */
TFC_API int tfc_graph_num_variables(const tfc_graph *g);
TFC_API int tfc_graph_variable(const tfc_graph *g, int i);
/* The dtype and shape of a variable's value (a VarHandleOp's output is its handle, of dtype
 * resource). */
TFC_API tfc_dtype tfc_variable_dtype(const tfc_graph *g, int var);
TFC_API tfc_shape tfc_variable_shape(const tfc_graph *g, int var);
/* Whether optimizers train the variable (false for optimizer slots and global_step, and for a node
 * that is no variable), and setting it (ignored for a node that is no variable). */
TFC_API bool tfc_variable_trainable(const tfc_graph *g, int node);
TFC_API void tfc_variable_set_trainable(tfc_graph *g, int var, bool trainable);
/* A variable's initialiser, the node global_variables_initializer runs for it (its Assign);
 * -1 when it has none. Builders set it; graph import sets it from the MetaGraph. Setting it is
 * ignored unless var is a variable and init a node of the graph (or -1). */
TFC_API int tfc_variable_initializer(const tfc_graph *g, int var);
TFC_API void tfc_variable_set_initializer(tfc_graph *g, int var, int init);

/* Collections, as TensorFlow's Graph keeps them: named lists of node names ("train/Adam") and
 * tensor names ("Merge/MergeSummary:0") that a MetaGraph carries (train_op, summaries,
 * update_ops, ...). The variables are not kept here: the graph knows them. Adding copies key and
 * item; it fails (false) after a build error, for a NULL key or item (a build error) and when
 * memory runs out. */
TFC_API bool tfc_graph_add_to_collection(tfc_graph *g, const char *key, const char *item);
/* The collections in the order they were first added to: their count, the i-th one's key (NULL
 * when there is none), and the number of items under a key (0 for an unknown key). */
TFC_API int tfc_graph_num_collections(const tfc_graph *g);
TFC_API const char *tfc_graph_collection_key(const tfc_graph *g, int i);
TFC_API int tfc_graph_collection_size(const tfc_graph *g, const char *key);
/* Item i of a collection, NULL when there is none. */
TFC_API const char *tfc_graph_collection_item(const tfc_graph *g, const char *key, int i);

TFC_END_DECLS

#endif
