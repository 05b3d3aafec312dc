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

#include "report.h"
#include "store_report.h"

const int64_t report_hist_bounds_ms[REPORT_HIST_NBOUNDS] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 20000, 30000,
	60000, 120000, 300000
};

struct tsrc {
	int64_t		 id;
	char		*name;
};

struct tctx {
	struct store	*s;
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
tdone(struct tctx *c, struct store_rows *st, int rc)
{
	store_rows_free(st);
	if (rc == 0)
		return 0;
	store_read_error(c->s, c->err, c->errlen, "database");
	return -1;
}

static char *
tcol(struct store_rows *st, int i)
{
	const char *t = store_rows_text(st, i);

	return xstrdup(t == NULL ? "" : t);
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
	struct store_rows *st;
	size_t i, it;
	int64_t id;
	int rc;

	if (c->has == NULL)
		c->has = xcalloc(c->nsrc + 1, 1);
	memset(c->has, 0, c->nsrc + 1);
	if (store_totals_rule_sources(c->s, rule, &st, c->err, c->errlen) != 0)
		return -1;
	while ((rc = store_rows_next(st)) == 1) {
		id = store_rows_int64(st, 0);
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
	struct store_rows *st;
	size_t i, cap = 0;
	int rc, want;

	if (store_totals_sources(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	while ((rc = store_rows_next(st)) == 1) {
		const char *name = store_rows_text(st, 1);

		if (name == NULL)
			continue;
		want = q->nsources == 0;
		for (i = 0; i < q->nsources && !want; i++)
			want = fnmatch(q->sources[i], name, 0) == 0;
		if (!want)
			continue;
		if (!store_rows_null(st, 2) &&
		    (t->last_log == TS_NONE ||
		    store_rows_int64(st, 2) > t->last_log))
			t->last_log = store_rows_int64(st, 2);
		c->src = util_grow(c->src, &cap, c->nsrc, sizeof(*c->src), 16);
		c->src[c->nsrc].id = store_rows_int64(st, 0);
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
	struct store_rows *st;
	size_t cap = 0;
	const char *name;
	int rc;

	if (store_totals_counts(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	while ((rc = store_rows_next(st)) == 1) {
		struct report_total_events *e;

		if ((name = src_name(c, store_rows_int64(st, 2))) == NULL)
			continue;
		t->events = util_grow(t->events, &cap, t->nevents,
		    sizeof(*t->events), 64);
		e = &t->events[t->nevents++];
		e->rule = tcol(st, 0);
		e->category = tcol(st, 1);
		e->source = xstrdup(name);
		e->n = (uint64_t)store_rows_int64(st, 3);
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
	struct store_rows *rs = NULL, *st = NULL;
	size_t i, cap = 0;
	int rc, k;

	if (store_totals_metric_rules(c->s, &rs, c->err, c->errlen) != 0 ||
	    store_totals_metric_values(c->s, &st, c->err, c->errlen) != 0) {
		store_rows_free(rs);
		return -1;
	}
	while ((rc = store_rows_next(rs)) == 1) {
		char *rule = tcol(rs, 0);
		const char *unit = store_rows_text(rs, 1);

		if (rule_sources(c, rule) != 0) {
			free(rule);
			store_rows_free(st);
			store_rows_free(rs);
			return -1;
		}
		rc = 0;
		for (i = 0; i < c->nsrc; i++) {
			if (!c->has[i])
				continue;
			store_report_at(st, rule, c->src[i].id, 0, 0, NULL);
			while ((rc = store_rows_next(st)) == 1) {
				double v = store_rows_double(st, 0);
				struct report_total_hist *h = hist_get(c, t, &cap,
				    rule, unit, store_rows_text(st, 1));

				for (k = 0; k < REPORT_HIST_NBOUNDS; k++)
					if (v <= (double)report_hist_bounds_ms[k])
						h->le[k]++;
				h->count++;
				h->sum += v;
			}
			if (rc != 0)
				break;
		}
		free(rule);
		if (rc != 0)
			break;
	}
	store_rows_free(st);
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
	struct store_rows *rs = NULL, *st = NULL;
	size_t i, j, cap = 0;
	int rc;

	if (store_totals_link_rules(c->s, &rs, c->err, c->errlen) != 0 ||
	    store_totals_links(c->s, &st, c->err, c->errlen) != 0) {
		store_rows_free(rs);
		return -1;
	}
	while ((rc = store_rows_next(rs)) == 1) {
		char *rule = tcol(rs, 0);
		int has_by = !store_rows_null(rs, 1);
		char *by = has_by ? tcol(rs, 1) : NULL;

		if (rule_sources(c, rule) != 0) {
			free(rule);
			free(by);
			store_rows_free(st);
			store_rows_free(rs);
			return -1;
		}
		rc = 0;
		for (i = 0; i < c->nsrc; i++) {
			if (!c->has[i])
				continue;
			store_report_at(st, rule, c->src[i].id, 0, 0, by);
			while ((rc = store_rows_next(st)) == 1) {
				const char *tr = store_rows_text(st, 0);
				const char *g = store_rows_text(st, 1);
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
				l->n += (uint64_t)store_rows_int64(st, 2);
			}
			if (rc != 0)
				break;
		}
		free(rule);
		free(by);
		if (rc != 0)
			break;
	}
	store_rows_free(st);
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
	struct store_rows *st;
	size_t cap = 0;
	const char *name;
	int rc;

	if (store_totals_incidents(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	while ((rc = store_rows_next(st)) == 1) {
		struct report_total_incidents *in;

		if ((name = src_name(c, store_rows_int64(st, 2))) == NULL)
			continue;
		t->incidents = util_grow(t->incidents, &cap, t->nincidents,
		    sizeof(*t->incidents), 16);
		in = &t->incidents[t->nincidents++];
		in->kind = tcol(st, 0);
		in->rule = tcol(st, 1);
		in->source = xstrdup(name);
		in->n = (uint64_t)store_rows_int64(st, 3);
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
	struct store_rows *st;
	int rc;

	if (store_totals_ingests(c->s, &st, c->err, c->errlen) != 0)
		return -1;
	if ((rc = store_rows_next(st)) == 1) {
		if (!store_rows_null(st, 0))
			t->last_ingest = store_rows_int64(st, 0);
		t->ingest_errors = (uint64_t)store_rows_int64(st, 1);
		rc = store_rows_next(st);
	}
	return tdone(c, st, rc);
}

int
report_totals_build(struct store *s, const struct report_query *q,
    struct report_totals **out, char *err, size_t errlen)
{
	struct report_totals *t = xcalloc(1, sizeof(*t));
	struct tctx c;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.s = s;
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
