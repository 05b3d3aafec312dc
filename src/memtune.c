/*
 * memtune.c - the C library's heap backed by transparent huge pages, set
 * up from inside the process with documented malloc options (mallopt)
 * and memory advice (madvise).  glibc's own tunable for this is read only
 * as a process starts: setting it would take a second start of the
 * program, a second load of every library (7-9 ms, a fifth of a 10 MB
 * ingest).  Knows nothing about logs, rules or SQL.
 */
#include "memtune.h"

/* first: __GLIBC__ comes with the C library's headers */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__GLIBC__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__)

#include <malloc.h>
#include <sys/mman.h>

/* Linux's value (6.1), where the C library's headers lack it */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define HUGE_PAGE	((uintptr_t)2 * 1024 * 1024)
/*
 * glibc gives each further thread's arena heaps this long, aligned to
 * their length (twice the largest mmap threshold).  Were that to change,
 * the advice would land on whatever lies there, which changes nothing but
 * how much of it is backed by huge pages.
 */
#define ARENA_HEAP	((uintptr_t)2 * 4 * 1024 * 1024 * sizeof(long))
/* The main heap's advised span, once memtune_process succeeded. */
static uintptr_t heap_lo, heap_hi;

static uintptr_t
align_up(uintptr_t v, uintptr_t to)
{
	return (v + to - 1) & ~(to - 1);
}

int
memtune_process(void)
{
	const char *t = getenv("GLIBC_TUNABLES");
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), before, start, after;
	void *probe;

	if (heap_hi != 0)
		return 1;
	if (t != NULL && strstr(t, "glibc.malloc.hugetlb") != NULL)
		return 0;
	/* a heap in use already lies where it cannot be placed any more */
	if (mallinfo2().arena != 0)
		return 0;
	/*
	 * The heap grows by the pad, and it is given back only when twice
	 * the pad lies free at its top: a heap cut back and grown again
	 * would grow into memory not advised (ten times the faults).
	 * Blocks up to MEMTUNE_BLOCK_MIN come from it, not from mappings of
	 * their own, which would take small pages; larger ones keep their
	 * mappings, which grow by moving pages, not copying them, go back to
	 * the system when freed, and are advised apart (memtune_block).
	 */
	if (mallopt(M_TOP_PAD, MEMTUNE_PAD) == 0 ||
	    mallopt(M_MMAP_THRESHOLD, MEMTUNE_BLOCK_MIN) == 0 ||
	    mallopt(M_TRIM_THRESHOLD, 2 * MEMTUNE_PAD) == 0)
		return 0;
	if ((before = (uintptr_t)sbrk(0)) == (uintptr_t)-1)
		return 0;
	/*
	 * The heap starts one page below a huge page boundary (the addresses
	 * skipped are never touched): the C library writes its first headers
	 * there, on a small page, and what lies above the boundary is still
	 * untouched when it is advised, so that its first touch takes a huge
	 * page at once.  A huge page formed from small pages already touched
	 * (MADV_COLLAPSE) costs twice that, a tenth of an empty ingest.
	 */
	start = align_up(before + page, HUGE_PAGE) - page;
	if (start > before && sbrk((intptr_t)(start - before)) == (void *)-1)
		return 0;
	/* the first allocation grows the heap by the pad */
	if ((probe = malloc(1)) == NULL)
		return 0;
	after = (uintptr_t)sbrk(0) & ~(page - 1);
	free(probe);
	start += page;
	if (after < start + HUGE_PAGE ||
	    madvise((void *)start, after - start, MADV_HUGEPAGE) != 0)
		return 0;
	heap_lo = start;
	heap_hi = after;
	return 1;
}

void
memtune_thread(void)
{
	uintptr_t at, base;
	void *p;

	if (heap_hi == 0 || (p = malloc(1)) == NULL)
		return;
	at = (uintptr_t)p;
	free(p);
	/* a thread that shares the main arena is advised already */
	if (at >= heap_lo && at < (uintptr_t)sbrk(0))
		return;
	base = at & ~(ARENA_HEAP - 1);
	if (madvise((void *)base, ARENA_HEAP, MADV_HUGEPAGE) != 0)
		return;
	/*
	 * The arena's own header made the heap's first pages present before
	 * the advice: that huge page is formed now, or the rest of it would
	 * fault a small page at a time.
	 */
	(void)madvise((void *)base, HUGE_PAGE, MADV_COLLAPSE);
}

void
memtune_block(void *p)
{
	uintptr_t page, lo, hi;

	if (heap_hi == 0)
		return;
	/*
	 * The whole of the block's mapping, its header's page and its last
	 * page too: advice on part of a mapping splits it in two, and the
	 * C library's realloc cannot move a block across mappings
	 * (mremap fails), so it would copy it, all of it, at every growth.
	 * A block from the heap shares its end pages with others, advised
	 * already.
	 */
	page = (uintptr_t)sysconf(_SC_PAGESIZE);
	lo = (uintptr_t)p & ~(page - 1);
	hi = align_up((uintptr_t)p + malloc_usable_size(p), page);
	(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

#else

int
memtune_process(void)
{
	return 0;
}

void
memtune_thread(void)
{
}

void
memtune_block(void *p)
{
	(void)p;
}

#endif
