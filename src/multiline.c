/*
 * multiline.c - glue decoded physical lines into records, per source.
 *
 * Pending records are kept per (envelope source, stream): NULL source is
 * the input's own, and docker json-file stdout and stderr are separate, so
 * a print() on stdout never lands inside a logging record on stderr.
 *
 * The rule, for each line of a source with a pending record:
 *  1. The previous line was a json-file partial chunk: this line is the
 *     rest of the same physical line and is appended WITHOUT a newline.
 *  2. Otherwise the line STARTS A NEW RECORD when
 *     a. the message begins with a timestamp (timeparse_leading), but for
 *        PostgreSQL's "[42] STATEMENT:  ..." and its other lines that go
 *        on the message before (pg_detail), or is a JSON line that states
 *        one (jsonline_time), or
 *     b. it begins with a logging level header: a level word (DEBUG INFO
 *        WARNING WARN ERROR CRITICAL FATAL TRACE NOTICE) followed by ':',
 *        a blank or '|' ("INFO:openai._base_client:...", uvicorn's
 *        "INFO:     ..."), a bracketed level at the start ("[INFO] ..."),
 *        " - [LEVEL]" within its first 160 bytes ("name - [INFO] : ..."),
 *        a JSON line that states a level ({"level":"error",...}), .NET's
 *        "fail: Category[13]", PHP's "PHP Warning:  ...", a runtime's
 *        warning (Node's "(node:1) DeprecationWarning: ...", Python's
 *        "/app/x.py:3: UserWarning: ..."),
 *        or Go's "panic: " or Java's "Exception in thread \"...",
 *        which a runtime prints past any logger.
 *     c. it was a logfmt line (time=... level=... msg=..., or logrus's
 *        INFO[0000] ...): a structured logger writes a record per line,
 *        its newlines escaped, so one never continues another record.
 *     But a level header right after a record's first line that is
 *     java.util.logging's stamp, class and method, of no level, is that
 *     record's level ("Oct 25, 2025 11:00:10 PM Class method" then
 *     "SEVERE: message").
 *  3. Otherwise it JOINS the pending record (after a '\n') when
 *     a. it is empty or begins with a blank or a tab,
 *     b. it is a traceback line: "Traceback (most recent call last):",
 *        "During handling of the above exception, another exception
 *        occurred:", "The above exception was the direct cause of the
 *        following exception:", "...<N lines>...", a caret line (only
 *        '^', '~' and blanks), Java's "Caused by: ...", or Node's hint
 *        after its warning ("(Use `node --trace-deprecation ...` ..."),
 *     c. the pending record is inside a traceback: the first unindented
 *        other line is the final exception line ("ValueError: ...",
 *        "openai.APITimeoutError: ..."); it joins and ends the traceback,
 *     d. the pending record began with a timestamp: a source that stamps
 *        its records writes unstamped lines only as part of a message
 *        (print() output such as "[EXAI] ready" included).
 *  4. Otherwise it starts a record of its own: a source that never stamps
 *     (nginx, redis) has one record per line.
 * A line with no pending record always starts one.
 *
 * A record's time is its first line's envelope stamp, else the leading
 * stamp of its message or the time a JSON line states, else the previous record's of the same source
 * and stream, else the input's latest (RECORD_NO_TS; TS_NONE when there
 * never was one).  RECORD_BACKWARDS
 * marks a time earlier than the previous record's of the source (a
 * whole-second stamp against that record's second).  The message keeps its
 * own stamp: rules see the text as the application wrote it.
 *
 * Memory is bounded: a record's text is capped at ML_RECORD_CAP (later
 * lines still extend line_last; RECORD_TRUNCATED), at most ML_MAX_SOURCES
 * sources are pending (the least recently used is flushed), and buffers
 * are reused from record to record.
 *
 * Knows nothing about rules or SQL.
 */
#include "multiline.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jsonline.h"
#include "level.h"
#include "severity.h"
#include "timeparse.h"
#include "util.h"

#define ML_RECORD_CAP	(4u * 1024 * 1024)
#define ML_MAX_SOURCES	256
/*
 * Slots of the table that finds a source by name: a compose prefix per
 * line makes every line a new source, and a scan of 256 per line was a
 * twentieth of such an ingest.
 */
#define ML_SLOTS	1024
/* Slots of multiline.by_env. */
#define ML_ENV_IDS	16
/* A buffer that grew past this for a rare big record is given back. */
#define ML_KEEP_BUF	(256u * 1024)

struct ml_source {
	char			*name;		/* NULL: the input's own */
	size_t			 name_len;
	uint64_t		 id;		/* record.source_id of name */
	uint64_t		 env_id;	/* the envelope_line.source_id it was last met by */
	enum envelope_stream	 stream;
	uint64_t		 hash;		/* of name and stream */
	size_t			 pos;		/* in multiline.src */
	struct ml_source	*newer, *older;	/* the LRU list */

	struct buf		 text;
	/*
	 * A record of one line whose message lies in the reader's line is
	 * not copied: text is empty and lent points at it, until
	 * multiline_settle or a second line copies it into text.
	 */
	const char		*lent;
	size_t			 lent_len;
	int			 pending;
	int			 open_partial;	/* last line was a partial chunk */
	int			 in_traceback;
	int			 stamped;	/* record began with a leading stamp */
	/*
	 * The pending record as it is handed out, kept up to date line by
	 * line: only its text is set at the end.  Its source_kind is the
	 * first line's (lines of one source may come in other envelopes).
	 */
	struct record		 rec;

