/*
 * store.c - the SQLite store: open or create a database with the embedded
 * schema, WAL and a busy timeout, and the write path of ingest (that of
 * samples is store_samples.c's).  Every statement is prepared once when
 * the store opens and reused with fresh bindings; a connection that
 * writes goes through store_wal.c's VFS.  Knows nothing about regexes,
 * envelopes or screens.
 */
#include "store.h"
#include "store_int.h"
#include "store_query.h"
#include "store_samples.h"
#include "store_wal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rules.h"
#include "minutes.h"
#include "util.h"

#define STR2(x) #x
#define STR(x) STR2(x)

/* A writer waits this long for another writer before giving up. */
#define STORE_BUSY_MS 10000

/*
 * The rows a commit writes per source (volume, seen times, ordinals) go
 * STORE_EVENT_ROWS to a statement too: a source per line makes them as
 * many as the lines.
 */
#define VOLUME_ROW	"(?,?,?,?,?,?,?)"
#define SEEN_ROW	"(?,?,?)"
#define SOURCE_ROW	"(?,?,?,?,?,?)"
#define ORD_ROW		"(?,?,?,?,?)"
#define VMARK_ROW	"(?,?,?,?,?)"
#define MINUTES_ROW	"(?,?,?,?)"

const char *const store_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SOURCE_GET] = "SELECT id FROM sources WHERE name = ?1",
	[ST_SOURCE_ADD] =
	    "INSERT INTO sources (name, kind, identity) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (name) DO NOTHING",
	[ST_SOURCE_INSERT] =
	    "INSERT INTO sources (id, name, kind, identity, first_ts, last_ts)"
	    " VALUES " SOURCE_ROW,
	[ST_SOURCE_INSERT_MANY] =
	    "INSERT INTO sources (id, name, kind, identity, first_ts, last_ts)"
	    " VALUES " STORE_ROWS16(SOURCE_ROW),
	[ST_SOURCE_SEEN] =
	    "UPDATE sources SET"
	    " first_ts = CASE WHEN first_ts IS NULL OR ?2 < first_ts"
	    " THEN ?2 ELSE first_ts END,"
	    " last_ts = CASE WHEN last_ts IS NULL OR ?3 > last_ts"
	    " THEN ?3 ELSE last_ts END"
	    " WHERE id = ?1",
	/* the ids of one statement are distinct (one row per source) */
	[ST_SOURCE_SEEN_MANY] =
	    "UPDATE sources SET"
	    " first_ts = CASE WHEN first_ts IS NULL OR v.column2 < first_ts"
	    " THEN v.column2 ELSE first_ts END,"
	    " last_ts = CASE WHEN last_ts IS NULL OR v.column3 > last_ts"
	    " THEN v.column3 ELSE last_ts END"
	    " FROM (VALUES " STORE_ROWS16(SEEN_ROW) ") AS v WHERE sources.id = v.column1",
	[ST_INGEST_ADD] =
	    "INSERT INTO ingests (input, source, started) VALUES (?1, ?2, ?3)",
	[ST_INGEST_UPDATE] =
	    "UPDATE ingests SET status = ?2, finished = ?3, bytes = ?4,"
	    " lines = ?5, records = ?6, events = ?7, duplicates = ?8,"
	    " malformed = ?9, truncated = ?10, no_timestamp = ?11,"
	    " backwards = ?12, bad_utf8 = ?13, nul_bytes = ?14,"
	    " regex_errors = ?15, skipped_bytes = ?16, first_ts = ?17,"
	    " last_ts = ?18, untimed = ?19 WHERE id = ?1",
	[ST_INPUT_GET] =
	    "SELECT offset, lineno, ts FROM inputs WHERE path = ?1 AND fingerprint = ?2",
	[ST_INPUT_SET] =
	    "INSERT INTO inputs (path, fingerprint, offset, lineno, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (path, fingerprint) DO UPDATE"
	    " SET offset = excluded.offset, lineno = excluded.lineno,"
	    " updated = excluded.updated",
	[ST_ORD_PUT] =
	    "INSERT INTO input_ordinals (path, fingerprint, source_id, ts, counts)"
	    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (path, fingerprint, source_id)"
	    " DO UPDATE SET ts = excluded.ts, counts = excluded.counts",
	[ST_ORD_PUT_MANY] =
	    "INSERT INTO input_ordinals (path, fingerprint, source_id, ts, counts)"
	    " VALUES " STORE_ROWS16(ORD_ROW) " ON CONFLICT (path, fingerprint, source_id)"
	    " DO UPDATE SET ts = excluded.ts, counts = excluded.counts",
	[ST_ORD_GET] =
	    "SELECT source_id, ts, counts FROM input_ordinals"
	    " WHERE path = ?1 AND fingerprint = ?2",
	[ST_ORD_GET_OLD] =
	    "SELECT ordinals FROM inputs WHERE path = ?1 AND fingerprint = ?2",
	[ST_ORD_CLEAR] =
	    "DELETE FROM input_ordinals WHERE path = ?1 AND fingerprint = ?2",
	[ST_ORD_CLEAR_OLD] =
	    "UPDATE inputs SET ordinals = NULL WHERE path = ?1 AND fingerprint = ?2"
	    " AND ordinals IS NOT NULL",
	/*
	 * The call's events at once, read from the writer's memory
	 * (store_feed.c) rather than bound row by row: one statement started
	 * and halted per call, no value bound.
	 */
	[ST_EVENT_ADD_FED] =
	    "INSERT OR IGNORE INTO events (id, source_id, rule, ts, hash,"
	    " ordinal, line, line_end, stream, text, fields, value, grp)"
	    " SELECT id, source_id, rule, ts, hash, ordinal, line, line_end,"
	    " stream, text, fields, value, grp FROM event_feed",
	/*
	 * The call's new samples at once, as ST_EVENT_ADD_FED.  OR FAIL, not
	 * the default ABORT: a statement of several rows that may abort must
	 * be able to undo its own rows, so SQLite copies each page it changes
	 * into a statement journal first (7% of the writer's instructions).
	 * A failed row fails the call, and its caller rolls the transaction
	 * back, which undoes the rows before it all the same.
	 */
	[ST_SAMPLE_ADD] =
	    "INSERT OR FAIL INTO samples (id, source_id, rule_no, ts, hash,"
	    " ordinal, line, line_end, stream, text, fields, value, grp)"
	    " SELECT id, source_id, rule, ts, hash, ordinal, line, line_end,"
	    " stream, text, fields, value, grp FROM sample_feed",
	[ST_VOLUME_ADD] =
	    "INSERT INTO volume (source_id, minute, lines, records, bytes,"
	    " malformed, truncated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (source_id, minute) DO UPDATE SET"
	    " lines = lines + excluded.lines, records = records + excluded.records,"
	    " bytes = bytes + excluded.bytes,"
	    " malformed = malformed + excluded.malformed,"
	    " truncated = truncated + excluded.truncated",
	[ST_VOLUME_ADD_MANY] =
	    "INSERT INTO volume (source_id, minute, lines, records, bytes,"
	    " malformed, truncated) VALUES " STORE_ROWS16(VOLUME_ROW)
	    " ON CONFLICT (source_id, minute) DO UPDATE SET"
	    " lines = lines + excluded.lines, records = records + excluded.records,"
	    " bytes = bytes + excluded.bytes,"
	    " malformed = malformed + excluded.malformed,"
	    " truncated = truncated + excluded.truncated",
	[ST_VOLUME_ADD_FEW] =
	    "INSERT INTO volume (source_id, minute, lines, records, bytes,"
	    " malformed, truncated) VALUES " STORE_ROWS4(VOLUME_ROW)
	    " ON CONFLICT (source_id, minute) DO UPDATE SET"
	    " lines = lines + excluded.lines, records = records + excluded.records,"
	    " bytes = bytes + excluded.bytes,"
	    " malformed = malformed + excluded.malformed,"
	    " truncated = truncated + excluded.truncated",
	[ST_INPUT_TS_SET] =
	    "UPDATE inputs SET ts = ?3 WHERE path = ?1 AND fingerprint = ?2",
	[ST_INPUT_RULES_GET] =
	    "SELECT rules FROM inputs WHERE path = ?1 AND fingerprint = ?2",
	[ST_INPUT_RULES_SET] =
	    "UPDATE inputs SET rules = ?3 WHERE path = ?1 AND fingerprint = ?2",
	[ST_VMARK_GET] =
	    "SELECT ts, offset, texts FROM volume_marks"
	    " WHERE source_id = ?1 AND input = ?2",
	[ST_VMARK_SET] =
	    "INSERT INTO volume_marks (source_id, input, ts, offset, texts)"
	    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source_id, input)"
	    " DO UPDATE SET ts = excluded.ts, offset = excluded.offset,"
	    " texts = excluded.texts",
	[ST_VMARK_SET_MANY] =
	    "INSERT INTO volume_marks (source_id, input, ts, offset, texts)"
	    " VALUES " STORE_ROWS16(VMARK_ROW) " ON CONFLICT (source_id, input)"
	    " DO UPDATE SET ts = excluded.ts, offset = excluded.offset,"
	    " texts = excluded.texts",
	[ST_VMARK_COUNT] =
	    "SELECT count(*) FROM volume_marks m JOIN sources s"
	    " ON s.id = m.source_id WHERE m.input = ?1 AND s.name <> ?2"
	    " AND s.name <> ?3",
	[ST_RULE_SET] =
	    "INSERT INTO rules (id, category, severity, summary, file, hash,"
	    " metric_field, metric_by, follows_rule, follows_by, expect_rule,"
	    " expect_by, unit, slow, counts, counts_by, means) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
	    " ON CONFLICT (id) DO UPDATE SET category = excluded.category,"
	    " severity = excluded.severity, summary = excluded.summary,"
	    " file = excluded.file, hash = excluded.hash,"
	    " metric_field = excluded.metric_field, metric_by = excluded.metric_by,"
	    " follows_rule = excluded.follows_rule, follows_by = excluded.follows_by,"
	    " expect_rule = excluded.expect_rule, expect_by = excluded.expect_by,"
	    " unit = excluded.unit, slow = excluded.slow, counts = excluded.counts,"
	    " counts_by = excluded.counts_by, means = excluded.means",
	[ST_MINUTES_ADD] =
	    "INSERT INTO event_minutes (rule, source_id, minute, n)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (rule, source_id, minute)"
	    " DO UPDATE SET n = n + excluded.n",
	[ST_MINUTES_ADD_MANY] =
	    "INSERT INTO event_minutes (rule, source_id, minute, n)"
	    " VALUES " STORE_ROWS16(MINUTES_ROW) " ON CONFLICT (rule, source_id, minute)"
	    " DO UPDATE SET n = n + excluded.n",
	[ST_MINUTES_ADD_FEW] =
	    "INSERT INTO event_minutes (rule, source_id, minute, n)"
	    " VALUES " STORE_ROWS4(MINUTES_ROW) " ON CONFLICT (rule, source_id, minute)"
	    " DO UPDATE SET n = n + excluded.n",
	[ST_MINUTES_DROP] =
	    "DELETE FROM event_minutes WHERE rule = ?1 AND source_id = ?2"
	    " AND minute = ?3 AND n <= 0",
	[ST_NEXT_ID] =
	    "SELECT max(coalesce((SELECT max(id) FROM events), 0),"
	    " coalesce((SELECT max(id) FROM samples), 0))",
	/* the rows of a statement that added some of its rows but not all */
	[ST_EVENT_UNDO] = "DELETE FROM events WHERE id > ?1 AND id <= ?2",
	/* the stored spans of a rule that meet [?2, ?3], as one */
	[ST_SPAN_FIND] =
	    "SELECT min(first_ts), max(last_ts) FROM sample_spans"
	    " WHERE rule_no = ?1 AND last_ts >= ?2 AND first_ts <= ?3",
	[ST_SAMPLE_KEYS] =
	    "SELECT ts, hash, ordinal FROM samples WHERE rule_no = ?1"
	    " AND source_id = ?2 AND ts >= ?3 AND ts <= ?4",
	/* the untimed ones, by ordinal in [?3, ?4] */
	[ST_SAMPLE_UNTIMED_KEYS] =
	    "SELECT ts, hash, ordinal FROM samples WHERE rule_no = ?1"
	    " AND source_id = ?2 AND ts IS NULL AND ordinal >= ?3"
	    " AND ordinal <= ?4",
	[ST_SPAN_ADD] =
	    "INSERT INTO sample_spans (rule_no, first_ts, last_ts, n)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[ST_SAMPLE_RULES] = "SELECT no, rule FROM sample_rules ORDER BY no",
};

/*
 * Prepared on first use (store_stmt), not by store_open: a run that reads
 * no line writes none of these rows, and preparing them was most of
 * preparing them all, itself a sixth of an empty run.
 */
