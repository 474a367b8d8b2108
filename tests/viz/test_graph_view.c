/* Unit tests of viz/graph_view.c: which scopes are open or collapsed at a depth and with
 * --expand, the items and merged edges drawn, the own-op rule, TensorBoard's high-degree
 * extraction and the side note, and the --expand errors. */
#include <string.h>

#include "check.h"
#include "graph_view.h"
#include "test_graph_fixture.h"

static tfc_gdraw_model *parse(const gf_graph *g)
{
    size_t len;
    uint8_t *buf = gf_pack(g, &len);
    tfc_status *st = tfc_status_new();
    tfc_gdraw_model *m = tfc_gdraw_model_parse(buf, len, "test.pb", st);
    CHECK_MSG(m, "%s", tfc_message(st));
    tfc_status_free(st);
    free(buf);
    return m;
}

static tfc_gdraw_view *view(const tfc_gdraw_model *m, int depth, const char *const *expand,
                            size_t nexpand, bool all)
{
    tfc_gdraw_options o = {.depth = depth, .expand = expand, .nexpand = nexpand, .all = all};
    tfc_status *st = tfc_status_new();
    tfc_gdraw_view *v = tfc_gdraw_view_build(m, &o, st);
    CHECK_MSG(v, "%s", tfc_message(st));
    tfc_status_free(st);
    return v;
}

/* The item drawn for this op or scope name ("model/" style names are scopes), or -1. */
static int item(const tfc_gdraw_model *m, const tfc_gdraw_view *v, const char *name)
{
    size_t n = strlen(name);
    bool is_scope = n && name[n - 1] == '/';
    for (size_t k = 0; k < v->nitems; k++) {
        const tfc_gdraw_item *it = &v->items[k];
        if (is_scope != (it->scope >= 0)) continue;
        char *iname = tfc_gdraw_item_name(m, v, it);
        bool hit = iname && strlen(iname) == n - is_scope && !strncmp(iname, name, n - is_scope);
        free(iname);
        if (hit) return (int)k;
    }
    return -1;
}

static const tfc_gdraw_edge *edge(const tfc_gdraw_model *m, const tfc_gdraw_view *v,
                                  const char *from, const char *to)
{
    int a = item(m, v, from), b = item(m, v, to);
    for (size_t i = 0; i < v->nedges; i++)
        if (v->edges[i].from == a && v->edges[i].to == b) return &v->edges[i];
    CHECK_MSG(0, "no edge %s -> %s", from, to);
    static const tfc_gdraw_edge none = {.from = -1, .to = -1, .src_op = -1, .nbundled = 1};
    return &none;
}

static size_t nclusters(const tfc_gdraw_model *m, const tfc_gdraw_view *v)
{
    size_t n = 0;
    for (size_t s = 0; s < m->nscopes; s++) n += v->cluster[s];
    return n;
}

static bool cluster(const tfc_gdraw_model *m, const tfc_gdraw_view *v, const char *path)
{
    int s = tfc_gdraw_model_find_scope(m, path);
    return s > 0 && v->cluster[s];
}

