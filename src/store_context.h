/*
 * store_context.h - where the store keeps the context of events
 * (context_files, context_blocks, event_context: schema.sql): the
 * writer thread's inserts, on statements of its own prepared on first
 * use, and the two reads of context_read.  Knows the tables, not how a
 * block is packed or a file read again.
 */
#ifndef LOGTRIAGE_STORE_CONTEXT_H
#define LOGTRIAGE_STORE_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "store_rows.h"

/* The writer's statements on the store's own connection (the writer's). */
struct store_context_writes;

struct store_context_writes *store_context_writes_new(struct store *st);
void store_context_writes_free(struct store_context_writes *w);

/* The file a run reads and what tells it apart later (replaces an earlier note). */
int store_context_file(struct store_context_writes *w, int64_t ingest_id,
    const char *path, uint64_t fingerprint, uint64_t tail, uint64_t size,
    int64_t mtime, char *err, size_t errlen);
/* A block of len bytes (zlib: compressed, from raw_len), its id in *id. */
int store_context_block(struct store_context_writes *w, int64_t ingest_id,
    uint64_t raw_len, int zlib, const void *data, size_t len, int64_t *id,
    char *err, size_t errlen);
/* The id of the event of (rule, source, ts, hash, ordinal), 0 when none. */
int store_context_event_id(struct store_context_writes *w, const char *rule,
    int64_t source_id, int64_t ts, uint64_t hash, int ordinal, int64_t *id,
    char *err, size_t errlen);
/*
 * Where event id's context is: block >= 0, else offset into the run's
 * file.  The row may wait in w until store_context_events_flush, which
 * must come before the transaction commits or anything reads the row.
 */
int store_context_event(struct store_context_writes *w, int64_t id,
    int64_t ingest_id, uint64_t offset, int64_t block, char *err,
    size_t errlen);
/* Write the rows store_context_event keeps waiting; w holds none after. */
int store_context_events_flush(struct store_context_writes *w, char *err,
    size_t errlen);

/*
 * Event id and where its context is: one row (line, line_end, text,
 * severity of its rule or 0, event_id, offset, block, path, fingerprint,
 * size, mtime, tail), the last eight NULL when none was kept (or in a
 * database no writer has opened since the tables were added); no row
 * when the event is not stored.  Errors say "context: ".
 */
int store_context_of(struct store *s, int64_t id, struct store_rows **q,
    char *err, size_t errlen);
/* Block id: one row (raw_len, zlib, data), none when it is gone. */
int store_context_block_read(struct store *s, int64_t block,
    struct store_rows **q, char *err, size_t errlen);

#endif
