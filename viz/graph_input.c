/* Finds the GraphDef to draw (see graph_input.h). Event files go through the summary layer's
 * logdir reader (graph summaries become GraphDefs in graph_trace.c and keras_model.c); a run's age is the newest creation time in its event file names
 * (events.out.tfevents.<seconds>.<host>), or the file's modification time where the name has
 * none. */
#include "graph_input.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_reader.h"
#include "graph_file.h"
#include "graph_trace.h"
#include "in_file.h"
#include "keras_model.h"
#include "logdir.h"
#include "meta_graph.pb-c.h"
#include "pb_check.h"

void tfc_gdraw_input_clear(tfc_gdraw_input *in)
{
    free(in->bytes);
    free(in->source);
    *in = (tfc_gdraw_input){0};
}

/* A serialized message (GraphDef, MetaGraphDef) of type d from path. Its fields are checked in
 * the file first (pb_check.h): a file that is not one, or whose end is a run of zero bytes (also
 * inside a node claiming gigabytes), is refused after a few bytes rather than after reading all
 * of it; then it is read a MiB at a time. */
static bool read_file(const char *path, const char *what, const ProtobufCMessageDescriptor *d, uint8_t **bytes,
                      size_t *len, tfc_status *st)
{
    uint64_t size, bad = 0;
    int fd = tfc_in_file_open(path, &size, st);
    if (fd < 0) return false;
    if (size > INT32_MAX) {
        close(fd);
        return tfc_fail(st, TFC_DATA_LOSS, "%s: not a valid %s: %llu bytes is over protobuf's limit of 2 GiB for a message",
                        path, what, (unsigned long long)size);
    }
    int valid = tfc_pb_check_file(fd, 0, size, d, &bad);
    bool ok = valid == 1;
    if (valid == 0)
        tfc_fail(st, TFC_DATA_LOSS, "%s: not a valid %s: no valid protobuf field at offset %llu", path, what,
                 (unsigned long long)bad);
    if (valid < 0) tfc_fail(st, TFC_IO, "cannot read '%s': %s", path, errno ? strerror(errno) : "the file shrank");
    uint8_t *buf = ok ? malloc(size ? (size_t)size : 1) : NULL;
    if (ok && !buf) ok = tfc_fail(st, TFC_INTERNAL, "out of memory reading '%s'", path);
    for (uint64_t have = 0; ok && have < size;) {
        size_t k = size - have < (1u << 20) ? (size_t)(size - have) : 1u << 20;
        if (!tfc_in_file_read(fd, buf + have, k, have))
            ok = tfc_fail(st, TFC_IO, "cannot read '%s': %s", path, errno ? strerror(errno) : "the file shrank");
        have += k;
    }
    close(fd);
    if (!ok) {
        free(buf);
        return false;
    }
    *bytes = buf;
    *len = (size_t)size;
    return true;
}

/* The newest time among the run's event files: the seconds in the name, else the mtime. */
static double run_time(const tfc_run *run)
{
    double newest = -1;
    DIR *d = opendir(run->dir);
    if (!d) return newest;
    for (struct dirent *e; (e = readdir(d));) {
        const char *t = strstr(e->d_name, "tfevents.");
        if (!t) continue;
        char *end;
        double secs = strtod(t + 9, &end);
        if (end == t + 9) {
            char path[4096];
            struct stat sb;
            snprintf(path, sizeof path, "%s/%s", run->dir, e->d_name);
            secs = stat(path, &sb) == 0 ? (double)sb.st_mtime : -1;
        }
        if (secs > newest) newest = secs;
    }
    closedir(d);
    return newest;
}

/* Plugins whose values draw as graphs: TF2 traces (a RunMetadata), Keras model configs. */
static bool op_graph_tag(const tfc_other_tag *o)
{
    return o->blob && (!strcmp(o->plugin, "graph_run_metadata_graph") || !strcmp(o->plugin, "graph_run_metadata"));
}

static bool graph_tag(const tfc_other_tag *o)
{
    return op_graph_tag(o) || (o->blob && !strcmp(o->plugin, "graph_keras_model"));
}

