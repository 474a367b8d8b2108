/* Picking tags: exact names, regular expressions, unknown tags listing the known ones. */
#include <string.h>

#include "check.h"
#include "plot.h"
#include "test_plot_fixture.h"

static double zero(size_t tag, size_t i)
{
    (void)tag;
    (void)i;
    return 0;
}

static void free_tags(char **tags, size_t n)
{
    for (size_t i = 0; i < n; i++) free(tags[i]);
    free(tags);
}

int main(void)
{
    const char *a_tags[] = {"Accuracy", "Loss", "train/loss"}, *b_tags[] = {"Loss", "a+b", "lr"};
    tfc_run a = fixture_run("a", a_tags, 3, 5, 1, 0, zero);
    tfc_run b = fixture_run("b", b_tags, 3, 5, 1, 0, zero);
    tfc_plot_source *src = tfc_plot_source_new();
    tfc_plot_source_add_run(src, "a", &a);
    tfc_plot_source_add_run(src, "b", &b);
    tfc_status *st = tfc_status_new();

    char **tags = NULL;
    size_t n = 0;
    CHECK(tfc_plot_select(src, TFC_PLOT_SCALARS, "Loss", &tags, &n, st));
    CHECK(n == 1 && strcmp(tags[0], "Loss") == 0);
    /* a regular expression: every tag it finds a match in, sorted; no repeats across calls */
    CHECK(tfc_plot_select(src, TFC_PLOT_SCALARS, "[Ll]oss", &tags, &n, st));
    CHECK(n == 2 && strcmp(tags[1], "train/loss") == 0);
    CHECK(tfc_plot_select(src, TFC_PLOT_SCALARS, "^l", &tags, &n, st));
    CHECK(n == 3 && strcmp(tags[2], "lr") == 0);
    free_tags(tags, n);

    /* a tag with regex characters is taken as written when it exists ("a+b" as a regular
     * expression would not match itself); otherwise a pattern matches anywhere in a tag */
    tags = NULL, n = 0;
    CHECK(tfc_plot_select(src, TFC_PLOT_SCALARS, "a+b", &tags, &n, st));
    CHECK(n == 1 && strcmp(tags[0], "a+b") == 0);
    CHECK(tfc_plot_select(src, TFC_PLOT_SCALARS, "Los", &tags, &n, st));
    CHECK(n == 2 && strcmp(tags[1], "Loss") == 0);
    free_tags(tags, n);
    tags = NULL, n = 0;
    CHECK(!tfc_plot_select(src, TFC_PLOT_SCALARS, "^Los$", &tags, &n, st));
    CHECK(tfc_status_code(st) == TFC_NOT_FOUND);
    CHECK(strstr(tfc_message(st), "^Los$") && strstr(tfc_message(st), "Accuracy, Loss, a+b, lr, train/loss"));
    tfc_status_clear(st);
    CHECK(!tfc_plot_select(src, TFC_PLOT_SCALARS, "(", &tags, &n, st));
    CHECK(tfc_status_code(st) == TFC_INVALID_ARGUMENT && strstr(tfc_message(st), "'('"));
    tfc_status_clear(st);
    CHECK(!tfc_plot_select(src, TFC_PLOT_HISTOGRAMS, "Loss", &tags, &n, st));
    CHECK(strstr(tfc_message(st), "'Loss' is a scalar tag, not a histogram tag (use --scalar)"));
    tfc_status_clear(st);
    CHECK(!tfc_plot_select(src, TFC_PLOT_HISTOGRAMS, "nope", &tags, &n, st));
    CHECK(strstr(tfc_message(st), "histogram") && strstr(tfc_message(st), "known: none"));
    tfc_status_clear(st);
    free_tags(tags, n);

    tfc_plot_source_free(src);
    fixture_free(&a);
    fixture_free(&b);
    tfc_status_free(st);
    return check_result();
}
