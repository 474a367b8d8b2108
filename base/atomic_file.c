/* Write-to-temporary-then-rename files (see atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
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

bool tfc_atomic_file_open(tfc_atomic_file *af, const char *path, tfc_status *st)
{
    *af = (tfc_atomic_file){0};
    size_t n = strlen(path) + 48;
    char *temp = malloc(n);
    char *final_path = strdup(path);
    if (!temp || !final_path) {
        free(temp);
        free(final_path);
        return tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        snprintf(temp, n, "%s.tempstate%llu", path, (unsigned long long)random_suffix());
        int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) break;
        af->f = fdopen(fd, "wb");
        if (!af->f) {
            close(fd);
            unlink(temp);
            break;
        }
        af->path = final_path;
        af->temp = temp;
        return true;
    }
    int err = errno;
    free(temp);
    free(final_path);
    return tfc_fail(st, TFC_IO, "%s: cannot create a temporary file: %s", path, strerror(err));
}

bool tfc_atomic_file_write(tfc_atomic_file *af, const void *data, size_t n, tfc_status *st)
{
    if (n && fwrite(data, 1, n, af->f) != n)
        return tfc_fail(st, TFC_IO, "%s: write failed: %s", af->temp, strerror(errno));
    return true;
}

static void empty(tfc_atomic_file *af)
{
    free(af->path);
    free(af->temp);
    *af = (tfc_atomic_file){0};
}

bool tfc_atomic_file_commit(tfc_atomic_file *af, tfc_status *st)
{
    const char *what = NULL;
    int err = 0;
    if (fflush(af->f) != 0)
        what = "write";
    else if (fsync(fileno(af->f)) != 0)
        what = "fsync";
    if (what) err = errno;
    if (fclose(af->f) != 0 && !what) {
        what = "close";
        err = errno;
    }
    af->f = NULL;
    if (!what && rename(af->temp, af->path) != 0) {
        what = "rename";
        err = errno;
    }
    if (what) {
        unlink(af->temp);
        tfc_fail(st, TFC_IO, "%s: %s failed: %s", af->path, what, strerror(err));
    }
    empty(af);
    return what == NULL;
}

void tfc_atomic_file_abort(tfc_atomic_file *af)
{
    if (af->f) fclose(af->f);
    if (af->temp) unlink(af->temp);
    empty(af);
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