static const unsigned char store_sql_lazy[ST_COUNT] = {
	[ST_SOURCE_INSERT] = 1,
	[ST_SOURCE_INSERT_MANY] = 1,
	[ST_SOURCE_SEEN] = 1,
	[ST_SOURCE_SEEN_MANY] = 1,
	[ST_ORD_PUT_MANY] = 1,
	[ST_VMARK_SET_MANY] = 1,
	[ST_VOLUME_ADD] = 1,
	[ST_VOLUME_ADD_MANY] = 1,
	[ST_VOLUME_ADD_FEW] = 1,
	[ST_SAMPLE_ADD] = 1,
	[ST_SPAN_FIND] = 1,
	[ST_SAMPLE_KEYS] = 1,
	[ST_SAMPLE_UNTIMED_KEYS] = 1,
	[ST_SPAN_ADD] = 1,
	[ST_SAMPLE_RULES] = 1,
	[ST_EVENT_ADD_FED] = 1,
	[ST_EVENT_UNDO] = 1,
	[ST_NEXT_ID] = 1,
	[ST_MINUTES_ADD] = 1,
	[ST_MINUTES_ADD_MANY] = 1,
	[ST_MINUTES_ADD_FEW] = 1,
	[ST_MINUTES_DROP] = 1,
	[ST_ORD_PUT] = 1,
	[ST_VMARK_SET] = 1,
	[ST_VMARK_COUNT] = 1,
};

/* Source name -> id, open addressing; cleared on rollback. */
struct source_slot {
	char	*name;
	int64_t	 id;
};

/*
 * Checkpoints on a thread of their own (store_checkpoint_behind): a
 * connection of its own copies the WAL into the database while the owner
 * goes on writing.  The connection and the thread start with the first
 * commit that leaves CKPT_START frames in the WAL, so that they are
 * ready when the WAL first needs copying: a run too small to need them
 * (an empty input, a day of one daemon) pays for neither.  What the
 * thread has not copied when the store closes, the close copies, syncing
 * both files, after the last commit; so the thread copies whenever a
 * commit leaves CKPT_FRAMES, not only once the WAL has grown long.
 */
struct store_ckpt {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* want or quit set */
	pthread_cond_t		 idle;		/* running cleared */
	sqlite3			*db;
	char			*path;		/* as SQLite is given it */
	int			 started;	/* the thread runs; set by committers */
	int			 failed;	/* could not start: committers checkpoint */
	int			 gone;		/* has no connection; set by the thread */
	int			 want;
	int			 running;
	int			 quit;
	int			 restart;	/* the next transaction waits: see below */
	uint64_t		 done;		/* checkpoints that completed */
	double			 cpu;		/* seconds the thread has used */
};

/* WAL frames (one page each, 8 KiB) that start the thread... */
#define CKPT_START		32
/* ...that start a background checkpoint... */
#define CKPT_FRAMES		128
/*
 * ...past which the next transaction waits, before it begins, for the
 * thread to copy the last commit, so that it starts the WAL over: a WAL
 * starts over only when a transaction begins with all of it copied, and
 * a busy writer begins its next one straight after a commit, while the
 * thread still copies.  Without the wait the WAL grew for a whole run
 * (30 MB for 100 MB of logs), new page cache for every frame, and the
 * close paid for unlinking it (0.3 ms a MB).  The wait is the copy of
 * one commit and two syncs, disk latency (5 ms, more on a busy disk),
 * so it comes seldom: 16 MiB take a 100 MB ingest one wait, not five,
 * and the WAL peaks at 16 MiB and a commit (19 MB).  It comes at the
 * begin, not the commit, so that a writer waiting for work waits for
 * both at once, and the last commit of a run waits for nothing.
 */
#define CKPT_RESTART		2048
/* ...and past which the writer checkpoints itself, so the WAL stays bounded. */
#define CKPT_FRAMES_FORCE	4000

/* A checkpoint state whose thread is not running (any more). */
static void
ckpt_free(struct store_ckpt *c)
{
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	pthread_cond_destroy(&c->idle);
	free(c->path);
	free(c);
}

int
store_fail(struct store *s, char *err, size_t errlen, const char *what)
{
	switch (sqlite3_errcode(s->db) & 0xff) {
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CORRUPT:
	case SQLITE_NOMEM:
		s->broken = 1;
		break;
	}
	store_sql_error(s->db, err, errlen, "%s: %s", s->path, what);
	return -1;
}

/* Run one statement to completion and reset it. */
int
store_step(struct store *s, sqlite3_stmt *st, char *err, size_t errlen,
    const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(s, err, errlen, what);
	return 0;
}

/* mkdir -p of the directory part of path. */
static int
store_mkdirs(const char *path, char *err, size_t errlen)
{
	char *dir = xstrdup(path), *p;
	int rc = 0;

	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			util_err(err, errlen, "%s: %s", dir, strerror(errno));
			rc = -1;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return rc;
}

/* The directory part of path (caller frees). */
static char *
store_dir_of(const char *path)
{
	char *dir = xstrdup(path), *slash;

	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0';
	return dir;
}

/* fsync path's directory, so that a name given in it lasts.  0 or -1. */
static int
store_sync_dir(const char *path)
{
	char *dir = store_dir_of(path);
	int fd, rc;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* the gaps between the image's runs are written from here */
static const unsigned char store_zeros[8192];

/* a gathered write of the image, in batches of iovecs */
struct image_out {
	int		fd;
	size_t		n, want;
	struct iovec	iov[64];
};

static int
image_flush(struct image_out *o)
{
	ssize_t put;

	if (o->n == 0)
		return 0;
	put = writev(o->fd, o->iov, (int)o->n);
	if (put < 0 || (size_t)put != o->want)
		return -1;
	o->n = o->want = 0;
	return 0;
}

static int
image_add(struct image_out *o, const void *p, size_t len)
{
	if (o->n == sizeof o->iov / sizeof o->iov[0] && image_flush(o) != 0)
		return -1;
	o->iov[o->n].iov_base = (void *)p;
	o->iov[o->n++].iov_len = len;
	o->want += len;
	return 0;
}

/*
 * Write the image of an empty database to fd: running schema.sql
 * statement by statement was a sixth of an empty run.  In WAL mode when
 * wal, else in rollback mode (header bytes 18 and 19, the file format's
 * read and write versions).  Gathered from the runs and a block of zeros,
 * not copied into a buffer the size of the file, whose first touch was a
 * page fault per 4 KiB.  0 or -1.
 */
static int
store_image_write(int fd, int wal)
{
	const unsigned char *from = store_image_bytes;
	unsigned char version[2];
	struct image_out o;
	size_t i, at = 0;

	o.fd = fd;
	o.n = o.want = 0;
	version[0] = version[1] = wal ? 2 : 1;
	for (i = 0; i <= store_image_nruns; i++) {
		size_t off = store_image_size, len = 0, z;
		const unsigned char *run = from;

		if (i < store_image_nruns) {
			off = store_image_runs[i].off;
			len = store_image_runs[i].len;
		}
		from += len;
		for (; at < off; at += z) {
			z = off - at < sizeof store_zeros ? off - at :
			    sizeof store_zeros;
			if (image_add(&o, store_zeros, z) != 0)
				return -1;
		}
		if (at <= 18 && at + len >= 20) {
			/* the run that holds bytes 18 and 19 */
			if (image_add(&o, run, 18 - at) != 0 ||
			    image_add(&o, version, 2) != 0)
				return -1;
			run += 20 - at;
			len -= 20 - at;
			at = 20;
		}
		if (len > 0 && image_add(&o, run, len) != 0)
			return -1;
		at += len;
	}
	return image_flush(&o);
}

/*
 * Make a new database at path from the image, in WAL mode: written to a
 * file without a name in path's directory and linked into place whole,
 * so no process sees it half written.  0 when made; -1 when not (path
 * exists by now, or the file system cannot), and SQLite makes the
 * database as before.
 */
static int
store_write_image(const char *path)
{
	char *dir = store_dir_of(path), fdpath[64];
	int fd, rc;

	/* the mode SQLite gives a database it creates */
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	free(dir);
	if (fd == -1)
		return -1;
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
	rc = store_image_write(fd, 1) == 0 && linkat(AT_FDCWD, fdpath,
	    AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 ? 0 : -1;
	close(fd);
	return rc;
}

static int
store_user_version(struct store *s, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, errlen, "reading schema version");
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, errlen, "reading schema version");
	return 0;
}

static int
store_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, err, errlen, sql);
	return 0;
}

/*
 * Switch to WAL.  While another process creates the same new database the
 * switch can report SQLITE_BUSY without waiting in the busy handler, so it
 * is retried for as long as the busy timeout.
 */
static int
store_wal(struct store *s, char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + STORE_BUSY_MS;
	int rc;

	while ((rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL)) != SQLITE_OK) {
		if ((rc & 0xff) != SQLITE_BUSY || util_now_ms() >= deadline)
			return store_fail(s, err, errlen, "PRAGMA journal_mode = WAL");
		usleep(10000);
	}
	return 0;
}

/* Does this statement compile (is the column there)? */
static int
store_compiles(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	sqlite3_finalize(st);
	return rc == SQLITE_OK;
}

/* The rows of events and samples together. */
#define EVENTS_ALL "SELECT " EVENT_COLS " FROM events UNION ALL SELECT " \
	SAMPLE_COLS " FROM samples s JOIN sample_rules r ON r.no = s.rule_no"

/* As schema.sql has it (store_upgrade, store_ordinal_decide). */
#define EVENTS_UNTIMED_INDEX \
	"CREATE UNIQUE INDEX IF NOT EXISTS events_untimed ON events (rule," \
	" source_id, ordinal, hash) WHERE ts IS NULL"

/*
 * Columns and tables added to version 1 after it shipped: added to an
 * older database by the first writer that opens it (another may win the
 * race; fine).  Each is probed with a statement that compiles once it is
 * there.
 */
