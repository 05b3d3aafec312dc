/*
 * test_matcher.c - the matcher: literal extraction, the prefilter never
 * hiding a match (every default rule over a fixture of varied lines),
 * fields from named groups, exclude, the PCRE2 limits on a catastrophic
 * pattern, and one rule run alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "matcher.h"
#include "rules.h"
#include "util.h"

static char tmpdir[64];

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lt-matcher-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static const char *
top(void)
{
	const char *t = getenv("TOP");

	return t != NULL ? t : ".";
}

static struct ruleset *
load_text(const char *text)
{
	char *path = xasprintf("%s/t.rules", tmpdir);
	const char *paths[1] = { path };
	struct diag_list d;
	struct ruleset *rs;
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	memset(&d, 0, sizeof d);
	rs = ruleset_load(paths, 1, &d);
	if (d.n > 0)
		diag_print(stderr, &d);
	assert_int_equal(d.n, 0);
	diag_list_free(&d);
	free(path);
	return rs;
}

static void
check_literal(const char *pattern, const char *want)
{
	char *got = matcher_required_literal(pattern);

	if (want == NULL) {
		if (got != NULL)
			fail_msg("%s: expected no literal, got \"%s\"", pattern, got);
	} else {
		if (got == NULL)
			fail_msg("%s: expected \"%s\", got none", pattern, want);
		assert_string_equal(got, want);
	}
	free(got);
}

static void
test_required_literal(void **state)
{
	check_literal("Retrying request to (?<p>\\S+)", "Retrying request to ");
	check_literal("abc|defgh", NULL);
	check_literal("(?:abc|def)ghij", "ghij");
	check_literal("abcd?efgh", "efgh");		/* d is optional */
	check_literal("abcde*fg", "abcd");
	check_literal("abcde+fg", "abcde");
	check_literal("abcd{0,2}xy", "abc");
	check_literal("abcd{2}xy", "abcd");
	check_literal("ab{,2}cdef", NULL);		/* newer PCRE2 quantifier */
	check_literal("exact(?i)CASELESS", "exact");
	check_literal("(?i)caseless only", NULL);
	check_literal("(?m)^Traceback \\(most recent", "Traceback (most recent");
	check_literal("a\\.b\\.c\\d+more", "a.b.c");
	check_literal("x[abc]yyyy", "yyyy");
	check_literal("x[]a]yyyy", "yyyy");
	check_literal("(?<peer>[0-9.]+): sent 1011", ": sent 1011");
	check_literal("'(?<m>x)'-sep(?:inner-literal)", "'-sepinner-literal");
	check_literal("(?:optional-group)?tail", "tail");
	check_literal("ab(*ACCEPT)cdefgh", NULL);
	check_literal("abc\\Qdef\\E", "abc");
	check_literal("ab\\x41defg", NULL);		/* stops at \\x */
	check_literal("(?=lookahead)abc", "abc");
	check_literal("abc(?x) d e f", "abc");
	check_literal("line\\none", "line\none");
	check_literal("ab", NULL);			/* too short to help */
}

/* matcher_pattern_clauses as "{a|b} {c}". */
static void
check_clauses(const char *pattern, const char *want)
{
	struct matcher_clause *cl;
	struct buf got;
	size_t n, i, j;

	buf_init(&got);
	cl = matcher_pattern_clauses(pattern, &n);
	for (i = 0; i < n; i++) {
		buf_puts(&got, i > 0 ? " {" : "{");
		for (j = 0; j < cl[i].n; j++)
			buf_printf(&got, "%s%s", j > 0 ? "|" : "", cl[i].lits[j]);
		buf_puts(&got, "}");
	}
	if (strcmp(got.data != NULL ? got.data : "", want) != 0)
		fail_msg("%s: expected %s, got %s", pattern, want,
		    got.data != NULL ? got.data : "");
	matcher_clauses_free(cl, n);
	buf_free(&got);
}

/*
 * Every run of the concatenation is a clause, and so is a group of
 * alternatives that must match once when each has a literal; whatever
 * could change what a literal means leaves it out.
 */
