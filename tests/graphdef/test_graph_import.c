/* GraphDef and MetaGraph import: the seed models' graphs written as GraphDefs come back node for node
 * (names, ops, inputs, controls, devices, attrs, output dtypes and shapes) and compute the same bits
 * as the originals, forward and training; prefixes; MetaGraph collections and variables; and the
 * errors, each one line: unsupported op types listed with counts (a tf.while_loop's said to be a
 * loop's), duplicate names (also one a builder took as it is), missing inputs, cycles, wrong input
 * counts, disagreeing _output_shapes, hostile attrs (tensors of more than 1 GiB spelt in a few bytes
 * or past int64, values and tensor_content that do not fit the shape, ranks past 8, mixed, long and
 * unsupported lists, functions), hostile input indices, MetaGraphs whose collections name what is
 * not there, every truncation; which placeholders a model's runs leave unfed. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graph.pb-c.h"
#include "graph_import.h"
#include "graphdef.h"
#include "meta_graph.h"
#include "meta_graph.pb-c.h"
#include "models.h"
#include "op.h"
#include "ops.h"
#include "session.h"

static bool same_attr(const tfc_attr *a, const tfc_attr *b)
{
    if (strcmp(a->name, b->name) || a->kind != b->kind) return false;
    switch (a->kind) {
    case TFC_ATTR_INT: return a->i == b->i;
    case TFC_ATTR_FLOAT: return a->f == b->f;
    case TFC_ATTR_BOOL: return a->b == b->b;
    case TFC_ATTR_TYPE: return a->type == b->type;
    case TFC_ATTR_SHAPE: return tfc_shape_equal(a->shape, b->shape);
    case TFC_ATTR_STRING: return strcmp(a->s, b->s) == 0;
    case TFC_ATTR_TENSOR:
        return a->tensor->dtype == b->tensor->dtype && tfc_shape_equal(a->tensor->shape, b->tensor->shape) &&
               (a->tensor->dtype == TFC_STRING || memcmp(a->tensor->data, b->tensor->data, tfc_tensor_nbytes(a->tensor)) == 0);
    case TFC_ATTR_INT_LIST:
        return a->ints.n == b->ints.n && (!a->ints.n || !memcmp(a->ints.v, b->ints.v, (size_t)a->ints.n * sizeof(int64_t)));
    case TFC_ATTR_TYPE_LIST:
        return a->types.n == b->types.n && (!a->types.n || !memcmp(a->types.v, b->types.v, (size_t)a->types.n * sizeof(tfc_dtype)));
    case TFC_ATTR_STRING_LIST:
        if (a->strs.n != b->strs.n) return false;
        for (int i = 0; i < a->strs.n; i++)
            if (strcmp(a->strs.v[i], b->strs.v[i])) return false;
        return true;
    }
    return false;
}

/* b (imported under prefix) holds a's nodes, in a's order, with everything equal. */
static void check_same_graph(const tfc_graph *a, const tfc_graph *b, int first, const char *prefix)
{
    CHECK(tfc_graph_num_nodes(b) - first == tfc_graph_num_nodes(a));
    for (int i = 0; i < tfc_graph_num_nodes(a) && first + i < tfc_graph_num_nodes(b); i++) {
        int j = first + i;
        char want[1200];
        snprintf(want, sizeof want, "%s%s", prefix, tfc_node_name(a, i));
        CHECK_MSG(strcmp(tfc_node_name(b, j), want) == 0, "%s vs %s", tfc_node_name(b, j), want);
        CHECK_MSG(strcmp(tfc_node_op(a, i), tfc_node_op(b, j)) == 0, "%s", want);
        CHECK_MSG(strcmp(tfc_node_device(a, i), tfc_node_device(b, j)) == 0, "%s", want);
        CHECK_MSG(tfc_node_num_inputs(a, i) == tfc_node_num_inputs(b, j), "%s", want);
        for (int k = 0; k < tfc_node_num_inputs(a, i) && k < tfc_node_num_inputs(b, j); k++) {
            tfc_out x = tfc_node_input(a, i, k), y = tfc_node_input(b, j, k);
            CHECK_MSG(x.node + first == y.node && x.index == y.index, "%s input %d", want, k);
        }
        CHECK_MSG(tfc_node_num_controls(a, i) == tfc_node_num_controls(b, j), "%s", want);
        CHECK_MSG(tfc_node_num_outputs(a, i) == tfc_node_num_outputs(b, j), "%s: %d outputs, imported %d", want,
                  tfc_node_num_outputs(a, i), tfc_node_num_outputs(b, j));
        for (int k = 0; k < tfc_node_num_outputs(a, i) && k < tfc_node_num_outputs(b, j); k++) {
            CHECK_MSG(tfc_node_output_dtype(a, i, k) == tfc_node_output_dtype(b, j, k), "%s:%d", want, k);
            CHECK_MSG(tfc_shape_equal(tfc_node_output_shape(a, i, k), tfc_node_output_shape(b, j, k)), "%s:%d", want, k);
        }
        CHECK_MSG(tfc_node_num_attrs(a, i) == tfc_node_num_attrs(b, j), "%s", want);
        for (int k = 0; k < tfc_node_num_attrs(a, i); k++) {
            const tfc_attr *x = tfc_node_attr(a, i, k), *y = tfc_node_find_attr(b, j, x->name);
            CHECK_MSG(y && same_attr(x, y), "%s attr %s", want, x->name);
        }
    }
    CHECK(tfc_graph_num_variables(b) >= tfc_graph_num_variables(a));
    for (int v = 0; v < tfc_graph_num_variables(a); v++) {
        int x = tfc_graph_variable(a, v), y = x + first;
        CHECK(tfc_variable_initializer(b, y) == tfc_variable_initializer(a, x) + first);
    }
}

