/*
 * util.c - allocation, buffers, hashing, escaping and small parsers shared
 * by every stage.
 */
#include "util.h"
#include "memtune.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

static void
oom(size_t n)
{
	fprintf(stderr, "logtriage: out of memory (%zu bytes)\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	if (n >= MEMTUNE_BLOCK_MIN)
		memtune_block(p);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	/* calloc checked n * size for overflow */
	if (n * size >= MEMTUNE_BLOCK_MIN)
		memtune_block(p);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	if (n >= MEMTUNE_BLOCK_MIN)
		memtune_block(q);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom(strlen(fmt));
	va_end(ap);
	return s;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_grow(struct buf *b, size_t need)
{
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	/* Most pieces fit the stack buffer: format once, copy once. */
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		buf_append(b, small, (size_t)n);
		return;
	}
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

uint64_t
util_hash64(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The first slot of h: FNV-1a's low bits alone are poorly mixed. */
static size_t
slot_of(uint64_t h, size_t cap)
{
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (size_t)h & (cap - 1);
}

void
util_slots_put(struct util_slot *slots, size_t cap, uint64_t h, size_t pos)
{
	size_t i = slot_of(h, cap);

	while (slots[i].pos != 0)
		i = (i + 1) & (cap - 1);
	slots[i].hash = h;
	slots[i].pos = pos + 1;
}

/* *it holds the number of slots already probed, so 0 starts a lookup. */
size_t
util_slots_next(const struct util_slot *slots, size_t cap, uint64_t h,
    size_t *it)
{
	size_t i;

	if (cap == 0)
		return UTIL_INDEX_NONE;
	for (i = (slot_of(h, cap) + *it) & (cap - 1); slots[i].pos != 0;
	    i = (i + 1) & (cap - 1)) {
		(*it)++;
		if (slots[i].hash == h)
			return slots[i].pos - 1;
	}
	return UTIL_INDEX_NONE;
}

void
util_index_init(struct util_index *x)
{
	memset(x, 0, sizeof(*x));
}

void
util_index_free(struct util_index *x)
{
	free(x->slots);
	util_index_init(x);
}

void
util_index_put(struct util_index *x, uint64_t h, size_t pos)
{
	struct util_slot *old = x->slots;
	size_t oldcap = x->cap, i;

	if ((x->n + 1) * 2 > x->cap) {
		x->cap = x->cap ? x->cap * 2 : 16;
		x->slots = xcalloc(x->cap, sizeof(*x->slots));
		for (i = 0; i < oldcap; i++)
			if (old[i].pos != 0)
				util_slots_put(x->slots, x->cap, old[i].hash,
				    old[i].pos - 1);
		free(old);
	}
	util_slots_put(x->slots, x->cap, h, pos);
	x->n++;
}

void
util_index_clear(struct util_index *x)
{
	if (x->n > 0)
		memset(x->slots, 0, x->cap * sizeof(*x->slots));
	x->n = 0;
}

size_t
util_index_next(const struct util_index *x, uint64_t h, size_t *it)
{
	return util_slots_next(x->slots, x->cap, h, it);
}

static uint64_t
hash_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint64_t
hash_mix(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define HASH_K0	0xa0761d6478bd642fULL
#define HASH_K1	0xe7037ed1a0b428dbULL
#define HASH_K2	0x8ebc6af09c88c6e3ULL

uint64_t
util_hash_text(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	unsigned char tail[16];
	uint64_t h = seed ^ hash_mix(seed ^ HASH_K0, (uint64_t)n ^ HASH_K1);
	size_t rest;

	for (rest = n; rest >= 16; rest -= 16, s += 16)
		h = hash_mix(hash_le64(s) ^ HASH_K1 ^ h, hash_le64(s + 8) ^ HASH_K2);
	memset(tail, 0, sizeof tail);
	if (rest > 0)
		memcpy(tail, s, rest);
	h = hash_mix(hash_le64(tail) ^ HASH_K1 ^ h, hash_le64(tail + 8) ^ HASH_K2);
	return hash_mix(h ^ HASH_K0, (uint64_t)n ^ HASH_K2);
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * Positions base .. base + 31 where s's first and last byte (the vectors
 * first and last) both match, as bits.
 */
__attribute__((target("avx2")))
static inline unsigned
find_bits32(const char *h, size_t base, size_t m, __m256i first, __m256i last)
{
	return (unsigned)_mm256_movemask_epi8(_mm256_and_si256(
	    _mm256_cmpeq_epi8(first, _mm256_loadu_si256(
	    (const __m256i *)(h + base))),
	    _mm256_cmpeq_epi8(last, _mm256_loadu_si256(
	    (const __m256i *)(h + base + m - 1)))));
}

/*
 * util_find over start positions 0 .. end - 1 (end >= 32), 32 a step.
 * The last step is moved back to end at end, the positions already
 * looked at masked off: no byte past the haystack is read.
 */
__attribute__((target("avx2")))
static const char *
find_avx2(const char *h, size_t end, const char *s, size_t m)
{
	const __m256i first = _mm256_set1_epi8(s[0]);
	const __m256i last = _mm256_set1_epi8(s[m - 1]);
	size_t i = 0, base;
	unsigned bits;

	for (;;) {
		base = i + 32 <= end ? i : end - 32;
		bits = find_bits32(h, base, m, first, last) &
		    (~0u << (i - base));
		for (; bits != 0; bits &= bits - 1) {
			if (memcmp(h + base + (size_t)__builtin_ctz(bits) + 1,
			    s + 1, m - 2) == 0)
				return h + base + (size_t)__builtin_ctz(bits);
		}
		i = base + 32;
		if (i >= end)
			return NULL;
	}
}

#endif

/*
 * No state of our own, so any thread may ask: libgcc fills in what
 * __builtin_cpu_supports reads before main runs.
 */
int
util_has_avx2(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_cpu_supports("avx2") != 0;
#else
	return 0;
#endif
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * util_find_either for n >= 32: 32 bytes a step, the last step moved back
 * to end at p + n (the bytes it looks at again hold neither byte, so its
 * first hit is the first one).
 */
__attribute__((target("avx2")))
static const char *
either_avx2(const char *p, size_t n, char a, char b)
{
	const __m256i va = _mm256_set1_epi8(a), vb = _mm256_set1_epi8(b);
	const char *last = p + n - 32;
	__m256i v;
	unsigned bits;

	for (;;) {
		if (p > last)
			p = last;
		v = _mm256_loadu_si256((const __m256i *)p);
		bits = (unsigned)_mm256_movemask_epi8(_mm256_or_si256(
		    _mm256_cmpeq_epi8(v, va), _mm256_cmpeq_epi8(v, vb)));
		if (bits != 0)
			return p + __builtin_ctz(bits);
		if (p == last)
			return NULL;
		p += 32;
	}
}
#endif

const char *
util_find_either(const char *p, size_t n, char a, char b)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	const char *end = p + n;
	uint64_t w, x, y, z;

#if defined(__x86_64__) || defined(__i386__)
	if (n >= 32 && util_has_avx2())
		return either_avx2(p, n, a, b);
#endif
	/*
	 * Eight bytes a step: a zero byte of w ^ (c in every byte) is a byte
	 * equal to c, and the lowest flag of (x - ones) & ~x & highs is
	 * exact (a borrow only sets flags above a zero byte).
	 */
	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		x = w ^ ones * (unsigned char)a;
		y = w ^ ones * (unsigned char)b;
		z = ((x - ones) & ~x) | ((y - ones) & ~y);
		if ((z &= highs) != 0) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			return p + (__builtin_clzll(z) >> 3);
#else
			return p + (__builtin_ctzll(z) >> 3);
#endif
		}
	}
	for (; p < end; p++) {
		if (*p == a || *p == b)
			return p;
	}
	return NULL;
}

const char *
util_find(const char *h, size_t n, const char *s, size_t m)
{
	size_t i, end;

	if (m == 0)
		return h;
	if (m > n)
		return NULL;
	if (m == 1)
		return memchr(h, s[0], n);
	/* start positions 0 .. end - 1 */
	end = n - m + 1;
#if defined(__x86_64__) || defined(__i386__)
	if (end >= 32 && util_has_avx2())
		return find_avx2(h, end, s, m);
#endif
	for (i = 0; i < end; i++) {
		if (h[i] == s[0] && h[i + m - 1] == s[m - 1] &&
		    memcmp(h + i + 1, s + 1, m - 2) == 0)
			return h + i;
	}
	return NULL;
}

size_t
util_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

size_t
util_append_utf8(struct buf *b, const unsigned char *p, size_t n,
    const char *bad)
{
	size_t k = util_utf8_seq(p, n);

	if (k == 0) {
		buf_puts(b, bad);
		return 1;
	}
	buf_append(b, p, k);
	return k;
}

void
util_escape_terminal(struct buf *b, const char *p, size_t n, int keep_newlines)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, k;

	buf_reserve(b, n);
	while (i < n) {
		unsigned c = s[i];

		if (c >= 0x20 && c < 0x7f) {
			buf_putc(b, (char)c);
			i++;
			continue;
		}
		if (c == '\n' || c == '\t') {
			if (keep_newlines)
				buf_putc(b, (char)c);
			else
				buf_puts(b, c == '\n' ? "\\n" : "\\t");
			i++;
			continue;
		}
		if (c >= 0x80 && (k = util_utf8_seq(s + i, n - i)) > 0) {
			/* C1 controls (U+0080..U+009F) act like ESC on some terminals. */
			if (k == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
				buf_printf(b, "\\u%04x", s[i + 1]);
			} else
				buf_append(b, s + i, k);
			i += k;
			continue;
		}
		if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == 0x1b)
			buf_puts(b, "\\e");
		else
			buf_printf(b, "\\x%02x", c);
		i++;
	}
}

