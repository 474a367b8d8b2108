/* A GraphDef's nodes with its function library inlined (see graph_nodes.h). Work list order:
 * the graph's own nodes, then each body appended after the node calling it has been reached, so
 * nested calls are inlined breadth first and the budget goes to the outermost bodies first. */
#include "graph_nodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    const Tensorflow__FunctionDef *fd;
} fn_entry;

static int fn_cmp(const void *a, const void *b)
{
    return strcmp(((const fn_entry *)a)->name, ((const fn_entry *)b)->name);
}

static const Tensorflow__FunctionDef *find_fn(const fn_entry *lib, size_t n, const char *name)
{
    fn_entry key = {name, NULL};
    const fn_entry *hit = n ? bsearch(&key, lib, n, sizeof key, fn_cmp) : NULL;
    return hit ? hit->fd : NULL;
}

static tfc_gdraw_node *add_node(tfc_gdraw_nodes *out)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 256;
        tfc_gdraw_node *nn = realloc(out->nodes, cap * sizeof *nn);
        if (!nn) return NULL;
        out->nodes = nn;
        out->cap = cap;
    }
    tfc_gdraw_node *n = &out->nodes[out->n++];
    *n = (tfc_gdraw_node){.call = -1};
    return n;
}

void tfc_gdraw_nodes_clear(tfc_gdraw_nodes *nodes)
{
    for (size_t i = 0; i < nodes->n; i++) {
        free(nodes->nodes[i].name);
        for (size_t k = 0; k < nodes->nodes[i].ninputs; k++) free(nodes->nodes[i].inputs[k]);
        free(nodes->nodes[i].inputs);
    }
    free(nodes->nodes);
    *nodes = (tfc_gdraw_nodes){0};
}

/* A function body's input in the graph's namespace: "^n" -> "^P/n", "n:out:3" -> "P/n:3",
 * "n:out" -> "P/n", an argument "x" -> "P/x" (its _Arg node). */
static char *body_input(const char *prefix, const char *in)
{
    bool control = in[0] == '^';
    const char *name = control ? in + 1 : in;
    const char *c1 = strchr(name, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    size_t len = c1 ? (size_t)(c1 - name) : strlen(name);
    char *s = NULL;
    int r = c2 && strcmp(c2 + 1, "0")
                ? asprintf(&s, "%s%s/%.*s:%s", control ? "^" : "", prefix, (int)len, name, c2 + 1)
                : asprintf(&s, "%s%s/%.*s", control ? "^" : "", prefix, (int)len, name);
    return r < 0 ? NULL : s;
}

static bool set_inputs(tfc_gdraw_node *n, size_t count)
{
    n->inputs = calloc(count ? count : 1, sizeof *n->inputs);
    return n->inputs != NULL;
}

/* The call node's data inputs (not "^ctl"), in order. */
static size_t data_inputs(const tfc_gdraw_node *call, const char **in, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < call->ninputs && k < cap; i++)
        if (call->inputs[i][0] != '^') in[k++] = call->inputs[i];
    return k;
}

/* Ops whose first data input picks the branch and is no argument of the function. */
static bool has_selector(const char *op)
{
    return !strcmp(op, "If") || !strcmp(op, "StatelessIf") || !strcmp(op, "Case") ||
           !strcmp(op, "StatelessCase");
}

/* Appends the body of fd as called by node ci under scope "CALL/LABEL"; false when out of
 * memory. The call node gets the body's return values as inputs. */
