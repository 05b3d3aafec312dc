/*
 * prefilter.c - which of a fixed set of literals occur in a text, in one
 * pass.  Each literal contributes a 3-byte fingerprint (its rarest window
 * by a rough byte-frequency guess for log text) to one of 8 or 16
 * buckets, in one or two sets of 8; per set and fingerprint byte, two
 * 16-entry tables indexed by the low and high nibble hold the buckets
 * whose fingerprint allows that nibble there.  ANDing the six lookups of
 * a set gives, for every position, the buckets that may start a
 * fingerprint there (Teddy, as in Hyperscan and Rust's aho-corasick).
 * The second set is used when the proposals it spares cost more than its
 * lookups: untuned, a hundred literals in 8 buckets let through one
 * position in seven.  A proposal is only a hint: the window is looked up
 * by hash among the fingerprints and the literal compared byte for byte
 * before a bit is set, so the vector and scalar paths give identical
 * answers.
 *
 * Which window and which bucket a literal gets only decides how many
 * proposals come up, never the answer.  A guess from byte classes is used
 * until prefilter_tune: with the 3-byte windows of real text counted
 * (prefilter_learn), each literal takes, of its few windows seen least
 * and the buckets, the pair that lets through the fewest of the most
 * frequent windows, its own count included.
 * Knows nothing about rules or regexes.
 */
#include "prefilter.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PF_X86 1
#endif

#define FP		3	/* fingerprint bytes */
#define NBUCKET		16
#define NGROUP		(NBUCKET / 8)	/* byte-wide table sets */
/* Slots of the table counting learned windows (hashed, saturating). */
#define LEARN_BITS	16
/*
 * The most frequent learned windows that placement is judged on: 2048
 * hold 95% of the windows of 32 KiB of a service's log, 512 only 75%,
 * and placed on those the literals proposed about three times as often.
 */
#define PF_TOP		2048
#define PF_TOPW		(PF_TOP / 64)
/* The least seen windows of a literal tried as its fingerprint. */
#define PF_CAND		8
/* With more literals than PF_CAND_BUDGET / PF_CAND, fewer are tried. */
#define PF_CAND_BUDGET	1024
/*
 * A proposal whose window is a fingerprint is looked up and compared, a
 * few times the cost of one the fingerprint hash turns away.
 */
#define PF_VERIFY_WEIGHT	4
/*
 * What a proposal and the second table set cost, in cycles: a proposal
 * is a branch taken or not at random (so often mispredicted) and a
 * lookup of the fingerprint; the second set adds six lookups to every
 * step (a shuffle each in the vector scans, two loads in the scalar one),
 * which run beside the first set's.
 */
#define PF_PROPOSAL_COST	20
#define PF_SET_COST		4
/* Slots of the table of literals per hashed fingerprint (see pf_fphash). */
#define FPHASH_BITS	14

struct pf_lit {
	char	*s;
	size_t	 len;
	size_t	 off;		/* where the fingerprint starts in it */
	uint16_t next;		/* 1 + the next literal of its fphead slot, or 0 */
};

struct prefilter {
	/* bucket b is bit b % 8 of table set b / 8 */
	uint8_t			 lo[NGROUP][FP][16];
	uint8_t			 hi[NGROUP][FP][16];
	/*
	 * lo and hi with each table written twice (pf_widen), for the AVX2
	 * scan to load as they are: broadcast at every call instead, the
	 * twelve tables did not fit in registers and were spilled to the
	 * stack, 25 of the 500 instructions the scan of a record costs.
	 */
	uint8_t			 lo2[NGROUP][FP][32];
	uint8_t			 hi2[NGROUP][FP][32];
	struct pf_lit		*lits;
	size_t			 n, words;
	size_t			 minlen;	/* of the shortest literal; none: SIZE_MAX */
	size_t			*bucket[NBUCKET];	/* literal indexes */
	size_t			 nbucket[NBUCKET];
	/*
	 * Per hashed fingerprint, 1 + the first literal whose fingerprint
	 * hashes there (0: none), chained through pf_lit.next: with a hundred
	 * literals the nibble tables propose one position in seven, and one
	 * lookup here rejects nearly all of them; the rest compare only the
	 * literals of their slot, not a whole bucket.
	 */
	uint16_t		 fphead[1u << FPHASH_BITS];
	/* table sets in use: 1 (buckets 0-7; set 1 stays empty) or NGROUP */
	int			 groups;
	enum prefilter_impl	 impl;
	/* the scan of impl and groups (pf_pick_scan) */
	size_t			(*scan)(const struct prefilter *,
				    const unsigned char *, size_t, uint64_t *);
	uint16_t		*seen;		/* learned window counts, until tuned */
	uint32_t		*seenw;		/* the last window counted in each slot (pf_slot_word) */
	/* the slots of seen in use, nseen of them: a sample fills a few thousand */
	uint16_t		*seenat;
	size_t			 nseen;
	uint64_t		 nlearned;	/* windows counted */
};

static void pf_pick_scan(struct prefilter *pf);

/*
 * A rough rarity of a byte in log text: higher is rarer.  A switch, which
 * the compiler makes a table: it runs for every byte of every literal at
 * start-up.
 */
