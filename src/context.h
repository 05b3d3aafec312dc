/*
 * context.h - the lines around an event of warning severity or worse.
 * For a file input the store keeps where the event is (the run's input,
 * the byte offset of its first line, its line number), and the lines
 * around it are read from the file again when asked for, decompressing a
 * .gz from its start; a file that moved or changed since is told apart
 * by its first and last bytes, size and mtime.  A stream (standard input,
 * a pipe) cannot be read again, so the records before each such event are
 * kept in blocks that neighbouring events share, zlib-compressed where
 * that pays.  Tables: context_files, context_blocks, event_context
 * (schema.sql).
 */
#ifndef LOGTRIAGE_CONTEXT_H
#define LOGTRIAGE_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct store;

/* Records kept before an event of a stream: default and most. */
#define CONTEXT_DEFAULT	20
#define CONTEXT_MAX	200

/* ---- ingest side ---- */

/*
 * Blocks of stream records a batch hands to the writer: block i is
 * data[i ? end[i - 1] : 0 .. end[i]).  The last block may still grow
 * until context_stream_close.
 */
struct context_pack {
	struct buf	 data;
	size_t		*end;
	size_t		 n, cap;
};

void context_pack_init(struct context_pack *p);
void context_pack_clear(struct context_pack *p);
void context_pack_free(struct context_pack *p);

/* The last `keep` records of a stream (1..CONTEXT_MAX). */
struct context_stream;

struct context_stream *context_stream_new(int keep);
void context_stream_free(struct context_stream *cs);
/*
 * The record about to be pushed holds an event that wants context: its
 * block (the records before it, and itself once pushed) goes into p, as
 * an extension of p's last block when that one reaches within `keep`
 * records of it.  Returns the block's index in p.
 */
size_t context_stream_want(struct context_stream *cs, struct context_pack *p);
/* Every record of the stream, after its events, in order. */
void context_stream_push(struct context_stream *cs, struct context_pack *p,
    const char *text, size_t len, uint64_t line_first, uint64_t line_last);
/* p is handed over: its last block is complete, a later event starts anew. */
void context_stream_close(struct context_stream *cs);

/*
 * Writes of the writer thread; its statements are its own, prepared on
 * first use (the tables exist once a writer has opened the store).
 */
struct context_writer;

struct context_writer *context_writer_new(struct store *st);
void context_writer_free(struct context_writer *cw);

/*
 * Note the file a run reads (its canonical path) with what tells it apart
 * later.  A file that cannot be read is left out: its events then have
 * no context.
 */
int context_file_note(struct context_writer *cw, int64_t ingest_id,
    const char *path, char *err, size_t errlen);
/*
 * Store block i of p, compressed where that pays, and its id in *id; a
 * block is stored once a new event needs it, so that a stream read
 * again (its events already stored) keeps nothing twice.
 */
int context_write_block(struct context_writer *cw, int64_t ingest_id,
    const struct context_pack *p, size_t i, int64_t *id, char *err,
    size_t errlen);
/*
 * Begin to deflate p's blocks on a thread of the writer's own, for
 * context_write_block to take as they are done (a small pack is left to
 * it).  p must stay as it is, and in place, until context_writer_settle,
 * which lets go of it: call it before p is cleared or freed, whatever
 * was stored.
 */
void context_writer_ahead(struct context_writer *cw,
    const struct context_pack *p);
void context_writer_settle(struct context_writer *cw);
/* CPU seconds the thread of context_writer_ahead has spent, 0 without one. */
double context_writer_cpu(struct context_writer *cw);
/*
 * The context of event id: an offset into the run's file, or (block >= 0)
 * a block id.  An id of -1 (not known) is looked up by the event's key.
 */
struct context_key {
	const char	*rule;
	int64_t		 source_id, ts;
	uint64_t	 hash;
	int		 ordinal;
};
int context_write_event(struct context_writer *cw, int64_t id,
    const struct context_key *key, int64_t ingest_id, uint64_t offset,
    int64_t block, char *err, size_t errlen);
/*
 * Write what context_write_event keeps waiting to go several rows to a
 * statement: before the commit, and before anything reads it back.
 */
int context_flush(struct context_writer *cw, char *err, size_t errlen);

/* ---- reading side ---- */

struct context_line {
	uint64_t	 lineno;	/* physical line in the input */
	char		*text;
	size_t		 len;
	int		 own;		/* one of the event's own lines */
};

struct context {
	/* the file, "(standard input)" for a stream, or NULL */
	char			*path;
	struct context_line	*lines;
	size_t			 n, cap;
	/*
	 * Not empty when the context cannot be shown ("context not
	 * available: the file has moved"): lines then hold the event's own
	 * text as stored.
	 */
	char			 why[512];
};

/*
 * The lines of event id with up to `before` lines before and `after`
 * after it.  Returns 0 (with c->why set when there is no context to
 * show), or -1 with err when the database cannot be read.  Free with
 * context_free, also after -1.
 */
int context_read(struct store *s, int64_t id, int before, int after,
    struct context *c, char *err, size_t errlen);
void context_free(struct context *c);

#endif
