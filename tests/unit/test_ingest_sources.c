/*
 * test_ingest_sources.c - the sources one input's lines may name: past
 * INGEST_SOURCES_MAX of them the records of a new name are the input's
 * "NAME (other sources)"; names met before keep their sources, the
 * input's own source and --source are no names of its lines, and each
 * input of an ingest has its own count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest.h"
#include "rules.h"
#include "store.h"
#include "util.h"

struct fixture {
	struct store	*st;
	struct ruleset	*rs;
	struct ingest	*in;
	struct buf	 text;
};

static int
setup_with(void **state, const char *source)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct diag_list diags = { 0 };
	struct ingest_opts opts;
	char err[256];

	f->st = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(f->st);
	f->rs = ruleset_load(NULL, 0, &diags);
	assert_non_null(f->rs);
	assert_int_equal(diags.n, 0);
	diag_list_free(&diags);
	memset(&opts, 0, sizeof opts);
	opts.format = ENVELOPE_AUTO;
	opts.final = 1;
	opts.source = source;
	f->in = ingest_new(f->st, f->rs, &opts, err, sizeof err);
	assert_non_null(f->in);
	buf_init(&f->text);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_with(state, NULL);
}

static int
setup_named(void **state)
{
	return setup_with(state, "api");
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	ingest_free(f->in);
	ruleset_free(f->rs);
	store_close(f->st);
	buf_free(&f->text);
	free(f);
	return 0;
}

/*
 * Compose lines of services PREFIX<first>..PREFIX<last>, one each, each
 * stamped: a record of its own, not a line of its service's record before.
 */
static void
names(struct fixture *f, const char *prefix, int first, int last)
{
	int i;

	for (i = first; i <= last; i++)
		buf_printf(&f->text, "%s%d  | 2025-10-25T23:00:00Z ready %d\n",
		    prefix, i, i);
}

/* Ingest the text built as input name, and start the next one. */
static void
ingest(struct fixture *f, const char *name)
{
	struct store_ingest_counts c;
	char err[256];

	assert_int_equal(ingest_buffer(f->in, name, f->text.data, f->text.len,
	    &c, err, sizeof err), 0);
	buf_reset(&f->text);
}

static int64_t
query(struct fixture *f, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), sql, -1, &q,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/*
 * Three names past the cap, then 300 names met before (each its own
 * source still), then one of the three again: four records of the other
 * sources.  (The 300 let the multiline finish the first record of that
 * name before the second comes: it keeps the last 256 names' pending.)
 */
static void
test_names_past_the_cap(void **state)
{
	struct fixture *f = *state;
	const struct ingest_overflow *o;

	names(f, "svc", 1, INGEST_SOURCES_MAX + 3);
	names(f, "svc", 1, 300);
	names(f, "svc", INGEST_SOURCES_MAX + 1, INGEST_SOURCES_MAX + 1);
	ingest(f, "a.log");
	o = ingest_overflow(f->in);
	assert_non_null(o);
	assert_string_equal(o->source, "a.log (other sources)");
	assert_int_equal(o->records, 4);
	assert_int_equal(query(f, "SELECT count(*) FROM sources"),
	    INGEST_SOURCES_MAX + 1);
	assert_int_equal(query(f, "SELECT count(*) FROM sources WHERE"
	    " name = 'a.log (other sources)' AND kind = 'compose'"), 1);
	assert_int_equal(query(f, "SELECT count(*) FROM events_all e JOIN"
	    " sources s ON s.id = e.source_id WHERE s.name = 'svc300'"), 0);
	assert_int_equal(query(f, "SELECT sum(v.records) FROM volume v JOIN"
	    " sources s ON s.id = v.source_id WHERE s.name = 'svc300'"), 2);
	assert_int_equal(query(f, "SELECT sum(v.records) FROM volume v JOIN"
	    " sources s ON s.id = v.source_id WHERE"
	    " s.name = 'a.log (other sources)'"), 4);
}

/* The count is the input's: a next input names as many again. */
static void
test_each_input_its_own_count(void **state)
{
	struct fixture *f = *state;
	const struct ingest_overflow *o;

	names(f, "a", 1, INGEST_SOURCES_MAX + 1);
	ingest(f, "a.log");
	assert_non_null(ingest_overflow(f->in));
	names(f, "b", 1, INGEST_SOURCES_MAX);
	ingest(f, "b.log");
	assert_null(ingest_overflow(f->in));
	names(f, "c", 1, INGEST_SOURCES_MAX + 2);
	ingest(f, "c.log");
	o = ingest_overflow(f->in);
	assert_non_null(o);
	assert_string_equal(o->source, "c.log (other sources)");
	assert_int_equal(o->records, 2);
	assert_int_equal(query(f, "SELECT count(*) FROM sources"),
	    3 * INGEST_SOURCES_MAX + 2);
}

/* Lines that name no source are the input's own, which is no name of them. */
static void
test_own_source_not_counted(void **state)
{
	struct fixture *f = *state;

	buf_puts(&f->text, "starting\n");
	names(f, "svc", 1, INGEST_SOURCES_MAX);
	buf_puts(&f->text, "stopping\n");
	ingest(f, "a.log");
	assert_null(ingest_overflow(f->in));
	assert_int_equal(query(f, "SELECT count(*) FROM sources"),
	    INGEST_SOURCES_MAX + 1);
}

/* --source names every record's source: the lines name none. */
static void
test_source_option(void **state)
{
	struct fixture *f = *state;

	names(f, "svc", 1, INGEST_SOURCES_MAX + 1);
	ingest(f, "a.log");
	assert_null(ingest_overflow(f->in));
	assert_int_equal(query(f, "SELECT count(*) FROM sources"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names_past_the_cap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_each_input_its_own_count,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_source_not_counted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_option, setup_named,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
