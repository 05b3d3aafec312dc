/*
 * test_context.c - the context of events: stream blocks shared between
 * neighbouring events and cut where they are too far apart, compressed
 * where that pays, read back with before/after bounds; files read again
 * around an offset, plain and gzip, and a moved, shortened or rewritten
 * file said so; the ids store_insert_events hands back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "context.h"
#include "store.h"
#include "util.h"

static char tmpdir[64];

static int64_t
one_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Store an event for line (rule "r", source 1); returns its id. */
static int64_t
add_event(struct store *s, uint64_t line, const char *text)
{
	struct store_event ev;
	unsigned char added;
	size_t nadded;
	int64_t id;
	char err[256];

	memset(&ev, 0, sizeof ev);
	ev.source_id = 1;
	ev.rule = "r";
	ev.ts = (int64_t)line * 1000;
	ev.hash = line;
	ev.line = ev.line_end = line;
	ev.text = text;
	ev.text_len = strlen(text);
	assert_int_equal(store_insert_events(s, &ev, 1, &added, &nadded, &id,
	    err, sizeof err), 0);
	assert_int_equal(nadded, 1);
	return id;
}

/* The lines of c as "N-text" / "N:text", joined by '|'. */
static char *
show(const struct context *c)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < c->n; i++)
		buf_printf(&b, "%s%llu%c%s", i ? "|" : "",
		    (unsigned long long)c->lines[i].lineno,
		    c->lines[i].own ? ':' : '-', c->lines[i].text);
	buf_putc(&b, '\0');
	return b.data;
}

static void
expect(struct store *s, int64_t id, int before, int after, const char *want,
    const char *why)
{
	struct context c;
	char err[256], *got;

	assert_int_equal(context_read(s, id, before, after, &c, err,
	    sizeof err), 0);
	got = show(&c);
	assert_string_equal(got, want);
	assert_string_equal(c.why, why);
	free(got);
	context_free(&c);
}

