/*
 * matcher.c - run a ruleset over record text.  A literal prefilter lets
 * most records skip every regex: each rule's patterns carry a clause, a
 * literal or a few alternative ones, that any match must contain (derived
 * here from the pattern's text, conservatively, see
 * matcher_pattern_clauses), and a record reaches a rule's regexes only if
 * it holds a literal of one of them.  A pattern then runs only if the
 * record also holds the other literals it needs (its other clauses): the
 * prefilter's literal alone lets through twice as many records as match.
 * An exclude pattern likewise runs only on a record holding its longest
 * literal.
 * The prefilter's literals are chosen and it is tuned on the first
 * LEARN_BYTES of record text, which changes its speed, never its answers.
 * Matching runs under PCRE2 match and depth limits with one JIT stack and
 * one match data per matcher, so a matcher belongs to one thread.  A
 * pattern is JIT-compiled when it first runs: most records never reach
 * most rules, and compiling the default rules' 150 patterns up front cost
 * more than a 10 MB input spends in them.  Knows nothing about SQL or
 * screens.
 */
#include "matcher.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"
#include "util.h"

#define MATCH_LIMIT	100000
#define DEPTH_LIMIT	10000
#define JIT_STACK_MIN	(32 * 1024)
#define JIT_STACK_MAX	(1024 * 1024)
#define MIN_LITERAL	3
#define CLAUSE_TRIAL	64
#define CLAUSE_PAYS	8
/*
 * Record text the prefilter learns from before it is tuned.  Untuned, it
 * proposes many more positions, and with the 130 literals of the default
 * rules 32 KiB tune it as well as 256 KiB did: on three 10-50 MB corpora
 * 1.3 M proposals instead of 2.2 M, and 7.5 M fewer instructions of
 * learning.
 */
#define LEARN_BYTES	(32 * 1024)

/*
 * A gate is at most this many literals: each joins the prefilter, and
 * with many literals it proposes more positions on every record.  Of 1,
 * 2, 3, 4 and 8, 2 made the reading thread cheapest on three 10 MB
 * corpora (1 left a pattern admitted by " stream" that its "timed out"
 * or "timeout" rules out four times in five).
 */
#define GATE_MAX	2

/* A literal of a clause: found by the prefilter (k < SIZE_MAX) or looked for. */
struct req_lit {
	const char	*s;		/* a string of the pattern's clauses */
	size_t		 len;
	size_t		 k;		/* the prefilter's literal of the same bytes, or SIZE_MAX */
};

/*
 * req[first .. first + n): at least one of them is in every match.  A
 * clause that must be looked for and seldom fails costs more looks than
 * the regex runs it saves: after CLAUSE_TRIAL checks it is dropped
 * (off) unless it failed in at least one check in CLAUSE_PAYS per
 * literal looked for.
 */
struct req_clause {
	size_t		 first, n;
	size_t		 nfind;		/* literals the prefilter does not answer */
	uint32_t	 checks, fails;
	int		 off;
};

/*
 * A match pattern's name table, read from PCRE2 the first time the
 * pattern matches: three pattern_info calls for every event cost more
 * than filling its fields.
 */
struct pat_names {
	PCRE2_SPTR	 table;
	uint32_t	 count, size;
	int		 known;
};

/*
 * The single-literal clauses of a match pattern, in the order every match
 * holds them, each ending before the next starts: a record holding them
 * all but not in that order cannot match ('model' before
 * 'ai_response_time_ms' or after it picks one of two patterns).  A
 * check that seldom fails costs more looks than it saves regex runs:
 * after CLAUSE_TRIAL checks it is dropped (off) unless it failed in at
 * least one check in CLAUSE_PAYS per literal.  n is 0 for a pattern of
 * fewer than two.
 */
struct pat_order {
	struct req_lit	*lit;		/* strings owned by the pattern's clauses */
	size_t		 n;
	uint32_t	 checks, fails;
	int		 off;
};

/* A pattern's clauses, see matcher_pattern_clauses. */
struct pattern_clauses {
	struct matcher_clause	*cl;
	size_t			 n;
};

static char **rule_walk(const struct rule *r, size_t *n,
    struct pattern_clauses *cl);

/*
 * Rule sets are bitsets of rwords words, bit i for rule i: a record's
 * candidate rules are base_rules and the lit_rules of each literal found
 * in it, and they run in rule order.
 *
 * Each match pattern of a rule with literals is admitted by one of its
 * clauses, its gate: a record holding no literal of the gate cannot
 * match it.  At first the gate is the pattern's longest literal.  The
 * longest is not the rarest (" bytes, " is in one record in twelve of a
 * daemon's log, the "ms)" of the same pattern in one in 170), so
 * once the prefilter has learned, each pattern takes the clause found in
 * fewest of the learned records, and the literals, the prefilter and the
 * clauses are made again (index_build).
 */
struct matcher {
	const struct ruleset	*rs;
	char			**literal;	/* distinct gate literals, owned */
	size_t			*literal_len;
	size_t			 nliteral;
	struct util_index	 literal_at;	/* the literals by their hash */
	struct prefilter	*pf;		/* finds the literals of a record in one pass */
	uint64_t		*found;		/* per record: bit k = literal k occurs */
	size_t			 fwords;	/* its words, prefilter_words */
	int			 always;	/* some rule has no literal: never skip a record */
	size_t			 rwords;
	uint64_t		*lit_rules;	/* per literal, the rules it admits */
	/*
	 * Pattern sets, pwords words, bit p for pattern p: per literal, the
	 * patterns whose gate holds it; per record, those whose gate holds,
	 * so that a candidate rule's other patterns are passed over at the
	 * cost of a bit test.
	 */
	size_t			 pwords;
	uint64_t		*lit_pats;
	uint64_t		*want_pats;
	/*
	 * Per rule, the match patterns' index in pcl, gate and pat_clause
	 * (SIZE_MAX for a rule without literals, which runs on every record).
	 */
	size_t			*rule_lit;
	struct pattern_clauses	*pcl;		/* per pattern, its clauses, owned */
	size_t			*gate;		/* per pattern, the clause of pcl admitting it */
	struct pat_order	*order;		/* per pattern */
	size_t			 npat;
	/*
	 * The clauses of pattern p are clause[pat_clause[p] ..
	 * pat_clause[p + 1]), its gate first: a record that holds no literal
	 * of one of them cannot match p, so p is not run.  Of the records
	 * whose literal the prefilter found, most lack another literal the
	 * pattern needs (" bytes, " without "ms)"), and a look for it
	 * (util_find) costs a tenth of a failed regex run.
	 */
	size_t			*pat_clause;
	struct req_clause	*clause;
	size_t			 nclause;
	struct req_lit		*req;
	size_t			 nreq;
	/* per rule, jitted[rule_pat[i] + j]: match, then exclude pattern j compiled */
	uint8_t			*jitted;
	/*
	 * Indexed like jitted, for the exclude patterns: the literal every
	 * match holds (s NULL when none).  Most records a rule matches lack
	 * it, and a look for it costs a fraction of the regex run and spares
	 * JIT-compiling a pattern no record needs.
	 */
	struct req_lit		*xneed;
	size_t			 nxneed;
	struct pat_names	*names;		/* indexed like jitted */
	size_t			*rule_pat;
	uint64_t		*base_rules;	/* rules without a literal */
	uint64_t		*all_rules;	/* rules with a match pattern */
	uint64_t		*want;		/* per record: the candidate rules */
	/*
	 * The catch-all rules (rwords words), run after the others; per
	 * rule its category's number; per catch-all rule the numbers of the
	 * categories it leaves to others, scope[scope_at[i] ..
	 * scope_at[i + 1]); per category the record count (matched_at) when
	 * a rule of it last matched.  All NULL when no rule is a catch-all.
	 */
	uint64_t		*catch_rules;
	size_t			*rule_cat;
	size_t			*scope_at;
	size_t			*scope;
	uint64_t		*matched_at;
	int			 level;		/* the record's, as matcher_run was given it */
	int			 indexed;	/* index_init has run */
	size_t			 learned;	/* bytes the prefilter learned; past LEARN_BYTES, tuned */
	struct buf		 sample;	/* the records learned, until tuned */
	size_t			*sample_len;
	size_t			 nsample;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jit;
	struct matcher_stats	 stats;
};

