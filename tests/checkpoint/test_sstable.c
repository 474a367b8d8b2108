/* SSTable writer and reader: byte-exact against FORMATS.md §5's worked example, TensorFlow's
 * block-splitting and index-key rules, round trips, and corrupt input rejected without a crash. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sstable.h"
#include "varint.h"

/* FORMATS.md §5: the index of a bundle holding one tensor `w`, float [2] = {1, 2}. */
static const uint8_t example[121] = {
    0x00, 0x00, 0x06, 0x08, 0x01, 0x1a, 0x02, 0x08, 0x01, 0x00, 0x01, 0x0f, 0x77, 0x08, 0x01, 0x12, 0x04, 0x12, 0x02,
    0x08, 0x02, 0x28, 0x08, 0x35, 0x59, 0x3c, 0xe5, 0x35, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x09,
    0x21, 0xad, 0xc3, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xf2, 0xa1, 0xb0, 0x00, 0x01, 0x02,
    0x78, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xab, 0x30, 0x70, 0x7f, 0x29, 0x08, 0x36,
    0x0e, [112] = 0x00, 0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
static const uint8_t header_entry[] = {0x08, 0x01, 0x1a, 0x02, 0x08, 0x01};
static const uint8_t w_entry[] = {0x08, 0x01, 0x12, 0x04, 0x12, 0x02, 0x08, 0x02,
                                  0x28, 0x08, 0x35, 0x59, 0x3c, 0xe5, 0x35};

/* Builds a table from n keys/values; returns a malloc'd copy of the bytes. */
static uint8_t *build(int n, const char *const *keys, const size_t *vlens, const uint8_t *vals, size_t *len)
{
    tfc_status *st = tfc_status_new();
    tfc_sstable_builder *b = tfc_sstable_builder_new();
    for (int i = 0; i < n; i++) CHECK(tfc_sstable_builder_add(b, keys[i], strlen(keys[i]), vals, vlens[i], st));
    const uint8_t *data;
    CHECK(tfc_sstable_builder_finish(b, &data, len, st));
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));
    uint8_t *copy = malloc(*len);
    memcpy(copy, data, *len);
    tfc_sstable_builder_free(b);
    tfc_status_free(st);
    return copy;
}

/* The index block's keys (each entry is a restart point, so they are stored whole). */
static int index_keys(const uint8_t *t, size_t len, char keys[][64], int max)
{
    const uint8_t *f = t + len - TFC_SSTABLE_FOOTER_SIZE, *end = t + len - 8;
    uint64_t moff = 0, msize = 0, ioff = 0, isize = 0;
    f = tfc_varint_get(f, end, 10, &moff);
    f = tfc_varint_get(f, end, 10, &msize);
    f = tfc_varint_get(f, end, 10, &ioff);
    f = tfc_varint_get(f, end, 10, &isize);
    const uint8_t *p = t + ioff, *bend = t + ioff + isize;
    uint32_t nrestarts = tfc_get_u32le(bend - 4);
    bend -= 4 + 4 * (size_t)nrestarts;
    int n = 0;
    while (p < bend && n < max) {
        uint64_t shared = 0, nonshared = 0, vlen = 0;
        p = tfc_varint_get(p, bend, 5, &shared);
        p = tfc_varint_get(p, bend, 5, &nonshared);
        p = tfc_varint_get(p, bend, 5, &vlen);
        CHECK(shared == 0 && nonshared < 64);
        memcpy(keys[n], p, (size_t)nonshared);
        keys[n][nonshared] = '\0';
        p += nonshared + vlen;
        n++;
    }
    CHECK((int)nrestarts == n);
    return n;
}

static void test_worked_example(void)
{
    tfc_status *st = tfc_status_new();
    tfc_sstable_builder *b = tfc_sstable_builder_new();
    CHECK(tfc_sstable_builder_add(b, "", 0, header_entry, sizeof header_entry, st));
    CHECK(tfc_sstable_builder_add(b, "w", 1, w_entry, sizeof w_entry, st));
    const uint8_t *data;
    size_t len = 0;
    CHECK(tfc_sstable_builder_finish(b, &data, &len, st));
    CHECK_MSG(len == sizeof example, "%zu bytes", len);
    for (size_t i = 0; i < len && i < sizeof example; i++) CHECK_MSG(data[i] == example[i], "byte %zu", i);

    tfc_sstable *t = tfc_sstable_parse(example, sizeof example, "example.index", st);
    CHECK_MSG(t != NULL, "%s", tfc_message(st));
    if (t) {
        CHECK(tfc_sstable_count(t) == 2);
        const tfc_sstable_entry *e = tfc_sstable_find(t, "w", 1);
        CHECK(e && e->value_len == sizeof w_entry && memcmp(e->value, w_entry, sizeof w_entry) == 0);
        e = tfc_sstable_find(t, "", 0);
        CHECK(e && e->value_len == sizeof header_entry && memcmp(e->value, header_entry, sizeof header_entry) == 0);
        CHECK(tfc_sstable_find(t, "x", 1) == NULL);
        CHECK(tfc_sstable_find(t, "ww", 2) == NULL);
    }
    tfc_sstable_free(t);
    tfc_sstable_builder_free(b);
    tfc_status_free(st);
}

