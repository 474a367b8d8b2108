/* The session: runs the part of the graph that the fetches need, each node once, in graph order;
 * keeps variables between runs; hands kernels their inputs, output buffers, random streams and
 * threads. */
#include "session.h"

#include <cblas.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph_internal.h"
#include "threadpool.h"

/* How a slot holds output i: */
enum {
    FORWARDED, /* someone else's tensor: a variable's value, a fed or passed-through input */
    OWNED,     /* its own buffer, kept from run to run */
    TAKEN_OVER /* an input's buffer, written over in place (tfc_kernel_output_over) */
};

typedef struct {
    tfc_tensor **out;
    unsigned char *owned; /* FORWARDED, OWNED or TAKEN_OVER for each output */
} slot;

struct tfc_session {
    tfc_graph *g;
    int threads;
    uint64_t seed;
    uint64_t random_key;
    int cap; /* nodes the arrays below cover */
    slot *vals;
    tfc_tensor **vars;
    uint64_t *rng;
    unsigned char *rng_ready;
    unsigned *mark; /* run epoch in which a node was found needed */
    unsigned epoch;
    int *stack;
    int *order;
    int norder; /* nodes in order for the current run */
    unsigned *deferred; /* run epoch in which a node's product is left to its consumer */
    unsigned *folded;   /* run epoch in which a node passes input 0 on, its work done by its producer */
    int *uses; /* edges (data and control) leaving each node */
    int uses_nodes; /* graph size uses was counted for */
    tfc_threadpool *pool;
    bool profile;
    struct tfc_comm *comm;
    double *seconds; /* with profile: time in each node's kernel, summed over runs */
    int64_t *runs;
};

static bool ensure_capacity(tfc_session *s, tfc_status *st)
{
    int n = tfc_graph_num_nodes(s->g);
    if (n <= s->cap) return true;
    int ncap = n + 64;
#define GROW(field)                                                                                    \
    do {                                                                                               \
        void *p = realloc(s->field, (size_t)ncap * sizeof *s->field);                                  \
        if (!p) return tfc_fail(st, TFC_INTERNAL, "out of memory");                                    \
        s->field = p;                                                                                  \
        memset(s->field + s->cap, 0, (size_t)(ncap - s->cap) * sizeof *s->field);                      \
    } while (0)
    GROW(vals);
    GROW(vars);
    GROW(rng);
    GROW(rng_ready);
    GROW(mark);
    GROW(stack);
    GROW(order);
    GROW(deferred);
    GROW(folded);
    GROW(uses);
    if (s->profile) {
        GROW(seconds);
        GROW(runs);
    }
#undef GROW
    s->cap = ncap;
    return true;
}

tfc_session *tfc_session_new(tfc_graph *g, const tfc_session_options *opts, tfc_status *st)
{
    if (!tfc_graph_check(g, st)) return NULL;
    tfc_session *s = calloc(1, sizeof *s);
    if (!s) return tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
    s->g = g;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s->threads = opts && opts->threads > 0 ? opts->threads : (int)(ncpu > 0 ? ncpu : 1);
    s->seed = opts ? opts->seed : 0;
    s->profile = opts && opts->profile;
    s->comm = opts ? opts->comm : NULL;
    /* Kernels split work over the session's threads and call BLAS single-threaded in each: on a
     * few cores that beats BLAS's own threading for the small products of these networks. */
    openblas_set_num_threads(1);
    s->pool = tfc_threadpool_new(s->threads);
    if (!s->pool || !ensure_capacity(s, st)) {
        tfc_session_free(s);
        return tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
    }
    return s;
}

static void clear_slot(slot *sl, int nout)
{
    if (!sl->out) return;
    for (int i = 0; i < nout; i++)
        if (sl->owned[i] == OWNED) tfc_tensor_free(sl->out[i]);
    free(sl->out);
    free(sl->owned);
    sl->out = NULL;
    sl->owned = NULL;
}

