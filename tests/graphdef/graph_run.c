/* tfc-graph-run: the interop tests' driver (tests/interop/test_graph_import_tf.py). Imports a
 * TensorFlow graph (.meta or .pb), restores its variables from a checkpoint, runs the fetches on the
 * feeds of a V2 bundle, trains, and writes what it computed to a V2 bundle that TensorFlow reads:
 *
 *   tfc-graph-run GRAPH --feeds BUNDLE --out BUNDLE [--restore CKPT] [--fetch TENSOR]...
 *                 [--feed NAME=FLOAT]... [--train OP --steps N] [--save PREFIX] [--meta PATH]
 *
 * The feeds bundle holds tensors under their names ("x:0"); those of training step k under
 * "step/K/x:0". The output holds "out/TENSOR" (the fetches before training), "after/TENSOR" (after),
 * and "var/VARIABLE" for every variable after training. --save writes tfc's checkpoint PREFIX-STEPS,
 * --meta the graph as tfc writes a MetaGraph. Exit 0, or 1 with one line on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "graph_import.h"
#include "meta_graph.h"
#include "saver.h"
#include "session.h"

typedef struct {
    char *key;
    tfc_tensor *t;
} item;

typedef struct {
    item *items;
    int n;
} results;

static void keep(results *r, const char *what, const char *name, tfc_tensor *t)
{
    r->items = realloc(r->items, (size_t)(r->n + 1) * sizeof *r->items);
    size_t len = strlen(what) + strlen(name) + 2;
    r->items[r->n].key = malloc(len);
    snprintf(r->items[r->n].key, len, "%s/%s", what, name);
    r->items[r->n++].t = t;
}

static int by_key(const void *a, const void *b) { return strcmp(((const item *)a)->key, ((const item *)b)->key); }

typedef struct {
    tfc_feed *feeds;
    int n;
} feed_list;

static bool add_feed(feed_list *f, const tfc_graph *g, const char *name, const tfc_tensor *t, tfc_status *st)
{
    tfc_out o = tfc_graph_tensor(g, name);
    if (!tfc_out_ok(o)) return tfc_fail(st, TFC_NOT_FOUND, "feed '%s': no such tensor in the graph", name);
    f->feeds = realloc(f->feeds, (size_t)(f->n + 1) * sizeof *f->feeds);
    f->feeds[f->n++] = (tfc_feed){o, t};
    return true;
}

/* The feeds whose keys start with `prefix` (the rest of the key is the tensor's name), plus the
 * scalar ones given on the command line. */
static bool feeds_of(const tfc_graph *g, tfc_bundle *b, const char *prefix, feed_list *scalars, feed_list *out,
                     tfc_tensor ***owned, int *nowned, tfc_status *st)
{
    size_t pl = strlen(prefix);
    for (int i = 0; i < tfc_bundle_count(b); i++) {
        const char *key = tfc_bundle_at(b, i)->name;
        if (strncmp(key, prefix, pl) != 0 || (!pl && strncmp(key, "step/", 5) == 0)) continue;
        tfc_tensor *t = tfc_bundle_read(b, key, st);
        if (!t) return false;
        *owned = realloc(*owned, (size_t)(*nowned + 1) * sizeof **owned);
        (*owned)[(*nowned)++] = t;
        if (!add_feed(out, g, key + pl, t, st)) return false;
    }
    for (int i = 0; i < scalars->n; i++) {
        out->feeds = realloc(out->feeds, (size_t)(out->n + 1) * sizeof *out->feeds);
        out->feeds[out->n++] = scalars->feeds[i];
    }
    return true;
}

static bool fetch_all(tfc_session *s, const tfc_graph *g, const feed_list *f, char **names, int n, const char *what,
                      results *r, tfc_status *st)
{
    for (int i = 0; i < n; i++) {
        tfc_out o = tfc_graph_tensor(g, names[i]);
        tfc_tensor *t = NULL;
        if (!tfc_out_ok(o)) return tfc_fail(st, TFC_NOT_FOUND, "fetch '%s': no such tensor in the graph", names[i]);
        if (!tfc_session_run(s, f->feeds, f->n, &o, 1, &t, st)) return false;
        if (!t) return tfc_fail(st, TFC_INVALID_ARGUMENT, "fetch '%s' has no value", names[i]);
        keep(r, what, names[i], t);
    }
    return true;
}

