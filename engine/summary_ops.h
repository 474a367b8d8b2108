/* Summary ops, as TensorFlow 1's tf.summary.scalar / histogram / image / merge_all: each outputs
 * a DT_STRING scalar holding a serialized Summary protobuf, which summary/event_writer.h writes to
 * an event file: fetch it, then tfc_event_writer_add_summary(w, tfc_tensor_string(t, 0, &len),
 * len, step, st). They build like the ops of ops.h (errors kept in the graph, TFC_NO_OUT after). */
#ifndef TFC_SUMMARY_OPS_H
#define TFC_SUMMARY_OPS_H

#include "api.h"
#include "graph.h"

TFC_BEGIN_DECLS

/* tf.summary.scalar(name, value): a scope NAME (uniquified: "loss_1" when "loss" exists) holding
 * the Const NAME/tags, and the ScalarSummary node named like the scope. The tag is that full
 * scoped name ("train/loss"). value must be a scalar of a real number type. */
TFC_API tfc_out tfc_summary_scalar(tfc_graph *g, const char *name, tfc_out value);
/* tf.summary.histogram(name, values): NAME/tag and a HistogramSummary NAME over values of any
 * shape. At run time it fills TensorFlow's default 1551 exponential buckets; a NaN or infinity
 * in values fails the run with "Nan in summary histogram for: TAG". */
TFC_API tfc_out tfc_summary_histogram(tfc_graph *g, const char *name, tfc_out values);
/* tf.summary.image(name, images, max_outputs): NAME/tag and an ImageSummary NAME over images
 * [batch, height, width, channels] (channels 1 gray, 3 RGB, 4 RGBA) of uint8, float32 or
 * float64. At run time the first max_outputs (>= 1) images become Summary.Image values holding
 * PNGs (libpng), tagged "TAG/image/0", "TAG/image/1", ... ("TAG/image" when max_outputs is 1).
 * uint8 pixels are written as they are; a float image is scaled on its own as TensorFlow does:
 * all values >= 0: the largest becomes 255; any negative: 0 becomes 128 and the largest
 * magnitude 127 away from it; pixels with a NaN or infinity are red (attr bad_color). */
TFC_API tfc_out tfc_summary_image(tfc_graph *g, const char *name, tfc_out images, int max_outputs);
/* tf.summary.merge(summaries, name): a MergeSummary (default scope "Merge", node
 * "Merge/MergeSummary") whose output holds all their values; duplicate tags fail the run. */
TFC_API tfc_out tfc_summary_merge(tfc_graph *g, const tfc_out *summaries, int n, const char *name);
/* tf.summary.merge_all(): the merge of every ScalarSummary, HistogramSummary and ImageSummary in
 * the graph, in creation order; TFC_NO_OUT (and no node) when there is none, as TensorFlow
 * returns None. */
TFC_API tfc_out tfc_summary_merge_all(tfc_graph *g);

TFC_END_DECLS

#endif
