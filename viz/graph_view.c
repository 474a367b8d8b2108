/* Builds what tfc-graph draws from a model and the drawing options (see graph_view.h): open and
 * collapsed scopes, the merged edges between drawn items, TensorBoard's extraction of
 * high-degree nodes, done the way its graph view does it (per open scope, with its quartile
 * bounds), and its series; then the layout's cost estimate and the steps that keep it within
 * budget. */
#include "graph_view.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph_aux.h"

/* TensorBoard's extraction parameters (tf_graph_common/render.ts). */
#define EXTRACT_MIN_NODES 15
#define EXTRACT_MIN_DEGREE 5

static bool is_apply_op(const char *op)
{
    return !strncmp(op, "Apply", 5) || !strncmp(op, "ResourceApply", 13) ||
           !strncmp(op, "SparseApply", 11) || !strncmp(op, "ResourceSparseApply", 19);
}

/* gradients/ (gradients_1/, ...) and optimizer scopes: the parent of an update_* scope holding
 * an Apply* op. */
static bool *sticky_scopes(const tfc_gdraw_model *m)
{
    bool *sticky = calloc(m->nscopes, sizeof *sticky);
    if (!sticky) return NULL;
    for (size_t s = 1; s < m->nscopes; s++)
        sticky[s] = tfc_gdraw_name_is(m->scopes[s].name, "gradients");
    for (size_t i = 0; i < m->nops; i++) {
        if (!is_apply_op(m->ops[i].op)) continue;
        for (int s = m->ops[i].scope; s > 0; s = m->scopes[s].parent)
            if (!strncmp(m->scopes[s].name, "update_", 7) && m->scopes[s].parent > 0)
                sticky[m->scopes[s].parent] = true;
    }
    return sticky;
}

/* True when hay[0..len) contains needle, ignoring case. */
static bool contains_nocase(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (!strncasecmp(hay + i, needle, n)) return true;
    return false;
}

/* "unknown scope 'x' in --expand (known: a, b, ...)": scopes whose path contains the name,
 * shallow ones first, then top-level ones. */
static void fail_unknown_scope(const tfc_gdraw_model *m, const char *name, tfc_status *st)
{
    char *known = NULL;
    size_t len = 0, listed = 0;
    FILE *f = open_memstream(&known, &len);
    if (!f) {
        tfc_fail(st, TFC_NOT_FOUND, "unknown scope '%s' in --expand", name);
        return;
    }
    int deepest = 0;
    for (size_t s = 1; s < m->nscopes; s++)
        if (m->scopes[s].depth > deepest) deepest = m->scopes[s].depth;
    for (int d = 1; d <= deepest && listed < 5; d++) {
        for (size_t s = 1; s < m->nscopes && listed < 5; s++) {
            if (m->scopes[s].depth != d || !contains_nocase(m->scopes[s].path, m->scopes[s].path_len, name))
                continue;
            fprintf(f, "%s%.*s", listed++ ? ", " : "", (int)m->scopes[s].path_len, m->scopes[s].path);
        }
    }
    for (size_t s = 1; s < m->nscopes && listed < 5; s++) {
        if (m->scopes[s].depth != 1 || contains_nocase(m->scopes[s].path, m->scopes[s].path_len, name)) continue;
        fprintf(f, "%s%.*s", listed++ ? ", " : "", (int)m->scopes[s].path_len, m->scopes[s].path);
    }
    fclose(f);
    if (m->nscopes == 1)
        tfc_fail(st, TFC_NOT_FOUND, "unknown scope '%s' in --expand (the graph has no name scopes)",
                 name);
    else
        tfc_fail(st, TFC_NOT_FOUND, "unknown scope '%s' in --expand (known: %s%s)", name,
                 known ? known : "", m->nscopes - 1 > listed ? ", ..." : "");
    free(known);
}

static bool open_scopes(const tfc_gdraw_model *m, const tfc_gdraw_options *opt,
                        const bool *sticky, bool *opened, tfc_status *st)
{
    bool *forced = calloc(m->nscopes, sizeof *forced);
    if (!forced) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    bool ok = true;
    for (size_t i = 0; i < opt->nexpand && ok; i++) {
        int s = tfc_gdraw_model_find_scope(m, opt->expand[i]);
        if (s <= 0) {
            ok = false;
            if (tfc_gdraw_model_find_op(m, opt->expand[i]) >= 0)
                tfc_fail(st, TFC_INVALID_ARGUMENT, "--expand '%s' names an op, not a name scope",
                         opt->expand[i]);
            else
                fail_unknown_scope(m, opt->expand[i], st);
        }
        for (; s > 0; s = m->scopes[s].parent) forced[s] = true;
    }
    opened[0] = true;
    for (size_t s = 1; s < m->nscopes; s++) {
        const tfc_gdraw_scope *sc = &m->scopes[s];
        bool variable = sc->op >= 0 && m->ops[sc->op].kind == TFC_GDRAW_VARIABLE;
        bool by_depth = (opt->depth <= 0 || sc->depth < opt->depth) && !sticky[s];
        opened[s] = forced[s] || (opened[sc->parent] && by_depth && !variable);
    }
    free(forced);
    return ok;
}

typedef struct {
    int from, to;
    int src, out; /* out -1: a control dependency */
    bool update;  /* a variable into an op that updates it */
} flow;