static const struct {
	const char	*probe, *sql, *what;
} store_upgrades[] = {
	{ "SELECT ordinals FROM inputs LIMIT 0",
	  "ALTER TABLE inputs ADD COLUMN ordinals BLOB", "adding inputs.ordinals" },
	{ "SELECT ts FROM inputs LIMIT 0",
	  "ALTER TABLE inputs ADD COLUMN ts INTEGER", "adding inputs.ts" },
	{ "SELECT texts FROM volume_marks LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS volume_marks (source_id INTEGER NOT NULL,"
	  " input TEXT NOT NULL, ts INTEGER NOT NULL,"
	  " offset INTEGER NOT NULL DEFAULT 0, texts BLOB,"
	  " PRIMARY KEY (source_id, input)) WITHOUT ROWID",
	  "adding the volume_marks table" },
	{ "SELECT unit FROM rules LIMIT 0",
	  "ALTER TABLE rules ADD COLUMN unit TEXT", "adding rules.unit" },
	{ "SELECT slow FROM rules LIMIT 0",
	  "ALTER TABLE rules ADD COLUMN slow TEXT", "adding rules.slow" },
	{ "SELECT counts FROM rules LIMIT 0",
	  "ALTER TABLE rules ADD COLUMN counts TEXT", "adding rules.counts" },
	{ "SELECT counts_by FROM rules LIMIT 0",
	  "ALTER TABLE rules ADD COLUMN counts_by TEXT", "adding rules.counts_by" },
	{ "SELECT means FROM rules LIMIT 0",
	  "ALTER TABLE rules ADD COLUMN means TEXT", "adding rules.means" },
	{ "SELECT dup_of FROM events LIMIT 0",
	  "ALTER TABLE events ADD COLUMN dup_of INTEGER", "adding events.dup_of" },
	{ "SELECT 1 FROM events INDEXED BY events_link WHERE link = 0 LIMIT 0",
	  "CREATE INDEX IF NOT EXISTS events_link ON events (link) "
	  "WHERE link IS NOT NULL", "adding the index events_link" },
	{ "SELECT untimed FROM ingests LIMIT 0",
	  "ALTER TABLE ingests ADD COLUMN untimed INTEGER NOT NULL DEFAULT 0",
	  "adding ingests.untimed" },
	{ "SELECT 1 FROM events INDEXED BY events_untimed WHERE ts IS NULL"
	  " LIMIT 0",
	  EVENTS_UNTIMED_INDEX, "adding the events_untimed index" },
	{ "SELECT mtime FROM context_files LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS context_files (ingest INTEGER PRIMARY KEY,"
	  " path TEXT NOT NULL, fingerprint INTEGER NOT NULL,"
	  " tail INTEGER NOT NULL, size INTEGER NOT NULL,"
	  " mtime INTEGER NOT NULL)",
	  "adding the context_files table" },
	{ "SELECT data FROM context_blocks LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS context_blocks (id INTEGER PRIMARY KEY,"
	  " ingest INTEGER NOT NULL, raw_len INTEGER NOT NULL,"
	  " zlib INTEGER NOT NULL, data BLOB NOT NULL)",
	  "adding the context_blocks table" },
	{ "SELECT block FROM event_context LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS event_context (event_id INTEGER PRIMARY"
	  " KEY, ingest INTEGER NOT NULL, offset INTEGER, block INTEGER)",
	  "adding the event_context table" },
	{ "SELECT counts FROM input_ordinals LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS input_ordinals (path TEXT NOT NULL,"
	  " fingerprint INTEGER NOT NULL, source_id INTEGER NOT NULL,"
	  " ts INTEGER NOT NULL, counts BLOB,"
	  " PRIMARY KEY (path, fingerprint, source_id)) WITHOUT ROWID",
	  "adding the input_ordinals table" },
	{ "SELECT rules FROM inputs LIMIT 0",
	  "ALTER TABLE inputs ADD COLUMN rules INTEGER", "adding inputs.rules" },
	/* counted from the events in the same transaction, so never partial */
	{ "SELECT n FROM event_minutes LIMIT 0",
	  "BEGIN IMMEDIATE;"
	  " CREATE TABLE IF NOT EXISTS event_minutes (rule TEXT NOT NULL,"
	  " source_id INTEGER NOT NULL, minute INTEGER NOT NULL,"
	  " n INTEGER NOT NULL, PRIMARY KEY (rule, source_id, minute))"
	  " WITHOUT ROWID;"
	  " INSERT OR IGNORE INTO event_minutes (rule, source_id, minute, n)"
	  " SELECT rule, source_id, ts / 60000 - (ts % 60000 < 0), count(*)"
	  " FROM events WHERE ts IS NOT NULL GROUP BY 1, 2, 3;"
	  " COMMIT", "adding the event_minutes table" },
	/*
	 * Empty: the first store_sync_rules moves the rows of the samples
	 * rules into samples.
	 */
	{ "SELECT rule_no FROM samples LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS samples (id INTEGER PRIMARY KEY,"
	  " source_id INTEGER NOT NULL, rule_no INTEGER NOT NULL,"
	  " ts INTEGER NOT NULL, hash INTEGER NOT NULL,"
	  " ordinal INTEGER NOT NULL, line INTEGER, line_end INTEGER,"
	  " stream INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL, fields TEXT,"
	  " value REAL, grp TEXT, link INTEGER, inherited TEXT, dup_of INTEGER)",
	  "adding the samples table" },
	{ "SELECT 1 FROM samples INDEXED BY samples_rule_ts LIMIT 0",
	  "CREATE INDEX IF NOT EXISTS samples_rule_ts ON samples (rule_no,"
	  " source_id, ts)", "adding the index samples_rule_ts" },
	{ "SELECT 1 FROM samples INDEXED BY samples_link WHERE link = 0 LIMIT 0",
	  "CREATE INDEX IF NOT EXISTS samples_link ON samples (link)"
	  " WHERE link IS NOT NULL", "adding the index samples_link" },
	{ "SELECT no FROM sample_rules LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS sample_rules (no INTEGER PRIMARY KEY,"
	  " rule TEXT NOT NULL UNIQUE)", "adding the sample_rules table" },
	{ "SELECT n FROM sample_spans LIMIT 0",
	  "CREATE TABLE IF NOT EXISTS sample_spans (rule_no INTEGER NOT NULL,"
	  " first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,"
	  " n INTEGER NOT NULL)", "adding the sample_spans table" },
	{ "SELECT 1 FROM sample_spans INDEXED BY sample_spans_rule LIMIT 0",
	  "CREATE INDEX IF NOT EXISTS sample_spans_rule ON sample_spans"
	  " (rule_no, last_ts)", "adding the index sample_spans_rule" },
	{ "SELECT dup_of FROM main.events_all LIMIT 0",
	  "CREATE VIEW IF NOT EXISTS events_all AS " EVENTS_ALL,
	  "adding the view events_all" },
};

/*
 * A reader of a database made before samples that no writer has opened
 * since: events_all is events alone, for this connection.
 */
static int
store_events_all_temp(struct store *s, char *err, size_t errlen)
{
	if (store_compiles(s, "SELECT 1 FROM events_all LIMIT 0"))
		return 0;
	return store_exec(s, "CREATE TEMP VIEW events_all AS SELECT *"
	    " FROM main.events", err, errlen);
}

/*
 * Databases made before untimed events declared events.ts NOT NULL, and
 * an INSERT OR IGNORE of a NULL there would drop the event without a
 * word.  Dropping a NOT NULL constraint changes nothing stored, so it is
 * done as SQLite's documentation on ALTER TABLE describes for that case:
 * the table's CREATE statement is rewritten in sqlite_master and the
 * schema version bumped, in one transaction.
 */
static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/*
 * In a CREATE TABLE statement, the " NOT NULL" of the column definition
 * "ts INTEGER NOT NULL" (blanks of any kind between the words): returns
 * where it starts and in *end where it ends, or NULL.
 */
static const char *
ts_not_null(const char *sql, const char **end)
{
	const char *p, *q, *start;

	for (p = strstr(sql, "ts"); p != NULL; p = strstr(p + 1, "ts")) {
		for (q = p; q > sql && (q[-1] == ' ' || q[-1] == '\t' ||
		    q[-1] == '\n' || q[-1] == '\r'); q--)
			;
		if (q == sql || (q[-1] != '(' && q[-1] != ','))
			continue;
		q = skip_blanks(p + 2);
		if (q == p + 2 || strncasecmp(q, "INTEGER", 7) != 0)
			continue;
		start = q + 7;
		q = skip_blanks(start);
		if (q == start || strncasecmp(q, "NOT", 3) != 0)
			return NULL;
		q = skip_blanks(q + 3);
		if (strncasecmp(q, "NULL", 4) != 0)
			return NULL;
		*end = q + 4;
		return start;
	}
	return NULL;
}

static int
store_untimed_upgrade(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	const char *sql, *col, *nn;
	char *fixed = NULL, *bump = NULL;
	int notnull = 0, version = 0, rc = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT \"notnull\" FROM"
	    " pragma_table_info('events') WHERE name = 'ts'", -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, err, errlen, "reading events.ts");
	if (sqlite3_step(st) == SQLITE_ROW)
		notnull = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (!notnull)
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT sql, (SELECT schema_version FROM"
	    " pragma_schema_version) FROM sqlite_master WHERE type = 'table'"
	    " AND name = 'events'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    (sql = (const char *)sqlite3_column_text(st, 0)) == NULL) {
		store_fail(s, err, errlen, "reading the events table");
		goto out;
	}
	version = sqlite3_column_int(st, 1);
	/* Another writer may have done it while this one waited. */
	if ((col = ts_not_null(sql, &nn)) == NULL) {
		rc = store_exec(s, "COMMIT", err, errlen);
		goto out;
	}
	fixed = xasprintf("%.*s%s", (int)(col - sql), sql, nn);
	sqlite3_finalize(st);
	st = NULL;
	bump = xasprintf("PRAGMA schema_version = %d", version + 1);
	if (store_exec(s, "PRAGMA writable_schema = ON", err, errlen) != 0)
		goto out;
	if (sqlite3_prepare_v2(s->db, "UPDATE sqlite_master SET sql = ?1 WHERE"
	    " type = 'table' AND name = 'events'", -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, err, errlen, "dropping NOT NULL from events.ts");
		goto out;
	}
	sqlite3_bind_text(st, 1, fixed, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_fail(s, err, errlen, "dropping NOT NULL from events.ts");
		goto out;
	}
	if (store_exec(s, bump, err, errlen) != 0 ||
	    store_exec(s, "PRAGMA writable_schema = OFF", err, errlen) != 0)
		goto out;
	rc = store_exec(s, "COMMIT", err, errlen);
out:
	sqlite3_finalize(st);
	if (rc != 0) {
		sqlite3_exec(s->db, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	free(fixed);
	free(bump);
	return rc;
}

/* Whether the query sql, of no parameter, returns a row. */
static int
store_any_row(struct store *s, const char *sql, int *any, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, errlen, "reading the schema");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading the schema");
	*any = rc == SQLITE_ROW;
	return 0;
}

static int
store_upgrade(struct store *s, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(store_upgrades); i++) {
		if (store_compiles(s, store_upgrades[i].probe))
			continue;
		if (sqlite3_exec(s->db, store_upgrades[i].sql, NULL, NULL,
		    NULL) == SQLITE_OK)
			continue;
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (!store_compiles(s, store_upgrades[i].probe))
			return store_fail(s, err, errlen, store_upgrades[i].what);
	}
	return store_untimed_upgrade(s, err, errlen);
}

/*
 * How the events of this database are keyed and kept (meta event_hash,
 * untimed_ordinal and untimed_samples); a database without the
 * event_hash row hashes the old way, untimed_ordinal is left 0 without
 * its row (store_ordinal_decide), and one without untimed_samples keeps
 * untimed samples in events.
 */
static int
store_read_meta(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *key, *value;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT key, value FROM meta WHERE key IN"
	    " ('event_hash', 'untimed_ordinal', 'untimed_samples')", -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, err, errlen, "reading meta");
	s->event_hash = 1;
	s->untimed_ordinal = 0;
	s->untimed_samples = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = (const char *)sqlite3_column_text(st, 0);
		value = (const char *)sqlite3_column_text(st, 1);
		if (key == NULL || value == NULL)
			continue;
		if (strcmp(key, "event_hash") == 0)
			s->event_hash = strcmp(value, "2") == 0 ? 2 : 1;
		else if (strcmp(key, "untimed_samples") == 0)
			s->untimed_samples = strcmp(value, "samples") == 0;
		else
			s->untimed_ordinal = strcmp(value, "record") == 0 ?
			    STORE_ORDINAL_RECORD : STORE_ORDINAL_TEXT;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading meta");
	return 0;
}

/*
 * A database made before meta's untimed_ordinal numbered identical
 * untimed events by their text.  One that holds no untimed event yet
 * numbers them by record from now on, and its index events_untimed then
 * takes them in the order they come (ordinal before hash) instead of at
 * random; one that holds some keeps numbering by text, or re-reading its
 * files would store their untimed events anew.  A reader numbers nothing.
 */
