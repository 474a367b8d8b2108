/* Building the GraphDef of an engine graph with protobuf-c. Everything the messages point to
 * is allocated from one arena and freed after packing. */
#include "graphdef.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.pb-c.h"

#define PRODUCER 26

typedef struct {
    void **blocks;
    size_t n, cap;
    bool oom;
} arena;

static void *arena_alloc(arena *a, size_t size)
{
    if (a->oom) return NULL;
    if (a->n == a->cap) {
        size_t ncap = a->cap ? 2 * a->cap : 256;
        void **nb = realloc(a->blocks, ncap * sizeof *nb);
        if (!nb) {
            a->oom = true;
            return NULL;
        }
        a->blocks = nb;
        a->cap = ncap;
    }
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        a->oom = true;
        return NULL;
    }
    a->blocks[a->n++] = p;
    return p;
}

static void arena_free(arena *a)
{
    for (size_t i = 0; i < a->n; i++) free(a->blocks[i]);
    free(a->blocks);
}

/* A copy of init in the arena. */
static void *arena_copy(arena *a, const void *init, size_t size)
{
    void *p = arena_alloc(a, size);
    if (p) memcpy(p, init, size);
    return p;
}

#define NEW(a, type, init) ((type *)arena_copy(a, &(type)init, sizeof(type)))

static Tensorflow__TensorShapeProto *shape_proto(arena *a, tfc_shape s)
{
    Tensorflow__TensorShapeProto *p = NEW(a, Tensorflow__TensorShapeProto, TENSORFLOW__TENSOR_SHAPE_PROTO__INIT);
    if (!p) return NULL;
    if (s.rank < 0) {
        p->unknown_rank = true;
        return p;
    }
    p->n_dim = (size_t)s.rank;
    p->dim = arena_alloc(a, (size_t)s.rank * sizeof *p->dim);
    for (int i = 0; p->dim && i < s.rank; i++) {
        p->dim[i] = NEW(a, Tensorflow__TensorShapeProto__Dim, TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT);
        if (p->dim[i]) p->dim[i]->size = s.dims[i] < 0 ? -1 : s.dims[i];
    }
    return p;
}

/* The *_val field TensorFlow uses for a dtype: stores n elements of t (the first n) there.
 * false when the dtype has none (complex types go to tensor_content). */
static bool put_vals(arena *a, Tensorflow__TensorProto *p, const tfc_tensor *t, size_t n)
{
    const unsigned char *d = t->data;
    switch (t->dtype) {
    case TFC_FLOAT:
        p->n_float_val = n;
        if ((p->float_val = arena_alloc(a, n * sizeof(float)))) memcpy(p->float_val, d, n * sizeof(float));
        return true;
    case TFC_DOUBLE:
        p->n_double_val = n;
        if ((p->double_val = arena_alloc(a, n * sizeof(double)))) memcpy(p->double_val, d, n * sizeof(double));
        return true;
    case TFC_INT64:
        p->n_int64_val = n;
        if ((p->int64_val = arena_alloc(a, n * sizeof(int64_t)))) memcpy(p->int64_val, d, n * sizeof(int64_t));
        return true;
    case TFC_UINT64:
        p->n_uint64_val = n;
        if ((p->uint64_val = arena_alloc(a, n * sizeof(uint64_t)))) memcpy(p->uint64_val, d, n * sizeof(uint64_t));
        return true;
    case TFC_UINT32:
        p->n_uint32_val = n;
        if ((p->uint32_val = arena_alloc(a, n * sizeof(uint32_t)))) memcpy(p->uint32_val, d, n * sizeof(uint32_t));
        return true;
    case TFC_BOOL:
        p->n_bool_val = n;
        if ((p->bool_val = arena_alloc(a, n * sizeof *p->bool_val)))
            for (size_t i = 0; i < n; i++) p->bool_val[i] = d[i] != 0;
        return true;
    case TFC_STRING:
        p->n_string_val = n;
        if ((p->string_val = arena_alloc(a, n * sizeof *p->string_val)))
            for (size_t i = 0; i < n; i++) {
                const tfc_bytes *b = &((const tfc_bytes *)d)[i];
                p->string_val[i] = (ProtobufCBinaryData){b->len, (uint8_t *)b->ptr};
            }
        return true;
    case TFC_HALF:
    case TFC_BFLOAT16:
        p->n_half_val = n;
        if ((p->half_val = arena_alloc(a, n * sizeof *p->half_val)))
            for (size_t i = 0; i < n; i++) p->half_val[i] = d[2 * i] | d[2 * i + 1] << 8;
        return true;
    case TFC_INT32:
    case TFC_INT16:
    case TFC_INT8:
    case TFC_UINT8:
    case TFC_UINT16:
        p->n_int_val = n;
        if ((p->int_val = arena_alloc(a, n * sizeof *p->int_val)))
            for (size_t i = 0; i < n; i++) p->int_val[i] = (int32_t)tfc_tensor_get(t, (int64_t)i);
        return true;
    default: return false;
    }
}