/* Ops that take a variable to change it: assignments, optimizer updates, scatters. */
static bool updates_variable(const char *op)
{
    static const char *const prefixes[] = {"Assign", "Apply", "ResourceApply", "SparseApply",
                                           "ResourceSparseApply", "Scatter", "ResourceScatter",
                                           "CountUpTo"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (!strncmp(op, prefixes[i], strlen(prefixes[i]))) return true;
    return false;
}

static int flow_cmp(const void *pa, const void *pb)
{
    const flow *a = pa, *b = pb;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    if (a->src != b->src) return a->src < b->src ? -1 : 1;
    return (a->out > b->out) - (a->out < b->out);
}

/* Merges the flows between items into one edge per (from, to). */
static bool merge_edges(tfc_gdraw_view *v, flow *flows, size_t n)
{
    qsort(flows, n, sizeof *flows, flow_cmp);
    v->edges = calloc(n ? n : 1, sizeof *v->edges);
    if (!v->edges) return false;
    bool tensor_updates = false; /* every flow so far of the current tensor is an update */
    for (size_t i = 0; i < n; i++) {
        const flow *f = &flows[i];
        bool same_edge = i && flows[i - 1].from == f->from && flows[i - 1].to == f->to;
        if (!same_edge)
            v->edges[v->nedges++] = (tfc_gdraw_edge){.from = f->from, .to = f->to, .src_op = -1, .nbundled = 1};
        bool same_tensor = same_edge && flows[i - 1].src == f->src && flows[i - 1].out == f->out;
        tfc_gdraw_edge *e = &v->edges[v->nedges - 1];
        if (f->out < 0) {
            e->ncontrol += !same_tensor;
        } else if (!same_tensor) {
            if (!e->ntensors) {
                e->src_op = f->src;
                e->src_output = f->out;
            }
            e->ntensors++;
            e->nupdates += f->update;
            tensor_updates = f->update;
        } else if (tensor_updates && !f->update) {
            e->nupdates--;
            tensor_updates = false;
        }
    }
    return true;
}

/* ---- TensorBoard's high-degree extraction ----
 * Inside each open scope (a group), the members are the items drawn in it and the open scopes
 * directly below it; an edge between two items counts in the group where their paths meet,
 * between the members holding them. A member's degree is its number of distinct neighbours by
 * data edges (by control edges when it has no data edge). With at least 15 members, items whose
 * in-degree exceeds max(Q3 + (Q3 - Q1), 4), or out-degree max(Q3 + 4 (Q3 - Q1), 4), go aside. */

typedef struct {
    int group, u, w;
    bool data;
} gedge;

static int gedge_cmp(const void *pa, const void *pb)
{
    const gedge *a = pa, *b = pb;
    if (a->group != b->group) return a->group < b->group ? -1 : 1;
    if (a->u != b->u) return a->u < b->u ? -1 : 1;
    return (a->w > b->w) - (a->w < b->w);
}

typedef struct {
    int group, member;
} membership;

static int membership_cmp(const void *pa, const void *pb)
{
    const membership *a = pa, *b = pb;
    if (a->group != b->group) return a->group < b->group ? -1 : 1;
    return (a->member > b->member) - (a->member < b->member);
}

static int lca(const tfc_gdraw_model *m, int a, int b)
{
    while (m->scopes[a].depth > m->scopes[b].depth) a = m->scopes[a].parent;
    while (m->scopes[b].depth > m->scopes[a].depth) b = m->scopes[b].parent;
    while (a != b) {
        a = m->scopes[a].parent;
        b = m->scopes[b].parent;
    }
    return a;
}

/* The member of group g holding item k: the item itself, or nitems + an open scope. */
static int member_of(const tfc_gdraw_model *m, const tfc_gdraw_view *v, int g, int k)
{
    int s = v->items[k].parent;
    if (s == g) return k;
    while (m->scopes[s].parent != g) s = m->scopes[s].parent;
    return (int)v->nitems + s;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The bound above which a degree is high, over the n degrees of one group. */
static size_t degree_bound(const size_t *deg, size_t n, size_t *tmp, size_t iqr_factor)
{
    memcpy(tmp, deg, n * sizeof *tmp);
    qsort(tmp, n, sizeof *tmp, cmp_size);
    size_t q1 = tmp[(size_t)lround(n * 0.25)], q3 = tmp[(size_t)lround(n * 0.75)];
    size_t bound = q3 + iqr_factor * (q3 - q1);
    return bound > EXTRACT_MIN_DEGREE - 1 ? bound : EXTRACT_MIN_DEGREE - 1;
}

typedef struct {
    size_t *in, *out; /* per item: the degree that put it aside, 0 for none */
} aside_degrees;

/* sticky (may be NULL): scopes whose items never go aside. */
static bool extract_high_degree(const tfc_gdraw_model *m, tfc_gdraw_view *v, const bool *holds,
                                const bool *sticky, aside_degrees *ad)
{
    size_t nmem = v->nitems + m->nscopes;
    gedge *ge = malloc((v->nedges ? v->nedges : 1) * sizeof *ge);
    size_t *in_data = calloc(nmem, sizeof(size_t)), *in_all = calloc(nmem, sizeof(size_t));
    size_t *out_data = calloc(nmem, sizeof(size_t)), *out_all = calloc(nmem, sizeof(size_t));
    membership *ms = malloc(nmem * sizeof *ms);
    size_t *din = malloc(nmem * sizeof(size_t)), *dout = malloc(nmem * sizeof(size_t));
    size_t *tmp = malloc(nmem * sizeof(size_t));
    bool ok = ge && in_data && in_all && out_data && out_all && ms && din && dout && tmp;
    if (ok) {
        size_t nge = 0;
        for (size_t i = 0; i < v->nedges; i++) {
            const tfc_gdraw_edge *e = &v->edges[i];
            int g = lca(m, v->items[e->from].parent, v->items[e->to].parent);
            ge[nge++] = (gedge){g, member_of(m, v, g, e->from), member_of(m, v, g, e->to),
                                e->ntensors > 0};
        }
        qsort(ge, nge, sizeof *ge, gedge_cmp);
        for (size_t i = 0; i < nge;) {
            size_t j = i;
            bool data = false;
            for (; j < nge && !gedge_cmp(&ge[i], &ge[j]); j++) data |= ge[j].data;
            out_all[ge[i].u]++;
            in_all[ge[i].w]++;
            out_data[ge[i].u] += data;
            in_data[ge[i].w] += data;
            i = j;
        }
        size_t nms = 0;
        for (size_t k = 0; k < v->nitems; k++) ms[nms++] = (membership){v->items[k].parent, (int)k};
        for (size_t s = 1; s < m->nscopes; s++)
            if (holds[s]) ms[nms++] = (membership){m->scopes[s].parent, (int)(v->nitems + s)};
        qsort(ms, nms, sizeof *ms, membership_cmp);
        for (size_t i = 0; i < nms;) {
            size_t j = i;
            while (j < nms && ms[j].group == ms[i].group) j++;
            size_t n = j - i;
            if (n >= EXTRACT_MIN_NODES) {
                for (size_t k = 0; k < n; k++) {
                    int u = ms[i + k].member;
                    din[k] = in_data[u] ? in_data[u] : in_all[u];
                    dout[k] = out_data[u] ? out_data[u] : out_all[u];
                }
                size_t ib = degree_bound(din, n, tmp, 1), ob = degree_bound(dout, n, tmp, 4);
                for (size_t k = 0; k < n; k++) {
                    int u = ms[i + k].member;
                    if ((size_t)u >= v->nitems) continue; /* open scopes stay */
                    if (sticky && v->items[u].scope >= 0 && sticky[v->items[u].scope]) continue;
                    if (din[k] > ib) ad->in[u] = din[k];
                    else if (dout[k] > ob) ad->out[u] = dout[k];
                    v->items[u].aside = ad->in[u] || ad->out[u];
                }
            }
            i = j;
        }
    }
    free(ge);
    free(in_data);
    free(in_all);
    free(out_data);
    free(out_all);
    free(ms);
    free(din);
    free(dout);
    free(tmp);
    return ok;
}

/* ---- TensorBoard's bridge bundling (its maxBridgePathDegree) ---- */
#define BRIDGE_MAX_EDGES 4

typedef struct {
    int u, w; /* the members of the group where the edge's ends meet */
    size_t edge;
} bridge;

static int bridge_cmp(const void *pa, const void *pb)
{
    const bridge *a = pa, *b = pb;
    if (a->u != b->u) return a->u < b->u ? -1 : 1;
    if (a->w != b->w) return a->w < b->w ? -1 : 1;
    return (a->edge > b->edge) - (a->edge < b->edge);
}

static int edge_cmp(const void *pa, const void *pb)
{
    const tfc_gdraw_edge *a = pa, *b = pb;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    return (a->to > b->to) - (a->to < b->to);
}

static bool bundle_bridges(const tfc_gdraw_model *m, tfc_gdraw_view *v)
{
    size_t n = v->nedges;
    bridge *br = malloc((n ? n : 1) * sizeof *br);
    tfc_gdraw_edge *out = malloc((n ? n : 1) * sizeof *out);
    if (!br || !out) {
        free(br);
        free(out);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const tfc_gdraw_edge *e = &v->edges[i];
        int g = lca(m, v->items[e->from].parent, v->items[e->to].parent);
        br[i] = (bridge){member_of(m, v, g, e->from), member_of(m, v, g, e->to), i};
    }
    qsort(br, n, sizeof *br, bridge_cmp);
    size_t nout = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && br[j].u == br[i].u && br[j].w == br[i].w) j++;
        bool scope_end = (size_t)br[i].u >= v->nitems || (size_t)br[i].w >= v->nitems;
        if (j - i <= BRIDGE_MAX_EDGES || !scope_end) {
            for (size_t k = i; k < j; k++) out[nout++] = v->edges[br[k].edge];
            i = j;
            continue;
        }
        /* One edge: from the last item leaving the box, to the first entering the other. */
        tfc_gdraw_edge b = v->edges[br[i].edge];
        b.from_scope = (size_t)br[i].u >= v->nitems ? br[i].u - (int)v->nitems : 0;
        b.to_scope = (size_t)br[i].w >= v->nitems ? br[i].w - (int)v->nitems : 0;
        b.nbundled = j - i;
        for (size_t k = i + 1; k < j; k++) {
            const tfc_gdraw_edge *e = &v->edges[br[k].edge];
            if (e->from > b.from) b.from = e->from;
            if (e->to < b.to) b.to = e->to;
            if (!b.ntensors && e->ntensors) {
                b.src_op = e->src_op;
                b.src_output = e->src_output;
            }
            b.ntensors += e->ntensors;
            b.nupdates += e->nupdates;
            b.ncontrol += e->ncontrol;
        }
        out[nout++] = b;
        i = j;
    }
    qsort(out, nout, sizeof *out, edge_cmp);
    free(v->edges);
    free(br);
    v->edges = out;
    v->nedges = nout;
    return true;
}

