/* Files read by offset: the CRC32C of a piece of a file equals the one of its bytes in memory,
 * also across the holes of a sparse file, which are not read (a record header claiming 2 GiB in
 * front of a hole costs no time); a file shorter than the piece asked for is an error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "crc32c.h"
#include "in_file.h"

static void test_zeros(void)
{
    static unsigned char zeros[1 << 20];
    const uint64_t lengths[] = {0, 1, 7, 8, 9, 4096, 65537, sizeof zeros};
    const uint32_t starts[] = {0, 0xdeadbeefu, tfc_crc32c("123456789", 9)};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++)
        for (size_t j = 0; j < 3; j++)
            CHECK_MSG(tfc_crc32c_extend_zeros(starts[j], lengths[i]) ==
                          tfc_crc32c_extend(starts[j], zeros, (size_t)lengths[i]),
                      "%llu zeros after %08x", (unsigned long long)lengths[i], starts[j]);
    /* RFC 3720's check value: 32 bytes of zeros */
    CHECK(tfc_crc32c_extend_zeros(0, 32) == 0x8a9136aau);
}

static void test_sparse(void)
{
    char path[] = "/tmp/tfc-test-in-file-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    unlink(path);
    /* data (5000 bytes), a 256 MiB hole, data (3000 bytes), a hole to the end */
    const uint64_t hole = 256u << 20, size = (512u << 20) + 123;
    unsigned char a[5000], b[3000];
    for (size_t i = 0; i < sizeof a; i++) a[i] = (unsigned char)(i * 31 + 7);
    for (size_t i = 0; i < sizeof b; i++) b[i] = (unsigned char)(i * 17 + 1);
    CHECK(pwrite(fd, a, sizeof a, 0) == (ssize_t)sizeof a);
    CHECK(pwrite(fd, b, sizeof b, (off_t)(sizeof a + hole)) == (ssize_t)sizeof b);
    CHECK(ftruncate(fd, (off_t)size) == 0);

    uint32_t want = tfc_crc32c_extend(0, a, sizeof a);
    want = tfc_crc32c_extend_zeros(want, hole);
    want = tfc_crc32c_extend(want, b, sizeof b);
    want = tfc_crc32c_extend_zeros(want, size - sizeof a - hole - sizeof b);
    long long before = check_bytes_read();
    uint32_t crc = 0;
    CHECK(tfc_in_file_crc32c(fd, 0, size, &crc) && crc == want);
    long long read = check_bytes_read() - before;
    CHECK_MSG(before >= 0 && read < (16 << 20), "%lld bytes read for 8000 bytes of data", read);

    /* pieces that start and end inside data and holes agree with the whole */
    const uint64_t cuts[][2] = {{100, 4000}, {4000, 2000}, {6000, hole}, {sizeof a + hole + 10, 10000}};
    for (size_t i = 0; i < 4; i++) {
        uint64_t off = cuts[i][0], n = cuts[i][1];
        uint32_t got = 0, expect = 0;
        for (uint64_t p = off; p < off + n;) {
            uint64_t k = p < sizeof a ? sizeof a - p : p < sizeof a + hole ? sizeof a + hole - p
                         : p < sizeof a + hole + sizeof b ? sizeof a + hole + sizeof b - p
                                                          : size - p;
            if (k > off + n - p) k = off + n - p;
            if (p < sizeof a) expect = tfc_crc32c_extend(expect, a + p, (size_t)k);
            else if (p >= sizeof a + hole && p < sizeof a + hole + sizeof b)
                expect = tfc_crc32c_extend(expect, b + (p - sizeof a - hole), (size_t)k);
            else expect = tfc_crc32c_extend_zeros(expect, k);
            p += k;
        }
        CHECK_MSG(tfc_in_file_crc32c(fd, off, n, &got) && got == expect, "piece %zu", i);
    }

    /* past the end: an error with errno 0 (the file shrank) */
    crc = 0;
    errno = EINVAL;
    CHECK(!tfc_in_file_crc32c(fd, size - 10, 11, &crc) && errno == 0);
    close(fd);
}

int main(void)
{
    test_zeros();
    test_sparse();
    return check_result();
}
