/*
 * envelope.c - recognise and strip the transport around one physical line.
 *
 * Detection runs on every line, so it looks at the first byte and then at
 * a few fixed positions before doing any real parsing:
 *   '{'            docker json-file (hand-written decoder of that one shape),
 *                  or journald JSON (cJSON: rare, so simplicity wins)
 *   digit          Docker Desktop copy prefix, `docker logs -t` stamp
 *                  (or an ISO 8601 one before a CRI tag or the labels of
 *                  Loki's logcli), syslog stamps, else a compose name
 *   "time="        dockerd/containerd logfmt
 *   "ts=", "level=" go-kit logfmt (Prometheus, Loki), tried only
 *   "LEVL["        logrus text (INFO[0000] ...)
 *   name char      compose "name  | " prefix, optionally followed by a -t stamp
 *                  (not a level's name: "ERROR    | msg" is plain)
 *   anything else  plain
 * A line pasted into a document with a quote marker, an indent or a bullet
 * before its stamp ("> 2025-...", "    2025-...", "- 2025-...") is decoded
 * as the line after that prefix (paste_prefix), and the lines after a
 * quoted one that carry its marker ("> Traceback ...") lose it; so does a
 * listing's line number ("    12\t2025-..." as cat -n and nl print it,
 * "12 | 2025-..."), from the lines after a numbered one too.  So is a
 * line whose stamp follows a file's name ("app.log 2025-...", grep -H's
 * "svc/app.log:2025-..."), with that file as its source (file_prefix),
 * and a line after it with the same name in front.  Colours written for
 * a terminal (sgr_strip) go before any of this, and from a JSON message.
 * Auto-detection of a `docker logs -t` stamp insists on Docker's fixed
 * nine-digit fraction, so an application's own ISO 8601 stamp stays in the
 * message where multiline and the rules expect it.
 *
 * Consecutive lines mostly repeat a compose prefix and their stamp's
 * second, so each envelope remembers its latest two prefixes and (in a
 * timeparse_cache) its latest stamp's date and clock, and compares bytes
 * where it would parse them.  The answers are the same either way.
 *
 * A forced format that does not fit a line yields the line as plain text;
 * malformed is set only where the format promises every line is wrapped
 * (docker-json, docker-ts, journald).  In auto mode a line that opens like
 * a JSON object ('{' '"') or a logfmt record ("time=") but does not parse
 * is malformed, with format saying what it looked like.
 *
 * Knows nothing about records, rules or SQL.
 */
#include "envelope.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "level.h"
#include "severity.h"
#include "timeparse.h"
#include "util.h"

/* Docker's copier splits lines into messages of this many bytes (moby#37681). */
#define ENVELOPE_DOCKER_CHUNK	16384
/* Nesting beyond this in a json-file record is not Docker's and is refused. */
#define ENVELOPE_JSON_DEPTH	32
/* Longest compose service/container name considered. */
#define ENVELOPE_NAME_MAX	256
/* Longest compose prefix ("name  | ") remembered for the next line. */
#define ENVELOPE_PREFIX_MAX	64
/* Longest program name of a syslog line (RFC 3164 allows 32, RFC 5424 48). */
#define ENVELOPE_SYSLOG_TAG	64
/* Bytes of a paste marker before a stamp (paste_prefix). */
#define ENVELOPE_PASTE_MAX	16
/* Most keys, and most bytes of keys and syntax, of a remembered journald layout. */
#define ENVELOPE_JF_KEYS	32
#define ENVELOPE_JF_BYTES	1024
/* Longest value, with its closing quote, expected again at its place. */
#define ENVELOPE_JF_GUESS	48
#define ENVELOPE_JF_PROG	(ENVELOPE_JF_BYTES + ENVELOPE_JF_KEYS * ENVELOPE_JF_GUESS)
/*
 * journald layouts remembered.  An entry that fits one scores a point, one
 * that fits none (tried against each, then read) costs four, from a store
 * of at most ENVELOPE_JF_SCORE: when it runs out, the next ENVELOPE_JF_SKIP
 * entries are read without trying the layouts.
 */
#define ENVELOPE_JF_SLOTS	4
#define ENVELOPE_JF_SCORE	16
#define ENVELOPE_JF_MISS	4
#define ENVELOPE_JF_SKIP	128

/*
 * A journald entry's layout: the bytes before each string value (from the
 * line's start, then from the byte after the value before) with the field
 * each value is read as, and the bytes from the last value to the '}'.
 * With each value, the latest one at its place when it was short and held
 * no escape, and its closing quote: the next entry's is mostly the same.
 */
struct jf_layout {
	char		 bytes[ENVELOPE_JF_BYTES];	/* the glues, one after another */
	size_t		 used;
	uint16_t	 glue_len[ENVELOPE_JF_KEYS + 1];
	uint8_t		 field[ENVELOPE_JF_KEYS];	/* enum jf_field */
	char		 guess[ENVELOPE_JF_KEYS][ENVELOPE_JF_GUESS];
	uint8_t		 guess_len[ENVELOPE_JF_KEYS];	/* 0: none */
	uint8_t		 varies[ENVELOPE_JF_KEYS];	/* missed once: no more guesses */
	unsigned	 keys;
	uint8_t		 seen;		/* enum json_kind of the keys */
	int		 valid;
	/*
	 * The layout compiled once its values have settled: each value that
	 * was the one before it joined with the glues around it into runs
	 * compared whole, the others (holes) read between the runs.
	 */
	char		 prog[ENVELOPE_JF_PROG];
	uint16_t	 run_len[ENVELOPE_JF_KEYS + 1];
	uint8_t		 hole[ENVELOPE_JF_KEYS];	/* enum jf_field read after run i */
	unsigned	 holes;
	struct {
		uint8_t	 field;		/* enum jf_field, in a run */
		uint8_t	 run;
		uint16_t off;		/* of its value in the run */
		uint16_t len;
	}		 fixed[ENVELOPE_JF_KEYS];
	unsigned	 nfixed;
	int		 compiled;
};

/* A journald timestamp's first eight digits, the same for 100 s, and their value. */
struct jf_stamp {
	uint64_t	 high;
	unsigned long long high_us;
	int		 valid;
};

struct envelope_kind;

static const struct envelope_kind *kind_of(enum envelope_format f);
static void first_byte_rows(uint16_t rows[256]);

struct envelope {
	const struct envelope_kind *forced;	/* NULL: detect per line */
	uint16_t		 rows[256];	/* by first byte: the table rows to try */
	const struct tz		*tz;
	struct buf		 msg;	/* unescaped or de-stamped message */
	struct buf		 src;	/* source decoded from JSON */
	struct buf		 lvl;	/* level decoded from JSON or logfmt */
	struct buf		 clean;	/* the line without its colours (sgr_strip) */
	int			 msg_esc;	/* msg was decoded with an ESC in it */
	struct timeparse_cache	 stamps;	/* the latest envelope stamp's second */
	/*
	 * The latest two compose prefixes, name, blanks, '|' and the blank
	 * after it: consecutive lines mostly come from one or two containers.
	 */
	struct {
		char	 bytes[ENVELOPE_PREFIX_MAX];
		size_t	 len;		/* 0: none */
		size_t	 name_len;
		uint64_t id;		/* envelope_line.source_id of its name */
	}			 prefix[2];
	unsigned		 prefix_next;	/* the slot to replace */
	uint64_t		 last_id;	/* the latest prefix id given */
	int			 no_nul;	/* the line being decoded holds no NUL (set per line) */
	/*
	 * The quote marker ("> ") of the latest pasted line with a stamp
	 * (paste_prefix), while it holds a '>': the lines of its record
	 * after it carry the marker too.
	 */
	char			 quote[ENVELOPE_PASTE_MAX];
	size_t			 quote_len;
	/*
	 * The latest pasted line with a stamp had a listing's line number
	 * (line_number) as its marker: the lines of its record after it
	 * carry one too.
	 */
	int			 numbered;
	/*
	 * The latest file name found in front of a stamped line (file_prefix)
	 * and the byte after it: the lines of its record without a stamp
	 * (a traceback's) carry the name too.
	 */
	char			 file[ENVELOPE_NAME_MAX];
	size_t			 file_len;	/* 0: none */
	char			 file_sep;	/* ' ' or ':' */
	int			 in_file;	/* decoding the line after a name */
	/*
	 * The latest syslog line's program name and the width of its header,
	 * by which journalctl indents the further lines of a message.
	 */
	char			 syslog_src[ENVELOPE_SYSLOG_TAG];
	size_t			 syslog_src_len;	/* 0: none */
	size_t			 syslog_indent;
	/* The file of the latest heading (ENVELOPE_TAIL_HEADING); 0: none. */
	char			 tail[ENVELOPE_NAME_MAX];
	size_t			 tail_len;
	int			 tail_held;	/* an empty line held (ENVELOPE_TAIL_HOLD) */
	/*
	 * The latest journald layouts, most recently fitting first in order:
	 * a unit's entries repeat one, and a journal interleaves a few units.
	 */
	struct jf_layout	 jf[ENVELOPE_JF_SLOTS];
	uint8_t			 jf_order[ENVELOPE_JF_SLOTS];
	struct jf_stamp		 jf_stamp;
	int			 jf_score;	/* see ENVELOPE_JF_SCORE */
	unsigned		 jf_skip;	/* entries left untried */
};

struct envelope *
envelope_new(enum envelope_format forced, const struct tz *tz)
{
	struct envelope *e = xcalloc(1, sizeof *e);
	unsigned i;

	if (forced != ENVELOPE_AUTO && (e->forced = kind_of(forced)) == NULL)
		e->forced = kind_of(ENVELOPE_PLAIN);
	first_byte_rows(e->rows);
	for (i = 0; i < ENVELOPE_JF_SLOTS; i++)
		e->jf_order[i] = (uint8_t)i;
	e->jf_score = ENVELOPE_JF_SCORE;
	e->tz = tz;
	buf_init(&e->msg);
	buf_init(&e->src);
	buf_init(&e->lvl);
	buf_init(&e->clean);
	return e;
}

void
envelope_free(struct envelope *e)
{
	if (e == NULL)
		return;
	buf_free(&e->msg);
	buf_free(&e->src);
	buf_free(&e->lvl);
	buf_free(&e->clean);
	free(e);
}

