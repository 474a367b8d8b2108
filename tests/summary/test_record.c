/* TFRecord framing: the worked examples of FORMATS.md §1 byte for byte, and reading damaged
 * buffers and files: every truncation point, every flipped bit of a record, bad lengths, random
 * bytes, a big record checked before it is kept. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "crc32c.h"
#include "event.pb-c.h"
#include "record.h"

static const unsigned char example_b[] = {0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6d, 0x53, 0x2b,
                                          0x09, 0x1a, 0x0d, 'b',  'r',  'a',  'i',  'n',  '.',  'E',  'v',
                                          'e',  'n',  't',  ':',  '2',  0xfc, 0x98, 0x51, 0x29};

static void test_examples(void)
{
    /* The masked crc of payload 1a 11 "CRC test, one two" is 0x5794D08A [real]. */
    unsigned char p[19] = {0x1a, 0x11};
    memcpy(p + 2, "CRC test, one two", 17);
    CHECK(tfc_crc32c_mask(tfc_crc32c(p, sizeof p)) == 0x5794D08Au);

    /* Worked example B: Event{wall_time 0, file_version "brain.Event:2"} as a 31-byte record;
     * protobuf-c leaves the zero wall_time out, as proto3 writers do. */
    Tensorflow__Event ev = TENSORFLOW__EVENT__INIT;
    ev.what_case = TENSORFLOW__EVENT__WHAT_FILE_VERSION;
    ev.file_version = "brain.Event:2";
    unsigned char payload[64], out[64];
    size_t n = tensorflow__event__pack(&ev, payload);
    CHECK(n == 15 && memcmp(payload, example_b + 12, 15) == 0);
    tfc_record_frame(payload, n, out);
    CHECK(memcmp(out, example_b, sizeof example_b) == 0);

    /* Worked example A: a 24-byte payload; header and footer as TF wrote them. */
    const unsigned char a[24] = {0x09, 0x00, 0x00, 0x80, 0x38, 0x99, 0xd6, 0xd7, 0x41, 0x1a, 0x0d, 'b',
                                 'r',  'a',  'i',  'n',  '.',  'E',  'v',  'e',  'n',  't',  ':',  '2'};
    const unsigned char head[12] = {0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22};
    const unsigned char foot[4] = {0x12, 0x4b, 0x36, 0xab};
    tfc_record_frame(a, sizeof a, out);
    CHECK(memcmp(out, head, 12) == 0);
    CHECK(memcmp(out + 36, foot, 4) == 0);

    tfc_record_reader r = tfc_record_reader_init(example_b, sizeof example_b);
    const unsigned char *pl;
    size_t len, at;
    char why[256];
    CHECK(tfc_record_next(&r, &pl, &len, &at, why, sizeof why) == TFC_RECORD_OK);
    CHECK(len == 15 && at == 0 && memcmp(pl, example_b + 12, 15) == 0);
    CHECK(tfc_record_next(&r, &pl, &len, &at, why, sizeof why) == TFC_RECORD_END);
}

/* Three records with payloads of 5, 0 and 300 bytes. */
static size_t three_records(unsigned char *buf, size_t *starts)
{
    static const size_t sizes[3] = {5, 0, 300};
    unsigned char payload[300];
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        for (size_t j = 0; j < sizes[i]; j++) payload[j] = (unsigned char)(i * 31 + j);
        starts[i] = off;
        tfc_record_frame(payload, sizes[i], buf + off);
        off += sizes[i] + TFC_RECORD_OVERHEAD;
    }
    starts[3] = off;
    return off;
}

/* Reads buf to the end, from memory and again from a file holding it (the two must agree):
 * results in res[], the offsets of the records read in ok_at[]. */
