/*
 * rules.c - load rule files: an INI-like language of `[id]` sections with
 * `key = value` lines (values raw, no escaping), `[scenario NAME]` sections
 * holding small example streams, PCRE2 compilation with JIT, and every
 * mistake collected as a diagnostic with file, line and column so a user
 * fixes them all in one go.  Knows nothing about records, SQL or screens,
 * nor what the matcher derives from a pattern to prefilter records.
 */
#include "rules.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern_image.h"
#include "util.h"

#ifndef LOGTRIAGE_DATADIR
#define LOGTRIAGE_DATADIR "/usr/local/share"
#endif
#ifndef LOGTRIAGE_SYSCONFDIR
#define LOGTRIAGE_SYSCONFDIR "/etc"
#endif

/* Words a correlation value may hold: a follows list of 32 rules and "within W by F". */
#define RULE_WINDOW_WORDS 36
/* The largest rules file read: 10k rules take about 4 MiB. */
#define RULES_FILE_MAX	(16 << 20)
/* What is read at a time once the file has grown past its size at open. */
#define READ_CHUNK	8192

void
diag_add(struct diag_list *d, const char *file, int line, int col,
    const char *src, const char *fmt, ...)
{
	struct diag *g;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = xstrdup(fmt);
	va_end(ap);
	d->v = util_grow(d->v, &d->cap, d->n, sizeof(*d->v), 8);
	g = &d->v[d->n++];
	g->file = xstrdup(file != NULL ? file : "-");
	g->line = line;
	g->col = col;
	g->msg = msg;
	g->src = src != NULL ? xstrdup(src) : NULL;
}

void
diag_list_free(struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
		free(d->v[i].src);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/*
 * The source line made safe for a terminal, with the caret placed under
 * the character that holds byte column col (1-based): tabs become one
 * space and each escaped byte widens the line, so the caret is computed on
 * the shown text, not on the raw bytes.
 */
static void
diag_show_line(FILE *fp, const char *src, int col)
{
	struct buf shown, tmp;
	size_t i, n = strlen(src), caret = 0, seq;
	int found = 0;

	buf_init(&shown);
	buf_init(&tmp);
	for (i = 0; i < n; i += seq) {
		if (!found && col > 0 && (size_t)col - 1 <= i) {
			caret = shown.len;
			found = 1;
		}
		seq = util_utf8_seq((const unsigned char *)src + i, n - i);
		if (src[i] == '\t') {
			buf_putc(&shown, ' ');
			seq = 1;
		} else if (seq > 1) {
			buf_append(&shown, src + i, seq);
		} else {
			seq = 1;
			buf_reset(&tmp);
			util_escape_terminal(&tmp, src + i, 1, 0);
			buf_append(&shown, tmp.data, tmp.len);
		}
	}
	if (!found)
		caret = shown.len;
	fprintf(fp, "    %s\n", shown.data != NULL ? shown.data : "");
	if (col > 0)
		fprintf(fp, "    %*s^\n", (int)caret, "");
	buf_free(&shown);
	buf_free(&tmp);
}

void
diag_print(FILE *fp, const struct diag_list *d)
{
	const struct diag *g;
	size_t i;

	for (i = 0; i < d->n; i++) {
		g = &d->v[i];
		if (g->line > 0 && g->col > 0)
			fprintf(fp, "%s:%d:%d: %s\n", g->file, g->line, g->col, g->msg);
		else if (g->line > 0)
			fprintf(fp, "%s:%d: %s\n", g->file, g->line, g->msg);
		else
			fprintf(fp, "%s: %s\n", g->file, g->msg);
		if (g->src != NULL)
			diag_show_line(fp, g->src, g->col);
	}
}

/*
 * The rule keys, as indexes of the directive table (rule_directives), in
 * the order their checks run once every rule is loaded.
 */
enum {
	K_MATCH, K_CATEGORY, K_SEVERITY, K_EXPECT, K_FOLLOWS, K_STORM,
	K_METRIC, K_SUMMARY, K_UNIT, K_SLOW, K_SAME, K_COUNTS, K_EXCLUDE,
	K_EXAMPLE, K_COUNTER_EXAMPLE, K_EXAMPLE_FIELDS, K_MEANS, K_ENABLED,
	K_CATCH_ALL, K_LEVELS, K_COUNT
};

/*
 * Where each key of a rule was first written (line 0: never), with its
 * source line and value, for the checks that need every rule loaded.
 */
struct rule_where {
	int	 line[K_COUNT];
	int	 col[K_COUNT];
	char	*src[K_COUNT];
	char	*value[K_COUNT];
	int	 layer_no;	/* of the section that defined the rule */
};

/* Parser state for one file. */
struct parse {
	struct ruleset		*rs;
	struct diag_list	*diags;
	const char		*file;	/* the name diagnostics use */
	struct rule		*rule;	/* current rule section, or NULL */
	struct rule_scenario	*scen;	/* current scenario section, or NULL */
	int			 skip;	/* inside a broken section header */
	struct rule_where	**where;	/* parallel to rs->rules */
	size_t			 wherecap;
	const char		*section_start;	/* for the section hash */
	const char		*section_end;
	const char		*layer;		/* the layer being loaded */
	int			 layer_no;
	int			 replaces;	/* rule a later layer writes again, or -1 */
};

static struct rule_where *
where_of(struct parse *p, size_t i)
{
	return p->where[i];
}

static void
where_free(struct rule_where *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < K_COUNT; i++) {
		free(w->src[i]);
		free(w->value[i]);
	}
	free(w);
}

static void
pattern_free(struct rule_pattern *p)
{
	free(p->source);
	if (p->code != NULL)
		pcre2_code_free(p->code);
}

static void
rule_free(struct rule *r)
{
	size_t i;

	free(r->id);
	free(r->category);
	free(r->summary);
	free(r->file);
	for (i = 0; i < r->nmatch; i++)
		pattern_free(&r->match[i]);
	free(r->match);
	for (i = 0; i < r->nexclude; i++)
		pattern_free(&r->exclude[i]);
	free(r->exclude);
	for (i = 0; i < r->nexamples; i++) {
		free(r->examples[i].text);
		free(r->examples[i].fields);
	}
	free(r->examples);
	free(r->storm_by);
	free(r->expect_rule);
	free(r->expect_by);
	free(r->follows_rule);
	for (i = 0; i < r->nfollows; i++)
		free(r->follows_rules[i]);
	free(r->follows_rules);
	free(r->follows_by);
	free(r->metric_field);
	free(r->metric_by);
	free(r->unit);
	for (i = 0; i < r->nsame; i++)
		free(r->same_fields[i]);
	free(r->same_fields);
	free(r->counts);
	free(r->counts_by);
	free(r->means);
	free(r->enabled_at);
	for (i = 0; i < r->ncatch_cats; i++)
		free(r->catch_cats[i]);
	free(r->catch_cats);
}

static void
scenario_free(struct rule_scenario *s)
{
	size_t i;

	free(s->name);
	free(s->file);
	free(s->input);
	for (i = 0; i < s->nexpects; i++)
		free(s->expects[i]);
	free(s->expects);
	free(s->expect_lines);
}

void
ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->nscenarios; i++)
		scenario_free(&rs->scenarios[i]);
	free(rs->scenarios);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs);
}

const struct rule *
ruleset_find(const struct ruleset *rs, const char *id)
{
	int i = ruleset_index(rs, id);

	return i < 0 ? NULL : &rs->rules[i];
}

int
ruleset_index(const struct ruleset *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->rules[i].id, id) == 0)
			return (int)i;
	}
	return -1;
}

static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' &&
		    s[i] != '.')
			return 0;
	}
	return 1;
}

static int
valid_field_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	}
	return 1;
}

/*
 * A later layer wrote the id of rule i again as the last rule: a section
 * with only `enabled` turns rule i on or off, any other replaces it.
 */
