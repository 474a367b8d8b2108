/* Output files whose every write is checked, so a tool never reports success for data it lost.
 * Every file tfc writes goes through here: checkpoints, .npy dumps, pictures, CSV, DOT.
 *
 * A regular file (or a new name) is written to `<file>.tempstate<random>` in its folder, then
 * flushed, checked, fsynced and renamed over the final name (as TensorFlow's checkpoint writers
 * do): a crash or a full disk leaves the old file intact and at most a stray temporary, which the
 * next checkpoint save removes. A symbolic link stays a link: the file it points to is the one
 * replaced. Anything else that can be written (a device node, a FIFO, /dev/stdout) is written in
 * place, never renamed over nor removed. "-" is the process's stdout. */
#ifndef TFC_OUT_FILE_H
#define TFC_OUT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

typedef struct tfc_out_sink tfc_out_sink;

typedef struct {
    FILE *f;            /* write through tfc_out_file_write, or with stdio (checked at commit) */
    char *path;         /* the name given, for messages */
    char *target;       /* the file the temporary replaces; NULL when written in place */
    char *temp;         /* the temporary while writing */
    tfc_out_sink *sink; /* the descriptor under f, and the first error of a write to it */
} tfc_out_file;

/* The suffix of temporary files, followed by a random number. */
#define TFC_TEMP_SUFFIX ".tempstate"

/* Opens path for writing (see above). A folder, or a path that cannot be created, is an error
 * naming it. On failure *o is left empty (nothing to abort). */
bool tfc_out_file_open(tfc_out_file *o, const char *path, tfc_status *st);
bool tfc_out_file_write(tfc_out_file *o, const void *data, size_t n, tfc_status *st);
/* Whether a write has failed so far (the cause comes with the commit's error). */
bool tfc_out_file_failed(const tfc_out_file *o);
/* Checks that every write arrived: the stream's error flag, the flush, and for a file replaced
 * by rename the fsync and the close; then renames it into place. On failure the temporary is
 * removed (a file written in place is left as it is) and the error names the path and the cause.
 * Either way *o is emptied. */
bool tfc_out_file_commit(tfc_out_file *o, tfc_status *st);
/* Closes and removes the temporary file, if any; *o is emptied. Nothing else is removed. */
void tfc_out_file_abort(tfc_out_file *o);

/* Flushes stdout and checks that nothing written to it was lost (a full disk behind it). */
bool tfc_stdout_check(tfc_status *st);
/* A tool's exit status: rc, unless rc is 0 and stdout lost what was written to it; then the
 * error is one line on stderr ("TOOL: cannot write 'stdout': CAUSE") and the status is 1. */
int tfc_stdout_exit(const char *tool, int rc);

/* Fsyncs the folder holding path, so that renames into it survive a power cut. */
bool tfc_fsync_parent_dir(const char *path, tfc_status *st);

#endif
