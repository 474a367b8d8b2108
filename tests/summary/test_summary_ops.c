/* The summary ops: TensorFlow's names (scope, NAME/tags, Merge/MergeSummary, uniquified tags),
 * the histogram encoding against FORMATS.md §4's worked example {0, 1, 1, -2.5}, the default
 * bucket limits, NaN errors, merging and duplicate tags, the image op's PNGs, tags and float
 * scaling, and the way through the event writer and back through the reader. */
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "event_writer.h"
#include "logdir.h"
#include "ops.h"
#include "png_codec.h"
#include "session.h"
#include "summary.pb-c.h"
#include "summary_ops.h"

/* Runs fetch and parses the Summary it outputs (NULL on error, with st set). */
static Tensorflow__Summary *run_summary(tfc_graph *g, tfc_out fetch, tfc_status *st)
{
    tfc_session *s = tfc_session_new(g, NULL, st);
    tfc_tensor *out = NULL;
    Tensorflow__Summary *sum = NULL;
    if (s && tfc_session_run(s, NULL, 0, TFC_FETCHES(fetch), &out, st)) {
        CHECK(out->dtype == TFC_STRING && out->shape.rank == 0);
        const tfc_bytes *b = out->data;
        sum = tensorflow__summary__unpack(NULL, b->len, (const uint8_t *)b->ptr);
        CHECK(sum != NULL);
    }
    tfc_tensor_free(out);
    tfc_session_free(s);
    return sum;
}

static const char *const_string(const tfc_graph *g, const char *node)
{
    int n = tfc_graph_find(g, node);
    const tfc_attr *a = n >= 0 ? tfc_node_find_attr(g, n, "value") : NULL;
    if (!a || a->tensor->dtype != TFC_STRING) return "";
    return ((const tfc_bytes *)a->tensor->data)->ptr;
}

