/* A session runs parts of a graph: it computes only what the fetches need, each node once per
 * run, and holds the values of the variables between runs. Every function takes a NULL session
 * (a failed tfc_session_new) and reports it through the status. One run at a time per session. */
#ifndef TFC_SESSION_H
#define TFC_SESSION_H

#include "api.h"
#include "graph.h"

TFC_BEGIN_DECLS

typedef struct tfc_session tfc_session;

/* A value for a tensor of the graph (usually a placeholder) for one run; the session reads it
 * during the run and keeps nothing of it. */
typedef struct {
    tfc_out out;
    const tfc_tensor *value;
} tfc_feed;

/* The most threads a session runs on. */
#define TFC_SESSION_MAX_THREADS 1024

typedef struct {
    int threads; /* 0: all cores; nodes run side by side on them, 1 runs them one by one; at most
                  * TFC_SESSION_MAX_THREADS (more, or fewer than 0, fails tfc_session_new) */
    uint64_t seed; /* graph-level seed for random ops without their own */
    bool profile; /* time every kernel: see tfc_session_node_time and tfc_session_node_trace */
    /* The process group collective ops run on (comm.h); NULL: this process alone. Nodes placed on
     * tasks (tfc_device_push(g, "/job:worker/task:1")) run on that task's rank: every rank runs the
     * same graph with the same feeds and fetches, and each computes its own nodes and sends what the
     * others read, the fetches to task 0 (the client): task 0's outputs get every fetched value,
     * another rank's those of its own nodes; a graph that places no node beyond task 0 runs whole
     * on every rank. */
    struct tfc_comm *comm;
    /* A node placed on a device this machine lacks (/gpu:0, a task beyond the ranks) runs on the CPU
     * of task 0 with a one-line note on stderr (the session's first such run only), instead of
     * failing the run (TensorFlow's allow_soft_placement). */
    bool allow_soft_placement;
    /* Convolutions sum their products plainly (im2col or direct loops), never through Winograd's
     * transforms, which round about 30 times more: slower for 5x5 layers, but the values of a
     * graph imported from TensorFlow then stay as close to TensorFlow's as its own kernels
     * differ among themselves (tfc-run --graph sets it). */
    bool plain_convolution;
} tfc_session_options;

/* A session on g for the caller to free with tfc_session_free, with opts (NULL: all cores, seed 0,
 * no profile, no comm). The graph must outlive the session; nodes added later are runnable too.
 * NULL with st set when g is NULL or holds a build error (that error), opts->threads is out of
 * range, or memory runs out. */
TFC_API tfc_session *tfc_session_new(tfc_graph *g, const tfc_session_options *opts, tfc_status *st);
/* Frees the session, its variables' values and its buffers (not the graph); NULL is allowed. */
TFC_API void tfc_session_free(tfc_session *s);

/* Runs the graph for the nfetches tensors at fetches, with the nfeeds values at feeds (TFC_FEEDS
 * and TFC_FETCHES below write both pairs). outputs[i] receives a new tensor the caller frees, or
 * NULL for a fetch with no value (an op such as a train step or `init`, fetched as output 0).
 * outputs may be NULL when nothing is wanted back. On error (a NULL session, an unfed placeholder,
 * a fed value of the wrong dtype or shape, an uninitialised variable, a kernel's run-time error;
 * each naming the node) st says which and every outputs[i] is NULL. The first run with a
 * given list of fed and fetched tensors compiles its plan; later runs with the same lists reuse it. */
TFC_API bool tfc_session_run(tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                             tfc_tensor **outputs, tfc_status *st);

/* Runs the initialisers of all variables (global_variables_initializer); false with st set as
 * tfc_session_run. */
TFC_API bool tfc_session_run_init(tfc_session *s, tfc_status *st);

/* The value a variable (a VariableV2 node, see tfc_variable_node) holds, borrowed from the session
 * until the next run or assign; NULL while uninitialised, and for a node that is no variable. */
TFC_API const tfc_tensor *tfc_session_variable(const tfc_session *s, int node);
/* Sets a variable to a copy of value; false with st set when node is no variable or value's dtype
 * and shape are not the variable's. */
TFC_API bool tfc_session_assign(tfc_session *s, int node, const tfc_tensor *value, tfc_status *st);

/* The graph the session runs (NULL for a NULL session). */
TFC_API tfc_graph *tfc_session_graph(const tfc_session *s);

/* With options.profile: the wall time spent in a node's kernel and how many runs executed it, summed
 * since the session began. Returns false (and zeros) when the session does not profile. */
TFC_API bool tfc_session_node_time(const tfc_session *s, int node, double *seconds, int64_t *runs);
/* Sets those totals back to zero (to time training without the initialisation before it). */
TFC_API void tfc_session_reset_profile(tfc_session *s);

/* For tests and tools: how the executor worked. The number of plans the session has compiled (one
 * per signature of feeds and fetches; repeated runs reuse it, a graph that grows compiles anew). */
TFC_API int64_t tfc_session_plans_compiled(const tfc_session *s);
/* With options.profile, the last run's trace: the thread that ran a node's kernel (0 the caller,
 * 1 to threads-1 the session's workers, `threads` the thread for the nodes that wait on other
 * processes) and when it began and ended, in seconds from the run's start. False (and zeros) when
 * the node's kernel did not run in that run. */
TFC_API bool tfc_session_node_trace(const tfc_session *s, int node, int *thread, double *begin, double *end);

/* Keys the random ops' streams: after this call each random op restarts from a stream that
 * depends only on the session seed, the op and the key. Training sets the key to the step, so a run
 * resumed from a checkpoint draws the same dropout masks as an uninterrupted one. */
TFC_API void tfc_session_set_random_key(tfc_session *s, uint64_t key);

#define TFC_FEEDS(...) ((const tfc_feed[]){__VA_ARGS__}), (int)(sizeof((tfc_feed[]){__VA_ARGS__}) / sizeof(tfc_feed))
#define TFC_FETCHES(...) ((const tfc_out[]){__VA_ARGS__}), (int)(sizeof((tfc_out[]){__VA_ARGS__}) / sizeof(tfc_out))

TFC_END_DECLS

#endif
