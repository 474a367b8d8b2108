/* The optimizers' update ops, TensorFlow's training ops: ApplyGradientDescent, ApplyMomentum,
 * ApplyAdagrad, ApplyRMSProp, ApplyCenteredRMSProp and ApplyAdam, with TensorFlow's inputs, attrs
 * and update rules (the same expressions in the same order as its CPU kernels), and their Resource
 * forms on resource variables. Each writes its variable and slots in place and outputs the
 * variable (the Resource forms nothing). Those whose gradient is the last input can
 * compute it themselves when it is a MatMul's product nothing else reads (TFC_OP_FUSES_PRODUCT):
 * a weight matrix's gradient is then taken band by band while the band is in cache. */
#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gemm.h"

/* An update op's inputs: the variable and its slots (refs) first, then scalars and the gradient,
 * named as TensorFlow's op registration names them. */
typedef struct {
    int nrefs;
    int grad; /* the gradient's input index */
    int ninputs;
    const char *names[9];
} apply_layout;

static const apply_layout gd_layout = {1, 2, 3, {"var", "alpha", "delta"}};
static const apply_layout momentum_layout = {2, 3, 5, {"var", "accum", "lr", "grad", "momentum"}};
static const apply_layout adagrad_layout = {2, 3, 4, {"var", "accum", "lr", "grad"}};
static const apply_layout rmsprop_layout = {3, 7, 8, {"var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"}};
static const apply_layout centered_layout = {4, 8, 9, {"var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"}};
static const apply_layout adam_layout = {
    3, 9, 10, {"var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon"}};

static const char *input_name(const apply_layout *l, int i) { return i == l->grad ? "grad" : l->names[i]; }

/* Whether a static shape can be the variable's (unknown rank or dims fit anything). */
static bool fits(tfc_shape s, tfc_shape var)
{
    if (s.rank < 0) return true;
    if (s.rank != var.rank) return false;
    for (int i = 0; i < s.rank; i++)
        if (s.dims[i] >= 0 && s.dims[i] != var.dims[i]) return false;
    return true;
}

/* The refs are variables (VariableV2, or VarHandleOp for the Resource ops) of the variable's shape,
 * the gradient has its shape, the rest are scalars; everything is float32 (the kernels' one
 * dtype). */
static bool infer_layout(tfc_graph *g, int node, const apply_layout *l)
{
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], nm[256];
    if (tfc_node_num_inputs(g, node) != l->ninputs)
        return tfc_node_error(g, node, "takes %d inputs, got %d", l->ninputs, tfc_node_num_inputs(g, node));
    int var = in_out(g, node, 0).node;
    tfc_shape vs = tfc_variable_shape(g, var);
    for (int i = 0; i < l->ninputs; i++) {
        tfc_out in = in_out(g, node, i);
        tfc_out_name(g, in, nm, sizeof nm);
        bool ref = i < l->nrefs;
        if (ref && !(tfc_op_lookup(tfc_node_op(g, in.node))->flags & TFC_OP_VARIABLE))
            return tfc_node_error(g, node, "input '%s' ('%s') must be a variable", input_name(l, i), nm);
        tfc_dtype dt = ref ? tfc_variable_dtype(g, in.node) : in_dtype(g, node, i);
        if (dt != TFC_FLOAT)
            return tfc_node_error(g, node, "input '%s' ('%s') is %s; the update is for float32", input_name(l, i), nm,
                                  tfc_dtype_name(dt));
        tfc_shape s = ref ? tfc_variable_shape(g, in.node) : in_shape(g, node, i);
        if ((ref || i == l->grad) && !fits(s, vs))
            return tfc_node_error(g, node, "variable '%s' has shape %s, input '%s' ('%s') %s", tfc_node_name(g, var),
                                  tfc_shape_str(vs, a), input_name(l, i), nm, tfc_shape_str(s, b));
        if (!ref && i != l->grad && s.rank > 0)
            return tfc_node_error(g, node, "input '%s' ('%s') must be a scalar, has shape %s", input_name(l, i), nm,
                                  tfc_shape_str(s, a));
    }
    /* ApplyX outputs the variable; ResourceApplyX, which updates through handles, nothing */
    if (strncmp(tfc_node_op(g, node), "Resource", 8) != 0) tfc_node_set_output(g, node, 0, TFC_FLOAT, vs);
    return true;
}

