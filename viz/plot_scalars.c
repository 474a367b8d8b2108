/* Scalar panels: one curve per run for a tag, TensorBoard-smoothed, the raw curve faint behind. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_panel.h"
#include "plot_smooth.h"
#include "plot_style.h"

enum { DENSE_POINTS = 50000 };

void tfc_plot_curve_free(tfc_plot_curve *c)
{
    free(c->label);
    free(c->step);
    free(c->wall);
    free(c->x);
    free(c->y);
    free(c->smooth);
}

static bool curve_from_series(tfc_plot_curve *c, const char *label, size_t color,
                              const tfc_scalar_series *s, const tfc_plot_options *opt)
{
    memset(c, 0, sizeof *c);
    c->label = strdup(label);
    c->color = color;
    c->n = s->n;
    c->step = malloc(s->n * sizeof *c->step);
    c->wall = malloc(s->n * sizeof *c->wall);
    c->x = malloc(s->n * sizeof *c->x);
    c->y = malloc(s->n * sizeof *c->y);
    c->smooth = malloc(s->n * sizeof *c->smooth);
    if (!c->label || !c->step || !c->wall || !c->x || !c->y || !c->smooth) return false;
    for (size_t i = 0; i < s->n; i++) {
        const tfc_scalar_point *p = &s->points[i];
        c->step[i] = p->step;
        c->wall[i] = p->wall_time;
        c->x[i] = tfc_plot_x_value(opt, p->step, p->wall_time, s->points[0].wall_time);
        c->y[i] = p->value;
    }
    tfc_plot_smooth(c->y, c->n, opt->smoothing, c->smooth);
    return true;
}

bool tfc_plot_figure_add_scalars(tfc_plot_figure *fig, const tfc_plot_source *src,
                                 const char *tag, tfc_status *st)
{
    size_t have = 0;
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_scalar_series *s = tfc_run_scalar(src->runs[r].run, tag);
        if (s && s->n > 0) have++;
    }
    if (have == 0)
        return tfc_fail(st, TFC_NOT_FOUND, "no run has values for scalar tag '%s'", tag);
    tfc_plot_panel *p = tfc_plot_figure_push(fig, TFC_PLOT_PANEL_SCALARS, tag, tag);
    if (p) p->curves = calloc(have, sizeof *p->curves);
    if (!p || !p->curves) return tfc_fail(st, TFC_INTERNAL, "out of memory plotting '%s'", tag);
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_scalar_series *s = tfc_run_scalar(src->runs[r].run, tag);
        if (!s || s->n == 0) continue;
        bool ok = curve_from_series(&p->curves[p->ncurves], src->runs[r].name, r, s, &fig->opt);
        p->ncurves++;
        if (!ok) return tfc_fail(st, TFC_INTERNAL, "out of memory plotting '%s'", tag);
    }
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool drawable(double y, bool log_y)
{
    return isfinite(y) && (!log_y || y > 0);
}

bool tfc_plot_scalars_extent(const tfc_plot_panel *p, const tfc_plot_options *opt,
                             tfc_plot_extent *e, tfc_status *st)
{
    e->xscale = tfc_plot_x_scale(opt, &e->xlabel);
    e->yscale = opt->log_y ? TFC_PLOT_SCALE_LOG : TFC_PLOT_SCALE_LINEAR;
    e->y_on_right = false;
    double xmin = INFINITY, xmax = -INFINITY;
    size_t total = 0;
    for (size_t c = 0; c < p->ncurves; c++) {
        for (size_t i = 0; i < p->curves[c].n; i++) {
            double x = p->curves[c].x[i];
            if (!isfinite(x)) continue;
            xmin = fmin(xmin, x);
            xmax = fmax(xmax, x);
        }
        total += p->curves[c].n;
    }
    if (!isnan(opt->xlim[0])) xmin = opt->xlim[0];
    if (!isnan(opt->xlim[1])) xmax = opt->xlim[1];
    if (!(xmin <= xmax))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "scalar '%s': empty x range", p->tag);
    if (xmin == xmax) {
        double pad = e->xscale == TFC_PLOT_SCALE_INTEGER ? 1 : fmax(fabs(xmin) * 0.05, 0.5);
        xmin -= pad;
        xmax += pad;
    }
    double *ys = malloc((total ? total : 1) * sizeof *ys);
    if (!ys) return tfc_fail(st, TFC_INTERNAL, "out of memory plotting '%s'", p->tag);
    size_t n = 0;
    for (size_t c = 0; c < p->ncurves; c++) {
        const tfc_plot_curve *cv = &p->curves[c];
        for (size_t i = 0; i < cv->n; i++) {
            if (cv->x[i] < xmin || cv->x[i] > xmax || !drawable(cv->y[i], opt->log_y)) continue;
            ys[n++] = opt->log_y ? log10(cv->y[i]) : cv->y[i];
        }
    }
    if (n == 0 && (isnan(opt->ylim[0]) || isnan(opt->ylim[1]))) {
        free(ys);
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "scalar '%s' has no %svalues to draw%s", p->tag,
                        opt->log_y ? "finite positive " : "finite ",
                        isnan(opt->xlim[0]) && isnan(opt->xlim[1]) ? "" : " in the --xlim range");
    }
    double lo = 0, hi = 0;
    if (n > 0 && opt->ignore_outliers) {
        qsort(ys, n, sizeof *ys, cmp_double);
        lo = tfc_plot_quantile(ys, n, 0.05);
        hi = tfc_plot_quantile(ys, n, 0.95);
    } else if (n > 0) {
        lo = hi = ys[0];
        for (size_t i = 1; i < n; i++) lo = fmin(lo, ys[i]), hi = fmax(hi, ys[i]);
    }
    if (n > 0) {
        double pad = (hi - lo) * 0.05;
        if (pad == 0) pad = opt->log_y ? 0.1 : (lo != 0 ? fabs(lo) * 0.05 : 0.5);
        lo -= pad;
        hi += pad;
    }
    free(ys);
    if (opt->log_y) {
        lo = pow(10, lo);
        hi = pow(10, hi);
    }
    if (!isnan(opt->ylim[0])) lo = opt->ylim[0];
    if (!isnan(opt->ylim[1])) hi = opt->ylim[1];
    if (!(lo < hi) || (opt->log_y && lo <= 0))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "scalar '%s': no y range to draw: %g..%g%s%s", p->tag, lo, hi,
                        opt->log_y ? " on a log axis" : "", tfc_plot_ylim_note(opt));
    e->xmin = xmin;
    e->xmax = xmax;
    e->ymin = lo;
    e->ymax = hi;
    return true;
}

/* A growing list of polylines in page points, kept for the legend's placement. */
typedef struct {
    size_t n, cap;
    double **pts;
    size_t *len;
} polylines;

