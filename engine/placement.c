/* The placement pass of a plan: device strings parsed and checked, and a run whose nodes are placed
 * on tasks split into this rank's part, joined to the others' by transfers (TensorFlow's
 * _Send/_Recv pairs): every rank compiles the same plan and keeps its own steps, receives what
 * they read from other ranks, and sends what other ranks' steps (or the client, task 0, for the
 * fetches) read from its own. */
#include "placement.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "NAME:NUMBER" at s (NAME case-insensitive), the number into *v. */
static bool field(const char *s, size_t n, const char *name, int *v)
{
    size_t k = strlen(name);
    if (n <= k + 1 || strncasecmp(s, name, k) != 0 || s[k] != ':') return false;
    int x = 0;
    for (size_t i = k + 1; i < n; i++) {
        if (!isdigit((unsigned char)s[i]) || x > 1000000) return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* A device type and index, "CPU:0", "gpu:1" or "CPU:*" (the part after "device:", or a legacy
 * "/cpu:0"). */
static bool device_part(const char *s, size_t n, tfc_device_spec *d)
{
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s || colon + 1 == s + n) return false;
    size_t tn = (size_t)(colon - s);
    for (size_t i = 0; i < tn; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return false;
    int id = 0;
    if (!(colon + 2 == s + n && colon[1] == '*'))
        for (const char *c = colon + 1; c < s + n; c++) {
            if (!isdigit((unsigned char)*c) || id > 1000000) return false;
            id = id * 10 + (*c - '0');
        }
    d->cpu = tn == 3 && strncasecmp(s, "cpu", 3) == 0;
    d->device_id = id;
    return true;
}

bool tfc_device_parse(const char *s, tfc_device_spec *d)
{
    *d = (tfc_device_spec){.task = -1, .cpu = true, .device_id = 0};
    if (!s || !*s) return true;
    if (*s != '/') return device_part(s, strlen(s), d); /* "CPU:0" */
    while (*s == '/') {
        const char *p = ++s;
        while (*s && *s != '/') s++;
        size_t n = (size_t)(s - p);
        int v;
        if (n > 4 && strncasecmp(p, "job:", 4) == 0) continue;
        if (field(p, n, "replica", &v)) continue;
        if (field(p, n, "task", &v)) {
            d->task = v;
            continue;
        }
        if (n > 7 && strncasecmp(p, "device:", 7) == 0) {
            if (!device_part(p + 7, n - 7, d)) return false;
            continue;
        }
        if (!device_part(p, n, d)) return false;
    }
    return *s == '\0';
}

int tfc_transfer_tag(int node, int index) { return node * 64 + index + 1; }

/* A tensor (or control edge) one step's node gives another rank. */
typedef struct {
    int from; /* producing step */
    int index;
    int to; /* rank */
} edge;

static int by_step(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

typedef struct {
    edge *v;
    int n, cap;
} edges;

static bool add(edges *e, int from, int index, int to)
{
    if (e->n == e->cap) {
        int cap = e->cap ? 2 * e->cap : 64;
        edge *v = realloc(e->v, (size_t)cap * sizeof *v);
        if (!v) return false;
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = (edge){from, index, to};
    return true;
}

/* Whether node v asks for what this machine cannot give: a device other than its CPU, or a task
 * beyond the ranks (false for a string that is no device name: an error of its own). */
static bool out_of_reach(const tfc_graph *g, int v, const tfc_placement *w)
{
    tfc_device_spec d;
    return tfc_device_parse(tfc_node_device(g, v), &d) && (!d.cpu || d.device_id != 0 || d.task >= w->size);
}

/* The task a node asks for (-1: none) after checking its device; false with st set when it cannot
 * be had and soft placement is not allowed. */
static bool device_task(const tfc_graph *g, int v, const tfc_placement *w, bool *soft, int *task, tfc_status *st)
{
    const char *dev = tfc_node_device(g, v);
    tfc_device_spec d;
    if (!tfc_device_parse(dev, &d))
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "node '%s' (%s): '%s' is not a device name (such as '/cpu:0' or '/job:worker/task:1')",
                        tfc_node_name(g, v), tfc_node_op(g, v), dev);
    if (!d.cpu || d.device_id != 0) {
        if (!w->soft)
            return tfc_fail(st, TFC_INVALID_ARGUMENT,
                            "node '%s' (%s) is placed on '%s', which this machine cannot give: tfc runs on the CPU "
                            "(/cpu:0); allow soft placement to run it there",
                            tfc_node_name(g, v), tfc_node_op(g, v), dev);
        *soft = true;
    }
    *task = d.task;
    return true;
}

bool tfc_plan_place(tfc_plan *p, const tfc_graph *g, const tfc_placement *w, tfc_status *st)
{
    p->split = false;
    bool soft = false; /* some node goes elsewhere than it asks */
    int *task = malloc((size_t)(p->nsteps ? p->nsteps : 1) * sizeof *task);
    if (!task) return tfc_fail(st, TFC_INTERNAL, "out of memory");
    bool ok = true, placed = false;
    for (int s = 0; ok && s < p->nsteps; s++) {
        ok = device_task(g, p->steps[s].node, w, &soft, &task[s], st);
        placed |= ok && task[s] > 0;
    }
    edges e = {0};
    /* Placed on tasks: each step on its task's rank (unplaced ones on task 0's), checked. */
    for (int s = 0; ok && placed && s < p->nsteps; s++) {
        const tfc_node *nd = p->steps[s].nd;
        if (task[s] < 0) task[s] = 0;
        if (task[s] >= w->size) {
            if (!w->soft) {
                ok = tfc_fail(st, TFC_INVALID_ARGUMENT,
                              "node '%s' (%s) is placed on '%s', but the session has %d task%s (ranks): start the "
                              "program under mpirun -np %d and give tfc_session_new its communicator, or allow soft placement",
                              nd->name, nd->def->type, nd->device, w->size, w->size == 1 ? "" : "s", task[s] + 1);
                break;
            }
            soft = true;
            task[s] = 0;
        }
        if (nd->nout > 63) ok = tfc_fail(st, TFC_INVALID_ARGUMENT, "node '%s' has too many outputs to place it on a task", nd->name);
    }
    /* An op that changes or reads a variable in place runs where the variable lives. */
    for (int s = 0; ok && placed && s < p->nsteps; s++) {
        const tfc_step *sp = &p->steps[s];
        for (int i = 0; ok && i < sp->nin; i++) {
            if (sp->in[i].kind != TFC_SRC_VARIABLE) continue;
            int var = sp->in[i].node, vt = -1;
            ok = device_task(g, var, w, &soft, &vt, st);
            if (vt < 0 || vt >= w->size) vt = 0;
            if (ok && vt != task[s])
                ok = tfc_fail(st, TFC_INVALID_ARGUMENT,
                              "node '%s' (%s) is on task %d, but the variable it changes, '%s', lives on task %d: "
                              "place them on the same task",
                              sp->nd->name, sp->nd->def->type, task[s], tfc_node_name(g, var), vt);
        }
    }
    /* What crosses between ranks: inputs and control edges from another task, fetches to task 0. */
    for (int s = 0; ok && placed && s < p->nsteps; s++) {
        const tfc_step *sp = &p->steps[s];
        for (int i = 0; ok && i < sp->nin; i++) {
            if (sp->in[i].kind != TFC_SRC_NODE) continue;
            int u = p->step_of[sp->in[i].node];
            if (task[u] != task[s]) ok = add(&e, u, sp->in[i].index, task[s]);
        }
        for (int i = 0; ok && i < sp->nd->nctl; i++) {
            int u = p->step_of[sp->nd->ctl[i]];
            if (u >= 0 && task[u] != task[s]) ok = add(&e, u, -1, task[s]);
        }
    }
    for (int i = 0; ok && placed && i < p->nfetches; i++) {
        int u = p->step_of[p->fetches[i].node];
        if (u < 0 || task[u] == 0) continue;
        int index = p->fetches[i].index < tfc_node_num_outputs(g, p->fetches[i].node) ? p->fetches[i].index : -1;
        ok = add(&e, u, index, 0);
    }
    if (!ok && tfc_ok(st)) tfc_fail(st, TFC_INTERNAL, "out of memory");
    if (ok && placed) {
        if (e.n) qsort(e.v, (size_t)e.n, sizeof *e.v, by_step);
        int kept = 0;
        for (int i = 0; i < e.n; i++)
            if (!kept || by_step(&e.v[i], &e.v[kept - 1])) e.v[kept++] = e.v[i];
        e.n = kept;
        p->transfers = malloc((size_t)(e.n ? e.n : 1) * sizeof *p->transfers);
        ok = p->transfers != NULL;
        if (!ok) tfc_fail(st, TFC_INTERNAL, "out of memory");
    }
    if (ok && placed) {
        /* This rank's part: its own steps send, the others' steps receive what it reads, or vanish. */
        int at = 0, i = 0;
        for (int s = 0; s < p->nsteps; s++) {
            tfc_step *sp = &p->steps[s];
            tfc_transfer *mine = &p->transfers[at];
            int n = 0;
            for (; i < e.n && e.v[i].from < s; i++) {}
            for (int j = i; j < e.n && e.v[j].from == s; j++) {
                if (task[s] == w->rank)
                    mine[n++] = (tfc_transfer){e.v[j].index, e.v[j].to};
                else if (e.v[j].to == w->rank)
                    mine[n++] = (tfc_transfer){e.v[j].index, task[s]};
            }
            at += n;
            if (task[s] == w->rank) {
                sp->nsend = n;
                sp->send = mine;
            } else {
                sp->action = n ? TFC_STEP_RECV : TFC_STEP_NONE;
                sp->nrecv = n;
                sp->recv = mine;
            }
            sp->waits |= n > 0; /* it sends or receives */
        }
        p->nwaiting = 0;
        for (int s = 0; s < p->nsteps; s++)
            if (p->steps[s].waits) p->waiting[p->nwaiting++] = s;
        p->split = true;
    }
    free(e.v);
    free(task);
    /* The note, once a session: the nodes of the whole graph that go elsewhere than they ask (a
     * session's runs place them alike), not only this run's, which may be the initialisers'. */
    if (ok && soft && !(w->noted && *w->noted)) {
        if (w->noted) *w->noted = true;
        int n = 0, first = -1;
        for (int v = 0; v < tfc_graph_num_nodes(g); v++)
            if (out_of_reach(g, v, w) && !n++) first = v;
        if (n)
            fprintf(stderr,
                    "tfc: soft placement: %d node%s of the graph run%s on the CPU of task 0 instead of where placed "
                    "(the first: '%s' on '%s')\n",
                    n, n == 1 ? "" : "s", n == 1 ? "s" : "", tfc_node_name(g, first), tfc_node_device(g, first));
    }
    return ok;
}
