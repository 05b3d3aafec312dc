/*
 * test_envelope.c - every envelope shape, decoded to exact fields.
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
#include "timeparse.h"
#include "util.h"

/* 2025-10-25T23:31:11Z */
#define T0 1761435071000LL

static struct envelope *env;
static struct envelope_line el;

static void
decode(enum envelope_format forced, const char *line, size_t len)
{
	envelope_free(env);
	env = envelope_new(forced, NULL);
	envelope_decode(env, line, len, &el);
}

static void
decode_str(enum envelope_format forced, const char *line)
{
	decode(forced, line, strlen(line));
}

static void
assert_msg(const char *want)
{
	assert_int_equal(el.msg_len, strlen(want));
	assert_memory_equal(el.msg, want, el.msg_len);
}

/* The source el names, and its kind. */
static void
assert_source_kind(const char *want, const char *kind)
{
	assert_non_null(el.source);
	assert_int_equal(el.source_len, strlen(want));
	assert_memory_equal(el.source, want, el.source_len);
	assert_string_equal(el.source_kind, kind);
}

static void
assert_source(const char *want)
{
	if (want == NULL) {
		assert_null(el.source);
		assert_null(el.source_kind);
		return;
	}
	/* the envelope that names a source says what kind of source it is */
	assert_source_kind(want,
	    el.format == ENVELOPE_JOURNALD ? "journald" : "compose");
}

static void
assert_level(const char *want)
{
	if (want == NULL) {
		assert_null(el.level);
		return;
	}
	assert_non_null(el.level);
	assert_int_equal(el.level_len, strlen(want));
	assert_memory_equal(el.level, want, el.level_len);
}

static int
teardown(void **state)
{
	envelope_free(env);
	env = NULL;
	return 0;
}

static void
test_json_basic(void **state)
{
	decode_str(ENVELOPE_AUTO, "{\"log\":\"2025-10-25 23:31:11 INFO httpx: ok\\n\","
	    "\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:11.12345678Z\"}");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_msg("2025-10-25 23:31:11 INFO httpx: ok");
	assert_int_equal(el.stream, STREAM_STDERR);
	assert_int_equal(el.ts, T0 + 123);
	assert_int_equal(el.partial, 0);
	assert_int_equal(el.malformed, 0);
	assert_source(NULL);
}

static void
test_json_key_order_extra_keys(void **state)
{
	decode_str(ENVELOPE_AUTO, "{ \"stream\" : \"stdout\", \"attrs\":{\"tag\":\"a\","
	    "\"n\":[1,-2.5e3,true,{\"x\":null}]}, \"time\":\"2025-10-25T23:31:11Z\","
	    "\"log\":\"[EXAI] ready\\n\" } ");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_msg("[EXAI] ready");
	assert_int_equal(el.stream, STREAM_STDOUT);
	assert_int_equal(el.ts, T0);
	assert_int_equal(el.malformed, 0);
}

static void
test_json_escapes(void **state)
{
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\u003cb\\u003e \\u0026 \\t\\\"q\\\" \\\\ "
	    "\\ufffd \\u00e9 \\ud83d\\ude00 \\u001b[0m \\/ \\r\\n\",\"stream\":\"stderr\","
	    "\"time\":\"2025-10-25T23:31:11.5Z\"}");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	/* the colour reset goes, as it would from a plain line */
	assert_msg("a<b> & \t\"q\" \\ \xef\xbf\xbd \xc3\xa9 \xf0\x9f\x98\x80  / ");
	assert_int_equal(el.ts, T0 + 500);
	assert_int_equal(el.partial, 0);
}

static void
test_json_lone_surrogate(void **state)
{
	decode_str(ENVELOPE_AUTO, "{\"log\":\"x\\ud800y\\udc00\\n\",\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("x\xef\xbf\xbdy\xef\xbf\xbd");
	assert_int_equal(el.malformed, 0);
}

static void
test_json_partial(void **state)
{
	decode_str(ENVELOPE_AUTO, "{\"log\":\"first half \",\"stream\":\"stderr\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_int_equal(el.partial, 1);
	assert_msg("first half ");
	decode_str(ENVELOPE_AUTO, "{\"log\":\"\\n\",\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_int_equal(el.partial, 0);
	assert_int_equal(el.msg_len, 0);
	assert_non_null(el.msg);
}

/* json-file's usual record, and each way a line may leave that shape. */
static void
test_json_usual_shape(void **state)
{
	/* the usual shape itself, both streams, a stamp of Docker's own form */
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a b\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11.123456789Z\"}");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_msg("a b");
	assert_int_equal(el.stream, STREAM_STDOUT);
	assert_int_equal(el.ts, T0 + 123);
	assert_int_equal(el.partial, 0);
	assert_int_equal(el.malformed, 0);
	assert_source(NULL);
	assert_level(NULL);
	/* an empty text, '\r' before the newline, Go's trimmed fraction */
	decode_str(ENVELOPE_DOCKER_JSON, "{\"log\":\"\\n\",\"stream\":\"stderr\","
	    "\"time\":\"2025-10-25T23:31:11.9Z\"}");
	assert_int_equal(el.msg_len, 0);
	assert_int_equal(el.stream, STREAM_STDERR);
	assert_int_equal(el.ts, T0 + 900);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"x\r\\n\",\"stream\":\"stderr\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("x");
	assert_int_equal(el.ts, T0);
	/* an escape before the newline's, a \u escape, a raw '\\' at the end */
	decode_str(ENVELOPE_AUTO, "{\"log\":\"q\\\"x\\\"\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("q\"x\"");
	assert_int_equal(el.stream, STREAM_STDOUT);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"\\u00e9\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("\xc3\xa9");
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\t\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("a\t");
	/* escapes decoded: '\r' before the newline, an escaped backslash */
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\\"b\\r\\n\",\"stream\":\"stderr\","
	    "\"time\":\"2025-10-25T23:31:11.25Z\"}");
	assert_msg("a\"b");
	assert_int_equal(el.stream, STREAM_STDERR);
	assert_int_equal(el.ts, T0 + 250);
	assert_int_equal(el.partial, 0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"x\\\\\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("x\\");
	assert_int_equal(el.partial, 0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"x\\\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("x\\n");
	assert_int_equal(el.partial, 1);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"\\t\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("\t");
	assert_int_equal(el.partial, 1);
	assert_int_equal(el.ts, T0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\x\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_int_equal(el.malformed, 1);
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	/* no newline: a partial record */
	decode_str(ENVELOPE_AUTO, "{\"log\":\"half\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("half");
	assert_int_equal(el.partial, 1);
	/* another stream name, another order, a missing key, more keys */
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdin\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_msg("a");
	assert_int_equal(el.stream, STREAM_UNKNOWN);
	assert_int_equal(el.ts, T0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"time\":\"2025-10-25T23:31:11Z\","
	    "\"stream\":\"stderr\"}");
	assert_msg("a");
	assert_int_equal(el.stream, STREAM_STDERR);
	assert_int_equal(el.ts, T0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stderr\"}");
	assert_msg("a");
	assert_int_equal(el.stream, STREAM_STDERR);
	assert_int_equal(el.ts, TS_NONE);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\",\"attrs\":{\"tag\":\"t\"}}");
	assert_msg("a");
	assert_int_equal(el.ts, T0);
	/* a stamp not read whole, an empty one, one with a quote in it */
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Zjunk\"}");
	assert_msg("a");
	assert_int_equal(el.ts, T0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"\"}");
	assert_msg("a");
	assert_int_equal(el.ts, TS_NONE);
	assert_int_equal(el.malformed, 0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\\\"\"}");
	assert_msg("a");
	assert_int_equal(el.ts, T0);
	/* blanks after the object, and the same line cut short */
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"} ");
	assert_msg("a");
	assert_int_equal(el.ts, T0);
	assert_int_equal(el.malformed, 0);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"");
	assert_int_equal(el.malformed, 1);
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_int_equal(el.ts, TS_NONE);
	decode_str(ENVELOPE_AUTO, "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"2025");
	assert_int_equal(el.malformed, 1);
	/* journald reads the usual record as no entry of its own */
	decode_str(ENVELOPE_JOURNALD, "{\"log\":\"a\\n\",\"stream\":\"stdout\","
	    "\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.ts, TS_NONE);
	assert_msg("");
}

static void
assert_malformed_raw(const char *line)
{
	decode_str(ENVELOPE_AUTO, line);
	assert_int_equal(el.malformed, 1);
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_ptr_equal(el.msg, line);
	assert_int_equal(el.msg_len, strlen(line));
	assert_int_equal(el.ts, TS_NONE);
	assert_int_equal(el.partial, 0);
}

static void
test_json_broken(void **state)
{
	char deep[200];
	int i;

	assert_malformed_raw("{\"log\":\"truncated in the midd");
	assert_malformed_raw("{\"log\":\"bad \\q escape\\n\",\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_malformed_raw("{\"log\":\"short \\u12\"}");
	assert_malformed_raw("{\"log\":\"x\\n\",\"time\":\"2025-10-25T23:31:11Z\"} trailing");
	assert_malformed_raw("{\"log\":\"x\\n\" \"time\":1}");
	assert_malformed_raw("{\"log\":\"x\\n\",\"attrs\":{\"a\":}}");
	strcpy(deep, "{\"log\":\"x\\n\",\"attrs\":");
	for (i = 0; i < 40; i++)
		strcat(deep, "[");
	for (i = 0; i < 40; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	assert_malformed_raw(deep);
}

static void
test_json_other_is_plain(void **state)
{
	decode_str(ENVELOPE_AUTO, "{\"level\":\"info\",\"msg\":\"started\"}");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.malformed, 0);
	assert_msg("{\"level\":\"info\",\"msg\":\"started\"}");
	decode_str(ENVELOPE_AUTO, "{'a': 1}");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.malformed, 0);
}

static void
test_json_forced_broken(void **state)
{
	decode_str(ENVELOPE_DOCKER_JSON, "not json at all");
	assert_int_equal(el.malformed, 1);
	assert_msg("not json at all");
	decode_str(ENVELOPE_PLAIN, "{\"log\":\"x\\n\"}");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("{\"log\":\"x\\n\"}");
}

static void
test_docker_ts(void **state)
{
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.123456789Z 2025-10-25 23:31:11 INFO a: b");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_int_equal(el.ts, T0 + 123);
	assert_msg("2025-10-25 23:31:11 INFO a: b");
	/* An application's own ISO stamp is not Docker's and stays in the text. */
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.123Z INFO app started");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.ts, TS_NONE);
	assert_msg("2025-10-25T23:31:11.123Z INFO app started");
	/* Forced, Go's trimmed RFC3339Nano is accepted too. */
	decode_str(ENVELOPE_DOCKER_TS, "2025-10-25T23:31:11.1Z hello");
	assert_int_equal(el.ts, T0 + 100);
	assert_msg("hello");
	decode_str(ENVELOPE_DOCKER_TS, "no stamp here");
	assert_int_equal(el.malformed, 1);
	assert_msg("no stamp here");
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.000000000Z ");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_int_equal(el.msg_len, 0);
	/* Thirty bytes at the least, a 'T' and a '.' where Docker puts them. */
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.123456789Z");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_int_equal(el.ts, T0 + 123);
	assert_int_equal(el.msg_len, 0);
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.12345678Z");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025-10-25 23:31:11.123456789Z x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11,123456789Z x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025/10/25T23:31:11.123456789Z x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
}

/* The original line, and how `docker logs -t` writes it: a stamp every 16384 bytes. */
static char *
long_content(size_t n)
{
	char *c = xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = (char)('a' + (i * 7 + i / 26) % 26);
	memcpy(c, "2025-10-25 23:31:11 INFO payload: ", 34);
	c[n] = '\0';
	return c;
}

static void
stamp_long(struct buf *b, const char *prefix, const char *c, size_t n)
{
	const char *st = "2025-10-25T23:31:11.123456789Z ";
	size_t i;

	buf_puts(b, prefix);
	for (i = 0; i < n || i == 0; i += 16384) {
		buf_puts(b, st);
		buf_append(b, c + i, n - i < 16384 ? n - i : 16384);
	}
	if (n > 0 && n % 16384 == 0)
		buf_puts(b, st);
}

static void
test_docker_ts_inner_stamps(void **state)
{
	size_t sizes[] = { 16384, 16385, 32768, 40000, 70001 };
	struct buf b;
	char *c;
	size_t i;

	buf_init(&b);
	for (i = 0; i < UTIL_ARRAY_LEN(sizes); i++) {
		c = long_content(sizes[i]);
		buf_reset(&b);
		stamp_long(&b, "", c, sizes[i]);
		decode(ENVELOPE_AUTO, b.data, b.len);
		assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
		assert_int_equal(el.ts, T0 + 123);
		assert_int_equal(el.msg_len, sizes[i]);
		assert_memory_equal(el.msg, c, sizes[i]);
		free(c);
	}
	buf_free(&b);
}

static void
test_compose(void **state)
{
	static const char *const levels[] = {
		"ERROR    | app.db:query:42 - failed",
		"SUCCESS  | app.main:run:43 - ready",
		"warning | disk 91% full"
	};
	size_t i;

	decode_str(ENVELOPE_AUTO, "exai-mcp-daemon-1  | 2025-10-25 23:31:11 INFO x: y");
	assert_int_equal(el.format, ENVELOPE_COMPOSE);
	assert_source("exai-mcp-daemon-1");
	assert_msg("2025-10-25 23:31:11 INFO x: y");
	assert_int_equal(el.ts, TS_NONE);
	decode_str(ENVELOPE_AUTO, "my.svc_2.a-b | 1:M 25 Oct 2025 23:31:11.123 * Ready");
	assert_source("my.svc_2.a-b");
	assert_msg("1:M 25 Oct 2025 23:31:11.123 * Ready");
	decode_str(ENVELOPE_AUTO, "redis-1            | ");
	assert_source("redis-1");
	assert_int_equal(el.msg_len, 0);
	decode_str(ENVELOPE_AUTO, "Traceback (most recent call last):");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "ValueError: a | b");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_source(NULL);
	/* a level's name is no container's: loguru's format without a time */
	for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		decode_str(ENVELOPE_AUTO, levels[i]);
		assert_int_equal(el.format, ENVELOPE_PLAIN);
		assert_source(NULL);
		assert_msg(levels[i]);
	}
	decode_str(ENVELOPE_AUTO, "info-1  | started");
	assert_source("info-1");
}

/*
 * capital: the message opens with a word of capitals, a blank and no
 * digit, '[' or '|' (a level's word and a logger's name), which no stamp
 * does; a plain line so is taken at once.
 */
static void
test_capital(void **state)
{
	/* a stamp first, a stamp or '[' after the word, a word of three */
	static const char *const none[] = { "2025-10-25 23:31:11 INFO x: y",
	    "INFO 2025-10-25 23:31:11 x: y", "INFO [main] x: y",
	    "ERR x: three letters", "WARN[0003] logrus line" };
	size_t i;

	decode_str(ENVELOPE_AUTO, "WARNING src.daemon.ws_server: slow");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("WARNING src.daemon.ws_server: slow");
	assert_int_equal(el.capital, 1);
	decode_str(ENVELOPE_AUTO, "svc-1  | CRITICAL app.main: down");
	assert_source("svc-1");
	assert_msg("CRITICAL app.main: down");
	assert_int_equal(el.capital, 1);
	/* compose's blanks and '|' after a name of capitals */
	decode_str(ENVELOPE_AUTO, "REDIS  | 1:M 25 Oct 2025 23:31:11.123 * Ready");
	assert_source("REDIS");
	assert_int_equal(el.capital, 0);
	for (i = 0; i < UTIL_ARRAY_LEN(none); i++) {
		decode_str(ENVELOPE_AUTO, none[i]);
		assert_int_equal(el.capital, 0);
	}
}

static void
test_compose_ts(void **state)
{
	struct buf b;
	char *c;

	decode_str(ENVELOPE_AUTO, "exai-mcp-shim-1    | 2025-10-25T23:31:11.123456789Z 2025-10-25 23:31:11 INFO z");
	assert_int_equal(el.format, ENVELOPE_COMPOSE);
	assert_source("exai-mcp-shim-1");
	assert_int_equal(el.ts, T0 + 123);
	assert_msg("2025-10-25 23:31:11 INFO z");

	buf_init(&b);
	c = long_content(50000);
	stamp_long(&b, "exai-mcp-daemon-1  | ", c, 50000);
	decode(ENVELOPE_AUTO, b.data, b.len);
	assert_int_equal(el.format, ENVELOPE_COMPOSE);
	assert_source("exai-mcp-daemon-1");
	assert_int_equal(el.ts, T0 + 123);
	assert_int_equal(el.msg_len, 50000);
	assert_memory_equal(el.msg, c, 50000);
	free(c);
	buf_free(&b);
}

static void
test_desktop(void **state)
{
	decode_str(ENVELOPE_AUTO, "2025-10-16 13:55:17.182 | 2025-10-16 02:55:17 INFO httpx: x");
	assert_int_equal(el.format, ENVELOPE_DESKTOP);
	assert_int_equal(el.ts, 1760622917000LL + 182);
	assert_msg("2025-10-16 02:55:17 INFO httpx: x");
	assert_source(NULL);
	/* Python asctime with milliseconds is not the Desktop prefix. */
	decode_str(ENVELOPE_AUTO, "2025-10-16 13:55:17,182 INFO x: y");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.ts, TS_NONE);
	/* The shortest prefix, and the near misses of each fixed byte. */
	decode_str(ENVELOPE_AUTO, "2025-10-16 13:55:17.182 |");
	assert_int_equal(el.format, ENVELOPE_DESKTOP);
	assert_int_equal(el.ts, 1760622917000LL + 182);
	assert_msg("");
	decode_str(ENVELOPE_AUTO, "2025-10-16 13:55:17.182 ");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025-10-16T13:55:17.182 | x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025-10-16 13:55:17 182 | x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025-10-16 13:55:17.182 ! x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025/10/16 13:55:17.182 | x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
}

