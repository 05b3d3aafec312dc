/*
 * cmd_rules.c - `logtriage rules list|check|test`: show the loaded rules,
 * check rule files, and run every rule against its own examples,
 * counter-examples and scenarios (example streams ingested into an
 * in-memory store, whose incidents and links are compared with what the
 * scenario expects).  `rules test --input LOG` ingests a real log into an
 * in-memory store the same way and shows what each rule matched and which
 * records of warning level or worse no rule matched, by mined template.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "envelope.h"
#include "generic.h"
#include "ingest.h"
#include "level.h"
#include "matcher.h"
#include "multiline.h"
#include "reader.h"
#include "rules.h"
#include "store.h"
#include "store_query.h"
#include "template.h"
#include "util.h"

static const char rules_options[] =
    "actions:\n"
    "  list               every rule: id, category, severity, where, correlation\n"
    "  check              load the rules and report every mistake (exit 2)\n"
    "  test               run examples, counter-examples and scenarios (exit 1\n"
    "                     on any failure)\n"
    "\noptions:\n"
    "  --rules DIR        rules directory or file, added after the defaults\n"
    "                     ($LOGTRIAGE_RULES, else the installed rules) and\n"
    "                     the drop-in directories (repeatable)\n"
    "  --no-default-rules only the --rules paths\n"
    "  -v, --verbose      list: patterns and prefilter literals;\n"
    "                     test: every check, not only failures;\n"
    "                     test --input: the rules that matched nothing too\n"
    "  --input FILE       test: read this log ('-' for standard input) without\n"
    "                     storing it; per rule the records it matched (the\n"
    "                     first 3), and the records of warning level or worse\n"
    "                     no rule matched, by template\n"
    "  --show-missed      test --input: every missed record, not the first 3\n"
    "  --format F         test --input: text (default) or json\n"
    "  --help             this text\n";

enum {
	OPT_RULES = 256,
	OPT_NO_DEFAULT_RULES,
	OPT_INPUT,
	OPT_SHOW_MISSED,
	OPT_FORMAT,
	OPT_HELP
};

static const struct option rules_longopts[] = {
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "show-missed", no_argument, NULL, OPT_SHOW_MISSED },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* The shortest exact form of a window, as the rule language writes it. */
static void
format_window(int64_t ms, char *out, size_t len)
{
	struct buf b;

	buf_init(&b);
	util_format_duration(&b, (double)ms, UTIL_DUR_RULE);
	snprintf(out, len, "%s", b.data != NULL ? b.data : "");
	buf_free(&b);
}

/* "slow = p95 > 8 s": the threshold in the metric's unit. */
static void
print_slow(const struct rule *r)
{
	struct buf b;

	buf_init(&b);
	util_format_quantity(&b, r->slow.value, r->value_unit);
	printf("  slow = %s %s %s", rule_stat_name(r->slow.stat),
	    r->slow.inclusive ? ">=" : ">", b.data);
	buf_free(&b);
}

static void
print_escaped(FILE *fp, const char *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	util_escape_terminal(&b, s, n, 0);
	fwrite(b.data != NULL ? b.data : "", 1, b.len, fp);
	buf_free(&b);
}

/* "  levels = info..notice, critical": runs of levels as ranges. */
static void
print_levels(unsigned levels)
{
	const char *sep = "  levels = ";
	int lo, hi;

	for (lo = 0; lo < SEV_COUNT; lo = hi + 1) {
		hi = lo;
		if (!(levels & (1u << lo)))
			continue;
		while (hi + 1 < SEV_COUNT && (levels & (1u << (hi + 1))))
			hi++;
		printf("%s%s", sep, severity_name((enum severity)lo));
		if (hi > lo)
			printf("..%s", severity_name((enum severity)hi));
		sep = ", ";
	}
}

