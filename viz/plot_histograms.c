/* Histogram panels: TensorBoard's distribution view (bands between percentiles over steps) and
 * its offset view (the histograms of successive steps stacked, oldest at the back). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_panel.h"
#include "plot_style.h"

const double tfc_plot_percentiles[TFC_PLOT_NPCT] = {0,     6.68,  15.87, 30.85, 50,
                                                   69.15, 84.13, 93.32, 100};

enum { OFFSET_BINS = 48, OFFSET_MAX_DRAWN = 40 };

/* Left and right edge of bucket I, with the open outer buckets closed at min and max. */
static void bucket_edges(const tfc_histogram_point *h, size_t i, double *l, double *r)
{
    *l = i == 0 ? h->min : fmax(h->limits[i - 1], h->min);
    *r = fmin(h->limits[i], h->max);
    if (*l > *r) *l = *r;
}

void tfc_plot_histogram_percentiles(const tfc_histogram_point *h, double out[TFC_PLOT_NPCT])
{
    static const double bps[TFC_PLOT_NPCT] = {0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000};
    double total = 0;
    for (size_t i = 0; i < h->nbuckets; i++) total += h->counts[i];
    if (!(total > 0)) {
        for (size_t j = 0; j < TFC_PLOT_NPCT; j++) out[j] = 0;
        return;
    }
    /* cumulative weight in basis points, scaled per bucket first as TensorBoard does */
    double *cum = malloc(h->nbuckets * sizeof *cum);
    if (!cum) {
        for (size_t j = 0; j < TFC_PLOT_NPCT; j++) out[j] = NAN;
        return;
    }
    double acc = 0;
    for (size_t i = 0; i < h->nbuckets; i++) cum[i] = acc += h->counts[i] * 10000.0 / total;
    size_t j = 0;
    for (; j < TFC_PLOT_NPCT; j++) {
        size_t i = 0;
        while (i < h->nbuckets && cum[i] <= bps[j]) i++;
        while (i < h->nbuckets && cum[i] == (i > 0 ? cum[i - 1] : 0)) i++;
        if (i == h->nbuckets) break;
        double prev = i > 0 ? cum[i - 1] : 0, l, r;
        bucket_edges(h, i, &l, &r);
        if (prev == 0) l = h->min;
        out[j] = l + (bps[j] - prev) * (r - l) / (cum[i] - prev);
    }
    for (; j < TFC_PLOT_NPCT; j++) out[j] = h->max;
    free(cum);
}

void tfc_plot_histogram_rebin(const tfc_histogram_point *h, double lo, double hi, size_t nbins,
                              double *out)
{
    for (size_t b = 0; b < nbins; b++) out[b] = 0;
    double width = (hi - lo) / (double)nbins;
    if (!(width > 0)) return;
    for (size_t i = 0; i < h->nbuckets; i++) {
        double c = h->counts[i], l, r;
        if (!(c > 0)) continue;
        bucket_edges(h, i, &l, &r);
        double fl = (l - lo) / width, fr = (r - lo) / width;
        if (fr - fl < 1e-12) { /* a bucket of no width: all its count at one place */
            long b = (long)floor(fl);
            if (b >= 0 && b < (long)nbins) out[b] += c;
            else if (b == (long)nbins) out[nbins - 1] += c;
            continue;
        }
        for (long b = (long)fmax(0, floor(fl)); b < (long)nbins && b < (long)ceil(fr); b++) {
            double overlap = fmin(fr, (double)b + 1) - fmax(fl, (double)b);
            if (overlap > 0) out[b] += c * overlap / (fr - fl);
        }
    }
}

void tfc_plot_hist_free(tfc_plot_hist *h)
{
    free(h->label);
    free(h->step);
    free(h->wall);
    free(h->x);
    free(h->pct);
    free(h->counts);
}

static bool hist_from_series(tfc_plot_hist *h, const char *label, size_t color,
                             const tfc_histogram_series *s, const tfc_plot_options *opt)
{
    memset(h, 0, sizeof *h);
    size_t n = s->n;
    h->label = strdup(label);
    h->color = color;
    h->n = n;
    h->step = malloc(n * sizeof *h->step);
    h->wall = malloc(n * sizeof *h->wall);
    h->x = malloc(n * sizeof *h->x);
    h->pct = malloc(n * sizeof *h->pct);
    if (!h->label || !h->step || !h->wall || !h->x || !h->pct) return false;
    h->lo = INFINITY;
    h->hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const tfc_histogram_point *p = &s->points[i];
        h->step[i] = p->step;
        h->wall[i] = p->wall_time;
        h->x[i] = tfc_plot_x_value(opt, p->step, p->wall_time, s->points[0].wall_time);
        tfc_plot_histogram_percentiles(p, h->pct[i]);
        h->lo = fmin(h->lo, h->pct[i][0]);
        h->hi = fmax(h->hi, h->pct[i][TFC_PLOT_NPCT - 1]);
    }
    if (opt->hist_mode != TFC_PLOT_HIST_OFFSET) return true;
    if (!isnan(opt->xlim[0])) h->lo = opt->xlim[0];
    if (!isnan(opt->xlim[1])) h->hi = opt->xlim[1];
    if (!(h->lo < h->hi)) {
        double mid = isfinite(h->lo) ? h->lo : 0;
        h->lo = mid - 0.5;
        h->hi = mid + 0.5;
    }
    h->nbins = OFFSET_BINS;
    h->counts = malloc(n * h->nbins * sizeof *h->counts);
    if (!h->counts) return false;
    for (size_t i = 0; i < n; i++)
        tfc_plot_histogram_rebin(&s->points[i], h->lo, h->hi, h->nbins, h->counts + i * h->nbins);
    return true;
}

