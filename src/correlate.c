/*
 * correlate.c - keep incidents and links equal to what the stored events
 * imply.  Notes from ingest say which (rule, source) pairs changed and
 * from what log time; correlate_run then recomputes each pair from a quiet
 * point before that time (a moment with no event of the rule in the window
 * before it, so no episode or wait can straddle it) to the end of the
 * data.  Results therefore depend only on the set of stored events, never
 * on how or in what order they arrived.  The window logic itself is in
 * correlator.c; this file only reads and writes the store.
 *
 * Recomputing from a quiet point at every commit costs O(n^2) when the
 * events of many keys interleave so densely that no quiet point ever comes
 * (a storm rule keyed on a field with a million values).  So within one
 * run the storm trackers and expectation pairers stay live from commit to
 * commit, holding only live keys and waiting subjects.  While new events
 * come at or after the last event fed (the normal stream) only they are
 * fed; episodes that close are written, and the rows of those still open
 * are replaced at each commit.  An event earlier than that, a rollback, a
 * commit by another connection or a rebuild falls back to the recompute
 * from a quiet point, which seeds the live state afresh.  The repeats of
 * a sample (same = ...) are kept live the same way.  The live state is fed
 * the new events from what the writer hands over (id, time, and the
 * value, group or fields the key is made of) without reading them back,
 * where every new event of the pair was handed over and keyed as the
 * scan would key it; else, and for every recompute, they are read back.
 */
#include "correlate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "correlator.h"
#include "rules.h"
#include "store.h"
#include "store_query.h"
#include "util.h"

/* Bounds for "everything" that leave room to add or subtract a window. */
#define TS_LOW	(INT64_MIN / 4)
#define TS_HIGH	(INT64_MAX / 4)

enum {
	ST_WALK,
	ST_DEL_STORMS,
	ST_DEL_WAITS,
	ST_CLEAR_LINKS,
	ST_SET_LINK,
	ST_ADD_INCIDENT,
	ST_FOLLOW_SUBJECTS,
	ST_SET_FOLLOW,
	ST_LOG_TIME,
	ST_RESETTLE,
	ST_SCAN_A_AFTER,
	ST_DEL_STORM,
	ST_DEL_WAIT,
	ST_DATA_VERSION,
	ST_SCAN_B_AFTER,
	ST_SET_DUP,
	ST_OPEN_SOURCES,
	ST_SAME_LATER,
	ST_SET_DUP_SAMPLE,
	ST_EXTRACT,
	ST_EXTRACT_LOWER,
	ST_FOLLOW_LAST,
	/* only a rebuild uses those below, so a run prepares them when it does */
	ST_SOURCES,
	ST_DEL_ALL,
	ST_CLEAR_ALL,
	ST_CLEAR_DUPS,
	ST_CLEAR_DUPS_SAMPLES,
	ST_CLEAR_ALL_SAMPLES,
	ST_COUNT
};

static const char *const correlate_sql[ST_COUNT] = {
	[ST_WALK] =
	    "SELECT ts FROM events WHERE rule = ?1 AND source_id = ?2 AND ts < ?3"
	    " ORDER BY ts DESC",
	[ST_DEL_STORMS] =
	    "DELETE FROM incidents WHERE kind = 'storm' AND rule = ?1"
	    " AND source_id = ?2 AND start >= ?3",
	[ST_DEL_WAITS] =
	    "DELETE FROM incidents WHERE kind IN ('unresolved', 'open')"
	    " AND rule = ?1 AND source_id = ?2 AND start >= ?3",
	[ST_CLEAR_LINKS] =
	    "UPDATE events SET link = NULL WHERE rule = ?1 AND source_id = ?2"
	    " AND ts >= ?3 AND link IS NOT NULL",
	[ST_SET_LINK] = "UPDATE events SET link = ?2 WHERE id = ?1",
	[ST_ADD_INCIDENT] =
	    "INSERT INTO incidents (kind, rule, source_id, key, start, end, count,"
	    " peak_per_min, detected_at, event_id, details)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/*
	 * ts order is the index's: the subjects of one time are independent
	 * of each other, so their order among themselves does not matter.
	 * What they link to now is read so that an unchanged one is not
	 * written again.
	 */
	[ST_FOLLOW_SUBJECTS] =
	    "SELECT id, ts, fields, link, inherited FROM events"
	    " WHERE rule = ?1 AND source_id = ?2 AND ts >= ?3 AND ts <= ?4"
	    " ORDER BY ts",
	[ST_SET_FOLLOW] =
	    "UPDATE events SET link = ?2, inherited = ?3 WHERE id = ?1",
	[ST_LOG_TIME] = "SELECT last_ts FROM sources WHERE id = ?1",
	[ST_RESETTLE] =
	    "UPDATE incidents SET kind = 'unresolved' WHERE kind = 'open'"
	    " AND rule = ?1 AND source_id = ?2 AND start > ?4 AND start <= ?3",
	/* what key_scan cannot read itself (correlate_field_text) */
	[ST_EXTRACT] = "SELECT json_extract(?1, ?2)",
	[ST_EXTRACT_LOWER] = "SELECT lower(json_extract(?1, ?2))",
	[ST_FOLLOW_LAST] =
	    "SELECT max(ts) FROM events WHERE rule = ?1 AND source_id = ?2",
	[ST_SOURCES] = "SELECT id FROM sources ORDER BY id",
	[ST_DEL_ALL] = "DELETE FROM incidents",
	[ST_CLEAR_ALL] =
	    "UPDATE events SET link = NULL, inherited = NULL"
	    " WHERE link IS NOT NULL OR inherited IS NOT NULL",
	/*
	 * The events after (ts ?3, id ?4), with their fields, whose by-field
	 * key_scan reads.  ts order is the index's, and key_scan puts the
	 * events of one time in id order: "ORDER BY ts, id" had SQLite sort
	 * every row in a temporary B-tree.  Storms use the first; an
	 * expectation its subjects the first, its targets the second.
	 */
	[ST_SCAN_A_AFTER] =
	    "SELECT id, ts, fields FROM events"
	    " WHERE rule = ?1 AND source_id = ?2 AND ts >= ?3"
	    " AND (ts > ?3 OR id > ?4) ORDER BY ts",
	[ST_SCAN_B_AFTER] =
	    "SELECT id, ts, fields FROM events"
	    " WHERE rule = ?1 AND source_id = ?2 AND ts >= ?3"
	    " AND (ts > ?3 OR id > ?4) ORDER BY ts",
	/* An episode or a wait is one row: a key has one episode at a time. */
	[ST_DEL_STORM] =
	    "DELETE FROM incidents WHERE kind = 'storm' AND rule = ?1"
	    " AND source_id = ?2 AND start = ?3 AND key = ?4",
	[ST_DEL_WAIT] =
	    "DELETE FROM incidents WHERE kind IN ('unresolved', 'open')"
	    " AND rule = ?1 AND source_id = ?2 AND start = ?3 AND event_id = ?4",
	[ST_DATA_VERSION] = "PRAGMA data_version",
	[ST_SET_DUP] = "UPDATE events SET dup_of = ?2 WHERE id = ?1",
	[ST_OPEN_SOURCES] =
	    "SELECT DISTINCT source_id FROM incidents WHERE kind = 'open'",
	[ST_CLEAR_DUPS] = "UPDATE events SET dup_of = NULL WHERE dup_of IS NOT NULL",
	/*
	 * A rule with same = may be a metric rule, whose events are in
	 * samples (schema.sql): its scans read both tables, and a repeat is
	 * marked in the one that holds it.
	 */
	[ST_SAME_LATER] =
	    "SELECT 1 FROM events_all WHERE rule = ?1 AND source_id = ?2"
	    " AND ts > ?3 LIMIT 1",
	[ST_SET_DUP_SAMPLE] = "UPDATE samples SET dup_of = ?2 WHERE id = ?1",
	[ST_CLEAR_DUPS_SAMPLES] =
	    "UPDATE samples SET dup_of = NULL WHERE dup_of IS NOT NULL",
	/* links left from when a rule that is a sample rule now was not */
	[ST_CLEAR_ALL_SAMPLES] =
	    "UPDATE samples SET link = NULL, inherited = NULL"
	    " WHERE link IS NOT NULL OR inherited IS NOT NULL",
};

/*
 * Statements only a recompute, a repeat, a wait left open, a field
 * correlate_field_text cannot read or events not handed over need: a run
 * prepares them when it first does (later_stmt), and a fresh ingest of
 * one input seldom does.
 */
static const unsigned char correlate_sql_later[ST_COUNT] = {
	[ST_WALK] = 1,
	[ST_DEL_STORMS] = 1,
	[ST_DEL_WAITS] = 1,
	[ST_CLEAR_LINKS] = 1,
	[ST_RESETTLE] = 1,
	[ST_DEL_STORM] = 1,
	[ST_DEL_WAIT] = 1,
	[ST_SET_DUP] = 1,
	[ST_SAME_LATER] = 1,
	[ST_SET_DUP_SAMPLE] = 1,
	[ST_EXTRACT] = 1,
	[ST_EXTRACT_LOWER] = 1,
	[ST_FOLLOW_LAST] = 1,
	[ST_FOLLOW_SUBJECTS] = 1,
	[ST_SCAN_A_AFTER] = 1,
	[ST_SCAN_B_AFTER] = 1,
};

/*
 * The targets of one rule a subject may follow, in the index's ts order:
 * run_follows walks them beside the subjects, one statement per target
 * rule of a follows, since their cursors are open at once.
 */
static const char follow_target_sql[] =
    "SELECT id, ts, fields FROM events WHERE rule = ?1 AND source_id = ?2"
    " AND ts >= ?3 AND ts <= ?4 ORDER BY ts";

/* What a rule does in correlation. */
#define ROLE_STORM	0x01
#define ROLE_EXPECT	0x02
#define ROLE_FOLLOWS	0x04
#define ROLE_TARGET	0x08	/* some rule expects or follows it */
#define ROLE_SAME	0x10	/* same = F... within W: repeats of a sample */
#define ROLE_SAME_MEM	0x20	/* its same fields are the stored value and group */

enum work_kind {
	WORK_STORM,
	WORK_EXPECT,
	WORK_FOLLOWS,
	WORK_SAME
};

/*
 * The new events of a work's pair noted, and those of them handed over
 * with their id and key (a chain through struct note).
 */
struct note_chain {
	size_t		 nnoted, nkeyed;
	size_t		 first, last;
};

/* Which chain of a work holds a note: the rule's events, its target's. */
enum {
	CHAIN_OWN,
	CHAIN_TARGET,
	CHAIN_COUNT
};

/*
 * One (rule, source) pair to recompute, from log time `from` (follows: to
 * `to`).  first and first_target are the earliest new events of the rule
 * and (expect) of its target, TS_HIGH if none; classic forbids the live path.
 */
struct work {
	int		 rule;
	enum work_kind	 kind;
	int64_t		 source_id;
	int64_t		 from, to;
	int64_t		 first, first_target;
	int64_t		 last_own;	/* follows: the latest new subject, else TS_LOW */
	/*
	 * The new events noted, of the rule and (expect, follows) of its
	 * targets; unfit when one of them cannot be keyed as the scan would
	 * key it.
	 */
	struct note_chain ch[CHAIN_COUNT];
	int		 unfit;
};

/* A new event as correlate_note_sample or correlate_note_fields handed it over. */
struct note {
	int64_t		 ts, id;
	int		 rule;			/* the event's */
	size_t		 key_off, key_len;	/* in struct correlate's note_keys */
	size_t		 next;			/* of its chain; UTIL_INDEX_NONE: last */
};

/* What correlate_note_fields keeps of an event as its note's key. */
enum note_as {
	NOTE_FIELD,		/* the text of a field, as key_scan reads it */
	NOTE_FIELD_LOWER,	/* the same, lowered */
	NOTE_FIELDS		/* the fields themselves, with a NUL after them */
};

/*
 * A chain correlate_note added to and correlate_note_fields keys the
 * event into, with the field its key is.
 */
struct note_want {
	size_t		 work;
	int		 chain;
	enum note_as	 as;
	const char	*field;
};

/* The latest log time a source was noted at. */
struct src_time {
	int64_t		 source_id;
	int64_t		 ts;
};

/* A scan position: the events after (ts, id) in (ts, id) order. */
struct scan_pos {
	int64_t		 ts, id;
};

/* An event as a scan gives it: key points into the scan. */
struct scan_row {
	int64_t		 id, ts;
	const char	*key;
	size_t		 keylen;
};

/* An event a key_scan read ahead, its key in the scan's keys. */
struct key_row {
	int64_t		 id, ts;
	size_t		 key_off, key_len;
};

/*
 * A scan of one rule's events after a position (ST_SCAN_A_AFTER or _B_),
 * each keyed by the value of a field, as json_extract would give it:
 * read from the fields in C where they are what the store writes, by
 * SQLite otherwise.  Holds the rows of one time, put in id order.
 */
struct key_scan {
	sqlite3_stmt	*st;		/* one of struct correlate's stmt */
	int		 fold;		/* keys lowered (lower()) */
	const char	*field;		/* NULL: every key "" */
	size_t		 fieldlen;
	const char	*path;		/* field_path of field */
	struct key_row	*rows;
	size_t		 n, cap, next;
	struct buf	 keys;
	int		 on_row;	/* st is on a row not yet taken */
	int		 done;		/* st has no more rows */
};

/* What the emit callbacks need, and the first error they met. */
struct emit_ctx {
	struct correlate	*c;
	const struct rule	*r;
	int64_t			 source_id;
	int			 failed;
	struct buf		 details;
};

/* The latest event of one sample key within the window (run_same). */
struct same_seen {
	char		*key;		/* cap bytes */
	size_t		 len, cap;
	int64_t		 ts, id;
};

/* The keys of the events of one (rule, source) within the window of same. */
struct same_state {
	struct same_seen	*seen;
	size_t			 nseen, capseen;
	/*
	 * seen[nseen] to before seen[nheld] are out of the window, their keys
	 * kept for new ones: most events bring a key of their own, which
	 * cost a malloc and a free each.
	 */
	size_t			 nheld;
};

/*
 * The live state of one (rule, kind, source) across the commits of a run:
 * a tracker (storm) or a pairer (expect) fed every stored event of the
 * pair up to a scan position (expect: one per scan), and nothing after.
 */
