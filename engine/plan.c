/* Compiling a run's plan: a few small passes over the needed nodes, in this order:
 *   find_needed       the nodes the fetches reach, stopping at fed tensors, in graph order
 *   resolve_inputs    where each input's value comes from (a feed, a variable, a node's output);
 *                     whether the run has control flow (tf.cond), which leaves the rewrites out
 *   tfc_plan_place    devices checked; a run placed on tasks split into this rank's part
 *                     (placement.c), which then leaves the rewrites out too
 *   defer_products    MatMul products left to the update that consumes them (also through the
 *                     Identity TensorFlow's gradients put between them)
 *   fold_relu_grads   ReluGrads applied by the MaxPoolGrad before them
 *   fold_epilogues    BiasAdd (and Relu) applied by the Conv2D before them
 *   mark_overwritable inputs a kernel may write its output over
 *   prune_unread      stateless nodes whose values nothing in the run reads run nothing
 *   link              the dependencies: data and control edges, folded reads, and the order of
 *                     every variable's reads and writes
 * Each rewrite leaves the graph as it is and changes only what the run does; the values are the
 * same bit for bit. */
#include "plan.h"
#include "placement.h"

#include <stdlib.h>
#include <string.h>

extern const tfc_op_def tfc_op_MatMul, tfc_op_ReluGrad, tfc_op_MaxPoolGrad, tfc_op_BiasAdd, tfc_op_Conv2D, tfc_op_Relu,
    tfc_op_Identity;

static bool holds_variable(const tfc_step *s) { return s->nd->def->flags & TFC_OP_VARIABLE; }

/* What the passes share while compiling. */
typedef struct {
    const tfc_graph *g;
    const tfc_feed *feeds;
    int nfeeds;
    const tfc_out *fetches;
    int nfetches;
    tfc_plan *p;
    int *uses; /* edges (data and control) leaving each node, in the whole graph */
    int *reads; /* data edges alone */
    tfc_status *st;
} compiler;

static int feed_of(const compiler *c, tfc_out o)
{
    for (int i = 0; i < c->nfeeds; i++)
        if (c->feeds[i].out.node == o.node && c->feeds[i].out.index == o.index) return i;
    return -1;
}

static bool fully_fed(const compiler *c, int node)
{
    int nout = tfc_node_num_outputs(c->g, node);
    if (!nout) return false;
    for (int i = 0; i < nout; i++)
        if (feed_of(c, (tfc_out){node, i}) < 0) return false;
    return true;
}

static bool is_fetched(const compiler *c, int node)
{
    for (int i = 0; i < c->nfetches; i++)
        if (c->fetches[i].node == node) return true;
    return false;
}

static tfc_step *step_of(const compiler *c, int node)
{
    int s = c->p->step_of[node];
    return s >= 0 ? &c->p->steps[s] : NULL;
}

/* The nodes the fetches reach through data and control inputs, stopping at fed tensors; a ref
 * input (the variable an Assign writes) is not evaluated. Inputs are always older nodes, so the
 * steps in ascending ids are a topological order. */
