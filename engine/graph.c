/* The graph: nodes, TensorFlow's naming rules (unique names, name scopes), attributes, and the
 * build-time checking that keeps the first error. */
#include "graph_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names in use: a small open-addressing map from lower-cased name to a count ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int *name_slot(tfc_name_map *m, const char *key, bool create)
{
    if (create && (m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 256;
        char **nk = calloc(ncap, sizeof *nk);
        int *nv = calloc(ncap, sizeof *nv);
        if (!nk || !nv) {
            free(nk);
            free(nv);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = hash_str(m->keys[i]) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = ncap;
    }
    if (!m->cap) return NULL;
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0) return &m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!create) return NULL;
    m->keys[j] = strdup(key);
    if (!m->keys[j]) return NULL;
    m->vals[j] = 0;
    m->n++;
    return &m->vals[j];
}

static char *lower_dup(const char *s)
{
    char *d = strdup(s);
    if (d)
        for (char *p = d; *p; p++) *p = (char)tolower((unsigned char)*p);
    return d;
}

static int names_get(tfc_name_map *m, const char *lkey)
{
    int *v = name_slot(m, lkey, false);
    return v ? *v : 0;
}

/* A name taken as it is joins the names in use (its count kept if it is there). */
static void mark_used(tfc_graph *g, const char *name)
{
    char *key = lower_dup(name);
    int *slot = key ? name_slot(&g->names, key, true) : NULL;
    if (slot && !*slot) *slot = 1;
    free(key);
}

static bool ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/* Whether a full node or scope name is one TensorFlow takes (its _VALID_OP_NAME_REGEX,
 * [A-Za-z0-9.][A-Za-z0-9_.\\/>-]*): a GraphDef holding another does not import into TensorFlow,
 * and "x:0" would read as a tensor name. */
static bool valid_name(const char *s)
{
    if (!ascii_alnum(*s) && *s != '.') return false;
    for (s++; *s; s++)
        if (!ascii_alnum(*s) && !strchr("_.\\/>-", *s)) return false;
    return true;
}

#define VALID_NAMES "TensorFlow's names match [A-Za-z0-9.][A-Za-z0-9_.\\/>-]*"

/* TensorFlow's Graph.unique_name: scope + name, then "_1", "_2", ... skipping names in use,
 * compared without case. Returns a new string. */
static char *unique_name(tfc_graph *g, const char *name)
{
    const char *scope = g->nscopes ? g->scopes[g->nscopes - 1] : "";
    size_t len = strlen(scope) + strlen(name) + 2;
    char *full = malloc(len + 24);
    if (!full) return NULL;
    snprintf(full, len, "%s%s%s", scope, *scope ? "/" : "", name);
    char *key = lower_dup(full);
    if (!key) {
        free(full);
        return NULL;
    }
    int i = names_get(&g->names, key);
    int *slot = name_slot(&g->names, key, true);
    if (slot) *slot = i + 1;
    if (i > 0) {
        size_t klen = strlen(key);
        char *cand = malloc(klen + 24);
        if (!cand) {
            free(key);
            free(full);
            return NULL;
        }
        for (;;) {
            snprintf(cand, klen + 24, "%s_%d", key, i);
            i++;
            if (!names_get(&g->names, cand)) break;
        }
        slot = name_slot(&g->names, cand, true);
        if (slot) *slot = 1;
        free(cand);
        size_t flen = strlen(full);
        snprintf(full + flen, 24, "_%d", i - 1);
    }
    free(key);
    return full;
}

/* ---- graph ---- */

tfc_graph *tfc_graph_new(void)
{
    tfc_graph *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->st = tfc_status_new();
    g->building = -1;
    if (!g->st) {
        free(g);
        return NULL;
    }
    return g;
}

static void free_attr(tfc_attr *a)
{
    free((char *)a->name);
    switch (a->kind) {
    case TFC_ATTR_STRING: free((char *)a->s); break;
    case TFC_ATTR_TENSOR: tfc_tensor_free((tfc_tensor *)a->tensor); break;
    case TFC_ATTR_INT_LIST: free((int64_t *)a->ints.v); break;
    case TFC_ATTR_TYPE_LIST: free((tfc_dtype *)a->types.v); break;
    case TFC_ATTR_STRING_LIST:
        for (int i = 0; i < a->strs.n; i++) free((char *)a->strs.v[i]);
        free((char **)a->strs.v);
        break;
    default: break;
    }
}

