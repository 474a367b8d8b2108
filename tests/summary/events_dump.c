/* tfc-events-dump: prints what tfc_logdir_load reads from a logdir or event file, one
 * tab-separated line per item, for the interop tests to compare with TensorBoard's reader:
 *   run      NAME  EVENTS  GRAPH_BYTES
 *   scalar   RUN  TAG  STEP  WALL_TIME  VALUE
 *   histo    RUN  TAG  STEP  WALL_TIME  MIN  MAX  NUM  SUM  SUM_SQUARES  LIMITS  COUNTS  (lists comma-separated)
 *   image    RUN  TAG  STEP  WALL_TIME  INDEX  WIDTH  HEIGHT  COLORSPACE  BYTES  (the encoded bytes in hex)
 *   node     RUN  NAME  OP  INPUTS  DEVICE  (inputs comma-separated)
 *   warning  TEXT
 * Doubles are printed with %.17g, so they read back exactly. */
#include <stdio.h>
#include <string.h>

#include "graph.pb-c.h"
#include "logdir.h"

static void print_list(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) printf("%s%.17g", i ? "," : "", v[i]);
}

static void print_graph(const tfc_run *run)
{
    Tensorflow__GraphDef *g = tensorflow__graph_def__unpack(NULL, run->graph_def_len, run->graph_def);
    if (!g) {
        printf("warning\t%s: the graph is not a valid GraphDef\n", run->name);
        return;
    }
    for (size_t i = 0; i < g->n_node; i++) {
        const Tensorflow__NodeDef *n = g->node[i];
        printf("node\t%s\t%s\t%s\t", run->name, n->name, n->op);
        for (size_t j = 0; j < n->n_input; j++) printf("%s%s", j ? "," : "", n->input[j]);
        printf("\t%s\n", n->device);
    }
    tensorflow__graph_def__free_unpacked(g, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc == 2 ? stdout : stderr, "usage: tfc-events-dump LOGDIR|FILE\n");
        return argc == 2 ? 0 : 2;
    }
    tfc_status *st = tfc_status_new();
    tfc_logdir *ld = tfc_logdir_load(argv[1], st);
    if (!ld) {
        fprintf(stderr, "tfc-events-dump: %s\n", tfc_message(st));
        tfc_status_free(st);
        return 1;
    }
    for (size_t r = 0; r < ld->nruns; r++) {
        const tfc_run *run = &ld->runs[r];
        printf("run\t%s\t%zu\t%zu\n", run->name, run->nevents, run->graph_def ? run->graph_def_len : 0);
        for (size_t i = 0; i < run->nscalars; i++)
            for (size_t j = 0; j < run->scalars[i].n; j++) {
                const tfc_scalar_point *p = &run->scalars[i].points[j];
                printf("scalar\t%s\t%s\t%lld\t%.17g\t%.17g\n", run->name, run->scalars[i].tag, (long long)p->step,
                       p->wall_time, p->value);
            }
        for (size_t i = 0; i < run->nhistograms; i++)
            for (size_t j = 0; j < run->histograms[i].n; j++) {
                const tfc_histogram_point *h = &run->histograms[i].points[j];
                printf("histo\t%s\t%s\t%lld\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t", run->name,
                       run->histograms[i].tag, (long long)h->step, h->wall_time, h->min, h->max, h->num, h->sum,
                       h->sum_squares);
                print_list(h->limits, h->nbuckets);
                putchar('\t');
                print_list(h->counts, h->nbuckets);
                putchar('\n');
            }
        for (size_t i = 0; i < run->nimages; i++)
            for (size_t j = 0; j < run->images[i].n; j++) {
                const tfc_image_point *p = &run->images[i].points[j];
                for (size_t k = 0; k < p->nimages; k++) {
                    const tfc_image *im = &p->images[k];
                    printf("image\t%s\t%s\t%lld\t%.17g\t%zu\t%d\t%d\t%d\t", run->name, run->images[i].tag,
                           (long long)p->step, p->wall_time, k, im->width, im->height, im->colorspace);
                    for (size_t b = 0; b < im->len; b++) printf("%02x", im->data[b]);
                    putchar('\n');
                }
            }
        if (run->graph_def) print_graph(run);
    }
    for (size_t i = 0; i < ld->nwarnings; i++) printf("warning\t%s\n", ld->warnings[i]);
    tfc_logdir_free(ld);
    tfc_status_free(st);
    return 0;
}