/*
 * Syslog text: rsyslog's files and journalctl's short, short-precise and
 * short-iso output, RFC 5424, with or without a priority.  The program
 * is the source.  A stamp without a year is in the year of the envelope
 * stamp before it (ingest moves it to the input's, test_multiline): its
 * month, day and clock are checked as the year nearest a stamp of 2025.
 */
static void
test_syslog(void **state)
{
	int64_t t;
	/* as wide as the first line's header */
	const char *cont = "                                       File \"x.py\", line 3";

	decode_str(ENVELOPE_AUTO, "Nov  2 00:29:08 myhost exai-mcp[1234]: 2025-11-02 00:29:08 ERROR ws: x");
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_int_equal(timeparse_year_near(el.ts, 1762043348000LL), 1762043348000LL);
	t = el.ts;
	assert_int_equal(el.naive, 1);
	assert_int_equal(el.yearless, 1);
	assert_source_kind("exai-mcp", "syslog");
	assert_msg("2025-11-02 00:29:08 ERROR ws: x");
	/* journalctl indents a message's further lines by the header's width */
	envelope_decode(env, cont, strlen(cont), &el);
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_int_equal(el.ts, TS_NONE);
	assert_source_kind("exai-mcp", "syslog");
	assert_msg("File \"x.py\", line 3");
	/* less indented: a plain line of its own */
	envelope_decode(env, cont + 2, strlen(cont) - 2, &el);
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	/* the next line keeps the year; a fraction (short-precise) */
	envelope_decode(env, "Nov 02 00:29:08.123 myhost kernel: Out of memory", 48, &el);
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_int_equal(el.ts, t + 123);
	assert_int_equal(el.yearless, 1);
	assert_source_kind("kernel", "syslog");
	assert_msg("Out of memory");
	/* New Year between two lines moves the year on */
	decode_str(ENVELOPE_AUTO, "Dec 31 23:59:59 h app: 2025-12-31 23:59:59 INFO x: y");
	assert_int_equal(timeparse_year_near(el.ts, 1767225599000LL), 1767225599000LL);
	t = el.ts;
	envelope_decode(env, "Jan  1 00:00:01 h app: z", 24, &el);
	assert_int_equal(el.ts, t + 2000);
	assert_msg("z");

	/* short-iso, short-iso-precise, a priority before the stamp */
	decode_str(ENVELOPE_AUTO, "2025-11-02T00:29:08+0100 myhost exai[7]: hello");
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_int_equal(el.ts, 1762039748000LL);
	assert_int_equal(el.naive, 0);
	assert_source_kind("exai", "syslog");
	assert_msg("hello");
	decode_str(ENVELOPE_AUTO, "2025-11-02T00:29:08.123456+00:00 myhost exai[7]: hello");
	assert_int_equal(el.ts, 1762043348123LL);
	assert_msg("hello");
	decode_str(ENVELOPE_AUTO, "<13>Nov  2 00:29:08 myhost CRON[99]: (root) CMD (x)");
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_source_kind("CRON", "syslog");
	assert_msg("(root) CMD (x)");

	/* RFC 5424: structured data skipped, "-" for none */
	decode_str(ENVELOPE_AUTO, "<165>1 2025-11-02T00:29:11.003Z host.example.com evntslog - ID47 [ex@32473 iut=\"3\" a=\"]\\\"\"] An event");
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_int_equal(el.ts, 1762043351003LL);
	assert_source_kind("evntslog", "syslog");
	assert_msg("An event");
	decode_str(ENVELOPE_AUTO, "<34>1 - host - - - - \xef\xbb\xbf" "no time");
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_int_equal(el.ts, TS_NONE);
	assert_source(NULL);
	assert_msg("no time");
	decode_str(ENVELOPE_SYSLOG, "<34>1 2025-11-02T00:29:11Z host app 12 - [unclosed x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);

	/* names with blanks before a pid or a version; macOS's words after the pid */
	decode_str(ENVELOPE_AUTO, "Jul  1 09:00:55 mac Microsoft Word[14463]: saved");
	assert_source_kind("Microsoft Word", "syslog");
	assert_msg("saved");
	decode_str(ENVELOPE_AUTO, "Jul  1 09:00:55 mac Google Chrome Helper[7]: x");
	assert_source_kind("Google Chrome Helper", "syslog");
	decode_str(ENVELOPE_AUTO, "Jun 14 15:16:01 combo syslogd 1.4.1: restart.");
	assert_source_kind("syslogd 1.4.1", "syslog");
	assert_msg("restart.");
	decode_str(ENVELOPE_AUTO, "Jul  1 09:29:02 mac sandboxd[129] ([31211]): deny x");
	assert_source_kind("sandboxd", "syslog");
	assert_msg("deny x");
	decode_str(ENVELOPE_AUTO, "Jul  1 09:29:02 mac com.apple.xpc.launchd[1] (com.apple.x.pid.WebContent.32150): Service exited");
	assert_source_kind("com.apple.xpc.launchd", "syslog");
	assert_msg("Service exited");
	/* words that end at no pid or version are a sentence, not a name */
	decode_str(ENVELOPE_AUTO, "Jul  1 09:00:55 server started successfully: port 80");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "Jul  1 09:29:02 mac sandboxd[129] (): x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	/* an application's stamp, level and logger are no host and program */
	decode_str(ENVELOPE_AUTO, "2025-11-02T00:29:12Z INFO root: started");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "Nov  2 00:29:08 ERROR app: failed");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "Nov  2 00:29:08 myapp ERROR: failed");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "2025-11-02T00:29:08+01:00 myapp warning: low disk");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	/* a stamp without a zone is no syslog's */
	decode_str(ENVELOPE_AUTO, "2025-11-02T00:29:12 host app[1]: x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	/* near misses: no colon, a bad pid, a bad clock */
	decode_str(ENVELOPE_AUTO, "Nov  2 00:29:08 myhost last message repeated 3 times");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "Nov  2 00:29:08 myhost app[12x]: y");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "Nov  2 24:29:08 myhost app: y");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "Nov 32 00:29:08 myhost app: y");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	/* the indent of a line before counts only after a syslog line */
	decode_str(ENVELOPE_AUTO, cont);
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(envelope_format_from_name("syslog"), ENVELOPE_SYSLOG);
}