static void test_depth_one(const tfc_gdraw_model *m)
{
    tfc_gdraw_view *v = view(m, 1, NULL, 0, false);
    if (!v) return;
    /* input(2) model(5) train(1) gradients(2) GradientDescent(3); save/, Loss/ and init are
     * auxiliary. */
    CHECK(v->nitems == 5 && v->ndrawn == 5);
    CHECK(nclusters(m, v) == 0);
    const char *scopes[] = {"input/", "model/", "train/", "gradients/", "GradientDescent/"};
    const size_t nops[] = {2, 5, 1, 2, 3};
    for (size_t i = 0; i < 5; i++) {
        int k = item(m, v, scopes[i]);
        CHECK_MSG(k >= 0 && v->items[k].nops == nops[i] && v->items[k].parent == 0, "%s",
                  scopes[i]);
    }
    CHECK(item(m, v, "save/") < 0 && item(m, v, "init") < 0 && item(m, v, "Loss") < 0);
    CHECK(v->nedges == 6);
    const tfc_gdraw_edge *e = edge(m, v, "input/", "model/");
    CHECK(e->ntensors == 2 && e->ncontrol == 0);
    e = edge(m, v, "model/", "train/");
    CHECK(e->ntensors == 1 && e->src_op == tfc_gdraw_model_find_op(m, "model/logits") &&
          e->src_output == 0);
    CHECK(edge(m, v, "train/", "gradients/")->ntensors == 1);
    CHECK(edge(m, v, "input/", "gradients/")->ntensors == 1);
    e = edge(m, v, "model/", "GradientDescent/");
    CHECK(e->ntensors == 1 && e->nupdates == 1);
    CHECK(edge(m, v, "gradients/", "GradientDescent/")->ntensors == 1);
    CHECK(v->naside_ops == 8);
    CHECK(v->nnote == 3);
    if (v->nnote == 3) {
        CHECK_MSG(!strcmp(v->note[0], "initialisers (3 ops): init; initial values of 1 variable"),
                  "%s", v->note[0]);
        CHECK_MSG(!strcmp(v->note[1], "save/restore (3 ops): save/"), "%s", v->note[1]);
        CHECK_MSG(!strcmp(v->note[2], "summaries (2 ops): Loss"), "%s", v->note[2]);
    }
    tfc_gdraw_view_free(v);
}

static void test_depth_two(const tfc_gdraw_model *m)
{
    tfc_gdraw_view *v = view(m, 2, NULL, 0, false);
    if (!v) return;
    /* gradients/ and GradientDescent/ stay collapsed at any depth. */
    CHECK(v->nitems == 7);
    CHECK(item(m, v, "model/fc1/") >= 0 && item(m, v, "gradients/") >= 0 &&
          item(m, v, "GradientDescent/") >= 0);
    CHECK(item(m, v, "input/x") >= 0 && item(m, v, "input/keep_prob") >= 0 &&
          item(m, v, "model/logits") >= 0 && item(m, v, "train/loss") >= 0);
    CHECK(nclusters(m, v) == 3 && cluster(m, v, "input") && cluster(m, v, "model") &&
          cluster(m, v, "train"));
    int fc1 = item(m, v, "model/fc1/");
    CHECK(fc1 >= 0 && v->items[fc1].nops == 4 &&
          v->items[fc1].parent == tfc_gdraw_model_find_scope(m, "model"));
    CHECK(v->nedges == 8);
    CHECK(edge(m, v, "input/x", "model/fc1/")->ntensors == 1);
    CHECK(edge(m, v, "input/keep_prob", "model/fc1/")->ntensors == 1);
    CHECK(edge(m, v, "model/fc1/", "GradientDescent/")->ntensors == 1);
    tfc_gdraw_view_free(v);
}

static void test_expand(const tfc_gdraw_model *m)
{
    const char *expand[] = {"gradients/model/fc1"};
    tfc_gdraw_view *v = view(m, 1, expand, 1, false);
    if (!v) return;
    /* Its ancestors open too; what it holds is collapsed (depth 1). */
    CHECK(cluster(m, v, "gradients") && cluster(m, v, "gradients/model") &&
          cluster(m, v, "gradients/model/fc1") && nclusters(m, v) == 3);
    CHECK(item(m, v, "gradients/") < 0 && item(m, v, "gradients/grad") >= 0);
    CHECK(item(m, v, "gradients/model/fc1/MatMul_grad/") >= 0);
    CHECK(v->nitems == 6);
    CHECK(edge(m, v, "gradients/grad", "gradients/model/fc1/MatMul_grad/")->ntensors == 1);
    CHECK(edge(m, v, "input/", "gradients/model/fc1/MatMul_grad/")->ntensors == 1);
    tfc_gdraw_view_free(v);

    tfc_status *st = tfc_status_new();
    const char *bad[] = {"fc1"};
    tfc_gdraw_options o = {.depth = 1, .expand = bad, .nexpand = 1};
    CHECK(!tfc_gdraw_view_build(m, &o, st));
    CHECK(tfc_status_code(st) == TFC_NOT_FOUND);
    CHECK_MSG(strstr(tfc_message(st), "unknown scope 'fc1' in --expand (known: model/fc1, "
                                      "GradientDescent/update_model/fc1, gradients/model/fc1, "),
              "%s", tfc_message(st));
    const char *an_op[] = {"model/logits"};
    o.expand = an_op;
    tfc_status_clear(st);
    CHECK(!tfc_gdraw_view_build(m, &o, st));
    CHECK_MSG(strstr(tfc_message(st), "'model/logits' names an op, not a name scope"), "%s",
              tfc_message(st));
    tfc_status_free(st);
}

