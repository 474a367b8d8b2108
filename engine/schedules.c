/* Learning-rate schedules of a step counter, tf.compat.v1.train.exponential_decay and
 * piecewise_constant, with the nodes TensorFlow builds for them (see optimizer.h). */
#include <stdio.h>
#include <stdlib.h>

#include "graph_internal.h"
#include "op.h"
#include "ops.h"
#include "optimizer.h"

static tfc_out schedule_error(tfc_graph *g, const char *fmt, const char *what)
{
    if (tfc_graph_ok(g)) tfc_fail(g->st, TFC_INVALID_ARGUMENT, fmt, what);
    return TFC_NO_OUT;
}

static bool is_counter(const tfc_graph *g, tfc_out x)
{
    tfc_dtype dt = tfc_out_dtype(g, x);
    return (dt == TFC_INT64 || dt == TFC_INT32) && tfc_out_shape(g, x).rank == 0;
}

/* A Python number as TensorFlow converts it: an int32 Const when it fits, else int64. */
static tfc_out int_const(tfc_graph *g, int64_t v, const char *name)
{
    bool small = v >= INT32_MIN && v <= INT32_MAX;
    tfc_tensor *t = tfc_tensor_new(small ? TFC_INT32 : TFC_INT64, TFC_SCALAR);
    if (!t) return schedule_error(g, "%s: out of memory while building the graph", name);
    if (small)
        tfc_i32(t)[0] = (int32_t)v;
    else
        tfc_i64(t)[0] = v;
    tfc_out c = tfc_const(g, t, name);
    tfc_tensor_free(t);
    return c;
}

/* math_ops.cast(<constant>, float32) inside the current scope: scope Cast (uniquified) holding the
 * constant "x", then the Cast named like the scope unless the constant is a float already. */
static tfc_out cast_number(tfc_graph *g, tfc_out (*make)(tfc_graph *, double, const char *), double v)
{
    tfc_scope_push(g, "Cast");
    char full[512];
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    tfc_out x = make(g, v, "x");
    tfc_scope_pop(g);
    return tfc_out_dtype(g, x) == TFC_FLOAT ? x : tfc_cast(g, x, TFC_FLOAT, full);
}

static tfc_out make_int(tfc_graph *g, double v, const char *name) { return int_const(g, (int64_t)v, name); }
static tfc_out make_float(tfc_graph *g, double v, const char *name) { return tfc_const_scalar(g, (float)v, name); }

tfc_out tfc_exponential_decay(tfc_graph *g, float learning_rate, tfc_out global_step, int64_t decay_steps,
                              float decay_rate, bool staircase, const char *name)
{
    if (!g || !tfc_graph_ok(g)) return TFC_NO_OUT;
    const char *nm = name ? name : "ExponentialDecay";
    if (!is_counter(g, global_step))
        return schedule_error(g, "%s: global_step must be an int32 or int64 scalar tensor", nm);
    if (decay_steps <= 0) return schedule_error(g, "%s: decay_steps must be positive", nm);
    tfc_scope_push(g, nm);
    char full[512];
    snprintf(full, sizeof full, "%s", tfc_scope(g));
    tfc_out lr = tfc_const_scalar(g, learning_rate, "initial_learning_rate");
    tfc_out steps = cast_number(g, make_int, (double)decay_steps);
    tfc_out rate = cast_number(g, make_float, decay_rate);
    tfc_out p = tfc_div(g, tfc_cast(g, global_step, TFC_FLOAT, "Cast"), steps, "truediv");
    if (staircase) p = tfc_floor(g, p, NULL);
    tfc_out decayed = tfc_pow(g, rate, p, NULL);
    tfc_scope_pop(g);
    return tfc_mul(g, lr, decayed, full);
}

tfc_out tfc_piecewise_constant(tfc_graph *g, tfc_out x, const int64_t *boundaries, int n, const float *values,
                               const char *name)
{
    if (!g || !tfc_graph_ok(g)) return TFC_NO_OUT;
    const char *nm = name ? name : "PiecewiseConstant";
    if (!is_counter(g, x)) return schedule_error(g, "%s: x must be an int32 or int64 scalar tensor", nm);
    if (!boundaries || !values || n < 1) return schedule_error(g, "%s: needs at least one boundary and two values", nm);
    for (int i = 1; i < n; i++)
        if (boundaries[i] <= boundaries[i - 1]) return schedule_error(g, "%s: the boundaries must increase", nm);
    tfc_out *b = malloc((size_t)n * sizeof *b), *v = malloc((size_t)(n + 1) * sizeof *v);
    tfc_out *pred = malloc((size_t)(n + 1) * sizeof *pred), *val = malloc((size_t)(n + 1) * sizeof *val);
    tfc_out r = TFC_NO_OUT;
    if (!b || !v || !pred || !val) {
        schedule_error(g, "%s: out of memory while building the graph", nm);
        goto done;
    }
    /* The boundaries and values are made before the scope (tf.compat.v1's wrapper converts them),
     * int32 boundaries cast to an int64 x. */
    for (int i = 0; i < n; i++) b[i] = int_const(g, boundaries[i], "Const");
    for (int i = 0; i <= n; i++) v[i] = tfc_const_scalar(g, values[i], "Const");
    for (int i = 0; i < n; i++)
        if (tfc_out_dtype(g, b[i]) != tfc_out_dtype(g, x)) b[i] = tfc_cast(g, b[i], tfc_out_dtype(g, x), NULL);
    tfc_scope_push(g, nm);
    pred[0] = tfc_less_equal(g, x, b[0], NULL);
    val[0] = v[0];
    pred[1] = tfc_greater(g, x, b[n - 1], NULL);
    val[1] = v[n];
    for (int i = 1; i < n; i++) {
        tfc_out above = tfc_greater(g, x, b[i - 1], NULL), below = tfc_less_equal(g, x, b[i], NULL);
        pred[i + 1] = tfc_logical_and(g, above, below, "and");
        val[i + 1] = v[i];
    }
    /* TensorFlow's tf.case here is a functional If; the predicates are exclusive and exhaustive, so
     * a chain of selects gives the same value. */
    tfc_scope_push(g, "case");
    r = v[0];
    for (int i = n; i >= 0; i--) r = tfc_where_v2(g, pred[i], val[i], r, NULL);
    tfc_scope_pop(g);
    tfc_scope_pop(g);
done:
    free(b);
    free(v);
    free(pred);
    free(val);
    return tfc_graph_ok(g) ? r : TFC_NO_OUT;
}
