/* What a Summary.Value holds, read the way TensorBoard reads it: scalars from simple_value or a
 * one-element numeric tensor (TF2, plugin "scalars"), histograms from a HistogramProto or a [k,3]
 * tensor of (left, right, count) rows (TF2, plugin "histograms"), images from a Summary.Image or
 * a string tensor [width, height, encoded image...] (TF2, plugin "images"), text from a string
 * tensor (plugin "text"); the plugin any other value is routed to. */
#ifndef TFC_SUMMARY_VALUE_H
#define TFC_SUMMARY_VALUE_H

#include <stdbool.h>

#include "logdir.h"
#include "summary.pb-c.h"

typedef enum {
    TFC_PLUGIN_NONE,       /* no metadata yet: the tag is routed by a later value */
    TFC_PLUGIN_SCALARS,
    TFC_PLUGIN_HISTOGRAMS,
    TFC_PLUGIN_IMAGES,
    TFC_PLUGIN_TEXT,
    TFC_PLUGIN_OTHER,      /* audio, PR curves, hparams, graphs...: named, not read here */
} tfc_plugin;

/* The plugin a value routes its tag to, as TensorBoard decides: legacy simple_value, histo,
 * image and audio count as "scalars", "histograms", "images" and "audio", a tensor goes by its
 * metadata's plugin_name (TFC_PLUGIN_NONE when it has none). *name (name may be NULL) is set to
 * the plugin's name, "" for TFC_PLUGIN_NONE; it points into v or is a literal. */
tfc_plugin tfc_summary_value_plugin(const Tensorflow__Summary__Value *v, const char **name);

/* The value as a scalar; false (with why set) when it is not one. */
bool tfc_summary_value_scalar(const Tensorflow__Summary__Value *v, double *out, const char **why);

/* The value as a histogram: limits and counts are malloc'ed into h (step and wall_time are left
 * alone); false (with why set) when it is not one, or on allocation failure. A tensor histogram
 * keeps min (left edge of the first row), max (right edge of the last), num (the counts' sum),
 * limits (the right edges) and counts; its sum and sum_squares are not stored in that format and
 * come out NaN. */
bool tfc_summary_value_histogram(const Tensorflow__Summary__Value *v, tfc_histogram_point *h, const char **why);

/* The value's images, copied (malloc'ed) into p->images / p->nimages (step and wall_time are
 * left alone); false (with why set) when it holds none, or on allocation failure. The bytes are
 * not decoded here. */
bool tfc_summary_value_images(const Tensorflow__Summary__Value *v, tfc_image_point *p, const char **why);

/* Frees what tfc_summary_value_images allocated. */
void tfc_image_point_clear(tfc_image_point *p);

/* The value as a text summary: a DT_STRING tensor, its cells malloc'ed into t (step and wall_time
 * are left alone) as TensorBoard's text plugin shapes them: a scalar is 1x1, a vector a column,
 * a higher-rank tensor its first matrix. False (with why set) when it is not one, or on
 * allocation failure. */
bool tfc_summary_value_text(const Tensorflow__Summary__Value *v, tfc_text_point *t, const char **why);

/* The value's first string (a DT_STRING tensor's first element), for summaries that carry one
 * serialized blob (graph traces, Keras model configs); false (with why set) when it has none. */
bool tfc_summary_value_blob(const Tensorflow__Summary__Value *v, const ProtobufCBinaryData **blob,
                            const char **why);

#endif
