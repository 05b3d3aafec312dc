/*
 * report_html.c - the report as one self-contained HTML file: inline CSS
 * and inline SVG charts (events per hour in a band per severity and
 * stacked by category, latency percentiles per group, latency per hour
 * against the baseline, a storm timeline) and the findings.  Colours are
 * fixed per category and severity.  No script, nothing fetched.  Every
 * string from a log goes through util_escape_html.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "severity.h"

#define HOUR_MS		INT64_C(3600000)
#define DAY_MS		INT64_C(86400000)

/*
 * Fixed colours: a category or a severity has the same colour in every
 * report, whatever else the window holds.  The categories of the shipped
 * rules have their own; any other category takes one of the spare colours
 * by a hash of its name, which is as stable.
 */
static const struct {
	const char	*name, *color;
} category_colors[] = {
	{ "error", "#d62728" },
	{ "latency", "#1f77b4" },
	{ "lifecycle", "#2ca02c" },
	{ "semaphore", "#8c564b" },
	{ "timeout", "#ff7f0e" },
	{ "websocket", "#9467bd" },
};

static const char *spare_colors[] = {
	"#17becf", "#bcbd22", "#e377c2", "#7f7f7f",
	"#393b79", "#637939", "#8c6d31", "#843c39",
};

static const char *severity_colors[SEV_COUNT] = {
	"#9e9e9e",	/* debug */
	"#4e79a7",	/* info */
	"#59a14f",	/* notice */
	"#f28e2b",	/* warning */
	"#e15759",	/* error */
	"#8b0000",	/* critical */
};

/* Metric groups, by their rank among the busiest (not fixed: models vary). */
static const char *group_colors[REPORT_HOURLY_GROUPS] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
};

static const char *
category_color(const char *cat)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(category_colors); i++)
		if (strcmp(category_colors[i].name, cat) == 0)
			return category_colors[i].color;
	return spare_colors[util_hash_text(cat, strlen(cat), UTIL_HASH_SEED) %
	    UTIL_ARRAY_LEN(spare_colors)];
}

static const char *
severity_color(int sev)
{
	return sev >= 0 && sev < SEV_COUNT ? severity_colors[sev] : "#9e9e9e";
}

static void
h(struct buf *b, const char *s)
{
	util_escape_html(b, s, strlen(s));
}

/*
 * s escaped, cut to max characters with an ellipsis, so that a label
 * fits the room beside its chart (the whole text is in its title).
 */
static void
h_cut(struct buf *b, const char *s, size_t max)
{
	size_t i, n = 0, len = strlen(s);

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			break;
	util_escape_html(b, s, i);
	if (i < len)
		buf_puts(b, "\u2026");
}

/*
 * The zone of the report being rendered, for the helpers below that are
 * not handed the report (set by report_render_html; one report at a time).
 */
static const struct tz *html_tz;

static void
iso(struct buf *b, int64_t ms)
{
	char t[40];

	if (ms == TS_NONE) {
		buf_puts(b, "-");
		return;
	}
	tz_format_iso(html_tz, ms, t, sizeof(t));
	buf_puts(b, t);
}

static int64_t
floor_to(int64_t t, int64_t step)
{
	return (t >= 0 ? t / step : (t - step + 1) / step) * step;
}

/* A time axis: t0..t1 drawn from x0 to x1. */
struct tscale {
	int64_t		 t0, t1;
	double		 x0, x1;
};

static double
tx(const struct tscale *s, int64_t t)
{
	if (t < s->t0)
		t = s->t0;
	if (t > s->t1)
		t = s->t1;
	return s->x0 + (s->x1 - s->x0) * (double)(t - s->t0) / (double)(s->t1 - s->t0);
}

/* Whole hours around [lo, hi), at least one. */
static void
tscale_set(struct tscale *s, int64_t lo, int64_t hi, double x0, double x1)
{
	s->t0 = floor_to(lo, HOUR_MS);
	s->t1 = floor_to(hi - 1, HOUR_MS) + HOUR_MS;
	if (s->t1 <= s->t0)
		s->t1 = s->t0 + HOUR_MS;
	s->x0 = x0;
	s->x1 = x1;
}

/*
 * The time axis at y: ticks on whole hours or days, at most eight, each
 * labelled with its hour, and with its date where the day changes (and
 * the year, when the axis spans more than one).  Past eight steps of 28
 * days, the step is the fewest 28 days that keep eight ticks or fewer.
 */
