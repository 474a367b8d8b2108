/* Saving and restoring a session's variables as TensorFlow checkpoints (see saver.h). */
#include "saver.h"

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "meta_graph.h"
#include "out_file.h"
#include "ops.h"

/* At most this many names are listed per kind of mismatch. */
#define MAX_LISTED 8

/* A variable and its checkpoint key; a partitioned variable's part also its place in the whole
 * (TensorFlow's shape_and_slices, "10 4 0,3:0,4": the whole's dims, then start,length per dim). */
typedef struct {
    int var;
    const char *key;
    const char *slice; /* NULL: the variable is stored whole */
} saved_var;

static int key_cmp(const void *a, const void *b) { return strcmp(((const saved_var *)a)->key, ((const saved_var *)b)->key); }

/* The key TensorFlow's Saver gives variable v in a graph that holds its save/ nodes: the name in
 * the RestoreV2 tensor_names that an Assign (or AssignVariableOp, through Identity) of v reads.
 * NULL when the graph has none for v; the key is then the variable's name, as TensorFlow's
 * default Saver has it. This is what keeps a graph imported under a prefix ("import/W") restoring
 * TensorFlow's checkpoint ("W"), and saving one TensorFlow restores. */
static const char *saver_key(const tfc_graph *g, int v, const int *assigns, int nassigns, const char **slice)
{
    for (int a = 0; a < nassigns; a++) {
        int node = assigns[a];
        if (tfc_node_input(g, node, 0).node != v) continue;
        tfc_out o = tfc_node_input(g, node, 1);
        for (int hop = 0; hop < 4 && strcmp(tfc_node_op(g, o.node), "Identity") == 0; hop++) o = tfc_node_input(g, o.node, 0);
        if (strcmp(tfc_node_op(g, o.node), "RestoreV2") != 0) continue;
        int names = tfc_node_input(g, o.node, 1).node;
        const tfc_attr *val = strcmp(tfc_node_op(g, names), "Const") == 0 ? tfc_node_find_attr(g, names, "value") : NULL;
        if (!val || val->kind != TFC_ATTR_TENSOR || val->tensor->dtype != TFC_STRING || o.index >= val->tensor->size)
            continue;
        const tfc_bytes *key = &((const tfc_bytes *)val->tensor->data)[o.index];
        if (!key->len || memchr(key->ptr, 0, key->len)) continue;
        int specs = tfc_node_input(g, o.node, 2).node;
        const tfc_attr *sv = strcmp(tfc_node_op(g, specs), "Const") == 0 ? tfc_node_find_attr(g, specs, "value") : NULL;
        const tfc_bytes *spec = sv && sv->kind == TFC_ATTR_TENSOR && sv->tensor->dtype == TFC_STRING &&
                                        o.index < sv->tensor->size
                                    ? &((const tfc_bytes *)sv->tensor->data)[o.index]
                                    : NULL;
        *slice = spec && spec->len && !memchr(spec->ptr, 0, spec->len) ? spec->ptr : NULL;
        return key->ptr;
    }
    return NULL;
}

/* The variables of var_list (n of them; NULL: all the graph's variables), each once, with their
 * keys, sorted by key (a Saver writes them in that order); NULL with st set when an entry is not a
 * variable or memory runs out. */
static saved_var *saved_variables(const tfc_graph *g, const tfc_out *var_list, int n, int *count, tfc_status *st)
{
    if (var_list && n <= 0) {
        tfc_fail(st, TFC_INVALID_ARGUMENT, "the saver's var_list is empty");
        return NULL;
    }
    int total = var_list ? n : tfc_graph_num_variables(g), nodes = tfc_graph_num_nodes(g), nassigns = 0;
    saved_var *v = malloc((size_t)(total ? total : 1) * sizeof *v);
    int *assigns = malloc((size_t)(nodes ? nodes : 1) * sizeof *assigns);
    if (!v || !assigns) {
        free(v);
        free(assigns);
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        return NULL;
    }
    *count = 0;
    for (int i = 0; i < total; i++) {
        int node = var_list ? tfc_variable_node(g, var_list[i]) : tfc_graph_variable(g, i);
        if (node < 0) {
            char name[256];
            tfc_fail(st, TFC_INVALID_ARGUMENT, "the saver's var_list[%d] ('%s') is not a variable", i,
                     var_list[i].node >= 0 && var_list[i].node < tfc_graph_num_nodes(g)
                         ? tfc_out_name(g, var_list[i], name, sizeof name)
                         : "not a node of this graph");
            free(v);
            free(assigns);
            return NULL;
        }
        bool seen = false;
        for (int k = 0; k < *count && !seen; k++) seen = v[k].var == node;
        if (!seen) v[(*count)++].var = node;
    }
    for (int i = 0; i < nodes; i++)
        if ((strcmp(tfc_node_op(g, i), "Assign") == 0 || strcmp(tfc_node_op(g, i), "AssignVariableOp") == 0) &&
            tfc_node_num_inputs(g, i) == 2)
            assigns[nassigns++] = i;
    for (int i = 0; i < *count; i++) {
        v[i].slice = NULL;
        v[i].key = saver_key(g, v[i].var, assigns, nassigns, &v[i].slice);
        if (!v[i].key) v[i].key = tfc_node_name(g, v[i].var);
    }
    free(assigns);
    qsort(v, (size_t)*count, sizeof *v, key_cmp);
    return v;
}

