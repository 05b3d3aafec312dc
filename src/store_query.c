/*
 * store_query.c - the queries the commands run against the store, each
 * behind a name, with its filters in SQL (see store_query.h).
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_query.h"
#include "store_rows.h"
#include "util.h"

#define PRUNE_BATCH	10000
#define QUERY_STR_(x)	#x
#define QUERY_STR(x)	QUERY_STR_(x)
#define HOUR_MS		3600000LL

int
store_sql_error(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (fmt == NULL) {
		util_err(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	util_err(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* lt_fnmatch(pattern, name): fnmatch(3) as --source has always read globs. */
static void
sql_fnmatch(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *pat = (const char *)sqlite3_value_text(argv[0]);
	const char *name = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	sqlite3_result_int(ctx, pat != NULL && name != NULL &&
	    fnmatch(pat, name, 0) == 0);
}

static int
register_fnmatch(sqlite3 *db, char *err, size_t errlen)
{
	if (sqlite3_create_function(db, "lt_fnmatch", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_fnmatch, NULL, NULL) != SQLITE_OK)
		return store_sql_error(db, err, errlen, NULL);
	return 0;
}

/*
 * The filter's conditions on events e (rules r), ANDed after
 * what b holds; values are bound from parameter first on, in the order
 * store_filter_bind binds them.
 */
static void
filter_sql(struct buf *b, const struct store_filter *f, int first)
{
	size_t i;
	int p = first;

	/* the sources once, not a glob per event */
	if (f->nsources > 0) {
		buf_puts(b, " AND e.source_id IN (SELECT x.id FROM sources x WHERE");
		for (i = 0; i < f->nsources; i++, p++)
			buf_printf(b, "%s x.name = ?%d OR (lt_fnmatch(?%d, x.name)"
			    " AND NOT EXISTS (SELECT 1 FROM sources y WHERE"
			    " y.name = ?%d))", i > 0 ? " OR" : "", p, p, p);
		buf_putc(b, ')');
	}
	if (f->nrules > 0) {
		buf_puts(b, " AND e.rule IN (");
		for (i = 0; i < f->nrules; i++, p++)
			buf_printf(b, "%s?%d", i > 0 ? "," : "", p);
		buf_putc(b, ')');
	}
	if (f->ncategories > 0) {
		buf_puts(b, " AND coalesce(r.category, '') IN (");
		for (i = 0; i < f->ncategories; i++, p++)
			buf_printf(b, "%s?%d", i > 0 ? "," : "", p);
		buf_putc(b, ')');
	}
	/* the key is bound as a path, the value compared as text */
	for (i = 0; i < f->nfields; i++, p += 2)
		buf_printf(b, " AND CAST(coalesce(json_extract(e.fields, ?%d),"
		    " json_extract(e.inherited, ?%d)) AS TEXT) = ?%d", p, p,
		    p + 1);
}

int
store_field_key_ok(const char *kv)
{
	const char *eq = strchr(kv, '=');
	const char *p;

	if (eq == NULL || eq == kv)
		return 0;
	for (p = kv; p < eq; p++)
		if (!util_ident_byte((unsigned char)*p))
			return 0;
	return 1;
}

/* ?1 and ?2 the window of f (open ends as the extremes), its lists from first on. */
static void
filter_bind(sqlite3_stmt *q, const struct store_filter *f, int first)
{
	size_t i;
	int p = first;

	sqlite3_bind_int64(q, 1, f->since != TS_NONE ? f->since : INT64_MIN);
	sqlite3_bind_int64(q, 2, f->until != TS_NONE ? f->until : INT64_MAX);

	for (i = 0; i < f->nsources; i++)
		sqlite3_bind_text(q, p++, f->sources[i], -1, SQLITE_STATIC);
	for (i = 0; i < f->nrules; i++)
		sqlite3_bind_text(q, p++, f->rules[i], -1, SQLITE_STATIC);
	for (i = 0; i < f->ncategories; i++)
		sqlite3_bind_text(q, p++, f->categories[i], -1, SQLITE_STATIC);
	for (i = 0; i < f->nfields; i++) {
		const char *eq = strchr(f->fields[i], '=');

		sqlite3_bind_text(q, p++, xasprintf("$.\"%.*s\"",
		    (int)(eq - f->fields[i]), f->fields[i]), -1, free);
		sqlite3_bind_text(q, p++, eq + 1, -1, SQLITE_STATIC);
	}
}

