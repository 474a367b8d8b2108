/* Loading a logdir: finding its runs and event files, and accumulating each run's scalars,
 * histograms, images, texts, other tags and graph the way TensorBoard's EventAccumulator does (tag
 * routing by the first value's plugin, purging of orphaned steps after a restart, newest graph
 * wins). */
#include "logdir.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "event_reader.h"
#include "meta_graph.pb-c.h"
#include "str_index.h"
#include "summary_value.h"

/* ---- growing arrays ---- */

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) ncap *= 2;
    void *np = realloc(*p, ncap * elem);
    if (!np) return false;
    *p = np;
    *cap = ncap;
    return true;
}

static void add_warning(tfc_logdir *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_warning(tfc_logdir *ld, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char **nw = realloc(ld->warnings, (ld->nwarnings + 1) * sizeof *nw);
    if (!nw) return;
    ld->warnings = nw;
    if ((nw[ld->nwarnings] = strdup(line))) ld->nwarnings++;
}

static void warn_cb(void *ctx, const char *line) { add_warning(ctx, "%s", line); }

/* ---- one run being accumulated ---- */

/* The series types (tfc_scalar_series, tfc_histogram_series, tfc_image_series, tfc_text_series)
 * begin with the same fields, so one piece of code grows, purges, sorts and frees them all. */
typedef struct {
    char *tag;
    size_t n;
    void *points;
} any_series;

/* What differs between the kinds: where the run keeps them, their sizes, how a point is freed. */
typedef struct {
    size_t series_size, point_size;
    size_t series_offset, count_offset; /* of the array and its length in tfc_run */
    void (*clear_point)(void *point);   /* NULL when a point owns no memory */
} series_kind;

static void clear_histogram_point(void *p)
{
    tfc_histogram_point *h = p;
    free(h->limits);
    free(h->counts);
}

static void clear_image_point(void *p) { tfc_image_point_clear(p); }

void tfc_text_point_clear(tfc_text_point *t)
{
    if (!t || !t->cells) return;
    for (size_t i = 0; i < t->rows * t->cols; i++) free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->rows = t->cols = 0;
}

static void clear_text_point(void *p) { tfc_text_point_clear(p); }

enum { KIND_SCALARS, KIND_HISTOGRAMS, KIND_IMAGES, KIND_TEXTS, NKINDS };
static const series_kind kinds[NKINDS] = {
    {sizeof(tfc_scalar_series), sizeof(tfc_scalar_point), offsetof(tfc_run, scalars), offsetof(tfc_run, nscalars),
     NULL},
    {sizeof(tfc_histogram_series), sizeof(tfc_histogram_point), offsetof(tfc_run, histograms),
     offsetof(tfc_run, nhistograms), clear_histogram_point},
    {sizeof(tfc_image_series), sizeof(tfc_image_point), offsetof(tfc_run, images), offsetof(tfc_run, nimages),
     clear_image_point},
    {sizeof(tfc_text_series), sizeof(tfc_text_point), offsetof(tfc_run, texts), offsetof(tfc_run, ntexts),
     clear_text_point},
};

static void **kind_array(tfc_run *r, int k) { return (void **)((char *)r + kinds[k].series_offset); }
static size_t *kind_count(tfc_run *r, int k) { return (size_t *)((char *)r + kinds[k].count_offset); }
static any_series *series_at(tfc_run *r, int k, size_t i)
{
    return (any_series *)((char *)*kind_array(r, k) + i * kinds[k].series_size);
}

static int kind_of(tfc_plugin p)
{
    return p == TFC_PLUGIN_SCALARS ? KIND_SCALARS : p == TFC_PLUGIN_HISTOGRAMS ? KIND_HISTOGRAMS
           : p == TFC_PLUGIN_IMAGES ? KIND_IMAGES : p == TFC_PLUGIN_TEXT ? KIND_TEXTS : -1;
}

typedef struct {
    const char *tag; /* the builder's copy, in its index of tag names */
    tfc_plugin plugin;
    long series; /* index into the run's series of its plugin's kind, -1 before the first point */
    bool warned;
    /* TFC_PLUGIN_OTHER: what becomes the run's tfc_other_tag when the run is finished */
    char *plugin_name;
    size_t nvalues;
    int64_t first_step, last_step;
    unsigned char *blob;
    size_t blob_len;
} tag_info;

typedef struct {
    tfc_logdir *ld;
    tfc_run *run;
    size_t series_cap[NKINDS];
    size_t *points_cap[NKINDS]; /* per series, parallel to the run's arrays */
    tfc_str_index names; /* the run's tags, numbered */
    tag_info *tags;      /* by number */
    size_t ntags, tags_cap;
    double file_version; /* 0 until a file_version event is seen, as TensorBoard's None */
    int64_t most_recent_step;
    bool graph_from_meta;
    bool oom;
} run_builder;

static tag_info *find_tag(run_builder *b, const char *tag, bool create)
{
    long k = create ? tfc_str_index_add(&b->names, tag) : tfc_str_index_find(&b->names, tag);
    if (k < 0) return NULL;
    if ((size_t)k == b->ntags) {
        if (!grow((void **)&b->tags, &b->tags_cap, b->ntags + 1, sizeof *b->tags)) return NULL;
        b->tags[b->ntags++] = (tag_info){.tag = b->names.strs[k], .plugin = TFC_PLUGIN_NONE, .series = -1};
    }
    return &b->tags[k];
}

/* Room for one more point in tag t's series (created on its first point); returns where it goes,
 * or NULL when out of memory. The caller fills it and counts it in. */
static void *next_point(run_builder *b, tag_info *t, int k)
{
    tfc_run *r = b->run;
    size_t *count = kind_count(r, k);
    if (t->series < 0) {
        if (!grow(kind_array(r, k), &b->series_cap[k], *count + 1, kinds[k].series_size)) return NULL;
        size_t *caps = realloc(b->points_cap[k], b->series_cap[k] * sizeof *caps);
        if (!caps) return NULL;
        b->points_cap[k] = caps;
        any_series *s = series_at(r, k, *count);
        *s = (any_series){.tag = strdup(t->tag)};
        if (!s->tag) return NULL;
        caps[*count] = 0;
        t->series = (long)(*count)++;
    }
    any_series *s = series_at(r, k, (size_t)t->series);
    if (!grow(&s->points, &b->points_cap[k][t->series], s->n + 1, kinds[k].point_size)) return NULL;
    return (char *)s->points + s->n * kinds[k].point_size;
}

/* Drops the points of series s (of kind k) whose step is >= step. Every point type starts with
 * its int64 step. */
static void purge_series(any_series *s, int k, int64_t step)
{
    size_t keep = 0, size = kinds[k].point_size;
    for (size_t i = 0; i < s->n; i++) {
        char *p = (char *)s->points + i * size;
        if (*(const int64_t *)p < step) {
            memmove((char *)s->points + keep++ * size, p, size);
        } else if (kinds[k].clear_point) {
            kinds[k].clear_point(p);
        }
    }
    s->n = keep;
}

/* Drops the points of tag t (or of every tag when t is NULL) whose step is >= step. */
static void purge(run_builder *b, const tag_info *t, int64_t step)
{
    tfc_run *r = b->run;
    if (t) {
        int k = kind_of(t->plugin);
        if (t->series >= 0 && k >= 0) purge_series(series_at(r, k, (size_t)t->series), k, step);
        return;
    }
    for (int k = 0; k < NKINDS; k++)
        for (size_t i = 0; i < *kind_count(r, k); i++) purge_series(series_at(r, k, i), k, step);
}

/* TensorBoard's orphaned-data rule: with file_version >= 2 a SessionLog.START purges every tag's
 * points at or after its step; without it, a summary whose step goes backwards purges its own
 * tags' later points. */
static void maybe_purge(run_builder *b, const Tensorflow__Event *ev)
{
    if (b->file_version >= 2) {
        if (ev->what_case == TENSORFLOW__EVENT__WHAT_SESSION_LOG &&
            ev->session_log->status == TENSORFLOW__SESSION_LOG__SESSION_STATUS__START)
            purge(b, NULL, ev->step);
        return;
    }
    if (ev->step < b->most_recent_step && ev->what_case == TENSORFLOW__EVENT__WHAT_SUMMARY) {
        for (size_t i = 0; i < ev->summary->n_value; i++) {
            const tag_info *t = find_tag(b, ev->summary->value[i]->tag, false);
            if (t) purge(b, t, ev->step);
        }
    } else {
        b->most_recent_step = ev->step;
    }
}

static void set_graph(run_builder *b, const unsigned char *data, size_t len, bool from_meta)
{
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) {
        b->oom = true;
        return;
    }
    if (len) memcpy(copy, data, len);
    free(b->run->graph_def);
    b->run->graph_def = copy;
    b->run->graph_def_len = len;
    b->graph_from_meta = from_meta;
}