static void test_histogram_worked_example(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    float v[4] = {0, 1, 1, -2.5f};
    tfc_tensor *t = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(4), v);
    tfc_out h = tfc_summary_histogram(g, "h", tfc_const(g, t, "v"));
    Tensorflow__Summary *s = run_summary(g, h, st);
    CHECK_MSG(s, "%s", tfc_message(st));
    if (s) {
        CHECK(s->n_value == 1 && strcmp(s->value[0]->tag, "h") == 0);
        CHECK(s->value[0]->value_case == TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO);
        const Tensorflow__HistogramProto *p = s->value[0]->histo;
        CHECK(p->min == -2.5 && p->max == 1 && p->num == 4 && p->sum == -0.5 && p->sum_squares == 8.25);
        static const double want_limits[7] = {-2.6170109961884593, -2.379100905625872, 0.0, 1e-12,
                                              0.917246389039776,   1.0089710279437536, DBL_MAX};
        static const double want_counts[7] = {0, 1, 0, 1, 0, 2, 0};
        CHECK(p->n_bucket_limit == 7 && p->n_bucket == 7);
        for (size_t i = 0; i < 7 && i < p->n_bucket; i++) {
            CHECK_MSG(p->bucket_limit[i] == want_limits[i], "limit %zu: %.17g", i, p->bucket_limit[i]);
            CHECK_MSG(p->bucket[i] == want_counts[i], "count %zu: %g", i, p->bucket[i]);
        }
        tensorflow__summary__free_unpacked(s, NULL);
    }
    tfc_tensor_free(t);

    /* The ends of the default limits: values far out land in the first and last real buckets. */
    double big[3] = {-1e30, 5e19, 9.95e19};
    t = tfc_tensor_from(TFC_DOUBLE, TFC_SHAPE(3), big);
    s = run_summary(g, tfc_summary_histogram(g, "wide", tfc_const(g, t, NULL)), st);
    if (s) {
        const Tensorflow__HistogramProto *p = s->value[0]->histo;
        /* -1e30 counts in [-DBL_MAX, -9.92e19) after the empty (-inf, -DBL_MAX); 9.95e19 is above
         * the largest positive limit 9.920775621859783e19, so it counts in the bucket ending at
         * DBL_MAX. */
        CHECK(p->n_bucket >= 4 && p->bucket_limit[0] == -DBL_MAX && p->bucket[0] == 0);
        CHECK(p->bucket_limit[1] == -9.920775621859783e19 && p->bucket[1] == 1);
        CHECK(p->bucket_limit[p->n_bucket - 1] == DBL_MAX && p->bucket[p->n_bucket - 1] == 1);
        tensorflow__summary__free_unpacked(s, NULL);
    }
    tfc_tensor_free(t);

    /* Every limit and the double just below it (FORMATS.md §4's list): a value equal to limit i
     * counts in bucket i + 1, the one just below in bucket i. */
    double lim[1551], pos[774];
    int np = 0, nl = 0;
    for (double p = 1e-12; p < 1e20; p *= 1.1) pos[np++] = p;
    CHECK(np == 774);
    lim[nl++] = -DBL_MAX;
    for (int i = np - 1; i >= 0; i--) lim[nl++] = -pos[i];
    lim[nl++] = 0.0;
    for (int i = 0; i < np; i++) lim[nl++] = pos[i];
    lim[nl++] = DBL_MAX;
    CHECK(nl == 1551 && lim[775] == 0.0);
    double *vals = malloc(2 * 1551 * sizeof *vals);
    int nv = 0;
    vals[nv++] = lim[0];
    for (int i = 1; i < 1551; i++) {
        vals[nv++] = lim[i];
        vals[nv++] = nextafter(lim[i], -INFINITY);
    }
    t = tfc_tensor_from(TFC_DOUBLE, TFC_SHAPE(nv), vals);
    s = run_summary(g, tfc_summary_histogram(g, "limits", tfc_const(g, t, NULL)), st);
    if (s) {
        const Tensorflow__HistogramProto *p = s->value[0]->histo;
        /* Bucket 0, below -DBL_MAX, is empty; bucket i holds lim[i-1] and the double below lim[i],
         * except that the double below 0 is a denormal, flushed to -0 as TensorFlow's CPU does,
         * so it joins 0 in bucket 776; DBL_MAX itself counts in the last bucket. */
        CHECK(p->n_bucket == 1551);
        if (p->n_bucket == 1551) {
            CHECK(p->bucket[0] == 0 && p->bucket_limit[0] == -DBL_MAX);
            int bad = 0;
            for (int i = 1; i < 1551; i++) {
                double want = i == 775 ? 1 : i == 776 || i == 1550 ? 3 : 2;
                bad += p->bucket[i] != want || p->bucket_limit[i] != lim[i];
            }
            CHECK_MSG(bad == 0, "%d buckets differ", bad);
        }
        tensorflow__summary__free_unpacked(s, NULL);
    }
    tfc_tensor_free(t);
    free(vals);

    /* No values: (DBL_MAX, 0) and TensorFlow's starting min and max. */
    t = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(0));
    s = run_summary(g, tfc_summary_histogram(g, "empty", tfc_const(g, t, NULL)), st);
    if (s) {
        const Tensorflow__HistogramProto *p = s->value[0]->histo;
        CHECK(p->n_bucket == 1 && p->bucket_limit[0] == DBL_MAX && p->bucket[0] == 0);
        CHECK(p->min == DBL_MAX && p->max == -DBL_MAX && p->num == 0);
        tensorflow__summary__free_unpacked(s, NULL);
    }
    tfc_tensor_free(t);

    /* NaN and infinity fail the run, naming the tag. */
    float bad[2] = {1, NAN};
    t = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(2), bad);
    tfc_scope_push(g, "layer");
    tfc_out hb = tfc_summary_histogram(g, "nanny", tfc_const(g, t, NULL));
    tfc_scope_pop(g);
    CHECK(run_summary(g, hb, st) == NULL);
    CHECK_MSG(strstr(tfc_message(st), "Nan in summary histogram for: layer/nanny"), "%s", tfc_message(st));
    tfc_status_clear(st);
    tfc_tensor_free(t);
    tfc_graph_free(g);
    tfc_status_free(st);
}