static bool find_needed(compiler *c)
{
    const tfc_graph *g = c->g;
    int n = tfc_graph_num_nodes(g), sp = 0;
    int *stack = malloc((size_t)(n ? n : 1) * sizeof *stack);
    unsigned char *mark = calloc((size_t)(n ? n : 1), 1);
    if (!stack || !mark) {
        free(stack);
        free(mark);
        return tfc_fail(c->st, TFC_INTERNAL, "out of memory");
    }
    for (int i = 0; i < c->nfetches; i++) {
        int f = c->fetches[i].node;
        if (!mark[f]) {
            mark[f] = 1;
            stack[sp++] = f;
        }
    }
    while (sp) {
        int v = stack[--sp];
        if (fully_fed(c, v)) {
            mark[v] = 2; /* reached, not computed */
            continue;
        }
        const tfc_node *nd = tfc_graph_node(g, v);
        for (int i = 0; i < nd->nin; i++) {
            int u = nd->in[i].node;
            /* (a ref input 0 is not evaluated, unless it comes through a RefSwitch) */
            bool variable = tfc_graph_node(g, u)->def->flags & TFC_OP_VARIABLE;
            if ((i == 0 && (nd->def->flags & TFC_OP_REF_INPUT0) && variable) || feed_of(c, nd->in[i]) >= 0 || mark[u])
                continue;
            mark[u] = 1;
            stack[sp++] = u;
        }
        for (int i = 0; i < nd->nctl; i++) {
            int u = nd->ctl[i];
            if (!mark[u]) {
                mark[u] = 1;
                stack[sp++] = u;
            }
        }
    }
    tfc_plan *p = c->p;
    for (int v = 0; v < n; v++) p->nsteps += mark[v] == 1;
    p->steps = calloc((size_t)(p->nsteps ? p->nsteps : 1), sizeof *p->steps);
    if (!p->steps) {
        free(stack);
        free(mark);
        return tfc_fail(c->st, TFC_INTERNAL, "out of memory");
    }
    int k = 0;
    for (int v = 0; v < n; v++) {
        p->step_of[v] = -1;
        if (mark[v] != 1) continue;
        p->step_of[v] = k;
        p->steps[k++].node = v;
    }
    free(stack);
    free(mark);
    return true;
}

static bool resolve_inputs(compiler *c)
{
    tfc_plan *p = c->p;
    for (int s = 0; s < p->nsteps; s++) p->ninputs += tfc_graph_node(c->g, p->steps[s].node)->nin;
    p->srcs = calloc((size_t)(p->ninputs ? p->ninputs : 1), sizeof *p->srcs);
    p->overs = calloc((size_t)(p->ninputs ? p->ninputs : 1), 1);
    int nfed = 0;
    for (int i = 0; i < c->nfeeds; i++) nfed += p->step_of[c->feeds[i].out.node] >= 0;
    p->fed = malloc((size_t)(2 * nfed + 1) * sizeof *p->fed);
    p->waiting = malloc((size_t)(p->nsteps ? p->nsteps : 1) * sizeof *p->waiting);
    if (!p->srcs || !p->overs || !p->fed || !p->waiting) return tfc_fail(c->st, TFC_INTERNAL, "out of memory");
    int at = 0, fat = 0;
    for (int s = 0; s < p->nsteps; s++) {
        tfc_step *sp = &p->steps[s];
        const tfc_node *nd = tfc_graph_node(c->g, sp->node);
        sp->nd = nd;
        sp->action = nd->def->kernel ? TFC_STEP_KERNEL : TFC_STEP_NONE;
        sp->waits = sp->action == TFC_STEP_KERNEL && (nd->def->flags & TFC_OP_WAITS);
        if (sp->waits) p->waiting[p->nwaiting++] = s;
        sp->nin = nd->nin;
        sp->ref_via = TFC_NO_OUT;
        p->control_flow |= (nd->def->flags & TFC_OP_CONTROL_FLOW) != 0;
        tfc_src *in = &p->srcs[at];
        sp->in = in;
        sp->over = &p->overs[at];
        at += nd->nin;
        for (int i = 0; i < nd->nin; i++) {
            int f = feed_of(c, nd->in[i]);
            if (f >= 0)
                in[i] = (tfc_src){TFC_SRC_FEED, -1, f};
            else if (i == 0 && (nd->def->flags & TFC_OP_REF_INPUT0)) {
                int var = tfc_ref_variable(c->g, nd->in[0]);
                if (var < 0) return tfc_fail(c->st, TFC_INTERNAL, "node '%s': input 0 is not a variable", nd->name);
                in[i] = (tfc_src){TFC_SRC_VARIABLE, var, 0};
                if (var != nd->in[0].node) sp->ref_via = nd->in[0];
            }
            else if (p->step_of[nd->in[i].node] >= 0)
                in[i] = (tfc_src){TFC_SRC_NODE, nd->in[i].node, nd->in[i].index};
            else
                return tfc_fail(c->st, TFC_INTERNAL, "node '%s': input %d is neither fed nor computed", nd->name, i);
        }
        /* A node with some outputs fed still runs; the fed values replace what it computes. */
        int *outs = &p->fed[fat], nf = 0;
        for (int i = 0; i < c->nfeeds; i++)
            if (c->feeds[i].out.node == sp->node && feed_of(c, c->feeds[i].out) == i) outs[nf++] = c->feeds[i].out.index;
        for (int i = 0; i < nf; i++) outs[nf + i] = feed_of(c, (tfc_out){sp->node, outs[i]});
        sp->nfed = nf;
        sp->fed_out = outs;
        sp->fed_feed = outs + nf;
        fat += 2 * nf;
    }
    return true;
}

