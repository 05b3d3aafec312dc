/*
 * report_markdown.c - the report as GitHub-flavoured markdown, for mail and
 * issue trackers.  Strings from logs are made terminal-safe first (a mail
 * client may show the raw text) and then have markdown's syntax characters
 * backslash-escaped, so a key cannot open a link or break a table.
 */
#include <string.h>

#include "report.h"
#include "severity.h"

static void
md(struct buf *b, const char *s)
{
	struct buf t;
	size_t i;

	buf_init(&t);
	util_escape_terminal(&t, s, strlen(s), 0);
	for (i = 0; i < t.len; i++) {
		if (strchr("\\`*_[]<>|#", t.data[i]) != NULL)
			buf_putc(b, '\\');
		buf_putc(b, t.data[i]);
	}
	buf_free(&t);
}

static void
md_or_dash(struct buf *b, const char *s)
{
	md(b, *s ? s : "-");
}

/* " | 820 ms": a metric value in its unit, as a table cell. */
static void
cell(struct buf *b, double v, const char *unit)
{
	buf_puts(b, " | ");
	report_format_cell(b, v, unit);
}

/* One incident as a table row; grouped: with an incidents column of 1. */
static void
incident_row(struct buf *b, const struct tz *tz,
    const struct report_incident *in, int grouped)
{
	char t1[32];

	tz_format_iso(tz, in->start, t1, sizeof(t1));
	buf_printf(b, "| %s | ", in->kind);
	md(b, in->rule);
	buf_puts(b, " | ");
	md(b, in->source);
	buf_puts(b, grouped ? " | 1 | " : " | ");
	md_or_dash(b, in->key);
	buf_printf(b, " | %s | ", t1);
	util_format_duration(b, (double)(in->end - in->start), 0);
	buf_printf(b, " | %ju | ", (uintmax_t)in->count);
	if (in->peak_per_min >= 0)
		buf_printf(b, "%jd |\n", (intmax_t)in->peak_per_min);
	else
		buf_puts(b, "- |\n");
}

/* "- storms: 1 → 2 (+1, +100%)" of a comparison when it changed; 1 if written. */
static int
incident_change(struct buf *b, const struct report *r, const char *label,
    const char *kind)
{
	uint64_t before, after;

	if (r->baseline == NULL)
		return 0;
	before = report_count_incidents(r->baseline, kind, NULL);
	after = report_count_incidents(r, kind, NULL);
	if (before == after && !r->show_all)
		return 0;
	buf_printf(b, "- %s: ", label);
	report_format_change(b, (double)before, (double)after, 0);
	buf_putc(b, '\n');
	return 1;
}

/* The findings of f[0..n), "None." without any. */
static void
findings(struct buf *b, const struct report_finding *f, size_t n)
{
	size_t i;

	if (n == 0)
		buf_puts(b, "None.\n");
	for (i = 0; i < n; i++) {
		buf_printf(b, "- **%s**: ", severity_name(f[i].severity));
		md(b, f[i].text);
		buf_putc(b, '\n');
	}
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
	buf_printf(b, "\n## %srrors no rule was written for\n\n| severity"
	    " | count | logger | template | %s | sources |\n"
	    "|---|--:|---|---|---|%s---|\n", untimed ? "Untimed e" : "E",
	    untimed ? "sample" : "first | last", untimed ? "" : "---|");
	buf_init(&line);
	for (i = 0; i < n && i < REPORT_ERRORS_SHOWN; i++) {
		const struct report_error_group *g = &v[i];
		char first[32], last[32];

		buf_printf(b, "| %s | %ju | ", severity_name(g->severity),
		    (uintmax_t)g->count);
		md(b, g->logger);
		buf_puts(b, " | ");
		md(b, g->template);
		if (g->nparts > 0) {
			buf_reset(&line);
			report_parts_text(g, "; ", &line);
			buf_puts(b, " (parts: ");
			md(b, line.data);
			buf_putc(b, ')');
		}
		if (untimed) {
			buf_reset(&line);
			report_sample_text(g, &line);
			buf_puts(b, " | ");
			md(b, line.data);
			buf_puts(b, " | ");
		} else {
			tz_format_iso(r->query.tz, g->first, first, sizeof(first));
			tz_format_iso(r->query.tz, g->last, last, sizeof(last));
			buf_printf(b, " | %s | %s | ", first, last);
		}
		md(b, report_group_sources(r, g));
		buf_puts(b, " |\n");
	}
	buf_reset(&line);
	report_errors_more(v, n, &line);
	if (line.len > 0) {
		buf_putc(b, '\n');
		md(b, line.data);
		buf_putc(b, '\n');
	}
	buf_free(&line);
}

