/* Reading scalars, histograms, images and text out of Summary.Value messages, legacy and
 * tensor-encoded, and which plugin a value belongs to. */
#include "summary_value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tfc_plugin tfc_summary_value_plugin(const Tensorflow__Summary__Value *v, const char **name)
{
    const char *unused;
    if (!name) name = &unused;
    switch (v->value_case) {
    case TENSORFLOW__SUMMARY__VALUE__VALUE_SIMPLE_VALUE: *name = "scalars"; return TFC_PLUGIN_SCALARS;
    case TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO: *name = "histograms"; return TFC_PLUGIN_HISTOGRAMS;
    case TENSORFLOW__SUMMARY__VALUE__VALUE_IMAGE: *name = "images"; return TFC_PLUGIN_IMAGES;
    case TENSORFLOW__SUMMARY__VALUE__VALUE_AUDIO: *name = "audio"; return TFC_PLUGIN_OTHER;
    default: break;
    }
    *name = v->metadata && v->metadata->plugin_data ? v->metadata->plugin_data->plugin_name : "";
    if (!**name) return TFC_PLUGIN_NONE;
    if (strcmp(*name, "scalars") == 0) return TFC_PLUGIN_SCALARS;
    if (strcmp(*name, "histograms") == 0) return TFC_PLUGIN_HISTOGRAMS;
    if (strcmp(*name, "images") == 0) return TFC_PLUGIN_IMAGES;
    if (strcmp(*name, "text") == 0) return TFC_PLUGIN_TEXT;
    return TFC_PLUGIN_OTHER;
}

/* ---- Numeric TensorProto elements ---- */

/* Element count from the shape; -1 when unknown, negative or absurdly large. */
static int64_t tensor_numel(const Tensorflow__TensorProto *t)
{
    const Tensorflow__TensorShapeProto *s = t->tensor_shape;
    if (!s) return 1;
    if (s->unknown_rank) return -1;
    int64_t n = 1;
    for (size_t i = 0; i < s->n_dim; i++) {
        int64_t d = s->dim[i]->size;
        if (d < 0 || (d > 0 && n > ((int64_t)1 << 40) / d)) return -1;
        n *= d;
    }
    return n;
}

static size_t content_size(Tensorflow__DataType dt)
{
    switch (dt) {
    case TENSORFLOW__DATA_TYPE__DT_FLOAT:
    case TENSORFLOW__DATA_TYPE__DT_INT32:
    case TENSORFLOW__DATA_TYPE__DT_UINT32: return 4;
    case TENSORFLOW__DATA_TYPE__DT_DOUBLE:
    case TENSORFLOW__DATA_TYPE__DT_INT64:
    case TENSORFLOW__DATA_TYPE__DT_UINT64: return 8;
    case TENSORFLOW__DATA_TYPE__DT_INT16:
    case TENSORFLOW__DATA_TYPE__DT_UINT16:
    case TENSORFLOW__DATA_TYPE__DT_HALF:
    case TENSORFLOW__DATA_TYPE__DT_BFLOAT16: return 2;
    case TENSORFLOW__DATA_TYPE__DT_INT8:
    case TENSORFLOW__DATA_TYPE__DT_UINT8:
    case TENSORFLOW__DATA_TYPE__DT_BOOL: return 1;
    default: return 0;
    }
}

