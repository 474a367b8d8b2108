/* op_graphs: builds one small graph per builder of ops.h (tf.concat, tf.nn.embedding_lookup, ...) and
 * writes each as a GraphDef, so tests/interop/test_all_ops_tf.py can hold its nodes (names, op types,
 * inputs, attrs) against what TensorFlow's Python builds for the same call. Not a unit test: the C
 * side of that comparison.
 *
 *   op_graphs OUTDIR      -> OUTDIR/<case>.pb for every case, and the case names on stdout
 */
#include <stdio.h>
#include <stdlib.h>

#include "graphdef.h"
#include "ops.h"
#include "summary_ops.h"

static tfc_out ph(tfc_graph *g, tfc_dtype dt, tfc_shape s, const char *name) { return tfc_placeholder(g, dt, s, name); }
static tfc_out x23(tfc_graph *g) { return ph(g, TFC_FLOAT, TFC_SHAPE(2, 3), "x"); }
static tfc_out image(tfc_graph *g) { return ph(g, TFC_FLOAT, TFC_SHAPE(1, 4, 4, 2), "x"); }
static tfc_out ids(tfc_graph *g) { return ph(g, TFC_INT32, TFC_SHAPE(4), "i"); }
static tfc_out cond23(tfc_graph *g) { return ph(g, TFC_BOOL, TFC_SHAPE(2, 3), "c"); }