static bool all_equal(const tfc_tensor *t)
{
    if (t->dtype == TFC_STRING) {
        const tfc_bytes *b = t->data;
        for (int64_t i = 1; i < t->size; i++)
            if (b[i].len != b[0].len || (b[0].len && memcmp(b[i].ptr, b[0].ptr, b[0].len) != 0)) return false;
        return true;
    }
    size_t es = tfc_dtype_size(t->dtype);
    const unsigned char *d = t->data;
    for (int64_t i = 1; i < t->size; i++)
        if (memcmp(d + (size_t)i * es, d, es) != 0) return false;
    return true;
}

/* As TensorFlow's make_tensor_proto: one *_val element when every element is the same (a scalar,
 * a fill), every element in string_val for strings, raw bytes in tensor_content otherwise. */
static Tensorflow__TensorProto *tensor_proto(arena *a, const tfc_tensor *t)
{
    Tensorflow__TensorProto *p = NEW(a, Tensorflow__TensorProto, TENSORFLOW__TENSOR_PROTO__INIT);
    if (!p) return NULL;
    p->dtype = (Tensorflow__DataType)t->dtype;
    p->tensor_shape = shape_proto(a, t->shape);
    if (t->size == 0) return p;
    bool same = all_equal(t);
    if (same && put_vals(a, p, t, 1)) return p;
    if (t->dtype == TFC_STRING) {
        put_vals(a, p, t, (size_t)t->size);
        return p;
    }
    p->tensor_content = (ProtobufCBinaryData){tfc_tensor_nbytes(t), t->data};
    return p;
}

static Tensorflow__AttrValue__ListValue *new_list(arena *a)
{
    return NEW(a, Tensorflow__AttrValue__ListValue, TENSORFLOW__ATTR_VALUE__LIST_VALUE__INIT);
}

static Tensorflow__AttrValue *attr_value(arena *a, const tfc_attr *at)
{
    Tensorflow__AttrValue *v = NEW(a, Tensorflow__AttrValue, TENSORFLOW__ATTR_VALUE__INIT);
    if (!v) return NULL;
    switch (at->kind) {
    case TFC_ATTR_INT:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_I;
        v->i = at->i;
        break;
    case TFC_ATTR_FLOAT:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_F;
        v->f = at->f;
        break;
    case TFC_ATTR_BOOL:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_B;
        v->b = at->b;
        break;
    case TFC_ATTR_TYPE:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_TYPE;
        v->type = (Tensorflow__DataType)at->type;
        break;
    case TFC_ATTR_SHAPE:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_SHAPE;
        v->shape = shape_proto(a, at->shape);
        break;
    case TFC_ATTR_STRING:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_S;
        v->s = (ProtobufCBinaryData){strlen(at->s), (uint8_t *)at->s};
        break;
    case TFC_ATTR_TENSOR:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_TENSOR;
        v->tensor = tensor_proto(a, at->tensor);
        break;
    case TFC_ATTR_INT_LIST:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST;
        if ((v->list = new_list(a))) {
            v->list->n_i = (size_t)at->ints.n;
            if ((v->list->i = arena_alloc(a, (size_t)at->ints.n * sizeof(int64_t))) && at->ints.n)
                memcpy(v->list->i, at->ints.v, (size_t)at->ints.n * sizeof(int64_t));
        }
        break;
    case TFC_ATTR_STRING_LIST:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST;
        if ((v->list = new_list(a))) {
            v->list->n_s = (size_t)at->strs.n;
            if ((v->list->s = arena_alloc(a, (size_t)at->strs.n * sizeof *v->list->s)))
                for (int i = 0; i < at->strs.n; i++)
                    v->list->s[i] = (ProtobufCBinaryData){strlen(at->strs.v[i]), (uint8_t *)at->strs.v[i]};
        }
        break;
    case TFC_ATTR_TYPE_LIST:
        v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST;
        if ((v->list = new_list(a))) {
            v->list->n_type = (size_t)at->types.n;
            if ((v->list->type = arena_alloc(a, (size_t)at->types.n * sizeof *v->list->type)))
                for (int i = 0; i < at->types.n; i++) v->list->type[i] = (Tensorflow__DataType)at->types.v[i];
        }
        break;
    }
    return v;
}

