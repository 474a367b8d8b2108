/* The thread pool's loops: every item of [0, n) in exactly one piece, pieces no smaller than the
 * grain (unless the loop is), shrinking as the loop goes on, and the same pieces on every run
 * whichever threads take them. */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "threadpool.h"

#define MAX_ITEMS 5000
#define MAX_PIECES 1000

typedef struct {
    pthread_mutex_t mu;
    int hits[MAX_ITEMS];
    int64_t begin[MAX_PIECES], end[MAX_PIECES];
    int pieces;
} record;

static void note_piece(void *arg, int64_t b, int64_t e)
{
    record *r = arg;
    pthread_mutex_lock(&r->mu);
    if (r->pieces < MAX_PIECES) {
        r->begin[r->pieces] = b;
        r->end[r->pieces] = e;
    }
    r->pieces++;
    for (int64_t i = b; i < e; i++) r->hits[i]++;
    pthread_mutex_unlock(&r->mu);
}

static int by_begin(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Runs one loop and checks it; returns the number of pieces, their sorted begins in begins. */
static int check_loop(tfc_threadpool *p, int64_t n, int64_t grain, int64_t *begins)
{
    record *r = calloc(1, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    tfc_threadpool_run(p, n, grain, note_piece, r);
    for (int64_t i = 0; i < n; i++) CHECK_MSG(r->hits[i] == 1, "n %lld grain %lld: item %lld run %d times", (long long)n, (long long)grain, (long long)i, r->hits[i]);
    CHECK(r->pieces <= MAX_PIECES);
    int64_t shortest = n, longest = 0;
    for (int i = 0; i < r->pieces && i < MAX_PIECES; i++) {
        int64_t len = r->end[i] - r->begin[i];
        CHECK(len > 0);
        if (len < shortest) shortest = len;
        if (len > longest) longest = len;
        begins[i] = r->begin[i];
    }
    CHECK_MSG(shortest >= (grain < n ? grain : n), "n %lld grain %lld: a piece of %lld", (long long)n, (long long)grain,
              (long long)shortest);
    int pieces = r->pieces;
    /* a big loop is cut into pieces that shrink: the last is smaller than the first */
    if (tfc_threadpool_size(p) > 1 && n >= 1000 && grain == 1) CHECK(pieces > 8 && shortest * 4 <= longest);
    qsort(begins, (size_t)(pieces < MAX_PIECES ? pieces : MAX_PIECES), sizeof *begins, by_begin);
    pthread_mutex_destroy(&r->mu);
    free(r);
    return pieces;
}

int main(void)
{
    const int64_t sizes[] = {1, 2, 3, 7, 50, 64, 999, 1000, 4999};
    const int64_t grains[] = {1, 2, 16, 512};
    int64_t first[MAX_PIECES], again[MAX_PIECES];
    for (int threads = 1; threads <= 4; threads++) {
        tfc_threadpool *p = tfc_threadpool_new(threads);
        CHECK(p && tfc_threadpool_size(p) == threads);
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            for (size_t g = 0; g < sizeof grains / sizeof *grains; g++) {
                int a = check_loop(p, sizes[s], grains[g], first);
                for (int rep = 0; rep < 5; rep++) {
                    int b = check_loop(p, sizes[s], grains[g], again);
                    CHECK(a == b);
                    for (int i = 0; i < a && a == b && i < MAX_PIECES; i++) CHECK(first[i] == again[i]);
                }
            }
        tfc_threadpool_run(p, 0, 1, note_piece, NULL); /* an empty loop calls nothing */
        tfc_threadpool_free(p);
    }
    return check_result();
}
