/*
 * tui_timeline.c - the Timeline view: a histogram of the selected rule or
 * category (or everything) per minute, 10 minutes, hour, 6 hours or day,
 * one bucket per row, each bar split by severity, a mark on the buckets
 * an incident spans.
 * + and - zoom around the cursor, Left and Right move a screenful through
 * time and stop at the ends of the window, Enter opens
 * the events of the bucket under the cursor.  Only the buckets on screen
 * are counted.
 */
#include "tui.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char	*name;
	int64_t		 ms;
} tl_units[] = {
	{ "minute", 60000 },
	{ "10 minutes", 600000 },
	{ "hour", 3600000 },
	{ "6 hours", 21600000 },
	{ "day", 86400000 },
};
#define TL_NUNITS ((int)UTIL_ARRAY_LEN(tl_units))

/* The parts of a bar, most severe first: error and critical, warning, the rest. */
#define TL_NSEV	3
static const struct {
	const char	*block, *ascii, *name;
	int		 severity;	/* for the colour */
} tl_sev[TL_NSEV] = {
	{ "\xe2\x96\x88", "#", "error+", 4 },
	{ "\xe2\x96\x93", "=", "warning", 3 },
	{ "\xe2\x96\x91", "-", "info/debug", 1 },
};

static int
tl_sev_part(int severity)
{
	return severity >= 4 ? 0 : severity == 3 ? 1 : 2;
}

struct timeline {
	struct store_rows *q;
	struct store_rows *q_sev;		/* a rule's severity */
	struct store_rows *q_inc;		/* a pair's incidents over the screen */
	struct store_rows *q_min;		/* from event_minutes; NULL: an older database */
	uint64_t	*parts;		/* per bucket, TL_NSEV counts */
	unsigned char	*marks;		/* per bucket: an incident spans it */
	int		 unit;
	int64_t		 start;		/* first bucket shown */
	int		 cursor;
	int		 rows;		/* buckets on screen at the last draw */
	uint64_t	*counts;
	int		 ncounts;
	unsigned	 gen;
	int		 loaded_once;
};

static void *
timeline_create(struct tui *t)
{
	struct timeline *tl = xcalloc(1, sizeof *tl);

	tl->rows = 30;
	return tl;
}

static void
timeline_destroy(void *state)
{
	struct timeline *tl = state;

	store_rows_free(tl->q);
	store_rows_free(tl->q_sev);
	store_rows_free(tl->q_inc);
	store_rows_free(tl->q_min);
	free(tl->counts);
	free(tl->parts);
	free(tl->marks);
	free(tl);
}

static int64_t
floor_to(int64_t ts, int64_t unit)
{
	int64_t q = ts / unit;

	if (ts < 0 && q * unit != ts)
		q--;
	return q * unit;
}

/*
 * The start of the bucket of unit that holds ts, on the clock shown: an
 * hour or a day begins at the zone's hour or midnight, not UTC's.
 */
static int64_t
bucket_floor(int64_t ts, int64_t unit)
{
	int64_t off = tui_zone_offset(ts);

	return floor_to(ts + off, unit) - off;
}

/* The selection's window: its own range if drilled into, else the filter's. */
static void
timeline_window(struct tui *t, int64_t *since, int64_t *until)
{
	struct tui_sel *sel = tui_sel(t);

	tui_window(t, since, until);
	if (sel->since != TS_NONE)
		*since = sel->since;
	if (sel->until != TS_NONE)
		*until = sel->until;
}

/*
 * Count the buckets on screen: per (rule, source) pair of the selection,
 * the bucket's minutes in event_minutes when its buckets are whole
 * minutes (every unit is; a zone's odd offset is not), else a range of ts
 * on the index.
 */
