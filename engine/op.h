/* How an op is defined: its TensorFlow type name, shape inference, CPU kernel and gradient,
 * kept together in one file under engine/ops/ and listed once in engine/op_table.c.
 * This header is for op implementations; users build graphs through ops.h. */
#ifndef TFC_OP_H
#define TFC_OP_H

#include "graph.h"
#include "session.h"

typedef struct tfc_kernel_ctx tfc_kernel_ctx;

typedef struct tfc_op_def {
    const char *type; /* TensorFlow's op type name, as written to the GraphDef */
    /* Checks the inputs' static dtypes and shapes and the attrs, and sets the outputs' with
     * tfc_node_set_output. Reports problems with tfc_node_error (naming both nodes and shapes). */
    bool (*infer)(tfc_graph *g, int node);
    /* Computes the outputs from the inputs. NULL for ops that only order others (NoOp). */
    bool (*kernel)(tfc_kernel_ctx *k);
    /* Adds the gradient nodes: dy[i] is the gradient flowing into output i (TFC_NO_OUT when
     * none does); fills dx[i] for each input (left TFC_NO_OUT where the op is not differentiable
     * in that input). Called with the scope set to gradients/<node>_grad/. NULL: no gradient. */
    void (*grad)(tfc_graph *g, int node, const tfc_out *dy, tfc_out *dx);
    unsigned flags;
    /* The inputs a node of this op takes, or TFC_INPUTS_LIST for a list whose length the op
     * checks itself (AddN, ConcatV2). Graph import refuses a NodeDef with another count, so a
     * kernel never reads an input that is not there; the builders of ops.h pass the right count. */
    int ninputs;
} tfc_op_def;

#define TFC_INPUTS_LIST (-1)

enum {
    TFC_OP_STATEFUL = 1u << 0, /* reads or writes state, or is random: never skipped or merged */
    TFC_OP_REF_INPUT0 = 1u << 1, /* input 0 must be a variable itself (Assign, Apply*) */
    /* The kernel can compute its last input itself when that is a MatMul's product nothing else
     * uses (see tfc_kernel_product): an optimiser update then takes the gradient of a weight
     * matrix a band at a time, while it is in cache, instead of from a whole written-out matrix. */
    TFC_OP_FUSES_PRODUCT = 1u << 2,
    /* Holds a variable's value between runs (VariableV2; VarHandleOp, whose output is the
     * variable's handle): the graph lists it among its variables and the session keeps its value. */
    TFC_OP_VARIABLE = 1u << 3,
    /* Output 0 may be input 0's tensor itself (tfc_kernel_forward(k, 0, k->in[0]), as Identity):
     * what reads it reads the input, so the plan orders it with the variable writes that input
     * may see. Forwarding an input without this flag is a run-time error. Update ops (REF_INPUT0)
     * pass their variable on without it. */
    TFC_OP_FORWARDS_INPUT0 = 1u << 4,
    /* The kernel waits on something outside the process: a collective over the ranks, a receive.
     * The executor runs such nodes on a thread of the session's own, not one of its compute
     * threads, one at a time in graph order (so that every rank issues its collectives in the same
     * order), while the compute threads go on with every node that does not depend on them: the
     * backward pass goes on while a bucket of gradients is averaged. */
    TFC_OP_WAITS = 1u << 5,
    /* tf.cond's Switch, RefSwitch and Merge (ops/control_flow.c): a plan holding one tracks which
     * nodes are dead in a run (see tfc_kernel_set_dead) and leaves out the rewrites that fuse
     * nodes. */
    TFC_OP_CONTROL_FLOW = 1u << 6,
};

/* The op registered under a type name, NULL if none. */
const tfc_op_def *tfc_op_lookup(const char *type);

/* The variable a ref input reaches: the variable (VariableV2, VarHandleOp) itself, or one that
 * RefSwitch nodes pass on (a variable written inside a tf.cond), or Switch and Identity nodes its
 * resource handle goes through; -1 when it reaches none. */
int tfc_ref_variable(const tfc_graph *g, tfc_out ref);

/* ---- Building a node (used by the functions of ops.h) ----
 * tfc_node_begin creates the node with its inputs (output count from num_outputs); attrs are then
 * set, and tfc_node_finish runs shape inference and returns output 0. After any earlier error
 * begin returns -1, the setters do nothing and finish returns TFC_NO_OUT. name NULL gives the
 * op type as default name; names are made unique and prefixed with the current scope. */
