/* A fixed pool of worker threads shared by a session's executor (whole nodes, as tasks) and its
 * kernels (data-parallel loops). Several loops may run at once, each started from a different
 * thread (a node running on any of the pool's threads, or the caller's); idle threads take tasks
 * first, then pieces of the loops under way. */
#ifndef TFC_THREADPOOL_H
#define TFC_THREADPOOL_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct tfc_threadpool tfc_threadpool;

/* nthreads counts the calling thread: a pool of 1 runs everything inline. */
tfc_threadpool *tfc_threadpool_new(int nthreads);
void tfc_threadpool_free(tfc_threadpool *p);
int tfc_threadpool_size(const tfc_threadpool *p);
/* The calling thread's index in the pool: 1..size-1 for its workers, 0 for any other thread. */
int tfc_threadpool_self(const tfc_threadpool *p);

/* Runs fn over [0, n) split into contiguous pieces (shrinking as the loop goes on, none smaller
 * than grain) that the threads claim in turn, and returns when all are done. Which thread runs a
 * piece varies from run to run, the pieces do not. May be called from several threads at once
 * (not from inside fn): the caller runs pieces of its own loop and idle threads help. */
void tfc_threadpool_run(tfc_threadpool *p, int64_t n, int64_t grain, void (*fn)(void *arg, int64_t b, int64_t e),
                        void *arg);

/* Queues fn(arg, item) for an idle thread (tasks start in the order they were queued). A task may
 * queue tasks and run loops. */
void tfc_threadpool_submit(tfc_threadpool *p, void (*fn)(void *arg, int64_t item), void *arg, int64_t item);
/* Runs queued tasks and loop pieces on the calling thread until *pending is 0. Whoever sets it to 0
 * must then call tfc_threadpool_wake. */
void tfc_threadpool_help(tfc_threadpool *p, atomic_int *pending);
/* Wakes the threads waiting in tfc_threadpool_help to look at their counters again. */
void tfc_threadpool_wake(tfc_threadpool *p);

#endif
