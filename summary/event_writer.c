/* The event file writer: framing Events into a buffer, writing it out on a 2-second clock, and
 * the signal handlers that save buffered records when the process is interrupted. */
#include "event_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event.pb-c.h"
#include "graphdef.h"
#include "record.h"

#define BUFFER_SIZE (1u << 20)
#define FLUSH_SECONDS 2.0
#define MAX_REGISTERED 64

struct tfc_event_writer {
    int fd;
    char *path;
    unsigned char *buf;        /* BUFFER_SIZE bytes; never moves, so a signal handler may read it */
    atomic_size_t committed;   /* bytes of whole records in buf */
    atomic_size_t written;     /* bytes of buf already written to fd */
    atomic_int flushing;       /* a flush is writing buf */
    double last_flush;         /* monotonic seconds */
    int slot;                  /* index in registry, -1 when not registered */
};

static _Atomic(tfc_event_writer *) registry[MAX_REGISTERED];

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* write(2) until done; false with errno set on failure. Async-signal-safe. */
static bool write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* ---- signals ---- */

static void write_pending(tfc_event_writer *w)
{
    size_t from = atomic_load(&w->written), to = atomic_load(&w->committed);
    if (to > from) write_all(w->fd, w->buf + from, to - from);
}

static void on_signal(int sig)
{
    int saved = errno;
    for (int i = 0; i < MAX_REGISTERED; i++) {
        tfc_event_writer *w = atomic_load(&registry[i]);
        if (w && !atomic_load(&w->flushing)) write_pending(w);
    }
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    errno = saved;
    raise(sig); /* delivered with the default action once this handler returns */
}

void tfc_event_writer_flush_on_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) sigaddset(&sa.sa_mask, signals[i]);
    for (int i = 0; i < 3; i++) sigaction(signals[i], &sa, NULL);
}

static void register_writer(tfc_event_writer *w)
{
    w->slot = -1;
    for (int i = 0; i < MAX_REGISTERED; i++) {
        tfc_event_writer *expected = NULL;
        if (atomic_compare_exchange_strong(&registry[i], &expected, w)) {
            w->slot = i;
            return;
        }
    }
}

/* ---- buffering ---- */

bool tfc_event_writer_flush(tfc_event_writer *w, tfc_status *st)
{
    if (!w) return true;
    atomic_store(&w->flushing, 1);
    size_t from = atomic_load(&w->written), to = atomic_load(&w->committed);
    bool ok = write_all(w->fd, w->buf + from, to - from);
    int err = errno;
    /* In this order, a signal handler sees either the old range or an empty one. */
    atomic_store(&w->written, to);
    atomic_store(&w->committed, 0);
    atomic_store(&w->written, 0);
    atomic_store(&w->flushing, 0);
    w->last_flush = monotonic_now();
    if (!ok) return tfc_fail(st, TFC_IO, "%s: write failed: %s", w->path, strerror(err));
    return true;
}

/* Frames payload as a record and appends it, writing out first when the buffer is full. */
static bool add_record(tfc_event_writer *w, const void *payload, size_t len, tfc_status *st)
{
    size_t need = len + TFC_RECORD_OVERHEAD;
    if (atomic_load(&w->committed) + need > BUFFER_SIZE && !tfc_event_writer_flush(w, st)) return false;
    if (need > BUFFER_SIZE) {
        unsigned char *rec = malloc(need);
        if (!rec) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory for a record of %zu bytes", w->path, len);
        tfc_record_frame(payload, len, rec);
        bool ok = write_all(w->fd, rec, need);
        int err = errno;
        free(rec);
        if (!ok) return tfc_fail(st, TFC_IO, "%s: write failed: %s", w->path, strerror(err));
        return true;
    }
    size_t at = atomic_load(&w->committed);
    tfc_record_frame(payload, len, w->buf + at);
    atomic_store(&w->committed, at + need);
    if (monotonic_now() - w->last_flush > FLUSH_SECONDS) return tfc_event_writer_flush(w, st);
    return true;
}

static bool add_event(tfc_event_writer *w, const Tensorflow__Event *ev, tfc_status *st)
{
    size_t len = tensorflow__event__get_packed_size(ev);
    unsigned char stackbuf[4096];
    unsigned char *p = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!p) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory for an event of %zu bytes", w->path, len);
    tensorflow__event__pack(ev, p);
    bool ok = add_record(w, p, len, st);
    if (p != stackbuf) free(p);
    return ok;
}

/* ---- opening and closing ---- */

static bool mkdir_p(const char *dir, tfc_status *st)
{
    char *p = strdup(dir);
    if (!p) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", dir);
    bool ok = true;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0') continue;
        char c = *s;
        *s = '\0';
        struct stat sb;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            ok = tfc_fail(st, TFC_IO, "%s: cannot create the folder: %s", p, strerror(errno));
        else if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
            ok = tfc_fail(st, TFC_IO, "%s: exists and is not a folder", p);
        *s = c;
        if (!ok || c == '\0') break;
    }
    free(p);
    return ok;
}

