/*
 * cmd_prune.c - `logtriage prune --older-than DURATION [--dry-run]`:
 * retention for the nightly job.  The cut-off is measured in log time, the
 * newest stored event minus DURATION, so replayed or archived logs are
 * pruned relative to their own timeline and a database that stopped
 * receiving input is not emptied by the passing of wall-clock days.
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
    "  -n, --dry-run          only count what would be removed\n";

enum { OPT_DB = 256, OPT_OLDER, OPT_HELP };

static const struct option prune_long[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "older-than", required_argument, NULL, OPT_OLDER },
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

struct prune_kind {
	const char	*count_sql;
	const char	*delete_sql;
	int		 minutes;	/* bind the cut-off in minutes */
};

static const struct prune_kind prune_kinds[] = {
	{ "SELECT count(*)" PRUNE_EVENTS_WHERE,
	  "DELETE FROM events WHERE id IN (SELECT e.id" PRUNE_EVENTS_WHERE
	  " LIMIT " PRUNE_STR(PRUNE_BATCH) ")", 0 },
	{ "SELECT count(*)" PRUNE_INCIDENTS_WHERE,
	  "DELETE FROM incidents WHERE id IN (SELECT id" PRUNE_INCIDENTS_WHERE
	  " LIMIT " PRUNE_STR(PRUNE_BATCH) ")", 0 },
	{ "SELECT count(*)" PRUNE_VOLUME_WHERE,
	  "DELETE FROM volume WHERE (source_id, minute) IN (SELECT source_id, minute"
	  PRUNE_VOLUME_WHERE " LIMIT " PRUNE_STR(PRUNE_BATCH) ")", 1 },
};

static int
db_fail(sqlite3 *db, const char *what)
{
	cmd_error("%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* The newest log time stored, or TS_NONE for an empty database. */
static int
newest(sqlite3 *db, int64_t *ts)
{
	sqlite3_stmt *st;
	int rc;

	*ts = TS_NONE;
	if (sqlite3_prepare_v2(db, "SELECT max(ts) FROM events", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading the newest event");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*ts = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, "reading the newest event");
}

static int
count_rows(sqlite3 *db, const struct prune_kind *k, int64_t cut, uint64_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, k->count_sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "counting");
	sqlite3_bind_int64(st, 1, k->minutes ? cut / 60000 : cut);
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, "counting");
}

/* Delete in transactions of at most PRUNE_BATCH rows. */
static int
delete_rows(struct store *s, const struct prune_kind *k, int64_t cut, uint64_t *n)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	char err[256];
	int changed;

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
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(db, "deleting");
			store_rollback(s);
			sqlite3_finalize(st);
			return -1;
		}
		changed = sqlite3_changes(db);
		if (store_commit(s, err, sizeof(err)) != 0) {
			sqlite3_finalize(st);
			cmd_error("%s", err);
			return -1;
		}
		*n += (uint64_t)changed;
	} while (changed == PRUNE_BATCH);
	sqlite3_finalize(st);
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

static int
cmd_prune_exec(int argc, char **argv)
{
	const char *db_opt = NULL, *older = NULL;
	struct store *s = NULL;
	uint64_t n[UTIL_ARRAY_LEN(prune_kinds)];
	char err[512], cutiso[32], newiso[32], *path = NULL;
	int64_t age, last, cut;
	int c, dry = 0, rc = EXIT_RUNTIME;
	size_t i;

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
		case 'n':
			dry = 1;
			break;
		case OPT_HELP:
			cmd_usage(&cmd_prune_entry, prune_options);
			return EXIT_OK;
		case ':':
			cmd_error("option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cmd_error("unknown option '%s' (try logtriage prune --help)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cmd_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (older == NULL) {
		cmd_error("prune needs --older-than DURATION (for example 30d)");
		return EXIT_USAGE;
	}
	if (util_parse_duration(older, &age) != 0) {
		cmd_error("--older-than: '%s' is not a duration (30d, 12h, 2w)", older);
		return EXIT_USAGE;
	}

	path = store_default_path(db_opt);
	if ((s = store_open(path, 0, err, sizeof(err))) == NULL) {
		cmd_error("%s", err);
		goto done;
	}
	if (newest(store_db(s), &last) != 0)
		goto done;
	if (last == TS_NONE) {
		printf("logtriage: nothing to prune: no events in %s\n", path);
		rc = EXIT_OK;
		goto done;
	}
	cut = last - age;
	for (i = 0; i < UTIL_ARRAY_LEN(prune_kinds); i++) {
		if ((dry ? count_rows(store_db(s), &prune_kinds[i], cut, &n[i]) :
		    delete_rows(s, &prune_kinds[i], cut, &n[i])) != 0)
			goto done;
	}
	if (!dry && n[0] + n[1] + n[2] > 0 && reclaim(store_db(s)) != 0)
		goto done;
	util_format_iso(cut, cutiso, sizeof(cutiso));
	util_format_iso(last, newiso, sizeof(newiso));
	printf("logtriage: %s %ju events, %ju incidents, %ju volume rows older than"
	    " %s (newest log time %s minus %s)\n", dry ? "would remove" : "removed",
	    (uintmax_t)n[0], (uintmax_t)n[1], (uintmax_t)n[2], cutiso, newiso, older);
	rc = EXIT_OK;
done:
	store_close(s);
	free(path);
	return rc;
}

const struct cmd_entry cmd_prune_entry = {
	"prune",
	"[--db PATH] --older-than DURATION [--dry-run]",
	"Delete events, incidents and volume older than DURATION before the newest log time.",
	cmd_prune_exec
};
