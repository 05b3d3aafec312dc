/*
 * report_json.c - the report as JSON, schema 1 (documented in logtriage(1)
 * and stable: keys are only ever added).  It keeps the full data: every
 * rule and incident, whatever --all says; incident_groups adds the
 * grouping the other formats show.  Times are ISO 8601 UTC with
 * milliseconds; counts are integers; means carry three decimals.
 */
#include <math.h>
#include <string.h>

#include "report.h"
#include "severity.h"

static void
jstr(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	util_escape_json(b, s, strlen(s));
	buf_putc(b, '"');
}

static void
jtime(struct buf *b, const struct tz *tz, int64_t ms)
{
	char t[40];

	if (ms == TS_NONE) {
		buf_puts(b, "null");
		return;
	}
	tz_format_iso(tz, ms, t, sizeof(t));
	jstr(b, t);
}

/* Whole numbers print as integers, anything else exactly. */
static void
jnum(struct buf *b, double v)
{
	if (!isfinite(v))
		buf_puts(b, "null");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		buf_printf(b, "%.0f", v);
	else
		buf_printf(b, "%.17g", v);
}

/* The metrics v[0..n) as an object by rule. */
static void
metrics(struct buf *b, const struct report_metric *v, size_t n)
{
	size_t i, j;

	buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		const struct report_metric *m = &v[i];

		buf_puts(b, i > 0 ? ",\n  " : "\n  ");
		jstr(b, m->rule);
		buf_puts(b, ": {\"field\": ");
		jstr(b, m->field);
		buf_puts(b, ", \"by\": ");
		if (m->by != NULL)
			jstr(b, m->by);
		else
			buf_puts(b, "null");
		buf_puts(b, ", \"unit\": ");
		if (m->unit != NULL)
			jstr(b, m->unit);
		else
			buf_puts(b, "null");
		buf_puts(b, ", \"groups\": {");
		for (j = 0; j < m->ngroups; j++) {
			const struct report_metric_group *g = &m->groups[j];

			buf_puts(b, j > 0 ? ",\n    " : "\n    ");
			jstr(b, g->value);
			buf_printf(b, ": {\"count\": %ju, \"sum\": ", (uintmax_t)g->count);
			jnum(b, g->sum);
			buf_puts(b, ", \"min\": ");
			jnum(b, g->min);
			buf_puts(b, ", \"max\": ");
			jnum(b, g->max);
			buf_printf(b, ", \"mean\": %.3f, \"p50\": ", g->mean);
			jnum(b, g->p50);
			buf_puts(b, ", \"p95\": ");
			jnum(b, g->p95);
			buf_puts(b, ", \"p99\": ");
			jnum(b, g->p99);
			buf_putc(b, '}');
		}
		buf_puts(b, "}}");
	}
	buf_putc(b, '}');
}

/* The findings f[0..n) as an array. */
static void
findings(struct buf *b, const struct report_finding *f, size_t n)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		buf_puts(b, i > 0 ? ",\n  " : "\n  ");
		buf_puts(b, "{\"severity\": ");
		jstr(b, severity_name(f[i].severity));
		buf_puts(b, ", \"id\": ");
		jstr(b, f[i].id);
		buf_puts(b, ", \"rule\": ");
		jstr(b, f[i].rule);
		buf_printf(b, ", \"volume\": %ju, \"text\": ", (uintmax_t)f[i].volume);
		jstr(b, f[i].text);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

/*
 * The error templates v[0..n) as an array: the window's with their first
 * and last time, the untimed ones with the whole of a sample record.
 */
