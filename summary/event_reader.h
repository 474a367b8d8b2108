/* The Events of one event file, in order: records checked by record.c, payloads parsed as
 * tensorflow.Event by protobuf-c. A file is read a record at a time. A damaged record is
 * reported through a callback and ends the file, as in TensorFlow and TensorBoard; a record that
 * is not an Event is reported and skipped. */
#ifndef TFC_EVENT_READER_H
#define TFC_EVENT_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "event.pb-c.h"
#include "status.h"

typedef struct tfc_event_reader tfc_event_reader;

/* Whether a path names an event file: its last component holds "tfevents", as TensorBoard and the
 * logdir reader find them (so a tool's output named so would be read as one). */
bool tfc_event_file_name(const char *path);

/* Called with one line "NAME: offset N: what was wrong" per problem. */
typedef void (*tfc_event_warn_fn)(void *ctx, const char *line);

/* Opens the file at path (NULL with st set when it cannot be opened); it is read up to the size
 * it has now. */
tfc_event_reader *tfc_event_reader_open(const char *path, tfc_event_warn_fn warn, void *ctx, tfc_status *st);
/* Reads from memory, without copying; name stands for the file in messages. */
tfc_event_reader *tfc_event_reader_from_memory(const char *name, const void *data, size_t len,
                                               tfc_event_warn_fn warn, void *ctx);
void tfc_event_reader_free(tfc_event_reader *r);

/* The next Event (free it with tensorflow__event__free_unpacked(ev, NULL)), or NULL at the end.
 * offset, when not NULL, gets the record's byte offset. */
Tensorflow__Event *tfc_event_reader_next(tfc_event_reader *r, size_t *offset);

/* After the end: whether the file ended inside a record (normal for a file still being
 * written), and a line saying where, for tools that want to mention it. */
bool tfc_event_reader_truncated(const tfc_event_reader *r);
const char *tfc_event_reader_truncation(const tfc_event_reader *r);

#endif
