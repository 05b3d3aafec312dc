/*
 * test_util.c - the stored hashes: their values are part of the database
 * (events.hash), so they are pinned here, and every byte of the text, and
 * only those bytes, count; the inline byte comparison; the literal
 * search; sizes; the hash index.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

/* Known answers: a change here would duplicate re-read events. */
static void
test_hash_text_pinned(void **state)
{
	static const char leak[] = "Semaphore leak detected: kimi expected=3, actual=2";

	assert_true(util_hash_text("", 0, UTIL_HASH_SEED) == 0xc14f31d060157052ULL);
	assert_true(util_hash_text(leak, 50, UTIL_HASH_SEED) == 0x715e51614c5727b7ULL);
	assert_true(util_hash_text("0123456789abcdef", 16, 1) == 0xb7a5c7b5d3d5b988ULL);
	assert_true(util_hash64("a", 1, UTIL_HASH_SEED) == 0xaf63dc4c8601ec8cULL);
}

/*
 * Known answers for lengths on either side of 16-byte steps: no rest, a
 * rest of up to 8 bytes and one of more, in texts shorter and longer than
 * one step.
 */
static void
test_hash_text_pinned_rest(void **state)
{
	static const char tb[] =
	    "Traceback (most recent call last): File \"x.py\", line 3";
	static const struct {
		size_t		n;
		uint64_t	h;
	} want[] = {
		{ 15, 0x034560984f88d518ULL }, { 17, 0x707b1e1c3217696aULL },
		{ 24, 0xb66fbecbffa47ac7ULL }, { 31, 0xee4407b3f6bfd805ULL },
		{ 32, 0x223014e479c35f81ULL }, { 33, 0x2a48ce96d55f34c1ULL },
		{ 47, 0x4c26ee2741c53456ULL }, { 55, 0x16c9a9b54229d3c0ULL }
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_true(util_hash_text(tb, want[i].n, UTIL_HASH_SEED) ==
		    want[i].h);
}

/*
 * Every length up to 80 from exact-size copies (so a read past the end
 * shows under AddressSanitizer); flipping any one bit, changing the length
 * or the seed changes the hash.
 */
static void
test_hash_text_every_byte(void **state)
{
	char text[80], *copy;
	uint64_t h, seen[81];
	size_t n, i, k;
	int bit;

	for (i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + i % 26);
	for (n = 0; n <= sizeof text; n++) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, text, n);
		h = util_hash_text(copy, n, UTIL_HASH_SEED);
		assert_true(h == util_hash_text(text, n, UTIL_HASH_SEED));
		assert_true(h != util_hash_text(copy, n, UTIL_HASH_SEED + 1));
		for (k = 0; k < n; k++) {
			for (bit = 0; bit < 8; bit++) {
				copy[k] ^= (char)(1 << bit);
				assert_true(util_hash_text(copy, n, UTIL_HASH_SEED) != h);
				copy[k] ^= (char)(1 << bit);
			}
		}
		for (k = 0; k < n; k++)
			assert_true(seen[k] != h);
		seen[n] = h;
		free(copy);
	}
}

/* util_equal agrees with memcmp for every length to 40 and every differing byte. */
/* An array grown element by element keeps its contents and doubles. */
static void
test_grow(void **state)
{
	size_t cap = 0, n, was_cap, caps[8], ncaps = 0;
	int *v = NULL, *was;

	for (n = 0; n < 100; n++) {
		was_cap = cap;
		v = util_grow(v, &cap, n, sizeof *v, 8);
		if (cap != was_cap) {
			assert_true(ncaps < 8);
			caps[ncaps++] = cap;
		}
		assert_true(n < cap);
		v[n] = (int)n * 3;
	}
	assert_int_equal(ncaps, 5);
	assert_int_equal(caps[0], 8);
	assert_int_equal(caps[1], 16);
	assert_int_equal(caps[2], 32);
	assert_int_equal(caps[3], 64);
	assert_int_equal(caps[4], 128);
	for (n = 0; n < 100; n++)
		assert_int_equal(v[n], (int)n * 3);
	/* below the capacity, the same array back */
	was = v;
	assert_ptr_equal(util_grow(v, &cap, 127, sizeof *v, 8), was);
	assert_int_equal(cap, 128);
	free(v);
}