static int read_all(const unsigned char *buf, size_t len, tfc_record_result *res, size_t *ok_at, int *nok)
{
    char path[] = "/tmp/tfc-test-record-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && (len == 0 || write(fd, buf, len) == (ssize_t)len));
    unlink(path);
    int n = 0;
    *nok = 0;
    for (int from_file = 0; from_file < 2; from_file++) {
        tfc_record_reader r = from_file ? tfc_record_reader_file(fd, len) : tfc_record_reader_init(buf, len);
        int k = 0, ok = 0;
        for (;;) {
            const unsigned char *pl;
            size_t plen, at;
            char why[256];
            tfc_record_result x = tfc_record_next(&r, &pl, &plen, &at, why, sizeof why);
            if (from_file) CHECK_MSG(k < n && x == res[k], "record %d: file and memory disagree", k);
            if (!from_file && k < 16) res[k] = x;
            k++;
            if (x == TFC_RECORD_OK) {
                if (from_file) CHECK(ok < *nok && ok_at[ok] == at && memcmp(pl, buf + at + 12, plen) == 0);
                else ok_at[(*nok)++] = at;
                ok++;
            }
            if (x == TFC_RECORD_END || x == TFC_RECORD_TRUNCATED || k > 1000) break;
        }
        if (!from_file) n = k;
        tfc_record_reader_clear(&r);
    }
    close(fd);
    return n;
}

static void test_truncation(void)
{
    unsigned char buf[512];
    size_t starts[4];
    size_t len = three_records(buf, starts);
    for (size_t cut = 0; cut <= len; cut++) {
        tfc_record_result res[16];
        size_t ok_at[16];
        int nok, n = read_all(buf, cut, res, ok_at, &nok);
        int whole = 0;
        while (whole < 3 && starts[whole + 1] <= cut) whole++;
        bool boundary = starts[whole] == cut;
        CHECK_MSG(nok == whole, "cut %zu: %d records read, %d expected", cut, nok, whole);
        CHECK_MSG(res[n - 1] == (boundary ? TFC_RECORD_END : TFC_RECORD_TRUNCATED), "cut %zu", cut);
        CHECK_MSG(n == whole + 1, "cut %zu: a damaged record was reported in a truncated buffer", cut);
    }
}

static void test_flipped_bits(void)
{
    unsigned char buf[512], bad[512];
    size_t starts[4];
    size_t len = three_records(buf, starts);
    /* Every bit of the middle record (header, empty payload, footer): the first record is read,
     * the middle one is reported, and reading stops there, as TensorFlow's reader does. */
    for (size_t bit = 0; bit < 8 * (starts[2] - starts[1]); bit++) {
        memcpy(bad, buf, len);
        bad[starts[1] + bit / 8] ^= (unsigned char)(1u << (bit % 8));
        tfc_record_result res[16];
        size_t ok_at[16];
        int nok, n = read_all(bad, len, res, ok_at, &nok);
        CHECK_MSG(n == 3 && res[0] == TFC_RECORD_OK && res[1] == TFC_RECORD_CORRUPT && res[2] == TFC_RECORD_END,
                  "bit %zu", bit);
        CHECK_MSG(nok == 1 && ok_at[0] == starts[0], "bit %zu", bit);
    }
    /* A sample of bits of the last, long record: the first two are read, the damage reported. */
    for (size_t bit = 0; bit < 8 * (starts[3] - starts[2]); bit += 7) {
        memcpy(bad, buf, len);
        bad[starts[2] + bit / 8] ^= (unsigned char)(1u << (bit % 8));
        tfc_record_result res[16];
        size_t ok_at[16];
        int nok, n = read_all(bad, len, res, ok_at, &nok);
        CHECK_MSG(nok == 2 && res[2] == TFC_RECORD_CORRUPT && res[n - 1] == TFC_RECORD_END, "bit %zu", bit);
    }
}