static void catch_all_init(struct matcher *);

/* The prefilter's literal of s[0..len), or SIZE_MAX. */
static size_t
literal_index(const struct matcher *m, const char *s, size_t len)
{
	uint64_t h = util_hash64(s, len, UTIL_HASH_SEED);
	size_t k, it;

	for (it = 0; (k = util_index_next(&m->literal_at, h, &it)) !=
	    UTIL_INDEX_NONE; ) {
		if (m->literal_len[k] == len && memcmp(m->literal[k], s, len) == 0)
			return k;
	}
	return SIZE_MAX;
}

/* The prefilter's literal of s, added if new. */
static size_t
literal_add(struct matcher *m, const char *s)
{
	size_t len = strlen(s), k = literal_index(m, s, len);

	if (k != SIZE_MAX)
		return k;
	k = m->nliteral++;
	m->literal = xrealloc(m->literal, m->nliteral * sizeof *m->literal);
	m->literal_len = xrealloc(m->literal_len,
	    m->nliteral * sizeof *m->literal_len);
	m->literal[k] = xstrdup(s);
	m->literal_len[k] = len;
	util_index_put(&m->literal_at, util_hash64(s, len, UTIL_HASH_SEED), k);
	m->lit_rules = xrealloc(m->lit_rules,
	    m->nliteral * m->rwords * sizeof *m->lit_rules);
	memset(m->lit_rules + k * m->rwords, 0,
	    m->rwords * sizeof *m->lit_rules);
	return k;
}

static void
req_swap(struct req_lit *a, struct req_lit *b)
{
	struct req_lit t = *a;

	*a = *b;
	*b = t;
}

/*
 * Add cl as the next clause, its literals' prefilter indexes looked up:
 * those the prefilter answers first, as they cost no look.
 */
static void
clause_push(struct matcher *m, const struct matcher_clause *cl)
{
	struct req_clause *rc;
	struct req_lit *rl;
	size_t j, i;

	/* index_build made room for every clause */
	rc = &m->clause[m->nclause++];
	memset(rc, 0, sizeof *rc);
	rc->first = m->nreq;
	rc->n = cl->n;
	for (j = 0; j < cl->n; j++) {
		rl = &m->req[m->nreq++];
		rl->s = cl->lits[j];
		rl->len = strlen(rl->s);
		rl->k = literal_index(m, rl->s, rl->len);
		rc->nfind += rl->k == SIZE_MAX;
		/* a clause has a few literals: moved up as they come, stably */
		for (i = rc->first + j; i > rc->first && rl->k != SIZE_MAX &&
		    m->req[i - 1].k == SIZE_MAX; i--, rl--)
			req_swap(rl - 1, rl);
	}
}

/*
 * The clauses of pattern p, its gate first, then the rest cheapest
 * first: those the prefilter answers cost no look, then by the literals
 * to look for.
 */
static void
add_clauses(struct matcher *m, size_t p)
{
	const struct matcher_clause *cl = m->pcl[p].cl, *g;
	struct req_clause t;
	size_t c, i, first;

	g = &cl[m->gate[p]];
	clause_push(m, g);
	first = m->nclause;
	for (c = 0; c < m->pcl[p].n; c++) {
		/* the gate's own clause is known to hold */
		if (c == m->gate[p] || (cl[c].n == 1 && g->n == 1 &&
		    strcmp(cl[c].lits[0], g->lits[0]) == 0))
			continue;
		clause_push(m, &cl[c]);
		/* a pattern has a few clauses: sorted as they come, stably */
		for (i = m->nclause - 1; i > first &&
		    m->clause[i - 1].nfind > m->clause[i].nfind; i--) {
			t = m->clause[i];
			m->clause[i] = m->clause[i - 1];
			m->clause[i - 1] = t;
		}
	}
}

/* The literals, prefilter and clauses of the patterns' gates. */
static void
index_build(struct matcher *m)
{
	const struct rule *r;
	const struct matcher_clause *g;
	size_t i, j, l, p, k, ncl = 0, nlit = 0;

	for (i = 0; i < m->rs->n; i++) {
		r = &m->rs->rules[i];
		if (m->rule_lit[i] == SIZE_MAX)
			continue;
		for (j = 0; j < r->nmatch; j++) {
			p = m->rule_lit[i] + j;
			g = &m->pcl[p].cl[m->gate[p]];
			for (l = 0; l < g->n; l++) {
				k = literal_add(m, g->lits[l]);
				m->lit_rules[k * m->rwords + i / 64] |=
				    UINT64_C(1) << (i % 64);
			}
		}
	}
	assert(m->nliteral <= PREFILTER_MAX);
	m->pf = prefilter_new((const char *const *)m->literal, m->literal_len,
	    m->nliteral, PREFILTER_AUTO);
	/* at most every clause of a pattern, its gate again */
	for (p = 0; p < m->npat; p++) {
		ncl += 1 + m->pcl[p].n;
		nlit += m->pcl[p].cl[m->gate[p]].n;
		for (j = 0; j < m->pcl[p].n; j++)
			nlit += m->pcl[p].cl[j].n;
	}
	m->clause = xcalloc(ncl > 0 ? ncl : 1, sizeof *m->clause);
	m->req = xcalloc(nlit > 0 ? nlit : 1, sizeof *m->req);
	m->pat_clause = xcalloc(m->npat + 1, sizeof *m->pat_clause);
	for (p = 0; p < m->npat; p++) {
		m->pat_clause[p] = m->nclause;
		add_clauses(m, p);
	}
	m->pat_clause[m->npat] = m->nclause;
	assert(m->nclause <= ncl && m->nreq <= nlit);
	m->pwords = m->npat > 0 ? (m->npat + 63) / 64 : 1;
	m->lit_pats = xcalloc(m->nliteral > 0 ? m->nliteral * m->pwords : 1,
	    sizeof *m->lit_pats);
	m->want_pats = xcalloc(m->pwords, sizeof *m->want_pats);
	for (p = 0; p < m->npat; p++) {
		g = &m->pcl[p].cl[m->gate[p]];
		for (l = 0; l < g->n; l++) {
			k = literal_index(m, g->lits[l], strlen(g->lits[l]));
			assert(k < m->nliteral);
			m->lit_pats[k * m->pwords + p / 64] |=
			    UINT64_C(1) << (p % 64);
		}
	}
	m->fwords = prefilter_words(m->pf);
	m->found = xcalloc(m->fwords, sizeof *m->found);
	/* found holds a bit for every literal that lit_rules and req name */
	assert(prefilter_words(m->pf) * 64 >= m->nliteral);
}

