/*
 * report.h - the report model: one struct computed from the store for a
 * window and a set of sources, optionally with a baseline window to compare
 * against, and the renderers that turn it into text, markdown, json, html
 * or prometheus.  Reads the store only; knows nothing about parsing.
 */
#ifndef LOGTRIAGE_REPORT_H
#define LOGTRIAGE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "timeparse.h"
#include "util.h"

struct store;

struct report_query {
	int64_t		  since;	/* TS_NONE: from the first event */
	int64_t		  until;	/* TS_NONE: to the last event (exclusive bound otherwise) */
	const char	**sources;	/* names or globs; none = all */
	size_t		  nsources;
	/*
	 * -1: each metric rule's own slow threshold; otherwise p95 above
	 * this many ms is a finding for every duration metric instead.
	 */
	int64_t		  slow_ms;
	const struct tz	 *tz;		/* zone times are printed in; NULL: UTC (Z) */
};

struct report_input {
	uint64_t	lines, records, bytes, malformed, truncated;
	/* events of the sources whose input had no time: in no window */
	uint64_t	untimed_events;
};

struct report_source_count {
	const char	*source;	/* in report.source_names; NULL where n is 0 */
	uint64_t	 n;
};

struct report_rule {
	char		*id;
	char		*category;
	int		 severity;	/* enum severity */
	char		*summary;
	uint64_t	 count;
	/* events of the sources in scope whose input had no time: in no window */
	uint64_t	 untimed;
	struct report_source_count *per_source;	/* every report source, 0 included */
	size_t		 nper_source;
	/* the places in per_source with events, in order: a walk of a million
	 * sources for each rule costs more than the report */
	size_t		*with_events;
	size_t		 nwith_events;
};

struct report_incident {
	char		*kind;		/* storm | unresolved | open */
	char		*rule;
	char		*category;
	int		 severity;
	char		*source;
	char		*key;
	int64_t		 start, end;
	uint64_t	 count;
	int64_t		 peak_per_min;	/* storms; -1 otherwise */
	int64_t		 detected_at;	/* storms; TS_NONE otherwise */
};

/*
 * p50 and p95 of one group of a metric in one hour: the latency over
 * time, kept for the busiest groups of a rule only.
 */
struct report_metric_hour {
	char		*group;
	int64_t		 start;		/* hour start, UTC ms */
	uint64_t	 count;
	double		 p50, p95;
};

/* At most this many groups of a metric get their hours (report_metric_hour). */
#define REPORT_HOURLY_GROUPS	6

struct report_metric_group {
	char		*value;		/* the group ("" when the field was absent) */
	uint64_t	 count;
	double		 sum, min, max, mean, p50, p95, p99;
};

struct report_metric {
	char				*rule;
	char				*field;
	char				*by;	/* NULL without a by-field */
	char				*unit;	/* of the values: "ms" for durations, or NULL */
	struct report_metric_group	*groups;	/* sorted by count, descending */
	size_t				 ngroups;
	struct util_index		*group_index;	/* of groups by value, or NULL */
	struct report_metric_hour	*hours;	/* busiest groups: group by count, then hour */
	size_t				 nhours;
};

struct report_link_by {
	char			*value;
	uint64_t		 n;
	struct report_link_by	*targets;	/* n per target rule (as in report_link), or NULL */
	size_t			 ntargets;
};

struct report_link {
	char			*rule;
	char			*target;	/* the first rule listed */
	char			*kind;		/* "follows" or "expect" */
	uint64_t		 linked, unlinked;
	struct report_link_by	*by;
	size_t			 nby;
	/* linked per target rule: the listed rules in order (0 included), then any other */
	struct report_link_by	*targets;
	size_t			 ntargets;
};

struct report_finding {
	int		 severity;	/* enum severity */
	uint64_t	 volume;	/* events behind it, for ranking */
	char		*id;		/* stable kind, e.g. "fallback-rate", "storm", "slow-p95" */
	char		*rule;		/* the rule it is about: where to look next */
	char		*text;		/* one plain sentence */
};

/*
 * The events of the built-in rules log-error and log-critical grouped by
 * logger and template: the failures no rule was written for.
 */
