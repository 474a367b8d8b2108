/* String ops, as TensorFlow's sharded Saver (tf.compat.v1.train.Saver(sharded=True), the one every
 * SavedModel holds) builds its file names with them: StringJoin joins strings elementwise (scalars
 * broadcast), StaticRegexFullMatch says which strings its pattern matches in full (POSIX extended
 * expressions, which RE2's simple patterns such as "^s3://.*" are too), ShardedFilename makes
 * "BASE-00000-of-00001". */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---- StringJoin ---- */

static bool infer_string_join(tfc_graph *g, int node)
{
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    int n = tfc_node_num_inputs(g, node);
    if (n < 1) return tfc_node_error(g, node, "needs at least one input");
    tfc_shape out = TFC_SCALAR;
    bool unknown = false;
    for (int i = 0; i < n; i++) {
        if (!tfc_require_dtype(g, node, i, TFC_DTYPE_BIT(TFC_STRING))) return false;
        tfc_shape s = in_shape(g, node, i);
        if (s.rank < 0) unknown = true;
        if (s.rank <= 0) continue;
        if (out.rank == 0) out = s;
        else if (!tfc_shape_compatible(s, out))
            return tfc_node_error(g, node, "inputs of shapes %s and %s: they must be alike, or scalars",
                                  tfc_shape_str(out, a), tfc_shape_str(s, b));
    }
    if (unknown && out.rank == 0) out = TFC_UNKNOWN_SHAPE;
    tfc_node_set_output(g, node, 0, TFC_STRING, out);
    return true;
}

static bool k_string_join(tfc_kernel_ctx *k)
{
    char a[TFC_SHAPE_STR_MAX], b[TFC_SHAPE_STR_MAX];
    const char *sep = tfc_attr_string(k->graph, k->node, "separator", "");
    size_t nsep = strlen(sep);
    tfc_shape shape = TFC_SCALAR;
    for (int i = 0; i < k->ninputs; i++) {
        if (k->in[i]->shape.rank == 0) continue;
        if (shape.rank > 0 && !tfc_shape_equal(shape, k->in[i]->shape))
            return tfc_kernel_error(k, "inputs of shapes %s and %s: they must be alike, or scalars",
                                    tfc_shape_str(shape, a), tfc_shape_str(k->in[i]->shape, b));
        shape = k->in[i]->shape;
    }
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_STRING, shape);
    if (!z) return false;
    for (int64_t e = 0; e < z->size; e++) {
        size_t total = 0, len;
        for (int i = 0; i < k->ninputs; i++) {
            tfc_tensor_string(k->in[i], k->in[i]->shape.rank ? e : 0, &len);
            total += len + (i ? nsep : 0);
        }
        char *buf = malloc(total ? total : 1);
        if (!buf) return tfc_kernel_error(k, "out of memory");
        size_t at = 0;
        for (int i = 0; i < k->ninputs; i++) {
            const char *str = tfc_tensor_string(k->in[i], k->in[i]->shape.rank ? e : 0, &len);
            if (i) {
                memcpy(buf + at, sep, nsep);
                at += nsep;
            }
            if (len) memcpy(buf + at, str, len);
            at += len;
        }
        bool ok = tfc_tensor_set_string(z, e, buf, total);
        free(buf);
        if (!ok) return tfc_kernel_error(k, "out of memory");
    }
    return true;
}

const tfc_op_def tfc_op_StringJoin = {"StringJoin", infer_string_join, k_string_join, NULL, 0, .ninputs = TFC_INPUTS_LIST};

/* ---- StaticRegexFullMatch ---- */

/* The pattern anchored at both ends, compiled; false with a message naming it when POSIX cannot
 * compile it. */
