/* tfc-graph: draws the name-scoped graph of a logdir, an event file, a MetaGraphDef or a
 * GraphDef with Graphviz, the way TensorBoard's graph view shows it. Flags in, viz/ does the
 * work, one line out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_input.h"
#include "graph_list.h"
#include "graph_model.h"
#include "graph_render.h"
#include "graph_view.h"
#include "out_file.h"
#include "stdio_guard.h"

static const char usage[] =
    "Usage: tfc-graph [OPTIONS] [LOGDIR | EVENT_FILE | GRAPH.pb | MODEL.meta | saved_model.pb]\n"
    "Draws a TensorFlow graph with Graphviz the way TensorBoard's graph view shows it: name\n"
    "scopes as boxes, deeper scopes collapsed into one node, initialisers, save/restore and\n"
    "summary ops moved aside. The input defaults to ./events (the newest run with a graph).\n"
    "\n"
    "  -o, --output FILE   the picture; its extension picks the format: .png (default\n"
    "                      graph.png), .svg, .pdf, or .dot (Graphviz source, before layout)\n"
    "      --run NAME      the logdir's run to draw (default: the newest run with a graph)\n"
    "      --depth N|all   name levels drawn (default 1, TensorBoard's first view): scopes N\n"
    "                      levels down are collapsed into one node showing their op count;\n"
    "                      'all' opens every scope (but see below)\n"
    "      --expand SCOPE  open SCOPE (e.g. model/fc1) whatever the depth; repeatable\n"
    "      --all           draw the auxiliary ops (initialisers, save/restore, summaries) and\n"
    "                      high-degree nodes in place instead of listing them in a side note\n"
    "      --rankdir DIR   BT (default: inputs at the bottom, as TensorBoard), TB, LR or RL\n"
    "      --color MODE    scope (default: a hue per top-level scope) or op (by op type)\n"
    "      --list          print the name-scope tree with op counts instead of drawing\n"
    "                      (all levels unless --depth is given)\n"
    "      --tag TAG       draw the run's graph summary TAG: a TF2 trace (tf.summary.trace_export)\n"
    "                      or a Keras model config (default: the run's graph, else its first\n"
    "                      graph summary)\n"
    "      --no-simplify   lay out the whole view however long it takes (within --time-limit)\n"
    "      --time-limit S  seconds Graphviz may take to lay out and render (default 60)\n"
    "      --max-nodes N   the most nodes a picture may have (default 10000)\n"
    "  -h, --help          this help\n"
    "\n"
    "gradients/ and optimizer scopes (Adam/, GradientDescent/) stay collapsed at any depth,\n"
    "and a variable with its read, Assign and optimizer slots stays one node (a cylinder),\n"
    "unless named by --expand. Edges carry the tensor's static shape (from _output_shapes)\n"
    "or how many tensors they stand for; more than four edges between a scope's box and one\n"
    "node are drawn as one, from the box. Control dependencies are dashed, variables handed\n"
    "to the ops that update them (Assign, Apply*) orange. The bodies of functions called by\n"
    "While, If, Case and (Stateful)PartitionedCall ops (TF2) are scopes under the calling op,\n"
    "named ATTR:FUNCTION (while/body:while_body_7).\n"
    "\n"
    "Graphviz's time grows fast with long edges and many boxes: a view that would take it long\n"
    "is simplified, one step at a time, with a note saying what was done (--no-simplify turns\n"
    "this off): high-degree gradients and optimizer boxes go aside too, the edges crossing the\n"
    "most ranks are left out, boxes below the shallowest few hundred are not drawn, and large\n"
    "views get Graphviz's fast settings and straight edges. Graphviz runs in a child process\n"
    "with a memory limit, so a view too big for it ends in one line, never in a crash or an\n"
    "endless wait.\n"
    "\n"
    "Exit status: 0 on success, 1 on a failure, 2 on a usage error.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("tfc-graph: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see --help)\n", stderr);
    return 2;
}

typedef struct {
    const char *input, *output, *run;
    int depth;
    bool depth_given, list, all, no_simplify;
    const char *tag;
    double time_limit;
    size_t max_nodes;
    const char **expand;
    size_t nexpand;
    tfc_gdraw_style style;
    tfc_gdraw_format format;
} options;

static bool parse_depth(const char *s, int *depth)
{
    if (!strcmp(s, "all")) {
        *depth = 0;
        return true;
    }
    char *end;
    long d = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || d < 1 || d > 1000) return false;
    *depth = (int)d;
    return true;
}

/* Returns -1 when the options are good, else the exit status. */
static int parse(int argc, char **argv, options *o)
{
    enum {
        OPT_RUN = 256, OPT_DEPTH, OPT_EXPAND, OPT_ALL, OPT_RANKDIR, OPT_COLOR, OPT_LIST, OPT_TAG,
        OPT_NO_SIMPLIFY, OPT_TIME_LIMIT, OPT_MAX_NODES,
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"run", required_argument, NULL, OPT_RUN},
        {"depth", required_argument, NULL, OPT_DEPTH},
        {"expand", required_argument, NULL, OPT_EXPAND}, {"all", no_argument, NULL, OPT_ALL},
        {"rankdir", required_argument, NULL, OPT_RANKDIR},
        {"color", required_argument, NULL, OPT_COLOR}, {"list", no_argument, NULL, OPT_LIST},
        {"tag", required_argument, NULL, OPT_TAG},
        {"no-simplify", no_argument, NULL, OPT_NO_SIMPLIFY},
        {"time-limit", required_argument, NULL, OPT_TIME_LIMIT},
        {"max-nodes", required_argument, NULL, OPT_MAX_NODES},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    *o = (options){.input = "events", .output = "graph.png", .depth = 1,
                   .time_limit = TFC_GDRAW_TIME_LIMIT, .max_nodes = TFC_GDRAW_MAX_NODES};
    o->expand = calloc((size_t)argc, sizeof *o->expand);
    if (!o->expand) {
        fputs("tfc-graph: out of memory\n", stderr);
        return 1;
    }
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->output = optarg; break;
        case OPT_RUN: o->run = optarg; break;
        case OPT_DEPTH:
            if (!parse_depth(optarg, &o->depth))
                return usage_error("--depth wants a level from 1 or 'all', not '%s'", optarg);
            o->depth_given = true;
            break;
        case OPT_EXPAND: o->expand[o->nexpand++] = optarg; break;
        case OPT_ALL: o->all = true; break;
        case OPT_RANKDIR:
            if (strcmp(optarg, "TB") && strcmp(optarg, "BT") && strcmp(optarg, "LR") &&
                strcmp(optarg, "RL"))
                return usage_error("--rankdir wants TB, BT, LR or RL, not '%s'", optarg);
            o->style.rankdir = optarg;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "scope") && strcmp(optarg, "op"))
                return usage_error("--color wants 'scope' or 'op', not '%s'", optarg);
            o->style.color_by_op = !strcmp(optarg, "op");
            break;
        case OPT_LIST: o->list = true; break;
        case OPT_TAG: o->tag = optarg; break;
        case OPT_NO_SIMPLIFY: o->no_simplify = true; break;
        case OPT_TIME_LIMIT: {
            char *end;
            o->time_limit = strtod(optarg, &end);
            if (*optarg == '\0' || *end || !(o->time_limit > 0) || o->time_limit > 86400)
                return usage_error("--time-limit wants seconds above 0 and up to 86400, not '%s'", optarg);
            break;
        }
        case OPT_MAX_NODES: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || n < 1 || n > 10000000)
                return usage_error("--max-nodes wants a number from 1 to 10000000, not '%s'", optarg);
            o->max_nodes = (size_t)n;
            break;
        }
        case 'h': fputs(usage, stdout); return 0;
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) o->input = argv[optind++];
    if (optind < argc) return usage_error("one input only; '%s' is one too many", argv[optind]);
    if (!o->list && !tfc_gdraw_format_from_path(o->output, &o->format))
        return usage_error("cannot tell the format of '%s': use .png, .svg, .pdf or .dot",
                           o->output);
    return -1;
}

