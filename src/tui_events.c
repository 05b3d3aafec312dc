/*
 * tui_events.c - the Events view: the events of the selection, one per
 * row, read a screenful at a time with keyset paging on (ts, id) so a
 * million rows open and scroll as fast as ten.  Filters by rule, source
 * and text; `/` searches for a regex, n/N move between hits; Enter opens
 * Detail.
 */
#include "tui.h"

#include <stdlib.h>
#include <string.h>

#include "timeparse.h"
#include "tui_search.h"
#include "util.h"

/*
 * One query per (rule, source) pair of the selection (store_tui.h), each
 * walking the index events_rule_ts in (ts, id) order from the key: no
 * sort and no scan of other rules' events, whatever the size of the
 * table.  The pages of the pairs are merged here.
 */
enum {
	Q_FWD,		/* from the key on, inclusive */
	Q_BACK,		/* before the key, newest first */
	Q_HIT_FWD,
	Q_HIT_BACK,
	Q_COUNT
};

static const enum store_tui_query ev_query[Q_COUNT] = {
	STORE_TUI_EVENTS_FWD, STORE_TUI_EVENTS_BACK, STORE_TUI_EVENTS_HIT_FWD,
	STORE_TUI_EVENTS_HIT_BACK
};

#define EV_HSTEP	10	/* columns Left and Right scroll the text */
#define EV_NEW_MAX	1000	/* new events counted below the screen, at most */

struct ev_row {
	int64_t	 id, ts;
	char	*source;
	char	*rule;
	char	*text;
	size_t	 text_len;
};

struct events {
	struct store_rows *q[Q_COUNT];
	struct tui_pair	*pairs;
	size_t		 npairs;
	struct ev_row	*rows;
	size_t		 n, cap;
	int64_t		 top_ts, top_id;	/* keyset of the first row shown */
	size_t		 cursor;
	int		 page;			/* rows that fit */
	int		 follow;		/* stay on the newest row */
	unsigned	 gen;
	int		 loaded_once;
	char		*rule;			/* r: rule filter of this view */
	char		*filter;		/* f: text filter */
	char		*category;		/* C: category filter */
	int		 severity;		/* v: this severity, -1 for any */
	int		 sev_exact;		/* ... exactly it, else at least */
	struct buf	 hint;			/* the status line: filters, keys */
	int64_t		 seen_ts, seen_id;	/* the newest event at home or end */
	int		 seen;			/* ... is set */
	int		 new_below;		/* events since, below the screen */
	int		 hoff;			/* text columns scrolled off left */
	int		 text_cols;		/* the text column's width */
	struct store_rows *q_rule;		/* a rule's category and severity */
};

static void *
events_create(struct tui *t)
{
	struct events *e = xcalloc(1, sizeof *e);

	buf_init(&e->hint);
	e->top_ts = e->top_id = INT64_MIN;
	e->page = 20;
	e->severity = -1;
	return e;
}

static void
events_clear_rows(struct events *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->rows[i].source);
		free(e->rows[i].rule);
		free(e->rows[i].text);
	}
	e->n = 0;
}

static void
events_destroy(void *state)
{
	struct events *e = state;
	int i;

	events_clear_rows(e);
	free(e->rows);
	for (i = 0; i < Q_COUNT; i++)
		store_rows_free(e->q[i]);
	tui_pairs_free(e->pairs, e->npairs);
	free(e->rule);
	free(e->filter);
	free(e->category);
	store_rows_free(e->q_rule);
	buf_free(&e->hint);
	free(e);
}

static int
events_prepare(struct tui *t, struct events *e, char *err, size_t errlen)
{
	int i;

	if (e->q_rule == NULL && store_tui_prepare(tui_store(t),
	    STORE_TUI_RULE_CLASS, &e->q_rule) != 0)
		return store_read_error(tui_store(t), err, errlen, "events");
	for (i = 0; i < Q_COUNT; i++) {
		if (e->q[i] != NULL)
			continue;
		if (store_tui_prepare(tui_store(t), ev_query[i], &e->q[i]) != 0)
			return store_read_error(tui_store(t), err, errlen,
			    "events");
	}
	return 0;
}

