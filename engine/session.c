/* The session: the public face of running a graph. It keeps the variables between runs, turns
 * each run's signature (what is fed, what is fetched) into a compiled plan once (plan.c) and
 * hands it to the executor (executor.c) with the run's values. */
#include "session.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comm.h"
#include "placement.h"
#include "session_internal.h"

/* Plans kept per session, the most recently used first: a training loop uses a handful (the
 * initialiser, the step, the step with summaries, the evaluation). */
#define MAX_PLANS 32

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
    GROW(dead);
    if (s->profile) {
        GROW(seconds);
        GROW(runs);
        GROW(trace_begin);
        GROW(trace_end);
        GROW(trace_thread);
    }
#undef GROW
    s->cap = ncap;
    return true;
}

tfc_session *tfc_session_new(tfc_graph *g, const tfc_session_options *opts, tfc_status *st)
{
    if (!g) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_new: no graph"), NULL;
    if (!tfc_graph_check(g, st)) return NULL;
    if (opts && (opts->threads < 0 || opts->threads > TFC_SESSION_MAX_THREADS))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_new: %d threads (0 for all cores, or 1 to %d)", opts->threads,
                        TFC_SESSION_MAX_THREADS),
               NULL;
    tfc_session *s = calloc(1, sizeof *s);
    if (!s) return tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
    s->g = g;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s->threads = opts && opts->threads > 0 ? opts->threads : (int)(ncpu > 0 ? ncpu : 1);
    s->seed = opts ? opts->seed : 0;
    s->profile = opts && opts->profile;
    s->plain_convolution = opts && opts->plain_convolution;
    s->comm = opts ? opts->comm : NULL;
    s->soft_placement = opts && opts->allow_soft_placement;
    pthread_mutex_init(&s->error_mu, NULL);
    /* Kernels split work over the session's threads and call BLAS single-threaded in each: on a
     * few cores that beats BLAS's own threading for the small products of these networks. */
    openblas_set_num_threads(1);
    s->pool = tfc_threadpool_new(s->threads);
    bool ok = s->pool != NULL;
    if (ok) {
        s->threads = tfc_threadpool_size(s->pool);
        s->thread_status = calloc((size_t)s->threads, sizeof *s->thread_status);
        ok = s->thread_status != NULL;
        for (int i = 0; ok && i < s->threads; i++) ok = (s->thread_status[i] = tfc_status_new()) != NULL;
    }
    if (!ok || !ensure_capacity(s, st)) {
        tfc_session_free(s);
        return tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
    }
    return s;
}

static void drop_plans(tfc_session *s)
{
    for (int i = 0; i < s->nplans; i++) tfc_plan_free(s->plans[i]);
    s->nplans = 0;
}

void tfc_session_free(tfc_session *s)
{
    if (!s) return;
    for (int i = 0; i < s->cap && i < tfc_graph_num_nodes(s->g); i++) {
        tfc_slot_clear(&s->vals[i], tfc_node_num_outputs(s->g, i));
        tfc_tensor_free(s->vars[i]);
    }
    drop_plans(s);
    free(s->plans);
    free(s->vals);
    free(s->vars);
    free(s->rng);
    free(s->rng_ready);
    free(s->dead);
    free(s->seconds);
    free(s->runs);
    free(s->trace_begin);
    free(s->trace_end);
    free(s->trace_thread);
    free(s->pending);
    free(s->inputs);
    for (int i = 0; s->thread_status && i < s->threads; i++) tfc_status_free(s->thread_status[i]);
    free(s->thread_status);
    tfc_executor_stop(s);
    tfc_threadpool_free(s->pool);
    pthread_mutex_destroy(&s->error_mu);
    free(s);
}

tfc_graph *tfc_session_graph(const tfc_session *s) { return s ? s->g : NULL; }

const tfc_tensor *tfc_session_variable(const tfc_session *s, int node)
{
    return s && node >= 0 && node < s->cap ? s->vars[node] : NULL;
}

