/*
 * test_correlate.c - correlation against a real store: storms, expectations
 * and follow-links come out exactly, open waits settle as log time moves,
 * and the result depends only on the stored events, not on how many
 * ingests brought them or in what order.  Fed commit by commit, the live
 * trackers give at every commit what one recompute of the stored events
 * gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "correlate.h"
#include "rules.h"
#include "store.h"
#include "util.h"

#define S(x) ((int64_t)(x) * 1000)

enum {
	R_WS, R_LEAK, R_REC, R_FALLBACK, R_TIMEOUT, R_PERR, R_RT, R_LAT,
	R_COUNT
};

/* fallback follows the latest of either */
static char *fallback_targets[] = { "timeout", "perr" };
/* rt: same = model, n within 1s (two JSON fields, no metric) */
static char *rt_same[] = { "model", "n" };
/* lat: a metric ms by model, same = ms, model within 1s (stored columns) */
static char *lat_same[] = { "ms", "model" };

static struct rule test_rules[R_COUNT];
static struct ruleset test_rs = { .rules = test_rules, .n = R_COUNT };

static int
setup_rules(void **state)
{
	memset(test_rules, 0, sizeof test_rules);
	test_rules[R_WS].id = "ws";
	test_rules[R_WS].storm_n = 3;
	test_rules[R_WS].storm_window_ms = S(60);
	test_rules[R_WS].storm_by = "peer";
	test_rules[R_LEAK].id = "leak";
	test_rules[R_LEAK].expect_rule = "rec";
	test_rules[R_LEAK].expect_within_ms = S(10);
	test_rules[R_LEAK].expect_by = "scope";
	test_rules[R_REC].id = "rec";
	test_rules[R_FALLBACK].id = "fallback";
	test_rules[R_FALLBACK].follows_rule = "timeout, perr";
	test_rules[R_FALLBACK].follows_rules = fallback_targets;
	test_rules[R_FALLBACK].nfollows = 2;
	test_rules[R_FALLBACK].follows_within_ms = S(5);
	test_rules[R_FALLBACK].follows_by = "model";
	test_rules[R_TIMEOUT].id = "timeout";
	test_rules[R_PERR].id = "perr";
	test_rules[R_RT].id = "rt";
	test_rules[R_RT].same_fields = rt_same;
	test_rules[R_RT].nsame = 2;
	test_rules[R_RT].same_within_ms = S(1);
	test_rules[R_LAT].id = "lat";
	test_rules[R_LAT].metric_field = "ms";
	test_rules[R_LAT].metric_by = "model";
	test_rules[R_LAT].same_fields = lat_same;
	test_rules[R_LAT].nsame = 2;
	test_rules[R_LAT].same_within_ms = S(1);
	return 0;
}

struct db {
	struct store		*st;
	struct correlate	*c;
	int64_t			 src;
	int			 notes;	/* hand each event's fields over, as ingest does */
};

static void
db_open(struct db *d)
{
	char err[256];

	d->notes = 0;
	d->st = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(d->st);
	d->src = store_source_id(d->st, "daemon", "named", NULL, err, sizeof err);
	assert_true(d->src > 0);
	d->c = correlate_new(d->st, &test_rs, err, sizeof err);
	assert_non_null(d->c);
}

static void
db_close(struct db *d)
{
	correlate_free(d->c);
	store_close(d->st);
}

/*
 * Insert ev with text (hashed as ingest hashes it) and mark its source seen
 * at its time, as ingest does; its id, 0 if a duplicate.
 */
static int64_t
store_one(struct db *d, struct store_event *ev, const char *text)
{
	char err[256];
	unsigned char added = 7;
	size_t inserted;
	int64_t id = 0;

	ev->source_id = d->src;
	ev->hash = util_hash64(text, strlen(text), UTIL_HASH_SEED);
	ev->text = text;
	ev->text_len = strlen(text);
	assert_int_equal(store_insert_events(d->st, ev, 1, &added, &inserted,
	    &id, err, sizeof err), 0);
	assert_int_equal(added, inserted);
	assert_int_equal(store_source_seen(d->st, d->src, ev->ts, ev->ts, err,
	    sizeof err), 0);
	return inserted ? id : 0;
}

/*
 * Store one event the way ingest does and tell the correlator, handing
 * it noted as the event's fields if d->notes; 0 if a duplicate.
 */
static int64_t
add_noted(struct db *d, int rule, int64_t ts, const char *fields,
    const char *noted)
{
	struct store_event ev;
	char text[256];
	int64_t id;

	snprintf(text, sizeof text, "%s %lld %s", test_rules[rule].id,
	    (long long)ts, fields != NULL ? fields : "");
	memset(&ev, 0, sizeof ev);
	ev.rule = test_rules[rule].id;
	ev.ts = ts;
	ev.fields_json = fields;
	id = store_one(d, &ev, text);
	if (correlate_wants(d->c, rule) && id != 0) {
		correlate_note(d->c, rule, d->src, ts);
		if (d->notes)
			correlate_note_fields(d->c, rule, d->src, ts, id, noted,
			    noted != NULL ? strlen(noted) : 0);
	}
	correlate_note_time(d->c, d->src, ts);
	return id;
}

static int64_t
add(struct db *d, int rule, int64_t ts, const char *fields)
{
	return add_noted(d, rule, ts, fields, fields);
}

static void
run(struct db *d)
{
	char err[256] = "";

	if (correlate_run(d->c, err, sizeof err) != 0)
		fail_msg("correlate_run: %s", err);
}

/* Move the source's log time without an event. */
static void
advance(struct db *d, int64_t ts)
{
	char err[256];

	assert_int_equal(store_source_seen(d->st, d->src, ts, ts, err, sizeof err), 0);
	correlate_note_time(d->c, d->src, ts);
}

/* Every row of a query, one line each, columns joined by '|'. */
static char *
rows(struct db *d, const char *sql)
{
	sqlite3_stmt *st;
	struct buf b;
	int i, n;

	buf_init(&b);
	assert_int_equal(sqlite3_prepare_v2(store_db(d->st), sql, -1, &st, NULL),
	    SQLITE_OK);
	n = sqlite3_column_count(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			if (i > 0)
				buf_putc(&b, '|');
			buf_puts(&b, v != NULL ? (const char *)v : "-");
		}
		buf_putc(&b, '\n');
	}
	sqlite3_finalize(st);
	return b.data != NULL ? b.data : xstrdup("");
}

static void
check_rows(struct db *d, const char *sql, const char *want)
{
	char *got = rows(d, sql);

	assert_string_equal(got, want);
	free(got);
}

#define STORMS "SELECT key, start, end, count, peak_per_min, detected_at," \
	" json_extract(details, '$.first_event') = (SELECT min(id) FROM events" \
	" WHERE ts = incidents.start AND rule = 'ws')" \
	" FROM incidents WHERE kind = 'storm' ORDER BY start, key"

static void
test_storms(void **state)
{
	struct db d;

	db_open(&d);
	add(&d, R_WS, S(0), "{\"peer\":\"A\"}");
	add(&d, R_WS, S(0), "{\"peer\":\"B\"}");
	add(&d, R_WS, S(1), "{\"peer\":\"A\"}");
	add(&d, R_WS, S(2), "{\"peer\":\"A\"}");
	add(&d, R_WS, S(3), "{\"peer\":\"A\"}");
	add(&d, R_WS, S(59), "{\"peer\":\"B\"}");
	add(&d, R_WS, S(200), "{\"peer\":\"A\"}");
	add(&d, R_WS, S(201), "{\"peer\":\"A\"}");
	run(&d);
	check_rows(&d, STORMS, "A|0|3000|4|4|2000|1\n");

	/* The third close of the second episode arrives in a later ingest. */
	add(&d, R_WS, S(230), "{\"peer\":\"A\"}");
	run(&d);
	check_rows(&d, STORMS, "A|0|3000|4|4|2000|1\nA|200000|230000|3|3|230000|1\n");

	/* A close that fills the gap before it joins the first two episodes. */
	add(&d, R_WS, S(62), "{\"peer\":\"A\"}");
	add(&d, R_WS, S(121), "{\"peer\":\"A\"}");
	add(&d, R_WS, S(180), "{\"peer\":\"A\"}");
	run(&d);
	check_rows(&d, STORMS, "A|0|230000|10|4|2000|1\n");

	/* Re-adding the same events changes nothing. */
	assert_int_equal(add(&d, R_WS, S(62), "{\"peer\":\"A\"}"), 0);
	run(&d);
	check_rows(&d, "SELECT count(*) FROM incidents", "1\n");
	db_close(&d);
}