static void
test_pattern_clauses(void **state)
{
	check_clauses("\\[[A-Z_]+\\] [A-Z]+ (?<op>\\S+::\\S+) \\(\\d+ bytes, "
	    "(?<ms>\\d+(?:\\.\\d+)?)ms\\)", "{ bytes, } {ms)}");
	check_clauses("(?<p>GLM|Kimi|KIMI) stream(?:ing)? (?:request |call )?"
	    "(?:timed out|timeout)", "{GLM|Kimi|KIMI} { stream} {timed out|timeout}");
	/* an optional group, or one alternative without a literal: no clause */
	check_clauses("(?:abc|def)?ghij", "{ghij}");
	check_clauses("(?:abc|d+)ghij", "{ghij}");
	check_clauses("(?:abc|)ghij", "{ghij}");
	/* a flag set in one alternative holds in the next ones */
	check_clauses("(?:abc(?i)x|def)ghij", "{ghij}");
	check_clauses("(?:abc(?s)x|def)ghij", "{abcx|def} {ghij}");
	/* nested: a branch gives its longest literal */
	check_clauses("(?:xy(?:1|2)zzzz|wwww)end", "{zzzz|wwww} {end}");
	check_clauses("abc|defgh", "");
	check_clauses("(?i)abcdef", "");
	check_clauses("abcd(?i)(?:efg|hij)", "{abcd}");
	check_clauses("ab(*ACCEPT)cdefgh", "");
	check_clauses("ab", "");
}

struct collect {
	int	hits[128];
	int	n;
	char	fields[512];
};

static void
collect_fn(void *arg, const struct match *m)
{
	struct collect *c = arg;
	size_t i, len;

	c->hits[m->rule_index]++;
	c->n++;
	for (i = 0; i < m->nfields; i++) {
		len = strlen(c->fields);
		snprintf(c->fields + len, sizeof(c->fields) - len, "%s%s=%.*s",
		    len ? " " : "", m->fields[i].name, (int)m->fields[i].len,
		    m->fields[i].value);
	}
}

/* Run line through both paths: the answers agree, and are want. */
static void
both_paths(struct matcher *m, const char *line, int want, const char *fields)
{
	struct collect a, b;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	assert_int_equal(matcher_run(m, line, strlen(line), -1, collect_fn, &a),
	    want);
	assert_int_equal(matcher_run_unfiltered(m, line, strlen(line), -1,
	    collect_fn, &b), want);
	assert_string_equal(a.fields, b.fields);
	assert_string_equal(a.fields, fields);
}

/*
 * Run lines through both paths of m 100 times: each matches where its
 * fields (as collect_fn writes them) are not empty, with those fields.
 */
static void
run_both(struct matcher *m, const char *const *lines,
    const char *const *fields, size_t n)
{
	size_t i;
	int k;

	for (k = 0; k < 100; k++)
		for (i = 0; i < n; i++)
			both_paths(m, lines[i], fields[i][0] != 0, fields[i]);
}

/*
 * run_both on a matcher of rules alone, then the regex runs of both
 * paths together are runs.
 */
static void
run_both_counted(const char *rules, const char *const *lines,
    const char *const *fields, size_t n, uint64_t runs)
{
	struct ruleset *rs = load_text(rules);
	struct matcher *m;
	char err[128];

	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	run_both(m, lines, fields, n);
	assert_int_equal(matcher_stats(m)->regex_runs, runs);
	matcher_free(m);
	ruleset_free(rs);
}

/* What running a fixture through both matcher paths saw. */
struct property {
	size_t	lines;
	size_t	total;			/* matches */
	int	per_rule[128];
	int	fewer_candidates;	/* the prefilter let fewer records through */
};

/*
 * Run every line of a fixture through the default rules twice, with the
 * prefilter and with every full regex, and fail on the first line where
 * a rule's hit or a field differs (and, with every_rule, when a default
 * rule never matched).
 */
static void
prefilter_property(const char *fixture_name, int every_rule,
    struct property *out)
{
	char *dir = xasprintf("%s/rules", top());
	char *fixture = xasprintf("%s/tests/fixtures/rules/%s", top(),
	    fixture_name);
	const char *paths[1] = { dir };
	struct diag_list d;
	struct ruleset *rs;
	struct matcher *m;
	struct collect a, b;
	char err[128], *line = NULL;
	size_t cap = 0, i;
	ssize_t n;
	FILE *fp;

