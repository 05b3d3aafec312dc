/*
 * test_rules.c - the rule-file parser: keys, examples, correlation keys,
 * scenarios, and every kind of mistake reported with its exact place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "matcher.h"
#include "rules.h"
#include "util.h"

static char tmpdir[64];

/* Write name in the scratch directory; returns its path (caller frees). */
static char *
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static struct ruleset *
load_one(const char *path, struct diag_list *d)
{
	const char *paths[1] = { path };

	memset(d, 0, sizeof(*d));
	return ruleset_load(paths, 1, d);
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lt-rules-XXXXXX");
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

static void
test_parse_full_rule(void **state)
{
	char *path = write_file("ok.rules",
	    "# comment\n"
	    "[ws]\n"
	    "category = websocket\n"
	    "severity = warning\n"
	    "summary  = closed for {peer}\n"
	    "match    =   Connection closed for (?<peer>[0-9.]+):(?<port>\\d+)   \n"
	    "exclude  = shim\n"
	    "storm    = 20 in 60s by peer\n"
	    "example  = Connection closed for 10.0.0.1:5: sent 1011\n"
	    "example-fields = peer=10.0.0.1, port=5\n"
	    "counter-example = nothing here\n"
	    "example  = <<END\n"
	    "first line\n"
	    "Connection closed for 10.0.0.2:6\n"
	    "END\n"
	    "\n"
	    "[rec]\n"
	    "category = semaphore\n"
	    "severity = info\n"
	    "match = recovery: (?<scope>\\w+) status=success\n"
	    "[leak]\n"
	    "category = semaphore\n"
	    "severity = error\n"
	    "match = leak: (?<scope>\\w+) (?<ms>\\d+)\n"
	    "expect = rec within 10s by scope\n"
	    "metric = ms by scope\n"
	    "[fb]\n"
	    "category = semaphore\n"
	    "severity = info\n"
	    "match = fell back (?<scope>\\w+)\n"
	    "follows = rec,leak ,  ws within 500ms by scope\n"
	    "[one]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = one\n"
	    "follows = rec within 2s\n");
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);
	const struct rule *r;
	char **lits;
	size_t nlits;

	assert_int_equal(d.n, 0);
	/* and the three built-in rules that take records by level */
	assert_int_equal(rs->n, 8);
	assert_int_equal(ruleset_find(rs, RULE_LOG_ERROR)->by_level, SEV_ERROR);
	assert_int_equal(ruleset_find(rs, RULE_LOG_CRITICAL)->severity, SEV_CRITICAL);
	r = ruleset_find(rs, "ws");
	assert_non_null(r);
	assert_string_equal(r->category, "websocket");
	assert_int_equal(r->severity, SEV_WARNING);
	assert_string_equal(r->summary, "closed for {peer}");
	assert_int_equal(r->line, 2);
	assert_int_equal(r->nmatch, 1);
	assert_string_equal(r->match[0].source,
	    "Connection closed for (?<peer>[0-9.]+):(?<port>\\d+)");
	assert_int_equal(r->match[0].line, 6);
	assert_int_equal(r->nexclude, 1);
	assert_int_equal(r->storm_n, 20);
	assert_int_equal(r->storm_window_ms, 60000);
	assert_string_equal(r->storm_by, "peer");
	assert_int_equal(r->nexamples, 3);
	assert_string_equal(r->examples[0].fields, "peer=10.0.0.1, port=5");
	assert_int_equal(r->examples[1].counter, 1);
	assert_int_equal(r->examples[1].line, 11);
	assert_string_equal(r->examples[2].text,
	    "first line\nConnection closed for 10.0.0.2:6");
	lits = matcher_rule_literals(r, &nlits);
	assert_int_equal(nlits, 1);
	assert_string_equal(lits[0], "Connection closed for ");
	matcher_literals_free(lits, nlits);
	r = ruleset_find(rs, "leak");
	assert_string_equal(r->expect_rule, "rec");
	assert_int_equal(r->expect_within_ms, 10000);
	assert_string_equal(r->expect_by, "scope");
	assert_null(r->follows_rule);
	assert_int_equal(r->nfollows, 0);
	assert_string_equal(r->metric_field, "ms");
	assert_string_equal(r->metric_by, "scope");
	assert_int_equal(ruleset_index(rs, "leak"), 2);
	assert_int_equal(ruleset_index(rs, "nope"), -1);
	/* a list keeps its order; the joined form is what the store keeps */
	r = ruleset_find(rs, "fb");
	assert_int_equal(r->nfollows, 3);
	assert_string_equal(r->follows_rules[0], "rec");
	assert_string_equal(r->follows_rules[1], "leak");
	assert_string_equal(r->follows_rules[2], "ws");
	assert_string_equal(r->follows_rule, "rec, leak, ws");
	assert_int_equal(r->follows_within_ms, 500);
	assert_string_equal(r->follows_by, "scope");
	r = ruleset_find(rs, "one");
	assert_int_equal(r->nfollows, 1);
	assert_string_equal(r->follows_rules[0], "rec");
	assert_string_equal(r->follows_rule, "rec");
	assert_int_equal(r->follows_within_ms, 2000);
	assert_null(r->follows_by);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

static void
test_five_mistakes(void **state)
{
	char *path = write_file("five.rules",
	    "[a]\n"				/* 1 */
	    "category = x\n"
	    "severity = loud\n"			/* 3: bad severity */
	    "match = a\n"
	    "colour = red\n"			/* 5: unknown key */
	    "\n"
	    "[b]\n"				/* 7: no match */
	    "category = x\n"
	    "severity = info\n"
	    "storm = 20 in soon by peer\n"	/* 10: bad window */
	    "\n"
	    "[c]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = (?<scope>a)\n"
	    "expect = nosuch within 10s\n");	/* 16: unknown rule */
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);
	char *file = xasprintf("%s/five.rules", tmpdir);
	size_t i;
	static const int lines[] = { 3, 5, 10, 7, 16 };

	assert_int_equal(d.n, 5);
	for (i = 0; i < 5; i++) {
		assert_string_equal(d.v[i].file, file);
		assert_int_equal(d.v[i].line, lines[i]);
	}
	assert_string_equal(d.v[0].msg, "bad severity 'loud' (debug, info, "
	    "notice, warning, error, critical)");
	assert_int_equal(d.v[0].col, 12);
	assert_string_equal(d.v[1].msg, "unknown key 'colour'");
	assert_string_equal(d.v[2].msg,
	    "storm: bad window 'soon' (use e.g. 500ms, 10s, 5m, 2h)");
	assert_int_equal(d.v[2].col, 15);
	assert_string_equal(d.v[3].msg, "rule 'b' has no 'match'");
	assert_string_equal(d.v[4].msg, "expect: unknown rule 'nosuch'");
	ruleset_free(rs);
	diag_list_free(&d);
	free(file);
	free(path);
}

