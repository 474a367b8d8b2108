/* The event writer: file name and first record, FORMATS.md's scalar worked example byte for
 * byte, proto3 omission of step 0, buffering and the 2-second flush, records larger than the
 * buffer, bad input, and SIGTERM writing out what was buffered. Everything is read back with
 * the reader (tfc_logdir_load). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "event_writer.h"
#include "logdir.h"
#include "record.h"
#include "summary.pb-c.h"

static char root[256];

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return *n = 0, NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*n + 1);
    if (fread(b, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return b;
}

static size_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (size_t)sb.st_size : 0;
}

/* The payload of record k of a file (into out, at most cap bytes); its length, or 0. */
static size_t record_payload(const char *path, int k, unsigned char *out, size_t cap)
{
    size_t n, len = 0, at;
    unsigned char *b = slurp(path, &n);
    tfc_record_reader r = tfc_record_reader_init(b, n);
    const unsigned char *p;
    char why[256];
    for (int i = 0; i <= k; i++)
        if (tfc_record_next(&r, &p, &len, &at, why, sizeof why) != TFC_RECORD_OK) len = 0;
    if (len > cap) len = 0;
    if (len) memcpy(out, p, len);
    free(b);
    return len;
}

static void test_first_record_and_name(void)
{
    tfc_status *st = tfc_status_new();
    char dir[512];
    snprintf(dir, sizeof dir, "%s/a/b/c", root);
    time_t before = time(NULL);
    tfc_event_writer *w = tfc_event_writer_open(dir, ".v9", st);
    CHECK_MSG(w, "%s", tfc_message(st));
    if (!w) return;
    const char *path = tfc_event_writer_path(w);
    char host[256] = "";
    gethostname(host, sizeof host);
    long long secs = 0;
    char tail[300] = "";
    CHECK(sscanf(path + strlen(dir), "/events.out.tfevents.%10lld.%299s", &secs, tail) == 2);
    char want_tail[300];
    snprintf(want_tail, sizeof want_tail, "%s.v9", host);
    CHECK_MSG(strcmp(tail, want_tail) == 0, "%s", path);
    CHECK(secs >= before && secs <= time(NULL));
    CHECK(strstr(path, "tfevents.") && strlen(strstr(path, "tfevents.") + 9) > 10);

    /* Already on disk: Event{wall_time = secs, file_version} (worked example A's layout). */
    unsigned char p[64];
    size_t n = record_payload(path, 0, p, sizeof p);
    CHECK(n == 24 && p[0] == 0x09 && p[9] == 0x1a && p[10] == 0x0d && memcmp(p + 11, "brain.Event:2", 13) == 0);
    double wt;
    memcpy(&wt, p + 1, 8);
    CHECK(wt == (double)secs);
    CHECK(tfc_event_writer_close(w, st));
    tfc_status_free(st);
}

static void test_scalar_worked_example(void)
{
    tfc_status *st = tfc_status_new();
    char dir[512];
    snprintf(dir, sizeof dir, "%s/scalar", root);
    tfc_event_writer *w = tfc_event_writer_open(dir, NULL, st);
    CHECK(w != NULL);
    if (!w) return;
    CHECK(tfc_event_writer_add_scalar(w, "loss", 0.5f, 10, st));
    CHECK(tfc_event_writer_add_scalar(w, "loss", 0.25f, 0, st));
    CHECK(tfc_event_writer_flush(w, st));
    const char *path = tfc_event_writer_path(w);

    /* FORMATS.md §3: wall_time 1.5e9, step 10, "loss" = 0.5. The writer stamps the current time,
     * so the payload is compared after putting 1.5e9 in its wall_time bytes. */
    static const unsigned char payload[26] = {0x09, 0x00, 0x00, 0x00, 0xc0, 0x0b, 0x5a, 0xd6, 0x41,
                                              0x10, 0x0a, 0x2a, 0x0d, 0x0a, 0x0b, 0x0a, 0x04, 'l',
                                              'o',  's',  's',  0x15, 0x00, 0x00, 0x00, 0x3f};
    static const unsigned char head[12] = {0x1a, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x9b, 0xd8, 0x2d};
    static const unsigned char foot[4] = {0xff, 0xfa, 0x0b, 0xb4};
    unsigned char p[64], rec[64];
    size_t n = record_payload(path, 1, p, sizeof p);
    CHECK(n == 26);
    double wt;
    memcpy(&wt, p + 1, 8);
    CHECK(wt > 1.6e9 && wt < 1e10);
    memcpy(p + 1, payload + 1, 8);
    CHECK(memcmp(p, payload, 26) == 0);
    tfc_record_frame(p, n, rec);
    CHECK(memcmp(rec, head, 12) == 0 && memcmp(rec + 38, foot, 4) == 0);

    /* Step 0 is not written (proto3): the payload is 2 bytes shorter. */
    n = record_payload(path, 2, p, sizeof p);
    CHECK(n == 24 && p[9] == 0x2a);
    CHECK(tfc_event_writer_close(w, st));
    CHECK(tfc_event_writer_close(NULL, st));
    tfc_status_free(st);
}