static void
errors(struct buf *b, const struct report *r,
    const struct report_error_group *v, size_t n)
{
	size_t i, j;

	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		const struct report_error_group *g = &v[i];
		char first[32], last[32];

		buf_puts(b, i > 0 ? ",\n  " : "\n  ");
		buf_puts(b, "{\"rule\": ");
		jstr(b, g->rule);
		buf_puts(b, ", \"severity\": ");
		jstr(b, severity_name(g->severity));
		buf_puts(b, ", \"logger\": ");
		jstr(b, g->logger);
		buf_puts(b, ", \"template\": ");
		jstr(b, g->template);
		buf_printf(b, ", \"count\": %ju", (uintmax_t)g->count);
		if (g->first != TS_NONE) {
			tz_format_iso(r->query.tz, g->first, first, sizeof(first));
			tz_format_iso(r->query.tz, g->last, last, sizeof(last));
			buf_printf(b, ", \"first\": \"%s\", \"last\": \"%s\"",
			    first, last);
		}
		buf_puts(b, ", \"sources\": ");
		jstr(b, report_group_sources(r, g));
		buf_printf(b, ", \"source_count\": %zu", g->nsources);
		if (g->sample != NULL) {
			buf_puts(b, ", \"sample\": ");
			jstr(b, g->sample);
		}
		for (j = 0; j < g->nparts; j++) {
			buf_puts(b, j == 0 ? ", \"parts\": [" : ", ");
			jstr(b, g->parts[j]);
		}
		if (g->nparts > 0)
			buf_putc(b, ']');
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

/*
 * "untimed": the events whose input had no time, with no window asked
 * for: their count, per rule, findings, error templates and metrics.
 */
static void
untimed(struct buf *b, const struct report *r)
{
	const struct report_untimed *u = r->untimed;
	size_t i, n;

	buf_printf(b, ",\n\"untimed\": {\"events\": %ju, \"rules\": {",
	    (uintmax_t)u->events);
	for (i = n = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];

		if (ru->untimed == 0)
			continue;
		buf_puts(b, n++ > 0 ? ",\n  " : "\n  ");
		jstr(b, ru->id);
		buf_puts(b, ": {\"category\": ");
		jstr(b, ru->category);
		buf_puts(b, ", \"severity\": ");
		jstr(b, severity_name(ru->severity));
		buf_printf(b, ", \"count\": %ju}", (uintmax_t)ru->untimed);
	}
	buf_puts(b, "},\n\"findings\": ");
	findings(b, u->findings, u->nfindings);
	buf_puts(b, ",\n\"errors\": ");
	errors(b, r, u->errors, u->nerrors);
	buf_puts(b, ",\n\"metrics\": ");
	metrics(b, u->metrics, u->nmetrics);
	buf_putc(b, '}');
}