static tfc_graph *import_bytes(const unsigned char *bytes, size_t len, bool meta, const char *prefix, tfc_status *st)
{
    tfc_graph *g = tfc_graph_new();
    bool ok = meta ? tfc_meta_graph_import(g, bytes, len, prefix, st) : tfc_graph_import(g, bytes, len, prefix, st);
    if (!ok) {
        tfc_graph_free(g);
        return NULL;
    }
    return g;
}

/* Both graphs from the same initial values compute the same loss and, after three training steps on
 * the same batch, the same weights, bit for bit. */
static void check_same_run(const tfc_model *m, tfc_graph *b, tfc_status *st)
{
    tfc_session_options so = {.threads = 2, .seed = 7};
    tfc_session *sa = tfc_session_new(m->g, &so, st), *sb = tfc_session_new(b, &so, st);
    CHECK_MSG(sa && sb && tfc_session_run_init(sa, st), "%s", tfc_message(st));
    for (int v = 0; sb && v < tfc_graph_num_variables(m->g); v++) {
        int node = tfc_graph_variable(m->g, v);
        CHECK_MSG(tfc_session_assign(sb, node, tfc_session_variable(sa, node), st), "%s", tfc_message(st));
    }
    tfc_tensor *x = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(8, 784)), *y = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(8, 10));
    for (int i = 0; i < 8 * 784; i++) tfc_f32(x)[i] = (float)((i * 37) % 255) / 255.0f;
    for (int i = 0; i < 8; i++) tfc_f32(y)[i * 10 + i % 10] = 1;
    tfc_tensor *keep = tfc_tensor_scalar_f32(1.0f);
    tfc_feed feeds[3] = {{m->x, x}, {m->labels, y}, {m->keep_prob, keep}};
    int nf = tfc_out_ok(m->keep_prob) ? 3 : 2;
    for (int step = 0; step < 3; step++) {
        tfc_tensor *la = NULL, *lb = NULL;
        CHECK_MSG(tfc_session_run(sa, feeds, nf, (tfc_out[]){m->loss}, 1, &la, st), "%s", tfc_message(st));
        CHECK_MSG(tfc_session_run(sb, feeds, nf, (tfc_out[]){m->loss}, 1, &lb, st), "%s", tfc_message(st));
        CHECK_MSG(la && lb && tfc_f32(la)[0] == tfc_f32(lb)[0], "%s: loss at step %d", m->name, step);
        tfc_tensor_free(la);
        tfc_tensor_free(lb);
        CHECK(tfc_session_run(sa, feeds, nf, (tfc_out[]){m->train}, 1, NULL, st));
        CHECK_MSG(tfc_session_run(sb, feeds, nf, (tfc_out[]){m->train}, 1, NULL, st), "%s", tfc_message(st));
    }
    for (int v = 0; v < tfc_graph_num_variables(m->g); v++) {
        int node = tfc_graph_variable(m->g, v);
        const tfc_tensor *ta = tfc_session_variable(sa, node), *tb = sb ? tfc_session_variable(sb, node) : NULL;
        CHECK_MSG(ta && tb && ta->size == tb->size && memcmp(ta->data, tb->data, tfc_tensor_nbytes(ta)) == 0, "%s: %s",
                  m->name, tfc_node_name(m->g, node));
    }
    tfc_tensor_free(x);
    tfc_tensor_free(y);
    tfc_tensor_free(keep);
    tfc_session_free(sa);
    tfc_session_free(sb);
}

