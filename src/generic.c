/*
 * generic.c - events for the failures no rule was written for; see
 * generic.h.
 */
#include "generic.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "jsonline.h"
#include "level.h"
#include "template.h"
#include "util.h"

/*
 * A banner block: a logger writes one failure as several records, from a
 * banner ("=== TOOL CALL FAILED ===") to "=== END ===", with other
 * loggers' records between them.  The records of the block after its
 * banner (same source, logger and level, within BLOCK_SPAN_MS and
 * BLOCK_PARTS) take the banner's template, their own in the field `part`,
 * so that the failure groups once under its banner; the report counts the
 * records without a part.
 */
#define BLOCK_SLOTS	8
#define BLOCK_SPAN_MS	60000
#define BLOCK_PARTS	64
#define BLOCK_TEXT	128

struct block {
	uint64_t	source_id;
	int64_t		ts;		/* the banner's */
	int		level;		/* 0: the slot is free */
	unsigned	parts;
	uint64_t	line;		/* the banner's first line */
	size_t		lglen, tlen;
	char		logger[BLOCK_TEXT];
	char		tmpl[BLOCK_TEXT];
};

struct generic {
	const struct ruleset	*rs;
	/*
	 * Per rule, 0 when its match claims no failure, else one more than
	 * the highest level it claims.  Only a critical record asks for the
	 * level: a family's rule of severity error or worse claims it, a
	 * rule of category error only at severity critical, since such a
	 * rule names how a failure looks (a traceback), not how bad it is.
	 */
	unsigned char		*claims;
	int			 rule_error;	/* index of log-error, or -1 when absent or disabled */
	int			 rule_critical;
	int			 rule_warning;
	/* the highest level the claiming rules that matched claim, or -1 */
	int			 claimed;
	int			 matched;	/* by any rule */
	struct buf		 tmpl;
	struct buf		 json;		/* a JSON line's message, unescaped */
	struct block		 blocks[BLOCK_SLOTS];
	unsigned		 block_next;	/* the slot a new block takes */
};

static int
enabled_index(const struct ruleset *rs, const char *id)
{
	int i = ruleset_index(rs, id);

	return i >= 0 && !rs->rules[i].disabled ? i : -1;
}

struct generic *
generic_new(const struct ruleset *rs)
{
	struct generic *g = xcalloc(1, sizeof *g);
	const struct rule *r;
	size_t i;

	g->rs = rs;
	g->claimed = -1;
	g->claims = xcalloc(rs->n > 0 ? rs->n : 1, 1);
	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		if (r->by_level != 0)
			continue;
		if (r->category != NULL && strcmp(r->category, "error") == 0)
			g->claims[i] = (unsigned char)(r->severity + 1);
		else if (r->severity >= SEV_ERROR)
			g->claims[i] = SEV_CRITICAL + 1;
	}
	g->rule_error = enabled_index(rs, RULE_LOG_ERROR);
	g->rule_critical = enabled_index(rs, RULE_LOG_CRITICAL);
	g->rule_warning = enabled_index(rs, RULE_LOG_WARNING);
	buf_init(&g->tmpl);
	buf_init(&g->json);
	return g;
}

void
generic_free(struct generic *g)
{
	if (g == NULL)
		return;
	free(g->claims);
	buf_free(&g->tmpl);
	buf_free(&g->json);
	free(g);
}

void
generic_begin(struct generic *g)
{
	g->claimed = -1;
	g->matched = 0;
}

void
generic_matched(struct generic *g, int rule_index)
{
	if (rule_index < 0 || (size_t)rule_index >= g->rs->n)
		return;
	if (g->claims[rule_index] > 0 && g->claims[rule_index] - 1 > g->claimed)
		g->claimed = g->claims[rule_index] - 1;
	g->matched = 1;
}