/*
 * Does the rule pass the category and severity filters?  A rule the rules
 * table does not know counts as debug in no category.
 */
static int
events_rule_ok(struct events *e, const char *rule)
{
	const char *cat = NULL;
	int sev = 0, ok;

	if (e->category == NULL && e->severity < 0)
		return 1;
	store_rows_bind_text(e->q_rule, 1, rule);
	if (store_rows_next(e->q_rule) == 1) {
		cat = store_rows_text(e->q_rule, 0);
		sev = store_rows_int(e->q_rule, 1);
	}
	ok = (e->sev_exact ? sev == e->severity : sev >= e->severity) &&
	    (e->category == NULL ||
	    (cat != NULL && strcmp(cat, e->category) == 0));
	store_rows_reset(e->q_rule);
	return ok;
}

/*
 * The (rule, source) pairs of the selection and filters that have events;
 * the filters combine, each narrowing what the others left.
 */
static int
events_pairs(struct tui *t, struct events *e)
{
	struct tui_sel *sel = tui_sel(t);
	size_t i, k = 0;
	int rc;

	tui_pairs_free(e->pairs, e->npairs);
	e->pairs = NULL;
	e->npairs = 0;
	rc = tui_pairs(t, e->rule != NULL ? e->rule : sel->rule,
	    e->category != NULL ? e->category : sel->category, sel->source_id,
	    &e->pairs, &e->npairs);
	for (i = 0; i < e->npairs; i++) {
		if (events_rule_ok(e, e->pairs[i].rule))
			e->pairs[k++] = e->pairs[i];
		else
			free(e->pairs[i].rule);
	}
	e->npairs = k;
	return rc;
}

/* Bind the window, the filters and the keyset for query k of a pair. */
static void
events_bind(struct tui *t, struct events *e, int k, const struct tui_pair *p,
    int64_t ts, int64_t id, int limit)
{
	struct tui_sel *sel = tui_sel(t);
	struct store_rows *q = e->q[k];
	int64_t since, until, lo, hi;

	tui_window(t, &since, &until);
	if (sel->since != TS_NONE)
		since = sel->since;
	if (sel->until != TS_NONE)
		until = sel->until;
	lo = since;
	hi = until - 1;
	if ((k == Q_FWD || k == Q_HIT_FWD) && ts > lo)
		lo = ts;
	if ((k == Q_BACK || k == Q_HIT_BACK) && ts < hi)
		hi = ts;
	store_rows_bind_text(q, 1, p->rule);
	store_rows_bind_int64(q, 2, p->source_id);
	store_rows_bind_int64(q, 3, lo);
	store_rows_bind_int64(q, 4, hi);
	store_rows_bind_int64(q, 5, ts);
	store_rows_bind_int64(q, 6, id);
	store_rows_bind_copy(q, 7, e->filter);
	store_rows_bind_int64(q, 8, limit);
}

static void
row_from(struct ev_row *r, struct store_rows *q)
{
	const char *s;

	r->id = store_rows_int64(q, 0);
	r->ts = store_rows_int64(q, 1);
	s = store_rows_text(q, 2);
	r->source = xstrdup(s != NULL ? s : "");
	s = store_rows_text(q, 3);
	r->rule = xstrdup(s != NULL ? s : "");
	s = store_rows_blob(q, 4, &r->text_len);
	r->text = xstrndup(s != NULL ? s : "", r->text_len);
}

static int
row_cmp_up(const void *a, const void *b)
{
	const struct ev_row *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
row_cmp_down(const void *a, const void *b)
{
	return row_cmp_up(b, a);
}

/* Free the strings of n rows (not the array). */
static void
rows_clear(struct ev_row *rows, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(rows[i].source);
		free(rows[i].rule);
		free(rows[i].text);
	}
}

/*
 * Run query k from (ts, id) for up to limit rows; rows go to out (grown as
 * needed, caller frees with rows_free).  Returns the count or -1.
 */