/*
 * A line quoted, indented or bulleted in a document is the line after
 * its marker when a dated stamp follows; other lines keep their blanks.
 */
static void
test_pasted(void **state)
{
	decode_str(ENVELOPE_AUTO, "> 2025-10-16 02:55:17 ERROR ws: x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_str(ENVELOPE_AUTO, ">>  2025-10-16 02:55:17 ERROR ws: x");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_str(ENVELOPE_AUTO, "    2025-10-16 02:55:17 ERROR ws: x");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_str(ENVELOPE_AUTO, "- [2025-10-16 02:55:17] ERROR ws: x");
	assert_msg("[2025-10-16 02:55:17] ERROR ws: x");
	decode_str(ENVELOPE_AUTO, "> Oct 25 23:00:01 host sshd[12]: error: x");
	assert_int_equal(el.format, ENVELOPE_SYSLOG);
	assert_source_kind("sshd", "syslog");
	assert_msg("error: x");
	/* the envelope after the marker is read as it would be without */
	decode_str(ENVELOPE_AUTO, "> 2025-10-16 13:55:17.182 | 2025-10-16 02:55:17 INFO httpx: x");
	assert_int_equal(el.format, ENVELOPE_DESKTOP);
	assert_int_equal(el.ts, 1760622917000LL + 182);
	assert_msg("2025-10-16 02:55:17 INFO httpx: x");
	decode_str(ENVELOPE_AUTO, "  2025-10-25T23:31:11.123456789Z x");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_msg("x");
	/* a numbered list, a table row, inline code: their closers go too */
	decode_str(ENVELOPE_AUTO, "12. 2025-10-16 02:55:17 ERROR ws: x");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_str(ENVELOPE_AUTO, "3) 2025-10-16 02:55:17 ERROR ws: x");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_str(ENVELOPE_AUTO, "| 2025-10-16 02:55:17 | ERROR | ws | x |");
	assert_msg("2025-10-16 02:55:17 | ERROR | ws | x");
	decode_str(ENVELOPE_AUTO, "`2025-10-16 02:55:17 ERROR ws: x`");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_str(ENVELOPE_AUTO, "- `2025-10-16 02:55:17 ERROR ws: x` (first)");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x` (first)");
	decode_str(ENVELOPE_AUTO, "1.5 2025-10-16 02:55:17 x");
	assert_msg("1.5 2025-10-16 02:55:17 x");
	decode_str(ENVELOPE_AUTO, "```2025-10-16 02:55:17 x");
	assert_msg("```2025-10-16 02:55:17 x");
	/* no dated stamp after the marker: the line as it is */
	decode_str(ENVELOPE_AUTO, "  File \"x.py\", line 3, in <module>");
	assert_msg("  File \"x.py\", line 3, in <module>");
	decode_str(ENVELOPE_AUTO, "  12:00:01 done");
	assert_msg("  12:00:01 done");
	decode_str(ENVELOPE_AUTO, "- item 2025");
	assert_msg("- item 2025");
	decode_str(ENVELOPE_AUTO, "- - 2025-10-16 02:55:17 x");
	assert_msg("- - 2025-10-16 02:55:17 x");
	decode_str(ENVELOPE_AUTO, "                  2025-10-16 02:55:17 x");
	assert_msg("                  2025-10-16 02:55:17 x");
	decode_str(ENVELOPE_AUTO, "> ");
	assert_msg("> ");
	/* no quoted stamp yet: a quoted line stays as it is */
	decode_str(ENVELOPE_AUTO, "> Traceback (most recent call last):");
	assert_msg("> Traceback (most recent call last):");
}

/*
 * After a quoted line with a stamp, the lines that carry its quote
 * marker are the text after it: a quoted traceback reads as one.  An
 * indent is no quote marker: the lines after an indented stamp keep
 * their blanks.
 */
/* Decode line with the envelope of the lines before it in the test. */
static void
decode_next(const char *line)
{
	if (env == NULL)
		env = envelope_new(ENVELOPE_AUTO, NULL);
	envelope_decode(env, line, strlen(line), &el);
}

static void
test_pasted_quote(void **state)
{
	decode_next("> 2025-10-16 02:55:17 ERROR ws: x");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_next("> Traceback (most recent call last):");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("Traceback (most recent call last):");
	decode_next(">   File \"p.py\", line 3");
	assert_msg("  File \"p.py\", line 3");
	decode_next(">");
	assert_msg("");
	decode_next(">> nested");
	assert_msg(">> nested");
	decode_next("2025-10-16 02:55:18 INFO ws: y");
	assert_msg("2025-10-16 02:55:18 INFO ws: y");
	decode_next("    2025-10-16 02:55:19 INFO ws: z");
	assert_msg("2025-10-16 02:55:19 INFO ws: z");
	decode_next("> ValueError: bad");
	assert_msg("> ValueError: bad");
	decode_next("      raise ValueError");
	assert_msg("      raise ValueError");
}

/*
 * A listing's line numbers (cat -n and nl: "    12\t", a copy from an
 * editor: "12 | ") before a dated stamp go, and after such a line from
 * the lines of its record too; a number and a tab with no numbered line
 * before, or before no stamp, stay.
 */
static void
test_pasted_numbers(void **state)
{
	decode_next("     7\t[DEBUG_MRO] qualname: x");
	assert_msg("     7\t[DEBUG_MRO] qualname: x");
	decode_next("200\tOK");
	assert_msg("200\tOK");
	decode_next("     8\t2025-10-16 02:55:17 ERROR ws: x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_next("     9\tTraceback (most recent call last):");
	assert_msg("Traceback (most recent call last):");
	decode_next("    10\t  File \"p.py\", line 3");
	assert_msg("  File \"p.py\", line 3");
	decode_next("    11\t");
	assert_msg("");
	decode_next("123456\t2025-10-16 02:55:18 INFO ws: y");
	assert_msg("2025-10-16 02:55:18 INFO ws: y");
	/* a number is no compose service */
	decode_next("12 | 2025-10-16 02:55:19 INFO ws: z");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_null(el.source);
	assert_msg("2025-10-16 02:55:19 INFO ws: z");
	decode_next("13 |");
	assert_msg("");
	decode_next("   14 | 2025-10-16 13:55:17.182 | 2025-10-16 02:55:17 INFO httpx: x");
	assert_int_equal(el.format, ENVELOPE_DESKTOP);
	assert_msg("2025-10-16 02:55:17 INFO httpx: x");
	/* a stamped line pasted with another marker ends the listing */
	decode_next("> 2025-10-16 02:55:21 INFO ws: v");
	decode_next("15\tmore");
	assert_msg("15\tmore");
	decode_next("12|2025-10-16 02:55:19 INFO ws: z");
	assert_msg("12|2025-10-16 02:55:19 INFO ws: z");
}

/* The name of the file a line came from, in front of its stamp. */
static void
assert_file(const char *want)
{
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_source_kind(want, "file");
}

/*
 * Files joined with their names in front (Loghub's OpenStack set) and
 * grep -H's output: the name is the line's source, the rest its message;
 * a line after one without a stamp but with the same name belongs to it.
 */
static void
test_file_prefix(void **state)
{
	decode_next("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 "
	    "25746 INFO nova.osapi_compute.wsgi.server [-] x");
	assert_file("nova-api.log.1.2017-05-16_13:53:08");
	assert_msg("2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [-] x");
	decode_next("svc/app.log:2025-10-16 02:55:17 ERROR ws: x");
	assert_file("svc/app.log");
	assert_msg("2025-10-16 02:55:17 ERROR ws: x");
	decode_next("svc/app.log:Traceback (most recent call last):");
	assert_file("svc/app.log");
	assert_msg("Traceback (most recent call last):");
	decode_next("svc/app.log-  File \"p.py\", line 3");
	assert_file("svc/app.log");
	assert_msg("  File \"p.py\", line 3");
	decode_next("/var/log/app.log:12:2025-10-16 02:55:18 WARNING ws: y");
	assert_file("/var/log/app.log");
	assert_msg("2025-10-16 02:55:18 WARNING ws: y");
	decode_next("/var/log/app.log-13-    at x()");
	assert_file("/var/log/app.log");
	assert_msg("    at x()");
	/* an envelope after the name is read as it would be without */
	decode_next("run.out 2025-10-25T23:31:11.123456789Z x");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_int_equal(el.ts, T0 + 123);
	assert_msg("x");
	assert_source_kind("run.out", "file");
	/* no file's name, or no dated stamp after it: the line as it is */
	decode_next("worker 2025-10-16 02:55:17 x");
	assert_msg("worker 2025-10-16 02:55:17 x");
	assert_null(el.source);
	decode_next("app.log 12:00:01 done");
	assert_msg("app.log 12:00:01 done");
	assert_null(el.source);
	decode_next("/usr/lib/python3/x.py:12: DeprecationWarning: y");
	assert_msg("/usr/lib/python3/x.py:12: DeprecationWarning: y");
	assert_null(el.source);
	decode_next("Traceback (most recent call last):");
	assert_msg("Traceback (most recent call last):");
	assert_null(el.source);
}

/*
 * tail and head given several files: "==> NAME <==" names the file of
 * the lines after it and is in no record; an empty line after a heading
 * waits for the next line, which says whether it was tail's or the
 * file's.  A line with its own source keeps it.
 */
static void
test_tail_headings(void **state)
{
	struct envelope_line bl;

	/* before any heading, an empty line is an empty line */
	decode_next("");
	assert_int_equal(el.tail, 0);
	assert_null(el.source);
	decode_next("==> /var/log/api.log <==");
	assert_int_equal(el.tail, ENVELOPE_TAIL_HEADING);
	assert_file("/var/log/api.log");
	decode_next("2025-10-25 23:00:01 ERROR x");
	assert_int_equal(el.tail, 0);
	assert_file("/var/log/api.log");
	assert_msg("2025-10-25 23:00:01 ERROR x");
	decode_next("db-1  | 2025-10-25 23:00:02 ERROR y");
	assert_int_equal(el.tail, 0);
	assert_source("db-1");
	/* an empty line, then another line: the empty one was the file's */
	decode_next("");
	assert_int_equal(el.tail, ENVELOPE_TAIL_HOLD);
	assert_true(envelope_held_blank(env));
	decode_next("");
	assert_int_equal(el.tail, ENVELOPE_TAIL_UNHOLD | ENVELOPE_TAIL_HOLD);
	decode_next("  at x()");
	assert_int_equal(el.tail, ENVELOPE_TAIL_UNHOLD);
	assert_false(envelope_held_blank(env));
	envelope_blank(env, &bl);
	assert_int_equal(bl.format, ENVELOPE_PLAIN);
	assert_int_equal(bl.msg_len, 0);
	assert_int_equal(bl.ts, TS_NONE);
	assert_int_equal(bl.source_len, strlen("/var/log/api.log"));
	assert_memory_equal(bl.source, "/var/log/api.log", bl.source_len);
	assert_string_equal(bl.source_kind, "file");
	/* an empty line, then a heading: the empty one was tail's */
	decode_next("");
	assert_int_equal(el.tail, ENVELOPE_TAIL_HOLD);
	decode_next("==> worker.log <==");
	assert_int_equal(el.tail, ENVELOPE_TAIL_HEADING);
	assert_false(envelope_held_blank(env));
	assert_file("worker.log");
	decode_next("==> standard input <==");
	assert_file("standard input");
	/* no heading: no name, no arrows, one arrow short */
	decode_next("==>  <==");
	assert_int_equal(el.tail, 0);
	assert_msg("==>  <==");
	decode_next("==> a.log <=");
	assert_int_equal(el.tail, 0);
	assert_file("standard input");
	decode_next("=> a.log <==");
	assert_int_equal(el.tail, 0);
	/* a forced format reads headings too */
	decode_str(ENVELOPE_DOCKER_JSON, "==> c.json <==");
	assert_int_equal(el.tail, ENVELOPE_TAIL_HEADING);
	assert_int_equal(el.malformed, 0);
	assert_file("c.json");
}

/*
 * kubectl logs --prefix names the pod and container in brackets, a
 * --timestamps stamp after them; docker service logs names a swarm task
 * as compose names a container.
 */
static void
test_kubectl_and_swarm(void **state)
{
	decode_str(ENVELOPE_AUTO, "[pod/web-5d9c7b-x2k4p/app] 2025-10-25 23:00:01 ERROR x");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_source_kind("pod/web-5d9c7b-x2k4p/app", "kubernetes");
	assert_int_equal(el.ts, TS_NONE);
	assert_msg("2025-10-25 23:00:01 ERROR x");
	decode_str(ENVELOPE_AUTO, "[pod/w/app] 2025-10-25T23:31:11.123456789Z x");
	assert_int_equal(el.ts, T0 + 123);
	assert_msg("x");
	/* not kubectl's: another bracket, a blank inside, nothing after */
	decode_str(ENVELOPE_AUTO, "[podcast] x");
	assert_null(el.source);
	decode_str(ENVELOPE_AUTO, "[pod/a b] x");
	assert_null(el.source);
	decode_str(ENVELOPE_AUTO, "[pod/a/b]");
	assert_null(el.source);
	decode_str(ENVELOPE_AUTO, "web_api.1.z3k9x2m0abcd@node-1    | 2025-10-25 23:00:04 ERROR y");
	assert_int_equal(el.format, ENVELOPE_COMPOSE);
	assert_source("web_api.1.z3k9x2m0abcd@node-1");
	assert_msg("2025-10-25 23:00:04 ERROR y");
}

/*
 * Colours and line erasures a program wrote for a terminal go, wherever
 * they are: in a compose prefix, around a level, in a JSON message.
 * Other escape sequences are text and stay.
 */
static void
test_colours(void **state)
{
	decode_str(ENVELOPE_AUTO, "\033[36mapi-1  |\033[0m 2025-10-25 23:00:01 "
	    "\033[1;31mERROR\033[0m tools.chat: boom\033[K");
	assert_int_equal(el.format, ENVELOPE_COMPOSE);
	assert_source("api-1");
	assert_msg("2025-10-25 23:00:01 ERROR tools.chat: boom");
	decode_str(ENVELOPE_AUTO, "{\"log\":\"\\u001b[33mWARNING\\u001b[39m x\\n\","
	    "\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:11Z\"}");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_msg("WARNING x");
	decode_str(ENVELOPE_AUTO, "{\"MESSAGE\":\"\\u001b[31mfailed\\u001b[0m\","
	    "\"_SYSTEMD_UNIT\":\"app.service\",\"__REALTIME_TIMESTAMP\":"
	    "\"1761435071000000\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_msg("failed");
	decode_str(ENVELOPE_AUTO, "x \033]0;title\007 \033[2J \033[ \033");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("x \033]0;title\007 \033[2J \033[ \033");
	decode_str(ENVELOPE_AUTO, "\033[0m\033[32m\033[0m");
	assert_msg("");
}

static void
test_logfmt(void **state)
{
	decode_str(ENVELOPE_AUTO, "time=\"2025-10-25T23:31:11.250000000Z\" level=warning "
	    "msg=\"Health check for container \\\"abc\\\" failed:\\tdeadline\" "
	    "container=abc error=\"x y\"");
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_int_equal(el.ts, T0 + 250);
	assert_level("warning");
	assert_msg("Health check for container \"abc\" failed:\tdeadline container=abc error=\"x y\"");
	decode_str(ENVELOPE_AUTO, "time=\"2025-10-25T23:31:11Z\" level=info msg=\"unterminated");
	assert_int_equal(el.malformed, 1);
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_msg("time=\"2025-10-25T23:31:11Z\" level=info msg=\"unterminated");
}

/*
 * go-kit's logfmt (Prometheus, Loki): ts= for the time, or level= first.
 * Tried, not claimed: a line that does not parse is plain, not broken.
 */
static void
test_logfmt_gokit(void **state)
{
	decode_str(ENVELOPE_AUTO, "ts=2025-10-25T23:31:11.250123456Z caller=main.go:50 "
	    "level=error msg=\"db down\" err=\"connection refused\"");
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_int_equal(el.ts, T0 + 250);
	assert_level("error");
	assert_msg("db down caller=main.go:50 err=\"connection refused\"");
	decode_str(ENVELOPE_AUTO, "level=warn ts=2025-10-25T23:31:11Z component=\"scrape manager\" "
	    "msg=\"append failed\"");
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_int_equal(el.ts, T0);
	assert_level("warn");
	assert_msg("append failed component=\"scrape manager\"");
	decode_str(ENVELOPE_AUTO, "ts=2025 level=info msg=\"unterminated");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.malformed, 0);
	decode_str(ENVELOPE_AUTO, "ts=now is not a stamp");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "levels are fine");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
}

/*
 * logfmt with other keys first: Grafana's t=, go-kit's caller= first.  A
 * line of pairs without a level and a time or message stays plain.
 */
static void
test_logfmt_keyed(void **state)
{
	decode_str(ENVELOPE_AUTO, "logger=context userId=0 t=2025-10-25T23:31:11.250Z "
	    "level=error msg=\"Request Completed\" status=500");
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_int_equal(el.ts, T0 + 250);
	assert_level("error");
	assert_msg("Request Completed logger=context userId=0 status=500");
	decode_str(ENVELOPE_AUTO, "caller=main.go:1 ts=2025-10-25T23:31:11Z "
	    "level=warn msg=\"slow\"");
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_int_equal(el.ts, T0);
	assert_level("warn");
	decode_str(ENVELOPE_AUTO, "user=root logged in level=3");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	decode_str(ENVELOPE_AUTO, "caller=x level=info msg=\"unterminated");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.malformed, 0);
	decode_str(ENVELOPE_AUTO, "app-1  | caller=main.go:1 level=error msg=\"in compose\"");
	assert_int_equal(el.format, ENVELOPE_COMPOSE);
}

