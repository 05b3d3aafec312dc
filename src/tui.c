/*
 * tui.c - the core of the triage screen: terminal setup and restore, the
 * main loop, the view table and back stack, header, status line, help,
 * prompts, the time window and source filter, and following the database
 * (PRAGMA data_version) and a live ingest child.  What a view shows is in
 * its own tui_*.c file; this file knows no view's data.
 */
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "severity.h"
#include "store.h"
#include "timeparse.h"
#include "tui_search.h"
#include "store_tui.h"
#include "util.h"

#define TUI_MIN_COLS	60
#define TUI_MIN_ROWS	15
#define TUI_POLL_MS	250
#define TUI_STACK	32

static const struct tui_view *const tui_views[] = {
	&tui_view_summary,
	&tui_view_timeline,
	&tui_view_events,
	&tui_view_detail,
};
#define TUI_NVIEWS UTIL_ARRAY_LEN(tui_views)

/* Set from the SIGINT/SIGTERM handler; the loop restores the terminal. */
static volatile sig_atomic_t tui_signal;

/*
 * The zone times are shown in (z switches): one screen per process, and
 * tui_format_time is called from every view without the tui at hand.
 */
static const struct tz *tui_tz;		/* --tz, or NULL: the system's */
static const char *tui_tz_name;
static int tui_local;			/* 0: UTC */

struct tui {
	struct store		*st;
	const struct tui_opts	*opts;

	SCREEN			*screen;
	FILE			*tty;
	int			 color;
	int			 utf8;
	int			 rows, cols;

	struct tui_sel		 sel;
	int64_t			 since, until;		/* the user's window (t), TS_NONE = open */
	char			**patterns;		/* source names or globs */
	size_t			 npatterns;
	char			*source_names;		/* the same as a JSON array, or NULL */
	char			*sources_json;		/* resolved ids, or NULL for all */
	int64_t			*source_ids;		/* the same as numbers */
	size_t			 nsource_ids;
	int64_t			 win_since, win_until;	/* effective window */

	void			*state[TUI_NVIEWS];
	int			 loaded[TUI_NVIEWS];
	uint64_t		 generation;	/* of what every view shows: tui_invalidate */
	size_t			 stack[TUI_STACK];
	size_t			 depth;

	char			*message;
	struct tui_search	 search;	/* `/`, shared by the views */
	int			 help;
	int			 help_top;	/* help lines scrolled off */
	int			 quit;
	int			 in_fd;		/* where keys come from */
	int			 interrupted;	/* idle work cut short by a key */

	struct store_rows	*q_version;
	struct store_rows	*q_sources;
	struct store_rows	*q_range;
	struct store_rows	*q_range_events;
	struct store_rows	*q_first_rule;
	struct store_rows	*q_next_rule;
	struct store_rows	*q_category;
	struct store_rows	*q_next_source;
	int64_t			 data_version;

	FILE			*timing;	/* LOGTRIAGE_TUI_TIMING, or NULL */
	double			 key_at;	/* when the key being timed came */
	double			 key_cpu;	/* the process's CPU time then */
	int			 key_timed;	/* that key, or 0 */

	int			 child_running;
	int			 child_status;	/* its wait status once it ended */
	char			 live_line[512];
	size_t			 live_len;
};

static void
tui_on_signal(int signo)
{
	tui_signal = signo;
}

/*
 * Asked by the store while a view does its idle work
 * (store_tui_interruptible): a key typed or a signal stops the query, so
 * q and the arrows never wait for the findings of a big window.
 */
static int
tui_progress(void *arg)
{
	struct tui *t = arg;
	struct pollfd p;

	p.fd = t->in_fd;
	p.events = POLLIN;
	p.revents = 0;
	if (tui_signal != 0 || poll(&p, 1, 0) > 0) {
		t->interrupted = 1;
		return 1;
	}
	return 0;
}

int
tui_interrupted(struct tui *t)
{
	return t->interrupted;
}

struct tui_search *
tui_search(struct tui *t)
{
	return &t->search;
}

struct store *
tui_store(struct tui *t)
{
	return t->st;
}

struct tui_sel *
tui_sel(struct tui *t)
{
	return &t->sel;
}

void
tui_window(struct tui *t, int64_t *since, int64_t *until)
{
	*since = t->win_since;
	*until = t->win_until;
}

const char *
tui_sources_json(struct tui *t)
{
	return t->sources_json;
}

/* A JSON array of the given names (escaped), or NULL for none. */
static char *
tui_names_json(const char **names, size_t n)
{
	struct buf b;
	size_t i;

	if (n == 0)
		return NULL;
	buf_init(&b);
	buf_putc(&b, '[');
	for (i = 0; i < n; i++) {
		buf_puts(&b, i > 0 ? ",\"" : "\"");
		util_escape_json(&b, names[i], strlen(names[i]));
		buf_putc(&b, '"');
	}
	buf_putc(&b, ']');
	return b.data;
}

void
tui_pairs_free(struct tui_pair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(p[i].rule);
	free(p);
}

/* Add the pairs of rule, its sources in the filter. */
static int
tui_pairs_of_rule(struct tui *t, const char *rule, int64_t source_id,
    struct tui_pair **out, size_t *n)
{
	struct store_rows *q = t->q_next_source;
	int64_t src = INT64_MIN;
	size_t k;
	int r;

	for (;;) {
		store_rows_bind_text(q, 1, rule);
		store_rows_bind_int64(q, 2, src);
		r = store_rows_next(q);
		if (r != 1 || store_rows_null(q, 0)) {
			store_rows_reset(q);
			return r == 1 ? 0 : -1;
		}
		src = store_rows_int64(q, 0);
		store_rows_reset(q);
		if (source_id >= 0 && src != source_id)
			continue;
		for (k = 0; t->source_ids != NULL && k < t->nsource_ids &&
		    t->source_ids[k] != src; k++)
			;
		if (t->source_ids != NULL && k == t->nsource_ids)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[*n].rule = xstrdup(rule);
		(*out)[*n].source_id = src;
		(*n)++;
	}
}