struct live {
	int			 rule;
	enum work_kind		 kind;
	int64_t			 source_id;
	struct emit_ctx		 x;
	const char		*field;		/* the by-field (the rule's) */
	char			*path;		/* field_path of it */
	struct storm_tracker	*storm;
	struct expect_pairer	*pairer;
	struct scan_pos		 a, b;		/* the rule's events; expect's targets */
	int64_t			 fed_ts;	/* expect: the latest ts fed */
	int			 target_at_fed;	/* expect: a target was fed at fed_ts */
	/* same: the keys seen, having fed every stored event up to a; NULL: none */
	struct same_state	*same;
	/*
	 * follows: a.ts is the latest subject stored.  tw, one per target
	 * rule, are every stored target of the pair from log time tw_from
	 * on; NULL: not known.  tw_upto is the latest target handed to tw:
	 * the windows serve only subjects after it and after a.ts, so that
	 * targets no subject follows are let go as the log goes on.
	 */
	struct follow_window	*tw;
	int64_t			 tw_from, tw_upto;
};

/* Where open waits of a source are known settled: start <= through. */
struct src_settled {
	int64_t		 source_id;
	int64_t		 now;		/* the log time of the last resettle */
};

/*
 * The events of a storm or same rule stored for a source this connection
 * added: all its events of the rule.  Kept only while new_sources holds
 * the source (both are cleared together), so an entry means a new source.
 * Until a storm rule has N of them none can storm, so its tracker is not
 * built (quiet: where it would be fed from).
 */
struct new_pair {
	int		 rule;
	int64_t		 source_id;
	uint32_t	 n;
	int64_t		 quiet;		/* the earliest; TS_HIGH: none */
	/*
	 * same: the first event, which notes no work, as handed over in
	 * the notes of run note_run (first_note UTIL_INDEX_NONE: not).
	 */
	size_t		 first_note;
	uint64_t	 first_run;
};

/*
 * Sources this connection added, as ranges of ids: SQLite numbers a new
 * row one past the largest, so those of a run make one range or a few,
 * where a hash set of a million ids cost a cache miss per lookup.
 */
struct idranges {
	int64_t		(*r)[2];	/* first, last: sorted, apart */
	size_t		 n, cap;
};

/* A set of source ids. */
struct idset {
	int64_t			*v;
	size_t			 n, cap;
	struct util_index	 index;
};

struct correlate {
	struct store		*st;
	sqlite3			*db;
	const struct ruleset	*rs;
	sqlite3_stmt		*stmt[ST_COUNT];
	int			*role;		/* per rule index */
	int			*expect_target;	/* rule index or -1 */
	int			**follows_target;	/* rule indexes (-1: unknown), r->nfollows each */
	sqlite3_stmt		**follow_scan;	/* follow_target_sql, max_follows of them */
	size_t			 max_follows;	/* the most target rules of a follows */
	/*
	 * The rules that expect or follow rule t, in index order, are
	 * subjects[subject0[t] .. subject0[t + 1]): an event of a target
	 * marks the work of those alone.
	 */
	int			*subjects;
	size_t			*subject0;
	/*
	 * Each list below has an entry per source (and rule), and sources
	 * can be as many as the lines: each has a hash index.
	 */
	struct work		*work;
	size_t			 nwork, capwork;
	struct util_index	 work_index;
	struct src_time		*times;
	size_t			 ntimes, captimes;
	struct util_index	 times_index;
	struct live		**live;
	size_t			 nlive, caplive;
	struct util_index	 live_index;
	struct src_settled	*settled;
	size_t			 nsettled, capsettled;
	struct util_index	 settled_index;
	/*
	 * Sources this connection added (correlate_note_new_source) and
	 * sources with open waits (stored ones as of open_version, and those
	 * written since): a source of neither costs no statement per commit.
	 */
	struct idranges		 new_sources;
	struct new_pair		*pairs;
	size_t			 npairs, cappairs;
	size_t			 last_pair;	/* found last: events come in runs */
	struct util_index	 pairs_index;
	struct idset		 open_sources;
	int64_t			 open_version;	/* data_version of the load; -1: none */
	int64_t			 data_version;	/* PRAGMA data_version at the last run */
	int			 stale;		/* a rollback undid what the live state saw */
	int64_t			 repeats;	/* events newly marked a repeat, net */
	/*
	 * Per rule with same = F...: its events in a range of ts, with the
	 * values of F... (same_scan_new), or NULL until run_same needs it.
	 */
	sqlite3_stmt		**same_scan;
	int			**same_cols;	/* per rule with same =: same_column of each */
	int			 prepared;	/* those of a run are (prepare) */
	/* the storm and expect scans */
	struct key_scan		 scan_a, scan_b;
	/* the keyed new events since the last run */
	struct note		*notes;
	size_t			 nnotes, capnotes;
	struct buf		 note_keys;
	size_t			 same_work;	/* the work correlate_note just marked */
	size_t			 same_first;	/* or the new pair whose first event it noted */
	/* the chains correlate_note just added to, but for same's */
	struct note_want	*wants;
	size_t			 nwants, capwants;
	int			 want_rule;	/* the event they are for */
	int64_t			 want_source;
	uint64_t		 note_run;	/* which run's notes c->notes holds */
	size_t			 last_work[WORK_SAME + 1];	/* marked last, per kind */
};

static char *field_path(const char *field);
static void follow_windows_free(struct follow_window *tw, size_t n);
static int data_version(struct correlate *c, int64_t *v, char *err,
    size_t errlen);

/*
 * Where the scan of same finds field i of rule r: the metric field is the
 * stored value (column 2), the metric's by-field the stored group (column
 * 4), any other field is extracted from the JSON (column 5 + i): parsing
 * JSON for every event would cost more than the rest of the work.
 */
static int
same_column(const struct rule *r, size_t i)
{
	if (r->metric_field != NULL &&
	    strcmp(r->same_fields[i], r->metric_field) == 0)
		return 2;
	if (r->metric_by != NULL && strcmp(r->same_fields[i], r->metric_by) == 0)
		return 4;
	return 5 + (int)i;
}

/*
 * Prepare the scan of rule r's events for same (see struct correlate),
 * of both tables (ST_SAME_LATER says why).
 */
static sqlite3_stmt *
same_scan_new(sqlite3 *db, const struct rule *r)
{
	sqlite3_stmt *st = NULL;
	struct buf sql;
	char *path;
	size_t i;

	buf_init(&sql);
	buf_puts(&sql, "SELECT id, ts, value, dup_of, grp");
	for (i = 0; i < r->nsame; i++) {
		if (same_column(r, i) < 5)
			buf_puts(&sql, ", NULL");
		else
			buf_printf(&sql, ", json_extract(fields, ?%zu)", i + 5);
	}
	/*
	 * ts order is the index's; events of one time are put in id order by
	 * run_same: "ORDER BY ts, id" had SQLite sort every row in a temporary
	 * B-tree, which took 40% of the scan.
	 */
	buf_puts(&sql, " FROM events_all WHERE rule = ?1 AND source_id = ?2"
	    " AND ts >= ?3 AND ts <= ?4 ORDER BY ts");
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	for (i = 0; st != NULL && i < r->nsame; i++) {
		if (same_column(r, i) < 5)
			continue;
		path = field_path(r->same_fields[i]);
		sqlite3_bind_text(st, (int)i + 5, path, -1, SQLITE_TRANSIENT);
		free(path);
	}
	buf_free(&sql);
	return st;
}

/* The order of events in a scan: by ts, then by id. */
static int
ts_id_order(int64_t ts1, int64_t id1, int64_t ts2, int64_t id2)
{
	if (ts1 != ts2)
		return (ts1 > ts2) - (ts1 < ts2);
	return (id1 > id2) - (id1 < id2);
}

/* The hash of a (rule, kind, source) key of the lists of struct correlate. */
static uint64_t
key_hash(int rule, int kind, int64_t source_id)
{
	int64_t k[3] = { rule, kind, source_id };

	return util_hash64(k, sizeof k, UTIL_HASH_SEED);
}

static int
idset_has(const struct idset *s, int64_t id)
{
	size_t it = 0, i;
	uint64_t h = key_hash(-1, -1, id);

	while ((i = util_index_next(&s->index, h, &it)) != UTIL_INDEX_NONE)
		if (s->v[i] == id)
			return 1;
	return 0;
}

static void
idset_add(struct idset *s, int64_t id)
{
	if (idset_has(s, id))
		return;
	s->v = util_grow(s->v, &s->cap, s->n, sizeof *s->v, 16);
	util_index_put(&s->index, key_hash(-1, -1, id), s->n);
	s->v[s->n++] = id;
}

/* The first range that does not end before id (n if none). */
static size_t
idranges_pos(const struct idranges *s, int64_t id)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->r[mid][1] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
idranges_has(const struct idranges *s, int64_t id)
{
	size_t i;

	if (s->n > 0 && id >= s->r[s->n - 1][0] && id <= s->r[s->n - 1][1])
		return 1;
	i = idranges_pos(s, id);
	return i < s->n && s->r[i][0] <= id;
}

static void
idranges_add(struct idranges *s, int64_t id)
{
	size_t i = idranges_pos(s, id);

	if (i < s->n && s->r[i][0] <= id)
		return;
	if (i > 0 && s->r[i - 1][1] == id - 1) {
		s->r[i - 1][1] = id;
		if (i < s->n && s->r[i][0] == id + 1) {
			s->r[i - 1][1] = s->r[i][1];
			memmove(&s->r[i], &s->r[i + 1],
			    (s->n - i - 1) * sizeof *s->r);
			s->n--;
		}
		return;
	}
	if (i < s->n && s->r[i][0] == id + 1) {
		s->r[i][0] = id;
		return;
	}
	s->r = util_grow(s->r, &s->cap, s->n, sizeof *s->r, 8);
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof *s->r);
	s->r[i][0] = s->r[i][1] = id;
	s->n++;
}

static void
idset_clear(struct idset *s)
{
	s->n = 0;
	util_index_free(&s->index);
}

static void
idset_free(struct idset *s)
{
	idset_clear(s);
	free(s->v);
	s->v = NULL;
	s->cap = 0;
}

static void
on_rollback(void *arg)
{
	struct correlate *c = arg;

	c->stale = 1;
}


/* Whether rule j expects or follows rule t. */
static int
is_subject_of(const struct correlate *c, size_t j, int t)
{
	size_t k;

	if (c->expect_target[j] == t)
		return 1;
	for (k = 0; k < c->rs->rules[j].nfollows; k++)
		if (c->follows_target[j][k] == t)
			return 1;
	return 0;
}

/* Fill c->subjects and c->subject0 from the roles and targets. */
static void
subjects_index(struct correlate *c)
{
	size_t n = c->rs->n, t, j, m = 0, cap = 0;

	c->subject0 = xcalloc(n + 1, sizeof *c->subject0);
	for (t = 0; t < n; t++) {
		c->subject0[t] = m;
		if (!(c->role[t] & ROLE_TARGET))
			continue;
		for (j = 0; j < n; j++) {
			if (!is_subject_of(c, j, (int)t))
				continue;
			c->subjects = util_grow(c->subjects, &cap, m,
			    sizeof *c->subjects, 8);
			c->subjects[m++] = (int)j;
		}
	}
	c->subject0[n] = m;
}

struct correlate *
correlate_new(struct store *st, const struct ruleset *rs, char *err,
    size_t errlen)
{
	struct correlate *c = xcalloc(1, sizeof *c);
	const struct rule *r;
	size_t i, k;
	int t;

	c->st = st;
	c->db = store_db(st);
	c->rs = rs;
	c->open_version = -1;
	c->same_work = UTIL_INDEX_NONE;
	c->same_first = UTIL_INDEX_NONE;
	buf_init(&c->note_keys);
	c->role = xcalloc(rs->n ? rs->n : 1, sizeof *c->role);
	c->expect_target = xcalloc(rs->n ? rs->n : 1, sizeof *c->expect_target);
	c->follows_target = xcalloc(rs->n ? rs->n : 1, sizeof *c->follows_target);
	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		c->expect_target[i] = -1;
		if (r->storm_n > 0)
			c->role[i] |= ROLE_STORM;
		if (r->expect_rule != NULL) {
			c->role[i] |= ROLE_EXPECT;
			t = ruleset_index(rs, r->expect_rule);
			c->expect_target[i] = t;
			if (t >= 0)
				c->role[t] |= ROLE_TARGET;
		}
		if (r->nsame > 0) {
			c->role[i] |= ROLE_SAME | ROLE_SAME_MEM;
			if (c->same_scan == NULL) {
				c->same_scan = xcalloc(rs->n, sizeof *c->same_scan);
				c->same_cols = xcalloc(rs->n, sizeof *c->same_cols);
			}
			c->same_cols[i] = xcalloc(r->nsame, sizeof(int));
			for (k = 0; k < r->nsame; k++) {
				c->same_cols[i][k] = same_column(r, k);
				if (c->same_cols[i][k] >= 5)
					c->role[i] &= ~ROLE_SAME_MEM;
			}
		}
		if (r->nfollows > 0) {
			c->role[i] |= ROLE_FOLLOWS;
			c->follows_target[i] = xcalloc(r->nfollows, sizeof(int));
			if (r->nfollows > c->max_follows)
				c->max_follows = r->nfollows;
		}
		for (k = 0; k < r->nfollows; k++) {
			t = ruleset_index(rs, r->follows_rules[k]);
			c->follows_target[i][k] = t;
			if (t >= 0)
				c->role[t] |= ROLE_TARGET;
		}
	}
	c->follow_scan = xcalloc(c->max_follows ? c->max_follows : 1,
	    sizeof *c->follow_scan);
	subjects_index(c);
	/*
	 * What this connection notes from now on (the sources it adds) holds
	 * until another connection commits: the first run compares with now.
	 */
	if (sqlite3_prepare_v2(c->db, correlate_sql[ST_DATA_VERSION], -1,
	    &c->stmt[ST_DATA_VERSION], NULL) != SQLITE_OK) {
		store_sql_error(c->db, err, errlen, "preparing correlation");
		correlate_free(c);
		return NULL;
	}
	if (data_version(c, &c->data_version, err, errlen) != 0) {
		correlate_free(c);
		return NULL;
	}
	/* The live state must not outlive a transaction that is undone. */
	sqlite3_rollback_hook(c->db, on_rollback, c);
	return c;
}

static void
same_state_free(struct same_state *ss)
{
	size_t i;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->nheld; i++)
		free(ss->seen[i].key);
	free(ss->seen);
	free(ss);
}

static void
live_free(struct live *l)
{
	follow_windows_free(l->tw, l->x.r->nfollows);
	same_state_free(l->same);
	storm_tracker_free(l->storm);
	expect_pairer_free(l->pairer);
	buf_free(&l->x.details);
	free(l->path);
	free(l);
}