static void
test_equal(void **state)
{
	char *a, *b;
	size_t n, k;

	for (n = 0; n <= 40; n++) {
		a = malloc(n ? n : 1);
		b = malloc(n ? n : 1);
		assert_non_null(a);
		assert_non_null(b);
		for (k = 0; k < n; k++)
			a[k] = b[k] = (char)('A' + k);
		assert_true(util_equal(a, b, n));
		for (k = 0; k < n; k++) {
			b[k] ^= 0x20;
			assert_false(util_equal(a, b, n));
			b[k] ^= 0x20;
		}
		free(a);
		free(b);
	}
}

static void
test_parse_size(void **state)
{
	static const struct { const char *s; int64_t bytes; } good[] = {
		{ "0", 0 }, { "1048576", 1048576 }, { "10KB", 10240 },
		{ "500M", 524288000 }, { "500m", 524288000 }, { "2G", 2147483648LL },
		{ "1.5GiB", 1610612736LL }, { "1T", 1099511627776LL }, { "7B", 7 },
	};
	static const char *const bad[] = {
		"", "5X", "-1M", "M", "1MiBx", "1iB", "1 M", "1e30T",
	};
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		v = -1;
		assert_int_equal(util_parse_size(good[i].s, &v), 0);
		assert_true(v == good[i].bytes);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(util_parse_size(bad[i], &v), -1);
}

/* The one duration formatter: human, compact and rule forms. */
static void
test_format_duration(void **state)
{
	static const struct { double ms; unsigned flags; const char *want; } cases[] = {
		{ 0.25, 0, "0.25 ms" }, { 0.638, 0, "0.64 ms" }, { 12.5, 0, "12.5 ms" },
		{ 820, 0, "820 ms" }, { 638.4, 0, "638 ms" }, { 999.6, 0, "1 s" },
		{ 41200, 0, "41.2 s" }, { 8000, 0, "8 s" }, { 20780, 0, "20.8 s" },
		{ 59949, 0, "59.9 s" }, { 59950, 0, "1 min" }, { 120000, 0, "2 min" },
		{ 312000, 0, "5 min 12 s" }, { 3840000, 0, "1 h 04 min" },
		{ 183600000, 0, "2 d 03 h" }, { -1500, 0, "-1.5 s" },
		{ 850, UTIL_DUR_COMPACT, "850ms" }, { 41200, UTIL_DUR_COMPACT, "41.2s" },
		{ 303000, UTIL_DUR_COMPACT, "5m03s" }, { 7800000, UTIL_DUR_COMPACT, "2h10m" },
		{ 500, UTIL_DUR_RULE, "500ms" }, { 10000, UTIL_DUR_RULE, "10s" },
		{ 300000, UTIL_DUR_RULE, "300s" }, { 600000, UTIL_DUR_RULE, "10m" },
		{ 7200000, UTIL_DUR_RULE, "2h" }, { 86400000, UTIL_DUR_RULE, "1d" },
		{ 1500, UTIL_DUR_RULE, "1500ms" },
	};
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&b);
		util_format_duration(&b, cases[i].ms, cases[i].flags);
		assert_string_equal(b.data, cases[i].want);
	}
	buf_free(&b);
}

/* A metric value: durations through the formatter, other units verbatim. */
static void
test_format_quantity(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	util_format_quantity(&b, 820, "ms");
	assert_string_equal(b.data, "820 ms");
	buf_reset(&b);
	util_format_quantity(&b, 41200, "ms");
	assert_string_equal(b.data, "41.2 s");
	buf_reset(&b);
	util_format_quantity(&b, 812, "tokens");
	assert_string_equal(b.data, "812 tokens");
	buf_reset(&b);
	util_format_quantity(&b, 1336.5, NULL);
	assert_string_equal(b.data, "1336.5");
	buf_free(&b);
	assert_true(util_unit_ms("s", 1) == 1000);
	assert_true(util_unit_ms("us", 2) == 0.001);
	assert_true(util_unit_ms("bytes", 5) == 0);
}

