/* Graph building and running: TensorFlow's naming, scopes, static shape errors, lazy and
 * single evaluation, feeds, the errors for unfed placeholders and uninitialised variables, and
 * outputs written over inputs only where nothing else reads them. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "grad.h"
#include "ops.h"
#include "optimizer.h"
#include "session.h"

/* Constant and variable builders copy their value; these take ownership of a temporary. */
static tfc_out owned_const(tfc_graph *g, tfc_tensor *t, const char *name)
{
    tfc_out o = tfc_const(g, t, name);
    tfc_tensor_free(t);
    return o;
}

static tfc_out owned_var(tfc_graph *g, tfc_tensor *t, const char *name)
{
    tfc_out o = tfc_variable_const(g, t, name);
    tfc_tensor_free(t);
    return o;
}

static void test_names(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 3), "x");
    tfc_out w = owned_var(g, tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(3, 2)), "W");
    tfc_out m0 = tfc_matmul(g, x, w, false, false, NULL);
    tfc_out m1 = tfc_matmul(g, x, w, false, false, NULL);
    CHECK(strcmp(tfc_node_name(g, m0.node), "MatMul") == 0);
    CHECK(strcmp(tfc_node_name(g, m1.node), "MatMul_1") == 0);
    CHECK(tfc_graph_find(g, "W/Assign") >= 0 && tfc_graph_find(g, "W/read") >= 0 && tfc_graph_find(g, "W/initial_value") >= 0);
    tfc_scope_push(g, "model");
    tfc_scope_push(g, "fc1");
    tfc_out r = tfc_relu(g, m0, NULL);
    CHECK(strcmp(tfc_node_name(g, r.node), "model/fc1/Relu") == 0);
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    tfc_scope_push(g, "model"); /* re-entered: uniquified */
    tfc_out r2 = tfc_relu(g, m0, NULL);
    CHECK(strcmp(tfc_node_name(g, r2.node), "model_1/Relu") == 0);
    tfc_scope_pop(g);
    tfc_out c = tfc_const_scalar(g, 0.5f, NULL);
    tfc_out d1 = tfc_dropout(g, r, c, 1, NULL);
    tfc_out d2 = tfc_dropout(g, r, c, 1, NULL);
    CHECK(strncmp(tfc_node_name(g, d1.node), "dropout/", 8) == 0);
    CHECK(strncmp(tfc_node_name(g, d2.node), "dropout_1/", 10) == 0);
    /* Names compare without case, as TensorFlow's. */
    tfc_out up = tfc_const_scalar(g, 1, "matmul");
    CHECK(strcmp(tfc_node_name(g, up.node), "matmul_2") == 0);
    char buf[64];
    CHECK(strcmp(tfc_out_name(g, m1, buf, sizeof buf), "MatMul_1:0") == 0);
    CHECK(tfc_graph_ok(g));
    tfc_graph_free(g);
}

