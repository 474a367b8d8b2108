/* Random ops: RandomStandardNormal, TruncatedNormal (resampling beyond 2 stddev, as TensorFlow),
 * RandomUniform, and the tf.random_normal / tf.truncated_normal builders. Streams come from the
 * session, so a run is reproducible for a given seed. */
#include <math.h>
#include <stdio.h>

#include "common.h"

static bool infer_random(tfc_graph *g, int node)
{
    tfc_dtype dt = tfc_attr_type(g, node, "dtype", TFC_FLOAT);
    if (dt != TFC_FLOAT) return tfc_node_error(g, node, "dtype %s is not supported (float32 only)", tfc_dtype_name(dt));
    if (!tfc_require_dtype(g, node, 0, TFC_INTS)) return false;
    tfc_node_set_output(g, node, 0, dt, tfc_shape_from_const_input(g, in_out(g, node, 0)));
    return true;
}

static double normal(tfc_kernel_ctx *k)
{
    double u1 = tfc_kernel_uniform(k), u2 = tfc_kernel_uniform(k);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

static tfc_tensor *random_output(tfc_kernel_ctx *k)
{
    tfc_shape s;
    if (!tfc_shape_from_tensor(k->in[0], &s) || !tfc_shape_known(s)) {
        tfc_kernel_error(k, "shape must be a vector of non-negative sizes");
        return NULL;
    }
    return tfc_kernel_output(k, 0, TFC_FLOAT, s);
}

static bool k_normal(tfc_kernel_ctx *k)
{
    tfc_tensor *z = random_output(k);
    if (!z) return false;
    for (int64_t i = 0; i < z->size; i++) tfc_f32(z)[i] = (float)normal(k);
    return true;
}

static bool k_truncated(tfc_kernel_ctx *k)
{
    tfc_tensor *z = random_output(k);
    if (!z) return false;
    for (int64_t i = 0; i < z->size; i++) {
        double v;
        do v = normal(k);
        while (fabs(v) >= 2.0);
        tfc_f32(z)[i] = (float)v;
    }
    return true;
}

typedef struct {
    float *z;
    uint64_t block;
} uniform_job;

static void uniform_range(void *arg, int64_t b, int64_t e)
{
    const uniform_job *j = arg;
    for (int64_t i = b; i < e; i++) j->z[i] = (float)tfc_uniform_at(j->block, i);
}

static bool k_uniform(tfc_kernel_ctx *k)
{
    tfc_tensor *z = random_output(k);
    if (!z) return false;
    uniform_job j = {z->data, tfc_kernel_uniform_block(k, z->size)};
    tfc_parallel_for(k, z->size, 1 << 14, uniform_range, &j);
    return true;
}

const tfc_op_def tfc_op_RandomStandardNormal = {"RandomStandardNormal", infer_random, k_normal, NULL, TFC_OP_STATEFUL, .ninputs = 1};
const tfc_op_def tfc_op_TruncatedNormal = {"TruncatedNormal", infer_random, k_truncated, NULL, TFC_OP_STATEFUL, .ninputs = 1};
const tfc_op_def tfc_op_RandomUniform = {"RandomUniform", infer_random, k_uniform, NULL, TFC_OP_STATEFUL, .ninputs = 1};

static int random_node(tfc_graph *g, const char *type, tfc_out shape, int64_t seed, const char *name)
{
    int n = tfc_node_begin(g, type, name, &shape, 1, 1);
    tfc_set_attr_type(g, n, "T", TFC_INT32);
    tfc_set_attr_type(g, n, "dtype", TFC_FLOAT);
    tfc_set_attr_int(g, n, "seed", seed);
    tfc_set_attr_int(g, n, "seed2", seed ? seed : 0);
    return n;
}

tfc_out tfc_random_uniform(tfc_graph *g, tfc_out shape, int64_t seed, const char *name)
{
    return tfc_node_finish(g, random_node(g, "RandomUniform", shape, seed, name));
}

/* mean + stddev * <type>(shape), in scope NAME as TensorFlow builds it. */
static tfc_out scaled_random(tfc_graph *g, const char *type, const char *dflt, tfc_shape shape, float mean, float stddev,
                             int64_t seed, const char *name)
{
    char full[512], builder[64];
    snprintf(builder, sizeof builder, "tfc_%s", dflt);
    if (!tfc_builder_shape(g, builder, name, dflt, shape, false, false, INT32_MAX)) return TFC_NO_OUT;
    tfc_op_scope_push(g, name, dflt, full);
    tfc_out s = tfc_const_shape(g, shape, "shape");
    tfc_out m = tfc_const_scalar(g, mean, "mean");
    tfc_out sd = tfc_const_scalar(g, stddev, "stddev");
    tfc_out r = tfc_node_finish(g, random_node(g, type, s, seed, type));
    tfc_out scaled = tfc_mul(g, r, sd, "mul");
    tfc_scope_pop(g);
    return tfc_add(g, scaled, m, full);
}

tfc_out tfc_random_normal(tfc_graph *g, tfc_shape shape, float mean, float stddev, int64_t seed, const char *name)
{
    return scaled_random(g, "RandomStandardNormal", "random_normal", shape, mean, stddev, seed, name);
}

tfc_out tfc_truncated_normal(tfc_graph *g, tfc_shape shape, float mean, float stddev, int64_t seed, const char *name)
{
    return scaled_random(g, "TruncatedNormal", "truncated_normal", shape, mean, stddev, seed, name);
}
