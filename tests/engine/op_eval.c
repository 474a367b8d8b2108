/* op_eval: builds one-op graphs from a text description, runs them and writes what they compute,
 * so tests/interop/test_all_ops_tf.py can hold every op against TensorFlow's tf.raw_ops. Not a
 * unit test: the C side of that comparison (as ggml's test-backend-ops, with TensorFlow as the
 * reference).
 *
 *   op_eval SPEC OUTDIR
 *
 * SPEC holds cases, each a block of lines:
 *   case ID
 *   input feed|feed?|const DTYPE [d0,...] FILE   an input, read raw (little-endian) from FILE: a
 *                                             placeholder of that static shape fed with it (feed? :
 *                                             of that rank, every dim unknown), or a Const
 *   op TYPE NUM_OUTPUTS                       the node, on all inputs in order, built as graph import
 *                                             builds it; it must have NUM_OUTPUTS outputs
 *   attr NAME int|float|bool|type|string|ints|types|shape VALUE   (ints: 1,2,3 or - for none; types:
 *                                             float32,int32; shape:
 *                                             2,-1 with -1 for an unknown dim, - a scalar, ? no rank)
 *   weight I [d0,...] FILE                    float32 weights R_i for output I (any outputs); the
 *                                             gradient is taken of L = sum_i sum(y_i * R_i)
 *   fd H                                      also central differences of L with step H
 *   end
 * and writes OUTDIR/ID/ y<i>.npy (output i), dx<j>.npy (dL/d input j, for float feeds the graph
 * gives a gradient), fd<j>.npy (the central differences of L, computed in double from the
 * float32 outputs), or error.txt holding the error, one line starting "build: " (the graph was
 * refused) or "run: " (a kernel failed). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grad.h"
#include "npy.h"
#include "op.h"
#include "ops.h"
#include "session.h"

#define MAX_IN 16
#define MAX_OUT 16

typedef struct {
    bool feed, unknown_dims;
    tfc_tensor *value;
} input;

typedef struct {
    char id[128];
    int nin, nout;
    input in[MAX_IN];
    char type[128];
    char attr_lines[64][512];
    int nattr;
    tfc_tensor *weights[MAX_OUT];
    int nweights;
    double fd_step;
} spec_case;

static void case_free(spec_case *c)
{
    for (int i = 0; i < c->nin; i++) tfc_tensor_free(c->in[i].value);
    for (int i = 0; i < c->nweights; i++) tfc_tensor_free(c->weights[i]);
    memset(c, 0, sizeof *c);
}

static bool parse_shape(const char *s, tfc_shape *out)
{
    if (*s != '[') return false;
    s++;
    out->rank = 0;
    while (*s && *s != ']') {
        char *end;
        long long d = strtoll(s, &end, 10);
        if (end == s || d < 0 || out->rank == TFC_MAX_DIMS) return false;
        out->dims[out->rank++] = d;
        s = *end == ',' ? end + 1 : end;
    }
    return *s == ']' && s[1] == '\0';
}

/* Reads a raw file holding exactly the tensor's bytes. */
static tfc_tensor *read_raw(const char *path, tfc_dtype dt, tfc_shape shape, char *err, size_t errlen)
{
    tfc_tensor *t = tfc_tensor_new(dt, shape);
    FILE *f = fopen(path, "rb");
    size_t n = t ? tfc_tensor_nbytes(t) : 0;
    bool ok = t && f && (n == 0 || fread(t->data, 1, n, f) == n) && fgetc(f) == EOF;
    if (f) fclose(f);
    if (!ok) {
        snprintf(err, errlen, "%.800s: cannot read %zu bytes of %s (and no more)", path, n, tfc_dtype_name(dt));
        tfc_tensor_free(t);
        return NULL;
    }
    return t;
}

