/* The executor: runs a compiled plan, and gives kernels their services (outputs, variables,
 * random streams, threads, the plan's rewrites).
 *
 * With one thread the steps run one after the other in graph order. With more, a step runs as
 * soon as the steps it depends on are done, as TensorFlow's executor does: when a step ends, the
 * thread that ran it takes the cheap steps it made ready itself, one after the other, and queues
 * the expensive ones for idle threads, keeping the last for itself when nothing cheap is left.
 * A kernel still splits its own work over all the session's threads (tfc_parallel_for); an idle
 * thread helps with that after the queue is empty. The plan's dependencies keep every variable's
 * reads and writes in graph order, and each kernel's pieces are the same whoever runs them, so the
 * values do not depend on the schedule. Nodes that wait on other processes (TFC_OP_WAITS) run on a
 * thread of their own, in graph order, so that they hold up only the nodes that need them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "comm.h"
#include "placement.h"
#include "session_internal.h"

extern const tfc_op_def tfc_op_Merge;

/* A step whose inputs hold fewer elements than this runs on the thread that made it ready: some
 * ten microseconds of work, not worth handing to another core with its data in this one's cache. */
#define INLINE_ELEMENTS 65536

/* A run in progress. */
typedef struct {
    tfc_session *s;
    const tfc_plan *p;
    const tfc_feed *feeds;
    tfc_status *st;
    double t0; /* with profile: the run's start */
    atomic_int remaining; /* steps not yet done */
    atomic_bool failed;
} exec_run;

typedef struct {
    tfc_kernel_ctx pub;
    exec_run *r;
    const tfc_step *step;
    bool failed; /* a service found the kernel at fault although it returned true */
} kernel_ctx;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- slots: the values a node computed ---- */

static tfc_slot *node_slot(tfc_session *s, int node, tfc_status *st)
{
    tfc_slot *sl = &s->vals[node];
    if (!sl->out) {
        int nout = tfc_node_num_outputs(s->g, node);
        sl->out = calloc((size_t)(nout ? nout : 1), sizeof *sl->out);
        sl->owned = calloc((size_t)(nout ? nout : 1), 1);
        if (!sl->out || !sl->owned) {
            free(sl->out);
            free(sl->owned);
            sl->out = NULL;
            sl->owned = NULL;
            tfc_fail(st, TFC_INTERNAL, "out of memory");
            return NULL;
        }
    }
    return sl;
}

/* Output i of a slot becomes t, held as `how`; a buffer of its own it held before is freed. */
static void slot_hold(tfc_slot *sl, int i, tfc_tensor *t, unsigned char how)
{
    if (sl->owned[i] == TFC_OWNED && sl->out[i] != t) tfc_tensor_free(sl->out[i]);
    sl->out[i] = t;
    sl->owned[i] = how;
}

void tfc_slot_clear(tfc_slot *sl, int nout)
{
    if (!sl->out) return;
    for (int i = 0; i < nout; i++)
        if (sl->owned[i] == TFC_OWNED) tfc_tensor_free(sl->out[i]);
    free(sl->out);
    free(sl->owned);
    sl->out = NULL;
    sl->owned = NULL;
}

static const tfc_tensor *src_value(const exec_run *r, tfc_src o)
{
    switch (o.kind) {
    case TFC_SRC_NODE: {
        const tfc_slot *sl = &r->s->vals[o.node];
        return sl->out ? sl->out[o.index] : NULL;
    }
    case TFC_SRC_FEED: return r->feeds[o.index].value;
    case TFC_SRC_VARIABLE: return r->s->vars[o.node];
    default: return NULL;
    }
}

/* ---- kernel services ---- */

/* The kernel's node's slot, when it has an output i. */
static tfc_slot *output_slot(tfc_kernel_ctx *k, int i)
{
    if (i < 0 || i >= tfc_node_num_outputs(k->graph, k->node)) {
        tfc_kernel_error(k, "has no output %d", i);
        return NULL;
    }
    return node_slot(k->session, k->node, k->st);
}