static void concat(tfc_graph *g) { tfc_concat(g, (tfc_out[]){x23(g), x23(g)}, 2, 1, NULL); }
static void stack(tfc_graph *g) { tfc_stack(g, (tfc_out[]){x23(g), x23(g)}, 2, 1, NULL); }
static void unstack(tfc_graph *g)
{
    tfc_out o[3];
    tfc_unstack(g, x23(g), 3, 1, o, NULL);
}
static void split(tfc_graph *g)
{
    tfc_out o[3];
    tfc_split(g, x23(g), 3, 1, o, NULL);
}
static void split_v(tfc_graph *g)
{
    tfc_out o[2];
    tfc_split_v(g, x23(g), (const int32_t[]){1, 2}, 2, 1, o, NULL);
}
static void transpose(tfc_graph *g) { tfc_transpose(g, x23(g), NULL, 0, NULL); }
static void slice(tfc_graph *g) { tfc_slice(g, x23(g), (const int64_t[]){0, 1}, (const int64_t[]){2, 2}, 2, NULL); }
static void strided_slice(tfc_graph *g)
{
    tfc_strided_slice(g, x23(g), (const int64_t[]){0, 1}, (const int64_t[]){2, 3}, (const int64_t[]){1, 1}, 2, NULL, NULL);
}
static void gather(tfc_graph *g)
{
    tfc_out x = x23(g);
    tfc_gather(g, x, ids(g), 1, NULL);
}
static void one_hot(tfc_graph *g) { tfc_one_hot(g, ids(g), 5, 1.0f, 0.0f, -1, NULL); }
static void pad(tfc_graph *g) { tfc_pad(g, x23(g), (const int64_t[]){1, 0, 0, 2}, 2, NULL); }
static void tile(tfc_graph *g) { tfc_tile(g, x23(g), (const int64_t[]){2, 1}, 2, NULL); }
static void squeeze(tfc_graph *g) { tfc_squeeze(g, ph(g, TFC_FLOAT, TFC_SHAPE(2, 1), "x"), (const int[]){1}, 1, NULL); }
static void expand_dims(tfc_graph *g) { tfc_expand_dims(g, x23(g), 1, NULL); }
static void range(tfc_graph *g) { tfc_range(g, 0, 10, 2, NULL); }
static void where1(tfc_graph *g) { tfc_where(g, cond23(g), TFC_NO_OUT, TFC_NO_OUT, NULL); }
static void where3(tfc_graph *g)
{
    tfc_out c = cond23(g), x = x23(g);
    tfc_where(g, c, x, x23(g), NULL);
}
static void where_v2(tfc_graph *g)
{
    tfc_out c = cond23(g), x = x23(g);
    tfc_where_v2(g, c, x, x23(g), NULL);
}
static void reduce_max(tfc_graph *g) { tfc_reduce_max(g, x23(g), (const int[]){1}, 1, false, NULL); }
static void reduce_sum_all(tfc_graph *g) { tfc_reduce_sum(g, x23(g), NULL, 0, false, NULL); }
static void argmin(tfc_graph *g) { tfc_argmin(g, x23(g), 1, NULL); }
static void l2_loss(tfc_graph *g) { tfc_l2_loss(g, x23(g), NULL); }
static void cumprod(tfc_graph *g) { tfc_cumprod(g, x23(g), 1, true, false, NULL); }
static void leaky_relu(tfc_graph *g) { tfc_leaky_relu(g, x23(g), 0.2f, NULL); }
static void log_softmax(tfc_graph *g) { tfc_log_softmax(g, x23(g), NULL); }
static void zeros_like_small(tfc_graph *g) { tfc_zeros_like(g, x23(g), NULL); }
static void zeros_like_big(tfc_graph *g) { tfc_zeros_like(g, ph(g, TFC_FLOAT, TFC_SHAPE(10, 200), "x"), NULL); }
static void zeros_like_unknown(tfc_graph *g) { tfc_zeros_like(g, ph(g, TFC_FLOAT, TFC_SHAPE(-1, 3), "x"), NULL); }
static void ones_like_small(tfc_graph *g) { tfc_ones_like(g, x23(g), NULL); }
static void ones_like_big(tfc_graph *g) { tfc_ones_like(g, ph(g, TFC_FLOAT, TFC_SHAPE(10, 200), "x"), NULL); }
static void ones_like_unknown(tfc_graph *g) { tfc_ones_like(g, ph(g, TFC_FLOAT, TFC_SHAPE(-1, 3), "x"), NULL); }
static void sigmoid_xent(tfc_graph *g)
{
    tfc_out labels = x23(g);
    tfc_sigmoid_cross_entropy_with_logits(g, labels, x23(g), NULL);
}
static void sparse_xent(tfc_graph *g)
{
    tfc_out labels = ph(g, TFC_INT32, TFC_SHAPE(2), "l");
    tfc_sparse_softmax_cross_entropy_with_logits(g, labels, x23(g), NULL);
}
static void embedding(tfc_graph *g)
{
    tfc_out x = x23(g);
    tfc_embedding_lookup(g, x, ids(g), NULL);
}
static void embedding_var(tfc_graph *g)
{
    tfc_out w = tfc_variable(g, tfc_zeros(g, TFC_SHAPE(5, 3), TFC_FLOAT, "zeros"), "W");
    tfc_embedding_lookup(g, w, ids(g), NULL);
}
static void avg_pool(tfc_graph *g)
{
    tfc_avg_pool(g, image(g), (const int64_t[]){1, 2, 2, 1}, (const int64_t[]){1, 2, 2, 1}, "VALID", NULL);
}
static void conv2d_transpose(tfc_graph *g)
{
    tfc_out x = image(g), f = ph(g, TFC_FLOAT, TFC_SHAPE(3, 3, 5, 2), "f");
    tfc_conv2d_transpose(g, x, f, TFC_SHAPE(1, 8, 8, 5), (const int64_t[]){1, 2, 2, 1}, "SAME", NULL);
}
static void fused_batch_norm(tfc_graph *g)
{
    tfc_out x = image(g), s = ph(g, TFC_FLOAT, TFC_SHAPE(2), "s"), o = ph(g, TFC_FLOAT, TFC_SHAPE(2), "o");
    tfc_fused_batch_norm(g, x, s, o, TFC_NO_OUT, TFC_NO_OUT, 0.001f, 1.0f, true, NULL, NULL, NULL);
}
static void lrn(tfc_graph *g) { tfc_local_response_normalization(g, image(g), 5, 1.0f, 1.0f, 0.5f, NULL); }
static void pow_(tfc_graph *g)
{
    tfc_out x = x23(g);
    tfc_pow(g, x, x23(g), NULL);
}
static void sqdiff(tfc_graph *g)
{
    tfc_out x = x23(g);
    tfc_squared_difference(g, x, x23(g), NULL);
}
static void greater(tfc_graph *g)
{
    tfc_out x = x23(g);
    tfc_greater(g, x, x23(g), NULL);
}
static void logical_and(tfc_graph *g)
{
    tfc_out c = ph(g, TFC_BOOL, TFC_SHAPE(2), "c");
    tfc_logical_and(g, c, ph(g, TFC_BOOL, TFC_SHAPE(2), "d"), NULL);
}
#define UNARY(fn, call)                                                                                \
    static void fn(tfc_graph *g) { call(g, x23(g), NULL); }