static bool compile_full(const char *pattern, regex_t *re, char *why, size_t cap)
{
    size_t n = strlen(pattern) + 5;
    char *full = malloc(n);
    if (!full) return snprintf(why, cap, "out of memory"), false;
    snprintf(full, n, "^(%s)$", pattern);
    int rc = regcomp(re, full, REG_EXTENDED | REG_NOSUB);
    free(full);
    if (rc != 0) {
        char msg[128];
        regerror(rc, re, msg, sizeof msg);
        snprintf(why, cap, "pattern '%.200s' is not a regular expression tfc reads (POSIX extended): %s", pattern, msg);
        return false;
    }
    return true;
}

static bool infer_regex_match(tfc_graph *g, int node)
{
    if (!tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_STRING))) return false;
    regex_t re;
    char why[400];
    if (!compile_full(tfc_attr_string(g, node, "pattern", ""), &re, why, sizeof why)) return tfc_node_error(g, node, "%s", why);
    regfree(&re);
    tfc_node_set_output(g, node, 0, TFC_BOOL, in_shape(g, node, 0));
    return true;
}

static bool k_regex_match(tfc_kernel_ctx *k)
{
    regex_t re;
    char why[400];
    if (!compile_full(tfc_attr_string(k->graph, k->node, "pattern", ""), &re, why, sizeof why))
        return tfc_kernel_error(k, "%s", why);
    const tfc_tensor *x = k->in[0];
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_BOOL, x->shape);
    for (int64_t i = 0; z && i < x->size; i++) {
        size_t len;
        const char *s = tfc_tensor_string(x, i, &len);
        /* a string holding '\0' never matches (regexec would stop at the first one) */
        tfc_u8(z)[i] = s && strlen(s) == len && regexec(&re, s, 0, NULL, 0) == 0;
    }
    regfree(&re);
    return z != NULL;
}

const tfc_op_def tfc_op_StaticRegexFullMatch = {"StaticRegexFullMatch", infer_regex_match, k_regex_match, NULL, 0,
                                                .ninputs = 1};

/* ---- ShardedFilename ---- */

static bool infer_sharded_filename(tfc_graph *g, int node)
{
    char a[TFC_SHAPE_STR_MAX];
    if (!tfc_require_dtype(g, node, 0, TFC_DTYPE_BIT(TFC_STRING)) || !tfc_require_dtype(g, node, 1, TFC_DTYPE_BIT(TFC_INT32)) ||
        !tfc_require_dtype(g, node, 2, TFC_DTYPE_BIT(TFC_INT32)))
        return false;
    for (int i = 0; i < 3; i++)
        if (in_shape(g, node, i).rank > 0)
            return tfc_node_error(g, node, "input %d must be a scalar, not %s", i, tfc_shape_str(in_shape(g, node, i), a));
    tfc_node_set_output(g, node, 0, TFC_STRING, TFC_SCALAR);
    return true;
}

static bool k_sharded_filename(tfc_kernel_ctx *k)
{
    for (int i = 0; i < 3; i++)
        if (k->in[i]->size != 1) return tfc_kernel_error(k, "input %d must be a scalar", i);
    size_t len;
    const char *base = tfc_tensor_string(k->in[0], 0, &len);
    char suffix[64];
    int n = snprintf(suffix, sizeof suffix, "-%05d-of-%05d", tfc_i32(k->in[1])[0], tfc_i32(k->in[2])[0]);
    char *buf = malloc(len + (size_t)n + 1);
    if (!buf) return tfc_kernel_error(k, "out of memory");
    if (len) memcpy(buf, base, len);
    memcpy(buf + len, suffix, (size_t)n);
    tfc_tensor *z = tfc_kernel_output(k, 0, TFC_STRING, TFC_SCALAR);
    bool ok = z && tfc_tensor_set_string(z, 0, buf, len + (size_t)n);
    free(buf);
    return z ? ok || tfc_kernel_error(k, "out of memory") : false;
}

const tfc_op_def tfc_op_ShardedFilename = {"ShardedFilename", infer_sharded_filename, k_sharded_filename, NULL, 0,
                                           .ninputs = 3};