int
tui_pairs(struct tui *t, const char *rule, const char *category,
    int64_t source_id, struct tui_pair **out, size_t *n)
{
	struct store_rows *q;
	char *r = NULL;
	int rc = 0, st;

	*out = NULL;
	*n = 0;
	if (rule != NULL)
		rc = tui_pairs_of_rule(t, rule, source_id, out, n);
	else if (category != NULL) {
		q = t->q_category;
		store_rows_bind_copy(q, 1, category);
		while (rc == 0 && (st = store_rows_next(q)) == 1) {
			r = xstrdup(store_rows_text(q, 0));
			rc = tui_pairs_of_rule(t, r, source_id, out, n);
			free(r);
		}
		store_rows_reset(q);
	} else {
		/* Every rule the events know, one index seek each. */
		for (q = t->q_first_rule;; q = t->q_next_rule) {
			if (r != NULL)
				store_rows_bind_copy(q, 1, r);
			st = store_rows_next(q);
			free(r);
			r = NULL;
			if (st == 1 && !store_rows_null(q, 0))
				r = xstrdup(store_rows_text(q, 0));
			store_rows_reset(q);
			if (st != 1)
				rc = -1;
			if (r == NULL || rc == -1)
				break;
			rc = tui_pairs_of_rule(t, r, source_id, out, n);
		}
		free(r);
	}
	if (rc == -1) {
		tui_pairs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

const int64_t *
tui_source_ids(struct tui *t, size_t *n)
{
	*n = t->nsource_ids;
	return t->source_ids;
}

const char **
tui_source_patterns(struct tui *t, size_t *n)
{
	*n = t->npatterns;
	return (const char **)t->patterns;
}

/* Replace the source filter by names[0..n). */
static void
tui_set_patterns(struct tui *t, const char **names, size_t n)
{
	size_t i;

	for (i = 0; i < t->npatterns; i++)
		free(t->patterns[i]);
	free(t->patterns);
	t->patterns = n > 0 ? xcalloc(n, sizeof *t->patterns) : NULL;
	for (i = 0; i < n; i++)
		t->patterns[i] = xstrdup(names[i]);
	t->npatterns = n;
	free(t->source_names);
	t->source_names = tui_names_json(names, n);
}

int
tui_cols(struct tui *t)
{
	return t->cols;
}

int
tui_utf8(struct tui *t)
{
	return t->utf8;
}

const char *
tui_severity_name(int severity)
{
	if (severity < 0 || severity >= SEV_COUNT)
		return "?";
	return severity_name((enum severity)severity);
}

enum tui_role
tui_severity_role(int severity)
{
	if (severity >= SEV_ERROR)
		return TUI_CRIT;
	if (severity == SEV_WARNING)
		return TUI_WARN;
	return TUI_NORMAL;
}

const char *
tui_zone(void)
{
	if (!tui_local)
		return "UTC";
	return tui_tz_name != NULL ? tui_tz_name : "local";
}

const struct tz *
tui_zone_tz(void)
{
	return tui_local ? tui_tz : NULL;
}

int64_t
tui_zone_offset(int64_t ms)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	if (!tui_local)
		return 0;
	if (tui_tz != NULL)
		return (int64_t)tz_offset(tui_tz, ms) * 1000;
	return localtime_r(&secs, &tm) != NULL ? (int64_t)tm.tm_gmtoff * 1000 : 0;
}

void
tui_format_time(int64_t ms, char *out, size_t outlen)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm, *ok;

	if (ms != TS_NONE && tui_local && tui_tz != NULL)
		secs += tz_offset(tui_tz, ms);
	if (ms != TS_NONE && tui_local && tui_tz == NULL)
		ok = localtime_r(&secs, &tm);
	else
		ok = gmtime_r(&secs, &tm);
	if (ms == TS_NONE || ok == NULL) {
		snprintf(out, outlen, "-");
		return;
	}
	snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
tui_format_duration(int64_t ms, char *out, size_t outlen)
{
	struct buf b;

	buf_init(&b);
	util_format_duration(&b, (double)ms, UTIL_DUR_COMPACT);
	snprintf(out, outlen, "%s", b.data != NULL ? b.data : "");
	buf_free(&b);
}

void
tui_sparkline(struct tui *t, struct buf *b, const uint64_t *counts, size_t n)
{
	static const char *const blocks[] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
	};
	static const char ascii[] = ".:-=+*#@";
	uint64_t max = 0;
	size_t i, level;

	for (i = 0; i < n; i++)
		if (counts[i] > max)
			max = counts[i];
	for (i = 0; i < n; i++) {
		if (counts[i] == 0) {
			buf_putc(b, ' ');
			continue;
		}
		/* Any event at all shows as the lowest block, never as blank. */
		level = (size_t)((counts[i] * 7 + max - 1) / max);
		if (level > 7)
			level = 7;
		if (t->utf8)
			buf_puts(b, blocks[level]);
		else
			buf_putc(b, ascii[level]);
	}
}

void
tui_attr(struct tui *t, enum tui_role role, int on)
{
	attr_t a = A_NORMAL;
	short pair = 0;

	switch (role) {
	case TUI_NORMAL:
		return;
	case TUI_HEADER:
		a = A_BOLD;
		pair = 1;
		break;
	case TUI_TITLE:
		a = A_BOLD | A_UNDERLINE;
		break;
	case TUI_CURSOR:
		a = A_REVERSE;
		break;
	case TUI_DIM:
		a = A_DIM;
		break;
	case TUI_WARN:
		a = t->color ? A_NORMAL : A_BOLD;
		pair = 2;
		break;
	case TUI_CRIT:
		a = A_BOLD;
		pair = 3;
		break;
	case TUI_MATCH:
		a = t->color ? A_BOLD : A_UNDERLINE;
		pair = 4;
		break;
	case TUI_BAR:
		a = t->color ? A_NORMAL : A_REVERSE;
		pair = 5;
		break;
	}
	if (!t->color)
		pair = 0;
	if (on)
		attr_on(a, NULL);
	else
		attr_off(a, NULL);
	if (pair != 0)
		color_set(on ? pair : 0, NULL);
}

/* Append the escaped form of p[0..n) that the terminal can show. */
static void
tui_escape(struct tui *t, struct buf *b, const char *p, size_t n)
{
	struct buf raw;
	size_t i;

	if (t->utf8) {
		util_escape_terminal(b, p, n, 0);
		return;
	}
	/* A non-UTF-8 terminal gets every non-ASCII byte as \xNN. */
	buf_init(&raw);
	util_escape_terminal(&raw, p, n, 0);
	for (i = 0; i < raw.len; i++) {
		unsigned char c = (unsigned char)raw.data[i];

		if (c >= 0x80)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_free(&raw);
}

int
tui_char(const char *p, size_t n, mbstate_t *ps, size_t *len)
{
	wchar_t wc;
	size_t k = mbrtowc(&wc, p, n, ps);

	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		memset(ps, 0, sizeof *ps);
		*len = 1;
		return -1;
	}
	*len = k;
	return wcwidth(wc);
}

