/* Inside graphdef/: the import of a GraphDef already parsed (a MetaGraph's), for meta_graph.c. */
#ifndef TFC_GRAPH_IMPORT_PROTO_H
#define TFC_GRAPH_IMPORT_PROTO_H

#include "graph.h"
#include "graph.pb-c.h"
#include "status.h"

/* tfc_graph_import (graph_import.h) of a parsed GraphDef. */
bool tfc_graph_import_proto(tfc_graph *g, const Tensorflow__GraphDef *gd, const char *prefix, tfc_status *st);

#endif