static void
test_follows_list_mistakes(void **state)
{
	char *path = write_file("fl.rules",
	    "[t]\ncategory = x\nseverity = info\nmatch = t (?<model>\\S+)\n"
	    "[e]\ncategory = x\nseverity = info\nmatch = e\n"	/* 5 */
	    "[both]\n"						/* 9 */
	    "category = x\n"
	    "severity = info\n"
	    "match = both\n"
	    "expect = t within 10s\n"				/* 13 */
	    "follows = t, e within 5s\n"			/* 14: expect too */
	    "[unknown]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = u\n"
	    "follows = t, nosuch, e within 5s\n"		/* 19: unknown */
	    "[gap]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = g\n"
	    "follows = t, , e within 5s\n"			/* 24: empty item */
	    "[twice]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = w\n"
	    "follows = t, e, t within 5s\n"			/* 29: listed twice */
	    "[trail]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = r\n"
	    "follows = t, within 5s\n"			/* 34: trailing comma */
	    "[nowithin]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = n\n"
	    "follows = t, e in 5s\n");				/* 39: no 'within' */
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);

	assert_int_equal(d.n, 6);
	/* parse errors come in file order, checks after every rule is loaded */
	assert_int_equal(d.v[0].line, 24);
	assert_int_equal(d.v[0].col, 14);
	assert_string_equal(d.v[0].msg, "follows: expected a rule id before ','");
	assert_int_equal(d.v[1].line, 29);
	assert_int_equal(d.v[1].col, 17);
	assert_string_equal(d.v[1].msg, "follows: rule 't' listed twice");
	assert_int_equal(d.v[2].line, 34);
	assert_int_equal(d.v[2].col, 13);
	assert_string_equal(d.v[2].msg, "follows: expected a rule id after ','");
	assert_int_equal(d.v[3].line, 39);
	assert_int_equal(d.v[3].col, 11);
	assert_string_equal(d.v[3].msg,
	    "follows: expected 'RULE[, RULE...] within WINDOW [by FIELD]'");
	assert_int_equal(d.v[4].line, 14);
	assert_int_equal(d.v[4].col, 0);
	assert_string_equal(d.v[4].msg, "follows: rule 'both' also has 'expect'"
	    " (line 13): both would set its events' one link");
	assert_int_equal(d.v[5].line, 19);
	assert_string_equal(d.v[5].msg, "follows: unknown rule 'nosuch'");
	/* the well-formed lists were kept, the broken ones dropped */
	assert_int_equal(ruleset_find(rs, "unknown")->nfollows, 3);
	assert_int_equal(ruleset_find(rs, "gap")->nfollows, 0);
	assert_null(ruleset_find(rs, "gap")->follows_rule);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

