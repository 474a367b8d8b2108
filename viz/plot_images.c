/* tfc-plot --image: image grids drawn with Cairo, one section per run (steps down, samples
 * across, each row labelled with its step). Every image is decoded with libpng (base/png_codec);
 * one that does not decode is left out with a warning naming run, tag and step. Small images
 * (MNIST's 28x28, 5x5 filters) are enlarged by a whole factor with sharp pixels, large ones
 * shrunk to fit. */
#include <cairo.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_grid.h"
#include "plot.h"
#include "plot_page.h"
#include "plot_style.h"
#include "plot_text.h"
#include "png_codec.h"

#define TARGET_PT 96.0 /* small images grow towards this size, by whole factors */
#define MAX_PT 192.0   /* larger ones shrink to it */
#define MIN_COL_PT 56.0 /* room for a column's label above thin images */
#define GAP_PT 6.0
#define MARGIN_PT 10.0

typedef struct {
    const char *name;
    tfc_image_grid *grid;
    cairo_surface_t **pics; /* per cell, NULL where none or undecodable */
    bool *bad;              /* per cell: an image that did not decode */
    double *scale;          /* per column */
    double *colw;           /* per column, points */
    double rowh;
} section;

/* Cairo's premultiplied ARGB32 from straight RGBA. */
static cairo_surface_t *to_surface(const tfc_rgba_image *img)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, img->width, img->height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) return cairo_surface_destroy(s), NULL;
    cairo_surface_flush(s);
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < img->height; y++) {
        uint32_t *row = (uint32_t *)(data + (size_t)y * (size_t)stride);
        const uint8_t *in = img->rgba + (size_t)y * (size_t)img->width * 4;
        for (int x = 0; x < img->width; x++, in += 4) {
            uint32_t a = in[3];
            row[x] = a << 24 | (uint32_t)(in[0] * a / 255) << 16 | (uint32_t)(in[1] * a / 255) << 8 |
                     (uint32_t)(in[2] * a / 255);
        }
    }
    cairo_surface_mark_dirty(s);
    return s;
}

static void section_free(section *s)
{
    if (s->grid)
        for (size_t i = 0; s->pics && i < s->grid->nrows * s->grid->ncols; i++)
            if (s->pics[i]) cairo_surface_destroy(s->pics[i]);
    free(s->pics);
    free(s->bad);
    free(s->scale);
    free(s->colw);
    tfc_image_grid_free(s->grid);
}

/* Decodes the section's images and sizes its columns. */
static bool decode_section(section *s, tfc_plot_warn_fn warn, void *ctx, tfc_status *st)
{
    tfc_image_grid *g = s->grid;
    size_t n = g->nrows * g->ncols;
    s->pics = calloc(n + 1, sizeof *s->pics);
    s->bad = calloc(n + 1, sizeof *s->bad);
    s->scale = calloc(g->ncols + 1, sizeof *s->scale);
    s->colw = calloc(g->ncols + 1, sizeof *s->colw);
    if (!s->pics || !s->bad || !s->scale || !s->colw) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    tfc_status *why = tfc_status_new();
    if (!why) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    int *maxw = calloc(g->ncols + 1, sizeof *maxw), *maxh = calloc(g->ncols + 1, sizeof *maxh);
    bool ok = maxw && maxh;
    for (size_t i = 0; ok && i < n; i++) {
        const tfc_image *im = g->cells[i];
        if (!im) continue;
        tfc_rgba_image img;
        tfc_status_clear(why);
        if (!tfc_png_decode(im->data, im->len, &img, why)) {
            char line[1024];
            const char *format = tfc_image_browser_format(im), *why_text = tfc_message(why);
            if (format)
                why_text = strcmp(format, "image/gif") == 0
                               ? "a GIF, which tfc-plot does not draw (PNG only; tfc-report shows it)"
                               : "a JPEG, which tfc-plot does not draw (PNG only; tfc-report shows it)";
            snprintf(line, sizeof line, "run '%s': tag '%s' step %" PRId64 ": image %zu is left out: %s", s->name,
                     g->cols[i % g->ncols].tag, g->steps[i / g->ncols], g->cols[i % g->ncols].sample, why_text);
            if (warn) warn(ctx, line);
            s->bad[i] = true;
            continue;
        }
        s->pics[i] = to_surface(&img);
        size_t c = i % g->ncols;
        if (img.width > maxw[c]) maxw[c] = img.width;
        if (img.height > maxh[c]) maxh[c] = img.height;
        tfc_rgba_image_clear(&img);
        if (!s->pics[i]) ok = tfc_fail(st, TFC_INTERNAL, "out of memory");
    }
    s->rowh = 0;
    for (size_t c = 0; ok && c < g->ncols; c++) {
        double big = maxw[c] > maxh[c] ? maxw[c] : maxh[c];
        if (big <= 0) big = TARGET_PT, maxw[c] = maxh[c] = (int)TARGET_PT;
        double k = big < TARGET_PT ? floor(TARGET_PT / big) : big > MAX_PT ? MAX_PT / big : 1.0;
        s->scale[c] = k;
        s->colw[c] = fmax(ceil(maxw[c] * k), MIN_COL_PT);
        s->rowh = fmax(s->rowh, ceil(maxh[c] * k));
    }
    free(maxw);
    free(maxh);
    tfc_status_free(why);
    return ok || tfc_fail(st, TFC_INTERNAL, "out of memory");
}

