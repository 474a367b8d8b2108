/* Graphviz drawing of a graph view (see graph_render.h). The look follows TensorBoard's graph
 * view: name scopes are rounded boxes tinted with one hue per top-level scope (its palette),
 * collapsed scopes are filled boxes saying how many ops they hold, series stacked boxes, ops
 * ellipses, variables cylinders (a collapsed scope named after its variable too), placeholders
 * parallelograms and constants small grey boxes; data edges carry the tensor's static shape,
 * merged edges their tensor count, control edges are dashed, and edges handing a variable to the
 * op that updates it are orange. Layout and rendering run in a child process (see below). */
#include "graph_render.h"

#include <errno.h>
#include <fcntl.h>
#include <gvc.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "out_file.h"

/* The plugins are linked in and handed to gvContextPlugins(), so rendering works without
 * Graphviz's run-time plugin configuration (Debian leaves it to `dot -c` run as root). */
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;
extern gvplugin_library_t gvplugin_pango_LTX_library;

static const lt_symlist_t builtin_plugins[] = {
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
    {"gvplugin_pango_LTX_library", &gvplugin_pango_LTX_library},
    {NULL, NULL},
};

#define FONT "DejaVu Sans"
#define VARIABLE_FILL "#fde2b8"
#define UPDATE_COLOR "#d9822b"

bool tfc_gdraw_format_from_path(const char *path, tfc_gdraw_format *fmt)
{
    static const struct {
        const char *ext;
        tfc_gdraw_format fmt;
    } exts[] = {{".png", TFC_GDRAW_PNG}, {".svg", TFC_GDRAW_SVG}, {".pdf", TFC_GDRAW_PDF},
                {".dot", TFC_GDRAW_DOT}, {".gv", TFC_GDRAW_DOT}};
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return false;
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        if (!strcasecmp(dot, exts[i].ext)) {
            *fmt = exts[i].fmt;
            return true;
        }
    }
    return false;
}

/* ---- colours ---- */

/* TensorBoard's structure palette: hues, with saturation falling as the hue rises. */
static const int palette_hues[] = {220, 100, 180, 40, 20, 340, 260, 300, 140, 60};
#define NHUES ((int)(sizeof palette_hues / sizeof *palette_hues))

static void hsl_hex(double h, double s, double l, char out[8])
{
    double c = (1 - fabs(2 * l - 1)) * s;
    double hp = fmod(h, 360.0) / 60.0;
    double x = c * (1 - fabs(fmod(hp, 2.0) - 1));
    double r = 0, g = 0, b = 0;
    if (hp < 1) r = c, g = x;
    else if (hp < 2) r = x, g = c;
    else if (hp < 3) g = c, b = x;
    else if (hp < 4) g = x, b = c;
    else if (hp < 5) r = x, b = c;
    else r = c, b = x;
    double mm = l - c / 2;
    snprintf(out, 8, "#%02x%02x%02x", (int)lround((r + mm) * 255), (int)lround((g + mm) * 255),
             (int)lround((b + mm) * 255));
}

typedef enum { TONE_FILL, TONE_CLUSTER, TONE_STROKE } tone;

static void palette(int index, tone t, char out[8])
{
    if (index < 0) {
        snprintf(out, 8, "%s", t == TONE_FILL ? "#d9d9d9" : t == TONE_CLUSTER ? "#f4f4f4" : "#8c8c8c");
        return;
    }
    int hue = palette_hues[index % NHUES];
    double m = sin(hue * M_PI / 360.0);
    if (t == TONE_FILL) hsl_hex(hue, (90 - 60 * m) / 100.0, 0.80, out);
    else if (t == TONE_CLUSTER) hsl_hex(hue, 0.30, 0.955, out);
    else hsl_hex(hue, (90 - 60 * m) / 100.0, 0.42, out);
}

/* A light colour per op type, the same for a type in every graph. */
static void op_color(const char *type, char out[8])
{
    unsigned h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)type; *p; p++) h = (h ^ *p) * 16777619u;
    hsl_hex((double)(h % 360), 0.55, 0.84, out);
}

/* The palette index of scope s: the rank of its top-level scope among the top-level scopes. */
static int scope_color_index(const tfc_gdraw_model *m, const int *top_rank, int s)
{
    while (s > 0 && m->scopes[s].depth > 1) s = m->scopes[s].parent;
    return s > 0 ? top_rank[s] : -1;
}

/* ---- labels ---- */

typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} text;

static bool text_open(text *t)
{
    t->buf = NULL;
    t->len = 0;
    t->f = open_memstream(&t->buf, &t->len);
    return t->f != NULL;
}

static char *text_close(text *t)
{
    fclose(t->f);
    return t->buf;
}

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s < 0x20 || *s == 0x7f) fprintf(f, "\\x%02x", (unsigned char)*s);
            else fputc(*s, f);
        }
    }
}

/* True when the op's last name component is its type, maybe uniquified ("MatMul_1"). */
static bool named_after_type(const char *name, const char *type)
{
    const char *slash = strrchr(name, '/');
    return tfc_gdraw_name_is(slash ? slash + 1 : name, type);
}

/* Labels say a name from the box they are drawn in: the last component, or more where scopes
 * between are drawn without boxes; very long ones keep their start and end. */
#define LABEL_MAX 60

static void label_name(FILE *f, const tfc_gdraw_model *m, int parent, const char *name, size_t len)
{
    size_t skip = parent > 0 ? m->scopes[parent].path_len + 1 : 0;
    if (skip > len) skip = 0;
    name += skip;
    len -= skip;
    char *part = NULL;
    if (len > LABEL_MAX) { /* cut between UTF-8 characters, an ellipsis in the middle */
        size_t head = LABEL_MAX / 2 - 1, tail = len - (LABEL_MAX / 2 - 1);
        while (head && ((unsigned char)name[head] & 0xc0) == 0x80) head--;
        while (tail < len && ((unsigned char)name[tail] & 0xc0) == 0x80) tail++;
        if (asprintf(&part, "%.*s\xe2\x80\xa6%s", (int)head, name, name + tail) < 0) part = NULL;
    } else {
        if (asprintf(&part, "%.*s", (int)len, name) < 0) part = NULL;
    }
    if (part) html_escape(f, part);
    free(part);
}

static char *op_label(const tfc_gdraw_model *m, const tfc_gdraw_item *it)
{
    const tfc_gdraw_op *op = &m->ops[it->op];
    text t;
    if (!text_open(&t)) return NULL;
    label_name(t.f, m, it->parent, op->name, strlen(op->name));
    if (!named_after_type(op->name, op->op)) {
        fputs("<BR/><FONT POINT-SIZE=\"8\" COLOR=\"#555555\">", t.f);
        html_escape(t.f, op->op);
        fputs("</FONT>", t.f);
    }
    return text_close(&t);
}

static char *scope_label(const tfc_gdraw_model *m, const tfc_gdraw_item *it)
{
    const tfc_gdraw_scope *s = &m->scopes[it->scope];
    size_t nops = it->nops;
    text t;
    if (!text_open(&t)) return NULL;
    fputs("<B>", t.f);
    label_name(t.f, m, it->parent, s->path, s->path_len);
    fprintf(t.f, "</B><BR/><FONT POINT-SIZE=\"9\">%zu op%s</FONT>", nops, nops == 1 ? "" : "s");
    return text_close(&t);
}

/* ---- building the cgraph ---- */

typedef struct {
    Agraph_t *g;
    const tfc_gdraw_model *m;
    const tfc_gdraw_view *v;
    const tfc_gdraw_style *style;
    Agraph_t **sub;  /* per scope: its cluster, or NULL */
    int *top_rank;   /* per top-level scope: its palette index */
    bool oom;
} builder;

/* A name or value as a Graphviz string, or NULL when s can go as it is. Graphviz writes names into
 * SVG escaping only XML's markup characters, so a control character would make the file invalid
 * XML: it goes in as \\xNN. And its .dot reader takes a backslash before a quote for an escaped
 * backslash, so a name holding \" (or ending in \) came back cut short: backslashes go in
 * doubled, which labels show as one. */
static char *gv_string(const char *s)
{
    size_t n = 0;
    bool plain = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool control = *p < 0x20 || *p == 0x7f;
        plain &= !control && *p != '\\';
        n += control ? 5 : *p == '\\' ? 2 : 1;
    }
    char *out = plain ? NULL : malloc(n + 1), *q = out;
    for (const unsigned char *p = (const unsigned char *)s; q && *p; p++) {
        if (*p < 0x20 || *p == 0x7f) q += sprintf(q, "\\\\x%02x", *p);
        else if (*p == '\\') q += sprintf(q, "\\\\");
        else *q++ = (char)*p;
    }
    if (q) *q = '\0';
    return out;
}