static bool infer_gd(tfc_graph *g, int node) { return infer_layout(g, node, &gd_layout); }
static bool infer_momentum(tfc_graph *g, int node) { return infer_layout(g, node, &momentum_layout); }
static bool infer_adagrad(tfc_graph *g, int node) { return infer_layout(g, node, &adagrad_layout); }
static bool infer_rmsprop(tfc_graph *g, int node) { return infer_layout(g, node, &rmsprop_layout); }
static bool infer_centered(tfc_graph *g, int node) { return infer_layout(g, node, &centered_layout); }
static bool infer_adam(tfc_graph *g, int node) { return infer_layout(g, node, &adam_layout); }

typedef struct {
    float *var, *s1, *s2, *s3; /* the variable and up to three slots */
    const float *grad;
    float lr, momentum, rho, beta1, beta2, eps;
    bool flag; /* use_nesterov (Momentum), update_slots (Adagrad) */
    void (*rule)(const void *job, int64_t i0, int64_t n, const float *grad);
    /* With a gradient product left to the update (see fused_range): */
    tfc_product prod;
    int64_t cols; /* columns of the gradient */
    atomic_bool failed;
} update_job;

/* The update rules on elements [i0, i0 + n), grad pointing at element i0's gradient. Local
 * restrict pointers let the compiler vectorise them (they are memory-bound). */
static void gd_span(const void *job, int64_t i0, int64_t n, const float *restrict grad)
{
    const update_job *j = job;
    float *restrict var = j->var + i0;
    const float lr = j->lr;
    for (int64_t i = 0; i < n; i++) var[i] -= grad[i] * lr;
}

static void momentum_span(const void *job, int64_t i0, int64_t n, const float *restrict grad)
{
    const update_job *j = job;
    float *restrict var = j->var + i0, *restrict accum = j->s1 + i0;
    const float lr = j->lr, mu = j->momentum;
    if (j->flag) {
        for (int64_t i = 0; i < n; i++) {
            accum[i] = accum[i] * mu + grad[i];
            var[i] -= grad[i] * lr + accum[i] * mu * lr;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            accum[i] = accum[i] * mu + grad[i];
            var[i] -= accum[i] * lr;
        }
    }
}

static void adagrad_span(const void *job, int64_t i0, int64_t n, const float *restrict grad)
{
    const update_job *j = job;
    float *restrict var = j->var + i0, *restrict accum = j->s1 + i0;
    const float lr = j->lr;
    if (j->flag)
        for (int64_t i = 0; i < n; i++) accum[i] += grad[i] * grad[i];
    for (int64_t i = 0; i < n; i++) var[i] -= grad[i] * lr * (1.0f / sqrtf(accum[i]));
}

static void rmsprop_span(const void *job, int64_t i0, int64_t n, const float *restrict grad)
{
    const update_job *j = job;
    float *restrict var = j->var + i0, *restrict ms = j->s1 + i0, *restrict mom = j->s2 + i0;
    const float lr = j->lr, mu = j->momentum, a = 1.0f - j->rho, eps = j->eps;
    for (int64_t i = 0; i < n; i++) {
        float gi = grad[i];
        ms[i] += (gi * gi - ms[i]) * a;
        mom[i] = mom[i] * mu + (gi * lr) / sqrtf(ms[i] + eps);
        var[i] -= mom[i];
    }
}

static void centered_span(const void *job, int64_t i0, int64_t n, const float *restrict grad)
{
    const update_job *j = job;
    float *restrict var = j->var + i0, *restrict mg = j->s1 + i0, *restrict ms = j->s2 + i0, *restrict mom = j->s3 + i0;
    const float lr = j->lr, mu = j->momentum, a = 1.0f - j->rho, eps = j->eps;
    for (int64_t i = 0; i < n; i++) {
        float gi = grad[i];
        ms[i] += (gi * gi - ms[i]) * a;
        mg[i] += (gi - mg[i]) * a;
        float denom = (ms[i] - mg[i] * mg[i]) + eps;
        mom[i] = mom[i] * mu + (gi * lr) / sqrtf(denom);
        var[i] -= mom[i];
    }
}