static void
test_bad_regex_caret(void **state)
{
	char *path = write_file("re.rules",
	    "[r]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = ok (unclosed\n");
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);
	char out[1024], *file = xasprintf("%s/re.rules", tmpdir);
	char *want;
	FILE *fp;
	size_t n;

	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 4);
	/* the pattern starts in column 9; PCRE2 stops at its end, offset 12 */
	assert_int_equal(d.v[0].col, 21);
	assert_string_equal(d.v[0].msg,
	    "bad regex: missing closing parenthesis (at offset 12)");
	fp = fmemopen(out, sizeof out, "w");
	diag_print(fp, &d);
	n = (size_t)ftell(fp);
	fclose(fp);
	out[n] = '\0';
	want = xasprintf("%s:4:21: bad regex: missing closing parenthesis "
	    "(at offset 12)\n    match = ok (unclosed\n%24s^\n", file, "");
	assert_string_equal(out, want);
	free(want);
	ruleset_free(rs);
	diag_list_free(&d);
	free(file);
	free(path);
}

static void
test_duplicate_ids_across_files(void **state)
{
	char *dir = xasprintf("%s/dup", tmpdir);
	char *p1, *p2;
	struct diag_list d;
	struct ruleset *rs;
	char *msg;

	assert_int_equal(mkdir(dir, 0700), 0);
	p1 = write_file("dup/a.rules",
	    "[same]\ncategory = x\nseverity = info\nmatch = a\n");
	p2 = write_file("dup/b.rules",
	    "\n[other]\ncategory = x\nseverity = info\nmatch = b\n"
	    "[same]\ncategory = y\nseverity = info\nmatch = c\n");
	rs = load_one(dir, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].file, p2);
	assert_int_equal(d.v[0].line, 6);
	msg = xasprintf("duplicate rule id 'same' (first defined at %s:1)", p1);
	assert_string_equal(d.v[0].msg, msg);
	assert_int_equal(rs->n, 5);
	assert_int_equal(rs->nfiles, 2);
	assert_string_equal(ruleset_find(rs, "same")->category, "x");
	free(msg);
	ruleset_free(rs);
	diag_list_free(&d);
	free(p1);
	free(p2);
	free(dir);
}

static void
test_field_checks(void **state)
{
	char *path = write_file("fields.rules",
	    "[t]\ncategory = x\nseverity = info\nmatch = t (?<model>\\S+)\n"
	    "[f]\n"
	    "category = x\n"
	    "severity = info\n"
	    "summary = for {model} and {nope}\n"	/* 8: {nope} col 27 */
	    "match = f (?<err>\\S+)\n"
	    "follows = t within 5s by model\n"	/* ok: inherited from t */
	    "storm = 5 in 1m by peer\n"		/* 11 */
	    "metric = ms\n"			/* 12 */
	    "example-fields = a=b\n"		/* 13 */
	    "counter-example = x\n"
	    "storm = 5 in 1m\n");		/* 15 duplicate */
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);

	assert_int_equal(d.n, 5);
	assert_int_equal(d.v[0].line, 13);
	assert_string_equal(d.v[0].msg, "example-fields must follow an example");
	assert_int_equal(d.v[1].line, 15);
	assert_string_equal(d.v[1].msg, "duplicate key 'storm'");
	assert_int_equal(d.v[2].line, 11);
	assert_string_equal(d.v[2].msg,
	    "storm: no match pattern of 'f' names a group 'peer'");
	assert_int_equal(d.v[3].line, 12);
	assert_string_equal(d.v[3].msg,
	    "metric: no match pattern of 'f' names a group 'ms'");
	assert_int_equal(d.v[4].line, 8);
	assert_int_equal(d.v[4].col, 27);
	assert_string_equal(d.v[4].msg, "summary: no match pattern names a group 'nope'");
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