static void test_names_and_merge(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    CHECK(!tfc_out_ok(tfc_summary_merge_all(g)) && tfc_graph_ok(g) && tfc_graph_num_nodes(g) == 0);

    tfc_out x = tfc_const_scalar(g, 0.75f, "x");
    tfc_scope_push(g, "train");
    tfc_out a = tfc_summary_scalar(g, "loss", x);
    tfc_out b = tfc_summary_scalar(g, "loss", tfc_mul(g, x, x, NULL));
    tfc_scope_pop(g);
    float w[3] = {1, 2, 3};
    tfc_tensor *wt = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(3), w);
    tfc_out h = tfc_summary_histogram(g, "weights", tfc_const(g, wt, "w"));
    tfc_tensor_free(wt);
    CHECK(tfc_graph_ok(g));
    CHECK(strcmp(tfc_node_name(g, a.node), "train/loss") == 0 && strcmp(tfc_node_op(g, a.node), "ScalarSummary") == 0);
    CHECK(strcmp(tfc_node_name(g, b.node), "train/loss_1") == 0);
    CHECK(strcmp(const_string(g, "train/loss/tags"), "train/loss") == 0);
    CHECK(strcmp(const_string(g, "train/loss_1/tags"), "train/loss_1") == 0);
    CHECK(strcmp(tfc_node_name(g, h.node), "weights") == 0 && strcmp(const_string(g, "weights/tag"), "weights") == 0);
    CHECK(tfc_node_find_attr(g, a.node, "T") && tfc_node_find_attr(g, a.node, "T")->type == TFC_FLOAT);

    tfc_out m = tfc_summary_merge_all(g);
    CHECK(tfc_out_ok(m) && strcmp(tfc_node_name(g, m.node), "Merge/MergeSummary") == 0);
    CHECK(tfc_node_find_attr(g, m.node, "N") && tfc_node_find_attr(g, m.node, "N")->i == 3);
    CHECK(tfc_node_num_inputs(g, m.node) == 3);
    Tensorflow__Summary *s = run_summary(g, m, st);
    CHECK_MSG(s, "%s", tfc_message(st));
    if (s) {
        CHECK(s->n_value == 3);
        if (s->n_value == 3) {
            CHECK(strcmp(s->value[0]->tag, "train/loss") == 0 && s->value[0]->simple_value == 0.75f);
            CHECK(strcmp(s->value[1]->tag, "train/loss_1") == 0 && s->value[1]->simple_value == 0.5625f);
            CHECK(strcmp(s->value[2]->tag, "weights") == 0 && s->value[2]->histo->num == 3);
        }
        tensorflow__summary__free_unpacked(s, NULL);
    }
    /* A second merge_all gets its own scope; merging a summary twice repeats its tags. */
    tfc_out twice = tfc_summary_merge(g, (tfc_out[]){a, a}, 2, NULL);
    CHECK(strcmp(tfc_node_name(g, twice.node), "Merge_1/MergeSummary") == 0);
    CHECK(run_summary(g, twice, st) == NULL);
    CHECK_MSG(strstr(tfc_message(st), "Duplicate tag train/loss"), "%s", tfc_message(st));
    tfc_status_clear(st);

    /* Through the writer and back. */
    char dir[] = "/tmp/tfc-test-summary-ops-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    tfc_session *sess = tfc_session_new(g, NULL, st);
    tfc_event_writer *wr = tfc_event_writer_open(dir, NULL, st);
    tfc_tensor *out = NULL;
    CHECK(sess && wr && tfc_session_run(sess, NULL, 0, TFC_FETCHES(m), &out, st));
    if (out) {
        const tfc_bytes *bb = out->data;
        CHECK(tfc_event_writer_add_summary(wr, bb->ptr, bb->len, 100, st));
    }
    CHECK(tfc_event_writer_add_graph(wr, g, st));
    CHECK(tfc_event_writer_close(wr, st));
    tfc_tensor_free(out);
    tfc_session_free(sess);
    tfc_logdir *ld = tfc_logdir_load(dir, st);
    CHECK_MSG(ld, "%s", tfc_message(st));
    if (ld) {
        const tfc_scalar_series *l1 = tfc_run_scalar(&ld->runs[0], "train/loss_1");
        CHECK(l1 && l1->n == 1 && l1->points[0].step == 100 && l1->points[0].value == 0.5625);
        const tfc_histogram_series *hw = tfc_run_histogram(&ld->runs[0], "weights");
        CHECK(hw && hw->n == 1 && hw->points[0].sum == 6);
        CHECK(ld->runs[0].graph_def != NULL);
    }
    tfc_logdir_free(ld);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);

    /* A scalar summary of a vector is a build error naming the node and both shapes. */
    tfc_tensor *v = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(3), w);
    tfc_summary_scalar(g, "vec", tfc_const(g, v, NULL));
    tfc_tensor_free(v);
    CHECK(!tfc_graph_ok(g));
    CHECK_MSG(strstr(tfc_graph_error(g), "vec") && strstr(tfc_graph_error(g), "[] vs [3]"), "%s", tfc_graph_error(g));
    tfc_graph_free(g);
    tfc_status_free(st);
}

