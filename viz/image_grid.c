/* Building image grids from a run's image series (see image_grid.h). */
#include "image_grid.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tfc_natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0' && isdigit((unsigned char)a[1])) a++;
            while (*b == '0' && isdigit((unsigned char)b[1])) b++;
            size_t na = 0, nb = 0;
            while (isdigit((unsigned char)a[na])) na++;
            while (isdigit((unsigned char)b[nb])) nb++;
            if (na != nb) return na < nb ? -1 : 1;
            int c = strncmp(a, b, na);
            if (c) return c;
            a += na;
            b += nb;
        } else {
            if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return (unsigned char)*a - (unsigned char)*b;
}

const char *tfc_image_group_name(const char *tag, char *buf, size_t size)
{
    snprintf(buf, size, "%s", tag);
    char *at = strstr(buf, "/image");
    while (at && strstr(at + 1, "/image")) at = strstr(at + 1, "/image");
    if (at && (at[6] == '\0' || at[6] == '/')) {
        const char *rest = at[6] ? at + 7 : "";
        bool digits = at[6] == '\0' || *rest;
        for (const char *p = rest; *p; p++) digits = digits && isdigit((unsigned char)*p);
        if (digits && at != buf) *at = '\0';
    }
    return buf;
}

static int cmp_series_natural(const void *a, const void *b)
{
    return tfc_natural_cmp((*(const tfc_image_series *const *)a)->tag, (*(const tfc_image_series *const *)b)->tag);
}

static int cmp_step(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The index of step in the sorted, distinct steps[n]. */
static size_t step_index(const int64_t *steps, size_t n, int64_t step)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (steps[mid] < step) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

const char *tfc_image_browser_format(const tfc_image *im)
{
    const unsigned char *d = im->data;
    size_t n = im->len;
    if (n >= 5 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff && d[n - 2] == 0xff && d[n - 1] == 0xd9)
        return "image/jpeg";
    if (n >= 14 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0) && d[n - 1] == 0x3b)
        return "image/gif";
    return NULL;
}

void tfc_image_grid_free(tfc_image_grid *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->ncols; i++) free(g->cols[i].label);
    free(g->cols);
    free(g->steps);
    free(g->cells);
    free(g);
}

tfc_image_grid *tfc_image_grid_build(const tfc_run *run, const char *const *tags, size_t ntags, size_t max_rows,
                                     tfc_status *st)
{
    tfc_image_grid *g = calloc(1, sizeof *g);
    const tfc_image_series **series = calloc(ntags ? ntags : 1, sizeof *series);
    size_t nseries = 0, ncols = 0, nsteps = 0;
    int64_t *all = NULL;
    bool ok = g && series;
    for (size_t i = 0; ok && i < ntags; i++) {
        const tfc_image_series *s = tfc_run_images(run, tags[i]);
        bool seen = false;
        for (size_t j = 0; s && j < nseries; j++) seen |= series[j] == s;
        if (s && !seen) series[nseries++] = s;
    }
    if (ok && nseries > 1) qsort(series, nseries, sizeof *series, cmp_series_natural);
    /* columns: each tag's widest value */
    size_t *samples = ok ? calloc(nseries ? nseries : 1, sizeof *samples) : NULL;
    size_t npoints = 0;
    ok = ok && samples;
    for (size_t i = 0; ok && i < nseries; i++) {
        for (size_t j = 0; j < series[i]->n; j++)
            if (series[i]->points[j].nimages > samples[i]) samples[i] = series[i]->points[j].nimages;
        ncols += samples[i];
        npoints += series[i]->n;
    }
    ok = ok && (g->cols = calloc(ncols ? ncols : 1, sizeof *g->cols)) && (all = malloc((npoints ? npoints : 1) * sizeof *all));
    for (size_t i = 0, c = 0; ok && i < nseries; i++) {
        for (size_t k = 0; k < samples[i] && ok; k++, c++) {
            size_t len = strlen(series[i]->tag) + 24;
            tfc_image_column *col = &g->cols[c];
            if (!(col->label = malloc(len))) {
                ok = false;
                break;
            }
            g->ncols = c + 1;
            if (samples[i] > 1) snprintf(col->label, len, "%s #%zu", series[i]->tag, k);
            else snprintf(col->label, len, "%s", series[i]->tag);
            col->tag = series[i]->tag;
            col->sample = k;
        }
        for (size_t j = 0; ok && j < series[i]->n; j++) all[nsteps++] = series[i]->points[j].step;
    }
    /* rows: the distinct steps, thinned to max_rows */
    if (ok && nsteps) {
        qsort(all, nsteps, sizeof *all, cmp_step);
        size_t d = 1;
        for (size_t i = 1; i < nsteps; i++)
            if (all[i] != all[d - 1]) all[d++] = all[i];
        nsteps = d;
        size_t rows = max_rows && max_rows < nsteps ? max_rows : nsteps;
        ok = (g->steps = malloc(rows * sizeof *g->steps)) != NULL;
        for (size_t r = 0; ok && r < rows; r++)
            g->steps[r] = rows == 1 ? all[nsteps - 1] : all[(r * (nsteps - 1) + (rows - 1) / 2) / (rows - 1)];
        g->nrows = ok ? rows : 0;
    }
    ok = ok && (g->cells = calloc(g->nrows * g->ncols + 1, sizeof *g->cells));
    for (size_t i = 0, c0 = 0; ok && i < nseries; c0 += samples[i], i++) {
        for (size_t j = 0; j < series[i]->n; j++) {
            const tfc_image_point *p = &series[i]->points[j];
            size_t r = step_index(g->steps, g->nrows, p->step);
            if (r == g->nrows || g->steps[r] != p->step) continue;
            for (size_t k = 0; k < samples[i]; k++) g->cells[r * g->ncols + c0 + k] = k < p->nimages ? &p->images[k] : NULL;
        }
    }
    free(series);
    free(samples);
    free(all);
    if (!ok) {
        tfc_image_grid_free(g);
        return tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
    }
    return g;
}
