/* The report's graphs: each distinct GraphDef of the runs drawn by Graphviz as SVG, once as
 * TensorBoard first shows it (top-level scopes collapsed) and once more for every name scope a
 * click can open, that scope and its ancestors open. The page's script swaps these views: a
 * click on a collapsed scope shows the view where it is open, a click on an open scope's box the
 * view of its parent. Views are drawn breadth first until the byte budget is spent; scopes left
 * over stay closed (the page says so on them). */
#include <stdlib.h>
#include <string.h>

#include "graph_model.h"
#include "graph_render.h"
#include "graph_view.h"
#include "report_internal.h"

/* Copies the <svg> element of Graphviz's output (its XML prolog, doctype and comments dropped),
 * giving each id a prefix so that the views' ids stay distinct in one page. */
static void write_svg(FILE *f, const char *svg, const char *prefix)
{
    const char *p = strstr(svg, "<svg");
    if (!p) return;
    while (*p) {
        const char *id = strstr(p, " id=\"");
        const char *comment = strstr(p, "<!--");
        if (comment && (!id || comment < id)) {
            fwrite(p, 1, (size_t)(comment - p), f);
            const char *end = strstr(comment, "-->");
            p = end ? end + 3 : comment + strlen(comment);
            continue;
        }
        if (!id) {
            fputs(p, f);
            return;
        }
        fwrite(p, 1, (size_t)(id - p) + 5, f);
        fputs(prefix, f);
        p = id + 5;
    }
}

/* A scope worth a view of its own: not a variable with its read/Assign/slots (a cylinder). */
static bool openable(const tfc_gdraw_model *m, int s)
{
    const tfc_gdraw_scope *sc = &m->scopes[s];
    return s > 0 && !(sc->op >= 0 && m->ops[sc->op].kind == TFC_GDRAW_VARIABLE) && sc->nmain > 1;
}

/* Draws graph number gi (which the runs named in `runs` hold) into the page. */
static bool write_graph(tfc_report_ctx *r, size_t gi, const tfc_run *run, const char *runs, size_t *budget,
                        tfc_status *st)
{
    FILE *f = r->f;
    tfc_status *why = tfc_status_new();
    tfc_gdraw_model *m = why ? tfc_gdraw_model_parse(run->graph_def, run->graph_def_len, run->name, why) : NULL;
    if (!m) {
        tfc_report_warn(r, "run '%s': the graph is left out: %s", runs, why ? tfc_message(why) : "out of memory");
        tfc_status_free(why);
        return true;
    }
    int *queue = malloc((m->nscopes + 1) * sizeof *queue);
    bool *queued = calloc(m->nscopes + 1, sizeof *queued);
    bool ok = queue && queued;
    if (!ok) tfc_fail(st, TFC_INTERNAL, "out of memory");
    size_t head = 0, tail = 0;
    if (ok) queue[tail++] = 0, queued[0] = true;
    fprintf(f, "<div class=\"graph\" id=\"graph%zu\"><p class=\"graph-runs\">", gi);
    tfc_report_html(f, runs);
    fprintf(f, " &middot; %zu ops</p>\n", m->nops);
    tfc_gdraw_style style = {0};
    size_t nviews = 0;
    while (ok && head < tail) {
        int s = queue[head++];
        char *path = tfc_gdraw_scope_path(m, s);
        if (!path) {
            ok = tfc_fail(st, TFC_INTERNAL, "out of memory");
            break;
        }
        const char *expand = path;
        tfc_gdraw_options vo = {.depth = 1, .expand = s ? &expand : NULL, .nexpand = s ? 1 : 0};
        tfc_status_clear(why);
        tfc_gdraw_view *v = tfc_gdraw_view_build(m, &vo, why);
        size_t len = 0;
        char *svg = v ? tfc_gdraw_render_svg(m, v, &style, &len, why) : NULL;
        if (!svg) {
            tfc_report_warn(r, "run '%s': the graph view of scope '%s' is left out: %s", runs, s ? path : "(top)",
                            tfc_message(why));
        } else if (nviews == 0 || len <= *budget) {
            *budget = len < *budget ? *budget - len : 0;
            fprintf(f, "<div class=\"gview\" data-scope=\"");
            tfc_report_html(f, path);
            fprintf(f, "\"%s>", nviews ? " hidden" : "");
            char prefix[32];
            snprintf(prefix, sizeof prefix, "g%zuv%zu-", gi, nviews);
            write_svg(f, svg, prefix);
            fputs("</div>\n", f);
            nviews++;
            for (size_t i = 0; i < v->nitems; i++) {
                int c = v->items[i].scope;
                if (c > 0 && !v->items[i].aside && !queued[c] && openable(m, c)) {
                    queued[c] = true;
                    queue[tail++] = c;
                }
            }
        } else {
            head = tail; /* the budget is spent: the remaining scopes stay closed */
        }
        free(svg);
        free(path);
        tfc_gdraw_view_free(v);
    }
    fputs("</div>\n", f);
    free(queue);
    free(queued);
    tfc_gdraw_model_free(m);
    tfc_status_free(why);
    return ok;
}

bool tfc_report_graph_html(tfc_report_ctx *r, size_t *ngraphs, tfc_status *st)
{
    *ngraphs = 0;
    size_t budget = r->o->graph_budget;
    const tfc_plot_source *src = r->src;
    bool ok = true;
    for (size_t i = 0; ok && budget > 0 && i < src->nruns; i++) {
        const tfc_run *run = src->runs[i].run;
        if (!run->graph_def) continue;
        bool seen = false; /* the same graph as an earlier run's: drawn there */
        for (size_t j = 0; j < i && !seen; j++) {
            const tfc_run *o = src->runs[j].run;
            seen = o->graph_def && o->graph_def_len == run->graph_def_len &&
                   memcmp(o->graph_def, run->graph_def, run->graph_def_len) == 0;
        }
        if (seen) continue;
        /* the runs holding this graph, named in the heading */
        char *names = NULL;
        size_t len = 0;
        FILE *nf = open_memstream(&names, &len);
        if (!nf) return tfc_fail(st, TFC_INTERNAL, "out of memory");
        size_t shown = 0, same = 0;
        for (size_t j = i; j < src->nruns; j++) {
            const tfc_run *o = src->runs[j].run;
            if (!o->graph_def || o->graph_def_len != run->graph_def_len ||
                memcmp(o->graph_def, run->graph_def, run->graph_def_len) != 0)
                continue;
            if (shown < 5) fprintf(nf, "%s%s", shown ? ", " : "", src->runs[j].name), shown++;
            same++;
        }
        if (same > shown) fprintf(nf, " and %zu more", same - shown);
        fclose(nf);
        ok = names && write_graph(r, *ngraphs, run, names, &budget, st);
        if (!names) tfc_fail(st, TFC_INTERNAL, "out of memory");
        free(names);
        ++*ngraphs;
    }
    return ok;
}