#define WAITS "SELECT kind, key, start, end, count," \
	" (SELECT ts FROM events e WHERE e.id = incidents.event_id)" \
	" FROM incidents WHERE kind != 'storm' ORDER BY start, key"
#define LINKS "SELECT s.ts, json_extract(s.fields, '$.scope'), t.ts" \
	" FROM events s LEFT JOIN events t ON t.id = s.link" \
	" WHERE s.rule = 'leak' ORDER BY s.ts"

static void
test_expect(void **state)
{
	struct db d;

	db_open(&d);
	add(&d, R_LEAK, S(0), "{\"scope\":\"global\"}");
	add(&d, R_REC, S(3), "{\"scope\":\"global\"}");
	add(&d, R_LEAK, S(10), "{\"scope\":\"kimi\"}");
	add(&d, R_REC, S(12), "{\"scope\":\"glm\"}");	/* another scope: pays nothing */
	add(&d, R_LEAK, S(50), "{\"scope\":\"global\"}");
	advance(&d, S(55));
	run(&d);
	check_rows(&d, WAITS,
	    "unresolved|kimi|10000|10000|1|10000\n"
	    "open|global|50000|50000|1|50000\n");
	check_rows(&d, LINKS, "0|global|3000\n10000|kimi|-\n50000|global|-\n");

	/* The recovery arrives: the open wait is met and linked. */
	add(&d, R_REC, S(58), "{\"scope\":\"global\"}");
	run(&d);
	check_rows(&d, WAITS, "unresolved|kimi|10000|10000|1|10000\n");
	check_rows(&d, LINKS, "0|global|3000\n10000|kimi|-\n50000|global|58000\n");

	/* Log time alone settles an open wait once its window has passed. */
	add(&d, R_LEAK, S(100), "{\"scope\":\"glm\"}");
	advance(&d, S(109));
	run(&d);
	check_rows(&d, "SELECT kind FROM incidents WHERE start = 100000", "open\n");
	advance(&d, S(110));
	run(&d);
	check_rows(&d, "SELECT kind FROM incidents WHERE start = 100000", "unresolved\n");

	/* An older recovery stored late pays the kimi leak after all. */
	add(&d, R_REC, S(20), "{\"scope\":\"kimi\"}");
	run(&d);
	check_rows(&d, WAITS, "unresolved|glm|100000|100000|1|100000\n");
	db_close(&d);
}

#define FOLLOWS "SELECT s.ts, t.ts, s.inherited FROM events s" \
	" LEFT JOIN events t ON t.id = s.link WHERE s.rule = 'fallback' ORDER BY s.ts, s.id"

static void
test_follows(void **state)
{
	struct db d;

	db_open(&d);
	add(&d, R_TIMEOUT, S(0), "{\"model\":\"kimi\",\"attempts\":\"3\"}");
	add(&d, R_TIMEOUT, S(2), "{\"model\":\"glm\"}");
	/* A fallback naming a model follows that model's timeout, in any case. */
	add(&d, R_FALLBACK, S(3), "{\"model\":\"KIMI\"}");
	add(&d, R_FALLBACK, S(3), "{\"model\":\"own\"}");
	add(&d, R_FALLBACK, S(4), NULL);
	add(&d, R_FALLBACK, S(7), "{\"reason\":\"x\"}");
	add(&d, R_FALLBACK, S(8), NULL);
	add(&d, R_FALLBACK, S(30), NULL);
	run(&d);
	check_rows(&d, FOLLOWS,
	    "3000|0|{\"attempts\":\"3\"}\n"
	    "3000|-|-\n"
	    "4000|2000|{\"model\":\"glm\"}\n"
	    "7000|2000|{\"model\":\"glm\"}\n"
	    "8000|-|-\n"
	    "30000|-|-\n");

	/* A later timeout stored afterwards takes over the fallbacks after it. */
	add(&d, R_TIMEOUT, S(4), "{\"model\":\"kimi\",\"attempts\":\"1\"}");
	run(&d);
	check_rows(&d, FOLLOWS,
	    "3000|0|{\"attempts\":\"3\"}\n"
	    "3000|-|-\n"
	    "4000|4000|{\"model\":\"kimi\",\"attempts\":\"1\"}\n"
	    "7000|4000|{\"model\":\"kimi\",\"attempts\":\"1\"}\n"
	    "8000|4000|{\"model\":\"kimi\",\"attempts\":\"1\"}\n"
	    "30000|-|-\n");
	db_close(&d);
}

/*
 * What a fallback inherits is what cJSON would make of both fields,
 * whether they are read in place (the store's own form) or not: escapes,
 * white space, other values, a name twice, malformed fields.
 */
static void
test_follows_fields(void **state)
{
	static const struct {
		const char	*target, *subject;
	} cases[] = {
		{ "{\"model\":\"kimi\",\"who\":\"\xc3\xa9\"}", "{\"model\":\"kimi\"}" },
		{ "{\"model\":\"kimi\",\"msg\":\"a\\\"b\"}", "{\"model\":\"kimi\"}" },
		{ "{\"model\": \"kimi\", \"y\":\"2\"}", "{\"model\":\"kimi\"}" },
		{ "{\"model\":\"kimi\",\"n\":5}", "{\"model\":\"kimi\"}" },
		{ "{\"model\":\"kimi\",\"x\":\"1\",\"x\":\"2\"}", "{\"model\":\"kimi\"}" },
		{ "{\"model\":\"kimi\",\"z\":\"1\"}",
		    "{\"model\":\"glm\",\"model\":\"kimi\"}" },
		{ "{\"model\":\"kimi\",}", "{\"model\":\"kimi\"}" },
		{ "{}", "{\"model\":\"kimi\"}" },
		{ "{\"model\":\"kimi\",\"a\":\"2\",\"b\":\"3\"}",
		    "{\"model\":\"KIMI\",\"a\":\"1\"}" },
		{ "{\"model\":\"kimi\",\"c\":\"1\"}", NULL },
		{ "{\"model\":\"kimi\",\"q\":\"x\",\"r\":\"y\"}",
		    "{\"model\":\"kimi\",\"q\":\"\\u00e9\"}" },
		{ "{\"model\":\"kim\"}", "{\"model\":\"kimi\"}" },
	};
	struct db d;
	size_t i;

	db_open(&d);
	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		add(&d, R_TIMEOUT, S(100 * (int64_t)i), cases[i].target);
		add(&d, R_FALLBACK, S(100 * (int64_t)i + 1), cases[i].subject);
	}
	run(&d);
	check_rows(&d, FOLLOWS,
	    "1000|0|{\"who\":\"\xc3\xa9\"}\n"
	    "101000|100000|{\"msg\":\"a\\\"b\"}\n"
	    "201000|200000|{\"y\":\"2\"}\n"
	    "301000|300000|{\"n\":5}\n"
	    "401000|400000|{\"x\":\"1\",\"x\":\"2\"}\n"
	    "501000|-|-\n"
	    "601000|600000|-\n"
	    "701000|700000|-\n"
	    "801000|800000|{\"b\":\"3\"}\n"
	    "901000|900000|{\"model\":\"kimi\",\"c\":\"1\"}\n"
	    "1001000|1000000|{\"r\":\"y\"}\n"
	    "1101000|-|-\n");
	db_close(&d);
}

/*
 * Fallbacks far apart among many timeouts, in one run and then one more:
 * each follows the latest agreeing timeout of its own window, whatever
 * lies between the windows.
 */
static void
test_follows_sparse(void **state)
{
	struct db d;
	char fields[64];
	int i;

	db_open(&d);
	for (i = 0; i < 600; i++) {
		snprintf(fields, sizeof fields, "{\"model\":\"%s\",\"i\":\"%d\"}",
		    i % 2 ? "glm" : "kimi", i);
		add(&d, R_TIMEOUT, i * 100, fields);
	}
	add(&d, R_FALLBACK, S(10), "{\"model\":\"GLM\"}");
	add(&d, R_FALLBACK, 40050, NULL);
	add(&d, R_FALLBACK, 40050, "{\"model\":\"glm\"}");
	add(&d, R_FALLBACK, S(70), NULL);
	run(&d);
	check_rows(&d, FOLLOWS,
	    "10000|9900|{\"i\":\"99\"}\n"
	    "40050|40000|{\"model\":\"kimi\",\"i\":\"400\"}\n"
	    "40050|39900|{\"i\":\"399\"}\n"
	    "70000|-|-\n");

	add(&d, R_FALLBACK, S(20), "{\"model\":\"kimi\"}");
	run(&d);
	check_rows(&d, FOLLOWS,
	    "10000|9900|{\"i\":\"99\"}\n"
	    "20000|20000|{\"i\":\"200\"}\n"
	    "40050|40000|{\"model\":\"kimi\",\"i\":\"400\"}\n"
	    "40050|39900|{\"i\":\"399\"}\n"
	    "70000|-|-\n");
	db_close(&d);
}

