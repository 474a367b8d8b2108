/* tfc-plot: training curves and histogram distributions from TensorBoard logdirs, drawn to
 * PNG, SVG or PDF with Cairo (or written as CSV). Flags in, library calls, one line out. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "out_file.h"
#include "plot.h"
#include "plot_page.h"
#include "stdio_guard.h"

static const char usage[] =
    "Usage: tfc-plot [--logdir DIR]... --scalar TAG [--scalar TAG]... [-o FILE] [options]\n"
    "  or:  tfc-plot [--logdir DIR]... --histogram TAG [--histogram-mode offset] [-o FILE]\n"
    "  or:  tfc-plot [--logdir DIR]... --image TAG [--max-steps N] [-o FILE]\n"
    "  or:  tfc-plot [--logdir DIR]... --text TAG\n"
    "  or:  tfc-plot [--logdir DIR]... --list\n"
    "\n"
    "Plots the scalar summaries (one curve per run, one panel per tag), the histogram\n"
    "summaries or the image summaries of TensorBoard logdirs written by tfc, TensorFlow 1/2\n"
    "or PyTorch, and prints their text summaries.\n"
    "\n"
    "  --logdir DIR          a logdir (runs are its sub-folders) or an event file; repeat to\n"
    "                        compare logdirs (runs are then named DIR/run). Default: events\n"
    "  --scalar TAG          a scalar tag, or a regular expression (POSIX extended) for all the\n"
    "                        tags it matches; repeatable\n"
    "  --histogram TAG       a histogram tag or regular expression; one panel per run\n"
    "  --histogram-mode M    distribution (percentile bands over steps, default) or offset\n"
    "                        (the histograms of successive steps stacked)\n"
    "  --image TAG           an image tag or regular expression: the images as a grid, steps\n"
    "                        down and samples across (TensorFlow 1's TAG/image/0, TAG/image/1, ...\n"
    "                        side by side), one section per run; repeatable\n"
    "  --max-steps N         rows of an image grid: N steps evenly spread, the first and last\n"
    "                        among them (default 10, 0: every step)\n"
    "  -o, --output FILE     the picture: .png, .svg or .pdf (default: named after the tags,\n"
    "                        e.g. Loss.png; images.png for --image)\n"
    "  --csv FILE            write run,tag,step,wall_time,value,smoothed as CSV ('-': stdout);\n"
    "                        the picture is then drawn only when -o is given too\n"
    "  --text TAG            print text summary TAG (or every text tag a regular expression\n"
    "                        matches) of every run, step by step, Markdown as plain text;\n"
    "                        repeatable\n"
    "  --list                list the runs with every tag, its kind (TensorBoard's plugin:\n"
    "                        scalars, images, audio, text, PR curves, hparams, ...), count and\n"
    "                        step range\n"
    "  --smoothing W         TensorBoard's smoothing weight, 0 <= W < 1 (default 0.6, 0 = off)\n"
    "  --x step|relative|wall  the x axis: step (default), time since the run's first point,\n"
    "                        or clock time\n"
    "  --log-y               logarithmic y axis\n"
    "  --xlim LO:HI          x range (steps, seconds, or epoch seconds for --x wall; the value\n"
    "                        range for --histogram-mode offset); either end may be left out\n"
    "  --ylim LO:HI          y range\n"
    "  --ignore-outliers     y range from the 5th to 95th percentile of the values\n"
    "  --size WxH            picture size in pixels (default 640x440 per panel at 100 dpi)\n"
    "  --dpi N               pixels per inch: text and lines grow with it (default 100)\n"
    "  --title TEXT          a title above the panels\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 on success, 1 on a failure, 2 on a usage error.\n";

enum {
    OPT_LOGDIR = 256, OPT_SCALAR, OPT_HISTOGRAM, OPT_HIST_MODE, OPT_CSV, OPT_LIST, OPT_SMOOTHING,
    OPT_X, OPT_LOG_Y, OPT_XLIM, OPT_YLIM, OPT_OUTLIERS, OPT_SIZE, OPT_DPI, OPT_TITLE, OPT_IMAGE,
    OPT_MAX_STEPS, OPT_TEXT,
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tfc-plot: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see tfc-plot --help)\n");
    return 2;
}

static int fail(tfc_status *st)
{
    fprintf(stderr, "tfc-plot: %s\n", tfc_message(st));
    return 1;
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*out);
}

typedef struct {
    const char **logdirs, **scalars, **histograms, **images, **texts;
    size_t nlogdirs, nscalars, nhistograms, nimages, ntexts;
    long max_steps;
    const char *output, *csv;
    bool list;
    tfc_plot_options opt;
} flags;

static void push(const char ***list, size_t *n, const char *s)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown) {
        fprintf(stderr, "tfc-plot: out of memory\n");
        exit(1);
    }
    grown[(*n)++] = s;
    *list = grown;
}

/* Returns -1 when the flags are good, else the exit status. */
static int parse_flags(int argc, char **argv, flags *f, tfc_status *st)
{
    static const struct option longopts[] = {
        {"logdir", required_argument, NULL, OPT_LOGDIR},
        {"scalar", required_argument, NULL, OPT_SCALAR},
        {"histogram", required_argument, NULL, OPT_HISTOGRAM},
        {"histogram-mode", required_argument, NULL, OPT_HIST_MODE},
        {"output", required_argument, NULL, 'o'},
        {"csv", required_argument, NULL, OPT_CSV},
        {"list", no_argument, NULL, OPT_LIST},
        {"text", required_argument, NULL, OPT_TEXT},
        {"smoothing", required_argument, NULL, OPT_SMOOTHING},
        {"x", required_argument, NULL, OPT_X},
        {"log-y", no_argument, NULL, OPT_LOG_Y},
        {"xlim", required_argument, NULL, OPT_XLIM},
        {"ylim", required_argument, NULL, OPT_YLIM},
        {"ignore-outliers", no_argument, NULL, OPT_OUTLIERS},
        {"size", required_argument, NULL, OPT_SIZE},
        {"dpi", required_argument, NULL, OPT_DPI},
        {"title", required_argument, NULL, OPT_TITLE},
        {"image", required_argument, NULL, OPT_IMAGE},
        {"max-steps", required_argument, NULL, OPT_MAX_STEPS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_LOGDIR: push(&f->logdirs, &f->nlogdirs, optarg); break;
        case OPT_SCALAR: push(&f->scalars, &f->nscalars, optarg); break;
        case OPT_HISTOGRAM: push(&f->histograms, &f->nhistograms, optarg); break;
        case OPT_HIST_MODE:
            if (strcmp(optarg, "distribution") == 0) f->opt.hist_mode = TFC_PLOT_HIST_DISTRIBUTION;
            else if (strcmp(optarg, "offset") == 0) f->opt.hist_mode = TFC_PLOT_HIST_OFFSET;
            else return usage_error("--histogram-mode must be distribution or offset, not '%s'", optarg);
            break;
        case 'o': f->output = optarg; break;
        case OPT_CSV: f->csv = optarg; break;
        case OPT_LIST: f->list = true; break;
        case OPT_TEXT: push(&f->texts, &f->ntexts, optarg); break;
        case OPT_SMOOTHING:
            if (!parse_number(optarg, &f->opt.smoothing) || f->opt.smoothing < 0 ||
                f->opt.smoothing >= 1)
                return usage_error("--smoothing must be a number from 0 up to (not including) 1, not '%s'", optarg);
            break;
        case OPT_X:
            if (strcmp(optarg, "step") == 0) f->opt.x = TFC_PLOT_X_STEP;
            else if (strcmp(optarg, "relative") == 0) f->opt.x = TFC_PLOT_X_RELATIVE;
            else if (strcmp(optarg, "wall") == 0) f->opt.x = TFC_PLOT_X_WALL;
            else return usage_error("--x must be step, relative or wall, not '%s'", optarg);
            break;
        case OPT_LOG_Y: f->opt.log_y = true; break;
        case OPT_XLIM:
        case OPT_YLIM:
            if (!tfc_plot_parse_range(optarg, c == OPT_XLIM ? f->opt.xlim : f->opt.ylim, st))
                return usage_error(c == OPT_XLIM ? "--xlim: %s" : "--ylim: %s", tfc_message(st));
            break;
        case OPT_OUTLIERS: f->opt.ignore_outliers = true; break;
        case OPT_SIZE:
            if (!tfc_plot_parse_size(optarg, &f->opt.width, &f->opt.height, st))
                return usage_error("--size: %s", tfc_message(st));
            break;
        case OPT_DPI:
            if (!parse_number(optarg, &f->opt.dpi) || f->opt.dpi < 10 || f->opt.dpi > 2400)
                return usage_error("--dpi must be a number from 10 to 2400, not '%s'", optarg);
            break;
        case OPT_TITLE: f->opt.title = optarg; break;
        case OPT_IMAGE: push(&f->images, &f->nimages, optarg); break;
        case OPT_MAX_STEPS: {
            char *end;
            f->max_steps = strtol(optarg, &end, 10);
            if (end == optarg || *end || f->max_steps < 0 || f->max_steps > 100000)
                return usage_error("--max-steps must be a whole number from 0 to 100000, not '%s'", optarg);
            break;
        }
        case 'h': fputs(usage, stdout); return 0;
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (f->output && !tfc_plot_page_check_path(f->output, st)) return usage_error("%s", tfc_message(st));
    const char *evlike = f->output && tfc_event_file_name(f->output) ? f->output
                         : f->csv && tfc_event_file_name(f->csv)   ? f->csv
                                                                   : NULL;
    if (evlike)
        return usage_error("output '%s' is named like an event file ('tfevents'): it would replace one, or be read as one",
                           evlike);
    if (f->opt.log_y && (f->opt.ylim[0] <= 0 || f->opt.ylim[1] <= 0))
        return usage_error("--ylim: a log axis (--log-y) shows values above 0 only, not %s", f->opt.ylim[0] <= 0 ? "LO <= 0" : "HI <= 0");
    if (!f->list && f->nscalars == 0 && f->nhistograms == 0 && f->nimages == 0 && f->ntexts == 0)
        return usage_error("%s", "nothing to plot: give --scalar TAG, --histogram TAG, --image TAG, --text TAG or --list");
    if (f->nimages && (f->nscalars || f->nhistograms))
        return usage_error("%s", "--image draws a picture of its own: give it without --scalar and --histogram");
    if (f->nimages && f->csv) return usage_error("%s", "--csv writes scalars and histograms, not images");
    if (f->nlogdirs == 0) push(&f->logdirs, &f->nlogdirs, "events");
    return -1;
}

static void print_warning(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "tfc-plot: warning: %s\n", line);
}

/* --image: the grid of the chosen image tags; returns the exit status. */
/* After tag selection failed: a pattern that is neither a tag nor a regular expression is a usage
 * error (2), as every tool's are; a tag not there is a failure (1). */
static int select_failed(tfc_status *st)
{
    return tfc_status_code(st) == TFC_INVALID_ARGUMENT ? usage_error("%s", tfc_message(st)) : fail(st);
}

static int run_images(flags *f, tfc_plot_source *src, tfc_status *st)
{
    char **tags = NULL;
    size_t ntags = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < f->nimages; i++) ok = tfc_plot_select(src, TFC_PLOT_IMAGES, f->images[i], &tags, &ntags, st);
    bool selected = ok;
    const char *path = f->output ? f->output : "images.png";
    if (ok) ok = tfc_plot_images_render(src, tags, ntags, &f->opt, (size_t)f->max_steps, path, print_warning, NULL, st);
    if (ok) printf("wrote %s\n", path);
    for (size_t i = 0; i < ntags; i++) free(tags[i]);
    free(tags);
    return ok ? 0 : selected ? fail(st) : select_failed(st);
}

