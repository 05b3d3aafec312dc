/*
 * test_multiline.c - lines in, records out: tracebacks, continuation rules,
 * per-source pending records, partial chunks, times, flags and caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"
#include "level.h"
#include "multiline.h"
#include "rules.h"
#include "util.h"

/* 2025-10-25T23:31:11Z */
#define T0 1761435071000LL

struct got {
	char		*text;
	const char	*at;		/* where the record's text was */
	size_t		 len;
	int		 lent;
	char		*source;
	uint64_t	 source_id;
	const char	*source_kind;	/* static */
	int64_t		 ts;
	uint64_t	 first, last, lines, offset;
	unsigned	 flags;
	int		 level;
	size_t		 body;
	enum envelope_stream stream;
	int64_t		 env_ts, own_ts;
	int		 env_naive, own_naive;
};

struct fixture {
	struct envelope		*env;
	struct multiline	*ml;
	struct got		 rec[600];
	size_t			 n;
	uint64_t		 lineno;
	uint64_t		 offset;
};

static struct fixture fx;

static void
collect(void *arg, const struct record *r)
{
	struct fixture *f = arg;
	struct got *g;

	assert_true(f->n < UTIL_ARRAY_LEN(f->rec));
	g = &f->rec[f->n++];
	g->text = xstrndup(r->text, r->len);
	g->at = r->text;
	g->len = r->len;
	g->lent = r->lent;
	g->source = r->source != NULL ? xstrndup(r->source, r->source_len) : NULL;
	g->source_id = r->source_id;
	g->source_kind = r->source_kind;
	g->ts = r->ts;
	g->first = r->line_first;
	g->last = r->line_last;
	g->lines = r->lines;
	g->offset = r->offset_first;
	g->flags = r->flags;
	g->level = r->level;
	g->body = r->body;
	g->stream = r->stream;
	g->env_ts = r->env_ts;
	g->own_ts = r->own_ts;
	g->env_naive = r->env_naive;
	g->own_naive = r->own_naive;
}

static int
setup(void **state)
{
	memset(&fx, 0, sizeof fx);
	fx.env = envelope_new(ENVELOPE_AUTO, NULL);
	fx.ml = multiline_new(NULL, collect, &fx);
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	multiline_free(fx.ml);
	envelope_free(fx.env);
	for (i = 0; i < fx.n; i++) {
		free(fx.rec[i].text);
		free(fx.rec[i].source);
	}
	return 0;
}

static void
push_len(const char *line, size_t len, int truncated)
{
	struct envelope_line el;
	struct reader_line rl;

	memset(&rl, 0, sizeof rl);
	rl.p = line;
	rl.len = len;
	rl.lineno = ++fx.lineno;
	rl.offset = fx.offset;
	rl.end_offset = fx.offset + len + 1;
	rl.truncated = truncated;
	fx.offset = rl.end_offset;
	envelope_decode(fx.env, line, len, &el);
	multiline_push(fx.ml, &el, &rl);
}

static void
push(const char *line)
{
	push_len(line, strlen(line), 0);
}

static void
push_all(const char *const *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		push(lines[i]);
}

static void
assert_rec(size_t i, uint64_t first, uint64_t last, const char *text)
{
	assert_true(i < fx.n);
	assert_int_equal(fx.rec[i].first, first);
	assert_int_equal(fx.rec[i].last, last);
	if (text != NULL)
		assert_string_equal(fx.rec[i].text, text);
}

/*
 * A line that opens with a word of capitals: without a digit or '['
 * after its blank it holds no stamp (util_capital_word) and is read as
 * plain at once; the stamps a word of capitals can open are still read.
 */
static void
test_capital_words(void **state)
{
	const char *lines[] = {
		"INFO src.app: started",
		"CRITICAL src.app: no stamp either",
		"ERR Oct 25 23:00:00 2025 ctime after a weekday's place",
		"WARNING 2025-10-25 23:00:01,123 views 12 140 slow",
		"APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11"
		    " 2005-06-04-00.24.32.398284 R04-M1-N4-I:J18-U11 RAS APP"
		    " FATAL ciod: failed",
		"ERROR  2025-10-25 23:00:02 a level's word, blanks, a stamp",
		"DEBUG src.app: no stamp, after a stamped line",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 7);
	assert_rec(0, 1, 1, "INFO src.app: started");
	assert_int_equal(fx.rec[0].ts, TS_NONE);
	assert_int_equal(fx.rec[0].level, SEV_INFO);
	assert_rec(1, 2, 2, "CRITICAL src.app: no stamp either");
	assert_int_equal(fx.rec[1].ts, TS_NONE);
	assert_int_equal(fx.rec[1].level, SEV_CRITICAL);
	assert_rec(2, 3, 3, NULL);
	assert_int_equal(fx.rec[2].ts, 1761433200000LL);
	assert_rec(3, 4, 4, NULL);
	assert_int_equal(fx.rec[3].ts, 1761433201123LL);
	assert_int_equal(fx.rec[3].level, SEV_WARNING);
	assert_rec(4, 5, 5, NULL);
	assert_int_equal(fx.rec[4].ts, 1117869872000LL);
	assert_rec(5, 6, 6, NULL);
	assert_int_equal(fx.rec[5].ts, 1761433202000LL);
	assert_int_equal(fx.rec[5].level, SEV_ERROR);
	/* a level's word starts a record, of the time before it */
	assert_rec(6, 7, 7, "DEBUG src.app: no stamp, after a stamped line");
	assert_int_equal(fx.rec[6].ts, 1761433202000LL);
	assert_int_equal(fx.rec[6].level, SEV_DEBUG);
}