static void
replace_rule(struct parse *p, size_t i)
{
	struct ruleset *rs = p->rs;
	struct rule *old = &rs->rules[i], *r = &rs->rules[rs->n - 1];
	struct rule_where *w = p->where[rs->n - 1];
	size_t k;
	int only_enabled = w->line[K_ENABLED] != 0;

	for (k = 0; k < K_COUNT && only_enabled; k++)
		if (k != K_ENABLED && w->line[k] != 0)
			only_enabled = 0;
	if (only_enabled) {
		old->disabled = r->disabled;
		/* the switch is part of what the rule is now */
		old->hash = util_hash64(&r->hash, sizeof r->hash, old->hash);
		free(old->enabled_at);
		old->enabled_at = xasprintf("%s:%d", r->file, w->line[K_ENABLED]);
		rule_free(r);
		where_free(w);
	} else {
		rule_free(old);
		*old = *r;
		where_free(p->where[i]);
		p->where[i] = w;
	}
	rs->n--;
}

/* Hash the text of the section that just ended into its rule. */
static void
finish_section(struct parse *p)
{
	if (p->rule != NULL && p->section_start != NULL && p->section_end != NULL)
		p->rule->hash = util_hash64(p->section_start,
		    (size_t)(p->section_end - p->section_start), UTIL_HASH_SEED);
	if (p->rule != NULL && p->replaces >= 0)
		replace_rule(p, (size_t)p->replaces);
	p->replaces = -1;
	p->rule = NULL;
	p->scen = NULL;
	p->section_start = NULL;
}

static void
start_rule(struct parse *p, const char *id, size_t idlen, int line,
    const char *src, const char *section_start)
{
	struct ruleset *rs = p->rs;
	struct rule *r;
	size_t i;
	char *name = xstrndup(id, idlen);

	p->replaces = -1;
	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->rules[i].id, name) != 0)
			continue;
		if (p->where[i]->layer_no != p->layer_no) {
			p->replaces = (int)i;
			break;
		}
		diag_add(p->diags, p->file, line, 2, src,
		    "duplicate rule id '%s' (first defined at %s:%d)",
		    name, rs->rules[i].file, rs->rules[i].line);
		free(name);
		p->skip = 1;
		return;
	}
	rs->rules = util_grow(rs->rules, &rs->cap, rs->n, sizeof(*rs->rules), 64);
	p->where = util_grow(p->where, &p->wherecap, rs->n,
	    sizeof(*p->where), 16);
	p->where[rs->n] = xcalloc(1, sizeof(struct rule_where));
	p->where[rs->n]->layer_no = p->layer_no;
	r = &rs->rules[rs->n++];
	memset(r, 0, sizeof(*r));
	r->id = name;
	r->layer = p->layer;
	r->file = xstrdup(p->file);
	r->line = line;
	r->severity = SEV_WARNING;
	if (strcmp(name, RULE_LOG_ERROR) == 0)
		r->by_level = SEV_ERROR;
	else if (strcmp(name, RULE_LOG_CRITICAL) == 0)
		r->by_level = SEV_CRITICAL;
	else if (strcmp(name, RULE_LOG_WARNING) == 0)
		r->by_level = SEV_WARNING;
	if (r->by_level != 0)
		r->severity = (enum severity)r->by_level;
	p->rule = r;
	p->section_start = section_start;
}

/* Append the built-in rule id unless a rules file has a section for it. */
static void
add_builtin(struct parse *p, const char *id)
{
	static const char file[] = "(built-in)";

	if (ruleset_find(p->rs, id) != NULL)
		return;
	p->file = file;
	p->layer = "built-in";
	start_rule(p, id, strlen(id), 0, NULL, NULL);
	p->rule->hash = util_hash64(id, strlen(id), UTIL_HASH_SEED);
	p->rule->summary = xstrdup("{logger}: {template}");
	p->rule = NULL;
	p->file = NULL;
}

static void
start_scenario(struct parse *p, const char *name, size_t len, int line)
{
	struct ruleset *rs = p->rs;
	struct rule_scenario *s = NULL;
	size_t i;

	/* a later layer's scenario of the same name replaces the earlier one */
	for (i = 0; i < rs->nscenarios && s == NULL; i++) {
		if (rs->scenarios[i].layer_no != p->layer_no &&
		    strlen(rs->scenarios[i].name) == len &&
		    strncmp(rs->scenarios[i].name, name, len) == 0) {
			s = &rs->scenarios[i];
			scenario_free(s);
		}
	}
	if (s == NULL) {
		rs->scenarios = xrealloc(rs->scenarios,
		    (rs->nscenarios + 1) * sizeof(*rs->scenarios));
		s = &rs->scenarios[rs->nscenarios++];
	}
	memset(s, 0, sizeof(*s));
	s->layer_no = p->layer_no;
	s->name = xstrndup(name, len);
	s->file = xstrdup(p->file);
	s->line = line;
	p->scen = s;
}

static int
compile_pattern(struct parse *p, struct rule_pattern *pat, const char *value,
    int line, int col, const char *src)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE erroff;
	int errcode;

	pat->source = xstrdup(value);
	pat->line = line;
	/* Never UTF: logs hold invalid UTF-8 and patterns stay byte-oriented. */
	if ((pat->code = pattern_image_code(value, PCRE2_NEVER_UTF)) != NULL)
		return 0;
	pat->code = pcre2_compile((PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED,
	    PCRE2_NEVER_UTF, &errcode, &erroff, NULL);
	if (pat->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		diag_add(p->diags, p->file, line, col + (int)erroff, src,
		    "bad regex: %s (at offset %zu)", (const char *)msg,
		    (size_t)erroff);
		return -1;
	}
	/* the matcher JIT-compiles a pattern when it first runs it */
	return 0;
}

