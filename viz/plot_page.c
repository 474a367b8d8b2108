/* Opening and writing tfc-plot's pages through Cairo's image, SVG and PDF surfaces. */
#include "plot_page.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <string.h>
#include <strings.h>

static cairo_status_t write_file(void *closure, const unsigned char *data, unsigned int len)
{
    return tfc_out_file_write(closure, data, len, NULL) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

typedef enum { FORMAT_PNG, FORMAT_SVG, FORMAT_PDF } format;

static bool format_of(const char *path, format *f, tfc_status *st)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "output '%s' has no extension (use .png, .svg or .pdf)", path);
    if (strcasecmp(dot, ".png") == 0) *f = FORMAT_PNG;
    else if (strcasecmp(dot, ".svg") == 0) *f = FORMAT_SVG;
    else if (strcasecmp(dot, ".pdf") == 0) *f = FORMAT_PDF;
    else return tfc_fail(st, TFC_INVALID_ARGUMENT, "output '%s': unknown format '%s' (use .png, .svg or .pdf)", path, dot);
    return true;
}

bool tfc_plot_page_check_path(const char *path, tfc_status *st)
{
    format f;
    return format_of(path, &f, st);
}

bool tfc_plot_page_open(tfc_plot_page *pg, const char *path, double wpx, double hpx, double dpi, tfc_status *st)
{
    memset(pg, 0, sizeof *pg);
    format fmt = FORMAT_PNG;
    if (!format_of(path, &fmt, st)) return false;
    pg->px_per_pt = dpi / 72;
    pg->path = path;
    pg->png = fmt == FORMAT_PNG;
    if (!tfc_out_file_open(&pg->out, path, st)) return false;
    double w = wpx / pg->px_per_pt, h = hpx / pg->px_per_pt;
    if (fmt == FORMAT_PNG) pg->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)wpx, (int)hpx);
    else if (fmt == FORMAT_SVG) pg->surf = cairo_svg_surface_create_for_stream(write_file, &pg->out, w, h);
    else pg->surf = cairo_pdf_surface_create_for_stream(write_file, &pg->out, w, h);
    pg->cr = cairo_create(pg->surf);
    if (cairo_surface_status(pg->surf) != CAIRO_STATUS_SUCCESS) {
        tfc_fail(st, TFC_INTERNAL, "%s: cannot draw a picture of %gx%g pixels: %s", path, wpx, hpx,
                 cairo_status_to_string(cairo_surface_status(pg->surf)));
        tfc_plot_page_close(pg, false, st);
        return false;
    }
    if (pg->png) cairo_scale(pg->cr, pg->px_per_pt, pg->px_per_pt);
    cairo_font_options_t *fo = cairo_font_options_create();
    /* crisp text on the pixel grid of a PNG; true outlines in vector formats */
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(fo, pg->png ? CAIRO_HINT_STYLE_SLIGHT : CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(pg->cr, fo);
    cairo_font_options_destroy(fo);
    cairo_set_source_rgb(pg->cr, 1, 1, 1);
    cairo_paint(pg->cr);
    return true;
}

bool tfc_plot_page_close(tfc_plot_page *pg, bool ok, tfc_status *st)
{
    if (!pg->out.f) return ok;
    cairo_destroy(pg->cr);
    cairo_surface_flush(pg->surf);
    cairo_status_t cs = ok && pg->png ? cairo_surface_write_to_png_stream(pg->surf, write_file, &pg->out)
                                      : CAIRO_STATUS_SUCCESS;
    cairo_surface_finish(pg->surf);
    if (cs == CAIRO_STATUS_SUCCESS) cs = cairo_surface_status(pg->surf);
    cairo_surface_destroy(pg->surf);
    /* A write that failed is named by the file's own error at the commit; Cairo's status covers
     * the rest. */
    if (ok && cs != CAIRO_STATUS_SUCCESS && !tfc_out_file_failed(&pg->out))
        ok = tfc_fail(st, TFC_IO, "cannot write '%s': %s", pg->path, cairo_status_to_string(cs));
    if (ok) ok = tfc_out_file_commit(&pg->out, st);
    else tfc_out_file_abort(&pg->out);
    memset(pg, 0, sizeof *pg);
    return ok;
}
