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

void
report_render_markdown(const struct report *r, struct buf *b)
{
	const struct report *base = r->baseline;
	char t1[32];
	struct buf line;
	size_t i, j;

	buf_init(&line);
	buf_puts(b, "# logtriage report\n\n- window: ");
	report_window_text(r->since, r->until, b);
	if (base != NULL) {
		buf_puts(b, "\n- baseline: ");
		report_window_text(base->since, base->until, b);
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
	for (i = 0; i < r->nerrors; i++) {
		const struct report_error_group *g = &r->errors[i];
		char first[32], last[32];

		util_format_iso(g->first, first, sizeof(first));
		util_format_iso(g->last, last, sizeof(last));
		buf_printf(b, "| %s | %ju | ", severity_name(g->severity),
		    (uintmax_t)g->count);
		md(b, g->logger);
		buf_puts(b, " | ");
		md(b, g->template);
		buf_printf(b, " | %s | %s | ", first, last);
		md(b, g->sources);
		buf_puts(b, " |\n");
	}

	buf_printf(b, "\n## Rules\n\n| rule | category | severity | count |%s\n"
	    "|---|---|---|--:|%s\n", base ? " change |" : "", base ? "---|" : "");
	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];
		const struct report_rule *br = report_find_rule(base, ru->id);

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

	buf_puts(b, "\n## Incidents\n\n");
	if (base != NULL) {
		buf_puts(b, "- storms: ");
		report_format_change(b, (double)report_count_incidents(base, "storm", NULL),
		    (double)report_count_incidents(r, "storm", NULL), 0);
		buf_puts(b, "\n- unresolved: ");
		report_format_change(b,
		    (double)report_count_incidents(base, "unresolved", NULL),
		    (double)report_count_incidents(r, "unresolved", NULL), 0);
		buf_puts(b, "\n\n");
	}
	if (r->nincidents == 0)
		buf_puts(b, "None.\n");
	else
		buf_puts(b, "| kind | rule | source | key | start | duration | count | peak/min |\n"
		    "|---|---|---|---|---|--:|--:|--:|\n");
	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];

		util_format_iso(in->start, t1, sizeof(t1));
		buf_printf(b, "| %s | ", in->kind);
		md(b, in->rule);
		buf_puts(b, " | ");
		md(b, in->source);
		buf_puts(b, " | ");
		md_or_dash(b, in->key);
		buf_printf(b, " | %s | ", t1);
		util_format_duration(b, (double)(in->end - in->start), 0);
		buf_printf(b, " | %ju | ", (uintmax_t)in->count);
		if (in->peak_per_min >= 0)
			buf_printf(b, "%jd |\n", (intmax_t)in->peak_per_min);
		else
			buf_puts(b, "- |\n");
	}

	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		if (m->ngroups == 0)
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

	if (r->nlinks > 0)
		buf_puts(b, "\n## Links\n\n");
	for (i = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];

		buf_reset(&line);
		report_link_text(l, &line);
		buf_puts(b, "- ");
		md(b, line.data);
		buf_putc(b, '\n');
	}
	buf_free(&line);
}