static void
list_rules(const struct ruleset *rs, int verbose)
{
	const struct rule *r;
	char w[32], **lits;
	size_t i, j, nlits;

	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		printf("%-28s %-10s %-8s %-8s", r->id, r->category,
		    severity_name(r->severity), r->layer);
		if (r->line > 0)
			printf(" %s:%d", r->file, r->line);
		if (r->by_level != 0)
			printf("  by level: %s records%s", severity_name(
			    (enum severity)r->by_level), r->by_level == SEV_ERROR ?
			    " and tracebacks" : r->by_level == SEV_WARNING ?
			    " no rule matched" : "");
		if (r->disabled)
			printf("  disabled");
		if (r->enabled_at != NULL)
			printf("%s by %s", r->disabled ? "" : "  enabled",
			    r->enabled_at);
		if (r->storm_n > 0) {
			format_window(r->storm_window_ms, w, sizeof w);
			printf("  storm = %d in %s%s%s", r->storm_n, w,
			    r->storm_by ? " by " : "", r->storm_by ? r->storm_by : "");
		}
		if (r->expect_rule != NULL) {
			format_window(r->expect_within_ms, w, sizeof w);
			printf("  expect = %s within %s%s%s", r->expect_rule, w,
			    r->expect_by ? " by " : "", r->expect_by ? r->expect_by : "");
		}
		if (r->follows_rule != NULL) {
			format_window(r->follows_within_ms, w, sizeof w);
			printf("  follows = %s within %s%s%s", r->follows_rule, w,
			    r->follows_by ? " by " : "", r->follows_by ? r->follows_by : "");
		}
		if (r->metric_field != NULL)
			printf("  metric = %s%s%s", r->metric_field,
			    r->metric_by ? " by " : "", r->metric_by ? r->metric_by : "");
		if (r->unit != NULL || r->unit_captured)
			printf("  unit = %s", r->unit != NULL ? r->unit : "(captured)");
		if (r->has_slow)
			print_slow(r);
		for (j = 0; j < r->nsame; j++)
			printf("%s%s", j == 0 ? "  same = " : ", ", r->same_fields[j]);
		if (r->nsame > 0) {
			format_window(r->same_within_ms, w, sizeof w);
			printf(" within %s", w);
		}
		if (r->counts != NULL)
			printf("  counts = %s%s%s", r->counts,
			    r->counts_by ? " by " : "", r->counts_by ? r->counts_by : "");
		if (r->means != NULL)
			printf("  means = %s", r->means);
		for (j = 0; j < r->ncatch_cats; j++)
			printf("%s%s", j == 0 ? "  catch-all = " : ", ",
			    r->catch_cats[j]);
		if (r->levels != 0)
			print_levels(r->levels);
		putchar('\n');
		if (!verbose)
			continue;
		for (j = 0; j < r->nmatch; j++) {
			printf("    match   ");
			print_escaped(stdout, r->match[j].source,
			    strlen(r->match[j].source));
			putchar('\n');
		}
		for (j = 0; j < r->nexclude; j++) {
			printf("    exclude ");
			print_escaped(stdout, r->exclude[j].source,
			    strlen(r->exclude[j].source));
			putchar('\n');
		}
		lits = matcher_rule_literals(r, &nlits);
		if (nlits == 0)
			printf("    prefilter: none (every record is a candidate)\n");
		for (j = 0; j < nlits; j++) {
			printf("    prefilter \"");
			print_escaped(stdout, lits[j], strlen(lits[j]));
			printf("\"\n");
		}
		matcher_literals_free(lits, nlits);
	}
	printf("%zu rules from %zu files, %zu scenarios\n", rs->n, rs->nfiles,
	    rs->nscenarios);
}

/*
 * A match pattern with no run of 3 literal bytes that every match holds
 * gives the prefilter nothing to pass its rule by: the rule's patterns
 * then run on every record.  Legal, and right for a rule meant to see
 * every record, but usually a literal left in an alternation or an
 * optional group by accident.
 */
static void
warn_unfiltered(const struct ruleset *rs)
{
	const struct rule *r;
	char *lit;
	size_t i, j;

	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		for (j = 0; j < r->nmatch; j++) {
			if ((lit = matcher_required_literal(r->match[j].source))
			    != NULL) {
				free(lit);
				continue;
			}
			fprintf(stderr, "%s:%d: warning: this pattern of '%s' "
			    "has no run of 3 literal bytes that every match "
			    "holds: the rule is tried on every record\n",
			    r->file, r->match[j].line, r->id);
		}
	}
}

/*
 * Bytes after an example that warn_long_records adds: more than the
 * matcher's match limit counts steps, so that a pattern which scans to the
 * end of its record (a run of any bytes before fixed words) runs into it.
 */
#define LONG_PAD	(128 * 1024)

/*
 * Each example again with LONG_PAD bytes after it, letters and then words:
 * warn of those on which a pattern runs into the match limit, as it would
 * on a long record of the log, where it costs a regex error and the event.
 * 0, or -1 with err when no matcher can be made.
 */
static int
warn_long_records(const struct ruleset *rs, char *err, size_t errlen)
{
	static const char fill[2][2] = { { 'A', 'A' }, { ' ', 'x' } };
	struct matcher *m;
	const struct rule *r;
	const struct rule_example *ex;
	struct buf pad[2], b;
	uint64_t before;
	size_t i, j, k, p;

	if ((m = matcher_new(rs, err, errlen)) == NULL)
		return -1;
	for (k = 0; k < 2; k++) {
		buf_init(&pad[k]);
		buf_putc(&pad[k], ' ');
		for (p = 0; p < LONG_PAD; p += 2)
			buf_append(&pad[k], fill[k], 2);
	}
	buf_init(&b);
	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		for (j = 0; j < r->nexamples; j++) {
			ex = &r->examples[j];
			if (ex->counter)
				continue;
			before = matcher_stats(m)->regex_errors;
			for (k = 0; k < 2; k++) {
				b.len = 0;
				buf_puts(&b, ex->text);
				buf_append(&b, pad[k].data, pad[k].len);
				matcher_run_rule(m, i, b.data, b.len, LEVEL_NONE, NULL,
				    NULL);
			}
			if (matcher_stats(m)->regex_errors != before)
				fprintf(stderr, "%s:%d: warning: with %d bytes "
				    "after this example of '%s', a pattern runs "
				    "into the match limit: bound its runs of any "
				    "bytes\n", r->file, ex->line, LONG_PAD, r->id);
		}
	}
	buf_free(&b);
	buf_free(&pad[0]);
	buf_free(&pad[1]);
	matcher_free(m);
	return 0;
}

