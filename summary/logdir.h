/* A whole logdir read into memory: runs (the logdir itself and every sub-folder holding event
 * files), and in each run the scalar, histogram, image and text series, the graph, and the names,
 * plugins and steps of every other tag, as TensorBoard sees them. This is what tfc-plot and
 * tfc-graph work from. */
#ifndef TFC_LOGDIR_H
#define TFC_LOGDIR_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "status.h"

TFC_BEGIN_DECLS

typedef struct {
    int64_t step;
    double wall_time;
    double value;
} tfc_scalar_point;

typedef struct {
    char *tag;
    size_t n;
    tfc_scalar_point *points; /* in file order (the order they were written) */
} tfc_scalar_series;

/* One histogram as TensorFlow's HistogramProto holds it: bucket i counts values in
 * [limit[i-1], limit[i]), the first from -inf. */
typedef struct {
    int64_t step;
    double wall_time;
    /* From a TF2 tensor histogram (rows of left, right, count), min is the first row's left
     * edge, max the last row's right edge, and sum and sum_squares are NaN: that format does
     * not store them. */
    double min, max, num, sum, sum_squares;
    size_t nbuckets;
    double *limits;
    double *counts;
} tfc_histogram_point;

typedef struct {
    char *tag;
    size_t n;
    tfc_histogram_point *points;
} tfc_histogram_series;

/* One image as an event file holds it, still encoded (PNG from every writer we know; decode
 * with base/png_codec.h). width and height are what the writer said; colorspace is TensorFlow 1's
 * channel count (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), 0 where the format does not say (TF2). */
typedef struct {
    int width, height, colorspace;
    unsigned char *data;
    size_t len;
} tfc_image;

/* The images of one tag at one step: one for TensorFlow 1's Summary.Image (each sample has its
 * own tag, "TAG/image/0", ...), the samples of the batch for TensorFlow 2's string tensors
 * [width, height, png...]. */
typedef struct {
    int64_t step;
    double wall_time;
    size_t nimages;
    tfc_image *images;
} tfc_image_point;

typedef struct {
    char *tag;
    size_t n;
    tfc_image_point *points;
} tfc_image_series;

/* One text summary: a string tensor shaped as TensorBoard's text plugin shows it (a scalar is
 * 1x1, a vector one column, a higher-rank tensor its first matrix); cells row-major, each the
 * bytes as written (UTF-8 Markdown, normally) with a NUL after them. */
typedef struct {
    int64_t step;
    double wall_time;
    size_t rows, cols;
    char **cells;
} tfc_text_point;

typedef struct {
    char *tag;
    size_t n;
    tfc_text_point *points;
} tfc_text_series;

/* A tag of a kind read no further than its name, plugin and steps: audio, PR curves, hparams,
 * custom-scalar layouts, graph traces and model configs, run metadata... */
typedef struct {
    char *tag;
    char *plugin;  /* the TensorBoard plugin it is routed to: "audio", "pr_curves", "hparams",
                      "graph_run_metadata_graph", "graph_keras_model",
                      "graph_tagged_run_metadata" (Event.tagged_run_metadata), ... */
    size_t n;      /* values */
    int64_t first_step, last_step;
    /* For the graph plugins graph_run_metadata(_graph) and graph_keras_model: the newest value's
     * serialized RunMetadata or Keras model JSON; NULL for the others. */
    unsigned char *blob;
    size_t blob_len;
} tfc_other_tag;

typedef struct {
    char *name; /* path relative to the logdir; "." for event files directly in it */
    char *dir;  /* the folder on disk */
    size_t nscalars;
    tfc_scalar_series *scalars; /* sorted by tag */
    size_t nhistograms;
    tfc_histogram_series *histograms; /* sorted by tag */
    size_t nimages;
    tfc_image_series *images; /* sorted by tag */
    size_t ntexts;
    tfc_text_series *texts; /* sorted by tag */
    size_t nothers;
    tfc_other_tag *others; /* sorted by tag */
    /* The newest GraphDef of the run (Event.graph_def, or else meta_graph_def.graph_def),
     * serialized; NULL when the run has none. */
    unsigned char *graph_def;
    size_t graph_def_len;
    size_t nevents;
} tfc_run;

typedef struct {
    size_t nruns;
    tfc_run *runs; /* sorted by name */
    /* Problems met on the way (corrupt records, unreadable files), one line each, naming the file
     * and byte offset; reading went on past them where it could. */
    size_t nwarnings;
    char **warnings;
} tfc_logdir;

/* Reads PATH: a logdir (walked recursively), or a single event file (one run named after its
 * folder). Files whose name contains "tfevents" are event files, read in name order. Returns the
 * logdir, which the caller frees with tfc_logdir_free (every string and array in it belongs to
 * it); NULL with st set when PATH is NULL, does not exist or holds no event file. */
TFC_API tfc_logdir *tfc_logdir_load(const char *path, tfc_status *st);
/* Reads the bytes of one event file (len bytes at data, not kept) as a logdir of one run ".";
 * name stands for the file in warnings. NULL with st set only when out of memory. */
TFC_API tfc_logdir *tfc_logdir_from_memory(const char *name, const void *data, size_t len, tfc_status *st);
/* Frees the logdir and all it holds; NULL is allowed. */
TFC_API void tfc_logdir_free(tfc_logdir *ld);

/* A run's series of one tag, found by name (the run's own; NULL when it has none of that kind
 * under tag, or run or tag is NULL). */
TFC_API const tfc_scalar_series *tfc_run_scalar(const tfc_run *run, const char *tag);
TFC_API const tfc_histogram_series *tfc_run_histogram(const tfc_run *run, const char *tag);
TFC_API const tfc_image_series *tfc_run_images(const tfc_run *run, const char *tag);
TFC_API const tfc_text_series *tfc_run_text(const tfc_run *run, const char *tag);
TFC_API const tfc_other_tag *tfc_run_other(const tfc_run *run, const char *tag);

/* Frees a text point's cells (NULL-safe) and zeroes them. */
TFC_API void tfc_text_point_clear(tfc_text_point *t);

TFC_END_DECLS

#endif
