/*
 * report_prom.c - the report in the Prometheus text exposition format, for
 * node_exporter's textfile collector.  Every family has # HELP and # TYPE
 * before its samples; label values escape backslash, quote and newline as
 * the format requires.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void
label(struct buf *b, const char *name, const char *v, int first)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v), k;

	buf_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (; n > 0; p += k, n -= k) {
		k = util_utf8_seq(p, n);
		if (*p == '\\')
			buf_puts(b, "\\\\");
		else if (*p == '"')
			buf_puts(b, "\\\"");
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (k == 0 || *p < 0x20 || *p == 0x7f ||
		    (k == 2 && p[0] == 0xc2 && p[1] < 0xa0))
			/*
			 * The format has no escape for other control bytes and
			 * wants UTF-8: U+FFFD keeps scrapers and terminals safe.
			 */
			buf_puts(b, "\xef\xbf\xbd");
		else
			buf_append(b, p, k);
		if (k == 0)
			k = 1;
	}
	buf_putc(b, '"');
}

/* The shortest of %.15g .. %.17g that reads back as v. */
static const char *
shortest(double v, char *out, size_t len)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(out, len, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return out;
	}
	snprintf(out, len, "%.17g", v);
	return out;
}

static void
value(struct buf *b, double v)
{
	char tmp[40];

	if (isnan(v))
		buf_puts(b, " NaN\n");
	else if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(b, " %.0f\n", v);
	else
		buf_printf(b, " %s\n", shortest(v, tmp, sizeof tmp));
}

static int
is_duration(const char *unit)
{
	return unit != NULL && strcmp(unit, "ms") == 0;
}

static int
same_unit(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The summary family of every metric in unit (durations: seconds). */
static void
family(const struct report *r, struct buf *b, const char *unit)
{
	static const char *const qs[] = { "0.5", "0.95", "0.99" };
	/* ms / 1000 is the double nearest the seconds, ms * 0.001 may not be */
	double div = is_duration(unit) ? 1000 : 1, pv[3];
	struct buf name;
	size_t i, j, k;

	buf_init(&name);
	if (is_duration(unit))
		buf_puts(&name, "logtriage_duration_seconds");
	else if (unit != NULL)
		buf_printf(&name, "logtriage_metric_%s", unit);
	else
		buf_puts(&name, "logtriage_metric");
	buf_printf(b, "# HELP %s Distribution of each metric rule's field per"
	    " group in the report window (nearest-rank quantiles)%s.\n"
	    "# TYPE %s summary\n", name.data, is_duration(unit) ?
	    ", in seconds" : "", name.data);
	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		if (!same_unit(m->unit, unit))
			continue;
		for (j = 0; j < m->ngroups; j++) {
			const struct report_metric_group *g = &m->groups[j];

			pv[0] = g->p50;
			pv[1] = g->p95;
			pv[2] = g->p99;
			for (k = 0; k < UTIL_ARRAY_LEN(qs); k++) {
				buf_printf(b, "%s{", name.data);
				label(b, "rule", m->rule, 1);
				label(b, "group", g->value, 0);
				label(b, "quantile", qs[k], 0);
				buf_putc(b, '}');
				value(b, pv[k] / div);
			}
			buf_printf(b, "%s_sum{", name.data);
			label(b, "rule", m->rule, 1);
			label(b, "group", g->value, 0);
			buf_putc(b, '}');
			value(b, g->sum / div);
			buf_printf(b, "%s_count{", name.data);
			label(b, "rule", m->rule, 1);
			label(b, "group", g->value, 0);
			buf_putc(b, '}');
			value(b, (double)g->count);
		}
	}
	buf_free(&name);
}

void
report_render_prometheus(const struct report *r, struct buf *b)
{
	size_t i, j, k;

	buf_puts(b, "# HELP logtriage_events_total Events matched per rule and"
	    " source in the report window.\n"
	    "# TYPE logtriage_events_total counter\n");
	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];

		for (j = 0; j < ru->nper_source; j++) {
			buf_puts(b, "logtriage_events_total{");
			label(b, "rule", ru->id, 1);
			label(b, "category", ru->category, 0);
			label(b, "source", ru->per_source[j].source, 0);
			buf_putc(b, '}');
			value(b, (double)ru->per_source[j].n);
		}
	}

	buf_puts(b, "# HELP logtriage_incidents_total Incidents (storms, unresolved"
	    " and open expectations) overlapping the report window.\n"
	    "# TYPE logtriage_incidents_total counter\n");
	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];
		uint64_t n = 0;

		/* One sample per (kind, rule), written at its first incident. */
		for (k = 0; k < i; k++)
			if (strcmp(r->incidents[k].kind, in->kind) == 0 &&
			    strcmp(r->incidents[k].rule, in->rule) == 0)
				break;
		if (k < i)
			continue;
		for (k = i; k < r->nincidents; k++)
			if (strcmp(r->incidents[k].kind, in->kind) == 0 &&
			    strcmp(r->incidents[k].rule, in->rule) == 0)
				n++;
		buf_puts(b, "logtriage_incidents_total{");
		label(b, "kind", in->kind, 1);
		label(b, "rule", in->rule, 0);
		buf_putc(b, '}');
		value(b, (double)n);
	}

	/*
	 * A family per unit, the unit in its name as the conventions ask:
	 * durations in seconds, other units by their name, none bare.
	 */
	for (i = 0; i < r->nmetrics; i++) {
		const char *unit = r->metrics[i].unit;

		for (j = 0; j < i; j++)
			if (same_unit(r->metrics[j].unit, unit))
				break;
		if (j == i)
			family(r, b, unit);
	}
}
