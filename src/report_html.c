/*
 * report_html.c - the report as one self-contained HTML file: inline CSS
 * and inline SVG charts (events per hour by category, latency percentiles
 * per group, a storm timeline) and the findings.  No script, nothing
 * fetched.  Every string from a log goes through util_escape_html.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "severity.h"

static const char *palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

static void
h(struct buf *b, const char *s)
{
	util_escape_html(b, s, strlen(s));
}

static void
iso(struct buf *b, int64_t ms)
{
	char t[32];

	if (ms == TS_NONE) {
		buf_puts(b, "-");
		return;
	}
	util_format_iso(ms, t, sizeof(t));
	buf_puts(b, t);
}

/* Distinct categories of the hourly buckets, in first-seen order. */
static size_t
categories(const struct report *r, const char **cats, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->nhourly; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(cats[j], r->hourly[i].category) == 0)
				break;
		if (j == n && n < max)
			cats[n++] = r->hourly[i].category;
	}
	return n;
}

static void
chart_hourly(const struct report *r, struct buf *b)
{
	const char *cats[UTIL_ARRAY_LEN(palette)];
	size_t ncat = categories(r, cats, UTIL_ARRAY_LEN(palette)), i, j;
	int64_t first, last, nh;
	uint64_t peak = 1, *tot;
	double bw;

	buf_puts(b, "<h2>Events per hour by category</h2>\n");
	if (r->nhourly == 0) {
		buf_puts(b, "<p>No events.</p>\n");
		return;
	}
	first = r->hourly[0].start;
	last = r->hourly[r->nhourly - 1].start;
	nh = (last - first) / 3600000 + 1;
	tot = xcalloc((size_t)nh, sizeof(*tot));
	for (i = 0; i < r->nhourly; i++) {
		size_t k = (size_t)((r->hourly[i].start - first) / 3600000);

		tot[k] += r->hourly[i].n;
		if (tot[k] > peak)
			peak = tot[k];
	}
	bw = 1000.0 / (double)nh;
	buf_printf(b, "<svg id=\"chart-hourly\" class=\"chart\" viewBox=\"0 0 1100 260\""
	    " width=\"1100\" height=\"260\" xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\" aria-label=\"events per hour by category\">\n"
	    "<text x=\"0\" y=\"14\" class=\"axis\">%ju/h</text>\n"
	    "<line x1=\"60\" y1=\"220\" x2=\"1060\" y2=\"220\" class=\"axisline\"/>\n",
	    (uintmax_t)peak);
	memset(tot, 0, (size_t)nh * sizeof(*tot));
	for (i = 0; i < r->nhourly; i++) {
		const struct report_bucket *bk = &r->hourly[i];
		size_t k = (size_t)((bk->start - first) / 3600000);
		double y0 = 220 - 200.0 * (double)tot[k] / (double)peak;
		double hgt = 200.0 * (double)bk->n / (double)peak;

		for (j = 0; j < ncat; j++)
			if (strcmp(cats[j], bk->category) == 0)
				break;
		tot[k] += bk->n;
		buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
		    " height=\"%.1f\" fill=\"%s\"><title>", 60 + bw * (double)k,
		    y0 - hgt, bw > 2 ? bw - 1 : bw, hgt,
		    palette[j < ncat ? j : UTIL_ARRAY_LEN(palette) - 1]);
		iso(b, bk->start);
		buf_puts(b, " ");
		h(b, bk->category);
		buf_printf(b, ": %ju</title></rect>\n", (uintmax_t)bk->n);
	}
	buf_puts(b, "<text x=\"60\" y=\"238\" class=\"axis\">");
	iso(b, first);
	buf_puts(b, "</text><text x=\"1060\" y=\"238\" class=\"axis\" text-anchor=\"end\">");
	iso(b, last);
	buf_puts(b, "</text>\n");
	for (j = 0; j < ncat; j++) {
		buf_printf(b, "<rect x=\"%zu\" y=\"246\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		    "<text x=\"%zu\" y=\"256\" class=\"legend\">", 60 + j * 140,
		    palette[j], 74 + j * 140);
		h(b, cats[j]);
		buf_puts(b, "</text>\n");
	}
	buf_puts(b, "</svg>\n");
	free(tot);
}

