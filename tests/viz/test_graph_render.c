/* Unit tests of viz/graph_render.c: the .dot output read back with libcgraph (clusters, nodes,
 * edges, labels, styles), PNG/SVG/PDF files that Graphviz actually drew, write errors, and
 * Graphviz's child running out of its address space. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cgraph.h>

#include "check.h"
#include "graph_render.h"
#include "test_graph_fixture.h"

static char dir[] = "/tmp/tfc-graph-render-XXXXXX";

static char *path_in_dir(const char *name)
{
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static bool draw(const tfc_gdraw_model *m, int depth, const char *const *expand, const char *name,
                 const char *rankdir, tfc_status *st)
{
    tfc_gdraw_options o = {.depth = depth, .expand = expand};
    while (expand && expand[o.nexpand]) o.nexpand++;
    tfc_gdraw_view *v = tfc_gdraw_view_build(m, &o, st);
    if (!v) return false;
    tfc_gdraw_format fmt;
    CHECK(tfc_gdraw_format_from_path(name, &fmt));
    tfc_gdraw_style style = {.rankdir = rankdir, .title = "test graph"};
    bool ok = tfc_gdraw_render(m, v, &style, name, fmt, NULL, st);
    tfc_gdraw_view_free(v);
    return ok;
}

static size_t count_clusters(Agraph_t *g)
{
    size_t n = 0;
    for (Agraph_t *s = agfstsubg(g); s; s = agnxtsubg(s))
        n += !strncmp(agnameof(s), "cluster_", 8) + count_clusters(s);
    return n;
}

static const char *attr(void *obj, const char *name)
{
    const char *v = agget(obj, (char *)name);
    return v ? v : "";
}

static Agedge_t *find_edge(Agraph_t *g, const char *from, const char *to)
{
    Agnode_t *a = agnode(g, (char *)from, 0), *b = agnode(g, (char *)to, 0);
    CHECK_MSG(a && b, "no nodes %s, %s", from, to);
    return a && b ? agedge(g, a, b, NULL, 0) : NULL;
}

static Agraph_t *read_dot(const char *path)
{
    FILE *f = fopen(path, "r");
    CHECK_MSG(f, "cannot open %s", path);
    if (!f) return NULL;
    Agraph_t *g = agread(f, NULL);
    fclose(f);
    CHECK_MSG(g, "cannot parse %s", path);
    return g;
}

static void test_dot(const tfc_gdraw_model *m)
{
    tfc_status *st = tfc_status_new();
    const char *p = path_in_dir("depth2.dot");
    CHECK_MSG(draw(m, 2, NULL, p, "LR", st), "%s", tfc_message(st));
    Agraph_t *g = read_dot(p);
    if (g) {
        /* input/, model/, train/ are open; 7 items plus the side note. */
        CHECK(count_clusters(g) == 3);
        CHECK(agsubg(g, "cluster_model", 0) != NULL);
        CHECK(agnnodes(g) == 8);
        CHECK(agnedges(g) == 8);
        CHECK(!strcmp(attr(g, "rankdir"), "LR"));
        Agnode_t *x = agnode(g, "input/x", 0);
        CHECK(x && !strcmp(attr(x, "tfc_kind"), "placeholder") &&
              !strcmp(attr(x, "shape"), "parallelogram"));
        CHECK(x && agnode(agsubg(g, "cluster_input", 0), "input/x", 0) == x);
        Agnode_t *fc1 = agnode(g, "model/fc1/", 0);
        CHECK(fc1 && !strcmp(attr(fc1, "tfc_kind"), "scope") && !strcmp(attr(fc1, "tfc_ops"), "4"));
        CHECK(fc1 && agnode(agsubg(g, "cluster_model", 0), "model/fc1/", 0) == fc1);
        Agedge_t *e = find_edge(g, "input/x", "model/fc1/");
        CHECK(e && !strcmp(attr(e, "label"), "?x784") && !strcmp(attr(e, "tfc_tensors"), "1"));
        e = find_edge(g, "model/logits", "train/loss");
        CHECK(e && !strcmp(attr(e, "label"), "?x10"));
        Agnode_t *note = agnode(g, "tfc_aside", 0);
        CHECK(note && !strcmp(attr(note, "tfc_kind"), "note"));
        CHECK(note && strstr(attr(note, "label"), "save/restore (3 ops): save/"));
        agclose(g);
    }

    p = path_in_dir("depth1.dot");
    CHECK_MSG(draw(m, 1, NULL, p, NULL, st), "%s", tfc_message(st));
    if ((g = read_dot(p))) {
        CHECK(count_clusters(g) == 0 && agnnodes(g) == 6 && agnedges(g) == 6);
        CHECK(!strcmp(attr(g, "rankdir"), "BT"));
        Agedge_t *e = find_edge(g, "input/", "model/");
        CHECK(e && !strcmp(attr(e, "label"), "2 tensors") && !strcmp(attr(e, "tfc_tensors"), "2"));
        agclose(g);
    }

    p = path_in_dir("all.dot");
    const char *expand[] = {"gradients", "GradientDescent", NULL};
    CHECK_MSG(draw(m, 0, expand, p, NULL, st), "%s", tfc_message(st));
    if ((g = read_dot(p))) {
        Agedge_t *e = find_edge(g, "GradientDescent/update_model/fc1/W/ApplyGradientDescent",
                                "GradientDescent");
        CHECK(e && !strcmp(attr(e, "style"), "dashed") && !strcmp(attr(e, "tfc_control"), "1"));
        Agnode_t *w = agnode(g, "model/fc1/W/", 0);
        CHECK(w && !strcmp(attr(w, "shape"), "cylinder") && !strcmp(attr(w, "tfc_kind"), "scope"));
        e = find_edge(g, "model/fc1/W/", "GradientDescent/update_model/fc1/W/ApplyGradientDescent");
        CHECK(e && !strcmp(attr(e, "constraint"), "false"));
        /* A variable feeding an op is laid out above it: declared backwards, drawn forwards. */
        e = find_edge(g, "model/fc1/MatMul", "model/fc1/W/");
        CHECK(e && strcmp(attr(e, "constraint"), "false") && !strcmp(attr(e, "dir"), "back"));
        CHECK(e && !strcmp(attr(e, "label"), "784x10"));
        Agnode_t *lr = agnode(g, "GradientDescent/learning_rate", 0);
        CHECK(lr && !strcmp(attr(lr, "tfc_kind"), "constant"));
        agclose(g);
    }
    tfc_status_free(st);
}

