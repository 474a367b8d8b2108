/* tfc_markdown_plain: what TensorBoard's text dashboard would render, as plain text, case by
 * case (markup gone, words, snake_case, code, URLs and line breaks kept). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "markdown_plain.h"

static void expect(const char *md, const char *plain)
{
    char *got = tfc_markdown_plain(md);
    CHECK_MSG(got && strcmp(got, plain) == 0, "'%s' -> '%s', want '%s'", md, got ? got : "(null)", plain);
    free(got);
}

int main(void)
{
    expect("", "");
    expect("plain text", "plain text");
    expect("# Title", "Title");
    expect("### Third level ###", "Third level");
    expect("#hashtag stays", "#hashtag stays");
    expect("a **bold** and __strong__ word", "a bold and strong word");
    expect("an *aside* and an _aside_", "an aside and an aside");
    expect("***both***", "both");
    expect("snake_case_name and 2 * 3 * 4", "snake_case_name and 2 * 3 * 4");
    expect("unpaired **star", "unpaired **star");
    expect("run `a*b*c` and ``x ` y``", "run a*b*c and x ` y");
    expect("see [the docs](https://x.org/a_(b)) now", "see the docs (https://x.org/a_(b)) now");
    expect("![a cat](cat.png)", "a cat (cat.png)");
    expect("[not a link] here", "[not a link] here");
    expect("[**bold link**](u)", "bold link (u)");
    expect("\\*literal\\* \\_too\\_", "*literal* _too_");
    expect("* one\n+ two\n- three\n  * nested", "- one\n- two\n- three\n  - nested");
    expect("text\n```\n**kept** `as is`\n```\nafter", "text\n**kept** `as is`\nafter");
    expect("line one\n\nline *two*\n", "line one\n\nline two\n");
    expect("Größe **≥** 3 — ключ", "Größe ≥ 3 — ключ");
    /* tables, as PyTorch users log hyperparameters */
    expect("| param | value |\n|---|:---:|\n| lr | **0.1** |\n|batch|32|\nafter | not a row\n\nend",
           "param | value\nlr | 0.1\nbatch | 32\nafter | not a row\n\nend");
    expect("a | b\n- | -\nc \\| d | e", "a | b\nc | d | e");
    expect("x | y\n---", "x | y\n---");              /* no pipe: a heading's underline, kept */
    expect("| only header |\n|---|", "only header");
    expect("pipes | in text\nno table", "pipes | in text\nno table");
    expect("```\n| a |\n|---|\n```", "| a |\n|---|"); /* in code: as is */
    expect("|||||||||||\n|-|", " |  |  |  |  |  |  |  |  | ");  /* empty cells, more room than the row */
    return check_result();
}