static void set(void *obj, const char *name, const char *value)
{
    char *escaped = gv_string(value);
    agsafeset(obj, (char *)name, escaped ? escaped : (char *)value, "");
    free(escaped);
}

/* The node called name, created (its name as gv_string gives it). */
static Agnode_t *node_named(Agraph_t *parent, const char *name)
{
    char *escaped = gv_string(name);
    Agnode_t *n = agnode(parent, escaped ? escaped : (char *)name, 1);
    free(escaped);
    return n;
}

static void set_html(builder *b, void *obj, const char *name, char *html)
{
    if (!html) {
        b->oom = true;
        return;
    }
    char *s = agstrdup_html(b->g, html);
    free(html);
    if (!s) {
        b->oom = true;
        return;
    }
    set(obj, name, s);
    agstrfree(b->g, s);
}

/* set() with a malloc'ed value, which it frees; NULL (out of memory) marks the build failed. */
static void set_owned(builder *b, void *obj, const char *name, char *value)
{
    if (!value) {
        b->oom = true;
        return;
    }
    set(obj, name, value);
    free(value);
}

static void set_count(void *obj, const char *name, size_t n)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", n);
    set(obj, name, num);
}

#define FAST_POSITION_ITERATIONS 800.0

static void graph_defaults(builder *b)
{
    Agraph_t *g = b->g;
    const char *rankdir = b->style->rankdir ? b->style->rankdir : "BT";
    agattr(g, AGRAPH, "rankdir", (char *)rankdir);
    agattr(g, AGRAPH, "fontname", FONT);
    agattr(g, AGRAPH, "fontsize", "11");
    agattr(g, AGRAPH, "compound", "true");
    agattr(g, AGRAPH, "newrank", "true");
    agattr(g, AGRAPH, "nodesep", "0.25");
    agattr(g, AGRAPH, "ranksep", "0.4");
    agattr(g, AGRAPH, "pad", "0.3");
    agattr(g, AGRAPH, "dpi", "96");
    agattr(g, AGRAPH, "bgcolor", "white");
    agattr(g, AGRAPH, "outputorder", "edgesfirst");
    agattr(g, AGRAPH, "labeljust", "l");
    agattr(g, AGRAPH, "style", "");
    agattr(g, AGRAPH, "color", "");
    agattr(g, AGRAPH, "fillcolor", "");
    if (b->v->fast_layout) {
        /* Fewer network simplex and crossing-minimisation iterations, and straight edges: a
         * large view laid out in bounded time. Placing the nodes across (nslimit: iterations per
         * node) takes most of it, each iteration on the edges' and ranks' nodes too: about
         * FAST_POSITION_ITERATIONS at most (a 35,000-op DenseNet-121 fully open, 8,700 nodes,
         * took 29 s of 1,746 iterations there, 15 s of 800; the pictures alike). */
        char limit[32];
        double per_node = b->v->ndrawn ? FAST_POSITION_ITERATIONS / (double)b->v->ndrawn : 0.2;
        snprintf(limit, sizeof limit, "%.3g", per_node < 0.2 ? per_node : 0.2);
        agattr(g, AGRAPH, "nslimit", limit);
        agattr(g, AGRAPH, "nslimit1", "0.2");
        agattr(g, AGRAPH, "mclimit", "0.1");
        agattr(g, AGRAPH, "searchsize", "10");
        agattr(g, AGRAPH, "remincross", "false");
        agattr(g, AGRAPH, "splines", "line");
    }
    if (b->style->title) {
        agattr(g, AGRAPH, "label", (char *)b->style->title);
        agattr(g, AGRAPH, "labelloc", "t");
    }
    agattr(g, AGNODE, "fontname", FONT);
    agattr(g, AGNODE, "fontsize", "10");
    agattr(g, AGNODE, "shape", "ellipse");
    agattr(g, AGNODE, "style", "filled");
    agattr(g, AGNODE, "fillcolor", "white");
    agattr(g, AGNODE, "color", "#8c8c8c");
    agattr(g, AGNODE, "height", "0.3");
    agattr(g, AGNODE, "margin", "0.06,0.03");
    agattr(g, AGEDGE, "fontname", FONT);
    agattr(g, AGEDGE, "fontsize", "8");
    agattr(g, AGEDGE, "fontcolor", "#555555");
    agattr(g, AGEDGE, "color", "#6b6b6b");
    agattr(g, AGEDGE, "arrowsize", "0.6");
}

