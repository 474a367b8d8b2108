/* Telling TensorFlow's graph files apart (see graph_file.h). */
#include "graph_file.h"

#include <stdlib.h>
#include <string.h>

#include "graph.pb-c.h"
#include "meta_graph.pb-c.h"
#include "saved_model.pb-c.h"

static bool looks_like_text(const unsigned char *b, size_t n)
{
    size_t i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r')) i++;
    size_t w = i;
    while (i < n && ((b[i] >= 'a' && b[i] <= 'z') || b[i] == '_')) i++;
    if (i == w) return false;
    while (i < n && (b[i] == ' ' || b[i] == '\t')) i++;
    return i < n && (b[i] == '{' || b[i] == ':');
}

tfc_graph_file_kind tfc_graph_file_kind_of(const char *path, const unsigned char *head, size_t n)
{
    if (looks_like_text(head, n)) return TFC_GRAPH_FILE_TEXT;
    if (n > 0 && head[0] == 0x08) return TFC_GRAPH_FILE_SAVED_MODEL; /* field 1, a varint */
    size_t len = path ? strlen(path) : 0;
    return len >= 5 && strcmp(path + len - 5, ".meta") == 0 ? TFC_GRAPH_FILE_META : TFC_GRAPH_FILE_GRAPHDEF;
}

const char *tfc_graph_file_kind_name(tfc_graph_file_kind kind)
{
    switch (kind) {
    case TFC_GRAPH_FILE_META: return "MetaGraphDef";
    case TFC_GRAPH_FILE_SAVED_MODEL: return "SavedModel";
    case TFC_GRAPH_FILE_TEXT: return "text-format GraphDef";
    default: return "GraphDef";
    }
}

const ProtobufCMessageDescriptor *tfc_graph_file_descriptor(tfc_graph_file_kind kind)
{
    switch (kind) {
    case TFC_GRAPH_FILE_META: return &tensorflow__meta_graph_def__descriptor;
    case TFC_GRAPH_FILE_SAVED_MODEL: return &tensorflow__saved_model__descriptor;
    case TFC_GRAPH_FILE_TEXT: return NULL;
    default: return &tensorflow__graph_def__descriptor;
    }
}

bool tfc_graph_file_text_error(const char *path, tfc_status *st)
{
    return tfc_fail(st, TFC_INVALID_ARGUMENT,
                    "%s: a text-format GraphDef or MetaGraph; tfc reads binary GraphDefs (.pb), MetaGraphs (.meta) and SavedModels "
                    "(saved_model.pb)", path);
}

bool tfc_saved_model_meta_graph(const char *path, const void *bytes, size_t len, uint8_t **meta, size_t *meta_len,
                                tfc_status *st)
{
    *meta = NULL;
    *meta_len = 0;
    Tensorflow__SavedModel *sm = tensorflow__saved_model__unpack(NULL, len, bytes);
    if (!sm) return tfc_fail(st, TFC_DATA_LOSS, "%s: not a SavedModel (%zu bytes that do not parse as one: corrupt or truncated)", path, len);
    bool ok = sm->n_meta_graphs > 0;
    if (!ok) tfc_fail(st, TFC_DATA_LOSS, "%s: a SavedModel with no MetaGraph", path);
    else if (!(*meta = malloc(sm->meta_graphs[0].len ? sm->meta_graphs[0].len : 1)))
        ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    else {
        memcpy(*meta, sm->meta_graphs[0].data, sm->meta_graphs[0].len);
        *meta_len = sm->meta_graphs[0].len;
    }
    tensorflow__saved_model__free_unpacked(sm, NULL);
    return ok;
}
