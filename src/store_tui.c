/*
 * store_tui.c - the triage screen's queries (see store_tui.h).
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "store.h"
#include "store_query.h"
#include "store_tui.h"
#include "util.h"

/*
 * The events of one (rule, source) walk events_rule_ts in (ts, id) order
 * from the key: no sort and no scan of other rules' events.
 */
#define EV_SELECT \
	"SELECT e.id, e.ts, coalesce(s.name, '?'), e.rule, e.text " \
	"FROM events_all e LEFT JOIN sources s ON s.id = e.source_id " \
	"WHERE e.rule = ?1 AND e.source_id = ?2 AND e.ts >= ?3 AND e.ts <= ?4 " \
	"AND (?7 IS NULL OR instr(lower(e.text), lower(?7)) > 0) "
#define EV_SEARCH "AND lt_search(e.text) "
#define IN_SOURCES "(?1 IS NULL OR source_id IN (SELECT value FROM json_each(?1)))"
/* the sample rule r has samples stored */
#define HAS_SAMPLES "EXISTS (SELECT 1 FROM samples s WHERE s.rule_no = r.no)"

static const char *const tui_sql[STORE_TUI_NQUERIES] = {
	[STORE_TUI_DATA_VERSION] = "PRAGMA data_version",
	[STORE_TUI_SOURCE_IDS] =
	    "SELECT json_group_array(s.id) FROM sources s WHERE EXISTS "
	    "(SELECT 1 FROM json_each(?1) j WHERE s.name GLOB j.value)",
	/*
	 * each table by its index of untimed rows (a database without
	 * untimed samples has none on samples: the events' alone, below)
	 */
	[STORE_TUI_UNTIMED] =
	    "SELECT (SELECT count(*) FROM events INDEXED BY events_untimed"
	    " WHERE ts IS NULL AND " IN_SOURCES ") + (SELECT count(*) FROM"
	    " samples INDEXED BY samples_untimed WHERE ts IS NULL AND "
	    IN_SOURCES ")",
	[STORE_TUI_SOURCES_SPAN] =
	    "SELECT min(first_ts), max(last_ts) FROM sources WHERE "
	    "first_ts IS NOT NULL AND (?1 IS NULL OR id IN "
	    "(SELECT value FROM json_each(?1)))",
	/*
	 * The smallest and largest of a view that joins two tables are
	 * found by reading all its rows: these take them of each table.
	 */
	[STORE_TUI_EVENTS_SPAN] =
	    "SELECT min(a), max(b) FROM (SELECT min(ts) AS a, max(ts) AS b"
	    " FROM events WHERE " IN_SOURCES " UNION ALL SELECT min(ts), max(ts)"
	    " FROM samples WHERE " IN_SOURCES ")",
	/* one index seek per rule and per source */
	[STORE_TUI_FIRST_RULE] =
	    "SELECT min(m) FROM (SELECT min(rule) AS m FROM events UNION ALL"
	    " SELECT min(r.rule) FROM sample_rules r WHERE " HAS_SAMPLES ")",
	[STORE_TUI_NEXT_RULE] =
	    "SELECT min(m) FROM (SELECT min(rule) AS m FROM events"
	    " WHERE rule > ?1 UNION ALL SELECT min(r.rule) FROM sample_rules r"
	    " WHERE r.rule > ?1 AND " HAS_SAMPLES ")",
	[STORE_TUI_CATEGORY_RULES] =
	    "SELECT id FROM rules WHERE category = ?1 ORDER BY id",
	[STORE_TUI_NEXT_SOURCE] =
	    "SELECT min(m) FROM (SELECT min(source_id) AS m FROM events"
	    " WHERE rule = ?1 AND source_id > ?2 UNION ALL SELECT min(source_id)"
	    " FROM samples WHERE rule_no = (SELECT no FROM sample_rules"
	    " WHERE rule = ?1) AND source_id > ?2)",
	[STORE_TUI_SOURCE_NAMES] = "SELECT name FROM sources ORDER BY name",
	[STORE_TUI_RULE_NAMES] =
	    "SELECT id FROM rules UNION SELECT DISTINCT rule FROM events UNION"
	    " SELECT r.rule FROM sample_rules r WHERE " HAS_SAMPLES " ORDER BY 1",
	[STORE_TUI_CATEGORY_NAMES] =
	    "SELECT DISTINCT category FROM rules ORDER BY 1",
	[STORE_TUI_SOURCE_EXISTS] =
	    "SELECT 1 FROM sources WHERE name GLOB ?1 LIMIT 1",
	[STORE_TUI_RULE_EXISTS] =
	    "SELECT 1 FROM rules WHERE id = ?1 UNION ALL SELECT 1 FROM events_all "
	    "WHERE rule = ?1 LIMIT 1",
	[STORE_TUI_CATEGORY_EXISTS] =
	    "SELECT 1 FROM rules WHERE category = ?1 LIMIT 1",
	[STORE_TUI_EVENTS_FWD] = EV_SELECT "AND (e.ts > ?5 OR e.id >= ?6) "
	    "ORDER BY e.ts, e.id LIMIT ?8",
	[STORE_TUI_EVENTS_BACK] = EV_SELECT "AND (e.ts < ?5 OR e.id < ?6) "
	    "ORDER BY e.ts DESC, e.id DESC LIMIT ?8",
	[STORE_TUI_EVENTS_HIT_FWD] = EV_SELECT EV_SEARCH
	    "AND (e.ts > ?5 OR e.id > ?6) ORDER BY e.ts, e.id LIMIT ?8",
	[STORE_TUI_EVENTS_HIT_BACK] = EV_SELECT EV_SEARCH
	    "AND (e.ts < ?5 OR e.id < ?6) "
	    "ORDER BY e.ts DESC, e.id DESC LIMIT ?8",
	[STORE_TUI_RULE_CLASS] =
	    "SELECT category, severity FROM rules WHERE id = ?1",
	[STORE_TUI_EVENT] =
	    "SELECT e.id, e.ts, coalesce(s.name, '?'), e.rule, "
	    "coalesce(r.category, '?'), coalesce(r.severity, 0), r.summary, "
	    "e.line, e.line_end, e.stream, e.text, e.fields, e.link, "
	    "e.inherited, e.source_id, e.value, " STORE_GROUP_OF("e.")
	    " FROM events_all e "
	    "LEFT JOIN sources s ON s.id = e.source_id "
	    "LEFT JOIN rules r ON r.id = e.rule WHERE e.id = ?1",
	[STORE_TUI_EVENT_BRIEF] =
	    "SELECT id, ts, rule, text FROM events_all WHERE id = ?1",
	[STORE_TUI_EVENTS_LINKED] =
	    "SELECT id, ts, rule, text FROM events_all WHERE link = ?1 "
	    "ORDER BY ts, id LIMIT ?2",
	[STORE_TUI_EVENT_INCIDENTS] =
	    "SELECT kind, rule, key, start, end, count FROM incidents "
	    "WHERE (rule = ?1 AND source_id = ?2 AND start <= ?3 AND end >= ?3) "
	    "OR event_id = ?4 ORDER BY start, id LIMIT 10",
	[STORE_TUI_RULE_UNIT] = "SELECT unit FROM rules WHERE id = ?1",
	[STORE_TUI_RULES] = "SELECT id, category, severity FROM rules",
	[STORE_TUI_PAIR_TIMES] =
	    "SELECT ts FROM events_all WHERE rule = ?1 AND source_id = ?2 AND "
	    "ts >= ?3 AND ts < ?4",
	[STORE_TUI_INCIDENTS] =
	    "SELECT i.kind, i.rule, coalesce(r.category, '?'), "
	    "coalesce(r.severity, 0), coalesce(s.name, '?'), i.key, i.start, "
	    "i.end, i.count, i.details, i.source_id FROM incidents i "
	    "LEFT JOIN rules r ON r.id = i.rule "
	    "LEFT JOIN sources s ON s.id = i.source_id "
	    "WHERE i.end >= ?1 AND i.start < ?2 AND (?3 IS NULL OR "
	    "i.source_id IN (SELECT value FROM json_each(?3))) "
	    "ORDER BY coalesce(r.severity, 0) DESC, i.kind = 'storm' DESC, "
	    "i.count DESC, i.start, i.id LIMIT ?4",
	[STORE_TUI_INCIDENT_COUNT] =
	    "SELECT count(*) FROM incidents i WHERE i.end >= ?1 AND "
	    "i.start < ?2 AND (?3 IS NULL OR i.source_id IN "
	    "(SELECT value FROM json_each(?3)))",
	[STORE_TUI_MINUTES] =
	    "SELECT rule, source_id, minute, n "
	    "FROM event_minutes WHERE minute >= ?1 AND minute <= ?2",
	[STORE_TUI_PAIR_COUNT] =
	    "SELECT count(*) FROM events_all WHERE rule = ?1 AND source_id = ?2 "
	    "AND ts >= ?3 AND ts < ?4",
	[STORE_TUI_RULE_SEVERITY] = "SELECT severity FROM rules WHERE id = ?1",
	[STORE_TUI_PAIR_INCIDENTS] =
	    "SELECT start, end FROM incidents WHERE rule = ?1 AND "
	    "source_id = ?2 AND start < ?4 AND end >= ?3",
	[STORE_TUI_PAIR_MINUTES] =
	    "SELECT sum(n) FROM event_minutes WHERE rule = ?1 AND "
	    "source_id = ?2 AND minute >= ?3 AND minute < ?4",
};