static void free_node(tfc_node *n)
{
    free(n->name);
    free(n->device);
    free(n->in);
    free(n->ctl);
    free(n->out_dtype);
    free(n->out_shape);
    for (int i = 0; i < n->nattr; i++) free_attr(&n->attrs[i]);
    free(n->attrs);
}

void tfc_graph_free(tfc_graph *g)
{
    if (!g) return;
    for (int i = 0; i < g->n; i++) free_node(&g->nodes[i]);
    free(g->nodes);
    for (size_t i = 0; i < g->names.cap; i++) free(g->names.keys[i]);
    free(g->names.keys);
    free(g->names.vals);
    for (int i = 0; i < g->nscopes; i++) free(g->scopes[i]);
    free(g->scopes);
    for (int i = 0; i < g->ndevices; i++) free(g->devices[i]);
    free(g->devices);
    for (int i = 0; i < g->ncontrols; i++) free(g->controls[i].ctl);
    free(g->controls);
    free(g->vars);
    for (int i = 0; i < g->ncollections; i++) {
        for (int k = 0; k < g->collections[i].n; k++) free(g->collections[i].items[k]);
        free(g->collections[i].items);
        free(g->collections[i].key);
    }
    free(g->collections);
    tfc_status_free(g->st);
    free(g);
}

/* What a NULL graph (tfc_graph_new out of memory) reports. */
static const char no_graph[] = "no graph: tfc_graph_new ran out of memory";

bool tfc_graph_ok(const tfc_graph *g) { return g && tfc_ok(g->st); }

const char *tfc_graph_error(const tfc_graph *g) { return g ? tfc_message(g->st) : no_graph; }

bool tfc_graph_check(const tfc_graph *g, tfc_status *st)
{
    if (!g) return tfc_fail(st, TFC_INTERNAL, "%s", no_graph);
    if (tfc_ok(g->st)) return true;
    return tfc_fail(st, tfc_status_code(g->st), "%s", tfc_message(g->st));
}

static bool oom(tfc_graph *g) { return tfc_fail(g->st, TFC_INTERNAL, "out of memory while building the graph"); }

/* ---- scopes and devices ---- */

void tfc_scope_push(tfc_graph *g, const char *name)
{
    if (!g) return;
    if (!name) {
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%sa name scope needs a name (NULL given)", tfc_scope(g));
        name = "";
    }
    char **ns = realloc(g->scopes, (size_t)(g->nscopes + 1) * sizeof *ns);
    if (!ns) {
        oom(g);
        return;
    }
    g->scopes = ns;
    size_t len = strlen(name);
    char *full;
    if (len && name[len - 1] == '/') {
        full = strndup(name, len - 1);
    } else if (!tfc_ok(g->st)) {
        full = strdup(name); /* keep push/pop balanced after an error */
    } else {
        full = unique_name(g, name);
    }
    if (!full) {
        oom(g);
        full = strdup("");
    }
    if (full && *full && tfc_ok(g->st) && !valid_name(full))
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "name scope '%s' is not a valid name (%s)", full, VALID_NAMES);
    g->scopes[g->nscopes++] = full;
}

/* A pop with nothing of its kind open is the caller's mistake: a build error, not silence. */
static bool can_pop(tfc_graph *g, int open, const char *what)
{
    if (!open) tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s: nothing is open to pop (a pop without its push)", what);
    return open > 0;
}

void tfc_scope_pop(tfc_graph *g)
{
    if (g && can_pop(g, g->nscopes, "tfc_scope_pop")) free(g->scopes[--g->nscopes]);
}

const char *tfc_scope(const tfc_graph *g)
{
    static _Thread_local char buf[1024];
    if (!g || !g->nscopes || !g->scopes[g->nscopes - 1][0]) return "";
    snprintf(buf, sizeof buf, "%s/", g->scopes[g->nscopes - 1]);
    return buf;
}

void tfc_device_push(tfc_graph *g, const char *device)
{
    if (!g) return;
    char **nd = realloc(g->devices, (size_t)(g->ndevices + 1) * sizeof *nd);
    if (!nd) {
        oom(g);
        return;
    }
    g->devices = nd;
    g->devices[g->ndevices++] = strdup(device ? device : "");
}

