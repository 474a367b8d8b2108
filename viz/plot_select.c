/* Choosing what to plot: a tag by its name, or every tag a regular expression matches. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "str_index.h"

/* Distinct tags: a list in the order added (or sorted), and a hash index to find them, so that
 * picking among 100,000 tags takes no quadratic time. */
typedef struct {
    size_t n, cap;
    char **tags;        /* owned copies */
    tfc_str_index seen; /* the same tags, numbered */
} tag_set;

static bool set_has(const tag_set *s, const char *tag) { return tfc_str_index_find(&s->seen, tag) >= 0; }

/* Adds a copy of TAG unless present; false when out of memory. */
static bool set_add(tag_set *s, const char *tag)
{
    if (set_has(s, tag)) return true;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        char **tags = realloc(s->tags, cap * sizeof *tags);
        if (!tags) return false;
        s->tags = tags;
        s->cap = cap;
    }
    char *copy = strdup(tag);
    if (!copy || tfc_str_index_add(&s->seen, tag) < 0) {
        free(copy);
        return false;
    }
    s->tags[s->n++] = copy;
    return true;
}

static void set_free(tag_set *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->tags[i]);
    free(s->tags);
    tfc_str_index_free(&s->seen);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The I-th tag of KIND in RUN, and how many RUN has. */
static size_t count_of(const tfc_run *run, tfc_plot_kind kind)
{
    switch (kind) {
    case TFC_PLOT_SCALARS: return run->nscalars;
    case TFC_PLOT_HISTOGRAMS: return run->nhistograms;
    case TFC_PLOT_IMAGES: return run->nimages;
    case TFC_PLOT_TEXTS: return run->ntexts;
    }
    return 0;
}

static const char *tag_of(const tfc_run *run, tfc_plot_kind kind, size_t i)
{
    switch (kind) {
    case TFC_PLOT_SCALARS: return run->scalars[i].tag;
    case TFC_PLOT_HISTOGRAMS: return run->histograms[i].tag;
    case TFC_PLOT_IMAGES: return run->images[i].tag;
    case TFC_PLOT_TEXTS: return run->texts[i].tag;
    }
    return "";
}

static bool all_tags(const tfc_plot_source *src, tfc_plot_kind kind, tag_set *s)
{
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_run *run = src->runs[r].run;
        for (size_t i = 0; i < count_of(run, kind); i++)
            if (!set_add(s, tag_of(run, kind, i))) return false;
    }
    if (s->n > 1) qsort(s->tags, s->n, sizeof *s->tags, cmp_str);
    return true;
}

/* "a, b, c" (the first few) into BUF, or "none". */
static void known_list(const tag_set *s, char *buf, size_t size)
{
    enum { SHOWN = 20 };
    buf[0] = '\0';
    if (s->n == 0) {
        snprintf(buf, size, "none");
        return;
    }
    for (size_t i = 0; i < s->n && i < SHOWN; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, s->tags[i], size - strlen(buf) - 1);
    }
    if (s->n > SHOWN) {
        char more[48];
        snprintf(more, sizeof more, ", ... (%zu in all)", s->n);
        strncat(buf, more, size - strlen(buf) - 1);
    }
}

static const char *kind_name(tfc_plot_kind kind)
{
    static const char *const names[] = {"scalar", "histogram", "image", "text"};
    return names[kind];
}

/* When TAG is a tag of another kind in some run: "'TAG' is a histogram tag, not a scalar tag
 * (use --histogram)", "'TAG' is a tag of TensorBoard's audio plugin, which tfc-plot does not
 * draw". */
static bool fail_other_kind(const tfc_plot_source *src, tfc_plot_kind kind, const char *tag, tfc_status *st)
{
    static const char *const flags[] = {"--scalar", "--histogram", "--image", "--text"};
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_run *run = src->runs[r].run;
        for (int k = TFC_PLOT_SCALARS; k <= TFC_PLOT_TEXTS; k++) {
            if (k == (int)kind) continue;
            for (size_t i = 0; i < count_of(run, (tfc_plot_kind)k); i++)
                if (!strcmp(tag_of(run, (tfc_plot_kind)k, i), tag))
                    return tfc_fail(st, TFC_NOT_FOUND, "'%s' is %s %s tag, not a %s tag (use %s)", tag,
                                    k == TFC_PLOT_IMAGES ? "an" : "a", kind_name((tfc_plot_kind)k),
                                    kind_name(kind), flags[k]);
        }
        const tfc_other_tag *o = tfc_run_other(run, tag);
        if (o)
            return tfc_fail(st, TFC_NOT_FOUND,
                            "'%s' is a tag of TensorBoard's %s plugin, which tfc-plot does not draw "
                            "(tfc-plot --list shows every tag with its kind)",
                            tag, o->plugin);
    }
    return false;
}

bool tfc_plot_select(const tfc_plot_source *src, tfc_plot_kind kind, const char *pattern,
                     char ***tags, size_t *ntags, tfc_status *st)
{
    const char *what = kind_name(kind);
    tag_set known = {0}, out = {.n = *ntags, .cap = *ntags, .tags = *tags};
    bool ok = true;
    for (size_t i = 0; ok && i < out.n; i++) ok = tfc_str_index_add(&out.seen, out.tags[i]) >= 0;
    if (!ok || !all_tags(src, kind, &known)) {
        ok = tfc_fail(st, TFC_INTERNAL, "out of memory");
    } else if (set_has(&known, pattern)) {
        ok = set_add(&out, pattern) || tfc_fail(st, TFC_INTERNAL, "out of memory");
    } else {
        regex_t re;
        int err = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
        if (err) {
            char msg[128];
            regerror(err, &re, msg, sizeof msg);
            ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "bad %s tag pattern '%s': %s", what, pattern, msg);
        } else {
            size_t before = out.n;
            for (size_t i = 0; i < known.n && ok; i++)
                if (regexec(&re, known.tags[i], 0, NULL, 0) == 0 && !set_add(&out, known.tags[i]))
                    ok = tfc_fail(st, TFC_INTERNAL, "out of memory");
            regfree(&re);
            if (ok && out.n == before && !fail_other_kind(src, kind, pattern, st)) {
                char list[1024];
                known_list(&known, list, sizeof list);
                ok = tfc_fail(st, TFC_NOT_FOUND, "no %s tag '%s' (known: %s)", what, pattern, list);
            } else if (ok && out.n == before) {
                ok = false;
            }
        }
    }
    set_free(&known);
    tfc_str_index_free(&out.seen);
    *tags = out.tags;
    *ntags = out.n;
    return ok;
}
