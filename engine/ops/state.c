/* Variables and the ops that change them: VariableV2, Assign, AssignAdd, and the optimizers'
 * update kernels ApplyGradientDescent and ApplyAdam (TensorFlow's update rules). */
#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../graph_internal.h"
#include "common.h"
#include "gemm.h"

static bool is_var(const tfc_graph *g, tfc_out o) { return o.node >= 0 && (tfc_graph_node(g, o.node)->def->flags & TFC_OP_VARIABLE); }

/* ---- VariableV2 ---- */

static bool infer_variable(tfc_graph *g, int node)
{
    const tfc_attr *s = tfc_node_find_attr(g, node, "shape");
    if (!s || !tfc_shape_known(s->shape)) return tfc_node_error(g, node, "a variable needs a fully known shape");
    tfc_node_set_output(g, node, 0, tfc_attr_type(g, node, "dtype", TFC_FLOAT), s->shape);
    return true;
}

static bool k_variable(tfc_kernel_ctx *k)
{
    const tfc_tensor *v = tfc_kernel_variable(k);
    if (!v)
        return tfc_fail(k->st, TFC_FAILED_PRECONDITION,
                        "variable '%s' is used before it is initialised (run the initialiser, e.g. init, first)",
                        tfc_node_name(k->graph, k->node));
    tfc_kernel_forward(k, 0, v);
    return true;
}

const tfc_op_def tfc_op_VariableV2 = {"VariableV2", infer_variable, k_variable, NULL, TFC_OP_STATEFUL | TFC_OP_VARIABLE, .ninputs = 0};

/* ---- Assign, AssignAdd ---- */

static bool infer_assign(tfc_graph *g, int node)
{
    tfc_out ref = in_out(g, node, 0);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX], nv[256];
    if (!is_var(g, ref)) return tfc_node_error(g, node, "input 0 must be a variable");
    tfc_out_name(g, in_out(g, node, 1), nv, sizeof nv);
    if (in_dtype(g, node, 0) != in_dtype(g, node, 1))
        return tfc_node_error(g, node, "variable '%s' is %s, value '%s' is %s", tfc_node_name(g, ref.node),
                              tfc_dtype_name(in_dtype(g, node, 0)), nv, tfc_dtype_name(in_dtype(g, node, 1)));
    tfc_shape vs = in_shape(g, node, 0), xs = in_shape(g, node, 1), m;
    bool same_rank_ok = tfc_broadcast_shapes(vs, xs, &m) && (xs.rank < 0 || xs.rank == vs.rank);
    bool scalar_ok = strcmp(tfc_node_op(g, node), "AssignAdd") == 0 && xs.rank == 0;
    if (!same_rank_ok && !scalar_ok)
        return tfc_node_error(g, node, "variable '%s' has shape %s, value '%s' has shape %s", tfc_node_name(g, ref.node),
                              tfc_shape_str(vs, a), nv, tfc_shape_str(xs, b));
    if (same_rank_ok && !scalar_ok && !tfc_shape_equal(m, vs))
        return tfc_node_error(g, node, "variable '%s' has shape %s, value '%s' has shape %s", tfc_node_name(g, ref.node),
                              tfc_shape_str(vs, a), nv, tfc_shape_str(xs, b));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), vs);
    return true;
}

static bool k_assign(tfc_kernel_ctx *k)
{
    const tfc_tensor *value = k->in[1];
    tfc_shape vs = tfc_node_output_shape(k->graph, k->node, 0);
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    if (!tfc_shape_equal(vs, value->shape))
        return tfc_kernel_error(k, "variable has shape %s, value has shape %s", tfc_shape_str(vs, a),
                                tfc_shape_str(value->shape, b));
    if (!tfc_kernel_assign_ref(k, 0, value)) return false;
    tfc_kernel_forward(k, 0, tfc_kernel_ref(k, 0));
    return true;
}

static bool k_assign_add(tfc_kernel_ctx *k)
{
    tfc_tensor *var = tfc_kernel_ref(k, 0);
    if (!var) return false;
    const tfc_tensor *d = k->in[1];
    if (d->size != var->size && d->size != 1) return tfc_kernel_error(k, "value does not match the variable's shape");
    for (int64_t i = 0; i < var->size; i++) {
        int64_t j = d->size == 1 ? 0 : i;
        switch (var->dtype) {
        case TFC_FLOAT: tfc_f32(var)[i] += tfc_f32(d)[j]; break;
        case TFC_INT32: tfc_i32(var)[i] += tfc_i32(d)[j]; break;
        case TFC_INT64: tfc_i64(var)[i] += tfc_i64(d)[j]; break;
        default: return tfc_kernel_error(k, "dtype %s is not supported", tfc_dtype_name(var->dtype));
        }
    }
    tfc_kernel_forward(k, 0, var);
    return true;
}