static void test_seed_models(tfc_status *st)
{
    for (int k = 0; tfc_model_names[k]; k++) {
        tfc_model m;
        tfc_model_options mo = {.summaries = true, .histograms = true};
        CHECK_MSG(tfc_model_build(&m, tfc_model_names[k], &mo, st), "%s", tfc_message(st));
        /* every placeholder a seed model's runs read is one tfc_model_feeds feeds */
        CHECK_MSG(tfc_model_check_feeds(&m, true, st), "%s: %s", m.name, tfc_message(st));
        size_t len = 0;
        unsigned char *gd = tfc_graphdef_serialize(m.g, &len, st);
        tfc_graph *b = gd ? import_bytes(gd, len, false, NULL, st) : NULL;
        CHECK_MSG(b, "%s: %s", m.name, tfc_message(st));
        if (b) check_same_graph(m.g, b, 0, "");
        if (b && strcmp(m.name, "cnn")) check_same_run(&m, b, st);
        tfc_graph_free(b);

        /* twice into one graph, under two prefixes */
        tfc_graph *two = tfc_graph_new();
        CHECK_MSG(tfc_graph_import(two, gd, len, "a", st) && tfc_graph_import(two, gd, len, "b/c/", st), "%s",
                  tfc_message(st));
        check_same_graph(m.g, two, tfc_graph_num_nodes(m.g), "b/c/");
        CHECK(tfc_graph_find(two, "a/global_step") >= 0);
        /* and a third time without one: every name is taken */
        tfc_status *dup = tfc_status_new();
        CHECK(!tfc_graph_import(two, gd, len, "a", dup));
        CHECK_MSG(strstr(tfc_message(dup), "has a node of that name already"), "%s", tfc_message(dup));
        tfc_status_free(dup);
        tfc_graph_free(two);

        /* the MetaGraph keeps variables, their initialisers, what trains, and the collections (train_op,
         * losses, summaries, global_step) */
        unsigned char *mb = tfc_meta_graph_serialize(m.g, &len, st);
        tfc_graph *mg = mb ? import_bytes(mb, len, true, "imported", st) : NULL;
        CHECK_MSG(mg, "%s: %s", m.name, tfc_message(st));
        if (mg) {
            check_same_graph(m.g, mg, 0, "imported/");
            for (int v = 0; v < tfc_graph_num_variables(m.g); v++) {
                int node = tfc_graph_variable(m.g, v);
                CHECK_MSG(tfc_variable_trainable(m.g, node) == tfc_variable_trainable(mg, node), "%s",
                          tfc_node_name(m.g, node));
            }
            CHECK(tfc_graph_num_collections(m.g) == 4 && tfc_graph_num_collections(mg) == 4);
            for (int c = 0; c < tfc_graph_num_collections(m.g); c++) {
                const char *key = tfc_graph_collection_key(m.g, c);
                CHECK_MSG(tfc_graph_collection_size(m.g, key) == tfc_graph_collection_size(mg, key), "%s", key);
                for (int i = 0; i < tfc_graph_collection_size(m.g, key); i++) {
                    char want[512];
                    snprintf(want, sizeof want, "imported/%s", tfc_graph_collection_item(m.g, key, i));
                    const char *got = tfc_graph_collection_item(mg, key, i);
                    CHECK_MSG(got && strcmp(got, want) == 0, "%s: %s, want %s", key, got ? got : "none", want);
                }
            }
        }
        tfc_graph_free(mg);
        free(mb);
        free(gd);
        tfc_model_free(&m);
    }
}

/* ---- hand-made GraphDefs ---- */

typedef struct {
    Tensorflow__NodeDef nodes[8];
    Tensorflow__NodeDef *ptrs[8];
    char *inputs[8][4];
    Tensorflow__GraphDef gd;
} mini;

static void mini_init(mini *m) { memset(m, 0, sizeof *m); tensorflow__graph_def__init(&m->gd); }

static void mini_add(mini *m, const char *name, const char *op, const char *in0, const char *in1)
{
    int i = (int)m->gd.n_node;
    tensorflow__node_def__init(&m->nodes[i]);
    m->nodes[i].name = (char *)name;
    m->nodes[i].op = (char *)op;
    m->nodes[i].device = "";
    m->inputs[i][0] = (char *)in0;
    m->inputs[i][1] = (char *)in1;
    m->nodes[i].n_input = in1 ? 2 : in0 ? 1 : 0;
    m->nodes[i].input = m->inputs[i];
    m->ptrs[i] = &m->nodes[i];
    m->gd.node = m->ptrs;
    m->gd.n_node++;
}