bool tfc_plot_figure_add_histograms(tfc_plot_figure *fig, const tfc_plot_source *src,
                                    const char *tag, tfc_status *st)
{
    size_t added = 0;
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_histogram_series *s = tfc_run_histogram(src->runs[r].run, tag);
        if (!s || s->n == 0) continue;
        char title[512];
        if (src->nruns > 1)
            snprintf(title, sizeof title, "%s \xc2\xb7 %s", tag, src->runs[r].name);
        else
            snprintf(title, sizeof title, "%s", tag);
        tfc_plot_panel *p = tfc_plot_figure_push(fig,
                                                 fig->opt.hist_mode == TFC_PLOT_HIST_OFFSET
                                                     ? TFC_PLOT_PANEL_OFFSET
                                                     : TFC_PLOT_PANEL_DISTRIBUTION,
                                                 tag, title);
        if (!p || !hist_from_series(&p->hist, src->runs[r].name, r, s, &fig->opt))
            return tfc_fail(st, TFC_INTERNAL, "out of memory plotting histogram '%s'", tag);
        added++;
    }
    if (added == 0)
        return tfc_fail(st, TFC_NOT_FOUND, "no run has values for histogram tag '%s'", tag);
    return true;
}

static bool distribution_extent(const tfc_plot_hist *h, const tfc_plot_panel *p,
                                const tfc_plot_options *opt, tfc_plot_extent *e,
                                tfc_status *st)
{
    double xmin = INFINITY, xmax = -INFINITY;
    for (size_t i = 0; i < h->n; i++) {
        xmin = fmin(xmin, h->x[i]);
        xmax = fmax(xmax, h->x[i]);
    }
    if (!isnan(opt->xlim[0])) xmin = opt->xlim[0];
    if (!isnan(opt->xlim[1])) xmax = opt->xlim[1];
    if (!(xmin <= xmax))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "histogram '%s': empty x range", p->tag);
    if (xmin == xmax) {
        xmin -= 1;
        xmax += 1;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < h->n; i++) {
        if (h->x[i] < xmin || h->x[i] > xmax) continue;
        lo = fmin(lo, h->pct[i][0]);
        hi = fmax(hi, h->pct[i][TFC_PLOT_NPCT - 1]);
    }
    if (!(lo <= hi)) lo = -1, hi = 1;
    if (opt->log_y) {
        if (lo <= 0)
            return tfc_fail(st, TFC_INVALID_ARGUMENT,
                            "histogram '%s' has values <= 0, which a log axis cannot show",
                            p->tag);
        lo = log10(lo);
        hi = log10(hi);
    }
    double pad = hi > lo ? (hi - lo) * 0.05 : fmax(fabs(lo) * 0.05, 0.5);
    lo -= pad;
    hi += pad;
    if (opt->log_y) {
        lo = pow(10, lo);
        hi = pow(10, hi);
    }
    if (!isnan(opt->ylim[0])) lo = opt->ylim[0];
    if (!isnan(opt->ylim[1])) hi = opt->ylim[1];
    if (!(lo < hi))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "histogram '%s': no y range to draw: %g..%g%s", p->tag, lo, hi,
                        tfc_plot_ylim_note(opt));
    e->xmin = xmin, e->xmax = xmax, e->ymin = lo, e->ymax = hi;
    e->yscale = opt->log_y ? TFC_PLOT_SCALE_LOG : TFC_PLOT_SCALE_LINEAR;
    e->ytick_lo = lo, e->ytick_hi = hi;
    return true;
}

/* The share of the plot height the tallest histogram of the offset view may take. */
#define OFFSET_HEADROOM 0.35

bool tfc_plot_histograms_extent(const tfc_plot_panel *p, const tfc_plot_options *opt,
                                tfc_plot_extent *e, tfc_status *st)
{
    const tfc_plot_hist *h = &p->hist;
    e->xscale = tfc_plot_x_scale(opt, &e->xlabel);
    e->ylabel = NULL;
    e->y_on_right = false;
    if (p->kind == TFC_PLOT_PANEL_DISTRIBUTION) return distribution_extent(h, p, opt, e, st);

    /* offset: values across, steps (or times) down the right side, the last at the bottom */
    const char *tlabel;
    e->yscale = tfc_plot_x_scale(opt, &tlabel);
    e->ylabel = tlabel;
    e->xlabel = "value";
    e->xscale = TFC_PLOT_SCALE_LINEAR;
    e->y_on_right = true;
    e->xmin = h->lo;
    e->xmax = h->hi;
    double first = h->x[0], last = h->x[0];
    for (size_t i = 1; i < h->n; i++) {
        first = fmin(first, h->x[i]);
        last = fmax(last, h->x[i]);
    }
    double span = last > first ? last - first : 1;
    e->ymin = last;
    e->ymax = first - span * OFFSET_HEADROOM / (1 - OFFSET_HEADROOM);
    e->ytick_lo = first;
    e->ytick_hi = last;
    (void)st;
    return true;
}

