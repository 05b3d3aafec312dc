/*
 * tui.h - the interactive triage screen.  The core (tui.c) owns the
 * terminal, the main loop, the view stack, prompts, help and the polling of
 * the database for new data; each view lives in its own tui_*.c file and
 * exports one const struct tui_view.  Adding a view means one new file and
 * one row in the table in tui.c.
 *
 * Views read the store through the queries of store_tui.h, with keyset
 * paging; nothing here loads a whole table.  Every string that came from a
 * log goes to the screen through tui_put, which escapes it.
 */
#ifndef LOGTRIAGE_TUI_H
#define LOGTRIAGE_TUI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <wchar.h>

#include <curses.h>

#include "store_tui.h"

struct store;
struct tz;

/* What cmd_tui hands to tui_run.  Strings are borrowed. */
struct tui_opts {
	const char	 *db_path;	/* shown in the header */
	int64_t		  since;	/* --since, TS_NONE for the first event */
	int64_t		  until;	/* --until (exclusive), TS_NONE for the last */
	const char	**sources;	/* --source names; none = all */
	size_t		  nsources;
	int		  live;		/* a child is ingesting standard input */
	pid_t		  live_pid;	/* that child; tui_run reaps it, and stops it on quit */
	int		  live_fd;	/* its stderr (non-blocking), or -1 */
	const struct tz	 *tz;		/* --tz: shown at the start; NULL = UTC */
	const char	 *tz_name;	/* its name, for the labels */
};

/* Colour/attribute roles; without colour they map to plain attributes. */
enum tui_role {
	TUI_NORMAL,
	TUI_HEADER,
	TUI_TITLE,
	TUI_CURSOR,
	TUI_DIM,
	TUI_WARN,
	TUI_CRIT,
	TUI_MATCH,
	TUI_BAR
};

/*
 * The selection that drill-down carries from one view to the next: at most
 * one of rule and category, an optional narrower time range and source,
 * and the event shown in Detail.  Strings are owned by the tui.
 */
struct tui_sel {
	char		*rule;
	char		*category;
	int64_t		 source_id;	/* -1: every source of the filter */
	int64_t		 since, until;	/* TS_NONE: the window of the filter */
	int64_t		 event_id;	/* -1: none */
	unsigned	 gen;		/* bumped by whoever changes the fields above */
};

struct tui;

struct tui_view {
	const char	*name;
	/* View state: created once, freed at the end. */
	void		*(*create)(struct tui *t);
	void		 (*destroy)(void *state);
	/*
	 * (Re)read the data.  Called when the view becomes visible, when the
	 * selection or filter changed, and when the database changed; the
	 * view keeps the user's place.  Returns 0 or -1 with err.
	 */
	int		 (*load)(struct tui *t, void *state, char *err, size_t errlen);
	/* Draw into rows [y, y + h) of the screen, full width. */
	void		 (*draw)(struct tui *t, void *state, int y, int h);
	/* A key the core did not take; returns 1 if used. */
	int		 (*key)(struct tui *t, void *state, int key);
	/*
	 * Optional: the slow rest of a load, run after the screen shows what
	 * load read, when no key is waiting.  Returns 1 when it changed what
	 * is shown.
	 */
	int		 (*idle)(struct tui *t, void *state);
	/* One line of keys for the status bar. */
	const char	*keys;
	/*
	 * Optional: the keys that fit what is under the cursor, for the
	 * status bar in place of keys (a string the view owns), or NULL.
	 */
	const char	*(*hint)(struct tui *t, void *state);
	/*
	 * Optional: show the time ms (UTC), from the go-to-time prompt.
	 * Views without it leave the prompt to Events.
	 */
	void		 (*go_to)(struct tui *t, void *state, int64_t ms);
};

extern const struct tui_view tui_view_summary;
extern const struct tui_view tui_view_timeline;
extern const struct tui_view tui_view_events;
extern const struct tui_view tui_view_detail;

/*
 * Run the screen until the user quits or a signal arrives.  st must be
 * open.  Returns 0, or -1 with err (the terminal is already restored).
 * *signo is set to the terminating signal, or 0.
 */
int tui_run(struct store *st, const struct tui_opts *opts, int *signo,
    char *err, size_t errlen);

/*
 * Whether the idle work under way was cut short because a key arrived or a
 * signal came: the view leaves its work due and is asked again later.
 */
int tui_interrupted(struct tui *t);