	memset(out, 0, sizeof *out);
	memset(&d, 0, sizeof d);
	rs = ruleset_load(paths, 1, &d);
	assert_int_equal(d.n, 0);
	assert_true(rs->n <= 128);	/* the size of hits[] and per_rule[] */
	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	fp = fopen(fixture, "r");
	assert_non_null(fp);
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		matcher_run(m, line, (size_t)n, -1, collect_fn, &a);
		matcher_run_unfiltered(m, line, (size_t)n, -1, collect_fn, &b);
		for (i = 0; i < rs->n; i++) {
			if (a.hits[i] != b.hits[i])
				fail_msg("rule %s: prefilter %d, full regex %d on: %s",
				    rs->rules[i].id, a.hits[i], b.hits[i], line);
			out->per_rule[i] += a.hits[i];
		}
		assert_string_equal(a.fields, b.fields);
		out->total += (size_t)a.n;
		out->lines++;
	}
	fclose(fp);
	free(line);
	assert_int_equal(matcher_stats(m)->regex_errors, 0);
	for (i = 0; every_rule && i < rs->n; i++)
		if (out->per_rule[i] == 0 && rs->rules[i].by_level == 0)
			fail_msg("rule %s never matched in %s", rs->rules[i].id,
			    fixture_name);
	out->fewer_candidates =
	    matcher_stats(m)->candidates < matcher_stats(m)->records;
	matcher_free(m);
	ruleset_free(rs);
	free(dir);
	free(fixture);
}

/*
 * The same property over a generated corpus slice (tools/gen_corpus.c
 * --seed 5 --size 240K --envelope plain --storms 1 --leak-rate 0.1
 * --timeout-rate 0.4): realistic volumes of near misses, every line
 * through both paths.
 */
static void
test_prefilter_corpus(void **state)
{
	struct property p;

	prefilter_property("corpus-slice.log", 0, &p);
	assert_int_equal(p.lines, 1977);
	assert_int_equal(p.total, 528);
}

static void
test_prefilter_property(void **state)
{
	struct property p;

	prefilter_property("property-lines.txt", 1, &p);
	assert_int_equal(p.lines, 450);
	assert_int_equal(p.total, 223);
	assert_true(p.fewer_candidates);
}

/* A rule's literals: one per match pattern, or none when one pattern has none. */
static void
test_rule_literals(void **state)
{
	struct ruleset *rs = load_text(
	    "[two]\ncategory = x\nseverity = info\n"
	    "match = Retrying request to (?<p>\\S+)\nmatch = (?:ab|cd)efgh\n"
	    "[open]\ncategory = x\nseverity = info\n"
	    "match = Retrying request to\nmatch = \\d+ms\n");
	char **lits;
	size_t n;

	lits = matcher_rule_literals(ruleset_find(rs, "two"), &n);
	assert_int_equal(n, 2);
	assert_string_equal(lits[0], "Retrying request to ");
	assert_string_equal(lits[1], "efgh");
	matcher_literals_free(lits, n);
	lits = matcher_rule_literals(ruleset_find(rs, "open"), &n);
	assert_int_equal(n, 0);
	assert_null(lits);
	/* the rules that take records by level have no pattern */
	lits = matcher_rule_literals(ruleset_find(rs, RULE_LOG_ERROR), &n);
	assert_int_equal(n, 0);
	assert_null(lits);
	ruleset_free(rs);
}

