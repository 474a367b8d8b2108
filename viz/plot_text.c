/* Measuring and placing text with Cairo's toy font API. */
#include "plot_text.h"

#include <stdio.h>
#include <string.h>

#include "plot_style.h"

void tfc_plot_font(cairo_t *cr, double size_pt, bool bold)
{
    cairo_select_font_face(cr, TFC_PLOT_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_pt);
}

double tfc_plot_text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

double tfc_plot_cap_height(cairo_t *cr)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, "0", &e);
    return -e.y_bearing;
}

void tfc_plot_text(cairo_t *cr, const char *s, double x, double y, double ax, double ay,
                   double angle)
{
    double w = tfc_plot_text_width(cr, s), cap = tfc_plot_cap_height(cr);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (angle != 0) cairo_rotate(cr, -angle);
    cairo_move_to(cr, -ax * w, (1 - ay) * cap);
    cairo_show_text(cr, s);
    cairo_restore(cr);
}

void tfc_plot_fit_text(cairo_t *cr, const char *s, double maxw, char *buf, size_t size)
{
    /* Whole if it fits; else two thirds from the start and one from the end with an ellipsis
     * (U+2026) between them, cut between UTF-8 characters: names alike differ at their start
     * (dense/..., dense_1/...) or at their end (a Keras run's train and validation). */
    size_t n = strlen(s);
    for (size_t keep = n;; keep--) {
        size_t head = keep - keep / 3, tail = n - keep / 3;
        while (head && ((unsigned char)s[head] & 0xc0) == 0x80) head--;
        while (tail < n && ((unsigned char)s[tail] & 0xc0) == 0x80) tail++;
        int len = keep == n ? snprintf(buf, size, "%s", s)
                            : snprintf(buf, size, "%.*s\xe2\x80\xa6%s", (int)head, s, s + tail);
        if (!keep || ((size_t)len < size && tfc_plot_text_width(cr, buf) <= maxw)) return;
    }
}