static int
pf_rarity(unsigned char c)
{
	switch (c) {
	case ' ':
		return 0;
	case 'e': case 't': case 'a': case 'o': case 'i': case 'n': case 's':
	case 'r':
		return 1;
	case '.': case ':': case '-': case '_': case '/': case ',': case '=':
		return 2;
	}
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 2;
	if (c >= 'A' && c <= 'Z')
		return 4;
	return 5;
}

static size_t
pf_best_window(const char *s, size_t len)
{
	size_t i, best = 0;
	int score, bestscore = -1;

	for (i = 0; i + FP <= len; i++) {
		score = pf_rarity((unsigned char)s[i]) +
		    pf_rarity((unsigned char)s[i + 1]) +
		    pf_rarity((unsigned char)s[i + 2]);
		if (score > bestscore) {
			bestscore = score;
			best = i;
		}
	}
	return best;
}

static int
pf_cpu_has(enum prefilter_impl impl)
{
#ifdef PF_X86
	__builtin_cpu_init();
	if (impl == PREFILTER_AVX512)
		return __builtin_cpu_supports("avx512bw");
	if (impl == PREFILTER_AVX2)
		return __builtin_cpu_supports("avx2");
	if (impl == PREFILTER_SSSE3)
		return __builtin_cpu_supports("ssse3");
#endif
	return impl == PREFILTER_SCALAR;
}

/* The slot in fphead of the fingerprint f[0] | f[1] << 8 | f[2] << 16. */
static inline unsigned
pf_fphash_word(uint32_t w)
{
	return (w * UINT32_C(2654435761)) >> (32 - FPHASH_BITS);
}

/* A fingerprint's slot in fphead. */
static inline unsigned
pf_fphash(const unsigned char *f)
{
	return pf_fphash_word((uint32_t)f[0] | (uint32_t)f[1] << 8 |
	    (uint32_t)f[2] << 16);
}

/* Literal i joins bucket b: its fingerprint's nibbles go into the tables. */
static void
pf_place(struct prefilter *pf, size_t i, size_t b)
{
	const unsigned char *f;
	size_t j;

	assert(b < NBUCKET && i < pf->n);
	assert(pf->lits[i].off + FP <= pf->lits[i].len);
	pf->bucket[b] = xrealloc(pf->bucket[b],
	    (pf->nbucket[b] + 1) * sizeof(size_t));
	pf->bucket[b][pf->nbucket[b]++] = i;
	f = (const unsigned char *)pf->lits[i].s + pf->lits[i].off;
	for (j = 0; j < FP; j++) {
		pf->lo[b / 8][j][f[j] & 15] |= (uint8_t)(1u << b % 8);
		pf->hi[b / 8][j][f[j] >> 4] |= (uint8_t)(1u << b % 8);
	}
	pf->lits[i].next = pf->fphead[pf_fphash(f)];
	pf->fphead[pf_fphash(f)] = (uint16_t)(i + 1);
}

/* The tables changed: copy them into lo2 and hi2. */
static void
pf_widen(struct prefilter *pf)
{
	size_t g, j;

	for (g = 0; g < NGROUP; g++) {
		for (j = 0; j < FP; j++) {
			memcpy(pf->lo2[g][j], pf->lo[g][j], 16);
			memcpy(pf->lo2[g][j] + 16, pf->lo[g][j], 16);
			memcpy(pf->hi2[g][j], pf->hi[g][j], 16);
			memcpy(pf->hi2[g][j] + 16, pf->hi[g][j], 16);
		}
	}
}

static void
pf_clear_buckets(struct prefilter *pf)
{
	size_t b;

	memset(pf->lo, 0, sizeof pf->lo);
	memset(pf->hi, 0, sizeof pf->hi);
	memset(pf->fphead, 0, sizeof pf->fphead);
	for (b = 0; b < NBUCKET; b++)
		pf->nbucket[b] = 0;
}

struct prefilter *
prefilter_new(const char *const *lits, const size_t *lens, size_t n,
    enum prefilter_impl impl)
{
	struct prefilter *pf;
	size_t i;

	/* literal k is chained as k + 1 in 16 bits; a fingerprint needs FP bytes */
	assert(n <= PREFILTER_MAX);
	pf = xcalloc(1, sizeof *pf);
	pf->n = n;
	pf->words = n > 0 ? (n + 63) / 64 : 1;
	pf->lits = xcalloc(n > 0 ? n : 1, sizeof *pf->lits);
	pf->minlen = SIZE_MAX;
	for (i = 0; i < n; i++) {
		assert(lens[i] >= FP);
		pf->lits[i].s = xmalloc(lens[i] + 1);
		memcpy(pf->lits[i].s, lits[i], lens[i]);
		pf->lits[i].s[lens[i]] = '\0';
		pf->lits[i].len = lens[i];
		if (lens[i] < pf->minlen)
			pf->minlen = lens[i];
		pf->lits[i].off = pf_best_window(lits[i], lens[i]);
		pf_place(pf, i, i % NBUCKET);
	}
	pf->groups = n <= 8 ? 1 : NGROUP;
	pf_widen(pf);
	if (impl == PREFILTER_AUTO)
		impl = PREFILTER_AVX512;
	while (impl != PREFILTER_SCALAR && !pf_cpu_has(impl))
		impl = impl == PREFILTER_AVX512 ? PREFILTER_AVX2 :
		    impl == PREFILTER_AVX2 ? PREFILTER_SSSE3 : PREFILTER_SCALAR;
	pf->impl = impl;
	pf_pick_scan(pf);
	return pf;
}