static void test_buffering_and_reading_back(void)
{
    tfc_status *st = tfc_status_new();
    char dir[512];
    snprintf(dir, sizeof dir, "%s/buffered", root);
    tfc_event_writer *w = tfc_event_writer_open(dir, NULL, st);
    CHECK(w != NULL);
    if (!w) return;
    char path[600];
    snprintf(path, sizeof path, "%s", tfc_event_writer_path(w));
    size_t first = file_size(path);
    CHECK(first == 40);
    for (int i = 1; i <= 1000; i++) CHECK(tfc_event_writer_add_scalar(w, "x", (float)i * 0.5f, i, st));
    size_t mid = file_size(path);
    CHECK(mid == first); /* all still buffered: less than 2 s passed */

    /* A Summary from bytes (as the summary ops make them), and one larger than the buffer. */
    Tensorflow__HistogramProto h = TENSORFLOW__HISTOGRAM_PROTO__INIT;
    double limits[2] = {0.0, 1.0}, counts[2] = {2.0, 3.0};
    h.min = -1;
    h.max = 0.5;
    h.num = 5;
    h.n_bucket_limit = h.n_bucket = 2;
    h.bucket_limit = limits;
    h.bucket = counts;
    Tensorflow__Summary__Value v = TENSORFLOW__SUMMARY__VALUE__INIT, *vs[1] = {&v};
    v.tag = "h";
    v.value_case = TENSORFLOW__SUMMARY__VALUE__VALUE_HISTO;
    v.histo = &h;
    Tensorflow__Summary s = TENSORFLOW__SUMMARY__INIT;
    s.n_value = 1;
    s.value = vs;
    unsigned char buf[256];
    size_t len = tensorflow__summary__pack(&s, buf);
    CHECK(tfc_event_writer_add_summary(w, buf, len, 1001, st));
    size_t big_len = (size_t)3 << 20;
    char *big_tag = malloc(big_len + 1);
    memset(big_tag, 'b', big_len);
    big_tag[big_len] = '\0';
    v.tag = big_tag;
    unsigned char *big = malloc(big_len + 256);
    len = tensorflow__summary__pack(&s, big);
    CHECK(tfc_event_writer_add_summary(w, big, len, 1002, st));
    free(big);
    free(big_tag);
    CHECK(tfc_event_writer_add_scalar(w, "x", -1.0f, 1003, st));
    CHECK_MSG(tfc_ok(st), "%s", tfc_message(st));

    /* Bytes that are not a Summary are refused, naming the file. */
    CHECK(!tfc_event_writer_add_summary(w, "\xff\xff", 2, 1, st));
    CHECK(tfc_status_code(st) == TFC_INVALID_ARGUMENT && strstr(tfc_message(st), path));
    tfc_status_clear(st);
    CHECK(tfc_event_writer_close(w, st));

    tfc_logdir *ld = tfc_logdir_load(path, st);
    CHECK_MSG(ld, "%s", tfc_message(st));
    if (ld) {
        const tfc_run *r = &ld->runs[0];
        CHECK(r->nevents == 1 + 1000 + 2 + 1 && ld->nwarnings == 0);
        const tfc_scalar_series *x = tfc_run_scalar(r, "x");
        CHECK(x && x->n == 1001);
        if (x && x->n == 1001) {
            CHECK(x->points[0].step == 1 && x->points[0].value == 0.5);
            CHECK(x->points[999].step == 1000 && x->points[999].value == 500);
            CHECK(x->points[1000].step == 1003 && x->points[1000].value == -1);
        }
        const tfc_histogram_series *hs = tfc_run_histogram(r, "h");
        CHECK(hs && hs->n == 1 && hs->points[0].step == 1001 && hs->points[0].counts[1] == 3);
        CHECK(tfc_run_histogram(r, "x") == NULL);
        CHECK(r->nhistograms == 2); /* "h" and the big tag */
    }
    tfc_logdir_free(ld);
    tfc_status_free(st);
}