/* util_decimal gives strtod's double, bit for bit, or leaves the string to it. */
static void
test_decimal(void **state)
{
	static const char *const same[] = {
		"0", "-0", "+7", "12", "0.1", "0.3", "1336.5", "-2.675", ".5",
		"-.25", "1290", "0000001.000000", "123456789012345",
		"99999999999999.9", "0.00000000000001", "3.14159265358979",
		"1.7976931348623", "8572", "0.07"
	};
	static const char *const other[] = {
		"", "-", "+", ".", "1e5", "0x10", " 1", "1 ", "1.2.3", "inf",
		"nan", "1234567890123456", "0.1234567890123456", "12ms", "--1"
	};
	double v, w;
	size_t i;

	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		v = 42;
		assert_int_equal(util_decimal(same[i], strlen(same[i]), &v), 1);
		w = strtod(same[i], NULL);
		assert_memory_equal(&v, &w, sizeof v);
	}
	for (i = 0; i < sizeof other / sizeof other[0]; i++)
		assert_int_equal(util_decimal(other[i], strlen(other[i]), &v), 0);
	/* the length bounds the number: "12" of "125" */
	assert_int_equal(util_decimal("125", 2, &v), 1);
	assert_true(v == 12);
	assert_true(util_decimal("0.3", 3, &v) && v == 0.3);
	assert_true(util_decimal("-1.5", 4, &v) && v == -1.5);
}

/* The position of name in v[0..n) through the index, or UTIL_INDEX_NONE. */
static size_t
index_find(const struct util_index *x, char **v, const char *name)
{
	uint64_t h = util_hash64(name, strlen(name), UTIL_HASH_SEED);
	size_t it = 0, i;

	while ((i = util_index_next(x, h, &it)) != UTIL_INDEX_NONE)
		if (strcmp(v[i], name) == 0)
			return i;
	return UTIL_INDEX_NONE;
}

/*
 * 200k names through a growing index: each is found at its position,
 * names never added are not, and an empty index finds nothing.
 */
static void
test_index_many(void **state)
{
	enum { N = 200000 };
	struct util_index x;
	char **v = calloc(N, sizeof(*v)), name[32];
	size_t i;

	util_index_init(&x);
	assert_true(index_find(&x, v, "m-0") == UTIL_INDEX_NONE);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof name, "m-%zu", i);
		v[i] = strdup(name);
		util_index_put(&x, util_hash64(name, strlen(name), UTIL_HASH_SEED), i);
	}
	assert_int_equal(x.n, N);
	assert_true(x.cap >= 2 * N);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof name, "m-%zu", i);
		assert_int_equal(index_find(&x, v, name), i);
	}
	for (i = N; i < N + 1000; i++) {
		snprintf(name, sizeof name, "m-%zu", i);
		assert_true(index_find(&x, v, name) == UTIL_INDEX_NONE);
	}
	util_index_free(&x);
	assert_true(x.slots == NULL && x.cap == 0 && x.n == 0);
	for (i = 0; i < N; i++)
		free(v[i]);
	free(v);
}

/*
 * Positions stored under one hash all come back, each once, whatever the
 * table's size; other hashes are not returned even when their slots are
 * next to them.
 */
static void
test_index_same_hash(void **state)
{
	struct util_slot slots[16];
	size_t it = 0, i, seen = 0;

	memset(slots, 0, sizeof slots);
	for (i = 0; i < 5; i++)
		util_slots_put(slots, 16, 42, i);
	util_slots_put(slots, 16, 43, 100);
	util_slots_put(slots, 16, 41, 200);
	while ((i = util_slots_next(slots, 16, 42, &it)) != UTIL_INDEX_NONE) {
		assert_true(i < 5);
		assert_false(seen & (1u << i));
		seen |= 1u << i;
	}
	assert_int_equal(seen, 0x1f);
	it = 0;
	assert_int_equal(util_slots_next(slots, 16, 43, &it), 100);
	assert_true(util_slots_next(slots, 16, 43, &it) == UTIL_INDEX_NONE);
	it = 0;
	assert_true(util_slots_next(slots, 16, 7, &it) == UTIL_INDEX_NONE);
	it = 0;
	assert_true(util_slots_next(NULL, 0, 7, &it) == UTIL_INDEX_NONE);
}

/*
 * util_find answers as memmem does: every needle of a two-letter
 * alphabet over haystacks of every length up to 80 (the vector steps,
 * the step moved back to the end, and the byte loop of short ones), the
 * haystack cut from a larger buffer so that a read past its end would
 * find a match there.
 */