static void add_clusters(builder *b)
{
    const tfc_gdraw_model *m = b->m;
    for (size_t s = 1; s < m->nscopes; s++) {
        if (!b->v->cluster[s]) continue;
        const tfc_gdraw_scope *sc = &m->scopes[s];
        Agraph_t *parent = sc->parent > 0 ? b->sub[sc->parent] : b->g;
        text name;
        if (!text_open(&name)) {
            b->oom = true;
            return;
        }
        fprintf(name.f, "cluster_%.*s", (int)sc->path_len, sc->path);
        char *id = text_close(&name);
        char *escaped = id ? gv_string(id) : NULL;
        Agraph_t *c = id ? agsubg(parent, escaped ? escaped : id, 1) : NULL;
        free(escaped);
        free(id);
        if (!c) {
            b->oom = true;
            return;
        }
        b->sub[s] = c;
        char fill[8], stroke[8];
        int ci = b->style->color_by_op ? -1 : scope_color_index(m, b->top_rank, (int)s);
        palette(ci, TONE_CLUSTER, fill);
        palette(ci, TONE_STROKE, stroke);
        set(c, "label", sc->name);
        set(c, "style", "rounded,filled");
        set(c, "fillcolor", fill);
        set(c, "color", stroke);
        set_owned(b, c, "tfc_scope", tfc_gdraw_scope_path(m, (int)s));
    }
}

static Agnode_t *add_item(builder *b, const tfc_gdraw_item *it)
{
    const tfc_gdraw_model *m = b->m;
    Agraph_t *parent = it->parent > 0 ? b->sub[it->parent] : b->g;
    int scope = it->op >= 0 ? m->ops[it->op].scope : it->scope;
    int ci = scope_color_index(m, b->top_rank, scope);
    char fill[8], stroke[8];
    palette(b->style->color_by_op ? -1 : ci, TONE_STROKE, stroke);
    if (it->series >= 0) {
        const tfc_gdraw_series *se = &b->v->series[it->series];
        char *name = tfc_gdraw_item_name(m, b->v, it);
        Agnode_t *n = name ? node_named(parent, name) : NULL;
        text t;
        if (!n || !text_open(&t)) {
            free(name);
            return NULL;
        }
        fputs("<B>", t.f);
        html_escape(t.f, se->base);
        fprintf(t.f, "[%llu\xe2\x80\x93%llu]</B><BR/><FONT POINT-SIZE=\"9\">%zu \xc3\x97 ", se->lo, se->hi, it->nops);
        html_escape(t.f, m->ops[it->op].op);
        fputs("</FONT>", t.f);
        palette(b->style->color_by_op ? -1 : ci, TONE_FILL, fill);
        set(n, "shape", "box3d");
        set(n, "fillcolor", fill);
        set(n, "color", stroke);
        set(n, "margin", "0.12,0.05");
        set_html(b, n, "label", text_close(&t));
        set(n, "tfc_kind", "series");
        set_owned(b, n, "tfc_name", name);
        set(n, "tfc_op", m->ops[it->op].op);
        set_count(n, "tfc_ops", it->nops);
        return n;
    }
    if (it->scope >= 0) {
        const tfc_gdraw_scope *sc = &m->scopes[it->scope];
        text id;
        if (!text_open(&id)) return NULL;
        fprintf(id.f, "%.*s/", (int)sc->path_len, sc->path);
        char *name = text_close(&id);
        Agnode_t *n = name ? node_named(parent, name) : NULL;
        free(name);
        if (!n) return NULL;
        palette(b->style->color_by_op ? -1 : ci, TONE_FILL, fill);
        if (sc->op >= 0 && m->ops[sc->op].kind == TFC_GDRAW_VARIABLE) {
            /* A variable with its read, assigns or slots: drawn as the variable. */
            set(n, "shape", "cylinder");
            set(n, "style", "filled,bold");
            snprintf(fill, sizeof fill, "%s", VARIABLE_FILL);
        } else {
            set(n, "shape", "box");
            set(n, "style", tfc_gdraw_name_is(sc->name, "gradients") ? "rounded,filled,dashed,bold"
                                                                       : "rounded,filled,bold");
        }
        set(n, "fillcolor", fill);
        set(n, "color", stroke);
        set(n, "margin", "0.12,0.05");
        set_html(b, n, "label", scope_label(m, it));
        set(n, "tfc_kind", "scope");
        set_owned(b, n, "tfc_name", tfc_gdraw_scope_path(m, it->scope));
        set_count(n, "tfc_ops", it->nops);
        return n;
    }
    const tfc_gdraw_op *op = &m->ops[it->op];
    Agnode_t *n = node_named(parent, op->name);
    if (!n) return NULL;
    static const char *const kinds[] = {"op", "variable", "placeholder", "constant"};
    set(n, "tfc_kind", kinds[op->kind]);
    set(n, "tfc_name", op->name);
    set(n, "tfc_op", op->op);
    set(n, "color", stroke);
    set_html(b, n, "label", op_label(m, it));
    switch (op->kind) {
    case TFC_GDRAW_VARIABLE:
        set(n, "shape", "cylinder");
        set(n, "fillcolor", VARIABLE_FILL);
        break;
    case TFC_GDRAW_PLACEHOLDER:
        set(n, "shape", "parallelogram");
        set(n, "fillcolor", "#cfe8cf");
        break;
    case TFC_GDRAW_CONSTANT:
        set(n, "shape", "box");
        set(n, "style", "rounded,filled");
        set(n, "fillcolor", "#eeeeee");
        set(n, "color", "#b0b0b0");
        set(n, "fontsize", "8");
        set(n, "height", "0.2");
        break;
    case TFC_GDRAW_OP:
        if (b->style->color_by_op) {
            op_color(op->op, fill);
            set(n, "fillcolor", fill);
        }
        break;
    }
    return n;
}