/* The folder of a prefix ("." when it has none) and its last component. */
static void split_prefix(const char *prefix, char *dir, size_t cap, const char **base)
{
    const char *slash = strrchr(prefix, '/');
    if (!slash) {
        snprintf(dir, cap, ".");
        *base = prefix;
    } else {
        snprintf(dir, cap, "%.*s", slash == prefix ? 1 : (int)(slash - prefix), prefix);
        *base = slash + 1;
    }
}

/* Whether a path listed in the state file is BASE or BASE-<digits>, a checkpoint of this saver. */
static bool ours(const char *listed, const char *base)
{
    const char *b = strrchr(listed, '/');
    b = b ? b + 1 : listed;
    size_t n = strlen(base);
    if (strcmp(b, base) == 0) return true;
    if (strncmp(b, base, n) != 0 || b[n] != '-' || !b[n + 1]) return false;
    for (const char *p = b + n + 1; *p; p++)
        if (!isdigit((unsigned char)*p)) return false;
    return true;
}

/* Removes a checkpoint's files: PREFIX.index, its data files, a .meta. Best effort, as TF's. */
static void delete_checkpoint(const char *prefix)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s.index", prefix);
    unlink(path);
    snprintf(path, sizeof path, "%s.meta", prefix);
    unlink(path);
    snprintf(path, sizeof path, "%s.data-\?\?\?\?\?-of-\?\?\?\?\?", prefix);
    glob_t g;
    if (glob(path, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) unlink(g.gl_pathv[i]);
        globfree(&g);
    }
}

/* Whether name (in the saver's folder) is a temporary file that a killed save of this saver
 * left: a checkpoint's .index, .meta or .data-NNNNN-of-NNNNN, or `checkpoint`, then
 * .tempstate<digits> (see out_file.h). */
static bool stale_temporary(const char *name, const char *base)
{
    const char *t = strstr(name, TFC_TEMP_SUFFIX);
    if (!t || t - name > NAME_MAX || !t[strlen(TFC_TEMP_SUFFIX)]) return false;
    for (const char *d = t + strlen(TFC_TEMP_SUFFIX); *d; d++)
        if (!isdigit((unsigned char)*d)) return false;
    char stem[NAME_MAX + 1];
    snprintf(stem, sizeof stem, "%.*s", (int)(t - name), name);
    if (strcmp(stem, "checkpoint") == 0) return true;
    char *dot = strrchr(stem, '.');
    if (!dot || (strcmp(dot, ".index") != 0 && strcmp(dot, ".meta") != 0 &&
                 fnmatch(".data-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]", dot, 0) != 0))
        return false;
    *dot = '\0';
    return ours(stem, base);
}

/* Removes what killed saves of this saver left in its folder: their temporary files stay
 * otherwise, one or two per killed save, each as big as a checkpoint. */
static void remove_stale_temporaries(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char path[PATH_MAX];
    for (struct dirent *e; (e = readdir(d));) {
        if (!stale_temporary(e->d_name, base)) continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path) unlink(path);
    }
    closedir(d);
}

/* Records the new checkpoint in DIR/checkpoint (written atomically) and then deletes the files of
 * this saver's checkpoints beyond the newest max_to_keep. */
