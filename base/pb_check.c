/* Checking a message in a file field by field (see pb_check.h). */
#include "pb_check.h"

#include <errno.h>
#include <stdlib.h>

#include <protobuf-c/protobuf-c.h>

#include "in_file.h"

/* Messages nested deeper than this are stepped over like bytes (still within their length). */
#define MAX_DEPTH 64
#define WINDOW (256u << 10)

typedef struct {
    int fd;
    uint64_t limit; /* the end of the piece checked */
    uint64_t off;   /* the window's place in the file */
    size_t len;
    uint8_t *buf;
} window;

/* The byte at p (< limit): 1 with *b set, -1 on a read error. */
static int byte_at(window *w, uint64_t p, uint8_t *b)
{
    if (p < w->off || p >= w->off + w->len) {
        size_t k = w->limit - p < WINDOW ? (size_t)(w->limit - p) : WINDOW;
        w->len = 0;
        if (!tfc_in_file_read(w->fd, w->buf, k, p)) return -1;
        w->off = p;
        w->len = k;
    }
    *b = w->buf[p - w->off];
    return 1;
}

/* A varint at *p that ends before end: 1 with *v set and *p past it, 0 when it cannot be one. */
static int varint(window *w, uint64_t *p, uint64_t end, uint64_t *v)
{
    *v = 0;
    for (int i = 0; i < 10; i++) {
        uint8_t b;
        if (*p >= end) return 0;
        if (byte_at(w, (*p)++, &b) < 0) return -1;
        *v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) return 1;
    }
    return 0;
}

int tfc_pb_check_file(int fd, uint64_t off, uint64_t n, const struct ProtobufCMessageDescriptor *d,
                      uint64_t *bad_at)
{
    struct {
        const ProtobufCMessageDescriptor *d;
        uint64_t end;
    } stack[MAX_DEPTH];
    window w = {.fd = fd, .limit = off + n, .buf = malloc(WINDOW)};
    if (!w.buf) return -1;
    int sp = 0, rc = 1;
    stack[sp++].d = d;
    stack[0].end = off + n;
    uint64_t p = off;
    while (sp && rc == 1) {
        uint64_t end = stack[sp - 1].end, field = p, tag, v;
        if (p == end) {
            sp--;
            continue;
        }
        rc = varint(&w, &p, end, &tag);
        unsigned wire = (unsigned)(tag & 7);
        /* protobuf-c refuses field number 0 only in a one-byte tag (it tests the first byte's bits):
         * spelt in more bytes (0x85 0x00) it is an unknown field, so it is one here too */
        bool field0 = tag >> 3 == 0 && p - field == 1;
        if (rc == 1 && (field0 || tag >> 3 > UINT32_MAX || wire == 3 || wire == 4 || wire > 5)) rc = 0;
        if (rc == 1 && wire == 0) rc = varint(&w, &p, end, &v);
        if (rc == 1 && (wire == 1 || wire == 5)) {
            unsigned k = wire == 1 ? 8 : 4;
            if (end - p < k) rc = 0;
            p += k;
        }
        if (rc == 1 && wire == 2) {
            rc = varint(&w, &p, end, &v);
            if (rc == 1 && v > end - p) rc = 0;
            const ProtobufCFieldDescriptor *f =
                rc == 1 && stack[sp - 1].d ? protobuf_c_message_descriptor_get_field(stack[sp - 1].d, (unsigned)(tag >> 3))
                                           : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && sp < MAX_DEPTH) {
                stack[sp].d = f->descriptor;
                stack[sp++].end = p + v;
            } else if (rc == 1) {
                p += v;
            }
        }
        if (rc == 0) *bad_at = field;
    }
    free(w.buf);
    return rc;
}
