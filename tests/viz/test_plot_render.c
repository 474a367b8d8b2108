/* Rendered figures checked by their pixels: two straight lines of known runs must show in the
 * runs' colours exactly where the axis mapping puts them, the legend must hold both colours and
 * text and sit off the lines, and PNG, SVG and PDF must come out at the asked size. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "plot.h"
#include "plot_style.h"
#include "plot_text.h"
#include "test_plot_fixture.h"

static char dir[] = "/tmp/tfc-plot-test-XXXXXX";

/* Values are set per run after the fixture is built; this only fills them. */
static double zero(size_t tag, size_t i)
{
    (void)tag;
    (void)i;
    return 0;
}

/* TensorBoard's smoothing, written again here from its published formula. */
static double ema_at(const double *y, size_t i, double w)
{
    double last = 0;
    for (size_t k = 0; k <= i; k++) last = last * w + (1 - w) * y[k];
    return w > 0 ? last / (1 - pow(w, (double)(i + 1))) : y[i];
}

static double hist_lo(size_t i) { return -1 - 0.01 * (double)i; }
static double hist_hi(size_t i) { return 1 + 0.02 * (double)i; }
static double flat(size_t i, size_t b) { (void)i; (void)b; return 100; }

typedef struct {
    cairo_surface_t *s;
    int w, h, stride;
    unsigned char *data;
} image;

static bool load(image *im, const char *path)
{
    im->s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(im->s) != CAIRO_STATUS_SUCCESS) return false;
    im->w = cairo_image_surface_get_width(im->s);
    im->h = cairo_image_surface_get_height(im->s);
    im->stride = cairo_image_surface_get_stride(im->s);
    im->data = cairo_image_surface_get_data(im->s);
    return true;
}

static void pixel(const image *im, int x, int y, int rgb[3])
{
    uint32_t p = *(const uint32_t *)(im->data + (size_t)y * (size_t)im->stride + 4 * (size_t)x);
    rgb[0] = (p >> 16) & 0xff, rgb[1] = (p >> 8) & 0xff, rgb[2] = p & 0xff;
}

static bool near_colour(const int rgb[3], tfc_plot_rgb c, int tol)
{
    return abs(rgb[0] - (int)lround(c.r * 255)) <= tol && abs(rgb[1] - (int)lround(c.g * 255)) <= tol &&
           abs(rgb[2] - (int)lround(c.b * 255)) <= tol;
}

/* Is there a pixel of colour C within R pixels of (x, y)? */
static bool colour_near(const image *im, double x, double y, tfc_plot_rgb c, int r, int tol)
{
    for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++) {
            int px = (int)floor(x) + dx, py = (int)floor(y) + dy;
            if (px < 0 || py < 0 || px >= im->w || py >= im->h) continue;
            int rgb[3];
            pixel(im, px, py, rgb);
            if (near_colour(rgb, c, tol)) return true;
        }
    return false;
}

static size_t count_in_box(const image *im, const double b[4], bool (*pred)(const int[3], const void *),
                           const void *arg)
{
    size_t n = 0;
    for (int y = (int)ceil(b[1]); y < (int)b[3]; y++)
        for (int x = (int)ceil(b[0]); x < (int)b[2]; x++) {
            int rgb[3];
            pixel(im, x, y, rgb);
            n += pred(rgb, arg);
        }
    return n;
}

static bool is_colour(const int rgb[3], const void *arg)
{
    return near_colour(rgb, *(const tfc_plot_rgb *)arg, 30);
}

static bool is_dark(const int rgb[3], const void *arg)
{
    (void)arg;
    return rgb[0] < 100 && rgb[1] < 100 && rgb[2] < 100;
}