static bool run_has_graph(const tfc_run *r)
{
    if (r->graph_def) return true;
    for (size_t i = 0; i < r->nothers; i++)
        if (graph_tag(&r->others[i])) return true;
    return false;
}

/* "a, b, c" of the runs holding a graph. */
static char *runs_with_graph(const tfc_logdir *ld)
{
    char *s = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    for (size_t i = 0; i < ld->nruns; i++)
        if (run_has_graph(&ld->runs[i])) fprintf(f, "%s'%s'", n++ ? ", " : "", ld->runs[i].name);
    fclose(f);
    return s;
}

/* "'a', 'b'" of the run's graph summary tags. */
static char *graph_tags(const tfc_run *r)
{
    char *s = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    for (size_t i = 0; i < r->nothers; i++)
        if (graph_tag(&r->others[i])) fprintf(f, "%s'%s'", n++ ? ", " : "", r->others[i].tag);
    fclose(f);
    return s;
}

static const tfc_run *pick_run(const tfc_logdir *ld, const char *path, const char *run,
                               tfc_status *st)
{
    if (run) {
        for (size_t i = 0; i < ld->nruns; i++) {
            if (strcmp(ld->runs[i].name, run)) continue;
            if (run_has_graph(&ld->runs[i])) return &ld->runs[i];
            tfc_fail(st, TFC_NOT_FOUND, "run '%s' in '%s' has no graph", run, path);
            return NULL;
        }
        char *have = runs_with_graph(ld);
        tfc_fail(st, TFC_NOT_FOUND, "no run '%s' in '%s' (runs with a graph: %s)", run, path,
                 have && *have ? have : "none");
        free(have);
        return NULL;
    }
    const tfc_run *best = NULL;
    double best_time = 0;
    for (size_t i = 0; i < ld->nruns; i++) {
        if (!run_has_graph(&ld->runs[i])) continue;
        double t = run_time(&ld->runs[i]);
        if (!best || t >= best_time) {
            best = &ld->runs[i];
            best_time = t;
        }
    }
    if (!best) {
        if (ld->nwarnings)
            tfc_fail(st, TFC_NOT_FOUND, "no graph in '%s' (%zu run%s read; %s)", path, ld->nruns,
                     ld->nruns == 1 ? "" : "s", ld->warnings[0]);
        else
            tfc_fail(st, TFC_NOT_FOUND, "no graph in '%s' (%zu run%s, none holds a graph)", path,
                     ld->nruns, ld->nruns == 1 ? "" : "s");
    }
    return best;
}

/* The run's graph summary to draw: tag, or else (the run having no graph of its own) the first
 * trace, then the first Keras model config. NULL with st set when tag names none. */
static const tfc_other_tag *pick_tag(const tfc_run *r, const char *path, const char *tag, tfc_status *st)
{
    if (tag) {
        const tfc_other_tag *o = tfc_run_other(r, tag);
        if (o && graph_tag(o)) return o;
        char *have = graph_tags(r);
        tfc_fail(st, TFC_NOT_FOUND, "%s '%s' in run '%s' of '%s' (its graph summaries: %s)",
                 o ? "no graph in tag" : "no tag", tag, r->name, path, have && *have ? have : "none");
        free(have);
        return NULL;
    }
    for (size_t i = 0; i < r->nothers; i++)
        if (op_graph_tag(&r->others[i])) return &r->others[i];
    for (size_t i = 0; i < r->nothers; i++)
        if (graph_tag(&r->others[i])) return &r->others[i];
    return NULL;
}