/* ?1 since, ?2 until, ?3 after_id, ?4 limit; the filter from ?5 on. */
#define FILTER_FIRST	5

static void
events_sql(struct buf *b, const struct store_filter *f,
    enum store_events_order order, int old)
{
	int windowed = f->since != TS_NONE || f->until != TS_NONE;

	buf_puts(b, "SELECT e.ts, s.name, e.rule, r.category, r.severity,"
	    " e.line, e.line_end, e.fields, e.inherited, e.text, e.id, e.value,");
	buf_puts(b, old ? " NULL, NULL" : " r.unit, e.dup_of");
	buf_puts(b, " FROM events_all e JOIN sources s ON s.id = e.source_id"
	    " LEFT JOIN rules r ON r.id = e.rule WHERE ");
	/*
	 * With no window every event is selected, the untimed ones (ts
	 * NULL) too: they sort first, as a window would never hold them.
	 */
	switch (order) {
	case STORE_EVENTS_BY_TIME:
		buf_puts(b, windowed ? "e.ts >= ?1 AND e.ts < ?2" : "1");
		break;
	case STORE_EVENTS_AFTER_ID:
		buf_puts(b, windowed ? "e.id > ?3 AND e.ts >= ?1 AND e.ts < ?2" :
		    "e.id > ?3");
		break;
	case STORE_EVENTS_UNTIMED:
		buf_puts(b, "e.ts IS NULL");
		break;
	}
	filter_sql(b, f, FILTER_FIRST);
	buf_puts(b, order == STORE_EVENTS_BY_TIME ? " ORDER BY e.ts, e.id" :
	    " ORDER BY e.id");
	buf_puts(b, " LIMIT ?4");
}

int
store_events_query(struct store *s, const struct store_filter *f,
    enum store_events_order order, int64_t after_id, int64_t limit,
    struct store_rows **q, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = NULL;
	struct buf b;
	int rc, old;

	*q = NULL;
	if (f->nsources > 0 && register_fnmatch(db, err, errlen) != 0)
		return -1;
	buf_init(&b);
	for (old = 0, rc = SQLITE_ERROR; old < 2 && rc != SQLITE_OK; old++) {
		buf_reset(&b);
		events_sql(&b, f, order, old);
		rc = sqlite3_prepare_v2(db, b.data, -1, &st, NULL);
	}
	buf_free(&b);
	if (rc != SQLITE_OK)
		return store_sql_error(db, err, errlen, NULL);
	sqlite3_bind_int64(st, 3, after_id);
	sqlite3_bind_int64(st, 4, limit);
	filter_bind(st, f, FILTER_FIRST);
	*q = store_rows_of(st);
	return 0;
}

int
store_worst_records(struct store *s, const struct store_filter *f,
    int min_severity, struct store_rows **q, char *err, size_t errlen)
{
	struct store_filter only = *f;
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = NULL;
	struct buf b;
	int rc;

	*q = NULL;
	only.nrules = only.ncategories = 0;
	if (only.nsources > 0 && register_fnmatch(db, err, errlen) != 0)
		return -1;
	buf_init(&b);
	/* ?4: with no window, the untimed records too (ts NULL, first) */
	buf_puts(&b, "SELECT e.ts, s.name, max(r.severity), e.line, e.text"
	    " FROM events_all e JOIN sources s ON s.id = e.source_id"
	    " JOIN rules r ON r.id = e.rule"
	    " WHERE ((e.ts >= ?1 AND e.ts < ?2) OR (?4 AND e.ts IS NULL))");
	filter_sql(&b, &only, FILTER_FIRST);
	buf_puts(&b, " GROUP BY e.source_id, e.ts, e.line, e.text"
	    " HAVING max(r.severity) >= ?3 ORDER BY e.ts, min(e.id)");
	rc = sqlite3_prepare_v2(db, b.data, -1, &st, NULL);
	buf_free(&b);
	if (rc != SQLITE_OK)
		return store_sql_error(db, err, errlen, NULL);
	sqlite3_bind_int(st, 3, min_severity);
	sqlite3_bind_int(st, 4, f->since == TS_NONE && f->until == TS_NONE);
	filter_bind(st, &only, FILTER_FIRST);
	*q = store_rows_of(st);
	return 0;
}

