/*
 * gen_corpus.c - deterministic benchmark corpus: the logs of a simulated
 * exai-mcp-daemon (a Python LLM gateway) in the envelopes Docker writes,
 * plus an exact truth JSON of what a correct analysis must find.
 *
 * Standalone: it knows nothing of logtriage.  The truth is computed from the
 * records actually written (not from what was planned), so a size cut in the
 * middle of a storm or before a recovery stays exact.
 *
 *   gen_corpus --seed N --size 1G --envelope ENVELOPE
 *              [--storms K] [--out FILE] [--truth FILE]
 *
 * Envelopes: plain (docker logs), docker-ts (docker logs -t), docker-json
 * (the json-file driver's files), compose (docker compose logs), mixed
 * (docker compose logs -t), journald (journalctl -o json of the journald
 * driver), blend (every container in an envelope of its own: the daemon
 * as compose -t, the shim as json-file, redis as compose without -t).
 * plain, docker-ts, docker-json and journald hold the daemon only.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define US		1000000LL
#define SPLIT		16384		/* docker's partial-message size */
#define START_EPOCH	1761433200LL	/* 2025-10-25T23:00:00Z */

enum envelope {
	ENV_PLAIN, ENV_MIXED, ENV_JSON, ENV_DOCKER_TS, ENV_COMPOSE,
	ENV_JOURNALD, ENV_BLEND
};
enum container { C_DAEMON, C_SHIM, C_REDIS, C_COUNT };
enum scope { S_GLOBAL, S_KIMI, S_GLM };
enum model { M_GLM46, M_KIMI, M_FLASH, M_COUNT };

/* What a record is, for the truth.  Everything else is K_NONE. */
enum kind {
	K_NONE, K_RETRY, K_TIMEOUT, K_PERR, K_FALLBACK, K_LEAK, K_HEALTH,
	K_REC_OK, K_REC_FAIL, K_DREL, K_WS, K_LAT, K_LONG,
	K_HTTP429, K_HTTP5XX,		/* httpx's 429 and 5xx responses */
	K_COUNT
};

struct rec {
	int64_t		 t;		/* µs since the epoch */
	uint64_t	 seq;		/* ties keep scheduling order */
	char		*text;		/* lines joined by \n, no final \n */
	uint32_t	 len;
	uint8_t		 container;
	uint8_t		 stdout_stream;
	uint8_t		 kind;
	uint8_t		 aux;		/* scope, model or peer index */
	int32_t		 value;		/* latency ms */
};

struct heap {
	struct rec	*v;
	size_t		 n, cap;
};

struct ivec {
	int64_t		*v;
	size_t		 n, cap;
};

static const char *model_name[M_COUNT] = {
	"glm-4.6", "kimi-k2-0905-preview", "glm-4.5-flash"
};
static const char *scope_name[] = { "global", "kimi", "glm" };
static const char *container_name[C_COUNT] = {
	"exai-mcp-daemon-1", "exai-mcp-shim-1", "redis-1"
};
static const char *tools[] = {
	"chat", "chat", "chat", "analyze", "codereview", "planner", "debug",
	"thinkdeep", "consensus", "refactor"
};
static const char *sporadic_peer[] = {
	"172.18.0.1", "172.18.0.5", "172.18.0.7", "172.18.0.9", "172.18.0.11",
	"172.18.0.14", "172.18.0.16", "10.0.2.2", "192.168.1.20", "192.168.1.34"
};
#define N_SPORADIC	(sizeof(sporadic_peer) / sizeof(sporadic_peer[0]))
#define N_PEERS		(N_SPORADIC + 64)

/* Options and state of one run. */
static struct {
	uint64_t	 rng;
	uint64_t	 seq;
	enum envelope	 env;
	uint64_t	 target;
	int		 storms;
	double		 leak_rate, timeout_rate;
	struct heap	 heap;
	FILE		*out;
	char		*obuf;
	size_t		 olen;
	uint64_t	 bytes, lines;
	int64_t		 last_stamp[C_COUNT];	/* ns, per container */
	int		 global_limit;
	int64_t		 last_leak[3];
	int64_t		 last_sporadic[N_SPORADIC];
	char		 storm_peer[64][20];

	/* truth */
	uint64_t	 daemon_records, daemon_lines, other_lines[C_COUNT];
	uint64_t	 count[K_COUNT];
	uint64_t	 tracebacks, tb_records, split_records;
	uint32_t	 max_long;
	int64_t		 first_ts, last_ts;
	struct ivec	 lat[M_COUNT];
	struct ivec	 ws;		/* sec << 8 | peer */
	struct ivec	 leaks;		/* sec << 2 | scope */
	struct ivec	 recs;		/* sec << 2 | scope, successes only */
} g;

static void
die(const char *msg)
{
	fprintf(stderr, "gen_corpus: %s\n", msg);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die("out of memory");
	return p;
}

static void
ivec_push(struct ivec *v, int64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = x;
}

