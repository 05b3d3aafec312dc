/*
 * report_prom.c - the report in the Prometheus text exposition format, for
 * node_exporter's textfile collector.  Every family has # HELP and # TYPE
 * before its samples; label values escape backslash, quote and newline as
 * the format requires, and control bytes as text (see label()).
 */
#include <math.h>
#include <string.h>

#include "report.h"

/*
 * A label value: distinct values must stay distinct series, and the format
 * escapes only backslash, quote and newline.  So the value shown is the
 * text with a backslash doubled and each other control byte or invalid
 * UTF-8 byte written as \xNN: "kimi\x01" and "kimi\x02" differ, and
 * neither equals the literal text "kimi\x01" (shown "kimi\\x01").
 */
static void
label(struct buf *b, const char *name, const char *v, int first)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v), k;

	buf_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (; n > 0; p += k, n -= k) {
		k = util_utf8_seq(p, n);
		if (*p == '\\')
			buf_puts(b, "\\\\\\\\");
		else if (*p == '"')
			buf_puts(b, "\\\"");
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (k == 0 || *p < 0x20 || *p == 0x7f) {
			k = 1;
			buf_printf(b, "\\\\x%02x", *p);
		} else if (k == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			buf_printf(b, "\\\\xc2\\\\x%02x", p[1]);
		else
			buf_append(b, p, k);
	}
	buf_putc(b, '"');
}

static void
value(struct buf *b, double v)
{
	if (isnan(v))
		buf_puts(b, " NaN\n");
	else if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(b, " %.0f\n", v);
	else
		buf_printf(b, " %.17g\n", v);
}

void
report_render_prometheus(const struct report *r, struct buf *b)
{
	static const struct {
		const char	*q;
		unsigned	 p;
	} qs[] = { { "0.5", 50 }, { "0.95", 95 }, { "0.99", 99 } };
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

	buf_puts(b, "# HELP logtriage_latency_ms Distribution of each metric rule's"
	    " field per group in the report window (nearest-rank quantiles).\n"
	    "# TYPE logtriage_latency_ms summary\n");
	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		for (j = 0; j < m->ngroups; j++) {
			const struct report_metric_group *g = &m->groups[j];
			double pv[3];

			pv[0] = g->p50;
			pv[1] = g->p95;
			pv[2] = g->p99;
			for (k = 0; k < UTIL_ARRAY_LEN(qs); k++) {
				buf_puts(b, "logtriage_latency_ms{");
				label(b, "rule", m->rule, 1);
				label(b, "group", g->value, 0);
				label(b, "quantile", qs[k].q, 0);
				buf_putc(b, '}');
				value(b, pv[k]);
			}
			buf_puts(b, "logtriage_latency_ms_sum{");
			label(b, "rule", m->rule, 1);
			label(b, "group", g->value, 0);
			buf_putc(b, '}');
			value(b, g->sum);
			buf_puts(b, "logtriage_latency_ms_count{");
			label(b, "rule", m->rule, 1);
			label(b, "group", g->value, 0);
			buf_putc(b, '}');
			value(b, (double)g->count);
		}
	}
}