/*
 * Store a sample of lat the way the writer does, handing the correlator
 * its id, value and group.
 */
static void
add_sample(struct db *d, int64_t ts, double ms, const char *model)
{
	struct store_event ev;
	char text[64];
	int64_t id;

	snprintf(text, sizeof text, "lat %lld %g %s", (long long)ts, ms, model);
	memset(&ev, 0, sizeof ev);
	ev.rule = "lat";
	ev.ts = ts;
	ev.has_value = 1;
	ev.value = ms;
	ev.grp = model;
	ev.grp_len = strlen(model);
	id = store_one(d, &ev, text);
	assert_true(id > 0);
	correlate_note(d->c, R_LAT, d->src, ts);
	correlate_note_sample(d->c, R_LAT, d->src, ts, id, 1, ms, model,
	    strlen(model));
	correlate_note_time(d->c, d->src, ts);
}

#define LAT_REPEATS "SELECT e.ts, e.grp, ifnull(d.ts, '-') FROM events e" \
	" LEFT JOIN events d ON d.id = e.dup_of WHERE e.rule = 'lat'" \
	" ORDER BY e.ts, e.id"

/*
 * A source this connection added: its first commit marks the repeats from
 * the samples handed over, as reading them back would, and later commits
 * go on from there, or read back when an earlier sample comes; so too
 * when the first sample came a commit before the others, or after them.
 */
static void
test_same_new_source(void **state)
{
	struct db d;

	db_open(&d);
	correlate_note_new_source(d.c, d.src);
	add_sample(&d, 0, 820, "a");
	add_sample(&d, 500, 820, "a");
	add_sample(&d, 600, 820, "b");
	add_sample(&d, 3000, 820, "a");
	add_sample(&d, 3400, 820, "a");
	run(&d);
	check_rows(&d, LAT_REPEATS, "0|a|-\n500|a|0\n600|b|-\n3000|a|-\n"
	    "3400|a|3000\n");
	assert_int_equal(correlate_take_repeats(d.c), 2);
	add_sample(&d, 3900, 820, "a");
	run(&d);
	check_rows(&d, LAT_REPEATS, "0|a|-\n500|a|0\n600|b|-\n3000|a|-\n"
	    "3400|a|3000\n3900|a|3400\n");
	/* earlier than what the live state fed: read back */
	add_sample(&d, 200, 820, "a");
	run(&d);
	check_rows(&d, LAT_REPEATS, "0|a|-\n200|a|0\n500|a|200\n600|b|-\n"
	    "3000|a|-\n3400|a|3000\n3900|a|3400\n");
	assert_int_equal(correlate_take_repeats(d.c), 2);
	db_close(&d);

	/* the first sample a commit before the others */
	db_open(&d);
	correlate_note_new_source(d.c, d.src);
	add_sample(&d, 0, 820, "a");
	run(&d);
	add_sample(&d, 500, 820, "a");
	add_sample(&d, 900, 820, "a");
	run(&d);
	check_rows(&d, LAT_REPEATS, "0|a|-\n500|a|0\n900|a|500\n");
	db_close(&d);

	/* the first sample after the others, and long before them */
	db_open(&d);
	correlate_note_new_source(d.c, d.src);
	add_sample(&d, S(10), 820, "a");
	add_sample(&d, 0, 820, "a");
	add_sample(&d, 400, 820, "a");
	run(&d);
	add_sample(&d, S(10) + 300, 820, "a");
	run(&d);
	check_rows(&d, LAT_REPEATS, "0|a|-\n400|a|0\n10000|a|-\n"
	    "10300|a|10000\n");
	db_close(&d);

	db_open(&d);
	correlate_note_new_source(d.c, d.src);
	add_sample(&d, 0, 820, "a");
	add_sample(&d, S(10), 820, "a");
	add_sample(&d, S(10) + 400, 820, "a");
	run(&d);
	add_sample(&d, S(10) + 900, 820, "a");
	run(&d);
	check_rows(&d, LAT_REPEATS, "0|a|-\n10000|a|-\n10400|a|10000\n"
	    "10900|a|10400\n");
	db_close(&d);
}

#define REPEATS "SELECT e.ts, e.fields, ifnull(d.ts, '-') FROM events e" \
	" LEFT JOIN events d ON d.id = e.dup_of WHERE e.rule = 'rt' ORDER BY e.ts"

/*
 * same: an event equal in model and n to one at most 1 s before it is a
 * repeat of that one; the marks and their count do not depend on the
 * order or the number of runs that stored the events.
 */
static void
test_same_samples(void **state)
{
	static const struct { int64_t ts; const char *f; } evs[] = {
		{ 0, "{\"model\":\"a\",\"n\":\"5\"}" },
		{ 500, "{\"model\":\"a\",\"n\":\"5\"}" },	/* repeat of 0 */
		{ 600, "{\"model\":\"b\",\"n\":\"5\"}" },	/* another model */
		{ 900, "{\"model\":\"a\",\"n\":\"6\"}" },	/* another value */
		{ 1600, "{\"model\":\"a\",\"n\":\"5\"}" },	/* 1.1 s after 500 */
		{ 2500, "{\"model\":\"a\",\"n\":\"5\"}" },	/* repeat of 1600 */
		{ 2600, "{\"model\":\"a\"}" },		/* n missing */
		{ 3000, "{\"model\":\"a\"}" },		/* repeat: both lack n */
	};
	const char *want =
	    "0|{\"model\":\"a\",\"n\":\"5\"}|-\n"
	    "500|{\"model\":\"a\",\"n\":\"5\"}|0\n"
	    "600|{\"model\":\"b\",\"n\":\"5\"}|-\n"
	    "900|{\"model\":\"a\",\"n\":\"6\"}|-\n"
	    "1600|{\"model\":\"a\",\"n\":\"5\"}|-\n"
	    "2500|{\"model\":\"a\",\"n\":\"5\"}|1600\n"
	    "2600|{\"model\":\"a\"}|-\n"
	    "3000|{\"model\":\"a\"}|2600\n";
	struct db d;
	size_t i, n = sizeof evs / sizeof evs[0];
	uint64_t total;

	db_open(&d);
	for (i = 0; i < n; i++)
		add(&d, R_RT, evs[i].ts, evs[i].f);
	run(&d);
	check_rows(&d, REPEATS, want);
	assert_int_equal(correlate_take_repeats(d.c), 3);
	assert_int_equal(correlate_take_repeats(d.c), 0);
	db_close(&d);

	/* backwards, one run per event: the same marks, the same count */
	db_open(&d);
	for (total = 0, i = n; i-- > 0;) {
		add(&d, R_RT, evs[i].ts, evs[i].f);
		run(&d);
		total += correlate_take_repeats(d.c);
	}
	check_rows(&d, REPEATS, want);
	assert_int_equal(total, 3);
	/* stored again: nothing new */
	add(&d, R_RT, evs[1].ts, evs[1].f);
	run(&d);
	assert_int_equal(correlate_take_repeats(d.c), 0);
	db_close(&d);
}

#define TIES "SELECT e.fields, ifnull(d.fields, '-') FROM events e" \
	" LEFT JOIN events d ON d.id = e.dup_of WHERE e.rule = 'rt' ORDER BY e.id"

/*
 * Samples of one time repeat one another in the order they were stored,
 * whatever order the index holds them in (by text hash: here the
 * reverse).
 */
static void
test_same_ties(void **state)
{
	static const char *const f[] = {
		"{\"model\":\"a\",\"n\":\"5\",\"x\":\"6\"}",
		"{\"model\":\"a\",\"n\":\"5\",\"x\":\"5\"}",
		"{\"model\":\"a\",\"n\":\"5\",\"x\":\"4\"}",
		"{\"model\":\"a\",\"n\":\"5\",\"x\":\"3\"}",
		"{\"model\":\"a\",\"n\":\"5\",\"x\":\"2\"}",
		"{\"model\":\"a\",\"n\":\"5\",\"x\":\"1\"}",
	};
	struct db d;
	struct buf want;
	size_t i, n = sizeof f / sizeof f[0];

	(void)state;
	buf_init(&want);
	for (i = 0; i < n; i++)
		buf_printf(&want, "%s|%s\n", f[i], i == 0 ? "-" : f[i - 1]);
	db_open(&d);
	for (i = 0; i < n; i++)
		add(&d, R_RT, 7000, f[i]);
	run(&d);
	check_rows(&d, TIES, want.data);
	assert_int_equal(correlate_take_repeats(d.c), n - 1);
	db_close(&d);
	buf_free(&want);
}

