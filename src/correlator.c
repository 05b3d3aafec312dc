/*
 * correlator.c - storm episodes and expectation pairing on log time.
 *
 * Both trackers hold one entry per live key in a chained hash table and
 * drop it as soon as the key can no longer affect a result: a storm key
 * once it has been idle for the window, an expectation key once nobody
 * waits on it.  Events arrive in time order, so the oldest state is always
 * at the head of a list and expiry costs O(1) per event.  For the same
 * reason what changed since a snapshot is always at the tail of a list, so
 * a snapshot costs only what changed.
 */
#include "correlator.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PEAK_SPAN_MS	60000

/* --- keys --------------------------------------------------------------- */

struct ktab_entry {
	struct ktab_entry	*hnext;
	uint64_t		 hash;
	char			*key;
	size_t			 keylen;
};

struct ktab {
	struct ktab_entry	**b;
	size_t			  nb;	/* a power of two */
	size_t			  n;
};

/* Small: a tracker per (rule, source), and a source per line is possible. */
#define KTAB_MIN 4

static void
ktab_init(struct ktab *kt)
{
	kt->nb = KTAB_MIN;
	kt->b = xcalloc(kt->nb, sizeof *kt->b);
	kt->n = 0;
}

static void
ktab_resize(struct ktab *kt, size_t nb)
{
	struct ktab_entry **b = xcalloc(nb, sizeof *b), *e, *next;
	size_t i;

	for (i = 0; i < kt->nb; i++) {
		for (e = kt->b[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(kt->b);
	kt->b = b;
	kt->nb = nb;
}

static struct ktab_entry *
ktab_find(const struct ktab *kt, const char *key, size_t keylen, uint64_t h)
{
	struct ktab_entry *e;

	for (e = kt->b[h & (kt->nb - 1)]; e != NULL; e = e->hnext) {
		if (e->hash == h && e->keylen == keylen &&
		    (keylen == 0 || memcmp(e->key, key, keylen) == 0))
			return e;
	}
	return NULL;
}

/* Fill e's key fields and link it in. */
static void
ktab_add(struct ktab *kt, struct ktab_entry *e, const char *key, size_t keylen,
    uint64_t h)
{
	struct ktab_entry **slot;

	e->hash = h;
	e->key = xstrndup(key, keylen);
	e->keylen = keylen;
	if (kt->n >= kt->nb)
		ktab_resize(kt, kt->nb * 2);
	slot = &kt->b[h & (kt->nb - 1)];
	e->hnext = *slot;
	*slot = e;
	kt->n++;
}

/* Unlink e and free its key; the caller frees e itself. */
static void
ktab_remove(struct ktab *kt, struct ktab_entry *e)
{
	struct ktab_entry **pp;

	for (pp = &kt->b[e->hash & (kt->nb - 1)]; *pp != e; pp = &(*pp)->hnext)
		;
	*pp = e->hnext;
	free(e->key);
	kt->n--;
	/* Give memory back after a burst of distinct keys has expired. */
	if (kt->nb > KTAB_MIN && kt->n < kt->nb / 8)
		ktab_resize(kt, kt->nb / 2);
}

static void
ktab_free(struct ktab *kt)
{
	free(kt->b);
	kt->b = NULL;
	kt->nb = kt->n = 0;
}

/* --- a queue of timestamps inside a sliding span ------------------------ */

struct tsq {
	int64_t	*v;
	size_t	 head, len, cap;
};

static void
tsq_push(struct tsq *q, int64_t ts)
{
	size_t i, ncap;
	int64_t *nv;

	if (q->len == q->cap) {
		ncap = q->cap ? q->cap * 2 : 4;
		nv = xmalloc(ncap * sizeof *nv);
		for (i = 0; i < q->len; i++)
			nv[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = nv;
		q->cap = ncap;
		q->head = 0;
	}
	q->v[(q->head + q->len) % q->cap] = ts;
	q->len++;
}

/* Drop the timestamps at or before limit. */
static void
tsq_drop_through(struct tsq *q, int64_t limit)
{
	while (q->len > 0 && q->v[q->head] <= limit) {
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
}

static void
tsq_free(struct tsq *q)
{
	free(q->v);
	memset(q, 0, sizeof *q);
}

/* --- storms ------------------------------------------------------------- */

struct storm_key {
	struct ktab_entry	 e;		/* first: the table hands these back */
	struct storm_key	*prev, *next;	/* by last event, oldest first */
	int64_t			 start, last, detected_at;
	int64_t			 first_id, last_id;
	uint64_t		 count, peak;
	uint64_t		 fed;		/* the tracker's feed count at its last event */
	int			 detected;
	int			 reported;	/* a snapshot reported this episode */
	struct tsq		 window;	/* events in (last - W, last], until detected */
	struct tsq		 minute;	/* events in (last - 60 s, last] */
};

struct storm_tracker {
	int			 n;
	int64_t			 window_ms;
	storm_emit_fn		*emit;
	void			*arg;
	struct ktab		 keys;
	struct storm_key	*oldest, *newest;
	uint64_t		 nfed;		/* events fed so far */
	uint64_t		 snapped;	/* nfed at the last snapshot */
};

struct storm_tracker *
storm_tracker_new(int n, int64_t window_ms, storm_emit_fn *emit, void *arg)
{
	struct storm_tracker *t = xcalloc(1, sizeof *t);

	t->n = n < 1 ? 1 : n;
	t->window_ms = window_ms < 1 ? 1 : window_ms;
	t->emit = emit;
	t->arg = arg;
	ktab_init(&t->keys);
	return t;
}

static void
storm_unlink(struct storm_tracker *t, struct storm_key *k)
{
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		t->oldest = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	else
		t->newest = k->prev;
	k->prev = k->next = NULL;
}

static void
storm_append(struct storm_tracker *t, struct storm_key *k)
{
	k->prev = t->newest;
	k->next = NULL;
	if (t->newest != NULL)
		t->newest->next = k;
	else
		t->oldest = k;
	t->newest = k;
}

/* The episode of k is over: report it if it was a storm, forget the key. */
static void
storm_emit(struct storm_tracker *t, const struct storm_key *k, int ongoing)
{
	struct storm_episode ep;

	ep.key = k->e.key;
	ep.keylen = k->e.keylen;
	ep.start = k->start;
	ep.end = k->last;
	ep.detected_at = k->detected_at;
	ep.count = k->count;
	ep.peak_per_min = k->peak;
	ep.first_id = k->first_id;
	ep.last_id = k->last_id;
	ep.ongoing = ongoing;
	ep.reported = k->reported;
	t->emit(&ep, t->arg);
}

static void
storm_close(struct storm_tracker *t, struct storm_key *k, int ongoing)
{
	if (k->detected)
		storm_emit(t, k, ongoing);
	storm_unlink(t, k);
	ktab_remove(&t->keys, &k->e);
	tsq_free(&k->window);
	tsq_free(&k->minute);
	free(k);
}

void
storm_tracker_feed(struct storm_tracker *t, int64_t ts, const char *key,
    size_t keylen, int64_t id)
{
	struct storm_key *k;
	uint64_t h = util_hash64(key, keylen, UTIL_HASH_SEED);

	/* A gap of W or more ends an episode; this also bounds the live keys. */
	while (t->oldest != NULL && ts - t->oldest->last >= t->window_ms)
		storm_close(t, t->oldest, 0);

	k = (struct storm_key *)ktab_find(&t->keys, key, keylen, h);
	if (k == NULL) {
		k = xcalloc(1, sizeof *k);
		ktab_add(&t->keys, &k->e, key, keylen, h);
		k->start = ts;
		k->first_id = id;
	} else
		storm_unlink(t, k);
	storm_append(t, k);
	k->last = ts;
	k->last_id = id;
	k->count++;
	k->fed = ++t->nfed;

	if (!k->detected) {
		/* n events in (ts - W, ts] are n consecutive ones within W. */
		tsq_drop_through(&k->window, ts - t->window_ms);
		tsq_push(&k->window, ts);
		if (k->window.len >= (size_t)t->n) {
			k->detected = 1;
			k->detected_at = ts;
			tsq_free(&k->window);
		}
	}
	tsq_drop_through(&k->minute, ts - PEAK_SPAN_MS);
	tsq_push(&k->minute, ts);
	if (k->minute.len > k->peak)
		k->peak = k->minute.len;
}

void
storm_tracker_finish(struct storm_tracker *t)
{
	while (t->oldest != NULL)
		storm_close(t, t->oldest, 1);
}

void
storm_tracker_snapshot(struct storm_tracker *t)
{
	struct storm_key *k;

	/* Keys fed since the last snapshot are the newest ones. */
	for (k = t->newest; k != NULL && k->prev != NULL &&
	    k->prev->fed > t->snapped; k = k->prev)
		;
	for (; k != NULL; k = k->next) {
		if (k->fed <= t->snapped || !k->detected)
			continue;
		storm_emit(t, k, 1);
		k->reported = 1;
	}
	t->snapped = t->nfed;
}

size_t
storm_tracker_live_keys(const struct storm_tracker *t)
{
	return t->keys.n;
}

void
storm_tracker_free(struct storm_tracker *t)
{
	struct storm_key *k, *next;

	if (t == NULL)
		return;
	for (k = t->oldest; k != NULL; k = next) {
		next = k->next;
		free(k->e.key);
		tsq_free(&k->window);
		tsq_free(&k->minute);
		free(k);
	}
	ktab_free(&t->keys);
	free(t);
}

/* --- expectations ------------------------------------------------------- */

struct expect_key;

struct expect_wait {
	struct expect_wait	*gprev, *gnext;	/* every waiting subject, oldest first */
	struct expect_wait	*knext;		/* the same key's, oldest first */
	struct expect_key	*k;
	int64_t			 ts, id;
	int			 reported;	/* a snapshot reported it */
};

struct expect_key {
	struct ktab_entry	 e;		/* first: the table hands these back */
	struct expect_wait	*head, *tail;
};

struct expect_pairer {
	int64_t			 within_ms;
	expect_emit_fn		*emit;
	void			*arg;
	struct ktab		 keys;
	struct expect_wait	*ghead, *gtail;
	size_t			 nwait;
	int64_t			 last_ts;
};

struct expect_pairer *
expect_pairer_new(int64_t within_ms, expect_emit_fn *emit, void *arg)
{
	struct expect_pairer *p = xcalloc(1, sizeof *p);

	p->within_ms = within_ms < 0 ? 0 : within_ms;
	p->emit = emit;
	p->arg = arg;
	p->last_ts = TS_NONE;
	ktab_init(&p->keys);
	return p;
}

/*
 * Report w and forget it.  w is always the oldest subject of its key: the
 * global list and each key's list are both in time order.
 */
static void
expect_settle(struct expect_pairer *p, struct expect_wait *w,
    enum expect_outcome outcome, int64_t target_id, int64_t target_ts)
{
	struct expect_key *k = w->k;
	struct expect_result r;

	r.outcome = outcome;
	r.key = k->e.key;
	r.keylen = k->e.keylen;
	r.subject_id = w->id;
	r.subject_ts = w->ts;
	r.target_id = target_id;
	r.target_ts = target_ts;
	r.reported = w->reported;
	p->emit(&r, p->arg);

	k->head = w->knext;
	if (k->head == NULL) {
		ktab_remove(&p->keys, &k->e);
		free(k);
	}
	if (w->gprev != NULL)
		w->gprev->gnext = w->gnext;
	else
		p->ghead = w->gnext;
	if (w->gnext != NULL)
		w->gnext->gprev = w->gprev;
	else
		p->gtail = w->gprev;
	p->nwait--;
	free(w);
}

/* Time reached ts: every subject whose window ended before it is unresolved. */
static void
expect_advance(struct expect_pairer *p, int64_t ts)
{
	if (ts > p->last_ts)
		p->last_ts = ts;
	while (p->ghead != NULL && p->ghead->ts + p->within_ms < ts)
		expect_settle(p, p->ghead, EXPECT_UNRESOLVED, 0, TS_NONE);
}

void
expect_pairer_subject(struct expect_pairer *p, int64_t ts, const char *key,
    size_t keylen, int64_t id)
{
	uint64_t h = util_hash64(key, keylen, UTIL_HASH_SEED);
	struct expect_key *k;
	struct expect_wait *w;

	expect_advance(p, ts);
	k = (struct expect_key *)ktab_find(&p->keys, key, keylen, h);
	if (k == NULL) {
		k = xcalloc(1, sizeof *k);
		ktab_add(&p->keys, &k->e, key, keylen, h);
	}
	w = xcalloc(1, sizeof *w);
	w->k = k;
	w->ts = ts;
	w->id = id;
	if (k->tail != NULL)
		k->tail->knext = w;
	else
		k->head = w;
	k->tail = w;
	w->gprev = p->gtail;
	if (p->gtail != NULL)
		p->gtail->gnext = w;
	else
		p->ghead = w;
	p->gtail = w;
	p->nwait++;
}

void
expect_pairer_target(struct expect_pairer *p, int64_t ts, const char *key,
    size_t keylen, int64_t id)
{
	uint64_t h = util_hash64(key, keylen, UTIL_HASH_SEED);
	struct expect_key *k;

	expect_advance(p, ts);
	k = (struct expect_key *)ktab_find(&p->keys, key, keylen, h);
	if (k != NULL)
		expect_settle(p, k->head, EXPECT_MET, id, ts);
}

void
expect_pairer_finish(struct expect_pairer *p, int64_t log_time)
{
	struct expect_wait *w;

	if (log_time < p->last_ts)
		log_time = p->last_ts;
	while ((w = p->ghead) != NULL) {
		expect_settle(p, w, w->ts + p->within_ms <= log_time ?
		    EXPECT_UNRESOLVED : EXPECT_OPEN, 0, TS_NONE);
	}
}

void
expect_pairer_snapshot(struct expect_pairer *p, int64_t log_time)
{
	struct expect_wait *w;
	struct expect_result r;

	if (log_time < p->last_ts)
		log_time = p->last_ts;
	/* Subjects since the last snapshot are the newest ones. */
	for (w = p->gtail; w != NULL && w->gprev != NULL && !w->gprev->reported;
	    w = w->gprev)
		;
	for (; w != NULL; w = w->gnext) {
		if (w->reported)
			continue;
		r.outcome = w->ts + p->within_ms <= log_time ?
		    EXPECT_UNRESOLVED : EXPECT_OPEN;
		r.key = w->k->e.key;
		r.keylen = w->k->e.keylen;
		r.subject_id = w->id;
		r.subject_ts = w->ts;
		r.target_id = 0;
		r.target_ts = TS_NONE;
		r.reported = 0;
		p->emit(&r, p->arg);
		w->reported = 1;
	}
}

size_t
expect_pairer_waiting(const struct expect_pairer *p)
{
	return p->nwait;
}

void
expect_pairer_free(struct expect_pairer *p)
{
	struct expect_wait *w, *next;
	size_t i;
	struct ktab_entry *e, *enext;

	if (p == NULL)
		return;
	for (w = p->ghead; w != NULL; w = next) {
		next = w->gnext;
		free(w);
	}
	for (i = 0; i < p->keys.nb; i++) {
		for (e = p->keys.b[i]; e != NULL; e = enext) {
			enext = e->hnext;
			free(e->key);
			free(e);
		}
	}
	ktab_free(&p->keys);
	free(p);
}