/* An empty buf has no storage yet; callers get "" rather than NULL. */
static const char *
buf_text(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

static void
set_plain(const char *line, size_t len, struct envelope_line *out)
{
	/*
	 * Every line comes through here: a store per field, where clearing
	 * the struct first is a string instruction (GCC makes one of a
	 * struct assignment too).  It sets every field of envelope.h's.
	 */
	out->format = ENVELOPE_PLAIN;
	out->ts = TS_NONE;
	out->naive = 0;
	out->yearless = 0;
	out->source = NULL;
	out->source_len = 0;
	out->source_kind = NULL;
	out->source_id = 0;
	out->stream = STREAM_UNKNOWN;
	out->level = NULL;
	out->level_len = 0;
	out->level_fallback = 0;
	out->msg = line;
	out->msg_len = len;
	out->partial = 0;
	out->malformed = 0;
	out->tail = 0;
	out->capital = 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
hex_run(const char *p, int n)
{
	int i, v = 0, h;

	for (i = 0; i < n; i++) {
		if ((h = hex_value(p[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static void
put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/* ---- JSON ------------------------------------------------------------ */

static const char *
json_ws(const char *p, const char *end)
{
	/* one compare turns away the usual byte, no blank at all */
	while (p < end && (unsigned char)*p <= ' ' &&
	    (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The end of the run of bytes at p that need no unescaping: the first '"' or '\\', or end. */
static inline const char *
json_plain_run(const char *p, const char *end)
{
	const char *q = util_find_either(p, (size_t)(end - p), '"', '\\');

	return q != NULL ? q : end;
}

/*
 * Decode a JSON string whose opening quote is at p[-1], appending to dst
 * (NULL: just skip it).  Returns the byte after the closing quote, or NULL
 * if the string is unterminated or holds a bad escape.  *esc (esc not
 * NULL) is set when it holds an ESC ("\u001b").
 */
static const char *
json_string_esc(const char *p, const char *end, struct buf *dst, int *esc)
{
	const char *run;
	int cp, lo;

	for (;;) {
		run = p;
		p = json_plain_run(p, end);
		if (dst != NULL && p > run)
			buf_append(dst, run, (size_t)(p - run));
		if (p >= end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (++p >= end)
			return NULL;
		switch (*p) {
		case '"':
		case '\\':
		case '/':
			if (dst != NULL)
				buf_putc(dst, *p);
			p++;
			continue;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			if (end - p < 5 || (cp = hex_run(p + 1, 4)) < 0)
				return NULL;
			p += 5;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u' &&
			    (lo = hex_run(p + 2, 4)) >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
			/* A lone surrogate becomes U+FFFD in put_utf8. */
			if (dst != NULL)
				put_utf8(dst, (unsigned long)cp);
			if (cp == '\033' && esc != NULL)
				*esc = 1;
			continue;
		default:
			return NULL;
		}
		if (dst != NULL)
			buf_putc(dst, (char)cp);
		p++;
	}
}

static const char *
json_string(const char *p, const char *end, struct buf *dst)
{
	return json_string_esc(p, end, dst, NULL);
}

int
envelope_json_text(struct buf *dst, const char *p, size_t n)
{
	buf_reset(dst);
	return json_string(p, p + n + 1, dst) == p + n + 1 ? 0 : -1;
}

/*
 * json_string without a destination, for a string that may be used where
 * it stands: *plain says it holds no escape, so its text is p up to the
 * closing quote, the byte before the one returned.
 */
static inline const char *
json_string_end(const char *p, const char *end, int *plain)
{
	const char *q = json_plain_run(p, end);

	*plain = q < end && *q == '"';
	return *plain ? q + 1 : json_string(q, end, NULL);
}

/* Skip one JSON value of any kind; NULL if it is broken or nested too deep. */
static const char *
json_skip(const char *p, const char *end, int depth)
{
	char close;

	p = json_ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == '"')
		return json_string(p + 1, end, NULL);
	if (*p == '{' || *p == '[') {
		if (depth >= ENVELOPE_JSON_DEPTH)
			return NULL;
		close = *p == '{' ? '}' : ']';
		p = json_ws(p + 1, end);
		if (p < end && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = json_ws(p, end);
				if (p >= end || *p != '"' ||
				    (p = json_string(p + 1, end, NULL)) == NULL)
					return NULL;
				p = json_ws(p, end);
				if (p >= end || *p != ':')
					return NULL;
				p++;
			}
			if ((p = json_skip(p, end, depth + 1)) == NULL)
				return NULL;
			p = json_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == close)
				return p + 1;
			if (*p != ',')
				return NULL;
			p++;
		}
	}
	/* Numbers and literals: a run of their characters. */
	if (!(is_digit(*p) || *p == '-' || *p == 't' || *p == 'f' || *p == 'n'))
		return NULL;
	while (p < end && (is_digit(*p) || (*p >= 'a' && *p <= 'z') ||
	    *p == '-' || *p == '+' || *p == '.' || *p == 'E'))
		p++;
	return p;
}

static int
key_is(const char *k, size_t klen, const char *lit)
{
	size_t n = strlen(lit);

	return klen == n && memcmp(k, lit, n) == 0;
}

enum json_kind {
	JSON_BROKEN = -1,
	JSON_OTHER = 0,		/* a valid object, but neither envelope */
	JSON_DOCKER,
	JSON_JOURNALD
};

/*
 * The json-file shape: one object with string members log, stream, time in
 * any order, other members (attrs...) skipped.  Fills out on JSON_DOCKER.
 */
static enum json_kind
docker_json(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	const char *p = line, *end = line + len, *k, *v, *q, *log = NULL;
	size_t klen, log_len = 0;
	int have_log = 0, log_nl = 0, journald = 0, first = 1, plain;

	buf_reset(&e->msg);
	out->ts = TS_NONE;
	out->stream = STREAM_UNKNOWN;
	p = json_ws(p, end);
	if (p >= end || *p != '{')
		return JSON_BROKEN;
	p++;
	for (;;) {
		p = json_ws(p, end);
		if (p >= end)
			return JSON_BROKEN;
		if (*p == '}' && first) {
			p++;
			break;
		}
		first = 0;
		if (*p != '"')
			return JSON_BROKEN;
		k = p + 1;
		if ((p = json_string_end(k, end, &plain)) == NULL)
			return JSON_BROKEN;
		klen = (size_t)(p - 1 - k);
		p = json_ws(p, end);
		if (p >= end || *p != ':')
			return JSON_BROKEN;
		p = json_ws(p + 1, end);
		if (p >= end)
			return JSON_BROKEN;
		if (key_is(k, klen, "log") && *p == '"') {
			/*
			 * Docker's usual record, plain text and an escaped
			 * newline at its end, is used where it stands: log is
			 * its text, log_nl the newline.  Any other escape
			 * decodes the string into msg (log NULL).
			 */
			v = p + 1;
			q = json_plain_run(v, end);
			log = v;
			log_len = (size_t)(q - v);
			if (q < end && *q == '"') {
				log_nl = 0;
				p = q + 1;
			} else if (end - q >= 3 && q[1] == 'n' && q[2] == '"') {
				log_nl = 1;
				p = q + 3;
			} else {
				log = NULL;
				log_nl = 0;
				buf_reset(&e->msg);
				buf_append(&e->msg, v, log_len);
				if ((p = json_string_esc(q, end, &e->msg,
				    &e->msg_esc)) == NULL)
					return JSON_BROKEN;
			}
			have_log = 1;
		} else if (key_is(k, klen, "stream") && *p == '"') {
			v = p + 1;
			if ((p = json_string_end(v, end, &plain)) == NULL)
				return JSON_BROKEN;
			if (key_is(v, (size_t)(p - 1 - v), "stdout"))
				out->stream = STREAM_STDOUT;
			else if (key_is(v, (size_t)(p - 1 - v), "stderr"))
				out->stream = STREAM_STDERR;
		} else if (key_is(k, klen, "time") && *p == '"') {
			v = p + 1;
			if ((p = json_string_end(v, end, &plain)) == NULL)
				return JSON_BROKEN;
			if (timeparse_rfc3339_cached(&e->stamps, v,
			    (size_t)(p - 1 - v), &out->ts) == 0)
				out->ts = TS_NONE;
		} else {
			if (key_is(k, klen, "__REALTIME_TIMESTAMP") ||
			    key_is(k, klen, "MESSAGE") || key_is(k, klen, "__CURSOR"))
				journald = 1;
			if ((p = json_skip(p, end, 1)) == NULL)
				return JSON_BROKEN;
		}
		p = json_ws(p, end);
		if (p >= end)
			return JSON_BROKEN;
		if (*p == '}') {
			p++;
			break;
		}
		if (*p != ',')
			return JSON_BROKEN;
		p++;
	}
	if (json_ws(p, end) != end)
		return JSON_BROKEN;
	if (!have_log)
		return journald ? JSON_JOURNALD : JSON_OTHER;

	out->format = ENVELOPE_DOCKER_JSON;
	if (log != NULL) {
		out->msg = log;
		out->msg_len = log_len;
	} else {
		out->msg = buf_text(&e->msg);
		out->msg_len = e->msg.len;
	}
	if (log_nl || (out->msg_len > 0 && out->msg[out->msg_len - 1] == '\n')) {
		if (!log_nl)
			out->msg_len--;
		/* The reader drops '\r' before '\n' on raw lines; do the same. */
		if (out->msg_len > 0 && out->msg[out->msg_len - 1] == '\r')
			out->msg_len--;
	} else {
		out->partial = 1;
	}
	return JSON_DOCKER;
}

/*
 * The record as Docker's json-file driver writes nearly every one,
 * {"log":"TEXT\n","stream":"stdout","time":"STAMP"} with a STAMP read
 * whole, compared at its fixed places rather than walked key by key.
 * TEXT without an escape but its newline is used where it stands, any
 * other is decoded into msg.  Returns 0 with out filled as docker_json
 * fills it, or -1 for any other line, which docker_json reads.
 */
static int
docker_json_usual(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	static const char head[] = "{\"log\":\"", mid[] = ",\"stream\":\"std",
	    tail[] = "\",\"time\":\"";
	const size_t nhead = sizeof head - 1, nmid = sizeof mid - 1,
	    ntail = sizeof tail - 1;
	const char *end = line + len, *v = line + nhead, *q, *p, *t;
	enum envelope_stream stream;
	int64_t ts;
	size_t k, n;
	int decoded = 0;

	if (len < nhead || memcmp(line, head, nhead) != 0)
		return -1;
	q = json_plain_run(v, end);
	if (end - q >= 3 && q[0] == '\\' && q[1] == 'n' && q[2] == '"') {
		p = q + 3;
	} else if (q < end && q[0] == '\\') {
		decoded = 1;
		buf_reset(&e->msg);
		buf_append(&e->msg, v, (size_t)(q - v));
		if ((p = json_string_esc(q, end, &e->msg, &e->msg_esc)) ==
		    NULL || e->msg.len == 0 || e->msg.data[e->msg.len - 1] != '\n')
			return -1;
	} else {
		return -1;
	}
	/* the stream, the time key, '"' and '}' */
	if ((size_t)(end - p) < nmid + 3 + ntail + 2 ||
	    memcmp(p, mid, nmid) != 0 || end[-2] != '"' || end[-1] != '}')
		return -1;
	if (memcmp(p + nmid, "out", 3) == 0)
		stream = STREAM_STDOUT;
	else if (memcmp(p + nmid, "err", 3) == 0)
		stream = STREAM_STDERR;
	else
		return -1;
	if (memcmp(p + nmid + 3, tail, ntail) != 0)
		return -1;
	/* a stamp read to its end holds no '"' or '\\' the walk would stop at */
	t = p + nmid + 3 + ntail;
	n = (size_t)(end - 2 - t);
	if ((k = timeparse_rfc3339_cached(&e->stamps, t, n, &ts)) == 0 || k != n)
		return -1;
	/* every field is set: msg below */
	set_plain(line, len, out);
	out->format = ENVELOPE_DOCKER_JSON;
	out->ts = ts;
	out->stream = stream;
	if (decoded) {
		out->msg = e->msg.data;
		out->msg_len = e->msg.len - 1;
	} else {
		out->msg = v;
		out->msg_len = (size_t)(q - v);
	}
	/* The reader drops '\r' before '\n' on raw lines; do the same. */
	if (out->msg_len > 0 && out->msg[out->msg_len - 1] == '\r')
		out->msg_len--;
	return 0;
}

#ifndef NDEBUG
/* docker_json reads the line as docker_json_usual did (the fuzzer's check). */
static int
docker_json_usual_agrees(struct envelope *e, const char *line, size_t len,
    const struct envelope_line *out)
{
	struct envelope_line slow;

	/* field by field: set_plain leaves the padding as it was */
	memset(&slow, 0, sizeof slow);
	return docker_json(e, line, len, &slow) == JSON_DOCKER &&
	    slow.format == out->format && slow.ts == out->ts &&
	    slow.source == out->source && slow.source_len == out->source_len &&
	    slow.source_kind == out->source_kind &&
	    slow.source_id == out->source_id && slow.stream == out->stream &&
	    slow.level == out->level && slow.level_len == out->level_len &&
	    slow.msg == out->msg && slow.msg_len == out->msg_len &&
	    slow.partial == out->partial && slow.malformed == out->malformed;
}
#endif

static const char *const journald_levels[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

/*
 * The level an entry's PRIORITY states, or NULL when it states none.
 * Docker's journald driver writes 3 for every stderr line and 6 for every
 * stdout line, and a service's output stream gets 6 unless the program
 * said otherwise: neither is the record's level, which its own words then
 * give (Python logging writes every record to stderr).
 */
static const char *
journald_level(const char *prio, size_t plen, int container,
    const char *transport, size_t tlen)
{
	if (prio == NULL || plen != 1 || prio[0] < '0' || prio[0] > '7' ||
	    container)
		return NULL;
	if (prio[0] == '6' && transport != NULL && tlen == 6 &&
	    memcmp(transport, "stdout", 6) == 0)
		return NULL;
	return journald_levels[prio[0] - '0'];
}

static const cJSON *
journald_string(const cJSON *root, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);

	return cJSON_IsString(it) && it->valuestring != NULL ? it : NULL;
}

/* journalctl -o json: returns 0, or -1 if the line is not such an object. */
static int
journald(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	cJSON *root;
	const cJSON *it, *b;
	const char *s;
	char *endp;
	unsigned long long us;
	const char *const src_keys[] = {
		"CONTAINER_NAME", "SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT"
	};
	size_t i;

	root = cJSON_ParseWithLength(line, len);
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return -1;
	}
	set_plain(line, len, out);
	out->format = ENVELOPE_JOURNALD;
	buf_reset(&e->msg);
	buf_reset(&e->src);
	buf_reset(&e->lvl);

	it = cJSON_GetObjectItemCaseSensitive(root, "MESSAGE");
	if (cJSON_IsString(it) && it->valuestring != NULL) {
		buf_puts(&e->msg, it->valuestring);
		e->msg_esc = strchr(it->valuestring, '\033') != NULL;
	} else if (cJSON_IsArray(it)) {
		/* Journald writes messages that are not valid UTF-8 as byte arrays. */
		cJSON_ArrayForEach(b, it) {
			if (cJSON_IsNumber(b) && b->valuedouble >= 0 &&
			    b->valuedouble <= 255)
				buf_putc(&e->msg, (char)(int)b->valuedouble);
		}
	}
	out->msg = buf_text(&e->msg);
	out->msg_len = e->msg.len;
	if (out->msg_len > 0 && out->msg[out->msg_len - 1] == '\n')
		out->msg_len--;

	if ((it = journald_string(root, "__REALTIME_TIMESTAMP")) != NULL) {
		s = it->valuestring;
		us = strtoull(s, &endp, 10);
		if (endp != s && *endp == '\0')
			out->ts = (int64_t)(us / 1000);
	}
	for (i = 0; i < UTIL_ARRAY_LEN(src_keys); i++) {
		if ((it = journald_string(root, src_keys[i])) != NULL &&
		    it->valuestring[0] != '\0') {
			buf_puts(&e->src, it->valuestring);
			out->source = buf_text(&e->src);
			out->source_len = e->src.len;
			out->source_kind = "journald";
			break;
		}
	}
	if ((it = journald_string(root, "PRIORITY")) != NULL) {
		b = journald_string(root, "_TRANSPORT");
		out->level = journald_level(it->valuestring,
		    strlen(it->valuestring),
		    journald_string(root, "CONTAINER_NAME") != NULL ||
		    journald_string(root, "CONTAINER_ID") != NULL,
		    b != NULL ? b->valuestring : NULL,
		    b != NULL ? strlen(b->valuestring) : 0);
		if (out->level != NULL)
			out->level_len = strlen(out->level);
	}
	cJSON_Delete(root);
	return 0;
}

/*
 * Eight decimal digits at p appended to *v (*v * 10^8 + their value), or
 * 0 if a byte of them is no digit: a word at a time, as a journald
 * timestamp's sixteen digits are read on every line.
 */
static int
eight_digits(const char *p, unsigned long long *v)
{
	const uint64_t zeros = 0x3030303030303030ULL, high = 0xf0f0f0f0f0f0f0f0ULL;
	uint64_t x = 0;
	int i;

	/* the first digit in the lowest byte, whatever the byte order */
	for (i = 0; i < 8; i++)
		x |= (uint64_t)(unsigned char)p[i] << (8 * i);
	x -= zeros;
	/* a byte below '0' borrows into, or one past '9' carries into, high */
	if (((x | (x + 0x0606060606060606ULL)) & high) != 0)
		return 0;
	x = x * 10 + (x >> 8);
	x = ((x & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32)) +
	    ((x >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32))) >> 32;
	*v = *v * 100000000ULL + x;
	return 1;
}

/* The fields journald_fast reads. */
enum jf_field {
	JF_MSG, JF_TS, JF_PRIO, JF_CONTAINER, JF_IDENT, JF_UNIT, JF_CID,
	JF_TRANSPORT, JF_COUNT
};

/* What a key tells docker_json apart from journald (see journald_fast). */
enum jf_tell {
	JF_TELL_NONE, JF_TELL_LOG, JF_TELL_JOURNALD
};

/*
 * The end of the key at k, as json_plain_run finds it, the field it names
 * (JF_COUNT: none) and what it tells.  The keys that matter are compared
 * whole with their closing quote, chosen by their first byte, rather
 * than searched for; any other key names no field and tells nothing.
 */
static inline const char *
journald_key_end(const char *k, const char *end, enum jf_field *f,
    enum jf_tell *tell)
{
#define JF_KNOWN(lit, field, t)	do { \
		if ((size_t)(end - k) >= sizeof(lit "\"") - 1 && \
		    memcmp(k, lit "\"", sizeof(lit "\"") - 1) == 0) { \
			*f = field; \
			*tell = t; \
			return k + sizeof(lit) - 1; \
		} \
	} while (0)
	if (k < end) {
		switch (k[0]) {
		case 'M':
			JF_KNOWN("MESSAGE", JF_MSG, JF_TELL_JOURNALD);
			break;
		case 'P':
			JF_KNOWN("PRIORITY", JF_PRIO, JF_TELL_NONE);
			break;
		case 'C':
			JF_KNOWN("CONTAINER_NAME", JF_CONTAINER, JF_TELL_NONE);
			JF_KNOWN("CONTAINER_ID", JF_CID, JF_TELL_NONE);
			break;
		case 'S':
			JF_KNOWN("SYSLOG_IDENTIFIER", JF_IDENT, JF_TELL_NONE);
			break;
		case '_':
			JF_KNOWN("__REALTIME_TIMESTAMP", JF_TS, JF_TELL_JOURNALD);
			JF_KNOWN("_SYSTEMD_UNIT", JF_UNIT, JF_TELL_NONE);
			JF_KNOWN("_TRANSPORT", JF_TRANSPORT, JF_TELL_NONE);
			JF_KNOWN("__CURSOR", JF_COUNT, JF_TELL_JOURNALD);
			break;
		case 'l':
			JF_KNOWN("log", JF_COUNT, JF_TELL_LOG);
			break;
		}
	}
#undef JF_KNOWN
	*f = JF_COUNT;
	*tell = JF_TELL_NONE;
	return json_plain_run(k, end);
}

/* Past the byte c at p, blanks before it allowed; NULL if c is not next. */
static inline const char *
json_expect(const char *p, const char *end, char c)
{
	if (p < end && *p == c)
		return p + 1;
	p = json_ws(p, end);
	return p < end && *p == c ? p + 1 : NULL;
}

/*
 * Sixteen digits at v read into *us (0 before), or 0 if a byte is no
 * digit; the first eight are compared with those st remembers first.
 */
static inline int
journald_stamp(struct jf_stamp *st, const char *v, unsigned long long *us)
{
	uint64_t high;

	memcpy(&high, v, sizeof high);
	if (st->valid && high == st->high)
		*us = st->high_us;
	else if (eight_digits(v, us)) {
		st->high = high;
		st->high_us = *us;
		st->valid = 1;
	} else
		return 0;
	return eight_digits(v + 8, us);
}

/*
 * json_string_end for the value of field f at v.  A one-byte PRIORITY and
 * the sixteen digits of a timestamp (read into *us: 0 while not read) are
 * told by their fixed closing quote, not searched for.
 */
static inline const char *
journald_value_end(struct jf_stamp *st, const char *v, const char *end,
    enum jf_field f, unsigned long long *us, int *plain)
{
	if (f == JF_PRIO && end - v >= 2 && v[1] == '"' && v[0] != '"' &&
	    v[0] != '\\') {
		*plain = 1;
		return v + 2;
	}
	if (f == JF_TS && end - v >= 17 && v[16] == '"') {
		if (journald_stamp(st, v, us)) {
			*plain = 1;
			return v + 17;
		}
		*us = 0;
	}
	return json_string_end(v, end, plain);
}

/* What journald_fast learns from an entry's keys and values. */
struct jf_values {
	const char	*v[JF_COUNT];	/* a field's value, past its quote */
	const char	*vend[JF_COUNT];	/* its closing quote */
	unsigned long long us;		/* the timestamp, 0 while not read */
	unsigned	 escaped;	/* bit f: v[f] holds an escape */
	enum json_kind	 seen;		/* what docker_json would make of the keys */
};

/* No field read yet: vend[f] is set with v[f], and read only after it. */
static inline void
jf_values_clear(struct jf_values *jv)
{
	memset(jv->v, 0, sizeof jv->v);
	jv->us = 0;
	jv->escaped = 0;
	jv->seen = JSON_OTHER;
}

/*
 * The string value of field f at v, the byte after its opening quote,
 * taken into jv: the byte after its closing quote, or NULL when it is
 * broken or holds a \u escape (left to journald()).
 */
static inline const char *
journald_take(struct jf_stamp *st, struct jf_values *jv, enum jf_field f,
    const char *v, const char *end)
{
	const char *p, *k;
	int plain;

	jv->v[f] = v;
	if ((p = journald_value_end(st, v, end, f, &jv->us, &plain)) == NULL)
		return NULL;
	jv->vend[f] = p - 1;
	if (plain)
		return p;
	jv->escaped |= 1u << f;
	for (k = v; (k = memchr(k, '\\', (size_t)(p - 1 - k))) != NULL; k += 2) {
		if (k[1] == 'u')
			return NULL;
	}
	return p;
}

/*
 * The bytes from glue (line start, or the byte after a value's closing
 * quote) to end appended to the layout being recorded; 0 when it is full.
 */
static int
jf_layout_glue(struct jf_layout *l, const char *glue, const char *end)
{
	size_t n = (size_t)(end - glue);

	if (l->keys >= ENVELOPE_JF_KEYS || n > sizeof l->bytes - l->used)
		return 0;
	memcpy(l->bytes + l->used, glue, n);
	l->used += n;
	l->glue_len[l->keys] = (uint16_t)n;
	return 1;
}

/*
 * The entry at line read key by key into jv: 0, or 1 when it needs
 * journald() to decide.  With l, its layout is recorded there when every
 * value is a string and the layout fits.
 */
static inline __attribute__((always_inline)) int
journald_scan(struct jf_stamp *st, struct jf_layout *l, const char *line,
    const char *end, struct jf_values *jv)
{
	const char *p = line, *k, *glue = line;
	enum jf_field f;
	enum jf_tell tell;
	int plain, record = l != NULL;

	if (l != NULL) {
		l->keys = 0;
		l->used = 0;
		l->valid = 0;
		l->compiled = 0;
	}
	p = json_ws(p, end);
	if (p >= end || *p != '{')
		return 1;
	p = json_ws(p + 1, end);
	if (p < end && *p == '}')
		p++;
	else for (;;) {
		/* the compact form's bytes are tried before journalctl's blanks */
		if (p >= end || *p != '"') {
			p = json_ws(p, end);
			if (p >= end || *p != '"')
				return 1;
		}
		/* a key with an escape is left to journald() */
		k = p + 1;
		p = journald_key_end(k, end, &f, &tell);
		if (p >= end || *p != '"')
			return 1;
		/* the compact ":" first, then journalctl's " : " in one compare */
		if (__builtin_expect(end - p >= 2 && p[1] == ':', 1))
			p += 2;
		else if (end - p >= 4 && memcmp(p, "\" : ", 4) == 0)
			p += 4;
		else if ((p = json_expect(p + 1, end, ':')) == NULL)
			return 1;
		if (p >= end || *p != '"') {
			p = json_ws(p, end);
			if (p >= end)
				return 1;
		}
		if (jv->seen != JSON_DOCKER) {
			if (tell == JF_TELL_LOG && *p == '"')
				jv->seen = JSON_DOCKER;
			else if (tell == JF_TELL_JOURNALD)
				jv->seen = JSON_JOURNALD;
		}
		/* the first of duplicate keys counts, as in cJSON */
		if (f < JF_COUNT && jv->v[f] != NULL)
			f = JF_COUNT;
		if (*p == '"' && record) {
			record = jf_layout_glue(l, glue, p + 1);
			if (record) {
				l->field[l->keys] = (uint8_t)f;
				l->varies[l->keys] = 0;
				l->guess_len[l->keys++] = 0;
			}
		} else
			record = 0;
		if (f < JF_COUNT) {
			if (*p != '"' || (p = journald_take(st, jv, f, p + 1, end)) == NULL)
				return 1;
		} else if (*p == '"') {
			/* journald's other fields, a string each, most of an entry */
			if ((p = json_string_end(p + 1, end, &plain)) == NULL)
				return 1;
		} else if ((p = json_skip(p, end, 1)) == NULL)
			return 1;
		glue = p;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		p = json_ws(p, end);
		if (p >= end)
			return 1;
		if (*p == '}') {
			p++;
			break;
		}
		if (*p != ',')
			return 1;
		p++;
	}
	if (json_ws(p, end) != end)
		return 1;
	if (record && l->keys > 0 && jf_layout_glue(l, glue, p)) {
		l->seen = (uint8_t)jv->seen;
		l->valid = 1;
	}
	return 0;
}

/* a[0..n) equals b[0..n): the glues are mostly short, the last one a byte or two. */
static inline int
jf_same(const char *a, const char *b, size_t n)
{
	uint64_t x, y, d = 0;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++) {
			if (a[i] != b[i])
				return 0;
		}
		return 1;
	}
	if (n <= 32)
		return util_equal(a, b, n);
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, sizeof x);
		memcpy(&y, b + i, sizeof y);
		d |= x ^ y;
	}
	memcpy(&x, a + n - 8, sizeof x);
	memcpy(&y, b + n - 8, sizeof y);
	return (d | (x ^ y)) == 0;
}

/*
 * The layout compiled with the values at the places in hit (bit i: key
 * i's value was the one remembered) fixed and the others holes.
 */
static void
jf_compile(struct jf_layout *l, uint32_t hit)
{
	const char *glue = l->bytes;
	size_t used = 0, run = 0;
	unsigned i, r = 0;

	l->nfixed = 0;
	for (i = 0; i < l->keys; i++) {
		memcpy(l->prog + used, glue, l->glue_len[i]);
		used += l->glue_len[i];
		glue += l->glue_len[i];
		if (hit >> i & 1) {
			if (l->field[i] < JF_COUNT) {
				l->fixed[l->nfixed].field = l->field[i];
				l->fixed[l->nfixed].run = (uint8_t)r;
				l->fixed[l->nfixed].off = (uint16_t)(used - run);
				l->fixed[l->nfixed++].len =
				    (uint16_t)(l->guess_len[i] - 1);
			}
			memcpy(l->prog + used, l->guess[i], l->guess_len[i]);
			used += l->guess_len[i];
			continue;
		}
		l->run_len[r] = (uint16_t)(used - run);
		l->hole[r++] = l->field[i];
		run = used;
	}
	memcpy(l->prog + used, glue, l->glue_len[i]);
	used += l->glue_len[i];
	l->run_len[r] = (uint16_t)(used - run);
	l->holes = r;
	l->compiled = 1;
}

/*
 * journald_scan_layout for an entry that repeats the compiled runs, its
 * holes read as that reads them: the same answer, with fewer compares.
 */
static inline __attribute__((always_inline)) int
journald_scan_compiled(struct jf_stamp *st, const struct jf_layout *l,
    const char *line, const char *end, struct jf_values *jv)
{
	const char *p = line, *run = l->prog, *at[ENVELOPE_JF_KEYS + 1], *v;
	enum jf_field f;
	unsigned i;
	size_t n;
	int plain;

	for (i = 0;; i++) {
		n = l->run_len[i];
		if ((size_t)(end - p) < n || !jf_same(p, run, n))
			return 1;
		at[i] = p;
		p += n;
		run += n;
		if (i == l->holes)
			break;
		f = (enum jf_field)l->hole[i];
		if (f < JF_COUNT)
			p = journald_take(st, jv, f, p, end);
		else
			p = json_string_end(p, end, &plain);
		if (p == NULL)
			return 1;
	}
	if (json_ws(p, end) != end)
		return 1;
	for (i = 0; i < l->nfixed; i++) {
		f = (enum jf_field)l->fixed[i].field;
		v = at[l->fixed[i].run] + l->fixed[i].off;
		jv->v[f] = v;
		jv->vend[f] = v + l->fixed[i].len;
	}
	jv->seen = l->seen;
	return 0;
}

/*
 * journald_scan for an entry laid out as the one recorded: its bytes
 * between the values, keys and all, are compared whole instead of read,
 * and each value is read as the scan read the one at its place, or found
 * to be the value before it there (no quote nor backslash in it, so the
 * scan would have stopped at the same closing quote).  The answer is the
 * scan's wherever it returns 0; at 1 the scan decides.
 */
static int
journald_scan_layout(struct jf_stamp *st, struct jf_layout *l,
    const char *line, const char *end, struct jf_values *jv)
{
	const char *p = line, *glue = l->bytes, *v;
	enum jf_field f;
	unsigned i;
	size_t n;
	uint32_t hit = 0;
	int plain = 0, learned = 0;

	for (i = 0; i < l->keys; i++) {
		n = l->glue_len[i];
		if ((size_t)(end - p) < n || !jf_same(p, glue, n))
			return 1;
		v = p + n;
		glue += n;
		f = (enum jf_field)l->field[i];
		n = l->guess_len[i];
		if (n > 0 && (size_t)(end - v) >= n && jf_same(v, l->guess[i], n)) {
			p = v + n;
			if (f < JF_COUNT) {
				jv->v[f] = v;
				jv->vend[f] = p - 1;
			}
			hit |= UINT32_C(1) << i;
			continue;
		}
		if (f < JF_COUNT)
			p = journald_take(st, jv, f, v, end);
		else
			p = json_string_end(v, end, &plain);
		if (p == NULL)
			return 1;
		/*
		 * The timestamp changes on every entry and PRIORITY is read at
		 * once; a value that changed once is read from then on.
		 */
		n = (size_t)(p - v);
		if (l->guess_len[i] > 0)
			l->varies[i] = 1;
		if (f == JF_TS || f == JF_PRIO || n > ENVELOPE_JF_GUESS ||
		    (f < JF_COUNT ? jv->escaped >> f & 1 : !plain) || l->varies[i])
			l->guess_len[i] = 0;
		else {
			memcpy(l->guess[i], v, n);
			l->guess_len[i] = (uint8_t)n;
			learned = 1;
		}
	}
	n = l->glue_len[i];
	if ((size_t)(end - p) < n || !jf_same(p, glue, n) ||
	    json_ws(p + n, end) != end)
		return 1;
	jv->seen = l->seen;
	/* settled: no value newly remembered, those remembered found again */
	if (!learned)
		jf_compile(l, hit);
	else
		l->compiled = 0;
	return 0;
}

/*
 * jv filled from the first of e's layouts that fits the entry at line,
 * compiled ones before those still settling, each in the order they last
 * fitted: 0, or 1 when none fits.  The one that fits is moved to the front.
 */
static __attribute__((noinline)) int
journald_scan_known_slow(struct envelope *e, const char *line,
    const char *end, struct jf_values *jv)
{
	struct jf_layout *l;
	unsigned t, s, pass;
	int rc;

	for (pass = 0; pass < 2; pass++) {
		for (t = 0; t < ENVELOPE_JF_SLOTS; t++) {
			l = &e->jf[s = e->jf_order[t]];
			/* the front one's compiled form failed already */
			if (pass == 0 && (t == 0 || !l->compiled))
				continue;
			if (pass == 1 && !l->valid)
				continue;
			rc = pass == 0 ?
			    journald_scan_compiled(&e->jf_stamp, l, line, end, jv) :
			    journald_scan_layout(&e->jf_stamp, l, line, end, jv);
			if (rc != 0) {
				jf_values_clear(jv);
				continue;
			}
			if (t > 0) {
				memmove(e->jf_order + 1, e->jf_order, t);
				e->jf_order[0] = (uint8_t)s;
			}
			return 0;
		}
	}
	return 1;
}

/* journald_scan_known_slow after the usual case: the front layout, compiled, fits. */
static inline int
journald_scan_known(struct envelope *e, const char *line, const char *end,
    struct jf_values *jv)
{
	const struct jf_layout *l = &e->jf[e->jf_order[0]];

	if (l->compiled &&
	    journald_scan_compiled(&e->jf_stamp, l, line, end, jv) == 0)
		return 0;
	jf_values_clear(jv);
	return journald_scan_known_slow(e, line, end, jv);
}

/*
 * journald() without cJSON, for the common entry: the fields it reads are
 * strings holding no \u escape and no NUL once decoded, the timestamp
 * all digits.  One scan instead of a parse tree per line (cJSON made
 * journald input 15 MB/s), and for an entry laid out as one of the latest
 * few (journalctl writes a unit's fields in one order) not even that.
 * Returns 0, or 1 when the entry needs journald() to decide.  With seen,
 * it also says what docker_json would have made of the keys:
 * JSON_DOCKER when one is "log" with a string, else JSON_JOURNALD when
 * one is a key of journald's own, else JSON_OTHER (the object's syntax
 * is the same to both).
 */
static int
journald_fast(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out, enum json_kind *seen)
{
	struct jf_layout *l;
	struct jf_values jv;
	const char *end = line + len, *k;
	enum jf_field f;
	unsigned last;

	jf_values_clear(&jv);
	if (e->jf_skip > 0) {
		/* the last one left untried starts a new trial */
		if (--e->jf_skip == 0)
			e->jf_score = ENVELOPE_JF_SCORE / 2;
		if (journald_scan(&e->jf_stamp, NULL, line, end, &jv) != 0)
			return 1;
	} else if (journald_scan_known(e, line, end, &jv) != 0) {
		if ((e->jf_score -= ENVELOPE_JF_MISS) < 0)
			e->jf_skip = ENVELOPE_JF_SKIP;
		/* a new layout replaces the least recently fitting one */
		last = e->jf_order[ENVELOPE_JF_SLOTS - 1];
		memmove(e->jf_order + 1, e->jf_order, ENVELOPE_JF_SLOTS - 1);
		e->jf_order[0] = (uint8_t)last;
		l = &e->jf[last];
		if (journald_scan(&e->jf_stamp, l, line, end, &jv) != 0)
			return 1;
	} else if (e->jf_score < ENVELOPE_JF_SCORE)
		e->jf_score++;
	if (seen != NULL)
		*seen = jv.seen;
	if (jv.v[JF_TS] != NULL && !(jv.vend[JF_TS] - jv.v[JF_TS] == 16 && jv.us != 0)) {
		jv.us = 0;
		if (jv.vend[JF_TS] == jv.v[JF_TS] || jv.vend[JF_TS] - jv.v[JF_TS] > 19)
			return 1;
		for (k = jv.v[JF_TS]; jv.vend[JF_TS] - k >= 8; k += 8) {
			if (!eight_digits(k, &jv.us))
				return 1;
		}
		for (; k < jv.vend[JF_TS]; k++) {
			if (!is_digit(*k))
				return 1;
			jv.us = jv.us * 10 + (unsigned)(*k - '0');
		}
	}
	set_plain(line, len, out);
	out->format = ENVELOPE_JOURNALD;
	/* strings without an escape are used where they stand */
	buf_reset(&e->msg);
	out->msg = buf_text(&e->msg);
	out->msg_len = 0;
	if (jv.v[JF_MSG] != NULL && !(jv.escaped >> JF_MSG & 1)) {
		out->msg = jv.v[JF_MSG];
		out->msg_len = (size_t)(jv.vend[JF_MSG] - jv.v[JF_MSG]);
	} else if (jv.v[JF_MSG] != NULL) {
		if (json_string_esc(jv.v[JF_MSG], end, &e->msg,
		    &e->msg_esc) == NULL)
			return 1;
		out->msg = buf_text(&e->msg);
		out->msg_len = e->msg.len;
	}
	/* no \u escape came this far: a NUL here is one of the line's */
	if (!e->no_nul && out->msg_len > 0 &&
	    memchr(out->msg, '\0', out->msg_len) != NULL)
		return 1;
	if (out->msg_len > 0 && out->msg[out->msg_len - 1] == '\n')
		out->msg_len--;
	if (jv.v[JF_TS] != NULL)
		out->ts = (int64_t)(jv.us / 1000);
	for (f = JF_CONTAINER; f <= JF_UNIT; f++) {
		if (jv.v[f] == NULL || jv.vend[f] == jv.v[f])
			continue;
		if (!(jv.escaped >> f & 1)) {
			out->source = jv.v[f];
			out->source_len = (size_t)(jv.vend[f] - jv.v[f]);
		} else {
			buf_reset(&e->src);
			if (json_string(jv.v[f], end, &e->src) == NULL)
				return 1;
			out->source = buf_text(&e->src);
			out->source_len = e->src.len;
		}
		if (!e->no_nul &&
		    memchr(out->source, '\0', out->source_len) != NULL)
			return 1;
		out->source_kind = "journald";
		break;
	}
	out->level = journald_level(jv.v[JF_PRIO], jv.v[JF_PRIO] != NULL ?
	    (size_t)(jv.vend[JF_PRIO] - jv.v[JF_PRIO]) : 0,
	    jv.v[JF_CONTAINER] != NULL || jv.v[JF_CID] != NULL, jv.v[JF_TRANSPORT],
	    jv.v[JF_TRANSPORT] != NULL ?
	    (size_t)(jv.vend[JF_TRANSPORT] - jv.v[JF_TRANSPORT]) : 0);
	if (out->level != NULL)
		out->level_len = strlen(out->level);
	return 0;
}

/*
 * p[0..n) without its colours and line erasures (ESC '[' parameters 'm'
 * or 'K'), as a program writing to a terminal adds them, into out (which
 * may be p); returns the bytes left.  Other escape sequences stay: they
 * are text, which the outputs show escaped.
 */
static size_t
sgr_strip(const char *p, size_t n, char *out)
{
	const char *q;
	size_t i = 0, o = 0, j, k;

	while (i < n && (q = memchr(p + i, '\033', n - i)) != NULL) {
		k = (size_t)(q - p);
		memmove(out + o, p + i, k - i);
		o += k - i;
		for (j = k + 2; j < n && ((p[j] >= '0' && p[j] <= '9') ||
		    p[j] == ';' || p[j] == ':'); j++)
			;
		if (k + 1 < n && p[k + 1] == '[' && j < n &&
		    (p[j] == 'm' || p[j] == 'K')) {
			i = j + 1;
			continue;
		}
		out[o++] = p[k];
		i = k + 1;
	}
	memmove(out + o, p + i, n - i);
	return o + n - i;
}

/* A message decoded from JSON loses its colours as a line does. */
static void
strip_msg(struct envelope *e, struct envelope_line *out)
{
	if (out->msg == buf_text(&e->msg) && out->msg_len > 0)
		out->msg_len = sgr_strip(e->msg.data, out->msg_len,
		    e->msg.data);
}

/*
 * The labels whose value names a Loki stream's source, the first found
 * in this order: what Docker's and Promtail's pipelines and Kubernetes
 * set.
 */
static const struct {
	const char	*name;
	size_t		 len;
} loki_source_labels[] = {
#define LABEL(s) { s, sizeof s - 1 }
	LABEL("container"), LABEL("container_name"), LABEL("compose_service"),
	LABEL("service_name"), LABEL("service"), LABEL("app"), LABEL("pod"),
	LABEL("unit"), LABEL("job")
#undef LABEL
};

/*
 * The value of the first of loki_source_labels in labels, a JSON object,
 * or NULL.
 */
static const char *
loki_json_source(const cJSON *labels)
{
	const cJSON *it;
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(loki_source_labels); i++)
		if ((it = journald_string(labels,
		    loki_source_labels[i].name)) != NULL &&
		    it->valuestring[0] != '\0')
			return it->valuestring;
	return NULL;
}

/*
 * `logcli query -o jsonl`: {"labels":{...},"line":"...","timestamp":
 * "2025-...Z"} (labels left out with --no-labels).  Returns 0, or -1 if
 * the line is not such an object.
 */
static int
loki_json(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	cJSON *root;
	const cJSON *msg, *ts, *labels;
	const char *src;
	int64_t ms;
	size_t k;

	root = cJSON_ParseWithLength(line, len);
	if (root == NULL || !cJSON_IsObject(root) ||
	    (msg = journald_string(root, "line")) == NULL ||
	    (ts = journald_string(root, "timestamp")) == NULL ||
	    (k = timeparse_rfc3339(ts->valuestring, strlen(ts->valuestring),
	    &ms)) == 0 || ts->valuestring[k] != '\0') {
		cJSON_Delete(root);
		return -1;
	}
	set_plain(line, len, out);
	out->format = ENVELOPE_DOCKER_JSON;
	out->ts = ms;
	buf_reset(&e->msg);
	buf_puts(&e->msg, msg->valuestring);
	e->msg_esc = strchr(msg->valuestring, '\033') != NULL;
	out->msg = buf_text(&e->msg);
	out->msg_len = e->msg.len;
	labels = cJSON_GetObjectItemCaseSensitive(root, "labels");
	if (cJSON_IsObject(labels) && (src = loki_json_source(labels)) != NULL &&
	    strlen(src) <= ENVELOPE_NAME_MAX) {
		buf_reset(&e->src);
		buf_puts(&e->src, src);
		out->source = buf_text(&e->src);
		out->source_len = e->src.len;
		out->source_kind = "loki";
	}
	cJSON_Delete(root);
	return 0;
}

static void
decode_json_any(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out, enum envelope_format want)
{
	enum json_kind kind, seen = JSON_OTHER;

	if (want == ENVELOPE_AUTO && len > 9 && line[1] == '"' && line[2] == 'l' &&
	    (memcmp(line, "{\"labels\":", 10) == 0 ||
	    memcmp(line, "{\"line\":", 8) == 0) &&
	    loki_json(e, line, len, out) == 0)
		return;

	/*
	 * A journald entry (its keys start "__") is read once, not walked by
	 * docker_json first: the answer is the one below whenever
	 * journald_fast takes it and docker_json would have said
	 * JSON_JOURNALD (or journald was asked for); otherwise the long way.
	 */
	if (len > 3 && memcmp(line, "{\"__", 4) == 0 &&
	    (want == ENVELOPE_AUTO || want == ENVELOPE_JOURNALD) &&
	    journald_fast(e, line, len, out, &seen) == 0 &&
	    (want == ENVELOPE_JOURNALD || seen == JSON_JOURNALD))
		return;
	if (want != ENVELOPE_JOURNALD && docker_json_usual(e, line, len, out) == 0) {
		assert(docker_json_usual_agrees(e, line, len, out));
		return;
	}
	memset(out, 0, sizeof *out);
	kind = docker_json(e, line, len, out);
	if (kind == JSON_DOCKER && want != ENVELOPE_JOURNALD)
		return;
	if (kind != JSON_BROKEN && want != ENVELOPE_DOCKER_JSON &&
	    (kind == JSON_JOURNALD || want == ENVELOPE_JOURNALD) &&
	    (journald_fast(e, line, len, out, NULL) == 0 ||
	    journald(e, line, len, out) == 0))
		return;
	set_plain(line, len, out);
	if (want != ENVELOPE_AUTO) {
		out->format = want;
		out->malformed = 1;
	} else if (kind == JSON_BROKEN && len > 1 && line[1] == '"') {
		/* It opened like a JSON object and broke: a damaged envelope. */
		out->format = ENVELOPE_DOCKER_JSON;
		out->malformed = 1;
	}
}

/*
 * decode_json, and a message decoded with an ESC in it ("\u001b[31m")
 * loses its colours as a line does (sgr_strip).
 */
static void
decode_json(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out, enum envelope_format want)
{
	e->msg_esc = 0;
	decode_json_any(e, line, len, out, want);
	if (e->msg_esc)
		strip_msg(e, out);
}

/* ---- docker logs -t stamps ------------------------------------------- */

/*
 * A `docker logs -t` stamp and the space after it (or the end of the line)
 * at p.  strict: only Docker's fixed nine-digit form, as auto-detection
 * needs.  Returns the bytes to strip, or 0.
 */
static size_t
docker_stamp(struct envelope *e, const char *p, size_t n, int strict,
    int64_t *ms)
{
	size_t k;

	if (strict && (n < 30 || p[10] != 'T' || p[19] != '.'))
		return 0;
	k = timeparse_rfc3339_cached(&e->stamps, p, n, ms);
	if (k == 0)
		return 0;
	/*
	 * Strict wants at least nine fraction digits, then the zone: 30 bytes
	 * end in Z after exactly nine (four digits and +hh:mm also make 30),
	 * 35 bytes hold nine and +hh:mm or fourteen and Z.
	 */
	if (strict && !(k == 35 || (k == 30 && (p[29] == 'Z' || p[29] == 'z'))))
		return 0;
	if (k == n)
		return k;
	return p[k] == ' ' ? k + 1 : 0;
}

/*
 * The message after a -t stamp.  Docker splits lines longer than 16 KiB
 * into messages and `docker logs -t` stamps each of them, so a new stamp
 * sits after every 16384 bytes of the original line: take those out.
 */
static void
strip_inner_stamps(struct envelope *e, const char *p, size_t n, int strict,
    struct envelope_line *out)
{
	size_t i, take, k;
	int64_t ms;

	out->msg = p;
	out->msg_len = n;
	if (n <= ENVELOPE_DOCKER_CHUNK)
		return;
	buf_reset(&e->msg);
	i = 0;
	while (i < n) {
		take = n - i < ENVELOPE_DOCKER_CHUNK ? n - i : ENVELOPE_DOCKER_CHUNK;
		buf_append(&e->msg, p + i, take);
		i += take;
		if (i < n && (k = docker_stamp(e, p + i, n - i, strict, &ms)) > 0)
			i += k;
	}
	out->msg = buf_text(&e->msg);
	out->msg_len = e->msg.len;
}

/*
 * The CRI log format of containerd and CRI-O (Kubernetes nodes'
 * /var/log/containers) after its stamp, k bytes in: the stream and F, or
 * P for a line cut that the next one goes on with.  Fills out's stream,
 * partial and message and returns 1, or returns 0.
 */
static int
cri_tag(const char *line, size_t len, size_t k, struct envelope_line *out)
{
	if (len - k < 8 || (memcmp(line + k, "stdout ", 7) != 0 &&
	    memcmp(line + k, "stderr ", 7) != 0) ||
	    (line[k + 7] != 'F' && line[k + 7] != 'P') ||
	    (len - k > 8 && line[k + 8] != ' '))
		return 0;
	out->stream = line[k + 3] == 'o' ? STREAM_STDOUT : STREAM_STDERR;
	out->partial = line[k + 7] == 'P';
	k += len - k == 8 ? 8 : 9;
	out->msg = line + k;
	out->msg_len = len - k;
	return 1;
}

/*
 * Grafana Loki's `logcli query` after its stamp, k bytes in: the stream's
 * labels ("{container=\"web\", job=\"docker\"}") and the line.  The
 * first of loki_source_labels the stream has names the source (kind
 * loki), passing over a value that is empty or holds an escape.  Fills
 * out's source and message and returns 1, or returns 0.
 */
static int
loki_labels(const char *line, size_t len, size_t k, struct envelope_line *out)
{
	size_t i = k + 1, key, val, r, rank = UTIL_ARRAY_LEN(loki_source_labels);
	size_t src = 0, src_len = 0;
	int escaped;

	if (k >= len || line[k] != '{')
		return 0;
	while (i < len && line[i] != '}') {
		for (key = i; i < len && (line[i] == '_' || is_digit(line[i]) ||
		    ((line[i] | 0x20) >= 'a' && (line[i] | 0x20) <= 'z')); i++)
			;
		if (i == key || i + 1 >= len || line[i] != '=' ||
		    line[i + 1] != '"')
			return 0;
		for (escaped = 0, val = i += 2; i < len && line[i] != '"'; i++)
			if (line[i] == '\\') {
				escaped = 1;
				i++;
			}
		if (i >= len)
			return 0;
		for (r = 0; r < rank; r++)
			if (loki_source_labels[r].len == val - 2 - key &&
			    memcmp(loki_source_labels[r].name, line + key,
			    val - 2 - key) == 0)
				break;
		if (r < rank && !escaped && i > val &&
		    i - val <= ENVELOPE_NAME_MAX) {
			rank = r;
			src = val;
			src_len = i - val;
		}
		if (++i < len && line[i] == ',' && ++i < len && line[i] == ' ')
			i++;
		else if (i < len && line[i] != '}')
			return 0;
	}
	if (i >= len || (i + 1 < len && line[i + 1] != ' '))
		return 0;
	i += i + 1 < len ? 2 : 1;
	if (src_len > 0) {
		out->source = line + src;
		out->source_len = src_len;
		out->source_kind = "loki";
	}
	out->msg = line + i;
	out->msg_len = len - i;
	return 1;
}

static int
docker_ts(struct envelope *e, const char *line, size_t len, int strict,
    struct envelope_line *out)
{
	int64_t ms;
	size_t k;

	if ((k = docker_stamp(e, line, len, strict, &ms)) == 0)
		return -1;
	set_plain(line, len, out);
	out->format = ENVELOPE_DOCKER_TS;
	out->ts = ms;
	if (cri_tag(line, len, k, out) || loki_labels(line, len, k, out))
		return 0;
	strip_inner_stamps(e, line + k, len - k, strict, out);
	return 0;
}

/*
 * A CRI line whose stamp has fewer than nine fraction digits (Go's
 * RFC3339Nano drops trailing zeros, and the fraction when it is zero),
 * which docker_ts leaves to the rows after it: the stream and tag make it
 * one.  0, or -1 for any other line.
 */
static int
cri(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	int64_t ms;
	size_t k = timeparse_rfc3339_cached(&e->stamps, line, len, &ms);

	if (k == 0 || k >= len || line[k] != ' ')
		return -1;
	set_plain(line, len, out);
	if (!cri_tag(line, len, k + 1, out) &&
	    !loki_labels(line, len, k + 1, out))
		return -1;
	out->format = ENVELOPE_DOCKER_TS;
	out->ts = ms;
	return 0;
}

/* ---- compose and Desktop prefixes ------------------------------------ */

/*
 * The bytes of a compose name, a table: every line that starts with a
 * digit or a letter (a plain line's own stamp or level) is read as far as
 * its first blank as a name might be.
 */
/* '@': docker service logs names a swarm task "web.1.ID@node" */
static const unsigned char name_chars[256] = {
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
	['_'] = 1, ['.'] = 1, ['-'] = 1, ['@'] = 1
};

static int
is_name_char(char c)
{
	return name_chars[(unsigned char)c];
}

/* The slot of a remembered prefix line starts with, or -1. */
static int
known_prefix(const struct envelope *e, const char *line, size_t len)
{
	int s;

	/* Those bytes parse the same way in any line that starts with them. */
	for (s = 0; s < 2; s++) {
		if (e->prefix[s].len > 0 && len >= e->prefix[s].len &&
		    util_equal(line, e->prefix[s].bytes, e->prefix[s].len))
			return s;
	}
	return -1;
}

/*
 * The message after a prefix that names the source (compose's, kubectl's),
 * p[0..n): a `-t` stamp may come first, the envelope's time then.
 */
static inline __attribute__((always_inline)) void
after_prefix(struct envelope *e, const char *p, size_t n, int strict,
    struct envelope_line *out)
{
	size_t k;
	int64_t ms;

	if ((k = docker_stamp(e, p, n, strict, &ms)) > 0) {
		out->ts = ms;
		strip_inner_stamps(e, p + k, n - k, strict, out);
	} else {
		out->msg = p;
		out->msg_len = n;
	}
}

/* Is p[0..n) digits alone? */
static int
number_only(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_digit(p[i]); i++)
		;
	return n > 0 && i == n;
}

