/* MNIST (and Fashion-MNIST, the same format) as the seeds use it: IDX files, plain or gzip, split
 * into 55,000 training, 5,000 validation and 10,000 test images, served in shuffled batches. */
#ifndef TFC_MNIST_H
#define TFC_MNIST_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "status.h"

TFC_BEGIN_DECLS

/* Examples of one split as the IDX files hold them: batches (tfc_batcher_next, tfc_mnist_slice)
 * scale the pixels to floats in [0, 1] as they copy them out. */
typedef struct {
    int n;
    int pixels;             /* 784 */
    const uint8_t *images;  /* n x pixels, 0..255 */
    const uint8_t *labels;  /* n, 0..9 */
} tfc_mnist_split;

typedef struct {
    char dir[1024];
    tfc_mnist_split train, validation, test; /* point into files */
    uint8_t *files[4]; /* the data of the IDX files: train images, train labels, test images, test labels */
} tfc_mnist;

typedef enum { TFC_DATASET_MNIST, TFC_DATASET_FASHION } tfc_dataset;

/* Finds the folder holding the four IDX files: data_dir if given, else $TFC_DATA_DIR, ./MNIST_data,
 * the user cache folder (${XDG_CACHE_HOME:-~/.cache}/tfc/mnist); for Fashion-MNIST also
 * /usr/share/datasets/fashion-mnist. Writes it into dir_out (cap bytes). When none has them, false
 * with st saying where it looked and how to get them. */
TFC_API bool tfc_mnist_find(tfc_dataset ds, const char *data_dir, char *dir_out, size_t cap, tfc_status *st);
/* Loads and checks the four files of dir (magic numbers, sizes, label range). Returns the data set,
 * which the caller frees with tfc_mnist_free; NULL with st set, naming the file and what is wrong
 * with it, otherwise. */
TFC_API tfc_mnist *tfc_mnist_load(const char *dir, tfc_status *st);
/* Frees the data set (its splits with it); NULL is allowed. */
TFC_API void tfc_mnist_free(tfc_mnist *m);

/* TensorFlow's DataSet.next_batch: the data are shuffled before the first batch and at the end of
 * each epoch; a batch crossing the end of an epoch takes the rest and continues in the new order. */
typedef struct {
    const tfc_mnist_split *split;
    int *perm;
    int pos;
    int epochs_completed;
    uint64_t rng;
    int shuffle;
} tfc_batcher;

/* Sets up *b (the caller's) over split, which must outlive it, shuffled from seed when shuffle is
 * non-zero (in order otherwise); false when b or split is NULL or memory runs out. Every batcher
 * set up is ended with tfc_batcher_free (NULL is allowed). */
TFC_API bool tfc_batcher_init(tfc_batcher *b, const tfc_mnist_split *split, uint64_t seed, int shuffle);
TFC_API void tfc_batcher_free(tfc_batcher *b);
/* Fills x (batch x pixels floats in [0, 1]) and, when not NULL, one-hot labels y (batch x 10) and
 * the labels (batch); nothing when b was not set up or x is NULL. */
TFC_API void tfc_batcher_next(tfc_batcher *b, int batch, float *x, float *y, uint8_t *labels);
/* One rank's share of a batch of batch x nranks examples, for data-parallel training: the batcher
 * moves on by the whole batch and rank `rank` takes its rows [rank x batch, (rank + 1) x batch), so
 * the ranks together see the same examples as one process with the whole batch, none twice. */
TFC_API void tfc_batcher_next_shard(tfc_batcher *b, int batch, int rank, int nranks, float *x, float *y, uint8_t *labels);
/* Moves on n examples without copying them (resuming a run at a step). */
TFC_API void tfc_batcher_skip(tfc_batcher *b, int64_t n);
/* Copies examples [start, start + n) of a split, in order, into x (n x pixels floats in [0, 1]) and,
 * when not NULL, one-hot labels into y (n x 10); nothing when s or x is NULL or the range is not
 * within the split. */
TFC_API void tfc_mnist_slice(const tfc_mnist_split *s, int start, int n, float *x, float *y);

TFC_END_DECLS

#endif