void tfc_session_free(tfc_session *s)
{
    if (!s) return;
    for (int i = 0; i < s->cap && i < tfc_graph_num_nodes(s->g); i++) {
        clear_slot(&s->vals[i], tfc_node_num_outputs(s->g, i));
        tfc_tensor_free(s->vars[i]);
    }
    free(s->vals);
    free(s->vars);
    free(s->rng);
    free(s->rng_ready);
    free(s->mark);
    free(s->stack);
    free(s->order);
    free(s->deferred);
    free(s->folded);
    free(s->uses);
    free(s->seconds);
    free(s->runs);
    tfc_threadpool_free(s->pool);
    free(s);
}

tfc_graph *tfc_session_graph(const tfc_session *s) { return s->g; }

const tfc_tensor *tfc_session_variable(const tfc_session *s, int node)
{
    return node >= 0 && node < s->cap ? s->vars[node] : NULL;
}

static bool is_variable(const tfc_graph *g, int node) { return tfc_graph_node(g, node)->def->flags & TFC_OP_VARIABLE; }

static bool set_variable(tfc_session *s, int node, const tfc_tensor *value, tfc_status *st)
{
    tfc_tensor *cur = s->vars[node];
    if (cur && cur->dtype == value->dtype && cur->size == value->size && value->dtype != TFC_STRING) {
        cur->shape = value->shape;
        if (cur->size) memcpy(cur->data, value->data, tfc_tensor_nbytes(cur));
        return true;
    }
    tfc_tensor *c = tfc_tensor_copy(value);
    if (!c) return tfc_fail(st, TFC_INTERNAL, "out of memory setting variable '%s'", tfc_node_name(s->g, node));
    tfc_tensor_free(cur);
    s->vars[node] = c;
    return true;
}

bool tfc_session_assign(tfc_session *s, int node, const tfc_tensor *value, tfc_status *st)
{
    if (!ensure_capacity(s, st)) return false;
    if (node < 0 || node >= tfc_graph_num_nodes(s->g) || !is_variable(s->g, node))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "node %d is not a variable", node);
    tfc_shape vs = tfc_node_output_shape(s->g, node, 0);
    tfc_dtype vd = tfc_node_output_dtype(s->g, node, 0);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (vd != value->dtype || !tfc_shape_equal(vs, value->shape))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "variable '%s' is %s %s, the value is %s %s",
                        tfc_node_name(s->g, node), tfc_dtype_name(vd), tfc_shape_str(vs, a),
                        tfc_dtype_name(value->dtype), tfc_shape_str(value->shape, b));
    return set_variable(s, node, value, st);
}

/* ---- kernel services ---- */

typedef struct {
    tfc_kernel_ctx pub;
    tfc_session *s;
    const tfc_feed *feeds;
    int nfeeds;
    const tfc_out *fetches;
    int nfetches;
} kernel_ctx;