static void band_path(cairo_t *cr, const tfc_plot_map *m, const tfc_plot_hist *h, size_t lo_i,
                      size_t hi_i)
{
    if (h->n == 1) { /* a single step still shows, as a short bar */
        double x = tfc_plot_map_x(m, h->x[0]), y0 = tfc_plot_map_y(m, h->pct[0][lo_i]);
        double y1 = tfc_plot_map_y(m, h->pct[0][hi_i]);
        cairo_rectangle(cr, x - 3, y1, 6, y0 - y1);
        return;
    }
    for (size_t i = 0; i < h->n; i++)
        cairo_line_to(cr, tfc_plot_map_x(m, h->x[i]), tfc_plot_map_y(m, h->pct[i][hi_i]));
    for (size_t i = h->n; i-- > 0;)
        cairo_line_to(cr, tfc_plot_map_x(m, h->x[i]), tfc_plot_map_y(m, h->pct[i][lo_i]));
    cairo_close_path(cr);
}

static void draw_distribution(cairo_t *cr, const tfc_plot_panel *p)
{
    const tfc_plot_hist *h = &p->hist;
    tfc_plot_rgb c = tfc_plot_palette(h->color);
    for (size_t b = 0; b < TFC_PLOT_NPCT / 2; b++) {
        band_path(cr, &p->map, h, b, TFC_PLOT_NPCT - 1 - b);
        cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.22);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 1.2);
    for (size_t i = 0; i < h->n; i++) {
        double x = tfc_plot_map_x(&p->map, h->x[i]), y = tfc_plot_map_y(&p->map, h->pct[i][4]);
        if (h->n == 1) {
            cairo_move_to(cr, x - 3, y);
            x += 3;
        }
        cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
}

static void draw_offset(cairo_t *cr, const tfc_plot_panel *p)
{
    const tfc_plot_hist *h = &p->hist;
    const tfc_plot_map *m = &p->map;
    tfc_plot_rgb c = tfc_plot_palette(h->color);
    double top = 0;
    for (size_t i = 0; i < h->n * h->nbins; i++) top = fmax(top, h->counts[i]);
    if (!(top > 0)) return;
    double first = h->x[0];
    for (size_t i = 1; i < h->n; i++) first = fmin(first, h->x[i]);
    double height = tfc_plot_map_y(m, first) - m->top;
    size_t drawn = h->n < OFFSET_MAX_DRAWN ? h->n : OFFSET_MAX_DRAWN;
    double binw = (h->hi - h->lo) / (double)h->nbins;
    cairo_set_line_width(cr, 0.9);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t k = 0; k < drawn; k++) {
        size_t i = drawn == 1 ? h->n - 1 : (size_t)llround((double)k * (double)(h->n - 1) / (double)(drawn - 1));
        const double *cnt = h->counts + i * h->nbins;
        double base = tfc_plot_map_y(m, h->x[i]);
        /* each histogram only over the bins it fills, so no flat baseline crosses the plot */
        size_t b0 = 0, b1 = h->nbins;
        while (b0 < b1 && !(cnt[b0] > 0)) b0++;
        while (b1 > b0 && !(cnt[b1 - 1] > 0)) b1--;
        if (b0 == b1) continue;
        cairo_move_to(cr, tfc_plot_map_x(m, h->lo + (double)b0 * binw), base);
        for (size_t b = b0; b < b1; b++)
            cairo_line_to(cr, tfc_plot_map_x(m, h->lo + ((double)b + 0.5) * binw),
                          base - cnt[b] / top * height);
        cairo_line_to(cr, tfc_plot_map_x(m, h->lo + (double)b1 * binw), base);
        cairo_close_path(cr);
        /* older histograms fade towards white, the newest has the run's colour */
        double age = drawn > 1 ? 1 - (double)k / (double)(drawn - 1) : 0, fade = 0.75 * age;
        double r = c.r + (1 - c.r) * fade, g = c.g + (1 - c.g) * fade, bl = c.b + (1 - c.b) * fade;
        cairo_set_source_rgba(cr, 1, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, r, g, bl, 0.25);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, r, g, bl);
        cairo_stroke(cr);
    }
}

void tfc_plot_histograms_draw(cairo_t *cr, const tfc_plot_panel *p)
{
    const tfc_plot_map *m = &p->map;
    cairo_save(cr);
    cairo_rectangle(cr, m->left, m->top, m->right - m->left, m->bottom - m->top);
    cairo_clip(cr);
    if (p->kind == TFC_PLOT_PANEL_OFFSET) draw_offset(cr, p);
    else draw_distribution(cr, p);
    cairo_restore(cr);
}