static void test_all_and_everything(const tfc_gdraw_model *m)
{
    tfc_gdraw_view *v = view(m, 1, NULL, 0, true);
    if (!v) return;
    /* With --all, the auxiliary ops are drawn where they are. */
    CHECK(v->nitems == 8 && v->naside_ops == 0 && v->nnote == 0);
    CHECK(item(m, v, "save/") >= 0 && item(m, v, "Loss") < 0 && item(m, v, "Loss/") >= 0);
    CHECK(item(m, v, "init") >= 0 && v->items[item(m, v, "init")].parent == 0);
    const tfc_gdraw_edge *e = edge(m, v, "model/", "init");
    CHECK(e->ntensors == 0 && e->ncontrol == 1);
    CHECK(edge(m, v, "model/", "save/")->ntensors == 1);
    CHECK(edge(m, v, "train/", "Loss/")->ntensors == 1);
    CHECK(item(m, v, "model/")  >= 0 && v->items[item(m, v, "model/")].nops == 7);
    tfc_gdraw_view_free(v);

    v = view(m, 0, NULL, 0, false);
    if (!v) return;
    /* Depth 0 opens every scope but gradients/, GradientDescent/ and a variable's. */
    CHECK(v->nitems == 9 && nclusters(m, v) == 5);
    CHECK(cluster(m, v, "model/fc1/dropout") && !cluster(m, v, "model/fc1/W"));
    CHECK(item(m, v, "gradients/") >= 0 && item(m, v, "GradientDescent/") >= 0);
    CHECK(item(m, v, "model/fc1/W/") >= 0 && v->items[item(m, v, "model/fc1/W/")].nops == 2);
    tfc_gdraw_view_free(v);

    const char *expand[] = {"gradients", "GradientDescent"};
    v = view(m, 0, expand, 2, false);
    if (!v) return;
    /* Named, they open with everything in them: one item per main op but W and W/read. */
    CHECK(v->nitems == 12 && v->ndrawn == 12);
    CHECK(cluster(m, v, "gradients/model/fc1/MatMul_grad") && !cluster(m, v, "model/fc1/W"));
    CHECK(cluster(m, v, "GradientDescent/update_model/fc1/W"));
    const tfc_gdraw_edge *u =
        edge(m, v, "model/fc1/W/", "GradientDescent/update_model/fc1/W/ApplyGradientDescent");
    CHECK(u->ntensors == 1 && u->nupdates == 1);
    CHECK(edge(m, v, "model/fc1/W/", "model/fc1/MatMul")->nupdates == 0);
    int gd = item(m, v, "GradientDescent");
    CHECK(gd >= 0 && v->items[gd].parent == tfc_gdraw_model_find_scope(m, "GradientDescent"));
    const tfc_gdraw_edge *c =
        edge(m, v, "GradientDescent/update_model/fc1/W/ApplyGradientDescent", "GradientDescent");
    CHECK(c->ntensors == 0 && c->ncontrol == 1);
    tfc_gdraw_view_free(v);
}

/* A variable whose Assign and initial value are aside is drawn as the variable itself, not as
 * a one-op scope. */
