/* A tfc-plot figure: panels laid out on a page, axes with ticks that do not collide, drawn
 * through Cairo to PNG, SVG or PDF. */
#include <cairo.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_page.h"
#include "plot_panel.h"
#include "plot_style.h"
#include "plot_text.h"
#include "utf8.h"

void tfc_plot_options_default(tfc_plot_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->dpi = 100;
    opt->x = TFC_PLOT_X_STEP;
    opt->smoothing = 0.6;
    opt->xlim[0] = opt->xlim[1] = opt->ylim[0] = opt->ylim[1] = NAN;
    opt->hist_mode = TFC_PLOT_HIST_DISTRIBUTION;
}

tfc_plot_figure *tfc_plot_figure_new(const tfc_plot_options *opt)
{
    tfc_plot_figure *fig = calloc(1, sizeof *fig);
    if (!fig) return NULL;
    fig->opt = *opt;
    if (opt->title) {
        fig->title = strdup(opt->title);
        if (!fig->title) {
            free(fig);
            return NULL;
        }
    }
    fig->opt.title = fig->title;
    fig->px_per_pt = opt->dpi / 72;
    return fig;
}

void tfc_plot_figure_free(tfc_plot_figure *fig)
{
    if (!fig) return;
    for (size_t i = 0; i < fig->npanels; i++) {
        tfc_plot_panel *p = &fig->panels[i];
        for (size_t c = 0; c < p->ncurves; c++) tfc_plot_curve_free(&p->curves[c]);
        free(p->curves);
        tfc_plot_hist_free(&p->hist);
        free(p->tag);
        free(p->title);
    }
    free(fig->panels);
    free(fig->title);
    free(fig);
}

tfc_plot_panel *tfc_plot_figure_push(tfc_plot_figure *fig, tfc_plot_panel_kind kind,
                                     const char *tag, const char *title)
{
    tfc_plot_panel *panels = realloc(fig->panels, (fig->npanels + 1) * sizeof *panels);
    if (!panels) return NULL;
    fig->panels = panels;
    tfc_plot_panel *p = &panels[fig->npanels];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->tag = strdup(tag);
    p->title = strdup(title);
    fig->npanels++; /* counted even when a strdup failed, so that free() finds it */
    return p->tag && p->title ? p : NULL;
}

size_t tfc_plot_figure_npanels(const tfc_plot_figure *fig)
{
    return fig->npanels;
}

tfc_plot_scale tfc_plot_x_scale(const tfc_plot_options *opt, const char **label)
{
    switch (opt->x) {
    case TFC_PLOT_X_RELATIVE: *label = "relative time"; return TFC_PLOT_SCALE_DURATION;
    case TFC_PLOT_X_WALL: *label = "wall time"; return TFC_PLOT_SCALE_WALL;
    case TFC_PLOT_X_STEP: break;
    }
    *label = "step";
    return TFC_PLOT_SCALE_INTEGER;
}

double tfc_plot_x_value(const tfc_plot_options *opt, int64_t step, double wall, double start)
{
    switch (opt->x) {
    case TFC_PLOT_X_RELATIVE: return wall - start;
    case TFC_PLOT_X_WALL: return wall;
    case TFC_PLOT_X_STEP: break;
    }
    return (double)step;
}

double tfc_plot_map_x(const tfc_plot_map *m, double x)
{
    return m->left + (x - m->xmin) / (m->xmax - m->xmin) * (m->right - m->left);
}

double tfc_plot_map_y(const tfc_plot_map *m, double y)
{
    if (m->log_y)
        return m->bottom - (log10(y) - log10(m->ymin)) / (log10(m->ymax) - log10(m->ymin)) *
                               (m->bottom - m->top);
    return m->bottom - (y - m->ymin) / (m->ymax - m->ymin) * (m->bottom - m->top);
}

/* ---- page layout ---- */

typedef struct {
    cairo_t *cr;
    double s; /* output pixels per point */
} page;

/* V moved to the middle of an output pixel (or onto a pixel edge for lines an even number of
 * pixels wide), so that thin lines stay sharp in PNGs. */
