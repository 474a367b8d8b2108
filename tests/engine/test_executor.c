/* The plan and the executor: one plan per signature, compiled again when the graph grows; the
 * seed's two sums running side by side on two threads (each waits at its start for the other, and
 * the trace shows them overlap) and one after the other on one; a training step of the deep model
 * giving the same bits run after run whatever the schedule; variable writes kept in graph order with
 * their reads; nodes that wait on other processes on a thread of their own, in graph order;
 * TensorFlow's gradient structure (a weight gradient behind an Identity waiting on a tuple's
 * group_deps, and an input gradient only that group_deps waits on): the update computes the product
 * itself, the unread gradient does not run. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "distributed.h"
#include "models.h"
#include "op.h"
#include "ops.h"
#include "session.h"
#include "session_internal.h"

/* The seed's graph a = (b + c) * (c + 2), c a variable of n elements and b fed n elements. */
typedef struct {
    tfc_graph *g;
    tfc_out b, c, d, e, a;
} seed_graph;

static seed_graph seed_build(int64_t n)
{
    seed_graph sg = {.g = tfc_graph_new()};
    tfc_graph *g = sg.g;
    tfc_tensor *c0 = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(n, 1));
    for (int64_t i = 0; i < n; i++) tfc_f32(c0)[i] = 1.0f;
    tfc_out cst = tfc_const_scalar(g, 2.0f, "const");
    sg.c = tfc_variable_const(g, c0, "c");
    sg.b = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 1), "b");
    sg.d = tfc_add(g, sg.b, sg.c, "d");
    sg.e = tfc_add(g, sg.c, cst, "e");
    sg.a = tfc_mul(g, sg.d, sg.e, "a");
    tfc_tensor_free(c0);
    return sg;
}

static void test_plan_cache(void)
{
    seed_graph sg = seed_build(1);
    tfc_graph *g = sg.g;
    tfc_status *st = tfc_status_new();
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = 1}, st);
    CHECK(s && tfc_session_run_init(s, st));
    CHECK(tfc_session_plans_compiled(s) == 1);
    tfc_tensor *bv = tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(10, 1)), *out = NULL;
    for (int i = 0; i < 100; i++) {
        CHECK(tfc_session_run(s, TFC_FEEDS({sg.b, bv}), TFC_FETCHES(sg.a), &out, st));
        CHECK(out && tfc_f32(out)[9] == (9 + 1) * (1 + 2));
        tfc_tensor_free(out);
    }
    CHECK_MSG(tfc_session_plans_compiled(s) == 2, "%lld plans", (long long)tfc_session_plans_compiled(s));
    /* another signature, then the first again: one new plan */
    CHECK(tfc_session_run(s, NULL, 0, TFC_FETCHES(sg.e), &out, st));
    CHECK(out && tfc_f32(out)[0] == 3);
    tfc_tensor_free(out);
    CHECK(tfc_session_run(s, TFC_FEEDS({sg.b, bv}), TFC_FETCHES(sg.a), &out, st));
    tfc_tensor_free(out);
    CHECK(tfc_session_plans_compiled(s) == 3);
    /* a node added after: the plans are compiled again (a new reader of d makes d's buffer shared) */
    tfc_out twice = tfc_mul(g, sg.d, tfc_const_scalar(g, 2.0f, NULL), "twice");
    tfc_tensor *outs[2] = {0};
    CHECK(tfc_session_run(s, TFC_FEEDS({sg.b, bv}), TFC_FETCHES(sg.a), outs, st));
    tfc_tensor_free(outs[0]);
    CHECK(tfc_session_plans_compiled(s) == 4);
    CHECK(tfc_session_run(s, TFC_FEEDS({sg.b, bv}), TFC_FETCHES(sg.a, twice), outs, st));
    CHECK(outs[0] && outs[1] && tfc_f32(outs[0])[9] == 30 && tfc_f32(outs[1])[9] == 20);
    tfc_tensor_free(outs[0]);
    tfc_tensor_free(outs[1]);
    /* an output a node does not have is an error, not a silent NULL */
    CHECK(!tfc_session_run(s, TFC_FEEDS({sg.b, bv}), TFC_FETCHES((tfc_out){sg.a.node, 1}), &out, st));
    CHECK_MSG(strstr(tfc_message(st), "'a'") && strstr(tfc_message(st), "no output 1"), "message: %s", tfc_message(st));
    CHECK(out == NULL);
    tfc_tensor_free(bv);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* Whether d and e ran on different threads at overlapping times in the last run. */