/* splitmix64: small, fast and the same everywhere. */
static uint64_t
rnd(void)
{
	uint64_t z = (g.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
unif(void)
{
	return (rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static int
irange(int lo, int hi)
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

static int
chance(double p)
{
	return unif() < p;
}

static double
normal(void)
{
	double u = unif(), v = unif();

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static double
expo(double mean)
{
	return -mean * log(1.0 - unif());
}

static void
hex(char *dst, int n)
{
	static const char digits[] = "0123456789abcdef";
	uint64_t r = rnd();
	int i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 15)
			r = rnd();
		dst[i] = digits[r & 15];
		r >>= 4;
	}
	dst[n] = '\0';
}

/* ---- the heap of scheduled records ------------------------------------ */

static int
rec_before(const struct rec *a, const struct rec *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
heap_push(struct rec *r)
{
	struct heap *h = &g.heap;
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 4096;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	r->seq = g.seq++;
	i = h->n++;
	while (i > 0 && rec_before(r, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = *r;
}

static struct rec
heap_pop(void)
{
	struct heap *h = &g.heap;
	struct rec top = h->v[0], last = h->v[--h->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && rec_before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!rec_before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	h->v[i] = last;
	return top;
}

/* ---- building record text --------------------------------------------- */

static char	 tbuf[80 * 1024];
static size_t	 tlen;

static void
tadd(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tbuf + tlen, sizeof(tbuf) - tlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tbuf) - tlen)
		die("record too long");
	tlen += (size_t)n;
}

/* Python's asctime; about 15% of records use the ",mmm" form. */
static void
tstart(int64_t t, const char *level, const char *logger)
{
	time_t sec = (time_t)(t / US);
	struct tm tm;

	gmtime_r(&sec, &tm);
	tlen = strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
	if (chance(0.15))
		tadd(",%03d", (int)(t % US / 1000));
	tadd(" %s %s: ", level, logger);
}

/* Schedule the record built in tbuf. */
static void
emit(int64_t t, int container, enum kind kind, int aux, int value)
{
	struct rec r;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.text = xrealloc(NULL, tlen + 1);
	memcpy(r.text, tbuf, tlen);
	r.text[tlen] = '\0';
	r.len = (uint32_t)tlen;
	r.container = (uint8_t)container;
	r.kind = (uint8_t)kind;
	r.aux = (uint8_t)aux;
	r.value = value;
	if (container == C_DAEMON && (strstr(r.text, "uvicorn.access:") ||
	    strncmp(r.text, "[EXAI]", 6) == 0))
		r.stdout_stream = 1;
	heap_push(&r);
}

static void
line(int64_t t, const char *level, const char *logger, const char *fmt, ...)
{
	va_list ap;
	int n;

	tstart(t, level, logger);
	va_start(ap, fmt);
	n = vsnprintf(tbuf + tlen, sizeof(tbuf) - tlen, fmt, ap);
	va_end(ap);
	tlen += (size_t)n;
	emit(t, C_DAEMON, K_NONE, 0, 0);
}

/* ---- output: envelopes ------------------------------------------------- */

static void
flush_out(void)
{
	if (g.olen && fwrite(g.obuf, 1, g.olen, g.out) != g.olen)
		die("write failed");
	g.olen = 0;
}

static void
put(const void *p, size_t n)
{
	if (g.olen + n > (1 << 20))
		flush_out();
	if (n > (1 << 20)) {
		if (fwrite(p, 1, n, g.out) != n)
			die("write failed");
	} else {
		memcpy(g.obuf + g.olen, p, n);
		g.olen += n;
	}
	g.bytes += n;
}

static void
putc_out(char c)
{
	put(&c, 1);
}

/* RFC 3339 with nanoseconds; Go's RFC3339Nano trims trailing zeros. */
static size_t
stamp(char *dst, int64_t ns, int trim)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	int frac = (int)(ns % 1000000000LL), digits = 9;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(dst, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	if (trim) {
		while (digits > 0 && frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
	}
	if (digits > 0)
		n += (size_t)sprintf(dst + n, ".%0*d", digits, frac);
	dst[n++] = 'Z';
	dst[n] = '\0';
	return n;
}

/* The docker daemon's time for a physical line: after the process wrote it,
 * never backwards within a container. */
static int64_t
docker_ns(int container, int64_t t, int continuation)
{
	int64_t ns;

	if (continuation)
		ns = g.last_stamp[container] + 150 + (int64_t)(rnd() % 120);
	else
		ns = (t + irange(30, 400)) * 1000 + (int64_t)(rnd() % 1000);
	if (ns <= g.last_stamp[container])
		ns = g.last_stamp[container] + 1;
	g.last_stamp[container] = ns;
	return ns;
}

/* Length of a valid UTF-8 sequence at p (as Go decodes it), 0 if invalid. */
static int
utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return n >= 3 && p[1] >= lo && p[1] <= hi &&
		    (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && p[1] >= lo && p[1] <= hi &&
		    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* The string escaping of moby's jsonlog. */
static void
put_json_string(const unsigned char *p, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i = 0, run = 0;
	char esc[8];

	while (i < n) {
		unsigned c = p[i];
		int l;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' &&
		    c != '>' && c != '&') {
			i++;
			continue;
		}
		if (c >= 0x80 && (l = utf8_len(p + i, n - i)) > 0) {
			i += (size_t)l;
			continue;
		}
		put(p + run, i - run);
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(esc, 2);
		} else if (c == '\n')
			put("\\n", 2);
		else if (c == '\r')
			put("\\r", 2);
		else if (c >= 0x80)
			put("\\ufffd", 6);
		else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hexd[c >> 4];
			esc[5] = hexd[c & 15];
			put(esc, 6);
		}
		run = ++i;
	}
	put(p + run, n - run);
}

static void
put_json_record(const char *p, size_t n, int nl, int stdout_stream,
    const char *ts, size_t tslen)
{
	put("{\"log\":\"", 8);
	put_json_string((const unsigned char *)p, n);
	if (nl)
		put("\\n", 2);
	if (stdout_stream)
		put("\",\"stream\":\"stdout\",\"time\":\"", 28);
	else
		put("\",\"stream\":\"stderr\",\"time\":\"", 28);
	put(ts, tslen);
	put("\"}\n", 3);
	g.lines++;
}

/* One entry of the journald log driver, as journalctl -o json prints it. */
static void
put_journald(const struct rec *r, const char *p, size_t n, int64_t ns)
{
	char head[160];
	int k;

	k = snprintf(head, sizeof head, "{\"__REALTIME_TIMESTAMP\":\"%lld\","
	    "\"PRIORITY\":\"%d\",\"CONTAINER_NAME\":\"%s\",\"MESSAGE\":\"",
	    (long long)(ns / 1000), r->stdout_stream ? 6 : 3,
	    container_name[r->container]);
	put(head, (size_t)k);
	put_json_string((const unsigned char *)p, n);
	put("\"}\n", 3);
	g.lines++;
}

static void
write_physical(const struct rec *r, const char *p, size_t n, int cont)
{
	static char prefix[C_COUNT][40];
	char ts[48];
	size_t tl, off;
	enum envelope env;

	if (prefix[0][0] == '\0') {
		int c;

		for (c = 0; c < C_COUNT; c++)
			snprintf(prefix[c], sizeof(prefix[c]), "%-19s| ",
			    container_name[c]);
	}
	env = g.env;
	if (env == ENV_BLEND)
		env = r->container == C_DAEMON ? ENV_MIXED :
		    r->container == C_SHIM ? ENV_JSON : ENV_COMPOSE;
	if (n >= SPLIT && r->container == C_DAEMON && (env == ENV_MIXED ||
	    env == ENV_JSON || env == ENV_DOCKER_TS))
		g.split_records++;
	switch (env) {
	case ENV_BLEND:		/* resolved above */
	case ENV_PLAIN:
		put(p, n);
		putc_out('\n');
		g.lines++;
		break;
	case ENV_COMPOSE:
		/* without -t the partial messages join up again */
		put(prefix[r->container], strlen(prefix[r->container]));
		put(p, n);
		putc_out('\n');
		g.lines++;
		break;
	case ENV_JOURNALD:
		put_journald(r, p, n, docker_ns(r->container, r->t, cont));
		break;
	case ENV_DOCKER_TS:
	case ENV_MIXED:
		if (env == ENV_MIXED)
			put(prefix[r->container], strlen(prefix[r->container]));
		tl = stamp(ts, docker_ns(r->container, r->t, cont), 0);
		ts[tl++] = ' ';
		/* docker logs -t stamps every 16 KiB partial message. */
		for (off = 0; off < n || off == 0; off += SPLIT) {
			size_t k = n - off < SPLIT ? n - off : SPLIT;

			put(ts, tl);
			put(p + off, k);
			if (n == 0)
				break;
		}
		putc_out('\n');
		g.lines++;
		break;
	case ENV_JSON:
		tl = stamp(ts, docker_ns(r->container, r->t, cont), 1);
		for (off = 0; n - off >= SPLIT; off += SPLIT)
			put_json_record(p + off, SPLIT, 0, r->stdout_stream, ts, tl);
		put_json_record(p + off, n - off, 1, r->stdout_stream, ts, tl);
		break;
	}
}

static void
account(const struct rec *r, int nlines)
{
	const char *p;

	if (r->container != C_DAEMON) {
		g.other_lines[r->container] += (uint64_t)nlines;
		return;
	}
	g.daemon_records++;
	g.daemon_lines += (uint64_t)nlines;
	if (r->text[0] >= '0' && r->text[0] <= '9') {
		int64_t sec = r->t / US;

		if (g.first_ts < 0)
			g.first_ts = sec;
		g.last_ts = sec;
	}
	g.count[r->kind]++;
	if (nlines > 1) {
		int n = 0;

		for (p = r->text; (p = strstr(p, "\nTraceback (most recent call last):")); p++)
			n++;
		g.tracebacks += (uint64_t)n;
		if (n > 0)
			g.tb_records++;
	}
	switch (r->kind) {
	case K_LAT:
		ivec_push(&g.lat[r->aux], r->value);
		break;
	case K_WS:
		ivec_push(&g.ws, (r->t / US) << 8 | r->aux);
		break;
	case K_LEAK:
		ivec_push(&g.leaks, (r->t / US) << 2 | r->aux);
		break;
	case K_REC_OK:
		ivec_push(&g.recs, (r->t / US) << 2 | r->aux);
		break;
	case K_LONG:
		if (r->len > g.max_long)
			g.max_long = r->len;
		break;
	default:
		break;
	}
}

/* Write one record; its text is freed. */
static void
write_rec(struct rec *r)
{
	const char *p = r->text, *end = r->text + r->len, *nl;
	int nlines = 0;

	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		write_physical(r, p, nl ? (size_t)(nl - p) : (size_t)(end - p),
		    nlines > 0);
		nlines++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	account(r, nlines);
	free(r->text);
}

/* ---- the simulated daemon ---------------------------------------------- */

static void
traceback_timeout(void)
{
	tadd("\nTraceback (most recent call last):"
	    "\n  File \"/usr/local/lib/python3.11/site-packages/httpx/_transports/default.py\", line 101, in map_httpcore_exceptions"
	    "\n    yield"
	    "\n  File \"/usr/local/lib/python3.11/site-packages/httpx/_transports/default.py\", line 394, in handle_async_request"
	    "\n    resp = await self._pool.handle_async_request(req)"
	    "\nhttpx.ReadTimeout"
	    "\n"
	    "\nThe above exception was the direct cause of the following exception:"
	    "\n"
	    "\nTraceback (most recent call last):"
	    "\n  File \"/usr/local/lib/python3.11/site-packages/openai/_base_client.py\", line %d, in request"
	    "\n    response = await self._client.send("
	    "\n  File \"/app/src/providers/mixins/retry_mixin.py\", line %d, in _call_with_retry"
	    "\n    return await fn()"
	    "\nopenai.APITimeoutError: Request timed out.",
	    irange(1540, 1610), irange(80, 99));
}

static const char *
provider_of(int m)
{
	return m == M_KIMI ? "KIMI" : "GLM";
}

static void
http_ok(int64_t t, int m)
{
	line(t, "INFO", "httpx", "HTTP Request: POST %s \"HTTP/1.1 200 OK\"",
	    m == M_KIMI ? "https://api.moonshot.ai/v1/chat/completions" :
	    "https://api.z.ai/api/paas/v4/chat/completions");
}

/* The dict with the latency, in one of the three key orders the daemon uses. */
static void
latency_line(int64_t t, int m, int ms, int tokens)
{
	tstart(t, "INFO", "tools.chat");
	switch (rnd() % 3) {
	case 0:
		tadd("Completed: {'model': '%s', 'provider': '%s', 'ai_response_time_ms': %d, 'tokens': %d, 'finish_reason': 'stop'}",
		    model_name[m], provider_of(m), ms, tokens);
		break;
	case 1:
		tadd("Response metrics: {'ai_response_time_ms': %d, 'model': '%s', 'tokens': %d, 'cached': False}",
		    ms, model_name[m], tokens);
		break;
	default:
		tadd("Call stats: {'provider': '%s', 'model': '%s', 'tokens': %d, 'ai_response_time_ms': %d, 'cached': True}",
		    provider_of(m), model_name[m], tokens, ms);
		break;
	}
	emit(t, C_DAEMON, K_LAT, m, ms);
}

static int
latency_ms(int m)
{
	static const double mu[M_COUNT] = { 7.31, 8.27, 6.63 };	/* ln median */
	static const double sigma[M_COUNT] = { 0.91, 0.65, 0.45 };
	double v = exp(mu[m] + sigma[m] * normal());

	if (v < 80)
		v = 80;
	if (v > 175000)
		v = 175000;
	return (int)v;
}

static void
long_payload(int64_t t, const char *req)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz      .,";
	int n = irange(3000, 65536 - 200), i;
	uint64_t r = 0;

	tstart(t, "INFO", "src.daemon.ws_server");
	tadd("Request payload for req=%s: {\"messages\": [{\"role\": \"user\", \"content\": \"", req);
	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			r = rnd();
		tbuf[tlen++] = alpha[(r & 0xff) % (sizeof(alpha) - 1)];
		r >>= 8;
	}
	tadd("\"}]}");
	emit(t, C_DAEMON, K_LONG, 0, 0);
}

static void
prompt_preview(int64_t t)
{
	static const char *bad[] = {
		"caf\xe9 cr\xe8me br\xfb" "l\xe9" "e", "\x93smart quotes\x94 \x96 dash",
		"na\xefve r\xe9sum\xe9", "Stra\xdf" "e \xfc" "ber alles", "price: 10\x80"
	};
	static const char *good[] = {
		"emoji \xf0\x9f\x9a\x80 rocket", "caf\xc3\xa9 cr\xc3\xa8me",
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe8\xb3\xaa\xe5\x95\x8f",
		"Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln"
	};

	if (chance(0.4))
		line(t, "INFO", "tools.chat", "Prompt preview: '%s'",
		    bad[rnd() % 5]);
	else
		line(t, "INFO", "tools.chat", "Prompt preview: '%s'",
		    good[rnd() % 4]);
}

/* A leak after a completed request, its health warning and its recovery. */
static void
semaphore_leak(int64_t t)
{
	int s = (int)(rnd() % 4), exp_, act;
	double u;

	s = s >= 2 ? S_GLOBAL : s == 1 ? S_KIMI : S_GLM;
	if (g.last_leak[s] != 0 && t - g.last_leak[s] < 30 * US)
		return;
	g.last_leak[s] = t;
	exp_ = s == S_GLOBAL ? g.global_limit : s == S_KIMI ? 3 : 4;
	act = exp_ - (chance(0.8) ? 1 : 2);
	tstart(t, "WARNING", "src.monitoring.metrics");
	tadd("Semaphore leak detected: %s expected=%d, actual=%d",
	    scope_name[s], exp_, act);
	emit(t, C_DAEMON, K_LEAK, s, 0);
	if (chance(0.9)) {
		int64_t th = t + irange(5000, 300000);

		tstart(th, "WARNING", "src.daemon.middleware.semaphores");
		if (s == S_GLOBAL)
			tadd("SEMAPHORE HEALTH: Global semaphore leak: expected %d, got %d",
			    exp_, act);
		else
			tadd("SEMAPHORE HEALTH: Provider %s semaphore leak: expected %d, got %d",
			    s == S_KIMI ? "KIMI" : "GLM", exp_, act);
		emit(th, C_DAEMON, K_HEALTH, s, 0);
	}
	u = unif();
	t += irange(400000, 4900000);
	if (u < 0.87) {
		tstart(t, "INFO", "src.monitoring.metrics");
		tadd("Semaphore recovery: %s status=success, recovered=%d",
		    scope_name[s], exp_ - act);
		emit(t, C_DAEMON, K_REC_OK, s, 0);
	} else if (u < 0.95) {
		tstart(t, "WARNING", "src.monitoring.metrics");
		tadd("Semaphore recovery: %s status=failed, recovered=0",
		    scope_name[s]);
		emit(t, C_DAEMON, K_REC_FAIL, s, 0);
	}
}

static void
double_release(int64_t t, const char *req)
{
	double u = unif();

	if (u < 0.4) {
		tstart(t, "ERROR", "src.daemon.middleware.semaphores");
		tadd("Error releasing provider semaphore for req=%s", req);
		tadd("\nTraceback (most recent call last):"
		    "\n  File \"/app/src/daemon/middleware/semaphores.py\", line %d, in release"
		    "\n    self._sem.release()"
		    "\n  File \"/usr/local/lib/python3.11/threading.py\", line 514, in release"
		    "\n    raise ValueError('BoundedSemaphore released too many times')"
		    "\nValueError: BoundedSemaphore released too many times",
		    irange(120, 180));
	} else if (u < 0.8) {
		tstart(t, "ERROR", "src.daemon.ws.request_router");
		tadd("[%s] Failed to release global semaphore: BoundedSemaphore released too many times",
		    req);
	} else {
		tstart(t, "CRITICAL", "src.daemon.middleware.semaphores");
		tadd("CRITICAL: Failed to release provider semaphore (provider: KIMI): BoundedSemaphore released too many times");
	}
	emit(t, C_DAEMON, K_DREL, 0, 0);
}

static void
supabase_failure(int64_t t, const char *req)
{
	tstart(t, "ERROR", "src.storage.supabase_client");
	tadd("Failed to save message for req=%s", req);
	tadd("\nTraceback (most recent call last):"
	    "\n  File \"/app/src/storage/supabase_client.py\", line %d, in save_message"
	    "\n    await self._client.table('messages').insert(row).execute()"
	    "\n  File \"/usr/local/lib/python3.11/site-packages/postgrest/_async/request_builder.py\", line 78, in execute"
	    "\n    raise APIError(r.json())"
	    "\npostgrest.exceptions.APIError: {'code': '57014', 'message': 'canceling statement due to statement timeout'}",
	    irange(200, 260));
	emit(t, C_DAEMON, K_NONE, 0, 0);
}

static void
ws_decoy_traceback(int64_t t)
{
	tstart(t, "ERROR", "src.daemon.ws_server");
	tadd("Connection handler failed");
	tadd("\nTraceback (most recent call last):"
	    "\n  File \"/app/src/daemon/ws_server.py\", line %d, in _serve_connection"
	    "\n    async for raw in ws:"
	    "\n  File \"/usr/local/lib/python3.11/site-packages/websockets/legacy/protocol.py\", line 498, in __aiter__"
	    "\n    yield await self.recv()"
	    "\nwebsockets.exceptions.ConnectionClosedError: sent 1011 (internal error) keepalive ping timeout; no close frame received",
	    irange(300, 340));
	emit(t, C_DAEMON, K_NONE, 0, 0);
}

static void
shim_line(int64_t t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (chance(0.02)) {
		tstart(t - 700, "WARNING", "src.daemon.ws_shim");
		tadd("Daemon connection closed: sent 1011 (internal error) keepalive ping timeout; no close frame received; reconnecting in %.1fs",
		    0.5 + unif() * 2);
		emit(t - 700, C_SHIM, K_NONE, 0, 0);
	}
	tstart(t, "INFO", "src.daemon.ws_shim");
	va_start(ap, fmt);
	n = vsnprintf(tbuf + tlen, sizeof(tbuf) - tlen, fmt, ap);
	va_end(ap);
	tlen += (size_t)n;
	emit(t, C_SHIM, K_NONE, 0, 0);
}

/* Failure of the explicit model: retries, the retry_mixin ERROR, the
 * fallback warning.  Returns the time the fallback chain starts. */
static int64_t
failed_call(int64_t t, int m, int is_timeout)
{
	int attempts = irange(1, 3), i;
	char err[256];

	for (i = 1; i < attempts; i++) {
		t += is_timeout ? irange(30, 90) * US : irange(200, 900) * 1000;
		if (!is_timeout) {
			tstart(t - 1000, "INFO", "httpx");
			tadd("HTTP Request: POST https://api.z.ai/api/paas/v4/chat/completions \"HTTP/1.1 429 Too Many Requests\"");
			emit(t - 1000, C_DAEMON, K_HTTP429, 0, 0);
		}
		tstart(t, "INFO", "openai._base_client");
		tadd("Retrying request to /chat/completions in %.6f seconds",
		    0.4 + unif() * 1.6);
		emit(t, C_DAEMON, K_RETRY, 0, 0);
		t += irange(400, 2000) * 1000;
	}
	t += is_timeout ? irange(30, 90) * US : irange(200, 900) * 1000;
	snprintf(err, sizeof(err), "OpenAI Compatible chat completion for %s error after %d attempt%s: %s",
	    model_name[m], attempts, attempts == 1 ? "" : "s", is_timeout ?
	    "Request timed out." :
	    "Error code: 429 - {'error': {'message': 'Rate limit reached for requests', 'type': 'rate_limit_error'}}");
	tstart(t, "ERROR", "src.providers.mixins.retry_mixin");
	tadd("%s", err);
	if (is_timeout && chance(0.1))
		traceback_timeout();
	emit(t, C_DAEMON, is_timeout ? K_TIMEOUT : K_PERR, m, 0);
	t += irange(500, 3000);
	tstart(t, "WARNING", "tools.chat");
	tadd("Explicit model call failed; entering fallback chain");
	if (chance(0.6))
		tadd(": %s", err);
	emit(t, C_DAEMON, K_FALLBACK, m, 0);
	t += irange(100, 1500);
	line(t, "INFO", "tools.chat",
	    "Fallback chain: trying glm-4.6 (provider=GLM, position 1/3)");
	return t;
}

static void
request(int64_t t0)
{
	char req[17], sess[12], conv[40], logger[32];
	const char *tool = tools[rnd() % (sizeof(tools) / sizeof(tools[0]))];
	double u = unif();
	int m = u < 0.55 ? M_GLM46 : u < 0.90 ? M_KIMI : M_FLASH;
	int nopt = irange(6, 14) - 5, avail = 9, i, ms, tokens;
	int64_t t = t0;

	memcpy(req, "req-", 4);
	hex(req + 4, 12);
	memcpy(sess, "sess-", 5);
	hex(sess + 5, 6);
	hex(conv, 36);
	conv[8] = conv[13] = conv[18] = conv[23] = '-';
	if (chance(0.5))
		shim_line(t0 - irange(500, 3000),
		    "Forwarding tools/call %s to ws://exai-mcp-daemon:8079 (req=%s)",
		    tool, req);
	line(t, "INFO", "src.daemon.ws_server",
	    "Received call_tool request: tool=%s session=%s req=%s", tool, sess, req);
	t += irange(100, 800);
	line(t, "INFO", "mcp.server.lowlevel.server",
	    "Processing request of type CallToolRequest");
	/* Optional ordinary lines, nopt of avail, in their natural order. */
	for (i = 0; i < avail; i++) {
		if ((int)(rnd() % (uint64_t)(avail - i)) >= nopt)
			continue;
		nopt--;
		t += irange(20, 900);
		switch (i) {
		case 0:
			line(t, "INFO", "src.daemon.session_manager",
			    "Session %s active (clients=%d, age=%ds)", sess,
			    irange(1, 8), irange(10, 90000));
			break;
		case 1:
			line(t, "INFO", "src.router.service",
			    "Routing decision: category=%s model=%s confidence=%.2f",
			    chance(0.5) ? "BALANCED" : "FAST_RESPONSE",
			    model_name[m], 0.5 + unif() / 2);
			break;
		case 2:
			line(t, "INFO", "src.providers.registry",
			    "Selected provider %s for model %s (reason=%s)",
			    provider_of(m), model_name[m],
			    chance(0.5) ? "explicit" : "routing");
			break;
		case 3:
			snprintf(logger, sizeof(logger), "tools.%s", tool);
			line(t, "INFO", logger,
			    "Preparing request: model=%s temperature=%.1f max_tokens=%d stream=False",
			    model_name[m], chance(0.5) ? 0.3 : 0.7,
			    chance(0.5) ? 16384 : 32768);
			break;
		case 4:
			line(t, "INFO", "src.utils.conversation",
			    "Loaded conversation %s with %d turns (%d tokens)",
			    conv, irange(1, 40), irange(500, 60000));
			break;
		case 5:
			if (chance(0.6))
				line(t, "INFO", "src.cache.context_cache",
				    "Cache hit for key %.16s (ttl=1800s, hits=%d)",
				    conv + 24, irange(1, 40));
			else
				line(t, "INFO", "src.cache.context_cache",
				    "Cache miss for key %.16s", conv + 24);
			break;
		case 6:
			line(t, "INFO", "src.daemon.ws_server",
			    "Tool arguments validated for %s (%d fields)", tool,
			    irange(2, 9));
			break;
		case 7:
			line(t, "INFO", "src.utils.token_counter",
			    "Estimated prompt size: %d tokens", irange(200, 60000));
			break;
		default:
			line(t, "INFO", "src.storage.supabase_client",
			    "Saved message for conversation %s", conv);
			break;
		}
	}
	if (chance(0.004))
		prompt_preview(t += 200);
	if (chance(0.0006))
		long_payload(t += 300, req);

	u = unif();
	if (m == M_KIMI && u < g.timeout_rate) {
		t = failed_call(t, m, 1);
		m = M_GLM46;
	} else if (m != M_GLM46 && u > 0.99) {
		t = failed_call(t, m, 0);
		m = M_GLM46;
	} else if (u > 0.975) {
		int k = irange(1, 2);

		for (i = 0; i < k; i++) {
			int limited;

			t += irange(100, 900) * 1000;
			/* drawn before the stamp's fraction, as it always was */
			limited = chance(0.5);
			tstart(t, "INFO", "httpx");
			tadd("HTTP Request: POST %s \"HTTP/1.1 %s\"",
			    m == M_KIMI ? "https://api.moonshot.ai/v1/chat/completions" :
			    "https://api.z.ai/api/paas/v4/chat/completions",
			    limited ? "429 Too Many Requests" : "503 Service Unavailable");
			emit(t, C_DAEMON, limited ? K_HTTP429 : K_HTTP5XX, 0, 0);
			tstart(t + 200, "INFO", "openai._base_client");
			tadd("Retrying request to /chat/completions in %.6f seconds",
			    0.4 + unif() * 1.6);
			emit(t + 200, C_DAEMON, K_RETRY, 0, 0);
			t += irange(400, 2000) * 1000;
		}
	}
	ms = latency_ms(m);
	for (i = 30; i * 1000 < ms; i += 30)
		line(t + i * 1000000LL, "INFO", "src.daemon.progress",
		    "Progress %s: still waiting for %s (%ds elapsed)", req,
		    model_name[m], i);
	t += ms * 1000LL;
	http_ok(t, m);
	tokens = irange(300, 60000);
	t += irange(200, 2000);
	line(t, "INFO", m == M_KIMI ? "src.providers.kimi" : "src.providers.glm",
	    "%s usage: prompt_tokens=%d completion_tokens=%d total_tokens=%d",
	    provider_of(m), tokens - 250, 250, tokens);
	t += irange(20, 300);
	latency_line(t, m, ms, tokens);
	t += irange(100, 900);
	line(t, "INFO", "src.daemon.ws_server",
	    "Sent response for req=%s (%d bytes, %d chunks)", req,
	    irange(400, 40000), irange(1, 12));
	if (chance(0.5))
		shim_line(t + irange(1000, 30000),
		    "Response relayed to stdio client in %d ms", irange(5, 400));
	if (chance(0.001))
		supabase_failure(t + 5000, req);
	if (chance(0.0015))
		double_release(t + 800, req);
	if (chance(g.leak_rate))
		semaphore_leak(t + irange(5000, 20000));
}

static void
startup(int64_t t)
{
	g.global_limit = chance(0.5) ? 5 : 8;
	line(t, "INFO", "src.daemon.ws_server",
	    "Starting exai-mcp-daemon v2.3.1 on ws://0.0.0.0:8079 (pid=1)");
	line(t + 1500, "INFO", "src.daemon.config",
	    "Limits: {'max_concurrent': %d, 'kimi_max_concurrent': 3, 'glm_max_concurrent': 4, 'ai_response_time_ms_limit': 180000, 'tool_timeout_s': 180}",
	    g.global_limit);
	line(t + 3000, "INFO", "src.providers.registry",
	    "Registered providers: KIMI (kimi-k2-0905-preview, kimi-k2-turbo-preview), GLM (glm-4.6, glm-4.5-flash)");
	line(t + 4500, "INFO", "uvicorn.error",
	    "\033[32mINFO\033[0m:     Application startup complete.");
	line(t + 6000, "INFO", "src.monitoring.metrics",
	    "Semaphore status: global %d/%d available, kimi 3/3, glm 4/4",
	    g.global_limit, g.global_limit);
	tlen = 0;
	tadd("[EXAI] WebSocket daemon ready on 0.0.0.0:8079");
	emit(t + 8000, C_DAEMON, K_NONE, 0, 0);
}

static void
ws_close(int64_t t, int peer, const char *addr)
{
	tstart(t, "WARNING", "src.monitoring.resilient_websocket");
	tadd("Connection closed for %s:%d: sent 1011 (internal error) keepalive ping timeout; no close frame received",
	    addr, irange(32768, 60999));
	emit(t, C_DAEMON, K_WS, peer, 0);
}

static void
storm(int64_t t, int k)
{
	int n = irange(120, 600), i, peer = N_SPORADIC + k % 64;
	double gap = 0.15 + unif() * 0.65;

	for (i = 0; i < n; i++) {
		double d = expo(gap);

		ws_close(t, peer, g.storm_peer[k % 64]);
		if (chance(0.01))
			ws_decoy_traceback(t + 2000);
		t += (int64_t)((d > 15 ? 15 : d) * US);
	}
}

static void
redis_save(int64_t t)
{
	int pid = irange(100, 30000);
	char d[32];
	time_t sec;
	struct tm tm;
	int c;

	for (c = 0; c < 3; c++) {
		int64_t tc = t + c * 20000;

		sec = (time_t)(tc / US);
		gmtime_r(&sec, &tm);
		strftime(d, sizeof(d), "%d %b %Y %H:%M:%S", &tm);
		tlen = 0;
		if (c == 0)
			tadd("1:M %s.%03d * %d changes in 300 seconds. Saving...", d,
			    (int)(tc % US / 1000), irange(1, 200));
		else if (c == 1)
			tadd("1:M %s.%03d * Background saving started by pid %d", d,
			    (int)(tc % US / 1000), pid);
		else
			tadd("%d:C %s.%03d * DB saved on disk", pid, d,
			    (int)(tc % US / 1000));
		emit(tc, C_REDIS, K_NONE, 0, 0);
	}
}

/* ---- truth -------------------------------------------------------------- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
iso(char *dst, int64_t sec)
{
	time_t s = (time_t)sec;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(dst, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *
peer_addr(int p)
{
	return p < (int)N_SPORADIC ? sporadic_peer[p] : g.storm_peer[p - N_SPORADIC];
}

/* The storm rule of the README, over the 1011 closes that were written. */
static void
truth_storms(FILE *f, uint64_t *sporadic)
{
	int64_t *t = xrealloc(NULL, (g.ws.n + 1) * sizeof(*t));
	size_t i, n, a, b, first = 1;
	int p;

	*sporadic = 0;
	fprintf(f, "  \"ws_storms\": [");
	for (p = 0; p < (int)N_PEERS; p++) {
		for (n = 0, i = 0; i < g.ws.n; i++)
			if ((g.ws.v[i] & 0xff) == p)
				t[n++] = g.ws.v[i] >> 8;
		for (a = 0; a < n; a = b) {
			size_t detected = 0, max = 0, j, lo;
			int storm_found = 0;

			for (b = a + 1; b < n && t[b] - t[b - 1] <= 60; b++)
				;
			for (j = a; j + 19 < b; j++)
				if (t[j + 19] - t[j] < 60) {
					storm_found = 1;
					detected = j + 19;
					break;
				}
			if (!storm_found) {
				*sporadic += b - a;
				continue;
			}
			for (lo = a, j = a; j < b; j++) {
				while (t[j] - t[lo] >= 60)
					lo++;
				if (j - lo + 1 > max)
					max = j - lo + 1;
			}
			{
				char s[24], e[24], d[24];

				iso(s, t[a]);
				iso(e, t[b - 1]);
				iso(d, t[detected]);
				fprintf(f, "%s\n    {\"peer\": \"%s\", \"start\": \"%s\", \"end\": \"%s\", \"count\": %zu, \"detected_at\": \"%s\", \"max_in_60s\": %zu}",
				    first ? "" : ",", peer_addr(p), s, e, b - a, d, max);
				first = 0;
			}
		}
	}
	fprintf(f, "%s],\n", first ? "" : "\n  ");
	free(t);
}

/* Leaks without a success recovery of their scope 0-10 s later; each
 * recovery pays for one leak. */
static uint64_t
unrecovered(void)
{
	uint64_t n = 0;
	size_t i, j;
	char *used = calloc(g.recs.n + 1, 1);

	for (i = 0; i < g.leaks.n; i++) {
		int64_t t = g.leaks.v[i] >> 2, s = g.leaks.v[i] & 3;
		int found = 0;

		for (j = 0; j < g.recs.n; j++) {
			int64_t rt = g.recs.v[j] >> 2;

			if (used[j] || (g.recs.v[j] & 3) != s || rt < t || rt - t > 10)
				continue;
			used[j] = 1;
			found = 1;
			break;
		}
		if (!found)
			n++;
	}
	free(used);
	return n;
}

static void
write_truth(const char *path, uint64_t seed, const char *size_arg,
    double seconds)
{
	static const char *envname[] = {
		"plain", "mixed", "docker-json", "docker-ts", "compose", "journald",
		"blend"
	};
	FILE *f = fopen(path, "w");
	uint64_t sporadic;
	char a[24], b[24];
	int m;

	if (f == NULL)
		die("cannot write truth");
	fprintf(f, "{\n  \"generator\": {\"name\": \"gen_corpus.c\", \"version\": \"1\", \"seed\": %llu, \"size_arg\": \"%s\", \"size_target\": %llu, \"envelope\": \"%s\", \"start\": \"2025-10-25T23:00:00Z\", \"storms_requested\": %d, \"leak_rate\": %g, \"timeout_rate\": %g},\n",
	    (unsigned long long)seed, size_arg, (unsigned long long)g.target,
	    envname[g.env], g.storms, g.leak_rate, g.timeout_rate);
	fprintf(f, "  \"bytes\": %llu,\n  \"lines\": %llu,\n  \"daemon_records\": %llu,\n  \"daemon_lines\": %llu,\n",
	    (unsigned long long)g.bytes, (unsigned long long)g.lines,
	    (unsigned long long)g.daemon_records, (unsigned long long)g.daemon_lines);
	fprintf(f, "  \"other_lines\": {\"exai-mcp-shim-1\": %llu, \"redis-1\": %llu},\n",
	    (unsigned long long)g.other_lines[C_SHIM],
	    (unsigned long long)g.other_lines[C_REDIS]);
	iso(a, g.first_ts);
	iso(b, g.last_ts);
	fprintf(f, "  \"first_timestamp\": \"%s\",\n  \"last_timestamp\": \"%s\",\n", a, b);
	qsort(g.ws.v, g.ws.n, sizeof(*g.ws.v), cmp_i64);
	{
		FILE *tmp = tmpfile();
		char buf[4096];
		size_t n;

		if (tmp == NULL)
			die("tmpfile failed");
		truth_storms(tmp, &sporadic);
		fprintf(f, "  \"counts\": {\n");
#define C(key, v) fprintf(f, "    \"%s\": %llu,\n", key, (unsigned long long)(v))
		C("retry", g.count[K_RETRY]);
		C("timeout", g.count[K_TIMEOUT]);
		C("provider_error", g.count[K_PERR]);
		C("fallback", g.count[K_FALLBACK]);
		C("semaphore_leak", g.count[K_LEAK]);
		C("semaphore_health", g.count[K_HEALTH]);
		C("semaphore_recovery_success", g.count[K_REC_OK]);
		C("semaphore_recovery_failed", g.count[K_REC_FAIL]);
		C("unrecovered_leaks", unrecovered());
		C("double_release", g.count[K_DREL]);
		C("tracebacks", g.tracebacks);
		C("traceback_records", g.tb_records);
		C("ws_1011_total", g.count[K_WS]);
		C("ws_sporadic", sporadic);
		C("ws_storm_closes", g.count[K_WS] - sporadic);
		C("latency_lines", g.count[K_LAT]);
		C("long_records", g.count[K_LONG]);
		C("http_429", g.count[K_HTTP429]);
		C("http_5xx", g.count[K_HTTP5XX]);
#undef C
		fprintf(f, "    \"docker_split_records\": %llu\n  },\n",
		    (unsigned long long)g.split_records);
		rewind(tmp);
		while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
			fwrite(buf, 1, n, f);
		fclose(tmp);
	}
	fprintf(f, "  \"latency_ms\": {");
	for (m = 0; m < M_COUNT; m++) {
		struct ivec *v = &g.lat[m];
		int64_t sum = 0;
		size_t i, k;
		static const int pct[] = { 50, 95, 99 };

		fprintf(f, "%s\n    \"%s\": {", m ? "," : "", model_name[m]);
		if (v->n == 0) {
			fprintf(f, "\"count\": 0}");
			continue;
		}
		qsort(v->v, v->n, sizeof(*v->v), cmp_i64);
		for (i = 0; i < v->n; i++)
			sum += v->v[i];
		fprintf(f, "\"count\": %zu, \"sum\": %lld, \"mean\": %.3f", v->n,
		    (long long)sum, (double)sum / (double)v->n);
		for (k = 0; k < 3; k++) {
			/* nearest rank: ceil(p/100 * n), in integers */
			size_t rank = (pct[k] * v->n + 99) / 100;

			fprintf(f, ", \"p%d\": %lld", pct[k],
			    (long long)v->v[rank ? rank - 1 : 0]);
		}
		fprintf(f, ", \"min\": %lld, \"max\": %lld}", (long long)v->v[0],
		    (long long)v->v[v->n - 1]);
	}
	fprintf(f, "\n  },\n  \"max_long_record_bytes\": %u,\n  \"generation_seconds\": %.2f\n}\n",
	    g.max_long, seconds);
	if (fclose(f) != 0)
		die("cannot write truth");
}

/* ---- main loop ---------------------------------------------------------- */

static uint64_t
parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'k': case 'K':
		v *= 1024;
		break;
	case 'm': case 'M':
		v *= 1024 * 1024;
		break;
	case 'g': case 'G':
		v *= 1024.0 * 1024 * 1024;
		break;
	case '\0':
		break;
	default:
		die("bad --size");
	}
	if (v < 1)
		die("bad --size");
	return (uint64_t)v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen_corpus [--seed N] [--size S[K|M|G]] [--envelope ENVELOPE]\n"
	    "                  [--storms K] [--leak-rate P] [--timeout-rate P] [--out FILE] [--truth FILE]\n"
	    "envelopes: plain docker-ts docker-json compose mixed (= compose-ts) journald blend\n");
	exit(2);
}