/* The last line of text[0..len) that is not blank. */
static const char *
last_line(const char *text, size_t len, size_t *n)
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
 * Is msg[0..n) a banner: a title between runs of at least three '='?
 * Returns 0 (no), 1 (a banner that opens a block) or 2 (one that ends it:
 * its title starts with the word END).
 */
static int
banner(const char *msg, size_t n)
{
	size_t a = 0, b = n;

	while (b > 0 && (msg[b - 1] == ' ' || msg[b - 1] == '\r'))
		b--;
	if (b < 8 || memcmp(msg, "===", 3) != 0 ||
	    memcmp(msg + b - 3, "===", 3) != 0)
		return 0;
	while (a < b && msg[a] == '=')
		a++;
	while (b > a && msg[b - 1] == '=')
		b--;
	while (a < b && msg[a] == ' ')
		a++;
	while (b > a && msg[b - 1] == ' ')
		b--;
	if (a == b)
		return 0;
	return b - a >= 3 && memcmp(msg + a, "END", 3) == 0 &&
	    (b - a == 3 || msg[a + 3] == ' ') ? 2 : 1;
}

/*
 * The open block of rec's source and the logger lg at rec's level, or
 * NULL; one past its span or its number of parts is closed.
 */
static struct block *
block_find(struct generic *g, const struct record *rec, int level,
    const char *lg, size_t lglen)
{
	struct block *b;
	size_t i;

	for (i = 0; i < BLOCK_SLOTS; i++) {
		b = &g->blocks[i];
		if (b->level == 0 || b->source_id != rec->source_id ||
		    b->lglen != lglen || memcmp(b->logger, lg, lglen) != 0)
			continue;
		if (b->parts >= BLOCK_PARTS || (rec->ts != TS_NONE &&
		    b->ts != TS_NONE && (rec->ts < b->ts ||
		    rec->ts - b->ts > BLOCK_SPAN_MS))) {
			b->level = 0;
			return NULL;
		}
		return b->level == level ? b : NULL;
	}
	return NULL;
}

/*
 * A record of warning level or worse, msg[0..n) its message's first line:
 * when it is a banner that opens a block, open it (claimed by a rule or
 * not, its lines after it are the block's).  g->tmpl is scratch here.
 */
static void
block_note(struct generic *g, const struct record *rec, int level,
    const char *msg, size_t n)
{
	size_t lglen, after = 0;
	struct block *b;

	if (n < 8 || memchr(msg, '=', n < 64 ? n : 64) == NULL)
		return;
	lglen = rec->level != LEVEL_NONE ? level_logger(msg, n, &after) : 0;
	if (lglen == 0 || lglen >= BLOCK_TEXT ||
	    banner(msg + after, n - after) != 1)
		return;
	buf_reset(&g->tmpl);
	template_mask(&g->tmpl, msg + after, n - after);
	if (g->tmpl.len >= BLOCK_TEXT)
		return;
	if ((b = block_find(g, rec, level, msg, lglen)) == NULL) {
		b = &g->blocks[g->block_next];
		g->block_next = (g->block_next + 1) % BLOCK_SLOTS;
	}
	b->source_id = rec->source_id;
	b->ts = rec->ts;
	b->level = level;
	b->parts = 0;
	b->line = rec->line_first;
	b->lglen = lglen;
	memcpy(b->logger, msg, lglen);
	b->tlen = g->tmpl.len;
	memcpy(b->tmpl, g->tmpl.data, g->tmpl.len);
}

int
generic_level(const struct record *rec)
{
	const char *msg = rec->text + (rec->body <= rec->len ? rec->body : 0);
	int level = rec->level, fail;

	/* the message's first line, without looking for its end (see level.h) */
	if (level < SEV_ERROR) {
		fail = level_of_failure_line(msg,
		    (size_t)(rec->text + rec->len - msg));
		if (fail > level)
			level = fail;
	}
	if ((rec->flags & (RECORD_TRACEBACK | RECORD_FAILURE)) &&
	    level < SEV_ERROR)
		level = SEV_ERROR;
	return level;
}

