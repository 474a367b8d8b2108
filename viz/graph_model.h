/* A GraphDef as tfc-graph sees it: the ops with their resolved inputs and static output shapes,
 * and the tree of name scopes they live in ("model/fc1/MatMul" lives in "model/fc1"). An op
 * whose name is also a scope (TensorFlow's variable "W" next to "W/Assign", "W/read") lives in
 * that scope, as in TensorBoard. Read-only once built. */
#ifndef TFC_GRAPH_MODEL_H
#define TFC_GRAPH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* What an op is, for drawing. */
typedef enum {
    TFC_GDRAW_OP,
    TFC_GDRAW_VARIABLE,    /* VariableV2, Variable, VarHandleOp */
    TFC_GDRAW_PLACEHOLDER, /* Placeholder, PlaceholderWithDefault */
    TFC_GDRAW_CONSTANT,    /* Const */
} tfc_gdraw_kind;

/* Why an op is kept out of the main picture (0: it is not). */
typedef enum {
    TFC_GDRAW_MAIN = 0,
    TFC_GDRAW_AUX_INIT,    /* initialisers: `init`, a variable's initial-value Assign and what feeds only it */
    TFC_GDRAW_AUX_SAVE,    /* a Saver's save/ (save_1/, ...) scope and what feeds only it */
    TFC_GDRAW_AUX_SUMMARY, /* summary ops and the tag constants feeding them */
} tfc_gdraw_aux;

typedef struct {
    int src;        /* index of the producing op */
    int src_output; /* output index; -1 for a control input ("^name") */
} tfc_gdraw_operand;

typedef struct {
    char *name;
    char *op;
    char *device;
    tfc_gdraw_kind kind;
    tfc_gdraw_aux aux;
    size_t ninputs;
    tfc_gdraw_operand *inputs; /* those naming an op of the graph, in GraphDef order */
    size_t nshapes;
    char **shapes; /* from `_output_shapes`: "?x784", "scalar"; NULL where the rank is unknown */
    int scope;     /* the scope it lives in (0 is the root) */
} tfc_gdraw_op;

typedef struct {
    /* The scope's path, "model/fc1", is the first path_len bytes of path (which points into the
     * name of an op below it, so it is not NUL-terminated there); "" for the root. */
    const char *path;
    size_t path_len;
    char *name;       /* the last component of the path */
    int parent;       /* -1 for the root */
    int depth;        /* 0 for the root, 1 for top-level scopes */
    int op;           /* the op named like the scope, or -1 */
    size_t nchildren;
    int *children;    /* child scopes, sorted by name */
    size_t nops;      /* ops in it and below */
    size_t nmain;     /* the same, less auxiliary ops */
} tfc_gdraw_scope;

typedef struct {
    size_t nops;
    tfc_gdraw_op *ops; /* in GraphDef order */
    size_t nscopes;
    tfc_gdraw_scope *scopes; /* depth first: a scope before its children, siblings by name; [0] is the root */
    size_t nunresolved;      /* inputs naming no op of the graph (dropped) */
    size_t ninlined;         /* function bodies inlined (see graph_nodes.h) */
    size_t nskipped_calls;   /* function calls left closed: nesting, recursion or size limits */
} tfc_gdraw_model;

/* Parses a serialized GraphDef (protobuf-c), inlines the function bodies its nodes call as
 * scopes below the calling nodes (graph_nodes.h), and builds the scope tree and the auxiliary
 * marks.
 * `what` names the source in error messages. NULL with st set on a corrupt or empty GraphDef. */
tfc_gdraw_model *tfc_gdraw_model_parse(const uint8_t *buf, size_t len, const char *what,
                                       tfc_status *st);
void tfc_gdraw_model_free(tfc_gdraw_model *m);

/* The scope with this path ("model/fc1", a trailing '/' allowed), or -1. */
int tfc_gdraw_model_find_scope(const tfc_gdraw_model *m, const char *path);
/* The scope's path as a NUL-terminated, malloc'ed string (NULL when out of memory). */
char *tfc_gdraw_scope_path(const tfc_gdraw_model *m, int s);
/* The op with this name, or -1. */
int tfc_gdraw_model_find_op(const tfc_gdraw_model *m, const char *name);
/* True when name is base or base_N (TensorFlow's uniquified names: "save_1", "init_2"). */
bool tfc_gdraw_name_is(const char *name, const char *base);
/* True when scope a is s or one of its ancestors. */
bool tfc_gdraw_scope_within(const tfc_gdraw_model *m, int s, int a);

#endif