/* The queries above that name samples, for a database made before it. */
static const char *const tui_sql_old[STORE_TUI_NQUERIES] = {
	[STORE_TUI_EVENTS_SPAN] =
	    "SELECT min(ts), max(ts) FROM events WHERE " IN_SOURCES,
	[STORE_TUI_FIRST_RULE] = "SELECT min(rule) FROM events",
	[STORE_TUI_NEXT_RULE] = "SELECT min(rule) FROM events WHERE rule > ?1",
	[STORE_TUI_NEXT_SOURCE] =
	    "SELECT min(source_id) FROM events WHERE rule = ?1 AND"
	    " source_id > ?2",
	[STORE_TUI_RULE_NAMES] =
	    "SELECT id FROM rules UNION SELECT DISTINCT rule FROM events"
	    " ORDER BY 1",
	[STORE_TUI_UNTIMED] =
	    "SELECT count(*) FROM events INDEXED BY events_untimed WHERE"
	    " ts IS NULL AND " IN_SOURCES,
};

int
store_tui_prepare(struct store *s, enum store_tui_query which,
    struct store_rows **q)
{
	return store_rows_prepare(s, tui_sql[which], tui_sql_old[which], NULL,
	    q, NULL, 0);
}

struct search_fn {
	int	(*match)(void *, const char *, size_t);
	void	*arg;
};

static void
sql_search(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct search_fn *f = sqlite3_user_data(ctx);
	const char *p = (const char *)sqlite3_value_blob(argv[0]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]);

	(void)argc;
	sqlite3_result_int(ctx, p != NULL && f->match(f->arg, p, n));
}

int
store_tui_search(struct store *s, int (*match)(void *arg, const char *text,
    size_t len), void *arg)
{
	struct search_fn *f;

	if (match == NULL)
		return sqlite3_create_function(store_db(s), "lt_search", 1,
		    SQLITE_UTF8, NULL, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	f = xmalloc(sizeof *f);
	f->match = match;
	f->arg = arg;
	return sqlite3_create_function_v2(store_db(s), "lt_search", 1,
	    SQLITE_UTF8, f, sql_search, NULL, NULL, free) == SQLITE_OK ? 0 : -1;
}

void
store_tui_interruptible(struct store *s, int (*stop)(void *arg), void *arg)
{
	if (stop != NULL)
		sqlite3_progress_handler(store_db(s), 10000, stop, arg);
	else
		sqlite3_progress_handler(store_db(s), 0, NULL, NULL);
}