/* "name  | " then optionally a -t stamp. */
static int
compose(struct envelope *e, const char *line, size_t len, int strict,
    struct envelope_line *out)
{
	size_t i = 0, name_len, lim;
	const char *sp;
	uint64_t id = 0;
	int s;

	if ((s = known_prefix(e, line, len)) >= 0) {
		i = e->prefix[s].len;
		name_len = e->prefix[s].name_len;
		id = e->prefix[s].id;
	} else {
		/*
		 * The blanks and '|' after the name are looked for first: a
		 * plain line, whose first word is all name bytes as often as
		 * not, is turned away without reading that word twice.
		 */
		lim = len <= ENVELOPE_NAME_MAX ? len : ENVELOPE_NAME_MAX + 1;
		if ((sp = memchr(line, ' ', lim)) == NULL || sp == line)
			return -1;
		name_len = i = (size_t)(sp - line);
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len || line[i] != '|')
			return -1;
		while (sp > line && is_name_char(sp[-1]))
			sp--;
		/*
		 * a level is no container: "ERROR    | msg" is loguru's
		 * format without its time; nor is a number: "12 | msg" is a
		 * listing's numbered line (line_number)
		 */
		if (sp != line || level_of_word(line, name_len, 1) != LEVEL_NONE ||
		    number_only(line, name_len))
			return -1;
		i++;
		if (i < len) {
			if (line[i] != ' ')
				return -1;
			i++;
			if (i >= 8 && i <= ENVELOPE_PREFIX_MAX) {
				s = (int)e->prefix_next;
				memcpy(e->prefix[s].bytes, line, i);
				e->prefix[s].len = i;
				e->prefix[s].name_len = name_len;
				e->prefix[s].id = id = ++e->last_id;
				e->prefix_next = !e->prefix_next;
			}
		}
	}
	set_plain(line, len, out);
	out->format = ENVELOPE_COMPOSE;
	out->source = line;
	out->source_len = name_len;
	out->source_kind = "compose";
	out->source_id = id;
	after_prefix(e, line + i, len - i, strict, out);
	return 0;
}