/*
 * Draw the escaped form of s[0..n) at the cursor in up to width - *used
 * columns, leaving out the first *skip columns (counted down); *used grows
 * by what was drawn.  Returns 0 once the width is full.
 */
static int
tui_put_seg(struct tui *t, int width, const char *s, size_t n, int *used,
    int *skip)
{
	struct buf b;
	mbstate_t ps;
	size_t i = 0, k;
	int w, room = 1;

	buf_init(&b);
	tui_escape(t, &b, s, n);
	memset(&ps, 0, sizeof ps);
	for (; i < b.len; i += k) {
		if ((w = tui_char(b.data + i, b.len - i, &ps, &k)) < 0 &&
		    *skip > 0) {
			(*skip)--;
			continue;
		}
		if (w >= 0 && *skip > 0) {
			*skip -= w;
			continue;
		}
		if (w < 0) {
			if (*used + 1 > width) {
				room = 0;
				break;
			}
			addch('?');
			(*used)++;
			continue;
		}
		if (*used + w > width) {
			room = 0;
			break;
		}
		addnstr(b.data + i, (int)k);
		*used += w;
	}
	buf_free(&b);
	return room;
}

/* Columns the escaped form of s[0..n) takes on the screen. */
int
tui_width(struct tui *t, const char *s, size_t n)
{
	struct buf b;
	mbstate_t ps;
	size_t i, k;
	int w, cols = 0;

	buf_init(&b);
	tui_escape(t, &b, s, n);
	memset(&ps, 0, sizeof ps);
	for (i = 0; i < b.len; i += k)
		cols += (w = tui_char(b.data + i, b.len - i, &ps, &k)) < 0 ? 1 : w;
	buf_free(&b);
	return cols;
}

/* Clip width to the screen; 0 when nothing can be drawn at (y, x). */
static int
tui_clip(struct tui *t, int y, int x, int *width)
{
	if (*width <= 0 || y < 0 || y >= t->rows || x >= t->cols)
		return 0;
	if (x + *width > t->cols)
		*width = t->cols - x;
	return 1;
}

int
tui_put(struct tui *t, int y, int x, int width, const char *s, size_t n,
    int pad)
{
	int used = 0, skip = 0;

	if (!tui_clip(t, y, x, &width))
		return 0;
	move(y, x);
	tui_put_seg(t, width, s, n, &used, &skip);
	if (pad)
		for (; used < width; used++)
			addch(' ');
	return used;
}

/*
 * tui_put from column skip of the text on, with the hits of the search
 * shown in the match attribute.
 */
int
tui_put_hl(struct tui *t, int y, int x, int width, const char *s, size_t n,
    int pad, int skip)
{
	size_t pos = 0, so, eo;
	int used = 0, room = 1;

	if (!tui_clip(t, y, x, &width))
		return 0;
	move(y, x);
	while (room && pos < n &&
	    tui_search_find(&t->search, s, n, pos, &so, &eo)) {
		if (eo == so) {
			/* An empty hit marks nothing; step past one byte. */
			eo = so + 1;
			room = tui_put_seg(t, width, s + pos, eo - pos, &used,
			    &skip);
			pos = eo;
			continue;
		}
		room = tui_put_seg(t, width, s + pos, so - pos, &used, &skip);
		if (!room)
			break;
		tui_attr(t, TUI_MATCH, 1);
		room = tui_put_seg(t, width, s + so, eo - so, &used, &skip);
		tui_attr(t, TUI_MATCH, 0);
		pos = eo;
	}
	if (room && pos < n)
		tui_put_seg(t, width, s + pos, n - pos, &used, &skip);
	if (pad)
		for (; used < width; used++)
			addch(' ');
	return used;
}

int
tui_printf(struct tui *t, int y, int x, int width, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n, used;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	used = tui_put(t, y, x, width, s, (size_t)n, 0);
	free(s);
	return used;
}

void
tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(t->message);
	t->message = s;
}

static size_t
tui_current(struct tui *t)
{
	return t->stack[t->depth - 1];
}

static void
tui_invalidate(struct tui *t)
{
	size_t i;

	for (i = 0; i < TUI_NVIEWS; i++)
		t->loaded[i] = 0;
	t->generation++;
}

uint64_t
tui_generation(const struct tui *t)
{
	return t->generation;
}

void
tui_push(struct tui *t, const struct tui_view *v)
{
	size_t i;

	for (i = 0; i < TUI_NVIEWS; i++) {
		if (tui_views[i] != v)
			continue;
		if (t->depth == TUI_STACK) {
			memmove(t->stack, t->stack + 1,
			    (TUI_STACK - 1) * sizeof t->stack[0]);
			t->depth--;
		}
		t->stack[t->depth++] = i;
		t->loaded[i] = 0;
		break;
	}
}

void
tui_sel_clear(struct tui *t)
{
	free(t->sel.rule);
	free(t->sel.category);
	t->sel.rule = t->sel.category = NULL;
	t->sel.since = t->sel.until = TS_NONE;
	t->sel.source_id = -1;
	t->sel.gen++;
}

/* Resolve the source patterns to ids (again, since a live stream adds sources). */
static int
tui_resolve_sources(struct tui *t, char *err, size_t errlen)
{
	const char *ids, *p;
	char *end;

	free(t->sources_json);
	t->sources_json = NULL;
	free(t->source_ids);
	t->source_ids = NULL;
	t->nsource_ids = 0;
	if (t->source_names == NULL)
		return 0;
	store_rows_bind_text(t->q_sources, 1, t->source_names);
	if (store_rows_next(t->q_sources) != 1) {
		store_read_error(t->st, err, errlen, "reading sources");
		store_rows_reset(t->q_sources);
		return -1;
	}
	ids = store_rows_text(t->q_sources, 0);
	t->sources_json = xstrdup(ids != NULL ? ids : "[]");
	store_rows_reset(t->q_sources);
	/* json_group_array of integers: "[1,3]". */
	t->source_ids = xmalloc(sizeof *t->source_ids);
	for (p = t->sources_json; *p != '\0'; p++) {
		if (*p != '-' && (*p < '0' || *p > '9'))
			continue;
		t->source_ids = xrealloc(t->source_ids,
		    (t->nsource_ids + 1) * sizeof *t->source_ids);
		t->source_ids[t->nsource_ids++] = strtoll(p, &end, 10);
		p = end - 1;
	}
	return 0;
}