static char *path_of(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static tfc_plot_figure *scalar_figure(const tfc_plot_source *src, const char *tag,
                                      const tfc_plot_options *opt, tfc_status *st)
{
    tfc_plot_figure *fig = tfc_plot_figure_new(opt);
    CHECK(tfc_plot_figure_add_scalars(fig, src, tag, st));
    return fig;
}

static void test_lines(const tfc_plot_source *src, double smoothing)
{
    tfc_status *st = tfc_status_new();
    tfc_plot_options opt;
    tfc_plot_options_default(&opt);
    opt.width = 800;
    opt.height = 500;
    opt.smoothing = smoothing;
    tfc_plot_figure *fig = scalar_figure(src, "line", &opt, st);
    const char *png = path_of("line.png");
    CHECK_MSG(tfc_plot_figure_render(fig, png, st), "%s", tfc_message(st));
    image im;
    CHECK(load(&im, png));
    CHECK(im.w == 800 && im.h == 500);

    tfc_plot_geometry g;
    CHECK(tfc_plot_figure_geometry(fig, 0, &g));
    CHECK(g.left > 20 && g.right < 800 && g.top > 10 && g.bottom < 490 && g.left < g.right);
    CHECK(g.xmin == 0 && g.xmax == 1000);
    CHECK_NEAR(g.ymin, -5, 1e-9); /* 5% margins around 0..100 */
    CHECK_NEAR(g.ymax, 105, 1e-9);
    CHECK(g.has_legend);

    tfc_plot_rgb up = tfc_plot_palette(0), down = tfc_plot_palette(1);
    double rise[101], fall[101];
    for (size_t i = 0; i < 101; i++) rise[i] = (double)i, fall[i] = 100.0 - (double)i;
    for (size_t i = 2; i < 100; i += 5) {
        double step = 10.0 * (double)i;
        double x = tfc_plot_geometry_x(&g, step);
        if (x >= g.legend[0] - 3 && x <= g.legend[2] + 3) continue;
        CHECK_MSG(colour_near(&im, x, tfc_plot_geometry_y(&g, ema_at(rise, i, smoothing)), up, 2, 40),
                  "no 'up' pixel at step %g (smoothing %g)", step, smoothing);
        CHECK_MSG(colour_near(&im, x, tfc_plot_geometry_y(&g, ema_at(fall, i, smoothing)), down, 2, 40),
                  "no 'down' pixel at step %g (smoothing %g)", step, smoothing);
        /* and no run colour (faint raw curves aside) halfway between the lines */
        if (fabs(100 - 2.0 * (double)i) > 30) {
            double ymid = tfc_plot_geometry_y(&g, 50);
            CHECK_MSG(!colour_near(&im, x, ymid, up, 2, 60) && !colour_near(&im, x, ymid, down, 2, 60),
                      "run colour between the lines at step %g", step);
        }
    }
    if (smoothing > 0) {
        /* the raw curve shows faintly behind: a tint of the colour, not the colour */
        size_t i = 10;
        double x = tfc_plot_geometry_x(&g, 10.0 * (double)i);
        double lag = tfc_plot_geometry_y(&g, rise[i]) - tfc_plot_geometry_y(&g, ema_at(rise, i, smoothing));
        CHECK_MSG(fabs(lag) >= 3, "smoothed curve only %g px from the raw one", lag);
        int rgb[3];
        pixel(&im, (int)x, (int)floor(tfc_plot_geometry_y(&g, rise[i])), rgb);
        CHECK_MSG(!near_colour(rgb, up, 40) && rgb[2] > rgb[0] + 15, "raw curve at step 100: %d %d %d",
                  rgb[0], rgb[1], rgb[2]);
    }

    /* the legend: both colours, some text, inside the plot, on none of the lines */
    CHECK(g.legend[0] >= g.left && g.legend[2] <= g.right && g.legend[1] >= g.top &&
          g.legend[3] <= g.bottom);
    CHECK(count_in_box(&im, g.legend, is_colour, &up) >= 10);
    CHECK(count_in_box(&im, g.legend, is_colour, &down) >= 10);
    CHECK(count_in_box(&im, g.legend, is_dark, NULL) >= 20);
    for (int i = 0; i <= 400; i++) {
        double step = 2.5 * i, v = step / 10;
        double x = tfc_plot_geometry_x(&g, step);
        double y1 = tfc_plot_geometry_y(&g, v), y2 = tfc_plot_geometry_y(&g, 100 - v);
        bool inside_x = x > g.legend[0] && x < g.legend[2];
        CHECK_MSG(!(inside_x && y1 > g.legend[1] && y1 < g.legend[3]), "legend covers 'up' at %g", step);
        CHECK_MSG(!(inside_x && y2 > g.legend[1] && y2 < g.legend[3]), "legend covers 'down' at %g", step);
    }
    cairo_surface_destroy(im.s);

    /* SVG and PDF of the same figure: their page is 800x500 px at 100 dpi = 576x360 pt */
    const char *svg = path_of("line.svg"), *pdf = path_of("line.pdf");
    CHECK(tfc_plot_figure_render(fig, svg, st));
    CHECK(tfc_plot_figure_render(fig, pdf, st));
    char text[4096] = "";
    FILE *f = fopen(svg, "r");
    CHECK(f && fread(text, 1, sizeof text - 1, f) > 0);
    if (f) fclose(f);
    CHECK(strstr(text, "<svg") && strstr(text, "width=\"576pt\"") && strstr(text, "height=\"360pt\""));
    f = fopen(pdf, "rb");
    memset(text, 0, sizeof text);
    CHECK(f && fread(text, 1, 5, f) == 5 && memcmp(text, "%PDF-", 5) == 0);
    if (f) fclose(f);
    tfc_plot_figure_free(fig);
    tfc_status_free(st);
}

static void test_log_and_limits(const tfc_plot_source *src)
{
    tfc_status *st = tfc_status_new();
    tfc_plot_options opt;
    tfc_plot_options_default(&opt);
    opt.log_y = true;
    opt.smoothing = 0;
    tfc_plot_figure *fig = scalar_figure(src, "expo", &opt, st);
    const char *png = path_of("log.png");
    CHECK_MSG(tfc_plot_figure_render(fig, png, st), "%s", tfc_message(st));
    image im;
    CHECK(load(&im, png));
    CHECK(im.w == 640 && im.h == 440); /* the default size of one panel at 100 dpi */
    tfc_plot_geometry g;
    tfc_plot_figure_geometry(fig, 0, &g);
    CHECK(g.log_y && g.ymin < 1 && g.ymax > 100);
    /* straight on the page: the middle step (500, value 10) halfway between the ends */
    double y0 = tfc_plot_geometry_y(&g, 1), y1 = tfc_plot_geometry_y(&g, 100);
    CHECK_NEAR(tfc_plot_geometry_y(&g, 10), (y0 + y1) / 2, 1e-6);
    for (int i = 5; i <= 95; i += 10) {
        double v = pow(10, i / 50.0);
        CHECK_MSG(colour_near(&im, tfc_plot_geometry_x(&g, 10.0 * i), tfc_plot_geometry_y(&g, v),
                              tfc_plot_palette(0), 2, 40),
                  "log curve missing at step %d", 10 * i);
    }
    cairo_surface_destroy(im.s);
    tfc_plot_figure_free(fig);

    /* explicit limits are kept exactly */
    opt.log_y = false;
    opt.xlim[0] = 100, opt.xlim[1] = 600, opt.ylim[0] = -10, opt.ylim[1] = 50;
    fig = scalar_figure(src, "line", &opt, st);
    CHECK(tfc_plot_figure_render(fig, png, st));
    tfc_plot_figure_geometry(fig, 0, &g);
    CHECK(g.xmin == 100 && g.xmax == 600 && g.ymin == -10 && g.ymax == 50);
    tfc_plot_figure_free(fig);

    /* a log axis cannot hold a range through zero */
    tfc_plot_options_default(&opt);
    opt.log_y = true;
    opt.ylim[0] = -1;
    fig = scalar_figure(src, "expo", &opt, st);
    CHECK(!tfc_plot_figure_render(fig, png, st) && tfc_status_code(st) == TFC_INVALID_ARGUMENT);
    tfc_status_clear(st);
    tfc_plot_figure_free(fig);
    tfc_status_free(st);
}

static void test_x_modes_and_outliers(const tfc_plot_source *src)
{
    tfc_status *st = tfc_status_new();
    tfc_plot_options opt;
    tfc_plot_options_default(&opt);
    tfc_plot_geometry g;
    const char *png = path_of("x.png");

    opt.x = TFC_PLOT_X_RELATIVE; /* wall times are start + 10 s per point: 0..1000 s */
    tfc_plot_figure *fig = scalar_figure(src, "line", &opt, st);
    CHECK(tfc_plot_figure_render(fig, png, st));
    tfc_plot_figure_geometry(fig, 0, &g);
    CHECK(g.xmin == 0 && g.xmax == 1000);
    tfc_plot_figure_free(fig);

    opt.x = TFC_PLOT_X_WALL;
    fig = scalar_figure(src, "line", &opt, st);
    CHECK(tfc_plot_figure_render(fig, png, st));
    tfc_plot_figure_geometry(fig, 0, &g);
    CHECK(g.xmin == 1.5e9 && g.xmax == 1.5e9 + 1000);
    tfc_plot_figure_free(fig);

    /* one spike of 1e6 among values 0..6: without outliers the range stays near 0..6 */
    tfc_plot_options_default(&opt);
    fig = scalar_figure(src, "spike", &opt, st);
    CHECK(tfc_plot_figure_render(fig, png, st));
    tfc_plot_figure_geometry(fig, 0, &g);
    CHECK(g.ymax > 1e6);
    tfc_plot_figure_free(fig);
    opt.ignore_outliers = true;
    fig = scalar_figure(src, "spike", &opt, st);
    CHECK(tfc_plot_figure_render(fig, png, st));
    tfc_plot_figure_geometry(fig, 0, &g);
    CHECK_MSG(g.ymax < 10 && g.ymin > -1, "outlier range %g..%g", g.ymin, g.ymax);
    tfc_plot_figure_free(fig);
    tfc_status_free(st);
}

static void test_histograms(const tfc_plot_source *src)
{
    tfc_status *st = tfc_status_new();
    tfc_plot_options opt;
    tfc_plot_options_default(&opt);
    opt.width = 700, opt.height = 450;
    tfc_plot_figure *fig = tfc_plot_figure_new(&opt);
    CHECK_MSG(tfc_plot_figure_add_histograms(fig, src, "weights", st), "%s", tfc_message(st));
    CHECK(tfc_plot_figure_npanels(fig) == 1); /* only run "up" has it */
    const char *png = path_of("dist.png");
    CHECK_MSG(tfc_plot_figure_render(fig, png, st), "%s", tfc_message(st));
    image im;
    CHECK(load(&im, png));
    CHECK(im.w == 700 && im.h == 450);
    tfc_plot_geometry g;
    tfc_plot_figure_geometry(fig, 0, &g);
    CHECK(g.xmin == 0 && g.xmax == 490); /* 50 steps, 10 apart */
    tfc_plot_rgb c = tfc_plot_palette(0);
    for (int i = 5; i < 50; i += 10) {
        double x = tfc_plot_geometry_x(&g, 10.0 * i), lo = hist_lo(i), hi = hist_hi(i);
        /* the median line in the run's colour; the outer band tinted; beyond max white */
        CHECK_MSG(colour_near(&im, x, tfc_plot_geometry_y(&g, (lo + hi) / 2), c, 1, 40),
                  "no median at step %d", 10 * i);
        int rgb[3];
        pixel(&im, (int)x + 3, (int)tfc_plot_geometry_y(&g, lo + 0.03 * (hi - lo)), rgb);
        CHECK_MSG(rgb[2] > rgb[0] + 20 && rgb[0] < 235, "outer band not tinted at step %d", 10 * i);
        pixel(&im, (int)x + 3, (int)tfc_plot_geometry_y(&g, hi) - 6, rgb);
        CHECK_MSG(rgb[0] > 200 && abs(rgb[0] - rgb[2]) < 10, "tint above max at step %d", 10 * i);
    }
    cairo_surface_destroy(im.s);
    tfc_plot_figure_free(fig);

    opt.hist_mode = TFC_PLOT_HIST_OFFSET;
    fig = tfc_plot_figure_new(&opt);
    CHECK(tfc_plot_figure_add_histograms(fig, src, "weights", st));
    const char *offset = path_of("offset.svg");
    CHECK_MSG(tfc_plot_figure_render(fig, offset, st), "%s", tfc_message(st));
    CHECK(tfc_plot_figure_render(fig, png, st));
    CHECK(load(&im, png));
    tfc_plot_figure_geometry(fig, 0, &g);
    double box[4] = {g.left, g.top, g.right, g.bottom};
    CHECK(count_in_box(&im, box, is_colour, &c) > 100); /* the newest histogram, full colour */
    CHECK(g.xmin == hist_lo(49) && g.xmax == hist_hi(49)); /* values across */
    cairo_surface_destroy(im.s);
    tfc_plot_figure_free(fig);
    tfc_status_free(st);
}

static void test_errors_and_names(const tfc_plot_source *src)
{
    tfc_status *st = tfc_status_new();
    tfc_plot_options opt;
    tfc_plot_options_default(&opt);
    tfc_plot_figure *fig = tfc_plot_figure_new(&opt);
    CHECK(!tfc_plot_figure_render(fig, path_of("empty.png"), st)); /* no panels */
    tfc_status_clear(st);
    CHECK(!tfc_plot_figure_add_scalars(fig, src, "nope", st) && tfc_status_code(st) == TFC_NOT_FOUND);
    tfc_status_clear(st);
    CHECK(tfc_plot_figure_add_scalars(fig, src, "line", st));
    CHECK(tfc_plot_figure_add_scalars(fig, src, "expo", st));
    char *name = tfc_plot_figure_default_name(fig, ".png");
    CHECK(strcmp(name, "line+expo.png") == 0);
    free(name);
    CHECK(!tfc_plot_figure_render(fig, path_of("x.jpg"), st) && tfc_status_code(st) == TFC_INVALID_ARGUMENT);
    CHECK(strstr(tfc_message(st), ".jpg") != NULL);
    tfc_status_clear(st);
    CHECK(!tfc_plot_figure_render(fig, "/nonexistent-dir/x.png", st) && tfc_status_code(st) == TFC_IO);
    CHECK(strstr(tfc_message(st), "/nonexistent-dir/x.png") != NULL);
    tfc_status_clear(st);
    /* two panels side by side, each with its legend */
    CHECK(tfc_plot_figure_render(fig, path_of("two.png"), st));
    tfc_plot_geometry a, b;
    tfc_plot_figure_geometry(fig, 0, &a);
    tfc_plot_figure_geometry(fig, 1, &b);
    CHECK(a.right < b.left && a.has_legend && b.has_legend);
    tfc_plot_figure_free(fig);

    tfc_plot_source *other = tfc_plot_source_new();
    const char *tags[] = {"a/b:c"};
    tfc_run r = fixture_run("r", tags, 1, 3, 1, 0, zero);
    tfc_plot_source_add_run(other, "r", &r);
    fig = tfc_plot_figure_new(&opt);
    CHECK(tfc_plot_figure_add_scalars(fig, other, "a/b:c", st));
    name = tfc_plot_figure_default_name(fig, ".svg");
    CHECK(strcmp(name, "a_b_c.svg") == 0); /* no '/' in a file name */
    free(name);
    tfc_plot_figure_free(fig);
    tfc_plot_source_free(other);
    fixture_free(&r);

    /* characters beyond ASCII stay; a stray byte and a C1 control do not */
    other = tfc_plot_source_new();
    const char *wide[] = {"Größe ≥ 3/ключ", "损失\xff\xc2\x85"};
    r = fixture_run("r", wide, 2, 3, 1, 0, zero);
    tfc_plot_source_add_run(other, "r", &r);
    fig = tfc_plot_figure_new(&opt);
    CHECK(tfc_plot_figure_add_scalars(fig, other, wide[0], st) && tfc_plot_figure_add_scalars(fig, other, wide[1], st));
    name = tfc_plot_figure_default_name(fig, ".png");
    CHECK_MSG(strcmp(name, "Größe_≥_3_ключ+损失___.png") == 0, "%s", name);
    free(name);
    tfc_plot_figure_free(fig);
    tfc_plot_source_free(other);
    fixture_free(&r);
    tfc_status_free(st);
}

/* A series of one point (Keras' evaluation_..._vs_iterations, PyTorch's hp/...) has no line: it is
 * marked by a dot of TFC_PLOT_MARKER_PT radius, and the one point between two NaNs too. */
static double one_value(size_t tag, size_t i)
{
    return tag == 0 ? 0.75 : i == 2 ? 5.0 : NAN;
}

static void test_lone_points(void)
{
    const char *tags[] = {"eval/once", "gappy"};
    tfc_run once = fixture_run("once", tags, 1, 1, 1, 1.5e9, one_value);
    tfc_run gappy = fixture_run("gappy", tags + 1, 1, 5, 10, 1.5e9, one_value);
    for (size_t i = 0; i < 5; i++) gappy.scalars[0].points[i].value = one_value(1, i);
    once.scalars[0].points[0].step = 700;
    tfc_status *st = tfc_status_new();
    for (int which = 0; which < 2; which++) {
        tfc_plot_source *src = tfc_plot_source_new();
        tfc_plot_source_add_run(src, which ? "gappy" : "once", which ? &gappy : &once);
        tfc_plot_options opt;
        tfc_plot_options_default(&opt);
        tfc_plot_figure *fig = scalar_figure(src, tags[which], &opt, st);
        const char *path = path_of(which ? "gappy.png" : "once.png");
        CHECK_MSG(tfc_plot_figure_render(fig, path, st), "%s", tfc_message(st));
        tfc_plot_geometry g;
        image im;
        if (tfc_plot_figure_geometry(fig, 0, &g) && load(&im, path)) {
            double x = tfc_plot_geometry_x(&g, which ? 20.0 : 700.0), y = tfc_plot_geometry_y(&g, which ? 5.0 : 0.75);
            double r = TFC_PLOT_MARKER_PT * opt.dpi / 72.0;
            double box[4] = {x - r - 2, y - r - 2, x + r + 2, y + r + 2};
            tfc_plot_rgb c = tfc_plot_palette(0);
            size_t n = count_in_box(&im, box, is_colour, &c);
            /* a disc of radius r covers about pi r^2 pixels; a line-width dot a tenth of that */
            CHECK_MSG(n >= (size_t)(2.0 * r * r), "%s: %zu pixels of the run's colour at the point", path, n);
            cairo_surface_destroy(im.s);
        } else {
            CHECK(!"geometry or PNG");
        }
        tfc_plot_figure_free(fig);
        tfc_plot_source_free(src);
    }
    tfc_status_free(st);
    fixture_free(&once);
    fixture_free(&gappy);
}

/* Names too wide for a legend, a title or a grid column keep their start and end: a Keras run's
 * train and validation folders stay apart (cut at the end, both read "codeheadmt_tf2..."), and
 * so do tags that differ at their start. */
static void test_fit_text(void)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
    cairo_t *cr = cairo_create(surface);
    tfc_plot_font(cr, TFC_PLOT_LEGEND_PT, false);
    const char *names[] = {"codeheadmt_tf213_mnist_extra_metrics/train",
                           "codeheadmt_tf213_mnist_extra_metrics/validation"};
    char fit[2][128], buf[8];
    double maxw = tfc_plot_text_width(cr, "codeheadmt_tf213_mn");
    for (int i = 0; i < 2; i++) {
        tfc_plot_fit_text(cr, names[i], maxw, fit[i], sizeof fit[i]);
        CHECK_MSG(tfc_plot_text_width(cr, fit[i]) <= maxw, "'%s' wider than %g", fit[i], maxw);
        CHECK_MSG(strncmp(fit[i], "codeh", 5) == 0 && strstr(fit[i], "\xe2\x80\xa6"), "%s", fit[i]);
    }
    CHECK_MSG(strcmp(fit[0] + strlen(fit[0]) - 5, "train") == 0, "%s", fit[0]);
    CHECK_MSG(strcmp(fit[1] + strlen(fit[1]) - 5, "ation") == 0, "%s", fit[1]);
    maxw = tfc_plot_text_width(cr, "dense/bias_0");
    tfc_plot_fit_text(cr, "dense/bias_0/image", maxw, fit[0], sizeof fit[0]);
    tfc_plot_fit_text(cr, "dense_1/bias_0/image", maxw, fit[1], sizeof fit[1]);
    CHECK_MSG(strcmp(fit[0], fit[1]) != 0 && strstr(fit[0], "\xe2\x80\xa6"), "%s", fit[0]);
    tfc_plot_fit_text(cr, "loss", maxw, fit[0], sizeof fit[0]);
    CHECK(strcmp(fit[0], "loss") == 0);
    /* the buffer bounds it too, and a cut never splits a character (each \xc3\xa9 is an e-acute) */
    tfc_plot_fit_text(cr, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1e9, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "\xc3\xa9\xc3\xa9\xe2\x80\xa6") == 0, "%s", buf);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    const char *tags[] = {"expo", "line", "spike"}, *down_tags[] = {"line"};
    tfc_run up = fixture_run("up", tags, 3, 101, 10, 1.5e9, zero);
    tfc_run down = fixture_run("down", down_tags, 1, 101, 10, 1.5e9, zero);
    for (size_t i = 0; i < 101; i++) {
        up.scalars[0].points[i].value = pow(10, (double)i / 50.0); /* 1..100: straight on log y */
        up.scalars[1].points[i].value = (double)i;
        up.scalars[2].points[i].value = i == 50 ? 1e6 : (double)(i % 7); /* one outlier */
        down.scalars[0].points[i].value = 100.0 - (double)i;
    }
    fixture_add_histograms(&up, "weights", 50, 30, hist_lo, hist_hi, flat);
    tfc_plot_source *src = tfc_plot_source_new();
    tfc_plot_source_add_run(src, "up", &up);
    tfc_plot_source_add_run(src, "down", &down);

    test_lines(src, 0);
    test_lines(src, 0.6);
    test_log_and_limits(src);
    test_x_modes_and_outliers(src);
    test_histograms(src);
    test_errors_and_names(src);
    test_lone_points();
    test_fit_text();

    tfc_plot_source_free(src);
    fixture_free(&up);
    fixture_free(&down);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 1;
    tfc_plot_release_caches();
    return check_result();
}