void
prefilter_free(struct prefilter *pf)
{
	size_t i;

	if (pf == NULL)
		return;
	for (i = 0; i < pf->n; i++)
		free(pf->lits[i].s);
	for (i = 0; i < NBUCKET; i++)
		free(pf->bucket[i]);
	free(pf->lits);
	free(pf->seen);
	free(pf->seenw);
	free(pf->seenat);
	free(pf);
}

/* The slot in seen of the window w = p[0] << 16 | p[1] << 8 | p[2]. */
static inline size_t
pf_slot_word(uint32_t w)
{
	return (size_t)((w * UINT32_C(2654435761)) >> (32 - LEARN_BITS));
}

static size_t
pf_slot(const unsigned char *p)
{
	return pf_slot_word((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
}

void
prefilter_learn(struct prefilter *pf, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	uint32_t w;
	size_t i, k;

	if (pf->n <= 1 || len < FP)
		return;
	if (pf->seen == NULL) {
		pf->seen = xcalloc((size_t)1 << LEARN_BITS, sizeof *pf->seen);
		pf->seenw = xcalloc((size_t)1 << LEARN_BITS, sizeof *pf->seenw);
		pf->seenat = xcalloc((size_t)1 << LEARN_BITS, sizeof *pf->seenat);
	}
	pf->nlearned += len - FP + 1;
	/* the window ending at byte i, rolled on a byte at a time */
	w = (uint32_t)t[0] << 8 | t[1];
	for (i = FP - 1; i < len; i++) {
		w = (w << 8 | t[i]) & UINT32_C(0xffffff);
		k = pf_slot_word(w);
		if (pf->seen[k] == 0)
			pf->seenat[pf->nseen++] = (uint16_t)k;
		if (pf->seen[k] != UINT16_MAX)
			pf->seen[k]++;
		pf->seenw[k] = w;
	}
}

/*
 * Placement is judged on the PF_TOP most frequent learned windows as
 * bitsets, bit w for window w, the windows in falling order of their
 * count's highest bit so that a bucket found too costly is given up early
 * (pf_opened).  is[k][v]: the windows whose nibble k (the low nibble of
 * byte k / 2 for even k, else its high nibble) is v; allow[b][k]: the
 * windows whose nibble k bucket b's tables allow; pass[b]: those with all
 * six allowed, which the bucket proposes.
 */
struct pf_tune {
	uint64_t	 is[2 * FP][16][PF_TOPW];
	uint64_t	 allow[NBUCKET][2 * FP][PF_TOPW];
	uint64_t	 pass[NBUCKET][PF_TOPW];
	uint16_t	 cnt[PF_TOP];
	size_t		 words;		/* of the bitsets in use */
};

/* Nibble k of the window at f, numbered as in pf_tune. */
static inline unsigned
pf_nib(const unsigned char *f, size_t k)
{
	return k % 2 == 0 ? f[k / 2] & 15u : f[k / 2] >> 4;
}

/*
 * The PF_TOP most frequent learned windows into t: their nibbles into
 * is[] and their counts into cnt[].  Counts are classed by their highest
 * bit, which orders them well enough and takes no sort.
 */
static void
pf_top_windows(const struct prefilter *pf, struct pf_tune *t)
{
	size_t hist[17] = { 0 }, at[17], i, s, n = 0, need, w, k;
	int bit, cut;
	unsigned c;
	unsigned char f[FP];

	for (i = 0; i < pf->nseen; i++)
		hist[32 - __builtin_clz(pf->seen[pf->seenat[i]])]++;
	/* the windows of bits above cut all fit; those of bit cut fill up */
	need = PF_TOP;
	for (cut = 16; cut > 0 && hist[cut] < need; cut--)
		need -= hist[cut];
	/* where each class starts, highest first */
	for (bit = 16; bit >= cut && bit > 0; bit--) {
		at[bit] = n;
		n += bit == cut ? need : hist[bit];
	}
	assert(n <= PF_TOP);
	t->words = (n + 63) / 64;
	for (i = 0; i < pf->nseen; i++) {
		s = pf->seenat[i];
		c = pf->seen[s];
		bit = 32 - __builtin_clz(c);
		if (bit < cut || (bit == cut && need == 0))
			continue;
		if (bit == cut)
			need--;
		w = at[bit]++;
		f[0] = (unsigned char)(pf->seenw[s] >> 16);
		f[1] = (unsigned char)(pf->seenw[s] >> 8 & 0xff);
		f[2] = (unsigned char)(pf->seenw[s] & 0xff);
		for (k = 0; k < 2 * FP; k++)
			t->is[k][pf_nib(f, k)][w / 64] |= UINT64_C(1) << (w % 64);
		t->cnt[w] = (uint16_t)c;
	}
}

/*
 * The count of the windows that fingerprint f would newly let through
 * in bucket b; once past limit, some count past it.
 */
static uint64_t
pf_opened(const struct pf_tune *t, size_t b, const unsigned char *f,
    uint64_t limit)
{
	const uint64_t *e[2 * FP];
	uint64_t add = 0, o;
	size_t i, k;

	for (k = 0; k < 2 * FP; k++)
		e[k] = t->is[k][pf_nib(f, k)];
	for (i = 0; i < t->words; i++) {
		o = ~t->pass[b][i];
		for (k = 0; k < 2 * FP; k++)
			o &= t->allow[b][k][i] | e[k][i];
		for (; o != 0; o &= o - 1)
			add += t->cnt[i * 64 + (size_t)__builtin_ctzll(o)];
		if (add > limit)
			break;
	}
	return add;
}

/* Fingerprint f joined bucket b. */
static void
pf_tune_place(struct pf_tune *t, size_t b, const unsigned char *f)
{
	uint64_t p;
	size_t i, k;

	for (i = 0; i < t->words; i++) {
		p = ~UINT64_C(0);
		for (k = 0; k < 2 * FP; k++) {
			t->allow[b][k][i] |= t->is[k][pf_nib(f, k)][i];
			p &= t->allow[b][k][i];
		}
		t->pass[b][i] = p;
	}
}

/*
 * Up to max offsets of literal l whose windows were seen least into cand,
 * the least seen first (ties: the earliest); returns how many.
 */
static size_t
pf_candidates(const struct prefilter *pf, const struct pf_lit *l,
    size_t *cand, size_t max)
{
	const unsigned char *s = (const unsigned char *)l->s;
	size_t off, n = 0, j;
	unsigned c;

	for (off = 0; off + FP <= l->len; off++) {
		c = pf->seen[pf_slot(s + off)];
		for (j = n; j > 0 && pf->seen[pf_slot(s + cand[j - 1])] > c; j--) {
			if (j < max)
				cand[j] = cand[j - 1];
		}
		if (j < max) {
			cand[j] = off;
			if (n < max)
				n++;
		}
	}
	return n;
}

/*
 * Place every literal, in order, into buckets 0 .. nb - 1 and return the
 * learned windows the buckets let through, counted once per bucket.
 */
static uint64_t
pf_layout(struct prefilter *pf, struct pf_tune *t, const size_t *order,
    size_t nb)
{
	uint64_t best_cost, base, add, through = 0, o;
	size_t cand[PF_CAND], i, k, b, best, best_off, nc, ci, max, fewest;
	const unsigned char *f;
	const struct pf_lit *l;

	pf_clear_buckets(pf);
	memset(t->allow, 0, sizeof t->allow);
	memset(t->pass, 0, sizeof t->pass);
	pf->groups = (int)((nb + 7) / 8);
	/*
	 * Each literal takes, of its least seen windows and the buckets, the
	 * pair that adds fewest proposals: the frequent windows the bucket
	 * would newly let through, and its own window's count weighted as the
	 * fingerprints it passes are verified.  The least seen window alone is
	 * often one of common nibbles (" ti"), which the tables then let
	 * through as " ta" and "$hi" too: trying a few cut the proposals on
	 * five 10 MB corpora to a third.  The search costs literals x
	 * candidates x buckets, so with many literals fewer are tried.
	 */
	max = PF_CAND_BUDGET / (pf->n > 0 ? pf->n : 1);
	max = max < 1 ? 1 : max > PF_CAND ? PF_CAND : max;
	for (i = 0; i < pf->n; i++) {
		k = order[i];
		l = &pf->lits[k];
		nc = pf_candidates(pf, l, cand, max);
		best = 0;
		best_off = cand[0];
		best_cost = UINT64_MAX;
		for (fewest = pf->nbucket[0], b = 1; b < nb; b++)
			if (pf->nbucket[b] < fewest)
				fewest = pf->nbucket[b];
		for (ci = 0; ci < nc; ci++) {
			f = (const unsigned char *)l->s + cand[ci];
			base = PF_VERIFY_WEIGHT *
			    (uint64_t)pf->seen[pf_slot(f)];
			/* the others were seen as often or more */
			if (base > best_cost)
				break;
			for (b = 0; b < nb; b++) {
				add = base + pf_opened(t, b, f, best_cost - base);
				/* ties spread the literals over the buckets */
				if (add < best_cost || (add == best_cost &&
				    pf->nbucket[b] < pf->nbucket[best])) {
					best_cost = add;
					best = b;
					best_off = cand[ci];
				}
			}
			/* nothing to gain: many windows of long literals are never seen */
			if (best_cost == 0 && pf->nbucket[best] == fewest)
				break;
		}
		pf->lits[k].off = best_off;
		pf_place(pf, k, best);
		pf_tune_place(t, best, (const unsigned char *)l->s + best_off);
	}
	for (b = 0; b < nb; b++) {
		for (i = 0; i < t->words; i++) {
			for (o = t->pass[b][i]; o != 0; o &= o - 1)
				through += t->cnt[i * 64 + (size_t)__builtin_ctzll(o)];
		}
	}
	return through;
}

/* Positions a step of pf's scan takes. */
static uint64_t
pf_step_width(const struct prefilter *pf)
{
	switch (pf->impl) {
	case PREFILTER_AVX512:
		return 64;
	case PREFILTER_AVX2:
		return 32;
	case PREFILTER_SSSE3:
		return 16;
	default:
		return 1;
	}
}

void
prefilter_tune(struct prefilter *pf)
{
	struct pf_tune *t;
	uint64_t *own, c, one, two;
	size_t *order, i, j, k;
	const struct pf_lit *l;

	if (pf->seen == NULL)
		return;
	own = xcalloc(pf->n, sizeof *own);
	order = xcalloc(pf->n, sizeof *order);
	for (i = 0; i < pf->n; i++) {
		l = &pf->lits[i];
		own[i] = UINT64_MAX;
		for (j = 0; j + FP <= l->len; j++) {
			c = pf->seen[pf_slot((const unsigned char *)l->s + j)];
			if (c < own[i])
				own[i] = c;
		}
		order[i] = i;
	}
	/* The most frequent fingerprints are placed first, each alone if it can. */
	for (i = 1; i < pf->n; i++) {
		for (j = i; j > 0 && own[order[j]] > own[order[j - 1]]; j--) {
			k = order[j];
			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	}
	t = xcalloc(1, sizeof *t);
	pf_top_windows(pf, t);
	/*
	 * One table set halves the lookups of every step; two pay when the
	 * proposals they spare cost more, and the wider the step, the more
	 * positions share its lookups.  With the default rules one set lets
	 * through one learned window in 50, two one in 220; the matcher alone
	 * over compose-100M's lines takes 47.4 ms with one set, 39.2 ms with
	 * two (AVX-512; AVX2 50.8 and 43.3 ms, SSSE3 60.2 and 50.5 ms, scalar
	 * 226 and 274 ms).  Instruction counts (callgrind) favour one set:
	 * they do not see the mispredicted branches.
	 */
	one = pf_layout(pf, t, order, 8);
	two = pf_layout(pf, t, order, NBUCKET);
	if (one <= two || (one - two) * PF_PROPOSAL_COST * pf_step_width(pf) <=
	    pf->nlearned * PF_SET_COST)
		pf_layout(pf, t, order, 8);
	pf_widen(pf);
	pf_pick_scan(pf);
	free(t);
	free(own);
	free(order);
	free(pf->seen);
	free(pf->seenw);
	free(pf->seenat);
	pf->seen = NULL;
	pf->seenw = NULL;
	pf->seenat = NULL;
	pf->nseen = 0;
}

enum prefilter_impl
prefilter_impl(const struct prefilter *pf)
{
	return pf->impl;
}

size_t
prefilter_window(const struct prefilter *pf, size_t k)
{
	return pf->lits[k].off;
}

size_t
prefilter_buckets(const struct prefilter *pf)
{
	return (size_t)pf->groups * 8;
}

size_t
prefilter_words(const struct prefilter *pf)
{
	return pf->words;
}

/* Verify the literals whose fingerprint hashes to h and would start at pos. */
static size_t
pf_verify(const struct prefilter *pf, const unsigned char *t, size_t len,
    size_t pos, unsigned h, uint64_t *found)
{
	const struct pf_lit *l;
	const unsigned char *f;
	size_t k, start, nfound = 0;

	assert(pos + FP <= len);
	for (k = pf->fphead[h]; k != 0; k = l->next) {
		assert(k <= pf->n);
		l = &pf->lits[k - 1];
		if (pos < l->off)
			continue;
		f = (const unsigned char *)l->s + l->off;
		if (t[pos] != f[0] || t[pos + 1] != f[1] || t[pos + 2] != f[2])
			continue;
		if (found[(k - 1) / 64] & (UINT64_C(1) << ((k - 1) % 64)))
			continue;
		start = pos - l->off;
		if (start + l->len > len || memcmp(t + start, l->s, l->len) != 0)
			continue;
		found[(k - 1) / 64] |= UINT64_C(1) << ((k - 1) % 64);
		nfound++;
	}
	return nfound;
}

static unsigned
pf_mask_at(const struct prefilter *pf, const unsigned char *p)
{
	unsigned m = 0;
	size_t g;

	for (g = 0; g < (size_t)pf->groups; g++)
		m |= (unsigned)(pf->lo[g][0][p[0] & 15] & pf->hi[g][0][p[0] >> 4] &
		    pf->lo[g][1][p[1] & 15] & pf->hi[g][1][p[1] >> 4] &
		    pf->lo[g][2][p[2] & 15] & pf->hi[g][2][p[2] >> 4]) << (8 * g);
	return m;
}

/*
 * Every position, one at a time.  Out of line: inlined, its frame was set
 * up for the vector scans too.
 */
__attribute__((noinline))
static size_t
pf_scan_scalar(const struct prefilter *pf, const unsigned char *t, size_t len,
    uint64_t *found)
{
	size_t i, nfound = 0;
	unsigned h;

	for (i = 0; i + FP <= len; i++) {
		if (pf_mask_at(pf, t + i) != 0 &&
		    pf->fphead[h = pf_fphash(t + i)] != 0)
			nfound += pf_verify(pf, t, len, i, h, found);
	}
	return nfound;
}

#ifdef PF_X86
/*
 * The vector scans take w positions per step while w + FP - 1 bytes
 * remain; the last step is moved back to end at the text's end (positions
 * already scanned masked off), or in a text shorter than one step runs on
 * a zero-padded copy, where a proposal past len - FP is masked off (it
 * would involve padding) and verification reads the real text.
 * pf_step says where step i's bytes come from and the position they start
 * at; pf_step_verify masks and verifies its proposals.
 */
static inline const unsigned char *
pf_step(const unsigned char *t, size_t len, size_t i, size_t w,
    unsigned char *pad, size_t *base)
{
	*base = i;
	if (i + w + FP - 1 <= len)
		return t + i;
	if (len >= w + FP - 1) {
		*base = len - (w + FP - 1);
		/* moved back, never forward past i: no position is skipped */
		assert(*base <= i);
		return t + *base;
	}
	assert(i < len);
	memset(pad, 0, w + FP - 1);
	memcpy(pad, t + i, len - i);
	return pad;
}

static inline size_t
pf_step_verify(const struct prefilter *pf, const unsigned char *t, size_t len,
    size_t i, size_t base, size_t w, uint64_t bits, uint64_t *found)
{
	size_t last = len - FP, nfound = 0, pos;
	uint32_t word;
	unsigned h;

	if (base < i)
		bits &= ~((UINT64_C(1) << (i - base)) - 1);
	else if (last - i < w - 1)
		bits &= (UINT64_C(2) << (last - i)) - 1;
	/*
	 * Most proposals are turned away by the fphead lookup alone; where a
	 * byte follows the window, one little-endian load gives its hash.
	 */
	while (bits != 0) {
		pos = base + (size_t)__builtin_ctzll(bits);
		bits &= bits - 1;
		if (pos + 4 <= len) {
			memcpy(&word, t + pos, 4);
			h = pf_fphash_word(word & UINT32_C(0xffffff));
		} else
			h = pf_fphash(t + pos);
		if (pf->fphead[h] != 0)
			nfound += pf_verify(pf, t, len, pos, h, found);
	}
	return nfound;
}

__attribute__((target("ssse3")))
static inline __m128i
pf_lookup16(__m128i lo, __m128i hi, __m128i v)
{
	const __m128i nib = _mm_set1_epi8(0x0f);

	return _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(v, nib)),
	    _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), nib)));
}