static int
events_fetch(struct tui *t, struct events *e, int k, int64_t ts, int64_t id,
    int limit, struct ev_row **out)
{
	struct store_rows *q = e->q[k];
	size_t i;
	int n = 0, rc = 0;

	*out = NULL;
	for (i = 0; i < e->npairs && rc == 0; i++) {
		events_bind(t, e, k, &e->pairs[i], ts, id, limit);
		while ((rc = store_rows_next(q)) == 1) {
			*out = xrealloc(*out, (size_t)(n + 1) * sizeof **out);
			row_from(&(*out)[n], q);
			n++;
		}
		store_rows_reset(q);
	}
	if (rc != 0) {
		tui_message(t, "events: %s", store_read_errmsg(tui_store(t)));
		if (n == 0)
			return -1;
	}
	/* Merge the pairs' pages: keep the first limit rows in key order. */
	if (n > 1)
		qsort(*out, (size_t)n, sizeof **out,
		    k == Q_FWD || k == Q_HIT_FWD ? row_cmp_up : row_cmp_down);
	if (n > limit) {
		rows_clear(*out + limit, n - limit);
		n = limit;
	}
	return n;
}

static void
rows_free(struct ev_row *rows, int n)
{
	rows_clear(rows, n);
	free(rows);
}

/* Remember the newest event: what arrives after it is new. */
static void
events_mark_seen(struct tui *t, struct events *e)
{
	struct ev_row *rows;
	int n;

	n = events_fetch(t, e, Q_BACK, INT64_MAX, INT64_MAX, 1, &rows);
	e->seen_ts = n > 0 ? rows[0].ts : INT64_MIN;
	e->seen_id = n > 0 ? rows[0].id : INT64_MIN;
	e->seen = 1;
	e->new_below = 0;
	rows_free(rows, n > 0 ? n : 0);
}

/*
 * How many events came after the one marked seen and below the last row
 * shown: a live stream adds them while the cursor stays where it is.
 */
static void
events_count_new(struct tui *t, struct events *e)
{
	struct ev_row *rows;
	int64_t ts = e->seen_ts, id = e->seen_id;
	int n;

	e->new_below = 0;
	if (!e->seen || e->follow)
		return;
	if (e->n > 0 && (e->rows[e->n - 1].ts > ts ||
	    (e->rows[e->n - 1].ts == ts && e->rows[e->n - 1].id > id))) {
		ts = e->rows[e->n - 1].ts;
		id = e->rows[e->n - 1].id;
	}
	n = events_fetch(t, e, Q_FWD, ts, id == INT64_MAX ? id : id + 1,
	    EV_NEW_MAX, &rows);
	e->new_below = n > 0 ? n : 0;
	rows_free(rows, n > 0 ? n : 0);
}

/* Read the page that starts at the top key. */
static void
events_page(struct tui *t, struct events *e)
{
	struct ev_row *rows;
	int n;

	n = events_fetch(t, e, Q_FWD, e->top_ts, e->top_id, e->page, &rows);
	events_clear_rows(e);
	free(e->rows);
	e->rows = rows;
	e->n = n > 0 ? (size_t)n : 0;
	if (e->n > 0) {
		e->top_ts = e->rows[0].ts;
		e->top_id = e->rows[0].id;
	}
	if (e->cursor >= e->n)
		e->cursor = e->n > 0 ? e->n - 1 : 0;
	events_count_new(t, e);
}

static void
events_home(struct tui *t, struct events *e)
{
	e->top_ts = e->top_id = INT64_MIN;
	e->cursor = 0;
	e->follow = 0;
	events_mark_seen(t, e);
	events_page(t, e);
}

/* The last page, cursor on the newest row. */
static void
events_end(struct tui *t, struct events *e)
{
	struct ev_row *rows;
	int n;

	n = events_fetch(t, e, Q_BACK, INT64_MAX, INT64_MAX, e->page, &rows);
	if (n > 0) {
		e->top_ts = rows[n - 1].ts;
		e->top_id = rows[n - 1].id;
	} else
		e->top_ts = e->top_id = INT64_MIN;
	rows_free(rows, n > 0 ? n : 0);
	events_page(t, e);
	e->cursor = e->n > 0 ? e->n - 1 : 0;
	e->follow = 1;
	events_mark_seen(t, e);
}