static bool side_by_side(const tfc_session *s, const seed_graph *sg, bool *in_order)
{
    int td, te;
    double bd, ed, be, ee;
    CHECK(tfc_session_node_trace(s, sg->d.node, &td, &bd, &ed) && tfc_session_node_trace(s, sg->e.node, &te, &be, &ee));
    *in_order = ed <= be;
    return td != te && bd < ee && be < ed;
}

/* d and e wait at the start of their traced time until the other has started too, for up to
 * MEET_SECONDS: two threads that run them side by side pass at once, however long a busy machine
 * holds one of them back (a test that only watched for an overlap failed one time in ten at a load
 * of 18 on two cores); an executor that runs them one after the other waits in vain, and the trace
 * shows them apart. */
#define MEET_SECONDS 20

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int d, e;    /* their nodes */
    int started; /* 1: d has started, 2: e has */
    int missed;  /* waits that ran out */
} meeting;

static void meet(void *arg, int node)
{
    meeting *m = arg;
    int me = node == m->d ? 1 : node == m->e ? 2 : 0;
    if (!me) return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += MEET_SECONDS;
    pthread_mutex_lock(&m->mu);
    m->started |= me;
    pthread_cond_broadcast(&m->cv);
    while (m->started != 3)
        if (pthread_cond_timedwait(&m->cv, &m->mu, &until) == ETIMEDOUT) {
            m->missed++;
            break;
        }
    pthread_mutex_unlock(&m->mu);
}

static void test_side_by_side(void)
{
    const int64_t n = 1 << 18; /* enough for the executor to hand a sum to another thread */
    seed_graph sg = seed_build(n);
    tfc_status *st = tfc_status_new();
    tfc_tensor *bv = tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(n, 1));
    meeting m = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .d = sg.d.node, .e = sg.e.node};
    for (int threads = 1; threads <= 2; threads++) {
        tfc_session *s = tfc_session_new(sg.g, &(tfc_session_options){.threads = threads, .profile = true}, st);
        CHECK(s && tfc_session_run_init(s, st));
        if (!s) continue;
        if (threads == 2) { /* one thread would wait MEET_SECONDS a run */
            s->kernel_start = meet;
            s->kernel_start_arg = &m;
        }
        for (int run = 0; run < 10 && !m.missed; run++) {
            m.started = 0;
            tfc_tensor *out = NULL;
            CHECK(tfc_session_run(s, TFC_FEEDS({sg.b, bv}), TFC_FETCHES(sg.a), &out, st));
            CHECK(out && tfc_f32(out)[n - 1] == (float)(n - 1 + 1) * 3);
            tfc_tensor_free(out);
            bool in_order, overlapped = side_by_side(s, &sg, &in_order);
            if (threads == 1) CHECK_MSG(in_order && !overlapped, "one thread ran e before d ended");
            if (threads == 2)
                CHECK_MSG(overlapped && !m.missed, "run %d: two threads ran d and e one after the other (%s)", run,
                          m.missed ? "one waited for the other in vain" : "the trace shows them apart");
        }
        s->kernel_start = NULL;
        /* the trace is the last run's: a run of e alone did not run d */
        tfc_tensor *out = NULL;
        CHECK(tfc_session_run(s, NULL, 0, TFC_FETCHES(sg.e), &out, st));
        tfc_tensor_free(out);
        CHECK(tfc_session_node_trace(s, sg.e.node, NULL, NULL, NULL) && !tfc_session_node_trace(s, sg.d.node, NULL, NULL, NULL));
        tfc_session_free(s);
    }
    tfc_tensor_free(bv);
    tfc_status_free(st);
    tfc_graph_free(sg.g);
}

