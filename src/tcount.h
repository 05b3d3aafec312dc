/*
 * tcount.h - counts per record text hash, for the volume marks of ingest:
 * how many records of each text a source had in its latest second.  Open
 * addressing; used[] lists the taken slots, so that a clear costs what
 * was added, not the table's size.  Knows nothing of sources, batches or
 * the store.
 */
#ifndef LOGTRIAGE_TCOUNT_H
#define LOGTRIAGE_TCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "ordinals.h"

/* Zeroed is empty; free with tcount_free. */
struct tcount {
	struct ord	*slot;		/* n == 0: free */
	size_t		*used;
	size_t		 cap, n;
};

void tcount_free(struct tcount *t);
/* Forget every count (the table is kept). */
void tcount_clear(struct tcount *t);
/* Add k (>= 1) to the count of hash; the count before. */
int tcount_add(struct tcount *t, uint64_t hash, int k);
/*
 * Would k more adds leave t's table as it is?  Its size, which decides
 * the order of used[], then does not depend on whether they are made.
 */
int tcount_fits(const struct tcount *t, size_t k);
/* The count of hash: 0 when absent, -1 when taken down to nothing. */
int tcount_count(const struct tcount *t, uint64_t hash);
/*
 * Take one record of hash off the count; 1 if there was one.  A count
 * taken down to nothing becomes -1, not 0, so that its slot stays taken
 * and the probe chains through it stay whole.
 */
int tcount_take(struct tcount *t, uint64_t hash);

#endif