static int
store_ordinal_decide(struct store *s, char *err, size_t errlen)
{
	int any;

	if (s->readonly) {
		s->untimed_ordinal = STORE_ORDINAL_TEXT;
		return 0;
	}
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	/* another writer may have decided while this one waited */
	if (store_read_meta(s, err, errlen) != 0)
		goto fail;
	if (s->untimed_ordinal != 0)
		return store_exec(s, "COMMIT", err, errlen);
	if (store_any_row(s, "SELECT 1 FROM events INDEXED BY events_untimed"
	    " WHERE ts IS NULL LIMIT 1", &any, err, errlen) != 0)
		goto fail;
	if (any) {
		if (store_exec(s, "INSERT INTO meta (key, value) VALUES"
		    " ('untimed_ordinal', 'text')", err, errlen) != 0)
			goto fail;
	} else if (store_exec(s, "DROP INDEX events_untimed", err, errlen) != 0 ||
	    store_exec(s, EVENTS_UNTIMED_INDEX, err, errlen) != 0 ||
	    store_exec(s, "INSERT INTO meta (key, value) VALUES"
	    " ('untimed_ordinal', 'record')", err, errlen) != 0)
		goto fail;
	if (store_exec(s, "COMMIT", err, errlen) != 0)
		return -1;
	s->untimed_ordinal = any ? STORE_ORDINAL_TEXT : STORE_ORDINAL_RECORD;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_event_hash(const struct store *s)
{
	return s->event_hash;
}

int
store_untimed_ordinal(const struct store *s)
{
	return s->untimed_ordinal;
}

int
store_untimed_samples(const struct store *s)
{
	return s->untimed_samples;
}

/*
 * Apply the schema to a new database, or check an old one's version;
 * imaged: this open wrote it from the image, which needs neither.
 */
static int
store_setup(struct store *s, int imaged, char *err, size_t errlen)
{
	int version, foreign;

	if (imaged)
		return 0;
	if (store_user_version(s, &version, err, errlen) != 0)
		return -1;
	if (version > STORE_SCHEMA_VERSION) {
		util_err(err, errlen, "%s: database schema version %d is newer than"
		    " this logtriage supports (%d); upgrade logtriage", s->path,
		    version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (version == STORE_SCHEMA_VERSION)
		return s->readonly ? store_events_all_temp(s, err, errlen) :
		    store_upgrade(s, err, errlen);
	if (s->readonly) {
		util_err(err, errlen, "%s: not a logtriage database (schema version %d)",
		    s->path, version);
		return -1;
	}
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	/* Another process may have created it while we waited for the lock. */
	if (store_user_version(s, &version, err, errlen) != 0)
		goto fail;
	if (version == 0) {
		/*
		 * The schema goes only into an empty database: tables of
		 * another program's would be mixed with ours, or clash.
		 */
		/* any table, index, view or trigger */
		if (store_any_row(s, "SELECT 1 FROM sqlite_master LIMIT 1",
		    &foreign, err, errlen) != 0)
			goto fail;
		if (foreign) {
			util_err(err, errlen, "%s: not a logtriage database (it"
			    " holds tables of its own); give --db a new file or"
			    " a logtriage database", s->path);
			goto fail;
		}
		if (sqlite3_exec(s->db, store_schema_sql, NULL, NULL,
		    NULL) != SQLITE_OK) {
			store_fail(s, err, errlen, "creating the schema");
			goto fail;
		}
		if (store_exec(s, "PRAGMA user_version = "
		    STR(STORE_SCHEMA_VERSION), err, errlen) != 0)
			goto fail;
	}
	return store_exec(s, "COMMIT", err, errlen);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Is path on a file system mounted read-only? */
static int
store_readonly_fs(const char *path)
{
	struct statvfs sv;

	return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0;
}

/*
 * On a read-only file system WAL cannot create its -shm file, so readers
 * open the file as immutable: nothing can change it there anyway.
 */
static int
store_open_immutable(struct store *s, char *err, size_t errlen)
{
	struct buf uri;
	const char *p;
	int rc;

	buf_init(&uri);
	buf_puts(&uri, "file:");
	for (p = s->path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			buf_printf(&uri, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&uri, *p);
	}
	buf_puts(&uri, "?immutable=1");
	sqlite3_close(s->db);
	s->db = NULL;
	rc = sqlite3_open_v2(uri.data, &s->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
	buf_free(&uri);
	if (rc != SQLITE_OK) {
		if (s->db == NULL)
			util_err(err, errlen, "%s: cannot open database", s->path);
		else
			store_fail(s, err, errlen, "cannot open database");
		return -1;
	}
	sqlite3_extended_result_codes(s->db, 1);
	return 0;
}

/*
 * path as SQLite should be given it (caller frees): a path is a path, but
 * SQLite may be built to read "file:..." as a URI (file:x.db?mode=memory
 * would then be no file at all).
 */
static char *
store_plain_path(const char *path)
{
	return strncmp(path, "file:", 5) == 0 ? xasprintf("./%s", path) :
	    xstrdup(path);
}

static int claim_fd(struct store *, char *, size_t);
static int store_build_begin(struct store *, char *, size_t);
static int store_build_wait(struct store *, char *, size_t);
static int store_build_publish(struct store *, char *, size_t);
static int store_build_remove(const char *);
static int store_syncer_stop(struct store *);
static void store_build_kick(struct store *);

/* Whether path names no file or an empty one: a database to make. */
static int
store_is_new(const char *path)
{
	struct stat sb;

	return stat(path, &sb) != 0 ? errno == ENOENT : sb.st_size == 0;
}

struct store *
store_open(const char *path, int flags, char *err, size_t errlen)
{
	struct store *s;
	struct stat sb;
	char *plain;
	int oflags, i, rc, memory = strcmp(path, ":memory:") == 0, fresh;
	int imaged = 0;

	/*
	 * A database made here holds nothing a power cut could lose: written
	 * from the image, or else its creation (the switch to WAL goes
	 * through a rollback journal) and schema, it skips the six fsyncs
	 * they cost, a third of an empty run.
	 */
	fresh = !memory && !(flags & STORE_READONLY) && (flags & STORE_CREATE) &&
	    store_is_new(path);
	if (!memory && !(flags & STORE_CREATE) && stat(path, &sb) != 0) {
		if (errno == ENOENT)
			util_err(err, errlen, "no database at %s (run logtriage ingest first)", path);
		else
			util_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!memory && (flags & STORE_CREATE) && store_mkdirs(path, err, errlen) != 0)
		return NULL;

	/*
	 * SQLite's memory statistics take a global mutex on every allocation
	 * and nothing reads them.  Settable only before SQLite initialises
	 * itself: a later call is refused and changes nothing.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	s = xcalloc(1, sizeof *s);
	s->lockfd = -1;
	s->buildfd = -1;
	s->path = xstrdup(path);
	s->readonly = (flags & STORE_READONLY) != 0;
	if (fresh) {
		rc = (flags & STORE_BUILD) ? store_build_begin(s, err, errlen) :
		    store_build_wait(s, err, errlen);
		if (rc == -1)
			goto fail;
		if (rc == 1)
			imaged = 1;
		fresh = rc == 0 && store_is_new(path);
	}
	if (fresh && store_write_image(path) == 0) {
		imaged = 1;
		fresh = 0;
	}
	if (s->readonly)
		oflags = SQLITE_OPEN_READONLY;
	else if (flags & STORE_CREATE)
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else
		oflags = SQLITE_OPEN_READWRITE;
	plain = store_plain_path(s->building != NULL ? s->building : path);
	rc = sqlite3_open_v2(plain, &s->db, oflags | SQLITE_OPEN_NOMUTEX,
	    s->readonly ? NULL : store_wal_vfs());
	free(plain);
	if (rc != SQLITE_OK) {
		if (s->db == NULL)
			util_err(err, errlen, "%s: cannot open database", path);
		else
			store_fail(s, err, errlen, "cannot open database");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (s->readonly && !memory && store_readonly_fs(path) &&
	    store_open_immutable(s, err, errlen) != 0)
		goto fail;
	if (store_exec(s, "PRAGMA cache_size = -8192", err, errlen) != 0 ||
	    store_exec(s, "PRAGMA temp_store = MEMORY", err, errlen) != 0 ||
	    store_exec(s, "PRAGMA foreign_keys = OFF", err, errlen) != 0)
		goto fail;
	/*
	 * Debian's SQLite zeroes every cell and page it frees (built with
	 * SECURE_DELETE), 3% of an ingest's writer.  What an ingest frees
	 * are earlier versions of rows it keeps (an update, a recomputed
	 * incident) or rows it took back itself: nothing private.  The
	 * default stays wherever rows are deleted because a user asked
	 * (prune): there the zeroing is what keeps them from the file until
	 * its VACUUM rewrites it, and in its WAL.
	 */
	if ((flags & STORE_APPEND) && store_exec(s, "PRAGMA secure_delete = OFF",
	    err, errlen) != 0)
		goto fail;
	/*
	 * 8 KiB pages make the bulk inserts of ingest measurably cheaper (4 KiB
	 * and 16 KiB are slower).  Only a new file takes it, and only before
	 * the switch to WAL; an existing database keeps its own.
	 */
	if (!s->readonly && store_exec(s, "PRAGMA page_size = 8192", err,
	    errlen) != 0)
		goto fail;
	if ((fresh || imaged) && store_exec(s, "PRAGMA synchronous = OFF", err,
	    errlen) != 0)
		goto fail;
	/*
	 * The rollback journal holds a copy of each page a transaction
	 * changes that existed before it.  A batch that touches many sources
	 * changes a few index pages per source (some 26 KiB each, 55 MB for
	 * 2048): held in memory, that journal was most of the peak RSS.  In
	 * a file, never synced, memory stays within the page cache, and a
	 * batch of a few sources writes under a MiB of journal.
	 */
	if (s->building != NULL) {
		if (store_exec(s, "PRAGMA locking_mode = EXCLUSIVE", err,
		    errlen) != 0 || store_exec(s, "PRAGMA journal_mode = TRUNCATE",
		    err, errlen) != 0)
			goto fail;
	} else if (!s->readonly && (store_wal(s, err, errlen) != 0 ||
	    (!fresh && !imaged && store_exec(s, "PRAGMA synchronous = NORMAL",
	    err, errlen) != 0)))
		goto fail;
	s->unsynced = imaged && s->building == NULL;
	if (store_setup(s, imaged, err, errlen) != 0 ||
	    store_read_meta(s, err, errlen) != 0 ||
	    (s->untimed_ordinal == 0 && store_ordinal_decide(s, err,
	    errlen) != 0))
		goto fail;
	if (fresh && store_exec(s, "PRAGMA synchronous = NORMAL", err,
	    errlen) != 0)
		goto fail;
	if (!s->readonly) {
		for (i = 0; i < ST_COUNT; i++) {
			if (store_sql_lazy[i])
				continue;
			if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
			    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
				store_fail(s, err, errlen, "preparing statements");
				goto fail;
			}
		}
	}
	s->nslots = 64;
	s->slots = xcalloc(s->nslots, sizeof *s->slots);
	s->minutes = minutes_new();
	s->last_id = -1;
	return s;
fail:
	store_close(s);
	return NULL;
}

static void
store_cache_clear(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nslots; i++) {
		free(s->slots[i].name);
		s->slots[i].name = NULL;
	}
	s->nused = 0;
}

/* Close the connections (and stop the checkpoint thread): once. */
static void
store_shut(struct store *s)
{
	int i;

	if (s->ckpt != NULL) {
		if (s->ckpt->started)
			util_thread_stop(s->ckpt->thread, &s->ckpt->mu,
			    &s->ckpt->cv, &s->ckpt->quit, 1);
		ckpt_free(s->ckpt);
		s->ckpt = NULL;
	}
	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	sqlite3_finalize(s->look_find);
	sqlite3_finalize(s->look_max);
	s->look_find = s->look_max = NULL;
	if (s->look != s->db)
		sqlite3_close(s->look);
	s->look = NULL;
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		s->broken = 1;
	s->db = NULL;
}

int
store_finish(struct store *s, char *err, size_t errlen)
{
	if (s == NULL)
		return 0;
	store_shut(s);
	if (s->building == NULL)
		return 0;
	return store_build_publish(s, err, errlen);
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	store_shut(s);
	if (s->building != NULL) {
		(void)store_syncer_stop(s);
		(void)store_build_remove(s->building);
		free(s->building);
		close(s->buildfd);
	}
	minutes_free(s->minutes);
	free(s->pending);
	free(s->spans);
	free(s->ranges);
	free(s->keys);
	store_feed_free(&s->event_rows);
	store_feed_free(&s->sample_rows);
	util_index_free(&s->key_index);
	free(s->span_of);
	free(s->rowid);
	for (i = 0; i < (int)s->nsample_rules; i++)
		free(s->sample_rules[i]);
	free(s->sample_rules);
	free(s->sample_nos);
	if (s->slots != NULL)
		store_cache_clear(s);
	free(s->slots);
	if (s->lockfd != -1)
		close(s->lockfd);
	free(s->path);
	free(s);
}

static void *
store_ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;
	double cpu0 = util_thread_cpu();
	int rc;

	/*
	 * Opened here, not in the WAL hook that starts the thread: the
	 * committer, the writer of an ingest, is the busier thread.
	 */
	if (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, store_wal_ckpt_vfs()) != SQLITE_OK ||
	    sqlite3_busy_timeout(c->db, STORE_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		c->db = NULL;
		pthread_mutex_lock(&c->mu);
		c->gone = 1;
		pthread_cond_broadcast(&c->idle);
		pthread_mutex_unlock(&c->mu);
		return NULL;
	}
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->want && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->quit)
			break;
		c->want = 0;
		c->running = 1;
		pthread_mutex_unlock(&c->mu);
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
		c->running = 0;
		c->cpu = util_thread_cpu() - cpu0;
		if (rc == SQLITE_OK)
			c->done++;
		pthread_cond_broadcast(&c->idle);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Runs on the writing thread after each commit, instead of autocheckpoint. */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt *c = arg;

	/*
	 * Without the thread (it could not start, or could not open its
	 * connection) the committer copies at CKPT_FRAMES_FORCE below, so
	 * the WAL stays bounded all the same.
	 */
	if (frames >= CKPT_START && !c->started && !c->failed) {
		if (pthread_create(&c->thread, NULL, store_ckpt_main, c) == 0)
			c->started = 1;
		else
			c->failed = 1;
	}
	if (frames >= CKPT_FRAMES_FORCE) {
		/*
		 * A writer faster than the copying would starve the thread's
		 * checkpoints (each ends behind the new frames, so the WAL never
		 * starts over): wait for the one running, start none, and copy
		 * everything here, with no commit in between.
		 */
		pthread_mutex_lock(&c->mu);
		c->want = 0;
		while (c->running)
			pthread_cond_wait(&c->idle, &c->mu);
		pthread_mutex_unlock(&c->mu);
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	} else if (frames >= CKPT_FRAMES && c->started) {
		pthread_mutex_lock(&c->mu);
		c->want = 1;
		pthread_cond_signal(&c->cv);
		if (frames >= CKPT_RESTART)
			c->restart = 1;
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

/* Before a transaction begins: see CKPT_RESTART. */
static void
store_ckpt_settle(struct store *s)
{
	struct store_ckpt *c = s->ckpt;

	if (c == NULL || !c->restart)
		return;
	pthread_mutex_lock(&c->mu);
	while ((c->want || c->running) && !c->gone)
		pthread_cond_wait(&c->idle, &c->mu);
	c->restart = 0;
	pthread_mutex_unlock(&c->mu);
}

int
store_checkpoint_behind(struct store *s, char *err, size_t errlen)
{
	struct store_ckpt *c;

	if (s->readonly || s->ckpt != NULL || s->building != NULL ||
	    strcmp(s->path, ":memory:") == 0)
		return 0;
	c = xcalloc(1, sizeof *c);
	c->path = store_plain_path(s->path);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	pthread_cond_init(&c->idle, NULL);
	s->ckpt = c;
	sqlite3_wal_hook(s->db, store_wal_hook, c);
	return 0;
}

void
store_checkpoints_behind(struct store *s, uint64_t *done, double *cpu)
{
	uint64_t n = 0;
	double t = 0;

	if (s->ckpt != NULL) {
		pthread_mutex_lock(&s->ckpt->mu);
		n = s->ckpt->done;
		t = s->ckpt->cpu;
		pthread_mutex_unlock(&s->ckpt->mu);
	}
	if (done != NULL)
		*done = n;
	if (cpu != NULL)
		*cpu = t;
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

char *
store_default_path(const char *cli)
{
	const char *e;

	if (cli != NULL && *cli != '\0')
		return xstrdup(cli);
	if ((e = getenv("LOGTRIAGE_DB")) != NULL && *e != '\0')
		return xstrdup(e);
	if ((e = getenv("XDG_STATE_HOME")) != NULL && *e == '/')
		return xasprintf("%s/logtriage/logtriage.db", e);
	if ((e = getenv("HOME")) != NULL && *e != '\0')
		return xasprintf("%s/.local/state/logtriage/logtriage.db", e);
	return xstrdup("logtriage.db");
}

sqlite3_stmt *
store_prepare(struct store *s, int i, char *err, size_t errlen)
{
	if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
	    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
		store_fail(s, err, errlen, "preparing statements");
		return NULL;
	}
	return s->st[i];
}

int
store_begin(struct store *s, char *err, size_t errlen)
{
	s->last_id = -1;
	store_ckpt_settle(s);
	if (store_step(s, s->st[ST_BEGIN], err, errlen, "begin") != 0)
		return -1;
	if (s->samples_synced && store_samples_load(s, err, errlen) != 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/*
 * Bind change i of s->minutes to row k of st, a statement of four
 * parameters a row; b: what the row was bound to last, or NULL.  Sorted,
 * the changes repeat rule and source from one statement to the next, and
 * a parameter left bound to the same costs nothing.
 */
/* How many of the next n rows go to one statement: 16, 4 or 1. */
static size_t
store_rows_window(size_t n)
{
	return n >= STORE_EVENT_ROWS ? STORE_EVENT_ROWS :
	    n >= STORE_FEW_ROWS ? STORE_FEW_ROWS : 1;
}

static void
bind_minute(struct store *s, sqlite3_stmt *st, int k, size_t i,
    struct minute_bound *b)
{
	const char *rule;
	int64_t source_id, minute, delta;
	int all = b == NULL || !b->valid;

	minutes_get(s->minutes, i, &rule, &source_id, &minute, &delta);
	if (all || rule != b->rule)
		sqlite3_bind_text(st, k * 4 + 1, rule, -1, SQLITE_STATIC);
	if (all || source_id != b->source_id)
		sqlite3_bind_int64(st, k * 4 + 2, source_id);
	sqlite3_bind_int64(st, k * 4 + 3, minute);
	sqlite3_bind_int64(st, k * 4 + 4, delta);
	if (b != NULL) {
		b->rule = rule;
		b->source_id = source_id;
		b->valid = 1;
	}
}

/*
 * Write the transaction's event counts per minute into event_minutes, in
 * the order of its key: each row then goes beside the one before it,
 * which costs SQLite an eighth less than rows in the order met.  The keys
 * are distinct, so added counts go sixteen (or four) to a statement.
 */
static int
store_minutes_flush(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *rule;
	int64_t source_id, minute, delta;
	size_t i, k, m, n = minutes_count(s->minutes);
	int rc;

	minutes_sort(s->minutes);
	for (i = 0; i < n; i += m) {
		for (m = 0; i + m < n && m < STORE_EVENT_ROWS; m++) {
			minutes_get(s->minutes, i + m, &rule, &source_id,
			    &minute, &delta);
			if (delta <= 0)
				break;
		}
		if ((m = store_rows_window(m)) > 1) {
			if ((st = store_stmt(s, m == STORE_EVENT_ROWS ?
			    ST_MINUTES_ADD_MANY : ST_MINUTES_ADD_FEW, err,
			    errlen)) == NULL)
				return -1;
			for (k = 0; k < m; k++)
				bind_minute(s, st, (int)k, i + k,
				    m == STORE_EVENT_ROWS ? &s->mbound[k] : NULL);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc != SQLITE_DONE)
				return store_fail(s, err, errlen,
				    "counting events per minute");
			continue;
		}
		minutes_get(s->minutes, i, &rule, &source_id, &minute, &delta);
		if (delta == 0)
			continue;
		if ((st = store_stmt(s, ST_MINUTES_ADD, err, errlen)) == NULL)
			return -1;
		bind_minute(s, st, 0, i, NULL);
		if (store_step(s, st, err, errlen, "counting events per minute"))
			return -1;
		if (delta > 0)
			continue;
		if ((st = store_stmt(s, ST_MINUTES_DROP, err, errlen)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, source_id);
		sqlite3_bind_int64(st, 3, minute);
		if (store_step(s, st, err, errlen, "counting events per minute"))
			return -1;
	}
	minutes_clear(s->minutes);
	return 0;
}

void
store_minutes_note(struct store *s, const char *rule, int64_t source_id,
    int64_t ts, int64_t delta)
{
	if (ts != TS_NONE)
		minutes_add(s->minutes, rule, source_id, ts, delta);
}

int
store_commit(struct store *s, char *err, size_t errlen)
{
	if (store_minutes_flush(s, err, errlen) != 0 ||
	    store_samples_spans_flush(s, err, errlen) != 0)
		return -1;
	s->last_id = -1;
	if (store_step(s, s->st[ST_COMMIT], err, errlen, "commit") != 0)
		return -1;
	if (s->building != NULL)
		store_build_kick(s);
	if (s->unsynced) {
		s->unsynced = 0;
		return store_exec(s, "PRAGMA synchronous = NORMAL", err, errlen);
	}
	return 0;
}

void
store_rollback(struct store *s)
{
	minutes_clear(s->minutes);
	store_samples_spans_clear(s);
	s->last_id = -1;
	if (!sqlite3_get_autocommit(s->db))
		store_step(s, s->st[ST_ROLLBACK], NULL, 0, "rollback");
	/* Ids handed out inside the transaction no longer exist. */
	store_cache_clear(s);
}

int
store_sync_rules(struct store *s, const struct ruleset *rs, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_RULE_SET];
	const struct rule *r;
	struct buf slow;
	size_t i;

	buf_init(&slow);
	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->category != NULL ? r->category : "",
		    -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, (int)r->severity);
		bind_text_or_null(st, 4, r->summary);
		bind_text_or_null(st, 5, r->file);
		sqlite3_bind_int64(st, 6, (int64_t)r->hash);
		bind_text_or_null(st, 7, r->metric_field);
		bind_text_or_null(st, 8, r->metric_by);
		bind_text_or_null(st, 9, r->follows_rule);
		bind_text_or_null(st, 10, r->follows_by);
		bind_text_or_null(st, 11, r->expect_rule);
		bind_text_or_null(st, 12, r->expect_by);
		bind_text_or_null(st, 13, r->value_unit);
		buf_reset(&slow);
		if (r->has_slow)
			rule_threshold_text(&r->slow, r->value_unit, &slow);
		bind_text_or_null(st, 14, r->has_slow ? slow.data : NULL);
		bind_text_or_null(st, 15, r->counts);
		bind_text_or_null(st, 16, r->counts_by);
		bind_text_or_null(st, 17, r->means);
		if (store_step(s, st, err, errlen, "storing rules") != 0) {
			buf_free(&slow);
			return -1;
		}
	}
	buf_free(&slow);
	return store_samples_sync(s, rs, err, errlen);
}

static size_t
store_slot(const struct store *s, const char *name)
{
	size_t i = util_hash64(name, strlen(name), UTIL_HASH_SEED) & (s->nslots - 1);

	while (s->slots[i].name != NULL && strcmp(s->slots[i].name, name) != 0)
		i = (i + 1) & (s->nslots - 1);
	return i;
}

static void
store_cache_put(struct store *s, const char *name, int64_t id)
{
	struct source_slot *old;
	size_t i, n;

	if ((s->nused + 1) * 2 > s->nslots) {
		old = s->slots;
		n = s->nslots;
		s->nslots *= 2;
		s->slots = xcalloc(s->nslots, sizeof *s->slots);
		for (i = 0; i < n; i++) {
			if (old[i].name != NULL)
				s->slots[store_slot(s, old[i].name)] = old[i];
		}
		free(old);
	}
	i = store_slot(s, name);
	s->slots[i].name = xstrdup(name);
	s->slots[i].id = id;
	s->nused++;
}

/* The id of the source called name in *id, -1 if there is none. */
static int
store_source_lookup(struct store *s, const char *name, int64_t *id, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_SOURCE_GET];
	int rc;

	*id = -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "looking up a source");
	return 0;
}