static double snap(const page *pg, double v, double width_pt)
{
    double wpx = fmax(1, round(width_pt * pg->s));
    double d = v * pg->s;
    d = ((long)wpx % 2) ? floor(d) + 0.5 : round(d);
    return d / pg->s;
}

/* A line width that is a whole number of output pixels. */
static double crisp(const page *pg, double width_pt)
{
    return fmax(1, round(width_pt * pg->s)) / pg->s;
}

static void grey(cairo_t *cr, double g)
{
    cairo_set_source_rgb(cr, g, g, g);
}

static void axis_title(char *buf, size_t len, const char *stem, const char *unit)
{
    if (unit[0]) snprintf(buf, len, "%s (%s)", stem, unit);
    else snprintf(buf, len, "%s", stem);
}

/* Ticks over [lo, hi] on an axis LENGTH points long whose labels do not collide: labels along
 * the axis need their width (HORIZONTAL) or their height apart, plus a gap. */
static void fitting_ticks(cairo_t *cr, tfc_plot_scale scale, double lo, double hi,
                          double length, bool horizontal, tfc_plot_ticks *t)
{
    double cap = tfc_plot_cap_height(cr), gap = 0.9 * TFC_PLOT_TICK_PT;
    size_t max = (size_t)(length / (horizontal ? 36 : 32));
    if (max > TFC_PLOT_MAX_TICKS) max = TFC_PLOT_MAX_TICKS;
    if (max < 2) max = 2;
    for (;; max--) {
        tfc_plot_axis_ticks(scale, lo, hi, max, t);
        bool fits = true;
        bool log = scale == TFC_PLOT_SCALE_LOG;
        for (size_t i = 0; i + 1 < t->n && fits; i++) {
            double a = log ? log10(t->at[i]) : t->at[i], b = log ? log10(t->at[i + 1]) : t->at[i + 1];
            double l0 = log ? log10(lo) : lo, l1 = log ? log10(hi) : hi;
            double dist = fabs(b - a) / (l1 - l0) * length;
            double need = horizontal ? (tfc_plot_text_width(cr, t->label[i]) +
                                        tfc_plot_text_width(cr, t->label[i + 1])) / 2 + gap
                                     : cap + gap;
            if (dist < need) fits = false;
        }
        if (fits) return;
        if (max == 2) { /* no room for two labels: one is better than a smudge */
            t->n = 1;
            return;
        }
    }
}

static double widest(cairo_t *cr, const tfc_plot_ticks *t)
{
    double w = 0;
    for (size_t i = 0; i < t->n; i++) w = fmax(w, tfc_plot_text_width(cr, t->label[i]));
    return w;
}