static void test_flush_clock(void)
{
    tfc_status *st = tfc_status_new();
    char dir[512];
    snprintf(dir, sizeof dir, "%s/clock", root);
    tfc_event_writer *w = tfc_event_writer_open(dir, NULL, st);
    CHECK(w != NULL);
    if (!w) return;
    const char *path = tfc_event_writer_path(w);
    CHECK(tfc_event_writer_add_scalar(w, "x", 1.0f, 1, st));
    CHECK(file_size(path) == 40);
    struct timespec ts = {2, 100000000};
    nanosleep(&ts, NULL);
    CHECK(tfc_event_writer_add_scalar(w, "x", 2.0f, 2, st));
    CHECK(file_size(path) == 40 + 2 * 39); /* both written once 2 s had passed */
    CHECK(tfc_event_writer_close(w, st));
    tfc_status_free(st);
}

static void test_errors(void)
{
    tfc_status *st = tfc_status_new();
    char dir[512];
    snprintf(dir, sizeof dir, "%s/afile", root);
    FILE *f = fopen(dir, "w");
    fclose(f);
    CHECK(!tfc_event_writer_open(dir, NULL, st) && tfc_status_code(st) == TFC_IO);
    CHECK(strstr(tfc_message(st), "afile") && strstr(tfc_message(st), "not a folder"));
    tfc_status_clear(st);

    /* Two writers in one folder in the same second: different names, the later sorting after. */
    snprintf(dir, sizeof dir, "%s/twice", root);
    tfc_event_writer *a = tfc_event_writer_open(dir, NULL, st);
    tfc_event_writer *b = tfc_event_writer_open(dir, NULL, st);
    CHECK_MSG(a && b, "%s", tfc_message(st));
    if (a && b) CHECK(strcmp(tfc_event_writer_path(a), tfc_event_writer_path(b)) < 0);
    tfc_event_writer_close(a, NULL);
    tfc_event_writer_close(b, NULL);
    tfc_status_free(st);
}

static void test_sigterm_writes_buffer(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/signal", root);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        tfc_event_writer *w = tfc_event_writer_open(dir, NULL, NULL);
        if (!w) _exit(3);
        tfc_event_writer_flush_on_signals();
        for (int i = 0; i < 50; i++) tfc_event_writer_add_scalar(w, "s", (float)i, i + 1, NULL);
        raise(SIGTERM);
        _exit(4); /* not reached */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %d", status);
    tfc_status *st = tfc_status_new();
    tfc_logdir *ld = tfc_logdir_load(dir, st);
    CHECK_MSG(ld, "%s", tfc_message(st));
    if (ld) {
        const tfc_scalar_series *s = tfc_run_scalar(&ld->runs[0], "s");
        CHECK(s && s->n == 50 && s->points[49].value == 49);
    }
    tfc_logdir_free(ld);
    tfc_status_free(st);
}

int main(void)
{
    snprintf(root, sizeof root, "%s/tfc-test-writer-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root)) return perror("mkdtemp"), 1;
    test_first_record_and_name();
    test_scalar_worked_example();
    test_buffering_and_reading_back();
    test_errors();
    test_sigterm_writes_buffer();
    test_flush_clock();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return check_result();
}
