/* bench_graph: how long tfc-graph's library takes to draw a synthetic 2,000-node graph: a deep
 * TF1-style network (name-scoped layers with variables, their Adam slots, gradients, Adam
 * updates, initialisers, a Saver), serialized as a GraphDef and drawn from the bytes, as
 * tfc-graph does: parse, build the view, lay out with dot and render.
 *
 *   bench_graph [--layers N] [--repeat N] [-o DIR]
 *
 * Views: the default (--depth 1), --depth 2, and every scope open (--depth all), to PNG, SVG
 * and .dot. Prints the ops in the graph and, per view and format, the nodes drawn, the best and
 * median wall time over the repeats and the best CPU time. Target: under 3 s for the default
 * PNG. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_time.h"
#include "graph.pb-c.h"
#include "graph_model.h"
#include "graph_render.h"
#include "graph_view.h"

/* ---- the synthetic GraphDef ---- */

typedef struct {
    Tensorflow__GraphDef gd;
    size_t cap;
} builder;

static void die(const char *what)
{
    fprintf(stderr, "bench_graph: %s\n", what);
    exit(1);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0) die("out of memory");
    va_end(ap);
    return s;
}

/* Adds a node; inputs is a NULL-terminated list of malloc'd names (taken). A rank-2 shape
 * [d0, d1] goes into `_output_shapes` when d0 != 0. */
static char *node(builder *b, const char *op, char *name, int64_t d0, int64_t d1, char **inputs)
{
    if (b->gd.n_node == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->gd.node = realloc(b->gd.node, b->cap * sizeof *b->gd.node);
        if (!b->gd.node) die("out of memory");
    }
    Tensorflow__NodeDef *n = calloc(1, sizeof *n);
    if (!n) die("out of memory");
    tensorflow__node_def__init(n);
    n->name = name;
    n->op = (char *)op;
    size_t k = 0;
    while (inputs && inputs[k]) k++;
    n->n_input = k;
    n->input = k ? malloc(k * sizeof *n->input) : NULL;
    for (size_t i = 0; i < k; i++) n->input[i] = inputs[i];
    if (d0) {
        Tensorflow__TensorShapeProto__Dim **dims = malloc(2 * sizeof *dims);
        Tensorflow__TensorShapeProto *sh = malloc(sizeof *sh);
        Tensorflow__AttrValue__ListValue *l = malloc(sizeof *l);
        Tensorflow__AttrValue *v = malloc(sizeof *v);
        Tensorflow__NodeDef__AttrEntry *e = malloc(sizeof *e);
        Tensorflow__NodeDef__AttrEntry **es = malloc(sizeof *es);
        Tensorflow__TensorShapeProto **shs = malloc(sizeof *shs);
        if (!dims || !sh || !l || !v || !e || !es || !shs) die("out of memory");
        tensorflow__tensor_shape_proto__init(sh);
        int64_t d[2] = {d0, d1};
        for (int i = 0; i < 2; i++) {
            dims[i] = malloc(sizeof **dims);
            if (!dims[i]) die("out of memory");
            tensorflow__tensor_shape_proto__dim__init(dims[i]);
            dims[i]->size = d[i];
        }
        sh->n_dim = 2;
        sh->dim = dims;
        shs[0] = sh;
        tensorflow__attr_value__list_value__init(l);
        l->n_shape = 1;
        l->shape = shs;
        tensorflow__attr_value__init(v);
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST;
        v->list = l;
        tensorflow__node_def__attr_entry__init(e);
        e->key = "_output_shapes";
        e->value = v;
        es[0] = e;
        n->n_attr = 1;
        n->attr = es;
    }
    b->gd.node[b->gd.n_node++] = n;
    return name;
}

#define IN(...) ((char *[]){__VA_ARGS__, NULL})

/* A variable as tf.Variable makes it (initial value, Assign, read), optionally with Adam's two
 * slots. */
static void variable(builder *b, const char *name, int64_t d0, int64_t d1, bool slots)
{
    node(b, "Const", fmt("%s/initial_value", name), d0, d1, NULL);
    node(b, "VariableV2", fmt("%s", name), d0, d1, NULL);
    node(b, "Assign", fmt("%s/Assign", name), d0, d1,
         IN(fmt("%s", name), fmt("%s/initial_value", name)));
    node(b, "Identity", fmt("%s/read", name), d0, d1, IN(fmt("%s", name)));
    if (!slots) return;
    for (int s = 0; s < 2; s++) {
        const char *slot = s ? "Adam_1" : "Adam";
        node(b, "Const", fmt("%s/%s/Initializer/zeros", name, slot), d0, d1, NULL);
        node(b, "VariableV2", fmt("%s/%s", name, slot), d0, d1, NULL);
        node(b, "Assign", fmt("%s/%s/Assign", name, slot), d0, d1,
             IN(fmt("%s/%s", name, slot), fmt("%s/%s/Initializer/zeros", name, slot)));
        node(b, "Identity", fmt("%s/%s/read", name, slot), d0, d1, IN(fmt("%s/%s", name, slot)));
    }
}

