/* The `checkpoint` state file and checkpoint path resolution (see checkpoint_state.h). */
#include "checkpoint_state.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "out_file.h"

#define STATE_FILE "checkpoint"
/* A `checkpoint` file is a few lines; anything much bigger is not one. */
#define STATE_MAX_BYTES (16 << 20)

void tfc_checkpoint_state_clear(tfc_checkpoint_state *cs)
{
    if (!cs) return;
    free(cs->model_checkpoint_path);
    for (int i = 0; i < cs->num_paths; i++) free(cs->all_model_checkpoint_paths[i]);
    free(cs->all_model_checkpoint_paths);
    free(cs->timestamps);
    *cs = (tfc_checkpoint_state){0};
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* The folder of path, whose last component starts at base: ".", "/" or what precedes the slash. */
static char *folder_of(const char *path, const char *base)
{
    return base == path ? strdup(".") : base == path + 1 ? strdup("/") : strndup(path, (size_t)(base - path - 1));
}

/* ---- text format ---- */

typedef struct {
    const char *p, *end, *file;
    int line;
    tfc_status *st;
} lexer;

static void skip_space(lexer *lx)
{
    while (lx->p < lx->end) {
        if (*lx->p == '#') {
            while (lx->p < lx->end && *lx->p != '\n') lx->p++;
        } else if (isspace((unsigned char)*lx->p)) {
            if (*lx->p == '\n') lx->line++;
            lx->p++;
        } else {
            break;
        }
    }
}

static bool syntax(lexer *lx, const char *what)
{
    return tfc_fail(lx->st, TFC_DATA_LOSS, "%s:%d: not a checkpoint state file: %s", lx->file, lx->line, what);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A quoted string with C escapes into a new buffer (NULs inside end the path, as in TensorFlow). */
static char *read_string(lexer *lx)
{
    char q = *lx->p++;
    char *out = malloc((size_t)(lx->end - lx->p) + 1);
    if (!out) {
        tfc_fail(lx->st, TFC_INTERNAL, "%s: out of memory", lx->file);
        return NULL;
    }
    size_t n = 0;
    while (lx->p < lx->end && *lx->p != q && *lx->p != '\n') {
        char c = *lx->p++;
        if (c == '\\' && lx->p < lx->end) {
            char e = *lx->p++;
            static const char from[] = "abfnrtv\\'\"?", to[] = "\a\b\f\n\r\t\v\\'\"?";
            const char *k = strchr(from, e);
            if (e && k) {
                c = to[k - from];
            } else if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int i = 0; i < 2 && lx->p < lx->end && *lx->p >= '0' && *lx->p <= '7'; i++)
                    v = v * 8 + *lx->p++ - '0';
                c = (char)v;
            } else if (e == 'x' && lx->p < lx->end && hexval(*lx->p) >= 0) {
                int v = 0;
                for (int i = 0; i < 2 && lx->p < lx->end && hexval(*lx->p) >= 0; i++) v = v * 16 + hexval(*lx->p++);
                c = (char)v;
            } else {
                free(out);
                syntax(lx, "unknown escape in a string");
                return NULL;
            }
        }
        out[n++] = c;
    }
    if (lx->p >= lx->end || *lx->p != q) {
        free(out);
        syntax(lx, "unterminated string");
        return NULL;
    }
    lx->p++;
    out[n] = '\0';
    return out;
}

static bool push_path(tfc_checkpoint_state *cs, char *s)
{
    char **a = realloc(cs->all_model_checkpoint_paths, (size_t)(cs->num_paths + 1) * sizeof *a);
    if (!a) return false;
    cs->all_model_checkpoint_paths = a;
    a[cs->num_paths++] = s;
    return true;
}

