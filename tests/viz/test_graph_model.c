/* Unit tests of viz/graph_model.c and viz/graph_aux.c: GraphDef parsing, the name-scope tree,
 * shapes, inputs, the auxiliary marks, and what corrupt GraphDefs give. */
#include <string.h>

#include "check.h"
#include "graph_aux.h"
#include "graph_model.h"
#include "test_graph_fixture.h"

static tfc_gdraw_model *parse(const gf_graph *g, tfc_status *st)
{
    size_t len;
    uint8_t *buf = gf_pack(g, &len);
    tfc_gdraw_model *m = tfc_gdraw_model_parse(buf, len, "test.pb", st);
    free(buf);
    return m;
}

static const tfc_gdraw_op *op(const tfc_gdraw_model *m, const char *name)
{
    int i = tfc_gdraw_model_find_op(m, name);
    CHECK_MSG(i >= 0, "no op %s", name);
    return i >= 0 ? &m->ops[i] : &m->ops[0];
}

static const tfc_gdraw_scope *scope(const tfc_gdraw_model *m, const char *path)
{
    int s = tfc_gdraw_model_find_scope(m, path);
    CHECK_MSG(s >= 0, "no scope %s", path);
    return s >= 0 ? &m->scopes[s] : &m->scopes[0];
}

/* True when scope s's path is want. */
static bool path_is(const tfc_gdraw_model *m, int s, const char *want)
{
    char *p = tfc_gdraw_scope_path(m, s);
    bool same = p && !strcmp(p, want);
    free(p);
    return same;
}

static void test_scope_tree(void)
{
    gf_graph g;
    gf_small_model(&g);
    tfc_status *st = tfc_status_new();
    tfc_gdraw_model *m = parse(&g, st);
    CHECK_MSG(m, "%s", tfc_message(st));
    if (!m) return;
    CHECK(m->nops == 21);
    CHECK(m->nunresolved == 0);
    /* Every proper prefix of a name is a scope: input, model, model/fc1, model/fc1/W,
     * model/fc1/dropout, train, gradients (+3), GradientDescent (+3), save, save/SaveV2, Loss. */
    CHECK(m->nscopes == 1 + 17);
    CHECK(path_is(m, 0, "") && m->scopes[0].parent == -1);
    const tfc_gdraw_scope *fc1 = scope(m, "model/fc1");
    CHECK(!strcmp(fc1->name, "fc1") && fc1->depth == 2);
    CHECK(path_is(m, fc1->parent, "model"));
    CHECK(tfc_gdraw_model_find_scope(m, "model/fc1/") == tfc_gdraw_model_find_scope(m, "model/fc1"));
    CHECK(tfc_gdraw_model_find_scope(m, "model/fc") < 0);
    CHECK(tfc_gdraw_model_find_scope(m, "model/logits") < 0); /* an op, not a scope */
    /* Children sorted by name; the root's are the top-level scopes. */
    const tfc_gdraw_scope *root = &m->scopes[0];
    const char *top[] = {"GradientDescent", "Loss", "gradients", "input", "model", "save", "train"};
    CHECK(root->nchildren == 7);
    for (size_t i = 0; i < root->nchildren && i < 7; i++)
        CHECK_MSG(path_is(m, root->children[i], top[i]), "child %zu is %s", i,
                  m->scopes[root->children[i]].name);
    /* An op named like a scope lives in it, as TensorBoard draws it. */
    int w = tfc_gdraw_model_find_op(m, "model/fc1/W");
    const tfc_gdraw_scope *ws = scope(m, "model/fc1/W");
    CHECK(ws->op == w && m->ops[w].scope == tfc_gdraw_model_find_scope(m, "model/fc1/W"));
    CHECK(op(m, "model/fc1/MatMul")->scope == tfc_gdraw_model_find_scope(m, "model/fc1"));
    CHECK(op(m, "init")->scope == 0);
    CHECK(tfc_gdraw_scope_within(m, tfc_gdraw_model_find_scope(m, "model/fc1/W"),
                                 tfc_gdraw_model_find_scope(m, "model")));
    CHECK(!tfc_gdraw_scope_within(m, tfc_gdraw_model_find_scope(m, "model"),
                                  tfc_gdraw_model_find_scope(m, "model/fc1")));
    /* Op counts include the scope's own op and everything below. */
    CHECK(scope(m, "model")->nops == 7 && scope(m, "model/fc1/W")->nops == 4);
    CHECK(root->nops == 21);
    tfc_gdraw_model_free(m);
    tfc_status_free(st);
}