static void
test_chained_traceback(void **state)
{
	const char *lines[] = {
		"2025-10-25 23:31:11 INFO a: before",
		"2025-10-25 23:31:12 ERROR src.x: failed",
		"Traceback (most recent call last):",
		"  File \"a.py\", line 1, in f",
		"    raise ValueError('x')",
		"ValueError: x",
		"",
		"During handling of the above exception, another exception occurred:",
		"",
		"Traceback (most recent call last):",
		"  File \"b.py\", line 2, in g",
		"    ...<6 lines>...",
		"      ^^^^^^",
		"openai.APITimeoutError: Request timed out.",
		"2025-10-25 23:31:13 INFO a: after",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	assert_int_equal(fx.n, 2);
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(0, 1, 1, "2025-10-25 23:31:11 INFO a: before");
	assert_rec(1, 2, 14,
	    "2025-10-25 23:31:12 ERROR src.x: failed\n"
	    "Traceback (most recent call last):\n"
	    "  File \"a.py\", line 1, in f\n"
	    "    raise ValueError('x')\n"
	    "ValueError: x\n"
	    "\n"
	    "During handling of the above exception, another exception occurred:\n"
	    "\n"
	    "Traceback (most recent call last):\n"
	    "  File \"b.py\", line 2, in g\n"
	    "    ...<6 lines>...\n"
	    "      ^^^^^^\n"
	    "openai.APITimeoutError: Request timed out.");
	assert_rec(2, 15, 15, "2025-10-25 23:31:13 INFO a: after");
	assert_int_equal(fx.rec[0].ts, T0);
	assert_int_equal(fx.rec[1].ts, T0 + 1000);
	assert_int_equal(fx.rec[2].ts, T0 + 2000);
	assert_int_equal(fx.rec[1].flags, RECORD_TRACEBACK);
	assert_int_equal(fx.rec[1].offset, 35);
	assert_null(fx.rec[1].source);
}

/*
 * A syslog stamp names no year: the record takes the year nearest the
 * message's own stamp, else the input's latest time (the envelope's guess
 * is this year's or last year's, whichever the day allows, here 2025's or
 * a later one).
 */
static void
test_syslog_year(void **state)
{
	const char *lines[] = {
		"Nov  2 00:29:08 web01 app[1]: 2025-11-02 00:29:08 ERROR x: first",
		"Nov  2 00:29:09 web01 app[1]: second",
		"Jan  1 00:00:01 web01 app[1]: after New Year",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	/* 2025-11-02T00:29:08Z, a second later, 2026-01-01T00:00:01Z */
	assert_int_equal(fx.rec[0].ts, 1762043348000LL);
	assert_int_equal(fx.rec[1].ts, 1762043349000LL);
	assert_int_equal(fx.rec[2].ts, 1767225601000LL);
	assert_string_equal(fx.rec[2].source, "app");
}

static void
test_traceback_in_unstamped_record(void **state)
{
	const char *lines[] = {
		"ERROR:root:boom",
		"Traceback (most recent call last):",
		"KeyError: 'k'",
		"[EXAI] unstamped print",
		"plain line",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(0, 1, 3, "ERROR:root:boom\nTraceback (most recent call last):\nKeyError: 'k'");
	assert_rec(1, 4, 4, "[EXAI] unstamped print");
	assert_rec(2, 5, 5, "plain line");
	assert_int_equal(fx.rec[0].ts, TS_NONE);
	assert_int_equal(fx.rec[0].flags, RECORD_NO_TS | RECORD_TRACEBACK);
	assert_int_equal(fx.rec[0].level, SEV_ERROR);
	assert_int_equal(fx.rec[0].body, 6);
	assert_int_equal(fx.rec[1].level, LEVEL_NONE);
}

/*
 * Under an envelope with a time (docker logs -t), a JSON line with a time
 * of its own is a record of its own, timed by the envelope, not the
 * continuation of the text record before it; a pretty-printed JSON dump
 * still is one.
 */
static void
test_json_under_envelope_time(void **state)
{
	const char *lines[] = {
		"2025-10-25T23:31:11.000000001Z 2025-10-25 23:31:11 INFO ws_daemon: === END ===",
		"2025-10-25T23:31:12.000000001Z {\"timestamp\": \"2025-10-25T20:00:00\", \"tool\": \"chat\", \"duration_s\": 18.4}",
		"2025-10-25T23:31:13.000000001Z 2025-10-25 23:31:13 INFO x: payload:",
		"2025-10-25T23:31:13.000000002Z {",
		"2025-10-25T23:31:13.000000003Z   \"a\": 1",
		"2025-10-25T23:31:13.000000004Z }",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(0, 1, 1, NULL);
	assert_rec(1, 2, 2, "{\"timestamp\": \"2025-10-25T20:00:00\", \"tool\": \"chat\", \"duration_s\": 18.4}");
	assert_int_equal(fx.rec[1].ts, T0 + 1000);
	assert_rec(2, 3, 6, NULL);
}

/*
 * Python logging's "--- Logging error ---", printed when a handler fails,
 * opens a record of its own after a traceback, and its traceback, call
 * stack, message and arguments are that record's.
 */
static void
test_logging_error(void **state)
{
	const char *lines[] = {
		"2025-11-18 09:00:01 ERROR tools.x: failed",
		"Traceback (most recent call last):",
		"  File \"a.py\", line 1, in <module>",
		"ValueError: boom",
		"--- Logging error ---",
		"Traceback (most recent call last):",
		"  File \"/usr/lib/python3.11/logging/__init__.py\", line 1113, in emit",
		"OSError: [Errno 5] Input/output error",
		"Call stack:",
		"  File \"a.py\", line 9, in <module>",
		"Message: 'hello'",
		"Arguments: ()",
		"2025-11-18 09:00:02 INFO tools.x: ok",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(0, 1, 4, NULL);
	assert_rec(1, 5, 12, NULL);
	assert_true(fx.rec[1].flags & RECORD_TRACEBACK);
	assert_int_equal(fx.rec[1].ts, fx.rec[0].ts);
	assert_rec(2, 13, 13, NULL);
}

/*
 * print() without its newline glued to the logger's next record on one
 * line: the record begins at its stamp, with its own time and level; the
 * print before it joins the record before, as an unstamped line does.
 * Log lines quoted in a message, or a stamp as a field's value, start
 * none.  The bytes and lines of the line are counted once.
 */
static void
test_glued_print(void **state)
{
	const char *lines[] = {
		"2025-11-03 15:56:04 INFO a.b: start",
		"[X] About to create cache key2025-11-03 15:56:05 ERROR tools.x: gone",
		"",
		"done.2025-11-03 15:56:06,250 WARNING tools.y: slow",
		"he said: \"2025-11-03 15:56:07 ERROR x: quoted\"",
		"payload {\"log\": \"a\\n2025-11-03 15:56:07 ERROR x: escaped\"}",
		"state ok,at=2025-11-03 15:56:07 ERROR x: a value",
		"build 12025-11-03 15:56:07 ERROR x: a longer number",
		"no level2025-11-03 15:56:07 tools.x: plain words",
	};
	uint64_t nlines = 0;
	size_t i;

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(0, 1, 2, "2025-11-03 15:56:04 INFO a.b: start\n"
	    "[X] About to create cache key");
	assert_int_equal(fx.rec[0].level, SEV_INFO);
	assert_rec(1, 2, 4, "2025-11-03 15:56:05 ERROR tools.x: gone\n\ndone.");
	assert_int_equal(fx.rec[1].ts, 1762185365000LL);
	assert_int_equal(fx.rec[1].level, SEV_ERROR);
	assert_string_equal(fx.rec[1].text + fx.rec[1].body,
	    "tools.x: gone\n\ndone.");
	assert_int_equal(fx.rec[1].flags & RECORD_NO_TS, 0);
	assert_int_equal(fx.rec[2].first, 4);
	assert_int_equal(fx.rec[2].last, 9);
	assert_int_equal(fx.rec[2].ts, 1762185366250LL);
	assert_int_equal(fx.rec[2].level, SEV_WARNING);
	assert_true(strncmp(fx.rec[2].text, "2025-11-03 15:56:06,250 WARNING "
	    "tools.y: slow\nhe said:", 54) == 0);
	/* a line's print is in the record before, "done." too */
	assert_int_equal(fx.rec[2].offset, fx.rec[1].offset +
	    strlen(lines[1]) + 1 + strlen(lines[2]) + 1);
	for (i = 0; i < fx.n; i++)
		nlines += fx.rec[i].lines;
	assert_int_equal(nlines, UTIL_ARRAY_LEN(lines));
}

/*
 * A glued record whose level is in brackets ("[ERROR]", log4j's and many
 * others' layout), or further on as Python's "%(asctime)s - %(name)s -
 * %(levelname)s" and loguru's "| LEVEL |" put it, begins at its stamp
 * too; a bracketed word that is no level after a stamp starts none.
 */
static void
test_glued_print_other_layouts(void **state)
{
	const char *lines[] = {
		"2025-11-03 15:56:04 INFO a.b: start",
		"progress 99%2025-11-03 15:56:05,123 [ERROR] svc: glued",
		"build log2025-11-03 15:56:06 [main] tools.x: no level",
		"tick2025-11-03 15:56:07,250 - app.worker - WARNING - slow",
		"ok.2025-11-03 15:56:08.500 | ERROR    | app.mod:run:42 - failed",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 4);
	assert_rec(0, 1, 2, "2025-11-03 15:56:04 INFO a.b: start\n"
	    "progress 99%");
	assert_rec(1, 2, 4, "2025-11-03 15:56:05,123 [ERROR] svc: glued\n"
	    "build log2025-11-03 15:56:06 [main] tools.x: no level\ntick");
	assert_int_equal(fx.rec[1].ts, 1762185365123LL);
	assert_int_equal(fx.rec[1].level, SEV_ERROR);
	assert_rec(2, 4, 5, "2025-11-03 15:56:07,250 - app.worker - WARNING - "
	    "slow\nok.");
	assert_int_equal(fx.rec[2].ts, 1762185367250LL);
	assert_int_equal(fx.rec[2].level, SEV_WARNING);
	assert_rec(3, 5, 5, "2025-11-03 15:56:08.500 | ERROR    | "
	    "app.mod:run:42 - failed");
	assert_int_equal(fx.rec[3].ts, 1762185368500LL);
	assert_int_equal(fx.rec[3].level, SEV_ERROR);
}

/*
 * Under docker logs -t the level is looked for after the application's own
 * stamp too, so "name - LEVEL - msg" (the level the fourth word after it)
 * is read as on a line without the envelope, and the body starts at the
 * message.
 */
static void
test_level_after_inner_stamp(void **state)
{
	const char *lines[] = {
		"2025-10-25T23:00:00.000000001Z 2025-10-25 23:00:00,006 - tools.chat - ERROR - boom",
		"2025-10-25 23:00:01,006 - tools.chat - WARNING - careful",
		"2025-10-25T23:00:02.000000001Z 2025-10-25 23:00:02 INFO x: fine",
	};
	size_t i;

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_int_equal(fx.rec[0].level, SEV_ERROR);
	assert_int_equal(fx.rec[1].level, SEV_WARNING);
	assert_int_equal(fx.rec[2].level, SEV_INFO);
	for (i = 0; i < 2; i++) {
		assert_true(fx.rec[i].body <= fx.rec[i].len);
		assert_string_equal(fx.rec[i].text + fx.rec[i].body,
		    i == 0 ? "boom" : "careful");
	}
	assert_string_equal(fx.rec[2].text + fx.rec[2].body, "x: fine");
}

static void
test_interleaved_compose(void **state)
{
	const char *lines[] = {
		"svc-a  | 2025-10-25 23:31:11 ERROR a: boom",
		"svc.b  | 2025-10-25 23:31:12 INFO b: hi",
		"svc-a  | Traceback (most recent call last):",
		"svc.b  |   continuation of b",
		"svc-a  | ValueError: x",
		"svc-a  | 2025-10-25 23:31:13 INFO a: next",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	assert_int_equal(fx.n, 1);
	assert_rec(0, 1, 5, "2025-10-25 23:31:11 ERROR a: boom\n"
	    "Traceback (most recent call last):\nValueError: x");
	assert_string_equal(fx.rec[0].source, "svc-a");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(1, 2, 4, "2025-10-25 23:31:12 INFO b: hi\n  continuation of b");
	assert_string_equal(fx.rec[1].source, "svc.b");
	assert_int_equal(fx.rec[1].ts, T0 + 1000);
	assert_rec(2, 6, 6, "2025-10-25 23:31:13 INFO a: next");
	assert_string_equal(fx.rec[2].source, "svc-a");
}

/*
 * A record keeps the source kind of its first line's envelope, whatever
 * envelope its later lines (or the line read last) came in.
 */
static void
test_source_kind_per_line(void **state)
{
	const char *lines[] = {
		"web  | Traceback (most recent call last):",
		"{\"CONTAINER_NAME\":\"web\",\"MESSAGE\":\"  File \\\"a.py\\\", line 1, in f\"}",
		"{\"_SYSTEMD_UNIT\":\"nginx.service\",\"MESSAGE\":\"started\"}",
		"plain line of the input's own",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	assert_int_equal(fx.n, 0);
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(0, 1, 2, "Traceback (most recent call last):\n"
	    "  File \"a.py\", line 1, in f");
	assert_string_equal(fx.rec[0].source, "web");
	assert_string_equal(fx.rec[0].source_kind, "compose");
	assert_rec(1, 3, 3, "started");
	assert_string_equal(fx.rec[1].source, "nginx.service");
	assert_string_equal(fx.rec[1].source_kind, "journald");
	assert_rec(2, 4, 4, lines[3]);
	assert_null(fx.rec[2].source);
	assert_null(fx.rec[2].source_kind);
}

static void
test_level_headers(void **state)
{
	const char *lines[] = {
		"2025-10-25 23:31:11 INFO a: x",
		"[EXAI] WebSocket daemon ready",
		"INFO:openai._base_client:Retrying request to /chat/completions in 0.4 seconds",
		"INFO     Started server process [1]",
		"[INFO] hello",
		"zhipuai - [WARNING] : Retrying request",
		"WARNING:root:x",
		"  indented",
		"Errors: not a level word",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 7);
	assert_rec(0, 1, 2, "2025-10-25 23:31:11 INFO a: x\n[EXAI] WebSocket daemon ready");
	assert_rec(1, 3, 3, lines[2]);
	assert_rec(2, 4, 4, lines[3]);
	assert_rec(3, 5, 5, lines[4]);
	assert_rec(4, 6, 6, lines[5]);
	assert_rec(5, 7, 8, "WARNING:root:x\n  indented");
	assert_rec(6, 9, 9, lines[8]);
	assert_int_equal(fx.rec[0].flags, 0);
	assert_int_equal(fx.rec[1].ts, T0);
	assert_int_equal(fx.rec[1].flags, RECORD_NO_TS);
}

/*
 * A logfmt line is a record of its own, even after a record that began
 * with a stamp, whose unstamped lines otherwise join it; the plain lines
 * after it join it as they would any stamped record.
 */
static void
test_logfmt_starts_record(void **state)
{
	const char *lines[] = {
		"2025-10-25 23:00:12 ERROR worker: Task failed: ValueError: bad",
		"time=\"2025-10-25T23:00:13Z\" level=error msg=\"failed to connect\" err=\"i/o timeout\"",
		"ERRO[0001] request failed",
		"  detail",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(0, 1, 1, lines[0]);
	assert_rec(1, 2, 2, "failed to connect err=\"i/o timeout\"");
	assert_int_equal(fx.rec[1].level, SEV_ERROR);
	assert_rec(2, 3, 4, "request failed\n  detail");
}

/*
 * Go's panic and Java's uncaught exception start a record even after a
 * stamped one; a Java cause joins the trace it continues.
 */
static void
test_runtime_failures(void **state)
{
	const char *lines[] = {
		"2025-10-25 23:00:00 INFO app: up",
		"Exception in thread \"main\" java.lang.IllegalStateException: x",
		"\tat a.B.c(B.java:1)",
		"Caused by: java.io.IOException: y",
		"\t... 3 more",
		"2025-10-25 23:00:01 INFO app: again",
		"panic: boom",
		"",
		"goroutine 1 [running]:",
		"main.main()",
		"\t/app/main.go:10 +0x1d",
		"2025-10-25 23:00:02 INFO app: restarted",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 5);
	assert_rec(0, 1, 1, lines[0]);
	assert_rec(1, 2, 5, NULL);
	assert_rec(2, 6, 6, lines[5]);
	assert_rec(3, 7, 11, "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d");
	assert_int_equal(fx.rec[3].lines, 5);
	assert_rec(4, 12, 12, lines[11]);
}

/*
 * Warnings and errors a runtime prints past the logger (PHP's, Node's,
 * Python's warnings module's) start a record after a stamped one, with
 * their level; the indented source line Python prints after its warning
 * and Node's hint after its own join them.
 */
static void
test_runtime_warnings(void **state)
{
	const char *lines[] = {
		"2025-10-25 23:00:00 INFO app: up",
		"PHP Fatal error:  Uncaught Error: Call to undefined function f()",
		"2025-10-25 23:00:01 INFO app: again",
		"/app/lib/x.py:12: DeprecationWarning: pkg_resources is deprecated",
		"  import pkg_resources",
		"2025-10-25 23:00:02 INFO app: more",
		"(node:1) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.",
		"(Use `node --trace-deprecation ...` to show where the warning was created)",
		"2025-10-25 23:00:03 INFO app: last",
		"PHP has no level here",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 7);
	assert_rec(0, 1, 1, lines[0]);
	assert_rec(1, 2, 2, lines[1]);
	assert_int_equal(fx.rec[1].level, SEV_ERROR);
	assert_rec(3, 4, 5, NULL);
	assert_int_equal(fx.rec[3].level, SEV_WARNING);
	assert_string_equal(fx.rec[3].text + fx.rec[3].body,
	    "DeprecationWarning: pkg_resources is deprecated\n  import pkg_resources");
	assert_rec(5, 7, 8, NULL);
	assert_int_equal(fx.rec[5].level, SEV_WARNING);
	assert_rec(6, 9, 10, "2025-10-25 23:00:03 INFO app: last\nPHP has no level here");
}

/*
 * PostgreSQL's DETAIL, HINT and STATEMENT lines, stamped, go on the
 * stamped record before them; other stamped lines and a look-alike
 * without the process id start records.
 */
static void
test_postgres_details(void **state)
{
	const char *lines[] = {
		"2025-10-25 23:00:00.000 UTC [42] ERROR:  duplicate key value",
		"2025-10-25 23:00:00.000 UTC [42] DETAIL:  Key (id)=(1) already exists.",
		"2025-10-25 23:00:00.000 UTC [42] HINT:  x",
		"2025-10-25 23:00:00.000 UTC [42] STATEMENT:  INSERT INTO t VALUES (1)",
		"2025-10-25 23:00:01.000 UTC [43] LOG:  checkpoint starting",
		"2025-10-25 23:00:02.000 UTC [] DETAIL:  no process id",
		"2025-10-25 23:00:03.000 UTC [44] DETAILS:  no detail",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 4);
	assert_rec(0, 1, 4, NULL);
	assert_int_equal(fx.rec[0].level, SEV_ERROR);
	assert_int_equal(fx.rec[0].lines, 4);
	assert_rec(1, 5, 5, lines[4]);
	assert_int_equal(fx.rec[1].level, SEV_INFO);
	assert_rec(2, 6, 6, lines[5]);
	assert_rec(3, 7, 7, lines[6]);
}

/*
 * java.util.logging's record is two lines: the stamp, class and method,
 * then the level and message, which gives the record its level.  A
 * level line after any other first line starts a record, and SEVERE is
 * a level header.
 */
static void
test_jul_two_lines(void **state)
{
	const char *lines[] = {
		"Oct 25, 2025 11:00:00 PM org.apache.catalina.core.StandardService startInternal",
		"SEVERE: Failed to start connector [Connector[HTTP/1.1-8080]]",
		"\tat org.apache.catalina.Foo.bar(Foo.java:1)",
		"Oct 25, 2025 11:00:01 PM org.apache.catalina.startup.Catalina start",
		"INFO: Server startup in 1234 ms",
		"2025-10-25 23:00:02 app started",
		"SEVERE: out of memory",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 4);
	assert_rec(0, 1, 3, NULL);
	assert_int_equal(fx.rec[0].level, SEV_ERROR);
	assert_int_equal(fx.rec[0].ts, 1761433200000LL);
	assert_string_equal(fx.rec[0].text + fx.rec[0].body,
	    "Failed to start connector [Connector[HTTP/1.1-8080]]\n"
	    "\tat org.apache.catalina.Foo.bar(Foo.java:1)");
	assert_rec(1, 4, 5, NULL);
	assert_int_equal(fx.rec[1].level, SEV_INFO);
	assert_rec(2, 6, 6, lines[5]);
	assert_rec(3, 7, 7, lines[6]);
	assert_int_equal(fx.rec[3].level, SEV_ERROR);
}

/* A record's lines are its own, not the other sources' between them. */
static void
test_lines_interleaved(void **state)
{
	const char *lines[] = {
		"api-1  | 2025-10-25 23:00:00 ERROR api: failed",
		"db-1   | 2025-10-25 23:00:00 LOG: checkpoint",
		"api-1  | Traceback (most recent call last):",
		"db-1   | 2025-10-25 23:00:00 LOG: checkpoint done",
		"api-1  | ValueError: x",
	};

	size_t i, seen = 0;

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	for (i = 0; i < fx.n; i++) {
		if (fx.rec[i].first == 1) {
			assert_int_equal(fx.rec[i].last, 5);
			assert_int_equal(fx.rec[i].lines, 3);
		} else
			assert_int_equal(fx.rec[i].lines, 1);
		seen += fx.rec[i].lines;
	}
	assert_int_equal(seen, 5);
}

static void
test_times(void **state)
{
	const char *lines[] = {
		"no stamp yet",
		"2025-10-25 23:31:11 INFO x",
		"2025-10-25 23:31:10 INFO y",
		"INFO:z",
		"2025-10-25T23:31:20.000000000Z 2025-10-25 23:31:15 INFO inner differs",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 5);
	assert_int_equal(fx.rec[0].ts, TS_NONE);
	assert_int_equal(fx.rec[0].flags, RECORD_NO_TS);
	assert_int_equal(fx.rec[1].ts, T0);
	assert_int_equal(fx.rec[1].flags, 0);
	assert_int_equal(fx.rec[2].ts, T0 - 1000);
	assert_int_equal(fx.rec[2].flags, RECORD_BACKWARDS);
	assert_int_equal(fx.rec[3].ts, T0 - 1000);
	assert_int_equal(fx.rec[3].flags, RECORD_NO_TS);
	/* The envelope stamp wins; the message keeps its own stamp. */
	assert_int_equal(fx.rec[4].ts, T0 + 9000);
	assert_int_equal(fx.rec[4].flags, 0);
	assert_string_equal(fx.rec[4].text, "2025-10-25 23:31:15 INFO inner differs");
}

static void
test_backwards_resolution(void **state)
{
	const char *lines[] = {
		"2025-10-25 23:31:11,500 INFO a",
		"2025-10-25 23:31:11 INFO same second, no milliseconds",
		"2025-10-25 23:31:12 INFO b",
		"2025-10-25 23:31:11,900 INFO earlier",
		"2025-10-25 23:31:10 INFO earlier still",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 5);
	assert_int_equal(fx.rec[0].flags, 0);
	assert_int_equal(fx.rec[1].flags, 0);
	/* same second as its millisecond predecessor: sorted after it, not before */
	assert_int_equal(fx.rec[1].ts, T0 + 500);
	assert_int_equal(fx.rec[2].flags, 0);
	assert_int_equal(fx.rec[3].flags, RECORD_BACKWARDS);
	assert_int_equal(fx.rec[3].ts, T0 + 900);
	assert_int_equal(fx.rec[4].flags, RECORD_BACKWARDS);
}

static void
test_partial_chunks(void **state)
{
	const char *lines[] = {
		"{\"log\":\"2025-10-25 23:31:11 INFO big: aaaa\",\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:11.5Z\"}",
		"{\"log\":\"bbbb\\u003c\",\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:11.5Z\"}",
		"{\"log\":\"cc\\n\",\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:11.5Z\"}",
		"{\"log\":\"[EXAI] on stdout\\n\",\"stream\":\"stdout\",\"time\":\"2025-10-25T23:31:11.6Z\"}",
		"{\"log\":\"2025-10-25 23:31:12 INFO next\\n\",\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:12Z\"}",
	};

	push_all(lines, UTIL_ARRAY_LEN(lines));
	assert_int_equal(fx.n, 1);
	assert_rec(0, 1, 3, "2025-10-25 23:31:11 INFO big: aaaabbbb<cc");
	assert_int_equal(fx.rec[0].ts, T0 + 500);
	assert_int_equal(fx.rec[0].stream, STREAM_STDERR);
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	/* stdout keeps its own pending record: a print never joins a stderr record. */
	assert_rec(1, 4, 4, "[EXAI] on stdout");
	assert_int_equal(fx.rec[1].stream, STREAM_STDOUT);
	assert_int_equal(fx.rec[1].ts, T0 + 600);
	assert_rec(2, 5, 5, "2025-10-25 23:31:12 INFO next");
}

static void
test_flags(void **state)
{
	push("2025-10-25 23:31:11 INFO bad \xff byte");
	push_len("2025-10-25 23:31:12 INFO nul \0 byte", 35, 0);
	push("{\"log\":\"broken");
	push_len("2025-10-25 23:31:13 INFO cut", 28, 1);
	push("2025-10-25 23:31:14 INFO ok \xc3\xa9");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 4);
	assert_int_equal(fx.rec[0].flags, RECORD_BAD_UTF8);
	/* The broken envelope is an unstamped line of a stamped record. */
	assert_rec(1, 2, 3, NULL);
	assert_int_equal(fx.rec[1].len, 35 + 1 + 14);
	assert_int_equal(fx.rec[1].flags, RECORD_NUL | RECORD_MALFORMED);
	assert_int_equal(fx.rec[2].flags, RECORD_TRUNCATED);
	assert_int_equal(fx.rec[3].flags, 0);
}

/*
 * A NUL, a bad byte or a good two-byte character at every offset of a
 * 70-byte line, so each lands inside, across and after the 16- and 8-byte
 * steps of the scan; the stamp keeps every line a record of its own.
 */
/*
 * Short lines too: continuation lines of 2 to 24 bytes, clean or with one
 * NUL, invalid byte or valid two-byte sequence near either end or in the
 * middle, each under a stamped line of its own.
 */
static void
test_flags_short_lines(void **state)
{
	static const char stamp[] = "2025-10-25 23:31:11 x";
	static const unsigned want[] = { 0, RECORD_NUL, RECORD_BAD_UTF8, 0 };
	unsigned expect[400];
	char line[24];
	size_t len, at[5], off, kind, n = 0, i, j, w;

	for (kind = 0; kind < 4; kind++) {
		for (len = 2; len <= sizeof line; len++) {
			w = kind == 3 ? 2 : 1;
			if (len < 1 + w)
				continue;
			at[0] = 1;
			at[1] = 2;
			at[2] = len / 2;
			at[3] = len - 1 - w;
			at[4] = len - w;
			for (j = 0; j < (kind == 0 ? 1 : 5); j++) {
				off = at[j];
				if (off < 1 || off + w > len)
					continue;
				memset(line, 'a', sizeof line);
				line[0] = ' ';
				if (kind == 1)
					line[off] = '\0';
				else if (kind == 2)
					line[off] = (char)0xff;
				else if (kind == 3)
					memcpy(line + off, "\xc3\xa9", 2);
				push(stamp);
				push_len(line, len, 0);
				assert_true(n < UTIL_ARRAY_LEN(expect));
				expect[n++] = want[kind];
			}
		}
	}
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, n);
	assert_true(n > 250);
	for (i = 0; i < n; i++)
		assert_int_equal(fx.rec[i].flags, expect[i]);
}

static void
test_flags_every_offset(void **state)
{
	static const char stamp[] = "2025-10-25 23:31:11 ";
	char line[200];
	size_t off, kind, n = 0;
	static const unsigned want[] = { RECORD_NUL, RECORD_BAD_UTF8, 0 };

	for (kind = 0; kind < 3; kind++) {
		for (off = sizeof stamp - 1; off + 2 <= sizeof line; off++) {
			memset(line, 'a', sizeof line);
			memcpy(line, stamp, sizeof stamp - 1);
			if (kind == 0)
				line[off] = '\0';
			else if (kind == 1)
				line[off] = (char)0xff;
			else
				memcpy(line + off, "\xc3\xa9", 2);
			push_len(line, sizeof line, 0);
			n++;
		}
	}
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, n);
	for (off = 0; off < n; off++)
		assert_int_equal(fx.rec[off].flags, want[off / (n / 3)]);
}

static void
test_record_cap(void **state)
{
	size_t big = 1024 * 1024, i;
	char *line = xmalloc(big);

	memset(line, 'x', big);
	line[0] = ' ';
	push("2025-10-25 23:31:11 ERROR dump:");
	for (i = 0; i < 6; i++)
		push_len(line, big, 0);
	push("2025-10-25 23:31:12 INFO after");
	free(line);
	assert_int_equal(fx.n, 1);
	assert_int_equal(fx.rec[0].len, 4 * 1024 * 1024);
	assert_int_equal(fx.rec[0].first, 1);
	assert_int_equal(fx.rec[0].last, 7);
	assert_int_equal(fx.rec[0].flags, RECORD_TRUNCATED);
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 2);
	assert_int_equal(fx.rec[1].flags, 0);
}

static void
test_unstamped_source(void **state)
{
	push("nginx-1  | 172.18.0.1 - - [25/Oct/2025:23:31:11 +0000] \"GET / HTTP/1.1\" 200");
	push("nginx-1  | 172.18.0.1 - - [25/Oct/2025:23:31:12 +0000] \"GET /x HTTP/1.1\" 404");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 2);
	assert_rec(0, 1, 1, NULL);
	assert_rec(1, 2, 2, NULL);
	assert_string_equal(fx.rec[1].source, "nginx-1");
}

static void
test_safe_offset(void **state)
{
	const char *first = "a-1  | 2025-10-25 23:31:11 INFO first";
	uint64_t ln = 99;

	assert_int_equal(multiline_safe_offset(fx.ml, 0, 0, &ln), 0);
	assert_int_equal(ln, 0);
	push(first);
	push("b-1  | 2025-10-25 23:31:11 INFO second");
	push("a-1  | 2025-10-25 23:31:12 INFO third");
	/* a's first record is out; b's (line 2) is still pending. */
	assert_int_equal(fx.n, 1);
	assert_int_equal(multiline_safe_offset(fx.ml, fx.offset, fx.lineno, &ln),
	    strlen(first) + 1);
	assert_int_equal(ln, 1);
	multiline_flush(fx.ml);
	assert_int_equal(multiline_safe_offset(fx.ml, fx.offset, fx.lineno, &ln), fx.offset);
	assert_int_equal(ln, 3);
}

static void
test_lru_sources(void **state)
{
	char line[64];
	int i;

	for (i = 0; i < 257; i++) {
		snprintf(line, sizeof line, "c%d | 2025-10-25 23:31:11 INFO x", i);
		push(line);
	}
	/* The 257th source pushed out the least recently used one. */
	assert_int_equal(fx.n, 1);
	assert_string_equal(fx.rec[0].source, "c0");
	push("c1 |   more for c1");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 257);
	assert_string_equal(fx.rec[1].source, "c1");
	assert_rec(1, 2, 258, "2025-10-25 23:31:11 INFO x\n  more for c1");
}

/*
 * A source name's records share one nonzero source_id while it is known,
 * and no two names share one, even when a name comes back after it was
 * pushed out; records of the input's own source have none.
 */
static void
test_source_ids(void **state)
{
	char line[64];
	size_t i, j;
	int k;

	push("a | 2025-10-25 23:31:11 INFO x");
	push("b | 2025-10-25 23:31:11 INFO x");
	push("a | 2025-10-25 23:31:12 INFO x");
	push("2025-10-25 23:31:12 INFO own");
	push("b | 2025-10-25 23:31:12 INFO x");
	push("2025-10-25 23:31:13 INFO own");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 6);
	assert_string_equal(fx.rec[0].source, "a");
	assert_string_equal(fx.rec[1].source, "b");
	assert_true(fx.rec[0].source_id != 0 && fx.rec[1].source_id != 0);
	assert_true(fx.rec[0].source_id != fx.rec[1].source_id);
	for (i = 0; i < fx.n; i++) {
		if (fx.rec[i].source == NULL)
			assert_true(fx.rec[i].source_id == 0);
		else
			assert_true(fx.rec[i].source_id == fx.rec[strcmp(
			    fx.rec[i].source, "a") == 0 ? 0 : 1].source_id);
	}
	/* 257 more names push out the oldest; "c0" then comes back */
	for (k = 0; k < 257; k++) {
		snprintf(line, sizeof line, "c%d | 2025-10-25 23:31:14 INFO x", k);
		push(line);
	}
	push("c0 | 2025-10-25 23:31:15 INFO x");
	push("c256 | 2025-10-25 23:31:15 INFO x");
	multiline_flush(fx.ml);
	for (i = 0; i < fx.n; i++) {
		for (j = 0; j < fx.n; j++) {
			if (fx.rec[i].source == NULL || fx.rec[j].source == NULL)
				continue;
			if (strcmp(fx.rec[i].source, fx.rec[j].source) != 0)
				assert_true(fx.rec[i].source_id !=
				    fx.rec[j].source_id);
		}
	}
	/* c256 stayed known: its two records share their id */
	for (i = j = 0; i < fx.n; i++) {
		if (fx.rec[i].source == NULL ||
		    strcmp(fx.rec[i].source, "c256") != 0)
			continue;
		if (j != 0)
			assert_true(fx.rec[i].source_id == fx.rec[j].source_id);
		j = i;
	}
	assert_true(j != 0);
}

/*
 * Compose prefixes the envelope remembers name their source by number:
 * one name under two paddings (two numbers), names taking turns, and a
 * name pushed out by 256 others that comes back, all as by name.
 */
static void
test_prefix_sources(void **state)
{
	char line[64];
	int k;

	push("alpha-1   | 2025-10-25 23:31:11 INFO a");
	push("beta-1    | 2025-10-25 23:31:11 INFO b");
	push("alpha-1 |   more for alpha");
	push("beta-1    |   more for beta");
	push("gamma-1   | 2025-10-25 23:31:11 INFO g");
	push("alpha-1   |   still alpha");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_string_equal(fx.rec[0].source, "alpha-1");
	assert_rec(0, 1, 6, "2025-10-25 23:31:11 INFO a\n  more for alpha\n"
	    "  still alpha");
	assert_string_equal(fx.rec[1].source, "beta-1");
	assert_rec(1, 2, 4, "2025-10-25 23:31:11 INFO b\n  more for beta");
	assert_string_equal(fx.rec[2].source, "gamma-1");
	for (k = 0; k < 257; k++) {
		snprintf(line, sizeof line, "svc-%03d | 2025-10-25 23:31:12 INFO x",
		    k);
		push(line);
		push(line);
	}
	/*
	 * svc-000 was pushed out with its pending record: its next line
	 * starts one of its own; svc-256's joins the record it has pending.
	 */
	push("svc-000 |   more for svc-000");
	push("svc-256 |   more for svc-256");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 518);
	assert_string_equal(fx.rec[3].source, "svc-000");
	assert_rec(3, 7, 7, "2025-10-25 23:31:12 INFO x");
	assert_string_equal(fx.rec[fx.n - 2].source, "svc-256");
	assert_rec(fx.n - 2, 520, 522, "2025-10-25 23:31:12 INFO x\n"
	    "  more for svc-256");
	assert_string_equal(fx.rec[fx.n - 1].source, "svc-000");
	assert_rec(fx.n - 1, 521, 521, "  more for svc-000");
}

