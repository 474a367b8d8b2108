/* Keras model config -> GraphDef (see keras_model.h), following TensorBoard's keras_util: layers
 * walked depth first, a model's layers under its name; a nested model stands for its output
 * layers (model_outputs) and its input layers take what feeds the model (model_inputs). JSON
 * through json-c. */
#include "keras_model.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.pb-c.h"

typedef struct {
    char *key;
    size_t n;
    char **names;
} name_list;

typedef struct {
    size_t n, cap;
    Tensorflow__NodeDef *nodes;
    size_t nlists;
    name_list *outputs; /* model name -> its output layers' node names */
    size_t ninputs;
    name_list *inputs; /* an input layer's node name -> the node feeding it (one name) */
    char *prev;         /* the node before, for Sequential models */
    bool oom;
} builder;

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *get_str(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool is_array(json_object *o) { return o && json_object_is_type(o, json_type_array); }

static char *scoped(builder *b, const char *scope, const char *name)
{
    char *s = NULL;
    if ((*scope ? asprintf(&s, "%s/%s", scope, name) : asprintf(&s, "%s", name)) < 0) {
        b->oom = true;
        return NULL;
    }
    return s;
}

static const name_list *find_list(const name_list *lists, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(lists[i].key, key)) return &lists[i];
    return NULL;
}

static void add_list(builder *b, name_list **lists, size_t *n, char *key, char **names, size_t count)
{
    name_list *nl = realloc(*lists, (*n + 1) * sizeof *nl);
    if (!nl || !key) {
        b->oom = true;
        free(key);
        for (size_t i = 0; i < count; i++) free(names[i]);
        free(names);
        if (nl) *lists = nl;
        return;
    }
    *lists = nl;
    nl[(*n)++] = (name_list){key, count, names};
}

/* One [layer name, node index, tensor index] history of an inbound tensor. */
typedef struct {
    const char *layer;
    int64_t tensor;
} inbound;

static void take_history(json_object *h, inbound *out, size_t *n, size_t cap)
{
    if (!is_array(h) || json_object_array_length(h) < 3 || *n == cap) return;
    json_object *name = json_object_array_get_idx(h, 0);
    if (!json_object_is_type(name, json_type_string)) return;
    out[(*n)++] = (inbound){json_object_get_string(name), json_object_get_int64(json_object_array_get_idx(h, 2))};
}

/* The inbound tensors of a layer: Keras 3 writes nodes as {"args": [...]} with keras_history in
 * each argument's config, Keras 2 as lists of [layer, node, tensor, kwargs]. */
static size_t inbound_of(json_object *layer, inbound *out, size_t cap)
{
    json_object *nodes = get(layer, "inbound_nodes");
    size_t n = 0;
    for (size_t i = 0; is_array(nodes) && i < json_object_array_length(nodes); i++) {
        json_object *node = json_object_array_get_idx(nodes, i);
        json_object *args = get(node, "args");
        if (is_array(args)) {
            for (size_t a = 0; a < json_object_array_length(args); a++) {
                json_object *arg = json_object_array_get_idx(args, a);
                if (is_array(arg)) {
                    for (size_t k = 0; k < json_object_array_length(arg); k++)
                        take_history(get(get(json_object_array_get_idx(arg, k), "config"), "keras_history"), out, &n, cap);
                } else {
                    take_history(get(get(arg, "config"), "keras_history"), out, &n, cap);
                }
            }
        } else if (is_array(node)) {
            for (size_t k = 0; k < json_object_array_length(node); k++)
                take_history(json_object_array_get_idx(node, k), out, &n, cap);
        }
    }
    return n;
}

/* The first name of an entry of input_layers / output_layers: "x" or ["x", 0, 0]. */
static const char *entry_name(json_object *e)
{
    if (is_array(e)) e = json_object_array_get_idx(e, 0);
    return e && json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
}

/* input_layers / output_layers as a list of entries: ["x", 0, 0] is one entry, [["x", 0, 0],
 * ...] several. */