static void
time_axis(struct buf *b, const struct tscale *s, double y)
{
	static const int64_t steps[] = {
		HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS,
		DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 28 * DAY_MS,
	};
	int64_t step = steps[UTIL_ARRAY_LEN(steps) - 1], t, lt, day, prev = INT64_MIN;
	/* ticks on the zone's whole hours and days (its offset at the start) */
	int64_t off = (int64_t)tz_offset(html_tz, s->t0) * 1000;
	size_t i;
	struct tm tm0, tm1;
	time_t e0, e1;
	int years;

	for (i = 0; i < UTIL_ARRAY_LEN(steps); i++)
		if ((s->t1 - s->t0) / steps[i] <= 8) {
			step = steps[i];
			break;
		}
	if ((s->t1 - s->t0) / step > 8)
		step *= (s->t1 - s->t0) / (8 * step) + 1;
	e0 = (time_t)(floor_to(s->t0 + off, 1000) / 1000);
	e1 = (time_t)(floor_to(s->t1 + off, 1000) / 1000);
	gmtime_r(&e0, &tm0);
	gmtime_r(&e1, &tm1);
	years = tm0.tm_year != tm1.tm_year;
	buf_printf(b, "<g class=\"time-axis\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
	    " y2=\"%.1f\" class=\"axisline\"/>\n", s->x0, y, s->x1, y);
	for (lt = floor_to(s->t0 + off + step - 1, step); lt <= s->t1 + off;
	    lt += step) {
		time_t tt = (time_t)(floor_to(lt, 1000) / 1000);
		struct tm tm;
		double x;

		t = lt - off;
		x = tx(s, t);
		gmtime_r(&tt, &tm);
		day = floor_to(lt, DAY_MS);
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
		    " class=\"tick\"/><text x=\"%.1f\" y=\"%.1f\" class=\"axis tick-label\""
		    " text-anchor=\"middle\">", x, y, x, y + 4, x, y + 16);
		if (day != prev && years)
			buf_printf(b, "%d-%02d-%02d", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday);
		else if (day != prev)
			buf_printf(b, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday,
			    tm.tm_hour, tm.tm_min);
		else
			buf_printf(b, "%02d:%02d", tm.tm_hour, tm.tm_min);
		buf_puts(b, "</text>\n");
		prev = day;
	}
	buf_puts(b, "</g>\n");
}

/* The incidents as translucent bands over [y, y + height) of a time chart. */
static void
incident_bands(const struct report *r, struct buf *b, const struct tscale *s,
    double y, double height)
{
	size_t i;

	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];
		double x = tx(s, in->start), w = tx(s, in->end) - x;

		if (in->end < s->t0 || in->start > s->t1)
			continue;
		if (w < 2)
			w = 2;
		buf_printf(b, "<rect class=\"incident-band incident-%s\" x=\"%.1f\""
		    " y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>", in->kind,
		    x, y, w, height);
		h(b, in->kind);
		buf_puts(b, " ");
		h(b, in->rule);
		buf_puts(b, " ");
		h(b, in->key);
		buf_puts(b, " on ");
		h(b, in->source);
		buf_puts(b, " from ");
		iso(b, in->start);
		buf_printf(b, ": %ju events</title></rect>\n", (uintmax_t)in->count);
	}
}

/* The window the time charts span: the report's, or its events' hours. */
static void
chart_window(const struct report *r, int64_t *lo, int64_t *hi)
{
	*lo = r->since;
	*hi = r->until;
	if (*lo == TS_NONE && r->nhourly > 0)
		*lo = r->hourly[0].start;
	if (*hi == TS_NONE && r->nhourly > 0)
		*hi = r->hourly[r->nhourly - 1].start + HOUR_MS;
}

/*
 * Events per hour in a band per severity, each on its own scale: the few
 * errors and warnings stay as visible as the flood of info beside them.
 */
static void
chart_hourly(const struct report *r, struct buf *b)
{
	uint64_t peak[SEV_COUNT] = { 0 }, total[SEV_COUNT] = { 0 };
	struct tscale sc;
	int64_t lo, hi;
	size_t i, nbands = 0, band;
	int sev;
	double top, bh = 56, gap = 12;

	buf_puts(b, "<h2>Events per hour by severity</h2>\n");
	chart_window(r, &lo, &hi);
	if (r->nhourly_sev == 0 || lo == TS_NONE || hi == TS_NONE) {
		buf_puts(b, "<p>No events.</p>\n");
		return;
	}
	for (i = 0; i < r->nhourly_sev; i++) {
		sev = r->hourly_sev[i].severity;
		if (sev < 0 || sev >= SEV_COUNT)
			continue;
		total[sev] += r->hourly_sev[i].n;
		if (r->hourly_sev[i].n > peak[sev])
			peak[sev] = r->hourly_sev[i].n;
	}
	for (sev = 0; sev < SEV_COUNT; sev++)
		nbands += total[sev] > 0;
	tscale_set(&sc, lo, hi, 160, 1060);
	buf_printf(b, "<svg id=\"chart-hourly\" class=\"chart\" viewBox=\"0 0 1100 %.0f\""
	    " width=\"1100\" height=\"%.0f\" xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\" aria-label=\"events per hour, a band per severity\">\n",
	    10 + (double)nbands * (bh + gap) + 40, 10 + (double)nbands * (bh + gap) + 40);
	incident_bands(r, b, &sc, 10, (double)nbands * (bh + gap) - gap);
	for (sev = SEV_COUNT - 1, band = 0; sev >= 0; sev--) {
		if (total[sev] == 0)
			continue;
		top = 10 + (double)band++ * (bh + gap);
		buf_printf(b, "<g id=\"band-%s\" class=\"band\" data-severity=\"%s\""
		    " data-peak=\"%ju\" data-total=\"%ju\">\n"
		    "<text x=\"0\" y=\"%.1f\" class=\"label band-name\" fill=\"%s\">%s</text>"
		    "<text x=\"0\" y=\"%.1f\" class=\"axis\">%ju events</text>"
		    "<text x=\"0\" y=\"%.1f\" class=\"axis\">peak %ju/h</text>\n"
		    "<line x1=\"160\" y1=\"%.1f\" x2=\"1060\" y2=\"%.1f\" class=\"baseline\"/>\n",
		    severity_name(sev), severity_name(sev), (uintmax_t)peak[sev],
		    (uintmax_t)total[sev], top + 14, severity_color(sev),
		    severity_name(sev), top + 30, (uintmax_t)total[sev], top + 44,
		    (uintmax_t)peak[sev], top + bh, top + bh);
		for (i = 0; i < r->nhourly_sev; i++) {
			const struct report_sev_bucket *bk = &r->hourly_sev[i];
			double x, w, hgt;

			if (bk->severity != sev)
				continue;
			x = tx(&sc, bk->start);
			w = tx(&sc, bk->start + HOUR_MS) - x;
			w = w > 2 ? w - 1 : 1;
			hgt = bh * (double)bk->n / (double)peak[sev];
			if (hgt < 2)
				hgt = 2;
			buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
			    " height=\"%.1f\" fill=\"%s\"><title>", x, top + bh - hgt, w,
			    hgt, severity_color(sev));
			iso(b, bk->start);
			buf_printf(b, " %s: %ju</title></rect>\n", severity_name(sev),
			    (uintmax_t)bk->n);
		}
		buf_puts(b, "</g>\n");
	}
	time_axis(b, &sc, 10 + (double)nbands * (bh + gap) - gap + 4);
	buf_puts(b, "</svg>\n");
}

