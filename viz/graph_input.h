/* Where tfc-graph's GraphDef comes from: a logdir (the newest run with a graph, or a named run:
 * its graph, or a graph summary of it: a TF2 trace or a Keras model config), one event file, a
 * MetaGraphDef (.meta) or a binary GraphDef file (.pb). */
#ifndef TFC_GRAPH_INPUT_H
#define TFC_GRAPH_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    uint8_t *bytes; /* the serialized GraphDef */
    size_t len;
    char *source;   /* what it was read from, for messages: "events/ (run 'train')", "model.pb",
                       "logs (run 'train', tag 'step')" */
} tfc_gdraw_input;

/* run (NULL: the newest run holding a graph) and tag (NULL: the run's graph, or else its first
 * graph summary, traces before Keras models) apply to logdirs and event files only. False with
 * st set when path is missing or unreadable, holds no graph, or run or tag is unknown. */
bool tfc_gdraw_input_load(const char *path, const char *run, const char *tag, tfc_gdraw_input *out,
                          tfc_status *st);
void tfc_gdraw_input_clear(tfc_gdraw_input *in);

#endif
