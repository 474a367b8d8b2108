/* A page that tfc-plot's pictures are drawn on: a Cairo surface for PNG, SVG or PDF chosen by the
 * output's extension, white, with a context whose units are points (1/72 inch) at any dpi, and
 * the file written when it is closed (through out_file.h: every write checked, and nothing left
 * behind when anything failed). */
#ifndef TFC_PLOT_PAGE_H
#define TFC_PLOT_PAGE_H

#include <cairo.h>
#include <stdbool.h>
#include <stdio.h>

#include "out_file.h"
#include "status.h"

typedef struct {
    cairo_t *cr;
    double px_per_pt;
    /* private */
    cairo_surface_t *surf;
    tfc_out_file out;
    const char *path;
    bool png;
} tfc_plot_page;

/* False with st set when path has no known extension (.png, .svg, .pdf). */
bool tfc_plot_page_check_path(const char *path, tfc_status *st);
/* Opens path for a page of wpx x hpx pixels at dpi (pixels for PNG; the same size in points
 * scaled by 72/dpi for SVG and PDF). */
bool tfc_plot_page_open(tfc_plot_page *pg, const char *path, double wpx, double hpx, double dpi, tfc_status *st);
/* Finishes the page and commits the file when ok; drops it otherwise. Returns ok and whether
 * the writing went well. */
bool tfc_plot_page_close(tfc_plot_page *pg, bool ok, tfc_status *st);

#endif
