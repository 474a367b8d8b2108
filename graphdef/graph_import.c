/* GraphDefs into engine graphs (see graph_import.h): the whole GraphDef is checked first (op
 * types, names, inputs, arity, order), then the nodes are added inputs-first with their attrs, and
 * the shapes the ops infer are checked against TensorFlow's _output_shapes. */
#include "graph_import.h"
#include "graph_import_proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graph_file.h"
#include "meta_graph.h"
#include "meta_graph.pb-c.h"
#include "op.h"
#include "pb_check.h"
#include "tensor_proto.h"

/* Longest name, op type, attr key or device accepted (TensorFlow has no limit; ours keeps every
 * error message whole). */
#define NAME_MAX_LEN 400
/* The largest tensor an attr may hold (a Const's value). */
#define TENSOR_MAX_BYTES ((int64_t)1 << 30)

/* ---- names ---- */

/* TensorFlow's node names: [A-Za-z0-9.][A-Za-z0-9_./>-]* */
static bool valid_node_name(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > NAME_MAX_LEN) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && (i == 0 || (c != '_' && c != '/' && c != '>' && c != '-'))) return false;
    }
    return true;
}

/* Op types, attr keys and devices: printable, no spaces, bounded; anything else is not printed. */
static bool printable(const char *s, bool empty_ok)
{
    size_t n = strlen(s);
    if ((!n && !empty_ok) || n > NAME_MAX_LEN) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~') return false;
    return true;
}

typedef struct {
    int *slots; /* NodeDef index + 1, 0 when empty */
    size_t cap;
    Tensorflow__NodeDef *const *nodes;
} name_index;

static uint64_t hash_n(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The NodeDef index of the first n bytes of s as a name, -1 if none; with add, enters index i
 * (returning -2 when the name is taken). */
static int index_find(name_index *x, const char *s, size_t n, bool add, int i)
{
    size_t j = hash_n(s, n) & (x->cap - 1);
    for (; x->slots[j]; j = (j + 1) & (x->cap - 1)) {
        const char *name = x->nodes[x->slots[j] - 1]->name;
        if (strncmp(name, s, n) == 0 && !name[n]) return add ? -2 : x->slots[j] - 1;
    }
    if (!add) return -1;
    x->slots[j] = i + 1;
    return i;
}

/* ---- one input string: "name", "name:k", "^name" ---- */

typedef struct {
    int src; /* NodeDef index */
    long index;
    bool control;
} parsed_input;

static bool parse_input(name_index *x, const char *s, parsed_input *out)
{
    out->control = s[0] == '^';
    if (out->control) s++;
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    out->index = 0;
    if (colon) {
        if (out->control || !colon[1] || strlen(colon + 1) > 6) return false;
        for (const char *p = colon + 1; *p; p++)
            if (*p < '0' || *p > '9') return false;
        out->index = strtol(colon + 1, NULL, 10);
        if (out->index >= TFC_MAX_OUTPUTS) return false;
    }
    out->src = index_find(x, s, n, false, 0);
    return out->src >= 0;
}

/* ---- the checks before anything is added ---- */

typedef struct {
    const Tensorflow__GraphDef *gd;
    const char *prefix; /* "" or "PREFIX/" */
    name_index names;
    int *order;   /* NodeDef indices, inputs first */
    int *node_id; /* NodeDef index -> tfc node */
    tfc_status *st;
} importer;

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static bool one_of(const char *op, const char *const *types, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(op, types[i]) == 0) return true;
    return false;
}

/* The op types only TensorFlow 1's loops have (tf.while_loop, and dynamic_rnn built on it). */
static bool loop_op(const char *op)
{
    static const char *const loop[] = {"Enter", "Exit", "NextIteration", "LoopCond", "RefEnter", "RefExit",
                                       "RefNextIteration"};
    return one_of(op, loop, sizeof loop / sizeof *loop);
}

/* TensorFlow 2's functional control flow (control flow v2: tf.cond and tf.while_loop as ops calling
 * functions). */
static bool control_flow_v2_op(const char *op)
{
    static const char *const v2[] = {"If", "StatelessIf", "While", "StatelessWhile", "Case", "StatelessCase",
                                     "_If", "_While"};
    return one_of(op, v2, sizeof v2 / sizeof *v2);
}

