/*
 * test_report.c - the report model on a store built with SQL: exact
 * nearest-rank percentiles, means, the [since, until) window, --source
 * globs, zero-count rules, links, the ranking of findings and the
 * summaries the renderers show (hours, severities, incident groups).
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
#include "rules.h"
#include "store.h"
#include "util.h"

#define T0 1761433200000LL	/* 2025-10-25T23:00:00Z */

static void
test_percentile_small(void **state)
{
	const double one[] = { 42 };
	double twenty[20];
	int i;

	assert_true(report_percentile(one, 1, 50) == 42);
	assert_true(report_percentile(one, 1, 99) == 42);
	for (i = 0; i < 20; i++)
		twenty[i] = (i + 1) * 10;
	/* ranks ceil(10) = 10, ceil(19) = 19, ceil(19.8) = 20 */
	assert_true(report_percentile(twenty, 20, 50) == 100);
	assert_true(report_percentile(twenty, 20, 95) == 190);
	assert_true(report_percentile(twenty, 20, 99) == 200);
	assert_true(report_percentile(twenty, 20, 100) == 200);
	assert_true(report_percentile(twenty, 20, 1) == 10);
}

static void
test_percentile_hundred_and_ties(void **state)
{
	double v[100], ties[7] = { 1, 2, 2, 2, 2, 9, 9 };
	int i;

	for (i = 0; i < 100; i++)
		v[i] = i + 1;
	assert_true(report_percentile(v, 100, 50) == 50);
	assert_true(report_percentile(v, 100, 95) == 95);
	assert_true(report_percentile(v, 100, 99) == 99);
	/* n = 7: ranks ceil(3.5) = 4, ceil(6.65) = 7, ceil(6.93) = 7, ceil(0.07) = 1 */
	assert_true(report_percentile(ties, 7, 50) == 2);
	assert_true(report_percentile(ties, 7, 95) == 9);
	assert_true(report_percentile(ties, 7, 99) == 9);
	assert_true(report_percentile(ties, 7, 1) == 1);
	/* 85% of 7 = 5.95 -> rank 6 */
	assert_true(report_percentile(ties, 7, 85) == 9);
	assert_true(report_percentile(ties, 7, 71) == 2);
}

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
    const char *fields, double value, const char *grp, int64_t link,
    const char *inherited)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO events (id, source_id,"
	    " rule, ts, hash, ordinal, text, fields, value, grp, link, inherited)"
	    " VALUES (?1, ?2, ?3, ?4, ?1, 0, 'x', ?5, ?6, ?7, ?8, ?9)", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, src);
	sqlite3_bind_text(st, 3, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ts);
	if (fields != NULL)
		sqlite3_bind_text(st, 5, fields, -1, SQLITE_STATIC);
	if (grp != NULL) {
		sqlite3_bind_double(st, 6, value);
		sqlite3_bind_text(st, 7, grp, -1, SQLITE_STATIC);
	}
	if (link > 0)
		sqlite3_bind_int64(st, 8, link);
	if (inherited != NULL)
		sqlite3_bind_text(st, 9, inherited, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

#define MODEL_A	"{\"model\":\"a\"}"
#define MODEL_B	"{\"model\":\"b\"}"

/*
 * Store: model "a" has the values 100..1 (reverse order), model "b" has
 * 7 values with ties; one "a" value sits exactly at until (excluded);
 * source "other" has rt events only the glob "daemon*" leaves out.
 */
static int
setup_store(void **state)
{
	struct store *st;
	char err[256];
	sqlite3 *db;
	int64_t id = 1;
	int i;
	const double b[] = { 9, 2, 2, 1, 2, 9, 2 };

	st = store_open(":memory:", STORE_CREATE, err, sizeof(err));
	assert_non_null(st);
	db = store_db(st);
	exec(db, "INSERT INTO sources (id, name, kind) VALUES (1, 'daemon-1', 'named'),"
	    " (2, 'other', 'named');"
	    "INSERT INTO rules (id, category, severity, hash, metric_field, metric_by,"
	    " unit, slow, counts, counts_by) VALUES ('rt', 'latency', 1, 0, 'ms',"
	    " 'model', 'ms', 'p95 > 50ms', 'requests', 'model');"
	    "INSERT INTO rules (id, category, severity, hash) VALUES"
	    " ('unused', 'misc', 2, 0), ('timeout', 'timeout', 3, 0),"
	    " ('crash', 'error', 4, 0);"
	    "INSERT INTO rules (id, category, severity, hash, follows_rule, follows_by)"
	    " VALUES ('fallback', 'timeout', 3, 0, 'timeout', 'model');");
	for (i = 100; i >= 1; i--)
		add_event(db, id++, 1, "rt", T0 + i * 1000, MODEL_A, i, "a", 0, NULL);
	add_event(db, id++, 1, "rt", T0 + 3600000, MODEL_A, 5000, "a", 0, NULL);
	for (i = 0; i < 7; i++)
		add_event(db, id++, 1, "rt", T0 + 500000 + i, MODEL_B, b[i], "b", 0,
		    NULL);
	for (i = 0; i < 3; i++)
		add_event(db, id++, 2, "rt", T0 + 1000 + i, MODEL_A, 99999, "a", 0,
		    NULL);
	add_event(db, 1000, 1, "timeout", T0 + 600000, "{\"model\":\"a\"}", 0, NULL, 0, NULL);
	add_event(db, 1001, 1, "fallback", T0 + 601000, "{}", 0, NULL, 1000,
	    "{\"model\":\"a\"}");
	add_event(db, 1002, 1, "fallback", T0 + 900000, "{}", 0, NULL, 0, NULL);
	for (i = 0; i < 12; i++)
		add_event(db, 2000 + i, 1, "crash", T0 + 1200000 + i * 1000, NULL, 0,
		    NULL, 0, NULL);
	*state = st;
	return 0;
}

static int
teardown_store(void **state)
{
	store_close(*state);
	return 0;
}

static struct report *
build(void **state, const char *glob)
{
	const char *globs[1];
	struct report_query q;
	struct report *r = NULL;
	char err[256];

	memset(&q, 0, sizeof(q));
	q.since = T0;
	q.until = T0 + 3600000;
	q.slow_ms = -1;
	globs[0] = glob;
	q.sources = globs;
	q.nsources = glob != NULL;
	assert_int_equal(report_build(*state, &q, NULL, &r, err, sizeof(err)), 0);
	return r;
}

static void
test_metrics_exact(void **state)
{
	struct report *r = build(state, "daemon*");
	const struct report_metric_group *a, *b;

	assert_int_equal(r->nmetrics, 1);
	assert_string_equal(r->metrics[0].field, "ms");
	assert_string_equal(r->metrics[0].by, "model");
	assert_int_equal(r->metrics[0].ngroups, 2);
	/* sorted by count: a (100) before b (7) */
	assert_string_equal(r->metrics[0].groups[0].value, "a");
	a = report_find_group(r, "rt", "a");
	b = report_find_group(r, "rt", "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->count, 100);	/* the value at until is outside */
	assert_true(a->sum == 5050);
	assert_true(a->min == 1 && a->max == 100);
	assert_true(a->mean == 50.5);
	assert_true(a->p50 == 50 && a->p95 == 95 && a->p99 == 99);
	assert_int_equal(b->count, 7);
	assert_true(b->sum == 27);
	assert_true(b->p50 == 2 && b->p95 == 9 && b->p99 == 9);
	assert_true(b->min == 1 && b->max == 9);
	report_free(r);
}

static void
test_sources_and_rules(void **state)
{
	struct report *r = build(state, "daemon*");
	const struct report_rule *ru;

	assert_int_equal(r->nsources, 1);
	assert_string_equal(r->sources[0], "daemon-1");
	assert_int_equal(r->nrules, 5);
	ru = report_find_rule(r, "unused");
	assert_non_null(ru);
	assert_int_equal(ru->count, 0);
	assert_int_equal(report_find_rule(r, "rt")->count, 107);
	assert_int_equal(r->total_events, 107 + 1 + 2 + 12);
	report_free(r);

	r = build(state, NULL);
	assert_int_equal(r->nsources, 2);
	assert_int_equal(report_find_rule(r, "rt")->count, 110);
	assert_int_equal(report_find_group(r, "rt", "a")->count, 103);
	report_free(r);
}

static void
test_links_and_findings(void **state)
{
	struct report *r = build(state, "daemon*");
	size_t i;

	assert_int_equal(r->nlinks, 1);
	assert_string_equal(r->links[0].rule, "fallback");
	assert_string_equal(r->links[0].target, "timeout");
	assert_string_equal(r->links[0].kind, "follows");
	assert_int_equal(r->links[0].linked, 1);
	assert_int_equal(r->links[0].unlinked, 1);
	assert_int_equal(r->links[0].nby, 1);
	assert_string_equal(r->links[0].by[0].value, "a");
	assert_int_equal(r->links[0].by[0].n, 1);

	/* the error burst (12 in a minute), the slow p95 of a (b stays under 50),
	 * the fallback rate 1/101 (under 10%: a warning), the fallback that
	 * followed nothing, the attribution */
	assert_int_equal(r->nfindings, 5);
	assert_string_equal(r->findings[0].id, "burst");
	assert_int_equal(r->findings[0].severity, SEV_ERROR);
	assert_int_equal(r->findings[0].volume, 12);
	assert_string_equal(r->findings[1].id, "slow-p95");
	assert_int_equal(r->findings[1].volume, 100);
	assert_string_equal(r->findings[1].text, "a p95 rt is 95 ms, over the"
	    " 50 ms limit (mean 50.5 ms, p99 99 ms over 100 responses)");
	assert_string_equal(r->findings[2].id, "fallback-rate");
	assert_string_equal(r->findings[2].text, "1% of a requests timed out and"
	    " were served by the fallback chain (1 of 101; fallback after timeout)");
	assert_string_equal(r->findings[3].id, "unlinked");
	assert_string_equal(r->findings[3].text, "1 fallback event followed no"
	    " event of the rules fallback follows: the cause is unknown");
	assert_string_equal(r->findings[4].id, "fallback-latency");
	assert_int_equal(r->findings[4].severity, SEV_NOTICE);
	for (i = 1; i < r->nfindings; i++)
		assert_true(r->findings[i - 1].severity >= r->findings[i].severity);
	report_free(r);
}

/* Without a counting rule a rate has no denominator: absolute numbers. */
static void
test_no_denominator(void **state)
{
	struct report *r;
	size_t i;

	exec(store_db(*state), "UPDATE rules SET counts = NULL WHERE id = 'rt'");
	r = build(state, "daemon*");
	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, "fallback-rate") == 0)
			break;
	assert_true(i < r->nfindings);
	assert_string_equal(r->findings[i].text, "1 a requests timed out and"
	    " were served by the fallback chain (fallback after timeout)");
	report_free(r);
}