static slot *node_slot(tfc_session *s, int node, tfc_status *st)
{
    slot *sl = &s->vals[node];
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
static void slot_hold(slot *sl, int i, tfc_tensor *t, unsigned char how)
{
    if (sl->owned[i] == OWNED && sl->out[i] != t) tfc_tensor_free(sl->out[i]);
    sl->out[i] = t;
    sl->owned[i] = how;
}

/* The kernel's node's slot, when it has an output i. */
static slot *output_slot(tfc_kernel_ctx *k, int i)
{
    if (i < 0 || i >= tfc_node_num_outputs(k->graph, k->node)) {
        tfc_kernel_error(k, "has no output %d", i);
        return NULL;
    }
    return node_slot(k->session, k->node, k->st);
}

tfc_tensor *tfc_kernel_output(tfc_kernel_ctx *k, int i, tfc_dtype dt, tfc_shape shape)
{
    slot *sl = output_slot(k, i);
    if (!sl) return NULL;
    tfc_tensor *t = sl->out[i];
    int64_t n = tfc_shape_numel(shape);
    if (t && sl->owned[i] == OWNED && t->dtype == dt && t->size == n && dt != TFC_STRING) {
        t->shape = shape;
        return t;
    }
    slot_hold(sl, i, NULL, FORWARDED);
    t = tfc_tensor_new(dt, shape);
    if (!t) {
        char b[TFC_SHAPE_STR_MAX];
        tfc_kernel_error(k, "cannot allocate a %s tensor of shape %s", tfc_dtype_name(dt), tfc_shape_str(shape, b));
        return NULL;
    }
    slot_hold(sl, i, t, OWNED);
    return t;
}

void tfc_kernel_set_output(tfc_kernel_ctx *k, int i, tfc_tensor *t)
{
    slot *sl = output_slot(k, i);
    if (!sl) {
        tfc_tensor_free(t);
        return;
    }
    slot_hold(sl, i, t, OWNED);
}

/* Output i is another tensor, not owned (a variable's value, an input passed through). */
void tfc_kernel_forward(tfc_kernel_ctx *k, int i, const tfc_tensor *t)
{
    slot *sl = output_slot(k, i);
    if (!sl) return;
    slot_hold(sl, i, (tfc_tensor *)t, FORWARDED);
}

tfc_tensor *tfc_kernel_ref(tfc_kernel_ctx *k, int i)
{
    int var = tfc_node_input(k->graph, k->node, i).node;
    tfc_tensor *t = k->session->vars[var];
    if (!t)
        tfc_kernel_error(k, "variable '%s' is used before it is initialised (run the initialiser first)",
                         tfc_node_name(k->graph, var));
    return t;
}

bool tfc_kernel_assign_ref(tfc_kernel_ctx *k, int i, const tfc_tensor *value)
{
    int var = tfc_node_input(k->graph, k->node, i).node;
    return set_variable(k->session, var, value, k->st);
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

struct tfc_comm *tfc_kernel_comm(const tfc_kernel_ctx *k) { return k->session->comm; }

void tfc_session_set_random_key(tfc_session *s, uint64_t key)
{
    if (key == s->random_key) return;
    s->random_key = key;
    memset(s->rng_ready, 0, (size_t)s->cap * sizeof *s->rng_ready);
}

/* ---- running ---- */

static const tfc_tensor *fed_value(const tfc_feed *feeds, int nfeeds, tfc_out o)
{
    for (int i = 0; i < nfeeds; i++)
        if (feeds[i].out.node == o.node && feeds[i].out.index == o.index) return feeds[i].value;
    return NULL;
}

static bool fully_fed(const tfc_graph *g, const tfc_feed *feeds, int nfeeds, int node)
{
    int nout = tfc_node_num_outputs(g, node);
    if (!nout) return false;
    for (int i = 0; i < nout; i++)
        if (!fed_value(feeds, nfeeds, (tfc_out){node, i})) return false;
    return true;
}

static bool check_feed(const tfc_graph *g, const tfc_feed *f, tfc_status *st)
{
    char name[512], a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (f->out.node < 0 || f->out.node >= tfc_graph_num_nodes(g) || f->out.index < 0 ||
        f->out.index >= tfc_node_num_outputs(g, f->out.node))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "feed: not a tensor of this graph");
    if (!f->value) return tfc_fail(st, TFC_INVALID_ARGUMENT, "feed for '%s' has no value", tfc_out_name(g, f->out, name, sizeof name));
    tfc_dtype dt = tfc_out_dtype(g, f->out);
    tfc_shape sh = tfc_out_shape(g, f->out);
    if (dt != f->value->dtype)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "feed for '%s': expected %s, got %s",
                        tfc_out_name(g, f->out, name, sizeof name), tfc_dtype_name(dt), tfc_dtype_name(f->value->dtype));
    bool ok = sh.rank < 0 || sh.rank == f->value->shape.rank;
    for (int i = 0; ok && sh.rank >= 0 && i < sh.rank; i++)
        if (sh.dims[i] >= 0 && sh.dims[i] != f->value->shape.dims[i]) ok = false;
    if (!ok)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "feed for '%s': shape %s does not fit %s",
                        tfc_out_name(g, f->out, name, sizeof name), tfc_shape_str(f->value->shape, a), tfc_shape_str(sh, b));
    return true;
}