/* Forget every live tracker: the next run recomputes from quiet points. */
static void
live_drop_all(struct correlate *c)
{
	size_t i;

	for (i = 0; i < c->nlive; i++)
		live_free(c->live[i]);
	c->nlive = 0;
	util_index_free(&c->live_index);
	c->nsettled = 0;
	util_index_free(&c->settled_index);
	/* what they say may have changed with what the live state knew */
	c->new_sources.n = 0;
	c->npairs = 0;
	util_index_free(&c->pairs_index);
	c->open_version = -1;
}

/* The place of the live entry of (rule, kind, source), or UTIL_INDEX_NONE. */
static size_t
live_pos(struct correlate *c, int rule, enum work_kind kind, int64_t source_id)
{
	size_t it = 0, i;
	uint64_t h = key_hash(rule, (int)kind, source_id);

	while ((i = util_index_next(&c->live_index, h, &it)) != UTIL_INDEX_NONE) {
		if (c->live[i]->rule == rule && c->live[i]->kind == kind &&
		    c->live[i]->source_id == source_id)
			return i;
	}
	return UTIL_INDEX_NONE;
}

static struct live *
live_find(struct correlate *c, int rule, enum work_kind kind, int64_t source_id)
{
	size_t i = live_pos(c, rule, kind, source_id);

	return i == UTIL_INDEX_NONE ? NULL : c->live[i];
}

/* A fresh live entry (replacing any) whose callbacks write for rule r. */
static struct live *
live_new(struct correlate *c, int rule, enum work_kind kind, int64_t source_id,
    const char *field)
{
	struct live *l;
	size_t i;

	l = xcalloc(1, sizeof *l);
	l->rule = rule;
	l->kind = kind;
	l->source_id = source_id;
	l->x.c = c;
	l->x.r = &c->rs->rules[rule];
	l->x.source_id = source_id;
	buf_init(&l->x.details);
	l->field = field;
	l->path = field_path(field);
	/* a replaced entry keeps its place, which the index knows */
	if ((i = live_pos(c, rule, kind, source_id)) != UTIL_INDEX_NONE) {
		live_free(c->live[i]);
		c->live[i] = l;
		return l;
	}
	if (c->nlive == c->caplive) {
		c->caplive = c->caplive ? c->caplive * 2 : 8;
		c->live = xrealloc(c->live, c->caplive * sizeof *c->live);
	}
	util_index_put(&c->live_index, key_hash(rule, (int)kind, source_id),
	    c->nlive);
	c->live[c->nlive++] = l;
	return l;
}

void
correlate_free(struct correlate *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	for (i = 0; c->same_scan != NULL && i < c->rs->n; i++) {
		sqlite3_finalize(c->same_scan[i]);
		free(c->same_cols[i]);
	}
	free(c->same_scan);
	free(c->same_cols);
	free(c->role);
	free(c->expect_target);
	for (i = 0; c->follows_target != NULL && i < c->rs->n; i++)
		free(c->follows_target[i]);
	free(c->follows_target);
	free(c->subjects);
	free(c->subject0);
	for (i = 0; i < c->max_follows; i++)
		sqlite3_finalize(c->follow_scan[i]);
	free(c->follow_scan);
	free(c->work);
	util_index_free(&c->work_index);
	free(c->times);
	util_index_free(&c->times_index);
	live_drop_all(c);
	free(c->live);
	free(c->settled);
	util_index_free(&c->settled_index);
	free(c->new_sources.r);
	free(c->pairs);
	util_index_free(&c->pairs_index);
	idset_free(&c->open_sources);
	free(c->notes);
	buf_free(&c->note_keys);
	free(c->wants);
	free(c->scan_a.rows);
	buf_free(&c->scan_a.keys);
	free(c->scan_b.rows);
	buf_free(&c->scan_b.keys);
	if (c->db != NULL)
		sqlite3_rollback_hook(c->db, NULL, NULL);
	free(c);
}

/* The counts of (rule, source) of a new source; added if add, else NULL if none. */
static struct new_pair *
new_pair_find(struct correlate *c, int rule, int64_t source_id, int add)
{
	struct new_pair *p;
	size_t it = 0, i;
	uint64_t h;

	h = key_hash(rule, -2, source_id);
	while ((i = util_index_next(&c->pairs_index, h, &it)) != UTIL_INDEX_NONE) {
		if (c->pairs[i].rule == rule && c->pairs[i].source_id == source_id) {
			c->last_pair = i;
			return &c->pairs[i];
		}
	}
	if (!add)
		return NULL;
	c->pairs = util_grow(c->pairs, &c->cappairs, c->npairs,
	    sizeof *c->pairs, 16);
	util_index_put(&c->pairs_index, h, c->npairs);
	c->last_pair = c->npairs;
	p = &c->pairs[c->npairs++];
	memset(p, 0, sizeof *p);
	p->rule = rule;
	p->source_id = source_id;
	p->quiet = TS_HIGH;
	p->first_note = UTIL_INDEX_NONE;
	return p;
}

/* As new_pair_find, inline where the pair is the one found last. */
static inline struct new_pair *
new_pair(struct correlate *c, int rule, int64_t source_id, int add)
{
	size_t i = c->last_pair;

	if (i < c->npairs && c->pairs[i].rule == rule &&
	    c->pairs[i].source_id == source_id)
		return &c->pairs[i];
	return new_pair_find(c, rule, source_id, add);
}

int
correlate_wants(const struct correlate *c, int rule_index)
{
	if (rule_index < 0 || (size_t)rule_index >= c->rs->n)
		return 0;
	return c->role[rule_index] != 0;
}

/* Widen w to [from, to]; first and first_target lower its earliest new events. */
static void
work_widen(struct work *w, int64_t from, int64_t to, int64_t first,
    int64_t first_target)
{
	if (from < w->from)
		w->from = from;
	if (to > w->to)
		w->to = to;
	if (first < w->first)
		w->first = first;
	if (first_target < w->first_target)
		w->first_target = first_target;
}

/*
 * Widen the pending work of (rule, kind, source) to [from, to]; first and
 * first_target lower its earliest new events (TS_HIGH: none).  Returns
 * its place in c->work.
 */
static size_t
mark_find(struct correlate *c, int rule, enum work_kind kind,
    int64_t source_id, int64_t from, int64_t to, int64_t first,
    int64_t first_target)
{
	struct work *w;
	size_t it = 0, i;
	uint64_t h;

	h = key_hash(rule, (int)kind, source_id);
	while ((i = util_index_next(&c->work_index, h, &it)) != UTIL_INDEX_NONE) {
		w = &c->work[i];
		if (w->rule == rule && w->kind == kind && w->source_id == source_id) {
			work_widen(w, from, to, first, first_target);
			return c->last_work[kind] = i;
		}
	}
	if (c->nwork == c->capwork) {
		c->capwork = c->capwork ? c->capwork * 2 : 16;
		c->work = xrealloc(c->work, c->capwork * sizeof *c->work);
	}
	util_index_put(&c->work_index, h, c->nwork);
	w = &c->work[c->nwork++];
	w->rule = rule;
	w->kind = kind;
	w->source_id = source_id;
	w->from = from;
	w->to = to;
	w->first = first;
	w->first_target = first_target;
	w->last_own = TS_LOW;
	for (i = 0; i < CHAIN_COUNT; i++) {
		w->ch[i].nnoted = w->ch[i].nkeyed = 0;
		w->ch[i].first = w->ch[i].last = UTIL_INDEX_NONE;
	}
	w->unfit = 0;
	return c->last_work[kind] = c->nwork - 1;
}

/* As mark_find, inline where the work is the one marked last. */
static inline size_t
mark(struct correlate *c, int rule, enum work_kind kind, int64_t source_id,
    int64_t from, int64_t to, int64_t first, int64_t first_target)
{
	size_t i = c->last_work[kind];

	/* the events of a batch come in runs of one rule and source */
	if (i < c->nwork && c->work[i].rule == rule && c->work[i].kind == kind &&
	    c->work[i].source_id == source_id) {
		work_widen(&c->work[i], from, to, first, first_target);
		return i;
	}
	return mark_find(c, rule, kind, source_id, from, to, first,
	    first_target);
}

/*
 * Count a new event in chain ch of work k and have correlate_note_fields
 * key it there, as `as` says, from field.
 */
static void
note_want(struct correlate *c, size_t k, int ch, enum note_as as,
    const char *field)
{
	struct note_want *nw;

	c->work[k].ch[ch].nnoted++;
	c->wants = util_grow(c->wants, &c->capwants, c->nwants,
	    sizeof *c->wants, 4);
	nw = &c->wants[c->nwants++];
	nw->work = k;
	nw->chain = ch;
	nw->as = as;
	nw->field = field;
}

void
correlate_note(struct correlate *c, int rule_index, int64_t source_id, int64_t ts)
{
	const struct rule *r;
	struct new_pair *p;
	int role;
	size_t s, j, k, m;

	c->same_work = c->same_first = UTIL_INDEX_NONE;
	c->nwants = 0;
	c->want_rule = rule_index;
	c->want_source = source_id;
	/*
	 * An untimed event is in no window of log time, which all of the
	 * correlation works in: its scans never read one, and it notes none.
	 */
	if (!correlate_wants(c, rule_index) || ts == TS_NONE)
		return;
	role = c->role[rule_index];
	p = NULL;
	if ((role & (ROLE_STORM | ROLE_SAME)) &&
	    idranges_has(&c->new_sources, source_id)) {
		p = new_pair(c, rule_index, source_id, 1);
		p->n++;
		if (ts < p->quiet)
			p->quiet = ts;
	}
	/*
	 * Work is noted even for a new source's first N - 1 events of a
	 * storm rule, which build no tracker (run_storm): the order of the
	 * work is the order incidents get their ids in.
	 */
	if (role & ROLE_STORM)
		note_want(c, mark(c, rule_index, WORK_STORM, source_id, ts, ts,
		    ts, TS_HIGH), CHAIN_OWN, NOTE_FIELD,
		    c->rs->rules[rule_index].storm_by);
	if (role & ROLE_EXPECT)
		note_want(c, mark(c, rule_index, WORK_EXPECT, source_id, ts, ts,
		    ts, TS_HIGH), CHAIN_OWN, NOTE_FIELD_LOWER,
		    c->rs->rules[rule_index].expect_by);
	if (role & ROLE_FOLLOWS) {
		k = mark(c, rule_index, WORK_FOLLOWS, source_id, ts, ts, ts,
		    TS_HIGH);
		if (ts > c->work[k].last_own)
			c->work[k].last_own = ts;
		note_want(c, k, CHAIN_OWN, NOTE_FIELDS, NULL);
	}
	/* a new source's first event of a same rule repeats nothing */
	if ((role & ROLE_SAME) && (p == NULL || p->n >= 2)) {
		c->same_work = mark(c, rule_index, WORK_SAME, source_id, ts, ts,
		    TS_HIGH, TS_HIGH);
		c->work[c->same_work].ch[CHAIN_OWN].nnoted++;
	} else if (role & ROLE_SAME)
		c->same_first = (size_t)(p - c->pairs);
	if (!(role & ROLE_TARGET))
		return;
	for (s = c->subject0[rule_index]; s < c->subject0[rule_index + 1];
	    s++) {
		j = (size_t)c->subjects[s];
		r = &c->rs->rules[j];
		/* A target can pay only subjects up to W before it ... */
		if (c->expect_target[j] == rule_index)
			note_want(c, mark(c, (int)j, WORK_EXPECT, source_id,
			    ts - r->expect_within_ms, ts - r->expect_within_ms,
			    TS_HIGH, ts), CHAIN_TARGET, NOTE_FIELD_LOWER,
			    r->expect_by);
		/* ... and be followed only by subjects up to W after it. */
		for (k = 0, m = UTIL_INDEX_NONE; k < r->nfollows; k++)
			if (c->follows_target[j][k] == rule_index)
				m = mark(c, (int)j, WORK_FOLLOWS, source_id, ts,
				    ts + r->follows_within_ms, TS_HIGH, TS_HIGH);
		/* one note, for each window of the rule */
		if (m != UTIL_INDEX_NONE)
			note_want(c, m, CHAIN_TARGET, NOTE_FIELDS, NULL);
	}
}

/*
 * A new note of the event (ts, id) of rule, its key to be appended to
 * note_keys.
 */
static struct note *
note_new(struct correlate *c, int rule, int64_t ts, int64_t id)
{
	struct note *n;

	if (c->nnotes == c->capnotes)
		c->notes = util_grow(c->notes, &c->capnotes, c->nnotes,
		    sizeof *c->notes, 64);
	n = &c->notes[c->nnotes];
	n->ts = ts;
	n->id = id;
	n->rule = rule;
	n->key_off = c->note_keys.len;
	n->key_len = 0;
	n->next = UTIL_INDEX_NONE;
	return n;
}

/* Append note i to the chain ch of w. */
static void
chain_add(struct correlate *c, struct work *w, int ch, size_t i)
{
	struct note_chain *nc = &w->ch[ch];

	if (nc->last != UTIL_INDEX_NONE)
		c->notes[nc->last].next = i;
	else
		nc->first = i;
	nc->last = i;
	nc->nkeyed++;
}

/* Whether every new event of chain ch of w was handed over with its key. */
static int
chain_fits(const struct work *w, int ch)
{
	return !w->unfit && w->ch[ch].nkeyed == w->ch[ch].nnoted;
}

/*
 * Key an event of rule r as the scan of same would (same_key) into the
 * notes; its place, or UTIL_INDEX_NONE when it must be read back instead.
 */
static size_t
note_key(struct correlate *c, int rule_index, int64_t ts, int64_t id,
    int has_value, double value, const char *grp, size_t grp_len)
{
	const struct rule *r = &c->rs->rules[rule_index];
	const int *col = c->same_cols[rule_index];
	struct note *n;
	char *d;
	size_t i;

	/*
	 * The scan reads no untimed event, and the store keeps neither a NaN
	 * (NULL) nor the sign of a zero: such an event is read back instead.
	 */
	if (ts == TS_NONE || id <= 0 || (has_value && (isnan(value) ||
	    (value == 0 && signbit(value)))))
		return UTIL_INDEX_NONE;
	n = note_new(c, rule_index, ts, id);
	/* room for the longest key: each field the value or the group */
	buf_reserve(&c->note_keys, r->nsame * ((grp != NULL &&
	    grp_len > sizeof value ? grp_len : sizeof value) + 1));
	d = c->note_keys.data + c->note_keys.len;
	/* as same_key writes the scan's value (column 2) and group (column 4) */
	for (i = 0; i < r->nsame; i++) {
		if (col[i] == 2 && has_value) {
			memcpy(d, &value, sizeof value);
			d += sizeof value;
			*d++ = 0x1f;
		} else if (col[i] == 4 && grp != NULL) {
			memcpy(d, grp, grp_len);
			d += grp_len;
			*d++ = 0x1f;
		} else
			*d++ = 0x1e;
	}
	*d = '\0';
	c->note_keys.len = (size_t)(d - c->note_keys.data);
	n->key_len = c->note_keys.len - n->key_off;
	return c->nnotes++;
}

