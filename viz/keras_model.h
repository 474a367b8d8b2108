/* A Keras model config (the JSON of model.to_json(), which Keras' TensorBoard callback writes
 * under the graph_keras_model plugin) as a GraphDef of its layers, the way TensorBoard's graph
 * plugin turns it into its "conceptual graph": one node per layer (op: the layer's class),
 * nested models as name scopes, inputs from each layer's inbound nodes (Keras 3's
 * keras_history, and Keras 2's [layer, node, tensor] lists, which TensorBoard 2.21 skips), or
 * from the layer before in a Sequential model. */
#ifndef TFC_KERAS_MODEL_H
#define TFC_KERAS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The serialized GraphDef (malloc'ed into *bytes, *len) of the config in json[0..len); what
 * names it in messages. False with st set when it is no JSON or no Keras model config. */
bool tfc_keras_model_graph(const char *json, size_t json_len, const char *what, uint8_t **bytes,
                           size_t *len, tfc_status *st);

#endif
