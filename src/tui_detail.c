/*
 * tui_detail.c - the Detail view: one event in full: when, where, which
 * rule, its fields and inherited fields, the events it is linked with (the
 * timeout before a fallback, the recovery after a leak), the incidents it
 * belongs to, the whole record text, and the lines around it in its input
 * (context.h), the event's own highlighted; [ and ] narrow and widen them.
 * Enter on a linked event follows the link; Esc steps back along the links
 * followed, then out of the view.
 */
#include "tui.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cjson/cJSON.h>

#include "pretty.h"
#include "timeparse.h"
#include "context.h"
#include "util.h"

#define DT_HISTORY	32
#define DT_HSTEP	10	/* columns Left and Right scroll */
#define DT_LINKED	20
/* Lines of context before and after the event: at first, and per [ or ]. */
#define DT_CONTEXT	10
#define DT_CONTEXT_STEP	5

enum dt_role {
	DT_TEXT,
	DT_HEAD,
	DT_LINK,
	DT_OWN		/* the event's own line in its context */
};

struct dt_line {
	enum dt_role	 role;
	char		*text;
	size_t		 len;
	int64_t		 event_id;	/* DT_LINK */
};

struct detail {
	struct store_rows *q_event;
	struct store_rows *q_brief;
	struct store_rows *q_back;
	struct store_rows *q_incidents;
	struct dt_line	*lines;
	size_t		 n, cap;
	size_t		 top;
	size_t		 cursor;	/* a DT_LINK line, or n for none */
	int64_t		 shown;		/* event the lines are for */
	int64_t		 history[DT_HISTORY];
	size_t		 nhistory;
	int		 page;
	int		 width;		/* the record is wrapped to this */
	int		 wrap;		/* w: wrap long lines, else scroll */
	int		 pretty;	/* p: indent JSON and dict payloads */
	int		 hoff;		/* columns scrolled off the left */
	int		 context;	/* lines shown before and after it */
	struct context	 ctx;		/* of the event shown */
	int64_t		 ctx_id;	/* ... read for this event */
	int		 ctx_lines;	/* ... with this many lines, or -1 */
};

static void *
detail_create(struct tui *t)
{
	struct detail *d = xcalloc(1, sizeof *d);

	d->shown = -1;
	d->page = 20;
	d->pretty = 1;
	d->context = DT_CONTEXT;
	d->ctx_lines = -1;
	return d;
}

static void
detail_clear(struct detail *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->lines[i].text);
	d->n = 0;
	d->top = 0;
	d->cursor = 0;
}

static void
detail_destroy(void *state)
{
	struct detail *d = state;

	detail_clear(d);
	free(d->lines);
	context_free(&d->ctx);
	store_rows_free(d->q_event);
	store_rows_free(d->q_brief);
	store_rows_free(d->q_back);
	store_rows_free(d->q_incidents);
	free(d);
}

static struct dt_line *
detail_add(struct detail *d, enum dt_role role, const char *text, size_t len)
{
	struct dt_line *l;

	d->lines = util_grow(d->lines, &d->cap, d->n, sizeof *d->lines, 64);
	l = &d->lines[d->n++];
	l->role = role;
	l->text = xstrndup(text, len);
	l->len = len;
	l->event_id = -1;
	return l;
}

