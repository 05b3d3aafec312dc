/*
 * report_prom.c - the report in the Prometheus text exposition format, for
 * node_exporter's textfile collector.  Counters and the latency histogram
 * come from the store's totals, so they only grow as ingests go on and
 * rate() and histogram_quantile() work across scrapes and hosts; what
 * depends on the report window is a gauge named for it.  Only series with
 * data are written.  Every family has # HELP and # TYPE before its samples;
 * label values escape backslash, quote and newline as the format requires,
 * and control bytes as text (see label()).  Only metrics whose unit is a
 * duration (values stored in ms) are in the *_seconds families; each other
 * unit has families named after it, as the naming conventions ask.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

static void ms_value(struct buf *b, double ms);

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

/*
 * The name of a metric family for values in unit: durations are seconds
 * (base, e.g. "logtriage_latency_seconds"), other units by their name
 * (e.g. "logtriage_metric_tokens"), none bare ("logtriage_metric"); prefix
 * goes first ("logtriage_window_").  A unit is one word of a rule file, but
 * a byte a metric name cannot hold becomes '_'.
 */
static void
family_name(struct buf *name, const char *prefix, const char *unit)
{
	const char *p;

	buf_reset(name);
	buf_puts(name, prefix);
	if (is_duration(unit)) {
		buf_puts(name, "latency_seconds");
		return;
	}
	buf_puts(name, "metric");
	if (unit == NULL)
		return;
	buf_putc(name, '_');
	for (p = unit; *p != '\0'; p++)
		buf_putc(name, (*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
		    *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_');
}

/* A value in unit: durations (ms) as seconds, others as they are. */
static void
unit_value(struct buf *b, double v, const char *unit)
{
	if (is_duration(unit))
		ms_value(b, v);
	else
		value(b, v);
}

/* A duration in ms as seconds, exactly: 2500 -> "2.5". */
static void
seconds(struct buf *b, int64_t ms)
{
	int64_t frac = ms % 1000;

	buf_printf(b, "%lld", (long long)(ms / 1000));
	if (frac == 0)
		return;
	buf_printf(b, ".%03lld", (long long)frac);
	while (b->data[b->len - 1] == '0')
		b->data[--b->len] = '\0';
}

/* A value in ms as seconds: exact when it is a whole number of ms. */
static void
ms_value(struct buf *b, double ms)
{
	if (ms != floor(ms) || fabs(ms) >= 1e15) {
		value(b, ms / 1000.0);
		return;
	}
	buf_putc(b, ' ');
	if (ms < 0)
		buf_putc(b, '-');
	seconds(b, (int64_t)fabs(ms));
	buf_putc(b, '\n');
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The buckets, sum and count of one group h in family name. */
static void
histogram_group(struct buf *b, const char *name,
    const struct report_total_hist *h, const char *unit)
{
	int k;

	for (k = 0; k <= REPORT_HIST_NBOUNDS; k++) {
		buf_printf(b, "%s_bucket{", name);
		label(b, "rule", h->rule, 1);
		label(b, "group", h->group, 0);
		buf_puts(b, ",le=\"");
		if (k == REPORT_HIST_NBOUNDS)
			buf_puts(b, "+Inf");
		else if (is_duration(unit))
			seconds(b, report_hist_bounds_ms[k]);
		else
			buf_printf(b, "%lld", (long long)report_hist_bounds_ms[k]);
		buf_puts(b, "\"}");
		value(b, (double)(k < REPORT_HIST_NBOUNDS ? h->le[k] :
		    h->count));
	}
	buf_printf(b, "%s_sum{", name);
	label(b, "rule", h->rule, 1);
	label(b, "group", h->group, 0);
	buf_putc(b, '}');
	unit_value(b, h->sum, unit);
	buf_printf(b, "%s_count{", name);
	label(b, "rule", h->rule, 1);
	label(b, "group", h->group, 0);
	buf_putc(b, '}');
	value(b, (double)h->count);
}

/* A group of a rule by its count, descending, then by its place. */
struct hist_rank {
	uint64_t	count;
	size_t		i;
};

static int
hist_rank_cmp(const void *a, const void *b)
{
	const struct hist_rank *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Which of the groups of hists[a..e), one rule's, are written: unless all,
 * the REPORT_GROUPS_SHOWN busiest (keep[i - a] set), as the window's
 * percentiles are; the number left out and their values in *left, *lvals.
 */
static void
hist_keep(const struct report_total_hist *hists, size_t a, size_t e, int all,
    unsigned char *keep, size_t *left, uint64_t *lvals)
{
	struct hist_rank *rk;
	size_t i, n = e - a;

	*left = 0;
	*lvals = 0;
	if (all || n <= REPORT_GROUPS_SHOWN) {
		memset(keep, 1, n);
		return;
	}
	rk = xmalloc(n * sizeof *rk);
	for (i = 0; i < n; i++) {
		rk[i].count = hists[a + i].count;
		rk[i].i = i;
	}
	qsort(rk, n, sizeof *rk, hist_rank_cmp);
	memset(keep, 0, n);
	for (i = 0; i < n; i++) {
		if (i < REPORT_GROUPS_SHOWN)
			keep[rk[i].i] = 1;
		else {
			(*left)++;
			*lvals += rk[i].count;
		}
	}
	free(rk);
}

/* The histogram of the stored values of every metric in unit. */
static void
histogram_unit(const struct report_totals *t, struct buf *b, const char *unit,
    int all)
{
	struct buf name;
	unsigned char *keep = NULL;
	size_t i, a = 0, e = 0, left = 0, cap = 0;
	uint64_t lvals = 0;

	buf_init(&name);
	family_name(&name, "logtriage_", unit);
	if (is_duration(unit))
		family(b, name.data, "histogram", "Values of each metric rule's"
		    " field (milliseconds) per group, in seconds, of all stored"
		    " events.");
	else
		buf_printf(b, "# HELP %s Values of each metric rule's field%s%s"
		    " per group, of all stored events.\n# TYPE %s histogram\n",
		    name.data, unit != NULL ? " in " : "", unit != NULL ? unit :
		    "", name.data);
	for (i = 0; i < t->nhists; i++) {
		const struct report_total_hist *h = &t->hists[i];

		if (!same_unit(h->unit, unit))
			continue;
		/* a rule's groups are together: choose them at its first */
		if (i >= e) {
			for (a = i, e = i + 1; e < t->nhists &&
			    strcmp(t->hists[e].rule, h->rule) == 0; e++)
				;
			if (e - a > cap) {
				cap = e - a;
				keep = xrealloc(keep, cap);
			}
			hist_keep(t->hists, a, e, all, keep, &left, &lvals);
		}
		if (keep[i - a])
			histogram_group(b, name.data, h, unit);
		if (i + 1 == e && left > 0)
			buf_printf(b, "# %s: ... %zu more groups (%ju values):"
			    " report --all lists every one\n", h->rule, left,
			    (uintmax_t)lvals);
	}
	free(keep);
	buf_free(&name);
}

/*
 * A histogram family per unit, in the order the units first come.  The
 * groups can be many and the units are few: each group is compared with
 * the units already written, not with the groups before it.
 */
static void
histogram(const struct report_totals *t, struct buf *b, int all)
{
	const char **units = NULL;
	size_t i, j, nunits = 0, cap = 0;

	for (i = 0; i < t->nhists; i++) {
		for (j = 0; j < nunits; j++)
			if (same_unit(units[j], t->hists[i].unit))
				break;
		if (j < nunits)
			continue;
		units = util_grow(units, &cap, nunits, sizeof(*units), 4);
		units[nunits++] = t->hists[i].unit;
		histogram_unit(t, b, t->hists[i].unit, all);
	}
	free(units);
}

static void
totals(const struct report_totals *t, struct buf *b, int all)
{
	size_t i;
	int any;

	if (t->nevents > 0)
		family(b, "logtriage_events_total", "counter", "Events matched"
		    " per rule and source, all stored.");
	for (i = 0; i < t->nevents; i++) {
		buf_puts(b, "logtriage_events_total{");
		label(b, "rule", t->events[i].rule, 1);
		label(b, "category", t->events[i].category, 0);
		label(b, "source", t->events[i].source, 0);
		buf_putc(b, '}');
		value(b, (double)t->events[i].n);
	}
	if (t->nlinks > 0)
		family(b, "logtriage_linked_events_total", "counter", "Events"
		    " of follows/expect rules linked to an event of the target"
		    " rule, per value of the rule's by-field, all stored.");
	for (i = 0; i < t->nlinks; i++) {
		buf_puts(b, "logtriage_linked_events_total{");
		label(b, "rule", t->links[i].rule, 1);
		label(b, "target", t->links[i].target, 0);
		label(b, "group", t->links[i].group, 0);
		buf_putc(b, '}');
		value(b, (double)t->links[i].n);
	}
	histogram(t, b, all);
	for (any = 0, i = 0; i < t->nincidents; i++) {
		if (strcmp(t->incidents[i].kind, "unresolved") != 0)
			continue;
		if (!any++)
			family(b, "logtriage_unresolved", "gauge", "Unresolved"
			    " incidents (e.g. leaked semaphores) stored now per"
			    " rule and source.");
		buf_puts(b, "logtriage_unresolved{");
		label(b, "rule", t->incidents[i].rule, 1);
		label(b, "source", t->incidents[i].source, 0);
		buf_putc(b, '}');
		value(b, (double)t->incidents[i].n);
	}
	for (any = 0, i = 0; i < t->nincidents; i++) {
		if (strcmp(t->incidents[i].kind, "open") != 0)
			continue;
		if (!any++)
			family(b, "logtriage_open_expectations", "gauge", "Events"
			    " still waiting for what their rule expects, stored now"
			    " per rule and source.");
		buf_puts(b, "logtriage_open_expectations{");
		label(b, "rule", t->incidents[i].rule, 1);
		label(b, "source", t->incidents[i].source, 0);
		buf_putc(b, '}');
		value(b, (double)t->incidents[i].n);
	}
	if (t->last_ingest != TS_NONE) {
		family(b, "logtriage_last_ingest_timestamp_seconds", "gauge",
		    "When the last ingest that completed finished (wall clock).");
		buf_puts(b, "logtriage_last_ingest_timestamp_seconds ");
		seconds(b, t->last_ingest);
		buf_putc(b, '\n');
	}
	if (t->last_log != TS_NONE) {
		family(b, "logtriage_last_log_timestamp_seconds", "gauge", "Log"
		    " time of the newest record stored (what a running ingest -f"
		    " has reached).");
		buf_puts(b, "logtriage_last_log_timestamp_seconds ");
		if (t->last_log < 0) {
			buf_putc(b, '-');
			seconds(b, -t->last_log);
		} else
			seconds(b, t->last_log);
		buf_putc(b, '\n');
	}
	family(b, "logtriage_ingest_errors_total", "counter", "Ingests that"
	    " failed.");
	buf_puts(b, "logtriage_ingest_errors_total");
	value(b, (double)t->ingest_errors);
}

static void
window_family(struct buf *b, const char *name, const char *unit)
{
	if (is_duration(unit))
		family(b, name, "gauge", "Nearest-rank percentiles of each"
		    " metric rule's field (milliseconds) per group in the"
		    " report window, in seconds.");
	else
		buf_printf(b, "# HELP %s Nearest-rank percentiles of each metric"
		    " rule's field%s%s per group in the report window.\n"
		    "# TYPE %s gauge\n", name, unit != NULL ? " in " : "",
		    unit != NULL ? unit : "", name);
}

/* The window percentiles of every metric in unit, if any has data. */
static void
window_unit(const struct report *r, struct buf *b, const char *unit)
{
	static const char *ps[] = { "50", "95", "99" };
	struct buf name;
	size_t i, j, k;
	int any = 0;

	buf_init(&name);
	family_name(&name, "logtriage_window_", unit);
	for (i = 0; i < r->nmetrics; i++) {
		const struct report_metric *m = &r->metrics[i];

		if (!same_unit(m->unit, unit))
			continue;
		for (j = 0; j < report_groups_shown(m, r->show_all); j++) {
			const struct report_metric_group *g = &m->groups[j];
			double pv[3];

			if (g->count == 0)
				continue;
			if (!any++)
				window_family(b, name.data, unit);
			pv[0] = g->p50;
			pv[1] = g->p95;
			pv[2] = g->p99;
			for (k = 0; k < UTIL_ARRAY_LEN(ps); k++) {
				buf_printf(b, "%s{", name.data);
				label(b, "rule", m->rule, 1);
				label(b, "group", g->value, 0);
				label(b, "percentile", ps[k], 0);
				buf_putc(b, '}');
				unit_value(b, pv[k], unit);
			}
		}
		/* a comment: a series per group would swamp the scraper */
		if (any && report_groups_shown(m, r->show_all) < m->ngroups) {
			buf_puts(b, "# ");
			buf_puts(b, m->rule);
			buf_puts(b, ": ");
			report_groups_more(m, r->show_all, b);
			buf_putc(b, '\n');
		}
	}
	buf_free(&name);
}

static void
window(const struct report *r, struct buf *b)
{
	size_t i, j, k;
	int any = 0;

	for (i = 0; i < r->nrules; i++) {
		const struct report_rule *ru = &r->rules[i];

		for (k = 0; k < ru->nwith_events; k++) {
			j = ru->with_events[k];
			if (!any++)
				family(b, "logtriage_window_events", "gauge",
				    "Events matched per rule and source in the"
				    " report window.");
			buf_puts(b, "logtriage_window_events{");
			label(b, "rule", ru->id, 1);
			label(b, "category", ru->category, 0);
			label(b, "source", ru->per_source[j].source, 0);
			buf_putc(b, '}');
			value(b, (double)ru->per_source[j].n);
		}
	}

	for (any = 0, i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];
		uint64_t n = 0;

		if (strcmp(in->kind, "storm") != 0)
			continue;
		/* One sample per (rule, source), written at its first storm. */
		for (k = 0; k < i; k++)
			if (strcmp(r->incidents[k].kind, "storm") == 0 &&
			    strcmp(r->incidents[k].rule, in->rule) == 0 &&
			    strcmp(r->incidents[k].source, in->source) == 0)
				break;
		if (k < i)
			continue;
		for (k = i; k < r->nincidents; k++)
			if (strcmp(r->incidents[k].kind, "storm") == 0 &&
			    strcmp(r->incidents[k].rule, in->rule) == 0 &&
			    strcmp(r->incidents[k].source, in->source) == 0)
				n++;
		if (!any++)
			family(b, "logtriage_storms_open", "gauge", "Storms with"
			    " events in the report window per rule and source.");
		buf_puts(b, "logtriage_storms_open{");
		label(b, "rule", in->rule, 1);
		label(b, "source", in->source, 0);
		buf_putc(b, '}');
		value(b, (double)n);
	}

	for (i = 0; i < r->nmetrics; i++) {
		for (j = 0; j < i; j++)
			if (same_unit(r->metrics[j].unit, r->metrics[i].unit))
				break;
		if (j == i)
			window_unit(r, b, r->metrics[i].unit);
	}
}

void
report_render_prometheus(const struct report *r, const struct report_totals *t,
    struct buf *b)
{
	if (t != NULL)
		totals(t, b, r->show_all);
	window(r, b);
}