/*
 * Keys that leave the window of same and come back are new again, and
 * keys longer than any before are kept whole, whether the events come in
 * one run or a run each.
 */
static void
test_same_window(void **state)
{
	static const struct {
		int64_t		 ts;
		const char	*fields;
	} ev[] = {
		{ 0, "{\"model\":\"a\",\"n\":\"1\"}" },
		{ 100, "{\"model\":\"bbbbbbbb\",\"n\":\"22\"}" },
		{ 200, "{\"model\":\"a\",\"n\":\"1\"}" },
		{ 1500, "{\"model\":\"cccccccccccccccccccccccc\",\"n\":\"333\"}" },
		{ 1600, "{\"model\":\"a\",\"n\":\"1\"}" },
		{ 1700, "{\"model\":\"cccccccccccccccccccccccc\",\"n\":\"333\"}" },
		{ 1800, "{\"model\":\"cccccccccccccccccccccccc\",\"n\":\"334\"}" },
		{ 3000, "{\"model\":\"d\",\"n\":\"4\"}" },
		{ 3100, "{\"model\":\"a\",\"n\":\"1\"}" },
		{ 3200, "{\"model\":\"d\",\"n\":\"4\"}" },
	};
	static const char want[] =
	    "0|-\n100|-\n200|0\n1500|-\n1600|-\n1700|1500\n1800|-\n"
	    "3000|-\n3100|-\n3200|3000\n";
	struct db d;
	size_t i, each;

	(void)state;
	for (each = 0; each < 2; each++) {
		db_open(&d);
		for (i = 0; i < sizeof ev / sizeof ev[0]; i++) {
			add(&d, R_RT, ev[i].ts, ev[i].fields);
			if (each)
				run(&d);
		}
		run(&d);
		check_rows(&d, "SELECT e.ts, d.ts FROM events e"
		    " LEFT JOIN events d ON d.id = e.dup_of"
		    " WHERE e.rule = 'rt' ORDER BY e.ts", want);
		db_close(&d);
	}
}

#define FOLLOWS_TO "SELECT s.ts, t.rule, t.ts, s.inherited FROM events s" \
	" LEFT JOIN events t ON t.id = s.link WHERE s.rule = 'fallback' ORDER BY s.ts"

static void
test_follows_any(void **state)
{
	struct db d;

	db_open(&d);
	/* the later of a timeout and a provider error, whichever rule */
	add(&d, R_TIMEOUT, S(0), "{\"model\":\"kimi\"}");
	add(&d, R_PERR, S(2), "{\"model\":\"glm\",\"status\":\"429\"}");
	add(&d, R_FALLBACK, S(3), NULL);
	/* equal times: the larger id, here the timeout stored second ... */
	add(&d, R_PERR, S(10), "{\"model\":\"p10\"}");
	add(&d, R_TIMEOUT, S(10), "{\"model\":\"t10\"}");
	add(&d, R_FALLBACK, S(11), NULL);
	/* ... and here the provider error stored second */
	add(&d, R_TIMEOUT, S(20), "{\"model\":\"t20\"}");
	add(&d, R_PERR, S(20), "{\"model\":\"p20\"}");
	add(&d, R_FALLBACK, S(21), NULL);
	/* a provider error outside the window loses to a timeout inside */
	add(&d, R_PERR, S(24), "{\"model\":\"p24\"}");
	add(&d, R_TIMEOUT, S(27), "{\"model\":\"t27\"}");
	add(&d, R_FALLBACK, S(30), NULL);
	add(&d, R_FALLBACK, S(40), NULL);
	/* all at one time: the failure stored before the fallback caused it */
	add(&d, R_TIMEOUT, S(50), "{\"model\":\"t50\"}");
	add(&d, R_FALLBACK, S(50), NULL);
	add(&d, R_PERR, S(50), "{\"model\":\"p50\"}");
	run(&d);
	check_rows(&d, FOLLOWS_TO,
	    "3000|perr|2000|{\"model\":\"glm\",\"status\":\"429\"}\n"
	    "11000|timeout|10000|{\"model\":\"t10\"}\n"
	    "21000|perr|20000|{\"model\":\"p20\"}\n"
	    "30000|timeout|27000|{\"model\":\"t27\"}\n"
	    "40000|-|-|-\n"
	    "50000|timeout|50000|{\"model\":\"t50\"}\n");

	/* A provider error stored later, after the timeout, takes over. */
	add(&d, R_PERR, 29500, "{\"status\":\"503\"}");
	run(&d);
	check_rows(&d, FOLLOWS_TO,
	    "3000|perr|2000|{\"model\":\"glm\",\"status\":\"429\"}\n"
	    "11000|timeout|10000|{\"model\":\"t10\"}\n"
	    "21000|perr|20000|{\"model\":\"p20\"}\n"
	    "30000|perr|29500|{\"status\":\"503\"}\n"
	    "40000|-|-|-\n"
	    "50000|timeout|50000|{\"model\":\"t50\"}\n");
	db_close(&d);
}

/* A data set that crosses every window at the split points. */
struct ev {
	int		 rule;
	int64_t		 ts;
	const char	*fields;
};

static const struct ev mixed[] = {
	{ R_WS, S(0), "{\"peer\":\"A\"}" },
	{ R_LEAK, S(1), "{\"scope\":\"global\"}" },
	{ R_TIMEOUT, S(1), "{\"model\":\"kimi\"}" },
	{ R_WS, S(5), "{\"peer\":\"A\"}" },
	{ R_FALLBACK, S(5), NULL },
	{ R_REC, S(6), "{\"scope\":\"global\"}" },
	{ R_WS, S(20), "{\"peer\":\"B\"}" },
	{ R_WS, S(30), "{\"peer\":\"A\"}" },
	{ R_LEAK, S(31), "{\"scope\":\"kimi\"}" },
	{ R_WS, S(40), "{\"peer\":\"B\"}" },
	{ R_WS, S(50), "{\"peer\":\"A\"}" },
	{ R_TIMEOUT, S(60), "{\"model\":\"glm\"}" },
	{ R_WS, S(61), "{\"peer\":\"B\"}" },
	{ R_LEAK, S(62), "{\"scope\":\"glm\"}" },
	{ R_PERR, S(62), "{\"model\":\"kimi\",\"status\":\"429\"}" },
	{ R_FALLBACK, S(63), "{\"model\":\"Kimi\"}" },
	{ R_REC, S(72), "{\"scope\":\"glm\"}" },
	{ R_LEAK, S(103), "{\"scope\":\"global\"}" },
	{ R_LEAK, S(104), "{\"scope\":\"global\"}" },
	{ R_REC, S(105), "{\"scope\":\"global\"}" },
	{ R_WS, S(120), "{\"peer\":\"A\"}" },
	{ R_WS, S(121), "{\"peer\":\"A\"}" },
	{ R_WS, S(122), "{\"peer\":\"A\"}" },
	{ R_WS, S(140), "{\"peer\":\"B\"}" },
	{ R_PERR, S(148), "{\"model\":\"glm\"}" },
	{ R_TIMEOUT, S(149), "{\"model\":\"kimi\"}" },
	{ R_LEAK, S(150), "{\"scope\":\"kimi\"}" },
	{ R_FALLBACK, S(151), NULL },
};
#define NMIXED ((int)UTIL_ARRAY_LEN(mixed))

/*
 * Incidents and links with event ids replaced by event timestamps and
 * rules, since ids depend on insertion order.
 */
#define CANON_INCIDENTS "SELECT kind, rule, key, start, end, count, peak_per_min," \
	" detected_at, (SELECT ts FROM events e WHERE e.id = i.event_id)," \
	" (SELECT ts FROM events e WHERE e.id = json_extract(i.details, '$.first_event'))," \
	" (SELECT ts FROM events e WHERE e.id = json_extract(i.details, '$.last_event'))" \
	" FROM incidents i ORDER BY 1, 2, 3, 4"
#define CANON_LINKS "SELECT s.rule, s.ts, s.fields, t.rule, t.ts, s.inherited" \
	" FROM events s LEFT JOIN events t ON t.id = s.link ORDER BY 1, 2, 3"

static void
load(struct db *d, const int *order, int n, int run_every)
{
	int i;

	for (i = 0; i < n; i++) {
		add(d, mixed[order[i]].rule, mixed[order[i]].ts, mixed[order[i]].fields);
		if (run_every > 0 && (i + 1) % run_every == 0)
			run(d);
	}
	run(d);
}

