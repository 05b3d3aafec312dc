/*
 * cmd_patterns.c - `logtriage patterns`: group the records of warning level
 * or worse (or any level) under templates mined from their messages, list
 * the templates ranked by severity and count, print each record's template
 * for scoring, or turn one template into a rule section.
 *
 * With --input the log is read directly (no database): each record's level
 * is read from the common forms (Python logging, logfmt level=, [error],
 * ERROR, logrus ERRO[...], Traceback, panic:), and its envelope, timestamp
 * and level are stripped before mining.  Without --input the stored events
 * of warning level or worse are mined.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "envelope.h"
#include "generic.h"
#include "level.h"
#include "multiline.h"
#include "reader.h"
#include "rules.h"
#include "store.h"
#include "store_query.h"
#include "template.h"
#include "timeparse.h"
#include "util.h"

#define PT_SAMPLE_MAX	4096	/* bytes of a sample record kept (a rule's example) */
#define PT_SAMPLE_SHOWN	300	/* ... and shown in the text listing */
#define PT_MAX_SOURCES	8	/* source names kept per template */
#define PT_LEVEL_ANY	(-1)
#define PT_LEVEL_NONE	LEVEL_NONE	/* a record whose level could not be read */
#define PT_RING		1024	/* envelope levels remembered by line number */

static const char patterns_options[] =
    "options:\n"
    "  --input FILE       mine this log ('-' for standard input) instead of\n"
    "                     the stored events; needs no database\n"
    "  --level L          records at level L or worse (debug, info, notice,\n"
    "                     warning, error, critical; default warning), or\n"
    "                     'any' for every record (--input only)\n"
    "  --format F         text (default) or json; ndjson with --records\n"
    "  --records          one line per record: its line and template number\n"
    "  --rule N           print a rule section for template N of the listing\n"
    "  --limit N          list at most N templates\n"
    "@tz\n"
    "@db\n"
    "@source\n"
    "@since\n"
    "@until\n"
    "  --help             this text\n";

enum {
	OPT_INPUT = 256,
	OPT_LEVEL,
	OPT_FORMAT,
	OPT_RECORDS,
	OPT_RULE,
	OPT_LIMIT,
	OPT_HELP
};

/*
 * With the common --db, --source, --since, --until and --tz; --rule is
 * a template number here, not the common rule id.
 */
