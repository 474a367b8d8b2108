/* Worker threads that wait on a condition variable for the next parallel loop. A loop is cut into
 * pieces that the threads, the caller included, claim in turn, each a share of what is left
 * (guided scheduling): the first are big calls, the last small ones, so the threads finish within
 * a small piece of each other, and on a machine shared with other programs a thread the scheduler
 * holds back delays only the piece it holds. */
#include "threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

/* The smallest piece is 1/MAX_PIECES_PER_THREAD of a thread's share (or the loop's grain): still
 * a sizeable call (a product, a few images). */
#define MAX_PIECES_PER_THREAD 16

struct tfc_threadpool {
    int n; /* threads including the caller */
    pthread_t *workers;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int quit;
    /* the current loop: items [next, total) are unclaimed, `finished` are done */
    int64_t total, min_piece, next, finished;
    void (*fn)(void *, int64_t, int64_t);
    void *arg;
    atomic_uint loops; /* loops started, read without the mutex by workers about to sleep */
    atomic_uint ended; /* loops whose last piece is done, read without the mutex by the caller */
};

/* How long a worker that ran out of pieces watches for the next loop before it sleeps, and the
 * caller for the others' last pieces: a network's ops follow each other within microseconds, and
 * waking a sleeping thread takes tens of them. */
#define SPIN_NS 100000

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Waits, with the mutex released, until the counter moves past `seen` or SPIN_NS pass. */
static void spin(tfc_threadpool *p, atomic_uint *counter, unsigned seen)
{
    pthread_mutex_unlock(&p->mu);
    int64_t end = now_ns() + SPIN_NS;
    for (int i = 0; atomic_load_explicit(counter, memory_order_acquire) == seen; i++) {
        if ((i & 255) == 255 && now_ns() > end) break;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    pthread_mutex_lock(&p->mu);
}

/* Claims and runs pieces until none is left; called and returns with the mutex held. */
static void run_pieces(tfc_threadpool *p)
{
    while (p->next < p->total) {
        /* a quarter of what is left per two threads, no less than the smallest piece, and all of
         * it when less than that would remain */
        int64_t b = p->next, left = p->total - b, size = left / (2 * p->n);
        if (size < p->min_piece) size = p->min_piece;
        int64_t e = left - size >= p->min_piece ? b + size : p->total;
        p->next = e;
        void (*fn)(void *, int64_t, int64_t) = p->fn;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->mu);
        fn(arg, b, e);
        pthread_mutex_lock(&p->mu);
        if ((p->finished += e - b) == p->total) {
            atomic_store_explicit(&p->ended, atomic_load_explicit(&p->loops, memory_order_relaxed), memory_order_release);
            pthread_cond_signal(&p->done);
        }
    }
}

static void *worker(void *varg)
{
    tfc_threadpool *p = varg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (!p->quit && p->next >= p->total) spin(p, &p->loops, atomic_load_explicit(&p->loops, memory_order_relaxed));
        while (!p->quit && p->next >= p->total) pthread_cond_wait(&p->go, &p->mu);
        if (p->quit) break;
        run_pieces(p);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

tfc_threadpool *tfc_threadpool_new(int nthreads)
{
    tfc_threadpool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = nthreads < 1 ? 1 : nthreads;
    atomic_init(&p->loops, 0);
    atomic_init(&p->ended, 0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->workers = calloc((size_t)p->n, sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return NULL;
    }
    for (int i = 1; i < p->n; i++) {
        if (pthread_create(&p->workers[i], NULL, worker, p) != 0) {
            p->n = i; /* run with the threads we got */
            break;
        }
    }
    return p;
}

void tfc_threadpool_free(tfc_threadpool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++) pthread_join(p->workers[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p->workers);
    free(p);
}

int tfc_threadpool_size(const tfc_threadpool *p) { return p->n; }

void tfc_threadpool_run(tfc_threadpool *p, int64_t n, int64_t grain, void (*fn)(void *, int64_t, int64_t), void *arg)
{
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    if (n / grain <= 1 || p->n == 1) {
        fn(arg, 0, n);
        return;
    }
    int64_t least = (n + (int64_t)p->n * MAX_PIECES_PER_THREAD - 1) / ((int64_t)p->n * MAX_PIECES_PER_THREAD);
    pthread_mutex_lock(&p->mu);
    p->total = n;
    p->min_piece = least > grain ? least : grain;
    p->next = 0;
    p->finished = 0;
    p->fn = fn;
    p->arg = arg;
    atomic_fetch_add_explicit(&p->loops, 1, memory_order_release);
    pthread_cond_broadcast(&p->go);
    run_pieces(p);
    if (p->finished < p->total) spin(p, &p->ended, atomic_load_explicit(&p->loops, memory_order_relaxed) - 1);
    while (p->finished < p->total) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
