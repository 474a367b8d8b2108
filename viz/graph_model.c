/* GraphDef bytes -> ops with resolved inputs and shapes (function bodies inlined by
 * graph_nodes.c), and the name-scope tree (see graph_model.h). Op names are looked up through a
 * sorted index array and scopes through a hash table of (parent, name), so building costs
 * O(n log n) in the ops and the total length of their names, whatever the names' depth. */
#include "graph_model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.pb-c.h"
#include "graph_aux.h"
#include "graph_nodes.h"

typedef struct {
    const char *key;
    int index;
} name_index;

static int name_index_cmp(const void *a, const void *b)
{
    return strcmp(((const name_index *)a)->key, ((const name_index *)b)->key);
}

static int lookup(const name_index *ix, size_t n, const char *key)
{
    name_index probe = {key, -1};
    const name_index *hit = bsearch(&probe, ix, n, sizeof *ix, name_index_cmp);
    return hit ? hit->index : -1;
}

/* The model keeps its lookup tables next to the public part. */
typedef struct {
    tfc_gdraw_model pub;
    name_index *op_ix; /* nops entries, sorted by name */
    int *scope_tab;    /* open addressing over scopes by (parent, name); -1 for empty */
    size_t scope_cap;  /* a power of two */
} model_impl;

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static tfc_gdraw_kind kind_of(const char *op)
{
    if (!strcmp(op, "VariableV2") || !strcmp(op, "Variable") || !strcmp(op, "VarHandleOp"))
        return TFC_GDRAW_VARIABLE;
    if (!strcmp(op, "Placeholder") || !strcmp(op, "PlaceholderWithDefault") || !strcmp(op, "InputLayer"))
        return TFC_GDRAW_PLACEHOLDER;
    if (!strcmp(op, "Const")) return TFC_GDRAW_CONSTANT;
    return TFC_GDRAW_OP;
}

/* "?x784", "scalar", or NULL for an unknown rank. */
static char *format_shape(const Tensorflow__TensorShapeProto *sh)
{
    if (!sh || sh->unknown_rank) return NULL;
    if (sh->n_dim == 0) return strdup("scalar");
    size_t cap = sh->n_dim * 21 + 1;
    char *s = malloc(cap);
    if (!s) return NULL;
    size_t len = 0;
    for (size_t i = 0; i < sh->n_dim; i++) {
        int64_t d = sh->dim[i]->size;
        if (i) s[len++] = 'x';
        if (d < 0)
            s[len++] = '?';
        else
            len += (size_t)snprintf(s + len, cap - len, "%lld", (long long)d);
    }
    s[len] = '\0';
    return s;
}

static bool take_shapes(tfc_gdraw_op *op, const Tensorflow__NodeDef *nd)
{
    for (size_t i = 0; i < nd->n_attr; i++) {
        const Tensorflow__NodeDef__AttrEntry *e = nd->attr[i];
        if (strcmp(e->key, "_output_shapes") || !e->value ||
            e->value->value_case != TENSORFLOW__ATTR_VALUE__VALUE_LIST || !e->value->list)
            continue;
        const Tensorflow__AttrValue__ListValue *l = e->value->list;
        if (!l->n_shape) return true;
        op->shapes = calloc(l->n_shape, sizeof *op->shapes);
        if (!op->shapes) return false;
        op->nshapes = l->n_shape;
        for (size_t k = 0; k < l->n_shape; k++) op->shapes[k] = format_shape(l->shape[k]);
        return true;
    }
    return true;
}

/* Splits "^name", "name:3" or "name" into the op name and the output (-1 for control). */
static int parse_input(const char *in, size_t *name_len)
{
    if (in[0] == '^') {
        *name_len = strlen(in + 1);
        return -1;
    }
    const char *colon = strrchr(in, ':');
    if (colon && colon[1]) {
        const char *p = colon + 1;
        while (isdigit((unsigned char)*p)) p++;
        if (!*p) {
            *name_len = (size_t)(colon - in);
            return atoi(colon + 1);
        }
    }
    *name_len = strlen(in);
    return 0;
}

void tfc_gdraw_model_free(tfc_gdraw_model *m)
{
    if (!m) return;
    model_impl *mi = (model_impl *)m;
    for (size_t i = 0; i < m->nops; i++) {
        tfc_gdraw_op *op = &m->ops[i];
        free(op->name);
        free(op->op);
        free(op->device);
        free(op->inputs);
        for (size_t k = 0; k < op->nshapes; k++) free(op->shapes[k]);
        free(op->shapes);
    }
    free(m->ops);
    for (size_t i = 0; i < m->nscopes; i++) {
        free(m->scopes[i].name);
        free(m->scopes[i].children);
    }
    free(m->scopes);
    free(mi->op_ix);
    free(mi->scope_tab);
    free(mi);
}

