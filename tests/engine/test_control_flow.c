/* tf.cond's Switch, RefSwitch and Merge in the executor, on one and two threads: the branch the
 * predicate picks runs and the other does not (nor what waits on it by a control edge), Merge
 * passes on the live value and its index, a variable assigned inside a branch changes only when
 * that branch is taken, fetching a dead output is an error naming it, a node fed in full is live
 * whatever it was in the run before, an update whose gradient is a product in the untaken branch
 * does not run (the plan leaves out the rewrite that would have the update compute that product),
 * and the graph-level errors (a predicate that is not a bool scalar, a RefSwitch of no variable). */
#include <string.h>

#include "check.h"
#include "op.h"
#include "ops.h"
#include "session.h"

static tfc_out node(tfc_graph *g, const char *type, const char *name, const tfc_out *in, int n)
{
    int v = tfc_node_begin(g, type, name, in, n, 0);
    if (strcmp(type, "Merge") == 0) tfc_set_attr_int(g, v, "N", n);
    tfc_set_attr_type(g, v, "T", TFC_FLOAT);
    return tfc_node_finish(g, v);
}

static int64_t runs_of(const tfc_session *s, tfc_out o)
{
    int64_t runs;
    tfc_session_node_time(s, o.node, NULL, &runs);
    return runs;
}

/* cond(p, x + 10, 2x), the true branch also adding 1 to a variable through a RefSwitch, and a
 * constant of the false branch that only a control edge from it makes dead. */
static void test_cond(int threads)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "x");
    tfc_out p = tfc_placeholder(g, TFC_BOOL, TFC_SCALAR, "p");
    tfc_tensor *zero = tfc_tensor_scalar_f32(0);
    tfc_out v = tfc_variable_const(g, zero, "v");
    tfc_out sw = node(g, "Switch", "cond/Switch", (tfc_out[]){x, p}, 2);
    tfc_out plus = tfc_add(g, (tfc_out){sw.node, 1}, tfc_const_scalar(g, 10, "ten"), "cond/add");
    tfc_out twice = tfc_mul(g, (tfc_out){sw.node, 0}, tfc_const_scalar(g, 2, "two"), "cond/mul");
    tfc_out ref = node(g, "RefSwitch", "cond/RefSwitch", (tfc_out[]){{tfc_variable_node(g, v), 0}, p}, 2);
    tfc_out bump = tfc_assign_add(g, (tfc_out){ref.node, 1}, tfc_const_scalar(g, 1, "one"), "cond/bump");
    tfc_out merged = node(g, "Merge", "cond/Merge", (tfc_out[]){twice, plus}, 2);
    /* a constant after the false branch's Identity by a control edge: dead when p is true */
    tfc_out switch_f = tfc_identity(g, (tfc_out){sw.node, 0}, "cond/switch_f");
    tfc_control_dependencies_push(g, &switch_f, 1);
    tfc_out seven = tfc_const_scalar(g, 7, "cond/seven");
    tfc_control_dependencies_pop(g);
    tfc_out picked = node(g, "Merge", "cond/Merge_1", (tfc_out[]){seven, bump}, 2);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));

    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads, .profile = true}, st);
    CHECK_MSG(s && tfc_session_run_init(s, st), "%s", tfc_message(st));
    tfc_tensor *xv = tfc_tensor_scalar_f32(3), *pv = tfc_tensor_new(TFC_BOOL, TFC_SCALAR);
    for (int round = 0; s && round < 4; round++) {
        bool taken = round % 2 == 0; /* true, false, true, false */
        ((unsigned char *)pv->data)[0] = taken;
        tfc_session_reset_profile(s);
        tfc_tensor *out[4] = {0};
        bool ok = tfc_session_run(s, TFC_FEEDS({x, xv}, {p, pv}),
                                  TFC_FETCHES(merged, ((tfc_out){merged.node, 1}), picked, ((tfc_out){picked.node, 1})), out, st);
        CHECK_MSG(ok, "%s", tfc_message(st));
        if (!ok) break;
        CHECK_NEAR(tfc_f32(out[0])[0], taken ? 13.0f : 6.0f, 0);
        CHECK(tfc_i32(out[1])[0] == (taken ? 1 : 0));
        /* the variable went up by one in each true round so far */
        CHECK_NEAR(tfc_f32(out[2])[0], taken ? (float)(round / 2 + 1) : 7.0f, 0);
        CHECK(tfc_i32(out[3])[0] == (taken ? 1 : 0));
        CHECK_MSG(runs_of(s, plus) == taken && runs_of(s, twice) == !taken && runs_of(s, bump) == taken &&
                      runs_of(s, seven) == !taken,
                  "round %d: add %lld, mul %lld, bump %lld, seven %lld runs", round, (long long)runs_of(s, plus),
                  (long long)runs_of(s, twice), (long long)runs_of(s, bump), (long long)runs_of(s, seven));
        const tfc_tensor *var = tfc_session_variable(s, tfc_variable_node(g, v));
        CHECK_NEAR(tfc_f32(var)[0], (float)((round + 2) / 2), 0);
        for (int i = 0; i < 4; i++) tfc_tensor_free(out[i]);
    }
    /* the untaken branch's value cannot be fetched */
    ((unsigned char *)pv->data)[0] = 1;
    tfc_tensor *out[1] = {0};
    CHECK(s && !tfc_session_run(s, TFC_FEEDS({x, xv}, {p, pv}), TFC_FETCHES(twice), out, st));
    CHECK_MSG(strstr(tfc_message(st), "'cond/mul:0'") && strstr(tfc_message(st), "branch of a tf.cond not taken"), "%s",
              tfc_message(st));
    CHECK(!out[0]);
    tfc_status_clear(st);
    /* a node fed in full is live, whatever it was in the run before: cond/switch_f was dead there */
    CHECK_MSG(s && tfc_session_run(s, TFC_FEEDS({x, xv}, {p, pv}), TFC_FETCHES(picked), out, st), "%s", tfc_message(st));
    tfc_tensor_free(out[0]);
    out[0] = NULL;
    tfc_tensor *both[2] = {0};
    CHECK_MSG(s && tfc_session_run(s, TFC_FEEDS({x, xv}, {p, pv}, {switch_f, xv}), TFC_FETCHES(seven, merged), both, st),
              "%s", tfc_message(st));
    CHECK(both[0] && tfc_f32(both[0])[0] == 7.0f && both[1] && tfc_f32(both[1])[0] == 13.0f);
    for (int i = 0; i < 2; i++) tfc_tensor_free(both[i]);
    tfc_session_free(s);
    tfc_tensor_free(xv);
    tfc_tensor_free(pv);
    tfc_tensor_free(zero);
    tfc_status_free(st);
    tfc_graph_free(g);
}

