/*
 * store.h - the SQLite store: open/create a database with the embedded
 * schema.sql, WAL and a busy timeout; the write path of ingest with
 * prepared statements inside batched transactions.  Knows nothing about
 * regexes, envelopes or screens.  The queries that read are in files of
 * their own: the commands' in store_query.h, the report's in
 * store_report.h, the screen's in store_tui.h, context's in
 * store_context.h; correlation's store glue (correlate.c) prepares its
 * statements on store_db().
 */
#ifndef LOGTRIAGE_STORE_H
#define LOGTRIAGE_STORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct ruleset;

#define STORE_SCHEMA_VERSION 1

/* Open flags. */
#define STORE_READONLY	0x01	/* report, events, tui: never create or write */
#define STORE_CREATE	0x02	/* create the file and its directories if missing */
/*
 * ingest: what the connection deletes is its own rewriting of rows the
 * database keeps, so freed space is not zeroed first.  Not for a
 * connection that deletes what a user asked to be gone (prune).
 */
#define STORE_APPEND	0x04
/*
 * ingest of files, not followed: a database that does not exist yet is
 * built where no other process sees it and appears whole, in WAL mode, at
 * store_finish; without store_finish it never appears.  Other opens that
 * would make it wait until then.
 */
#define STORE_BUILD	0x08

/*
 * The VALUES list of a statement that writes a row r (a parenthesised
 * list of ?) four or sixteen times: the store's modules write rows
 * several to a statement, since the statement's own work costs more than
 * a row's.
 */
#define STORE_ROWS4(r)	r "," r "," r "," r
#define STORE_ROWS16(r)	STORE_ROWS4(r) "," STORE_ROWS4(r) "," \
			STORE_ROWS4(r) "," STORE_ROWS4(r)

struct store;

/*
 * Open path (":memory:" works).  A missing file without STORE_CREATE is
 * an error ("no database at PATH: run logtriage ingest first").
 * Returns NULL with err on failure.
 */
struct store *store_open(const char *path, int flags, char *err, size_t errlen);
/*
 * Close the connections; a database being built (STORE_BUILD) is then put
 * in place.  -1 with err when it could not be, or when a failed write may
 * have left it inconsistent: it is not stored.  Then store_close.
 */
int store_finish(struct store *s, char *err, size_t errlen);
void store_close(struct store *s);
sqlite3 *store_db(struct store *s);

/*
 * From now on, copy the WAL into the database on a thread and connection
 * of its own, so commits do not wait for checkpoints and their syncs; past
 * a bound the committing thread still checkpoints itself.  Both start
 * once a commit leaves 256 KiB in the WAL, so an empty or short ingest
 * costs nothing.  A no-op for ":memory:" and read-only stores.  The
 * thread stops in store_close.
 */
int store_checkpoint_behind(struct store *s, char *err, size_t errlen);
/*
 * How many checkpoints the background thread has completed (done) and the
 * seconds of CPU they used (cpu); either may be NULL.
 */
void store_checkpoints_behind(struct store *s, uint64_t *done, double *cpu);

/*
 * The database path to use: cli if given, else $LOGTRIAGE_DB, else
 * $XDG_STATE_HOME/logtriage/logtriage.db, else ~/.local/state/logtriage/logtriage.db.
 * Caller frees.
 */
char *store_default_path(const char *cli);

/* The schema text compiled into the binary. */
extern const char store_schema_sql[];

/*
 * An empty database with that schema, as SQLite makes it (build/
 * schema_image.c): store_image_size bytes, zero but for the runs, whose
 * bytes follow one another in store_image_bytes.
 */
struct store_image_run {
	size_t	off, len;
};
extern const size_t store_image_size, store_image_nruns;
extern const struct store_image_run store_image_runs[];
extern const unsigned char store_image_bytes[];

int store_begin(struct store *s, char *err, size_t errlen);
/* Also writes the transaction's event counts per minute (event_minutes). */
int store_commit(struct store *s, char *err, size_t errlen);
void store_rollback(struct store *s);