/* Copies of every variable's value. */
static tfc_tensor **snapshot(const tfc_session *s, const tfc_graph *g)
{
    int nv = tfc_graph_num_variables(g);
    tfc_tensor **v = calloc((size_t)nv, sizeof *v);
    for (int i = 0; i < nv; i++) v[i] = tfc_tensor_copy(tfc_session_variable(s, tfc_graph_variable(g, i)));
    return v;
}

static void free_snapshot(tfc_tensor **v, int nv)
{
    for (int i = 0; i < nv; i++) tfc_tensor_free(v[i]);
    free(v);
}

/* The deep model's training step (dropout, Adam) from the same weights, batch and random key,
 * 100 times on two threads: the weights after it are the same bits every time. */
static void test_deep_step_repeats(void)
{
    tfc_status *st = tfc_status_new();
    tfc_model m = {0};
    CHECK(tfc_model_build(&m, "deep", NULL, st));
    tfc_graph *g = m.g;
    int nv = tfc_graph_num_variables(g);
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = 2, .seed = 3}, st);
    CHECK(s && tfc_session_run_init(s, st));
    tfc_tensor *x = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(100, 784)), *y = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(100, 10));
    tfc_tensor *keep = tfc_tensor_scalar_f32(m.train_keep_prob);
    for (int64_t i = 0; i < x->size; i++) tfc_f32(x)[i] = (float)((i * 2654435761u) % 1000) / 1000.0f;
    for (int64_t i = 0; i < 100; i++) tfc_f32(y)[i * 10 + i % 10] = 1.0f;
    tfc_tensor **start = snapshot(s, g), **first = NULL;
    int differ = 0;
    for (int run = 0; run < 100 && s; run++) {
        for (int i = 0; i < nv; i++) CHECK(tfc_session_assign(s, tfc_graph_variable(g, i), start[i], st));
        tfc_session_set_random_key(s, 7);
        CHECK_MSG(tfc_session_run(s, TFC_FEEDS({m.x, x}, {m.labels, y}, {m.keep_prob, keep}), TFC_FETCHES(m.train),
                                  NULL, st),
                  "%s", tfc_message(st));
        tfc_tensor **now = snapshot(s, g);
        if (!first) {
            first = now;
            continue;
        }
        for (int i = 0; i < nv; i++)
            if (memcmp(now[i]->data, first[i]->data, tfc_tensor_nbytes(first[i])) != 0) {
                if (!differ++)
                    fprintf(stderr, "run %d: '%s' differs from the first run's\n", run,
                            tfc_node_name(g, tfc_graph_variable(g, i)));
            }
        free_snapshot(now, nv);
    }
    CHECK_MSG(differ == 0, "%d variables differed over 100 runs", differ);
    /* and the step did train: the first layer's weights moved */
    int w = tfc_graph_find(g, "model/fc1/weights");
    CHECK(w >= 0 && first);
    for (int i = 0; first && i < nv; i++)
        if (tfc_graph_variable(g, i) == w) CHECK(memcmp(first[i]->data, start[i]->data, tfc_tensor_nbytes(start[i])) != 0);
    free_snapshot(start, nv);
    if (first) free_snapshot(first, nv);
    tfc_tensor_free(x);
    tfc_tensor_free(y);
    tfc_tensor_free(keep);
    tfc_session_free(s);
    tfc_model_free(&m);
    tfc_status_free(st);
}

/* A variable written in the same run as it is read, by big enough nodes to run side by side: the
 * reads before the write in graph order see the old value, those after it the new one. */