void
correlate_note_sample(struct correlate *c, int rule_index, int64_t source_id,
    int64_t ts, int64_t id, int has_value, double value, const char *grp,
    size_t grp_len)
{
	struct new_pair *p;
	struct work *w;
	size_t k = c->same_work, first = c->same_first, i;

	c->same_work = c->same_first = UTIL_INDEX_NONE;
	if (!(c->role[rule_index] & ROLE_SAME_MEM))
		return;
	if (first != UTIL_INDEX_NONE) {
		p = &c->pairs[first];
		if (p->rule != rule_index || p->source_id != source_id)
			return;
		p->first_note = note_key(c, rule_index, ts, id, has_value,
		    value, grp, grp_len);
		p->first_run = c->note_run;
		return;
	}
	if (k == UTIL_INDEX_NONE)
		return;
	w = &c->work[k];
	if (w->rule != rule_index || w->source_id != source_id)
		return;
	i = note_key(c, rule_index, ts, id, has_value, value, grp, grp_len);
	if (i == UTIL_INDEX_NONE) {
		w->unfit = 1;
		return;
	}
	chain_add(c, w, CHAIN_OWN, i);
}

void
correlate_note_time(struct correlate *c, int64_t source_id, int64_t ts)
{
	size_t it = 0, i;
	uint64_t h = key_hash(-1, -1, source_id);

	while ((i = util_index_next(&c->times_index, h, &it)) != UTIL_INDEX_NONE) {
		if (c->times[i].source_id == source_id) {
			if (ts > c->times[i].ts)
				c->times[i].ts = ts;
			return;
		}
	}
	util_index_put(&c->times_index, h, c->ntimes);
	if (c->ntimes == c->captimes) {
		c->captimes = c->captimes ? c->captimes * 2 : 8;
		c->times = xrealloc(c->times, c->captimes * sizeof *c->times);
	}
	c->times[c->ntimes].source_id = source_id;
	c->times[c->ntimes].ts = ts;
	c->ntimes++;
}

void
correlate_note_new_source(struct correlate *c, int64_t source_id)
{
	idranges_add(&c->new_sources, source_id);
}

static int
db_fail(struct correlate *c, char *err, size_t errlen, const char *rule,
    const char *what)
{
	store_sql_error(c->db, err, errlen, "correlating %s: %s", rule, what);
	return -1;
}

/*
 * Statement which of correlate_sql_later, prepared now if it was not;
 * NULL (the connection has the error) if preparing it failed.
 */
static sqlite3_stmt *
later_stmt(struct correlate *c, int which)
{
	if (c->stmt[which] == NULL && sqlite3_prepare_v2(c->db,
	    correlate_sql[which], -1, &c->stmt[which], NULL) != SQLITE_OK)
		return NULL;
	return c->stmt[which];
}

/* Run a statement that returns no rows, then reset it. */
static int
exec_stmt(struct correlate *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
bind_rule_source(sqlite3_stmt *st, const char *rule, int64_t source_id)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, source_id);
}

/* How far a source's log reaches: its stored last_ts or a later note. */
static int64_t
log_time(struct correlate *c, int64_t source_id)
{
	sqlite3_stmt *st = c->stmt[ST_LOG_TIME];
	int64_t t = TS_NONE;
	size_t it, i;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, source_id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		t = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	it = 0;
	while ((i = util_index_next(&c->times_index, key_hash(-1, -1, source_id),
	    &it)) != UTIL_INDEX_NONE) {
		if (c->times[i].source_id == source_id && c->times[i].ts > t)
			t = c->times[i].ts;
	}
	return t;
}

/*
 * The latest T <= from with no event of (rule, source) in [T - W, T).
 * Nothing before T can reach an event at or after T, so results from T on
 * can be recomputed alone.
 */