/* Decodes value i of s as a PNG of w x h and returns pixel p's RGBA in px. */
static bool image_pixel(const Tensorflow__Summary *s, size_t i, int w, int h, int p, uint8_t px[4])
{
    if (i >= s->n_value || s->value[i]->value_case != TENSORFLOW__SUMMARY__VALUE__VALUE_IMAGE) return false;
    const Tensorflow__Summary__Image *im = s->value[i]->image;
    tfc_rgba_image img;
    tfc_status *st = tfc_status_new();
    bool ok = im->width == w && im->height == h &&
              tfc_png_decode(im->encoded_image_string.data, im->encoded_image_string.len, &img, st);
    CHECK_MSG(ok, "value %zu: %dx%d, %s", i, im->width, im->height, tfc_message(st));
    if (ok) {
        ok = img.width == w && img.height == h;
        memcpy(px, img.rgba + 4 * p, 4);
    }
    tfc_rgba_image_clear(&img);
    tfc_status_free(st);
    return ok;
}

static void test_image(void)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    /* uint8 RGB, 2 images of 2x3: written as they are; max_outputs 1 gives the one tag TAG/image. */
    uint8_t rgb[2 * 2 * 3 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 7);
    tfc_tensor *t = tfc_tensor_from(TFC_UINT8, TFC_SHAPE(2, 2, 3, 3), rgb);
    tfc_out one = tfc_summary_image(g, "rgb", tfc_const(g, t, NULL), 1);
    tfc_tensor_free(t);
    /* float gray with negatives: 0 -> 128, -2 (largest magnitude) -> 1, 1 -> 191 (truncated
     * 191.5), NaN -> bad_color's first channel (255 of red); positive only: the max becomes 255, 0.5 of 2 -> 63 (63.75). */
    float f[2 * 1 * 4] = {0, -2, 1, NAN, 0, 0.5f, 2, 1};
    t = tfc_tensor_from(TFC_FLOAT, TFC_SHAPE(2, 1, 4, 1), f);
    tfc_out gray = tfc_summary_image(g, "model/gray", tfc_const(g, t, NULL), 3);
    tfc_tensor_free(t);
    CHECK_MSG(tfc_graph_ok(g), "%s", tfc_graph_error(g));
    CHECK(strcmp(const_string(g, "model/gray/tag"), "model/gray") == 0);
    int node = tfc_graph_find(g, "model/gray");
    CHECK(node >= 0 && strcmp(tfc_node_op(g, node), "ImageSummary") == 0);
    const tfc_attr *max = node >= 0 ? tfc_node_find_attr(g, node, "max_images") : NULL;
    CHECK(max && max->kind == TFC_ATTR_INT && max->i == 3);

    Tensorflow__Summary *s = run_summary(g, one, st);
    CHECK_MSG(s, "%s", tfc_message(st));
    uint8_t px[4];
    if (s) {
        CHECK(s->n_value == 1 && strcmp(s->value[0]->tag, "rgb/image") == 0);
        CHECK(s->value[0]->image->colorspace == 3);
        CHECK(image_pixel(s, 0, 3, 2, 4, px) && px[0] == rgb[12] && px[1] == rgb[13] && px[2] == rgb[14] && px[3] == 255);
        tensorflow__summary__free_unpacked(s, NULL);
    }
    s = run_summary(g, gray, st);
    CHECK_MSG(s, "%s", tfc_message(st));
    if (s) {
        CHECK(s->n_value == 2 && strcmp(s->value[0]->tag, "model/gray/image/0") == 0 &&
              strcmp(s->value[1]->tag, "model/gray/image/1") == 0);
        static const uint8_t want0[4] = {128, 1, 191, 0}, want1[4] = {0, 63, 255, 127};
        for (int p = 0; p < 4; p++) {
            CHECK(image_pixel(s, 0, 4, 1, p, px));
            if (p == 3) CHECK_MSG(px[0] == 255 && px[1] == 255, "NaN pixel %d,%d,%d", px[0], px[1], px[2]);
            else CHECK_MSG(px[0] == want0[p] && px[1] == want0[p], "pixel %d: %d, want %d", p, px[0], want0[p]);
            CHECK(image_pixel(s, 1, 4, 1, p, px));
            CHECK_MSG(px[0] == want1[p], "image 1 pixel %d: %d, want %d", p, px[0], want1[p]);
        }
        tensorflow__summary__free_unpacked(s, NULL);
    }
    /* merge_all takes image summaries too. */
    tfc_out all = tfc_summary_merge_all(g);
    s = run_summary(g, all, st);
    CHECK_MSG(s && s->n_value == 3, "%s", tfc_message(st));
    if (s) tensorflow__summary__free_unpacked(s, NULL);

    /* Not 4-D, or 2 channels: a build error naming the node and the shape. */
    t = tfc_tensor_new(TFC_FLOAT, TFC_SHAPE(2, 5, 5, 2));
    tfc_summary_image(g, "two", tfc_const(g, t, NULL), 3);
    tfc_tensor_free(t);
    CHECK_MSG(!tfc_graph_ok(g) && strstr(tfc_graph_error(g), "two") && strstr(tfc_graph_error(g), "[2,5,5,2]"), "%s",
              tfc_graph_error(g));
    tfc_graph_free(g);
    tfc_status_free(st);
}

