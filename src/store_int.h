/*
 * store_int.h - the store's insides, shared by store.c and
 * store_samples.c alone: the prepared statements, struct store and the
 * few helpers both use.  Nothing else includes it; everyone else sees
 * struct store through store.h only.
 */
#ifndef LOGTRIAGE_STORE_INT_H
#define LOGTRIAGE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"
#include "store_feed.h"
#include "util.h"

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SOURCE_GET,
	ST_SOURCE_ADD,
	ST_SOURCE_INSERT,
	ST_SOURCE_INSERT_MANY,
	ST_SOURCE_SEEN,
	ST_SOURCE_SEEN_MANY,
	ST_INGEST_ADD,
	ST_INGEST_UPDATE,
	ST_INPUT_GET,
	ST_INPUT_SET,
	ST_ORD_PUT,
	ST_ORD_PUT_MANY,
	ST_ORD_GET,
	ST_ORD_GET_OLD,
	ST_ORD_CLEAR,
	ST_ORD_CLEAR_OLD,
	ST_EVENT_ADD_FED,
	ST_VOLUME_ADD,
	ST_VOLUME_ADD_MANY,
	ST_VOLUME_ADD_FEW,
	ST_INPUT_TS_SET,
	ST_INPUT_RULES_GET,
	ST_INPUT_RULES_SET,
	ST_VMARK_GET,
	ST_VMARK_SET,
	ST_VMARK_SET_MANY,
	ST_VMARK_COUNT,
	ST_RULE_SET,
	ST_MINUTES_ADD,
	ST_MINUTES_ADD_MANY,
	ST_MINUTES_ADD_FEW,
	ST_MINUTES_DROP,
	ST_NEXT_ID,
	ST_EVENT_UNDO,
	ST_SAMPLE_ADD,
	ST_SPAN_FIND,
	ST_SAMPLE_KEYS,
	ST_SAMPLE_UNTIMED_KEYS,
	ST_SPAN_ADD,
	ST_SAMPLE_RULES,
	ST_COUNT
};

/* The SQL of each statement, prepared by store_open or store_stmt. */
extern const char *const store_sql[ST_COUNT];

/*
 * Rows of event_minutes, volume and the like go STORE_EVENT_ROWS to a
 * statement, so the per-statement work (cursors opened and closed, the
 * program started and halted) is paid once per sixteen rows.  More rows
 * per statement gain nothing measurable.
 */
#define STORE_EVENT_ROWS 16
/*
 * The rows a call leaves short of STORE_EVENT_ROWS go this many to a
 * statement, then one by one: a row alone costs half again as much.
 */
#define STORE_FEW_ROWS 4

/* The columns of events and samples, in their order. */
#define EVENT_COLS "id, source_id, rule, ts, hash, ordinal, line, line_end," \
	" stream, text, fields, value, grp, link, inherited, dup_of"
#define SAMPLE_COLS "s.id, s.source_id, r.rule, s.ts, s.hash, s.ordinal," \
	" s.line, s.line_end, s.stream, s.text, s.fields, s.value, s.grp," \
	" s.link, s.inherited, s.dup_of"

/*
 * The samples of one rule in one call of store_insert_events (the time
 * range of its rows, and the hull [a, b] of the stored spans that range
 * meets, if any), or (pending) stored by this transaction: the span
 * written at commit.
 */
struct sample_span {
	int64_t		 rule_no;	/* sample_rules.no */
	int64_t		 lo, hi;
	int64_t		 n;		/* new samples */
	int		 meets;
	int64_t		 a, b;
};

/* The times, or ordinals, a call's rows of one rule and source span. */
struct sample_range {
	int64_t		 rule_no, source_id, lo, hi;
	int		 span;		/* its rule's struct sample_span */
};

/* A sample's key. */
struct sample_key {
	int64_t		 source_id, ts;
	uint64_t	 hash;
	int32_t		 ordinal, rule_no;
};

/*
 * What one row of the many-row event_minutes upsert was bound to last,
 * of what sorted rows repeat: parameters stay bound from one use of a
 * statement to the next, and comparing costs less than binding again.
 */
struct minute_bound {
	const char	*rule;
	int64_t		 source_id;
	int		 valid;
};

/* What one row of the many-row volume upsert was bound to last: its source. */
struct volume_bound {
	int64_t		 source_id;
	int		 valid;
};

/*
 * A rule name store_samples_sort met and its sample_rules.no, or 0.  A
 * batch's events come in runs of a few rules, one string each, so the
 * address finds the number without comparing names.
 */
struct sample_seen {
	const char	*rule;
	int64_t		 no;
};
#define SAMPLE_SEEN_BITS	5
#define SAMPLE_SEEN		(1 << SAMPLE_SEEN_BITS)

struct minutes;
struct source_slot;
struct store_ckpt;
struct store_syncer;