/* Every op type tfc lacks, in one error with its node count (and what a loop's mean). */
static bool check_op_types(const importer *im)
{
    size_t n = im->gd->n_node, nbad = 0;
    const char **bad = malloc((n ? n : 1) * sizeof *bad);
    if (!bad) return tfc_fail(im->st, TFC_INTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *op = im->gd->node[i]->op;
        if (!printable(op, false) || !tfc_op_lookup(op)) bad[nbad++] = printable(op, false) ? op : "<unprintable>";
    }
    if (!nbad) {
        free(bad);
        return true;
    }
    qsort(bad, nbad, sizeof *bad, cmp_str);
    size_t ntypes = 0;
    for (size_t i = 0; i < nbad; i++) ntypes += i == 0 || strcmp(bad[i], bad[i - 1]) != 0;
    char list[900] = "";
    size_t len = 0, listed = 0;
    for (size_t i = 0; i < nbad;) {
        size_t k = i;
        while (k < nbad && strcmp(bad[k], bad[i]) == 0) k++;
        char item[NAME_MAX_LEN + 40];
        snprintf(item, sizeof item, "%s%s (%zu node%s)", listed ? ", " : "", bad[i], k - i, k - i == 1 ? "" : "s");
        if (len + strlen(item) + 24 >= sizeof list) break;
        len += (size_t)snprintf(list + len, sizeof list - len, "%s", item);
        listed++;
        i = k;
    }
    if (listed < ntypes) snprintf(list + len, sizeof list - len, " and %zu more", ntypes - listed);
    bool loops = false, calls = false, v2 = false;
    for (size_t i = 0; i < nbad; i++) {
        loops |= loop_op(bad[i]);
        calls |= strcmp(bad[i], "StatefulPartitionedCall") == 0 || strcmp(bad[i], "PartitionedCall") == 0;
        v2 |= control_flow_v2_op(bad[i]);
    }
    free(bad);
    return tfc_fail(im->st, TFC_NOT_FOUND, "%zu op type%s %s not supported by tfc: %s%s%s%s", ntypes, ntypes == 1 ? "" : "s",
                    ntypes == 1 ? "is" : "are", list,
                    loops ? " (a tf.while_loop's, or dynamic_rnn's: tfc runs tf.cond but not loops)" : "",
                    calls ? " (calls of TensorFlow 2 functions (tf.function): tfc runs graphs of ops, as tf.compat.v1 "
                            "builds them)" : "",
                    v2 ? " (TensorFlow 2's control flow: tfc runs tf.cond as TensorFlow 1 builds it, Switch and Merge, "
                         "which tf.compat.v1.disable_control_flow_v2() or disable_v2_behavior() gives)" : "");
}

static bool check_names(importer *im)
{
    size_t n = im->gd->n_node;
    im->names.cap = 16;
    while (im->names.cap < 2 * n) im->names.cap *= 2;
    im->names.slots = calloc(im->names.cap, sizeof *im->names.slots);
    im->names.nodes = im->gd->node;
    if (!im->names.slots) return tfc_fail(im->st, TFC_INTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const Tensorflow__NodeDef *nd = im->gd->node[i];
        if (!valid_node_name(nd->name))
            return tfc_fail(im->st, TFC_INVALID_ARGUMENT, "node %zu: %s is not a TensorFlow node name", i,
                            printable(nd->name, false) ? nd->name : "its name");
        if (!printable(nd->device, true))
            return tfc_fail(im->st, TFC_INVALID_ARGUMENT, "node '%s': its device is not a device name", nd->name);
        if (index_find(&im->names, nd->name, strlen(nd->name), true, (int)i) == -2)
            return tfc_fail(im->st, TFC_INVALID_ARGUMENT, "node '%s' is defined twice", nd->name);
    }
    return true;
}

/* Checks every input and puts the nodes in an order where each comes after its inputs (Kahn's
 * algorithm, taking the earliest ready NodeDef first: TensorFlow's own order when it is one). */