static long file_size(const char *path, unsigned char *head, size_t nhead)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    memset(head, 0, nhead);
    size_t got = fread(head, 1, nhead, f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return got == nhead ? n : -1;
}

static void test_pictures(const tfc_gdraw_model *m)
{
    tfc_status *st = tfc_status_new();
    unsigned char head[24];
    const char *png = path_in_dir("g.png");
    CHECK_MSG(draw(m, 2, NULL, png, NULL, st), "%s", tfc_message(st));
    long n = file_size(png, head, sizeof head);
    CHECK(n > 5000 && !memcmp(head, "\x89PNG\r\n\x1a\n", 8));
    unsigned w = (unsigned)head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
    unsigned h = (unsigned)head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
    CHECK_MSG(w > 200 && h > 200 && w < 5000 && h < 5000, "%ux%u", w, h);

    const char *svg = path_in_dir("g.svg");
    CHECK_MSG(draw(m, 2, NULL, svg, NULL, st), "%s", tfc_message(st));
    CHECK(file_size(svg, head, 5) > 3000 && !memcmp(head, "<?xml", 5));
    FILE *f = fopen(svg, "r");
    if (f) {
        char line[4096];
        size_t nodes = 0, clusters = 0;
        while (fgets(line, sizeof line, f)) {
            nodes += strstr(line, "class=\"node\"") != NULL;
            clusters += strstr(line, "class=\"cluster\"") != NULL;
        }
        fclose(f);
        CHECK_MSG(nodes == 8 && clusters == 3, "%zu nodes, %zu clusters", nodes, clusters);
    }

    const char *pdf = path_in_dir("g.pdf");
    CHECK_MSG(draw(m, 1, NULL, pdf, NULL, st), "%s", tfc_message(st));
    CHECK(file_size(pdf, head, 5) > 3000 && !memcmp(head, "%PDF-", 5));
    tfc_status_free(st);
}