static int
tui_range_from(struct tui *t, struct store_rows *q, int64_t *lo, int64_t *hi)
{
	int found = 0;

	store_rows_bind_text(q, 1, t->sources_json);
	if (store_rows_next(q) == 1 && !store_rows_null(q, 0)) {
		*lo = store_rows_int64(q, 0);
		*hi = store_rows_int64(q, 1);
		found = 1;
	}
	store_rows_reset(q);
	return found;
}

/* The effective window: the user's bounds, else the span of the data. */
static int
tui_compute_window(struct tui *t, char *err, size_t errlen)
{
	int64_t lo = 0, hi = 0;

	if (tui_resolve_sources(t, err, errlen) == -1)
		return -1;
	if (!tui_range_from(t, t->q_range, &lo, &hi) &&
	    !tui_range_from(t, t->q_range_events, &lo, &hi)) {
		lo = util_now_ms() - 3600000;
		hi = lo + 3600000;
	}
	t->win_since = t->since != TS_NONE ? t->since : lo;
	t->win_until = t->until != TS_NONE ? t->until : hi + 1;
	/* "24h.." after the last event means the last 24 hours up to now. */
	if (t->win_until <= t->win_since && t->until == TS_NONE)
		t->win_until = util_now_ms() + 1;
	if (t->win_until <= t->win_since)
		t->win_until = t->win_since + 1;
	return 0;
}

static int64_t
tui_data_version(struct tui *t)
{
	int64_t v = -1;

	if (store_rows_next(t->q_version) == 1)
		v = store_rows_int64(t->q_version, 0);
	store_rows_reset(t->q_version);
	return v;
}

static int
tui_prepare(struct tui *t, char *err, size_t errlen)
{
	static const enum store_tui_query which[] = {
		STORE_TUI_DATA_VERSION, STORE_TUI_SOURCE_IDS,
		STORE_TUI_SOURCES_SPAN, STORE_TUI_EVENTS_SPAN,
		STORE_TUI_FIRST_RULE, STORE_TUI_NEXT_RULE,
		STORE_TUI_CATEGORY_RULES, STORE_TUI_NEXT_SOURCE
	};
	struct store_rows **out[] = {
		&t->q_version, &t->q_sources, &t->q_range, &t->q_range_events,
		&t->q_first_rule, &t->q_next_rule, &t->q_category,
		&t->q_next_source
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(which); i++) {
		if (store_tui_prepare(t->st, which[i], out[i]) != 0) {
			store_read_error(t->st, err, errlen,
			    "not a logtriage database");
			return -1;
		}
	}
	return 0;
}

static void
tui_draw_too_small(struct tui *t)
{
	char line[80];
	int n;

	erase();
	n = snprintf(line, sizeof line, "terminal too small (%dx%d): need %dx%d",
	    t->cols, t->rows, TUI_MIN_COLS, TUI_MIN_ROWS);
	if (n > t->cols)
		n = t->cols;
	mvaddnstr(t->rows / 2, t->cols > n ? (t->cols - n) / 2 : 0, line, n);
	if (t->rows > 1)
		mvaddnstr(t->rows / 2 + 1, 0, "q quits", t->cols);
}

static void
tui_draw_header(struct tui *t)
{
	char a[32], b[32];
	const char *state;
	size_t i, cur = tui_current(t);
	int x;

	tui_format_time(t->win_since, a, sizeof a);
	tui_format_time(t->win_until - 1, b, sizeof b);
	tui_attr(t, TUI_BAR, 1);
	move(0, 0);
	hline(' ', t->cols);
	x = tui_printf(t, 0, 0, t->cols, " logtriage  %s .. %s %s  ", a, b,
	    tui_zone());
	x += tui_put(t, 0, x, t->cols - x, t->opts->db_path,
	    strlen(t->opts->db_path), 0);
	for (i = 0; i < t->npatterns; i++) {
		x += tui_printf(t, 0, x, t->cols - x, i == 0 ? "  source " : ", ");
		x += tui_put(t, 0, x, t->cols - x, t->patterns[i],
		    strlen(t->patterns[i]), 0);
	}
	if (t->opts->live) {
		if (t->child_running)
			state = "  [live]";
		else if (WIFEXITED(t->child_status) &&
		    WEXITSTATUS(t->child_status) == 0)
			state = "  [stream ended]";
		else
			state = "  [ingest failed: see below]";
		tui_printf(t, 0, x, t->cols - x, "%s", state);
	}
	tui_attr(t, TUI_BAR, 0);

	move(1, 0);
	hline(' ', t->cols);
	x = 1;
	for (i = 0; i < TUI_NVIEWS; i++) {
		if (i == cur)
			tui_attr(t, TUI_CURSOR, 1);
		x += tui_printf(t, 1, x, t->cols - x, " %s ", tui_views[i]->name);
		if (i == cur)
			tui_attr(t, TUI_CURSOR, 0);
		x += 1;
	}
	if (t->cols - x > 30)
		tui_printf(t, 1, t->cols - 28, 28, "Tab view  ? help  q quit");
}

static void
tui_draw_status(struct tui *t)
{
	size_t cur = tui_current(t);
	const struct tui_view *v = tui_views[cur];
	const char *keys = NULL;
	int y = t->rows - 1, x = 1;

	if (v->hint != NULL)
		keys = v->hint(t, t->state[cur]);
	if (keys == NULL)
		keys = v->keys;
	tui_attr(t, TUI_BAR, 1);
	move(y, 0);
	hline(' ', t->cols);
	/* A message goes first, the keys for what to do next always follow. */
	if (t->message != NULL)
		x += tui_printf(t, y, x, t->cols - x, "%s  | ", t->message);
	x += tui_printf(t, y, x, t->cols - x, "%s  ", keys);
	if (t->live_len > 0 && x < t->cols - 10) {
		x += tui_printf(t, y, x, t->cols - x, "| ingest: ");
		tui_put(t, y, x, t->cols - x, t->live_line, t->live_len, 0);
	}
	tui_attr(t, TUI_BAR, 0);
}