static void polylines_free(polylines *pl)
{
    for (size_t i = 0; i < pl->n; i++) free(pl->pts[i]);
    free(pl->pts);
    free(pl->len);
}

/* Strokes the pieces of a curve between undrawable values, decimated to the pixel grid; keeps
 * them in KEEP when given. A piece of one point (a series of one value, or a value between
 * undrawable ones) has no line to show it: with MARKER it is drawn as a dot of that radius, as
 * TensorBoard marks such points. */
static void stroke_curve(cairo_t *cr, const tfc_plot_map *m, const double *x, const double *y,
                         size_t n, bool log_y, double col, double marker, polylines *keep)
{
    double *px = malloc((n ? n : 1) * sizeof *px), *py = malloc((n ? n : 1) * sizeof *py);
    if (!px || !py) {
        free(px);
        free(py);
        return;
    }
    size_t i = 0;
    while (i < n) {
        while (i < n && !(drawable(y[i], log_y) && isfinite(x[i]))) i++;
        size_t k = 0;
        for (; i < n && drawable(y[i], log_y) && isfinite(x[i]); i++, k++) {
            px[k] = tfc_plot_map_x(m, x[i]);
            py[k] = tfc_plot_map_y(m, y[i]);
        }
        if (k == 0) continue;
        if (k == 1 && marker > 0) {
            cairo_stroke(cr);
            cairo_new_sub_path(cr);
            cairo_arc(cr, px[0], py[0], marker, 0, 2 * M_PI);
            cairo_fill(cr);
        }
        k = tfc_plot_decimate(px, py, k, col);
        cairo_move_to(cr, px[0], py[0]);
        /* a lone point still shows, as a dot of the line's width */
        if (k == 1) cairo_line_to(cr, px[0], py[0]);
        for (size_t j = 1; j < k; j++) cairo_line_to(cr, px[j], py[j]);
        if (keep) {
            if (keep->n == keep->cap) {
                size_t cap = keep->cap ? 2 * keep->cap : 16;
                double **pts = realloc(keep->pts, cap * sizeof *pts);
                if (pts) keep->pts = pts;
                size_t *len = realloc(keep->len, cap * sizeof *len);
                if (len) keep->len = len;
                if (pts && len) keep->cap = cap;
            }
            double *copy = keep->n < keep->cap ? malloc(2 * k * sizeof *copy) : NULL;
            if (copy) {
                memcpy(copy, px, k * sizeof *copy);
                memcpy(copy + k, py, k * sizeof *copy);
                keep->pts[keep->n] = copy;
                keep->len[keep->n++] = k;
            }
        }
    }
    cairo_stroke(cr);
    free(px);
    free(py);
}