	int64_t			 last_ts;	/* time of the previous record */

	unsigned		 clock_samples;	/* records that had both */
	int			 auto_side;	/* --tz auto: AUTO_* */
	int64_t			 auto_ms;	/* ... the naive side's offset east, in ms */
};

/* Which naive stamps of a source --tz auto reads at its offset. */
enum { AUTO_NONE, AUTO_OWN, AUTO_ENV };

struct multiline {
	const struct tz		*tz;
	multiline_emit_fn	 emit;
	void			*arg;
	struct ml_source	*src[ML_MAX_SOURCES];
	size_t			 nsrc;
	/* the most and the least recently used: consecutive lines share a source */
	struct ml_source	*last, *oldest;
	/* src positions + 1 by hash; 0 free, -1 a source evicted */
	int16_t			 slot[ML_SLOTS];
	size_t			 evicted;
	uint64_t		 last_id;	/* the latest ml_source.id given */
	/*
	 * Sources by the envelope's source_id, slot id % ML_ENV_IDS (checked
	 * against ml_source.env_id): a compose line's name need then not be
	 * compared, nor hashed when containers take turns.
	 */
	struct ml_source	*by_env[ML_ENV_IDS];
	int64_t			 last_ts;	/* time of the input's latest stamped record */
	int			 lend;		/* multiline_lend */
	size_t			 nlent;		/* sources whose lent is set */
	struct timeparse_cache	 stamps;	/* the latest inner stamp's second */
	struct level_cache	 levels;	/* the latest record's level word */
	int			 tz_auto;
};

struct multiline *
multiline_new(const struct tz *tz, multiline_emit_fn emit, void *arg)
{
	struct multiline *m = xcalloc(1, sizeof *m);

	m->tz = tz;
	m->last_ts = TS_NONE;
	m->emit = emit;
	m->arg = arg;
	return m;
}

static void
emit_pending(struct multiline *m, struct ml_source *s)
{
	if (!s->pending)
		return;
	assert(s->text.len <= ML_RECORD_CAP);
	assert(s->rec.line_first <= s->rec.line_last);
	assert((s->name == NULL) == (s->rec.source_kind == NULL));
	s->pending = 0;
	s->open_partial = 0;
	s->in_traceback = 0;
	if (s->lent != NULL) {
		s->rec.text = s->lent;
		s->rec.len = s->lent_len;
		s->rec.lent = 1;
		s->lent = NULL;
		m->nlent--;
		/* the record before left the text empty: nothing to reset */
		m->emit(m->arg, &s->rec);
		return;
	}
	s->rec.text = s->text.data != NULL ? s->text.data : "";
	s->rec.len = s->text.len;
	s->rec.lent = 0;
	m->emit(m->arg, &s->rec);
	if (s->text.cap > ML_KEEP_BUF)
		buf_free(&s->text);
	else
		buf_reset(&s->text);
}

/* More lines may still belong to s's pending record. */
static int
open_record(const struct ml_source *s)
{
	return s->in_traceback || s->open_partial;
}

/*
 * Pending records go out oldest first, so a flush keeps input order;
 * finished_only leaves open records pending.
 */
static void
flush(struct multiline *m, int finished_only)
{
	struct ml_source *first, *s;
	size_t i;

	for (;;) {
		first = NULL;
		for (i = 0; i < m->nsrc; i++) {
			s = m->src[i];
			if (s->pending && !(finished_only && open_record(s)) &&
			    (first == NULL || s->rec.line_first < first->rec.line_first))
				first = s;
		}
		if (first == NULL)
			return;
		emit_pending(m, first);
		assert(!first->pending);
	}
}

void
multiline_flush(struct multiline *m)
{
	flush(m, 0);
}

void
multiline_flush_finished(struct multiline *m)
{
	flush(m, 1);
}

void
multiline_set_tz_auto(struct multiline *m)
{
	m->tz_auto = 1;
}

void
multiline_set_time(struct multiline *m, int64_t ts)
{
	m->last_ts = ts;
}

void
multiline_free(struct multiline *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nsrc; i++) {
		buf_free(&m->src[i]->text);
		free(m->src[i]->name);
		free(m->src[i]);
	}
	free(m);
}

uint64_t
multiline_safe_offset(const struct multiline *m, uint64_t current,
    uint64_t current_lineno, uint64_t *lineno)
{
	uint64_t off = current, ln = current_lineno;
	size_t i;

	for (i = 0; i < m->nsrc; i++) {
		if (m->src[i]->pending && m->src[i]->rec.offset_first < off) {
			off = m->src[i]->rec.offset_first;
			ln = m->src[i]->rec.line_first - 1;
		}
	}
	if (lineno != NULL)
		*lineno = ln;
	return off;
}

static int
same_source(const struct ml_source *s, const char *name, size_t len,
    enum envelope_stream stream)
{
	return s->stream == stream && s->name_len == len &&
	    (len == 0 || util_equal(s->name, name, len));
}

static uint64_t
source_hash(const char *name, size_t len, enum envelope_stream stream)
{
	return util_hash_text(name != NULL ? name : "", len, UTIL_HASH_SEED) ^
	    ((uint64_t)stream * 0x9e3779b97f4a7c15ULL);
}

