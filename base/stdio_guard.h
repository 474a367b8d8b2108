/* The tools' stdout and stderr. stdout goes through a filter that keeps the cause of a failed write
 * (stdio keeps only an error flag), so that a result lost to a full disk is reported with it.
 * On a terminal, both streams also show control characters as \xNN: names read from files (tags,
 * node, scope and tensor names) may hold C0 controls, DEL or C1 controls (U+0080-U+009F) that move
 * the cursor, clear the screen or retitle the window when printed raw, as `ls` shows such names
 * escaped too. Into a pipe or a file the bytes go unchanged, for scripts. */
#ifndef TFC_STDIO_GUARD_H
#define TFC_STDIO_GUARD_H

#include <stdbool.h>
#include <stdio.h>

/* Puts the filter in front of stdout, and of stderr when also_stderr (a tool that draws its own
 * progress bar with escape sequences leaves stderr alone). Call it first thing. */
void tfc_stdio_guard(bool also_stderr);
/* The errno of the first failed write through the guarded stdout, or 0. */
int tfc_stdio_write_error(void);

#endif