static bool is_variable(const tfc_graph *g, int node) { return tfc_graph_node(g, node)->def->flags & TFC_OP_VARIABLE; }

bool tfc_session_set_variable(tfc_session *s, int node, const tfc_tensor *value, tfc_status *st)
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
    if (!s) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_assign: no session");
    if (!value) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_assign: no value");
    if (!ensure_capacity(s, st)) return false;
    if (node < 0 || node >= tfc_graph_num_nodes(s->g) || !is_variable(s->g, node))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "node %d is not a variable", node);
    tfc_shape vs = tfc_variable_shape(s->g, node);
    tfc_dtype vd = tfc_variable_dtype(s->g, node);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (vd != value->dtype || !tfc_shape_equal(vs, value->shape))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "variable '%s' is %s %s, the value is %s %s",
                        tfc_node_name(s->g, node), tfc_dtype_name(vd), tfc_shape_str(vs, a),
                        tfc_dtype_name(value->dtype), tfc_shape_str(value->shape, b));
    return tfc_session_set_variable(s, node, value, st);
}

void tfc_session_set_random_key(tfc_session *s, uint64_t key)
{
    if (!s) return;
    s->random_key = key;
    memset(s->rng_ready, 0, (size_t)s->cap * sizeof *s->rng_ready);
}

bool tfc_session_node_time(const tfc_session *s, int node, double *seconds, int64_t *runs)
{
    bool known = s && s->profile && node >= 0 && node < s->cap && node < tfc_graph_num_nodes(s->g);
    if (seconds) *seconds = known ? s->seconds[node] : 0;
    if (runs) *runs = known ? s->runs[node] : 0;
    return known;
}

void tfc_session_reset_profile(tfc_session *s)
{
    if (!s || !s->profile) return;
    memset(s->seconds, 0, (size_t)s->cap * sizeof *s->seconds);
    memset(s->runs, 0, (size_t)s->cap * sizeof *s->runs);
}

bool tfc_session_node_trace(const tfc_session *s, int node, int *thread, double *begin, double *end)
{
    bool ran = s && s->profile && node >= 0 && node < s->cap && node < tfc_graph_num_nodes(s->g) &&
               s->trace_begin[node] >= 0;
    if (thread) *thread = ran ? s->trace_thread[node] : 0;
    if (begin) *begin = ran ? s->trace_begin[node] : 0;
    if (end) *end = ran ? s->trace_end[node] : 0;
    return ran;
}

int64_t tfc_session_plans_compiled(const tfc_session *s) { return s ? s->plans_compiled : 0; }

/* ---- running ---- */

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

static bool check_fetch(const tfc_graph *g, const tfc_out *fetches, int i, tfc_status *st)
{
    tfc_out f = fetches[i];
    if (f.node < 0 || f.node >= tfc_graph_num_nodes(g))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "fetch %d is not a node of this graph", i);
    int nout = tfc_node_num_outputs(g, f.node);
    /* an op with no outputs (a train step, `init`) is fetched as output 0 and gives no value */
    if (f.index < 0 || (f.index >= nout && (nout || f.index)))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "fetch %d: node '%s' (%s) has no output %d (it has %d)", i,
                        tfc_node_name(g, f.node), tfc_node_op(g, f.node), f.index, nout);
    return true;
}

/* The plan of this signature: the cached one, or a new one compiled (the signature checked) and
 * cached. Plans of a graph that has grown since are dropped: new nodes may read values the old
 * plans took as private. */