void tfc_plot_scalars_draw(cairo_t *cr, tfc_plot_panel *p, const tfc_plot_options *opt,
                           double px_per_pt)
{
    const tfc_plot_map *m = &p->map;
    double col = 1 / px_per_pt; /* one output pixel, in points */
    bool smoothed = opt->smoothing > 0;
    polylines strong = {0};
    cairo_save(cr);
    cairo_rectangle(cr, m->left, m->top, m->right - m->left, m->bottom - m->top);
    cairo_clip(cr);
    /* Hundreds of thousands of segments (100 runs of 10,000 points) rasterise 3x faster with
     * Cairo's fast antialiasing and bevel joins, and look the same at that density; ordinary
     * figures keep the finest antialiasing and round joins. */
    size_t total = 0;
    for (size_t c = 0; c < p->ncurves; c++) total += p->curves[c].n;
    bool dense = total > DENSE_POINTS;
    if (dense) cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
    cairo_set_line_join(cr, dense ? CAIRO_LINE_JOIN_BEVEL : CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (smoothed) {
        cairo_set_line_width(cr, TFC_PLOT_RAW_PT);
        for (size_t c = 0; c < p->ncurves; c++) {
            tfc_plot_rgb rgb = tfc_plot_palette(p->curves[c].color);
            cairo_set_source_rgba(cr, rgb.r, rgb.g, rgb.b, TFC_PLOT_RAW_ALPHA);
            stroke_curve(cr, m, p->curves[c].x, p->curves[c].y, p->curves[c].n, opt->log_y, col, 0,
                         NULL);
        }
    }
    cairo_set_line_width(cr, TFC_PLOT_CURVE_PT);
    for (size_t c = 0; c < p->ncurves; c++) {
        tfc_plot_rgb rgb = tfc_plot_palette(p->curves[c].color);
        cairo_set_source_rgb(cr, rgb.r, rgb.g, rgb.b);
        stroke_curve(cr, m, p->curves[c].x, smoothed ? p->curves[c].smooth : p->curves[c].y,
                     p->curves[c].n, opt->log_y, col, TFC_PLOT_MARKER_PT, &strong);
    }
    cairo_restore(cr);

    size_t *colors = malloc(p->ncurves * sizeof *colors);
    char **labels = malloc(p->ncurves * sizeof *labels);
    if (colors && labels) {
        for (size_t c = 0; c < p->ncurves; c++) {
            colors[c] = p->curves[c].color;
            labels[c] = p->curves[c].label;
        }
        p->has_legend = tfc_plot_legend_draw(cr, m, p->ncurves, colors, labels, strong.n,
                                             strong.pts, strong.len, p->legend);
    }
    free(colors);
    free(labels);
    polylines_free(&strong);
}
