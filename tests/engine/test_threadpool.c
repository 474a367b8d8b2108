/* The thread pool's loops: every item of [0, n) in exactly one piece, pieces no smaller than the
 * grain (unless the loop is), shrinking as the loop goes on, and the same pieces on every run
 * whichever threads take them, also when several loops run at once from queued tasks. */
#include <pthread.h>
#include <stdatomic.h>
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

static record *new_record(void)
{
    record *r = calloc(1, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    return r;
}

static int check_record(tfc_threadpool *p, record *r, int64_t n, int64_t grain, int64_t *begins);

/* Runs one loop and checks it; returns the number of pieces, their sorted begins in begins. */
static int check_loop(tfc_threadpool *p, int64_t n, int64_t grain, int64_t *begins)
{
    record *r = new_record();
    tfc_threadpool_run(p, n, grain, note_piece, r);
    return check_record(p, r, n, grain, begins);
}

/* Checks the pieces a loop ran (and frees the record), as check_loop. */
static int check_record(tfc_threadpool *p, record *r, int64_t n, int64_t grain, int64_t *begins)
{
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

#define SIDE_LOOPS 6

typedef struct {
    tfc_threadpool *p;
    int64_t n;
    record *r[SIDE_LOOPS];
    atomic_int pending;
} side_job;

/* A task that runs a loop, as a node whose kernel splits its work. */
static void loop_task(void *arg, int64_t i)
{
    side_job *j = arg;
    tfc_threadpool_run(j->p, j->n, 1, note_piece, j->r[i]);
    if (atomic_fetch_sub(&j->pending, 1) == 1) tfc_threadpool_wake(j->p);
}

/* Loops started side by side from tasks, the caller helping until they are done: each covers its
 * items once, in the pieces it has alone. */
static void check_side_by_side(tfc_threadpool *p, int64_t n)
{
    int64_t alone[MAX_PIECES], side[MAX_PIECES];
    int a = check_loop(p, n, 1, alone);
    side_job j = {.p = p, .n = n};
    atomic_init(&j.pending, SIDE_LOOPS);
    for (int i = 0; i < SIDE_LOOPS; i++) {
        j.r[i] = new_record();
        tfc_threadpool_submit(p, loop_task, &j, i);
    }
    tfc_threadpool_help(p, &j.pending);
    CHECK(atomic_load(&j.pending) == 0);
    for (int i = 0; i < SIDE_LOOPS; i++) {
        int b = check_record(p, j.r[i], n, 1, side);
        CHECK_MSG(a == b, "%d threads, loop %d beside others: %d pieces, alone %d", tfc_threadpool_size(p), i, b, a);
        for (int k = 0; k < a && a == b && k < MAX_PIECES; k++) CHECK(alone[k] == side[k]);
    }
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
        for (int rep = 0; rep < 20; rep++) check_side_by_side(p, 4999);
        tfc_threadpool_free(p);
    }
    return check_result();
}