static size_t layer_entries(json_object *list, json_object **out, size_t cap)
{
    if (!is_array(list) || !json_object_array_length(list)) return 0;
    if (!is_array(json_object_array_get_idx(list, 0))) {
        out[0] = list;
        return 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < json_object_array_length(list) && n < cap; i++) out[n++] = json_object_array_get_idx(list, i);
    return n;
}

enum { MAX_LINKS = 256 };

static void take_model(builder *b, const char *scope, json_object *model)
{
    json_object *config = get(model, "config");
    const char *name = get_str(config, "name");
    json_object *layers = get(config, "layers");
    char *node_name = scoped(b, scope, name ? name : "model");
    if (!node_name) return;
    json_object *ins[MAX_LINKS], *outs[MAX_LINKS];
    size_t nin = layer_entries(get(config, "input_layers"), ins, MAX_LINKS);
    size_t nout = layer_entries(get(config, "output_layers"), outs, MAX_LINKS);
    inbound inb[MAX_LINKS];
    size_t ninb = inbound_of(model, inb, MAX_LINKS);
    bool functional = nin && nout, parent_functional = ninb > 0;
    if (parent_functional && functional) {
        for (size_t i = 0; i < nin && i < ninb; i++) {
            const char *in = entry_name(ins[i]);
            char **feed = malloc(sizeof *feed);
            if (feed && in && (feed[0] = scoped(b, scope, inb[i].layer)))
                add_list(b, &b->inputs, &b->ninputs, scoped(b, node_name, in), feed, 1);
            else
                free(feed);
        }
    } else if (parent_functional) {
        free(b->prev);
        b->prev = scoped(b, scope, inb[0].layer);
    } else if (b->prev && functional && entry_name(ins[0])) {
        char **feed = malloc(sizeof *feed);
        if (feed && (feed[0] = strdup(b->prev)))
            add_list(b, &b->inputs, &b->ninputs, scoped(b, node_name, entry_name(ins[0])), feed, 1);
        else
            free(feed);
    }
    char **names = calloc(nout ? nout : 1, sizeof *names);
    size_t count = 0;
    if (functional) {
        for (size_t i = 0; names && i < nout; i++)
            if (entry_name(outs[i])) names[count++] = scoped(b, node_name, entry_name(outs[i]));
    } else if (names && is_array(layers) && json_object_array_length(layers)) {
        json_object *last = json_object_array_get_idx(layers, json_object_array_length(layers) - 1);
        const char *lname = get_str(get(last, "config"), "name");
        if (lname) names[count++] = scoped(b, node_name, lname);
    }
    if (!names) b->oom = true;
    else add_list(b, &b->outputs, &b->nlists, strdup(node_name), names, count);
    free(node_name);
}

static Tensorflow__NodeDef *new_node(builder *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        Tensorflow__NodeDef *nn = realloc(b->nodes, cap * sizeof *nn);
        if (!nn) {
            b->oom = true;
            return NULL;
        }
        b->nodes = nn;
        b->cap = cap;
    }
    Tensorflow__NodeDef *nd = &b->nodes[b->n++];
    tensorflow__node_def__init(nd);
    return nd;
}

static void add_input(builder *b, Tensorflow__NodeDef *nd, const char *in)
{
    char **grown = realloc(nd->input, (nd->n_input + 1) * sizeof *grown);
    char *copy = strdup(in);
    if (!grown || !copy) {
        free(copy);
        if (grown) nd->input = grown;
        b->oom = true;
        return;
    }
    nd->input = grown;
    nd->input[nd->n_input++] = copy;
}

