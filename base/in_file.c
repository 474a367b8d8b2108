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

bool tfc_in_file_crc32c(int fd, uint64_t off, uint64_t n, uint32_t *crc)
{
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(n < CHUNK ? (size_t)n + 1 : CHUNK);
    if (!buf) return false;
    bool ok = true;
    while (ok && n) {
        size_t k = n < CHUNK ? (size_t)n : CHUNK;
        ok = tfc_in_file_read(fd, buf, k, off);
        if (ok) *crc = tfc_crc32c_extend(*crc, buf, k);
        off += k;
        n -= k;
    }
    free(buf);
    return ok;
}