static int
quiet_point(struct correlate *c, const char *rule, int64_t source_id,
    int64_t from, int64_t window_ms, int64_t *t, char *err, size_t errlen)
{
	sqlite3_stmt *st = later_stmt(c, ST_WALK);
	int64_t ts;
	int rc;

	*t = from;
	if (st == NULL)
		return db_fail(c, err, errlen, rule, "finding a quiet point");
	bind_rule_source(st, rule, source_id);
	sqlite3_bind_int64(st, 3, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ts = sqlite3_column_int64(st, 0);
		if (ts < *t - window_ms)
			break;
		*t = ts;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(c, err, errlen, rule, "finding a quiet point");
	return 0;
}

/* The bytes that end a plain string (plain_string): quote, escape, control. */
static const unsigned char json_stop[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1
};

/*
 * The plain string at *p (before end), one json_extract takes as it is:
 * its text, its length in *len, and *p moved past it; NULL if *p starts
 * none or it holds an escape or a control character.
 */
static const char *
plain_string(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *q;

	if (s == end || *s != '"')
		return NULL;
	for (q = ++s; q < end && !json_stop[(unsigned char)*q]; q++)
		;
	if (q == end || *q != '"')
		return NULL;
	*len = (size_t)(q - s);
	*p = q + 1;
	return s;
}

int
correlate_field_text(const char *fields, size_t len, const char *name,
    size_t namelen, const char **value, size_t *vlen)
{
	const char *p = fields, *end = fields + len, *k, *v;
	size_t klen, l, i;
	int found = 0;

	/* SQLite compares the path's label as written: no name to escape */
	for (i = 0; name != NULL && i < namelen; i++)
		if (json_stop[(unsigned char)name[i]] ||
		    (unsigned char)name[i] >= 0x7f)
			return -1;
	if (len < 2 || *p++ != '{' || *--end != '}')
		return -1;
	if (p == end)
		return 0;
	for (;;) {
		if ((k = plain_string(&p, end, &klen)) == NULL || p == end ||
		    *p++ != ':' || (v = plain_string(&p, end, &l)) == NULL)
			return -1;
		if (name != NULL && klen == namelen &&
		    memcmp(k, name, klen) == 0) {
			/* which of two SQLite takes is its own business */
			if (found)
				return -1;
			found = 1;
			*value = v;
			*vlen = l;
		}
		if (p == end)
			return found;
		if (*p++ != ',')
			return -1;
	}
}

/*
 * Append s (n bytes) as SQLite's lower() gives it where that is sure: for
 * ASCII, which it folds alone unless built with ICU, and then the same.
 * -1 (nothing appended) if s holds another byte.
 */
static int
append_lower(struct buf *b, const char *s, size_t n)
{
	char *d;
	size_t i;

	buf_reserve(b, n);
	d = b->data + b->len;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return -1;
		d[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	}
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void
correlate_note_fields(struct correlate *c, int rule_index, int64_t source_id,
    int64_t ts, int64_t id, const char *fields, size_t len)
{
	const struct note_want *nw;
	struct work *w;
	struct note *n;
	const char *v;
	size_t i, vlen;
	int found;

	/* not the event correlate_note was told of: its chains stay unkeyed */
	if (rule_index != c->want_rule || source_id != c->want_source)
		c->nwants = 0;
	for (i = 0; i < c->nwants; i++) {
		nw = &c->wants[i];
		w = &c->work[nw->work];
		/* the scans read no untimed event */
		if (ts == TS_NONE || id <= 0 ||
		    (nw->as == NOTE_FIELDS && fields == NULL)) {
			w->unfit = 1;
			continue;
		}
		if (nw->as == NOTE_FIELDS) {
			n = note_new(c, rule_index, ts, id);
			buf_append(&c->note_keys, fields, len);
			buf_putc(&c->note_keys, '\0');
			n->key_len = len;
			chain_add(c, w, nw->chain, c->nnotes++);
			continue;
		}
		/* as key_scan_take keys the stored fields */
		found = fields != NULL ? correlate_field_text(fields, len,
		    nw->field, nw->field != NULL ? strlen(nw->field) : 0, &v,
		    &vlen) : 0;
		if (found < 0) {
			w->unfit = 1;
			continue;
		}
		n = note_new(c, rule_index, ts, id);
		if (found == 1 && nw->as == NOTE_FIELD_LOWER) {
			if (append_lower(&c->note_keys, v, vlen) != 0) {
				w->unfit = 1;
				continue;
			}
		} else if (found == 1)
			buf_append(&c->note_keys, v, vlen);
		n->key_len = c->note_keys.len - n->key_off;
		chain_add(c, w, nw->chain, c->nnotes++);
	}
	c->nwants = 0;
}

/*
 * Read the row st is on, at ts, into ks: its key is what
 * json_extract(fields, path), lowered if ks->fold, would give, NULL as "".
 * 0, or -1 (SQLite found the fields malformed).
 */
static int
key_scan_take(struct correlate *c, struct key_scan *ks, int64_t ts)
{
	sqlite3_stmt *st = ks->st, *ex;
	struct key_row *row;
	const char *fields, *v = NULL;
	size_t len, vlen = 0;
	int found = 0, type, rc;

	ks->rows = util_grow(ks->rows, &ks->cap, ks->n, sizeof *ks->rows, 16);
	row = &ks->rows[ks->n];
	row->id = sqlite3_column_int64(st, 0);
	row->ts = ts;
	row->key_off = ks->keys.len;
	/* the type first: reading a value as text may convert it */
	type = sqlite3_column_type(st, 2);
	if (type == SQLITE_TEXT) {
		fields = (const char *)sqlite3_column_text(st, 2);
		len = (size_t)sqlite3_column_bytes(st, 2);
		found = fields != NULL ? correlate_field_text(fields, len,
		    ks->field, ks->fieldlen, &v, &vlen) : -1;
	} else if (type != SQLITE_NULL)
		found = -1;
	if (found == 1 && ks->fold && append_lower(&ks->keys, v, vlen) != 0)
		found = -1;
	if (found == -1) {
		if ((ex = later_stmt(c, ks->fold ? ST_EXTRACT_LOWER :
		    ST_EXTRACT)) == NULL)
			return -1;
		sqlite3_bind_value(ex, 1, sqlite3_column_value(st, 2));
		if (ks->path != NULL)
			sqlite3_bind_text(ex, 2, ks->path, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ex, 2);
		if ((rc = sqlite3_step(ex)) == SQLITE_ROW) {
			v = (const char *)sqlite3_column_text(ex, 0);
			vlen = (size_t)sqlite3_column_bytes(ex, 0);
			if (v != NULL)
				buf_append(&ks->keys, v, vlen);
		}
		sqlite3_reset(ex);
		sqlite3_clear_bindings(ex);
		if (rc != SQLITE_ROW)
			return -1;
	} else if (found == 1 && !ks->fold)
		buf_append(&ks->keys, v, vlen);
	row->key_len = ks->keys.len - row->key_off;
	ks->n++;
	return 0;
}

/*
 * Start ks with st over the events of (rule, source) after pos, keyed by
 * field (NULL: every key ""), whose JSON path is path, lowered if fold.
 */
static void
key_scan_start(struct key_scan *ks, sqlite3_stmt *st, int fold,
    const char *rule, int64_t source_id, const struct scan_pos *pos,
    const char *field, const char *path)
{
	ks->st = st;
	ks->fold = fold;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_int64(st, 3, pos->ts);
	sqlite3_bind_int64(st, 4, pos->id);
	ks->field = field;
	ks->fieldlen = field != NULL ? strlen(field) : 0;
	ks->path = path;
	ks->n = ks->next = 0;
	ks->on_row = 0;
	ks->done = 0;
	buf_reset(&ks->keys);
}

static void
key_scan_end(struct key_scan *ks)
{
	sqlite3_reset(ks->st);
}

static int
key_row_cmp(const void *a, const void *b)
{
	const struct key_row *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/*
 * The next event of ks in (ts, id) order: 1 with one in *row (its key
 * valid until the next call), 0 at the end, -1 on error.  The events of
 * one time are read ahead together and put in id order.
 */
static int
key_scan_next(struct correlate *c, struct key_scan *ks, struct scan_row *row)
{
	const struct key_row *r;
	int64_t ts;
	size_t i;
	int rc;

	if (ks->next == ks->n) {
		ks->n = ks->next = 0;
		buf_reset(&ks->keys);
		if (!ks->on_row && !ks->done) {
			if ((rc = sqlite3_step(ks->st)) == SQLITE_ROW)
				ks->on_row = 1;
			else if (rc == SQLITE_DONE)
				ks->done = 1;
			else
				return -1;
		}
		while (ks->on_row) {
			ts = sqlite3_column_int64(ks->st, 1);
			if (ks->n > 0 && ts != ks->rows[0].ts)
				break;
			if (key_scan_take(c, ks, ts) != 0)
				return -1;
			if ((rc = sqlite3_step(ks->st)) == SQLITE_DONE) {
				ks->on_row = 0;
				ks->done = 1;
			} else if (rc != SQLITE_ROW)
				return -1;
		}
		if (ks->n == 0)
			return 0;
		for (i = 1; i < ks->n; i++)
			if (ks->rows[i - 1].id > ks->rows[i].id)
				break;
		if (i < ks->n)
			qsort(ks->rows, ks->n, sizeof *ks->rows, key_row_cmp);
	}
	r = &ks->rows[ks->next++];
	row->id = r->id;
	row->ts = r->ts;
	row->key = ks->keys.data != NULL ? ks->keys.data + r->key_off : "";
	row->keylen = r->key_len;
	return 1;
}

/*
 * The events a storm or an expectation is fed, in (ts, id) order: those
 * of a key_scan, or those handed over in the notes of a chain.
 */
struct row_src {
	struct key_scan		*ks;	/* NULL: from rows */
	struct scan_row		*rows;	/* owned; keys in note_keys */
	size_t			 n, next;
};

static int
scan_row_order(const void *a, const void *b)
{
	const struct scan_row *x = a, *y = b;

	return ts_id_order(x->ts, x->id, y->ts, y->id);
}

static void
row_src_scan(struct row_src *src, struct key_scan *ks)
{
	src->ks = ks;
	src->rows = NULL;
	src->n = src->next = 0;
}

/* The notes of chain nc, put in (ts, id) order where they are not. */
static void
row_src_notes(struct correlate *c, const struct note_chain *nc,
    struct row_src *src)
{
	const struct note *n;
	struct scan_row *row;
	size_t k;
	int sorted = 1;

	src->ks = NULL;
	src->rows = xmalloc((nc->nkeyed > 0 ? nc->nkeyed : 1) *
	    sizeof *src->rows);
	src->n = src->next = 0;
	for (k = nc->first; k != UTIL_INDEX_NONE; k = n->next) {
		n = &c->notes[k];
		row = &src->rows[src->n];
		row->id = n->id;
		row->ts = n->ts;
		row->key = c->note_keys.data != NULL ?
		    c->note_keys.data + n->key_off : "";
		row->keylen = n->key_len;
		if (src->n > 0 && scan_row_order(row - 1, row) > 0)
			sorted = 0;
		src->n++;
	}
	if (!sorted)
		qsort(src->rows, src->n, sizeof *src->rows, scan_row_order);
}

/* As key_scan_next. */
static int
row_src_next(struct correlate *c, struct row_src *src, struct scan_row *row)
{
	if (src->ks != NULL)
		return key_scan_next(c, src->ks, row);
	if (src->next == src->n)
		return 0;
	*row = src->rows[src->next++];
	return 1;
}

static void
row_src_end(struct row_src *src)
{
	if (src->ks != NULL)
		key_scan_end(src->ks);
	free(src->rows);
}

/* A JSON path naming one field, quoted so any field name is literal. */
static char *
field_path(const char *field)
{
	struct buf b;

	if (field == NULL)
		return NULL;
	buf_init(&b);
	buf_puts(&b, "$.\"");
	util_escape_json(&b, field, strlen(field));
	buf_putc(&b, '"');
	return b.data;
}

static int
add_incident(struct correlate *c, const char *kind, const char *rule,
    int64_t source_id, const char *key, size_t keylen, int64_t start,
    int64_t end, uint64_t count, int64_t peak, int64_t detected_at,
    int64_t event_id, const char *details)
{
	sqlite3_stmt *st = c->stmt[ST_ADD_INCIDENT];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, source_id);
	sqlite3_bind_text(st, 4, key, (int)keylen, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, start);
	sqlite3_bind_int64(st, 6, end);
	sqlite3_bind_int64(st, 7, (int64_t)count);
	if (peak >= 0)
		sqlite3_bind_int64(st, 8, peak);
	if (detected_at != TS_NONE)
		sqlite3_bind_int64(st, 9, detected_at);
	if (event_id > 0)
		sqlite3_bind_int64(st, 10, event_id);
	sqlite3_bind_text(st, 11, details, -1, SQLITE_TRANSIENT);
	return exec_stmt(c, st);
}

/* Delete the row a snapshot wrote for an episode or a wait. */
static int
del_reported(struct correlate *c, int which, const char *rule,
    int64_t source_id, int64_t start, const char *key, size_t keylen,
    int64_t event_id)
{
	sqlite3_stmt *st = later_stmt(c, which);

	if (st == NULL)
		return -1;
	bind_rule_source(st, rule, source_id);
	sqlite3_bind_int64(st, 3, start);
	if (which == ST_DEL_STORM)
		sqlite3_bind_text(st, 4, key, (int)keylen, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 4, event_id);
	return exec_stmt(c, st);
}

static void
emit_storm(const struct storm_episode *ep, void *arg)
{
	struct emit_ctx *x = arg;

	if (x->failed)
		return;
	if (ep->reported && del_reported(x->c, ST_DEL_STORM, x->r->id,
	    x->source_id, ep->start, ep->key, ep->keylen, 0) != 0) {
		x->failed = 1;
		return;
	}
	buf_reset(&x->details);
	buf_printf(&x->details, "{\"first_event\":%lld,\"last_event\":%lld}",
	    (long long)ep->first_id, (long long)ep->last_id);
	if (add_incident(x->c, "storm", x->r->id, x->source_id, ep->key,
	    ep->keylen, ep->start, ep->end, ep->count, (int64_t)ep->peak_per_min,
	    ep->detected_at, 0, x->details.data) != 0)
		x->failed = 1;
}

/*
 * Feed l's tracker the events after its position, then write the storms
 * still open that changed.  Those events are the notes of w when w is not
 * NULL, else they are read back.  0, or -1 (rows or the scan failed).
 */
static int
storm_feed(struct correlate *c, struct live *l, const struct work *w)
{
	struct key_scan *ks = &c->scan_a;
	struct row_src src;
	struct scan_row row;
	sqlite3_stmt *st;
	int rc = 0;

	if (w != NULL)
		row_src_notes(c, &w->ch[CHAIN_OWN], &src);
	else {
		if ((st = later_stmt(c, ST_SCAN_A_AFTER)) == NULL)
			return -1;
		key_scan_start(ks, st, 0, l->x.r->id, l->source_id, &l->a,
		    l->field, l->path);
		row_src_scan(&src, ks);
	}
	while (!l->x.failed && (rc = row_src_next(c, &src, &row)) == 1) {
		storm_tracker_feed(l->storm, row.ts, row.key, row.keylen, row.id);
		l->a.ts = row.ts;
		l->a.id = row.id;
	}
	row_src_end(&src);
	if (!l->x.failed && rc == 0)
		storm_tracker_snapshot(l->storm);
	return l->x.failed || rc != 0 ? -1 : 0;
}

static int
run_storm(struct correlate *c, const struct work *w, char *err, size_t errlen)
{
	const struct rule *r = &c->rs->rules[w->rule];
	sqlite3_stmt *st;
	struct live *l;
	struct new_pair *p;
	const struct work *notes;
	int64_t quiet;

	/*
	 * New events all after the last one fed: feed only them, which are
	 * every event stored after it, as noted where they all were keyed.
	 */
	l = live_find(c, w->rule, WORK_STORM, w->source_id);
	if (l != NULL && w->first >= l->a.ts) {
		if (storm_feed(c, l, chain_fits(w, CHAIN_OWN) &&
		    w->ch[CHAIN_OWN].nnoted > 0 ? w : NULL) != 0)
			return db_fail(c, err, errlen, r->id, "updating storms");
		return 0;
	}

	/*
	 * A new source's events of the rule are all noted, and quiet is the
	 * earliest of them: while fewer than N, the tracker would emit
	 * nothing, so it is built only with the Nth, from there.  Once one
	 * was built it has written rows, so an event before the last it fed
	 * starts afresh from a quiet point, as for any other source.
	 */
	p = new_pair(c, w->rule, w->source_id, 0);
	notes = NULL;
	if (p != NULL && l == NULL) {
		if (p->n < (uint32_t)r->storm_n)
			return 0;
		quiet = p->quiet;
		/* all of them noted in this run: those notes are the events */
		if (chain_fits(w, CHAIN_OWN) && p->n == w->ch[CHAIN_OWN].nnoted)
			notes = w;
	} else if (quiet_point(c, r->id, w->source_id, w->from,
	    r->storm_window_ms, &quiet, err, errlen) != 0)
		return -1;
	else {
		if ((st = later_stmt(c, ST_DEL_STORMS)) == NULL)
			return db_fail(c, err, errlen, r->id, "clearing storms");
		bind_rule_source(st, r->id, w->source_id);
		sqlite3_bind_int64(st, 3, quiet);
		if (exec_stmt(c, st) != 0)
			return db_fail(c, err, errlen, r->id, "clearing storms");
	}

	/* Every event from the quiet point on; ids are positive. */
	l = live_new(c, w->rule, WORK_STORM, w->source_id, r->storm_by);
	l->storm = storm_tracker_new(r->storm_n, r->storm_window_ms, emit_storm,
	    &l->x);
	l->a.ts = quiet;
	l->a.id = 0;
	if (storm_feed(c, l, notes) != 0)
		return db_fail(c, err, errlen, r->id, "recomputing storms");
	return 0;
}

static void
emit_expect(const struct expect_result *res, void *arg)
{
	struct emit_ctx *x = arg;
	sqlite3_stmt *st;

	if (x->failed)
		return;
	if (res->reported && del_reported(x->c, ST_DEL_WAIT, x->r->id,
	    x->source_id, res->subject_ts, NULL, 0, res->subject_id) != 0) {
		x->failed = 1;
		return;
	}
	if (res->outcome == EXPECT_MET) {
		st = x->c->stmt[ST_SET_LINK];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, res->subject_id);
		sqlite3_bind_int64(st, 2, res->target_id);
		if (exec_stmt(x->c, st) != 0)
			x->failed = 1;
		return;
	}
	buf_reset(&x->details);
	buf_puts(&x->details, "{\"expect\":\"");
	util_escape_json(&x->details, x->r->expect_rule, strlen(x->r->expect_rule));
	buf_printf(&x->details, "\",\"within_ms\":%lld}",
	    (long long)x->r->expect_within_ms);
	if (add_incident(x->c, res->outcome == EXPECT_OPEN ? "open" : "unresolved",
	    x->r->id, x->source_id, res->key, res->keylen, res->subject_ts,
	    res->subject_ts, 1, -1, TS_NONE, res->subject_id,
	    x->details.data) != 0)
		x->failed = 1;
	else if (res->outcome == EXPECT_OPEN)
		idset_add(&x->c->open_sources, x->source_id);
}

/*
 * Feed l's pairer the subjects and targets after its positions, merged in
 * time order, then write the waits that came since the last commit.
 * Those events are the notes of w when w is not NULL, else they are read
 * back.
 */
static int
expect_feed(struct correlate *c, struct live *l, const struct work *w)
{
	struct key_scan *sa = &c->scan_a, *sb = &c->scan_b;
	const struct rule *r = l->x.r;
	struct row_src ra, rb;
	/* Zeroed: at -O3 the compiler cannot see that key_scan_next fills them. */
	struct scan_row a = { 0 }, b = { 0 };
	sqlite3_stmt *st_a, *st_b;
	int ha, hb;

	if (w != NULL) {
		row_src_notes(c, &w->ch[CHAIN_OWN], &ra);
		row_src_notes(c, &w->ch[CHAIN_TARGET], &rb);
	} else {
		if ((st_a = later_stmt(c, ST_SCAN_A_AFTER)) == NULL ||
		    (st_b = later_stmt(c, ST_SCAN_B_AFTER)) == NULL)
			return -1;
		key_scan_start(sa, st_a, 1, r->id, l->source_id, &l->a,
		    l->field, l->path);
		key_scan_start(sb, st_b, 1, r->expect_rule, l->source_id,
		    &l->b, l->field, l->path);
		row_src_scan(&ra, sa);
		row_src_scan(&rb, sb);
	}
	ha = row_src_next(c, &ra, &a);
	hb = row_src_next(c, &rb, &b);
	while (!l->x.failed && ha >= 0 && hb >= 0 && (ha || hb)) {
		/* At equal times the subject goes first: a target then still pays. */
		if (ha && (!hb || a.ts <= b.ts)) {
			expect_pairer_subject(l->pairer, a.ts, a.key, a.keylen, a.id);
			l->a.ts = a.ts;
			l->a.id = a.id;
			if (a.ts > l->fed_ts)
				l->target_at_fed = 0;
			l->fed_ts = a.ts;
			ha = row_src_next(c, &ra, &a);
		} else {
			expect_pairer_target(l->pairer, b.ts, b.key, b.keylen, b.id);
			l->b.ts = b.ts;
			l->b.id = b.id;
			l->fed_ts = b.ts;
			l->target_at_fed = 1;
			hb = row_src_next(c, &rb, &b);
		}
	}
	row_src_end(&ra);
	row_src_end(&rb);
	if (!l->x.failed && ha == 0 && hb == 0)
		expect_pairer_snapshot(l->pairer, log_time(c, l->source_id));
	return l->x.failed || ha != 0 || hb != 0 ? -1 : 0;
}

/*
 * Whether the notes of w are every subject and target stored after what
 * its live pairer fed: all were keyed (and there are some).
 */
static int
expect_notes_fit(const struct work *w)
{
	return chain_fits(w, CHAIN_OWN) && chain_fits(w, CHAIN_TARGET) &&
	    w->ch[CHAIN_OWN].nnoted + w->ch[CHAIN_TARGET].nnoted > 0;
}

static int
run_expect(struct correlate *c, const struct work *w, char *err, size_t errlen)
{
	const struct rule *r = &c->rs->rules[w->rule];
	const struct work *notes = NULL;
	sqlite3_stmt *st;
	struct live *l;
	int64_t quiet;

	/*
	 * New subjects and targets all come where one merged feed of
	 * everything would have put them, after what was fed: feed only them.
	 * At equal times subjects go first, so a subject at the time of a
	 * target already fed does not qualify.
	 */
	l = live_find(c, w->rule, WORK_EXPECT, w->source_id);
	if (l != NULL && w->first_target >= l->fed_ts &&
	    (w->first > l->fed_ts ||
	    (w->first == l->fed_ts && !l->target_at_fed))) {
		if (expect_feed(c, l, expect_notes_fit(w) ? w : NULL) != 0)
			return db_fail(c, err, errlen, r->id,
			    "updating expectations");
		return 0;
	}

	/*
	 * Subjects before a quiet point waited at most until it, so neither
	 * their payments nor their incidents change.  A new source's first
	 * work has every event of the pair noted (in this run: an earlier
	 * one would have built a pairer) and nothing written yet; once a
	 * pairer has written, an earlier event is handled as for any other
	 * source.
	 */
	if (l == NULL && idranges_has(&c->new_sources, w->source_id)) {
		quiet = w->from;
		if (expect_notes_fit(w))
			notes = w;
	} else if (quiet_point(c, r->id, w->source_id, w->from,
	    r->expect_within_ms, &quiet, err, errlen) != 0)
		return -1;
	else {
		if ((st = later_stmt(c, ST_CLEAR_LINKS)) == NULL)
			return db_fail(c, err, errlen, r->id, "clearing links");
		bind_rule_source(st, r->id, w->source_id);
		sqlite3_bind_int64(st, 3, quiet);
		if (exec_stmt(c, st) != 0)
			return db_fail(c, err, errlen, r->id, "clearing links");
		if ((st = later_stmt(c, ST_DEL_WAITS)) == NULL)
			return db_fail(c, err, errlen, r->id,
			    "clearing unresolved");
		bind_rule_source(st, r->id, w->source_id);
		sqlite3_bind_int64(st, 3, quiet);
		if (exec_stmt(c, st) != 0)
			return db_fail(c, err, errlen, r->id,
			    "clearing unresolved");
	}

	l = live_new(c, w->rule, WORK_EXPECT, w->source_id, r->expect_by);
	l->pairer = expect_pairer_new(r->expect_within_ms, emit_expect, &l->x);
	l->a.ts = l->b.ts = l->fed_ts = quiet;
	l->a.id = l->b.id = 0;
	if (expect_feed(c, l, notes) != 0)
		return db_fail(c, err, errlen, r->id, "recomputing expectations");
	return 0;
}

/*
 * The fields of target that subject lacks, as a JSON object; NULL if none.
 * Both are parsed fields (NULL: none or unparsable); a target that is not
 * an object gives nothing.
 */
static char *
inherit_fields(const cJSON *subject, const cJSON *target)
{
	cJSON *out, *it;
	char *json = NULL, *p;

	if (target == NULL || !cJSON_IsObject(target))
		return NULL;
	out = cJSON_CreateObject();
	cJSON_ArrayForEach(it, target) {
		if (it->string == NULL ||
		    cJSON_GetObjectItemCaseSensitive(subject, it->string) != NULL)
			continue;
		cJSON_AddItemToObject(out, it->string, cJSON_Duplicate(it, 1));
	}
	if (out->child != NULL) {
		p = cJSON_PrintUnformatted(out);
		json = xstrdup(p);
		cJSON_free(p);
	}
	cJSON_Delete(out);
	return json;
}

/* A field of stored fields read in place: its name and its text. */
struct flat_field {
	const char	*name, *text;
	size_t		 namelen, len;
};

/*
 * The fields of an event a follows reads: in place (flat) where they are
 * what the store writes (see correlate_field_text) and name no field
 * twice, which is nearly always; else parsed by cJSON, which then judges
 * them.  Read when first needed.
 */
struct follow_fields {
	const char		*text;	/* NUL-terminated; NULL: none */
	int			 read;	/* is_flat is known */
	int			 is_flat;
	struct flat_field	*flat;	/* owned: n of them, if is_flat */
	size_t			 n;
	cJSON			*json;	/* owned: text parsed, once parsed */
	int			 parsed;
};

/*
 * The fields of text as the store writes them, n of them in *out (owned
 * by the caller); -1 if they are anything else, or name a field twice.
 */
static int
flat_parse(const char *text, struct flat_field **out, size_t *n)
{
	const char *p = text, *end = text + strlen(text);
	struct flat_field *v = NULL, *f;
	size_t cap = 0, i;

	*out = NULL;
	*n = 0;
	if (end - p < 2 || *p++ != '{' || *--end != '}')
		return -1;
	while (p < end) {
		v = util_grow(v, &cap, *n, sizeof *v, 8);
		f = &v[*n];
		if ((f->name = plain_string(&p, end, &f->namelen)) == NULL ||
		    p == end || *p++ != ':' ||
		    (f->text = plain_string(&p, end, &f->len)) == NULL ||
		    (p < end && *p++ != ',') || (p == end && p[-1] == ','))
			goto fail;
		for (i = 0; i < *n; i++)
			if (v[i].namelen == f->namelen &&
			    memcmp(v[i].name, f->name, f->namelen) == 0)
				goto fail;
		(*n)++;
	}
	*out = v;
	return 0;
fail:
	free(v);
	*n = 0;
	return -1;
}

static void
follow_fields_init(struct follow_fields *ff, const char *text)
{
	memset(ff, 0, sizeof *ff);
	ff->text = text;
}

static void
follow_fields_free(struct follow_fields *ff)
{
	free(ff->flat);
	cJSON_Delete(ff->json);
}

/* The fields parsed by cJSON (NULL: none or unparsable). */
static const cJSON *
follow_fields_json(struct follow_fields *ff)
{
	if (!ff->parsed) {
		ff->json = ff->text != NULL ? cJSON_Parse(ff->text) : NULL;
		ff->parsed = 1;
	}
	return ff->json;
}

/* Whether the fields are read in place: no fields are, as an empty object. */
static int
follow_fields_flat(struct follow_fields *ff)
{
	if (!ff->read) {
		ff->read = 1;
		ff->is_flat = ff->text == NULL ||
		    flat_parse(ff->text, &ff->flat, &ff->n) == 0;
	}
	return ff->is_flat;
}

/* The text of string field `name` of parsed fields, or NULL: points into o. */
static const char *
fields_get(const cJSON *o, const char *name)
{
	const cJSON *it;

	if (o == NULL || name == NULL)
		return NULL;
	it = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return NULL;
	return it->valuestring;
}

/* The flat field named name (namelen bytes), or NULL. */
static const struct flat_field *
flat_find(const struct follow_fields *ff, const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < ff->n; i++)
		if (ff->flat[i].namelen == namelen &&
		    memcmp(ff->flat[i].name, name, namelen) == 0)
			return &ff->flat[i];
	return NULL;
}