/* Distinct categories of the hourly buckets, sorted by name. */
static size_t
categories(const struct report *r, const char ***out)
{
	const char **cats = NULL;
	size_t i, j, n = 0;

	for (i = 0; i < r->nhourly; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(cats[j], r->hourly[i].category) == 0)
				break;
		if (j == n) {
			cats = xrealloc(cats, (n + 1) * sizeof(*cats));
			cats[n++] = r->hourly[i].category;
		}
	}
	*out = cats;
	return n;
}

/* Events per hour stacked by category, in the categories' fixed colours. */
static void
chart_categories(const struct report *r, struct buf *b)
{
	const char **cats;
	size_t ncat, i, j, nh;
	struct tscale sc;
	int64_t lo, hi;
	uint64_t peak = 1, *tot;

	chart_window(r, &lo, &hi);
	if (r->nhourly == 0 || lo == TS_NONE || hi == TS_NONE)
		return;
	buf_puts(b, "<h2>Events per hour by category</h2>\n");
	tscale_set(&sc, lo, hi, 160, 1060);
	nh = (size_t)((sc.t1 - sc.t0) / HOUR_MS) + 1;
	tot = xcalloc(nh, sizeof(*tot));
	for (i = 0; i < r->nhourly; i++) {
		if (r->hourly[i].start < sc.t0 || r->hourly[i].start >= sc.t1)
			continue;
		j = (size_t)((r->hourly[i].start - sc.t0) / HOUR_MS);
		tot[j] += r->hourly[i].n;
		if (tot[j] > peak)
			peak = tot[j];
	}
	ncat = categories(r, &cats);
	buf_printf(b, "<svg id=\"chart-categories\" class=\"chart\" viewBox=\"0 0 1100 %zu\""
	    " width=\"1100\" height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\" aria-label=\"events per hour by category\">\n"
	    "<text x=\"0\" y=\"24\" class=\"axis\">peak %ju/h</text>\n",
	    250 + (ncat + 5) / 6 * 18, 250 + (ncat + 5) / 6 * 18, (uintmax_t)peak);
	memset(tot, 0, nh * sizeof(*tot));
	for (i = 0; i < r->nhourly; i++) {
		const struct report_bucket *bk = &r->hourly[i];
		double x, w, y0, hgt;

		if (bk->start < sc.t0 || bk->start >= sc.t1)
			continue;
		j = (size_t)((bk->start - sc.t0) / HOUR_MS);
		y0 = 210 - 200.0 * (double)tot[j] / (double)peak;
		hgt = 200.0 * (double)bk->n / (double)peak;
		tot[j] += bk->n;
		x = tx(&sc, bk->start);
		w = tx(&sc, bk->start + HOUR_MS) - x;
		buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
		    " height=\"%.1f\" fill=\"%s\" data-category=\"", x, y0 - hgt,
		    w > 2 ? w - 1 : 1, hgt, category_color(bk->category));
		h(b, bk->category);
		buf_puts(b, "\"><title>");
		iso(b, bk->start);
		buf_puts(b, " ");
		h(b, bk->category);
		buf_printf(b, ": %ju</title></rect>\n", (uintmax_t)bk->n);
	}
	time_axis(b, &sc, 210);
	for (j = 0; j < ncat; j++) {
		double x = 160 + (double)(j % 6) * 150, y = 244 + (double)(j / 6) * 18;

		buf_printf(b, "<g class=\"legend-item\" data-category=\"");
		h(b, cats[j]);
		buf_printf(b, "\"><rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\""
		    " fill=\"%s\"/><text x=\"%.0f\" y=\"%.0f\" class=\"legend\">", x,
		    y - 9, category_color(cats[j]), x + 14, y);
		h_cut(b, cats[j], 18);
		buf_puts(b, "</text></g>\n");
	}
	buf_puts(b, "</svg>\n");
	free(cats);
	free(tot);
}