/* Put s in the table, in the first free or evicted slot of its chain. */
static void
slot_put(struct multiline *m, const struct ml_source *s)
{
	size_t i = (size_t)s->hash & (ML_SLOTS - 1);

	while (m->slot[i] > 0)
		i = (i + 1) & (ML_SLOTS - 1);
	m->slot[i] = (int16_t)(s->pos + 1);
}

/*
 * Take s out of the table.  Its slot is marked evicted so the chains
 * through it stay whole; when those are many the table is made anew.
 */
static void
slot_drop(struct multiline *m, const struct ml_source *s)
{
	size_t i = (size_t)s->hash & (ML_SLOTS - 1);

	while (m->slot[i] != (int16_t)(s->pos + 1))
		i = (i + 1) & (ML_SLOTS - 1);
	m->slot[i] = -1;
	if (++m->evicted < ML_SLOTS / 4)
		return;
	memset(m->slot, 0, sizeof m->slot);
	m->evicted = 0;
	for (i = 0; i < m->nsrc; i++)
		if (m->src[i] != s)
			slot_put(m, m->src[i]);
}

static void
lru_unlink(struct multiline *m, struct ml_source *s)
{
	if (s->newer != NULL)
		s->newer->older = s->older;
	else
		m->last = s->older;
	if (s->older != NULL)
		s->older->newer = s->newer;
	else
		m->oldest = s->newer;
	s->newer = s->older = NULL;
}

static void
lru_push(struct multiline *m, struct ml_source *s)
{
	s->older = m->last;
	s->newer = NULL;
	if (m->last != NULL)
		m->last->newer = s;
	else
		m->oldest = s;
	m->last = s;
}

/*
 * The state of (name, stream), created (or taken from the LRU one) when
 * new.  env_id: the line's envelope_line.source_id.  Apart: most lines
 * are answered by source_known.
 */
__attribute__((noinline))
static struct ml_source *
source_get(struct multiline *m, const char *name, size_t len,
    enum envelope_stream stream, uint64_t env_id)
{
	struct ml_source *s;
	uint64_t h;
	size_t i;

	if (name == NULL)
		len = 0;
	if (env_id != 0 && len > 0 &&
	    (s = m->by_env[env_id % ML_ENV_IDS]) != NULL &&
	    s->env_id == env_id && s->stream == stream) {
		/* as the lookups below leave the LRU list */
		if (s != m->last) {
			lru_unlink(m, s);
			lru_push(m, s);
		}
		return s;
	}
	if (m->last != NULL && same_source(m->last, name, len, stream)) {
		s = m->last;
		goto found;
	}
	h = source_hash(name, len, stream);
	for (i = (size_t)h & (ML_SLOTS - 1); m->slot[i] != 0;
	    i = (i + 1) & (ML_SLOTS - 1)) {
		if (m->slot[i] < 0)
			continue;
		s = m->src[m->slot[i] - 1];
		if (s->hash == h && same_source(s, name, len, stream)) {
			lru_unlink(m, s);
			lru_push(m, s);
			goto found;
		}
	}
	assert(m->nsrc <= ML_MAX_SOURCES);
	if (m->nsrc < ML_MAX_SOURCES) {
		s = xcalloc(1, sizeof *s);
		buf_init(&s->text);
		s->pos = m->nsrc;
		m->src[m->nsrc++] = s;
	} else {
		s = m->oldest;
		lru_unlink(m, s);
		slot_drop(m, s);
		emit_pending(m, s);
		free(s->name);
	}
	s->name = len ? xstrndup(name, len) : NULL;
	s->name_len = len;
	s->id = ++m->last_id;
	s->rec.source = s->name;
	s->rec.source_len = len;
	s->rec.source_id = s->name != NULL ? s->id : 0;
	/* every line of the source is of its stream */
	s->rec.stream = s->stream = stream;
	s->hash = h;
	s->pending = 0;
	s->last_ts = TS_NONE;
	slot_put(m, s);
	lru_push(m, s);
found:
	/* a source taken for another name keeps no number of the old one */
	s->env_id = len > 0 ? env_id : 0;
	if (s->env_id != 0)
		m->by_env[env_id % ML_ENV_IDS] = s;
	return s;
}

/*
 * The state source_get would find for el's source without a lookup, or
 * NULL: for the input's own lines, a source the envelope numbered, or
 * the source of the line before.
 */
static inline struct ml_source *
source_known(struct multiline *m, const struct envelope_line *el)
{
	struct ml_source *s;

	if (el->source == NULL || el->source_len == 0) {
		s = m->last;
		return s != NULL && s->name_len == 0 &&
		    s->stream == el->stream ? s : NULL;
	}
	if (el->source_id != 0 &&
	    (s = m->by_env[el->source_id % ML_ENV_IDS]) != NULL &&
	    s->env_id == el->source_id && s->stream == el->stream) {
		/* as source_get leaves the LRU list */
		if (s != m->last) {
			lru_unlink(m, s);
			lru_push(m, s);
		}
		return s;
	}
	/* the source of the line before, numbered as source_get numbers it */
	if ((s = m->last) == NULL ||
	    !same_source(s, el->source, el->source_len, el->stream))
		return NULL;
	s->env_id = el->source_id;
	if (s->env_id != 0)
		m->by_env[s->env_id % ML_ENV_IDS] = s;
	return s;
}

