/*
 * prefilter.h - find which of a fixed set of literals occur in a text, in
 * one pass.  A Teddy-style fingerprint scan (3 bytes of each literal,
 * 8 or 16 buckets, nibble tables) proposes positions and every proposal is
 * verified byte for byte, so the answer is exact and the same for every
 * implementation: AVX-512BW, AVX2 or SSSE3 where the CPU has them, else a
 * scalar loop over the same tables.  Knows nothing about rules or regexes.
 */
#ifndef LOGTRIAGE_PREFILTER_H
#define LOGTRIAGE_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

enum prefilter_impl {
	PREFILTER_AUTO,		/* the fastest the CPU supports */
	PREFILTER_SCALAR,
	PREFILTER_SSSE3,
	PREFILTER_AVX2,
	PREFILTER_AVX512	/* AVX-512BW */
};

struct prefilter;

#define PREFILTER_MAX	65535

/*
 * lits[0..n) are copied; each must be at least 3 bytes long, and n at most
 * PREFILTER_MAX.  An impl the
 * CPU lacks falls back to the next slower one (see prefilter_impl).
 */
struct prefilter *prefilter_new(const char *const *lits, const size_t *lens,
    size_t n, enum prefilter_impl impl);
void prefilter_free(struct prefilter *pf);
enum prefilter_impl prefilter_impl(const struct prefilter *pf);

/* Words of the bitset prefilter_scan fills: (n + 63) / 64, at least 1. */
size_t prefilter_words(const struct prefilter *pf);

/*
 * prefilter_learn counts the 3-byte windows of a sample of the text to come
 * (call it as often as wanted); prefilter_tune then re-picks each literal's
 * fingerprint and bucket so that fewer positions need verifying, and drops
 * the counts.  Neither changes what prefilter_scan answers.
 */
void prefilter_learn(struct prefilter *pf, const char *text, size_t len);
void prefilter_tune(struct prefilter *pf);

/* Where literal k's fingerprint starts in it (for tests and diagnostics). */
size_t prefilter_window(const struct prefilter *pf, size_t k);

/*
 * The buckets the literals are spread over, 8 or 16 (for tests and
 * diagnostics): 8 while the literals are few or, tuned, while 8 let
 * through few of the learned windows; the scan of 8 is cheaper.
 */
size_t prefilter_buckets(const struct prefilter *pf);

/*
 * Set bit k of found (prefilter_words long, cleared here) for every
 * literal k that occurs in text.  Returns how many distinct literals occur.
 */
size_t prefilter_scan(const struct prefilter *pf, const char *text, size_t len,
    uint64_t *found);

#endif
