/* The seeds' first example: a = (b + c) * (c + 2), first with b a variable (prints a = 9.0), then
 * with b a placeholder of shape [None, 1] fed 0..9 (prints the column (b + 1) * 3). */
#include <stdio.h>

#include <tfc/tfc.h>

static int fail(tfc_status *st)
{
    fprintf(stderr, "graph_basics: %s\n", tfc_message(st));
    tfc_status_free(st);
    return 1;
}

int main(void)
{
    tfc_status *st = tfc_status_new();

    /* b a variable: a = (2 + 1) * (1 + 2) = 9 */
    tfc_graph *g = tfc_graph_new();
    tfc_out cst = tfc_const_scalar(g, 2.0f, "const");
    tfc_out b = tfc_variable_scalar(g, 2.0f, "b");
    tfc_out c = tfc_variable_scalar(g, 1.0f, "c");
    tfc_out d = tfc_add(g, b, c, "d");
    tfc_out e = tfc_add(g, c, cst, "e");
    tfc_out a = tfc_mul(g, d, e, "a");
    tfc_global_variables_initializer(g);
    tfc_session *s = tfc_session_new(g, NULL, st);
    tfc_tensor *aval = NULL;
    if (!s || !tfc_session_run_init(s, st) || !tfc_session_run(s, NULL, 0, TFC_FETCHES(a), &aval, st)) {
        tfc_session_free(s);
        tfc_graph_free(g);
        return fail(st);
    }
    printf("Variable a is %.1f\n", tfc_f32(aval)[0]);
    tfc_tensor_free(aval);
    tfc_session_free(s);
    tfc_graph_free(g);

    /* b a placeholder [None, 1] fed np.arange(0, 10)[:, None]: a = (b + 1) * 3 */
    g = tfc_graph_new();
    cst = tfc_const_scalar(g, 2.0f, "const");
    b = tfc_placeholder(g, TFC_FLOAT, TFC_SHAPE(-1, 1), "b");
    c = tfc_variable_scalar(g, 1.0f, "c");
    d = tfc_add(g, b, c, "d");
    e = tfc_add(g, c, cst, "e");
    a = tfc_mul(g, d, e, "a");
    tfc_global_variables_initializer(g);
    s = tfc_session_new(g, NULL, st);
    tfc_tensor *bval = tfc_tensor_range(TFC_FLOAT, 0, TFC_SHAPE(10, 1));
    aval = NULL;
    if (!s || !tfc_session_run_init(s, st) ||
        !tfc_session_run(s, TFC_FEEDS({b, bval}), TFC_FETCHES(a), &aval, st)) {
        tfc_tensor_free(bval);
        tfc_session_free(s);
        tfc_graph_free(g);
        return fail(st);
    }
    printf("Variable a is [");
    for (int64_t i = 0; i < aval->size; i++) printf("%s[%.1f]", i ? "\n " : "", tfc_f32(aval)[i]);
    printf("]\n");
    tfc_tensor_free(aval);
    tfc_tensor_free(bval);
    tfc_session_free(s);
    tfc_graph_free(g);
    tfc_status_free(st);
    return 0;
}