static void
add_pattern(struct rule_pattern **v, size_t *n, struct parse *p,
    const char *value, int line, int col, const char *src)
{
	struct rule_pattern pat;

	memset(&pat, 0, sizeof(pat));
	if (compile_pattern(p, &pat, value, line, col, src) != 0) {
		pattern_free(&pat);
		return;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = pat;
}

/* Split "a b c" into words in place; returns the count (at most max). */
static size_t
split_words(char *s, char **w, size_t max)
{
	size_t n = 0;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (*s == '\0')
			break;
		if (n == max)
			return max + 1;
		w[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

/*
 * Parse "HEAD WORD W [by F]" where WORD is "in" or "within"; HEAD is a
 * number (storm) or a rule id (expect).  With list set (follows), HEAD
 * may be several words, "R1, R2 ...": *head is then the text before WORD,
 * at the start of value, so its offsets are columns of the value.
 */
static int
parse_window(struct parse *p, const char *key, const char *value, int line,
    int col, const char *src, const char *word, int list, char **head,
    int64_t *win, char **by)
{
	char *copy = xstrdup(value), *w[RULE_WINDOW_WORDS + 1];
	size_t n = split_words(copy, w, RULE_WINDOW_WORDS), k;
	int rc = -1;

	*head = NULL;
	*by = NULL;
	k = 1;
	if (list && n <= RULE_WINDOW_WORDS)
		while (k < n && strcmp(w[k], word) != 0)
			k++;
	if (n > RULE_WINDOW_WORDS || k == n || (n - k != 2 && n - k != 4)) {
		diag_add(p->diags, p->file, line, col, src,
		    "%s: expected '%s %s WINDOW [by FIELD]'", key,
		    strcmp(key, "storm") == 0 ? "N" :
		    list ? "RULE[, RULE...]" : "RULE", word);
		goto out;
	}
	if (strcmp(w[k], word) != 0) {
		diag_add(p->diags, p->file, line, col + (int)(w[k] - copy), src,
		    "%s: expected '%s' after '%s'", key, word, w[k - 1]);
		goto out;
	}
	if (util_parse_duration(w[k + 1], win) != 0 || *win <= 0) {
		diag_add(p->diags, p->file, line, col + (int)(w[k + 1] - copy),
		    src, "%s: bad window '%s' (use e.g. 500ms, 10s, 5m, 2h)", key,
		    w[k + 1]);
		goto out;
	}
	if (*win > UTIL_DURATION_MAX_MS) {
		diag_add(p->diags, p->file, line, col + (int)(w[k + 1] - copy),
		    src, "%s: window '%s' is longer than 36500d", key, w[k + 1]);
		goto out;
	}
	if (n - k == 4) {
		if (strcmp(w[k + 2], "by") != 0 ||
		    !valid_field_name(w[k + 3], strlen(w[k + 3]))) {
			diag_add(p->diags, p->file, line,
			    col + (int)(w[k + 2] - copy), src,
			    "%s: expected 'by FIELD' after the window", key);
			goto out;
		}
		*by = xstrdup(w[k + 3]);
	}
	/* the words before WORD, as written (split_words cut them apart) */
	*head = xstrndup(value, (size_t)(w[k - 1] - copy) + strlen(w[k - 1]));
	rc = 0;
out:
	free(copy);
	return rc;
}

/*
 * Split "N1, N2 ..." (at the start of key's value, so offsets are
 * columns) into names, each what (a rule id, a category: a noun's) and
 * listed once.  Returns 0 and fills *names, *n, or -1 with a diagnostic.
 */
static int
parse_name_list(struct parse *p, const char *key, const char *what,
    const char *noun, const char *head, int line, int col, const char *src,
    char ***names, size_t *n)
{
	const char *s = head, *e, *ie;
	char *id;
	size_t i;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		ie = e;
		while (ie > s && (ie[-1] == ' ' || ie[-1] == '\t'))
			ie--;
		if (ie == s || !valid_name(s, (size_t)(ie - s))) {
			diag_add(p->diags, p->file, line, col + (int)(s - head),
			    src, "%s: expected a %s%s", key, what, ie == s ?
			    (*e == ',' ? " before ','" : " after ','") :
			    " (letters, digits, '-', '_', '.')");
			return -1;
		}
		id = xstrndup(s, (size_t)(ie - s));
		for (i = 0; i < *n; i++) {
			if (strcmp((*names)[i], id) == 0) {
				diag_add(p->diags, p->file, line,
				    col + (int)(s - head), src,
				    "%s: %s '%s' listed twice", key, noun, id);
				free(id);
				return -1;
			}
		}
		*names = xrealloc(*names, (*n + 1) * sizeof(char *));
		(*names)[(*n)++] = id;
		if (*e == '\0')
			return 0;
		s = e + 1;
	}
}

/*
 * "<<WORD" starts a block of raw lines ended by a line WORD.  Returns the
 * lines joined by '\n' (no final newline) and moves *li to the end line,
 * NULL (with a diagnostic) when the block is not ended.
 */
static char *
heredoc(struct parse *p, const char *key, const char *value, int line,
    int col, const char *src, char **lines, size_t nlines, size_t *li)
{
	const char *term = value + 2;
	struct buf b;
	size_t i;

	if (!valid_name(term, strlen(term))) {
		diag_add(p->diags, p->file, line, col, src,
		    "%s: expected '<<WORD' and the lines up to WORD", key);
		return NULL;
	}
	buf_init(&b);
	for (i = *li + 1; i < nlines; i++) {
		if (strcmp(lines[i], term) == 0)
			break;
		if (i > *li + 1)
			buf_putc(&b, '\n');
		buf_puts(&b, lines[i]);
	}
	if (i == nlines) {
		diag_add(p->diags, p->file, line, col, src,
		    "%s: no line '%s' ends it", key, term);
		buf_free(&b);
		*li = nlines;
		return NULL;
	}
	*li = i;
	return b.data != NULL ? b.data : xstrdup("");
}

/* One `key = value` line of a rule section, as the directive parsers see it. */
struct key_line {
	struct parse		*p;
	struct rule		*r;
	struct rule_where	*w;
	const char		*key;
	const char		*value;
	const char		*src;
	int			 line, col;
	char			**lines;	/* the file, for <<WORD blocks */
	size_t			 nlines;
	size_t			*li;
};

static void
key_diag(const struct key_line *k, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
key_diag(const struct key_line *k, int col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_add(k->p->diags, k->p->file, k->line, col, k->src, "%s",
	    msg != NULL ? msg : fmt);
	free(msg);
}

static void
key_match(struct key_line *k)
{
	/* a pattern that fails to compile is still present: one error */
	add_pattern(&k->r->match, &k->r->nmatch, k->p, k->value, k->line,
	    k->col, k->src);
}

static void
key_exclude(struct key_line *k)
{
	add_pattern(&k->r->exclude, &k->r->nexclude, k->p, k->value, k->line,
	    k->col, k->src);
}

static void
key_category(struct key_line *k)
{
	if (!valid_name(k->value, strlen(k->value)))
		key_diag(k, k->col, "bad category '%s' (letters, digits, '-', "
		    "'_', '.')", k->value);
	else
		k->r->category = xstrdup(k->value);
}

static void
key_severity(struct key_line *k)
{
	int sev = severity_from_name(k->value);

	if (sev < 0)
		key_diag(k, k->col, "bad severity '%s' (debug, info, notice, "
		    "warning, error, critical)", k->value);
	else
		k->r->severity = (enum severity)sev;
}

static void
key_summary(struct key_line *k)
{
	k->r->summary = xstrdup(k->value);
}

static void
key_example(struct key_line *k)
{
	struct rule *r = k->r;
	struct rule_example *ex;
	char *text;

	if (strncmp(k->value, "<<", 2) == 0) {
		text = heredoc(k->p, k->key, k->value, k->line, k->col, k->src,
		    k->lines, k->nlines, k->li);
		if (text == NULL)
			return;
	} else {
		text = xstrdup(k->value);
	}
	r->examples = xrealloc(r->examples,
	    (r->nexamples + 1) * sizeof(*r->examples));
	ex = &r->examples[r->nexamples++];
	ex->text = text;
	ex->line = k->line;
	ex->counter = k->key[0] == 'c';
	ex->fields = NULL;
}

static void
key_example_fields(struct key_line *k)
{
	struct rule *r = k->r;

	if (r->nexamples == 0 || r->examples[r->nexamples - 1].counter ||
	    r->examples[r->nexamples - 1].fields != NULL) {
		key_diag(k, 1, "example-fields must follow an example");
		return;
	}
	r->examples[r->nexamples - 1].fields = xstrdup(k->value);
}

static void
key_storm(struct key_line *k)
{
	struct rule *r = k->r;
	char *head, *by, *end;
	int64_t win;
	long n;

	if (parse_window(k->p, k->key, k->value, k->line, k->col, k->src, "in",
	    0, &head, &win, &by) != 0)
		return;
	errno = 0;
	n = strtol(head, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > 1000000) {
		key_diag(k, k->col, "storm: bad number '%s' (1 to 1000000)", head);
		free(head);
		free(by);
		return;
	}
	free(head);
	r->storm_n = (int)n;
	r->storm_window_ms = win;
	r->storm_by = by;
}

static void
key_expect(struct key_line *k)
{
	struct rule *r = k->r;
	char *head, *by;
	int64_t win;

	if (parse_window(k->p, k->key, k->value, k->line, k->col, k->src,
	    "within", 0, &head, &win, &by) != 0)
		return;
	r->expect_rule = head;
	r->expect_within_ms = win;
	r->expect_by = by;
}

static void
key_follows(struct key_line *k)
{
	struct rule *r = k->r;
	char *head, *by;
	struct buf list;
	int64_t win;
	size_t i;

	if (parse_window(k->p, k->key, k->value, k->line, k->col, k->src,
	    "within", 1, &head, &win, &by) != 0)
		return;
	if (parse_name_list(k->p, "follows", "rule id", "rule", head, k->line,
	    k->col, k->src, &r->follows_rules, &r->nfollows) != 0) {
		for (i = 0; i < r->nfollows; i++)
			free(r->follows_rules[i]);
		free(r->follows_rules);
		r->follows_rules = NULL;
		r->nfollows = 0;
		free(head);
		free(by);
		return;
	}
	free(head);
	buf_init(&list);
	for (i = 0; i < r->nfollows; i++) {
		if (i > 0)
			buf_puts(&list, ", ");
		buf_puts(&list, r->follows_rules[i]);
	}
	r->follows_rule = list.data;
	r->follows_within_ms = win;
	r->follows_by = by;
}

/* "FIELD [by FIELD]" into *field and *by; -1 when malformed. */
static int
field_by(const char *value, char **field, char **by)
{
	char *copy = xstrdup(value), *ws[4];
	size_t nw = split_words(copy, ws, 3);

	if ((nw != 1 && nw != 3) || (nw == 3 && strcmp(ws[1], "by") != 0) ||
	    !valid_field_name(ws[0], strlen(ws[0])) ||
	    (nw == 3 && !valid_field_name(ws[2], strlen(ws[2])))) {
		free(copy);
		return -1;
	}
	*field = xstrdup(ws[0]);
	*by = nw == 3 ? xstrdup(ws[2]) : NULL;
	free(copy);
	return 0;
}

static void
key_metric(struct key_line *k)
{
	if (field_by(k->value, &k->r->metric_field, &k->r->metric_by) != 0)
		key_diag(k, k->col, "metric: expected 'FIELD [by FIELD]'");
}

static void
key_unit(struct key_line *k)
{
	if (!valid_field_name(k->value, strlen(k->value))) {
		key_diag(k, k->col, "unit: expected one word (us, ms, s, or a "
		    "unit such as bytes, tokens, count)");
		return;
	}
	k->r->unit = xstrdup(k->value);
	k->r->unit_ms = util_unit_ms(k->value, strlen(k->value));
}

/* The value is parsed once the unit is known, in check_slow. */
static void
key_slow(struct key_line *k)
{
	(void)k;
}

static void
key_same(struct key_line *k)
{
	struct rule *r = k->r;
	const char *s, *e, *ie, *within = NULL, *v = k->value;
	char *id;
	size_t i;

	for (s = v; (s = strstr(s, "within")) != NULL; s++)
		if ((s == v || s[-1] == ' ' || s[-1] == '\t') &&
		    (s[6] == ' ' || s[6] == '\t'))
			within = s;
	if (within == NULL) {
		key_diag(k, k->col, "same: expected 'FIELD[, FIELD...] within "
		    "WINDOW'");
		return;
	}
	for (s = within + 6; *s == ' ' || *s == '\t'; s++)
		;
	if (util_parse_duration(s, &r->same_within_ms) != 0 ||
	    r->same_within_ms <= 0) {
		key_diag(k, k->col + (int)(s - v), "same: bad window '%s' (use "
		    "e.g. 500ms, 1s)", s);
		return;
	}
	for (s = v; s < within; s = e + 1) {
		while (*s == ' ' || *s == '\t')
			s++;
		for (e = s; e < within && *e != ','; e++)
			;
		for (ie = e; ie > s && (ie[-1] == ' ' || ie[-1] == '\t'); ie--)
			;
		if (!valid_field_name(s, (size_t)(ie - s))) {
			key_diag(k, k->col + (int)(s - v), "same: expected a "
			    "field name%s", ie == s ? "" : " (letters, digits, '_')");
			goto fail;
		}
		id = xstrndup(s, (size_t)(ie - s));
		for (i = 0; i < r->nsame; i++)
			if (strcmp(r->same_fields[i], id) == 0)
				break;
		if (i < r->nsame) {
			key_diag(k, k->col + (int)(s - v), "same: field '%s' "
			    "listed twice", id);
			free(id);
			goto fail;
		}
		r->same_fields = xrealloc(r->same_fields,
		    (r->nsame + 1) * sizeof(char *));
		r->same_fields[r->nsame++] = id;
		if (e == within)
			break;
	}
	return;
fail:
	for (i = 0; i < r->nsame; i++)
		free(r->same_fields[i]);
	free(r->same_fields);
	r->same_fields = NULL;
	r->nsame = 0;
	r->same_within_ms = 0;
}

static void
key_counts(struct key_line *k)
{
	if (field_by(k->value, &k->r->counts, &k->r->counts_by) != 0)
		key_diag(k, k->col, "counts: expected 'NOUN [by FIELD]' "
		    "(e.g. 'requests by model')");
}

static void
key_means(struct key_line *k)
{
	if (strcmp(k->value, "double-release") != 0 &&
	    strcmp(k->value, "release-refused") != 0) {
		key_diag(k, k->col, "means: unknown meaning '%s' "
		    "(double-release, release-refused)", k->value);
		return;
	}
	k->r->means = xstrdup(k->value);
}

/* enabled = false turns off a rule an earlier file (or the binary) gave. */
static void
key_enabled(struct key_line *k)
{
	if (strcmp(k->value, "true") == 0)
		k->r->disabled = 0;
	else if (strcmp(k->value, "false") == 0)
		k->r->disabled = 1;
	else
		key_diag(k, k->col, "bad enabled '%s' (true, false)", k->value);
}

/* catch-all = CATEGORY[, CATEGORY...] */
static void
key_catch_all(struct key_line *k)
{
	struct rule *r = k->r;
	size_t i;

	if (parse_name_list(k->p, "catch-all", "category", "category",
	    k->value, k->line, k->col, k->src, &r->catch_cats,
	    &r->ncatch_cats) == 0)
		return;
	for (i = 0; i < r->ncatch_cats; i++)
		free(r->catch_cats[i]);
	free(r->catch_cats);
	r->catch_cats = NULL;
	r->ncatch_cats = 0;
}

/*
 * levels = LEVEL[..LEVEL][, ...]: severity names, a range taking the
 * levels from the first to the last.
 */
static void
key_levels(struct key_line *k)
{
	char **items = NULL, *dots;
	size_t i, n = 0;
	unsigned bits = 0;
	int lo, hi;

	if (parse_name_list(k->p, "levels", "level", "level", k->value,
	    k->line, k->col, k->src, &items, &n) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((dots = strstr(items[i], "..")) != NULL) {
			*dots = '\0';
			lo = severity_from_name(items[i]);
			hi = severity_from_name(dots + 2);
			*dots = '.';
		} else {
			lo = hi = severity_from_name(items[i]);
		}
		if (lo < 0 || hi < 0 || lo > hi) {
			key_diag(k, k->col, "levels: bad level%s '%s' (debug,"
			    " info, notice, warning, error, critical; a range"
			    " LOW..HIGH)", dots != NULL ? " range" : "",
			    items[i]);
			goto out;
		}
		for (; lo <= hi; lo++)
			bits |= 1u << lo;
	}
	k->r->levels = bits;
out:
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* Each category a catch-all leaves to others is some rule's. */
static void
check_catch_all(struct parse *p, struct rule *r, const struct rule_where *w)
{
	const struct ruleset *rs = p->rs;
	size_t i, j;

	for (i = 0; i < r->ncatch_cats; i++) {
		for (j = 0; j < rs->n && (rs->rules[j].category == NULL ||
		    strcmp(rs->rules[j].category, r->catch_cats[i]) != 0); j++)
			;
		if (j == rs->n)
			diag_add(p->diags, r->file, w->line[K_CATCH_ALL],
			    w->col[K_CATCH_ALL], w->src[K_CATCH_ALL],
			    "catch-all: no rule has category '%s'",
			    r->catch_cats[i]);
	}
}

/* The directive table, after the checks it names (near check_rules). */
static const struct rule_directive {
	const char	*key;
	void		(*parse)(struct key_line *);
	void		(*check)(struct parse *, struct rule *,
			    const struct rule_where *);
	int		 once;		/* may be written once per rule */
	int		 required;	/* every rule has it */
	int		 needs_match;	/* checked only when a pattern compiled */
} rule_directives[K_COUNT];

static void
rule_key(struct parse *p, const char *key, const char *value, int line,
    int col, const char *src, char **lines, size_t nlines, size_t *li)
{
	struct rule_where *w = where_of(p, p->rs->n - 1);
	struct key_line k;
	size_t d;

	/* most keys differ from a directive in the first byte */
	for (d = 0; d < K_COUNT; d++)
		if (key[0] == rule_directives[d].key[0] &&
		    strcmp(key, rule_directives[d].key) == 0)
			break;
	if (d == K_COUNT) {
		diag_add(p->diags, p->file, line, 1, src, "unknown key '%s'", key);
		return;
	}
	if (rule_directives[d].once && w->line[d] != 0) {
		diag_add(p->diags, p->file, line, 1, src, "duplicate key '%s'",
		    key);
		return;
	}
	/* the first line of a repeated key is the one checks point at */
	if (w->line[d] == 0) {
		w->line[d] = line;
		w->col[d] = col;
		w->src[d] = xstrdup(src);
		w->value[d] = xstrdup(value);
	}
	k.p = p;
	k.r = p->rule;
	k.w = w;
	k.key = key;
	k.value = value;
	k.src = src;
	k.line = line;
	k.col = col;
	k.lines = lines;
	k.nlines = nlines;
	k.li = li;
	rule_directives[d].parse(&k);
}

static void
scenario_key(struct parse *p, const char *key, const char *value, int line,
    int col, const char *src, char **lines, size_t nlines, size_t *li)
{
	struct rule_scenario *s = p->scen;
	struct rule_expect e;
	char err[256], *text;

	if (strcmp(key, "input") == 0) {
		if (s->input != NULL) {
			diag_add(p->diags, p->file, line, 1, src,
			    "duplicate key 'input'");
			return;
		}
		if (strncmp(value, "<<", 2) != 0) {
			diag_add(p->diags, p->file, line, col, src,
			    "input: expected '<<WORD' and the lines up to WORD");
			return;
		}
		text = heredoc(p, key, value, line, col, src, lines, nlines, li);
		if (text == NULL)
			return;
		/* a stream: every line ends with a newline */
		s->input = xasprintf("%s\n", text);
		free(text);
		return;
	}
	if (strncmp(key, "expect-", 7) != 0) {
		diag_add(p->diags, p->file, line, 1, src, "unknown key '%s'", key);
		return;
	}
	text = xasprintf("%s %s", key + 7, value);
	if (rule_expect_parse(text, &e, err, sizeof(err)) != 0) {
		diag_add(p->diags, p->file, line, col, src, "%s: %s", key, err);
		free(text);
		return;
	}
	rule_expect_free(&e);
	s->expects = xrealloc(s->expects, (s->nexpects + 1) * sizeof(char *));
	s->expect_lines = xrealloc(s->expect_lines,
	    (s->nexpects + 1) * sizeof(int));
	s->expects[s->nexpects] = text;
	s->expect_lines[s->nexpects++] = line;
}

/* Split a file into NUL-terminated lines (CR before LF dropped). */
static char **
split_lines(char *data, size_t len, size_t *nlines, char ***starts)
{
	char **v = NULL, *p = data, *nl, *end = data + len;
	size_t n = 0, cap = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
			*starts = xrealloc(*starts, cap * sizeof(**starts));
		}
		(*starts)[n] = p;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		v[n++] = p;
		p = nl + 1;
	}
	*nlines = n;
	return v;
}

static void
parse_buffer(struct parse *p, char *data, size_t len)
{
	char **lines, **starts = NULL, *l, *eq, *key, *value, *kend, *vend;
	char *copy, *src;
	size_t nlines, i;
	int line, col;

	copy = xmalloc(len + 1);
	memcpy(copy, data, len);
	copy[len] = '\0';
	lines = split_lines(data, len, &nlines, &starts);
	p->rule = NULL;
	p->scen = NULL;
	p->skip = 0;
	for (i = 0; i < nlines; i++) {
		line = (int)i + 1;
		src = lines[i];
		l = src;
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '\0' || *l == '#')
			continue;
		if (*l == '[') {
			p->section_end = copy + (starts[i] - data);
			finish_section(p);
			p->skip = 0;
			vend = strchr(l, ']');
			kend = vend != NULL ? vend + 1 : NULL;
			while (kend != NULL && (*kend == ' ' || *kend == '\t'))
				kend++;
			if (vend == NULL || *kend != '\0') {
				diag_add(p->diags, p->file, line, (int)(l - src) + 1,
				    src, "bad section header (expected [rule-id] "
				    "or [scenario NAME])");
				p->skip = 1;
				continue;
			}
			key = l + 1;
			if (strncmp(key, "scenario ", 9) == 0) {
				key += 9;
				while (*key == ' ')
					key++;
				if (!valid_name(key, (size_t)(vend - key))) {
					diag_add(p->diags, p->file, line,
					    (int)(key - src) + 1, src,
					    "bad scenario name");
					p->skip = 1;
					continue;
				}
				start_scenario(p, key, (size_t)(vend - key), line);
				continue;
			}
			if (!valid_name(key, (size_t)(vend - key))) {
				diag_add(p->diags, p->file, line,
				    (int)(key - src) + 1, src,
				    "bad rule id (letters, digits, '-', '_', '.')");
				p->skip = 1;
				continue;
			}
			start_rule(p, key, (size_t)(vend - key), line, src,
			    copy + (starts[i] - data));
			continue;
		}
		if (p->skip)
			continue;
		eq = strchr(l, '=');
		if (eq == NULL) {
			diag_add(p->diags, p->file, line, (int)(l - src) + 1, src,
			    "expected 'key = value'");
			continue;
		}
		kend = eq;
		while (kend > l && (kend[-1] == ' ' || kend[-1] == '\t'))
			kend--;
		value = eq + 1;
		while (*value == ' ' || *value == '\t')
			value++;
		vend = value + strlen(value);
		while (vend > value && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		col = (int)(value - src) + 1;
		key = xstrndup(l, (size_t)(kend - l));
		value = xstrndup(value, (size_t)(vend - value));
		if (p->rule == NULL && p->scen == NULL) {
			diag_add(p->diags, p->file, line, (int)(l - src) + 1, src,
			    "'%s' outside a [rule-id] section", key);
		} else if (*value == '\0') {
			diag_add(p->diags, p->file, line, col, src,
			    "empty value for '%s'", key);
		} else if (p->rule != NULL) {
			rule_key(p, key, value, line, col, src, lines, nlines,
			    &i);
		} else {
			scenario_key(p, key, value, line, col, src, lines,
			    nlines, &i);
		}
		free(key);
		free(value);
	}
	p->section_end = copy + len;
	finish_section(p);
	free(lines);
	free(starts);
	free(copy);
}

/*
 * Only a regular file is a rules file: a FIFO would block the read and a
 * device (/dev/zero) never end it.  Opened without blocking so that a
 * FIFO is seen before anything waits on it.
 */
static void
load_file(struct parse *p, const char *path)
{
	struct ruleset *rs = p->rs;
	struct stat st;
	struct buf b;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		diag_add(p->diags, path, 0, 0, NULL, "cannot read: %s",
		    strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_add(p->diags, path, 0, 0, NULL, "not a regular file (rules"
		    " are read from regular files only)");
		close(fd);
		return;
	}
	buf_init(&b);
	/* room for the whole file and the read that finds its end: no copy */
	buf_reserve(&b, st.st_size > 0 && st.st_size < RULES_FILE_MAX ?
	    (size_t)st.st_size + 1 : READ_CHUNK);
	b.data[0] = '\0';
	for (;;) {
		if (b.len + 1 >= b.cap)
			buf_reserve(&b, READ_CHUNK);
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diag_add(p->diags, path, 0, 0, NULL, "read error: %s",
			    strerror(errno));
			break;
		}
		if (b.len + (size_t)n > RULES_FILE_MAX) {
			diag_add(p->diags, path, 0, 0, NULL, "larger than %d MiB:"
			    " not read as a rules file", RULES_FILE_MAX >> 20);
			close(fd);
			buf_free(&b);
			return;
		}
		b.len += (size_t)n;
		b.data[b.len] = '\0';
	}
	close(fd);
	rs->files = xrealloc(rs->files, (rs->nfiles + 1) * sizeof(char *));
	rs->files[rs->nfiles++] = xstrdup(path);
	p->file = rs->files[rs->nfiles - 1];
	parse_buffer(p, b.data, b.len);
	buf_free(&b);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_path(struct parse *p, const char *path, int optional)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	char **names = NULL, *full;
	size_t n = 0, i, len;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT && optional)
			return;
		if (errno == ENOENT)
			diag_add(p->diags, path, 0, 0, NULL, "no such rules file"
			    " or directory");
		else
			diag_add(p->diags, path, 0, 0, NULL, "cannot read: %s",
			    strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		load_file(p, path);
		return;
	}
	d = opendir(path);
	if (d == NULL) {
		diag_add(p->diags, path, 0, 0, NULL, "cannot read directory: %s",
		    strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 6 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 6, ".rules") != 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	/*
	 * ingest with no rules would store nothing and say nothing; a
	 * drop-in directory may well be empty
	 */
	if (n == 0 && !optional)
		diag_add(p->diags, path, 0, 0, NULL, "no rules files (*.rules)"
		    " in this directory");
	if (n > 0)
		qsort(names, n, sizeof(char *), name_cmp);
	for (i = 0; i < n; i++) {
		len = strlen(path);
		full = xasprintf("%s%s%s", path,
		    len > 0 && path[len - 1] == '/' ? "" : "/", names[i]);
		load_file(p, full);
		free(full);
		free(names[i]);
	}
	free(names);
}

/* True if some pattern of r names a capture group called name. */
static int
rule_names(const struct rule *r, const char *name)
{
	size_t i;
	int rc;

	for (i = 0; i < r->nmatch; i++) {
		rc = pcre2_substring_number_from_name(r->match[i].code,
		    (PCRE2_SPTR)name);
		if (rc >= 0 || rc == PCRE2_ERROR_NOUNIQUESUBSTRING)
			return 1;
	}
	return 0;
}

static void
check_field(struct parse *p, const struct rule *r, const struct rule *other,
    const char *what, const char *field, int line, const char *src)
{
	if (field == NULL || line == 0)
		return;
	if (rule_names(r, field) || (other != NULL && rule_names(other, field)))
		return;
	diag_add(p->diags, r->file, line, 0, src,
	    "%s: no match pattern of '%s' names a group '%s'", what, r->id,
	    field);
}

static void
check_target(struct parse *p, const struct rule *r, const char *what,
    const char *target, const char *by, int line, const char *src)
{
	const struct rule *t;

	if (target == NULL)
		return;
	t = ruleset_find(p->rs, target);
	if (t == NULL) {
		diag_add(p->diags, r->file, line, 0, src,
		    "%s: unknown rule '%s'", what, target);
		return;
	}
	if (by == NULL)
		return;
	if (what[0] == 'e') {
		/* both sides of an expectation are keyed on the field */
		check_field(p, r, NULL, what, by, line, src);
		check_field(p, t, NULL, what, by, line, src);
	} else {
		/* a follower may inherit the field from its target */
		check_field(p, r, t, what, by, line, src);
	}
}

/* True if some rule r follows names a group `name` (r may inherit it). */
static int
follows_names(const struct ruleset *rs, const struct rule *r, const char *name)
{
	const struct rule *t;
	size_t i;

	for (i = 0; i < r->nfollows; i++) {
		t = ruleset_find(rs, r->follows_rules[i]);
		if (t != NULL && rule_names(t, name))
			return 1;
	}
	return 0;
}

/*
 * slow = STAT OP VALUE, parsed now that the unit is known (it may be
 * declared after slow, or captured by a group).
 */
static void
check_slow(struct parse *p, struct rule *r, const struct rule_where *w)
{
	char err[160];
	size_t at = 0;

	if (w->line[K_SLOW] == 0)
		return;
	if (r->metric_field == NULL) {
		diag_add(p->diags, r->file, w->line[K_SLOW], w->col[K_SLOW],
		    w->src[K_SLOW], "slow: rule '%s' has no 'metric'", r->id);
		return;
	}
	if (rule_threshold_parse(w->value[K_SLOW], r->value_unit, &r->slow,
	    err, sizeof err, &at) != 0) {
		diag_add(p->diags, r->file, w->line[K_SLOW],
		    w->col[K_SLOW] + (int)at, w->src[K_SLOW], "slow: %s", err);
		return;
	}
	r->has_slow = 1;
}

/* The unit of stored values, from unit = U and a group named "unit". */
static void
check_unit(struct parse *p, struct rule *r, const struct rule_where *w)
{
	r->unit_captured = rule_names(r, "unit");
	if (r->unit_ms != 0 || r->unit_captured)
		r->value_unit = "ms";
	else
		r->value_unit = r->unit;
	if (r->unit != NULL && r->metric_field == NULL)
		diag_add(p->diags, r->file, w->line[K_UNIT], w->col[K_UNIT],
		    w->src[K_UNIT], "unit: rule '%s' has no 'metric'", r->id);
	if (w->line[K_UNIT] != 0 && r->unit_captured && r->unit_ms == 0)
		diag_add(p->diags, r->file, w->line[K_UNIT], w->col[K_UNIT],
		    w->src[K_UNIT], "unit: '%s' is not a duration (us, ms, s) "
		    "but a group 'unit' captures one", r->unit);
}

static void
check_expect(struct parse *p, struct rule *r, const struct rule_where *w)
{
	check_target(p, r, "expect", r->expect_rule, r->expect_by,
	    w->line[K_EXPECT], w->src[K_EXPECT]);
}

static void
check_follows(struct parse *p, struct rule *r, const struct rule_where *w)
{
	size_t j;

	for (j = 0; j < r->nfollows; j++)
		check_target(p, r, "follows", r->follows_rules[j],
		    r->follows_by, w->line[K_FOLLOWS], w->src[K_FOLLOWS]);
	if (r->expect_rule != NULL && r->nfollows > 0)
		diag_add(p->diags, r->file, w->line[K_FOLLOWS], 0,
		    w->src[K_FOLLOWS], "follows: rule '%s' also has "
		    "'expect' (line %d): both would set its events' one "
		    "link", r->id, w->line[K_EXPECT]);
}

static void
check_storm(struct parse *p, struct rule *r, const struct rule_where *w)
{
	check_field(p, r, NULL, "storm", r->storm_by, w->line[K_STORM],
	    w->src[K_STORM]);
}

static void
check_metric(struct parse *p, struct rule *r, const struct rule_where *w)
{
	check_field(p, r, NULL, "metric", r->metric_field,
	    w->line[K_METRIC], w->src[K_METRIC]);
	/* the group may be inherited: a tool named on the line before */
	if (r->metric_by == NULL || !follows_names(p->rs, r, r->metric_by))
		check_field(p, r, NULL, "metric", r->metric_by,
		    w->line[K_METRIC], w->src[K_METRIC]);
}

/* Each {field} of the summary names a group (or one the rule inherits). */
static void
check_summary(struct parse *p, struct rule *r, const struct rule_where *w)
{
	const char *s, *e;
	char *name;

	for (s = r->summary; s != NULL && (s = strchr(s, '{')) != NULL; s = e) {
		e = strchr(s, '}');
		if (e == NULL)
			break;
		name = xstrndup(s + 1, (size_t)(e - s - 1));
		if (!rule_names(r, name) && !follows_names(p->rs, r, name))
			diag_add(p->diags, r->file, w->line[K_SUMMARY],
			    w->col[K_SUMMARY] + (int)(s - r->summary),
			    w->src[K_SUMMARY], "summary: no match pattern "
			    "names a group '%s'", name);
		free(name);
	}
}

static void
check_same(struct parse *p, struct rule *r, const struct rule_where *w)
{
	size_t j;

	for (j = 0; j < r->nsame; j++)
		check_field(p, r, NULL, "same", r->same_fields[j],
		    w->line[K_SAME], w->src[K_SAME]);
}

static void
check_counts(struct parse *p, struct rule *r, const struct rule_where *w)
{
	check_field(p, r, NULL, "counts", r->counts_by, w->line[K_COUNTS],
	    w->src[K_COUNTS]);
}

/*
 * The rule keys: how each value is parsed when read, what is checked once
 * every rule is loaded (in this order), whether it may be written more
 * than once and whether every rule must have it.
 */
static const struct rule_directive rule_directives[K_COUNT] = {
	[K_MATCH]		= { "match", key_match, NULL, 0, 1, 0 },
	[K_CATEGORY]		= { "category", key_category, NULL, 1, 1, 0 },
	[K_SEVERITY]		= { "severity", key_severity, NULL, 1, 1, 0 },
	[K_EXPECT]		= { "expect", key_expect, check_expect, 1, 0, 0 },
	[K_FOLLOWS]		= { "follows", key_follows, check_follows, 1, 0, 0 },
	[K_STORM]		= { "storm", key_storm, check_storm, 1, 0, 1 },
	[K_METRIC]		= { "metric", key_metric, check_metric, 1, 0, 1 },
	[K_SUMMARY]		= { "summary", key_summary, check_summary, 1, 0, 1 },
	[K_UNIT]		= { "unit", key_unit, check_unit, 1, 0, 1 },
	[K_SLOW]		= { "slow", key_slow, check_slow, 1, 0, 1 },
	[K_SAME]		= { "same", key_same, check_same, 1, 0, 1 },
	[K_COUNTS]		= { "counts", key_counts, check_counts, 1, 0, 1 },
	[K_EXCLUDE]		= { "exclude", key_exclude, NULL, 0, 0, 0 },
	[K_EXAMPLE]		= { "example", key_example, NULL, 0, 0, 0 },
	[K_COUNTER_EXAMPLE]	= { "counter-example", key_example, NULL, 0, 0, 0 },
	[K_EXAMPLE_FIELDS]	= { "example-fields", key_example_fields, NULL,
				    0, 0, 0 },
	[K_MEANS]		= { "means", key_means, NULL, 1, 0, 0 },
	[K_ENABLED]		= { "enabled", key_enabled, NULL, 1, 0, 0 },
	[K_CATCH_ALL]		= { "catch-all", key_catch_all, check_catch_all,
				    1, 0, 0 },
	[K_LEVELS]		= { "levels", key_levels, NULL, 1, 0, 0 },
};

/* Checks that need every rule loaded, directive by directive. */
static void
check_rules(struct parse *p)
{
	struct ruleset *rs = p->rs;
	const struct rule_directive *d;
	const struct rule_where *w;
	struct rule *r;
	size_t i, j, k;

	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		w = p->where[i];
		if (r->by_level != 0) {
			if (r->nmatch > 0)
				diag_add(p->diags, r->file, r->line, 0, NULL,
				    "rule '%s' is built in and takes records by"
				    " their level: it has no 'match'", r->id);
			if (r->ncatch_cats > 0)
				diag_add(p->diags, r->file, w->line[K_CATCH_ALL],
				    w->col[K_CATCH_ALL], w->src[K_CATCH_ALL],
				    "rule '%s' is built in and takes only what"
				    " the rules left: it has no 'catch-all'", r->id);
			if (r->levels != 0)
				diag_add(p->diags, r->file, w->line[K_LEVELS],
				    w->col[K_LEVELS], w->src[K_LEVELS],
				    "rule '%s' is built in and takes records by"
				    " their level: it has no 'levels'", r->id);
			if (r->category == NULL)
				r->category = xstrdup(r->by_level == SEV_WARNING ?
				    "warning" : "error");
			if (r->summary == NULL)
				r->summary = xstrdup("{logger}: {template}");
			continue;
		}
		for (k = 0; k < K_COUNT; k++) {
			d = &rule_directives[k];
			if (d->required && w->line[k] == 0)
				diag_add(p->diags, r->file, r->line, 0, NULL,
				    "rule '%s' has no '%s'", r->id, d->key);
			if (d->check != NULL && (!d->needs_match || r->nmatch > 0))
				d->check(p, r, w);
		}
	}
	for (i = 0; i < rs->nscenarios; i++) {
		struct rule_scenario *sc = &rs->scenarios[i];
		struct rule_expect ex;
		char err[64];

		if (sc->input == NULL)
			diag_add(p->diags, sc->file, sc->line, 0, NULL,
			    "scenario '%s' has no 'input'", sc->name);
		for (j = 0; j < sc->nexpects; j++) {
			if (rule_expect_parse(sc->expects[j], &ex, err,
			    sizeof(err)) != 0)
				continue;
			if (ex.rule != NULL && ruleset_find(rs, ex.rule) == NULL)
				diag_add(p->diags, sc->file, sc->expect_lines[j], 0,
				    NULL, "scenario '%s': unknown rule '%s'",
				    sc->name, ex.rule);
			if (ex.target != NULL &&
			    ruleset_find(rs, ex.target) == NULL)
				diag_add(p->diags, sc->file, sc->expect_lines[j], 0,
				    NULL, "scenario '%s': unknown rule '%s'",
				    sc->name, ex.target);
			rule_expect_free(&ex);
		}
	}
}