/* The CRI format: stream and F or P after the stamp; P's line goes on. */
static void
test_cri(void **state)
{
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.250000000Z stderr F boom");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_int_equal(el.ts, T0 + 250);
	assert_int_equal(el.stream, STREAM_STDERR);
	assert_int_equal(el.partial, 0);
	assert_msg("boom");
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.250000000Z stdout P part one ");
	assert_int_equal(el.stream, STREAM_STDOUT);
	assert_int_equal(el.partial, 1);
	assert_msg("part one ");
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.250000000Z stdout F");
	assert_msg("");
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.250000000Z stdout Fine");
	assert_int_equal(el.partial, 0);
	assert_msg("stdout Fine");
	/* Go's RFC3339Nano drops trailing zeros, and a zero fraction */
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11.25Z stderr F short");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_int_equal(el.ts, T0 + 250);
	assert_msg("short");
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11Z stdout P none ");
	assert_int_equal(el.format, ENVELOPE_DOCKER_TS);
	assert_int_equal(el.ts, T0);
	assert_int_equal(el.partial, 1);
	assert_msg("none ");
	decode_str(ENVELOPE_AUTO, "2025-10-25T23:31:11Z stdout is not a tag");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("2025-10-25T23:31:11Z stdout is not a tag");
}

static void
test_logrus(void **state)
{
	decode_str(ENVELOPE_AUTO, "WARN[2025-10-25T23:31:11.123456789Z] Failed to x   error=\"boom\"");
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_int_equal(el.ts, T0 + 123);
	assert_level("warning");
	assert_msg("Failed to x   error=\"boom\"");
	decode_str(ENVELOPE_AUTO, "INFO[0000] Loading containers: start.");
	assert_int_equal(el.format, ENVELOPE_LOGFMT);
	assert_int_equal(el.ts, TS_NONE);
	assert_level("info");
	assert_msg("Loading containers: start.");
	decode_str(ENVELOPE_AUTO, "INFO[abc] no");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_level(NULL);
}

