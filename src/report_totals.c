/*
 * report_totals.c - what the store holds in total for a set of sources,
 * whatever the report window: events per rule and source, the metric
 * rules' values as histogram buckets, linked events per by-value, the
 * unresolved and open incidents, and the state of the ingests.  These feed
 * the Prometheus counters and histograms, which must only grow as ingests
 * go on; the windowed report cannot give that.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "report.h"
#include "store_query.h"

const int64_t report_hist_bounds_ms[REPORT_HIST_NBOUNDS] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 20000, 30000,
	60000, 120000, 300000
};

struct tsrc {
	int64_t		 id;
	char		*name;
};

struct tctx {
	sqlite3		*db;
	struct tsrc	*src;		/* sources passing --source, by name */
	size_t		 nsrc;
	struct util_index src_index;	/* src by id */
	unsigned char	*has;		/* per src: events of the rule at hand */
	struct util_index hist_index;	/* hists by (rule, group) */
	struct util_index link_index;	/* links by (rule, target, group) */
	char		*err;
	size_t		 errlen;
};

static uint64_t
id_hash(int64_t id)
{
	return util_hash64(&id, sizeof(id), UTIL_HASH_SEED);
}

/* The hash of n strings, each with its NUL. */
static uint64_t
strs_hash(const char *const *v, size_t n)
{
	uint64_t h = UTIL_HASH_SEED;
	size_t i;

	for (i = 0; i < n; i++)
		h = util_hash_text(v[i], strlen(v[i]) + 1, h);
	return h;
}

static int
tprep(struct tctx *c, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK) {
		store_sql_error(c->db, c->err, c->errlen, "database");
		*st = NULL;
		return -1;
	}
	return 0;
}

static int
tdone(struct tctx *c, sqlite3_stmt *st, int rc)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	store_sql_error(c->db, c->err, c->errlen, "database");
	return -1;
}

static char *
tcol(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return xstrdup(t == NULL ? "" : (const char *)t);
}

/* The source's name, or NULL when --source leaves it out. */
static const char *
src_name(const struct tctx *c, int64_t id)
{
	size_t i, it = 0;

	/* a source per line makes them a million: looked up by a hash */
	while ((i = util_index_next(&c->src_index, id_hash(id), &it)) !=
	    UTIL_INDEX_NONE)
		if (c->src[i].id == id)
			return c->src[i].name;
	return NULL;
}

/*
 * Mark in c->has the sources with events of rule: the per-source queries
 * run for those only, in the order of c->src as before.
 */
static int
rule_sources(struct tctx *c, const char *rule)
{
	sqlite3_stmt *st;
	size_t i, it;
	int64_t id;
	int rc;

	if (c->has == NULL)
		c->has = xcalloc(c->nsrc + 1, 1);
	memset(c->has, 0, c->nsrc + 1);
	if (tprep(c, &st, "SELECT DISTINCT source_id FROM events"
	    " WHERE rule = ?1") != 0)
		return -1;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		it = 0;
		while ((i = util_index_next(&c->src_index, id_hash(id), &it)) !=
		    UTIL_INDEX_NONE)
			if (c->src[i].id == id)
				c->has[i] = 1;
	}
	return tdone(c, st, rc);
}

/* The sources in scope, and the newest log time among them. */
static int
load_tsources(struct tctx *c, const struct report_query *q, struct report_totals *t)
{
	sqlite3_stmt *st;
	size_t i, cap = 0;
	int rc, want;

	if (tprep(c, &st, "SELECT id, name, last_ts FROM sources ORDER BY name") != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (name == NULL)
			continue;
		want = q->nsources == 0;
		for (i = 0; i < q->nsources && !want; i++)
			want = fnmatch(q->sources[i], name, 0) == 0;
		if (!want)
			continue;
		if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
		    (t->last_log == TS_NONE ||
		    sqlite3_column_int64(st, 2) > t->last_log))
			t->last_log = sqlite3_column_int64(st, 2);
		c->src = util_grow(c->src, &cap, c->nsrc, sizeof(*c->src), 16);
		c->src[c->nsrc].id = sqlite3_column_int64(st, 0);
		util_index_put(&c->src_index, id_hash(c->src[c->nsrc].id),
		    c->nsrc);
		c->src[c->nsrc++].name = xstrdup(name);
	}
	return tdone(c, st, rc);
}