struct ruleset *
ruleset_load_layers(const struct rules_dir *dirs, size_t n,
    struct diag_list *diags)
{
	struct parse p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.rs = xcalloc(1, sizeof(*p.rs));
	p.diags = diags;
	p.replaces = -1;
	for (i = 0; i < n; i++) {
		p.layer = dirs[i].layer;
		p.layer_no = dirs[i].layer_no;
		load_path(&p, dirs[i].path, dirs[i].optional);
	}
	add_builtin(&p, RULE_LOG_ERROR);
	add_builtin(&p, RULE_LOG_CRITICAL);
	add_builtin(&p, RULE_LOG_WARNING);
	check_rules(&p);
	for (i = 0; i < p.rs->n; i++)
		where_free(p.where[i]);
	free(p.where);
	return p.rs;
}

struct ruleset *
ruleset_load(const char *const *paths, size_t npaths, struct diag_list *diags)
{
	struct rules_dir *dirs = xcalloc(npaths + 1, sizeof(*dirs));
	struct ruleset *rs;
	size_t i;

	for (i = 0; i < npaths; i++) {
		dirs[i].path = (char *)paths[i];
		dirs[i].layer = "default";
	}
	rs = ruleset_load_layers(dirs, npaths, diags);
	free(dirs);
	return rs;
}

