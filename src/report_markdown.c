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

void
report_render_markdown(const struct report *r, struct buf *b)
{
	const struct report *base = r->baseline;
	char t1[32];
	struct buf line;
	size_t i, j, n;

	buf_init(&line);
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
	if (r->nfindings == 0)
		buf_puts(b, "None.\n");
	for (i = 0; i < r->nfindings; i++) {
		buf_printf(b, "- **%s**: ", severity_name(r->findings[i].severity));
		md(b, r->findings[i].text);
		buf_putc(b, '\n');
	}

	if (r->nerrors > 0)
		buf_puts(b, "\n## Errors no rule was written for\n\n| severity | count"
		    " | logger | template | first | last | sources |\n"
		    "|---|--:|---|---|---|---|---|\n");
	for (i = 0; i < r->nerrors && i < REPORT_ERRORS_SHOWN; i++) {
		const struct report_error_group *g = &r->errors[i];
		char first[32], last[32];

		tz_format_iso(r->query.tz, g->first, first, sizeof(first));
		tz_format_iso(r->query.tz, g->last, last, sizeof(last));
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
		buf_printf(b, " | %s | %s | ", first, last);
		md(b, g->sources);
		buf_puts(b, " |\n");
	}
	buf_reset(&line);
	report_errors_more(r, &line);
	if (line.len > 0) {
		buf_putc(b, '\n');
		md(b, line.data);
		buf_putc(b, '\n');
	}

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
		buf_puts(b, "| ");
		md(b, ru->id);
		buf_puts(b, " | ");
		md(b, ru->category);
		buf_printf(b, " | %s | %ju |", severity_name(ru->severity),
		    (uintmax_t)ru->count);
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
		buf_puts(b, "\n## Metric: ");
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
			continue;
		}
		buf_puts(b, ")\n\n| group | count | mean | p50 | p95 | p99 | max |\n"
		    "|---|--:|--:|--:|--:|--:|--:|\n");
		for (j = 0; j < m->ngroups; j++) {
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
		if (base == NULL)
			continue;
		buf_puts(b, "\n| group | mean | p95 |\n|---|---|---|\n");
		for (j = 0; j < m->ngroups; j++) {
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
}
