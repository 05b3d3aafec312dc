/*
 * cmd_prune.c - `logtriage prune [--older-than DURATION] [--keep-size SIZE]
 * [--dry-run]`: retention for the nightly job.  The cut-off is measured in
 * log time, the newest stored event minus DURATION, so replayed or archived
 * logs are pruned relative to their own timeline and a database that
 * stopped receiving input is not emptied by the passing of wall-clock days.
 * --keep-size removes the oldest hours of log time until the data fits in
 * SIZE: each step aims, from the events per hour, at the cut that frees
 * the excess, then measures again.
 * Deletes in bounded transactions so readers and a running ingest are
 * never blocked for long, keeps every event an open incident still waits
 * on, then reclaims the space.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cmd.h"
#include "store.h"
#include "util.h"

#define PRUNE_BATCH	10000
#define PRUNE_STR_(x)	#x
#define PRUNE_STR(x)	PRUNE_STR_(x)

static const char prune_options[] =
    "  --db PATH              database (default $LOGTRIAGE_DB or the state dir)\n"
    "  --older-than DURATION  remove what is older than the newest log time minus\n"
    "                         DURATION (30d, 12h, 2w)\n"
    "  --keep-size SIZE       then remove the oldest hours until the data fits in\n"
    "                         SIZE (500M, 2G; K, M, G, T are powers of 1024)\n"
    "  -n, --dry-run          only count what would be removed\n";

/* Steps of --keep-size before it gives up getting closer. */
#define PRUNE_SIZE_STEPS	64
#define HOUR_MS			3600000LL
/* Log times later than the clock by more than this are future-dated. */
#define PRUNE_FUTURE_MS		(24 * HOUR_MS)

enum { OPT_DB = 256, OPT_OLDER, OPT_KEEP, OPT_HELP };

static const struct option prune_long[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "older-than", required_argument, NULL, OPT_OLDER },
	{ "keep-size", required_argument, NULL, OPT_KEEP },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* An event is kept while an open incident waits on it. */
#define PRUNE_EVENTS_WHERE \
	" FROM events e WHERE e.ts < ?1 AND NOT EXISTS (SELECT 1 FROM incidents i" \
	" WHERE i.kind = 'open' AND (i.event_id = e.id OR (i.rule = e.rule AND" \
	" i.source_id = e.source_id AND e.ts >= i.start AND e.ts <= i.end)))"
#define PRUNE_INCIDENTS_WHERE " FROM incidents WHERE kind <> 'open' AND end < ?1"
#define PRUNE_VOLUME_WHERE " FROM volume WHERE minute < ?1"
#define PRUNE_CONTEXT_WHERE \
	" FROM event_context WHERE event_id NOT IN (SELECT id FROM events)"
#define PRUNE_BLOCKS_WHERE " FROM context_blocks WHERE id NOT IN" \
	" (SELECT block FROM event_context WHERE block IS NOT NULL)"

struct prune_kind {
	const char	*count_sql;
	const char	*delete_sql;
	int		 minutes;	/* bind the cut-off in minutes */
};

static const struct prune_kind prune_kinds[] = {
	/* the events removed are taken out of event_minutes as they go */
	{ "SELECT count(*)" PRUNE_EVENTS_WHERE,
	  "DELETE FROM events WHERE id IN (SELECT e.id" PRUNE_EVENTS_WHERE
	  " LIMIT " PRUNE_STR(PRUNE_BATCH) ") RETURNING rule, source_id, ts",
	  0 },
	{ "SELECT count(*)" PRUNE_INCIDENTS_WHERE,
	  "DELETE FROM incidents WHERE id IN (SELECT id" PRUNE_INCIDENTS_WHERE
	  " LIMIT " PRUNE_STR(PRUNE_BATCH) ")", 0 },
	{ "SELECT count(*)" PRUNE_VOLUME_WHERE,
	  "DELETE FROM volume WHERE (source_id, minute) IN (SELECT source_id, minute"
	  PRUNE_VOLUME_WHERE " LIMIT " PRUNE_STR(PRUNE_BATCH) ")", 1 },
	/* the context of the events removed, and the stream records kept for it */
	{ "SELECT count(*)" PRUNE_CONTEXT_WHERE,
	  "DELETE FROM event_context WHERE event_id IN (SELECT event_id"
	  PRUNE_CONTEXT_WHERE " LIMIT " PRUNE_STR(PRUNE_BATCH) ")", 0 },
	{ "SELECT count(*)" PRUNE_BLOCKS_WHERE,
	  "DELETE FROM context_blocks WHERE id IN (SELECT id" PRUNE_BLOCKS_WHERE
	  " LIMIT " PRUNE_STR(PRUNE_BATCH) ")", 0 },
};

