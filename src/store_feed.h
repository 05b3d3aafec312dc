/*
 * store_feed.h - rows waiting in the writer's memory, read by SQLite as a
 * table (an eponymous virtual table on the writer's connection): one
 * INSERT ... SELECT stores a call's rows without binding a value.  For
 * the store's write path only (store_int.h).  Knows the columns the
 * rows of events and samples have in common, not the tables or their
 * statements.
 */
#ifndef LOGTRIAGE_STORE_FEED_H
#define LOGTRIAGE_STORE_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct store_event;

/* A row: its event, its id and its rule's sample_rules.no (0: none). */
struct feed_row {
	const struct store_event	*ev;
	int64_t				 id, rule_no;
};

/*
 * The rows of one feed.  Columns: id, source_id, rule, ts, hash, ordinal,
 * line, line_end, stream, text, fields, value, grp; rule is the rule's
 * name when by_name is set, else rule_no.  Text is handed over where it
 * is: the events must stay put until the statement reading them is done.
 */
struct store_feed {
	struct feed_row	*rows;		/* owned */
	size_t		 n, cap;
	int		 by_name;
};

/*
 * Make f readable on db as the table name, for as long as db is open and
 * f is where it is.  SQLITE_OK or SQLite's error code.
 */
int store_feed_register(sqlite3 *db, const char *name, struct store_feed *f);
/* Add a row. */
void store_feed_add(struct store_feed *f, const struct store_event *ev,
    int64_t id, int64_t rule_no);
/* Free f's rows. */
void store_feed_free(struct store_feed *f);

#endif
