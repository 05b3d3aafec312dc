/*
 * ordinals.c - a source's de-duplication ordinals, their snapshot at the
 * resume point and their saving and restoring; see ordinals.h.
 */
#include "ordinals.h"

#include <stdlib.h>

/*
 * A count list longer than this is looked up through a hash index: a
 * second of records without a time can hold every event of the input.
 */
#define ORD_INDEX_MIN	16
/* An index grown past this many slots is freed, not cleared, when its list is. */
#define ORD_INDEX_KEEP	1024

struct ord_index {
	struct util_index	ords, snap;
};

/* A second's counts, kept after it was left. */
struct ord_second {
	int64_t		 ts;
	struct ord	*v;
	size_t		 n, cap;
};

/*
 * The last ORD_RECENT seconds with events before the current one, oldest
 * replaced first; max_ts the latest of them, so that a time moving on
 * (nearly every change) is known new without a search.
 */
struct ord_recent {
	struct ord_second	 sec[ORD_RECENT];
	size_t			 n, next;
	int64_t			 max_ts;
};

/*
 * Add n to a count; the count before.  Counted by record, a source's
 * untimed records could pass INT_MAX: the count goes on modulo 2^32 (as
 * the store keeps it), apart until 2^32 records of it.
 */
static inline int
ord_count(struct ord *e, int n)
{
	int before = e->n;

	e->n = (int)((unsigned)e->n + (unsigned)n);
	return before;
}

/* ord_add past the list's first entry: the list, or its index. */
static int
ord_add_rest(struct ordinals *o, int snap, uint64_t hash, int n)
{
	struct ord **vp = snap ? &o->snap : &o->ords, *v = *vp;
	size_t *np = snap ? &o->nsnap : &o->nords;
	struct util_index *ix = NULL;
	size_t i, it;

	if (*np >= ORD_INDEX_MIN) {
		if (o->ix == NULL) {
			o->ix = xcalloc(1, sizeof *o->ix);
			util_index_init(&o->ix->ords);
			util_index_init(&o->ix->snap);
		}
		ix = snap ? &o->ix->snap : &o->ix->ords;
		if (ix->n == 0)
			for (i = 0; i < *np; i++)
				util_index_put(ix, v[i].hash, i);
		for (it = 0; (i = util_index_next(ix, hash, &it)) !=
		    UTIL_INDEX_NONE;)
			if (v[i].hash == hash)
				return ord_count(&v[i], n);
	} else {
		for (i = 1; i < *np; i++)
			if (v[i].hash == hash)
				return ord_count(&v[i], n);
	}
	*vp = v = util_grow(v, snap ? &o->snapcap : &o->cap, *np, sizeof *v, 2);
	i = (*np)++;
	v[i].hash = hash;
	v[i].n = n;
	if (ix != NULL)
		util_index_put(ix, hash, i);
	return 0;
}

/*
 * Add n records with this hash to o's count list of the current second,
 * or of the snapshot (snap set); the count before.  A list from
 * ORD_INDEX_MIN counts on is looked up through its index, filled whole
 * the first time the list is that long.  The first entry is tried in
 * line: an untimed source counted by record (ordinals.h) counts every
 * record under hash 0, its list's first entry, twice (as it is read and
 * at the next commit point).
 */
static inline int
ord_add(struct ordinals *o, int snap, uint64_t hash, int n)
{
	struct ord *v = snap ? o->snap : o->ords;

	if ((snap ? o->nsnap : o->nords) > 0 && v[0].hash == hash)
		return ord_count(&v[0], n);
	return ord_add_rest(o, snap, hash, n);
}

/* Empty a count list's index with its list. */
static void
ord_index_reset(struct util_index *x)
{
	if (x->cap > ORD_INDEX_KEEP)
		util_index_free(x);
	else
		util_index_clear(x);
}

/*
 * An emptied log is kept when it held at least ORD_LOG_KEEP_MIN entries,
 * cut to room for ORD_LOG_KEEP_MAX.
 */
#define ORD_LOG_KEEP_MIN	64
#define ORD_LOG_KEEP_MAX	(16 * 1024)

static void
ord_log(struct ordinals *o, int64_t ts, uint64_t hash, uint64_t off, int event)
{
	o->log = util_grow(o->log, &o->logcap, o->nlog, sizeof *o->log, 4);
	o->log[o->nlog].ts = ts;
	o->log[o->nlog].hash = hash;
	o->log[o->nlog].off = off;
	o->log[o->nlog].event = event;
	o->nlog++;
}