static bool set_attr(tfc_graph *g, int node, char *line, char *err, size_t errlen)
{
    char *name = strtok(line, " "), *kind = strtok(NULL, " "), *value = strtok(NULL, "");
    if (kind && !value && strcmp(kind, "string") == 0) value = "";
    if (!name || !kind || !value) return snprintf(err, errlen, "bad attr line"), false;
    if (strcmp(kind, "int") == 0) {
        tfc_set_attr_int(g, node, name, strtoll(value, NULL, 10));
    } else if (strcmp(kind, "float") == 0) {
        tfc_set_attr_float(g, node, name, strtof(value, NULL));
    } else if (strcmp(kind, "bool") == 0) {
        tfc_set_attr_bool(g, node, name, strcmp(value, "1") == 0);
    } else if (strcmp(kind, "type") == 0) {
        tfc_dtype dt = tfc_dtype_from_name(value);
        if (dt == TFC_INVALID) return snprintf(err, errlen, "unknown dtype '%s'", value), false;
        tfc_set_attr_type(g, node, name, dt);
    } else if (strcmp(kind, "string") == 0) {
        tfc_set_attr_string(g, node, name, value);
    } else if (strcmp(kind, "shape") == 0) {
        tfc_shape sh = {.rank = strcmp(value, "?") == 0 ? -1 : 0};
        for (char *p = value; sh.rank >= 0 && strcmp(value, "-") && sh.rank < TFC_MAX_DIMS;) {
            char *end;
            sh.dims[sh.rank++] = strtoll(p, &end, 10);
            if (*end != ',') break;
            p = end + 1;
        }
        tfc_set_attr_shape(g, node, name, sh);
    } else if (strcmp(kind, "ints") == 0) {
        int64_t v[64];
        int n = 0;
        for (char *p = value; strcmp(value, "-") && n < 64;) {
            char *end;
            v[n++] = strtoll(p, &end, 10);
            if (*end != ',') break;
            p = end + 1;
        }
        tfc_set_attr_ints(g, node, name, v, n);
    } else if (strcmp(kind, "types") == 0) {
        tfc_dtype v[64];
        int n = 0;
        for (char *t = strtok(value, ","); t && n < 64; t = strtok(NULL, ",")) {
            v[n] = tfc_dtype_from_name(t);
            if (v[n++] == TFC_INVALID) return snprintf(err, errlen, "unknown dtype '%s'", t), false;
        }
        tfc_set_attr_types(g, node, name, v, n);
    } else {
        return snprintf(err, errlen, "unknown attr kind '%s'", kind), false;
    }
    return true;
}

static bool write_npy(const char *dir, const char *name, int i, const tfc_tensor *t, tfc_status *st)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s%d.npy", dir, name, i);
    return tfc_npy_write(path, t, st);
}

static void write_error(const char *dir, const char *msg)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/error.txt", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%s\n", msg);
        fclose(f);
    }
}

/* L = sum_i sum(y_i * R_i) in double, from the outputs of one run. */
static double weighted_sum(const spec_case *c, tfc_tensor *const *ys)
{
    double l = 0;
    for (int i = 0; i < c->nweights && i < c->nout; i++) {
        if (!c->weights[i] || !ys[i] || ys[i]->dtype != TFC_FLOAT) continue;
        for (int64_t e = 0; e < ys[i]->size && e < c->weights[i]->size; e++)
            l += (double)tfc_f32(ys[i])[e] * (double)tfc_f32(c->weights[i])[e];
    }
    return l;
}

