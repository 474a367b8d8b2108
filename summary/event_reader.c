/* Reading an event file's Events, with damaged records reported and skipped. */
#include "event_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "in_file.h"
#include "record.h"

struct tfc_event_reader {
    char *name;
    int fd; /* the file, when read from disk; -1 for memory */
    tfc_record_reader rec;
    tfc_event_warn_fn warn;
    void *ctx;
    bool truncated;
    char truncation[1024];
    /* Records that are not Events: the first is reported, the rest counted and reported once at
     * the end (a TFRecord file of other messages would otherwise give a line per record). */
    size_t not_events;
    size_t last_not_event;
};

static tfc_event_reader *reader_new(const char *name, tfc_event_warn_fn warn, void *ctx)
{
    tfc_event_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->name = strdup(name);
    if (!r->name) {
        free(r);
        return NULL;
    }
    r->fd = -1;
    r->warn = warn;
    r->ctx = ctx;
    return r;
}

tfc_event_reader *tfc_event_reader_from_memory(const char *name, const void *data, size_t len,
                                               tfc_event_warn_fn warn, void *ctx)
{
    tfc_event_reader *r = reader_new(name, warn, ctx);
    if (r) r->rec = tfc_record_reader_init(data, len);
    return r;
}

bool tfc_event_file_name(const char *path)
{
    const char *base = strrchr(path, '/');
    return strstr(base ? base + 1 : path, "tfevents") != NULL;
}

tfc_event_reader *tfc_event_reader_open(const char *path, tfc_event_warn_fn warn, void *ctx, tfc_status *st)
{
    uint64_t size;
    int fd = tfc_in_file_open(path, &size, st);
    if (fd < 0) return NULL;
    tfc_event_reader *r = reader_new(path, warn, ctx);
    if (!r) {
        close(fd);
        tfc_fail(st, TFC_IO, "%s: out of memory", path);
        return NULL;
    }
    r->fd = fd;
    r->rec = tfc_record_reader_file(fd, size);
    r->rec.payload_type = &tensorflow__event__descriptor;
    return r;
}

void tfc_event_reader_free(tfc_event_reader *r)
{
    if (!r) return;
    tfc_record_reader_clear(&r->rec);
    if (r->fd >= 0) close(r->fd);
    free(r->name);
    free(r);
}

static void warn(tfc_event_reader *r, size_t at, const char *what)
{
    if (!r->warn) return;
    char line[1024];
    snprintf(line, sizeof line, "%s: offset %zu: %s", r->name, at, what);
    r->warn(r->ctx, line);
}

/* At the end of the file: how many more records were not Events, once. */
static void report_not_events(tfc_event_reader *r)
{
    if (r->not_events > 1) {
        char why[160];
        snprintf(why, sizeof why, "%zu more records that are not Event protobufs were skipped, up to this one",
                 r->not_events - 1);
        warn(r, r->last_not_event, why);
    }
    r->not_events = 0;
}

Tensorflow__Event *tfc_event_reader_next(tfc_event_reader *r, size_t *offset)
{
    for (;;) {
        const unsigned char *payload = NULL;
        size_t len = 0, at = 0;
        char why[256];
        tfc_record_result res = tfc_record_next(&r->rec, &payload, &len, &at, why, sizeof why);
        if (res == TFC_RECORD_END) {
            report_not_events(r);
            return NULL;
        }
        if (res == TFC_RECORD_TRUNCATED) {
            report_not_events(r);
            r->truncated = true;
            snprintf(r->truncation, sizeof r->truncation, "%s: offset %zu: %s", r->name, at, why);
            return NULL;
        }
        if (res == TFC_RECORD_CORRUPT) {
            warn(r, at, why);
            continue;
        }
        Tensorflow__Event *ev = payload ? tensorflow__event__unpack(NULL, len, payload) : NULL;
        if (!ev) {
            if (r->not_events++ == 0) {
                snprintf(why, sizeof why, "record of %zu bytes is not a valid Event protobuf; skipped", len);
                warn(r, at, why);
            }
            r->last_not_event = at;
            continue;
        }
        if (offset) *offset = at;
        return ev;
    }
}

bool tfc_event_reader_truncated(const tfc_event_reader *r) { return r->truncated; }

const char *tfc_event_reader_truncation(const tfc_event_reader *r) { return r->truncated ? r->truncation : ""; }