/*
 * An event is kept while an open incident waits on it.  from names the
 * events e, with rule and source their rule and source.
 */
#define PRUNE_WHERE(from, rule, source) \
	" FROM " from " WHERE e.ts < ?1 AND NOT EXISTS (SELECT 1 FROM incidents i" \
	" WHERE i.kind = 'open' AND (i.event_id = e.id OR (i.rule = " rule " AND" \
	" i.source_id = " source " AND e.ts >= i.start AND e.ts <= i.end)))"
#define PRUNE_EVENTS_WHERE PRUNE_WHERE("events_all e", "e.rule", "e.source_id")
#define PRUNE_INCIDENTS_WHERE " FROM incidents WHERE kind <> 'open' AND end < ?1"
#define PRUNE_VOLUME_WHERE " FROM volume WHERE minute < ?1"
#define PRUNE_CONTEXT_WHERE \
	" FROM event_context WHERE event_id NOT IN (SELECT id FROM events_all)"
#define PRUNE_BLOCKS_WHERE " FROM context_blocks WHERE id NOT IN" \
	" (SELECT block FROM event_context WHERE block IS NOT NULL)"

/*
 * The spans of samples that hold none any more, once the samples before
 * the cut are gone (all but those an open incident waits on).
 */
#define PRUNE_SPANS \
	"DELETE FROM sample_spans WHERE last_ts < ?1 AND NOT EXISTS" \
	" (SELECT 1 FROM samples e WHERE e.rule_no = sample_spans.rule_no" \
	" AND e.ts >= sample_spans.first_ts AND e.ts <= sample_spans.last_ts)"

static const struct {
	const char	*count_sql;
	const char	*delete_sql[2];	/* run in turn, each until it is done */
	const char	*after_sql;	/* then once; what it removes is not counted */
	int		 minutes;	/* bind the cut-off in minutes */
} prune_kinds[STORE_PRUNE_KINDS] = {
	/* the events removed are taken out of event_minutes as they go */
	{ "SELECT count(*)" PRUNE_EVENTS_WHERE,
	  { "DELETE FROM events WHERE id IN (SELECT e.id"
	    PRUNE_WHERE("events e", "e.rule", "e.source_id")
	    " LIMIT " QUERY_STR(PRUNE_BATCH) ") RETURNING rule, source_id, ts",
	    "DELETE FROM samples WHERE id IN (SELECT e.id"
	    PRUNE_WHERE("samples e JOIN sample_rules r ON r.no = e.rule_no",
	    "r.rule", "e.source_id") " LIMIT " QUERY_STR(PRUNE_BATCH) ")"
	    " RETURNING (SELECT rule FROM sample_rules r WHERE r.no = rule_no),"
	    " source_id, ts" },
	  PRUNE_SPANS, 0 },
	{ "SELECT count(*)" PRUNE_INCIDENTS_WHERE,
	  { "DELETE FROM incidents WHERE id IN (SELECT id" PRUNE_INCIDENTS_WHERE
	  " LIMIT " QUERY_STR(PRUNE_BATCH) ")" }, NULL, 0 },
	{ "SELECT count(*)" PRUNE_VOLUME_WHERE,
	  { "DELETE FROM volume WHERE (source_id, minute) IN (SELECT source_id, minute"
	  PRUNE_VOLUME_WHERE " LIMIT " QUERY_STR(PRUNE_BATCH) ")" }, NULL, 1 },
	{ "SELECT count(*)" PRUNE_CONTEXT_WHERE,
	  { "DELETE FROM event_context WHERE event_id IN (SELECT event_id"
	  PRUNE_CONTEXT_WHERE " LIMIT " QUERY_STR(PRUNE_BATCH) ")" }, NULL, 0 },
	{ "SELECT count(*)" PRUNE_BLOCKS_WHERE,
	  { "DELETE FROM context_blocks WHERE id IN (SELECT id" PRUNE_BLOCKS_WHERE
	  " LIMIT " QUERY_STR(PRUNE_BATCH) ")" }, NULL, 0 },
};