static void
test_fields_and_exclude(void **state)
{
	struct ruleset *rs = load_text(
	    "[lat]\ncategory = latency\nseverity = info\n"
	    "match = 'ms': (?<ms>\\d+)(?:, 'model': '(?<model>[^']+)')?\n"
	    "exclude = 'test': True\n"
	    "[any]\ncategory = x\nseverity = info\n"
	    "match = (?<word>'ms')\n");
	struct matcher *m;
	struct collect c;
	char err[128];
	const char *t1 = "{'ms': 812, 'model': 'glm-4.6'}";
	const char *t2 = "{'ms': 90}";
	const char *t3 = "{'ms': 90, 'test': True}";

	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run(m, t1, strlen(t1), -1, collect_fn, &c), 2);
	assert_string_equal(c.fields, "model=glm-4.6 ms=812 word='ms'");
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run(m, t2, strlen(t2), -1, collect_fn, &c), 2);
	/* the unset model group is omitted */
	assert_string_equal(c.fields, "ms=90 word='ms'");
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run(m, t3, strlen(t3), -1, collect_fn, &c), 1);
	assert_int_equal(c.hits[0], 0);
	assert_int_equal(c.hits[1], 1);
	assert_int_equal(matcher_stats(m)->records, 3);
	/* the exclude ran on t3 alone: t1 and t2 lack its "'test': True" */
	assert_int_equal(matcher_stats(m)->regex_runs, 3 * 2 + 1);
	/* unfiltered, it runs wherever lat matched, with the same answers */
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run_unfiltered(m, t2, strlen(t2), -1, collect_fn,
	    &c), 2);
	assert_int_equal(matcher_stats(m)->regex_runs, 3 * 2 + 1 + 3);
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run_unfiltered(m, t3, strlen(t3), -1, collect_fn,
	    &c), 1);
	assert_int_equal(c.hits[0], 0);
	matcher_free(m);
	ruleset_free(rs);
}

/* Rule indexes in the order the matcher reported them. */
struct order {
	int	idx[16];
	int	n;
};

static void
order_fn(void *arg, const struct match *m)
{
	struct order *o = arg;

	if (o->n < 16)
		o->idx[o->n] = m->rule_index;
	o->n++;
}

/*
 * Catch-alls run after the other rules: one takes a record only when no
 * rule of its scope (its category and those it lists) matched it, and
 * its own match closes its category to the catch-alls after it.
 */
static void
test_catch_all(void **state)
{
	struct ruleset *rs = load_text(
	    "[any-timeout]\ncategory = t\nseverity = error\n"
	    "catch-all = t, ws\nmatch = timed out\n"
	    "[tool-timeout]\ncategory = t\nseverity = error\n"
	    "match = tool \\w+ timed out\n"
	    "[pong]\ncategory = ws\nseverity = warning\n"
	    "match = timed out waiting for pong\n"
	    "[any-retry]\ncategory = t\nseverity = info\n"
	    "catch-all = t\nmatch = retrying\n"
	    "[err]\ncategory = e\nseverity = error\nmatch = failed\n");
	struct matcher *m;
	struct order o;
	char err[128];
	static const struct {
		const char	*text;
		int		 n, idx[2];
	} cases[] = {
		{ "request timed out", 1, { 0 } },
		/* a rule of its category took it */
		{ "tool chat timed out", 1, { 1 } },
		/* a rule of a category it lists took it */
		{ "timed out waiting for pong", 1, { 2 } },
		/* the first catch-all that matches closes the category */
		{ "call timed out, retrying", 1, { 0 } },
		{ "connection lost, retrying", 1, { 3 } },
		/* a category it does not list leaves it be */
		{ "job failed: timed out", 2, { 4, 0 } },
		{ "nothing here", 0, { 0 } },
	};
	size_t i;
	int j;

	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&o, 0, sizeof o);
		assert_int_equal(matcher_run(m, cases[i].text,
		    strlen(cases[i].text), -1, order_fn, &o), cases[i].n);
		assert_int_equal(o.n, cases[i].n);
		for (j = 0; j < cases[i].n; j++)
			assert_int_equal(o.idx[j], cases[i].idx[j]);
		/* without the prefilter, the same answer */
		memset(&o, 0, sizeof o);
		assert_int_equal(matcher_run_unfiltered(m, cases[i].text,
		    strlen(cases[i].text), -1, order_fn, &o), cases[i].n);
	}
	matcher_free(m);
	ruleset_free(rs);
}

/*
 * A rule set with a mistake still makes a matcher (rules check runs its
 * examples): a catch-all without a category is one of category "".
 */