/*
 * 16 positions per step (see pf_step), with one table set or both: a
 * constant where it is inlined.
 */
__attribute__((target("ssse3"), always_inline))
static inline size_t
pf_scan_ssse3_sets(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found, int groups)
{
	const __m128i lo0 = _mm_loadu_si128((const __m128i *)pf->lo[0][0]);
	const __m128i lo0_ = _mm_loadu_si128((const __m128i *)pf->lo[1][0]);
	const __m128i lo1 = _mm_loadu_si128((const __m128i *)pf->lo[0][1]);
	const __m128i lo1_ = _mm_loadu_si128((const __m128i *)pf->lo[1][1]);
	const __m128i lo2 = _mm_loadu_si128((const __m128i *)pf->lo[0][2]);
	const __m128i lo2_ = _mm_loadu_si128((const __m128i *)pf->lo[1][2]);
	const __m128i hi0 = _mm_loadu_si128((const __m128i *)pf->hi[0][0]);
	const __m128i hi0_ = _mm_loadu_si128((const __m128i *)pf->hi[1][0]);
	const __m128i hi1 = _mm_loadu_si128((const __m128i *)pf->hi[0][1]);
	const __m128i hi1_ = _mm_loadu_si128((const __m128i *)pf->hi[1][1]);
	const __m128i hi2 = _mm_loadu_si128((const __m128i *)pf->hi[0][2]);
	const __m128i hi2_ = _mm_loadu_si128((const __m128i *)pf->hi[1][2]);
	unsigned char pad[16 + FP - 1];
	const unsigned char *p;
	size_t i = 0, base, nfound = 0;
	uint32_t bits;
	__m128i r, v0, v1, v2;

	while (i + FP <= len) {
		p = pf_step(t, len, i, 16, pad, &base);
		v0 = _mm_loadu_si128((const __m128i *)p);
		v1 = _mm_loadu_si128((const __m128i *)(p + 1));
		v2 = _mm_loadu_si128((const __m128i *)(p + 2));
		r = _mm_and_si128(_mm_and_si128(
		    pf_lookup16(lo0, hi0, v0), pf_lookup16(lo1, hi1, v1)),
		    pf_lookup16(lo2, hi2, v2));
		if (groups > 1)
			r = _mm_or_si128(r, _mm_and_si128(_mm_and_si128(
			    pf_lookup16(lo0_, hi0_, v0),
			    pf_lookup16(lo1_, hi1_, v1)),
			    pf_lookup16(lo2_, hi2_, v2)));
		bits = ~(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(r,
		    _mm_setzero_si128())) & 0xffffu;
		if (bits != 0) {
			nfound += pf_step_verify(pf, t, len, i, base, 16, bits,
			    found);
		}
		i = base + 16;
	}
	return nfound;
}