typedef struct {
    double label_w, header_h, title_h;
} layout;

static double section_width(const section *s, const layout *l)
{
    double w = l->label_w;
    for (size_t c = 0; c < s->grid->ncols; c++) w += s->colw[c] + GAP_PT;
    return w;
}

static double section_height(const section *s, const layout *l)
{
    return l->title_h + l->header_h + (double)s->grid->nrows * (s->rowh + GAP_PT) + GAP_PT;
}

static void draw_cell(cairo_t *cr, const section *s, size_t i, double x, double y)
{
    size_t c = i % s->grid->ncols;
    double w = s->colw[c], h = s->rowh;
    if (s->pics[i]) {
        cairo_surface_t *p = s->pics[i];
        double k = s->scale[c];
        cairo_save(cr);
        cairo_translate(cr, x, y);
        cairo_scale(cr, k, k);
        cairo_set_source_surface(cr, p, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), k >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
        cairo_paint(cr);
        cairo_restore(cr);
        return;
    }
    cairo_set_line_width(cr, 0.6);
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_rectangle(cr, x + 0.3, y + 0.3, w - 0.6, h - 0.6);
    cairo_stroke(cr);
    if (s->bad[i]) { /* a cross where an image would not decode */
        cairo_set_source_rgb(cr, 0.85, 0.3, 0.3);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + w, y + h);
        cairo_move_to(cr, x + w, y);
        cairo_line_to(cr, x, y + h);
        cairo_stroke(cr);
    }
}

/* The length of the columns' common label prefix, cut after a '/', so that the section title
 * says it once and the columns show what tells them apart ("0", "1"); never all of a label. */
static size_t common_prefix(const tfc_image_grid *g)
{
    size_t n = strlen(g->cols[0].label);
    for (size_t c = 1; c < g->ncols; c++) {
        size_t k = 0;
        while (k < n && g->cols[c].label[k] == g->cols[0].label[k]) k++;
        n = k;
    }
    for (size_t c = 0; c < g->ncols; c++)
        if (n >= strlen(g->cols[c].label)) n = 0;
    while (n > 0 && g->cols[0].label[n - 1] != '/') n--;
    return n;
}

static void draw_section(cairo_t *cr, const section *s, const layout *l, double x0, double y0)
{
    const tfc_image_grid *g = s->grid;
    size_t prefix = common_prefix(g);
    char buf[512];
    cairo_set_source_rgb(cr, TFC_PLOT_TEXT_GREY, TFC_PLOT_TEXT_GREY, TFC_PLOT_TEXT_GREY);
    tfc_plot_font(cr, TFC_PLOT_TITLE_PT, true);
    if (prefix) snprintf(buf, sizeof buf, "%s: %.*s", s->name, (int)prefix - 1, g->cols[0].label);
    else snprintf(buf, sizeof buf, "%s", s->name);
    tfc_plot_text(cr, buf, x0, y0 + 0.5 * l->title_h, 0, 0.5, 0);
    double y = y0 + l->title_h, x = x0 + l->label_w;
    tfc_plot_font(cr, TFC_PLOT_TICK_PT, false);
    for (size_t c = 0; c < g->ncols; c++) {
        tfc_plot_fit_text(cr, g->cols[c].label + prefix, s->colw[c] + GAP_PT - 2, buf, sizeof buf);
        tfc_plot_text(cr, buf, x, y + l->header_h - 4, 0, 1, 0);
        x += s->colw[c] + GAP_PT;
    }
    y += l->header_h;
    for (size_t r = 0; r < g->nrows; r++) {
        cairo_set_source_rgb(cr, TFC_PLOT_TEXT_GREY, TFC_PLOT_TEXT_GREY, TFC_PLOT_TEXT_GREY);
        tfc_plot_font(cr, TFC_PLOT_LABEL_PT, false);
        snprintf(buf, sizeof buf, "step %" PRId64, g->steps[r]);
        tfc_plot_text(cr, buf, x0 + l->label_w - GAP_PT - 2, y + s->rowh / 2, 1, 0.5, 0);
        x = x0 + l->label_w;
        for (size_t c = 0; c < g->ncols; c++) {
            draw_cell(cr, s, r * g->ncols + c, x, y);
            x += s->colw[c] + GAP_PT;
        }
        y += s->rowh + GAP_PT;
    }
}

