/* Errors as values: the first error wins, a NULL status is accepted everywhere, and a message cut
 * at the status's 1 KiB says so with "..." at its end, never splitting a UTF-8 character. */
#include <string.h>

#include "check.h"
#include "status.h"

static void test_first_error_wins(void)
{
    tfc_status *st = tfc_status_new();
    CHECK(tfc_ok(st) && tfc_status_code(st) == TFC_OK && strcmp(tfc_message(st), "") == 0);
    CHECK(!tfc_fail(st, TFC_NOT_FOUND, "node '%s' not found", "x"));
    CHECK(!tfc_fail(st, TFC_IO, "later"));
    CHECK(!tfc_ok(st) && tfc_status_code(st) == TFC_NOT_FOUND && strcmp(tfc_message(st), "node 'x' not found") == 0);
    tfc_status_clear(st);
    CHECK(tfc_ok(st) && strcmp(tfc_message(st), "") == 0);
    CHECK(!tfc_fail(st, TFC_OK, "an error without a code"));
    CHECK(tfc_status_code(st) == TFC_INTERNAL);
    tfc_status_free(st);
    CHECK(tfc_ok(NULL) && tfc_status_code(NULL) == TFC_OK && strcmp(tfc_message(NULL), "") == 0);
    CHECK(!tfc_fail(NULL, TFC_IO, "nobody keeps this"));
    tfc_status_clear(NULL);
    tfc_status_free(NULL);
}

static void test_cut_message(void)
{
    char name[2000];
    for (size_t i = 0; i + 1 < sizeof name; i += 2) memcpy(name + i, "\xc3\xa9", 2); /* e-acute */
    name[sizeof name - 1] = '\0';
    for (int shift = 0; shift < 2; shift++) { /* the cut on either byte of a character */
        tfc_status *st = tfc_status_new();
        tfc_fail(st, TFC_INVALID_ARGUMENT, "%.*s%s: too long", shift, "x", name);
        const char *msg = tfc_message(st);
        size_t len = strlen(msg);
        CHECK_MSG(len > 1000 && len < 1024 && strcmp(msg + len - 3, "...") == 0, "%zu bytes", len);
        CHECK(((len - 3 - (size_t)shift) % 2) == 0); /* whole characters before the dots */
        tfc_status_free(st);
    }
    tfc_status *st = tfc_status_new();
    memset(name, 'a', 1022);
    name[1022] = '\0';
    tfc_fail(st, TFC_IO, "%s", name); /* fits exactly: left alone */
    CHECK(strlen(tfc_message(st)) == 1022 && tfc_message(st)[1021] == 'a');
    tfc_status_free(st);
}

int main(void)
{
    test_first_error_wins();
    test_cut_message();
    return check_result();
}
