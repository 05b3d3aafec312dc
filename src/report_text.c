/*
 * report_text.c - the report for a terminal.  Every string that came from
 * a log (keys, sources, group values, finding text) passes through
 * util_escape_terminal; colour is the caller's decision (a tty without
 * NO_COLOR), made once in cmd_report.
 */
#include <string.h>

#include "report.h"
#include "severity.h"

#define C_RESET	"\033[0m"
#define C_BOLD	"\033[1m"

static const char *
sev_color(int sev)
{
	if (sev >= SEV_ERROR)
		return "\033[31m";
	if (sev == SEV_WARNING)
		return "\033[33m";
	return "\033[36m";
}

static void
esc(struct buf *b, const char *s)
{
	util_escape_terminal(b, s, strlen(s), 0);
}

/* s escaped and padded to width columns (counting bytes of ASCII text). */
static void
pad(struct buf *b, const char *s, int width)
{
	size_t before = b->len;

	esc(b, s);
	while ((int)(b->len - before) < width)
		buf_putc(b, ' ');
}

static void
heading(struct buf *b, const char *title, int color)
{
	buf_printf(b, "\n%s%s%s\n", color ? C_BOLD : "", title, color ? C_RESET : "");
}

static void
change(struct buf *b, double before, double after, int decimals)
{
	buf_puts(b, "  ");
	report_format_change(b, before, after, decimals);
}

/* A metric value in its unit, right-aligned in a column of 11. */
static void
cell(struct buf *b, double v, const char *unit)
{
	size_t at, n;

	/* " %10s" of the cell, written in place: a row per model */
	buf_putc(b, ' ');
	at = b->len;
	report_format_cell(b, v, unit);
	if ((n = b->len - at) < 10) {
		buf_reserve(b, 10 - n);
		memmove(b->data + at + 10 - n, b->data + at, n + 1);
		memset(b->data + at, ' ', 10 - n);
		b->len += 10 - n;
	}
}

/* " %8ju" without printf. */
static void
count8(struct buf *b, uintmax_t v)
{
	char tmp[32], *e = tmp + sizeof(tmp);

	*--e = '\0';
	do
		*--e = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (e > tmp + sizeof(tmp) - 9)
		*--e = ' ';
	*--e = ' ';
	buf_puts(b, e);
}

/* One incident: kind, rule, source, key, start, duration, events, peak. */
static void
incident_line(struct buf *b, const struct tz *tz,
    const struct report_incident *in)
{
	char t1[32];

	tz_format_iso(tz, in->start, t1, sizeof(t1));
	buf_printf(b, "  %-10s ", in->kind);
	pad(b, in->rule, 24);
	buf_putc(b, ' ');
	pad(b, in->source, 16);
	buf_putc(b, ' ');
	pad(b, *in->key ? in->key : "-", 16);
	buf_printf(b, " %s ", t1);
	util_format_duration(b, (double)(in->end - in->start), 0);
	buf_printf(b, " %ju events", (uintmax_t)in->count);
	if (in->peak_per_min >= 0)
		buf_printf(b, ", peak %jd/min", (intmax_t)in->peak_per_min);
	buf_putc(b, '\n');
}

/* "  storms:  1 → 2 (+1, +100%)" of a comparison, when the number changed. */
static void
incident_change(struct buf *b, const struct report *r, const char *label,
    const char *kind)
{
	uint64_t before, after;

	if (r->baseline == NULL)
		return;
	before = report_count_incidents(r->baseline, kind, NULL);
	after = report_count_incidents(r, kind, NULL);
	if (before == after && !r->show_all)
		return;
	buf_printf(b, "  %s:", label);
	change(b, (double)before, (double)after, 0);
	buf_putc(b, '\n');
}

/* The findings of f[0..n), "none" without any. */
static void
findings(struct buf *b, const struct report_finding *f, size_t n, int color)
{
	size_t i;

	if (n == 0)
		buf_puts(b, "  none\n");
	for (i = 0; i < n; i++) {
		buf_printf(b, "  %s%-8s%s ", color ? sev_color(f[i].severity) : "",
		    severity_name(f[i].severity), color ? C_RESET : "");
		esc(b, f[i].text);
		buf_putc(b, '\n');
	}
}

/*
 * The error templates v[0..n) under their heading (none without any):
 * the window's with their first and last time, the untimed ones (whose
 * first is TS_NONE) with a sample record.
 */