static bool parse_state(lexer *lx, tfc_checkpoint_state *cs)
{
    for (;;) {
        skip_space(lx);
        if (lx->p >= lx->end) return true;
        const char *name = lx->p;
        while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_')) lx->p++;
        size_t nlen = (size_t)(lx->p - name);
        if (!nlen) return syntax(lx, "expected a field name");
        skip_space(lx);
        if (lx->p >= lx->end || *lx->p != ':') return syntax(lx, "expected ':' after a field name");
        lx->p++;
        skip_space(lx);
        if (lx->p >= lx->end) return syntax(lx, "a field without a value");
        if (*lx->p == '"' || *lx->p == '\'') {
            char *s = read_string(lx);
            if (!s) return false;
            if (nlen == 21 && memcmp(name, "model_checkpoint_path", 21) == 0) {
                free(cs->model_checkpoint_path);
                cs->model_checkpoint_path = s;
            } else if (nlen == 26 && memcmp(name, "all_model_checkpoint_paths", 26) == 0) {
                if (!push_path(cs, s)) {
                    free(s);
                    return tfc_fail(lx->st, TFC_INTERNAL, "%s: out of memory", lx->file);
                }
            } else {
                free(s); /* a field of a newer TensorFlow */
            }
        } else {
            char *e;
            errno = 0;
            double v = strtod(lx->p, &e);
            if (e == lx->p || e > lx->end) return syntax(lx, "expected a string or a number");
            lx->p = e;
            if (nlen == 31 && memcmp(name, "all_model_checkpoint_timestamps", 31) == 0) {
                double *t = realloc(cs->timestamps, (size_t)(cs->num_timestamps + 1) * sizeof *t);
                if (!t) return tfc_fail(lx->st, TFC_INTERNAL, "%s: out of memory", lx->file);
                cs->timestamps = t;
                t[cs->num_timestamps++] = v;
            } else if (nlen == 24 && memcmp(name, "last_preserved_timestamp", 24) == 0) {
                cs->last_preserved_timestamp = v;
            }
        }
    }
}

bool tfc_checkpoint_state_read(const char *dir, tfc_checkpoint_state *cs, tfc_status *st)
{
    if (!dir || !cs) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_checkpoint_state_read: no folder or no state to fill (NULL)");
    *cs = (tfc_checkpoint_state){0};
    char *path = join(dir, STATE_FILE);
    if (!path) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    FILE *f = fopen(path, "rb");
    if (!f) {
        tfc_fail(st, errno == ENOENT ? TFC_NOT_FOUND : TFC_IO, "%s: %s", path, strerror(errno));
        free(path);
        return false;
    }
    char *text = malloc(STATE_MAX_BYTES + 1);
    size_t n = text ? fread(text, 1, STATE_MAX_BYTES + 1, f) : 0;
    bool ok = true;
    if (!text)
        ok = tfc_fail(st, TFC_INTERNAL, "%s: out of memory", path);
    else if (ferror(f))
        ok = tfc_fail(st, TFC_IO, "%s: read error: %s", path, strerror(errno));
    else if (n > STATE_MAX_BYTES)
        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: too big for a checkpoint state file", path);
    fclose(f);
    if (ok) {
        lexer lx = {.p = text, .end = text + n, .file = path, .line = 1, .st = st};
        ok = parse_state(&lx, cs);
    }
    if (ok && !cs->model_checkpoint_path)
        ok = tfc_fail(st, TFC_DATA_LOSS, "%s: no model_checkpoint_path in it", path);
    free(text);
    free(path);
    if (!ok) tfc_checkpoint_state_clear(cs);
    return ok;
}

/* ---- writing ---- */

static bool put_string(tfc_out_file *of, const char *field, const char *s, tfc_status *st)
{
    size_t n = strlen(s);
    char *buf = malloc(strlen(field) + 4 * n + 8);
    if (!buf) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    size_t k = (size_t)sprintf(buf, "%s: \"", field);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\n': k += (size_t)sprintf(buf + k, "\\n"); break;
        case '\r': k += (size_t)sprintf(buf + k, "\\r"); break;
        case '\t': k += (size_t)sprintf(buf + k, "\\t"); break;
        case '"': k += (size_t)sprintf(buf + k, "\\\""); break;
        case '\'': k += (size_t)sprintf(buf + k, "\\'"); break;
        case '\\': k += (size_t)sprintf(buf + k, "\\\\"); break;
        default:
            if (*p < 0x20 || *p >= 0x7f)
                k += (size_t)sprintf(buf + k, "\\%03o", *p);
            else
                buf[k++] = (char)*p;
        }
    }
    k += (size_t)sprintf(buf + k, "\"\n");
    bool ok = tfc_out_file_write(of, buf, k, st);
    free(buf);
    return ok;
}

