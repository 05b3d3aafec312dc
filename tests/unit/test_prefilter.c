/*
 * test_prefilter.c - the one-pass literal scan: every implementation the
 * CPU offers finds exactly the literals memmem finds, on random texts that
 * are dense in literal pieces, at every boundary of the vector steps, and
 * with more literals than buckets; untuned, and tuned on a sample (which
 * moves fingerprints and buckets but must not change an answer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prefilter.h"
#include "util.h"

static const char *const lits[] = {
	"Semaphore leak detected: ", "Retrying request to ", "timed out",
	"1011 (internal error)", "fallback chain", "abc", "bca", "aaa",
	"'ai_response_time_ms': ", "Traceback (most recent call last):",
	"xyz", "released too many times", "Timeout", "a\nb",
};
#define NLITS (sizeof lits / sizeof lits[0])

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The literals of text by memmem, as a bitset; returns how many. */
static size_t
truth(const char *text, size_t len, uint64_t *bits)
{
	size_t k, n = 0;

	bits[0] = 0;
	for (k = 0; k < NLITS; k++) {
		if (memmem(text, len, lits[k], strlen(lits[k])) != NULL) {
			bits[0] |= UINT64_C(1) << k;
			n++;
		}
	}
	return n;
}

/*
 * Each of the npf prefilters of the nlit literals lit (at most 128) on
 * text, against memmem.
 */
static void
agree(struct prefilter *const *pf, size_t npf, const char *const *lit,
    const size_t *lens, size_t nlit, const char *text, size_t len)
{
	uint64_t got[2], want[2] = { 0, 0 };
	size_t k, j;

	assert_true(nlit <= 128);
	for (k = 0; k < nlit; k++)
		if (memmem(text, len, lit[k], lens[k]) != NULL)
			want[k / 64] |= UINT64_C(1) << (k % 64);
	for (j = 0; j < npf; j++) {
		got[1] = 0;
		prefilter_scan(pf[j], text, len, got);
		if (got[0] != want[0] || got[1] != want[1])
			fail_msg("impl %d: wrong literals on %zu bytes",
			    (int)prefilter_impl(pf[j]), len);
	}
}

/* Set by each test: build the prefilters tuned on a sample. */
static int tuned;

static struct prefilter *
make(enum prefilter_impl impl)
{
	size_t lens[NLITS], k, i;
	struct prefilter *pf;
	char sample[4096];

	for (k = 0; k < NLITS; k++)
		lens[k] = strlen(lits[k]);
	pf = prefilter_new(lits, lens, NLITS, impl);
	if (tuned) {
		/* a sample where some literals' pieces are common: they move */
		for (k = 0; k < 16; k++) {
			for (i = 0; i < sizeof sample; i++)
				sample[i] = "abcxyz T\n'mis"[next() % 14];
			for (i = 0; i + 40 < sizeof sample; i += 97)
				memcpy(sample + i, lits[(i / 97) % 4], strlen(lits[(i / 97) % 4]));
			prefilter_learn(pf, sample, sizeof sample);
		}
		prefilter_tune(pf);
	}
	return pf;
}

