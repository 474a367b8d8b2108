/* Tensor statistics, NumPy-style printing and JSON (see tensor_print.h). The float layout follows
 * NumPy's default FloatingFormat: the shortest digits that read back as the same value (at most 8
 * after the point), columns aligned on the point, scientific notation when the shown values span
 * more than 1e3 or reach 1e8 or go below 1e-4. */
#include "tensor_print.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define PRECISION 8
#define EDGE_ITEMS 3
#define THRESHOLD 1000
#define LINE_WIDTH 75

/* ---- element access ---- */

static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(1024 + m, e - 25);
    return h & 0x8000 ? -v : v;
}

static uint16_t half_from_double(double x)
{
    uint16_t sign = signbit(x) ? 0x8000 : 0;
    x = fabs(x);
    if (isnan(x)) return sign | 0x7e00;
    if (x >= 65520.0) return sign | 0x7c00;
    if (x < 0x1p-14) return sign | (uint16_t)nearbyint(x * 0x1p24);
    int e;
    double m = nearbyint((frexp(x, &e) * 2 - 1) * 1024);
    int E = e + 14;
    if (m == 1024) {
        m = 0;
        E++;
    }
    return E >= 31 ? sign | 0x7c00 : sign | (uint16_t)(E << 10) | (uint16_t)m;
}