/* Scroll the page down by up to n rows; the cursor stays on its screen row. */
static void
events_down(struct tui *t, struct events *e, int n)
{
	struct ev_row *rows;
	int got, shift;

	got = events_fetch(t, e, Q_FWD, e->top_ts, e->top_id, n + e->page, &rows);
	if (got <= 0) {
		rows_free(rows, 0);
		return;
	}
	shift = got - e->page;
	if (shift > n)
		shift = n;
	if (shift > 0) {
		e->top_ts = rows[shift].ts;
		e->top_id = rows[shift].id;
	}
	rows_free(rows, got);
	events_page(t, e);
	/* Nothing more below: the rest of the move goes to the cursor. */
	if (shift < n) {
		e->cursor += (size_t)(n - (shift > 0 ? shift : 0));
		if (e->cursor >= e->n) {
			e->cursor = e->n > 0 ? e->n - 1 : 0;
			e->follow = 1;
		}
	}
}

static void
events_up(struct tui *t, struct events *e, int n)
{
	struct ev_row *rows;
	int got;

	e->follow = 0;
	got = events_fetch(t, e, Q_BACK, e->top_ts, e->top_id, n, &rows);
	if (got > 0) {
		e->top_ts = rows[got - 1].ts;
		e->top_id = rows[got - 1].id;
	}
	rows_free(rows, got > 0 ? got : 0);
	events_page(t, e);
	if (got < n)
		e->cursor = (size_t)n - (size_t)(got > 0 ? got : 0) > e->cursor ?
		    0 : e->cursor - ((size_t)n - (size_t)(got > 0 ? got : 0));
}

/* The selection changed under the view: new pairs, first page. */
static void
events_refill(struct tui *t, struct events *e)
{
	if (events_pairs(t, e) == -1)
		tui_message(t, "events: %s", store_read_errmsg(tui_store(t)));
	events_home(t, e);
}

static int
events_load(struct tui *t, void *state, char *err, size_t errlen)
{
	struct events *e = state;
	struct tui_sel *sel = tui_sel(t);

	if (events_prepare(t, e, err, errlen) == -1)
		return -1;
	if (!e->loaded_once || e->gen != sel->gen) {
		/* A new selection starts at its first event. */
		e->loaded_once = 1;
		e->gen = sel->gen;
		free(e->rule);
		e->rule = NULL;
		if (events_pairs(t, e) == -1)
			goto fail;
		events_home(t, e);
		return 0;
	}
	/* New data may bring new rules or sources. */
	if (events_pairs(t, e) == -1)
		goto fail;
	if (e->follow)
		events_end(t, e);
	else
		events_page(t, e);
	return 0;
fail:
	store_read_error(tui_store(t), err, errlen, "events");
	return -1;
}

static void
events_title(struct tui *t, struct events *e, int y)
{
	struct tui_sel *sel = tui_sel(t);
	struct buf b;
	char a[32], z[32];

	buf_init(&b);
	buf_puts(&b, "events");
	if (e->rule != NULL || sel->rule != NULL)
		buf_printf(&b, "  rule %s", e->rule != NULL ? e->rule : sel->rule);
	if (e->category != NULL || sel->category != NULL)
		buf_printf(&b, "  category %s", e->category != NULL ?
		    e->category : sel->category);
	if (e->severity >= 0)
		buf_printf(&b, "  severity %s %s", e->sev_exact ? "=" : ">=",
		    tui_severity_name(e->severity));
	if (e->rule == NULL && sel->rule == NULL && e->category == NULL &&
	    sel->category == NULL && e->severity < 0)
		buf_puts(&b, "  all rules");
	if (sel->since != TS_NONE) {
		tui_format_time(sel->since, a, sizeof a);
		tui_format_time(sel->until - 1, z, sizeof z);
		buf_printf(&b, "  %s .. %s", a, z);
	}
	if (e->filter != NULL)
		buf_printf(&b, "  text \"%s\"", e->filter);
	if (tui_search(t)->pattern != NULL)
		buf_printf(&b, "  search /%s/", tui_search(t)->pattern);
	if (e->new_below > 0)
		buf_printf(&b, "  %d%s new below (G follows)", e->new_below,
		    e->new_below >= EV_NEW_MAX ? "+" : "");
	tui_attr(t, TUI_TITLE, 1);
	tui_put(t, y, 1, tui_cols(t) - 2, b.data, b.len, 0);
	tui_attr(t, TUI_TITLE, 0);
	buf_free(&b);
}