static void add_edge(builder *b, Agnode_t **nodes, const tfc_gdraw_edge *e)
{
    /* A reversed edge is declared backwards and drawn forwards (dir=back). */
    bool reversed = e->reversed;
    Agnode_t *tail = nodes[reversed ? e->to : e->from], *head = nodes[reversed ? e->from : e->to];
    Agedge_t *ed = agedge(b->g, tail, head, NULL, 1);
    if (!ed) {
        b->oom = true;
        return;
    }
    set_count(ed, "tfc_tensors", e->ntensors);
    set_count(ed, "tfc_control", e->ncontrol);
    if (e->nbundled > 1) set_count(ed, "tfc_bundled", e->nbundled);
    if (reversed) set(ed, "dir", "back");
    for (int end = 0; end < 2; end++) {
        int s = end ? e->to_scope : e->from_scope;
        if (s <= 0) continue;
        char *cluster = NULL;
        if (asprintf(&cluster, "cluster_%.*s", (int)b->m->scopes[s].path_len, b->m->scopes[s].path) < 0) {
            b->oom = true;
            return;
        }
        set(ed, (end != reversed) ? "lhead" : "ltail", cluster);
        free(cluster);
    }
    if (!e->ntensors) {
        set(ed, "style", "dashed");
        set(ed, "color", "#a8a8a8");
        return;
    }
    /* Graphviz 2.43 frees the layout of a labelled flat edge (both ends on one rank) twice, so
     * an edge left out of the ranking, which may end up flat, carries an xlabel. */
    const char *label_attr = "label";
    if (!e->constraint) {
        /* Only variables handed to the ops updating them (the optimizer's Apply*, Assign): drawn
         * apart and left out of the ranking, so that a variable stays by its layer instead of
         * being pulled up to the optimizer. */
        set(ed, "color", UPDATE_COLOR);
        set(ed, "constraint", "false");
        label_attr = "xlabel";
    }
    char label[64] = "";
    if (e->ntensors > 1) {
        snprintf(label, sizeof label, "%zu tensors", e->ntensors);
        set(ed, "penwidth", e->ntensors > 3 ? "2.2" : "1.6");
    } else {
        const tfc_gdraw_op *src = &b->m->ops[e->src_op];
        if ((size_t)e->src_output < src->nshapes && src->shapes[e->src_output])
            snprintf(label, sizeof label, "%s", src->shapes[e->src_output]);
    }
    if (label[0]) set(ed, label_attr, label);
}