static void
random_texts(void)
{
	enum prefilter_impl impls[] = { PREFILTER_SCALAR, PREFILTER_SSSE3,
	    PREFILTER_AVX2, PREFILTER_AVX512 };
	struct prefilter *pf[4];
	char text[400];
	uint64_t want, got;
	size_t i, j, len, piece, n, hits = 0, texts_with = 0;
	const char *l;

	for (j = 0; j < 4; j++) {
		pf[j] = make(impls[j]);
		assert_int_equal(prefilter_words(pf[j]), 1);
	}
	assert_int_equal(prefilter_impl(pf[0]), PREFILTER_SCALAR);
	for (i = 0; i < 200000; i++) {
		len = next() % sizeof text;
		for (j = 0; j < len; j++)
			text[j] = "abcxyz T\n'"[next() % 10];
		/* drop pieces of literals (whole or cut) at random places */
		for (piece = next() % 4; piece > 0 && len > 0; piece--) {
			l = lits[next() % NLITS];
			n = strlen(l) - (next() % 3 == 0 ? next() % strlen(l) : 0);
			j = next() % len;
			if (n > len - j)
				n = len - j;
			memcpy(text + j, l, n);
		}
		n = truth(text, len, &want);
		hits += n;
		texts_with += n > 0;
		for (j = 0; j < 4; j++) {
			assert_int_equal(prefilter_scan(pf[j], text, len, &got), n);
			if (got != want)
				fail_msg("impl %d: got %#llx want %#llx on %zu bytes",
				    (int)prefilter_impl(pf[j]), (unsigned long long)got,
				    (unsigned long long)want, len);
		}
	}
	/* the texts really exercise the scan both ways */
	assert_true(texts_with > 100000 && texts_with < 200000);
	assert_true(hits > texts_with);
	for (j = 0; j < 4; j++)
		prefilter_free(pf[j]);
}

static void
test_random_texts(void **state)
{
	tuned = 0;
	random_texts();
}

static void
test_random_texts_tuned(void **state)
{
	tuned = 1;
	random_texts();
}

/* A literal at every offset of texts of every length up to 80 bytes. */
static void
boundaries(void)
{
	enum prefilter_impl impls[] = { PREFILTER_SCALAR, PREFILTER_SSSE3,
	    PREFILTER_AVX2, PREFILTER_AVX512 };
	const char *l = lits[0];
	size_t ll = strlen(l), len, off, j, checked = 0;
	struct prefilter *pf;
	char text[80];
	uint64_t got;

	for (j = 0; j < 4; j++) {
		pf = make(impls[j]);
		for (len = 0; len <= sizeof text; len++) {
			memset(text, '.', sizeof text);
			assert_int_equal(prefilter_scan(pf, text, len, &got), 0);
			assert_true(got == 0);
			for (off = 0; off + ll <= len; off++) {
				memset(text, '.', sizeof text);
				memcpy(text + off, l, ll);
				assert_int_equal(prefilter_scan(pf, text, len, &got), 1);
				assert_true(got == 1);
				/* one byte short of the end: not there */
				if (off + ll == len) {
					assert_int_equal(prefilter_scan(pf, text,
					    len - 1, &got), 0);
				}
				checked++;
			}
		}
		prefilter_free(pf);
	}
	assert_int_equal(checked, 4 * 1596);
}

static void
test_boundaries(void **state)
{
	tuned = 0;
	boundaries();
}

static void
test_boundaries_tuned(void **state)
{
	tuned = 1;
	boundaries();
}

/* Tuning moves a fingerprint off a window the sample is full of. */
static void
test_tune_moves_windows(void **state)
{
	const char *const two[] = { "leak detected", "XQZ leak" };
	size_t lens[] = { 13, 8 }, i;
	struct prefilter *pf = prefilter_new(two, lens, 2, PREFILTER_AUTO);
	char sample[3000];
	size_t w0 = prefilter_window(pf, 0);
	uint64_t got;

	/* the sample repeats the guessed window of "leak detected" */
	assert_true(w0 + 3 <= lens[0]);
	for (i = 0; i + 3 <= sizeof sample; i += 3)
		memcpy(sample + i, two[0] + w0, 3);
	prefilter_learn(pf, sample, sizeof sample);
	prefilter_tune(pf);
	assert_int_not_equal(prefilter_window(pf, 0), w0);
	assert_int_equal(prefilter_scan(pf, "a leak detected here", 20, &got), 1);
	assert_true(got == 1);
	assert_int_equal(prefilter_scan(pf, sample, sizeof sample, &got), 0);
	prefilter_free(pf);
}

/*
 * 100 literals, more than one word of the result and many per bucket,
 * tuned on a sample where a few of them are common:
 * memmem's answer on texts built from their pieces, from every
 * implementation.
 */
