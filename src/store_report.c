/*
 * store_report.c - the report's queries (see store_report.h).
 */
#include <sqlite3.h>

#include "store.h"
#include "store_query.h"
#include "store_report.h"

#define ST(q)	((sqlite3_stmt *)(void *)(q))

/*
 * The rule of the event e links to.  A join with events_all would read
 * the whole view into a temporary table; a scalar subquery finds the one
 * row by its id in either table.
 */
#define LINKED_RULE	"(SELECT t.rule FROM events_all t WHERE t.id = e.link)"
/* The linked events whose neighbours store_report_beside_max reads. */
#define BESIDE_OF	"e.rule = ?1 AND e.source_id = ?2 AND e.ts >= ?3" \
			" AND e.ts < ?4 AND e.link IS NOT NULL"

static int
prep(struct store *s, const char *sql, struct store_rows **q, char *err,
    size_t errlen)
{
	return store_rows_prepare(s, sql, NULL, "database", q, err, errlen);
}

void
store_report_at(struct store_rows *q, const char *rule, int64_t source_id,
    int64_t since, int64_t until, const char *name)
{
	sqlite3_stmt *st = ST(q);
	int n = sqlite3_bind_parameter_count(st);

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	if (n < 2)
		return;
	sqlite3_bind_int64(st, 2, source_id);
	if (n < 4)
		return;
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, until);
	if (n < 5)
		return;
	if (name != NULL)
		sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
}

int
store_report_sources(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT id, name FROM sources ORDER BY name", q, err,
	    errlen);
}

int
store_report_rules(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return store_rows_prepare(s, "SELECT id, category, severity, summary,"
	    " metric_field, metric_by, follows_rule, follows_by, expect_rule,"
	    " expect_by, unit, slow, counts, counts_by, means FROM rules"
	    " ORDER BY id", "SELECT id, category, severity, summary, metric_field,"
	    " metric_by, follows_rule, follows_by, expect_rule, expect_by"
	    " FROM rules ORDER BY id", "database", q, err, errlen);
}

int
store_report_has_dup(struct store *s)
{
	sqlite3_stmt *probe = NULL;
	int has;

	has = sqlite3_prepare_v2(store_db(s), "SELECT dup_of FROM events_all"
	    " LIMIT 0", -1, &probe, NULL) == SQLITE_OK;
	sqlite3_finalize(probe);
	return has;
}

int
store_report_rule_times(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT source_id, ts FROM events_all"
	    " WHERE rule = ?1 AND ts >= ?3 AND ts < ?4 ORDER BY source_id, ts",
	    q, err, errlen);
}

int
store_report_volume(struct store *s, int64_t mlo, int64_t mhi,
    struct store_rows **q, char *err, size_t errlen)
{
	if (prep(s, "SELECT source_id, lines, records, bytes, malformed,"
	    " truncated FROM volume WHERE minute >= ?1 AND minute < ?2", q, err,
	    errlen) != 0)
		return -1;
	store_rows_bind_int64(*q, 1, mlo);
	store_rows_bind_int64(*q, 2, mhi);
	return 0;
}