static void test_shape_errors(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "x");
    tfc_out w = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(300, 10), TFC_FLOAT, NULL), "W");
    tfc_out bad = tfc_matmul(g, x, w, false, false, "logits");
    CHECK(!tfc_out_ok(bad));
    CHECK(!tfc_graph_ok(g));
    const char *e = tfc_graph_error(g);
    CHECK_MSG(strstr(e, "logits") && strstr(e, "x:0") && strstr(e, "W/read:0") && strstr(e, "[?,784]") &&
                  strstr(e, "[300,10]"),
              "message: %s", e);
    /* Later calls are no-ops and the first error stays. */
    tfc_out later = tfc_relu(g, bad, NULL);
    CHECK(!tfc_out_ok(later));
    CHECK(strcmp(tfc_graph_error(g), e) == 0);
    tfc_status *st = tfc_status_new();
    CHECK(tfc_session_new(g, NULL, st) == NULL && !tfc_ok(st));
    tfc_status_free(st);
    tfc_graph_free(g);

    g = tfc_graph_new();
    tfc_out a = owned_const(g, tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(2, 3)), "a");
    tfc_out b = owned_const(g, tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(4)), "b");
    CHECK(!tfc_out_ok(tfc_add(g, a, b, "sum")));
    CHECK_MSG(strstr(tfc_graph_error(g), "'a:0' is [2,3], 'b:0' is [4]"), "message: %s", tfc_graph_error(g));
    tfc_graph_free(g);

    /* A pop without its push (one too many after a balanced pair) is a build error naming it. */
    void (*const pops[])(tfc_graph *) = {tfc_scope_pop, tfc_device_pop, tfc_control_dependencies_pop};
    const char *named[] = {"tfc_scope_pop", "tfc_device_pop", "tfc_control_dependencies_pop"};
    for (int i = 0; i < 3; i++) {
        g = tfc_graph_new();
        tfc_out c = tfc_const_scalar(g, 1, "c");
        if (i == 0) tfc_scope_push(g, "s");
        if (i == 1) tfc_device_push(g, "/cpu:0");
        if (i == 2) tfc_control_dependencies_push(g, &c, 1);
        pops[i](g);
        CHECK(tfc_graph_ok(g));
        pops[i](g);
        CHECK_MSG(!tfc_graph_ok(g) && strstr(tfc_graph_error(g), named[i]), "%s: %s", named[i], tfc_graph_error(g));
        tfc_graph_free(g);
    }

    /* A NULL array with a count is a build error naming the builder, the argument and the node. */
    g = tfc_graph_new();
    tfc_scope_push(g, "model");
    CHECK(!tfc_out_ok(tfc_concat(g, NULL, 2, 0, "feats")));
    tfc_scope_pop(g);
    CHECK_MSG(strcmp(tfc_graph_error(g), "tfc_concat (node 'model/feats'): values is NULL but its count is 2") == 0, "message: %s",
              tfc_graph_error(g));
    CHECK(tfc_graph_num_nodes(g) == 0);
    tfc_graph_free(g);

    /* Shapes given to builders: a rank beyond TFC_MAX_DIMS (a reshape to one overran a buffer of 8
     * dims), a dim below -1, an unknown dim where the values need a known one, a dim beyond int32
     * where it becomes an int32 constant: build errors naming the builder, the node and the dim. */
    tfc_shape deep = {.rank = 20};
    struct {
        const char *want;
        tfc_shape shape;
    } shapes[] = {
        {"tfc_reshape (node 'Reshape'): a shape of rank 20 (ranks go from 0 to 8)", deep},
        {"tfc_placeholder (node 'Placeholder'): dim 0 of the shape is -5 (dims go from -1 to", TFC_SHAPE(-5, 3)},
        {"tfc_fill (node 'Fill'): dim 1 of the shape is -1 (dims go from 0 to 2147483647)", TFC_SHAPE(2, -1)},
        {"tfc_random_normal (node 'random_normal'): dim 0 of the shape is 4294967296", TFC_SHAPE(1LL << 32)},
    };
    for (int i = 0; i < 4; i++) {
        g = tfc_graph_new();
        tfc_out x = tfc_const_scalar(g, 1, "x");
        tfc_out r = i == 0   ? tfc_reshape(g, x, shapes[i].shape, NULL)
                    : i == 1 ? tfc_placeholder(g, TFC_FLOAT, shapes[i].shape, NULL)
                    : i == 2 ? tfc_fill(g, shapes[i].shape, 0, NULL)
                             : tfc_random_normal(g, shapes[i].shape, 0, 1, 0, NULL);
        CHECK(!tfc_out_ok(r));
        CHECK_MSG(strncmp(tfc_graph_error(g), shapes[i].want, strlen(shapes[i].want)) == 0, "message: %s",
                  tfc_graph_error(g));
        CHECK(tfc_graph_num_nodes(g) == 1);
        tfc_graph_free(g);
    }

    /* Names TensorFlow refuses (its _VALID_OP_NAME_REGEX) are build errors: they would not import into
     * TensorFlow, and 'x:0' reads as a tensor's name. */
    const char *bad_names[] = {"x:0", "a b", "", "_x", "-x", "caf\xc3\xa9"};
    for (int i = 0; i < 6; i++) {
        for (int scoped = 0; scoped < (*bad_names[i] ? 2 : 1); scoped++) { /* (scope "" is the root's, as in TensorFlow) */
            g = tfc_graph_new();
            if (scoped) tfc_scope_push(g, bad_names[i]);
            tfc_out c = tfc_const_scalar(g, 1, scoped ? "c" : bad_names[i]);
            if (scoped) tfc_scope_pop(g);
            CHECK_MSG(!tfc_out_ok(c) && strstr(tfc_graph_error(g), "not a valid name") &&
                          strstr(tfc_graph_error(g), bad_names[i]),
                      "'%s'%s: %s", bad_names[i], scoped ? " as a scope" : "", tfc_graph_error(g));
            tfc_graph_free(g);
        }
    }
    g = tfc_graph_new();
    tfc_scope_push(g, "model");
    CHECK(strcmp(tfc_node_name(g, tfc_const_scalar(g, 1, "_x.y-z/w>v").node), "model/_x.y-z/w>v") == 0);
    tfc_scope_pop(g);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    tfc_graph_free(g);

    /* A session of 100,000 threads started them all (seconds and gigabytes for a constant). */
    g = tfc_graph_new();
    tfc_const_scalar(g, 1, "x");
    st = tfc_status_new();
    for (int i = 0; i < 2; i++) {
        tfc_session_options o = {.threads = i ? 100000 : -1};
        CHECK(tfc_session_new(g, &o, st) == NULL);
        CHECK_MSG(strstr(tfc_message(st), i ? "100000 threads" : "-1 threads") && strstr(tfc_message(st), "1 to 1024"),
                  "message: %s", tfc_message(st));
        tfc_status_clear(st);
    }
    tfc_status_free(st);
    tfc_graph_free(g);
}

