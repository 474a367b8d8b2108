/* The networks of the seed tutorials, built as graphs with the seeds' names and name scopes, so
 * tfc-run trains them and tfc-ckpt restores checkpoints into them. */
#ifndef TFC_MODELS_H
#define TFC_MODELS_H

#include "api.h"
#include "graph.h"
#include "mnist.h"
#include "session.h"

TFC_BEGIN_DECLS

typedef struct {
    float learning_rate;   /* 0: the seed's */
    const char *optimizer; /* one of tfc_model_optimizers, or NULL for the seed's */
    bool histograms;       /* histogram summaries of weights, biases and activations */
    bool summaries;        /* scalar summaries Loss and Accuracy (and the histograms and images) */
    int images;            /* image summaries of this many input images (0: none) */
    float learning_rate_scale; /* the learning rate times this (0: 1), e.g. the number of ranks */
    /* > 0: the optimizer averages the gradients over the session's ranks in buckets of up to this
     * many floats (engine/distributed.h), for data-parallel training */
    int64_t allreduce_bucket_floats;
} tfc_model_options;

/* The class indices fed to a model whose labels are indices ([n] of the labels' dtype, for the last
 * batch size), made from the one-hot batch. */
struct tfc_class_labels {
    tfc_tensor *t;
};

typedef struct {
    const char *name;
    tfc_graph *g;
    tfc_out x, labels;   /* placeholders: images [?, 784], one-hot labels [?, 10] (an imported graph's
                            may take class indices instead: int32 or int64 [?]) */
    tfc_out keep_prob;   /* dropout's keep probability, TFC_NO_OUT when the model has none */
    tfc_out training;    /* a bool scalar (an imported graph's is_training) fed true in training steps
                            and false when evaluating, TFC_NO_OUT when the model has none */
    tfc_out loss;        /* the scalar the optimizer minimises (TFC_NO_OUT: an imported graph's, not named) */
    tfc_out accuracy;    /* mean of argmax(prediction) == argmax(labels) */
    tfc_out train;       /* one training step */
    tfc_out global_step;
    tfc_out summaries;   /* merged summaries, TFC_NO_OUT when none */
    tfc_out init;        /* initialiser of all variables */
    /* Activations of the hidden layers (for --histograms), named like their scopes. */
    int nactivations;
    tfc_out activations[8];
    const char *activation_names[8];
    /* The seed's training set-up. */
    float train_keep_prob;
    bool keep_prob_is_rate; /* keep_prob is a dropout rate (tf.nn.dropout(rate=)): 0 when evaluating, not 1 */
    int batch_size;
    int64_t steps;  /* 0: train by epochs */
    int epochs;
    float learning_rate;
    const char *optimizer;
    /* For labels fed as class indices: their tensor, made by tfc_model_feeds from the one-hot batch
     * (NULL for one-hot labels). */
    struct tfc_class_labels *class_labels;
} tfc_model;

/* Names of the models, NULL-terminated: softmax, mlp, deep, cnn. */
TFC_API extern const char *const tfc_model_names[];

/* Names of the optimizers a model trains with, NULL-terminated: gd, momentum, nesterov, adagrad,
 * rmsprop, centered-rmsprop, adam; TensorFlow's settings but for momentum 0.9 (momentum, nesterov),
 * Adagrad's initial accumulator 1e-10 and its first 1,000 steps at a fifth of the learning rate,
 * RMSProp's decay 0.99 and epsilon 1e-14. Each but the seed's own comes with its own learning rate:
 * gd 0.5, momentum and nesterov 0.005, adagrad 0.05, the rmsprops 0.001, adam 0.001. */
extern const char *const tfc_model_optimizers[];

/* Fills *m (the caller's) with model `name` (one of tfc_model_names) built into a new graph m->g,
 * with opts (NULL: the seed's settings). False with st set, and nothing to free, for an unknown
 * name or optimizer, a NULL m, or a build error. A model built is ended with tfc_model_free, which
 * frees its graph (NULL and a model whose build failed are allowed). */
TFC_API bool tfc_model_build(tfc_model *m, const char *name, const tfc_model_options *opts, tfc_status *st);
TFC_API void tfc_model_free(tfc_model *m);