static void
index_free(struct matcher *m)
{
	free(m->req);
	free(m->clause);
	free(m->pat_clause);
	free(m->lit_rules);
	free(m->lit_pats);
	free(m->want_pats);
	matcher_literals_free(m->literal, m->nliteral);
	free(m->literal_len);
	util_index_free(&m->literal_at);
	prefilter_free(m->pf);
	free(m->found);
	m->req = NULL;
	m->clause = NULL;
	m->pat_clause = NULL;
	m->lit_rules = NULL;
	m->lit_pats = NULL;
	m->want_pats = NULL;
	m->literal = NULL;
	m->literal_len = NULL;
	m->pf = NULL;
	m->found = NULL;
	m->nreq = m->nclause = m->nliteral = 0;
}

/* The index of s in lits[0..n), sorted by strcmp, or SIZE_MAX. */
static size_t
sorted_index(const char *const *lits, size_t n, const char *s)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(lits[mid], s)) == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Count in how many learned records each clause literal occurs, and give
 * each pattern the clause of at most GATE_MAX literals found least, when
 * its count is under half its gate's: a sample of 32 KiB says little
 * about small differences.  Returns whether some gate changed.
 */
static int
regate(struct matcher *m)
{
	const char **lits = NULL, *sample = m->sample.data;
	const struct matcher_clause *cl;
	struct prefilter *pf;
	uint64_t *found, w, *count, cost, best_cost;
	size_t *lens, n = 0, nd, p, c, j, k, s, best, words;
	int changed = 0;

	for (p = 0; p < m->npat; p++) {
		for (c = 0; c < m->pcl[p].n; c++) {
			cl = &m->pcl[p].cl[c];
			if (cl->n > GATE_MAX)
				continue;
			lits = xrealloc(lits, (n + cl->n) * sizeof *lits);
			for (j = 0; j < cl->n; j++)
				lits[n++] = cl->lits[j];
		}
	}
	if (n == 0 || n > PREFILTER_MAX) {
		free(lits);
		return 0;
	}
	qsort(lits, n, sizeof *lits, cmp_str);
	for (nd = 1, j = 1; j < n; j++) {
		if (strcmp(lits[j], lits[nd - 1]) != 0)
			lits[nd++] = lits[j];
	}
	lens = xcalloc(nd, sizeof *lens);
	for (j = 0; j < nd; j++)
		lens[j] = strlen(lits[j]);
	pf = prefilter_new(lits, lens, nd, PREFILTER_AUTO);
	words = prefilter_words(pf);
	found = xcalloc(words, sizeof *found);
	count = xcalloc(nd, sizeof *count);
	for (s = 0; s < m->nsample; s++) {
		prefilter_scan(pf, sample, m->sample_len[s], found);
		sample += m->sample_len[s];
		for (j = 0; j < words; j++) {
			for (w = found[j]; w != 0; w &= w - 1)
				count[j * 64 + (size_t)__builtin_ctzll(w)]++;
		}
	}
	for (p = 0; p < m->npat; p++) {
		best = m->gate[p];
		best_cost = UINT64_MAX;
		for (c = 0; c < m->pcl[p].n; c++) {
			cl = &m->pcl[p].cl[c];
			if (cl->n > GATE_MAX)
				continue;
			for (cost = 0, j = 0; j < cl->n; j++) {
				k = sorted_index(lits, nd, cl->lits[j]);
				/* every literal of such a clause was counted */
				assert(k < nd);
				cost += count[k];
			}
			if (c == m->gate[p])
				cost = (cost + 1) / 2;
			if (cost < best_cost || (cost == best_cost &&
			    c == m->gate[p])) {
				best_cost = cost;
				best = c;
			}
		}
		if (best != m->gate[p]) {
			m->gate[p] = best;
			changed = 1;
		}
	}
	free(count);
	free(found);
	prefilter_free(pf);
	free(lens);
	free(lits);
	return changed;
}

/*
 * The prefilter has seen LEARN_BYTES of records: re-gate the patterns,
 * then tune the prefilter on the records.
 */
static void
learned(struct matcher *m)
{
	const char *s;
	size_t i;

	if (regate(m)) {
		index_free(m);
		index_build(m);
	}
	for (i = 0, s = m->sample.data; i < m->nsample; s += m->sample_len[i++])
		prefilter_learn(m->pf, s, m->sample_len[i]);
	prefilter_tune(m->pf);
	buf_free(&m->sample);
	free(m->sample_len);
	m->sample_len = NULL;
	m->nsample = 0;
}

/* The index in pcl[p] of its clause of the one literal lit, added if none. */
static size_t
literal_clause(struct pattern_clauses *pc, char *lit)
{
	struct matcher_clause *c;
	size_t i;

	for (i = 0; i < pc->n; i++) {
		if (pc->cl[i].n == 1 && strcmp(pc->cl[i].lits[0], lit) == 0) {
			free(lit);
			return i;
		}
	}
	pc->cl = xrealloc(pc->cl, (pc->n + 1) * sizeof *pc->cl);
	c = &pc->cl[pc->n];
	c->lits = xmalloc(sizeof *c->lits);
	c->lits[0] = lit;
	c->n = 1;
	return pc->n++;
}

static void
order_init(struct pat_order *o, const struct pattern_clauses *pc)
{
	size_t c, n = 0;

	memset(o, 0, sizeof *o);
	for (c = 0; c < pc->n; c++)
		n += pc->cl[c].n == 1;
	if (n < 2)
		return;
	o->lit = xcalloc(n, sizeof *o->lit);
	for (c = 0; c < pc->n; c++) {
		if (pc->cl[c].n != 1)
			continue;
		o->lit[o->n].s = pc->cl[c].lits[0];
		o->lit[o->n].len = strlen(o->lit[o->n].s);
		o->lit[o->n].k = SIZE_MAX;
		o->n++;
	}
}

