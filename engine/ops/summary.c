/* Summary ops: ScalarSummary, HistogramSummary (TensorFlow's default exponential buckets and
 * its bucket encoding, FORMATS.md §4), ImageSummary (PNG through libpng, TensorFlow's scaling of
 * float images) and MergeSummary. Outputs are serialized Summary protobufs built with
 * protobuf-c, held in DT_STRING scalars. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../summary_ops.h"
#include "common.h"
#include "png_codec.h"
#include "summary.pb-c.h"

/* ---- shared ---- */

static bool is_real(tfc_dtype dt)
{
    switch (dt) {
    case TFC_FLOAT:
    case TFC_DOUBLE:
    case TFC_INT32:
    case TFC_INT64:
    case TFC_UINT8:
    case TFC_INT16:
    case TFC_INT8:
    case TFC_UINT16:
    case TFC_UINT32:
    case TFC_UINT64: return true;
    default: return false;
    }
}

/* Packs s into output 0, a string scalar. */
static bool output_summary(tfc_kernel_ctx *k, const Tensorflow__Summary *s)
{
    size_t len = tensorflow__summary__get_packed_size(s);
    char *bytes = malloc(len + 1);
    if (!bytes) return tfc_kernel_error(k, "out of memory for a summary of %zu bytes", len);
    tensorflow__summary__pack(s, (uint8_t *)bytes);
    bytes[len] = '\0';
    tfc_tensor *t = tfc_kernel_output(k, 0, TFC_STRING, TFC_SCALAR);
    if (!t) {
        free(bytes);
        return false;
    }
    tfc_bytes *b = t->data;
    free(b->ptr);
    b->ptr = bytes;
    b->len = len;
    return true;
}

static bool infer_string_scalar_out(tfc_graph *g, int node)
{
    tfc_node_set_output(g, node, 0, TFC_STRING, TFC_SCALAR);
    return true;
}

/* A string scalar Const named name holding s. */
static tfc_out string_const(tfc_graph *g, const char *s, const char *name)
{
    tfc_tensor *t = tfc_tensor_new(TFC_STRING, TFC_SCALAR);
    size_t len = strlen(s);
    tfc_bytes *b = t ? t->data : NULL;
    if (b && (b->ptr = malloc(len + 1))) {
        memcpy(b->ptr, s, len + 1);
        b->len = len;
    }
    tfc_out o = tfc_const(g, b && b->ptr ? t : NULL, name);
    tfc_tensor_free(t);
    return o;
}

/* A summary goes into the graph's "summaries" collection, as TensorFlow's do (the MetaGraph keeps it). */
static tfc_out collected(tfc_graph *g, tfc_out o)
{
    char name[600];
    if (tfc_out_ok(o)) tfc_graph_add_to_collection(g, "summaries", tfc_out_name(g, o, name, sizeof name));
    return o;
}

/* Starts tf.summary.* ops: scope NAME, Const NAME/<arg> with the scope's name as tag, and the
 * op named like the scope (attr T set); the caller sets other attrs and finishes the node. NAME is
 * first cleaned as TensorFlow's summary ops clean it (summary_op_util.clean_tag): a character
 * other than [-/\w.] becomes '_' and leading '/' go ("my loss" is "my_loss"); what is still no
 * valid scope name (non-ASCII letters) is the build error TensorFlow's ValueError is. */
static int summary_begin(tfc_graph *g, const char *type, const char *arg, const char *name, tfc_out values)
{
    char scope[512], clean[512];
    if (name) {
        while (*name == '/') name++;
        size_t i = 0;
        for (; name[i] && i < sizeof clean - 1; i++) {
            unsigned char c = (unsigned char)name[i];
            bool word = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            clean[i] = word || strchr("-/_.", c) ? (char)c : '_';
        }
        clean[i] = '\0';
        name = clean;
    }
    tfc_op_scope_push(g, name, type, scope);
    size_t n = strlen(scope);
    char tag[512];
    snprintf(tag, sizeof tag, "%.*s", (int)(n ? n - 1 : 0), scope);
    tfc_out tags = string_const(g, tag, arg);
    tfc_scope_pop(g);
    int node = tfc_node_begin(g, type, scope, (tfc_out[]){tags, values}, 2, 1);
    if (node >= 0) tfc_set_attr_type(g, node, "T", tfc_out_dtype(g, values));
    return node;
}