static void
chart_latency(const struct report *r, struct buf *b)
{
	size_t i, j, rows = 0, shown = 0, y0 = 10;
	double max = 1;
	const char *names[] = { "p50", "p95", "p99" };
	const char *shades[] = { "#9ecae1", "#4292c6", "#08519c" };
	struct buf q;

	for (i = 0; i < r->nmetrics; i++) {
		rows += report_groups_shown(&r->metrics[i], r->show_all);
		shown += r->metrics[i].ngroups > 0;
	}
	buf_puts(b, "<h2>Latency percentiles</h2>\n");
	if (rows == 0) {
		buf_puts(b, "<p>No metric values.</p>\n");
		return;
	}
	/* each metric's groups under its rule's name: each has its own scale */
	buf_printf(b, "<svg id=\"chart-latency\" class=\"chart\" viewBox=\"0 0 1100 %zu\""
	    " width=\"1100\" height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\" aria-label=\"latency percentiles per group\">\n",
	    rows * 60 + shown * 24 + 30, rows * 60 + shown * 24 + 30);
	buf_init(&q);
	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		if (m->ngroups == 0)
			continue;
		for (j = 0, max = 1; j < report_groups_shown(m, r->show_all); j++)
			if (m->groups[j].p99 > max)
				max = m->groups[j].p99;
		buf_printf(b, "<text x=\"0\" y=\"%zu\" class=\"label metric-rule\">",
		    y0 + 14);
		h_cut(b, m->rule, 40);
		buf_puts(b, "</text>\n");
		y0 += 24;
		for (j = 0; j < report_groups_shown(m, r->show_all); j++,
		    y0 += 60) {
			const struct report_metric_group *g = &m->groups[j];
			double pv[3];
			size_t k, y = y0;

			pv[0] = g->p50;
			pv[1] = g->p95;
			pv[2] = g->p99;
			buf_printf(b, "<text x=\"0\" y=\"%zu\" class=\"label\"><title>", y + 26);
			h(b, *g->value ? g->value : m->rule);
			buf_puts(b, "</title>");
			h_cut(b, *g->value ? g->value : m->rule, 28);
			buf_puts(b, "</text>\n");
			/* bars end by x 860: the widest value label fits after them */
			for (k = 0; k < 3; k++) {
				double w = 620.0 * pv[k] / max;

				if (w < 1)
					w = 1;
				buf_reset(&q);
				util_format_quantity(&q, pv[k], m->unit);
				buf_printf(b, "<rect class=\"bar\" x=\"220\" y=\"%zu\" width=\"%.1f\""
				    " height=\"14\" fill=\"%s\"><title>%s ", y + k * 16, w,
				    shades[k], names[k]);
				h(b, q.data);
				buf_printf(b, "</title></rect><text x=\"%.1f\" y=\"%zu\""
				    " class=\"value\">%s ", 226 + w, y + k * 16 + 12, names[k]);
				h(b, q.data);
				buf_puts(b, "</text>\n");
			}
		}
	}
	buf_free(&q);
	buf_puts(b, "</svg>\n");
}

static const struct report_metric *
metric_of(const struct report *r, const char *rule)
{
	size_t i;

	for (i = 0; r != NULL && i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].rule, rule) == 0)
			return &r->metrics[i];
	return NULL;
}

/* The groups a latency chart draws: the report's busiest, then the baseline's. */
static size_t
chart_groups(const struct report_metric *m, const struct report_metric *bm,
    const char **g)
{
	const struct report_metric *both[2] = { m, bm };
	size_t i, j, k, n = 0;

	for (k = 0; k < 2; k++)
		for (i = 0; both[k] != NULL && i < both[k]->nhours; i++) {
			for (j = 0; j < n; j++)
				if (strcmp(g[j], both[k]->hours[i].group) == 0)
					break;
			if (j == n && n < REPORT_HOURLY_GROUPS)
				g[n++] = both[k]->hours[i].group;
		}
	return n;
}

/* One percentile of one group as a path, broken where an hour is missing. */
static void
latency_path(struct buf *b, const struct report_metric *m, const char *group,
    int p95, const struct tscale *sc, double top, double height, double max,
    int64_t *last)
{
	size_t i;

	for (i = 0; m != NULL && i < m->nhours; i++) {
		const struct report_metric_hour *mh = &m->hours[i];
		double v = p95 ? mh->p95 : mh->p50;
		double x = tx(sc, mh->start + HOUR_MS / 2);
		double y = top + height - height * v / max;

		if (strcmp(mh->group, group) != 0)
			continue;
		buf_printf(b, "%s%.1f %.1f", *last != TS_NONE &&
		    *last + HOUR_MS == mh->start ? " L" : " M", x, y);
		*last = mh->start;
	}
}

/* The points of one group's p95, each with its values in a title. */
static void
latency_points(struct buf *b, const struct report_metric *m, const char *group,
    const char *color, const struct tscale *sc, double top, double height,
    double max)
{
	struct buf q;
	size_t i;

	buf_init(&q);
	for (i = 0; m != NULL && i < m->nhours; i++) {
		const struct report_metric_hour *mh = &m->hours[i];

		if (strcmp(mh->group, group) != 0)
			continue;
		buf_printf(b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\""
		    " fill=\"%s\"><title>", tx(sc, mh->start + HOUR_MS / 2),
		    top + height - height * mh->p95 / max, color);
		h(b, group);
		buf_puts(b, " ");
		iso(b, mh->start);
		buf_reset(&q);
		buf_puts(&q, ": p50 ");
		util_format_quantity(&q, mh->p50, m->unit);
		buf_puts(&q, ", p95 ");
		util_format_quantity(&q, mh->p95, m->unit);
		h(b, q.data);
		buf_printf(b, " (%ju)</title></circle>\n", (uintmax_t)mh->count);
	}
	buf_free(&q);
}

/*
 * p50 (dashed) and p95 per hour of the busiest groups of each metric,
 * across the baseline window (shaded) and the report's window, with the
 * incidents as bands: the before/after of a change at a glance.
 */
