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

static void empty(tfc_out_file *o)
{
    free(o->path);
    free(o->target);
    free(o->temp);
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
    if (fd < 0) return tfc_fail(st, TFC_IO, "%s: cannot create a temporary file: %s", o->path, strerror(errno));
    if (old) (void)fchmod(fd, old->st_mode & 07777);
    if (!(o->f = fdopen(fd, "wb"))) {
        int err = errno;
        close(fd);
        unlink(o->temp);
        return tfc_fail(st, TFC_IO, "%s: %s", o->path, strerror(err));
    }
    return true;
}

/* Opens what is not a regular file where it is: a device, a FIFO, a link pointing nowhere. */
static bool open_in_place(tfc_out_file *o, tfc_status *st)
{
    int fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return tfc_fail(st, TFC_IO, "cannot write '%s': %s", o->path, strerror(errno));
    if (!(o->f = fdopen(fd, "wb"))) {
        int err = errno;
        close(fd);
        return tfc_fail(st, TFC_IO, "cannot write '%s': %s", o->path, strerror(err));
    }
    return true;
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
        if (!o->err) o->err = errno ? errno : EIO;
        return tfc_fail(st, TFC_IO, "cannot write '%s': %s", o->path, strerror(o->err));
    }
    return true;
}

/* The error of the stream's writes so far, after flushing it: 0 when all arrived. */
static int flush_error(tfc_out_file *o)
{
    bool failed = ferror(o->f);
    errno = 0;
    int err = fflush(o->f) != 0 ? (errno ? errno : EIO) : 0;
    if (o->err) return o->err;
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
        if (!what && o->temp && fsync(fileno(o->f)) != 0) {
            what = "fsync failed for";
            err = errno;
        }
        if (fclose(o->f) != 0 && !what) {
            what = "cannot write";
            err = errno;
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