static void take_layer(builder *b, const char *scope, json_object *layer)
{
    const char *name = get_str(get(layer, "config"), "name");
    const char *cls = get_str(layer, "class_name");
    Tensorflow__NodeDef *nd = new_node(b);
    if (!nd) return;
    nd->name = scoped(b, scope, name ? name : "layer");
    nd->op = strdup(cls ? cls : "Layer");
    if (!nd->name || !nd->op) {
        b->oom = true;
        return;
    }
    inbound inb[MAX_LINKS];
    size_t ninb = inbound_of(layer, inb, MAX_LINKS);
    for (size_t i = 0; i < ninb; i++) {
        char *in = scoped(b, scope, inb[i].layer);
        if (!in) return;
        const name_list *outs = find_list(b->outputs, b->nlists, in);
        if (outs && outs->n) {
            size_t k = inb[i].tensor >= 0 && (size_t)inb[i].tensor < outs->n ? (size_t)inb[i].tensor : outs->n - 1;
            add_input(b, nd, outs->names[k]);
        } else {
            add_input(b, nd, in);
        }
        free(in);
    }
    if (!ninb && b->prev) add_input(b, nd, b->prev);
    const name_list *fed = find_list(b->inputs, b->ninputs, nd->name);
    if (fed) add_input(b, nd, fed->names[0]);
    free(b->prev);
    if (!(b->prev = strdup(nd->name))) b->oom = true;
}

static void walk(builder *b, const char *scope, json_object *layer, int depth)
{
    if (b->oom || depth > 64) return;
    json_object *layers = get(get(layer, "config"), "layers");
    if (!is_array(layers)) {
        take_layer(b, scope, layer);
        return;
    }
    take_model(b, scope, layer);
    const char *name = get_str(get(layer, "config"), "name");
    char *inner = scoped(b, scope, name ? name : "model");
    for (size_t i = 0; inner && i < json_object_array_length(layers); i++)
        walk(b, inner, json_object_array_get_idx(layers, i), depth + 1);
    free(inner);
}

static void free_lists(name_list *lists, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(lists[i].key);
        for (size_t k = 0; k < lists[i].n; k++) free(lists[i].names[k]);
        free(lists[i].names);
    }
    free(lists);
}

bool tfc_keras_model_graph(const char *json, size_t json_len, const char *what, uint8_t **bytes,
                           size_t *len, tfc_status *st)
{
    json_tokener *tok = json_tokener_new_ex(96);
    if (!tok) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", what);
    json_object *root = json_len <= (size_t)INT32_MAX ? json_tokener_parse_ex(tok, json, (int)json_len) : NULL;
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        return tfc_fail(st, TFC_DATA_LOSS, "%s: not a Keras model config (JSON: %s)", what,
                        json_tokener_error_desc(jerr == json_tokener_success ? json_tokener_continue : jerr));
    }
    if (!get(root, "config")) {
        json_object_put(root);
        return tfc_fail(st, TFC_DATA_LOSS, "%s: not a Keras model config (no \"config\")", what);
    }
    builder b = {0};
    walk(&b, "", root, 0);
    bool ok = !b.oom;
    if (ok && !b.n) {
        ok = false;
        tfc_fail(st, TFC_DATA_LOSS, "%s: the Keras model config has no layers", what);
    } else if (ok) {
        Tensorflow__NodeDef **ptrs = malloc(b.n * sizeof *ptrs);
        ok = ptrs != NULL;
        for (size_t i = 0; ok && i < b.n; i++) ptrs[i] = &b.nodes[i];
        Tensorflow__GraphDef g = TENSORFLOW__GRAPH_DEF__INIT;
        g.n_node = b.n;
        g.node = ptrs;
        if (ok) {
            *len = tensorflow__graph_def__get_packed_size(&g);
            ok = (*bytes = malloc(*len ? *len : 1)) != NULL;
            if (ok) tensorflow__graph_def__pack(&g, *bytes);
        }
        free(ptrs);
        if (!ok) tfc_fail(st, TFC_INTERNAL, "%s: out of memory", what);
    } else {
        tfc_fail(st, TFC_INTERNAL, "%s: out of memory", what);
    }
    for (size_t i = 0; i < b.n; i++) {
        free(b.nodes[i].name);
        free(b.nodes[i].op);
        for (size_t k = 0; k < b.nodes[i].n_input; k++) free(b.nodes[i].input[k]);
        free(b.nodes[i].input);
    }
    free(b.nodes);
    free_lists(b.outputs, b.nlists);
    free_lists(b.inputs, b.ninputs);
    free(b.prev);
    json_object_put(root);
    return ok;
}