struct report_error_group {
	char		*rule;
	int		 severity;	/* the rule's */
	char		*logger;	/* "" when the records named none */
	char		*template;
	uint64_t	 count;
	int64_t		 first, last;
	/*
	 * The sources it has events of, joined by ", ": all of them, and
	 * the first REPORT_SOURCES_LISTED (the first listed_len bytes of
	 * all) then " and N more" (no more: the same), which a report
	 * prints but under show_all (report_group_sources).
	 */
	struct buf	 all_sources;
	size_t		 listed_len;
	char		*sources;
	size_t		 nsources;
	/*
	 * A banner block's: its records' own templates after the banner,
	 * sorted, the closing banner left out (none for other groups).
	 */
	char		**parts;
	size_t		 nparts;
	/* an untimed group's first record, which stands for it; NULL otherwise */
	char		*sample;
};

/*
 * The incidents of one (kind, rule, source): members index r->incidents
 * in its order, so the first members are the most severe and earliest.
 */
struct report_incident_group {
	const char	*kind, *rule, *source;	/* borrowed from the first member */
	size_t		*members;
	size_t		 nmembers;
	uint64_t	 events;		/* summed over the members */
	int64_t		 start, end;		/* earliest start, latest end */
};

/* Events per hour and severity (the html chart's bands). */
struct report_sev_bucket {
	int64_t		 start;		/* hour start, UTC ms */
	int		 severity;	/* enum severity, of the rule */
	uint64_t	 n;
};

/* Events per hour and category (html chart, tui sparklines). */
struct report_bucket {
	int64_t		 start;		/* hour start, UTC ms */
	char		*category;
	uint64_t	 n;
};

/*
 * The events whose input had no time (events.ts NULL), read when no
 * window was asked for: what of them needs no time.  No time means no
 * chart, incident, first or last seen or rate; their counts per rule are
 * report_rule.untimed.
 */
struct report_untimed {
	uint64_t		 events;	/* report_input.untimed_events */
	/* as report.errors, first and last TS_NONE, each with its sample */
	struct report_error_group *errors;
	size_t			 nerrors;
	/* the metric rules with untimed values, as report.metrics, no hours */
	struct report_metric	*metrics;
	size_t			 nmetrics;
	struct report_finding	*findings;	/* ranked as report.findings */
	size_t			 nfindings;
};

struct report {
	struct report_query	 query;
	int64_t			 since, until;	/* the window actually covered */
	char			**sources;	/* sources with data in the window */
	size_t			 nsources;
	struct report_input	 input;
	struct report_rule	*rules;		/* every known rule, 0 included */
	size_t			 nrules;
	/* every source in scope, once, as indexed by a rule's per_source */
	char			**source_names;
	size_t			 nsource_names;
	struct report_incident	*incidents;	/* most severe first, then start */
	size_t			 nincidents;
	struct report_incident_group *incident_groups;	/* in the order of their first member */
	size_t			 nincident_groups;
	struct report_metric	*metrics;
	size_t			 nmetrics;
	struct report_link	*links;
	size_t			 nlinks;
	struct report_finding	*findings;	/* ranked: severity, then volume */
	size_t			 nfindings;
	struct report_bucket	*hourly;
	size_t			 nhourly;
	struct report_sev_bucket *hourly_sev;	/* hour, then severity */
	size_t			 nhourly_sev;
	/* events per source with any, most first (names as in sources) */
	struct report_source_count *busiest;
	size_t			 nbusiest;
	struct report_error_group *errors;	/* most events first */
	size_t			 nerrors;
	uint64_t		 total_events;
	uint64_t		 same_samples;	/* events stored as repeats of a sample */
	/*
	 * The newest stored event of the sources in scope, whatever the
	 * window (TS_NONE when they hold none): read only for an empty
	 * window, whose message names it.
	 */
	int64_t			 newest;
	/* with no window asked for and untimed events in scope; else NULL */
	struct report_untimed	*untimed;
	/* Set by the caller: render zero-count rules and empty tables too (--all). */
	int			 show_all;
	struct report		*baseline;	/* the comparison window, or NULL */
};

