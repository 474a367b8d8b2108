/* tfc-ckpt's inspect, diff and dump (see ckpt_inspect.h). */
#include "ckpt_inspect.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "checkpoint_state.h"
#include "npy.h"
#include "tensor_print.h"

static tfc_bundle *open_path(const char *path, tfc_status *st)
{
    char prefix[PATH_MAX];
    if (!tfc_checkpoint_resolve(path, prefix, sizeof prefix, st)) return NULL;
    return tfc_bundle_open(prefix, st);
}

/* Whether tfc can hold this tensor's values (resource and variant handles, quantized types not). */
static bool readable(const tfc_bundle_entry *e) { return tfc_dtype_size((tfc_dtype)e->dtype) != 0; }

static const tfc_bundle_entry *need_tensor(tfc_bundle *b, const char *name, tfc_status *st)
{
    const tfc_bundle_entry *e = tfc_bundle_find(b, name);
    if (!e)
        tfc_fail(st, TFC_NOT_FOUND, "%s: no tensor '%s' (it has %d; `tfc-ckpt inspect` lists them)",
                 tfc_bundle_prefix(b), name, tfc_bundle_count(b));
    return e;
}

/* ---- table ---- */

typedef struct {
    char *cells[8];
} row;

static void fmt_stat(char *buf, size_t n, bool valid, double v)
{
    if (!valid)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.6g", v);
}

/* The columns a cell takes on a terminal: one per character, not per UTF-8 byte. */
static int text_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) w += (*p & 0xC0) != 0x80;
    return w;
}

static bool print_table(tfc_bundle *b, FILE *out, tfc_status *st)
{
    int n = tfc_bundle_count(b);
    row *rows = calloc((size_t)n + 1, sizeof *rows);
    if (!rows) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    static const char *const titles[8] = {"name", "dtype", "shape", "bytes", "min", "max", "mean", "std"};
    for (int c = 0; c < 8; c++) rows[0].cells[c] = strdup(titles[c]);
    long long total = 0;
    bool ok = true;
    for (int i = 0; ok && i < n; i++) {
        const tfc_bundle_entry *e = tfc_bundle_at(b, i);
        tfc_tensor_stats s = {0};
        if (readable(e)) {
            tfc_tensor *t = tfc_bundle_read(b, e->name, st);
            if (!t) ok = false;
            if (t) s = tfc_tensor_stats_of(t);
            tfc_tensor_free(t);
        } else if (tfc_bundle_version(b) == 2 && !e->num_slices) { /* no values, but its bytes are checked */
            int64_t len;
            void *raw = tfc_bundle_read_raw(b, e->name, &len, st);
            ok = raw != NULL;
            free(raw);
        }
        char buf[8][TFC_SHAPE_STR_MAX + 32], db[24];
        snprintf(buf[1], sizeof buf[1], "%s", tfc_bundle_dtype_name(e->dtype, db));
        tfc_shape_str(e->shape, buf[2]);
        if (e->num_slices) snprintf(buf[2] + strlen(buf[2]), 32, " (%d slices)", e->num_slices);
        snprintf(buf[3], sizeof buf[3], "%lld", (long long)e->nbytes);
        fmt_stat(buf[4], sizeof buf[4], s.valid, s.min);
        fmt_stat(buf[5], sizeof buf[5], s.valid, s.max);
        fmt_stat(buf[6], sizeof buf[6], s.valid, s.mean);
        fmt_stat(buf[7], sizeof buf[7], s.valid, s.std);
        rows[i + 1].cells[0] = strdup(e->name);
        for (int c = 1; c < 8; c++) rows[i + 1].cells[c] = strdup(buf[c]);
        total += e->nbytes;
    }
    if (ok) {
        int w[8] = {0};
        for (int r = 0; r <= n; r++)
            for (int c = 0; c < 8; c++) {
                int len = rows[r].cells[c] ? text_width(rows[r].cells[c]) : 0;
                if (len > w[c]) w[c] = len;
            }
        fprintf(out, "%s: V%d checkpoint, %d tensors, %lld bytes\n", tfc_bundle_prefix(b), tfc_bundle_version(b), n,
                total);
        for (int r = 0; r <= n; r++) {
            for (int c = 0; c < 8; c++) {
                const char *cell = rows[r].cells[c] ? rows[r].cells[c] : "";
                int pad = w[c] - text_width(cell);
                if (c >= 3) /* numbers right-aligned */
                    fprintf(out, "%*s%s%s", pad, "", cell, c < 7 ? "  " : "");
                else
                    fprintf(out, "%s%*s  ", cell, pad, "");
            }
            fputc('\n', out);
        }
    }
    for (int r = 0; r <= n; r++)
        for (int c = 0; c < 8; c++) free(rows[r].cells[c]);
    free(rows);
    return ok;
}