static bool update_state(const char *dir, const char *base, const char *saved, int max_to_keep, tfc_status *st)
{
    tfc_checkpoint_state old, now = {0};
    tfc_status *ignored = tfc_status_new();
    /* An unreadable state file is replaced: the checkpoints it listed are kept on disk. */
    if (!tfc_checkpoint_state_read(dir, &old, ignored)) old = (tfc_checkpoint_state){0};
    tfc_status_free(ignored);
    char **keep = calloc((size_t)old.num_paths + 1, sizeof *keep);
    char **drop = calloc((size_t)old.num_paths + 1, sizeof *drop);
    bool ok = keep && drop;
    int nkeep = 0, ndrop = 0, mine = 1; /* the new one is ours */
    for (int i = old.num_paths - 1; ok && i >= 0; i--) {
        char *p = old.all_model_checkpoint_paths[i];
        if (strcmp(p, saved) == 0) continue;
        bool is_ours = ours(p, base);
        if (is_ours && max_to_keep > 0 && mine >= max_to_keep)
            drop[ndrop++] = p;
        else
            keep[nkeep++] = p;
        mine += is_ours;
    }
    if (ok) {
        /* keep[] is newest first; the file lists oldest first, the new one last */
        for (int i = 0, j = nkeep - 1; i < j; i++, j--) {
            char *t = keep[i];
            keep[i] = keep[j];
            keep[j] = t;
        }
        keep[nkeep++] = (char *)saved;
        now.model_checkpoint_path = (char *)saved;
        now.all_model_checkpoint_paths = keep;
        now.num_paths = nkeep;
        ok = tfc_checkpoint_state_write(dir, &now, st);
    } else {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
    }
    for (int i = 0; ok && i < ndrop; i++) {
        char path[PATH_MAX];
        tfc_status *unused = tfc_status_new();
        if (tfc_checkpoint_path_in(dir, drop[i], path, sizeof path, unused)) delete_checkpoint(path);
        tfc_status_free(unused);
    }
    free(keep);
    free(drop);
    tfc_checkpoint_state_clear(&old);
    return ok;
}

bool tfc_saver_save(tfc_session *s, const char *prefix, int64_t step, int max_to_keep, char *path_out, size_t path_cap,
                    tfc_status *st)
{
    return tfc_saver_save_vars(s, NULL, 0, prefix, step, max_to_keep, path_out, path_cap, st);
}

bool tfc_saver_save_vars(tfc_session *s, const tfc_out *var_list, int nvars, const char *prefix, int64_t step, int max_to_keep,
                         char *path_out, size_t path_cap, tfc_status *st)
{
    char path[PATH_MAX], dir[PATH_MAX];
    const char *base;
    if (!s || !prefix) return tfc_fail(st, TFC_INVALID_ARGUMENT, "saving: no %s given", s ? "checkpoint prefix" : "session");
    if (!tfc_bundle_prefix_ok(prefix, st)) return false;
    if (step < 0 && step != TFC_SAVER_NO_STEP)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: step %lld is negative", prefix, (long long)step);
    int len = step < 0 ? snprintf(path, sizeof path, "%s", prefix) : snprintf(path, sizeof path, "%s-%lld", prefix, (long long)step);
    if (len >= (int)sizeof path) return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: path too long", prefix);
    if (path_out && strlen(path) >= path_cap)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: path_out has room for %zu bytes, the path needs %zu (nothing saved)", path,
                        path_cap, strlen(path) + 1);
    split_prefix(prefix, dir, sizeof dir, &base);
    remove_stale_temporaries(dir, base);
    const tfc_graph *g = tfc_session_graph(s);
    int n;
    saved_var *vars = saved_variables(g, var_list, nvars, &n, st);
    if (!vars) return false;
    bool ok = true;
    for (int i = 0; ok && i < n; i++) {
        if (!tfc_session_variable(s, vars[i].var))
            ok = tfc_fail(st, TFC_FAILED_PRECONDITION, "saving %s: variable '%s' is not initialised", path,
                          tfc_node_name(g, vars[i].var));
        else if (vars[i].slice)
            ok = tfc_fail(st, TFC_INVALID_ARGUMENT,
                          "saving %s: variable '%s' is slice '%s' of the partitioned variable '%s': tfc restores "
                          "partitioned variables but saves whole ones only",
                          path, tfc_node_name(g, vars[i].var), vars[i].slice, vars[i].key);
        else if (i && strcmp(vars[i].key, vars[i - 1].key) == 0)
            ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "saving %s: variables '%s' and '%s' have the same key '%s'", path,
                          tfc_node_name(g, vars[i - 1].var), tfc_node_name(g, vars[i].var), vars[i].key);
    }
    tfc_bundle_writer *w = ok ? tfc_bundle_writer_new(path, st) : NULL;
    ok = ok && w;
    for (int i = 0; ok && i < n; i++)
        ok = tfc_bundle_writer_add(w, vars[i].key, tfc_session_variable(s, vars[i].var), st);
    ok = ok && tfc_bundle_writer_finish(w, st);
    tfc_bundle_writer_free(w);
    free(vars);
    const char *slash = strrchr(path, '/');
    ok = ok && update_state(dir, base, slash ? slash + 1 : path, max_to_keep, st);
    if (ok && path_out) snprintf(path_out, path_cap, "%s", path);
    return ok;
}