void tfc_device_pop(tfc_graph *g)
{
    if (g && can_pop(g, g->ndevices, "tfc_device_pop")) free(g->devices[--g->ndevices]);
}

void tfc_control_dependencies_push(tfc_graph *g, const tfc_out *deps, int n)
{
    if (!g) return;
    tfc_control_context *nc = realloc(g->controls, (size_t)(g->ncontrols + 1) * sizeof *nc);
    if (!nc) {
        oom(g);
        return;
    }
    g->controls = nc;
    tfc_control_context *c = &g->controls[g->ncontrols++];
    *c = (tfc_control_context){.ctl = malloc((size_t)(n > 0 ? n : 1) * sizeof *c->ctl), .first = g->n, .barrier = !deps};
    if (!c->ctl) {
        oom(g);
        return;
    }
    for (int i = 0; deps && i < n; i++) {
        if (deps[i].node < 0 || deps[i].node >= g->n) {
            if (tfc_ok(g->st))
                tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%scontrol dependency %d is not a node of this graph", tfc_scope(g), i);
            continue;
        }
        bool seen = false;
        for (int k = 0; k < c->nctl; k++) seen |= c->ctl[k] == deps[i].node;
        if (!seen) c->ctl[c->nctl++] = deps[i].node;
    }
}

void tfc_control_dependencies_pop(tfc_graph *g)
{
    if (g && can_pop(g, g->ncontrols, "tfc_control_dependencies_pop")) free(g->controls[--g->ncontrols].ctl);
}

/* The control inputs the open contexts give a new node with these inputs (TensorFlow's
 * _control_dependencies_for_inputs). */
static void add_context_controls(tfc_graph *g, int node, const tfc_out *inputs, int ninputs)
{
    for (int c = g->ncontrols - 1; c >= 0; c--) {
        const tfc_control_context *ctx = &g->controls[c];
        if (ctx->barrier) break;
        bool dominated = false;
        for (int i = 0; i < ninputs && !dominated; i++) dominated = inputs[i].node >= ctx->first;
        if (dominated) continue;
        for (int k = 0; k < ctx->nctl; k++) {
            bool is_input = false;
            for (int i = 0; i < ninputs && !is_input; i++) is_input = inputs[i].node == ctx->ctl[k];
            if (!is_input) tfc_node_add_control(g, node, ctx->ctl[k]);
        }
    }
}

/* ---- building nodes ---- */

static bool valid_out(const tfc_graph *g, tfc_out o)
{
    return g && o.node >= 0 && o.node < g->n && o.index >= 0 && o.index < g->nodes[o.node].nout;
}

/* Appends a node named `name` (taken over, freed on failure) with a copy of device; -1 after an
 * error. */
static int add_node(tfc_graph *g, const tfc_op_def *def, char *name, const char *device, const tfc_out *inputs,
                    int ninputs, int num_outputs)
{
    if (g->n == g->cap) {
        int ncap = g->cap ? g->cap * 2 : 64;
        tfc_node *nn = realloc(g->nodes, (size_t)ncap * sizeof *nn);
        if (!nn) {
            free(name);
            return oom(g), -1;
        }
        g->nodes = nn;
        g->cap = ncap;
    }
    tfc_node *n = &g->nodes[g->n];
    memset(n, 0, sizeof *n);
    n->def = def;
    n->init = -1;
    n->name = name;
    n->device = strdup(device);
    n->nin = ninputs;
    n->in = malloc((size_t)(ninputs ? ninputs : 1) * sizeof *n->in);
    n->nout = num_outputs;
    n->out_dtype = calloc((size_t)(num_outputs ? num_outputs : 1), sizeof *n->out_dtype);
    n->out_shape = calloc((size_t)(num_outputs ? num_outputs : 1), sizeof *n->out_shape);
    if (!n->name || !n->device || !n->in || !n->out_dtype || !n->out_shape) {
        free_node(n);
        return oom(g), -1;
    }
    if (ninputs) memcpy(n->in, inputs, (size_t)ninputs * sizeof *inputs);
    for (int i = 0; i < num_outputs; i++) n->out_shape[i] = TFC_UNKNOWN_SHAPE;
    g->building = g->n;
    return g->n++;
}