static void
test_flush_finished(void **state)
{
	uint64_t ln;

	push("a-1  | 2025-10-25 23:31:11 INFO done");
	push("b-1  | 2025-10-25 23:31:11 ERROR failed");
	push("b-1  | Traceback (most recent call last):");
	push("b-1  |   File \"/app/x.py\", line 1, in f");
	/* a's record is finished; b's traceback has no exception line yet */
	multiline_flush_finished(fx.ml);
	assert_int_equal(fx.n, 1);
	assert_string_equal(fx.rec[0].source, "a-1");
	assert_true(multiline_safe_offset(fx.ml, fx.offset, fx.lineno, &ln) <
	    fx.offset);
	assert_int_equal(ln, 1);
	push("b-1  | ValueError: no");
	multiline_flush_finished(fx.ml);
	assert_int_equal(fx.n, 2);
	assert_rec(1, 2, 5, "2025-10-25 23:31:11 ERROR failed\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/app/x.py\", line 1, in f\nValueError: no");
}

static void
test_flush_finished_partial(void **state)
{
	push("{\"log\":\"2025-10-25 23:31:11 INFO part \",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11.000000000Z\"}");
	multiline_flush_finished(fx.ml);
	assert_int_equal(fx.n, 0);
	push("{\"log\":\"two\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11.000000001Z\"}");
	multiline_flush_finished(fx.ml);
	assert_int_equal(fx.n, 1);
	assert_rec(0, 1, 2, "2025-10-25 23:31:11 INFO part two");
}