static void
test_order_independent(void **state)
{
	struct db one, split, shuffled;
	int order[NMIXED], i, j;
	char *a, *b;

	db_open(&one);
	for (i = 0; i < NMIXED; i++)
		order[i] = i;
	load(&one, order, NMIXED, 0);

	/* The second half first, each half newest first, a run after each half. */
	db_open(&split);
	for (i = 0, j = NMIXED - 1; j >= NMIXED / 2; j--)
		order[i++] = j;
	for (j = NMIXED / 2 - 1; j >= 0; j--)
		order[i++] = j;
	load(&split, order, NMIXED / 2 + 1, 0);
	load(&split, order + NMIXED / 2 + 1, NMIXED - NMIXED / 2 - 1, 0);

	/* Every third event, three passes, a run after every two events. */
	db_open(&shuffled);
	for (i = 0, j = 0; j < 3; j++) {
		int k;

		for (k = j; k < NMIXED; k += 3)
			order[i++] = k;
	}
	load(&shuffled, order, NMIXED, 2);

	a = rows(&one, CANON_INCIDENTS);
	assert_string_equal(a,
	    "open|leak|kimi|150000|150000|1|-|-|150000|-|-\n"
	    "storm|ws|A|0|50000|4|4|30000|-|0|50000\n"
	    "storm|ws|A|120000|122000|3|3|122000|-|120000|122000\n"
	    "storm|ws|B|20000|61000|3|3|61000|-|20000|61000\n"
	    "unresolved|leak|global|104000|104000|1|-|-|104000|-|-\n"
	    "unresolved|leak|kimi|31000|31000|1|-|-|31000|-|-\n");
	b = rows(&split, CANON_INCIDENTS);
	assert_string_equal(a, b);
	free(b);
	b = rows(&shuffled, CANON_INCIDENTS);
	assert_string_equal(a, b);
	free(b);
	free(a);

	a = rows(&one, CANON_LINKS);
	b = rows(&split, CANON_LINKS);
	assert_string_equal(a, b);
	free(b);
	b = rows(&shuffled, CANON_LINKS);
	assert_string_equal(a, b);
	free(b);
	free(a);
	check_rows(&one, "SELECT s.ts, t.ts, s.inherited FROM events s JOIN events t"
	    " ON t.id = s.link ORDER BY s.ts",
	    "1000|6000|-\n"
	    "5000|1000|{\"model\":\"kimi\"}\n"
	    "62000|72000|-\n"
	    "63000|62000|{\"status\":\"429\"}\n"
	    "103000|105000|-\n"
	    "151000|149000|{\"model\":\"kimi\"}\n");

	/* Re-ingesting everything adds nothing and changes nothing. */
	a = rows(&one, CANON_INCIDENTS);
	for (i = 0; i < NMIXED; i++)
		order[i] = i;
	load(&one, order, NMIXED, 5);
	b = rows(&one, CANON_INCIDENTS);
	assert_string_equal(a, b);
	free(a);
	free(b);

	db_close(&one);
	db_close(&split);
	db_close(&shuffled);
}

/* The events stored so far, to load a fresh database with. */
struct fed {
	struct ev	 v[512];
	int		 n;
};

static void
add_fed(struct db *d, struct fed *f, int rule, int64_t ts, const char *fields)
{
	add(d, rule, ts, fields);
	assert_true(f->n < (int)UTIL_ARRAY_LEN(f->v));
	f->v[f->n].rule = rule;
	f->v[f->n].ts = ts;
	f->v[f->n].fields = fields;
	f->n++;
}

/* Run d, then compare it with one recompute of the same events, stored in one go. */
static void
run_and_compare(struct db *d, const struct fed *f)
{
	struct db fresh;
	char *a, *b;
	int i;

	run(d);
	db_open(&fresh);
	for (i = 0; i < f->n; i++)
		add(&fresh, f->v[i].rule, f->v[i].ts, f->v[i].fields);
	run(&fresh);
	a = rows(&fresh, CANON_INCIDENTS);
	b = rows(d, CANON_INCIDENTS);
	assert_string_equal(b, a);
	free(a);
	free(b);
	a = rows(&fresh, CANON_LINKS);
	b = rows(d, CANON_LINKS);
	assert_string_equal(b, a);
	free(a);
	free(b);
	db_close(&fresh);
}

#define PEER_A "{\"peer\":\"A\"}"
#define PEER_B "{\"peer\":\"B\"}"
#define SCOPE_X "{\"scope\":\"x\"}"
#define SCOPE_Y "{\"scope\":\"y\"}"
#define OPEN_STORMS "SELECT key, start, end, count FROM incidents" \
	" WHERE kind = 'storm' ORDER BY start, key"

static void
incremental_commits(int notes)
{
	struct db d;
	struct fed f = { .n = 0 };

	db_open(&d);
	d.notes = notes;
	/* B every 45 s keeps the rule from ever falling quiet. */
	add_fed(&d, &f, R_WS, S(0), PEER_A);
	add_fed(&d, &f, R_WS, S(5), PEER_B);
	add_fed(&d, &f, R_WS, S(10), PEER_A);
	add_fed(&d, &f, R_LEAK, S(10), SCOPE_X);
	run_and_compare(&d, &f);
	check_rows(&d, "SELECT count(*) FROM incidents WHERE kind = 'storm'", "0\n");
	check_rows(&d, WAITS, "open|x|10000|10000|1|10000\n");

	/* A's third close, in a later commit, makes the storm; it stays open. */
	add_fed(&d, &f, R_WS, S(20), PEER_A);
	add_fed(&d, &f, R_LEAK, S(21), SCOPE_Y);
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "A|0|20000|3\n");
	check_rows(&d, WAITS, "unresolved|x|10000|10000|1|10000\n"
	    "open|y|21000|21000|1|21000\n");

	/* It grows across commits: one row, replaced. */
	add_fed(&d, &f, R_WS, S(30), PEER_A);
	add_fed(&d, &f, R_REC, S(30), SCOPE_Y);
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "A|0|30000|4\n");
	add_fed(&d, &f, R_WS, S(50), PEER_B);
	add_fed(&d, &f, R_WS, S(85), PEER_A);
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "A|0|85000|5\n");

	/* B turns into a storm; A's gap of 60 s closes it. */
	add_fed(&d, &f, R_WS, S(95), PEER_B);
	add_fed(&d, &f, R_WS, S(100), PEER_B);
	add_fed(&d, &f, R_WS, S(140), PEER_B);
	add_fed(&d, &f, R_WS, S(145), PEER_A);
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "A|0|85000|5\nB|5000|140000|5\n");

	/* A close earlier than what was fed falls back to the recompute. */
	add_fed(&d, &f, R_WS, S(115), PEER_A);
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "A|0|145000|7\nB|5000|140000|5\n");

	/* So does a recovery stored late, and a leak at the time of a recovery fed. */
	add_fed(&d, &f, R_LEAK, S(150), SCOPE_X);
	add_fed(&d, &f, R_REC, S(155), SCOPE_X);
	run_and_compare(&d, &f);
	add_fed(&d, &f, R_REC, S(15), SCOPE_X);
	run_and_compare(&d, &f);
	add_fed(&d, &f, R_LEAK, S(155), SCOPE_X);
	run_and_compare(&d, &f);
	check_rows(&d, WAITS, "open|x|155000|155000|1|155000\n");
	check_rows(&d, LINKS, "10000|x|15000\n21000|y|30000\n150000|x|155000\n"
	    "155000|x|-\n");

	/* In order again: the live path carries on from the recompute. */
	add_fed(&d, &f, R_WS, S(150), PEER_A);
	add_fed(&d, &f, R_REC, S(160), SCOPE_X);
	run_and_compare(&d, &f);
	add_fed(&d, &f, R_WS, S(300), PEER_B);
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "A|0|150000|8\nB|5000|140000|5\n");
	check_rows(&d, "SELECT count(*) FROM incidents WHERE kind != 'storm'", "0\n");
	db_close(&d);
}

/*
 * Many keys interleaved so densely that no quiet point comes, fed a few
 * events per commit, now and then one from the past: every commit equals
 * one recompute.
 */
/*
 * A source this connection added: its storm tracker waits for the Nth
 * event of the rule, its one event is not scanned for repeats; the
 * results still equal one recompute, across commits and late events.
 */
