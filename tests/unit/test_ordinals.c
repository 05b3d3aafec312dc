/*
 * test_ordinals.c - the de-duplication ordinals of a source: an event's
 * ordinal counts the identical events before it in its second, a new
 * second starts the counts again, and the snapshot taken at a resume
 * point holds the counts of the records before it.  The same with many
 * hashes in one second (records without a time), where the counts are
 * looked up through an index, and across a second that shrinks again.
 * A second the time steps back from and returns to counts on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ordinals.h"

/* The count saved for hash at the commit point, or -1. */
static int
saved_count(const struct ordinals *o, uint64_t hash, int64_t *ts)
{
	struct ord_save sv;
	size_t i;
	int n = -1;

	memset(&sv, 0, sizeof sv);
	ord_save_source(&sv, 1, o);
	assert_int_equal(sv.nbords, 1);
	*ts = sv.bords[0].ts;
	for (i = 0; i < sv.bords[0].n; i++)
		if (sv.ords[sv.bords[0].first + i].hash == hash)
			n = sv.ords[sv.bords[0].first + i].n;
	ord_save_free(&sv);
	return n;
}

static void
test_one_second(void **state)
{
	struct ordinals o;
	int64_t t = 1761435071000, time = 0, ts;
	uint64_t time_off = 0;

	memset(&o, 0, sizeof o);
	ordinals_init(&o);
	ordinals_second(&o, t, 0);
	assert_int_equal(ordinals_event(&o, t, 7, 0), 0);
	assert_int_equal(ordinals_event(&o, t, 7, 10), 1);
	assert_int_equal(ordinals_event(&o, t, 8, 20), 0);
	assert_int_equal(ordinals_event(&o, t, 7, 30), 2);
	/* a new second counts again */
	ordinals_second(&o, t + 1000, 40);
	assert_int_equal(ordinals_event(&o, t + 1000, 7, 40), 0);
	/* the resume point at 30: the three records before it */
	ordinals_advance(&o, 30, &time, &time_off);
	assert_true(time == t);
	assert_int_equal(saved_count(&o, 7, &ts), 2);
	assert_true(ts == t);
	assert_int_equal(saved_count(&o, 8, &ts), 1);
	/* at 50: the new second's one event */
	ordinals_advance(&o, 50, &time, &time_off);
	assert_true(time == t + 1000);
	assert_int_equal(saved_count(&o, 7, &ts), 1);
	assert_true(ts == t + 1000);
	assert_int_equal(saved_count(&o, 8, &ts), -1);
	ordinals_free(&o);
}

static void
test_many_hashes(void **state)
{
	struct ordinals o;
	int64_t time = 0, ts;
	uint64_t time_off = 0, h, off = 0;
	int round;

	memset(&o, 0, sizeof o);
	ordinals_init(&o);
	/* no time: every record is of one second */
	ordinals_second(&o, TS_NONE, 0);
	for (round = 0; round < 3; round++)
		for (h = 1; h <= 5000; h++)
			assert_int_equal(ordinals_event(&o, TS_NONE, h * 977,
			    off++), round);
	ordinals_advance(&o, 7500, &time, &time_off);
	/* 7500 records: the 5000 hashes once, the first 2500 twice */
	assert_int_equal(saved_count(&o, 977, &ts), 2);
	assert_true(ts == TS_NONE);
	assert_int_equal(saved_count(&o, 2500 * 977, &ts), 2);
	assert_int_equal(saved_count(&o, 2501 * 977, &ts), 1);
	assert_int_equal(saved_count(&o, 5000 * 977, &ts), 1);
	ordinals_advance(&o, off, &time, &time_off);
	assert_int_equal(saved_count(&o, 977, &ts), 3);
	assert_int_equal(saved_count(&o, 5000 * 977, &ts), 3);
	/* a timed second after them starts from nothing, and a short list */
	ordinals_second(&o, 60000, off);
	for (h = 1; h <= 20; h++)
		assert_int_equal(ordinals_event(&o, 60000, h * 977, off++), 0);
	assert_int_equal(ordinals_event(&o, 60000, 977, off++), 1);
	ordinals_second(&o, 61000, off);
	assert_int_equal(ordinals_event(&o, 61000, 977, off++), 0);
	assert_int_equal(ordinals_event(&o, 61000, 977, off++), 1);
	ordinals_advance(&o, off, &time, &time_off);
	assert_true(time == 61000);
	assert_int_equal(saved_count(&o, 977, &ts), 2);
	assert_true(ts == 61000);
	assert_int_equal(saved_count(&o, 2 * 977, &ts), -1);
	ordinals_free(&o);
}

