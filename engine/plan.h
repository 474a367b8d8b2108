/* A compiled plan: what a session run with one signature (the tensors fed, the tensors fetched)
 * does, worked out once and reused by every run with that signature, as TensorFlow's executor
 * cache does: the needed nodes in order, where each input comes from, the rewrites (products
 * left to their consumer, folded epilogues and ReluGrads, buffers written over) and the
 * dependencies the executor counts down, including those that keep the reads and writes of a
 * variable in graph order. Internal to the engine (session.c compiles, executor.c runs). */
#ifndef TFC_PLAN_H
#define TFC_PLAN_H

#include "graph_internal.h"
#include "session.h"

/* Where an input's value comes from in a run. */
typedef enum {
    TFC_SRC_NODE,     /* output `index` of node `node`, computed in this run (or a variable's value) */
    TFC_SRC_FEED,     /* the run's feeds[index] */
    TFC_SRC_VARIABLE, /* the variable node `node` itself (a ref input) */
    TFC_SRC_DEFERRED, /* a product left to this consumer: no value (tfc_kernel_product) */
} tfc_src_kind;

typedef struct {
    tfc_src_kind kind;
    int node, index;
} tfc_src;

/* What the executor does for a step. */
typedef enum {
    TFC_STEP_KERNEL, /* runs the node's kernel */
    TFC_STEP_PASS,   /* passes input 0 on: its producer did its work (a folded ReluGrad, BiasAdd, Relu) */
    TFC_STEP_NONE,   /* nothing: an op without a kernel (NoOp), or a product left to its consumer */
    TFC_STEP_RECV,   /* another rank runs the node: receive what this rank reads of it (recv) */
} tfc_step_action;

/* One tensor (or, index -1, a control edge) going between ranks: output `index` of a step's node
 * to or from `rank`. */
typedef struct {
    int index;
    int rank;
} tfc_transfer;

typedef struct {
    int node;
    const tfc_node *nd;
    tfc_step_action action;
    bool waits;           /* TFC_OP_WAITS: runs on the session's waiting thread */
    bool folds_relu_grad; /* a MaxPoolGrad that applies the ReluGrad after it */
    bool epilogue;        /* a Conv2D that applies the BiasAdd after it: its bias is epilogue_bias */
    bool epilogue_relu;   /* and the Relu after that */
    tfc_src epilogue_bias;
    int nin;
    const tfc_src *in;        /* nin sources, in input order */
    tfc_out ref_via; /* the RefSwitch output a ref input 0 comes through (tf.cond), node -1 when none */
    const unsigned char *over; /* per input: it may be written over (its edge is its producer's only use, not fetched) */
    int nfed;                 /* outputs of this node that are fed: the fed value replaces the kernel's */
    const int *fed_out, *fed_feed;
    int nsend, nrecv; /* when the plan is split over ranks: what this step sends after it ran, or receives */
    const tfc_transfer *send, *recv;
    int npred;      /* steps that must finish before this one */
    int nsucc;
    const int *succ; /* steps that wait for this one */
} tfc_step;

typedef struct tfc_plan {
    /* the signature */
    int nfeeds, nfetches;
    tfc_out *feeds, *fetches;
    int graph_nodes; /* the graph's size when compiled: a plan of a graph that has grown is stale */
    int nsteps;
    tfc_step *steps; /* in graph order (ascending node ids, a topological order) */
    int *step_of;    /* node id -> its step, -1 when the run does not compute it */
    int ninputs;     /* sum of the steps' nin */
    int nwaiting;    /* steps that wait (TFC_OP_WAITS), in graph order in waiting */
    int *waiting;
    /* Split over ranks (placement.h): this rank's transfers. The steps that send or receive wait
     * (they are among the waiting steps, which run one after the other in graph order on every rank,
     * so that no two ranks wait for each other). */
    bool split;
    tfc_transfer *transfers;
    /* Some step is a Switch, RefSwitch or Merge (TFC_OP_CONTROL_FLOW): the executor tracks dead
     * nodes, and the rewrites that fuse nodes are left out. */
    bool control_flow;
    /* the arrays the steps point into */
    tfc_src *srcs;
    unsigned char *overs;
    int *succs, *fed;
} tfc_plan;

/* Compiles the plan of a run of g; the signature must be valid (feeds and fetches checked). */
typedef struct tfc_placement_s tfc_placement;
/* Compiles the plan of a run of g; the signature must be valid (feeds and fetches checked).
 * where: this process among the session's ranks, and whether soft placement is allowed. */
tfc_plan *tfc_plan_compile(const tfc_graph *g, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                           const tfc_placement *where, tfc_status *st);
void tfc_plan_free(tfc_plan *p);
/* Whether the plan is the one of this signature. */
bool tfc_plan_matches(const tfc_plan *p, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches);

#endif