static void take_meta_graph(run_builder *b, const char *file, size_t at, const ProtobufCBinaryData *bytes)
{
    if (b->run->graph_def && !b->graph_from_meta) return;
    Tensorflow__MetaGraphDef *mg = tensorflow__meta_graph_def__unpack(NULL, bytes->len, bytes->data);
    if (!mg) {
        add_warning(b->ld, "%s: offset %zu: meta_graph_def is not a valid MetaGraphDef; ignored", file, at);
        return;
    }
    if (mg->graph_def) {
        size_t len = tensorflow__graph_def__get_packed_size(mg->graph_def);
        unsigned char *buf = malloc(len ? len : 1);
        if (buf) {
            tensorflow__graph_def__pack(mg->graph_def, buf);
            set_graph(b, buf, len, true);
            free(buf);
        } else {
            b->oom = true;
        }
    }
    tensorflow__meta_graph_def__free_unpacked(mg, NULL);
}

static void warn_value(run_builder *b, tag_info *t, const char *file, size_t at, const char *kind, const char *why)
{
    if (t->warned) return;
    t->warned = true;
    add_warning(b->ld, "%s: offset %zu: tag '%s' is %s tag but this value is not one (%s); skipped", file, at,
                t->tag, kind, why);
}

/* Graph plugins whose values carry a graph (a serialized RunMetadata) or a Keras model config. */
static bool graph_blob_plugin(const char *plugin)
{
    return !strcmp(plugin, "graph_run_metadata") || !strcmp(plugin, "graph_run_metadata_graph") ||
           !strcmp(plugin, "graph_keras_model");
}