static int
id_order(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a;
	const struct rule *y = *(const struct rule *const *)b;

	return strcmp(x->id, y->id);
}

uint64_t
ruleset_hash(const struct ruleset *rs)
{
	const struct rule **v = xcalloc(rs->n + 1, sizeof(*v));
	uint64_t h = UTIL_HASH_SEED;
	unsigned char off;
	size_t i;

	for (i = 0; i < rs->n; i++)
		v[i] = &rs->rules[i];
	qsort(v, rs->n, sizeof(*v), id_order);
	for (i = 0; i < rs->n; i++) {
		h = util_hash64(v[i]->id, strlen(v[i]->id) + 1, h);
		h = util_hash64(&v[i]->hash, sizeof v[i]->hash, h);
		off = (unsigned char)v[i]->disabled;
		h = util_hash64(&off, 1, h);
	}
	free(v);
	return h;
}

static const char *const stat_names[] = {
	[RULE_STAT_MEAN] = "mean", [RULE_STAT_P50] = "p50",
	[RULE_STAT_P95] = "p95", [RULE_STAT_P99] = "p99", [RULE_STAT_MAX] = "max"
};

const char *
rule_stat_name(enum rule_stat st)
{
	if ((int)st < 0 || (size_t)st >= sizeof stat_names / sizeof stat_names[0])
		return "?";
	return stat_names[st];
}

