/*
 * multiline.h - glue physical lines into records, per source: Python
 * tracebacks (with chained exceptions and their blank lines), indented and
 * other continuation lines, and docker json-file partial chunks.  Assigns
 * each record its time: the envelope stamp, else the inner leading stamp,
 * else the previous record's.  Knows nothing about rules or SQL.
 */
#ifndef LOGTRIAGE_MULTILINE_H
#define LOGTRIAGE_MULTILINE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "reader.h"

struct tz;

/* Record flags. */
#define RECORD_MALFORMED	0x01	/* a broken envelope was kept as text */
#define RECORD_TRUNCATED	0x02	/* a line of it was cut at READER_MAX_LINE */
#define RECORD_NO_TS		0x04	/* no stamp of its own: time inherited (or none at all) */
#define RECORD_BACKWARDS	0x08	/* its time is earlier than the previous record of its source */
#define RECORD_BAD_UTF8		0x10	/* holds invalid UTF-8 */
#define RECORD_NUL		0x20	/* holds NUL bytes */
#define RECORD_TRACEBACK	0x40	/* holds a Python traceback */
/*
 * Below WARNING, yet one of its further lines is a failure at the start
 * of a line (level_of_failure_line), as a program prints one past its
 * logger: Node's "Error: boom" and its frames after a crash.
 */
#define RECORD_FAILURE		0x80

struct record {
	int64_t			 ts;		/* UTC ms; TS_NONE if no stamp was ever seen */
	const char		*source;	/* envelope source (compose name...), or NULL for the input's own */
	size_t			 source_len;
	const char		*source_kind;	/* its first line's envelope_line.source_kind; NULL with source */
	/*
	 * One nonzero number for every record of one source name, while the
	 * multiline lives (0 with no source): a source met before is known
	 * without comparing its name.
	 */
	uint64_t		 source_id;
	enum envelope_stream	 stream;
	/* message lines joined by '\n'; valid during the callback, not NUL-terminated */
	const char		*text;
	size_t			 len;
	/*
	 * text lies in a line pushed (see multiline_lend): it stays valid
	 * past the callback, until the caller's multiline_settle.
	 */
	int			 lent;
	uint64_t		 line_first;	/* physical line numbers in the input */
	uint64_t		 line_last;
	/*
	 * Its physical lines: fewer than line_last - line_first + 1 where
	 * other sources' lines came between them (a compose log).
	 */
	uint64_t		 lines;
	uint64_t		 offset_first;	/* byte offset of its first physical line */
	unsigned		 flags;
	uint64_t		 raw_bytes;	/* input bytes of its lines, envelopes and newlines included */
	uint64_t		 malformed_lines;	/* its lines whose envelope was broken */
	int			 level;		/* severity its envelope or first line states, or LEVEL_NONE */
	size_t			 body;		/* offset in text of the message after stamp and level */
	/*
	 * Clock offsets: a record with an envelope time and a leading stamp
	 * of its own has both here (own naive stamps read in tz), for the
	 * first ML_CLOCK_SAMPLES such records of a source; TS_NONE otherwise.
	 */
	int64_t			 env_ts, own_ts;
	unsigned char		 env_naive;	/* the envelope's stamp had no zone (Docker Desktop) */
	unsigned char		 own_naive;	/* the record's own stamp had no zone */
};

/* Records per source whose two stamps are handed on for clock offsets. */
#define ML_CLOCK_SAMPLES	1000

typedef void (*multiline_emit_fn)(void *arg, const struct record *rec);

struct multiline;

/* Records are handed to emit, in completion order.  tz: naive inner stamps (NULL = UTC). */
struct multiline *multiline_new(const struct tz *tz, multiline_emit_fn emit, void *arg);
void multiline_free(struct multiline *m);

/* Feed one decoded line with its physical position. */
void multiline_push(struct multiline *m, const struct envelope_line *el,
    const struct reader_line *rl);

/*
 * The caller will call multiline_settle before the memory of a pushed
 * line is used again (see reader_set_recycle): a one-line record's text
 * is then its line's own memory until that, not a copy.
 */
void multiline_lend(struct multiline *m);
/* The lines pushed may be used again: copy what pending records keep of them. */
void multiline_settle(struct multiline *m);

/* Emit every pending record (end of input, or an idle stream). */
void multiline_flush(struct multiline *m);

/*
 * Emit the pending records that are finished, keep the open ones: a
 * traceback before its final exception line, a json-file record whose
 * last part is partial.  More lines may still complete those (a file
 * that grows, a pause in a followed stream).
 */
void multiline_flush_finished(struct multiline *m);

/*
 * --tz auto: per source, naive stamps are read in the zone the other
 * stamps imply.  The first record with an envelope time and a stamp of its
 * own, one of them naive, whose two differ by a whole number of hours
 * (within 15 minutes) fixes the source's offset; from then on the naive
 * stamps of that side (the records' own, or a Docker Desktop copy's
 * envelope) are read at it, and a record whose naive envelope comes with
 * a stamp of its own takes that stamp.  When both are naive (a Docker
 * Desktop copy of a container logging naive stamps) the record's own is
 * taken to be UTC, the container default.  Call before the first line;
 * tz must then be NULL.
 */
void multiline_set_tz_auto(struct multiline *m);

/*
 * The time of the input's latest record before where this run begins (a
 * resume point): lines without a stamp of their own take it.
 */
void multiline_set_time(struct multiline *m, int64_t ts);

/*
 * The smallest offset_first among pending records, or `current` when none is
 * pending: input before it has been emitted whole, so it is a safe resume point.
 * *lineno receives the matching line number minus one.
 */
uint64_t multiline_safe_offset(const struct multiline *m, uint64_t current,
    uint64_t current_lineno, uint64_t *lineno);

#endif