/* The matches of one example, collected by the matcher callback. */
struct hits {
	const struct ruleset	*rs;
	int			 want;		/* rule index under test */
	int			 found;
	struct buf		 fields;	/* "k=v\n" of the wanted rule, sorted later */
	char			 others[512];
};

static void
on_match(void *arg, const struct match *m)
{
	struct hits *h = arg;
	size_t i, len;

	if (m->rule_index == h->want) {
		h->found = 1;
		for (i = 0; i < m->nfields; i++) {
			buf_printf(&h->fields, "%s=", m->fields[i].name);
			buf_append(&h->fields, m->fields[i].value, m->fields[i].len);
			buf_putc(&h->fields, '\n');
		}
		return;
	}
	len = strlen(h->others);
	snprintf(h->others + len, sizeof(h->others) - len, "%s%s",
	    len ? ", " : "", m->rule->id);
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the lines of s in place order into a new "a=1, b=2" string. */
static char *
canonical_fields(char **items, size_t n)
{
	struct buf b;
	size_t i;

	qsort(items, n, sizeof(char *), line_cmp);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, items[i]);
	}
	return b.data != NULL ? b.data : xstrdup("");
}

/* The matched fields "k=v\n..." as a sorted "k=v, k=v". */
static char *
fields_from_match(char *lines)
{
	char **items = NULL, *p, *nl, *s;
	size_t n = 0;

	for (p = lines; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		items = xrealloc(items, (n + 1) * sizeof(char *));
		items[n++] = p;
	}
	s = canonical_fields(items, n);
	free(items);
	return s;
}

/*
 * example-fields "k=v, k=v" as a sorted "k=v, k=v".  A comma separates
 * items only when a NAME= follows it, so values may hold commas.
 */
static char *
fields_from_spec(const char *spec)
{
	char *copy = xstrdup(spec), **items = NULL, *p, *start, *comma, *q, *r;
	char *s;
	size_t n = 0;

	start = p = copy;
	for (;;) {
		comma = strchr(p, ',');
		if (comma != NULL) {
			q = comma + 1;
			while (*q == ' ' || *q == '\t')
				q++;
			r = q;
			while (util_ident_byte((unsigned char)*r))
				r++;
			p = comma + 1;
			if (r == q || *r != '=')
				continue;
			*comma = '\0';
		}
		items = xrealloc(items, (n + 1) * sizeof(char *));
		items[n++] = start;
		if (comma == NULL)
			break;
		start = q;
	}
	s = canonical_fields(items, n);
	free(items);
	free(copy);
	return s;
}

struct tally {
	int	examples, counters, scenarios, failed;
	int	verbose;
};

struct first_level {
	int	seen;
	int	level;
};

static void
on_example_record(void *arg, const struct record *rec)
{
	struct first_level *f = arg;

	if (!f->seen) {
		f->seen = 1;
		f->level = rec->level;
	}
}

/*
 * The level of an example's (first) record as ingest reads it, from its
 * envelope or the words after its stamp, for the rules with `levels`.
 */
static int
example_level(const char *text)
{
	struct envelope *env = envelope_new(ENVELOPE_AUTO, NULL);
	struct envelope_line el;
	struct reader_line rl;
	struct multiline *ml;
	const char *p = text, *nl;
	struct first_level f = { 0, LEVEL_NONE };

	ml = multiline_new(NULL, on_example_record, &f);
	memset(&rl, 0, sizeof rl);
	for (;;) {
		nl = strchr(p, '\n');
		rl.p = p;
		rl.len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		rl.lineno++;
		rl.offset = (uint64_t)(p - text);
		rl.end_offset = rl.offset + rl.len + 1;
		envelope_decode(env, rl.p, rl.len, &el);
		multiline_push(ml, &el, &rl);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	multiline_flush(ml);
	multiline_free(ml);
	envelope_free(env);
	return f.level;
}

static void
test_examples(const struct ruleset *rs, struct matcher *m, struct tally *t)
{
	const struct rule *r;
	const struct rule_example *ex;
	struct hits h;
	char *got, *want;
	size_t i, j;
	int level;

	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		for (j = 0; j < r->nexamples; j++) {
			ex = &r->examples[j];
			memset(&h, 0, sizeof h);
			h.rs = rs;
			h.want = (int)i;
			buf_init(&h.fields);
			level = example_level(ex->text);
			matcher_run(m, ex->text, strlen(ex->text), level,
			    on_match, &h);
			if (ex->counter) {
				t->counters++;
				if (h.found) {
					t->failed++;
					fprintf(stderr, "%s:%d: counter-example "
					    "matches rule '%s'\n", r->file, ex->line,
					    r->id);
				} else if (t->verbose) {
					printf("ok %s:%d: %s counter-example\n",
					    r->file, ex->line, r->id);
				}
				buf_free(&h.fields);
				continue;
			}
			t->examples++;
			if (!h.found && r->levels != 0 && level >= 0 &&
			    !(r->levels & (1u << level))) {
				t->failed++;
				fprintf(stderr, "%s:%d: example of rule '%s' is"
				    " a record of level %s, which its levels"
				    " leave out\n", r->file, ex->line, r->id,
				    severity_name((enum severity)level));
				buf_free(&h.fields);
				continue;
			}
			if (!h.found && r->ncatch_cats > 0 && matcher_run_rule(m, i,
			    ex->text, strlen(ex->text), level, NULL, NULL)) {
				t->failed++;
				fprintf(stderr, "%s:%d: example of catch-all "
				    "rule '%s' is taken by %s\n", r->file,
				    ex->line, r->id, h.others);
				buf_free(&h.fields);
				continue;
			}
			if (!h.found) {
				t->failed++;
				fprintf(stderr, "%s:%d: example does not match "
				    "rule '%s'\n", r->file, ex->line, r->id);
				buf_free(&h.fields);
				continue;
			}
			if (h.others[0] != '\0')
				fprintf(stderr, "%s:%d: warning: example of '%s' "
				    "also matches %s\n", r->file, ex->line, r->id,
				    h.others);
			if (ex->fields != NULL) {
				got = fields_from_match(h.fields.data);
				want = fields_from_spec(ex->fields);
				if (strcmp(got, want) != 0) {
					t->failed++;
					fprintf(stderr, "%s:%d: rule '%s': fields "
					    "differ\n    expected: %s\n    got:      ",
					    r->file, ex->line, r->id, want);
					print_escaped(stderr, got, strlen(got));
					fputc('\n', stderr);
				} else if (t->verbose) {
					printf("ok %s:%d: %s example (%s)\n",
					    r->file, ex->line, r->id, got);
				}
				free(got);
				free(want);
			} else if (t->verbose) {
				printf("ok %s:%d: %s example\n", r->file,
				    ex->line, r->id);
			}
			buf_free(&h.fields);
		}
	}
}