/* Whether input i of step s reads output 0 of a node of this run that nothing else reads (one
 * edge leaves it in the whole graph) and that is not fetched: then s may do that node's work. */
static bool private_value(const compiler *c, tfc_src o)
{
    return o.kind == TFC_SRC_NODE && o.index == 0 && c->uses[o.node] == 1 && !is_fetched(c, o.node);
}

static bool private_input(const compiler *c, const tfc_step *s, int i) { return private_value(c, s->in[i]); }

/* The MatMul nodes whose product only a TFC_OP_FUSES_PRODUCT node consumes do not run: their
 * consumer computes the product itself (a band at a time, while it is in cache). TensorFlow's
 * gradients put an Identity in between (..._grad/tuple/control_dependency_1, ordered after the
 * tuple's group_deps): when the update alone reads it and it alone reads the product (control edges
 * on the MatMul aside: a product computed later changes nothing), neither runs either. */
static void defer_products(compiler *c)
{
    for (int s = 0; s < c->p->nsteps; s++) {
        tfc_step *sp = &c->p->steps[s];
        if (sp->action != TFC_STEP_KERNEL || !(sp->nd->def->flags & TFC_OP_FUSES_PRODUCT) || sp->nin < 1) continue;
        int last = sp->nin - 1;
        tfc_step *mm = sp->in[last].kind == TFC_SRC_NODE ? step_of(c, sp->in[last].node) : NULL, *through = NULL;
        if (mm && mm->nd->def == &tfc_op_Identity && !mm->nfed && private_input(c, sp, last) && mm->in[0].kind == TFC_SRC_NODE &&
            mm->in[0].index == 0 && c->reads[mm->in[0].node] == 1 && !is_fetched(c, mm->in[0].node)) {
            through = mm;
            mm = step_of(c, mm->in[0].node);
        }
        if (!mm || mm->nd->def != &tfc_op_MatMul || mm->nfed || (!through && !private_input(c, sp, last))) continue;
        mm->action = TFC_STEP_NONE;
        if (through) through->action = TFC_STEP_NONE;
        ((tfc_src *)sp->in)[last] = (tfc_src){TFC_SRC_DEFERRED, mm->node, 0};
    }
}

/* A ReluGrad whose gradient comes from a MaxPoolGrad that nothing else reads and whose features
 * are that MaxPoolGrad's original input, as after conv -> relu -> max-pool: the MaxPoolGrad
 * applies the mask while it writes the gradient, the ReluGrad passes it on. One pass over the
 * layer's largest tensor is saved. */
static void fold_relu_grads(compiler *c)
{
    for (int s = 0; s < c->p->nsteps; s++) {
        tfc_step *r = &c->p->steps[s];
        if (r->nd->def != &tfc_op_ReluGrad || r->nin != 2 || !private_input(c, r, 0)) continue;
        tfc_step *mp = step_of(c, r->in[0].node);
        const tfc_node *pn = mp->nd;
        tfc_out f = r->nd->in[1];
        if (pn->def != &tfc_op_MaxPoolGrad || pn->nin != 3 || mp->nfed || pn->in[0].node != f.node ||
            pn->in[0].index != f.index)
            continue;
        mp->folds_relu_grad = true;
        r->action = TFC_STEP_PASS;
    }
}