/*
 * The first column of sql's first row, with ?1 bound to *arg if arg is
 * not NULL (and ?1 text to text if not NULL); 0 when that column is NULL.
 */
static int
query_int(sqlite3 *db, const char *sql, const int64_t *arg, const char *text,
    int64_t *v, const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	*v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_sql_error(db, err, errlen, "%s", what);
	if (arg != NULL)
		sqlite3_bind_int64(st, 1, *arg);
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sql_error(db, err, errlen, "%s",
	    what);
}

static int64_t
prune_arg(enum store_prune_kind kind, int64_t cut)
{
	return prune_kinds[kind].minutes ? cut / 60000 : cut;
}

int
store_prune_count(struct store *s, enum store_prune_kind kind, int64_t cut,
    uint64_t *n, char *err, size_t errlen)
{
	int64_t arg = prune_arg(kind, cut), v;

	if (query_int(store_db(s), prune_kinds[kind].count_sql, &arg, NULL, &v,
	    "counting", err, errlen) != 0)
		return -1;
	*n = (uint64_t)v;
	return 0;
}

/* Run one of kind's deletes until it is done, adding what it removed to *n. */
static int
prune_run(struct store *s, const char *sql, int64_t arg, uint64_t *n,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	int changed, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_sql_error(db, err, errlen, "deleting");
	do {
		if (store_begin(s, err, errlen) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, arg);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			store_minutes_note(s, (const char *)sqlite3_column_text(st,
			    0), sqlite3_column_int64(st, 1),
			    sqlite3_column_type(st, 2) == SQLITE_NULL ? TS_NONE :
			    sqlite3_column_int64(st, 2), -1);
		if (rc != SQLITE_DONE) {
			store_sql_error(db, err, errlen, "deleting");
			store_rollback(s);
			sqlite3_finalize(st);
			return -1;
		}
		changed = sqlite3_changes(db);
		if (store_commit(s, err, errlen) != 0) {
			store_rollback(s);
			sqlite3_finalize(st);
			return -1;
		}
		if (n != NULL)
			*n += (uint64_t)changed;
	} while (n != NULL && changed == PRUNE_BATCH);
	sqlite3_finalize(st);
	return 0;
}

int
store_prune_delete(struct store *s, enum store_prune_kind kind, int64_t cut,
    uint64_t *n, char *err, size_t errlen)
{
	int64_t arg = prune_arg(kind, cut);
	size_t i;

	*n = 0;
	for (i = 0; i < 2 && prune_kinds[kind].delete_sql[i] != NULL; i++)
		if (prune_run(s, prune_kinds[kind].delete_sql[i], arg, n, err,
		    errlen) != 0)
			return -1;
	if (prune_kinds[kind].after_sql != NULL)
		return prune_run(s, prune_kinds[kind].after_sql, arg, NULL, err,
		    errlen);
	return 0;
}

int
store_newest_before(struct store *s, int64_t limit, int64_t *last,
    uint64_t *future, char *err, size_t errlen)
{
	static const char what[] = "reading the newest event";
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	int rc;

	*last = TS_NONE;
	*future = 0;
	if (sqlite3_prepare_v2(db, "SELECT max(CASE WHEN ts <= ?1 THEN ts END),"
	    " count(CASE WHEN ts > ?1 THEN 1 END) FROM events_all", -1, &st,
	    NULL) != SQLITE_OK)
		return store_sql_error(db, err, errlen, what);
	sqlite3_bind_int64(st, 1, limit);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*last = sqlite3_column_int64(st, 0);
		*future = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sql_error(db, err, errlen, what);
}

int
store_events_per_hour(struct store *s, struct store_hours *h, char *err,
    size_t errlen)
{
	static const char what[] = "counting events per hour";
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	size_t cap = 0, cap2 = 0;
	int rc;

	memset(h, 0, sizeof(*h));
	/* Untimed events (ts NULL) have no age and no hour to cut at. */
	if (sqlite3_prepare_v2(db, "SELECT ts / " QUERY_STR(3600000) ", count(*)"
	    " FROM events_all WHERE ts IS NOT NULL GROUP BY 1 ORDER BY 1", -1, &st,
	    NULL) != SQLITE_OK)
		return store_sql_error(db, err, errlen, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->hour = util_grow(h->hour, &cap, h->n, sizeof(*h->hour), 64);
		h->count = util_grow(h->count, &cap2, h->n, sizeof(*h->count), 64);
		h->hour[h->n] = sqlite3_column_int64(st, 0);
		h->count[h->n] = sqlite3_column_int64(st, 1);
		h->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_hours_free(h);
		return store_sql_error(db, err, errlen, what);
	}
	return 0;
}