static int
ev_cmp(const void *a, const void *b)
{
	const struct report_total_events *x = a, *y = b;
	int d = strcmp(x->rule, y->rule);

	return d != 0 ? d : strcmp(x->source, y->source);
}

/* One pass over the events_rule_ts index, grouped as it is ordered. */
static int
load_events(struct tctx *c, struct report_totals *t)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	const char *name;
	int rc;

	if (tprep(c, &st, "SELECT e.rule, coalesce(r.category, ''), e.source_id,"
	    " count(*) FROM events e LEFT JOIN rules r ON r.id = e.rule"
	    " GROUP BY e.rule, e.source_id") != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_total_events *e;

		if ((name = src_name(c, sqlite3_column_int64(st, 2))) == NULL)
			continue;
		t->events = util_grow(t->events, &cap, t->nevents,
		    sizeof(*t->events), 64);
		e = &t->events[t->nevents++];
		e->rule = tcol(st, 0);
		e->category = tcol(st, 1);
		e->source = xstrdup(name);
		e->n = (uint64_t)sqlite3_column_int64(st, 3);
	}
	if (tdone(c, st, rc) != 0)
		return -1;
	if (t->nevents > 0)
		qsort(t->events, t->nevents, sizeof(*t->events), ev_cmp);
	return 0;
}

static struct report_total_hist *
hist_get(struct tctx *c, struct report_totals *t, size_t *cap,
    const char *rule, const char *unit, const char *grp)
{
	struct report_total_hist *h;
	const char *key[2] = { rule, grp };
	uint64_t hh = strs_hash(key, 2);
	size_t i, it = 0;

	/* a model per request makes the groups as many as the events */
	while ((i = util_index_next(&c->hist_index, hh, &it)) !=
	    UTIL_INDEX_NONE) {
		h = &t->hists[i];
		if (strcmp(h->rule, rule) == 0 && strcmp(h->group, grp) == 0)
			return h;
	}
	util_index_put(&c->hist_index, hh, t->nhists);
	t->hists = util_grow(t->hists, cap, t->nhists, sizeof(*t->hists), 16);
	h = &t->hists[t->nhists++];
	memset(h, 0, sizeof(*h));
	h->rule = xstrdup(rule);
	h->group = xstrdup(grp);
	h->unit = unit != NULL ? xstrdup(unit) : NULL;
	return h;
}

static int
hist_cmp(const void *a, const void *b)
{
	const struct report_total_hist *x = a, *y = b;
	int d = strcmp(x->rule, y->rule);

	return d != 0 ? d : strcmp(x->group, y->group);
}

/* The metric rules' values per (rule, group), rule by rule and source by source. */
static int
load_hists(struct tctx *c, struct report_totals *t)
{
	sqlite3_stmt *rs = NULL, *st = NULL;
	size_t i, cap = 0;
	int rc, k;

	/* A database no writer has opened since rules.unit was added lacks it. */
	if ((sqlite3_prepare_v2(c->db, "SELECT id, unit FROM rules"
	    " WHERE metric_field IS NOT NULL ORDER BY id", -1, &rs, NULL) !=
	    SQLITE_OK && tprep(c, &rs, "SELECT id, NULL FROM rules"
	    " WHERE metric_field IS NOT NULL ORDER BY id") != 0) ||
	    tprep(c, &st, "SELECT value, coalesce(grp, '') FROM events"
	    " WHERE rule = ?1 AND source_id = ?2 AND value IS NOT NULL") != 0) {
		sqlite3_finalize(rs);
		return -1;
	}
	while ((rc = sqlite3_step(rs)) == SQLITE_ROW) {
		char *rule = tcol(rs, 0);
		const char *unit = (const char *)sqlite3_column_text(rs, 1);

		if (rule_sources(c, rule) != 0) {
			free(rule);
			sqlite3_finalize(st);
			sqlite3_finalize(rs);
			return -1;
		}
		rc = SQLITE_DONE;
		for (i = 0; i < c->nsrc; i++) {
			if (!c->has[i])
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, c->src[i].id);
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				double v = sqlite3_column_double(st, 0);
				struct report_total_hist *h = hist_get(c, t, &cap,
				    rule, unit, (const char *)sqlite3_column_text(st, 1));

				for (k = 0; k < REPORT_HIST_NBOUNDS; k++)
					if (v <= (double)report_hist_bounds_ms[k])
						h->le[k]++;
				h->count++;
				h->sum += v;
			}
			if (rc != SQLITE_DONE)
				break;
		}
		free(rule);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	if (tdone(c, rs, rc) != 0)
		return -1;
	if (t->nhists > 0)
		qsort(t->hists, t->nhists, sizeof(*t->hists), hist_cmp);
	return 0;
}