/* The bytes util_escape_json writes as they are. */
static const unsigned char json_plain_byte[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
};

size_t
util_json_plain_len(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i;

	for (i = 0; i < n && json_plain_byte[s[i]]; i++)
		;
	return i;
}

void
util_escape_json(struct buf *b, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, run;

	buf_reserve(b, n);
	while (i < n) {
		unsigned c = s[i];

		/* plain bytes go out in runs */
		if ((run = util_json_plain_len(p + i, n - i)) > 0) {
			buf_append(b, s + i, run);
			i += run;
			continue;
		}
		if (c >= 0x80) {
			i += util_append_utf8(b, s + i, n - i, "\\ufffd");
			continue;
		}
		switch (c) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\u%04x", c);
			else
				buf_putc(b, (char)c);
		}
		i++;
	}
}

void
util_escape_html(struct buf *b, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];

		if (c >= 0x80) {
			i += util_append_utf8(b, s + i, n - i, "\xef\xbf\xbd");
			continue;
		}
		switch (c) {
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				buf_printf(b, "\\x%02x", c);
			else
				buf_putc(b, (char)c);
		}
		i++;
	}
}

/* A number >= 0 at the start of s; *end is what follows it. */
static int
parse_amount(const char *s, double *v, char **end)
{
	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtod(s, end);
	if (errno != 0 || *end == s || *v < 0)
		return -1;
	return 0;
}