int64_t
store_source_id(struct store *s, const char *name, const char *kind,
    const char *identity, char *err, size_t errlen)
{
	int created;

	return store_source_add(s, name, kind, identity, &created, err, errlen);
}

int64_t
store_source_add(struct store *s, const char *name, const char *kind,
    const char *identity, int *created, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t i = store_slot(s, name);
	int64_t id;

	*created = 0;
	if (s->slots[i].name != NULL)
		return s->slots[i].id;
	/*
	 * Names come in runs of known or of new ones (a re-read, or a
	 * compose prefix per line): after a new one, insert first and look
	 * up only if the name was there.
	 */
	id = -1;
	if (!s->adding && store_source_lookup(s, name, &id, err, errlen) != 0)
		return -1;
	if (id < 0) {
		/* another process may add the same name first: then use its row */
		st = s->st[ST_SOURCE_ADD];
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind != NULL ? kind : "file", -1, SQLITE_STATIC);
		bind_text_or_null(st, 3, identity);
		if (store_step(s, st, err, errlen, "adding a source") != 0)
			return -1;
		s->adding = sqlite3_changes(s->db) > 0;
		if (s->adding) {
			id = sqlite3_last_insert_rowid(s->db);
			*created = 1;
		} else if (store_source_lookup(s, name, &id, err, errlen) != 0 || id < 0)
			return store_fail(s, err, errlen, "adding a source");
	}
	/*
	 * Only names found stored: the caller keeps those it has met in
	 * this run, and a source per line would double the memory.
	 */
	if (!*created)
		store_cache_put(s, name, id);
	return id;
}

int
store_sources_apart(const struct store *s)
{
	/* a database being built has one connection: no other can read it */
	return strcmp(s->path, ":memory:") != 0 && s->building == NULL;
}