tfc_tensor *tfc_kernel_output(tfc_kernel_ctx *k, int i, tfc_dtype dt, tfc_shape shape)
{
    tfc_slot *sl = output_slot(k, i);
    if (!sl) return NULL;
    tfc_tensor *t = sl->out[i];
    int64_t n = tfc_shape_numel(shape);
    if (t && sl->owned[i] == TFC_OWNED && t->dtype == dt && t->size == n && dt != TFC_STRING) {
        t->shape = shape;
        return t;
    }
    slot_hold(sl, i, NULL, TFC_FORWARDED);
    t = tfc_tensor_new(dt, shape);
    if (!t) {
        char b[TFC_SHAPE_STR_MAX];
        tfc_kernel_error(k, "cannot allocate a %s tensor of shape %s", tfc_dtype_name(dt), tfc_shape_str(shape, b));
        return NULL;
    }
    slot_hold(sl, i, t, TFC_OWNED);
    return t;
}

void tfc_kernel_set_output(tfc_kernel_ctx *k, int i, tfc_tensor *t)
{
    tfc_slot *sl = output_slot(k, i);
    if (!sl) {
        tfc_tensor_free(t);
        return;
    }
    slot_hold(sl, i, t, TFC_OWNED);
}

void tfc_kernel_forward(tfc_kernel_ctx *k, int i, const tfc_tensor *t)
{
    kernel_ctx *kc = (kernel_ctx *)k;
    /* The plan orders variable writes after what reads a forwarded input only when the op says it
     * forwards one (see TFC_OP_FORWARDS_INPUT0). */
    bool may = i == 0 && (kc->step->nd->def->flags & (TFC_OP_FORWARDS_INPUT0 | TFC_OP_REF_INPUT0));
    for (int j = 0; j < k->ninputs && !may; j++)
        if (t && t == k->in[j]) {
            tfc_kernel_error(k, "passes input %d on as output %d, which its op does not declare (TFC_OP_FORWARDS_INPUT0)", j, i);
            kc->failed = true;
            return;
        }
    tfc_slot *sl = output_slot(k, i);
    if (sl) slot_hold(sl, i, (tfc_tensor *)t, TFC_FORWARDED);
}

tfc_tensor *tfc_kernel_ref(tfc_kernel_ctx *k, int i)
{
    int var = tfc_ref_variable(k->graph, tfc_node_input(k->graph, k->node, i));
    if (var < 0) return tfc_kernel_error(k, "input %d is not a variable", i), NULL;
    tfc_tensor *t = k->session->vars[var];
    if (!t)
        tfc_kernel_error(k, "variable '%s' is used before it is initialised (run the initialiser first)",
                         tfc_node_name(k->graph, var));
    return t;
}

bool tfc_kernel_assign_ref(tfc_kernel_ctx *k, int i, const tfc_tensor *value)
{
    int var = tfc_ref_variable(k->graph, tfc_node_input(k->graph, k->node, i));
    if (var < 0) return tfc_kernel_error(k, "input %d is not a variable", i);
    return tfc_session_set_variable(k->session, var, value, k->st);
}

/* ---- dead outputs (tf.cond): s->dead[node], TFC_DEAD_NODE or a bit per dead output ---- */

void tfc_kernel_set_dead(tfc_kernel_ctx *k, int i)
{
    if (i >= 0 && i < 7) k->session->dead[k->node] |= (unsigned char)(1u << i);
}

bool tfc_executor_dead(const tfc_session *s, int node, int index)
{
    unsigned char d = s->dead[node];
    return (d & TFC_DEAD_NODE) || (index >= 0 && index < 7 && ((d >> index) & 1));
}

static bool src_dead(const tfc_session *s, tfc_src o) { return o.kind == TFC_SRC_NODE && tfc_executor_dead(s, o.node, o.index); }

/* Whether step sp is dead in this run (then it is marked so and does not run): an input is dead,
 * or a node it waits on by a control edge, or the RefSwitch its variable comes through; a Merge
 * only when all its inputs are. */