/* "2025-10-25T23:57:22Z" (seconds) or with ".mmm": does ms match it? */
static int
time_matches(int64_t ms, const char *want)
{
	char iso[40];

	util_format_iso(ms, iso, sizeof iso);
	if (strcmp(iso, want) == 0)
		return 1;
	/* without a fraction: compare to the second */
	if (strlen(want) == 20 && strncmp(iso, want, 19) == 0 && want[19] == 'Z')
		return 1;
	return 0;
}

static int
check_incident(struct store *s, const struct rule_expect *e, char *why,
    size_t whylen)
{
	struct store_rows *st;
	const char *key;
	size_t i;
	int ok = 0, n = 0, good;

	if (store_incidents_of(s, e->what, e->rule, &st, why, whylen) != 0)
		return 0;
	while (!ok && store_rows_next(st) == 1) {
		n++;
		key = store_rows_text(st, 0);
		good = e->count < 0 || store_rows_int64(st, 3) == e->count;
		for (i = 0; good && i < e->nkv; i++) {
			if (strcmp(e->names[i], "key") == 0)
				good = strcmp(key != NULL ? key : "", e->values[i]) == 0;
			else if (strcmp(e->names[i], "start") == 0)
				good = time_matches(store_rows_int64(st, 1),
				    e->values[i]);
			else if (strcmp(e->names[i], "end") == 0)
				good = time_matches(store_rows_int64(st, 2),
				    e->values[i]);
			else
				good = 0;
		}
		ok = good;
	}
	store_rows_free(st);
	if (!ok)
		util_err(why, whylen, "no such incident among %d %s incident(s) "
		    "of %s", n, e->what, e->rule);
	return ok;
}

/* Does the JSON object text hold name with this string (or number) value? */
static int
json_has(const char *json, const char *name, const char *value)
{
	cJSON *o, *v;
	char num[64];
	int ok = 0;

	if (json == NULL || (o = cJSON_Parse(json)) == NULL)
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (cJSON_IsString(v))
		ok = strcmp(v->valuestring, value) == 0;
	else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof num, "%.17g", v->valuedouble);
		ok = strcmp(num, value) == 0;
	}
	cJSON_Delete(o);
	return ok;
}

static int
check_link(struct store *s, const struct rule_expect *e, char *why,
    size_t whylen)
{
	struct store_rows *st;
	const char *own, *inh;
	long n = 0;
	size_t i;
	int bad = 0;

	if (store_linked_events(s, e->rule, e->target, &st, why, whylen) != 0)
		return 0;
	while (store_rows_next(st) == 1) {
		n++;
		own = store_rows_text(st, 0);
		inh = store_rows_text(st, 1);
		for (i = 0; i < e->nkv; i++) {
			if (!json_has(own, e->names[i], e->values[i]) &&
			    !json_has(inh, e->names[i], e->values[i]) && !bad) {
				bad = 1;
				util_err(why, whylen, "a linked %s event lacks "
				    "%s=%s", e->rule, e->names[i], e->values[i]);
			}
		}
	}
	store_rows_free(st);
	if (bad)
		return 0;
	if ((e->count >= 0 && n != e->count) || (e->count < 0 && n == 0)) {
		util_err(why, whylen, "%ld %s event(s) linked to %s", n,
		    e->rule, e->target);
		return 0;
	}
	return 1;
}