/* The value input i of node nd reads in this run: fed, the variable itself for a ref input, or what
 * the producing node computed (NULL when it computed nothing). */
static const tfc_tensor *input_value(const tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_node *nd, int i)
{
    tfc_out o = nd->in[i];
    const tfc_tensor *fv = fed_value(feeds, nfeeds, o);
    if (fv) return fv;
    if (i == 0 && (nd->def->flags & TFC_OP_REF_INPUT0)) return s->vars[o.node];
    return s->vals[o.node].out ? s->vals[o.node].out[o.index] : NULL;
}

/* Counts the edges leaving each node, again whenever the graph has grown. */
static void count_uses(tfc_session *s)
{
    int n = tfc_graph_num_nodes(s->g);
    if (s->uses_nodes == n) return;
    memset(s->uses, 0, (size_t)n * sizeof *s->uses);
    for (int v = 0; v < n; v++) {
        const tfc_node *nd = tfc_graph_node(s->g, v);
        for (int i = 0; i < nd->nin; i++) s->uses[nd->in[i].node]++;
        for (int i = 0; i < nd->nctl; i++) s->uses[nd->ctl[i]]++;
    }
    s->uses_nodes = n;
}

static bool is_fetched(const tfc_out *fetches, int nfetches, int node)
{
    for (int i = 0; i < nfetches; i++)
        if (fetches[i].node == node) return true;
    return false;
}

/* Marks, for this run, the MatMul nodes whose product only a TFC_OP_FUSES_PRODUCT node consumes:
 * they do not run, their consumer computes the product itself. */
static void defer_products(tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                           int norder)
{
    extern const tfc_op_def tfc_op_MatMul;
    count_uses(s);
    for (int oi = 0; oi < norder; oi++) {
        const tfc_node *nd = tfc_graph_node(s->g, s->order[oi]);
        if (!(nd->def->flags & TFC_OP_FUSES_PRODUCT) || nd->nin < 1) continue;
        tfc_out o = nd->in[nd->nin - 1];
        const tfc_node *p = tfc_graph_node(s->g, o.node);
        if (p->def != &tfc_op_MatMul || o.index != 0 || s->uses[o.node] != 1 || s->mark[o.node] != s->epoch ||
            fed_value(feeds, nfeeds, o) || is_fetched(fetches, nfetches, o.node))
            continue;
        s->deferred[o.node] = s->epoch;
    }
}

/* Whether output 0 of node u is read by exactly one node (edge), is computed in this run and is
 * neither fed nor fetched: then that reader may have its work done by u. */
static bool private_output(const tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                           tfc_out o)
{
    return o.index == 0 && s->uses[o.node] == 1 && s->mark[o.node] == s->epoch && !fully_fed(s->g, feeds, nfeeds, o.node) &&
           !fed_value(feeds, nfeeds, o) && !is_fetched(fetches, nfetches, o.node);
}

/* Marks, for this run, the ReluGrad nodes whose gradient comes from a MaxPoolGrad that nothing else
 * reads (not fetched, not fed) and whose features are that MaxPoolGrad's original input, as after
 * conv -> relu -> max-pool: the MaxPoolGrad applies the mask itself while it writes the gradient,
 * the ReluGrad passes it on. The values are the same; one pass over the layer's largest tensor is
 * saved. */
static void fold_relu_grads(tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                            int norder)
{
    extern const tfc_op_def tfc_op_ReluGrad, tfc_op_MaxPoolGrad;
    for (int oi = 0; oi < norder; oi++) {
        int r = s->order[oi];
        const tfc_node *rn = tfc_graph_node(s->g, r);
        if (rn->def != &tfc_op_ReluGrad || rn->nin != 2) continue;
        tfc_out d = rn->in[0], f = rn->in[1];
        const tfc_node *pn = tfc_graph_node(s->g, d.node);
        if (pn->def != &tfc_op_MaxPoolGrad || pn->nin != 3 || !private_output(s, feeds, nfeeds, fetches, nfetches, d) ||
            pn->in[0].node != f.node || pn->in[0].index != f.index)
            continue;
        s->folded[r] = s->epoch;
    }
}