/* The connection of store_source_find, opened on first use.  0 or -1. */
static int
store_look(struct store *s, char *err, size_t errlen)
{
	char *plain;
	int rc;

	if (s->look != NULL)
		return 0;
	if (!store_sources_apart(s)) {
		s->look = s->db;
		goto prepare;
	}
	plain = store_plain_path(s->path);
	rc = sqlite3_open_v2(plain, &s->look, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL);
	free(plain);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(s->look, STORE_BUSY_MS);
prepare:
	if (sqlite3_prepare_v2(s->look, "SELECT id FROM sources WHERE name = ?1",
	    -1, &s->look_find, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->look, "SELECT max(id) FROM sources", -1,
	    &s->look_max, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	store_sql_error(s->look, err, errlen, "%s: looking up sources", s->path);
	sqlite3_finalize(s->look_find);
	sqlite3_finalize(s->look_max);
	s->look_find = s->look_max = NULL;
	if (s->look != s->db)
		sqlite3_close(s->look);
	s->look = NULL;
	return -1;
}

int
store_source_find(struct store *s, const char *name, int64_t *id, char *err,
    size_t errlen)
{
	int rc;

	*id = -1;
	if (store_look(s, err, errlen) != 0)
		return -1;
	sqlite3_bind_text(s->look_find, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->look_find);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s->look_find, 0);
	sqlite3_reset(s->look_find);
	sqlite3_clear_bindings(s->look_find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_sql_error(s->look, err, errlen, "%s: looking up a source",
		    s->path);
		return -1;
	}
	return 0;
}

static void
bind_source_row(sqlite3_stmt *st, int at, const struct store_source_row *r)
{
	sqlite3_bind_int64(st, at + 1, r->id);
	sqlite3_bind_text(st, at + 2, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, at + 3, r->kind != NULL ? r->kind : "file", -1,
	    SQLITE_STATIC);
	bind_text_or_null(st, at + 4, r->identity);
	if (r->first_ts != TS_NONE && r->last_ts != TS_NONE) {
		sqlite3_bind_int64(st, at + 5, r->first_ts);
		sqlite3_bind_int64(st, at + 6, r->last_ts);
	} else {
		sqlite3_bind_null(st, at + 5);
		sqlite3_bind_null(st, at + 6);
	}
}

int
store_sources_insert(struct store *s, const struct store_source_row *v,
    size_t n, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t i = 0, k;

	while (i < n) {
		if (n - i >= STORE_EVENT_ROWS) {
			if ((st = store_stmt(s, ST_SOURCE_INSERT_MANY, err,
			    errlen)) == NULL)
				return -1;
			for (k = 0; k < STORE_EVENT_ROWS; k++, i++)
				bind_source_row(st, (int)k * 6, &v[i]);
		} else {
			if ((st = store_stmt(s, ST_SOURCE_INSERT, err,
			    errlen)) == NULL)
				return -1;
			bind_source_row(st, 0, &v[i++]);
		}
		if (store_step(s, st, err, errlen, "adding sources") != 0)
			return -1;
	}
	return 0;
}

int
store_source_seen(struct store *s, int64_t source_id, int64_t min_ts,
    int64_t max_ts, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (min_ts == TS_NONE || max_ts == TS_NONE)
		return 0;
	if ((st = store_stmt(s, ST_SOURCE_SEEN, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, min_ts);
	sqlite3_bind_int64(st, 3, max_ts);
	return store_step(s, st, err, errlen, "updating a source");
}

int
store_sources_seen(struct store *s, const struct store_seen *v, size_t n,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t i = 0, k;

	while (i < n) {
		for (k = 0; i + STORE_EVENT_ROWS <= n && k < STORE_EVENT_ROWS; k++)
			if (v[i + k].min_ts == TS_NONE || v[i + k].max_ts == TS_NONE)
				break;
		if (i + STORE_EVENT_ROWS > n || k < STORE_EVENT_ROWS) {
			if (store_source_seen(s, v[i].source_id, v[i].min_ts,
			    v[i].max_ts, err, errlen) != 0)
				return -1;
			i++;
			continue;
		}
		if ((st = store_stmt(s, ST_SOURCE_SEEN_MANY, err,
		    errlen)) == NULL)
			return -1;
		for (k = 0; k < STORE_EVENT_ROWS; k++, i++) {
			sqlite3_bind_int64(st, (int)k * 3 + 1, v[i].source_id);
			sqlite3_bind_int64(st, (int)k * 3 + 2, v[i].min_ts);
			sqlite3_bind_int64(st, (int)k * 3 + 3, v[i].max_ts);
		}
		if (store_step(s, st, err, errlen, "updating a source") != 0)
			return -1;
	}
	return 0;
}

int64_t
store_ingest_begin(struct store *s, const char *input, const char *source,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_INGEST_ADD];

	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	bind_text_or_null(st, 2, source);
	sqlite3_bind_int64(st, 3, util_now_ms());
	if (store_step(s, st, err, errlen, "recording the ingest") != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

static void
bind_ts(sqlite3_stmt *st, int i, int64_t ts)
{
	if (ts == TS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, ts);
}

int
store_ingest_update(struct store *s, int64_t ingest_id,
    const struct store_ingest_counts *c, const char *status, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_INGEST_UPDATE];

	sqlite3_bind_int64(st, 1, ingest_id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	if (strcmp(status, "running") == 0)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_int64(st, 3, util_now_ms());
	sqlite3_bind_int64(st, 4, (int64_t)c->bytes);
	sqlite3_bind_int64(st, 5, (int64_t)c->lines);
	sqlite3_bind_int64(st, 6, (int64_t)c->records);
	sqlite3_bind_int64(st, 7, (int64_t)c->events);
	sqlite3_bind_int64(st, 8, (int64_t)c->duplicates);
	sqlite3_bind_int64(st, 9, (int64_t)c->malformed);
	sqlite3_bind_int64(st, 10, (int64_t)c->truncated);
	sqlite3_bind_int64(st, 11, (int64_t)c->no_timestamp);
	sqlite3_bind_int64(st, 12, (int64_t)c->backwards);
	sqlite3_bind_int64(st, 13, (int64_t)c->bad_utf8);
	sqlite3_bind_int64(st, 14, (int64_t)c->nul_bytes);
	sqlite3_bind_int64(st, 15, (int64_t)c->regex_errors);
	sqlite3_bind_int64(st, 16, (int64_t)c->skipped_bytes);
	bind_ts(st, 17, c->first_ts);
	bind_ts(st, 18, c->last_ts);
	sqlite3_bind_int64(st, 19, (int64_t)c->untimed);
	return store_step(s, st, err, errlen, "updating the ingest");
}

int
store_input_get(struct store *s, const char *path, uint64_t fingerprint,
    uint64_t *offset, uint64_t *lineno, int64_t *ts, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_INPUT_GET];
	int rc;

	*offset = *lineno = 0;
	if (ts != NULL)
		*ts = TS_NONE;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*offset = (uint64_t)sqlite3_column_int64(st, 0);
		*lineno = (uint64_t)sqlite3_column_int64(st, 1);
		if (ts != NULL && sqlite3_column_type(st, 2) != SQLITE_NULL)
			*ts = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading a resume point");
	return 0;
}

int
store_input_set(struct store *s, const char *path, uint64_t fingerprint,
    uint64_t offset, uint64_t lineno, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_INPUT_SET];

	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	sqlite3_bind_int64(st, 3, (int64_t)offset);
	sqlite3_bind_int64(st, 4, (int64_t)lineno);
	sqlite3_bind_int64(st, 5, util_now_ms());
	return store_step(s, st, err, errlen, "saving a resume point");
}

/*
 * The ordinal state as databases made before kept it, one blob per input:
 * 28 bytes per entry, little-endian.  Per source now: (hash, n) as 12.
 */
#define ORD_PACKED 28
#define ORD_COUNT_PACKED 12

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The state kept in inputs.ordinals by databases made before. */
static int
store_ordinals_get_old(struct store *s, const char *path, uint64_t fingerprint,
    struct store_ordinal **ords, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_ORD_GET_OLD];
	const unsigned char *p;
	struct store_ordinal *o;
	size_t i, len;
	int rc;

	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (p = sqlite3_column_blob(st, 0)) != NULL &&
	    (len = (size_t)sqlite3_column_bytes(st, 0) / ORD_PACKED) > 0) {
		o = xcalloc(len, sizeof *o);
		for (i = 0; i < len; i++, p += ORD_PACKED) {
			o[i].source_id = (int64_t)get_le(p, 8);
			o[i].ts = (int64_t)get_le(p + 8, 8);
			o[i].hash = get_le(p + 16, 8);
			o[i].n = (int)(uint32_t)get_le(p + 24, 4);
		}
		*ords = o;
		*n = len;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading ordinals of a resume point");
	return 0;
}

int
store_ordinals_get(struct store *s, const char *path, uint64_t fingerprint,
    struct store_ordinal **ords, size_t *n, int *old, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_ORD_GET];
	const unsigned char *p;
	struct store_ordinal *o = NULL;
	size_t i, len, cap = 0, no = 0;
	int64_t sid, ts;
	int rc, rows = 0;

	*ords = NULL;
	*n = 0;
	*old = 0;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows = 1;
		sid = sqlite3_column_int64(st, 0);
		ts = sqlite3_column_int64(st, 1);
		p = sqlite3_column_blob(st, 2);
		len = p == NULL ? 0 :
		    (size_t)sqlite3_column_bytes(st, 2) / ORD_COUNT_PACKED;
		for (i = 0; i < len; i++, p += ORD_COUNT_PACKED) {
			o = util_grow(o, &cap, no, sizeof *o, 64);
			o[no].source_id = sid;
			o[no].ts = ts;
			o[no].hash = get_le(p, 8);
			o[no].n = (int)(uint32_t)get_le(p + 8, 4);
			no++;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		free(o);
		return store_fail(s, err, errlen, "reading ordinals of a resume point");
	}
	*ords = o;
	*n = no;
	if (rows)
		return 0;
	*old = 1;
	return store_ordinals_get_old(s, path, fingerprint, ords, n, err, errlen);
}

int
store_ordinals_clear(struct store *s, const char *path, uint64_t fingerprint,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < 2; i++) {
		st = s->st[i == 0 ? ST_ORD_CLEAR : ST_ORD_CLEAR_OLD];
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
		if (store_step(s, st, err, errlen,
		    "clearing ordinals of a resume point") != 0)
			return -1;
	}
	return 0;
}

int
store_ordinals_put(struct store *s, const char *path, uint64_t fingerprint,
    int64_t source_id, int64_t ts, const struct store_ordinal *ords, size_t n,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	unsigned char *p, *blob;
	size_t i;
	int rc;

	if ((st = store_stmt(s, ST_ORD_PUT, err, errlen)) == NULL)
		return -1;
	blob = xmalloc(n * ORD_COUNT_PACKED + 1);
	for (i = 0, p = blob; i < n; i++, p += ORD_COUNT_PACKED) {
		put_le(p, ords[i].hash, 8);
		put_le(p + 8, (uint32_t)ords[i].n, 4);
	}
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	sqlite3_bind_int64(st, 3, source_id);
	sqlite3_bind_int64(st, 4, ts);
	if (n > 0)
		sqlite3_bind_blob(st, 5, blob, (int)(n * ORD_COUNT_PACKED),
		    SQLITE_STATIC);
	rc = store_step(s, st, err, errlen, "saving ordinals of a resume point");
	free(blob);
	return rc;
}

int
store_ordinals_put_rows(struct store *s, const char *path,
    uint64_t fingerprint, const struct store_ordinals_row *rows, size_t n,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	unsigned char *blob = NULL, *p;
	size_t i, k, j, total, cap = 0;
	int rc = 0, b;

	for (i = 0; rc == 0 && i < n; ) {
		if (n - i < STORE_EVENT_ROWS) {
			rc = store_ordinals_put(s, path, fingerprint,
			    rows[i].source_id, rows[i].ts, rows[i].ords,
			    rows[i].n, err, errlen);
			i++;
			continue;
		}
		if ((st = store_stmt(s, ST_ORD_PUT_MANY, err, errlen)) == NULL) {
			rc = -1;
			break;
		}
		for (k = total = 0; k < STORE_EVENT_ROWS; k++)
			total += rows[i + k].n * ORD_COUNT_PACKED;
		if (total + 1 > cap) {
			cap = total + 1;
			blob = xrealloc(blob, cap);
		}
		for (k = 0, p = blob; k < STORE_EVENT_ROWS; k++, i++) {
			b = (int)k * 5;
			sqlite3_bind_text(st, b + 1, path, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, b + 2, (int64_t)fingerprint);
			sqlite3_bind_int64(st, b + 3, rows[i].source_id);
			sqlite3_bind_int64(st, b + 4, rows[i].ts);
			if (rows[i].n == 0) {
				sqlite3_bind_null(st, b + 5);
				continue;
			}
			sqlite3_bind_blob(st, b + 5, p,
			    (int)(rows[i].n * ORD_COUNT_PACKED), SQLITE_STATIC);
			for (j = 0; j < rows[i].n; j++, p += ORD_COUNT_PACKED) {
				put_le(p, rows[i].ords[j].hash, 8);
				put_le(p + 8, (uint32_t)rows[i].ords[j].n, 4);
			}
		}
		rc = store_step(s, st, err, errlen,
		    "saving ordinals of a resume point");
	}
	free(blob);
	return rc;
}

int
store_input_time_set(struct store *s, const char *path, uint64_t fingerprint,
    int64_t ts, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_INPUT_TS_SET];

	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	bind_ts(st, 3, ts);
	return store_step(s, st, err, errlen, "saving a resume point");
}

int
store_input_rules_get(struct store *s, const char *path, uint64_t fingerprint,
    uint64_t *rules, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_INPUT_RULES_GET];
	int rc;

	*rules = 0;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*rules = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading the rules of a resume point");
	return 0;
}

int
store_input_rules_set(struct store *s, const char *path, uint64_t fingerprint,
    uint64_t rules, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_INPUT_RULES_SET];

	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)fingerprint);
	sqlite3_bind_int64(st, 3, (int64_t)rules);
	return store_step(s, st, err, errlen, "saving a resume point");
}

/* The packed texts of a volume mark: 12 bytes per entry, little-endian. */
#define VMARK_PACKED 12