__attribute__((target("ssse3")))
static size_t
pf_scan_ssse3_1(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found)
{
	return pf_scan_ssse3_sets(pf, t, len, found, 1);
}

__attribute__((target("ssse3")))
static size_t
pf_scan_ssse3_2(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found)
{
	return pf_scan_ssse3_sets(pf, t, len, found, NGROUP);
}

__attribute__((target("avx2")))
static inline __m256i
pf_lookup32(__m256i lo, __m256i hi, __m256i v)
{
	const __m256i nib = _mm256_set1_epi8(0x0f);

	return _mm256_and_si256(_mm256_shuffle_epi8(lo, _mm256_and_si256(v, nib)),
	    _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
}

/* The widened table of set g, byte j. */
#define PF_LO2(pf, g, j)	_mm256_loadu_si256((const __m256i *)(pf)->lo2[g][j])
#define PF_HI2(pf, g, j)	_mm256_loadu_si256((const __m256i *)(pf)->hi2[g][j])
/*
 * Set 0's tables as pf_bits32's arguments (PF_SET0), or loaded into the
 * variables lo0 .. hi2 (PF_LOAD_SET0).
 */
#define PF_SET0(pf)	PF_LO2(pf, 0, 0), PF_HI2(pf, 0, 0), PF_LO2(pf, 0, 1), \
			PF_HI2(pf, 0, 1), PF_LO2(pf, 0, 2), PF_HI2(pf, 0, 2)
#define PF_LOAD_SET0(pf)	do {					\
	lo0 = PF_LO2(pf, 0, 0);						\
	hi0 = PF_HI2(pf, 0, 0);						\
	lo1 = PF_LO2(pf, 0, 1);						\
	hi1 = PF_HI2(pf, 0, 1);						\
	lo2 = PF_LO2(pf, 0, 2);						\
	hi2 = PF_HI2(pf, 0, 2);						\
} while (0)