static bool load_events(const char *path, const char *run, const char *tag, tfc_gdraw_input *out,
                        tfc_status *st)
{
    tfc_logdir *ld = tfc_logdir_load(path, st);
    if (!ld) return false;
    const tfc_run *r = pick_run(ld, path, run, st);
    const tfc_other_tag *o = NULL;
    bool ok = r != NULL;
    if (ok && (tag || !r->graph_def)) ok = (o = pick_tag(r, path, tag, st)) != NULL;
    char *what = NULL;
    if (ok && (o ? asprintf(&what, "%s (run '%s', tag '%s')", path, r->name, o->tag)
                 : asprintf(&what, "%s (run '%s')", path, r->name)) < 0) {
        what = NULL;
        ok = tfc_fail(st, TFC_INTERNAL, "out of memory reading '%s'", path);
    }
    if (ok && o && !strcmp(o->plugin, "graph_keras_model")) {
        ok = tfc_keras_model_graph((const char *)o->blob, o->blob_len, what, &out->bytes, &out->len, st);
    } else if (ok && o) {
        ok = tfc_gdraw_trace_graph(o->blob, o->blob_len, what, &out->bytes, &out->len, st);
    } else if (ok) {
        out->len = r->graph_def_len;
        out->bytes = malloc(out->len ? out->len : 1);
        ok = out->bytes != NULL || tfc_fail(st, TFC_INTERNAL, "out of memory reading '%s'", path);
        if (ok) memcpy(out->bytes, r->graph_def, out->len);
    }
    if (ok) {
        out->source = what;
        what = NULL;
    }
    free(what);
    tfc_logdir_free(ld);
    if (!ok) tfc_gdraw_input_clear(out);
    return ok;
}

/* A MetaGraphDef's graph_def, re-serialized for the model parser; takes bytes. */
static bool graph_of_meta(const char *path, uint8_t *bytes, size_t len, tfc_gdraw_input *out, tfc_status *st)
{
    Tensorflow__MetaGraphDef *mg = tensorflow__meta_graph_def__unpack(NULL, len, bytes);
    free(bytes);
    if (!mg || !mg->graph_def) {
        if (mg) tensorflow__meta_graph_def__free_unpacked(mg, NULL);
        return tfc_fail(st, TFC_DATA_LOSS, "%s: not a valid MetaGraphDef with a graph", path);
    }
    out->len = tensorflow__graph_def__get_packed_size(mg->graph_def);
    out->bytes = malloc(out->len ? out->len : 1);
    bool ok = out->bytes != NULL;
    if (ok) tensorflow__graph_def__pack(mg->graph_def, out->bytes);
    tensorflow__meta_graph_def__free_unpacked(mg, NULL);
    return ok || tfc_fail(st, TFC_INTERNAL, "out of memory reading '%s'", path);
}

/* A graph file (graph_file.h): a GraphDef as it is, a MetaGraphDef's or a SavedModel's first
 * MetaGraph's graph. */
static bool load_graph_file(const char *path, tfc_gdraw_input *out, tfc_status *st)
{
    unsigned char head[64];
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    tfc_graph_file_kind kind = tfc_graph_file_kind_of(path, head, n);
    if (kind == TFC_GRAPH_FILE_TEXT) return tfc_graph_file_text_error(path, st);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (!read_file(path, tfc_graph_file_kind_name(kind), tfc_graph_file_descriptor(kind), &bytes, &len, st)) return false;
    if (kind == TFC_GRAPH_FILE_SAVED_MODEL) {
        uint8_t *meta;
        bool ok = tfc_saved_model_meta_graph(path, bytes, len, &meta, &len, st);
        free(bytes);
        if (!ok) return false;
        bytes = meta;
    }
    bool ok = kind == TFC_GRAPH_FILE_GRAPHDEF ? (out->bytes = bytes, out->len = len, true)
                                              : graph_of_meta(path, bytes, len, out, st);
    if (ok && !(out->source = strdup(path))) ok = tfc_fail(st, TFC_INTERNAL, "out of memory reading '%s'", path);
    if (!ok) tfc_gdraw_input_clear(out);
    return ok;
}

bool tfc_gdraw_input_load(const char *path, const char *run, const char *tag, tfc_gdraw_input *out,
                          tfc_status *st)
{
    *out = (tfc_gdraw_input){0};
    struct stat sb;
    if (stat(path, &sb) != 0)
        return tfc_fail(st, TFC_NOT_FOUND, "'%s': %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode) || tfc_event_file_name(path)) return load_events(path, run, tag, out, st);
    if (run || tag)
        return tfc_fail(st, TFC_INVALID_ARGUMENT,
                        "%s applies to a logdir or an event file, not to '%s'", run ? "--run" : "--tag", path);
    return load_graph_file(path, out, st);
}