static void
test_catch_all_without_category(void **state)
{
	char *path = xasprintf("%s/nocat.rules", tmpdir);
	const char *paths[1] = { path };
	struct diag_list d;
	struct ruleset *rs;
	struct matcher *m;
	struct order o;
	char err[128];
	FILE *fp = fopen(path, "w");

	(void)state;
	assert_non_null(fp);
	fputs("[any]\nseverity = info\ncatch-all = t\nmatch = retrying\n"
	    "[t]\ncategory = t\nseverity = error\nmatch = timed out\n", fp);
	fclose(fp);
	memset(&d, 0, sizeof d);
	rs = ruleset_load(paths, 1, &d);
	assert_int_equal(d.n, 1);
	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	/* it leaves what the category it lists took */
	memset(&o, 0, sizeof o);
	assert_int_equal(matcher_run(m, "timed out, retrying", 19, -1,
	    order_fn, &o), 1);
	assert_int_equal(o.idx[0], 1);
	memset(&o, 0, sizeof o);
	assert_int_equal(matcher_run(m, "connection lost, retrying", 25, -1,
	    order_fn, &o), 1);
	assert_int_equal(o.idx[0], 0);
	matcher_free(m);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

/*
 * A rule with levels is not run on a record of another level; a record
 * whose level is unknown (negative) is left to its patterns.  A catch-all
 * so left out closes nothing.
 */
static void
test_levels(void **state)
{
	struct ruleset *rs = load_text(
	    "[any-timeout]\ncategory = t\nseverity = error\n"
	    "catch-all = t\nlevels = info..critical\nmatch = timed out\n"
	    "[any-late]\ncategory = t\nseverity = info\n"
	    "catch-all = t\nmatch = timed out\n"
	    "[took]\ncategory = l\nseverity = info\n"
	    "levels = info, notice\nmatch = took \\d+ms\n");
	struct matcher *m;
	struct order o;
	char err[128];
	static const struct {
		const char	*text;
		int		 level, n, idx;
	} cases[] = {
		{ "request timed out", SEV_ERROR, 1, 0 },
		{ "request timed out", SEV_DEBUG, 1, 1 },
		{ "request timed out", -1, 1, 0 },
		{ "query took 12ms", SEV_INFO, 1, 2 },
		{ "query took 12ms", SEV_NOTICE, 1, 2 },
		{ "query took 12ms", SEV_WARNING, 0, 0 },
		{ "query took 12ms", -1, 1, 2 },
	};
	size_t i;

	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&o, 0, sizeof o);
		assert_int_equal(matcher_run(m, cases[i].text,
		    strlen(cases[i].text), cases[i].level, order_fn, &o),
		    cases[i].n);
		if (cases[i].n > 0)
			assert_int_equal(o.idx[0], cases[i].idx);
		memset(&o, 0, sizeof o);
		assert_int_equal(matcher_run_unfiltered(m, cases[i].text,
		    strlen(cases[i].text), cases[i].level, order_fn, &o),
		    cases[i].n);
	}
	matcher_free(m);
	ruleset_free(rs);
}

/*
 * More rules than one word of the candidate bitsets: 130 rules with a
 * literal each and one without; both paths report the same rules, in rule
 * order, across the word boundaries.
 */
static void
test_many_rules(void **state)
{
	struct buf text;
	struct ruleset *rs;
	struct matcher *m;
	struct order a, b;
	char err[128];
	const char *line = "x lit129-3 lit005-1 lit064-9 lit070-2 123Z";
	const char *none = "lit05 lit-070 nothing";
	int i;

	buf_init(&text);
	for (i = 0; i < 130; i++)
		buf_printf(&text, "[r%03d]\ncategory = x\nseverity = info\n"
		    "match = lit%03d-(?<n>\\d+)\n", i, i);
	buf_puts(&text, "[free]\ncategory = x\nseverity = info\nmatch = \\d\\d\\dZ\n");
	rs = load_text(text.data);
	assert_int_equal(rs->n, 134);
	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	assert_int_equal(matcher_run(m, line, strlen(line), -1, order_fn, &a), 5);
	assert_int_equal(matcher_run_unfiltered(m, line, strlen(line), -1, order_fn, &b), 5);
	assert_int_equal(a.idx[0], 5);
	assert_int_equal(a.idx[1], 64);
	assert_int_equal(a.idx[2], 70);
	assert_int_equal(a.idx[3], 129);
	assert_int_equal(a.idx[4], 130);
	assert_memory_equal(a.idx, b.idx, sizeof a.idx);
	memset(&a, 0, sizeof a);
	assert_int_equal(matcher_run(m, none, strlen(none), -1, order_fn, &a), 0);
	matcher_free(m);
	ruleset_free(rs);
	buf_free(&text);
}

