/* Files that appear whole or not at all: written to `<path>.tempstate<random>` in the same folder,
 * then flushed, fsynced and renamed over the final name (as TensorFlow's checkpoint writers do). A
 * crash before the rename leaves at most a stray temporary file; the old file stays intact. */
#ifndef TFC_ATOMIC_FILE_H
#define TFC_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

typedef struct {
    FILE *f;
    char *path; /* the final name */
    char *temp; /* the temporary name while writing */
} tfc_atomic_file;

/* Creates the temporary file. On failure *af is left empty (nothing to abort). */
bool tfc_atomic_file_open(tfc_atomic_file *af, const char *path, tfc_status *st);
bool tfc_atomic_file_write(tfc_atomic_file *af, const void *data, size_t n, tfc_status *st);
/* Flushes, fsyncs, closes and renames the file into place. On failure the temporary file is
 * removed. Either way *af is emptied. */
bool tfc_atomic_file_commit(tfc_atomic_file *af, tfc_status *st);
/* Closes and removes the temporary file, if any; *af is emptied. */
void tfc_atomic_file_abort(tfc_atomic_file *af);
/* Fsyncs the folder holding path, so that renames into it survive a power cut. */
bool tfc_fsync_parent_dir(const char *path, tfc_status *st);

#endif