static bool draw_panel(const page *pg, tfc_plot_figure *fig, tfc_plot_panel *p,
                       const double cell[4], tfc_status *st)
{
    cairo_t *cr = pg->cr;
    const tfc_plot_options *opt = &fig->opt;
    tfc_plot_extent e = {0};
    e.ytick_lo = e.ytick_hi = NAN;
    bool ok = p->kind == TFC_PLOT_PANEL_SCALARS ? tfc_plot_scalars_extent(p, opt, &e, st)
                                                : tfc_plot_histograms_extent(p, opt, &e, st);
    if (!ok) return false;
    double ylo = isnan(e.ytick_lo) ? fmin(e.ymin, e.ymax) : e.ytick_lo;
    double yhi = isnan(e.ytick_hi) ? fmax(e.ymin, e.ymax) : e.ytick_hi;

    const double tick = TFC_PLOT_TICK_LEN_PT, pad = 3.5;
    tfc_plot_font(cr, TFC_PLOT_TICK_PT, false);
    double tick_cap = tfc_plot_cap_height(cr);
    tfc_plot_font(cr, TFC_PLOT_LABEL_PT, false);
    double label_cap = tfc_plot_cap_height(cr);
    tfc_plot_font(cr, TFC_PLOT_TITLE_PT, false);
    double title_cap = tfc_plot_cap_height(cr);

    double top = cell[1] + 4 + title_cap + 1.2 * TFC_PLOT_TITLE_PT;
    double bottom = cell[3] - (tick + pad + tick_cap + 0.9 * TFC_PLOT_LABEL_PT + label_cap + 4);
    if (bottom - top < 20) bottom = top + 20;

    /* y ticks first: their labels' width sets the side margin */
    tfc_plot_ticks yt, xt;
    tfc_plot_font(cr, TFC_PLOT_TICK_PT, false);
    fitting_ticks(cr, e.yscale, ylo, yhi, (bottom - top) * (yhi - ylo) / fabs(e.ymax - e.ymin),
                  false, &yt);
    double ylabels = widest(cr, &yt);
    double side = tick + pad + ylabels + 6 + (e.ylabel ? label_cap + 0.9 * TFC_PLOT_LABEL_PT : 0);
    double left = cell[0] + (e.y_on_right ? 14 : side);
    double right = cell[2] - (e.y_on_right ? side : 14);
    if (right - left < 20) right = left + 20;
    fitting_ticks(cr, e.xscale, e.xmin, e.xmax, right - left, true, &xt);
    /* the last x label is centred on its tick: leave room for its right half */
    if (xt.n > 0 && !e.y_on_right) {
        double half = tfc_plot_text_width(cr, xt.label[xt.n - 1]) / 2 + 2;
        double at = left + (xt.at[xt.n - 1] - e.xmin) / (e.xmax - e.xmin) * (right - left);
        if (at + half > cell[2]) {
            right -= at + half - cell[2];
            fitting_ticks(cr, e.xscale, e.xmin, e.xmax, right - left, true, &xt);
        }
    }

    tfc_plot_map *m = &p->map;
    *m = (tfc_plot_map){left, top, right, bottom, e.xmin, e.xmax, e.ymin, e.ymax,
                        e.yscale == TFC_PLOT_SCALE_LOG};

    /* grid */
    double gw = crisp(pg, TFC_PLOT_GRID_PT);
    cairo_set_line_width(cr, gw);
    grey(cr, TFC_PLOT_GRID_GREY);
    for (size_t i = 0; i < xt.n; i++) {
        double x = snap(pg, tfc_plot_map_x(m, xt.at[i]), gw);
        cairo_move_to(cr, x, top);
        cairo_line_to(cr, x, bottom);
    }
    if (p->kind != TFC_PLOT_PANEL_OFFSET) {
        for (size_t i = 0; i < yt.n; i++) {
            double y = snap(pg, tfc_plot_map_y(m, yt.at[i]), gw);
            cairo_move_to(cr, left, y);
            cairo_line_to(cr, right, y);
        }
    }
    cairo_stroke(cr);

    if (p->kind == TFC_PLOT_PANEL_SCALARS) {
        tfc_plot_scalars_draw(cr, p, opt, pg->s);
    } else {
        tfc_plot_histograms_draw(cr, p);
        p->has_legend = false;
    }

    /* frame */
    double sw = crisp(pg, TFC_PLOT_SPINE_PT);
    double fl = snap(pg, left, sw), fr = snap(pg, right, sw), ft = snap(pg, top, sw),
           fb = snap(pg, bottom, sw);
    cairo_set_line_width(cr, sw);
    grey(cr, TFC_PLOT_SPINE_GREY);
    cairo_rectangle(cr, fl, ft, fr - fl, fb - ft);
    cairo_stroke(cr);

    /* ticks and their labels */
    double yaxis = e.y_on_right ? fr : fl, dir = e.y_on_right ? 1 : -1;
    for (size_t i = 0; i < xt.n; i++) {
        double x = snap(pg, tfc_plot_map_x(m, xt.at[i]), sw);
        cairo_move_to(cr, x, fb);
        cairo_line_to(cr, x, fb + tick);
    }
    for (size_t i = 0; i < yt.n; i++) {
        double y = snap(pg, tfc_plot_map_y(m, yt.at[i]), sw);
        cairo_move_to(cr, yaxis, y);
        cairo_line_to(cr, yaxis + dir * tick, y);
    }
    cairo_stroke(cr);
    if (m->log_y) {
        cairo_set_line_width(cr, crisp(pg, TFC_PLOT_SPINE_PT * 0.7));
        for (size_t i = 0; i < yt.nminor; i++) {
            double y = snap(pg, tfc_plot_map_y(m, yt.minor[i]), sw);
            cairo_move_to(cr, yaxis, y);
            cairo_line_to(cr, yaxis + dir * tick * 0.6, y);
        }
        cairo_stroke(cr);
    }
    grey(cr, TFC_PLOT_TEXT_GREY);
    tfc_plot_font(cr, TFC_PLOT_TICK_PT, false);
    for (size_t i = 0; i < xt.n; i++)
        tfc_plot_text(cr, xt.label[i], tfc_plot_map_x(m, xt.at[i]), fb + tick + pad, 0.5, 0, 0);
    for (size_t i = 0; i < yt.n; i++)
        tfc_plot_text(cr, yt.label[i], yaxis + dir * (tick + pad), tfc_plot_map_y(m, yt.at[i]),
                      e.y_on_right ? 0 : 1, 0.5, 0);

    /* axis titles and the panel title */
    char buf[128];
    tfc_plot_font(cr, TFC_PLOT_LABEL_PT, false);
    axis_title(buf, sizeof buf, e.xlabel, xt.unit);
    tfc_plot_text(cr, buf, (left + right) / 2, cell[3] - 4, 0.5, 1, 0);
    if (e.ylabel) {
        axis_title(buf, sizeof buf, e.ylabel, yt.unit);
        double x = yaxis + dir * (tick + pad + ylabels + 6);
        tfc_plot_text(cr, buf, x, (top + bottom) / 2, 0.5, e.y_on_right ? 0 : 1, M_PI / 2);
    }
    tfc_plot_font(cr, TFC_PLOT_TITLE_PT, false);
    char title[512];
    tfc_plot_fit_text(cr, p->title, cell[2] - cell[0] - 8, title, sizeof title);
    double tx = fmin(fmax((left + right) / 2, cell[0] + 4 + tfc_plot_text_width(cr, title) / 2),
                     cell[2] - 4 - tfc_plot_text_width(cr, title) / 2);
    tfc_plot_text(cr, title, tx, top - 0.75 * TFC_PLOT_TITLE_PT, 0.5, 1, 0);
    return true;
}