/* A BiasAdd (and the Relu after it) that a Conv2D's output alone feeds: the convolution adds the
 * bias and clamps as it stores, which TensorFlow's graph optimiser does too (its fused Conv2D).
 * Two passes over the activations are saved. */
static void fold_epilogues(compiler *c)
{
    tfc_plan *p = c->p;
    for (int s = 1; s < p->nsteps; s++) {
        tfc_step *b = &p->steps[s], *conv = &p->steps[s - 1];
        /* right after its Conv2D in graph order, with a bias computed before it: no write to the
         * bias comes between the convolution and the BiasAdd */
        if (b->nd->def != &tfc_op_BiasAdd || b->nin != 2 || b->nd->nctl || b->nfed || conv->nd->def != &tfc_op_Conv2D ||
            conv->nfed || b->in[0].kind != TFC_SRC_NODE || b->in[0].node != conv->node ||
            b->nd->in[1].node >= conv->node || !private_input(c, b, 0))
            continue;
        b->action = TFC_STEP_PASS;
        conv->epilogue = true;
        conv->epilogue_bias = b->in[1];
        if (!private_value(c, (tfc_src){TFC_SRC_NODE, b->node, 0})) continue;
        for (int r = s + 1; r < p->nsteps; r++) {
            tfc_step *rs = &p->steps[r];
            if (rs->nd->def == &tfc_op_Relu && rs->nin == 1 && !rs->nd->nctl && !rs->nfed &&
                rs->in[0].kind == TFC_SRC_NODE && rs->in[0].node == b->node) {
                rs->action = TFC_STEP_PASS; /* its one reader */
                conv->epilogue_relu = true;
                break;
            }
        }
    }
}

/* Inputs whose buffer the kernel may take for its output (tfc_kernel_output_over): the edge is
 * the only one leaving its producer in the whole graph and the value is not fetched. */
static void mark_overwritable(compiler *c)
{
    for (int s = 0; s < c->p->nsteps; s++) {
        tfc_step *sp = &c->p->steps[s];
        for (int i = 0; i < sp->nin; i++) {
            tfc_src o = sp->in[i];
            ((unsigned char *)sp->over)[i] = o.kind == TFC_SRC_NODE && c->uses[o.node] == 1 && !is_fetched(c, o.node);
        }
    }
}

/* Stateless nodes whose values nothing in the run reads run nothing, as TensorFlow's graph
 * optimiser turns them into NoOps: in its gradients a tuple's group_deps waits on every gradient of
 * a MatMul, its input's too, which for a first layer nothing reads. Only kernels that hold no
 * variable, write none, draw no random numbers and wait for no one, and are not fetched; the
 * control edges on them still order the run. From the last step back, so chains go whole. */
static bool prune_unread(compiler *c)
{
    tfc_plan *p = c->p;
    unsigned char *read = calloc((size_t)(p->nsteps ? p->nsteps : 1), 1);
    if (!read) return tfc_fail(c->st, TFC_INTERNAL, "out of memory");
    const unsigned kept = TFC_OP_STATEFUL | TFC_OP_REF_INPUT0 | TFC_OP_VARIABLE | TFC_OP_WAITS;
    for (int s = p->nsteps - 1; s >= 0; s--) {
        tfc_step *sp = &p->steps[s];
        if (sp->action == TFC_STEP_KERNEL && !read[s] && !(sp->nd->def->flags & kept) && !is_fetched(c, sp->node)) {
            sp->action = TFC_STEP_NONE;
            continue;
        }
        /* (a product left to its update is read there, through this step's inputs) */
        if (sp->action == TFC_STEP_NONE && !read[s]) continue;
        for (int i = 0; i < sp->nin; i++)
            if (sp->in[i].kind == TFC_SRC_NODE || sp->in[i].kind == TFC_SRC_DEFERRED) read[p->step_of[sp->in[i].node]] = 1;
        if (sp->epilogue && sp->epilogue_bias.kind == TFC_SRC_NODE) read[p->step_of[sp->epilogue_bias.node]] = 1;
    }
    free(read);
    return true;
}