static void
chart_latency_time(const struct report *r, struct buf *b)
{
	const struct report *base = r->baseline;
	size_t i, j, k, drawn = 0;
	struct tscale sc;
	struct buf q;
	/* the rule's name above the plot, clear of the scale's top label */
	const double top = 26, height = 180;

	buf_init(&q);
	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];
		const struct report_metric *bm = metric_of(base, m->rule);
		const char *groups[REPORT_HOURLY_GROUPS];
		size_t ng = chart_groups(m, bm, groups);
		int64_t lo, hi;
		double max = 0;

		chart_window(r, &lo, &hi);
		if (ng == 0 || lo == TS_NONE || hi == TS_NONE)
			continue;
		if (base != NULL && base->since != TS_NONE && base->since < lo)
			lo = base->since;
		if (base != NULL && base->until != TS_NONE && base->until > hi)
			hi = base->until;
		for (j = 0; j < m->nhours; j++)
			if (m->hours[j].p95 > max)
				max = m->hours[j].p95;
		for (j = 0; bm != NULL && j < bm->nhours; j++)
			if (bm->hours[j].p95 > max)
				max = bm->hours[j].p95;
		if (max <= 0)
			max = 1;
		if (drawn++ == 0)
			buf_puts(b, "<h2>Latency and other metrics per hour (p95 solid, p50 dashed)</h2>\n"
			    "<div id=\"chart-latency-time\">\n");
		tscale_set(&sc, lo, hi, 160, 1060);
		buf_printf(b, "<svg class=\"chart latency-time\" data-rule=\"");
		h(b, m->rule);
		buf_printf(b, "\" viewBox=\"0 0 1100 %zu\" width=\"1100\" height=\"%zu\""
		    " xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""
		    " aria-label=\"latency per hour\">\n<text x=\"0\" y=\"%.0f\""
		    " class=\"label\">", (size_t)top + 230 + (ng + 2) / 3 * 18,
		    (size_t)top + 230 + (ng + 2) / 3 * 18, top - 10);
		h_cut(b, m->rule, 22);
		buf_puts(b, "</text>\n");
		if (base != NULL && base->since != TS_NONE && base->until != TS_NONE) {
			double x = tx(&sc, base->since);

			buf_printf(b, "<rect class=\"baseline-window\" x=\"%.1f\" y=\"%.0f\""
			    " width=\"%.1f\" height=\"%.0f\"><title>baseline ", x, top,
			    tx(&sc, base->until) - x, height);
			report_window_text(r->query.tz, base->since, base->until, b);
			buf_printf(b, "</title></rect><text x=\"%.1f\" y=\"%.0f\""
			    " class=\"axis\">baseline</text>\n", x + 4, top + 12);
		}
		incident_bands(r, b, &sc, top, height);
		/* the scale: 0, half and the greatest p95 */
		for (k = 0; k <= 2; k++) {
			double y = top + height - height * (double)k / 2;

			buf_reset(&q);
			report_format_cell(&q, max * (double)k / 2, m->unit);
			buf_printf(b, "<line x1=\"160\" y1=\"%.1f\" x2=\"1060\" y2=\"%.1f\""
			    " class=\"grid\"/><text x=\"152\" y=\"%.1f\" class=\"axis\""
			    " text-anchor=\"end\">", y, y, y + 4);
			h(b, q.data);
			buf_puts(b, "</text>\n");
		}
		for (j = 0; j < ng; j++) {
			const char *color = group_colors[j];
			int p;

			for (p = 1; p >= 0; p--) {
				int64_t last = TS_NONE;

				buf_printf(b, "<path class=\"%s\" fill=\"none\" stroke=\"%s\""
				    " stroke-width=\"%s\"%s data-group=\"", p ? "p95" : "p50",
				    color, p ? "2" : "1.5",
				    p ? "" : " stroke-dasharray=\"5 3\"");
				h(b, groups[j]);
				buf_puts(b, "\" d=\"");
				latency_path(b, bm, groups[j], p, &sc, top, height, max, &last);
				latency_path(b, m, groups[j], p, &sc, top, height, max, &last);
				buf_puts(b, "\"/>\n");
			}
			latency_points(b, bm, groups[j], color, &sc, top, height, max);
			latency_points(b, m, groups[j], color, &sc, top, height, max);
		}
		time_axis(b, &sc, top + height);
		for (j = 0; j < ng; j++) {
			double x = 160 + (double)(j % 3) * 300;
			double y = top + height + 46 + (double)(j / 3) * 18;

			buf_printf(b, "<g class=\"legend-item\"><line x1=\"%.0f\" y1=\"%.0f\""
			    " x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\"/>"
			    "<text x=\"%.0f\" y=\"%.0f\" class=\"legend\"><title>", x, y - 4,
			    x + 16, y - 4, group_colors[j], x + 22, y);
			h(b, groups[j]);
			buf_puts(b, "</title>");
			h_cut(b, *groups[j] ? groups[j] : "-", 36);
			buf_puts(b, "</text></g>\n");
		}
		buf_puts(b, "</svg>\n");
	}
	if (drawn > 0)
		buf_puts(b, "</div>\n");
	buf_free(&q);
}