static int
check_expect(struct store *s, const struct rule_expect *e, char *why,
    size_t whylen)
{
	int64_t n;

	switch (e->kind) {
	case RULE_EXPECT_INCIDENT:
		return check_incident(s, e, why, whylen);
	case RULE_EXPECT_INCIDENTS:
		if (store_incident_count(s, &n, why, whylen) != 0)
			n = -1;
		if (n != e->count)
			util_err(why, whylen, "%lld incidents", (long long)n);
		return n == e->count;
	case RULE_EXPECT_LINK:
		return check_link(s, e, why, whylen);
	case RULE_EXPECT_EVENTS:
		if (store_rule_event_count(s, e->rule, &n, why, whylen) != 0)
			n = -1;
		if (n != e->count)
			util_err(why, whylen, "%lld events", (long long)n);
		return n == e->count;
	}
	return 0;
}

static void
test_scenario(const struct ruleset *rs, const struct rule_scenario *sc,
    struct tally *t)
{
	struct ingest_opts opts;
	struct store_ingest_counts c;
	struct rule_expect e;
	struct store *st;
	struct ingest *in = NULL;
	char err[512], why[512];
	size_t i;
	int failed = 0;

	t->scenarios++;
	st = store_open(":memory:", STORE_CREATE, err, sizeof err);
	if (st == NULL)
		goto fail;
	if (store_begin(st, err, sizeof err) != 0 ||
	    store_sync_rules(st, rs, err, sizeof err) != 0 ||
	    store_commit(st, err, sizeof err) != 0) {
		store_rollback(st);
		goto fail;
	}
	memset(&opts, 0, sizeof opts);
	opts.source = sc->name;
	opts.format = ENVELOPE_AUTO;
	opts.commit_ms = 1000;
	if ((in = ingest_new(st, rs, &opts, err, sizeof err)) == NULL)
		goto fail;
	if (ingest_buffer(in, sc->name, sc->input, strlen(sc->input), &c, err,
	    sizeof err) != 0)
		goto fail;
	for (i = 0; i < sc->nexpects; i++) {
		if (rule_expect_parse(sc->expects[i], &e, why, sizeof why) != 0) {
			failed = 1;
			fprintf(stderr, "%s:%d: scenario '%s': %s\n", sc->file,
			    sc->expect_lines[i], sc->name, why);
			continue;
		}
		why[0] = '\0';
		if (!check_expect(st, &e, why, sizeof why)) {
			failed = 1;
			fprintf(stderr, "%s:%d: scenario '%s': expected %s; got %s\n",
			    sc->file, sc->expect_lines[i], sc->name,
			    sc->expects[i], why);
		} else if (t->verbose) {
			printf("ok %s:%d: scenario %s: %s\n", sc->file,
			    sc->expect_lines[i], sc->name, sc->expects[i]);
		}
		rule_expect_free(&e);
	}
	if (failed)
		t->failed++;
	ingest_free(in);
	store_close(st);
	return;
fail:
	t->failed++;
	fprintf(stderr, "%s:%d: scenario '%s': %s\n", sc->file, sc->line,
	    sc->name, err);
	ingest_free(in);
	store_close(st);
}

/* Records shown per rule and per missed template, and bytes of each shown. */
#define RT_SHOWN	3
#define RT_TEXT_MAX	300

/* A record of warning level or worse that no rule with a pattern matched. */
struct rt_missed {
	uint64_t	 line;
	uint32_t	 id;		/* the miner's template */
	char		*text;		/* its first line, at most RT_TEXT_MAX bytes */
};

/* What `rules test --input` gathers while the log is ingested. */
struct rt {
	struct template_miner	*miner;
	struct buf		 msg;
	struct rt_missed	*v;
	size_t			 n, cap;
	uint32_t		*kept;		/* per template id: records kept */
	signed char		*level;		/* ... and the worst level */
	size_t			 nids, capkept, caplevel;
	int			 all;		/* --show-missed */
	uint64_t		 records, matched, missed;
};

/* The last line of text[0..len) that is not blank. */
static const char *
rt_last_line(const char *text, size_t len, size_t *n)
{
	const char *nl;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
	    text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	nl = memrchr(text, '\n', len);
	*n = len - (nl != NULL ? (size_t)(nl + 1 - text) : 0);
	return nl != NULL ? nl + 1 : text;
}

/*
 * Each record after the rules saw it: one that no rule with a pattern
 * matched is mined by its message (after stamp and level) as `patterns`
 * does, a traceback by its exception line too.
 */