static float bf16_to_float(uint16_t b)
{
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint16_t bf16_from_float(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if (isnan(f)) return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fff + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

static bool is_float(tfc_dtype dt)
{
    return dt == TFC_FLOAT || dt == TFC_DOUBLE || dt == TFC_HALF || dt == TFC_BFLOAT16;
}
static bool is_complex(tfc_dtype dt) { return dt == TFC_COMPLEX64 || dt == TFC_COMPLEX128; }

double tfc_tensor_value(const tfc_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case TFC_HALF: return half_to_double(((const uint16_t *)t->data)[i]);
    case TFC_BFLOAT16: return bf16_to_float(((const uint16_t *)t->data)[i]);
    case TFC_STRING:
    case TFC_COMPLEX64:
    case TFC_COMPLEX128: return NAN;
    default: return tfc_tensor_get(t, i);
    }
}

/* Real and imaginary parts of complex element i. */
static void complex_value(const tfc_tensor *t, int64_t i, double *re, double *im)
{
    if (t->dtype == TFC_COMPLEX64) {
        *re = ((const float *)t->data)[2 * i];
        *im = ((const float *)t->data)[2 * i + 1];
    } else {
        *re = ((const double *)t->data)[2 * i];
        *im = ((const double *)t->data)[2 * i + 1];
    }
}

double tfc_tensor_abs_diff(const tfc_tensor *x, const tfc_tensor *y, int64_t i)
{
    if (is_complex(x->dtype)) {
        double xr, xi, yr, yi;
        complex_value(x, i, &xr, &xi);
        complex_value(y, i, &yr, &yi);
        return hypot(xr - yr, xi - yi);
    }
    if (x->dtype == TFC_INT64 || x->dtype == TFC_UINT64) {
        /* in 64-bit unsigned arithmetic: exact before the one rounding to double */
        uint64_t a = ((const uint64_t *)x->data)[i], b = ((const uint64_t *)y->data)[i];
        bool a_less = x->dtype == TFC_INT64 ? (int64_t)a < (int64_t)b : a < b;
        return (double)(a_less ? b - a : a - b);
    }
    return fabs(tfc_tensor_value(x, i) - tfc_tensor_value(y, i));
}

tfc_tensor_stats tfc_tensor_stats_of(const tfc_tensor *t)
{
    tfc_tensor_stats s = {0};
    if (t->size == 0 || t->dtype == TFC_STRING || is_complex(t->dtype)) return s;
    s.valid = true;
    s.min = INFINITY;
    s.max = -INFINITY;
    double mean = 0, m2 = 0;
    bool nan = false;
    for (int64_t i = 0; i < t->size; i++) {
        double v = tfc_tensor_value(t, i);
        if (isnan(v)) nan = true;
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
        double d = v - mean;
        mean += d / (double)(i + 1);
        m2 += d * (v - mean);
    }
    s.mean = mean;
    s.std = sqrt(m2 / (double)t->size);
    if (nan) s.min = s.max = s.mean = s.std = NAN;
    return s;
}

/* ---- a growable string ---- */

typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) return;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sb_putn(b, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void sb_pad(sbuf *b, int n)
{
    for (int i = 0; i < n; i++) sb_putn(b, " ", 1);
}

/* ---- shortest digits ---- */

/* Whether the decimal text reads back as v in dtype dt. */
static bool reads_back(const char *text, double v, tfc_dtype dt)
{
    switch (dt) {
    case TFC_DOUBLE: return strtod(text, NULL) == v;
    case TFC_FLOAT: return strtof(text, NULL) == (float)v;
    case TFC_HALF: return half_from_double(strtod(text, NULL)) == half_from_double(v);
    default: return bf16_from_float(strtof(text, NULL)) == bf16_from_float((float)v);
    }
}

/* v with the fewest digits after the point (positional) or in the mantissa (scientific) that read
 * back; when more than max_digits would be needed, v rounded to max_digits with trailing zeros
 * dropped, as NumPy's Dragon4 does. Writes the text and returns its digit count. */
static int shortest(double v, tfc_dtype dt, bool sci, int max_digits, char *buf, size_t cap)
{
    for (int d = 0; d <= max_digits; d++) {
        snprintf(buf, cap, sci ? "%.*e" : "%.*f", d, v);
        if (reads_back(buf, v, dt)) return d;
    }
    snprintf(buf, cap, sci ? "%.*e" : "%.*f", max_digits, v);
    char *e = strchr(buf, 'e'), *end = e ? e : buf + strlen(buf), *z = end;
    int d = max_digits;
    while (d > 0 && z[-1] == '0') {
        z--;
        d--;
    }
    if (d == 0) z--; /* the point goes too */
    memmove(z, end, strlen(end) + 1);
    return d;
}

/* ---- element formats ---- */

typedef struct {
    tfc_dtype dt;
    bool sci;
    int pad_left, pad_right, precision, exp_size; /* floats (NumPy's FloatingFormat) */
    int width;                                    /* integers */
} elem_fmt;

static int64_t int_digits(const tfc_tensor *t, int64_t i, char *buf, size_t cap)
{
    if (t->dtype == TFC_UINT64) return snprintf(buf, cap, "%llu", (unsigned long long)((const uint64_t *)t->data)[i]);
    if (t->dtype == TFC_INT64) return snprintf(buf, cap, "%lld", (long long)((const int64_t *)t->data)[i]);
    return snprintf(buf, cap, "%.0f", tfc_tensor_get(t, i));
}

/* Splits "1.25e-05" style text into mantissa int part length, fraction length and exponent. */
static void split_number(const char *s, int *int_len, int *frac_len, int *exp)
{
    const char *dot = strchr(s, '.'), *e = strchr(s, 'e');
    *int_len = dot ? (int)(dot - s) : e ? (int)(e - s) : (int)strlen(s);
    *frac_len = dot ? (e ? (int)(e - dot - 1) : (int)strlen(dot + 1)) : 0;
    *exp = e ? atoi(e + 1) : 0;
}

static void fmt_prepare(const tfc_tensor *t, const int64_t *idx, int64_t n, elem_fmt *f)
{
    *f = (elem_fmt){.dt = t->dtype};
    char buf[64];
    if (!is_float(t->dtype)) {
        for (int64_t k = 0; k < n; k++) {
            int w = (int)int_digits(t, idx[k], buf, sizeof buf);
            if (w > f->width) f->width = w;
        }
        return;
    }
    double max_abs = 0, min_abs = INFINITY;
    bool any_finite = false, nonfinite = false, neg_inf = false;
    for (int64_t k = 0; k < n; k++) {
        double v = tfc_tensor_value(t, idx[k]);
        if (!isfinite(v)) {
            nonfinite = true;
            neg_inf |= isinf(v) && v < 0;
            continue;
        }
        any_finite = true;
        if (v != 0) {
            if (fabs(v) > max_abs) max_abs = fabs(v);
            if (fabs(v) < min_abs) min_abs = fabs(v);
        }
    }
    f->sci = min_abs != INFINITY && (max_abs >= 1e8 || min_abs < 1e-4 || max_abs / min_abs > 1e3);
    int max_exp_digits = 0;
    for (int64_t k = 0; any_finite && k < n; k++) {
        double v = tfc_tensor_value(t, idx[k]);
        if (!isfinite(v)) continue;
        int il, fl, ex;
        shortest(v, t->dtype, f->sci, PRECISION, buf, sizeof buf);
        split_number(buf, &il, &fl, &ex);
        if (il > f->pad_left) f->pad_left = il;
        if (fl > f->precision) f->precision = fl;
        int ed = ex <= -100 || ex >= 100 ? 3 : 2;
        if (ed > max_exp_digits) max_exp_digits = ed;
    }
    f->exp_size = max_exp_digits;
    f->pad_right = f->sci ? f->exp_size + 2 + f->precision : f->precision;
    if (nonfinite) {
        int offset = f->pad_right + 1;
        if (3 - offset > f->pad_left) f->pad_left = 3 - offset;
        if (3 + neg_inf - offset > f->pad_left) f->pad_left = 3 + neg_inf - offset;
    }
}

static void bytes_repr(sbuf *b, const tfc_bytes *s)
{
    bool dq = memchr(s->ptr ? s->ptr : "", '\'', s->len) && !memchr(s->ptr ? s->ptr : "", '"', s->len);
    sb_puts(b, dq ? "b\"" : "b'");
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->ptr[i];
        if (c == '\\' || (c == '\'' && !dq))
            sb_printf(b, "\\%c", c);
        else if (c == '\n')
            sb_puts(b, "\\n");
        else if (c == '\r')
            sb_puts(b, "\\r");
        else if (c == '\t')
            sb_puts(b, "\\t");
        else if (c < 0x20 || c >= 0x7f)
            sb_printf(b, "\\x%02x", c);
        else
            sb_putn(b, (const char *)&c, 1);
    }
    sb_puts(b, dq ? "\"" : "'");
}

