/*
 * writer.h - the writer thread of ingest and the batches it stores.  The
 * reading thread packs each commit's events (with copies of their text),
 * volume rows, marks, new sources and commit point into a batch and hands
 * it over (writer_submit) through a queue of WRITER_QUEUE; the writer
 * stores it, brings the correlation up to date and commits, while the
 * reader parses the next.  Until WRITER_PARALLEL_BYTES are read, the
 * reading thread writes its batches itself.  At most WRITER_QUEUE + 2
 * batches exist, so memory stays bounded.
 *
 * Ownership: a batch is the reading thread's until writer_submit, then the
 * writer's until it is written and put back for reuse; the store and the
 * correlation are the writer's while it works, and the reading thread's
 * only after writer_drain.  The writer owns its scratch and its context
 * writer (ctx), which the reading thread may use only after writer_drain.
 * Knows nothing of readers, envelopes, records, rules' patterns or the
 * reading thread's state of a source; prints nothing.
 */
#ifndef LOGTRIAGE_WRITER_H
#define LOGTRIAGE_WRITER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "correlate.h"
#include "ordinals.h"
#include "rules.h"
#include "store.h"
#include "tcount.h"
#include "util.h"

/*
 * Input read from which the writer works on a thread of its own: below,
 * the reading thread writes its batches itself (writer_start).
 */
#define WRITER_PARALLEL_BYTES	(1024u * 1024)
/* Batches handed over and not yet taken by the writer. */
#define WRITER_QUEUE	2
/* A batch's text past this much is due for a commit (and given back after). */
#define WRITER_BATCH_BYTES	(2u * 1024 * 1024)
/*
 * Events the writer prepares and hands to the store at once.  Each call
 * stores the rows short of a full statement apart (in fours, then one by
 * one), and a quarter as many calls cut the writer's instructions by 0.7%
 * (256 -> 1024); more gains nothing.
 */
#define WRITER_CHUNK	1024

/*
 * One event of a batch; its text sits in the batch's data, its fields and
 * group are spans of that copy.  The writer turns the fields into JSON, so
 * the reading thread, the busier of the two, does not.
 */
struct bev {
	int64_t		source_id, ts;
	uint64_t	hash, line, line_end;
	int		rule_index, ordinal, stream, has_value, has_grp;
	double		value;
	size_t		text_off, text_len, field0, nfields, grp_off, grp_len;
	/* context: 0 none, 1 at ctx_off in the file, 2 in block ctx_block */
	int		ctx;
	uint64_t	ctx_off;
	size_t		ctx_block;
};

/* A field of a batch event: the group's name (the matcher's) and its value. */
struct bfield {
	const char	*name;
	size_t		 off, len;	/* in the batch's data */
};

/* A source's volume mark as this run leaves it; texts in the batch's mtexts. */
struct bmark {
	int64_t		sid, ts;
	uint64_t	offset;
	size_t		t0, nt;
	int		unmarked;	/* nothing stored to merge with */
};

/* What one commit writes: the events and the state at its commit point. */
struct batch {
	struct bev			*ev;
	size_t				 nev, evcap;
	struct bfield			*fields;
	size_t				 nfields, fieldcap;
	struct buf			 data;
	struct store_volume		*vols;
	size_t				 nvols, volcap;
	struct store_seen		*seen;
	size_t				 nseen, seencap;
	struct bmark			*marks;
	size_t				 nmarks, markcap;
	struct store_vtext		*mtexts;
	size_t				 nmtexts, mtextcap;
	/*
	 * The sources first met in it, with the ids the reading thread
	 * chose (names and identities are the sources' own); allocs: it
	 * counts in writer.pending.
	 */
	struct store_source_row		*srcs;
	size_t				 nsrcs, srccap;
	int				 allocs;
	uint64_t			 offset, lineno;
	int64_t				 ts;	/* the latest record's time before offset */
	int				 resumable;
	/* the input it is of: its key, fingerprint, rule set and ingests row */
	const char			*key;
	uint64_t			 fingerprint, rules_hash;
	int64_t				 ingest_id;
	/* the ordinal state at offset of the sources it changed for */
	struct ord_save			 ords;
	struct store_ingest_counts	 counts;	/* physical counters */
	struct context_pack		 ctx;	/* stream records kept as context */
	const char			*status;
	struct batch			*next;
};