void
ordinals_init(struct ordinals *o)
{
	o->ts = TS_NONE;
	o->snap_ts = TS_NONE;
}

void
ordinals_free(struct ordinals *o)
{
	size_t i;

	free(o->ords);
	free(o->snap);
	free(o->log);
	if (o->recent != NULL) {
		for (i = 0; i < ORD_RECENT; i++)
			free(o->recent->sec[i].v);
		free(o->recent);
	}
	if (o->ix != NULL) {
		util_index_free(&o->ix->ords);
		util_index_free(&o->ix->snap);
		free(o->ix);
	}
}

/* Swap the current second's counts with those kept in sec. */
static void
ord_swap(struct ordinals *o, struct ord_second *sec)
{
	struct ord_second t = *sec;

	sec->ts = o->ts;
	sec->v = o->ords;
	sec->n = o->nords;
	sec->cap = o->cap;
	o->ords = t.v;
	o->nords = t.n;
	o->cap = t.cap;
}

/*
 * Leave the current second for ts: keep its counts when it had events,
 * and take up ts's when they are kept.
 */
static void
ord_leave(struct ordinals *o, int64_t ts)
{
	struct ord_recent *r = o->recent;
	size_t i;

	if (r != NULL && ts <= r->max_ts)
		for (i = 0; i < r->n; i++)
			if (r->sec[i].ts == ts) {
				/* the second left takes its place */
				ord_swap(o, &r->sec[i]);
				if (r->sec[i].ts > r->max_ts)
					r->max_ts = r->sec[i].ts;
				return;
			}
	if (o->nords > 0) {
		if (r == NULL) {
			r = o->recent = xcalloc(1, sizeof *r);
			r->max_ts = o->ts;
		}
		if (r->n < ORD_RECENT)
			r->n++;
		if (o->ts > r->max_ts)
			r->max_ts = o->ts;
		/* the oldest kept makes room, its memory the new second's */
		ord_swap(o, &r->sec[r->next]);
		r->next = (r->next + 1) % ORD_RECENT;
	}
	o->nords = 0;
}

void
ordinals_second(struct ordinals *o, int64_t ts, uint64_t off)
{
	ord_leave(o, ts);
	o->ts = ts;
	if (o->ix != NULL)
		ord_index_reset(&o->ix->ords);
	ord_log(o, ts, 0, off, 0);
}

int
ordinals_event(struct ordinals *o, int64_t ts, uint64_t hash, uint64_t off)
{
	ord_log(o, ts, hash, off, 1);
	return ord_add(o, 0, hash, 1);
}

void
ordinals_advance(struct ordinals *o, uint64_t offset, int64_t *time,
    uint64_t *time_off)
{
	const struct ordlog *e;
	size_t i, j = 0;

	for (i = 0; i < o->nlog; i++) {
		e = &o->log[i];
		if (e->off >= offset) {
			o->log[j++] = *e;
			continue;
		}
		/* the input's time at offset: the latest change before it */
		if (e->off >= *time_off) {
			*time_off = e->off;
			*time = e->ts;
		}
		if (e->ts != o->snap_ts) {
			o->snap_ts = e->ts;
			o->nsnap = 0;
			if (o->ix != NULL)
				ord_index_reset(&o->ix->snap);
		}
		if (e->event)
			ord_add(o, 1, e->hash, 1);
	}
	o->nlog = j;
	/*
	 * A source per line would keep a log each that is seldom used
	 * again; a busy source's is kept for the next batch, which would
	 * otherwise grow it anew from nothing, cut to ORD_LOG_KEEP_MAX
	 * entries (an untimed source logs every record).
	 */
	if (j == 0 && i < ORD_LOG_KEEP_MIN) {
		free(o->log);
		o->log = NULL;
		o->logcap = 0;
	} else if (j == 0 && o->logcap > ORD_LOG_KEEP_MAX) {
		o->logcap = ORD_LOG_KEEP_MAX;
		o->log = xrealloc(o->log, o->logcap * sizeof *o->log);
	}
}

int
ord_restore_load(struct ord_restore *r, struct store *st, const char *key,
    uint64_t fingerprint, int *old, char *err, size_t errlen)
{
	return store_ordinals_get(st, key, fingerprint, &r->v, &r->n, old, err,
	    errlen);
}

