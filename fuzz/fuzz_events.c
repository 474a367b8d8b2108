/* libFuzzer target for the event file reader: TFRecord framing and damage handling, Event and
 * Summary parsing by protobuf-c, and the logdir's value extraction (TF2 tensors, histograms,
 * tag routing, purging, meta graphs). The input is the bytes of one event file; it is read as
 * given, and again with every record's checksums recomputed, so that mutations also reach the
 * protobuf and value code behind the checksums; the fixed-up bytes are also read from a file, a
 * piece at a time, which must give the same records as memory. Build and run: see
 * fuzz/meson.build. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crc32c.h"
#include "event_reader.h"
#include "logdir.h"

static void put_masked_crc(uint8_t *at, const uint8_t *data, size_t n)
{
    uint32_t m = tfc_crc32c_mask(tfc_crc32c(data, n));
    for (int i = 0; i < 4; i++) at[i] = (uint8_t)(m >> (8 * i));
}

/* Rewrites the checksums of the records the length fields lay out. */
static void fix_checksums(uint8_t *b, size_t size)
{
    size_t off = 0;
    while (size - off >= 12) {
        uint64_t len = 0;
        for (int i = 0; i < 8; i++) len |= (uint64_t)b[off + i] << (8 * i);
        put_masked_crc(b + off + 8, b + off, 8);
        if (size - off < 16 || len > size - off - 16) return;
        put_masked_crc(b + off + 12 + len, b + off + 12, (size_t)len);
        off += 16 + (size_t)len;
    }
}

static int read_events(const uint8_t *data, size_t size)
{
    tfc_logdir *ld = tfc_logdir_from_memory("fuzz", data, size, NULL);
    if (!ld) return 0;
    /* Touch every value read, so sanitizers check the arrays' sizes. */
    double sink = 0;
    for (size_t r = 0; r < ld->nruns; r++) {
        const tfc_run *run = &ld->runs[r];
        for (size_t i = 0; i < run->nscalars; i++)
            for (size_t j = 0; j < run->scalars[i].n; j++) sink += run->scalars[i].points[j].value;
        for (size_t i = 0; i < run->nhistograms; i++)
            for (size_t j = 0; j < run->histograms[i].n; j++) {
                const tfc_histogram_point *h = &run->histograms[i].points[j];
                for (size_t k = 0; k < h->nbuckets; k++) sink += h->limits[k] + h->counts[k];
            }
        if (run->graph_def_len) sink += run->graph_def[run->graph_def_len - 1];
    }
    for (size_t i = 0; i < ld->nwarnings; i++) sink += ld->warnings[i][0];
    tfc_logdir_free(ld);
    return sink == 12345.678; /* keeps sink alive */
}

/* The records read from a file (a memfd holding the bytes, read a piece at a time) must be the
 * ones read from memory: same offsets, same ending. */
static void compare_file_and_memory(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-events", MFD_CLOEXEC);
    if (fd < 0) return;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    tfc_event_reader *f = tfc_event_reader_open(path, NULL, NULL, NULL);
    tfc_event_reader *m = tfc_event_reader_from_memory("fuzz", data, size, NULL, NULL);
    for (bool more = f && m; more;) {
        size_t at_f = 0, at_m = 0;
        Tensorflow__Event *ef = tfc_event_reader_next(f, &at_f), *em = tfc_event_reader_next(m, &at_m);
        if (!ef != !em || at_f != at_m) abort();
        more = ef != NULL;
        if (ef) tensorflow__event__free_unpacked(ef, NULL);
        if (em) tensorflow__event__free_unpacked(em, NULL);
    }
    if (f && m && tfc_event_reader_truncated(f) != tfc_event_reader_truncated(m)) abort();
    tfc_event_reader_free(f);
    tfc_event_reader_free(m);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_events(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    if (size) memcpy(copy, data, size);
    fix_checksums(copy, size);
    read_events(copy, size);
    compare_file_and_memory(copy, size);
    free(copy);
    return 0;
}