/* The error the import of m fails with (a copy), NULL when it imports. */
static char *import_error(mini *m)
{
    size_t len = tensorflow__graph_def__get_packed_size(&m->gd);
    unsigned char *buf = malloc(len + 1);
    tensorflow__graph_def__pack(&m->gd, buf);
    tfc_status *st = tfc_status_new();
    tfc_graph *g = import_bytes(buf, len, false, NULL, st);
    char *e = g ? NULL : strdup(tfc_message(st));
    tfc_graph_free(g);
    tfc_status_free(st);
    free(buf);
    return e;
}

/* The import of m fails with an error containing `want`, on one line. */
static void expect_error(mini *m, const char *want)
{
    char *e = import_error(m);
    CHECK_MSG(e && strstr(e, want) && !strchr(e, '\n'), "want '%s', got '%s'", want, e ? e : "(imported)");
    free(e);
}

static void test_errors(void)
{
    mini m;
    mini_init(&m);
    mini_add(&m, "a", "Foo", NULL, NULL);
    mini_add(&m, "b", "Bar", "a", NULL);
    mini_add(&m, "c", "Foo", "b", NULL);
    mini_add(&m, "d", "Identity", "c", NULL);
    expect_error(&m, "2 op types are not supported by tfc: Bar (1 node), Foo (2 nodes)");
    /* no word about loops there; a tf.while_loop's ops are named as its (its Switch and Merge are tf.cond's) */
    char *e = import_error(&m);
    CHECK_MSG(e && !strstr(e, "loop"), "%s", e ? e : "(imported)");
    free(e);
    mini_init(&m);
    mini_add(&m, "x", "Placeholder", NULL, NULL);
    mini_add(&m, "w/Enter", "Enter", "x", NULL);
    mini_add(&m, "w/Merge", "Merge", "w/Enter", "w/NextIteration");
    mini_add(&m, "w/LoopCond", "LoopCond", "w/Merge", NULL);
    mini_add(&m, "w/Switch", "Switch", "w/Merge", "w/LoopCond");
    mini_add(&m, "w/NextIteration", "NextIteration", "w/Switch:1", NULL);
    mini_add(&m, "w/Exit", "Exit", "w/Switch", NULL);
    expect_error(&m, "4 op types are not supported by tfc: Enter (1 node), Exit (1 node), LoopCond (1 node), "
                     "NextIteration (1 node) (a tf.while_loop's, or dynamic_rnn's: tfc runs tf.cond but not loops)");
    /* TensorFlow 2's control flow ops get their hint; an op whose name only holds "If" or "While" not */
    mini_init(&m);
    mini_add(&m, "w", "StatelessWhile", NULL, NULL);
    expect_error(&m, "1 op type is not supported by tfc: StatelessWhile (1 node) (TensorFlow 2's control flow");
    mini_init(&m);
    mini_add(&m, "d", "DiffWhileStep", NULL, NULL);
    mini_add(&m, "g", "Iffy", NULL, NULL);
    e = import_error(&m);
    CHECK_MSG(e && strstr(e, "DiffWhileStep (1 node), Iffy (1 node)") && !strstr(e, "control flow"), "%s",
              e ? e : "(imported)");
    free(e);

    mini_init(&m);
    mini_add(&m, "a", "NoOp", NULL, NULL);
    mini_add(&m, "a", "NoOp", NULL, NULL);
    expect_error(&m, "node 'a' is defined twice");

    mini_init(&m);
    mini_add(&m, "a", "Identity", "nowhere:0", NULL);
    expect_error(&m, "node 'a': input 0 (nowhere:0) is not a tensor of the graph");

    mini_init(&m);
    mini_add(&m, "a", "Identity", "b", NULL);
    mini_add(&m, "b", "Identity", "a", NULL);
    expect_error(&m, "the graph has a cycle through node 'a' (Identity)");

    mini_init(&m);
    mini_add(&m, "x", "NoOp", NULL, NULL);
    mini_add(&m, "a", "Identity", "^x", "x");
    expect_error(&m, "node 'a': data input 'x' after a control input");

    mini_init(&m);
    mini_add(&m, "x", "NoOp", NULL, NULL);
    mini_add(&m, "a", "MatMul", "^x", NULL);
    expect_error(&m, "node 'a' (MatMul): has 0 inputs, the op takes 2");

    mini_init(&m);
    mini_add(&m, "x", "NoOp", NULL, NULL);
    mini_add(&m, "a", "Identity", "x", NULL);
    expect_error(&m, "node 'a' (Identity): input 0 (x): node 'x' (NoOp) has 0 outputs");

    mini_init(&m);
    mini_add(&m, "bad name", "NoOp", NULL, NULL);
    expect_error(&m, "is not a TensorFlow node name");

    /* a placeholder whose TensorFlow shape disagrees with the one tfc infers */
    mini_init(&m);
    mini_add(&m, "p", "Placeholder", NULL, NULL);
    Tensorflow__AttrValue dtype = TENSORFLOW__ATTR_VALUE__INIT, shape = TENSORFLOW__ATTR_VALUE__INIT,
                          outs = TENSORFLOW__ATTR_VALUE__INIT;
    dtype.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TYPE;
    dtype.type = TENSORFLOW__DATA_TYPE__DT_FLOAT;
    Tensorflow__TensorShapeProto sp = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT, sp2 = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    Tensorflow__TensorShapeProto__Dim d3 = TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT, d4 = TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT;
    d3.size = 3;
    d4.size = 4;
    Tensorflow__TensorShapeProto__Dim *dims3[1] = {&d3}, *dims4[1] = {&d4};
    sp.n_dim = 1;
    sp.dim = dims3;
    sp2.n_dim = 1;
    sp2.dim = dims4;
    shape.value_case = TENSORFLOW__ATTR_VALUE__VALUE_SHAPE;
    shape.shape = &sp;
    Tensorflow__AttrValue__ListValue lv = TENSORFLOW__ATTR_VALUE__LIST_VALUE__INIT;
    Tensorflow__TensorShapeProto *lshapes[1] = {&sp2};
    lv.n_shape = 1;
    lv.shape = lshapes;
    outs.value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST;
    outs.list = &lv;
    Tensorflow__NodeDef__AttrEntry e1 = TENSORFLOW__NODE_DEF__ATTR_ENTRY__INIT, e2 = TENSORFLOW__NODE_DEF__ATTR_ENTRY__INIT,
                                   e3 = TENSORFLOW__NODE_DEF__ATTR_ENTRY__INIT;
    e1.key = "dtype";
    e1.value = &dtype;
    e2.key = "shape";
    e2.value = &shape;
    e3.key = "_output_shapes";
    e3.value = &outs;
    Tensorflow__NodeDef__AttrEntry *entries[3] = {&e1, &e2, &e3};
    m.nodes[0].n_attr = 3;
    m.nodes[0].attr = entries;
    expect_error(&m, "node 'p' (Placeholder): output 0 has shape [3] in tfc, [4] in TensorFlow's _output_shapes");
    /* a string attr with a NUL byte */
    e3.key = "_class";
    outs.value_case = TENSORFLOW__ATTR_VALUE__VALUE_S;
    outs.s = (ProtobufCBinaryData){3, (uint8_t *)"a\0b"};
    expect_error(&m, "node 'p' (Placeholder): attr '_class': a string with a NUL byte");
    /* a shape attr that is not a shape (found by fuzzing: its bytes were read as a shape) */
    m.nodes[0].n_attr = 2;
    shape.value_case = TENSORFLOW__ATTR_VALUE__VALUE_I;
    shape.i = 5;
    expect_error(&m, "node 'p' (Placeholder): attr 'shape' is not a shape");
    m.nodes[0].op = "VariableV2";
    expect_error(&m, "node 'p' (VariableV2): a variable needs a fully known shape (attr 'shape')");

    /* text format, truncated and garbage bytes */
    tfc_status *st = tfc_status_new();
    tfc_graph *g = tfc_graph_new();
    CHECK(!tfc_graph_import(g, "\x0a\xff\xff\xff\x0f", 5, NULL, st));
    CHECK_MSG(strstr(tfc_message(st), "not a GraphDef") != NULL, "%s", tfc_message(st));
    tfc_status_clear(st);
    CHECK(!tfc_graph_import(g, "", 0, "bad prefix", st));
    CHECK_MSG(strstr(tfc_message(st), "is not a TensorFlow name scope") != NULL, "%s", tfc_message(st));
    tfc_graph_free(g);
    tfc_status_free(st);
}