static void
test_journald(void **state)
{
	decode_str(ENVELOPE_AUTO, "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1761435071123456\","
	    "\"PRIORITY\":\"4\",\"SYSLOG_IDENTIFIER\":\"dockerd\",\"_SYSTEMD_UNIT\":\"docker.service\","
	    "\"MESSAGE\":[104,105,255,10]}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.ts, T0 + 123);
	assert_msg("hi\xff");
	assert_source("dockerd");
	assert_level("warning");
	assert_int_equal(el.malformed, 0);

	decode_str(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"1761435071000000\",\"PRIORITY\":\"3\","
	    "\"CONTAINER_NAME\":\"web\",\"SYSLOG_IDENTIFIER\":\"x\",\"MESSAGE\":\"boom \\u00e9\"}");
	assert_source("web");
	/* Docker's driver: 3 is stderr, not a level; the record's words tell */
	assert_level(NULL);
	assert_msg("boom \xc3\xa9");
	assert_int_equal(el.ts, T0);
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"3\",\"CONTAINER_ID\":\"4f1c\","
	    "\"MESSAGE\":\"x\"}");
	assert_level(NULL);
	/* a service's output stream: 6 is the default, other values were said */
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"6\",\"_TRANSPORT\":\"stdout\","
	    "\"MESSAGE\":\"ERROR x: y\"}");
	assert_level(NULL);
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"3\",\"_TRANSPORT\":\"stdout\","
	    "\"MESSAGE\":\"x\"}");
	assert_level("err");
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"6\",\"_TRANSPORT\":\"journal\","
	    "\"MESSAGE\":\"\\u00e9\"}");
	assert_level("info");

	decode_str(ENVELOPE_AUTO, "{\"MESSAGE\":\"m\",\"_SYSTEMD_UNIT\":\"containerd.service\"}");
	assert_source("containerd.service");
	assert_int_equal(el.ts, TS_NONE);
	assert_level(NULL);

	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\":\"m\",");
	assert_int_equal(el.malformed, 1);
	assert_msg("{\"MESSAGE\":\"m\",");

	/* read in one scan or parsed whole, an entry means the same */
	decode_str(ENVELOPE_AUTO, "{ \"PRIORITY\" : \"6\", \"CONTAINER_NAME\":\"\","
	    "\"SYSLOG_IDENTIFIER\":\"app\\\"1\",\"X\":{\"a\":[1,{}]},"
	    "\"MESSAGE\":\"a\\tb\\n\",\"__REALTIME_TIMESTAMP\":\"1761435071000999\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_msg("a\tb");
	assert_source("app\"1");
	assert_level(NULL);
	assert_int_equal(el.ts, T0);
	decode_str(ENVELOPE_AUTO, "{\"MESSAGE\":\"a\",\"MESSAGE\":\"b\",\"PRIORITY\":\"9\"}");
	assert_msg("a");
	assert_level(NULL);
	decode_str(ENVELOPE_AUTO, "{\"MESS\\u0041GE\":\"x\",\"__CURSOR\":\"c\"}");
	assert_msg("x");
	decode_str(ENVELOPE_AUTO, "{\"MESSAGE\":\"a\\u0000b\",\"_SYSTEMD_UNIT\":\"u\"}");
	assert_msg("a");
	assert_source("u");
	decode_str(ENVELOPE_AUTO, "{\"MESSAGE\":\"m\",\"__REALTIME_TIMESTAMP\":\" 1761435071000000\"}");
	assert_msg("m");
	assert_int_equal(el.ts, T0);
	decode_str(ENVELOPE_AUTO, "{\"__CURSOR\":\"c\",\"MESSAGE\":17}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_msg("");
}

/*
 * An object whose first key starts "__" is read as journald first: what
 * it means stays what the docker check, then journald, made of it.
 */
/* The keys told by their bytes, a PRIORITY and a timestamp by their length. */
static void
test_journald_known_keys(void **state)
{
	/* the usual entry: sixteen digits, one-byte PRIORITY */
	decode_str(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"1761435071999999\","
	    "\"PRIORITY\":\"4\",\"_SYSTEMD_UNIT\":\"u.service\",\"MESSAGE\":\"m\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.ts, T0 + 999);
	assert_level("warning");
	assert_source("u.service");
	assert_msg("m");
	/* journalctl's blanks around every ':' and after every ',' */
	decode_str(ENVELOPE_AUTO, "{ \"__REALTIME_TIMESTAMP\" : \"1761435071000000\" , "
	    "\"PRIORITY\" : \"3\" , \"MESSAGE\" : \"m\" } ");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.ts, T0);
	assert_level("err");
	assert_msg("m");
	/* fewer and more digits than sixteen, a digit that is none */
	decode_str(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"176143507100000\","
	    "\"MESSAGE\":\"m\"}");
	assert_int_equal(el.ts, 176143507100LL);
	decode_str(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"17614350710000000\","
	    "\"MESSAGE\":\"m\"}");
	assert_int_equal(el.ts, 17614350710000LL);
	decode_str(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"1761435071x00000\","
	    "\"MESSAGE\":\"m\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.ts, TS_NONE);
	assert_msg("m");
	decode_str(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"0000000000000000\","
	    "\"MESSAGE\":\"m\"}");
	assert_int_equal(el.ts, 0);
	/* a PRIORITY of two bytes, an escaped one, an empty one */
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"33\",\"MESSAGE\":\"m\"}");
	assert_level(NULL);
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"\\u0033\",\"MESSAGE\":\"m\"}");
	assert_level("err");
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"\",\"MESSAGE\":\"m\"}");
	assert_level(NULL);
	assert_msg("m");
	/* keys that start as known ones do but are not */
	decode_str(ENVELOPE_AUTO, "{\"CONTAINER_ID_FULL\":\"f\",\"MESSAGES\":\"x\","
	    "\"MESSAGE\":\"m\",\"SYSLOG_IDENTIFIERS\":\"s\",\"_SYSTEMD_UNIT\":\"u\"}");
	assert_msg("m");
	assert_source("u");
	decode_str(ENVELOPE_AUTO, "{\"PRIORITY\":\"3\",\"CONTAINER_ID_FULL\":\"f\","
	    "\"MESSAGE\":\"m\"}");
	assert_level("err");
	decode_str(ENVELOPE_AUTO, "{\"__REALTIME\":\"1\",\"logs\":\"d\\n\",\"MESSAGE\":\"m\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.ts, TS_NONE);
	assert_msg("m");
	/* other fields' strings: escapes checked as a parse checks them */
	decode_str(ENVELOPE_AUTO, "{\"_HOSTNAME\" : \"h\\\"\\u00e9\\\\\", \"_PID\":\"1\","
	    "\"MESSAGE\":\"m\",\"_CMDLINE\":\"\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_msg("m");
	decode_str(ENVELOPE_AUTO, "{\"MESSAGE\":\"m\",\"_HOSTNAME\":\"h\\q\"}");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_int_equal(el.malformed, 1);
	decode_str(ENVELOPE_AUTO, "{\"MESSAGE\":\"m\",\"_HOSTNAME\":\"h\\u00\"}");
	assert_int_equal(el.malformed, 1);
	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\":\"m\",\"_HOSTNAME\":\"h");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.malformed, 1);
	/* a key cut short at the line's end, a value cut short */
	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\":\"m\",\"__REALTIME_TIMESTAMP");
	assert_int_equal(el.malformed, 1);
	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\":\"m\",\"__REALTIME_TIMESTAMP\":\"1761435071000000");
	assert_int_equal(el.malformed, 1);
	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\":\"m\",\"PRIORITY\":\"3");
	assert_int_equal(el.malformed, 1);
	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\":\"m\",\"MESSAGE\"");
	assert_int_equal(el.malformed, 1);
}

