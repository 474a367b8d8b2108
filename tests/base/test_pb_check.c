/* Checking a message in a file before reading it: a GraphDef is accepted, and so is every damaged
 * copy of it that protobuf-c's unpack accepts, unknown fields too (the check is never the
 * stricter); a node claiming 1 GiB of zeros (a hole) is refused at its first byte after reading a
 * few KB; an Event holding a 256 MiB graph in a hole is accepted without reading the hole; a file
 * shorter than the message is a read error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "event.pb-c.h"
#include "graph.pb-c.h"
#include "pb_check.h"

/* A GraphDef of three nodes, one with a tensor attr (messages four deep), packed; *len bytes. */
static uint8_t *graph_bytes(size_t *len)
{
    Tensorflow__NodeDef a = TENSORFLOW__NODE_DEF__INIT, b = TENSORFLOW__NODE_DEF__INIT, c = TENSORFLOW__NODE_DEF__INIT;
    a.name = "x";
    a.op = "Placeholder";
    b.name = "w";
    b.op = "Const";
    c.name = "layer/y";
    c.op = "MatMul";
    char *inputs[] = {"x", "w"};
    c.n_input = 2;
    c.input = inputs;
    float vals[6] = {1, 2, 3, 4, 5, 6};
    Tensorflow__TensorShapeProto__Dim d0 = TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT;
    Tensorflow__TensorShapeProto__Dim d1 = TENSORFLOW__TENSOR_SHAPE_PROTO__DIM__INIT;
    d0.size = 2;
    d1.size = 3;
    Tensorflow__TensorShapeProto__Dim *dims[] = {&d0, &d1};
    Tensorflow__TensorShapeProto shape = TENSORFLOW__TENSOR_SHAPE_PROTO__INIT;
    shape.n_dim = 2;
    shape.dim = dims;
    Tensorflow__TensorProto t = TENSORFLOW__TENSOR_PROTO__INIT;
    t.dtype = TENSORFLOW__DATA_TYPE__DT_FLOAT;
    t.tensor_shape = &shape;
    t.tensor_content = (ProtobufCBinaryData){sizeof vals, (uint8_t *)vals};
    Tensorflow__AttrValue v = TENSORFLOW__ATTR_VALUE__INIT;
    v.value_case = TENSORFLOW__ATTR_VALUE__VALUE_TENSOR;
    v.tensor = &t;
    Tensorflow__NodeDef__AttrEntry e = TENSORFLOW__NODE_DEF__ATTR_ENTRY__INIT;
    e.key = "value";
    e.value = &v;
    Tensorflow__NodeDef__AttrEntry *attrs[] = {&e};
    b.n_attr = 1;
    b.attr = attrs;
    Tensorflow__NodeDef *nodes[] = {&a, &b, &c};
    Tensorflow__GraphDef g = TENSORFLOW__GRAPH_DEF__INIT;
    g.n_node = 3;
    g.node = nodes;
    *len = tensorflow__graph_def__get_packed_size(&g);
    uint8_t *buf = malloc(*len);
    if (buf) tensorflow__graph_def__pack(&g, buf);
    return buf;
}

static int check_bytes(int fd, const uint8_t *b, size_t n, uint64_t *bad)
{
    if (ftruncate(fd, 0) != 0 || (n && pwrite(fd, b, n, 0) != (ssize_t)n)) return -2;
    return tfc_pb_check_file(fd, 0, n, &tensorflow__graph_def__descriptor, bad);
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t k = 0;
    for (; v >= 0x80; v >>= 7) p[k++] = (uint8_t)(v | 0x80);
    p[k++] = (uint8_t)v;
    return k;
}