static void test_own_op(void)
{
    gf_graph g;
    gf_init(&g);
    gf_node(&g, "global_step/initial_value", "Const", GF_NONE);
    gf_node(&g, "global_step", "VariableV2", GF_NONE);
    gf_node(&g, "global_step/Assign", "Assign", GF_IN("global_step", "global_step/initial_value"));
    gf_node(&g, "train/step", "AssignAdd", GF_IN("global_step"));
    gf_node(&g, "train/read_step", "Identity", GF_IN("global_step"));
    tfc_gdraw_model *m = parse(&g);
    if (!m) return;
    /* The same tensor updated and read in train/: not an update-only edge. */
    tfc_gdraw_view *v1 = view(m, 1, NULL, 0, false);
    if (v1) {
        const tfc_gdraw_edge *e = edge(m, v1, "global_step", "train/");
        CHECK(e->ntensors == 1 && e->nupdates == 0);
        tfc_gdraw_view_free(v1);
    }
    for (int depth = 0; depth <= 2; depth++) {
        tfc_gdraw_view *v = view(m, depth, NULL, 0, false);
        if (!v) continue;
        int k = item(m, v, "global_step");
        CHECK_MSG(k >= 0 && v->items[k].parent == 0, "depth %d", depth);
        CHECK(item(m, v, "global_step/") < 0 && !cluster(m, v, "global_step"));
        tfc_gdraw_view_free(v);
    }
    tfc_gdraw_view *v = view(m, 1, NULL, 0, true);
    if (v) {
        CHECK(item(m, v, "global_step/") >= 0 && v->items[item(m, v, "global_step/")].nops == 3);
        tfc_gdraw_view_free(v);
    }
    const char *expand[] = {"global_step"};
    v = view(m, 0, expand, 1, true);
    if (v) {
        CHECK(cluster(m, v, "global_step") && item(m, v, "global_step/Assign") >= 0);
        tfc_gdraw_view_free(v);
    }
    tfc_gdraw_model_free(m);
}

/* A step counter read by 19 ops out of 20: TensorBoard moves it aside (out-degree 19 over the
 * bound max(Q3 + 4 (Q3 - Q1), 4) = 4). With 14 ops it stays (fewer than 15 nodes). */
static void test_high_degree(void)
{
    static char names[20][16];
    for (int nops = 20; nops >= 15; nops -= 5) {
        gf_graph g;
        gf_init(&g);
        gf_node(&g, "step", "Const", GF_NONE);
        for (int i = 0; i < nops - 1; i++) {
            snprintf(names[i], sizeof names[i], "a%d", i);
            if (i == 0)
                gf_node(&g, names[i], "Identity", GF_IN("step"));
            else
                gf_node(&g, names[i], "Add", GF_IN(names[i - 1], "step"));
        }
        tfc_gdraw_model *m = parse(&g);
        if (!m) return;
        tfc_gdraw_view *v = view(m, 1, NULL, 0, false);
        if (v) {
            int k = item(m, v, "step");
            CHECK(k >= 0 && v->items[k].aside);
            CHECK(v->ndrawn == (size_t)nops - 1 && v->naside_ops == 1);
            CHECK(v->nedges == (size_t)nops - 2); /* the chain only */
            CHECK(v->nnote == 1);
            if (v->nnote == 1) {
                char want[64];
                snprintf(want, sizeof want, "high degree: step (feeds %d)", nops - 1);
                CHECK_MSG(!strcmp(v->note[0], want), "%s", v->note[0]);
            }
            tfc_gdraw_view_free(v);
        }
        v = view(m, 1, NULL, 0, true);
        if (v) {
            CHECK(!v->items[item(m, v, "step")].aside && v->ndrawn == (size_t)nops);
            tfc_gdraw_view_free(v);
        }
        tfc_gdraw_model_free(m);
    }
    gf_graph g;
    gf_init(&g);
    gf_node(&g, "step", "Const", GF_NONE);
    for (int i = 0; i < 13; i++) {
        snprintf(names[i], sizeof names[i], "a%d", i);
        gf_node(&g, names[i], "Identity", GF_IN("step"));
    }
    tfc_gdraw_model *m = parse(&g);
    if (!m) return;
    tfc_gdraw_view *v = view(m, 1, NULL, 0, false);
    if (v) {
        CHECK(v->ndrawn == 14 && v->nedges == 13 && v->nnote == 0);
        tfc_gdraw_view_free(v);
    }
    tfc_gdraw_model_free(m);
}

/* Edges between an open scope and one node outside it: more than four become one edge from
 * (to) the scope's box, as TensorBoard bundles bridge paths; up to four stay apart. */