/* The index key of the last block is the short successor of its last key ("beta2_power" -> "c");
 * between blocks it is the shortest separator ("the quick brown fox" | "the who" -> "the r"). */
static void test_index_keys(void)
{
    static uint8_t big[300000];
    const char *k1[] = {"alpha", "beta2_power"};
    size_t v1[] = {3, 3}, len;
    uint8_t *t = build(2, k1, v1, big, &len);
    char keys[8][64];
    CHECK(index_keys(t, len, keys, 8) == 1 && strcmp(keys[0], "c") == 0);
    free(t);

    /* A value over the 256 KiB block size flushes its block right after it. */
    const char *k2[] = {"the quick brown fox", "the who"};
    size_t v2[] = {sizeof big, 10};
    t = build(2, k2, v2, big, &len);
    CHECK(index_keys(t, len, keys, 8) == 2 && strcmp(keys[0], "the r") == 0 && strcmp(keys[1], "u") == 0);
    free(t);

    /* An entry of 2x the block size or more goes into a block of its own, flushed before it. */
    static uint8_t huge[2 * TFC_SSTABLE_BLOCK_SIZE];
    const char *k3[] = {"a", "b", "c"};
    size_t v3[] = {10, sizeof huge - 1, 10};
    t = build(3, k3, v3, huge, &len);
    CHECK(index_keys(t, len, keys, 8) == 3 && strcmp(keys[0], "a") == 0 && strcmp(keys[1], "b") == 0 &&
          strcmp(keys[2], "d") == 0);
    free(t);

    /* A key that is a prefix of the next one is not shortened; a run of 0xff is left as is. */
    const char *k4[] = {"ab", "abc", "\xff\xff"};
    size_t v4[] = {sizeof big, sizeof big, 1};
    t = build(3, k4, v4, big, &len);
    CHECK(index_keys(t, len, keys, 8) == 3 && strcmp(keys[0], "ab") == 0 && strcmp(keys[1], "b") == 0 &&
          strcmp(keys[2], "\xff\xff") == 0);
    free(t);
}

/* Many entries: blocks fill to 256 KiB (the flush happens once the estimate reaches it), restart
 * points every 16 entries share prefixes in between, and everything reads back. */
static void test_round_trip(void)
{
    enum { N = 20000 };
    tfc_status *st = tfc_status_new();
    tfc_sstable_builder *b = tfc_sstable_builder_new();
    uint8_t val[300];
    for (size_t i = 0; i < sizeof val; i++) val[i] = (uint8_t)(i * 7 + 1);
    char key[64];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "layer%03d/weights/%05d", i / 100, i);
        CHECK(tfc_sstable_builder_add(b, key, strlen(key), val, (size_t)(i % 300), st));
    }
    CHECK(!tfc_sstable_builder_add(b, "a", 1, val, 1, st)); /* out of order */
    CHECK(strstr(tfc_message(st), "not after") != NULL);
    tfc_status_clear(st);
    const uint8_t *data;
    size_t len;
    CHECK(tfc_sstable_builder_finish(b, &data, &len, st));
    char keys[64][64];
    int nblocks = index_keys(data, len, keys, 64);
    /* 20000 x (3 varint bytes + a 2-byte key suffix, the whole 22-byte key every 16th entry, +
     * a 149.5-byte value on average) is about 3.13 MB: 12 blocks of 256 KiB. */
    CHECK_MSG(nblocks == 12, "%d blocks", nblocks);
    tfc_sstable *t = tfc_sstable_parse(data, len, "many", st);
    CHECK_MSG(t != NULL, "%s", tfc_message(st));
    if (t) {
        CHECK(tfc_sstable_count(t) == N);
        for (int i = 0; i < N; i += 37) {
            snprintf(key, sizeof key, "layer%03d/weights/%05d", i / 100, i);
            const tfc_sstable_entry *e = tfc_sstable_find(t, key, strlen(key));
            CHECK(e && e->value_len == (size_t)(i % 300) &&
                  (e->value_len == 0 || memcmp(e->value, val, e->value_len) == 0));
            CHECK(e == tfc_sstable_at(t, (size_t)i));
        }
        CHECK(tfc_sstable_find(t, "layer000/weights/0000", 21) == NULL);
    }
    tfc_sstable_free(t);
    tfc_sstable_builder_free(b);
    tfc_status_free(st);
}