static const char *const tui_help_lines[] = {
	"logtriage tui - keys",
	"Tab/Shift-Tab  next/previous view    Esc/Backspace  back",
	"Up/Down j/k    move                  PgUp/PgDn Space page",
	"g/G            first/last            q              quit",
	"t  time window: 24h..  2025-10-25T10:00..now  yesterday..today",
	"s  source filter: a name or glob (exai-*); empty = all sources",
	"   Tab completes a source or rule name in the s and r prompts",
	"/  search for a regex: its hits are marked in every view",
	"z  times in UTC or in the --tz zone (local time without --tz)",
	"T  go to a time (forms of t) in Events or the Timeline",
	"Summary   findings, incidents, events per rule. Enter: a finding",
	"          opens its rule's Timeline, an incident its events, a",
	"          category or rule its events",
	"Timeline  +/- zoom in/out at the cursor, Left/Right (h/l) move a",
	"          page in time and stop at the ends of the window,",
	"          Up/Down a bucket, Home/End the start/end, Enter: the",
	"          events of the bucket; bars split by severity, ! incident",
	"Events    / search, n/N next/previous hit (wraps round), f show",
	"          only lines with a text, r rule, C category, v severity",
	"          (warning or >=warning at least, =error exactly); they",
	"          combine and lead the status line, c clear every filter,",
	"          / takes a regex: caseless unless it has a capital",
	"          G follows new events (N new below: how many came),",
	"          Enter: the whole record,",
	"          Left/Right (h/l) scroll the text, Home/End its start/end",
	"Detail    Enter follows the link under the cursor, Esc back,",
	"          Left/Right (h/l) scroll, Home/End the lines' start/end,",
	"          g/G top/bottom, p indent JSON and dict payloads or not,",
	"          w wrap long lines of the record or not,",
	"          [/] fewer/more lines of context around the event",
	"j/k scroll this help; any other key closes it.",
};

static void
tui_draw_help(struct tui *t)
{
	int h = (int)UTIL_ARRAY_LEN(tui_help_lines) + 2, w = 70;
	int y0, x0, i;

	if (h > t->rows - 2)
		h = t->rows - 2;
	if (w > t->cols - 2)
		w = t->cols - 2;
	y0 = (t->rows - h) / 2;
	x0 = (t->cols - w) / 2;
	for (i = 0; i < h; i++) {
		move(y0 + i, x0);
		hline(' ', w);
	}
	/* The title stays; on a short screen the rest scrolls (j/k). */
	if (t->help_top > (int)UTIL_ARRAY_LEN(tui_help_lines) - (h - 2))
		t->help_top = (int)UTIL_ARRAY_LEN(tui_help_lines) - (h - 2);
	if (t->help_top < 0)
		t->help_top = 0;
	for (i = 0; i < h - 2; i++) {
		if (i == 0)
			tui_attr(t, TUI_TITLE, 1);
		tui_printf(t, y0 + 1 + i, x0 + 2, w - 4, "%s",
		    tui_help_lines[i == 0 ? 0 : i + t->help_top]);
		if (i == 0)
			tui_attr(t, TUI_TITLE, 0);
	}
	mvhline(y0, x0, ACS_HLINE, w);
	mvhline(y0 + h - 1, x0, ACS_HLINE, w);
	mvvline(y0, x0, ACS_VLINE, h);
	mvvline(y0, x0 + w - 1, ACS_VLINE, h);
	mvaddch(y0, x0, ACS_ULCORNER);
	mvaddch(y0, x0 + w - 1, ACS_URCORNER);
	mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
	mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
}

/* Load the current view if it is stale; a failure becomes the message. */
static void
tui_load_current(struct tui *t)
{
	size_t cur = tui_current(t);
	char err[512];

	if (t->loaded[cur])
		return;
	t->loaded[cur] = 1;
	err[0] = '\0';
	if (tui_views[cur]->load(t, t->state[cur], err, sizeof err) == -1)
		tui_message(t, "%s", err);
}

/* Let the current view finish its load once the screen is up; 1 if it did. */
static int
tui_idle(struct tui *t)
{
	size_t cur = tui_current(t);
	int ch;

	if (t->rows < TUI_MIN_ROWS || t->cols < TUI_MIN_COLS ||
	    tui_views[cur]->idle == NULL)
		return 0;
	/* A key already typed goes first. */
	nodelay(stdscr, TRUE);
	ch = getch();
	timeout(TUI_POLL_MS);
	if (ch != ERR) {
		ungetch(ch);
		return 0;
	}
	t->interrupted = 0;
	store_tui_interruptible(t->st, tui_progress, t);
	ch = tui_views[cur]->idle(t, t->state[cur]);
	store_tui_interruptible(t->st, NULL, NULL);
	return ch;
}

static void
tui_draw(struct tui *t)
{
	size_t cur;

	getmaxyx(stdscr, t->rows, t->cols);
	if (t->rows < TUI_MIN_ROWS || t->cols < TUI_MIN_COLS) {
		tui_draw_too_small(t);
		refresh();
		return;
	}
	tui_load_current(t);
	cur = tui_current(t);
	erase();
	tui_draw_header(t);
	tui_views[cur]->draw(t, t->state[cur], 2, t->rows - 3);
	tui_draw_status(t);
	if (t->help)
		tui_draw_help(t);
	refresh();
}

/* Narrow *common to what it shares with name, when name starts with line. */
static void
tui_complete_one(const struct buf *line, const char *name, char **common,
    int *fit)
{
	size_t k;

	if (name == NULL || strncmp(name, line->data != NULL ? line->data : "",
	    line->len) != 0)
		return;
	(*fit)++;
	if (*common == NULL) {
		*common = xstrdup(name);
		return;
	}
	for (k = 0; (*common)[k] != '\0' && (*common)[k] == name[k]; k++)
		;
	(*common)[k] = '\0';
}

/*
 * Complete line from the names (in order): to the name when one fits,
 * else to the longest start they share.  Returns how many names fit.
 */