struct store {
	sqlite3			*db;
	char			*path;
	int			 readonly;
	int			 event_hash;	/* meta event_hash: 1 or 2 */
	int			 untimed_ordinal; /* meta untimed_ordinal: STORE_ORDINAL_* */
	int			 untimed_samples; /* meta untimed_samples is 'samples' */
	struct store_ckpt	*ckpt;
	sqlite3_stmt		*st[ST_COUNT];
	struct source_slot	*slots;
	size_t			 nslots;
	size_t			 nused;
	int			 adding;	/* the last source looked up was new */
	int			 lockfd;	/* PATH-lock for input claims, or -1 */
	/*
	 * PATH-build while this run builds the database (STORE_BUILD), its
	 * descriptor, how much of it has been sent to be synced, and the
	 * thread that syncs it (store.c, NULL until the first).
	 */
	char			*building;
	int			 buildfd;
	off_t			 kicked;
	struct store_syncer	*syncer;
	/* a write failed in a way that may leave the file inconsistent */
	int			 broken;
	/*
	 * The connection of store_source_find and the sources claim (NULL
	 * until the first), and its statements.
	 */
	sqlite3			*look;
	sqlite3_stmt		*look_find, *look_max;
	struct minutes		*minutes;	/* this transaction's event_minutes */
	struct minute_bound	 mbound[STORE_EVENT_ROWS];	/* ST_MINUTES_ADD_MANY's rows */
	struct volume_bound	 vbound[STORE_EVENT_ROWS];	/* ST_VOLUME_ADD_MANY's rows */
	/*
	 * Made from the image by this open: synchronous is OFF until the
	 * first commit, whose frames start the WAL, and whose header SQLite
	 * would otherwise fsync (with the directory's) for nothing to lose.
	 */
	int			 unsynced;
	/*
	 * The next id of events and samples less one, read at the first
	 * insert of a transaction (-1: not read yet).
	 */
	int64_t			 last_id;
	/*
	 * The rules whose events are in samples (but the untimed ones
	 * without untimed_samples), read by store_sync_rules and again at
	 * each store_begin after it, since another process may have moved
	 * a rule's events since.
	 */
	char			**sample_rules;
	int64_t			*sample_nos;	/* their sample_rules.no */
	size_t			 nsample_rules;
	int			 samples_synced;
	/*
	 * Rules looked up since, by the address of their name, and their
	 * numbers (0: not samples), SAMPLE_SEEN of them.
	 */
	struct sample_seen	 sample_seen[SAMPLE_SEEN];
	struct sample_span	*spans;		/* this call's, per rule */
	size_t			 nspans, spans_cap;
	struct sample_span	*pending;	/* this transaction's, per rule */
	size_t			 npending, pending_cap;
	struct sample_range	*ranges;	/* this call's, as sample_overlaps_load needs */
	size_t			 nranges, ranges_cap;
	struct sample_key	*keys;		/* this call's */
	size_t			 keys_cap, nkeys;
	struct util_index	 key_index;	/* of keys */
	/*
	 * The call's new events and samples, each stored by one statement
	 * (ST_EVENT_ADD_FED, ST_SAMPLE_ADD) that reads them as event_feed
	 * and sample_feed, registered on the connection at the first call
	 * (fed).
	 */
	struct store_feed	 event_rows, sample_rows;
	int			 fed;
	/* per event of the call: its rule's span (-1: not a sample), its id */
	int			*span_of;
	int64_t			*rowid;
	size_t			 call_cap;
};

/*
 * The error of the last call on s's connection as err ("PATH: what: "
 * and SQLite's message).  Returns -1.
 */
int store_fail(struct store *s, char *err, size_t errlen, const char *what);
/* Run one statement to completion and reset it; 0 or -1 with err. */
int store_step(struct store *s, sqlite3_stmt *st, char *err, size_t errlen,
    const char *what);
/* Prepare statement i of store_sql; its handle, or NULL with err. */
sqlite3_stmt *store_prepare(struct store *s, int i, char *err, size_t errlen);

/*
 * Statement i of store_sql, prepared on its first use: of the statements
 * that write rows a run uses some only (a single source needs no
 * sixteen-row statement for sources), and preparing those of many rows
 * costs as much as storing a few hundred rows.  NULL with err on failure.
 */
static inline sqlite3_stmt *
store_stmt(struct store *s, int i, char *err, size_t errlen)
{
	return s->st[i] != NULL ? s->st[i] : store_prepare(s, i, err, errlen);
}

/* Bind text p to parameter i, or NULL when p is; SQLite keeps the pointer. */
static inline void
bind_text_or_null(sqlite3_stmt *st, int i, const char *p)
{
	if (p == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, p, -1, SQLITE_STATIC);
}

#endif