static int
timeline_count(struct tui *t, struct timeline *tl, char *err, size_t errlen)
{
	struct tui_sel *sel = tui_sel(t);
	int64_t unit = tl_units[tl->unit].ms, b;
	struct tui_pair *pairs;
	int64_t end, lo, hi, div = 1;
	struct store_rows *q = tl->q;
	size_t npairs, i;
	int rc = 0, part;

	free(tl->counts);
	free(tl->parts);
	free(tl->marks);
	tl->ncounts = tl->rows;
	tl->counts = xcalloc((size_t)tl->ncounts, sizeof *tl->counts);
	tl->parts = xcalloc((size_t)tl->ncounts * TL_NSEV, sizeof *tl->parts);
	tl->marks = xcalloc((size_t)tl->ncounts, 1);
	end = tl->start + unit * tl->ncounts;
	if (tl->q_min != NULL && floor_to(tl->start, 60000) == tl->start) {
		q = tl->q_min;
		div = 60000;
	}
	if (tui_pairs(t, sel->rule, sel->category, sel->source_id, &pairs,
	    &npairs) == -1) {
		return store_read_error(tui_store(t), err, errlen, "timeline");
	}
	for (i = 0; i < npairs && rc == 0; i++) {
		/* One severity per rule: the pair's events share a part. */
		store_rows_bind_text(tl->q_sev, 1, pairs[i].rule);
		part = tl_sev_part(store_rows_next(tl->q_sev) == 1 ?
		    store_rows_int(tl->q_sev, 0) : 0);
		store_rows_reset(tl->q_sev);
		/* a sum or count(*) per bucket, walked inside SQLite */
		for (b = 0; b < tl->ncounts; b++) {
			store_rows_bind_text(q, 1, pairs[i].rule);
			store_rows_bind_int64(q, 2, pairs[i].source_id);
			store_rows_bind_int64(q, 3, (tl->start + b * unit) / div);
			store_rows_bind_int64(q, 4, (tl->start + (b + 1) * unit) / div);
			if ((rc = store_rows_next(q)) == 1) {
				tl->counts[b] += (uint64_t)store_rows_int64(q, 0);
				tl->parts[b * TL_NSEV + part] +=
				    (uint64_t)store_rows_int64(q, 0);
				rc = 0;
			}
			store_rows_reset(q);
			if (rc != 0)
				break;
		}
		if (rc != 0)
			break;
		store_rows_bind_text(tl->q_inc, 1, pairs[i].rule);
		store_rows_bind_int64(tl->q_inc, 2, pairs[i].source_id);
		store_rows_bind_int64(tl->q_inc, 3, tl->start);
		store_rows_bind_int64(tl->q_inc, 4, end);
		while ((rc = store_rows_next(tl->q_inc)) == 1) {
			lo = (store_rows_int64(tl->q_inc, 0) - tl->start) / unit;
			hi = (store_rows_int64(tl->q_inc, 1) - tl->start) / unit;
			for (b = lo < 0 ? 0 : lo; b <= hi && b < tl->ncounts; b++)
				tl->marks[b] = 1;
		}
		store_rows_reset(tl->q_inc);
	}
	tui_pairs_free(pairs, npairs);
	if (rc != 0) {
		return store_read_error(tui_store(t), err, errlen, "timeline");
	}
	return 0;
}

/* Start at the window: the finest unit that shows all of it, if one does. */
static void
timeline_reset(struct tui *t, struct timeline *tl)
{
	int64_t since, until;

	timeline_window(t, &since, &until);
	for (tl->unit = 0; tl->unit < TL_NUNITS - 1; tl->unit++)
		if ((until - since) / tl_units[tl->unit].ms < tl->rows)
			break;
	tl->start = bucket_floor(since, tl_units[tl->unit].ms);
	tl->cursor = 0;
}

static int
timeline_load(struct tui *t, void *state, char *err, size_t errlen)
{
	struct timeline *tl = state;
	struct tui_sel *sel = tui_sel(t);

	if ((tl->q == NULL && store_tui_prepare(tui_store(t),
	    STORE_TUI_PAIR_COUNT, &tl->q) != 0) ||
	    (tl->q_sev == NULL && store_tui_prepare(tui_store(t),
	    STORE_TUI_RULE_SEVERITY, &tl->q_sev) != 0) ||
	    (tl->q_inc == NULL && store_tui_prepare(tui_store(t),
	    STORE_TUI_PAIR_INCIDENTS, &tl->q_inc) != 0)) {
		return store_read_error(tui_store(t), err, errlen, "timeline");
	}
	/* Read-only on a database older than the table: count(*) does. */
	if (tl->q_min == NULL)
		store_tui_prepare(tui_store(t), STORE_TUI_PAIR_MINUTES,
		    &tl->q_min);
	if (!tl->loaded_once || tl->gen != sel->gen) {
		tl->loaded_once = 1;
		tl->gen = sel->gen;
		timeline_reset(t, tl);
	}
	return timeline_count(t, tl, err, errlen);
}

/*
 * Bucket i's bar of w cells at (row, x): a part per severity, most severe
 * first, each as long as its share; a part with events never vanishes.
 */
static void
timeline_bar(struct tui *t, struct timeline *tl, int i, int row, int x,
    int w, struct buf *bar)
{
	uint64_t cum = 0, n = tl->counts[i];
	int p, done = 0, to, k;

	for (p = 0; p < TL_NSEV; p++) {
		if (tl->parts[i * TL_NSEV + p] == 0)
			continue;
		cum += tl->parts[i * TL_NSEV + p];
		to = (int)((cum * (uint64_t)w + n - 1) / n);
		if (to <= done && done < w)
			to = done + 1;
		buf_reset(bar);
		for (k = done; k < to; k++)
			buf_puts(bar, tui_utf8(t) ? tl_sev[p].block : tl_sev[p].ascii);
		tui_attr(t, tui_severity_role(tl_sev[p].severity), 1);
		tui_put(t, row, x + done, to - done, bar->data, bar->len, 0);
		tui_attr(t, tui_severity_role(tl_sev[p].severity), 0);
		done = to;
	}
}

