/* Reading files by offset (see in_file.h). */
#include "in_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"

int tfc_in_file_open(const char *path, uint64_t *size, tfc_status *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tfc_fail(st, errno == ENOENT ? TFC_NOT_FOUND : TFC_IO, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    const char *bad = fstat(fd, &sb) != 0 ? strerror(errno)
                      : S_ISDIR(sb.st_mode) ? "is a folder, not a file"
                      : !S_ISREG(sb.st_mode) ? "not a regular file"
                                             : NULL;
    if (bad) {
        tfc_fail(st, TFC_IO, "%s: %s", path, bad);
        close(fd);
        return -1;
    }
    *size = (uint64_t)sb.st_size;
    return fd;
}

bool tfc_in_file_read(int fd, void *buf, size_t n, uint64_t off)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t got = pread(fd, p, n, (off_t)off);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got == 0) errno = 0;
            return false;
        }
        p += got;
        off += (uint64_t)got;
        n -= (size_t)got;
    }
    return true;
}

/* The end of the data at off (where a hole starts, or end), and when off is in a hole, where
 * the hole ends (end when nothing follows). Without SEEK_HOLE everything is data. */
static uint64_t data_end(int fd, uint64_t off, uint64_t end, bool *hole)
{
    off_t h = lseek(fd, (off_t)off, SEEK_HOLE);
    *hole = h >= 0 && (uint64_t)h == off;
    if (!*hole) return h >= 0 && (uint64_t)h < end ? (uint64_t)h : end;
    off_t d = lseek(fd, (off_t)off, SEEK_DATA);
    if (d >= 0 && (uint64_t)d <= off) *hole = false; /* written to meanwhile: read it */
    return *hole && d >= 0 && (uint64_t)d < end ? (uint64_t)d : end;
}

bool tfc_in_file_crc32c(int fd, uint64_t off, uint64_t n, uint32_t *crc)
{
    enum { CHUNK = 1 << 20 };
    struct stat sb;
    if (fstat(fd, &sb) != 0) return false;
    if ((uint64_t)sb.st_size < off || (uint64_t)sb.st_size - off < n) {
        errno = 0; /* the file shrank */
        return false;
    }
    unsigned char *buf = malloc(n < CHUNK ? (size_t)n + 1 : CHUNK);
    if (!buf) return false;
    bool ok = true;
    uint64_t end = off + n;
    while (ok && off < end) {
        bool hole;
        uint64_t stop = data_end(fd, off, end, &hole);
        if (hole) {
            *crc = tfc_crc32c_extend_zeros(*crc, stop - off);
            off = stop;
        }
        while (ok && off < stop) {
            size_t k = stop - off < CHUNK ? (size_t)(stop - off) : CHUNK;
            ok = tfc_in_file_read(fd, buf, k, off);
            if (ok) *crc = tfc_crc32c_extend(*crc, buf, k);
            off += k;
        }
    }
    free(buf);
    return ok;
}
