/*
 * test_pretty.c - the payload indenting of the Detail view: JSON objects
 * through cJSON, Python dict reprs through the tolerant walker, the text
 * around them kept, and text with no payload (or a "{name}" placeholder,
 * or brackets that do not close) left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pretty.h"
#include "util.h"

/* pretty_payload of s: the indented text, or NULL for none (caller frees). */
static char *
pp(const char *s)
{
	struct buf b;

	buf_init(&b);
	if (!pretty_payload(s, strlen(s), &b)) {
		assert_int_equal(b.len, 0);
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static void
test_json(void **state)
{
	char *s = pp("INFO api: body {\"model\":\"kimi-k2\",\"n\":3,"
	    "\"tags\":[\"a\",true,null],\"empty\":{},\"u\":\"caf\xc3\xa9\"} done");

	assert_string_equal(s,
	    "INFO api: body\n"
	    "{\n"
	    "  \"model\": \"kimi-k2\",\n"
	    "  \"n\": 3,\n"
	    "  \"tags\": [\n"
	    "    \"a\",\n"
	    "    true,\n"
	    "    null\n"
	    "  ],\n"
	    "  \"empty\": {},\n"
	    "  \"u\": \"caf\xc3\xa9\"\n"
	    "}\n"
	    "done");
	free(s);
	s = pp("{\"a\":{\"b\":\"x\\\"y\"}}");
	assert_string_equal(s, "{\n  \"a\": {\n    \"b\": \"x\\\"y\"\n  }\n}");
	free(s);
}

static void
test_python(void **state)
{
	char *s = pp("DEBUG tools: args {'path': 'a, b', 'ok': True, "
	    "'none': None, 'nest': {'x': [1, 2], 'e': ()}, 'q': \"it's\"}");

	assert_string_equal(s,
	    "DEBUG tools: args\n"
	    "{\n"
	    "  'path': 'a, b',\n"
	    "  'ok': True,\n"
	    "  'none': None,\n"
	    "  'nest': {\n"
	    "    'x': [\n"
	    "      1,\n"
	    "      2\n"
	    "    ],\n"
	    "    'e': ()\n"
	    "  },\n"
	    "  'q': \"it's\"\n"
	    "}");
	free(s);
}

static void
test_none(void **state)
{
	assert_null(pp("WARNING semaphores: leak detected in kimi"));
	assert_null(pp("fell back from {model} to {to}"));
	assert_null(pp("cut short {'a': [1, 2"));
	assert_null(pp("mismatched {'a': [1, 2}]"));
	assert_null(pp("empty object {}"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
