/* Tensors through the public accessors: string elements read and written without casts, their
 * refusals (NULL, another dtype, an index out of range), and the library's version. */
#include <string.h>

#include "check.h"
#include "tensor.h"
#include "version.h"

static void test_strings(void)
{
    tfc_tensor *t = tfc_tensor_new(TFC_STRING, TFC_SHAPE(2));
    size_t len = 99;
    const char *s = tfc_tensor_string(t, 0, &len);
    CHECK(s && len == 0 && s[0] == '\0'); /* new string tensors hold empty strings */
    CHECK(tfc_tensor_set_string(t, 1, "a\0b", 3));
    s = tfc_tensor_string(t, 1, &len);
    CHECK(s && len == 3 && memcmp(s, "a\0b", 4) == 0);
    CHECK(tfc_tensor_set_string(t, 1, "xy", 2)); /* replaces (and frees) the old bytes */
    s = tfc_tensor_string(t, 1, NULL);
    CHECK(s && strcmp(s, "xy") == 0);
    tfc_tensor *copy = tfc_tensor_copy(t);
    CHECK(copy && strcmp(tfc_tensor_string(copy, 1, &len), "xy") == 0 && len == 2);

    CHECK(!tfc_tensor_string(t, 2, &len) && len == 0);
    CHECK(!tfc_tensor_string(t, -1, &len) && len == 0);
    CHECK(!tfc_tensor_string(NULL, 0, &len) && len == 0);
    CHECK(!tfc_tensor_set_string(t, 2, "z", 1));
    CHECK(!tfc_tensor_set_string(NULL, 0, "z", 1));
    CHECK(!tfc_tensor_set_string(t, 0, NULL, 1));
    tfc_tensor *f = tfc_tensor_scalar_f32(1.0f);
    len = 5;
    CHECK(!tfc_tensor_string(f, 0, &len) && len == 0);
    CHECK(!tfc_tensor_set_string(f, 0, "z", 1));
    CHECK(tfc_f32(f)[0] == 1.0f);
    tfc_tensor_free(f);
    tfc_tensor_free(copy);
    tfc_tensor_free(t);
}

static void test_version(void)
{
    CHECK(strcmp(tfc_version(), TFC_VERSION_STRING) == 0);
    char made[32];
    snprintf(made, sizeof made, "%d.%d.%d", TFC_VERSION_MAJOR, TFC_VERSION_MINOR, TFC_VERSION_PATCH);
    CHECK(strcmp(made, TFC_VERSION_STRING) == 0);
}

int main(void)
{
    test_strings();
    test_version();
    return check_result();
}