/* ---- the scope tree: each scope interned once as (parent, last component) ---- */

static uint64_t scope_hash(int parent, const char *name, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(unsigned)parent * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
    return h;
}

/* The scope named name[0..len) below parent, or -1. */
static int scope_find(const model_impl *mi, int parent, const char *name, size_t len)
{
    const tfc_gdraw_model *m = &mi->pub;
    if (!mi->scope_cap) return -1;
    for (size_t i = scope_hash(parent, name, len) & (mi->scope_cap - 1);; i = (i + 1) & (mi->scope_cap - 1)) {
        int s = mi->scope_tab[i];
        if (s < 0) return -1;
        const tfc_gdraw_scope *sc = &m->scopes[s];
        if (sc->parent == parent && !strncmp(sc->name, name, len) && !sc->name[len]) return s;
    }
}

static bool scope_table_put(model_impl *mi, int s)
{
    const tfc_gdraw_scope *sc = &mi->pub.scopes[s];
    size_t i = scope_hash(sc->parent, sc->name, strlen(sc->name)) & (mi->scope_cap - 1);
    while (mi->scope_tab[i] >= 0) i = (i + 1) & (mi->scope_cap - 1);
    mi->scope_tab[i] = s;
    return true;
}

/* Rebuilds the hash table for the scopes there are, with room for as many again. */
static bool scope_table_rebuild(model_impl *mi)
{
    size_t cap = 64;
    while (cap < 2 * (mi->pub.nscopes + 1)) cap *= 2;
    int *tab = malloc(cap * sizeof *tab);
    if (!tab) return false;
    free(mi->scope_tab);
    mi->scope_tab = tab;
    mi->scope_cap = cap;
    for (size_t i = 0; i < cap; i++) tab[i] = -1;
    for (size_t s = 1; s < mi->pub.nscopes; s++) scope_table_put(mi, (int)s);
    return true;
}

/* The scope named name[0..len) below parent, created when new (path: the first path_len bytes of
 * path, which outlives the model). -1 when out of memory. */
static int scope_intern(model_impl *mi, size_t *cap, int parent, const char *name, size_t len,
                        const char *path, size_t path_len)
{
    int s = scope_find(mi, parent, name, len);
    if (s >= 0) return s;
    tfc_gdraw_model *m = &mi->pub;
    if (m->nscopes == *cap) {
        tfc_gdraw_scope *ns = realloc(m->scopes, 2 * *cap * sizeof *ns);
        if (!ns) return -1;
        m->scopes = ns;
        *cap *= 2;
    }
    char *copy = dup_n(name, len);
    if (!copy) return -1;
    s = (int)m->nscopes++;
    m->scopes[s] = (tfc_gdraw_scope){.path = path, .path_len = path_len, .name = copy, .parent = parent,
                                     .depth = m->scopes[parent].depth + 1, .op = -1};
    if (2 * m->nscopes > mi->scope_cap) return scope_table_rebuild(mi) ? s : -1;
    scope_table_put(mi, s);
    return s;
}

static const tfc_gdraw_scope *sort_base;

static int child_cmp(const void *a, const void *b)
{
    return strcmp(sort_base[*(const int *)a].name, sort_base[*(const int *)b].name);
}

/* Children lists sorted by name, then the scopes renumbered in depth-first order (a scope before
 * its children, siblings in name order). */
static bool order_scopes(model_impl *mi)
{
    tfc_gdraw_model *m = &mi->pub;
    size_t n = m->nscopes;
    for (size_t s = 1; s < n; s++) m->scopes[m->scopes[s].parent].nchildren++;
    for (size_t s = 0; s < n; s++) {
        tfc_gdraw_scope *sc = &m->scopes[s];
        if (sc->nchildren && !(sc->children = malloc(sc->nchildren * sizeof *sc->children))) return false;
        sc->nchildren = 0;
    }
    for (size_t s = 1; s < n; s++) {
        tfc_gdraw_scope *p = &m->scopes[m->scopes[s].parent];
        p->children[p->nchildren++] = (int)s;
    }
    sort_base = m->scopes;
    for (size_t s = 0; s < n; s++)
        if (m->scopes[s].nchildren > 1)
            qsort(m->scopes[s].children, m->scopes[s].nchildren, sizeof(int), child_cmp);
    int *order = malloc(n * sizeof *order), *renum = malloc(n * sizeof *renum);
    int *stack = malloc(n * sizeof *stack);
    tfc_gdraw_scope *ns = malloc(n * sizeof *ns);
    bool ok = order && renum && stack && ns;
    if (ok) {
        size_t top = 0, k = 0;
        stack[top++] = 0;
        while (top) {
            int s = stack[--top];
            renum[s] = (int)k;
            order[k++] = s;
            for (size_t c = m->scopes[s].nchildren; c-- > 0;) stack[top++] = m->scopes[s].children[c];
        }
        for (size_t i = 0; i < n; i++) {
            ns[i] = m->scopes[order[i]];
            if (ns[i].parent >= 0) ns[i].parent = renum[ns[i].parent];
            for (size_t c = 0; c < ns[i].nchildren; c++) ns[i].children[c] = renum[ns[i].children[c]];
        }
        for (size_t i = 0; i < m->nops; i++) m->ops[i].scope = renum[m->ops[i].scope];
        free(m->scopes);
        m->scopes = ns;
        ns = NULL;
        ok = scope_table_rebuild(mi);
    }
    free(order);
    free(renum);
    free(stack);
    free(ns);
    return ok;
}

