/*
 * test_minutes.c - pending event counts per (rule, source, minute):
 * minutes before 1970 round down, changes to one key add up, rule names
 * are copied, and a clear forgets the changes but not the names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minutes.h"

static void
test_minute_of(void **state)
{
	assert_true(minutes_of(0) == 0);
	assert_true(minutes_of(59999) == 0);
	assert_true(minutes_of(60000) == 1);
	assert_true(minutes_of(-1) == -1);
	assert_true(minutes_of(-60000) == -1);
	assert_true(minutes_of(-60001) == -2);
	assert_true(minutes_of(1761435071000) == 29357251);
}

/* Find key (rule, source, minute) among the changes; its delta or -999. */
static int64_t
delta_of(const struct minutes *m, const char *rule, int64_t src, int64_t min)
{
	const char *r;
	int64_t s, mi, d;
	size_t i;

	for (i = 0; i < minutes_count(m); i++) {
		minutes_get(m, i, &r, &s, &mi, &d);
		if (strcmp(r, rule) == 0 && s == src && mi == min)
			return d;
	}
	return -999;
}

static void
test_add_and_clear(void **state)
{
	struct minutes *m = minutes_new();
	char rule[16];
	int i;

	strcpy(rule, "retry");
	minutes_add(m, rule, 1, 0, 1);
	minutes_add(m, rule, 1, 59999, 1);
	/* the name is copied: the caller's buffer may change */
	strcpy(rule, "timeout");
	minutes_add(m, rule, 1, 30000, 1);
	minutes_add(m, "retry", 2, 30000, 1);
	minutes_add(m, "retry", 1, 60000, 1);
	minutes_add(m, "retry", 1, 60000, -1);
	assert_int_equal(minutes_count(m), 4);
	assert_true(delta_of(m, "retry", 1, 0) == 2);
	assert_true(delta_of(m, "timeout", 1, 0) == 1);
	assert_true(delta_of(m, "retry", 2, 0) == 1);
	assert_true(delta_of(m, "retry", 1, 1) == 0);

	minutes_clear(m);
	assert_int_equal(minutes_count(m), 0);
	assert_true(delta_of(m, "retry", 1, 0) == -999);
	/* many keys after a clear: the index grows and finds each again */
	for (i = 0; i < 5000; i++)
		minutes_add(m, i % 3 ? "retry" : "timeout", i % 7,
		    (int64_t)i * 60000, 1);
	for (i = 0; i < 5000; i++)
		minutes_add(m, i % 3 ? "retry" : "timeout", i % 7,
		    (int64_t)i * 60000 + 1, 2);
	assert_int_equal(minutes_count(m), 5000);
	assert_true(delta_of(m, "timeout", 4998 % 7, 4998) == 3);
	assert_true(delta_of(m, "retry", 4999 % 7, 4999) == 3);
	minutes_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minute_of),
		cmocka_unit_test(test_add_and_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
