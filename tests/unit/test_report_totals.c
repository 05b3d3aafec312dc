/*
 * test_report_totals.c - the store's totals behind the Prometheus counters
 * and histogram, on a store built with SQL: every stored event whatever
 * the window, --source globs, cumulative buckets and exact sums, linked
 * events per by-value, waiting incidents, the ingests' state, and the
 * exposition written from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "report.h"
#include "store.h"
#include "util.h"

#define T0 1761433200000LL	/* 2025-10-25T23:00:00Z */

static void
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, msg);
		fail();
	}
}

static void
add_event(sqlite3 *db, int64_t id, int src, const char *rule, int64_t ts,
    double value, const char *grp, int64_t link, const char *inherited)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO events (id, source_id,"
	    " rule, ts, hash, ordinal, text, value, grp, link, inherited)"
	    " VALUES (?1, ?2, ?3, ?4, ?1, 0, 'x', ?5, ?6, ?7, ?8)", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, src);
	sqlite3_bind_text(st, 3, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ts);
	if (grp != NULL) {
		sqlite3_bind_double(st, 5, value);
		sqlite3_bind_text(st, 6, grp, -1, SQLITE_STATIC);
	}
	if (link > 0)
		sqlite3_bind_int64(st, 7, link);
	if (inherited != NULL)
		sqlite3_bind_text(st, 8, inherited, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/*
 * daemon-1: rt values 1..100 ms and 5000 ms for model "a" (an hour apart),
 * 7 values for "b", a timeout, two fallbacks (one linked), two unresolved
 * leaks and a storm; "other": 3 rt values of 99999 ms and one unresolved
 * leak.  Four ingests: two done, one failed, one running.  Log time
 * reaches T0 + 1 h on daemon-1, T0 + 2 h on other.
 */
static int
setup_store(void **state)
{
	const double b[] = { 9, 2, 2, 1, 2, 9, 2 };
	struct store *st;
	char err[256];
	sqlite3 *db;
	int64_t id = 1;
	int i;

	st = store_open(":memory:", STORE_CREATE, err, sizeof(err));
	assert_non_null(st);
	db = store_db(st);
	exec(db, "INSERT INTO sources (id, name, kind, last_ts) VALUES"
	    " (1, 'daemon-1', 'named', 1761436800000),"
	    " (2, 'other', 'named', 1761440400000);"
	    "INSERT INTO rules (id, category, severity, hash, metric_field, metric_by,"
	    " unit) VALUES ('rt', 'latency', 1, 0, 'ms', 'model', 'ms');"
	    "INSERT INTO rules (id, category, severity, hash) VALUES"
	    " ('unused', 'misc', 2, 0), ('timeout', 'timeout', 3, 0);"
	    "INSERT INTO rules (id, category, severity, hash, follows_rule, follows_by)"
	    " VALUES ('fallback', 'timeout', 3, 0, 'timeout', 'model');"
	    "INSERT INTO incidents (kind, rule, source_id, start, end, count) VALUES"
	    " ('unresolved', 'leak', 1, 0, 0, 1), ('unresolved', 'leak', 1, 5, 5, 1),"
	    " ('unresolved', 'leak', 2, 0, 0, 1), ('storm', 'ws', 1, 1761433200001, 1761433200009, 20);"
	    "INSERT INTO ingests (input, started, finished, status) VALUES"
	    " ('a', 1000, 5000, 'done'), ('b', 6000, 7000, 'done'),"
	    " ('c', 8000, 9000, 'failed'), ('d', 9500, NULL, 'running');");
	for (i = 100; i >= 1; i--)
		add_event(db, id++, 1, "rt", T0 + i * 1000, i, "a", 0, NULL);
	add_event(db, id++, 1, "rt", T0 + 3600000, 5000, "a", 0, NULL);
	for (i = 0; i < 7; i++)
		add_event(db, id++, 1, "rt", T0 + 500000 + i, b[i], "b", 0, NULL);
	for (i = 0; i < 3; i++)
		add_event(db, id++, 2, "rt", T0 + 1000 + i, 99999, "a", 0, NULL);
	add_event(db, 1000, 1, "timeout", T0 + 600000, 0, NULL, 0, NULL);
	add_event(db, 1001, 1, "fallback", T0 + 601000, 0, NULL, 1000,
	    "{\"model\":\"a\"}");
	add_event(db, 1002, 1, "fallback", T0 + 900000, 0, NULL, 0, NULL);
	*state = st;
	return 0;
}

static int
teardown_store(void **state)
{
	store_close(*state);
	return 0;
}

static struct report_totals *
totals(void **state, const char *glob)
{
	const char *globs[1];
	struct report_query q;
	struct report_totals *t = NULL;
	char err[256];

	memset(&q, 0, sizeof(q));
	/* A window that holds nothing: totals ignore it. */
	q.since = T0 - 7200000;
	q.until = T0 - 3600000;
	globs[0] = glob;
	q.sources = globs;
	q.nsources = glob != NULL;
	assert_int_equal(report_totals_build(*state, &q, &t, err,
	    sizeof(err)), 0);
	return t;
}

static void
test_events_whatever_the_window(void **state)
{
	struct report_totals *t = totals(state, "daemon*");

	/* By rule, then source; no row for the unused rule or for "other". */
	assert_int_equal(t->nevents, 3);
	assert_string_equal(t->events[0].rule, "fallback");
	assert_int_equal(t->events[0].n, 2);
	assert_string_equal(t->events[1].rule, "rt");
	assert_string_equal(t->events[1].category, "latency");
	assert_string_equal(t->events[1].source, "daemon-1");
	assert_int_equal(t->events[1].n, 108);
	assert_string_equal(t->events[2].rule, "timeout");
	assert_int_equal(t->events[2].n, 1);
	report_totals_free(t);

	t = totals(state, NULL);
	assert_int_equal(t->nevents, 4);
	assert_string_equal(t->events[2].rule, "rt");
	assert_string_equal(t->events[2].source, "other");
	assert_int_equal(t->events[2].n, 3);
	report_totals_free(t);
}

static void
test_histogram_cumulative(void **state)
{
	struct report_totals *t = totals(state, "daemon*");
	const struct report_total_hist *a, *b;

	assert_int_equal(t->nhists, 2);
	a = &t->hists[0];
	b = &t->hists[1];
	assert_string_equal(a->rule, "rt");
	assert_string_equal(a->group, "a");
	assert_string_equal(b->group, "b");
	assert_string_equal(a->unit, "ms");
	assert_int_equal(a->count, 101);
	assert_true(a->sum == 10050);
	/* bounds 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, ... ms */
	assert_int_equal(a->le[0], 10);
	assert_int_equal(a->le[1], 25);
	assert_int_equal(a->le[2], 50);
	assert_int_equal(a->le[3], 100);
	assert_int_equal(a->le[7], 100);
	assert_int_equal(a->le[8], 101);	/* 5000 sits on its bound */
	assert_int_equal(a->le[REPORT_HIST_NBOUNDS - 1], 101);
	assert_int_equal(b->count, 7);
	assert_true(b->sum == 27);
	assert_int_equal(b->le[0], 7);
	report_totals_free(t);

	t = totals(state, NULL);
	assert_int_equal(t->hists[0].count, 104);
	assert_int_equal(t->hists[0].le[11], 101);	/* 30 s: not the 99999 ms of "other" */
	assert_int_equal(t->hists[0].le[REPORT_HIST_NBOUNDS - 1], 104);
	report_totals_free(t);
}

static void
test_links_incidents_ingests(void **state)
{
	struct report_totals *t = totals(state, "daemon*");

	/* Only the linked fallback, by its inherited model. */
	assert_int_equal(t->nlinks, 1);
	assert_string_equal(t->links[0].rule, "fallback");
	assert_string_equal(t->links[0].target, "timeout");
	assert_string_equal(t->links[0].group, "a");
	assert_int_equal(t->links[0].n, 1);
	/* Waiting incidents only, of the sources in scope. */
	assert_int_equal(t->nincidents, 1);
	assert_string_equal(t->incidents[0].kind, "unresolved");
	assert_string_equal(t->incidents[0].source, "daemon-1");
	assert_int_equal(t->incidents[0].n, 2);
	/* The newest done ingest; the failed one counted. */
	assert_true(t->last_ingest == 7000);
	assert_int_equal(t->ingest_errors, 1);
	assert_true(t->last_log == T0 + 3600000);
	report_totals_free(t);
	t = totals(state, NULL);
	assert_true(t->last_log == T0 + 7200000);
	report_totals_free(t);
}

static void
test_exposition(void **state)
{
	const char *globs[1] = { "daemon*" };
	struct report_query q;
	struct report *r = NULL;
	struct report_totals *t = totals(state, "daemon*");
	char err[256];
	struct buf b;

	memset(&q, 0, sizeof(q));
	q.sources = globs;
	q.nsources = 1;
	q.since = T0;
	q.until = T0 + 3600000;
	q.slow_ms = 8000;
	assert_int_equal(report_build(*state, &q, NULL, &r, err, sizeof(err)), 0);
	buf_init(&b);
	report_render_prometheus(r, t, &b);
	assert_non_null(strstr(b.data, "# TYPE logtriage_events_total counter\n"
	    "logtriage_events_total{rule=\"fallback\",category=\"timeout\","
	    "source=\"daemon-1\"} 2\n"));
	assert_non_null(strstr(b.data, "logtriage_events_total{rule=\"rt\","
	    "category=\"latency\",source=\"daemon-1\"} 108\n"));
	assert_non_null(strstr(b.data, "# TYPE logtriage_latency_seconds histogram\n"
	    "logtriage_latency_seconds_bucket{rule=\"rt\",group=\"a\",le=\"0.01\"} 10\n"
	    "logtriage_latency_seconds_bucket{rule=\"rt\",group=\"a\",le=\"0.025\"} 25\n"));
	assert_non_null(strstr(b.data, "le=\"300\"} 101\n"
	    "logtriage_latency_seconds_bucket{rule=\"rt\",group=\"a\",le=\"+Inf\"} 101\n"
	    "logtriage_latency_seconds_sum{rule=\"rt\",group=\"a\"} 10.05\n"
	    "logtriage_latency_seconds_count{rule=\"rt\",group=\"a\"} 101\n"));
	assert_non_null(strstr(b.data, "logtriage_latency_seconds_sum{rule=\"rt\","
	    "group=\"b\"} 0.027\n"));
	assert_non_null(strstr(b.data, "logtriage_linked_events_total{rule=\"fallback\","
	    "target=\"timeout\",group=\"a\"} 1\n"));
	assert_non_null(strstr(b.data, "logtriage_unresolved{rule=\"leak\","
	    "source=\"daemon-1\"} 2\n"));
	assert_non_null(strstr(b.data, "logtriage_last_ingest_timestamp_seconds 7\n"));
	assert_non_null(strstr(b.data, "logtriage_ingest_errors_total 1\n"));
	assert_non_null(strstr(b.data,
	    "logtriage_last_log_timestamp_seconds 1761436800\n"));
	/* The window: 107 rt events (the one at until is outside), as a gauge. */
	assert_non_null(strstr(b.data, "# TYPE logtriage_window_events gauge\n"));
	assert_non_null(strstr(b.data, "logtriage_window_events{rule=\"rt\","
	    "category=\"latency\",source=\"daemon-1\"} 107\n"));
	assert_non_null(strstr(b.data, "logtriage_storms_open{rule=\"ws\","
	    "source=\"daemon-1\"} 1\n"));
	assert_non_null(strstr(b.data, "logtriage_window_latency_seconds{rule=\"rt\","
	    "group=\"a\",percentile=\"95\"} 0.095\n"));
	/* Only series with data. */
	assert_null(strstr(b.data, "rule=\"unused\""));
	assert_null(strstr(b.data, "source=\"other\""));
	buf_free(&b);
	report_free(r);
	report_totals_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events_whatever_the_window,
		    setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_histogram_cumulative,
		    setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_links_incidents_ingests,
		    setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_exposition,
		    setup_store, teardown_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