static void
chart_storms(const struct report *r, struct buf *b)
{
	size_t i, n = report_count_incidents(r, "storm", NULL), row = 0;
	struct tscale sc;

	buf_puts(b, "<h2>Storm timeline</h2>\n");
	if (n == 0 || r->since == TS_NONE || r->until == TS_NONE ||
	    r->until <= r->since) {
		buf_puts(b, "<p>No storms.</p>\n");
		return;
	}
	tscale_set(&sc, r->since, r->until, 220, 1060);
	buf_printf(b, "<svg id=\"chart-storms\" class=\"chart\" viewBox=\"0 0 1100 %zu\""
	    " width=\"1100\" height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\" aria-label=\"storm timeline\">\n",
	    n * 24 + 40, n * 24 + 40);
	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];
		double x, w;

		if (strcmp(in->kind, "storm") != 0)
			continue;
		x = tx(&sc, in->start);
		w = tx(&sc, in->end) - x;
		if (w < 3)
			w = 3;
		buf_printf(b, "<text x=\"0\" y=\"%zu\" class=\"label\"><title>", row * 24 + 18);
		h(b, *in->key ? in->key : in->rule);
		buf_puts(b, "</title>");
		h_cut(b, *in->key ? in->key : in->rule, 28);
		buf_printf(b, "</text><rect class=\"storm\" x=\"%.1f\" y=\"%zu\" width=\"%.1f\""
		    " height=\"16\" fill=\"%s\"><title>", x, row * 24 + 5, w,
		    severity_color(in->severity));
		h(b, in->rule);
		buf_puts(b, " ");
		h(b, in->key);
		buf_printf(b, ": %ju events, peak %jd/min</title></rect>\n",
		    (uintmax_t)in->count, (intmax_t)in->peak_per_min);
		row++;
	}
	time_axis(b, &sc, (double)(n * 24 + 8));
	buf_puts(b, "</svg>\n");
}

/* A metric value in its unit, as a numeric cell. */
static void
cell(struct buf *b, double v, const char *unit)
{
	struct buf q;

	buf_init(&q);
	report_format_cell(&q, v, unit);
	buf_puts(b, "<td class=\"n\">");
	h(b, q.data);
	buf_puts(b, "</td>");
	buf_free(&q);
}

static void
change_cell(struct buf *b, double before, double after)
{
	buf_puts(b, "<td class=\"change\">");
	report_format_change(b, before, after, 0);
	buf_puts(b, "</td>");
}

static void
metric_change_cell(struct buf *b, double before, double after,
    const char *unit)
{
	buf_puts(b, "<td class=\"change\">");
	report_format_metric_change(b, before, after, unit);
	buf_puts(b, "</td>");
}

/* One incident as a table row; grouped: with an incidents cell of 1. */
static void
incident_row(struct buf *b, const struct report_incident *in, int grouped)
{
	buf_puts(b, "<tr><td>");
	h(b, in->kind);
	buf_puts(b, "</td><td>");
	h(b, in->rule);
	buf_puts(b, "</td><td>");
	h(b, in->source);
	buf_puts(b, grouped ? "</td><td class=\"n\">1</td><td>" : "</td><td>");
	h(b, in->key);
	buf_puts(b, "</td><td>");
	iso(b, in->start);
	buf_puts(b, "</td><td>");
	util_format_duration(b, (double)(in->end - in->start), 0);
	buf_printf(b, "</td><td class=\"n\">%ju</td><td class=\"n\">",
	    (uintmax_t)in->count);
	if (in->peak_per_min >= 0)
		buf_printf(b, "%jd", (intmax_t)in->peak_per_min);
	buf_puts(b, "</td></tr>\n");
}

/* A row "storms | 1 → 2 (+1, +100%)" of a comparison, when it changed. */
static void
incident_change(struct buf *b, const struct report *r, const char *label,
    const char *kind)
{
	uint64_t before = report_count_incidents(r->baseline, kind, NULL);
	uint64_t after = report_count_incidents(r, kind, NULL);

	if (before == after && !r->show_all)
		return;
	buf_printf(b, "<tr><th>%s</th>", label);
	change_cell(b, (double)before, (double)after);
	buf_puts(b, "</tr>");
}

/* The findings f[0..n) under title, a list of that id. */
static void
findings(struct buf *b, const struct report_finding *f, size_t n,
    const char *title, const char *id)
{
	size_t i;

	buf_printf(b, "<h2>%s</h2>\n<ul id=\"%s\">\n", title, id);
	for (i = 0; i < n; i++) {
		const char *sn = severity_name(f[i].severity);

		buf_printf(b, "<li class=\"finding\"><span class=\"sev-%s\">%s</span> ", sn, sn);
		h(b, f[i].text);
		buf_puts(b, "</li>\n");
	}
	if (n == 0)
		buf_puts(b, "<li>None.</li>\n");
	buf_puts(b, "</ul>\n");
}

/*
 * The table of the error templates v[0..n) (none without any): the
 * window's with their first and last time, the untimed ones (whose first
 * is TS_NONE) with a sample record in their place.
 */
