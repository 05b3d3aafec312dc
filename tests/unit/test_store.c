/*
 * test_store.c - the SQLite store: creation, schema version, events and
 * their duplicate key, checkpoints behind the writer, new databases built
 * unseen, volume, resume points and read-only opening.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "util.h"

static char tmpdir[64];

static int64_t
one_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *
db_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
test_create_nested(void **state)
{
	char err[256], *path = db_path("a/b/c/x.db");
	struct store *s;

	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(one_int(s, "SELECT count(*) FROM sqlite_master WHERE name = 'events'"), 1);
	/* the page size is chosen before WAL, or it would not take */
	assert_int_equal(one_int(s, "PRAGMA page_size"), 8192);
	/*
	 * created without fsyncs, and its first commit too (it starts the
	 * WAL); what follows is written as ever (NORMAL)
	 */
	assert_int_equal(one_int(s, "PRAGMA synchronous"), 0);
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	assert_int_equal(store_commit(s, err, sizeof err), 0);
	assert_int_equal(one_int(s, "PRAGMA synchronous"), 1);
	store_close(s);
	assert_int_equal(access(path, F_OK), 0);
	/* an existing database is opened the same way */
	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "PRAGMA synchronous"), 1);
	assert_int_equal(one_int(s, "PRAGMA page_size"), 8192);
	store_close(s);

	/* Reopen read-only: same schema, journal mode stays WAL. */
	s = store_open(path, STORE_READONLY, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(s);
	free(path);
}

/* Every row of a query, one line each, fields separated by '|'. */
static char *
all_rows(struct store *s, const char *sql)
{
	struct buf b;
	sqlite3_stmt *st;
	int i;

	buf_init(&b);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++)
			buf_printf(&b, "%s%s", i > 0 ? "|" : "",
			    (const char *)sqlite3_column_text(st, i));
		buf_putc(&b, '\n');
	}
	sqlite3_finalize(st);
	return b.data;
}

/*
 * A new database is written from the image of an empty one; where the
 * path exists already (an empty file here) SQLite makes it from
 * schema.sql.  Both hold the same.
 */