void
store_hours_free(struct store_hours *h)
{
	free(h->hour);
	free(h->count);
	memset(h, 0, sizeof(*h));
}

int
store_used_bytes(struct store *s, int64_t *bytes, char *err, size_t errlen)
{
	static const char what[] = "measuring the database";
	sqlite3 *db = store_db(s);
	int64_t pages, free_pages, size;

	if (query_int(db, "PRAGMA page_count", NULL, NULL, &pages, what, err,
	    errlen) != 0 ||
	    query_int(db, "PRAGMA freelist_count", NULL, NULL, &free_pages, what,
	    err, errlen) != 0 ||
	    query_int(db, "PRAGMA page_size", NULL, NULL, &size, what, err,
	    errlen) != 0)
		return -1;
	*bytes = (pages - free_pages) * size;
	return 0;
}

int
store_reclaim(struct store *s, char *err, size_t errlen)
{
	static const char what[] = "reclaiming space";
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	int mode = 0, rc;

	if (sqlite3_prepare_v2(db, "PRAGMA auto_vacuum", -1, &st, NULL) != SQLITE_OK)
		return store_sql_error(db, err, errlen, what);
	if (sqlite3_step(st) == SQLITE_ROW)
		mode = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	/* Incremental mode frees pages without rewriting the whole file. */
	if (sqlite3_prepare_v2(db, mode == 2 ? "PRAGMA incremental_vacuum" : "VACUUM",
	    -1, &st, NULL) != SQLITE_OK)
		return store_sql_error(db, err, errlen, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sql_error(db, err, errlen, what);
}

int
store_rule_event_count(struct store *s, const char *rule, int64_t *n,
    char *err, size_t errlen)
{
	return query_int(store_db(s), "SELECT count(*) FROM events_all WHERE rule = ?1",
	    NULL, rule, n, "counting events", err, errlen);
}

int
store_rule_events(struct store *s, const char *rule, int max,
    struct store_rows **q, char *err, size_t errlen)
{
	if (store_rows_prepare(s, "SELECT line, text FROM events_all WHERE rule = ?1"
	    " ORDER BY line, id LIMIT ?2", NULL, NULL, q, err, errlen) != 0)
		return -1;
	store_rows_bind_copy(*q, 1, rule);
	store_rows_bind_int64(*q, 2, max);
	return 0;
}

int
store_incident_count(struct store *s, int64_t *n, char *err, size_t errlen)
{
	return query_int(store_db(s), "SELECT count(*) FROM incidents", NULL,
	    NULL, n, "counting incidents", err, errlen);
}

int
store_incidents_of(struct store *s, const char *kind, const char *rule,
    struct store_rows **q, char *err, size_t errlen)
{
	if (store_rows_prepare(s, "SELECT key, start, end, count FROM incidents"
	    " WHERE kind = ?1 AND rule = ?2 ORDER BY start", NULL, NULL, q, err,
	    errlen) != 0)
		return -1;
	store_rows_bind_copy(*q, 1, kind);
	store_rows_bind_copy(*q, 2, rule);
	return 0;
}

int
store_linked_events(struct store *s, const char *rule, const char *target,
    struct store_rows **q, char *err, size_t errlen)
{
	/* a join with the view would read all of it (store_report.c) */
	if (store_rows_prepare(s, "SELECT e.fields, e.inherited FROM events_all e"
	    " WHERE e.rule = ?1 AND (SELECT t.rule FROM events_all t"
	    " WHERE t.id = e.link) = ?2", NULL, NULL, q, err, errlen) != 0)
		return -1;
	store_rows_bind_copy(*q, 1, rule);
	store_rows_bind_copy(*q, 2, target);
	return 0;
}