static uint8_t *synthetic_graph(int layers, size_t *len, size_t *nops)
{
    builder b = {0};
    tensorflow__graph_def__init(&b.gd);
    const int width = 256;
    node(&b, "Placeholder", fmt("input/x"), -1, width, NULL);
    node(&b, "Placeholder", fmt("input/label"), -1, width, NULL);
    variable(&b, "beta1_power", 1, 1, false);
    variable(&b, "beta2_power", 1, 1, false);
    node(&b, "Const", fmt("Adam/learning_rate"), 1, 1, NULL);
    /* prev and up are our own strings; nodes get copies. */
    char *prev = fmt("input/x");
    for (int i = 0; i < layers; i++) {
        char *w = fmt("model/layer%d/weights", i), *bias = fmt("model/layer%d/biases", i);
        variable(&b, w, width, width, true);
        variable(&b, bias, 1, width, true);
        node(&b, "MatMul", fmt("model/layer%d/MatMul", i), -1, width,
             IN(fmt("%s", prev), fmt("%s/read", w)));
        node(&b, "Add", fmt("model/layer%d/add", i), -1, width,
             IN(fmt("model/layer%d/MatMul", i), fmt("%s/read", bias)));
        free(prev);
        prev = fmt("model/layer%d/Relu", i);
        node(&b, "Relu", fmt("%s", prev), -1, width, IN(fmt("model/layer%d/add", i)));
        free(w);
        free(bias);
    }
    node(&b, "Sub", fmt("train/sub"), -1, width, IN(prev, fmt("input/label")));
    node(&b, "Mean", fmt("train/loss"), 1, 1, IN(fmt("train/sub")));
    node(&b, "Fill", fmt("gradients/Fill"), 1, 1, IN(fmt("train/loss")));
    node(&b, "Tile", fmt("gradients/train/loss_grad/Tile"), -1, width, IN(fmt("gradients/Fill")));
    char *up = fmt("gradients/train/loss_grad/Tile");
    char **updates = malloc((size_t)(2 * layers + 1) * sizeof *updates);
    if (!updates) die("out of memory");
    for (int i = layers - 1; i >= 0; i--) {
        const char *g = "gradients/model/layer";
        node(&b, "ReluGrad", fmt("%s%d/Relu_grad/ReluGrad", g, i), -1, width,
             IN(up, fmt("model/layer%d/Relu", i))); /* the node takes up */
        node(&b, "Sum", fmt("%s%d/add_grad/Sum", g, i), -1, width,
             IN(fmt("%s%d/Relu_grad/ReluGrad", g, i)));
        node(&b, "Reshape", fmt("%s%d/add_grad/Reshape", g, i), -1, width,
             IN(fmt("%s%d/add_grad/Sum", g, i)));
        node(&b, "Sum", fmt("%s%d/add_grad/Sum_1", g, i), 1, width,
             IN(fmt("%s%d/Relu_grad/ReluGrad", g, i)));
        node(&b, "Reshape", fmt("%s%d/add_grad/Reshape_1", g, i), 1, width,
             IN(fmt("%s%d/add_grad/Sum_1", g, i)));
        node(&b, "MatMul", fmt("%s%d/MatMul_grad/MatMul", g, i), -1, width,
             IN(fmt("%s%d/add_grad/Reshape", g, i), fmt("model/layer%d/weights/read", i)));
        node(&b, "MatMul", fmt("%s%d/MatMul_grad/MatMul_1", g, i), width, width,
             IN(i ? fmt("model/layer%d/Relu", i - 1) : fmt("input/x"),
                fmt("%s%d/add_grad/Reshape", g, i)));
        for (int v = 0; v < 2; v++) {
            const char *var = v ? "biases" : "weights";
            char *grad = v ? fmt("%s%d/add_grad/Reshape_1", g, i)
                           : fmt("%s%d/MatMul_grad/MatMul_1", g, i);
            /* The node's name is kept for the control inputs of the final NoOp. */
            updates[2 * i + v] = node(
                &b, "ApplyAdam", fmt("Adam/update_model/layer%d/%s/ApplyAdam", i, var), 0, 0,
                IN(fmt("model/layer%d/%s", i, var), fmt("model/layer%d/%s/Adam", i, var),
                   fmt("model/layer%d/%s/Adam_1", i, var), fmt("beta1_power/read"),
                   fmt("beta2_power/read"), fmt("Adam/learning_rate"), grad));
        }
        up = fmt("%s%d/MatMul_grad/MatMul", g, i);
    }
    free(up);
    char **deps = malloc((size_t)(2 * layers + 1) * sizeof *deps);
    if (!deps) die("out of memory");
    for (int i = 0; i < 2 * layers; i++) deps[i] = fmt("^%s", updates[i]);
    deps[2 * layers] = NULL;
    node(&b, "NoOp", fmt("Adam"), 0, 0, deps);
    free(deps);
    free(updates);
    node(&b, "NoOp", fmt("init"), 0, 0, IN(fmt("^beta1_power/Assign"), fmt("^beta2_power/Assign")));
    node(&b, "Const", fmt("save/Const"), 0, 0, NULL);
    node(&b, "SaveV2", fmt("save/SaveV2"), 0, 0, IN(fmt("save/Const"), fmt("beta1_power")));
    *nops = b.gd.n_node;
    *len = tensorflow__graph_def__get_packed_size(&b.gd);
    uint8_t *buf = malloc(*len);
    if (!buf) die("out of memory");
    tensorflow__graph_def__pack(&b.gd, buf);
    /* The strings and messages were malloc'd piece by piece; free_unpacked of a re-parse is not
     * ours to use here, so walk the nodes. */
    for (size_t i = 0; i < b.gd.n_node; i++) {
        Tensorflow__NodeDef *n = b.gd.node[i];
        free(n->name);
        for (size_t k = 0; k < n->n_input; k++) free(n->input[k]);
        free(n->input);
        if (n->n_attr) {
            Tensorflow__AttrValue *v = n->attr[0]->value;
            Tensorflow__TensorShapeProto *sh = v->list->shape[0];
            for (size_t d = 0; d < sh->n_dim; d++) free(sh->dim[d]);
            free(sh->dim);
            free(sh);
            free(v->list->shape);
            free(v->list);
            free(v);
            free(n->attr[0]);
            free(n->attr);
        }
        free(n);
    }
    free(b.gd.node);
    return buf;
}