static void
test_scenarios(void **state)
{
	char *path = write_file("scen.rules",
	    "[w]\ncategory = x\nseverity = info\nmatch = w (?<peer>\\S+)\n"
	    "storm = 2 in 1m by peer\n"
	    "[scenario two-closes]\n"
	    "input = <<EOF\n"
	    "2025-10-25 23:00:00 w 1.2.3.4\n"
	    "# not a comment here\n"
	    "EOF\n"
	    "expect-incident = storm w key=1.2.3.4 count=2\n"
	    "expect-incidents = 1\n"
	    "expect-events = w 2\n"
	    "expect-link = w -> w count=0 peer=x\n"
	    "[scenario broken]\n"			/* 15 */
	    "input = <<EOF\n"
	    "x\n"
	    "EOF\n"
	    "expect-incident = loud w\n"		/* 19 */
	    "expect-events = nosuch 1\n"		/* 20 */
	    "expect-sound = 1\n");			/* 21 */
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);
	struct rule_expect e;
	char err[128];

	assert_int_equal(rs->nscenarios, 2);
	assert_string_equal(rs->scenarios[0].name, "two-closes");
	assert_string_equal(rs->scenarios[0].input,
	    "2025-10-25 23:00:00 w 1.2.3.4\n# not a comment here\n");
	assert_int_equal(rs->scenarios[0].nexpects, 4);
	assert_string_equal(rs->scenarios[0].expects[0],
	    "incident storm w key=1.2.3.4 count=2");
	assert_int_equal(rs->scenarios[0].expect_lines[3], 14);
	assert_int_equal(rule_expect_parse(rs->scenarios[0].expects[0], &e,
	    err, sizeof err), 0);
	assert_int_equal(e.kind, RULE_EXPECT_INCIDENT);
	assert_string_equal(e.what, "storm");
	assert_string_equal(e.rule, "w");
	assert_int_equal(e.count, 2);
	assert_int_equal(e.nkv, 1);
	assert_string_equal(e.names[0], "key");
	assert_string_equal(e.values[0], "1.2.3.4");
	rule_expect_free(&e);
	assert_int_equal(rule_expect_parse(rs->scenarios[0].expects[3], &e,
	    err, sizeof err), 0);
	assert_int_equal(e.kind, RULE_EXPECT_LINK);
	assert_string_equal(e.target, "w");
	assert_int_equal(e.count, 0);
	rule_expect_free(&e);

	assert_int_equal(d.n, 3);
	assert_int_equal(d.v[0].line, 19);
	assert_int_equal(d.v[1].line, 21);
	assert_string_equal(d.v[1].msg, "expect-sound: unknown expectation "
	    "'sound' (incident, incidents, link, events)");
	assert_int_equal(d.v[2].line, 20);
	assert_string_equal(d.v[2].msg, "scenario 'broken': unknown rule 'nosuch'");
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

static void
test_unterminated_heredoc_and_headers(void **state)
{
	char *path = write_file("bad.rules",
	    "key = before any section\n"	/* 1 */
	    "[bad id!]\n"			/* 2 */
	    "match = skipped\n"
	    "[ok]\n"
	    "category = x\n"
	    "severity = info\n"
	    "match = m\n"
	    "example = <<END\n"		/* 8 */
	    "never ended\n");
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);

	assert_int_equal(d.n, 3);
	assert_int_equal(d.v[0].line, 1);
	assert_string_equal(d.v[0].msg, "'key' outside a [rule-id] section");
	assert_int_equal(d.v[1].line, 2);
	assert_int_equal(d.v[1].col, 2);
	assert_int_equal(d.v[2].line, 8);
	assert_string_equal(d.v[2].msg, "example: no line 'END' ends it");
	assert_int_equal(rs->n, 4);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

static void
test_missing_path_and_severity_names(void **state)
{
	struct diag_list d;
	struct ruleset *rs = load_one("/nonexistent/rules.d", &d);

	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 0);
	assert_string_equal(d.v[0].msg, "no such rules file or directory");
	assert_int_equal(rs->n, 3);
	ruleset_free(rs);
	diag_list_free(&d);
	assert_int_equal(severity_from_name("critical"), SEV_CRITICAL);
	assert_int_equal(severity_from_name("fatal"), -1);
	assert_string_equal(severity_name(SEV_NOTICE), "notice");
}

