/* The GraphDef of an engine graph, parsed back with protobuf-c: names with scopes, op types,
 * inputs ("x:1", "^ctl" last and sorted), devices, attrs mapped to AttrValue as TensorFlow writes
 * them (FORMATS.md §0, §2, §6), _output_shapes on every node, versions {producer 26}. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graph.pb-c.h"
#include "graphdef.h"
#include "ops.h"

static const Tensorflow__NodeDef *node(const Tensorflow__GraphDef *gd, const char *name)
{
    for (size_t i = 0; i < gd->n_node; i++)
        if (strcmp(gd->node[i]->name, name) == 0) return gd->node[i];
    fprintf(stderr, "no node %s\n", name);
    check_failures++;
    return NULL;
}

static const Tensorflow__AttrValue *attr(const Tensorflow__NodeDef *n, const char *key)
{
    for (size_t i = 0; n && i < n->n_attr; i++)
        if (strcmp(n->attr[i]->key, key) == 0) return n->attr[i]->value;
    return NULL;
}

static bool shape_is(const Tensorflow__TensorShapeProto *s, int rank, const int64_t *dims)
{
    if (!s || s->unknown_rank || (int)s->n_dim != rank) return false;
    for (int i = 0; i < rank; i++)
        if (s->dim[i]->size != dims[i]) return false;
    return true;
}

int main(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();

    tfc_scope_push(g, "input");
    tfc_out x = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 4), "x");
    tfc_out anything = tfc_placeholder(g, TFC_FLOAT, TFC_UNKNOWN_SHAPE, "anything");
    tfc_scope_pop(g);
    tfc_device_push(g, "/cpu:0");
    tfc_scope_push(g, "model");
    tfc_scope_push(g, "fc1");
    float wv[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    tfc_tensor *wt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(3, 4), wv);
    tfc_out w = tfc_const(g, wt, "weights");
    float bv[3] = {0.1f, 0.1f, 0.1f};
    tfc_tensor *bt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(3), bv);
    tfc_out b = tfc_const(g, bt, "biases");
    tfc_out y = tfc_matmul(g, x, w, false, true, NULL);
    tfc_out z = tfc_bias_add(g, y, b, NULL);
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    tfc_device_pop(g);
    tfc_out half = tfc_const_scalar(g, 0.5f, "half");
    tfc_out ctl[3] = {z, half, y};
    tfc_out grp = tfc_group(g, ctl, 3, "group");
    (void)anything;
    (void)grp;

    size_t len = 0;
    unsigned char *bytes = tfc_graphdef_serialize(g, &len, st);
    CHECK_MSG(bytes, "%s", tfc_message(st));
    Tensorflow__GraphDef *gd = bytes ? tensorflow__graph_def__unpack(NULL, len, bytes) : NULL;
    CHECK(gd != NULL);
    if (gd) {
        CHECK(gd->versions && gd->versions->producer == 26 && gd->versions->min_consumer == 0);
        CHECK((int)gd->n_node == tfc_graph_num_nodes(g));
        for (size_t i = 0; i < gd->n_node; i++) {
            const Tensorflow__AttrValue *os = attr(gd->node[i], "_output_shapes");
            CHECK_MSG(os && os->value_case == TENSORFLOW__ATTR_VALUE__VALUE_LIST &&
                          (int)os->list->n_shape == tfc_node_num_outputs(g, (int)i),
                      "%s", gd->node[i]->name);
            for (size_t k = 1; k < gd->node[i]->n_attr; k++) /* sorted, as TensorFlow's deterministic output */
                CHECK(strcmp(gd->node[i]->attr[k - 1]->key, gd->node[i]->attr[k]->key) < 0);
        }

        const Tensorflow__NodeDef *n = node(gd, "input/x");
        if (n) {
            CHECK(strcmp(n->op, "Placeholder") == 0 && n->n_input == 0 && strcmp(n->device, "") == 0);
            const Tensorflow__AttrValue *dt = attr(n, "dtype"), *sh = attr(n, "shape");
            const Tensorflow__AttrValue *os = attr(n, "_output_shapes");
            CHECK(dt && dt->value_case == TENSORFLOW__ATTR_VALUE__VALUE_TYPE);
            CHECK(dt && dt->type == TENSORFLOW__DATA_TYPE__DT_FLOAT);
            CHECK(sh && sh->value_case == TENSORFLOW__ATTR_VALUE__VALUE_SHAPE);
            CHECK(sh && shape_is(sh->shape, 2, (int64_t[]){-1, 4}));
            CHECK(os && os->list->n_shape == 1 && shape_is(os->list->shape[0], 2, (int64_t[]){-1, 4}));
        }
        n = node(gd, "input/anything");
        if (n) {
            const Tensorflow__AttrValue *sh = attr(n, "shape");
            CHECK(sh && sh->shape->unknown_rank && sh->shape->n_dim == 0);
        }
        n = node(gd, "model/fc1/weights");
        if (n) {
            const Tensorflow__AttrValue *v = attr(n, "value");
            CHECK(strcmp(n->op, "Const") == 0 && strcmp(n->device, "/cpu:0") == 0);
            CHECK(v && v->value_case == TENSORFLOW__ATTR_VALUE__VALUE_TENSOR);
            if (v) {
                CHECK(v->tensor->dtype == TENSORFLOW__DATA_TYPE__DT_FLOAT);
                CHECK(shape_is(v->tensor->tensor_shape, 2, (int64_t[]){3, 4}));
                CHECK(v->tensor->tensor_content.len == 48 && memcmp(v->tensor->tensor_content.data, wv, 48) == 0);
                CHECK(v->tensor->n_float_val == 0);
            }
        }
        n = node(gd, "model/fc1/biases"); /* all equal: one float_val fills the shape */
        if (n) {
            const Tensorflow__AttrValue *v = attr(n, "value");
            CHECK(v && v->tensor->tensor_content.len == 0 && v->tensor->n_float_val == 1);
            CHECK(v && v->tensor->n_float_val == 1 && v->tensor->float_val[0] == 0.1f);
        }
        n = node(gd, "half");
        if (n) {
            const Tensorflow__AttrValue *v = attr(n, "value");
            CHECK(v && shape_is(v->tensor->tensor_shape, 0, NULL) && v->tensor->n_float_val == 1);
        }
        n = node(gd, "model/fc1/MatMul");
        if (n) {
            CHECK(strcmp(n->op, "MatMul") == 0 && n->n_input == 2);
            if (n->n_input == 2)
                CHECK(strcmp(n->input[0], "input/x") == 0 && strcmp(n->input[1], "model/fc1/weights") == 0);
            const Tensorflow__AttrValue *ta = attr(n, "transpose_a"), *tb = attr(n, "transpose_b");
            CHECK(ta && ta->value_case == TENSORFLOW__ATTR_VALUE__VALUE_B && !ta->b);
            CHECK(tb && tb->value_case == TENSORFLOW__ATTR_VALUE__VALUE_B && tb->b);
            const Tensorflow__AttrValue *os = attr(n, "_output_shapes");
            CHECK(os && shape_is(os->list->shape[0], 2, (int64_t[]){-1, 3}));
            CHECK(strcmp(n->device, "/cpu:0") == 0);
        }
        n = node(gd, "model/fc1/BiasAdd");
        if (n) {
            const Tensorflow__AttrValue *df = attr(n, "data_format");
            CHECK(df && df->value_case == TENSORFLOW__ATTR_VALUE__VALUE_S);
            CHECK(df && df->s.len == 4 && memcmp(df->s.data, "NHWC", 4) == 0);
        }
        n = node(gd, "group");
        if (n) {
            CHECK(strcmp(n->op, "NoOp") == 0 && n->n_input == 3);
            if (n->n_input == 3) /* control inputs sorted by name */
                CHECK(strcmp(n->input[0], "^half") == 0 && strcmp(n->input[1], "^model/fc1/BiasAdd") == 0 &&
                      strcmp(n->input[2], "^model/fc1/MatMul") == 0);
            const Tensorflow__AttrValue *os = attr(n, "_output_shapes");
            CHECK(os && os->list->n_shape == 0);
        }
        tensorflow__graph_def__free_unpacked(gd, NULL);
    }
    free(bytes);

    /* A graph with a build error is refused with that error. */
    tfc_out bad = tfc_matmul(g, w, w, false, false, "bad");
    (void)bad;
    CHECK(!tfc_graphdef_serialize(g, &len, st) && !tfc_ok(st));
    CHECK(strstr(tfc_message(st), "bad"));

    tfc_tensor_free(wt);
    tfc_tensor_free(bt);
    tfc_graph_free(g);
    tfc_status_free(st);
    return check_result();
}
