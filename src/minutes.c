/*
 * minutes.c - pending event counts per (rule, source, minute).  A hash
 * index over an array, so that adding a batch of events costs a probe
 * each and clearing costs what was added; rule names are kept once and
 * the entries refer to them by position.
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
};

struct minutes {
	char			**names;
	size_t			  nnames, capnames;
	struct util_index	  name_index;
	size_t			  last;		/* the name found last; nnames: none */
	struct minute_entry	 *e;
	size_t			  n, cap;
	struct util_index	  index;
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
	const struct minute_entry *e = &m->e[i];

	*rule = m->names[e->rule];
	*source_id = e->source_id;
	*minute = e->minute;
	*delta = e->delta;
}

void
minutes_clear(struct minutes *m)
{
	if (m->n == 0)
		return;
	memset(m->index.slots, 0, m->index.cap * sizeof *m->index.slots);
	m->index.n = 0;
	m->n = 0;
}