static void test_errors(const tfc_gdraw_model *m)
{
    tfc_status *st = tfc_status_new();
    CHECK(!draw(m, 1, NULL, "/nonexistent-tfc-dir/g.png", NULL, st));
    CHECK_MSG(strstr(tfc_message(st), "/nonexistent-tfc-dir/g.png"), "%s", tfc_message(st));
    tfc_status_clear(st);
    CHECK(!draw(m, 1, NULL, "/nonexistent-tfc-dir/g.dot", NULL, st));
    CHECK(tfc_status_code(st) == TFC_IO);
    CHECK_MSG(strstr(tfc_message(st), "cannot write '/nonexistent-tfc-dir/g.dot'"), "%s",
              tfc_message(st));
    tfc_status_free(st);

    tfc_gdraw_format fmt = TFC_GDRAW_PNG;
    CHECK(tfc_gdraw_format_from_path("a/b.SVG", &fmt) && fmt == TFC_GDRAW_SVG);
    CHECK(tfc_gdraw_format_from_path("x.pdf", &fmt) && fmt == TFC_GDRAW_PDF);
    CHECK(tfc_gdraw_format_from_path("x.gv", &fmt) && fmt == TFC_GDRAW_DOT);
    CHECK(!tfc_gdraw_format_from_path("x.jpg", &fmt));
    CHECK(!tfc_gdraw_format_from_path("dir.png/x", &fmt));
    CHECK(!tfc_gdraw_format_from_path("graph", &fmt));
}

/* The child's address space limit: with barely more than the process already maps, Graphviz
 * cannot lay out even a small view; that is one line naming the file, and no file. */
static void test_memory_limit(const tfc_gdraw_model *m)
{
    if (!tfc_gdraw_memory_limited()) return;
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld", &pages) != 1) pages = 0;
    if (f) fclose(f);
    CHECK(pages > 0);
    tfc_status *st = tfc_status_new();
    tfc_gdraw_options o = {.depth = 2};
    tfc_gdraw_view *v = tfc_gdraw_view_build(m, &o, st);
    tfc_gdraw_style style = {.max_memory = (size_t)pages * (size_t)sysconf(_SC_PAGESIZE) + (1 << 20)};
    const char *png = path_in_dir("limited.png");
    CHECK(v && !tfc_gdraw_render(m, v, &style, png, TFC_GDRAW_PNG, NULL, st));
    CHECK_MSG(strstr(tfc_message(st), "limited.png") && !strchr(tfc_message(st), '\n') &&
                  (strstr(tfc_message(st), "Graphviz failed on") || strstr(tfc_message(st), "laying out")),
              "%s", tfc_message(st));
    CHECK(access(png, F_OK) != 0);
    tfc_gdraw_view_free(v);
    tfc_status_free(st);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    gf_graph g;
    gf_small_model(&g);
    size_t len;
    uint8_t *buf = gf_pack(&g, &len);
    tfc_gdraw_model *m = tfc_gdraw_model_parse(buf, len, "test.pb", NULL);
    free(buf);
    CHECK(m);
    if (m) {
        test_dot(m);
        test_pictures(m);
        test_errors(m);
        test_memory_limit(m);
        tfc_gdraw_model_free(m);
    }
    const char *files[] = {"depth2.dot", "depth1.dot", "all.dot", "g.png", "g.svg", "g.pdf"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) unlink(path_in_dir(files[i]));
    rmdir(dir);
    return check_result();
}