static bool order_nodes(importer *im)
{
    size_t n = im->gd->n_node, nedges = 0;
    for (size_t i = 0; i < n; i++) nedges += im->gd->node[i]->n_input;
    int *indeg = calloc(n + 1, sizeof *indeg), *start = calloc(n + 2, sizeof *start);
    int *users = malloc((nedges ? nedges : 1) * sizeof *users), *heap = malloc((n + 1) * sizeof *heap);
    im->order = malloc((n + 1) * sizeof *im->order);
    bool ok = indeg && start && users && heap && im->order;
    if (!ok) tfc_fail(im->st, TFC_INTERNAL, "out of memory");
    for (size_t i = 0; ok && i < n; i++) {
        const Tensorflow__NodeDef *nd = im->gd->node[i];
        bool seen_control = false;
        for (size_t k = 0; ok && k < nd->n_input; k++) {
            parsed_input in;
            const char *s = nd->input[k];
            if (!parse_input(&im->names, s, &in))
                ok = tfc_fail(im->st, TFC_INVALID_ARGUMENT, "node '%s': input %zu (%s) is not a tensor of the graph",
                              nd->name, k, printable(s, false) ? s : "unprintable");
            else if (seen_control && !in.control)
                ok = tfc_fail(im->st, TFC_INVALID_ARGUMENT, "node '%s': data input '%s' after a control input", nd->name, s);
            else if (in.src == (int)i)
                ok = tfc_fail(im->st, TFC_INVALID_ARGUMENT, "node '%s' is its own input", nd->name);
            if (!ok) break;
            seen_control |= in.control;
            indeg[i]++;
            start[in.src + 1]++;
        }
    }
    for (size_t i = 0; ok && i < n; i++) start[i + 1] += start[i];
    int *fill = ok ? calloc(n + 1, sizeof *fill) : NULL;
    if (ok && !fill) ok = tfc_fail(im->st, TFC_INTERNAL, "out of memory");
    for (size_t i = 0; ok && i < n; i++) {
        const Tensorflow__NodeDef *nd = im->gd->node[i];
        for (size_t k = 0; k < nd->n_input; k++) {
            parsed_input in;
            parse_input(&im->names, nd->input[k], &in);
            users[start[in.src] + fill[in.src]++] = (int)i;
        }
    }
    free(fill);
    /* a binary min-heap of the ready NodeDef indices */
    size_t nheap = 0, norder = 0;
#define HEAP_PUSH(v)                                                                                                  \
    do {                                                                                                              \
        size_t c_ = nheap++;                                                                                          \
        heap[c_] = (v);                                                                                               \
        while (c_ && heap[(c_ - 1) / 2] > heap[c_]) {                                                                  \
            int t_ = heap[c_];                                                                                        \
            heap[c_] = heap[(c_ - 1) / 2];                                                                            \
            heap[(c_ - 1) / 2] = t_;                                                                                  \
            c_ = (c_ - 1) / 2;                                                                                        \
        }                                                                                                             \
    } while (0)
    for (size_t i = 0; ok && i < n; i++)
        if (!indeg[i]) HEAP_PUSH((int)i);
    while (ok && nheap) {
        int v = heap[0];
        heap[0] = heap[--nheap];
        for (size_t c = 0;;) {
            size_t l = 2 * c + 1, r = l + 1, m = c;
            if (l < nheap && heap[l] < heap[m]) m = l;
            if (r < nheap && heap[r] < heap[m]) m = r;
            if (m == c) break;
            int t = heap[c];
            heap[c] = heap[m];
            heap[m] = t;
            c = m;
        }
        im->order[norder++] = v;
        for (int e = start[v]; e < start[v + 1]; e++)
            if (--indeg[users[e]] == 0) HEAP_PUSH(users[e]);
    }
#undef HEAP_PUSH
    if (ok && norder < n) {
        size_t stuck = 0;
        while (!indeg[stuck]) stuck++;
        ok = tfc_fail(im->st, TFC_INVALID_ARGUMENT,
                      "the graph has a cycle through node '%s' (%s): TensorFlow 1 while loops are not supported",
                      im->gd->node[stuck]->name, im->gd->node[stuck]->op);
    }
    free(indeg);
    free(start);
    free(users);
    free(heap);
    return ok;
}

/* ---- attrs ---- */

