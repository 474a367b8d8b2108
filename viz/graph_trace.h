/* The graph of a TF2 trace (tf.summary.trace_export: a RunMetadata under the graph_run_metadata
 * or graph_run_metadata_graph plugin) as TensorBoard's graph plugin draws it: the graphs of the
 * traced functions before optimization, several merged under "graph_1/", "graph_2/", ...
 * prefixes (names and inputs), their function libraries joined (a function named twice kept
 * once). */
#ifndef TFC_GRAPH_TRACE_H
#define TFC_GRAPH_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The serialized GraphDef (malloc'ed into *bytes, *len) of the RunMetadata blob; what names it
 * in messages. False with st set when the blob is no RunMetadata or holds no graph. */
bool tfc_gdraw_trace_graph(const uint8_t *blob, size_t blob_len, const char *what, uint8_t **bytes,
                           size_t *len, tfc_status *st);

#endif