/* The blanks journalctl puts around ':', and every other spacing there. */
static void
test_journald_blanks(void **state)
{
	static const char *const colons[] = {
		":", " : ", " :", ": ", "  :  ", "\t:\t", " :\n", "\r\n: "
	};
	char line[256];
	size_t i;

	for (i = 0; i < sizeof colons / sizeof colons[0]; i++) {
		snprintf(line, sizeof line, "{\"__REALTIME_TIMESTAMP\"%s\"1761435071000000\", "
		    "\"_PID\"%s812, \"_HOSTNAME\"%s\"h \\\" : \\\"\", "
		    "\"PRIORITY\"%s\"4\", \"_SYSTEMD_UNIT\"%s\"u.service\", "
		    "\"MESSAGE\"%s\"a \\\" : \\\" b\"}", colons[i], colons[i],
		    colons[i], colons[i], colons[i], colons[i]);
		decode_str(ENVELOPE_AUTO, line);
		assert_int_equal(el.format, ENVELOPE_JOURNALD);
		assert_int_equal(el.malformed, 0);
		assert_int_equal(el.ts, T0);
		assert_level("warning");
		assert_source("u.service");
		assert_msg("a \" : \" b");
	}
	/* a key's own bytes that look like the blanks */
	decode_str(ENVELOPE_AUTO, "{\"__CURSOR\" : \"c\", \"A : \" : \"x\", "
	    "\"MESSAGE\" : \"m\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_msg("m");
	/* no ':' after the blanks, or the line cut among them */
	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\" ; \"m\"}");
	assert_int_equal(el.malformed, 1);
	assert_msg("{\"MESSAGE\" ; \"m\"}");
	decode_str(ENVELOPE_JOURNALD, "{\"MESSAGE\" , \"m\"}");
	assert_int_equal(el.malformed, 1);
	decode(ENVELOPE_JOURNALD, "{\"MESSAGE\" : \"m\"}", 15);
	assert_int_equal(el.malformed, 1);
	assert_msg("{\"MESSAGE\" : \"m");
	decode(ENVELOPE_JOURNALD, "{\"MESSAGE\" : \"m\"}", 14);
	assert_int_equal(el.malformed, 1);
	assert_msg("{\"MESSAGE\" : \"");
	decode(ENVELOPE_JOURNALD, "{\"MESSAGE\" : \"m\"}", 13);
	assert_int_equal(el.malformed, 1);
	assert_msg("{\"MESSAGE\" : ");
	decode(ENVELOPE_JOURNALD, "{\"MESSAGE\" : \"m\"}", 12);
	assert_int_equal(el.malformed, 1);
	assert_msg("{\"MESSAGE\" :");
	decode(ENVELOPE_JOURNALD, "{\"MESSAGE\" : \"m\"}", 11);
	assert_int_equal(el.malformed, 1);
	assert_msg("{\"MESSAGE\" ");
	/* a value after the blanks that is no string, for a field that is read */
	decode_str(ENVELOPE_AUTO, "{\"__CURSOR\" : \"c\", \"MESSAGE\" : 17}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_msg("");
}

static void
test_journald_first(void **state)
{
	/* a "log" string makes it json-file, whatever came before */
	decode_str(ENVELOPE_AUTO, "{\"__CURSOR\":\"s\",\"log\":\"d\\n\","
	    "\"MESSAGE\":\"j\"}");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_msg("d");
	/* unless journald was asked for */
	decode_str(ENVELOPE_JOURNALD, "{\"__CURSOR\":\"s\",\"log\":\"d\\n\","
	    "\"MESSAGE\":\"j\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_msg("j");
	/* a "log" that is no string does not */
	decode_str(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"1761435071000000\","
	    "\"log\":5,\"MESSAGE\":\"j\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.ts, T0);
	assert_msg("j");
	/* no key of journald's own: some other JSON, a plain line */
	decode_str(ENVELOPE_AUTO, "{\"__x\":\"y\"}");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_msg("{\"__x\":\"y\"}");
	decode_str(ENVELOPE_JOURNALD, "{\"__x\":\"y\"}");
	assert_int_equal(el.format, ENVELOPE_JOURNALD);
	assert_int_equal(el.malformed, 0);
	/* broken after its keys: the docker check's verdict, a damaged envelope */
	decode_str(ENVELOPE_AUTO, "{\"__CURSOR\":\"c\",\"MESSAGE\":\"m\"} x");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_int_equal(el.malformed, 1);
	decode_str(ENVELOPE_DOCKER_JSON, "{\"__CURSOR\":\"c\",\"MESSAGE\":\"m\"}");
	assert_int_equal(el.format, ENVELOPE_DOCKER_JSON);
	assert_int_equal(el.malformed, 1);
}

static void
test_plain_and_names(void **state)
{
	decode_str(ENVELOPE_AUTO, "2025-10-25 23:31:11 INFO httpx: HTTP Request");
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.ts, TS_NONE);
	assert_msg("2025-10-25 23:31:11 INFO httpx: HTTP Request");
	decode(ENVELOPE_AUTO, "", 0);
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.msg_len, 0);
	decode(ENVELOPE_AUTO, "{\0\"", 3);
	assert_int_equal(el.format, ENVELOPE_PLAIN);
	assert_int_equal(el.msg_len, 3);

	assert_int_equal(envelope_format_from_name("auto"), ENVELOPE_AUTO);
	assert_int_equal(envelope_format_from_name("docker-json"), ENVELOPE_DOCKER_JSON);
	assert_int_equal(envelope_format_from_name("docker-ts"), ENVELOPE_DOCKER_TS);
	assert_int_equal(envelope_format_from_name("journald"), ENVELOPE_JOURNALD);
	assert_int_equal(envelope_format_from_name("json"), -1);
	assert_string_equal(envelope_format_name(ENVELOPE_COMPOSE), "compose");
	assert_string_equal(envelope_format_name(ENVELOPE_DESKTOP), "desktop");
	/* every format has a row in the table, its name leads back to it */
	for (int f = ENVELOPE_AUTO; f < ENVELOPE_FORMAT_COUNT; f++)
		assert_int_equal(envelope_format_from_name(
		    envelope_format_name((enum envelope_format)f)), f);
	assert_string_equal(envelope_format_name(ENVELOPE_FORMAT_COUNT), "unknown");
}

/*
 * Lines that start like a plain line's stamp but differ in one of the bytes
 * that tell it from a Docker stamp or a compose name.
 */
static void
test_digit_first(void **state)
{
	static const struct {
		const char *line;
		enum envelope_format format;
		const char *source;
	} cases[] = {
		{ "2025-10-25 23:31:11 INFO x", ENVELOPE_PLAIN, NULL },
		{ "2025-10-25 23:31:11,123 x", ENVELOPE_PLAIN, NULL },
		{ "2025-10-25 | 23:31:11 INFO x", ENVELOPE_COMPOSE, "2025-10-25" },
		{ "2025-10-25  | 23:31:11 INFO x", ENVELOPE_COMPOSE, "2025-10-25" },
		{ "2025-10-25   23:31:11 INFO x", ENVELOPE_PLAIN, NULL },
		{ "2025-1 | 25 23:31:11 INFO x", ENVELOPE_COMPOSE, "2025-1" },
		{ "2 | 5-10-25 23:31:11 INFO x", ENVELOPE_PLAIN, NULL },
		{ "2a | 5-10-25 23:31:11 INFO x", ENVELOPE_COMPOSE, "2a" },
		{ "2025-10-2 |23:31:11 INFO x", ENVELOPE_PLAIN, NULL },
		{ "2025-10-25 23:31:1", ENVELOPE_PLAIN, NULL },
		{ "2025-10-25 |", ENVELOPE_COMPOSE, "2025-10-25" },
		{ "2025-10-25 |x 23:31:11 INFO x", ENVELOPE_PLAIN, NULL },
		{ "2025-10-25 23:31:11.123 | x y", ENVELOPE_DESKTOP, NULL },
		{ "2025-10-25 23:31:11.123456789Z | x", ENVELOPE_PLAIN, NULL },
		{ "2025-10-25 23:31:11.123456789Z x", ENVELOPE_PLAIN, NULL },
		{ "2025-10-25T23:31:11.123456789Z x", ENVELOPE_DOCKER_TS, NULL },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		decode_str(ENVELOPE_AUTO, cases[i].line);
		assert_int_equal(el.format, cases[i].format);
		assert_source(cases[i].source);
	}
}

/* Stamps sharing their first 19 bytes reuse the second, never its fraction or zone. */
static void
test_stamp_second_reused(void **state)
{
	static const struct {
		const char	*line;
		int64_t		 ts;
	} cases[] = {
		{ "{\"log\":\"a\\n\",\"time\":\"2025-10-25T23:31:11.000125457Z\"}", T0 },
		{ "{\"log\":\"b\\n\",\"time\":\"2025-10-25T23:31:11.999Z\"}", T0 + 999 },
		{ "{\"log\":\"c\\n\",\"time\":\"2025-10-25T23:31:11Z\"}", T0 },
		{ "{\"log\":\"d\\n\",\"time\":\"2025-10-25T23:31:11.5+01:00\"}", T0 - 3600000 + 500 },
		{ "{\"log\":\"e\\n\",\"time\":\"2025-10-25T23:31:11.25z\"}", T0 + 250 },
		{ "{\"log\":\"f\\n\",\"time\":\"2025-10-25T23:31:11.Z\"}", TS_NONE },
		{ "{\"log\":\"g\\n\",\"time\":\"2025-10-25T23:31:12.1Z\"}", T0 + 1100 },
	};
	struct envelope *e = envelope_new(ENVELOPE_AUTO, NULL);
	struct envelope_line out;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		envelope_decode(e, cases[i].line, strlen(cases[i].line), &out);
		assert_int_equal(out.format, ENVELOPE_DOCKER_JSON);
		assert_int_equal(out.ts, cases[i].ts);
	}
	envelope_free(e);
}

/* Every field of two decodes agrees, strings compared by content. */
static void
assert_same_line(const struct envelope_line *a, const struct envelope_line *b)
{
	assert_int_equal(a->format, b->format);
	assert_int_equal(a->ts, b->ts);
	assert_int_equal(a->source == NULL, b->source == NULL);
	assert_int_equal(a->source_len, b->source_len);
	if (a->source != NULL) {
		assert_memory_equal(a->source, b->source, a->source_len);
		assert_string_equal(a->source_kind, b->source_kind);
	}
	assert_int_equal(a->stream, b->stream);
	assert_int_equal(a->level == NULL, b->level == NULL);
	assert_int_equal(a->level_len, b->level_len);
	if (a->level != NULL)
		assert_memory_equal(a->level, b->level, a->level_len);
	assert_int_equal(a->msg_len, b->msg_len);
	assert_memory_equal(a->msg, b->msg, a->msg_len);
	assert_int_equal(a->partial, b->partial);
	assert_int_equal(a->malformed, b->malformed);
}

#define LONG_NAME "n123456789n123456789n123456789n123456789n123456789n123456789n12"

/*
 * Lines decoded in turn by one envelope, which remembers compose prefixes
 * and the latest stamp's second, decode exactly as each does alone: across
 * three containers, names that extend one another, lines shorter than a
 * remembered prefix, prefixes too long to remember, stamps over second,
 * minute, day and leap-day boundaries, offsets, fraction lengths that
 * auto-detection takes or refuses, and broken stamps after good ones.
 */
