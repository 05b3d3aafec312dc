/*
 * store_context.c - the context tables' writes and reads (see
 * store_context.h).
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "store.h"
#include "store_context.h"
#include "store_query.h"
#include "util.h"

enum {
	CW_FILE,
	CW_BLOCK,
	CW_EVENT,
	CW_LOOKUP,
	CW_EVENTS_4,
	CW_EVENTS_16,
	CW_COUNT
};

/*
 * The rows of event_context wait in memory and go several to a statement:
 * a statement of one row cost three times what its row does.  A full
 * buffer goes as one statement, a flush's rest in fours, then one by one.
 */
#define CW_ROWS	16
#define CW_ROW	"(?,?,?,?)"

static const char *const cw_sql[CW_COUNT] = {
	"INSERT OR REPLACE INTO context_files (ingest, path, fingerprint, tail,"
	" size, mtime) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	"INSERT INTO context_blocks (ingest, raw_len, zlib, data)"
	" VALUES (?1, ?2, ?3, ?4)",
	"INSERT OR IGNORE INTO event_context (event_id, ingest, offset, block)"
	" VALUES (?1, ?2, ?3, ?4)",
	"SELECT id FROM events_all WHERE rule = ?1 AND source_id = ?2 AND ts = ?3"
	" AND hash = ?4 AND ordinal = ?5",
	"INSERT OR IGNORE INTO event_context (event_id, ingest, offset, block)"
	" VALUES " STORE_ROWS4(CW_ROW),
	"INSERT OR IGNORE INTO event_context (event_id, ingest, offset, block)"
	" VALUES " STORE_ROWS16(CW_ROW),
};

/* A row of event_context not yet written: block >= 0, else offset. */
struct cw_row {
	int64_t		 id, ingest, block;
	uint64_t	 offset;
};

struct store_context_writes {
	sqlite3		*db;
	sqlite3_stmt	*st[CW_COUNT];
	struct cw_row	 rows[CW_ROWS];
	size_t		 nrows;
};

struct store_context_writes *
store_context_writes_new(struct store *st)
{
	struct store_context_writes *w = xcalloc(1, sizeof *w);

	w->db = store_db(st);
	return w;
}

void
store_context_writes_free(struct store_context_writes *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < CW_COUNT; i++)
		sqlite3_finalize(w->st[i]);
	free(w);
}

/* The tables exist once a writer has opened the store: prepared on first use. */
static sqlite3_stmt *
cw_stmt(struct store_context_writes *w, int which, char *err, size_t errlen)
{
	if (w->st[which] == NULL && sqlite3_prepare_v2(w->db, cw_sql[which],
	    -1, &w->st[which], NULL) != SQLITE_OK) {
		store_sql_error(w->db, err, errlen, "context");
		return NULL;
	}
	return w->st[which];
}

static int
cw_step(struct store_context_writes *w, sqlite3_stmt *st, char *err,
    size_t errlen)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		store_sql_error(w->db, err, errlen, "context");
		return -1;
	}
	return 0;
}