/* ms per duration unit a threshold may be written in; 0 if not one. */
static double
threshold_unit_ms(const char *u, size_t n)
{
	double ms = util_unit_ms(u, n);

	if (ms != 0)
		return ms;
	if ((n == 1 && u[0] == 'm') || (n == 3 && memcmp(u, "min", 3) == 0))
		return 60000;
	if (n == 1 && u[0] == 'h')
		return 3600000;
	return 0;
}

int
rule_threshold_parse(const char *text, const char *unit,
    struct rule_threshold *t, char *err, size_t errlen, size_t *errcol)
{
	const char *s = text, *w, *u, *ue;
	double v, mult = 1;
	char *end;
	size_t i;

	memset(t, 0, sizeof *t);
	while (*s == ' ' || *s == '\t')
		s++;
	for (w = s; *s != '\0' && *s != ' ' && *s != '\t' && *s != '>'; s++)
		;
	for (i = 0; i < sizeof stat_names / sizeof stat_names[0]; i++)
		if ((size_t)(s - w) == strlen(stat_names[i]) &&
		    memcmp(w, stat_names[i], (size_t)(s - w)) == 0)
			break;
	if (i == sizeof stat_names / sizeof stat_names[0]) {
		*errcol = (size_t)(w - text);
		util_err(err, errlen, "expected 'STAT > VALUE' with STAT one of "
		    "mean, p50, p95, p99, max");
		return -1;
	}
	t->stat = (enum rule_stat)i;
	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] != '>') {
		*errcol = (size_t)(s - text);
		util_err(err, errlen, "expected '>' or '>=' after '%s'",
		    stat_names[i]);
		return -1;
	}
	t->inclusive = s[1] == '=';
	s += t->inclusive ? 2 : 1;
	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !(v >= 0) || v > 1e300) {
		*errcol = (size_t)(s - text);
		util_err(err, errlen, "expected a number after '%s'",
		    t->inclusive ? ">=" : ">");
		return -1;
	}
	for (u = end; *u == ' ' || *u == '\t'; u++)
		;
	for (ue = u + strlen(u); ue > u && (ue[-1] == ' ' || ue[-1] == '\t'); ue--)
		;
	if (unit != NULL && strcmp(unit, "ms") == 0) {
		mult = threshold_unit_ms(u, (size_t)(ue - u));
		if (mult == 0) {
			*errcol = (size_t)((ue > u ? u : s) - text);
			util_err(err, errlen, "the metric is a duration: give the "
			    "value's unit (us, ms, s, m, h; e.g. 8s, 500ms)");
			return -1;
		}
	} else if (ue > u && (unit == NULL || (size_t)(ue - u) != strlen(unit) ||
	    memcmp(u, unit, (size_t)(ue - u)) != 0)) {
		*errcol = (size_t)(u - text);
		if (unit == NULL)
			util_err(err, errlen, "the metric has no unit: give a bare "
			    "number");
		else
			util_err(err, errlen, "the metric is in %s: give a number "
			    "of %s", unit, unit);
		return -1;
	}
	t->value = v * mult;
	return 0;
}