static void test_bridges(void)
{
    static char names[6][16];
    for (int n = 6; n >= 4; n -= 2) {
        gf_graph g;
        gf_init(&g);
        gf_node(&g, "x", "Placeholder", GF_NONE);
        const char *ins[7] = {0};
        for (int i = 0; i < n; i++) {
            snprintf(names[i], sizeof names[i], "deep/a%d", i);
            gf_node(&g, names[i], "Identity", GF_IN("x"));
            ins[i] = names[i];
        }
        gf_node(&g, "sink", "AddN", ins);
        tfc_gdraw_model *m = parse(&g);
        if (!m) return;
        tfc_gdraw_view *v = view(m, 2, NULL, 0, false);
        if (v) {
            CHECK(v->nitems == (size_t)n + 2 && cluster(m, v, "deep"));
            if (n == 6) {
                CHECK(v->nedges == 2);
                const tfc_gdraw_edge *in = edge(m, v, "x", "deep/a0");
                CHECK(in->to_scope == tfc_gdraw_model_find_scope(m, "deep") && in->from_scope == 0);
                CHECK(in->nbundled == 6 && in->ntensors == 6);
                const tfc_gdraw_edge *out = edge(m, v, "deep/a5", "sink");
                CHECK(out->from_scope == tfc_gdraw_model_find_scope(m, "deep") && out->to_scope == 0);
                CHECK(out->nbundled == 6 && out->ntensors == 6);
            } else {
                CHECK(v->nedges == 8);
                for (size_t i = 0; i < v->nedges; i++)
                    CHECK(v->edges[i].nbundled == 1 && !v->edges[i].from_scope && !v->edges[i].to_scope);
            }
            tfc_gdraw_view_free(v);
        }
        tfc_gdraw_model_free(m);
    }
}

static tfc_gdraw_view *view_with(const tfc_gdraw_model *m, tfc_gdraw_options o)
{
    tfc_status *st = tfc_status_new();
    tfc_gdraw_view *v = tfc_gdraw_view_build(m, &o, st);
    CHECK_MSG(v, "%s", tfc_message(st));
    tfc_status_free(st);
    return v;
}

static bool simplified(const tfc_gdraw_view *v, const char *what)
{
    for (size_t i = 0; i < v->nsimplified; i++)
        if (strstr(v->simplified[i], what)) return true;
    return false;
}

/* The layout budget: a chain of 30 layer scopes whose every layer feeds gradients/ and whose
 * variables the optimizer updates (the long edges of a real training graph). Within budget
 * nothing changes; past it gradients/ and the optimizer go aside (with a line saying so), then
 * the longest edges are left out until the estimate is within budget. */
static void test_budget(void)
{
    static char names[3][30][40];
    gf_graph g;
    gf_init(&g);
    gf_node(&g, "x", "Placeholder", GF_NONE);
    for (int i = 0; i < 30; i++) {
        snprintf(names[0][i], sizeof names[0][i], "layer%02d/w", i);
        snprintf(names[1][i], sizeof names[1][i], "layer%02d/out", i);
        snprintf(names[2][i], sizeof names[2][i], "Opt/update_layer%02d/w/ApplyAdam", i);
        gf_node(&g, names[0][i], "VariableV2", GF_NONE);
        gf_node(&g, names[1][i], "MatMul", GF_IN(i ? names[1][i - 1] : "x", names[0][i]));
    }
    const char *grad_in[25] = {0};
    for (int i = 0; i < 24; i++) grad_in[i] = names[1][i];
    gf_node(&g, "gradients/g", "AddN", grad_in);
    for (int i = 0; i < 24; i++) gf_node(&g, names[2][i], "ApplyAdam", GF_IN(names[0][i], "gradients/g"));
    tfc_gdraw_model *m = parse(&g);
    if (!m) return;
    tfc_gdraw_view *v = view_with(m, (tfc_gdraw_options){.depth = 1});
    if (v) {
        CHECK(item(m, v, "gradients/") >= 0 && !v->items[item(m, v, "gradients/")].aside);
        CHECK(v->nsimplified == 0 && v->nvirtual > 100 && !v->fast_layout);
        tfc_gdraw_view_free(v);
    }
    v = view_with(m, (tfc_gdraw_options){.depth = 1, .max_virtual = 1000000});
    if (v) {
        CHECK(v->nsimplified == 0 && !v->items[item(m, v, "gradients/")].aside);
        tfc_gdraw_view_free(v);
    }
    v = view_with(m, (tfc_gdraw_options){.depth = 1, .max_virtual = 20});
    if (v) {
        CHECK(v->items[item(m, v, "gradients/")].aside && v->items[item(m, v, "Opt/")].aside);
        CHECK(simplified(v, "gradients and optimizer boxes of high degree moved aside too"));
        CHECK(v->nvirtual <= 20);
        tfc_gdraw_view_free(v);
    }
    /* With --all nothing goes aside: the long edges are what gives. */
    v = view_with(m, (tfc_gdraw_options){.depth = 1, .all = true, .max_virtual = 20});
    if (v) {
        CHECK(!v->items[item(m, v, "gradients/")].aside && v->nvirtual <= 20);
        CHECK(simplified(v, "edges crossing") && simplified(v, "left out, most from"));
        tfc_gdraw_view_free(v);
    }
    /* A large view gets Graphviz's fast settings and fewer boxes. */
    v = view_with(m, (tfc_gdraw_options){.depth = 0, .fast_size = 10});
    if (v) {
        CHECK(v->fast_layout && simplified(v, "fewer Graphviz iterations"));
        CHECK(nclusters(m, v) <= TFC_GDRAW_FAST_CLUSTERS);
        tfc_gdraw_view_free(v);
    }
    /* Too many nodes: an error naming the limit. */
    tfc_gdraw_options o = {.depth = 0, .max_nodes = 10};
    tfc_status *st = tfc_status_new();
    CHECK(!tfc_gdraw_view_build(m, &o, st) && strstr(tfc_message(st), "more than the 10 a picture may have") &&
          strstr(tfc_message(st), "--max-nodes"));
    tfc_status_free(st);
    tfc_gdraw_model_free(m);
}