int
store_report_untimed(struct store *s, struct store_rows **q)
{
	sqlite3_stmt *st;

	/* each table by its index of untimed rows */
	if (sqlite3_prepare_v2(store_db(s), store_untimed_samples(s) ?
	    "SELECT source_id, rule, count(*) FROM events INDEXED BY"
	    " events_untimed WHERE ts IS NULL GROUP BY source_id, rule"
	    " UNION ALL SELECT s.source_id, r.rule, count(*) FROM samples s"
	    " INDEXED BY samples_untimed JOIN sample_rules r ON r.no ="
	    " s.rule_no WHERE s.ts IS NULL GROUP BY s.source_id, r.rule" :
	    "SELECT source_id, rule, count(*) FROM"
	    " events INDEXED BY events_untimed WHERE ts IS NULL GROUP BY"
	    " source_id, rule", -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	*q = store_rows_of(st);
	return 0;
}

int
store_report_untimed_errors(struct store *s, struct store_rows **q,
    char *err, size_t errlen)
{
	/*
	 * As store_report_error_groups, by source; the bare text is that of
	 * the row of min(): the group's first record that is no part.
	 */
	return prep(s, "SELECT coalesce(json_extract(fields, '$.logger'), ''),"
	    " coalesce(json_extract(fields, '$.template'), ''),"
	    " sum(json_extract(fields, '$.part') IS NULL) AS n, source_id,"
	    " text, replace(group_concat(DISTINCT json_extract(fields,"
	    " '$.part') || char(10)), char(10) || ',', char(10)),"
	    " min(CASE WHEN json_extract(fields, '$.part') IS NULL THEN"
	    " ordinal END) FROM events INDEXED BY events_untimed"
	    " WHERE rule = ?1 AND ts IS NULL GROUP BY source_id, 1, 2"
	    " HAVING n > 0", q, err, errlen);
}

int
store_report_untimed_values(struct store *s, struct store_rows **q,
    char *err, size_t errlen)
{
	/*
	 * Each table by its index of untimed rows; a metric rule's rows are
	 * in samples, or in events in a database made before that.
	 */
	return prep(s, store_untimed_samples(s) ?
	    "SELECT value, " STORE_GROUP_OF("") ", dup_of IS NOT NULL,"
	    " source_id, NULL FROM (SELECT value, grp, inherited, rule, dup_of,"
	    " source_id FROM events INDEXED BY events_untimed WHERE rule = ?1"
	    " AND ts IS NULL UNION ALL SELECT s.value, s.grp, s.inherited, ?1,"
	    " s.dup_of, s.source_id FROM samples s INDEXED BY samples_untimed"
	    " WHERE s.rule_no = (SELECT no FROM sample_rules WHERE rule = ?1)"
	    " AND s.ts IS NULL) ORDER BY source_id" :
	    "SELECT value, " STORE_GROUP_OF("") ", dup_of IS NOT NULL,"
	    " source_id, NULL FROM events INDEXED BY events_untimed"
	    " WHERE rule = ?1 AND ts IS NULL ORDER BY source_id", q, err,
	    errlen);
}

int
store_report_incidents(struct store *s, int64_t since, int64_t until,
    struct store_rows **q, char *err, size_t errlen)
{
	if (prep(s, "SELECT kind, rule, key, start, end, count, peak_per_min,"
	    " detected_at, source_id, rowid FROM incidents WHERE start < ?2"
	    " AND end >= ?1", q, err, errlen) != 0)
		return -1;
	store_rows_bind_int64(*q, 1, since);
	store_rows_bind_int64(*q, 2, until);
	return 0;
}

int
store_report_metric_values(struct store *s, int has_dup,
    struct store_rows **q, char *err, size_t errlen)
{
	/* every event: one without a value is still counted (counts) */
	return prep(s, has_dup ?
	    "SELECT value, " STORE_GROUP_OF("") ", dup_of IS NOT NULL, source_id,"
	    " ts FROM events_all"
	    " WHERE rule = ?1 AND ts >= ?3 AND ts < ?4 ORDER BY source_id" :
	    "SELECT value, " STORE_GROUP_OF("") ", 0, source_id, ts FROM events_all"
	    " WHERE rule = ?1"
	    " AND ts >= ?3 AND ts < ?4 ORDER BY source_id", q, err, errlen);
}

int
store_report_repeats(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT count(*) FROM events_all WHERE rule = ?1 AND"
	    " source_id = ?2 AND ts >= ?3 AND ts < ?4 AND dup_of IS NOT NULL",
	    q, err, errlen);
}

int
store_report_link_target(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT " LINKED_RULE " AS t, e.inherited IS NOT NULL"
	    " FROM events_all e WHERE e.rule = ?1 AND t IS NOT NULL LIMIT 1", q,
	    err, errlen);
}

