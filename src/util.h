/*
 * util.h - allocation, growable buffers, hashing and safe escaping shared by
 * every stage.  Knows nothing about logs, rules or SQL.
 *
 * Allocation failure is not an error a caller can handle: xmalloc and
 * friends print one line and abort, so every other function may assume
 * memory.
 */
#ifndef LOGTRIAGE_UTIL_H
#define LOGTRIAGE_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* p[0..n) starts with the string literal lit. */
#define UTIL_STARTS_WITH(p, n, lit) \
	((n) >= sizeof(lit) - 1 && memcmp((p), (lit), sizeof(lit) - 1) == 0)

/* Timestamps everywhere are UTC milliseconds since the epoch. */
#define TS_NONE INT64_MIN

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A byte of an identifier: a letter, a digit or '_' (as a rule's group names). */
static inline int
util_ident_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/*
 * Room for element n of the array p of *cap elements of size bytes: when
 * n has reached *cap the array doubles (to `first` elements at first).
 * Returns the array, moved or not.
 */
static inline void *
util_grow(void *p, size_t *cap, size_t n, size_t size, size_t first)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : first;
	return xrealloc(p, *cap * size);
}

/*
 * A growable byte buffer.  data is always NUL-terminated (len excludes the
 * NUL), so it can be handed to C string functions when it holds text.
 * The buffer owns data; buf_free releases it and leaves an empty buffer.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Make room for need bytes in all (the slow path of buf_reserve). */
void buf_grow(struct buf *b, size_t need);
void buf_puts(struct buf *b, const char *s);

/* Inline: they run for every record and every byte escaped. */
static inline void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static inline void
buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		buf_grow(b, b->len + extra + 1);
}

static inline void
buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
buf_putc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * a[0..n) equals b[0..n), as memcmp would say, without a call for the
 * names compared on every line (up to 32 bytes: overlapping 8-byte loads).
 */
static inline int
util_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	uint64_t w[4], v[4];

	if (n < 8 || n > 32)
		return memcmp(a, b, n) == 0;
	memcpy(&w[0], p, 8);
	memcpy(&v[0], q, 8);
	memcpy(&w[1], p + n - 8, 8);
	memcpy(&v[1], q + n - 8, 8);
	if (n <= 16)
		return ((w[0] ^ v[0]) | (w[1] ^ v[1])) == 0;
	memcpy(&w[2], p + 8, 8);
	memcpy(&v[2], q + 8, 8);
	memcpy(&w[3], p + n - 16, 8);
	memcpy(&v[3], q + n - 16, 8);
	return ((w[0] ^ v[0]) | (w[1] ^ v[1]) | (w[2] ^ v[2]) |
	    (w[3] ^ v[3])) == 0;
}

/*
 * Whether p[0..n) starts with a word of 4 to 16 capitals, one blank and
 * a byte that is no blank, digit, '[' or '|': a level's word before a
 * logger's name ("INFO src.app: ..."), as lines without a stamp start.
 * No envelope and no stamp starts so (envelope.c and multiline.c say
 * why), which lets both skip their tries.
 */
static inline int
util_capital_word(const char *p, size_t n)
{
	size_t w;
	unsigned char c;

	for (w = 0; w < n && w < 16 && p[w] >= 'A' && p[w] <= 'Z'; w++)
		;
	if (w < 4 || w + 1 >= n || p[w] != ' ')
		return 0;
	c = (unsigned char)p[w + 1];
	return c != ' ' && c != '\t' && c != '[' && c != '|' &&
	    (c < '0' || c > '9');
}

/*
 * The slot of 2^bits an address goes to in a small cache keyed by
 * address: the top bits of a multiplicative hash, since the low bits of
 * the addresses malloc returns are alike.
 */
