/* MetaGraphDefs read into engine graphs and written from them (see meta_graph.h). */
#include "meta_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_file.h"
#include "graph_import_proto.h"
#include "graphdef.h"
#include "meta_graph.pb-c.h"
#include "op.h"
#include "varint.h"

/* The collections whose items TensorFlow writes as VariableDefs (its register_proto_function). */
static const char *const variable_collections[] = {
    "variables",        "trainable_variables",      "global_step",      "local_variables",
    "model_variables",  "moving_average_variables", "metric_variables", NULL,
};

static bool is_variable_collection(const char *key)
{
    for (int i = 0; variable_collections[i]; i++)
        if (strcmp(key, variable_collections[i]) == 0) return true;
    return false;
}

static bool is_variable(const tfc_graph *g, int node)
{
    return node >= 0 && (tfc_op_lookup(tfc_node_op(g, node))->flags & TFC_OP_VARIABLE);
}

/* ---- import ---- */

/* The node or tensor named `name` under the prefix, in *out (with the prefixed name in buf). */
static bool find_prefixed(const tfc_graph *g, const char *prefix, const char *name, char *buf, size_t cap,
                          tfc_out *out)
{
    if (snprintf(buf, cap, "%s%s%s", prefix, *prefix ? "/" : "", name) >= (int)cap) return false;
    *out = tfc_graph_tensor(g, buf);
    return tfc_out_ok(*out);
}

static bool printable(const char *s)
{
    if (strlen(s) > 400) return false;
    for (; *s; s++)
        if (*s < ' ' || *s > '~') return false;
    return true;
}

static const char *shown(const char *s) { return printable(s) ? s : "<unprintable>"; }

/* One VariableDef of collection `key`: the variable must be in the graph; "variables" sets its
 * initialiser, "trainable_variables" makes it train, other keys keep it as a collection item. */
static bool take_variable(tfc_graph *g, const char *prefix, const char *key, const ProtobufCBinaryData *bytes,
                          tfc_status *st)
{
    Tensorflow__VariableDef *vd = tensorflow__variable_def__unpack(NULL, bytes->len, bytes->data);
    if (!vd) return tfc_fail(st, TFC_DATA_LOSS, "collection '%s': an item is not a VariableDef", key);
    char name[1024];
    tfc_out v = TFC_NO_OUT;
    bool ok = true;
    if (!find_prefixed(g, prefix, vd->variable_name, name, sizeof name, &v) || !is_variable(g, v.node))
        ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "collection '%s': '%s' is not a variable of the graph", key,
                      shown(vd->variable_name));
    if (ok && strcmp(key, "variables") == 0 && vd->initializer_name[0]) {
        tfc_out init;
        if (!find_prefixed(g, prefix, vd->initializer_name, name, sizeof name, &init))
            ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "variable '%s': its initialiser '%s' is not in the graph",
                          tfc_node_name(g, v.node), shown(vd->initializer_name));
        else
            tfc_variable_set_initializer(g, v.node, init.node);
    } else if (ok && strcmp(key, "trainable_variables") == 0) {
        tfc_variable_set_trainable(g, v.node, true);
    } else if (ok && strcmp(key, "variables") != 0) {
        ok = tfc_graph_add_to_collection(g, key, tfc_node_name(g, v.node)) || tfc_graph_check(g, st);
    }
    tensorflow__variable_def__free_unpacked(vd, NULL);
    return ok;
}