/* Hostile values in attrs: each is one line naming the node and the attr, nothing allocated past
 * 1 GiB for a tensor the file spells in a few bytes. */
static void expect_attr_error(const char *op, Tensorflow__AttrValue *value, const char *want)
{
    Tensorflow__AttrValue dtype = TENSORFLOW__ATTR_VALUE__INIT;
    dtype.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TYPE;
    dtype.type = TENSORFLOW__DATA_TYPE__DT_FLOAT;
    Tensorflow__NodeDef__AttrEntry e1 = TENSORFLOW__NODE_DEF__ATTR_ENTRY__INIT, e2 = TENSORFLOW__NODE_DEF__ATTR_ENTRY__INIT;
    e1.key = "dtype";
    e1.value = &dtype;
    e2.key = "value";
    e2.value = value;
    Tensorflow__NodeDef__AttrEntry *entries[2] = {&e1, &e2};
    mini m;
    mini_init(&m);
    mini_add(&m, "c", op, NULL, NULL);
    m.nodes[0].n_attr = 2;
    m.nodes[0].attr = entries;
    expect_error(&m, want);
}

static void test_hostile_attrs(void)
{
    Tensorflow__TensorShapeProto__Dim d[9];
    Tensorflow__TensorShapeProto__Dim *dims[9];
    for (int i = 0; i < 9; i++) {
        tensorflow__tensor_shape_proto__dim__init(&d[i]);
        d[i].size = 2;
        dims[i] = &d[i];
    }
    Tensorflow__TensorShapeProto shape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    shape.dim = dims;
    Tensorflow__TensorProto t = TENSORFLOW__TENSOR_PROTO__INIT;
    t.dtype = TENSORFLOW__DATA_TYPE__DT_FLOAT;
    t.tensor_shape = &shape;
    float vals[3] = {1, 2, 3};
    Tensorflow__AttrValue v = TENSORFLOW__ATTR_VALUE__INIT;
    v.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TENSOR;
    v.tensor = &t;

    /* 16 GiB of float32 from one value: refused before anything is allocated */
    shape.n_dim = 2;
    d[0].size = (int64_t)1 << 30;
    d[1].size = 4;
    t.n_float_val = 1;
    t.float_val = vals;
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': a tensor larger than 1 GiB");
    d[0].size = (int64_t)1 << 62; /* more elements than an int64 counts */
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': a tensor larger than 1 GiB");
    d[0].size = 2;
    shape.n_dim = 1;
    t.n_float_val = 3;
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': more values than the shape holds");
    t.n_float_val = 0;
    t.tensor_content = (ProtobufCBinaryData){5, (uint8_t *)"abcde"};
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': tensor_content does not match the dtype and shape");
    t.tensor_content = (ProtobufCBinaryData){0, NULL};
    d[0].size = -5;
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': a dimension below -1");
    d[0].size = -1;
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': its shape is not fully known");
    d[0].size = 2;
    shape.n_dim = 9;
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': more dimensions than tfc handles (8)");
    shape.n_dim = 1;
    t.dtype = TENSORFLOW__DATA_TYPE__DT_VARIANT;
    expect_attr_error("Const", &v, "node 'c' (Const): attr 'value': a dtype tfc does not hold");

    /* lists: two kinds at once, too long, a kind tfc does not take; a function */
    Tensorflow__AttrValue__ListValue l = TENSORFLOW__ATTR_VALUE__LIST_VALUE__INIT;
    int64_t ints[1] = {1};
    ProtobufCBinaryData strs[1] = {{1, (uint8_t *)"a"}};
    l.n_i = 1;
    l.i = ints;
    l.n_s = 1;
    l.s = strs;
    v.value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST;
    v.list = &l;
    expect_attr_error("NoOp", &v, "node 'c' (NoOp): attr 'value': a list of several kinds of values");
    static int64_t many[TFC_MAX_OUTPUTS + 1];
    l.n_s = 0;
    l.n_i = TFC_MAX_OUTPUTS + 1;
    l.i = many;
    expect_attr_error("NoOp", &v, "node 'c' (NoOp): attr 'value': a list too long");
    l.n_i = 0;
    l.n_f = 1;
    l.f = vals;
    expect_attr_error("NoOp", &v, "node 'c' (NoOp): attr 'value': lists of floats, bools, shapes, tensors or functions are not supported");
    v.value_case = TENSORFLOW__ATTR_VALUE__VALUE_FUNC;
    v.func = (ProtobufCBinaryData){3, (uint8_t *)"\x0a\x01f"}; /* NameAttrList {name: "f"} */
    expect_attr_error("NoOp", &v, "node 'c' (NoOp): attr 'value': a function, placeholder or empty value");

    /* inputs naming an output past any op's, or a negative one */
    mini m;
    mini_init(&m);
    mini_add(&m, "x", "NoOp", NULL, NULL);
    mini_add(&m, "a", "Identity", "x:99999999999", NULL);
    expect_error(&m, "node 'a': input 0 (x:99999999999) is not a tensor of the graph");
    m.inputs[1][0] = "x:-1";
    expect_error(&m, "node 'a': input 0 (x:-1) is not a tensor of the graph");
}