/* The literal every match of an exclude pattern holds, if one is known. */
static void
exclude_need(struct req_lit *n, const char *source)
{
	char *lit = matcher_required_literal(source);

	n->s = lit;
	n->len = lit != NULL ? strlen(lit) : 0;
	n->k = SIZE_MAX;
}

/*
 * Each rule's patterns' clauses and gates, then the literals and the
 * prefilter: on the first record, as an empty input needs none of it.
 */
static void
index_init(struct matcher *m)
{
	const struct ruleset *rs = m->rs;
	const struct rule *r;
	char **lits;
	size_t i, j, nlits, ngated = 0;

	m->indexed = 1;
	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		if (r->nmatch == 0 || r->disabled)
			continue;
		m->pcl = xrealloc(m->pcl, (m->npat + r->nmatch) * sizeof *m->pcl);
		memset(m->pcl + m->npat, 0, r->nmatch * sizeof *m->pcl);
		lits = rule_walk(r, &nlits, m->pcl + m->npat);
		/*
		 * past the prefilter's capacity a rule just always runs; a
		 * gate is a clause of at most GATE_MAX literals
		 */
		if (nlits == 0 || ngated + GATE_MAX * nlits > PREFILTER_MAX) {
			for (j = 0; j < r->nmatch; j++)
				matcher_clauses_free(m->pcl[m->npat + j].cl,
				    m->pcl[m->npat + j].n);
			matcher_literals_free(lits, nlits);
			m->base_rules[i / 64] |= UINT64_C(1) << (i % 64);
			m->always = 1;
			continue;
		}
		m->rule_lit[i] = m->npat;
		m->gate = xrealloc(m->gate, (m->npat + nlits) * sizeof *m->gate);
		m->order = xrealloc(m->order,
		    (m->npat + nlits) * sizeof *m->order);
		for (j = 0; j < nlits; j++) {
			/* before literal_clause may add a clause out of order */
			order_init(&m->order[m->npat + j], &m->pcl[m->npat + j]);
			m->gate[m->npat + j] = literal_clause(&m->pcl[m->npat + j],
			    lits[j]);
		}
		free(lits);
		m->npat += nlits;
		ngated += GATE_MAX * nlits;
	}
	index_build(m);
}

struct matcher *
matcher_new(const struct ruleset *rs, char *err, size_t errlen)
{
	struct matcher *m;
	const struct rule *r;
	uint32_t cap, maxcap = 0;
	size_t i, j, k;

	m = xcalloc(1, sizeof(*m));
	m->rs = rs;
	m->rwords = rs->n > 0 ? (rs->n + 63) / 64 : 1;
	m->base_rules = xcalloc(m->rwords, sizeof *m->base_rules);
	m->all_rules = xcalloc(m->rwords, sizeof *m->all_rules);
	m->want = xcalloc(m->rwords, sizeof *m->want);
	m->rule_lit = xcalloc(rs->n > 0 ? rs->n : 1, sizeof *m->rule_lit);
	for (i = 0; i < rs->n; i++)
		m->rule_lit[i] = SIZE_MAX;
	m->rule_pat = xcalloc(rs->n > 0 ? rs->n : 1, sizeof *m->rule_pat);
	for (i = 0, k = 0; i < rs->n; i++) {
		m->rule_pat[i] = k;
		k += rs->rules[i].nmatch + rs->rules[i].nexclude;
	}
	m->jitted = xcalloc(k > 0 ? k : 1, 1);
	m->xneed = xcalloc(k > 0 ? k : 1, sizeof *m->xneed);
	m->nxneed = k;
	m->names = xcalloc(k > 0 ? k : 1, sizeof *m->names);
	buf_init(&m->sample);
	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		for (j = 0; j < r->nmatch + r->nexclude; j++) {
			const struct rule_pattern *p = j < r->nmatch ?
			    &r->match[j] : &r->exclude[j - r->nmatch];

			if (p->code != NULL && pcre2_pattern_info(p->code,
			    PCRE2_INFO_CAPTURECOUNT, &cap) == 0 && cap > maxcap)
				maxcap = cap;
			if (j >= r->nmatch)
				exclude_need(&m->xneed[m->rule_pat[i] + j],
				    p->source);
		}
		if (r->nmatch > 0 && !r->disabled)
			m->all_rules[i / 64] |= UINT64_C(1) << (i % 64);
	}
	catch_all_init(m);
	m->md = pcre2_match_data_create(maxcap + 1, NULL);
	m->mctx = pcre2_match_context_create(NULL);
	if (m->md == NULL || m->mctx == NULL) {
		util_err(err, errlen, "cannot allocate PCRE2 match data");
		matcher_free(m);
		return NULL;
	}
	pcre2_set_match_limit(m->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(m->mctx, DEPTH_LIMIT);
	m->jit = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (m->jit != NULL)
		pcre2_jit_stack_assign(m->mctx, NULL, m->jit);
	return m;
}

void
matcher_free(struct matcher *m)
{
	size_t p;

	if (m == NULL)
		return;
	index_free(m);
	for (p = 0; p < m->nxneed; p++)
		free((char *)m->xneed[p].s);
	free(m->xneed);
	for (p = 0; p < m->npat; p++) {
		matcher_clauses_free(m->pcl[p].cl, m->pcl[p].n);
		free(m->order[p].lit);
	}
	free(m->order);
	free(m->pcl);
	free(m->gate);
	free(m->rule_lit);
	free(m->jitted);
	free(m->names);
	free(m->rule_pat);
	free(m->base_rules);
	free(m->all_rules);
	free(m->want);
	free(m->catch_rules);
	free(m->rule_cat);
	free(m->scope_at);
	free(m->scope);
	free(m->matched_at);
	buf_free(&m->sample);
	free(m->sample_len);
	if (m->md != NULL)
		pcre2_match_data_free(m->md);
	if (m->mctx != NULL)
		pcre2_match_context_free(m->mctx);
	if (m->jit != NULL)
		pcre2_jit_stack_free(m->jit);
	free(m);
}

const struct matcher_stats *
matcher_stats(const struct matcher *m)
{
	return &m->stats;
}

/*
 * 1 match, else 0.  A limit hit or other PCRE2 failure is counted and
 * is no match: a pattern that fails vetoes nothing and ends no rule, so
 * the prefilter, which skips only patterns that cannot match, never
 * changes an answer.  *jitted says whether code was JIT-compiled yet: 0
 * not tried, 1 compiled, 2 the JIT failed (or is not there) and it runs
 * interpreted.
 */
