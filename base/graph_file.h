/* Which of TensorFlow's graph files a file is, from its first bytes and its name, for the readers
 * of graphs (graph import, graph drawing): a binary GraphDef (.pb), a MetaGraphDef (.meta), a
 * SavedModel (saved_model.pb), or one of them in protobuf's text format, which tfc does not read. */
#ifndef TFC_GRAPH_FILE_H
#define TFC_GRAPH_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct ProtobufCMessageDescriptor;

typedef enum { TFC_GRAPH_FILE_GRAPHDEF, TFC_GRAPH_FILE_META, TFC_GRAPH_FILE_SAVED_MODEL, TFC_GRAPH_FILE_TEXT } tfc_graph_file_kind;

/* The kind of the file at path whose first n bytes are head (any n; 64 are plenty): text when it
 * starts with a field name and '{' or ':' ("node {"); a SavedModel when its first field is a
 * varint (its schema version: a GraphDef and a MetaGraphDef start with a message); a MetaGraphDef
 * when the name ends in ".meta"; a GraphDef otherwise. */
tfc_graph_file_kind tfc_graph_file_kind_of(const char *path, const unsigned char *head, size_t n);
/* "GraphDef", "MetaGraphDef", "SavedModel" or "text-format GraphDef". */
const char *tfc_graph_file_kind_name(tfc_graph_file_kind kind);
/* The message type of a binary kind (for pb_check.h), NULL for text. */
const struct ProtobufCMessageDescriptor *tfc_graph_file_descriptor(tfc_graph_file_kind kind);
/* The message "PATH: a text-format ...; tfc reads ..." set in st; returns false. */
bool tfc_graph_file_text_error(const char *path, tfc_status *st);
/* The first MetaGraphDef of the serialized SavedModel at bytes: *meta (malloc'ed, the caller
 * free()s it) and *meta_len. False with st set (naming path) when it does not parse or holds no
 * MetaGraph. */
bool tfc_saved_model_meta_graph(const char *path, const void *bytes, size_t len, uint8_t **meta, size_t *meta_len,
                                tfc_status *st);

#endif
