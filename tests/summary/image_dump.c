/* tfc-image-dump: reads a header line "DTYPE BATCH HEIGHT WIDTH CHANNELS MAX_IMAGES" (DTYPE uint8,
 * float32 or float64) and then the raw little-endian pixels from stdin, runs our ImageSummary op
 * (tag "img") over them and writes the serialized Summary it outputs to stdout, for
 * tests/interop/test_events_image.py to compare with TensorFlow's. */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"
#include "session.h"
#include "summary_ops.h"

int main(void)
{
    char dtype[16];
    long long b, h, w, c;
    int max;
    if (scanf("%15s %lld %lld %lld %lld %d", dtype, &b, &h, &w, &c, &max) != 6 || getchar() != '\n')
        return fputs("tfc-image-dump: expected a header line DTYPE B H W C MAX\n", stderr), 2;
    tfc_dtype dt = tfc_dtype_from_name(dtype);
    tfc_tensor *t = tfc_tensor_new(dt, TFC_SHAPE(b, h, w, c));
    if (!t) return fprintf(stderr, "tfc-image-dump: cannot make a %s [%lld,%lld,%lld,%lld] tensor\n", dtype, b, h, w, c), 2;
    size_t bytes = (size_t)t->size * tfc_dtype_size(dt);
    if (fread(t->data, 1, bytes, stdin) != bytes) return fputs("tfc-image-dump: short input\n", stderr), 2;
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_out img = tfc_summary_image(g, "img", tfc_const(g, t, "images"), max);
    tfc_session *s = tfc_graph_check(g, st) ? tfc_session_new(g, NULL, st) : NULL;
    tfc_tensor *out = NULL;
    int rc = 0;
    if (s && tfc_session_run(s, NULL, 0, TFC_FETCHES(img), &out, st)) {
        const tfc_bytes *ob = out->data;
        fwrite(ob->ptr, 1, ob->len, stdout);
    } else {
        fprintf(stderr, "tfc-image-dump: %s\n", tfc_message(st));
        rc = 1;
    }
    tfc_tensor_free(out);
    tfc_session_free(s);
    tfc_tensor_free(t);
    tfc_graph_free(g);
    tfc_status_free(st);
    return rc;
}