/*
 * A pattern whose literal is in a record but another of its clauses is
 * not is never run; one alternative of a clause is enough; past the trial
 * a clause that never fails is no longer looked for, and the answers stay
 * those of the full regexes.
 */
static void
test_clauses_skip_regex(void **state)
{
	struct ruleset *rs = load_text(
	    "[ms]\ncategory = x\nseverity = info\n"
	    "match = \\((?<n>\\d+) bytes, (?<ms>\\d+)ms\\)\n"
	    "[alt]\ncategory = x\nseverity = info\n"
	    "match = (?:GLM|Kimi) stream (?:timed out|timeout)\n");
	struct matcher *m;
	struct collect a, b;
	char err[128];
	const char *lines[] = {
		"sent (512 bytes, 3 chunks)",		/* no "ms)": not run */
		"sent (512 bytes, 12ms)",		/* ms */
		"sent (512 bytes, 12ms) and ms) elsewhere",	/* ms */
		"GLM stream=False",			/* no "timed out|timeout" */
		"Kimi stream timeout",			/* alt */
		"KIMI stream timed out",		/* no alternative of the first clause */
		"GLM stream timed out",			/* alt */
	};
	const int hits[] = { 0, 1, 1, 0, 1, 0, 1 };
	size_t i;
	int k;

	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	for (i = 0; i < UTIL_ARRAY_LEN(lines); i++) {
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		assert_int_equal(matcher_run(m, lines[i], strlen(lines[i]), -1,
		    collect_fn, &a), hits[i]);
		assert_int_equal(matcher_run_unfiltered(m, lines[i],
		    strlen(lines[i]), -1, collect_fn, &b), hits[i]);
		assert_string_equal(a.fields, b.fields);
	}
	/* unfiltered: 2 patterns a line; filtered, only the 4 that match ran */
	assert_int_equal(matcher_stats(m)->regex_runs, 2 * 7 + 4);
	/* a clause that always holds is dropped after its trial ... */
	for (k = 0; k < 200; k++)
		assert_int_equal(matcher_run(m, lines[1], strlen(lines[1]), -1,
		    NULL, NULL), 1);
	assert_int_equal(matcher_stats(m)->regex_runs, 2 * 7 + 4 + 200);
	/* ... so a record without it runs the regex, which says no */
	assert_int_equal(matcher_run(m, lines[0], strlen(lines[0]), -1, NULL,
	    NULL), 0);
	assert_int_equal(matcher_stats(m)->regex_runs, 2 * 7 + 4 + 201);
	matcher_free(m);
	ruleset_free(rs);
}

/*
 * A clause of alternatives none of which the prefilter answers: the ones
 * found move up to be looked for first, and the answers, fields and
 * regex runs stay exact as they do.
 */
static void
test_clause_alternatives_reorder(void **state)
{
	const char *lines[] = {
		"request 1 echo done", "request 2 foxtrot done",
		"request 3 echo done", "request 4 golf done",
		"request 5 alpha done", "request 6 delta done",
	};
	const char *fields[] = { "id=1", "", "id=3", "", "id=5", "id=6" };

	/* every line unfiltered; filtered, only the four whose clause holds */
	run_both_counted("[alt]\ncategory = x\nseverity = info\n"
	    "match = request (?<id>\\d+) (?:alpha|bravo|charlie|delta|echo) "
	    "done\n", lines, fields, UTIL_ARRAY_LEN(lines), 100 * (6 + 4));
}

/*
 * Two patterns for the two orders of a record's keys: a record holding
 * both literals in the wrong order for a pattern does not run it, and
 * the answers and fields stay those of the full regexes.
 */
static void
test_order_skip_regex(void **state)
{
	const char *lines[] = {
		"{'model': 'a', 'ms': 1}",
		"{'ms': 2, 'model': 'b'}",
		"{'ms': 3} {'model': 'c'}",
		"{'model': 'd', 'ms': 4, 'model': 'e'}",
	};
	const char *fields[] = { "model=a ms=1", "model=b ms=2", "",
	    "model=d ms=4" };

	/*
	 * unfiltered: the first pattern on every line, the second where it
	 * fails; filtered, the first on the lines holding its keys in its
	 * order, the second on the others
	 */
	run_both_counted("[rt]\ncategory = x\nseverity = info\n"
	    "match = 'model': '(?<model>[^'\\n]+)'[^{}\\n]*?'ms': (?<ms>\\d+)\n"
	    "match = 'ms': (?<ms>\\d+)[^{}\\n]*?'model': '(?<model>[^'\\n]+)'\n",
	    lines, fields, UTIL_ARRAY_LEN(lines), 100 * (6 + 4));
}

