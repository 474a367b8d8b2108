/* tfc-plot's library: training curves and histogram distributions from logdirs, drawn with
 * Cairo to PNG, SVG or PDF, or written as CSV. The flow: gather runs (tfc_plot_source), pick tags
 * (tfc_plot_select), add one panel per tag to a figure, render it. */
#ifndef TFC_PLOT_H
#define TFC_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "logdir.h"
#include "status.h"

/* ---- Runs from one or more logdirs ---- */

typedef struct {
    char *name;          /* shown in legends: the run's folder, "DIR/run" with several logdirs */
    const tfc_run *run;  /* borrowed from a loaded logdir or from the caller */
} tfc_plot_run;

typedef struct {
    size_t nruns;
    tfc_plot_run *runs;
    size_t ndirs;
    tfc_logdir **dirs; /* owned; their warnings are the reader's problems met while loading */
} tfc_plot_source;

tfc_plot_source *tfc_plot_source_new(void);
void tfc_plot_source_free(tfc_plot_source *src);
/* Loads the N logdirs (or event files). With one, runs are named by their folder in it (the
 * logdir's own name for event files directly inside); with several, "DIR/run". Fails when a path
 * is missing or holds no event file. */
bool tfc_plot_source_load(tfc_plot_source *src, const char *const *paths, size_t n,
                          tfc_status *st);
/* Adds a run the caller keeps alive (tests, benchmarks, programs with their own data). */
void tfc_plot_source_add_run(tfc_plot_source *src, const char *name, const tfc_run *run);

/* ---- Picking tags ---- */

typedef enum { TFC_PLOT_SCALARS, TFC_PLOT_HISTOGRAMS, TFC_PLOT_IMAGES, TFC_PLOT_TEXTS } tfc_plot_kind;

/* The tags of KIND that PATTERN names: the tag itself when a run has it, else every tag the POSIX
 * extended regular expression finds a match in. Appends them (sorted, without repeats) to
 * *TAGS / *NTAGS (a malloc'ed array of malloc'ed strings). An unknown tag fails with a message
 * listing the known ones, or saying which kind of tag it is when it is one of another kind. */
bool tfc_plot_select(const tfc_plot_source *src, tfc_plot_kind kind, const char *pattern,
                     char ***tags, size_t *ntags, tfc_status *st);

/* ---- Figures ---- */

typedef enum { TFC_PLOT_X_STEP, TFC_PLOT_X_RELATIVE, TFC_PLOT_X_WALL } tfc_plot_xaxis;
typedef enum { TFC_PLOT_HIST_DISTRIBUTION, TFC_PLOT_HIST_OFFSET } tfc_plot_hist_mode;

typedef struct {
    int width, height; /* pixels of the PNG; 0: 6.4 x 4.4 inches per panel at DPI */
    double dpi;        /* pixels per inch; text sizes are in points, so this scales them */
    const char *title; /* above all panels; NULL for none */
    tfc_plot_xaxis x;
    double smoothing;  /* TensorBoard's EMA weight in [0, 1); 0 draws the raw curve alone */
    bool log_y;
    bool ignore_outliers; /* y range from the 5th..95th percentiles, like TensorBoard */
    double xlim[2], ylim[2]; /* NAN: from the data; x in steps, seconds, or epoch seconds */
    tfc_plot_hist_mode hist_mode;
} tfc_plot_options;

void tfc_plot_options_default(tfc_plot_options *opt);

typedef struct tfc_plot_figure tfc_plot_figure;

tfc_plot_figure *tfc_plot_figure_new(const tfc_plot_options *opt);
void tfc_plot_figure_free(tfc_plot_figure *fig);
/* One panel for TAG with a curve for every run that has it (colour by the run's index). */
bool tfc_plot_figure_add_scalars(tfc_plot_figure *fig, const tfc_plot_source *src,
                                 const char *tag, tfc_status *st);