static int
run_pattern(struct matcher *m, pcre2_code *code, uint8_t *jitted,
    const char *text, size_t len)
{
	int rc;

	m->stats.regex_runs++;
	if (*jitted == 0)
		*jitted = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0 ? 1 : 2;
	/* the JIT's own entry skips pcre2_match's checks of what never varies here */
	if (*jitted == 1)
		rc = pcre2_jit_match(code, (PCRE2_SPTR)text, len, 0, 0, m->md,
		    m->mctx);
	else
		rc = pcre2_match(code, (PCRE2_SPTR)text, len, 0, 0, m->md,
		    m->mctx);
	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH)
		m->stats.regex_errors++;
	return 0;
}

static void
fill_fields(const pcre2_code *code, struct pat_names *nm,
    pcre2_match_data *md, const char *text, struct match *out)
{
	PCRE2_SPTR e;
	PCRE2_SIZE *ov;
	uint32_t i, rc;
	unsigned num;
	size_t n;

	out->nfields = 0;
	if (!nm->known) {
		nm->known = 1;
		if (pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT,
		    &nm->count) != 0)
			nm->count = 0;
		if (nm->count > 0) {
			pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE,
			    &nm->size);
			pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE,
			    &nm->table);
		}
	}
	if (nm->count == 0)
		return;
	ov = pcre2_get_ovector_pointer(md);
	rc = pcre2_get_ovector_count(md);
	/* counted in a local: the stores to out would make nm's be reloaded */
	n = 0;
	e = nm->table;
	for (i = 0; i < nm->count && n < MATCHER_MAX_FIELDS; i++, e += nm->size) {
		num = ((unsigned)e[0] << 8) | e[1];
		if (num >= rc || ov[2 * num] == PCRE2_UNSET)
			continue;
		out->fields[n].name = (const char *)(e + 2);
		out->fields[n].value = text + ov[2 * num];
		out->fields[n].len = ov[2 * num + 1] - ov[2 * num];
		n++;
	}
	out->nfields = n;
}

static inline int
found_bit(const struct matcher *m, size_t k)
{
	return (m->found[k / 64] >> (k % 64)) & 1;
}

/*
 * Does text hold a literal of every clause of pattern p (of those still
 * checked) past its gate, which want_pats says holds?
 */
static int
clauses_hold(struct matcher *m, size_t p, const char *text, size_t len)
{
	struct req_clause *c;
	struct req_lit *l;
	size_t i, j;
	int fail;

	for (i = m->pat_clause[p] + 1; i < m->pat_clause[p + 1]; i++) {
		c = &m->clause[i];
		if (c->off)
			continue;
		for (j = 0; j < c->n; j++) {
			l = &m->req[c->first + j];
			if (l->k != SIZE_MAX ? found_bit(m, l->k) :
			    util_find(text, len, l->s, l->len) != NULL)
				break;
		}
		fail = j == c->n;
		/*
		 * A literal looked for and found moves up one: of a clause of
		 * twenty alternatives, the ones a log holds come to be looked
		 * for first.
		 */
		if (!fail && j > 0 && l->k == SIZE_MAX && l[-1].k == SIZE_MAX)
			req_swap(l - 1, l);
		if (c->nfind > 0) {
			c->fails += (uint32_t)fail;
			if (++c->checks == CLAUSE_TRIAL)
				c->off = (uint64_t)c->fails * CLAUSE_PAYS *
				    c->nfind < CLAUSE_TRIAL;
		}
		if (fail)
			return 0;
	}
	return 1;
}

/* Does text hold the literals of o in their order (or is o not checked)? */
static int
order_holds(struct pat_order *o, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *f;
	size_t i;
	int fail;

	if (o->n == 0 || o->off)
		return 1;
	/*
	 * Each literal found first after the one before it ends: if a
	 * match holds them in order, this finds each no later than the
	 * match does.
	 */
	for (i = 0; i < o->n; i++) {
		f = util_find(p, (size_t)(end - p), o->lit[i].s, o->lit[i].len);
		if (f == NULL)
			break;
		p = f + o->lit[i].len;
	}
	fail = i < o->n;
	o->fails += (uint32_t)fail;
	if (++o->checks == CLAUSE_TRIAL)
		o->off = (uint64_t)o->fails * CLAUSE_PAYS * o->n < CLAUSE_TRIAL;
	return !fail;
}

/* Does text hold n's literal, or is none known? */
static inline int
need_holds(const struct req_lit *n, const char *text, size_t len)
{
	return n->s == NULL || util_find(text, len, n->s, n->len) != NULL;
}

/*
 * Match one rule: 1 (out filled) or 0.  With p0 (where the rule's
 * patterns start in pat_clause, when the record was prefiltered; else
 * SIZE_MAX), a pattern that lacks every literal of one of its clauses,
 * its gate or another, is skipped.
 */
static int
match_rule(struct matcher *m, const struct rule *r, size_t p0, int filtered,
    uint8_t *jitted, const char *text, size_t len, struct match *out)
{
	const struct req_lit *xneed;
	size_t i;

	for (i = 0; i < r->nmatch; i++) {
		if (p0 != SIZE_MAX && (!(m->want_pats[(p0 + i) / 64] >>
		    (p0 + i) % 64 & 1) || !clauses_hold(m, p0 + i, text, len) ||
		    !order_holds(&m->order[p0 + i], text, len)))
			continue;
		if (run_pattern(m, r->match[i].code, jitted + i, text, len))
			break;
	}
	if (i == r->nmatch)
		return 0;
	fill_fields(r->match[i].code, m->names + (jitted - m->jitted) + i,
	    m->md, text, out);
	xneed = m->xneed + (jitted - m->jitted) + r->nmatch;
	for (i = 0; i < r->nexclude; i++) {
		if (filtered && !need_holds(&xneed[i], text, len))
			continue;
		if (run_pattern(m, r->exclude[i].code, jitted + r->nmatch + i,
		    text, len))
			return 0;
	}
	return 1;
}

int
matcher_excluded(struct matcher *m, const struct rule *r, const char *text,
    size_t len)
{
	uint8_t *jitted;
	const struct req_lit *xneed;
	size_t i;

	/* r must be a rule of the ruleset the matcher was made for */
	assert(r >= m->rs->rules && r < m->rs->rules + m->rs->n);
	jitted = m->jitted + m->rule_pat[r - m->rs->rules] + r->nmatch;
	xneed = m->xneed + (jitted - m->jitted);

	for (i = 0; i < r->nexclude; i++) {
		if (!need_holds(&xneed[i], text, len))
			continue;
		if (run_pattern(m, r->exclude[i].code, jitted + i, text, len))
			return 1;
	}
	return 0;
}

/*
 * The number of category name among the n of names, added if new.  A
 * rule set with mistakes may hold a rule without a category (rules check
 * still runs it): that is the category "".
 */
static size_t
category_number(const char ***names, size_t *n, const char *name)
{
	size_t i;

	if (name == NULL)
		name = "";
	for (i = 0; i < *n && strcmp((*names)[i], name) != 0; i++)
		;
	if (i == *n) {
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = name;
	}
	return i;
}