/* ---- how the layout takes the edges, and what it will cost ---- */

/* A variable (or a collapsed variable's scope) or a constant: an input with no inputs. */
static bool source_like(const tfc_gdraw_model *m, const tfc_gdraw_item *it)
{
    int op = it->op >= 0 ? it->op : m->scopes[it->scope].op;
    if (op < 0) return false;
    tfc_gdraw_kind kind = m->ops[op].kind;
    return kind == TFC_GDRAW_VARIABLE || (kind == TFC_GDRAW_CONSTANT && it->op >= 0);
}

static void set_layout_flags(const tfc_gdraw_model *m, tfc_gdraw_view *v)
{
    for (size_t i = 0; i < v->nedges; i++) {
        tfc_gdraw_edge *e = &v->edges[i];
        bool update_only = e->ntensors && e->nupdates == e->ntensors && !e->ncontrol;
        e->constraint = !update_only;
        e->reversed = !update_only && !e->from_scope && source_like(m, &v->items[e->from]);
    }
}

/* Ranks as Graphviz's network simplex about gives them, along the constraint edges as the
 * layout declares them: each item as early as its predecessors allow, except one with more edges
 * out than in, which goes as late as its successors allow (a placeholder or a variable read
 * next to the op using it, not at the top). An item on a cycle, which Graphviz breaks, takes its
 * rank from the edges seen before it. Fills rank (nitems entries), nranks and nvirtual: one
 * virtual node for every rank an edge crosses between its ends. False when out of memory. */
