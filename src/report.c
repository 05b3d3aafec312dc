/*
 * report.c - build the report model from the store: rule counts, input
 * volume, incidents, metric distributions, links, hourly buckets and the
 * findings, for a window of log time and a set of sources.  Reads the
 * database only; knows nothing about parsing or about how it is shown.
 *
 * Every query runs per (rule, source) so that it walks the events_rule_ts
 * index by a range of ts instead of scanning the table.
 */
#include <assert.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rules.h"
#include "store.h"
#include "store_report.h"

/* A minute with this many events of an error rule is a burst. */
#define REPORT_BURST_PER_MIN	10
#define REPORT_ERROR_FINDINGS	10	/* error templates listed as findings of their own */
/* A fallback rate at or above this percentage is an error, below it a warning. */
#define REPORT_FALLBACK_ERROR_PCT	10

struct rsrc {
	int64_t		 id;
	char		*name;
};

/* A rule row as read from the rules table. */
struct rrule {
	char		*metric_field, *metric_by;
	char		*follows_rule, *follows_by;
	char		*expect_rule, *expect_by;
	char		*unit, *slow;		/* of the metric; NULL when none */
	char		*counts, *counts_by;	/* counts = NOUN [by F] */
	char		*means;
};

/*
 * The busiest minute of a (rule, source): most events, the earliest on
 * ties; kept only when it holds a burst (REPORT_BURST_PER_MIN or more).
 */
struct busy {
	size_t		 rule, src;	/* r->rules, c->src */
	int64_t		 minute;	/* ts / 60000 */
	uint64_t	 n;
};

struct ctx {
	struct store		*s;
	const struct report_query *q;
	int64_t			 lo, hi;	/* bind values of [since, until) */
	struct rsrc		*src;		/* sources passing --source */
	size_t			 nsrc;
	struct util_index	 src_index;	/* of src by id */
	size_t			*src_at;	/* of src by id, when ids are dense */
	int64_t			 nsrc_at;	/* ids 0 .. nsrc_at - 1 */
	int			 names_given;	/* src[].name belong to r->source_names */
	uint64_t		*src_events;	/* parallel to src: events of all rules */
	struct rrule		*rr;		/* parallel to r->rules */
	struct busy		*busiest;	/* by rule, then source */
	size_t			 nbusiest, busiestcap;
	int			 has_links;	/* the rules table records follows/expect */
	int			 has_dup;	/* events.dup_of exists (newer databases) */
	struct counted		*counted;	/* denominators read so far */
	size_t			 ncounted, countedcap;
	size_t			 hourlycap;	/* of r->hourly */
	size_t			 hourlysevcap;	/* of r->hourly_sev */
	struct util_index	 counted_index;	/* of counted by (rule, src) */
	char			*err;
	size_t			 errlen;
};

/*
 * The events a counting rule counts on one source, per value of its
 * by-field ("" without one), repeats left out: one pass, kept for every
 * rate that asks.
 */
/*
 * Values a counted table looks up by scanning before it builds its index:
 * a source per line makes as many tables as sources, most with one value.
 */
#define COUNTED_SCAN	8

struct counted {
	size_t			 rule, src;
	char			**value;
	uint64_t		*n;
	size_t			 nvalue;
	struct util_index	 index;	/* of value: a model per request is common */
};

struct vg {
	char		*grp;
	double		*v;
	int32_t		*hour;		/* parallel to v: ts / 3600000 */
	size_t		 n, cap, hcap;
};

static int
step_err(struct ctx *c, int rc)
{
	if (rc >= 0)
		return 0;
	store_read_error(c->s, c->err, c->errlen, "database");
	return -1;
}

static char *
col_str(struct store_rows *st, int i)
{
	const char *t = store_rows_text(st, i);

	return t == NULL ? NULL : xstrdup(t);
}

/* Point st at rule, source and the window. */
static void
bind_rsw(struct ctx *c, struct store_rows *st, const char *rule,
    int64_t source_id)
{
	store_report_at(st, rule, source_id, c->lo, c->hi, NULL);
}