static void
test_many_literals_tuned(void **state)
{
	enum { N = 100 };
	enum prefilter_impl impls[] = { PREFILTER_SCALAR, PREFILTER_SSSE3,
	    PREFILTER_AVX2, PREFILTER_AVX512 };
	char names[N][8], text[200], sample[4096];
	const char *ptr[N];
	size_t lens[N], i, k, len, at, j;
	struct prefilter *pf[4];

	for (k = 0; k < N; k++) {
		snprintf(names[k], sizeof names[k], "q%03zuz", k);
		ptr[k] = names[k];
		lens[k] = strlen(names[k]);
	}
	memset(sample, ' ', sizeof sample);
	for (i = 0; i + 6 <= sizeof sample; i += 6)
		memcpy(sample + i, names[i % 3], 5);
	for (j = 0; j < 4; j++) {
		pf[j] = prefilter_new(ptr, lens, N, impls[j]);
		assert_int_equal(prefilter_words(pf[j]), 2);
		assert_int_equal(prefilter_buckets(pf[j]), 16);
		prefilter_learn(pf[j], sample, sizeof sample - sizeof sample % 6);
		prefilter_tune(pf[j]);
		/*
		 * the sample's windows are the literals' own, which two sets
		 * would let through as well: one is kept
		 */
		assert_int_equal(prefilter_buckets(pf[j]), 8);
	}
	for (i = 0; i < 20000; i++) {
		len = next() % sizeof text;
		for (k = 0; k < len; k++)
			text[k] = "q0123z "[next() % 7];
		for (k = next() % 4; k > 0 && len >= 5; k--) {
			at = next() % (len - 4);
			memcpy(text + at, names[next() % N], 5);
		}
		agree(pf, 4, ptr, lens, N, text, len);
	}
	for (j = 0; j < 4; j++)
		prefilter_free(pf[j]);
}

/*
 * Tuned on text like that scanned, where one table set lets through many
 * more positions than two: the vector scans take both sets, the scalar
 * one keeps one (its lookups cost as much per position as a proposal's
 * share); every implementation still gives memmem's answer.
 */
static void
test_tune_two_sets(void **state)
{
	enum { N = 100 };
	enum prefilter_impl impls[] = { PREFILTER_SCALAR, PREFILTER_SSSE3,
	    PREFILTER_AVX2, PREFILTER_AVX512 };
	static const char words[] = "abcdefghijklmnopqrstuvwxyz ";
	char names[N][8], text[300], sample[8192];
	const char *ptr[N];
	size_t lens[N], i, k, len, j;
	struct prefilter *pf[4];

	/* the figures below are of this seed's literals and sample */
	rng = 0x2545f4914f6cdd1dULL;
	for (k = 0; k < N; k++) {
		for (i = 0; i < 6; i++)
			names[k][i] = (char)('a' + next() % 26);
		names[k][6] = '\0';
		ptr[k] = names[k];
		lens[k] = 6;
	}
	for (i = 0; i < sizeof sample; i++)
		sample[i] = words[next() % (sizeof words - 1)];
	for (j = 0; j < 4; j++) {
		pf[j] = prefilter_new(ptr, lens, N, impls[j]);
		prefilter_learn(pf[j], sample, sizeof sample);
		prefilter_tune(pf[j]);
		/* one set lets through 395 of the 8190 learned windows, two 152 */
		assert_int_equal(prefilter_buckets(pf[j]),
		    prefilter_impl(pf[j]) == PREFILTER_SCALAR ? 8 : 16);
	}
	for (i = 0; i < 20000; i++) {
		len = next() % sizeof text;
		for (k = 0; k < len; k++)
			text[k] = words[next() % (sizeof words - 1)];
		if (len >= 6 && next() % 2)
			memcpy(text + next() % (len - 5), names[next() % N], 6);
		agree(pf, 4, ptr, lens, N, text, len);
	}
	for (j = 0; j < 4; j++)
		prefilter_free(pf[j]);
}

/*
 * Every word of found is cleared before the scan sets its bits, however
 * many words there are.
 */