static void
chart_latency(const struct report *r, struct buf *b)
{
	size_t i, j, rows = 0, row = 0;
	double max = 1;
	const char *names[] = { "p50", "p95", "p99" };
	struct buf q;

	for (i = 0; i < r->nmetrics; i++)
		for (j = 0; j < r->metrics[i].ngroups; j++) {
			rows++;
			if (r->metrics[i].groups[j].p99 > max)
				max = r->metrics[i].groups[j].p99;
		}
	buf_puts(b, "<h2>Latency percentiles</h2>\n");
	if (rows == 0) {
		buf_puts(b, "<p>No metric values.</p>\n");
		return;
	}
	buf_printf(b, "<svg id=\"chart-latency\" class=\"chart\" viewBox=\"0 0 1100 %zu\""
	    " width=\"1100\" height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\" aria-label=\"latency percentiles per group\">\n",
	    rows * 60 + 30, rows * 60 + 30);
	buf_init(&q);
	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		for (j = 0; j < m->ngroups; j++, row++) {
			const struct report_metric_group *g = &m->groups[j];
			double pv[3];
			size_t k, y = row * 60 + 10;

			pv[0] = g->p50;
			pv[1] = g->p95;
			pv[2] = g->p99;
			buf_printf(b, "<text x=\"0\" y=\"%zu\" class=\"label\">", y + 26);
			h(b, *g->value ? g->value : m->rule);
			buf_puts(b, "</text>\n");
			for (k = 0; k < 3; k++) {
				double w = 800.0 * pv[k] / max;

				buf_reset(&q);
				util_format_quantity(&q, pv[k], m->unit);
				buf_printf(b, "<rect class=\"bar\" x=\"220\" y=\"%zu\" width=\"%.1f\""
				    " height=\"14\" fill=\"%s\"><title>%s %s</title></rect>"
				    "<text x=\"%.1f\" y=\"%zu\" class=\"value\">%s %s</text>\n",
				    y + k * 16, w < 1 ? 1 : w, palette[k], names[k], q.data,
				    226 + (w < 1 ? 1 : w), y + k * 16 + 12, names[k], q.data);
			}
		}
	}
	buf_free(&q);
	buf_puts(b, "</svg>\n");
}

static void
chart_storms(const struct report *r, struct buf *b)
{
	size_t i, n = report_count_incidents(r, "storm", NULL), row = 0;
	double span;

	buf_puts(b, "<h2>Storm timeline</h2>\n");
	if (n == 0 || r->since == TS_NONE || r->until == TS_NONE ||
	    r->until <= r->since) {
		buf_puts(b, "<p>No storms.</p>\n");
		return;
	}
	span = (double)(r->until - r->since);
	buf_printf(b, "<svg id=\"chart-storms\" class=\"chart\" viewBox=\"0 0 1100 %zu\""
	    " width=\"1100\" height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\" aria-label=\"storm timeline\">\n"
	    "<line x1=\"220\" y1=\"%zu\" x2=\"1060\" y2=\"%zu\" class=\"axisline\"/>\n",
	    n * 24 + 40, n * 24 + 40, n * 24 + 8, n * 24 + 8);
	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];
		double x, w;

		if (strcmp(in->kind, "storm") != 0)
			continue;
		x = 220 + 840.0 * (double)(in->start - r->since) / span;
		w = 840.0 * (double)(in->end - in->start) / span;
		if (x < 220)
			x = 220;
		if (w < 3)
			w = 3;
		buf_printf(b, "<text x=\"0\" y=\"%zu\" class=\"label\">", row * 24 + 18);
		h(b, *in->key ? in->key : in->rule);
		buf_printf(b, "</text><rect class=\"storm\" x=\"%.1f\" y=\"%zu\" width=\"%.1f\""
		    " height=\"16\" fill=\"#e15759\"><title>", x, row * 24 + 5, w);
		h(b, in->rule);
		buf_puts(b, " ");
		h(b, in->key);
		buf_printf(b, ": %ju events, peak %jd/min</title></rect>\n",
		    (uintmax_t)in->count, (intmax_t)in->peak_per_min);
		row++;
	}
	buf_printf(b, "<text x=\"220\" y=\"%zu\" class=\"axis\">", n * 24 + 24);
	iso(b, r->since);
	buf_printf(b, "</text><text x=\"1060\" y=\"%zu\" class=\"axis\""
	    " text-anchor=\"end\">", n * 24 + 24);
	iso(b, r->until);
	buf_puts(b, "</text>\n</svg>\n");
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

