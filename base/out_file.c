/* Checked output files (see out_file.h). */
#include "out_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stdio_guard.h"

static uint64_t random_suffix(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_sec ^ (uint64_t)getpid() << 32;
    }
    return r;
}

/* The stream's own descriptor, so that the cause of a failed write is kept (stdio keeps only
 * an error flag) and the file can be fsynced. */
struct tfc_out_sink {
    int fd;
    int err;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    tfc_out_sink *s = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            /* A short count, never -1: glibc's fwrite takes -1 for a count of bytes written. */
            if (!s->err) s->err = w < 0 ? errno : EIO;
            return (ssize_t)done;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

static int sink_close(void *cookie)
{
    tfc_out_sink *s = cookie;
    int rc = s->fd >= 0 ? close(s->fd) : 0;
    if (rc != 0 && !s->err) s->err = errno;
    s->fd = -1;
    return rc;
}

/* Wraps fd (taken over, also on failure) in a stream. */
static bool open_sink(tfc_out_file *o, int fd, tfc_status *st)
{
    o->sink = malloc(sizeof *o->sink);
    if (o->sink) *o->sink = (tfc_out_sink){.fd = fd};
    o->f = o->sink ? fopencookie(o->sink, "w", (cookie_io_functions_t){.write = sink_write, .close = sink_close})
                   : NULL;
    if (o->f) return true;
    close(fd);
    return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", o->path);
}

static void empty(tfc_out_file *o)
{
    free(o->path);
    free(o->target);
    free(o->temp);
    free(o->sink);
    *o = (tfc_out_file){0};
}

/* A temporary next to target, with target's permissions when it exists. */
static bool open_temp(tfc_out_file *o, const struct stat *old, tfc_status *st)
{
    size_t n = strlen(o->target) + sizeof TFC_TEMP_SUFFIX + 21;
    if (!(o->temp = malloc(n))) return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", o->path);
    int fd = -1;
    for (int attempt = 0; attempt < 8 && fd < 0; attempt++) {
        snprintf(o->temp, n, "%s" TFC_TEMP_SUFFIX "%llu", o->target, (unsigned long long)random_suffix());
        fd = open(o->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return tfc_fail(st, TFC_IO, "cannot write '%s': %s", o->path, strerror(errno));
    if (old) (void)fchmod(fd, old->st_mode & 07777);
    if (open_sink(o, fd, st)) return true;
    unlink(o->temp);
    return false;
}

/* Opens what is not a regular file where it is: a device, a FIFO, a link pointing nowhere. */
static bool open_in_place(tfc_out_file *o, tfc_status *st)
{
    int fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return tfc_fail(st, TFC_IO, "cannot write '%s': %s", o->path, strerror(errno));
    return open_sink(o, fd, st);
}

bool tfc_out_file_open(tfc_out_file *o, const char *path, tfc_status *st)
{
    *o = (tfc_out_file){0};
    if (!path || !*path) return tfc_fail(st, TFC_INVALID_ARGUMENT, "an output file needs a name");
    if (!(o->path = strdup(strcmp(path, "-") == 0 ? "stdout" : path)))
        return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return true;
    }
    struct stat sb;
    bool exists = lstat(path, &sb) == 0;
    if (!exists && errno != ENOENT) {
        tfc_fail(st, TFC_IO, "cannot write '%s': %s", path, strerror(errno));
        empty(o);
        return false;
    }
    if (exists && S_ISLNK(sb.st_mode)) {
        /* The link stays; the file it points to is replaced, if it is a regular one. */
        o->target = realpath(path, NULL);
        exists = o->target && stat(o->target, &sb) == 0;
        if (!exists) {
            free(o->target);
            o->target = NULL;
        }
    } else if (!exists || S_ISREG(sb.st_mode)) {
        o->target = strdup(path);
        if (!o->target) {
            empty(o);
            return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
        }
    }
    bool ok;
    if (exists && S_ISDIR(sb.st_mode))
        ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "cannot write '%s': it is a folder", path);
    else if (o->target && (!exists || S_ISREG(sb.st_mode)))
        ok = open_temp(o, exists ? &sb : NULL, st);
    else {
        free(o->target);
        o->target = NULL;
        ok = open_in_place(o, st);
    }
    if (!ok) empty(o);
    return ok;
}

bool tfc_out_file_write(tfc_out_file *o, const void *data, size_t n, tfc_status *st)
{
    if (!o->f) return tfc_fail(st, TFC_FAILED_PRECONDITION, "writing to a file that is not open");
    if (n && fwrite(data, 1, n, o->f) != n) {
        int err = o->sink && o->sink->err ? o->sink->err : errno ? errno : EIO;
        return tfc_fail(st, TFC_IO, "cannot write '%s': %s", o->path, strerror(err));
    }
    return true;
}

bool tfc_out_file_failed(const tfc_out_file *o)
{
    return o->f && ferror(o->f);
}

/* The error of the stream's writes so far, after flushing it: 0 when all arrived. */
static int flush_error(tfc_out_file *o)
{
    bool failed = ferror(o->f);
    errno = 0;
    int err = fflush(o->f) != 0 ? (errno ? errno : EIO) : 0;
    if (o->sink && o->sink->err) return o->sink->err;
    if (o->f == stdout && tfc_stdio_write_error()) return tfc_stdio_write_error();
    return err ? err : failed ? EIO : 0;
}

bool tfc_out_file_commit(tfc_out_file *o, tfc_status *st)
{
    if (!o->f) {
        empty(o);
        return tfc_fail(st, TFC_FAILED_PRECONDITION, "committing a file that is not open");
    }
    int err = flush_error(o);
    const char *what = err ? "cannot write" : NULL;
    if (o->f == stdout) {
        clearerr(stdout);
    } else {
        if (!what && o->temp && fsync(o->sink->fd) != 0) {
            what = "fsync failed for";
            err = errno;
        }
        if (fclose(o->f) != 0 && !what) {
            what = "cannot write";
            err = o->sink->err ? o->sink->err : EIO;
        }
        if (!what && o->temp && rename(o->temp, o->target) != 0) {
            what = "cannot rename the temporary file over";
            err = errno;
        }
        if (what && o->temp) unlink(o->temp);
    }
    o->f = NULL;
    if (what) tfc_fail(st, TFC_IO, "%s '%s': %s", what, o->path, strerror(err));
    empty(o);
    return what == NULL;
}

void tfc_out_file_abort(tfc_out_file *o)
{
    if (o->f && o->f != stdout) fclose(o->f);
    if (o->temp) unlink(o->temp);
    empty(o);
}

bool tfc_stdout_check(tfc_status *st)
{
    tfc_out_file o = {.f = stdout, .path = strdup("stdout")};
    if (!o.path) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    return tfc_out_file_commit(&o, st);
}

int tfc_stdout_exit(const char *tool, int rc)
{
    if (rc != 0) return rc;
    tfc_status *st = tfc_status_new();
    if (!tfc_stdout_check(st)) {
        fprintf(stderr, "%s: %s\n", tool, st ? tfc_message(st) : "cannot write 'stdout'");
        rc = 1;
    }
    tfc_status_free(st);
    return rc;
}

bool tfc_fsync_parent_dir(const char *path, tfc_status *st)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    int err = errno;
    if (fd >= 0) close(fd);
    if (!ok) tfc_fail(st, TFC_IO, "%s: fsync of the folder failed: %s", dir, strerror(err));
    free(dir);
    return ok;
}
