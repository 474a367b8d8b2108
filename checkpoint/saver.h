/* tf.train.Saver for tfc sessions: saves every variable of a graph (optimizer slots and
 * global_step included) as a TensorFlow V2 checkpoint, keeps the newest few, and restores them by
 * name. Saves are atomic: a save that dies midway leaves the previous checkpoint and the
 * `checkpoint` file as they were. */
#ifndef TFC_SAVER_H
#define TFC_SAVER_H

#include <stddef.h>
#include <stdint.h>

#include "checkpoint_state.h"
#include "session.h"

/* Saves every variable of the session's graph (values from tfc_session_variable) to
 * PREFIX-STEP.{index,data-00000-of-00001}, updates the `checkpoint` file in PREFIX's folder, keeps
 * the newest max_to_keep checkpoints of this PREFIX (all when <= 0) and deletes the files of older
 * ones. Writes the path saved (PREFIX-STEP) into path_out when not NULL. */
bool tfc_saver_save(tfc_session *s, const char *prefix, int64_t step, int max_to_keep, char *path_out, size_t path_cap,
                    tfc_status *st);

/* Restores the variables by name from a checkpoint prefix, or from a folder holding a `checkpoint`
 * file (its newest). Checks dtypes and shapes; variables missing from the checkpoint, tensors of
 * the checkpoint the graph lacks and mismatched ones are one error naming all of them, and then
 * no variable is changed. */
bool tfc_saver_restore(tfc_session *s, const char *path, tfc_status *st);

#endif