static void add_note(builder *b)
{
    const tfc_gdraw_view *v = b->v;
    if (!v->nnote && !v->nsimplified) return;
    text t;
    if (!text_open(&t)) {
        b->oom = true;
        return;
    }
    if (v->nnote) fputs("<B>Moved aside</B> (--all draws them)<BR ALIGN=\"LEFT\"/>", t.f);
    for (size_t i = 0; i < v->nnote; i++) {
        html_escape(t.f, v->note[i]);
        fputs("<BR ALIGN=\"LEFT\"/>", t.f);
    }
    if (v->nsimplified) fputs("<B>Simplified</B> for a bounded layout (--no-simplify draws all)<BR ALIGN=\"LEFT\"/>", t.f);
    for (size_t i = 0; i < v->nsimplified; i++) {
        html_escape(t.f, v->simplified[i]);
        fputs("<BR ALIGN=\"LEFT\"/>", t.f);
    }
    Agnode_t *n = agnode(b->g, "tfc_aside", 1);
    if (!n) {
        free(text_close(&t));
        b->oom = true;
        return;
    }
    set(n, "shape", "note");
    set(n, "fillcolor", "#fffbe8");
    set(n, "color", "#c9b66b");
    set(n, "fontsize", "9");
    set(n, "margin", "0.15,0.08");
    set(n, "tfc_kind", "note");
    set_html(b, n, "label", text_close(&t));
}

/* Palette indices for the top-level scopes drawn, in name order. */
static void rank_top_scopes(const tfc_gdraw_model *m, const tfc_gdraw_view *v, int *top_rank)
{
    for (size_t k = 0; k < v->nitems; k++) {
        if (v->items[k].aside) continue;
        int s = v->items[k].op >= 0 ? m->ops[v->items[k].op].scope : v->items[k].scope;
        while (s > 0 && m->scopes[s].depth > 1) s = m->scopes[s].parent;
        if (s > 0) top_rank[s] = 1;
    }
    const tfc_gdraw_scope *root = &m->scopes[0];
    int next = 0;
    for (size_t i = 0; i < root->nchildren; i++) {
        int s = root->children[i];
        top_rank[s] = top_rank[s] ? next++ : -1;
    }
}

static Agraph_t *build_graph(builder *b)
{
    const tfc_gdraw_model *m = b->m;
    const tfc_gdraw_view *v = b->v;
    b->g = agopen("tfc_graph", Agdirected, NULL);
    Agnode_t **nodes = calloc(v->nitems ? v->nitems : 1, sizeof *nodes);
    b->sub = calloc(m->nscopes, sizeof *b->sub);
    b->top_rank = calloc(m->nscopes, sizeof *b->top_rank);
    if (!b->g || !nodes || !b->sub || !b->top_rank) {
        b->oom = true;
    } else {
        rank_top_scopes(m, v, b->top_rank);
        graph_defaults(b);
        add_clusters(b);
        for (size_t k = 0; k < v->nitems && !b->oom; k++) {
            if (v->items[k].aside) continue;
            if (!(nodes[k] = add_item(b, &v->items[k]))) b->oom = true;
        }
        for (size_t i = 0; i < v->nedges && !b->oom; i++) add_edge(b, nodes, &v->edges[i]);
        if (!b->oom) add_note(b);
    }
    free(nodes);
    free(b->sub);
    free(b->top_rank);
    return b->g;
}

static bool write_dot(Agraph_t *g, const char *path, tfc_status *st)
{
    tfc_out_file out;
    if (!tfc_out_file_open(&out, path, st)) return false;
    if (agwrite(g, out.f) != 0 && !ferror(out.f)) {
        tfc_out_file_abort(&out);
        return tfc_fail(st, TFC_INTERNAL, "cannot write '%s': Graphviz could not write the graph", path);
    }
    return tfc_out_file_commit(&out, st);
}

/* A PNG at most this wide or high, and with at most this many pixels: past that, a bitmap is
 * too big to view and slow to write; it is scaled down (vector formats never are). */
#define PNG_MAX_SIDE 16384.0
#define PNG_MAX_PIXELS 32e6
#define PNG_DPI 96.0

/* The scale (<= 1) that keeps the laid-out graph's PNG within the limits, set as Graphviz's
 * `size` so the renderer applies it. */
static double limit_png(Agraph_t *g)
{
    double w = (GD_bb(g).UR.x - GD_bb(g).LL.x) * PNG_DPI / 72.0;
    double h = (GD_bb(g).UR.y - GD_bb(g).LL.y) * PNG_DPI / 72.0;
    double scale = 1.0;
    if (w > PNG_MAX_SIDE) scale = PNG_MAX_SIDE / w;
    if (h * scale > PNG_MAX_SIDE) scale = PNG_MAX_SIDE / h;
    if (w * h * scale * scale > PNG_MAX_PIXELS) scale = sqrt(PNG_MAX_PIXELS / (w * h));
    if (scale < 1.0) {
        GD_drawing(g)->size.x = (GD_bb(g).UR.x - GD_bb(g).LL.x) * scale;
        GD_drawing(g)->size.y = (GD_bb(g).UR.y - GD_bb(g).LL.y) * scale;
        GD_drawing(g)->filled = false;
    }
    return scale;
}

