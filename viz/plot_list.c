/* tfc-plot --list: what a logdir holds, run by run, like a compact `tensorboard --inspect`. */
#include <inttypes.h>
#include <string.h>

#include "graph.pb-c.h"
#include "plot.h"

typedef struct {
    size_t n;
    int64_t first, last;
} span;

static void row(FILE *out, const char *tag, int width, span s)
{
    fprintf(out, "    %-*s %7zu point%s", width, tag, s.n, s.n == 1 ? " " : "s");
    if (s.n > 0) {
        if (s.first == s.last) fprintf(out, "  step %" PRId64, s.first);
        else fprintf(out, "  steps %" PRId64 "..%" PRId64, s.first, s.last);
    }
    fputc('\n', out);
}

/* The steps of n points of size bytes each; every point type begins with its int64 step. */
static span step_span(const void *points, size_t n, size_t size)
{
    span r = {n, 0, 0};
    for (size_t i = 0; i < n; i++) {
        int64_t step = *(const int64_t *)((const char *)points + i * size);
        if (i == 0 || step < r.first) r.first = step;
        if (i == 0 || step > r.last) r.last = step;
    }
    return r;
}

#define SPAN(series) step_span((series)->points, (series)->n, sizeof *(series)->points)

void tfc_plot_list(const tfc_plot_source *src, FILE *out)
{
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_run *run = src->runs[r].run;
        int width = 0;
        for (size_t i = 0; i < run->nscalars; i++)
            if ((int)strlen(run->scalars[i].tag) > width) width = (int)strlen(run->scalars[i].tag);
        for (size_t i = 0; i < run->nhistograms; i++)
            if ((int)strlen(run->histograms[i].tag) > width) width = (int)strlen(run->histograms[i].tag);
        for (size_t i = 0; i < run->nimages; i++)
            if ((int)strlen(run->images[i].tag) > width) width = (int)strlen(run->images[i].tag);
        fprintf(out, "%s%s (%s, %zu events)\n", r ? "\n" : "", src->runs[r].name, run->dir,
                run->nevents);
        fprintf(out, "  scalars:%s\n", run->nscalars ? "" : " none");
        for (size_t i = 0; i < run->nscalars; i++)
            row(out, run->scalars[i].tag, width, SPAN(&run->scalars[i]));
        fprintf(out, "  histograms:%s\n", run->nhistograms ? "" : " none");
        for (size_t i = 0; i < run->nhistograms; i++)
            row(out, run->histograms[i].tag, width, SPAN(&run->histograms[i]));
        fprintf(out, "  images:%s\n", run->nimages ? "" : " none");
        for (size_t i = 0; i < run->nimages; i++) row(out, run->images[i].tag, width, SPAN(&run->images[i]));
        if (!run->graph_def) {
            fprintf(out, "  graph: none\n");
            continue;
        }
        Tensorflow__GraphDef *g = tensorflow__graph_def__unpack(NULL, run->graph_def_len, run->graph_def);
        if (g) fprintf(out, "  graph: %zu nodes\n", g->n_node);
        else fprintf(out, "  graph: %zu bytes, not a readable GraphDef\n", run->graph_def_len);
        if (g) tensorflow__graph_def__free_unpacked(g, NULL);
    }
}