/* A value of a tag no series holds: counted, and its blob kept when a graph plugin's. */
static void take_other(run_builder *b, tag_info *t, int64_t step, const ProtobufCBinaryData *blob)
{
    if (!t->nvalues || step < t->first_step) t->first_step = step;
    if (!t->nvalues || step > t->last_step) t->last_step = step;
    t->nvalues++;
    if (!blob || !graph_blob_plugin(t->plugin_name)) return;
    unsigned char *copy = malloc(blob->len ? blob->len : 1);
    if (!copy) {
        b->oom = true;
        return;
    }
    if (blob->len) memcpy(copy, blob->data, blob->len);
    free(t->blob);
    t->blob = copy;
    t->blob_len = blob->len;
}

/* Routes tag t by the plugin named; false when out of memory. */
static bool route(tag_info *t, tfc_plugin plugin, const char *name)
{
    t->plugin = plugin;
    return plugin != TFC_PLUGIN_OTHER || (t->plugin_name = strdup(name));
}

static void take_value(run_builder *b, const Tensorflow__Event *ev, const Tensorflow__Summary__Value *v,
                       const char *file, size_t at)
{
    tag_info *t = find_tag(b, v->tag, true);
    if (!t) {
        b->oom = true;
        return;
    }
    if (t->plugin == TFC_PLUGIN_NONE) {
        const char *name;
        tfc_plugin plugin = tfc_summary_value_plugin(v, &name);
        if (!route(t, plugin, name)) {
            b->oom = true;
            return;
        }
    }
    const char *why = "";
    if (t->plugin == TFC_PLUGIN_OTHER) {
        const ProtobufCBinaryData *blob = NULL;
        take_other(b, t, ev->step, tfc_summary_value_blob(v, &blob, &why) ? blob : NULL);
        return;
    }
    int k = kind_of(t->plugin);
    if (k < 0) return;
    union {
        tfc_scalar_point scalar;
        tfc_histogram_point histogram;
        tfc_image_point image;
        tfc_text_point text;
    } point;
    bool ok;
    if (k == KIND_SCALARS) {
        point.scalar = (tfc_scalar_point){.step = ev->step, .wall_time = ev->wall_time};
        ok = tfc_summary_value_scalar(v, &point.scalar.value, &why);
    } else if (k == KIND_HISTOGRAMS) {
        point.histogram = (tfc_histogram_point){.step = ev->step, .wall_time = ev->wall_time};
        ok = tfc_summary_value_histogram(v, &point.histogram, &why);
    } else if (k == KIND_IMAGES) {
        point.image = (tfc_image_point){.step = ev->step, .wall_time = ev->wall_time};
        ok = tfc_summary_value_images(v, &point.image, &why);
    } else {
        point.text = (tfc_text_point){.step = ev->step, .wall_time = ev->wall_time};
        ok = tfc_summary_value_text(v, &point.text, &why);
    }
    static const char *const names[NKINDS] = {"a scalar", "a histogram", "an image", "a text"};
    if (!ok) return warn_value(b, t, file, at, names[k], why);
    void *slot = next_point(b, t, k);
    if (!slot) {
        if (kinds[k].clear_point) kinds[k].clear_point(&point);
        b->oom = true;
        return;
    }
    memcpy(slot, &point, kinds[k].point_size);
    series_at(b->run, k, (size_t)t->series)->n++;
}