/*
 * name cut to w bytes in the middle, as "exai_doc_CONC…2025-10-19.log":
 * the start and the date or number at the end are what tell names apart.
 * The cut never splits a UTF-8 character.
 */
static void
name_cut(struct buf *b, const char *s, int w, int utf8)
{
	size_t len = strlen(s), head, tail;

	buf_reset(b);
	if (w < 3 || len <= (size_t)w) {
		buf_puts(b, s);
		return;
	}
	head = (size_t)(w - 1) / 2;
	tail = (size_t)(w - 1) - head;
	while (head > 0 && ((unsigned char)s[head] & 0xc0) == 0x80)
		head--;
	while (tail > 0 && ((unsigned char)s[len - tail] & 0xc0) == 0x80)
		tail--;
	buf_append(b, s, head);
	buf_puts(b, utf8 ? "\xe2\x80\xa6" : "~");
	buf_append(b, s + len - tail, tail);
}

static const char *
row_name(const struct ev_row *r, int which)
{
	return which == 0 ? r->source : r->rule;
}

/* Do two different names of the page read the same when cut to w? */
static int
names_clash(struct tui *t, const struct events *e, size_t n, int which, int w)
{
	struct buf a, b;
	size_t i, j;
	int clash = 0;

	buf_init(&a);
	buf_init(&b);
	for (i = 0; i < n && !clash; i++) {
		name_cut(&a, row_name(&e->rows[i], which), w, tui_utf8(t));
		for (j = i + 1; j < n && !clash; j++) {
			if (strcmp(row_name(&e->rows[i], which),
			    row_name(&e->rows[j], which)) == 0)
				continue;
			name_cut(&b, row_name(&e->rows[j], which), w, tui_utf8(t));
			clash = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
		}
	}
	buf_free(&a);
	buf_free(&b);
	return clash;
}

/*
 * Width of the source (which 0) or rule (1) column for the n rows shown:
 * the longest name when it fits in cap, at least min; wider than cap only
 * as far as needed for no two names to read the same.
 */
static int
name_width(struct tui *t, const struct events *e, size_t n, int which,
    int min, int cap)
{
	size_t i;
	int longest = 0, w;

	for (i = 0; i < n; i++) {
		int len = (int)strlen(row_name(&e->rows[i], which));

		if (len > longest)
			longest = len;
	}
	w = longest < cap ? longest : cap;
	if (w < min)
		w = min;
	while (w < longest && names_clash(t, e, n, which, w))
		w++;
	return w;
}

/*
 * The text of a row without the timestamp it starts with: the time column
 * already shows it.
 */
static const char *
row_text(const struct ev_row *r, size_t *n)
{
	int64_t ms;
	size_t k = timeparse_leading(r->text, r->text_len, NULL, &ms);

	/*
	 * nginx's access line puts the client before its bracketed stamp:
	 * the time column says when, but only the line says who.
	 */
	if (k > 0 && r->text[0] != '[' && memchr(r->text, '[', k) != NULL)
		k = 0;
	while (k < r->text_len && r->text[k] == ' ')
		k++;
	*n = r->text_len - k;
	return r->text + k;
}

/* The widest text of the page, in columns. */
static int
events_text_width(struct tui *t, struct events *e)
{
	const char *p;
	size_t i, n;
	int w, most = 0;

	for (i = 0; i < e->n && (int)i < e->page; i++) {
		p = row_text(&e->rows[i], &n);
		if ((w = tui_width(t, p, n)) > most)
			most = w;
	}
	return most;
}