/* An edge left out for the budget that alone holds a part of the graph to the rest is kept:
 * Graphviz would rank a loose part on its own and set it beside the rest. A chain a00 -> ... ->
 * a30 with skip fed by a00 and a30 (a00 -> skip crossing 30 ranks) is the rest; late, fed by a00
 * and feeding two sinks, is ranked late, next to them (a00 -> late crosses 29 ranks: a ranking
 * edge, so a bridge Graphviz keeps tight, costing nothing); the variable w, read by a01, is
 * updated by upd from a part ranked late too (w -> upd, left out of the ranking, crosses 28
 * ranks: kept only within twice the budget). */
static void test_budget_keeps_parts(void)
{
    static char names[31][8];
    gf_graph g;
    gf_init(&g);
    gf_node(&g, "a00", "Placeholder", GF_NONE);
    gf_node(&g, "w", "VariableV2", GF_NONE);
    for (int i = 1; i <= 30; i++) {
        snprintf(names[i], sizeof names[i], "a%02d", i);
        gf_node(&g, names[i], i == 1 ? "MatMul" : "Identity", i == 1 ? GF_IN("a00", "w") : GF_IN(names[i - 1]));
    }
    gf_node(&g, "skip", "AddV2", GF_IN("a00", "a30"));
    gf_node(&g, "late", "Square", GF_IN("a00"));
    gf_node(&g, "sink1", "Identity", GF_IN("late"));
    gf_node(&g, "sink2", "Identity", GF_IN("late"));
    gf_node(&g, "p", "Placeholder", GF_NONE);
    gf_node(&g, "delta", "Square", GF_IN("p"));
    gf_node(&g, "upd", "AssignAdd", GF_IN("w", "delta"));
    tfc_gdraw_model *m = parse(&g);
    if (!m) return;
    tfc_gdraw_view *v = view_with(m, (tfc_gdraw_options){.depth = 1, .all = true});
    if (v) {
        CHECK_MSG(v->nvirtual == 30 + 29 + 28, "nvirtual %zu", v->nvirtual);
        tfc_gdraw_view_free(v);
    }
    /* Budget 20: the three long edges go; a00 -> late comes back free, w -> upd for 28 <= 40. */
    v = view_with(m, (tfc_gdraw_options){.depth = 1, .all = true, .max_virtual = 20});
    if (v) {
        CHECK(edge(m, v, "a00", "late")->constraint && !edge(m, v, "w", "upd")->constraint);
        CHECK_MSG(v->nvirtual == 28, "nvirtual %zu", v->nvirtual);
        CHECK(simplified(v, "1 edge crossing 31 ranks or more left out, most from a00 (1)"));
        tfc_gdraw_view_free(v);
    }
    /* Budget 10: a00 -> late still comes back; w -> upd would pass twice the budget. */
    v = view_with(m, (tfc_gdraw_options){.depth = 1, .all = true, .max_virtual = 10});
    if (v) {
        CHECK(edge(m, v, "a00", "late")->constraint);
        for (size_t i = 0; i < v->nedges; i++)
            CHECK(v->edges[i].from != item(m, v, "w") || v->edges[i].to != item(m, v, "upd"));
        CHECK_MSG(v->nvirtual == 0, "nvirtual %zu", v->nvirtual);
        CHECK(simplified(v, "2 edges crossing 29 ranks or more left out, most from a00 (1), w (1)"));
        tfc_gdraw_view_free(v);
    }
    tfc_gdraw_model_free(m);
}