/*
 * Numbered by record, an untimed source's one count can pass INT_MAX (a
 * resume point saved it so): it goes on modulo 2^32, as the store keeps
 * it, without an overflow.
 */
static void
test_count_wraps(void **state)
{
	struct store_ordinal saved = { 7, TS_NONE, 0, INT_MAX - 1 };
	struct ord_restore r;
	struct ordinals o;
	uint64_t time_off = 0;
	int64_t ts = 0;

	(void)state;
	memset(&r, 0, sizeof r);
	memset(&o, 0, sizeof o);
	ordinals_init(&o);
	r.v = &saved;
	r.n = 1;
	ord_restore_seed(&r, 7, &o);
	assert_int_equal(ordinals_event(&o, TS_NONE, 0, 100), INT_MAX - 1);
	assert_int_equal(ordinals_event(&o, TS_NONE, 0, 110), INT_MAX);
	assert_int_equal(ordinals_event(&o, TS_NONE, 0, 120), INT_MIN);
	assert_int_equal(ordinals_event(&o, TS_NONE, 0, 130), INT_MIN + 1);
	/* the state at offset 115: the two counted before it */
	ordinals_advance(&o, 115, &ts, &time_off);
	assert_int_equal(saved_count(&o, 0, &ts), INT_MIN);
	assert_true(ts == TS_NONE);
	r.v = NULL;
	r.n = 0;
	ord_restore_free(&r);
	ordinals_free(&o);
}

/*
 * Processes writing to one log stamp their lines out of order: a second
 * the time steps back from and returns to goes on counting where it left
 * off, for ORD_RECENT seconds with events; seconds without events left
 * for a new one take no room among them.  The snapshot is still that of
 * the records since the latest change of second.
 */
static void
test_time_steps_back(void **state)
{
	struct ordinals o;
	int64_t t = 1761435071000, time = 0, ts;
	uint64_t time_off = 0, off = 0;
	int i;

	(void)state;
	memset(&o, 0, sizeof o);
	ordinals_init(&o);
	ordinals_second(&o, t + 2000, off);
	assert_int_equal(ordinals_event(&o, t + 2000, 7, off++), 0);
	ordinals_second(&o, t, off);
	assert_int_equal(ordinals_event(&o, t, 7, off++), 0);
	ordinals_second(&o, t + 2000, off);
	assert_int_equal(ordinals_event(&o, t + 2000, 7, off++), 1);
	assert_int_equal(ordinals_event(&o, t + 2000, 8, off++), 0);
	ordinals_second(&o, t, off);
	assert_int_equal(ordinals_event(&o, t, 7, off++), 1);
	/* seconds without events in between take no room */
	for (i = 0; i < 3 * ORD_RECENT; i++)
		ordinals_second(&o, t + 100000 + i * 1000, off++);
	ordinals_second(&o, t + 2000, off);
	assert_int_equal(ordinals_event(&o, t + 2000, 7, off++), 2);
	assert_int_equal(ordinals_event(&o, t + 2000, 8, off++), 1);
	/* ORD_RECENT - 1 seconds with events later, t + 2000 is still kept */
	for (i = 0; i < ORD_RECENT - 1; i++) {
		ordinals_second(&o, t + 200000 + i * 1000, off);
		assert_int_equal(ordinals_event(&o, t + 200000 + i * 1000, 7,
		    off++), 0);
	}
	ordinals_second(&o, t + 2000, off);
	assert_int_equal(ordinals_event(&o, t + 2000, 7, off++), 3);
	/* ORD_RECENT more, and t is forgotten: it counts from nothing */
	for (i = 0; i < ORD_RECENT; i++) {
		ordinals_second(&o, t + 300000 + i * 1000, off);
		assert_int_equal(ordinals_event(&o, t + 300000 + i * 1000, 7,
		    off++), 0);
	}
	ordinals_second(&o, t, off);
	assert_int_equal(ordinals_event(&o, t, 7, off++), 0);
	/* the resume point now: the counts of this run of the second alone */
	ordinals_advance(&o, off, &time, &time_off);
	assert_true(time == t);
	assert_int_equal(saved_count(&o, 7, &ts), 1);
	assert_true(ts == t);
	ordinals_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_second),
		cmocka_unit_test(test_many_hashes),
		cmocka_unit_test(test_count_wraps),
		cmocka_unit_test(test_time_steps_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