static void
detail_addf(struct detail *d, enum dt_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
detail_addf(struct detail *d, enum dt_role role, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	detail_add(d, role, s, (size_t)n);
	free(s);
}

static const char *
col(struct store_rows *q, int i)
{
	const char *s = store_rows_text(q, i);

	return s != NULL ? s : "";
}

static int
detail_prepare(struct tui *t, struct detail *d, char *err, size_t errlen)
{
	static const enum store_tui_query which[] = {
		STORE_TUI_EVENT, STORE_TUI_EVENT_BRIEF, STORE_TUI_EVENTS_LINKED,
		STORE_TUI_EVENT_INCIDENTS
	};
	struct store_rows **out[] = {
		&d->q_event, &d->q_brief, &d->q_back, &d->q_incidents
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(which); i++) {
		if (*out[i] != NULL)
			continue;
		if (store_tui_prepare(tui_store(t), which[i], out[i]) != 0)
			return store_read_error(tui_store(t), err, errlen,
			    "detail");
	}
	return 0;
}

/* "key = value" lines of a JSON object; non-objects are shown as they are. */
static void
detail_fields(struct detail *d, const char *json)
{
	cJSON *j, *it;
	char *v;

	if ((j = cJSON_Parse(json)) == NULL || !cJSON_IsObject(j)) {
		detail_addf(d, DT_TEXT, "  %s", json);
		cJSON_Delete(j);
		return;
	}
	if (j->child == NULL)
		detail_add(d, DT_TEXT, "  (none)", 8);
	cJSON_ArrayForEach(it, j) {
		if (cJSON_IsString(it))
			detail_addf(d, DT_TEXT, "  %-16s %s", it->string,
			    it->valuestring);
		else {
			v = cJSON_PrintUnformatted(it);
			detail_addf(d, DT_TEXT, "  %-16s %s", it->string,
			    v != NULL ? v : "?");
			free(v);
		}
	}
	cJSON_Delete(j);
}

/* The rule summary with {field} replaced from fields, then inherited. */
static void
detail_summary(struct detail *d, const char *tmpl, const char *fields,
    const char *inherited)
{
	cJSON *f = fields != NULL ? cJSON_Parse(fields) : NULL;
	cJSON *h = inherited != NULL ? cJSON_Parse(inherited) : NULL;
	const char *p = tmpl, *close;
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "summary   ");
	while (*p != '\0') {
		cJSON *v = NULL;
		char *name;

		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			buf_putc(&b, *p++);
			continue;
		}
		name = xstrndup(p + 1, (size_t)(close - p - 1));
		if (f != NULL)
			v = cJSON_GetObjectItemCaseSensitive(f, name);
		if (v == NULL && h != NULL)
			v = cJSON_GetObjectItemCaseSensitive(h, name);
		if (cJSON_IsString(v))
			buf_puts(&b, v->valuestring);
		else
			buf_append(&b, p, (size_t)(close - p + 1));
		free(name);
		p = close + 1;
	}
	detail_add(d, DT_TEXT, b.data, b.len);
	buf_free(&b);
	cJSON_Delete(f);
	cJSON_Delete(h);
}

static void
detail_brief(struct detail *d, struct store_rows *q, const char *label)
{
	char ts[32];
	struct dt_line *l;
	const char *text = col(q, 3);
	const char *nl = strchr(text, '\n');
	size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);
	char *first = xstrndup(text, len);

	tui_format_time(store_rows_int64(q, 1), ts, sizeof ts);
	l = detail_add(d, DT_LINK, "", 0);
	free(l->text);
	l->text = xasprintf("  %s event %lld  %s  %s  %s", label,
	    (long long)store_rows_int64(q, 0), ts, col(q, 2), first);
	l->len = strlen(l->text);
	l->event_id = store_rows_int64(q, 0);
	free(first);
}

/*
 * One line of the record, escaped here (escaping again on output changes
 * nothing) and wrapped to the width in columns.
 */
static void
detail_wrap(struct detail *d, const char *p, size_t n, int width)
{
	struct buf b;
	mbstate_t ps;
	size_t i = 0, start = 0, k;
	int used = 0, w;

	buf_init(&b);
	util_escape_terminal(&b, p, n, 0);
	memset(&ps, 0, sizeof ps);
	while (i < b.len) {
		if ((w = tui_char(b.data + i, b.len - i, &ps, &k)) < 0)
			w = 1;
		if (used + w > width && i > start) {
			detail_add(d, DT_TEXT, b.data + start, i - start);
			start = i;
			used = 0;
		}
		used += w;
		i += k;
	}
	if (i > start || b.len == 0)
		detail_add(d, DT_TEXT, b.data + start, i - start);
	buf_free(&b);
}

/*
 * One line of the record: the first without the timestamp it starts with
 * (the time line shows it), its JSON or Python dict payload indented when
 * pretty is on, wrapped when wrap is on, else kept whole for scrolling.
 */
