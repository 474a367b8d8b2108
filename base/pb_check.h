/* Whether a piece of a file can be a protobuf message of a given type, found out before any
 * memory is spent on it: its fields are walked in the file, descending into those the type says
 * are messages, while strings and bytes are stepped over unread. A 2 GiB field of zeros (a hole
 * behind a damaged header) is refused after reading a few bytes; a valid message costs a window
 * of the file, whatever its size. The check is never stricter than the protobuf wire format:
 * what it refuses, protobuf-c's unpack refuses too (a field number 0 in a one-byte tag, a group or unknown wire
 * type, a varint over 10 bytes, a length past the end of its message). */
#ifndef TFC_PB_CHECK_H
#define TFC_PB_CHECK_H

#include <stdint.h>

struct ProtobufCMessageDescriptor;

/* Checks the n bytes at off in the file fd as a message of type d. 1 when they can be one; 0 when
 * they cannot, with *bad_at the file offset of the first field that cannot be (or of the end
 * reached inside one); -1 on a read error, with errno set (0 when the file is shorter). */
int tfc_pb_check_file(int fd, uint64_t off, uint64_t n, const struct ProtobufCMessageDescriptor *d,
                      uint64_t *bad_at);

#endif