static void
put_field(struct match *m, const char *name, const char *value, size_t len)
{
	m->fields[m->nfields].name = name;
	m->fields[m->nfields].value = value != NULL ? value : "";
	m->fields[m->nfields].len = len;
	m->nfields++;
}

/*
 * The first further line of rec that is a failure at the start of a
 * line (RECORD_FAILURE), and its length in *n; NULL if none.
 */
static const char *
failure_line(const struct record *rec, size_t *n)
{
	const char *p = memchr(rec->text, '\n', rec->len), *end = rec->text +
	    rec->len, *nl;

	while (p != NULL && ++p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		*n = (size_t)((nl != NULL ? nl : end) - p);
		if (*n > 0 && *p != ' ' && *p != '\t' &&
		    level_of_failure_line(p, *n) >= SEV_ERROR)
			return p;
		p = nl;
	}
	return NULL;
}

/*
 * Rust's env_logger closes the bracket its stamp opened after the level
 * and the target: "[2025-...Z ERROR my_crate::db] msg".  The target's
 * length when msg, the record's message, opens with one, else 0.
 */
static size_t
bracket_target(const struct record *rec, const char *msg, size_t n)
{
	size_t i;

	if (rec->len == 0 || rec->text[0] != '[' || msg <= rec->text ||
	    memchr(rec->text + 1, '[', (size_t)(msg - rec->text) - 1) != NULL)
		return 0;
	for (i = 0; i < n && i < 100 && (isalnum((unsigned char)msg[i]) ||
	    msg[i] == '_' || msg[i] == '.' || msg[i] == ':' || msg[i] == '-');
	    i++)
		;
	return i > 0 && i + 1 < n && msg[i] == ']' && msg[i + 1] == ' ' ? i : 0;
}