static int
link_cmp(const void *a, const void *b)
{
	const struct report_total_links *x = a, *y = b;
	int d = strcmp(x->rule, y->rule);

	if (d == 0)
		d = strcmp(x->target, y->target);
	return d != 0 ? d : strcmp(x->group, y->group);
}

/*
 * Linked events of the follows/expect rules per target rule and by-value,
 * the value taken as the report takes it: inherited first, then own.
 */
static int
load_links(struct tctx *c, struct report_totals *t)
{
	sqlite3_stmt *rs = NULL, *st = NULL;
	size_t i, j, cap = 0;
	int rc;

	if (tprep(c, &rs, "SELECT id, coalesce(follows_by, expect_by) FROM rules"
	    " WHERE follows_rule IS NOT NULL OR expect_rule IS NOT NULL"
	    " ORDER BY id") != 0 ||
	    tprep(c, &st, "SELECT coalesce(t.rule, ''),"
	    " coalesce(json_extract(e.inherited, '$.\"' || ?3 || '\"'),"
	    " json_extract(e.fields, '$.\"' || ?3 || '\"'), ''), count(*)"
	    " FROM events e LEFT JOIN events t ON t.id = e.link"
	    " WHERE e.rule = ?1 AND e.source_id = ?2 AND e.link IS NOT NULL"
	    " GROUP BY 1, 2") != 0) {
		sqlite3_finalize(rs);
		return -1;
	}
	while ((rc = sqlite3_step(rs)) == SQLITE_ROW) {
		char *rule = tcol(rs, 0);
		int has_by = sqlite3_column_type(rs, 1) != SQLITE_NULL;
		char *by = has_by ? tcol(rs, 1) : NULL;

		if (rule_sources(c, rule) != 0) {
			free(rule);
			free(by);
			sqlite3_finalize(st);
			sqlite3_finalize(rs);
			return -1;
		}
		rc = SQLITE_DONE;
		for (i = 0; i < c->nsrc; i++) {
			if (!c->has[i])
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, c->src[i].id);
			if (by != NULL)
				sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(st, 3);
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				const char *tr = (const char *)sqlite3_column_text(st, 0);
				const char *g = (const char *)sqlite3_column_text(st, 1);
				struct report_total_links *l = NULL;
				const char *key[3];
				uint64_t hh;
				size_t it = 0;

				tr = tr != NULL ? tr : "";
				g = g != NULL ? g : "";
				key[0] = rule;
				key[1] = tr;
				key[2] = g;
				hh = strs_hash(key, 3);
				while (l == NULL && (j = util_index_next(
				    &c->link_index, hh, &it)) != UTIL_INDEX_NONE)
					if (strcmp(t->links[j].rule, rule) == 0 &&
					    strcmp(t->links[j].target, tr) == 0 &&
					    strcmp(t->links[j].group, g) == 0)
						l = &t->links[j];
				if (l == NULL) {
					util_index_put(&c->link_index, hh,
					    t->nlinks);
					t->links = util_grow(t->links, &cap,
					    t->nlinks, sizeof(*t->links), 16);
					l = &t->links[t->nlinks++];
					l->rule = xstrdup(rule);
					l->target = xstrdup(tr);
					l->group = xstrdup(g);
					l->n = 0;
				}
				l->n += (uint64_t)sqlite3_column_int64(st, 2);
			}
			if (rc != SQLITE_DONE)
				break;
		}
		free(rule);
		free(by);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	if (tdone(c, rs, rc) != 0)
		return -1;
	if (t->nlinks > 0)
		qsort(t->links, t->nlinks, sizeof(*t->links), link_cmp);
	return 0;
}