/* ---- output ---- */

static void grid_of(size_t n, size_t *cols, size_t *rows)
{
    *cols = n <= 3 ? n : n == 4 ? 2 : 3;
    *rows = (n + *cols - 1) / *cols;
}

bool tfc_plot_figure_render(tfc_plot_figure *fig, const char *path, tfc_status *st)
{
    const tfc_plot_options *opt = &fig->opt;
    if (!tfc_plot_page_check_path(path, st)) return false;
    if (fig->npanels == 0) return tfc_fail(st, TFC_INVALID_ARGUMENT, "nothing to plot");
    if (!(opt->dpi >= 10 && opt->dpi <= 2400))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "dpi %g is out of range (10..2400)", opt->dpi);
    size_t cols, rows;
    grid_of(fig->npanels, &cols, &rows);
    /* several panels: each a little smaller, a little taller for its width */
    double pw = fig->npanels > 1 ? TFC_PLOT_PANEL_W_IN * 0.85 : TFC_PLOT_PANEL_W_IN;
    double ph = fig->npanels > 1 ? TFC_PLOT_PANEL_H_IN * 0.92 : TFC_PLOT_PANEL_H_IN;
    double wpx = opt->width > 0 ? opt->width : round((double)cols * pw * opt->dpi);
    double hpx = opt->height > 0 ? opt->height
                                 : round((double)rows * ph * opt->dpi + (opt->title ? 0.3 * opt->dpi : 0));
    if (wpx > 20000 || hpx > 20000)
        return tfc_fail(st, TFC_INVALID_ARGUMENT,
                        "%zu panels make a figure of %.0fx%.0f pixels, over the limit of 20000 a side: choose fewer "
                        "tags or a lower --dpi (or write them with --csv)",
                        fig->npanels, wpx, hpx);
    tfc_plot_page out;
    if (!tfc_plot_page_open(&out, path, wpx, hpx, opt->dpi, st)) return false;
    page pg = {out.cr, out.px_per_pt};
    fig->px_per_pt = pg.s;
    double w = wpx / pg.s, h = hpx / pg.s;
    cairo_t *cr = pg.cr;

    const double margin = 6;
    double top = margin;
    if (opt->title) {
        tfc_plot_font(cr, TFC_PLOT_FIG_TITLE_PT, true);
        grey(cr, TFC_PLOT_TEXT_GREY);
        tfc_plot_text(cr, opt->title, w / 2, top + 0.5 * TFC_PLOT_FIG_TITLE_PT, 0.5, 0, 0);
        top += 1.9 * TFC_PLOT_FIG_TITLE_PT;
    }
    double cw = (w - 2 * margin) / (double)cols, ch = (h - top - margin) / (double)rows;
    bool ok = true;
    for (size_t i = 0; i < fig->npanels && ok; i++) {
        double x0 = margin + (double)(i % cols) * cw, y0 = top + (double)(i / cols) * ch;
        double cell[4] = {x0, y0, x0 + cw, y0 + ch};
        ok = draw_panel(&pg, fig, &fig->panels[i], cell, st);
    }
    return tfc_plot_page_close(&out, ok, st);
}