/* Longer words before their prefixes (WARNING before WARN). */
#define LEVEL_WORD(w)	{ w, sizeof(w) - 1 }
static const struct {
	const char	*word;
	size_t		 len;
} level_words[] = {
	LEVEL_WORD("DEBUG"), LEVEL_WORD("INFO"), LEVEL_WORD("WARNING"),
	LEVEL_WORD("WARN"), LEVEL_WORD("ERROR"), LEVEL_WORD("CRITICAL"),
	LEVEL_WORD("FATAL"), LEVEL_WORD("TRACE"), LEVEL_WORD("NOTICE"),
	LEVEL_WORD("SEVERE")
};
#undef LEVEL_WORD

/*
 * Length of the level word p starts with (case-insensitive if icase), or
 * 0.  Asked of every record's first line that has no stamp: the first
 * letter rules out all words but one or two before any compare.
 */
static size_t
level_word(const char *p, size_t n, int icase)
{
	size_t i, k;
	int c;

	if (n == 0)
		return 0;
	c = icase ? toupper((unsigned char)p[0]) : (unsigned char)p[0];
	for (i = 0; i < UTIL_ARRAY_LEN(level_words); i++) {
		k = level_words[i].len;
		if (level_words[i].word[0] != c || n < k)
			continue;
		if (icase ? strncasecmp(p + 1, level_words[i].word + 1, k - 1) == 0 :
		    memcmp(p + 1, level_words[i].word + 1, k - 1) == 0)
			return k;
	}
	return 0;
}

/* "[LEVEL]" or "[LEVEL ]" at p. */
static int
bracket_level(const char *p, size_t n)
{
	size_t k;

	if (n < 3 || p[0] != '[' || (k = level_word(p + 1, n - 1, 1)) == 0)
		return 0;
	k++;
	while (k < n && p[k] == ' ')
		k++;
	return k < n && p[k] == ']';
}

static int
level_header(const char *p, size_t n)
{
	size_t k, lim;
	const char *q;

	if (p[0] >= 'A' && p[0] <= 'Z' && (k = level_word(p, n, 0)) > 0 &&
	    (k == n || p[k] == ':' || p[k] == ' ' || p[k] == '\t' || p[k] == '|'))
		return 1;
	if (p[0] == '[')
		return bracket_level(p, n);
	if (p[0] == '{')
		return level_of_json(p, n) != LEVEL_NONE;
	if (p[0] == '<')
		return level_of_priority(p, n, &k) != LEVEL_NONE;
	if (p[0] >= 'c' && p[0] <= 'w' && level_of_dotnet(p, n) != LEVEL_NONE)
		return 1;
	/* PHP's "PHP Fatal error:  ..." after the stamped line of another */
	if (p[0] == 'P' && UTIL_STARTS_WITH(p, n, "PHP "))
		return level_of_line(p, n, &k) != LEVEL_NONE;
	if (level_runtime_warning(p, n, &k) != LEVEL_NONE)
		return 1;
	lim = n < 160 ? n : 160;
	for (q = p; (q = memmem(q, lim - (size_t)(q - p), " - [", 4)) != NULL; q++) {
		if (bracket_level(q + 3, n - (size_t)(q + 3 - p)))
			return 1;
	}
	return 0;
}

/*
 * Whether s's record begins as java.util.logging's does: "Oct 25, 2025
 * 11:00:10 PM" (the month, the day and a comma), the stamp on a line of
 * its own with the class and method.
 */
static int
jul_header(const struct ml_source *s)
{
	const char *p = s->lent != NULL ? s->lent : s->text.data;
	size_t n = s->lent != NULL ? s->lent_len : s->text.len;

	return n >= 8 && p[0] >= 'A' && p[0] <= 'Z' && p[3] == ' ' &&
	    (p[5] == ',' || p[6] == ',');
}

static int
caret_line(const char *p, size_t n)
{
	size_t i;
	int caret = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '^' || p[i] == '~')
			caret = 1;
		else if (p[i] != ' ')
			return 0;
	}
	return caret;
}

#define TB_HEADER "Traceback (most recent call last):"

/* Lines that belong to a traceback whatever precedes them. */
static int
traceback_marker(const char *p, size_t n)
{
	switch (p[0]) {
	case 'T':
		return UTIL_STARTS_WITH(p, n, TB_HEADER) ||
		    UTIL_STARTS_WITH(p, n, "The above exception was the direct cause of the following exception:");
	case 'D':
		return UTIL_STARTS_WITH(p, n, "During handling of the above exception, another exception occurred:");
	case 'C':
		/* a Java stack trace's cause */
		return UTIL_STARTS_WITH(p, n, "Caused by: ");
	case '.':
		return UTIL_STARTS_WITH(p, n, "...<");
	case '(':
		/* Node's hint after a warning it printed */
		return UTIL_STARTS_WITH(p, n, "(Use `node --trace-");
	case ' ':
	case '^':
	case '~':
		return caret_line(p, n);
	}
	return 0;
}

/*
 * PostgreSQL's lines that go on the message before them, each with a
 * stamp and process id of its own (log_line_prefix '%m [%p] '): "[42]
 * STATEMENT:  SELECT ...", DETAIL, HINT, CONTEXT, QUERY and LOCATION, at
 * p after the stamp.
 */