static bool take_collection(tfc_graph *g, const char *prefix, const Tensorflow__MetaGraphDef__CollectionDefEntry *e,
                            tfc_status *st)
{
    const char *key = e->key;
    const Tensorflow__CollectionDef *c = e->value;
    if (!printable(key) || !*key) return tfc_fail(st, TFC_INVALID_ARGUMENT, "a collection key is not a name");
    if (!c) return true;
    if (c->kind_case == TENSORFLOW__COLLECTION_DEF__KIND_NODE_LIST && c->node_list) {
        for (size_t i = 0; i < c->node_list->n_value; i++) {
            char name[1024];
            tfc_out o;
            if (!find_prefixed(g, prefix, c->node_list->value[i], name, sizeof name, &o))
                return tfc_fail(st, TFC_INVALID_ARGUMENT, "collection '%s': '%s' is not in the graph", key,
                                shown(c->node_list->value[i]));
            if (!tfc_graph_add_to_collection(g, key, name)) return tfc_graph_check(g, st);
        }
        return true;
    }
    if (c->kind_case == TENSORFLOW__COLLECTION_DEF__KIND_BYTES_LIST && c->bytes_list && is_variable_collection(key)) {
        for (size_t i = 0; i < c->bytes_list->n_value; i++)
            if (!take_variable(g, prefix, key, &c->bytes_list->value[i], st)) return false;
    }
    return true;
}

bool tfc_meta_graph_import(tfc_graph *g, const void *bytes, size_t len, const char *prefix, tfc_status *st)
{
    if (!bytes && len) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_meta_graph_import: bytes is NULL but len is %zu", len);
    Tensorflow__MetaGraphDef *mg = tensorflow__meta_graph_def__unpack(NULL, len, bytes);
    if (!mg) return tfc_fail(st, TFC_DATA_LOSS, "not a MetaGraphDef (%zu bytes that do not parse as one: corrupt or truncated)", len);
    bool ok = mg->graph_def ? true : tfc_fail(st, TFC_DATA_LOSS, "a MetaGraphDef without a graph");
    int first = g ? tfc_graph_num_nodes(g) : 0;
    ok = ok && tfc_graph_import_proto(g, mg->graph_def, prefix, st);
    const char *pre = prefix ? prefix : "";
    char trimmed[512];
    snprintf(trimmed, sizeof trimmed, "%s", pre);
    size_t n = strlen(trimmed);
    if (n && trimmed[n - 1] == '/') trimmed[n - 1] = '\0';
    /* with a trainable_variables collection, the variables outside it do not train */
    bool has_trainable = false;
    for (size_t i = 0; ok && i < mg->n_collection_def; i++)
        has_trainable |= mg->collection_def[i]->key && strcmp(mg->collection_def[i]->key, "trainable_variables") == 0;
    for (int v = first; ok && has_trainable && v < tfc_graph_num_nodes(g); v++)
        if (is_variable(g, v)) tfc_variable_set_trainable(g, v, false);
    for (size_t i = 0; ok && i < mg->n_collection_def; i++) ok = take_collection(g, trimmed, mg->collection_def[i], st);
    tensorflow__meta_graph_def__free_unpacked(mg, NULL);
    return ok;
}

/* ---- writing ---- */

/* The first node of op type `op` whose input 0 is v, preferring the one named NAME/suffix. */
static int reader_of(const tfc_graph *g, int v, const char *op, const char *suffix)
{
    char want[1024];
    snprintf(want, sizeof want, "%s/%s", tfc_node_name(g, v), suffix);
    int any = -1;
    for (int i = v + 1; i < tfc_graph_num_nodes(g); i++) {
        if (strcmp(tfc_node_op(g, i), op) != 0 || tfc_node_num_inputs(g, i) < 1 || tfc_node_input(g, i, 0).node != v)
            continue;
        if (strcmp(tfc_node_name(g, i), want) == 0) return i;
        if (any < 0) any = i;
    }
    return any;
}