void
ord_restore_drop(struct ord_restore *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

void
ord_restore_free(struct ord_restore *r)
{
	ord_restore_drop(r);
	util_index_free(&r->index);
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

void
ord_restore_seed(struct ord_restore *r, int64_t id, struct ordinals *o)
{
	size_t i, j, it, *mine = NULL, nmine, minecap = 0;
	uint64_t hid;

	if (r->n > 0 && r->index.n == 0)
		for (i = 0; i < r->n; i++)
			util_index_put(&r->index, util_hash64(
			    &r->v[i].source_id, sizeof(int64_t),
			    UTIL_HASH_SEED), i);
	hid = util_hash64(&id, sizeof id, UTIL_HASH_SEED);
	for (it = 0, nmine = 0; (i = util_index_next(&r->index, hid,
	    &it)) != UTIL_INDEX_NONE;)
		if (r->v[i].source_id == id) {
			mine = util_grow(mine, &minecap, nmine, sizeof *mine, 8);
			mine[nmine++] = i;
		}
	if (nmine > 1)
		qsort(mine, nmine, sizeof *mine, size_cmp);
	for (j = 0; j < nmine; j++) {
		struct store_ordinal *so = &r->v[mine[j]];

		o->snap_ts = so->ts;
		o->ts = so->ts;
		ord_add(o, 0, so->hash, so->n);
		ord_add(o, 1, so->hash, so->n);
		so->source_id = 0;
	}
	free(mine);
}

void
ord_save_clear(struct ord_save *sv)
{
	sv->nords = sv->nbords = 0;
	sv->reset = 0;
}

void
ord_save_free(struct ord_save *sv)
{
	free(sv->ords);
	free(sv->bords);
}

/* Open the saved ordinal state of a source (entries follow). */
static void
save_begin(struct ord_save *sv, int64_t sid, int64_t ts)
{
	sv->bords = util_grow(sv->bords, &sv->bordcap, sv->nbords,
	    sizeof *sv->bords, 64);
	sv->bords[sv->nbords].sid = sid;
	sv->bords[sv->nbords].ts = ts;
	sv->bords[sv->nbords].first = sv->nords;
	sv->bords[sv->nbords].n = 0;
	sv->nbords++;
}

static void
save_add(struct ord_save *sv, uint64_t hash, int n)
{
	sv->ords = util_grow(sv->ords, &sv->ordcap, sv->nords, sizeof *sv->ords,
	    64);
	sv->ords[sv->nords].source_id = sv->bords[sv->nbords - 1].sid;
	sv->ords[sv->nords].ts = sv->bords[sv->nbords - 1].ts;
	sv->ords[sv->nords].hash = hash;
	sv->ords[sv->nords].n = n;
	sv->nords++;
	sv->bords[sv->nbords - 1].n++;
}

void
ord_save_source(struct ord_save *sv, int64_t sid, const struct ordinals *o)
{
	size_t j;

	save_begin(sv, sid, o->snap_ts);
	for (j = 0; j < o->nsnap; j++)
		save_add(sv, o->snap[j].hash, o->snap[j].n);
}

struct restore_at {
	int64_t		sid;
	size_t		i;
};

static int
restore_at_cmp(const void *a, const void *b)
{
	const struct restore_at *x = a, *y = b;

	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void
ord_save_unmet(struct ord_save *sv, const struct ord_restore *r)
{
	struct restore_at *at;
	size_t i, n = 0;

	at = xcalloc(r->n + 1, sizeof *at);
	for (i = 0; i < r->n; i++) {
		if (r->v[i].source_id == 0)
			continue;
		at[n].sid = r->v[i].source_id;
		at[n++].i = i;
	}
	qsort(at, n, sizeof *at, restore_at_cmp);
	for (i = 0; i < n; i++) {
		const struct store_ordinal *so = &r->v[at[i].i];

		if (i == 0 || at[i].sid != at[i - 1].sid)
			save_begin(sv, so->source_id, so->ts);
		save_add(sv, so->hash, so->n);
	}
	free(at);
}

int
ord_save_write(const struct ord_save *sv, struct store *st, const char *key,
    uint64_t fingerprint, char *err, size_t errlen)
{
	struct store_ordinals_row *rows;
	size_t i;
	int rc;

	if (sv->reset && store_ordinals_clear(st, key, fingerprint, err,
	    errlen) != 0)
		return -1;
	if (sv->nbords == 0)
		return 0;
	rows = xmalloc(sv->nbords * sizeof *rows);
	for (i = 0; i < sv->nbords; i++) {
		rows[i].source_id = sv->bords[i].sid;
		rows[i].ts = sv->bords[i].ts;
		rows[i].ords = sv->ords + sv->bords[i].first;
		rows[i].n = sv->bords[i].n;
	}
	rc = store_ordinals_put_rows(st, key, fingerprint, rows, sv->nbords,
	    err, errlen);
	free(rows);
	return rc;
}