/* ---- link: the dependencies ---- */

typedef struct {
    int from, to;
} edge;

typedef struct {
    edge *v;
    int n, cap;
} edges;

static bool add_edge(edges *e, int from, int to)
{
    if (from < 0 || from == to) return true;
    if (e->n == e->cap) {
        int nc = e->cap ? 2 * e->cap : 256;
        edge *nv = realloc(e->v, (size_t)nc * sizeof *nv);
        if (!nv) return false;
        e->v = nv;
        e->cap = nc;
    }
    e->v[e->n++] = (edge){from, to};
    return true;
}

/* A read or write of a variable's buffer by a step. */
typedef struct {
    int var, step;
    bool write;
} access;

typedef struct {
    access *v;
    int n, cap;
} accesses;

static bool add_access(accesses *a, int var, int step, bool write)
{
    if (var < 0) return true;
    if (a->n == a->cap) {
        int nc = a->cap ? 2 * a->cap : 256;
        access *nv = realloc(a->v, (size_t)nc * sizeof *nv);
        if (!nv) return false;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = (access){var, step, write};
    return true;
}

static int by_var_then_step(const void *x, const void *y)
{
    const access *a = x, *b = y;
    if (a->var != b->var) return a->var < b->var ? -1 : 1;
    if (a->step != b->step) return a->step < b->step ? -1 : 1;
    return (int)b->write - (int)a->write; /* a step's write first: it stands for its reads too */
}

/* The variable whose buffer output 0 of step s may be (a variable's node, an update passing its
 * variable on, an Identity or a folded node passing input 0 on), -1 when none. */
static int aliased_variable(const compiler *c, const int *alias, const tfc_step *s)
{
    if (holds_variable(s)) return s->node;
    if (s->action == TFC_STEP_KERNEL && (s->nd->def->flags & TFC_OP_REF_INPUT0)) return s->in[0].node;
    bool passes = s->action == TFC_STEP_PASS || (s->action == TFC_STEP_KERNEL && (s->nd->def->flags & TFC_OP_FORWARDS_INPUT0));
    if (!passes || s->nin < 1 || s->in[0].kind != TFC_SRC_NODE || s->in[0].index != 0) return -1;
    return alias[c->p->step_of[s->in[0].node]];
}

/* The sources a step reads when it runs, beyond its own inputs: a deferred product's operands and
 * a folded BiasAdd's bias. Calls fn on each. */
static bool each_read(const compiler *c, const tfc_step *s, bool (*fn)(void *, tfc_src), void *arg)
{
    for (int i = 0; i < s->nin; i++) {
        tfc_src o = s->in[i];
        if (o.kind == TFC_SRC_DEFERRED) {
            const tfc_step *mm = step_of(c, o.node);
            for (int j = 0; j < mm->nin; j++)
                if (!fn(arg, mm->in[j])) return false;
        } else if (!fn(arg, o)) {
            return false;
        }
    }
    return !s->epilogue || fn(arg, s->epilogue_bias);
}

typedef struct {
    const compiler *c;
    const int *alias;
    accesses *acc;
    int step;
} read_ctx;

static bool note_read(void *arg, tfc_src o)
{
    read_ctx *r = arg;
    if (o.kind != TFC_SRC_NODE || o.index != 0) return true;
    return add_access(r->acc, r->alias[r->c->p->step_of[o.node]], r->step, false);
}

/* Every variable's reads and writes keep their graph order: a write waits for the reads before
 * it, and a read for the write before it. Then the values are the same whatever the schedule. */
static bool order_variable_access(const compiler *c, edges *e)
{
    tfc_plan *p = c->p;
    int *alias = malloc((size_t)(p->nsteps ? p->nsteps : 1) * sizeof *alias);
    accesses acc = {0};
    bool ok = alias != NULL;
    for (int s = 0; ok && s < p->nsteps; s++) {
        const tfc_step *sp = &p->steps[s];
        alias[s] = aliased_variable(c, alias, sp);
        read_ctx r = {c, alias, &acc, s};
        ok = each_read(c, sp, note_read, &r);
        if (holds_variable(sp)) ok = ok && add_access(&acc, sp->node, s, false);
        if (sp->action != TFC_STEP_KERNEL || !(sp->nd->def->flags & TFC_OP_REF_INPUT0)) continue;
        /* an update writes its variable and the variables it takes directly (Adam's slots) */
        ok = ok && add_access(&acc, sp->in[0].node, s, true);
        for (int i = 1; ok && i < sp->nin; i++)
            if (sp->in[i].kind == TFC_SRC_NODE && holds_variable(step_of(c, sp->in[i].node)))
                ok = add_access(&acc, sp->in[i].node, s, true);
    }
    if (ok && acc.n) qsort(acc.v, (size_t)acc.n, sizeof *acc.v, by_var_then_step);
    int first_reader = 0, last_writer = -1;
    for (int i = 0; ok && i < acc.n; i++) {
        access a = acc.v[i];
        if (i && a.var == acc.v[i - 1].var && a.step == acc.v[i - 1].step) continue; /* counted */
        if (!i || a.var != acc.v[i - 1].var) {
            first_reader = i;
            last_writer = -1;
        }
        ok = add_edge(e, last_writer, a.step);
        if (!a.write) continue;
        for (int j = first_reader; ok && j < i; j++)
            if (!acc.v[j].write) ok = add_edge(e, acc.v[j].step, a.step);
        last_writer = a.step;
        first_reader = i + 1;
    }
    free(alias);
    free(acc.v);
    return ok;
}

typedef struct {
    const compiler *c;
    edges *e;
    int step;
} dep_ctx;

static bool note_dependency(void *arg, tfc_src o)
{
    dep_ctx *d = arg;
    return o.kind != TFC_SRC_NODE || add_edge(d->e, d->c->p->step_of[o.node], d->step);
}

static int by_from(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    return (a->to > b->to) - (a->to < b->to);
}

static bool link(compiler *c)
{
    tfc_plan *p = c->p;
    edges e = {0};
    bool ok = true;
    for (int s = 0; ok && s < p->nsteps; s++) {
        const tfc_step *sp = &p->steps[s];
        for (int i = 0; ok && i < sp->nin; i++) {
            tfc_src o = sp->in[i];
            if (o.kind == TFC_SRC_NODE || o.kind == TFC_SRC_DEFERRED) ok = add_edge(&e, p->step_of[o.node], s);
        }
        for (int i = 0; ok && i < sp->nd->nctl; i++) ok = add_edge(&e, p->step_of[sp->nd->ctl[i]], s);
        if (ok && sp->ref_via.node >= 0) ok = add_edge(&e, p->step_of[sp->ref_via.node], s);
        if (ok && sp->epilogue) ok = note_dependency(&(dep_ctx){c, &e, s}, sp->epilogue_bias);
    }
    ok = ok && order_variable_access(c, &e);
    if (ok && e.n) qsort(e.v, (size_t)e.n, sizeof *e.v, by_from);
    int kept = 0;
    for (int i = 0; ok && i < e.n; i++)
        if (!kept || e.v[i].from != e.v[kept - 1].from || e.v[i].to != e.v[kept - 1].to) e.v[kept++] = e.v[i];
    p->succs = ok ? malloc((size_t)(kept ? kept : 1) * sizeof *p->succs) : NULL;
    if (!p->succs) {
        free(e.v);
        return tfc_fail(c->st, TFC_INTERNAL, "out of memory");
    }
    for (int i = 0; i < kept; i++) {
        p->succs[i] = e.v[i].to;
        p->steps[e.v[i].to].npred++;
        tfc_step *from = &p->steps[e.v[i].from];
        if (!from->nsucc) from->succ = &p->succs[i];
        from->nsucc++;
    }
    free(e.v);
    return true;
}

tfc_plan *tfc_plan_compile(const tfc_graph *g, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches,
                           const tfc_placement *where, tfc_status *st)
{
    int n = tfc_graph_num_nodes(g);
    tfc_plan *p = calloc(1, sizeof *p);
    compiler c = {g, feeds, nfeeds, fetches, nfetches, p, calloc((size_t)(n ? n : 1), sizeof *c.uses),
                  calloc((size_t)(n ? n : 1), sizeof *c.reads), st};
    if (!p || !c.uses || !c.reads) goto oom;
    p->graph_nodes = n;
    p->nfeeds = nfeeds;
    p->nfetches = nfetches;
    p->feeds = malloc((size_t)(nfeeds ? nfeeds : 1) * sizeof *p->feeds);
    p->fetches = malloc((size_t)(nfetches ? nfetches : 1) * sizeof *p->fetches);
    p->step_of = malloc((size_t)(n ? n : 1) * sizeof *p->step_of);
    if (!p->feeds || !p->fetches || !p->step_of) goto oom;
    for (int i = 0; i < nfeeds; i++) p->feeds[i] = feeds[i].out;
    if (nfetches) memcpy(p->fetches, fetches, (size_t)nfetches * sizeof *fetches);
    for (int v = 0; v < n; v++) {
        const tfc_node *nd = tfc_graph_node(g, v);
        for (int i = 0; i < nd->nin; i++) c.uses[nd->in[i].node]++, c.reads[nd->in[i].node]++;
        for (int i = 0; i < nd->nctl; i++) c.uses[nd->ctl[i]]++;
    }
    if (!find_needed(&c) || !resolve_inputs(&c) || !tfc_plan_place(p, g, where, st)) goto fail;
    if (p->split && p->control_flow) {
        tfc_fail(st, TFC_INVALID_ARGUMENT, "a run with control flow (tf.cond) over several tasks is not supported");
        goto fail;
    }
    if (!p->split && !p->control_flow) {
        defer_products(&c);
        fold_relu_grads(&c);
        fold_epilogues(&c);
        mark_overwritable(&c);
        if (!prune_unread(&c)) goto fail;
    }
    if (!link(&c)) goto fail;
    free(c.uses);
    free(c.reads);
    return p;
oom:
    tfc_fail(st, TFC_INTERNAL, "out of memory");
fail:
    free(c.uses);
    free(c.reads);
    tfc_plan_free(p);
    return NULL;
}

void tfc_plan_free(tfc_plan *p)
{
    if (!p) return;
    free(p->feeds);
    free(p->fetches);
    free(p->steps);
    free(p->step_of);
    free(p->srcs);
    free(p->overs);
    free(p->succs);
    free(p->fed);
    free(p->waiting);
    free(p->transfers);
    free(p);
}

bool tfc_plan_matches(const tfc_plan *p, const tfc_feed *feeds, int nfeeds, const tfc_out *fetches, int nfetches)
{
    if (p->nfeeds != nfeeds || p->nfetches != nfetches) return false;
    for (int i = 0; i < nfeeds; i++)
        if (p->feeds[i].node != feeds[i].out.node || p->feeds[i].index != feeds[i].out.index) return false;
    for (int i = 0; i < nfetches; i++)
        if (p->fetches[i].node != fetches[i].node || p->fetches[i].index != fetches[i].index) return false;
    return true;
}