static void
test_found_cleared(void **state)
{
	enum { MAXW = 6 };
	char names[64 * MAXW][8];
	const char *ptr[64 * MAXW];
	size_t lens[64 * MAXW], w, k, n;
	struct prefilter *pf;
	uint64_t got[MAXW + 1];

	for (k = 0; k < 64 * MAXW; k++) {
		snprintf(names[k], sizeof names[k], "w%04zux", k);
		ptr[k] = names[k];
		lens[k] = strlen(names[k]);
	}
	for (w = 1; w <= MAXW; w++) {
		n = 64 * w - 10;
		pf = prefilter_new(ptr, lens, n, PREFILTER_AUTO);
		assert_int_equal(prefilter_words(pf), w);
		memset(got, 0xff, sizeof got);
		assert_int_equal(prefilter_scan(pf, names[n - 1],
		    lens[n - 1], got), 1);
		for (k = 0; k < w; k++)
			assert_true(got[k] == (k == w - 1 ?
			    UINT64_C(1) << ((n - 1) % 64) : 0));
		/* the word past the last is not the scan's */
		assert_true(got[w] == UINT64_MAX);
		prefilter_free(pf);
	}
}

static void
test_no_literals(void **state)
{
	struct prefilter *pf = prefilter_new(NULL, NULL, 0, PREFILTER_AUTO);
	uint64_t got = 5;

	assert_int_equal(prefilter_words(pf), 1);
	assert_int_equal(prefilter_scan(pf, "anything at all", 15, &got), 0);
	assert_true(got == 0);
	prefilter_free(pf);
}

/*
 * A text shorter than the shortest literal holds none: the scan answers
 * without looking, still clearing every word of found; one exactly as
 * long as it is scanned.
 */
static void
test_shorter_than_every_literal(void **state)
{
	enum prefilter_impl impls[] = { PREFILTER_SCALAR, PREFILTER_SSSE3,
	    PREFILTER_AVX2, PREFILTER_AVX512 };
	char names[70][16];
	const char *many[70];
	size_t lens[70], k, j, len;
	struct prefilter *pf;
	uint64_t got[2];

	for (k = 0; k < 70; k++) {
		lens[k] = (size_t)snprintf(names[k], sizeof names[k], "%s%zu",
		    k == 0 ? "lvl" : "literal-", k);
		many[k] = names[k];
	}
	assert_int_equal(lens[0], 4);
	for (j = 0; j < 4; j++) {
		pf = prefilter_new(many, lens, 70, impls[j]);
		assert_int_equal(prefilter_words(pf), 2);
		for (len = 0; len < 4; len++) {
			got[0] = got[1] = ~UINT64_C(0);
			assert_int_equal(prefilter_scan(pf, "lvl0", len, got), 0);
			assert_true(got[0] == 0 && got[1] == 0);
		}
		got[0] = got[1] = ~UINT64_C(0);
		assert_int_equal(prefilter_scan(pf, "lvl0", 4, got), 1);
		assert_true(got[0] == 1 && got[1] == 0);
		got[0] = got[1] = ~UINT64_C(0);
		/* "literal-6" is in it too */
		assert_int_equal(prefilter_scan(pf, "literal-69", 10, got), 2);
		assert_true(got[0] == UINT64_C(1) << 6 &&
		    got[1] == UINT64_C(1) << 5);
		prefilter_free(pf);
	}
}

/*
 * The prefilters of test_layout_exact: 10 literals tuned, or the first 8
 * untuned.
 */
static const char *const tl[] = {
	"ms)", "\xe2\x86\x92", "Error", "error", "ERROR",
	"[SEM_TRACK] Released ", "[SEM_TRACK] LEAK DETECTED", " ti",
	" timed out", "took",
};
#define TL_N	(sizeof tl / sizeof tl[0])

/*
 * Each literal of tl[0..n) placed at every position of a text (across the
 * 16-, 32- and 64-byte steps) is found exactly as memmem finds it, by
 * every implementation; "error" across the first 32-byte step and "ERROR"
 * across the 64-byte one are found and nothing else.
 */
