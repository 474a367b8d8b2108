/* `tfc-ckpt restore`: loads a checkpoint into one of the seed models' graphs or a TensorFlow graph
 * (models/models.h), which names every missing, unexpected or mismatched variable, and evaluates it
 * on the test set. */
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

/* Writes what was restored (prefix, variable count, global_step) and, when evaluating, the test
 * accuracy and loss to out. */
bool tfc_ckpt_restore(const char *path, const tfc_ckpt_restore_options *o, FILE *out, tfc_status *st);

#endif