int
store_context_file(struct store_context_writes *w, int64_t ingest_id,
    const char *path, uint64_t fingerprint, uint64_t tail, uint64_t size,
    int64_t mtime, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if ((st = cw_stmt(w, CW_FILE, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ingest_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)fingerprint);
	sqlite3_bind_int64(st, 4, (int64_t)tail);
	sqlite3_bind_int64(st, 5, (int64_t)size);
	sqlite3_bind_int64(st, 6, mtime);
	return cw_step(w, st, err, errlen);
}

int
store_context_block(struct store_context_writes *w, int64_t ingest_id,
    uint64_t raw_len, int zlib, const void *data, size_t len, int64_t *id,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if ((st = cw_stmt(w, CW_BLOCK, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ingest_id);
	sqlite3_bind_int64(st, 2, (int64_t)raw_len);
	sqlite3_bind_int(st, 3, zlib);
	sqlite3_bind_blob(st, 4, len > 0 ? data : "", (int)len, SQLITE_STATIC);
	if (cw_step(w, st, err, errlen) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(w->db);
	return 0;
}

int
store_context_event_id(struct store_context_writes *w, const char *rule,
    int64_t source_id, int64_t ts, uint64_t hash, int ordinal, int64_t *id,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = cw_stmt(w, CW_LOOKUP, err, errlen)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_int64(st, 3, ts);
	sqlite3_bind_int64(st, 4, (int64_t)hash);
	sqlite3_bind_int(st, 5, ordinal);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(w->db, err, errlen, "context");
	return 0;
}

/* Write rows[0 .. n) with the statement of n rows. */
static int
cw_put_rows(struct store_context_writes *w, int which,
    const struct cw_row *rows, size_t n, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t i;
	int p;

	if ((st = cw_stmt(w, which, err, errlen)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		p = (int)i * 4;
		sqlite3_bind_int64(st, p + 1, rows[i].id);
		sqlite3_bind_int64(st, p + 2, rows[i].ingest);
		if (rows[i].block >= 0)
			sqlite3_bind_int64(st, p + 4, rows[i].block);
		else
			sqlite3_bind_int64(st, p + 3, (int64_t)rows[i].offset);
	}
	return cw_step(w, st, err, errlen);
}

int
store_context_event(struct store_context_writes *w, int64_t id,
    int64_t ingest_id, uint64_t offset, int64_t block, char *err,
    size_t errlen)
{
	struct cw_row *row = &w->rows[w->nrows++];

	row->id = id;
	row->ingest = ingest_id;
	row->offset = offset;
	row->block = block;
	if (w->nrows < CW_ROWS)
		return 0;
	w->nrows = 0;
	return cw_put_rows(w, CW_EVENTS_16, w->rows, CW_ROWS, err, errlen);
}

int
store_context_events_flush(struct store_context_writes *w, char *err,
    size_t errlen)
{
	size_t i = 0, n = w->nrows;

	w->nrows = 0;
	for (; n - i >= 4; i += 4)
		if (cw_put_rows(w, CW_EVENTS_4, w->rows + i, 4, err, errlen) != 0)
			return -1;
	for (; i < n; i++)
		if (cw_put_rows(w, CW_EVENT, w->rows + i, 1, err, errlen) != 0)
			return -1;
	return 0;
}

static const char ctx_sql[] =
    "SELECT e.line, e.line_end, e.text, coalesce(r.severity, 0), c.event_id,"
    " c.offset, c.block, f.path, f.fingerprint, f.size, f.mtime, f.tail"
    " FROM events_all e LEFT JOIN rules r ON r.id = e.rule"
    " LEFT JOIN event_context c ON c.event_id = e.id"
    " LEFT JOIN context_files f ON f.ingest = c.ingest WHERE e.id = ?1";
/* A database no writer has opened since the context tables were added. */
static const char ctx_sql_old[] =
    "SELECT e.line, e.line_end, e.text, coalesce(r.severity, 0), NULL,"
    " NULL, NULL, NULL, NULL, NULL, NULL, NULL"
    " FROM events_all e LEFT JOIN rules r ON r.id = e.rule WHERE e.id = ?1";

int
store_context_of(struct store *s, int64_t id, struct store_rows **q,
    char *err, size_t errlen)
{
	if (store_rows_prepare(s, ctx_sql, ctx_sql_old, "context", q, err,
	    errlen) != 0)
		return -1;
	store_rows_bind_int64(*q, 1, id);
	return 0;
}

int
store_context_block_read(struct store *s, int64_t block,
    struct store_rows **q, char *err, size_t errlen)
{
	if (store_rows_prepare(s, "SELECT raw_len, zlib, data FROM"
	    " context_blocks WHERE id = ?1", NULL, "context", q, err,
	    errlen) != 0)
		return -1;
	store_rows_bind_int64(*q, 1, block);
	return 0;
}