static const struct {
	const char		*line;
	enum envelope_format	 format;
	const char		*source;
	int64_t			 ts;
	const char		*msg;
} prefix_seq[] = {
	{ "exai-mcp-daemon-1  | 2025-10-25T23:31:11.123456789Z 2025-10-25 23:31:11 INFO a",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 123, "2025-10-25 23:31:11 INFO a" },
	{ "exai-mcp-shim-1    | 2025-10-25T23:31:11.999999999Z b",
	    ENVELOPE_COMPOSE, "exai-mcp-shim-1", T0 + 999, "b" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:31:12.000000001Z c",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 1000, "c" },
	{ "redis-1            | 1:M 25 Oct 2025 23:31:11.123 * Ready",
	    ENVELOPE_COMPOSE, "redis-1", TS_NONE, "1:M 25 Oct 2025 23:31:11.123 * Ready" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:00.000000000+02:00 d",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 49000 - 7200000, "d" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:00.12345678901234Z e",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 49123, "e" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:00.1234+02:00 f",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", TS_NONE, "2025-10-25T23:32:00.1234+02:00 f" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:00.1234567890Z g",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", TS_NONE, "2025-10-25T23:32:00.1234567890Z g" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:00.123456789z h",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 49123, "h" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:00.123456789Zh",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", TS_NONE, "2025-10-25T23:32:00.123456789Zh" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:00.123456789Z",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 49123, "" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:32:61.123456789Z i",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", TS_NONE, "2025-10-25T23:32:61.123456789Z i" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:59:59.999999999Z j",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 1728999, "j" },
	{ "exai-mcp-daemon-1  | 2025-10-26T00:00:00.000000000Z k",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 1729000, "k" },
	{ "exai-mcp-daemon-1  | 2024-02-29T23:59:59.500000000Z l",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", 1709251199500LL, "l" },
	{ "exai-mcp-daemon-1  | 2024-02-30T00:00:00.000000000Z m",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", TS_NONE, "2024-02-30T00:00:00.000000000Z m" },
	{ "exai-mcp-daemon-1  | 2024-03-01T00:00:00.000000000Z n",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", 1709251200000LL, "n" },
	{ "2024-03-01T00:00:00.250000000Z o",
	    ENVELOPE_DOCKER_TS, NULL, 1709251200250LL, "o" },
	{ "2024-03-01T00:00:00.5Z p",
	    ENVELOPE_PLAIN, NULL, TS_NONE, "2024-03-01T00:00:00.5Z p" },
	{ "a-1 | x", ENVELOPE_COMPOSE, "a-1", TS_NONE, "x" },
	{ "a-12    | y", ENVELOPE_COMPOSE, "a-12", TS_NONE, "y" },
	{ "a-12    |", ENVELOPE_COMPOSE, "a-12", TS_NONE, "" },
	{ "a-12    |y", ENVELOPE_PLAIN, NULL, TS_NONE, "a-12    |y" },
	{ "a-12    | ", ENVELOPE_COMPOSE, "a-12", TS_NONE, "" },
	{ "a-12     | z", ENVELOPE_COMPOSE, "a-12", TS_NONE, "z" },
	{ "a-12    |  z", ENVELOPE_COMPOSE, "a-12", TS_NONE, " z" },
	{ "a-123   | z", ENVELOPE_COMPOSE, "a-123", TS_NONE, "z" },
	{ LONG_NAME "  | w", ENVELOPE_COMPOSE, LONG_NAME, TS_NONE, "w" },
	{ LONG_NAME "  | w", ENVELOPE_COMPOSE, LONG_NAME, TS_NONE, "w" },
	{ "exai-mcp-daemon-1  | 2025-10-25T23:31:11.123456789Z back",
	    ENVELOPE_COMPOSE, "exai-mcp-daemon-1", T0 + 123, "back" },
	{ "exai-mcp-daemon-1x | q", ENVELOPE_COMPOSE, "exai-mcp-daemon-1x", TS_NONE, "q" },
	{ "exai-mcp-daemon-1  |", ENVELOPE_COMPOSE, "exai-mcp-daemon-1", TS_NONE, "" },
	/*
	 * Lines that start with a digit, sniffed before compose() is tried:
	 * names that start with one, remembered or not, and the plain
	 * stamps and near misses it turns away.
	 */
	{ "1app-1  | x", ENVELOPE_COMPOSE, "1app-1", TS_NONE, "x" },
	{ "1app-1  | y", ENVELOPE_COMPOSE, "1app-1", TS_NONE, "y" },
	{ "1app-1 |z", ENVELOPE_PLAIN, NULL, TS_NONE, "1app-1 |z" },
	{ "2025-10-25 23:31:11 INFO a", ENVELOPE_PLAIN, NULL, TS_NONE,
	    "2025-10-25 23:31:11 INFO a" },
	{ "2025-10-25   | b", ENVELOPE_COMPOSE, "2025-10-25", TS_NONE, "b" },
	{ "2025-10-25 | 2025-10-25T23:31:11.123456789Z c",
	    ENVELOPE_COMPOSE, "2025-10-25", T0 + 123, "c" },
	{ "2025-10-25 | d", ENVELOPE_COMPOSE, "2025-10-25", TS_NONE, "d" },
	{ "2025-10-25 |d", ENVELOPE_PLAIN, NULL, TS_NONE, "2025-10-25 |d" },
	{ "2025-10-25", ENVELOPE_PLAIN, NULL, TS_NONE, "2025-10-25" },
	{ "2025-10-25 ", ENVELOPE_PLAIN, NULL, TS_NONE, "2025-10-25 " },
	{ "2025-10-25  ", ENVELOPE_PLAIN, NULL, TS_NONE, "2025-10-25  " },
	{ "2025-10-25|e", ENVELOPE_PLAIN, NULL, TS_NONE, "2025-10-25|e" },
	{ "2025:10 | f", ENVELOPE_PLAIN, NULL, TS_NONE, "2025:10 | f" },
	/* a number is a listing's line, no service */
	{ "7 | g", ENVELOPE_PLAIN, NULL, TS_NONE, "7 | g" },
	{ "7|h", ENVELOPE_PLAIN, NULL, TS_NONE, "7|h" },
	{ "7", ENVELOPE_PLAIN, NULL, TS_NONE, "7" },
};

static void
test_remembered_prefix_and_stamp(void **state)
{
	static const enum envelope_format forced[] = {
		ENVELOPE_AUTO, ENVELOPE_COMPOSE, ENVELOPE_DOCKER_TS
	};
	struct envelope *e;
	struct envelope_line out;
	size_t i, f, len;

	for (f = 0; f < UTIL_ARRAY_LEN(forced); f++) {
		e = envelope_new(forced[f], NULL);
		for (i = 0; i < UTIL_ARRAY_LEN(prefix_seq); i++) {
			len = strlen(prefix_seq[i].line);
			envelope_decode(e, prefix_seq[i].line, len, &out);
			decode(forced[f], prefix_seq[i].line, len);
			assert_same_line(&out, &el);
			if (forced[f] != ENVELOPE_AUTO)
				continue;
			assert_int_equal(out.format, prefix_seq[i].format);
			assert_int_equal(out.ts, prefix_seq[i].ts);
			if (prefix_seq[i].source == NULL)
				assert_null(out.source);
			else {
				assert_int_equal(out.source_len,
				    strlen(prefix_seq[i].source));
				assert_memory_equal(out.source, prefix_seq[i].source,
				    out.source_len);
			}
			assert_int_equal(out.msg_len, strlen(prefix_seq[i].msg));
			assert_memory_equal(out.msg, prefix_seq[i].msg, out.msg_len);
		}
		/* One byte short of a remembered prefix that follows in memory. */
		envelope_decode(e, "exai-mcp-daemon-1  | q", 20, &out);
		decode(forced[f], "exai-mcp-daemon-1  | q", 20);
		assert_same_line(&out, &el);
		envelope_free(e);
	}
}

/*
 * A line known to be ASCII without NUL decodes as it does unannounced,
 * in every envelope and with the escapes journald's fast reading takes.
 */
static const char *const ascii_lines[] = {
	"{\"__REALTIME_TIMESTAMP\":\"1761435071000000\",\"PRIORITY\":\"3\","
	    "\"CONTAINER_NAME\":\"web-1\",\"MESSAGE\":\"2025-10-25 23:31:11 ERROR x\"}",
	"{\"__REALTIME_TIMESTAMP\":\"1761435071000001\",\"_SYSTEMD_UNIT\":\"a\\tb.service\","
	    "\"MESSAGE\":\"a\\tb\\n\\\"c\\\"\"}",
	"{\"__REALTIME_TIMESTAMP\":\"1761435071000002\",\"SYSLOG_IDENTIFIER\":\"k\","
	    "\"MESSAGE\":\"\"}",
	"{\"__REALTIME_TIMESTAMP\":\"1761435071000003\",\"MESSAGE\":\"u\\u0041\"}",
	"{\"log\":\"hello\\n\",\"stream\":\"stderr\",\"time\":\"2025-10-25T23:31:11.5Z\"}",
	"exai-mcp-daemon-1  | 2025-10-25 23:31:11 INFO x",
	"2025-10-25T23:31:11.123456789Z plain after a stamp",
	"2025-10-25 23:31:11 INFO plain",
	"time=\"2025-10-25T23:31:11Z\" level=info msg=\"m\"",
};

static const char nul_line[] =
    "{\"__REALTIME_TIMESTAMP\":\"1761435071000000\",\"MESSAGE\":\"a\0b\"}";

static void
test_ascii_same(void **state)
{
	struct envelope *a, *b;
	struct envelope_line la, lb;
	size_t i, len;

	a = envelope_new(ENVELOPE_AUTO, NULL);
	b = envelope_new(ENVELOPE_AUTO, NULL);
	for (i = 0; i < UTIL_ARRAY_LEN(ascii_lines); i++) {
		len = strlen(ascii_lines[i]);
		envelope_decode(a, ascii_lines[i], len, &la);
		envelope_decode_ascii(b, ascii_lines[i], len, &lb);
		assert_same_line(&la, &lb);
	}
	/* the hint is the line's own: the next, unannounced, is searched */
	envelope_decode(b, nul_line, sizeof nul_line - 1, &lb);
	envelope_decode(a, nul_line, sizeof nul_line - 1, &la);
	assert_same_line(&la, &lb);
	assert_int_equal(la.format, ENVELOPE_JOURNALD);
	envelope_free(a);
	envelope_free(b);
}

/*
 * Entries read one after another by one envelope, as a journal's are: the
 * layout and values remembered from the entry before must not show in
 * what is read, whether the next entry repeats them or not.
 */
struct jf_case {
	const char	*line;
	enum envelope_format format;
	int64_t		 ts;
	const char	*source;	/* NULL: none */
	const char	*level;		/* NULL: none */
	const char	*msg;
	int		 malformed;
};

#define JF_TS(us)	"{\"__REALTIME_TIMESTAMP\":\"17614350710" us "\","
#define JF_J		ENVELOPE_JOURNALD

static const struct jf_case jf_seq[] = {
	{ JF_TS("00000") "\"PRIORITY\":\"4\",\"CONTAINER_NAME\":\"web\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"first\"}",
	    JF_J, T0, "web", NULL, "first", 0 },
	/* the same layout, the same name: read from memory */
	{ JF_TS("01000") "\"PRIORITY\":\"4\",\"CONTAINER_NAME\":\"web\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"second\"}",
	    JF_J, T0 + 1, "web", NULL, "second", 0 },
	/* a name that starts as the remembered one, a shorter one, an escaped one */
	{ JF_TS("02000") "\"PRIORITY\":\"4\",\"CONTAINER_NAME\":\"web-2\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"third\"}",
	    JF_J, T0 + 2, "web-2", NULL, "third", 0 },
	{ JF_TS("03000") "\"PRIORITY\":\"4\",\"CONTAINER_NAME\":\"we\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 3, "we", NULL, "m", 0 },
	{ JF_TS("04000") "\"PRIORITY\":\"4\",\"CONTAINER_NAME\":\"we\\\"\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 4, "we\"", NULL, "m", 0 },
	{ JF_TS("05000") "\"PRIORITY\":\"4\",\"CONTAINER_NAME\":\"we\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 5, "we", NULL, "m", 0 },
	/* no container: PRIORITY states the level */
	{ JF_TS("06000") "\"PRIORITY\":\"4\",\"SYSLOG_IDENTIFIER\":\"we\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 6, "we", "warning", "m", 0 },
	/* a key added, then removed, then the keys reordered */
	{ JF_TS("07000") "\"PRIORITY\":\"4\",\"SYSLOG_IDENTIFIER\":\"we\","
	    "\"_HOSTNAME\":\"h\",\"_PID\":\"12\",\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 7, "we", "warning", "m", 0 },
	{ JF_TS("08000") "\"SYSLOG_IDENTIFIER\":\"we\","
	    "\"_HOSTNAME\":\"h\",\"_PID\":\"12\",\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 8, "we", NULL, "m", 0 },
	{ JF_TS("09000") "\"MESSAGE\":\"m\",\"_PID\":\"12\","
	    "\"_HOSTNAME\":\"h\",\"SYSLOG_IDENTIFIER\":\"we\"}",
	    JF_J, T0 + 9, "we", NULL, "m", 0 },
	/* the same key twice: the first counts, wherever the layout puts it */
	{ JF_TS("10000") "\"MESSAGE\":\"m\",\"_PID\":\"12\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 10, NULL, NULL, "m", 0 },
	{ JF_TS("11000") "\"MESSAGE\":\"o\",\"_PID\":\"12\","
	    "\"_HOSTNAME\":\"h\",\"MESSAGE\":\"p\"}",
	    JF_J, T0 + 11, NULL, NULL, "o", 0 },
	/* escapes in a skipped value and in a used one, quotes and \u */
	{ JF_TS("12000") "\"MESSAGE\":\"a \\\"b\\\"\",\"_PID\":\"1\\\"2\","
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 12, NULL, NULL, "a \"b\"", 0 },
	{ JF_TS("13000") "\"MESSAGE\":\"\\u00e9 \\\"\",\"_PID\":\"1\\\"2\","
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 13, NULL, NULL, "\xc3\xa9 \"", 0 },
	{ JF_TS("14000") "\"MESSAGE\":\"m\",\"_PID\":\"1\\\"2\","
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 14, NULL, NULL, "m", 0 },
	/* journald's bytes for a MESSAGE that is not UTF-8, then text again */
	{ JF_TS("15000") "\"MESSAGE\":[104,105,255,10],\"_PID\":\"1\\\"2\","
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 15, NULL, NULL, "hi\xff", 0 },
	{ JF_TS("16000") "\"MESSAGE\":\"m\",\"_PID\":\"1\\\"2\","
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 16, NULL, NULL, "m", 0 },
	/* a skipped value that is no string, where a string was */
	{ JF_TS("17000") "\"MESSAGE\":\"m\",\"_PID\":12,"
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 17, NULL, NULL, "m", 0 },
	{ JF_TS("18000") "\"MESSAGE\":\"m\",\"_PID\":12,"
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"}",
	    JF_J, T0 + 18, NULL, NULL, "m", 0 },
	/* the layout's bytes with other blanks */
	{ JF_TS("19000") "\"MESSAGE\":\"m\", \"_PID\":12,"
	    "\"_HOSTNAME\":\"\\u00e9\\\\\",\"MESSAGE\":\"n\"} ",
	    JF_J, T0 + 19, NULL, NULL, "m", 0 },
	/* lines that are no object, or not one that ends where it should */
	{ "2025-10-25 23:31:11 plain", ENVELOPE_PLAIN, TS_NONE, NULL, NULL,
	    "2025-10-25 23:31:11 plain", 0 },
	{ JF_TS("20000") "\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 20, NULL, NULL, "m", 0 },
	{ JF_TS("21000") "\"MESSAGE\":\"m\"} x",
	    ENVELOPE_DOCKER_JSON, TS_NONE, NULL, NULL,
	    JF_TS("21000") "\"MESSAGE\":\"m\"} x", 1 },
	{ JF_TS("22000") "\"MESSAGE\":\"m\"},",
	    ENVELOPE_DOCKER_JSON, TS_NONE, NULL, NULL,
	    JF_TS("22000") "\"MESSAGE\":\"m\"},", 1 },
	{ JF_TS("23000") "\"MESSAGE\":\"m\"",
	    ENVELOPE_DOCKER_JSON, TS_NONE, NULL, NULL,
	    JF_TS("23000") "\"MESSAGE\":\"m\"", 1 },
	{ JF_TS("24000") "\"MESSAGE\":\"m",
	    ENVELOPE_DOCKER_JSON, TS_NONE, NULL, NULL,
	    JF_TS("24000") "\"MESSAGE\":\"m", 1 },
	{ JF_TS("25000") "\"MESSAGE\":\"m\",\"log\":\"d\\n\"}",
	    ENVELOPE_DOCKER_JSON, TS_NONE, NULL, NULL, "d", 0 },
	{ JF_TS("26000") "\"MESSAGE\":\"m\",\"log\":\"d\\n\"}",
	    ENVELOPE_DOCKER_JSON, TS_NONE, NULL, NULL, "d", 0 },
	{ JF_TS("27000") "\"MESSAGE\":\"m\"}",
	    JF_J, T0 + 27, NULL, NULL, "m", 0 },
	/* a timestamp that is no sixteen digits where sixteen were */
	{ JF_TS("2800") "\"MESSAGE\":\"m\"}",
	    JF_J, 176143507102LL, NULL, NULL, "m", 0 },
	{ JF_TS("2900x") "\"MESSAGE\":\"m\"}",
	    JF_J, TS_NONE, NULL, NULL, "m", 0 },
	/* the first eight digits as before, then the rest no digits, then others */
	{ "{\"__REALTIME_TIMESTAMP\":\"1761435099999999\",\"MESSAGE\":\"m\"}",
	    JF_J, 1761435099999LL, NULL, NULL, "m", 0 },
	{ "{\"__REALTIME_TIMESTAMP\":\"17614350/9999999\",\"MESSAGE\":\"m\"}",
	    JF_J, TS_NONE, NULL, NULL, "m", 0 },
	{ "{\"__REALTIME_TIMESTAMP\":\"1861435071000000\",\"MESSAGE\":\"m\"}",
	    JF_J, 1861435071000LL, NULL, NULL, "m", 0 },
	{ "{\"__REALTIME_TIMESTAMP\":\"186143507100000:\",\"MESSAGE\":\"m\"}",
	    JF_J, TS_NONE, NULL, NULL, "m", 0 },
};

static void
check_jf_case(const struct envelope_line *l, const struct jf_case *c)
{
	el = *l;
	assert_int_equal(el.format, c->format);
	assert_int_equal(el.ts, c->ts);
	if (c->source == NULL)
		assert_null(el.source);
	else
		assert_source(c->source);
	assert_level(c->level);
	assert_msg(c->msg);
	assert_int_equal(el.malformed, c->malformed);
}

/* A line of its own in the heap, so that nothing read can point into the one before. */
static void
decode_copy(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out, char **copy)
{
	free(*copy);
	*copy = xmalloc(len > 0 ? len : 1);
	memcpy(*copy, line, len);
	envelope_decode(e, *copy, len, out);
}

static void
test_journald_layout(void **state)
{
	struct envelope *e = envelope_new(ENVELOPE_AUTO, NULL);
	struct envelope_line out;
	char *copy = NULL;
	size_t i, k, round;

	/* twice through: the second round starts from the last line's layout */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < UTIL_ARRAY_LEN(jf_seq); i++) {
			decode_copy(e, jf_seq[i].line, strlen(jf_seq[i].line),
			    &out, &copy);
			check_jf_case(&out, &jf_seq[i]);
			/* and as the first line an envelope reads */
			decode_str(ENVELOPE_AUTO, jf_seq[i].line);
			assert_same_line(&out, &el);
			/* each line again and again: its own layout, settled */
			for (k = 0; k < 6; k++) {
				decode_copy(e, jf_seq[i].line,
				    strlen(jf_seq[i].line), &out, &copy);
				check_jf_case(&out, &jf_seq[i]);
			}
		}
	}
	/* eight NULs where the first eight digits go, before any digits */
	decode(ENVELOPE_AUTO, "{\"__REALTIME_TIMESTAMP\":\"\0\0\0\0\0\0\0\0"
	    "00000001\",\"MESSAGE\":\"m\"}", 57);
	assert_int_equal(el.ts, TS_NONE);
	free(copy);
	envelope_free(e);
}

/*
 * More layouts interleaved than are remembered, then fewer: entries that
 * fit none for a while are read without trying them, then tried again.
 */
static void
test_journald_layout_many(void **state)
{
	struct envelope *e = envelope_new(ENVELOPE_AUTO, NULL);
	struct envelope_line out;
	char line[256], msg[64], name[32], *copy = NULL;
	size_t i, r;

	for (i = 0; i < 1200; i++) {
		/* six layouts in turn for 600 entries, then two */
		r = i < 600 ? i % 6 : i % 2;
		snprintf(msg, sizeof msg, "m%zu%s", i, i % 7 == 0 ? "\\\"q" : "");
		snprintf(name, sizeof name, "c%zu", i % 5 == 0 ? i % 3 : 0);
		snprintf(line, sizeof line, "{\"__REALTIME_TIMESTAMP\":\"%llu\","
		    "\"_K%zu\":\"%zu\",\"PRIORITY\":\"%zu\",\"%s\":\"%s\","
		    "\"MESSAGE\":\"%s\"}", 1761435071000000ULL + i * 1000ULL,
		    r, i % 4, i % 8, r % 2 ? "CONTAINER_NAME" : "SYSLOG_IDENTIFIER",
		    name, msg);
		decode_copy(e, line, strlen(line), &out, &copy);
		assert_int_equal(out.format, ENVELOPE_JOURNALD);
		assert_int_equal(out.ts, T0 + (int64_t)i);
		assert_int_equal(out.source_len, strlen(name));
		assert_memory_equal(out.source, name, out.source_len);
		decode_str(ENVELOPE_AUTO, line);
		assert_same_line(&out, &el);
	}
	free(copy);
	envelope_free(e);
}

/* Long values at a remembered place: a message of 100,000 bytes, a long name. */
static void
test_journald_layout_long(void **state)
{
	struct envelope *e = envelope_new(ENVELOPE_AUTO, NULL);
	struct envelope_line out;
	struct buf line, want;
	char *copy = NULL;
	size_t i, k;

	buf_init(&line);
	buf_init(&want);
	for (i = 0; i < 4; i++) {
		buf_reset(&line);
		buf_reset(&want);
		buf_puts(&line, JF_TS("00000") "\"CONTAINER_NAME\":\"");
		buf_puts(&line, LONG_NAME);
		buf_puts(&line, "\",\"MESSAGE\":\"");
		for (k = 0; k < 100000; k++) {
			/* an escaped quote near the end on odd lines */
			if (i % 2 == 1 && k == 99990) {
				buf_puts(&line, "\\\"");
				buf_putc(&want, '"');
				continue;
			}
			buf_putc(&line, (char)('a' + (k + i) % 26));
			buf_putc(&want, (char)('a' + (k + i) % 26));
		}
		buf_puts(&line, "\"}");
		decode_copy(e, line.data, line.len, &out, &copy);
		assert_int_equal(out.format, ENVELOPE_JOURNALD);
		assert_int_equal(out.ts, T0);
		assert_int_equal(out.source_len, strlen(LONG_NAME));
		assert_memory_equal(out.source, LONG_NAME, out.source_len);
		assert_int_equal(out.msg_len, want.len);
		assert_memory_equal(out.msg, want.data, want.len);
		decode(ENVELOPE_AUTO, line.data, line.len);
		assert_same_line(&out, &el);
	}
	/* the same long message again, cut one byte short of its closing quote */
	decode_copy(e, line.data, line.len - 2, &out, &copy);
	assert_int_equal(out.format, ENVELOPE_DOCKER_JSON);
	assert_int_equal(out.malformed, 1);
	assert_int_equal(out.msg_len, line.len - 2);
	buf_free(&line);
	buf_free(&want);
	free(copy);
	envelope_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stamp_second_reused),
		cmocka_unit_test_teardown(test_json_basic, teardown),
		cmocka_unit_test_teardown(test_json_key_order_extra_keys, teardown),
		cmocka_unit_test_teardown(test_json_escapes, teardown),
		cmocka_unit_test_teardown(test_json_lone_surrogate, teardown),
		cmocka_unit_test_teardown(test_json_partial, teardown),
		cmocka_unit_test_teardown(test_json_usual_shape, teardown),
		cmocka_unit_test_teardown(test_json_broken, teardown),
		cmocka_unit_test_teardown(test_json_other_is_plain, teardown),
		cmocka_unit_test_teardown(test_json_forced_broken, teardown),
		cmocka_unit_test_teardown(test_docker_ts, teardown),
		cmocka_unit_test_teardown(test_docker_ts_inner_stamps, teardown),
		cmocka_unit_test_teardown(test_compose, teardown),
		cmocka_unit_test_teardown(test_capital, teardown),
		cmocka_unit_test_teardown(test_compose_ts, teardown),
		cmocka_unit_test_teardown(test_desktop, teardown),
		cmocka_unit_test_teardown(test_syslog, teardown),
		cmocka_unit_test_teardown(test_pasted, teardown),
		cmocka_unit_test_teardown(test_pasted_quote, teardown),
		cmocka_unit_test_teardown(test_pasted_numbers, teardown),
		cmocka_unit_test_teardown(test_file_prefix, teardown),
		cmocka_unit_test_teardown(test_colours, teardown),
		cmocka_unit_test_teardown(test_tail_headings, teardown),
		cmocka_unit_test_teardown(test_kubectl_and_swarm, teardown),
		cmocka_unit_test_teardown(test_logfmt, teardown),
		cmocka_unit_test_teardown(test_logfmt_gokit, teardown),
		cmocka_unit_test_teardown(test_logfmt_keyed, teardown),
		cmocka_unit_test_teardown(test_cri, teardown),
		cmocka_unit_test_teardown(test_logrus, teardown),
		cmocka_unit_test_teardown(test_journald, teardown),
		cmocka_unit_test_teardown(test_journald_known_keys, teardown),
		cmocka_unit_test_teardown(test_journald_blanks, teardown),
		cmocka_unit_test_teardown(test_journald_first, teardown),
		cmocka_unit_test_teardown(test_journald_layout, teardown),
		cmocka_unit_test_teardown(test_journald_layout_many, teardown),
		cmocka_unit_test_teardown(test_journald_layout_long, teardown),
		cmocka_unit_test_teardown(test_plain_and_names, teardown),
		cmocka_unit_test_teardown(test_digit_first, teardown),
		cmocka_unit_test_teardown(test_remembered_prefix_and_stamp, teardown),
		cmocka_unit_test_teardown(test_ascii_same, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