static bool inline_body(tfc_gdraw_nodes *out, size_t ci, const char *label,
                        const Tensorflow__FunctionDef *fd)
{
    char *prefix = NULL;
    if (asprintf(&prefix, "%s/%s", out->nodes[ci].name, label) < 0) return false;
    const Tensorflow__OpDef *sig = fd->signature;
    const char *fname = sig ? sig->name : "";
    size_t nargs = sig ? sig->n_input_arg : 0;
    bool ok = true;
    /* One _Arg node per input argument, fed by the matching data input of the call. */
    size_t ncall = out->nodes[ci].ninputs;
    const char **din = malloc((ncall ? ncall : 1) * sizeof *din);
    if (!din) ok = false;
    size_t ndata = din ? data_inputs(&out->nodes[ci], din, ncall) : 0;
    size_t skip = has_selector(out->nodes[ci].op) ? 1 : 0;
    for (size_t a = 0; ok && a < nargs; a++) {
        tfc_gdraw_node *n = add_node(out);
        if (!n) {
            ok = false;
            break;
        }
        n->op = "_Arg";
        n->call = (int)ci;
        n->fn = fname;
        ok = asprintf(&n->name, "%s/%s", prefix, sig->input_arg[a]->name) >= 0 && set_inputs(n, 1);
        if (!ok) n->name = NULL;
        if (ok && a + skip < ndata) ok = (n->inputs[n->ninputs++] = strdup(din[a + skip])) != NULL;
    }
    free(din);
    for (size_t i = 0; ok && i < fd->n_node_def; i++) {
        const Tensorflow__NodeDef *nd = fd->node_def[i];
        tfc_gdraw_node *n = add_node(out);
        if (!n) {
            ok = false;
            break;
        }
        n->op = nd->op;
        n->nd = nd;
        n->call = (int)ci;
        n->fn = fname;
        ok = asprintf(&n->name, "%s/%s", prefix, nd->name) >= 0 && set_inputs(n, nd->n_input);
        if (!ok) n->name = NULL;
        for (size_t k = 0; ok && k < nd->n_input; k++)
            ok = (n->inputs[n->ninputs++] = body_input(prefix, nd->input[k])) != NULL;
    }
    /* The return values, in output-argument order, become inputs of the call node. */
    size_t nret = sig ? sig->n_output_arg : 0;
    tfc_gdraw_node *call = &out->nodes[ci];
    char **grown = ok ? realloc(call->inputs, (call->ninputs + nret + 1) * sizeof *grown) : NULL;
    if (ok && !grown) ok = false;
    if (grown) call->inputs = grown;
    for (size_t r = 0; ok && r < nret; r++) {
        for (size_t e = 0; e < fd->n_ret; e++) {
            if (strcmp(fd->ret[e]->key, sig->output_arg[r]->name)) continue;
            ok = (call->inputs[call->ninputs] = body_input(prefix, fd->ret[e]->value)) != NULL;
            call->ninputs += ok;
            break;
        }
    }
    free(prefix);
    out->ninlined += ok;
    return ok;
}

/* True when function fname encloses node i already (a recursive call), or the calls nest
 * deeper than the limit. */
static bool too_deep(const tfc_gdraw_nodes *out, size_t i, const char *fname)
{
    int depth = 0;
    for (int c = (int)i; c >= 0; c = out->nodes[c].call) {
        if (out->nodes[c].fn && !strcmp(out->nodes[c].fn, fname)) return true;
        if (out->nodes[c].call >= 0 && ++depth >= TFC_GDRAW_INLINE_DEPTH) return true;
    }
    return false;
}

typedef struct {
    const char *fn;
    char *label; /* malloc'ed */
} call_ref;

static int ref_cmp(const void *a, const void *b)
{
    return strcmp(((const call_ref *)a)->label, ((const call_ref *)b)->label);
}

/* The functions node n calls: its func and list(func) attrs, and its op when that names a
 * library function (TF1 function calls). Labels "ATTR:FN", "ATTR_K:FN", "f:FN" (malloc'ed);
 * sorted. Returns how many, at most cap; each fn points into n or into unpacked, which the
 * caller frees. */
