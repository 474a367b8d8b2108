/* bench_plot: how long tfc-plot's library takes to draw 100 runs of 10,000 points each (a noisy
 * falling loss per run) into one PNG, smoothing included; also SVG and PDF for comparison.
 *
 *   bench_plot [--runs N] [--points N] [--repeat N] [--format png|svg|pdf] [-o DIR]
 *
 * Prints the best and median wall time of each format over the repeats, and the best CPU time
 * (steadier than wall time on a busy machine). Target: PNG under 1 s. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_time.h"
#include "plot.h"

/* A deterministic uniform number in [0, 1). */
static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    size_t nruns = 100, npoints = 10000, repeat = 5;
    const char *dir = "/tmp", *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--runs") == 0) nruns = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--points") == 0) npoints = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--repeat") == 0) repeat = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--format") == 0) only = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "-o") == 0) dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_plot [--runs N] [--points N] [--repeat N] "
                            "[--format png|svg|pdf] [-o DIR]\n");
            return 2;
        }
    }
    if (nruns == 0 || npoints == 0 || repeat == 0) {
        fprintf(stderr, "bench_plot: --runs, --points and --repeat must be positive\n");
        return 2;
    }

    tfc_run *runs = calloc(nruns, sizeof *runs);
    tfc_scalar_series *series = calloc(nruns, sizeof *series);
    tfc_plot_source *src = tfc_plot_source_new();
    char name[32];
    uint64_t seed = 42;
    for (size_t r = 0; r < nruns; r++) {
        series[r].tag = "loss";
        series[r].n = npoints;
        series[r].points = malloc(npoints * sizeof *series[r].points);
        double rate = 0.5 + uniform(&seed), floor_ = 0.05 + 0.2 * uniform(&seed);
        for (size_t i = 0; i < npoints; i++) {
            double t = (double)i / (double)npoints;
            series[r].points[i] = (tfc_scalar_point){(int64_t)i * 10, 1.6e9 + 0.5 * (double)i,
                                                     floor_ + 2 * exp(-4 * rate * t) +
                                                         0.15 * (uniform(&seed) - 0.5)};
        }
        snprintf(name, sizeof name, "run%03zu", r);
        runs[r].name = name;
        runs[r].nscalars = 1;
        runs[r].scalars = &series[r];
        tfc_plot_source_add_run(src, name, &runs[r]);
    }

    static const char *const formats[] = {"png", "svg", "pdf"};
    tfc_status *st = tfc_status_new();
    double *times = malloc(repeat * sizeof *times), *cpu = malloc(repeat * sizeof *cpu);
    printf("bench_plot: %zu runs x %zu points, smoothing 0.6, 640x440 at 100 dpi\n", nruns, npoints);
    for (size_t f = 0; f < 3; f++) {
        if (only && strcmp(only, formats[f]) != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/bench_plot.%s", dir, formats[f]);
        for (size_t k = 0; k < repeat; k++) {
            double t0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
            tfc_plot_options opt;
            tfc_plot_options_default(&opt);
            tfc_plot_figure *fig = tfc_plot_figure_new(&opt);
            bool ok = tfc_plot_figure_add_scalars(fig, src, "loss", st) &&
                      tfc_plot_figure_render(fig, path, st);
            tfc_plot_figure_free(fig);
            times[k] = bench_seconds(CLOCK_MONOTONIC) - t0;
            cpu[k] = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
            if (!ok) {
                fprintf(stderr, "bench_plot: %s\n", tfc_message(st));
                return 1;
            }
        }
        qsort(times, repeat, sizeof *times, bench_cmp_double);
        qsort(cpu, repeat, sizeof *cpu, bench_cmp_double);
        printf("  %-3s  wall best %.3f s, median %.3f s; CPU best %.3f s  (%zu repeats) -> %s\n",
               formats[f], times[0], times[repeat / 2], cpu[0], repeat, path);
    }
    free(times);
    free(cpu);
    tfc_status_free(st);
    tfc_plot_source_free(src);
    for (size_t r = 0; r < nruns; r++) free(series[r].points);
    free(series);
    free(runs);
    tfc_plot_release_caches();
    return 0;
}