/*
 * Numbers the categories when some rule is a catch-all.  A rule set has
 * tens of rules and a few categories: a scan of the names is cheap.
 */
static void
catch_all_init(struct matcher *m)
{
	const struct ruleset *rs = m->rs;
	const struct rule *r;
	const char **names = NULL;
	size_t i, j, k, n = 0, nscope = 0;

	for (i = 0; i < rs->n; i++)
		nscope += rs->rules[i].ncatch_cats + 1;
	if (nscope == rs->n)
		return;
	m->catch_rules = xcalloc(m->rwords, sizeof *m->catch_rules);
	m->rule_cat = xcalloc(rs->n, sizeof *m->rule_cat);
	m->scope_at = xcalloc(rs->n + 1, sizeof *m->scope_at);
	m->scope = xcalloc(nscope, sizeof *m->scope);
	for (i = 0; i < rs->n; i++)
		m->rule_cat[i] = category_number(&names, &n,
		    rs->rules[i].category);
	for (i = 0, k = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		m->scope_at[i] = k;
		if (r->ncatch_cats == 0)
			continue;
		m->catch_rules[i / 64] |= UINT64_C(1) << (i % 64);
		m->scope[k++] = m->rule_cat[i];
		for (j = 0; j < r->ncatch_cats; j++)
			m->scope[k++] = category_number(&names, &n,
			    r->catch_cats[j]);
	}
	m->scope_at[rs->n] = k;
	/* records count from 1: 0 is no record */
	m->matched_at = xcalloc(n, sizeof *m->matched_at);
	free(names);
}

/* One rule, matched and reported; 1 if it matched. */
static int
run_rule(struct matcher *m, size_t i, const char *text, size_t len,
    matcher_fn fn, void *arg, int filtered)
{
	const struct rule *r;
	struct match out;

	/* the candidate bitsets hold no bit past the last rule */
	assert(i < m->rs->n);
	r = &m->rs->rules[i];
	if (r->levels != 0 && m->level >= 0 && !(r->levels & (1u << m->level)))
		return 0;
	if (!match_rule(m, r, filtered ? m->rule_lit[i] : SIZE_MAX, filtered,
	    m->jitted + m->rule_pat[i], text, len, &out))
		return 0;
	out.rule = &m->rs->rules[i];
	out.rule_index = (int)i;
	if (fn != NULL)
		fn(arg, &out);
	return 1;
}

/*
 * The candidate catch-all rules whose categories no rule matched the
 * record in, each match closing its own category to those after it.
 */
static int
run_catch_alls(struct matcher *m, const char *text, size_t len, matcher_fn fn,
    void *arg, int filtered)
{
	uint64_t w;
	size_t i, j, wi;
	int n = 0;

	for (wi = 0; wi < m->rwords; wi++) {
		for (w = m->want[wi] & m->catch_rules[wi]; w != 0; w &= w - 1) {
			i = wi * 64 + (size_t)__builtin_ctzll(w);
			for (j = m->scope_at[i]; j < m->scope_at[i + 1] &&
			    m->matched_at[m->scope[j]] != m->stats.records; j++)
				;
			if (j == m->scope_at[i + 1] &&
			    run_rule(m, i, text, len, fn, arg, filtered)) {
				m->matched_at[m->rule_cat[i]] = m->stats.records;
				n++;
			}
		}
	}
	return n;
}

/*
 * Run the record's candidate rules: with filtered, base_rules and those
 * the literals in found admit, else those already in want.  Out of line:
 * most records have no candidate, and need not pay for its frame.
 */
__attribute__((noinline))
static int
run_rules(struct matcher *m, const char *text, size_t len, matcher_fn fn,
    void *arg, int filtered)
{
	uint64_t w;
	const uint64_t *lr;
	size_t i, k, wi;
	int n = 0, any = 0;

	if (filtered) {
		for (i = 0; i < m->rwords; i++)
			m->want[i] = m->base_rules[i];
		for (i = 0; i < m->pwords; i++)
			m->want_pats[i] = 0;
		for (wi = 0; wi < m->fwords; wi++) {
			for (w = m->found[wi]; w != 0; w &= w - 1) {
				k = wi * 64 + (size_t)__builtin_ctzll(w);
				lr = m->lit_rules + k * m->rwords;
				for (i = 0; i < m->rwords; i++)
					m->want[i] |= lr[i];
				lr = m->lit_pats + k * m->pwords;
				for (i = 0; i < m->pwords; i++)
					m->want_pats[i] |= lr[i];
			}
		}
	}
	for (wi = 0; wi < m->rwords; wi++) {
		if (m->want[wi] != 0)
			any = 1;
		w = m->want[wi];
		if (m->catch_rules != NULL)
			w &= ~m->catch_rules[wi];
		for (; w != 0; w &= w - 1) {
			i = wi * 64 + (size_t)__builtin_ctzll(w);
			if (!run_rule(m, i, text, len, fn, arg, filtered))
				continue;
			n++;
			if (m->matched_at != NULL)
				m->matched_at[m->rule_cat[i]] = m->stats.records;
		}
	}
	if (m->catch_rules != NULL)
		n += run_catch_alls(m, text, len, fn, arg, filtered);
	if (any)
		m->stats.candidates++;
	return n;
}

/* A record to learn from, until LEARN_BYTES of them; the first builds the index. */
__attribute__((noinline))
static void
learn(struct matcher *m, const char *text, size_t len)
{
	if (!m->indexed)
		index_init(m);
	buf_append(&m->sample, text, len);
	m->sample_len = xrealloc(m->sample_len,
	    (m->nsample + 1) * sizeof *m->sample_len);
	m->sample_len[m->nsample++] = len;
	m->learned += len;
	if (m->learned >= LEARN_BYTES)
		learned(m);
}

int
matcher_run(struct matcher *m, const char *text, size_t len, int level,
    matcher_fn fn, void *arg)
{
	m->stats.records++;
	m->level = level;
	if (m->learned < LEARN_BYTES)
		learn(m, text, len);
	if (prefilter_scan(m->pf, text, len, m->found) == 0 && !m->always)
		return 0;
	return run_rules(m, text, len, fn, arg, 1);
}

int
matcher_run_rule(struct matcher *m, size_t rule_index, const char *text,
    size_t len, int level, matcher_fn fn, void *arg)
{
	if (rule_index >= m->rs->n)
		return 0;
	m->stats.records++;
	m->level = level;
	return run_rule(m, rule_index, text, len, fn, arg, 0);
}

int
matcher_run_unfiltered(struct matcher *m, const char *text, size_t len,
    int level, matcher_fn fn, void *arg)
{
	m->stats.records++;
	m->level = level;
	memcpy(m->want, m->all_rules, m->rwords * sizeof(*m->want));
	return run_rules(m, text, len, fn, arg, 0);
}