/*
 * The table of metric m under "## TITLE: rule (field by by, unit u)", or
 * "No values." under it; 1 for the latter, which no comparison follows.
 */
static int
metric(struct buf *b, const struct report_metric *m, const char *title,
    int all)
{
	size_t j, shown = report_groups_shown(m, all);

	buf_printf(b, "\n## %s: ", title);
	md(b, m->rule);
	buf_puts(b, " (");
	md(b, m->field);
	if (m->by != NULL) {
		buf_puts(b, " by ");
		md(b, m->by);
	}
	if (m->unit != NULL) {
		buf_puts(b, ", unit ");
		md(b, m->unit);
	}
	if (m->ngroups == 0) {
		buf_puts(b, ")\n\nNo values.\n");
		return 1;
	}
	buf_puts(b, ")\n\n| group | count | mean | p50 | p95 | p99 | max |\n"
	    "|---|--:|--:|--:|--:|--:|--:|\n");
	for (j = 0; j < shown; j++) {
		const struct report_metric_group *g = &m->groups[j];

		buf_puts(b, "| ");
		md_or_dash(b, g->value);
		buf_printf(b, " | %ju", (uintmax_t)g->count);
		cell(b, g->mean, m->unit);
		cell(b, g->p50, m->unit);
		cell(b, g->p95, m->unit);
		cell(b, g->p99, m->unit);
		cell(b, g->max, m->unit);
		buf_puts(b, " |\n");
	}
	if (shown < m->ngroups) {
		buf_puts(b, "\n");
		report_groups_more(m, all, b);
		buf_puts(b, "\n");
	}
	return 0;
}

/* A row of a rules table, up to its count: the window's or the untimed one's. */
static void
rule_row(struct buf *b, const struct report_rule *ru, uint64_t count)
{
	buf_puts(b, "| ");
	md(b, ru->id);
	buf_puts(b, " | ");
	md(b, ru->category);
	buf_printf(b, " | %s | %ju |", severity_name(ru->severity),
	    (uintmax_t)count);
}

/*
 * The untimed events (their input had no time): what of them needs none,
 * each heading saying so.  No window holds them, so no baseline compares.
 */
static void
untimed(struct buf *b, const struct report *r)
{
	const struct report_untimed *u = r->untimed;
	size_t i, n;

	buf_printf(b, "\n## " REPORT_UNTIMED_TITLE "\n\n%ju events:"
	    " `logtriage events --untimed` lists them.\n\n## Untimed"
	    " findings\n\n", (uintmax_t)u->events);
	findings(b, u->findings, u->nfindings);
	errors(b, r, u->errors, u->nerrors);
	buf_puts(b, "\n## Untimed rules\n\n");
	for (i = n = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];

		if (ru->untimed == 0)
			continue;
		if (n++ == 0)
			buf_puts(b, "| rule | category | severity | count |\n"
			    "|---|---|---|--:|\n");
		rule_row(b, ru, ru->untimed);
		buf_putc(b, '\n');
	}
	for (i = 0; i < u->nmetrics; i++)
		metric(b, &u->metrics[i], "Untimed metric", r->show_all);
}