static void
errors(struct buf *b, const struct report *r,
    const struct report_error_group *v, size_t n)
{
	int untimed = n > 0 && v[0].first == TS_NONE;
	struct buf line;
	size_t i;

	if (n == 0)
		return;
	buf_printf(b, "<h2>%srrors no rule was written for</h2>\n<table"
	    " id=\"%serrors\"><tr><th>severity</th><th>count</th><th>logger</th>"
	    "<th>template</th>%s<th>sources</th></tr>\n", untimed ?
	    "Untimed e" : "E", untimed ? "untimed-" : "", untimed ?
	    "<th>sample</th>" : "<th>first</th><th>last</th>");
	buf_init(&line);
	for (i = 0; i < n && i < REPORT_ERRORS_SHOWN; i++) {
		const struct report_error_group *g = &v[i];
		char first[32], last[32];

		buf_printf(b, "<tr><td>%s</td><td class=\"n\">%ju</td><td>",
		    severity_name(g->severity), (uintmax_t)g->count);
		h(b, g->logger);
		buf_puts(b, "</td><td>");
		h(b, g->template);
		if (g->nparts > 0) {
			buf_reset(&line);
			report_parts_text(g, "; ", &line);
			buf_puts(b, "<div class=\"parts\">parts: ");
			h(b, line.data);
			buf_puts(b, "</div>");
		}
		if (untimed) {
			buf_reset(&line);
			report_sample_text(g, &line);
			buf_puts(b, "</td><td class=\"sample\">");
			h(b, line.data);
			buf_puts(b, "</td><td>");
		} else {
			tz_format_iso(r->query.tz, g->first, first, sizeof(first));
			tz_format_iso(r->query.tz, g->last, last, sizeof(last));
			buf_printf(b, "</td><td>%s</td><td>%s</td><td>", first,
			    last);
		}
		h(b, report_group_sources(r, g));
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
	buf_reset(&line);
	report_errors_more(v, n, &line);
	if (line.len > 0) {
		buf_puts(b, "<p class=\"more\">");
		h(b, line.data);
		buf_puts(b, "</p>\n");
	}
	buf_free(&line);
}

/* The table of metric m under "TITLE: rule (unit u)", with changes from base. */
static void
metric(struct buf *b, const struct report_metric *m, const struct report *base,
    const char *title, int all)
{
	size_t j, shown = report_groups_shown(m, all);

	buf_printf(b, "<h2>%s: ", title);
	h(b, m->rule);
	if (m->unit != NULL) {
		buf_puts(b, " (unit ");
		h(b, m->unit);
		buf_putc(b, ')');
	}
	buf_printf(b, "</h2>\n<table class=\"metric\"><tr><th>group</th><th>count</th>"
	    "<th>mean</th><th>p50</th><th>p95</th><th>p99</th><th>max</th>%s</tr>\n",
	    base ? "<th>mean change</th><th>p95 change</th>" : "");
	for (j = 0; j < shown; j++) {
		const struct report_metric_group *g = &m->groups[j];
		const struct report_metric_group *bg =
		    report_find_group(base, m->rule, g->value);

		buf_puts(b, "<tr><td>");
		h(b, g->value);
		buf_printf(b, "</td><td class=\"n\">%ju</td>", (uintmax_t)g->count);
		cell(b, g->mean, m->unit);
		cell(b, g->p50, m->unit);
		cell(b, g->p95, m->unit);
		cell(b, g->p99, m->unit);
		cell(b, g->max, m->unit);
		if (base != NULL && bg != NULL) {
			metric_change_cell(b, bg->mean, g->mean, m->unit);
			metric_change_cell(b, bg->p95, g->p95, m->unit);
		} else if (base != NULL)
			buf_puts(b, "<td></td><td></td>");
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	if (shown < m->ngroups) {
		struct buf more;

		buf_init(&more);
		report_groups_more(m, all, &more);
		buf_puts(b, "<p class=\"more\">");
		h(b, more.data);
		buf_puts(b, "</p>\n");
		buf_free(&more);
	}
}

/* A row of a rules table, up to its count: the window's or the untimed one's. */
static void
rule_row(struct buf *b, const struct report_rule *ru, uint64_t count)
{
	buf_puts(b, "<tr><td>");
	h(b, ru->id);
	buf_puts(b, "</td><td>");
	h(b, ru->category);
	buf_printf(b, "</td><td>%s</td><td class=\"n\">%ju</td>",
	    severity_name(ru->severity), (uintmax_t)count);
}

/*
 * The untimed events (their input had no time) in a section of their
 * own: what of them needs no time, without a chart (a chart needs one).
 */
static void
untimed(struct buf *b, const struct report *r)
{
	const struct report_untimed *u = r->untimed;
	size_t i;

	buf_printf(b, "<section id=\"untimed\">\n<h2>" REPORT_UNTIMED_TITLE
	    "</h2>\n<p><span id=\"untimed-events\">%ju</span> events:"
	    " logtriage events --untimed lists them.</p>\n",
	    (uintmax_t)u->events);
	findings(b, u->findings, u->nfindings, "Untimed findings",
	    "untimed-findings");
	errors(b, r, u->errors, u->nerrors);
	buf_puts(b, "<h2>Untimed rules</h2>\n<table id=\"untimed-rules\"><tr>"
	    "<th>rule</th><th>category</th><th>severity</th><th>count</th></tr>\n");
	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];

		if (ru->untimed == 0)
			continue;
		rule_row(b, ru, ru->untimed);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	for (i = 0; i < u->nmetrics; i++)
		metric(b, &u->metrics[i], NULL, "Untimed metric", r->show_all);
	buf_puts(b, "</section>\n");
}

void
report_render_html(const struct report *r, struct buf *b)
{
	const struct report *base = r->baseline;
	struct buf line;
	size_t i, j, n;

	html_tz = r->query.tz;
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<title>logtriage report</title>\n<style>\n"
	    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
	    "table{border-collapse:collapse;margin:.5em 0}\n"
	    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
	    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	    ".sev-critical,.sev-error{color:#b00020;font-weight:bold}\n"
	    ".sev-warning{color:#a15c00;font-weight:bold}\n"
	    ".sev-notice,.sev-info,.sev-debug{color:#055}\n"
	    ".chart{display:block;max-width:100%;height:auto}\n"
	    ".axis,.legend,.value{font-size:11px;fill:#444}\n"
	    ".label{font-size:12px;fill:#222}.metric-rule{font-weight:600}.axisline,.tick{stroke:#888}\n"
	    ".band-name{font-weight:bold}.baseline{stroke:#ccc}.grid{stroke:#eee}\n"
	    ".incident-band{fill-opacity:.18}.incident-storm{fill:#e15759}\n"
	    ".incident-unresolved{fill:#b07aa1}.incident-open{fill:#edc948}\n"
	    ".baseline-window{fill:#888;fill-opacity:.12}\n"
	    "</style></head><body>\n<h1>logtriage report</h1>\n<p id=\"window\">");
	if (report_untimed_only(r)) {
		/* the empty window's parts and charts would say nothing */
		report_untimed_head(r, b);
		buf_init(&line);
		report_sources_text(r, &line);
		buf_puts(b, "<br>sources: ");
		h(b, line.data);
		buf_puts(b, "</p>\n");
		buf_free(&line);
		untimed(b, r);
		buf_puts(b, "</body></html>\n");
		return;
	}
	report_window_text(r->query.tz, r->since, r->until, b);
	if (base != NULL) {
		buf_puts(b, "<br>baseline ");
		report_window_text(r->query.tz, base->since, base->until, b);
	}
	buf_init(&line);
	report_sources_text(r, &line);
	buf_puts(b, "<br>sources: ");
	h(b, line.data);
	buf_printf(b, "<br>input: <span id=\"lines\">%ju</span> lines, %ju records,"
	    " %ju bytes (malformed %ju, truncated %ju); <span id=\"events\">%ju</span>"
	    " events</p>\n", (uintmax_t)r->input.lines, (uintmax_t)r->input.records,
	    (uintmax_t)r->input.bytes, (uintmax_t)r->input.malformed,
	    (uintmax_t)r->input.truncated, (uintmax_t)r->total_events);

	findings(b, r->findings, r->nfindings, "Findings", "findings");
	errors(b, r, r->errors, r->nerrors);

	chart_hourly(r, b);
	chart_categories(r, b);
	chart_latency(r, b);
	chart_latency_time(r, b);
	chart_storms(r, b);

	buf_printf(b, "<h2>Rules</h2>\n<table id=\"rules\"><tr><th>rule</th>"
	    "<th>category</th><th>severity</th><th>count</th>%s</tr>\n",
	    base ? "<th>change</th>" : "");
	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];
		const struct report_rule *br = report_find_rule(base, ru->id);

		if (!report_rule_shown(r, ru))
			continue;
		rule_row(b, ru, ru->count);
		if (base != NULL)
			change_cell(b, br ? (double)br->count : 0, (double)ru->count);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	if ((n = report_rules_unchanged(r)) > 0)
		buf_printf(b, "<p id=\"rules-unchanged\">%zu rule%s unchanged.</p>\n",
		    n, n == 1 ? "" : "s");
	buf_puts(b, "<h2>Incidents</h2>\n");
	if (base != NULL) {
		struct buf rows;

		buf_init(&rows);
		incident_change(&rows, r, "storms", "storm");
		incident_change(&rows, r, "unresolved", "unresolved");
		if (rows.len > 0)
			buf_printf(b, "<table>%s</table>\n", rows.data);
		buf_free(&rows);
	}
	if (r->nincidents == 0)
		buf_puts(b, "<p id=\"incidents\">None.</p>\n");
	else
		buf_printf(b, "<table id=\"incidents\"><tr><th>kind</th><th>rule</th>"
		    "<th>source</th>%s<th>key</th><th>start</th><th>duration</th>"
		    "<th>count</th><th>peak/min</th></tr>\n",
		    r->show_all ? "" : "<th>incidents</th>");
	if (r->show_all)
		for (i = 0; i < r->nincidents; i++)
			incident_row(b, &r->incidents[i], 0);
	for (i = 0; !r->show_all && i < r->nincident_groups; i++) {
		const struct report_incident_group *g = &r->incident_groups[i];

		if (g->nmembers == 1) {
			incident_row(b, &r->incidents[g->members[0]], 1);
			continue;
		}
		buf_puts(b, "<tr class=\"incident-group\"><td>");
		h(b, g->kind);
		buf_puts(b, "</td><td>");
		h(b, g->rule);
		buf_puts(b, "</td><td>");
		h(b, g->source);
		buf_printf(b, "</td><td class=\"n\">\u00d7%zu</td><td>", g->nmembers);
		for (j = 0; j < g->nmembers && j < REPORT_INCIDENTS_NAMED; j++) {
			if (j > 0)
				buf_puts(b, ", ");
			h(b, r->incidents[g->members[j]].key);
		}
		if (g->nmembers > REPORT_INCIDENTS_NAMED)
			buf_puts(b, ", \u2026");
		buf_puts(b, "</td><td>");
		iso(b, g->start);
		buf_puts(b, "</td><td>");
		util_format_duration(b, (double)(g->end - g->start), 0);
		buf_printf(b, "</td><td class=\"n\">%ju</td><td></td></tr>\n",
		    (uintmax_t)g->events);
	}
	if (r->nincidents > 0)
		buf_puts(b, "</table>\n");

	for (i = 0; i < r->nmetrics; i++) {
		if (r->metrics[i].ngroups == 0 && !r->show_all)
			continue;
		metric(b, &r->metrics[i], base, "Metric", r->show_all);
	}
	for (i = n = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];

		if (!r->show_all && l->linked + l->unlinked == 0)
			continue;
		if (n++ == 0)
			buf_puts(b, "<h2>Links</h2>\n<ul id=\"links\">\n");
		buf_reset(&line);
		report_link_text(l, &line);
		buf_puts(b, "<li>");
		h(b, line.data);
		buf_puts(b, "</li>\n");
	}
	buf_free(&line);
	if (n > 0)
		buf_puts(b, "</ul>\n");
	if (r->untimed != NULL)
		untimed(b, r);
	buf_puts(b, "</body></html>\n");
}