static void
test_default_dirs(void **state)
{
	const char *cli[2] = { "/a", "/b" };
	struct rules_dir *dirs;
	size_t n;

	dirs = rules_layers(cli, 2, 1, &n);
	assert_int_equal(n, 2);
	assert_string_equal(dirs[0].path, "/a");
	assert_string_equal(dirs[1].path, "/b");
	assert_int_not_equal(dirs[0].layer_no, dirs[1].layer_no);
	rules_dirs_free(dirs, n);
	setenv("LOGTRIAGE_RULES", "/x::/y", 1);
	setenv("LOGTRIAGE_SYSCONFDIR", "/nonexistent-etc", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent-home", 1);
	dirs = rules_layers(cli, 1, 0, &n);
	assert_int_equal(n, 5);
	assert_string_equal(dirs[0].path, "/x");
	assert_string_equal(dirs[1].path, "/y");
	assert_string_equal(dirs[0].layer, "default");
	assert_int_equal(dirs[0].layer_no, dirs[1].layer_no);
	assert_string_equal(dirs[2].path,
	    "/nonexistent-etc/logtriage/rules.d");
	assert_string_equal(dirs[2].layer, "system");
	assert_true(dirs[2].optional);
	assert_string_equal(dirs[3].path,
	    "/nonexistent-home/logtriage/rules.d");
	assert_string_equal(dirs[3].layer, "user");
	assert_string_equal(dirs[4].path, "/a");
	assert_string_equal(dirs[4].layer, "cli");
	assert_false(dirs[4].optional);
	rules_dirs_free(dirs, n);
	unsetenv("LOGTRIAGE_RULES");
	unsetenv("LOGTRIAGE_SYSCONFDIR");
	unsetenv("XDG_CONFIG_HOME");
}

/*
 * A later layer replaces a rule of the same id, or only turns it off, and
 * a scenario of the same name; the same id twice in one layer stays a
 * mistake; a missing drop-in directory is no mistake.
 */
static void
test_layers(void **state)
{
	char *base = write_file("base.rules",
	    "[a]\nmatch = alpha\ncategory = x\nseverity = info\n\n"
	    "[b]\nmatch = beta\ncategory = x\nseverity = info\n\n"
	    "[scenario s]\ninput = <<END\none\nEND\n");
	char *over = write_file("over.rules",
	    "[a]\nmatch = gamma\ncategory = y\nseverity = error\n\n"
	    "[b]\nenabled = false\n\n"
	    "[scenario s]\ninput = <<END\ntwo\nEND\n");
	char *twice = write_file("twice.rules",
	    "[a]\nmatch = x\ncategory = y\nseverity = error\n\n"
	    "[a]\nmatch = z\ncategory = y\nseverity = error\n");
	char *missing = xasprintf("%s/no-such-dir", tmpdir);
	struct rules_dir dirs[3];
	struct diag_list d;
	struct ruleset *rs;
	const struct rule *r;
	uint64_t h1, h2;

	memset(dirs, 0, sizeof dirs);
	dirs[0].path = base;
	dirs[0].layer = "default";
	dirs[1].path = missing;
	dirs[1].layer = "user";
	dirs[1].layer_no = 1;
	dirs[1].optional = 1;
	dirs[2].path = over;
	dirs[2].layer = "cli";
	dirs[2].layer_no = 2;
	memset(&d, 0, sizeof d);
	rs = ruleset_load_layers(dirs, 2, &d);
	assert_int_equal(d.n, 0);
	h1 = ruleset_hash(rs);
	ruleset_free(rs);
	rs = ruleset_load_layers(dirs, 3, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(rs->n, 5);	/* a, b and the three built-ins */
	r = ruleset_find(rs, "a");
	assert_string_equal(r->category, "y");
	assert_string_equal(r->match[0].source, "gamma");
	assert_string_equal(r->layer, "cli");
	assert_string_equal(r->file, over);
	assert_false(r->disabled);
	r = ruleset_find(rs, "b");
	assert_true(r->disabled);
	assert_string_equal(r->match[0].source, "beta");
	assert_string_equal(r->layer, "default");
	assert_non_null(strstr(r->enabled_at, "over.rules:7"));
	assert_int_equal(rs->nscenarios, 1);
	assert_string_equal(rs->scenarios[0].input, "two\n");
	h2 = ruleset_hash(rs);
	assert_true(h1 != h2);
	ruleset_free(rs);
	rs = load_one(twice, &d);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "duplicate rule id 'a'"));
	diag_list_free(&d);
	ruleset_free(rs);
	free(base);
	free(over);
	free(twice);
	free(missing);
}