int tfc_node_begin(tfc_graph *g, const char *type, const char *name, const tfc_out *inputs, int ninputs,
                   int num_outputs)
{
    if (!g || !tfc_ok(g->st)) return -1;
    const tfc_op_def *def = tfc_op_lookup(type);
    if (!def) {
        tfc_fail(g->st, TFC_INTERNAL, "op type '%s' is not registered", type);
        return -1;
    }
    for (int i = 0; i < ninputs; i++) {
        if (!valid_out(g, inputs[i])) {
            tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s%s: input %d is not a tensor of this graph",
                     tfc_scope(g), name ? name : type, i);
            return -1;
        }
    }
    size_t nlen = name ? strlen(name) : 0;
    /* A name ending in '/' is a scope's full name, taken verbatim (see tfc_op_scope_push); it joins the
     * names in use, as unique_name's do, for the duplicate check of tfc_node_import. */
    bool verbatim = nlen && name[nlen - 1] == '/';
    char *full = verbatim ? strndup(name, nlen - 1) : unique_name(g, name ? name : type);
    if (full && !valid_name(full)) {
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "node '%s' (%s): not a valid name (%s)", full, type, VALID_NAMES);
        free(full);
        return -1;
    }
    if (full && verbatim) mark_used(g, full);
    int id = add_node(g, def, full, g->ndevices ? g->devices[g->ndevices - 1] : "", inputs, ninputs, num_outputs);
    if (id >= 0) add_context_controls(g, id, inputs, ninputs);
    return tfc_ok(g->st) ? id : -1;
}

int tfc_node_import(tfc_graph *g, const char *type, const char *name, const char *device, const tfc_out *inputs,
                    int ninputs)
{
    if (!g || !tfc_ok(g->st)) return -1;
    const tfc_op_def *def = tfc_op_lookup(type);
    if (!def) {
        tfc_fail(g->st, TFC_NOT_FOUND, "node '%s': op type '%s' is not supported by tfc", name, type);
        return -1;
    }
    if (def->ninputs != TFC_INPUTS_LIST && def->ninputs != ninputs) {
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "node '%s' (%s): has %d input%s, the op takes %d", name, type, ninputs,
                 ninputs == 1 ? "" : "s", def->ninputs);
        return -1;
    }
    for (int i = 0; i < ninputs; i++) {
        if (!valid_out(g, inputs[i])) {
            tfc_fail(g->st, TFC_INVALID_ARGUMENT, "node '%s' (%s): input %d is not a tensor of this graph", name, type, i);
            return -1;
        }
    }
    char *key = lower_dup(name);
    if (!key) return oom(g), -1;
    /* (every node's name is in the map, lower-cased: a look-up there, not a scan of the nodes, which
     * made importing n nodes take n^2/2 string comparisons) */
    int *used = name_slot(&g->names, key, false);
    if (used) {
        free(key);
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "node '%s': the graph has a node of that name already", name);
        return -1;
    }
    used = name_slot(&g->names, key, true);
    free(key);
    if (!used) return oom(g), -1;
    *used = 1;
    return add_node(g, def, strdup(name), device, inputs, ninputs, 0);
}

void tfc_node_add_control(tfc_graph *g, int node, int control)
{
    if (!g || node < 0 || !tfc_ok(g->st)) return;
    if (control < 0 || control >= g->n || control == node) {
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "node '%s': bad control input", g->nodes[node].name);
        return;
    }
    tfc_node *n = &g->nodes[node];
    for (int i = 0; i < n->nctl; i++)
        if (n->ctl[i] == control) return;
    int *nc = realloc(n->ctl, (size_t)(n->nctl + 1) * sizeof *nc);
    if (!nc) {
        oom(g);
        return;
    }
    n->ctl = nc;
    n->ctl[n->nctl++] = control;
}

static tfc_attr *new_attr(tfc_graph *g, int node, const char *name, tfc_attr_kind kind)
{
    if (!g || node < 0 || !tfc_ok(g->st)) return NULL;
    tfc_node *n = &g->nodes[node];
    for (int i = 0; i < n->nattr; i++) {
        if (strcmp(n->attrs[i].name, name) == 0) {
            free_attr(&n->attrs[i]);
            memmove(&n->attrs[i], &n->attrs[i + 1], (size_t)(n->nattr - i - 1) * sizeof *n->attrs);
            n->nattr--;
            break;
        }
    }
    tfc_attr *na = realloc(n->attrs, (size_t)(n->nattr + 1) * sizeof *na);
    if (!na) return oom(g), NULL;
    n->attrs = na;
    tfc_attr *a = &n->attrs[n->nattr];
    memset(a, 0, sizeof *a);
    a->name = strdup(name);
    if (!a->name) return oom(g), NULL;
    a->kind = kind;
    n->nattr++;
    return a;
}