void
report_render_html(const struct report *r, struct buf *b)
{
	const struct report *base = r->baseline;
	struct buf line;
	size_t i, j;

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
	    ".label{font-size:12px;fill:#222}.axisline{stroke:#888}\n"
	    "</style></head><body>\n<h1>logtriage report</h1>\n<p id=\"window\">");
	report_window_text(r->since, r->until, b);
	if (base != NULL) {
		buf_puts(b, "<br>baseline ");
		report_window_text(base->since, base->until, b);
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

	buf_puts(b, "<h2>Findings</h2>\n<ul id=\"findings\">\n");
	for (i = 0; i < r->nfindings; i++) {
		const char *sn = severity_name(r->findings[i].severity);

		buf_printf(b, "<li class=\"finding\"><span class=\"sev-%s\">%s</span> ", sn, sn);
		h(b, r->findings[i].text);
		buf_puts(b, "</li>\n");
	}
	if (r->nfindings == 0)
		buf_puts(b, "<li>None.</li>\n");
	buf_puts(b, "</ul>\n");

	if (r->nerrors > 0)
		buf_puts(b, "<h2>Errors no rule was written for</h2>\n<table id=\"errors\">"
		    "<tr><th>severity</th><th>count</th><th>logger</th><th>template</th>"
		    "<th>first</th><th>last</th><th>sources</th></tr>\n");
	for (i = 0; i < r->nerrors; i++) {
		const struct report_error_group *g = &r->errors[i];
		char first[32], last[32];

		util_format_iso(g->first, first, sizeof(first));
		util_format_iso(g->last, last, sizeof(last));
		buf_printf(b, "<tr><td>%s</td><td class=\"n\">%ju</td><td>",
		    severity_name(g->severity), (uintmax_t)g->count);
		h(b, g->logger);
		buf_puts(b, "</td><td>");
		h(b, g->template);
		buf_printf(b, "</td><td>%s</td><td>%s</td><td>", first, last);
		h(b, g->sources);
		buf_puts(b, "</td></tr>\n");
	}
	if (r->nerrors > 0)
		buf_puts(b, "</table>\n");

	chart_hourly(r, b);
	chart_latency(r, b);
	chart_storms(r, b);

	buf_printf(b, "<h2>Rules</h2>\n<table id=\"rules\"><tr><th>rule</th>"
	    "<th>category</th><th>severity</th><th>count</th>%s</tr>\n",
	    base ? "<th>change</th>" : "");
	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];
		const struct report_rule *br = report_find_rule(base, ru->id);

		buf_puts(b, "<tr><td>");
		h(b, ru->id);
		buf_puts(b, "</td><td>");
		h(b, ru->category);
		buf_printf(b, "</td><td>%s</td><td class=\"n\">%ju</td>",
		    severity_name(ru->severity), (uintmax_t)ru->count);
		if (base != NULL)
			change_cell(b, br ? (double)br->count : 0, (double)ru->count);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n<h2>Incidents</h2>\n");
	if (base != NULL) {
		buf_puts(b, "<table><tr><th>storms</th>");
		change_cell(b, (double)report_count_incidents(base, "storm", NULL),
		    (double)report_count_incidents(r, "storm", NULL));
		buf_puts(b, "</tr><tr><th>unresolved</th>");
		change_cell(b, (double)report_count_incidents(base, "unresolved", NULL),
		    (double)report_count_incidents(r, "unresolved", NULL));
		buf_puts(b, "</tr></table>\n");
	}
	buf_puts(b, "<table id=\"incidents\"><tr><th>kind</th><th>rule</th><th>source</th>"
	    "<th>key</th><th>start</th><th>duration</th><th>count</th><th>peak/min</th></tr>\n");
	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];

		buf_puts(b, "<tr><td>");
		h(b, in->kind);
		buf_puts(b, "</td><td>");
		h(b, in->rule);
		buf_puts(b, "</td><td>");
		h(b, in->source);
		buf_puts(b, "</td><td>");
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
	buf_puts(b, "</table>\n");

	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		if (m->ngroups == 0)
			continue;
		buf_puts(b, "<h2>Metric: ");
		h(b, m->rule);
		if (m->unit != NULL) {
			buf_puts(b, " (unit ");
			h(b, m->unit);
			buf_putc(b, ')');
		}
		buf_printf(b, "</h2>\n<table class=\"metric\"><tr><th>group</th><th>count</th>"
		    "<th>mean</th><th>p50</th><th>p95</th><th>p99</th><th>max</th>%s</tr>\n",
		    base ? "<th>mean change</th><th>p95 change</th>" : "");
		for (j = 0; j < m->ngroups; j++) {
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
	}
	if (r->nlinks > 0)
		buf_puts(b, "<h2>Links</h2>\n<ul id=\"links\">\n");
	for (i = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];

		buf_reset(&line);
		report_link_text(l, &line);
		buf_puts(b, "<li>");
		h(b, line.data);
		buf_puts(b, "</li>\n");
	}
	buf_free(&line);
	if (r->nlinks > 0)
		buf_puts(b, "</ul>\n");
	buf_puts(b, "</body></html>\n");
}