static int
inc_cmp(const void *a, const void *b)
{
	const struct report_total_incidents *x = a, *y = b;
	int d = strcmp(x->kind, y->kind);

	if (d == 0)
		d = strcmp(x->rule, y->rule);
	return d != 0 ? d : strcmp(x->source, y->source);
}

/* Incidents still waiting (unresolved, open): correlation recomputes them. */
static int
load_incidents(struct tctx *c, struct report_totals *t)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	const char *name;
	int rc;

	if (tprep(c, &st, "SELECT kind, rule, source_id, count(*) FROM incidents"
	    " WHERE kind IN ('unresolved', 'open') GROUP BY 1, 2, 3") != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_total_incidents *in;

		if ((name = src_name(c, sqlite3_column_int64(st, 2))) == NULL)
			continue;
		t->incidents = util_grow(t->incidents, &cap, t->nincidents,
		    sizeof(*t->incidents), 16);
		in = &t->incidents[t->nincidents++];
		in->kind = tcol(st, 0);
		in->rule = tcol(st, 1);
		in->source = xstrdup(name);
		in->n = (uint64_t)sqlite3_column_int64(st, 3);
	}
	if (tdone(c, st, rc) != 0)
		return -1;
	if (t->nincidents > 0)
		qsort(t->incidents, t->nincidents, sizeof(*t->incidents), inc_cmp);
	return 0;
}

static int
load_ingests(struct tctx *c, struct report_totals *t)
{
	sqlite3_stmt *st;
	int rc;

	if (tprep(c, &st, "SELECT max(CASE WHEN status = 'done' THEN finished END),"
	    " total(status = 'failed') FROM ingests") != 0)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			t->last_ingest = sqlite3_column_int64(st, 0);
		t->ingest_errors = (uint64_t)sqlite3_column_int64(st, 1);
		rc = sqlite3_step(st);
	}
	return tdone(c, st, rc);
}

int
report_totals_build(sqlite3 *db, const struct report_query *q,
    struct report_totals **out, char *err, size_t errlen)
{
	struct report_totals *t = xcalloc(1, sizeof(*t));
	struct tctx c;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.db = db;
	c.err = err;
	c.errlen = errlen;
	t->last_ingest = TS_NONE;
	t->last_log = TS_NONE;
	rc = load_tsources(&c, q, t) != 0 || load_events(&c, t) != 0 ||
	    load_hists(&c, t) != 0 || load_links(&c, t) != 0 ||
	    load_incidents(&c, t) != 0 || load_ingests(&c, t) != 0 ? -1 : 0;
	for (i = 0; i < c.nsrc; i++)
		free(c.src[i].name);
	free(c.src);
	free(c.has);
	util_index_free(&c.src_index);
	util_index_free(&c.hist_index);
	util_index_free(&c.link_index);
	if (rc != 0) {
		report_totals_free(t);
		t = NULL;
	}
	*out = t;
	return rc;
}

void
report_totals_free(struct report_totals *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nevents; i++) {
		free(t->events[i].rule);
		free(t->events[i].category);
		free(t->events[i].source);
	}
	free(t->events);
	for (i = 0; i < t->nhists; i++) {
		free(t->hists[i].rule);
		free(t->hists[i].group);
		free(t->hists[i].unit);
	}
	free(t->hists);
	for (i = 0; i < t->nlinks; i++) {
		free(t->links[i].rule);
		free(t->links[i].target);
		free(t->links[i].group);
	}
	free(t->links);
	for (i = 0; i < t->nincidents; i++) {
		free(t->incidents[i].kind);
		free(t->incidents[i].rule);
		free(t->incidents[i].source);
	}
	free(t->incidents);
	free(t);
}