/*
 * Build the report for q (and for baseline_q when non-NULL, stored in
 * ->baseline).  Returns 0 with *out set (caller frees with report_free),
 * or -1 with err.
 */
int report_build(struct store *st, const struct report_query *q,
    const struct report_query *baseline_q, struct report **out,
    char *err, size_t errlen);
void report_free(struct report *r);

/*
 * Totals for the Prometheus exposition: what the store holds for the
 * report's sources, whatever the window, so counters only grow as ingests
 * go on (a prune is a counter reset, which Prometheus expects).
 */
#define REPORT_HIST_NBOUNDS 15

/* Upper bounds of the latency histogram buckets, in ms (+Inf follows). */
extern const int64_t report_hist_bounds_ms[REPORT_HIST_NBOUNDS];

struct report_total_events {
	char		*rule, *category, *source;
	uint64_t	 n;
};

/*
 * Values of one metric rule and group.  The bounds are compared with the
 * stored values: ms for a duration, the unit's own numbers otherwise.
 */
struct report_total_hist {
	char		*rule, *group;
	char		*unit;		/* the rule's: "ms" for durations, or NULL */
	uint64_t	 le[REPORT_HIST_NBOUNDS];	/* cumulative, as exposed */
	uint64_t	 count;
	double		 sum;		/* in unit */
};

struct report_total_links {
	char		*rule, *target, *group;
	uint64_t	 n;
};

struct report_total_incidents {
	char		*kind, *rule, *source;
	uint64_t	 n;
};

struct report_totals {
	struct report_total_events	*events;	/* rule, then source; n > 0 */
	size_t				 nevents;
	struct report_total_hist	*hists;		/* metric rules: rule, then group */
	size_t				 nhists;
	struct report_total_links	*links;		/* follows/expect rules, linked events */
	size_t				 nlinks;
	struct report_total_incidents	*incidents;	/* unresolved and open, stored now */
	size_t				 nincidents;
	int64_t				 last_ingest;	/* wall clock ms of the last done ingest, or TS_NONE */
	int64_t				 last_log;	/* newest log time of the sources, or TS_NONE */
	uint64_t			 ingest_errors;	/* ingests that failed */
};

/* The totals for q's sources (its window is ignored).  0, or -1 with err. */
int report_totals_build(struct store *st, const struct report_query *q,
    struct report_totals **out, char *err, size_t errlen);
void report_totals_free(struct report_totals *t);

/*
 * Nearest-rank percentile of sorted[0..n): the value at 1-based rank
 * ceil(p/100 * n), computed in integers.  n > 0, 0 < p <= 100.
 */
double report_percentile(const double *sorted, size_t n, unsigned p);

/*
 * Does the rule's row belong in a rules table?  Under show_all every
 * rule does; otherwise one with events, and with a baseline one whose
 * count changed.
 */
int report_rule_shown(const struct report *r, const struct report_rule *ru);

/* Rules a comparison leaves out as unchanged (0 without a baseline or under show_all). */
size_t report_rules_unchanged(const struct report *r);

/* At most this many members of an incident group are named. */
#define REPORT_INCIDENTS_NAMED	3

/* Look-ups the renderers share (NULL / 0 when absent). */
const struct report_rule *report_find_rule(const struct report *r, const char *id);
const struct report_metric_group *report_find_group(const struct report *r,
    const char *rule, const char *value);
uint64_t report_count_incidents(const struct report *r, const char *kind,
    const char *rule);

/*
 * Append part of whole as a percentage: whole numbers from 1% up, one
 * decimal below ("0.4%"), "<0.1%" for a non-zero share too small for it.
 */
void report_format_pct(struct buf *b, uint64_t part, uint64_t whole);

/*
 * Append a metric value for a table cell: a duration in its own scale
 * ("820 ms", "41.2 s"), any other value as the bare number (the table's
 * heading names the unit).
 */
void report_format_cell(struct buf *b, double v, const char *unit);

/*
 * The same for two values of a metric in unit: durations in their own
 * scale ("9.96 s → 6.53 s (-3.43 s, -34%)"), others as whole numbers.
 * The group was measured before, so a value of 0 before is no "new" one:
 * its change has no percentage ("0 ms → 820 ms (+820 ms)").
 */