/* One Graphviz context for the process, never freed: Graphviz 2.43's pango plugin keeps a
 * pointer to the last font name, which a context owns, so a second context after freeing the
 * first reads freed memory. (Not thread-safe; drawing is done from one thread.) */
static GVC_t *graphviz_context(void)
{
    static GVC_t *gvc;
    if (!gvc) gvc = gvContextPlugins(builtin_plugins, 0);
    return gvc;
}

/* ---- Graphviz in a child process ----
 * Layout and rendering run in a forked child, which hands the rendered bytes back through a
 * pipe: the parent waits at most the time limit (then kills it), the child's address space is
 * limited, and whatever Graphviz does on a view too big for it (an allocation failing, then a
 * write through NULL; a stack overflow; exit(1) on an error of its own) ends the child, not
 * tfc-graph, which then says what happened in one line. */

/* What the child sends: a header, then len bytes (the picture, or an error message). */
typedef struct {
    int ok;
    double scale;
    size_t len;
} child_reply;

static bool write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

bool tfc_gdraw_memory_limited(void)
{
#ifdef UNDER_ASAN
    return false;
#else
    return true;
#endif
}

static void child_run(Agraph_t *g, const char *renderer, bool png, size_t max_memory, int fd)
{
    /* What Graphviz prints on its own ("out of memory") stays out of the tool's one line. */
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDERR_FILENO);
    if (max_memory && tfc_gdraw_memory_limited()) {
        struct rlimit rl = {max_memory, max_memory};
        setrlimit(RLIMIT_AS, &rl);
    }
    child_reply r = {0, 1.0, 0};
    char *data = NULL;
    unsigned int len = 0;
    GVC_t *gvc = graphviz_context();
    agreseterrors();
    if (gvc && gvLayout(gvc, g, "dot") == 0) {
        if (png) r.scale = limit_png(g);
        r.ok = gvRenderData(gvc, g, renderer, &data, &len) == 0 && agerrors() < AGERR;
    }
    if (!r.ok) {
        char *msg = aglasterr();
        size_t n = msg ? strlen(msg) : 0;
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) n--;
        r.len = n;
        if (write_all(fd, &r, sizeof r) && n) write_all(fd, msg, n);
        _exit(1);
    }
    r.len = len;
    bool sent = write_all(fd, &r, sizeof r) && write_all(fd, data, len);
    _exit(sent ? 0 : 1);
}

/* Reads the child's reply within the deadline (CLOCK_MONOTONIC seconds; 0: none). False with
 * *timed_out when the deadline passed. */
static bool read_reply(int fd, double deadline, char **buf, size_t *len, bool *timed_out)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    *timed_out = false;
    while (b) {
        int wait_ms = -1;
        if (deadline > 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double left = deadline - ((double)now.tv_sec + now.tv_nsec * 1e-9);
            if (left <= 0) {
                *timed_out = true;
                break;
            }
            wait_ms = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
        }
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, wait_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;
        if (r == 0) continue;
        if (n == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) break;
            b = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            *buf = b;
            *len = n;
            return got == 0;
        }
        n += (size_t)got;
    }
    free(b);
    return false;
}

static void describe_status(int status, char *out, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, size, "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Lays out and renders the view in a child (see above) into *data (malloc'ed, *len bytes, with a
 * NUL after them); what names the output in messages. */
