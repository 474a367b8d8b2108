/* Showing tensor values to people and scripts: summary statistics, NumPy's print(array) layout
 * (nested brackets, aligned columns, `...` summaries, 75-column lines), and JSON. */
#ifndef TFC_TENSOR_PRINT_H
#define TFC_TENSOR_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "tensor.h"

typedef struct {
    bool valid; /* false for strings, complex numbers and empty tensors */
    double min, max, mean, std; /* NaN propagates like NumPy's; std is the population std */
} tfc_tensor_stats;

tfc_tensor_stats tfc_tensor_stats_of(const tfc_tensor *t);
/* Element i as a double, half and bfloat16 included; NaN for strings and complex numbers. */
double tfc_tensor_value(const tfc_tensor *t, int64_t i);
/* |x[i] - y[i]| for two tensors of one dtype: exact up to the rounding to double for 64-bit
 * integers, the modulus of the difference for complex numbers; NaN for strings. */
double tfc_tensor_abs_diff(const tfc_tensor *x, const tfc_tensor *y, int64_t i);

/* Writes the values as NumPy's str(array) does (precision 8, edge items 3; tensors of more than
 * 1000 values are summarised unless full), followed by a newline. */
void tfc_tensor_print(const tfc_tensor *t, bool full, FILE *out);
/* Writes the values as nested JSON arrays (a scalar as a bare value): numbers exactly (float32
 * with 9 significant digits, float64 with 17), NaN and Infinity as Python's json writes them,
 * booleans, complex numbers as [re, im], strings as tfc_json_string writes them. */
void tfc_tensor_print_json(const tfc_tensor *t, FILE *out);
/* A JSON string literal of n bytes, itself valid UTF-8: UTF-8 text as it is (control characters,
 * '"' and '\\' escaped), and each byte that is not part of well-formed UTF-8 as the lone
 * surrogate \udc80-\udcff (PEP 383's escape: Python's json.loads then
 * .encode("utf-8", "surrogateescape") gives back the bytes). */
void tfc_json_string(const char *s, size_t n, FILE *out);

#endif