static void test_inputs_shapes_kinds(void)
{
    gf_graph g;
    gf_small_model(&g);
    static const int64_t odd[] = {3, -1, 5};
    gf_node_shaped(&g, "odd", "Identity", GF_IN("input/x:0", "^train/loss", "missing:2"), 3, odd);
    gf_node_shaped(&g, "unknown", "Identity", GF_IN("odd"), GF_UNKNOWN_RANK, NULL);
    tfc_gdraw_model *m = parse(&g, NULL);
    CHECK(m);
    if (!m) return;
    const tfc_gdraw_op *o = op(m, "odd");
    CHECK(o->ninputs == 2 && m->nunresolved == 1);
    CHECK(o->inputs[0].src == tfc_gdraw_model_find_op(m, "input/x") && o->inputs[0].src_output == 0);
    CHECK(o->inputs[1].src == tfc_gdraw_model_find_op(m, "train/loss") && o->inputs[1].src_output == -1);
    CHECK(o->nshapes == 1 && !strcmp(o->shapes[0], "3x?x5"));
    CHECK(!strcmp(op(m, "input/x")->shapes[0], "?x784"));
    CHECK(!strcmp(op(m, "train/loss")->shapes[0], "scalar"));
    CHECK(op(m, "unknown")->nshapes == 1 && op(m, "unknown")->shapes[0] == NULL);
    CHECK(op(m, "init")->nshapes == 0);
    CHECK(op(m, "model/fc1/W")->kind == TFC_GDRAW_VARIABLE);
    CHECK(op(m, "input/x")->kind == TFC_GDRAW_PLACEHOLDER);
    CHECK(op(m, "save/Const")->kind == TFC_GDRAW_CONSTANT);
    CHECK(op(m, "model/fc1/MatMul")->kind == TFC_GDRAW_OP);
    CHECK(!strcmp(op(m, "model/fc1/MatMul")->op, "MatMul"));
    tfc_gdraw_model_free(m);
}