bool tfc_checkpoint_state_write(const char *dir, const tfc_checkpoint_state *cs, tfc_status *st)
{
    if (!dir || !cs) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_checkpoint_state_write: no folder or no state (NULL)");
    if (!cs->model_checkpoint_path) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no checkpoint to record", dir);
    char *path = join(dir, STATE_FILE);
    if (!path) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    tfc_out_file of;
    bool ok = tfc_out_file_open(&of, path, st) &&
              put_string(&of, "model_checkpoint_path", cs->model_checkpoint_path, st);
    for (int i = 0; ok && i < cs->num_paths; i++)
        ok = put_string(&of, "all_model_checkpoint_paths", cs->all_model_checkpoint_paths[i], st);
    char line[96];
    for (int i = 0; ok && i < cs->num_timestamps; i++) {
        int n = snprintf(line, sizeof line, "all_model_checkpoint_timestamps: %.17g\n", cs->timestamps[i]);
        ok = tfc_out_file_write(&of, line, (size_t)n, st);
    }
    if (ok && cs->last_preserved_timestamp != 0) {
        int n = snprintf(line, sizeof line, "last_preserved_timestamp: %.17g\n", cs->last_preserved_timestamp);
        ok = tfc_out_file_write(&of, line, (size_t)n, st);
    }
    if (ok)
        ok = tfc_out_file_commit(&of, st) && tfc_fsync_parent_dir(path, st);
    else if (of.f)
        tfc_out_file_abort(&of);
    free(path);
    return ok;
}

/* ---- resolving ---- */

static bool is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Whether a checkpoint exists at prefix: PREFIX.index, a V1 file, or V1 shards. */
static bool checkpoint_exists(const char *prefix)
{
    size_t n = strlen(prefix) + 24;
    char *p = malloc(n);
    if (!p) return false;
    snprintf(p, n, "%s.index", prefix);
    bool yes = is_file(p) || is_file(prefix);
    if (!yes) {
        snprintf(p, n, "%s-\?\?\?\?\?-of-\?\?\?\?\?", prefix);
        glob_t g;
        yes = glob(p, 0, NULL, &g) == 0;
        if (yes) globfree(&g);
    }
    free(p);
    return yes;
}

static bool copy_out(const char *s, char *out, size_t cap, tfc_status *st)
{
    if (!out) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: no room given for the path (NULL)", s);
    if (strlen(s) >= cap) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: path too long", s);
    strcpy(out, s);
    return true;
}

bool tfc_checkpoint_path_in(const char *dir, const char *path, char *out, size_t cap, tfc_status *st)
{
    if (!dir || !path) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_checkpoint_path_in: no folder or no path (NULL)");
    if (path[0] != '/') {
        char *p = join(dir, path);
        bool ok = p ? copy_out(p, out, cap, st) : tfc_fail(st, TFC_INTERNAL, "out of memory");
        free(p);
        return ok;
    }
    if (!checkpoint_exists(path)) {
        const char *base = strrchr(path, '/') + 1;
        char *p = join(dir, base);
        bool moved = p && checkpoint_exists(p);
        bool ok = moved && copy_out(p, out, cap, st);
        free(p);
        if (moved) return ok;
    }
    return copy_out(path, out, cap, st);
}

bool tfc_checkpoint_latest(const char *dir, char *prefix_out, size_t cap, tfc_status *st)
{
    tfc_checkpoint_state cs;
    if (!tfc_checkpoint_state_read(dir, &cs, st)) return false;
    bool ok = tfc_checkpoint_path_in(dir, cs.model_checkpoint_path, prefix_out, cap, st);
    /* not TFC_NOT_FOUND, which says there is no checkpoint at all: this folder's state is stale */
    if (ok && !checkpoint_exists(prefix_out))
        ok = tfc_fail(st, TFC_FAILED_PRECONDITION,
                      "%s/" STATE_FILE ": its newest checkpoint %s is not there (no %s.index, no V1 checkpoint file)",
                      dir, prefix_out, prefix_out);
    tfc_checkpoint_state_clear(&cs);
    return ok;
}

/* The most recently modified `checkpoint` file below a folder (nftw has no user pointer). */
static struct {
    char *path;
    struct timespec mtime;
} newest;