void tfc_set_attr_int(tfc_graph *g, int node, const char *name, int64_t v)
{
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_INT);
    if (a) a->i = v;
}

void tfc_set_attr_float(tfc_graph *g, int node, const char *name, float v)
{
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_FLOAT);
    if (a) a->f = v;
}

void tfc_set_attr_bool(tfc_graph *g, int node, const char *name, bool v)
{
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_BOOL);
    if (a) a->b = v;
}

void tfc_set_attr_type(tfc_graph *g, int node, const char *name, tfc_dtype v)
{
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_TYPE);
    if (a) a->type = v;
}

void tfc_set_attr_shape(tfc_graph *g, int node, const char *name, tfc_shape v)
{
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_SHAPE);
    if (a) a->shape = v;
}

/* Whether a setter's value v (n items) is there; a NULL one (a builder given NULL strides, say)
 * becomes the node's build error. */
static bool has_value(tfc_graph *g, int node, const char *name, const void *v, int n)
{
    if (v || n == 0 || !g || node < 0 || !tfc_ok(g->st)) return true;
    return tfc_node_error(g, node, "attr '%s' given no value (NULL)", name);
}

void tfc_set_attr_string(tfc_graph *g, int node, const char *name, const char *v)
{
    if (!has_value(g, node, name, v, 1)) return;
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_STRING);
    if (a && !(a->s = strdup(v))) oom(g);
}

void tfc_set_attr_tensor(tfc_graph *g, int node, const char *name, const tfc_tensor *v)
{
    if (!has_value(g, node, name, v, 1)) return;
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_TENSOR);
    if (a && !(a->tensor = tfc_tensor_copy(v))) oom(g);
}

void tfc_set_attr_ints(tfc_graph *g, int node, const char *name, const int64_t *v, int n)
{
    if (!has_value(g, node, name, v, n)) return;
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_INT_LIST);
    if (!a) return;
    int64_t *c = malloc((size_t)(n ? n : 1) * sizeof *c);
    if (!c) {
        oom(g);
        return;
    }
    if (n) memcpy(c, v, (size_t)n * sizeof *c);
    a->ints.v = c;
    a->ints.n = n;
}

void tfc_set_attr_strings(tfc_graph *g, int node, const char *name, const char *const *v, int n)
{
    if (!has_value(g, node, name, v, n)) return;
    for (int i = 0; i < n; i++)
        if (!has_value(g, node, name, v[i], 1)) return;
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_STRING_LIST);
    if (!a) return;
    char **c = calloc((size_t)(n ? n : 1), sizeof *c);
    if (!c) {
        oom(g);
        return;
    }
    a->strs.v = (const char *const *)c;
    for (int i = 0; i < n; i++)
        if (!(c[i] = strdup(v[i]))) oom(g);
    a->strs.n = n;
}

void tfc_set_attr_types(tfc_graph *g, int node, const char *name, const tfc_dtype *v, int n)
{
    if (!has_value(g, node, name, v, n)) return;
    tfc_attr *a = new_attr(g, node, name, TFC_ATTR_TYPE_LIST);
    if (!a) return;
    tfc_dtype *c = malloc((size_t)(n ? n : 1) * sizeof *c);
    if (!c) {
        oom(g);
        return;
    }
    if (n) memcpy(c, v, (size_t)n * sizeof *c);
    a->types.v = c;
    a->types.n = n;
}

tfc_out tfc_node_finish(tfc_graph *g, int node)
{
    if (!g || node < 0) return TFC_NO_OUT;
    if (!tfc_ok(g->st)) {
        g->building = -1;
        return TFC_NO_OUT;
    }
    tfc_node *n = &g->nodes[node];
    bool inferred = !n->def->infer || n->def->infer(g, node);
    g->building = -1; /* (until here infer could add outputs) */
    if (!inferred) {
        /* Keep the failed node out of the graph: it is always the newest. */
        if (node == g->n - 1) {
            free_node(n);
            g->n--;
        }
        return TFC_NO_OUT;
    }
    if (n->def->flags & TFC_OP_VARIABLE) {
        int *nv = realloc(g->vars, (size_t)(g->nvars + 1) * sizeof *nv);
        if (!nv) return oom(g), TFC_NO_OUT;
        g->vars = nv;
        g->vars[g->nvars++] = node;
    }
    return (tfc_out){node, 0};
}