static void
new_source(int notes)
{
	struct db d;
	struct fed f = { .n = 0 };

	db_open(&d);
	d.notes = notes;
	correlate_note_new_source(d.c, d.src);
	add_fed(&d, &f, R_WS, S(0), PEER_A);
	add_fed(&d, &f, R_RT, S(0), "{\"model\":\"a\",\"n\":\"5\"}");
	run_and_compare(&d, &f);
	add_fed(&d, &f, R_WS, S(10), PEER_A);
	run_and_compare(&d, &f);
	check_rows(&d, "SELECT count(*) FROM incidents", "0\n");
	/* the third close, a commit later, makes the storm from the first */
	add_fed(&d, &f, R_WS, S(20), PEER_A);
	add_fed(&d, &f, R_RT, S(0) + 500, "{\"model\":\"a\",\"n\":\"5\"}");
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "A|0|20000|3\n");
	check_rows(&d, REPEATS, "0|{\"model\":\"a\",\"n\":\"5\"}|-\n"
	    "500|{\"model\":\"a\",\"n\":\"5\"}|0\n");
	db_close(&d);

	/* a close before the last one noted, while fewer than N */
	f.n = 0;
	db_open(&d);
	d.notes = notes;
	correlate_note_new_source(d.c, d.src);
	add_fed(&d, &f, R_WS, S(30), PEER_B);
	run_and_compare(&d, &f);
	add_fed(&d, &f, R_WS, S(20), PEER_B);
	run_and_compare(&d, &f);
	add_fed(&d, &f, R_WS, S(40), PEER_B);
	run_and_compare(&d, &f);
	check_rows(&d, OPEN_STORMS, "B|20000|40000|3\n");
	db_close(&d);
}

static void
incremental_generated(int notes)
{
	static const char *const peers[] = { PEER_A, PEER_B,
	    "{\"peer\":\"C\"}", "{\"peer\":\"D\"}" };
	static const char *const scopes[] = { SCOPE_X, SCOPE_Y,
	    "{\"scope\":\"z\"}" };
	static const int rules[] = { R_WS, R_WS, R_WS, R_LEAK, R_LEAK, R_REC };
	struct db d;
	struct fed f = { .n = 0 };
	uint32_t seed = 12345;
	int64_t ts = 0, at;
	int i, rule, batch = 0;
	char *a;

	db_open(&d);
	d.notes = notes;
	for (i = 0; i < 300; i++) {
		seed = seed * 1103515245u + 12345u;
		ts += S((seed >> 16) % 9);
		rule = rules[(seed >> 8) % UTIL_ARRAY_LEN(rules)];
		/* One event in twenty comes from up to 40 s in the past. */
		at = (seed >> 4) % 20 == 0 ? ts - S((seed >> 12) % 41) : ts;
		add_fed(&d, &f, rule, at, rule == R_WS ?
		    peers[(seed >> 20) % UTIL_ARRAY_LEN(peers)] :
		    scopes[(seed >> 20) % UTIL_ARRAY_LEN(scopes)]);
		if (++batch >= 1 + (int)((seed >> 24) % 5)) {
			run_and_compare(&d, &f);
			batch = 0;
		}
	}
	run_and_compare(&d, &f);
	a = rows(&d, "SELECT kind, count(*), sum(count) FROM incidents"
	    " GROUP BY kind ORDER BY kind");
	/* Storms and waits both occur, so the comparison covers them. */
	assert_non_null(strstr(a, "storm|"));
	assert_non_null(strstr(a, "unresolved|"));
	free(a);
	db_close(&d);
}

static void
test_incremental_commits(void **state)
{
	incremental_commits(0);
}

static void
test_incremental_commits_notes(void **state)
{
	incremental_commits(1);
}

static void
test_new_source(void **state)
{
	new_source(0);
}

static void
test_new_source_notes(void **state)
{
	new_source(1);
}

static void
test_incremental_generated(void **state)
{
	incremental_generated(0);
}

static void
test_incremental_generated_notes(void **state)
{
	incremental_generated(1);
}

/*
 * Fallbacks, timeouts and provider errors of a few models, a few to a
 * commit, now and then one from the past: every commit equals one
 * recompute, links and inherited fields included.  With sparse, a
 * fallback comes only after each run of 36 targets, up to 4 s before the
 * latest: targets are let go between subjects, and a subject reaches
 * back to some let go.
 */
static void
follows_generated(int notes, int new_source, int sparse)
{
	static const char *const models[] = { "{\"model\":\"kimi\"}",
	    "{\"model\":\"glm\",\"code\":\"1\"}", "{\"model\":\"KIMI\",\"x\":\"2\"}",
	    "{\"code\":\"3\"}", NULL };
	static const int rules[] = { R_FALLBACK, R_FALLBACK, R_TIMEOUT, R_PERR };
	struct db d;
	struct fed f = { .n = 0 };
	uint32_t seed = 777;
	int64_t ts = 0, at;
	int i, rule, batch = 0;
	char *a;

	db_open(&d);
	d.notes = notes;
	if (new_source)
		correlate_note_new_source(d.c, d.src);
	for (i = 0; i < 300; i++) {
		seed = seed * 1103515245u + 12345u;
		ts += S((seed >> 16) % 4);
		/* One event in twelve comes from up to 8 s in the past. */
		at = (seed >> 4) % 12 == 0 ? ts - S((seed >> 12) % 9) : ts;
		rule = rules[(seed >> 8) % UTIL_ARRAY_LEN(rules)];
		if (sparse) {
			rule = i % 37 == 36 ? R_FALLBACK :
			    (seed >> 3) % 2 ? R_TIMEOUT : R_PERR;
			/* and it often reaches back past the latest targets */
			if (rule == R_FALLBACK)
				at = ts - S((seed >> 12) % 5);
		}
		add_fed(&d, &f, rule, at,
		    models[(seed >> 20) % UTIL_ARRAY_LEN(models)]);
		if (++batch >= 1 + (int)((seed >> 24) % 5)) {
			run_and_compare(&d, &f);
			batch = 0;
		}
	}
	run_and_compare(&d, &f);
	/* Links and inherited fields both occur, so the comparison covers them. */
	a = rows(&d, "SELECT count(link), count(inherited) FROM events"
	    " WHERE rule = 'fallback'");
	assert_true(strcmp(a, "0|0\n") != 0);
	assert_null(strstr(a, "|0\n"));
	free(a);
	db_close(&d);
}

static void
test_follows_generated(void **state)
{
	follows_generated(0, 0, 0);
	follows_generated(0, 0, 1);
}

static void
test_follows_generated_notes(void **state)
{
	follows_generated(1, 0, 0);
	follows_generated(1, 1, 0);
	follows_generated(1, 1, 1);
}

#define SCOPE_E_ACUTE "{\"scope\":\"\xc3\x89\"}"

/*
 * The live trackers are fed the new events as handed over, not read back:
 * a note that names another key than the stored fields shows which was
 * fed.  An event before what was fed, or one whose key only SQLite can
 * give, is read back instead.
 */