/*
 * Which of the 32 positions from p may start a fingerprint, by set 0's
 * tables lo0 .. hi2 (in registers across the steps) and, with two sets,
 * set 1's, loaded at every step: all twelve do not fit in registers.
 */
__attribute__((target("avx2"), always_inline))
static inline uint32_t
pf_bits32(const struct prefilter *pf, __m256i lo0, __m256i hi0, __m256i lo1,
    __m256i hi1, __m256i lo2, __m256i hi2, const unsigned char *p, int groups)
{
	__m256i r, v0, v1, v2;

	v0 = _mm256_loadu_si256((const __m256i *)p);
	v1 = _mm256_loadu_si256((const __m256i *)(p + 1));
	v2 = _mm256_loadu_si256((const __m256i *)(p + 2));
	r = _mm256_and_si256(_mm256_and_si256(
	    pf_lookup32(lo0, hi0, v0), pf_lookup32(lo1, hi1, v1)),
	    pf_lookup32(lo2, hi2, v2));
	if (groups > 1)
		r = _mm256_or_si256(r, _mm256_and_si256(_mm256_and_si256(
		    pf_lookup32(PF_LO2(pf, 1, 0), PF_HI2(pf, 1, 0), v0),
		    pf_lookup32(PF_LO2(pf, 1, 1), PF_HI2(pf, 1, 1), v1)),
		    pf_lookup32(PF_LO2(pf, 1, 2), PF_HI2(pf, 1, 2), v2)));
	return ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(r,
	    _mm256_setzero_si256()));
}