void tfc_node_set_output(tfc_graph *g, int node, int i, tfc_dtype dt, tfc_shape shape)
{
    tfc_node *n = &g->nodes[node];
    if (i < 0 || i >= TFC_MAX_OUTPUTS) return;
    if (i >= n->nout && node == g->building) {
        tfc_dtype *nd = realloc(n->out_dtype, (size_t)(i + 1) * sizeof *nd);
        if (nd) n->out_dtype = nd;
        tfc_shape *ns = nd ? realloc(n->out_shape, (size_t)(i + 1) * sizeof *ns) : NULL;
        if (!ns) {
            oom(g);
            return;
        }
        n->out_shape = ns;
        for (int k = n->nout; k <= i; k++) {
            n->out_dtype[k] = TFC_INVALID;
            n->out_shape[k] = TFC_UNKNOWN_SHAPE;
        }
        n->nout = i + 1;
    }
    if (i >= n->nout) return;
    n->out_dtype[i] = dt;
    n->out_shape[i] = shape;
}

bool tfc_node_error(tfc_graph *g, int node, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tfc_fail(g->st, TFC_INVALID_ARGUMENT, "node '%s' (%s): %s", g->nodes[node].name,
                    g->nodes[node].def->type, msg);
}

bool tfc_builder_array(tfc_graph *g, const char *builder, const char *name, const char *dflt, const char *arg, const void *v,
                       int64_t n)
{
    if (v || n <= 0) return true;
    if (g && tfc_ok(g->st))
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s (node '%s%s'): %s is NULL but its count is %lld", builder, tfc_scope(g),
                 name ? name : dflt, arg, (long long)n);
    return false;
}

bool tfc_builder_shape(tfc_graph *g, const char *builder, const char *name, const char *dflt, tfc_shape s, bool unknown_rank,
                       bool unknown_dims, int64_t max_dim)
{
    char why[160] = "";
    if (s.rank < (unknown_rank ? -1 : 0) || s.rank > TFC_MAX_DIMS)
        snprintf(why, sizeof why, "a shape of rank %d (ranks go from %d to %d)", s.rank, unknown_rank ? -1 : 0, TFC_MAX_DIMS);
    for (int i = 0; !why[0] && i < s.rank; i++)
        if (s.dims[i] < (unknown_dims ? -1 : 0) || s.dims[i] > max_dim)
            snprintf(why, sizeof why, "dim %d of the shape is %lld (dims go from %d to %lld)", i, (long long)s.dims[i],
                     unknown_dims ? -1 : 0, (long long)max_dim);
    if (!why[0]) return true;
    if (g && tfc_ok(g->st))
        tfc_fail(g->st, TFC_INVALID_ARGUMENT, "%s (node '%s%s'): %s", builder, tfc_scope(g), name ? name : dflt, why);
    return false;
}

static bool is_variable(const tfc_graph *g, int node)
{
    return g && node >= 0 && node < g->n && (g->nodes[node].def->flags & TFC_OP_VARIABLE);
}

void tfc_variable_set_initializer(tfc_graph *g, int var, int init)
{
    if (is_variable(g, var) && init >= -1 && init < g->n) g->nodes[var].init = init;
}

tfc_dtype tfc_variable_dtype(const tfc_graph *g, int var)
{
    return is_variable(g, var) ? tfc_attr_type(g, var, "dtype", TFC_INVALID) : TFC_INVALID;
}

tfc_shape tfc_variable_shape(const tfc_graph *g, int var)
{
    const tfc_attr *a = is_variable(g, var) ? tfc_node_find_attr(g, var, "shape") : NULL;
    return a && a->kind == TFC_ATTR_SHAPE ? a->shape : TFC_UNKNOWN_SHAPE;
}

int tfc_variable_initializer(const tfc_graph *g, int var) { return is_variable(g, var) ? g->nodes[var].init : -1; }

void tfc_variable_set_trainable(tfc_graph *g, int var, bool trainable)
{
    if (is_variable(g, var)) g->nodes[var].trainable = trainable;
}

