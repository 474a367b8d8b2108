/* The look of tfc-plot's figures in one place: palette, fonts, line widths, greys. Sizes are in
 * points (1/72 inch), so they keep their proportions at any --dpi. */
#ifndef TFC_PLOT_STYLE_H
#define TFC_PLOT_STYLE_H

#include <stddef.h>

typedef struct {
    double r, g, b;
} tfc_plot_rgb;

/* Tableau 10 (matplotlib's "tab10"), cycling. */
tfc_plot_rgb tfc_plot_palette(size_t i);

#define TFC_PLOT_FONT "DejaVu Sans"
#define TFC_PLOT_FIG_TITLE_PT 13.0
#define TFC_PLOT_TITLE_PT 11.0
#define TFC_PLOT_LABEL_PT 9.5
#define TFC_PLOT_TICK_PT 8.5
#define TFC_PLOT_LEGEND_PT 8.5

#define TFC_PLOT_TEXT_GREY 0.15
#define TFC_PLOT_SPINE_GREY 0.25
#define TFC_PLOT_GRID_GREY 0.88
#define TFC_PLOT_SPINE_PT 0.8
#define TFC_PLOT_GRID_PT 0.6
#define TFC_PLOT_TICK_LEN_PT 3.5

#define TFC_PLOT_CURVE_PT 1.5  /* the smoothed (or only) curve */
#define TFC_PLOT_RAW_PT 1.0    /* the raw curve behind a smoothed one */
#define TFC_PLOT_MARKER_PT 3.5 /* radius of the dot marking a point with no line to it */
#define TFC_PLOT_RAW_ALPHA 0.28

/* Default size of one panel, in inches. */
#define TFC_PLOT_PANEL_W_IN 6.4
#define TFC_PLOT_PANEL_H_IN 4.4

#endif