/*
 * Literal extraction.  The walk below only ever shortens or drops what it
 * collects when in doubt: a literal that is wrong would hide matches,
 * while a missing one only costs speed.
 */

/* Length of a bracket class starting at p ('['), or 0 if unsure. */
static size_t
class_len(const char *p)
{
	const char *q = p + 1;

	if (*q == '^')
		q++;
	if (*q == ']')
		q++;
	while (*q != '\0' && *q != ']') {
		if (*q == '\\') {
			if (q[1] == '\0' || q[1] == 'Q' || q[1] == 'E')
				return 0;
			q += 2;
			continue;
		}
		if (*q == '[' && q[1] == ':') {
			const char *e = strstr(q + 2, ":]");

			if (e == NULL)
				return 0;
			q = e + 2;
			continue;
		}
		q++;
	}
	if (*q != ']')
		return 0;
	return (size_t)(q - p) + 1;
}

/* Length of a group starting at p ('('), classes and escapes respected; 0 if unsure. */
static size_t
group_len(const char *p)
{
	const char *q = p;
	size_t depth = 0, c;

	while (*q != '\0') {
		if (*q == '\\') {
			if (q[1] == '\0' || q[1] == 'Q')
				return 0;
			q += 2;
			continue;
		}
		if (*q == '[') {
			if ((c = class_len(q)) == 0)
				return 0;
			q += c;
			continue;
		}
		if (*q == '(') {
			/* (?#comment) may hold anything but ')' */
			if (q[1] == '?' && q[2] == '#') {
				const char *e = strchr(q, ')');

				if (e == NULL)
					return 0;
				q = e + 1;
				if (depth == 0)
					return (size_t)(q - p);
				continue;
			}
			depth++;
		} else if (*q == ')') {
			if (depth == 0)
				return 0;
			if (--depth == 0)
				return (size_t)(q - p) + 1;
		}
		q++;
	}
	return 0;
}

/* A quantifier at p: sets *optional when it allows zero; returns its length or 0. */
static size_t
quant_len(const char *p, int *optional, int *unsure)
{
	const char *q;
	size_t n;

	*optional = 0;
	*unsure = 0;
	if (*p == '?' || *p == '*')
		*optional = 1;
	if (*p == '?' || *p == '*' || *p == '+') {
		n = 1;
	} else if (*p == '{') {
		q = p + 1;
		if (!isdigit((unsigned char)*q)) {
			/* "{,n}" is a quantifier in newer PCRE2: trust nothing */
			*unsure = 1;
			return 0;
		}
		*optional = 1;
		while (isdigit((unsigned char)*q)) {
			if (*q != '0')
				*optional = 0;
			q++;
		}
		if (*q == ',') {
			q++;
			while (isdigit((unsigned char)*q))
				q++;
		}
		if (*q != '}') {
			*unsure = 1;
			return 0;
		}
		n = (size_t)(q - p) + 1;
	} else {
		return 0;
	}
	if (p[n] == '?' || p[n] == '+')
		n++;
	return n;
}

/* The escape at p ('\\'): its literal byte in *c (or -1 for an atom); length, 0 if unsure. */
static size_t
escape_len(const char *p, int *c)
{
	unsigned char e = (unsigned char)p[1];

	*c = -1;
	if (e == '\0')
		return 0;
	if (!isalnum(e)) {
		*c = e;
		return 2;
	}
	switch (e) {
	case 'n':
		*c = '\n';
		return 2;
	case 't':
		*c = '\t';
		return 2;
	case 'r':
		*c = '\r';
		return 2;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V': case 'R': case 'b':
	case 'B': case 'A': case 'z': case 'Z': case 'G':
		return 2;
	default:
		/* \x, \p, \k, \g, backreferences, \Q...: not worth the risk */
		return 0;
	}
}

struct lit_run {
	struct buf		 cur;
	char			*best;
	size_t			 bestlen;
	int			 want_clauses;	/* also collect every run and alternation */
	struct matcher_clause	*clauses;
	size_t			 nclauses;
};

static void
clause_add(struct lit_run *lr, char **lits, size_t n)
{
	lr->clauses = xrealloc(lr->clauses,
	    (lr->nclauses + 1) * sizeof *lr->clauses);
	lr->clauses[lr->nclauses].lits = lits;
	lr->clauses[lr->nclauses].n = n;
	lr->nclauses++;
}

static void
run_close(struct lit_run *lr)
{
	char **one;

	if (lr->want_clauses && lr->cur.len >= MIN_LITERAL) {
		one = xmalloc(sizeof *one);
		one[0] = xstrndup(lr->cur.data, lr->cur.len);
		clause_add(lr, one, 1);
	}
	if (lr->cur.len > lr->bestlen) {
		free(lr->best);
		lr->best = xstrndup(lr->cur.data, lr->cur.len);
		lr->bestlen = lr->cur.len;
	}
	buf_reset(&lr->cur);
}

/*
 * The first '|' of p outside every group and class, or NULL; *unsure set
 * when p could not be walked (then treat it as having one).
 */
static const char *
top_level_bar(const char *p, int *unsure)
{
	size_t n;

	*unsure = 0;
	while (*p != '\0') {
		if (*p == '\\') {
			if (p[1] == '\0')
				break;
			p += 2;
		} else if (*p == '[') {
			if ((n = class_len(p)) == 0)
				break;
			p += n;
		} else if (*p == '(') {
			if ((n = group_len(p)) == 0)
				break;
			p += n;
		} else if (*p == '|') {
			return p;
		} else {
			p++;
		}
	}
	*unsure = *p != '\0';
	return NULL;
}

/* True if the pattern has '|' outside every group and class. */
static int
top_level_alternation(const char *p)
{
	int unsure;

	return top_level_bar(p, &unsure) != NULL || unsure;
}

static int flags_unsafe(const char *p, int *is_setting);

/*
 * A group that must match once and holds alternatives: when every
 * alternative has a required literal, a match holds one of them, a
 * clause.  inner is the group's text without its header and ')'.
 */
static void
alternation_clause(const char *inner, struct lit_run *lr)
{
	const char *p = inner, *bar;
	char **lits = NULL, *branch;
	size_t n = 0, i;
	int unsure, setting;

	/* a flag set in one alternative holds in the ones after it */
	for (bar = strstr(inner, "(?"); bar != NULL; bar = strstr(bar + 2, "(?"))
		if (flags_unsafe(bar, &setting) == 1)
			return;
	for (;;) {
		bar = top_level_bar(p, &unsure);
		if (unsure)
			break;
		branch = xstrndup(p, bar != NULL ? (size_t)(bar - p) : strlen(p));
		lits = xrealloc(lits, (n + 1) * sizeof *lits);
		lits[n] = matcher_required_literal(branch);
		free(branch);
		if (lits[n++] == NULL)
			break;
		if (bar == NULL) {
			clause_add(lr, lits, n);
			return;
		}
		p = bar + 1;
	}
	for (i = 0; i < n; i++)
		free(lits[i]);
	free(lits);
}