/*
 * Count delta events of rule on source_id at ts (untimed: none) into
 * event_minutes at the next store_commit.  store_insert_events counts the
 * events it adds; whoever deletes events says so here for each.
 */
void store_minutes_note(struct store *s, const char *rule, int64_t source_id,
    int64_t ts, int64_t delta);

/*
 * Record the loaded rules (id, category, severity, summary, file, hash,
 * metric), and keep each one's timed events in the table
 * store_rule_samples says: a rule that changed moves its rows.  In a
 * transaction.
 */
int store_sync_rules(struct store *s, const struct ruleset *rs, char *err, size_t errlen);

/*
 * Whether rule i of rs keeps its timed events in samples (schema.sql): a
 * metric rule that no storm, follows or expect involves, since
 * correlation links and reads the events of those in events alone.
 */
int store_rule_samples(const struct ruleset *rs, size_t i);

/* Id of the source called name, created if new (cached in memory).  -1 on error. */
int64_t store_source_id(struct store *s, const char *name, const char *kind,
    const char *identity, char *err, size_t errlen);
/* The same; *created is 1 when this call added its row (nothing refers to it). */
int64_t store_source_add(struct store *s, const char *name, const char *kind,
    const char *identity, int *created, char *err, size_t errlen);

/*
 * Sources added with ids chosen by the caller, so a run that meets a new
 * source per line needs neither a statement nor a commit to learn each
 * id.  The caller holds the sources claim from before it chooses the
 * first id past store_sources_claim's *max_id until the rows are
 * committed: no other process adds a source meanwhile.  Claims are
 * locks on PATH-lock, like input claims; a database in memory has none.
 */
int store_sources_claim(struct store *s, volatile sig_atomic_t *stop,
    int64_t *max_id, char *err, size_t errlen);
void store_sources_release(struct store *s);

/*
 * Whether the sources claim and store_source_find use a connection of
 * their own, so one thread may call them while another writes: 0 for a
 * database in memory or one being built (STORE_BUILD), where the caller
 * must keep them apart itself.
 */
int store_sources_apart(const struct store *s);

/* The id of the stored source called name, or -1 (*id). */
int store_source_find(struct store *s, const char *name, int64_t *id,
    char *err, size_t errlen);

/*
 * New source rows (names, kinds and identities are the caller's), with
 * the span of their records so far (TS_NONE: none).
 */
struct store_source_row {
	int64_t		 id;
	const char	*name, *kind, *identity;
	int64_t		 first_ts, last_ts;
};
int store_sources_insert(struct store *s, const struct store_source_row *v,
    size_t n, char *err, size_t errlen);

/* Widen a source's log-time span to include [min_ts, max_ts]. */
int store_source_seen(struct store *s, int64_t source_id, int64_t min_ts,
    int64_t max_ts, char *err, size_t errlen);
/* store_source_seen for each of n rows, of distinct sources. */
struct store_seen {
	int64_t		source_id, min_ts, max_ts;
};
int store_sources_seen(struct store *s, const struct store_seen *v, size_t n,
    char *err, size_t errlen);

struct store_ingest_counts {
	uint64_t	bytes, lines, records, events, duplicates;
	uint64_t	malformed, truncated, no_timestamp, backwards;
	uint64_t	bad_utf8, nul_bytes, regex_errors, skipped_bytes;
	uint64_t	repeats;	/* events marked a repeat of a sample (same =) */
	uint64_t	untimed;	/* records with no time at all (events.ts NULL) */
	/* lines of an unfinished last record left for the next run (not stored) */
	uint64_t	held;
	int		utf16;		/* an input was UTF-16 text (not stored) */
	uint64_t	reread;		/* inputs read again from the start: the rules changed */
	int64_t		first_ts, last_ts;	/* TS_NONE if none */
};

/* Start an ingests row; returns its id or -1. */
int64_t store_ingest_begin(struct store *s, const char *input, const char *source,
    char *err, size_t errlen);