static bool estimate_layout(tfc_gdraw_view *v, size_t *rank)
{
    size_t n = v->nitems, ne = v->nedges;
    size_t *indeg = calloc(n ? n : 1, sizeof *indeg), *nin = malloc((n ? n : 1) * sizeof *nin);
    size_t *start = calloc(n + 1, sizeof *start), *adj = malloc((ne ? ne : 1) * sizeof *adj);
    size_t *order = malloc((n ? n : 1) * sizeof *order), *late = malloc((n ? n : 1) * sizeof *late);
    bool *done = calloc(n ? n : 1, sizeof *done);
    bool ok = indeg && nin && start && adj && order && late && done;
    if (ok) {
        for (size_t i = 0; i < ne; i++) {
            const tfc_gdraw_edge *e = &v->edges[i];
            if (!e->constraint) continue;
            start[(e->reversed ? e->to : e->from) + 1]++;
            indeg[e->reversed ? e->from : e->to]++;
        }
        for (size_t k = 0; k < n; k++) start[k + 1] += start[k];
        memcpy(late, start, n * sizeof *late); /* fill pointers, for now */
        for (size_t i = 0; i < ne; i++) {
            const tfc_gdraw_edge *e = &v->edges[i];
            if (e->constraint) adj[late[e->reversed ? e->to : e->from]++] = (size_t)(e->reversed ? e->from : e->to);
        }
        memcpy(nin, indeg, n * sizeof *nin);
        /* A topological order (Kahn's), and the earliest ranks along it. */
        size_t head = 0, tail = 0, next = 0;
        for (size_t k = 0; k < n; k++) {
            rank[k] = 0;
            if (!indeg[k]) order[tail++] = k;
        }
        size_t height = 0;
        for (size_t processed = 0; processed < n; processed++) {
            if (head == tail) { /* the rest is on cycles: go on from the first item not reached */
                while (done[next]) next++;
                order[tail++] = next;
            }
            size_t u = order[head++];
            done[u] = true;
            if (rank[u] > height) height = rank[u];
            for (size_t a = start[u]; a < start[u + 1]; a++) {
                size_t w = adj[a];
                if (rank[u] + 1 > rank[w]) rank[w] = rank[u] + 1;
                if (indeg[w] && --indeg[w] == 0 && !done[w]) order[tail++] = w;
            }
        }
        /* The latest ranks, last items first. */
        for (size_t i = n; i-- > 0;) {
            size_t u = order[i];
            late[u] = height;
            for (size_t a = start[u]; a < start[u + 1]; a++)
                if (late[adj[a]] && late[adj[a]] - 1 < late[u]) late[u] = late[adj[a]] - 1;
            if (late[u] < rank[u]) late[u] = rank[u];
        }
        /* The ranks: earliest given the predecessors' final ranks, or latest for the items with
         * more edges out than in; rank[] holds the lower bounds as they are pushed along. */
        for (size_t k = 0; k < n; k++) rank[k] = 0;
        for (size_t i = 0; i < n; i++) {
            size_t u = order[i];
            if (start[u + 1] - start[u] > nin[u] && late[u] > rank[u]) rank[u] = late[u];
            for (size_t a = start[u]; a < start[u + 1]; a++)
                if (rank[u] + 1 > rank[adj[a]]) rank[adj[a]] = rank[u] + 1;
        }
        v->nranks = 0;
        v->nvirtual = 0;
        for (size_t k = 0; k < n; k++)
            if (!v->items[k].aside && rank[k] + 1 > v->nranks) v->nranks = rank[k] + 1;
        for (size_t i = 0; i < ne; i++) {
            size_t a = rank[v->edges[i].from], b = rank[v->edges[i].to], span = a > b ? a - b : b - a;
            if (span > 1) v->nvirtual += span - 1;
        }
    }
    free(indeg);
    free(nin);
    free(start);
    free(adj);
    free(order);
    free(late);
    free(done);
    return ok;
}

char *tfc_gdraw_item_name(const tfc_gdraw_model *m, const tfc_gdraw_view *v, const tfc_gdraw_item *it)
{
    if (it->series >= 0) {
        const tfc_gdraw_series *se = &v->series[it->series];
        const tfc_gdraw_scope *p = &m->scopes[m->ops[it->op].scope];
        char *s = NULL;
        bool own = p->op == it->op; /* the op names its scope: the series lives beside it */
        size_t plen = own ? (m->scopes[p->parent].path_len) : p->path_len;
        const char *path = own ? m->scopes[p->parent].path : p->path;
        return asprintf(&s, "%.*s%s%s[%llu-%llu]", (int)plen, path, plen ? "/" : "", se->base, se->lo, se->hi) < 0
                   ? NULL
                   : s;
    }
    return it->op >= 0 ? strdup(m->ops[it->op].name) : tfc_gdraw_scope_path(m, it->scope);
}

