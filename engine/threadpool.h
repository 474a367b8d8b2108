/* A fixed pool of worker threads for data-parallel loops inside kernels. */
#ifndef TFC_THREADPOOL_H
#define TFC_THREADPOOL_H

#include <stdint.h>

typedef struct tfc_threadpool tfc_threadpool;

/* nthreads counts the calling thread: a pool of 1 runs everything inline. */
tfc_threadpool *tfc_threadpool_new(int nthreads);
void tfc_threadpool_free(tfc_threadpool *p);
/* Runs fn over [0, n) split into contiguous pieces (shrinking as the loop goes on, none smaller
 * than grain) that the threads claim in turn, and returns when all are done. Which thread runs a
 * piece varies from run to run, the pieces do not. Not reentrant: kernels call it from the
 * session's thread. */
void tfc_threadpool_run(tfc_threadpool *p, int64_t n, int64_t grain, void (*fn)(void *arg, int64_t b, int64_t e),
                        void *arg);
int tfc_threadpool_size(const tfc_threadpool *p);

#endif