/* Hostile MetaGraphs: the collections name what is not there, or hold what is not a VariableDef. */
static void expect_meta_error(Tensorflow__MetaGraphDef *mg, const char *want)
{
    size_t len = tensorflow__meta_graph_def__get_packed_size(mg);
    unsigned char *buf = malloc(len + 1);
    tensorflow__meta_graph_def__pack(mg, buf);
    tfc_status *st = tfc_status_new();
    tfc_graph *g = import_bytes(buf, len, true, NULL, st);
    CHECK_MSG(!g && strstr(tfc_message(st), want) && !strchr(tfc_message(st), '\n'), "want '%s', got '%s'", want,
              g ? "(imported)" : tfc_message(st));
    tfc_graph_free(g);
    tfc_status_free(st);
    free(buf);
}

static void test_hostile_meta_graphs(void)
{
    mini m;
    mini_init(&m);
    mini_add(&m, "x", "NoOp", NULL, NULL);
    Tensorflow__MetaGraphDef mg = TENSORFLOW__META_GRAPH_DEF__INIT;
    expect_meta_error(&mg, "a MetaGraphDef without a graph");
    mg.graph_def = &m.gd;
    char *names[1] = {"nowhere"};
    Tensorflow__CollectionDef__NodeList nl = TENSORFLOW__COLLECTION_DEF__NODE_LIST__INIT;
    nl.n_value = 1;
    nl.value = names;
    Tensorflow__CollectionDef c = TENSORFLOW__COLLECTION_DEF__INIT;
    c.kind_case = TENSORFLOW__COLLECTION_DEF__KIND_NODE_LIST;
    c.node_list = &nl;
    Tensorflow__MetaGraphDef__CollectionDefEntry e = TENSORFLOW__META_GRAPH_DEF__COLLECTION_DEF_ENTRY__INIT;
    Tensorflow__MetaGraphDef__CollectionDefEntry *entries[1] = {&e};
    e.key = "train_op";
    e.value = &c;
    mg.n_collection_def = 1;
    mg.collection_def = entries;
    expect_meta_error(&mg, "collection 'train_op': 'nowhere' is not in the graph");
    e.key = "a\tb";
    expect_meta_error(&mg, "a collection key is not a name");

    /* variables: bytes that are not a VariableDef, a VariableDef of a node that is no variable */
    ProtobufCBinaryData items[1] = {{3, (uint8_t *)"\xff\xff\xff"}};
    Tensorflow__CollectionDef__BytesList bl = TENSORFLOW__COLLECTION_DEF__BYTES_LIST__INIT;
    bl.n_value = 1;
    bl.value = items;
    c.kind_case = TENSORFLOW__COLLECTION_DEF__KIND_BYTES_LIST;
    c.bytes_list = &bl;
    e.key = "variables";
    expect_meta_error(&mg, "collection 'variables': an item is not a VariableDef");
    Tensorflow__VariableDef vd = TENSORFLOW__VARIABLE_DEF__INIT;
    vd.variable_name = "x:0";
    unsigned char vbuf[64];
    items[0] = (ProtobufCBinaryData){tensorflow__variable_def__pack(&vd, vbuf), vbuf};
    expect_meta_error(&mg, "collection 'variables': 'x:0' is not a variable of the graph");
}