/* A rule without a slow threshold has no limit: no slow finding. */
static void
test_no_threshold(void **state)
{
	struct report *r;
	size_t i;

	exec(store_db(*state), "UPDATE rules SET slow = NULL WHERE id = 'rt'");
	r = build(state, "daemon*");
	for (i = 0; i < r->nfindings; i++)
		assert_true(strncmp(r->findings[i].id, "slow", 4) != 0);
	report_free(r);
	/* the threshold's own statistic and operator */
	exec(store_db(*state), "UPDATE rules SET slow = 'max >= 100ms' WHERE id = 'rt'");
	r = build(state, "daemon*");
	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, "slow-max") == 0)
			break;
	assert_true(i < r->nfindings);
	assert_string_equal(r->findings[i].text, "a max rt is 100 ms, at or over"
	    " the 100 ms limit (mean 50.5 ms, p99 99 ms over 100 responses)");
	report_free(r);
}

/*
 * A repeat of a sample (dup_of set) stays out of the distribution and of
 * the denominator, and is counted; fractional values keep their precision.
 */
static void
test_repeats_and_units(void **state)
{
	sqlite3 *db = store_db(*state);
	const struct report_metric_group *g;
	struct report *r;
	struct buf b;

	add_event(db, 5000, 1, "rt", T0 + 700000, MODEL_B, 0.25, "b", 0, NULL);
	add_event(db, 5001, 1, "rt", T0 + 700100, MODEL_B, 0.25, "b", 0, NULL);
	exec(db, "UPDATE events SET dup_of = 5000 WHERE id = 5001");
	r = build(state, "daemon*");
	g = report_find_group(r, "rt", "b");
	assert_int_equal(g->count, 8);
	assert_true(g->min == 0.25);
	assert_int_equal(r->same_samples, 1);
	assert_string_equal(r->metrics[0].unit, "ms");
	buf_init(&b);
	util_format_quantity(&b, g->min, r->metrics[0].unit);
	assert_string_equal(b.data, "0.25 ms");
	buf_free(&b);
	report_free(r);
}