/* The text of string field `name` (NULL: none), *len bytes, or NULL. */
static const char *
follow_fields_get(struct follow_fields *ff, const char *name, size_t *len)
{
	const struct flat_field *f;
	const char *v;

	if (name == NULL)
		return NULL;
	if (follow_fields_flat(ff)) {
		if ((f = flat_find(ff, name, strlen(name))) == NULL)
			return NULL;
		*len = f->len;
		return f->text;
	}
	if ((v = fields_get(follow_fields_json(ff), name)) != NULL)
		*len = strlen(v);
	return v;
}

/*
 * As inherit_fields, for the fields of subject and target: cJSON would
 * print flat fields as they are, in the order of the target's.
 */
static char *
follow_inherit(struct follow_fields *subject, struct follow_fields *target)
{
	const struct flat_field *f;
	struct buf b;
	size_t i;

	if (!follow_fields_flat(subject) || !follow_fields_flat(target))
		return inherit_fields(follow_fields_json(subject),
		    follow_fields_json(target));
	buf_init(&b);
	for (i = 0; i < target->n; i++) {
		f = &target->flat[i];
		if (flat_find(subject, f->name, f->namelen) != NULL)
			continue;
		buf_putc(&b, b.len == 0 ? '{' : ',');
		buf_putc(&b, '"');
		buf_append(&b, f->name, f->namelen);
		buf_puts(&b, "\":\"");
		buf_append(&b, f->text, f->len);
		buf_putc(&b, '"');
	}
	if (b.len == 0)
		return NULL;
	buf_putc(&b, '}');
	return b.data;
}

/*
 * The target a subject follows so far: the best by follow_better.  fields
 * points into a follow_window, which holds still while the subject is
 * settled.
 */
struct follow_hit {
	int64_t			 id, ts;
	struct follow_fields	*fields;
};

/*
 * Which of two candidate targets a subject should follow: the later one;
 * at equal times the one stored before the subject (logged before it in
 * the same input), then the later stored.  Stamps to the second make
 * ties common, and a failure logged just after a fallback did not cause it.
 */
static int
follow_better(int64_t ts, int64_t id, int64_t best_ts, int64_t best_id,
    int64_t subject_id)
{
	if (ts != best_ts)
		return ts > best_ts;
	if ((id < subject_id) != (best_id < subject_id))
		return id < subject_id;
	return id > best_id;
}

/*
 * A target event read into a follow_window, its fields read when a
 * subject first needs them: most targets are followed by one subject, or
 * by none.
 */
struct follow_row {
	int64_t			 id, ts;
	char			*text;		/* owned: the stored fields; NULL: none */
	struct follow_fields	 fields;	/* of text */
};

/*
 * The events of one target rule that the subjects from the current one on
 * may follow, read in ts order from one statement as the subjects' times
 * rise: a subject at ts sees [ts - within, ts], so the targets of a
 * commit's subjects are read once, not once per subject.  The last row
 * may be later than the subject, read ahead.
 */
struct follow_window {
	sqlite3_stmt		*st;
	struct follow_row	*v;
	size_t			 head, n, cap;	/* rows v[head .. n) */
	int			 done;
};

/*
 * Rows read and found too early for the current subject before the scan
 * seeks again from where the subject's window starts: subjects far apart
 * among dense targets then cost a seek each, as a query per subject did.
 */
#define FOLLOW_SKIP_MAX	16

static void
follow_row_free(struct follow_row *row)
{
	follow_fields_free(&row->fields);
	free(row->text);
}

static void
follow_window_start(struct follow_window *fw, sqlite3_stmt *st,
    const char *target, int64_t source_id, int64_t from, int64_t to)
{
	fw->st = st;
	fw->head = fw->n = 0;
	fw->done = 0;
	bind_rule_source(st, target, source_id);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
}

static void
follow_window_end(struct follow_window *fw)
{
	size_t i;

	for (i = fw->head; i < fw->n; i++)
		follow_row_free(&fw->v[i]);
	free(fw->v);
	if (fw->st != NULL)
		sqlite3_reset(fw->st);
	memset(fw, 0, sizeof *fw);
}

/* Hold the targets of [lo, ts] (and one later, if any).  0, or -1. */
static int
follow_window_advance(struct follow_window *fw, int64_t lo, int64_t ts)
{
	struct follow_row *row;
	const char *text;
	int64_t tts;
	int rc, skipped = 0;

	while (fw->head < fw->n && fw->v[fw->head].ts < lo)
		follow_row_free(&fw->v[fw->head++]);
	if (fw->head == fw->n)
		fw->head = fw->n = 0;
	while (!fw->done && (fw->n == fw->head || fw->v[fw->n - 1].ts <= ts)) {
		rc = sqlite3_step(fw->st);
		if (rc == SQLITE_DONE) {
			fw->done = 1;
			break;
		}
		if (rc != SQLITE_ROW)
			return -1;
		tts = sqlite3_column_int64(fw->st, 1);
		if (tts < lo) {
			/* the window is empty: every row held was earlier still */
			if (++skipped > FOLLOW_SKIP_MAX) {
				sqlite3_reset(fw->st);
				sqlite3_bind_int64(fw->st, 3, lo);
				skipped = 0;
			}
			continue;
		}
		if (fw->head > 0 && fw->n == fw->cap) {
			memmove(fw->v, fw->v + fw->head,
			    (fw->n - fw->head) * sizeof *fw->v);
			fw->n -= fw->head;
			fw->head = 0;
		}
		fw->v = util_grow(fw->v, &fw->cap, fw->n, sizeof *fw->v, 16);
		row = &fw->v[fw->n++];
		row->id = sqlite3_column_int64(fw->st, 0);
		row->ts = tts;
		text = (const char *)sqlite3_column_text(fw->st, 2);
		row->text = text != NULL ? xstrdup(text) : NULL;
		follow_fields_init(&row->fields, row->text);
	}
	return 0;
}

/*
 * Whether a target may be followed by a subject whose by-field is want: a
 * target that names the field must name the same value, in any case
 * ("Global" is "global"), as expectations compare keys.
 */
static int
follow_agrees(struct follow_row *row, const char *by, const char *want,
    size_t wantlen)
{
	const char *have;
	size_t len = 0;

	if (want == NULL)
		return 1;
	/* neither holds a NUL: as strcasecmp of the two */
	have = follow_fields_get(&row->fields, by, &len);
	return have == NULL ||
	    (len == wantlen && strncasecmp(have, want, len) == 0);
}

/*
 * Make hit the best of it and the targets in fw of [lo, ts] that agree
 * with the subject's by-field value want (NULL: any).  The best is the
 * latest (follow_better orders by time first), so this is the best of the
 * agreeing targets at the latest time any of them has.
 */
static void
follow_pick(struct follow_window *fw, int64_t subject_id, int64_t lo,
    int64_t ts, const char *by, const char *want, size_t wantlen,
    struct follow_hit *hit)
{
	struct follow_row *row;
	size_t i;

	/* the rows are in ts order */
	for (i = fw->head; i < fw->n && fw->v[i].ts <= ts; i++) {
		row = &fw->v[i];
		if (row->ts < lo || !follow_agrees(row, by, want, wantlen))
			continue;
		if (hit->id == 0 || follow_better(row->ts, row->id, hit->ts,
		    hit->id, subject_id)) {
			hit->id = row->id;
			hit->ts = row->ts;
			hit->fields = &row->fields;
		}
	}
}

/*
 * A subject of a follows as run_follows reads it: its fields (NULL: none)
 * and what it links to as stored (link 0 and inherited NULL: nothing).
 */
struct follow_subject {
	int64_t		 id, ts;
	const char	*text;
	int64_t		 link;
	const char	*inherited;
	int		 known;		/* link and inherited are as stored */
};

/*
 * The next subject of a follows, from the notes in src or else from st:
 * 1 with it in *s (valid until the next call), 0 at the end, -1 on
 * error.  A noted subject was stored in this transaction without a link,
 * and nothing else links the events of a follows rule (rules.c refuses
 * expect beside follows).
 */
static int
follow_next_subject(struct correlate *c, sqlite3_stmt *st,
    struct row_src *src, struct follow_subject *s)
{
	struct scan_row row;
	int rc;