int
store_report_links(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT coalesce(" LINKED_RULE ", ''),"
	    " coalesce(json_extract(e.inherited, '$.\"' || ?5 || '\"'),"
	    " json_extract(e.fields, '$.\"' || ?5 || '\"'), ''), count(*)"
	    " FROM events_all e"
	    " WHERE e.rule = ?1 AND e.source_id = ?2 AND e.ts >= ?3 AND e.ts < ?4"
	    " AND e.link IS NOT NULL GROUP BY 1, 2", q, err, errlen);
}

int
store_report_counted(struct store *s, int has_dup, int in_grp,
    struct store_rows **q, char *err, size_t errlen)
{
	/*
	 * the metric's group is stored as grp: no JSON to parse per event but
	 * for those that inherit it (STORE_GROUP_OF)
	 */
	static const char *const sql[2][2] = {
	    { "SELECT json_extract(fields, '$.\"' || ?5 || '\"'), count(*)"
	      " FROM events_all WHERE rule = ?1 AND source_id = ?2 AND ts >= ?3"
	      " AND ts < ?4 GROUP BY 1",
	      "SELECT " STORE_GROUP_OF("") ", count(*) FROM events_all WHERE"
	      " rule = ?1 AND source_id = ?2 AND ts >= ?3 AND ts < ?4 GROUP BY 1" },
	    { "SELECT json_extract(fields, '$.\"' || ?5 || '\"'), count(*)"
	      " FROM events_all WHERE rule = ?1 AND source_id = ?2 AND ts >= ?3"
	      " AND ts < ?4 AND dup_of IS NULL GROUP BY 1",
	      "SELECT " STORE_GROUP_OF("") ", count(*) FROM events_all WHERE"
	      " rule = ?1 AND source_id = ?2 AND ts >= ?3 AND ts < ?4 AND"
	      " dup_of IS NULL GROUP BY 1" },
	};

	return prep(s, sql[has_dup != 0][in_grp != 0], q, err, errlen);
}

int
store_report_unlinked_errors(struct store *s, struct store_rows **q,
    char *err, size_t errlen)
{
	return prep(s, "SELECT coalesce(json_extract(fields, '$.error'), ''),"
	    " count(*) FROM events_all WHERE rule = ?1 AND source_id = ?2"
	    " AND ts >= ?3 AND ts < ?4 AND link IS NULL GROUP BY 1", q, err,
	    errlen);
}

int
store_report_beside_max(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	/*
	 * The values beside are a metric rule's, in samples or in events;
	 * the linked events are in events (samples_link in schema.sql).
	 */
	return store_rows_prepare(s, "SELECT max(v) FROM (SELECT max(d.value)"
	    " AS v FROM events e JOIN events d ON d.rule = ?5"
	    " AND d.source_id = e.source_id AND d.ts >= e.ts - 1000"
	    " AND d.ts <= e.ts + 1000 WHERE " BESIDE_OF " UNION ALL"
	    " SELECT max(d.value) FROM events e JOIN sample_rules r"
	    " ON r.rule = ?5 JOIN samples d ON d.rule_no = r.no"
	    " AND d.source_id = e.source_id"
	    " AND d.ts >= e.ts - 1000 AND d.ts <= e.ts + 1000"
	    " WHERE " BESIDE_OF ")",
	    "SELECT max(d.value) FROM events e JOIN events d"
	    " ON d.rule = ?5 AND d.source_id = e.source_id"
	    " AND d.ts >= e.ts - 1000 AND d.ts <= e.ts + 1000"
	    " WHERE " BESIDE_OF, "database", q, err, errlen);
}

int
store_report_error_groups(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	/*
	 * the parts of a banner block (generic.c) are counted in their
	 * banner's record: a block claimed by a rule is not listed here.
	 * Its parts' templates follow, each ended by a newline (no part
	 * holds one): DISTINCT takes no separator.
	 */
	return prep(s, "SELECT coalesce(json_extract(fields, '$.logger'), ''),"
	    " coalesce(json_extract(fields, '$.template'), ''),"
	    " sum(json_extract(fields, '$.part') IS NULL) AS n,"
	    " min(ts), max(ts), replace(group_concat(DISTINCT"
	    " json_extract(fields, '$.part') || char(10)), char(10) || ',',"
	    " char(10)) FROM events_all WHERE rule = ?1 AND source_id = ?2"
	    " AND ts >= ?3 AND ts < ?4 GROUP BY 1, 2 HAVING n > 0", q, err,
	    errlen);
}

