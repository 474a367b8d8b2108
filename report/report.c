/* tfc-report's page: the HTML skeleton, the runs table, the sections in order, the data block the
 * script draws from, and the newest checkpoint's variables (see report.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint_state.h"
#include "ckpt_inspect.h"
#include "out_file.h"
#include "report_internal.h"

void tfc_report_options_default(tfc_report_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_points = 1000;
    o->max_steps = 10;
    o->smoothing = 0.6;
    o->graph_budget = 1 << 20;
}

static void runs_table(tfc_report_ctx *r)
{
    FILE *f = r->f;
    fputs("<table class=\"runs\"><tr><th></th><th>run</th><th>folder</th><th>events</th><th>scalars</th>"
          "<th>histograms</th><th>images</th><th>text</th><th>graph</th></tr>\n",
          f);
    for (size_t i = 0; i < r->src->nruns; i++) {
        const tfc_run *run = r->src->runs[i].run;
        fprintf(f, "<tr><td><span class=\"swatch\" data-run=\"%zu\"></span></td><td>", i);
        tfc_report_html(f, r->src->runs[i].name);
        fputs("</td><td class=\"dir\">", f);
        tfc_report_html(f, run->dir);
        fprintf(f, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%s</td></tr>\n",
                run->nevents, run->nscalars, run->nhistograms, run->nimages, run->ntexts, run->graph_def ? "yes" : "");
    }
    fputs("</table>\n", f);
    size_t nwarn = 0;
    for (size_t d = 0; d < r->src->ndirs; d++) nwarn += r->src->dirs[d]->nwarnings;
    if (!nwarn) return;
    fprintf(f, "<details class=\"warnings\"><summary>%zu problem%s met while reading</summary><ul>", nwarn,
            nwarn == 1 ? "" : "s");
    for (size_t d = 0; d < r->src->ndirs; d++)
        for (size_t w = 0; w < r->src->dirs[d]->nwarnings; w++) {
            fputs("<li>", f);
            tfc_report_html(f, r->src->dirs[d]->warnings[w]);
            fputs("</li>", f);
        }
    fputs("</ul></details>\n", f);
}

/* "checkpoint": the newest checkpoint of the logdirs as tfc-ckpt inspect --json lists it, or null. */
static void checkpoint_json(tfc_report_ctx *r, const char *const *paths, size_t npaths)
{
    char best[4096] = "", prefix[4096], index[4200], folder[4096];
    double newest = -1;
    tfc_status *st = tfc_status_new();
    for (size_t i = 0; st && i < npaths; i++) {
        tfc_status_clear(st);
        /* an event file given instead of a logdir: its run's checkpoint is beside it */
        struct stat ps;
        const char *where = paths[i];
        if (stat(where, &ps) == 0 && S_ISREG(ps.st_mode)) {
            const char *slash = strrchr(where, '/');
            snprintf(folder, sizeof folder, "%.*s", slash ? (int)(slash - where + (slash == where)) : 1, slash ? where : ".");
            where = folder;
        }
        if (!tfc_checkpoint_resolve(where, prefix, sizeof prefix, st)) {
            if (tfc_status_code(st) != TFC_NOT_FOUND)
                tfc_report_warn(r, "%s: the checkpoint is left out: %s", paths[i], tfc_message(st));
            continue;
        }
        struct stat sb;
        snprintf(index, sizeof index, "%s.index", prefix);
        double t = stat(index, &sb) == 0 || stat(prefix, &sb) == 0
                       ? (double)sb.st_mtim.tv_sec + (double)sb.st_mtim.tv_nsec * 1e-9
                       : 0;
        if (t > newest) {
            newest = t;
            snprintf(best, sizeof best, "%s", prefix);
        }
    }
    char *json = NULL;
    size_t len = 0;
    FILE *mem = best[0] && st ? open_memstream(&json, &len) : NULL;
    bool ok = false;
    if (mem) {
        tfc_status_clear(st);
        tfc_ckpt_inspect_options io = {.json = true};
        ok = tfc_ckpt_inspect(best, &io, mem, st);
        fclose(mem);
        if (!ok) tfc_report_warn(r, "%s: the checkpoint is left out: %s", best, tfc_message(st));
    }
    fputs("\"checkpoint\":", r->f);
    if (ok) fwrite(json, 1, len, r->f);
    else fputs("null", r->f);
    free(json);
    tfc_status_free(st);
}