/* The codec: a round trip of every channel count, and bad bytes as errors, never crashes. */
static void test_png_codec(void)
{
    tfc_status *st = tfc_status_new();
    uint8_t px[5 * 3 * 4];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 37 + 11);
    for (int c = 1; c <= 4; c++) {
        unsigned char *png = NULL;
        size_t len = 0;
        tfc_rgba_image img;
        CHECK_MSG(tfc_png_encode(px, 5, 3, c, &png, &len, st), "%s", tfc_message(st));
        CHECK_MSG(tfc_png_decode(png, len, &img, st), "%s", tfc_message(st));
        CHECK(img.width == 5 && img.height == 3);
        for (int p = 0; img.rgba && p < 15; p++) {
            const uint8_t *in = px + p * c, *out = img.rgba + 4 * p;
            uint8_t want_rgb[3] = {in[0], c >= 3 ? in[1] : in[0], c >= 3 ? in[2] : in[0]};
            uint8_t want_a = c == 2 ? in[1] : c == 4 ? in[3] : 255;
            CHECK_MSG(out[3] == want_a && (want_a == 0 || (out[0] == want_rgb[0] && out[1] == want_rgb[1] && out[2] == want_rgb[2])),
                      "channels %d pixel %d", c, p);
        }
        /* Truncated or corrupted (a flipped byte in the image data fails its CRC): errors. */
        tfc_rgba_image bad;
        tfc_status_clear(st);
        CHECK(!tfc_png_decode(png, len / 2, &bad, st) && strstr(tfc_message(st), "PNG"));
        png[len - 20] ^= 0x55;
        tfc_status_clear(st);
        CHECK(!tfc_png_decode(png, len, &bad, st) && strstr(tfc_message(st), "PNG"));
        tfc_status_clear(st);
        CHECK(!tfc_png_decode("GIF89a....", 10, &bad, st) && strstr(tfc_message(st), "not a PNG"));
        tfc_status_clear(st);
        tfc_rgba_image_clear(&img);
        free(png);
    }
    tfc_status_free(st);
}

int main(void)
{
    test_histogram_worked_example();
    test_names_and_merge();
    test_image();
    test_png_codec();
    return check_result();
}
