/* libFuzzer target for tfc-graph's GraphDef reading: the check of a file's fields before it is
 * read (pb_check.h), which must never refuse what protobuf-c's parse takes; the parse, then the
 * model (scope tree, input resolution, shapes, auxiliary marks), the views at several depths and
 * with --all (collapsing, merged and bundled edges, high-degree extraction, the side note) and
 * the --list text. The input is the bytes of a GraphDef. Laying out and rendering are Graphviz's
 * and left out. Build and run: see fuzz/meson.build. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "graph.pb-c.h"
#include "graph_list.h"
#include "graph_model.h"
#include "graph_view.h"
#include "pb_check.h"

/* The check (from a memfd holding the bytes) against protobuf-c's parse. */
static void check_against_parse(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-graphdef", MFD_CLOEXEC);
    if (fd < 0) return;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    uint64_t bad = 0;
    int r = tfc_pb_check_file(fd, 0, size, &tensorflow__graph_def__descriptor, &bad);
    close(fd);
    Tensorflow__GraphDef *gd = tensorflow__graph_def__unpack(NULL, size, data);
    if (r < 0 || (r == 0 && (gd || bad >= size))) abort();
    if (gd) tensorflow__graph_def__free_unpacked(gd, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_against_parse(data, size);
    tfc_gdraw_model *m = tfc_gdraw_model_parse(data, size, "fuzz", NULL);
    if (!m) return 0;
    static const int depths[] = {1, 2, 0};
    for (size_t i = 0; i < sizeof depths / sizeof *depths; i++) {
        for (int all = 0; all < 2; all++) {
            const char *expand[] = {m->nscopes > 1 ? m->scopes[m->nscopes - 1].path : "x"};
            tfc_gdraw_options o = {.depth = depths[i], .expand = expand, .nexpand = i == 1,
                                   .all = all};
            tfc_gdraw_view *v = tfc_gdraw_view_build(m, &o, NULL);
            tfc_gdraw_view_free(v);
        }
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        tfc_gdraw_list(m, 0, devnull);
        fclose(devnull);
    }
    tfc_gdraw_model_free(m);
    return 0;
}