static int
db_fail(sqlite3 *db, const char *what)
{
	cmd_error("%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/*
 * The first column of sql's first row, with ?1 bound to *arg if arg is
 * not NULL; `none` when that column is NULL.
 */
static int
query_int(sqlite3 *db, const char *sql, const int64_t *arg, int64_t none,
    int64_t *v, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	*v = none;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, what);
	if (arg != NULL)
		sqlite3_bind_int64(st, 1, *arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, what);
}

/*
 * The newest log time no later than limit in *last (TS_NONE if none), and
 * in *future the events dated after limit, in one pass over the events.
 */
static int
newest_before(sqlite3 *db, int64_t limit, int64_t *last, uint64_t *future)
{
	sqlite3_stmt *st;
	int rc;

	*last = TS_NONE;
	*future = 0;
	if (sqlite3_prepare_v2(db, "SELECT max(CASE WHEN ts <= ?1 THEN ts END),"
	    " count(CASE WHEN ts > ?1 THEN 1 END) FROM events", -1, &st,
	    NULL) != SQLITE_OK)
		return db_fail(db, "reading the newest event");
	sqlite3_bind_int64(st, 1, limit);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*last = sqlite3_column_int64(st, 0);
		*future = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, "reading the newest event");
}

static int
count_rows(sqlite3 *db, const struct prune_kind *k, int64_t cut, uint64_t *n)
{
	int64_t arg = k->minutes ? cut / 60000 : cut, v;

	if (query_int(db, k->count_sql, &arg, 0, &v, "counting") != 0)
		return -1;
	*n = (uint64_t)v;
	return 0;
}

/* Delete in transactions of at most PRUNE_BATCH rows. */
static int
delete_rows(struct store *s, const struct prune_kind *k, int64_t cut, uint64_t *n)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	char err[256];
	int changed, rc;

	*n = 0;
	if (sqlite3_prepare_v2(db, k->delete_sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "deleting");
	do {
		if (store_begin(s, err, sizeof(err)) != 0) {
			sqlite3_finalize(st);
			cmd_error("%s", err);
			return -1;
		}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, k->minutes ? cut / 60000 : cut);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			store_minutes_note(s, (const char *)sqlite3_column_text(st,
			    0), sqlite3_column_int64(st, 1),
			    sqlite3_column_type(st, 2) == SQLITE_NULL ? TS_NONE :
			    sqlite3_column_int64(st, 2), -1);
		}
		if (rc != SQLITE_DONE) {
			db_fail(db, "deleting");
			store_rollback(s);
			sqlite3_finalize(st);
			return -1;
		}
		changed = sqlite3_changes(db);
		if (store_commit(s, err, sizeof(err)) != 0) {
			store_rollback(s);
			sqlite3_finalize(st);
			cmd_error("%s", err);
			return -1;
		}
		*n += (uint64_t)changed;
	} while (changed == PRUNE_BATCH);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Remove (or with dry, count) every kind's rows before cut: n[] gets each
 * kind's count, *total their sum.
 */
static int
remove_before(struct store *s, int64_t cut, int dry, uint64_t *n,
    uint64_t *total)
{
	size_t i;

	*total = 0;
	for (i = 0; i < UTIL_ARRAY_LEN(prune_kinds); i++) {
		if ((dry ? count_rows(store_db(s), &prune_kinds[i], cut, &n[i]) :
		    delete_rows(s, &prune_kinds[i], cut, &n[i])) != 0)
			return -1;
		*total += n[i];
	}
	return 0;
}

