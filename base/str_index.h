/* A set of distinct strings, each numbered in the order it was first added (0, 1, 2, ...) and
 * found by hashing, so that tables of names stay fast at any size: the tags of a logdir and of a
 * plot (100,000 tags are read and picked in well under a second). */
#ifndef TFC_STR_INDEX_H
#define TFC_STR_INDEX_H

#include <stddef.h>

typedef struct {
    char **strs;   /* by number: the set's own copies */
    size_t n, cap;
    size_t *slots; /* open addressing: a number + 1, or 0 for an empty slot; a power of two long */
    size_t nslots;
} tfc_str_index;

/* The number of s, adding a copy of it when it is new; -1 when out of memory. An all-zero
 * tfc_str_index is an empty set. */
long tfc_str_index_add(tfc_str_index *x, const char *s);
/* The number of s, or -1 when it is not in the set. */
long tfc_str_index_find(const tfc_str_index *x, const char *s);
void tfc_str_index_free(tfc_str_index *x);

#endif