/* An error about a node already in the graph: the graph keeps it too. */
static bool node_fail(importer *im, tfc_graph *g, int node, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool node_fail(importer *im, tfc_graph *g, int node, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tfc_node_error(g, node, "%s", msg);
    return tfc_graph_check(g, im->st);
}

static bool attr_error(importer *im, tfc_graph *g, int node, const char *key, const char *why)
{
    return node_fail(im, g, node, "attr '%s': %s", key, why);
}

static bool no_nul(const ProtobufCBinaryData *s) { return !s->len || !memchr(s->data, 0, s->len); }

/* A C string copy of bytes without NUL. */
static char *bytes_str(const ProtobufCBinaryData *s)
{
    char *c = malloc(s->len + 1);
    if (c) {
        if (s->len) memcpy(c, s->data, s->len);
        c[s->len] = '\0';
    }
    return c;
}

static bool set_list_attr(importer *im, tfc_graph *g, int node, const char *key,
                          const Tensorflow__AttrValue__ListValue *l)
{
    int kinds = (l->n_s > 0) + (l->n_i > 0) + (l->n_type > 0) + (l->n_f > 0) + (l->n_b > 0) + (l->n_shape > 0) +
                (l->n_tensor > 0) + (l->n_func > 0);
    if (kinds > 1) return attr_error(im, g, node, key, "a list of several kinds of values");
    if (l->n_f || l->n_b || l->n_shape || l->n_tensor || l->n_func)
        return attr_error(im, g, node, key, "lists of floats, bools, shapes, tensors or functions are not supported");
    if (l->n_s > TFC_MAX_OUTPUTS || l->n_i > TFC_MAX_OUTPUTS || l->n_type > TFC_MAX_OUTPUTS)
        return attr_error(im, g, node, key, "a list too long");
    if (l->n_s) {
        char **v = calloc(l->n_s, sizeof *v);
        bool ok = v != NULL;
        for (size_t i = 0; ok && i < l->n_s; i++) {
            if (!no_nul(&l->s[i])) ok = attr_error(im, g, node, key, "a string with a NUL byte");
            else if (!(v[i] = bytes_str(&l->s[i]))) ok = node_fail(im, g, node, "out of memory");
        }
        if (!v) node_fail(im, g, node, "out of memory");
        if (ok) tfc_set_attr_strings(g, node, key, (const char *const *)v, (int)l->n_s);
        for (size_t i = 0; v && i < l->n_s; i++) free(v[i]);
        free(v);
        return ok;
    }
    if (l->n_type) {
        tfc_dtype *v = malloc(l->n_type * sizeof *v);
        if (!v) return node_fail(im, g, node, "out of memory");
        for (size_t i = 0; i < l->n_type; i++) v[i] = (tfc_dtype)l->type[i];
        tfc_set_attr_types(g, node, key, v, (int)l->n_type);
        free(v);
        return true;
    }
    /* ints, and the empty list (of whatever kind: TensorFlow does not say) */
    tfc_set_attr_ints(g, node, key, l->i, (int)l->n_i);
    return true;
}

static bool set_attr(importer *im, tfc_graph *g, int node, const char *key,
                     const Tensorflow__AttrValue *v)
{
    const char *why = NULL;
    switch (v->value_case) {
    case TENSORFLOW__ATTR_VALUE__VALUE_S: {
        if (!no_nul(&v->s)) return attr_error(im, g, node, key, "a string with a NUL byte");
        char *s = bytes_str(&v->s);
        if (!s) return node_fail(im, g, node, "out of memory");
        tfc_set_attr_string(g, node, key, s);
        free(s);
        return true;
    }
    case TENSORFLOW__ATTR_VALUE__VALUE_I: tfc_set_attr_int(g, node, key, v->i); return true;
    case TENSORFLOW__ATTR_VALUE__VALUE_F: tfc_set_attr_float(g, node, key, v->f); return true;
    case TENSORFLOW__ATTR_VALUE__VALUE_B: tfc_set_attr_bool(g, node, key, v->b); return true;
    case TENSORFLOW__ATTR_VALUE__VALUE_TYPE: tfc_set_attr_type(g, node, key, (tfc_dtype)v->type); return true;
    case TENSORFLOW__ATTR_VALUE__VALUE_SHAPE: {
        tfc_shape s;
        if (!tfc_shape_from_proto(v->shape, &s, &why)) return attr_error(im, g, node, key, why);
        tfc_set_attr_shape(g, node, key, s);
        return true;
    }
    case TENSORFLOW__ATTR_VALUE__VALUE_TENSOR: {
        tfc_shape s;
        if (!v->tensor) return attr_error(im, g, node, key, "no tensor");
        if (!tfc_shape_from_proto(v->tensor->tensor_shape, &s, &why)) return attr_error(im, g, node, key, why);
        int64_t numel = tfc_shape_numel(s), es = (int64_t)tfc_dtype_size((tfc_dtype)v->tensor->dtype);
        bool dims_known = s.rank >= 0;
        for (int i = 0; i < s.rank; i++) dims_known &= s.dims[i] >= 0;
        /* (known dims whose product overflows an int64 are larger too) */
        if (dims_known && es && (numel < 0 || numel > TENSOR_MAX_BYTES / es))
            return attr_error(im, g, node, key, "a tensor larger than 1 GiB");
        tfc_tensor *t = tfc_tensor_from_proto(v->tensor, &why);
        if (!t) return attr_error(im, g, node, key, why);
        tfc_set_attr_tensor(g, node, key, t);
        tfc_tensor_free(t);
        return true;
    }
    case TENSORFLOW__ATTR_VALUE__VALUE_LIST:
        return v->list ? set_list_attr(im, g, node, key, v->list) : attr_error(im, g, node, key, "no list");
    default:
        /* functions and placeholders belong to function libraries, which tfc does not run */
        return attr_error(im, g, node, key, "a function, placeholder or empty value");
    }
}

/* ---- shapes ---- */

static bool check_output_shapes(importer *im, tfc_graph *g, int node, const Tensorflow__AttrValue *v)
{
    if (v->value_case != TENSORFLOW__ATTR_VALUE__VALUE_LIST || !v->list ||
        (v->list->n_shape == 0 && (v->list->n_s || v->list->n_i || v->list->n_f || v->list->n_type)))
        return attr_error(im, g, node, "_output_shapes", "not a list of shapes");
    int nout = tfc_node_num_outputs(g, node);
    if ((int)v->list->n_shape != nout)
        return node_fail(im, g, node, "TensorFlow lists %zu output shapes, tfc's op has %d outputs", v->list->n_shape, nout);
    for (int i = 0; i < nout; i++) {
        tfc_shape tf;
        const char *why;
        if (!tfc_shape_from_proto(v->list->shape[i], &tf, &why)) return attr_error(im, g, node, "_output_shapes", why);
        tfc_shape ours = tfc_node_output_shape(g, node, i);
        if (!tfc_shape_compatible(ours, tf)) {
            char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
            return node_fail(im, g, node, "output %d has shape %s in tfc, %s in TensorFlow's _output_shapes", i,
                             tfc_shape_str(ours, a), tfc_shape_str(tf, b));
        }
    }
    return true;
}

/* ---- adding the nodes ---- */

static char *prefixed(const importer *im, const char *name)
{
    size_t n = strlen(im->prefix) + strlen(name) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", im->prefix, name);
    return s;
}

static int cmp_attr_key(const void *a, const void *b)
{
    return strcmp((*(Tensorflow__NodeDef__AttrEntry *const *)a)->key, (*(Tensorflow__NodeDef__AttrEntry *const *)b)->key);
}

static bool add_one(importer *im, tfc_graph *g, int i)
{
    const Tensorflow__NodeDef *nd = im->gd->node[i];
    size_t ndata = 0;
    tfc_out *ins = malloc((nd->n_input ? nd->n_input : 1) * sizeof *ins);
    char *name = prefixed(im, nd->name);
    if (!ins || !name) {
        free(ins);
        free(name);
        return tfc_fail(im->st, TFC_INTERNAL, "out of memory");
    }
    bool ok = true;
    for (size_t k = 0; k < nd->n_input; k++) {
        parsed_input in;
        parse_input(&im->names, nd->input[k], &in);
        if (in.control) break;
        ins[ndata++] = (tfc_out){im->node_id[in.src], (int)in.index};
        if (in.index >= tfc_node_num_outputs(g, im->node_id[in.src])) {
            ok = tfc_fail(im->st, TFC_INVALID_ARGUMENT, "node '%s' (%s): input %zu (%s): node '%s' (%s) has %d output%s",
                          nd->name, nd->op, k, nd->input[k], im->gd->node[in.src]->name, im->gd->node[in.src]->op,
                          tfc_node_num_outputs(g, im->node_id[in.src]),
                          tfc_node_num_outputs(g, im->node_id[in.src]) == 1 ? "" : "s");
            break;
        }
    }
    int node = ok ? tfc_node_import(g, nd->op, name, nd->device, ins, (int)ndata) : -1;
    free(ins);
    free(name);
    if (node < 0) return ok ? tfc_graph_check(g, im->st) : false;
    im->node_id[i] = node;
    for (size_t k = ndata; k < nd->n_input; k++) {
        parsed_input in;
        parse_input(&im->names, nd->input[k], &in);
        tfc_node_add_control(g, node, im->node_id[in.src]);
    }
    /* attrs in key order, so that the graph does not depend on the map's order in the file */
    Tensorflow__NodeDef__AttrEntry **attrs = malloc((nd->n_attr ? nd->n_attr : 1) * sizeof *attrs);
    if (!attrs) return node_fail(im, g, node, "out of memory");
    if (nd->n_attr) memcpy(attrs, nd->attr, nd->n_attr * sizeof *attrs);
    qsort(attrs, nd->n_attr, sizeof *attrs, cmp_attr_key);
    const Tensorflow__AttrValue *shapes = NULL;
    for (size_t k = 0; ok && k < nd->n_attr; k++) {
        const char *key = attrs[k]->key;
        if (!printable(key, false)) ok = node_fail(im, g, node, "an attr key is not a name");
        else if (k && strcmp(key, attrs[k - 1]->key) == 0) ok = attr_error(im, g, node, key, "given twice");
        else if (!attrs[k]->value) ok = attr_error(im, g, node, key, "no value");
        else if (strcmp(key, "_output_shapes") == 0) shapes = attrs[k]->value;
        else ok = set_attr(im, g, node, key, attrs[k]->value);
    }
    free(attrs);
    if (!ok) return false;
    if (!tfc_out_ok(tfc_node_finish(g, node)) && !tfc_graph_ok(g)) return tfc_graph_check(g, im->st);
    return tfc_graph_check(g, im->st) && (!shapes || check_output_shapes(im, g, node, shapes));
}

/* A GraphDef carries no VariableDefs: a variable's initialiser is taken to be NAME/Assign (an Assign
 * or AssignVariableOp writing it), as tf.Variable builds it. */
static void default_initializers(tfc_graph *g, int first)
{
    for (int v = first; v < tfc_graph_num_nodes(g); v++) {
        if (!(tfc_op_lookup(tfc_node_op(g, v))->flags & TFC_OP_VARIABLE)) continue;
        char name[NAME_MAX_LEN * 2 + 16];
        snprintf(name, sizeof name, "%s/Assign", tfc_node_name(g, v));
        tfc_out a = tfc_graph_tensor(g, name);
        if (a.node > v && tfc_node_num_inputs(g, a.node) >= 1 && tfc_node_input(g, a.node, 0).node == v &&
            (strcmp(tfc_node_op(g, a.node), "Assign") == 0 || strcmp(tfc_node_op(g, a.node), "AssignVariableOp") == 0))
            tfc_variable_set_initializer(g, v, a.node);
        tfc_variable_set_trainable(g, v, true);
    }
}

bool tfc_graph_import_proto(tfc_graph *g, const Tensorflow__GraphDef *gd, const char *prefix, tfc_status *st)
{
    if (!g) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no graph to import into");
    if (!tfc_graph_check(g, st)) return false;
    char pre[NAME_MAX_LEN + 2] = "";
    if (prefix && *prefix) {
        size_t n = strlen(prefix);
        if (prefix[n - 1] == '/') n--;
        if (n > NAME_MAX_LEN - 1 || snprintf(pre, sizeof pre, "%.*s/", (int)n, prefix) < 0 || !valid_node_name(pre) ||
            strstr(pre, "//"))
            return tfc_fail(st, TFC_INVALID_ARGUMENT, "import prefix '%s' is not a TensorFlow name scope", prefix);
    }
    importer im = {.gd = gd, .prefix = pre, .st = st};
    im.node_id = calloc(gd->n_node + 1, sizeof *im.node_id);
    bool ok = im.node_id ? true : tfc_fail(st, TFC_INTERNAL, "out of memory");
    ok = ok && check_op_types(&im) && check_names(&im) && order_nodes(&im);
    int first = tfc_graph_num_nodes(g);
    for (size_t k = 0; ok && k < gd->n_node; k++) ok = add_one(&im, g, im.order[k]);
    if (ok) default_initializers(g, first);
    free(im.names.slots);
    free(im.order);
    free(im.node_id);
    return ok;
}

bool tfc_graph_import(tfc_graph *g, const void *bytes, size_t len, const char *prefix, tfc_status *st)
{
    if (!bytes && len) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_graph_import: bytes is NULL but len is %zu", len);
    Tensorflow__GraphDef *gd = tensorflow__graph_def__unpack(NULL, len, bytes);
    if (!gd) return tfc_fail(st, TFC_DATA_LOSS, "not a GraphDef (%zu bytes that do not parse as one: corrupt or truncated)", len);
    bool ok = tfc_graph_import_proto(g, gd, prefix, st);
    tensorflow__graph_def__free_unpacked(gd, NULL);
    return ok;
}

bool tfc_graph_import_file(tfc_graph *g, const char *path, const char *prefix, tfc_status *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) return tfc_fail(st, TFC_NOT_FOUND, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    unsigned char *buf = NULL, head[256];
    size_t len = 0;
    tfc_graph_file_kind kind = TFC_GRAPH_FILE_GRAPHDEF;
    bool ok;
    uint64_t bad = 0;
    int valid = 1;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: not a file", path);
    else if ((size_t)sb.st_size > TFC_GRAPH_FILE_MAX)
        ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: %lld bytes, more than a GraphDef can hold", path, (long long)sb.st_size);
    else if ((kind = tfc_graph_file_kind_of(path, head, fread(head, 1, sizeof head, f))) == TFC_GRAPH_FILE_TEXT)
        ok = tfc_graph_file_text_error(path, st);
    /* Its fields checked in the file before it is read whole: a node claiming gigabytes of zeros
     * (a hole) is refused after a few bytes, not after reading them. */
    else if ((valid = tfc_pb_check_file(fileno(f), 0, (uint64_t)sb.st_size, tfc_graph_file_descriptor(kind), &bad)) != 1)
        ok = valid ? tfc_fail(st, TFC_IO, "%s: read failed", path)
                   : tfc_fail(st, TFC_DATA_LOSS, "%s: not a %s (no valid protobuf field at offset %llu: corrupt or truncated)",
                              path, tfc_graph_file_kind_name(kind), (unsigned long long)bad);
    else if (fseek(f, 0, SEEK_SET) != 0 || !(buf = malloc((size_t)sb.st_size + 1)))
        ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    else if ((len = fread(buf, 1, (size_t)sb.st_size, f)) != (size_t)sb.st_size)
        ok = tfc_fail(st, TFC_IO, "%s: read failed", path);
    else
        ok = true;
    fclose(f);
    if (ok && kind == TFC_GRAPH_FILE_SAVED_MODEL) { /* its first MetaGraph */
        uint8_t *meta;
        ok = tfc_saved_model_meta_graph(path, buf, len, &meta, &len, st);
        free(buf);
        buf = meta;
    }
    if (ok) {
        tfc_status *why = tfc_status_new();
        if (!why) ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
        else ok = kind != TFC_GRAPH_FILE_GRAPHDEF ? tfc_meta_graph_import(g, buf, len, prefix, why)
                                                  : tfc_graph_import(g, buf, len, prefix, why);
        if (!ok && why) tfc_fail(st, tfc_status_code(why) ? tfc_status_code(why) : TFC_INTERNAL, "%s: %s", path, tfc_message(why));
        tfc_status_free(why);
    }
    free(buf);
    return ok;
}