int
store_vmark_get(struct store *s, int64_t source_id, const char *input,
    struct store_vmark *m, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_VMARK_GET];
	const unsigned char *p;
	size_t i, n;
	int rc;

	m->ts = TS_NONE;
	m->offset = 0;
	m->n = 0;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, input, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m->ts = sqlite3_column_int64(st, 0);
		m->offset = (uint64_t)sqlite3_column_int64(st, 1);
		p = sqlite3_column_blob(st, 2);
		n = p != NULL ? (size_t)sqlite3_column_bytes(st, 2) /
		    VMARK_PACKED : 0;
		if (n > m->cap) {
			m->texts = xrealloc(m->texts, n * sizeof *m->texts);
			m->cap = n;
		}
		for (i = 0; i < n; i++, p += VMARK_PACKED) {
			m->texts[i].hash = get_le(p, 8);
			m->texts[i].n = (uint32_t)get_le(p + 8, 4);
		}
		m->n = n;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading a volume mark");
	return 0;
}

int
store_vmark_count(struct store *s, const char *input, const char *not1,
    const char *not2, int64_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((st = store_stmt(s, ST_VMARK_COUNT, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, not1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, not2, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, errlen, "counting volume marks");
	return 0;
}

int
store_vmark_set(struct store *s, int64_t source_id, const char *input,
    const struct store_vmark *m, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	unsigned char *p, *blob;
	size_t i;
	int rc;

	if ((st = store_stmt(s, ST_VMARK_SET, err, errlen)) == NULL)
		return -1;
	blob = xmalloc(m->n * VMARK_PACKED + 1);
	for (i = 0, p = blob; i < m->n; i++, p += VMARK_PACKED) {
		put_le(p, m->texts[i].hash, 8);
		put_le(p + 8, m->texts[i].n, 4);
	}
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, input, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, m->ts);
	sqlite3_bind_int64(st, 4, (int64_t)m->offset);
	if (m->n > 0)
		sqlite3_bind_blob(st, 5, blob, (int)(m->n * VMARK_PACKED),
		    SQLITE_STATIC);
	rc = store_step(s, st, err, errlen, "saving a volume mark");
	free(blob);
	return rc;
}

int
store_vmark_set_rows(struct store *s, const char *input,
    const struct store_vmark_row *rows, size_t n, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	struct store_vmark m;
	unsigned char *blob = NULL, *p;
	size_t i, k, j, total, cap = 0;
	int rc = 0, b;

	for (i = 0; rc == 0 && i < n; ) {
		if (n - i < STORE_EVENT_ROWS) {
			m.ts = rows[i].ts;
			m.offset = rows[i].offset;
			m.texts = (struct store_vtext *)rows[i].texts;
			m.n = m.cap = rows[i].n;
			rc = store_vmark_set(s, rows[i].source_id, input, &m,
			    err, errlen);
			i++;
			continue;
		}
		if ((st = store_stmt(s, ST_VMARK_SET_MANY, err, errlen)) == NULL) {
			rc = -1;
			break;
		}
		for (k = total = 0; k < STORE_EVENT_ROWS; k++)
			total += rows[i + k].n * VMARK_PACKED;
		if (total + 1 > cap) {
			cap = total + 1;
			blob = xrealloc(blob, cap);
		}
		for (k = 0, p = blob; k < STORE_EVENT_ROWS; k++, i++) {
			b = (int)k * 5;
			sqlite3_bind_int64(st, b + 1, rows[i].source_id);
			sqlite3_bind_text(st, b + 2, input, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, b + 3, rows[i].ts);
			sqlite3_bind_int64(st, b + 4, (int64_t)rows[i].offset);
			if (rows[i].n == 0) {
				sqlite3_bind_null(st, b + 5);
				continue;
			}
			sqlite3_bind_blob(st, b + 5, p,
			    (int)(rows[i].n * VMARK_PACKED), SQLITE_STATIC);
			for (j = 0; j < rows[i].n; j++, p += VMARK_PACKED) {
				put_le(p, rows[i].texts[j].hash, 8);
				put_le(p + 8, rows[i].texts[j].n, 4);
			}
		}
		rc = store_step(s, st, err, errlen, "saving a volume mark");
	}
	free(blob);
	return rc;
}

/* The largest id of events and samples: the next rows' are past it. */
static int
store_read_last_id(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s, ST_NEXT_ID, err, errlen);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		s->last_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, errlen, "reading the last event id");
	return 0;
}

/* Store the events of event_rows; *changes: how many were new. */
static int
store_add_fed(struct store *s, int *changes, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if ((st = store_stmt(s, ST_EVENT_ADD_FED, err, errlen)) == NULL ||
	    store_step(s, st, err, errlen, "storing an event") != 0)
		return -1;
	*changes = sqlite3_changes(s->db);
	return 0;
}

/*
 * Store the events (not samples) of evs[0..n): each new row of evs gets
 * the id it would have had had every row gone to events one by one, in
 * order.  The events go in one statement, numbered as if all were new;
 * when only some were, what it added is taken back and they go one by
 * one.  Then the new samples, with their ids, wait in s->sample_rows.
 */
static int
store_add_events(struct store *s, const struct store_event *evs, size_t n,
    unsigned char *added, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int64_t id = s->last_id;
	size_t k;
	int changes = 0, one;

	s->event_rows.n = 0;
	for (k = 0; k < n; k++) {
		if (s->span_of[k] >= 0 && !added[k])
			continue;
		s->rowid[k] = ++id;
		if (s->span_of[k] < 0)
			store_feed_add(&s->event_rows, &evs[k], id, 0);
	}
	if (s->event_rows.n > 0 && store_add_fed(s, &changes, err, errlen) != 0)
		return -1;
	if ((size_t)changes == s->event_rows.n) {
		for (k = 0; k < n; k++)
			if (s->span_of[k] < 0)
				added[k] = 1;
	} else {
		if (changes > 0) {
			if ((st = store_stmt(s, ST_EVENT_UNDO, err,
			    errlen)) == NULL)
				return -1;
			sqlite3_bind_int64(st, 1, s->last_id);
			sqlite3_bind_int64(st, 2, id);
			if (store_step(s, st, err, errlen, "storing an event"))
				return -1;
		}
		id = s->last_id;
		for (k = 0; k < n; k++) {
			if (s->span_of[k] >= 0) {
				if (added[k])
					s->rowid[k] = ++id;
				continue;
			}
			added[k] = 0;
			if (changes == 0)
				continue;
			s->event_rows.n = 0;
			store_feed_add(&s->event_rows, &evs[k], id + 1, 0);
			if (store_add_fed(s, &one, err, errlen) != 0)
				return -1;
			if (one > 0) {
				added[k] = 1;
				s->rowid[k] = ++id;
			}
		}
	}
	s->last_id = id;
	s->event_rows.n = 0;
	s->sample_rows.n = 0;
	for (k = 0; k < n; k++)
		if (s->span_of[k] >= 0 && added[k])
			store_feed_add(&s->sample_rows, &evs[k], s->rowid[k],
			    s->spans[s->span_of[k]].rule_no);
	return 0;
}

/* Make the call's rows readable as event_feed and sample_feed. */
static int
store_feeds(struct store *s, char *err, size_t errlen)
{
	s->sample_rows.by_name = 0;
	s->event_rows.by_name = 1;
	if (store_feed_register(s->db, "event_feed", &s->event_rows) !=
	    SQLITE_OK || store_feed_register(s->db, "sample_feed",
	    &s->sample_rows) != SQLITE_OK)
		return store_fail(s, err, errlen, "storing events");
	s->fed = 1;
	return 0;
}

int
store_insert_events(struct store *s, const struct store_event *evs, size_t n,
    unsigned char *added, size_t *nadded, int64_t *ids, char *err,
    size_t errlen)
{
	size_t k, first;
	int64_t run, minute, run_minute = 0;
	int any;

	*nadded = 0;
	if (n == 0)
		return 0;
	if (n > s->call_cap) {
		s->call_cap = n;
		s->span_of = xrealloc(s->span_of, n * sizeof *s->span_of);
		s->rowid = xrealloc(s->rowid, n * sizeof *s->rowid);
	}
	if (!s->fed && store_feeds(s, err, errlen) != 0)
		return -1;
	if ((s->last_id < 0 || sqlite3_get_autocommit(s->db)) &&
	    store_read_last_id(s, err, errlen) != 0)
		return -1;
	if (store_samples_sort(s, evs, n, added, &any, err, errlen) != 0)
		return -1;
	if (store_add_events(s, evs, n, added, err, errlen) != 0 ||
	    store_samples_flush(s, err, errlen) != 0)
		goto fail;
	/*
	 * Events come in runs of one rule, source and minute: each run is
	 * counted at once.
	 */
	for (k = 0, run = 0, first = 0; k < n; k++) {
		if (ids != NULL)
			ids[k] = added[k] ? s->rowid[k] : 0;
		if (!added[k])
			continue;
		(*nadded)++;
		if (evs[k].ts == TS_NONE)
			continue;
		minute = minutes_of(evs[k].ts);
		if (run > 0 && evs[k].rule == evs[first].rule &&
		    evs[k].source_id == evs[first].source_id &&
		    minute == run_minute) {
			run++;
			continue;
		}
		if (run > 0)
			store_minutes_note(s, evs[first].rule,
			    evs[first].source_id, evs[first].ts, run);
		first = k;
		run = 1;
		run_minute = minute;
	}
	if (run > 0)
		store_minutes_note(s, evs[first].rule, evs[first].source_id,
		    evs[first].ts, run);
	if (any)
		store_samples_spans_note(s);
	/* Without a transaction each statement was one: count it now. */
	if (sqlite3_get_autocommit(s->db))
		return store_minutes_flush(s, err, errlen) != 0 ||
		    store_samples_spans_flush(s, err, errlen) != 0 ? -1 : 0;
	return 0;
fail:
	s->sample_rows.n = 0;
	return -1;
}