void tfc_graph_colocate_since(tfc_graph *g, int first, int node)
{
    if (!g || node < 0 || node >= g->n || !tfc_ok(g->st)) return;
    char loc[600];
    snprintf(loc, sizeof loc, "loc:@%s", g->nodes[node].name);
    const char *cls[1] = {loc};
    for (int n = first < 0 ? 0 : first; n < g->n; n++) tfc_set_attr_strings(g, n, "_class", cls, 1);
}

const tfc_tensor *tfc_graph_const_value(const tfc_graph *g, tfc_out o)
{
    if (!valid_out(g, o) || strcmp(g->nodes[o.node].def->type, "Const") != 0) return NULL;
    const tfc_attr *a = tfc_node_find_attr(g, o.node, "value");
    return a && a->kind == TFC_ATTR_TENSOR ? a->tensor : NULL;
}

/* ---- introspection ---- */

int tfc_graph_num_nodes(const tfc_graph *g) { return g ? g->n : 0; }

int tfc_graph_find(const tfc_graph *g, const char *name)
{
    for (int i = 0; g && name && i < g->n; i++)
        if (strcmp(g->nodes[i].name, name) == 0) return i;
    return -1;
}

/* Node `node` of g, NULL when g is NULL or has no such node. */
static const tfc_node *node_at(const tfc_graph *g, int node) { return g && node >= 0 && node < g->n ? &g->nodes[node] : NULL; }

const char *tfc_node_name(const tfc_graph *g, int node) { return node_at(g, node) ? g->nodes[node].name : NULL; }
const char *tfc_node_op(const tfc_graph *g, int node) { return node_at(g, node) ? g->nodes[node].def->type : NULL; }
const char *tfc_node_device(const tfc_graph *g, int node) { return node_at(g, node) ? g->nodes[node].device : NULL; }
int tfc_node_num_inputs(const tfc_graph *g, int node) { return node_at(g, node) ? g->nodes[node].nin : 0; }

tfc_out tfc_node_input(const tfc_graph *g, int node, int i)
{
    const tfc_node *n = node_at(g, node);
    return n && i >= 0 && i < n->nin ? n->in[i] : TFC_NO_OUT;
}

int tfc_node_num_controls(const tfc_graph *g, int node) { return node_at(g, node) ? g->nodes[node].nctl : 0; }

int tfc_node_control(const tfc_graph *g, int node, int i)
{
    const tfc_node *n = node_at(g, node);
    return n && i >= 0 && i < n->nctl ? n->ctl[i] : -1;
}

int tfc_node_num_outputs(const tfc_graph *g, int node) { return node_at(g, node) ? g->nodes[node].nout : 0; }
tfc_dtype tfc_node_output_dtype(const tfc_graph *g, int node, int i) { return tfc_out_dtype(g, (tfc_out){node, i}); }
tfc_shape tfc_node_output_shape(const tfc_graph *g, int node, int i) { return tfc_out_shape(g, (tfc_out){node, i}); }
int tfc_node_num_attrs(const tfc_graph *g, int node) { return node_at(g, node) ? g->nodes[node].nattr : 0; }

const tfc_attr *tfc_node_attr(const tfc_graph *g, int node, int i)
{
    const tfc_node *n = node_at(g, node);
    return n && i >= 0 && i < n->nattr ? &n->attrs[i] : NULL;
}