/*
 * kubectl logs --prefix: "[pod/NAME/CONTAINER] ", with --timestamps a
 * stamp after it, then the container's line.  The pod and container are
 * the source.
 */
static int
kubectl(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	size_t i, lim = len < ENVELOPE_NAME_MAX ? len : ENVELOPE_NAME_MAX;

	if (len < 8 || memcmp(line, "[pod/", 5) != 0)
		return -1;
	for (i = 5; i < lim && line[i] != ']' && line[i] != ' '; i++)
		;
	if (i >= lim || line[i] != ']' || i + 1 >= len || line[i + 1] != ' ')
		return -1;
	set_plain(line, len, out);
	out->source = line + 1;
	out->source_len = i - 1;
	out->source_kind = "kubernetes";
	after_prefix(e, line + i + 2, len - i - 2, 1, out);
	return 0;
}

static int
digits(const char *p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD HH:MM:SS.mmm | ": Docker Desktop's copy, in local time. */
static int
desktop(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	int y, mo, d, h, mi, s, ms;

	if (len < 25 || line[4] != '-' || line[7] != '-' || line[10] != ' ' ||
	    line[13] != ':' || line[16] != ':' || line[19] != '.' ||
	    line[23] != ' ' || line[24] != '|' || (len > 25 && line[25] != ' '))
		return -1;
	if ((y = digits(line, 4)) < 0 || (mo = digits(line + 5, 2)) < 1 ||
	    mo > 12 || (d = digits(line + 8, 2)) < 1 || d > 31 ||
	    (h = digits(line + 11, 2)) < 0 || h > 23 ||
	    (mi = digits(line + 14, 2)) < 0 || mi > 59 ||
	    (s = digits(line + 17, 2)) < 0 || s > 60 ||
	    (ms = digits(line + 20, 3)) < 0)
		return -1;
	set_plain(line, len, out);
	out->format = ENVELOPE_DESKTOP;
	out->ts = tz_civil_to_utc(e->tz, y, mo, d, h, mi, s, ms);
	out->naive = 1;
	out->msg = line + (len > 25 ? 26 : 25);
	out->msg_len = len - (len > 25 ? 26 : 25);
	return 0;
}

/* ---- syslog text ------------------------------------------------------ */

/*
 * The bytes of a host in a syslog header: a name or an IPv4 address, as
 * rsyslog and journalctl print them.
 */
static const unsigned char host_chars[256] = {
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
	['_'] = 1, ['.'] = 1, ['-'] = 1
};

/* The end of a word of a syslog tag at p + i: to a blank, '[' or ':'. */
static size_t
tag_word(const char *p, size_t i, size_t lim)
{
	while (i < lim && (unsigned char)p[i] > ' ' && p[i] != '[' &&
	    p[i] != ':')
		i++;
	return i;
}

/* Digits and dots only: a version ("1.4.1"). */
static int
version_word(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(p[i]) && p[i] != '.')
			return 0;
	return n > 0;
}