tfc_event_writer *tfc_event_writer_open(const char *dir, const char *suffix, tfc_status *st)
{
    if (!dir || !*dir) return tfc_fail(st, TFC_INVALID_ARGUMENT, "event writer: empty folder name"), NULL;
    if (!mkdir_p(dir, st)) return NULL;
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0]) strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    long long secs = (long long)time(NULL);
    tfc_event_writer *w = calloc(1, sizeof *w);
    size_t plen = strlen(dir) + strlen(host) + (suffix ? strlen(suffix) : 0) + 64;
    if (!w || !(w->path = malloc(plen)) || !(w->buf = malloc(BUFFER_SIZE))) {
        if (w) free(w->path);
        free(w);
        return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", dir), NULL;
    }
    /* A second writer in the same folder and second gets TensorFlow 2's longer name,
     * <host>.<pid>.<n><suffix>, rather than overwriting the first file (as TF1's EventsWriter would). */
    const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    snprintf(w->path, plen, "%s%sevents.out.tfevents.%010lld.%s%s", dir, sep, secs, host, suffix ? suffix : "");
    w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    for (int n = 1; w->fd < 0 && errno == EEXIST && n <= 1000; n++) {
        snprintf(w->path, plen, "%s%sevents.out.tfevents.%010lld.%s.%ld.%d%s", dir, sep, secs, host, (long)getpid(), n,
                 suffix ? suffix : "");
        w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    }
    if (w->fd < 0) {
        tfc_fail(st, TFC_IO, "%s: %s", w->path, strerror(errno));
        free(w->buf);
        free(w->path);
        free(w);
        return NULL;
    }
    w->last_flush = monotonic_now();
    Tensorflow__Event ev = TENSORFLOW__EVENT__INIT;
    ev.wall_time = (double)secs;
    ev.what_case = TENSORFLOW__EVENT__WHAT_FILE_VERSION;
    ev.file_version = "brain.Event:2";
    if (!add_event(w, &ev, st) || !tfc_event_writer_flush(w, st)) {
        close(w->fd);
        free(w->buf);
        free(w->path);
        free(w);
        return NULL;
    }
    register_writer(w);
    return w;
}

const char *tfc_event_writer_path(const tfc_event_writer *w) { return w ? w->path : NULL; }

/* What a write to a NULL writer (tfc_event_writer_open failed) reports. */
static bool no_writer(tfc_status *st) { return tfc_fail(st, TFC_INVALID_ARGUMENT, "no event writer (did tfc_event_writer_open fail?)"); }

bool tfc_event_writer_close(tfc_event_writer *w, tfc_status *st)
{
    if (!w) return true;
    bool ok = tfc_event_writer_flush(w, st);
    if (w->slot >= 0) atomic_store(&registry[w->slot], NULL);
    if (close(w->fd) != 0 && ok) ok = tfc_fail(st, TFC_IO, "%s: close failed: %s", w->path, strerror(errno));
    free(w->buf);
    free(w->path);
    free(w);
    return ok;
}

/* ---- events ---- */

bool tfc_event_writer_add_graph_def(tfc_event_writer *w, const void *graph_def, size_t len, tfc_status *st)
{
    if (!w) return no_writer(st);
    if (!graph_def && len) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no GraphDef (NULL) to write", w->path);
    Tensorflow__Event ev = TENSORFLOW__EVENT__INIT;
    ev.wall_time = wall_now();
    ev.what_case = TENSORFLOW__EVENT__WHAT_GRAPH_DEF;
    ev.graph_def = (ProtobufCBinaryData){len, (uint8_t *)graph_def};
    return add_event(w, &ev, st);
}

bool tfc_event_writer_add_graph(tfc_event_writer *w, const tfc_graph *g, tfc_status *st)
{
    if (!w) return no_writer(st);
    size_t len = 0;
    unsigned char *gd = tfc_graphdef_serialize(g, &len, st);
    if (!gd) return false;
    bool ok = tfc_event_writer_add_graph_def(w, gd, len, st);
    free(gd);
    return ok;
}

static bool add_summary_event(tfc_event_writer *w, Tensorflow__Summary *s, int64_t step, tfc_status *st)
{
    Tensorflow__Event ev = TENSORFLOW__EVENT__INIT;
    ev.wall_time = wall_now();
    ev.step = step;
    ev.what_case = TENSORFLOW__EVENT__WHAT_SUMMARY;
    ev.summary = s;
    return add_event(w, &ev, st);
}

bool tfc_event_writer_add_summary(tfc_event_writer *w, const void *summary, size_t len, int64_t step, tfc_status *st)
{
    if (!w) return no_writer(st);
    if (!summary) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no Summary (NULL) to write", w->path);
    Tensorflow__Summary *s = tensorflow__summary__unpack(NULL, len, summary);
    if (!s)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: %zu bytes given as a Summary do not parse as one", w->path, len);
    bool ok = add_summary_event(w, s, step, st);
    tensorflow__summary__free_unpacked(s, NULL);
    return ok;
}

bool tfc_event_writer_add_scalar(tfc_event_writer *w, const char *tag, float value, int64_t step, tfc_status *st)
{
    if (!w) return no_writer(st);
    if (!tag) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: a scalar needs a tag (NULL given)", w->path);
    Tensorflow__Summary__Value v = TENSORFLOW__SUMMARY__VALUE__INIT, *values[1] = {&v};
    v.tag = (char *)tag;
    v.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_SIMPLE_VALUE;
    v.simple_value = value;
    Tensorflow__Summary s = TENSORFLOW__SUMMARY__INIT;
    s.n_value = 1;
    s.value = values;
    return add_summary_event(w, &s, step, st);
}

bool tfc_event_writer_add_restart(tfc_event_writer *w, int64_t step, const char *checkpoint_path, tfc_status *st)
{
    if (!w) return no_writer(st);
    Tensorflow__SessionLog log = TENSORFLOW__SESSION_LOG__INIT;
    log.status = TENSORFLOW__SESSION_LOG__SESSION_STATUS__START;
    log.checkpoint_path = (char *)(checkpoint_path ? checkpoint_path : "");
    Tensorflow__Event ev = TENSORFLOW__EVENT__INIT;
    ev.wall_time = wall_now();
    ev.step = step;
    ev.what_case = TENSORFLOW__EVENT__WHAT_SESSION_LOG;
    ev.session_log = &log;
    return add_event(w, &ev, st);
}