static void
detail_record_line(struct detail *d, const char *p, size_t n, int first)
{
	int width = d->wrap ? d->width : INT_MAX;
	const char *s, *nl, *end;
	struct buf b;
	int64_t ms;

	if (first) {
		size_t k = timeparse_leading(p, n, NULL, &ms);

		p += k;
		n -= k;
	}
	buf_init(&b);
	if (!d->pretty || !pretty_payload(p, n, &b)) {
		detail_wrap(d, p, n, width);
		buf_free(&b);
		return;
	}
	end = b.data + b.len;
	for (s = b.data; s <= end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		detail_wrap(d, s, (size_t)(nl - s), width);
	}
	buf_free(&b);
}

/*
 * "value     2.28 s (2282 ms)  group glm-4.6": a metric value in its
 * rule's unit.  A database no writer has opened since rules.unit was
 * added has none: the value is then shown bare.
 */
static void
detail_value(struct tui *t, struct detail *d, struct store_rows *q)
{
	struct store_rows *u = NULL;
	const char *unit = NULL;
	double v = store_rows_double(q, 15);
	struct buf b;

	if (store_tui_prepare(tui_store(t), STORE_TUI_RULE_UNIT, &u) == 0) {
		store_rows_bind_text(u, 1, col(q, 3));
		if (store_rows_next(u) == 1)
			unit = store_rows_text(u, 0);
	}
	buf_init(&b);
	util_format_quantity(&b, v, unit);
	if (unit != NULL && strcmp(unit, "ms") == 0)
		buf_printf(&b, " (%g ms)", v);
	detail_addf(d, DT_TEXT, "value     %s%s%s", b.data,
	    !store_rows_null(q, 16) ? "  group " : "",
	    col(q, 16));
	buf_free(&b);
	store_rows_free(u);
}

/*
 * One line of context, "  123  text" (the event's own "  123: text"),
 * wrapped to the width under its text.
 */
static void
detail_context_line(struct detail *d, const struct context_line *l)
{
	struct buf b;
	mbstate_t ps;
	size_t i = 0, start = 0, k;
	int used = 0, w, width = d->width - 9 > 10 ? d->width - 9 : 10;
	enum dt_role role = l->own ? DT_OWN : DT_TEXT;
	int first = 1;

	buf_init(&b);
	util_escape_terminal(&b, l->text, l->len, 0);
	memset(&ps, 0, sizeof ps);
	for (;;) {
		if (i < b.len) {
			if ((w = tui_char(b.data + i, b.len - i, &ps, &k)) < 0)
				w = 1;
			if (used + w <= width || i == start) {
				used += w;
				i += k;
				continue;
			}
		}
		if (first)
			detail_addf(d, role, "%7llu%c %.*s",
			    (unsigned long long)l->lineno, l->own ? ':' : ' ',
			    (int)(i - start), b.data + start);
		else
			detail_addf(d, role, "%9s%.*s", "", (int)(i - start),
			    b.data + start);
		first = 0;
		start = i;
		used = 0;
		if (i >= b.len)
			break;
	}
	buf_free(&b);
}

/* The lines around the event in its input, or why there are none. */
static void
detail_context(struct detail *d)
{
	const struct context *c = &d->ctx;
	size_t i;

	detail_add(d, DT_TEXT, "", 0);
	detail_addf(d, DT_HEAD, "CONTEXT  %d lines before and after  ([ fewer,"
	    " ] more)", d->context);
	if (c->why[0] != '\0') {
		detail_addf(d, DT_TEXT, "  %s", c->why);
		return;
	}
	for (i = 0; i < c->n; i++)
		detail_context_line(d, &c->lines[i]);
}