/* Appends line (malloc'ed, taken; NULL for out of memory) to a list of lines. */
static bool add_line(char ***lines, size_t *n, char *line)
{
    if (!line) return false;
    char **nn = realloc(*lines, (*n + 1) * sizeof *nn);
    if (!nn) {
        free(line);
        return false;
    }
    *lines = nn;
    (*lines)[(*n)++] = line;
    return true;
}

static bool add_note(tfc_gdraw_view *v, char *line) { return add_line(&v->note, &v->nnote, line); }

static bool note_aside(const tfc_gdraw_model *m, tfc_gdraw_view *v, const aside_degrees *ad)
{
    static const tfc_gdraw_aux reasons[] = {TFC_GDRAW_AUX_INIT, TFC_GDRAW_AUX_SAVE,
                                            TFC_GDRAW_AUX_SUMMARY};
    for (size_t r = 0; r < sizeof reasons / sizeof *reasons; r++) {
        char *line = tfc_gdraw_aux_describe(m, reasons[r]);
        if (line && !add_note(v, line)) return false;
    }
    char *line = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f) return false;
    fputs("high degree: ", f);
    for (size_t k = 0; k < v->nitems; k++) {
        if (!v->items[k].aside) continue;
        char *name = tfc_gdraw_item_name(m, v, &v->items[k]);
        if (ad->in[k])
            fprintf(f, "%s%s (%zu inputs)", n++ ? ", " : "", name ? name : "?", ad->in[k]);
        else
            fprintf(f, "%s%s (feeds %zu)", n++ ? ", " : "", name ? name : "?", ad->out[k]);
        free(name);
    }
    fclose(f);
    if (!n) {
        free(line);
        return true;
    }
    return add_note(v, line);
}

static bool own_op_only(const tfc_gdraw_model *m, const tfc_gdraw_options *opt, int s)
{
    const tfc_gdraw_scope *sc = &m->scopes[s];
    return s > 0 && sc->op >= 0 && (opt->all ? sc->nops : sc->nmain) == 1 &&
           (opt->all || m->ops[sc->op].aux == TFC_GDRAW_MAIN);
}

/* ---- TensorBoard's series: ops of one type named BASE + a number in one scope ---- */

#define SERIES_MIN 5

typedef struct {
    int parent;
    const char *op, *base; /* base: the last component, len bytes before the number */
    size_t len;
    unsigned long long number;
    size_t item;
} series_key;

static int series_cmp(const void *pa, const void *pb)
{
    const series_key *a = pa, *b = pb;
    if (a->parent != b->parent) return a->parent < b->parent ? -1 : 1;
    int c = strcmp(a->op, b->op);
    if (c) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    c = strncmp(a->base, b->base, a->len);
    if (c) return c;
    if (a->number != b->number) return a->number < b->number ? -1 : 1;
    return (a->item > b->item) - (a->item < b->item);
}

static bool same_series(const series_key *a, const series_key *b)
{
    return a->parent == b->parent && !strcmp(a->op, b->op) && a->len == b->len && !strncmp(a->base, b->base, a->len);
}

/* Replaces the op items of every series of at least SERIES_MIN by one item, renumbering items
 * (op_item and scope_item follow); a line says so. */
static bool group_series(const tfc_gdraw_model *m, tfc_gdraw_view *v, int *op_item, int *scope_item)
{
    series_key *keys = malloc((v->nitems ? v->nitems : 1) * sizeof *keys);
    int *renum = malloc((v->nitems ? v->nitems : 1) * sizeof *renum);
    bool ok = keys && renum;
    size_t nkeys = 0;
    for (size_t k = 0; ok && k < v->nitems; k++) {
        renum[k] = -1;
        const tfc_gdraw_item *it = &v->items[k];
        if (it->op < 0) continue;
        const char *name = m->ops[it->op].name, *last = strrchr(name, '/');
        last = last ? last + 1 : name;
        size_t n = strlen(last), digits = 0;
        while (digits < n && digits < 19 && last[n - 1 - digits] >= '0' && last[n - 1 - digits] <= '9') digits++;
        if (!digits || digits == n) continue;
        keys[nkeys++] = (series_key){it->parent, m->ops[it->op].op, last, n - digits,
                                     strtoull(last + n - digits, NULL, 10), k};
    }
    if (ok) qsort(keys, nkeys, sizeof *keys, series_cmp);
    size_t grouped = 0, first_series = v->nseries;
    for (size_t i = 0; ok && i < nkeys;) {
        size_t j = i + 1;
        while (j < nkeys && same_series(&keys[i], &keys[j])) j++;
        if (j - i >= SERIES_MIN) {
            tfc_gdraw_series *ns = realloc(v->series, (v->nseries + 1) * sizeof *ns);
            char *base = ns ? strndup(keys[i].base, keys[i].len) : NULL;
            if (ns) v->series = ns;
            if (!base) {
                ok = false;
                break;
            }
            v->series[v->nseries] = (tfc_gdraw_series){base, keys[i].number, keys[j - 1].number};
            /* The first member becomes the series; the others are dropped. */
            tfc_gdraw_item *head = &v->items[keys[i].item];
            head->series = (int)v->nseries++;
            head->nops = j - i;
            for (size_t k = i + 1; k < j; k++) renum[keys[k].item] = -2 - (int)keys[i].item;
            grouped += j - i;
        }
        i = j;
    }
    if (ok && v->nseries > first_series) {
        size_t kept = 0;
        for (size_t k = 0; k < v->nitems; k++)
            if (renum[k] == -1) renum[k] = (int)kept, v->items[kept++] = v->items[k];
        for (size_t k = 0; k < v->nitems; k++)
            if (renum[k] <= -2) renum[k] = renum[-2 - renum[k]];
        size_t nseries = v->nseries - first_series;
        for (size_t i = 0; i < m->nops; i++)
            if (op_item[i] >= 0) op_item[i] = renum[op_item[i]];
        for (size_t s = 0; s < m->nscopes; s++)
            if (scope_item[s] >= 0) scope_item[s] = renum[scope_item[s]];
        char *line = NULL;
        if (asprintf(&line, "%zu ops named alike drawn as %zu series (%s[%llu-%llu]%s)", grouped, nseries,
                     v->series[first_series].base, v->series[first_series].lo, v->series[first_series].hi,
                     nseries > 1 ? ", ..." : "") < 0)
            line = NULL;
        v->nitems = kept;
        ok = add_line(&v->simplified, &v->nsimplified, line);
    }
    free(keys);
    free(renum);
    return ok;
}

