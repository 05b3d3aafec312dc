/*
 * test_minutes.c - pending event counts per (rule, source, minute):
 * minutes before 1970 round down, changes to one key add up, rule names
 * are copied, a clear forgets the changes but not the names, and sorted
 * the changes come in key order, each (rule, source)'s minutes as met.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/*
 * The changes in the order minutes_get gives them, each as
 * "rule/source/minute=delta ".
 */
static void
listing(const struct minutes *m, char *out, size_t len)
{
	const char *r;
	int64_t s, mi, d;
	size_t i, at = 0;

	out[0] = '\0';
	for (i = 0; i < minutes_count(m); i++) {
		minutes_get(m, i, &r, &s, &mi, &d);
		at += (size_t)snprintf(out + at, len - at, "%s/%lld/%lld=%lld ",
		    r, (long long)s, (long long)mi, (long long)d);
	}
}

static void
test_sort(void **state)
{
	struct minutes *m = minutes_new();
	char out[512];

	minutes_add(m, "timeout", 2, 60000, 1);
	minutes_add(m, "retry", 1, 120000, 1);
	minutes_add(m, "timeout", 1, 0, 1);
	minutes_add(m, "retry", 1, 60000, 1);
	minutes_add(m, "timeout", 2, 0, 1);
	minutes_add(m, "retry", 1, 120001, 2);
	minutes_sort(m);
	listing(m, out, sizeof out);
	/* a pair's minutes stay as met: 2 before 1 for retry/1, 1 before 0 */
	assert_string_equal(out, "retry/1/2=3 retry/1/1=1 timeout/1/0=1 "
	    "timeout/2/1=1 timeout/2/0=1 ");
	/* adding after a sort: found again, and in order at the next */
	minutes_add(m, "timeout", 1, 1, 4);
	minutes_add(m, "alarm", 3, 0, 1);
	minutes_add(m, "retry", 1, 60000, 1);
	minutes_sort(m);
	listing(m, out, sizeof out);
	assert_string_equal(out, "alarm/3/0=1 retry/1/2=3 retry/1/1=2 "
	    "timeout/1/0=5 timeout/2/1=1 timeout/2/0=1 ");
	minutes_clear(m);
	minutes_add(m, "zebra", 1, 0, 1);
	minutes_add(m, "retry", 5, 0, 1);
	minutes_add(m, "retry", 4, 0, 1);
	minutes_sort(m);
	listing(m, out, sizeof out);
	assert_string_equal(out, "retry/4/0=1 retry/5/0=1 zebra/1/0=1 ");
	minutes_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minute_of),
		cmocka_unit_test(test_add_and_clear),
		cmocka_unit_test(test_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