int main(void)
{
    char path[] = "/tmp/tfc-test-pb-check-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return check_result();
    unlink(path);
    size_t len;
    uint8_t *g = graph_bytes(&len);
    CHECK(g != NULL);
    if (!g) return check_result();
    uint64_t bad = 0;
    CHECK(check_bytes(fd, g, len, &bad) == 1);
    /* with unknown fields of every wire type after it, which protobuf-c skips */
    static const uint8_t unknown[] = {0x98, 0x06, 0x05, 0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8,
                                      0x8a, 0x06, 0x02, 0x00, 0x00, 0x85, 0x06, 1, 2, 3, 4};
    uint8_t *more = malloc(len + sizeof unknown);
    if (more) {
        memcpy(more, g, len);
        memcpy(more + len, unknown, sizeof unknown);
        Tensorflow__GraphDef *u = tensorflow__graph_def__unpack(NULL, len + sizeof unknown, more);
        CHECK(u && u->n_node == 3 && check_bytes(fd, more, len + sizeof unknown, &bad) == 1);
        if (u) tensorflow__graph_def__free_unpacked(u, NULL);
        free(more);
    }

    /* Field number 0: protobuf-c refuses it in a one-byte tag (0x05) but takes it spelt in two
     * (0x85 0x00, a fixed32 of field 0: an unknown field), and so does the check (fuzz_graphdef). */
    static const uint8_t zero1[] = {0x05, 0, 0, 5, 0}, zero2[] = {0x85, 0x00, 0, 0, 5, 0};
    Tensorflow__GraphDef *u1 = tensorflow__graph_def__unpack(NULL, sizeof zero1, zero1);
    Tensorflow__GraphDef *u2 = tensorflow__graph_def__unpack(NULL, sizeof zero2, zero2);
    CHECK(!u1 && check_bytes(fd, zero1, sizeof zero1, &bad) == 0 && bad == 0);
    CHECK(u2 && check_bytes(fd, zero2, sizeof zero2, &bad) == 1);
    if (u2) tensorflow__graph_def__free_unpacked(u2, NULL);

    /* Damaged copies: whatever protobuf-c takes, the check takes. */
    srand(7);
    uint8_t *m = malloc(len);
    int refused = 0;
    for (int k = 0; m && k < 4000; k++) {
        memcpy(m, g, len);
        size_t n = k % 4 == 0 ? (size_t)rand() % len : len;
        for (int j = 0; j < 1 + k % 3; j++) m[(size_t)rand() % len] = (uint8_t)rand();
        int r = check_bytes(fd, m, n, &bad);
        Tensorflow__GraphDef *u = tensorflow__graph_def__unpack(NULL, n, m);
        CHECK_MSG(r == 1 || (r == 0 && !u && bad < n), "copy %d: check %d, unpack %s", k, r, u ? "took it" : "refused");
        refused += r == 0;
        if (u) tensorflow__graph_def__free_unpacked(u, NULL);
    }
    CHECK_MSG(refused > 500, "only %d of 4000 damaged copies refused", refused);
    free(m);

    /* The GraphDef, then a node claiming 1 GiB that is a hole. */
    uint8_t head[16] = {0x0a};
    size_t h = 1 + put_varint(head + 1, 1u << 30);
    CHECK(check_bytes(fd, g, len, &bad) == 1 && pwrite(fd, head, h, (off_t)len) == (ssize_t)h);
    CHECK(ftruncate(fd, (off_t)(len + h + (1u << 30))) == 0);
    long long before = check_bytes_read();
    CHECK(tfc_pb_check_file(fd, 0, len + h + (1u << 30), &tensorflow__graph_def__descriptor, &bad) == 0);
    CHECK_MSG(bad == len + h, "refused at %llu, not at %zu", (unsigned long long)bad, len + h);
    CHECK_MSG(check_bytes_read() - before < (1 << 20), "%lld bytes read", check_bytes_read() - before);

    /* An Event with wall_time and a 256 MiB graph_def (bytes, not a message to walk) in a hole. */
    uint8_t ev[32] = {0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x22};
    size_t e = 10 + put_varint(ev + 10, 256u << 20);
    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, ev, e, 0) == (ssize_t)e && ftruncate(fd, (off_t)(e + (256u << 20))) == 0);
    before = check_bytes_read();
    CHECK(tfc_pb_check_file(fd, 0, e + (256u << 20), &tensorflow__event__descriptor, &bad) == 1);
    CHECK_MSG(check_bytes_read() - before < (1 << 20), "%lld bytes read", check_bytes_read() - before);

    /* Shorter than asked: a read error with errno 0. */
    errno = EINVAL;
    CHECK(tfc_pb_check_file(fd, 0, e + (256u << 20) + 10, &tensorflow__event__descriptor, &bad) == -1 && errno == 0);
    free(g);
    close(fd);
    return check_result();
}