static const struct option patterns_longopts[] = {
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "records", no_argument, NULL, OPT_RECORDS },
	{ "rule", required_argument, NULL, OPT_RULE },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* What is known of one template (indexed by the miner's id). */
struct pt_stat {
	int64_t		 first, last;	/* TS_NONE when no record had a time */
	int		 severity;	/* worst level seen, PT_LEVEL_NONE if none read */
	char		*sample;	/* the founding record's first line */
	char		*sources[PT_MAX_SOURCES];
	size_t		 nsources;
	int		 more_sources;
	uint64_t	 count;
	uint32_t	 rank;		/* 1-based position in the listing */
	int		 context;	/* a record's request context left out */
};

/* A mined record for --records: its line and the miner's id. */
struct pt_rec {
	uint64_t	line;
	uint32_t	id;
};

struct pt {
	struct template_miner	*miner;
	struct pt_stat		*st;
	size_t			 nst, capst;
	struct pt_rec		*recs;
	size_t			 nrecs, caprecs;
	int			 keep_recs;
	int			 min_level;	/* PT_LEVEL_ANY or a severity */
	uint64_t		 records;	/* records read */
	uint64_t		 mined;
	struct buf		 joined;	/* a traceback's first and last lines */
	struct buf		 tmp;		/* generic_message's, or .NET's two lines */
	/* the --input path */
	struct envelope		*env;
	struct multiline	*ml;
	int			 bare;		/* one record per line: no stamps, no envelope */
	int			 decided;
	struct timeparse_cache	 tc;
	const struct tz		*tz;
	/* The level an envelope stated (logfmt, journald), by first line of record. */
	uint64_t		 ring_line[PT_RING];
	signed char		 ring_sev[PT_RING];
};

static int
word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* What is mined of a record, and what of it is kept as its sample. */
struct pt_view {
	const char	*msg;
	size_t		 msglen;
	const char	*sample;
	size_t		 samplelen;
	int		 context;	/* drop_context left a request context out */
};

/* The line of text[0..len) holding p. */
static void
line_at(const char *text, size_t len, const char *p, const char **line,
    size_t *n)
{
	const char *b = p > text ? memrchr(text, '\n', (size_t)(p - text)) : NULL;
	const char *e;

	*line = b != NULL ? b + 1 : text;
	e = memchr(*line, '\n', len - (size_t)(*line - text));
	*n = (size_t)((e != NULL ? e : text + len) - *line);
}

/*
 * The length of syslog's "host program[pid]: " after a stamp of its own
 * shape ("Jun 14 15:16:01 "), or 0: the host and the pid are no part of
 * the message, and a host shared by every line made unlike messages alike.
 * Ingest reads such lines as a syslog envelope; records stored before it
 * did hold the header.
 */
static size_t
syslog_header(const char *text, size_t skip, size_t first)
{
	const char *tag;
	size_t tag_len;

	if (skip < 16 || timeparse_month(text) == 0 || text[3] != ' ')
		return 0;
	return envelope_syslog_header(text + skip, first - skip, &tag,
	    &tag_len);
}

/*
 * A request context between the logger and the message ("nova.compute.manager
 * [req-ID - - - - -] msg") left out of v's message, as the generic rule
 * leaves it out of its template: each request's would be a template of
 * its own.
 */
static void
drop_context(struct pt *pt, struct pt_view *v)
{
	size_t lg, after;

	lg = level_logger(v->msg, v->msglen, &after);
	if (lg == 0 || level_context_end(v->msg, v->msglen, lg) != after)
		return;
	buf_reset(&pt->joined);
	buf_append(&pt->joined, v->msg, lg + 1);
	buf_append(&pt->joined, v->msg + after, v->msglen - after);
	v->msg = pt->joined.data;
	v->msglen = pt->joined.len;
	v->context = 1;
}

/*
 * v's message where its first line does not hold it (generic_message, as
 * the generic rules group the records): a JSON line's, or .NET's on the
 * line after "fail: App.Db[13]", which is mined after the category and
 * event id and is part of the sample, as a rule's example must be.
 */
static void
structured_message(struct pt *pt, const char *text, size_t len,
    struct pt_view *v)
{
	const char *m, *lg;
	size_t mlen, lglen;

	if (!generic_message(text, len, v->msg, v->msglen, &pt->tmp, &m, &mlen,
	    &lg, &lglen) || mlen == 0)
		return;
	/* a JSON line's is its first byte's, .NET's follows its category */
	if (v->msg[0] == '{') {
		v->msg = m;
		v->msglen = mlen;
		return;
	}
	/* generic_message left tmp unused */
	buf_reset(&pt->tmp);
	buf_append(&pt->tmp, v->msg, v->msglen);
	buf_putc(&pt->tmp, ' ');
	buf_append(&pt->tmp, m, mlen);
	v->msg = pt->tmp.data;
	v->msglen = pt->tmp.len;
	v->samplelen = (size_t)(m + mlen - v->sample);
}

/*
 * The level of a record and the part of it that is mined: the first line
 * after its timestamp and level.  A traceback adds its last line (the
 * exception: what failed) after a newline, so "Error in chat" is told
 * apart by what raised; such a sample is the whole record.  A record that
 * is only a traceback is mined by its exception line.
 */
static int
record_level(struct pt *pt, const char *text, size_t len, int envsev,
    struct pt_view *v, int64_t *ts)
{
	const char *nl = memchr(text, '\n', len), *last;
	size_t first = nl != NULL ? (size_t)(nl - text) : len, skip = 0, body = 0;
	size_t lead;
	size_t end = len;
	int64_t ms;
	int sev = PT_LEVEL_NONE, leadsev;

	skip = timeparse_leading_cached(&pt->tc, text, first, pt->tz, &ms);
	/* a level before the stamp (Django, Cassandra), as ingest reads it */
	if (skip == 0 && (lead = level_lead_stamp(text, first, &leadsev)) > 0 &&
	    (skip = timeparse_leading_cached(&pt->tc, text + lead, first - lead,
	    pt->tz, &ms)) > 0) {
		if (envsev == PT_LEVEL_NONE)
			envsev = leadsev;
		skip += lead;
	}
	if (skip > 0 && *ts == TS_NONE)
		*ts = ms;
	sev = envsev;
	if (sev == PT_LEVEL_NONE) {
		sev = level_of_stamped(NULL, text, first, skip, &body);
		body -= skip;
	}
	if (body == 0)
		body = syslog_header(text, skip, first);
	v->msg = text + skip + body;
	v->msglen = first - skip - body;
	v->sample = text;
	v->samplelen = first;
	v->context = 0;
	structured_message(pt, text, len, v);
	if (nl != NULL && memmem(text, len, "Traceback (most recent call last):", 34) != NULL) {
		if (sev == PT_LEVEL_NONE || sev < SEV_ERROR)
			sev = SEV_ERROR;
		while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' '))
			end--;
		last = memrchr(text, '\n', end);
		if (last != NULL && v->msglen >= 9 && memcmp(v->msg, "Traceback", 9) == 0) {
			v->msg = last + 1;
			v->msglen = (size_t)(text + end - v->msg);
			line_at(text, len, v->msg, &v->sample, &v->samplelen);
		} else if (last != NULL) {
			buf_reset(&pt->joined);
			buf_append(&pt->joined, v->msg, v->msglen);
			buf_putc(&pt->joined, '\n');
			buf_append(&pt->joined, last + 1, (size_t)(text + end - last - 1));
			v->msg = pt->joined.data;
			v->msglen = pt->joined.len;
			v->samplelen = end;
		}
	}
	if (sev != PT_LEVEL_NONE && v->msg != pt->joined.data)
		drop_context(pt, v);
	if (sev == PT_LEVEL_NONE)
		sev = level_of_failure_line(v->msg, v->msglen);
	return sev;
}