static void test_lengths_and_noise(void)
{
    unsigned char buf[512];
    size_t starts[4];
    size_t len = three_records(buf, starts);
    const unsigned char *pl;
    size_t plen, at;
    char why[256];

    /* A huge length with its checksum fixed up claims more than the buffer holds: a truncated
     * record, nothing allocated, no overflow. */
    unsigned char huge[sizeof buf];
    memcpy(huge, buf, len);
    for (int i = 0; i < 8; i++) huge[starts[1] + i] = 0xff;
    uint32_t m = tfc_crc32c_mask(tfc_crc32c(huge + starts[1], 8));
    for (int i = 0; i < 4; i++) huge[starts[1] + 8 + i] = (unsigned char)(m >> (8 * i));
    tfc_record_reader r = tfc_record_reader_init(huge, len);
    CHECK(tfc_record_next(&r, &pl, &plen, &at, why, sizeof why) == TFC_RECORD_OK);
    CHECK(tfc_record_next(&r, &pl, &plen, &at, why, sizeof why) == TFC_RECORD_TRUNCATED);
    CHECK(at == starts[1] && strstr(why, "incomplete record"));
    CHECK(tfc_record_next(&r, &pl, &plen, &at, why, sizeof why) == TFC_RECORD_END);

    /* A huge length without its checksum: corrupt, and nothing after it is read (where a next
     * record would start is unknown). */
    huge[starts[1] + 8] ^= 1;
    r = tfc_record_reader_init(huge, len);
    CHECK(tfc_record_next(&r, &pl, &plen, &at, why, sizeof why) == TFC_RECORD_OK);
    CHECK(tfc_record_next(&r, &pl, &plen, &at, why, sizeof why) == TFC_RECORD_CORRUPT);
    CHECK_MSG(at == starts[1] && strstr(why, "length checksum mismatch") && strstr(why, "332 bytes not read"), "%s",
              why);
    CHECK(tfc_record_next(&r, &pl, &plen, &at, why, sizeof why) == TFC_RECORD_END);

    /* Random bytes: terminates, never reads a record, never crashes. */
    srand(7);
    unsigned char *noise = malloc(1 << 16);
    for (int trial = 0; trial < 20; trial++) {
        size_t n = (size_t)(rand() % (1 << 16));
        for (size_t i = 0; i < n; i++) noise[i] = (unsigned char)rand();
        tfc_record_result res[16];
        size_t ok_at[16];
        int nok;
        read_all(noise, n, res, ok_at, &nok);
        CHECK(nok == 0);
    }
    free(noise);
}

/* From a file, a 40 MiB record: read whole when sound; when its payload checksum is wrong, found
 * out in pieces, before a buffer of its size is taken. */
static void test_big_record_from_a_file(void)
{
    size_t n = 40u << 20;
    unsigned char *rec = malloc(n + TFC_RECORD_OVERHEAD), *payload = malloc(n);
    for (size_t i = 0; i < n; i++) payload[i] = (unsigned char)(i * 7 + (i >> 12));
    tfc_record_frame(payload, n, rec);
    char path[] = "/tmp/tfc-test-record-XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    for (int damaged = 0; damaged < 2; damaged++) {
        if (damaged) rec[12 + n / 2] ^= 0x40;
        CHECK(pwrite(fd, rec, n + TFC_RECORD_OVERHEAD, 0) == (ssize_t)(n + TFC_RECORD_OVERHEAD));
        tfc_record_reader r = tfc_record_reader_file(fd, n + TFC_RECORD_OVERHEAD);
        const unsigned char *pl;
        size_t plen, at;
        char why[256];
        tfc_record_result x = tfc_record_next(&r, &pl, &plen, &at, why, sizeof why);
        if (!damaged) CHECK(x == TFC_RECORD_OK && plen == n && memcmp(pl, payload, n) == 0);
        else CHECK_MSG(x == TFC_RECORD_CORRUPT && strstr(why, "payload checksum") && r.cap < (1u << 20), "%s", why);
        CHECK(tfc_record_next(&r, &pl, &plen, &at, why, sizeof why) == TFC_RECORD_END);
        tfc_record_reader_clear(&r);
    }
    close(fd);
    free(rec);
    free(payload);
}

int main(void)
{
    test_examples();
    test_truncation();
    test_flipped_bits();
    test_lengths_and_noise();
    test_big_record_from_a_file();
    return check_result();
}
