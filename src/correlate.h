/*
 * correlate.h - bring incidents and links up to date with the stored events.
 * Ingest tells it which (rule, source) pairs received new events and from
 * what log time.  Within one run correlate_run feeds in-order events to
 * trackers kept live between commits (state bounded by live keys) and
 * recomputes from a quiet point before that time otherwise, so split,
 * repeated or out-of-order ingests end with the same incidents as one
 * ingest of everything.  Windows run on log time only.  correlate_new
 * installs the connection's rollback hook: a rolled-back transaction drops
 * the live state.
 * The window logic itself lives in correlator.h; this file is its glue to
 * the store.
 */
#ifndef LOGTRIAGE_CORRELATE_H
#define LOGTRIAGE_CORRELATE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct ruleset;

struct correlate;

struct correlate *correlate_new(struct store *st, const struct ruleset *rs,
    char *err, size_t errlen);
void correlate_free(struct correlate *c);

/* True if events of this rule take part in any correlation (as subject or target). */
int correlate_wants(const struct correlate *c, int rule_index);

/* A new event of rule_index from source_id at ts was stored (untimed: none noted). */
void correlate_note(struct correlate *c, int rule_index, int64_t source_id, int64_t ts);

/*
 * The event correlate_note was just told of was stored as id, with this
 * metric value (if has_value) and group (grp_len bytes; NULL: none), as
 * its columns value and grp.  A rule with same = over the metric and its
 * by-field then marks the repeats among the new events without reading
 * them back; an event noted without this is read back.  grp is copied.
 */
void correlate_note_sample(struct correlate *c, int rule_index,
    int64_t source_id, int64_t ts, int64_t id, int has_value, double value,
    const char *grp, size_t grp_len);

/*
 * The event correlate_note was just told of was stored as id, with these
 * fields (len bytes, as stored in its column fields; NULL: none).  The
 * storms, expectations and follows it takes part in then take it from
 * here, keyed by their by-field (follows: with its fields), without
 * reading it back, where they can; an event noted without this is read
 * back.  fields is copied.
 */
void correlate_note_fields(struct correlate *c, int rule_index,
    int64_t source_id, int64_t ts, int64_t id, const char *fields, size_t len);

/*
 * A source's log time advanced to ts (its latest record), which may settle
 * open expectations even without new events.
 */
void correlate_note_time(struct correlate *c, int64_t source_id, int64_t ts);

/*
 * source_id was added to the store by this connection just now: nothing
 * was stored for it before, so its first recompute has no quiet point to
 * look for and no incidents to clear.  Forgotten with the live state.
 */
void correlate_note_new_source(struct correlate *c, int64_t source_id);

/*
 * The value of field name (namelen bytes; NULL: none) in fields (len
 * bytes), as json_extract(fields, '$."name"') gives it, where fields is
 * what the store writes: "{", then "key":"text" pairs apart by ",", then
 * "}", with no white space and no escape or control character in any
 * string, and name a key at most once.  1: the text is *value (pointing
 * into fields), *vlen bytes; 0: fields has no such key (json_extract
 * gives NULL); -1: anything else, which only SQLite can judge.
 */
int correlate_field_text(const char *fields, size_t len, const char *name,
    size_t namelen, const char **value, size_t *vlen);

/* Recompute what the notes touched; call inside the ingest transaction. */
int correlate_run(struct correlate *c, char *err, size_t errlen);

/* Recompute everything for every correlated rule (after rules changed). */
int correlate_rebuild(struct correlate *c, char *err, size_t errlen);

/*
 * Events marked a repeat of a sample (same = ...) by the runs since the
 * last call, net of marks a later event undid; resets the count.
 */
uint64_t correlate_take_repeats(struct correlate *c);

#endif