/* Loads, picks the tags, draws and writes; returns the exit status. */
static int run(flags *f, tfc_plot_source *src, tfc_status *st)
{
    if (!tfc_plot_source_load(src, f->logdirs, f->nlogdirs, st)) return fail(st);
    for (size_t d = 0; d < src->ndirs; d++)
        for (size_t w = 0; w < src->dirs[d]->nwarnings; w++)
            fprintf(stderr, "tfc-plot: warning: %s\n", src->dirs[d]->warnings[w]);
    if (f->list) {
        tfc_plot_list(src, stdout);
        return 0;
    }
    char **texts = NULL;
    size_t ntexts = 0;
    bool texts_ok = true;
    for (size_t i = 0; texts_ok && i < f->ntexts; i++)
        texts_ok = tfc_plot_select(src, TFC_PLOT_TEXTS, f->texts[i], &texts, &ntexts, st);
    for (size_t i = 0; texts_ok && i < ntexts; i++) {
        if (i) putchar('\n');
        tfc_plot_print_text(src, texts[i], stdout);
    }
    for (size_t i = 0; i < ntexts; i++) free(texts[i]);
    free(texts);
    if (!texts_ok) return select_failed(st);
    if (f->nimages) return run_images(f, src, st);
    if (f->nscalars == 0 && f->nhistograms == 0) return 0;

    char **scalars = NULL, **hists = NULL;
    size_t nscalars = 0, nhists = 0;
    tfc_plot_figure *fig = tfc_plot_figure_new(&f->opt);
    bool ok = fig != NULL || tfc_fail(st, TFC_INTERNAL, "out of memory");
    for (size_t i = 0; ok && i < f->nscalars; i++)
        ok = tfc_plot_select(src, TFC_PLOT_SCALARS, f->scalars[i], &scalars, &nscalars, st);
    for (size_t i = 0; ok && i < f->nhistograms; i++)
        ok = tfc_plot_select(src, TFC_PLOT_HISTOGRAMS, f->histograms[i], &hists, &nhists, st);
    bool selected = ok;
    for (size_t i = 0; ok && i < nscalars; i++) ok = tfc_plot_figure_add_scalars(fig, src, scalars[i], st);
    for (size_t i = 0; ok && i < nhists; i++) ok = tfc_plot_figure_add_histograms(fig, src, hists[i], st);
    for (size_t i = 0; i < nscalars; i++) free(scalars[i]);
    for (size_t i = 0; i < nhists; i++) free(hists[i]);
    free(scalars);
    free(hists);

    if (ok && f->csv) ok = tfc_plot_figure_write_csv(fig, f->csv, st);
    if (ok && (f->output || !f->csv)) {
        char *name = f->output ? NULL : tfc_plot_figure_default_name(fig, ".png");
        const char *path = f->output ? f->output : name;
        ok = path && tfc_plot_figure_render(fig, path, st);
        if (ok && !(f->csv && strcmp(f->csv, "-") == 0)) printf("wrote %s\n", path);
        free(name);
    }
    tfc_plot_figure_free(fig);
    return ok ? 0 : selected ? fail(st) : select_failed(st);
}

int main(int argc, char **argv)
{
    tfc_stdio_guard(true); /* results checked on their way out; names from files may hold control characters */
    flags f = {.max_steps = 10};
    tfc_plot_options_default(&f.opt);
    tfc_status *st = tfc_status_new();
    int rc = parse_flags(argc, argv, &f, st);
    if (rc < 0) {
        tfc_status_clear(st);
        tfc_plot_source *src = tfc_plot_source_new();
        rc = src ? run(&f, src, st) : 1;
        tfc_plot_source_free(src);
    }
    free(f.logdirs);
    free(f.scalars);
    free(f.histograms);
    free(f.images);
    free(f.texts);
    tfc_status_free(st);
    tfc_plot_release_caches();
    return tfc_stdout_exit("tfc-plot", rc);
}