/*
 * Where the two threads' time went, in seconds: the writer's CPU (the
 * correlation's share of it) and how long it waited for a batch; how long
 * the reading thread waited for the writer (a full queue, a drain).  The
 * thread that waits less sets the pace.
 */
struct writer_times {
	double	cpu, correlate_cpu, idle, blocked;
	double	compress_cpu;	/* deflating a stream's context ahead */
};

/*
 * A field name writer_fields met in the events it prepares: its length
 * and whether it goes into JSON as it is.  An event's names are its
 * rule's, and the rules of a chunk are few.
 */
struct writer_name {
	const char	*name;
	size_t		 len;
	int		 plain;
};
#define WRITER_NAME_BITS	4

/* The writer thread and the queues between it and the reading thread. */
struct writer {
	struct store		*st;
	struct correlate	*corr;
	const struct ruleset	*rs;
	pthread_t		 thread;
	int			 running;
	int			 inited;		/* mu and cv are */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct batch		*queue, *queue_tail;	/* handed over */
	size_t			 nqueue;
	struct batch		*free;			/* written, for reuse */
	int			 busy;			/* writing a batch */
	int			 quit;
	/*
	 * The sources claim (store_sources_claim) is held while batches
	 * with ids chosen under it are not committed: pending counts them,
	 * the reading thread's open batch included.
	 */
	int			 claimed;
	size_t			 pending;
	/* owned by the writer thread while it runs; read after writer_drain */
	uint64_t		 events, duplicates, repeats;
	int			 failed;
	char			 err[512];
	struct store_event	 evs[WRITER_CHUNK];	/* writer_events' rows */
	struct buf		 fields;		/* ... their fields' JSON */
	struct writer_name	 names[1 << WRITER_NAME_BITS];	/* ... and names */
	size_t			 fields_at[WRITER_CHUNK];
	unsigned char		 added[WRITER_CHUNK];
	int64_t			 ids[WRITER_CHUNK];
	struct context_writer	*ctx;
	int64_t			*block_ids;		/* the batch's context blocks */
	size_t			 block_idcap;
	struct store_vmark	 vm;			/* writer_marks' scratch */
	struct tcount		 merge;			/* ... and its texts */
	/* under mu: where the time went (writer_times) */
	struct writer_times	 times;
};

struct batch *writer_batch_new(void);
void writer_batch_free(struct batch *b);
/* Empty b for reuse. */
void writer_batch_clear(struct batch *b);

/*
 * Set w up to write to st and correlate with corr.  Until writer_parallel,
 * writer_submit writes each batch itself, on the reading thread: a small
 * input is done before a second thread would have started, and each hand
 * over to another processor of a virtual machine may wait for the host.
 */
void writer_start(struct writer *w, struct store *st, struct correlate *corr,
    const struct ruleset *rs);
/* Start the thread that writes from now on (once).  0 or -1 with err. */
int writer_parallel(struct writer *w, char *err, size_t errlen);
/* Write what was handed over, stop the thread and free what it holds. */
void writer_stop(struct writer *w);
/* Hand b over; returns an empty batch to fill next. */
struct batch *writer_submit(struct writer *w, struct batch *b);
/* Wait until the writer has written everything handed over. */
void writer_drain(struct writer *w);
/* 1 if the writer failed (its message copied to err), else 0. */
int writer_failed(struct writer *w, char *err, size_t errlen);
/* The times so far (complete for what was handed over after writer_drain). */
void writer_times(struct writer *w, struct writer_times *t);

/*
 * The sources claim (store_sources_claim) is held while batches with ids
 * chosen under it are not committed.  writer_allocs: the reading
 * thread's open batch chose ids (once per batch); 1 if the claim must be
 * taken first, which the reader then says with writer_claimed.
 * writer_allocs_dropped: the open batch is dropped unsubmitted.
 */
int writer_allocs(struct writer *w);
void writer_claimed(struct writer *w);
void writer_allocs_dropped(struct writer *w);

#endif