/*
 * A release refused after a recovery is the recovery's over-release (with
 * the duration logged beside it); one with no recovery before it is a
 * double release.
 */
static void
test_over_release(void **state)
{
	sqlite3 *db = store_db(*state);
	struct report *r;
	size_t i, over = 0, twice = 0;

	exec(db, "INSERT INTO rules (id, category, severity, hash) VALUES"
	    " ('recovered', 'semaphore', 1, 0);"
	    "INSERT INTO rules (id, category, severity, hash, follows_rule, means)"
	    " VALUES ('refused', 'semaphore', 3, 0, 'recovered', 'release-refused')");
	add_event(db, 6000, 1, "recovered", T0 + 800000, "{}", 0, NULL, 0, NULL);
	add_event(db, 6001, 1, "refused", T0 + 838000, "{}", 0, NULL, 6000, NULL);
	add_event(db, 6002, 1, "rt", T0 + 838500, MODEL_B, 41200, "b", 0, NULL);
	add_event(db, 6003, 1, "refused", T0 + 900000, "{}", 0, NULL, 0, NULL);
	r = build(state, "daemon*");
	for (i = 0; i < r->nfindings; i++) {
		if (strcmp(r->findings[i].id, "over-release") == 0) {
			over++;
			assert_string_equal(r->findings[i].text, "1 releases refused"
			    " after a recovery (refused after recovered): the recovery"
			    " over-released: the leak it fixed was probably a request"
			    " still in flight (the longest request ending beside them"
			    " took 41.2 s)");
			assert_int_equal(r->findings[i].severity, SEV_WARNING);
		}
		if (strcmp(r->findings[i].id, "double-release") == 0) {
			twice++;
			assert_string_equal(r->findings[i].text, "1 double releases"
			    " of a semaphore (refused): the release path runs more"
			    " than once per acquire");
		}
	}
	assert_int_equal(over, 1);
	assert_int_equal(twice, 1);
	report_free(r);
}