int
util_parse_size(const char *s, int64_t *bytes)
{
	char *end;
	double v, mult = 1;

	if (parse_amount(s, &v, &end) != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1024.0; end++; break;
	case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
	case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
	}
	if (mult > 1 && *end == 'i')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || v * mult > 9e18)
		return -1;
	*bytes = (int64_t)(v * mult);
	return 0;
}

int
util_decimal(const char *p, size_t n, double *v)
{
	/* powers of ten up to 1e15 are exact doubles */
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *end = p + n, *point = NULL;
	uint64_t m = 0;
	size_t digits, frac;
	unsigned d;
	int neg = 0;

	if (n > 0 && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		p++;
	}
	/*
	 * Past the sign only digits and one point may follow, so the digits
	 * are counted from the length: the loop does no more than add them.
	 * Longer than 15 digits and a point is more than 15 digits.
	 */
	digits = (size_t)(end - p);
	if (digits > 16)
		return 0;
	for (; p < end; p++) {
		d = (unsigned)(unsigned char)*p - '0';
		if (d <= 9)
			m = m * 10 + d;
		else if (*p == '.' && point == NULL)
			point = p;
		else
			return 0;
	}
	if (point != NULL)
		digits--;
	if (digits == 0 || digits > 15)
		return 0;
	frac = point != NULL ? (size_t)(end - point - 1) : 0;
	/*
	 * m and 10^frac are exact (below 2^53), so the one division rounds
	 * correctly, as strtod does.
	 */
	*v = frac > 0 ? (double)m / pow10[frac] : (double)m;
	if (neg)
		*v = -*v;
	return 1;
}

