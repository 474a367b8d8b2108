/* The text `checkpoint` file beside a run's checkpoints (a CheckpointState in protobuf text format,
 * FORMATS.md §5) and finding a checkpoint from what a user types: a prefix, an .index or data
 * file, a folder holding a `checkpoint` file, or a folder searched for the newest one. */
#ifndef TFC_CHECKPOINT_STATE_H
#define TFC_CHECKPOINT_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "status.h"

TFC_BEGIN_DECLS

typedef struct {
    char *model_checkpoint_path;       /* the newest; NULL when none */
    char **all_model_checkpoint_paths; /* oldest first */
    int num_paths;
    double *timestamps; /* all_model_checkpoint_timestamps (TF2), may be fewer than the paths */
    int num_timestamps;
    double last_preserved_timestamp; /* 0 when absent */
} tfc_checkpoint_state;

/* Reads DIR/checkpoint into *cs (the caller's struct, whose fields it then owns: empty it with
 * tfc_checkpoint_state_clear). False with st set: TFC_NOT_FOUND when there is no such file,
 * TFC_DATA_LOSS when it does not parse or names no checkpoint, TFC_IO when it cannot be read.
 * Paths are returned as written. */
TFC_API bool tfc_checkpoint_state_read(const char *dir, tfc_checkpoint_state *cs, tfc_status *st);
/* Writes DIR/checkpoint atomically (temporary file, fsync, rename); false with st set, naming the
 * file, when cs names no checkpoint or the file cannot be written. */
TFC_API bool tfc_checkpoint_state_write(const char *dir, const tfc_checkpoint_state *cs, tfc_status *st);
/* Frees the fields and empties *cs (NULL is allowed). */
TFC_API void tfc_checkpoint_state_clear(tfc_checkpoint_state *cs);

/* The functions below write a path into out / prefix_out (cap bytes) and return false with st set
 * when there is none to be found, or it does not fit in cap.
 * A path from the state file as a usable path: a relative one is taken from DIR. An absolute one
 * whose checkpoint is gone but whose basename is in DIR (a moved folder) is taken from DIR. */
TFC_API bool tfc_checkpoint_path_in(const char *dir, const char *path, char *out, size_t cap, tfc_status *st);

/* The newest checkpoint prefix listed in DIR/checkpoint (relative paths resolved against DIR);
 * TFC_FAILED_PRECONDITION, naming the state file, when that checkpoint is not there (a folder
 * cleaned by hand; TFC_NOT_FOUND is for no state file). */
TFC_API bool tfc_checkpoint_latest(const char *dir, char *prefix_out, size_t cap, tfc_status *st);

/* The checkpoint prefix PATH stands for: PATH itself (PATH.index or a V1 file exists), a
 * PATH.index, PATH.data-*-of-* or PATH.meta file named directly, the newest in PATH/checkpoint,
 * a SavedModel folder's PATH/variables/variables (or PATH/variables, given its variables/
 * folder), or, for a folder without any, the newest in the most recently written `checkpoint`
 * file below it. */
TFC_API bool tfc_checkpoint_resolve(const char *path, char *prefix_out, size_t cap, tfc_status *st);

TFC_END_DECLS

#endif