bool tfc_saver_write_meta(const tfc_session *s, const char *checkpoint, tfc_status *st)
{
    char path[PATH_MAX];
    if (!s || !checkpoint) return tfc_fail(st, TFC_INVALID_ARGUMENT, "writing a .meta: no %s given", s ? "checkpoint" : "session");
    if (snprintf(path, sizeof path, "%s.meta", checkpoint) >= (int)sizeof path)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: path too long", checkpoint);
    return tfc_meta_graph_write(tfc_session_graph(s), path, st);
}

/* The names of one kind of mismatch for the error: the first MAX_LISTED, or fewer where they
 * would not leave the message room for the other kinds (a status holds 1 KiB), then how many
 * more there are. */
typedef struct {
    char text[280];
    int count, listed;
} name_list;

static void list_add(name_list *l, const char *name)
{
    size_t len = strlen(l->text), room = sizeof l->text - sizeof " and 999999 more";
    if (l->listed == l->count && l->listed < MAX_LISTED && (!l->listed || len + 2 + strlen(name) < room)) {
        snprintf(l->text + len, room - len, "%s%s", l->listed ? ", " : "", name);
        l->listed++;
    }
    l->count++;
}

static void list_end(name_list *l)
{
    size_t len = strlen(l->text);
    if (l->count > l->listed) snprintf(l->text + len, sizeof l->text - len, " and %d more", l->count - l->listed);
}

/* A shape_and_slices string: the whole's shape and the part's start and length per dim ("-" is a
 * whole dim); false when it is not one. */
static bool parse_slice(const char *spec, tfc_shape *whole, int64_t *start, int64_t *length)
{
    const char *p = spec, *last = strrchr(spec, ' ');
    char *end;
    whole->rank = 0;
    while (last && p < last) {
        long long d = strtoll(p, &end, 10);
        if (end == p || *end != ' ' || d < 0 || whole->rank == TFC_MAX_DIMS) return false;
        whole->dims[whole->rank++] = d;
        p = end + 1;
    }
    for (int d = 0; d < whole->rank; d++) {
        if (*p == '-') {
            start[d] = 0;
            length[d] = whole->dims[d];
            p++;
        } else {
            long long a = strtoll(p, &end, 10);
            if (end == p || *end != ',') return false;
            long long n = strtoll(end + 1, &end, 10);
            if (a < 0 || n < 0 || a > whole->dims[d] - n) return false;
            start[d] = a;
            length[d] = n;
            p = end;
        }
        if (*p != (d + 1 < whole->rank ? ':' : '\0')) return false;
        if (*p) p++;
    }
    return whole->rank > 0;
}

/* Checks that the checkpoint has the variables, with their dtypes and shapes; when they do not fit,
 * the error also names (with name_others) the checkpoint's tensors that are no variable's. */