static bool step_dead(const tfc_session *s, const tfc_step *sp)
{
    bool any = false, all = sp->nin > 0;
    for (int i = 0; i < sp->nin; i++) {
        bool d = src_dead(s, sp->in[i]);
        any |= d;
        all &= d;
    }
    if (sp->nd->def == &tfc_op_Merge) return all;
    any |= sp->ref_via.node >= 0 && src_dead(s, (tfc_src){TFC_SRC_NODE, sp->ref_via.node, sp->ref_via.index});
    for (int i = 0; !any && i < sp->nd->nctl; i++) any = s->dead[sp->nd->ctl[i]] & TFC_DEAD_NODE;
    return any;
}

tfc_tensor *tfc_kernel_variable(tfc_kernel_ctx *k) { return k->session->vars[k->node]; }

bool tfc_kernel_error(tfc_kernel_ctx *k, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tfc_fail(k->st, TFC_FAILED_PRECONDITION, "node '%s' (%s): %s", tfc_node_name(k->graph, k->node),
                    tfc_node_op(k->graph, k->node), msg);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The node's random stream: splitmix64, whose n-th value depends on the seed and n alone. */
static uint64_t *node_rng(tfc_kernel_ctx *k)
{
    tfc_session *s = k->session;
    if (!s->rng_ready[k->node]) {
        uint64_t op_seed = (uint64_t)tfc_attr_int(k->graph, k->node, "seed", 0);
        uint64_t op_seed2 = (uint64_t)tfc_attr_int(k->graph, k->node, "seed2", 0);
        uint64_t x = s->seed * 0x9E3779B97F4A7C15ull ^ (op_seed + 0x632BE59BD9B4E019ull * (op_seed2 + 1)) ^
                     (s->random_key * 0xA0761D6478BD642Full);
        if (!op_seed && !op_seed2) x ^= (uint64_t)k->node * 0xD1B54A32D192ED03ull;
        s->rng[k->node] = splitmix64(&x);
        s->rng_ready[k->node] = 1;
    }
    return &s->rng[k->node];
}

static double unit(uint64_t z) { return (double)(z >> 11) * 0x1.0p-53; }

double tfc_kernel_uniform(tfc_kernel_ctx *k) { return unit(splitmix64(node_rng(k))); }

uint64_t tfc_kernel_uniform_block(tfc_kernel_ctx *k, int64_t n)
{
    uint64_t *x = node_rng(k), start = *x;
    *x += (uint64_t)n * 0x9E3779B97F4A7C15ull;
    return start;
}

double tfc_uniform_at(uint64_t block, int64_t i)
{
    uint64_t x = block + (uint64_t)i * 0x9E3779B97F4A7C15ull;
    return unit(splitmix64(&x));
}

void tfc_parallel_for(tfc_kernel_ctx *k, int64_t n, int64_t grain, void (*fn)(void *, int64_t, int64_t), void *arg)
{
    tfc_threadpool_run(k->session->pool, n, grain, fn, arg);
}

int tfc_kernel_threads(const tfc_kernel_ctx *k) { return k->session->threads; }
bool tfc_kernel_plain_convolution(const tfc_kernel_ctx *k) { return k->session->plain_convolution; }

struct tfc_comm *tfc_kernel_comm(const tfc_kernel_ctx *k) { return k->session->comm; }

bool tfc_kernel_folds_relu_grad(tfc_kernel_ctx *k) { return ((const kernel_ctx *)k)->step->folds_relu_grad; }

bool tfc_kernel_epilogue(tfc_kernel_ctx *k, tfc_epilogue *e)
{
    const kernel_ctx *kc = (const kernel_ctx *)k;
    if (!kc->step->epilogue) return false;
    e->bias = src_value(kc->r, kc->step->epilogue_bias);
    e->relu = kc->step->epilogue_relu;
    return e->bias != NULL;
}

bool tfc_kernel_product(tfc_kernel_ctx *k, int i, tfc_product *p)
{
    const kernel_ctx *kc = (const kernel_ctx *)k;
    tfc_src o = kc->step->in[i];
    if (o.kind != TFC_SRC_DEFERRED) return false;
    const tfc_step *mm = &kc->r->p->steps[kc->r->p->step_of[o.node]];
    p->a = src_value(kc->r, mm->in[0]);
    p->b = src_value(kc->r, mm->in[1]);
    p->transpose_a = tfc_attr_bool(k->graph, o.node, "transpose_a", false);
    p->transpose_b = tfc_attr_bool(k->graph, o.node, "transpose_b", false);
    return p->a && p->b;
}

tfc_tensor *tfc_kernel_output_over(tfc_kernel_ctx *k, int i, int in, tfc_dtype dt, tfc_shape shape)
{
    const kernel_ctx *kc = (const kernel_ctx *)k;
    tfc_src o = kc->step->in[in];
    /* Only a buffer of the session's own (not a variable's value, not a fed tensor) that nothing
     * else reads (the plan's over[in]). */
    if (!kc->step->over[in]) return tfc_kernel_output(k, i, dt, shape);
    const tfc_slot *src = &k->session->vals[o.node];
    tfc_tensor *t = src->out ? src->out[o.index] : NULL;
    if (!t || t != k->in[in] || src->owned[o.index] == TFC_FORWARDED || t->dtype != dt || dt == TFC_STRING ||
        !tfc_shape_equal(t->shape, shape))
        return tfc_kernel_output(k, i, dt, shape);
    tfc_slot *sl = output_slot(k, i);
    if (!sl) return NULL;
    slot_hold(sl, i, t, TFC_TAKEN_OVER);
    return t;
}

static bool run_own_step(exec_run *r, const tfc_step *sp, int thread, tfc_status *st);

/* ---- transfers between ranks (a plan split over tasks, placement.h) ---- */

/* What goes before a tensor's bytes. */
typedef struct {
    int64_t dtype, rank, dims[TFC_MAX_DIMS];
} wire_header;

/* Sends what other ranks read of the step's node: after it ran, in the plan's order. */
static bool send_outputs(exec_run *r, const tfc_step *sp, tfc_status *st)
{
    tfc_comm *c = r->s->comm;
    for (int i = 0; i < sp->nsend; i++) {
        const tfc_transfer *t = &sp->send[i];
        int tag = tfc_transfer_tag(sp->node, t->index);
        if (t->index < 0) {
            if (!c->send(c, NULL, 0, t->rank, tag, st)) return false;
            continue;
        }
        const tfc_slot *sl = &r->s->vals[sp->node];
        const tfc_tensor *v = sl->out ? sl->out[t->index] : NULL;
        if (!v || v->dtype == TFC_STRING)
            return tfc_fail(st, TFC_FAILED_PRECONDITION, "node '%s' (%s): output %d %s to send to task %d", sp->nd->name,
                            sp->nd->def->type, t->index, v ? "is a string tensor, which cannot go" : "has no value",
                            t->rank);
        wire_header h = {.dtype = v->dtype, .rank = v->shape.rank};
        for (int d = 0; d < v->shape.rank; d++) h.dims[d] = v->shape.dims[d];
        if (!c->send(c, &h, sizeof h, t->rank, tag, st) ||
            (v->size && !c->send(c, v->data, tfc_tensor_nbytes(v), t->rank, tag, st)))
            return false;
    }
    return true;
}

/* Receives what this rank reads of a node another rank runs, into the node's slot. */
static bool receive_outputs(exec_run *r, const tfc_step *sp, tfc_status *st)
{
    tfc_session *s = r->s;
    tfc_comm *c = s->comm;
    for (int i = 0; i < sp->nrecv; i++) {
        const tfc_transfer *t = &sp->recv[i];
        int tag = tfc_transfer_tag(sp->node, t->index);
        if (t->index < 0) {
            if (!c->recv(c, NULL, 0, t->rank, tag, st)) return false;
            continue;
        }
        wire_header h;
        if (!c->recv(c, &h, sizeof h, t->rank, tag, st)) return false;
        tfc_shape shape = {.rank = (int)h.rank};
        bool ok = h.dtype == tfc_node_output_dtype(s->g, sp->node, t->index) && h.rank >= 0 && h.rank <= TFC_MAX_DIMS;
        for (int d = 0; ok && d < shape.rank; d++) ok = (shape.dims[d] = h.dims[d]) >= 0;
        if (!ok)
            return tfc_fail(st, TFC_DATA_LOSS, "node '%s' (%s): task %d sent output %d as something else than a %s tensor",
                            sp->nd->name, sp->nd->def->type, t->rank, t->index,
                            tfc_dtype_name(tfc_node_output_dtype(s->g, sp->node, t->index)));
        tfc_slot *sl = node_slot(s, sp->node, st);
        if (!sl) return false;
        tfc_tensor *v = sl->out[t->index];
        if (!v || sl->owned[t->index] != TFC_OWNED || v->dtype != (tfc_dtype)h.dtype || v->size != tfc_shape_numel(shape)) {
            v = tfc_tensor_new((tfc_dtype)h.dtype, shape);
            if (!v) return tfc_fail(st, TFC_INTERNAL, "node '%s': out of memory for what task %d sent", sp->nd->name, t->rank);
            slot_hold(sl, t->index, v, TFC_OWNED);
        }
        v->shape = shape;
        if (v->size && !c->recv(c, v->data, tfc_tensor_nbytes(v), t->rank, tag, st)) return false;
    }
    return true;
}

/* ---- running steps ---- */

/* Runs step k on thread `thread` (for the trace), its errors into st. */
static bool run_step(exec_run *r, int k, int thread, tfc_status *st)
{
    const tfc_step *sp = &r->p->steps[k];
    if (r->p->control_flow && step_dead(r->s, sp)) {
        r->s->dead[sp->node] = TFC_DEAD_NODE;
        return true;
    }
    if (sp->action == TFC_STEP_RECV) return receive_outputs(r, sp, st);
    return run_own_step(r, sp, thread, st) && (!sp->nsend || send_outputs(r, sp, st));
}

/* Runs a step of this rank: its kernel, or what stands for it. */
static bool run_own_step(exec_run *r, const tfc_step *sp, int thread, tfc_status *st)
{
    tfc_session *s = r->s;
    if (sp->action == TFC_STEP_NONE) return true;
    const tfc_tensor **in = s->inputs + (sp->in - r->p->srcs);
    for (int i = 0; i < sp->nin; i++) in[i] = src_value(r, sp->in[i]);
    if (r->p->control_flow) /* a Merge's dead inputs (no other step runs with one) */
        for (int i = 0; i < sp->nin; i++)
            if (src_dead(s, sp->in[i])) in[i] = NULL;
    if (sp->action == TFC_STEP_PASS) { /* its producer did its work (the mask, the bias): pass it on */
        tfc_slot *sl = node_slot(s, sp->node, st);
        if (!sl) return false;
        slot_hold(sl, 0, (tfc_tensor *)in[0], TFC_FORWARDED);
        return true;
    }
    kernel_ctx kc = {.pub = {.session = s, .graph = s->g, .node = sp->node, .ninputs = sp->nin, .in = in, .st = st},
                     .r = r,
                     .step = sp};
    double t0 = 0;
    if (s->profile) {
        t0 = now_seconds();
        if (s->kernel_start) s->kernel_start(s->kernel_start_arg, sp->node);
    }
    bool ok = sp->nd->def->kernel(&kc.pub);
    if (s->profile) {
        double t1 = now_seconds();
        s->seconds[sp->node] += t1 - t0;
        s->runs[sp->node]++;
        s->trace_begin[sp->node] = t0 - r->t0;
        s->trace_end[sp->node] = t1 - r->t0;
        s->trace_thread[sp->node] = thread;
    }
    if (!ok || kc.failed) {
        if (tfc_ok(st)) tfc_kernel_error(&kc.pub, "failed");
        return false;
    }
    /* A node with some outputs fed still runs; the fed values win. */
    if (sp->nfed) {
        tfc_slot *sl = node_slot(s, sp->node, st);
        if (!sl) return false;
        for (int i = 0; i < sp->nfed; i++)
            slot_hold(sl, sp->fed_out[i], (tfc_tensor *)r->feeds[sp->fed_feed[i]].value, TFC_FORWARDED);
    }
    return true;
}

/* Runs step k on a thread that may run beside others: its kernel reports into that thread's own
 * status (mine), and the run keeps the first error. */
static void run_step_beside(exec_run *r, int k, int thread, tfc_status *mine)
{
    if (atomic_load_explicit(&r->failed, memory_order_relaxed)) return; /* the run is over: just count it */
    if (run_step(r, k, thread, mine)) return;
    tfc_session *s = r->s;
    pthread_mutex_lock(&s->error_mu);
    tfc_fail(r->st, tfc_status_code(mine), "%s", tfc_message(mine));
    pthread_mutex_unlock(&s->error_mu);
    tfc_status_clear(mine);
    atomic_store(&r->failed, true);
}

static bool expensive(const exec_run *r, int k)
{
    const tfc_step *sp = &r->p->steps[k];
    if (sp->action != TFC_STEP_KERNEL || (sp->nd->def->flags & TFC_OP_FORWARDS_INPUT0)) return false;
    int64_t elements = 0;
    for (int i = 0; i < sp->nin; i++) {
        tfc_src o = sp->in[i];
        if (o.kind != TFC_SRC_DEFERRED) {
            const tfc_tensor *t = src_value(r, o);
            if (t) elements += t->size;
            continue;
        }
        const tfc_step *mm = &r->p->steps[r->p->step_of[o.node]]; /* a product it computes: its operands */
        for (int j = 0; j < mm->nin; j++) {
            const tfc_tensor *t = src_value(r, mm->in[j]);
            if (t) elements += t->size;
        }
    }
    return elements >= INLINE_ELEMENTS;
}

static void run_task(void *arg, int64_t k);

/* Step k, which waits, is ready: the waiting thread takes it. */
static void hand_to_waiter(exec_run *r, int k)
{
    tfc_waiter *w = &r->s->waiter;
    pthread_mutex_lock(&w->mu);
    w->ready[k] = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* The steps a thread has taken on, run one after the other. */
#define OWN_STEPS 64
typedef struct {
    int v[OWN_STEPS];
    int n;
    int expensive; /* an expensive ready step kept back, -1 when none */
} own_steps;

/* Step k is ready: cheap ones join the thread's own steps, expensive ones go to the pool but for
 * the last, which is kept back (see settle); those that wait go to the waiting thread. */
static void take(exec_run *r, own_steps *o, int k)
{
    if (r->p->steps[k].waits) {
        hand_to_waiter(r, k);
    } else if (expensive(r, k)) {
        if (o->expensive >= 0) tfc_threadpool_submit(r->s->pool, run_task, r, o->expensive);
        o->expensive = k;
    } else if (o->n < OWN_STEPS) {
        o->v[o->n++] = k;
    } else {
        tfc_threadpool_submit(r->s->pool, run_task, r, k);
    }
}

/* The expensive step kept back runs here when nothing cheap is left, else on another thread. */
static void settle(exec_run *r, own_steps *o)
{
    if (o->expensive < 0) return;
    if (o->n == 0)
        o->v[o->n++] = o->expensive;
    else
        tfc_threadpool_submit(r->s->pool, run_task, r, o->expensive);
    o->expensive = -1;
}

/* Counts step k done: the steps it made ready are taken as take decides (into o, or, with o NULL,
 * all of them to the pool). */
static void finish(exec_run *r, int k, own_steps *o)
{
    own_steps none = {.n = OWN_STEPS, .expensive = -1}; /* full: take queues everything */
    const tfc_step *sp = &r->p->steps[k];
    for (int j = 0; j < sp->nsucc; j++)
        if (atomic_fetch_sub(&r->s->pending[sp->succ[j]], 1) == 1) take(r, o ? o : &none, sp->succ[j]);
    settle(r, o ? o : &none);
    tfc_threadpool *pool = r->s->pool; /* r may be gone once the last step is counted */
    if (atomic_fetch_sub(&r->remaining, 1) == 1) tfc_threadpool_wake(pool);
}

/* Runs the thread's own steps, and those they make ready as take decides, until none is left. */
static void run_own(exec_run *r, own_steps *o)
{
    tfc_session *s = r->s;
    int self = tfc_threadpool_self(s->pool);
    while (o->n) {
        int k = o->v[--o->n];
        run_step_beside(r, k, self, s->thread_status[self]);
        finish(r, k, o);
    }
}

static void run_task(void *arg, int64_t k)
{
    own_steps o = {.v = {(int)k}, .n = 1, .expensive = -1};
    run_own(arg, &o);
}

/* The waiting thread: for each run with waiting steps, runs them in graph order as they become
 * ready; what they make ready goes to the pool. It holds one count of the run's remaining until it
 * is done with the run, so that the run does not end under it. */
static void *waiter_main(void *arg)
{
    tfc_session *s = arg;
    tfc_waiter *w = &s->waiter;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->quit && !w->run) pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit) break;
        exec_run *r = w->run;
        for (int j = 0; j < r->p->nwaiting; j++) {
            int k = r->p->waiting[j];
            while (!w->ready[k]) pthread_cond_wait(&w->cv, &w->mu);
            pthread_mutex_unlock(&w->mu);
            run_step_beside(r, k, s->threads, w->status);
            finish(r, k, NULL);
            pthread_mutex_lock(&w->mu);
        }
        w->run = NULL;
        if (atomic_fetch_sub(&r->remaining, 1) == 1) tfc_threadpool_wake(s->pool);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Gets the waiting thread ready for a run of plan p. */
static bool waiter_start(tfc_session *s, const tfc_plan *p, tfc_status *st)
{
    tfc_waiter *w = &s->waiter;
    if (!w->started) {
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        w->status = tfc_status_new();
        if (!w->status || pthread_create(&w->thread, NULL, waiter_main, s) != 0) {
            tfc_status_free(w->status);
            w->status = NULL;
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->cv);
            return tfc_fail(st, TFC_INTERNAL, "cannot start the thread for the nodes that wait");
        }
        w->started = true;
    }
    if (p->nsteps > w->ready_cap) {
        unsigned char *nr = realloc(w->ready, (size_t)p->nsteps);
        if (!nr) return tfc_fail(st, TFC_INTERNAL, "out of memory");
        w->ready = nr;
        w->ready_cap = p->nsteps;
    }
    memset(w->ready, 0, (size_t)p->nsteps);
    return true;
}