static void
test_find_as_memmem(void **state)
{
	char buf[96], needle[8];
	size_t n, m, trial, i;
	unsigned seed = 7;

	for (trial = 0; trial < 3000; trial++) {
		for (i = 0; i < sizeof buf; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (seed >> 16) % 3 == 0 ? 'b' : 'a';
		}
		n = trial % 81;
		m = 1 + trial % 7;
		memcpy(needle, buf + n, m);
		needle[0] = 'b';
		assert_ptr_equal(util_find(buf, n, needle, m),
		    memmem(buf, n, needle, m));
		/* a needle that is exactly the haystack's tail */
		if (n >= m)
			assert_ptr_equal(util_find(buf, n, buf + n - m, m),
			    memmem(buf, n, buf + n - m, m));
	}
	assert_ptr_equal(util_find("abc", 3, "", 0), "abc");
	assert_null(util_find("ab", 2, "abc", 3));
}

/*
 * util_find_either finds the first of two bytes as a loop would: at every
 * offset of a buffer of up to 100 bytes, in the vector, eight-byte and
 * byte steps, with a lone match and with none.
 */
static void
test_find_either(void **state)
{
	char buf[100];
	size_t n, at, i;
	const char *want;

	for (n = 0; n <= sizeof buf; n++) {
		for (at = 0; at <= n; at++) {
			memset(buf, 'x', sizeof buf);
			if (at < n)
				buf[at] = at % 2 ? '"' : '\\';
			/* past n: never looked at */
			if (n < sizeof buf)
				buf[n] = '"';
			want = NULL;
			for (i = 0; i < n; i++) {
				if (buf[i] == '"' || buf[i] == '\\') {
					want = buf + i;
					break;
				}
			}
			assert_ptr_equal(util_find_either(buf, n, '"', '\\'), want);
		}
	}
	/* a byte with the high bit set is no match for either */
	memset(buf, 0xa2, sizeof buf);
	assert_null(util_find_either(buf, sizeof buf, '"', '\\'));
	buf[70] = '\\';
	buf[90] = '"';
	assert_ptr_equal(util_find_either(buf, sizeof buf, '"', '\\'), buf + 70);
}

/*
 * util_json_plain_len stops at the first byte util_escape_json changes,
 * for every byte value, and util_escape_json writes the plain run as is.
 */
static void
test_json_plain(void **state)
{
	char text[8];
	struct buf b;
	int c;

	(void)state;
	assert_int_equal(util_json_plain_len("", 0), 0);
	assert_int_equal(util_json_plain_len("ab c~!", 6), 6);
	for (c = 0; c < 256; c++) {
		memcpy(text, "ab", 2);
		text[2] = (char)c;
		memcpy(text + 3, "cd", 2);
		buf_init(&b);
		util_escape_json(&b, text, 5);
		if (util_json_plain_len(text, 5) == 5) {
			/* the byte went out as it was */
			assert_int_equal(b.len, 5);
			assert_memory_equal(b.data, text, 5);
		} else {
			assert_int_equal(util_json_plain_len(text, 5), 2);
			assert_true(b.len != 5 || memcmp(b.data, text, 5) != 0);
		}
		assert_int_equal(util_json_plain_len(text, 5) == 5,
		    c >= 0x20 && c < 0x7f && c != '"' && c != '\\');
		buf_free(&b);
	}
}

/* A thread waiting on its condition until quit, as the stages' threads do. */
struct waiter {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 quit;
	int		 waits;		/* wake-ups it saw */
	int		 saw;		/* the quit it ended on */
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->quit) {
		pthread_cond_wait(&w->cv, &w->mu);
		w->waits++;
	}
	w->saw = w->quit;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* util_thread_stop sets quit to the value given, wakes the thread, joins it. */
static void
test_thread_stop(void **state)
{
	struct waiter w = { .quit = 0 };
	pthread_t t;

	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
	util_thread_stop(t, &w.mu, &w.cv, &w.quit, 7);
	/* joined: the thread is done and left what it saw */
	assert_int_equal(w.saw, 7);
	assert_int_equal(w.quit, 7);
	assert_true(w.waits <= 1);
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_text_pinned),
		cmocka_unit_test(test_hash_text_pinned_rest),
		cmocka_unit_test(test_hash_text_every_byte),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_find_as_memmem),
		cmocka_unit_test(test_thread_stop),
		cmocka_unit_test(test_find_either),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_format_quantity),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_index_many),
		cmocka_unit_test(test_index_same_hash),
		cmocka_unit_test(test_json_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