static int
pg_detail(const char *p, size_t n)
{
	static const char *const words[] = { "STATEMENT:  ", "DETAIL:  ",
	    "HINT:  ", "CONTEXT:  ", "QUERY:  ", "LOCATION:  " };
	size_t i, w;

	for (i = 1; i < n && i < 12 && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == 1 || i + 1 >= n || p[i] != ']' || p[i + 1] != ' ')
		return 0;
	i += 2;
	for (w = 0; w < UTIL_ARRAY_LEN(words); w++)
		if (UTIL_STARTS_WITH(p + i, n - i, words[w]))
			return 1;
	return 0;
}

/*
 * Whether a syslog line, which has a header of its own, goes on the
 * record before it: each is a message of its own but for a traceback's
 * lines, which Docker's journald driver sends one at a time (frames,
 * chained exceptions and the empty line between them).
 */
static int
syslog_goes_on(const struct ml_source *s, const char *p, size_t n)
{
	if (s->in_traceback)
		return 1;
	return n > 0 ? traceback_marker(p, n) :
	    (s->rec.flags & RECORD_TRACEBACK) != 0;
}

/* Are the 8 bytes at p all ASCII other than NUL? */
static inline int
ascii_word(const char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t w;

	memcpy(&w, p, 8);
	return ((((w - ones) & ~w) | w) & highs) == 0;
}

/* NUL and invalid UTF-8 in p, byte by byte where they may be. */
static unsigned
scan_bytes_slow(const char *p, size_t n)
{
	unsigned flags = 0;
	size_t i = 0, k;

	while (i < n) {
		while (i + 8 <= n && ascii_word(p + i))
			i += 8;
		if (i >= n)
			break;
		if (p[i] == '\0') {
			flags |= RECORD_NUL;
			i++;
		} else if ((unsigned char)p[i] < 0x80) {
			i++;
		} else if ((k = util_utf8_seq((const unsigned char *)p + i, n - i)) == 0) {
			flags |= RECORD_BAD_UTF8;
			i++;
		} else {
			i += k;
		}
	}
	return flags;
}

/*
 * NUL and invalid UTF-8 in p.  Nearly every line is ASCII without NUL, so
 * that is checked first and without a branch per block: SSE2 (every x86-64
 * has it) folds the line 16 bytes at a time, the last block overlapping
 * the one before, and tests once.  Only a line that fails goes byte by
 * byte.  Loops that finish a line in smaller steps mispredict their exits
 * on lines of every length, which costs more than the scan itself.
 */
__attribute__((noinline))
static unsigned
scan_bytes(const char *p, size_t n)
{
#ifdef __SSE2__
	__m128i any, low, v;
	size_t i;

	if (n >= 16) {
		any = low = _mm_loadu_si128((const __m128i *)(p + n - 16));
		for (i = 0; i + 16 < n; i += 16) {
			v = _mm_loadu_si128((const __m128i *)(p + i));
			any = _mm_or_si128(any, v);
			low = _mm_min_epu8(low, v);
		}
		if (_mm_movemask_epi8(_mm_or_si128(any,
		    _mm_cmpeq_epi8(low, _mm_setzero_si128()))) == 0)
			return 0;
	}
#endif
	if (n >= 8 && n < 16 && ascii_word(p) && ascii_word(p + n - 8))
		return 0;
	return scan_bytes_slow(p, n);
}

/* Does p[0..n) lie within line[0..len), as a message the envelope did not decode? */
static int
within(const char *p, size_t n, const char *line, size_t len)
{
	/* p before line wraps round to past any length */
	uintptr_t at = (uintptr_t)p - (uintptr_t)line;

	return at <= len && n <= len - at;
}

/* Copy the lent text of s into its own buffer. */
static void
take_lent(struct multiline *m, struct ml_source *s)
{
	buf_append(&s->text, s->lent, s->lent_len);
	s->lent = NULL;
	m->nlent--;
}

void
multiline_lend(struct multiline *m)
{
	m->lend = 1;
}

void
multiline_settle(struct multiline *m)
{
	size_t i;

	for (i = 0; i < m->nsrc && m->nlent > 0; i++)
		if (m->src[i]->lent != NULL)
			take_lent(m, m->src[i]);
}

__attribute__((noinline))
static void
append_text(struct multiline *m, struct ml_source *s, const char *p,
    size_t n, int newline)
{
	size_t room;

	if (s->lent != NULL)
		take_lent(m, s);
	/* text only grows here, and never past the cap */
	assert(s->pending && s->text.len <= ML_RECORD_CAP);
	room = ML_RECORD_CAP - s->text.len;
	if (newline) {
		if (room == 0) {
			s->rec.flags |= RECORD_TRUNCATED;
			return;
		}
		buf_putc(&s->text, '\n');
		room--;
	}
	if (n > room) {
		n = room;
		s->rec.flags |= RECORD_TRUNCATED;
	}
	buf_append(&s->text, p, n);
}

/*
 * ts is earlier than prev.  A whole-second stamp may just lack the
 * milliseconds its neighbour printed ("23:31:11,500" then "23:31:11"), so
 * it is compared with prev's second only.
 */
static int
earlier(int64_t ts, int64_t prev)
{
	/*
	 * A whole second ts is before prev's second exactly when it is a
	 * second or more before prev: no division by 1000 for prev's.
	 */
	if (ts % 1000 == 0)
		return prev - ts >= 1000;
	return ts < prev;
}

/*
 * --tz auto (see multiline_set_tz_auto): the record's time from its
 * envelope stamp env, its own stamp own (naive: read as UTC) and what the
 * source has learnt.
 */
