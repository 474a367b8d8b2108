/* Tick positions and labels for linear, integer, log, wall-clock and duration axes. */
#include "plot_axes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MINUS "\xe2\x88\x92" /* U+2212, the typographic minus sign */

/* How many multiples of STEP, shifted by OFFSET, lie in [LO, HI]. */
static double count_in(double lo, double hi, double step, double offset)
{
    return floor((hi + offset) / step + 1e-9) - ceil((lo + offset) / step - 1e-9) + 1;
}

double tfc_plot_nice_step(double lo, double hi, size_t max_ticks, double min_step)
{
    static const double mantissas[] = {1, 2, 5};
    if (max_ticks < 2) max_ticks = 2;
    if (!(hi > lo)) return min_step > 0 ? min_step : 1;
    int e = (int)floor(log10((hi - lo) / (double)max_ticks)) - 1;
    for (;; e++) {
        for (size_t i = 0; i < 3; i++) {
            double step = mantissas[i] * pow(10, e);
            if (min_step > 0 && step < min_step) continue;
            if (count_in(lo, hi, step, 0) <= (double)max_ticks) return step;
        }
    }
}

/* The fewest decimals (0..15) that write X exactly enough next to a tick spacing of STEP. */
static int decimals_for(double x, double step)
{
    double tol = fabs(step) * 1e-6;
    for (int d = 0; d < 15; d++) {
        double scale = pow(10, d);
        if (fabs(x * scale - round(x * scale)) <= tol * scale) return d;
    }
    return 15;
}

static void strip_zeros(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot) return;
    char *end = s + strlen(s) - 1;
    while (end > dot && *end == '0') *end-- = '\0';
    if (end == dot) *end = '\0';
}

/* Writes "-" as a true minus sign. */
static void put_signed(char *buf, size_t len, double v, const char *digits)
{
    snprintf(buf, len, "%s%s", v < 0 ? MINUS : "", digits);
}