/* One panel per run holding histogram TAG, drawn as the options' hist_mode says. */
bool tfc_plot_figure_add_histograms(tfc_plot_figure *fig, const tfc_plot_source *src,
                                    const char *tag, tfc_status *st);
size_t tfc_plot_figure_npanels(const tfc_plot_figure *fig);
/* Draws the figure to PATH; the extension picks the format: .png, .svg or .pdf. */
bool tfc_plot_figure_render(tfc_plot_figure *fig, const char *path, tfc_status *st);
/* Writes the data behind the panels as CSV to PATH ("-": stdout): run,tag,step,wall_time,value,
 * smoothed for scalars, then (after a blank line) run,tag,step,wall_time,min,p7,p16,p31,p50,p69,
 * p84,p93,max for histograms. A failed write leaves no partial file. */
bool tfc_plot_figure_write_csv(const tfc_plot_figure *fig, const char *path, tfc_status *st);
/* A file name from the panels' tags ("Loss.png", "Accuracy+Loss.png"), malloc'ed. */
char *tfc_plot_figure_default_name(const tfc_plot_figure *fig, const char *extension);

/* Where a rendered panel put things, in pixels of the PNG (origin top left, y down). */
typedef struct {
    double left, top, right, bottom; /* the plot area */
    double xmin, xmax, ymin, ymax;   /* data values at its edges (ymin at the bottom) */
    bool log_y;
    bool has_legend;
    double legend[4]; /* left, top, right, bottom */
} tfc_plot_geometry;

bool tfc_plot_figure_geometry(const tfc_plot_figure *fig, size_t panel, tfc_plot_geometry *g);
double tfc_plot_geometry_x(const tfc_plot_geometry *g, double x);
double tfc_plot_geometry_y(const tfc_plot_geometry *g, double y);

/* ---- Image grids ---- */

/* Receives one warning line (an image that would not decode, naming run, tag and step). */
typedef void (*tfc_plot_warn_fn)(void *ctx, const char *line);

/* Draws the image TAGS (as tfc_plot_select picks them) of every run holding any: one section
 * per run, steps down (at most max_steps, evenly spread; 0: all), each tag's samples across,
 * to PATH (.png, .svg or .pdf) at opt's dpi, under opt's title. Images are decoded with libpng;
 * one that does not decode is crossed out and reported through warn. */
bool tfc_plot_images_render(const tfc_plot_source *src, char *const *tags, size_t ntags,
                            const tfc_plot_options *opt, size_t max_steps, const char *path,
                            tfc_plot_warn_fn warn, void *ctx, tfc_status *st);

/* ---- Listing ---- */

/* Prints every run with its tags of every kind (count, step range), grouped by TensorBoard
 * plugin, saying which tfc draws, and its graph. */
void tfc_plot_list(const tfc_plot_source *src, FILE *out);

/* ---- Text summaries ---- */

/* Prints text summary TAG of every run holding it, value by value ("TAG, run RUN, step N:" and
 * the text indented below it): Markdown as plain text, a vector one cell a line, a matrix as
 * aligned columns; control characters and bytes that are not UTF-8 escaped (). */
void tfc_plot_print_text(const tfc_plot_source *src, const char *tag, FILE *out);

/* Releases the caches Cairo and fontconfig keep for the whole process (call at exit, so that
 * leak checkers see only real leaks). No drawing may follow. */
void tfc_plot_release_caches(void);

/* ---- Flag values ---- */

/* "LO:HI" (or "LO,HI"), either side may be empty for "from the data"; SI suffixes allowed. */
bool tfc_plot_parse_range(const char *s, double out[2], tfc_status *st);
/* "WxH" in pixels. */
bool tfc_plot_parse_size(const char *s, int *w, int *h, tfc_status *st);
/* For an error about an empty y range: what --ylim did to it ("" when it was not given). */
const char *tfc_plot_ylim_note(const tfc_plot_options *opt);

#endif