double
report_percentile(const double *sorted, size_t n, unsigned p)
{
	uint64_t rank = ((uint64_t)p * n + 99) / 100;

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/*
 * Whether --source patterns select name.  literal[i]: a source is called
 * exactly patterns[i], which then selects only that source ('app[1].log'
 * is a file name before it is a glob).
 */
static int
source_wanted(const struct report_query *q, const int *literal,
    const char *name)
{
	size_t i;

	if (q->nsources == 0)
		return 1;
	for (i = 0; i < q->nsources; i++)
		if (strcmp(q->sources[i], name) == 0 ||
		    (!literal[i] && fnmatch(q->sources[i], name, 0) == 0))
			return 1;
	return 0;
}

static int
load_sources(struct ctx *c)
{
	struct store_rows *st;
	int rc, *literal;
	size_t i, j, n = 0;

	if (store_report_sources(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	while ((rc = store_rows_next(st)) == 1) {
		const char *name = store_rows_text(st, 1);

		if (name == NULL)
			continue;
		c->src = util_grow(c->src, &n, c->nsrc, sizeof(*c->src), 64);
		c->src[c->nsrc].id = store_rows_int64(st, 0);
		c->src[c->nsrc].name = xstrdup(name);
		c->nsrc++;
	}
	store_rows_free(st);
	literal = xcalloc(c->q->nsources + 1, sizeof(*literal));
	for (i = 0; i < c->q->nsources; i++)
		for (j = 0; j < c->nsrc && !literal[i]; j++)
			literal[i] = strcmp(c->q->sources[i], c->src[j].name) == 0;
	for (i = j = 0; i < c->nsrc; i++) {
		if (source_wanted(c->q, literal, c->src[i].name))
			c->src[j++] = c->src[i];
		else
			free(c->src[i].name);
	}
	c->nsrc = j;
	free(literal);
	return step_err(c, rc);
}

static int
load_rules(struct ctx *c, struct report *r)
{
	struct store_rows *st;
	int rc;

	/*
	 * A database no writer has opened since these columns were added
	 * lacks them (a reader does not add them): its rules have none.
	 */
	if (store_report_rules(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	c->has_dup = store_report_has_dup(c->s);
	while ((rc = store_rows_next(st)) == 1) {
		struct report_rule *ru;
		struct rrule *x;

		r->rules = xrealloc(r->rules, (r->nrules + 1) * sizeof(*r->rules));
		c->rr = xrealloc(c->rr, (r->nrules + 1) * sizeof(*c->rr));
		ru = &r->rules[r->nrules];
		x = &c->rr[r->nrules];
		memset(ru, 0, sizeof(*ru));
		memset(x, 0, sizeof(*x));
		ru->id = col_str(st, 0);
		ru->category = col_str(st, 1);
		if (ru->category == NULL)
			ru->category = xstrdup("");
		ru->severity = store_rows_int(st, 2);
		ru->summary = col_str(st, 3);
		x->metric_field = col_str(st, 4);
		x->metric_by = col_str(st, 5);
		x->follows_rule = col_str(st, 6);
		x->follows_by = col_str(st, 7);
		x->expect_rule = col_str(st, 8);
		x->expect_by = col_str(st, 9);
		if (store_rows_columns(st) > 10) {
			x->unit = col_str(st, 10);
			x->slow = col_str(st, 11);
			x->counts = col_str(st, 12);
			x->counts_by = col_str(st, 13);
			x->means = col_str(st, 14);
		}
		if (x->follows_rule != NULL || x->expect_rule != NULL)
			c->has_links = 1;
		r->nrules++;
	}
	store_rows_free(st);
	return step_err(c, rc);
}

static int
bucket_cmp(const void *a, const void *b)
{
	const struct report_bucket *x = a, *y = b;
	int d;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	d = strcmp(x->category, y->category);
	return d;
}

static int
sev_bucket_cmp(const void *a, const void *b)
{
	const struct report_sev_bucket *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->severity - y->severity;
}

/*
 * Add n events of hour h and rule ru to the hourly buckets.  The rule's
 * hours so far are in hours (emptied for each rule): a source per line
 * would otherwise make a bucket, a category copy and a sort entry per
 * (rule, source, hour).  r->hourly and r->hourly_sev grow together, so a
 * position is the same in both.
 */
static void
hour_add(struct ctx *c, struct report *r, struct util_index *hours,
    int64_t h, const struct report_rule *ru, uint64_t n)
{
	struct report_bucket *b;
	struct report_sev_bucket *sb;
	uint64_t hh = util_hash64(&h, sizeof h, UTIL_HASH_SEED);
	size_t i, it = 0;

	while ((i = util_index_next(hours, hh, &it)) != UTIL_INDEX_NONE)
		if (r->hourly[i].start == h * 3600000) {
			r->hourly[i].n += n;
			r->hourly_sev[i].n += n;
			return;
		}
	util_index_put(hours, hh, r->nhourly);
	r->hourly = util_grow(r->hourly, &c->hourlycap, r->nhourly,
	    sizeof(*r->hourly), 64);
	b = &r->hourly[r->nhourly++];
	b->start = h * 3600000;
	b->category = xstrdup(ru->category);
	b->n = n;
	r->hourly_sev = util_grow(r->hourly_sev, &c->hourlysevcap,
	    r->nhourly_sev, sizeof(*r->hourly_sev), 64);
	sb = &r->hourly_sev[r->nhourly_sev++];
	sb->start = b->start;
	sb->severity = ru->severity;
	sb->n = n;
}

static uint64_t
src_hash(int64_t id)
{
	return util_hash64(&id, sizeof id, UTIL_HASH_SEED);
}

/* The position in c->src of the source with this id, or UTIL_INDEX_NONE. */
static size_t
src_find(const struct ctx *c, int64_t id)
{
	size_t i, it = 0;

	if (c->src_at != NULL)
		return id >= 0 && id < c->nsrc_at ? c->src_at[id] :
		    UTIL_INDEX_NONE;
	while ((i = util_index_next(&c->src_index, src_hash(id), &it)) !=
	    UTIL_INDEX_NONE)
		if (c->src[i].id == id)
			return i;
	return UTIL_INDEX_NONE;
}

/*
 * Index c->src by id.  Source ids are the sources table's rowids, so
 * nearly always dense: then an array by id, one memory access a lookup
 * where the hash costs two cache misses, which shows with a million
 * sources.  Sparse ids (a --source filter, many pruned sources) take the
 * hash.
 */
static void
src_index_build(struct ctx *c)
{
	int64_t max = -1;
	size_t j;

	for (j = 0; j < c->nsrc; j++) {
		if (c->src[j].id < 0) {
			max = INT64_MAX;
			break;
		}
		if (c->src[j].id > max)
			max = c->src[j].id;
	}
	if (max < (int64_t)(2 * c->nsrc + 64)) {
		c->nsrc_at = max + 1;
		c->src_at = xmalloc(((size_t)c->nsrc_at + 1) * sizeof(*c->src_at));
		for (j = 0; j < (size_t)c->nsrc_at; j++)
			c->src_at[j] = UTIL_INDEX_NONE;
		for (j = 0; j < c->nsrc; j++)
			c->src_at[c->src[j].id] = j;
		return;
	}
	for (j = 0; j < c->nsrc; j++)
		util_index_put(&c->src_index, src_hash(c->src[j].id), j);
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Rule counts per source, the covered window, hourly buckets and each
 * (rule, source)'s busiest minute, in one pass over the ts of the events
 * in the window.  The index events_rule_ts gives them per (rule, source)
 * in ts order, so hours and minutes arrive as runs and counting them in C
 * costs one step per event, half of what a GROUP BY costs in SQL.
 */
static int
load_counts(struct ctx *c, struct report *r)
{
	struct store_rows *st = NULL;
	int64_t first = TS_NONE, last = TS_NONE;
	size_t i, j, k, out;
	int rc = 0;

	/*
	 * One pass per rule over all its sources (a source per line makes
	 * them as many as the events); the index gives each source's events
	 * in time order, as a query per source would.
	 */
	if (store_report_rule_times(c->s, &st, c->err, c->errlen) != 0)
		goto fail;
	r->source_names = xcalloc(c->nsrc + 1, sizeof(*r->source_names));
	r->nsource_names = c->nsrc;
	c->src_events = xcalloc(c->nsrc + 1, sizeof(*c->src_events));
	src_index_build(c);
	/* the report owns the names from here; c->src still reads them */
	c->names_given = 1;
	for (j = 0; j < c->nsrc; j++)
		r->source_names[j] = c->src[j].name;
	for (i = 0; i < r->nrules; i++) {
		struct report_rule *ru = &r->rules[i];
		int64_t sid, cur_sid = 0;
		int have = 0;
		struct util_index hours;
		size_t wcap = 0;

		/*
		 * A source without events of the rule is never written to:
		 * its part of the (zeroed) array costs no memory.
		 */
		ru->per_source = xcalloc(c->nsrc ? c->nsrc : 1, sizeof(*ru->per_source));
		ru->nper_source = c->nsrc;
		util_index_init(&hours);
		bind_rsw(c, st, ru->id, 0);
		rc = store_rows_next(st);
		while (rc == 1) {
			struct busy bz = { i, 0, 0, 0 };
			int64_t ts, h = 0, m = 0, lo = TS_NONE, hi = TS_NONE;
			uint64_t n = 0, nh = 0, nm = 0;

			sid = store_rows_int64(st, 0);
			if (have && sid == cur_sid) {
				rc = store_rows_next(st);
				continue;
			}
			have = 1;
			cur_sid = sid;
			if ((j = src_find(c, sid)) == UTIL_INDEX_NONE) {
				rc = store_rows_next(st);
				continue;
			}
			bz.src = j;
			do {
				ts = store_rows_int64(st, 1);
				if (n++ == 0) {
					lo = ts;
					h = ts / 3600000;
					m = ts / 60000;
				}
				hi = ts;
				if (ts / 3600000 != h) {
					hour_add(c, r, &hours, h, ru, nh);
					h = ts / 3600000;
					nh = 0;
				}
				nh++;
				if (ts / 60000 != m) {
					if (nm > bz.n) {
						bz.n = nm;
						bz.minute = m;
					}
					m = ts / 60000;
					nm = 0;
				}
				nm++;
			} while ((rc = store_rows_next(st)) == 1 &&
			    store_rows_int64(st, 0) == sid);
			ru->per_source[j].source = r->source_names[j];
			ru->per_source[j].n = n;
			ru->with_events = util_grow(ru->with_events, &wcap,
			    ru->nwith_events, sizeof(*ru->with_events), 16);
			ru->with_events[ru->nwith_events++] = j;
			c->src_events[j] += n;
			ru->count += n;
			hour_add(c, r, &hours, h, ru, nh);
			if (nm > bz.n) {
				bz.n = nm;
				bz.minute = m;
			}
			if (bz.n >= REPORT_BURST_PER_MIN) {
				c->busiest = util_grow(c->busiest, &c->busiestcap,
				    c->nbusiest, sizeof(*c->busiest), 16);
				c->busiest[c->nbusiest++] = bz;
			}
			if (first == TS_NONE || lo < first)
				first = lo;
			if (last == TS_NONE || hi > last)
				last = hi;
		}
		util_index_free(&hours);
		if (rc != 0)
			goto fail;
		for (k = 1; k < ru->nwith_events; k++)
			if (ru->with_events[k - 1] > ru->with_events[k])
				break;
		if (k < ru->nwith_events)
			qsort(ru->with_events, ru->nwith_events,
			    sizeof(*ru->with_events), size_cmp);
		r->total_events += ru->count;
	}
	rc = 0;
	/* Merge the per-rule hours into one bucket per (hour, category). */
	if (r->nhourly > 0) {
		qsort(r->hourly, r->nhourly, sizeof(*r->hourly), bucket_cmp);
		for (k = 1, out = 0; k < r->nhourly; k++) {
			if (bucket_cmp(&r->hourly[out], &r->hourly[k]) == 0) {
				r->hourly[out].n += r->hourly[k].n;
				free(r->hourly[k].category);
			} else
				r->hourly[++out] = r->hourly[k];
		}
		r->nhourly = out + 1;
		qsort(r->hourly_sev, r->nhourly_sev, sizeof(*r->hourly_sev),
		    sev_bucket_cmp);
		for (k = 1, out = 0; k < r->nhourly_sev; k++) {
			if (sev_bucket_cmp(&r->hourly_sev[out], &r->hourly_sev[k]) == 0)
				r->hourly_sev[out].n += r->hourly_sev[k].n;
			else
				r->hourly_sev[++out] = r->hourly_sev[k];
		}
		r->nhourly_sev = out + 1;
	}
	r->since = c->q->since != TS_NONE ? c->q->since : first;
	r->until = c->q->until != TS_NONE ? c->q->until :
	    (last == TS_NONE ? TS_NONE : last + 1);
	store_rows_free(st);
	return 0;
fail:
	step_err(c, rc == 1 || rc == 0 ? -1 : rc);
	store_rows_free(st);
	return -1;
}

static int
busiest_cmp(const void *a, const void *b)
{
	const struct report_source_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->source, y->source);
}

/*
 * Run st, a query of (source_id, ...) rows, and call row() with the
 * position in c->src of each row's source (rows of other sources, left
 * out by --source, are skipped).  One query over all sources: a query per
 * source costs a statement step each, which is most of the time with a
 * source per line.
 */
static int
per_source_rows(struct ctx *c, struct store_rows *st, struct report *r,
    void (*row)(struct ctx *, struct report *, struct store_rows *, size_t,
    unsigned char *), unsigned char *seen)
{
	size_t i;
	int rc;

	while ((rc = store_rows_next(st)) == 1)
		if ((i = src_find(c, store_rows_int64(st, 0))) !=
		    UTIL_INDEX_NONE)
			row(c, r, st, i, seen);
	return rc == 0 ? 0 : step_err(c, rc);
}

/*
 * The volume rows of the window, added up here: SQLite's GROUP BY with five
 * total()s cost more than the rest of the pass with a source per line.
 * Counts are whole numbers, so the sums are those of total().
 */
static int
volume_rows(struct ctx *c, struct store_rows *st, struct report *r,
    unsigned char *seen)
{
	int64_t sid, cur = 0;
	size_t i = UTIL_INDEX_NONE;
	int rc, have = 0;

	while ((rc = store_rows_next(st)) == 1) {
		sid = store_rows_int64(st, 0);
		if (!have || sid != cur) {
			have = 1;
			cur = sid;
			i = src_find(c, sid);
		}
		if (i == UTIL_INDEX_NONE)
			continue;
		seen[i] = 1;
		r->input.lines += (uint64_t)store_rows_int64(st, 1);
		r->input.records += (uint64_t)store_rows_int64(st, 2);
		r->input.bytes += (uint64_t)store_rows_int64(st, 3);
		r->input.malformed += (uint64_t)store_rows_int64(st, 4);
		r->input.truncated += (uint64_t)store_rows_int64(st, 5);
	}
	return rc == 0 ? 0 : step_err(c, rc);
}

/* The place of the rule id in r->rules, or r->nrules when it has none. */
static size_t
rule_index(const struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nrules && strcmp(r->rules[i].id, id) != 0; i++)
		;
	return i;
}

/*
 * The untimed events of a rule on a source (events.ts NULL: nothing in
 * their input told a time), which no window holds; the report counts
 * them apart.
 */
static void
untimed_row(struct ctx *c, struct report *r, struct store_rows *st, size_t i,
    unsigned char *seen)
{
	const char *id = store_rows_text(st, 1);
	uint64_t n = (uint64_t)store_rows_int64(st, 2);
	size_t k;

	(void)c;
	r->input.untimed_events += n;
	if (id != NULL && (k = rule_index(r, id)) < r->nrules)
		r->rules[k].untimed += n;
	if (n > 0)
		seen[i] = 1;
}

/* Input volume and the list of sources with data in the window. */
static int
load_input(struct ctx *c, struct report *r)
{
	struct store_rows *st, *ut = NULL;
	int64_t mlo, mhi;
	unsigned char *seen;
	size_t i, bcap = 0, scap = 0;
	int rc;

	/* Minutes overlapping [lo, hi). */
	mlo = c->lo == INT64_MIN ? INT64_MIN : c->lo / 60000;
	mhi = c->hi == INT64_MAX ? INT64_MAX : (c->hi + 59999) / 60000;
	if (store_report_volume(c->s, mlo, mhi, &st, c->err, c->errlen) != 0)
		return -1;
	/* NULL for a database no writer has opened since untimed events came */
	store_report_untimed(c->s, &ut);
	seen = xcalloc(c->nsrc + 1, 1);
	rc = volume_rows(c, st, r, seen);
	if (rc == 0 && ut != NULL)
		rc = per_source_rows(c, ut, r, untimed_row, seen);
	store_rows_free(st);
	store_rows_free(ut);
	for (i = 0; rc == 0 && i < c->nsrc; i++) {
		uint64_t n = c->src_events[i];

		if (n > 0) {
			r->busiest = util_grow(r->busiest, &bcap, r->nbusiest,
			    sizeof(*r->busiest), 16);
			r->busiest[r->nbusiest].source = r->source_names[i];
			r->busiest[r->nbusiest++].n = n;
		}
		if (seen[i] || n > 0) {
			r->sources = util_grow(r->sources, &scap, r->nsources,
			    sizeof(*r->sources), 16);
			r->sources[r->nsources++] = xstrdup(c->src[i].name);
		}
	}
	free(seen);
	if (rc != 0)
		return -1;
	if (r->nbusiest > 0)
		qsort(r->busiest, r->nbusiest, sizeof(*r->busiest), busiest_cmp);
	return 0;
}

static const struct report_rule *
rule_of(const struct report *r, const char *id)
{
	return report_find_rule(r, id);
}

static int
incident_cmp(const void *a, const void *b)
{
	const struct report_incident *x = a, *y = b;
	int d;

	if (x->severity != y->severity)
		return y->severity - x->severity;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if ((d = strcmp(x->rule, y->rule)) != 0)
		return d;
	if ((d = strcmp(x->source, y->source)) != 0)
		return d;
	return strcmp(x->key, y->key);
}

/* An incident as read, with where the per-source order put it. */
struct inc_row {
	size_t			src;
	int64_t			rowid;
	struct report_incident	in;
};

static int
inc_row_cmp(const void *a, const void *b)
{
	const struct inc_row *x = a, *y = b;

	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

static uint64_t
incident_group_hash(const struct report_incident *in)
{
	uint64_t h = util_hash_text(in->kind, strlen(in->kind), UTIL_HASH_SEED);

	h = util_hash_text(in->rule, strlen(in->rule), h);
	return util_hash_text(in->source, strlen(in->source), h);
}

/* Group the sorted incidents by (kind, rule, source). */
static void
group_incidents(struct report *r)
{
	struct util_index index;
	size_t i, j, it;

	util_index_init(&index);
	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];
		struct report_incident_group *g = NULL;
		uint64_t h = incident_group_hash(in);

		it = 0;
		while ((j = util_index_next(&index, h, &it)) != UTIL_INDEX_NONE) {
			g = &r->incident_groups[j];
			if (strcmp(g->kind, in->kind) == 0 &&
			    strcmp(g->rule, in->rule) == 0 &&
			    strcmp(g->source, in->source) == 0)
				break;
		}
		if (j == UTIL_INDEX_NONE) {
			r->incident_groups = xrealloc(r->incident_groups,
			    (r->nincident_groups + 1) * sizeof(*r->incident_groups));
			util_index_put(&index, h, r->nincident_groups);
			g = &r->incident_groups[r->nincident_groups++];
			memset(g, 0, sizeof(*g));
			g->kind = in->kind;
			g->rule = in->rule;
			g->source = in->source;
			g->start = in->start;
			g->end = in->end;
		}
		g->members = xrealloc(g->members, (g->nmembers + 1) * sizeof(size_t));
		g->members[g->nmembers++] = i;
		g->events += in->count;
		if (in->start < g->start)
			g->start = in->start;
		if (in->end > g->end)
			g->end = in->end;
	}
	util_index_free(&index);
}

/* Incidents overlapping the window, from the sources in scope. */
static int
load_incidents(struct ctx *c, struct report *r)
{
	struct store_rows *st;
	struct inc_row *rows = NULL;
	size_t i, n = 0, cap = 0;
	int rc;

	/*
	 * One pass over the incidents of the window, not a query per source
	 * (a scan of them each, as no index starts with the source); put in
	 * the order the per-source queries gave, source by source in table
	 * order, before they are sorted.
	 */
	if (store_report_incidents(c->s, c->lo, c->hi, &st, c->err,
	    c->errlen) != 0)
		return -1;
	while ((rc = store_rows_next(st)) == 1) {
		struct report_incident *in;
		const struct report_rule *ru;

		if ((i = src_find(c, store_rows_int64(st, 8))) ==
		    UTIL_INDEX_NONE)
			continue;
		rows = util_grow(rows, &cap, n, sizeof(*rows), 16);
		rows[n].src = i;
		rows[n].rowid = store_rows_int64(st, 9);
		in = &rows[n++].in;
		in->kind = col_str(st, 0);
		in->rule = col_str(st, 1);
		in->key = col_str(st, 2);
		if (in->kind == NULL)
			in->kind = xstrdup("");
		if (in->rule == NULL)
			in->rule = xstrdup("");
		if (in->key == NULL)
			in->key = xstrdup("");
		in->source = xstrdup(c->src[i].name);
		in->start = store_rows_int64(st, 3);
		in->end = store_rows_int64(st, 4);
		in->count = (uint64_t)store_rows_int64(st, 5);
		in->peak_per_min = store_rows_null(st, 6) ?
		    -1 : store_rows_int64(st, 6);
		in->detected_at = store_rows_null(st, 7) ?
		    TS_NONE : store_rows_int64(st, 7);
		ru = rule_of(r, in->rule);
		in->category = xstrdup(ru != NULL ? ru->category : "");
		in->severity = ru != NULL ? ru->severity : SEV_WARNING;
	}
	store_rows_free(st);
	if (n > 1)
		qsort(rows, n, sizeof(*rows), inc_row_cmp);
	if (n > 0) {
		r->incidents = xrealloc(r->incidents, (r->nincidents + n) *
		    sizeof(*r->incidents));
		for (i = 0; i < n; i++)
			r->incidents[r->nincidents++] = rows[i].in;
	}
	free(rows);
	if (rc != 0)
		return step_err(c, rc);
	if (r->nincidents > 0)
		qsort(r->incidents, r->nincidents, sizeof(*r->incidents), incident_cmp);
	group_incidents(r);
	return 0;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A double's bits as an unsigned key in the same order; -0 and +0 alike. */
static uint64_t
dbl_key(double d)
{
	uint64_t u;

	if (d == 0)
		d = 0;
	memcpy(&u, &d, sizeof(u));
	return (u >> 63) ? ~u : u | ((uint64_t)1 << 63);
}

/*
 * Sort the values of a metric group: an LSD radix sort on 16-bit digits
 * (stable, as the merge sort of qsort is, so equal keys keep their order
 * and the sums add up in the same order), a few times faster than qsort
 * on the half million samples of two weeks.  Digits that are the same in
 * every value are skipped.
 */
static void
sort_values(double *v, size_t n)
{
	size_t *cnt, i, pos, sum;
	uint64_t first, diff = 0;
	double *tmp, *src, *dst, *swap;
	unsigned shift;

	if (n < 1024) {
		qsort(v, n, sizeof(*v), dbl_cmp);
		return;
	}
	first = dbl_key(v[0]);
	for (i = 1; i < n; i++)
		diff |= dbl_key(v[i]) ^ first;
	tmp = xmalloc(n * sizeof(*tmp));
	cnt = xmalloc(65536 * sizeof(*cnt));
	src = v;
	dst = tmp;
	for (shift = 0; shift < 64; shift += 16) {
		if (((diff >> shift) & 0xffff) == 0)
			continue;
		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (i = 0; i < n; i++)
			cnt[(dbl_key(src[i]) >> shift) & 0xffff]++;
		for (i = 0, sum = 0; i < 65536; i++) {
			pos = cnt[i];
			cnt[i] = sum;
			sum += pos;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(dbl_key(src[i]) >> shift) & 0xffff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(cnt);
	free(tmp);
}

static int
group_cmp(const void *a, const void *b)
{
	const struct report_metric_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->value, y->value);
}

/*
 * The entry of key in the array *v of *n elements of size bytes, each
 * naming its key by the char * at keyoff; appended, zeroed but for a copy
 * of key, when new (*added is then 1).  Distinct values grow with the
 * input (a model per request, a peer per connection), so the array
 * carries a hash index in its own block, after room for a power of two of
 * elements: the callers still free it with free() and may sort it once
 * their lookups are over, which leaves the index stale.
 */
static void *
keyed_get(void **v, size_t *n, size_t size, size_t keyoff, const char *key,
    int *added)
{
	size_t cap, at, it = 0, i;
	struct util_slot *slots;
	uint64_t h = util_hash_text(key, strlen(key), UTIL_HASH_SEED);
	char *e;

	for (cap = 8; cap < *n; cap *= 2)
		;
	at = (cap * size + sizeof(*slots) - 1) / sizeof(*slots) * sizeof(*slots);
	slots = (struct util_slot *)((char *)*v + at);
	while (*v != NULL &&
	    (i = util_slots_next(slots, 2 * cap, h, &it)) != UTIL_INDEX_NONE) {
		e = (char *)*v + i * size;
		if (strcmp(*(char **)(e + keyoff), key) == 0) {
			*added = 0;
			return e;
		}
	}
	if (*v == NULL || *n == cap) {
		if (*v != NULL)
			cap *= 2;
		at = (cap * size + sizeof(*slots) - 1) / sizeof(*slots) *
		    sizeof(*slots);
		*v = xrealloc(*v, at + 2 * cap * sizeof(*slots));
		slots = (struct util_slot *)((char *)*v + at);
		memset(slots, 0, 2 * cap * sizeof(*slots));
		for (i = 0; i < *n; i++) {
			e = (char *)*v + i * size + keyoff;
			util_slots_put(slots, 2 * cap, util_hash_text(*(char **)e,
			    strlen(*(char **)e), UTIL_HASH_SEED), i);
		}
	}
	e = (char *)*v + *n * size;
	memset(e, 0, size);
	*(char **)(e + keyoff) = xstrdup(key);
	util_slots_put(slots, 2 * cap, h, (*n)++);
	*added = 1;
	return e;
}

/*
 * Find or add the value list of group g.  A new list starts small: with a
 * model per request most lists hold one value.
 */
static struct vg *
vg_get(struct vg **v, size_t *n, const char *g)
{
	struct vg *e;
	int added;

	e = keyed_get((void **)v, n, sizeof(**v), offsetof(struct vg, grp),
	    g, &added);
	if (added) {
		e->cap = e->hcap = 4;
		e->v = xmalloc(e->cap * sizeof(*e->v));
		e->hour = xmalloc(e->hcap * sizeof(*e->hour));
	}
	return e;
}

/*
 * Does rule ri count its events by the metric's group (or by nothing)?
 * Then load_metric's pass gives the counts and denominator need not read
 * the events again.
 */
static int
counts_by_group(const struct rrule *x)
{
	return x->counts != NULL && (x->counts_by == NULL ||
	    (x->metric_by != NULL && strcmp(x->counts_by, x->metric_by) == 0));
}

/* The position of value g in the counts k, or UTIL_INDEX_NONE. */
static size_t
counted_find(const struct counted *k, const char *g)
{
	uint64_t h;
	size_t it = 0, v;

	if (k->nvalue <= COUNTED_SCAN) {
		for (v = 0; v < k->nvalue; v++)
			if (strcmp(k->value[v], g) == 0)
				return v;
		return UTIL_INDEX_NONE;
	}
	h = util_hash_text(g, strlen(g), UTIL_HASH_SEED);
	while ((v = util_index_next(&k->index, h, &it)) != UTIL_INDEX_NONE)
		if (strcmp(k->value[v], g) == 0)
			return v;
	return UTIL_INDEX_NONE;
}

/* Add n events of group g to the counts k of a (rule, source). */
static void
counted_add(struct counted *k, const char *g, uint64_t n)
{
	size_t v = counted_find(k, g);

	if (v != UTIL_INDEX_NONE) {
		k->n[v] += n;
		return;
	}
	k->value = xrealloc(k->value, (k->nvalue + 1) * sizeof(char *));
	k->n = xrealloc(k->n, (k->nvalue + 1) * sizeof(uint64_t));
	k->value[k->nvalue] = xstrdup(g);
	k->n[k->nvalue++] = n;
	if (k->nvalue <= COUNTED_SCAN)
		return;
	for (v = k->nvalue == COUNTED_SCAN + 1 ? 0 : k->nvalue - 1;
	    v < k->nvalue; v++)
		util_index_put(&k->index, util_hash_text(k->value[v],
		    strlen(k->value[v]), UTIL_HASH_SEED), v);
}

static uint64_t
counted_hash(size_t ri, size_t si)
{
	uint64_t k[2] = { ri, si };

	return util_hash64(k, sizeof k, UTIL_HASH_SEED);
}

static int
vg_busier(const void *a, const void *b)
{
	const struct vg *x = *(const struct vg *const *)a;
	const struct vg *y = *(const struct vg *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->grp, y->grp);
}

struct hv {
	int32_t		 hour;
	double		 v;
};

static int
hv_cmp(const void *a, const void *b)
{
	const struct hv *x = a, *y = b;

	if (x->hour != y->hour)
		return x->hour < y->hour ? -1 : 1;
	return x->v < y->v ? -1 : x->v > y->v;
}

/*
 * p50 and p95 per hour of the busiest groups (the order group_cmp gives),
 * from the values as read, before sort_values loses their hours.
 */
static void
metric_hours(struct report_metric *m, struct vg *groups, size_t ng)
{
	struct vg **order;
	size_t i, j, k, a, nb;
	double *run;

	if (ng == 0)
		return;
	order = xmalloc(ng * sizeof(*order));
	for (i = 0; i < ng; i++)
		order[i] = &groups[i];
	qsort(order, ng, sizeof(*order), vg_busier);
	nb = ng < REPORT_HOURLY_GROUPS ? ng : REPORT_HOURLY_GROUPS;
	for (i = 0; i < nb; i++) {
		const struct vg *g = order[i];
		struct hv *hv = xmalloc(g->n * sizeof(*hv));

		for (j = 0; j < g->n; j++) {
			hv[j].hour = g->hour[j];
			hv[j].v = g->v[j];
		}
		qsort(hv, g->n, sizeof(*hv), hv_cmp);
		run = xmalloc(g->n * sizeof(*run));
		for (a = 0; a < g->n; a = j) {
			struct report_metric_hour *mh;

			for (j = a; j < g->n && hv[j].hour == hv[a].hour; j++)
				run[j - a] = hv[j].v;
			m->hours = xrealloc(m->hours, (m->nhours + 1) * sizeof(*m->hours));
			mh = &m->hours[m->nhours++];
			mh->group = xstrdup(g->grp);
			mh->start = (int64_t)hv[a].hour * 3600000;
			mh->count = j - a;
			k = j - a;
			mh->p50 = report_percentile(run, k, 50);
			mh->p95 = report_percentile(run, k, 95);
		}
		free(run);
		free(hv);
	}
	free(order);
}

/*
 * The distributions of metric rule ri from st (store_report_metric_values'
 * columns), added to r->metrics; with u, those of its untimed events
 * (store_report_untimed_values), added to u->metrics without the hours
 * they have none of or the counts of the window's rates.
 */
static int
load_metric(struct ctx *c, struct report *r, size_t ri, struct store_rows *st,
    struct report_untimed *u)
{
	struct report_metric *m, **mv = u != NULL ? &u->metrics : &r->metrics;
	size_t *nmv = u != NULL ? &u->nmetrics : &r->nmetrics;
	struct vg *groups = NULL, *cur = NULL;
	struct counted *cnt;
	size_t ng = 0, i, j;
	int64_t sid;
	int rc, counts = u == NULL && counts_by_group(&c->rr[ri]);

	/*
	 * One pass over the rule's events, a source's together (a source
	 * per line makes them as many as the events); a source without
	 * events has nothing to measure and no rate asks for it.
	 */
	bind_rsw(c, st, r->rules[ri].id, 0);
	rc = store_rows_next(st);
	while (rc == 1) {
		sid = store_rows_int64(st, 3);
		if ((i = src_find(c, sid)) == UTIL_INDEX_NONE) {
			while ((rc = store_rows_next(st)) == 1 &&
			    store_rows_int64(st, 3) == sid)
				;
			continue;
		}
		cnt = NULL;
		if (counts) {
			c->counted = util_grow(c->counted, &c->countedcap,
			    c->ncounted, sizeof(*c->counted), 64);
			util_index_put(&c->counted_index, counted_hash(ri, i),
			    c->ncounted);
			cnt = &c->counted[c->ncounted++];
			memset(cnt, 0, sizeof *cnt);
			util_index_init(&cnt->index);
			cnt->rule = ri;
			cnt->src = i;
		}
		do {
			const char *g = store_rows_text(st, 1);

			/*
			 * a repeat of a sample (same = ...) is counted, not
			 * kept; the count is the window's input's
			 */
			if (store_rows_int(st, 2) != 0) {
				if (u == NULL)
					r->same_samples++;
				continue;
			}
			if (g == NULL)
				g = "";
			if (cnt != NULL)
				counted_add(cnt, c->rr[ri].counts_by != NULL ? g : "", 1);
			if (store_rows_null(st, 0))
				continue;
			if (cur == NULL || strcmp(cur->grp, g) != 0)
				cur = vg_get(&groups, &ng, g);
			cur->v = util_grow(cur->v, &cur->cap, cur->n,
			    sizeof(*cur->v), 256);
			if (u == NULL) {
				cur->hour = util_grow(cur->hour, &cur->hcap,
				    cur->n, sizeof(*cur->hour), 256);
				cur->hour[cur->n] = (int32_t)(store_rows_int64(st,
				    4) / 3600000);
			}
			cur->v[cur->n++] = store_rows_double(st, 0);
		} while ((rc = store_rows_next(st)) == 1 &&
		    store_rows_int64(st, 3) == sid);
	}
	if (rc != 0) {
		for (j = 0; j < ng; j++) {
			free(groups[j].grp);
			free(groups[j].v);
			free(groups[j].hour);
		}
		free(groups);
		return step_err(c, rc);
	}
	*mv = xrealloc(*mv, (*nmv + 1) * sizeof(**mv));
	m = &(*mv)[(*nmv)++];
	m->rule = xstrdup(r->rules[ri].id);
	m->field = xstrdup(c->rr[ri].metric_field);
	m->by = c->rr[ri].metric_by != NULL ? xstrdup(c->rr[ri].metric_by) : NULL;
	m->unit = c->rr[ri].unit != NULL ? xstrdup(c->rr[ri].unit) : NULL;
	m->groups = xcalloc(ng ? ng : 1, sizeof(*m->groups));
	m->ngroups = ng;
	m->group_index = NULL;
	m->hours = NULL;
	m->nhours = 0;
	if (u == NULL)
		metric_hours(m, groups, ng);
	for (j = 0; j < ng; j++) {
		struct report_metric_group *g = &m->groups[j];
		size_t k;

		free(groups[j].hour);
		sort_values(groups[j].v, groups[j].n);
		g->value = groups[j].grp;
		g->count = groups[j].n;
		for (k = 0; k < groups[j].n; k++)
			g->sum += groups[j].v[k];
		g->min = groups[j].v[0];
		g->max = groups[j].v[groups[j].n - 1];
		g->mean = g->sum / (double)g->count;
		g->p50 = report_percentile(groups[j].v, groups[j].n, 50);
		g->p95 = report_percentile(groups[j].v, groups[j].n, 95);
		g->p99 = report_percentile(groups[j].v, groups[j].n, 99);
		free(groups[j].v);
	}
	free(groups);
	if (ng > 0)
		qsort(m->groups, ng, sizeof(*m->groups), group_cmp);
	return 0;
}

/*
 * Events stored as repeats of a sample, of the rules that count without
 * measuring (load_metric counts those of the metric rules).
 */
static int
count_repeats(struct ctx *c, struct report *r)
{
	struct store_rows *st;
	size_t i, j, w;
	int rc;

	if (store_report_repeats(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	for (i = 0; i < r->nrules; i++) {
		if (c->rr[i].metric_field != NULL || c->rr[i].counts == NULL)
			continue;
		for (w = 0; w < r->rules[i].nwith_events; w++) {
			j = r->rules[i].with_events[w];
			bind_rsw(c, st, r->rules[i].id, c->src[j].id);
			if ((rc = store_rows_next(st)) != 1) {
				store_rows_free(st);
				return step_err(c, rc == 0 ? -1 : rc);
			}
			r->same_samples += (uint64_t)store_rows_int64(st, 0);
		}
	}
	store_rows_free(st);
	return 0;
}

static int
load_metrics(struct ctx *c, struct report *r)
{
	struct store_rows *st;
	size_t i;

	if (store_report_metric_values(c->s, c->has_dup, &st, c->err,
	    c->errlen) != 0)
		return -1;
	for (i = 0; i < r->nrules; i++) {
		if (c->rr[i].metric_field == NULL)
			continue;
		if (load_metric(c, r, i, st, NULL) != 0) {
			store_rows_free(st);
			return -1;
		}
	}
	store_rows_free(st);
	return c->has_dup ? count_repeats(c, r) : 0;
}

static int
by_cmp(const void *a, const void *b)
{
	const struct report_link_by *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->value, y->value);
}

/* Add n to the entry of value in *v (appended when new); returns the entry. */
static struct report_link_by *
link_add(struct report_link_by **v, size_t *nv, const char *value, uint64_t n)
{
	struct report_link_by *e;
	int added;

	e = keyed_get((void **)v, nv, sizeof(**v),
	    offsetof(struct report_link_by, value), value, &added);
	e->n += n;
	return e;
}

/*
 * The link targets of rule ri, in the order written: the follows list
 * ("R1, R2", as the rules table stores it), or the expected rule, else
 * the target of the first linked event (a database written before those
 * columns were filled).  Returns the count (0 when the rule links
 * nothing) or -1; the caller frees the array and its strings.
 */
static int
link_targets(struct ctx *c, struct report *r, size_t ri, struct store_rows *inf,
    char ***targets, const char **kind, const char **by)
{
	const char *s, *e, *ie;
	size_t n = 0;
	int rc;

	*targets = NULL;
	if (c->rr[ri].follows_rule != NULL) {
		*kind = "follows";
		*by = c->rr[ri].follows_by;
		for (s = c->rr[ri].follows_rule; *s != '\0'; s = *e ? e + 1 : e) {
			while (*s == ' ')
				s++;
			if ((e = strchr(s, ',')) == NULL)
				e = s + strlen(s);
			for (ie = e; ie > s && ie[-1] == ' '; ie--)
				;
			if (ie == s)
				continue;
			*targets = xrealloc(*targets, (n + 1) * sizeof(char *));
			(*targets)[n++] = xstrndup(s, (size_t)(ie - s));
		}
		return (int)n;
	}
	if (c->rr[ri].expect_rule != NULL) {
		*targets = xmalloc(sizeof(char *));
		(*targets)[0] = xstrdup(c->rr[ri].expect_rule);
		*kind = "expect";
		*by = c->rr[ri].expect_by;
		return 1;
	}
	/*
	 * A rules table that records any link records them all: asking the
	 * events would only scan every event of a rule that links nothing.
	 */
	if (c->has_links)
		return 0;
	*targets = xmalloc(sizeof(char *));
	store_report_at(inf, r->rules[ri].id, 0, 0, 0, NULL);
	if ((rc = store_rows_next(inf)) != 1 || store_rows_text(inf, 0) == NULL) {
		free(*targets);
		*targets = NULL;
		return rc == 1 || rc == 0 ? 0 : -1;
	}
	(*targets)[0] = col_str(inf, 0);
	*kind = store_rows_int(inf, 1) ? "follows" : "expect";
	*by = NULL;
	return 1;
}

static int
load_links(struct ctx *c, struct report *r)
{
	struct store_rows *inf = NULL, *lk = NULL;
	struct report_link_by *b;
	size_t i, j, k, w, nlisted;
	const char *tr, *bv;
	uint64_t n;
	int rc, found;

	/* Linked events per actual target rule and by-value (byf, may be NULL). */
	if (store_report_link_target(c->s, &inf, c->err, c->errlen) != 0 ||
	    store_report_links(c->s, &lk, c->err, c->errlen) != 0)
		goto fail;
	for (i = 0; i < r->nrules; i++) {
		struct report_link *l;
		char **targets = NULL;
		const char *kind = NULL, *byf = NULL;

		if ((found = link_targets(c, r, i, inf, &targets, &kind, &byf)) < 0) {
			step_err(c, -1);
			goto fail;
		}
		if (found == 0) {
			free(targets);
			continue;
		}
		r->links = xrealloc(r->links, (r->nlinks + 1) * sizeof(*r->links));
		l = &r->links[r->nlinks++];
		memset(l, 0, sizeof(*l));
		l->rule = xstrdup(r->rules[i].id);
		l->target = xstrdup(targets[0]);
		l->kind = xstrdup(kind);
		for (k = 0; k < (size_t)found; k++) {
			link_add(&l->targets, &l->ntargets, targets[k], 0);
			free(targets[k]);
		}
		free(targets);
		nlisted = l->ntargets;
		for (w = 0; w < r->rules[i].nwith_events; w++) {
			uint64_t linked = 0;

			j = r->rules[i].with_events[w];
			store_report_at(lk, l->rule, c->src[j].id, c->lo, c->hi,
			    byf);
			while ((rc = store_rows_next(lk)) == 1) {
				tr = store_rows_text(lk, 0);
				bv = store_rows_text(lk, 1);
				n = (uint64_t)store_rows_int64(lk, 2);
				linked += n;
				/* a target pruned away still counts as linked */
				if (*tr != '\0')
					link_add(&l->targets, &l->ntargets, tr, n);
				if (byf == NULL)
					continue;
				b = link_add(&l->by, &l->nby, bv, n);
				/* the listed rules first, as in the link */
				for (k = b->ntargets; k < nlisted; k++)
					link_add(&b->targets, &b->ntargets,
					    l->targets[k].value, 0);
				if (*tr != '\0')
					link_add(&b->targets, &b->ntargets, tr, n);
			}
			if (rc != 0) {
				step_err(c, rc);
				goto fail;
			}
			l->linked += linked;
			l->unlinked += r->rules[i].per_source[j].n - linked;
		}
		if (l->nby > 0)
			qsort(l->by, l->nby, sizeof(*l->by), by_cmp);
		if (l->ntargets > nlisted)
			qsort(l->targets + nlisted, l->ntargets - nlisted,
			    sizeof(*l->targets), by_cmp);
	}
	store_rows_free(inf);
	store_rows_free(lk);
	return 0;
fail:
	store_rows_free(inf);
	store_rows_free(lk);
	return -1;
}

/* Append a finding to the list *v of *n (the report's or its untimed events'). */
static void
finding_add(struct report_finding **v, size_t *n, int severity,
    uint64_t volume, const char *id, const char *rule, char *text)
{
	struct report_finding *f;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	f = &(*v)[(*n)++];
	f->severity = severity;
	f->volume = volume;
	f->id = xstrdup(id);
	f->rule = xstrdup(rule);
	f->text = text;
}

static void
finding(struct report *r, int severity, uint64_t volume, const char *id,
    const char *rule, char *text)
{
	finding_add(&r->findings, &r->nfindings, severity, volume, id, rule,
	    text);
}

static unsigned
pct(uint64_t part, uint64_t whole)
{
	return whole == 0 ? 0 : (unsigned)((part * 100 + whole / 2) / whole);
}

/*
 * The end of a change from before by d: its share of before, or "new"
 * where before was 0 and nothing was counted (measured: no share at all).
 */
static void
change_share(struct buf *b, double before, double d, int measured)
{
	if (before != 0)
		buf_printf(b, ", %s%.0f%%)", d < 0 ? "-" : "+",
		    fabs(d) * 100 / before);
	else if (d == 0)
		buf_puts(b, ", +0%)");
	else
		buf_puts(b, measured ? ")" : ", new)");
}

static void
format_change(struct buf *b, double before, double after, int decimals,
    int measured)
{
	double scale = pow(10, decimals), d;

	/* Work on the numbers as shown, so that the printed change adds up. */
	before = round(before * scale) / scale;
	after = round(after * scale) / scale;
	d = after - before;
	buf_printf(b, "%.*f \xe2\x86\x92 %.*f (%s%.*f", decimals, before,
	    decimals, after, d < 0 ? "-" : "+", decimals, fabs(d));
	change_share(b, before, d, measured);
}

void
report_format_metric_change(struct buf *b, double before, double after,
    const char *unit)
{
	double d = after - before;

	if (unit == NULL || strcmp(unit, "ms") != 0) {
		format_change(b, before, after, 0, 1);
		return;
	}
	util_format_duration(b, before, 0);
	buf_puts(b, " \xe2\x86\x92 ");
	util_format_duration(b, after, 0);
	buf_puts(b, d < 0 ? " (-" : " (+");
	util_format_duration(b, fabs(d), 0);
	change_share(b, before, d, 1);
}

void
report_format_cell(struct buf *b, double v, const char *unit)
{
	util_format_quantity(b, v, unit != NULL && strcmp(unit, "ms") == 0 ?
	    unit : NULL);
}

void
report_format_pct(struct buf *b, uint64_t part, uint64_t whole)
{
	double p = whole == 0 ? 0 : (double)part * 100 / (double)whole;

	if (part > 0 && p < 0.05)
		buf_puts(b, "<0.1%");
	else if (p < 0.95 && part > 0)
		buf_printf(b, "%.1f%%", p);
	else
		buf_printf(b, "%u%%", pct(part, whole));
}

static int
counted_load(struct ctx *c, struct report *r, size_t ri, size_t si,
    struct counted *k)
{
	const struct rrule *x = &c->rr[ri];
	const char *v;
	struct store_rows *st;
	int ingrp = x->counts_by != NULL && x->metric_by != NULL &&
	    strcmp(x->counts_by, x->metric_by) == 0, rc;

	memset(k, 0, sizeof *k);
	util_index_init(&k->index);
	k->rule = ri;
	k->src = si;
	if (store_report_counted(c->s, c->has_dup, ingrp, &st, c->err,
	    c->errlen) != 0)
		return -1;
	store_report_at(st, r->rules[ri].id, c->src[si].id, c->lo, c->hi,
	    x->counts_by != NULL ? x->counts_by : "");
	while ((rc = store_rows_next(st)) == 1) {
		v = store_rows_text(st, 0);
		counted_add(k, x->counts_by != NULL && v != NULL ? v : "",
		    (uint64_t)store_rows_int64(st, 1));
	}
	store_rows_free(st);
	return step_err(c, rc);
}

static const struct counted *
counted_get(struct ctx *c, struct report *r, size_t ri, size_t si)
{
	size_t i, it = 0;

	while ((i = util_index_next(&c->counted_index, counted_hash(ri, si),
	    &it)) != UTIL_INDEX_NONE)
		if (c->counted[i].rule == ri && c->counted[i].src == si)
			return &c->counted[i];
	c->counted = util_grow(c->counted, &c->countedcap, c->ncounted,
	    sizeof(*c->counted), 64);
	util_index_put(&c->counted_index, counted_hash(ri, si), c->ncounted);
	if (counted_load(c, r, ri, si, &c->counted[c->ncounted]) != 0) {
		c->ncounted++;
		return NULL;
	}
	return &c->counted[c->ncounted++];
}

/*
 * The denominator of a rate: events of the rules that count noun
 * (counts = NOUN [by F]), repeats of a sample left out, in the window and
 * on the sources where rule near has events.  With value, only those whose
 * by-field by equals it, from rules counting by that field.  *found says
 * whether any rule counts them so (else the rate cannot be given).
 */
static int
denominator(struct ctx *c, struct report *r, const char *noun,
    const char *near, const char *by, const char *value, uint64_t *n,
    int *found)
{
	const struct report_rule *nr = report_find_rule(r, near);
	const struct counted *k;
	size_t i, j, v, w;

	*n = 0;
	*found = 0;
	if (nr == NULL)
		return 0;
	for (i = 0; i < r->nrules; i++) {
		const struct rrule *x = &c->rr[i];

		if (x->counts == NULL || strcmp(x->counts, noun) != 0)
			continue;
		if (value != NULL && (by == NULL || x->counts_by == NULL ||
		    strcmp(x->counts_by, by) != 0))
			continue;
		*found = 1;
		for (w = 0; w < r->rules[i].nwith_events; w++) {
			j = r->rules[i].with_events[w];
			if (nr->per_source[j].n == 0)
				continue;
			if ((k = counted_get(c, r, i, j)) == NULL)
				return -1;
			if (value != NULL) {
				if ((v = counted_find(k, value)) != UTIL_INDEX_NONE)
					*n += k->n[v];
				continue;
			}
			for (v = 0; v < k->nvalue; v++)
				*n += k->n[v];
		}
	}
	return 0;
}

/* The metric split by field (the requests per model), or NULL. */
static const struct report_metric *
metric_by_field(const struct report *r, const char *field)
{
	size_t i;

	for (i = 0; field != NULL && i < r->nmetrics; i++)
		if (r->metrics[i].by != NULL && strcmp(r->metrics[i].by, field) == 0)
			return &r->metrics[i];
	return NULL;
}

/*
 * The group of value in m, through an index of m's groups built on the
 * first lookup (renderers look up every group of a report in its
 * baseline): a cache, so m stays const to the callers.
 */
static const struct report_metric_group *
metric_group(const struct report_metric *m, const char *value)
{
	struct util_index *x;
	size_t it = 0, i;
	uint64_t h = util_hash_text(value, strlen(value), UTIL_HASH_SEED);

	if (m == NULL)
		return NULL;
	if ((x = m->group_index) == NULL) {
		x = xmalloc(sizeof(*x));
		util_index_init(x);
		for (i = 0; i < m->ngroups; i++)
			util_index_put(x, util_hash_text(m->groups[i].value,
			    strlen(m->groups[i].value), UTIL_HASH_SEED), i);
		((struct report_metric *)m)->group_index = x;
	}
	while ((i = util_index_next(x, h, &it)) != UTIL_INDEX_NONE)
		if (strcmp(m->groups[i].value, value) == 0)
			return &m->groups[i];
	return NULL;
}

/* What a request did when the target rule fired: "timed out" or "failed with T". */
static void
failed_how(struct buf *b, const struct report *r, const char *target)
{
	const struct report_rule *t = report_find_rule(r, target);

	if (t != NULL && t->category != NULL &&
	    strcmp(t->category, "timeout") == 0)
		buf_puts(b, "timed out");
	else
		buf_printf(b, "failed with %s", target);
}

/*
 * One fallback-rate finding for the events of link l with by-value v: the
 * share of requests that failed through each target rule, the first one
 * with events in full and the others as "N% more".
 */
static void
fallback_rate(struct report *r, const struct report_link *l,
    const struct report_link_by *v, uint64_t req)
{
	const struct report_link_by *t, *first = NULL;
	const char *target = l->target;
	uint64_t n = v->n;
	struct buf b;
	size_t k;

	for (k = 0; k < v->ntargets && first == NULL; k++)
		if (v->targets[k].n > 0)
			first = &v->targets[k];
	if (first != NULL) {
		target = first->value;
		n = first->n;
	}
	buf_init(&b);
	if (req == 0) {
		buf_printf(&b, "%ju %s requests ", (uintmax_t)n, v->value);
		failed_how(&b, r, target);
		buf_printf(&b, " and were served by the fallback chain (%s after"
		    " %s)", l->rule, target);
	} else {
		report_format_pct(&b, n, req);
		buf_printf(&b, " of %s requests ", v->value);
		failed_how(&b, r, target);
		buf_printf(&b, " and were served by the fallback chain (%ju of"
		    " %ju; %s after %s)", (uintmax_t)n, (uintmax_t)req, l->rule,
		    target);
	}
	for (k = 0; first != NULL && k < v->ntargets; k++) {
		t = &v->targets[k];
		if (t == first || t->n == 0)
			continue;
		if (req > 0) {
			buf_puts(&b, "; ");
			report_format_pct(&b, t->n, req);
			buf_puts(&b, " more ");
		} else
			buf_printf(&b, "; %ju more ", (uintmax_t)t->n);
		failed_how(&b, r, t->value);
		if (req > 0)
			buf_printf(&b, " (%ju)", (uintmax_t)t->n);
	}
	finding(r, req > 0 && pct(v->n, req) >= REPORT_FALLBACK_ERROR_PCT ?
	    SEV_ERROR : SEV_WARNING, v->n, "fallback-rate", target, b.data);
}

static int
find_fallbacks(struct ctx *c, struct report *r)
{
	uint64_t counted;
	size_t i, j, ri;
	int found;

	for (i = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];
		const struct report_metric *m;
		const char *byf = NULL;

		if (strcmp(l->kind, "follows") != 0 || l->nby == 0)
			continue;
		ri = rule_index(r, l->rule);
		/* a rule that says what it means has findings of its own */
		if (ri == r->nrules || c->rr[ri].means != NULL)
			continue;
		byf = c->rr[ri].follows_by;
		m = metric_by_field(r, byf);
		for (j = 0; j < l->nby; j++) {
			const struct report_metric_group *g;
			uint64_t f = l->by[j].n, served;
			struct buf p95;
			const char *model = l->by[j].value;

			if (*model == '\0')
				continue;
			if (denominator(c, r, "requests", l->rule, byf, model,
			    &counted, &found) != 0)
				return -1;
			/*
			 * A request that fell back is answered, and counted,
			 * under the fallback model: add it back to its own.
			 */
			fallback_rate(r, l, &l->by[j], found ? counted + f : 0);
			if (m == NULL)
				continue;
			g = metric_group(m, model);
			served = g != NULL ? g->count : 0;
			buf_init(&p95);
			util_format_quantity(&p95, g != NULL ? g->p95 : 0.0, m->unit);
			finding(r, SEV_NOTICE, f, "fallback-latency", m->rule, xasprintf(
			    "%ju %s requests were answered by the fallback model:"
			    " their latency is recorded under that model, not %s"
			    " (whose own %ju responses have p95 %s)", (uintmax_t)f,
			    model, model, (uintmax_t)served, p95.data));
			buf_free(&p95);
		}
	}
	return 0;
}

/* Errors quoted in a finding about events no cause was linked to, and their length. */
#define REPORT_UNLINKED_QUOTES		3
#define REPORT_UNLINKED_QUOTE_MAX	120

/* s, cut to at most max bytes on a character boundary, "..." marking a cut. */
static void
quote_cut(struct buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max) {
		buf_puts(b, s);
		return;
	}
	n = max - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	buf_append(b, s, n);
	buf_puts(b, "...");
}

/*
 * Events of a follows rule that followed nothing in their window: a
 * fallback whose cause no rule names.  What they quote in their error
 * field is the only account of why they happened, so it is shown.
 */
static int
find_unlinked(struct ctx *c, struct report *r)
{
	struct report_link_by *q;
	struct store_rows *st = NULL;
	size_t i, j, ri, nq, k, w, shown;
	struct buf b;
	int rc;

	if (store_report_unlinked_errors(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	for (i = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];

		if (strcmp(l->kind, "follows") != 0 || l->unlinked == 0)
			continue;
		ri = rule_index(r, l->rule);
		/* a rule that says what it means has findings of its own */
		if (ri == r->nrules || c->rr[ri].means != NULL)
			continue;
		q = NULL;
		nq = 0;
		for (w = 0; w < r->rules[ri].nwith_events; w++) {
			j = r->rules[ri].with_events[w];
			bind_rsw(c, st, l->rule, c->src[j].id);
			while ((rc = store_rows_next(st)) == 1)
				link_add(&q, &nq,
				    store_rows_text(st, 0),
				    (uint64_t)store_rows_int64(st, 1));
			if (rc != 0) {
				for (k = 0; k < nq; k++)
					free(q[k].value);
				free(q);
				store_rows_free(st);
				return step_err(c, rc);
			}
		}
		if (nq > 0)
			qsort(q, nq, sizeof(*q), by_cmp);
		buf_init(&b);
		/* no target is named: a finding naming a rule speaks for it */
		buf_printf(&b, "%ju %s event%s followed no event of the rules"
		    " %s follows: the cause is unknown", (uintmax_t)l->unlinked,
		    l->rule, l->unlinked == 1 ? "" : "s", l->rule);
		for (k = shown = 0; k < nq && shown < REPORT_UNLINKED_QUOTES; k++) {
			if (*q[k].value == '\0')
				continue;
			buf_puts(&b, shown++ == 0 ? "; they quote: \"" : ", \"");
			quote_cut(&b, q[k].value, REPORT_UNLINKED_QUOTE_MAX);
			buf_printf(&b, "\" (%ju)", (uintmax_t)q[k].n);
		}
		for (k = 0; k < nq; k++)
			free(q[k].value);
		free(q);
		finding(r, SEV_WARNING, l->unlinked, "unlinked", l->rule, b.data);
	}
	store_rows_free(st);
	return 0;
}

static int
find_leaks(struct ctx *c, struct report *r)
{
	uint64_t req;
	size_t i;
	int found;

	for (i = 0; i < r->nlinks; i++) {
		const struct report_link *l = &r->links[i];
		const struct report_rule *ru = report_find_rule(r, l->rule);
		uint64_t n, un, op;
		struct buf b;
		int sev;

		if (strcmp(l->kind, "expect") != 0 || ru == NULL || ru->count == 0)
			continue;
		n = ru->count;
		if (denominator(c, r, "requests", l->rule, NULL, NULL, &req,
		    &found) != 0)
			return -1;
		un = report_count_incidents(r, "unresolved", l->rule);
		op = report_count_incidents(r, "open", l->rule);
		buf_init(&b);
		if (req > 0) {
			buf_printf(&b, "%s after %ju of %ju requests (", l->rule,
			    (uintmax_t)n, (uintmax_t)req);
			report_format_pct(&b, n, req);
			buf_puts(&b, "): ");
		} else
			buf_printf(&b, "%ju %s events: ", (uintmax_t)n, l->rule);
		buf_printf(&b, "%s hid %ju, %ju never resolved", l->target,
		    (uintmax_t)l->linked, (uintmax_t)un);
		if (op > 0)
			buf_printf(&b, ", %ju still open", (uintmax_t)op);
		sev = ru->severity;
		if (un > 0 && sev < SEV_ERROR)
			sev = SEV_ERROR;
		finding(r, sev, n, "expect-unmet", l->rule, b.data);
	}
	return 0;
}

static void
find_storms(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nincidents; i++) {
		const struct report_incident *in = &r->incidents[i];
		char start[32];
		struct buf b;

		if (strcmp(in->kind, "storm") != 0)
			continue;
		tz_format_iso(r->query.tz, in->start, start, sizeof(start));
		buf_init(&b);
		buf_printf(&b, "%s storm from %s on %s: %ju events in ", in->rule,
		    *in->key ? in->key : "(no key)", in->source, (uintmax_t)in->count);
		util_format_duration(&b, (double)(in->end - in->start), 0);
		buf_printf(&b, " from %s, peak %jd per minute", start,
		    (intmax_t)in->peak_per_min);
		finding(r, in->severity, in->count, "storm", in->rule, b.data);
	}
}

/* The link of rule id, or NULL. */
static const struct report_link *
link_of(const struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nlinks; i++)
		if (strcmp(r->links[i].rule, id) == 0)
			return &r->links[i];
	return NULL;
}

/*
 * The longest duration a metric rule logged within a second of an event
 * of rule that is linked (the request that still held the permit ends
 * where its release is refused).  0 with *found 0 when none.
 */
static int
beside_duration(struct ctx *c, struct report *r, const char *rule,
    double *ms, int *found)
{
	const struct report_rule *rr;
	struct store_rows *st;
	size_t i, j;
	int rc;

	*ms = 0;
	*found = 0;
	rr = report_find_rule(r, rule);
	if (store_report_beside_max(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	for (i = 0; i < r->nrules; i++) {
		if (c->rr[i].metric_field == NULL || c->rr[i].unit == NULL ||
		    strcmp(c->rr[i].unit, "ms") != 0)
			continue;
		for (j = 0; j < c->nsrc; j++) {
			/* no event of rule there: the join has no row */
			if (rr != NULL && rr->per_source[j].n == 0)
				continue;
			store_report_at(st, rule, c->src[j].id, c->lo, c->hi,
			    r->rules[i].id);
			if ((rc = store_rows_next(st)) != 1) {
				store_rows_free(st);
				return step_err(c, rc == 0 ? -1 : rc);
			}
			if (store_rows_null(st, 0))
				continue;
			if (!*found || store_rows_double(st, 0) > *ms)
				*ms = store_rows_double(st, 0);
			*found = 1;
		}
	}
	store_rows_free(st);
	return 0;
}

/*
 * Releases the rules mean to be wrong (means = ...).  A double release is
 * the release path running twice.  A release refused because the
 * semaphore is already full, after a recovery it follows, is the
 * recovery's doing: the health check took a permit a long request still
 * held for a leak, the recovery added one, and the request's own release
 * found no room.  A refused release with no recovery before it is a
 * double release.
 */
static int
find_releases(struct ctx *c, struct report *r)
{
	const struct report_link *l;
	const struct report_rule *ru;
	uint64_t over, twice;
	double ms;
	struct buf b;
	size_t i;
	int found;

	for (i = 0; i < r->nrules; i++) {
		ru = &r->rules[i];
		if (c->rr[i].means == NULL || ru->count == 0)
			continue;
		l = strcmp(c->rr[i].means, "release-refused") == 0 ?
		    link_of(r, ru->id) : NULL;
		over = l != NULL ? l->linked : 0;
		twice = ru->count - over;
		if (twice > 0)
			finding(r, ru->severity, twice, "double-release", ru->id,
			    xasprintf("%ju double releases of a semaphore (%s): the"
			    " release path runs more than once per acquire",
			    (uintmax_t)twice, ru->id));
		if (over == 0)
			continue;
		if (beside_duration(c, r, ru->id, &ms, &found) != 0)
			return -1;
		buf_init(&b);
		buf_printf(&b, "%ju releases refused after a recovery (%s after"
		    " %s): the recovery over-released: the leak it fixed was"
		    " probably a request still in flight", (uintmax_t)over,
		    ru->id, l->target);
		if (found) {
			buf_puts(&b, " (the longest request ending beside them took ");
			util_format_duration(&b, ms, 0);
			buf_putc(&b, ')');
		}
		finding(r, SEV_WARNING, over, "over-release", ru->id, b.data);
	}
	return 0;
}

/* The statistic st of a distribution. */
static double
stat_of(const struct report_metric_group *g, enum rule_stat st)
{
	switch (st) {
	case RULE_STAT_MEAN:
		return g->mean;
	case RULE_STAT_P50:
		return g->p50;
	case RULE_STAT_P95:
		return g->p95;
	case RULE_STAT_P99:
		return g->p99;
	case RULE_STAT_MAX:
		return g->max;
	}
	return 0;
}

/*
 * Distributions of ms[0..nms) over their rule's slow threshold (or, with
 * --slow-ms, p95 of every duration metric over that many ms), added to
 * the findings *fv of *nfv.  A rule without one has no limit, so no
 * finding.
 */
static void
find_slow(struct ctx *c, struct report *r, const struct report_metric *ms,
    size_t nms, struct report_finding **fv, size_t *nfv)
{
	struct rule_threshold t;
	struct buf b;
	char err[128], id[16];
	size_t i, j, ri, at;
	double v;

	for (i = 0; i < nms; i++) {
		const struct report_metric *m = &ms[i];
		int duration = m->unit != NULL && strcmp(m->unit, "ms") == 0;

		ri = rule_index(r, m->rule);
		if (r->query.slow_ms >= 0) {
			if (!duration)
				continue;
			t.stat = RULE_STAT_P95;
			t.inclusive = 0;
			t.value = (double)r->query.slow_ms;
		} else if (ri == r->nrules || c->rr[ri].slow == NULL ||
		    rule_threshold_parse(c->rr[ri].slow, m->unit, &t, err,
		    sizeof err, &at) != 0)
			continue;
		for (j = 0; j < m->ngroups; j++) {
			const struct report_metric_group *g = &m->groups[j];

			v = stat_of(g, t.stat);
			if (t.inclusive ? v < t.value : v <= t.value)
				continue;
			buf_init(&b);
			buf_printf(&b, "%s %s %s is ", *g->value ? g->value : m->rule,
			    rule_stat_name(t.stat), m->rule);
			util_format_quantity(&b, v, m->unit);
			buf_printf(&b, ", %s the ", t.inclusive ? "at or over" : "over");
			util_format_quantity(&b, t.value, m->unit);
			buf_puts(&b, " limit (mean ");
			util_format_quantity(&b, g->mean, m->unit);
			buf_puts(&b, ", p99 ");
			util_format_quantity(&b, g->p99, m->unit);
			buf_printf(&b, " over %ju %s)", (uintmax_t)g->count,
			    duration ? "responses" : "values");
			snprintf(id, sizeof id, "slow-%s", rule_stat_name(t.stat));
			finding_add(fv, nfv, SEV_WARNING, g->count, id, m->rule,
			    b.data);
		}
	}
}

static int
busy_cmp(const void *a, const void *b)
{
	const struct busy *x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->src < y->src ? -1 : x->src > y->src;
}

/* The busiest minute of every error-or-worse rule, per source (from load_counts). */
static void
find_bursts(struct ctx *c, struct report *r)
{
	size_t i;

	/* load_counts met the sources in id order; the findings go by name */
	if (c->nbusiest > 1)
		qsort(c->busiest, c->nbusiest, sizeof(*c->busiest), busy_cmp);
	for (i = 0; i < c->nbusiest; i++) {
		const struct busy *bz = &c->busiest[i];
		const struct report_rule *ru = &r->rules[bz->rule];
		char at[32];

		if (ru->severity < SEV_ERROR)
			continue;
		tz_format_iso(r->query.tz, bz->minute * 60000, at, sizeof(at));
		finding(r, ru->severity, bz->n, "burst", ru->id, xasprintf(
		    "burst of %ju %s events on %s in the minute from %s",
		    (uintmax_t)bz->n, ru->id, c->src[bz->src].name, at));
	}
}

static int
finding_cmp(const void *a, const void *b)
{
	const struct report_finding *x = a, *y = b;
	int d;

	if (x->severity != y->severity)
		return y->severity - x->severity;
	if (x->volume != y->volume)
		return x->volume > y->volume ? -1 : 1;
	if ((d = strcmp(x->id, y->id)) != 0)
		return d;
	return strcmp(x->text, y->text);
}

/*
 * The group of (rule, logger, template) in the list *v of *n, added when
 * new: found through index (cap is the list's room), since a log of
 * one-off failures has about as many templates as error records.
 */
static struct report_error_group *
error_group(struct report_error_group **v, size_t *n, size_t *cap,
    struct util_index *index, const char *rule, int severity,
    const char *logger, const char *tmpl)
{
	struct report_error_group *g;
	uint64_t h;
	size_t i, it = 0;

	h = util_hash64(rule, strlen(rule), UTIL_HASH_SEED);
	h = util_hash64(logger, strlen(logger), h);
	h = util_hash64(tmpl, strlen(tmpl), h);
	while ((i = util_index_next(index, h, &it)) != UTIL_INDEX_NONE) {
		g = &(*v)[i];
		if (strcmp(g->rule, rule) == 0 && strcmp(g->logger, logger) == 0 &&
		    strcmp(g->template, tmpl) == 0)
			return g;
	}
	*v = util_grow(*v, cap, *n, sizeof(**v), 16);
	util_index_put(index, h, *n);
	g = &(*v)[(*n)++];
	memset(g, 0, sizeof(*g));
	g->rule = xstrdup(rule);
	g->severity = severity;
	g->logger = xstrdup(logger);
	g->template = xstrdup(tmpl);
	g->first = g->last = TS_NONE;
	buf_init(&g->all_sources);
	return g;
}

/*
 * One more source of g.  A failure seen on every one of two thousand
 * services makes a long list: error_groups_finish makes g->sources of
 * the first few and how many more.
 */
static void
error_group_source(struct report_error_group *g, const char *name)
{
	if (g->nsources++ > 0)
		buf_puts(&g->all_sources, ", ");
	buf_puts(&g->all_sources, name);
	if (g->nsources == REPORT_SOURCES_LISTED)
		g->listed_len = g->all_sources.len;
}

const char *
report_group_sources(const struct report *r,
    const struct report_error_group *g)
{
	if (!r->show_all)
		return g->sources;
	return g->all_sources.data != NULL ? g->all_sources.data : "";
}

static int
error_group_cmp(const void *a, const void *b)
{
	const struct report_error_group *x = a, *y = b;
	int d;

	if (x->severity != y->severity)
		return y->severity - x->severity;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((d = strcmp(x->logger, y->logger)) != 0)
		return d;
	return strcmp(x->template, y->template);
}

/* Add the parts in list (each ended by a newline) that g lacks. */
static void
error_group_parts(struct report_error_group *g, const char *list)
{
	const char *p, *nl;
	size_t i, n;

	for (p = list; p != NULL && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		n = (size_t)(nl - p);
		/* the closing banner says nothing of the failure */
		if (n == 0 || p[0] == '=')
			continue;
		for (i = 0; i < g->nparts; i++)
			if (strlen(g->parts[i]) == n &&
			    memcmp(g->parts[i], p, n) == 0)
				break;
		if (i < g->nparts)
			continue;
		g->parts = xrealloc(g->parts, (g->nparts + 1) * sizeof(*g->parts));
		g->parts[g->nparts++] = xstrndup(p, n);
	}
}

static int
part_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The groups as the report lists them: each one's parts sorted and its
 * sources' short form ended, the groups most severe and frequent first.
 */
static void
error_groups_finish(struct report_error_group *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].nparts > 1)
			qsort(v[i].parts, v[i].nparts, sizeof(*v[i].parts),
			    part_cmp);
		if (v[i].nsources > REPORT_SOURCES_LISTED)
			v[i].sources = xasprintf("%.*s and %zu more",
			    (int)v[i].listed_len, v[i].all_sources.data,
			    v[i].nsources - REPORT_SOURCES_LISTED);
		else
			v[i].sources = xstrdup(v[i].all_sources.data != NULL ?
			    v[i].all_sources.data : "");
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), error_group_cmp);
}

/*
 * The group of st's row (logger, template, count at 0..2, parts at 5) in
 * v, one of ru's, with the row's count, its parts and source added.
 */
static struct report_error_group *
error_group_row(struct store_rows *st, const struct report_rule *ru,
    const char *source, struct report_error_group **v, size_t *n,
    size_t *cap, struct util_index *index)
{
	const char *lg = store_rows_text(st, 0), *tm = store_rows_text(st, 1);
	struct report_error_group *g;

	g = error_group(v, n, cap, index, ru->id, ru->severity,
	    lg != NULL ? lg : "", tm != NULL ? tm : "");
	g->count += (uint64_t)store_rows_int64(st, 2);
	error_group_source(g, source);
	error_group_parts(g, store_rows_text(st, 5));
	return g;
}

/* Group the events of the built-in rules by logger and template. */
static int
load_error_groups(struct ctx *c, struct report *r)
{
	static const char *const ids[] = { RULE_LOG_CRITICAL, RULE_LOG_ERROR };
	const struct report_rule *ru;
	struct report_error_group *g;
	struct store_rows *st = NULL;
	struct util_index index;
	size_t i, j, w, cap = 0;
	int rc = 0;

	assert(r->nerrors == 0 && r->errors == NULL);
	if (store_report_error_groups(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	util_index_init(&index);
	for (i = 0; i < UTIL_ARRAY_LEN(ids); i++) {
		if ((ru = report_find_rule(r, ids[i])) == NULL || ru->count == 0)
			continue;
		for (w = 0; w < ru->nwith_events; w++) {
			j = ru->with_events[w];
			bind_rsw(c, st, ru->id, c->src[j].id);
			while ((rc = store_rows_next(st)) == 1) {
				g = error_group_row(st, ru, c->src[j].name,
				    &r->errors, &r->nerrors, &cap, &index);
				if (g->first == TS_NONE ||
				    store_rows_int64(st, 3) < g->first)
					g->first = store_rows_int64(st, 3);
				if (g->last == TS_NONE ||
				    store_rows_int64(st, 4) > g->last)
					g->last = store_rows_int64(st, 4);
			}
			if (rc != 0)
				break;
		}
		if (rc != 0)
			break;
	}
	store_rows_free(st);
	util_index_free(&index);
	if (rc != 0) {
		store_read_error(c->s, c->err, c->errlen, "database");
		return -1;
	}
	error_groups_finish(r->errors, r->nerrors);
	return 0;
}

/*
 * " --field 'KEY=VALUE'" for a command a finding names: VALUE as one word
 * of the shell, quoted where it holds more than it can say bare.
 */
static void
put_field_option(struct buf *b, const char *key, const char *value)
{
	const char *p;
	int bare = 1;

	for (p = value; *p != '\0' && bare; p++)
		bare = util_ident_byte((unsigned char)*p) ||
		    strchr("@%+=:,./-", *p) != NULL;
	buf_printf(b, " --field %s%s=", bare ? "" : "'", key);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *p);
	}
	if (!bare)
		buf_putc(b, '\'');
}

/*
 * One finding per error template, the most frequent first, then the rest
 * in one; each names the command that lists that template's events (a
 * banner block's with its parts).
 */
static void
find_error_groups(struct report *r)
{
	const struct report_error_group *g;
	char first[32], last[32];
	uint64_t rest = 0;
	struct buf b;
	size_t i;

	for (i = 0; i < r->nerrors; i++) {
		g = &r->errors[i];
		if (i >= REPORT_ERROR_FINDINGS) {
			rest += g->count;
			continue;
		}
		tz_format_iso(r->query.tz, g->first, first, sizeof(first));
		tz_format_iso(r->query.tz, g->last, last, sizeof(last));
		buf_init(&b);
		buf_printf(&b, "%ju \u00d7 %s%s%s (%s .. %s on %s): logtriage events"
		    " --rule %s", (uintmax_t)g->count, g->logger,
		    *g->logger ? ": " : "", g->template, first, last, g->sources,
		    g->rule);
		if (*g->logger)
			put_field_option(&b, "logger", g->logger);
		put_field_option(&b, "template", g->template);
		buf_printf(&b, " --since %s", first);
		/* the finding takes the text */
		finding(r, g->severity, g->count, "error-template", g->rule,
		    b.data);
	}
	if (rest > 0)
		finding(r, SEV_WARNING, rest, "error-template", RULE_LOG_ERROR,
		    xasprintf("%ju more error events under %zu other templates:"
		    " logtriage events --rule %s", (uintmax_t)rest,
		    r->nerrors - REPORT_ERROR_FINDINGS, RULE_LOG_ERROR));
}

/*
 * Every rule of error severity or worse with events in the window is a
 * finding: when no other finding or incident speaks of it, one that counts
 * them and names the command that lists them.  (Warnings have their own findings,
 * rates and storms; listing each warning rule would bury them.)
 */
static int
find_events(struct ctx *c, struct report *r)
{
	const struct report_rule *ru;
	struct store_rows *st = NULL;
	int64_t lo, hi;
	char first[32], last[32];
	size_t i, j, k, w;
	int rc = 0;

	if (store_report_span(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	for (i = 0; i < r->nrules; i++) {
		ru = &r->rules[i];
		if (ru->severity < SEV_ERROR || ru->count == 0 ||
		    strcmp(ru->id, RULE_LOG_ERROR) == 0 ||
		    strcmp(ru->id, RULE_LOG_CRITICAL) == 0)
			continue;
		for (k = 0; k < r->nfindings; k++)
			if (strcmp(r->findings[k].rule, ru->id) == 0 ||
			    strstr(r->findings[k].text, ru->id) != NULL)
				break;
		if (k < r->nfindings)
			continue;
		for (k = 0; k < r->nincidents; k++)
			if (strcmp(r->incidents[k].rule, ru->id) == 0)
				break;
		if (k < r->nincidents)
			continue;
		lo = hi = TS_NONE;
		for (w = 0; w < ru->nwith_events; w++) {
			j = ru->with_events[w];
			bind_rsw(c, st, ru->id, c->src[j].id);
			if ((rc = store_rows_next(st)) != 1)
				break;
			if (store_rows_null(st, 0))
				continue;
			if (lo == TS_NONE || store_rows_int64(st, 0) < lo)
				lo = store_rows_int64(st, 0);
			if (hi == TS_NONE || store_rows_int64(st, 1) > hi)
				hi = store_rows_int64(st, 1);
		}
		if (w < ru->nwith_events)
			break;
		rc = 0;
		tz_format_iso(r->query.tz, lo, first, sizeof(first));
		tz_format_iso(r->query.tz, hi, last, sizeof(last));
		finding(r, ru->severity, ru->count, "events", ru->id, xasprintf(
		    "%ju %s events (%s) from %s to %s: logtriage events --rule %s"
		    " --since %s", (uintmax_t)ru->count, ru->id, ru->category,
		    first, last, ru->id, first));
	}
	store_rows_free(st);
	if (rc != 0) {
		store_read_error(c->s, c->err, c->errlen, "database");
		return -1;
	}
	return 0;
}

static int
load_findings(struct ctx *c, struct report *r)
{
	if (find_fallbacks(c, r) != 0 || find_unlinked(c, r) != 0 ||
	    find_leaks(c, r) != 0 || find_releases(c, r) != 0)
		return -1;
	find_storms(r);
	find_slow(c, r, r->metrics, r->nmetrics, &r->findings, &r->nfindings);
	find_bursts(c, r);
	if (load_error_groups(c, r) != 0 || find_events(c, r) != 0)
		return -1;
	find_error_groups(r);
	if (r->nfindings > 0)
		qsort(r->findings, r->nfindings, sizeof(*r->findings), finding_cmp);
	return 0;
}

/*
 * The untimed events of the built-in error rules grouped by logger and
 * template, as load_error_groups groups those of the window, each with
 * its first record for a sample in place of the times it has not.
 */
static int
untimed_error_groups(struct ctx *c, struct report *r, struct report_untimed *u)
{
	static const char *const ids[] = { RULE_LOG_CRITICAL, RULE_LOG_ERROR };
	const struct report_rule *ru;
	struct report_error_group *g;
	struct store_rows *st = NULL;
	struct util_index index;
	const char *text;
	size_t i, j, cap = 0;
	int rc = 0;

	if (store_report_untimed_errors(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	util_index_init(&index);
	for (i = 0; rc == 0 && i < UTIL_ARRAY_LEN(ids); i++) {
		if ((ru = report_find_rule(r, ids[i])) == NULL || ru->untimed == 0)
			continue;
		store_report_at(st, ru->id, 0, 0, 0, NULL);
		while ((rc = store_rows_next(st)) == 1) {
			if ((j = src_find(c, store_rows_int64(st, 3))) ==
			    UTIL_INDEX_NONE)
				continue;
			g = error_group_row(st, ru, c->src[j].name, &u->errors,
			    &u->nerrors, &cap, &index);
			if (g->sample == NULL && (text = store_rows_text(st, 4)) != NULL)
				g->sample = xstrdup(text);
		}
	}
	store_rows_free(st);
	util_index_free(&index);
	if (rc != 0)
		return step_err(c, rc);
	error_groups_finish(u->errors, u->nerrors);
	return 0;
}

/*
 * The findings of the untimed events that need no time: distributions
 * over their limit, the error templates (as find_error_groups names
 * them) and the other rules of error severity or worse, each naming the
 * command that lists them.
 */
static void
untimed_findings(struct ctx *c, struct report *r, struct report_untimed *u)
{
	const struct report_error_group *g;
	const struct report_rule *ru;
	uint64_t rest = 0;
	struct buf b;
	size_t i;

	find_slow(c, r, u->metrics, u->nmetrics, &u->findings, &u->nfindings);
	for (i = 0; i < u->nerrors; i++) {
		g = &u->errors[i];
		if (i >= REPORT_ERROR_FINDINGS) {
			rest += g->count;
			continue;
		}
		buf_init(&b);
		buf_printf(&b, "%ju \u00d7 %s%s%s (on %s): logtriage events"
		    " --untimed --rule %s", (uintmax_t)g->count, g->logger,
		    *g->logger ? ": " : "", g->template, g->sources, g->rule);
		if (*g->logger)
			put_field_option(&b, "logger", g->logger);
		put_field_option(&b, "template", g->template);
		finding_add(&u->findings, &u->nfindings, g->severity, g->count,
		    "error-template", g->rule, b.data);
	}
	if (rest > 0)
		finding_add(&u->findings, &u->nfindings, SEV_WARNING, rest,
		    "error-template", RULE_LOG_ERROR, xasprintf("%ju more error"
		    " events under %zu other templates: logtriage events"
		    " --untimed --rule %s", (uintmax_t)rest,
		    u->nerrors - REPORT_ERROR_FINDINGS, RULE_LOG_ERROR));
	for (i = 0; i < r->nrules; i++) {
		ru = &r->rules[i];
		if (ru->severity < SEV_ERROR || ru->untimed == 0 ||
		    strcmp(ru->id, RULE_LOG_ERROR) == 0 ||
		    strcmp(ru->id, RULE_LOG_CRITICAL) == 0)
			continue;
		finding_add(&u->findings, &u->nfindings, ru->severity,
		    ru->untimed, "events", ru->id, xasprintf("%ju %s events"
		    " (%s): logtriage events --untimed --rule %s",
		    (uintmax_t)ru->untimed, ru->id, ru->category, ru->id));
	}
	if (u->nfindings > 0)
		qsort(u->findings, u->nfindings, sizeof(*u->findings),
		    finding_cmp);
}

/*
 * What of the untimed events needs no time, when no window was asked for
 * (no window holds them) and the sources in scope have some: their error
 * templates, the distributions of their metric rules and the findings of
 * those.
 */
static int
load_untimed(struct ctx *c, struct report *r)
{
	struct report_untimed *u;
	struct store_rows *st = NULL;
	size_t i;

	if (c->q->since != TS_NONE || c->q->until != TS_NONE ||
	    r->input.untimed_events == 0)
		return 0;
	u = r->untimed = xcalloc(1, sizeof(*u));
	u->events = r->input.untimed_events;
	if (untimed_error_groups(c, r, u) != 0)
		return -1;
	for (i = 0; i < r->nrules; i++) {
		if (c->rr[i].metric_field == NULL || r->rules[i].untimed == 0)
			continue;
		if (st == NULL && store_report_untimed_values(c->s, &st, c->err,
		    c->errlen) != 0)
			return -1;
		if (load_metric(c, r, i, st, u) != 0) {
			store_rows_free(st);
			return -1;
		}
	}
	store_rows_free(st);
	untimed_findings(c, r, u);
	return 0;
}

/*
 * The newest stored event of the sources in scope: the greatest ts of
 * each (rule, source), a seek in events_rule_ts each.  Only an empty
 * window asks, to say where the data is.
 */
static int
load_newest(struct ctx *c, struct report *r)
{
	struct store_rows *st;
	size_t i, j;
	int rc;

	r->newest = TS_NONE;
	if (store_report_newest(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	for (i = 0; i < r->nrules; i++)
		for (j = 0; j < c->nsrc; j++) {
			store_report_at(st, r->rules[i].id, c->src[j].id, 0, 0,
			    NULL);
			if ((rc = store_rows_next(st)) != 1) {
				store_rows_free(st);
				return step_err(c, rc == 0 ? -1 : rc);
			}
			if (!store_rows_null(st, 0) &&
			    (r->newest == TS_NONE ||
			    store_rows_int64(st, 0) > r->newest))
				r->newest = store_rows_int64(st, 0);
		}
	store_rows_free(st);
	return 0;
}

static void
ctx_free(struct ctx *c, size_t nrules)
{
	size_t i, j;

	for (i = 0; i < c->nsrc; i++)
		if (!c->names_given)
			free(c->src[i].name);
	free(c->src);
	free(c->busiest);
	for (i = 0; i < c->ncounted; i++) {
		for (j = 0; j < c->counted[i].nvalue; j++)
			free(c->counted[i].value[j]);
		free(c->counted[i].value);
		free(c->counted[i].n);
		util_index_free(&c->counted[i].index);
	}
	free(c->counted);
	util_index_free(&c->counted_index);
	util_index_free(&c->src_index);
	free(c->src_at);
	free(c->src_events);
	for (i = 0; c->rr != NULL && i < nrules; i++) {
		free(c->rr[i].metric_field);
		free(c->rr[i].metric_by);
		free(c->rr[i].follows_rule);
		free(c->rr[i].follows_by);
		free(c->rr[i].expect_rule);
		free(c->rr[i].expect_by);
		free(c->rr[i].unit);
		free(c->rr[i].slow);
		free(c->rr[i].counts);
		free(c->rr[i].counts_by);
		free(c->rr[i].means);
	}
	free(c->rr);
}

static int
build_one(struct store *s, const struct report_query *q, struct report **out,
    char *err, size_t errlen)
{
	struct report *r = xcalloc(1, sizeof(*r));
	struct ctx c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.q = q;
	c.err = err;
	c.errlen = errlen;
	c.lo = q->since == TS_NONE ? INT64_MIN : q->since;
	c.hi = q->until == TS_NONE ? INT64_MAX : q->until;
	r->query = *q;
	/* The query's source patterns belong to the caller; keep no pointer. */
	r->query.sources = NULL;
	r->query.nsources = 0;
	r->since = r->until = r->newest = TS_NONE;
	if (load_sources(&c) == 0 && load_rules(&c, r) == 0 &&
	    load_counts(&c, r) == 0 && load_input(&c, r) == 0 &&
	    load_incidents(&c, r) == 0 && load_metrics(&c, r) == 0 &&
	    load_links(&c, r) == 0 && load_findings(&c, r) == 0 &&
	    load_untimed(&c, r) == 0 &&
	    (r->total_events > 0 || load_newest(&c, r) == 0))
		rc = 0;
	ctx_free(&c, r->nrules);
	if (rc != 0) {
		report_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int
report_build(struct store *s, const struct report_query *q,
    const struct report_query *baseline_q, struct report **out,
    char *err, size_t errlen)
{
	struct report *r;
	int own, rc = -1;

	/*
	 * One read transaction: a statement outside one takes and drops the
	 * database's lock each time, and the queries run per (rule, source),
	 * so that would be most of the time with many sources.  It also makes
	 * the report and its baseline one snapshot.
	 */
	store_read_begin(s, &own);
	if (build_one(s, q, &r, err, errlen) == 0) {
		if (baseline_q != NULL &&
		    build_one(s, baseline_q, &r->baseline, err, errlen) != 0)
			report_free(r);
		else {
			*out = r;
			rc = 0;
		}
	}
	store_read_end(s, own);
	return rc;
}

static void
link_by_free(struct report_link_by *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].value);
	free(v);
}

void
report_window_text(const struct tz *tz, int64_t since, int64_t until,
    struct buf *out)
{
	char t1[32], t2[32];

	tz_format_iso(tz, since, t1, sizeof(t1));
	tz_format_iso(tz, until, t2, sizeof(t2));
	buf_printf(out, "%s .. %s", since == TS_NONE ? "-" : t1,
	    until == TS_NONE ? "-" : t2);
}

void
report_sources_text(const struct report *r, struct buf *out)
{
	size_t i;

	if (r->nsources == 0)
		buf_puts(out, "(none)");
	if (r->nsources <= REPORT_SOURCES_LISTED || r->show_all) {
		for (i = 0; i < r->nsources; i++)
			buf_printf(out, "%s%s", i > 0 ? ", " : "", r->sources[i]);
		return;
	}
	buf_printf(out, "%zu sources, busiest: ", r->nsources);
	for (i = 0; i < r->nbusiest && i < REPORT_SOURCES_LISTED; i++)
		buf_printf(out, "%s%s (%ju)", i > 0 ? ", " : "",
		    r->busiest[i].source, (uintmax_t)r->busiest[i].n);
	if (r->nbusiest == 0)
		buf_puts(out, "none with events");
}

void
report_parts_text(const struct report_error_group *g, const char *sep,
    struct buf *out)
{
	size_t i;

	for (i = 0; i < g->nparts && i < REPORT_PARTS_SHOWN; i++)
		buf_printf(out, "%s%s", i > 0 ? sep : "", g->parts[i]);
	if (g->nparts > REPORT_PARTS_SHOWN)
		buf_printf(out, "%s... (%zu more)", sep,
		    g->nparts - REPORT_PARTS_SHOWN);
}

void
report_errors_more(const struct report_error_group *v, size_t n,
    struct buf *out)
{
	uint64_t rest = 0;
	size_t i;

	if (n <= REPORT_ERRORS_SHOWN)
		return;
	for (i = REPORT_ERRORS_SHOWN; i < n; i++)
		rest += v[i].count;
	buf_printf(out, "... %zu more templates (%ju events): report --format"
	    " json lists every one", n - REPORT_ERRORS_SHOWN, (uintmax_t)rest);
}

size_t
report_groups_shown(const struct report_metric *m, int all)
{
	return all || m->ngroups <= REPORT_GROUPS_SHOWN ? m->ngroups :
	    REPORT_GROUPS_SHOWN;
}

void
report_groups_more(const struct report_metric *m, int all, struct buf *out)
{
	uint64_t rest = 0;
	size_t i, shown = report_groups_shown(m, all);

	if (shown == m->ngroups)
		return;
	for (i = shown; i < m->ngroups; i++)
		rest += m->groups[i].count;
	buf_printf(out, "... %zu more groups (%ju values): report --all or"
	    " --format json lists every one", m->ngroups - shown,
	    (uintmax_t)rest);
}

int
report_untimed_only(const struct report *r)
{
	return r->untimed != NULL && r->total_events == 0 &&
	    (r->baseline == NULL || r->baseline->total_events == 0);
}

void
report_untimed_head(const struct report *r, struct buf *out)
{
	buf_printf(out, "no timed events; %ju untimed events (their input had"
	    " no time; in no window)", (uintmax_t)r->input.untimed_events);
}

void
report_sample_text(const struct report_error_group *g, struct buf *out)
{
	size_t n = strcspn(g->sample, "\n");

	if (n > REPORT_SAMPLE_SHOWN) {
		/* back to the start of a character */
		for (n = REPORT_SAMPLE_SHOWN; n > 0 &&
		    ((unsigned char)g->sample[n] & 0xc0) == 0x80; n--)
			;
		buf_append(out, g->sample, n);
		buf_puts(out, "...");
		return;
	}
	buf_append(out, g->sample, n);
	if (g->sample[n] == '\n')
		buf_puts(out, " ...");
}

void
report_input_text(const struct report *r, struct buf *out)
{
	buf_printf(out, "%ju lines, %ju records, %ju bytes (malformed %ju,"
	    " truncated %ju); %ju events", (uintmax_t)r->input.lines,
	    (uintmax_t)r->input.records, (uintmax_t)r->input.bytes,
	    (uintmax_t)r->input.malformed, (uintmax_t)r->input.truncated,
	    (uintmax_t)r->total_events);
	if (r->same_samples > 0)
		buf_printf(out, " (%ju same-sample duplicates, in no"
		    " distribution)", (uintmax_t)r->same_samples);
	if (r->input.untimed_events > 0)
		buf_printf(out, "; untimed %ju events (their input had no time;"
		    " in no window)", (uintmax_t)r->input.untimed_events);
}

void
report_link_text(const struct report_link *l, struct buf *out)
{
	size_t j;

	buf_printf(out, "%s %s ", l->rule, l->kind);
	if (l->ntargets > 1) {
		for (j = 0; j < l->ntargets; j++)
			buf_printf(out, "%s%s %ju", j > 0 ? ", " : "",
			    l->targets[j].value, (uintmax_t)l->targets[j].n);
	} else
		buf_puts(out, l->target);
	buf_printf(out, ": linked %ju, unlinked %ju", (uintmax_t)l->linked,
	    (uintmax_t)l->unlinked);
	for (j = 0; j < l->nby; j++)
		buf_printf(out, "%s%s %ju", j == 0 ? "; " : ", ",
		    *l->by[j].value ? l->by[j].value : "-", (uintmax_t)l->by[j].n);
}

static void
errors_free(struct report_error_group *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(v[i].rule);
		free(v[i].logger);
		free(v[i].template);
		free(v[i].sources);
		buf_free(&v[i].all_sources);
		for (j = 0; j < v[i].nparts; j++)
			free(v[i].parts[j]);
		free(v[i].parts);
		free(v[i].sample);
	}
	free(v);
}

static void
metrics_free(struct report_metric *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(v[i].rule);
		free(v[i].field);
		free(v[i].by);
		free(v[i].unit);
		for (j = 0; j < v[i].ngroups; j++)
			free(v[i].groups[j].value);
		free(v[i].groups);
		if (v[i].group_index != NULL)
			util_index_free(v[i].group_index);
		free(v[i].group_index);
		for (j = 0; j < v[i].nhours; j++)
			free(v[i].hours[j].group);
		free(v[i].hours);
	}
	free(v);
}

static void
findings_free(struct report_finding *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].rule);
		free(v[i].text);
	}
	free(v);
}

void
report_free(struct report *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsources; i++)
		free(r->sources[i]);
	free(r->sources);
	errors_free(r->errors, r->nerrors);
	for (i = 0; i < r->nrules; i++) {
		free(r->rules[i].id);
		free(r->rules[i].category);
		free(r->rules[i].summary);
		free(r->rules[i].per_source);
		free(r->rules[i].with_events);
	}
	free(r->rules);
	for (i = 0; i < r->nsource_names; i++)
		free(r->source_names[i]);
	free(r->source_names);
	for (i = 0; i < r->nincident_groups; i++)
		free(r->incident_groups[i].members);
	free(r->incident_groups);
	free(r->busiest);
	free(r->hourly_sev);
	for (i = 0; i < r->nincidents; i++) {
		free(r->incidents[i].kind);
		free(r->incidents[i].rule);
		free(r->incidents[i].category);
		free(r->incidents[i].source);
		free(r->incidents[i].key);
	}
	free(r->incidents);
	metrics_free(r->metrics, r->nmetrics);
	for (i = 0; i < r->nlinks; i++) {
		free(r->links[i].rule);
		free(r->links[i].target);
		free(r->links[i].kind);
		for (j = 0; j < r->links[i].nby; j++) {
			free(r->links[i].by[j].value);
			link_by_free(r->links[i].by[j].targets,
			    r->links[i].by[j].ntargets);
		}
		free(r->links[i].by);
		link_by_free(r->links[i].targets, r->links[i].ntargets);
	}
	free(r->links);
	findings_free(r->findings, r->nfindings);
	if (r->untimed != NULL) {
		errors_free(r->untimed->errors, r->untimed->nerrors);
		metrics_free(r->untimed->metrics, r->untimed->nmetrics);
		findings_free(r->untimed->findings, r->untimed->nfindings);
		free(r->untimed);
	}
	for (i = 0; i < r->nhourly; i++)
		free(r->hourly[i].category);
	free(r->hourly);
	report_free(r->baseline);
	free(r);
}

const struct report_rule *
report_find_rule(const struct report *r, const char *id)
{
	size_t i;

	if (r == NULL || (i = rule_index(r, id)) == r->nrules)
		return NULL;
	return &r->rules[i];
}

int
report_rule_shown(const struct report *r, const struct report_rule *ru)
{
	const struct report_rule *br;

	if (r->show_all)
		return 1;
	if (r->baseline == NULL)
		return ru->count > 0;
	br = report_find_rule(r->baseline, ru->id);
	return ru->count != (br != NULL ? br->count : 0);
}

size_t
report_rules_unchanged(const struct report *r)
{
	size_t i, n = 0;

	if (r->baseline == NULL || r->show_all)
		return 0;
	for (i = 0; i < r->nrules; i++)
		if (!report_rule_shown(r, &r->rules[i]))
			n++;
	return n;
}

const struct report_metric_group *
report_find_group(const struct report *r, const char *rule, const char *value)
{
	size_t i;

	for (i = 0; r != NULL && i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].rule, rule) == 0)
			return metric_group(&r->metrics[i], value);
	return NULL;
}

uint64_t
report_count_incidents(const struct report *r, const char *kind, const char *rule)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; r != NULL && i < r->nincidents; i++)
		if (strcmp(r->incidents[i].kind, kind) == 0 &&
		    (rule == NULL || strcmp(r->incidents[i].rule, rule) == 0))
			n++;
	return n;
}

void
report_format_change(struct buf *b, double before, double after, int decimals)
{
	format_change(b, before, after, decimals, 0);
}
