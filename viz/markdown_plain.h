/* Markdown as plain text, for printing text summaries on a terminal: what TensorBoard's text
 * dashboard renders as HTML, with the markup taken away and the words kept. */
#ifndef TFC_MARKDOWN_PLAIN_H
#define TFC_MARKDOWN_PLAIN_H

/* A malloc'ed plain-text copy of md (NULL when out of memory):
 * - headings lose their '#'s ("# Notes" -> "Notes"), list bullets '*' and '+' become '-';
 * - emphasis markers go (**bold**, __bold__, *em*, _em_; an '_' inside a word stays: snake_case);
 * - `code` loses its backticks, and fenced code blocks their fence lines, their text kept as is;
 * - [text](url) becomes "text (url)", ![alt](url) "alt (url)";
 * - a backslash escape keeps the character it escapes (\* -> *);
 * - a table (GitHub's, which TensorBoard renders) loses its delimiter row and the pipes at its
 *   rows' ends: "| a | b |" -> "a | b".
 * Everything else, line breaks included, is kept. */
char *tfc_markdown_plain(const char *md);

#endif