int main(int argc, char **argv)
{
    const char *graph = NULL, *feeds_path = NULL, *out_path = NULL, *restore = NULL, *train = NULL, *save = NULL,
               *meta = NULL;
    char *fetches[64];
    int nfetch = 0, steps = 0;
    feed_list scalars = {0};
    char *scalar_names[16];
    tfc_tensor *scalar_values[16];
    int nscalars = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') graph = a;
        else if (!v) {
            fprintf(stderr, "tfc-graph-run: %s needs a value\n", a);
            return 2;
        } else {
            i++;
            if (!strcmp(a, "--feeds")) feeds_path = v;
            else if (!strcmp(a, "--out")) out_path = v;
            else if (!strcmp(a, "--restore")) restore = v;
            else if (!strcmp(a, "--train")) train = v;
            else if (!strcmp(a, "--steps")) steps = atoi(v);
            else if (!strcmp(a, "--save")) save = v;
            else if (!strcmp(a, "--meta")) meta = v;
            else if (!strcmp(a, "--fetch") && nfetch < 64) fetches[nfetch++] = (char *)v;
            else if (!strcmp(a, "--feed") && nscalars < 16 && strchr(v, '=')) {
                scalar_names[nscalars] = strndup(v, (size_t)(strchr(v, '=') - v));
                scalar_values[nscalars++] = tfc_tensor_scalar_f32(strtof(strchr(v, '=') + 1, NULL));
            } else {
                fprintf(stderr, "tfc-graph-run: unknown option %s\n", a);
                return 2;
            }
        }
    }
    if (!graph || !feeds_path || !out_path) {
        fprintf(stderr, "tfc-graph-run: needs GRAPH, --feeds and --out\n");
        return 2;
    }
    tfc_status *st = tfc_status_new();
    tfc_graph *g = tfc_graph_new();
    tfc_session *s = NULL;
    tfc_bundle *fb = NULL;
    results r = {0};
    tfc_tensor **owned = NULL;
    int nowned = 0;
    feed_list f = {0};
    bool ok = tfc_graph_import_file(g, graph, NULL, st);
    for (int i = 0; ok && i < nscalars; i++) ok = add_feed(&scalars, g, scalar_names[i], scalar_values[i], st);
    tfc_session_options so = {.threads = 2, .plain_convolution = true};
    if (ok) ok = (s = tfc_session_new(g, &so, st)) != NULL && tfc_session_run_init(s, st);
    if (ok && restore) ok = tfc_saver_restore(s, restore, st);
    if (ok) ok = (fb = tfc_bundle_open(feeds_path, st)) != NULL && feeds_of(g, fb, "", &scalars, &f, &owned, &nowned, st);
    if (ok) ok = fetch_all(s, g, &f, fetches, nfetch, "out", &r, st);
    tfc_out op = train ? tfc_graph_tensor(g, train) : TFC_NO_OUT;
    if (ok && train && !tfc_out_ok(op)) ok = tfc_fail(st, TFC_NOT_FOUND, "--train '%s': no such op in the graph", train);
    for (int k = 0; ok && k < steps; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "step/%d/", k);
        feed_list sf = {0};
        ok = feeds_of(g, fb, prefix, &scalars, &sf, &owned, &nowned, st) && tfc_session_run(s, sf.feeds, sf.n, &op, 1, NULL, st);
        free(sf.feeds);
    }
    if (ok && steps) ok = fetch_all(s, g, &f, fetches, nfetch, "after", &r, st);
    for (int i = 0; ok && i < tfc_graph_num_variables(g); i++) {
        int v = tfc_graph_variable(g, i);
        const tfc_tensor *t = tfc_session_variable(s, v);
        if (t) keep(&r, "var", tfc_node_name(g, v), tfc_tensor_copy(t));
    }
    if (ok) {
        qsort(r.items, (size_t)r.n, sizeof *r.items, by_key);
        tfc_bundle_writer *w = tfc_bundle_writer_new(out_path, st);
        ok = w != NULL;
        for (int i = 0; ok && i < r.n; i++) ok = tfc_bundle_writer_add(w, r.items[i].key, r.items[i].t, st);
        ok = ok && tfc_bundle_writer_finish(w, st);
        tfc_bundle_writer_free(w);
    }
    char saved[4096];
    if (ok && save) ok = tfc_saver_save(s, save, steps, 5, saved, sizeof saved, st) && tfc_saver_write_meta(s, saved, st);
    if (ok && meta) ok = tfc_meta_graph_write(g, meta, st);
    if (!ok) fprintf(stderr, "tfc-graph-run: %s\n", tfc_message(st));
    for (int i = 0; i < r.n; i++) {
        free(r.items[i].key);
        tfc_tensor_free(r.items[i].t);
    }
    free(r.items);
    for (int i = 0; i < nowned; i++) tfc_tensor_free(owned[i]);
    free(owned);
    for (int i = 0; i < nscalars; i++) {
        free(scalar_names[i]);
        tfc_tensor_free(scalar_values[i]);
    }
    free(scalars.feeds);
    free(f.feeds);
    tfc_bundle_close(fb);
    tfc_session_free(s);
    tfc_graph_free(g);
    tfc_status_free(st);
    return ok ? 0 : 1;
}
