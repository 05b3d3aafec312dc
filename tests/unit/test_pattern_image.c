/*
 * test_pattern_image.c - the shipped rules' patterns compiled at build
 * time: the image holds their texts sorted (they are looked up by binary
 * search), each gives a code that answers as a fresh compile of its text
 * does, and a text not in it, or other compile options, give nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pattern_image.h"

static void
test_texts_sorted(void **state)
{
	size_t i;

	(void)state;
	/* the shipped rules hold well over a hundred patterns */
	assert_true(pattern_image_count > 100);
	assert_true(pattern_image_size > 0);
	for (i = 1; i < pattern_image_count; i++)
		assert_true(strcmp(pattern_image_texts[i - 1],
		    pattern_image_texts[i]) < 0);
}

/* code answers as compiled: its facts, and its match of subject */
static void
assert_same(pcre2_code *code, const char *text, const char *subject)
{
	pcre2_code *fresh;
	pcre2_match_data *m1, *m2;
	uint32_t a, b;
	size_t sa, sb;
	int errcode, r1, r2;
	PCRE2_SIZE erroff;

	fresh = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED,
	    PCRE2_NEVER_UTF, &errcode, &erroff, NULL);
	assert_non_null(fresh);
	assert_int_equal(pcre2_pattern_info(code, PCRE2_INFO_SIZE, &sa), 0);
	assert_int_equal(pcre2_pattern_info(fresh, PCRE2_INFO_SIZE, &sb), 0);
	assert_int_equal(sa, sb);
	assert_int_equal(pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &a), 0);
	assert_int_equal(pcre2_pattern_info(fresh, PCRE2_INFO_CAPTURECOUNT, &b), 0);
	assert_int_equal(a, b);
	assert_int_equal(pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &a), 0);
	assert_int_equal(pcre2_pattern_info(fresh, PCRE2_INFO_NAMECOUNT, &b), 0);
	assert_int_equal(a, b);
	m1 = pcre2_match_data_create_from_pattern(code, NULL);
	m2 = pcre2_match_data_create_from_pattern(fresh, NULL);
	r1 = pcre2_match(code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, m1,
	    NULL);
	r2 = pcre2_match(fresh, (PCRE2_SPTR)subject, strlen(subject), 0, 0, m2,
	    NULL);
	assert_int_equal(r1, r2);
	if (r1 > 0)
		assert_int_equal(pcre2_get_ovector_pointer(m1)[1],
		    pcre2_get_ovector_pointer(m2)[1]);
	pcre2_match_data_free(m1);
	pcre2_match_data_free(m2);
	pcre2_code_free(fresh);
}

static void
test_every_code_as_compiled(void **state)
{
	pcre2_code *code;
	size_t i;

	(void)state;
	for (i = 0; i < pattern_image_count; i++) {
		code = pattern_image_code(pattern_image_texts[i],
		    PCRE2_NEVER_UTF);
		assert_non_null(code);
		/* the text itself seldom matches; a log line seldom does */
		assert_same(code, pattern_image_texts[i],
		    "2025-10-25 23:57:22 WARNING x: sent 1011 (internal error)"
		    " keepalive ping timeout; no close frame received");
		pcre2_code_free(code);
	}
}

static void
test_other_text_or_options(void **state)
{
	(void)state;
	assert_null(pattern_image_code("no rule has (this) pattern",
	    PCRE2_NEVER_UTF));
	assert_null(pattern_image_code(pattern_image_texts[0], 0));
	assert_null(pattern_image_code(pattern_image_texts[0],
	    PCRE2_NEVER_UTF | PCRE2_CASELESS));
}

/* copies are the caller's: freed in any order, the image stays whole */
static void
test_copies_owned(void **state)
{
	pcre2_code *a, *b;
	const char *text = pattern_image_texts[pattern_image_count / 2];

	(void)state;
	a = pattern_image_code(text, PCRE2_NEVER_UTF);
	b = pattern_image_code(text, PCRE2_NEVER_UTF);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	pcre2_code_free(a);
	assert_same(b, text, "Semaphore leak in chat: expected 1, actual 0");
	pcre2_code_free(b);
	a = pattern_image_code(text, PCRE2_NEVER_UTF);
	assert_non_null(a);
	pcre2_code_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_texts_sorted),
		cmocka_unit_test(test_every_code_as_compiled),
		cmocka_unit_test(test_other_text_or_options),
		cmocka_unit_test(test_copies_owned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