static void
rt_on_record(void *arg, const struct record *rec, int nmatched)
{
	struct rt *t = arg;
	const char *msg, *nl, *last;
	size_t n, lastn;
	uint32_t id;
	int level;

	t->records++;
	if (nmatched > 0)
		t->matched++;
	if (nmatched > 0 || (level = generic_level(rec)) < SEV_WARNING)
		return;
	t->missed++;
	msg = rec->text + (rec->body <= rec->len ? rec->body : 0);
	n = (size_t)(rec->text + rec->len - msg);
	if ((nl = memchr(msg, '\n', n)) != NULL)
		n = (size_t)(nl - msg);
	buf_reset(&t->msg);
	last = (rec->flags & RECORD_TRACEBACK) ?
	    rt_last_line(rec->text, rec->len, &lastn) : NULL;
	if (last != NULL && (n == 0 || (n >= 9 && memcmp(msg, "Traceback", 9) == 0)))
		buf_append(&t->msg, last, lastn);
	else {
		buf_append(&t->msg, msg, n);
		if (last != NULL) {
			buf_puts(&t->msg, " | ");
			buf_append(&t->msg, last, lastn);
		}
	}
	id = template_miner_add(t->miner, t->msg.data != NULL ? t->msg.data : "",
	    t->msg.len);
	while (t->nids <= id) {
		t->kept = util_grow(t->kept, &t->capkept, t->nids,
		    sizeof(*t->kept), 64);
		t->level = util_grow(t->level, &t->caplevel, t->nids,
		    sizeof(*t->level), 64);
		t->kept[t->nids] = 0;
		t->level[t->nids] = (signed char)LEVEL_NONE;
		t->nids++;
	}
	if (level > t->level[id])
		t->level[id] = (signed char)level;
	/* the first few of each template are enough, as merging keeps order */
	if (!t->all && t->kept[id] >= RT_SHOWN)
		return;
	t->kept[id]++;
	nl = memchr(rec->text, '\n', rec->len);
	n = nl != NULL ? (size_t)(nl - rec->text) : rec->len;
	t->v = util_grow(t->v, &t->cap, t->n, sizeof(*t->v), 64);
	t->v[t->n].line = rec->line_first;
	t->v[t->n].id = id;
	t->v[t->n].text = xstrndup(rec->text, n < RT_TEXT_MAX ? n : RT_TEXT_MAX);
	t->n++;
}

/* One shown record: "  line N: text" escaped for the terminal. */
static void
rt_print_line(const char *indent, uint64_t line, const char *text, size_t n)
{
	const char *nl = memchr(text, '\n', n);

	if (nl != NULL)
		n = (size_t)(nl - text);
	printf("%sline %llu: ", indent, (unsigned long long)line);
	print_escaped(stdout, text, n < RT_TEXT_MAX ? n : RT_TEXT_MAX);
	printf("%s\n", n > RT_TEXT_MAX ? "..." : "");
}

static cJSON *
rt_json_line(uint64_t line, const char *text, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	const char *nl = memchr(text, '\n', n);
	char *s;

	if (nl != NULL)
		n = (size_t)(nl - text);
	s = xstrndup(text, n < RT_TEXT_MAX ? n : RT_TEXT_MAX);
	cJSON_AddNumberToObject(o, "line", (double)line);
	cJSON_AddStringToObject(o, "text", s);
	free(s);
	return o;
}

/* The missed templates, worst level first, then the most records, then the earliest. */
static const struct rt *rt_sort;
static const uint64_t *rt_first;

static int
rt_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint64_t cx = template_miner_size(rt_sort->miner, x);
	uint64_t cy = template_miner_size(rt_sort->miner, y);

	if (rt_sort->level[x] != rt_sort->level[y])
		return rt_sort->level[x] > rt_sort->level[y] ? -1 : 1;
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return rt_first[x] < rt_first[y] ? -1 : rt_first[x] > rt_first[y];
}

/* Per rule, how many records it matched and the first few, from the store. */
static int
rt_rules(const struct ruleset *rs, struct store *s, int verbose, cJSON *json,
    char *err, size_t errlen)
{
	struct store_rows *fs = NULL;
	cJSON *arr = NULL, *o, *recs;
	size_t i, silent = 0;
	int64_t count;
	long n;
	int rc = -1;

	if (json != NULL)
		arr = cJSON_AddArrayToObject(json, "rules");
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];

		if (store_rule_event_count(s, r->id, &count, err, errlen) != 0)
			goto out;
		n = (long)count;
		if (n == 0 && json == NULL && !verbose) {
			silent++;
			continue;
		}
		if (json != NULL) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", r->id);
			cJSON_AddNumberToObject(o, "count", (double)n);
			recs = cJSON_AddArrayToObject(o, "records");
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("\n%-28s %ld record%s%s\n", r->id, n, n == 1 ? "" : "s",
			    r->disabled ? " (disabled)" : "");
			recs = NULL;
		}
		if (store_rule_events(s, r->id, RT_SHOWN, &fs, err, errlen) != 0)
			goto out;
		while (store_rows_next(fs) == 1) {
			const char *text = store_rows_text(fs, 1);
			size_t len = store_rows_bytes(fs, 1);
			uint64_t line = (uint64_t)store_rows_int64(fs, 0);

			if (recs != NULL)
				cJSON_AddItemToArray(recs, rt_json_line(line,
				    text != NULL ? text : "", len));
			else
				rt_print_line("  ", line, text != NULL ? text : "",
				    len);
		}
		store_rows_free(fs);
		fs = NULL;
		if (recs == NULL && n > RT_SHOWN)
			printf("  ... %ld more\n", n - RT_SHOWN);
	}
	if (json == NULL && silent > 0)
		printf("\n%zu rule%s matched nothing (-v lists them)\n", silent,
		    silent == 1 ? "" : "s");
	rc = 0;