/* unit, slow, same, counts and means read into the rule. */
static void
test_metric_directives(void **state)
{
	char *path = write_file("metric.rules",
	    "[rt]\n"
	    "category = latency\n"
	    "severity = info\n"
	    "match = took (?<v>[0-9.]+)(?<unit>ms|s|us) on (?<model>\\S+)\n"
	    "metric = v by model\n"
	    "slow = p95 >= 1.5 s\n"
	    "same = model, v within 1s\n"
	    "counts = requests by model\n"
	    "\n"
	    "[tok]\n"
	    "category = usage\n"
	    "severity = info\n"
	    "match = used (?<n>\\d+) tokens\n"
	    "metric = n\n"
	    "unit = tokens\n"
	    "slow = max > 4000 tokens\n"
	    "\n"
	    "[d]\n"
	    "category = latency\n"
	    "severity = info\n"
	    "match = Duration: (?<s>[0-9.]+)s\n"
	    "slow = mean > 250ms\n"
	    "metric = s\n"
	    "unit = s\n"
	    "\n"
	    "[rel]\n"
	    "category = semaphore\n"
	    "severity = warning\n"
	    "match = skipping release\n"
	    "means = release-refused\n");
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);
	const struct rule *r;
	struct buf b;

	diag_print(stderr, &d);
	assert_int_equal(d.n, 0);
	r = ruleset_find(rs, "rt");
	assert_true(r->unit_captured);
	assert_null(r->unit);
	assert_string_equal(r->value_unit, "ms");
	assert_true(r->has_slow);
	assert_int_equal(r->slow.stat, RULE_STAT_P95);
	assert_true(r->slow.inclusive);
	assert_true(r->slow.value == 1500);
	assert_int_equal(r->nsame, 2);
	assert_string_equal(r->same_fields[0], "model");
	assert_string_equal(r->same_fields[1], "v");
	assert_int_equal(r->same_within_ms, 1000);
	assert_string_equal(r->counts, "requests");
	assert_string_equal(r->counts_by, "model");
	buf_init(&b);
	rule_threshold_text(&r->slow, r->value_unit, &b);
	assert_string_equal(b.data, "p95 >= 1500ms");
	r = ruleset_find(rs, "tok");
	assert_string_equal(r->value_unit, "tokens");
	assert_true(r->unit_ms == 0);
	assert_true(r->slow.value == 4000);
	assert_false(r->slow.inclusive);
	buf_reset(&b);
	rule_threshold_text(&r->slow, r->value_unit, &b);
	assert_string_equal(b.data, "max > 4000");
	r = ruleset_find(rs, "d");
	assert_true(r->unit_ms == 1000);
	assert_string_equal(r->value_unit, "ms");
	assert_int_equal(r->slow.stat, RULE_STAT_MEAN);
	assert_true(r->slow.value == 250);
	assert_string_equal(ruleset_find(rs, "rel")->means, "release-refused");
	buf_free(&b);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