/* Event.tagged_run_metadata (TF1's add_run_metadata): TensorBoard files it under the graph
 * plugin as profile data for the tag. */
static void take_run_metadata(run_builder *b, const Tensorflow__Event *ev)
{
    tag_info *t = find_tag(b, ev->tagged_run_metadata->tag, true);
    if (!t || (t->plugin == TFC_PLUGIN_NONE && !route(t, TFC_PLUGIN_OTHER, "graph_tagged_run_metadata"))) {
        b->oom = true;
        return;
    }
    if (t->plugin == TFC_PLUGIN_OTHER) take_other(b, t, ev->step, NULL);
}

static void take_event(run_builder *b, const Tensorflow__Event *ev, const char *file, size_t at)
{
    b->run->nevents++;
    if (ev->what_case == TENSORFLOW__EVENT__WHAT_FILE_VERSION) {
        const char *p = strstr(ev->file_version, "brain.Event:");
        b->file_version = p ? strtod(p + strlen("brain.Event:"), NULL) : -1;
    }
    maybe_purge(b, ev);
    switch (ev->what_case) {
    case TENSORFLOW__EVENT__WHAT_GRAPH_DEF: set_graph(b, ev->graph_def.data, ev->graph_def.len, false); break;
    case TENSORFLOW__EVENT__WHAT_META_GRAPH_DEF: take_meta_graph(b, file, at, &ev->meta_graph_def); break;
    case TENSORFLOW__EVENT__WHAT_TAGGED_RUN_METADATA: take_run_metadata(b, ev); break;
    case TENSORFLOW__EVENT__WHAT_SUMMARY:
        for (size_t i = 0; i < ev->summary->n_value; i++) take_value(b, ev, ev->summary->value[i], file, at);
        break;
    default: break;
    }
}

static void read_events(run_builder *b, tfc_event_reader *r, const char *name)
{
    Tensorflow__Event *ev;
    size_t at = 0;
    while (!b->oom && (ev = tfc_event_reader_next(r, &at))) {
        take_event(b, ev, name, at);
        tensorflow__event__free_unpacked(ev, NULL);
    }
    /* TensorBoard keeps what precedes a cut record silently; a user should hear of it, but not as
     * damage: the writer may still be appending. */
    if (tfc_event_reader_truncated(r))
        add_warning(b->ld, "%s: the file ends inside this record (cut short, or still being written); the "
                           "events before it are read",
                    tfc_event_reader_truncation(r));
}

static void read_file(run_builder *b, const char *path)
{
    tfc_status *st = tfc_status_new();
    if (!st) {
        b->oom = true;
        return;
    }
    tfc_event_reader *r = tfc_event_reader_open(path, warn_cb, b->ld, st);
    if (r) read_events(b, r, path);
    else add_warning(b->ld, "%s", tfc_message(st));
    tfc_event_reader_free(r);
    tfc_status_free(st);
}

/* Orders series of any kind by tag (their first field). */
static int cmp_series(const void *a, const void *b)
{
    return strcmp(((const any_series *)a)->tag, ((const any_series *)b)->tag);
}

static void run_free(tfc_run *r)
{
    for (int k = 0; k < NKINDS; k++) {
        for (size_t i = 0; i < *kind_count(r, k); i++) {
            any_series *s = series_at(r, k, i);
            for (size_t j = 0; j < s->n && kinds[k].clear_point; j++)
                kinds[k].clear_point((char *)s->points + j * kinds[k].point_size);
            free(s->tag);
            free(s->points);
        }
        free(*kind_array(r, k));
    }
    for (size_t i = 0; i < r->nothers; i++) {
        free(r->others[i].tag);
        free(r->others[i].plugin);
        free(r->others[i].blob);
    }
    free(r->others);
    free(r->graph_def);
    free(r->name);
    free(r->dir);
}