static int
detail_build(struct tui *t, struct detail *d, int64_t id, char *err,
    size_t errlen)
{
	struct store_rows *q = d->q_event;
	const char *text, *p, *nl, *msg;
	char ts[32], when[48];
	int64_t ev_ts, source_id;
	size_t n, i;
	int rc;

	detail_clear(d);
	d->shown = id;
	d->width = tui_cols(t) - 2 > 10 ? tui_cols(t) - 2 : 10;
	store_rows_bind_int64(q, 1, id);
	if ((rc = store_rows_next(q)) != 1) {
		store_rows_reset(q);
		if (rc != 0)
			return store_read_error(tui_store(t), err, errlen,
			    "detail");
		msg = id < 0 ? "no event chosen: pick one in Events and press Enter" :
		    "this event is no longer stored";
		detail_add(d, DT_TEXT, msg, strlen(msg));
		return 0;
	}
	ev_ts = store_rows_int64(q, 1);
	source_id = store_rows_int64(q, 14);
	/* A .gz is read from its start: not again for every reload. */
	if (d->ctx_id != id || d->ctx_lines != d->context) {
		context_free(&d->ctx);
		d->ctx_lines = -1;
		if (context_read(tui_store(t), id, d->context, d->context,
		    &d->ctx, err, errlen) != 0) {
			store_rows_reset(q);
			return -1;
		}
		d->ctx_id = id;
		d->ctx_lines = d->context;
	}
	tui_format_time(ev_ts, ts, sizeof ts);
	snprintf(when, sizeof when, "%s.%03d %s", ts,
	    (int)(((ev_ts % 1000) + 1000) % 1000), tui_zone());
	detail_addf(d, DT_HEAD, "event %lld", (long long)id);
	detail_addf(d, DT_TEXT, "time      %s", when);
	detail_addf(d, DT_TEXT, "source    %s", col(q, 2));
	detail_addf(d, DT_TEXT, "rule      %s  (category %s, %s)", col(q, 3),
	    col(q, 4), tui_severity_name(store_rows_int(q, 5)));
	if (!store_rows_null(q, 6))
		detail_summary(d, col(q, 6),
		    store_rows_text(q, 11),
		    store_rows_text(q, 13));
	if (!store_rows_null(q, 7))
		detail_addf(d, DT_TEXT, "lines     %lld-%lld%s",
		    (long long)store_rows_int64(q, 7),
		    (long long)store_rows_int64(q, 8),
		    store_rows_int(q, 9) == 1 ? "  stdout" :
		    store_rows_int(q, 9) == 2 ? "  stderr" : "");
	if (d->ctx.path != NULL)
		detail_addf(d, DT_TEXT, "input     %s", d->ctx.path);
	if (!store_rows_null(q, 15))
		detail_value(t, d, q);
	detail_add(d, DT_TEXT, "", 0);
	detail_add(d, DT_HEAD, "FIELDS", 6);
	detail_fields(d, !store_rows_null(q, 11) ? col(q, 11) :
	    "{}");
	if (!store_rows_null(q, 13)) {
		detail_add(d, DT_HEAD, "INHERITED", 9);
		detail_fields(d, col(q, 13));
	}

	detail_add(d, DT_TEXT, "", 0);
	detail_add(d, DT_HEAD, "LINKED EVENTS", 13);
	n = d->n;
	if (!store_rows_null(q, 12)) {
		store_rows_bind_int64(d->q_brief, 1, store_rows_int64(q, 12));
		if (store_rows_next(d->q_brief) == 1)
			detail_brief(d, d->q_brief, "links to");
		store_rows_reset(d->q_brief);
	}
	store_rows_bind_int64(d->q_back, 1, id);
	store_rows_bind_int64(d->q_back, 2, DT_LINKED);
	while (store_rows_next(d->q_back) == 1)
		detail_brief(d, d->q_back, "linked from");
	store_rows_reset(d->q_back);
	if (d->n == n)
		detail_add(d, DT_TEXT, "  (none)", 8);

	detail_add(d, DT_TEXT, "", 0);
	detail_add(d, DT_HEAD, "INCIDENTS", 9);
	n = d->n;
	store_rows_bind_copy(d->q_incidents, 1, col(q, 3));
	store_rows_bind_int64(d->q_incidents, 2, source_id);
	store_rows_bind_int64(d->q_incidents, 3, ev_ts);
	store_rows_bind_int64(d->q_incidents, 4, id);
	while (store_rows_next(d->q_incidents) == 1) {
		struct store_rows *qi = d->q_incidents;
		char a[32], dur[16];

		tui_format_time(store_rows_int64(qi, 3), a, sizeof a);
		tui_format_duration(store_rows_int64(qi, 4) -
		    store_rows_int64(qi, 3), dur, sizeof dur);
		detail_addf(d, DT_TEXT, "  %s %s key %s  from %s for %s, %lld events",
		    col(qi, 0), col(qi, 1), col(qi, 2), a, dur,
		    (long long)store_rows_int64(qi, 5));
	}
	store_rows_reset(d->q_incidents);
	if (d->n == n)
		detail_add(d, DT_TEXT, "  (none)", 8);

	/* The record last, line by line: it may be a long traceback. */
	detail_add(d, DT_TEXT, "", 0);
	detail_add(d, DT_HEAD, "RECORD", 6);
	text = store_rows_blob(q, 10, &n);
	for (p = text; p != NULL && p < text + n; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + n - p));
		if (nl == NULL)
			nl = text + n;
		detail_record_line(d, p, (size_t)(nl - p), p == text);
	}
	store_rows_reset(q);
	detail_context(d);

	d->cursor = d->n;
	for (i = 0; i < d->n; i++)
		if (d->lines[i].role == DT_LINK) {
			d->cursor = i;
			break;
		}
	return 0;
}

