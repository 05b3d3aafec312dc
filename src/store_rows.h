/*
 * store_rows.h - the rows of a store query, for readers that must not
 * know SQL: the store's named queries (store_report.h, store_tui.h,
 * store_context.h) hand out a cursor, the caller steps it and reads the
 * columns each query's comment lists.  Nothing is copied: a row's text
 * and blobs stay valid until the next step, reset or free.  Knows no
 * query and no table.
 */
#ifndef LOGTRIAGE_STORE_ROWS_H
#define LOGTRIAGE_STORE_ROWS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_rows;

/* The next row: 1, none left: 0, a database error: -1. */
int store_rows_next(struct store_rows *q);
/*
 * Put q back before its first row, keeping the values it was given:
 * that also ends the read it holds, so a kept query is reset once read.
 */
void store_rows_reset(struct store_rows *q);
/*
 * The value of parameter ?i (from 1) of a query that takes values; text
 * NULL binds NULL.  bind_text keeps the pointer (the text must outlive
 * the binding), bind_copy copies it.
 */
void store_rows_bind_int64(struct store_rows *q, int i, int64_t v);
void store_rows_bind_text(struct store_rows *q, int i, const char *text);
void store_rows_bind_copy(struct store_rows *q, int i, const char *text);
/* The message of the database's last error (for a status line). */
const char *store_read_errmsg(struct store *s);
/* Finalize q (NULL is fine). */
void store_rows_free(struct store_rows *q);

/* Columns of the current row, from 0. */
int store_rows_columns(struct store_rows *q);
int store_rows_null(struct store_rows *q, int col);
int64_t store_rows_int64(struct store_rows *q, int col);
int store_rows_int(struct store_rows *q, int col);
double store_rows_double(struct store_rows *q, int col);
/* NULL for a NULL value. */
const char *store_rows_text(struct store_rows *q, int col);
/* The bytes of the text store_rows_text gave for col. */
size_t store_rows_bytes(struct store_rows *q, int col);
/* The value's bytes as a blob (NULL for NULL or empty) and their count. */
const void *store_rows_blob(struct store_rows *q, int col, size_t *len);

/*
 * The one form of a read error, as store_sql_error gives it: err = what,
 * ": " and the database's message (the message alone when what is NULL).
 * Returns -1.
 */
int store_read_error(struct store *s, char *err, size_t errlen,
    const char *what);

/*
 * For the store's query files only (store_*.c), which know SQL: prepare
 * sql on the store's connection, or older when the database refuses sql
 * (one from before a column was added; NULL: none).  On failure *q is
 * NULL and err says "what: " and the database's message (what NULL: the
 * message alone).
 */
int store_rows_prepare(struct store *s, const char *sql, const char *older,
    const char *what, struct store_rows **q, char *err, size_t errlen);
/* The statement a query file prepared itself, handed out as rows. */
struct sqlite3_stmt;
struct store_rows *store_rows_of(struct sqlite3_stmt *st);

/*
 * Hold one snapshot over several queries (a read transaction) when none
 * is open yet; *own says whether store_read_end has one to close.
 */
void store_read_begin(struct store *s, int *own);
void store_read_end(struct store *s, int own);

#endif