static int
tui_complete(struct tui *t, struct buf *line, const struct tui_names *names)
{
	struct store_rows *q;
	char *common = NULL;
	size_t k;
	int fit = 0;

	if (names->words != NULL)
		for (k = 0; names->words[k] != NULL; k++)
			tui_complete_one(line, names->words[k], &common, &fit);
	else {
		if (store_tui_prepare(t->st, names->query, &q) != 0)
			return 0;
		while (store_rows_next(q) == 1)
			tui_complete_one(line, store_rows_text(q, 0), &common,
			    &fit);
		store_rows_free(q);
	}
	if (common != NULL && strlen(common) > line->len) {
		buf_reset(line);
		buf_puts(line, common);
	}
	free(common);
	return fit;
}

char *
tui_prompt(struct tui *t, const char *label, const char *initial)
{
	return tui_prompt_names(t, label, initial, NULL);
}

/* tui_prompt where Tab completes from names (or NULL). */
char *
tui_prompt_names(struct tui *t, const char *label, const char *initial,
    const struct tui_names *names)
{
	struct buf line;
	char mb[MB_LEN_MAX];
	wint_t wc;
	size_t n;
	int r, y, x;

	buf_init(&line);
	buf_puts(&line, initial != NULL ? initial : "");
	curs_set(1);
	for (;;) {
		if (tui_signal != 0) {
			buf_free(&line);
			curs_set(0);
			return NULL;
		}
		y = t->rows - 1;
		move(y, 0);
		clrtoeol();
		x = tui_printf(t, y, 0, t->cols, "%s", label);
		x += tui_put(t, y, x, t->cols - x - 1, line.data, line.len, 0);
		move(y, x);
		refresh();
		r = get_wch(&wc);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (wc == KEY_BACKSPACE)
				goto backspace;
			if (wc == KEY_ENTER)
				break;
			continue;
		}
		if (wc == 27) {
			buf_free(&line);
			curs_set(0);
			return NULL;
		}
		if (wc == '\n' || wc == '\r')
			break;
		if (wc == 127 || wc == 8) {
backspace:
			/* Drop the whole last character, not its last byte. */
			while (line.len > 0 &&
			    ((unsigned char)line.data[line.len - 1] & 0xc0) == 0x80)
				line.len--;
			if (line.len > 0)
				line.len--;
			line.data[line.len] = '\0';
			continue;
		}
		if (wc == 21) {
			buf_reset(&line);
			continue;
		}
		if (wc == '\t' && names != NULL) {
			if (tui_complete(t, &line, names) == 0)
				beep();
			continue;
		}
		if (wc < 32)
			continue;
		n = wcrtomb(mb, (wchar_t)wc, NULL);
		if (n != (size_t)-1)
			buf_append(&line, mb, n);
	}
	curs_set(0);
	return line.data != NULL ? line.data : xstrdup("");
}

/* "SINCE..UNTIL", either side may be empty; one value alone is SINCE. */
static void
tui_ask_window(struct tui *t)
{
	char err[256], *in, *dots, *a, *b;
	int64_t since = TS_NONE, until = TS_NONE, now = util_now_ms();

	in = tui_prompt(t, "window SINCE..UNTIL (24h..  2025-10-25..now; empty = all): ",
	    NULL);
	if (in == NULL)
		return;
	a = in;
	b = NULL;
	if ((dots = strstr(in, "..")) != NULL) {
		*dots = '\0';
		b = dots + 2;
	}
	while (*a == ' ')
		a++;
	if (*a != '\0' &&
	    timeparse_window_arg(a, now, NULL, &since, err, sizeof err) == -1) {
		tui_message(t, "window: %s", err);
		free(in);
		return;
	}
	while (b != NULL && *b == ' ')
		b++;
	if (b != NULL && *b != '\0' &&
	    timeparse_window_arg(b, now, NULL, &until, err, sizeof err) == -1) {
		tui_message(t, "window: %s", err);
		free(in);
		return;
	}
	free(in);
	if (since != TS_NONE && until != TS_NONE && until <= since) {
		tui_message(t, "window: the end is not after the start");
		return;
	}
	t->since = since;
	t->until = until;
	t->sel.gen++;
	tui_message(t, "window set");
	if (tui_compute_window(t, err, sizeof err) == -1)
		tui_message(t, "%s", err);
	tui_invalidate(t);
}

/*
 * The zone a naive time typed at a prompt is read in: the one shown.  The
 * system's local zone has no struct tz: its offset now stands for it.
 */
static struct tz *
tui_prompt_zone(void)
{
	char off[48], err[64];
	time_t now = time(NULL);
	struct tm tm;
	long s;

	if (!tui_local)
		return NULL;
	if (tui_tz_name != NULL)
		return tz_open(tui_tz_name, err, sizeof err);
	if (localtime_r(&now, &tm) == NULL)
		return NULL;
	s = tm.tm_gmtoff;
	snprintf(off, sizeof off, "%c%02ld:%02ld", s < 0 ? '-' : '+',
	    labs(s) / 3600, labs(s) % 3600 / 60);
	return tz_open(off, err, sizeof err);
}

/*
 * T: go to a time, in the forms of --since; the view shows it (Events the
 * first event from then on, Timeline its bucket), or Events does.
 */
static void
tui_ask_time(struct tui *t)
{
	char err[256], *in;
	struct tz *tz;
	int64_t ms;
	size_t cur;
	int rc;

	in = tui_prompt(t, "go to time (2025-10-25T23:40, 2h, yesterday): ",
	    NULL);
	if (in == NULL)
		return;
	if (in[0] == '\0') {
		free(in);
		return;
	}
	tz = tui_prompt_zone();
	rc = timeparse_window_arg(in, util_now_ms(), tz, &ms, err, sizeof err);
	tz_free(tz);
	free(in);
	if (rc == -1) {
		tui_message(t, "go to: %s", err);
		return;
	}
	cur = tui_current(t);
	if (tui_views[cur]->go_to == NULL) {
		tui_push(t, &tui_view_events);
		tui_load_current(t);
		cur = tui_current(t);
	}
	tui_views[cur]->go_to(t, t->state[cur], ms);
}

/*
 * / in a view that does not move between hits: the pattern is shown in
 * every view; n and N in Events go to its hits.
 */
static void
tui_ask_search(struct tui *t)
{
	char err[300], *in;

	in = tui_prompt(t, "search (regex): ", t->search.pattern);
	if (in == NULL)
		return;
	if (tui_search_set(&t->search, in, err, sizeof err) == -1)
		tui_message(t, "%s", err);
	else if (t->search.pattern != NULL)
		tui_message(t, "/%s/ highlighted; n/N in Events find it",
		    t->search.pattern);
	free(in);
}