static bool parse_fails(const uint8_t *data, size_t len, const char *expect)
{
    tfc_status *st = tfc_status_new();
    tfc_sstable *t = tfc_sstable_parse(data, len, "bad.index", st);
    bool ok = !t && strstr(tfc_message(st), "bad.index") && (!expect || strstr(tfc_message(st), expect));
    if (!ok) fprintf(stderr, "  got: %s\n", t ? "(opened)" : tfc_message(st));
    tfc_sstable_free(t);
    tfc_status_free(st);
    return ok;
}

static void test_corrupt(void)
{
    uint8_t copy[sizeof example];
    /* Truncated at every length. */
    for (size_t n = 0; n < sizeof example; n++) CHECK_MSG(parse_fails(example, n, NULL), "truncated to %zu", n);
    CHECK(parse_fails(example, 40, "shorter than"));
    CHECK(parse_fails(example, 100, "bad magic"));
    /* Bad magic. */
    memcpy(copy, example, sizeof copy);
    copy[120] ^= 1;
    CHECK(parse_fails(copy, sizeof copy, "bad magic"));
    /* A flipped bit in the data block, in its CRC, in the index block. */
    size_t spots[] = {5, 13, 30, 38, 58};
    for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
        memcpy(copy, example, sizeof copy);
        copy[spots[i]] ^= 0x10;
        CHECK_MSG(parse_fails(copy, sizeof copy, "checksum mismatch"), "byte %zu", spots[i]);
    }
    /* A snappy block (type 1). */
    memcpy(copy, example, sizeof copy);
    copy[36] = 1;
    CHECK(parse_fails(copy, sizeof copy, "snappy"));
    /* Handles pointing outside the file. */
    memcpy(copy, example, sizeof copy);
    copy[75] = 0x7f;
    CHECK(parse_fails(copy, sizeof copy, "beyond"));
    /* Every single-bit flip: an error or (footer padding) the same table; never a crash. */
    tfc_status *st = tfc_status_new();
    for (size_t i = 0; i < sizeof example * 8; i++) {
        memcpy(copy, example, sizeof copy);
        copy[i / 8] ^= (uint8_t)(1u << (i % 8));
        tfc_sstable *t = tfc_sstable_parse(copy, sizeof copy, "flip", st);
        CHECK(t ? tfc_sstable_count(t) == 2 : !tfc_ok(st));
        tfc_sstable_free(t);
        tfc_status_clear(st);
    }
    /* Random bytes, with and without a valid magic at the end. */
    uint8_t junk[4096];
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(x % sizeof junk);
        for (size_t i = 0; i < n; i++) {
            x = x * 1664525u + 1013904223u;
            junk[i] = (uint8_t)(x >> 24);
        }
        if (round % 2 && n >= 48) memcpy(junk + n - 8, example + 113, 8);
        tfc_sstable *t = tfc_sstable_parse(junk, n, "junk", st);
        CHECK(t == NULL && strstr(tfc_message(st), "junk"));
        tfc_sstable_free(t);
        tfc_status_clear(st);
    }
    tfc_status_free(st);
}

/* Tables whose keys are all empty, or start with an empty one (found by fuzz_bundle under UBSan:
 * an offset applied to the key buffer while it was still NULL): they build and read back, and an
 * entry's key is never NULL. */
static void test_empty_keys(void)
{
    const char *only[] = {""}, *first[] = {"", "b"};
    static const uint8_t vals[4] = {1, 2, 3, 4};
    size_t vlens[] = {4, 2}, len;
    tfc_status *st = tfc_status_new();
    for (int n = 1; n <= 2; n++) {
        uint8_t *data = build(n, n == 1 ? only : first, vlens, vals, &len);
        tfc_sstable *t = tfc_sstable_parse(data, len, "empty-keys.index", st);
        CHECK_MSG(t && tfc_sstable_count(t) == (size_t)n, "%s", tfc_message(st));
        for (int i = 0; t && i < n; i++) {
            const tfc_sstable_entry *e = tfc_sstable_at(t, (size_t)i);
            CHECK(e->key != NULL && e->key_len == strlen(n == 1 ? only[i] : first[i]));
            CHECK(e->value_len == vlens[i] && memcmp(e->value, vals, vlens[i]) == 0);
        }
        tfc_sstable_free(t);
        free(data);
    }
    tfc_status_free(st);
}

int main(void)
{
    test_worked_example();
    test_index_keys();
    test_round_trip();
    test_corrupt();
    test_empty_keys();
    return check_result();
}