/* Every bad unit, slow, same, counts and means value, at FILE:LINE:COL. */
static void
test_metric_directive_mistakes(void **state)
{
	char *path = write_file("badmetric.rules",
	    "[a]\n"					/* 1 */
	    "category = x\n"
	    "severity = info\n"
	    "match = took (?<ms>\\d+) ms for (?<model>\\w+)\n"
	    "metric = ms by model\n"			/* 5 */
	    "unit = ms\n"
	    "slow = p97 > 8s\n"			/* 7: bad stat */
	    "slow = p95 > 8s\n"			/* 8: duplicate */
	    "same = model, ms within soon\n"		/* 9: bad window */
	    "counts = requests per model\n"		/* 10: bad counts */
	    "means = leak\n"				/* 11: bad means */
	    "\n"
	    "[b]\n"					/* 13 */
	    "category = x\n"
	    "severity = info\n"
	    "match = took (?<ms>\\d+) ms\n"
	    "metric = ms\n"
	    "unit = ms\n"
	    "slow = p95 > 8000\n"			/* 19: no unit */
	    "same = ms, nosuch within 1s\n"		/* 20: unknown field */
	    "\n"
	    "[c]\n"					/* 22 */
	    "category = x\n"
	    "severity = info\n"
	    "match = used (?<n>\\d+)\n"
	    "slow = max >= 5\n"			/* 26: no metric */
	    "unit = two words\n"			/* 27: bad unit */
	    "\n"
	    "[e]\n"					/* 29 */
	    "category = x\n"
	    "severity = info\n"
	    "match = used (?<n>\\d+)\n"
	    "metric = n\n"
	    "unit = bytes\n"
	    "slow = p50 > 5 kB\n"			/* 35: wrong unit */
	    "same = n, , n within 1s\n");		/* 36: empty item */
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);
	static const struct { int line, col; const char *msg; } want[] = {
		{ 8, 1, "duplicate key 'slow'" },
		{ 9, 25, "same: bad window 'soon' (use e.g. 500ms, 1s)" },
		{ 10, 10, "counts: expected 'NOUN [by FIELD]' (e.g. 'requests "
		    "by model')" },
		{ 11, 9, "means: unknown meaning 'leak' (double-release, "
		    "release-refused)" },
		{ 27, 8, "unit: expected one word (us, ms, s, or a unit such as "
		    "bytes, tokens, count)" },
		{ 36, 11, "same: expected a field name" },
		{ 7, 8, "slow: expected 'STAT > VALUE' with STAT one of mean, "
		    "p50, p95, p99, max" },
		{ 19, 14, "slow: the metric is a duration: give the value's unit "
		    "(us, ms, s, m, h; e.g. 8s, 500ms)" },
		{ 20, 0, "same: no match pattern of 'b' names a group 'nosuch'" },
		{ 26, 8, "slow: rule 'c' has no 'metric'" },
		{ 35, 16, "slow: the metric is in bytes: give a number of bytes" },
	};
	size_t i;

	for (i = 0; i < d.n && i < sizeof want / sizeof want[0]; i++) {
		assert_string_equal(d.v[i].msg, want[i].msg);
		assert_int_equal(d.v[i].line, want[i].line);
		assert_int_equal(d.v[i].col, want[i].col);
	}
	assert_int_equal(d.n, sizeof want / sizeof want[0]);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

/*
 * A section named after a built-in rule configures it: severity, exclude,
 * enabled = false; it needs no match, category or severity and takes no
 * match.  The other built-in stays as it was.
 */
static void
test_builtin_sections(void **state)
{
	struct diag_list d;
	struct ruleset *rs;
	const struct rule *r;
	char *path;

	path = write_file("gen.rules", "[log-error]\nseverity = warning\n"
	    "exclude = JSON parse\n\n[log-critical]\nenabled = false\n");
	rs = load_one(path, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(rs->n, 3);
	r = ruleset_find(rs, RULE_LOG_ERROR);
	assert_int_equal(r->severity, SEV_WARNING);
	assert_int_equal(r->by_level, SEV_ERROR);
	assert_string_equal(r->category, "error");
	assert_int_equal(r->nexclude, 1);
	assert_int_equal(r->disabled, 0);
	assert_int_equal(ruleset_find(rs, RULE_LOG_CRITICAL)->disabled, 1);
	r = ruleset_find(rs, RULE_LOG_WARNING);
	assert_int_equal(r->by_level, SEV_WARNING);
	assert_int_equal(r->severity, SEV_WARNING);
	assert_string_equal(r->category, "warning");
	assert_int_equal(r->disabled, 0);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);

	path = write_file("gen.rules", "[log-error]\nmatch = x\nenabled = no\n");
	rs = load_one(path, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].msg, "bad enabled 'no' (true, false)");
	assert_string_equal(d.v[1].msg, "rule 'log-error' is built in and takes"
	    " records by their level: it has no 'match'");
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

