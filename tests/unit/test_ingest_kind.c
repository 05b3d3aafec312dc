/*
 * test_ingest_kind.c - the kind an ingest stores for a source an envelope
 * names: that of the envelope of the record's first line, when one input
 * mixes envelopes and a record is still pending as lines of another
 * envelope are read.
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

/* The kind stored for source name, or "" when there is no such source. */
static char *
source_kind(struct store *st, const char *name)
{
	sqlite3_stmt *q;
	char *kind;

	assert_int_equal(sqlite3_prepare_v2(store_db(st),
	    "SELECT kind FROM sources WHERE name = ?1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	kind = xstrdup(sqlite3_step(q) == SQLITE_ROW ?
	    (const char *)sqlite3_column_text(q, 0) : "");
	sqlite3_finalize(q);
	return kind;
}

static void
ingest_text(struct store *st, const char *text)
{
	struct diag_list diags = { 0 };
	struct ruleset *rs;
	struct ingest_opts opts;
	struct store_ingest_counts c;
	struct ingest *in;
	char err[256];

	rs = ruleset_load(NULL, 0, &diags);
	assert_non_null(rs);
	assert_int_equal(diags.n, 0);
	memset(&opts, 0, sizeof opts);
	opts.format = ENVELOPE_AUTO;
	opts.final = 1;
	in = ingest_new(st, rs, &opts, err, sizeof err);
	assert_non_null(in);
	assert_int_equal(ingest_buffer(in, "mixed.log", text, strlen(text), &c,
	    err, sizeof err), 0);
	ingest_free(in);
	ruleset_free(rs);
	diag_list_free(&diags);
}

/*
 * A compose traceback is pending when journald entries follow; it is
 * stored at the end of the input, the last line read being journald's.
 */
static void
test_pending_record_keeps_kind(void **state)
{
	char err[256];
	struct store *st;
	char *k;

	st = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(st);
	ingest_text(st,
	    "web  | Traceback (most recent call last):\n"
	    "{\"_SYSTEMD_UNIT\":\"nginx.service\",\"MESSAGE\":\"started\"}\n"
	    "db  | ready\n"
	    "{\"CONTAINER_NAME\":\"api\",\"MESSAGE\":\"Traceback (most recent call last):\"}\n"
	    "cache  | up\n");
	k = source_kind(st, "web");
	assert_string_equal(k, "compose");
	free(k);
	k = source_kind(st, "nginx.service");
	assert_string_equal(k, "journald");
	free(k);
	k = source_kind(st, "db");
	assert_string_equal(k, "compose");
	free(k);
	k = source_kind(st, "api");
	assert_string_equal(k, "journald");
	free(k);
	k = source_kind(st, "cache");
	assert_string_equal(k, "compose");
	free(k);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_record_keeps_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
