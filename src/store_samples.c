/*
 * store_samples.c - the write path of the samples table (schema.sql):
 * which rules keep their rows there, moving a rule's rows when that
 * changes (sample_rules), and storing a call's samples, which no unique
 * index guards, without those stored already (sample_spans bounds the
 * search among timed ones, the ordinals of the call's rows among
 * untimed ones).  Works on struct store (store_int.h); the events table,
 * sources and transactions are store.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"
#include "store_samples.h"
#include "rules.h"
#include "util.h"

int
store_rule_samples(const struct ruleset *rs, size_t i)
{
	const struct rule *r = &rs->rules[i], *o;
	size_t j, k;

	if (r->metric_field == NULL || r->storm_n > 0 ||
	    r->expect_rule != NULL || r->nfollows > 0)
		return 0;
	for (j = 0; j < rs->n; j++) {
		o = &rs->rules[j];
		if (o->expect_rule != NULL && strcmp(o->expect_rule, r->id) == 0)
			return 0;
		for (k = 0; k < o->nfollows; k++)
			if (strcmp(o->follows_rules[k], r->id) == 0)
				return 0;
	}
	return 1;
}

/*
 * Moving a rule's rows into samples ([0]: its timed rows, as a database
 * without meta's untimed_samples keeps them; [2]: all of them) or back
 * into events ([1]), ids and all: what refers to them by id still finds
 * them.  The first statement asks whether there are rows to move, which
 * those of store_move_rows move (when there are); the last records where
 * the rule's rows are (into samples, the rule has its number first).
 */
#define MOVE_STEPS 5
#define MOVE_INTO(which) \
	{ "SELECT 1 FROM events WHERE rule = ?1" which " LIMIT 1", \
	  "INSERT INTO samples (id, source_id, rule_no, ts, hash, ordinal," \
	  " line, line_end, stream, text, fields, value, grp, link, inherited," \
	  " dup_of) SELECT e.id, e.source_id, r.no, e.ts, e.hash, e.ordinal," \
	  " e.line, e.line_end, e.stream, e.text, e.fields, e.value, e.grp," \
	  " e.link, e.inherited, e.dup_of FROM events e JOIN sample_rules r" \
	  " ON r.rule = e.rule WHERE e.rule = ?1" which, \
	  "INSERT INTO sample_spans (rule_no, first_ts, last_ts, n)" \
	  " SELECT r.no, min(e.ts), max(e.ts), count(*) FROM events e" \
	  " JOIN sample_rules r ON r.rule = e.rule WHERE e.rule = ?1" \
	  " AND e.ts IS NOT NULL GROUP BY r.no", \
	  "DELETE FROM events WHERE rule = ?1" which, \
	  "INSERT INTO sample_rules (rule) VALUES (?1)" }
static const unsigned char store_move_rows[3] = { 0x0e, 0x06, 0x0e };
static const char *const store_move_sql[3][MOVE_STEPS] = {
	MOVE_INTO(" AND ts IS NOT NULL"),
	{ "SELECT 1 FROM samples s JOIN sample_rules r ON r.no = s.rule_no"
	  " WHERE r.rule = ?1 LIMIT 1",
	  "INSERT INTO events (" EVENT_COLS ") SELECT " SAMPLE_COLS
	  " FROM samples s JOIN sample_rules r ON r.no = s.rule_no"
	  " WHERE r.rule = ?1",
	  "DELETE FROM samples WHERE rule_no = (SELECT no FROM sample_rules"
	  " WHERE rule = ?1)",
	  "DELETE FROM sample_spans WHERE rule_no = (SELECT no FROM"
	  " sample_rules WHERE rule = ?1)",
	  "DELETE FROM sample_rules WHERE rule = ?1" },
	MOVE_INTO(""),
};

/*
 * Move rule's rows into samples (into: 1) or back, with the statements of
 * st, prepared on first use.
 */
static int
store_move(struct store *s, sqlite3_stmt *st[MOVE_STEPS], int into,
    const char *rule, char *err, size_t errlen)
{
	int way = !into ? 1 : s->untimed_samples ? 2 : 0;
	const char *const *sql = store_move_sql[way];
	size_t k, j;
	int rc, any = 1;

	for (j = 0; j < MOVE_STEPS; j++) {
		/* into samples, the number first; back, it goes last */
		k = !into || j == 0 ? j : j == 1 ? MOVE_STEPS - 1 : j - 1;
		if (!any && (store_move_rows[way] >> k & 1))
			continue;
		if (st[k] == NULL && sqlite3_prepare_v2(s->db, sql[k], -1,
		    &st[k], NULL) != SQLITE_OK)
			return store_fail(s, err, errlen, "moving samples");
		sqlite3_bind_text(st[k], 1, rule, -1, SQLITE_STATIC);
		rc = sqlite3_step(st[k]);
		sqlite3_reset(st[k]);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return store_fail(s, err, errlen, "moving samples");
		if (k == 0)
			any = rc == SQLITE_ROW;
	}
	return 0;
}