/* The widest "step N" label over the sections, measured with a scratch context. */
static double label_width(section *secs, size_t n)
{
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(scratch);
    tfc_plot_font(cr, TFC_PLOT_LABEL_PT, false);
    double w = 0;
    char buf[48];
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < secs[i].grid->nrows; r++) {
            snprintf(buf, sizeof buf, "step %" PRId64, secs[i].grid->steps[r]);
            w = fmax(w, tfc_plot_text_width(cr, buf));
        }
    cairo_destroy(cr);
    cairo_surface_destroy(scratch);
    return ceil(w + 2 * GAP_PT + 2);
}

bool tfc_plot_images_render(const tfc_plot_source *src, char *const *tags, size_t ntags,
                            const tfc_plot_options *opt, size_t max_steps, const char *path,
                            tfc_plot_warn_fn warn, void *ctx, tfc_status *st)
{
    if (!tfc_plot_page_check_path(path, st)) return false;
    if (!(opt->dpi >= 10 && opt->dpi <= 2400))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "dpi %g is out of range (10..2400)", opt->dpi);
    section *secs = calloc(src->nruns + 1, sizeof *secs);
    if (!secs) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    size_t n = 0;
    bool ok = true;
    for (size_t r = 0; ok && r < src->nruns; r++) {
        tfc_image_grid *g = tfc_image_grid_build(src->runs[r].run, (const char *const *)tags, ntags, max_steps, st);
        if (!g) ok = false;
        else if (g->ncols == 0 || g->nrows == 0) tfc_image_grid_free(g);
        else {
            secs[n] = (section){.name = src->runs[r].name, .grid = g};
            ok = decode_section(&secs[n++], warn, ctx, st);
        }
    }
    if (ok && n == 0) ok = tfc_fail(st, TFC_NOT_FOUND, "no run holds images of the chosen tags");
    /* whole points throughout, so that at 72 dpi every image lands on the pixel grid */
    layout l = {0, ceil(2.2 * TFC_PLOT_TICK_PT), ceil(2.2 * TFC_PLOT_TITLE_PT)};
    double w = 0, h = 2 * MARGIN_PT;
    if (ok) {
        l.label_w = label_width(secs, n);
        for (size_t i = 0; i < n; i++) {
            w = fmax(w, section_width(&secs[i], &l));
            h += section_height(&secs[i], &l);
        }
        w += 2 * MARGIN_PT;
        if (opt->title) h += 2 * TFC_PLOT_FIG_TITLE_PT;
    }
    double k = opt->dpi / 72, wpx = ceil(w * k), hpx = ceil(h * k);
    if (ok && (wpx > 20000 || hpx > 20000))
        ok = tfc_fail(st, TFC_INVALID_ARGUMENT,
                      "an image grid of %.0fx%.0f pixels is too large: choose fewer tags, fewer --max-steps or a lower --dpi",
                      wpx, hpx);
    tfc_plot_page page;
    if (ok) ok = tfc_plot_page_open(&page, path, wpx, hpx, opt->dpi, st);
    if (ok) {
        double y = MARGIN_PT;
        if (opt->title) {
            tfc_plot_font(page.cr, TFC_PLOT_FIG_TITLE_PT, true);
            cairo_set_source_rgb(page.cr, TFC_PLOT_TEXT_GREY, TFC_PLOT_TEXT_GREY, TFC_PLOT_TEXT_GREY);
            tfc_plot_text(page.cr, opt->title, w / 2, y + 0.5 * TFC_PLOT_FIG_TITLE_PT, 0.5, 0.5, 0);
            y += 2 * TFC_PLOT_FIG_TITLE_PT;
        }
        for (size_t i = 0; i < n; i++) {
            draw_section(page.cr, &secs[i], &l, MARGIN_PT, y);
            y += section_height(&secs[i], &l);
        }
        ok = tfc_plot_page_close(&page, ok, st);
    }
    for (size_t i = 0; i < n; i++) section_free(&secs[i]);
    free(secs);
    return ok;
}