/* lr here is TensorFlow's alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t). */
static void adam_span(const void *job, int64_t i0, int64_t n, const float *restrict grad)
{
    const update_job *j = job;
    float *restrict var = j->var + i0, *restrict m = j->s1 + i0, *restrict v = j->s2 + i0;
    const float alpha = j->lr, a1 = 1.0f - j->beta1, a2 = 1.0f - j->beta2, eps = j->eps, b1 = j->beta1;
    if (j->flag) {
        for (int64_t i = 0; i < n; i++) {
            float gi = grad[i];
            m[i] += (gi - m[i]) * a1;
            v[i] += (gi * gi - v[i]) * a2;
            var[i] -= ((gi * a1 + b1 * m[i]) * alpha) / (sqrtf(v[i]) + eps);
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            float gi = grad[i];
            m[i] += (gi - m[i]) * a1;
            v[i] += (gi * gi - v[i]) * a2;
            var[i] -= (m[i] * alpha) / (sqrtf(v[i]) + eps);
        }
    }
}

static void update_range(void *arg, int64_t b, int64_t e)
{
    const update_job *j = arg;
    j->rule(j, b, e - b, j->grad + b);
}

typedef struct {
    const update_job *job;
    int64_t row0; /* the thread's first row */
} band_ctx;

/* Rows [r0, r1) (counted from the thread's first) of a fused gradient, just computed. */
static void update_band(void *arg, int64_t r0, int64_t r1, const float *rows)
{
    const band_ctx *c = arg;
    const update_job *j = c->job;
    j->rule(j, (c->row0 + r0) * j->cols, (r1 - r0) * j->cols, rows);
}

static void fused_range(void *arg, int64_t r0, int64_t r1)
{
    update_job *j = arg;
    const tfc_product *p = &j->prod;
    const tfc_tensor *a = p->a, *b = p->b;
    int64_t k = a->shape.dims[p->transpose_a ? 0 : 1], lda = a->shape.dims[1];
    const float *a0 = tfc_f32(a) + (p->transpose_a ? r0 : r0 * lda);
    int64_t ldb = b->shape.dims[1];
    if (j->cols < tfc_gemm_panel_width()) {
        /* Narrower than the kernel's tile (a softmax layer's 10 columns): OpenBLAS's small-matrix
         * path multiplies these without padding; the piece's gradient is small. */
        float *grad = malloc((size_t)((r1 - r0) * j->cols) * sizeof *grad);
        if (!grad) {
            atomic_store(&j->failed, true);
            return;
        }
        cblas_sgemm(CblasRowMajor, p->transpose_a ? CblasTrans : CblasNoTrans, p->transpose_b ? CblasTrans : CblasNoTrans,
                    (int)(r1 - r0), (int)j->cols, (int)k, 1.0f, a0, (int)lda, tfc_f32(b), (int)ldb, 0.0f, grad, (int)j->cols);
        update_band(&(band_ctx){j, r0}, 0, r1 - r0, grad);
        free(grad);
        return;
    }
    /* Bands of ~64 KiB: the gradient band, the variable's and the slots' rows stay in L2. */
    int64_t band = 16384 / j->cols;
    if (!tfc_gemm_bands(p->transpose_a, p->transpose_b, r1 - r0, j->cols, k, a0, lda, tfc_f32(b), ldb, band, update_band,
                        &(band_ctx){j, r0}))
        atomic_store(&j->failed, true);
}

/* Applies the update to var from its gradient input: a value, or (for the last input of a
 * TFC_OP_FUSES_PRODUCT op) a product the session left to this kernel, computed here a band of
 * rows at a time on the session's threads. */
