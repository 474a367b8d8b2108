/* NumPy .npy writer: magic, version 1.0, a little-endian u16 header length, the header dict padded
 * with spaces to a multiple of 64 bytes and ended by '\n', then the raw C-order data. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_file.h"

static const char *descr(tfc_dtype dt)
{
    switch (dt) {
    case TFC_FLOAT: return "<f4";
    case TFC_DOUBLE: return "<f8";
    case TFC_HALF: return "<f2";
    case TFC_INT8: return "|i1";
    case TFC_INT16: return "<i2";
    case TFC_INT32: return "<i4";
    case TFC_INT64: return "<i8";
    case TFC_UINT8: return "|u1";
    case TFC_UINT16: return "<u2";
    case TFC_UINT32: return "<u4";
    case TFC_UINT64: return "<u8";
    case TFC_BOOL: return "|b1";
    case TFC_COMPLEX64: return "<c8";
    case TFC_COMPLEX128: return "<c16";
    default: return NULL;
    }
}

bool tfc_npy_write(const char *path, const tfc_tensor *t, tfc_status *st)
{
    char type[32];
    size_t width = 1;
    if (t->dtype == TFC_STRING) {
        const tfc_bytes *s = t->data;
        for (int64_t i = 0; i < t->size; i++)
            if (s[i].len > width) width = s[i].len;
        snprintf(type, sizeof type, "|S%zu", width);
    } else if (descr(t->dtype)) {
        snprintf(type, sizeof type, "%s", descr(t->dtype));
    } else {
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "%s: NumPy has no dtype for %s", path, tfc_dtype_name(t->dtype));
    }
    char header[512];
    int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (", type);
    for (int d = 0; d < t->shape.rank; d++)
        n += snprintf(header + n, sizeof header - (size_t)n, "%lld,%s", (long long)t->shape.dims[d],
                      d + 1 < t->shape.rank ? " " : "");
    if (t->shape.rank > 1) n--; /* (2, 3) rather than (2, 3,); a 1-tuple keeps its comma */
    n += snprintf(header + n, sizeof header - (size_t)n, "), }");
    size_t total = ((size_t)10 + (size_t)n + 1 + 63) / 64 * 64;
    size_t hlen = total - 10;
    uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(hlen & 0xff), (uint8_t)(hlen >> 8)};
    memset(header + n, ' ', hlen - (size_t)n - 1);
    header[hlen - 1] = '\n';

    tfc_out_file of;
    if (!tfc_out_file_open(&of, path, st)) return false;
    bool ok = tfc_out_file_write(&of, pre, sizeof pre, st) && tfc_out_file_write(&of, header, hlen, st);
    if (t->dtype != TFC_STRING) {
        ok = ok && tfc_out_file_write(&of, t->data, tfc_tensor_nbytes(t), st);
    } else {
        char *row = calloc(1, width);
        if (!row) ok = ok && tfc_fail(st, TFC_INTERNAL, "out of memory");
        const tfc_bytes *s = t->data;
        for (int64_t i = 0; ok && i < t->size; i++) {
            memset(row, 0, width);
            if (s[i].len) memcpy(row, s[i].ptr, s[i].len);
            ok = tfc_out_file_write(&of, row, width, st);
        }
        free(row);
    }
    if (ok) return tfc_out_file_commit(&of, st);
    tfc_out_file_abort(&of);
    return false;
}