static void
events_draw(struct tui *t, void *state, int y, int h)
{
	struct events *e = state;
	int cols = tui_cols(t), x, page = h - 2, ws, wr;
	char ts[32], label[64];
	struct buf name;
	const char *text;
	size_t i, shown, tn;

	if (page < 1)
		page = 1;
	if (page != e->page) {
		e->page = page;
		events_page(t, e);
	}
	events_title(t, e, y);
	shown = e->n < (size_t)page ? e->n : (size_t)page;
	ws = name_width(t, e, shown, 0, 16, cols / 5 > 16 ? cols / 5 : 16);
	wr = name_width(t, e, shown, 1, 20, cols / 6 > 20 ? cols / 6 : 20);
	snprintf(label, sizeof label, "time (%s)", tui_zone());
	tui_attr(t, TUI_DIM, 1);
	tui_printf(t, y + 1, 1, cols - 2, "%-23.23s %-*s %-*s %s", label,
	    ws, "source", wr, "rule", "text");
	tui_attr(t, TUI_DIM, 0);
	buf_init(&name);
	if (e->n == 0)
		tui_printf(t, y + 2, 3, cols - 4, "no events for this selection");
	for (i = 0; i < e->n && (int)i < page; i++) {
		struct ev_row *r = &e->rows[i];
		int row = y + 2 + (int)i;

		if (i == e->cursor)
			tui_attr(t, TUI_CURSOR, 1);
		move(row, 0);
		hline(' ', cols);
		tui_format_time(r->ts, ts, sizeof ts);
		x = 2 + tui_printf(t, row, 1, 23, "%s.%03d", ts,
		    (int)(((r->ts % 1000) + 1000) % 1000));
		name_cut(&name, r->source, ws, tui_utf8(t));
		x += 1 + tui_put(t, row, x, ws, name.data, name.len, 1);
		name_cut(&name, r->rule, wr, tui_utf8(t));
		x += 1 + tui_put(t, row, x, wr, name.data, name.len, 1);
		e->text_cols = cols - x;
		text = row_text(r, &tn);
		tui_put_hl(t, row, x, cols - x, text, tn, 0, e->hoff);
		if (i == e->cursor)
			tui_attr(t, TUI_CURSOR, 0);
	}
	buf_free(&name);
}

/*
 * Near the end the page from the top key is short: fill it from above,
 * the cursor staying on the row it was on.
 */
static void
events_fill_up(struct tui *t, struct events *e)
{
	struct ev_row *rows;
	int n;

	if (e->n >= (size_t)e->page)
		return;
	n = events_fetch(t, e, Q_BACK, e->top_ts, e->top_id,
	    e->page - (int)e->n, &rows);
	if (n > 0) {
		e->top_ts = rows[n - 1].ts;
		e->top_id = rows[n - 1].id;
		e->cursor += (size_t)n;
	}
	rows_free(rows, n > 0 ? n : 0);
	events_page(t, e);
}

/* T: the first event at or after ms under the cursor, else the last one. */
static void
events_go_to(struct tui *t, void *state, int64_t ms)
{
	struct events *e = state;
	char ts[32];

	e->top_ts = ms;
	e->top_id = INT64_MIN;
	e->cursor = 0;
	e->follow = 0;
	events_page(t, e);
	tui_format_time(ms, ts, sizeof ts);
	if (e->n == 0) {
		events_end(t, e);
		e->follow = 0;
		tui_message(t, "no event at or after %s %s: the last one", ts,
		    tui_zone());
		return;
	}
	events_fill_up(t, e);
	tui_message(t, "went to %s %s", ts, tui_zone());
}

/* Jump to the next (dir 1) or previous (dir -1) row containing the search. */
static void
events_find(struct tui *t, struct events *e, int dir)
{
	struct ev_row *rows;
	int64_t ts = INT64_MIN, id = INT64_MIN;
	int n;

	if (tui_search(t)->pattern == NULL) {
		tui_message(t, "no search yet: press /");
		return;
	}
	if (e->cursor < e->n) {
		ts = e->rows[e->cursor].ts;
		id = e->rows[e->cursor].id;
	} else if (dir < 0)
		ts = id = INT64_MAX;
	n = events_fetch(t, e, dir > 0 ? Q_HIT_FWD : Q_HIT_BACK, ts, id, 1, &rows);
	if (n <= 0) {
		/* Wrap around once, as less and vi do. */
		ts = id = dir > 0 ? INT64_MIN : INT64_MAX;
		n = events_fetch(t, e, dir > 0 ? Q_HIT_FWD : Q_HIT_BACK, ts, id, 1,
		    &rows);
		if (n <= 0) {
			tui_message(t, "/%s/ not found", tui_search(t)->pattern);
			rows_free(rows, 0);
			return;
		}
		tui_message(t, "search wrapped to the %s", dir > 0 ? "top" :
		    "bottom");
	}
	e->top_ts = rows[0].ts;
	e->top_id = rows[0].id;
	e->cursor = 0;
	e->follow = 0;
	rows_free(rows, n);
	events_page(t, e);
	events_fill_up(t, e);
}