/*
 * Once the prefilter has learned, a pattern is admitted by the clause
 * found in fewest learned records: a single literal rarer than the
 * longest, or an alternation; the answers stay those of the full regexes.
 */
static void
test_gates_learned(void **state)
{
	struct ruleset *rs = load_text(
	    "[ms]\ncategory = x\nseverity = info\n"
	    "match = \\((?<n>\\d+) bytes, (?<ms>\\d+)ms\\)\n"
	    "[alt]\ncategory = x\nseverity = info\n"
	    "match = (?:GLM|Kimi) stream (?:timed out|timeout)\n");
	struct matcher *m;
	char err[128], line[128];
	uint64_t cand;
	int k;

	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	/* 48 KiB where " bytes, " and " stream " are common, "ms)" and "time" rare */
	for (k = 0; k < 800; k++) {
		snprintf(line, sizeof line, "%05d sent (%d bytes, 3 chunks) "
		    "and Kimi stream started for req-%08d", k, k * 7, k);
		both_paths(m, line, 0, "");
	}
	both_paths(m, "sent (5 bytes, 7ms)", 1, "ms=7 n=5");
	both_paths(m, "GLM stream timed out", 1, "");
	/*
	 * neither pattern's gate is in this: a candidate of the unfiltered
	 * run alone
	 */
	cand = matcher_stats(m)->candidates;
	both_paths(m, "sent (512 bytes, 3 chunks) and Kimi stream started", 0,
	    "");
	assert_int_equal(matcher_stats(m)->candidates, cand + 1);
	/* a gate's literal alone makes a candidate, not a match */
	both_paths(m, "a timeout of 12ms) elsewhere", 0, "");
	assert_int_equal(matcher_stats(m)->candidates, cand + 3);
	both_paths(m, "sent (512 bytes, 12ms) and Kimi stream timeout", 2,
	    "ms=12 n=512");
	matcher_free(m);
	ruleset_free(rs);
}

/*
 * Rule 0 "cat", a pattern that backtracks without end on a run of 'a'
 * not at the end; rule 1 "plain", a literal; their matcher; and big, n
 * bytes of 'a' and a 'b', terminated: what sends "cat" into its limits.
 */
struct runaway {
	struct ruleset	*rs;
	struct matcher	*m;
	char		*big;
	size_t		 n;
};

static int
runaway_setup(void **state)
{
	struct runaway *f = xcalloc(1, sizeof *f);
	char err[128];

	f->rs = load_text(
	    "[cat]\ncategory = x\nseverity = info\nmatch = (a+)+$\n"
	    "[plain]\ncategory = x\nseverity = info\nmatch = zzz\n");
	f->m = matcher_new(f->rs, err, sizeof err);
	assert_non_null(f->m);
	f->n = 100 * 1024;
	f->big = xmalloc(f->n + 2);
	memset(f->big, 'a', f->n);
	f->big[f->n] = 'b';
	f->big[f->n + 1] = '\0';
	*state = f;
	return 0;
}

static int
runaway_teardown(void **state)
{
	struct runaway *f = *state;

	free(f->big);
	matcher_free(f->m);
	ruleset_free(f->rs);
	free(f);
	return 0;
}

static void
test_catastrophic_pattern(void **state)
{
	struct runaway *f = *state;
	struct matcher *m = f->m;
	struct collect c;
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run(m, f->big, f->n + 1, -1, collect_fn, &c), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 2.0);
	assert_int_equal(matcher_stats(m)->regex_errors, 1);
	/* the rule keeps working on other records */
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run(m, "xaaa", 4, -1, collect_fn, &c), 1);
	assert_int_equal(c.hits[0], 1);
	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run(m, "aazzz", 5, -1, collect_fn, &c), 1);
	assert_int_equal(c.hits[1], 1);
	assert_int_equal(matcher_stats(m)->regex_errors, 1);
	assert_int_equal(matcher_stats(m)->records, 3);
}

