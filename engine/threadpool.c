/* Worker threads that take queued tasks (the executor's nodes) and pieces of parallel loops (a
 * kernel's work). A loop is cut into pieces that the threads, its caller included, claim in turn,
 * each a share of what is left (guided scheduling): the first are big calls, the last small
 * ones, so the threads finish within a small piece of each other, and on a machine shared with
 * other programs a thread the scheduler holds back delays only the piece it holds. Several
 * loops may be under way at once (nodes running side by side); a loop's caller works on its own
 * loop and then waits, idle threads take tasks first (another node on a core of its own beats
 * half a core for each of two calls), then pieces of the oldest loop with some left. */
#include "threadpool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* The smallest piece is 1/MAX_PIECES_PER_THREAD of a thread's share (or the loop's grain): still
 * a sizeable call (a product, a few images). */
#define MAX_PIECES_PER_THREAD 16

/* How long a thread that ran out of work watches for more before it sleeps: a network's ops
 * follow each other within microseconds, and waking a sleeping thread takes tens of them. */
#define SPIN_NS 100000

typedef struct loop {
    int64_t total, min_piece, next, finished; /* items [next, total) are unclaimed, `finished` done */
    void (*fn)(void *, int64_t, int64_t);
    void *arg;
    atomic_bool ended;
    struct loop *link; /* the next loop with unclaimed pieces */
} loop;

typedef struct {
    void (*fn)(void *, int64_t);
    void *arg;
    int64_t item;
} task;

struct tfc_threadpool {
    int n; /* threads including the caller */
    pthread_t *workers;
    int started; /* workers that have taken their index */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* work arrived, a loop ended, or a helper's counter may have reached 0 */
    int sleepers;      /* threads waiting on cv */
    atomic_bool quit;
    loop *loops, *last_loop; /* loops with unclaimed pieces, oldest first */
    task *tasks;             /* a ring of cap, count of them from head */
    int head, count, cap;
    atomic_uint work; /* bumped when a task or a loop arrives, watched by spinning threads */
};

static _Thread_local const tfc_threadpool *self_pool;
static _Thread_local int self_index;

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* What a waiting thread waits for: any of the conditions given. */
typedef struct {
    bool work;           /* a task or a loop piece to take */
    atomic_bool *ended;  /* a loop's last piece done */
    atomic_int *pending; /* a counter down to 0 */
} wait_for;

static bool has_work(const tfc_threadpool *p) { return p->count > 0 || p->loops != NULL; }

/* Whether the wait is over; with the mutex held, exact. */
static bool wait_over(const tfc_threadpool *p, const wait_for *w)
{
    return atomic_load(&p->quit) || (w->work && has_work(p)) || (w->ended && atomic_load(w->ended)) ||
           (w->pending && atomic_load(w->pending) == 0);
}

/* Waits until the wait is over: first watching for SPIN_NS with the mutex released, then asleep.
 * Called and returns with the mutex held. */