static int
reclaim(sqlite3 *db)
{
	sqlite3_stmt *st;
	int mode = 0, rc;

	if (sqlite3_prepare_v2(db, "PRAGMA auto_vacuum", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reclaiming space");
	if (sqlite3_step(st) == SQLITE_ROW)
		mode = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	/* Incremental mode frees pages without rewriting the whole file. */
	if (sqlite3_prepare_v2(db, mode == 2 ? "PRAGMA incremental_vacuum" : "VACUUM",
	    -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reclaiming space");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "reclaiming space");
}

/* Bytes in pages that hold data (free pages are reclaimed at the end). */
static int
used_bytes(sqlite3 *db, int64_t *bytes)
{
	static const char what[] = "measuring the database";
	int64_t pages, free_pages, size;

	if (query_int(db, "PRAGMA page_count", NULL, 0, &pages, what) != 0 ||
	    query_int(db, "PRAGMA freelist_count", NULL, 0, &free_pages,
	    what) != 0 ||
	    query_int(db, "PRAGMA page_size", NULL, 0, &size, what) != 0)
		return -1;
	*bytes = (pages - free_pages) * size;
	return 0;
}

/*
 * The next cut for --keep-size: the end of the first hour of log time,
 * later than `after`, before which `share` of the stored events lie (or
 * the end of the last hour with events).  TS_NONE when no event is left
 * in an hour ending after `after`.
 */
static int
size_cut(sqlite3 *db, double share, int64_t after, int64_t *cut)
{
	sqlite3_stmt *st;
	int64_t total = 0, seen = 0, want, hour;
	int rc;

	*cut = TS_NONE;
	/* Untimed events (ts NULL) have no age and no hour to cut at. */
	if (query_int(db, "SELECT count(*) FROM events WHERE ts IS NOT NULL",
	    NULL, 0, &total, "counting events") != 0)
		return -1;
	want = (int64_t)(share * (double)total + 0.999);
	if (sqlite3_prepare_v2(db, "SELECT ts / " PRUNE_STR(3600000) ", count(*)"
	    " FROM events WHERE ts IS NOT NULL GROUP BY 1 ORDER BY 1", -1, &st,
	    NULL) != SQLITE_OK)
		return db_fail(db, "counting events per hour");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hour = sqlite3_column_int64(st, 0);
		seen += sqlite3_column_int64(st, 1);
		if ((hour + 1) * HOUR_MS <= after)
			continue;
		*cut = (hour + 1) * HOUR_MS;
		if (seen >= want)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    db_fail(db, "counting events per hour");
}

static void
format_size(int64_t bytes, char *buf, size_t len)
{
	double b = (double)bytes;

	if (b >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.2f GiB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.0f KiB", b / 1024.0);
}

/*
 * Remove the oldest hours until the data fits in limit, or nothing but
 * open incidents' events is left to remove.  Space is reclaimed after each
 * step, so the next is measured on what the rows really take (deleted rows
 * leave pages half full).  n[] adds up what went.
 */
static int
prune_to_size(struct store *s, int64_t limit, int dry, uint64_t *n,
    int64_t *cut_out, int64_t *before, int64_t *after)
{
	sqlite3 *db = store_db(s);
	uint64_t step[UTIL_ARRAY_LEN(prune_kinds)], removed;
	int64_t used, cut = TS_NONE, prev = TS_NONE;
	size_t i;
	int k;

	if (used_bytes(db, &used) != 0)
		return -1;
	*before = *after = used;
	for (k = 0; k < PRUNE_SIZE_STEPS && used > limit; k++) {
		/* The share of events to go: that of the excess in the data. */
		if (size_cut(db, (double)(used - limit) / (double)used,
		    prev, &cut) != 0)
			return -1;
		if (cut == TS_NONE)
			break;
		if (remove_before(s, cut, dry, step, &removed) != 0)
			return -1;
		for (i = 0; i < UTIL_ARRAY_LEN(prune_kinds); i++)
			n[i] += step[i];
		prev = cut;
		/* A dry run cannot measure what a step would free: one step. */
		if (dry)
			break;
		if ((removed > 0 && reclaim(db) != 0) ||
		    used_bytes(db, &used) != 0)
			return -1;
	}
	*cut_out = prev;
	*after = used;
	return 0;
}

static int
cmd_prune_exec(int argc, char **argv)
{
	const char *db_opt = NULL, *older = NULL, *keep = NULL;
	struct store *s = NULL;
	uint64_t n[UTIL_ARRAY_LEN(prune_kinds)], m[UTIL_ARRAY_LEN(prune_kinds)];
	char err[512], cutiso[32], newiso[32], b1[32], b2[32], *path = NULL;
	int64_t age = 0, last, cut, limit = 0, size_cut_ts = TS_NONE;
	int64_t before = 0, after = 0, sane;
	uint64_t removed = 0, future;
	int c, dry = 0, rc = EXIT_RUNTIME;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n", prune_long, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db_opt = optarg;
			break;
		case OPT_OLDER:
			older = optarg;
			break;
		case OPT_KEEP:
			keep = optarg;
			break;
		case 'n':
			dry = 1;
			break;
		case OPT_HELP:
			cmd_usage(&cmd_prune_entry, prune_options);
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_prune_entry, c, argv);
		}
	}
	if (optind < argc) {
		cmd_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (older == NULL && keep == NULL) {
		cmd_error("prune needs --older-than DURATION (for example 30d)"
		    " or --keep-size SIZE (for example 500M)");
		return EXIT_USAGE;
	}
	if (older != NULL && util_parse_duration(older, &age) != 0) {
		cmd_error("--older-than: '%s' is not a duration (30d, 12h, 2w)", older);
		return EXIT_USAGE;
	}
	if (age > UTIL_DURATION_MAX_MS) {
		cmd_error("--older-than: '%s' is longer than 36500d", older);
		return EXIT_USAGE;
	}
	if (keep != NULL && util_parse_size(keep, &limit) != 0) {
		cmd_error("--keep-size: '%s' is not a size (500M, 2G, 1048576)", keep);
		return EXIT_USAGE;
	}

	path = store_default_path(db_opt);
	if ((s = store_open(path, 0, err, sizeof(err))) == NULL) {
		cmd_error("%s", err);
		goto done;
	}
	/*
	 * One line with a skewed clock must not move the cut-off: times past
	 * the wall clock plus a day are not the newest log time (and stay).
	 */
	sane = util_now_ms() + PRUNE_FUTURE_MS;
	if (newest_before(store_db(s), sane, &last, &future) != 0)
		goto done;
	if (future > 0) {
		util_format_iso(sane, b1, sizeof(b1));
		printf("logtriage: %ju future-dated events (after %s, the clock plus"
		    " a day) are kept and not taken as the newest log time\n",
		    (uintmax_t)future, b1);
	}
	if (last == TS_NONE) {
		printf("logtriage: nothing to prune: no %sevents in %s\n",
		    future > 0 ? "other " : "", path);
		rc = EXIT_OK;
		goto done;
	}
	memset(n, 0, sizeof n);
	memset(m, 0, sizeof m);
	cut = last - age;
	if (older != NULL && remove_before(s, cut, dry, n, &removed) != 0)
		goto done;
	/* Space is reclaimed before --keep-size measures, and by each of its steps. */
	if (!dry && removed > 0 && reclaim(store_db(s)) != 0)
		goto done;
	if (keep != NULL && prune_to_size(s, limit, dry, m, &size_cut_ts,
	    &before, &after) != 0)
		goto done;
	if (older != NULL) {
		util_format_iso(cut, cutiso, sizeof(cutiso));
		util_format_iso(last, newiso, sizeof(newiso));
		printf("logtriage: %s %ju events, %ju incidents, %ju volume rows older than"
		    " %s (newest log time %s minus %s)\n", dry ? "would remove" : "removed",
		    (uintmax_t)n[0], (uintmax_t)n[1], (uintmax_t)n[2], cutiso, newiso, older);
	}
	if (keep != NULL) {
		format_size(before, b1, sizeof b1);
		format_size(after, b2, sizeof b2);
		if (size_cut_ts == TS_NONE)
			printf("logtriage: %s of data, within --keep-size %s: nothing"
			    " removed for size\n", b1, keep);
		else {
			util_format_iso(size_cut_ts, cutiso, sizeof(cutiso));
			printf("logtriage: %s %ju events, %ju incidents, %ju volume rows"
			    " older than %s for --keep-size %s", dry ? "would remove" :
			    "removed", (uintmax_t)m[0], (uintmax_t)m[1], (uintmax_t)m[2],
			    cutiso, keep);
			if (dry)
				printf(" (%s of data now; a first step, a real run measures"
				    " again after each)\n", b1);
			else
				printf(" (data %s before, %s after)\n", b1, b2);
			if (!dry && after > limit)
				printf("logtriage: still over %s: what is left is newer or"
				    " held by open incidents\n", keep);
		}
	}
	rc = EXIT_OK;
done:
	store_close(s);
	free(path);
	return rc;
}

const struct cmd_entry cmd_prune_entry = {
	"prune",
	"[--db PATH] [--older-than DURATION] [--keep-size SIZE] [--dry-run]",
	"Delete events, incidents and volume older than DURATION before the newest log time, or the oldest until the data fits in SIZE.",
	cmd_prune_exec
};