static void test_variable_order(void)
{
    const int64_t n = 1 << 18;
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out v = tfc_variable(g, tfc_fill(g, TFC_SHAPE(n), 1.0f, NULL), "v");
    /* the read comes late (after a chain of products), the write's value is ready early */
    tfc_out slow = tfc_fill(g, TFC_SHAPE(n), 1.0f, NULL);
    for (int i = 0; i < 6; i++) slow = tfc_mul(g, slow, slow, NULL);
    tfc_out before = tfc_mul(g, tfc_mul(g, v, slow, NULL), tfc_const_scalar(g, 3.0f, NULL), "before");
    tfc_out set = tfc_assign(g, v, tfc_fill(g, TFC_SHAPE(n), 5.0f, NULL), "set");
    tfc_out after = tfc_mul(g, tfc_identity(g, set, NULL), tfc_const_scalar(g, 2.0f, NULL), "after");
    tfc_out ends[2] = {before, after};
    for (int threads = 1; threads <= 3; threads += 2) {
        tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads}, st);
        for (int run = 0; run < 10 && s; run++) {
            tfc_tensor *out[2] = {0};
            CHECK(tfc_session_run_init(s, st) && tfc_session_run(s, NULL, 0, ends, 2, out, st));
            CHECK_MSG(out[0] && out[1] && tfc_f32(out[0])[n - 1] == 3.0f && tfc_f32(out[1])[n - 1] == 10.0f,
                      "%d threads: before %g after %g", threads, out[0] ? tfc_f32(out[0])[n - 1] : -1,
                      out[1] ? tfc_f32(out[1])[n - 1] : -1);
            tfc_tensor_free(out[0]);
            tfc_tensor_free(out[1]);
        }
        tfc_session_free(s);
    }
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* Nodes that wait (TFC_OP_WAITS: GroupedAllreduce, which passes its inputs on when the session has
 * no communicator) run on the session's waiting thread, one at a time in graph order, while the
 * compute threads run the rest; a session of one thread runs everything on it in graph order. */
static void test_waiting_nodes(void)
{
    const int64_t n = 1 << 18;
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(n), "x");
    tfc_out y = tfc_mul(g, x, tfc_const_scalar(g, 2.0f, NULL), "y"), ry, rz;
    tfc_grouped_allreduce(g, &y, 1, 0, -1, "first", &ry);
    tfc_out z = tfc_mul(g, x, tfc_const_scalar(g, 3.0f, NULL), "z");
    tfc_grouped_allreduce(g, &z, 1, 0, -1, "second", &rz);
    tfc_out sum = tfc_add(g, ry, rz, "sum");
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    tfc_tensor *xv = tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(n));
    for (int threads = 1; threads <= 3; threads++) {
        tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads, .profile = true}, st);
        int waiter = threads == 1 ? 0 : threads;
        for (int run = 0; run < 3 && s; run++) {
            tfc_tensor *out = NULL;
            CHECK_MSG(tfc_session_run(s, TFC_FEEDS({x, xv}), TFC_FETCHES(sum), &out, st), "%s", tfc_message(st));
            CHECK(out && tfc_f32(out)[n - 1] == 5.0f * (float)(n - 1));
            tfc_tensor_free(out);
            int t1, t2, ty, tz;
            double b1, e1, b2, e2, b, e;
            CHECK(tfc_session_node_trace(s, ry.node, &t1, &b1, &e1) && tfc_session_node_trace(s, rz.node, &t2, &b2, &e2));
            CHECK(tfc_session_node_trace(s, y.node, &ty, &b, &e) && tfc_session_node_trace(s, z.node, &tz, &b, &e));
            CHECK_MSG(t1 == waiter && t2 == waiter, "%d threads: the allreduces ran on threads %d and %d", threads, t1, t2);
            CHECK_MSG(ty < threads && tz < threads, "%d threads: the products ran on threads %d and %d", threads, ty, tz);
            CHECK_MSG(e1 <= b2, "%d threads: the second allreduce began before the first ended", threads);
        }
        tfc_session_free(s);
    }
    tfc_tensor_free(xv);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* Runs of a node in a profiling session. */
static int64_t runs_of(const tfc_session *s, tfc_out o)
{
    double secs;
    int64_t runs;
    tfc_session_node_time(s, o.node, &secs, &runs);
    return runs;
}

