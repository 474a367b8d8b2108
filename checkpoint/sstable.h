/* LevelDB's table format (an "SSTable") with TensorFlow's options: the container of checkpoint
 * index files (V2) and of whole V1 checkpoints. Sorted key/value entries in CRC-checked blocks,
 * then an empty metaindex block, an index block and a 48-byte footer (FORMATS.md §5). */
#ifndef TFC_SSTABLE_H
#define TFC_SSTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* TensorFlow's table options: 256 KiB data blocks, restarts every 16 entries (index block: 1). */
#define TFC_SSTABLE_BLOCK_SIZE 262144
#define TFC_SSTABLE_RESTART_INTERVAL 16
#define TFC_SSTABLE_FOOTER_SIZE 48
#define TFC_SSTABLE_MAGIC 0xdb4775248b80fb57ull

/* ---- Writing: the table is built in memory, byte for byte as TensorFlow's TableBuilder does. ---- */

typedef struct tfc_sstable_builder tfc_sstable_builder;

tfc_sstable_builder *tfc_sstable_builder_new(void);
/* Keys must be strictly increasing in memcmp order. */
bool tfc_sstable_builder_add(tfc_sstable_builder *b, const void *key, size_t key_len, const void *value,
                             size_t value_len, tfc_status *st);
/* Appends the last data block, the metaindex and index blocks and the footer. *data (owned by the
 * builder, valid until it is freed) and *len receive the whole table. No adds after this. */
bool tfc_sstable_builder_finish(tfc_sstable_builder *b, const uint8_t **data, size_t *len, tfc_status *st);
void tfc_sstable_builder_free(tfc_sstable_builder *b);

/* ---- Reading: the whole table is checked (footer, magic, block CRCs, entry bounds, key order)
 * and decoded when opened; entries are then plain array lookups. A file is read block by block
 * from its footer on, never whole: a damaged or foreign file is refused after reading its last
 * 48 bytes. ---- */

typedef struct {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} tfc_sstable_entry;

typedef struct tfc_sstable tfc_sstable;

tfc_sstable *tfc_sstable_open(const char *path, tfc_status *st);
/* A table held in data[0, len) (copied); name stands for the file in error messages. */
tfc_sstable *tfc_sstable_parse(const void *data, size_t len, const char *name, tfc_status *st);
void tfc_sstable_free(tfc_sstable *t);

/* The name given when opened (the path). */
const char *tfc_sstable_name(const tfc_sstable *t);
size_t tfc_sstable_count(const tfc_sstable *t);
/* Entries in key order; pointers stay valid until the table is freed. */
const tfc_sstable_entry *tfc_sstable_at(const tfc_sstable *t, size_t i);
/* The entry with exactly this key, NULL if none. */
const tfc_sstable_entry *tfc_sstable_find(const tfc_sstable *t, const void *key, size_t key_len);

#endif