void
rule_threshold_text(const struct rule_threshold *t, const char *unit,
    struct buf *out)
{
	buf_printf(out, "%s %s %.15g%s", rule_stat_name(t->stat),
	    t->inclusive ? ">=" : ">", t->value,
	    unit != NULL && strcmp(unit, "ms") == 0 ? "ms" : "");
}

void
rule_expect_free(struct rule_expect *e)
{
	size_t i;

	free(e->what);
	free(e->rule);
	free(e->target);
	for (i = 0; i < e->nkv; i++) {
		free(e->names[i]);
		free(e->values[i]);
	}
	free(e->names);
	free(e->values);
	memset(e, 0, sizeof(*e));
}

static int
parse_count(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

int
rule_expect_parse(const char *text, struct rule_expect *e, char *err,
    size_t errlen)
{
	char *copy = xstrdup(text), *w[64], *eq;
	size_t n, i, first;

	memset(e, 0, sizeof(*e));
	e->count = -1;
	n = split_words(copy, w, 63);
	if (n == 0 || n > 63) {
		util_err(err, errlen, "expected a value");
		goto fail;
	}
	if (strcmp(w[0], "incident") == 0) {
		if (n < 3 || (strcmp(w[1], "storm") != 0 &&
		    strcmp(w[1], "unresolved") != 0 && strcmp(w[1], "open") != 0)) {
			util_err(err, errlen, "expected 'storm|unresolved|open "
			    "RULE [key=K] [count=N] [start=T] [end=T]'");
			goto fail;
		}
		e->kind = RULE_EXPECT_INCIDENT;
		e->what = xstrdup(w[1]);
		e->rule = xstrdup(w[2]);
		first = 3;
	} else if (strcmp(w[0], "incidents") == 0) {
		if (n != 2 || parse_count(w[1], &e->count) != 0) {
			util_err(err, errlen, "expected a number");
			goto fail;
		}
		e->kind = RULE_EXPECT_INCIDENTS;
		first = 2;
	} else if (strcmp(w[0], "link") == 0) {
		if (n < 4 || strcmp(w[2], "->") != 0) {
			util_err(err, errlen, "expected 'RULE -> TARGET "
			    "[count=N] [FIELD=VALUE]...'");
			goto fail;
		}
		e->kind = RULE_EXPECT_LINK;
		e->rule = xstrdup(w[1]);
		e->target = xstrdup(w[3]);
		first = 4;
	} else if (strcmp(w[0], "events") == 0) {
		if (n != 3 || parse_count(w[2], &e->count) != 0) {
			util_err(err, errlen, "expected 'RULE N'");
			goto fail;
		}
		e->kind = RULE_EXPECT_EVENTS;
		e->rule = xstrdup(w[1]);
		first = 3;
	} else {
		util_err(err, errlen, "unknown expectation '%s' (incident, "
		    "incidents, link, events)", w[0]);
		goto fail;
	}
	for (i = first; i < n; i++) {
		eq = strchr(w[i], '=');
		if (eq == NULL || eq == w[i]) {
			util_err(err, errlen, "expected NAME=VALUE, got '%s'",
			    w[i]);
			goto fail;
		}
		*eq = '\0';
		if (strcmp(w[i], "count") == 0) {
			if (parse_count(eq + 1, &e->count) != 0) {
				util_err(err, errlen, "bad count '%s'", eq + 1);
				goto fail;
			}
			continue;
		}
		e->names = xrealloc(e->names, (e->nkv + 1) * sizeof(char *));
		e->values = xrealloc(e->values, (e->nkv + 1) * sizeof(char *));
		e->names[e->nkv] = xstrdup(w[i]);
		e->values[e->nkv++] = xstrdup(eq + 1);
	}
	free(copy);
	return 0;
fail:
	free(copy);
	rule_expect_free(e);
	return -1;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void
dirs_push(struct rules_dir **v, size_t *n, char *s, const char *layer,
    int layer_no, int optional)
{
	char *real = realpath(s, NULL);

	/* "bin/../share/..." reads badly in every diagnostic */
	if (real != NULL) {
		free(s);
		s = real;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].path = s;
	(*v)[*n].layer = layer;
	(*v)[*n].layer_no = layer_no;
	(*v)[*n].optional = optional;
	(*n)++;
}

/* The directory of the running binary, or NULL. */
static char *
exe_dir(void)
{
	char path[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(path[0] != '\0' ? path : "/");
}

/* The installed defaults, the first layer. */
static void
default_dirs(struct rules_dir **v, size_t *n)
{
	char *env, *copy, *tok, *save, *dir, *cand, *probe;
	size_t n0 = *n;

	env = getenv("LOGTRIAGE_RULES");
	if (env != NULL && *env != '\0') {
		copy = xstrdup(env);
		for (tok = strtok_r(copy, ":", &save); tok != NULL;
		    tok = strtok_r(NULL, ":", &save))
			dirs_push(v, n, xstrdup(tok), "default", 0, 0);
		free(copy);
		if (*n > n0)
			return;
	}
	dir = exe_dir();
	if (dir != NULL) {
		/* a binary in the build tree uses the tree's rules */
		cand = xasprintf("%s/rules", dir);
		if (is_dir(cand)) {
			dirs_push(v, n, cand, "default", 0, 0);
			free(dir);
			return;
		}
		free(cand);
		probe = xasprintf("%s/../src/main.c", dir);
		cand = xasprintf("%s/../rules", dir);
		if (is_file(probe) && is_dir(cand)) {
			free(probe);
			dirs_push(v, n, cand, "default", 0, 0);
			free(dir);
			return;
		}
		free(probe);
		free(cand);
		cand = xasprintf("%s/../share/logtriage/rules", dir);
		free(dir);
		if (is_dir(cand)) {
			dirs_push(v, n, cand, "default", 0, 0);
			return;
		}
		free(cand);
	}
	dirs_push(v, n, xstrdup(LOGTRIAGE_DATADIR "/logtriage/rules"), "default",
	    0, 0);
}

struct rules_dir *
rules_layers(const char *const *cli, size_t ncli, int no_defaults, size_t *n)
{
	struct rules_dir *v = NULL;
	const char *etc, *xdg, *home;
	size_t i, j;

	*n = 0;
	if (!no_defaults) {
		default_dirs(&v, n);
		etc = getenv("LOGTRIAGE_SYSCONFDIR");
		if (etc == NULL || *etc == '\0')
			etc = LOGTRIAGE_SYSCONFDIR;
		dirs_push(&v, n, xasprintf("%s/logtriage/rules.d", etc), "system",
		    1, 1);
		xdg = getenv("XDG_CONFIG_HOME");
		home = getenv("HOME");
		/* the XDG base directory rules: a relative path is ignored */
		if (xdg != NULL && xdg[0] == '/')
			dirs_push(&v, n, xasprintf("%s/logtriage/rules.d", xdg),
			    "user", 2, 1);
		else if (home != NULL && home[0] == '/')
			dirs_push(&v, n, xasprintf("%s/.config/logtriage/rules.d",
			    home), "user", 2, 1);
	}
	for (i = 0; i < ncli; i++) {
		dirs_push(&v, n, xstrdup(cli[i]), "cli", 3 + (int)i, 0);
		/* --rules naming a directory already loaded adds nothing */
		for (j = 0; j + 1 < *n; j++) {
			if (strcmp(v[j].path, v[*n - 1].path) == 0) {
				free(v[--*n].path);
				break;
			}
		}
	}
	return v;
}

void
rules_dirs_free(struct rules_dir *dirs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(dirs[i].path);
	free(dirs);
}