static void test_run(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out p = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1), "p");
    tfc_out v = tfc_variable_scalar(g, 3.0f, "v");
    tfc_out c = tfc_const_scalar(g, 2.0f, "c");
    tfc_out e = tfc_add(g, v, c, "e");
    tfc_out f = tfc_mul(g, p, e, "f");
    tfc_session *s = tfc_session_new(g, NULL, st);
    CHECK(s != NULL);
    tfc_tensor *out[2] = {0};
    /* Uninitialised variable: a clear error naming it. */
    CHECK(!tfc_session_run(s, NULL, 0, TFC_FETCHES(e), out, st));
    CHECK_MSG(strstr(tfc_message(st), "'v'") && strstr(tfc_message(st), "initialis"), "message: %s", tfc_message(st));
    tfc_status_clear(st);
    CHECK(tfc_session_run_init(s, st));
    /* Lazy: e does not need the placeholder. */
    CHECK(tfc_session_run(s, NULL, 0, TFC_FETCHES(e), out, st));
    CHECK(out[0] && tfc_f32(out[0])[0] == 5.0f);
    tfc_tensor_free(out[0]);
    /* Unfed placeholder. */
    CHECK(!tfc_session_run(s, NULL, 0, TFC_FETCHES(f), out, st));
    CHECK_MSG(strstr(tfc_message(st), "placeholder 'p'") && strstr(tfc_message(st), "fed"), "message: %s", tfc_message(st));
    tfc_status_clear(st);
    /* Two fetches in one run; a wrongly shaped feed is refused. */
    tfc_tensor *pv = tfc_tensor_range(TFC_FLOAT, 1, TFC_SHAPE(3));
    CHECK(tfc_session_run(s, TFC_FEEDS({p, pv}), TFC_FETCHES(f, e), out, st));
    CHECK(out[0] && out[0]->size == 3 && tfc_f32(out[0])[2] == 15.0f && tfc_f32(out[1])[0] == 5.0f);
    tfc_tensor_free(out[0]);
    tfc_tensor_free(out[1]);
    tfc_tensor *bad = tfc_tensor_range(TFC_FLOAT, 1, TFC_SHAPE(3, 1));
    CHECK(!tfc_session_run(s, TFC_FEEDS({p, bad}), TFC_FETCHES(f), out, st));
    CHECK_MSG(strstr(tfc_message(st), "p:0"), "message: %s", tfc_message(st));
    tfc_status_clear(st);
    /* Any tensor is feedable: feeding e skips v. */
    tfc_tensor *ev = tfc_tensor_scalar_f32(10.0f);
    CHECK(tfc_session_run(s, TFC_FEEDS({p, pv}, {e, ev}), TFC_FETCHES(f), out, st));
    CHECK(out[0] && tfc_f32(out[0])[0] == 10.0f);
    tfc_tensor_free(out[0]);
    /* assign_add changes state across runs. */
    tfc_out inc = tfc_assign_add(g, v, tfc_const_scalar(g, 1.0f, NULL), NULL);
    CHECK(tfc_session_run(s, NULL, 0, TFC_FETCHES(inc), NULL, st));
    CHECK(tfc_session_run(s, NULL, 0, TFC_FETCHES(inc), NULL, st));
    CHECK(tfc_f32(tfc_session_variable(s, tfc_variable_node(g, v)))[0] == 5.0f);
    tfc_tensor_free(pv);
    tfc_tensor_free(bad);
    tfc_tensor_free(ev);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* Adam with TensorFlow's slot names, and its first step against the update rule by hand. */
