/*
 * memtune.h - back the C library's heap with transparent huge pages for a
 * command with much work, from inside the process.  On the virtual
 * machines logtriage is measured on a page's first touch costs about
 * 10 us, and an ingest touches its 25-40 MiB once: a few huge pages
 * instead of thousands of small ones.  Knows nothing about logs, rules or
 * SQL; a no-op but where glibc's malloc runs on Linux.
 */
#ifndef LOGTRIAGE_MEMTUNE_H
#define LOGTRIAGE_MEMTUNE_H

/*
 * Once, on the main thread, before anything allocates from the heap (a
 * heap in use is left as it is): the heap starts a page below a huge
 * page boundary and grows MEMTUNE_PAD at a time, blocks up to 4 MiB come
 * from it, and what it grows into is advised for huge pages.  Even a run
 * over an empty input touches two hundred pages of heap, loading the
 * rules and opening the store: one huge page costs less.  Left as it is
 * where the user set glibc.malloc.hugetlb in GLIBC_TUNABLES, or under a
 * sanitizer's allocator.  Returns 1 if the heap was advised.
 */
#define MEMTUNE_PAD	(32u * 1024 * 1024)
int memtune_process(void);

/*
 * On a thread that allocates much (the ingest's writer), first thing:
 * the same for the heap the C library gives that thread.  Does nothing
 * unless memtune_process advised the process's heap.
 */
void memtune_thread(void);

/*
 * After a block of MEMTUNE_BLOCK_MIN bytes or more was allocated or grown
 * at p by malloc, calloc or realloc (the callers test the size, so that a
 * small block costs no call): such a block has a mapping of its own,
 * outside the advised heap, and is advised too (a million sources' state
 * is an array of 300 MiB, a fault per 4 KiB of it otherwise), all of the
 * mapping, so that realloc still moves it without a copy.  Does nothing
 * unless memtune_process advised the heap.
 */
#define MEMTUNE_BLOCK_MIN	(4u * 1024 * 1024)
void memtune_block(void *p);

#endif