/* A name a builder took as it is (a scope's full name, "a/") is in use for an import into that graph. */
static void test_verbatim_name_taken(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(2), "x");
    int v = tfc_node_begin(g, "Identity", "a/", &x, 1, 0);
    tfc_set_attr_type(g, v, "T", TFC_FLOAT);
    tfc_node_finish(g, v);
    CHECK_MSG(tfc_graph_ok(g) && tfc_graph_find(g, "a") >= 0, "%s", tfc_graph_error(g));
    mini m;
    mini_init(&m);
    mini_add(&m, "a", "NoOp", NULL, NULL);
    size_t len = tensorflow__graph_def__get_packed_size(&m.gd);
    unsigned char *buf = malloc(len);
    tensorflow__graph_def__pack(&m.gd, buf);
    tfc_status *st = tfc_status_new();
    CHECK(!tfc_graph_import(g, buf, len, NULL, st));
    CHECK_MSG(strstr(tfc_message(st), "node 'a': the graph has a node of that name already"), "%s", tfc_message(st));
    tfc_status_free(st);
    free(buf);
    tfc_graph_free(g);
}

/* Every prefix of a real GraphDef either imports or fails with one line: never a crash. */
static void test_truncations(tfc_status *st)
{
    tfc_model m;
    CHECK(tfc_model_build(&m, "deep", NULL, st));
    size_t len = 0;
    unsigned char *gd = tfc_graphdef_serialize(m.g, &len, st), *meta = tfc_meta_graph_serialize(m.g, &len, st);
    size_t glen = 0;
    free(gd);
    gd = tfc_graphdef_serialize(m.g, &glen, st);
    int failed = 0;
    for (size_t cut = 0; cut < glen; cut += 1 + cut / 64) {
        tfc_status *e = tfc_status_new();
        tfc_graph *g = tfc_graph_new();
        if (!tfc_graph_import(g, gd, cut, NULL, e)) {
            failed++;
            CHECK_MSG(*tfc_message(e) && !strchr(tfc_message(e), '\n'), "cut %zu", cut);
        }
        tfc_graph_free(g);
        tfc_status_free(e);
    }
    CHECK(failed > 0);
    for (size_t cut = 0; cut < len; cut += 1 + cut / 64) {
        tfc_status *e = tfc_status_new();
        tfc_graph *g = tfc_graph_new();
        if (!tfc_meta_graph_import(g, meta, cut, NULL, e)) CHECK_MSG(*tfc_message(e) && !strchr(tfc_message(e), '\n'), "cut %zu", cut);
        tfc_graph_free(g);
        tfc_status_free(e);
    }
    free(gd);
    free(meta);
    tfc_model_free(&m);
}