int
store_volume_add(struct store *s, int64_t source_id, int64_t minute,
    uint64_t lines, uint64_t records, uint64_t bytes, uint64_t malformed,
    uint64_t truncated, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if ((st = store_stmt(s, ST_VOLUME_ADD, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, minute);
	sqlite3_bind_int64(st, 3, (int64_t)lines);
	sqlite3_bind_int64(st, 4, (int64_t)records);
	sqlite3_bind_int64(st, 5, (int64_t)bytes);
	sqlite3_bind_int64(st, 6, (int64_t)malformed);
	sqlite3_bind_int64(st, 7, (int64_t)truncated);
	return store_step(s, st, err, errlen, "counting volume");
}

static int
volume_cmp(const void *a, const void *b)
{
	const struct store_volume *x = a, *y = b;

	if (x->source_id != y->source_id)
		return x->source_id < y->source_id ? -1 : 1;
	return x->minute < y->minute ? -1 : x->minute > y->minute;
}

/*
 * Bind v to row k of st, a statement of seven parameters a row; b: what
 * the row's source was bound to last, or NULL (as bind_minute).
 */
static void
bind_volume(sqlite3_stmt *st, int k, const struct store_volume *v,
    struct volume_bound *b)
{
	int at = k * 7;

	if (b == NULL || !b->valid || v->source_id != b->source_id)
		sqlite3_bind_int64(st, at + 1, v->source_id);
	sqlite3_bind_int64(st, at + 2, v->minute);
	sqlite3_bind_int64(st, at + 3, (int64_t)v->lines);
	sqlite3_bind_int64(st, at + 4, (int64_t)v->records);
	sqlite3_bind_int64(st, at + 5, (int64_t)v->bytes);
	sqlite3_bind_int64(st, at + 6, (int64_t)v->malformed);
	sqlite3_bind_int64(st, at + 7, (int64_t)v->truncated);
	if (b != NULL) {
		b->source_id = v->source_id;
		b->valid = 1;
	}
}

/*
 * In the table's key order, as store_minutes_flush writes, and sixteen
 * (or four) rows to a statement.
 */
int
store_volume_add_rows(struct store *s, struct store_volume *v, size_t n,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t i, k, m;
	int rc;

	qsort(v, n, sizeof *v, volume_cmp);
	for (i = 0; i < n; i += m) {
		if ((m = store_rows_window(n - i)) == 1) {
			if (store_volume_add(s, v[i].source_id, v[i].minute,
			    v[i].lines, v[i].records, v[i].bytes, v[i].malformed,
			    v[i].truncated, err, errlen) != 0)
				return -1;
			continue;
		}
		if ((st = store_stmt(s, m == STORE_EVENT_ROWS ?
		    ST_VOLUME_ADD_MANY : ST_VOLUME_ADD_FEW, err,
		    errlen)) == NULL)
			return -1;
		for (k = 0; k < m; k++)
			bind_volume(st, (int)k, &v[i + k], m == STORE_EVENT_ROWS ?
			    &s->vbound[k] : NULL);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, err, errlen, "counting volume");
	}
	return 0;
}

int
store_newest_log_time(struct store *s, int64_t *ts, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	*ts = TS_NONE;
	if (sqlite3_prepare_v2(s->db, "SELECT max(last_ts) FROM sources", -1,
	    &st, NULL) != SQLITE_OK)
		return store_fail(s, err, errlen, "newest log time");
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_fail(s, err, errlen, "newest log time");
		sqlite3_finalize(st);
		return -1;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		*ts = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Input claims are open file description locks on PATH-lock, two bytes
 * per input (by a hash of its key): the first held while a process reads
 * the input, the second while it follows it.  SQLite's own locks are on
 * other files, so closing this one never drops them.
 */
#define CLAIM_RANGE	((uint64_t)1 << 40)
#define CLAIM_WAIT_MS	100

static int
claim_lock(int fd, short type, int cmd, off_t at, struct flock *fl)
{
	memset(fl, 0, sizeof *fl);
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = at;
	fl->l_len = 1;
	return fcntl(fd, cmd, fl);
}

/* Open PATH-lock once.  0 or -1. */
static int
claim_fd(struct store *s, char *err, size_t errlen)
{
	char *lock;

	if (s->lockfd != -1)
		return 0;
	lock = xasprintf("%s-lock", s->path);
	s->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->lockfd == -1) {
		util_err(err, errlen, "%s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	free(lock);
	return 0;
}

int
store_input_claim(struct store *s, const char *key, int follow,
    volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct flock fl;
	off_t at;

	if (strcmp(s->path, ":memory:") == 0 || s->readonly)
		return 0;
	if (claim_fd(s, err, errlen) != 0)
		return -1;
	at = (off_t)(2 * (util_hash64(key, strlen(key), UTIL_HASH_SEED) %
	    CLAIM_RANGE));
	while (claim_lock(s->lockfd, F_WRLCK, F_OFD_SETLK, at, &fl) == -1) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			util_err(err, errlen, "%s-lock: %s", s->path,
			    strerror(errno));
			return -1;
		}
		/* A follower does not finish: do not wait for it. */
		if (claim_lock(s->lockfd, F_WRLCK, F_OFD_GETLK, at + 1,
		    &fl) == 0 && fl.l_type != F_UNLCK)
			return 1;
		if (stop != NULL && *stop)
			return 2;
		usleep(CLAIM_WAIT_MS * 1000);
	}
	if (follow && claim_lock(s->lockfd, F_WRLCK, F_OFD_SETLK, at + 1,
	    &fl) == -1) {
		util_err(err, errlen, "%s-lock: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

void
store_input_release(struct store *s, const char *key)
{
	struct flock fl;
	off_t at;

	if (s->lockfd == -1)
		return;
	at = (off_t)(2 * (util_hash64(key, strlen(key), UTIL_HASH_SEED) %
	    CLAIM_RANGE));
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = at;
	fl.l_len = 2;
	fcntl(s->lockfd, F_OFD_SETLK, &fl);
}

/* The sources claim: the byte past every input claim's. */
#define CLAIM_SOURCES	((off_t)(2 * CLAIM_RANGE))

/*
 * A new database that one ingest of files fills from start to end
 * (STORE_BUILD) is built where no reader looks: at PATH-build, locked for
 * its one connection, its rollback journal at PATH-build-journal and
 * nothing synced until store_finish links it to PATH whole.  Each new page
 * is written once (a page a batch changes is first copied to the journal),
 * where in WAL mode it is written to the WAL and copied again.  An ingest
 * killed halfway leaves no database rather than a part of one, and the
 * next run starts over.  The byte CLAIM_BUILD of PATH-lock is held
 * meanwhile: every other open that would make PATH waits for it first, so
 * PATH is still free at the link, and a PATH-build and its journal left by
 * a run that was killed are removed by the next that takes the claim.
 */
#define CLAIM_BUILD	(CLAIM_SOURCES + 1)
/* bytes a build adds before they are synced behind the writer */
#define BUILD_KICK	((off_t)4 << 20)

/*
 * The thread that syncs a build's file behind its writer: the sync
 * before the link then finds little left to write.  On a disk (a
 * virtual one) where a sync costs a millisecond a MiB however early the
 * write-back was started, closing a 1 GiB ingest waited 0.1 s for the
 * whole file.  The thread spends its time waiting on the disk.
 */
struct store_syncer {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* want or quit set */
	int			 fd;
	int			 want;
	int			 quit;
	int			 err;		/* errno of a sync that failed */
};

static void *
store_syncer_main(void *arg)
{
	struct store_syncer *y = arg;
	int rc;

	pthread_mutex_lock(&y->mu);
	for (;;) {
		while (!y->want && !y->quit)
			pthread_cond_wait(&y->cv, &y->mu);
		if (y->quit)
			break;
		y->want = 0;
		pthread_mutex_unlock(&y->mu);
		/*
		 * A failed sync may clear the file's error, so that the sync
		 * before the link succeeds on pages that were lost: it is kept.
		 */
		rc = fdatasync(y->fd) == 0 ? 0 : errno;
		pthread_mutex_lock(&y->mu);
		if (rc != 0 && y->err == 0)
			y->err = rc;
	}
	pthread_mutex_unlock(&y->mu);
	return NULL;
}

/*
 * End the syncer, its sync done, before the file is closed: 0, or the
 * errno of a sync of its that failed.
 */
static int
store_syncer_stop(struct store *s)
{
	struct store_syncer *y = s->syncer;
	int err;

	if (y == NULL)
		return 0;
	util_thread_stop(y->thread, &y->mu, &y->cv, &y->quit, 1);
	err = y->err;
	pthread_mutex_destroy(&y->mu);
	pthread_cond_destroy(&y->cv);
	free(y);
	s->syncer = NULL;
	return err;
}

static int
store_build_lock(struct store *s, char *err, size_t errlen)
{
	struct flock fl;

	if (claim_fd(s, err, errlen) != 0)
		return -1;
	while (claim_lock(s->lockfd, F_WRLCK, F_OFD_SETLKW, CLAIM_BUILD,
	    &fl) == -1) {
		if (errno != EINTR) {
			util_err(err, errlen, "%s-lock: %s", s->path,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void
store_build_unlock(struct store *s)
{
	struct flock fl;

	claim_lock(s->lockfd, F_UNLCK, F_OFD_SETLK, CLAIM_BUILD, &fl);
}

/*
 * Remove a build's file and its journal, the journal first: SQLite would
 * play a journal left beside it back into a new file of the same name.
 * 0, or -1 with errno.
 */
static int
store_build_remove(const char *build)
{
	char *journal = xasprintf("%s-journal", build);
	int rc = 0;

	if ((unlink(journal) != 0 && errno != ENOENT) ||
	    (unlink(build) != 0 && errno != ENOENT))
		rc = -1;
	free(journal);
	return rc;
}

/*
 * Start building path unseen: 1 when building (s->building names the
 * file), 0 when path is to be opened as before (another process made it
 * while this one waited), -1 with err.
 */
static int
store_build_begin(struct store *s, char *err, size_t errlen)
{
	struct stat sb;
	char *build;
	int fd = -1;

	if (store_build_lock(s, err, errlen) != 0)
		return -1;
	/* an empty file at path is a database to make, but there already */
	if (stat(s->path, &sb) == 0 || errno != ENOENT) {
		store_build_unlock(s);
		return 0;
	}
	/* what a killed build left goes; no other process looks at it */
	build = xasprintf("%s-build", s->path);
	if (store_build_remove(build) != 0 ||
	    (fd = open(build, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1 || store_image_write(fd, 0) != 0) {
		util_err(err, errlen, "%s: %s", build, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(build);
		}
		free(build);
		store_build_unlock(s);
		return -1;
	}
	/*
	 * The image's pages start for the disk now, while the rules and the
	 * input are read: the sync before the link finds them written.
	 */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	s->building = build;
	s->buildfd = fd;
	return 1;
}

/*
 * Before making path: wait while another process builds it, and remove
 * what a build that was killed left.  0 or -1.
 */
static int
store_build_wait(struct store *s, char *err, size_t errlen)
{
	char *build;

	if (store_build_lock(s, err, errlen) != 0)
		return -1;
	build = xasprintf("%s-build", s->path);
	(void)store_build_remove(build);
	free(build);
	store_build_unlock(s);
	return 0;
}

/*
 * After a commit: have what the commits added synced behind the writer
 * (store_syncer), a few MiB at a time.  Without a thread, the write-back
 * is only started.
 */
static void
store_build_kick(struct store *s)
{
	struct store_syncer *y = s->syncer;
	struct stat sb;

	if (fstat(s->buildfd, &sb) != 0 || sb.st_size < s->kicked + BUILD_KICK)
		return;
	s->kicked = sb.st_size;
	if (y == NULL) {
		y = xcalloc(1, sizeof *y);
		y->fd = s->buildfd;
		pthread_mutex_init(&y->mu, NULL);
		pthread_cond_init(&y->cv, NULL);
		if (pthread_create(&y->thread, NULL, store_syncer_main, y) != 0) {
			pthread_mutex_destroy(&y->mu);
			pthread_cond_destroy(&y->cv);
			free(y);
			(void)sync_file_range(s->buildfd, 0, sb.st_size,
			    SYNC_FILE_RANGE_WRITE);
			return;
		}
		s->syncer = y;
	}
	pthread_mutex_lock(&y->mu);
	y->want = 1;
	pthread_cond_signal(&y->cv);
	pthread_mutex_unlock(&y->mu);
}

/*
 * After a failed write (a full disk), whether SQLite's rollback left the
 * built file whole.  A rollback that could not write left its journal,
 * which this connection plays back (it may write) before the check.  A
 * file that passes keeps the batches committed before the failure, as a
 * WAL database does.
 */
static int
store_build_whole(struct store *s)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int whole = 0;

	if (sqlite3_open_v2(s->building, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		whole = strcmp((const char *)sqlite3_column_text(st, 0), "ok") ==
		    0 && sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return whole;
}

/*
 * The built file, closed by SQLite, becomes path: in WAL mode like every
 * other database, its pages on disk before it has the name, and the name
 * on disk before the ingest says it is done.
 */
static int
store_build_publish(struct store *s, char *err, size_t errlen)
{
	static const unsigned char wal[2] = { 2, 2 };
	int rc = -1;

	if (s->broken && !store_build_whole(s)) {
		util_err(err, errlen, "%s: not stored: a failed write left the"
		    " new database inconsistent", s->path);
		goto out;
	}
	if ((errno = store_syncer_stop(s)) != 0 ||
	    pwrite(s->buildfd, wal, sizeof wal, 18) != (ssize_t)sizeof wal ||
	    fdatasync(s->buildfd) != 0)
		goto fail;
	if (link(s->building, s->path) != 0) {
		util_err(err, errlen, "%s: not stored: %s", s->path,
		    errno == EEXIST ? "another program made the file while this"
		    " ingest built it" : strerror(errno));
		goto out;
	}
	if ((rc = store_sync_dir(s->path)) != 0)
		util_err(err, errlen, "%s: syncing its directory: %s", s->path,
		    strerror(errno));
	goto out;
fail:
	util_err(err, errlen, "%s: not stored: %s", s->path, strerror(errno));
out:
	(void)store_build_remove(s->building);
	free(s->building);
	s->building = NULL;
	close(s->buildfd);
	s->buildfd = -1;
	store_build_unlock(s);
	return rc;
}

int
store_sources_claim(struct store *s, volatile sig_atomic_t *stop,
    int64_t *max_id, char *err, size_t errlen)
{
	struct flock fl;
	int rc;

	if (store_sources_apart(s)) {
		if (claim_fd(s, err, errlen) != 0)
			return -1;
		while (claim_lock(s->lockfd, F_WRLCK, F_OFD_SETLK,
		    CLAIM_SOURCES, &fl) == -1) {
			if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
				util_err(err, errlen, "%s-lock: %s", s->path,
				    strerror(errno));
				return -1;
			}
			if (stop != NULL && *stop) {
				util_err(err, errlen, "%s: stopped waiting to add"
				    " a source", s->path);
				return -1;
			}
			usleep(CLAIM_WAIT_MS * 1000);
		}
	}
	*max_id = 0;
	if (store_look(s, err, errlen) != 0)
		goto fail;
	rc = sqlite3_step(s->look_max);
	if (rc == SQLITE_ROW)
		*max_id = sqlite3_column_int64(s->look_max, 0);
	sqlite3_reset(s->look_max);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	store_sql_error(s->look, err, errlen, "%s: reading the last source id",
	    s->path);
fail:
	store_sources_release(s);
	return -1;
}

void
store_sources_release(struct store *s)
{
	struct flock fl;

	if (s->lockfd != -1)
		claim_lock(s->lockfd, F_UNLCK, F_OFD_SETLK, CLAIM_SOURCES, &fl);
}