void
report_render_markdown(const struct report *r, struct buf *b)
{
	const struct report *base = r->baseline;
	char t1[32];
	struct buf line;
	size_t i, j, n;

	buf_init(&line);
	if (report_untimed_only(r)) {
		/* the empty window's parts would say nothing */
		buf_puts(b, "# logtriage report\n\n- ");
		report_untimed_head(r, b);
		report_sources_text(r, &line);
		buf_puts(b, "\n- sources: ");
		md(b, line.data);
		buf_putc(b, '\n');
		buf_free(&line);
		untimed(b, r);
		return;
	}
	buf_puts(b, "# logtriage report\n\n- window: ");
	report_window_text(r->query.tz, r->since, r->until, b);
	if (base != NULL) {
		buf_puts(b, "\n- baseline: ");
		report_window_text(r->query.tz, base->since, base->until, b);
	}
	report_sources_text(r, &line);
	buf_puts(b, "\n- sources: ");
	md(b, line.data);
	buf_puts(b, "\n- input: ");
	report_input_text(r, b);
	buf_putc(b, '\n');

	buf_puts(b, "\n## Findings\n\n");
	findings(b, r->findings, r->nfindings);
	errors(b, r, r->errors, r->nerrors);

	buf_puts(b, "\n## Rules\n\n");
	for (i = n = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];
		const struct report_rule *br = report_find_rule(base, ru->id);

		if (!report_rule_shown(r, ru))
			continue;
		if (n++ == 0)
			buf_printf(b, "| rule | category | severity | count |%s\n"
			    "|---|---|---|--:|%s\n", base ? " change |" : "",
			    base ? "---|" : "");
		rule_row(b, ru, ru->count);
		if (base != NULL) {
			buf_putc(b, ' ');
			report_format_change(b, br ? (double)br->count : 0,
			    (double)ru->count, 0);
			buf_puts(b, " |");
		}
		buf_putc(b, '\n');
	}
	if (n == 0 && base == NULL)
		buf_puts(b, "None with events.\n");
	if ((n = report_rules_unchanged(r)) > 0)
		buf_printf(b, "%s%zu rule%s unchanged.\n", n < r->nrules ? "\n" : "",
		    n, n == 1 ? "" : "s");

	buf_puts(b, "\n## Incidents\n\n");
	i = incident_change(b, r, "storms", "storm");
	if (incident_change(b, r, "unresolved", "unresolved") + i > 0)
		buf_putc(b, '\n');
	if (r->nincidents == 0)
		buf_puts(b, "None.\n");
	else if (r->show_all)
		buf_puts(b, "| kind | rule | source | key | start | duration | count | peak/min |\n"
		    "|---|---|---|---|---|--:|--:|--:|\n");
	else
		buf_puts(b, "| kind | rule | source | incidents | key | start | duration"
		    " | count | peak/min |\n|---|---|---|--:|---|---|--:|--:|--:|\n");
	if (r->show_all)
		for (i = 0; i < r->nincidents; i++)
			incident_row(b, r->query.tz, &r->incidents[i], 0);
	for (i = 0; !r->show_all && i < r->nincident_groups; i++) {
		const struct report_incident_group *g = &r->incident_groups[i];

		if (g->nmembers == 1) {
			incident_row(b, r->query.tz,
			    &r->incidents[g->members[0]], 1);
			continue;
		}
		tz_format_iso(r->query.tz, g->start, t1, sizeof(t1));
		buf_printf(b, "| %s | ", g->kind);
		md(b, g->rule);
		buf_puts(b, " | ");
		md(b, g->source);
		buf_printf(b, " | \u00d7%zu | ", g->nmembers);
		for (j = 0; j < g->nmembers && j < REPORT_INCIDENTS_NAMED; j++) {
			if (j > 0)
				buf_puts(b, ", ");
			md_or_dash(b, r->incidents[g->members[j]].key);
		}
		if (g->nmembers > REPORT_INCIDENTS_NAMED)
			buf_puts(b, ", \u2026");
		buf_printf(b, " | %s | ", t1);
		util_format_duration(b, (double)(g->end - g->start), 0);
		buf_printf(b, " | %ju | - |\n", (uintmax_t)g->events);
	}

	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		if (m->ngroups == 0 && !r->show_all)
			continue;
		if (metric(b, m, "Metric", r->show_all) != 0 || base == NULL)
			continue;
		buf_puts(b, "\n| group | mean | p95 |\n|---|---|---|\n");
		for (j = 0; j < report_groups_shown(m, r->show_all); j++) {
			const struct report_metric_group *g = &m->groups[j];
			const struct report_metric_group *bg =
			    report_find_group(base, m->rule, g->value);

			if (bg == NULL)
				continue;
			buf_puts(b, "| ");
			md_or_dash(b, g->value);
			buf_puts(b, " | ");
			report_format_metric_change(b, bg->mean, g->mean, m->unit);
			buf_puts(b, " | ");
			report_format_metric_change(b, bg->p95, g->p95, m->unit);
			buf_puts(b, " |\n");
		}
	}

	for (i = n = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];

		if (!r->show_all && l->linked + l->unlinked == 0)
			continue;
		if (n++ == 0)
			buf_puts(b, "\n## Links\n\n");
		buf_reset(&line);
		report_link_text(l, &line);
		buf_puts(b, "- ");
		md(b, line.data);
		buf_putc(b, '\n');
	}
	buf_free(&line);
	if (r->untimed != NULL)
		untimed(b, r);
}