static void float_elem(sbuf *b, const elem_fmt *f, double v)
{
    char buf[64];
    if (!isfinite(v)) {
        const char *s = isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
        sb_pad(b, f->pad_left + f->pad_right + 1 - (int)strlen(s));
        sb_puts(b, s);
        return;
    }
    if (f->sci) /* every mantissa gets the same digits, the value's own (NumPy's min_digits) */
        snprintf(buf, sizeof buf, "%.*e", f->precision, v);
    else
        shortest(v, f->dt, false, PRECISION, buf, sizeof buf);
    int il, fl, ex;
    split_number(buf, &il, &fl, &ex);
    sb_pad(b, f->pad_left - il);
    sb_putn(b, buf, (size_t)il);
    sb_putn(b, ".", 1);
    sb_putn(b, buf + il + (fl ? 1 : 0), (size_t)fl);
    if (f->sci)
        sb_printf(b, "e%c%0*d", ex < 0 ? '-' : '+', f->exp_size, abs(ex));
    else
        sb_pad(b, f->pad_right - fl);
}

/* A 0-d value as NumPy's str() of a scalar writes it (shortest round trip, Python's layout). */
static void scalar_float(sbuf *b, double v, tfc_dtype dt)
{
    if (!isfinite(v)) {
        sb_puts(b, isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
        return;
    }
    char buf[64];
    int d = shortest(v, dt, true, 17, buf, sizeof buf);
    int il, fl, ex;
    split_number(buf, &il, &fl, &ex);
    if (v != 0 && (ex < -4 || ex >= 16)) {
        sb_putn(b, buf, (size_t)il);
        if (d) {
            sb_putn(b, ".", 1);
            sb_putn(b, buf + il + 1, (size_t)fl);
        }
        sb_printf(b, "e%c%02d", ex < 0 ? '-' : '+', abs(ex));
        return;
    }
    int digits = d - ex; /* fraction digits in positional form */
    snprintf(buf, sizeof buf, "%.*f", digits > 0 ? digits : 0, v);
    sb_puts(b, buf);
    if (digits <= 0) sb_puts(b, ".0");
}

static void elem(sbuf *b, const elem_fmt *f, const tfc_tensor *t, int64_t i, bool scalar)
{
    char buf[64];
    if (t->dtype == TFC_STRING) {
        bytes_repr(b, &((const tfc_bytes *)t->data)[i]);
    } else if (t->dtype == TFC_BOOL) {
        bool v = ((const uint8_t *)t->data)[i] != 0;
        sb_puts(b, v ? (scalar ? "True" : " True") : "False");
    } else if (is_complex(t->dtype)) {
        double re, im;
        complex_value(t, i, &re, &im);
        sb_printf(b, "%.8g%+.8gj", re, im);
    } else if (is_float(t->dtype)) {
        if (scalar)
            scalar_float(b, tfc_tensor_value(t, i), t->dtype);
        else
            float_elem(b, f, tfc_tensor_value(t, i));
    } else {
        int n = (int)int_digits(t, i, buf, sizeof buf);
        sb_pad(b, scalar ? 0 : f->width - n);
        sb_puts(b, buf);
    }
}

/* ---- NumPy's _formatArray ---- */

typedef struct {
    const tfc_tensor *t;
    const elem_fmt *f;
    bool summarize;
    int64_t stride[TFC_MAX_DIMS];
} printer;

/* Appends word to the current line, first wrapping to a new line with prefix if it would pass width. */
static void extend_line(sbuf *s, sbuf *line, const char *word, int width, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (line->n + strlen(word) > (size_t)width && line->n > plen) {
        while (line->n && line->p[line->n - 1] == ' ') line->p[--line->n] = '\0';
        sb_putn(s, line->p, line->n);
        sb_puts(s, "\n");
        line->n = 0;
        sb_puts(line, prefix);
    }
    sb_puts(line, word);
}

static void recurse(const printer *pr, int axis, int64_t offset, const char *hanging, int width, sbuf *out)
{
    const tfc_tensor *t = pr->t;
    int rank = t->shape.rank;
    int64_t len = t->shape.dims[axis];
    bool summary = pr->summarize && len > 2 * EDGE_ITEMS;
    int64_t lead = summary ? EDGE_ITEMS : 0, trail = summary ? EDGE_ITEMS : len;
    size_t hlen = strlen(hanging); /* one space per level: at most TFC_MAX_DIMS */
    char next_hanging[TFC_MAX_DIMS + 2];
    memset(next_hanging, ' ', hlen + 1);
    next_hanging[hlen + 1] = '\0';
    sbuf s = {0};
    /* the items shown: 0..lead-1, then (summary) len-trail..len-1 */
    int64_t nshow = lead + trail;
    if (rank - axis == 1) {
        int elem_width = width - 1;
        sbuf line = {0}, word = {0};
        sb_puts(&line, hanging);
        for (int64_t k = 0; k < nshow; k++) {
            int64_t i = k < lead ? k : len - trail + (k - lead);
            if (summary && k == lead) {
                extend_line(&s, &line, "...", elem_width, hanging);
                sb_puts(&line, " ");
            }
            word.n = 0;
            elem(&word, pr->f, t, offset + i * pr->stride[axis], false);
            extend_line(&s, &line, word.p ? word.p : "", elem_width, hanging);
            if (k + 1 < nshow) sb_puts(&line, " ");
        }
        sb_putn(&s, line.p, line.n);
        free(line.p);
        free(word.p);
    } else {
        char sep[TFC_MAX_DIMS + 1];
        int nl = rank - axis - 1;
        memset(sep, '\n', (size_t)nl);
        sep[nl] = '\0';
        for (int64_t k = 0; k < nshow; k++) {
            int64_t i = k < lead ? k : len - trail + (k - lead);
            if (summary && k == lead) {
                sb_puts(&s, hanging);
                sb_puts(&s, "...");
                sb_puts(&s, sep);
            }
            sb_puts(&s, hanging);
            recurse(pr, axis + 1, offset + i * pr->stride[axis], next_hanging, width - 1, &s);
            if (k + 1 < nshow) sb_puts(&s, sep);
        }
    }
    sb_puts(out, "[");
    if (s.n > hlen) sb_putn(out, s.p + hlen, s.n - hlen);
    sb_puts(out, "]");
    free(s.p);
}

/* The flat indices of the values shown (all, or EDGE_ITEMS at each end of every long dim). */
static int64_t shown_indices(const printer *pr, int64_t **out)
{
    const tfc_tensor *t = pr->t;
    int rank = t->shape.rank;
    int64_t n = 1, cnt[TFC_MAX_DIMS];
    for (int d = 0; d < rank; d++) {
        cnt[d] = pr->summarize && t->shape.dims[d] > 2 * EDGE_ITEMS ? 2 * EDGE_ITEMS : t->shape.dims[d];
        n *= cnt[d];
    }
    int64_t *idx = malloc((size_t)(n ? n : 1) * sizeof *idx);
    if (!idx) return -1;
    int64_t pos[TFC_MAX_DIMS] = {0};
    for (int64_t k = 0; k < n; k++) {
        int64_t off = 0;
        for (int d = 0; d < rank; d++) {
            int64_t i = cnt[d] < t->shape.dims[d] && pos[d] >= EDGE_ITEMS ? t->shape.dims[d] - cnt[d] + pos[d] : pos[d];
            off += i * pr->stride[d];
        }
        idx[k] = off;
        for (int d = rank - 1; d >= 0; d--) {
            if (++pos[d] < cnt[d]) break;
            pos[d] = 0;
        }
    }
    *out = idx;
    return n;
}

void tfc_tensor_print(const tfc_tensor *t, bool full, FILE *out)
{
    sbuf b = {0};
    elem_fmt f;
    if (t->shape.rank == 0) {
        fmt_prepare(t, NULL, 0, &f);
        elem(&b, &f, t, 0, true);
    } else if (t->size == 0) {
        sb_puts(&b, "[]"); /* NumPy writes every empty array so */
    } else {
        printer pr = {.t = t, .f = &f, .summarize = !full && t->size > THRESHOLD};
        int64_t s = 1;
        for (int d = t->shape.rank - 1; d >= 0; d--) {
            pr.stride[d] = s;
            s *= t->shape.dims[d];
        }
        int64_t *idx = NULL;
        int64_t n = shown_indices(&pr, &idx);
        fmt_prepare(t, idx, n < 0 ? 0 : n, &f);
        free(idx);
        recurse(&pr, 0, 0, " ", LINE_WIDTH, &b);
    }
    fprintf(out, "%s\n", b.p ? b.p : "");
    free(b.p);
}

/* ---- JSON ---- */

void tfc_json_string(const char *s, size_t n, FILE *out)
{
    const unsigned char *u = (const unsigned char *)s;
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t k = c >= 0x80 ? tfc_utf8_len(u + i, n - i) : 1;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else if (k == 0)
            fprintf(out, "\\udc%02x", c); /* a byte that is not UTF-8: PEP 383's lone surrogate */
        else
            fwrite(u + i, 1, k, out);
        i += k ? k : 1;
    }
    fputc('"', out);
}