static int64_t
auto_time(struct ml_source *s, int64_t env, int env_naive, int64_t own,
    int own_naive)
{
	int64_t diff, h;

	/*
	 * Two naive stamps: a Docker Desktop copy's envelope shows the
	 * desktop's zone, the record's own the container's, which is UTC
	 * unless set otherwise.
	 */
	if (env != TS_NONE && own != TS_NONE && (env_naive || own_naive)) {
		diff = own - env;
		h = (diff >= 0 ? diff + 1800000 : diff - 1800000) / 3600000;
		if (s->auto_side == AUTO_NONE && h != 0 &&
		    llabs(diff - h * 3600000) <= 900000) {
			/* the naive side shows UTC plus its zone */
			s->auto_side = env_naive ? AUTO_ENV : AUTO_OWN;
			s->auto_ms = env_naive ? -h * 3600000 : h * 3600000;
		}
		/* the envelope's milliseconds are finer than most own stamps */
		if (env_naive)
			return s->auto_side == AUTO_ENV ? env - s->auto_ms : own;
		return env;
	}
	if (env != TS_NONE)
		return env_naive && s->auto_side == AUTO_ENV ? env - s->auto_ms :
		    env;
	if (own != TS_NONE && own_naive && s->auto_side == AUTO_OWN)
		return own - s->auto_ms;
	return own;
}

static void
begin_record(struct multiline *m, struct ml_source *s,
    const struct envelope_line *el, const struct reader_line *rl,
    int stamped, int64_t inner, int64_t own, int own_naive)
{
	int env_naive = el->naive;
	int64_t ts = el->ts != TS_NONE ? el->ts : inner;

	s->rec.env_ts = s->rec.own_ts = TS_NONE;
	if (el->ts != TS_NONE && own != TS_NONE) {
		s->rec.env_ts = el->ts;
		s->rec.own_ts = own;
		s->rec.env_naive = (unsigned char)env_naive;
		s->rec.own_naive = (unsigned char)own_naive;
		s->clock_samples++;
	}
	if (m->tz_auto)
		ts = auto_time(s, el->ts, env_naive, el->ts != TS_NONE ? own :
		    inner, own_naive);

	s->pending = 1;
	s->rec.flags = 0;
	s->rec.raw_bytes = 0;
	s->rec.lines = 0;
	s->rec.malformed_lines = 0;
	s->stamped = stamped;
	s->rec.source_kind = s->name != NULL ? el->source_kind : NULL;
	s->rec.line_first = rl->lineno;
	s->rec.offset_first = rl->offset;
	if (ts == TS_NONE) {
		s->rec.flags |= RECORD_NO_TS;
		/*
		 * A line on a (source, stream) of its own, such as a broken
		 * json-file envelope, takes the input's latest time rather than
		 * none at all.
		 */
		s->rec.ts = s->last_ts != TS_NONE ? s->last_ts : m->last_ts;
	} else {
		/*
		 * Only a stamp before the previous one (never TS_NONE, the
		 * least value) is looked at closer: time mostly stands or
		 * moves on.
		 */
		if (ts < s->last_ts) {
			if (earlier(ts, s->last_ts))
				s->rec.flags |= RECORD_BACKWARDS;
			/*
			 * A whole-second stamp in the same second as a
			 * predecessor that printed milliseconds is not earlier
			 * than it: keep log order, or a recovery logged after
			 * its leak would sort before it.
			 */
			else if (ts % 1000 == 0 && s->last_ts - ts < 1000)
				ts = s->last_ts;
		}
		s->rec.ts = ts;
		s->last_ts = ts;
		m->last_ts = ts;
	}
}

/*
 * The level of the record that line p[0..n) begins (its stamp is k bytes):
 * the envelope's, else the one its first words state, else the one the
 * envelope offers in their place (level_fallback).
 */
static void
record_level(struct multiline *m, struct ml_source *s,
    const struct envelope_line *el, const char *p, size_t n, size_t k)
{
	size_t body = 0;

	if (el->level != NULL && !el->level_fallback) {
		s->rec.level = level_of_word(el->level, el->level_len, 1);
		s->rec.body = k;
		return;
	}
	s->rec.level = level_of_stamped(&m->levels, p, n, k, &body);
	s->rec.body = body;
	if (s->rec.level == LEVEL_NONE && el->level != NULL)
		s->rec.level = level_of_word(el->level, el->level_len, 1);
}

/*
 * Where in p[0..n), a line without a stamp in front, a stamped record
 * begins: a program that writes with print() and with a logger to the
 * same stream leaves a print without its newline glued to the next
 * record ("... cache key2025-11-03 15:56:05 INFO tools.x: msg", the
 * newline on a line of its own after).  Only a dated stamp ("2025-11-03
 * 15:56:05", as timeparse reads it) followed by a level, as
 * level_of_line reads one after a stamp ("ERROR", "[ERROR]", "- name -
 * ERROR -", "| ERROR    |"), counts, and
 * only glued on: after a byte that is no blank, digit, quote, '=', '-',
 * '/' or escaped newline, since a log line quoted in a message ('...
 * said: "2025-...', "ts=2025-...", "...\n2025-...") or a stamp in a
 * name or path starts no record.
 * Returns its offset, or 0.
 */