static Tensorflow__AttrValue *output_shapes(arena *a, const tfc_graph *g, int node)
{
    Tensorflow__AttrValue *v = NEW(a, Tensorflow__AttrValue, TENSORFLOW__ATTR_VALUE__INIT);
    if (!v || !(v->list = new_list(a))) return NULL;
    v->value_case = TENSORFLOW__ATTR_VALUE__VALUE_LIST;
    int n = tfc_node_num_outputs(g, node);
    v->list->n_shape = (size_t)n;
    v->list->shape = arena_alloc(a, (size_t)n * sizeof *v->list->shape);
    for (int i = 0; v->list->shape && i < n; i++) v->list->shape[i] = shape_proto(a, tfc_node_output_shape(g, node, i));
    return v;
}

static int cmp_attr_entry(const void *x, const void *y)
{
    const Tensorflow__NodeDef__AttrEntry *a = *(Tensorflow__NodeDef__AttrEntry *const *)x;
    const Tensorflow__NodeDef__AttrEntry *b = *(Tensorflow__NodeDef__AttrEntry *const *)y;
    return strcmp(a->key, b->key);
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

static Tensorflow__NodeDef *node_def(arena *a, const tfc_graph *g, int node)
{
    Tensorflow__NodeDef *n = NEW(a, Tensorflow__NodeDef, TENSORFLOW__NODE_DEF__INIT);
    if (!n) return NULL;
    n->name = (char *)tfc_node_name(g, node);
    n->op = (char *)tfc_node_op(g, node);
    n->device = (char *)tfc_node_device(g, node);

    int nin = tfc_node_num_inputs(g, node), nctl = tfc_node_num_controls(g, node);
    n->n_input = (size_t)(nin + nctl);
    if (!(n->input = arena_alloc(a, n->n_input * sizeof *n->input))) return NULL;
    for (int i = 0; i < nin; i++) {
        tfc_out o = tfc_node_input(g, node, i);
        const char *src = tfc_node_name(g, o.node);
        char *s = arena_alloc(a, strlen(src) + 24);
        if (!s) return NULL;
        if (o.index == 0) strcpy(s, src);
        else sprintf(s, "%s:%d", src, o.index);
        n->input[i] = s;
    }
    for (int i = 0; i < nctl; i++) {
        const char *src = tfc_node_name(g, tfc_node_control(g, node, i));
        char *s = arena_alloc(a, strlen(src) + 2);
        if (!s) return NULL;
        s[0] = '^';
        strcpy(s + 1, src);
        n->input[nin + i] = s;
    }
    qsort(n->input + nin, (size_t)nctl, sizeof *n->input, cmp_str);

    int nattr = tfc_node_num_attrs(g, node);
    n->n_attr = (size_t)nattr + 1;
    if (!(n->attr = arena_alloc(a, n->n_attr * sizeof *n->attr))) return NULL;
    for (size_t i = 0; i < n->n_attr; i++) {
        Tensorflow__NodeDef__AttrEntry *e =
            NEW(a, Tensorflow__NodeDef__AttrEntry, TENSORFLOW__NODE_DEF__ATTR_ENTRY__INIT);
        if (!e) return NULL;
        if ((int)i < nattr) {
            const tfc_attr *at = tfc_node_attr(g, node, (int)i);
            e->key = (char *)at->name;
            e->value = attr_value(a, at);
        } else {
            e->key = "_output_shapes";
            e->value = output_shapes(a, g, node);
        }
        n->attr[i] = e;
    }
    qsort(n->attr, n->n_attr, sizeof *n->attr, cmp_attr_entry);
    return n;
}

unsigned char *tfc_graphdef_serialize(const tfc_graph *g, size_t *len, tfc_status *st)
{
    if (!len) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_graphdef_serialize: nowhere to put the length (NULL)"), NULL;
    if (!tfc_graph_check(g, st)) return NULL;
    arena a = {0};
    Tensorflow__VersionDef versions = TENSORFLOW__VERSION_DEF__INIT;
    versions.producer = PRODUCER;
    Tensorflow__GraphDef gd = TENSORFLOW__GRAPH_DEF__INIT;
    gd.versions = &versions;
    gd.n_node = (size_t)tfc_graph_num_nodes(g);
    gd.node = arena_alloc(&a, gd.n_node * sizeof *gd.node);
    for (size_t i = 0; gd.node && i < gd.n_node && !a.oom; i++) gd.node[i] = node_def(&a, g, (int)i);
    unsigned char *out = NULL;
    if (!a.oom) {
        *len = tensorflow__graph_def__get_packed_size(&gd);
        if ((out = malloc(*len ? *len : 1))) tensorflow__graph_def__pack(&gd, out);
    }
    arena_free(&a);
    if (!out) tfc_fail(st, TFC_INTERNAL, "GraphDef of %zu nodes: out of memory", gd.n_node);
    return out;
}