static int visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    if (flag != FTW_F || strcmp(path + ftw->base, STATE_FILE) != 0) return 0;
    if (newest.path && (sb->st_mtim.tv_sec < newest.mtime.tv_sec ||
                        (sb->st_mtim.tv_sec == newest.mtime.tv_sec && sb->st_mtim.tv_nsec <= newest.mtime.tv_nsec)))
        return 0;
    char *p = strdup(path);
    if (!p) return 1;
    free(newest.path);
    newest.path = p;
    newest.mtime = sb->st_mtim;
    return 0;
}

/* Strips a known suffix (".index", ".data-NNNNN-of-NNNNN", or the Saver's ".meta" graph beside
 * them) off a file name; false if none. */
static bool strip_suffix(const char *path, char *out, size_t cap)
{
    size_t n = strlen(path);
    if (n > 6 && strcmp(path + n - 6, ".index") == 0) {
        n -= 6;
    } else if (n > 5 && strcmp(path + n - 5, ".meta") == 0) {
        n -= 5;
    } else {
        const char *d = strstr(path, ".data-");
        unsigned a, b;
        char tail;
        if (!d || strlen(d) != 20 || sscanf(d, ".data-%5u-of-%5u%c", &a, &b, &tail) != 2) return false;
        n = (size_t)(d - path);
    }
    if (n >= cap) return false;
    memcpy(out, path, n);
    out[n] = '\0';
    return true;
}

bool tfc_checkpoint_resolve(const char *path, char *prefix_out, size_t cap, tfc_status *st)
{
    if (!path) return tfc_fail(st, TFC_INVALID_ARGUMENT, "no checkpoint named (NULL path)");
    if (is_dir(path)) {
        char *state = join(path, STATE_FILE);
        bool has_state = state && is_file(state);
        free(state);
        if (has_state) return tfc_checkpoint_latest(path, prefix_out, cap, st);
        /* a SavedModel's folder, or its variables/ folder: the checkpoint variables/variables */
        for (int i = 0; i < 2; i++) {
            char *prefix = join(path, i ? "variables" : "variables/variables");
            bool found = prefix && checkpoint_exists(prefix);
            bool ok = found && copy_out(prefix, prefix_out, cap, st);
            free(prefix);
            if (found) return ok;
        }
        newest.path = NULL;
        nftw(path, visit, 32, FTW_PHYS);
        if (!newest.path)
            return tfc_fail(st, TFC_NOT_FOUND, "%s: no checkpoint found (no `checkpoint` file in it or below)", path);
        char *slash = strrchr(newest.path, '/');
        *slash = '\0';
        bool ok = tfc_checkpoint_latest(newest.path, prefix_out, cap, st);
        free(newest.path);
        newest.path = NULL;
        return ok;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (is_file(path) && strcmp(base, STATE_FILE) == 0) {
        char *dir = folder_of(path, base);
        bool ok = dir ? tfc_checkpoint_latest(dir, prefix_out, cap, st) : tfc_fail(st, TFC_INTERNAL, "out of memory");
        free(dir);
        return ok;
    }
    if (is_file(path) && (strcmp(base, "saved_model.pb") == 0 || strcmp(base, "saved_model.pbtxt") == 0)) {
        /* a SavedModel's graph file stands for its folder: the checkpoint variables/variables */
        char *dir = folder_of(path, base);
        char *prefix = dir ? join(dir, "variables/variables") : NULL;
        bool found = prefix && checkpoint_exists(prefix);
        bool ok = !prefix ? tfc_fail(st, TFC_INTERNAL, "out of memory")
                  : found ? copy_out(prefix, prefix_out, cap, st)
                          : tfc_fail(st, TFC_NOT_FOUND, "%s: a SavedModel's graph, whose variables are not there (no %s.index)",
                                     path, prefix);
        free(dir);
        free(prefix);
        return ok;
    }
    if (is_file(path) && strip_suffix(path, prefix_out, cap)) {
        if (checkpoint_exists(prefix_out)) return true;
        return tfc_fail(st, TFC_NOT_FOUND, "%s: a file of checkpoint %s, which is not there (no %s.index)", path,
                        prefix_out, prefix_out);
    }
    if (checkpoint_exists(path)) return copy_out(path, prefix_out, cap, st);
    return tfc_fail(st, TFC_NOT_FOUND, "%s: no checkpoint there (no %s.index, no V1 checkpoint file, no folder)", path,
                    path);
}