static void
test_set_time(void **state)
{
	multiline_set_time(fx.ml, T0);
	push("  a continuation after a resume point");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 1);
	assert_true(fx.rec[0].ts == T0);
	assert_int_equal(fx.rec[0].flags, RECORD_NO_TS);
}

/* An input with no time before a record leaves it without one. */
static void
test_untimed(void **state)
{
	push("ERROR no time yet");
	push("2025-10-25 23:31:11 INFO up");
	push("ERROR after the stamp");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_true(fx.rec[0].ts == TS_NONE);
	assert_int_equal(fx.rec[0].flags, RECORD_NO_TS);
	assert_true(fx.rec[1].ts == T0);
	assert_true(fx.rec[2].ts == T0);
	assert_int_equal(fx.rec[2].flags, RECORD_NO_TS);
}

/*
 * A clock without a date starts a record, dated by the stamp before it
 * (after midnight, the next day); with none before, it is untimed.
 */
static void
test_clock_only(void **state)
{
	push("14:03:12 [ERROR   ] ws_shim: before any date");
	push("2025-10-25 23:31:11 INFO up");
	push("23:31:12 [ERROR   ] ws_shim: lost");
	push("  continued");
	push("23:31:12,250 ERROR ws_shim: with milliseconds");
	push("00:00:01 [INFO    ] ws_shim: after midnight");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 5);
	assert_true(fx.rec[0].ts == TS_NONE);
	assert_int_equal(fx.rec[0].flags, RECORD_NO_TS);
	assert_int_equal(fx.rec[0].level, SEV_ERROR);
	assert_true(fx.rec[2].ts == T0 + 1000);
	assert_int_equal(fx.rec[2].flags, 0);
	assert_int_equal(fx.rec[2].lines, 2);
	assert_int_equal(fx.rec[2].level, SEV_ERROR);
	assert_true(fx.rec[3].ts == T0 + 1250);
	assert_true(fx.rec[4].ts == T0 + (28 * 60 + 50) * 1000);
	assert_int_equal(fx.rec[4].level, SEV_INFO);
}