static bool print_values(tfc_bundle *b, const tfc_bundle_entry *e, bool full, FILE *out, tfc_status *st)
{
    char sb[TFC_SHAPE_STR_MAX], db[24];
    tfc_tensor *t = tfc_bundle_read(b, e->name, st);
    if (!t) return false;
    fprintf(out, "%s %s %s\n", e->name, tfc_bundle_dtype_name(e->dtype, db), tfc_shape_str(e->shape, sb));
    tfc_tensor_print(t, full, out);
    tfc_tensor_free(t);
    return true;
}

/* ---- JSON ---- */

static void json_stat(const char *key, bool valid, double v, FILE *out)
{
    fprintf(out, ", \"%s\": ", key);
    if (!valid)
        fputs("null", out);
    else if (isnan(v))
        fputs("NaN", out);
    else if (isinf(v))
        fputs(v < 0 ? "-Infinity" : "Infinity", out);
    else
        fprintf(out, "%.17g", v);
}

static bool print_json_entry(tfc_bundle *b, const tfc_bundle_entry *e, bool values, FILE *out, tfc_status *st)
{
    char db[24];
    fputs("{\"name\": ", out);
    tfc_json_string(e->name, strlen(e->name), out);
    fprintf(out, ", \"dtype\": \"%s\", \"shape\": [", tfc_bundle_dtype_name(e->dtype, db));
    for (int d = 0; d < e->shape.rank; d++) fprintf(out, "%s%lld", d ? ", " : "", (long long)e->shape.dims[d]);
    fprintf(out, "], \"bytes\": %lld, \"slices\": %d", (long long)e->nbytes, e->num_slices);
    tfc_tensor *t = NULL;
    if (readable(e) && !(t = tfc_bundle_read(b, e->name, st))) return false;
    tfc_tensor_stats s = t ? tfc_tensor_stats_of(t) : (tfc_tensor_stats){0};
    json_stat("min", s.valid, s.min, out);
    json_stat("max", s.valid, s.max, out);
    json_stat("mean", s.valid, s.mean, out);
    json_stat("std", s.valid, s.std, out);
    if (values) {
        fputs(", \"values\": ", out);
        if (t)
            tfc_tensor_print_json(t, out);
        else
            fputs("null", out);
    }
    fputc('}', out);
    tfc_tensor_free(t);
    return true;
}

static bool print_json(tfc_bundle *b, const tfc_ckpt_inspect_options *o, const tfc_bundle_entry *only, FILE *out,
                       tfc_status *st)
{
    fputs("{\"path\": ", out);
    tfc_json_string(tfc_bundle_prefix(b), strlen(tfc_bundle_prefix(b)), out);
    fprintf(out, ", \"version\": %d, \"tensors\": [", tfc_bundle_version(b));
    bool ok = true;
    if (only) {
        ok = print_json_entry(b, only, true, out, st);
    } else {
        for (int i = 0; ok && i < tfc_bundle_count(b); i++) {
            if (i) fputs(",\n  ", out);
            ok = print_json_entry(b, tfc_bundle_at(b, i), o->all, out, st);
        }
    }
    fputs("]}\n", out);
    return ok;
}