void tfc_plot_format_si(double v, double step, char *buf, size_t len)
{
    static const struct {
        double scale;
        const char *suffix;
    } si[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    char digits[24];
    double a = fabs(v);
    step = fabs(step);
    if (a <= step * 1e-9 || a == 0) {
        snprintf(buf, len, "0");
        return;
    }
    if (a >= 1e15 || (step < 1e-4 && a < 1e-3)) {
        int exp10 = (int)floor(log10(a));
        double mant = a / pow(10, exp10);
        snprintf(digits, sizeof digits, "%.*fe%d", decimals_for(mant, 0.01), mant, exp10);
        put_signed(buf, len, v, digits);
        return;
    }
    for (size_t i = 0; i < sizeof si / sizeof si[0]; i++) {
        if (a >= si[i].scale) {
            double s = a / si[i].scale;
            snprintf(digits, sizeof digits, "%.*f", decimals_for(s, step / si[i].scale), s);
            strip_zeros(digits);
            strcat(digits, si[i].suffix);
            put_signed(buf, len, v, digits);
            return;
        }
    }
    snprintf(digits, sizeof digits, "%.*f", decimals_for(step, step), a);
    put_signed(buf, len, v, digits);
}

static void linear_ticks(double lo, double hi, size_t max_ticks, double min_step,
                         tfc_plot_ticks *out)
{
    double step = tfc_plot_nice_step(lo, hi, max_ticks, min_step);
    double first = ceil(lo / step - 1e-9);
    for (double k = first; out->n < TFC_PLOT_MAX_TICKS; k++) {
        double v = k * step;
        if (v > hi + step * 1e-9) break;
        if (fabs(v) < step * 1e-9) v = 0;
        out->at[out->n] = v;
        tfc_plot_format_si(v, step, out->label[out->n], TFC_PLOT_LABEL_LEN);
        out->n++;
    }
}

/* "10" with the exponent D in superscript digits: 10⁻⁶. */
static void power_of_ten(int d, char *buf, size_t len)
{
    static const char *const sup[] = {"\xe2\x81\xb0", "\xc2\xb9",     "\xc2\xb2",     "\xc2\xb3",
                                      "\xe2\x81\xb4", "\xe2\x81\xb5", "\xe2\x81\xb6", "\xe2\x81\xb7",
                                      "\xe2\x81\xb8", "\xe2\x81\xb9"};
    char digits[12];
    snprintf(buf, len, "10%s", d < 0 ? "\xe2\x81\xbb" : ""); /* U+207B superscript minus */
    snprintf(digits, sizeof digits, "%d", abs(d));
    for (const char *c = digits; *c; c++) strncat(buf, sup[*c - '0'], len - strlen(buf) - 1);
}

/* Ticks at 1, 2 and 5 times the powers of ten in [lo, hi], with minor ticks at the other
 * multiples; false (and OUT untouched) unless there are 3 to MAX_TICKS of them. */
static bool one_two_five(double lo, double hi, int d0, int d1, size_t max_ticks,
                         tfc_plot_ticks *out)
{
    tfc_plot_ticks cand = {0};
    for (int d = d0 - 1; d <= d1; d++) {
        for (int m = 1; m <= 9; m++) {
            double v = m * pow(10, d);
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
            if (m == 1 || m == 2 || m == 5) {
                if (cand.n == TFC_PLOT_MAX_TICKS) return false;
                cand.at[cand.n] = v;
                tfc_plot_format_si(v, pow(10, d), cand.label[cand.n], TFC_PLOT_LABEL_LEN);
                cand.n++;
            } else if (cand.nminor < TFC_PLOT_MAX_MINOR) {
                cand.minor[cand.nminor++] = v;
            }
        }
    }
    if (cand.n < 3 || cand.n > max_ticks) return false;
    *out = cand;
    return true;
}

static void log_ticks(double lo, double hi, size_t max_ticks, tfc_plot_ticks *out)
{
    int d0 = (int)ceil(log10(lo) - 1e-9), d1 = (int)floor(log10(hi) + 1e-9);
    int ndec = d1 - d0 + 1;
    if (ndec >= 3 || (ndec == 2 && !one_two_five(lo, hi, d0, d1, max_ticks, out))) {
        int stride = 1;
        while ((ndec + stride - 1) / stride > (int)max_ticks) stride++;
        int start = d0 + ((stride - (d0 % stride)) % stride);
        /* beyond 0.001..10k, plain numbers get long: all decades as powers of ten then */
        bool powers = d0 < -3 || d1 > 4;
        for (int d = start; d <= d1 && out->n < TFC_PLOT_MAX_TICKS; d += stride) {
            double v = pow(10, d);
            out->at[out->n] = v;
            if (powers) power_of_ten(d, out->label[out->n], TFC_PLOT_LABEL_LEN);
            else tfc_plot_format_si(v, v, out->label[out->n], TFC_PLOT_LABEL_LEN);
            out->n++;
        }
        if (stride == 1 && ndec <= 8) {
            for (int d = d0 - 1; d <= d1; d++) {
                for (int m = 2; m <= 9 && out->nminor < TFC_PLOT_MAX_MINOR; m++) {
                    double v = m * pow(10, d);
                    if (v >= lo && v <= hi) out->minor[out->nminor++] = v;
                }
            }
        }
        return;
    }
    if (ndec == 2) return;
    /* Less than a decade between ticks: 1-2-5 values, or plain linear ticks when too few. */
    if (one_two_five(lo, hi, d0, d1, max_ticks, out)) return;
    linear_ticks(lo, hi, max_ticks, 0, out);
    /* a linear tick at or below zero has no place on a log axis */
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (out->at[i] <= 0) continue;
        out->at[k] = out->at[i];
        memcpy(out->label[k], out->label[i], TFC_PLOT_LABEL_LEN);
        k++;
    }
    out->n = k;
}

/* The first step from STEPS (seconds) that puts at most MAX_TICKS ticks, at multiples shifted
 * by OFFSET, into [LO, HI]; 0 when none does. */
static double pick_step(const double *steps, size_t nsteps, double lo, double hi, double offset,
                        size_t max_ticks)
{
    for (size_t i = 0; i < nsteps; i++)
        if (count_in(lo, hi, steps[i], offset) <= (double)max_ticks) return steps[i];
    return 0;
}