/*
 * A pattern that runs away counts as not matching: the rule's next
 * pattern still matches, an exclude that runs away drops nothing, and
 * the prefilter, which skips the pattern that lacks its literal, gives
 * the same answers.
 */
static void
test_runaway_pattern_not_a_veto(void **state)
{
	struct ruleset *rs = load_text(
	    "[two]\ncategory = x\nseverity = info\n"
	    "match = (a|aa)+(a|aa)+(a|aa)+(a|aa)+xyzq\n"
	    "match = (?<run>aaaa)\n"
	    "[kept]\ncategory = x\nseverity = info\nmatch = start (?<n>\\d+)\n"
	    "exclude = (b|bb)+(b|bb)+(b|bb)+(b|bb)+qzyx\n");
	struct matcher *m;
	char err[128], line[160];

	(void)state;
	m = matcher_new(rs, err, sizeof err);
	assert_non_null(m);
	memset(line, 'a', 60);
	strcpy(line + 60, "q");
	both_paths(m, line, 1, "run=aaaa");
	/* the unfiltered path ran the first pattern, and it hit its limit */
	assert_int_equal(matcher_stats(m)->regex_errors, 1);
	memset(line, 'a', 60);
	line[60] = ' ';
	memset(line + 61, 'b', 60);
	strcpy(line + 121, "qx start 7");
	both_paths(m, line, 2, "run=aaaa n=7");
	assert_int_equal(matcher_stats(m)->regex_errors, 3);
	/* with its literal in the record the exclude still vetoes */
	both_paths(m, "start 8 bbbbqzyx", 0, "");
	matcher_free(m);
	ruleset_free(rs);
}

/*
 * matcher_run_rule runs the one rule, whatever the others would do on the
 * text: a runaway pattern's regex error is its own rule's alone.
 */
static void
test_run_one_rule(void **state)
{
	struct runaway *f = *state;
	struct matcher *m = f->m;
	struct collect c;

	memset(&c, 0, sizeof c);
	assert_int_equal(matcher_run_rule(m, 1, f->big, f->n + 1, -1, collect_fn,
	    &c), 0);
	assert_int_equal(matcher_stats(m)->regex_errors, 0);
	assert_int_equal(matcher_run_rule(m, 0, f->big, f->n + 1, -1, collect_fn,
	    &c), 0);
	assert_int_equal(matcher_stats(m)->regex_errors, 1);
	/* "xaaa" is cat's, not plain's; "aazzz" plain's */
	assert_int_equal(matcher_run_rule(m, 1, "xaaa", 4, -1, collect_fn, &c), 0);
	assert_int_equal(matcher_run_rule(m, 1, "aazzz", 5, -1, collect_fn, &c), 1);
	assert_int_equal(matcher_run_rule(m, 0, "xaaa", 4, -1, collect_fn, &c), 1);
	assert_int_equal(c.hits[0], 1);
	assert_int_equal(c.hits[1], 1);
	assert_int_equal(c.n, 2);
	/* no such rule */
	assert_int_equal(matcher_run_rule(m, 2, "zzz", 3, -1, collect_fn, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(matcher_stats(m)->regex_errors, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_literal),
		cmocka_unit_test(test_pattern_clauses),
		cmocka_unit_test(test_clauses_skip_regex),
		cmocka_unit_test(test_clause_alternatives_reorder),
		cmocka_unit_test(test_order_skip_regex),
		cmocka_unit_test(test_gates_learned),
		cmocka_unit_test(test_prefilter_property),
		cmocka_unit_test(test_prefilter_corpus),
		cmocka_unit_test(test_rule_literals),
		cmocka_unit_test(test_fields_and_exclude),
		cmocka_unit_test(test_many_rules),
		cmocka_unit_test(test_catch_all),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_catch_all_without_category),
		cmocka_unit_test_setup_teardown(test_catastrophic_pattern,
		    runaway_setup, runaway_teardown),
		cmocka_unit_test(test_runaway_pattern_not_a_veto),
		cmocka_unit_test_setup_teardown(test_run_one_rule,
		    runaway_setup, runaway_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
