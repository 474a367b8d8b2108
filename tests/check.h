/* A minimal test harness for the C unit tests: CHECK records a failure with file and line and
 * goes on; main returns check_result() so meson's runner sees the outcome. */
#ifndef TFC_CHECK_H
#define TFC_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures;

#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                   \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                           \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);                   \
            fprintf(stderr, __VA_ARGS__);                                                              \
            fputc('\n', stderr);                                                                       \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                          \
    do {                                                                                               \
        double check_a_ = (a), check_b_ = (b);                                                         \
        if (!(fabs(check_a_ - check_b_) <= (tol))) {                                                   \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g (tol %g)\n", __FILE__,     \
                    __LINE__, #a, check_a_, #b, check_b_, (double)(tol));                              \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

static inline int check_result(void)
{
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}

/* Bytes read by this process so far (read, pread and the like), from /proc/self/io; -1 when
 * unknown. */
static inline long long check_bytes_read(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    long long n = -1;
    char line[128];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "rchar: %lld", &n) == 1) break;
    if (f) fclose(f);
    return n;
}

/* Where shared fixtures live (../shared/fixtures/real from the repo root), or NULL. Tests that use
 * them exit 77 (meson's "skipped") when it is absent. */
#ifndef TFC_SOURCE_ROOT
#define TFC_SOURCE_ROOT "."
#endif

#endif
