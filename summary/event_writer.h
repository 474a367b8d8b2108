/* Writing TensorBoard event files, as TensorFlow's EventsWriter does (FORMATS.md §3): one file
 * events.out.tfevents.<secs>.<host><suffix>, a file_version record first, then Events with
 * summaries and graphs. Records are buffered and written out when more than 2 seconds passed
 * since the last write (checked on each add), on flush and close, and, after
 * tfc_event_writer_flush_on_signals(), when SIGINT, SIGTERM or SIGHUP arrives. */
#ifndef TFC_EVENT_WRITER_H
#define TFC_EVENT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "graph.h"
#include "status.h"

TFC_BEGIN_DECLS

typedef struct tfc_event_writer tfc_event_writer;

/* Creates dir (like mkdir -p) and <dir>/events.out.tfevents.<%010d secs>.<hostname><suffix>,
 * writes the file_version record (FORMATS.md §3) and flushes it; suffix may be NULL. Returns the
 * writer, which the caller ends with tfc_event_writer_close; NULL with st set when dir is NULL or
 * empty, or cannot be created or written. When that name exists (a second writer in the same folder
 * and second) the file is named <hostname>.<pid>.<n><suffix> instead, as TensorFlow 2 names its
 * files, so nothing already written is overwritten and the later file sorts after the earlier. */
TFC_API tfc_event_writer *tfc_event_writer_open(const char *dir, const char *suffix, tfc_status *st);
/* The event file's path (the writer's string; NULL for a NULL writer). */
TFC_API const char *tfc_event_writer_path(const tfc_event_writer *w);
/* Each add below appends one Event (buffered, see above) and returns false with st set, naming the
 * file, when w is NULL (tfc_event_writer_open failed), an argument is NULL, or a write fails.
 * Event{wall_time, graph_def}: the graph as a GraphDef (graphdef.h); g's build error, if any. */
TFC_API bool tfc_event_writer_add_graph(tfc_event_writer *w, const tfc_graph *g, tfc_status *st);
/* Event{wall_time, graph_def} from an already serialized GraphDef. */
TFC_API bool tfc_event_writer_add_graph_def(tfc_event_writer *w, const void *graph_def, size_t len, tfc_status *st);
/* A serialized Summary message (what the summary ops output: tfc_tensor_string of their value) as
 * Event{wall_time, step, summary}; bytes that do not parse as a Summary are an error. */
TFC_API bool tfc_event_writer_add_summary(tfc_event_writer *w, const void *summary, size_t len, int64_t step, tfc_status *st);
/* One scalar (a Summary with one simple_value under tag) at step. */
TFC_API bool tfc_event_writer_add_scalar(tfc_event_writer *w, const char *tag, float value, int64_t step, tfc_status *st);
/* Event{wall_time, step, session_log{START, checkpoint_path}}: a training run starting again
 * from a checkpoint, as TensorFlow's Supervisor writes it. TensorBoard (and tfc's logdir reader)
 * then drop every point at or after step written before it, the leftovers of the run that was
 * stopped after its checkpoint and whose steps are trained again. */
TFC_API bool tfc_event_writer_add_restart(tfc_event_writer *w, int64_t step, const char *checkpoint_path,
                                          tfc_status *st);
/* Writes out the buffered records (true for a NULL writer: nothing to write). */
TFC_API bool tfc_event_writer_flush(tfc_event_writer *w, tfc_status *st);
/* Flushes, closes the file and frees the writer (NULL is allowed); false with st set when the last
 * write or the close failed (the writer is freed all the same). */
TFC_API bool tfc_event_writer_close(tfc_event_writer *w, tfc_status *st);

/* Installs SIGINT, SIGTERM and SIGHUP handlers that write out every open writer's buffered records
 * with write(2) and then re-raise the signal with its default action. Best effort: a writer
 * that another thread is flushing at that moment is left to that flush, so its last record
 * may end up incomplete, which readers treat as the normal end of a file. The first 64 open
 * writers are covered. */
TFC_API void tfc_event_writer_flush_on_signals(void);

TFC_END_DECLS

#endif