/* w -= Switch(x, p):1 . ones, where the product is the update's gradient and nothing else reads it:
 * without control flow the plan would leave that product to the update (which would then run
 * whatever the predicate), so w changes only in the rounds p is true. */
static void test_update_in_a_branch(int threads)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2, 1), "x");
    tfc_out p = tfc_placeholder(g, TFC_BOOL, TFC_SCALAR, "p");
    tfc_tensor *zeros = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(2, 2));
    tfc_tensor *ones = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(1, 2), (const float[]){1, 1});
    tfc_out w = tfc_variable_const(g, zeros, "w");
    tfc_out sw = node(g, "Switch", "cond/Switch", (tfc_out[]){x, p}, 2);
    tfc_out grad = tfc_matmul(g, (tfc_out){sw.node, 1}, tfc_const(g, ones, "ones"), false, false, "cond/grad");
    tfc_out update = node(g, "ApplyGradientDescent", "cond/update",
                          (tfc_out[]){{tfc_variable_node(g, w), 0}, tfc_const_scalar(g, 1, "lr"), grad}, 3);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));

    tfc_session *s = tfc_session_new(g, &(tfc_session_options){.threads = threads, .profile = true}, st);
    CHECK_MSG(s && tfc_session_run_init(s, st), "%s", tfc_message(st));
    tfc_tensor *xv = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(2, 1), (const float[]){1, 2});
    tfc_tensor *pv = tfc_tensor_new(TFC_BOOL, TFC_SCALAR);
    float expect = 0; /* w[0][0] */
    for (int round = 0; s && round < 4; round++) {
        bool taken = round % 2 == 0;
        ((unsigned char *)pv->data)[0] = taken;
        tfc_session_reset_profile(s);
        CHECK_MSG(tfc_session_run(s, TFC_FEEDS({x, xv}, {p, pv}), TFC_FETCHES(update), NULL, st), "%s", tfc_message(st));
        expect -= taken;
        CHECK_NEAR(tfc_f32(tfc_session_variable(s, tfc_variable_node(g, w)))[0], expect, 0);
        CHECK_MSG(runs_of(s, grad) == taken && runs_of(s, update) == taken, "round %d: product %lld, update %lld runs",
                  round, (long long)runs_of(s, grad), (long long)runs_of(s, update));
    }
    tfc_session_free(s);
    tfc_tensor_free(xv);
    tfc_tensor_free(pv);
    tfc_tensor_free(zeros);
    tfc_tensor_free(ones);
    tfc_status_free(st);
    tfc_graph_free(g);
}

static void test_build_errors(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2), "x");
    node(g, "Switch", "s", (tfc_out[]){x, x}, 2);
    CHECK_MSG(strstr(tfc_graph_error(g), "node 's' (Switch)") && strstr(tfc_graph_error(g), "float32"), "%s",
              tfc_graph_error(g));
    tfc_graph_free(g);
    g = tfc_graph_new();
    x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2), "x");
    tfc_out p = tfc_placeholder(g, TFC_BOOL, TFC_SHAPE(2), "p");
    node(g, "Switch", "s", (tfc_out[]){x, p}, 2);
    CHECK_MSG(strstr(tfc_graph_error(g), "the predicate (input 1) must be a scalar, not [2]"), "%s", tfc_graph_error(g));
    tfc_graph_free(g);
    g = tfc_graph_new();
    x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2), "x");
    p = tfc_placeholder(g, TFC_BOOL, TFC_SCALAR, "p");
    node(g, "RefSwitch", "r", (tfc_out[]){x, p}, 2);
    CHECK_MSG(strstr(tfc_graph_error(g), "node 'r' (RefSwitch): input 0 must be a variable"), "%s", tfc_graph_error(g));
    tfc_graph_free(g);
}

int main(void)
{
    test_cond(1);
    test_cond(2);
    test_update_in_a_branch(1);
    test_update_in_a_branch(2);
    test_build_errors();
    return check_result();
}