static void
test_notes_feed(void **state)
{
	struct db d;

	db_open(&d);
	d.notes = 1;
	add(&d, R_WS, S(0), PEER_A);
	add(&d, R_WS, S(10), PEER_A);
	add(&d, R_WS, S(20), PEER_A);
	run(&d);
	check_rows(&d, OPEN_STORMS, "A|0|20000|3\n");
	/* after what was fed, out of order among themselves: fed as noted */
	add_noted(&d, R_WS, S(40), PEER_A, PEER_B);
	add_noted(&d, R_WS, S(30), PEER_A, PEER_B);
	add_noted(&d, R_WS, S(35), PEER_A, PEER_B);
	run(&d);
	check_rows(&d, OPEN_STORMS, "A|0|20000|3\nB|30000|40000|3\n");
	/* an escape in the note: the stored event is read back */
	add_noted(&d, R_WS, S(50), PEER_A, "{\"peer\":\"B\\\"\"}");
	run(&d);
	check_rows(&d, OPEN_STORMS, "A|0|50000|4\nB|30000|40000|3\n");
	/* before what was fed: recomputed from the store */
	add(&d, R_WS, S(5), PEER_A);
	run(&d);
	check_rows(&d, OPEN_STORMS, "A|0|50000|8\n");

	add(&d, R_LEAK, S(100), SCOPE_X);
	run(&d);
	check_rows(&d, WAITS, "open|x|100000|100000|1|100000\n");
	/* a target noted with another key pays nothing */
	add_noted(&d, R_REC, S(105), SCOPE_X, SCOPE_Y);
	run(&d);
	check_rows(&d, WAITS, "open|x|100000|100000|1|100000\n");
	check_rows(&d, LINKS, "100000|x|-\n");
	/* a key lower() might fold otherwise than ASCII: read back */
	add_noted(&d, R_LEAK, S(120), SCOPE_X, SCOPE_E_ACUTE);
	run(&d);
	check_rows(&d, WAITS, "unresolved|x|100000|100000|1|100000\n"
	    "open|x|120000|120000|1|120000\n");
	add(&d, R_REC, S(102), SCOPE_X);
	run(&d);
	check_rows(&d, WAITS, "open|x|120000|120000|1|120000\n");
	check_rows(&d, LINKS, "100000|x|102000\n120000|x|-\n");

	/*
	 * A follows reads its subjects back until it knows the last one
	 * stored; then new ones after it are taken as handed over.
	 */
	add(&d, R_TIMEOUT, S(200), "{\"model\":\"kimi\",\"t\":\"1\"}");
	add_noted(&d, R_FALLBACK, S(201), "{\"model\":\"kimi\"}",
	    "{\"model\":\"glm\"}");
	run(&d);
	add(&d, R_TIMEOUT, S(210), "{\"model\":\"kimi\",\"t\":\"2\"}");
	add_noted(&d, R_FALLBACK, S(211), "{\"model\":\"kimi\"}",
	    "{\"model\":\"glm\"}");
	add_noted(&d, R_FALLBACK, S(212), "{\"model\":\"kimi\"}",
	    "{\"model\":\"kimi\",\"t\":\"0\"}");
	run(&d);
	check_rows(&d, FOLLOWS, "201000|200000|{\"t\":\"1\"}\n211000|-|-\n"
	    "212000|210000|-\n");
	/* a target before the last subject stored: the subjects are read back */
	add(&d, R_TIMEOUT, S(209), "{\"model\":\"kimi\",\"t\":\"3\"}");
	run(&d);
	check_rows(&d, FOLLOWS, "201000|200000|{\"t\":\"1\"}\n"
	    "211000|210000|{\"t\":\"2\"}\n212000|210000|{\"t\":\"2\"}\n");
	db_close(&d);

	/*
	 * A new source's tracker is built from the notes when they are all
	 * its events of the rule, from the store when earlier commits
	 * brought some.
	 */
	db_open(&d);
	d.notes = 1;
	correlate_note_new_source(d.c, d.src);
	add_noted(&d, R_WS, S(0), PEER_A, PEER_B);
	add_noted(&d, R_WS, S(20), PEER_A, PEER_B);
	add_noted(&d, R_WS, S(10), PEER_A, PEER_B);
	run(&d);
	check_rows(&d, OPEN_STORMS, "B|0|20000|3\n");
	db_close(&d);
	db_open(&d);
	d.notes = 1;
	correlate_note_new_source(d.c, d.src);
	add_noted(&d, R_WS, S(0), PEER_A, PEER_B);
	add_noted(&d, R_WS, S(10), PEER_A, PEER_B);
	run(&d);
	add_noted(&d, R_WS, S(20), PEER_A, PEER_B);
	run(&d);
	check_rows(&d, OPEN_STORMS, "A|0|20000|3\n");
	db_close(&d);

	/*
	 * A new source's follows keeps the targets handed over: they are
	 * followed as noted, until one cannot be keyed.
	 */
	db_open(&d);
	d.notes = 1;
	correlate_note_new_source(d.c, d.src);
	add_noted(&d, R_TIMEOUT, S(0), "{\"model\":\"kimi\"}",
	    "{\"model\":\"glm\"}");
	add(&d, R_FALLBACK, S(1), "{\"model\":\"kimi\"}");
	run(&d);
	add(&d, R_FALLBACK, S(2), "{\"model\":\"kimi\"}");
	run(&d);
	check_rows(&d, FOLLOWS, "1000|-|-\n2000|-|-\n");
	/* handed over without its fields: read back from now on */
	add_noted(&d, R_PERR, S(3), "{\"model\":\"glm\"}", NULL);
	add(&d, R_FALLBACK, S(4), "{\"model\":\"kimi\"}");
	run(&d);
	add(&d, R_FALLBACK, S(5), "{\"model\":\"kimi\"}");
	run(&d);
	check_rows(&d, FOLLOWS, "1000|-|-\n2000|-|-\n4000|0|-\n5000|0|-\n");
	db_close(&d);

	/*
	 * Targets that no subject follows are let go as later ones come: a
	 * subject after the latest follows it as handed over, one that
	 * reaches back to a target let go finds it in the store.
	 */
	db_open(&d);
	d.notes = 1;
	correlate_note_new_source(d.c, d.src);
	add(&d, R_TIMEOUT, S(0), "{\"model\":\"kimi\",\"t\":\"1\"}");
	run(&d);
	add(&d, R_TIMEOUT, S(100), "{\"model\":\"kimi\",\"t\":\"2\"}");
	run(&d);
	add(&d, R_FALLBACK, S(3), "{\"model\":\"kimi\"}");
	run(&d);
	add(&d, R_FALLBACK, S(102), "{\"model\":\"kimi\"}");
	run(&d);
	check_rows(&d, FOLLOWS, "3000|0|{\"t\":\"1\"}\n"
	    "102000|100000|{\"t\":\"2\"}\n");
	db_close(&d);

	/* so is its pairer, from the first: nothing was stored for it before */
	db_open(&d);
	d.notes = 1;
	correlate_note_new_source(d.c, d.src);
	add_noted(&d, R_LEAK, S(0), SCOPE_X, SCOPE_Y);
	add(&d, R_REC, S(3), SCOPE_X);
	run(&d);
	check_rows(&d, WAITS, "open|y|0|0|1|0\n");
	db_close(&d);
}

static void
test_rebuild(void **state)
{
	struct db d;
	int order[NMIXED], i;
	char *a, *b, err[256];

	db_open(&d);
	for (i = 0; i < NMIXED; i++)
		order[i] = i;
	load(&d, order, NMIXED, 0);
	a = rows(&d, CANON_INCIDENTS);
	if (correlate_rebuild(d.c, err, sizeof err) != 0)
		fail_msg("correlate_rebuild: %s", err);
	b = rows(&d, CANON_INCIDENTS);
	assert_string_equal(a, b);
	free(a);
	free(b);
	check_rows(&d, "SELECT count(*) FROM events WHERE link IS NOT NULL", "6\n");
	db_close(&d);
}

/* A case of correlate_field_text: what it must answer, where it answers. */
struct field_case {
	const char	*fields;
	size_t		 len;		/* 0: strlen(fields) */
	const char	*name;
	int		 want;		/* 1 found, 0 absent, -1 left to SQLite */
	const char	*value;
};

#define FC(f, n, w, v)	{ f, 0, n, w, v }

static const struct field_case field_cases[] = {
	FC("{\"peer\":\"A\"}", "peer", 1, "A"),
	FC("{\"a\":\"1\",\"peer\":\"x y:z,{}[]\",\"b\":\"\"}", "peer", 1,
	    "x y:z,{}[]"),
	FC("{\"peer\":\"\"}", "peer", 1, ""),
	FC("{\"a\":\"}\"}", "a", 1, "}"),
	FC("{\"peer\":\"caf\xc3\xa9\"}", "peer", 1, "caf\xc3\xa9"),
	FC("{\"peer\":\"\x7f\xff\"}", "peer", 1, "\x7f\xff"),
	FC("{\"peer\":\"A\"}", "Peer", 0, NULL),
	FC("{}", "peer", 0, NULL),
	FC("{\"other\":\"peer\"}", "peer", 0, NULL),
	FC("{\"peerx\":\"A\",\"pee\":\"B\",\"\":\"C\"}", "peer", 0, NULL),
	FC("{\"a\":\"b\"}", NULL, 0, NULL),
	FC("{\"\":\"e\"}", "", 1, "e"),
	/* SQLite's to judge: */
	FC("{\"peer\":\"A\",\"peer\":\"B\"}", "peer", -1, NULL),
	FC("{\"peer\":\"A\\\"B\"}", "peer", -1, NULL),
	FC("{\"peer\":\"\\u0041\"}", "peer", -1, NULL),
	FC("{\"pe\\u0065r\":\"A\"}", "peer", -1, NULL),
	FC("{\"a\":\"\\\\\",\"peer\":\"A\"}", "peer", -1, NULL),
	FC("{\"peer\":5}", "peer", -1, NULL),
	FC("{\"peer\":-1.5e3}", "peer", -1, NULL),
	FC("{\"peer\":true}", "peer", -1, NULL),
	FC("{\"peer\":null}", "peer", -1, NULL),
	FC("{\"peer\":{\"x\":\"y\"}}", "peer", -1, NULL),
	FC("{\"peer\":[\"x\"]}", "peer", -1, NULL),
	FC("{\"a\":1,\"peer\":\"A\"}", "peer", -1, NULL),
	FC("{\"peer\": \"A\"}", "peer", -1, NULL),
	FC("{ \"peer\":\"A\"}", "peer", -1, NULL),
	FC(" {\"peer\":\"A\"}", "peer", -1, NULL),
	FC("{\"peer\":\"A\"} ", "peer", -1, NULL),
	FC("{\"peer\":\"A\"}\n", "peer", -1, NULL),
	FC("{\"peer\":\"A\",}", "peer", -1, NULL),
	FC("{,}", "peer", -1, NULL),
	FC("{\"peer\":\"A\"", "peer", -1, NULL),
	FC("{\"peer\":\"A}", "peer", -1, NULL),
	FC("{\"peer\"}", "peer", -1, NULL),
	FC("{\"peer\":}", "peer", -1, NULL),
	FC("{\"peer\":\"A\"}}", "peer", -1, NULL),
	FC("{\"peer\":\"A\"\"b\":\"c\"}", "peer", -1, NULL),
	FC("{\"peer\":\"tab\there\"}", "peer", -1, NULL),
	FC("{\"a\":\"x\ny\",\"peer\":\"A\"}", "peer", -1, NULL),
	FC("{\"peer\":\"A\"}", "pe\"er", -1, NULL),
	FC("{\"peer\":\"A\"}", "pe\\er", -1, NULL),
	FC("{\"p\xc3\xa9\":\"A\"}", "p\xc3\xa9", -1, NULL),
	FC("[\"peer\",\"A\"]", "peer", -1, NULL),
	FC("\"peer\"", "peer", -1, NULL),
	FC("", "peer", -1, NULL),
	FC("{", "peer", -1, NULL),
	FC("}", "peer", -1, NULL),
	FC("{'peer':'A'}", "peer", -1, NULL),
	{ "{\"peer\":\"A\0B\"}", 14, "peer", -1, NULL },
	{ "{\"peer\":\"A\"}\0", 13, "peer", -1, NULL },
};

