/*
 * minutes.c - pending event counts per (rule, source, minute).  A hash
 * index over an array, so that adding a batch of events costs a probe
 * each and clearing costs what was added; rule names are kept once and
 * the entries refer to them by position.  The entries of one (rule,
 * source) are chained in the order they were made, so that putting them
 * in key order sorts the pairs only.
 */
#include <stdlib.h>
#include <string.h>

#include "minutes.h"
#include "util.h"

struct minute_entry {
	size_t		rule;		/* position in names */
	int64_t		source_id;
	int64_t		minute;
	int64_t		delta;
	size_t		next;		/* the pair's next entry, or SIZE_MAX */
};

/* The entries of one (rule, source). */
struct minute_pair {
	size_t		rule;
	int64_t		source_id;
	size_t		first, last;
};

/* A pair as minutes_sort orders them: by its rule's rank, then source. */
struct pair_key {
	size_t		rank;
	int64_t		source_id;
	size_t		pair;
};

struct minutes {
	char			**names;
	size_t			  nnames, capnames;
	struct util_index	  name_index;
	size_t			  last;		/* the name found last; nnames: none */
	struct minute_entry	 *e;
	size_t			  n, cap;
	struct util_index	  index;
	struct minute_pair	 *pairs;
	size_t			  npairs, cappairs;
	struct util_index	  pair_index;
	size_t			  pair_last;	/* the pair found last */
	size_t			 *rank;		/* of each name, for nranked names */
	size_t			  nranked, caprank;
	struct pair_key		 *keys;
	size_t			  capkeys;
	size_t			 *order;	/* minutes_sort's, or NULL */
	size_t			  caporder;
	int			  sorted;
};

int64_t
minutes_of(int64_t ts)
{
	int64_t m = ts / 60000;

	return ts % 60000 < 0 ? m - 1 : m;
}

struct minutes *
minutes_new(void)
{
	struct minutes *m = xcalloc(1, sizeof *m);

	util_index_init(&m->name_index);
	util_index_init(&m->index);
	util_index_init(&m->pair_index);
	return m;
}

void
minutes_free(struct minutes *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	util_index_free(&m->name_index);
	free(m->e);
	util_index_free(&m->index);
	free(m->pairs);
	util_index_free(&m->pair_index);
	free(m->rank);
	free(m->keys);
	free(m->order);
	free(m);
}

static size_t
minutes_name(struct minutes *m, const char *rule)
{
	size_t len, it = 0, i;
	uint64_t h;

	/* a batch's events are mostly of one rule: hashing each name costs more */
	if (m->last < m->nnames && strcmp(m->names[m->last], rule) == 0)
		return m->last;
	len = strlen(rule);
	h = util_hash64(rule, len, UTIL_HASH_SEED);
	while ((i = util_index_next(&m->name_index, h, &it)) != UTIL_INDEX_NONE)
		if (strcmp(m->names[i], rule) == 0)
			return m->last = i;
	m->names = util_grow(m->names, &m->capnames, m->nnames,
	    sizeof *m->names, 16);
	m->names[m->nnames] = xstrdup(rule);
	util_index_put(&m->name_index, h, m->nnames);
	m->last = m->nnames;
	return m->nnames++;
}

static uint64_t
minutes_key(size_t rule, int64_t source_id, int64_t minute)
{
	uint64_t h = (uint64_t)rule * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)source_id + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
	h ^= (uint64_t)minute + 0x8cb92ba72f3d8dd7ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t
pair_key_hash(size_t rule, int64_t source_id)
{
	uint64_t h = (uint64_t)rule * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)source_id * 0xc2b2ae3d27d4eb4fULL;

	return h ^ h >> 31;
}

/* Chain entry i to the end of its pair's. */
static void
minutes_chain(struct minutes *m, size_t i)
{
	struct minute_entry *e = &m->e[i];
	struct minute_pair *p;
	size_t it = 0, k;
	uint64_t h;

	e->next = SIZE_MAX;
	k = m->pair_last;
	if (k < m->npairs && m->pairs[k].rule == e->rule &&
	    m->pairs[k].source_id == e->source_id) {
		m->e[m->pairs[k].last].next = i;
		m->pairs[k].last = i;
		return;
	}
	h = pair_key_hash(e->rule, e->source_id);
	while ((k = util_index_next(&m->pair_index, h, &it)) != UTIL_INDEX_NONE)
		if (m->pairs[k].rule == e->rule &&
		    m->pairs[k].source_id == e->source_id)
			break;
	if (k == UTIL_INDEX_NONE) {
		m->pairs = util_grow(m->pairs, &m->cappairs, m->npairs,
		    sizeof *m->pairs, 16);
		k = m->npairs++;
		p = &m->pairs[k];
		p->rule = e->rule;
		p->source_id = e->source_id;
		p->first = i;
		util_index_put(&m->pair_index, h, k);
	} else
		m->e[m->pairs[k].last].next = i;
	m->pairs[k].last = i;
	m->pair_last = k;
}

