/*
 * ordinals.h - the de-duplication ordinals of ingest: an event is told
 * apart from an identical one (same source, rule, second and text) by its
 * ordinal, how many such records came before it in that second.  A source's
 * state is its current second's counts, a snapshot of the state at the
 * last resume point and a log of what changed it since; the state at a
 * commit point is saved with the resume point (store_ordinals_*) and a
 * resumed run starts from it, so ordinals come out the same however often
 * a file is read.  Knows the store's ordinal rows and nothing else of the
 * store; knows nothing of readers, rules, batches or the writer thread.
 */
#ifndef LOGTRIAGE_ORDINALS_H
#define LOGTRIAGE_ORDINALS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

/* The (hash, count) pairs of one source's current second, for ordinals. */
struct ord {
	uint64_t	hash;
	int		n;
};

/*
 * What changed a source's ordinal state, in the order it happened: a record
 * with a new ts (hash unused) or an event.  off: the record's first byte.
 */
struct ordlog {
	int64_t		ts;
	uint64_t	hash;
	uint64_t	off;
	int		event;
};

struct ord_index;
struct ord_recent;

/* How many seconds with events a source keeps the counts of (ord_recent). */
#define ORD_RECENT	8

/* One source's ordinal state; zeroed, then ordinals_init. */
struct ordinals {
	int64_t		 ts;		/* the second ords counts */
	struct ord	*ords;
	size_t		 nords, cap;
	/*
	 * The counts of the last seconds before ts that had events, so that
	 * a time that steps back a little (processes writing to one log
	 * out of order) goes on counting where its second left off; NULL
	 * until a second with events is left, as for most sources.
	 */
	struct ord_recent *recent;
	/*
	 * Hash indexes of ords and snap, made once either holds many
	 * hashes (records without a time are all of one "second"); NULL
	 * until then, as for most of the million sources there can be.
	 */
	struct ord_index *ix;
	/*
	 * The ordinal state of the records before the last resume point
	 * (snap_ts and snap), and what changed it since (log), so the state
	 * at the next resume point can be saved even when that point lies
	 * before records already read (a pending multiline record).
	 */
	int64_t		 snap_ts;
	struct ord	*snap;
	size_t		 nsnap, snapcap;
	struct ordlog	*log;
	size_t		 nlog, logcap;
};

void ordinals_init(struct ordinals *o);
void ordinals_free(struct ordinals *o);
/*
 * A record at off opens a new second ts: its counts start from nothing,
 * or, were it one of the last ORD_RECENT seconds with events, from where
 * they were.  Only within one run: a resumed run starts from the counts
 * of the second it resumes in alone.
 */
void ordinals_second(struct ordinals *o, int64_t ts, uint64_t off);
/* The ordinal of an event with this hash among the current second ts. */
int ordinals_event(struct ordinals *o, int64_t ts, uint64_t hash, uint64_t off);
/*
 * Move what happened before offset from the log into the snapshot: the
 * snapshot is then the ordinal state a run resuming at offset starts with.
 * *time and *time_off follow the latest change before offset.
 */
void ordinals_advance(struct ordinals *o, uint64_t offset, int64_t *time,
    uint64_t *time_off);

/* The ordinal state saved at an input's resume point, as read back. */
struct ord_restore {
	struct store_ordinal	*v;	/* source_id 0: taken by a source met */
	size_t			 n;
	struct util_index	 index;	/* v by source id, once needed */
};

/* Read the state saved for the input key; *old as store_ordinals_get. */
int ord_restore_load(struct ord_restore *r, struct store *st, const char *key,
    uint64_t fingerprint, int *old, char *err, size_t errlen);
/* Forget the state read (the input is read from its start). */
void ord_restore_drop(struct ord_restore *r);
void ord_restore_free(struct ord_restore *r);
/*
 * Start the source id's state o where the resume point left it, the
 * source's entries in their stored order, and take them from r.
 */
void ord_restore_seed(struct ord_restore *r, int64_t id, struct ordinals *o);

/*
 * A source's ordinal state at the commit point, to be saved: its second
 * and n entries of the ords from first.
 */
struct bord {
	int64_t		sid, ts;
	size_t		first, n;
};

/* The ordinal state at a commit point of the sources it changed for. */
struct ord_save {
	struct store_ordinal	*ords;
	size_t			 nords, ordcap;
	struct bord		*bords;
	size_t			 nbords, bordcap;
	int			 reset;	/* ... of every source */
};

void ord_save_clear(struct ord_save *sv);
void ord_save_free(struct ord_save *sv);
/* Save the ordinal state source sid has at the commit point. */
void ord_save_source(struct ord_save *sv, int64_t sid, const struct ordinals *o);
/* Save, as they were, the sources of the resume point not met in this run. */
void ord_save_unmet(struct ord_save *sv, const struct ord_restore *r);
/* Write what sv holds for the input key (in the commit's transaction). */
int ord_save_write(const struct ord_save *sv, struct store *st, const char *key,
    uint64_t fingerprint, char *err, size_t errlen);

#endif
