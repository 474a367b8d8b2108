/* Axis ticks: 1-2-5 steps, SI labels, log decades, clock and duration labels. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "plot_axes.h"

static void check_labels(const tfc_plot_ticks *t, const char *const *want, size_t n)
{
    CHECK_MSG(t->n == n, "%zu ticks, want %zu", t->n, n);
    for (size_t i = 0; i < n && i < t->n; i++)
        CHECK_MSG(strcmp(t->label[i], want[i]) == 0, "tick %zu is '%s', want '%s'", i,
                  t->label[i], want[i]);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    char buf[32];

    CHECK(tfc_plot_nice_step(0, 20000, 11, 0) == 2000);
    CHECK(tfc_plot_nice_step(0, 20000, 10, 0) == 5000);
    CHECK(tfc_plot_nice_step(0, 1, 6, 0) == 0.2);
    CHECK(tfc_plot_nice_step(0, 3, 10, 1) == 1); /* integer axes never go below 1 */

    tfc_plot_format_si(0, 1, buf, sizeof buf);
    CHECK(strcmp(buf, "0") == 0);
    tfc_plot_format_si(10000, 5000, buf, sizeof buf);
    CHECK(strcmp(buf, "10k") == 0);
    tfc_plot_format_si(1.5e6, 5e5, buf, sizeof buf);
    CHECK(strcmp(buf, "1.5M") == 0);
    tfc_plot_format_si(2500, 500, buf, sizeof buf);
    CHECK(strcmp(buf, "2.5k") == 0);
    tfc_plot_format_si(-0.25, 0.05, buf, sizeof buf);
    CHECK(strcmp(buf, "\xe2\x88\x92" "0.25") == 0);
    tfc_plot_format_si(1.0, 0.5, buf, sizeof buf); /* decimals follow the step: 0.5, 1.0, 1.5 */
    CHECK(strcmp(buf, "1.0") == 0);
    tfc_plot_format_si(2e-5, 1e-5, buf, sizeof buf);
    CHECK(strcmp(buf, "2e-5") == 0);
    tfc_plot_format_si(3e9, 1e9, buf, sizeof buf);
    CHECK(strcmp(buf, "3G") == 0);

    tfc_plot_ticks t;
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_INTEGER, 0, 20000, 6, &t);
    check_labels(&t, (const char *const[]){"0", "5k", "10k", "15k", "20k"}, 5);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_INTEGER, 0, 3, 12, &t);
    check_labels(&t, (const char *const[]){"0", "1", "2", "3"}, 4);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_LINEAR, 0.37, 0.98, 8, &t);
    check_labels(&t, (const char *const[]){"0.4", "0.5", "0.6", "0.7", "0.8", "0.9"}, 6);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_LINEAR, -1.1, 1.1, 4, &t);
    check_labels(&t, (const char *const[]){"\xe2\x88\x92" "1", "0", "1"}, 3);

    /* log: decades, with minor ticks between them */
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_LOG, 0.001, 1000, 8, &t);
    check_labels(&t, (const char *const[]){"0.001", "0.01", "0.1", "1", "10", "100", "1k"}, 7);
    CHECK(t.nminor == 6 * 8);
    /* too many decades for the room: every other one; beyond 10k as powers of ten */
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_LOG, 1, 1e8, 5, &t);
    check_labels(&t, (const char *const[]){"10\xe2\x81\xb0", "10\xc2\xb2", "10\xe2\x81\xb4",
                                           "10\xe2\x81\xb6", "10\xe2\x81\xb8"}, 5);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_LOG, 1e-11, 0.5, 3, &t);
    check_labels(&t, (const char *const[]){"10\xe2\x81\xbb\xe2\x81\xb8", "10\xe2\x81\xbb\xe2\x81\xb4"}, 2);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_LOG, 1e-11, 0.5, 12, &t);
    CHECK(t.n == 11 && strcmp(t.label[1], "10\xe2\x81\xbb\xc2\xb9\xe2\x81\xb0") == 0); /* 10⁻¹⁰ */
    /* a short log range: 1-2-5 */
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_LOG, 0.09, 2.6, 8, &t);
    check_labels(&t, (const char *const[]){"0.1", "0.2", "0.5", "1", "2"}, 5);

    /* wall clock: round times of the (here UTC) clock, the date in the unit */
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_WALL, 1500000000, 1500000000 + 1800, 8, &t);
    check_labels(&t, (const char *const[]){"02:40", "02:45", "02:50", "02:55", "03:00", "03:05", "03:10"}, 7);
    CHECK(strcmp(t.unit, "2017-07-14") == 0);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_WALL, 1500000000, 1500000000 + 5 * 86400, 6, &t);
    CHECK(t.n >= 4 && strcmp(t.label[0], "Jul 15") == 0);
    CHECK(strcmp(t.unit, "2017-07-14 to 2017-07-19") == 0);
    /* a run written within a second: fractions of a second, not an axis without a label */
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_WALL, 1500000000.1, 1500000000.9, 5, &t);
    check_labels(&t, (const char *const[]){"02:40:00.2", "02:40:00.4", "02:40:00.6", "02:40:00.8"}, 4);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_WALL, 1500000000.9995, 1500000001.0012, 4, &t);
    check_labels(&t, (const char *const[]){"02:40:00.9995", "02:40:01.0000", "02:40:01.0005", "02:40:01.0010"}, 4);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_WALL, 1500000000.00001, 1500000000.00004, 2, &t);
    check_labels(&t, (const char *const[]){"02:40:00.00002", "02:40:00.00004"}, 2);

    /* durations: m:ss under two hours, h:mm beyond */
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_DURATION, 0, 2000, 8, &t);
    check_labels(&t, (const char *const[]){"0:00", "5:00", "10:00", "15:00", "20:00", "25:00", "30:00"}, 7);
    CHECK(strcmp(t.unit, "m:ss") == 0);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_DURATION, 0, 5 * 3600, 6, &t);
    check_labels(&t, (const char *const[]){"0:00", "1:00", "2:00", "3:00", "4:00", "5:00"}, 6);
    CHECK(strcmp(t.unit, "h:mm") == 0);
    tfc_plot_axis_ticks(TFC_PLOT_SCALE_DURATION, 0, 50, 6, &t);
    CHECK(strcmp(t.unit, "s") == 0 && t.n == 6 && strcmp(t.label[5], "50") == 0);

    /* never more ticks than asked for */
    for (size_t max = 2; max < 15; max++) {
        tfc_plot_axis_ticks(TFC_PLOT_SCALE_LINEAR, -3.7, 123.4, max, &t);
        CHECK(t.n <= max && t.n >= 1);
        tfc_plot_axis_ticks(TFC_PLOT_SCALE_WALL, 1e9, 1e9 + 12345, max, &t);
        CHECK(t.n <= max);
    }
    return check_result();
}
