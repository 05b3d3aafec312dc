/*
 * store_query.h - the queries the commands run against the store: the
 * events of a window or after a position, the records patterns mines,
 * what prune counts and deletes, what `rules test` checks.  Filters are
 * done in SQL.  The ingest write path stays in store.c; the report's,
 * the screen's and context's queries are in store_report.h, store_tui.h
 * and store_context.h.
 *
 * A function that hands out rows (*q, store_rows.h) leaves them before
 * the first; the caller steps and frees them.
 */
#ifndef LOGTRIAGE_STORE_QUERY_H
#define LOGTRIAGE_STORE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "store_rows.h"

struct sqlite3;
struct store;

/*
 * The one form of a database error: err = the printf-formatted what, ": "
 * and SQLite's message for db.  Returns -1.
 */
int store_sql_error(struct sqlite3 *db, char *err, size_t errlen,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * SQL for a metric event's group, of the row of events_all named e ("e."
 * or ""): its own, stored as grp, else the value of the rule's group field
 * it inherited from the event it follows (a duration that takes its tool
 * from the line before).  Inherited at correlation, so read, not stored.
 */
#define STORE_GROUP_OF(e) \
	"coalesce(" e "grp, CASE WHEN " e "inherited IS NOT NULL THEN" \
	" json_extract(" e "inherited, '$.\"' || (SELECT r_.metric_by FROM" \
	" rules r_ WHERE r_.id = " e "rule) || '\"') END)"

/*
 * Which events: sources are names or globs (fnmatch), but a value that is
 * a stored source's very name selects that source alone ('app[1].log' is a
 * file name before it is a glob); rules and categories are exact; fields
 * are "KEY=VALUE", each the value of the event's field KEY (its own, else
 * inherited) exactly, KEY of word bytes (store_field_key_ok).  An empty
 * list takes all.
 */
struct store_filter {
	int64_t			 since, until;	/* TS_NONE: open */
	const char *const	*sources;
	size_t			 nsources;
	const char *const	*rules;
	size_t			 nrules;
	const char *const	*categories;
	size_t			 ncategories;
	const char *const	*fields;
	size_t			 nfields;
};

/*
 * Whether "KEY=VALUE" names a field a filter can select on: KEY not
 * empty, of letters, digits and '_' (as a rule's named groups are).
 */
int store_field_key_ok(const char *kv);

enum store_events_order {
	STORE_EVENTS_BY_TIME,	/* events of the window, by (ts, id); with no
				   window all, the untimed (ts NULL) first */
	STORE_EVENTS_AFTER_ID,	/* events of the window with id > after_id,
				   by id: ids grow in commit order, so a follower
				   that remembers the last id misses nothing;
				   with no window the untimed ones too */
	STORE_EVENTS_UNTIMED	/* events with no time (ts NULL), by id */
};

/*
 * The events f selects, at most limit (-1: all), as (ts, source name,
 * rule, category, severity, line, line_end, fields, inherited, text, id,
 * value, unit, dup_of).  A database no writer has opened since rules.unit
 * and events.dup_of were added gives NULL for both.
 */
int store_events_query(struct store *s, const struct store_filter *f,
    enum store_events_order order, int64_t after_id, int64_t limit,
    struct store_rows **q, char *err, size_t errlen);

/*
 * The records that are events of min_severity or worse, once each however
 * many rules they are events of, at their worst rule's severity: (ts,
 * source name, severity, line, text) in log-time order; with neither
 * since nor until in f, the untimed ones too (ts NULL), first.  f's rules
 * and categories are not used.
 */
int store_worst_records(struct store *s, const struct store_filter *f,
    int min_severity, struct store_rows **q, char *err, size_t errlen);

/* What prune removes, in this order. */
enum store_prune_kind {
	STORE_PRUNE_EVENTS,	/* before the cut, unless an open incident waits on it */
	STORE_PRUNE_INCIDENTS,	/* closed ones ended before the cut */
	STORE_PRUNE_VOLUME,	/* minutes before the cut */
	STORE_PRUNE_CONTEXT,	/* the context of events no longer stored */
	STORE_PRUNE_BLOCKS,	/* stream records no context refers to */
	STORE_PRUNE_KINDS
};

/* How many rows of kind a prune at cut (ms) would remove. */
int store_prune_count(struct store *s, enum store_prune_kind kind, int64_t cut,
    uint64_t *n, char *err, size_t errlen);
/*
 * Remove them, in transactions of a bounded number of rows so readers
 * and a running ingest are never blocked for long; *n gets how many.
 */
int store_prune_delete(struct store *s, enum store_prune_kind kind,
    int64_t cut, uint64_t *n, char *err, size_t errlen);

/*
 * The newest log time no later than limit in *last (TS_NONE if none), and
 * in *future the events dated after limit, in one pass over the events.
 */
int store_newest_before(struct store *s, int64_t limit, int64_t *last,
    uint64_t *future, char *err, size_t errlen);

/* Timed events per hour of log time: hours[i] (ts / 1 h) holds counts[i]. */
struct store_hours {
	int64_t		*hour;
	int64_t		*count;
	size_t		 n;
};
int store_events_per_hour(struct store *s, struct store_hours *h, char *err,
    size_t errlen);
void store_hours_free(struct store_hours *h);

/* Bytes in pages that hold data (free pages are not counted). */
int store_used_bytes(struct store *s, int64_t *bytes, char *err, size_t errlen);
/* Give free pages back: incrementally when the database allows, else VACUUM. */
int store_reclaim(struct store *s, char *err, size_t errlen);

/* The events of one rule: how many, and (line, text) of the first max by line. */
int store_rule_event_count(struct store *s, const char *rule, int64_t *n,
    char *err, size_t errlen);
int store_rule_events(struct store *s, const char *rule, int max,
    struct store_rows **q, char *err, size_t errlen);

/* Every incident, open or closed. */
int store_incident_count(struct store *s, int64_t *n, char *err, size_t errlen);
/* The incidents of a kind and rule: (key, start, end, count) by start. */
int store_incidents_of(struct store *s, const char *kind, const char *rule,
    struct store_rows **q, char *err, size_t errlen);
/* The events of rule linked to an event of target: (fields, inherited). */
int store_linked_events(struct store *s, const char *rule, const char *target,
    struct store_rows **q, char *err, size_t errlen);

#endif
