/*
 * store_tui.h - the queries of the triage screen (tui.c and its views),
 * each behind a name with the values it takes (?N, bound with
 * store_rows_bind_*) and the columns it gives.  A view prepares the ones
 * it needs once and runs them again and again as the user moves, so
 * they are statements to keep, not one-shot calls; each walks an index
 * by a range (keyset paging), none loads a whole table.  Knows the
 * tables, not the screens.
 */
#ifndef LOGTRIAGE_STORE_TUI_H
#define LOGTRIAGE_STORE_TUI_H

#include <stddef.h>
#include <stdint.h>

#include "store_rows.h"

enum store_tui_query {
	/* () -> (version): changes when another connection commits */
	STORE_TUI_DATA_VERSION,
	/* (?1 JSON array of globs) -> (JSON array of the ids of the sources they match) */
	STORE_TUI_SOURCE_IDS,
	/* (?1 JSON array of source ids or NULL: all) -> (first ts, last ts) of the sources' spans */
	STORE_TUI_SOURCES_SPAN,
	/* (?1 as above) -> (first ts, last ts) of their events */
	STORE_TUI_EVENTS_SPAN,
	/* () -> (the least rule with events, NULL when none) */
	STORE_TUI_FIRST_RULE,
	/* (?1 rule) -> (the next rule with events, NULL when none) */
	STORE_TUI_NEXT_RULE,
	/* (?1 category) -> (id) of its rules, by id */
	STORE_TUI_CATEGORY_RULES,
	/* (?1 rule, ?2 source id) -> (the next source with events of rule, NULL when none) */
	STORE_TUI_NEXT_SOURCE,
	/* () -> (name) of every source, by name */
	STORE_TUI_SOURCE_NAMES,
	/* () -> (id) of every rule the rules table or the events know, by id */
	STORE_TUI_RULE_NAMES,
	/* () -> (category) of the rules, by name */
	STORE_TUI_CATEGORY_NAMES,
	/* (?1 glob) -> a row when a source's name matches */
	STORE_TUI_SOURCE_EXISTS,
	/* (?1 rule) -> a row when the rules table or the events know it */
	STORE_TUI_RULE_EXISTS,
	/* (?1 category) -> a row when a rule has it */
	STORE_TUI_CATEGORY_EXISTS,
	/*
	 * (?1 JSON array of source ids or NULL: all) -> (count) of their
	 * untimed events, which no window holds; fails on a database made
	 * before untimed events
	 */
	STORE_TUI_UNTIMED,

	/*
	 * Events: (?1 rule, ?2 source id, ?3..?4 ts range (inclusive),
	 * ?5/?6 the key (ts, id), ?7 a text the line must hold (caseless) or
	 * NULL, ?8 limit) -> (id, ts, source name or '?', rule, text).
	 * Forward from the key, inclusive, by (ts, id); back from it,
	 * newest first.  The HIT ones take only lines the search matches
	 * (store_tui_search) and start after the key.
	 */
	STORE_TUI_EVENTS_FWD,
	STORE_TUI_EVENTS_BACK,
	STORE_TUI_EVENTS_HIT_FWD,
	STORE_TUI_EVENTS_HIT_BACK,
	/* (?1 rule) -> (category, severity) */
	STORE_TUI_RULE_CLASS,

	/*
	 * Detail: (?1 event id) -> (id, ts, source name or '?', rule,
	 * category or '?', severity or 0, summary, line, line_end, stream,
	 * text, fields, link, inherited, source_id, value, grp).
	 */
	STORE_TUI_EVENT,
	/* (?1 event id) -> (id, ts, rule, text) */
	STORE_TUI_EVENT_BRIEF,
	/* (?1 event id, ?2 limit) -> (id, ts, rule, text) of the events linked to it */
	STORE_TUI_EVENTS_LINKED,
	/*
	 * (?1 rule, ?2 source id, ?3 ts, ?4 event id) -> (kind, rule, key,
	 * start, end, count) of the pair's incidents around ts and those the
	 * event started, ten at most
	 */
	STORE_TUI_EVENT_INCIDENTS,
	/* (?1 rule) -> (unit) */
	STORE_TUI_RULE_UNIT,

	/* Summary: () -> (id, category, severity) of every rule */
	STORE_TUI_RULES,
	/* (?1 rule, ?2 source id, ?3..?4 [since, until)) -> (ts) */
	STORE_TUI_PAIR_TIMES,
	/*
	 * (?1..?2 [since, until), ?3 JSON array of source ids or NULL, ?4
	 * limit) -> (kind, rule, category or '?', severity or 0, source name
	 * or '?', key, start, end, count, details, source_id) of the
	 * incidents overlapping, the worst first
	 */
	STORE_TUI_INCIDENTS,
	/* (?1..?3 as above) -> (count) of them */
	STORE_TUI_INCIDENT_COUNT,
	/*
	 * (?1..?2 minutes, inclusive) -> (rule, source_id, minute, n); fails
	 * on a database made before event_minutes
	 */
	STORE_TUI_MINUTES,

	/* Timeline: (?1 rule, ?2 source id, ?3..?4 [since, until)) -> (count) */
	STORE_TUI_PAIR_COUNT,
	/* (?1 rule) -> (severity) */
	STORE_TUI_RULE_SEVERITY,
	/* (?1 rule, ?2 source id, ?3..?4 [since, until)) -> (start, end) of the overlapping incidents */
	STORE_TUI_PAIR_INCIDENTS,
	/* (?1 rule, ?2 source id, ?3..?4 minutes [from, to)) -> (sum of n); fails as STORE_TUI_MINUTES */
	STORE_TUI_PAIR_MINUTES,

	STORE_TUI_NQUERIES
};

/*
 * Prepare query which into *q (the caller frees it): 0, or -1 with *q
 * NULL, the why for store_read_error.
 */
int store_tui_prepare(struct store *s, enum store_tui_query which,
    struct store_rows **q);

/*
 * What the HIT queries take: match(arg, text, len) != 0 for a line the
 * search finds.  NULL match takes the function away (before arg goes).
 */
int store_tui_search(struct store *s, int (*match)(void *arg,
    const char *text, size_t len), void *arg);

/*
 * While a long query runs, ask stop(arg) every so many steps of the
 * database: nonzero stops the query, which then fails.  NULL stop: no
 * more asking.
 */
void store_tui_interruptible(struct store *s, int (*stop)(void *arg),
    void *arg);

#endif
