/* The report's scalar and histogram data, as JSON members the page's script draws from. Long
 * series are thinned as TensorBoard keeps them (a fixed number of points, here evenly spread, the
 * first and last among them); steps and wall times are written as differences to stay small. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "plot_panel.h"
#include "report_internal.h"

#define HIST_BINS 30     /* the stacked histograms' bins, as TensorBoard's offset view */
#define HIST_OFFSETS 40  /* steps drawn as stacked histograms, at most */

typedef enum { SCALARS, HISTOGRAMS } kind;

static size_t count_of(const tfc_run *run, kind k) { return k == SCALARS ? run->nscalars : run->nhistograms; }
static const char *tag_of(const tfc_run *run, kind k, size_t i)
{
    return k == SCALARS ? run->scalars[i].tag : run->histograms[i].tag;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every tag of kind k over the runs, sorted, without repeats (borrowed from the runs). */
static const char **all_tags(const tfc_plot_source *src, kind k, size_t *n)
{
    size_t total = 0;
    for (size_t r = 0; r < src->nruns; r++) total += count_of(src->runs[r].run, k);
    const char **tags = malloc((total ? total : 1) * sizeof *tags);
    if (!tags) return NULL;
    size_t m = 0;
    for (size_t r = 0; r < src->nruns; r++)
        for (size_t i = 0; i < count_of(src->runs[r].run, k); i++) tags[m++] = tag_of(src->runs[r].run, k, i);
    if (m) qsort(tags, m, sizeof *tags, cmp_str);
    size_t d = 0;
    for (size_t i = 0; i < m; i++)
        if (d == 0 || strcmp(tags[d - 1], tags[i])) tags[d++] = tags[i];
    *n = d;
    return tags;
}

/* b - a as a JSON number: exact while it fits in int64 (steps a run wrote), else the nearest double
 * (steps from either end of int64's range, whose difference does not fit). */
static void put_difference(FILE *f, bool comma, int64_t b, int64_t a)
{
    long long d;
    if (!__builtin_sub_overflow(b, a, &d)) fprintf(f, "%s%lld", comma ? "," : "", d);
    else fprintf(f, "%s%.17g", comma ? "," : "", (double)b - (double)a);
}

/* "s":[steps as differences],"t0":first wall time,"t":[milliseconds as differences] for the kept
 * points of n points of size bytes each, which begin with their step and wall time. */
_Static_assert(offsetof(tfc_scalar_point, wall_time) == sizeof(int64_t), "a point begins with step, wall_time");
_Static_assert(offsetof(tfc_histogram_point, wall_time) == sizeof(int64_t), "a point begins with step, wall_time");
static void steps_and_times(FILE *f, size_t n, size_t max, const void *points, size_t size)
{
#define STEP(i) (*(const int64_t *)((const char *)points + (i) * size))
#define WALL(i) (*(const double *)((const char *)points + (i) * size + sizeof(int64_t)))
    size_t k = tfc_report_kept(n, max);
    fputs("\"s\":[", f);
    int64_t prev = 0;
    for (size_t j = 0; j < k; j++) {
        int64_t s = STEP(tfc_report_kept_index(n, max, j));
        put_difference(f, j, s, prev);
        prev = s;
    }
    double t0 = n ? WALL(0) : 0;
    fputs("],\"t0\":", f);
    tfc_report_json_number(f, t0, 17);
    fputs(",\"t\":[", f);
    long long prev_ms = 0;
    for (size_t j = 0; j < k; j++) {
        double dt = WALL(tfc_report_kept_index(n, max, j)) - t0;
        /* a wall time more than 100,000 years off the first is no clock's: taken as the first */
        long long ms = fabs(dt) < 3.2e12 ? llround(dt * 1000) : 0;
        put_difference(f, j, ms, prev_ms);
        prev_ms = ms;
    }
    fputc(']', f);
#undef STEP
#undef WALL
}

bool tfc_report_scalars_json(tfc_report_ctx *r, tfc_status *st)
{
    size_t ntags;
    const char **tags = all_tags(r->src, SCALARS, &ntags);
    if (!tags) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    FILE *f = r->f;
    fputs("\"scalars\":[", f);
    for (size_t t = 0; t < ntags; t++) {
        fputs(t ? ",\n{\"tag\":" : "\n{\"tag\":", f);
        tfc_report_json_string(f, tags[t]);
        fputs(",\"series\":[", f);
        bool first = true;
        for (size_t r0 = 0; r0 < r->src->nruns; r0++) {
            const tfc_scalar_series *s = tfc_run_scalar(r->src->runs[r0].run, tags[t]);
            if (!s || s->n == 0) continue;
            fprintf(f, "%s{\"run\":%zu,", first ? "" : ",", r0);
            first = false;
            steps_and_times(f, s->n, r->o->max_points, s->points, sizeof *s->points);
            fputs(",\"v\":[", f);
            size_t k = tfc_report_kept(s->n, r->o->max_points);
            for (size_t j = 0; j < k; j++) {
                if (j) fputc(',', f);
                tfc_report_json_number(f, s->points[tfc_report_kept_index(s->n, r->o->max_points, j)].value, 7);
            }
            fputs("]}", f);
        }
        fputs("]}", f);
    }
    fputs("]", f);
    free(tags);
    return true;
}

/* One run's histogram series: percentiles for the kept steps, and for up to HIST_OFFSETS of them
 * the counts on HIST_BINS equal bins over the series' range. */
static bool histogram_series(FILE *f, const tfc_histogram_series *s, size_t max, tfc_status *st)
{
    steps_and_times(f, s->n, max, s->points, sizeof *s->points);
    size_t k = tfc_report_kept(s->n, max);
    fputs(",\"p\":[", f);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < k; j++) {
        const tfc_histogram_point *h = &s->points[tfc_report_kept_index(s->n, max, j)];
        double pct[TFC_PLOT_NPCT];
        tfc_plot_histogram_percentiles(h, pct);
        fputs(j ? ",[" : "[", f);
        for (int q = 0; q < TFC_PLOT_NPCT; q++) {
            if (q) fputc(',', f);
            tfc_report_json_number(f, pct[q], 5);
        }
        fputc(']', f);
        if (h->num > 0 && isfinite(pct[0]) && isfinite(pct[TFC_PLOT_NPCT - 1])) {
            lo = fmin(lo, pct[0]);
            hi = fmax(hi, pct[TFC_PLOT_NPCT - 1]);
        }
    }
    fputs("]", f);
    if (!(lo < hi)) return true; /* nothing to spread over bins */
    double *bins = malloc(HIST_BINS * sizeof *bins);
    if (!bins) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    fputs(",\"lo\":", f);
    tfc_report_json_number(f, lo, 7);
    fputs(",\"hi\":", f);
    tfc_report_json_number(f, hi, 7);
    size_t nb = tfc_report_kept(s->n, HIST_OFFSETS);
    fputs(",\"bs\":[", f);
    for (size_t j = 0; j < nb; j++)
        fprintf(f, "%s%lld", j ? "," : "", (long long)s->points[tfc_report_kept_index(s->n, HIST_OFFSETS, j)].step);
    fputs("],\"b\":[", f);
    for (size_t j = 0; j < nb; j++) {
        tfc_plot_histogram_rebin(&s->points[tfc_report_kept_index(s->n, HIST_OFFSETS, j)], lo, hi, HIST_BINS, bins);
        fputs(j ? ",[" : "[", f);
        for (int b = 0; b < HIST_BINS; b++) {
            if (b) fputc(',', f);
            tfc_report_json_number(f, bins[b], 4);
        }
        fputc(']', f);
    }
    fputs("]", f);
    free(bins);
    return true;
}

bool tfc_report_histograms_json(tfc_report_ctx *r, tfc_status *st)
{
    size_t ntags;
    const char **tags = all_tags(r->src, HISTOGRAMS, &ntags);
    if (!tags) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    FILE *f = r->f;
    bool ok = true;
    fputs("\"histograms\":[", f);
    for (size_t t = 0; ok && t < ntags; t++) {
        fputs(t ? ",\n{\"tag\":" : "\n{\"tag\":", f);
        tfc_report_json_string(f, tags[t]);
        fputs(",\"series\":[", f);
        bool first = true;
        for (size_t r0 = 0; ok && r0 < r->src->nruns; r0++) {
            const tfc_histogram_series *s = tfc_run_histogram(r->src->runs[r0].run, tags[t]);
            if (!s || s->n == 0) continue;
            fprintf(f, "%s{\"run\":%zu,", first ? "" : ",", r0);
            first = false;
            ok = histogram_series(f, s, r->o->max_points, st);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs("]", f);
    free(tags);
    return ok;
}