/* ---- timing ---- */

typedef struct {
    const char *name;
    int depth;
} view_kind;

int main(int argc, char **argv)
{
    int layers = 55, repeat = 3;
    const char *dir = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--layers") && i + 1 < argc) layers = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_graph [--layers N] [--repeat N] [-o DIR]\n");
            return 2;
        }
    }
    if (layers < 1 || repeat < 1) die("--layers and --repeat want positive numbers");
    size_t len, nops;
    uint8_t *buf = synthetic_graph(layers, &len, &nops);
    printf("synthetic graph: %d layers, %zu ops, %zu bytes of GraphDef\n", layers, nops, len);
    static const view_kind views[] = {{"--depth 1", 1}, {"--depth 2", 2}, {"--depth all", 0}};
    static const char *const exts[] = {"png", "svg", "dot"};
    printf("%-12s %-4s %6s %6s %10s %10s %10s %6s\n", "view", "fmt", "nodes", "edges", "best s",
           "median s", "cpu s", "scale");
    tfc_status *st = tfc_status_new();
    for (size_t vi = 0; vi < sizeof views / sizeof *views; vi++) {
        for (size_t fi = 0; fi < sizeof exts / sizeof *exts; fi++) {
            double *wall = malloc((size_t)repeat * sizeof *wall), best_cpu = 1e30;
            if (!wall) die("out of memory");
            size_t ndrawn = 0, nedges = 0;
            double scale = 1;
            char *path = fmt("%s/bench_graph_%d.%s", dir, views[vi].depth, exts[fi]);
            tfc_gdraw_format format;
            tfc_gdraw_format_from_path(path, &format);
            for (int r = 0; r < repeat; r++) {
                double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
                tfc_gdraw_model *m = tfc_gdraw_model_parse(buf, len, "synthetic", st);
                tfc_gdraw_options o = {.depth = views[vi].depth};
                tfc_gdraw_view *v = m ? tfc_gdraw_view_build(m, &o, st) : NULL;
                tfc_gdraw_style style = {.title = "synthetic"};
                if (!v || !tfc_gdraw_render(m, v, &style, path, format, &scale, st)) die(tfc_message(st));
                wall[r] = bench_seconds(CLOCK_MONOTONIC) - w0;
                double cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
                if (cpu < best_cpu) best_cpu = cpu;
                ndrawn = v->ndrawn;
                nedges = v->nedges;
                tfc_gdraw_view_free(v);
                tfc_gdraw_model_free(m);
            }
            qsort(wall, (size_t)repeat, sizeof *wall, bench_cmp_double);
            printf("%-12s %-4s %6zu %6zu %10.3f %10.3f %10.3f %6.2f\n", views[vi].name, exts[fi],
                   ndrawn, nedges, wall[0], wall[repeat / 2], best_cpu, scale);
            fflush(stdout);
            free(wall);
            free(path);
        }
    }
    tfc_status_free(st);
    free(buf);
    return 0;
}
