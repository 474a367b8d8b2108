/* Numbered string sets: numbers follow the order strings were first added, a string added again
 * keeps its number, lookups of absent strings fail, and 200,000 strings stay fast (a linear list
 * would take minutes here). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "str_index.h"

int main(void)
{
    tfc_str_index x = {0};
    CHECK(tfc_str_index_find(&x, "a") == -1);
    CHECK(tfc_str_index_add(&x, "loss") == 0);
    CHECK(tfc_str_index_add(&x, "accuracy") == 1);
    CHECK(tfc_str_index_add(&x, "loss") == 0);
    CHECK(tfc_str_index_add(&x, "") == 2);
    CHECK(tfc_str_index_find(&x, "accuracy") == 1 && tfc_str_index_find(&x, "") == 2);
    CHECK(tfc_str_index_find(&x, "los") == -1 && x.n == 3 && strcmp(x.strs[1], "accuracy") == 0);

    enum { N = 200000 };
    clock_t t0 = clock();
    char s[32];
    for (int i = 0; i < N; i++) {
        snprintf(s, sizeof s, "tag/%06d", i);
        CHECK(tfc_str_index_add(&x, s) == i + 3);
    }
    bool all = true;
    for (int i = 0; i < N; i++) {
        snprintf(s, sizeof s, "tag/%06d", i);
        all &= tfc_str_index_find(&x, s) == i + 3 && tfc_str_index_add(&x, s) == i + 3;
    }
    CHECK(all && x.n == N + 3);
    CHECK(tfc_str_index_find(&x, "tag/200000") == -1);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK_MSG(secs < 5, "%.1f s for %d strings", secs, N);
    tfc_str_index_free(&x);
    CHECK(x.n == 0 && tfc_str_index_find(&x, "loss") == -1);
    return check_result();
}
