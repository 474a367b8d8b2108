/* MetaGraphs (.meta files, as tf.compat.v1.train.Saver and export_meta_graph write them): a GraphDef
 * with its collections. Imported into an engine graph (variables and their initialisers, which
 * variables train, and the node lists such as train_op, summaries and update_ops, kept as the
 * graph's collections), and written for an engine graph so that TensorFlow imports it with
 * tf.compat.v1.train.import_meta_graph and restores tfc's checkpoints into it. */
#ifndef TFC_META_GRAPH_H
#define TFC_META_GRAPH_H

#include <stddef.h>

#include "api.h"
#include "graph.h"
#include "status.h"

TFC_BEGIN_DECLS

/* Imports a binary MetaGraphDef's graph into g as tfc_graph_import does (prefix likewise), then its
 * collections: "variables" gives each variable its initialiser, "trainable_variables" says which
 * variables train (the others do not), and the collections of node or tensor names (train_op,
 * summaries, update_ops, losses, ...) and of variables (global_step, local_variables, ...) become
 * the graph's collections, their items prefixed as the nodes are; an item naming nothing in the
 * graph is an error. Collections of other protos (while loop contexts, savers) are not kept. */
TFC_API bool tfc_meta_graph_import(tfc_graph *g, const void *bytes, size_t len, const char *prefix, tfc_status *st);

/* The MetaGraphDef of g (malloc'ed, *len bytes; the caller free()s it; NULL with st set as for
 * tfc_graphdef_serialize): its GraphDef (graphdef.h), the collections "variables" and
 * "trainable_variables" as VariableDefs of its variables, and its own collections.
 * It has no SaverDef: TensorFlow's import_meta_graph then makes a Saver of the variables, whose
 * checkpoint keys are the variables' names, as tfc's Saver writes them. */
TFC_API unsigned char *tfc_meta_graph_serialize(const tfc_graph *g, size_t *len, tfc_status *st);

/* Writes it to path, atomically (a temporary file renamed into place). */
TFC_API bool tfc_meta_graph_write(const tfc_graph *g, const char *path, tfc_status *st);

TFC_END_DECLS

#endif