/*
 * Keep each loaded rule's rows in the table store_rule_samples says
 * (moving them when a change of the rules changed it), and learn the
 * rules whose rows are in samples.
 */
int
store_samples_sync(struct store *s, const struct ruleset *rs, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL, *move[2][MOVE_STEPS];
	size_t i, k;
	int want, have, rc, failed = 0;

	memset(move, 0, sizeof move);
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sample_rules WHERE"
	    " rule = ?1", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, errlen, "reading sample_rules");
	for (i = 0; !failed && i < rs->n; i++) {
		sqlite3_bind_text(st, 1, rs->rules[i].id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_fail(s, err, errlen, "reading sample_rules");
			failed = 1;
			break;
		}
		have = rc == SQLITE_ROW;
		want = store_rule_samples(rs, i);
		if (want != have && store_move(s, move[want], want,
		    rs->rules[i].id, err, errlen) != 0)
			failed = 1;
	}
	sqlite3_finalize(st);
	for (i = 0; i < 2; i++)
		for (k = 0; k < MOVE_STEPS; k++)
			sqlite3_finalize(move[i][k]);
	if (failed || store_samples_load(s, err, errlen) != 0)
		return -1;
	s->samples_synced = 1;
	return 0;
}

/* Read sample_rules into s->sample_rules and s->sample_nos. */
int
store_samples_load(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t cap = s->nsample_rules, i;
	int rc;

	if ((st = store_stmt(s, ST_SAMPLE_RULES, err, errlen)) == NULL)
		return -1;
	for (i = 0; i < s->nsample_rules; i++)
		free(s->sample_rules[i]);
	s->nsample_rules = 0;
	memset(s->sample_seen, 0, sizeof s->sample_seen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->nsample_rules == cap) {
			cap = cap ? 2 * cap : 8;
			s->sample_rules = xrealloc(s->sample_rules,
			    cap * sizeof *s->sample_rules);
			s->sample_nos = xrealloc(s->sample_nos,
			    cap * sizeof *s->sample_nos);
		}
		s->sample_nos[s->nsample_rules] = sqlite3_column_int64(st, 0);
		s->sample_rules[s->nsample_rules++] =
		    xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading sample_rules");
	return 0;
}

/*
 * The number of rule in sample_rules when its rows go to samples
 * (store_sync_rules found which), else 0.
 */
static int64_t
store_sample_rule(struct store *s, const char *rule)
{
	struct sample_seen *seen;
	size_t i;

	if (s->nsample_rules == 0)
		return 0;
	seen = &s->sample_seen[util_ptr_slot(rule, SAMPLE_SEEN_BITS)];
	if (rule == seen->rule)
		return seen->no;
	seen->rule = rule;
	seen->no = 0;
	for (i = 0; i < s->nsample_rules; i++) {
		if (strcmp(s->sample_rules[i], rule) == 0) {
			seen->no = s->sample_nos[i];
			break;
		}
	}
	return seen->no;
}

/* The event hash is one already: mixing the rest in is enough. */
static uint64_t
sample_key_hash(const struct sample_key *k)
{
	uint64_t h = k->hash ^ (uint64_t)k->ts * 0x9e3779b97f4a7c15ull ^
	    (uint64_t)k->ordinal << 40 ^ (uint64_t)k->rule_no << 52 ^
	    (uint64_t)k->source_id * 0xc2b2ae3d27d4eb4full;

	return h ^ h >> 29;
}

/* Add k to the call's keys: 1, or 0 when it is there already. */
static int
sample_key_add(struct store *s, const struct sample_key *k)
{
	uint64_t h = sample_key_hash(k);
	size_t it = 0, i;

	while ((i = util_index_next(&s->key_index, h, &it)) != UTIL_INDEX_NONE)
		if (memcmp(&s->keys[i], k, sizeof *k) == 0)
			return 0;
	s->keys = util_grow(s->keys, &s->keys_cap, s->nkeys, sizeof *s->keys,
	    256);
	s->keys[s->nkeys] = *k;
	util_index_put(&s->key_index, h, s->nkeys++);
	return 1;
}