static void test_aux_marks(void)
{
    gf_graph g;
    gf_small_model(&g);
    /* A user scope called save without a Saver op stays; an accuracy only a summary reads stays. */
    gf_node(&g, "eval/save/x", "Identity", GF_IN("model/logits"));
    gf_node(&g, "eval/acc", "Mean", GF_IN("model/logits"));
    gf_node(&g, "Acc", "ScalarSummary", GF_IN("Loss/tags", "eval/acc"));
    gf_node(&g, "layer/kernel/Initializer/random_uniform/shape", "Const", GF_NONE);
    gf_node(&g, "report_uninitialized_variables/IsVariableInitialized", "IsVariableInitialized",
            GF_IN("model/fc1/W"));
    tfc_gdraw_model *m = parse(&g, NULL);
    CHECK(m);
    if (!m) return;
    struct {
        const char *name;
        tfc_gdraw_aux aux;
    } want[] = {
        {"model/fc1/W/Assign", TFC_GDRAW_AUX_INIT},
        {"model/fc1/W/initial_value", TFC_GDRAW_AUX_INIT}, /* feeds only the Assign */
        {"init", TFC_GDRAW_AUX_INIT},
        {"layer/kernel/Initializer/random_uniform/shape", TFC_GDRAW_AUX_INIT},
        {"report_uninitialized_variables/IsVariableInitialized", TFC_GDRAW_AUX_INIT},
        {"save/Const", TFC_GDRAW_AUX_SAVE},
        {"save/SaveV2", TFC_GDRAW_AUX_SAVE},
        {"Loss", TFC_GDRAW_AUX_SUMMARY},
        {"Loss/tags", TFC_GDRAW_AUX_SUMMARY}, /* a tag constant: only summaries read it */
        {"Acc", TFC_GDRAW_AUX_SUMMARY},
        {"eval/acc", TFC_GDRAW_MAIN},
        {"eval/save/x", TFC_GDRAW_MAIN},
        {"train/loss", TFC_GDRAW_MAIN},
        {"model/fc1/W", TFC_GDRAW_MAIN}, /* variables are never aside */
        {"model/fc1/W/read", TFC_GDRAW_MAIN},
        {"GradientDescent", TFC_GDRAW_MAIN},
        {"GradientDescent/learning_rate", TFC_GDRAW_MAIN},
        {"input/x", TFC_GDRAW_MAIN},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        CHECK_MSG(op(m, want[i].name)->aux == want[i].aux, "%s is %d, want %d", want[i].name,
                  op(m, want[i].name)->aux, want[i].aux);
    CHECK(scope(m, "model")->nmain == 5);
    CHECK(scope(m, "save")->nmain == 0 && scope(m, "save")->nops == 3);
    char *line = tfc_gdraw_aux_describe(m, TFC_GDRAW_AUX_SUMMARY);
    CHECK_MSG(line && !strcmp(line, "summaries (3 ops): Loss, Acc"), "%s", line ? line : "NULL");
    free(line);
    line = tfc_gdraw_aux_describe(m, TFC_GDRAW_AUX_SAVE);
    CHECK_MSG(line && !strcmp(line, "save/restore (3 ops): save/"), "%s", line ? line : "NULL");
    free(line);
    line = tfc_gdraw_aux_describe(m, TFC_GDRAW_AUX_INIT);
    CHECK_MSG(line && !strcmp(line, "initialisers (5 ops): init; initial values of 1 variable"),
              "%s", line ? line : "NULL");
    free(line);
    tfc_gdraw_model_free(m);
}

/* Resource variables (TF2's compat.v1 default): the Saver reads them through ReadVariableOp
 * ops that then belong to the Saver. */
static void test_resource_variables(void)
{
    gf_graph g;
    gf_init(&g);
    gf_node(&g, "v", "VarHandleOp", GF_NONE);
    gf_node(&g, "v/Initializer/zeros", "Const", GF_NONE);
    gf_node(&g, "v/Assign", "AssignVariableOp", GF_IN("v", "v/Initializer/zeros"));
    gf_node(&g, "v/IsInitialized/VarIsInitializedOp", "VarIsInitializedOp", GF_IN("v"));
    gf_node(&g, "v/Read/ReadVariableOp", "ReadVariableOp", GF_IN("v"));
    gf_node(&g, "use/ReadVariableOp", "ReadVariableOp", GF_IN("v"));
    gf_node(&g, "use", "Square", GF_IN("use/ReadVariableOp"));
    gf_node(&g, "save_1/Const", "Const", GF_NONE);
    gf_node(&g, "save_1/SaveV2", "SaveV2", GF_IN("save_1/Const", "v/Read/ReadVariableOp"));
    tfc_gdraw_model *m = parse(&g, NULL);
    CHECK(m);
    if (!m) return;
    CHECK(op(m, "v")->kind == TFC_GDRAW_VARIABLE && op(m, "v")->aux == TFC_GDRAW_MAIN);
    CHECK(op(m, "v/Assign")->aux == TFC_GDRAW_AUX_INIT);
    CHECK(op(m, "v/Initializer/zeros")->aux == TFC_GDRAW_AUX_INIT);
    CHECK(op(m, "v/IsInitialized/VarIsInitializedOp")->aux == TFC_GDRAW_AUX_INIT);
    CHECK(op(m, "v/Read/ReadVariableOp")->aux == TFC_GDRAW_AUX_SAVE);
    CHECK(op(m, "save_1/SaveV2")->aux == TFC_GDRAW_AUX_SAVE);
    CHECK(op(m, "use/ReadVariableOp")->aux == TFC_GDRAW_MAIN);
    CHECK(scope(m, "v")->nmain == 1);
    tfc_gdraw_model_free(m);
}

static void test_bad_graphdefs(void)
{
    tfc_status *st = tfc_status_new();
    const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01};
    CHECK(!tfc_gdraw_model_parse(junk, sizeof junk, "junk.pb", st));
    CHECK(tfc_status_code(st) == TFC_DATA_LOSS);
    CHECK_MSG(strstr(tfc_message(st), "junk.pb") && strstr(tfc_message(st), "GraphDef"), "%s",
              tfc_message(st));

    tfc_status_clear(st);
    CHECK(!tfc_gdraw_model_parse(junk, 0, "empty.pb", st));
    CHECK_MSG(strstr(tfc_message(st), "no nodes"), "%s", tfc_message(st));

    gf_graph g;
    gf_init(&g);
    gf_node(&g, "a", "NoOp", GF_NONE);
    gf_node(&g, "a", "NoOp", GF_NONE);
    tfc_status_clear(st);
    CHECK(!parse(&g, st));
    CHECK_MSG(strstr(tfc_message(st), "two nodes are named 'a'"), "%s", tfc_message(st));

    gf_init(&g);
    gf_node(&g, "a//b", "NoOp", GF_NONE);
    tfc_status_clear(st);
    CHECK(!parse(&g, st));
    CHECK_MSG(strstr(tfc_message(st), "invalid name 'a//b'"), "%s", tfc_message(st));
    tfc_status_free(st);
}

static void test_name_is(void)
{
    CHECK(tfc_gdraw_name_is("save", "save"));
    CHECK(tfc_gdraw_name_is("save_12", "save"));
    CHECK(!tfc_gdraw_name_is("save_", "save"));
    CHECK(!tfc_gdraw_name_is("save_x", "save"));
    CHECK(!tfc_gdraw_name_is("saver", "save"));
    CHECK(!tfc_gdraw_name_is("sav", "save"));
}

int main(void)
{
    test_scope_tree();
    test_inputs_shapes_kinds();
    test_aux_marks();
    test_resource_variables();
    test_bad_graphdefs();
    test_name_is();
    return check_result();
}
