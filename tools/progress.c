/* The training progress bar: step, loss (when there is one), examples/s and time left; redrawn at
 * most ten times a second on a terminal, a plain line every tenth of the work when the output is
 * a file or pipe. */
#include "progress.h"

#include <math.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

double tfc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void tfc_progress_start(tfc_progress *p, FILE *out, int64_t start_step, int64_t total, bool quiet)
{
    p->out = out;
    p->tty = isatty(fileno(out));
    p->quiet = quiet;
    p->total = total;
    p->start_step = start_step;
    p->t0 = tfc_now();
    p->last_draw = 0;
    p->last_line_step = start_step;
}

static void format_time(double s, char *buf, size_t n)
{
    if (s < 0 || s > 1e7) {
        snprintf(buf, n, "?");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

void tfc_progress_update(tfc_progress *p, int64_t step, double loss, int64_t examples)
{
    if (p->quiet) return;
    double now = tfc_now(), el = now - p->t0;
    bool last = step >= p->total;
    int64_t done = step - p->start_step, todo = p->total - p->start_step;
    double rate = el > 0 ? examples / el : 0, left = done > 0 ? el * (double)(p->total - step) / (double)done : -1;
    char eta[32];
    format_time(left, eta, sizeof eta);
    char loss_text[40] = ""; /* none when there is no loss (NaN) */
    if (!isnan(loss)) snprintf(loss_text, sizeof loss_text, " loss %.4f", loss);
    if (p->tty) {
        if (!last && now - p->last_draw < 0.1) return;
        p->last_draw = now;
        int width = 24, fill = todo > 0 ? (int)(width * done / todo) : width;
        char bar[32];
        for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(p->out, "\r\033[Kstep %lld/%lld [%s]%s  %.0f ex/s  ETA %s", (long long)step, (long long)p->total, bar,
                loss_text, rate, eta);
        fflush(p->out);
    } else {
        int64_t every = todo / 10 > 0 ? todo / 10 : 1;
        if (!last && step - p->last_line_step < every) return;
        p->last_line_step = step;
        fprintf(p->out, "step %lld/%lld%s%s  %.0f examples/s  ETA %s\n", (long long)step, (long long)p->total,
                *loss_text ? " " : "", loss_text, rate, eta);
    }
}

void tfc_progress_note(tfc_progress *p, const char *fmt, ...)
{
    if (p->quiet) return;
    if (p->tty) fprintf(p->out, "\r\033[K");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
    fputc('\n', p->out);
    p->last_draw = 0;
}

void tfc_progress_end(tfc_progress *p)
{
    if (!p->quiet && p->tty) fputc('\n', p->out);
}