/* Django's "verbose" format: the level, then the stamp, then the message. */
static void
test_level_before_stamp(void **state)
{
	push("2025-10-25 23:31:10 INFO up");
	push("ERROR 2025-10-25 23:31:11,250 views 12 140 boom");
	push("Caused by: x");
	push("WARNING 2025-10-25 23:31:12,000 views 12 140 slow");
	push("ERROR no stamp after it");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 4);
	assert_true(fx.rec[1].ts == T0 + 250);
	assert_int_equal(fx.rec[1].flags, 0);
	assert_int_equal(fx.rec[1].level, SEV_ERROR);
	assert_int_equal(fx.rec[1].lines, 2);
	assert_int_equal(fx.rec[1].body, 30);
	assert_true(fx.rec[2].ts == T0 + 1000);
	assert_int_equal(fx.rec[2].level, SEV_WARNING);
	assert_true(fx.rec[3].ts == T0 + 1000);
	assert_int_equal(fx.rec[3].flags, RECORD_NO_TS);
	assert_int_equal(fx.rec[3].level, SEV_ERROR);
}

/* Both stamps of a record go out for the clock-offset check. */
static void
test_clock_stamps(void **state)
{
	push("2025-10-25T12:31:11.000000000Z 2025-10-25 23:31:11 INFO naive");
	push("2025-10-25T12:31:12.000000000Z 2025-10-25 23:31:12 AEDT INFO aware");
	push("2025-10-25T12:31:13.000000000Z ERROR: no stamp of its own");
	push("2025-10-25 23:31:14.500 | 2025-10-25 12:31:14 INFO desktop");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 4);
	assert_true(fx.rec[0].ts == T0 - 11 * 3600000LL);
	assert_true(fx.rec[0].env_ts == T0 - 11 * 3600000LL);
	assert_true(fx.rec[0].own_ts == T0);
	assert_int_equal(fx.rec[0].own_naive, 1);
	assert_int_equal(fx.rec[0].env_naive, 0);
	assert_true(fx.rec[1].own_ts == T0 + 1000 - 11 * 3600000LL);
	assert_int_equal(fx.rec[1].own_naive, 0);
	assert_true(fx.rec[2].own_ts == TS_NONE);
	assert_true(fx.rec[2].env_ts == TS_NONE);
	assert_true(fx.rec[3].ts == T0 + 3500);
	assert_true(fx.rec[3].own_ts == T0 + 3000 - 11 * 3600000LL);
	assert_int_equal(fx.rec[3].env_naive, 1);
	assert_int_equal(fx.rec[3].own_naive, 1);
}