static void
test_catch_all_lists(void **state)
{
	char *path = write_file("ca.rules",
	    "[t]\ncategory = timeout\nseverity = error\nmatch = tt\n"
	    "[w]\ncategory = websocket\nseverity = error\nmatch = ww\n"
	    "[any]\n"						/* 9 */
	    "category = timeout\n"
	    "severity = error\n"
	    "match = timed out\n"
	    "catch-all = timeout , websocket\n"			/* 13 */
	    "[twice]\n"
	    "category = timeout\n"
	    "severity = error\n"
	    "match = twice\n"
	    "catch-all = timeout, websocket, timeout\n"		/* 18 */
	    "[typo]\n"
	    "category = timeout\n"
	    "severity = error\n"
	    "match = typo\n"
	    "catch-all = timeout, websockets\n"			/* 23 */
	    "[empty]\n"
	    "category = timeout\n"
	    "severity = error\n"
	    "match = empty\n"
	    "catch-all = timeout,, websocket\n"			/* 28 */
	    "[log-error]\n"
	    "catch-all = error\n");					/* 30 */
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);
	const struct rule *r;

	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[0].line, 18);
	assert_int_equal(d.v[0].col, 33);
	assert_string_equal(d.v[0].msg,
	    "catch-all: category 'timeout' listed twice");
	assert_int_equal(d.v[1].line, 28);
	assert_int_equal(d.v[1].col, 21);
	assert_string_equal(d.v[1].msg,
	    "catch-all: expected a category before ','");
	assert_int_equal(d.v[2].line, 23);
	assert_string_equal(d.v[2].msg,
	    "catch-all: no rule has category 'websockets'");
	assert_int_equal(d.v[3].line, 30);
	assert_string_equal(d.v[3].msg, "rule 'log-error' is built in and"
	    " takes only what the rules left: it has no 'catch-all'");
	/* blanks around a name are not part of it; a broken list is dropped */
	r = ruleset_find(rs, "any");
	assert_int_equal(r->ncatch_cats, 2);
	assert_string_equal(r->catch_cats[0], "timeout");
	assert_string_equal(r->catch_cats[1], "websocket");
	assert_int_equal(ruleset_find(rs, "twice")->ncatch_cats, 0);
	assert_int_equal(ruleset_find(rs, "t")->ncatch_cats, 0);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

static void
test_levels(void **state)
{
	char *path = write_file("lv.rules",
	    "[one]\ncategory = t\nseverity = error\nmatch = a\n"
	    "levels = info\n"						/* 5 */
	    "[range]\ncategory = t\nseverity = error\nmatch = b\n"
	    "levels = info..notice, critical\n"			/* 10 */
	    "[upside]\ncategory = t\nseverity = error\nmatch = c\n"
	    "levels = error..info\n"					/* 15 */
	    "[typo]\ncategory = t\nseverity = error\nmatch = d\n"
	    "levels = info, warn\n"					/* 20 */
	    "[twice]\ncategory = t\nseverity = error\nmatch = e\n"
	    "levels = info, info\n"					/* 25 */
	    "[log-error]\n"
	    "levels = error\n");					/* 27 */
	struct diag_list d;
	struct ruleset *rs = load_one(path, &d);

	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[0].line, 15);
	assert_string_equal(d.v[0].msg, "levels: bad level range 'error..info'"
	    " (debug, info, notice, warning, error, critical; a range"
	    " LOW..HIGH)");
	assert_int_equal(d.v[1].line, 20);
	assert_string_equal(d.v[1].msg, "levels: bad level 'warn' (debug,"
	    " info, notice, warning, error, critical; a range LOW..HIGH)");
	assert_int_equal(d.v[2].line, 25);
	assert_string_equal(d.v[2].msg, "levels: level 'info' listed twice");
	assert_int_equal(d.v[3].line, 27);
	assert_string_equal(d.v[3].msg, "rule 'log-error' is built in and"
	    " takes records by their level: it has no 'levels'");
	assert_int_equal(ruleset_find(rs, "one")->levels, 1u << SEV_INFO);
	assert_int_equal(ruleset_find(rs, "range")->levels, (1u << SEV_INFO) |
	    (1u << SEV_NOTICE) | (1u << SEV_CRITICAL));
	/* a bad list is dropped whole: the rule takes any level */
	assert_int_equal(ruleset_find(rs, "upside")->levels, 0);
	assert_int_equal(ruleset_find(rs, "typo")->levels, 0);
	ruleset_free(rs);
	diag_list_free(&d);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full_rule),
		cmocka_unit_test(test_five_mistakes),
		cmocka_unit_test(test_follows_list_mistakes),
		cmocka_unit_test(test_bad_regex_caret),
		cmocka_unit_test(test_duplicate_ids_across_files),
		cmocka_unit_test(test_field_checks),
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_unterminated_heredoc_and_headers),
		cmocka_unit_test(test_missing_path_and_severity_names),
		cmocka_unit_test(test_default_dirs),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_metric_directives),
		cmocka_unit_test(test_metric_directive_mistakes),
		cmocka_unit_test(test_builtin_sections),
		cmocka_unit_test(test_catch_all_lists),
		cmocka_unit_test(test_levels),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