bool tfc_ckpt_inspect(const char *path, const tfc_ckpt_inspect_options *o, FILE *out, tfc_status *st)
{
    tfc_bundle *b = open_path(path, st);
    if (!b) return false;
    const tfc_bundle_entry *only = o->tensor ? need_tensor(b, o->tensor, st) : NULL;
    bool ok = !o->tensor || only;
    if (ok && o->json) {
        ok = print_json(b, o, only, out, st);
    } else if (ok && only) {
        ok = print_values(b, only, o->full, out, st);
    } else if (ok) {
        ok = print_table(b, out, st);
        for (int i = 0; ok && o->all && i < tfc_bundle_count(b); i++) {
            fputc('\n', out);
            if (readable(tfc_bundle_at(b, i))) ok = print_values(b, tfc_bundle_at(b, i), o->full, out, st);
        }
    }
    tfc_bundle_close(b);
    return ok;
}

/* ---- diff ---- */

/* Compares two tensors of the same dtype and shape: the number of values that differ bitwise and
 * the largest absolute difference among numeric ones. */
static int64_t compare_values(const tfc_tensor *x, const tfc_tensor *y, double *max_abs)
{
    int64_t differ = 0;
    *max_abs = 0;
    size_t es = tfc_dtype_size(x->dtype);
    for (int64_t i = 0; i < x->size; i++) {
        bool same;
        if (x->dtype == TFC_STRING) {
            const tfc_bytes *a = &((const tfc_bytes *)x->data)[i], *b = &((const tfc_bytes *)y->data)[i];
            same = a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
        } else {
            same = memcmp((const char *)x->data + (size_t)i * es, (const char *)y->data + (size_t)i * es, es) == 0;
            double d = tfc_tensor_abs_diff(x, y, i);
            if (!same && !isnan(*max_abs) && (isnan(d) || d > *max_abs)) *max_abs = d;
        }
        differ += !same;
    }
    return differ;
}

/* For a tensor of a dtype tfc has no values for (a tf.data iterator's variant state): whether the
 * two checkpoints store different bytes for it, 1 or 0; -1 with st set when they cannot be read. */
static int raw_bytes_differ(tfc_bundle *a, tfc_bundle *b, const tfc_bundle_entry *e, tfc_status *st)
{
    int64_t na, nb;
    void *x = tfc_bundle_read_raw(a, e->name, &na, st);
    void *y = x ? tfc_bundle_read_raw(b, e->name, &nb, st) : NULL;
    int r = !y ? -1 : na != nb || (na && memcmp(x, y, (size_t)na) != 0);
    free(x);
    free(y);
    return r;
}