static void
timeline_draw(struct tui *t, void *state, int y, int h)
{
	struct timeline *tl = state;
	struct tui_sel *sel = tui_sel(t);
	int cols = tui_cols(t), i, bar_w, x;
	uint64_t max = 0, total = 0;
	char ts[32], err[256], label[40];
	const char *name;
	struct buf bar;

	if (h - 2 != tl->rows && h > 2) {
		tl->rows = h - 2;
		if (timeline_count(t, tl, err, sizeof err) == -1)
			tui_message(t, "%s", err);
	}
	if (tl->cursor >= tl->ncounts)
		tl->cursor = tl->ncounts - 1;
	for (i = 0; i < tl->ncounts; i++) {
		if (tl->counts[i] > max)
			max = tl->counts[i];
		total += tl->counts[i];
	}
	tui_attr(t, TUI_TITLE, 1);
	name = sel->rule != NULL ? sel->rule : sel->category != NULL ?
	    sel->category : "events";
	x = tui_printf(t, y, 1, cols - 2, "timeline  %s ", sel->rule != NULL ?
	    "rule" : sel->category != NULL ? "category" : "all");
	x += tui_put_hl(t, y, 1 + x, cols - 2 - x, name, strlen(name), 0, 0);
	x += tui_printf(t, y, 1 + x, cols - 2 - x, "  per %s  ",
	    tl_units[tl->unit].name);
	if (total > 0)
		tui_printf(t, y, 1 + x, cols - 2 - x, "(%llu on screen)",
		    (unsigned long long)total);
	else
		tui_printf(t, y, 1 + x, cols - 2 - x, "(none on screen: Home "
		    "goes to the start, - zooms out)");
	tui_attr(t, TUI_TITLE, 0);
	if ((size_t)snprintf(label, sizeof label, "bucket start (%s)",
	    tui_zone()) > 19)
		snprintf(label, sizeof label, "start (%s)", tui_zone());
	tui_attr(t, TUI_DIM, 1);
	x = 1 + tui_printf(t, y + 1, 1, cols - 2, "%-19.19s %9s  ", label,
	    "events");
	tui_attr(t, TUI_DIM, 0);
	/* The legend: each part of a bar, then the incident mark. */
	for (i = 0; i < TL_NSEV; i++) {
		tui_attr(t, tui_severity_role(tl_sev[i].severity), 1);
		x += tui_printf(t, y + 1, x, cols - 1 - x, "%s",
		    tui_utf8(t) ? tl_sev[i].block : tl_sev[i].ascii);
		tui_attr(t, tui_severity_role(tl_sev[i].severity), 0);
		tui_attr(t, TUI_DIM, 1);
		x += tui_printf(t, y + 1, x, cols - 1 - x, " %s  ", tl_sev[i].name);
		tui_attr(t, TUI_DIM, 0);
	}
	tui_attr(t, TUI_CRIT, 1);
	x += tui_printf(t, y + 1, x, cols - 1 - x, "!");
	tui_attr(t, TUI_CRIT, 0);
	tui_attr(t, TUI_DIM, 1);
	tui_printf(t, y + 1, x, cols - 1 - x, " incident");
	tui_attr(t, TUI_DIM, 0);
	bar_w = cols - 34;
	buf_init(&bar);
	for (i = 0; i < tl->ncounts && i < h - 2; i++) {
		int row = y + 2 + i;

		tui_format_time(tl->start + (int64_t)i * tl_units[tl->unit].ms, ts,
		    sizeof ts);
		if (i == tl->cursor)
			tui_attr(t, TUI_CURSOR, 1);
		move(row, 0);
		hline(' ', cols);
		x = 1 + tui_printf(t, row, 1, 19, "%s", ts);
		x += 1 + tui_printf(t, row, x + 1, 9, "%9llu",
		    (unsigned long long)tl->counts[i]);
		if (i == tl->cursor)
			tui_attr(t, TUI_CURSOR, 0);
		if (tl->marks[i]) {
			tui_attr(t, TUI_CRIT, 1);
			tui_printf(t, row, x + 1, 1, "!");
			tui_attr(t, TUI_CRIT, 0);
		}
		if (max > 0 && tl->counts[i] > 0 && bar_w > 0)
			timeline_bar(t, tl, i, row, x + 2,
			    (int)((tl->counts[i] * (uint64_t)bar_w + max - 1) / max),
			    &bar);
	}
	buf_free(&bar);
}