static void wall_ticks(double lo, double hi, size_t max_ticks, tfc_plot_ticks *out)
{
    static const double steps[] = {1,    2,    5,     10,    15,    30,    60,     120,
                                   300,  600,  900,   1800,  3600,  7200,  10800,  21600,
                                   43200, 86400, 172800, 604800, 1209600, 2419200, 4838400};
    time_t tlo = (time_t)floor(lo), thi = (time_t)floor(hi);
    struct tm tm_lo, tm_hi;
    localtime_r(&tlo, &tm_lo);
    localtime_r(&thi, &tm_hi);
    double offset = (double)tm_lo.tm_gmtoff; /* so that round times are round on the local clock */
    double step = pick_step(steps, sizeof steps / sizeof steps[0], lo, hi, offset, max_ticks);
    if (step == 0) step = 86400 * tfc_plot_nice_step(lo / 86400, hi / 86400, max_ticks, 1);
    /* a run written within a second or two: fractions of a second, "12:30:05.25", down to
     * microseconds (a double holds today's clock to a fraction of one) */
    int decimals = 0;
    if (step == 1 && count_in(lo, hi, 1, offset) < 2) {
        step = tfc_plot_nice_step(lo, hi, max_ticks, 1e-6);
        decimals = (int)ceil(-log10(step) - 1e-9);
    }
    const char *fmt = step < 60 ? "%H:%M:%S" : step < 86400 ? "%H:%M" : "%b %d";
    long long scale = 1;
    for (int d = 0; d < decimals; d++) scale *= 10;
    for (double t = ceil((lo + offset) / step - 1e-9) * step - offset;
         t <= hi + 1e-9 && out->n < TFC_PLOT_MAX_TICKS; t += step) {
        long long units = llround(t * (double)scale), frac = (units % scale + scale) % scale;
        time_t tt = (time_t)((units - frac) / scale);
        struct tm tm;
        localtime_r(&tt, &tm);
        out->at[out->n] = t;
        size_t len = strftime(out->label[out->n], TFC_PLOT_LABEL_LEN, fmt, &tm);
        if (decimals) snprintf(out->label[out->n] + len, TFC_PLOT_LABEL_LEN - len, ".%0*lld", decimals, frac);
        out->n++;
    }
    char a[16], b[16];
    strftime(a, sizeof a, "%Y-%m-%d", &tm_lo);
    strftime(b, sizeof b, "%Y-%m-%d", &tm_hi);
    if (strcmp(a, b) == 0)
        snprintf(out->unit, sizeof out->unit, "%s", a);
    else
        snprintf(out->unit, sizeof out->unit, "%s to %s", a, b);
}

static void duration_label(double v, const char *unit, char *buf, size_t len)
{
    char digits[24];
    long long s = llabs(llround(v));
    if (strcmp(unit, "h:mm") == 0)
        snprintf(digits, sizeof digits, "%lld:%02lld", s / 3600, (s / 60) % 60);
    else
        snprintf(digits, sizeof digits, "%lld:%02lld", s / 60, s % 60);
    put_signed(buf, len, s == 0 ? 0 : v, digits);
}

static void duration_ticks(double lo, double hi, size_t max_ticks, tfc_plot_ticks *out)
{
    static const double minute_steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800};
    static const double hour_steps[] = {60,   120,   300,   600,   900,  1800,
                                        3600, 7200, 10800, 21600, 43200};
    double span = fmax(fabs(lo), fabs(hi));
    const double *steps;
    size_t nsteps;
    if (span <= 120) {
        linear_ticks(lo, hi, max_ticks, 0, out);
        snprintf(out->unit, sizeof out->unit, "s");
        return;
    } else if (span <= 7200) {
        steps = minute_steps, nsteps = sizeof minute_steps / sizeof minute_steps[0];
        snprintf(out->unit, sizeof out->unit, "m:ss");
    } else if (span <= 3 * 86400) {
        steps = hour_steps, nsteps = sizeof hour_steps / sizeof hour_steps[0];
        snprintf(out->unit, sizeof out->unit, "h:mm");
    } else {
        linear_ticks(lo / 86400, hi / 86400, max_ticks, 0, out);
        for (size_t i = 0; i < out->n; i++) out->at[i] *= 86400;
        snprintf(out->unit, sizeof out->unit, "days");
        return;
    }
    double step = pick_step(steps, nsteps, lo, hi, 0, max_ticks);
    if (step == 0)
        step = steps[nsteps - 1] *
               tfc_plot_nice_step(lo / steps[nsteps - 1], hi / steps[nsteps - 1], max_ticks, 1);
    for (double k = ceil(lo / step - 1e-9); out->n < TFC_PLOT_MAX_TICKS; k++) {
        double v = k * step;
        if (v > hi + 1e-9) break;
        out->at[out->n] = v;
        duration_label(v, out->unit, out->label[out->n], TFC_PLOT_LABEL_LEN);
        out->n++;
    }
}

void tfc_plot_axis_ticks(tfc_plot_scale scale, double lo, double hi, size_t max_ticks,
                         tfc_plot_ticks *out)
{
    memset(out, 0, sizeof *out);
    if (max_ticks < 2) max_ticks = 2;
    if (max_ticks > TFC_PLOT_MAX_TICKS) max_ticks = TFC_PLOT_MAX_TICKS;
    if (!(hi > lo)) return;
    switch (scale) {
    case TFC_PLOT_SCALE_LINEAR: linear_ticks(lo, hi, max_ticks, 0, out); break;
    case TFC_PLOT_SCALE_INTEGER: linear_ticks(lo, hi, max_ticks, 1, out); break;
    case TFC_PLOT_SCALE_LOG:
        if (lo > 0) log_ticks(lo, hi, max_ticks, out);
        break;
    case TFC_PLOT_SCALE_WALL: wall_ticks(lo, hi, max_ticks, out); break;
    case TFC_PLOT_SCALE_DURATION: duration_ticks(lo, hi, max_ticks, out); break;
    }
}