/* Ops named BASE_N in one scope become one series node when the view has too many nodes; names
 * with no pattern stay, and then the view is too big. */
static void test_series(void)
{
    static char names[40][16];
    gf_graph g;
    gf_init(&g);
    gf_node(&g, "op", "Const", GF_NONE);
    for (int i = 1; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "op_%d", i);
        gf_node(&g, names[i], "Identity", GF_IN(i > 1 ? names[i - 1] : "op"));
    }
    tfc_gdraw_model *m = parse(&g);
    if (!m) return;
    tfc_gdraw_view *v = view_with(m, (tfc_gdraw_options){.depth = 1, .max_nodes = 10, .max_virtual = 100});
    if (v) {
        CHECK(v->ndrawn == 2 && v->nseries == 1 && v->nedges == 1);
        int k = item(m, v, "op_[1-39]");
        CHECK(k >= 0 && v->items[k].nops == 39 && v->items[k].series == 0);
        CHECK(simplified(v, "39 ops named alike drawn as 1 series (op_[1-39])"));
        tfc_gdraw_view_free(v);
    }
    v = view_with(m, (tfc_gdraw_options){.depth = 1, .max_virtual = 100});
    if (v) {
        CHECK(v->ndrawn == 40 && v->nseries == 0); /* within max_nodes: TensorBoard's own picture */
        tfc_gdraw_view_free(v);
    }
    tfc_gdraw_model_free(m);
}

/* Boxes in boxes stop at TFC_GDRAW_MAX_NESTING levels; the items below are drawn in the deepest
 * box kept. */
static void test_nesting(void)
{
    static char names[60][210];
    gf_graph g;
    gf_init(&g);
    char path[200] = "s";
    for (int i = 0; i < 50; i++) {
        snprintf(names[i], sizeof names[i], "%s/op", path);
        gf_node(&g, names[i], i ? "Identity" : "Const", i ? GF_IN(names[i - 1]) : GF_NONE);
        strncat(path, "/s", sizeof path - strlen(path) - 1);
    }
    tfc_gdraw_model *m = parse(&g);
    if (!m) return;
    tfc_gdraw_view *v = view_with(m, (tfc_gdraw_options){.depth = 0});
    if (v) {
        CHECK(nclusters(m, v) == TFC_GDRAW_MAX_NESTING && v->ndrawn == 50);
        CHECK(simplified(v, "scopes deeper than 32 levels drawn without their boxes"));
        for (size_t k = 0; k < v->nitems; k++) CHECK(m->scopes[v->items[k].parent].depth <= TFC_GDRAW_MAX_NESTING);
        tfc_gdraw_view_free(v);
    }
    tfc_gdraw_model_free(m);
}

int main(void)
{
    gf_graph g;
    gf_small_model(&g);
    tfc_gdraw_model *m = parse(&g);
    if (m) {
        test_depth_one(m);
        test_depth_two(m);
        test_expand(m);
        test_all_and_everything(m);
        tfc_gdraw_model_free(m);
    }
    test_own_op();
    test_high_degree();
    test_bridges();
    test_budget();
    test_budget_keeps_parts();
    test_series();
    test_nesting();
    return check_result();
}