/* --tz auto: the first whole-hour difference fixes the source's zone. */
static void
test_tz_auto(void **state)
{
	multiline_set_tz_auto(fx.ml);
	push("app-1  | 2025-10-25 23:31:10 INFO before any envelope stamp");
	push("app-1  | 2025-10-25T12:31:11.000000000Z 2025-10-25 23:31:11 INFO a");
	push("app-1  | 2025-10-25 23:31:12 INFO copied without -t");
	push("db-1   | 2025-10-25 23:31:13 INFO another source learnt nothing");
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 4);
	assert_true(fx.rec[0].ts == T0 - 1000);
	assert_true(fx.rec[1].ts == T0 - 11 * 3600000LL);
	assert_true(fx.rec[2].ts == T0 + 1000 - 11 * 3600000LL);
	assert_true(fx.rec[3].ts == T0 + 2000);
}

/*
 * multiline_lend: a one-line record's text is its line's memory until
 * multiline_settle, which copies it before the line's memory is reused;
 * a second line copies it too.  The records are the same as when copied,
 * and say whether their text is the line's (record.lent).
 */
static void
test_lend(void **state)
{
	char line[64], other[64];

	multiline_lend(fx.ml);
	strcpy(line, "2025-10-25 23:31:11 INFO a: one");
	push_len(line, strlen(line), 0);
	multiline_settle(fx.ml);
	memset(line, 'z', sizeof line);
	strcpy(line, "2025-10-25 23:31:12 ERROR b: two");
	push_len(line, strlen(line), 0);
	assert_int_equal(fx.n, 1);
	assert_rec(0, 1, 1, "2025-10-25 23:31:11 INFO a: one");
	assert_ptr_not_equal(fx.rec[0].at, line);
	assert_int_equal(fx.rec[0].lent, 0);
	/* not settled: "two" is handed out from its line itself */
	strcpy(other, "2025-10-25 23:31:13 INFO c: three");
	push_len(other, strlen(other), 0);
	assert_rec(1, 2, 2, "2025-10-25 23:31:12 ERROR b: two");
	assert_ptr_equal(fx.rec[1].at, line);
	assert_int_equal(fx.rec[1].lent, 1);
	multiline_settle(fx.ml);
	/* "three" was kept in its line; the continuation copies it */
	strcpy(line, "    more of three");
	push_len(line, strlen(line), 0);
	memset(other, 'y', sizeof other);
	multiline_settle(fx.ml);
	memset(line, 'x', sizeof line);
	multiline_flush(fx.ml);
	assert_int_equal(fx.n, 3);
	assert_rec(2, 3, 4, "2025-10-25 23:31:13 INFO c: three\n    more of three");
	assert_int_equal(fx.rec[2].lent, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chained_traceback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_traceback_in_unstamped_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_year, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interleaved_compose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_kind_per_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glued_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glued_print_other_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logging_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_under_envelope_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_after_inner_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logfmt_starts_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_warnings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_postgres_details, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jul_two_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_interleaved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backwards_resolution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_short_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flags_every_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unstamped_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safe_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lru_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_finished, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_finished_partial, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_set_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untimed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_before_stamp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clock_stamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tz_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capital_words, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