/* The call's span of rule_no (last: the previous row's, or -1), added if new. */
static int
sample_span_of(struct store *s, int64_t rule_no, int last)
{
	struct sample_span *p;
	size_t i;

	if (last >= 0 && s->spans[last].rule_no == rule_no)
		return last;
	for (i = 0; i < s->nspans; i++)
		if (s->spans[i].rule_no == rule_no)
			return (int)i;
	if (s->nspans == s->spans_cap) {
		s->spans_cap = s->spans_cap ? 2 * s->spans_cap : 8;
		s->spans = xrealloc(s->spans, s->spans_cap * sizeof *s->spans);
	}
	p = &s->spans[s->nspans];
	memset(p, 0, sizeof *p);
	p->rule_no = rule_no;
	p->lo = INT64_MAX;
	p->hi = INT64_MIN;
	return (int)s->nspans++;
}

/*
 * Whether the call's span p meets a stored span of its rule, or one this
 * transaction stores: then p->a and p->b are the hull of those it meets.
 */
static int
sample_span_meets(struct store *s, struct sample_span *p, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s, ST_SPAN_FIND, err, errlen);
	const struct sample_span *q;
	size_t i;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->rule_no);
	sqlite3_bind_int64(st, 2, p->lo);
	sqlite3_bind_int64(st, 3, p->hi);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		p->a = sqlite3_column_int64(st, 0);
		p->b = sqlite3_column_int64(st, 1);
		p->meets = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, errlen, "reading sample spans");
	for (i = 0; i < s->npending; i++) {
		q = &s->pending[i];
		if (q->hi < p->lo || q->lo > p->hi || q->rule_no != p->rule_no)
			continue;
		p->a = p->meets && p->a < q->lo ? p->a : q->lo;
		p->b = p->meets && p->b > q->hi ? p->b : q->hi;
		p->meets = 1;
	}
	return 0;
}

/*
 * Read into the call's keys those of r's stored samples in [lo, hi]: by
 * time, or by ordinal among the untimed ones.
 */
static int
sample_keys_load(struct store *s, const struct sample_range *r, int untimed,
    int64_t lo, int64_t hi, char *err, size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s, untimed ? ST_SAMPLE_UNTIMED_KEYS :
	    ST_SAMPLE_KEYS, err, errlen);
	struct sample_key k;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->rule_no);
	sqlite3_bind_int64(st, 2, r->source_id);
	sqlite3_bind_int64(st, 3, lo);
	sqlite3_bind_int64(st, 4, hi);
	k.rule_no = (int32_t)r->rule_no;
	k.source_id = r->source_id;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k.ts = untimed ? TS_NONE : sqlite3_column_int64(st, 0);
		k.hash = (uint64_t)sqlite3_column_int64(st, 1);
		k.ordinal = sqlite3_column_int(st, 2);
		sample_key_add(s, &k);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, errlen, "reading stored samples");
	return 0;
}

/*
 * Read the keys of the stored samples that the call's rows may repeat,
 * per rule and source: for its timed rows of rules whose span meets a
 * stored one, those in the overlap of the rows' time range and that
 * hull; for its untimed rows (untimed), those whose ordinals are in the
 * rows' range, which on a first reading holds none, since ordinals grow
 * through an input.
 */
static int
sample_overlaps_load(struct store *s, const struct store_event *evs, size_t n,
    int untimed, char *err, size_t errlen)
{
	struct sample_range *r;
	const struct sample_span *p;
	int64_t lo, hi, v;
	size_t i, k;
	int last = -1;

	s->nranges = 0;
	for (i = 0; i < n; i++) {
		if (s->span_of[i] < 0 || (evs[i].ts == TS_NONE) != untimed ||
		    (!untimed && !s->spans[s->span_of[i]].meets))
			continue;
		if (last < 0 || s->ranges[last].span != s->span_of[i] ||
		    s->ranges[last].source_id != evs[i].source_id) {
			for (k = 0; k < s->nranges; k++)
				if (s->ranges[k].span == s->span_of[i] &&
				    s->ranges[k].source_id == evs[i].source_id)
					break;
			if (k == s->nranges) {
				s->ranges = util_grow(s->ranges, &s->ranges_cap,
				    s->nranges, sizeof *s->ranges, 8);
				r = &s->ranges[s->nranges++];
				r->rule_no = s->spans[s->span_of[i]].rule_no;
				r->source_id = evs[i].source_id;
				r->lo = INT64_MAX;
				r->hi = INT64_MIN;
				r->span = s->span_of[i];
			}
			last = (int)k;
		}
		r = &s->ranges[last];
		v = untimed ? evs[i].ordinal : evs[i].ts;
		if (v < r->lo)
			r->lo = v;
		if (v > r->hi)
			r->hi = v;
	}
	for (k = 0; k < s->nranges; k++) {
		r = &s->ranges[k];
		lo = r->lo;
		hi = r->hi;
		/* timed rows: only the overlap with the stored hull */
		if (!untimed) {
			p = &s->spans[r->span];
			if (p->a > lo)
				lo = p->a;
			if (p->b < hi)
				hi = p->b;
		}
		if (lo <= hi && sample_keys_load(s, r, untimed, lo, hi, err,
		    errlen) != 0)
			return -1;
	}
	return 0;
}