static int cmp_other_tag(const void *a, const void *b)
{
    return strcmp(((const tfc_other_tag *)a)->tag, ((const tfc_other_tag *)b)->tag);
}

/* Turns the tags of other plugins into the run's tfc_other_tag list, frees the builder's
 * tables and sorts every list by tag. */
static void finish_run(run_builder *b)
{
    tfc_run *run = b->run;
    size_t nothers = 0;
    for (size_t i = 0; i < b->ntags; i++) nothers += b->tags[i].nvalues > 0;
    if (nothers && !(run->others = calloc(nothers, sizeof *run->others))) b->oom = true;
    for (size_t i = 0; i < b->ntags; i++) {
        tag_info *t = &b->tags[i];
        char *tag = t->nvalues && run->others ? strdup(t->tag) : NULL;
        if (tag) {
            run->others[run->nothers++] = (tfc_other_tag){tag, t->plugin_name, t->nvalues, t->first_step,
                                                          t->last_step, t->blob, t->blob_len};
            continue;
        }
        if (t->nvalues && run->others) b->oom = true;
        free(t->plugin_name);
        free(t->blob);
    }
    free(b->tags);
    tfc_str_index_free(&b->names);
    if (run->nothers) qsort(run->others, run->nothers, sizeof *run->others, cmp_other_tag);
    for (int k = 0; k < NKINDS; k++) {
        free(b->points_cap[k]);
        if (*kind_count(run, k)) qsort(*kind_array(run, k), *kind_count(run, k), kinds[k].series_size, cmp_series);
    }
}

/* Reads the event files (sorted names) of one run into run, which has name and dir set. */
static bool load_run(tfc_logdir *ld, tfc_run *run, char **files, size_t nfiles)
{
    run_builder b = {.ld = ld, .run = run};
    for (size_t i = 0; i < nfiles && !b.oom; i++) read_file(&b, files[i]);
    finish_run(&b);
    return !b.oom;
}

tfc_logdir *tfc_logdir_from_memory(const char *name, const void *data, size_t len, tfc_status *st)
{
    if (!name) name = "<memory>";
    if (!data && len) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no bytes (NULL) to read", name), NULL;
    tfc_logdir *ld = calloc(1, sizeof *ld);
    tfc_run *run = calloc(1, sizeof *run);
    tfc_event_reader *r = NULL;
    if (ld && run && (run->name = strdup(".")) && (run->dir = strdup(".")) &&
        (r = tfc_event_reader_from_memory(name, data, len, warn_cb, ld))) {
        ld->runs = run;
        ld->nruns = 1;
        run_builder b = {.ld = ld, .run = run};
        read_events(&b, r, name);
        finish_run(&b);
        tfc_event_reader_free(r);
        if (!b.oom) return ld;
        run = NULL;
    }
    if (run) {
        free(run->name);
        free(run->dir);
        free(run);
    }
    tfc_logdir_free(ld);
    return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", name), NULL;
}

/* ---- finding the runs ---- */

typedef struct {
    char *name; /* relative to the logdir */
    char *dir;
    char **files; /* full paths, sorted */
    size_t nfiles;
} found_run;

