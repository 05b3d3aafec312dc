/*
 * test_jsonline.c - the fields of a JSON log line read without parsing
 * it: a key's value at the top level, string values still escaped, and
 * the time under its usual keys as a stamp or a number since the epoch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jsonline.h"

#define T0	1761435071000LL	/* 2025-10-25 23:31:11 UTC */

static size_t
at(const char *line, const char *name)
{
	const char *names[] = { name, NULL };

	return jsonline_value(line, strlen(line), names);
}

static void
test_value(void **state)
{
	assert_int_equal(at("{\"level\":\"error\"}", "level"), 9);
	assert_int_equal(at("{ \"a\":1, \"level\" : 50}", "level"), 19);
	/* quoted in a value, or not at the top of a line: no key */
	assert_int_equal(at("{\"msg\":\"\\\"level\\\":1\"}", "level"), 0);
	assert_int_equal(at("{\"msg\":\"level\"}", "level"), 0);
	assert_int_equal(at("[{\"level\":1}]", "level"), 0);
	assert_int_equal(at("{\"level\"}", "level"), 0);
	assert_int_equal(at("{\"level\":", "level"), 0);
}

static void
test_string(void **state)
{
	static const char *const keys[] = { "msg", "message", NULL };
	const char *line, *v;
	size_t n;

	line = "{\"message\":\"a\",\"msg\":\"b \\\"c\\\"\"}";
	v = jsonline_string(line, strlen(line), keys, &n);
	assert_non_null(v);
	assert_int_equal(n, 7);
	assert_memory_equal(v, "b \\\"c\\\"", 7);
	line = "{\"message\":\"only\"}";
	v = jsonline_string(line, strlen(line), keys, &n);
	assert_non_null(v);
	assert_int_equal(n, 4);
	line = "{\"msg\":42}";
	assert_null(jsonline_string(line, strlen(line), keys, &n));
	line = "{\"msg\":\"unended";
	assert_null(jsonline_string(line, strlen(line), keys, &n));
}

static int
when(const char *line, int64_t *ms)
{
	*ms = -1;
	return jsonline_time(line, strlen(line), NULL, ms);
}

static void
test_time(void **state)
{
	int64_t ms;

	assert_int_equal(when("{\"time\":\"2025-10-25T23:31:11.250Z\"}", &ms), 1);
	assert_int_equal(ms, T0 + 250);
	assert_int_equal(when("{\"timestamp\":\"2025-10-25T23:31:11+02:00\"}", &ms), 1);
	assert_int_equal(ms, T0 - 7200000);
	assert_int_equal(when("{\"@timestamp\":\"2025-10-25 23:31:11\"}", &ms), 1);
	assert_int_equal(ms, T0);
	/* Serilog's compact JSON */
	assert_int_equal(when("{\"@t\":\"2025-10-25T23:31:11.5Z\",\"@mt\":\"x\"}", &ms), 1);
	assert_int_equal(ms, T0 + 500);
	/* Serilog's JsonFormatter; python-json-logger's asctime */
	assert_int_equal(when("{\"Timestamp\":\"2025-10-25T23:31:11.25+00:00\",\"Level\":\"Error\"}", &ms), 1);
	assert_int_equal(ms, T0 + 250);
	assert_int_equal(when("{\"asctime\": \"2025-10-25 23:31:11,125\", \"levelname\": \"ERROR\"}", &ms), 1);
	assert_int_equal(ms, T0 + 125);
	/* zap: seconds with a fraction; pino: milliseconds */
	assert_int_equal(when("{\"level\":\"info\",\"ts\":1761435071.5}", &ms), 1);
	assert_int_equal(ms, T0 + 500);
	assert_int_equal(when("{\"level\":30,\"time\":1761435071123}", &ms), 1);
	assert_int_equal(ms, T0 + 123);
	assert_int_equal(when("{\"t\":1761435071}", &ms), 1);
	assert_int_equal(ms, T0);
	/* MongoDB's extended JSON date */
	assert_int_equal(when("{\"t\":{\"$date\":\"2025-10-25T23:31:11.750+00:00\"},\"s\":\"E\"}", &ms), 1);
	assert_int_equal(ms, T0 + 750);
	assert_int_equal(when("{\"t\":{\"$numberLong\":\"1\"}}", &ms), 0);
	assert_int_equal(when("{\"t\":{\"$date\":12}}", &ms), 0);
	/* no time, or one that is none of these */
	assert_int_equal(when("{\"msg\":\"x\"}", &ms), 0);
	assert_int_equal(when("{\"time\":\"soon\"}", &ms), 0);
	assert_int_equal(when("{\"time\":12345}", &ms), 0);
	assert_int_equal(when("{\"time\":-1761435071}", &ms), 0);
	assert_int_equal(when("time=\"2025-10-25T23:31:11Z\"", &ms), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
