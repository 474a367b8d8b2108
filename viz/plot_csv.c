/* The numbers behind a figure as CSV (RFC 4180 quoting), for spreadsheets and for checking. */
#include <inttypes.h>
#include <string.h>

#include "out_file.h"
#include "plot_panel.h"

static void field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void key(FILE *out, const char *run, const char *tag, int64_t step, double wall)
{
    field(out, run);
    fputc(',', out);
    field(out, tag);
    fprintf(out, ",%" PRId64 ",%.6f", step, wall);
}

bool tfc_plot_figure_write_csv(const tfc_plot_figure *fig, const char *path, tfc_status *st)
{
    tfc_out_file csv;
    if (!tfc_out_file_open(&csv, path, st)) return false;
    FILE *out = csv.f;
    bool scalars = false, hists = false;
    for (size_t i = 0; i < fig->npanels; i++) {
        const tfc_plot_panel *p = &fig->panels[i];
        if (p->kind != TFC_PLOT_PANEL_SCALARS) continue;
        if (!scalars) fputs("run,tag,step,wall_time,value,smoothed\n", out);
        scalars = true;
        for (size_t c = 0; c < p->ncurves; c++) {
            const tfc_plot_curve *cv = &p->curves[c];
            for (size_t k = 0; k < cv->n; k++) {
                key(out, cv->label, p->tag, cv->step[k], cv->wall[k]);
                fprintf(out, ",%.17g,%.17g\n", cv->y[k], cv->smooth[k]);
            }
        }
    }
    for (size_t i = 0; i < fig->npanels; i++) {
        const tfc_plot_panel *p = &fig->panels[i];
        if (p->kind == TFC_PLOT_PANEL_SCALARS) continue;
        if (!hists) fputs(scalars ? "\nrun,tag,step,wall_time,min,p7,p16,p31,p50,p69,p84,p93,max\n"
                                  : "run,tag,step,wall_time,min,p7,p16,p31,p50,p69,p84,p93,max\n",
                          out);
        hists = true;
        const tfc_plot_hist *h = &p->hist;
        for (size_t k = 0; k < h->n; k++) {
            key(out, h->label, p->tag, h->step[k], h->wall[k]);
            for (size_t j = 0; j < TFC_PLOT_NPCT; j++) fprintf(out, ",%.17g", h->pct[k][j]);
            fputc('\n', out);
        }
    }
    return tfc_out_file_commit(&csv, st);
}
