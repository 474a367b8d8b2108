/* Text through Cairo's toy font API in DejaVu Sans: set a size, measure, draw anchored. */
#ifndef TFC_PLOT_TEXT_H
#define TFC_PLOT_TEXT_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

void tfc_plot_font(cairo_t *cr, double size_pt, bool bold);
double tfc_plot_text_width(cairo_t *cr, const char *s);
/* Height of a capital letter or digit in the current font: what the eye centres on. */
double tfc_plot_cap_height(cairo_t *cr);
/* S into BUF (SIZE bytes, at least 4), shortened to at most MAXW points wide by an ellipsis
 * between its start and its end, so that names alike but for either stay apart. */
void tfc_plot_fit_text(cairo_t *cr, const char *s, double maxw, char *buf, size_t size);
/* Draws S with its anchor at (x, y): AX 0 = left edge, 0.5 = centre, 1 = right edge;
 * AY 0 = top of the capitals, 0.5 = their middle, 1 = the baseline. ANGLE in radians
 * (counter-clockwise rotation about the anchor, for vertical axis titles). */
void tfc_plot_text(cairo_t *cr, const char *s, double x, double y, double ax, double ay,
                   double angle);

#endif