const tfc_op_def tfc_op_Assign = {"Assign", infer_assign, k_assign, NULL, TFC_OP_STATEFUL | TFC_OP_REF_INPUT0, .ninputs = 2};
const tfc_op_def tfc_op_AssignAdd = {"AssignAdd", infer_assign, k_assign_add, NULL, TFC_OP_STATEFUL | TFC_OP_REF_INPUT0, .ninputs = 2};

static void set_class(tfc_graph *g, int node, int var)
{
    if (node < 0 || var < 0) return;
    char loc[600];
    snprintf(loc, sizeof loc, "loc:@%s", tfc_node_name(g, var));
    const char *v[1] = {loc};
    tfc_set_attr_strings(g, node, "_class", v, 1);
}

static tfc_out assign_op(tfc_graph *g, const char *type, tfc_out var, tfc_out value, bool locking, const char *name)
{
    int vn = tfc_variable_node(g, var);
    tfc_out ref = vn >= 0 ? (tfc_out){vn, 0} : var;
    int n = tfc_node_begin(g, type, name, (tfc_out[]){ref, value}, 2, 1);
    tfc_set_T(g, n);
    if (strcmp(type, "Assign") == 0) tfc_set_attr_bool(g, n, "validate_shape", true);
    tfc_set_attr_bool(g, n, "use_locking", locking);
    set_class(g, n, vn);
    return tfc_node_finish(g, n);
}

tfc_out tfc_assign(tfc_graph *g, tfc_out var, tfc_out value, const char *name)
{
    return assign_op(g, "Assign", var, value, true, name);
}

tfc_out tfc_assign_add(tfc_graph *g, tfc_out var, tfc_out value, const char *name)
{
    return assign_op(g, "AssignAdd", var, value, false, name);
}

int tfc_variable_node(const tfc_graph *g, tfc_out var)
{
    if (var.node < 0 || var.node >= tfc_graph_num_nodes(g)) return -1;
    if (is_var(g, var)) return var.node;
    const char *op = tfc_node_op(g, var.node);
    if ((strcmp(op, "Identity") == 0 || strcmp(op, "ReadVariableOp") == 0) && tfc_node_num_inputs(g, var.node) == 1 &&
        is_var(g, tfc_node_input(g, var.node, 0)))
        return tfc_node_input(g, var.node, 0).node;
    return -1;
}

/* Builds NAME (VariableV2), NAME/Assign and NAME/read inside scope `full`, which is open. */
static tfc_out variable_in_scope(tfc_graph *g, tfc_out init, const char *full)
{
    tfc_shape s = tfc_out_shape(g, init);
    int v = tfc_node_begin(g, "VariableV2", full, NULL, 0, 1);
    tfc_set_attr_shape(g, v, "shape", s);
    tfc_set_attr_type(g, v, "dtype", tfc_out_dtype(g, init));
    tfc_set_attr_string(g, v, "container", "");
    tfc_set_attr_string(g, v, "shared_name", "");
    tfc_out var = tfc_node_finish(g, v);
    if (tfc_out_ok(var)) tfc_graph_node(g, var.node)->trainable = true;
    tfc_out a = tfc_assign(g, var, init, "Assign");
    tfc_variable_set_initializer(g, var.node, a.node);
    int r = tfc_node_begin(g, "Identity", "read", &var, 1, 1);
    tfc_set_T(g, r);
    set_class(g, r, var.node);
    return tfc_node_finish(g, r);
}

tfc_out tfc_variable(tfc_graph *g, tfc_out initial_value, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "Variable", full);
    tfc_out r = variable_in_scope(g, initial_value, full);
    tfc_scope_pop(g);
    return r;
}

tfc_out tfc_variable_const(tfc_graph *g, const tfc_tensor *value, const char *name)
{
    char full[512];
    tfc_op_scope_push(g, name, "Variable", full);
    tfc_out init = tfc_const(g, value, "initial_value");
    tfc_out r = variable_in_scope(g, init, full);
    tfc_scope_pop(g);
    return r;
}

tfc_out tfc_variable_scalar(tfc_graph *g, float v, const char *name)
{
    tfc_tensor *t = tfc_tensor_scalar_f32(v);
    tfc_out r = tfc_variable_const(g, t, name);
    tfc_tensor_free(t);
    return r;
}

tfc_out tfc_variable_zeros(tfc_graph *g, tfc_shape shape, tfc_dtype dt, const char *name, bool trainable)
{
    tfc_scope_push(g, "/"); /* slots and counters are named from the root, as TensorFlow's */
    char full[512];
    tfc_op_scope_push(g, name, "Variable", full);
    tfc_scope_push(g, "Initializer");
    tfc_out zeros = tfc_zeros(g, shape, dt, "zeros");
    tfc_scope_pop(g);
    tfc_out r = variable_in_scope(g, zeros, full);
    tfc_scope_pop(g);
    tfc_scope_pop(g);
    int vn = tfc_variable_node(g, r);
    if (vn >= 0) tfc_graph_node(g, vn)->trainable = trainable;
    return r;
}