static void test_adam(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_scope_push(g, "model");
    float w0[2] = {1.0f, -2.0f};
    tfc_tensor *wt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(2), w0);
    tfc_out w = tfc_variable_const(g, wt, "w");
    tfc_scope_pop(g);
    tfc_out loss = tfc_reduce_sum(g, tfc_square(g, w, NULL), NULL, 0, false, NULL);
    tfc_out gs = tfc_global_step(g);
    tfc_scope_push(g, "train");
    tfc_out train = tfc_adam_minimize(g, loss, 0.1f, NULL, gs);
    tfc_scope_pop(g);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    const char *names[] = {"model/w/Adam", "model/w/Adam_1", "train/beta1_power", "train/beta2_power", "global_step",
                           "train/Adam/update_model/w/ApplyAdam", "train/gradients/Fill"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        CHECK_MSG(tfc_graph_find(g, names[i]) >= 0, "missing node %s", names[i]);
    tfc_session *s = tfc_session_new(g, NULL, st);
    CHECK(s && tfc_session_run_init(s, st));
    CHECK(tfc_session_run(s, NULL, 0, TFC_FETCHES(train), NULL, st));
    const tfc_tensor *wv = tfc_session_variable(s, tfc_variable_node(g, w));
    /* Step 1: m = 0.1 g, v = 0.001 g^2, lr_t = 0.1 sqrt(0.001)/0.1: w -= lr_t m / (sqrt v + eps) ~ 0.1 sign(g) */
    for (int i = 0; i < 2; i++) {
        double gr = 2.0 * w0[i], m = 0.1 * gr, v = 0.001 * gr * gr, lrt = 0.1 * sqrt(1 - 0.999) / (1 - 0.9);
        CHECK_NEAR(tfc_f32(wv)[i], w0[i] - lrt * m / (sqrt(v) + 1e-8), 1e-6);
    }
    CHECK(tfc_i64(tfc_session_variable(s, tfc_graph_find(g, "global_step")))[0] == 1);
    CHECK_NEAR(tfc_f32(tfc_session_variable(s, tfc_graph_find(g, "train/beta1_power")))[0], 0.81, 1e-6);
    tfc_tensor_free(wt);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* Fetches `fetch` with x fed (and the tensor `over` fed for `fed` when given); checks each fetched
 * value against want (n values each). */
static void run_check(tfc_session *s, tfc_out x, const float *xv, tfc_out fed, const tfc_tensor *over, const tfc_out *fetch,
                      int nfetch, const float want[][4], const char *what)
{
    tfc_status *st = tfc_status_new();
    tfc_tensor *xt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(4), xv), *out[4] = {0};
    tfc_feed feeds[2] = {{x, xt}, {fed, over}};
    CHECK_MSG(tfc_session_run(s, feeds, over ? 2 : 1, fetch, nfetch, out, st), "%s: %s", what, tfc_message(st));
    for (int f = 0; f < nfetch; f++)
        for (int i = 0; i < 4; i++)
            CHECK_MSG(out[f] && tfc_f32(out[f])[i] == want[f][i], "%s: fetch %d element %d is %g, want %g", what, f, i,
                      out[f] ? tfc_f32(out[f])[i] : NAN, want[f][i]);
    for (int f = 0; f < nfetch; f++) tfc_tensor_free(out[f]);
    tfc_tensor_free(xt);
    tfc_status_free(st);
}

