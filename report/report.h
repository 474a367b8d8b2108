/* tfc-report's library: one self-contained HTML file for a logdir, to open offline in any browser
 * and to hand to someone else: the runs and their tags; every scalar chart (SVG drawn by the
 * page's own JavaScript from the data embedded in it, with TensorBoard's smoothing recomputed as
 * a slider moves, hover read-outs, log-y and x-axis switches); histograms as distributions and as
 * stacked histograms; image grids; text summaries; the graph drawn by Graphviz as SVG with its name scopes folded
 * and unfolded by a click; the newest checkpoint's variables. Nothing is fetched from a network:
 * the script, the style sheet, the images (PNG data URIs) and the SVGs are all in the file. */
#ifndef TFC_REPORT_H
#define TFC_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "plot.h"
#include "status.h"

typedef struct {
    const char *title;     /* the page's title; NULL: the logdirs' names */
    size_t max_points;     /* scalar points kept per run and tag, evenly spread, first and last
                            * among them (TensorBoard keeps 1,000); 0: all */
    size_t max_steps;      /* rows of an image grid or values of a text tag (steps); 0: all */
    double smoothing;      /* the slider's first value, 0 <= w < 1 */
    size_t graph_budget;   /* bytes of graph SVG at most (the folded views); 0: no graph */
} tfc_report_options;

void tfc_report_options_default(tfc_report_options *o);

/* Writes the report of the runs of src (loaded from the logdirs named in paths, which the page
 * shows) to out_path. Problems that leave something out (an undecodable image, a graph that does
 * not parse, an unreadable checkpoint) are reported through warn, one line each; the report is
 * written all the same. */
bool tfc_report_write(const tfc_plot_source *src, const char *const *paths, size_t npaths, const char *out_path,
                      const tfc_report_options *o, tfc_plot_warn_fn warn, void *ctx, tfc_status *st);

#endif
