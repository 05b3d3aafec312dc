/*
 * test_batch_room.c - what the reading thread fills per batch keeps its
 * room from one batch to the next: a busy source's ordinals log across a
 * resume point.  The values must be as if grown anew.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ordinals.h"

static void
test_busy_log_kept(void **state)
{
	struct ordinals o;
	int64_t time = TS_NONE;
	uint64_t time_off = 0, off;
	size_t cap;

	memset(&o, 0, sizeof o);
	ordinals_init(&o);
	ordinals_second(&o, 1000, 0);
	for (off = 1; off <= 200; off++)
		assert_int_equal(ordinals_event(&o, 1000, off % 2, off),
		    (int)((off - 1) / 2));
	cap = o.logcap;
	ordinals_advance(&o, 1000, &time, &time_off);
	assert_int_equal(o.nlog, 0);
	assert_non_null(o.log);
	assert_int_equal(o.logcap, cap);
	assert_int_equal(time, 1000);
	assert_int_equal(time_off, 200);
	/* the snapshot holds both hashes a hundred times */
	assert_int_equal(o.nsnap, 2);
	assert_int_equal(o.snap[0].n + o.snap[1].n, 200);
	/* counting goes on in the same second */
	assert_int_equal(ordinals_event(&o, 1000, 0, 1001), 100);
	assert_int_equal(o.nlog, 1);
	assert_int_equal(o.logcap, cap);
	ordinals_free(&o);
}

static void
test_quiet_log_released(void **state)
{
	struct ordinals o;
	int64_t time = TS_NONE;
	uint64_t time_off = 0;

	memset(&o, 0, sizeof o);
	ordinals_init(&o);
	ordinals_second(&o, 1000, 0);
	assert_int_equal(ordinals_event(&o, 1000, 7, 10), 0);
	ordinals_advance(&o, 100, &time, &time_off);
	assert_null(o.log);
	assert_int_equal(o.logcap, 0);
	assert_int_equal(ordinals_event(&o, 1000, 7, 110), 1);
	ordinals_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_log_kept),
		cmocka_unit_test(test_quiet_log_released),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