/*
 * A text shorter than one step, on a zero-padded copy (see pf_step).  Out
 * of line: the copy's buffer, aligned for the vectors, cost every call a
 * realigned frame.
 */
__attribute__((target("avx2"), noinline))
static size_t
pf_scan_avx2_short(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found)
{
	unsigned char pad[32 + FP - 1];
	const unsigned char *p;
	size_t base;
	uint32_t bits;

	p = pf_step(t, len, 0, 32, pad, &base);
	bits = pf->groups == 1 ? pf_bits32(pf, PF_SET0(pf), p, 1) :
	    pf_bits32(pf, PF_SET0(pf), p, NGROUP);
	if (bits == 0)
		return 0;
	return pf_step_verify(pf, t, len, 0, base, 32, bits, found);
}

/* 32 positions per step (see pf_step), with groups table sets. */
__attribute__((target("avx2"), always_inline))
static inline size_t
pf_scan_avx2_sets(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found, int groups)
{
	__m256i lo0, hi0, lo1, hi1, lo2, hi2;
	size_t i = 0, base, nfound = 0;
	uint32_t bits;

	PF_LOAD_SET0(pf);
	while (i + FP <= len) {
		base = i + 32 + FP - 1 <= len ? i : len - (32 + FP - 1);
		bits = pf_bits32(pf, lo0, hi0, lo1, hi1, lo2, hi2, t + base,
		    groups);
		if (bits != 0) {
			nfound += pf_step_verify(pf, t, len, i, base, 32, bits,
			    found);
			/*
			 * loaded again rather than kept across the call, which
			 * had them spilled to the stack and loaded from there
			 * at every step
			 */
			PF_LOAD_SET0(pf);
		}
		i = base + 32;
	}
	return nfound;
}

__attribute__((target("avx2")))
static size_t
pf_scan_avx2_1(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found)
{
	if (len < 32 + FP - 1)
		return pf_scan_avx2_short(pf, t, len, found);
	return pf_scan_avx2_sets(pf, t, len, found, 1);
}

__attribute__((target("avx2")))
static size_t
pf_scan_avx2_2(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found)
{
	if (len < 32 + FP - 1)
		return pf_scan_avx2_short(pf, t, len, found);
	return pf_scan_avx2_sets(pf, t, len, found, NGROUP);
}

__attribute__((target("avx512f,avx512bw")))
static inline __m512i
pf_lookup64(__m512i lo, __m512i hi, __m512i v)
{
	const __m512i nib = _mm512_set1_epi8(0x0f);

	return _mm512_and_si512(_mm512_shuffle_epi8(lo, _mm512_and_si512(v, nib)),
	    _mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nib)));
}