/*
 * (envelope.h)  A name holds blanks only before a process id or a version
 * ("Microsoft Word[14463]:", "syslogd 1.4.1:"); macOS's launchd and
 * sandbox add a word in parentheses after the id ("launchd[1]
 * (com.apple.xpc...):").  A host or a program that is a level's word is
 * none: "INFO app: started" or "myapp ERROR: boom" after an application's
 * own stamp is its level and logger or its name and level.
 */
size_t
envelope_syslog_header(const char *p, size_t n, const char **tag,
    size_t *tag_len)
{
	size_t i = 0, t, d, j, lim = n < ENVELOPE_NAME_MAX ? n : ENVELOPE_NAME_MAX;

	while (i < lim && host_chars[(unsigned char)p[i]])
		i++;
	if (i == 0 || i >= lim || p[i] != ' ' ||
	    level_of_word(p, i, 1) != LEVEL_NONE)
		return 0;
	t = ++i;
	if (t + ENVELOPE_SYSLOG_TAG < lim)
		lim = t + ENVELOPE_SYSLOG_TAG;
	for (;;) {
		if ((j = tag_word(p, i, lim)) == i || j >= lim)
			return 0;
		i = j;
		if (p[i] != ' ')
			break;
		/* a blank: the words after it end at a pid or a version */
		j = tag_word(p, i + 1, lim);
		if (j >= lim || j == i + 1)
			return 0;
		if (p[j] == '[' || (p[j] == ':' && version_word(p + i + 1,
		    j - i - 1))) {
			i = j;
			break;
		}
		if (p[j] != ' ')
			return 0;
		i++;
	}
	/* nor is a level's word a program: "myapp ERROR: boom" */
	if (level_of_word(p + t, i - t, 1) != LEVEL_NONE)
		return 0;
	*tag = p + t;
	*tag_len = i - t;
	lim = n < ENVELOPE_NAME_MAX ? n : ENVELOPE_NAME_MAX;
	if (p[i] == '[') {
		for (d = ++i; i < lim && i - d < 10 && is_digit(p[i]); i++)
			;
		if (i == d || i >= lim || p[i] != ']')
			return 0;
		i++;
		if (i + 1 < lim && p[i] == ' ' && p[i + 1] == '(') {
			for (j = i + 2; j < lim && (unsigned char)p[j] > ' ' &&
			    p[j] != ')'; j++)
				;
			if (j >= lim || p[j] != ')' || j == i + 2)
				return 0;
			i = j + 1;
		}
	}
	if (i >= n || p[i] != ':')
		return 0;
	i++;
	if (i == n)
		return i;
	return p[i] == ' ' ? i + 1 : 0;
}

/*
 * rsyslog's "message repeated 5 times: [ msg]" (RepeatedMsgReduction)
 * stands for the message it quotes, whose level and wording the rules
 * are to read: out's message becomes that.  The count is not kept: the
 * line is one record.
 */
static void
syslog_repeated(struct envelope_line *out)
{
	static const char pre[] = "message repeated ";
	const char *p = out->msg;
	size_t n = out->msg_len, i = sizeof pre - 1, d;

	if (n < i + 12 || p[0] != 'm' || memcmp(p, pre, i) != 0)
		return;
	for (d = i; i < n && i - d < 10 && is_digit(p[i]); i++)
		;
	if (i == d || n - i < 11 || memcmp(p + i, " times: [", 9) != 0 ||
	    p[n - 1] != ']')
		return;
	i += 9;
	if (p[i] == ' ')
		i++;
	out->msg = p + i;
	out->msg_len = n - 1 - i;
}

/*
 * What every syslog line sets: its stamp ms (TS_NONE: none), its message
 * k bytes in, the program as the source (tag_len 0: none named).
 */
static void
syslog_found(struct envelope *e, const char *line, size_t len, int64_t ms,
    size_t k, const char *tag, size_t tag_len, struct envelope_line *out)
{
	set_plain(line, len, out);
	out->format = ENVELOPE_SYSLOG;
	out->ts = ms;
	out->msg = line + k;
	out->msg_len = len - k;
	syslog_repeated(out);
	if (tag_len == 0)
		return;
	out->source = tag;
	out->source_len = tag_len;
	out->source_kind = "syslog";
	memcpy(e->syslog_src, tag, tag_len);
	e->syslog_src_len = tag_len;
	e->syslog_indent = k;
}

/*
 * "Nov  2 00:29:08 host ident[pid]: msg" at line + at: rsyslog's
 * traditional file format and journalctl's default (short; "Nov 02",
 * with a fraction for short-precise).  timeparse reads the stamp, in the
 * envelope's tz, in the year of the envelope stamp before it (its cache's
 * context), which ingest corrects with the input's own times
 * (envelope_line.yearless).  0, or -1 for another line.
 */
static int
syslog_bsd(struct envelope *e, const char *line, size_t len, size_t at,
    struct envelope_line *out)
{
	const char *p = line + at, *tag;
	size_t n = len - at, k, h, tag_len;
	int64_t ms;

	/* the shape alone: a stamp with a year is no syslog's */
	if (n < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' ||
	    p[12] != ':' || timeparse_month(p) == 0)
		return -1;
	if ((k = timeparse_leading_cached(&e->stamps, p, n, e->tz, &ms)) < 16 ||
	    p[k - 1] != ' ' || (h = envelope_syslog_header(p + k, n - k, &tag,
	    &tag_len)) == 0)
		return -1;
	syslog_found(e, line, len, ms, at + k + h, tag, tag_len, out);
	out->naive = 1;
	out->yearless = 1;
	return 0;
}

/*
 * An ISO 8601 stamp with a zone at p, "2025-11-02T00:29:08+0000" as
 * journalctl -o short-iso prints it, "...08.123456+00:00" (short-iso-
 * precise, rsyslog's high-precision format) or "...Z": its bytes, or 0.
 * A stamp without a zone is an application's, not syslog's.
 */
static size_t
syslog_iso_stamp(struct envelope *e, const char *p, size_t n, int64_t *ms)
{
	size_t k = 19;

	if (n < 21 || !is_digit(p[0]) || p[4] != '-' || p[10] != 'T')
		return 0;
	if (p[k] == '.')
		for (k++; k < n && is_digit(p[k]); k++)
			;
	if (k < n && p[k] == 'Z')
		k++;
	else if (k + 5 <= n && (p[k] == '+' || p[k] == '-') &&
	    is_digit(p[k + 1]) && is_digit(p[k + 2]))
		k += p[k + 3] == ':' ? 6 : 5;
	else
		return 0;
	if (k > n || (k < n && p[k] != ' '))
		return 0;
	/* cached: it dates the year-less stamps after it */
	return timeparse_leading_cached(&e->stamps, p, k, e->tz, ms) == k ? k : 0;
}