typedef struct {
    tfc_logdir *ld;
    found_run *runs;
    size_t nruns, cap;
    bool oom;
} walk_state;

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s) return NULL;
    memcpy(s, a, la);
    size_t k = la;
    if (la && a[la - 1] != '/') s[k++] = '/';
    memcpy(s + k, b, lb + 1);
    return s;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void walk(walk_state *w, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d) {
        add_warning(w->ld, "%s: cannot read the folder: %s", dir, strerror(errno));
        return;
    }
    char **files = NULL, **subdirs = NULL;
    size_t nfiles = 0, files_cap = 0, nsub = 0, sub_cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) && !w->oom) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *path = join(dir, e->d_name);
        struct stat lst, st;
        if (!path) {
            w->oom = true;
            break;
        }
        if (lstat(path, &lst) != 0) {
            free(path);
            continue;
        }
        if (S_ISDIR(lst.st_mode)) {
            /* Symbolic links to folders are not followed, as os.walk does, so loops cannot happen. */
            if (grow((void **)&subdirs, &sub_cap, nsub + 1, sizeof *subdirs) && (subdirs[nsub] = strdup(e->d_name)))
                nsub++;
            else
                w->oom = true;
        } else if (tfc_event_file_name(e->d_name) && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (grow((void **)&files, &files_cap, nfiles + 1, sizeof *files)) {
                files[nfiles++] = path;
                path = NULL;
            } else {
                w->oom = true;
            }
        }
        free(path);
    }
    closedir(d);
    if (nfiles && !w->oom) {
        qsort(files, nfiles, sizeof *files, cmp_str);
        if (grow((void **)&w->runs, &w->cap, w->nruns + 1, sizeof *w->runs)) {
            found_run *fr = &w->runs[w->nruns++];
            *fr = (found_run){.name = strdup(*rel ? rel : "."), .dir = strdup(dir), .files = files, .nfiles = nfiles};
            files = NULL;
            nfiles = 0;
            if (!fr->name || !fr->dir) w->oom = true;
        } else {
            w->oom = true;
        }
    }
    free_strings(files, nfiles);
    if (nsub) qsort(subdirs, nsub, sizeof *subdirs, cmp_str);
    for (size_t i = 0; i < nsub && !w->oom; i++) {
        char *sub = join(dir, subdirs[i]);
        char *subrel = *rel ? join(rel, subdirs[i]) : strdup(subdirs[i]);
        if (sub && subrel) walk(w, sub, subrel);
        else w->oom = true;
        free(sub);
        free(subrel);
    }
    free_strings(subdirs, nsub);
}

/* ---- reading the runs, several at once ---- */

/* Runs share nothing, so they are read on up to one thread per core; each keeps its warnings
 * apart, and they are joined in run order afterwards: the result does not depend on timing. */
typedef struct {
    tfc_logdir *ld;
    const found_run *found;
    tfc_logdir *sinks; /* per run: its warnings */
    bool *oom;
    atomic_size_t next;
} load_job;

static void *load_worker(void *arg)
{
    load_job *j = arg;
    for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->ld->nruns;)
        j->oom[i] = !load_run(&j->sinks[i], &j->ld->runs[i], j->found[i].files, j->found[i].nfiles);
    return NULL;
}

