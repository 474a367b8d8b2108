/* tfc-summary-dump histogram|image: runs our HistogramSummary (tag "h") or ImageSummary (tag
 * "img") op over values read from stdin and writes the serialized Summary it outputs to stdout,
 * for tests/interop/test_events_histogram.py (byte for byte against TensorFlow's) and
 * tests/interop/test_events_image.py.
 *   histogram: numbers, whitespace-separated, taken as a float32 vector;
 *   image: a header line "DTYPE BATCH HEIGHT WIDTH CHANNELS MAX_IMAGES" (DTYPE uint8, float32 or
 *          float64), then the raw little-endian pixels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "session.h"
#include "summary_ops.h"

/* The numbers on stdin as a float32 vector, NULL when out of memory. */
static tfc_tensor *read_numbers(void)
{
    size_t n = 0, cap = 1024;
    float *v = malloc(cap * sizeof *v), *grown;
    double x;
    while (v && scanf("%lf", &x) == 1) {
        if (n == cap) {
            if (!(grown = realloc(v, (cap *= 2) * sizeof *v))) break;
            v = grown;
        }
        v[n++] = (float)x;
    }
    tfc_tensor *t = v ? tfc_tensor_from(TFC_FLOAT, TFC_SHAPE((int64_t)n), v) : NULL;
    free(v);
    return t;
}

/* The header line and the pixels on stdin as a [B,H,W,C] tensor, NULL (said on stderr) when they
 * do not make one. */
static tfc_tensor *read_images(int *max)
{
    char dtype[16];
    long long b, h, w, c;
    if (scanf("%15s %lld %lld %lld %lld %d", dtype, &b, &h, &w, &c, max) != 6 || getchar() != '\n')
        return fputs("tfc-summary-dump: expected a header line DTYPE B H W C MAX\n", stderr), NULL;
    tfc_dtype dt = tfc_dtype_from_name(dtype);
    tfc_tensor *t = tfc_tensor_new(dt, TFC_SHAPE(b, h, w, c));
    if (!t) return fprintf(stderr, "tfc-summary-dump: cannot make a %s [%lld,%lld,%lld,%lld] tensor\n", dtype, b, h, w, c), NULL;
    size_t bytes = (size_t)t->size * tfc_dtype_size(dt);
    if (fread(t->data, 1, bytes, stdin) != bytes) {
        fputs("tfc-summary-dump: short input\n", stderr);
        tfc_tensor_free(t);
        return NULL;
    }
    return t;
}

int main(int argc, char **argv)
{
    bool histogram = argc == 2 && strcmp(argv[1], "histogram") == 0;
    if (!histogram && !(argc == 2 && strcmp(argv[1], "image") == 0))
        return fputs("usage: tfc-summary-dump histogram|image < values\n", stderr), 2;
    int max = 0;
    tfc_tensor *t = histogram ? read_numbers() : read_images(&max);
    if (!t) return fputs(histogram ? "tfc-summary-dump: out of memory\n" : "", stderr), 2;
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out in = tfc_const(g, t, histogram ? "values" : "images");
    tfc_out summary = histogram ? tfc_summary_histogram(g, "h", in) : tfc_summary_image(g, "img", in, max);
    tfc_session *s = tfc_graph_check(g, st) ? tfc_session_new(g, NULL, st) : NULL;
    tfc_tensor *out = NULL;
    int rc = 0;
    if (s && tfc_session_run(s, NULL, 0, TFC_FETCHES(summary), &out, st)) {
        const tfc_bytes *b = out->data;
        fwrite(b->ptr, 1, b->len, stdout);
    } else {
        fprintf(stderr, "tfc-summary-dump: %s\n", tfc_message(st));
        rc = 1;
    }
    tfc_tensor_free(out);
    tfc_session_free(s);
    tfc_tensor_free(t);
    tfc_graph_free(g);
    tfc_status_free(st);
    return rc;
}