/* Extraction (unless opt->all), bundling and the cost estimate, from the merged edges again:
 * items back in place, then high-degree ones aside, sticky scopes' items excepted unless
 * sticky is NULL. */
static bool layout_pass(const tfc_gdraw_model *m, const tfc_gdraw_options *opt, tfc_gdraw_view *v,
                        const tfc_gdraw_edge *merged, size_t nmerged, const bool *holds,
                        const bool *sticky, aside_degrees *ad, size_t *rank)
{
    for (size_t k = 0; k < v->nitems; k++) {
        v->items[k].aside = false;
        ad->in[k] = ad->out[k] = 0;
    }
    free(v->edges);
    if (!(v->edges = malloc((nmerged ? nmerged : 1) * sizeof *v->edges))) return false;
    if (nmerged) memcpy(v->edges, merged, nmerged * sizeof *v->edges);
    v->nedges = nmerged;
    if (!opt->all && !extract_high_degree(m, v, holds, sticky, ad)) return false;
    size_t kept = 0;
    for (size_t i = 0; i < v->nedges; i++)
        if (!v->items[v->edges[i].from].aside && !v->items[v->edges[i].to].aside)
            v->edges[kept++] = v->edges[i];
    v->nedges = kept;
    if (!bundle_bridges(m, v)) return false;
    set_layout_flags(m, v);
    return estimate_layout(v, rank);
}

typedef struct {
    size_t span;
    size_t edge;
} edge_span;

static int span_cmp(const void *pa, const void *pb)
{
    const edge_span *a = pa, *b = pb;
    if (a->span != b->span) return a->span > b->span ? -1 : 1;
    return (a->edge > b->edge) - (a->edge < b->edge);
}

/* The root of k's part in a union-find forest (parent[] of item numbers), halving the path. */
static size_t part_of(size_t *parent, size_t k)
{
    while (parent[k] != k) k = parent[k] = parent[parent[k]];
    return k;
}

/* Leaves out the edges crossing the most ranks, longest first, until the others cross at most
 * budget ranks in all; says so in a line naming the items most of them came from. An edge whose
 * loss would cut a part of the graph loose is kept after all, the shortest first: Graphviz ranks
 * a loose part on its own and sets the parts side by side, a row as wide as all of them (each
 * batch norm's moving-average update, loose, made ResNet-50's picture a row 1,000 inches wide).
 * Kept, such an edge is the part's only tie, which Graphviz's ranking (network simplex, whose
 * tree of tight edges holds every such edge) draws one rank long: it costs nothing. One left out
 * of the ranking (constraint false) ties nothing and crosses the ranks estimated; it is kept
 * only while the estimate stays within twice the budget. */
static bool prune_long_edges(const tfc_gdraw_model *m, tfc_gdraw_view *v, const size_t *rank, size_t budget)
{
    size_t ne = v->nedges, n = v->nitems;
    edge_span *es = malloc((ne ? ne : 1) * sizeof *es);
    size_t *from = calloc(n ? n : 1, sizeof *from), *parent = malloc((n ? n : 1) * sizeof *parent);
    bool *drop = calloc(ne ? ne : 1, sizeof *drop);
    bool ok = es && from && parent && drop;
    size_t ndrop = 0, shortest = 0;
    if (ok) {
        for (size_t i = 0; i < ne; i++) {
            size_t a = rank[v->edges[i].from], b = rank[v->edges[i].to];
            es[i] = (edge_span){a > b ? a - b : b - a, i};
        }
        qsort(es, ne, sizeof *es, span_cmp);
        size_t total = v->nvirtual, cut = 0;
        for (; cut < ne && total > budget && es[cut].span > 1; cut++) {
            drop[es[cut].edge] = true;
            total -= es[cut].span - 1;
        }
        for (size_t k = 0; k < n; k++) parent[k] = k;
        for (size_t i = 0; i < ne; i++)
            if (!drop[i]) parent[part_of(parent, (size_t)v->edges[i].from)] = part_of(parent, (size_t)v->edges[i].to);
        for (size_t i = cut; i-- > 0;) {
            const tfc_gdraw_edge *e = &v->edges[es[i].edge];
            size_t a = part_of(parent, (size_t)e->from), b = part_of(parent, (size_t)e->to);
            size_t cost = e->constraint ? 0 : es[i].span - 1;
            if (a != b && total + cost <= 2 * budget) {
                parent[a] = b;
                drop[es[i].edge] = false;
                total += cost;
            }
        }
        for (size_t i = 0; i < cut; i++) {
            if (!drop[es[i].edge]) continue;
            shortest = es[i].span;
            from[v->edges[es[i].edge].from]++;
            ndrop++;
        }
        size_t kept = 0;
        for (size_t i = 0; i < ne; i++)
            if (!drop[i]) v->edges[kept++] = v->edges[i];
        v->nedges = kept;
        v->nvirtual = total;
    }
    char *line = NULL;
    size_t len = 0;
    FILE *f = ok && ndrop ? open_memstream(&line, &len) : NULL;
    if (f) {
        fprintf(f, "%zu edge%s crossing %zu ranks or more left out, most from ", ndrop, ndrop == 1 ? "" : "s",
                shortest);
        for (int shown = 0; shown < 3; shown++) {
            size_t best = 0;
            for (size_t k = 1; k < v->nitems; k++)
                if (from[k] > from[best]) best = k;
            if (!from[best]) break;
            char *name = tfc_gdraw_item_name(m, v, &v->items[best]);
            fprintf(f, "%s%s (%zu)", shown ? ", " : "", name ? name : "?", from[best]);
            free(name);
            from[best] = 0;
        }
        fclose(f);
        ok = add_line(&v->simplified, &v->nsimplified, line);
    } else if (ok && ndrop) {
        ok = false;
    }
    free(es);
    free(from);
    free(parent);
    free(drop);
    return ok;
}