static void wait_until(tfc_threadpool *p, const wait_for *w)
{
    if (wait_over(p, w)) return;
    unsigned seen = atomic_load_explicit(&p->work, memory_order_relaxed);
    pthread_mutex_unlock(&p->mu);
    int64_t end = now_ns() + SPIN_NS;
    for (int i = 0;; i++) {
        if ((w->work && atomic_load_explicit(&p->work, memory_order_relaxed) != seen) ||
            (w->ended && atomic_load_explicit(w->ended, memory_order_relaxed)) ||
            (w->pending && atomic_load_explicit(w->pending, memory_order_relaxed) == 0) ||
            atomic_load_explicit(&p->quit, memory_order_relaxed))
            break;
        if ((i & 255) == 255 && now_ns() > end) break;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (!wait_over(p, w)) {
        p->sleepers++;
        pthread_cond_wait(&p->cv, &p->mu);
        p->sleepers--;
    }
}

static void wake_sleepers(tfc_threadpool *p)
{
    if (p->sleepers) pthread_cond_broadcast(&p->cv);
}

/* Claims loop l's next piece into [*b, *e); false when none is left. With the mutex held. */
static bool claim(tfc_threadpool *p, loop *l, int64_t *b, int64_t *e)
{
    if (l->next >= l->total) return false;
    /* a quarter of what is left per two threads, no less than the smallest piece, and all of it
     * when less than that would remain */
    int64_t lb = l->next, left = l->total - lb, size = left / (2 * p->n);
    if (size < l->min_piece) size = l->min_piece;
    int64_t le = left - size >= l->min_piece ? lb + size : l->total;
    l->next = le;
    if (le == l->total) { /* out of the list of loops with pieces to take */
        loop **at = &p->loops, *prev = NULL;
        while (*at != l) {
            prev = *at;
            at = &(*at)->link;
        }
        *at = l->link;
        if (p->last_loop == l) p->last_loop = prev;
    }
    *b = lb;
    *e = le;
    return true;
}

/* Runs piece [b, e) of l with the mutex released and counts it done. l lives on its caller's stack
 * until its last piece is counted: nothing here touches it after that. */
static void run_piece(tfc_threadpool *p, loop *l, int64_t b, int64_t e)
{
    void (*fn)(void *, int64_t, int64_t) = l->fn;
    void *arg = l->arg;
    pthread_mutex_unlock(&p->mu);
    fn(arg, b, e);
    pthread_mutex_lock(&p->mu);
    if ((l->finished += e - b) == l->total) {
        atomic_store(&l->ended, true);
        wake_sleepers(p);
    }
}

/* Runs one queued task, or else one piece of the oldest loop with some left; false when there is
 * neither. Called and returns with the mutex held. */
static bool work_once(tfc_threadpool *p)
{
    if (p->count) {
        task t = p->tasks[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        pthread_mutex_unlock(&p->mu);
        t.fn(t.arg, t.item);
        pthread_mutex_lock(&p->mu);
        return true;
    }
    int64_t b, e;
    loop *l = p->loops;
    if (!l || !claim(p, l, &b, &e)) return false;
    run_piece(p, l, b, e);
    return true;
}

static void *worker(void *varg)
{
    tfc_threadpool *p = varg;
    pthread_mutex_lock(&p->mu);
    self_pool = p;
    self_index = ++p->started;
    const wait_for w = {.work = true};
    while (!atomic_load(&p->quit))
        if (!work_once(p)) wait_until(p, &w);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

tfc_threadpool *tfc_threadpool_new(int nthreads)
{
    tfc_threadpool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = nthreads < 1 ? 1 : nthreads;
    atomic_init(&p->quit, false);
    atomic_init(&p->work, 0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->workers = calloc((size_t)p->n, sizeof *p->workers);
    if (!p->workers) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
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
    atomic_store(&p->quit, true);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++) pthread_join(p->workers[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->tasks);
    free(p->workers);
    free(p);
}

int tfc_threadpool_size(const tfc_threadpool *p) { return p->n; }

int tfc_threadpool_self(const tfc_threadpool *p) { return self_pool == p ? self_index : 0; }

void tfc_threadpool_run(tfc_threadpool *p, int64_t n, int64_t grain, void (*fn)(void *, int64_t, int64_t), void *arg)
{
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    if (n / grain <= 1 || p->n == 1) {
        fn(arg, 0, n);
        return;
    }
    int64_t least = (n + (int64_t)p->n * MAX_PIECES_PER_THREAD - 1) / ((int64_t)p->n * MAX_PIECES_PER_THREAD);
    loop l = {.total = n, .min_piece = least > grain ? least : grain, .fn = fn, .arg = arg};
    atomic_init(&l.ended, false);
    pthread_mutex_lock(&p->mu);
    if (p->last_loop)
        p->last_loop->link = &l;
    else
        p->loops = &l;
    p->last_loop = &l;
    atomic_fetch_add(&p->work, 1);
    wake_sleepers(p);
    int64_t b, e;
    while (claim(p, &l, &b, &e)) run_piece(p, &l, b, e);
    const wait_for w = {.ended = &l.ended};
    wait_until(p, &w);
    pthread_mutex_unlock(&p->mu);
}

void tfc_threadpool_submit(tfc_threadpool *p, void (*fn)(void *, int64_t), void *arg, int64_t item)
{
    pthread_mutex_lock(&p->mu);
    if (p->count == p->cap) {
        int ncap = p->cap ? 2 * p->cap : 64;
        task *nt = malloc((size_t)ncap * sizeof *nt);
        if (!nt) { /* no room to queue it: run it here */
            pthread_mutex_unlock(&p->mu);
            fn(arg, item);
            return;
        }
        for (int i = 0; i < p->count; i++) nt[i] = p->tasks[(p->head + i) % p->cap];
        free(p->tasks);
        p->tasks = nt;
        p->head = 0;
        p->cap = ncap;
    }
    p->tasks[(p->head + p->count++) % p->cap] = (task){fn, arg, item};
    atomic_fetch_add(&p->work, 1);
    wake_sleepers(p);
    pthread_mutex_unlock(&p->mu);
}

void tfc_threadpool_help(tfc_threadpool *p, atomic_int *pending)
{
    const wait_for w = {.work = true, .pending = pending};
    pthread_mutex_lock(&p->mu);
    while (atomic_load(pending) > 0)
        if (!work_once(p)) wait_until(p, &w);
    pthread_mutex_unlock(&p->mu);
}

void tfc_threadpool_wake(tfc_threadpool *p)
{
    pthread_mutex_lock(&p->mu);
    wake_sleepers(p);
    pthread_mutex_unlock(&p->mu);
}