/* "2025-11-02T00:29:08+0000 host ident[pid]: msg" at line + at. */
static int
syslog_iso(struct envelope *e, const char *line, size_t len, size_t at,
    struct envelope_line *out)
{
	const char *tag;
	size_t k, h, tag_len;
	int64_t ms;

	if ((k = syslog_iso_stamp(e, line + at, len - at, &ms)) == 0 ||
	    at + k >= len)
		return -1;
	k += at + 1;
	if ((h = envelope_syslog_header(line + k, len - k, &tag, &tag_len)) == 0)
		return -1;
	syslog_found(e, line, len, ms, k + h, tag, tag_len, out);
	return 0;
}

/*
 * "Sun 2025-11-02 00:29:08 UTC host ident[pid]: msg" at line + at:
 * journalctl -o short-full, the zone as the host's clock names it.  A
 * zone timeparse does not know ("+03", "MSK") is skipped and the stamp
 * read in the envelope's tz, which is what it then means.
 */
static int
syslog_full(struct envelope *e, const char *line, size_t len, size_t at,
    struct envelope_line *out)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	const char *p = line + at, *tag;
	size_t n = len - at, k, z, h, i, tag_len;
	int64_t ms;

	if (n < 25 || p[3] != ' ' || !is_digit(p[4]) || p[8] != '-' ||
	    p[14] != ' ')
		return -1;
	for (i = 0; i < 21 && memcmp(days + i, p, 3) != 0; i += 3)
		;
	if (i == 21 || (k = timeparse_leading_cached(&e->stamps, p + 4,
	    n - 4, e->tz, &ms)) < 20 || p[4 + k - 1] != ' ')
		return -1;
	k += 4;
	z = k;
	/* a zone word after a naive stamp: letters, digits and signs */
	if (e->stamps.naive) {
		while (z < n && z - k < 6 && (host_chars[(unsigned char)p[z]] ||
		    p[z] == '+') && p[z] != '.' && p[z] != '_')
			z++;
		z = z > k && z < n && p[z] == ' ' ? z + 1 : k;
	}
	/* the header after it, or, were that word the host, at the stamp */
	if ((h = envelope_syslog_header(p + z, n - z, &tag, &tag_len)) > 0)
		k = z;
	else if (z == k || (h = envelope_syslog_header(p + k, n - k, &tag,
	    &tag_len)) == 0)
		return -1;
	syslog_found(e, line, len, ms, at + k + h, tag, tag_len, out);
	out->naive = e->stamps.naive;
	return 0;
}

/*
 * "1762043348.123456 host ident[pid]: msg" at line + at: journalctl -o
 * short-unix, seconds of the epoch with microseconds.
 */
static int
syslog_unix(struct envelope *e, const char *line, size_t len, size_t at,
    struct envelope_line *out)
{
	const char *p = line + at, *tag;
	size_t n = len - at, k, i, h, tag_len;
	int64_t ms;

	for (i = 0; i < n && i < 11 && is_digit(p[i]); i++)
		;
	if (i < 9 || i > 10 || i >= n || p[i] != '.' ||
	    (k = timeparse_leading_cached(&e->stamps, p, n, e->tz, &ms)) == 0 ||
	    p[k - 1] != ' ' ||
	    (h = envelope_syslog_header(p + k, n - k, &tag, &tag_len)) == 0)
		return -1;
	syslog_found(e, line, len, ms, at + k + h, tag, tag_len, out);
	return 0;
}

/* A field of RFC 5424's header at p: its bytes, up to the blank, or 0. */
static size_t
syslog_field(const char *p, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i <= max && (unsigned char)p[i] > ' ' &&
	    (unsigned char)p[i] < 127; i++)
		;
	return i > 0 && i <= max && i < n && p[i] == ' ' ? i : 0;
}

/*
 * RFC 5424 after its "<PRI>" at line + at: "1 2025-11-02T00:29:08.1Z host
 * app procid msgid [sd] msg", where a field may be "-" (none).  The
 * structured data are skipped; the program (APP-NAME) is the source.
 */
static int
syslog_5424(struct envelope *e, const char *line, size_t len, size_t at,
    struct envelope_line *out)
{
	const char *p = line + at, *app;
	size_t n = len - at, i, f, app_len;
	int64_t ms = TS_NONE;
	int quoted;

	if (n < 3 || !is_digit(p[0]) || (p[1] != ' ' && !(is_digit(p[1]) &&
	    n > 3 && p[2] == ' ')))
		return -1;
	i = p[1] == ' ' ? 2 : 3;
	if (p[i] == '-' && i + 1 < n && p[i + 1] == ' ')
		i += 2;
	else if ((f = syslog_iso_stamp(e, p + i, n - i, &ms)) > 0 &&
	    i + f < n)
		i += f + 1;
	else
		return -1;
	/* HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32 */
	if ((f = syslog_field(p + i, n - i, 255)) == 0)
		return -1;
	i += f + 1;
	if ((f = syslog_field(p + i, n - i, 48)) == 0)
		return -1;
	app = p + i;
	app_len = f == 1 && app[0] == '-' ? 0 : f;
	i += f + 1;
	if ((f = syslog_field(p + i, n - i, 128)) == 0)
		return -1;
	i += f + 1;
	if ((f = syslog_field(p + i, n - i, 32)) == 0)
		return -1;
	i += f + 1;
	if (i < n && p[i] == '-')
		i++;
	else {
		while (i < n && p[i] == '[') {
			for (quoted = 0, i++; i < n && (quoted || p[i] != ']');
			    i++) {
				if (p[i] == '\\' && i + 1 < n)
					i++;
				else if (p[i] == '"')
					quoted = !quoted;
			}
			if (i >= n)
				return -1;
			i++;
		}
	}
	if (i < n && p[i] != ' ')
		return -1;
	if (i < n)
		i++;
	/* a message in UTF-8 may open with its byte order mark */
	if (n - i >= 3 && memcmp(p + i, "\xef\xbb\xbf", 3) == 0)
		i += 3;
	syslog_found(e, line, len, ms, at + i, app, app_len, out);
	return 0;
}

/*
 * The first bytes of syslog lines: a month's, a weekday's, a digit, '<'
 * and the blank of an indented line.
 */