static void
events_set(char **field, char *value)
{
	free(*field);
	*field = NULL;
	if (value != NULL && value[0] != '\0')
		*field = value;
	else
		free(value);
}

/*
 * v: show only events of rules at least this severe ("warning" or
 * ">=warning") or of exactly this severity ("=error"); empty = any.
 */
static void
events_ask_severity(struct tui *t, struct events *e)
{
	static const char *const words[] = {
		"debug", "info", "notice", "warning", "error", "critical",
		">=debug", ">=info", ">=notice", ">=warning", ">=error",
		">=critical", "=debug", "=info", "=notice", "=warning", "=error",
		"=critical", NULL
	};
	static const struct tui_names severity_words = { 0, words };
	char *in, now[16];
	const char *name;
	int i, exact = 0;

	snprintf(now, sizeof now, "%s%s", e->sev_exact ? "=" : ">=",
	    tui_severity_name(e->severity));
	in = tui_prompt_names(t, "severity (warning or >=warning at least, "
	    "=error exactly; empty = any): ", e->severity >= 0 ? now : NULL,
	    &severity_words);
	if (in == NULL)
		return;
	name = in;
	if (strncmp(name, ">=", 2) == 0)
		name += 2;
	else if (name[0] == '=') {
		exact = 1;
		name += name[1] == '=' ? 2 : 1;
	}
	for (i = 0; in[0] != '\0' && i <= 5; i++)
		if (strcmp(name, tui_severity_name(i)) == 0)
			break;
	if (i > 5) {
		tui_message(t, "no such severity: %s (debug, info, notice, "
		    "warning, error, critical; >= or = before one)", in);
		free(in);
		return;
	}
	e->severity = in[0] != '\0' ? i : -1;
	e->sev_exact = exact;
	free(in);
	events_refill(t, e);
}

/* The status line: the filters in force first, so they are always in view. */
static const char *
events_hint(struct tui *t, void *state)
{
	struct events *e = state;
	struct tui_sel *sel = tui_sel(t);
	size_t n;

	buf_reset(&e->hint);
	if (e->rule != NULL || sel->rule != NULL)
		buf_printf(&e->hint, "rule %s  ", e->rule != NULL ? e->rule :
		    sel->rule);
	if (e->category != NULL || sel->category != NULL)
		buf_printf(&e->hint, "category %s  ", e->category != NULL ?
		    e->category : sel->category);
	if (e->severity >= 0)
		buf_printf(&e->hint, "severity %s %s  ", e->sev_exact ? "=" :
		    ">=", tui_severity_name(e->severity));
	if (sel->source_id >= 0 || tui_source_patterns(t, &n) != NULL)
		buf_puts(&e->hint, "source  ");
	if (sel->since != TS_NONE)
		buf_puts(&e->hint, "time range  ");
	if (e->filter != NULL)
		buf_printf(&e->hint, "text \"%s\"  ", e->filter);
	if (tui_search(t)->pattern != NULL)
		buf_printf(&e->hint, "/%s/  ", tui_search(t)->pattern);
	if (e->hint.len > 0) {
		buf_puts(&e->hint, "(c clears) | ");
		buf_puts(&e->hint, tui_view_events.keys);
		return e->hint.data;
	}
	return NULL;
}