/* A VariableDef of variable v, packed (malloc'ed) into *out. */
static bool variable_def(const tfc_graph *g, int v, ProtobufCBinaryData *out)
{
    bool resource = strcmp(tfc_node_op(g, v), "VarHandleOp") == 0;
    int snap = resource ? reader_of(g, v, "ReadVariableOp", "Read/ReadVariableOp") : reader_of(g, v, "Identity", "read");
    int init = tfc_variable_initializer(g, v);
    char var[1024], snapshot[1024];
    snprintf(var, sizeof var, "%s:0", tfc_node_name(g, v));
    snprintf(snapshot, sizeof snapshot, "%s:0", tfc_node_name(g, snap >= 0 ? snap : v));
    Tensorflow__VariableDef vd = TENSORFLOW__VARIABLE_DEF__INIT;
    vd.variable_name = var;
    vd.initializer_name = init >= 0 ? (char *)tfc_node_name(g, init) : "";
    vd.snapshot_name = resource && snap < 0 ? "" : snapshot;
    vd.is_resource = resource;
    vd.trainable = tfc_variable_trainable(g, v);
    out->len = tensorflow__variable_def__get_packed_size(&vd);
    if (!(out->data = malloc(out->len ? out->len : 1))) return false;
    tensorflow__variable_def__pack(&vd, out->data);
    return true;
}

typedef struct {
    Tensorflow__MetaGraphDef__CollectionDefEntry **entries;
    size_t n;
} collections;

static void free_collections(collections *c)
{
    for (size_t i = 0; i < c->n; i++) {
        Tensorflow__CollectionDef *d = c->entries[i]->value;
        /* (a oneof: the two lists share their storage) */
        if (d->kind_case == TENSORFLOW__COLLECTION_DEF__KIND_BYTES_LIST && d->bytes_list) {
            for (size_t k = 0; k < d->bytes_list->n_value; k++) free(d->bytes_list->value[k].data);
            free(d->bytes_list->value);
            free(d->bytes_list);
        } else if (d->kind_case == TENSORFLOW__COLLECTION_DEF__KIND_NODE_LIST && d->node_list) {
            free(d->node_list->value);
            free(d->node_list);
        }
        free(d);
        free(c->entries[i]);
    }
    free(c->entries);
}

/* A new collection entry; its list is filled by the caller. */
static Tensorflow__CollectionDef *add_entry(collections *c, const char *key, bool variables, size_t n)
{
    Tensorflow__MetaGraphDef__CollectionDefEntry **ne = realloc(c->entries, (c->n + 1) * sizeof *ne);
    if (!ne) return NULL;
    c->entries = ne;
    Tensorflow__MetaGraphDef__CollectionDefEntry *e = malloc(sizeof *e);
    Tensorflow__CollectionDef *d = malloc(sizeof *d);
    if (!e || !d) {
        free(e);
        free(d);
        return NULL;
    }
    tensorflow__meta_graph_def__collection_def_entry__init(e);
    tensorflow__collection_def__init(d);
    e->key = (char *)key;
    e->value = d;
    c->entries[c->n++] = e;
    if (variables) {
        d->kind_case = TENSORFLOW__COLLECTION_DEF__KIND_BYTES_LIST;
        d->bytes_list = malloc(sizeof *d->bytes_list);
        if (!d->bytes_list) return NULL;
        tensorflow__collection_def__bytes_list__init(d->bytes_list);
        d->bytes_list->value = calloc(n ? n : 1, sizeof *d->bytes_list->value);
        return d->bytes_list->value ? d : NULL;
    }
    d->kind_case = TENSORFLOW__COLLECTION_DEF__KIND_NODE_LIST;
    d->node_list = malloc(sizeof *d->node_list);
    if (!d->node_list) return NULL;
    tensorflow__collection_def__node_list__init(d->node_list);
    d->node_list->value = calloc(n ? n : 1, sizeof *d->node_list->value);
    return d->node_list->value ? d : NULL;
}