static void test_tensorflow_gradient_tuple(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    float w0[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    tfc_tensor *wt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(4, 3), w0);
    tfc_out w = tfc_variable_const(g, wt, "w");
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2, 4), "x"), dy = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2, 3), "dy");
    /* gradients/MatMul_grad: MatMul (the input's, nothing reads it), MatMul_1 (the weight's),
     * tuple/group_deps on both, tuple/control_dependency_1 = Identity(MatMul_1) after it */
    tfc_scope_push(g, "gradients/MatMul_grad");
    tfc_out dx = tfc_matmul(g, dy, w, false, true, "MatMul");
    tfc_out dw = tfc_matmul(g, x, dy, true, false, "MatMul_1");
    tfc_out both[2] = {dx, dw};
    tfc_out group = tfc_group(g, both, 2, "tuple/group_deps");
    tfc_control_dependencies_push(g, &group, 1);
    tfc_out dw_after = tfc_identity(g, dw, "tuple/control_dependency_1");
    tfc_control_dependencies_pop(g);
    tfc_scope_pop(g);
    int n = tfc_node_begin(g, "ApplyGradientDescent", "update", (tfc_out[]){{tfc_variable_node(g, w), 0},
                           tfc_const_scalar(g, 0.5f, "lr"), dw_after}, 3, 1);
    tfc_set_attr_type(g, n, "T", TFC_FLOAT);
    tfc_out update = tfc_node_finish(g, n);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    tfc_tensor *xv = tfc_tensor_range(TFC_FLOAT, 1, TFC_SHAPE(2, 4)), *dyv = tfc_tensor_range(TFC_FLOAT, -2, TFC_SHAPE(2, 3));
    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = 2, .profile = true}, st);
    CHECK_MSG(s && tfc_session_run_init(s, st), "%s", tfc_message(st));
    CHECK_MSG(s && tfc_session_run(s, TFC_FEEDS({x, xv}, {dy, dyv}), TFC_FETCHES(update), NULL, st), "%s", tfc_message(st));
    if (s) {
        CHECK_MSG(runs_of(s, dw) == 0 && runs_of(s, dw_after) == 0, "the weight gradient ran (%lld, %lld times)",
                  (long long)runs_of(s, dw), (long long)runs_of(s, dw_after));
        CHECK_MSG(runs_of(s, dx) == 0, "the input gradient nothing reads ran");
        CHECK(runs_of(s, update) == 1);
        /* w - 0.5 x^T dy, by hand */
        const tfc_tensor *got = tfc_session_variable(s, tfc_variable_node(g, w));
        for (int i = 0; got && i < 4; i++)
            for (int j = 0; j < 3; j++) {
                float sum = 0;
                for (int r = 0; r < 2; r++) sum += tfc_f32(xv)[r * 4 + i] * tfc_f32(dyv)[r * 3 + j];
                CHECK_NEAR(tfc_f32(got)[i * 3 + j], w0[i * 3 + j] - 0.5f * sum, 1e-5);
            }
        /* fetched, the input gradient runs, and so does the weight gradient a fetch reads */
        tfc_tensor *out[2] = {0};
        CHECK(tfc_session_run(s, TFC_FEEDS({x, xv}, {dy, dyv}), TFC_FETCHES(dx, dw_after), out, st));
        CHECK(runs_of(s, dx) == 1 && runs_of(s, dw) == 1);
        tfc_tensor_free(out[0]);
        tfc_tensor_free(out[1]);
    }
    tfc_session_free(s);
    tfc_tensor_free(xv);
    tfc_tensor_free(dyv);
    tfc_tensor_free(wt);
    tfc_status_free(st);
    tfc_graph_free(g);
}

int main(void)
{
    test_plan_cache();
    test_side_by_side();
    test_deep_step_repeats();
    test_variable_order();
    test_waiting_nodes();
    test_tensorflow_gradient_tuple();
    return check_result();
}