/* Every proper prefix of every op name ("a/b/c" gives "a" and "a/b") becomes a scope, interned,
 * so that a name costs its length and not its depth times it; an op whose name is also a scope
 * lives in that scope. */
static bool build_scopes(model_impl *mi, tfc_status *st)
{
    tfc_gdraw_model *m = &mi->pub;
    size_t cap = 64;
    m->scopes = malloc(cap * sizeof *m->scopes);
    char *root_name = strdup("");
    if (!m->scopes || !root_name || !scope_table_rebuild(mi)) {
        free(root_name);
        return tfc_fail(st, TFC_INTERNAL, "out of memory");
    }
    m->nscopes = 1;
    m->scopes[0] = (tfc_gdraw_scope){.path = "", .name = root_name, .parent = -1, .op = -1};
    for (size_t i = 0; i < m->nops; i++) {
        const char *name = m->ops[i].name;
        int parent = 0;
        const char *start = name;
        for (const char *p = strchr(name, '/'); p; p = strchr(p + 1, '/')) {
            parent = scope_intern(mi, &cap, parent, start, (size_t)(p - start), name, (size_t)(p - name));
            if (parent < 0) return tfc_fail(st, TFC_INTERNAL, "out of memory");
            start = p + 1;
        }
        m->ops[i].scope = parent;
    }
    for (size_t i = 0; i < m->nops; i++) {
        const char *slash = strrchr(m->ops[i].name, '/');
        const char *last = slash ? slash + 1 : m->ops[i].name;
        int own = scope_find(mi, m->ops[i].scope, last, strlen(last));
        if (own >= 0) {
            m->ops[i].scope = own;
            m->scopes[own].op = (int)i;
        }
    }
    return order_scopes(mi) || tfc_fail(st, TFC_INTERNAL, "out of memory");
}

static bool take_node(tfc_gdraw_op *op, tfc_gdraw_node *node)
{
    op->name = node->name;
    node->name = NULL;
    op->op = strdup(node->op);
    op->device = strdup(node->nd ? node->nd->device : "");
    if (!op->op || !op->device) return false;
    op->kind = kind_of(op->op);
    if (node->ninputs && !(op->inputs = calloc(node->ninputs, sizeof *op->inputs))) return false;
    return !node->nd || take_shapes(op, node->nd);
}

static bool resolve_inputs(model_impl *mi, const tfc_gdraw_nodes *nodes)
{
    tfc_gdraw_model *m = &mi->pub;
    for (size_t i = 0; i < m->nops; i++) {
        const tfc_gdraw_node *nd = &nodes->nodes[i];
        tfc_gdraw_op *op = &m->ops[i];
        for (size_t k = 0; k < nd->ninputs; k++) {
            const char *in = nd->inputs[k];
            size_t len;
            int out = parse_input(in, &len);
            char *name = dup_n(in[0] == '^' ? in + 1 : in, len);
            if (!name) return false;
            int src = lookup(mi->op_ix, m->nops, name);
            free(name);
            if (src < 0) {
                m->nunresolved++;
                continue;
            }
            op->inputs[op->ninputs++] = (tfc_gdraw_operand){src, out};
        }
    }
    return true;
}

static void count_ops(tfc_gdraw_model *m)
{
    for (size_t i = 0; i < m->nops; i++) {
        for (int s = m->ops[i].scope; s >= 0; s = m->scopes[s].parent) {
            m->scopes[s].nops++;
            if (m->ops[i].aux == TFC_GDRAW_MAIN) m->scopes[s].nmain++;
        }
    }
}

