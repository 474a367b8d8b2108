/* tfc-plot --list: what a logdir holds, run by run, like a compact `tensorboard --inspect`:
 * every tag with its kind (TensorBoard's plugin), how many values and which steps, and what tfc
 * does with it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "graph.pb-c.h"
#include "plot.h"

typedef struct {
    size_t n;
    int64_t first, last;
} span;

/* The columns s takes: one per character, not per byte (UTF-8's continuation bytes add none). */
static size_t columns(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void row(FILE *out, const char *tag, size_t width, span s, const char *unit)
{
    fprintf(out, "    %s%*s %7zu %s%s", tag, (int)(width - columns(tag)), "", s.n, unit, s.n == 1 ? " " : "s");
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

/* What a plugin's tags are called, and what tfc does with them. */
static void kind_of(const char *plugin, const char **kind, const char **use)
{
    static const struct {
        const char *plugin, *kind, *use;
    } known[] = {
        {"audio", "audio", "not drawn"},
        {"pr_curves", "PR curves", "not drawn"},
        {"hparams", "hparams", "not drawn"},
        {"custom_scalars", "custom-scalar layouts", "not drawn"},
        {"mesh", "meshes", "not drawn"},
        {"graph_run_metadata_graph", "graph traces", "tfc-graph --tag TAG draws them"},
        {"graph_run_metadata", "graph traces with profiles", "tfc-graph --tag TAG draws them"},
        {"graph_keras_model", "Keras model configs", "tfc-graph --tag TAG draws them"},
        {"graph_tagged_run_metadata", "run metadata (profiles)", "not drawn"},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        if (!strcmp(plugin, known[i].plugin)) {
            *kind = known[i].kind;
            *use = known[i].use;
            return;
        }
    }
    *kind = plugin;
    *use = "not drawn";
}

static size_t width_of(const tfc_run *run)
{
    size_t w = 0;
#define WIDEN(n, list)                                                     \
    for (size_t i = 0; i < (n); i++)                                       \
        if (columns((list)[i].tag) > w) w = columns((list)[i].tag);
    WIDEN(run->nscalars, run->scalars)
    WIDEN(run->nhistograms, run->histograms)
    WIDEN(run->nimages, run->images)
    WIDEN(run->ntexts, run->texts)
    WIDEN(run->nothers, run->others)
#undef WIDEN
    return w;
}

/* The other tags grouped by plugin, plugins in name order. */
static void list_others(const tfc_run *run, size_t width, FILE *out)
{
    const char *done = ""; /* plugins are taken in increasing name order */
    for (;;) {
        const char *next = NULL;
        for (size_t i = 0; i < run->nothers; i++) {
            const char *p = run->others[i].plugin;
            if (strcmp(p, done) > 0 && (!next || strcmp(p, next) < 0)) next = p;
        }
        if (!next) return;
        const char *kind, *use;
        kind_of(next, &kind, &use);
        fprintf(out, "  %s (plugin %s; %s):\n", kind, next, use);
        for (size_t i = 0; i < run->nothers; i++) {
            const tfc_other_tag *o = &run->others[i];
            if (strcmp(o->plugin, next)) continue;
            row(out, o->tag, width, (span){o->n, o->first_step, o->last_step}, "value");
        }
        done = next;
    }
}

void tfc_plot_list(const tfc_plot_source *src, FILE *out)
{
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_run *run = src->runs[r].run;
        size_t width = width_of(run);
        fprintf(out, "%s%s (%s, %zu event%s)\n", r ? "\n" : "", src->runs[r].name, run->dir,
                run->nevents, run->nevents == 1 ? "" : "s");
        fprintf(out, "  scalars:%s\n", run->nscalars ? "" : " none");
        for (size_t i = 0; i < run->nscalars; i++)
            row(out, run->scalars[i].tag, width, SPAN(&run->scalars[i]), "point");
        fprintf(out, "  histograms:%s\n", run->nhistograms ? "" : " none");
        for (size_t i = 0; i < run->nhistograms; i++)
            row(out, run->histograms[i].tag, width, SPAN(&run->histograms[i]), "point");
        fprintf(out, "  images:%s\n", run->nimages ? "" : " none");
        for (size_t i = 0; i < run->nimages; i++) row(out, run->images[i].tag, width, SPAN(&run->images[i]), "point");
        if (run->ntexts) fprintf(out, "  text (plugin text; tfc-plot --text TAG prints them):\n");
        for (size_t i = 0; i < run->ntexts; i++)
            row(out, run->texts[i].tag, width, SPAN(&run->texts[i]), "value");
        list_others(run, width, out);
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
