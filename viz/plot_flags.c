/* Reading the values of tfc-plot's range and size flags. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* A number with an optional SI suffix (k, M, G, T); false unless all of [S, END) is used. */
static bool number(const char *s, const char *end, double *out)
{
    char buf[64];
    size_t len = (size_t)(end - s);
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *rest;
    errno = 0;
    double v = strtod(buf, &rest);
    if (rest == buf || errno == ERANGE) return false;
    static const char suffixes[] = "kMGT";
    const char *at = *rest ? strchr(suffixes, *rest) : NULL;
    if (at) {
        v *= pow(1000, (double)(at - suffixes + 1));
        rest++;
    }
    if (*rest || !isfinite(v)) return false;
    *out = v;
    return true;
}

bool tfc_plot_parse_range(const char *s, double out[2], tfc_status *st)
{
    const char *sep = strchr(s, ':');
    if (!sep) sep = strchr(s, ',');
    if (!sep) return tfc_fail(st, TFC_INVALID_ARGUMENT, "range '%s' is not LO:HI", s);
    double lo = NAN, hi = NAN;
    const char *end = s + strlen(s);
    if ((sep > s && !number(s, sep, &lo)) || (end > sep + 1 && !number(sep + 1, end, &hi)))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "range '%s' is not LO:HI with numbers", s);
    if (!isnan(lo) && !isnan(hi) && !(lo < hi))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "range '%s' is empty (LO must be below HI)", s);
    out[0] = lo;
    out[1] = hi;
    return true;
}

const char *tfc_plot_ylim_note(const tfc_plot_options *opt)
{
    if (isnan(opt->ylim[0]) && isnan(opt->ylim[1])) return "";
    return " (--ylim set one end and the values the other: give both ends)";
}

bool tfc_plot_parse_size(const char *s, int *w, int *h, tfc_status *st)
{
    char *x;
    errno = 0;
    long a = strtol(s, &x, 10);
    if (x == s || (*x != 'x' && *x != 'X'))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "size '%s' is not WIDTHxHEIGHT in pixels", s);
    char *end;
    long b = strtol(x + 1, &end, 10);
    if (end == x + 1 || *end || errno)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "size '%s' is not WIDTHxHEIGHT in pixels", s);
    if (a < 50 || b < 50 || a > 20000 || b > 20000)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "size '%s' is out of range (50..20000 pixels)", s);
    *w = (int)a;
    *h = (int)b;
    return true;
}
