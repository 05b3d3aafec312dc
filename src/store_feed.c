/*
 * store_feed.c - a feed's rows as an eponymous virtual table: a plain
 * scan in the rows' order, each column what binding it would have given
 * (an absent value is NULL).  Knows struct store_event, not the store.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_feed.h"
#include "util.h"

enum {
	FEED_ID, FEED_SOURCE, FEED_RULE, FEED_TS, FEED_HASH, FEED_ORDINAL,
	FEED_LINE, FEED_LINE_END, FEED_STREAM, FEED_TEXT, FEED_FIELDS,
	FEED_VALUE, FEED_GRP
};

struct feed_vtab {
	sqlite3_vtab		 base;
	const struct store_feed	*f;
};

struct feed_cursor {
	sqlite3_vtab_cursor	 base;
	const struct store_feed	*f;
	size_t			 i;
};

static int
feed_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **vt, char **errp)
{
	struct feed_vtab *v;
	int rc;

	rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id, source_id, rule,"
	    " ts, hash, ordinal, line, line_end, stream, text, fields, value,"
	    " grp)");
	if (rc != SQLITE_OK)
		return rc;
	if ((v = sqlite3_malloc(sizeof *v)) == NULL)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof *v);
	v->f = aux;
	*vt = &v->base;
	return SQLITE_OK;
}

static int
feed_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* No constraint helps: every row is read, once. */
static int
feed_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	info->estimatedCost = 16;
	info->estimatedRows = 16;
	return SQLITE_OK;
}

static int
feed_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cp)
{
	struct feed_cursor *c;

	if ((c = sqlite3_malloc(sizeof *c)) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	c->f = ((struct feed_vtab *)vt)->f;
	*cp = &c->base;
	return SQLITE_OK;
}

static int
feed_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int
feed_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
    sqlite3_value **argv)
{
	((struct feed_cursor *)cur)->i = 0;
	return SQLITE_OK;
}

static int
feed_next(sqlite3_vtab_cursor *cur)
{
	((struct feed_cursor *)cur)->i++;
	return SQLITE_OK;
}

static int
feed_eof(sqlite3_vtab_cursor *cur)
{
	const struct feed_cursor *c = (const struct feed_cursor *)cur;

	return c->i >= c->f->n;
}

static int
feed_column(sqlite3_vtab_cursor *cur, sqlite3_context *cx, int col)
{
	const struct feed_cursor *c = (const struct feed_cursor *)cur;
	const struct feed_row *r = &c->f->rows[c->i];
	const struct store_event *ev = r->ev;

	switch (col) {
	case FEED_ID:
		sqlite3_result_int64(cx, r->id);
		break;
	case FEED_SOURCE:
		sqlite3_result_int64(cx, ev->source_id);
		break;
	case FEED_RULE:
		if (c->f->by_name)
			sqlite3_result_text(cx, ev->rule, -1, SQLITE_STATIC);
		else
			sqlite3_result_int64(cx, r->rule_no);
		break;
	case FEED_TS:
		if (ev->ts != TS_NONE)
			sqlite3_result_int64(cx, ev->ts);
		break;
	case FEED_HASH:
		sqlite3_result_int64(cx, (int64_t)ev->hash);
		break;
	case FEED_ORDINAL:
		sqlite3_result_int(cx, ev->ordinal);
		break;
	case FEED_LINE:
		sqlite3_result_int64(cx, (int64_t)ev->line);
		break;
	case FEED_LINE_END:
		sqlite3_result_int64(cx, (int64_t)ev->line_end);
		break;
	case FEED_STREAM:
		sqlite3_result_int(cx, ev->stream);
		break;
	case FEED_TEXT:
		sqlite3_result_text(cx, ev->text, (int)ev->text_len,
		    SQLITE_STATIC);
		break;
	case FEED_FIELDS:
		/* with the length given SQLite need not look for the NUL */
		if (ev->fields_json != NULL)
			sqlite3_result_text(cx, ev->fields_json,
			    ev->fields_len > 0 ? (int)ev->fields_len : -1,
			    SQLITE_STATIC);
		break;
	case FEED_VALUE:
		if (ev->has_value)
			sqlite3_result_double(cx, ev->value);
		break;
	case FEED_GRP:
		if (ev->grp != NULL)
			sqlite3_result_text(cx, ev->grp, (int)ev->grp_len,
			    SQLITE_STATIC);
		break;
	}
	return SQLITE_OK;
}

static int
feed_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((const struct feed_cursor *)cur)->i;
	return SQLITE_OK;
}

/* Eponymous only (no xCreate): there is nothing to create. */
static const sqlite3_module feed_module = {
	.xConnect = feed_connect,
	.xBestIndex = feed_best_index,
	.xDisconnect = feed_disconnect,
	.xOpen = feed_open,
	.xClose = feed_close,
	.xFilter = feed_filter,
	.xNext = feed_next,
	.xEof = feed_eof,
	.xColumn = feed_column,
	.xRowid = feed_rowid,
};

int
store_feed_register(sqlite3 *db, const char *name, struct store_feed *f)
{
	return sqlite3_create_module_v2(db, name, &feed_module, f, NULL);
}

void
store_feed_add(struct store_feed *f, const struct store_event *ev,
    int64_t id, int64_t rule_no)
{
	f->rows = util_grow(f->rows, &f->cap, f->n, sizeof *f->rows, 64);
	f->rows[f->n].ev = ev;
	f->rows[f->n].id = id;
	f->rows[f->n++].rule_no = rule_no;
}

void
store_feed_free(struct store_feed *f)
{
	free(f->rows);
	f->rows = NULL;
	f->n = f->cap = 0;
}