static void
test_image_same_as_schema(void **state)
{
	static const char *const probes[] = {
		"SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
		"SELECT * FROM meta ORDER BY key",
		"PRAGMA user_version", "PRAGMA page_size", "PRAGMA journal_mode",
		"PRAGMA integrity_check",
	};
	char err[256], *imaged = db_path("imaged.db"), *made = db_path("made.db");
	char *a, *b;
	struct store *si, *sm;
	struct stat sb;
	mode_t mask;
	size_t i;
	FILE *f;

	assert_non_null(f = fopen(made, "w"));
	fclose(f);
	assert_non_null(si = store_open(imaged, STORE_CREATE, err, sizeof err));
	assert_non_null(sm = store_open(made, STORE_CREATE, err, sizeof err));
	for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		a = all_rows(si, probes[i]);
		b = all_rows(sm, probes[i]);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	store_close(si);
	store_close(sm);
	/* the mode SQLite gives a database it creates */
	mask = umask(0);
	umask(mask);
	assert_int_equal(stat(imaged, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644 & ~mask);
	free(imaged);
	free(made);
}

static void
test_readonly_missing(void **state)
{
	char err[256], *path = db_path("missing.db"), *want;

	assert_null(store_open(path, STORE_READONLY, err, sizeof err));
	want = xasprintf("no database at %s (run logtriage ingest first)", path);
	assert_string_equal(err, want);
	assert_int_not_equal(access(path, F_OK), 0);
	free(want);
	free(path);
}

static void
test_newer_version_refused(void **state)
{
	char err[256], *path = db_path("new.db");
	struct store *s;

	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA user_version = 99",
	    NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
	assert_null(store_open(path, STORE_CREATE, err, sizeof err));
	assert_non_null(strstr(err, "schema version 99 is newer"));
	free(path);
}

static void
test_default_path(void **state)
{
	char *p;

	p = store_default_path("/x/cli.db");
	assert_string_equal(p, "/x/cli.db");
	free(p);
	setenv("LOGTRIAGE_DB", "/x/env.db", 1);
	p = store_default_path(NULL);
	assert_string_equal(p, "/x/env.db");
	free(p);
	unsetenv("LOGTRIAGE_DB");
	setenv("XDG_STATE_HOME", "/x/state", 1);
	p = store_default_path(NULL);
	assert_string_equal(p, "/x/state/logtriage/logtriage.db");
	free(p);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/u", 1);
	p = store_default_path(NULL);
	assert_string_equal(p, "/home/u/.local/state/logtriage/logtriage.db");
	free(p);
}

/* Store one event; 1 if it was new.  Its added flag agrees. */
static size_t
insert_one(struct store *s, const struct store_event *ev)
{
	char err[256];
	unsigned char added = 7;
	size_t nadded;

	assert_int_equal(store_insert_events(s, ev, 1, &added, &nadded, NULL, err,
	    sizeof err), 0);
	assert_int_equal(added, nadded);
	return nadded;
}

static void
fill_event(struct store_event *ev, int64_t src, int ordinal)
{
	memset(ev, 0, sizeof *ev);
	ev->source_id = src;
	ev->rule = "retry";
	ev->ts = 1761435071000;
	ev->text = "Retrying request to /chat/completions in 0.5 seconds";
	ev->text_len = strlen(ev->text);
	ev->hash = util_hash64(ev->text, ev->text_len, UTIL_HASH_SEED);
	ev->ordinal = ordinal;
	ev->line = ev->line_end = 3;
	ev->fields_json = "{\"delay_s\":\"0.5\"}";
}

/*
 * Many events at once: a call's events go as one statement.  Storing them
 * again adds none; a call with new and old rows adds exactly the new
 * ones, says which they are and numbers them in order.
 */
static void
test_events_many(void **state)
{
	char err[256];
	struct store *s;
	struct store_event ev[40];
	unsigned char added[40];
	int64_t ids[40];
	size_t i, nadded;
	int64_t a;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	a = store_source_id(s, "daemon", "file", NULL, err, sizeof err);
	for (i = 0; i < 40; i++) {
		fill_event(&ev[i], a, (int)i);
		ev[i].ts += (int64_t)(i / 3);
		ev[i].line = ev[i].line_end = i + 1;
	}
	ev[7].has_value = 1;
	ev[7].value = 2.5;
	ev[39].grp = "glm-4.6";
	ev[39].grp_len = 7;
	ev[39].fields_json = NULL;

	/* the last 20 first, all new */
	assert_int_equal(store_insert_events(s, ev + 20, 20, added, &nadded,
	    NULL, err, sizeof err), 0);
	assert_int_equal(nadded, 20);
	for (i = 0; i < 20; i++)
		assert_int_equal(added[i], 1);

	memset(added, 7, sizeof added);
	assert_int_equal(store_insert_events(s, ev, 40, added, &nadded, ids,
	    err, sizeof err), 0);
	assert_int_equal(nadded, 20);
	/* rows 0-19 new, 20-39 old */
	for (i = 0; i < 20; i++) {
		assert_int_equal(added[i], 1);
		assert_int_equal(ids[i], 21 + (int64_t)i);
	}
	for (i = 20; i < 40; i++) {
		assert_int_equal(added[i], 0);
		assert_int_equal(ids[i], 0);
	}

	assert_int_equal(store_insert_events(s, ev, 40, added, &nadded, NULL, err,
	    sizeof err), 0);
	assert_int_equal(nadded, 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(added[i], 0);
	assert_int_equal(store_commit(s, err, sizeof err), 0);

	assert_int_equal(one_int(s, "SELECT count(*) FROM events"), 40);
	assert_int_equal(one_int(s, "SELECT sum(line) FROM events"), 820);
	assert_int_equal(one_int(s, "SELECT count(DISTINCT ts) FROM events"), 14);
	assert_int_equal(one_int(s, "SELECT CAST(value * 10 AS INTEGER) FROM events WHERE line = 8"), 25);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events WHERE grp = 'glm-4.6' AND fields IS NULL AND line = 40"), 1);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events WHERE fields = '{\"delay_s\":\"0.5\"}'"), 39);
	store_close(s);
}

/* Rows of event_minutes that differ from counting the events themselves. */
static int64_t
minutes_wrong(struct store *s)
{
	return one_int(s, "SELECT (SELECT count(*) FROM (SELECT rule, source_id,"
	    " ts / 60000 - (ts % 60000 < 0) AS m, count(*) AS c FROM events"
	    " WHERE ts IS NOT NULL GROUP BY 1, 2, 3) x WHERE NOT EXISTS"
	    " (SELECT 1 FROM event_minutes e WHERE e.rule = x.rule AND"
	    " e.source_id = x.source_id AND e.minute = x.m AND e.n = x.c))"
	    " + (SELECT count(*) FROM event_minutes e WHERE NOT EXISTS"
	    " (SELECT 1 FROM events v WHERE v.rule = e.rule AND"
	    " v.source_id = e.source_id AND v.ts >= e.minute * 60000 AND"
	    " v.ts < e.minute * 60000 + 60000))");
}

/*
 * event_minutes follows the events exactly: rows a statement adds in
 * full, rows of a statement that ignored some (read back by id), one
 * statement outside a transaction, none from a rolled-back one, none
 * for untimed events, minutes before 1970 rounded down, and events
 * taken away by whoever deletes them.
 */
