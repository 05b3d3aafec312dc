/*
 * rules.h - the rule language: load the `*.rules` files of rules/ into a ruleset,
 * compile their PCRE2 patterns (JIT), and collect every mistake as a
 * diagnostic with file, line and column.  Knows nothing about records,
 * SQL or screens.  See man/logtriage.rules.5 for the language.
 */
#ifndef LOGTRIAGE_RULES_H
#define LOGTRIAGE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "severity.h"

/* One diagnostic: "file:line:col: message", with the source line for a caret. */
struct diag {
	char	*file;
	int	 line;
	int	 col;		/* 0 when not known */
	char	*msg;
	char	*src;		/* the offending line, or NULL */
};

struct diag_list {
	struct diag	*v;
	size_t		 n;
	size_t		 cap;
};
void diag_add(struct diag_list *d, const char *file, int line, int col,
    const char *src, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_list_free(struct diag_list *d);

struct rule_example {
	char	*text;		/* one record (may hold "\n" for multi-line examples) */
	int	 line;		/* where it was written */
	int	 counter;	/* 1: must NOT match */
	char	*fields;	/* example-fields for the example just before: "k=v, k=v", or NULL */
};

struct rule_pattern {
	char		*source;	/* the pattern as written */
	int		 line;
	pcre2_code	*code;
};

/* A multi-line example stream with the incidents and links it must produce. */
struct rule_scenario {
	char	*name;
	char	*file;
	int	 line;
	char	*input;		/* the stream, lines joined by '\n' */
	char	**expects;	/* "KIND VALUE" for each expect-KIND = VALUE line */
	int	*expect_lines;
	size_t	 nexpects;
	int	 layer_no;	/* a later layer's scenario of this name replaces it */
};

/*
 * One scenario expectation, parsed from the text kept in rule_scenario.expects
 * ("incident storm ws-keepalive-1011 key=10.0.0.1 count=25",
 * "incidents 1", "link fallback -> provider-timeout model=kimi",
 * "events fallback 2"; the language is described in rules/websocket.rules).
 */
enum rule_expect_kind {
	RULE_EXPECT_INCIDENT,	/* an incident with these attributes exists */
	RULE_EXPECT_INCIDENTS,	/* exactly count incidents in all */
	RULE_EXPECT_LINK,	/* events of rule linked to events of target */
	RULE_EXPECT_EVENTS	/* exactly count events of rule */
};

struct rule_expect {
	enum rule_expect_kind	 kind;
	char			*what;		/* incident kind: storm, unresolved, open */
	char			*rule;
	char			*target;	/* link target rule */
	long			 count;		/* -1 when not given */
	char			**names;	/* other key=value pairs, in order */
	char			**values;
	size_t			 nkv;
};

/* Parse one expectation; 0, or -1 with err.  Free with rule_expect_free. */
int rule_expect_parse(const char *text, struct rule_expect *e, char *err,
    size_t errlen);
void rule_expect_free(struct rule_expect *e);

/* A statistic of a metric distribution and a comparison, for thresholds. */
enum rule_stat {
	RULE_STAT_MEAN,
	RULE_STAT_P50,
	RULE_STAT_P95,
	RULE_STAT_P99,
	RULE_STAT_MAX
};

/* slow = STAT OP VALUE: a distribution over this is a finding. */
struct rule_threshold {
	enum rule_stat	 stat;
	int		 inclusive;	/* 1: >=, 0: > */
	double		 value;		/* in the unit the values are stored in */
};

const char *rule_stat_name(enum rule_stat s);

/*
 * Parse "p95 > 8s" for a metric whose values are stored in unit (NULL: a
 * bare number; "ms": a duration, the value must carry a duration unit;
 * else a number optionally followed by that unit).  Returns 0, or -1 with
 * err and *errcol, the 0-based offset in text of the mistake.
 */
int rule_threshold_parse(const char *text, const char *unit,
    struct rule_threshold *t, char *err, size_t errlen, size_t *errcol);

/* The threshold as stored in the rules table: "p95 > 8000ms", "max >= 512". */
void rule_threshold_text(const struct rule_threshold *t, const char *unit,
    struct buf *out);
/*
 * The built-in rules that make every record of error level or worse (and
 * every traceback) an event when no specific rule claimed it, and every
 * warning record no rule matched at all.  They have no
 * match pattern: ingest reads the record's level.  Each is a rule like the
 * others: a rules file section with its id may set its severity, summary,
 * exclude patterns or `enabled = false`.
 */
#define RULE_LOG_ERROR		"log-error"	/* records at ERROR, tracebacks */
#define RULE_LOG_CRITICAL	"log-critical"	/* CRITICAL, FATAL, panic, emerg */
#define RULE_LOG_WARNING	"log-warning"	/* records at WARNING no rule matched */

struct rule {
	char			*id;
	char			*category;
	enum severity		 severity;
	char			*summary;	/* with {field} placeholders, or NULL */
	char			*file;
	int			 line;		/* of the [id] header */
	struct rule_pattern	*match;		/* 1 or more; any one matching is a match */
	size_t			 nmatch;
	struct rule_pattern	*exclude;	/* any one matching vetoes */
	size_t			 nexclude;
	struct rule_example	*examples;
	size_t			 nexamples;
	uint64_t		 hash;		/* of the section's text, stored with the rule */
	int			 by_level;	/* built in: the record level it takes (SEV_ERROR, SEV_CRITICAL), else 0 */
	int			 disabled;	/* enabled = false: matches nothing */
	/*
	 * catch-all = CATEGORY[, ...]: an event only of the records no rule
	 * of its own category or of these matched, other catch-alls
	 * included (they run after the other rules, in rule order).
	 */
	char			**catch_cats;
	size_t			 ncatch_cats;
	/*
	 * levels = L[..L][, ...]: the record levels the rule takes, a bit
	 * per severity (1 << SEV_INFO ...); 0, the key absent, takes any.  A
	 * record whose level could not be read is taken either way: its
	 * patterns alone decide.
	 */
	unsigned		 levels;
	const char		*layer;		/* "default", "system", "user", "cli", "built-in" */
	char			*enabled_at;	/* "file:line" of a later layer's enabled line, or NULL */

	/* correlation (0 / NULL when absent) */
	int			 storm_n;	/* storm = N in W [by F] */
	int64_t			 storm_window_ms;
	char			*storm_by;
	char			*expect_rule;	/* expect = R within W [by F] */
	int64_t			 expect_within_ms;
	char			*expect_by;
	/*
	 * follows = R1[, R2...] within W [by F]: link to the latest event of
	 * any listed rule.  follows_rules holds the ids in the order written;
	 * follows_rule is the same list joined by ", " (a single id when one
	 * rule is listed), the form stored in the rules table.
	 */
	char			*follows_rule;
	char			**follows_rules;
	size_t			 nfollows;
	int64_t			 follows_within_ms;
	char			*follows_by;	/* field shown in link breakdowns */
	char			*metric_field;	/* metric = F [by G] */
	char			*metric_by;
	/*
	 * unit = U: the unit of the metric field as logged; a duration unit
	 * (us, ms, s) sets unit_ms, the ms it is worth, and values are stored
	 * in ms.  A match group named "unit" (us, ms or s) overrides it per
	 * event (unit_captured).  value_unit is the unit of stored values:
	 * "ms" for durations, the declared unit otherwise, NULL for none.
	 */
	char			*unit;
	double			 unit_ms;
	int			 unit_captured;
	const char		*value_unit;
	int			 has_slow;	/* slow = STAT OP VALUE */
	struct rule_threshold	 slow;
	/*
	 * same = F1[, F2...] within W: an event with the values of these
	 * fields equal to an earlier event's of the same source at most W
	 * before it is the same sample logged again (a duplicate).
	 */
	char			**same_fields;
	size_t			 nsame;
	int64_t			 same_within_ms;
	/* counts = NOUN [by F]: each event is one of NOUN (requests), per F */
	char			*counts;
	char			*counts_by;
	/* means = double-release | release-refused: what findings make of it */
	char			*means;
};

struct ruleset {
	struct rule		*rules;
	size_t			 n;
	size_t			 cap;		/* rules allocated */
	struct rule_scenario	*scenarios;
	size_t			 nscenarios;
	char			**files;	/* files loaded, in order */
	size_t			 nfiles;
};

/*
 * Load every *.rules file of each path (a directory or a single file),
 * in name order, all in one layer: a rule id written twice is a mistake.
 * Returns a ruleset (possibly empty) and appends every problem to diags;
 * the caller treats diags->n > 0 as failure.  The caller frees the
 * ruleset with ruleset_free.
 */
struct ruleset *ruleset_load(const char *const *paths, size_t npaths,
    struct diag_list *diags);
void ruleset_free(struct ruleset *rs);

/* The rule with this id, or NULL. */
const struct rule *ruleset_find(const struct ruleset *rs, const char *id);
int ruleset_index(const struct ruleset *rs, const char *id);	/* -1 if absent */

/*
 * One rules directory (or file) of a layer.  Layers load in order; a rule
 * id a later layer writes again replaces the earlier rule, or, when its
 * section holds only `enabled`, turns the earlier rule on or off.  Within
 * one layer an id written twice is a mistake.  An optional directory (a
 * drop-in directory) may be missing or hold no rules files.
 */
struct rules_dir {
	char		*path;
	const char	*layer;		/* a name for `rules list` */
	int		 layer_no;	/* paths of one layer share it */
	int		 optional;
};

struct ruleset *ruleset_load_layers(const struct rules_dir *dirs, size_t n,
    struct diag_list *diags);

/*
 * The rules directories, layer by layer: the defaults ($LOGTRIAGE_RULES,
 * colon-separated, else ./rules beside a build-tree binary, else
 * PREFIX/share/logtriage/rules relative to the installed binary), then
 * SYSCONFDIR/logtriage/rules.d ($LOGTRIAGE_SYSCONFDIR overrides
 * SYSCONFDIR, /etc by default), then $XDG_CONFIG_HOME/logtriage/rules.d
 * (~/.config when unset), then each --rules path as a layer of its own.
 * no_defaults (--no-default-rules) keeps only the --rules paths.  Sets *n;
 * the caller frees the array with rules_dirs_free.
 */
struct rules_dir *rules_layers(const char *const *cli, size_t ncli,
    int no_defaults, size_t *n);
void rules_dirs_free(struct rules_dir *dirs, size_t n);

/*
 * A hash of the effective rule set: every rule's id, hash and on/off
 * state, in id order.  The store keeps it per input so that a rule added,
 * changed or turned off since makes the input be read again.
 */
uint64_t ruleset_hash(const struct ruleset *rs);

/* Print diagnostics as "file:line:col: msg", the line and a caret. */
#include <stdio.h>
void diag_print(FILE *fp, const struct diag_list *d);

#endif
