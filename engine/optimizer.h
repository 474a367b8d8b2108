/* Optimizers as tf.compat.v1.train builds them: GradientDescent, Momentum (Nesterov too), Adagrad,
 * RMSProp (with momentum, centered) and Adam, with TensorFlow's update ops, slot names, defaults and
 * node names; learning rates as tensors (constants, placeholders, schedules built from global_step,
 * schedules.c); and tf.clip_by_global_norm for the gradients between compute and apply (clip.c). */
#ifndef TFC_OPTIMIZER_H
#define TFC_OPTIMIZER_H

#include "api.h"
#include "graph.h"

TFC_BEGIN_DECLS

typedef enum {
    TFC_GRADIENT_DESCENT, /* var -= lr * grad */
    TFC_MOMENTUM,         /* slot var/Momentum */
    TFC_ADAGRAD,          /* slot var/Adagrad */
    TFC_RMSPROP,          /* slots var/RMSProp (ms), [var/RMSProp_1 (mg) when centered], then mom */
    TFC_ADAM,             /* slots var/Adam, var/Adam_1; beta1_power and beta2_power */
} tfc_optimizer_kind;

/* What an optimizer is. Make one with the tfc_*_optimizer functions below (they fill in
 * TensorFlow's defaults), change fields as needed, and hand it to minimize or apply_gradients. */
typedef struct {
    tfc_optimizer_kind kind;
    /* The learning rate: a float32 scalar tensor (a placeholder, a schedule such as
     * tfc_exponential_decay, a variable), or TFC_NO_OUT for the constant `learning_rate` below,
     * which the optimizer then builds as NAME/learning_rate, as TensorFlow does for a Python float. */
    tfc_out learning_rate_tensor;
    float learning_rate;
    float momentum;                  /* Momentum: required; RMSProp: 0 */
    bool use_nesterov;               /* Momentum, Adam: false */
    float decay;                     /* RMSProp's rho: 0.9 */
    float epsilon;                   /* RMSProp: 1e-10; Adam: 1e-8 */
    bool centered;                   /* RMSProp: false */
    float initial_accumulator_value; /* Adagrad: 0.1 */
    float beta1, beta2;              /* Adam: 0.9, 0.999 */
    bool use_locking;                /* recorded in the update ops' attrs, as TensorFlow's */
    const char *name;                /* the update ops' scope and slot suffix: "Momentum", ... */
} tfc_optimizer;

/* tf.compat.v1.train.GradientDescentOptimizer, MomentumOptimizer, AdagradOptimizer,
 * RMSPropOptimizer and AdamOptimizer with a constant learning rate and TensorFlow's defaults. */
TFC_API tfc_optimizer tfc_gradient_descent_optimizer(float learning_rate);
TFC_API tfc_optimizer tfc_momentum_optimizer(float learning_rate, float momentum);
TFC_API tfc_optimizer tfc_adagrad_optimizer(float learning_rate);
TFC_API tfc_optimizer tfc_rmsprop_optimizer(float learning_rate);
TFC_API tfc_optimizer tfc_adam_optimizer(float learning_rate);

/* The int64 variable global_step (created once; later calls return the same). */
TFC_API tfc_out tfc_global_step(tfc_graph *g);

/* tf.compat.v1.trainable_variables(): the trainable variables (VariableV2 outputs) in creation
 * order, at most cap of them into vars; returns how many there are. */
TFC_API int tfc_trainable_variables(const tfc_graph *g, tfc_out *vars, int cap);

/* Optimizer.minimize: the gradients of loss for var_list (n of them; NULL for every trainable
 * variable) as tfc_gradients computes them, then tfc_optimizer_apply_gradients. Returns the train op
 * (run it as a fetch). global_step: TFC_NO_OUT for none, else the step counter the train op
 * increments after the updates. */
TFC_API tfc_out tfc_optimizer_minimize(tfc_graph *g, const tfc_optimizer *opt, tfc_out loss, tfc_out global_step,
                                       const tfc_out *var_list, int n);

/* Optimizer.apply_gradients: the slots, then one update op per variable vars[i] (a variable's read
 * tensor or node) with a gradient grads[i] (TFC_NO_OUT ones are skipped; an error when all are),
 * grouped into the returned train op NAME, or NAME/update followed by global_step += 1 as NAME. */
TFC_API tfc_out tfc_optimizer_apply_gradients(tfc_graph *g, const tfc_optimizer *opt, const tfc_out *grads, const tfc_out *vars,
                                              int n, tfc_out global_step);

/* The float-taking forms the seeds use (TensorFlow's default settings otherwise): minimize with
 * GradientDescent or Adam over every trainable variable. opts may be NULL. */
typedef struct {
    float beta1, beta2, epsilon; /* 0 = TensorFlow's defaults 0.9, 0.999, 1e-8 */
} tfc_adam_options;
TFC_API tfc_out tfc_gradient_descent_minimize(tfc_graph *g, tfc_out loss, float learning_rate, tfc_out global_step);
TFC_API tfc_out tfc_adam_minimize(tfc_graph *g, tfc_out loss, float learning_rate, const tfc_adam_options *opts,
                                  tfc_out global_step);

/* tf.clip_by_global_norm(t_list, clip_norm): out[i] = t[i] * clip_norm / max(global_norm, clip_norm)
 * for the n tensors (TFC_NO_OUT entries stay TFC_NO_OUT), under scope NAME (default
 * "clip_by_global_norm"), with global_norm = sqrt(sum of 2 * L2Loss(t[i])) under "global_norm";
 * its value goes to *global_norm when not NULL. */
TFC_API bool tfc_clip_by_global_norm(tfc_graph *g, const tfc_out *t, int n, float clip_norm, tfc_out *out,
                                     tfc_out *global_norm, const char *name);
/* tf.linalg.global_norm(t_list): sqrt(sum of squares of all the tensors' elements). */
TFC_API tfc_out tfc_global_norm(tfc_graph *g, const tfc_out *t, int n, const char *name);

/* ---- learning-rate schedules of a step counter (tf.compat.v1.train.*), float32 scalars ---- */

/* learning_rate * decay_rate ^ (global_step / decay_steps), the exponent floored when staircase;
 * scope NAME (default "ExponentialDecay"). */
TFC_API tfc_out tfc_exponential_decay(tfc_graph *g, float learning_rate, tfc_out global_step, int64_t decay_steps,
                                      float decay_rate, bool staircase, const char *name);
/* values[0] while x <= boundaries[0], values[i] while boundaries[i-1] < x <= boundaries[i], values[n]
 * after boundaries[n-1]: n boundaries (increasing) and n + 1 values; scope NAME (default
 * "PiecewiseConstant"). x is an int32 or int64 scalar (global_step). */
TFC_API tfc_out tfc_piecewise_constant(tfc_graph *g, tfc_out x, const int64_t *boundaries, int n, const float *values,
                                       const char *name);

TFC_END_DECLS

#endif