/* A TensorFlow graph (graph_import.h: a .meta or a binary .pb) as a model, its tensors named by the
 * user ("x:0"), TensorFlow's own training step in it. */
typedef struct {
    const char *graph;    /* the file */
    const char *input;    /* the images' placeholder: float32 with 784 values per example, [?, 784] or
                             [?, 28, 28, 1] */
    const char *labels;   /* the labels' placeholder: one-hot float32 [?, 10], or class indices
                             int32 or int64 [?] (sparse_softmax_cross_entropy_with_logits') */
    const char *accuracy; /* a float32 scalar, evaluated on the test set */
    const char *loss;     /* NULL: the MetaGraph's losses collection, if it holds one tensor */
    const char *train_op; /* NULL: the MetaGraph's train_op collection, if it holds one; none for a
                             model that is only evaluated */
    const char *keep_prob; /* NULL, or dropout's keep probability placeholder, fed keep_prob_train in
                              training and 1 when evaluating */
    float keep_prob_train;
    bool keep_prob_is_rate; /* keep_prob names a dropout rate placeholder instead: fed keep_prob_train
                               in training and 0 when evaluating */
    const char *training; /* NULL, or a bool scalar placeholder that switches the graph's batch norm or
                             dropout (tf.cond), fed true in training and false when evaluating */
    bool summaries;       /* merge the summaries collection (tf.summary.scalar and the like) */
} tfc_graph_model_spec;

/* Imports the graph into m (name "graph"; batch 100, 1,000 steps unless told otherwise): the named
 * tensors must exist with those dtypes and shapes, global_step is the MetaGraph's global_step
 * collection or a variable of that name (TFC_NO_OUT when none); init is TFC_NO_OUT
 * (tfc_session_run_init runs the graph's initialisers). Errors name the flag's tensor and what is
 * wrong with it. */
TFC_API bool tfc_model_import(tfc_model *m, const tfc_graph_model_spec *spec, tfc_status *st);

/* The value of keep_prob that turns dropout off: 1 for a keep probability (and a NULL model), 0 for
 * a dropout rate. */
static inline float tfc_model_dropout_off(const tfc_model *m) { return m && m->keep_prob_is_rate ? 0.0f : 1.0f; }

/* The shape of a batch of n images as the model's input placeholder takes them ([n, 784] or
 * [n, 28, 28, 1]); unknown for a NULL model. */
TFC_API tfc_shape tfc_model_input_shape(const tfc_model *m, int n);

/* The feeds of one run of m into feeds: the images x and the labels y (one-hot, [n, 10]: a model whose
 * labels are class indices is fed their indices, made here from y's values, so call it again after
 * refilling y), and where m has them its keep
 * probability `keep` and its training switch `training` (the caller's values for a training step or
 * an evaluation); returns their count (0 for a NULL m or feeds, or when memory runs out). */
TFC_API int tfc_model_feeds(const tfc_model *m, const tfc_tensor *x, const tfc_tensor *y, const tfc_tensor *keep,
                            const tfc_tensor *training, tfc_feed feeds[4]);

/* Whether every placeholder that m's accuracy, loss and summaries (and when training, its training
 * step) read is one tfc_model_feeds feeds, as TensorFlow needs them fed; else false with st naming
 * the first unfed one, what reads it, and the flag that feeds one like it (a bool scalar: --training).
 * A PlaceholderWithDefault needs no feed. */
TFC_API bool tfc_model_check_feeds(const tfc_model *m, bool training, tfc_status *st);

/* Mean accuracy and (when loss is not NULL) loss of the model over a whole split, run in session s
 * in batches of `batch` images (1,000 when < 1) with dropout off and the training switch false, so
 * that memory grows with the batch, not the split. False with st set when an argument is NULL, a
 * placeholder it reads is not fed (tfc_model_check_feeds) or a run fails. */
TFC_API bool tfc_model_evaluate(const tfc_model *m, tfc_session *s, const tfc_mnist_split *split, int batch,
                                double *accuracy, double *loss, tfc_status *st);

TFC_END_DECLS

#endif