int tfc_node_begin(tfc_graph *g, const char *type, const char *name, const tfc_out *inputs, int ninputs,
                   int num_outputs);
void tfc_node_add_control(tfc_graph *g, int node, int control);
void tfc_set_attr_int(tfc_graph *g, int node, const char *name, int64_t v);
void tfc_set_attr_float(tfc_graph *g, int node, const char *name, float v);
void tfc_set_attr_bool(tfc_graph *g, int node, const char *name, bool v);
void tfc_set_attr_type(tfc_graph *g, int node, const char *name, tfc_dtype v);
void tfc_set_attr_shape(tfc_graph *g, int node, const char *name, tfc_shape v);
void tfc_set_attr_string(tfc_graph *g, int node, const char *name, const char *v);
void tfc_set_attr_tensor(tfc_graph *g, int node, const char *name, const tfc_tensor *v); /* copies */
void tfc_set_attr_ints(tfc_graph *g, int node, const char *name, const int64_t *v, int n);
void tfc_set_attr_strings(tfc_graph *g, int node, const char *name, const char *const *v, int n);
void tfc_set_attr_types(tfc_graph *g, int node, const char *name, const tfc_dtype *v, int n);
tfc_out tfc_node_finish(tfc_graph *g, int node);
/* For graph importers: begins a node named exactly `name` (no scope, no uniquifying; the name is
 * recorded as in use, and one already in the graph is an error), on `device`, with the inputs the
 * op takes (see tfc_op_def.ninputs). Its outputs are those its infer sets. Unknown op types are
 * an error too. Attrs, control inputs and tfc_node_finish as for tfc_node_begin. */
int tfc_node_import(tfc_graph *g, const char *type, const char *name, const char *device, const tfc_out *inputs,
                    int ninputs);

/* In infer: set output i's static dtype and shape (a node being built gains output i if it has
 * fewer: an imported node has the outputs its infer sets). */
void tfc_node_set_output(tfc_graph *g, int node, int i, tfc_dtype dt, tfc_shape shape);
/* In infer: report an error about this node (the message is prefixed "node 'NAME' (OP): ").
 * Returns false. */