static tfc_out summary_node(tfc_graph *g, const char *type, const char *arg, const char *name, tfc_out values)
{
    return collected(g, tfc_node_finish(g, summary_begin(g, type, arg, name, values)));
}

static bool check_values(tfc_graph *g, int node)
{
    if (in_dtype(g, node, 0) != TFC_STRING) return tfc_node_error(g, node, "the tag input must be a string tensor");
    if (!is_real(in_dtype(g, node, 1)))
        return tfc_node_error(g, node, "values must be a real number type, not %s",
                              tfc_dtype_name(in_dtype(g, node, 1)));
    return true;
}

/* ---- ScalarSummary ---- */

static bool infer_scalar(tfc_graph *g, int node)
{
    if (!check_values(g, node)) return false;
    tfc_shape a = in_shape(g, node, 0), b = in_shape(g, node, 1);
    char sa[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX];
    if (a.rank >= 0 && b.rank >= 0 && !tfc_shape_equal(a, b))
        return tfc_node_error(g, node, "tags and values must have the same shape: %s vs %s", tfc_shape_str(a, sa),
                              tfc_shape_str(b, sb));
    return infer_string_scalar_out(g, node);
}

static bool k_scalar(tfc_kernel_ctx *k)
{
    const tfc_tensor *tags = k->in[0], *values = k->in[1];
    char sa[TFC_SHAPE_STR_MAX], sb[TFC_SHAPE_STR_MAX];
    if (!tfc_shape_equal(tags->shape, values->shape))
        return tfc_kernel_error(k, "tags and values must have the same shape: %s vs %s", tfc_shape_str(tags->shape, sa),
                                tfc_shape_str(values->shape, sb));
    size_t n = (size_t)values->size;
    Tensorflow__Summary__Value *vals = calloc(n ? n : 1, sizeof *vals);
    Tensorflow__Summary__Value **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    bool ok = vals && ptrs;
    const tfc_bytes *tb = tags->data;
    for (size_t i = 0; ok && i < n; i++) {
        tensorflow__summary__value__init(&vals[i]);
        vals[i].tag = tb[i].ptr ? tb[i].ptr : "";
        vals[i].value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_SIMPLE_VALUE;
        vals[i].simple_value = (float)tfc_tensor_get(values, (int64_t)i);
        ptrs[i] = &vals[i];
    }
    if (ok) {
        Tensorflow__Summary s = TENSORFLOW__SUMMARY__INIT;
        s.n_value = n;
        s.value = ptrs;
        ok = output_summary(k, &s);
    } else {
        tfc_kernel_error(k, "out of memory");
    }
    free(vals);
    free(ptrs);
    return ok;
}

const tfc_op_def tfc_op_ScalarSummary = {"ScalarSummary", infer_scalar, k_scalar, NULL, 0, .ninputs = 2};

tfc_out tfc_summary_scalar(tfc_graph *g, const char *name, tfc_out value)
{
    return summary_node(g, "ScalarSummary", "tags", name, value);
}

/* ---- HistogramSummary ---- */

#define NLIMITS 1551
static double limits[NLIMITS];
/* The bucket to start from for a value, by the top 16 bits of the double (sign, exponent and 4
 * mantissa bits). Such a range of values spans a ratio below 1.0625 and neighbouring limits
 * differ by 1.1, so at most one limit falls inside it: the value's bucket is the start or the
 * next one, found with one comparison instead of a binary search (TensorFlow's upper_bound). */
static uint16_t start_of[1 << 16];
static pthread_once_t limits_once = PTHREAD_ONCE_INIT;

