/* TFRecord framing (FORMATS.md §1): u64 LE length, masked CRC32C of the length, payload, masked
 * CRC32C of the payload. Event files are a sequence of these records. */
#ifndef TFC_RECORD_H
#define TFC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ProtobufCMessageDescriptor;

/* Bytes a record adds around its payload. */
#define TFC_RECORD_OVERHEAD 16

/* Writes the framed record (len + TFC_RECORD_OVERHEAD bytes) to out. */
void tfc_record_frame(const void *payload, size_t len, unsigned char *out);

typedef enum {
    TFC_RECORD_OK,        /* a record was read */
    TFC_RECORD_END,       /* the input ends exactly after the last record */
    TFC_RECORD_TRUNCATED, /* the input ends inside a record (a file still being written) */
    TFC_RECORD_CORRUPT,   /* a damaged record, or a read error; nothing after it is read */
} tfc_record_result;

/* Reads the records of a buffer or of a file in order, with TensorFlow's rules for damage: a
 * record whose length or payload checksum is wrong ends the reading (TensorFlow's RecordReader
 * reports "corrupted record at N" and TensorBoard stops reading the file there), since nothing
 * says where a next record would start. A file is read a record at a time, so memory follows
 * the largest record, never the file; a record over 16 MiB has its checksum verified before it is
 * kept in memory, and when the reader knows the payload's message type, its fields too
 * (pb_check.h): one that cannot be such a message is not read (a sound 2 GiB record of zeros in a
 * sparse file costs no memory). */
typedef struct {
    const unsigned char *mem; /* the bytes, when reading from memory */
    int fd;                   /* else the file (not closed here) */
    uint64_t size;            /* bytes to read: the buffer's, or the file's when opened */
    uint64_t off;             /* where the next record starts */
    unsigned char *buf;       /* a file's current record */
    size_t cap;
    bool stopped;             /* after damage or the end */
    const struct ProtobufCMessageDescriptor *payload_type; /* what payloads are, or NULL */
} tfc_record_reader;

static inline tfc_record_reader tfc_record_reader_init(const void *buf, size_t len)
{
    return (tfc_record_reader){.mem = buf, .fd = -1, .size = len};
}

static inline tfc_record_reader tfc_record_reader_file(int fd, uint64_t size)
{
    return (tfc_record_reader){.fd = fd, .size = size};
}

/* Frees the reader's buffer (a file's reader). */
void tfc_record_reader_clear(tfc_record_reader *r);

/* The next record. On TFC_RECORD_OK, *payload and *len hold it (valid until the next call);
 * *payload is NULL for a record over 16 MiB in a file that cannot be a payload_type message. *at
 * gets the byte offset of the record (or of the damage). On TFC_RECORD_CORRUPT and
 * TFC_RECORD_TRUNCATED, why gets a sentence saying what was wrong and how much is left unread;
 * later calls return TFC_RECORD_END. */
tfc_record_result tfc_record_next(tfc_record_reader *r, const unsigned char **payload, size_t *len, size_t *at,
                                  char *why, size_t whylen);

#endif