static int draw(const options *o, const tfc_gdraw_model *m, const char *source, tfc_status *st)
{
    tfc_gdraw_options vo = {.depth = o->depth, .expand = o->expand, .nexpand = o->nexpand,
                            .all = o->all, .max_nodes = o->max_nodes};
    if (!o->no_simplify) {
        vo.max_virtual = TFC_GDRAW_MAX_VIRTUAL;
        vo.max_clusters = TFC_GDRAW_MAX_CLUSTERS;
        vo.fast_size = TFC_GDRAW_FAST_SIZE;
    }
    tfc_gdraw_view *v = tfc_gdraw_view_build(m, &vo, st);
    if (!v) return 1;
    char title[1024];
    snprintf(title, sizeof title, "%s \xe2\x80\x94 %zu ops", source, m->nops);
    tfc_gdraw_style style = o->style;
    style.title = title;
    style.time_limit = o->time_limit;
    style.max_memory = TFC_GDRAW_MAX_MEMORY;
    double scale;
    bool ok = tfc_gdraw_render(m, v, &style, o->output, o->format, &scale, st);
    if (ok) {
        printf("%s: %zu nodes and %zu edges drawn for %zu ops, %zu ops moved aside", o->output,
               v->ndrawn, v->nedges, m->nops, v->naside_ops);
        if (scale < 1.0)
            printf(" (scaled to %.0f%% to stay a viewable PNG: .svg and .pdf keep full size)",
                   100 * scale);
        putchar('\n');
        if (v->nsimplified) {
            fputs("tfc-graph: note: simplified for a bounded layout (--no-simplify draws all): ", stderr);
            for (size_t i = 0; i < v->nsimplified; i++) fprintf(stderr, "%s%s", i ? "; " : "", v->simplified[i]);
            fputc('\n', stderr);
        }
    }
    tfc_gdraw_view_free(v);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    tfc_stdio_guard(true); /* results checked on their way out; names from files may hold control characters */
    options o;
    int rc = parse(argc, argv, &o);
    if (rc >= 0) {
        free(o.expand);
        return tfc_stdout_exit("tfc-graph", rc);
    }
    tfc_status *st = tfc_status_new();
    tfc_gdraw_input in;
    tfc_gdraw_model *m = NULL;
    rc = 1;
    if (st && tfc_gdraw_input_load(o.input, o.run, o.tag, &in, st)) {
        m = tfc_gdraw_model_parse(in.bytes, in.len, in.source, st);
        if (m && o.list) {
            tfc_gdraw_list(m, o.depth_given ? o.depth : 0, stdout);
            rc = 0;
        } else if (m) {
            rc = draw(&o, m, in.source, st);
        }
        tfc_gdraw_input_clear(&in);
    }
    if (rc) fprintf(stderr, "tfc-graph: %s\n", st ? tfc_message(st) : "out of memory");
    tfc_gdraw_model_free(m);
    tfc_status_free(st);
    free(o.expand);
    return tfc_stdout_exit("tfc-graph", rc);
}
