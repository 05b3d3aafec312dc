/*
 * store_report.h - the queries the report reads the store with (report.c
 * for a window, report_totals.c for the all-time counters), each behind
 * a name with the columns it gives.  They run per rule, or per (rule,
 * source), so that the events_rule_ts index is walked by a range of ts:
 * store_report_at points one at the next (rule, source).  Knows the
 * tables, not what the report makes of them.
 *
 * A function that hands out *q (a struct store_rows, store_rows.h)
 * returns 0 with it before its first row, or -1 with err ("database: "
 * and SQLite's message); the caller frees it.
 */
#ifndef LOGTRIAGE_STORE_REPORT_H
#define LOGTRIAGE_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store_rows.h"

/*
 * Run q again for rule, source_id and the window [since, until) (as
 * bind values: INT64_MIN/INT64_MAX when open), and name, the field or
 * rule a query below takes as its name (NULL: none).  A query that has
 * no use for one of them leaves it out.
 */
void store_report_at(struct store_rows *q, const char *rule,
    int64_t source_id, int64_t since, int64_t until, const char *name);

/* ---- report.c: a window ---- */

/* (id, name) of every source, by name. */
int store_report_sources(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/*
 * The rules: (id, category, severity, summary, metric_field, metric_by,
 * follows_rule, follows_by, expect_rule, expect_by, unit, slow, counts,
 * counts_by, means) by id; a database no writer has opened since the
 * last five were added gives the first ten only (store_rows_columns).
 */
int store_report_rules(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/* Whether events.dup_of exists (a database of a newer writer). */
int store_report_has_dup(struct store *s);
/* At (rule, -, window): (source_id, ts) of the rule's events, by both. */
int store_report_rule_times(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/* (source_id, lines, records, bytes, malformed, truncated) of volume minutes [mlo, mhi). */
int store_report_volume(struct store *s, int64_t mlo, int64_t mhi,
    struct store_rows **q, char *err, size_t errlen);
/*
 * (source_id, rule, count) of the untimed events per source and rule; *q
 * NULL for a database no writer has opened since untimed events came.
 */
int store_report_untimed(struct store *s, struct store_rows **q);
/*
 * At (rule): (logger or '', template or '', count, source_id, its first
 * record's text, parts as in store_report_error_groups, that record's
 * ordinal) of its untimed events per source and template, through the
 * index of untimed rows.
 */
int store_report_untimed_errors(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/*
 * At (rule): (value, grp, is a repeat, source_id, NULL) of its untimed
 * events, a source's together (store_report_metric_values' columns).
 */
int store_report_untimed_values(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/*
 * (kind, rule, key, start, end, count, peak_per_min, detected_at,
 * source_id, rowid) of the incidents overlapping [since, until).
 */
int store_report_incidents(struct store *s, int64_t since, int64_t until,
    struct store_rows **q, char *err, size_t errlen);
/*
 * At (rule, -, window): (value, grp, is a repeat, source_id, ts) of its
 * events, a source's together; has_dup 0: no repeat is known.
 */
int store_report_metric_values(struct store *s, int has_dup,
    struct store_rows **q, char *err, size_t errlen);
/* At (rule, source, window): (count) of its repeats of a sample. */
int store_report_repeats(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/*
 * At (rule): (target rule, whether inherited) of its first linked event,
 * no row when none links.
 */
int store_report_link_target(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/*
 * At (rule, source, window, by-field): (target rule or '', by-value or '',
 * count) of its linked events.
 */
int store_report_links(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/*
 * At (rule, source, window, by-field): (by-value, count) of its events;
 * in_grp: the value is the stored metric group (the field is not read);
 * has_dup: repeats of a sample are left out.
 */
int store_report_counted(struct store *s, int has_dup, int in_grp,
    struct store_rows **q, char *err, size_t errlen);
/* At (rule, source, window): (error field or '', count) of its unlinked events. */
int store_report_unlinked_errors(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/*
 * At (rule, source, window, metric rule): (the greatest value of the
 * metric rule within a second of a linked event of rule), NULL if none.
 */
int store_report_beside_max(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/* At (rule, source, window): (logger or '', template or '', count, first ts, last ts). */
int store_report_error_groups(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/* At (rule, source, window): (first ts, last ts), NULL when none. */
int store_report_span(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/* At (rule, source): (newest ts of all time), NULL when none. */
int store_report_newest(struct store *s, struct store_rows **q, char *err,
    size_t errlen);

/* ---- report_totals.c: all time ---- */

/* (source_id) of the sources with events of rule. */
int store_totals_rule_sources(struct store *s, const char *rule,
    struct store_rows **q, char *err, size_t errlen);
/* (id, name, last_ts) of every source, by name. */
int store_totals_sources(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/* (rule, category or '', source_id, count) of the events. */
int store_totals_counts(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/* (id, unit) of the metric rules by id; unit NULL in an older database. */
int store_totals_metric_rules(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/* At (rule, source): (value, group or '') of its events with a value. */
int store_totals_metric_values(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/* (id, by-field) of the rules that link, by id. */
int store_totals_link_rules(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/* At (rule, source, -, by-field): (target rule or '', by-value or '', count). */
int store_totals_links(struct store *s, struct store_rows **q, char *err,
    size_t errlen);
/* (kind, rule, source_id, count) of the unresolved and open incidents. */
int store_totals_incidents(struct store *s, struct store_rows **q,
    char *err, size_t errlen);
/* One row: (when the last finished ingest ended or NULL, failed ingests). */
int store_totals_ingests(struct store *s, struct store_rows **q, char *err,
    size_t errlen);

#endif