/* For views: the store, the selection and the effective window. */
struct tui_search *tui_search(struct tui *t);
struct store *tui_store(struct tui *t);
struct tui_sel *tui_sel(struct tui *t);
void tui_window(struct tui *t, int64_t *since, int64_t *until);
/* JSON array of the filtered source ids ("[1,3]"), or NULL for all. */
const char *tui_sources_json(struct tui *t);
/*
 * The (rule, source) pairs that have events: of rule, else of the rules of
 * category, else of every rule the events know; only source_id when it is
 * >= 0, and only sources of the filter.  Views read each pair by a range of
 * ts on the index events_rule_ts, in (ts, id) order, instead of scanning
 * the table.  Returns 0 with *out (free with tui_pairs_free), or -1.
 */
struct tui_pair {
	char		*rule;
	int64_t		 source_id;
};
int tui_pairs(struct tui *t, const char *rule, const char *category,
    int64_t source_id, struct tui_pair **out, size_t *n);
void tui_pairs_free(struct tui_pair *p, size_t n);
/* The filtered source ids (borrowed; *n of them), or NULL for all. */
const int64_t *tui_source_ids(struct tui *t, size_t *n);
/* The source names or globs of the filter (borrowed); *n = 0 for all. */
const char **tui_source_patterns(struct tui *t, size_t *n);
int tui_cols(struct tui *t);
int tui_utf8(struct tui *t);

/*
 * Show view v, pushing it on the back stack (after changing the selection).
 * A view is reloaded whenever it comes to the front, so it must keep the
 * user's place unless sel->gen changed since its last load.
 */
void tui_push(struct tui *t, const struct tui_view *v);
/* Clear rule, category, range and source of the selection (bumps gen). */
void tui_sel_clear(struct tui *t);
/* Message for the status line (copied). */
void tui_message(struct tui *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Ask for a line of text on the bottom row.  Returns a fresh string
 * (caller frees; initial is the starting text), or NULL on Esc.
 */
char *tui_prompt(struct tui *t, const char *label, const char *initial);
/* Where Tab finds names: a query of one column, or a NULL-ended list. */
struct tui_names {
	enum store_tui_query	 query;		/* when words is NULL */
	const char *const	*words;
};
char *tui_prompt_names(struct tui *t, const char *label, const char *initial,
    const struct tui_names *names);
/* Does query (STORE_TUI_*_EXISTS) find name?  An error counts as yes. */
int tui_exists(struct tui *t, enum store_tui_query query, const char *name);

/*
 * The character at p: its display width in columns, or -1 when it cannot be
 * shown as it is (an invalid or incomplete sequence, which also resets *ps,
 * or a non-printable character).  *len is the bytes it takes (1 if invalid).
 */
int tui_char(const char *p, size_t n, mbstate_t *ps, size_t *len);

/*
 * Write s (n bytes, raw from the store) at (y, x) in at most width columns,
 * escaped with util_escape_terminal; pads with blanks to width when pad.
 * Returns the columns used.
 */
int tui_put(struct tui *t, int y, int x, int width, const char *s, size_t n,
    int pad);
int tui_width(struct tui *t, const char *s, size_t n);
int tui_put_hl(struct tui *t, int y, int x, int width, const char *s,
    size_t n, int pad, int skip);
/* The same for text written by logtriage itself (printf format). */
int tui_printf(struct tui *t, int y, int x, int width, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void tui_attr(struct tui *t, enum tui_role role, int on);
/* Attribute role for a rule severity (0 debug .. 5 critical). */
enum tui_role tui_severity_role(int severity);

/*
 * "2025-10-25 23:32:00" into out (at least 24 bytes), in the zone shown:
 * UTC, or the --tz zone (else local time) once z switched to it.
 */
void tui_format_time(int64_t ms, char *out, size_t outlen);
/* The name of that zone for labels: "UTC", the --tz name, or "local". */
const char *tui_zone(void);
/* That zone for the findings' times: the --tz zone, or NULL for UTC (also
 * when it is the system's local time, which the report cannot name). */
const struct tz *tui_zone_tz(void);
/* Milliseconds that zone's clocks are ahead of UTC at the instant ms. */
int64_t tui_zone_offset(int64_t ms);

/*
 * What the views show changes only when the data, the window or the
 * source filter does: a view whose load saw this generation may keep what
 * it loaded when it comes to the front again.
 */
uint64_t tui_generation(const struct tui *t);
/* util_format_duration's compact form ("5m03s", "41.2s") into out (16 bytes). */
void tui_format_duration(int64_t ms, char *out, size_t outlen);
/* A sparkline of n counts into b (one cell each), scaled to max. */
struct buf;
void tui_sparkline(struct tui *t, struct buf *b, const uint64_t *counts,
    size_t n);
/* Severity name (0..5). */
const char *tui_severity_name(int severity);

#endif