/* Elementwise ops write over an input that nothing else reads; never over one that is fetched, fed,
 * read by another op, or a variable's value, and never so that a later run sees an old value. */
static void test_in_place(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(4), "x");
    tfc_out n = tfc_neg(g, x, NULL), r = tfc_relu(g, n, NULL), q = tfc_square(g, r, NULL); /* chain */
    tfc_out n2 = tfc_neg(g, x, NULL), a = tfc_relu(g, n2, NULL), b = tfc_square(g, n2, NULL); /* two readers */
    float v0[4] = {-1, 2, -3, 4};
    tfc_tensor *vt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(4), v0);
    tfc_out var = tfc_variable_const(g, vt, "v");
    tfc_out rv = tfc_relu(g, tfc_neg(g, tfc_relu(g, var, NULL), NULL), NULL);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    tfc_session *s = tfc_session_new(g, NULL, st);
    CHECK(s && tfc_session_run_init(s, st));
    const float xv[4] = {1, -2, 3, -4}, xw[4] = {-5, 6, -7, 0.5f};
    run_check(s, x, xv, x, NULL, TFC_FETCHES(q), (const float[][4]){{0, 4, 0, 16}}, "chain");
    run_check(s, x, xw, x, NULL, TFC_FETCHES(n, r, q), (const float[][4]){{5, -6, 7, -0.5f}, {5, 0, 7, 0}, {25, 0, 49, 0}},
              "chain, all fetched");
    run_check(s, x, xv, x, NULL, TFC_FETCHES(q, r), (const float[][4]){{0, 4, 0, 16}, {0, 2, 0, 4}}, "chain, again");
    run_check(s, x, xv, x, NULL, TFC_FETCHES(a, b), (const float[][4]){{0, 2, 0, 4}, {1, 4, 9, 16}}, "two readers");
    run_check(s, x, xv, x, NULL, TFC_FETCHES(b, a), (const float[][4]){{1, 4, 9, 16}, {0, 2, 0, 4}}, "two readers, swapped");
    float fv[4] = {3, -1, 2, -2};
    tfc_tensor *ft = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(4), fv);
    run_check(s, x, xv, n, ft, TFC_FETCHES(q), (const float[][4]){{9, 0, 4, 0}}, "fed");
    CHECK_MSG(memcmp(ft->data, fv, sizeof fv) == 0, "a fed tensor was written over");
    run_check(s, x, xv, x, NULL, TFC_FETCHES(rv, rv), (const float[][4]){{0, 0, 0, 0}, {0, 0, 0, 0}}, "variable");
    const tfc_tensor *vv = tfc_session_variable(s, tfc_variable_node(g, var));
    CHECK_MSG(vv && memcmp(vv->data, v0, sizeof v0) == 0, "a variable's value was written over");
    tfc_tensor_free(ft);
    tfc_tensor_free(vt);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* BiasAdd's gradient on a tall input (summed in chunks on several threads) against a double sum,
 * and the same with 1 and 3 threads up to rounding. */