void report_format_metric_change(struct buf *b, double before, double after,
    const char *unit);

/* Append "before → after (+abs, +pct%)" with decimals digits after the point. */
void report_format_change(struct buf *b, double before, double after, int decimals);

/* "SINCE .. UNTIL" in ISO 8601, "-" for an open end. */
void report_window_text(const struct tz *tz, int64_t since, int64_t until,
    struct buf *out);

/*
 * The report's sources, unescaped: up to REPORT_SOURCES_LISTED names
 * joined by ", " (all of them with show_all), else "N sources, busiest:
 * a (n), b (n), c (n)"; "(none)" without any.
 */
#define REPORT_SOURCES_LISTED	3

/* The sources of g as r prints them: see report_error_group. */
const char *report_group_sources(const struct report *r,
    const struct report_error_group *g);
void report_sources_text(const struct report *r, struct buf *out);

/*
 * "N lines, N records, N bytes (malformed N, truncated N); N events",
 * and " (N same-sample duplicates, in no distribution)" when there are.
 */
void report_input_text(const struct report *r, struct buf *out);

/*
 * One link line in plain words, unescaped (renderers escape it):
 * "fallback follows provider-timeout 5, provider-error 1: linked 6,
 * unlinked 0; kimi-k2-0905-preview 6".  Targets are listed with their
 * counts only when the rule names several.
 */
void report_link_text(const struct report_link *l, struct buf *out);

/*
 * A banner block's parts as the text, markdown and html reports list
 * them, unescaped: up to REPORT_PARTS_SHOWN joined by sep, then sep and
 * "... (N more)" (the json report has them all).
 */
#define REPORT_PARTS_SHOWN	8
void report_parts_text(const struct report_error_group *g, const char *sep,
    struct buf *out);

/*
 * The text, markdown and html reports list the first REPORT_ERRORS_SHOWN
 * error templates (the most severe and frequent), then report_errors_more's
 * "... N more templates (M events)" line, unescaped (nothing when none is
 * left out); the json report has them all.  A log of one-off failures has
 * about as many templates as error records, which a nightly mail cannot
 * carry.
 */
#define REPORT_ERRORS_SHOWN	200
void report_errors_more(const struct report_error_group *v, size_t n,
    struct buf *out);

/*
 * The text, markdown, html and prometheus reports show a metric's first
 * REPORT_GROUPS_SHOWN groups (the busiest) unless all is set (--all),
 * then report_groups_more's "... N more groups (M values)" line (nothing
 * when none is left out); the json report has them all.  A by-field that
 * takes a value per request, by mistake or by design, would otherwise
 * make a table, or a Prometheus family, of a row per event.
 */
#define REPORT_GROUPS_SHOWN	100
size_t report_groups_shown(const struct report_metric *m, int all);
void report_groups_more(const struct report_metric *m, int all,
    struct buf *out);

/* The heading of the untimed events' part of a report. */
#define REPORT_UNTIMED_TITLE \
	"Untimed events (their input had no time; in no window)"

/*
 * Whether the report is of untimed events alone: none in the window (nor
 * the baseline's), some untimed.  The renderers then leave out the empty
 * window's parts.
 */
int report_untimed_only(const struct report *r);

/*
 * "no timed events; N untimed events (their input had no time; in no
 * window)": the first line of a report of untimed events alone.
 */
void report_untimed_head(const struct report *r, struct buf *out);

/*
 * An untimed error group's sample as the text, markdown and html reports
 * show it, unescaped: its first line, cut to REPORT_SAMPLE_SHOWN bytes
 * (at a character) and "..." (the json report has the whole record).
 */
#define REPORT_SAMPLE_SHOWN	160
void report_sample_text(const struct report_error_group *g, struct buf *out);

/* Renderers append to out.  color: ANSI colours in text output. */
void report_render_text(const struct report *r, struct buf *out, int color);
void report_render_markdown(const struct report *r, struct buf *out);
void report_render_json(const struct report *r, struct buf *out);
void report_render_html(const struct report *r, struct buf *out);
/* t: the store's totals for the counters and histograms, or NULL for none. */
void report_render_prometheus(const struct report *r,
    const struct report_totals *t, struct buf *out);

#endif
