/* An engine graph as a TensorFlow GraphDef (FORMATS.md §2, §6), the way TF 1.10's FileWriter
 * writes it with add_shapes=True: node names with their scopes, TF op types, inputs ("x", "x:1",
 * then "^ctl" sorted by name), devices, attrs, and _output_shapes on every node; versions
 * {producer 26}. */
#ifndef TFC_GRAPHDEF_H
#define TFC_GRAPHDEF_H

#include <stddef.h>

#include "api.h"
#include "graph.h"
#include "status.h"

TFC_BEGIN_DECLS

/* The serialized GraphDef (malloc'ed, *len bytes; the caller free()s it), or NULL with st set (a
 * NULL graph or len, the graph's build error, or out of memory). */
TFC_API unsigned char *tfc_graphdef_serialize(const tfc_graph *g, size_t *len, tfc_status *st);

TFC_END_DECLS

#endif