static void
timeline_move(struct tui *t, struct timeline *tl, int64_t buckets)
{
	char err[256];

	tl->start += buckets * tl_units[tl->unit].ms;
	if (timeline_count(t, tl, err, sizeof err) == -1)
		tui_message(t, "%s", err);
}

/*
 * A screenful later (dir 1) or earlier (-1), stopping where the last (or
 * first) bucket of the window is on screen; a screen already past that
 * end stays where it is.
 */
static void
timeline_page(struct tui *t, struct timeline *tl, int dir)
{
	int64_t unit = tl_units[tl->unit].ms, since, until, lo, hi, to;

	timeline_window(t, &since, &until);
	lo = bucket_floor(since, unit);
	hi = bucket_floor(until - 1, unit) - (int64_t)(tl->ncounts - 1) * unit;
	to = tl->start + dir * (int64_t)tl->ncounts * unit;
	if (dir > 0 && to > hi)
		to = hi > tl->start ? hi : tl->start;
	if (dir < 0 && to < lo)
		to = lo < tl->start ? lo : tl->start;
	if (to == tl->start) {
		tui_message(t, dir > 0 ? "at the end of the data" :
		    "at the start of the data");
		return;
	}
	timeline_move(t, tl, (to - tl->start) / unit);
}

static void
timeline_zoom(struct tui *t, struct timeline *tl, int dir)
{
	int64_t at = tl->start + (int64_t)tl->cursor * tl_units[tl->unit].ms;
	int64_t unit;
	char err[256];

	if (tl->unit + dir < 0 || tl->unit + dir >= TL_NUNITS)
		return;
	tl->unit += dir;
	unit = tl_units[tl->unit].ms;
	/* Keep the bucket under the cursor where it is on the screen. */
	tl->start = bucket_floor(at, unit) - (int64_t)tl->cursor * unit;
	if (timeline_count(t, tl, err, sizeof err) == -1)
		tui_message(t, "%s", err);
}

/* T: the bucket of ms under the cursor, where the cursor is. */
static void
timeline_go_to(struct tui *t, void *state, int64_t ms)
{
	struct timeline *tl = state;
	int64_t unit = tl_units[tl->unit].ms;
	char ts[32];

	tl->start = bucket_floor(ms, unit) - (int64_t)tl->cursor * unit;
	timeline_move(t, tl, 0);
	tui_format_time(ms, ts, sizeof ts);
	tui_message(t, "went to %s %s", ts, tui_zone());
}

static int
timeline_key(struct tui *t, void *state, int key)
{
	struct timeline *tl = state;
	struct tui_sel *sel = tui_sel(t);
	int64_t since, until, unit = tl_units[tl->unit].ms;

	switch (key) {
	case KEY_DOWN:
	case 'j':
		if (tl->cursor + 1 < tl->ncounts)
			tl->cursor++;
		else
			timeline_move(t, tl, 1);
		return 1;
	case KEY_UP:
	case 'k':
		if (tl->cursor > 0)
			tl->cursor--;
		else
			timeline_move(t, tl, -1);
		return 1;
	case KEY_NPAGE:
	case KEY_RIGHT:
	case 'l':
	case ' ':
		timeline_page(t, tl, 1);
		return 1;
	case KEY_PPAGE:
	case KEY_LEFT:
	case 'h':
		timeline_page(t, tl, -1);
		return 1;
	case '+':
	case '=':
		timeline_zoom(t, tl, -1);
		return 1;
	case '-':
	case '_':
		timeline_zoom(t, tl, 1);
		return 1;
	case KEY_HOME:
	case 'g':
		timeline_window(t, &since, &until);
		tl->start = bucket_floor(since, unit);
		tl->cursor = 0;
		timeline_move(t, tl, 0);
		return 1;
	case KEY_END:
	case 'G':
		timeline_window(t, &since, &until);
		tl->cursor = tl->ncounts - 1;
		tl->start = bucket_floor(until - 1, unit) -
		    (int64_t)tl->cursor * unit;
		timeline_move(t, tl, 0);
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		sel->since = tl->start + (int64_t)tl->cursor * unit;
		sel->until = sel->since + unit;
		sel->gen++;
		tl->gen = sel->gen;
		tui_push(t, &tui_view_events);
		return 1;
	}
	return 0;
}

const struct tui_view tui_view_timeline = {
	.name = "Timeline",
	.create = timeline_create,
	.destroy = timeline_destroy,
	.load = timeline_load,
	.draw = timeline_draw,
	.key = timeline_key,
	.go_to = timeline_go_to,
	.keys = "+/- zoom  Left/Right move in time  j/k bucket  Enter: its events  Esc back",
};