static bool load_runs(tfc_logdir *ld, const found_run *found)
{
    load_job j = {.ld = ld, .found = found};
    j.sinks = calloc(ld->nruns, sizeof *j.sinks);
    j.oom = calloc(ld->nruns, sizeof *j.oom);
    atomic_init(&j.next, 0);
    if (!j.sinks || !j.oom) {
        free(j.sinks);
        free(j.oom);
        return false;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nthreads = cores > 1 ? (size_t)cores : 1;
    if (nthreads > ld->nruns) nthreads = ld->nruns;
    if (nthreads > 16) nthreads = 16;
    pthread_t threads[16];
    size_t started = 0;
    while (started + 1 < nthreads && pthread_create(&threads[started], NULL, load_worker, &j) == 0) started++;
    load_worker(&j);
    for (size_t i = 0; i < started; i++) pthread_join(threads[i], NULL);
    bool ok = true;
    for (size_t i = 0; i < ld->nruns; i++) {
        ok = ok && !j.oom[i];
        for (size_t k = 0; k < j.sinks[i].nwarnings; k++) add_warning(ld, "%s", j.sinks[i].warnings[k]);
        free_strings(j.sinks[i].warnings, j.sinks[i].nwarnings);
    }
    free(j.sinks);
    free(j.oom);
    return ok;
}

static int cmp_run(const void *a, const void *b)
{
    return strcmp(((const tfc_run *)a)->name, ((const tfc_run *)b)->name);
}

/* Whether a file given by name rather than found in a walk can be read as an event file: a
 * regular file, and one named as event files are, empty, or starting with a record's length and
 * its checksum (any TFRecord file; its damage further on is warned of, as in a walk). NULL when it
 * can, else what it is instead. */
static const char *not_event_file(const char *path, const struct stat *sb)
{
    if (!S_ISREG(sb->st_mode)) return "not a regular file: name a logdir folder or an event file";
    if (tfc_event_file_name(path) || sb->st_size == 0) return NULL;
    uint8_t head[12];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
    if (n == sizeof head && tfc_record_header_ok(head)) return NULL;
    return "not an event file (it does not start with a TFRecord, and event files' names hold \"tfevents\")";
}

tfc_logdir *tfc_logdir_load(const char *path, tfc_status *st)
{
    if (!path) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no logdir or event file named (NULL)"), NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return tfc_fail(st, errno == ENOENT ? TFC_NOT_FOUND : TFC_IO, "%s: %s", path, strerror(errno)), NULL;
    const char *not_events = S_ISDIR(sb.st_mode) ? NULL : not_event_file(path, &sb);
    if (not_events) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: %s", path, not_events), NULL;
    tfc_logdir *ld = calloc(1, sizeof *ld);
    if (!ld) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path), NULL;
    walk_state w = {.ld = ld};
    if (S_ISDIR(sb.st_mode)) {
        walk(&w, path, "");
    } else {
        /* A single file: one run, named after the folder it is in. */
        char *dir = strdup(path), *file = strdup(path);
        char **files = malloc(sizeof *files);
        if (dir && file && files && grow((void **)&w.runs, &w.cap, 1, sizeof *w.runs)) {
            char *slash = strrchr(dir, '/');
            if (!slash) strcpy(dir, ".");
            else if (slash == dir) dir[1] = '\0';
            else *slash = '\0';
            const char *base = strrchr(dir, '/');
            files[0] = file;
            w.runs[0] = (found_run){.name = strdup(base && base[1] ? base + 1 : dir), .dir = dir, .files = files,
                                    .nfiles = 1};
            w.nruns = 1;
            w.oom = !w.runs[0].name;
        } else {
            free(dir);
            free(file);
            free(files);
            w.oom = true;
        }
    }
    if (!w.oom && w.nruns == 0)
        tfc_fail(st, TFC_NOT_FOUND, "%s: no event files (names containing \"tfevents\") found", path);
    if (w.oom) tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    if (tfc_ok(st) && !(ld->runs = calloc(w.nruns, sizeof *ld->runs)))
        tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    if (tfc_ok(st)) {
        for (size_t i = 0; i < w.nruns; i++) {
            ld->runs[i].name = w.runs[i].name;
            ld->runs[i].dir = w.runs[i].dir;
            w.runs[i].name = w.runs[i].dir = NULL;
        }
        ld->nruns = w.nruns;
        if (!load_runs(ld, w.runs)) tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    }
    for (size_t i = 0; i < w.nruns; i++) {
        free(w.runs[i].name);
        free(w.runs[i].dir);
        free_strings(w.runs[i].files, w.runs[i].nfiles);
    }
    free(w.runs);
    if (!tfc_ok(st)) {
        tfc_logdir_free(ld);
        return NULL;
    }
    qsort(ld->runs, ld->nruns, sizeof *ld->runs, cmp_run);
    return ld;
}

void tfc_logdir_free(tfc_logdir *ld)
{
    if (!ld) return;
    for (size_t i = 0; i < ld->nruns; i++) run_free(&ld->runs[i]);
    free(ld->runs);
    free_strings(ld->warnings, ld->nwarnings);
    free(ld);
}

/* The series of kind k tagged tag, or NULL. */
static const void *find_series(const tfc_run *run, int k, const char *tag)
{
    if (!run || !tag) return NULL;
    any_series key = {.tag = (char *)tag};
    size_t n = *kind_count((tfc_run *)run, k);
    return n ? bsearch(&key, *kind_array((tfc_run *)run, k), n, kinds[k].series_size, cmp_series) : NULL;
}

const tfc_scalar_series *tfc_run_scalar(const tfc_run *run, const char *tag)
{
    return find_series(run, KIND_SCALARS, tag);
}

const tfc_histogram_series *tfc_run_histogram(const tfc_run *run, const char *tag)
{
    return find_series(run, KIND_HISTOGRAMS, tag);
}

const tfc_image_series *tfc_run_images(const tfc_run *run, const char *tag)
{
    return find_series(run, KIND_IMAGES, tag);
}

const tfc_text_series *tfc_run_text(const tfc_run *run, const char *tag)
{
    return find_series(run, KIND_TEXTS, tag);
}

const tfc_other_tag *tfc_run_other(const tfc_run *run, const char *tag)
{
    tfc_other_tag key = {.tag = (char *)tag};
    return run && tag && run->nothers ? bsearch(&key, run->others, run->nothers, sizeof key, cmp_other_tag) : NULL;
}