out:
	store_rows_free(fs);
	return rc;
}

/* The missed records by template. */
static void
rt_missed_out(struct rt *t, cJSON *json)
{
	uint32_t *order, f;
	uint64_t *first;
	size_t i, k, nt = 0, shown;
	struct buf tb;
	cJSON *m = NULL, *arr = NULL, *o, *recs = NULL;

	/* a miner that was given nothing has nothing to merge */
	if (t->nids > 0)
		template_miner_finish(t->miner);
	first = xcalloc(t->nids + 1, sizeof(*first));
	order = xcalloc(t->nids + 1, sizeof(*order));
	for (i = 0; i < t->nids; i++)
		first[i] = UINT64_MAX;
	for (i = 0; i < t->n; i++) {
		t->v[i].id = template_miner_final(t->miner, t->v[i].id);
		if (t->v[i].line < first[t->v[i].id])
			first[t->v[i].id] = t->v[i].line;
	}
	for (i = 0; i < t->nids; i++) {
		f = template_miner_final(t->miner, (uint32_t)i);
		if (f != i && t->level[i] > t->level[f])
			t->level[f] = t->level[i];
	}
	for (i = 0; i < t->nids; i++)
		if (template_miner_final(t->miner, (uint32_t)i) == i)
			order[nt++] = (uint32_t)i;
	rt_sort = t;
	rt_first = first;
	qsort(order, nt, sizeof(*order), rt_cmp);
	if (json != NULL) {
		m = cJSON_AddObjectToObject(json, "missed");
		cJSON_AddNumberToObject(m, "records", (double)t->missed);
		arr = cJSON_AddArrayToObject(m, "templates");
	} else
		printf("\nmissed: %llu record%s of warning level or worse that no"
		    " rule matched, %zu template%s\n", (unsigned long long)t->missed,
		    t->missed == 1 ? "" : "s", nt, nt == 1 ? "" : "s");
	buf_init(&tb);
	for (k = 0; k < nt; k++) {
		f = order[k];
		buf_reset(&tb);
		template_miner_text(t->miner, f, &tb);
		if (json != NULL) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "template", tb.data != NULL ?
			    tb.data : "");
			cJSON_AddStringToObject(o, "severity",
			    severity_name((enum severity)t->level[f]));
			cJSON_AddNumberToObject(o, "count",
			    (double)template_miner_size(t->miner, f));
			recs = cJSON_AddArrayToObject(o, "records");
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("\n  %llu x %-8s ", (unsigned long long)
			    template_miner_size(t->miner, f),
			    severity_name((enum severity)t->level[f]));
			print_escaped(stdout, tb.data != NULL ? tb.data : "", tb.len);
			putchar('\n');
		}
		shown = 0;
		for (i = 0; i < t->n; i++) {
			if (t->v[i].id != f || (!t->all && shown >= RT_SHOWN))
				continue;
			shown++;
			if (recs != NULL)
				cJSON_AddItemToArray(recs, rt_json_line(t->v[i].line,
				    t->v[i].text, strlen(t->v[i].text)));
			else
				rt_print_line("    ", t->v[i].line, t->v[i].text,
				    strlen(t->v[i].text));
		}
		if (recs == NULL && template_miner_size(t->miner, f) > shown)
			printf("    ... %llu more (--show-missed lists them)\n",
			    (unsigned long long)(template_miner_size(t->miner, f) -
			    shown));
	}
	buf_free(&tb);
	free(order);
	free(first);
}

static void
rt_free(struct rt *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	free(t->kept);
	free(t->level);
	buf_free(&t->msg);
	if (t->miner != NULL)
		template_miner_free(t->miner);
}

/*
 * `rules test --input`: the log through ingest's pipeline into a store in
 * memory, then what each rule made of it and what none did.
 */
static int
test_input(const struct ruleset *rs, const char *path, int show_missed,
    int json, int verbose)
{
	struct ingest_opts opts;
	struct store_ingest_counts c;
	struct store *st;
	struct ingest *in = NULL;
	struct rt t;
	cJSON *root = NULL;
	char err[1024], *out;
	int rc = EXIT_RUNTIME;

	memset(&t, 0, sizeof t);
	t.miner = template_miner_new();
	t.all = show_missed;
	buf_init(&t.msg);
	st = store_open(":memory:", STORE_CREATE, err, sizeof err);
	if (st == NULL)
		goto fail;
	if (store_begin(st, err, sizeof err) != 0 ||
	    store_sync_rules(st, rs, err, sizeof err) != 0 ||
	    store_commit(st, err, sizeof err) != 0) {
		store_rollback(st);
		goto fail;
	}
	memset(&opts, 0, sizeof opts);
	opts.format = ENVELOPE_AUTO;
	/* the whole log: its unfinished last record too */
	opts.final = 1;
	opts.on_record = rt_on_record;
	opts.on_record_arg = &t;
	if ((in = ingest_new(st, rs, &opts, err, sizeof err)) == NULL)
		goto fail;
	err[0] = '\0';
	if (ingest_input(in, path, &c, err, sizeof err) != 0)
		goto fail;
	if (json) {
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "input", path);
		cJSON_AddNumberToObject(root, "records", (double)t.records);
	}
	if (json)
		cJSON_AddNumberToObject(root, "matched", (double)t.matched);
	else
		printf("%s: %llu records, %llu matched by a rule's pattern, %llu of"
		    " warning level or worse by none\n", path,
		    (unsigned long long)t.records, (unsigned long long)t.matched,
		    (unsigned long long)t.missed);
	if (rt_rules(rs, st, verbose, root, err, sizeof err) != 0)
		goto fail;
	rt_missed_out(&t, root);
	if (json) {
		out = cJSON_Print(root);
		printf("%s\n", out);
		free(out);
	}
	rc = EXIT_OK;
	goto out;
