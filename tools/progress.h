/* Progress of long work: a bar redrawn in place on a terminal, plain lines otherwise. */
#ifndef TFC_PROGRESS_H
#define TFC_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *out;
    bool tty;
    bool quiet;
    int64_t total;
    int64_t start_step;
    double t0, last_draw;
    int64_t last_line_step;
} tfc_progress;

double tfc_now(void);
void tfc_progress_start(tfc_progress *p, FILE *out, int64_t start_step, int64_t total, bool quiet);
/* Step done (absolute), with the latest loss (NaN: none to show) and the examples processed
 * since start. */
void tfc_progress_update(tfc_progress *p, int64_t step, double loss, int64_t examples);
/* Prints a message line without breaking the bar. */
void tfc_progress_note(tfc_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tfc_progress_end(tfc_progress *p);

#endif