static int
detail_load(struct tui *t, void *state, char *err, size_t errlen)
{
	struct detail *d = state;
	struct tui_sel *sel = tui_sel(t);
	size_t top = d->top, cursor = d->cursor;
	int64_t was = d->shown;

	if (detail_prepare(t, d, err, errlen) == -1)
		return -1;
	if (sel->event_id != was)
		d->nhistory = 0;
	/* the file may have moved since: read the context again */
	d->ctx_lines = -1;
	if (detail_build(t, d, sel->event_id, err, errlen) == -1)
		return -1;
	if (sel->event_id == was) {
		d->top = top < d->n ? top : 0;
		if (cursor < d->n && d->lines[cursor].role == DT_LINK)
			d->cursor = cursor;
	}
	return 0;
}

static void
detail_draw(struct tui *t, void *state, int y, int h)
{
	struct detail *d = state;
	int cols = tui_cols(t), row;
	size_t i;

	d->page = h;
	if (cols - 2 != d->width && d->shown != -1) {
		char err[256];

		if (detail_build(t, d, d->shown, err, sizeof err) == -1)
			tui_message(t, "%s", err);
	}
	if (d->cursor < d->n) {
		if (d->cursor < d->top)
			d->top = d->cursor;
		if (d->cursor >= d->top + (size_t)h)
			d->top = d->cursor - (size_t)h + 1;
	}
	for (i = d->top, row = 0; i < d->n && row < h; i++, row++) {
		struct dt_line *l = &d->lines[i];
		enum tui_role role = l->role == DT_HEAD ? TUI_TITLE :
		    i == d->cursor ? TUI_CURSOR : l->role == DT_OWN ? TUI_WARN :
		    TUI_NORMAL;

		tui_attr(t, role, 1);
		tui_put_hl(t, y + row, 1, cols - 2, l->text, l->len,
		    role == TUI_CURSOR, d->hoff);
		tui_attr(t, role, 0);
	}
}

/* How far Right and End may scroll: the longest line's end at the edge. */
static int
detail_hmax(struct tui *t, struct detail *d)
{
	size_t i;
	int w, most = 0;

	for (i = 0; i < d->n; i++)
		if ((w = tui_width(t, d->lines[i].text, d->lines[i].len)) > most)
			most = w;
	most -= tui_cols(t) - 2;
	return most > 0 ? most : 0;
}

/* Move the cursor to the next link in dir, scrolling when there is none. */
static void
detail_move(struct detail *d, int dir)
{
	size_t i = d->cursor < d->n ? d->cursor : d->top;

	for (;;) {
		if (dir < 0 && i == 0)
			break;
		i += (size_t)(ptrdiff_t)dir;
		if (i >= d->n)
			break;
		if (d->lines[i].role == DT_LINK) {
			d->cursor = i;
			return;
		}
		/* No link nearby: plain scrolling through the text. */
		if (i >= d->top + (size_t)d->page || i < d->top)
			break;
	}
	d->cursor = d->n;
	if (dir > 0 && d->top + (size_t)d->page < d->n)
		d->top++;
	else if (dir < 0 && d->top > 0)
		d->top--;
}