static void json_number(double v, int digits, FILE *out)
{
    if (isnan(v))
        fputs("NaN", out);
    else if (isinf(v))
        fputs(v < 0 ? "-Infinity" : "Infinity", out);
    else {
        char buf[40];
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        /* "-0" would read back as the integer 0, losing the sign */
        fprintf(out, strpbrk(buf, ".e") ? "%s" : "%s.0", buf);
    }
}

static void json_elem(const tfc_tensor *t, int64_t i, FILE *out)
{
    switch (t->dtype) {
    case TFC_STRING: {
        const tfc_bytes *s = &((const tfc_bytes *)t->data)[i];
        tfc_json_string(s->ptr ? s->ptr : "", s->len, out);
        break;
    }
    case TFC_BOOL: fputs(((const uint8_t *)t->data)[i] ? "true" : "false", out); break;
    case TFC_DOUBLE: json_number(tfc_tensor_value(t, i), 17, out); break;
    case TFC_FLOAT:
    case TFC_HALF:
    case TFC_BFLOAT16: json_number(tfc_tensor_value(t, i), 9, out); break;
    case TFC_COMPLEX64:
    case TFC_COMPLEX128: {
        double re, im;
        complex_value(t, i, &re, &im);
        int digits = t->dtype == TFC_COMPLEX64 ? 9 : 17;
        fputc('[', out);
        json_number(re, digits, out);
        fputs(", ", out);
        json_number(im, digits, out);
        fputc(']', out);
        break;
    }
    default: {
        char buf[32];
        int_digits(t, i, buf, sizeof buf);
        fputs(buf, out);
    }
    }
}

static void json_rec(const tfc_tensor *t, int axis, int64_t *flat, FILE *out)
{
    if (axis == t->shape.rank) {
        json_elem(t, (*flat)++, out);
        return;
    }
    fputc('[', out);
    for (int64_t i = 0; i < t->shape.dims[axis]; i++) {
        if (i) fputs(", ", out);
        json_rec(t, axis + 1, flat, out);
    }
    fputc(']', out);
}

void tfc_tensor_print_json(const tfc_tensor *t, FILE *out)
{
    int64_t flat = 0;
    json_rec(t, 0, &flat, out);
}