int
generic_message(const char *text, size_t len, const char *msg, size_t n,
    struct buf *tmp, const char **m, size_t *mlen, const char **lg,
    size_t *lglen)
{
	const char *end = text + len, *nl = msg + n < end ? msg + n : NULL, *v;
	size_t vn;

	/*
	 * masked whole, every line of one logger would be one template of
	 * keys and masked values
	 */
	if (msg == text && n > 0 && msg[0] == '{' &&
	    (v = jsonline_message(msg, n, &vn)) != NULL) {
		*lg = jsonline_logger(msg, n, lglen);
		if (*lg == NULL)
			*lglen = 0;
		buf_reset(tmp);
		if (envelope_json_text(tmp, v, vn) == 0) {
			v = tmp->data;
			vn = tmp->len;
		}
		/* its first line, as of any message */
		if ((nl = memchr(v, '\n', vn)) != NULL)
			vn = (size_t)(nl - v);
		*m = v;
		*mlen = vn;
		return 1;
	}
	if (nl != NULL && msg >= text + 6 && level_of_dotnet(msg - 6,
	    (size_t)(end - msg) + 6) != LEVEL_NONE &&
	    (v = memchr(msg, '[', n)) != NULL) {
		*lg = msg;
		*lglen = (size_t)(v - msg);
		for (v = nl + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		nl = memchr(v, '\n', (size_t)(end - v));
		*m = v;
		*mlen = (size_t)((nl != NULL ? nl : end) - v);
		return 1;
	}
	return 0;
}

/*
 * generic_match for a record of the level that makes it a failure or a
 * warning: kept out of line, so that the records of lower levels, nearly
 * all of them, do not pay for setting up its frame.
 */
__attribute__((noinline))
static int
generic_event(struct generic *g, struct matcher *mt, const struct record *rec,
    int level, const char *msg, size_t n, struct match *m)
{
	const char *lg = NULL, *v;
	size_t lglen = 0, after = 0, vn;
	struct block *b = NULL;
	int idx, ends;

	idx = level >= SEV_CRITICAL ? g->rule_critical :
	    level >= SEV_ERROR ? g->rule_error : g->rule_warning;
	if (idx < 0 || matcher_excluded(mt, &g->rs->rules[idx], rec->text,
	    rec->len))
		return 0;

	if (generic_message(rec->text, rec->len, msg, n, &g->json, &v, &vn,
	    &lg, &lglen)) {
		msg = v;
		n = vn;
	/* "panic: ..." or "ValueError: ..." names what failed, not a logger */
	} else if (rec->level != LEVEL_NONE &&
	    (lglen = level_logger(msg, n, &after)) > 0) {
		lg = msg;
		msg += after;
		n -= after;
	} else if ((lglen = bracket_target(rec, msg, n)) > 0) {
		lg = msg;
		msg += lglen + 2;
		n -= lglen + 2;
	}
	/* a record of a block after its banner: grouped under the banner */
	if (lg != NULL && (b = block_find(g, rec, level, lg, lglen)) != NULL &&
	    b->line == rec->line_first)
		b = NULL;
	ends = b != NULL && banner(msg, n) == 2;
	/*
	 * A traceback is known by what it raised: its exception line is the
	 * template of a record that is only a traceback, and follows the first
	 * line of one logged with a message ("Error in chat" has many causes).
	 */
	buf_reset(&g->tmpl);
	/*
	 * An empty message is known by the lines after it; of one line, it
	 * has an empty template, not its stamp.
	 */
	if ((n == 0 && memchr(rec->text, '\n', rec->len) != NULL) ||
	    (n >= 9 && memcmp(msg, "Traceback", 9) == 0)) {
		msg = last_line(rec->text, rec->len, &n);
		template_mask(&g->tmpl, msg, n);
	} else if (n > 0) {
		template_mask(&g->tmpl, msg, n);
		if (rec->flags & RECORD_TRACEBACK) {
			msg = last_line(rec->text, rec->len, &n);
			buf_puts(&g->tmpl, " | ");
			template_mask(&g->tmpl, msg, n);
		} else if ((rec->flags & RECORD_FAILURE) &&
		    (msg = failure_line(rec, &n)) != NULL) {
			buf_puts(&g->tmpl, " | ");
			template_mask(&g->tmpl, msg, n);
		}
	}

	memset(m, 0, sizeof *m);
	m->rule = &g->rs->rules[idx];
	m->rule_index = idx;
	if (lg != NULL)
		put_field(m, "logger", lg, lglen);
	if (b == NULL) {
		put_field(m, "template", g->tmpl.data, g->tmpl.len);
		return 1;
	}
	put_field(m, "template", b->tmpl, b->tlen);
	put_field(m, "part", g->tmpl.data, g->tmpl.len);
	b->parts++;
	if (ends)
		b->level = 0;
	return 1;
}

int
generic_match(struct generic *g, struct matcher *mt, const struct record *rec,
    struct match *m)
{
	const char *msg = rec->text + (rec->body <= rec->len ? rec->body : 0);
	const char *nl;
	size_t n;
	int level;

	level = generic_level(rec);
	if (level < SEV_WARNING)
		return 0;
	/* the message's first line */
	n = (size_t)(rec->text + rec->len - msg);
	if ((nl = memchr(msg, '\n', n)) != NULL)
		n = (size_t)(nl - msg);
	block_note(g, rec, level, msg, n);
	/*
	 * A warning some rule matched is known, whatever the rule's
	 * severity; a failure, when a rule claims it at its level (see
	 * claims): a traceback under a CRITICAL line is still a critical
	 * event, or --fail-on critical would miss it.
	 */
	if ((g->claimed >= 0 && (level < SEV_CRITICAL ||
	    g->claimed >= SEV_CRITICAL)) || (level == SEV_WARNING && g->matched))
		return 0;
	return generic_event(g, mt, rec, level, msg, n, m);
}