/* The folded node of this run that consumes node `from`'s output 0 and is of op `def`, or -1. */
static int folded_consumer(const tfc_session *s, int from, const tfc_op_def *def)
{
    for (int oi = 0; oi < s->norder; oi++) {
        int r = s->order[oi];
        const tfc_node *rn = tfc_graph_node(s->g, r);
        if (s->folded[r] == s->epoch && rn->def == def && rn->in[0].node == from) return r;
    }
    return -1;
}

bool tfc_kernel_folds_relu_grad(tfc_kernel_ctx *k)
{
    extern const tfc_op_def tfc_op_ReluGrad;
    return folded_consumer(((const kernel_ctx *)k)->s, k->node, &tfc_op_ReluGrad) >= 0;
}

/* Marks, for this run, the BiasAdd (and the Relu after it) that a Conv2D's output alone feeds:
 * the convolution adds the bias and clamps as it stores, which TensorFlow's graph optimiser does
 * too (its fused Conv2D); the values are the same, two passes over the activations are saved. */
static void fold_conv_epilogues(tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                                int norder)
{
    extern const tfc_op_def tfc_op_BiasAdd, tfc_op_Conv2D, tfc_op_Relu;
    for (int oi = 0; oi < norder; oi++) {
        int b = s->order[oi];
        const tfc_node *bn = tfc_graph_node(s->g, b);
        if (bn->def != &tfc_op_BiasAdd || bn->nin != 2 || bn->nctl) continue;
        /* right after its Conv2D in the order, with a bias computed before it: the bias cannot change
         * in between */
        int c = bn->in[0].node;
        if (oi == 0 || s->order[oi - 1] != c || tfc_graph_node(s->g, c)->def != &tfc_op_Conv2D || bn->in[1].node >= c ||
            !private_output(s, feeds, nfeeds, fetches, nfetches, bn->in[0]))
            continue;
        s->folded[b] = s->epoch;
        if (!private_output(s, feeds, nfeeds, fetches, nfetches, (tfc_out){b, 0})) continue;
        for (int ri = oi + 1; ri < norder; ri++) {
            const tfc_node *rn = tfc_graph_node(s->g, s->order[ri]);
            if (rn->def == &tfc_op_Relu && rn->nin == 1 && !rn->nctl && rn->in[0].node == b) {
                s->folded[s->order[ri]] = s->epoch; /* its one reader */
                break;
            }
        }
    }
}

bool tfc_kernel_epilogue(tfc_kernel_ctx *k, tfc_epilogue *e)
{
    extern const tfc_op_def tfc_op_BiasAdd, tfc_op_Relu;
    const kernel_ctx *kc = (const kernel_ctx *)k;
    tfc_session *s = kc->s;
    int b = folded_consumer(s, k->node, &tfc_op_BiasAdd);
    if (b < 0) return false;
    e->bias = input_value(s, kc->feeds, kc->nfeeds, tfc_graph_node(k->graph, b), 1);
    e->relu = folded_consumer(s, b, &tfc_op_Relu) >= 0;
    return e->bias != NULL;
}

bool tfc_kernel_product(tfc_kernel_ctx *k, int i, tfc_product *p)
{
    const kernel_ctx *kc = (const kernel_ctx *)k;
    tfc_session *s = kc->s;
    int u = tfc_graph_node(k->graph, k->node)->in[i].node;
    if (s->deferred[u] != s->epoch) return false;
    const tfc_node *mm = tfc_graph_node(k->graph, u);
    p->a = input_value(s, kc->feeds, kc->nfeeds, mm, 0);
    p->b = input_value(s, kc->feeds, kc->nfeeds, mm, 1);
    p->transpose_a = tfc_attr_bool(k->graph, u, "transpose_a", false);
    p->transpose_b = tfc_attr_bool(k->graph, u, "transpose_b", false);
    return p->a && p->b;
}