static bool run_update(tfc_kernel_ctx *k, update_job *j, const tfc_tensor *var, int gi)
{
    if (gi != k->ninputs - 1 || !tfc_kernel_product(k, gi, &j->prod)) {
        const tfc_tensor *grad = k->in[gi];
        if (grad->size != var->size) return tfc_kernel_error(k, "the gradient does not match the variable's shape");
        j->grad = grad->data;
        tfc_parallel_for(k, var->size, 1 << 15, update_range, j);
        return true;
    }
    const tfc_tensor *a = j->prod.a, *b = j->prod.b;
    if (a->shape.rank != 2 || b->shape.rank != 2 || var->shape.rank != 2 ||
        a->shape.dims[j->prod.transpose_a ? 0 : 1] != b->shape.dims[j->prod.transpose_b ? 1 : 0] ||
        a->shape.dims[j->prod.transpose_a ? 1 : 0] != var->shape.dims[0] ||
        b->shape.dims[j->prod.transpose_b ? 0 : 1] != var->shape.dims[1]) {
        char sa[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX], sv[TFC_SHAPE_STR_MAX];
        return tfc_kernel_error(k, "the gradient, a product of %s and %s, does not match the variable's shape %s",
                                tfc_shape_str(a->shape, sa), tfc_shape_str(b->shape, sb), tfc_shape_str(var->shape, sv));
    }
    int64_t rows = var->shape.dims[0], threads = tfc_kernel_threads(k);
    j->cols = var->shape.dims[1];
    atomic_init(&j->failed, false);
    int64_t grain = var->size < (1 << 15) ? rows : (rows + threads - 1) / threads;
    tfc_parallel_for(k, rows, grain > 0 ? grain : 1, fused_range, j);
    if (atomic_load(&j->failed)) return tfc_kernel_error(k, "out of memory computing the gradient");
    return true;
}

/* The variable and slots (refs) into j, the scalars into vals (by input index); false with the
 * error set when a ref is uninitialised or a slot or scalar has the wrong size. */
static bool gather(tfc_kernel_ctx *k, const apply_layout *l, update_job *j, float vals[10], tfc_tensor **var)
{
    float **refs[4] = {&j->var, &j->s1, &j->s2, &j->s3};
    for (int i = 0; i < l->nrefs; i++) {
        tfc_tensor *t = tfc_kernel_ref(k, i);
        if (!t) return false;
        if (i == 0)
            *var = t;
        else if (t->size != (*var)->size)
            return tfc_kernel_error(k, "slot '%s' does not match the variable's shape",
                                    tfc_node_name(k->graph, tfc_node_input(k->graph, k->node, i).node));
        *refs[i] = t->data;
    }
    for (int i = l->nrefs; i < l->ninputs; i++) {
        if (i == l->grad) continue;
        if (k->in[i]->shape.rank != 0 || k->in[i]->dtype != TFC_FLOAT) {
            char s[TFC_SHAPE_STR_MAX];
            return tfc_kernel_error(k, "input '%s' must be a float32 scalar, got %s %s", input_name(l, i),
                                    tfc_dtype_name(k->in[i]->dtype), tfc_shape_str(k->in[i]->shape, s));
        }
        vals[i] = tfc_f32(k->in[i])[0];
    }
    return true;
}

static bool finish_update(tfc_kernel_ctx *k, const apply_layout *l, update_job *j, tfc_tensor *var)
{
    if (!run_update(k, j, var, l->grad)) return false;
    if (tfc_node_num_outputs(k->graph, k->node)) tfc_kernel_forward(k, 0, var);
    return true;
}

static bool k_gd(tfc_kernel_ctx *k)
{
    update_job j = {.rule = gd_span};
    float v[10];
    tfc_tensor *var;
    if (!gather(k, &gd_layout, &j, v, &var)) return false;
    j.lr = v[1];
    return finish_update(k, &gd_layout, &j, var);
}

static bool k_momentum(tfc_kernel_ctx *k)
{
    update_job j = {.rule = momentum_span, .flag = tfc_attr_bool(k->graph, k->node, "use_nesterov", false)};
    float v[10];
    tfc_tensor *var;
    if (!gather(k, &momentum_layout, &j, v, &var)) return false;
    j.lr = v[2];
    j.momentum = v[4];
    return finish_update(k, &momentum_layout, &j, var);
}

static bool k_adagrad(tfc_kernel_ctx *k)
{
    update_job j = {.rule = adagrad_span, .flag = tfc_attr_bool(k->graph, k->node, "update_slots", true)};
    float v[10];
    tfc_tensor *var;
    if (!gather(k, &adagrad_layout, &j, v, &var)) return false;
    j.lr = v[2];
    return finish_update(k, &adagrad_layout, &j, var);
}