/* Does query (one parameter, name) return a row?  An error counts as yes. */
int
tui_exists(struct tui *t, enum store_tui_query query, const char *name)
{
	struct store_rows *q;
	int r;

	if (store_tui_prepare(t->st, query, &q) != 0)
		return 1;
	store_rows_bind_copy(q, 1, name);
	r = store_rows_next(q);
	store_rows_free(q);
	return r != 0;
}

static void
tui_ask_source(struct tui *t)
{
	static const struct tui_names source_names = {
		STORE_TUI_SOURCE_NAMES, NULL
	};
	char err[256], *in;
	const char *one[1];

	in = tui_prompt_names(t, "source (name or glob, empty = all): ", NULL,
	    &source_names);
	if (in == NULL)
		return;
	if (in[0] != '\0' && !tui_exists(t, STORE_TUI_SOURCE_EXISTS, in)) {
		tui_message(t, "no such source: %s", in);
		free(in);
		return;
	}
	one[0] = in;
	tui_set_patterns(t, one, in[0] != '\0' ? 1 : 0);
	free(in);
	t->sel.source_id = -1;
	t->sel.gen++;
	tui_message(t, t->source_names != NULL ? "source filter set" :
	    "all sources");
	if (tui_compute_window(t, err, sizeof err) == -1)
		tui_message(t, "%s", err);
	tui_invalidate(t);
}

/* Keep the last line the ingest child wrote to its stderr. */
static void
tui_read_live(struct tui *t)
{
	char chunk[512];
	ssize_t n;
	ssize_t i;

	if (t->opts->live_fd < 0)
		return;
	while ((n = read(t->opts->live_fd, chunk, sizeof chunk)) > 0) {
		for (i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				if (i + 1 < n)
					t->live_len = 0;
				continue;
			}
			if (t->live_len > 0 && t->live_len < sizeof t->live_line &&
			    i > 0 && chunk[i - 1] == '\n')
				t->live_len = 0;
			if (t->live_len < sizeof t->live_line)
				t->live_line[t->live_len++] = chunk[i];
		}
	}
}

static void
tui_poll(struct tui *t)
{
	int64_t v;
	int status;

	if (t->opts->live) {
		tui_read_live(t);
		if (t->child_running &&
		    waitpid(t->opts->live_pid, &status, WNOHANG) ==
		    t->opts->live_pid) {
			t->child_running = 0;
			t->child_status = status;
			tui_read_live(t);
			tui_invalidate(t);
		}
	}
	v = tui_data_version(t);
	if (v != t->data_version) {
		char err[256];

		t->data_version = v;
		if (tui_compute_window(t, err, sizeof err) == -1)
			tui_message(t, "%s", err);
		tui_invalidate(t);
	}
}

static void
tui_stop_child(struct tui *t)
{
	int i, status;

	if (!t->opts->live || !t->child_running)
		return;
	kill(t->opts->live_pid, SIGTERM);
	/* Give the ingest two seconds to commit what it has, then insist. */
	for (i = 0; i < 200; i++) {
		if (waitpid(t->opts->live_pid, &status, WNOHANG) ==
		    t->opts->live_pid) {
			t->child_running = 0;
			return;
		}
		usleep(10000);
	}
	kill(t->opts->live_pid, SIGKILL);
	waitpid(t->opts->live_pid, &status, 0);
	t->child_running = 0;
}

static void
tui_key(struct tui *t, int ch)
{
	size_t cur = tui_current(t);

	if (t->help) {
		if (ch == 'j' || ch == KEY_DOWN || ch == ' ' || ch == KEY_NPAGE)
			t->help_top += ch == 'j' || ch == KEY_DOWN ? 1 : t->rows / 2;
		else if (ch == 'k' || ch == KEY_UP || ch == KEY_PPAGE)
			t->help_top -= ch == KEY_PPAGE ? t->rows / 2 : 1;
		else
			t->help = 0;
		return;
	}
	free(t->message);
	t->message = NULL;
	switch (ch) {
	case 'q':
		t->quit = 1;
		return;
	case '?':
		t->help = 1;
		t->help_top = 0;
		return;
	case '\t':
		t->stack[t->depth - 1] = (cur + 1) % TUI_NVIEWS;
		t->loaded[tui_current(t)] = 0;
		return;
	case KEY_BTAB:
		t->stack[t->depth - 1] = (cur + TUI_NVIEWS - 1) % TUI_NVIEWS;
		t->loaded[tui_current(t)] = 0;
		return;
	case 't':
		tui_ask_window(t);
		return;
	case 's':
		tui_ask_source(t);
		return;
	case 'z':
		tui_local = !tui_local;
		/* the findings' texts hold times: worked out again */
		tui_invalidate(t);
		tui_message(t, "times in %s", tui_zone());
		return;
	case 'T':
		tui_ask_time(t);
		return;
	}
	/* The view sees Esc first: Detail steps back through followed links. */
	if (tui_views[cur]->key(t, t->state[cur], ch))
		return;
	switch (ch) {
	case '/':
		tui_ask_search(t);
		return;
	case 27:
	case KEY_BACKSPACE:
	case KEY_LEFT:
	case 127:
	case 8:
		if (t->depth > 1)
			t->depth--;
		else if (cur != 0)
			t->stack[0] = 0;
		t->loaded[tui_current(t)] = 0;
		return;
	}
}

/*
 * Home, End and the paging keys in the spellings terminals send whatever
 * TERM claims (xterm's description inside tmux or screen says \eOH, tmux
 * sends \e[1~), so that none of them reaches a view as a bare Esc, which
 * means "back".
 */