double
util_unit_ms(const char *unit, size_t n)
{
	if (n == 2 && memcmp(unit, "ms", 2) == 0)
		return 1;
	if (n == 1 && unit[0] == 's')
		return 1000;
	if (n == 2 && memcmp(unit, "us", 2) == 0)
		return 0.001;
	return 0;
}

/* v with at most three significant digits, trailing zeros dropped. */
static void
format_sig3(struct buf *b, double v)
{
	int decimals = v < 10 ? 2 : v < 100 ? 1 : 0, n;
	char tmp[64], *e;

	/* whole values (most of a metric's) print as they are, without %f */
	if (v >= 0 && v < 1000 && v == floor(v) && !signbit(v)) {
		n = (int)v;
		e = tmp + sizeof tmp;
		*--e = '\0';
		do
			*--e = (char)('0' + n % 10);
		while ((n /= 10) > 0);
		buf_puts(b, e);
		return;
	}
	snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	if (strchr(tmp, '.') != NULL) {
		e = tmp + strlen(tmp);
		while (e[-1] == '0')
			*--e = '\0';
		if (e[-1] == '.')
			e[-1] = '\0';
	}
	buf_puts(b, tmp);
}

static void
format_rule_window(struct buf *b, int64_t ms)
{
	if (ms != 0 && ms % 86400000 == 0)
		buf_printf(b, "%jdd", (intmax_t)(ms / 86400000));
	else if (ms != 0 && ms % 3600000 == 0)
		buf_printf(b, "%jdh", (intmax_t)(ms / 3600000));
	else if (ms != 0 && ms % 60000 == 0 && ms >= 600000)
		buf_printf(b, "%jdm", (intmax_t)(ms / 60000));
	else if (ms != 0 && ms % 1000 == 0)
		buf_printf(b, "%jds", (intmax_t)(ms / 1000));
	else
		buf_printf(b, "%jdms", (intmax_t)ms);
}

/* "5 min 12 s", or "2 min" when the smaller unit is 0. */
static void
duration_pair(struct buf *b, int64_t big, const char *bigu, int64_t small,
    const char *smallu, const char *sp)
{
	buf_printf(b, "%jd%s%s", (intmax_t)big, sp, bigu);
	if (small != 0)
		buf_printf(b, "%s%02jd%s%s", sp, (intmax_t)small, sp, smallu);
}