static void head(tfc_report_ctx *r, const char *title)
{
    FILE *f = r->f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"tfc-report\">\n<title>",
          f);
    tfc_report_html(f, title);
    fprintf(f, "</title>\n<style>\n%s</style></head>\n<body>\n<header><h1>", tfc_report_css);
    tfc_report_html(f, title);
    fputs("</h1><nav><a href=\"#runs\">Runs</a> <a href=\"#scalars\">Scalars</a> <a href=\"#histograms\">"
          "Histograms</a> <a href=\"#images\">Images</a> <a href=\"#text\">Text</a> <a href=\"#graph\">Graph</a> <a href=\"#checkpoint\">"
          "Checkpoint</a></nav></header>\n<main>\n",
          f);
}

bool tfc_report_write(const tfc_plot_source *src, const char *const *paths, size_t npaths, const char *out_path,
                      const tfc_report_options *o, tfc_plot_warn_fn warn, void *ctx, tfc_status *st)
{
    if (!(o->smoothing >= 0 && o->smoothing < 1))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "smoothing %g is not in [0, 1)", o->smoothing);
    char title[1024] = "";
    if (o->title) {
        snprintf(title, sizeof title, "%s", o->title);
    } else {
        for (size_t i = 0; i < npaths; i++)
            snprintf(title + strlen(title), sizeof title - strlen(title), "%s%s", i ? ", " : "", paths[i]);
    }
    tfc_out_file out;
    if (!tfc_out_file_open(&out, out_path, st)) return false;
    tfc_report_ctx r = {out.f, src, o, warn, ctx};
    FILE *f = out.f;
    head(&r, title);

    fputs("<section id=\"runs\"><h2>Runs</h2>\n", f);
    runs_table(&r);
    fputs("</section>\n<section id=\"scalars\"><h2>Scalars</h2>\n"
          "<div class=\"controls\"><label>Smoothing <input type=\"range\" id=\"smoothing\" min=\"0\" max=\"0.99\" "
          "step=\"0.01\"> <output id=\"smoothing-value\"></output></label>\n"
          "<label>x axis <select id=\"xaxis\"><option value=\"step\">step</option><option value=\"relative\">"
          "relative (time since the run's first point)</option><option value=\"wall\">wall (clock time)</option>"
          "</select></label>\n<label><input type=\"checkbox\" id=\"logy\"> log y</label></div>\n"
          "<div class=\"charts\" id=\"scalar-charts\"></div></section>\n"
          "<section id=\"histograms\"><h2>Histograms</h2>\n<div class=\"controls\"><label>view <select "
          "id=\"histmode\"><option value=\"distribution\">distribution (percentile bands)</option><option "
          "value=\"offset\">histograms (stacked by step)</option></select></label></div>\n"
          "<div class=\"charts\" id=\"histogram-charts\"></div></section>\n<section id=\"images\"><h2>Images</h2>\n",
          f);
    size_t ngrids = 0, ngraphs = 0;
    bool ok = tfc_report_images_html(&r, &ngrids, st);
    if (ok && !ngrids) fputs("<p class=\"none\">No image summaries.</p>\n", f);
    fputs("</section>\n<section id=\"text\"><h2>Text</h2>\n", f);
    size_t ntexts = 0;
    if (ok) tfc_report_texts_html(&r, &ntexts);
    if (ok && !ntexts) fputs("<p class=\"none\">No text summaries.</p>\n", f);
    fputs("</section>\n<section id=\"graph\"><h2>Graph</h2>\n", f);
    if (ok) ok = tfc_report_graph_html(&r, &ngraphs, st);
    if (ok && !ngraphs) fputs("<p class=\"none\">No graph.</p>\n", f);
    else if (ok) fputs("<p class=\"hint\">Click a scope to open it, and its box to close it again.</p>\n", f);
    fputs("</section>\n<section id=\"checkpoint\"><h2>Checkpoint</h2><div id=\"checkpoint-table\"></div>"
          "</section>\n</main>\n<script type=\"application/json\" id=\"tfc-data\">{\"runs\":[",
          f);
    for (size_t i = 0; i < src->nruns; i++) {
        if (i) fputc(',', f);
        tfc_report_json_string(f, src->runs[i].name);
    }
    fputs("],\"smoothing\":", f);
    tfc_report_json_number(f, o->smoothing, 6);
    fputs(",\n", f);
    if (ok) ok = tfc_report_scalars_json(&r, st);
    fputs(",\n", f);
    if (ok) ok = tfc_report_histograms_json(&r, st);
    fputs(",\n", f);
    if (ok) checkpoint_json(&r, paths, npaths);
    fprintf(f, "}</script>\n<script>\n%s</script>\n</body></html>\n", tfc_report_js);
    if (!ok) {
        tfc_out_file_abort(&out);
        return false;
    }
    return tfc_out_file_commit(&out, st);
}