static void
test_event_minutes(void **state)
{
	char err[256];
	struct store *s;
	struct store_event ev[40];
	unsigned char added[40];
	size_t i, nadded;
	int64_t a, b;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	a = store_source_id(s, "daemon", "file", NULL, err, sizeof err);
	b = store_source_id(s, "web", "file", NULL, err, sizeof err);
	for (i = 0; i < 40; i++) {
		fill_event(&ev[i], i % 2 ? a : b, (int)i);
		ev[i].ts += (int64_t)i * 20000;
		if (i % 5 == 0)
			ev[i].rule = "timeout";
	}
	ev[3].ts = TS_NONE;
	ev[4].ts = -1;
	ev[6].ts = -60001;

	/* outside a transaction: counted as each statement ends */
	assert_int_equal(store_insert_events(s, ev + 20, 20, added, &nadded,
	    NULL, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT sum(n) FROM event_minutes"), 20);
	assert_int_equal(minutes_wrong(s), 0);

	/* rolled back: neither the events nor their minutes */
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	assert_int_equal(store_insert_events(s, ev, 20, added, &nadded, NULL,
	    err, sizeof err), 0);
	store_rollback(s);
	assert_int_equal(one_int(s, "SELECT sum(n) FROM event_minutes"), 20);

	/* a call of new and old rows: the new ones only */
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	assert_int_equal(store_insert_events(s, ev, 40, added, &nadded, NULL,
	    err, sizeof err), 0);
	assert_int_equal(nadded, 20);
	assert_int_equal(store_commit(s, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events"), 40);
	assert_int_equal(one_int(s, "SELECT sum(n) FROM event_minutes"), 39);
	assert_int_equal(one_int(s, "SELECT n FROM event_minutes WHERE minute = -1"), 1);
	assert_int_equal(one_int(s, "SELECT n FROM event_minutes WHERE minute = -2"), 1);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_minutes WHERE rule = 'timeout'"), 8);
	assert_int_equal(minutes_wrong(s), 0);

	/* a deletion said to the store: the minutes follow, empty ones go */
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	assert_int_equal(sqlite3_exec(store_db(s), "DELETE FROM events WHERE"
	    " ts < 1761435071000 + 200000 AND ts IS NOT NULL", NULL, NULL,
	    NULL), SQLITE_OK);
	for (i = 0; i < 40; i++)
		if (ev[i].ts != TS_NONE && ev[i].ts < 1761435071000 + 200000)
			store_minutes_note(s, ev[i].rule, ev[i].source_id,
			    ev[i].ts, -1);
	assert_int_equal(store_commit(s, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT sum(n) FROM event_minutes"), 30);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_minutes WHERE n <= 0"), 0);
	assert_int_equal(minutes_wrong(s), 0);
	store_close(s);
}

/*
 * With checkpoints behind, 80 MiB of events in 160 commits: the WAL never
 * grows past the bound where the committing thread checkpoints itself
 * (4000 frames of 8 KiB, plus one commit), pages reach the database file
 * while it is open, and every event is there after close.
 */
static void
test_checkpoint_behind(void **state)
{
	char err[256], *path = db_path("ckpt.db"), *wal = db_path("ckpt.db-wal");
	static char text[1024];
	struct store *s;
	struct store_event ev;
	struct stat sb;
	off_t maxwal = 0;
	uint64_t done;
	double cpu;
	int i, j;

	memset(text, 'x', sizeof text);
	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_checkpoint_behind(s, err, sizeof err), 0);
	for (i = 0; i < 160; i++) {
		assert_int_equal(store_begin(s, err, sizeof err), 0);
		for (j = 0; j < 512; j++) {
			fill_event(&ev, 1, 0);
			ev.ts = 1761435071000 + i * 512 + j;
			ev.text = text;
			ev.text_len = sizeof text;
			assert_int_equal(insert_one(s, &ev), 1);
		}
		assert_int_equal(store_commit(s, err, sizeof err), 0);
		if (stat(wal, &sb) == 0 && sb.st_size > maxwal)
			maxwal = sb.st_size;
	}
	store_checkpoints_behind(s, &done, &cpu);
	assert_true(done > 0);
	assert_true(cpu > 0);
	assert_true(maxwal > 0);
	assert_true(maxwal < (off_t)(4000 + 1024) * (8192 + 24));
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 16 * 1024 * 1024);
	store_close(s);
	s = store_open(path, STORE_READONLY, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events"), 160 * 512);
	store_close(s);
	free(path);
	free(wal);
}

static void
test_events_and_duplicates(void **state)
{
	char err[256];
	struct store *s;
	struct store_event ev;
	int64_t a, b;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	a = store_source_id(s, "daemon", "file", "/tmp/daemon.log", err, sizeof err);
	b = store_source_id(s, "redis-1", "compose", NULL, err, sizeof err);
	assert_true(a > 0 && b > 0 && a != b);
	assert_int_equal(store_source_id(s, "daemon", "file", NULL, err, sizeof err), a);

	fill_event(&ev, a, 0);
	assert_int_equal(insert_one(s, &ev), 1);
	assert_int_equal(insert_one(s, &ev), 0);
	/* The same line again within the same second is a second event. */
	fill_event(&ev, a, 1);
	assert_int_equal(insert_one(s, &ev), 1);
	/* Another source keeps its own key space. */
	fill_event(&ev, b, 0);
	ev.has_value = 1;
	ev.value = 1234.5;
	ev.grp = "glm-4.6xyz";
	ev.grp_len = 7;
	assert_int_equal(insert_one(s, &ev), 1);
	assert_int_equal(store_commit(s, err, sizeof err), 0);

	assert_int_equal(one_int(s, "SELECT count(*) FROM events"), 3);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events WHERE grp = 'glm-4.6'"), 1);
	assert_int_equal(one_int(s, "SELECT CAST(value * 10 AS INTEGER) FROM events WHERE value IS NOT NULL"), 12345);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events WHERE fields = '{\"delay_s\":\"0.5\"}'"), 3);

	assert_int_equal(store_source_seen(s, a, 2000, 5000, err, sizeof err), 0);
	assert_int_equal(store_source_seen(s, a, 1000, 3000, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT first_ts * 10000 + last_ts FROM sources WHERE name = 'daemon'"),
	    1000 * 10000 + 5000);
	store_close(s);
}

static const char *
one_text(struct store *s, const char *sql)
{
	static char v[64];
	sqlite3_stmt *st;

	v[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(v, sizeof v, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* count(*) of events, or -1: for a child process, which cannot assert. */
static int64_t
child_count(struct store *s)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM events", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * A new database that one ingest fills (STORE_BUILD) is built at
 * PATH-build and appears whole at store_finish, in WAL mode.  Until then
 * readers find no database, and another process that would make it waits
 * and then opens what was built.
 */
static void
test_build_unseen(void **state)
{
	char err[256], *path = db_path("built.db"), *build = db_path("built.db-build");
	char *journal = db_path("built.db-build-journal");
	unsigned char hdr[20];
	struct store *s, *r;
	struct store_event ev;
	pid_t pid;
	int fd, status, i, go[2];
	char c;

	/*
	 * The child is forked before this process opens the database: SQLite
	 * must not carry a connection's state across fork.  It opens when
	 * told, once the build has committed.
	 */
	assert_int_equal(pipe(go), 0);
	if ((pid = fork()) == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		r = store_open(path, STORE_CREATE | STORE_APPEND, err, sizeof err);
		_exit(r != NULL && child_count(r) == 3 ? 0 : 1);
	}
	assert_true(pid > 0);
	close(go[0]);
	s = store_open(path, STORE_CREATE | STORE_APPEND | STORE_BUILD, err,
	    sizeof err);
	assert_non_null(s);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(build, F_OK), 0);
	/* in a file: a batch over many sources changes pages of each */
	assert_string_equal(one_text(s, "PRAGMA journal_mode"), "truncate");
	assert_int_equal(store_checkpoint_behind(s, err, sizeof err), 0);
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	for (i = 0; i < 3; i++) {
		fill_event(&ev, 1, i);
		assert_int_equal(insert_one(s, &ev), 1);
	}
	assert_int_equal(store_commit(s, err, sizeof err), 0);
	assert_null(store_open(path, STORE_READONLY, err, sizeof err));
	assert_non_null(strstr(err, "no database at"));
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	usleep(200 * 1000);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(store_finish(s, err, sizeof err), 0);
	store_close(s);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(access(build, F_OK), -1);
	assert_int_equal(access(journal, F_OK), -1);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	assert_int_equal(read(fd, hdr, sizeof hdr), sizeof hdr);
	close(fd);
	assert_int_equal(hdr[18], 2);
	assert_int_equal(hdr[19], 2);
	s = store_open(path, STORE_READONLY, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events"), 3);
	assert_string_equal(one_text(s, "PRAGMA journal_mode"), "wal");
	assert_string_equal(one_text(s, "PRAGMA integrity_check"), "ok");
	store_close(s);
	/* the database exists now: built no more */
	s = store_open(path, STORE_CREATE | STORE_APPEND | STORE_BUILD, err,
	    sizeof err);
	assert_non_null(s);
	assert_int_equal(access(build, F_OK), -1);
	assert_string_equal(one_text(s, "PRAGMA journal_mode"), "wal");
	assert_int_equal(store_finish(s, err, sizeof err), 0);
	store_close(s);
	free(path);
	free(build);
	free(journal);
}

/* What a killed build left as its journal. */
static void
build_journal_left(const char *journal)
{
	FILE *f;

	assert_non_null(f = fopen(journal, "w"));
	fputs("left by a killed run", f);
	fclose(f);
}

/*
 * A build closed without store_finish (a failed run) leaves nothing; what
 * a killed build left at PATH-build and PATH-build-journal is removed by
 * the next open that makes PATH, built or not: the journal before SQLite
 * would play it back into the new file.
 */
static void
test_build_dropped(void **state)
{
	char err[256], *path = db_path("dropped.db"), *build = db_path("dropped.db-build");
	char *journal = db_path("dropped.db-build-journal");
	struct store *s;
	FILE *f;

	s = store_open(path, STORE_CREATE | STORE_APPEND | STORE_BUILD, err,
	    sizeof err);
	assert_non_null(s);
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	assert_int_equal(store_commit(s, err, sizeof err), 0);
	store_close(s);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(build, F_OK), -1);
	assert_int_equal(access(journal, F_OK), -1);

	assert_non_null(f = fopen(build, "w"));
	fputs("left by a killed run", f);
	fclose(f);
	build_journal_left(journal);
	s = store_open(path, STORE_CREATE | STORE_APPEND | STORE_BUILD, err,
	    sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_string_equal(one_text(s, "PRAGMA integrity_check"), "ok");
	assert_int_equal(store_finish(s, err, sizeof err), 0);
	store_close(s);
	assert_int_equal(access(build, F_OK), -1);
	assert_int_equal(access(journal, F_OK), -1);
	assert_int_equal(unlink(path), 0);

	assert_non_null(f = fopen(build, "w"));
	fclose(f);
	build_journal_left(journal);
	s = store_open(path, STORE_CREATE | STORE_APPEND, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(access(build, F_OK), -1);
	assert_int_equal(access(journal, F_OK), -1);
	assert_string_equal(one_text(s, "PRAGMA journal_mode"), "wal");
	store_close(s);
	free(path);
	free(build);
	free(journal);
}

/*
 * A build whose write fails (the file size limit here, a full disk in
 * life) keeps the transactions committed before, as a WAL database does:
 * SQLite rolls the failed one back, and the file is checked whole before
 * it is put in place.  The child's exit status is how many were committed.
 */
static void
test_build_write_fails(void **state)
{
	char err[256], *path = db_path("limit.db"), *build = db_path("limit.db-build");
	static char text[1024];
	struct store_event ev[64];
	struct rlimit rl;
	struct store *s;
	unsigned char added[64];
	size_t nadded;
	pid_t pid;
	int status, n, i, j, ok;

	memset(text, 'y', sizeof text);
	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = 2 << 20;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(250);
		s = store_open(path, STORE_CREATE | STORE_APPEND | STORE_BUILD,
		    err, sizeof err);
		if (s == NULL)
			_exit(251);
		for (n = 0; n < 200; n++) {
			if (store_begin(s, err, sizeof err) != 0)
				_exit(252);
			for (j = 0; j < 64; j++) {
				fill_event(&ev[j], 1, 0);
				ev[j].ts += n * 64 + j;
				ev[j].text = text;
				ev[j].text_len = sizeof text;
			}
			ok = store_insert_events(s, ev, 64, added, &nadded,
			    NULL, err, sizeof err) == 0 &&
			    store_commit(s, err, sizeof err) == 0;
			if (!ok) {
				store_rollback(s);
				break;
			}
		}
		if (n == 200 || n == 0)
			_exit(253);
		i = store_finish(s, err, sizeof err);
		store_close(s);
		_exit(i == 0 ? n : 254);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	n = WEXITSTATUS(status);
	assert_in_range(n, 1, 199);
	assert_int_equal(access(build, F_OK), -1);
	s = store_open(path, STORE_READONLY, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "SELECT count(*) FROM events"), n * 64);
	assert_string_equal(one_text(s, "PRAGMA integrity_check"), "ok");
	store_close(s);
	free(path);
	free(build);
}

static void
test_rollback_forgets_sources(void **state)
{
	char err[256];
	struct store *s;
	int64_t a;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	a = store_source_id(s, "gone", "file", NULL, err, sizeof err);
	assert_true(a > 0);
	store_rollback(s);
	assert_int_equal(one_int(s, "SELECT count(*) FROM sources"), 0);
	assert_int_equal(store_begin(s, err, sizeof err), 0);
	assert_true(store_source_id(s, "gone", "file", NULL, err, sizeof err) > 0);
	assert_int_equal(store_commit(s, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT count(*) FROM sources WHERE name = 'gone'"), 1);
	store_close(s);
}

static void
test_volume_upsert(void **state)
{
	char err[256];
	struct store *s;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_volume_add(s, 1, 100, 10, 8, 500, 1, 0, err, sizeof err), 0);
	assert_int_equal(store_volume_add(s, 1, 100, 5, 5, 50, 0, 2, err, sizeof err), 0);
	assert_int_equal(store_volume_add(s, 1, 101, 1, 1, 7, 0, 0, err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT count(*) FROM volume"), 2);
	assert_int_equal(one_int(s, "SELECT lines * 1000000 + records * 10000 + bytes FROM volume WHERE minute = 100"),
	    15 * 1000000 + 13 * 10000 + 550);
	assert_int_equal(one_int(s, "SELECT malformed * 10 + truncated FROM volume WHERE minute = 100"), 12);
	store_close(s);
}

static void
test_resume_points(void **state)
{
	char err[256];
	struct store *s;
	uint64_t off, ln;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_input_get(s, "/a.log", 42, &off, &ln, NULL, err, sizeof err), 0);
	assert_true(off == 0 && ln == 0);
	assert_int_equal(store_input_set(s, "/a.log", 42, 1000, 17, err, sizeof err), 0);
	assert_int_equal(store_input_set(s, "/a.log", 42, 2000, 30, err, sizeof err), 0);
	assert_int_equal(store_input_get(s, "/a.log", 42, &off, &ln, NULL, err, sizeof err), 0);
	assert_true(off == 2000 && ln == 30);
	/* A different fingerprint is a different file at the same path. */
	assert_int_equal(store_input_get(s, "/a.log", 43, &off, &ln, NULL, err, sizeof err), 0);
	assert_true(off == 0 && ln == 0);
	/* Fingerprints use the full 64 bits. */
	assert_int_equal(store_input_set(s, "/b.log", UINT64_MAX, 5, 1, err, sizeof err), 0);
	assert_int_equal(store_input_get(s, "/b.log", UINT64_MAX, &off, &ln, NULL, err, sizeof err), 0);
	assert_true(off == 5 && ln == 1);
	store_close(s);
}

static void
test_resume_ordinals(void **state)
{
	const struct store_ordinal three[2] = {
		{ 3, 1761454801100, UINT64_MAX, 2 },
		{ 3, 1761454801100, 42, 1 },
	};
	const struct store_ordinal seven[1] = { { 7, -5, 42, 1 } };
	struct store_ordinal *out;
	char err[256];
	struct store *s;
	size_t n;
	int old;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	/* no resume point yet: no state */
	assert_int_equal(store_ordinals_get(s, "/a.log", 42, &out, &n, &old, err, sizeof err), 0);
	assert_true(out == NULL && n == 0);
	assert_int_equal(store_input_set(s, "/a.log", 42, 1000, 17, err, sizeof err), 0);
	assert_int_equal(store_ordinals_put(s, "/a.log", 42, 7, -5, seven, 1, err, sizeof err), 0);
	assert_int_equal(store_ordinals_put(s, "/a.log", 42, 3, 1761454801100, three, 2, err, sizeof err), 0);
	assert_int_equal(store_ordinals_get(s, "/a.log", 42, &out, &n, &old, err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(old, 0);
	/* a source's entries together, in the order they were put */
	assert_true(out[0].source_id == 3 && out[0].ts == 1761454801100 &&
	    out[0].hash == UINT64_MAX && out[0].n == 2);
	assert_true(out[1].source_id == 3 && out[1].hash == 42 && out[1].n == 1);
	assert_true(out[2].source_id == 7 && out[2].ts == -5 &&
	    out[2].hash == 42 && out[2].n == 1);
	free(out);
	/* a later second of source 3 with no entries replaces its state alone */
	assert_int_equal(store_ordinals_put(s, "/a.log", 42, 3, 1761454802000, NULL, 0, err, sizeof err), 0);
	assert_int_equal(store_ordinals_get(s, "/a.log", 42, &out, &n, &old, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_true(out[0].source_id == 7 && out[0].n == 1);
	free(out);
	/* another fingerprint is another file */
	assert_int_equal(store_ordinals_get(s, "/a.log", 43, &out, &n, &old, err, sizeof err), 0);
	assert_true(out == NULL && n == 0);
	/* a run that starts over forgets it */
	assert_int_equal(store_ordinals_clear(s, "/a.log", 42, err, sizeof err), 0);
	assert_int_equal(store_ordinals_get(s, "/a.log", 42, &out, &n, &old, err, sizeof err), 0);
	assert_true(out == NULL && n == 0);
	store_close(s);
}

/* The state as databases made before kept it: one blob in inputs.ordinals. */
static void
test_resume_ordinals_old(void **state)
{
	/* (source_id, ts, hash, n) = (5, 1000, 9, 3), 28 bytes little-endian */
	static const unsigned char blob[28] = {
		5, 0, 0, 0, 0, 0, 0, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0,
		9, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
	};
	const struct store_ordinal six[1] = { { 6, 2000, 11, 1 } };
	struct store_ordinal *out;
	sqlite3_stmt *st;
	char err[256];
	struct store *s;
	size_t n;
	int old;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_input_set(s, "/a.log", 42, 1000, 17, err, sizeof err), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "UPDATE inputs SET ordinals = ?1",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob, sizeof blob, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(store_ordinals_get(s, "/a.log", 42, &out, &n, &old, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(old, 1);
	assert_true(out[0].source_id == 5 && out[0].ts == 1000 &&
	    out[0].hash == 9 && out[0].n == 3);
	free(out);
	/* saved again per source: the blob is cleared and no longer read */
	assert_int_equal(store_ordinals_clear(s, "/a.log", 42, err, sizeof err), 0);
	assert_int_equal(store_ordinals_put(s, "/a.log", 42, 6, 2000, six, 1, err, sizeof err), 0);
	assert_int_equal(store_ordinals_get(s, "/a.log", 42, &out, &n, &old, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(old, 0);
	assert_true(out[0].source_id == 6 && out[0].hash == 11);
	free(out);
	store_close(s);
}

static void
test_resume_time(void **state)
{
	char err[256];
	struct store *s;
	uint64_t off, ln;
	int64_t ts = 0;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_input_get(s, "/a.log", 42, &off, &ln, &ts, err, sizeof err), 0);
	assert_true(ts == TS_NONE);
	assert_int_equal(store_input_set(s, "/a.log", 42, 1000, 17, err, sizeof err), 0);
	assert_int_equal(store_input_get(s, "/a.log", 42, &off, &ln, &ts, err, sizeof err), 0);
	assert_true(ts == TS_NONE);
	assert_int_equal(store_input_time_set(s, "/a.log", 42, 1761454801100, err, sizeof err), 0);
	assert_int_equal(store_input_get(s, "/a.log", 42, &off, &ln, &ts, err, sizeof err), 0);
	assert_true(ts == 1761454801100);
	assert_true(off == 1000 && ln == 17);
	store_close(s);
}

static void
test_volume_marks(void **state)
{
	struct store_vtext t[2] = { { UINT64_MAX, 3 }, { 7, 1 } };
	struct store_vmark m = { 1761454801100, 4096, t, 2, 2 }, got;
	char err[256];
	struct store *s;

	memset(&got, 0, sizeof got);
	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_vmark_get(s, 1, "-", &got, err, sizeof err), 0);
	assert_true(got.ts == TS_NONE && got.n == 0 && got.offset == 0);
	assert_int_equal(store_vmark_set(s, 1, "-", &m, err, sizeof err), 0);
	/* another input of the same source has a mark of its own */
	assert_int_equal(store_vmark_get(s, 1, "/a.log", &got, err, sizeof err), 0);
	assert_true(got.ts == TS_NONE);
	assert_int_equal(store_vmark_get(s, 1, "-", &got, err, sizeof err), 0);
	assert_true(got.ts == 1761454801100 && got.offset == 4096);
	assert_int_equal(got.n, 2);
	assert_true(got.texts[0].hash == UINT64_MAX && got.texts[0].n == 3);
	assert_true(got.texts[1].hash == 7 && got.texts[1].n == 1);
	m.ts = 5;
	m.n = 0;
	assert_int_equal(store_vmark_set(s, 1, "-", &m, err, sizeof err), 0);
	assert_int_equal(store_vmark_get(s, 1, "-", &got, err, sizeof err), 0);
	assert_true(got.ts == 5 && got.n == 0);
	free(got.texts);
	store_close(s);
}

/*
 * A database made before inputs.ts, volume_marks and input_ordinals gets
 * them on open.
 */
static void
test_upgrade_resume_and_marks(void **state)
{
	char err[256], *path = db_path("old.db");
	sqlite3 *db;
	struct store *s;
	uint64_t off, ln;
	int64_t ts;

	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_input_set(s, "/a.log", 42, 1000, 17, err, sizeof err), 0);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE inputs DROP COLUMN ts;"
	    "DROP TABLE volume_marks; DROP TABLE input_ordinals", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "SELECT count(*) FROM volume_marks"), 0);
	assert_int_equal(one_int(s, "SELECT count(*) FROM input_ordinals"), 0);
	assert_int_equal(store_input_get(s, "/a.log", 42, &off, &ln, &ts, err, sizeof err), 0);
	assert_true(ts == TS_NONE);
	assert_true(off == 1000 && ln == 17);
	assert_int_equal(store_input_time_set(s, "/a.log", 42, 9, err, sizeof err), 0);
	store_close(s);
	free(path);
}

/*
 * A database made before event_minutes: the first writer to open it
 * counts the events it holds into the new table, in one transaction.
 */
static void
test_minutes_upgrade(void **state)
{
	char err[256], *path = db_path("minutes.db");
	struct store_event ev[10];
	unsigned char added[10];
	size_t i, nadded;
	sqlite3 *db;
	struct store *s;
	int64_t a;

	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	a = store_source_id(s, "daemon", "file", NULL, err, sizeof err);
	for (i = 0; i < 10; i++) {
		fill_event(&ev[i], a, (int)i);
		ev[i].ts += (int64_t)i * 30000;
	}
	assert_int_equal(store_insert_events(s, ev, 10, added, &nadded, NULL,
	    err, sizeof err), 0);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE event_minutes", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	/* read-only leaves it as it is */
	s = store_open(path, STORE_READONLY, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "SELECT count(*) FROM sqlite_master WHERE name = 'event_minutes'"), 0);
	store_close(s);
	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(one_int(s, "SELECT sum(n) FROM event_minutes"), 10);
	assert_int_equal(one_int(s, "SELECT count(*) FROM event_minutes"), 5);
	assert_int_equal(minutes_wrong(s), 0);
	store_close(s);
	free(path);
}

/*
 * The rule set an input was read with: unknown (0) in a database made
 * before inputs.rules, which the writer adds; kept with the resume point.
 */
static void
test_input_rules(void **state)
{
	char err[256], *path = db_path("rules.db");
	sqlite3 *db;
	struct store *s;
	uint64_t rules;

	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_input_set(s, "/a.log", 42, 1000, 17, err, sizeof err), 0);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE inputs DROP COLUMN rules",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = store_open(path, STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(store_input_rules_get(s, "/a.log", 42, &rules, err, sizeof err), 0);
	assert_true(rules == 0);
	assert_int_equal(store_input_rules_set(s, "/a.log", 42, UINT64_MAX - 5, err, sizeof err), 0);
	assert_int_equal(store_input_rules_get(s, "/a.log", 42, &rules, err, sizeof err), 0);
	assert_true(rules == UINT64_MAX - 5);
	assert_int_equal(store_input_rules_get(s, "/a.log", 43, &rules, err, sizeof err), 0);
	assert_true(rules == 0);
	store_close(s);
	free(path);
}

static void
test_ingest_rows(void **state)
{
	char err[256];
	struct store *s;
	struct store_ingest_counts c;
	int64_t id;

	s = store_open(":memory:", STORE_CREATE, err, sizeof err);
	assert_non_null(s);
	id = store_ingest_begin(s, "x.log", NULL, err, sizeof err);
	assert_true(id > 0);
	assert_int_equal(one_int(s, "SELECT count(*) FROM ingests WHERE status = 'running' AND finished IS NULL"), 1);
	memset(&c, 0, sizeof c);
	c.lines = 7;
	c.bad_utf8 = 2;
	c.first_ts = TS_NONE;
	c.last_ts = 99;
	assert_int_equal(store_ingest_update(s, id, &c, "done", err, sizeof err), 0);
	assert_int_equal(one_int(s, "SELECT lines * 10 + bad_utf8 FROM ingests WHERE status = 'done'"
	    " AND finished IS NOT NULL AND first_ts IS NULL AND last_ts = 99"), 72);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_nested),
		cmocka_unit_test(test_image_same_as_schema),
		cmocka_unit_test(test_readonly_missing),
		cmocka_unit_test(test_newer_version_refused),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_events_and_duplicates),
		cmocka_unit_test(test_events_many),
		cmocka_unit_test(test_checkpoint_behind),
		cmocka_unit_test(test_build_unseen),
		cmocka_unit_test(test_build_dropped),
		cmocka_unit_test(test_build_write_fails),
		cmocka_unit_test(test_rollback_forgets_sources),
		cmocka_unit_test(test_volume_upsert),
		cmocka_unit_test(test_resume_points),
		cmocka_unit_test(test_resume_ordinals),
		cmocka_unit_test(test_resume_ordinals_old),
		cmocka_unit_test(test_resume_time),
		cmocka_unit_test(test_volume_marks),
		cmocka_unit_test(test_upgrade_resume_and_marks),
		cmocka_unit_test(test_input_rules),
		cmocka_unit_test(test_ingest_rows),
		cmocka_unit_test(test_event_minutes),
		cmocka_unit_test(test_minutes_upgrade),
	};
	int rc;
	char cmd[96];

	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_store.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