static size_t
glued_record(const char *p, size_t n)
{
	const char *q, *end = p + n, *r;
	size_t j, k, body;
	int64_t ms;
	unsigned char c;

	for (q = p + 5; q + 15 < end && (q = memchr(q, '-', (size_t)(end -
	    q - 15))) != NULL; q++) {
		r = q - 4;
		if (!isdigit((unsigned char)r[0]) || !isdigit((unsigned char)r[1]) ||
		    !isdigit((unsigned char)r[2]) || !isdigit((unsigned char)r[3]) ||
		    q[3] != '-')
			continue;
		c = (unsigned char)r[-1];
		if (isdigit(c) || isspace(c) || c == '"' || c == '\'' ||
		    c == '`' || c == '=' || c == '-' || c == '/' ||
		    ((c == 'n' || c == 'r' || c == 't') && r - 2 >= p &&
		    r[-2] == '\\'))
			continue;
		j = (size_t)(r - p);
		if ((k = timeparse_leading(r, n - j, NULL, &ms)) == 0)
			continue;
		while (j + k < n && p[j + k] == ' ')
			k++;
		if (level_of_line(r + k, n - j - k, &body) != LEVEL_NONE)
			return j;
	}
	return 0;
}

/*
 * The line el, rl of the input; its bytes and line are counted in the
 * record it ends in when whole, not when it is the second part of a line
 * whose first was pushed already.
 */