/* Update its counters; status is "running", "done", "stopped" or "failed". */
int store_ingest_update(struct store *s, int64_t ingest_id,
    const struct store_ingest_counts *c, const char *status, char *err, size_t errlen);

/*
 * Resume point of a file, or 0 / 0 if never seen, and (ts, may be NULL)
 * the time of the latest record before it, TS_NONE when none is stored.
 */
int store_input_get(struct store *s, const char *path, uint64_t fingerprint,
    uint64_t *offset, uint64_t *lineno, int64_t *ts, char *err, size_t errlen);
int store_input_set(struct store *s, const char *path, uint64_t fingerprint,
    uint64_t offset, uint64_t lineno, char *err, size_t errlen);

/*
 * The rule set an input was read with up to its resume point
 * (ruleset_hash), 0 when not known (a database made before it was kept).
 * Set after store_input_set, same transaction.
 */
int store_input_rules_get(struct store *s, const char *path,
    uint64_t fingerprint, uint64_t *rules, char *err, size_t errlen);
int store_input_rules_set(struct store *s, const char *path,
    uint64_t fingerprint, uint64_t rules, char *err, size_t errlen);

/*
 * The ordinal state at a resume point: identical records (hash) of one
 * source's latest second (ts) before the point, n of them.
 */
struct store_ordinal {
	int64_t		source_id, ts;
	uint64_t	hash;
	int		n;
};

/*
 * The saved ordinal state, a source's entries together and in the order
 * they were put; *ords is the caller's to free.  *old: it was read from
 * a database made before the state was kept per source (inputs.ordinals),
 * so the next store_ordinals_put must follow a store_ordinals_clear and
 * put every source.
 */
int store_ordinals_get(struct store *s, const char *path, uint64_t fingerprint,
    struct store_ordinal **ords, size_t *n, int *old, char *err, size_t errlen);
/* Forget the saved ordinal state of a file (a run that starts over). */
int store_ordinals_clear(struct store *s, const char *path, uint64_t fingerprint,
    char *err, size_t errlen);
/*
 * Replace one source's saved ordinal state: its second ts and the n
 * entries ords (their source_id and ts unused); n == 0 keeps only ts.
 * After store_input_set, in the same transaction.
 */
int store_ordinals_put(struct store *s, const char *path, uint64_t fingerprint,
    int64_t source_id, int64_t ts, const struct store_ordinal *ords, size_t n,
    char *err, size_t errlen);
/* store_ordinals_put for each of n rows, in order. */
struct store_ordinals_row {
	int64_t				 source_id, ts;
	const struct store_ordinal	*ords;
	size_t				 n;
};
int store_ordinals_put_rows(struct store *s, const char *path,
    uint64_t fingerprint, const struct store_ordinals_row *rows, size_t n,
    char *err, size_t errlen);

/*
 * The time of the latest record before a file's resume point, read back
 * by store_input_get.  Set after store_input_set, same transaction.
 */
int store_input_time_set(struct store *s, const char *path,
    uint64_t fingerprint, int64_t ts, char *err, size_t errlen);

/*
 * A volume mark: what the volume of one source has counted from one input
 * (see volume_marks in schema.sql).  texts are (hash, n) of the records
 * counted at ts.
 */
struct store_vtext {
	uint64_t	hash;
	uint32_t	n;
};

struct store_vmark {
	int64_t			 ts;		/* TS_NONE: nothing counted yet */
	uint64_t		 offset;
	struct store_vtext	*texts;		/* owned; grown as needed */
	size_t			 n, cap;
};

/* Read the mark of (source, input) into m, reusing m->texts. */
int store_vmark_get(struct store *s, int64_t source_id, const char *input,
    struct store_vmark *m, char *err, size_t errlen);
int store_vmark_set(struct store *s, int64_t source_id, const char *input,
    const struct store_vmark *m, char *err, size_t errlen);
/* How many sources, other than those called not1 and not2, input has a mark of. */
int store_vmark_count(struct store *s, const char *input, const char *not1,
    const char *not2, int64_t *n, char *err, size_t errlen);