/* The first limit strictly greater than x, by binary search (NLIMITS when none is). */
static int upper_bound(double x)
{
    int lo = 0, hi = NLIMITS;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (limits[mid] > x) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* [-DBL_MAX, -positives reversed, 0, positives, DBL_MAX], positives from 1e-12 by x1.1 below 1e20. */
static void build_limits(void)
{
    double pos[774];
    int n = 0;
    for (double v = 1e-12; v < 1e20; v *= 1.1) pos[n++] = v;
    int k = 0;
    limits[k++] = -DBL_MAX;
    for (int i = n - 1; i >= 0; i--) limits[k++] = -pos[i];
    limits[k++] = 0.0;
    for (int i = 0; i < n; i++) limits[k++] = pos[i];
    limits[k++] = DBL_MAX;
    for (uint32_t key = 0; key < (1u << 16); key++) {
        if (((key >> 4) & 0x7ff) == 0x7ff) continue; /* infinities and NaNs never get here */
        /* The range's lowest value (its low end when positive, its largest magnitude when
         * negative): every value of the range has its bucket at or just after this one's. */
        uint64_t bits = (uint64_t)key << 48;
        if (key >> 15) bits |= (1ull << 48) - 1;
        double lowest;
        memcpy(&lowest, &bits, sizeof lowest);
        start_of[key] = (uint16_t)upper_bound(lowest);
    }
}

static bool infer_histogram(tfc_graph *g, int node)
{
    if (!check_values(g, node)) return false;
    tfc_shape a = in_shape(g, node, 0);
    if (a.rank > 0) return tfc_node_error(g, node, "the tag must be a scalar string");
    return infer_string_scalar_out(g, node);
}

static bool k_histogram(tfc_kernel_ctx *k)
{
    pthread_once(&limits_once, build_limits);
    const tfc_tensor *values = k->in[1];
    const tfc_bytes *tagb = k->in[0]->data;
    const char *tag = tagb->ptr ? tagb->ptr : "";
    double counts[NLIMITS + 1] = {0}; /* [NLIMITS]: DBL_MAX itself, counted in the last bucket below */
    double mn = DBL_MAX, mx = -DBL_MAX, sum = 0, sum_sq = 0;
    const float *f = values->dtype == TFC_FLOAT ? values->data : NULL;
    for (int64_t i = 0; i < values->size; i++) {
        double x = f ? f[i] : tfc_tensor_get(values, i);
        if (!isfinite(x)) return tfc_kernel_error(k, "Nan in summary histogram for: %s", tag);
        /* TensorFlow's CPU kernels run with denormals flushed to zero: do the same, so that the
         * tiniest values land in the same bucket as in TensorFlow's summaries. */
        if (fabs(x) < (f ? FLT_MIN : DBL_MIN)) x = copysign(0.0, x);
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        int b = start_of[bits >> 48];
        b += limits[b] <= x;
        counts[b] += 1;
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
        sum += x;
        sum_sq += x * x;
    }
    counts[NLIMITS - 1] += counts[NLIMITS];
    /* Non-empty buckets as (limit, count); a run of empty ones as one (last limit of the run, 0). */
    double out_limits[NLIMITS], out_counts[NLIMITS];
    size_t m = 0;
    for (int i = 0; i < NLIMITS;) {
        double end = limits[i], count = counts[i];
        i++;
        if (count <= 0.0)
            while (i < NLIMITS && counts[i] <= 0.0) end = limits[i++];
        out_limits[m] = end;
        out_counts[m++] = count;
    }
    Tensorflow__HistogramProto h = TENSORFLOW__HISTOGRAM_PROTO__INIT;
    h.min = mn;
    h.max = mx;
    h.num = (double)values->size;
    h.sum = sum;
    h.sum_squares = sum_sq;
    h.n_bucket_limit = h.n_bucket = m;
    h.bucket_limit = out_limits;
    h.bucket = out_counts;
    Tensorflow__Summary__Value v = TENSORFLOW__SUMMARY__VALUE__INIT, *vp = &v;
    v.tag = (char *)tag;
    v.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO;
    v.histo = &h;
    Tensorflow__Summary s = TENSORFLOW__SUMMARY__INIT;
    s.n_value = 1;
    s.value = &vp;
    return output_summary(k, &s);
}

const tfc_op_def tfc_op_HistogramSummary = {"HistogramSummary", infer_histogram, k_histogram, NULL, 0, .ninputs = 2};

tfc_out tfc_summary_histogram(tfc_graph *g, const char *name, tfc_out values)
{
    return summary_node(g, "HistogramSummary", "tag", name, values);
}

/* ---- ImageSummary ---- */

static const uint8_t default_bad_color[4] = {255, 0, 0, 255};

static bool infer_image(tfc_graph *g, int node)
{
    if (in_dtype(g, node, 0) != TFC_STRING) return tfc_node_error(g, node, "the tag input must be a string tensor");
    if (in_shape(g, node, 0).rank > 0) return tfc_node_error(g, node, "the tag must be a scalar string");
    tfc_dtype dt = in_dtype(g, node, 1);
    if (dt != TFC_UINT8 && dt != TFC_FLOAT && dt != TFC_DOUBLE)
        return tfc_node_error(g, node, "images must be uint8, float32 or float64, not %s", tfc_dtype_name(dt));
    tfc_shape s = in_shape(g, node, 1);
    char buf[TFC_SHAPE_STR_MAX];
    if (s.rank >= 0 && (s.rank != 4 || (s.dims[3] >= 0 && s.dims[3] != 1 && s.dims[3] != 3 && s.dims[3] != 4)))
        return tfc_node_error(g, node, "images must be 4-D [batch, height, width, channels] with 1, 3 or 4 channels, not %s",
                              tfc_shape_str(s, buf));
    if (tfc_attr_int(g, node, "max_images", 3) < 1)
        return tfc_node_error(g, node, "max_images must be at least 1, not %lld",
                              (long long)tfc_attr_int(g, node, "max_images", 3));
    const tfc_attr *bad = tfc_node_find_attr(g, node, "bad_color");
    if (bad && (bad->kind != TFC_ATTR_TENSOR || bad->tensor->dtype != TFC_UINT8 || bad->tensor->shape.rank != 1))
        return tfc_node_error(g, node, "bad_color must be a uint8 vector");
    return infer_string_scalar_out(g, node);
}

/* TensorFlow's mapping of one float image to uint8 (summary_image_op.cc): min and max over the
 * pixels whose channels are all finite, taken as float32; all >= 0: scaled so the max is 255; any
 * negative: 0 goes to 128 and the largest magnitude to 127 away from it; a range under 1e-6
 * scales by 0. The product is computed in the input's precision and truncated; a pixel with a
 * non-finite channel becomes bad_color. */
static void normalize_image(const tfc_tensor *t, int64_t first, int64_t hw, int depth, const uint8_t *bad,
                            uint8_t *out)
{
    const float *f = t->dtype == TFC_FLOAT ? (const float *)t->data + first : NULL;
    const double *d = t->dtype == TFC_DOUBLE ? (const double *)t->data + first : NULL;
#define VALUE(i) (f ? (double)f[i] : d[i])
    float lo = INFINITY, hi = -INFINITY;
    for (int64_t p = 0; p < hw; p++) {
        bool finite = true;
        for (int c = 0; c < depth; c++) finite = finite && isfinite(VALUE(p * depth + c));
        if (!finite) continue;
        for (int c = 0; c < depth; c++) {
            float v = (float)VALUE(p * depth + c);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    float scale, offset;
    if (lo < 0) {
        float m = fabsf(lo) > fabsf(hi) ? fabsf(lo) : fabsf(hi);
        scale = m < 1e-6f ? 0.0f : 127.0f / m;
        offset = 128.0f;
    } else {
        scale = hi < 1e-6f ? 0.0f : 255.0f / hi;
        offset = 0.0f;
    }
    for (int64_t p = 0; p < hw; p++) {
        bool finite = true;
        for (int c = 0; c < depth; c++) finite = finite && isfinite(VALUE(p * depth + c));
        for (int c = 0; c < depth; c++) {
            uint8_t *o = &out[p * depth + c];
            if (!finite) *o = bad[c];
            else if (f) *o = (uint8_t)(f[p * depth + c] * scale + offset);
            else *o = (uint8_t)(d[p * depth + c] * (double)scale + (double)offset);
        }
    }
#undef VALUE
}

static bool k_image(tfc_kernel_ctx *k)
{
    const tfc_tensor *t = k->in[1];
    const tfc_bytes *tagb = k->in[0]->data;
    const char *tag = tagb->ptr ? tagb->ptr : "";
    char buf[TFC_SHAPE_STR_MAX];
    const int64_t *dims = t->shape.dims;
    if (t->shape.rank != 4 || (dims[3] != 1 && dims[3] != 3 && dims[3] != 4))
        return tfc_kernel_error(k, "images must be 4-D with 1, 3 or 4 channels, not %s", tfc_shape_str(t->shape, buf));
    if (dims[0] >= (1ll << 31) || dims[1] >= (1ll << 31) || dims[2] >= (1ll << 31) || dims[1] * dims[2] >= (1ll << 29))
        return tfc_kernel_error(k, "images %s are too large for a summary", tfc_shape_str(t->shape, buf));
    int64_t max = tfc_attr_int(k->graph, k->node, "max_images", 3);
    int depth = (int)dims[3], h = (int)dims[1], w = (int)dims[2];
    int64_t hw = dims[1] * dims[2];
    const tfc_attr *bad_attr = tfc_node_find_attr(k->graph, k->node, "bad_color");
    const uint8_t *bad = default_bad_color;
    if (bad_attr) {
        if (bad_attr->tensor->size < depth)
            return tfc_kernel_error(k, "bad_color has %lld values, fewer than the images' %d channels",
                                    (long long)bad_attr->tensor->size, depth);
        bad = bad_attr->tensor->data;
    }
    size_t n = (size_t)(dims[0] < max ? dims[0] : max);
    Tensorflow__Summary__Value *vals = calloc(n ? n : 1, sizeof *vals);
    Tensorflow__Summary__Value **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    Tensorflow__Summary__Image *imgs = calloc(n ? n : 1, sizeof *imgs);
    uint8_t *pixels = t->dtype == TFC_UINT8 ? NULL : malloc((size_t)(hw * depth) + 1);
    bool ok = vals && ptrs && imgs && (t->dtype == TFC_UINT8 || pixels);
    if (!ok) tfc_kernel_error(k, "out of memory");
    for (size_t i = 0; ok && i < n; i++) {
        int64_t first = (int64_t)i * hw * depth;
        const uint8_t *px = pixels;
        if (pixels) normalize_image(t, first, hw, depth, bad, pixels);
        else px = (const uint8_t *)t->data + first;
        tensorflow__summary__image__init(&imgs[i]);
        imgs[i].height = h;
        imgs[i].width = w;
        imgs[i].colorspace = depth;
        ok = tfc_png_encode(px, w, h, depth, &imgs[i].encoded_image_string.data, &imgs[i].encoded_image_string.len,
                            k->st);
        tensorflow__summary__value__init(&vals[i]);
        size_t taglen = strlen(tag) + 32;
        if (ok && !(vals[i].tag = malloc(taglen))) ok = tfc_kernel_error(k, "out of memory");
        if (!ok) break;
        /* The suffix follows max_images, not the number of images made (as TensorFlow). */
        if (max > 1) snprintf(vals[i].tag, taglen, "%s/image/%zu", tag, i);
        else snprintf(vals[i].tag, taglen, "%s/image", tag);
        vals[i].value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_IMAGE;
        vals[i].image = &imgs[i];
        ptrs[i] = &vals[i];
    }
    if (ok) {
        Tensorflow__Summary s = TENSORFLOW__SUMMARY__INIT;
        s.n_value = n;
        s.value = ptrs;
        ok = output_summary(k, &s);
    }
    for (size_t i = 0; i < n && vals && imgs; i++) {
        free(vals[i].tag);
        free(imgs[i].encoded_image_string.data);
    }
    free(vals);
    free(ptrs);
    free(imgs);
    free(pixels);
    return ok;
}

const tfc_op_def tfc_op_ImageSummary = {"ImageSummary", infer_image, k_image, NULL, 0, .ninputs = 2};

tfc_out tfc_summary_image(tfc_graph *g, const char *name, tfc_out images, int max_outputs)
{
    int node = summary_begin(g, "ImageSummary", "tag", name, images);
    if (node >= 0) {
        tfc_set_attr_int(g, node, "max_images", max_outputs);
        tfc_tensor *bad = tfc_tensor_from(TFC_UINT8, TFC_SHAPE(4), default_bad_color);
        if (bad) tfc_set_attr_tensor(g, node, "bad_color", bad);
        tfc_tensor_free(bad);
    }
    return collected(g, tfc_node_finish(g, node));
}

/* ---- MergeSummary ---- */

static bool infer_merge(tfc_graph *g, int node)
{
    for (int i = 0; i < tfc_node_num_inputs(g, node); i++) {
        char in[256];
        if (in_dtype(g, node, i) != TFC_STRING || in_shape(g, node, i).rank > 0)
            return tfc_node_error(g, node, "input '%s' is not a string scalar (a summary)",
                                  tfc_out_name(g, in_out(g, node, i), in, sizeof in));
    }
    return infer_string_scalar_out(g, node);
}

static int cmp_tag(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Concatenating serialized Summaries concatenates their values (a repeated field); the inputs
 * are parsed only to refuse bad bytes and duplicate tags, as TensorFlow does. */
static bool k_merge(tfc_kernel_ctx *k)
{
    size_t total = 0, ntags = 0;
    bool ok = true;
    Tensorflow__Summary **parsed = calloc((size_t)k->ninputs + 1, sizeof *parsed);
    if (!parsed) return tfc_kernel_error(k, "out of memory");
    for (int i = 0; ok && i < k->ninputs; i++) {
        const tfc_bytes *b = k->in[i]->data;
        parsed[i] = tensorflow__summary__unpack(NULL, b->len, (const uint8_t *)b->ptr);
        if (!parsed[i]) ok = tfc_kernel_error(k, "input %d is not a serialized Summary", i);
        else ntags += parsed[i]->n_value;
        total += b->len;
    }
    const char **tags = ok ? calloc(ntags + 1, sizeof *tags) : NULL;
    if (ok && !tags) ok = tfc_kernel_error(k, "out of memory");
    size_t t = 0;
    for (int i = 0; ok && i < k->ninputs; i++)
        for (size_t j = 0; j < parsed[i]->n_value; j++) tags[t++] = parsed[i]->value[j]->tag;
    if (ok) qsort(tags, ntags, sizeof *tags, cmp_tag);
    for (size_t i = 1; ok && i < ntags; i++)
        if (strcmp(tags[i - 1], tags[i]) == 0)
            ok = tfc_kernel_error(k, "Duplicate tag %s found in summary inputs", tags[i]);
    char *bytes = ok ? malloc(total + 1) : NULL;
    if (ok && !bytes) ok = tfc_kernel_error(k, "out of memory");
    if (ok) {
        size_t at = 0;
        for (int i = 0; i < k->ninputs; i++) {
            const tfc_bytes *b = k->in[i]->data;
            if (b->len) memcpy(bytes + at, b->ptr, b->len);
            at += b->len;
        }
        bytes[total] = '\0';
        tfc_tensor *out = tfc_kernel_output(k, 0, TFC_STRING, TFC_SCALAR);
        if (out) {
            tfc_bytes *ob = out->data;
            free(ob->ptr);
            ob->ptr = bytes;
            ob->len = total;
            bytes = NULL;
        } else {
            ok = false;
        }
    }
    free(bytes);
    free(tags);
    for (int i = 0; i < k->ninputs; i++)
        if (parsed[i]) tensorflow__summary__free_unpacked(parsed[i], NULL);
    free(parsed);
    return ok;
}

const tfc_op_def tfc_op_MergeSummary = {"MergeSummary", infer_merge, k_merge, NULL, 0, .ninputs = TFC_INPUTS_LIST};

tfc_out tfc_summary_merge(tfc_graph *g, const tfc_out *summaries, int n, const char *name)
{
    if (!tfc_builder_array(g, "tfc_summary_merge", name, "Merge", "summaries", summaries, n)) return TFC_NO_OUT;
    tfc_scope_push(g, name ? name : "Merge");
    int node = tfc_node_begin(g, "MergeSummary", "MergeSummary", summaries, n, 1);
    if (node >= 0) tfc_set_attr_int(g, node, "N", n);
    tfc_out o = tfc_node_finish(g, node);
    tfc_scope_pop(g);
    return o;
}

tfc_out tfc_summary_merge_all(tfc_graph *g)
{
    int nn = tfc_graph_num_nodes(g), n = 0;
    tfc_out *all = malloc((size_t)(nn ? nn : 1) * sizeof *all);
    if (!all) return TFC_NO_OUT;
    for (int i = 0; i < nn; i++) {
        const char *op = tfc_node_op(g, i);
        if (strcmp(op, "ScalarSummary") == 0 || strcmp(op, "HistogramSummary") == 0 || strcmp(op, "ImageSummary") == 0)
            all[n++] = node_out(i, 0);
    }
    tfc_out o = n ? tfc_summary_merge(g, all, n, NULL) : TFC_NO_OUT;
    free(all);
    return o;
}