fail:
	cmd_error("rules test: %s", err);
out:
	cJSON_Delete(root);
	ingest_free(in);
	store_close(st);
	rt_free(&t);
	return rc;
}

static int
rules_exec(int argc, char **argv)
{
	const char **cli = NULL;
	struct diag_list diags;
	struct ruleset *rs = NULL;
	struct matcher *m = NULL;
	struct tally t;
	struct rules_dir *dirs = NULL;
	char err[256];
	const char *action, *input = NULL, *format = "text";
	size_t ncli = 0, ndirs = 0, i;
	int c, verbose = 0, no_defaults = 0, show_missed = 0, rc = EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":v", rules_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_RULES:
			cli = xrealloc(cli, (ncli + 1) * sizeof(*cli));
			cli[ncli++] = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case OPT_NO_DEFAULT_RULES:
			no_defaults = 1;
			break;
		case OPT_INPUT:
			input = optarg;
			break;
		case OPT_SHOW_MISSED:
			show_missed = 1;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_HELP:
			cmd_usage(&cmd_rules_entry, rules_options);
			free(cli);
			return EXIT_OK;
		default:
			free(cli);
			return cmd_option_error(&cmd_rules_entry, c, argv);
		}
	}
	if (optind != argc - 1) {
		cmd_error("rules: expected one action: list, check or test");
		free(cli);
		return EXIT_USAGE;
	}
	action = argv[optind];
	if (strcmp(action, "list") != 0 && strcmp(action, "check") != 0 &&
	    strcmp(action, "test") != 0) {
		cmd_error("rules: unknown action '%s' (list, check, test)", action);
		free(cli);
		return EXIT_USAGE;
	}
	memset(&diags, 0, sizeof diags);
	if ((input == NULL && (show_missed || strcmp(format, "text") != 0)) ||
	    (input != NULL && strcmp(action, "test") != 0)) {
		cmd_error("rules: --input, --show-missed and --format go with"
		    " `rules test --input FILE`");
		goto out;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		cmd_error("rules: unknown format '%s' (text json)", format);
		goto out;
	}
	if (no_defaults && ncli == 0) {
		cmd_error("rules: --no-default-rules needs --rules");
		goto out;
	}
	dirs = rules_layers(cli, ncli, no_defaults, &ndirs);
	rs = ruleset_load_layers(dirs, ndirs, &diags);
	if (diags.n > 0) {
		diag_print(stderr, &diags);
		cmd_error("rules: %zu error%s in %s", diags.n,
		    diags.n == 1 ? "" : "s", ndirs == 1 ? dirs[0].path :
		    "the rules");
		goto out;
	}
	if (rs->n == 0) {
		cmd_error("rules: no rules found in %s", ndirs == 1 ?
		    dirs[0].path : "the rules directories");
		goto out;
	}
	if (strcmp(action, "list") == 0) {
		list_rules(rs, verbose);
		rc = EXIT_OK;
		goto out;
	}
	if (strcmp(action, "check") == 0) {
		warn_unfiltered(rs);
		if (warn_long_records(rs, err, sizeof err) != 0) {
			cmd_error("rules: %s", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
		printf("%zu rules and %zu scenarios in %zu files: ok\n", rs->n,
		    rs->nscenarios, rs->nfiles);
		rc = EXIT_OK;
		goto out;
	}
	if (input != NULL) {
		rc = test_input(rs, input, show_missed, strcmp(format, "json") == 0,
		    verbose);
		goto out;
	}
	if ((m = matcher_new(rs, err, sizeof err)) == NULL) {
		cmd_error("rules: %s", err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	memset(&t, 0, sizeof t);
	t.verbose = verbose;
	test_examples(rs, m, &t);
	for (i = 0; i < rs->nscenarios; i++)
		test_scenario(rs, &rs->scenarios[i], &t);
	printf("%d examples, %d counter-examples, %d scenarios: %d failed\n",
	    t.examples, t.counters, t.scenarios, t.failed);
	rc = t.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
out:
	matcher_free(m);
	ruleset_free(rs);
	diag_list_free(&diags);
	rules_dirs_free(dirs, ndirs);
	free(cli);
	return rc;
}

const struct cmd_entry cmd_rules_entry = {
	"rules",
	"list|check|test [--rules DIR]... [--no-default-rules] [-v]"
	" [--input FILE|- [--show-missed] [--format text|json]]",
	"Show, check or test the rules (examples, counter-examples, scenarios,"
	" or a log read without storing it).",
	rules_exec,
	0
};