static bool check_match(const tfc_graph *g, const tfc_bundle *b, const saved_var *vars, int n, bool name_others,
                        tfc_status *st)
{
    name_list parts[3] = {0}; /* missing, unexpected, mismatched */
    static const char *const kind[3] = {"missing", "unexpected", "mismatched"};
    char item[600];
    for (int i = 0; i < n; i++) {
        const char *name = vars[i].key;
        const tfc_bundle_entry *e = tfc_bundle_find(b, name);
        tfc_dtype dt = tfc_variable_dtype(g, vars[i].var);
        tfc_shape shape = tfc_variable_shape(g, vars[i].var), whole = shape, part = shape;
        int64_t start[TFC_MAX_DIMS];
        bool sliced = vars[i].slice != NULL, parsed = !sliced || parse_slice(vars[i].slice, &whole, start, part.dims);
        part.rank = whole.rank;
        char s1[TFC_SHAPE_STR_MAX], s2[TFC_SHAPE_STR_MAX], d1[24];
        if (!e) {
            list_add(&parts[0], name);
        } else if (!parsed || !tfc_shape_equal(part, shape)) {
            snprintf(item, sizeof item, "%s: the graph's slice '%s' is not its part %s of a whole", name,
                     vars[i].slice, tfc_shape_str(shape, s2));
            list_add(&parts[2], item);
        } else if (e->dtype != (int)dt || !tfc_shape_equal(e->shape, whole)) {
            snprintf(item, sizeof item, "%s: checkpoint %s %s, graph %s %s", name, tfc_bundle_dtype_name(e->dtype, d1),
                     tfc_shape_str(e->shape, s1), tfc_dtype_name(dt), tfc_shape_str(whole, s2));
            list_add(&parts[2], item);
        }
    }
    /* As TensorFlow's Saver, a checkpoint may hold more than the graph (another optimizer's slots,
     * a training graph's checkpoint restored into an evaluation graph); when the graph does not
     * fit, those tensors are named too, as they tell which checkpoint it is. */
    if (!parts[0].count && !parts[2].count) return true;
    for (int i = 0; name_others && i < tfc_bundle_count(b); i++) {
        saved_var want = {.key = tfc_bundle_at(b, i)->name};
        if (!bsearch(&want, vars, (size_t)n, sizeof *vars, key_cmp)) list_add(&parts[1], want.key);
    }
    char msg[sizeof parts + 200] = "";
    for (int i = 0; i < 3; i++) {
        if (!parts[i].count) continue;
        list_end(&parts[i]);
        size_t len = strlen(msg);
        snprintf(msg + len, sizeof msg - len, "%s%d %s (%s)", len ? "; " : "", parts[i].count, kind[i], parts[i].text);
    }
    return tfc_fail(st, TFC_INVALID_ARGUMENT, "restoring from %s: the checkpoint does not fit the graph: %s",
                    tfc_bundle_prefix(b), msg);
}

int tfc_saver_unrestored(const tfc_graph *g, const tfc_bundle *b, const char **names, int cap, tfc_status *st)
{
    if (!g || !b) return tfc_fail(st, TFC_INVALID_ARGUMENT, "tfc_saver_unrestored: no graph or checkpoint (NULL)"), -1;
    int n;
    saved_var *vars = saved_variables(g, NULL, 0, &n, st);
    if (!vars) return -1;
    int count = 0;
    for (int i = 0; i < tfc_bundle_count(b); i++) {
        saved_var want = {.key = tfc_bundle_at(b, i)->name};
        if (bsearch(&want, vars, (size_t)n, sizeof *vars, key_cmp)) continue;
        if (names && count < cap) names[count] = want.key;
        count++;
    }
    free(vars);
    return count;
}

bool tfc_saver_restore(tfc_session *s, const char *path, tfc_status *st)
{
    return tfc_saver_restore_vars(s, NULL, 0, path, st);
}

bool tfc_saver_restore_vars(tfc_session *s, const tfc_out *var_list, int nvars, const char *path, tfc_status *st)
{
    char prefix[PATH_MAX];
    if (!s || !path) return tfc_fail(st, TFC_INVALID_ARGUMENT, "restoring: no %s given", s ? "checkpoint path" : "session");
    const tfc_graph *g = tfc_session_graph(s);
    int n;
    saved_var *vars = saved_variables(g, var_list, nvars, &n, st);
    if (!vars) return false;
    if (!tfc_checkpoint_resolve(path, prefix, sizeof prefix, st)) {
        free(vars);
        return false;
    }
    tfc_bundle *b = tfc_bundle_open(prefix, st);
    if (!b) {
        free(vars);
        return false;
    }
    tfc_tensor **values = calloc((size_t)(n ? n : 1), sizeof *values);
    bool ok = values ? check_match(g, b, vars, n, !var_list, st) : tfc_fail(st, TFC_INTERNAL, "out of memory");
    /* Everything is read (and checked) before any variable changes. */
    for (int i = 0; ok && i < n; i++) {
        tfc_shape whole, part;
        int64_t start[TFC_MAX_DIMS];
        if (vars[i].slice && parse_slice(vars[i].slice, &whole, start, part.dims)) /* checked above */
            values[i] = tfc_bundle_read_slice(b, vars[i].key, whole.rank, start, part.dims, st);
        else
            values[i] = tfc_bundle_read(b, vars[i].key, st);
        ok = values[i] != NULL;
    }
    for (int i = 0; ok && i < n; i++) ok = tfc_session_assign(s, vars[i].var, values[i], st);
    for (int i = 0; values && i < n; i++) tfc_tensor_free(values[i]);
    free(values);
    free(vars);
    tfc_bundle_close(b);
    return ok;
}