const tfc_attr *tfc_node_find_attr(const tfc_graph *g, int node, const char *name)
{
    const tfc_node *n = node_at(g, node);
    for (int i = 0; n && name && i < n->nattr; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

tfc_dtype tfc_out_dtype(const tfc_graph *g, tfc_out o) { return valid_out(g, o) ? g->nodes[o.node].out_dtype[o.index] : TFC_INVALID; }

tfc_shape tfc_out_shape(const tfc_graph *g, tfc_out o)
{
    return valid_out(g, o) ? g->nodes[o.node].out_shape[o.index] : TFC_UNKNOWN_SHAPE;
}

const char *tfc_out_name(const tfc_graph *g, tfc_out o, char *buf, size_t n)
{
    if (!buf || !n) return "";
    if (!valid_out(g, o))
        snprintf(buf, n, "<invalid>");
    else
        snprintf(buf, n, "%s:%d", g->nodes[o.node].name, o.index);
    return buf;
}

int tfc_graph_num_variables(const tfc_graph *g) { return g ? g->nvars : 0; }
int tfc_graph_variable(const tfc_graph *g, int i) { return g && i >= 0 && i < g->nvars ? g->vars[i] : -1; }
bool tfc_variable_trainable(const tfc_graph *g, int node) { return is_variable(g, node) && g->nodes[node].trainable; }

/* ---- collections ---- */

static tfc_collection *find_collection(const tfc_graph *g, const char *key)
{
    for (int i = 0; g && key && i < g->ncollections; i++)
        if (strcmp(g->collections[i].key, key) == 0) return &g->collections[i];
    return NULL;
}

bool tfc_graph_add_to_collection(tfc_graph *g, const char *key, const char *item)
{
    if (!g || !tfc_ok(g->st)) return false;
    if (!key || !item) return tfc_fail(g->st, TFC_INVALID_ARGUMENT, "a collection needs a key and an item (NULL given)");
    tfc_collection *c = find_collection(g, key);
    if (!c) {
        tfc_collection *nc = realloc(g->collections, (size_t)(g->ncollections + 1) * sizeof *nc);
        if (!nc) return oom(g);
        g->collections = nc;
        c = &nc[g->ncollections];
        memset(c, 0, sizeof *c);
        if (!(c->key = strdup(key))) return oom(g);
        g->ncollections++;
    }
    char **ni = realloc(c->items, (size_t)(c->n + 1) * sizeof *ni);
    if (!ni) return oom(g);
    c->items = ni;
    if (!(c->items[c->n] = strdup(item))) return oom(g);
    c->n++;
    return true;
}

int tfc_graph_num_collections(const tfc_graph *g) { return g ? g->ncollections : 0; }

const char *tfc_graph_collection_key(const tfc_graph *g, int i)
{
    return g && i >= 0 && i < g->ncollections ? g->collections[i].key : NULL;
}

int tfc_graph_collection_size(const tfc_graph *g, const char *key)
{
    const tfc_collection *c = find_collection(g, key);
    return c ? c->n : 0;
}

const char *tfc_graph_collection_item(const tfc_graph *g, const char *key, int i)
{
    const tfc_collection *c = find_collection(g, key);
    return c && i >= 0 && i < c->n ? c->items[i] : NULL;
}

tfc_out tfc_graph_tensor(const tfc_graph *g, const char *name)
{
    if (!g || !name) return TFC_NO_OUT;
    const char *colon = strrchr(name, ':');
    long index = 0;
    if (colon) {
        char *end;
        index = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || index < 0 || index >= TFC_MAX_OUTPUTS) return TFC_NO_OUT;
    }
    size_t len = colon ? (size_t)(colon - name) : strlen(name);
    for (int i = 0; i < g->n; i++) {
        if (strncmp(g->nodes[i].name, name, len) != 0 || g->nodes[i].name[len]) continue;
        /* "name" is the node itself (output 0, or an op with no outputs as a target) */
        return !colon || index < g->nodes[i].nout ? (tfc_out){i, (int)index} : TFC_NO_OUT;
    }
    return TFC_NO_OUT;
}

int64_t tfc_attr_int(const tfc_graph *g, int node, const char *name, int64_t dflt)
{
    const tfc_attr *a = tfc_node_find_attr(g, node, name);
    return a && a->kind == TFC_ATTR_INT ? a->i : dflt;
}

float tfc_attr_float(const tfc_graph *g, int node, const char *name, float dflt)
{
    const tfc_attr *a = tfc_node_find_attr(g, node, name);
    return a && a->kind == TFC_ATTR_FLOAT ? a->f : dflt;
}

bool tfc_attr_bool(const tfc_graph *g, int node, const char *name, bool dflt)
{
    const tfc_attr *a = tfc_node_find_attr(g, node, name);
    return a && a->kind == TFC_ATTR_BOOL ? a->b : dflt;
}

tfc_dtype tfc_attr_type(const tfc_graph *g, int node, const char *name, tfc_dtype dflt)
{
    const tfc_attr *a = tfc_node_find_attr(g, node, name);
    return a && a->kind == TFC_ATTR_TYPE ? a->type : dflt;
}

const char *tfc_attr_string(const tfc_graph *g, int node, const char *name, const char *dflt)
{
    const tfc_attr *a = tfc_node_find_attr(g, node, name);
    return a && a->kind == TFC_ATTR_STRING ? a->s : dflt;
}