static bool k_rmsprop(tfc_kernel_ctx *k)
{
    update_job j = {.rule = rmsprop_span};
    float v[10];
    tfc_tensor *var;
    if (!gather(k, &rmsprop_layout, &j, v, &var)) return false;
    j.lr = v[3];
    j.rho = v[4];
    j.momentum = v[5];
    j.eps = v[6];
    return finish_update(k, &rmsprop_layout, &j, var);
}

static bool k_centered(tfc_kernel_ctx *k)
{
    update_job j = {.rule = centered_span};
    float v[10];
    tfc_tensor *var;
    if (!gather(k, &centered_layout, &j, v, &var)) return false;
    j.lr = v[4];
    j.rho = v[5];
    j.momentum = v[6];
    j.eps = v[7];
    return finish_update(k, &centered_layout, &j, var);
}

static bool k_adam(tfc_kernel_ctx *k)
{
    update_job j = {.rule = adam_span, .flag = tfc_attr_bool(k->graph, k->node, "use_nesterov", false)};
    float v[10];
    tfc_tensor *var;
    if (!gather(k, &adam_layout, &j, v, &var)) return false;
    j.lr = v[5] * sqrtf(1.0f - v[4]) / (1.0f - v[3]);
    j.beta1 = v[6];
    j.beta2 = v[7];
    j.eps = v[8];
    return finish_update(k, &adam_layout, &j, var);
}

#define UPDATE_FLAGS (TFC_OP_STATEFUL | TFC_OP_REF_INPUT0)
const tfc_op_def tfc_op_ApplyGradientDescent = {"ApplyGradientDescent", infer_gd, k_gd, NULL,
                                                UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT, .ninputs = 3};
/* (Momentum's gradient is not its last input: it takes the gradient as a value.) */
const tfc_op_def tfc_op_ApplyMomentum = {"ApplyMomentum", infer_momentum, k_momentum, NULL, UPDATE_FLAGS, .ninputs = 5};
const tfc_op_def tfc_op_ApplyAdagrad = {"ApplyAdagrad", infer_adagrad, k_adagrad, NULL, UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT,
                                        .ninputs = 4};
const tfc_op_def tfc_op_ApplyRMSProp = {"ApplyRMSProp", infer_rmsprop, k_rmsprop, NULL, UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT,
                                        .ninputs = 8};
const tfc_op_def tfc_op_ApplyCenteredRMSProp = {"ApplyCenteredRMSProp", infer_centered, k_centered, NULL,
                                                UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT, .ninputs = 9};
const tfc_op_def tfc_op_ApplyAdam = {"ApplyAdam", infer_adam, k_adam, NULL, UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT,
                                     .ninputs = 10};
/* The same on resource variables (Keras layers, tf.Variable of TensorFlow 2's namespace). */
const tfc_op_def tfc_op_ResourceApplyGradientDescent = {"ResourceApplyGradientDescent", infer_gd, k_gd, NULL,
                                                        UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT, .ninputs = 3};
const tfc_op_def tfc_op_ResourceApplyMomentum = {"ResourceApplyMomentum", infer_momentum, k_momentum, NULL, UPDATE_FLAGS,
                                                 .ninputs = 5};
const tfc_op_def tfc_op_ResourceApplyAdagrad = {"ResourceApplyAdagrad", infer_adagrad, k_adagrad, NULL,
                                                UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT, .ninputs = 4};
const tfc_op_def tfc_op_ResourceApplyRMSProp = {"ResourceApplyRMSProp", infer_rmsprop, k_rmsprop, NULL,
                                                UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT, .ninputs = 8};
const tfc_op_def tfc_op_ResourceApplyCenteredRMSProp = {"ResourceApplyCenteredRMSProp", infer_centered, k_centered, NULL,
                                                        UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT, .ninputs = 9};
const tfc_op_def tfc_op_ResourceApplyAdam = {"ResourceApplyAdam", infer_adam, k_adam, NULL,
                                             UPDATE_FLAGS | TFC_OP_FUSES_PRODUCT, .ninputs = 10};