static void
test_stream_blocks(void **state)
{
	struct store *s;
	struct context_stream *cs = context_stream_new(3);
	struct context_writer *cw;
	struct context_pack p;
	size_t blk[3];
	int64_t ids[3], ev[3];
	char err[256], text[32];
	struct context_key key;
	uint64_t line;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	cw = context_writer_new(s);
	context_pack_init(&p);
	/* events on records 5 and 7 (one block), then 20 (a block of its own) */
	for (line = 1; line <= 22; line++) {
		snprintf(text, sizeof text, "rec %llu", (unsigned long long)line);
		if (line == 5)
			blk[0] = context_stream_want(cs, &p);
		if (line == 7) {
			blk[1] = context_stream_want(cs, &p);
			/* a second event on one record asks again */
			assert_int_equal(context_stream_want(cs, &p), blk[1]);
		}
		if (line == 20)
			blk[2] = context_stream_want(cs, &p);
		context_stream_push(cs, &p, text, strlen(text), line, line);
	}
	assert_int_equal(p.n, 2);
	assert_int_equal(blk[0], 0);
	assert_int_equal(blk[1], 0);
	assert_int_equal(blk[2], 1);
	assert_int_equal(context_write_block(cw, 1, &p, 0, &ids[0], err,
	    sizeof err), 0);
	assert_int_equal(context_write_block(cw, 1, &p, 1, &ids[1], err,
	    sizeof err), 0);
	ev[0] = add_event(s, 5, "rec 5");
	ev[1] = add_event(s, 7, "rec 7");
	ev[2] = add_event(s, 20, "rec 20");
	memset(&key, 0, sizeof key);
	assert_int_equal(context_write_event(cw, ev[0], &key, 1, 0, ids[0], err,
	    sizeof err), 0);
	assert_int_equal(context_write_event(cw, ev[1], &key, 1, 0, ids[0], err,
	    sizeof err), 0);
	/* an id not known is looked up by the event's key */
	key.rule = "r";
	key.source_id = 1;
	key.ts = 20000;
	key.hash = 20;
	assert_int_equal(context_write_event(cw, -1, &key, 1, 0, ids[1], err,
	    sizeof err), 0);
	assert_int_equal(context_flush(cw, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_context"), 3);

	expect(s, ev[0], 3, 3, "2-rec 2|3-rec 3|4-rec 4|5:rec 5|6-rec 6|7-rec 7",
	    "");
	expect(s, ev[1], 2, 5, "5-rec 5|6-rec 6|7:rec 7", "");
	expect(s, ev[0], 1, 1, "4-rec 4|5:rec 5|6-rec 6", "");
	expect(s, ev[2], 9, 9, "17-rec 17|18-rec 18|19-rec 19|20:rec 20", "");
	expect(s, ev[2], 0, 0, "20:rec 20", "");
	/* the two blocks: records 2..7 and 17..20 */
	assert_int_equal(one_int(s, "SELECT count(*) FROM context_blocks"), 2);
	context_pack_free(&p);
	context_stream_free(cs);
	context_writer_free(cw);
	store_close(s);
}

static void
test_stream_compressed(void **state)
{
	struct store *s;
	struct context_stream *cs = context_stream_new(CONTEXT_MAX + 50);
	struct context_writer *cw;
	struct context_pack p;
	int64_t ids[2], ev;
	char err[256], text[128];
	struct context_key key;
	uint64_t line;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	cw = context_writer_new(s);
	context_pack_init(&p);
	for (line = 1; line <= 300; line++) {
		snprintf(text, sizeof text, "2025-10-25 23:31:%02llu INFO worker:"
		    " job %llu done", (unsigned long long)line % 60,
		    (unsigned long long)line);
		if (line == 300)
			context_stream_want(cs, &p);
		context_stream_push(cs, &p, text, strlen(text), line, line);
	}
	context_stream_close(cs);
	/* kept: at most CONTEXT_MAX before it, and itself */
	assert_int_equal(p.n, 1);
	assert_int_equal(context_write_block(cw, 1, &p, 0, &ids[0], err,
	    sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT zlib FROM context_blocks"), 1);
	assert_true(one_int(s, "SELECT length(data) * 4 < raw_len FROM"
	    " context_blocks") == 1);
	ev = add_event(s, 300, "x");
	memset(&key, 0, sizeof key);
	assert_int_equal(context_write_event(cw, ev, &key, 1, 0, ids[0], err,
	    sizeof err), 0);
	assert_int_equal(context_flush(cw, err, sizeof err), 0);
	expect(s, ev, 1, 1, "299-2025-10-25 23:31:59 INFO worker: job 299 done|"
	    "300:2025-10-25 23:31:00 INFO worker: job 300 done", "");
	{
		struct context c;

		assert_int_equal(context_read(s, ev, 1000, 0, &c, err,
		    sizeof err), 0);
		assert_int_equal(c.n, CONTEXT_MAX + 1);
		assert_int_equal(c.lines[0].lineno, 300 - CONTEXT_MAX);
		context_free(&c);
	}
	context_pack_free(&p);
	context_stream_free(cs);
	context_writer_free(cw);
	store_close(s);
}

/*
 * Packs large enough to be deflated ahead, three in a row through one
 * writer: whether the thread had deflated a block when it was stored or
 * not (then it goes as it is), every event reads back its own records.
 */
static void
test_stream_ahead(void **state)
{
	struct store *s;
	struct context_stream *cs = context_stream_new(4);
	struct context_writer *cw;
	struct context_pack p;
	struct context_key key;
	struct buf want;
	int64_t ev[300], block;
	size_t blk, i, packed = 0;
	char err[256], text[128];
	uint64_t line = 0, k;
	int round;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	cw = context_writer_new(s);
	context_pack_init(&p);
	memset(&key, 0, sizeof key);
	for (round = 0; round < 3; round++) {
		/* an event on every tenth record: a block of five records each */
		for (i = 0; i < 300; i++) {
			for (k = 0; k < 10; k++) {
				line++;
				snprintf(text, sizeof text, "2025-10-25 23:31:%02llu"
				    " INFO worker: job %llu done after %llu ms",
				    (unsigned long long)line % 60,
				    (unsigned long long)line,
				    (unsigned long long)(line * 7919 % 1000));
				if (k == 9) {
					blk = context_stream_want(cs, &p);
					assert_int_equal(blk, i);
				}
				context_stream_push(cs, &p, text, strlen(text),
				    line, line);
			}
		}
		context_stream_close(cs);
		assert_int_equal(p.n, 300);
		assert_true(p.data.len >= 64 * 1024);
		packed += p.data.len;
		context_writer_ahead(cw, &p);
		for (i = 0; i < 300; i++) {
			assert_int_equal(context_write_block(cw, 1, &p, i, &block,
			    err, sizeof err), 0);
			ev[i] = add_event(s, line - 2990 + 10 * i, "x");
			assert_int_equal(context_write_event(cw, ev[i], &key, 1,
			    0, block, err, sizeof err), 0);
		}
		assert_int_equal(context_flush(cw, err, sizeof err), 0);
		context_writer_settle(cw);
		context_pack_clear(&p);
		for (i = 0; i < 300; i++) {
			buf_init(&want);
			for (k = line - 2994 + 10 * i; k <= line - 2990 + 10 * i;
			    k++)
				buf_printf(&want, "%s%llu%c2025-10-25 23:31:%02llu"
				    " INFO worker: job %llu done after %llu ms",
				    k == line - 2994 + 10 * i ? "" : "|",
				    (unsigned long long)k,
				    k == line - 2990 + 10 * i ? ':' : '-',
				    (unsigned long long)k % 60,
				    (unsigned long long)k,
				    (unsigned long long)(k * 7919 % 1000));
			buf_putc(&want, '\0');
			expect(s, ev[i], 4, 0, want.data, "");
			buf_free(&want);
		}
	}
	assert_int_equal(one_int(s, "SELECT count(*) FROM context_blocks"), 900);
	assert_int_equal(one_int(s, "SELECT count(*) FROM context_blocks"
	    " WHERE zlib NOT IN (0, 1)"), 0);
	assert_int_equal(one_int(s, "SELECT sum(raw_len) FROM context_blocks"),
	    (int64_t)packed);
	assert_true(context_writer_cpu(cw) >= 0);
	context_pack_free(&p);
	context_stream_free(cs);
	context_writer_free(cw);
	store_close(s);
}

static const char file_text[] =
    "one\ntwo\nthree\nfour\nfive\nsix\nseven\n";

static char *
write_file(const char *name, const char *text, int gz)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f;
	gzFile g;

	if (gz) {
		g = gzopen(path, "wb");
		assert_non_null(g);
		assert_int_equal(gzputs(g, text), (int)strlen(text));
		gzclose(g);
	} else {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* An event on line 4 ("four", at byte 14) of path read as ingest 1. */
static int64_t
file_event(struct store *s, struct context_writer *cw, const char *path)
{
	struct context_key key;
	char err[256];
	int64_t id;

	assert_int_equal(context_file_note(cw, 1, path, err, sizeof err), 0);
	id = add_event(s, 4, "four");
	memset(&key, 0, sizeof key);
	assert_int_equal(context_write_event(cw, id, &key, 1, 14, -1, err,
	    sizeof err), 0);
	assert_int_equal(context_flush(cw, err, sizeof err), 0);
	return id;
}

static void
test_file(void **state)
{
	struct store *s;
	struct context_writer *cw;
	char err[256], *path, *want;
	int64_t id;
	FILE *f;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	cw = context_writer_new(s);
	path = write_file("a.log", file_text, 0);
	id = file_event(s, cw, path);
	expect(s, id, 2, 2, "2-two|3-three|4:four|5-five|6-six", "");
	expect(s, id, 9, 1, "1-one|2-two|3-three|4:four|5-five", "");
	expect(s, id, 0, 9, "4:four|5-five|6-six|7-seven", "");
	expect(s, id, 0, 0, "4:four", "");

	/* appended to: still read */
	f = fopen(path, "a");
	fputs("eight\n", f);
	fclose(f);
	expect(s, id, 1, 9, "3-three|4:four|5-five|6-six|7-seven|8-eight", "");

	/* rewritten shorter */
	free(write_file("a.log", "one\ntwo\n", 0));
	want = xasprintf("context not available: the file has changed since it"
	    " was read (%s is shorter)", path);
	expect(s, id, 2, 2, "4:four", want);
	free(want);

	/* moved away */
	assert_int_equal(unlink(path), 0);
	want = xasprintf("context not available: the file has moved (%s is"
	    " gone)", path);
	expect(s, id, 2, 2, "4:four", want);
	free(want);
	free(path);
	context_writer_free(cw);
	store_close(s);
}

static void
test_file_gzip(void **state)
{
	struct store *s;
	struct context_writer *cw;
	char err[256], *path;
	int64_t id;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	cw = context_writer_new(s);
	path = write_file("a.log.gz", file_text, 1);
	id = file_event(s, cw, path);
	expect(s, id, 2, 1, "2-two|3-three|4:four|5-five", "");
	expect(s, id, 5, 5, "1-one|2-two|3-three|4:four|5-five|6-six|7-seven", "");
	unlink(path);
	free(path);
	context_writer_free(cw);
	store_close(s);
}

/*
 * Rows wait and go several to a statement: every one is stored as written
 * one by one would store it, the first of an event written twice kept,
 * however many wait when the flush comes.
 */
static void
test_event_rows(void **state)
{
	struct store *s;
	struct context_writer *cw;
	struct context_key key;
	char err[256], text[32];
	int64_t id[40];
	int i, n;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	cw = context_writer_new(s);
	memset(&key, 0, sizeof key);
	for (i = 0; i < 40; i++) {
		snprintf(text, sizeof text, "rec %d", i);
		id[i] = add_event(s, (uint64_t)i + 1, text);
	}
	/* 16 + 16 + 4 + 3 rows, the last a repeat of the first event */
	for (n = 0; n < 38; n++)
		assert_int_equal(context_write_event(cw, id[n], &key, 1,
		    (uint64_t)n * 10, n % 3 == 0 ? n : -1, err, sizeof err), 0);
	assert_int_equal(context_write_event(cw, id[0], &key, 2, 7, -1, err,
	    sizeof err), 0);
	assert_int_equal(context_flush(cw, err, sizeof err), 0);
	assert_int_equal(context_flush(cw, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_context"), 38);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_context"
	    " WHERE ingest = 1 AND (block IS NULL) = (offset IS NOT NULL)"), 38);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_context c"
	    " JOIN events e ON e.id = c.event_id WHERE c.block IS NOT NULL"
	    " AND c.block = e.line - 1 AND (e.line - 1) % 3 = 0"), 13);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_context c"
	    " JOIN events e ON e.id = c.event_id WHERE c.offset IS NOT NULL"
	    " AND c.offset = (e.line - 1) * 10 AND (e.line - 1) % 3 != 0"), 25);
	context_writer_free(cw);
	store_close(s);
}

static void
test_no_context(void **state)
{
	struct store *s;
	char err[256];
	int64_t id;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	id = add_event(s, 3, "a\nb");
	/* the rule is not known: severity 0, below warning */
	expect(s, id, 2, 2, "3:a|4:b", "context not available: none is kept"
	    " for events below warning severity");
	expect(s, 99, 2, 2, "", "context not available: event 99 is not stored");
	store_close(s);
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_context.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_blocks),
		cmocka_unit_test(test_stream_compressed),
		cmocka_unit_test(test_stream_ahead),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_gzip),
		cmocka_unit_test(test_event_rows),
		cmocka_unit_test(test_no_context),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