static int
detail_key(struct tui *t, void *state, int key)
{
	struct detail *d = state;
	struct tui_sel *sel = tui_sel(t);
	char err[256];
	size_t top;

	switch (key) {
	case KEY_DOWN:
	case 'j':
		detail_move(d, 1);
		return 1;
	case KEY_UP:
	case 'k':
		detail_move(d, -1);
		return 1;
	case KEY_NPAGE:
	case ' ':
		d->cursor = d->n;
		if (d->top + (size_t)d->page < d->n)
			d->top += (size_t)d->page;
		return 1;
	case KEY_PPAGE:
		d->cursor = d->n;
		d->top = d->top > (size_t)d->page ? d->top - (size_t)d->page : 0;
		return 1;
	case 'g':
		d->cursor = d->n;
		d->top = 0;
		return 1;
	case 'G':
		d->cursor = d->n;
		d->top = d->n > (size_t)d->page ? d->n - (size_t)d->page : 0;
		return 1;
	case KEY_RIGHT:
	case 'l':
		d->hoff += DT_HSTEP;
		if (d->hoff > detail_hmax(t, d))
			d->hoff = detail_hmax(t, d);
		return 1;
	case KEY_LEFT:
	case 'h':
		d->hoff = d->hoff > DT_HSTEP ? d->hoff - DT_HSTEP : 0;
		return 1;
	case KEY_HOME:
		d->hoff = 0;
		return 1;
	case KEY_END:
		d->hoff = detail_hmax(t, d);
		return 1;
	case 'p':
	case 'w':
		if (key == 'p')
			d->pretty = !d->pretty;
		else
			d->wrap = !d->wrap;
		d->hoff = 0;
		if (detail_build(t, d, d->shown, err, sizeof err) == -1)
			tui_message(t, "%s", err);
		tui_message(t, key == 'p' ? "payloads %s" : "long lines %s",
		    key == 'p' ? (d->pretty ? "indented" : "as logged") :
		    (d->wrap ? "wrapped" : "scroll (Left/Right)"));
		return 1;
	case '[':
	case ']':
		if ((key == '[' && d->context == 0) ||
		    (key == ']' && d->context >= CONTEXT_MAX))
			return 1;
		d->context += key == '[' ? -DT_CONTEXT_STEP : DT_CONTEXT_STEP;
		if (d->context < 0)
			d->context = 0;
		if (d->context > CONTEXT_MAX)
			d->context = CONTEXT_MAX;
		top = d->top;
		if (detail_build(t, d, d->shown, err, sizeof err) == -1)
			tui_message(t, "%s", err);
		/* stay where the reader was, without jumping to a link */
		d->top = top < d->n ? top : 0;
		d->cursor = d->n;
		tui_message(t, "context: %d lines before and after", d->context);
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (d->cursor >= d->n || d->lines[d->cursor].role != DT_LINK)
			return 1;
		if (d->nhistory < DT_HISTORY)
			d->history[d->nhistory++] = d->shown;
		sel->event_id = d->lines[d->cursor].event_id;
		if (detail_build(t, d, sel->event_id, err, sizeof err) == -1)
			tui_message(t, "%s", err);
		return 1;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (d->nhistory == 0)
			return 0;
		sel->event_id = d->history[--d->nhistory];
		if (detail_build(t, d, sel->event_id, err, sizeof err) == -1)
			tui_message(t, "%s", err);
		return 1;
	}
	return 0;
}

const struct tui_view tui_view_detail = {
	.name = "Detail",
	.create = detail_create,
	.destroy = detail_destroy,
	.load = detail_load,
	.draw = detail_draw,
	.key = detail_key,
	.keys = "Enter follow the link  Esc back  j/k move  Left/Right scroll"
	    "  p pretty  w wrap  [/] context",
};