/* The variables' collections, then the graph's own. */
static bool build_collections(const tfc_graph *g, collections *c)
{
    int nv = tfc_graph_num_variables(g), ntrain = 0;
    for (int i = 0; i < nv; i++) ntrain += tfc_variable_trainable(g, tfc_graph_variable(g, i));
    Tensorflow__CollectionDef *all = nv ? add_entry(c, "variables", true, (size_t)nv) : NULL;
    Tensorflow__CollectionDef *train = ntrain ? add_entry(c, "trainable_variables", true, (size_t)ntrain) : NULL;
    if ((nv && !all) || (ntrain && !train)) return false;
    for (int i = 0; i < nv; i++) {
        int v = tfc_graph_variable(g, i);
        ProtobufCBinaryData *slot = &all->bytes_list->value[all->bytes_list->n_value++];
        if (!variable_def(g, v, slot)) return false;
        if (!tfc_variable_trainable(g, v)) continue;
        ProtobufCBinaryData *t = &train->bytes_list->value[train->bytes_list->n_value++];
        if (!(t->data = malloc(slot->len ? slot->len : 1))) return false;
        memcpy(t->data, slot->data, slot->len);
        t->len = slot->len;
    }
    for (int k = 0; k < tfc_graph_num_collections(g); k++) {
        const char *key = tfc_graph_collection_key(g, k);
        if (strcmp(key, "variables") == 0 || strcmp(key, "trainable_variables") == 0) continue;
        int n = tfc_graph_collection_size(g, key);
        bool vars = is_variable_collection(key);
        Tensorflow__CollectionDef *d = add_entry(c, key, vars, (size_t)n);
        if (!d) return false;
        for (int i = 0; i < n; i++) {
            const char *item = tfc_graph_collection_item(g, key, i);
            tfc_out o = tfc_graph_tensor(g, item);
            if (!vars) {
                d->node_list->value[d->node_list->n_value++] = (char *)item;
            } else if (is_variable(g, o.node)) {
                if (!variable_def(g, o.node, &d->bytes_list->value[d->bytes_list->n_value++])) return false;
            }
        }
    }
    return true;
}

unsigned char *tfc_meta_graph_serialize(const tfc_graph *g, size_t *len, tfc_status *st)
{
    if (!len) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_meta_graph_serialize: nowhere to put the length (NULL)"), NULL;
    size_t glen = 0;
    unsigned char *gd = tfc_graphdef_serialize(g, &glen, st);
    if (!gd) return NULL;
    collections c = {0};
    bool ok = build_collections(g, &c);
    Tensorflow__MetaGraphDef__MetaInfoDef info = TENSORFLOW__META_GRAPH_DEF__META_INFO_DEF__INIT;
    info.meta_graph_version = "v1";
    Tensorflow__MetaGraphDef mg = TENSORFLOW__META_GRAPH_DEF__INIT;
    mg.meta_info_def = &info;
    mg.n_collection_def = c.n;
    mg.collection_def = c.entries;
    unsigned char *out = NULL;
    if (ok) {
        /* graph_def (field 2) is appended as its packed bytes: a message field is tag, length, bytes,
         * and protobuf readers take fields in any order */
        size_t head = tensorflow__meta_graph_def__get_packed_size(&mg);
        *len = head + 1 + tfc_varint_len(glen) + glen;
        if ((out = malloc(*len))) {
            tensorflow__meta_graph_def__pack(&mg, out);
            uint8_t *p = out + head;
            *p++ = 0x12;
            p = tfc_varint_put(p, glen);
            memcpy(p, gd, glen);
        }
    }
    free_collections(&c);
    free(gd);
    if (!out) tfc_fail(st, TFC_INTERNAL, "MetaGraphDef: out of memory");
    return out;
}

bool tfc_meta_graph_write(const tfc_graph *g, const char *path, tfc_status *st)
{
    size_t len = 0;
    unsigned char *bytes = tfc_meta_graph_serialize(g, &len, st);
    if (!bytes) return false;
    tfc_out_file of;
    bool ok = tfc_out_file_open(&of, path, st) && tfc_out_file_write(&of, bytes, len, st);
    ok = ok ? tfc_out_file_commit(&of, st) : (tfc_out_file_abort(&of), false);
    free(bytes);
    return ok;
}
