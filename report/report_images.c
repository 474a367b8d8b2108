/* The report's image grids: per run, one grid per image group (a tag, or TensorFlow 1's
 * TAG/image/N tags together), steps down and samples across, the PNGs as data: URIs. Every image
 * is decoded with libpng first; one that does not decode is left out with a warning naming run,
 * tag and step. Small images are shown enlarged by a whole factor with sharp pixels. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "image_grid.h"
#include "png_codec.h"
#include "report_internal.h"

#define TARGET_PX 96 /* small images grow towards this, by whole factors */
#define MAX_PX 192   /* larger ones shrink to it */

/* The display size of a w x h image. */
static void display_size(int w, int h, int *dw, int *dh)
{
    int big = w > h ? w : h;
    if (big <= 0) {
        *dw = *dh = TARGET_PX;
    } else if (big < TARGET_PX) {
        *dw = w * (TARGET_PX / big);
        *dh = h * (TARGET_PX / big);
    } else if (big > MAX_PX) {
        *dw = (int)((double)w * MAX_PX / big + 0.5);
        *dh = (int)((double)h * MAX_PX / big + 0.5);
        if (*dw < 1) *dw = 1;
        if (*dh < 1) *dh = 1;
    } else {
        *dw = w;
        *dh = h;
    }
}

static void write_cell(tfc_report_ctx *r, const char *run, const tfc_image_grid *g, size_t row, size_t col,
                       tfc_status *why)
{
    FILE *f = r->f;
    const tfc_image *im = g->cells[row * g->ncols + col];
    if (!im) {
        fputs("<td></td>", f);
        return;
    }
    int w, h;
    const char *format = tfc_image_browser_format(im);
    if (format) { /* the browser decodes it; its size is what the summary says, or a GIF's header */
        int iw = im->width, ih = im->height;
        if ((iw <= 0 || ih <= 0) && im->len >= 10 && format[6] == 'g') {
            iw = im->data[6] | im->data[7] << 8;
            ih = im->data[8] | im->data[9] << 8;
        }
        if (iw <= 0 || ih <= 0) iw = ih = 0; /* a size no image has: the default square */
        display_size(iw, ih, &w, &h);
        fprintf(f, "<td><img alt=\"step %" PRId64 "\" width=\"%d\" height=\"%d\"%s src=\"data:%s;base64,",
                g->steps[row], w, h, w > iw ? " class=\"px\"" : "", format);
        tfc_report_base64(f, im->data, im->len);
        fputs("\"></td>", f);
        return;
    }
    tfc_status_clear(why);
    tfc_rgba_image img;
    if (!tfc_png_decode(im->data, im->len, &img, why)) {
        tfc_report_warn(r, "run '%s': tag '%s' step %" PRId64 ": image %zu is left out: %s", run, g->cols[col].tag,
                        g->steps[row], g->cols[col].sample, tfc_message(why));
        fputs("<td class=\"bad\" title=\"", f);
        tfc_report_html(f, tfc_message(why));
        fputs("\">&#x2715;</td>", f);
        return;
    }
    display_size(img.width, img.height, &w, &h);
    fprintf(f, "<td><img alt=\"step %" PRId64 "\" width=\"%d\" height=\"%d\"%s src=\"data:image/png;base64,",
            g->steps[row], w, h, w >= img.width ? " class=\"px\"" : "");
    tfc_rgba_image_clear(&img);
    tfc_report_base64(f, im->data, im->len);
    fputs("\"></td>", f);
}

static void write_grid(tfc_report_ctx *r, const char *run, const char *group, const tfc_image_grid *g,
                       tfc_status *why)
{
    FILE *f = r->f;
    fputs("<figure class=\"images\"><figcaption><b>", f);
    tfc_report_html(f, group);
    fputs("</b> <span class=\"run\">", f);
    tfc_report_html(f, run);
    fputs("</span></figcaption><table><tr><th></th>", f);
    size_t skip = strlen(group);
    for (size_t c = 0; c < g->ncols; c++) {
        const char *label = g->cols[c].label;
        /* what tells the columns apart: "image/0" after the group's name */
        if (strncmp(label, group, skip) == 0 && label[skip] == '/') label += skip + 1;
        fputs("<th>", f);
        tfc_report_html(f, label);
        fputs("</th>", f);
    }
    fputs("</tr>", f);
    for (size_t row = 0; row < g->nrows; row++) {
        fprintf(f, "<tr><th>step %" PRId64 "</th>", g->steps[row]);
        for (size_t c = 0; c < g->ncols; c++) write_cell(r, run, g, row, c, why);
        fputs("</tr>\n", f);
    }
    fputs("</table></figure>\n", f);
}

bool tfc_report_images_html(tfc_report_ctx *r, size_t *ngrids, tfc_status *st)
{
    *ngrids = 0;
    tfc_status *why = tfc_status_new();
    if (!why) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    bool ok = true;
    for (size_t ri = 0; ok && ri < r->src->nruns; ri++) {
        const tfc_run *run = r->src->runs[ri].run;
        /* the run's image tags grouped by name, each group once, in the order of its first tag */
        const char **tags = malloc((run->nimages + 1) * sizeof *tags);
        bool *done = calloc(run->nimages + 1, sizeof *done);
        if (!tags || !done) ok = tfc_fail(st, TFC_INTERNAL, "out of memory");
        for (size_t i = 0; ok && i < run->nimages; i++) {
            if (done[i]) continue;
            char group[512], other[512];
            tfc_image_group_name(run->images[i].tag, group, sizeof group);
            size_t n = 0;
            for (size_t j = i; j < run->nimages; j++) {
                if (!done[j] && strcmp(tfc_image_group_name(run->images[j].tag, other, sizeof other), group) == 0) {
                    tags[n++] = run->images[j].tag;
                    done[j] = true;
                }
            }
            tfc_image_grid *g = tfc_image_grid_build(run, tags, n, r->o->max_steps, st);
            if (!g) ok = false;
            else if (g->ncols && g->nrows) {
                write_grid(r, r->src->runs[ri].name, group, g, why);
                ++*ngrids;
            }
            tfc_image_grid_free(g);
        }
        free(tags);
        free(done);
    }
    tfc_status_free(why);
    return ok;
}