static tfc_plan *plan_for(tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                          tfc_status *st)
{
    int n = tfc_graph_num_nodes(s->g);
    if (s->nplans && s->plans[0]->graph_nodes != n) drop_plans(s);
    for (int i = 0; i < s->nplans; i++) {
        tfc_plan *p = s->plans[i];
        if (!tfc_plan_matches(p, feeds, nfeeds, fetches, nfetches)) continue;
        memmove(s->plans + 1, s->plans, (size_t)i * sizeof *s->plans);
        s->plans[0] = p;
        return p;
    }
    for (int i = 0; i < nfetches; i++)
        if (!check_fetch(s->g, fetches, i, st)) return NULL;
    if (!s->plans && !(s->plans = malloc(MAX_PLANS * sizeof *s->plans)))
        return tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
    tfc_placement where = {.rank = s->comm ? s->comm->rank : 0, .size = s->comm ? s->comm->size : 1,
                           .soft = s->soft_placement, .noted = &s->soft_noted};
    tfc_plan *p = tfc_plan_compile(s->g, feeds, nfeeds, fetches, nfetches, &where, st);
    if (!p) return NULL;
    if (p->nsteps > s->pending_cap) {
        atomic_int *np = realloc(s->pending, (size_t)p->nsteps * sizeof *np);
        if (!np) return tfc_plan_free(p), tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
        s->pending = np;
        s->pending_cap = p->nsteps;
    }
    if (p->ninputs > s->inputs_cap) {
        const tfc_tensor **ni = realloc(s->inputs, (size_t)p->ninputs * sizeof *ni);
        if (!ni) return tfc_plan_free(p), tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
        s->inputs = ni;
        s->inputs_cap = p->ninputs;
    }
    if (s->nplans == MAX_PLANS) tfc_plan_free(s->plans[--s->nplans]);
    memmove(s->plans + 1, s->plans, (size_t)s->nplans * sizeof *s->plans);
    s->plans[0] = p;
    s->nplans++;
    s->plans_compiled++;
    return p;
}

bool tfc_session_run(tfc_session *s, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                     tfc_tensor **outputs, tfc_status *st)
{
    if (outputs)
        for (int i = 0; i < nfetches; i++) outputs[i] = NULL;
    if (!s) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_run: no session (did tfc_session_new fail?)");
    if (nfeeds < 0 || nfetches < 0)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_run: a negative count (nfeeds %d, nfetches %d)", nfeeds, nfetches);
    if ((nfeeds && !feeds) || (nfetches && !fetches))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_run: %s is NULL but its count is %d", nfeeds && !feeds ? "feeds" : "fetches",
                        nfeeds && !feeds ? nfeeds : nfetches);
    tfc_graph *g = s->g;
    if (!tfc_graph_check(g, st) || !ensure_capacity(s, st)) return false;
    for (int i = 0; i < nfeeds; i++)
        if (!check_feed(g, &feeds[i], st)) return false;
    tfc_plan *p = plan_for(s, feeds, nfeeds, fetches, nfetches, st);
    if (!p || !tfc_executor_run(s, p, feeds, st)) return false;
    if (!outputs) return true;
    for (int i = 0; i < nfetches; i++) {
        tfc_out f = fetches[i];
        int step = p->step_of[f.node];
        const tfc_tensor *val = NULL;
        for (int j = 0; j < nfeeds && !val; j++)
            if (feeds[j].out.node == f.node && feeds[j].out.index == f.index) val = feeds[j].value;
        if (!val && step >= 0 && p->control_flow && tfc_executor_dead(s, f.node, f.index)) {
            for (int j = 0; j < i; j++) {
                tfc_tensor_free(outputs[j]);
                outputs[j] = NULL;
            }
            char name[512];
            return tfc_fail(st, TFC_INVALID_ARGUMENT, "fetch '%s' has no value in this run: it is on a branch of a "
                            "tf.cond not taken", tfc_out_name(g, f, name, sizeof name));
        }
        if (!val && step >= 0 && f.index < tfc_node_num_outputs(g, f.node) && s->vals[f.node].out)
            val = s->vals[f.node].out[f.index];
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
    if (!s) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_session_run_init: no session (did tfc_session_new fail?)");
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
