/*
 * test_batch_room.c - what the reading thread fills per batch keeps its
 * room from one batch to the next: a busy source's ordinals log across a
 * resume point, and the event, field and text buffers of the batch
 * writer_submit hands back.  The values must be as if grown anew.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ordinals.h"
#include "writer.h"

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

static void
test_submit_hands_back_room(void **state)
{
	struct writer w;
	struct batch *b, *next;
	size_t i;

	memset(&w, 0, sizeof w);
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	/* as with the writer's thread started: the batch is queued for it */
	w.running = 1;
	b = writer_batch_new();
	for (i = 0; i < 3000; i++) {
		b->ev = util_grow(b->ev, &b->evcap, b->nev, sizeof *b->ev, 1024);
		memset(&b->ev[b->nev++], 0, sizeof *b->ev);
		b->fields = util_grow(b->fields, &b->fieldcap, b->nfields,
		    sizeof *b->fields, 1024);
		memset(&b->fields[b->nfields++], 0, sizeof *b->fields);
		buf_append(&b->data, "some text ", 10);
	}
	next = writer_submit(&w, b);
	assert_ptr_equal(w.queue, b);
	assert_ptr_not_equal(next, b);
	assert_int_equal(next->nev, 0);
	assert_int_equal(next->nfields, 0);
	assert_int_equal(next->data.len, 0);
	assert_string_equal(next->data.data, "");
	assert_true(next->evcap >= 3000);
	assert_true(next->fieldcap >= 3000);
	assert_true(next->data.cap > 30000);
	/* filling it to the same length grows nothing */
	next->ev = util_grow(next->ev, &next->evcap, 2999, sizeof *next->ev,
	    1024);
	buf_append(&next->data, b->data.data, b->data.len);
	assert_memory_equal(next->data.data, b->data.data, b->data.len);
	writer_batch_free(next);
	writer_batch_free(b);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_log_kept),
		cmocka_unit_test(test_quiet_log_released),
		cmocka_unit_test(test_submit_hands_back_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
