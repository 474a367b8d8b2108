/* The Saver's nodes as TensorFlow writes them (SaveV2, RestoreV2, MergeV2Checkpoints under save/,
 * and a V1 Saver's SaveSlices), so that a graph with a tf.compat.v1.train.Saver imports. Their
 * shapes are checked here; their work, reading and writing checkpoint files, is the Saver's
 * (checkpoint/saver.h restores a graph's variables through the save/ nodes' names), since the
 * engine reads and writes no file format: a run that reaches them says so. */
#include <string.h>

#include "common.h"

static bool string_input(tfc_graph *g, int node, int i, int rank)
{
    tfc_shape s = in_shape(g, node, i);
    if (in_dtype(g, node, i) != TFC_STRING || (s.rank >= 0 && s.rank != rank))
        return tfc_node_error(g, node, "input %d must be a string %s", i, rank ? "vector" : "scalar");
    return true;
}

/* SaveV2(prefix, tensor_names, shape_and_slices, tensors...) with one tensor per dtype (attr
 * dtypes); SaveSlices, the V1 Saver's, the same with attr T. */
static bool infer_save(tfc_graph *g, int node)
{
    const tfc_attr *dt = tfc_node_find_attr(g, node, strcmp(tfc_node_op(g, node), "SaveSlices") == 0 ? "T" : "dtypes");
    int n = dt && dt->kind == TFC_ATTR_TYPE_LIST ? dt->types.n : 0;
    if (tfc_node_num_inputs(g, node) != 3 + n)
        return tfc_node_error(g, node, "takes a prefix, names, slices and one tensor per dtype (%d), got %d inputs", n,
                              tfc_node_num_inputs(g, node));
    return string_input(g, node, 0, 0) && string_input(g, node, 1, 1) && string_input(g, node, 2, 1);
}

/* RestoreV2(prefix, tensor_names, shape_and_slices): one output per dtype. */
static bool infer_restore(tfc_graph *g, int node)
{
    const tfc_attr *dt = tfc_node_find_attr(g, node, "dtypes");
    if (!dt || dt->kind != TFC_ATTR_TYPE_LIST) return tfc_node_error(g, node, "needs the dtypes attr");
    if (dt->types.n > TFC_MAX_OUTPUTS) return tfc_node_error(g, node, "restores too many tensors");
    for (int i = 0; i < dt->types.n; i++) tfc_node_set_output(g, node, i, dt->types.v[i], TFC_UNKNOWN_SHAPE);
    return string_input(g, node, 0, 0) && string_input(g, node, 1, 1) && string_input(g, node, 2, 1);
}

static bool infer_merge(tfc_graph *g, int node)
{
    return string_input(g, node, 0, 1) && string_input(g, node, 1, 0);
}

static bool k_saver(tfc_kernel_ctx *k)
{
    return tfc_kernel_error(k, "checkpoints are read and written by tfc's Saver (tfc_saver_save, tfc_saver_restore), "
                               "not by running the graph's save/ nodes");
}

const tfc_op_def tfc_op_SaveV2 = {"SaveV2", infer_save, k_saver, NULL, TFC_OP_STATEFUL, .ninputs = TFC_INPUTS_LIST};
const tfc_op_def tfc_op_SaveSlices = {"SaveSlices", infer_save, k_saver, NULL, TFC_OP_STATEFUL,
                                      .ninputs = TFC_INPUTS_LIST};
const tfc_op_def tfc_op_RestoreV2 = {"RestoreV2", infer_restore, k_saver, NULL, TFC_OP_STATEFUL, .ninputs = 3};
const tfc_op_def tfc_op_MergeV2Checkpoints = {"MergeV2Checkpoints", infer_merge, k_saver, NULL, TFC_OP_STATEFUL, .ninputs = 2};