tfc_gdraw_model *tfc_gdraw_model_parse(const uint8_t *buf, size_t len, const char *what,
                                       tfc_status *st)
{
    Tensorflow__GraphDef *gd = tensorflow__graph_def__unpack(NULL, len, buf);
    if (!gd) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: not a valid GraphDef (protobuf parse failed)", what);
        return NULL;
    }
    if (gd->n_node == 0) {
        tensorflow__graph_def__free_unpacked(gd, NULL);
        tfc_fail(st, TFC_DATA_LOSS, "%s: the GraphDef has no nodes", what);
        return NULL;
    }
    tfc_gdraw_nodes nodes;
    if (!tfc_gdraw_nodes_build(gd, &nodes)) {
        tensorflow__graph_def__free_unpacked(gd, NULL);
        tfc_fail(st, TFC_INTERNAL, "out of memory reading %s", what);
        return NULL;
    }
    model_impl *mi = calloc(1, sizeof *mi);
    tfc_gdraw_model *m = mi ? &mi->pub : NULL;
    bool ok = mi && (m->ops = calloc(nodes.n, sizeof *m->ops)) &&
              (mi->op_ix = calloc(nodes.n, sizeof *mi->op_ix));
    if (ok) {
        m->ninlined = nodes.ninlined;
        m->nskipped_calls = nodes.nskipped;
    }
    for (size_t i = 0; ok && i < nodes.n; i++) {
        m->nops++;
        ok = take_node(&m->ops[i], &nodes.nodes[i]);
        mi->op_ix[i] = (name_index){m->ops[i].name, (int)i};
    }
    if (!ok) {
        tfc_fail(st, TFC_INTERNAL, "out of memory reading %s", what);
        goto fail;
    }
    for (size_t i = 0; i < m->nops; i++) {
        const char *name = m->ops[i].name;
        size_t n = strlen(name);
        if (n == 0 || name[0] == '/' || name[n - 1] == '/' || strstr(name, "//")) {
            tfc_fail(st, TFC_DATA_LOSS, "%s: node %zu has an invalid name '%.200s'", what, i, name);
            goto fail;
        }
    }
    qsort(mi->op_ix, m->nops, sizeof *mi->op_ix, name_index_cmp);
    for (size_t i = 1; i < m->nops; i++) {
        if (!strcmp(mi->op_ix[i - 1].key, mi->op_ix[i].key)) {
            tfc_fail(st, TFC_DATA_LOSS, "%s: two nodes are named '%.200s'", what, mi->op_ix[i].key);
            goto fail;
        }
    }
    if (!resolve_inputs(mi, &nodes)) {
        tfc_fail(st, TFC_INTERNAL, "out of memory reading %s", what);
        goto fail;
    }
    if (!build_scopes(mi, st)) goto fail;
    tfc_gdraw_nodes_clear(&nodes);
    tensorflow__graph_def__free_unpacked(gd, NULL);
    if (!tfc_gdraw_mark_aux(m)) {
        tfc_gdraw_model_free(m);
        tfc_fail(st, TFC_INTERNAL, "out of memory reading %s", what);
        return NULL;
    }
    count_ops(m);
    return m;
fail:
    tfc_gdraw_nodes_clear(&nodes);
    tensorflow__graph_def__free_unpacked(gd, NULL);
    tfc_gdraw_model_free(m);
    return NULL;
}

int tfc_gdraw_model_find_scope(const tfc_gdraw_model *m, const char *path)
{
    const model_impl *mi = (const model_impl *)m;
    size_t n = strlen(path);
    while (n && path[n - 1] == '/') n--;
    int s = 0;
    for (size_t start = 0; start < n && s >= 0;) {
        const char *slash = memchr(path + start, '/', n - start);
        size_t end = slash ? (size_t)(slash - path) : n;
        s = scope_find(mi, s, path + start, end - start);
        start = end + 1;
    }
    return s;
}

int tfc_gdraw_model_find_op(const tfc_gdraw_model *m, const char *name)
{
    const model_impl *mi = (const model_impl *)m;
    return lookup(mi->op_ix, m->nops, name);
}

char *tfc_gdraw_scope_path(const tfc_gdraw_model *m, int s)
{
    return dup_n(m->scopes[s].path, m->scopes[s].path_len);
}

bool tfc_gdraw_scope_within(const tfc_gdraw_model *m, int s, int a)
{
    for (; s >= 0; s = m->scopes[s].parent)
        if (s == a) return true;
    return false;
}

bool tfc_gdraw_name_is(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n)) return false;
    if (!name[n]) return true;
    if (name[n] != '_' || !name[n + 1]) return false;
    for (const char *p = name + n + 1; *p; p++)
        if (!isdigit((unsigned char)*p)) return false;
    return true;
}
