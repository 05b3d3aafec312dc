/*
 * test_store_query.c - the queries the commands run: the events filter
 * (sources by name or glob, rules, categories) done in SQL, the orders and
 * the limit, what prune counts and deletes, and the one form of a
 * database error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "store_query.h"
#include "util.h"

#define T0	1761435071000LL		/* 2025-10-25T23:31:11Z */

/*
 * Three sources ("app[1].log", "app1.log", "db") with events of rules a
 * (category x), b (category y) and c (no rules row), one a minute, and an
 * untimed one; ids in insertion order.
 */
static struct store *
fixture(void)
{
	static const char *names[] = { "app[1].log", "app1.log", "db" };
	static const char *rules[] = { "a", "b", "c" };
	struct store_event ev[10];
	struct store *s;
	char err[256], text[10][16];
	unsigned char added[10];
	int64_t src[3];
	size_t i, nadded;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(sqlite3_exec(store_db(s),
	    "INSERT INTO rules (id, category, severity, hash) VALUES"
	    " ('a', 'x', 4, 1), ('b', 'y', 3, 2)", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < 3; i++) {
		src[i] = store_source_id(s, names[i], "file", NULL, err, sizeof err);
		assert_true(src[i] > 0);
	}
	memset(ev, 0, sizeof ev);
	for (i = 0; i < 10; i++) {
		snprintf(text[i], sizeof text[i], "line %zu", i);
		ev[i].source_id = src[i % 3];
		ev[i].rule = rules[i % 3];
		ev[i].ts = i == 9 ? TS_NONE : T0 + (int64_t)i * 60000;
		ev[i].hash = i + 1;
		ev[i].line = ev[i].line_end = i + 1;
		ev[i].text = text[i];
		ev[i].text_len = strlen(text[i]);
	}
	assert_int_equal(store_insert_events(s, ev, 10, added, &nadded, NULL, err,
	    sizeof err), 0);
	assert_int_equal(nadded, 10);
	return s;
}

/* "source/rule/text" of every row, space separated. */
static char *
rows(struct store *s, const struct store_filter *f,
    enum store_events_order order, int64_t after, int64_t limit)
{
	struct store_rows *q;
	struct buf b;
	char err[256];

	assert_int_equal(store_events_query(s, f, order, after, limit, &q, err,
	    sizeof err), 0);
	buf_init(&b);
	while (store_rows_next(q) == 1)
		buf_printf(&b, "%s%s/%s/%s", b.len > 0 ? " " : "",
		    store_rows_text(q, 1), store_rows_text(q, 2),
		    store_rows_text(q, 9));
	store_rows_free(q);
	return b.data;
}

static void
check_rows(struct store *s, const struct store_filter *f,
    enum store_events_order order, int64_t after, int64_t limit,
    const char *want)
{
	char *got = rows(s, f, order, after, limit);

	assert_string_equal(got != NULL ? got : "", want);
	free(got);
}

static void
test_sources(void **state)
{
	struct store *s = fixture();
	struct store_filter f;
	const char *name[] = { "app[1].log" }, *glob[] = { "app*" };
	const char *notname[] = { "app[!x].log" }, *two[] = { "db", "nosuch" };

	memset(&f, 0, sizeof f);
	f.since = f.until = TS_NONE;
	/*
	 * a source's very name selects it alone, not what it matches as a
	 * glob; with no window its untimed event too, first
	 */
	f.sources = name;
	f.nsources = 1;
	check_rows(s, &f, STORE_EVENTS_BY_TIME, 0, -1, "app[1].log/a/line 9"
	    " app[1].log/a/line 0 app[1].log/a/line 3 app[1].log/a/line 6");
	f.since = T0;
	check_rows(s, &f, STORE_EVENTS_BY_TIME, 0, -1,
	    "app[1].log/a/line 0 app[1].log/a/line 3 app[1].log/a/line 6");
	f.since = TS_NONE;
	f.sources = glob;
	check_rows(s, &f, STORE_EVENTS_BY_TIME, 0, 3,
	    "app[1].log/a/line 9 app[1].log/a/line 0 app1.log/b/line 1");
	/* a glob that names no source is fnmatch(3)'s, [!...] included */
	f.sources = notname;
	check_rows(s, &f, STORE_EVENTS_BY_TIME, 0, -1,
	    "app1.log/b/line 1 app1.log/b/line 4 app1.log/b/line 7");
	f.sources = two;
	f.nsources = 2;
	check_rows(s, &f, STORE_EVENTS_BY_TIME, 0, -1,
	    "db/c/line 2 db/c/line 5 db/c/line 8");
	store_close(s);
}

static void
test_rules_categories_window(void **state)
{
	struct store *s = fixture();
	struct store_filter f;
	const char *rules[] = { "b", "c" }, *cats[] = { "x", "" };

	memset(&f, 0, sizeof f);
	f.since = T0 + 2 * 60000;
	f.until = T0 + 6 * 60000;
	f.rules = rules;
	f.nrules = 2;
	check_rows(s, &f, STORE_EVENTS_BY_TIME, 0, -1,
	    "db/c/line 2 app1.log/b/line 4 db/c/line 5");
	/* a rule with no rules row has the empty category */
	f.nrules = 0;
	f.categories = cats;
	f.ncategories = 2;
	check_rows(s, &f, STORE_EVENTS_BY_TIME, 0, -1,
	    "db/c/line 2 app[1].log/a/line 3 db/c/line 5");
	store_close(s);
}

static void
test_orders(void **state)
{
	struct store *s = fixture();
	struct store_filter f;
	const char *rules[] = { "a" };

	memset(&f, 0, sizeof f);
	f.since = f.until = TS_NONE;
	f.rules = rules;
	f.nrules = 1;
	/* after an id: filtered in SQL, so the limit counts matching rows */
	check_rows(s, &f, STORE_EVENTS_AFTER_ID, 1, 1, "app[1].log/a/line 3");
	/* with no window, the untimed event too (it was stored last) */
	check_rows(s, &f, STORE_EVENTS_AFTER_ID, 4, -1,
	    "app[1].log/a/line 6 app[1].log/a/line 9");
	f.until = T0 + 60 * 60000;
	check_rows(s, &f, STORE_EVENTS_AFTER_ID, 4, -1, "app[1].log/a/line 6");
	f.until = TS_NONE;
	/* --untimed: the untimed events alone */
	f.nrules = 0;
	check_rows(s, &f, STORE_EVENTS_UNTIMED, 0, -1, "app[1].log/a/line 9");
	store_close(s);
}

static int64_t
sum_minutes(struct store *s)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(s),
	    "SELECT coalesce(sum(n), 0) FROM event_minutes", -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_prune(void **state)
{
	struct store *s = fixture();
	uint64_t n, future;
	int64_t last;
	char err[256];

	assert_int_equal(store_newest_before(s, T0 + 5 * 60000, &last, &future,
	    err, sizeof err), 0);
	assert_int_equal(last, T0 + 5 * 60000);
	assert_int_equal(future, 3);
	assert_int_equal(sum_minutes(s), 9);
	assert_int_equal(store_prune_count(s, STORE_PRUNE_EVENTS, T0 + 4 * 60000,
	    &n, err, sizeof err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(store_prune_delete(s, STORE_PRUNE_EVENTS, T0 + 4 * 60000,
	    &n, err, sizeof err), 0);
	assert_int_equal(n, 4);
	/* what is deleted is taken out of the per-minute counts too */
	assert_int_equal(sum_minutes(s), 5);
	assert_int_equal(store_prune_count(s, STORE_PRUNE_EVENTS, T0 + 4 * 60000,
	    &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	store_close(s);
}

static void
test_hours(void **state)
{
	struct store *s = fixture();
	struct store_hours h;
	char err[256];

	assert_int_equal(store_events_per_hour(s, &h, err, sizeof err), 0);
	/* 23:31 .. 23:39 is one hour; the untimed event is in none */
	assert_int_equal(h.n, 1);
	assert_int_equal(h.hour[0], T0 / 3600000);
	assert_int_equal(h.count[0], 9);
	store_hours_free(&h);
	store_close(s);
}

static void
test_sql_error(void **state)
{
	struct store *s = fixture();
	sqlite3_stmt *q;
	char err[256];

	assert_int_not_equal(sqlite3_prepare_v2(store_db(s), "SELECT nosuch",
	    -1, &q, NULL), SQLITE_OK);
	assert_int_equal(store_sql_error(store_db(s), err, sizeof err,
	    "reading %s", "x"), -1);
	assert_string_equal(err, "reading x: no such column: nosuch");
	assert_int_equal(store_sql_error(store_db(s), err, sizeof err, NULL), -1);
	assert_string_equal(err, "no such column: nosuch");
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_rules_categories_window),
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_hours),
		cmocka_unit_test(test_sql_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