static void
render(const struct report *r, struct buf *b, int top)
{
	size_t i, j;

	buf_puts(b, "{\"schema\": 1, \"window\": {\"since\": ");
	jtime(b, r->query.tz, r->since);
	buf_puts(b, ", \"until\": ");
	jtime(b, r->query.tz, r->until);
	buf_puts(b, "},\n\"sources\": [");
	for (i = 0; i < r->nsources; i++) {
		if (i > 0)
			buf_puts(b, ", ");
		jstr(b, r->sources[i]);
	}
	buf_printf(b, "],\n\"input\": {\"lines\": %ju, \"records\": %ju,"
	    " \"bytes\": %ju, \"malformed\": %ju, \"truncated\": %ju,"
	    " \"same_samples\": %ju, \"untimed_events\": %ju},\n",
	    (uintmax_t)r->input.lines, (uintmax_t)r->input.records,
	    (uintmax_t)r->input.bytes, (uintmax_t)r->input.malformed,
	    (uintmax_t)r->input.truncated, (uintmax_t)r->same_samples,
	    (uintmax_t)r->input.untimed_events);
	buf_puts(b, "\"rules\": {");
	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];

		buf_puts(b, i > 0 ? ",\n  " : "\n  ");
		jstr(b, ru->id);
		buf_puts(b, ": {\"category\": ");
		jstr(b, ru->category);
		buf_puts(b, ", \"severity\": ");
		jstr(b, severity_name(ru->severity));
		buf_printf(b, ", \"count\": %ju, \"untimed\": %ju}",
		    (uintmax_t)ru->count, (uintmax_t)ru->untimed);
	}
	buf_puts(b, "},\n\"incidents\": [");
	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];

		buf_puts(b, i > 0 ? ",\n  " : "\n  ");
		buf_puts(b, "{\"kind\": ");
		jstr(b, in->kind);
		buf_puts(b, ", \"rule\": ");
		jstr(b, in->rule);
		buf_puts(b, ", \"source\": ");
		jstr(b, in->source);
		buf_puts(b, ", \"key\": ");
		jstr(b, in->key);
		buf_puts(b, ", \"start\": ");
		jtime(b, r->query.tz, in->start);
		buf_puts(b, ", \"end\": ");
		jtime(b, r->query.tz, in->end);
		buf_printf(b, ", \"count\": %ju, \"peak_per_min\": ", (uintmax_t)in->count);
		if (in->peak_per_min < 0)
			buf_puts(b, "null}");
		else
			buf_printf(b, "%jd}", (intmax_t)in->peak_per_min);
	}
	buf_puts(b, "],\n\"incident_groups\": [");
	for (i = 0; i < r->nincident_groups; i++) {
		const struct report_incident_group *g = &r->incident_groups[i];

		buf_puts(b, i > 0 ? ",\n  " : "\n  ");
		buf_puts(b, "{\"kind\": ");
		jstr(b, g->kind);
		buf_puts(b, ", \"rule\": ");
		jstr(b, g->rule);
		buf_puts(b, ", \"source\": ");
		jstr(b, g->source);
		buf_printf(b, ", \"incidents\": %zu, \"count\": %ju, \"start\": ",
		    g->nmembers, (uintmax_t)g->events);
		jtime(b, r->query.tz, g->start);
		buf_puts(b, ", \"end\": ");
		jtime(b, r->query.tz, g->end);
		buf_puts(b, ", \"first\": [");
		for (j = 0; j < g->nmembers && j < REPORT_INCIDENTS_NAMED; j++) {
			if (j > 0)
				buf_puts(b, ", ");
			jstr(b, r->incidents[g->members[j]].key);
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "],\n\"metrics\": ");
	metrics(b, r->metrics, r->nmetrics);
	buf_puts(b, ",\n\"links\": {");
	for (i = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];

		buf_puts(b, i > 0 ? ",\n  " : "\n  ");
		jstr(b, l->rule);
		buf_puts(b, ": {\"target\": ");
		jstr(b, l->target);
		buf_puts(b, ", \"targets\": {");
		for (j = 0; j < l->ntargets; j++) {
			if (j > 0)
				buf_puts(b, ", ");
			jstr(b, l->targets[j].value);
			buf_printf(b, ": %ju", (uintmax_t)l->targets[j].n);
		}
		buf_printf(b, "}, \"linked\": %ju, \"unlinked\": %ju, \"by\": {",
		    (uintmax_t)l->linked, (uintmax_t)l->unlinked);
		for (j = 0; j < l->nby; j++) {
			if (j > 0)
				buf_puts(b, ", ");
			jstr(b, l->by[j].value);
			buf_printf(b, ": %ju", (uintmax_t)l->by[j].n);
		}
		buf_puts(b, "}}");
	}
	buf_puts(b, "},\n\"findings\": ");
	findings(b, r->findings, r->nfindings);
	buf_puts(b, ",\n\"errors\": ");
	errors(b, r, r->errors, r->nerrors);
	if (r->untimed != NULL)
		untimed(b, r);
	if (top && r->baseline != NULL) {
		buf_puts(b, ",\n\"baseline\": ");
		render(r->baseline, b, 0);
	}
	buf_putc(b, '}');
}

void
report_render_json(const struct report *r, struct buf *out)
{
	render(r, out, 1);
	buf_putc(out, '\n');
}