/* Emit every scheduled record up to time t; 1 once the target is reached. */
static int
drain(int64_t t)
{
	while (g.heap.n > 0 && g.heap.v[0].t <= t) {
		struct rec r = heap_pop();

		if (g.env != ENV_MIXED && g.env != ENV_COMPOSE &&
		    g.env != ENV_BLEND && r.container != C_DAEMON) {
			free(r.text);
			continue;
		}
		write_rec(&r);
		if (g.bytes >= g.target)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'S' },
		{ "envelope", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, 't' },
		{ "storms", required_argument, NULL, 'k' },
		{ "leak-rate", required_argument, NULL, 'l' },
		{ "timeout-rate", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *truth = NULL, *size_arg = "100M";
	uint64_t seed = 1;
	int64_t t, next_req, next_health, next_ping, next_status, next_stats;
	int64_t next_redis, next_restart, next_sporadic, last_storm = -1;
	int c, storms_done = 0, done = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	g.env = ENV_PLAIN;
	g.storms = -1;
	g.leak_rate = 0.004;
	g.timeout_rate = 0.06;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'S':
			size_arg = optarg;
			break;
		case 'e':
			if (strcmp(optarg, "plain") == 0)
				g.env = ENV_PLAIN;
			else if (strcmp(optarg, "mixed") == 0 ||
			    strcmp(optarg, "compose-ts") == 0)
				g.env = ENV_MIXED;
			else if (strcmp(optarg, "docker-ts") == 0)
				g.env = ENV_DOCKER_TS;
			else if (strcmp(optarg, "compose") == 0)
				g.env = ENV_COMPOSE;
			else if (strcmp(optarg, "journald") == 0)
				g.env = ENV_JOURNALD;
			else if (strcmp(optarg, "blend") == 0)
				g.env = ENV_BLEND;
			else if (strcmp(optarg, "docker-json") == 0)
				g.env = ENV_JSON;
			else
				usage();
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			truth = optarg;
			break;
		case 'k':
			g.storms = atoi(optarg);
			break;
		case 'l':
			g.leak_rate = atof(optarg);
			break;
		case 'r':
			g.timeout_rate = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	g.target = parse_size(size_arg);
	if (g.storms < 0)
		g.storms = (int)(g.target / (128ULL << 20)) < 2 ? 2 :
		    (int)(g.target / (128ULL << 20));
	g.rng = seed * 0x2545f4914f6cdd1dULL + 0x1234567;
	g.out = out ? fopen(out, "w") : stdout;
	if (g.out == NULL)
		die("cannot open --out");
	g.obuf = xrealloc(NULL, 1 << 20);
	g.first_ts = -1;
	for (c = 0; c < 64; c++) {
		static const char *fixed[] = {
			"172.18.0.23", "192.168.65.3", "10.8.0.6", "172.18.0.31",
			"192.168.65.7", "10.8.0.9", "172.18.0.42", "192.168.65.11",
			"10.8.0.14", "172.18.0.57", "192.168.65.19", "10.8.0.22"
		};

		if (c < 12)
			snprintf(g.storm_peer[c], sizeof(g.storm_peer[c]), "%s", fixed[c]);
		else
			snprintf(g.storm_peer[c], sizeof(g.storm_peer[c]),
			    "10.9.%d.%d", c / 8, 10 + c % 8);
	}

	t = START_EPOCH * US;
	startup(t);
	next_req = t + US;
	next_health = t + 2 * US;
	next_ping = t + 20 * US;
	next_status = t + 300 * US;
	next_stats = t + 30 * US;
	next_redis = t + 20 * US;
	next_restart = t + (int64_t)((1.5 + unif() * 3) * 86400 * US);
	next_sporadic = t + (int64_t)(expo(1800) * US);

	while (!done) {
		int64_t next = next_req;

		if (next_health < next)
			next = next_health;
		if (next_ping < next)
			next = next_ping;
		if (next_status < next)
			next = next_status;
		if (next_stats < next)
			next = next_stats;
		if (next_redis < next)
			next = next_redis;
		if (next_restart < next)
			next = next_restart;
		if (next_sporadic < next)
			next = next_sporadic;
		if ((done = drain(next)))
			break;
		t = next;
		if (t == next_req) {
			/* Poisson arrivals at 12-36 per minute, daily cycle. */
			double hour = (double)((t / US) % 86400) / 3600.0;
			double rate = 24 + 12 * sin((hour - 8) / 24 * 2 * M_PI);

			request(t);
			next_req = t + (int64_t)(expo(60.0 / rate) * US) + 1;
			if (storms_done < g.storms && g.bytes >=
			    (uint64_t)((storms_done + 0.5) * (double)g.target / g.storms) &&
			    (last_storm < 0 || t - last_storm >= 600 * US)) {
				storm(t + 500000, storms_done++);
				last_storm = t;
			}
		} else if (t == next_health) {
			line(t, "INFO", "uvicorn.access",
			    "172.18.0.1:%d - \"GET /health HTTP/1.1\" 200 OK",
			    irange(32768, 60999));
			next_health = t + 30 * US + irange(0, 999999);
		} else if (t == next_ping) {
			line(t, "INFO", "src.monitoring.resilient_websocket",
			    "Keepalive ping ok for %d clients (rtt=%d ms)",
			    irange(1, 8), irange(1, 40));
			next_ping = t + 60 * US;
		} else if (t == next_status) {
			line(t, "INFO", "src.monitoring.metrics",
			    "Semaphore status: global %d/%d available, kimi %d/3, glm %d/4",
			    irange(0, g.global_limit), g.global_limit, irange(0, 3),
			    irange(0, 4));
			next_status = t + 300 * US;
		} else if (t == next_stats) {
			if (chance(0.05))
				line(t, "INFO", "src.monitoring.metrics",
				    "\033[33mProcess stats\033[0m: rss=%d MB, fds=%d, tasks=%d",
				    irange(200, 400), irange(100, 300), irange(5, 60));
			else
				line(t, "INFO", "src.monitoring.metrics",
				    "Process stats: rss=%d MB, fds=%d, tasks=%d",
				    irange(200, 400), irange(100, 300), irange(5, 60));
			next_stats = t + 30 * US;
		} else if (t == next_redis) {
			redis_save(t);
			next_redis = t + 300 * US;
		} else if (t == next_restart) {
			line(t, "WARNING", "src.daemon.ws_server",
			    "Received SIGTERM, shutting down");
			startup(t + 3 * US);
			next_restart = t + (int64_t)((1.5 + unif() * 3) * 86400 * US);
		} else {
			int p = (int)(rnd() % N_SPORADIC);

			if (g.last_sporadic[p] == 0 || t - g.last_sporadic[p] >= 66 * US) {
				g.last_sporadic[p] = t;
				ws_close(t, p, sporadic_peer[p]);
			}
			next_sporadic = t + (int64_t)(expo(1800) * US) + 1;
		}
	}
	flush_out();
	if (out && fclose(g.out) != 0)
		die("write failed");
	while (g.heap.n > 0) {
		struct rec r = heap_pop();

		free(r.text);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (truth)
		write_truth(truth, seed, size_arg, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fprintf(stderr, "gen_corpus: %llu bytes, %llu lines\n",
	    (unsigned long long)g.bytes, (unsigned long long)g.lines);
	return 0;
}