static void
errors(struct buf *b, const struct report *r,
    const struct report_error_group *v, size_t n, int color)
{
	struct buf line;
	char first[32], last[32];
	size_t i;

	if (n == 0)
		return;
	heading(b, v[0].first == TS_NONE ?
	    "Untimed errors no rule was written for (by template)" :
	    "Errors no rule was written for (by template)", color);
	buf_init(&line);
	for (i = 0; i < n && i < REPORT_ERRORS_SHOWN; i++) {
		const struct report_error_group *g = &v[i];

		buf_printf(b, "  %-8s %6ju \u00d7 ", severity_name(g->severity),
		    (uintmax_t)g->count);
		if (*g->logger) {
			esc(b, g->logger);
			buf_puts(b, ": ");
		}
		esc(b, g->template);
		if (g->first != TS_NONE) {
			tz_format_iso(r->query.tz, g->first, first, sizeof(first));
			tz_format_iso(r->query.tz, g->last, last, sizeof(last));
			buf_printf(b, "\n           first %s, last %s, on ", first,
			    last);
		} else
			buf_puts(b, "\n           on ");
		esc(b, report_group_sources(r, g));
		buf_putc(b, '\n');
		if (g->nparts > 0) {
			buf_reset(&line);
			report_parts_text(g, " | ", &line);
			buf_puts(b, "           parts: ");
			esc(b, line.data);
			buf_putc(b, '\n');
		}
		if (g->sample != NULL) {
			buf_reset(&line);
			report_sample_text(g, &line);
			buf_puts(b, "           e.g. ");
			esc(b, line.data);
			buf_putc(b, '\n');
		}
	}
	buf_reset(&line);
	report_errors_more(v, n, &line);
	if (line.len > 0) {
		buf_puts(b, "  ");
		esc(b, line.data);
		buf_putc(b, '\n');
	}
	buf_free(&line);
}

/*
 * The table of metric m under "TITLE: rule (field by by, unit u)", with
 * each group's change from base (NULL: none).
 */
static void
metric(struct buf *b, const struct report_metric *m, const struct report *base,
    const char *title, int all, int color)
{
	struct buf h;
	size_t j, shown = report_groups_shown(m, all);
	int gw;

	buf_init(&h);
	buf_printf(&h, "%s: %s (%s", title, m->rule, m->field);
	if (m->by != NULL)
		buf_printf(&h, " by %s", m->by);
	if (m->unit != NULL)
		buf_printf(&h, ", unit %s", m->unit);
	buf_putc(&h, ')');
	heading(b, h.data, color);
	/* the group column as wide as its longest name, up to 60 */
	gw = 28;
	for (j = 0; j < shown; j++) {
		buf_reset(&h);
		esc(&h, m->groups[j].value);
		if ((int)h.len > gw)
			gw = h.len < 60 ? (int)h.len : 60;
	}
	buf_free(&h);
	buf_printf(b, "  %-*s %8s %10s %10s %10s %10s %10s\n", gw, "group",
	    "count", "mean", "p50", "p95", "p99", "max");
	if (m->ngroups == 0)
		buf_puts(b, "  no values\n");
	for (j = 0; j < shown; j++) {
		const struct report_metric_group *g = &m->groups[j];
		const struct report_metric_group *bg =
		    report_find_group(base, m->rule, g->value);

		buf_puts(b, "  ");
		pad(b, *g->value ? g->value : "-", gw);
		count8(b, (uintmax_t)g->count);
		cell(b, g->mean, m->unit);
		cell(b, g->p50, m->unit);
		cell(b, g->p95, m->unit);
		cell(b, g->p99, m->unit);
		cell(b, g->max, m->unit);
		buf_putc(b, '\n');
		if (bg != NULL) {
			buf_puts(b, "    mean");
			buf_puts(b, "  ");
			report_format_metric_change(b, bg->mean, g->mean,
			    m->unit);
			buf_puts(b, "\n    p95 ");
			buf_puts(b, "  ");
			report_format_metric_change(b, bg->p95, g->p95,
			    m->unit);
			buf_putc(b, '\n');
		}
	}
	if (shown < m->ngroups) {
		buf_puts(b, "  ");
		report_groups_more(m, all, b);
		buf_putc(b, '\n');
	}
}

/* A row of a rules table, up to its count: the window's or the untimed one's. */
static void
rule_row(struct buf *b, const struct report_rule *ru, uint64_t count)
{
	buf_puts(b, "  ");
	pad(b, ru->id, 28);
	buf_putc(b, ' ');
	pad(b, ru->category, 10);
	buf_printf(b, " %-8s %8ju", severity_name(ru->severity),
	    (uintmax_t)count);
}

/*
 * The untimed events (their input had no time): what of them needs none,
 * each heading saying so.  No window holds them, so no baseline compares.
 */