static const unsigned char syslog_first[256] = {
	['A'] = 1, ['D'] = 1, ['F'] = 1, ['J'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['S'] = 1, ['T'] = 1, ['W'] = 1, ['0' ... '9'] = 1,
	['<'] = 1, [' '] = 1
};

/*
 * A syslog line: one of the shapes above, after a priority ("<34>", as
 * a syslog relay or `logger --stderr` writes it, whose severity is the
 * line's level when its message states none) or not; or a further line of the latest one's message,
 * which journalctl indents by the width of its header.  0, or -1 for
 * another line.
 */
static int
syslog_line(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	size_t at = 0, i;
	int sev = LEVEL_NONE, rc;

	if (len == 0)
		return -1;
	if (line[0] == ' ') {
		i = e->syslog_indent;
		if (e->syslog_src_len == 0 || len < i)
			return -1;
		while (i > 0 && line[i - 1] == ' ')
			i--;
		if (i > 0)
			return -1;
		set_plain(line, len, out);
		out->format = ENVELOPE_SYSLOG;
		out->source = e->syslog_src;
		out->source_len = e->syslog_src_len;
		out->source_kind = "syslog";
		out->msg = line + e->syslog_indent;
		out->msg_len = len - e->syslog_indent;
		return 0;
	}
	if (line[0] == '<' &&
	    (sev = level_of_priority(line, len, &at)) == LEVEL_NONE)
		return -1;
	if (at > 0 && at < len && is_digit(line[at]) &&
	    syslog_5424(e, line, len, at, out) == 0)
		rc = 0;
	else if (at < len && is_digit(line[at]))
		rc = syslog_iso(e, line, len, at, out) == 0 ? 0 :
		    syslog_unix(e, line, len, at, out);
	else
		rc = syslog_bsd(e, line, len, at, out) == 0 ? 0 :
		    syslog_full(e, line, len, at, out);
	if (rc == 0 && sev != LEVEL_NONE) {
		out->level = severity_name((enum severity)sev);
		out->level_len = strlen(out->level);
		out->level_fallback = 1;
	}
	return rc;
}

/* ---- dockerd / containerd -------------------------------------------- */

struct lf_pair {
	const char	*start;		/* the whole "key=value" */
	const char	*end;
	const char	*key;
	size_t		 key_len;
	const char	*val;		/* inside the quotes when quoted */
	size_t		 val_len;
	int		 quoted;
};

/* Next key=value pair; 1 found, 0 at the end, -1 on an unterminated quote. */
static int
lf_next(const char **pp, const char *end, struct lf_pair *pr)
{
	const char *p = *pp;

	while (p < end && *p == ' ')
		p++;
	if (p >= end)
		return 0;
	pr->start = pr->key = p;
	while (p < end && *p != '=' && *p != ' ')
		p++;
	pr->key_len = (size_t)(p - pr->key);
	pr->quoted = 0;
	if (p < end && *p == '=') {
		p++;
		if (p < end && *p == '"') {
			pr->quoted = 1;
			pr->val = ++p;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			if (p >= end)
				return -1;
			pr->val_len = (size_t)(p - pr->val);
			p++;
		} else {
			pr->val = p;
			while (p < end && *p != ' ')
				p++;
			pr->val_len = (size_t)(p - pr->val);
		}
	} else {
		pr->val = p;
		pr->val_len = 0;
	}
	pr->end = p;
	*pp = p;
	return 1;
}

/* Go strconv.Quote escapes; an unknown escape is kept as written. */
static void
go_unquote(struct buf *b, const char *p, size_t n)
{
	const char *end = p + n;
	int v;

	while (p < end) {
		if (*p != '\\' || p + 1 >= end) {
			buf_putc(b, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case 'n':
			buf_putc(b, '\n');
			break;
		case 't':
			buf_putc(b, '\t');
			break;
		case 'r':
			buf_putc(b, '\r');
			break;
		case 'a':
			buf_putc(b, '\a');
			break;
		case 'b':
			buf_putc(b, '\b');
			break;
		case 'f':
			buf_putc(b, '\f');
			break;
		case 'v':
			buf_putc(b, '\v');
			break;
		case '\\':
		case '"':
		case '\'':
			buf_putc(b, *p);
			break;
		case 'x':
			if (end - p >= 3 && (v = hex_run(p + 1, 2)) >= 0) {
				buf_putc(b, (char)v);
				p += 2;
				break;
			}
			buf_putc(b, '\\');
			buf_putc(b, *p);
			break;
		case 'u':
			if (end - p >= 5 && (v = hex_run(p + 1, 4)) >= 0) {
				put_utf8(b, (unsigned long)v);
				p += 4;
				break;
			}
			buf_putc(b, '\\');
			buf_putc(b, *p);
			break;
		default:
			buf_putc(b, '\\');
			buf_putc(b, *p);
			break;
		}
		p++;
	}
}

/*
 * A line that opens with a key ("logger=", "caller=") and holds " level="
 * and one of " t=", " ts=", " time=" or " msg=" in its first 400 bytes.
 */
static int
logfmt_keyed(const char *line, size_t len)
{
	size_t i, n = len < 400 ? len : 400;

	for (i = 0; i < n && i < 32 && ((line[i] >= 'a' && line[i] <= 'z') ||
	    line[i] == '_' || line[i] == '.' || (line[i] >= 'A' &&
	    line[i] <= 'Z')); i++)
		;
	if (i == 0 || i >= n || line[i] != '=' ||
	    memmem(line, n, " level=", 7) == NULL)
		return 0;
	return memmem(line, n, " t=", 3) != NULL ||
	    memmem(line, n, " ts=", 4) != NULL ||
	    memmem(line, n, " time=", 6) != NULL ||
	    memmem(line, n, " msg=", 5) != NULL;
}

/*
 * time="..." level=... msg="..." k=v (go-kit writes ts= for time=, Grafana
 * t=, after other keys): msg is
 * the unescaped msg followed by the other pairs as written, so rules still
 * see error="..." and friends.
 */
static int
logfmt(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	const char *p = line, *end = line + len;
	struct lf_pair pr;
	int r, have_msg = 0;
	int64_t ms;

	set_plain(line, len, out);
	buf_reset(&e->msg);
	buf_reset(&e->lvl);
	while ((r = lf_next(&p, end, &pr)) == 1) {
		if (key_is(pr.key, pr.key_len, "time") ||
		    key_is(pr.key, pr.key_len, "ts") ||
		    key_is(pr.key, pr.key_len, "t")) {
			if (timeparse_rfc3339_cached(&e->stamps, pr.val,
			    pr.val_len, &ms) == pr.val_len && pr.val_len > 0)
				out->ts = ms;
		} else if (key_is(pr.key, pr.key_len, "level")) {
			go_unquote(&e->lvl, pr.val, pr.val_len);
		} else if (key_is(pr.key, pr.key_len, "msg") && !have_msg) {
			go_unquote(&e->msg, pr.val, pr.val_len);
			have_msg = 1;
		}
	}
	if (r < 0)
		return -1;
	p = line;
	have_msg = 0;
	while (lf_next(&p, end, &pr) == 1) {
		if (key_is(pr.key, pr.key_len, "time") ||
		    key_is(pr.key, pr.key_len, "ts") ||
		    key_is(pr.key, pr.key_len, "t") ||
		    key_is(pr.key, pr.key_len, "level"))
			continue;
		if (key_is(pr.key, pr.key_len, "msg") && !have_msg) {
			have_msg = 1;
			continue;
		}
		if (e->msg.len > 0)
			buf_putc(&e->msg, ' ');
		buf_append(&e->msg, pr.start, (size_t)(pr.end - pr.start));
	}
	out->format = ENVELOPE_LOGFMT;
	out->msg = buf_text(&e->msg);
	out->msg_len = e->msg.len;
	if (e->lvl.len > 0) {
		out->level = buf_text(&e->lvl);
		out->level_len = e->lvl.len;
	}
	return 0;
}

static const struct {
	char		 abbr[5];
	const char	*name;
} logrus_levels[] = {
	{ "TRAC", "trace" }, { "DEBU", "debug" }, { "INFO", "info" },
	{ "WARN", "warning" }, { "ERRO", "error" }, { "FATA", "fatal" },
	{ "PANI", "panic" },
};

/* INFO[0000] message  or  WARN[2025-10-25T23:31:11.123456789Z] message */
static int
logrus(const char *line, size_t len, struct envelope_line *out)
{
	size_t i, j, k;
	int64_t ms = TS_NONE;

	if (len < 7 || line[4] != '[')
		return -1;
	for (i = 0; i < UTIL_ARRAY_LEN(logrus_levels); i++) {
		if (memcmp(line, logrus_levels[i].abbr, 4) == 0)
			break;
	}
	if (i == UTIL_ARRAY_LEN(logrus_levels))
		return -1;
	j = 5;
	if (is_digit(line[j]) && (k = timeparse_rfc3339(line + j, len - j, &ms)) > 0) {
		j += k;
	} else {
		ms = TS_NONE;
		while (j < len && is_digit(line[j]))
			j++;
		if (j == 5)
			return -1;
	}
	if (j >= len || line[j] != ']')
		return -1;
	j++;
	if (j < len && line[j] == ' ')
		j++;
	set_plain(line, len, out);
	out->format = ENVELOPE_LOGFMT;
	out->ts = ms;
	out->level = logrus_levels[i].name;
	out->level_len = strlen(out->level);
	out->msg = line + j;
	out->msg_len = len - j;
	return 0;
}

static int
dockerd(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	if (len >= 5 && memcmp(line, "time=", 5) == 0)
		return logfmt(e, line, len, out);
	if (len >= 4 && memcmp(line, "ts=", 3) == 0 && is_digit(line[3]))
		return logfmt(e, line, len, out);
	if (len >= 6 && memcmp(line, "level=", 6) == 0)
		return logfmt(e, line, len, out);
	if (len > 0 && line[0] >= 'a' && line[0] <= 'z' && logfmt_keyed(line, len))
		return logfmt(e, line, len, out);
	return logrus(line, len, out);
}

/* ---- the envelope table -------------------------------------------- */

/* What a sniffer says of a line. */
enum {
	SNIFF_NO = 0,		/* not this envelope */
	SNIFF_TRY,		/* try it; if it fails, try the next rows */
	SNIFF_CLAIM		/* try it; if it fails, the line is a broken one */
};

/*
 * One envelope.  Auto-detection tries a row for a line whose first byte
 * passes first (NULL: never detected on its own) and, past that, sniff
 * (NULL: the first byte is enough, SNIFF_TRY), which looks at a few bytes
 * only: both run for every line.  parse returns 0, or -1 when the line is
 * not this envelope; strict: auto-detection, which takes only the exact
 * forms.  When a forced envelope fails, the line is plain, marked malformed
 * (with this format) if malformed_when_forced.
 */
struct envelope_kind {
	enum envelope_format	 format;
	const char		*name;
	int			(*first)(char c);
	int			(*sniff)(const char *line, size_t len);
	int			(*parse)(struct envelope *e, const char *line,
				    size_t len, int strict, struct envelope_line *out);
	int			 malformed_when_forced;
};

static int
first_json(char c)
{
	return c == '{';
}

static int
first_logfmt(char c)
{
	return c == 't' || c == 'l' || (c >= 'A' && c <= 'Z');
}

/*
 * The fixed bytes desktop() and a strict docker_ts() test first, so that a
 * line starting with a digit is parsed by the one its separators fit, if
 * any: a plain line's "2025-10-25 23:31:11 INFO" by neither.
 */
static int
sniff_desktop(const char *line, size_t len)
{
	return len >= 25 && line[4] == '-' && line[10] == ' ' &&
	    line[19] == '.' && line[24] == '|' ? SNIFF_TRY : SNIFF_NO;
}

static int
sniff_docker_ts(const char *line, size_t len)
{
	return len >= 30 && line[4] == '-' && line[10] == 'T' &&
	    line[19] == '.' ? SNIFF_TRY : SNIFF_NO;
}

/* A compose name's first byte other than a digit (see sniff_compose). */
static int
first_compose(char c)
{
	return is_name_char(c) && !is_digit(c);
}

/*
 * A line that starts with a digit is mostly a plain line's stamp, whose
 * first blank is not followed by blanks and '|' as a compose name's is
 * ("2025-10-25 23:31:11"): that is all compose() would find out, at the
 * cost of a call.  A remembered prefix has that shape too.  Lines that
 * start otherwise, compose's own mostly, go to compose() unsniffed, its
 * remembered prefixes answering first.
 */
static int
sniff_compose(const char *line, size_t len)
{
	const char *sp;
	size_t i;

	sp = memchr(line, ' ', len <= ENVELOPE_NAME_MAX ? len :
	    ENVELOPE_NAME_MAX + 1);
	if (sp == NULL || sp == line)
		return SNIFF_NO;
	for (i = (size_t)(sp - line); i < len && line[i] == ' '; i++)
		;
	return i < len && line[i] == '|' ? SNIFF_TRY : SNIFF_NO;
}

/*
 * dockerd's logfmt claims its line; go-kit's (ts=2025-... or level=...
 * first: Prometheus, Loki) and a logrus-looking one are tried, and may
 * be plain or compose's.
 */
static int
sniff_logfmt(const char *line, size_t len)
{
	if (line[0] == 't' && len >= 5 && memcmp(line, "time=", 5) == 0)
		return SNIFF_CLAIM;
	if (line[0] == 't' && len >= 4 && line[1] == 's' && line[2] == '=' &&
	    is_digit(line[3]))
		return SNIFF_TRY;
	if (line[0] == 'l' && len >= 6 && memcmp(line, "level=", 6) == 0)
		return SNIFF_TRY;
	if (line[0] != 't' && len >= 7 && line[4] == '[')
		return SNIFF_TRY;
	return SNIFF_NO;
}

/* decode_json never fails: it tells Docker from journald and marks the broken. */
static int
parse_docker_json(struct envelope *e, const char *line, size_t len, int strict,
    struct envelope_line *out)
{
	decode_json(e, line, len, out, strict ? ENVELOPE_AUTO : ENVELOPE_DOCKER_JSON);
	return 0;
}

static int
parse_journald(struct envelope *e, const char *line, size_t len, int strict,
    struct envelope_line *out)
{
	decode_json(e, line, len, out, strict ? ENVELOPE_AUTO : ENVELOPE_JOURNALD);
	return 0;
}

static int
parse_desktop(struct envelope *e, const char *line, size_t len, int strict,
    struct envelope_line *out)
{
	(void)strict;
	return desktop(e, line, len, out);
}

static int
parse_logfmt(struct envelope *e, const char *line, size_t len, int strict,
    struct envelope_line *out)
{
	(void)strict;
	return dockerd(e, line, len, out);
}

static int
parse_syslog(struct envelope *e, const char *line, size_t len, int strict,
    struct envelope_line *out)
{
	(void)strict;
	return syslog_line(e, line, len, out);
}

/*
 * In the order auto-detection tries them.  A '{' line goes to the
 * docker-json row, whose parser also recognises journald's keys.
 */
static const struct envelope_kind envelope_kinds[] = {
	{ ENVELOPE_DOCKER_JSON, "docker-json", first_json, NULL, parse_docker_json, 0 },
	{ ENVELOPE_JOURNALD, "journald", NULL, NULL, parse_journald, 0 },
	{ ENVELOPE_DESKTOP, "desktop", is_digit, sniff_desktop, parse_desktop, 0 },
	{ ENVELOPE_DOCKER_TS, "docker-ts", is_digit, sniff_docker_ts, docker_ts, 1 },
	{ ENVELOPE_LOGFMT, "logfmt", first_logfmt, sniff_logfmt, parse_logfmt, 0 },
	{ ENVELOPE_COMPOSE, "compose", first_compose, NULL, compose, 0 },
	/* compose again, for a line that starts with a digit: sniffed first */
	{ ENVELOPE_COMPOSE, "compose", is_digit, sniff_compose, compose, 0 },
	/* syslog's lines reach it through plain_or_logfmt */
	{ ENVELOPE_SYSLOG, "syslog", NULL, NULL, parse_syslog, 0 },
	{ ENVELOPE_PLAIN, "plain", NULL, NULL, NULL, 0 },
};

_Static_assert(UTIL_ARRAY_LEN(envelope_kinds) <= 16, "rows[] holds 16 bits");
/* The row of envelope_kinds a '{' opens, alone. */
#define ROW_JSON	0
/* The docker-ts row of envelope_kinds, which decode_auto tries first. */
#define ROW_DOCKER_TS	3
/* The logfmt row of envelope_kinds. */
#define ROW_LOGFMT	4
/* The compose row of envelope_kinds for names that start with no digit. */
#define ROW_COMPOSE	5

/* For each first byte, the rows auto-detection tries, one bit each. */
static void
first_byte_rows(uint16_t rows[256])
{
	size_t i;
	int c;

	for (c = 0; c < 256; c++) {
		rows[c] = 0;
		for (i = 0; i < UTIL_ARRAY_LEN(envelope_kinds); i++)
			if (envelope_kinds[i].first != NULL &&
			    envelope_kinds[i].first((char)c))
				rows[c] |= (uint16_t)(1u << i);
	}
}

static const struct envelope_kind *
kind_of(enum envelope_format f)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(envelope_kinds); i++)
		if (envelope_kinds[i].format == f)
			return &envelope_kinds[i];
	return NULL;
}

int
envelope_format_from_name(const char *name)
{
	size_t i;

	if (strcmp(name, "auto") == 0)
		return ENVELOPE_AUTO;
	for (i = 0; i < UTIL_ARRAY_LEN(envelope_kinds); i++)
		if (strcmp(name, envelope_kinds[i].name) == 0)
			return (int)envelope_kinds[i].format;
	return -1;
}

const char *
envelope_format_name(enum envelope_format f)
{
	const struct envelope_kind *k;

	if (f == ENVELOPE_AUTO)
		return "auto";
	return (k = kind_of(f)) != NULL ? k->name : "unknown";
}

/*
 * A plain line's own stamp, "2025-10-25 23:31:11 INFO", the most common
 * start of a line with a digit first: the desktop and docker-ts sniffers
 * want a '.' at 19 or a 'T' at 10, and the compose one finds the blank at
 * 10, the first (none in 1..9), followed by neither a blank nor '|'.  So
 * all three rows a digit opens say no, in a few tests.
 */
static inline int
plain_stamp(const char *line, size_t len)
{
	uint64_t w;
	const uint64_t ones = UINT64_C(0x0101010101010101);

	if (len < 20 || !is_digit(line[0]) || line[4] != '-' ||
	    line[10] != ' ' || line[19] == '.' || line[11] == ' ' ||
	    line[11] == '|' || line[1] == ' ')
		return 0;
	/* no blank in line[2..9]: no byte of w ^ blanks is zero */
	memcpy(&w, line + 2, 8);
	w ^= ones * ' ';
	return ((w - ones) & ~w & (ones << 7)) == 0;
}

/*
 * A line no envelope took: plain, unless it is logfmt with other keys
 * first (Grafana's "logger=context t=... level=error msg=...", go-kit's
 * "caller=..."), looked for here and not by a row's sniffer, so that the
 * compose lines' first bytes open one row, or a CRI line with a short
 * stamp (cri).
 */
static void
plain_or_logfmt(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	if (len > 0 && line[0] >= 'a' && line[0] <= 'z' &&
	    logfmt_keyed(line, len) && logfmt(e, line, len, out) == 0)
		return;
	if (len > 0 && line[0] == '[' && kubectl(e, line, len, out) == 0)
		return;
	if (len >= 28 && is_digit(line[0]) && line[10] == 'T' &&
	    cri(e, line, len, out) == 0)
		return;
	if (len > 0 && syslog_first[(unsigned char)line[0]] &&
	    syslog_line(e, line, len, out) == 0)
		return;
	set_plain(line, len, out);
}

/*
 * The line that rows (e->rows of its first byte) open, unless it is
 * the plain one with a stamp decode_line takes.  Out of line, so that
 * decode_line needs no frame for that one.
 */
__attribute__((noinline))
static void
decode_auto(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out, unsigned rows)
{
	const struct envelope_kind *k;
	int sniff;

	/* decode_line gave the docker-ts row its turn (decode_docker_ts) */
	for (; rows != 0; rows &= rows - 1) {
		k = &envelope_kinds[__builtin_ctz(rows)];
		sniff = k->sniff != NULL ? k->sniff(line, len) : SNIFF_TRY;
		if (sniff == SNIFF_NO)
			continue;
		if (k->parse(e, line, len, 1, out) == 0)
			return;
		if (sniff == SNIFF_CLAIM) {
			set_plain(line, len, out);
			out->format = k->format;
			out->malformed = 1;
			return;
		}
	}
	plain_or_logfmt(e, line, len, out);
}

/*
 * A `docker logs -t` stamp: the desktop row before it wants a blank at
 * 10, where this has a 'T', so the docker-ts row is the first to try
 * the line, and decode_auto the rows after it if that fails.  Apart from
 * decode_auto, whose frame such a line then does not pay for.
 */
__attribute__((noinline))
static void
decode_docker_ts(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out, unsigned rows)
{
	assert(envelope_kinds[ROW_DOCKER_TS].parse == docker_ts &&
	    sniff_desktop(line, len) == SNIFF_NO);
	if (docker_ts(e, line, len, 1, out) != 0)
		decode_auto(e, line, len, out,
		    rows & ~((2u << ROW_DOCKER_TS) - 1));
}

/*
 * decode_auto for a line whose first byte opens the compose row only,
 * a compose name's mostly: that row's parser, else a plain line.  Apart,
 * so that such a line costs neither decode_auto's loop nor a frame of
 * its own besides compose's.
 */
__attribute__((noinline))
static void
decode_compose(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	assert(envelope_kinds[ROW_COMPOSE].parse == compose &&
	    envelope_kinds[ROW_COMPOSE].sniff == NULL);
	if (compose(e, line, len, 1, out) != 0)
		plain_or_logfmt(e, line, len, out);
}

/* Out of line, as decode_auto is. */
__attribute__((noinline))
static void
decode_forced(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	const struct envelope_kind *k = e->forced;

	if (k->parse != NULL && k->parse(e, line, len, 0, out) == 0)
		return;
	set_plain(line, len, out);
	if (k->parse != NULL && k->malformed_when_forced) {
		out->format = k->format;
		out->malformed = 1;
	}
}

/*
 * The bytes of a stamp that holds a date at p, or 0: it opens with a
 * digit, '[' or a month's name and a blank, and holds a '-', a '/' or a
 * month's name, so that a clock alone ("12:00:01 done") is not one.
 */
static size_t
dated_stamp(const char *p, size_t n)
{
	size_t k, j;

	if (n == 0 || (!is_digit(p[0]) && p[0] != '[' && (n < 4 ||
	    p[3] != ' ' || timeparse_month(p) == 0)))
		return 0;
	if ((k = timeparse_leading(p, n, NULL, &(int64_t){ 0 })) == 0)
		return 0;
	for (j = 0; j < k; j++)
		if (p[j] == '-' || p[j] == '/' || (p[j] >= 'a' && p[j] <= 'z'))
			return k;
	return 0;
}

/* The first bytes of paste_prefix's markers. */
static const unsigned char paste_first[256] = {
	[' '] = 1, ['\t'] = 1, ['>'] = 1, ['-'] = 1, ['*'] = 1, ['+'] = 1,
	['|'] = 1, ['`'] = 1, ['0' ... '9'] = 1
};

/* The bytes of a numbered list's marker ("1. ", "12) ") at line, or 0. */
static size_t
list_number(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 3 && is_digit(line[i]); i++)
		;
	return i > 0 && i + 1 < len && (line[i] == '.' || line[i] == ')') &&
	    line[i + 1] == ' ' ? i + 2 : 0;
}

