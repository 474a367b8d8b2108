/* Automatic differentiation by graph construction, as tf.gradients: the gradient nodes go into
 * the graph under a gradients/ scope, so they can be run, saved and drawn like any other node. */
#ifndef TFC_GRAD_H
#define TFC_GRAD_H

#include "api.h"
#include "graph.h"

TFC_BEGIN_DECLS

/* Adds nodes computing d(sum of y)/d(xs[i]) into dxs[i]. xs are tensors (a variable's read
 * tensor or its VariableV2 node both work). A tensor y does not depend on gets TFC_NO_OUT.
 * Returns false (and the graph holds the error) when an op on the way has no gradient. */
TFC_API bool tfc_gradients(tfc_graph *g, tfc_out y, const tfc_out *xs, int nx, tfc_out *dxs);

TFC_END_DECLS

#endif