static void
untimed(struct buf *b, const struct report *r, int color)
{
	const struct report_untimed *u = r->untimed;
	size_t i;

	heading(b, REPORT_UNTIMED_TITLE, color);
	buf_printf(b, "  %ju events: logtriage events --untimed lists them\n",
	    (uintmax_t)u->events);
	heading(b, "Untimed findings", color);
	findings(b, u->findings, u->nfindings, color);
	errors(b, r, u->errors, u->nerrors, color);
	heading(b, "Untimed rules", color);
	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];

		if (ru->untimed == 0)
			continue;
		rule_row(b, ru, ru->untimed);
		buf_putc(b, '\n');
	}
	for (i = 0; i < u->nmetrics; i++)
		metric(b, &u->metrics[i], NULL, "Untimed metric", r->show_all,
		    color);
}

void
report_render_text(const struct report *r, struct buf *b, int color)
{
	const struct report *base = r->baseline;
	char t1[32];
	struct buf line;
	size_t i, j, n;

	buf_init(&line);
	if (report_untimed_only(r)) {
		/* the empty window's parts would say nothing */
		buf_printf(b, "%slogtriage report%s: ", color ? C_BOLD : "",
		    color ? C_RESET : "");
		report_untimed_head(r, b);
		report_sources_text(r, &line);
		buf_puts(b, "\nsources: ");
		esc(b, line.data);
		buf_putc(b, '\n');
		buf_free(&line);
		untimed(b, r, color);
		return;
	}
	buf_printf(b, "%slogtriage report%s ", color ? C_BOLD : "",
	    color ? C_RESET : "");
	report_window_text(r->query.tz, r->since, r->until, b);
	if (base != NULL) {
		buf_puts(b, "\nbaseline ");
		report_window_text(r->query.tz, base->since, base->until, b);
	}
	report_sources_text(r, &line);
	buf_puts(b, "\nsources: ");
	esc(b, line.data);
	buf_puts(b, "\ninput: ");
	report_input_text(r, b);
	buf_putc(b, '\n');

	heading(b, "Findings", color);
	findings(b, r->findings, r->nfindings, color);
	errors(b, r, r->errors, r->nerrors, color);

	heading(b, "Rules", color);
	for (i = j = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];
		const struct report_rule *br = report_find_rule(base, ru->id);

		if (!report_rule_shown(r, ru))
			continue;
		j++;
		rule_row(b, ru, ru->count);
		if (base != NULL)
			change(b, br != NULL ? (double)br->count : 0, (double)ru->count, 0);
		buf_putc(b, '\n');
	}
	if (j == 0 && base == NULL)
		buf_puts(b, "  none with events\n");
	if ((n = report_rules_unchanged(r)) > 0)
		buf_printf(b, "  %zu rule%s unchanged\n", n, n == 1 ? "" : "s");

	heading(b, "Incidents", color);
	incident_change(b, r, "storms", "storm");
	incident_change(b, r, "unresolved", "unresolved");
	if (r->nincidents == 0)
		buf_puts(b, "  none\n");
	if (r->show_all)
		for (i = 0; i < r->nincidents; i++)
			incident_line(b, r->query.tz, &r->incidents[i]);
	for (i = 0; !r->show_all && i < r->nincident_groups; i++) {
		const struct report_incident_group *g = &r->incident_groups[i];

		if (g->nmembers == 1) {
			incident_line(b, r->query.tz,
			    &r->incidents[g->members[0]]);
			continue;
		}
		tz_format_iso(r->query.tz, g->start, t1, sizeof(t1));
		buf_printf(b, "  %-10s ", g->kind);
		pad(b, g->rule, 24);
		buf_putc(b, ' ');
		pad(b, g->source, 16);
		buf_printf(b, " \u00d7%-15zu %s ", g->nmembers, t1);
		util_format_duration(b, (double)(g->end - g->start), 0);
		buf_printf(b, " %ju events; first:", (uintmax_t)g->events);
		for (j = 0; j < g->nmembers && j < REPORT_INCIDENTS_NAMED; j++) {
			const struct report_incident *in = &r->incidents[g->members[j]];

			buf_puts(b, j > 0 ? ", " : " ");
			esc(b, *in->key ? in->key : "-");
		}
		if (g->nmembers > REPORT_INCIDENTS_NAMED)
			buf_puts(b, ", \u2026");
		buf_putc(b, '\n');
	}

	for (i = 0; i < r->nmetrics; i++) {
		/* a rule whose lines the window does not hold: no empty table */
		if (r->metrics[i].ngroups == 0 && !r->show_all)
			continue;
		metric(b, &r->metrics[i], base, "Metric", r->show_all, color);
	}

	for (i = j = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];

		if (!r->show_all && l->linked + l->unlinked == 0)
			continue;
		if (j++ == 0)
			heading(b, "Links", color);
		buf_reset(&line);
		report_link_text(l, &line);
		buf_puts(b, "  ");
		esc(b, line.data);
		buf_putc(b, '\n');
	}
	buf_free(&line);
	if (r->untimed != NULL)
		untimed(b, r, color);
}