static void
push_line(struct multiline *m, const struct envelope_line *el,
    const struct reader_line *rl, int whole)
{
	struct ml_source *s;
	const char *p = el->msg;
	size_t n = el->msg_len, k;
	int64_t inner = TS_NONE, own = TS_NONE, json_ts;
	int start, marker, own_naive = 0, json_timed, level_line = 0;
	enum level_runtime runtime;
	size_t body, j;
	int lead_level;
	int32_t tod;
	int64_t near;
	/* the message is the line itself, or a part of it, not a copy */
	int in_line = within(p, n, rl->p, rl->len);

	/* envelope_decode names a source's kind exactly when it names a source */
	assert((el->source == NULL) == (el->source_kind == NULL));
	if ((s = source_known(m, el)) == NULL)
		s = source_get(m, el->source, el->source_len, el->stream,
		    el->source_id);
	/* an open chunk or traceback is part of a pending record */
	assert(s->pending || (!s->open_partial && !s->in_traceback));
	if (s->pending && s->open_partial) {
		append_text(m, s, p, n, 0);
	} else {
		/*
		 * With an envelope time the inner stamp's value only serves
		 * the clock-offset check, for a source's first records, and
		 * --tz auto.
		 */
		/*
		 * A word of four capitals or more, a blank and a byte that
		 * is no digit or '[' (el->capital) starts no stamp: the
		 * shapes that open with a capital have a digit or a ','
		 * second (klog's, Ruby's), lower case or a blank by the
		 * fourth byte (a month's or a weekday's name), or a digit or
		 * '[' after the word and its blank (a level's word before
		 * the stamp, level_lead_stamp; timeparse's sandia_span).
		 */
		assert(el->capital == util_capital_word(p, n));
		if (n == 0 || el->capital)
			k = 0;
		else if (el->ts != TS_NONE && !m->tz_auto &&
		    s->clock_samples >= ML_CLOCK_SAMPLES)
			k = timeparse_leading_len_cached(&m->stamps, p, n);
		else if (el->ts != TS_NONE)
			k = timeparse_leading_cached(&m->stamps, p, n, m->tz,
			    &own);
		else
			k = timeparse_leading_cached(&m->stamps, p, n, m->tz,
			    &inner);
		if (k == 0)
			inner = own = TS_NONE;
		else
			own_naive = m->stamps.naive;
		/*
		 * A clock without a date starts a record too; it is dated by
		 * the stamp before it, and untimed with none.
		 */
		if (k == 0 && n >= 7 && (p[0] == '[' || (p[0] >= '0' &&
		    p[0] <= '9')) && (k = timeparse_clock(p, n, &tod)) > 0 &&
		    el->ts == TS_NONE) {
			near = s->last_ts != TS_NONE ? s->last_ts : m->last_ts;
			if (near != TS_NONE) {
				inner = timeparse_clock_near(m->tz, near, tod);
				own_naive = 1;
			}
		}
		/*
		 * A level before the stamp, as Django's "verbose" format has
		 * it ("ERROR 2025-10-25 23:00:00,123 views 12 140 msg"): the
		 * stamp after the level word is the record's.
		 */
		lead_level = LEVEL_NONE;
		assert(!el->capital || (timeparse_leading(p, n, m->tz,
		    &(int64_t){ 0 }) == 0 && level_lead_stamp(p, n,
		    &(int){ 0 }) == 0));
		if (k == 0 && !el->capital &&
		    (j = level_lead_stamp(p, n, &lead_level)) > 0 &&
		    (k = timeparse_leading_cached(&m->stamps, p + j, n - j, m->tz,
		    el->ts != TS_NONE ? &own : &inner)) > 0) {
			k += j;
			own_naive = m->stamps.naive;
		} else
			lead_level = LEVEL_NONE;
		/*
		 * A JSON line states its time under a key, not in front; with
		 * an envelope's time that one is the record's, but the line
		 * is a record of its own all the same, not the continuation
		 * of a text record before it.
		 */
		json_timed = k == 0 && n > 0 && p[0] == '{' &&
		    jsonline_time(p, n, m->tz, el->ts == TS_NONE ? &inner :
		    &json_ts);
		/*
		 * A line that opens with a level's word, a JSON object or a
		 * blank (a record of its own, a frame) holds no glued print;
		 * an object that does not parse may be one (print(json.dumps(
		 * x), end="") before a record).
		 */
		if (k == 0 && !json_timed && n >= 24 && !el->capital &&
		    p[0] != ' ' && p[0] != '\t' && (p[0] != '{' || el->malformed) &&
		    (j = glued_record(p, n)) > 0) {
			struct envelope_line head = *el, tail = *el;

			head.msg_len = j;
			head.partial = 0;
			head.capital = util_capital_word(p, j);
			tail.msg = p + j;
			tail.msg_len = n - j;
			tail.level = NULL;
			tail.level_len = 0;
			tail.capital = util_capital_word(p + j, n - j);
			push_line(m, &head, rl, whole);
			push_line(m, &tail, rl, 0);
			return;
		}
		/* a stamped line is no runtime's failure */
		runtime = k > 0 || json_timed ? LEVEL_RUNTIME_NONE :
		    level_runtime(p, n);
		marker = 0;
		if (!s->pending || (k > 0 && !(k + 4 < n && p[k] == '[' &&
		    s->stamped && pg_detail(p + k, n - k))) || json_timed ||
		    el->format == ENVELOPE_LOGFMT ||
		    (el->format == ENVELOPE_SYSLOG && el->ts != TS_NONE &&
		    !syslog_goes_on(s, p, n)))
			start = 1;
		else if (n == 0 || p[0] == ' ' || p[0] == '\t' ||
		    (marker = traceback_marker(p, n)))
			start = 0;
		else if (runtime != LEVEL_RUNTIME_NONE)
			start = 1;
		else if (level_header(p, n))
			/*
			 * java.util.logging writes the stamp, class and method
			 * on a line of their own and "SEVERE: message" on the
			 * next: that line is the level of the record before.
			 */
			start = !(level_line = s->stamped && s->rec.lines == 1 &&
			    s->rec.level == LEVEL_NONE && jul_header(s));
		else
			start = !(s->in_traceback || s->stamped);
		if (start) {
			emit_pending(m, s);
			/*
			 * Go's panic is followed by its goroutines' stacks,
			 * unindented lines among them, and Python logging's
			 * "--- Logging error ---" by its traceback, call stack
			 * and message: they join it as the unstamped lines of
			 * a stamped record do.
			 */
			begin_record(m, s, el, rl, k > 0 || json_timed ||
			    level_runtime_owns_lines(runtime), inner, own,
			    own_naive);
			record_level(m, s, el, p, n, k);
			if (lead_level != LEVEL_NONE) {
				s->rec.level = lead_level;
				s->rec.body = k;
			}
			/* emit_pending left the text empty */
			assert(s->text.len == 0 && s->lent == NULL);
			/* as append_text would take it: whole, under the cap */
			if (m->lend && in_line && n <= ML_RECORD_CAP) {
				s->lent = p;
				s->lent_len = n;
				m->nlent++;
			} else
				append_text(m, s, p, n, 0);
		} else {
			append_text(m, s, p, n, 1);
			if (level_line && s->text.len >= n) {
				s->rec.level = level_of_line_cached(&m->levels,
				    p, n, &body);
				s->rec.body = s->text.len - n + body;
			}
		}
		if (n > 0 && p[0] == 'T' && UTIL_STARTS_WITH(p, n, TB_HEADER)) {
			s->in_traceback = 1;
			s->rec.flags |= RECORD_TRACEBACK;
		}
		else if (!start && !marker && n > 0 && p[0] != ' ' && p[0] != '\t') {
			s->in_traceback = 0;
			if (!(s->rec.flags & (RECORD_FAILURE | RECORD_TRACEBACK)) &&
			    s->rec.level < SEV_WARNING &&
			    level_of_failure_line(p, n) >= SEV_ERROR)
				s->rec.flags |= RECORD_FAILURE;
		}
	}
	s->open_partial = el->partial;
	s->rec.line_last = rl->lineno;
	if (whole) {
		s->rec.lines++;
		s->rec.raw_bytes += rl->end_offset - rl->offset;
		if (el->malformed)
			s->rec.malformed_lines++;
	}
	if (el->malformed)
		s->rec.flags |= RECORD_MALFORMED;
	/*
	 * The reader looked at every byte of a line it calls ASCII, and
	 * calls no cut line so.
	 */
	if (!rl->ascii || !in_line) {
		if (rl->truncated)
			s->rec.flags |= RECORD_TRUNCATED;
		s->rec.flags |= scan_bytes(p, n);
	}
}

void
multiline_push(struct multiline *m, const struct envelope_line *el,
    const struct reader_line *rl)
{
	struct envelope_line dated;
	int64_t near;

	/*
	 * A stamp without a year takes the one nearest the message's own
	 * stamp, else the input's latest time: a syslog line around an
	 * application's line of 2025, or after a dmesg line of 2025, is of
	 * 2025 whatever year was guessed.  (The cache: push_line reads the
	 * same stamp next.)
	 */
	if (__builtin_expect(el->yearless, 0) && el->ts != TS_NONE) {
		if (timeparse_leading_cached(&m->stamps, el->msg, el->msg_len,
		    m->tz, &near) == 0)
			near = m->last_ts;
		if (near != TS_NONE) {
			dated = *el;
			dated.ts = timeparse_year_near(el->ts, near);
			el = &dated;
		}
	}
	push_line(m, el, rl, 1);
}