void
minutes_add(struct minutes *m, const char *rule, int64_t source_id,
    int64_t ts, int64_t delta)
{
	int64_t minute = minutes_of(ts);
	size_t r = minutes_name(m, rule), it = 0, i;
	uint64_t h = minutes_key(r, source_id, minute);
	struct minute_entry *e;

	while ((i = util_index_next(&m->index, h, &it)) != UTIL_INDEX_NONE) {
		e = &m->e[i];
		if (e->rule == r && e->source_id == source_id &&
		    e->minute == minute) {
			e->delta += delta;
			return;
		}
	}
	m->e = util_grow(m->e, &m->cap, m->n, sizeof *m->e, 64);
	e = &m->e[m->n];
	e->rule = r;
	e->source_id = source_id;
	e->minute = minute;
	e->delta = delta;
	m->sorted = 0;
	minutes_chain(m, m->n);
	util_index_put(&m->index, h, m->n++);
}

size_t
minutes_count(const struct minutes *m)
{
	return m->n;
}

void
minutes_get(const struct minutes *m, size_t i, const char **rule,
    int64_t *source_id, int64_t *minute, int64_t *delta)
{
	const struct minute_entry *e = &m->e[m->sorted ? m->order[i] : i];

	*rule = m->names[e->rule];
	*source_id = e->source_id;
	*minute = e->minute;
	*delta = e->delta;
}

/* A rule name and its position, to rank the names. */
struct name_at {
	const char	*name;
	size_t		 at;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_at *)a)->name,
	    ((const struct name_at *)b)->name);
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair_key *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->source_id < y->source_id ? -1 : x->source_id > y->source_id;
}

/* Rank the names in their order, anew when names were added since. */
static void
minutes_rank(struct minutes *m)
{
	struct name_at *v;
	size_t i;

	if (m->nranked == m->nnames)
		return;
	v = xmalloc(m->nnames * sizeof *v);
	for (i = 0; i < m->nnames; i++) {
		v[i].name = m->names[i];
		v[i].at = i;
	}
	qsort(v, m->nnames, sizeof *v, name_cmp);
	if (m->nnames > m->caprank) {
		m->caprank = m->nnames;
		m->rank = xrealloc(m->rank, m->caprank * sizeof *m->rank);
	}
	for (i = 0; i < m->nnames; i++)
		m->rank[v[i].at] = i;
	m->nranked = m->nnames;
	free(v);
}

void
minutes_sort(struct minutes *m)
{
	size_t i, j, k;

	if (m->sorted || m->n == 0)
		return;
	minutes_rank(m);
	if (m->npairs > m->capkeys) {
		m->capkeys = m->npairs;
		m->keys = xrealloc(m->keys, m->capkeys * sizeof *m->keys);
	}
	for (i = 0; i < m->npairs; i++) {
		m->keys[i].rank = m->rank[m->pairs[i].rule];
		m->keys[i].source_id = m->pairs[i].source_id;
		m->keys[i].pair = i;
	}
	qsort(m->keys, m->npairs, sizeof *m->keys, pair_cmp);
	if (m->n > m->caporder) {
		m->caporder = m->n;
		m->order = xrealloc(m->order, m->caporder * sizeof *m->order);
	}
	for (i = 0, k = 0; i < m->npairs; i++)
		for (j = m->pairs[m->keys[i].pair].first; j != SIZE_MAX;
		    j = m->e[j].next)
			m->order[k++] = j;
	m->sorted = 1;
}

void
minutes_clear(struct minutes *m)
{
	if (m->n == 0)
		return;
	util_index_clear(&m->index);
	m->n = 0;
	util_index_clear(&m->pair_index);
	m->npairs = 0;
	m->sorted = 0;
}