tfc_tensor *tfc_kernel_output_over(tfc_kernel_ctx *k, int i, int in, tfc_dtype dt, tfc_shape shape)
{
    const kernel_ctx *kc = (const kernel_ctx *)k;
    tfc_session *s = kc->s;
    tfc_out o = tfc_graph_node(k->graph, k->node)->in[in];
    const slot *src = &s->vals[o.node];
    tfc_tensor *t = src->out ? src->out[o.index] : NULL;
    /* Only a buffer of the session's own (not a variable's value, not a fed tensor) that nothing
     * else reads: this is the one edge leaving its node in the whole graph and it is not fetched. */
    if (!t || t != k->in[in] || src->owned[o.index] == FORWARDED || s->uses[o.node] != 1 || t->dtype != dt ||
        dt == TFC_STRING || !tfc_shape_equal(t->shape, shape) || is_fetched(kc->fetches, kc->nfetches, o.node))
        return tfc_kernel_output(k, i, dt, shape);
    slot *sl = output_slot(k, i);
    if (!sl) return NULL;
    slot_hold(sl, i, t, TAKEN_OVER);
    return t;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

bool tfc_session_node_time(const tfc_session *s, int node, double *seconds, int64_t *runs)
{
    bool known = s->profile && node >= 0 && node < s->cap && node < tfc_graph_num_nodes(s->g);
    *seconds = known ? s->seconds[node] : 0;
    *runs = known ? s->runs[node] : 0;
    return known;
}

void tfc_session_reset_profile(tfc_session *s)
{
    if (!s->profile) return;
    memset(s->seconds, 0, (size_t)s->cap * sizeof *s->seconds);
    memset(s->runs, 0, (size_t)s->cap * sizeof *s->runs);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

bool tfc_session_run(tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                     tfc_tensor **outputs, tfc_status *st)
{
    tfc_graph *g = s->g;
    if (outputs)
        for (int i = 0; i < nfetches; i++) outputs[i] = NULL;
    if (!tfc_graph_check(g, st) || !ensure_capacity(s, st)) return false;
    int n = tfc_graph_num_nodes(g);
    for (int i = 0; i < nfeeds; i++)
        if (!check_feed(g, &feeds[i], st)) return false;
    for (int i = 0; i < nfetches; i++)
        if (fetches[i].node < 0 || fetches[i].node >= n)
            return tfc_fail(st, TFC_INVALID_ARGUMENT, "fetch %d is not a node of this graph", i);

    /* Find the needed nodes: everything the fetches reach through data and control inputs,
     * stopping at fed tensors; a ref input (the variable an Assign writes) is not evaluated. */
    unsigned ep = ++s->epoch;
    int sp = 0, norder = 0;
    for (int i = 0; i < nfetches; i++) {
        int f = fetches[i].node;
        if (s->mark[f] != ep) {
            s->mark[f] = ep;
            s->stack[sp++] = f;
        }
    }
    while (sp) {
        int v = s->stack[--sp];
        if (fully_fed(g, feeds, nfeeds, v)) continue;
        s->order[norder++] = v;
        const tfc_node *nd = tfc_graph_node(g, v);
        for (int i = 0; i < nd->nin; i++) {
            if (i == 0 && (nd->def->flags & TFC_OP_REF_INPUT0)) continue;
            int u = nd->in[i].node;
            if (fed_value(feeds, nfeeds, nd->in[i])) continue;
            if (s->mark[u] != ep) {
                s->mark[u] = ep;
                s->stack[sp++] = u;
            }
        }
        for (int i = 0; i < nd->nctl; i++) {
            int u = nd->ctl[i];
            if (s->mark[u] != ep) {
                s->mark[u] = ep;
                s->stack[sp++] = u;
            }
        }
    }
    /* Inputs are always older nodes, so ascending ids are a topological order. */
    qsort(s->order, (size_t)norder, sizeof *s->order, cmp_int);
    defer_products(s, feeds, nfeeds, fetches, nfetches, norder);
    fold_relu_grads(s, feeds, nfeeds, fetches, nfetches, norder);
    fold_conv_epilogues(s, feeds, nfeeds, fetches, nfetches, norder);
    s->norder = norder;

    const tfc_tensor *inbuf[64];
    const tfc_tensor **in = inbuf;
    for (int oi = 0; oi < norder; oi++) {
        int v = s->order[oi];
        const tfc_node *nd = tfc_graph_node(g, v);
        if (nd->nin > 64) {
            if (in != inbuf) free(in);
            in = malloc((size_t)nd->nin * sizeof *in);
            if (!in) return tfc_fail(st, TFC_INTERNAL, "out of memory");
        }
        for (int i = 0; i < nd->nin; i++)
            in[i] = s->deferred[nd->in[i].node] == ep ? NULL : input_value(s, feeds, nfeeds, nd, i);
        if (!nd->def->kernel || s->deferred[v] == ep) continue;
        if (s->folded[v] == ep) {
            /* its producer did its work (a MaxPoolGrad the mask, a Conv2D the bias): pass it on */
            slot *sl = node_slot(s, v, st);
            if (!sl) {
                if (in != inbuf) free(in);
                return false;
            }
            slot_hold(sl, 0, (tfc_tensor *)in[0], FORWARDED);
            continue;
        }
        kernel_ctx kc = {.pub = {.session = s, .graph = g, .node = v, .ninputs = nd->nin, .in = in, .st = st},
                         .s = s,
                         .feeds = feeds,
                         .nfeeds = nfeeds,
                         .fetches = fetches,
                         .nfetches = nfetches};
        double t0 = s->profile ? now_seconds() : 0;
        bool kernel_ok = nd->def->kernel(&kc.pub);
        if (s->profile) {
            s->seconds[v] += now_seconds() - t0;
            s->runs[v]++;
        }
        if (!kernel_ok) {
            if (tfc_ok(st)) tfc_kernel_error(&kc.pub, "failed");
            if (in != inbuf) free(in);
            return false;
        }
        /* A node with some outputs fed still runs; the fed values win. */
        for (int i = 0; i < nd->nout; i++) {
            const tfc_tensor *fv = fed_value(feeds, nfeeds, (tfc_out){v, i});
            if (fv) tfc_kernel_forward(&kc.pub, i, fv);
        }
    }
    if (in != inbuf) free(in);

    if (!outputs) return true;
    for (int i = 0; i < nfetches; i++) {
        tfc_out f = fetches[i];
        if (f.index >= tfc_node_num_outputs(g, f.node)) continue;
        const tfc_tensor *fv = fed_value(feeds, nfeeds, f);
        const tfc_tensor *val = fv ? fv : (s->vals[f.node].out ? s->vals[f.node].out[f.index] : NULL);
        if (!val) continue;
        outputs[i] = tfc_tensor_copy(val);
        if (!outputs[i]) {
            for (int j = 0; j < i; j++) {
                tfc_tensor_free(outputs[j]);
                outputs[j] = NULL;
            }
            return tfc_fail(st, TFC_INTERNAL, "out of memory copying the fetched values");
        }
    }
    return true;
}

bool tfc_session_run_init(tfc_session *s, tfc_status *st)
{
    tfc_graph *g = s->g;
    int nv = tfc_graph_num_variables(g);
    if (!nv) return tfc_graph_check(g, st);
    tfc_out *targets = malloc((size_t)nv * sizeof *targets);
    if (!targets) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    int nt = 0;
    for (int i = 0; i < nv; i++) {
        int init = tfc_graph_node(g, tfc_graph_variable(g, i))->init;
        if (init >= 0) targets[nt++] = (tfc_out){init, 0};
    }
    bool ok = tfc_session_run(s, NULL, 0, targets, nt, NULL, st);
    free(targets);
    return ok;
}
