/* Inside tfc-report: what the sections of the page share while it is written. */
#ifndef TFC_REPORT_INTERNAL_H
#define TFC_REPORT_INTERNAL_H

#include <stdio.h>

#include "report.h"

typedef struct {
    FILE *f;
    const tfc_plot_source *src;
    const tfc_report_options *o;
    tfc_plot_warn_fn warn;
    void *ctx;
} tfc_report_ctx;

/* One warning line through the caller's callback. */
void tfc_report_warn(tfc_report_ctx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- report_write.c: text in the page ---- */
/* s as HTML text or attribute value (& < > " escaped), valid UTF-8: a byte that is not UTF-8 is
 * written \\xNN, as a terminal shows it. */
void tfc_report_html(FILE *f, const char *s);
/* s as a JSON string literal, quotes included, valid UTF-8: '<' is written \u003c so that no
 * "</script>" can end the data block early, and a byte that is not UTF-8 as PEP 383's lone
 * surrogate \udcXX (as tfc_json_string writes it). */
void tfc_report_json_string(FILE *f, const char *s);
/* v as a JSON number with at most `digits` significant digits: NaN as null, infinities as
 * +-1e999 (which JSON.parse reads as Infinity). */
void tfc_report_json_number(FILE *f, double v, int digits);
/* data as base64 (for data: URIs). */
void tfc_report_base64(FILE *f, const void *data, size_t len);
/* The indices of n points kept when at most max may be (0: all): evenly spread, the first and the
 * last among them; i-th kept index. */
size_t tfc_report_kept(size_t n, size_t max);
size_t tfc_report_kept_index(size_t n, size_t max, size_t i);

/* ---- the sections ---- */
/* report_series.c: "scalars": [...] and "histograms": [...] members of the page's data. */
bool tfc_report_scalars_json(tfc_report_ctx *r, tfc_status *st);
bool tfc_report_histograms_json(tfc_report_ctx *r, tfc_status *st);
/* report_images.c: the image grids as HTML (a paragraph saying so when there are none); returns
 * how many grids were written through *ngrids. */
bool tfc_report_images_html(tfc_report_ctx *r, size_t *ngrids, tfc_status *st);
/* report_texts.c: the text summaries as HTML, one table per run and tag; how many through
 * *nshown. */
void tfc_report_texts_html(tfc_report_ctx *r, size_t *nshown);
/* report_graph.c: the graphs as HTML, each a set of pre-drawn views of its name scopes. */
bool tfc_report_graph_html(tfc_report_ctx *r, size_t *ngraphs, tfc_status *st);

/* report_assets.c (generated at build time from report.js and report.css) */
extern const char tfc_report_js[];
extern const char tfc_report_css[];

#endif
