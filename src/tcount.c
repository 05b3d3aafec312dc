/*
 * tcount.c - counts per record text hash (see tcount.h).
 */
#include "tcount.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
tcount_free(struct tcount *t)
{
	free(t->slot);
	free(t->used);
	memset(t, 0, sizeof *t);
}

void
tcount_clear(struct tcount *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		t->slot[t->used[i]].n = 0;
	t->n = 0;
}

static size_t
slot_of(const struct tcount *t, uint64_t hash)
{
	size_t i = (size_t)(hash * 0x9e3779b97f4a7c15ULL) & (t->cap - 1);

	while (t->slot[i].n != 0 && t->slot[i].hash != hash)
		i = (i + 1) & (t->cap - 1);
	return i;
}

int
tcount_add(struct tcount *t, uint64_t hash, int k)
{
	struct ord *old;
	size_t i, j, oldcap;
	int before;

	if ((t->n + 1) * 2 > t->cap) {
		old = t->slot;
		oldcap = t->cap;
		t->cap = oldcap ? oldcap * 2 : 4;
		t->slot = xcalloc(t->cap, sizeof *t->slot);
		t->used = xrealloc(t->used, t->cap / 2 * sizeof *t->used);
		for (i = j = 0; i < oldcap; i++) {
			if (old[i].n == 0)
				continue;
			t->used[j] = slot_of(t, old[i].hash);
			t->slot[t->used[j++]] = old[i];
		}
		free(old);
	}
	i = slot_of(t, hash);
	before = t->slot[i].n;
	if (before == 0) {
		t->slot[i].hash = hash;
		t->used[t->n++] = i;
	}
	t->slot[i].n = before + k;
	return before;
}

int
tcount_fits(const struct tcount *t, size_t k)
{
	/* each add grows the table when (n + 1) * 2 > cap, n at most n + k - 1 */
	return k == 0 || (t->n + k) * 2 <= t->cap;
}

int
tcount_count(const struct tcount *t, uint64_t hash)
{
	return t->cap == 0 ? 0 : t->slot[slot_of(t, hash)].n;
}

int
tcount_take(struct tcount *t, uint64_t hash)
{
	size_t i;

	if (t->cap == 0)
		return 0;
	i = slot_of(t, hash);
	if (t->slot[i].n <= 0)
		return 0;
	t->slot[i].n = t->slot[i].n == 1 ? -1 : t->slot[i].n - 1;
	return 1;
}