void tfc_executor_stop(tfc_session *s)
{
    tfc_waiter *w = &s->waiter;
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->quit = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        tfc_status_free(w->status);
    }
    free(w->ready);
}

bool tfc_executor_run(tfc_session *s, const tfc_plan *p, const tfc_feed *feeds, tfc_status *st)
{
    exec_run r = {.s = s, .p = p, .feeds = feeds, .st = st, .t0 = s->profile ? now_seconds() : 0};
    if (p->control_flow) /* every node's, also a fed one's that a step waits on by a control edge */
        memset(s->dead, 0, (size_t)p->graph_nodes);
    if (s->profile) /* the trace is the last run's: nodes it does not run did not run */
        for (int v = 0; v < p->graph_nodes; v++) s->trace_begin[v] = -1;
    /* One thread runs the steps in graph order, those that wait among them: handing the waiting
     * ones to a thread of their own would put two busy threads on the core this process has (an
     * MPI rank per core), which under load made a two-rank MLP step 2-3x slower. */
    if (s->threads == 1) {
        for (int k = 0; k < p->nsteps; k++)
            if (!run_step(&r, k, 0, st)) return false;
        return true;
    }
    if (!p->nsteps) return true;
    if (p->nwaiting && !waiter_start(s, p, st)) return false;
    atomic_init(&r.remaining, p->nsteps + (p->nwaiting > 0));
    atomic_init(&r.failed, false);
    for (int k = 0; k < p->nsteps; k++) atomic_store_explicit(&s->pending[k], p->steps[k].npred, memory_order_relaxed);
    if (p->nwaiting) {
        pthread_mutex_lock(&s->waiter.mu);
        s->waiter.run = &r;
        pthread_cond_broadcast(&s->waiter.cv);
        pthread_mutex_unlock(&s->waiter.mu);
    }
    own_steps o = {.n = 0, .expensive = -1};
    for (int k = p->nsteps - 1; k >= 0; k--)
        if (!p->steps[k].npred) take(&r, &o, k);
    settle(&r, &o);
    run_own(&r, &o);
    tfc_threadpool_help(s->pool, &r.remaining);
    return tfc_ok(st);
}
