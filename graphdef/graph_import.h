/* TensorFlow's graphs into engine graphs: a GraphDef (a binary .pb, e.g. a frozen graph) or a
 * MetaGraph (.meta, see meta_graph.h), written by TensorFlow 1.x or tf.compat.v1, imported node by
 * node with TensorFlow's names, op types, attrs, inputs, control inputs and devices, so that it runs,
 * trains and saves in tfc as it did in TensorFlow. */
#ifndef TFC_GRAPH_IMPORT_H
#define TFC_GRAPH_IMPORT_H

#include <stddef.h>

#include "api.h"
#include "graph.h"
#include "status.h"

TFC_BEGIN_DECLS

/* Imports a binary GraphDef into g. prefix NULL or "": the nodes keep their names; otherwise they
 * become PREFIX/name (and their inputs follow). Before anything is added the whole GraphDef is
 * checked: every op type tfc lacks is listed in one error with its count ("2 op types are not
 * supported by tfc: Foo (3 nodes), Bar (1 node)"), and bad names, inputs naming no node, cycles and
 * inputs of the wrong count are errors naming the node. Nodes are then added inputs-first, each
 * op inferring its static shapes, which must agree with the _output_shapes TensorFlow wrote. A
 * variable's initialiser is the NAME/Assign (or AssignVariableOp) that tf.Variable builds. On an
 * error, st says why; an error while nodes are being added is also kept by the graph, which then
 * builds nothing more (as after any failed build call). */
TFC_API bool tfc_graph_import(tfc_graph *g, const void *bytes, size_t len, const char *prefix, tfc_status *st);

/* A file: a SavedModel (saved_model.pb: its first MetaGraph is imported), a MetaGraph when its
 * name ends in ".meta", otherwise a binary GraphDef (see graph_file.h). Errors start with the path;
 * a text-format GraphDef (.pbtxt) is named as such. */
TFC_API bool tfc_graph_import_file(tfc_graph *g, const char *path, const char *prefix, tfc_status *st);

/* The largest GraphDef or MetaGraph file read (protobuf's own limit is 2 GiB). */
#define TFC_GRAPH_FILE_MAX ((size_t)1 << 31)

TFC_END_DECLS

#endif