int tfc_ckpt_diff(const char *a_path, const char *b_path, FILE *out, tfc_status *st)
{
    tfc_bundle *a = open_path(a_path, st);
    tfc_bundle *b = a ? open_path(b_path, st) : NULL;
    if (!b) {
        tfc_bundle_close(a);
        return -1;
    }
    int only_a = 0, only_b = 0, changed = 0, same = 0, differ = 0;
    bool ok = true;
    char s1[TFC_SHAPE_STR_MAX], s2[TFC_SHAPE_STR_MAX], d1[24], d2[24];
    for (int i = 0; i < tfc_bundle_count(a); i++)
        if (!tfc_bundle_find(b, tfc_bundle_at(a, i)->name)) {
            const tfc_bundle_entry *e = tfc_bundle_at(a, i);
            fprintf(out, "only in A: %s %s %s\n", e->name, tfc_bundle_dtype_name(e->dtype, d1),
                    tfc_shape_str(e->shape, s1));
            only_a++;
        }
    for (int i = 0; i < tfc_bundle_count(b); i++)
        if (!tfc_bundle_find(a, tfc_bundle_at(b, i)->name)) {
            const tfc_bundle_entry *e = tfc_bundle_at(b, i);
            fprintf(out, "only in B: %s %s %s\n", e->name, tfc_bundle_dtype_name(e->dtype, d1),
                    tfc_shape_str(e->shape, s1));
            only_b++;
        }
    for (int i = 0; ok && i < tfc_bundle_count(a); i++) {
        const tfc_bundle_entry *ea = tfc_bundle_at(a, i), *eb = tfc_bundle_find(b, ea->name);
        if (!eb) continue;
        if (ea->dtype != eb->dtype || !tfc_shape_equal(ea->shape, eb->shape)) {
            fprintf(out, "changed:   %s %s %s -> %s %s\n", ea->name, tfc_bundle_dtype_name(ea->dtype, d1),
                    tfc_shape_str(ea->shape, s1), tfc_bundle_dtype_name(eb->dtype, d2), tfc_shape_str(eb->shape, s2));
            changed++;
            continue;
        }
        if (!readable(ea)) {
            int r = raw_bytes_differ(a, b, ea, st);
            if (r < 0) ok = false;
            if (r > 0) {
                differ++;
                fprintf(out, "values:    %s: the stored bytes differ (tfc does not decode dtype %s)\n", ea->name,
                        tfc_bundle_dtype_name(ea->dtype, d1));
            }
            same += r == 0;
            continue;
        }
        tfc_tensor *x = tfc_bundle_read(a, ea->name, st);
        tfc_tensor *y = x ? tfc_bundle_read(b, eb->name, st) : NULL;
        if (!y) {
            ok = false;
        } else {
            double max_abs;
            int64_t n = compare_values(x, y, &max_abs);
            if (n == 0) {
                same++;
            } else {
                differ++;
                if (x->dtype == TFC_STRING || tfc_dtype_size(x->dtype) == 0)
                    fprintf(out, "values:    %s: %lld of %lld differ\n", ea->name, (long long)n, (long long)x->size);
                else if (max_abs == 0) /* equal as numbers: 0 against -0, or NaNs of other bits */
                    fprintf(out, "values:    %s: %lld of %lld differ in their bits only (0 and -0, or NaNs)\n",
                            ea->name, (long long)n, (long long)x->size);
                else
                    fprintf(out, "values:    %s: %lld of %lld differ, max abs difference %.9g\n", ea->name,
                            (long long)n, (long long)x->size, max_abs);
            }
        }
        tfc_tensor_free(x);
        tfc_tensor_free(y);
    }
    if (ok)
        fprintf(out, "A: %s\nB: %s\n%d identical, %d with different values, %d changed dtype or shape, %d only in A, "
                     "%d only in B\n",
                tfc_bundle_prefix(a), tfc_bundle_prefix(b), same, differ, changed, only_a, only_b);
    tfc_bundle_close(a);
    tfc_bundle_close(b);
    if (!ok) return -1;
    return differ || changed || only_a || only_b ? 1 : 0;
}

bool tfc_ckpt_convert(const char *src, const char *dst_prefix, tfc_status *st)
{
    tfc_bundle *b = open_path(src, st);
    if (!b) return false;
    tfc_bundle_writer *w = tfc_bundle_writer_new(dst_prefix, st);
    bool ok = w != NULL;
    for (int i = 0; ok && i < tfc_bundle_count(b); i++) {
        const tfc_bundle_entry *e = tfc_bundle_at(b, i);
        if (!readable(e)) { /* kept as stored: a variant's encoding is the same in any bundle */
            int64_t n;
            void *raw = tfc_bundle_read_raw(b, e->name, &n, st);
            ok = raw && tfc_bundle_writer_add_raw(w, e->name, e->dtype, e->shape, raw, n, st);
            free(raw);
            continue;
        }
        tfc_tensor *t = tfc_bundle_read(b, e->name, st);
        ok = t && tfc_bundle_writer_add(w, e->name, t, st);
        tfc_tensor_free(t);
    }
    ok = ok && tfc_bundle_writer_finish(w, st);
    tfc_bundle_writer_free(w);
    tfc_bundle_close(b);
    return ok;
}

bool tfc_ckpt_dump(const char *path, const char *tensor, const char *npy_path, tfc_status *st)
{
    tfc_bundle *b = open_path(path, st);
    if (!b) return false;
    tfc_tensor *t = need_tensor(b, tensor, st) ? tfc_bundle_read(b, tensor, st) : NULL;
    bool ok = t && tfc_npy_write(npy_path, t, st);
    tfc_tensor_free(t);
    tfc_bundle_close(b);
    return ok;
}