static inline size_t
util_ptr_slot(const void *p, unsigned bits)
{
	return (size_t)((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL >>
	    (64 - bits));
}

/* 64-bit FNV-1a, stable across runs and machines (stored in the database). */
uint64_t util_hash64(const void *p, size_t n, uint64_t seed);
#define UTIL_HASH_SEED 0xcbf29ce484222325ULL

/*
 * A hash of p[0..n) taken 16 bytes at a time (little-endian words mixed by
 * 64x64->128-bit products), for long texts where FNV-1a's byte-at-a-time
 * chain is too slow.  Stable across runs and machines (stored in the
 * database).
 */
uint64_t util_hash_text(const void *p, size_t n, uint64_t seed);

/*
 * memmem(h, n, s, m), for the short needles and lines of a log: a vector
 * compare of a needle's first and last byte at 32 positions a step (AVX2,
 * else a byte loop), where glibc's memmem spends hundreds of
 * instructions a call setting up.
 */
const char *util_find(const char *h, size_t n, const char *s, size_t m);

/* 1 if the CPU has AVX2 (the vector scans here and in reader.c take it). */
int util_has_avx2(void);

/* The first byte of p[0..n) that is a or b, or NULL (32 bytes a step with AVX2). */
const char *util_find_either(const char *p, size_t n, char a, char b);

/*
 * A hash index over a caller's array: it maps 64-bit hashes of keys to
 * positions in the array, which keeps the keys, so a lookup walks the
 * positions stored with a hash and compares each one's key:
 *
 *	for (it = 0; (i = util_index_next(x, h, &it)) != UTIL_INDEX_NONE; )
 *		if (strcmp(v[i].name, name) == 0)
 *			return &v[i];
 *
 * For the values whose count grows with the input (sources, models,
 * peers), where a linear search makes the cost quadratic.
 *
 * The slots can live in any memory (util_slots_*: cap a power of two,
 * zeroed, at most half full), or in a struct util_index that grows them.
 */
struct util_slot {
	uint64_t	hash;
	size_t		pos;	/* position + 1; 0 is a free slot */
};

#define UTIL_INDEX_NONE SIZE_MAX

/* Record pos under hash h in slots[0..cap), which must have a free slot. */
void util_slots_put(struct util_slot *slots, size_t cap, uint64_t h, size_t pos);
/*
 * The first (*it == 0) or next position stored under h, or
 * UTIL_INDEX_NONE when there are no more.
 */
size_t util_slots_next(const struct util_slot *slots, size_t cap, uint64_t h,
    size_t *it);

struct util_index {
	struct util_slot	*slots;
	size_t			 cap, n;
};

void util_index_init(struct util_index *x);
void util_index_free(struct util_index *x);
void util_index_put(struct util_index *x, uint64_t h, size_t pos);
/* Forget every position, keeping the slots for the next ones. */
void util_index_clear(struct util_index *x);
size_t util_index_next(const struct util_index *x, uint64_t h, size_t *it);

/*
 * Append p[0..n) to b so that it is safe on a terminal: valid UTF-8 is kept,
 * control bytes (C0, DEL, C1, ESC sequences) become \xNN or \n-style escapes,
 * invalid UTF-8 bytes become \xNN.  If keep_newlines, '\n' and '\t' pass.
 */
void util_escape_terminal(struct buf *b, const char *p, size_t n, int keep_newlines);

/* Append p[0..n) as the inside of a JSON string (no quotes); invalid UTF-8 bytes become U+FFFD. */
void util_escape_json(struct buf *b, const char *p, size_t n);
/*
 * The bytes at the start of p[0..n) that util_escape_json writes as they
 * are: printable ASCII but '"' and '\\'.  n when all of them are.
 */
size_t util_json_plain_len(const char *p, size_t n);

/* Append p[0..n) escaped for HTML text and attribute values. */
void util_escape_html(struct buf *b, const char *p, size_t n);

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid/truncated. */
size_t util_utf8_seq(const unsigned char *p, size_t n);

/*
 * Append the UTF-8 sequence at p (n > 0) to b, or `bad` in place of an
 * invalid byte.  Returns the bytes of p consumed (at least 1).
 */
size_t util_append_utf8(struct buf *b, const unsigned char *p, size_t n,
    const char *bad);

/*
 * Durations: "10s", "500ms", "5m", "2h", "7d", "1w"; a bare number is seconds.
 * Returns 0 and sets *ms, or -1 on a malformed value.
 */
/*
 * The longest duration a user may give (36500d, about 100 years): log
 * times plus or minus one then stay far from int64 overflow.
 */
#define UTIL_DURATION_MAX_MS	(36500LL * 86400000)
int util_parse_duration(const char *s, int64_t *ms);

/*
 * Sizes: "500M", "2G", "1.5GiB", "1048576"; K, M, G, T are powers of 1024,
 * a trailing B or iB is allowed.  Returns 0 and sets *bytes, or -1.
 */
int util_parse_size(const char *s, int64_t *bytes);

/*
 * The one duration formatter of reports, the TUI and rule listings.
 * Human form (flags 0): "0.42 ms", "12.5 ms", "820 ms", "41.2 s",
 * "5 min 12 s", "1 h 04 min", "2 d 03 h": up to three significant digits
 * below a minute, whole units with their remainder above; with
 * UTIL_DUR_COMPACT the same without spaces for narrow columns.  With
 * UTIL_DUR_RULE: the shortest exact form of a whole number of ms in the
 * rule language ("500ms", "10s", "5m", "2h", "1d"), as util_parse_duration
 * reads it back.
 */
#define UTIL_DUR_RULE		0x01
#define UTIL_DUR_COMPACT	0x02	/* no spaces: "820ms", "41.2s", "5m12s" */
void util_format_duration(struct buf *b, double ms, unsigned flags);

/*
 * A value of a metric in its unit: a duration unit (values stored in ms)
 * through util_format_duration, any other unit as "812 tokens", none as
 * the bare number.  Whole numbers print without decimals.
 */
void util_format_quantity(struct buf *b, double v, const char *unit);

/*
 * Milliseconds per one of the duration units a metric may be logged in
 * ("us", "ms", "s"); 0 when unit (n bytes) is not one of them.
 */
double util_unit_ms(const char *unit, size_t n);

/*
 * p[0..n) read as strtod reads a whole string, when it is a plain decimal
 * of at most 15 digits with an optional sign and point ("-12", "3.25",
 * ".5"): returns 1 and sets *v.  Returns 0 for any other shape, which
 * strtod is then left to read.
 */
int util_decimal(const char *p, size_t n, double *v);

/* Write ms as "2025-10-25T23:31:11.123Z" into out (at least 32 bytes). */
void util_format_iso(int64_t ms, char *out, size_t outlen);

/* snprintf into a caller error buffer (NULL-safe). */
void util_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Write a whole file atomically: data goes to a new PATH.tmp.PID.N in the
 * same directory, is fsync'd and renamed over path.  A new file gets 0666
 * less the umask, a file replaced keeps its mode; a symbolic link or
 * anything but a regular file at path is an error (nothing written).
 * Returns 0 or -1 with err.
 */
int util_write_atomic(const char *path, const void *data, size_t len,
    char *err, size_t errlen);

/* Current wall clock in UTC ms (only for ingest bookkeeping and "now" in --since). */
int64_t util_now_ms(void);
/* Seconds on a clock that never steps (for measuring how long things take). */
double util_elapsed(void);
/* Seconds of CPU the calling thread has used. */
double util_thread_cpu(void);
/*
 * End a thread that waits on cv under mu until *quit is set: set *quit to
 * value (0 lets a thread that ends by itself finish), wake it, join it.
 */
void util_thread_stop(pthread_t thread, pthread_mutex_t *mu,
    pthread_cond_t *cv, int *quit, int value);

#endif