static struct pt_stat *
stat_of(struct pt *pt, uint32_t id)
{
	while (pt->nst <= id) {
		pt->st = util_grow(pt->st, &pt->capst, pt->nst, sizeof(*pt->st), 64);
		memset(&pt->st[pt->nst], 0, sizeof(*pt->st));
		pt->st[pt->nst].first = pt->st[pt->nst].last = TS_NONE;
		pt->st[pt->nst].severity = PT_LEVEL_NONE;
		pt->nst++;
	}
	return &pt->st[id];
}

static void
stat_source(struct pt_stat *s, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < s->nsources; i++) {
		if (strlen(s->sources[i]) == n && memcmp(s->sources[i], src, n) == 0)
			return;
	}
	if (s->nsources == PT_MAX_SOURCES) {
		s->more_sources = 1;
		return;
	}
	s->sources[s->nsources++] = xstrndup(src, n);
}

/* Mine one record. */
static void
pt_mine(struct pt *pt, const struct pt_view *v, int sev, int64_t ts,
    const char *src, size_t srclen, uint64_t line)
{
	struct pt_stat *s;
	uint32_t id;

	pt->mined++;
	id = template_miner_add(pt->miner, v->msg, v->msglen);
	s = stat_of(pt, id);
	if (s->sample == NULL)
		s->sample = xstrndup(v->sample, v->samplelen < PT_SAMPLE_MAX ?
		    v->samplelen : PT_SAMPLE_MAX);
	if (sev > s->severity)
		s->severity = sev;
	s->context |= v->context;
	if (ts != TS_NONE) {
		if (s->first == TS_NONE || ts < s->first)
			s->first = ts;
		if (s->last == TS_NONE || ts > s->last)
			s->last = ts;
	}
	stat_source(s, src, srclen);
	if (pt->keep_recs) {
		pt->recs = util_grow(pt->recs, &pt->caprecs, pt->nrecs,
		    sizeof(*pt->recs), 1024);
		pt->recs[pt->nrecs].line = line;
		pt->recs[pt->nrecs].id = id;
		pt->nrecs++;
	}
}

/* The --input path: one assembled record. */
static void
pt_record(struct pt *pt, const char *text, size_t len, int64_t ts,
    const char *src, size_t srclen, int envsev, uint64_t line,
    const char *inputname)
{
	struct pt_view v;
	int sev;

	pt->records++;
	sev = record_level(pt, text, len, envsev, &v, &ts);
	if (pt->min_level != PT_LEVEL_ANY &&
	    (sev == PT_LEVEL_NONE || sev < pt->min_level))
		return;
	if (src == NULL) {
		src = inputname;
		srclen = strlen(inputname);
	}
	pt_mine(pt, &v, sev, ts, src, srclen, line);
}

struct pt_emit {
	struct pt	*pt;
	const char	*inputname;
};

static void
on_record(void *arg, const struct record *rec)
{
	struct pt_emit *e = arg;
	struct pt *pt = e->pt;
	size_t k = rec->line_first % PT_RING;
	int envsev = pt->ring_line[k] == rec->line_first ? pt->ring_sev[k] :
	    PT_LEVEL_NONE;

	pt_record(pt, rec->text, rec->len, rec->ts, rec->source,
	    rec->source_len, envsev, rec->line_first, e->inputname);
}