/*
 * Tell the new samples of evs[0..n) from those stored before (added),
 * and mark each row's rule span (-1: not a sample).  *any: some are
 * samples.
 */
int
store_samples_sort(struct store *s, const struct store_event *evs, size_t n,
    unsigned char *added, int *any, char *err, size_t errlen)
{
	struct sample_span *p;
	struct sample_key k;
	int64_t no;
	size_t i;
	int last = -1, meets = 0, untimed = 0;

	*any = 0;
	s->nspans = 0;
	for (i = 0; i < n; i++) {
		s->span_of[i] = -1;
		added[i] = 0;
		if ((evs[i].ts == TS_NONE && !s->untimed_samples) ||
		    (no = store_sample_rule(s, evs[i].rule)) == 0)
			continue;
		*any = 1;
		last = sample_span_of(s, no, last);
		s->span_of[i] = last;
		if (evs[i].ts == TS_NONE) {
			untimed = 1;
			continue;
		}
		p = &s->spans[last];
		if (evs[i].ts < p->lo)
			p->lo = evs[i].ts;
		if (evs[i].ts > p->hi)
			p->hi = evs[i].ts;
	}
	if (!*any)
		return 0;
	s->nkeys = 0;
	util_index_clear(&s->key_index);
	for (i = 0; i < s->nspans; i++) {
		/* a span of untimed rows only has none */
		if (s->spans[i].lo > s->spans[i].hi)
			continue;
		if (sample_span_meets(s, &s->spans[i], err, errlen) != 0)
			return -1;
		meets |= s->spans[i].meets;
	}
	if ((meets && sample_overlaps_load(s, evs, n, 0, err, errlen) != 0) ||
	    (untimed && sample_overlaps_load(s, evs, n, 1, err, errlen) != 0))
		return -1;
	/* every row's key goes in: a call may repeat one of its own rows */
	for (i = 0; i < n; i++) {
		if (s->span_of[i] < 0)
			continue;
		k.rule_no = (int32_t)s->spans[s->span_of[i]].rule_no;
		k.source_id = evs[i].source_id;
		k.ts = evs[i].ts;
		k.hash = evs[i].hash;
		k.ordinal = evs[i].ordinal;
		added[i] = (unsigned char)sample_key_add(s, &k);
		if (k.ts != TS_NONE)
			s->spans[s->span_of[i]].n += added[i];
	}
	return 0;
}

/* Extend this transaction's spans by the call's that stored samples. */
void
store_samples_spans_note(struct store *s)
{
	const struct sample_span *c;
	struct sample_span *p;
	size_t g, i;

	for (g = 0; g < s->nspans; g++) {
		c = &s->spans[g];
		if (c->n == 0)
			continue;
		for (i = 0; i < s->npending; i++)
			if (s->pending[i].rule_no == c->rule_no)
				break;
		if (i == s->npending) {
			s->pending = util_grow(s->pending, &s->pending_cap,
			    s->npending, sizeof *s->pending, 8);
			s->pending[s->npending++] = *c;
			continue;
		}
		p = &s->pending[i];
		if (c->lo < p->lo)
			p->lo = c->lo;
		if (c->hi > p->hi)
			p->hi = c->hi;
		p->n += c->n;
	}
}

void
store_samples_spans_clear(struct store *s)
{
	s->npending = 0;
}

/* Write this transaction's spans into sample_spans. */
int
store_samples_spans_flush(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const struct sample_span *p;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < s->npending; i++) {
		if ((st = store_stmt(s, ST_SPAN_ADD, err, errlen)) == NULL) {
			rc = -1;
			break;
		}
		p = &s->pending[i];
		sqlite3_bind_int64(st, 1, p->rule_no);
		sqlite3_bind_int64(st, 2, p->lo);
		sqlite3_bind_int64(st, 3, p->hi);
		sqlite3_bind_int64(st, 4, p->n);
		rc = store_step(s, st, err, errlen, "saving a sample span");
	}
	store_samples_spans_clear(s);
	return rc;
}

/* Store the call's new samples (s->sample_rows) and forget them. */
int
store_samples_flush(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (s->sample_rows.n == 0)
		return 0;
	if ((st = store_stmt(s, ST_SAMPLE_ADD, err, errlen)) == NULL)
		return -1;
	rc = store_step(s, st, err, errlen, "storing a sample");
	s->sample_rows.n = 0;
	return rc;
}