int
store_report_span(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT min(ts), max(ts) FROM events_all WHERE rule = ?1"
	    " AND source_id = ?2 AND ts >= ?3 AND ts < ?4", q, err, errlen);
}

int
store_report_newest(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	/* the largest of each table: the view's would read all its rows */
	return store_rows_prepare(s, "SELECT max(m) FROM (SELECT max(ts) AS m"
	    " FROM events WHERE rule = ?1 AND source_id = ?2 UNION ALL"
	    " SELECT max(ts) FROM samples WHERE rule_no = (SELECT no"
	    " FROM sample_rules WHERE rule = ?1) AND source_id = ?2)",
	    "SELECT max(ts) FROM events WHERE rule = ?1 AND source_id = ?2",
	    "database", q, err, errlen);
}

int
store_totals_rule_sources(struct store *s, const char *rule,
    struct store_rows **q, char *err, size_t errlen)
{
	/* each table's by its index: the view's would read all its rows */
	if (store_rows_prepare(s, "SELECT source_id FROM events WHERE rule = ?1"
	    " UNION SELECT source_id FROM samples WHERE rule_no = (SELECT no"
	    " FROM sample_rules WHERE rule = ?1) ORDER BY 1",
	    "SELECT DISTINCT source_id FROM events WHERE rule = ?1", "database",
	    q, err, errlen) != 0)
		return -1;
	store_rows_bind_copy(*q, 1, rule);
	return 0;
}

int
store_totals_sources(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT id, name, last_ts FROM sources ORDER BY name",
	    q, err, errlen);
}

int
store_totals_counts(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT e.rule, coalesce(r.category, ''), e.source_id,"
	    " count(*) FROM events_all e LEFT JOIN rules r ON r.id = e.rule"
	    " GROUP BY e.rule, e.source_id", q, err, errlen);
}

int
store_totals_metric_rules(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	/* A database no writer has opened since rules.unit was added lacks it. */
	return store_rows_prepare(s, "SELECT id, unit FROM rules"
	    " WHERE metric_field IS NOT NULL ORDER BY id", "SELECT id, NULL"
	    " FROM rules WHERE metric_field IS NOT NULL ORDER BY id",
	    "database", q, err, errlen);
}

int
store_totals_metric_values(struct store *s, struct store_rows **q,
    char *err, size_t errlen)
{
	return prep(s, "SELECT value, coalesce(" STORE_GROUP_OF("") ", '') FROM events_all"
	    " WHERE rule = ?1 AND source_id = ?2 AND value IS NOT NULL", q, err,
	    errlen);
}

int
store_totals_link_rules(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT id, coalesce(follows_by, expect_by) FROM rules"
	    " WHERE follows_rule IS NOT NULL OR expect_rule IS NOT NULL"
	    " ORDER BY id", q, err, errlen);
}

int
store_totals_links(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT coalesce(" LINKED_RULE ", ''),"
	    " coalesce(json_extract(e.inherited, '$.\"' || ?5 || '\"'),"
	    " json_extract(e.fields, '$.\"' || ?5 || '\"'), ''), count(*)"
	    " FROM events_all e"
	    " WHERE e.rule = ?1 AND e.source_id = ?2 AND e.link IS NOT NULL"
	    " GROUP BY 1, 2", q, err, errlen);
}

int
store_totals_incidents(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT kind, rule, source_id, count(*) FROM incidents"
	    " WHERE kind IN ('unresolved', 'open') GROUP BY 1, 2, 3", q, err,
	    errlen);
}

int
store_totals_ingests(struct store *s, struct store_rows **q, char *err,
    size_t errlen)
{
	return prep(s, "SELECT max(CASE WHEN status = 'done' THEN finished END),"
	    " total(status = 'failed') FROM ingests", q, err, errlen);
}