/*
 * correlate_field_text reads the fields the store writes, and gives for
 * them what json_extract gives; what it leaves, SQLite answers.
 */
static void
test_field_text(void **state)
{
	const struct field_case *fc;
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *v;
	struct buf path;
	size_t i, len, vlen;
	int got, rc;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT json_extract(?1, ?2)",
	    -1, &st, NULL), SQLITE_OK);
	buf_init(&path);
	for (i = 0; i < sizeof field_cases / sizeof field_cases[0]; i++) {
		fc = &field_cases[i];
		len = fc->len ? fc->len : strlen(fc->fields);
		v = NULL;
		vlen = 0;
		got = correlate_field_text(fc->fields, len, fc->name,
		    fc->name != NULL ? strlen(fc->name) : 0, &v, &vlen);
		if (got != fc->want)
			fail_msg("case %zu %s: %d, want %d", i, fc->fields, got,
			    fc->want);
		if (got == 1 && (vlen != strlen(fc->value) ||
		    memcmp(v, fc->value, vlen) != 0))
			fail_msg("case %zu %s: value %.*s", i, fc->fields,
			    (int)vlen, v);
		if (got < 0)
			continue;
		/* what SQLite says, with the path the scans bind */
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, fc->fields, (int)len, SQLITE_STATIC);
		if (fc->name != NULL) {
			buf_reset(&path);
			buf_puts(&path, "$.\"");
			util_escape_json(&path, fc->name, strlen(fc->name));
			buf_putc(&path, '"');
			sqlite3_bind_text(st, 2, path.data, -1, SQLITE_STATIC);
		} else
			sqlite3_bind_null(st, 2);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			fail_msg("case %zu %s: SQLite: %s", i, fc->fields,
			    sqlite3_errmsg(db));
		if (got == 0) {
			assert_int_equal(sqlite3_column_type(st, 0),
			    SQLITE_NULL);
			continue;
		}
		assert_int_equal(sqlite3_column_type(st, 0), SQLITE_TEXT);
		assert_int_equal(sqlite3_column_bytes(st, 0), (int)vlen);
		assert_memory_equal(sqlite3_column_text(st, 0), v, vlen);
	}
	buf_free(&path);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The key of every storm, wait and link as json_extract (and lower) give it. */
static void
test_keys_as_sqlite(void **state)
{
	static const char *const ws[] = {
		"{\"peer\":\"A\"}", "{\"peer\": \"A\"}",
		"{\"peer\":\"\\u0041\"}",
		"{\"peer\":\"B\",\"peer\":\"C\"}",
		"{\"peer\":\"B\",\"peer\":\"C\"}",
		"{\"peer\":\"B\",\"peer\":\"C\"}",
		"{\"peer\":7}", "{\"peer\":7.0}", "{\"peer\":\"7\"}",
		"{\"x\":\"y\"}", "{\"peer\":null}", NULL,
	};
	struct db d;
	char *want, *got;
	size_t i;

	db_open(&d);
	for (i = 0; i < sizeof ws / sizeof ws[0]; i++)
		add(&d, R_WS, S(10 * (int64_t)i), ws[i]);
	/* ties: the rows of one time go in id order, whatever their hashes */
	for (i = 0; i < 6; i++) {
		char f[32];

		snprintf(f, sizeof f, "{\"peer\":\"T\",\"n\":\"%zu\"}", i);
		add(&d, R_WS, S(500), f);
	}
	/* subjects whose keys lower() folds, or not, and their targets */
	add(&d, R_LEAK, S(1000), "{\"scope\":\"Global\"}");
	add(&d, R_REC, S(1001), "{\"scope\":\"gLOBAL\"}");
	add(&d, R_LEAK, S(1000), "{\"scope\":\"\xc3\x89t\xc3\xa9 A\"}");
	add(&d, R_LEAK, S(1002), "{\"scope\": \"Spaced\"}");
	add(&d, R_REC, S(1003), "{\"scope\":\"spaced\"}");
	add(&d, R_LEAK, S(1004), "{\"scope\":42}");
	advance(&d, S(2000));
	run(&d);

	want = rows(&d, "SELECT coalesce(json_extract(fields, '$.peer'), ''),"
	    " min(ts),"
	    " max(ts), count(*), min(id), max(id) FROM events WHERE rule = 'ws'"
	    " GROUP BY 1 HAVING count(*) >= 3 ORDER BY 2, 1");
	got = rows(&d, "SELECT key, start, end, count,"
	    " json_extract(details, '$.first_event'),"
	    " json_extract(details, '$.last_event') FROM incidents"
	    " WHERE kind = 'storm' ORDER BY start, key");
	assert_string_equal(got, want);
	free(want);
	free(got);
	/* B (SQLite's choice of two), 7 as text, T: the storms expected */
	check_rows(&d, "SELECT count(*) FROM incidents WHERE kind = 'storm'",
	    "4\n");

	want = rows(&d, "SELECT lower(json_extract(fields, '$.scope')), ts"
	    " FROM events WHERE rule = 'leak' AND link IS NULL ORDER BY ts");
	got = rows(&d, "SELECT key, start FROM incidents WHERE kind != 'storm'"
	    " ORDER BY start");
	assert_string_equal(got, want);
	free(want);
	free(got);
	check_rows(&d, "SELECT count(*) FROM events WHERE rule = 'leak'"
	    " AND link IS NOT NULL", "2\n");
	db_close(&d);
}

static void
test_wants(void **state)
{
	struct db d;

	db_open(&d);
	assert_int_equal(correlate_wants(d.c, R_WS), 1);
	assert_int_equal(correlate_wants(d.c, R_REC), 1);
	assert_int_equal(correlate_wants(d.c, R_TIMEOUT), 1);
	assert_int_equal(correlate_wants(d.c, R_PERR), 1);
	assert_int_equal(correlate_wants(d.c, -1), 0);
	assert_int_equal(correlate_wants(d.c, R_COUNT), 0);
	db_close(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storms),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_follows),
		cmocka_unit_test(test_follows_sparse),
		cmocka_unit_test(test_follows_fields),
		cmocka_unit_test(test_follows_generated),
		cmocka_unit_test(test_follows_generated_notes),
		cmocka_unit_test(test_same_samples),
		cmocka_unit_test(test_same_ties),
		cmocka_unit_test(test_same_window),
		cmocka_unit_test(test_follows_any),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_incremental_commits),
		cmocka_unit_test(test_incremental_commits_notes),
		cmocka_unit_test(test_new_source),
		cmocka_unit_test(test_new_source_notes),
		cmocka_unit_test(test_same_new_source),
		cmocka_unit_test(test_incremental_generated),
		cmocka_unit_test(test_incremental_generated_notes),
		cmocka_unit_test(test_notes_feed),
		cmocka_unit_test(test_rebuild),
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_field_text),
		cmocka_unit_test(test_keys_as_sqlite),
	};

	return cmocka_run_group_tests(tests, setup_rules, NULL);
}