static bool render_data(const tfc_gdraw_model *m, const tfc_gdraw_view *v, const tfc_gdraw_style *style,
                        tfc_gdraw_format fmt, const char *what, char **data, size_t *len, double *scale,
                        tfc_status *st)
{
    static const char *const renderers[] = {"png:cairo", "svg", "pdf:cairo"};
    *data = NULL;
    *len = 0;
    agerrlevel_t level = agseterr(AGMAX);
    builder b = {.m = m, .v = v, .style = style};
    Agraph_t *g = build_graph(&b);
    /* (SVG at 72 dpi: at any other, Graphviz 2.43 scales the drawing but not its viewBox, and
     * browsers cut the picture off) */
    bool ok = !b.oom && (fmt != TFC_GDRAW_SVG || agattr(g, AGRAPH, "dpi", "72") != NULL);
    if (!ok) tfc_fail(st, TFC_INTERNAL, "out of memory drawing '%s'", what);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double deadline = style->time_limit > 0 ? (double)t0.tv_sec + t0.tv_nsec * 1e-9 + style->time_limit : 0;
    int fds[2] = {-1, -1};
    pid_t pid = -1;
    if (ok && pipe(fds) != 0) ok = tfc_fail(st, TFC_INTERNAL, "cannot start Graphviz: %s", strerror(errno));
    if (ok) {
        fflush(NULL);
        if ((pid = fork()) < 0) {
            ok = tfc_fail(st, TFC_INTERNAL, "cannot start Graphviz: %s", strerror(errno));
            close(fds[0]);
            close(fds[1]);
        } else if (pid == 0) {
            close(fds[0]);
            child_run(g, renderers[fmt], fmt == TFC_GDRAW_PNG, style->max_memory, fds[1]);
        }
    }
    if (g) agclose(g);
    agseterr(level);
    if (!ok) return false;
    close(fds[1]);
    char *buf = NULL;
    size_t n = 0;
    bool timed_out;
    bool complete = read_reply(fds[0], deadline, &buf, &n, &timed_out);
    close(fds[0]);
    if (!complete) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    child_reply r = {0, 1.0, 0};
    bool framed = complete && n >= sizeof r;
    if (framed) {
        memcpy(&r, buf, sizeof r);
        framed = r.len == n - sizeof r;
    }
    if (timed_out) {
        ok = tfc_fail(st, TFC_FAILED_PRECONDITION,
                      "laying out '%s' (%zu nodes, %zu edges) took longer than %g s; draw less of it "
                      "(--depth, --expand) or allow more time (--time-limit)",
                      what, v->ndrawn, v->nedges, style->time_limit);
    } else if (framed && !r.ok) {
        ok = tfc_fail(st, TFC_IO, "laying out '%s' failed%s%.*s", what, r.len ? ": " : "", (int)r.len, buf + sizeof r);
    } else if (!framed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char how[96];
        describe_status(status, how, sizeof how);
        ok = tfc_fail(st, TFC_FAILED_PRECONDITION,
                      "Graphviz failed on '%s' (%zu nodes, %zu edges): %s; the view may be too large "
                      "for it (draw less with --depth or --expand)",
                      what, v->ndrawn, v->nedges, how);
    } else {
        if (scale) *scale = r.scale;
        memmove(buf, buf + sizeof r, r.len);
        buf[r.len] = '\0'; /* the reply's header leaves room for it */
        *data = buf;
        *len = r.len;
        return true;
    }
    free(buf);
    return ok;
}

bool tfc_gdraw_render(const tfc_gdraw_model *m, const tfc_gdraw_view *v,
                      const tfc_gdraw_style *style, const char *path, tfc_gdraw_format fmt,
                      double *scale, tfc_status *st)
{
    if (scale) *scale = 1.0;
    if (fmt == TFC_GDRAW_DOT) {
        agerrlevel_t level = agseterr(AGMAX);
        builder b = {.m = m, .v = v, .style = style};
        Agraph_t *g = build_graph(&b);
        bool ok = b.oom ? tfc_fail(st, TFC_INTERNAL, "out of memory drawing '%s'", path) : write_dot(g, path, st);
        if (g) agclose(g);
        agseterr(level);
        return ok;
    }
    /* Rendered into memory, then written by us: Graphviz ends the process (exit(1)) on a write
     * error of its own, with no word of which file or why. */
    char *data;
    size_t len;
    bool ok = render_data(m, v, style, fmt, path, &data, &len, scale, st);
    tfc_out_file out;
    ok = ok && tfc_out_file_open(&out, path, st);
    if (ok && !tfc_out_file_write(&out, data, len, st)) {
        tfc_out_file_abort(&out);
        ok = false;
    } else if (ok) {
        ok = tfc_out_file_commit(&out, st);
    }
    free(data);
    return ok;
}

char *tfc_gdraw_render_svg(const tfc_gdraw_model *m, const tfc_gdraw_view *v, const tfc_gdraw_style *style,
                           size_t *len, tfc_status *st)
{
    char *data;
    return render_data(m, v, style, TFC_GDRAW_SVG, "the graph (SVG)", &data, len, NULL, st) ? data : NULL;
}
