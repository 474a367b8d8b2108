/* Draws a graph view with Graphviz: libcgraph builds the graph (open scopes as nested
 * "cluster_..." subgraphs), libgvc lays it out with dot and renders PNG, SVG or PDF through the
 * cairo/pango plugin; .dot output is the graph before layout. */
#ifndef TFC_GRAPH_RENDER_H
#define TFC_GRAPH_RENDER_H

#include <stdbool.h>

#include "graph_model.h"
#include "graph_view.h"
#include "status.h"

typedef enum {
    TFC_GDRAW_PNG,
    TFC_GDRAW_SVG,
    TFC_GDRAW_PDF,
    TFC_GDRAW_DOT,
} tfc_gdraw_format;

typedef struct {
    const char *rankdir; /* "BT" (NULL: inputs at the bottom, as TensorBoard), "TB", "LR", "RL" */
    bool color_by_op;    /* fill ops by op type instead of scopes by top-level scope */
    const char *title;   /* a line above the graph, or NULL */
    /* Graphviz lays out and renders in a child process: at most this many seconds (0: no
     * limit), with at most this many bytes of address space (0: no limit). */
    double time_limit;
    size_t max_memory;
} tfc_gdraw_style;

/* tfc-graph's limits for Graphviz: seconds, and bytes of address space. */
#define TFC_GDRAW_TIME_LIMIT 60.0
#define TFC_GDRAW_MAX_MEMORY ((size_t)3 << 29)

/* Whether max_memory is applied: not in an AddressSanitizer build, which reserves terabytes of
 * address space up front. */
bool tfc_gdraw_memory_limited(void);

/* The format named by path's extension (.png .svg .pdf .dot, any case); false if none. */
bool tfc_gdraw_format_from_path(const char *path, tfc_gdraw_format *fmt);

/* Draws v into the file at path. A PNG too big to view (over 16384 pixels a side or 32
 * megapixels) is scaled down: *scale (may be NULL) says by how much, 1 when it is not. Past the
 * time limit, or when Graphviz fails or dies on the view, false with a one-line message naming
 * the file, the view's size and the cause (TFC_FAILED_PRECONDITION for time and crashes). */
bool tfc_gdraw_render(const tfc_gdraw_model *m, const tfc_gdraw_view *v,
                      const tfc_gdraw_style *style, const char *path, tfc_gdraw_format fmt,
                      double *scale, tfc_status *st);

/* The view drawn as SVG into memory: a malloc'ed, NUL-terminated text of *len bytes, or NULL
 * with st set. Scopes drawn collapsed are nodes titled "PATH/", open ones clusters titled
 * "cluster_PATH" (what the report's foldable graph finds them by). */
char *tfc_gdraw_render_svg(const tfc_gdraw_model *m, const tfc_gdraw_view *v, const tfc_gdraw_style *style,
                           size_t *len, tfc_status *st);

#endif