static int
events_key(struct tui *t, void *state, int key)
{
	static const struct tui_names rule_names = {
		STORE_TUI_RULE_NAMES, NULL
	};
	static const struct tui_names category_names = {
		STORE_TUI_CATEGORY_NAMES, NULL
	};
	struct events *e = state;
	struct tui_sel *sel = tui_sel(t);
	char *in, msg[300];

	switch (key) {
	case KEY_DOWN:
	case 'j':
		if (e->cursor + 1 < e->n)
			e->cursor++;
		else
			events_down(t, e, 1);
		return 1;
	case KEY_UP:
	case 'k':
		e->follow = 0;
		if (e->cursor > 0)
			e->cursor--;
		else
			events_up(t, e, 1);
		return 1;
	case KEY_NPAGE:
	case ' ':
		events_down(t, e, e->page);
		return 1;
	case KEY_PPAGE:
		events_up(t, e, e->page);
		return 1;
	case 'g':
		events_home(t, e);
		return 1;
	case 'G':
		events_end(t, e);
		return 1;
	case KEY_RIGHT:
	case 'l':
		/* Not past the point where the widest line ends on screen. */
		e->hoff += EV_HSTEP;
		if (e->hoff > events_text_width(t, e) - e->text_cols)
			e->hoff = events_text_width(t, e) - e->text_cols;
		if (e->hoff < 0)
			e->hoff = 0;
		return 1;
	case KEY_LEFT:
	case 'h':
		e->hoff = e->hoff > EV_HSTEP ? e->hoff - EV_HSTEP : 0;
		return 1;
	case KEY_HOME:
		e->hoff = 0;
		return 1;
	case KEY_END:
		e->hoff = events_text_width(t, e) - e->text_cols;
		if (e->hoff < 0)
			e->hoff = 0;
		return 1;
	case '/':
		in = tui_prompt(t, "search (regex): ", NULL);
		if (in == NULL)
			return 1;
		if (tui_search_set(tui_search(t), in, msg, sizeof msg) == -1) {
			tui_message(t, "%s", msg);
			free(in);
			return 1;
		}
		free(in);
		if (tui_search(t)->pattern != NULL) {
			/* Start from just above the cursor so the current row counts. */
			if (e->cursor < e->n)
				e->rows[e->cursor].id--;
			events_find(t, e, 1);
		}
		return 1;
	case 'n':
		events_find(t, e, 1);
		return 1;
	case 'N':
		events_find(t, e, -1);
		return 1;
	case 'f':
		in = tui_prompt(t, "show only events containing: ", e->filter);
		if (in == NULL)
			return 1;
		events_set(&e->filter, in);
		events_home(t, e);
		return 1;
	case 'r':
		in = tui_prompt_names(t, "rule (empty = the selection): ", e->rule,
		    &rule_names);
		if (in == NULL)
			return 1;
		if (in[0] != '\0' && !tui_exists(t, STORE_TUI_RULE_EXISTS, in)) {
			tui_message(t, "no such rule: %s", in);
			free(in);
			return 1;
		}
		events_set(&e->rule, in);
		events_refill(t, e);
		return 1;
	case 'v':
		events_ask_severity(t, e);
		return 1;
	case 'C':
		in = tui_prompt_names(t, "category (empty = any): ", e->category,
		    &category_names);
		if (in == NULL)
			return 1;
		if (in[0] != '\0' && !tui_exists(t, STORE_TUI_CATEGORY_EXISTS,
		    in)) {
			tui_message(t, "no such category: %s", in);
			free(in);
			return 1;
		}
		events_set(&e->category, in);
		events_refill(t, e);
		return 1;
	case 'c':
		events_set(&e->category, NULL);
		e->severity = -1;
		e->sev_exact = 0;
		events_set(&e->rule, NULL);
		events_set(&e->filter, NULL);
		tui_search_set(tui_search(t), NULL, NULL, 0);
		tui_sel_clear(t);
		e->gen = sel->gen;
		events_refill(t, e);
		tui_message(t, "filters cleared: all events of the window");
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (e->cursor >= e->n)
			return 1;
		sel->event_id = e->rows[e->cursor].id;
		tui_push(t, &tui_view_detail);
		return 1;
	}
	return 0;
}

const struct tui_view tui_view_events = {
	.name = "Events",
	.create = events_create,
	.destroy = events_destroy,
	.load = events_load,
	.draw = events_draw,
	.key = events_key,
	.hint = events_hint,
	.go_to = events_go_to,
	.keys = "Enter detail  / search  n/N  f text  r rule  C category  v severity  c clear  Left/Right scroll",
};