UNARY(abs_, tfc_abs)
UNARY(stop_gradient, tfc_stop_gradient)
UNARY(softplus, tfc_softplus)
UNARY(relu6, tfc_relu6)
UNARY(elu, tfc_elu)
UNARY(rsqrt, tfc_rsqrt)
UNARY(log1p_, tfc_log1p)
UNARY(sign, tfc_sign)
#undef UNARY
/* tf.summary.scalar's names cleaned as TensorFlow cleans them ("my loss" is "my_loss") */
static void summary_names(tfc_graph *g)
{
    tfc_out x = ph(g, TFC_FLOAT, TFC_SCALAR, "x");
    tfc_summary_scalar(g, "my loss", x);
    tfc_summary_scalar(g, "/a b/c:d", x);
}
static void add_n_one(tfc_graph *g) { tfc_add_n(g, (tfc_out[]){x23(g)}, 1, "total"); }

static const struct {
    const char *name;
    void (*build)(tfc_graph *g);
} cases[] = {
    {"concat", concat}, {"stack", stack}, {"unstack", unstack}, {"split", split}, {"split_v", split_v},
    {"transpose", transpose}, {"slice", slice}, {"strided_slice", strided_slice}, {"gather", gather},
    {"one_hot", one_hot}, {"pad", pad}, {"tile", tile}, {"squeeze", squeeze}, {"expand_dims", expand_dims},
    {"range", range}, {"where1", where1}, {"where3", where3}, {"where_v2", where_v2}, {"reduce_max", reduce_max},
    {"reduce_sum_all", reduce_sum_all}, {"argmin", argmin}, {"l2_loss", l2_loss}, {"cumprod", cumprod},
    {"leaky_relu", leaky_relu}, {"log_softmax", log_softmax}, {"zeros_like_small", zeros_like_small},
    {"zeros_like_big", zeros_like_big}, {"zeros_like_unknown", zeros_like_unknown}, {"ones_like_small", ones_like_small},
    {"ones_like_big", ones_like_big}, {"ones_like_unknown", ones_like_unknown}, {"sigmoid_xent", sigmoid_xent},
    {"sparse_xent", sparse_xent}, {"embedding", embedding}, {"embedding_var", embedding_var}, {"avg_pool", avg_pool},
    {"conv2d_transpose", conv2d_transpose}, {"fused_batch_norm", fused_batch_norm}, {"lrn", lrn}, {"pow", pow_},
    {"sqdiff", sqdiff}, {"greater", greater}, {"logical_and", logical_and}, {"abs", abs_},
    {"stop_gradient", stop_gradient}, {"softplus", softplus}, {"relu6", relu6}, {"elu", elu}, {"rsqrt", rsqrt},
    {"log1p", log1p_}, {"sign", sign}, {"summary_names", summary_names},
    {"add_n_one", add_n_one},
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: op_graphs OUTDIR\n");
        return 2;
    }
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tfc_graph *g = tfc_graph_new();
        tfc_status *st = tfc_status_new();
        cases[i].build(g);
        size_t len = 0;
        unsigned char *pb = tfc_graphdef_serialize(g, &len, st);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.pb", argv[1], cases[i].name);
        FILE *f = pb ? fopen(path, "wb") : NULL;
        bool written = f && fwrite(pb, 1, len, f) == len;
        if (f && fclose(f)) written = false;
        if (!written) {
            fprintf(stderr, "op_graphs: %s: %s\n", cases[i].name, pb ? path : tfc_message(st));
            failures++;
        } else {
            printf("%s\n", cases[i].name);
        }
        free(pb);
        tfc_status_free(st);
        tfc_graph_free(g);
    }
    return failures ? 1 : 0;
}
