/* The session's insides, shared by session.c (the public functions, the plan cache) and
 * executor.c (running a plan: scheduling, the kernels' services). */
#ifndef TFC_SESSION_INTERNAL_H
#define TFC_SESSION_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "plan.h"
#include "threadpool.h"

/* How a slot holds output i: */
enum {
    TFC_FORWARDED, /* someone else's tensor: a variable's value, a fed or passed-through input */
    TFC_OWNED,     /* its own buffer, kept from run to run */
    TFC_TAKEN_OVER /* an input's buffer, written over in place (tfc_kernel_output_over) */
};

typedef struct {
    tfc_tensor **out;
    unsigned char *owned; /* TFC_FORWARDED, TFC_OWNED or TFC_TAKEN_OVER for each output */
} tfc_slot;

/* The thread that runs the steps that wait (TFC_OP_WAITS), started by the first run that has some. */
typedef struct {
    bool started, quit;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void *run;            /* the run whose waiting steps it runs, NULL between runs */
    unsigned char *ready; /* per step of that run: ready to run */
    int ready_cap;
    tfc_status *status;   /* its kernels' errors */
} tfc_waiter;

/* A node dead in a run (tf.cond): its outputs and control edges too. */
#define TFC_DEAD_NODE 0x80

struct tfc_session {
    tfc_graph *g;
    int threads;
    uint64_t seed;
    uint64_t random_key;
    int cap; /* nodes the per-node arrays below cover */
    tfc_slot *vals;
    tfc_tensor **vars;
    uint64_t *rng;
    unsigned char *rng_ready;
    tfc_threadpool *pool;
    bool profile;
    bool plain_convolution;
    struct tfc_comm *comm;
    bool soft_placement;
    bool soft_noted; /* the soft placement note went out (once a session) */
    /* per node, in a run of a plan with control flow: TFC_DEAD_NODE, or bit i for a dead output i */
    unsigned char *dead;
    double *seconds; /* with profile: time in each node's kernel, summed over runs */
    int64_t *runs;
    /* with profile, the last run's trace: when each node's step began and ended (seconds from the
     * run's start; begin < 0 when it did not run) and on which thread */
    double *trace_begin, *trace_end;
    int *trace_thread;
    /* with profile, when set: called on a step's thread at the start of its traced time, before its
     * kernel (tests/engine/test_executor.c makes two branches wait there for each other) */
    void (*kernel_start)(void *arg, int node);
    void *kernel_start_arg;
    /* compiled plans, the most recently used first, all of a graph of plans[0]->graph_nodes */
    tfc_plan **plans;
    int nplans;
    int64_t plans_compiled;
    /* the executor's scratch, sized for the largest plan */
    atomic_int *pending;
    int pending_cap;
    const tfc_tensor **inputs;
    int inputs_cap;
    tfc_status **thread_status; /* one per thread, for kernels running side by side */
    pthread_mutex_t error_mu;   /* guards the run's status when kernels fail side by side */
    tfc_waiter waiter;
};

/* Runs a plan: feeds are the run's values in the plan's signature order. */
bool tfc_executor_run(tfc_session *s, const tfc_plan *p, const tfc_feed *feeds, tfc_status *st);
/* Stops the session's waiting thread, if it was started. */
void tfc_executor_stop(tfc_session *s);
/* After a run of a plan with control flow: whether output `index` of node is dead (has no value). */
bool tfc_executor_dead(const tfc_session *s, int node, int index);
/* Frees what a node's slot owns. */
void tfc_slot_clear(tfc_slot *sl, int nout);
/* Sets a variable to a copy of value (reusing its buffer when the size allows). */
bool tfc_session_set_variable(tfc_session *s, int node, const tfc_tensor *value, tfc_status *st);

#endif
