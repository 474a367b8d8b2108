/* Input files read by offset, a piece at a time, never whole: the event, checkpoint and graph
 * readers take what they need where they need it, so a huge or sparse file costs only the bytes
 * actually looked at. */
#ifndef TFC_IN_FILE_H
#define TFC_IN_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Opens a regular file for reading and gives its size now (a file still being written may grow;
 * readers read up to this size). -1 with st set when it is missing, a folder or unreadable. */
int tfc_in_file_open(const char *path, uint64_t *size, tfc_status *st);
/* Reads exactly n bytes at off (retrying short reads). False with errno set on a read error, or
 * errno 0 when the file ends first. */
bool tfc_in_file_read(int fd, void *buf, size_t n, uint64_t off);
/* The CRC32C of n bytes at off, extended from crc, read a MiB at a time: checks a big piece of a
 * file before any memory is spent on keeping it. Holes of a sparse file are not read (their zeros
 * are counted by arithmetic), so a 2 GiB hole costs no time. False with errno set on a read error,
 * or errno 0 when the file is shorter than off + n. */
bool tfc_in_file_crc32c(int fd, uint64_t off, uint64_t n, uint32_t *crc);

#endif