/*
 * Bare messages (an excerpt, a data set of messages) are one record per
 * line: multi-line records are glued only in an input whose first line has
 * an envelope, a timestamp or a level header, or opens a traceback.
 */
static int
looks_bare(const struct envelope_line *el)
{
	size_t body;

	if (el->format != ENVELOPE_PLAIN)
		return 0;
	if (timeparse_has_leading(el->msg, el->msg_len) ||
	    (el->msg_len >= 9 && memcmp(el->msg, "Traceback", 9) == 0))
		return 0;
	return level_of_line(el->msg, el->msg_len, &body) == PT_LEVEL_NONE;
}

static int
pt_read_input(struct pt *pt, const char *path, char *err, size_t errlen)
{
	struct reader *r;
	struct reader_line rl;
	struct envelope_line el;
	struct pt_emit e = { pt, strcmp(path, "-") == 0 ? "stdin" : path };
	int rc, envsev;

	if ((r = reader_open(path, 0, err, errlen)) == NULL)
		return -1;
	pt->env = envelope_new(ENVELOPE_AUTO, pt->tz);
	pt->ml = multiline_new(pt->tz, on_record, &e);
	while ((rc = reader_next(r, &rl, err, errlen)) == 1) {
		envelope_decode(pt->env, rl.p, rl.len, &el);
		/* a record's text without tail's headings and empty lines */
		if (el.tail & (ENVELOPE_TAIL_HEADING | ENVELOPE_TAIL_HOLD))
			continue;
		envsev = el.level != NULL ?
		    level_of_word(el.level, el.level_len, 1) : PT_LEVEL_NONE;
		if (!pt->decided && el.msg_len > 0) {
			pt->bare = looks_bare(&el);
			pt->decided = 1;
		}
		if (pt->bare) {
			pt_record(pt, el.msg, el.msg_len, el.ts, el.source,
			    el.source_len, envsev, rl.lineno, e.inputname);
			continue;
		}
		pt->ring_line[rl.lineno % PT_RING] = rl.lineno;
		pt->ring_sev[rl.lineno % PT_RING] = (signed char)envsev;
		multiline_push(pt->ml, &el, &rl);
	}
	multiline_flush(pt->ml);
	multiline_free(pt->ml);
	pt->ml = NULL;
	envelope_free(pt->env);
	pt->env = NULL;
	reader_close(r);
	return rc < 0 ? -1 : 0;
}

/*
 * The stored path: records that are events of warning or worse, once each
 * however many rules they are events of, at their worst rule's severity.
 * Returns 0, -1 on a database error, -2 when there is no database.
 */