bool tfc_node_error(tfc_graph *g, int node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* For public builders taking an array and its count: false, with the graph's build error naming the
 * builder, the argument and the node asked for (name, or the builder's default dflt), when the array
 * is NULL but the count is above 0 (also for a NULL graph, which records nothing). */
bool tfc_builder_array(tfc_graph *g, const char *builder, const char *name, const char *dflt, const char *arg, const void *v,
                       int64_t n);
/* The same for a shape argument: false, with the build error, unless its rank is -1 (unknown, where
 * unknown_rank allows it) or 0 to TFC_MAX_DIMS and each dim is -1 (unknown, where unknown_dims
 * allows it) or 0 to max_dim. */
bool tfc_builder_shape(tfc_graph *g, const char *builder, const char *name, const char *dflt, tfc_shape s, bool unknown_rank,
                       bool unknown_dims, int64_t max_dim);
/* Attr getters with defaults, for infer and kernels. */
int64_t tfc_attr_int(const tfc_graph *g, int node, const char *name, int64_t dflt);
float tfc_attr_float(const tfc_graph *g, int node, const char *name, float dflt);
bool tfc_attr_bool(const tfc_graph *g, int node, const char *name, bool dflt);
tfc_dtype tfc_attr_type(const tfc_graph *g, int node, const char *name, tfc_dtype dflt);
const char *tfc_attr_string(const tfc_graph *g, int node, const char *name, const char *dflt);

/* ---- Running a node (in kernels) ---- */
struct tfc_kernel_ctx {
    tfc_session *session;
    tfc_graph *graph;
    int node;
    int ninputs;
    const tfc_tensor *const *in; /* input values, in input order */
    tfc_status *st;
};

/* Output i's tensor with this dtype and shape; the session owns it (buffers are reused from run
 * to run when the size is unchanged, so the contents are undefined: write all of it).
 * NULL on allocation failure, with st set. */
tfc_tensor *tfc_kernel_output(tfc_kernel_ctx *k, int i, tfc_dtype dt, tfc_shape shape);
/* Output i written over input `in`'s buffer when nothing else reads that input (this node is its
 * producer's only consumer, it is the session's own intermediate value and is not fetched) and it
 * has this dtype and shape; otherwise the same as tfc_kernel_output. For elementwise kernels that
 * read each element before they write it: an intermediate activation then takes one buffer, not
 * one per op, and stays in cache. */
tfc_tensor *tfc_kernel_output_over(tfc_kernel_ctx *k, int i, int in, tfc_dtype dt, tfc_shape shape);
/* Makes output i the tensor t (ownership passes to the session). */
void tfc_kernel_set_output(tfc_kernel_ctx *k, int i, tfc_tensor *t);
/* Output i is t itself, not owned by this node (a variable's value, an input passed through). */
void tfc_kernel_forward(tfc_kernel_ctx *k, int i, const tfc_tensor *t);
/* For VariableV2's own kernel: the variable's value, NULL while uninitialised. */
tfc_tensor *tfc_kernel_variable(tfc_kernel_ctx *k);
/* The mutable value of the variable that is input i (for REF_INPUT0 ops); NULL with st set when
 * it is uninitialised. */
tfc_tensor *tfc_kernel_ref(tfc_kernel_ctx *k, int i);
/* Output i carries no value in this run (the branch of a Switch not taken; i < 7): the nodes that
 * read it are dead and do not run, nor those that wait on them by control edges, but a Merge runs
 * when one of its inputs has a value, and sees the dead ones as NULL. As TensorFlow's executor. */
void tfc_kernel_set_dead(tfc_kernel_ctx *k, int i);
/* Replaces the variable's value with a copy of value (Assign). */
bool tfc_kernel_assign_ref(tfc_kernel_ctx *k, int i, const tfc_tensor *value);
/* Reports a run-time error about this node; returns false. */
bool tfc_kernel_error(tfc_kernel_ctx *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Per-node random stream for random ops: seeded from the node's seed attrs and the session's
 * graph-level seed, so runs are reproducible for a given seed. Uniform in [0, 1). */
double tfc_kernel_uniform(tfc_kernel_ctx *k);
/* The next n values of the same stream at once, for kernels that fill a tensor on several threads:
 * returns a block from which tfc_uniform_at(block, i) is the i-th of them (the same numbers, in the
 * same order, as n calls of tfc_kernel_uniform). */
uint64_t tfc_kernel_uniform_block(tfc_kernel_ctx *k, int64_t n);
double tfc_uniform_at(uint64_t block, int64_t i);
/* Splits [0, n) into chunks run on the session's threads; fn(arg, begin, end). Runs inline when
 * n is below grain. */
void tfc_parallel_for(tfc_kernel_ctx *k, int64_t n, int64_t grain, void (*fn)(void *arg, int64_t b, int64_t e),
                      void *arg);
int tfc_kernel_threads(const tfc_kernel_ctx *k);
/* Whether the session asks for plain convolution sums (tfc_session_options.plain_convolution). */
bool tfc_kernel_plain_convolution(const tfc_kernel_ctx *k);
/* The session's communicator (comm.h) for collective and point-to-point ops; NULL when the session
 * runs alone. */
struct tfc_comm *tfc_kernel_comm(const tfc_kernel_ctx *k);

/* A matrix product left to its consumer: op(a) op(b) as MatMul's attrs say. */
typedef struct {
    const tfc_tensor *a, *b;
    bool transpose_a, transpose_b;
} tfc_product;
/* For TFC_OP_FUSES_PRODUCT ops: true when the session left input i (then k->in[i] is NULL) to be
 * computed by this kernel, with its operands in *p; false when k->in[i] holds the value. */
bool tfc_kernel_product(tfc_kernel_ctx *k, int i, tfc_product *p);

/* For MaxPoolGrad: true when the session folded the ReluGrad that follows it into it (that ReluGrad
 * masks this output with this node's original input): the kernel must also zero the gradient
 * wherever the original input is not positive. */
bool tfc_kernel_folds_relu_grad(tfc_kernel_ctx *k);

/* What a convolution applies to its outputs as it stores them. */
typedef struct {
    const tfc_tensor *bias; /* added to each output channel (a folded BiasAdd) */
    bool relu;              /* then max(., 0) as Relu computes it (a folded Relu) */
} tfc_epilogue;
/* For Conv2D: true when the session folded the BiasAdd (and the Relu after it) that follow this
 * node into it, nothing else reading the values in between; the kernel must apply *e. */
bool tfc_kernel_epilogue(tfc_kernel_ctx *k, tfc_epilogue *e);

#endif