/* Keeps the shallowest open scopes as boxes, as many as max allows and at most
 * TFC_GDRAW_MAX_NESTING levels deep; the items of the others are drawn in the nearest box kept
 * (labelled with their path from there), and an edge bundled at a box no longer drawn leaves its
 * item instead. */
static bool cap_clusters(const tfc_gdraw_model *m, tfc_gdraw_view *v, size_t max)
{
    int deepest = 0;
    for (size_t s = 1; s < m->nscopes; s++)
        if (v->cluster[s] && m->scopes[s].depth > deepest) deepest = m->scopes[s].depth;
    size_t *per_depth = calloc((size_t)deepest + 1, sizeof *per_depth);
    if (!per_depth) return false;
    for (size_t s = 1; s < m->nscopes; s++)
        if (v->cluster[s]) per_depth[m->scopes[s].depth]++;
    int keep = 0;
    for (size_t sum = 0; keep < deepest && keep < TFC_GDRAW_MAX_NESTING; keep++) {
        sum += per_depth[keep + 1];
        if (max && sum > max) break;
    }
    free(per_depth);
    if (keep == deepest) return true;
    size_t dropped = 0;
    for (size_t s = 1; s < m->nscopes; s++) {
        if (v->cluster[s] && m->scopes[s].depth > keep) {
            v->cluster[s] = false;
            dropped++;
        }
    }
    for (size_t k = 0; k < v->nitems; k++) {
        int p = v->items[k].parent;
        while (p > 0 && !v->cluster[p]) p = m->scopes[p].parent;
        v->items[k].parent = p;
    }
    for (size_t i = 0; i < v->nedges; i++) {
        if (v->edges[i].from_scope > 0 && !v->cluster[v->edges[i].from_scope]) v->edges[i].from_scope = 0;
        if (v->edges[i].to_scope > 0 && !v->cluster[v->edges[i].to_scope]) v->edges[i].to_scope = 0;
    }
    char *line = NULL;
    int r = keep ? asprintf(&line, "%zu scope%s deeper than %d level%s drawn without %s box%s", dropped,
                            dropped == 1 ? "" : "s", keep, keep == 1 ? "" : "s", dropped == 1 ? "its" : "their",
                            dropped == 1 ? "" : "es")
                 : asprintf(&line, "%zu scope%s drawn without %s box%s", dropped, dropped == 1 ? "" : "s",
                            dropped == 1 ? "its" : "their", dropped == 1 ? "" : "es");
    if (r < 0) return false;
    return add_line(&v->simplified, &v->nsimplified, line);
}

void tfc_gdraw_view_free(tfc_gdraw_view *v)
{
    if (!v) return;
    free(v->items);
    free(v->edges);
    free(v->cluster);
    for (size_t i = 0; i < v->nnote; i++) free(v->note[i]);
    free(v->note);
    for (size_t i = 0; i < v->nsimplified; i++) free(v->simplified[i]);
    free(v->simplified);
    for (size_t i = 0; i < v->nseries; i++) free(v->series[i].base);
    free(v->series);
    free(v);
}