static void
test_empty_window(void **state)
{
	struct report_query q;
	struct report *r = NULL;
	char err[256];

	memset(&q, 0, sizeof(q));
	q.since = T0 - 7200000;
	q.until = T0;
	q.slow_ms = -1;
	assert_int_equal(report_build(*state, &q, &q, &r, err, sizeof(err)), 0);
	assert_int_equal(r->total_events, 0);
	assert_int_equal(r->nrules, 5);
	assert_int_equal(r->nsources, 0);
	assert_int_equal(r->nfindings, 0);
	assert_non_null(r->baseline);
	assert_int_equal(r->since, T0 - 7200000);
	report_free(r);
}

/*
 * What the renderers summarise: p50 and p95 per hour of the busiest
 * groups, events per hour and severity, the busiest sources, incidents
 * grouped by (kind, rule, source), the rules a comparison leaves out and
 * the newest stored event an empty window names.
 */
static void
test_summaries(void **state)
{
	struct report_query q;
	struct report *r = NULL;
	struct buf b;
	char err[256];
	size_t i;

	exec(store_db(*state), "INSERT INTO incidents (kind, rule, source_id, key,"
	    " start, end, count) VALUES"
	    " ('unresolved', 'timeout', 1, 'k2', 1761433320000, 1761433320000, 1),"
	    " ('unresolved', 'timeout', 1, 'k1', 1761433260000, 1761433260000, 2),"
	    " ('storm', 'crash', 1, '', 1761434400000, 1761434411000, 12),"
	    " ('unresolved', 'timeout', 1, 'k3', 1761433380000, 1761433500000, 1)");
	memset(&q, 0, sizeof(q));
	q.since = T0;
	q.until = T0 + 7200000;
	q.slow_ms = -1;
	assert_int_equal(report_build(*state, &q, &q, &r, err, sizeof(err)), 0);

	/*
	 * a (104 values of both sources) before b (7), each by hour: the
	 * first hour of a holds 1..100 and three 99999, ranks 52 and 98
	 */
	assert_int_equal(r->metrics[0].nhours, 3);
	assert_string_equal(r->metrics[0].hours[0].group, "a");
	assert_int_equal(r->metrics[0].hours[0].start, T0);
	assert_int_equal(r->metrics[0].hours[0].count, 103);
	assert_true(r->metrics[0].hours[0].p50 == 52 && r->metrics[0].hours[0].p95 == 98);
	assert_string_equal(r->metrics[0].hours[1].group, "a");
	assert_int_equal(r->metrics[0].hours[1].start, T0 + 3600000);
	assert_true(r->metrics[0].hours[1].p50 == 5000 && r->metrics[0].hours[1].p95 == 5000);
	assert_string_equal(r->metrics[0].hours[2].group, "b");
	assert_true(r->metrics[0].hours[2].p50 == 2 && r->metrics[0].hours[2].p95 == 9);

	/* hour, then severity: info 107 + 3 of other, warning 3, error 12; then info 1 */
	assert_int_equal(r->nhourly_sev, 4);
	assert_int_equal(r->hourly_sev[0].severity, SEV_INFO);
	assert_int_equal(r->hourly_sev[0].n, 110);
	assert_int_equal(r->hourly_sev[1].severity, SEV_WARNING);
	assert_int_equal(r->hourly_sev[1].n, 3);
	assert_int_equal(r->hourly_sev[2].severity, SEV_ERROR);
	assert_int_equal(r->hourly_sev[2].n, 12);
	assert_int_equal(r->hourly_sev[3].start, T0 + 3600000);
	assert_int_equal(r->hourly_sev[3].n, 1);

	assert_int_equal(r->nbusiest, 2);
	assert_string_equal(r->busiest[0].source, "daemon-1");
	assert_int_equal(r->busiest[0].n, 123);
	assert_int_equal(r->busiest[1].n, 3);
	buf_init(&b);
	report_sources_text(r, &b);
	assert_string_equal(b.data, "daemon-1, other");

	/* the storm of the error rule first; the three leaks one group, by start */
	assert_int_equal(r->nincident_groups, 2);
	assert_string_equal(r->incident_groups[0].kind, "storm");
	assert_int_equal(r->incident_groups[0].nmembers, 1);
	assert_string_equal(r->incident_groups[1].rule, "timeout");
	assert_int_equal(r->incident_groups[1].nmembers, 3);
	assert_int_equal(r->incident_groups[1].events, 4);
	assert_int_equal(r->incident_groups[1].start, 1761433260000);
	assert_int_equal(r->incident_groups[1].end, 1761433500000);
	assert_string_equal(r->incidents[r->incident_groups[1].members[0]].key, "k1");
	assert_string_equal(r->incidents[r->incident_groups[1].members[2]].key, "k3");

	/* the same window as its own baseline: every rule unchanged */
	assert_int_equal(report_rules_unchanged(r), r->nrules);
	for (i = 0; i < r->nrules; i++)
		assert_false(report_rule_shown(r, &r->rules[i]));
	r->show_all = 1;
	assert_int_equal(report_rules_unchanged(r), 0);
	assert_true(report_rule_shown(r, &r->rules[0]));
	assert_int_equal(r->newest, TS_NONE);	/* not read for a window with events */
	report_free(r);

	/* an empty window names the newest stored event */
	q.since = T0 - 7200000;
	q.until = T0;
	assert_int_equal(report_build(*state, &q, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r->total_events, 0);
	assert_int_equal(r->newest, T0 + 3600000);
	buf_reset(&b);
	report_sources_text(r, &b);
	assert_string_equal(b.data, "(none)");
	buf_free(&b);
	report_free(r);
}

static void
test_format_change(void **state)
{
	struct buf b;

	buf_init(&b);
	report_format_change(&b, 4790, 2282, 0);
	assert_string_equal(b.data, "4790 \xe2\x86\x92 2282 (-2508, -52%)");
	buf_reset(&b);
	report_format_change(&b, 46052, 12504, 0);
	assert_string_equal(b.data, "46052 \xe2\x86\x92 12504 (-33548, -73%)");
	buf_reset(&b);
	report_format_change(&b, 0, 3, 0);
	assert_string_equal(b.data, "0 \xe2\x86\x92 3 (+3, new)");
	buf_reset(&b);
	report_format_metric_change(&b, 9955, 6528, "ms");
	assert_string_equal(b.data, "9.96 s \xe2\x86\x92 6.53 s (-3.43 s, -34%)");
	buf_reset(&b);
	report_format_metric_change(&b, 0, 820, "ms");
	assert_string_equal(b.data, "0 ms \xe2\x86\x92 820 ms (+820 ms)");
	buf_reset(&b);
	report_format_metric_change(&b, 0, 0, "ms");
	assert_string_equal(b.data, "0 ms \xe2\x86\x92 0 ms (+0 ms, +0%)");
	buf_reset(&b);
	report_format_metric_change(&b, 0, 12, "tokens");
	assert_string_equal(b.data, "0 \xe2\x86\x92 12 (+12)");
	buf_reset(&b);
	report_format_metric_change(&b, 400, 500, "tokens");
	assert_string_equal(b.data, "400 \xe2\x86\x92 500 (+100, +25%)");
	buf_reset(&b);
	report_format_pct(&b, 1, 250);
	assert_string_equal(b.data, "0.4%");
	buf_reset(&b);
	report_format_pct(&b, 1, 3000);
	assert_string_equal(b.data, "<0.1%");
	buf_reset(&b);
	report_format_pct(&b, 5, 22);
	assert_string_equal(b.data, "23%");
	buf_reset(&b);
	report_format_pct(&b, 0, 22);
	assert_string_equal(b.data, "0%");
	buf_reset(&b);
	report_format_pct(&b, 18, 2000);
	assert_string_equal(b.data, "0.9%");
	buf_reset(&b);
	util_format_duration(&b, 312000, 0);
	assert_string_equal(b.data, "5 min 12 s");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_small),
		cmocka_unit_test(test_percentile_hundred_and_ties),
		cmocka_unit_test(test_format_change),
		cmocka_unit_test_setup_teardown(test_metrics_exact, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_no_denominator, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_no_threshold, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_repeats_and_units, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_over_release, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_sources_and_rules, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_links_and_findings, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_empty_window, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_summaries, setup_store, teardown_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