bool tfc_plot_figure_geometry(const tfc_plot_figure *fig, size_t panel, tfc_plot_geometry *g)
{
    if (panel >= fig->npanels) return false;
    const tfc_plot_panel *p = &fig->panels[panel];
    double s = fig->px_per_pt;
    *g = (tfc_plot_geometry){p->map.left * s, p->map.top * s, p->map.right * s, p->map.bottom * s,
                             p->map.xmin, p->map.xmax, p->map.ymin, p->map.ymax, p->map.log_y,
                             p->has_legend,
                             {p->legend[0] * s, p->legend[1] * s, p->legend[2] * s, p->legend[3] * s}};
    return true;
}

static tfc_plot_map map_of(const tfc_plot_geometry *g)
{
    return (tfc_plot_map){g->left, g->top, g->right, g->bottom, g->xmin, g->xmax, g->ymin, g->ymax,
                          g->log_y};
}

double tfc_plot_geometry_x(const tfc_plot_geometry *g, double x)
{
    tfc_plot_map m = map_of(g);
    return tfc_plot_map_x(&m, x);
}

double tfc_plot_geometry_y(const tfc_plot_geometry *g, double y)
{
    tfc_plot_map m = map_of(g);
    return tfc_plot_map_y(&m, y);
}

void tfc_plot_release_caches(void)
{
    cairo_debug_reset_static_data();
}

/* ---- names ---- */

/* s appended to buf as a file name may hold it: ASCII letters, digits, '.', '-' and '_' as they
 * are, and the characters beyond ASCII too (a tag in Cyrillic or Chinese keeps its name, and two
 * such tags do not both become "____"); anything else, a stray byte included, as '_'. */
static void append_sanitized(char *buf, size_t size, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(buf), n = strlen(s);
    for (size_t i = 0; i < n && len + 1 < size;) {
        size_t k = u[i] >= 0x80 ? tfc_utf8_len(u + i, n - i) : 0;
        if (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0) k = 0; /* C1 controls */
        if (k) {
            if (len + k + 1 > size) break;
            memcpy(buf + len, s + i, k);
            len += k;
            i += k;
            continue;
        }
        buf[len++] = (isalnum(u[i]) || u[i] == '.' || u[i] == '-' || u[i] == '_') ? (char)u[i] : '_';
        i++;
    }
    buf[len] = '\0';
}

char *tfc_plot_figure_default_name(const tfc_plot_figure *fig, const char *extension)
{
    char name[256] = "";
    size_t distinct = 0;
    for (size_t i = 0; i < fig->npanels; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) seen = strcmp(fig->panels[i].tag, fig->panels[j].tag) == 0;
        if (seen) continue;
        distinct++;
        if (distinct <= 3) {
            if (distinct > 1) strncat(name, "+", sizeof name - strlen(name) - 1);
            append_sanitized(name, 200, fig->panels[i].tag);
        }
    }
    if (distinct > 3) {
        char more[32];
        snprintf(more, sizeof more, "+%zu-more", distinct - 3);
        strncat(name, more, sizeof name - strlen(name) - 1);
    }
    if (!name[0]) snprintf(name, sizeof name, "plot");
    strncat(name, extension, sizeof name - strlen(name) - 1);
    return strdup(name);
}
