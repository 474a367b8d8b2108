/* `tfc-ckpt restore`: loads a checkpoint into one of the seed models' graphs or a TensorFlow graph
 * (models/models.h), which names every missing or mismatched variable and the tensors it leaves,
 * and evaluates it on the test set. */
#ifndef TFC_CKPT_RESTORE_H
#define TFC_CKPT_RESTORE_H

#include <stdbool.h>
#include <stdio.h>

#include "mnist.h"
#include "models.h"
#include "status.h"

typedef struct {
    const char *model;     /* softmax, mlp, deep, cnn; or NULL with graph.graph set */
    tfc_graph_model_spec graph; /* a TensorFlow graph and its tensors (graph.graph NULL: model) */
    const char *optimizer; /* the one the checkpoint was trained with; NULL: the model's own */
    tfc_dataset dataset;
    const char *data_dir;  /* NULL: looked for as tfc_mnist_find does */
    bool evaluate;         /* false: only check that the checkpoint fits the graph */
    int threads;           /* 0: all cores */
} tfc_ckpt_restore_options;

/* After a restore of the checkpoint at prefix into g: one line to out, after lead, counting and
 * naming the checkpoint's tensors that no variable of g takes (TensorFlow's Saver leaves them:
 * another optimizer's slots), nothing when there are none; false with st set when the checkpoint
 * cannot be read. */
bool tfc_ckpt_restore_note_left(const tfc_graph *g, const char *prefix, const char *lead, FILE *out, tfc_status *st);

/* Writes what was restored (prefix, variable count, global_step) and, when evaluating, the test
 * accuracy and loss to out. */
bool tfc_ckpt_restore(const char *path, const tfc_ckpt_restore_options *o, FILE *out, tfc_status *st);

#endif
