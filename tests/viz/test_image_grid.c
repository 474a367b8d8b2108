/* Image grids: natural tag order, columns per sample, rows thinned evenly with the first and last
 * step kept, the later value winning at a repeated step, group names. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "image_grid.h"

static tfc_image pics[16];

static tfc_image_point point(int64_t step, size_t n, size_t first)
{
    return (tfc_image_point){.step = step, .nimages = n, .images = &pics[first]};
}

static void test_natural(void)
{
    CHECK(tfc_natural_cmp("x/image/2", "x/image/10") < 0);
    CHECK(tfc_natural_cmp("x/image/10", "x/image/9") > 0);
    CHECK(tfc_natural_cmp("abc", "abd") < 0 && tfc_natural_cmp("ab", "abc") < 0 && tfc_natural_cmp("b", "a") > 0);
    char buf[64];
    CHECK(strcmp(tfc_image_group_name("input/image/3", buf, sizeof buf), "input") == 0);
    CHECK(strcmp(tfc_image_group_name("conv1/filters/image", buf, sizeof buf), "conv1/filters") == 0);
    CHECK(strcmp(tfc_image_group_name("images", buf, sizeof buf), "images") == 0);
    CHECK(strcmp(tfc_image_group_name("a/image/x", buf, sizeof buf), "a/image/x") == 0);
    CHECK(strcmp(tfc_image_group_name("image", buf, sizeof buf), "image") == 0);
}

static void test_grid(void)
{
    /* Tags d/image/10 and d/image/2 (TF1 style, one image a step) and a TF2-style tag of two
     * samples; steps 0..90 by 10, step 50 written twice. */
    tfc_image_point p10[10], p2[11], pt[2];
    for (int i = 0; i < 10; i++) p10[i] = point(10 * i, 1, 0);
    for (int i = 0; i < 10; i++) p2[i] = point(10 * i, 1, 1);
    p2[10] = point(50, 1, 2); /* the later one counts */
    pt[0] = point(0, 2, 3);
    pt[1] = point(90, 1, 5);
    tfc_image_series series[3] = {{"d/image/10", 10, p10}, {"d/image/2", 11, p2}, {"t", 2, pt}};
    tfc_run run = {.name = "r", .nimages = 3, .images = series};
    tfc_status *st = tfc_status_new();
    const char *tags[] = {"t", "d/image/10", "d/image/2", "missing"};
    tfc_image_grid *g = tfc_image_grid_build(&run, tags, 4, 0, st);
    CHECK_MSG(g, "%s", tfc_message(st));
    if (g) {
        CHECK(g->ncols == 4 && g->nrows == 10);
        CHECK(strcmp(g->cols[0].label, "d/image/2") == 0 && strcmp(g->cols[1].label, "d/image/10") == 0);
        CHECK(strcmp(g->cols[2].label, "t #0") == 0 && strcmp(g->cols[3].label, "t #1") == 0);
        CHECK(g->cols[3].sample == 1 && strcmp(g->cols[3].tag, "t") == 0);
        CHECK(g->steps[0] == 0 && g->steps[9] == 90);
        CHECK(g->cells[5 * 4 + 0] == &pics[2] && g->cells[5 * 4 + 1] == &pics[0]);
        CHECK(g->cells[0 * 4 + 2] == &pics[3] && g->cells[0 * 4 + 3] == &pics[4]);
        CHECK(g->cells[9 * 4 + 2] == &pics[5] && g->cells[9 * 4 + 3] == NULL && g->cells[4 * 4 + 2] == NULL);
    }
    tfc_image_grid_free(g);
    /* Four rows of ten steps: 0, 30, 60, 90; one row: the last step. */
    g = tfc_image_grid_build(&run, tags, 3, 4, st);
    CHECK(g && g->nrows == 4 && g->steps[0] == 0 && g->steps[1] == 30 && g->steps[2] == 60 && g->steps[3] == 90);
    tfc_image_grid_free(g);
    g = tfc_image_grid_build(&run, tags, 3, 1, st);
    CHECK(g && g->nrows == 1 && g->steps[0] == 90);
    tfc_image_grid_free(g);
    /* None of the tags: an empty grid, not an error. */
    g = tfc_image_grid_build(&run, tags + 3, 1, 0, st);
    CHECK(g && g->ncols == 0 && g->nrows == 0);
    tfc_image_grid_free(g);
    tfc_status_free(st);
}

int main(void)
{
    test_natural();
    test_grid();
    return check_result();
}