/*
 * The bytes of a listing's line number at line, blanks before it
 * included: "    12\t" as cat -n and nl print it, "12 | " (or "12 |" on
 * an empty line) as an editor's or a web page's copy has it; 0 when
 * there is none.
 */
static size_t
line_number(const char *line, size_t len)
{
	size_t i = 0, d;

	while (i < len && i < 8 && line[i] == ' ')
		i++;
	for (d = i; d < len && d - i < 9 && is_digit(line[d]); d++)
		;
	if (d == i || d >= len)
		return 0;
	if (line[d] == '\t')
		return d + 1;
	if (d + 1 < len && line[d] == ' ' && line[d + 1] == '|')
		return d + 2 == len ? d + 2 : line[d + 2] == ' ' ? d + 3 : 0;
	return 0;
}

/*
 * The bytes of a paste marker that line starts with, when a dated stamp
 * follows it: blanks, '>' quote markers, one "- ", "* ", "+ ", "1. " or
 * "1) " list marker or "| " table cell, and a '`' that opens inline code,
 * as a log excerpt quoted, indented or listed in markdown or an e-mail
 * has them, at most ENVELOPE_PASTE_MAX, or a listing's line number
 * (line_number: *numbered says so).  0 otherwise.  The stamp must
 * hold a date (a '-', '/' or month name): an indented clock ("  12:00:01
 * done") in a message's continuation stays part of it.
 */
static size_t
paste_prefix(const char *line, size_t len, int *numbered)
{
	size_t i = 0, k;
	int bullet = 0;

	*numbered = (k = line_number(line, len)) > 0;
	if (*numbered)
		return k < len && dated_stamp(line + k, len - k) > 0 ? k : 0;
	while (i < len && i < ENVELOPE_PASTE_MAX) {
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '>')
			i++;
		else if (!bullet && (line[i] == '-' || line[i] == '*' ||
		    line[i] == '+' || line[i] == '|') && i + 1 < len &&
		    line[i + 1] == ' ') {
			bullet = 1;
			i += 2;
		} else if (!bullet && (k = list_number(line + i, len - i)) > 0) {
			bullet = 1;
			i += k;
		} else if (line[i] == '`' && i + 1 < len && line[i + 1] != '`') {
			/* inline code opens right before the stamp */
			i++;
			break;
		} else
			break;
	}
	if (i == 0 || i >= len || i > ENVELOPE_PASTE_MAX)
		return 0;
	return dated_stamp(line + i, len - i) > 0 ? i : 0;
}

/* len less the blanks that end line[from..len). */
static size_t
trim_end(const char *line, size_t from, size_t len)
{
	while (len > from && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	return len;
}

static void decode_line(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out);

/*
 * A plain line: as the line after its paste marker, if it has one.  A
 * line without a stamp that carries the quote marker of the latest
 * stamped one ("> Traceback ...", "> " or ">" alone), or a line number
 * after a numbered one, is the text after it, so a quoted or listed
 * traceback reads as the traceback it was.
 */
__attribute__((noinline))
static void
decode_pasted(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	size_t pre, q = e->quote_len, k;
	int numbered;

	if ((pre = paste_prefix(line, len, &numbered)) > 0) {
		e->numbered = numbered;
		e->quote_len = !numbered && memchr(line, '>', pre) != NULL ?
		    pre : 0;
		memcpy(e->quote, line, e->quote_len);
		/* the code's closing '`', a table row's closing '|' */
		len = trim_end(line, pre, len);
		if (len > pre && ((line[pre - 1] == '`' && line[len - 1] == '`') ||
		    (line[0] == '|' && line[len - 1] == '|')))
			len = trim_end(line, pre, len - 1);
		decode_line(e, line + pre, len - pre, out);
		return;
	}
	if (e->numbered && (k = line_number(line, len)) > 0) {
		set_plain(line + k, len - k, out);
		return;
	}
	if (q == 0)
		return;
	/* an empty quoted line has lost the marker's trailing blanks */
	while (q > 0 && (e->quote[q - 1] == ' ' || e->quote[q - 1] == '\t') &&
	    len < e->quote_len)
		q--;
	if (len < q || memcmp(line, e->quote, q) != 0 || q == 0)
		return;
	set_plain(line + q, len - q, out);
}

/* The first bytes of a file's name that file_prefix looks at. */
static const unsigned char file_first[256] = {
	['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['/'] = 1, ['.'] = 1,
	['_'] = 1, ['~'] = 1
};

/*
 * Does byte i of p (p[0..n)) make a name look like a file's: a '/' of a
 * path, or the dot of a log's extension?
 */
static int
file_like_at(const char *p, size_t n, size_t i)
{
	static const char *const ext[] = { ".log", ".out", ".err", ".txt" };
	size_t x;

	if (p[i] == '/')
		return 1;
	if (p[i] != '.' || i + 4 > n)
		return 0;
	for (x = 0; x < UTIL_ARRAY_LEN(ext); x++)
		if (memcmp(p + i, ext[x], 4) == 0)
			return 1;
	return 0;
}

/*
 * After grep's name and sep, the line number of -n and sep again ("12:"
 * after a match's "name:", "12-" after a context line's "name-").
 */
static size_t
grep_number(const char *p, size_t n, char sep)
{
	size_t j;

	for (j = 0; j < n && j < 12 && is_digit(p[j]); j++)
		;
	return j > 0 && j < n && p[j] == sep ? j + 1 : 0;
}

/*
 * A file's name in front of a stamped line, as files joined with their
 * names carry it ("nova-api.log.1 2017-05-16 00:00:00.008 2931 INFO ...")
 * and grep -H prints it ("svc/app.log:2025-10-25 23:00:00 ERROR ...", with
 * -n "svc/app.log:12:2025-..."): the bytes before the stamp, 0 when there
 * is no such name.  The name holds no blank, looks like a file's
 * (file_like_at) and is followed by a blank or ':' and a dated stamp.
 * *name_len: the name's bytes.
 */
static size_t
file_prefix(const char *line, size_t len, size_t *name_len)
{
	size_t i, j, lim = len < ENVELOPE_NAME_MAX ? len : ENVELOPE_NAME_MAX;
	int named = 0;

	/* an extension holds no ':': one found before a ':' ends before it */
	for (i = 0; i < lim && line[i] != ' ' && line[i] != '\t'; i++) {
		named |= file_like_at(line, lim, i);
		if (line[i] != ':' || i == 0 || !named)
			continue;
		j = i + 1;
		j += grep_number(line + j, len - j, ':');
		if (dated_stamp(line + j, len - j) > 0) {
			*name_len = i;
			return j;
		}
	}
	if (i == 0 || i >= lim || !named)
		return 0;
	*name_len = i;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return dated_stamp(line + i, len - i) > 0 ? i : 0;
}

/*
 * The bytes of the latest file name and what follows it that line
 * starts with (file_prefix's, stamp or not), or 0.
 */
static size_t
known_file(const struct envelope *e, const char *line, size_t len)
{
	size_t i = e->file_len;

	if (i == 0 || len <= i || memcmp(line, e->file, i) != 0)
		return 0;
	/* one blank: a traceback's line keeps its indent */
	if (e->file_sep == ' ')
		return line[i] == ' ' || line[i] == '\t' ? i + 1 : 0;
	/* grep writes a context line's name with '-' after it */
	if (line[i] != ':' && line[i] != '-')
		return 0;
	i++;
	return i + grep_number(line + i, len - i, line[i - 1]);
}

/*
 * A plain line with a file's name in front (file_prefix), or the name
 * of the line before: the line after the name, from that file.  Left
 * as it is otherwise.
 */
__attribute__((noinline))
static void
decode_file_prefixed(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	size_t pre, name_len;

	if ((pre = file_prefix(line, len, &name_len)) > 0) {
		memcpy(e->file, line, name_len);
		e->file_len = name_len;
		e->file_sep = line[name_len] == ':' ? ':' : ' ';
	} else if ((pre = known_file(e, line, len)) > 0)
		name_len = e->file_len;
	else
		return;
	/* the line after the name is not looked at for another one */
	e->in_file = 1;
	decode_line(e, line + pre, len - pre, out);
	e->in_file = 0;
	if (out->source == NULL) {
		out->source = line;
		out->source_len = name_len;
		out->source_kind = "file";
	}
}

/*
 * tail and head, given several files, write "==> NAME <==" before the
 * lines of each (and an empty line before every heading but the first).
 * The name's bytes, at line + 4, or 0 when line is no heading.
 */
static size_t
tail_heading(const char *line, size_t len)
{
	if (len < 9 || len - 8 > ENVELOPE_NAME_MAX ||
	    memcmp(line, "==> ", 4) != 0 || memcmp(line + len - 4, " <==", 4) != 0)
		return 0;
	return len - 8;
}

/* A heading: its file is the source of the lines after it (tail_line). */
static void
tail_heading_line(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	size_t n;

	if ((n = tail_heading(line, len)) == 0)
		return;
	memcpy(e->tail, line + 4, n);
	e->tail_len = n;
	set_plain(line, len, out);
	out->tail = ENVELOPE_TAIL_HEADING;
}

/* The latest heading's file as out's source. */
static void
tail_source(const struct envelope *e, struct envelope_line *out)
{
	out->source = e->tail;
	out->source_len = e->tail_len;
	out->source_kind = "file";
}

/*
 * Any line after a heading: an empty one is held, a heading drops the one
 * held, another line lets it go first; a line that names no source of its
 * own is the heading's file's.
 */
__attribute__((noinline))
static void
tail_line(struct envelope *e, size_t len, struct envelope_line *out)
{
	if (out->tail != ENVELOPE_TAIL_HEADING) {
		if (e->tail_held)
			out->tail |= ENVELOPE_TAIL_UNHOLD;
		e->tail_held = len == 0;
		if (len == 0)
			out->tail |= ENVELOPE_TAIL_HOLD;
	} else
		e->tail_held = 0;
	/* a name in front of the line (decode_file_prefixed) comes first */
	if (out->source == NULL)
		tail_source(e, out);
}

int
envelope_held_blank(const struct envelope *e)
{
	return e->tail_held;
}

void
envelope_blank(const struct envelope *e, struct envelope_line *out)
{
	set_plain("", 0, out);
	tail_source(e, out);
}

/* Out of line, so that the two entry points below are a store and a jump. */
__attribute__((noinline))
static void
decode_line(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	unsigned rows;

	if (e->forced == NULL) {
		rows = len > 0 ? e->rows[(unsigned char)line[0]] : 0;
		/*
		 * The most common line of all, taken here: only a digit
		 * opens the rows a digit does.
		 */
		if (rows == e->rows['0'] && plain_stamp(line, len)) {
			assert(sniff_desktop(line, len) == SNIFF_NO &&
			    sniff_docker_ts(line, len) == SNIFF_NO &&
			    sniff_compose(line, len) == SNIFF_NO);
			/*
			 * Nor is it pasted or named: four digits and a '-'
			 * make no list marker, and neither a file's name nor
			 * a heading opens with a digit.
			 */
			assert(list_number(line, len) == 0 &&
			    !file_first[(unsigned char)line[0]] &&
			    !util_capital_word(line, len));
			set_plain(line, len, out);
			goto decoded;
		} else if (util_capital_word(line, len)) {
			/*
			 * The most common line without a stamp ("INFO
			 * src.app: ..."), plain: a capital opens the logfmt
			 * and compose rows only, logfmt's sniffer wants a
			 * '[' at 4, where this has a capital or the blank,
			 * compose blanks and a '|' after the name, and a
			 * file's name in front (decode_file_prefixed) holds
			 * a '.' or a '/'.
			 */
			assert(rows == (1u << ROW_LOGFMT | 1u << ROW_COMPOSE) &&
			    sniff_logfmt(line, len) == SNIFF_NO &&
			    sniff_compose(line, len) == SNIFF_NO &&
			    file_prefix(line, len, &(size_t){ 0 }) == 0 &&
			    known_file(e, line, len) == 0);
			set_plain(line, len, out);
			out->capital = 1;
			goto decoded;
		} else if (rows == e->rows['0'] &&
		    sniff_docker_ts(line, len) == SNIFF_TRY)
			decode_docker_ts(e, line, len, out, rows);
		else if (rows == 1u << ROW_COMPOSE)
			decode_compose(e, line, len, out);
		else if (rows == 1u << ROW_JSON) {
			/* as decode_auto would: decode_json never fails */
			assert(envelope_kinds[ROW_JSON].parse ==
			    parse_docker_json &&
			    envelope_kinds[ROW_JSON].sniff == NULL);
			decode_json(e, line, len, out, ENVELOPE_AUTO);
		}
		else
			decode_auto(e, line, len, out, rows);
		/* a compose or JSON line pays one test for both */
		if (out->format == ENVELOPE_PLAIN && out->msg == line && len > 0) {
			if (paste_first[(unsigned char)line[0]] &&
			    (!is_digit(line[0]) || list_number(line, len) > 0 ||
			    line_number(line, len) > 0))
				decode_pasted(e, line, len, out);
			if (file_first[(unsigned char)line[0]] &&
			    out->msg == line && !e->in_file)
				decode_file_prefixed(e, line, len, out);
			if (line[0] == '=')
				tail_heading_line(e, line, len, out);
		}
	} else {
		decode_forced(e, line, len, out);
		if (len > 0 && line[0] == '=')
			tail_heading_line(e, line, len, out);
	}
	out->capital = util_capital_word(out->msg, out->msg_len);
decoded:
	if (__builtin_expect(e->tail_len > 0, 0) && !e->in_file)
		tail_line(e, len, out);
	/* what every parser promises (envelope.h), whatever the line held */
	assert(out->format > ENVELOPE_AUTO && out->format < ENVELOPE_FORMAT_COUNT);
	assert((out->source == NULL) == (out->source_len == 0));
	assert((out->source == NULL) == (out->source_kind == NULL));
	assert((out->level == NULL) == (out->level_len == 0));
	assert(out->msg != NULL);
	/* the message lies in the line or in the envelope's scratch space */
	assert((out->msg >= line && out->msg_len <= len &&
	    (size_t)(out->msg - line) <= len - out->msg_len) ||
	    (out->msg == buf_text(&e->msg) && out->msg_len <= e->msg.len));
}

/*
 * A line with colours (an ESC: reader_line.ascii is never set for one)
 * is decoded without them, from e->clean: a compose prefix or a level in
 * colour reads as it would without.
 */
void
envelope_decode(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	const char *esc;
	size_t k;

	e->no_nul = 0;
	if ((esc = memchr(line, '\033', len)) != NULL) {
		k = (size_t)(esc - line);
		buf_reset(&e->clean);
		buf_reserve(&e->clean, len);
		memcpy(e->clean.data, line, k);
		e->clean.len = k + sgr_strip(esc, len - k, e->clean.data + k);
		line = e->clean.data;
		len = e->clean.len;
	}
	decode_line(e, line, len, out);
}

void
envelope_decode_ascii(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out)
{
	e->no_nul = 1;
	decode_line(e, line, len, out);
}
