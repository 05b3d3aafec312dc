/*
 * matcher.h - run a ruleset over record text: a cheap literal prefilter so
 * most records never reach a regex, then PCRE2 JIT under match and depth
 * limits; named groups become fields.  Knows nothing about SQL or screens.
 */
#ifndef LOGTRIAGE_MATCHER_H
#define LOGTRIAGE_MATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define MATCHER_MAX_FIELDS 16

struct match_field {
	const char	*name;		/* the group's name, owned by the matcher */
	const char	*value;		/* points into the text */
	size_t		 len;
};

struct match {
	const struct rule	*rule;
	int			 rule_index;
	struct match_field	 fields[MATCHER_MAX_FIELDS];
	size_t			 nfields;
};

struct matcher_stats {
	uint64_t	records;	/* records examined */
	uint64_t	candidates;	/* records that passed the prefilter */
	uint64_t	regex_errors;	/* match/depth limit hit or other PCRE2 failure */
	uint64_t	regex_runs;	/* regexes run, match and exclude patterns */
};

/* Called once per rule that matches, in rule order.  m is valid during the call. */
typedef void (*matcher_fn)(void *arg, const struct match *m);

struct matcher;

/*
 * rs must outlive the matcher.  The matcher JIT-compiles rs's patterns as
 * it first runs them, so matchers of one ruleset run in one thread; it
 * reads their literals and builds its prefilter on its first record.
 * Returns NULL with err on failure.
 */
struct matcher *matcher_new(const struct ruleset *rs, char *err, size_t errlen);
void matcher_free(struct matcher *m);

/*
 * Returns the number of matching rules.  level is the record's severity
 * (SEV_DEBUG ..), or negative when none could be read: rules with
 * `levels` that leave it out are not run.
 */
int matcher_run(struct matcher *m, const char *text, size_t len, int level,
    matcher_fn fn, void *arg);

/*
 * Run one rule's full regexes alone, bypassing the prefilter: what its
 * patterns cost on text (rules check).  Returns 1 if it matched; fn, if
 * not NULL, is called then.
 */
int matcher_run_rule(struct matcher *m, size_t rule_index, const char *text,
    size_t len, int level, matcher_fn fn, void *arg);

/* Run every rule's full regexes, bypassing the prefilter (property tests). */
int matcher_run_unfiltered(struct matcher *m, const char *text, size_t len,
    int level, matcher_fn fn, void *arg);

/*
 * Does an exclude pattern of r match text?  For the rules that take records
 * by their level (no match pattern); a PCRE2 failure is counted and vetoes
 * nothing, as in matcher_run.
 */
int matcher_excluded(struct matcher *m, const struct rule *r, const char *text,
    size_t len);

const struct matcher_stats *matcher_stats(const struct matcher *m);

/*
 * The longest literal that every match of pattern must contain, taken only
 * from the pattern's top-level concatenation (outside groups, classes,
 * alternations and optional atoms; nothing after a caseless or extended
 * flag).  Returns a string the caller frees, or NULL when no literal of at
 * least 3 bytes can be derived safely.
 */
char *matcher_required_literal(const char *pattern);

/*
 * What every match of pattern must contain, as clauses: a match holds at
 * least one literal of each.  A clause is one literal (a run of at least
 * 3 bytes of the top-level concatenation, as matcher_required_literal
 * finds them) or the alternatives of a group that must match once, one
 * literal from each.  They come in the order a match holds them: the
 * literal it holds of one clause ends before that of the next starts.
 * *n of them, NULL when none; free with matcher_clauses_free.
 */
struct matcher_clause {
	char	**lits;
	size_t	  n;
};

struct matcher_clause *matcher_pattern_clauses(const char *pattern, size_t *n);
void matcher_clauses_free(struct matcher_clause *c, size_t n);

/*
 * The literals the prefilter admits r by until it has learned: one per
 * match pattern, that of matcher_required_literal, in pattern order, *n
 * of them.  When some pattern has none the rule is a candidate for every
 * record: NULL, *n 0.  Free with matcher_literals_free.
 */
char **matcher_rule_literals(const struct rule *r, size_t *n);
void matcher_literals_free(char **lits, size_t n);

#endif