/* Builds, runs and writes one case; false with msg set on a build or run error. */
static bool run_case(spec_case *c, const char *dir, char *msg, size_t msglen)
{
    tfc_graph *g = tfc_graph_new();
    tfc_status *st = tfc_status_new();
    tfc_session *s = NULL;
    tfc_out ins[MAX_IN], ys[MAX_OUT], dx[MAX_IN];
    tfc_feed feeds[MAX_IN];
    tfc_tensor *yv[MAX_OUT] = {0}, *gv[MAX_IN] = {0};
    int nfeeds = 0, ngrad = 0, grad_of[MAX_IN];
    bool ok = false;
    msg[0] = '\0';
    if (!g || !st) {
        snprintf(msg, msglen, "out of memory");
        goto done;
    }
    for (int i = 0; i < c->nin; i++) {
        char name[32];
        snprintf(name, sizeof name, "in%d", i);
        if (c->in[i].feed) {
            tfc_shape s = c->in[i].value->shape;
            for (int d = 0; c->in[i].unknown_dims && d < s.rank; d++) s.dims[d] = -1;
            ins[i] = tfc_placeholder(g, c->in[i].value->dtype, s, name);
            feeds[nfeeds++] = (tfc_feed){ins[i], c->in[i].value};
        } else {
            ins[i] = tfc_const(g, c->in[i].value, name);
        }
    }
    /* as graph import builds it: the outputs are those the op's shape inference sets */
    int node = tfc_node_import(g, c->type, "op", "", ins, c->nin);
    for (int i = 0; i < c->nattr && node >= 0; i++) {
        char line[512];
        snprintf(line, sizeof line, "%s", c->attr_lines[i]);
        if (!set_attr(g, node, line, msg, msglen)) goto done;
    }
    tfc_node_finish(g, node);
    if (tfc_graph_ok(g) && tfc_node_num_outputs(g, node) != c->nout) {
        snprintf(msg, msglen, "build: the node has %d outputs, TensorFlow's %d", tfc_node_num_outputs(g, node), c->nout);
        goto done;
    }
    for (int i = 0; i < c->nout; i++) ys[i] = (tfc_out){node, i};
    /* The gradient of L with respect to every float feed. */
    tfc_out terms[MAX_OUT];
    int nterms = 0;
    for (int i = 0; i < c->nweights && i < c->nout && tfc_graph_ok(g); i++) {
        if (!c->weights[i]) continue;
        char name[32];
        snprintf(name, sizeof name, "r%d", i);
        tfc_out r = tfc_const(g, c->weights[i], name);
        terms[nterms++] = tfc_reduce_sum(g, tfc_mul(g, ys[i], r, NULL), NULL, 0, false, NULL);
    }
    if (nterms && tfc_graph_ok(g)) {
        tfc_out xs[MAX_IN];
        for (int i = 0; i < c->nin; i++)
            if (c->in[i].feed && c->in[i].value->dtype == TFC_FLOAT) {
                grad_of[ngrad] = i;
                xs[ngrad++] = ins[i];
            }
        tfc_out loss = tfc_add_n(g, terms, nterms, "loss");
        tfc_gradients(g, loss, xs, ngrad, dx);
    }
    if (!tfc_graph_ok(g)) {
        snprintf(msg, msglen, "build: %s", tfc_graph_error(g));
        goto done;
    }
    if (!(s = tfc_session_new(g, NULL, st))) goto run_error;
    if (!tfc_session_run(s, feeds, nfeeds, ys, c->nout, yv, st)) goto run_error;
    for (int i = 0; i < c->nout; i++)
        if (yv[i] && !write_npy(dir, "y", i, yv[i], st)) goto run_error;
    for (int j = 0; j < ngrad; j++) {
        if (!tfc_out_ok(dx[j])) continue;
        if (!tfc_session_run(s, feeds, nfeeds, &dx[j], 1, &gv[j], st) || !write_npy(dir, "dx", grad_of[j], gv[j], st))
            goto run_error;
    }
    for (int j = 0; c->fd_step > 0 && j < ngrad; j++) {
        tfc_tensor *x = c->in[grad_of[j]].value, *fd = tfc_tensor_new(TFC_FLOAT, x->shape);
        if (!fd) goto run_error;
        for (int64_t e = 0; e < x->size; e++) {
            float keep = tfc_f32(x)[e];
            double l[2];
            for (int side = 0; side < 2; side++) {
                tfc_tensor *o[MAX_OUT] = {0};
                tfc_f32(x)[e] = keep + (float)(side ? -c->fd_step : c->fd_step);
                bool ran = tfc_session_run(s, feeds, nfeeds, ys, c->nout, o, st);
                l[side] = ran ? weighted_sum(c, o) : NAN;
                for (int i = 0; i < c->nout; i++) tfc_tensor_free(o[i]);
            }
            tfc_f32(x)[e] = keep;
            tfc_f32(fd)[e] = (float)((l[0] - l[1]) / (2 * c->fd_step));
        }
        bool w = write_npy(dir, "fd", grad_of[j], fd, st);
        tfc_tensor_free(fd);
        if (!w) goto run_error;
    }
    ok = true;
    goto done;
run_error:
    snprintf(msg, msglen, "run: %s", tfc_message(st));
done:
    for (int i = 0; i < MAX_OUT; i++) tfc_tensor_free(yv[i]);
    for (int i = 0; i < MAX_IN; i++) tfc_tensor_free(gv[i]);
    tfc_session_free(s);
    tfc_status_free(st);
    tfc_graph_free(g);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: op_eval SPEC OUTDIR\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "op_eval: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    static spec_case c;
    char line[8192], err[1024] = "", dir[4096];
    int lineno = 0, cases = 0;
    bool in_case = false;
    while (!err[0] && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        char *rest = strchr(line, ' ');
        if (rest) *rest++ = '\0';
        if (!line[0]) continue;
        if (strcmp(line, "case") == 0 && rest && !in_case) {
            snprintf(c.id, sizeof c.id, "%s", rest);
            in_case = true;
        } else if (!in_case) {
            snprintf(err, sizeof err, "'%.200s' outside a case", line);
        } else if (strcmp(line, "input") == 0 && rest && c.nin < MAX_IN) {
            char kind[16], dt[32], shape[256], path[4096];
            tfc_shape sh;
            if (sscanf(rest, "%15s %31s %255s %4095s", kind, dt, shape, path) != 4 || !parse_shape(shape, &sh) ||
                tfc_dtype_from_name(dt) == TFC_INVALID) {
                snprintf(err, sizeof err, "bad input line");
                break;
            }
            c.in[c.nin].feed = strncmp(kind, "feed", 4) == 0;
            c.in[c.nin].unknown_dims = strcmp(kind, "feed?") == 0;
            if (!(c.in[c.nin++].value = read_raw(path, tfc_dtype_from_name(dt), sh, err, sizeof err))) break;
        } else if (strcmp(line, "op") == 0 && rest) {
            if (sscanf(rest, "%127s %d", c.type, &c.nout) != 2 || c.nout < 0 || c.nout > MAX_OUT)
                snprintf(err, sizeof err, "bad op line");
        } else if (strcmp(line, "attr") == 0 && rest && c.nattr < 64) {
            snprintf(c.attr_lines[c.nattr++], sizeof c.attr_lines[0], "%s", rest);
        } else if (strcmp(line, "weight") == 0 && rest) {
            int i;
            char shape[256], path[4096];
            tfc_shape sh;
            if (sscanf(rest, "%d %255s %4095s", &i, shape, path) != 3 || i < 0 || i >= MAX_OUT || c.weights[i] ||
                !parse_shape(shape, &sh)) {
                snprintf(err, sizeof err, "bad weight line");
                break;
            }
            if (!(c.weights[i] = read_raw(path, TFC_FLOAT, sh, err, sizeof err))) break;
            if (i >= c.nweights) c.nweights = i + 1;
        } else if (strcmp(line, "fd") == 0 && rest) {
            c.fd_step = strtod(rest, NULL);
        } else if (strcmp(line, "end") == 0) {
            snprintf(dir, sizeof dir, "%s/%s", argv[2], c.id);
            if (mkdir(dir, 0777) && errno != EEXIST) {
                snprintf(err, sizeof err, "%.800s: %.200s", dir, strerror(errno));
                break;
            }
            char msg[1024];
            if (!run_case(&c, dir, msg, sizeof msg)) write_error(dir, msg);
            case_free(&c);
            in_case = false;
            cases++;
        } else {
            snprintf(err, sizeof err, "unknown or incomplete line '%.200s'", line);
        }
    }
    fclose(f);
    case_free(&c);
    if (err[0]) {
        fprintf(stderr, "op_eval: %s:%d: %s\n", argv[1], lineno, err);
        return 1;
    }
    printf("%d cases\n", cases);
    return 0;
}
