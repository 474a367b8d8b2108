/* The report's text summaries, as TensorBoard's text dashboard shows them: per run and tag, the
 * values step by step (at most max_steps of them, evenly spread, the first and the last among
 * them), Markdown as plain text (markdown_plain.h) and a vector or matrix as a table. */
#include <inttypes.h>
#include <stdlib.h>

#include "markdown_plain.h"
#include "report_internal.h"

static void write_cell(FILE *f, const char *md)
{
    char *plain = tfc_markdown_plain(md);
    tfc_report_html(f, plain ? plain : md);
    free(plain);
}

static void write_value(FILE *f, const tfc_text_point *p)
{
    if (p->rows * p->cols == 1) {
        fputs("<td class=\"text\">", f);
        write_cell(f, p->cells[0]);
        fputs("</td>", f);
        return;
    }
    fputs("<td><table class=\"cells\">", f);
    for (size_t i = 0; i < p->rows; i++) {
        fputs("<tr>", f);
        for (size_t j = 0; j < p->cols; j++) {
            fputs("<td class=\"text\">", f);
            write_cell(f, p->cells[i * p->cols + j]);
            fputs("</td>", f);
        }
        fputs("</tr>", f);
    }
    fputs("</table></td>", f);
}

void tfc_report_texts_html(tfc_report_ctx *r, size_t *nshown)
{
    FILE *f = r->f;
    *nshown = 0;
    for (size_t ri = 0; ri < r->src->nruns; ri++) {
        const tfc_run *run = r->src->runs[ri].run;
        for (size_t t = 0; t < run->ntexts; t++) {
            const tfc_text_series *s = &run->texts[t];
            if (!s->n) continue;
            fputs("<figure class=\"texts\"><figcaption><b>", f);
            tfc_report_html(f, s->tag);
            fputs("</b> <span class=\"run\">", f);
            tfc_report_html(f, r->src->runs[ri].name);
            fputs("</span></figcaption><table>\n", f);
            size_t k = tfc_report_kept(s->n, r->o->max_steps);
            for (size_t j = 0; j < k; j++) {
                const tfc_text_point *p = &s->points[tfc_report_kept_index(s->n, r->o->max_steps, j)];
                fprintf(f, "<tr><th>step %" PRId64 "</th>", p->step);
                if (p->rows * p->cols == 0) fputs("<td class=\"none\">(empty)</td>", f);
                else write_value(f, p);
                fputs("</tr>\n", f);
            }
            fputs("</table></figure>\n", f);
            ++*nshown;
        }
    }
}