static void
define_extra_keys(void)
{
	static const struct {
		const char	*seq;
		int		 key;
	} keys[] = {
		{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME },
		{ "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
		{ "\033[4~", KEY_END }, { "\033[8~", KEY_END },
		{ "\033[F", KEY_END }, { "\033OF", KEY_END },
		{ "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (key_defined(keys[i].seq) == 0)
			define_key(keys[i].seq, keys[i].key);
}

/* Milliseconds on clock c, for LOGTRIAGE_TUI_TIMING. */
static double
tui_clock(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * LOGTRIAGE_TUI_TIMING=FILE: a line per screen drawn after a key, "key
 * NAME MS CPU_MS" (from the key to the screen on the terminal, prompts
 * included; the CPU time says what a busy machine adds to the wall), and
 * "first MS CPU_MS AT" for the first screen, for `make bench`: AT is the
 * time of day it reached the terminal, in nanoseconds since the epoch, for
 * a harness to time it from the command's launch (MS counts from the
 * TUI's start, after the database is open).
 */
static void
tui_timing(struct tui *t, double since, double cpu, int ch)
{
	const char *name = ch != 0 ? keyname(ch) : NULL;

	if (t->timing == NULL)
		return;
	if (ch == 0)
		fprintf(t->timing, "first");
	else
		fprintf(t->timing, "key %s", name != NULL ? name : "?");
	fprintf(t->timing, " %.1f %.1f", tui_clock(CLOCK_MONOTONIC) - since,
	    tui_clock(CLOCK_PROCESS_CPUTIME_ID) - cpu);
	if (ch == 0) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		fprintf(t->timing, " %lld%09ld", (long long)now.tv_sec,
		    now.tv_nsec);
	}
	fputc('\n', t->timing);
	fflush(t->timing);
}

static int
tui_term_open(struct tui *t, char *err, size_t errlen)
{
	const char *nc = getenv("NO_COLOR");
	FILE *in = stdin, *out = stdout;

	setlocale(LC_ALL, "");
	t->utf8 = MB_CUR_MAX > 1;
	if (t->opts->live || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		/* Standard input is the log stream: keys come from the terminal. */
		if ((t->tty = fopen("/dev/tty", "r+")) == NULL) {
			util_err(err, errlen, "cannot open /dev/tty: %s",
			    strerror(errno));
			return -1;
		}
		in = out = t->tty;
	}
	t->in_fd = fileno(in);
	if ((t->screen = newterm(NULL, out, in)) == NULL) {
		util_err(err, errlen, "cannot start the terminal (TERM=%s)",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	set_term(t->screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	define_extra_keys();
	curs_set(0);
	timeout(TUI_POLL_MS);
	t->color = has_colors() && (nc == NULL || *nc == '\0');
	if (t->color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_RED, -1);
		init_pair(4, COLOR_GREEN, -1);
		init_pair(5, COLOR_BLACK, COLOR_CYAN);
	}
	return 0;
}

static void
tui_term_close(struct tui *t)
{
	if (t->screen != NULL) {
		endwin();
		delscreen(t->screen);
		t->screen = NULL;
	}
	if (t->tty != NULL) {
		fclose(t->tty);
		t->tty = NULL;
	}
}

static void
tui_free(struct tui *t)
{
	size_t i;

	for (i = 0; i < TUI_NVIEWS; i++)
		if (t->state[i] != NULL)
			tui_views[i]->destroy(t->state[i]);
	store_rows_free(t->q_version);
	store_rows_free(t->q_sources);
	store_rows_free(t->q_range);
	store_rows_free(t->q_range_events);
	store_rows_free(t->q_first_rule);
	store_rows_free(t->q_next_rule);
	store_rows_free(t->q_category);
	store_rows_free(t->q_next_source);
	if (t->timing != NULL)
		fclose(t->timing);
	free(t->sel.rule);
	free(t->sel.category);
	tui_set_patterns(t, NULL, 0);
	tui_search_unregister(t->st);
	tui_search_free(&t->search);
	free(t->sources_json);
	free(t->source_ids);
	free(t->message);
}

int
tui_run(struct store *st, const struct tui_opts *opts, int *signo,
    char *err, size_t errlen)
{
	struct sigaction sa, old_int, old_term;
	struct tui t;
	const char *timing = getenv("LOGTRIAGE_TUI_TIMING");
	double started = tui_clock(CLOCK_MONOTONIC);
	double started_cpu = tui_clock(CLOCK_PROCESS_CPUTIME_ID);
	size_t i;
	int rc = 0, ch, first = 1;

	memset(&t, 0, sizeof t);
	if (timing != NULL && *timing != '\0')
		t.timing = fopen(timing, "a");
	t.st = st;
	if (tui_search_register(st, &t.search) == -1) {
		store_read_error(st, err, errlen, "tui");
		return -1;
	}
	t.opts = opts;
	t.since = opts->since;
	t.until = opts->until;
	t.sel.source_id = -1;
	t.sel.event_id = -1;
	t.sel.since = t.sel.until = TS_NONE;
	t.stack[0] = 0;
	t.depth = 1;
	t.child_running = opts->live;
	tui_tz = opts->tz;
	tui_tz_name = opts->tz_name;
	tui_local = opts->tz != NULL;
	tui_set_patterns(&t, opts->sources, opts->nsources);
	*signo = 0;

	/* Check the database before touching the terminal. */
	if (tui_prepare(&t, err, errlen) == -1 ||
	    tui_compute_window(&t, err, errlen) == -1) {
		tui_stop_child(&t);
		tui_free(&t);
		return -1;
	}
	t.data_version = tui_data_version(&t);
	for (i = 0; i < TUI_NVIEWS; i++)
		t.state[i] = tui_views[i]->create(&t);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must interrupt the wait for a key. */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	tui_signal = 0;

	if (tui_term_open(&t, err, errlen) == -1) {
		rc = -1;
		goto out;
	}
	while (!t.quit && tui_signal == 0) {
		tui_draw(&t);
		if (first) {
			tui_timing(&t, started, started_cpu, 0);
			first = 0;
		}
		if (t.key_timed != 0) {
			tui_timing(&t, t.key_at, t.key_cpu, t.key_timed);
			t.key_timed = 0;
		}
		if (tui_idle(&t))
			continue;
		ch = getch();
		if (tui_signal != 0)
			break;
		if (ch == ERR || ch == KEY_RESIZE) {
			tui_poll(&t);
			continue;
		}
		if (t.rows < TUI_MIN_ROWS || t.cols < TUI_MIN_COLS) {
			if (ch == 'q')
				t.quit = 1;
			continue;
		}
		t.key_at = tui_clock(CLOCK_MONOTONIC);
		t.key_cpu = tui_clock(CLOCK_PROCESS_CPUTIME_ID);
		t.key_timed = ch;
		tui_key(&t, ch);
		tui_poll(&t);
	}
out:
	tui_term_close(&t);
	tui_stop_child(&t);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	*signo = tui_signal;
	tui_free(&t);
	return rc;
}