void
util_format_duration(struct buf *b, double ms, unsigned flags)
{
	int compact = (flags & UTIL_DUR_COMPACT) != 0;
	const char *sp = compact ? "" : " ", *min = compact ? "m" : "min";
	int64_t s;

	if (flags & UTIL_DUR_RULE) {
		format_rule_window(b, (int64_t)llround(ms));
		return;
	}
	if (ms != ms)
		ms = 0;
	if (ms < 0) {
		buf_putc(b, '-');
		ms = -ms;
	}
	/* 999.6 ms would print as "1000 ms": it belongs to the next unit */
	if (ms < 999.5) {
		format_sig3(b, ms);
		buf_puts(b, sp);
		buf_puts(b, "ms");
		return;
	}
	if (ms < 59950) {
		format_sig3(b, ms / 1000);
		buf_puts(b, sp);
		buf_putc(b, 's');
		return;
	}
	s = (int64_t)llround(ms / 1000);
	if (s < 3600)
		duration_pair(b, s / 60, min, s % 60, "s", sp);
	else if (s < 86400)
		duration_pair(b, s / 3600, "h", s % 3600 / 60, min, sp);
	else
		duration_pair(b, s / 86400, "d", s % 86400 / 3600, "h", sp);
}

void
util_format_quantity(struct buf *b, double v, const char *unit)
{
	char tmp[64];

	if (unit != NULL && util_unit_ms(unit, strlen(unit)) != 0) {
		util_format_duration(b, v * util_unit_ms(unit, strlen(unit)), 0);
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(tmp, sizeof tmp, "%.0f", v);
	else
		snprintf(tmp, sizeof tmp, "%.6g", v);
	buf_puts(b, tmp);
	if (unit != NULL && *unit != '\0')
		buf_printf(b, " %s", unit);
}

int
util_parse_duration(const char *s, int64_t *ms)
{
	char *end;
	double v;
	double mult;

	if (parse_amount(s, &v, &end) != 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mult = 60e3;
	else if (strcmp(end, "h") == 0)
		mult = 3600e3;
	else if (strcmp(end, "d") == 0)
		mult = 86400e3;
	else if (strcmp(end, "w") == 0)
		mult = 7 * 86400e3;
	else
		return -1;
	if (v * mult > 9.2e18)
		return -1;
	*ms = (int64_t)(v * mult + 0.5);
	return 0;
}

void
util_format_iso(int64_t ms, char *out, size_t outlen)
{
	int64_t secs = ms / 1000, rem = ms % 1000;
	struct tm tm;
	time_t t;

	if (rem < 0) {
		rem += 1000;
		secs -= 1;
	}
	t = (time_t)secs;
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, outlen, "invalid");
		return;
	}
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)rem);
}

void
util_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A temporary name beside path, created exclusively with mode (umask applies). */
static int
open_temp(const char *path, mode_t mode, char **tmp)
{
	static unsigned seq;
	unsigned tries;
	int fd = -1;

	for (tries = 0; tries < 100; tries++) {
		*tmp = xasprintf("%s.tmp.%ld.%u", path, (long)getpid(), seq++);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode);
		if (fd != -1 || errno != EEXIST)
			return fd;
		free(*tmp);
	}
	*tmp = xasprintf("%s.tmp", path);
	errno = EEXIST;
	return -1;
}

int
util_write_atomic(const char *path, const void *data, size_t len, char *err,
    size_t errlen)
{
	const char *p = data;
	struct stat st;
	char *tmp;
	int fd, keep = 0;

	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			util_err(err, errlen, "%s: a symbolic link: not written"
			    " through and not replaced (name its target)", path);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			util_err(err, errlen, "%s: not a regular file", path);
			return -1;
		}
		keep = 1;
	} else if (errno != ENOENT) {
		util_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* A new file gets 0666 less the umask, as the shell's > would give it. */
	if ((fd = open_temp(path, 0666, &tmp)) == -1) {
		util_err(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			util_err(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	/* A file replaced keeps its mode: a 0600 report stays private. */
	if ((keep && fchmod(fd, st.st_mode & 07777) == -1) || fsync(fd) == -1) {
		util_err(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		util_err(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		util_err(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
util_elapsed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
util_thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
util_thread_stop(pthread_t thread, pthread_mutex_t *mu, pthread_cond_t *cv,
    int *quit, int value)
{
	pthread_mutex_lock(mu);
	*quit = value;
	pthread_cond_broadcast(cv);
	pthread_mutex_unlock(mu);
	pthread_join(thread, NULL);
}