/* "(?flags)" or "(?flags:" at p: 1 for flags that change what a literal means. */
static int
flags_unsafe(const char *p, int *is_setting)
{
	const char *q = p + 2;
	int unsafe = 0;

	*is_setting = 0;
	while (*q != '\0' && *q != ')' && *q != ':') {
		if (strchr("imnsxJU^-", *q) == NULL)
			return -1;	/* not a flag group at all */
		if (*q == 'i' || *q == 'x' || *q == '^')
			unsafe = 1;
		q++;
	}
	if (*q == ')')
		*is_setting = 1;
	else if (*q != ':')
		return -1;
	return unsafe;
}

/*
 * Length of the header of a group that only groups or captures ("(",
 * "(?:", "(?<name>", "(?P<name>", "(?'name'"), or 0 for any other kind.
 */
static size_t
plain_group_header(const char *p)
{
	const char *q;

	if (p[1] != '?')
		return 1;
	if (p[2] == ':')
		return 3;
	q = p + 2;
	if (*q == 'P')
		q++;
	if (*q == '<' || *q == '\'') {
		if (q[1] == '=' || q[1] == '!')
			return 0;
		q++;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (*q == '>' || *q == '\'')
			return (size_t)(q - p) + 1;
	}
	return 0;
}

static int extract(const char *pattern, struct lit_run *lr);

/*
 * A group that must match exactly once and holds no alternation is part of
 * the concatenation: walk into it.  Returns -1 when the walk must stop.
 */
static int
walk_group(const char *p, size_t n, struct lit_run *lr)
{
	size_t h = plain_group_header(p), q;
	int optional, unsure;
	char *inner;
	int rc;

	q = quant_len(p + n, &optional, &unsure);
	if (h == 0 || q > 0 || unsure) {
		run_close(lr);
		return unsure ? -1 : 0;
	}
	inner = xstrndup(p + h, n - h - 1);
	if (top_level_alternation(inner)) {
		run_close(lr);
		if (lr->want_clauses)
			alternation_clause(inner, lr);
		free(inner);
		return 0;
	}
	rc = extract(inner, lr);
	free(inner);
	return rc;
}

/* Walk a concatenation, adding certain runs to lr; -1 if it had to stop early. */
static int
extract(const char *pattern, struct lit_run *lr)
{
	const char *p = pattern;
	size_t n, q;
	int c, optional, unsure, setting, fu;

	while (*p != '\0') {
		c = -1;
		if (*p == '(') {
			if (p[1] == '?' && (fu = flags_unsafe(p, &setting)) >= 0 &&
			    setting) {
				if (fu)
					return -1;
				p = strchr(p, ')') + 1;
				continue;
			}
			if ((n = group_len(p)) == 0)
				return -1;
			if (walk_group(p, n, lr) < 0)
				return -1;
			p += n;
			/* whatever follows the group is not adjacent to a run inside it */
			run_close(lr);
			q = quant_len(p, &optional, &unsure);
			if (unsure)
				return -1;
			p += q;
			continue;
		}
		if (*p == '[') {
			if ((n = class_len(p)) == 0)
				return -1;
			run_close(lr);
			p += n;
		} else if (*p == '\\') {
			if ((n = escape_len(p, &c)) == 0)
				return -1;
			if (c < 0)
				run_close(lr);
			p += n;
		} else if (*p == '.' || *p == '^' || *p == '$') {
			run_close(lr);
			p++;
		} else if (*p == '?' || *p == '*' || *p == '+' || *p == '{' ||
		    *p == ')' || *p == '|') {
			/* a quantifier with nothing literal before it */
			q = quant_len(p, &optional, &unsure);
			if (q == 0)
				return -1;
			p += q;
			continue;
		} else {
			c = (unsigned char)*p;
			p++;
		}
		/* a quantifier applies to the atom just read */
		q = quant_len(p, &optional, &unsure);
		if (unsure)
			return -1;
		if (c >= 0 && !optional)
			buf_putc(&lr->cur, (char)c);
		if (q > 0) {
			run_close(lr);
			p += q;
		}
	}
	return 0;
}

/*
 * matcher_required_literal's literal and, with cl, matcher_pattern_clauses'
 * clauses, in one walk.
 */
static char *
pattern_walk(const char *pattern, struct matcher_clause **cl, size_t *ncl)
{
	struct lit_run lr;

	if (cl != NULL) {
		*cl = NULL;
		*ncl = 0;
	}
	/* verbs such as (*ACCEPT) can end a match before the rest of the pattern */
	if (pattern == NULL || strstr(pattern, "(*") != NULL ||
	    top_level_alternation(pattern))
		return NULL;
	memset(&lr, 0, sizeof(lr));
	buf_init(&lr.cur);
	lr.want_clauses = cl != NULL;
	/* a stop mid-run keeps the run: every byte in it was certain */
	(void)extract(pattern, &lr);
	run_close(&lr);
	buf_free(&lr.cur);
	if (cl != NULL) {
		*cl = lr.clauses;
		*ncl = lr.nclauses;
	}
	if (lr.bestlen < MIN_LITERAL) {
		free(lr.best);
		return NULL;
	}
	return lr.best;
}

char *
matcher_required_literal(const char *pattern)
{
	return pattern_walk(pattern, NULL, NULL);
}

struct matcher_clause *
matcher_pattern_clauses(const char *pattern, size_t *n)
{
	struct matcher_clause *cl;

	free(pattern_walk(pattern, &cl, n));
	return cl;
}

void
matcher_clauses_free(struct matcher_clause *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		matcher_literals_free(c[i].lits, c[i].n);
	free(c);
}

/*
 * matcher_rule_literals, and with cl (r->nmatch long) each pattern's
 * clauses, which the caller frees.
 */
static char **
rule_walk(const struct rule *r, size_t *n, struct pattern_clauses *cl)
{
	char **lits = xcalloc(r->nmatch > 0 ? r->nmatch : 1, sizeof *lits);
	size_t j;

	for (j = 0; j < r->nmatch; j++) {
		lits[j] = pattern_walk(r->match[j].source,
		    cl != NULL ? &cl[j].cl : NULL, cl != NULL ? &cl[j].n : NULL);
		if (lits[j] == NULL) {
			matcher_literals_free(lits, j);
			*n = 0;
			return NULL;
		}
	}
	if (j == 0) {
		free(lits);
		lits = NULL;
	}
	*n = j;
	return lits;
}

char **
matcher_rule_literals(const struct rule *r, size_t *n)
{
	return rule_walk(r, n, NULL);
}

void
matcher_literals_free(char **lits, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		free(lits[j]);
	free(lits);
}
