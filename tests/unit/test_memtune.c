/*
 * test_memtune.c - with the heap advised for huge pages (memtune_process),
 * a block of MEMTUNE_BLOCK_MIN or more from xmalloc, xcalloc or xrealloc
 * lies in a mapping advised too ("hg" among its VmFlags in
 * /proc/self/smaps).  memtune_process advises nothing under a
 * sanitizer's allocator or without transparent huge pages, and the
 * blocks are then left as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <malloc.h>

#include "memtune.h"
#include "util.h"

static int advised;

/* Is the page at addr in a mapping advised for huge pages?  -1: not found. */
static int
advised_at(uintptr_t addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi;
	int in = 0, hg = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = addr >= lo && addr < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			hg = strstr(line, " hg") != NULL;
			break;
		}
	}
	fclose(f);
	return hg;
}

/* The page that holds p. */
static uintptr_t
page_of(const void *p)
{
	return (uintptr_t)p & ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
}

/* The first page wholly inside the block at p. */
static uintptr_t
inside(const void *p)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	return ((uintptr_t)p + page) & ~(page - 1);
}

/*
 * Blocks larger than the heap's pad, so that none can come from the part
 * of the heap advised at the start.
 */
#define BIG	((size_t)MEMTUNE_PAD + MEMTUNE_BLOCK_MIN)

static void
test_large_blocks(void **state)
{
	char *a, *b, *c;

	(void)state;
	a = xmalloc(BIG);
	if (advised) {
		assert_int_equal(advised_at(inside(a)), 1);
		/* all of its mapping, its header's page and its last one too */
		assert_int_equal(advised_at(page_of(a)), 1);
		assert_int_equal(advised_at(page_of(a + BIG - 1)), 1);
		assert_int_equal(advised_at(page_of(a + malloc_usable_size(a) - 1)), 1);
	}
	b = xcalloc(BIG / 16, 16);
	if (advised)
		assert_int_equal(advised_at(inside(b)), 1);
	assert_int_equal(b[BIG - 1], 0);
	/* grown from a small block: advised once it is large, and as it grows */
	c = xmalloc(4096);
	memset(c, 1, 4096);
	c = xrealloc(c, BIG);
	if (advised)
		assert_int_equal(advised_at(inside(c)), 1);
	c = xrealloc(c, 2 * BIG);
	if (advised) {
		assert_int_equal(advised_at(inside(c) + BIG), 1);
		assert_int_equal(advised_at(page_of(c)), 1);
	}
	assert_int_equal(c[4095], 1);
	free(a);
	free(b);
	free(c);
}

/* The heap is advised exactly where it can be. */
static void
test_process_advises(void **state)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char mode[128] = "";
	int expect = 0;

	(void)state;
	if (f != NULL) {
		expect = fgets(mode, sizeof mode, f) != NULL &&
		    strstr(mode, "[never]") == NULL;
		fclose(f);
	}
	/* the user's own choice is left as it is */
	if (getenv("GLIBC_TUNABLES") != NULL &&
	    strstr(getenv("GLIBC_TUNABLES"), "glibc.malloc.hugetlb") != NULL)
		expect = 0;
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__) || !defined(__linux__)
	expect = 0;
#endif
	assert_int_equal(advised, expect);
	/* the heap grows into the advised span from its first page on */
	if (advised) {
		char *p = xmalloc(64 * 1024);

		assert_int_equal(advised_at(inside(p)), 1);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_advises),
		cmocka_unit_test(test_large_blocks),
	};

	advised = memtune_process();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
