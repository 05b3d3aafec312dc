/*
 * store_rows.c - a cursor over the rows of a prepared statement (see
 * store_rows.h).  A struct store_rows is the statement itself: handing
 * one out costs no allocation.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_query.h"
#include "store_rows.h"

#define ST(q)	((sqlite3_stmt *)(void *)(q))

int
store_rows_prepare(struct store *s, const char *sql, const char *older,
    const char *what, struct store_rows **q, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK &&
	    (older == NULL ||
	    sqlite3_prepare_v2(db, older, -1, &st, NULL) != SQLITE_OK)) {
		*q = NULL;
		if (what == NULL)
			return store_sql_error(db, err, errlen, NULL);
		return store_sql_error(db, err, errlen, "%s", what);
	}
	*q = store_rows_of(st);
	return 0;
}

struct store_rows *
store_rows_of(sqlite3_stmt *st)
{
	return (struct store_rows *)(void *)st;
}

int
store_rows_next(struct store_rows *q)
{
	int rc = sqlite3_step(ST(q));

	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

void
store_rows_reset(struct store_rows *q)
{
	sqlite3_reset(ST(q));
}

void
store_rows_bind_int64(struct store_rows *q, int i, int64_t v)
{
	sqlite3_bind_int64(ST(q), i, v);
}

void
store_rows_bind_text(struct store_rows *q, int i, const char *text)
{
	if (text != NULL)
		sqlite3_bind_text(ST(q), i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(ST(q), i);
}

void
store_rows_bind_copy(struct store_rows *q, int i, const char *text)
{
	if (text != NULL)
		sqlite3_bind_text(ST(q), i, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(ST(q), i);
}

const char *
store_read_errmsg(struct store *s)
{
	return sqlite3_errmsg(store_db(s));
}

void
store_rows_free(struct store_rows *q)
{
	sqlite3_finalize(ST(q));
}

int
store_rows_columns(struct store_rows *q)
{
	return sqlite3_column_count(ST(q));
}

int
store_rows_null(struct store_rows *q, int col)
{
	return sqlite3_column_type(ST(q), col) == SQLITE_NULL;
}

int64_t
store_rows_int64(struct store_rows *q, int col)
{
	return sqlite3_column_int64(ST(q), col);
}

int
store_rows_int(struct store_rows *q, int col)
{
	return sqlite3_column_int(ST(q), col);
}

double
store_rows_double(struct store_rows *q, int col)
{
	return sqlite3_column_double(ST(q), col);
}

const char *
store_rows_text(struct store_rows *q, int col)
{
	return (const char *)sqlite3_column_text(ST(q), col);
}

size_t
store_rows_bytes(struct store_rows *q, int col)
{
	return (size_t)sqlite3_column_bytes(ST(q), col);
}

const void *
store_rows_blob(struct store_rows *q, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(ST(q), col);

	*len = (size_t)sqlite3_column_bytes(ST(q), col);
	return p;
}

int
store_read_error(struct store *s, char *err, size_t errlen, const char *what)
{
	if (what == NULL)
		return store_sql_error(store_db(s), err, errlen, NULL);
	return store_sql_error(store_db(s), err, errlen, "%s", what);
}

void
store_read_begin(struct store *s, int *own)
{
	sqlite3 *db = store_db(s);

	*own = sqlite3_get_autocommit(db) &&
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

void
store_read_end(struct store *s, int own)
{
	if (own)
		sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL);
}