static size_t calls_of(const tfc_gdraw_node *n, const fn_entry *lib, size_t nlib, call_ref *refs,
                       size_t cap, Tensorflow__FunctionName **unpacked, size_t *nunpacked, size_t ucap)
{
    size_t k = 0;
    if (find_fn(lib, nlib, n->op) && k < cap && asprintf(&refs[k].label, "f:%s", n->op) >= 0)
        refs[k++].fn = n->op;
    for (size_t a = 0; n->nd && a < n->nd->n_attr; a++) {
        const Tensorflow__NodeDef__AttrEntry *e = n->nd->attr[a];
        if (!e->value) continue;
        const ProtobufCBinaryData *funcs = NULL;
        size_t nfuncs = 0;
        if (e->value->value_case == TENSORFLOW__ATTR_VALUE__VALUE_FUNC) {
            funcs = &e->value->func;
            nfuncs = 1;
        } else if (e->value->value_case == TENSORFLOW__ATTR_VALUE__VALUE_LIST && e->value->list) {
            funcs = e->value->list->func;
            nfuncs = e->value->list->n_func;
        }
        for (size_t f = 0; f < nfuncs && k < cap && *nunpacked < ucap; f++) {
            Tensorflow__FunctionName *fnm = tensorflow__function_name__unpack(NULL, funcs[f].len, funcs[f].data);
            if (!fnm) continue;
            unpacked[(*nunpacked)++] = fnm;
            if (!find_fn(lib, nlib, fnm->name)) continue;
            int r = e->value->value_case == TENSORFLOW__ATTR_VALUE__VALUE_FUNC
                        ? asprintf(&refs[k].label, "%s:%s", e->key, fnm->name)
                        : asprintf(&refs[k].label, "%s_%zu:%s", e->key, f, fnm->name);
            if (r >= 0) refs[k++].fn = fnm->name;
        }
    }
    qsort(refs, k, sizeof *refs, ref_cmp);
    return k;
}

bool tfc_gdraw_nodes_build(const Tensorflow__GraphDef *gd, tfc_gdraw_nodes *out)
{
    *out = (tfc_gdraw_nodes){0};
    bool ok = true;
    for (size_t i = 0; ok && i < gd->n_node; i++) {
        const Tensorflow__NodeDef *nd = gd->node[i];
        tfc_gdraw_node *n = add_node(out);
        ok = n && (n->name = strdup(nd->name)) && set_inputs(n, nd->n_input);
        if (!ok) break;
        n->op = nd->op;
        n->nd = nd;
        for (size_t k = 0; ok && k < nd->n_input; k++)
            ok = (n->inputs[n->ninputs++] = strdup(nd->input[k])) != NULL;
    }
    const Tensorflow__FunctionDefLibrary *lib = gd->library;
    size_t nlib = lib ? lib->n_function : 0;
    fn_entry *fns = nlib ? malloc(nlib * sizeof *fns) : NULL;
    if (nlib && !fns) ok = false;
    size_t nfns = 0;
    for (size_t i = 0; ok && i < nlib; i++)
        if (lib->function[i]->signature && *lib->function[i]->signature->name)
            fns[nfns++] = (fn_entry){lib->function[i]->signature->name, lib->function[i]};
    if (nfns) qsort(fns, nfns, sizeof *fns, fn_cmp);
    size_t budget = TFC_GDRAW_INLINE_NODES;
    enum { MAX_CALLS = 64 };
    for (size_t i = 0; ok && nfns && i < out->n; i++) {
        call_ref refs[MAX_CALLS];
        Tensorflow__FunctionName *unpacked[MAX_CALLS * 4];
        size_t nunpacked = 0;
        const tfc_gdraw_node *n = &out->nodes[i];
        size_t nref = calls_of(n, fns, nfns, refs, MAX_CALLS, unpacked, &nunpacked, MAX_CALLS * 4);
        for (size_t r = 0; ok && r < nref; r++) {
            const Tensorflow__FunctionDef *fd = find_fn(fns, nfns, refs[r].fn);
            size_t size = fd->n_node_def + (fd->signature ? fd->signature->n_input_arg : 0);
            if (size > budget || too_deep(out, i, refs[r].fn)) {
                out->nskipped++;
                continue;
            }
            budget -= size;
            ok = inline_body(out, i, refs[r].label, fd);
        }
        for (size_t r = 0; r < nref; r++) free(refs[r].label);
        for (size_t u = 0; u < nunpacked; u++) tensorflow__function_name__free_unpacked(unpacked[u], NULL);
    }
    free(fns);
    if (!ok) tfc_gdraw_nodes_clear(out);
    return ok;
}