tfc_out tfc_global_variables_initializer(tfc_graph *g)
{
    int n = tfc_node_begin(g, "NoOp", "init", NULL, 0, 0);
    for (int i = 0; i < tfc_graph_num_variables(g); i++) {
        int init = tfc_graph_node(g, tfc_graph_variable(g, i))->init;
        if (init >= 0) tfc_node_add_control(g, n, init);
    }
    tfc_node_finish(g, n);
    return n >= 0 && tfc_graph_ok(g) ? (tfc_out){n, 0} : TFC_NO_OUT;
}

/* ---- optimizer updates ---- */

static bool infer_apply(tfc_graph *g, int node, int nrefs, int grad_input)
{
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    for (int i = 0; i < nrefs; i++)
        if (!is_var(g, in_out(g, node, i))) return tfc_node_error(g, node, "input %d must be a variable", i);
    tfc_shape vs = in_shape(g, node, 0), gs = in_shape(g, node, grad_input);
    if (!tfc_shape_equal(vs, gs))
        return tfc_node_error(g, node, "variable '%s' has shape %s, its gradient %s",
                              tfc_node_name(g, in_out(g, node, 0).node), tfc_shape_str(vs, a), tfc_shape_str(gs, b));
    tfc_node_set_output(g, node, 0, in_dtype(g, node, 0), vs);
    return true;
}

static bool infer_apply_gd(tfc_graph *g, int node) { return infer_apply(g, node, 1, 2); }
static bool infer_apply_adam(tfc_graph *g, int node) { return infer_apply(g, node, 3, 9); }

typedef struct {
    float *var, *m, *v;
    const float *grad;
    float lr, beta1, beta2, eps;
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
    for (int64_t i = 0; i < n; i++) var[i] -= lr * grad[i];
}

static void adam_span(const void *job, int64_t i0, int64_t n, const float *restrict grad)
{
    const update_job *j = job;
    float *restrict var = j->var + i0, *restrict m = j->m + i0, *restrict v = j->v + i0;
    const float lr = j->lr, a1 = 1.0f - j->beta1, a2 = 1.0f - j->beta2, eps = j->eps;
    for (int64_t i = 0; i < n; i++) {
        float gi = grad[i];
        float mi = m[i] + (gi - m[i]) * a1;
        float vi = v[i] + (gi * gi - v[i]) * a2;
        m[i] = mi;
        v[i] = vi;
        var[i] -= lr * mi / (sqrtf(vi) + eps);
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

/* Applies the update to var from its gradient input (the last input): a value, or a product the
 * session left to this kernel, computed here a band of rows at a time on the session's threads. */
static bool run_update(tfc_kernel_ctx *k, update_job *j, const tfc_tensor *var)
{
    int gi = k->ninputs - 1;
    if (!tfc_kernel_product(k, gi, &j->prod)) {
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

static bool k_apply_gd(tfc_kernel_ctx *k)
{
    tfc_tensor *var = tfc_kernel_ref(k, 0);
    if (!var) return false;
    update_job j = {.var = var->data, .lr = tfc_f32(k->in[1])[0], .rule = gd_span};
    if (!run_update(k, &j, var)) return false;
    tfc_kernel_forward(k, 0, var);
    return true;
}

static bool k_apply_adam(tfc_kernel_ctx *k)
{
    tfc_tensor *var = tfc_kernel_ref(k, 0), *m = tfc_kernel_ref(k, 1), *v = tfc_kernel_ref(k, 2);
    if (!var || !m || !v) return false;
    if (m->size != var->size || v->size != var->size) return tfc_kernel_error(k, "the slots do not match the variable's shape");
    float b1p = tfc_f32(k->in[3])[0], b2p = tfc_f32(k->in[4])[0], lr = tfc_f32(k->in[5])[0];
    update_job j = {.var = var->data,
                    .m = m->data,
                    .v = v->data,
                    .lr = lr * sqrtf(1.0f - b2p) / (1.0f - b1p),
                    .beta1 = tfc_f32(k->in[6])[0],
                    .beta2 = tfc_f32(k->in[7])[0],
                    .eps = tfc_f32(k->in[8])[0],
                    .rule = adam_span};
    if (!run_update(k, &j, var)) return false;
    tfc_kernel_forward(k, 0, var);
    return true;
}

const tfc_op_def tfc_op_ApplyGradientDescent = {"ApplyGradientDescent", infer_apply_gd, k_apply_gd, NULL,
                                                TFC_OP_STATEFUL | TFC_OP_REF_INPUT0 | TFC_OP_FUSES_PRODUCT, .ninputs = 3};
const tfc_op_def tfc_op_ApplyAdam = {"ApplyAdam", infer_apply_adam, k_apply_adam, NULL,
                                     TFC_OP_STATEFUL | TFC_OP_REF_INPUT0 | TFC_OP_FUSES_PRODUCT, .ninputs = 10};
