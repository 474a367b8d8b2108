/* Choosing what to plot: a tag by its name, or every tag a regular expression matches. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* Every distinct tag of KIND over the runs, sorted. */
typedef struct {
    size_t n, cap;
    char **tags;
} tag_set;

static bool set_has(const tag_set *s, const char *tag)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->tags[i], tag) == 0) return true;
    return false;
}

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
    return (s->tags[s->n] = strdup(tag)) != NULL && ++s->n;
}

static void set_free(tag_set *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->tags[i]);
    free(s->tags);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool all_tags(const tfc_plot_source *src, tfc_plot_kind kind, tag_set *s)
{
    for (size_t r = 0; r < src->nruns; r++) {
        const tfc_run *run = src->runs[r].run;
        size_t n = kind == TFC_PLOT_SCALARS ? run->nscalars : kind == TFC_PLOT_HISTOGRAMS ? run->nhistograms : run->nimages;
        for (size_t i = 0; i < n; i++) {
            const char *tag = kind == TFC_PLOT_SCALARS      ? run->scalars[i].tag
                              : kind == TFC_PLOT_HISTOGRAMS ? run->histograms[i].tag
                                                            : run->images[i].tag;
            if (!set_add(s, tag)) return false;
        }
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

bool tfc_plot_select(const tfc_plot_source *src, tfc_plot_kind kind, const char *pattern,
                     char ***tags, size_t *ntags, tfc_status *st)
{
    const char *what = kind == TFC_PLOT_SCALARS ? "scalar" : kind == TFC_PLOT_HISTOGRAMS ? "histogram" : "image";
    tag_set known = {0}, out = {.n = *ntags, .cap = *ntags, .tags = *tags};
    bool ok = true;
    if (!all_tags(src, kind, &known)) {
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
            if (ok && out.n == before) {
                char list[1024];
                known_list(&known, list, sizeof list);
                ok = tfc_fail(st, TFC_NOT_FOUND, "no %s tag '%s' (known: %s)", what, pattern, list);
            }
        }
    }
    set_free(&known);
    *tags = out.tags;
    *ntags = out.n;
    return ok;
}