/* Table t of set g, byte j, in each 16 bytes of a vector. */
#define PF_B64(pf, t, g, j)						\
	_mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(pf)->t[g][j]))
/* Every table into lo0 .. hi2_ (set 1's with a trailing _). */
#define PF_LOAD64(pf)	do {						\
	lo0 = PF_B64(pf, lo, 0, 0);					\
	lo1 = PF_B64(pf, lo, 0, 1);					\
	lo2 = PF_B64(pf, lo, 0, 2);					\
	hi0 = PF_B64(pf, hi, 0, 0);					\
	hi1 = PF_B64(pf, hi, 0, 1);					\
	hi2 = PF_B64(pf, hi, 0, 2);					\
	lo0_ = PF_B64(pf, lo, 1, 0);					\
	lo1_ = PF_B64(pf, lo, 1, 1);					\
	lo2_ = PF_B64(pf, lo, 1, 2);					\
	hi0_ = PF_B64(pf, hi, 1, 0);					\
	hi1_ = PF_B64(pf, hi, 1, 1);					\
	hi2_ = PF_B64(pf, hi, 1, 2);					\
} while (0)

/*
 * 64 positions per step: half the steps of AVX2 on a record.  With groups
 * table sets, a constant where it is inlined.
 */
__attribute__((target("avx512f,avx512bw"), always_inline))
static inline size_t
pf_scan_avx512_sets(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found, int groups)
{
	__m512i lo0, lo1, lo2, hi0, hi1, hi2, lo0_, lo1_, lo2_, hi0_, hi1_, hi2_;
	size_t i = 0, base, nfound = 0;
	uint64_t bits;
	__m512i r, v0, v1, v2;

	/* a CPU with AVX-512BW has AVX2, whose steps need no padded copy here */
	if (len < 64 + FP - 1) {
		return groups == 1 ? pf_scan_avx2_1(pf, t, len, found) :
		    pf_scan_avx2_2(pf, t, len, found);
	}
	PF_LOAD64(pf);
	while (i + FP <= len) {
		base = i + 64 + FP - 1 <= len ? i : len - (64 + FP - 1);
		v0 = _mm512_loadu_si512(t + base);
		v1 = _mm512_loadu_si512(t + base + 1);
		v2 = _mm512_loadu_si512(t + base + 2);
		r = _mm512_and_si512(_mm512_and_si512(
		    pf_lookup64(lo0, hi0, v0), pf_lookup64(lo1, hi1, v1)),
		    pf_lookup64(lo2, hi2, v2));
		if (groups > 1)
			r = _mm512_or_si512(r, _mm512_and_si512(
			    _mm512_and_si512(pf_lookup64(lo0_, hi0_, v0),
			    pf_lookup64(lo1_, hi1_, v1)),
			    pf_lookup64(lo2_, hi2_, v2)));
		bits = _mm512_test_epi8_mask(r, r);
		if (bits != 0) {
			nfound += pf_step_verify(pf, t, len, i, base, 64, bits,
			    found);
			/* as in pf_scan_avx2_sets */
			PF_LOAD64(pf);
		}
		i = base + 64;
	}
	return nfound;
}

__attribute__((target("avx512f,avx512bw")))
static size_t
pf_scan_avx512_1(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found)
{
	return pf_scan_avx512_sets(pf, t, len, found, 1);
}

__attribute__((target("avx512f,avx512bw")))
static size_t
pf_scan_avx512_2(const struct prefilter *pf, const unsigned char *t,
    size_t len, uint64_t *found)
{
	return pf_scan_avx512_sets(pf, t, len, found, NGROUP);
}
#endif

/* The scan of pf's implementation and table sets. */
static void
pf_pick_scan(struct prefilter *pf)
{
	int one = pf->groups == 1;

	pf->scan = pf_scan_scalar;
#ifdef PF_X86
	if (pf->impl == PREFILTER_AVX512)
		pf->scan = one ? pf_scan_avx512_1 : pf_scan_avx512_2;
	else if (pf->impl == PREFILTER_AVX2)
		pf->scan = one ? pf_scan_avx2_1 : pf_scan_avx2_2;
	else if (pf->impl == PREFILTER_SSSE3)
		pf->scan = one ? pf_scan_ssse3_1 : pf_scan_ssse3_2;
#endif
}

size_t
prefilter_scan(const struct prefilter *pf, const char *text, size_t len,
    uint64_t *found)
{
	/*
	 * a few words: a call to memset would cost more than the stores, and
	 * the compiler makes a loop of stores one
	 */
	switch (pf->words) {
	case 4:
		found[3] = 0;
		/* FALLTHROUGH */
	case 3:
		found[2] = 0;
		/* FALLTHROUGH */
	case 2:
		found[1] = 0;
		/* FALLTHROUGH */
	case 1:
		found[0] = 0;
		break;
	default:
		memset(found, 0, pf->words * sizeof *found);
	}
	/* a text shorter than every literal holds none (with none, minlen is SIZE_MAX) */
	if (len < pf->minlen)
		return 0;
	return pf->scan(pf, (const unsigned char *)text, len, found);
}