static int
pt_read_store(struct pt *pt, const char *path, const struct store_filter *f,
    char *err, size_t errlen)
{
	struct store *st = NULL;
	struct store_rows *q = NULL;
	const char *text, *src;
	struct pt_view v;
	char why[512];
	size_t len;
	int64_t ts;
	int step, sev, rc = -1;

	if (access(path, F_OK) != 0) {
		util_err(err, errlen, "patterns: no database at %s to mine; give the"
		    " log with --input FILE", path);
		rc = -2;
		goto out;
	}
	st = store_open(path, STORE_READONLY, err, errlen);
	if (st == NULL)
		goto out;
	if (store_worst_records(st, f, pt->min_level == PT_LEVEL_ANY ? 0 :
	    pt->min_level, &q, why, sizeof why) != 0)
		goto fail;
	while ((step = store_rows_next(q)) == 1) {
		src = store_rows_text(q, 1);
		if (src == NULL)
			src = "";
		text = store_rows_blob(q, 4, &len);
		if (text == NULL)
			text = "";
		pt->records++;
		ts = store_rows_null(q, 0) ? TS_NONE : store_rows_int64(q, 0);
		record_level(pt, text, len, PT_LEVEL_NONE, &v, &ts);
		/* The rule's severity is what the event is filed under. */
		sev = store_rows_int(q, 2);
		pt_mine(pt, &v, sev, ts, src, strlen(src),
		    (uint64_t)store_rows_int64(q, 3));
	}
	if (step != 0) {
		store_read_error(st, why, sizeof why, NULL);
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	util_err(err, errlen, "%s: %s", path, why);
out:
	store_rows_free(q);
	store_close(st);
	return rc;
}

/* Listing order: worst severity first, then the most records, then the oldest. */
static const struct pt *sort_pt;

static int
cmp_rank(const void *a, const void *b)
{
	const struct pt_stat *x = &sort_pt->st[*(const uint32_t *)a];
	const struct pt_stat *y = &sort_pt->st[*(const uint32_t *)b];

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Fold merged templates into the survivors; returns the survivors in listing order. */
static uint32_t *
pt_rank(struct pt *pt, size_t *n)
{
	uint32_t i, f, *order;
	struct pt_stat *s, *d;
	size_t k;

	template_miner_finish(pt->miner);
	stat_of(pt, template_miner_count(pt->miner));
	order = xcalloc(pt->nst + 1, sizeof(*order));
	*n = 0;
	for (i = 0; i < template_miner_count(pt->miner); i++) {
		f = template_miner_final(pt->miner, i);
		s = &pt->st[i];
		if (f == i) {
			s->count = template_miner_size(pt->miner, i);
			order[(*n)++] = i;
			continue;
		}
		d = &pt->st[f];
		if (s->severity > d->severity)
			d->severity = s->severity;
		if (s->first != TS_NONE && (d->first == TS_NONE || s->first < d->first))
			d->first = s->first;
		if (s->last != TS_NONE && (d->last == TS_NONE || s->last > d->last))
			d->last = s->last;
		for (k = 0; k < s->nsources; k++)
			stat_source(d, s->sources[k], strlen(s->sources[k]));
		d->more_sources |= s->more_sources;
		d->context |= s->context;
	}
	sort_pt = pt;
	qsort(order, *n, sizeof(*order), cmp_rank);
	for (k = 0; k < *n; k++)
		pt->st[order[k]].rank = (uint32_t)k + 1;
	return order;
}

static const char *
sev_name(int sev)
{
	return sev >= 0 && sev < SEV_COUNT ? severity_name((enum severity)sev) : "-";
}

static void
put_json_str(struct buf *b, const char *p, size_t n)
{
	buf_putc(b, '"');
	util_escape_json(b, p, n);
	buf_putc(b, '"');
}

static void
put_time(struct buf *b, const struct tz *tz, int64_t ts, int json)
{
	char iso[40];

	if (ts == TS_NONE) {
		buf_puts(b, json ? "null" : "-");
		return;
	}
	tz_format_iso(tz, ts, iso, sizeof iso);
	if (json)
		buf_printf(b, "\"%s\"", iso);
	else
		buf_puts(b, iso);
}

static void
put_sources(struct buf *b, const struct pt_stat *s, int json)
{
	size_t i;

	if (json)
		buf_putc(b, '[');
	for (i = 0; i < s->nsources; i++) {
		if (i > 0)
			buf_puts(b, json ? "," : ", ");
		if (json)
			put_json_str(b, s->sources[i], strlen(s->sources[i]));
		else
			util_escape_terminal(b, s->sources[i], strlen(s->sources[i]), 0);
	}
	if (!json && s->more_sources)
		buf_puts(b, ", ...");
	if (json)
		buf_putc(b, ']');
}

static void
print_text(struct pt *pt, const uint32_t *order, size_t n, size_t limit)
{
	struct buf b, t;
	size_t k, n_sample;

	buf_init(&b);
	buf_init(&t);
	buf_printf(&b, "%llu templates from %llu of %llu records\n",
	    (unsigned long long)n, (unsigned long long)pt->mined,
	    (unsigned long long)pt->records);
	for (k = 0; k < n && k < limit; k++) {
		const struct pt_stat *s = &pt->st[order[k]];

		buf_reset(&t);
		template_miner_text(pt->miner, order[k], &t);
		buf_printf(&b, "\n%4zu  %llu x %s  ", k + 1,
		    (unsigned long long)s->count, sev_name(s->severity));
		util_escape_terminal(&b, t.data, t.len, 0);
		buf_puts(&b, "\n      first ");
		put_time(&b, pt->tz, s->first, 0);
		buf_puts(&b, "  last ");
		put_time(&b, pt->tz, s->last, 0);
		buf_puts(&b, "  sources ");
		put_sources(&b, s, 0);
		buf_puts(&b, "\n      sample ");
		n_sample = strlen(s->sample);
		util_escape_terminal(&b, s->sample, n_sample < PT_SAMPLE_SHOWN ?
		    n_sample : PT_SAMPLE_SHOWN, 0);
		if (n_sample > PT_SAMPLE_SHOWN)
			buf_puts(&b, "...");
		buf_putc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		buf_reset(&b);
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	buf_free(&t);
}

static void
print_json(struct pt *pt, const uint32_t *order, size_t n, size_t limit)
{
	struct buf b, t;
	size_t k;

	buf_init(&b);
	buf_init(&t);
	buf_printf(&b, "{\"records\":%llu,\"mined\":%llu,\"templates\":[",
	    (unsigned long long)pt->records, (unsigned long long)pt->mined);
	for (k = 0; k < n && k < limit; k++) {
		const struct pt_stat *s = &pt->st[order[k]];

		buf_reset(&t);
		template_miner_text(pt->miner, order[k], &t);
		buf_printf(&b, "%s\n{\"id\":%zu,\"count\":%llu,\"severity\":",
		    k > 0 ? "," : "", k + 1, (unsigned long long)s->count);
		if (s->severity == PT_LEVEL_NONE)
			buf_puts(&b, "null");
		else
			put_json_str(&b, sev_name(s->severity), strlen(sev_name(s->severity)));
		buf_puts(&b, ",\"template\":");
		put_json_str(&b, t.data, t.len);
		buf_puts(&b, ",\"first\":");
		put_time(&b, pt->tz, s->first, 1);
		buf_puts(&b, ",\"last\":");
		put_time(&b, pt->tz, s->last, 1);
		buf_puts(&b, ",\"sources\":");
		put_sources(&b, s, 1);
		buf_puts(&b, ",\"sample\":");
		put_json_str(&b, s->sample, strlen(s->sample));
		buf_putc(&b, '}');
		fwrite(b.data, 1, b.len, stdout);
		buf_reset(&b);
	}
	buf_puts(&b, "\n]}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	buf_free(&t);
}

static void
print_records(struct pt *pt)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < pt->nrecs; i++) {
		uint32_t f = template_miner_final(pt->miner, pt->recs[i].id);

		buf_printf(&b, "{\"line\":%llu,\"template\":%u}\n",
		    (unsigned long long)pt->recs[i].line, pt->st[f].rank);
		if (b.len > 65536) {
			fwrite(b.data, 1, b.len, stdout);
			buf_reset(&b);
		}
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/*
 * Let the pattern of a template whose records had a request context after
 * their logger (drop_context) match it there: after the logger's word and
 * the blanks that end it, the first "\\s+" of the pattern.
 */
static void
allow_context(struct buf *re)
{
	static const char ctx[] = "(?:\\[[^\\]\\n]*\\]\\s+)?";
	const char *p = strstr(re->data, "\\s+");
	struct buf b;

	if (p == NULL)
		return;
	buf_init(&b);
	buf_append(&b, re->data, (size_t)(p - re->data) + 3);
	buf_puts(&b, ctx);
	buf_puts(&b, p + 3);
	buf_free(re);
	*re = b;
}

/* Does pattern re match subject?  -1 if it does not compile. */
static int
regex_matches(pcre2_code *re, const char *s)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);

	pcre2_match_data_free(md);
	return rc >= 0;
}

/*
 * A rule id from the number and the first plain words of the template,
 * past a logger name: "pattern-2-failed-to-release".
 */
static void
rule_id(struct buf *b, const char *tmpl, uint32_t rank)
{
	const char *p = tmpl, *e;
	size_t n, words = 0, i;

	buf_printf(b, "pattern-%u", rank);
	while (*p != '\0' && words < 4) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t' && *e != '\n'; e++)
			;
		n = (size_t)(e - p);
		while (n > 0 && strchr(":,;.!)]", p[n - 1]) != NULL)
			n--;
		for (i = 0; i < n && word_char((unsigned char)p[i]); i++)
			;
		if (i == n && n > 0) {
			buf_putc(b, '-');
			for (i = 0; i < n; i++)
				buf_putc(b, (char)(p[i] >= 'A' && p[i] <= 'Z' ?
				    p[i] - 'A' + 'a' : p[i]));
			words++;
		}
		p = e;
	}
}

/* A rule value; a value that would read as a block opener is written as a block. */
static void
put_value(struct buf *b, const char *key, const char *v)
{
	const char *word = "END";

	if (strncmp(v, "<<", 2) != 0 && strchr(v, '\n') == NULL) {
		buf_printf(b, "%-15s = %s\n", key, v);
		return;
	}
	/* A block, ended by a word that is no line of it. */
	if (strcmp(v, "END") == 0 || strncmp(v, "END\n", 4) == 0 ||
	    strstr(v, "\nEND\n") != NULL ||
	    (strlen(v) >= 4 && strcmp(v + strlen(v) - 4, "\nEND") == 0))
		word = "END_OF_RECORD";
	buf_printf(b, "%-15s = <<%s\n%s\n%s\n", key, word, v, word);
}

static int
print_rule(struct pt *pt, const uint32_t *order, size_t n, unsigned long want)
{
	struct buf re, sum, t, out;
	uint32_t id;
	pcre2_code *code;
	int errcode, rc = EXIT_USAGE, sev;
	PCRE2_SIZE erroff;
	size_t k, i;
	char *p;

	if (want == 0 || want > n) {
		cmd_error("patterns: no template %lu (there are %zu)", want, n);
		return EXIT_USAGE;
	}
	id = order[want - 1];
	buf_init(&re);
	buf_init(&sum);
	buf_init(&t);
	buf_init(&out);
	template_miner_regex(pt->miner, id, &re);
	if (pt->st[id].context)
		allow_context(&re);
	template_miner_text(pt->miner, id, &t);
	code = pcre2_compile((PCRE2_SPTR)re.data, re.len, 0, &errcode, &erroff, NULL);
	if (code == NULL) {
		cmd_error("patterns: template %lu gives a pattern that does not compile",
		    want);
		goto out;
	}
	sev = pt->st[id].severity;
	if (sev == PT_LEVEL_NONE)
		sev = SEV_INFO;
	buf_putc(&out, '[');
	rule_id(&out, t.data, (uint32_t)want);
	buf_puts(&out, "]\n");
	buf_printf(&out, "%-15s = %s\n", "category",
	    sev >= SEV_ERROR ? "error" : "warning");
	buf_printf(&out, "%-15s = %s\n", "severity", sev_name(sev));
	/* The summary: the template, its wildcards named as the groups are. */
	{
		const char *q = re.data;

		for (i = 0; i < t.len; i++) {
			if (strncmp(t.data + i, TEMPLATE_WILDCARD, 3) == 0 &&
			    (q = strstr(q, "(?<")) != NULL) {
				const char *e = strchr(q, '>');

				buf_putc(&sum, '{');
				buf_append(&sum, q + 3, (size_t)(e - q - 3));
				buf_putc(&sum, '}');
				q = e;
				i += 2;
				continue;
			}
			if (t.data[i] == '{' || t.data[i] == '}')
				buf_putc(&sum, t.data[i] == '{' ? '(' : ')');
			else if (t.data[i] == '\n')
				buf_puts(&sum, " / ");
			else if (t.data[i] == '\t')
				buf_putc(&sum, ' ');
			else
				buf_putc(&sum, t.data[i]);
		}
	}
	for (p = sum.data; *p == ' '; p++)
		;
	if (*p != '\0')
		put_value(&out, "summary", p);
	put_value(&out, "match", re.data);
	if (regex_matches(code, pt->st[id].sample))
		put_value(&out, "example", pt->st[id].sample);
	for (k = 0; k < n; k++) {
		const char *s = pt->st[order[k]].sample;

		if (order[k] != id && !regex_matches(code, s)) {
			put_value(&out, "counter-example", s);
			break;
		}
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = EXIT_OK;
out:
	pcre2_code_free(code);
	buf_free(&re);
	buf_free(&sum);
	buf_free(&t);
	buf_free(&out);
	return rc;
}

static void
pt_free(struct pt *pt)
{
	size_t i, k;

	for (i = 0; i < pt->nst; i++) {
		free(pt->st[i].sample);
		for (k = 0; k < pt->st[i].nsources; k++)
			free(pt->st[i].sources[k]);
	}
	free(pt->st);
	free(pt->recs);
	buf_free(&pt->joined);
	buf_free(&pt->tmp);
	template_miner_free(pt->miner);
}

static int
cmd_patterns_exec(int argc, char **argv)
{
	struct cmd_common cc;
	struct store_filter f;
	struct pt pt;
	const char *input = NULL, *level = "warning", *fmt = NULL;
	char err[1024], *end;
	unsigned long want = 0;
	long long limit = -1;
	int ch, rc = EXIT_USAGE, records = 0, json = 0, k;
	size_t n = 0;
	uint32_t *order = NULL;

	memset(&pt, 0, sizeof pt);
	cmd_common_init(&cc, &cmd_patterns_entry, CMD_OPT_DB | CMD_OPT_WINDOW |
	    CMD_OPT_SOURCE | CMD_OPT_TZ, ":", patterns_longopts);
	while ((ch = cmd_getopt(&cc, argc, argv)) != -1) {
		switch (ch) {
		case OPT_INPUT:
			input = optarg;
			break;
		case OPT_LEVEL:
			level = optarg;
			break;
		case OPT_FORMAT:
			fmt = optarg;
			break;
		case OPT_RECORDS:
			records = 1;
			break;
		case OPT_RULE:
			errno = 0;
			want = strtoul(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' || want == 0) {
				cmd_error("patterns: bad --rule '%s' (a template number)",
				    optarg);
				goto out;
			}
			break;
		case OPT_LIMIT:
			errno = 0;
			limit = strtoll(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' || limit < 0) {
				cmd_error("patterns: bad --limit '%s'", optarg);
				goto out;
			}
			break;
		case OPT_HELP:
			cmd_common_usage(&cc, patterns_options, 21);
			rc = EXIT_OK;
			goto out;
		default:
			rc = cmd_option_error(&cmd_patterns_entry, ch, argv);
			goto out;
		}
	}
	if (optind < argc) {
		cmd_error("patterns: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (fmt == NULL)
		fmt = records ? "ndjson" : "text";
	if (records ? strcmp(fmt, "ndjson") != 0 :
	    strcmp(fmt, "text") != 0 && (json = strcmp(fmt, "json") == 0) == 0) {
		cmd_error("patterns: unknown format '%s' (%s)", fmt,
		    records ? "--records: ndjson" : "text json");
		goto out;
	}
	if (records && want != 0) {
		cmd_error("patterns: --records and --rule do not go together");
		goto out;
	}
	if (strcmp(level, "any") == 0) {
		pt.min_level = PT_LEVEL_ANY;
	} else if ((pt.min_level = severity_from_name(level)) < 0) {
		cmd_error("patterns: unknown level '%s' (any debug info notice warning"
		    " error critical)", level);
		goto out;
	}
	if ((rc = cmd_common_finish(&cc)) != 0)
		goto out;
	rc = EXIT_USAGE;
	if (input != NULL && (cc.db_arg != NULL || cc.nsources > 0 ||
	    cc.since_arg != NULL || cc.until_arg != NULL)) {
		cmd_error("patterns: --db, --source, --since and --until read the"
		    " stored events; --input reads the log itself");
		goto out;
	}
	pt.miner = template_miner_new();
	pt.tz = cc.tz;
	pt.keep_recs = records;
	if (input != NULL) {
		if (pt_read_input(&pt, input, err, sizeof err) != 0) {
			cmd_error("%s", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
	} else {
		if (pt.min_level == PT_LEVEL_ANY || pt.min_level < SEV_WARNING) {
			cmd_error("patterns: the stored events are mined at warning"
			    " level or worse; --level %s needs --input", level);
			goto out;
		}
		memset(&f, 0, sizeof f);
		f.since = cc.since;
		f.until = cc.until;
		f.sources = cc.sources;
		f.nsources = cc.nsources;
		if ((k = pt_read_store(&pt, cc.db, &f, err, sizeof err)) != 0) {
			cmd_error("%s", err);
			rc = k == -2 ? EXIT_USAGE : EXIT_RUNTIME;
			goto out;
		}
		/* an empty window is a success, as for report and events */
		if (pt.mined == 0)
			cmd_error("patterns: no stored events of %s level or worse to"
			    " mine; give the log with --input FILE", level);
	}
	order = pt_rank(&pt, &n);
	if (want != 0)
		rc = print_rule(&pt, order, n, want);
	else {
		if (records)
			print_records(&pt);
		else if (json)
			print_json(&pt, order, n, limit < 0 ? SIZE_MAX : (size_t)limit);
		else
			print_text(&pt, order, n, limit < 0 ? SIZE_MAX : (size_t)limit);
		rc = EXIT_OK;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_error("patterns: writing output: %s", strerror(errno));
		rc = EXIT_RUNTIME;
	}
out:
	free(order);
	if (pt.miner != NULL)
		pt_free(&pt);
	cmd_common_free(&cc);
	return rc;
}

const struct cmd_entry cmd_patterns_entry = {
	"patterns",
	"[--input FILE|-] [--level L|any] [--format text|json] [--records]"
	" [--rule N] [--limit N] [--since T] [--until T] [--source S]... [--tz ZONE]",
	"Group warnings and errors under mined message templates.",
	cmd_patterns_exec,
	0
};