static double half_to_double(uint32_t h)
{
    int sign = (h >> 15) & 1, e = (h >> 10) & 0x1f;
    double m = h & 0x3ff, v;
    if (e == 0) v = ldexp(m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexp(m + 1024, e - 25);
    return sign ? -v : v;
}

static double bfloat16_to_double(uint32_t b)
{
    uint32_t bits = (b & 0xffffu) << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Element of little-endian raw bytes p holding dtype dt. */
static double raw_element(Tensorflow__DataType dt, const unsigned char *p)
{
    uint64_t u = 0;
    size_t n = content_size(dt);
    for (size_t i = 0; i < n; i++) u |= (uint64_t)p[i] << (8 * i);
    switch (dt) {
    case TENSORFLOW__DATA_TYPE__DT_FLOAT: {
        uint32_t b = (uint32_t)u;
        float f;
        memcpy(&f, &b, sizeof f);
        return f;
    }
    case TENSORFLOW__DATA_TYPE__DT_DOUBLE: {
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    case TENSORFLOW__DATA_TYPE__DT_INT32: return (int32_t)(uint32_t)u;
    case TENSORFLOW__DATA_TYPE__DT_INT64: return (double)(int64_t)u;
    case TENSORFLOW__DATA_TYPE__DT_INT16: return (int16_t)(uint16_t)u;
    case TENSORFLOW__DATA_TYPE__DT_INT8: return (int8_t)(uint8_t)u;
    case TENSORFLOW__DATA_TYPE__DT_HALF: return half_to_double((uint32_t)u);
    case TENSORFLOW__DATA_TYPE__DT_BFLOAT16: return bfloat16_to_double((uint32_t)u);
    case TENSORFLOW__DATA_TYPE__DT_BOOL: return u != 0;
    default: return (double)u; /* the unsigned types */
    }
}

/* The values of a *_val field: how many, and element i as a double. */
static size_t val_count(const Tensorflow__TensorProto *t)
{
    switch (t->dtype) {
    case TENSORFLOW__DATA_TYPE__DT_FLOAT: return t->n_float_val;
    case TENSORFLOW__DATA_TYPE__DT_DOUBLE: return t->n_double_val;
    case TENSORFLOW__DATA_TYPE__DT_INT32:
    case TENSORFLOW__DATA_TYPE__DT_INT16:
    case TENSORFLOW__DATA_TYPE__DT_INT8:
    case TENSORFLOW__DATA_TYPE__DT_UINT8:
    case TENSORFLOW__DATA_TYPE__DT_UINT16: return t->n_int_val;
    case TENSORFLOW__DATA_TYPE__DT_INT64: return t->n_int64_val;
    case TENSORFLOW__DATA_TYPE__DT_BOOL: return t->n_bool_val;
    case TENSORFLOW__DATA_TYPE__DT_HALF:
    case TENSORFLOW__DATA_TYPE__DT_BFLOAT16: return t->n_half_val;
    case TENSORFLOW__DATA_TYPE__DT_UINT32: return t->n_uint32_val;
    case TENSORFLOW__DATA_TYPE__DT_UINT64: return t->n_uint64_val;
    default: return 0;
    }
}

static double val_element(const Tensorflow__TensorProto *t, size_t i)
{
    switch (t->dtype) {
    case TENSORFLOW__DATA_TYPE__DT_FLOAT: return t->float_val[i];
    case TENSORFLOW__DATA_TYPE__DT_DOUBLE: return t->double_val[i];
    case TENSORFLOW__DATA_TYPE__DT_INT64: return (double)t->int64_val[i];
    case TENSORFLOW__DATA_TYPE__DT_BOOL: return t->bool_val[i];
    case TENSORFLOW__DATA_TYPE__DT_HALF: return half_to_double((uint32_t)t->half_val[i]);
    case TENSORFLOW__DATA_TYPE__DT_BFLOAT16: return bfloat16_to_double((uint32_t)t->half_val[i]);
    case TENSORFLOW__DATA_TYPE__DT_UINT32: return t->uint32_val[i];
    case TENSORFLOW__DATA_TYPE__DT_UINT64: return (double)t->uint64_val[i];
    default: return t->int_val[i];
    }
}

/* A numeric tensor's elements as doubles: numel of them, read from tensor_content or from the
 * *_val field (which TensorFlow lets be shorter than the shape: the last value repeats, and
 * none means zeros). Returns a malloc'ed array, or NULL with why set. */
static double *tensor_elements(const Tensorflow__TensorProto *t, int64_t numel, const char **why)
{
    size_t esize = content_size(t->dtype);
    if (!esize) return *why = "the tensor's dtype is not numeric", NULL;
    size_t nval = val_count(t);
    if (t->tensor_content.len) {
        if (t->tensor_content.len / esize != (size_t)numel || t->tensor_content.len % esize)
            return *why = "tensor_content does not match the tensor's shape", NULL;
    } else if (nval > (size_t)numel) {
        return *why = "the tensor has more values than its shape holds", NULL;
    } else if (numel > (1 << 24)) {
        return *why = "the tensor's shape is too large for a summary", NULL;
    }
    double *out = malloc((numel ? (size_t)numel : 1) * sizeof *out);
    if (!out) return *why = "out of memory", NULL;
    for (int64_t i = 0; i < numel; i++) {
        if (t->tensor_content.len) out[i] = raw_element(t->dtype, t->tensor_content.data + (size_t)i * esize);
        else out[i] = nval ? val_element(t, (size_t)i < nval ? (size_t)i : nval - 1) : 0.0;
    }
    return out;
}

bool tfc_summary_value_scalar(const Tensorflow__Summary__Value *v, double *out, const char **why)
{
    if (v->value_case == TENSORFLOW__SUMMARY__VALUE__VALUE_SIMPLE_VALUE) {
        *out = v->simple_value;
        return true;
    }
    if (v->value_case != TENSORFLOW__SUMMARY__VALUE__VALUE_TENSOR) {
        *why = "the value is neither a simple_value nor a tensor";
        return false;
    }
    if (tensor_numel(v->tensor) != 1) {
        *why = "the tensor does not hold exactly one element";
        return false;
    }
    double *e = tensor_elements(v->tensor, 1, why);
    if (!e) return false;
    *out = e[0];
    free(e);
    return true;
}

static bool histogram_from_proto(const Tensorflow__HistogramProto *p, tfc_histogram_point *h, const char **why)
{
    if (p->n_bucket_limit != p->n_bucket) {
        *why = "the histogram's bucket_limit and bucket lists differ in length";
        return false;
    }
    size_t n = p->n_bucket;
    h->limits = malloc((n ? n : 1) * sizeof *h->limits);
    h->counts = malloc((n ? n : 1) * sizeof *h->counts);
    if (!h->limits || !h->counts) {
        free(h->limits);
        free(h->counts);
        *why = "out of memory";
        return false;
    }
    if (n) {
        memcpy(h->limits, p->bucket_limit, n * sizeof *h->limits);
        memcpy(h->counts, p->bucket, n * sizeof *h->counts);
    }
    h->nbuckets = n;
    h->min = p->min;
    h->max = p->max;
    h->num = p->num;
    h->sum = p->sum;
    h->sum_squares = p->sum_squares;
    return true;
}

static bool histogram_from_tensor(const Tensorflow__TensorProto *t, tfc_histogram_point *h, const char **why)
{
    const Tensorflow__TensorShapeProto *s = t->tensor_shape;
    int64_t numel = tensor_numel(t);
    if (!s || s->n_dim != 2 || s->dim[1]->size != 3 || numel < 0) {
        *why = "the tensor is not a [k,3] histogram";
        return false;
    }
    size_t k = (size_t)s->dim[0]->size;
    double *e = tensor_elements(t, numel, why);
    if (!e) return false;
    h->limits = malloc((k ? k : 1) * sizeof *h->limits);
    h->counts = malloc((k ? k : 1) * sizeof *h->counts);
    if (!h->limits || !h->counts) {
        free(h->limits);
        free(h->counts);
        free(e);
        *why = "out of memory";
        return false;
    }
    h->nbuckets = k;
    h->num = 0;
    for (size_t i = 0; i < k; i++) {
        h->limits[i] = e[3 * i + 1];
        h->counts[i] = e[3 * i + 2];
        h->num += h->counts[i];
    }
    h->min = k ? e[0] : 0.0;
    h->max = k ? e[3 * k - 2] : 0.0;
    h->sum = h->sum_squares = k ? NAN : 0.0;
    free(e);
    return true;
}

bool tfc_summary_value_histogram(const Tensorflow__Summary__Value *v, tfc_histogram_point *h, const char **why)
{
    if (v->value_case == TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO) return histogram_from_proto(v->histo, h, why);
    if (v->value_case == TENSORFLOW__SUMMARY__VALUE__VALUE_TENSOR) return histogram_from_tensor(v->tensor, h, why);
    *why = "the value is neither a histo nor a tensor";
    return false;
}

/* ---- Images ---- */

static bool copy_image(tfc_image *img, const uint8_t *data, size_t len)
{
    img->len = len;
    img->data = malloc(len ? len : 1);
    if (!img->data) return false;
    if (len) memcpy(img->data, data, len);
    return true;
}

/* A decimal dimension of a TF2 image tensor ("28"); -1 when it is not one. */
static int parse_dim(const ProtobufCBinaryData *s)
{
    if (s->len == 0 || s->len > 9) return -1;
    int v = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (s->data[i] < '0' || s->data[i] > '9') return -1;
        v = v * 10 + (s->data[i] - '0');
    }
    return v;
}

bool tfc_summary_value_images(const Tensorflow__Summary__Value *v, tfc_image_point *p, const char **why)
{
    p->nimages = 0;
    p->images = NULL;
    if (v->value_case == TENSORFLOW__SUMMARY__VALUE__VALUE_IMAGE) {
        const Tensorflow__Summary__Image *im = v->image;
        if (!(p->images = calloc(1, sizeof *p->images))) return *why = "out of memory", false;
        *p->images = (tfc_image){.width = im->width, .height = im->height, .colorspace = im->colorspace};
        if (!copy_image(p->images, im->encoded_image_string.data, im->encoded_image_string.len)) {
            tfc_image_point_clear(p);
            return *why = "out of memory", false;
        }
        p->nimages = 1;
        return true;
    }
    if (v->value_case != TENSORFLOW__SUMMARY__VALUE__VALUE_TENSOR) {
        *why = "the value is neither an image nor a tensor";
        return false;
    }
    const Tensorflow__TensorProto *t = v->tensor;
    const Tensorflow__TensorShapeProto *s = t->tensor_shape;
    if (t->dtype != TENSORFLOW__DATA_TYPE__DT_STRING || !s || s->n_dim != 1 || s->dim[0]->size < 2 ||
        (size_t)s->dim[0]->size != t->n_string_val) {
        *why = "the tensor is not a string vector [width, height, images...]";
        return false;
    }
    int w = parse_dim(&t->string_val[0]), h = parse_dim(&t->string_val[1]);
    if (w < 0 || h < 0) {
        *why = "the tensor's width and height are not whole numbers";
        return false;
    }
    size_t n = t->n_string_val - 2;
    if (!(p->images = calloc(n ? n : 1, sizeof *p->images))) return *why = "out of memory", false;
    for (size_t i = 0; i < n; i++) {
        p->images[i] = (tfc_image){.width = w, .height = h};
        if (!copy_image(&p->images[i], t->string_val[i + 2].data, t->string_val[i + 2].len)) {
            p->nimages = i;
            tfc_image_point_clear(p);
            return *why = "out of memory", false;
        }
    }
    p->nimages = n;
    return true;
}

void tfc_image_point_clear(tfc_image_point *p)
{
    for (size_t i = 0; i < p->nimages; i++) free(p->images[i].data);
    free(p->images);
    p->images = NULL;
    p->nimages = 0;
}

/* ---- Text and blobs ---- */

bool tfc_summary_value_text(const Tensorflow__Summary__Value *v, tfc_text_point *t, const char **why)
{
    if (v->value_case != TENSORFLOW__SUMMARY__VALUE__VALUE_TENSOR ||
        v->tensor->dtype != TENSORFLOW__DATA_TYPE__DT_STRING) {
        *why = "the value is not a string tensor";
        return false;
    }
    const Tensorflow__TensorProto *tp = v->tensor;
    int64_t numel = tensor_numel(tp);
    if (numel < 0 || (size_t)numel != tp->n_string_val) {
        *why = "the string tensor's values do not fill its shape";
        return false;
    }
    size_t rank = tp->tensor_shape ? tp->tensor_shape->n_dim : 0;
    const Tensorflow__TensorShapeProto__Dim *const *dim = rank ? (const Tensorflow__TensorShapeProto__Dim *const *)tp->tensor_shape->dim : NULL;
    t->rows = rank == 0 ? 1 : (size_t)dim[rank >= 2 ? rank - 2 : 0]->size;
    t->cols = rank < 2 ? 1 : (size_t)dim[rank - 1]->size;
    size_t n = t->rows * t->cols;
    t->cells = calloc(n ? n : 1, sizeof *t->cells);
    if (!t->cells) return *why = "out of memory", false;
    for (size_t i = 0; i < n; i++) {
        const ProtobufCBinaryData *s = &tp->string_val[i];
        if (!(t->cells[i] = malloc(s->len + 1))) {
            tfc_text_point_clear(t);
            return *why = "out of memory", false;
        }
        if (s->len) memcpy(t->cells[i], s->data, s->len);
        t->cells[i][s->len] = '\0';
    }
    return true;
}

bool tfc_summary_value_blob(const Tensorflow__Summary__Value *v, const ProtobufCBinaryData **blob,
                            const char **why)
{
    if (v->value_case != TENSORFLOW__SUMMARY__VALUE__VALUE_TENSOR ||
        v->tensor->dtype != TENSORFLOW__DATA_TYPE__DT_STRING || v->tensor->n_string_val == 0) {
        *why = "the value is not a string tensor";
        return false;
    }
    *blob = &v->tensor->string_val[0];
    return true;
}