/* store_vmark_set for each of n rows, in order. */
struct store_vmark_row {
	int64_t				 source_id, ts;
	uint64_t			 offset;
	const struct store_vtext	*texts;
	size_t				 n;
};
int store_vmark_set_rows(struct store *s, const char *input,
    const struct store_vmark_row *rows, size_t n, char *err, size_t errlen);

/*
 * Claim the input key (a regular file's canonical path) for this process
 * and database, so that two processes never read one file into one
 * database at once: waits while another process reads it, returns 0 once
 * claimed, 1 at once when another process follows it (it never finishes),
 * 2 when *stop was set while waiting, -1 on error.  follow: claim it as a
 * follower.  Released by store_input_release or when the store closes.
 */
int store_input_claim(struct store *s, const char *key, int follow,
    volatile sig_atomic_t *stop, char *err, size_t errlen);
void store_input_release(struct store *s, const char *key);

struct store_event {
	int64_t		 source_id;
	const char	*rule;
	int64_t		 ts;		/* TS_NONE: untimed, stored as NULL */
	uint64_t	 hash;
	int		 ordinal;
	uint64_t	 line, line_end;
	int		 stream;
	const char	*text;
	size_t		 text_len;
	const char	*fields_json;	/* "{...}" or NULL */
	size_t		 fields_len;	/* its length; 0: up to its NUL */
	int		 has_value;
	double		 value;
	const char	*grp;		/* NULL if none */
	size_t		 grp_len;
};

/*
 * How this database's events.hash is computed: 2, util_hash_text of the
 * text seeded with util_hash64 of the rule id and its NUL; 1 (databases
 * made before the text hash), util_hash64 of the rule id, its NUL and the
 * text.  Re-reading a file must give the same hashes to find its events.
 */
int store_event_hash(const struct store *s);

/*
 * What tells identical untimed events apart in this database: their
 * ordinal is, with STORE_ORDINAL_RECORD, the number of untimed records of
 * their source before theirs in their input, and with STORE_ORDINAL_TEXT
 * (databases that held untimed events before the row untimed_ordinal of
 * meta), the number of events of the same text and rule before them, as
 * among the records of one second.  Re-reading a file must number its
 * untimed events the same way to find them.
 */
#define STORE_ORDINAL_TEXT	1
#define STORE_ORDINAL_RECORD	2
int store_untimed_ordinal(const struct store *s);
/*
 * Whether the untimed events of metric rules are in samples with their
 * timed ones (1), or in events (0: a database made before).
 */
int store_untimed_samples(const struct store *s);

/*
 * Store those of evs[0..n) not stored before, several rows to a
 * statement: the timed events of the rules store_sync_rules found to be
 * samples rules go to samples, the others to events.  Each new row gets
 * the next id of the one sequence of both tables, in the order of evs.
 * *nadded gets the number of new events, added[i] whether event i is
 * new, and ids (if not NULL) each one's id, 0 for one stored before.
 * The strings evs point to must stay valid for the call only.  After
 * an error the transaction may hold some of the call's rows: roll it back.
 */
int store_insert_events(struct store *s, const struct store_event *evs,
    size_t n, unsigned char *added, size_t *nadded, int64_t *ids, char *err,
    size_t errlen);

/* Add to the volume row of (source, minute). */
int store_volume_add(struct store *s, int64_t source_id, int64_t minute,
    uint64_t lines, uint64_t records, uint64_t bytes, uint64_t malformed,
    uint64_t truncated, char *err, size_t errlen);
/*
 * store_volume_add for each of n rows, which are put in the table's key
 * order (source, minute) first: SQLite adds rows in order faster.
 */
struct store_volume {
	int64_t		source_id, minute;
	uint64_t	lines, records, bytes, malformed, truncated;
};
int store_volume_add_rows(struct store *s, struct store_volume *v,
    size_t n, char *err, size_t errlen);

/* The latest log time any source has reached, or TS_NONE for none. */
int store_newest_log_time(struct store *s, int64_t *ts, char *err, size_t errlen);

#endif