/* tfc_model_check_feeds: a placeholder read by data or control edges and not fed is named with what
 * reads it; a fed node ends the walk; the training step counts only when training. */
static void test_check_feeds(void)
{
    tfc_status *st = tfc_status_new();
    tfc_model m;
    memset(&m, 0, sizeof m);
    tfc_graph *g = m.g = tfc_graph_new();
    m.x = tfc_identity(g, tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 784), "raw"), "x");
    m.labels = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 10), "y");
    m.keep_prob = tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "keep");
    m.loss = m.summaries = m.training = TFC_NO_OUT;
    tfc_out is_training = tfc_placeholder(g, TFC_BOOL, TFC_SCALAR, "is_training");
    tfc_control_dependencies_push(g, &is_training, 1);
    m.accuracy = tfc_add(g, m.keep_prob, m.x, "accuracy"); /* x fed: not its input "raw" */
    tfc_control_dependencies_pop(g);
    m.train = tfc_identity(g, tfc_add(g, tfc_placeholder(g, TFC_FLOAT, TFC_SCALAR, "lr"), m.accuracy, "sum"), "train");
    CHECK(tfc_graph_check(g, st));
    CHECK(!tfc_model_check_feeds(&m, false, st) &&
          strcmp(tfc_message(st), "placeholder 'is_training' (bool []), which the accuracy reads, is not fed: name it "
                                  "with --training is_training:0 (fed true in training, false when evaluating)") == 0);
    m.training = is_training;
    tfc_status_clear(st);
    CHECK_MSG(tfc_model_check_feeds(&m, false, st), "%s", tfc_message(st));
    CHECK_MSG(!tfc_model_check_feeds(&m, true, st) &&
          strstr(tfc_message(st), "placeholder 'lr' (float32 []), which the training step reads, is not fed: the tools "
                                  "feed --input, --labels, --keep-prob (a float32 scalar) and --training (a bool scalar)"),
              "%s", tfc_message(st));
    tfc_feed feeds[4];
    CHECK(tfc_model_feeds(&m, NULL, NULL, NULL, NULL, feeds) == 4 && feeds[3].out.node == is_training.node);
    m.keep_prob = m.training = TFC_NO_OUT;
    CHECK(tfc_model_feeds(&m, NULL, NULL, NULL, NULL, feeds) == 2 && tfc_model_feeds(NULL, NULL, NULL, NULL, NULL, feeds) == 0);
    CHECK(!tfc_model_check_feeds(NULL, false, st));
    tfc_model_free(&m);
    tfc_status_free(st);
}

int main(void)
{
    tfc_status *st = tfc_status_new();
    test_seed_models(st);
    test_errors();
    test_hostile_attrs();
    test_hostile_meta_graphs();
    test_verbatim_name_taken();
    test_truncations(st);
    test_check_feeds();
    tfc_status_free(st);
    return check_result();
}