static void
layout_exact(struct prefilter **pf, size_t n)
{
	enum { TLEN = 150 };
	char text[TLEN];
	size_t k, p, i, j, found;
	uint64_t got, want;

	for (k = 0; k < n; k++) {
		for (p = 0; p + strlen(tl[k]) <= TLEN; p++) {
			for (i = 0; i < TLEN; i++)
				text[i] = " timeoutsRrEk[]_"[next() % 16];
			memcpy(text + p, tl[k], strlen(tl[k]));
			for (want = 0, found = 0, i = 0; i < n; i++) {
				if (memmem(text, TLEN, tl[i], strlen(tl[i])) !=
				    NULL) {
					want |= UINT64_C(1) << i;
					found++;
				}
			}
			assert_true(want & UINT64_C(1) << k);
			for (j = 0; j < 4; j++) {
				assert_int_equal(prefilter_scan(pf[j], text, TLEN,
				    &got), found);
				if (got != want)
					fail_msg("impl %d: %#llx, want %#llx, "
					    "literal %zu at %zu",
					    (int)prefilter_impl(pf[j]),
					    (unsigned long long)got,
					    (unsigned long long)want, k, p);
			}
		}
	}
	memset(text, '.', TLEN);
	memcpy(text + 30, "error", 5);
	memcpy(text + 62, "ERROR", 5);
	for (j = 0; j < 4; j++) {
		assert_int_equal(prefilter_scan(pf[j], text, 70, &got), 2);
		assert_true(got == (UINT64_C(1) << 3 | UINT64_C(1) << 4));
		assert_int_equal(prefilter_scan(pf[j], text, 66, &got), 1);
		assert_true(got == UINT64_C(1) << 3);
	}
}

/*
 * Tuning tries several windows of each literal against the buckets, and
 * takes one table set (8 buckets) when it lets through few of the learned
 * windows: on a sample where the literals' pieces are the common words,
 * short literals, one of three UTF-8 bytes, case variants and literals
 * sharing a prefix are still found exactly.  Untuned, 8 literals take one
 * set too.
 */
static void
test_layout_exact(void **state)
{
	enum prefilter_impl impls[] = { PREFILTER_SCALAR, PREFILTER_SSSE3,
	    PREFILTER_AVX2, PREFILTER_AVX512 };
	static const char words[] = "[SEM_TRACK] took 12ms) error timed "
	    "Error time tick ERROR \xe2\x86\x92 Released LEAK ";
	struct prefilter *pf[4];
	char sample[8192];
	size_t lens[TL_N], k, i, j;

	for (k = 0; k < TL_N; k++)
		lens[k] = strlen(tl[k]);
	for (i = 0; i < sizeof sample; i++)
		sample[i] = words[(i * 7 + i / 13) % (sizeof words - 1)];
	for (j = 0; j < 4; j++) {
		pf[j] = prefilter_new(tl, lens, TL_N, impls[j]);
		assert_int_equal(prefilter_buckets(pf[j]), 16);
		prefilter_learn(pf[j], sample, sizeof sample);
		prefilter_learn(pf[j], words, sizeof words - 1);
		prefilter_tune(pf[j]);
		assert_int_equal(prefilter_buckets(pf[j]), 8);
	}
	layout_exact(pf, TL_N);
	for (j = 0; j < 4; j++) {
		prefilter_free(pf[j]);
		pf[j] = prefilter_new(tl, lens, 8, impls[j]);
		assert_int_equal(prefilter_buckets(pf[j]), 8);
	}
	layout_exact(pf, 8);
	for (j = 0; j < 4; j++)
		prefilter_free(pf[j]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_texts),
		cmocka_unit_test(test_random_texts_tuned),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_boundaries_tuned),
		cmocka_unit_test(test_tune_moves_windows),
		cmocka_unit_test(test_many_literals_tuned),
		cmocka_unit_test(test_tune_two_sets),
		cmocka_unit_test(test_found_cleared),
		cmocka_unit_test(test_no_literals),
		cmocka_unit_test(test_shorter_than_every_literal),
		cmocka_unit_test(test_layout_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
