/* bench_report: how long tfc-report's library takes to write the report of a large logdir, and
 * how big the page is. The logdir (100 runs x 10,000 steps x 2 scalar tags by default, written
 * with tfc's event writer) is made once in DIR and reused.
 *
 *   bench_report [--runs N] [--points N] [--repeat N] [-d DIR]
 *
 * Prints the wall time of each round (loading the logdir and writing the page), the best and
 * the median, the least CPU time of a round (steadier on a busy machine) and the page's size. Targets: under 2 s, under 10 MB. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench_time.h"
#include "event_writer.h"
#include "report.h"

/* Writes the logdir unless DIR/done says it has these sizes already. */
static bool make_logdir(const char *dir, size_t nruns, size_t npoints, tfc_status *st)
{
    char mark[1024], want[64], have[64] = "";
    snprintf(mark, sizeof mark, "%s/done", dir);
    snprintf(want, sizeof want, "%zu %zu\n", nruns, npoints);
    FILE *f = fopen(mark, "r");
    if (f) {
        if (!fgets(have, sizeof have, f)) have[0] = '\0';
        fclose(f);
    }
    if (strcmp(have, want) == 0) return true;
    for (size_t r = 0; r < nruns; r++) {
        char run[1100];
        snprintf(run, sizeof run, "%s/run%03zu", dir, r);
        tfc_event_writer *w = tfc_event_writer_open(run, NULL, st);
        if (!w) return false;
        bool ok = true;
        for (size_t i = 1; ok && i <= npoints; i++) {
            double x = (double)i / (double)npoints;
            float loss = (float)(2.3 * exp(-4 * x) + 0.1 + 0.05 * sin((double)i * 0.37 + (double)r));
            float acc = (float)(1 - 0.9 * exp(-5 * x) - 0.02 * cos((double)i * 0.11 + (double)r));
            ok = tfc_event_writer_add_scalar(w, "Loss", loss, (int64_t)i, st) &&
                 tfc_event_writer_add_scalar(w, "Accuracy", acc, (int64_t)i, st);
        }
        if (!tfc_event_writer_close(w, st) || !ok) return false;
    }
    f = fopen(mark, "w");
    if (f) fputs(want, f), fclose(f);
    return true;
}

int main(int argc, char **argv)
{
    size_t nruns = 100, npoints = 10000, repeat = 3;
    const char *dir = "/tmp/tfc-bench-report";
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--runs") == 0) nruns = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--points") == 0) npoints = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--repeat") == 0) repeat = strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "-d") == 0) dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_report [--runs N] [--points N] [--repeat N] [-d DIR]\n");
            return 2;
        }
    }
    if (nruns == 0 || npoints == 0 || repeat == 0) {
        fprintf(stderr, "bench_report: --runs, --points and --repeat must be positive\n");
        return 2;
    }
    tfc_status *st = tfc_status_new();
    if (!make_logdir(dir, nruns, npoints, st)) {
        fprintf(stderr, "bench_report: %s\n", tfc_message(st));
        return 1;
    }
    char out[1100];
    snprintf(out, sizeof out, "%s.html", dir);
    tfc_report_options o;
    tfc_report_options_default(&o);
    double *wall = calloc(repeat, sizeof *wall), best_cpu = INFINITY;
    int rc = 0;
    for (size_t k = 0; k < repeat && !rc; k++) {
        double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
        tfc_plot_source *src = tfc_plot_source_new();
        const char *paths[1] = {dir};
        bool ok = src && tfc_plot_source_load(src, paths, 1, st) &&
                  tfc_report_write(src, paths, 1, out, &o, NULL, NULL, st);
        tfc_plot_source_free(src);
        wall[k] = bench_seconds(CLOCK_MONOTONIC) - w0;
        double cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (!ok) {
            fprintf(stderr, "bench_report: %s\n", tfc_message(st));
            rc = 1;
        } else {
            printf("round %zu: %.3f s (CPU %.3f s)\n", k + 1, wall[k], cpu);
            best_cpu = fmin(best_cpu, cpu);
        }
    }
    if (!rc) {
        struct stat sb;
        stat(out, &sb);
        qsort(wall, repeat, sizeof *wall, bench_cmp_double);
        printf("report of %zu runs x %zu points x 2 tags: best %.3f s, median %.3f s, least CPU %.3f s; %s is "
               "%.2f MB\n",
               nruns, npoints, wall[0], wall[repeat / 2], best_cpu, out, (double)sb.st_size / 1e6);
    }
    free(wall);
    tfc_status_free(st);
    return rc;
}