tfc_gdraw_view *tfc_gdraw_view_build(const tfc_gdraw_model *m, const tfc_gdraw_options *opt,
                                     tfc_status *st)
{
    size_t ns = m->nscopes;
    tfc_gdraw_view *v = calloc(1, sizeof *v);
    bool *opened = calloc(ns, sizeof *opened);
    bool *holds = calloc(ns, sizeof *holds);
    bool *sticky = sticky_scopes(m);
    int *rep = malloc(ns * sizeof *rep);          /* per scope: the collapsed scope drawn for it */
    int *scope_item = malloc(ns * sizeof *scope_item);
    int *op_item = malloc(m->nops * sizeof *op_item);
    flow *flows = NULL;
    tfc_gdraw_edge *merged = NULL; /* every edge between items, before extraction */
    size_t nmerged = 0, *rank = NULL;
    aside_degrees ad = {calloc(ns + m->nops, sizeof(size_t)), calloc(ns + m->nops, sizeof(size_t))};
    if (!v || !opened || !holds || !sticky || !rep || !scope_item || !op_item || !ad.in || !ad.out ||
        !(v->items = calloc(ns + m->nops, sizeof *v->items)) ||
        !(v->cluster = calloc(ns, sizeof *v->cluster))) {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        goto fail;
    }
    if (!open_scopes(m, opt, sticky, opened, st)) goto fail;

    /* A scope drawing nothing but the op named like it (a variable whose Assign and reads are
     * aside) is no scope in the picture: the op is drawn in its place. */
    for (size_t s = 0; s < ns; s++) {
        int p = m->scopes[s].parent;
        rep[s] = opened[s] ? -1 : opened[p] ? (int)s : rep[p];
        scope_item[s] = -1;
        size_t n = opt->all ? m->scopes[s].nops : m->scopes[s].nmain;
        if (rep[s] == (int)s && n && !own_op_only(m, opt, (int)s)) {
            scope_item[s] = (int)v->nitems;
            v->items[v->nitems++] = (tfc_gdraw_item){-1, (int)s, p, n, false, -1};
        }
    }
    size_t ninputs = 0;
    for (size_t i = 0; i < m->nops; i++) {
        const tfc_gdraw_op *op = &m->ops[i];
        op_item[i] = -1;
        if (!opt->all && op->aux != TFC_GDRAW_MAIN) continue;
        ninputs += op->ninputs;
        bool alone = own_op_only(m, opt, op->scope);
        if (opened[op->scope] || (alone && rep[op->scope] == op->scope)) {
            int parent = alone ? m->scopes[op->scope].parent : op->scope;
            op_item[i] = (int)v->nitems;
            v->items[v->nitems++] = (tfc_gdraw_item){(int)i, -1, parent, 1, false, -1};
        } else {
            op_item[i] = scope_item[rep[op->scope]];
        }
    }
    if (opt->max_virtual && opt->max_nodes && v->nitems > opt->max_nodes && !group_series(m, v, op_item, scope_item)) {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        goto fail;
    }
    if (!(flows = malloc((ninputs ? ninputs : 1) * sizeof *flows))) {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        goto fail;
    }
    size_t nflows = 0;
    for (size_t i = 0; i < m->nops; i++) {
        if (op_item[i] < 0) continue;
        const tfc_gdraw_op *op = &m->ops[i];
        for (size_t k = 0; k < op->ninputs; k++) {
            int a = op_item[op->inputs[k].src];
            if (a < 0 || a == op_item[i]) continue;
            const tfc_gdraw_operand *in = &op->inputs[k];
            bool update = in->src_output >= 0 && m->ops[in->src].kind == TFC_GDRAW_VARIABLE &&
                          updates_variable(op->op);
            flows[nflows++] = (flow){a, op_item[i], in->src, in->src_output, update};
        }
    }
    if (!merge_edges(v, flows, nflows)) {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        goto fail;
    }

    for (size_t k = 0; k < v->nitems; k++)
        for (int s = v->items[k].parent; s > 0 && !holds[s]; s = m->scopes[s].parent) holds[s] = true;
    merged = v->edges;
    nmerged = v->nedges;
    v->edges = NULL;
    rank = malloc((v->nitems ? v->nitems : 1) * sizeof *rank);
    bool ok = rank && layout_pass(m, opt, v, merged, nmerged, holds, sticky, &ad, rank);
    size_t budget = opt->max_virtual;
    if (ok && budget && v->nvirtual > budget && !opt->all) {
        size_t before = 0, after = 0;
        for (size_t k = 0; k < v->nitems; k++) before += v->items[k].aside;
        ok = layout_pass(m, opt, v, merged, nmerged, holds, NULL, &ad, rank);
        for (size_t k = 0; ok && k < v->nitems; k++) after += v->items[k].aside;
        if (ok && after > before)
            ok = add_line(&v->simplified, &v->nsimplified,
                          strdup("gradients and optimizer boxes of high degree moved aside too"));
    }
    if (ok && budget && v->nvirtual > budget) ok = prune_long_edges(m, v, rank, budget);
    if (!ok) {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        goto fail;
    }
    for (size_t k = 0; k < v->nitems; k++) {
        if (v->items[k].aside) {
            v->naside_ops += v->items[k].nops;
            continue;
        }
        v->ndrawn++;
        for (int s = v->items[k].parent; s > 0 && !v->cluster[s]; s = m->scopes[s].parent)
            v->cluster[s] = true;
    }
    v->fast_layout = opt->fast_size && v->ndrawn + v->nedges > opt->fast_size;
    if (!cap_clusters(m, v, v->fast_layout ? TFC_GDRAW_FAST_CLUSTERS : opt->max_clusters)) {
        tfc_fail(st, TFC_INTERNAL, "out of memory");
        goto fail;
    }
    if (opt->max_nodes && v->ndrawn > opt->max_nodes) {
        tfc_fail(st, TFC_FAILED_PRECONDITION,
                 "the view has %zu nodes to draw, more than the %zu a picture may have; draw less of it "
                 "(--depth, --expand) or raise --max-nodes",
                 v->ndrawn, opt->max_nodes);
        goto fail;
    }
    if (v->fast_layout) {
        char *line = NULL;
        if (asprintf(&line, "laid out with fewer Graphviz iterations and straight edges (%zu nodes, %zu edges)",
                     v->ndrawn, v->nedges) < 0 ||
            !add_line(&v->simplified, &v->nsimplified, line)) {
            tfc_fail(st, TFC_INTERNAL, "out of memory");
            goto fail;
        }
    }
    if (!opt->all) {
        for (size_t i = 0; i < m->nops; i++) v->naside_ops += m->ops[i].aux != TFC_GDRAW_MAIN;
        if (!note_aside(m, v, &ad)) {
            tfc_fail(st, TFC_INTERNAL, "out of memory");
            goto fail;
        }
    }
    free(opened);
    free(holds);
    free(sticky);
    free(rep);
    free(scope_item);
    free(op_item);
    free(flows);
    free(ad.in);
    free(ad.out);
    free(merged);
    free(rank);
    return v;
fail:
    free(opened);
    free(holds);
    free(sticky);
    free(rep);
    free(scope_item);
    free(op_item);
    free(flows);
    free(ad.in);
    free(ad.out);
    free(merged);
    free(rank);
    tfc_gdraw_view_free(v);
    return NULL;
}
