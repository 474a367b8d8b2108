/* Numbered string sets with an open-addressing hash table (see str_index.h). */
#include "str_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a. */
static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)(h ^ h >> 29);
}

/* The slot holding s, or the empty slot where it would go. */
static size_t slot_of(const tfc_str_index *x, const char *s)
{
    size_t mask = x->nslots - 1, i = hash(s) & mask;
    while (x->slots[i] && strcmp(x->strs[x->slots[i] - 1], s) != 0) i = (i + 1) & mask;
    return i;
}

long tfc_str_index_find(const tfc_str_index *x, const char *s)
{
    if (!x->nslots) return -1;
    size_t v = x->slots[slot_of(x, s)];
    return v ? (long)(v - 1) : -1;
}

/* Doubles the table (at least 64 slots), keeping it at most half full. */
static int grow(tfc_str_index *x)
{
    size_t n = x->nslots ? 2 * x->nslots : 64;
    size_t *slots = calloc(n, sizeof *slots);
    if (!slots) return -1;
    free(x->slots);
    x->slots = slots;
    x->nslots = n;
    for (size_t k = 0; k < x->n; k++) x->slots[slot_of(x, x->strs[k])] = k + 1;
    return 0;
}

long tfc_str_index_add(tfc_str_index *x, const char *s)
{
    long found = tfc_str_index_find(x, s);
    if (found >= 0) return found;
    if (2 * (x->n + 1) > x->nslots && grow(x) != 0) return -1;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 16;
        char **strs = realloc(x->strs, cap * sizeof *strs);
        if (!strs) return -1;
        x->strs = strs;
        x->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy) return -1;
    x->strs[x->n] = copy;
    x->slots[slot_of(x, s)] = ++x->n;
    return (long)(x->n - 1);
}

void tfc_str_index_free(tfc_str_index *x)
{
    for (size_t k = 0; k < x->n; k++) free(x->strs[k]);
    free(x->strs);
    free(x->slots);
    *x = (tfc_str_index){0};
}