	s->link = 0;
	s->inherited = NULL;
	s->known = 1;
	if (src != NULL) {
		if ((rc = row_src_next(c, src, &row)) != 1)
			return rc;
		s->id = row.id;
		s->ts = row.ts;
		s->text = row.key;
		return 1;
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	s->id = sqlite3_column_int64(st, 0);
	s->ts = sqlite3_column_int64(st, 1);
	s->text = (const char *)sqlite3_column_text(st, 2);
	switch (sqlite3_column_type(st, 3)) {
	case SQLITE_NULL:
		break;
	case SQLITE_INTEGER:
		s->link = sqlite3_column_int64(st, 3);
		/* 0 would read as no link */
		s->known = s->link != 0;
		break;
	default:
		s->known = 0;
	}
	switch (sqlite3_column_type(st, 4)) {
	case SQLITE_NULL:
		break;
	case SQLITE_TEXT:
		s->inherited = (const char *)sqlite3_column_text(st, 4);
		/* a NUL inside would hide a difference from strcmp */
		if (s->inherited == NULL || (size_t)sqlite3_column_bytes(st, 4) !=
		    strlen(s->inherited))
			s->known = 0;
		break;
	default:
		s->known = 0;
	}
	return 1;
}

/* Whether s already links to link (0: none) with inherited (NULL: none). */
static int
follow_unchanged(const struct follow_subject *s, int64_t link,
    const char *inherited)
{
	if (!s->known || s->link != link)
		return 0;
	if (s->inherited == NULL || inherited == NULL)
		return s->inherited == inherited;
	return strcmp(s->inherited, inherited) == 0;
}

/*
 * Link the subjects of rule ri from source_id in [from, to] to the
 * targets they follow.  The subjects are the notes of the chain of notes
 * when it is not NULL, else they are read; the targets are those of the
 * windows mem when it is not NULL (which lose the rows no later subject
 * needs), else they are read.
 */
static int
run_follows(struct correlate *c, size_t ri, int64_t source_id, int64_t from,
    int64_t to, const struct work *notes, struct follow_window *mem,
    char *err, size_t errlen)
{
	const struct rule *r = &c->rs->rules[ri];
	sqlite3_stmt *ss = NULL;
	sqlite3_stmt *up = c->stmt[ST_SET_FOLLOW];
	struct follow_window *fw;
	struct follow_hit hit;
	struct follow_subject sub;
	struct row_src src;
	int64_t lo;
	struct follow_fields fields;
	const char *want;
	char *inherited;
	size_t k, wantlen = 0;
	int rc = 0, failed = 0;

	if (notes == NULL && (ss = later_stmt(c, ST_FOLLOW_SUBJECTS)) == NULL)
		return db_fail(c, err, errlen, r->id, "linking");
	fw = mem != NULL ? mem : xcalloc(r->nfollows, sizeof *fw);
	for (k = 0; mem == NULL && k < r->nfollows; k++) {
		if (c->follows_target[ri][k] < 0)
			continue;
		if (c->follow_scan[k] == NULL && sqlite3_prepare_v2(c->db,
		    follow_target_sql, -1, &c->follow_scan[k], NULL) != SQLITE_OK) {
			failed = 1;
			goto out;
		}
		/* from may be INT64_MIN (everything): no room to subtract */
		follow_window_start(&fw[k], c->follow_scan[k],
		    r->follows_rules[k], source_id, (from < TS_LOW ? TS_LOW :
		    from) - r->follows_within_ms, to);
	}
	/* Only link and inherited change, so the scans' index is undisturbed. */
	if (notes != NULL)
		row_src_notes(c, &notes->ch[CHAIN_OWN], &src);
	else {
		bind_rule_source(ss, r->id, source_id);
		sqlite3_bind_int64(ss, 3, from);
		sqlite3_bind_int64(ss, 4, to);
	}
	while (!failed && (rc = follow_next_subject(c, ss,
	    notes != NULL ? &src : NULL, &sub)) == 1) {
		lo = sub.ts - r->follows_within_ms;
		memset(&hit, 0, sizeof hit);
		follow_fields_init(&fields, sub.text);
		want = follow_fields_get(&fields, r->follows_by, &wantlen);
		for (k = 0; !failed && k < r->nfollows; k++) {
			if (c->follows_target[ri][k] < 0)
				continue;
			if (follow_window_advance(&fw[k], lo, sub.ts) != 0)
				failed = 1;
			else
				follow_pick(&fw[k], sub.id, lo, sub.ts,
				    r->follows_by, want, wantlen, &hit);
		}
		inherited = hit.id != 0 ? follow_inherit(&fields, hit.fields) :
		    NULL;
		/* rewriting a row costs as much as storing it */
		if (!failed && !follow_unchanged(&sub, hit.id, inherited)) {
			sqlite3_reset(up);
			sqlite3_clear_bindings(up);
			sqlite3_bind_int64(up, 1, sub.id);
			if (hit.id != 0)
				sqlite3_bind_int64(up, 2, hit.id);
			if (inherited != NULL)
				sqlite3_bind_text(up, 3, inherited, -1,
				    SQLITE_TRANSIENT);
			if (exec_stmt(c, up) != 0)
				failed = 1;
		}
		free(inherited);
		follow_fields_free(&fields);
	}
	if (notes != NULL)
		row_src_end(&src);
	else
		sqlite3_reset(ss);
out:
	for (k = 0; mem == NULL && k < r->nfollows; k++)
		follow_window_end(&fw[k]);
	if (mem == NULL)
		free(fw);
	if (failed || rc != 0)
		return db_fail(c, err, errlen, r->id, "linking");
	return 0;
}

/* Free n windows at tw (NULL: none). */
static void
follow_windows_free(struct follow_window *tw, size_t n)
{
	size_t k;

	for (k = 0; tw != NULL && k < n; k++)
		follow_window_end(&tw[k]);
	free(tw);
}

static int
follow_row_order(const void *a, const void *b)
{
	const struct follow_row *x = a, *y = b;

	return ts_id_order(x->ts, x->id, y->ts, y->id);
}

/*
 * Add the new targets of w to l's windows (from tw_from on: no subject
 * to come reaches one earlier) and keep their ts order.
 */
static void
follow_windows_add(struct correlate *c, struct live *l, const struct work *w)
{
	const int *target = c->follows_target[l->rule];
	const struct note *n;
	struct follow_window *fw;
	struct follow_row *row;
	size_t i, k;

	for (i = w->ch[CHAIN_TARGET].first; i != UTIL_INDEX_NONE; i = n->next) {
		n = &c->notes[i];
		if (n->ts > l->tw_upto)
			l->tw_upto = n->ts;
		if (n->ts < l->tw_from)
			continue;
		for (k = 0; k < l->x.r->nfollows; k++) {
			if (target[k] != n->rule)
				continue;
			fw = &l->tw[k];
			fw->v = util_grow(fw->v, &fw->cap, fw->n, sizeof *fw->v, 16);
			row = &fw->v[fw->n++];
			row->id = n->id;
			row->ts = n->ts;
			row->text = xstrdup(c->note_keys.data + n->key_off);
			follow_fields_init(&row->fields, row->text);
			if (fw->n - fw->head > 1 &&
			    follow_row_order(row - 1, row) > 0)
				qsort(fw->v + fw->head, fw->n - fw->head,
				    sizeof *fw->v, follow_row_order);
		}
	}
}

/*
 * Let l's windows go of the targets no subject after a.ts and tw_upto
 * reaches.
 */
static void
follow_windows_trim(struct live *l)
{
	struct follow_window *fw;
	int64_t after = l->a.ts > l->tw_upto ? l->a.ts : l->tw_upto;
	size_t k;

	if (after - l->x.r->follows_within_ms + 1 > l->tw_from)
		l->tw_from = after - l->x.r->follows_within_ms + 1;
	for (k = 0; k < l->x.r->nfollows; k++) {
		fw = &l->tw[k];
		while (fw->head < fw->n && fw->v[fw->head].ts < l->tw_from)
			follow_row_free(&fw->v[fw->head++]);
		if (fw->head > 0) {
			memmove(fw->v, fw->v + fw->head,
			    (fw->n - fw->head) * sizeof *fw->v);
			fw->n -= fw->head;
			fw->head = 0;
		}
	}
}

/*
 * The subjects of a follows: the notes of the new ones alone when every
 * one of them was handed over and no subject stored before lies in the
 * work's range, else from the store.  What lies there is known from the
 * latest subject of the pair stored before, kept live (l->a.ts): nothing
 * for a new source, read once otherwise.  The targets such subjects may
 * follow are kept live too for a new source, whose every target is
 * handed over (until one cannot be): those after a.ts less the window.
 */
static int
run_follows_work(struct correlate *c, const struct work *w, char *err,
    size_t errlen)
{
	const struct rule *r = &c->rs->rules[w->rule];
	struct live *l = live_find(c, w->rule, WORK_FOLLOWS, w->source_id);
	struct follow_window *mem = NULL;
	sqlite3_stmt *st;
	size_t k;
	int rc, notes;

	if (l == NULL && idranges_has(&c->new_sources, w->source_id)) {
		l = live_new(c, w->rule, WORK_FOLLOWS, w->source_id, NULL);
		l->a.ts = TS_LOW;
		l->tw = xcalloc(r->nfollows, sizeof *l->tw);
		for (k = 0; k < r->nfollows; k++)
			l->tw[k].done = 1;
		l->tw_from = l->tw_upto = TS_LOW;
	}
	notes = l != NULL && w->from > l->a.ts && chain_fits(w, CHAIN_OWN);
	if (l != NULL && l->tw != NULL) {
		if (chain_fits(w, CHAIN_TARGET)) {
			/* a work that reaches back to the targets let go scans */
			if (notes && w->from > l->tw_upto)
				mem = l->tw;
			follow_windows_add(c, l, w);
		} else {
			follow_windows_free(l->tw, r->nfollows);
			l->tw = NULL;
		}
	}
	if (run_follows(c, (size_t)w->rule, w->source_id, w->from, w->to,
	    notes ? w : NULL, mem, err, errlen) != 0)
		return -1;
	if (l != NULL) {
		if (w->last_own > l->a.ts)
			l->a.ts = w->last_own;
		if (l->tw != NULL)
			follow_windows_trim(l);
		return 0;
	}
	if ((st = later_stmt(c, ST_FOLLOW_LAST)) == NULL)
		return db_fail(c, err, errlen, r->id, "linking");
	bind_rule_source(st, r->id, w->source_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(c, err, errlen, r->id, "linking");
	}
	l = live_new(c, w->rule, WORK_FOLLOWS, w->source_id, NULL);
	l->a.ts = sqlite3_column_type(st, 0) == SQLITE_NULL ? TS_LOW :
	    sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/*
 * The key of an event for same = F1, F2 ...: the values of the fields
 * (see same_column), each ended by a 0x1f byte, 0x1e for a missing one.
 * The metric field is its stored value, so "820" ms and "0.82" s are the
 * same sample.
 */
static void
same_key(const struct rule *r, sqlite3_stmt *st, struct buf *key)
{
	const unsigned char *v;
	double d;
	size_t i;
	int col;

	buf_reset(key);
	for (i = 0; i < r->nsame; i++) {
		col = same_column(r, i);
		if (sqlite3_column_type(st, col) == SQLITE_NULL) {
			buf_putc(key, 0x1e);
		} else if (col == 2) {
			d = sqlite3_column_double(st, col);
			buf_append(key, &d, sizeof d);
			buf_putc(key, 0x1f);
		} else {
			v = sqlite3_column_text(st, col);
			buf_append(key, v, (size_t)sqlite3_column_bytes(st, col));
			buf_putc(key, 0x1f);
		}
	}
}

/* An event of the scan of same, held until the others of its time are read. */
struct same_row {
	int64_t		 id, ts, old;
	char		*key;
	size_t		 len;
};

static int
same_row_cmp(const void *a, const void *b)
{
	const struct same_row *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/*
 * One event, in (ts, id) order: is it a repeat of one seen at most W
 * before it?  Its dup_of is written when that changed and it lies in
 * [from, ...).  Returns -1 on a failed write.
 */
static int
same_apply(struct correlate *c, struct same_state *ss, int64_t w,
    int64_t from, const struct same_row *row)
{
	sqlite3_stmt *up;
	struct same_seen *s, tmp;
	int64_t dup = 0;
	size_t i, k, t;

	/* forget what is out of the window, keeping its key; find the key */
	for (i = k = 0; i < ss->nseen; i++) {
		if (ss->seen[i].ts < row->ts - w)
			continue;
		if (k != i) {
			tmp = ss->seen[k];
			ss->seen[k] = ss->seen[i];
			ss->seen[i] = tmp;
		}
		k++;
	}
	ss->nseen = k;
	for (i = 0; i < ss->nseen; i++)
		if (ss->seen[i].len == row->len &&
		    memcmp(ss->seen[i].key, row->key, row->len) == 0)
			break;
	if (i < ss->nseen) {
		dup = ss->seen[i].id;
		ss->seen[i].ts = row->ts;
		ss->seen[i].id = row->id;
	} else {
		if (ss->nseen == ss->nheld) {
			ss->seen = util_grow(ss->seen, &ss->capseen, ss->nheld,
			    sizeof *ss->seen, 8);
			ss->seen[ss->nheld].key = NULL;
			ss->seen[ss->nheld++].cap = 0;
		}
		s = &ss->seen[ss->nseen++];
		if (s->cap < row->len || s->key == NULL) {
			free(s->key);
			s->cap = row->len > 0 ? row->len : 1;
			s->key = xmalloc(s->cap);
		}
		memcpy(s->key, row->key, row->len);
		s->len = row->len;
		s->ts = row->ts;
		s->id = row->id;
	}
	if (row->ts < from || dup == row->old)
		return 0;
	/* most rules with same = are metric rules: samples first */
	for (t = 0; t < 2; t++) {
		if ((up = later_stmt(c, t == 0 ? ST_SET_DUP_SAMPLE :
		    ST_SET_DUP)) == NULL)
			return -1;
		sqlite3_reset(up);
		sqlite3_clear_bindings(up);
		sqlite3_bind_int64(up, 1, row->id);
		if (dup != 0)
			sqlite3_bind_int64(up, 2, dup);
		if (exec_stmt(c, up) != 0)
			return -1;
		if (sqlite3_changes(c->db) > 0)
			break;
	}
	c->repeats += (dup != 0) - (row->old != 0);
	return 0;
}

/* The held events of one time, in id order; they are freed. */
static int
same_flush(struct correlate *c, struct same_state *ss, int64_t w,
    int64_t from, struct same_row *rows, size_t n)
{
	size_t i;
	int failed = 0;

	if (n > 1)
		qsort(rows, n, sizeof *rows, same_row_cmp);
	for (i = 0; i < n; i++) {
		if (!failed && same_apply(c, ss, w, from, &rows[i]) != 0)
			failed = 1;
		free(rows[i].key);
	}
	return failed ? -1 : 0;
}

/*
 * Whether (rule, source) has events after ts.  0, or -1 on a database error.
 */
static int
same_later(struct correlate *c, const char *rule, int64_t source_id,
    int64_t ts, int *later)
{
	sqlite3_stmt *st = later_stmt(c, ST_SAME_LATER);
	int rc;

	if (st == NULL)
		return -1;
	bind_rule_source(st, rule, source_id);
	sqlite3_bind_int64(st, 3, ts);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*later = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Mark the repeats of a sample among the events of (rule, source) from
 * `from` to `to`: an event whose same-fields equal those of an event at
 * most W before it is a repeat of that one (dup_of).  Whether an event
 * repeats depends only on the W before it, so the events from from - W
 * on are read and those from `from` to `to` + W written.  When they were
 * the last of the pair, what was seen stays live (same_feed).
 */
static int
run_same(struct correlate *c, const struct work *wk, char *err, size_t errlen)
{
	size_t ri = (size_t)wk->rule;
	const struct rule *r = &c->rs->rules[ri];
	sqlite3_stmt *ss;
	int64_t w = r->same_within_ms, ts, from = wk->from, to = wk->to;
	int64_t source_id = wk->source_id;
	struct same_state *st;
	struct same_row *rows = NULL;
	struct scan_pos last = { TS_NONE, 0 };
	struct live *l;
	size_t nrow = 0, caprow = 0, i;
	struct buf key;
	int rc, failed = 0, later = 1;

	if ((ss = c->same_scan[ri]) == NULL &&
	    (ss = c->same_scan[ri] = same_scan_new(c->db, r)) == NULL)
		return db_fail(c, err, errlen, r->id, "marking repeated samples");
	st = xcalloc(1, sizeof *st);
	buf_init(&key);
	/* the field paths stay bound: no clear_bindings here */
	sqlite3_reset(ss);
	sqlite3_bind_text(ss, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ss, 2, source_id);
	sqlite3_bind_int64(ss, 3, from - w);
	sqlite3_bind_int64(ss, 4, to + w);
	while (!failed && (rc = sqlite3_step(ss)) == SQLITE_ROW) {
		ts = sqlite3_column_int64(ss, 1);
		if (nrow > 0 && ts != rows[0].ts) {
			failed = same_flush(c, st, w, from, rows, nrow) != 0;
			nrow = 0;
		}
		rows = util_grow(rows, &caprow, nrow, sizeof *rows, 4);
		rows[nrow].id = sqlite3_column_int64(ss, 0);
		rows[nrow].ts = ts;
		rows[nrow].old = sqlite3_column_type(ss, 3) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(ss, 3);
		if (nrow == 0 || rows[nrow].id > last.id)
			last.id = rows[nrow].id;
		last.ts = ts;
		same_key(r, ss, &key);
		rows[nrow].key = xmalloc(key.len > 0 ? key.len : 1);
		memcpy(rows[nrow].key, key.data, key.len);
		rows[nrow++].len = key.len;
	}
	if (!failed && rc == SQLITE_DONE &&
	    same_flush(c, st, w, from, rows, nrow) != 0)
		failed = 1;
	else if (failed || rc != SQLITE_DONE) {
		for (i = 0; i < nrow; i++)
			free(rows[i].key);
	}
	sqlite3_reset(ss);
	free(rows);
	buf_free(&key);
	if (!failed && rc == SQLITE_DONE && (c->role[ri] & ROLE_SAME_MEM) &&
	    last.ts != TS_NONE && last.ts >= from &&
	    same_later(c, r->id, source_id, to + w, &later) != 0)
		failed = 1;
	if (failed || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		same_state_free(st);
		return db_fail(c, err, errlen, r->id, "marking repeated samples");
	}
	l = live_find(c, wk->rule, WORK_SAME, source_id);
	if (!later) {
		if (l == NULL)
			l = live_new(c, wk->rule, WORK_SAME, source_id, NULL);
		same_state_free(l->same);
		l->same = st;
		l->a = last;
		return 0;
	}
	if (l != NULL) {
		same_state_free(l->same);
		l->same = NULL;
	}
	same_state_free(st);
	return 0;
}

static int
same_row_order(const void *a, const void *b)
{
	const struct same_row *x = a, *y = b;

	return ts_id_order(x->ts, x->id, y->ts, y->id);
}

/*
 * Feed l the new events of wk as correlate_note_sample handed them over,
 * in (ts, id) order; all come after every stored event l has fed.
 */
static int
same_feed(struct correlate *c, const struct work *wk, size_t first,
    struct live *l, char *err, size_t errlen)
{
	const struct rule *r = &c->rs->rules[wk->rule];
	const struct note *n;
	struct same_row *rows = xmalloc((wk->ch[CHAIN_OWN].nkeyed + 1) *
	    sizeof *rows);
	size_t i, k, nrow = 0;
	int sorted = 1, rc = 0;

	for (k = first != UTIL_INDEX_NONE ? first : wk->ch[CHAIN_OWN].first;
	    k != UTIL_INDEX_NONE;
	    k = k == first ? wk->ch[CHAIN_OWN].first : n->next) {
		n = &c->notes[k];
		rows[nrow].id = n->id;
		rows[nrow].ts = n->ts;
		rows[nrow].old = 0;
		rows[nrow].key = c->note_keys.data + n->key_off;
		rows[nrow].len = n->key_len;
		if (nrow > 0 && same_row_order(&rows[nrow - 1], &rows[nrow]) > 0)
			sorted = 0;
		nrow++;
	}
	if (!sorted)
		qsort(rows, nrow, sizeof *rows, same_row_order);
	for (i = 0; rc == 0 && i < nrow; i++)
		rc = same_apply(c, l->same, r->same_within_ms, TS_LOW, &rows[i]);
	if (nrow > 0) {
		l->a.ts = rows[nrow - 1].ts;
		l->a.id = rows[nrow - 1].id;
	}
	free(rows);
	if (rc != 0)
		return db_fail(c, err, errlen, r->id, "marking repeated samples");
	return 0;
}

/*
 * The note of the first event of wk's pair when the pair is of a source
 * this connection added and every event it has stored is among the notes
 * of this run (the first one's and wk's), none after what the scan of
 * run_same reads; else UTIL_INDEX_NONE.  One earlier than the scan reads
 * is more than W before all the others: fed first, it repeats nothing,
 * none repeats it, and it is forgotten at the next.
 */
static size_t
same_first_note(struct correlate *c, const struct work *wk)
{
	const struct new_pair *p;
	const struct note *n;
	int64_t w = c->rs->rules[wk->rule].same_within_ms;

	if (!idranges_has(&c->new_sources, wk->source_id) ||
	    (p = new_pair(c, wk->rule, wk->source_id, 0)) == NULL ||
	    p->first_note == UTIL_INDEX_NONE || p->first_run != c->note_run ||
	    p->n != wk->ch[CHAIN_OWN].nnoted + 1)
		return UTIL_INDEX_NONE;
	n = &c->notes[p->first_note];
	if (n->ts > wk->to + w)
		return UTIL_INDEX_NONE;
	return p->first_note;
}

/*
 * The repeats of a sample: the new events alone when every one of them
 * was handed over and comes after what the live state fed, or when they
 * are all the pair has stored; else from the store.
 */
static int
run_same_work(struct correlate *c, const struct work *wk, char *err,
    size_t errlen)
{
	struct live *l = live_find(c, wk->rule, WORK_SAME, wk->source_id);
	size_t first;

	if (!chain_fits(wk, CHAIN_OWN) || wk->ch[CHAIN_OWN].nnoted == 0)
		return run_same(c, wk, err, errlen);
	if (l != NULL && l->same != NULL && wk->from >= l->a.ts)
		return same_feed(c, wk, UTIL_INDEX_NONE, l, err, errlen);
	if ((l == NULL || l->same == NULL) &&
	    (first = same_first_note(c, wk)) != UTIL_INDEX_NONE) {
		if (l == NULL)
			l = live_new(c, wk->rule, WORK_SAME, wk->source_id, NULL);
		l->same = xcalloc(1, sizeof *l->same);
		return same_feed(c, wk, first, l, err, errlen);
	}
	return run_same(c, wk, err, errlen);
}

/*
 * The log time up to which a source's waits were last settled (TS_LOW if
 * not in this run).  Open rows are only ever written for waits still open
 * at the log time of their writing, so after a resettle at `now` none
 * remains whose window ended by then.
 */
static struct src_settled *
settled_for(struct correlate *c, int64_t source_id)
{
	struct src_settled *s;
	size_t it = 0, i;
	uint64_t h = key_hash(-1, -1, source_id);

	while ((i = util_index_next(&c->settled_index, h, &it)) != UTIL_INDEX_NONE) {
		if (c->settled[i].source_id == source_id)
			return &c->settled[i];
	}
	util_index_put(&c->settled_index, h, c->nsettled);
	if (c->nsettled == c->capsettled) {
		c->capsettled = c->capsettled ? c->capsettled * 2 : 8;
		c->settled = xrealloc(c->settled, c->capsettled * sizeof *c->settled);
	}
	s = &c->settled[c->nsettled++];
	s->source_id = source_id;
	s->now = TS_LOW;
	return s;
}

/* A source's log time moved on: waits whose window it passed are unresolved. */
static int
resettle(struct correlate *c, int64_t source_id, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const struct rule *r;
	struct src_settled *done;
	int64_t now;
	size_t i;

	if (!idset_has(&c->open_sources, source_id) ||
	    (now = log_time(c, source_id)) == TS_NONE)
		return 0;
	if ((st = later_stmt(c, ST_RESETTLE)) == NULL)
		return db_fail(c, err, errlen, "all rules",
		    "settling open waits");
	done = settled_for(c, source_id);
	for (i = 0; i < c->rs->n; i++) {
		r = &c->rs->rules[i];
		if (!(c->role[i] & ROLE_EXPECT))
			continue;
		bind_rule_source(st, r->id, source_id);
		sqlite3_bind_int64(st, 3, now - r->expect_within_ms);
		sqlite3_bind_int64(st, 4, done->now - r->expect_within_ms);
		if (exec_stmt(c, st) != 0)
			return db_fail(c, err, errlen, r->id, "settling open waits");
	}
	if (now > done->now)
		done->now = now;
	return 0;
}

static int
run_work(struct correlate *c, char *err, size_t errlen)
{
	const struct work *w;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < c->nwork; i++) {
		w = &c->work[i];
		switch (w->kind) {
		case WORK_STORM:
			rc = run_storm(c, w, err, errlen);
			break;
		case WORK_EXPECT:
			rc = run_expect(c, w, err, errlen);
			break;
		case WORK_FOLLOWS:
			rc = run_follows_work(c, w, err, errlen);
			break;
		case WORK_SAME:
			rc = run_same_work(c, w, err, errlen);
			break;
		}
	}
	for (i = 0; rc == 0 && i < c->ntimes; i++)
		rc = resettle(c, c->times[i].source_id, err, errlen);
	/* After a failure the caller rolls back; the notes went with it. */
	c->nwork = 0;
	util_index_free(&c->work_index);
	c->nnotes = 0;
	buf_reset(&c->note_keys);
	c->note_run++;
	c->same_work = c->same_first = UTIL_INDEX_NONE;
	c->ntimes = 0;
	util_index_free(&c->times_index);
	if (rc != 0)
		live_drop_all(c);
	return rc;
}

/* PRAGMA data_version: it changes when another connection commits. */
static int
data_version(struct correlate *c, int64_t *v, char *err, size_t errlen)
{
	sqlite3_stmt *st = c->stmt[ST_DATA_VERSION];
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(c, err, errlen, "all rules", "reading data_version");
	return 0;
}

/* The sources with open waits stored. */
static int
load_open_sources(struct correlate *c, char *err, size_t errlen)
{
	sqlite3_stmt *st = c->stmt[ST_OPEN_SOURCES];
	int rc;

	idset_clear(&c->open_sources);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		idset_add(&c->open_sources, sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(c, err, errlen, "all rules", "listing open waits");
	return 0;
}

/*
 * The live state is valid only if every stored event it has not seen was
 * noted since: nothing rolled back, and no other connection (a second
 * ingest, prune) committed since the last run.
 */
static int
run_checked(struct correlate *c, char *err, size_t errlen)
{
	int64_t v;

	if (data_version(c, &v, err, errlen) != 0)
		return -1;
	if (c->stale || v != c->data_version)
		live_drop_all(c);
	c->stale = 0;
	c->data_version = v;
	if (c->open_version != v && load_open_sources(c, err, errlen) != 0)
		return -1;
	c->open_version = v;
	return run_work(c, err, errlen);
}

/* Run f inside a transaction of its own unless the caller holds one. */
static int
in_transaction(struct correlate *c, int (*f)(struct correlate *, char *, size_t),
    char *err, size_t errlen)
{
	if (!sqlite3_get_autocommit(c->db))
		return f(c, err, errlen);
	if (store_begin(c->st, err, errlen) != 0)
		return -1;
	if (f(c, err, errlen) != 0) {
		store_rollback(c->st);
		return -1;
	}
	return store_commit(c->st, err, errlen);
}

/*
 * The statements below n, for the first run with work to do: an ingest
 * that has nothing to correlate (an empty input) does not prepare its
 * two dozen, nor one without a rebuild those of a rebuild.  One that
 * failed is prepared again by the next call.
 */
static int
prepare(struct correlate *c, size_t n, char *err, size_t errlen)
{
	size_t i;

	for (i = c->prepared ? ST_SOURCES : 0; i < n; i++) {
		if (c->stmt[i] == NULL && !correlate_sql_later[i] &&
		    sqlite3_prepare_v2(c->db, correlate_sql[i], -1,
		    &c->stmt[i], NULL) != SQLITE_OK) {
			store_sql_error(c->db, err, errlen,
			    "preparing correlation");
			return -1;
		}
	}
	c->prepared = 1;
	return 0;
}

int
correlate_run(struct correlate *c, char *err, size_t errlen)
{
	if (c->nwork == 0 && c->ntimes == 0)
		return 0;
	if (prepare(c, ST_SOURCES, err, errlen) != 0)
		return -1;
	return in_transaction(c, run_checked, err, errlen);
}

static int
rebuild(struct correlate *c, char *err, size_t errlen)
{
	sqlite3_stmt *st = c->stmt[ST_SOURCES];
	int64_t source_id;
	size_t i;
	int rc;

	if (exec_stmt(c, c->stmt[ST_DEL_ALL]) != 0 ||
	    exec_stmt(c, c->stmt[ST_CLEAR_ALL]) != 0 ||
	    exec_stmt(c, c->stmt[ST_CLEAR_ALL_SAMPLES]) != 0 ||
	    exec_stmt(c, c->stmt[ST_CLEAR_DUPS]) != 0 ||
	    exec_stmt(c, c->stmt[ST_CLEAR_DUPS_SAMPLES]) != 0)
		return db_fail(c, err, errlen, "all rules", "clearing");
	c->nwork = 0;
	util_index_free(&c->work_index);
	c->nnotes = 0;
	buf_reset(&c->note_keys);
	c->note_run++;
	c->same_work = c->same_first = UTIL_INDEX_NONE;
	live_drop_all(c);
	c->stale = 0;
	if (data_version(c, &c->data_version, err, errlen) != 0)
		return -1;
	sqlite3_reset(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		source_id = sqlite3_column_int64(st, 0);
		for (i = 0; i < c->rs->n; i++) {
			if (c->role[i] & ROLE_STORM)
				mark(c, (int)i, WORK_STORM, source_id, TS_LOW,
				    TS_HIGH, TS_LOW, TS_HIGH);
			if (c->role[i] & ROLE_EXPECT)
				mark(c, (int)i, WORK_EXPECT, source_id, TS_LOW,
				    TS_HIGH, TS_LOW, TS_LOW);
			if (c->role[i] & ROLE_FOLLOWS)
				mark(c, (int)i, WORK_FOLLOWS, source_id, TS_LOW,
				    TS_HIGH, TS_HIGH, TS_HIGH);
			if (c->role[i] & ROLE_SAME)
				mark(c, (int)i, WORK_SAME, source_id, TS_LOW,
				    TS_HIGH, TS_HIGH, TS_HIGH);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(c, err, errlen, "all rules", "listing sources");
	return run_work(c, err, errlen);
}

int
correlate_rebuild(struct correlate *c, char *err, size_t errlen)
{
	int rc;

	if (prepare(c, ST_COUNT, err, errlen) != 0)
		return -1;
	rc = in_transaction(c, rebuild, err, errlen);

	/* a rebuild marks old repeats again: they are not new ones */
	c->repeats = 0;
	return rc;
}

uint64_t
correlate_take_repeats(struct correlate *c)
{
	int64_t n = c->repeats;

	c->repeats = 0;
	return n > 0 ? (uint64_t)n : 0;
}
