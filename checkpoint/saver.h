/* tf.train.Saver for tfc sessions: saves the variables of a graph (all of them, optimizer slots and
 * global_step included, or a var_list) as a TensorFlow V2 checkpoint, keeps the newest few, and
 * restores them by name: the variable's name, or in a graph imported from TensorFlow with its
 * Saver's save/ nodes, the name those nodes give it (so a graph imported under a prefix reads and
 * writes TensorFlow's keys). Saves are atomic: a save that dies midway leaves the previous
 * checkpoint and the `checkpoint` file as they were, and the next save removes the temporary
 * files it left. */
#ifndef TFC_SAVER_H
#define TFC_SAVER_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "bundle.h"
#include "checkpoint_state.h"
#include "session.h"

TFC_BEGIN_DECLS

/* For step: save to PREFIX itself, as saver.save(sess, path) without a global_step. */
#define TFC_SAVER_NO_STEP (-1)

/* Each function returns false with st set, naming the file or the variables concerned, when it
 * fails: a NULL session or path, a variable not initialised, a file that cannot be written or
 * read, a checkpoint that does not fit the graph. A failed save leaves the previous checkpoint
 * and the `checkpoint` file as they were.
 *
 * Saves every variable of the session's graph (values from tfc_session_variable) to
 * PREFIX-STEP.{index,data-00000-of-00001} (PREFIX.* when step is TFC_SAVER_NO_STEP), updates the
 * `checkpoint` file in PREFIX's folder, keeps the newest max_to_keep checkpoints of this PREFIX
 * (PREFIX and PREFIX-<digits>; all when max_to_keep <= 0) and deletes the files of older ones.
 * Writes the path saved into path_out when not NULL. */
TFC_API bool tfc_saver_save(tfc_session *s, const char *prefix, int64_t step, int max_to_keep, char *path_out, size_t path_cap,
                            tfc_status *st);

/* Writes the graph of the session as a MetaGraph (meta_graph.h) to CHECKPOINT.meta, beside a
 * checkpoint tfc_saver_save wrote (CHECKPOINT is the path it saved, PREFIX-STEP), as TensorFlow's
 * Saver does: TensorFlow then imports the graph with tf.compat.v1.train.import_meta_graph and
 * restores the checkpoint into it. Deleting an old checkpoint deletes its .meta too. */
TFC_API bool tfc_saver_write_meta(const tfc_session *s, const char *checkpoint, tfc_status *st);

/* Restores the variables by name from a checkpoint prefix, or from a folder holding a `checkpoint`
 * file (its newest). Checks dtypes and shapes; variables missing from the checkpoint and
 * mismatched ones are one error naming all of them, and the tensors of the checkpoint the graph
 * lacks, and then no variable is changed. Tensors the graph lacks are no error by themselves: as
 * with TensorFlow's Saver, they are left (another optimizer's slots, a training checkpoint
 * restored into an evaluation graph). A part of a partitioned variable (in a TensorFlow graph
 * whose RestoreV2 gives it a slice, "784 10 0,262:0,10") takes that slice of the checkpoint's
 * tensor; saving such a graph is refused, naming the part. */
TFC_API bool tfc_saver_restore(tfc_session *s, const char *path, tfc_status *st);

/* The tensors of checkpoint b that no variable of g restores (TensorFlow's Saver leaves them: an
 * optimizer's slots the graph lacks): their number, and the first cap of their names (the bundle's
 * strings) in names; -1 with st set on a NULL graph or checkpoint or when memory runs out. */
TFC_API int tfc_saver_unrestored(const tfc_graph *g, const tfc_bundle *b, const char **names, int cap,
                                 tfc_status *st);

/* The same two for the n variables of var_list only (tf.compat.v1.train.Saver(var_list=...)): each a
 * variable's read tensor or VariableV2 node; var_list NULL means every variable. A restore then
 * leaves the other variables alone, and the checkpoint may hold more tensors than these. */
TFC_API bool tfc_saver_save_vars(tfc_session *s, const tfc_out *var_list, int n, const char *prefix, int64_t step, int max_to_keep,
                                 char *path_out, size_t path_cap, tfc_status *st);
TFC_API bool tfc_saver_restore_vars(tfc_session *s, const tfc_out *var_list, int n, const char *path, tfc_status *st);

TFC_END_DECLS

#endif
