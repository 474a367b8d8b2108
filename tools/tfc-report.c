/* tfc-report: one self-contained HTML page of TensorBoard logdirs (tfc's, TensorFlow 1/2's,
 * PyTorch's) that opens offline in any browser. Flags in, report/ does the work, one line out. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "out_file.h"
#include "report.h"
#include "stdio_guard.h"

static const char usage[] =
    "Usage: tfc-report [OPTIONS] [LOGDIR]... [-o report.html]\n"
    "Writes one HTML file showing TensorBoard logdirs (tfc's, TensorFlow 1/2's, PyTorch's) that\n"
    "opens offline in any browser, with nothing fetched from a network: the runs and their tags;\n"
    "every scalar chart with a smoothing slider (TensorBoard's smoothing, recomputed in the page),\n"
    "read-outs under the pointer, log-y and x-axis switches; histograms as distributions or\n"
    "stacked; image grids; text summaries; the graph, drawn by Graphviz, whose name scopes open\n"
    "and close with a click; the newest checkpoint's variables. LOGDIR defaults to ./events; with\n"
    "several, runs are named LOGDIR/run.\n"
    "\n"
    "  -o, --output FILE     the page (default report.html; '-': stdout)\n"
    "      --title TEXT      its title (default: the logdirs' names)\n"
    "      --max-points N    scalar points kept per run and tag, evenly spread with the first\n"
    "                        and the last (default 1000, TensorBoard's; 0: all)\n"
    "      --max-steps N     rows (steps) of an image grid or a text tag (default 10; 0: all)\n"
    "      --smoothing W     the smoothing slider's first value, 0 <= W < 1 (default 0.6)\n"
    "      --graph-kb N      kilobytes of graph drawings at most: the top view, then a view per\n"
    "                        name scope a click opens, breadth first (default 1024; 0: no graph)\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 written, 1 failure, 2 usage error. Images that do not decode, and graphs or\n"
    "checkpoints that cannot be read, are left out with a warning on stderr.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("tfc-report: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see tfc-report --help)\n", stderr);
    return 2;
}

static bool parse_count(const char *s, size_t max, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || *s == '-' || v > max) return false;
    *out = (size_t)v;
    return true;
}

static void print_warning(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "tfc-report: warning: %s\n", line);
}

int main(int argc, char **argv)
{
    enum { OPT_TITLE = 256, OPT_MAX_POINTS, OPT_MAX_STEPS, OPT_SMOOTHING, OPT_GRAPH_KB };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, OPT_TITLE},
        {"max-points", required_argument, NULL, OPT_MAX_POINTS},
        {"max-steps", required_argument, NULL, OPT_MAX_STEPS},
        {"smoothing", required_argument, NULL, OPT_SMOOTHING},
        {"graph-kb", required_argument, NULL, OPT_GRAPH_KB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    tfc_stdio_guard(true); /* results checked on their way out; names from files may hold control characters */
    tfc_report_options o;
    tfc_report_options_default(&o);
    const char *output = "report.html";
    size_t kb = o.graph_budget / 1024;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_TITLE: o.title = optarg; break;
        case OPT_MAX_POINTS:
            if (!parse_count(optarg, 100000000, &o.max_points))
                return usage_error("--max-points must be a whole number >= 0, not '%s'", optarg);
            break;
        case OPT_MAX_STEPS:
            if (!parse_count(optarg, 100000, &o.max_steps))
                return usage_error("--max-steps must be a whole number from 0 to 100000, not '%s'", optarg);
            break;
        case OPT_SMOOTHING: {
            char *end;
            o.smoothing = strtod(optarg, &end);
            if (end == optarg || *end || !(o.smoothing >= 0 && o.smoothing < 1))
                return usage_error("--smoothing must be a number from 0 up to (not including) 1, not '%s'", optarg);
            break;
        }
        case OPT_GRAPH_KB:
            if (!parse_count(optarg, 1 << 20, &kb))
                return usage_error("--graph-kb must be a whole number from 0 to 1048576, not '%s'", optarg);
            break;
        case 'h': fputs(usage, stdout); return tfc_stdout_exit("tfc-report", 0);
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    o.graph_budget = kb * 1024;
    if (tfc_event_file_name(output))
        return usage_error("-o '%s' is named like an event file ('tfevents'): the page would replace one, or be read as one",
                           output);
    const char *default_logdir = "events";
    const char *const *paths = optind < argc ? (const char *const *)argv + optind : &default_logdir;
    size_t npaths = optind < argc ? (size_t)(argc - optind) : 1;

    tfc_status *st = tfc_status_new();
    tfc_plot_source *src = tfc_plot_source_new();
    bool ok = st && src && tfc_plot_source_load(src, paths, npaths, st);
    if (ok)
        for (size_t d = 0; d < src->ndirs; d++)
            for (size_t w = 0; w < src->dirs[d]->nwarnings; w++) print_warning(NULL, src->dirs[d]->warnings[w]);
    ok = ok && tfc_report_write(src, paths, npaths, output, &o, print_warning, NULL, st);
    if (!ok) fprintf(stderr, "tfc-report: %s\n", st ? tfc_message(st) : "out of memory");
    else if (strcmp(output, "-") != 0) printf("wrote %s\n", output); /* (on stdout, the page alone) */
    tfc_plot_source_free(src);
    tfc_status_free(st);
    return tfc_stdout_exit("tfc-report", ok ? 0 : 1);
}
