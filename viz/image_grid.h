/* The images of a run laid out as a grid, as an image dashboard shows them on one page: steps
 * down, samples across. A column is one sample of one tag (TensorFlow 1 writes each sample under
 * its own tag, TAG/image/0, TAG/image/1, ...; TensorFlow 2 and PyTorch put a batch's samples in
 * one value); a row is a step. No drawing here: plot_images.c draws grids with Cairo and the
 * report writes them as HTML. */
#ifndef TFC_IMAGE_GRID_H
#define TFC_IMAGE_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "logdir.h"
#include "status.h"

typedef struct {
    char *label; /* the tag, with " #K" after it for sample K of a tag whose values hold several */
    const char *tag;
    size_t sample;
} tfc_image_column;

typedef struct {
    size_t ncols;
    tfc_image_column *cols;
    size_t nrows;
    int64_t *steps;
    const tfc_image **cells; /* nrows x ncols, row by row; NULL where a column has no image */
} tfc_image_grid;

/* The grid of TAGS of one run (tags the run lacks are passed over): columns are each tag's
 * samples, tags in natural order (image/2 before image/10); rows are the steps any of them has,
 * at most max_rows of them (evenly spread, the first and the last always; 0: all). At a step
 * written twice the later value counts. NULL with st set when out of memory; a grid of no
 * columns when the run has none of the tags. The grid points into run, which must outlive it. */
tfc_image_grid *tfc_image_grid_build(const tfc_run *run, const char *const *tags, size_t ntags, size_t max_rows,
                                     tfc_status *st);
void tfc_image_grid_free(tfc_image_grid *g);

/* The MIME type of an image TensorBoard shows that is not a PNG: "image/jpeg" or "image/gif"
 * (Summary.Image holds any format a browser reads; TensorFlow's and PyTorch's image summaries are
 * PNG, PyTorch's add_video GIF), told by its first bytes and its last (a file cut short has
 * not its end marker); NULL for anything else. */
const char *tfc_image_browser_format(const tfc_image *im);

/* strcmp, but runs of digits compare as numbers ("x/image/2" < "x/image/10"). */
int tfc_natural_cmp(const char *a, const char *b);

/* The name a tag's images are grouped under: the tag less TensorFlow 1's "/image/N" or "/image"
 * suffix, written into buf. */
const char *tfc_image_group_name(const char *tag, char *buf, size_t size);

#endif