static void test_bias_add_grad_tall(void)
{
    const int64_t rows = 20001, c = 5;
    tfc_tensor *wt = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(rows, c));
    double want[5] = {0};
    for (int64_t i = 0; i < wt->size; i++) {
        tfc_f32(wt)[i] = (float)((i * 7919 % 2003) - 1000) / 997.0f;
        want[i % c] += tfc_f32(wt)[i];
    }
    for (int threads = 1; threads <= 3; threads += 2) {
        tfc_graph *g = tfc_graph_new();
        tfc_status *st = tfc_status_new();
        tfc_out x = owned_const(g, tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(rows, c)), "x");
        tfc_out b = owned_var(g, tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(c)), "b");
        tfc_out loss = tfc_reduce_sum(g, tfc_mul(g, tfc_bias_add(g, x, b, NULL), tfc_const(g, wt, "w"), NULL), NULL, 0, false, NULL);
        tfc_out db;
        CHECK(tfc_gradients(g, loss, &b, 1, &db));
        tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads}, st);
        tfc_tensor *out = NULL;
        CHECK(s && tfc_session_run_init(s, st) && tfc_session_run(s, NULL, 0, &db, 1, &out, st));
        for (int64_t i = 0; out && i < c; i++)
            CHECK_MSG(fabs(tfc_f32(out)[i] - want[i]) < 1e-3, "%d threads: column %lld sums to %g, want %g", threads,
                      (long long)i, tfc_f32(out)[i], want[i]);
        tfc_tensor_free(out);
        tfc_session_free(s);
        tfc_status_free(st);
        tfc_graph_free(g);
    }
    tfc_tensor_free(wt);
}

/* RandomUniform fills its tensor on several threads with the numbers one thread would draw: the same
 * values for 1 and 3 threads, run after run, in [0, 1) with mean ~1/2, and new ones each run. */
static void test_uniform_threads(void)
{
    const int32_t n = 100000;
    tfc_tensor *runs[2][2] = {{0}};
    for (int t = 0; t < 2; t++) {
        tfc_graph *g = tfc_graph_new();
        tfc_status *st = tfc_status_new();
        tfc_out u = tfc_random_uniform(g, tfc_const_ints(g, &n, 1, "shape"), 7, "u");
        tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = t ? 3 : 1, .seed = 1}, st);
        for (int r = 0; r < 2; r++) CHECK(s && tfc_session_run(s, NULL, 0, &u, 1, &runs[t][r], st));
        tfc_session_free(s);
        tfc_status_free(st);
        tfc_graph_free(g);
    }
    for (int r = 0; r < 2; r++) CHECK(runs[0][r] && runs[1][r] && runs[0][r]->size == n && runs[1][r]->size == n);
    if (!runs[0][0] || !runs[0][1] || !runs[1][0] || !runs[1][1]) return;
    double sum = 0;
    int64_t same = 0;
    for (int32_t i = 0; i < n; i++) {
        float v = tfc_f32(runs[0][0])[i];
        CHECK_MSG(v >= 0 && v < 1, "value %d is %g", i, v);
        sum += v;
        same += v == tfc_f32(runs[0][1])[i];
    }
    CHECK_MSG(fabs(sum / n - 0.5) < 0.01, "mean %g", sum / n);
    CHECK_MSG(same < 10, "the second run repeats %lld values of the first", (long long)same);
    /* the second run continues the stream: its first numbers are not the first run's last ones */
    for (int i = 0; i < 10; i++)
        for (int j = n - 10; j < n; j++)
            CHECK_MSG(tfc_f32(runs[0][1])[i] != tfc_f32(runs[0][0])[j], "run 2's value %d repeats run 1's value %d", i, j);
    for (int r = 0; r < 2; r++)
        CHECK_MSG(memcmp(runs[0][r]->data, runs[1][r]->data, (size_t)n * sizeof(float)) == 0,
                  "run %d: 1 and 3 threads draw different numbers", r);
    for (int t = 0; t < 2; t++)
        for (int r = 0; r < 2; r++) tfc_tensor_free(runs[t][r]);
}

int main(void)
{
    test_names();
    test_shape_errors();
    test_run();
    test_adam();
    test_in_place();
    test_bias_add_grad_tall();
    test_uniform_threads();
    return check_result();
}
