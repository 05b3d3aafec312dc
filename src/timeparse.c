/*
 * timeparse.c - timestamp shapes found in logs, zones for naive stamps and
 * the --since/--until arguments.  Pure byte parsing: knows nothing about
 * envelopes, rules or the store.
 *
 * timeparse_leading and timeparse_rfc3339 run on every line of inputs that
 * can be gigabytes long, so digits are read by hand and civil dates are
 * turned into days arithmetically; the C library's time functions are only
 * used for IANA zones, and then once per civil hour (see tz_civil_to_utc).
 * Their *_cached forms skip the date and clock when a stream's stamp
 * repeats its predecessor's second or minute (see date_clock).
 */
#include "timeparse.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "level.h"
#include "util.h"

#define MS_PER_DAY	(86400 * 1000LL)
#define TZ_CACHE_SLOTS	32

enum tz_kind {
	TZ_FIXED,	/* UTC is a fixed offset of 0 */
	TZ_IANA
};

/*
 * UTC offsets of recently converted civil hours of an IANA zone.  Logs are
 * mostly in time order, so nearly every lookup hits.  Kept behind a pointer
 * so that a const struct tz can still remember what it computed.
 */
struct tz_cache {
	int64_t	hour[TZ_CACHE_SLOTS];	/* civil hours since the epoch */
	int32_t	offset[TZ_CACHE_SLOTS];	/* seconds east of UTC */
	int32_t	second[TZ_CACHE_SLOTS];	/* ... of a repeated hour's second pass */
	int	used[TZ_CACHE_SLOTS];
	/* the offsets of UTC hours whose first and last second agree */
	int64_t	utc_hour[TZ_CACHE_SLOTS];
	int32_t	utc_offset[TZ_CACHE_SLOTS];
	int	utc_used[TZ_CACHE_SLOTS];
};

struct tz {
	enum tz_kind	 kind;
	int32_t		 offset;	/* TZ_FIXED: seconds east of UTC */
	char		*tzvar;		/* TZ_IANA: ":Area/City" for $TZ */
	struct tz_cache	*cache;
};

/* A parsed stamp before it becomes UTC milliseconds. */
struct stamp {
	int	year, mon, day, hour, min, sec, ms;
	int	has_zone;
	int32_t	offset;		/* seconds east of UTC when has_zone */
};

/* The date and clock of a log stamp, ready to become UTC. */
struct civil {
	int64_t	days;		/* from 1970-01-01 */
	int32_t	hour;
	int32_t	sod;		/* second of the day */
};

/* Which parsers a timeparse_cache key suits (see date_clock). */
#define KEY_RFC3339	0x01
#define KEY_LEADING	0x02

/*
 * Zone abbreviations applications print after a stamp, in strcmp order
 * for a binary search: a capital word follows most stamps ("INFO").
 * Ambiguous ones take their most common meaning in server logs: IST is
 * India (+05:30, not Irish or Israel summer time), CST and AST North
 * America, BST British summer time; anything not listed is not a zone.
 * Each name (four bytes at most) is also one number, big-endian and
 * zero-padded: the numbers sort as the names do, and a lookup compares
 * numbers instead of calling strncmp six times per stamp.
 */
#define ZONE_B(s, i)	(sizeof(s) > (i) + 1 ? \
	(uint32_t)(unsigned char)(s)[i] << (24 - 8 * (i)) : 0)
#define ZONE(s, off)	{ ZONE_B(s, 0) | ZONE_B(s, 1) | ZONE_B(s, 2) | \
	ZONE_B(s, 3), sizeof(s) - 1, off }

static const struct {
	uint32_t	 key;
	unsigned char	 len;
	int32_t		 offset;
} zone_abbrevs[] = {
	ZONE("ACDT", 37800), ZONE("ACST", 34200), ZONE("ADT", -10800),
	ZONE("AEDT", 39600), ZONE("AEST", 36000), ZONE("AKDT", -28800),
	ZONE("AKST", -32400), ZONE("ART", -10800), ZONE("AST", -14400),
	ZONE("AWST", 28800), ZONE("BRT", -10800), ZONE("BST", 3600),
	ZONE("CAT", 7200), ZONE("CDT", -18000), ZONE("CEST", 7200),
	ZONE("CET", 3600), ZONE("CST", -21600), ZONE("EAT", 10800),
	ZONE("EDT", -14400), ZONE("EEST", 10800), ZONE("EET", 7200),
	ZONE("EST", -18000), ZONE("GMT", 0), ZONE("HKT", 28800),
	ZONE("HST", -36000), ZONE("ICT", 25200), ZONE("IST", 19800),
	ZONE("JST", 32400), ZONE("KST", 32400), ZONE("MDT", -21600),
	ZONE("MEST", 7200), ZONE("MET", 3600), ZONE("MSK", 10800),
	ZONE("MST", -25200), ZONE("NDT", -9000), ZONE("NST", -12600),
	ZONE("NZDT", 46800), ZONE("NZST", 43200), ZONE("PDT", -25200),
	ZONE("PHT", 28800), ZONE("PKT", 18000), ZONE("PST", -28800),
	ZONE("SAST", 7200), ZONE("SGT", 28800), ZONE("UT", 0), ZONE("UTC", 0),
	ZONE("WAT", 3600), ZONE("WEST", 3600), ZONE("WET", 0),
	ZONE("WIB", 25200), ZONE("Z", 0)
};

static inline int
is_digit(unsigned char c)
{
	return (unsigned)(c - '0') < 10;
}

static inline int
is_upper(unsigned char c)
{
	return (unsigned)(c - 'A') < 26;
}

static inline int
is_alnum(unsigned char c)
{
	return is_digit(c) || is_upper(c) || (unsigned)(c - 'a') < 26 ||
	    c == '_';
}

static inline int
num2(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

static int
all_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return 0;
	}
	return 1;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const unsigned char mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	/* every caller has a month from parse_date or timeparse_month */
	assert(m >= 1 && m <= 12);
	if (m == 2 && is_leap(y))
		return 29;
	return mdays[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, after Howard
 * Hinnant's "days_from_civil": eras of 400 years, March-based years so the
 * leap day is last.
 */
int64_t
timeparse_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of timeparse_days_from_civil. */
static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/*
 * Run fn with $TZ naming the zone, then put $TZ back exactly as it was, so
 * the rest of the process keeps its own idea of local time.
 */
static time_t
with_tz(const struct tz *tz, time_t (*fn)(struct tm *, time_t), struct tm *tm,
    time_t t)
{
	const char *old;
	char *saved = NULL;
	time_t r;

	old = getenv("TZ");
	if (old != NULL)
		saved = xstrdup(old);
	setenv("TZ", tz->tzvar, 1);
	tzset();
	r = fn(tm, t);
	if (saved != NULL) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
	return r;
}

static time_t
do_mktime(struct tm *tm, time_t unused)
{
	return mktime(tm);
}

static time_t
do_localtime(struct tm *tm, time_t t)
{
	if (localtime_r(&t, tm) == NULL)
		return -1;
	return 0;
}

static int32_t tz_offset_at(const struct tz *tz, int64_t utc_ms);

/*
 * Seconds east of UTC that the zone's clocks show at civil hour `hour`; in
 * *second the offset of the hour's second pass when the clocks went back
 * and show it twice (the end of summer time), else the same.
 */
static int32_t
iana_offset_for_civil_hour(const struct tz *tz, int64_t hour, int32_t *second)
{
	struct tz_cache *c = tz->cache;
	unsigned slot = (unsigned)((uint64_t)hour % TZ_CACHE_SLOTS);
	struct tm tm;
	int64_t days = floor_div(hour, 24);
	int y, m, d;
	time_t t;
	int32_t off = 0, a, b;

	if (c->used[slot] && c->hour[slot] == hour) {
		*second = c->second[slot];
		return c->offset[slot];
	}
	civil_from_days(days, &y, &m, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = (int)(hour - days * 24);
	tm.tm_isdst = -1;
	t = with_tz(tz, do_mktime, &tm, 0);
	if (t != (time_t)-1)
		off = (int32_t)(hour * 3600 - (int64_t)t);
	*second = off;
	/*
	 * The offsets a few hours before and after: when the hour read with
	 * each is an instant the zone shows with that offset, it is there
	 * twice; the larger offset is the first pass.
	 */
	a = tz_offset_at(tz, (hour - 3) * 3600000);
	b = tz_offset_at(tz, (hour + 3) * 3600000);
	if (a != b && tz_offset_at(tz, (hour * 3600 - a) * 1000) == a &&
	    tz_offset_at(tz, (hour * 3600 - b) * 1000) == b) {
		off = a > b ? a : b;
		*second = a > b ? b : a;
	}
	c->used[slot] = 1;
	c->hour[slot] = hour;
	c->offset[slot] = off;
	c->second[slot] = *second;
	return off;
}

/*
 * Seconds east of UTC that tz's clocks show on civil day `days` at `hour`
 * (the first pass of a repeated hour; the second pass's in *second).
 */
static int32_t
tz_civil_offsets(const struct tz *tz, int64_t days, int hour, int32_t *second)
{
	int32_t off;

	if (tz == NULL)
		off = 0;
	else if (tz->kind == TZ_FIXED)
		off = tz->offset;
	else
		return iana_offset_for_civil_hour(tz, days * 24 + hour, second);
	*second = off;
	return off;
}

static int32_t
tz_civil_offset(const struct tz *tz, int64_t days, int hour)
{
	int32_t second;

	return tz_civil_offsets(tz, days, hour, &second);
}

int64_t
tz_civil_to_utc(const struct tz *tz, int year, int mon, int day, int hour,
    int min, int sec, int ms)
{
	int64_t days = timeparse_days_from_civil(year, (unsigned)mon,
	    (unsigned)day);
	int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec;

	return (secs - tz_civil_offset(tz, days, hour)) * 1000 + ms;
}

/* Seconds east of UTC in an IANA zone at the second utc_s, through $TZ. */
static int32_t
iana_offset_at(const struct tz *tz, int64_t utc_s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (with_tz(tz, do_localtime, &tm, (time_t)utc_s) != 0)
		return 0;
	return (int32_t)tm.tm_gmtoff;
}

/*
 * Seconds east of UTC in tz at the instant utc_ms.  An IANA zone's offset
 * is kept for its UTC hour when the hour's first and last second agree on
 * it, as they do but in the hour of a change: a conversion through $TZ
 * costs more than the rest of a line's reading.
 */
static int32_t
tz_offset_at(const struct tz *tz, int64_t utc_ms)
{
	struct tz_cache *c;
	int64_t hour;
	unsigned slot;
	int32_t a;

	if (tz == NULL)
		return 0;
	if (tz->kind == TZ_FIXED)
		return tz->offset;
	c = tz->cache;
	hour = floor_div(utc_ms, 3600000);
	slot = (unsigned)((uint64_t)hour % TZ_CACHE_SLOTS);
	if (c->utc_used[slot] && c->utc_hour[slot] == hour)
		return c->utc_offset[slot];
	a = iana_offset_at(tz, hour * 3600);
	if (a != iana_offset_at(tz, hour * 3600 + 3599))
		return iana_offset_at(tz, floor_div(utc_ms, 1000));
	c->utc_used[slot] = 1;
	c->utc_hour[slot] = hour;
	c->utc_offset[slot] = a;
	return a;
}

int32_t
tz_offset(const struct tz *tz, int64_t utc_ms)
{
	return tz_offset_at(tz, utc_ms);
}

void
tz_format_iso(const struct tz *tz, int64_t ms, char *out, size_t outlen)
{
	int32_t off = tz_offset_at(tz, ms), aoff;
	int64_t local, days, msec;
	int y, m, d;

	if (tz == NULL) {
		util_format_iso(ms, out, outlen);
		return;
	}
	local = ms + (int64_t)off * 1000;
	days = floor_div(local, MS_PER_DAY);
	msec = local - days * MS_PER_DAY;
	civil_from_days(days, &y, &m, &d);
	aoff = off < 0 ? -off : off;
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d",
	    y, m, d, (int)(msec / 3600000), (int)(msec / 60000 % 60),
	    (int)(msec / 1000 % 60), (int)(msec % 1000), off < 0 ? '-' : '+',
	    (int)(aoff / 3600), (int)(aoff / 60 % 60));
}

/*
 * Bit (second letter - 'A') of zone_second[first letter - 'A'] is set when
 * a name of two letters or more starts with those two: the capital words
 * after stamps ("INFO") are turned away without a search.  Made from
 * zone_abbrevs (test_leading_every_abbrev finds every name through it).
 */
static const uint32_t zone_second[26] = {
	0x046041c, 0x0060000, 0x0040019, 0x0000000, 0x0040019, 0x0000000,
	0x0001000, 0x0040400, 0x0040004, 0x0040000, 0x0040000, 0x0000000,
	0x0040018, 0x2040008, 0x0000000, 0x0040488, 0x0000000, 0x0000000,
	0x0000041, 0x0000000, 0x0080000, 0x0000000, 0x0000111, 0x0000000,
	0x0000000, 0x0000000
};

static int
lookup_abbrev(const char *p, size_t n, int32_t *offset)
{
	size_t lo = 0, hi = UTIL_ARRAY_LEN(zone_abbrevs), mid, i;
	uint32_t key = 0;

	/* None is longer than four letters: ERROR, DEBUG, TRACE stop here. */
	if (n == 0 || n > 4)
		return 0;
	if (n >= 2 && (!is_upper((unsigned char)p[0]) ||
	    !is_upper((unsigned char)p[1]) ||
	    !(zone_second[p[0] - 'A'] >> (p[1] - 'A') & 1)))
		return 0;
	for (i = 0; i < 4; i++)
		key = key << 8 | (i < n ? (unsigned char)p[i] : 0);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (zone_abbrevs[mid].key == key) {
			/* "UT" and "UT\0" are one number */
			if (zone_abbrevs[mid].len != n)
				return 0;
			*offset = zone_abbrevs[mid].offset;
			return 1;
		}
		if (zone_abbrevs[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * A numeric offset at p: +hh:mm, and when loose also +hhmm and +hh.
 * Returns bytes used (0 if none) and sets *offset.
 */
static size_t
parse_offset(const char *p, size_t n, int loose, int32_t *offset)
{
	int sign, hh, mm = 0;
	size_t used;

	if (n < 3 || (p[0] != '+' && p[0] != '-') || !all_digits(p + 1, 2))
		return 0;
	sign = p[0] == '-' ? -1 : 1;
	hh = num2(p + 1);
	if (n >= 6 && p[3] == ':' && all_digits(p + 4, 2)) {
		mm = num2(p + 4);
		used = 6;
	} else if (!loose)
		return 0;
	else if (n >= 5 && all_digits(p + 3, 2)) {
		mm = num2(p + 3);
		used = 5;
	} else
		used = 3;
	if (used < n && is_digit((unsigned char)p[used]))
		return 0;
	if (hh > 23 || mm > 59)
		return 0;
	*offset = sign * (hh * 3600 + mm * 60);
	return used;
}

/* YYYY-MM-DD (or YYYY/MM/DD if slash_ok), validated.  Returns 10 or 0. */
static size_t
parse_date(const char *p, size_t n, int slash_ok, struct stamp *st)
{
	if (n < 10 || !all_digits(p, 4) || !all_digits(p + 5, 2) ||
	    !all_digits(p + 8, 2))
		return 0;
	/* a leading stamp's date may take slashes or dots (ClickHouse's) */
	if (!(p[4] == '-' || (slash_ok && (p[4] == '/' || p[4] == '.'))) ||
	    p[7] != p[4])
		return 0;
	st->year = num2(p) * 100 + num2(p + 2);
	st->mon = num2(p + 5);
	st->day = num2(p + 8);
	if (st->mon < 1 || st->mon > 12 || st->day < 1 ||
	    st->day > days_in_month(st->year, st->mon))
		return 0;
	return 10;
}

/*
 * HH:MM[:SS] (seconds required unless sec_optional), validated; a leap
 * second 60 is accepted and lands on the next second.  Returns bytes used.
 */
static size_t
parse_clock(const char *p, size_t n, int sec_optional, struct stamp *st)
{
	if (n < 5 || !all_digits(p, 2) || p[2] != ':' || !all_digits(p + 3, 2))
		return 0;
	st->hour = num2(p);
	st->min = num2(p + 3);
	st->sec = 0;
	if (st->hour > 23 || st->min > 59)
		return 0;
	if (n >= 8 && p[5] == ':' && all_digits(p + 6, 2)) {
		st->sec = num2(p + 6);
		if (st->sec > 60)
			return 0;
		return 8;
	}
	return sec_optional ? 5 : 0;
}

/*
 * How many bytes at p are digits, eight at a time: Docker's fractions
 * have nine.  In w ^ "00000000" a digit byte is 0..9; adding 0x76 to its
 * low seven bits sets the high bit of every byte above 9 without a carry
 * into the next, and or-ing in the byte itself catches those >= 0x80.
 */
static size_t
digit_run(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t w, stop;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, p + i, 8);
		w ^= ones * '0';
		stop = (((w & ones * 0x7f) + ones * 0x76) | w) & ones * 0x80;
		if (stop != 0) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			return i + (size_t)(__builtin_clzll(stop) >> 3);
#else
			return i + (size_t)(__builtin_ctzll(stop) >> 3);
#endif
		}
	}
	while (i < n && is_digit((unsigned char)p[i]))
		i++;
	return i;
}

/* A fraction after '.' (or ',' if comma_ok): any digits, cut to ms. */
static size_t
parse_fraction(const char *p, size_t n, int comma_ok, struct stamp *st)
{
	size_t i;
	int ms;

	st->ms = 0;
	if (n < 2 || !(p[0] == '.' || (comma_ok && p[0] == ',')) ||
	    !is_digit((unsigned char)p[1]))
		return 0;
	i = 1 + digit_run(p + 1, n - 1);
	ms = (p[1] - '0') * 100;
	if (i > 2)
		ms += (p[2] - '0') * 10;
	if (i > 3)
		ms += p[3] - '0';
	st->ms = ms;
	return i;
}

static int64_t
stamp_to_ms(const struct stamp *st, const struct tz *tz)
{
	int64_t days;

	if (!st->has_zone)
		return tz_civil_to_utc(tz, st->year, st->mon, st->day, st->hour,
		    st->min, st->sec, st->ms);
	days = timeparse_days_from_civil(st->year, (unsigned)st->mon,
	    (unsigned)st->day);
	return (days * 86400 + st->hour * 3600 + st->min * 60 + st->sec -
	    st->offset) * 1000 + st->ms;
}

/*
 * UTC ms of a log stamp: its own zone if it has one, else tz's.  In an
 * hour tz shows twice, a stream's stamp is the pass nearer to the stream's
 * previous stamp: after 02:59 of the first pass, 02:00 is the second pass
 * (an hour later), not an hour back; without a stream, the first pass.
 */
static int64_t
civil_to_ms(struct timeparse_cache *c, const struct civil *cv,
    const struct stamp *st, const struct tz *tz, int *one_pass)
{
	int32_t off, second;
	int64_t ms, ms2;

	if (st->has_zone)
		off = second = st->offset;
	else
		off = tz_civil_offsets(tz, cv->days, cv->hour, &second);
	if (one_pass != NULL)
		*one_pass = second == off;
	ms = (cv->days * 86400 + cv->sod - off) * 1000 + st->ms;
	if (c == NULL)
		return ms;
	if (second != off && c->has_last) {
		ms2 = (cv->days * 86400 + cv->sod - second) * 1000 + st->ms;
		if (llabs(ms2 - c->last_ms) < llabs(ms - c->last_ms))
			ms = ms2;
	}
	c->last_ms = ms;
	c->has_last = 1;
	c->naive = !st->has_zone;
	return ms;
}

/*
 * Does p start with c's key (2), or with its minute "YYYY-MM-DDTHH:MM"
 * and ':' (1)?  Overlapping words cover the bytes without a call.
 */
static int
key_match(const struct timeparse_cache *c, const char *p)
{
	uint64_t a, b, d, x, y, z;

	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	memcpy(&x, c->key, 8);
	memcpy(&y, c->key + 8, 8);
	if (((a ^ x) | (b ^ y)) != 0 || p[16] != ':')
		return 0;
	memcpy(&d, p + 11, 8);
	memcpy(&z, c->key + 11, 8);
	return d == z ? 2 : 1;
}

/*
 * Another second of the key's minute, whose first 17 bytes p repeats: its
 * seconds taken into the key.  Returns 0, the key as it was, when they
 * are no second.
 */
static int
key_second(struct timeparse_cache *c, const char *p)
{
	int sec;

	if (!all_digits(p + 17, 2) || (sec = num2(p + 17)) > 60)
		return 0;
	c->sod += sec - num2(c->key + 17);
	c->key[17] = p[17];
	c->key[18] = p[18];
	c->sec_ok = 0;
	assert(c->sod >= 0 && c->sod <= 86400);
	return 1;
}

/*
 * The date and clock that fill the first 19 bytes of p: for KEY_RFC3339
 * "YYYY-MM-DD" and T or t, for KEY_LEADING also '/' in the date and a space
 * instead of T, then "HH:MM:SS".  Returns 1 and fills *cv, or 0.  Which
 * parser a cached key suits depends only on its separators, and the
 * validation of the rest is the same for both, so a key stored by either
 * serves the other when its separators fit.
 */
static int
date_clock(struct timeparse_cache *c, const char *p, size_t n, unsigned want,
    struct civil *cv)
{
	struct stamp st;
	int hit;

	if (n < 19)
		return 0;
	if (c != NULL && (c->ok & want) != 0 && (hit = key_match(c, p)) != 0) {
		/* Same minute: only the seconds are new (see parse_clock). */
		if (hit == 1 && !key_second(c, p))
			return 0;
		cv->days = c->days;
		cv->hour = c->hour;
		cv->sod = c->sod;
		return 1;
	}
	if (parse_date(p, n, want == KEY_LEADING, &st) == 0)
		return 0;
	if (want == KEY_LEADING ? p[10] != 'T' && p[10] != ' ' :
	    p[10] != 'T' && p[10] != 't')
		return 0;
	if (parse_clock(p + 11, n - 11, 0, &st) == 0)
		return 0;
	cv->days = timeparse_days_from_civil(st.year, (unsigned)st.mon,
	    (unsigned)st.day);
	cv->hour = st.hour;
	cv->sod = st.hour * 3600 + st.min * 60 + st.sec;
	if (c != NULL) {
		memcpy(c->key, p, sizeof c->key);
		c->ok = 0;
		c->sec_ok = 0;
		if (p[4] == '-' && (p[10] == 'T' || p[10] == 't'))
			c->ok |= KEY_RFC3339;
		if (p[10] == 'T' || p[10] == ' ')
			c->ok |= KEY_LEADING;
		c->days = cv->days;
		c->hour = cv->hour;
		c->sod = cv->sod;
	}
	return 1;
}

/*
 * The stamp Docker writes, "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", whose date
 * and clock are cv: nine fraction digits and Z, at fixed places, read
 * with one test of eight digits.  Returns 30 and sets *ms as the general
 * reading below does, or 0 for any other shape, which is left to it.
 */
static size_t
docker_shape(const char *p, size_t n, const struct civil *cv, int64_t *ms)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t w;

	if (n < 30 || p[19] != '.' || p[29] != 'Z' ||
	    !is_digit((unsigned char)p[28]))
		return 0;
	/* eight digits, as digit_run tests them */
	memcpy(&w, p + 20, 8);
	w ^= ones * '0';
	if (((((w & ones * 0x7f) + ones * 0x76) | w) & ones * 0x80) != 0)
		return 0;
	*ms = (cv->days * 86400 + cv->sod) * 1000 + (p[20] - '0') * 100 +
	    (p[21] - '0') * 10 + (p[22] - '0');
	return 30;
}

/* The fraction and zone after the date and clock cv of an RFC 3339 stamp. */
static size_t
rfc3339_rest(const char *p, size_t n, const struct civil *cv, int64_t *ms)
{
	struct stamp st;
	size_t i, k;

	i = 19 + parse_fraction(p + 19, n - 19, 0, &st);
	st.has_zone = 1;
	st.offset = 0;
	if (i < n && (p[i] == 'Z' || p[i] == 'z'))
		i++;
	else if ((k = parse_offset(p + i, n - i, 0, &st.offset)) != 0)
		i += k;
	else
		return 0;
	assert(i <= n);
	*ms = civil_to_ms(NULL, cv, &st, NULL, NULL);
	return i;
}

#ifndef NDEBUG
/* docker_shape reads the stamp as rfc3339_rest does (the fuzzer's check). */
static int
docker_shape_agrees(const char *p, size_t n, const struct civil *cv,
    int64_t ms)
{
	int64_t ms2;

	return rfc3339_rest(p, n, cv, &ms2) == 30 && ms2 == ms;
}
#endif

/* Apart, as leading() is, for timeparse_rfc3339_cached's lookup. */
__attribute__((noinline))
static size_t
rfc3339(struct timeparse_cache *c, const char *p, size_t n, int64_t *ms)
{
	struct civil cv;

	if (n < 20 || !date_clock(c, p, n, KEY_RFC3339, &cv))
		return 0;
	if (docker_shape(p, n, &cv, ms) != 0) {
		assert(docker_shape_agrees(p, n, &cv, *ms));
		return 30;
	}
	return rfc3339_rest(p, n, &cv, ms);
}

size_t
timeparse_rfc3339(const char *p, size_t n, int64_t *ms)
{
	return rfc3339(NULL, p, n, ms);
}

size_t
timeparse_rfc3339_cached(struct timeparse_cache *c, const char *p, size_t n,
    int64_t *ms)
{
	struct civil cv;

	/*
	 * Docker's stamp in the second read last: rfc3339 would take
	 * date_clock's cached date and clock and docker_shape's reading.
	 */
	if (n >= 30 && (c->ok & KEY_RFC3339) != 0 && key_match(c, p) == 2) {
		cv.days = c->days;
		cv.hour = c->hour;
		cv.sod = c->sod;
		if (docker_shape(p, n, &cv, ms) != 0) {
			assert(docker_shape_agrees(p, n, &cv, *ms));
			return 30;
		}
	}
	return rfc3339(c, p, n, ms);
}

/*
 * The zone after a leading stamp: attached (Z, +hh:mm, +hhmm, +hh) or after
 * one space (+hhmm, +hh:mm, or a known abbreviation).  Returns bytes used.
 */
static size_t
parse_trailing_zone(const char *p, size_t n, struct stamp *st)
{
	size_t k, len;

	st->has_zone = 0;
	if (n == 0)
		return 0;
	if (p[0] == 'Z' && (n == 1 || !is_alnum((unsigned char)p[1]))) {
		st->has_zone = 1;
		st->offset = 0;
		return 1;
	}
	if ((k = parse_offset(p, n, 1, &st->offset)) != 0) {
		st->has_zone = 1;
		return k;
	}
	if (p[0] != ' ' || n < 2)
		return 0;
	if ((p[1] == '+' || p[1] == '-') &&
	    (k = parse_offset(p + 1, n - 1, 1, &st->offset)) >= 5) {
		st->has_zone = 1;
		return 1 + k;
	}
	/*
	 * Two capitals no name starts with ("INFO", "DEBUG" after a stamp)
	 * are no zone whatever follows: lookup_abbrev would say so after
	 * the word was measured.
	 */
	if (n > 2 && is_upper((unsigned char)p[1]) &&
	    is_upper((unsigned char)p[2]) &&
	    !(zone_second[p[1] - 'A'] >> (p[2] - 'A') & 1))
		return 0;
	for (len = 0; len < 5 && 1 + len < n && is_upper((unsigned char)p[1 + len]);
	    len++)
		;
	if (len == 0 || (1 + len < n && is_alnum((unsigned char)p[1 + len])))
		return 0;
	if (!lookup_abbrev(p + 1, len, &st->offset))
		return 0;
	st->has_zone = 1;
	return 1 + len;
}

/*
 * The fraction after a leading stamp's date and clock (its first 19
 * bytes), not followed by a digit; returns the bytes used by all three.
 */
static size_t
leading_fraction(const char *p, size_t n, struct stamp *st)
{
	size_t i = 19;

	/* most stamps have no fraction: parse_fraction would find none */
	if (n > 20 && (p[19] == '.' || p[19] == ','))
		i += parse_fraction(p + 19, n - 19, 1, st);
	else
		st->ms = 0;
	if (i < n && is_digit((unsigned char)p[i]))
		return 0;
	return i;
}

/* Date, clock and fraction of a leading stamp; returns bytes used. */
static size_t
leading_clock(struct timeparse_cache *c, const char *p, size_t n,
    struct civil *cv, struct stamp *st)
{
	if (!date_clock(c, p, n, KEY_LEADING, cv))
		return 0;
	return leading_fraction(p, n, st);
}

/* The fraction and zone after a leading stamp's date and clock. */
static size_t
leading_rest(const char *p, size_t n, struct stamp *st)
{
	size_t i;

	if ((i = leading_fraction(p, n, st)) == 0)
		return 0;
	return i + parse_trailing_zone(p + i, n - i, st);
}

/* ... and the zone after it. */
static size_t
leading_stamp(struct timeparse_cache *c, const char *p, size_t n,
    struct civil *cv, struct stamp *st)
{
	if (!date_clock(c, p, n, KEY_LEADING, cv))
		return 0;
	return leading_rest(p, n, st);
}

/*
 * What Python's logging prints after the date and clock: ",mmm" or
 * ".mmm" or nothing, then a blank and a word that starts with two
 * capitals no zone name starts with ("INFO", "WARNING").  Read at fixed
 * places; returns the bytes leading_rest would use plus that blank, and
 * fills st as it would, or 0 for any other shape, which is left to it.
 */
static inline size_t
logging_shape(const char *p, size_t n, struct stamp *st)
{
	size_t i = 19;

	st->ms = 0;
	if (n > 22 && (p[19] == ',' || p[19] == '.') &&
	    is_digit((unsigned char)p[20]) && is_digit((unsigned char)p[21]) &&
	    is_digit((unsigned char)p[22])) {
		st->ms = (p[20] - '0') * 100 + (p[21] - '0') * 10 + (p[22] - '0');
		i = 23;
	}
	if (n < i + 3 || p[i] != ' ' || !is_upper((unsigned char)p[i + 1]) ||
	    !is_upper((unsigned char)p[i + 2]) ||
	    (zone_second[p[i + 1] - 'A'] >> (p[i + 2] - 'A') & 1))
		return 0;
	st->has_zone = 0;
	return i + 1;
}

#ifndef NDEBUG
/* logging_shape reads the stamp as leading_rest does (the fuzzer's check). */
static int
logging_shape_agrees(const char *p, size_t n, size_t i,
    const struct stamp *st)
{
	struct stamp st2;

	return leading_rest(p, n, &st2) + 1 == i && st2.ms == st->ms &&
	    !st2.has_zone && p[i - 1] == ' ';
}
#endif

int
timeparse_month(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int m;

	for (m = 0; m < 12; m++) {
		if (p[0] == names[3 * m] && p[1] == names[3 * m + 1] &&
		    p[2] == names[3 * m + 2])
			return m + 1;
	}
	return 0;
}

/* st's date and clock as a civil time, the date checked. */
static int
stamp_civil(struct stamp *st, struct civil *cv)
{
	if (st->mon < 1 || st->day < 1 || st->day > days_in_month(st->year,
	    st->mon))
		return 0;
	cv->days = timeparse_days_from_civil(st->year, (unsigned)st->mon,
	    (unsigned)st->day);
	cv->hour = st->hour;
	cv->sod = st->hour * 3600 + st->min * 60 + st->sec;
	return 1;
}

/*
 * "HH:MM:SS" with an optional fraction (',' when comma_ok) at p, not
 * followed by a digit; returns bytes used.
 */
static size_t
clock_fraction(const char *p, size_t n, int comma_ok, struct stamp *st)
{
	size_t i;

	if ((i = parse_clock(p, n, 0, st)) == 0)
		return 0;
	i += parse_fraction(p + i, n - i, comma_ok, st);
	if (i < n && is_digit((unsigned char)p[i]))
		return 0;
	return i;
}

/*
 * "DD<sep>Mon<sep>YYYY" at p (11 bytes): Tomcat's 25-Oct-2025, redis's
 * 25 Oct 2025, nginx's 25/Oct/2025.
 */
static int
day_mon_year(const char *p, char sep, struct stamp *st)
{
	if (!all_digits(p, 2) || p[2] != sep || p[6] != sep ||
	    !all_digits(p + 7, 4) || (st->mon = timeparse_month(p + 3)) == 0)
		return 0;
	st->day = num2(p);
	st->year = num2(p + 7) * 100 + num2(p + 9);
	return 1;
}

/*
 * "H:MM:SS" or "HH:MM:SS" with an optional fraction, and " AM" or " PM"
 * if the clock has them (*ampm says): the clocks that .NET and Java
 * format by locale.  Returns the bytes used, 0 if none.
 */
static size_t
clock_12h(const char *p, size_t n, int *ampm, struct stamp *st)
{
	char hhmmss[8];
	size_t h, i;

	if (n >= 7 && is_digit((unsigned char)p[0]) && p[1] == ':')
		h = 1;
	else if (n >= 8 && all_digits(p, 2) && p[2] == ':')
		h = 2;
	else
		return 0;
	hhmmss[0] = h == 1 ? '0' : p[0];
	hhmmss[1] = p[h - 1];
	memcpy(hhmmss + 2, p + h, 6);
	if (parse_clock(hhmmss, 8, 0, st) != 8)
		return 0;
	i = h + 6;
	i += parse_fraction(p + i, n - i, 0, st);
	if (i < n && is_digit((unsigned char)p[i]))
		return 0;
	*ampm = i + 3 <= n && p[i] == ' ' && (p[i + 1] == 'A' ||
	    p[i + 1] == 'P') && p[i + 2] == 'M' &&
	    (i + 3 == n || !is_upper((unsigned char)p[i + 3]));
	if (!*ampm)
		return i;
	if (st->hour < 1 || st->hour > 12)
		return 0;
	st->hour = st->hour % 12 + (p[i + 1] == 'P' ? 12 : 0);
	return i + 3;
}

/* One or two digits at p, then stop; their value, or -1. */
static int
num12(const char *p, size_t n, size_t *used)
{
	if (n >= 2 && is_digit((unsigned char)p[0]) && is_digit((unsigned char)p[1])) {
		*used = 2;
		return num2(p);
	}
	if (n >= 1 && is_digit((unsigned char)p[0])) {
		*used = 1;
		return p[0] - '0';
	}
	return -1;
}

/*
 * "10/25/2025 11:00:08 PM", "25/10/2025 23:00:09", "1/5/2025 3:04:05 PM":
 * a date by locale, month and day one or two digits.  A number over 12
 * is the day; when both could be months, a 12-hour clock says month first
 * (en-US), a 24-hour one day first.
 */
static size_t
slashed_date(const char *p, size_t n, struct civil *cv, struct stamp *st)
{
	size_t i = 0, k;
	int a, b, ampm;

	if ((a = num12(p, n, &k)) < 0 || (i += k) >= n || p[i++] != '/' ||
	    (b = num12(p + i, n - i, &k)) < 0 || (i += k) + 6 > n ||
	    p[i++] != '/' || !all_digits(p + i, 4) || p[i + 4] != ' ')
		return 0;
	st->year = num2(p + i) * 100 + num2(p + i + 2);
	i += 5;
	if ((k = clock_12h(p + i, n - i, &ampm, st)) == 0)
		return 0;
	if (a > 12 || (b <= 12 && !ampm)) {
		st->day = a;
		st->mon = b;
	} else {
		st->mon = a;
		st->day = b;
	}
	st->has_zone = 0;
	if (st->mon > 12)
		return 0;
	return stamp_civil(st, cv) ? i + k : 0;
}

/*
 * Go's time.Kitchen, zerolog's console default: "3:04PM " or "11:00AM ",
 * minutes only.  Returns the bytes used (with the blank) or 0.
 */
static size_t
kitchen_clock(const char *p, size_t n, int32_t *ms_of_day)
{
	size_t i;
	int h = num12(p, n, &i), m;

	if (h < 1 || h > 12 || n < i + 6 || p[i] != ':' ||
	    !all_digits(p + i + 1, 2) || (m = num2(p + i + 1)) > 59 ||
	    (p[i + 3] != 'A' && p[i + 3] != 'P') || p[i + 4] != 'M' ||
	    p[i + 5] != ' ')
		return 0;
	*ms_of_day = ((h % 12 + (p[i + 3] == 'P' ? 12 : 0)) * 60 + m) * 60000;
	return i + 6;
}

static int level_in_bracket(const char *p, size_t n);

size_t
timeparse_clock(const char *p, size_t n, int32_t *ms_of_day)
{
	struct stamp st;
	size_t i = n > 0 && p[0] == '[', k;

	if (i == 0 && (k = kitchen_clock(p, n, ms_of_day)) > 0)
		return k;
	if (n < i + 9 || !is_digit((unsigned char)p[i]) ||
	    parse_clock(p + i, n - i, 0, &st) != 8)
		return 0;
	k = i + 8;
	k += parse_fraction(p + k, n - k, 1, &st);
	*ms_of_day = ((st.hour * 60 + st.min) * 60 + st.sec) * 1000 + st.ms;
	/* Serilog's "[23:31:11 ERR] msg": the level shares the bracket */
	if (i == 1 && k + 1 < n && p[k] == ' ')
		return level_in_bracket(p + k + 1, n - k - 1) ? k + 1 : 0;
	if (i == 1 && (k >= n || p[k++] != ']'))
		return 0;
	return k < n && p[k] == ' ' ? k + 1 : 0;
}

int64_t
timeparse_clock_near(const struct tz *tz, int64_t near_ms, int32_t ms_of_day)
{
	int64_t local, days;
	int32_t off = tz_offset_at(tz, near_ms);
	int y, m, d, hms = ms_of_day / 1000;

	local = near_ms + (int64_t)off * 1000;
	days = floor_div(local, MS_PER_DAY);
	if (ms_of_day < local - days * MS_PER_DAY - MS_PER_DAY / 2)
		days++;
	else if (ms_of_day > local - days * MS_PER_DAY + MS_PER_DAY / 2)
		days--;
	civil_from_days(days, &y, &m, &d);
	return tz_civil_to_utc(tz, y, m, d, hms / 3600, hms / 60 % 60, hms % 60,
	    ms_of_day % 1000);
}

int64_t
timeparse_year_near(int64_t ms, int64_t near_ms)
{
	int64_t days = floor_div(ms, MS_PER_DAY), rem = ms - days * MS_PER_DAY;
	int64_t best = ms, cand;
	int y, m, d, ny, nm, nd, dy;

	civil_from_days(days, &y, &m, &d);
	civil_from_days(floor_div(near_ms, MS_PER_DAY), &ny, &nm, &nd);
	for (dy = -1; dy <= 1; dy++) {
		if (m == 2 && d == 29 && days_in_month(ny + dy, 2) < 29)
			continue;
		cand = timeparse_days_from_civil(ny + dy, (unsigned)m,
		    (unsigned)d) * MS_PER_DAY + rem;
		if (llabs(cand - near_ms) < llabs(best - near_ms))
			best = cand;
	}
	return best;
}

/* The year of syslog's "Oct 25", which has none (see timeparse.h). */
static int
context_year(const struct timeparse_cache *c, int mon, int day)
{
	int64_t now_days;
	int y, m, d;

	if (c != NULL && c->has_last) {
		civil_from_days(floor_div(c->last_ms, MS_PER_DAY), &y, &m, &d);
		if (m == 12 && mon == 1)
			return y + 1;
		if (m == 1 && mon == 12)
			return y - 1;
		return y;
	}
	now_days = floor_div((int64_t)time(NULL), 86400);
	civil_from_days(now_days, &y, &m, &d);
	/* A day later than today is last year's. */
	if (timeparse_days_from_civil(y, (unsigned)mon, (unsigned)(day >
	    days_in_month(y, mon) ? 1 : day)) > now_days + 1)
		y--;
	return y;
}

/*
 * "Oct 25" or "Oct  5" at p (6 bytes), as syslog and Apache print the
 * month and day.  "Oct  0" is no date.
 */
static int
month_day(const char *p, struct stamp *st)
{
	if (p[3] != ' ' || (st->mon = timeparse_month(p)) == 0 ||
	    !is_digit((unsigned char)p[5]) ||
	    !(p[4] == ' ' || is_digit((unsigned char)p[4])))
		return 0;
	st->day = (p[4] == ' ' ? 0 : (p[4] - '0') * 10) + p[5] - '0';
	return st->day > 0;
}

/*
 * A month and day without a year, mon_at bytes into p, the day right
 * after the month's two digits and a separator, the clock at p + 6:
 * klog's "E1025 23:00:00.123456", logcat's "10-25 23:00:00.123".  The
 * year is the stream's, as syslog's.  Returns the bytes used or 0.
 */
static size_t
yearless(const struct timeparse_cache *c, const char *p, size_t n,
    size_t mon_at, struct civil *cv, struct stamp *st)
{
	size_t k;

	st->mon = num2(p + mon_at);
	st->day = num2(p + 3);
	if (st->mon < 1 || st->mon > 12 || st->day < 1 || st->day > 31 ||
	    (k = clock_fraction(p + 6, n - 6, 0, st)) == 0)
		return 0;
	st->year = context_year(c, st->mon, st->day);
	return stamp_civil(st, cv) ? 6 + k : 0;
}

/*
 * The ten digits at p, seconds since the epoch, as cv and st: in UTC,
 * whatever --tz says, no fraction.
 */
static void
epoch_seconds(const char *p, struct civil *cv, struct stamp *st)
{
	int64_t t = 0;
	int i;

	for (i = 0; i < 10; i++)
		t = t * 10 + (p[i] - '0');
	st->ms = 0;
	cv->days = floor_div(t, 86400);
	cv->sod = (int32_t)(t - cv->days * 86400);
	cv->hour = cv->sod / 3600;
	st->has_zone = 1;
	st->offset = 0;
}

/*
 * The logs of the Sandia and LLNL supercomputers (Blue Gene/L,
 * Thunderbird, Liberty, Spirit): an alert tag ("-" or "KERNDTLB"), the
 * time in epoch seconds, the date "2005.06.03" and the node, then the
 * node's own record: Blue Gene/L's "2005-06-03-15.42.50.675872 R02-M1-N0
 * RAS KERNEL INFO ...", the others' syslog "Nov 9 12:01:01 dn228/dn228
 * crond[2915]: ...".  The stamp is the epoch; the node's stamp is part of
 * the span, so that the record starts with what names the event.
 */
static size_t
sandia_span(const char *p, size_t n, struct civil *cv, struct stamp *st)
{
	size_t i = 0, k;

	if (p[0] == '-')
		i = 1;
	else
		while (i < n && i < 24 && (is_upper((unsigned char)p[i]) ||
		    is_digit((unsigned char)p[i]) || p[i] == '_'))
			i++;
	if (i + 24 > n || p[i] != ' ' || !all_digits(p + i + 1, 10) ||
	    p[i + 11] != ' ' || !all_digits(p + i + 12, 4) ||
	    p[i + 16] != '.' || p[i + 19] != '.' || p[i + 22] != ' ')
		return 0;
	epoch_seconds(p + i + 1, cv, st);
	for (i += 23; i < n && i < 128 && p[i] != ' '; i++)
		;
	if (i >= n || i >= 128)
		return 0;
	i++;
	/* Blue Gene/L's own stamp, to the microsecond */
	if (i + 27 <= n && p[i + 4] == '-' && p[i + 10] == '-' &&
	    p[i + 13] == '.' && p[i + 19] == '.' && p[i + 26] == ' ' &&
	    all_digits(p + i, 4) && all_digits(p + i + 20, 6))
		i += 27;
	else if (i + 17 <= n && timeparse_month(p + i) != 0 && p[i + 3] == ' ') {
		/* syslog's, its day padded or not: "Nov 9 ", "Nov  9 ", "Nov 19 " */
		k = i + 4 + (p[i + 4] == ' ');
		k += is_digit((unsigned char)p[k + 1]) ? 2 : 1;
		if (is_digit((unsigned char)p[k - 1]) && p[k] == ' ' &&
		    p[k + 3] == ':' && p[k + 6] == ':' && p[k + 9] == ' ')
			i = k + 10;
	}
	return i - 1;
}

/* See other_span: the Los Alamos HPC logs' span. */
static size_t
lanl_span(const char *p, size_t n, struct civil *cv, struct stamp *st)
{
	size_t i, k, field, lim = n < 256 ? n : 256;

	for (i = 0; i < lim && is_digit((unsigned char)p[i]); i++)
		;
	if (i == 0 || i > 12 || i >= lim || p[i] != ' ')
		return 0;
	for (field = 0; field < 3; field++) {
		for (k = ++i; i < lim && p[i] != ' '; i++)
			;
		if (i == k || i >= lim)
			return 0;
	}
	if (i + 14 > lim || !all_digits(p + i + 1, 10) || p[i + 11] != ' ' ||
	    !is_digit((unsigned char)p[i + 12]) || p[i + 13] != ' ')
		return 0;
	epoch_seconds(p + i + 1, cv, st);
	return i + 13;
}

/*
 * The stamps of the other containers a compose log interleaves, which do
 * not start with a year (see timeparse.h).  Called only when the ISO shapes
 * failed, and each shape is rejected on bytes at fixed positions first, so
 * lines without a stamp pay a few compares.  Returns the bytes used (up to
 * the end of the stamp) and fills cv and st.
 */
static size_t
other_span(const struct timeparse_cache *c, const char *p, size_t n,
    struct civil *cv, struct stamp *st)
{
	size_t i, k, lim;
	int ampm;

	st->has_zone = 0;
	st->ms = 0;
	/* klog and glog (Go): "E1025 23:00:00.123456", its level first */
	if ((p[0] == 'I' || p[0] == 'W' || p[0] == 'E' || p[0] == 'F') &&
	    all_digits(p + 1, 4) && p[5] == ' ' && p[8] == ':')
		return yearless(c, p, n, 1, cv, st);
	if (is_upper((unsigned char)p[0]) && p[1] == ',' && p[2] == ' ' &&
	    p[3] == '[') {
		/* Ruby's Logger "E, [2025-10-25T23:00:00.123456 #1] ERROR -- :" */
		if ((k = leading_stamp(NULL, p + 4, n - 4, cv, st)) == 0 ||
		    4 + k + 2 > n || p[4 + k] != ' ' || p[5 + k] != '#')
			return 0;
		for (i = 6 + k; i < n && is_digit((unsigned char)p[i]); i++)
			;
		return i > 6 + k && i < n && p[i] == ']' ? i + 1 : 0;
	}
	if (is_upper((unsigned char)p[0]) && p[3] == ' ' &&
	    (p[5] == ',' || p[6] == ',')) {
		/* java.util.logging "Oct 25, 2025 11:00:10 PM", "Oct 5, ..." */
		k = p[5] == ',' ? 5 : 6;
		if ((st->mon = timeparse_month(p)) == 0 ||
		    (st->day = num12(p + 4, k - 4, &i)) < 0 || i != k - 4 ||
		    k + 7 > n || p[k + 1] != ' ' || !all_digits(p + k + 2, 4) ||
		    p[k + 6] != ' ')
			return 0;
		st->year = num2(p + k + 2) * 100 + num2(p + k + 4);
		if ((i = clock_12h(p + k + 7, n - k - 7, &ampm, st)) == 0)
			return 0;
		return stamp_civil(st, cv) ? k + 7 + i : 0;
	}
	if ((p[0] == '-' || is_upper((unsigned char)p[0])) &&
	    (i = sandia_span(p, n, cv, st)) != 0)
		return i;
	if (is_upper((unsigned char)p[0])) {
		/* syslog "Oct 25 23:00:00", "Oct  5 23:00:00" */
		if (n < 15 || p[6] != ' ' || p[9] != ':' || !month_day(p, st) ||
		    (k = clock_fraction(p + 7, n - 7, 0, st)) == 0)
			return 0;
		st->year = context_year(c, st->mon, st->day);
		return stamp_civil(st, cv) ? 7 + k : 0;
	}
	if (p[2] == '-' && is_upper((unsigned char)p[3])) {
		/* Tomcat "25-Oct-2025 23:00:00.123", PHP's with a zone */
		if (n < 20 || p[11] != ' ' || !day_mon_year(p, '-', st) ||
		    (k = clock_fraction(p + 12, n - 12, 0, st)) == 0 ||
		    !stamp_civil(st, cv))
			return 0;
		return 12 + k + parse_trailing_zone(p + 12 + k, n - 12 - k, st);
	}
	if ((p[1] == '/' || p[2] == '/') && (i = slashed_date(p, n, cv, st)) != 0)
		return i;
	/* log4j's "%d{yy/MM/dd HH:mm:ss}", Hadoop's and Spark's: "17/06/09 20:10:40" */
	if (p[2] == '/' && p[5] == '/' && p[8] == ' ' && all_digits(p, 2) &&
	    all_digits(p + 3, 2) && all_digits(p + 6, 2)) {
		st->year = 2000 + num2(p);
		st->mon = num2(p + 3);
		st->day = num2(p + 6);
		if (st->mon > 12 || (k = clock_fraction(p + 9, n - 9, 1, st)) == 0)
			return 0;
		return stamp_civil(st, cv) ? 9 + k : 0;
	}
	/* old Hadoop's log4j "%d{yyMMdd HHmmss}": "081109 203615" */
	if (p[6] == ' ' && p[13] == ' ' && all_digits(p, 6) &&
	    all_digits(p + 7, 6)) {
		st->year = 2000 + num2(p);
		st->mon = num2(p + 2);
		st->day = num2(p + 4);
		st->hour = num2(p + 7);
		st->min = num2(p + 9);
		st->sec = num2(p + 11);
		if (st->mon > 12 || st->hour > 23 || st->min > 59 || st->sec > 59)
			return 0;
		return stamp_civil(st, cv) ? 13 : 0;
	}
	/*
	 * HealthApp's "20171223-22:15:29:606|": every field of the clock
	 * unpadded ("22:16:0:9"), the milliseconds after a colon
	 */
	if (p[8] == '-' && all_digits(p, 8)) {
		int f[4] = { 0, 0, 0, 0 }, nf;

		st->year = num2(p) * 100 + num2(p + 2);
		st->mon = num2(p + 4);
		st->day = num2(p + 6);
		for (i = 9, nf = 0; nf < 4; nf++) {
			for (k = 0; k < (nf == 3 ? 3u : 2u) && i < n &&
			    is_digit((unsigned char)p[i]); i++, k++)
				f[nf] = f[nf] * 10 + p[i] - '0';
			if (k == 0 || (nf < 3 && (i >= n || p[i++] != ':')))
				return 0;
		}
		st->hour = f[0];
		st->min = f[1];
		st->sec = f[2];
		st->ms = f[3];
		if (st->mon > 12 || st->hour > 23 || st->min > 59 || st->sec > 60)
			return 0;
		return stamp_civil(st, cv) ? i : 0;
	}
	/*
	 * Android's logcat "03-17 16:13:38.811" and Proxifier's
	 * "[10.30 16:49:06]": month and day, no year
	 */
	if ((p[2] == '-' || p[2] == '.') && p[5] == ' ' && p[8] == ':' &&
	    all_digits(p, 2) && all_digits(p + 3, 2))
		return yearless(c, p, n, 0, cv, st);
	/* log4j's DATE, "25 Oct 2025 23:00:00,123" */
	if (p[2] == ' ' && is_upper((unsigned char)p[3]) && n >= 20 &&
	    p[11] == ' ' && day_mon_year(p, ' ', st)) {
		if ((k = clock_fraction(p + 12, n - 12, 1, st)) == 0)
			return 0;
		return stamp_civil(st, cv) ? 12 + k : 0;
	}
	/*
	 * Seconds since the epoch, a fraction or not, then a blank:
	 * Python's "%(created)f" and many a shell script; or a colon and a
	 * blank, as mosquitto writes them.  Ten digits from 2001 to 2286;
	 * another number opening a line is no time.
	 */
	if (all_digits(p, 10) && p[0] >= '1' && p[0] <= '9' &&
	    (p[10] == ' ' || p[10] == '\t' || p[10] == '.' || p[10] == ':')) {
		epoch_seconds(p, cv, st);
		i = 10 + parse_fraction(p + 10, n - 10, 0, st);
		if (i + 1 < n && p[i] == ':' && p[i + 1] == ' ')
			return i + 1;
		return i < n && (p[i] == ' ' || p[i] == '\t') ? i : 0;
	}
	/* redis "1:M 25 Oct 2025 23:00:00.123 *": pid, ':' and its role */
	for (i = 0; i < n && i < 10 && is_digit((unsigned char)p[i]); i++)
		;
	if (i > 0 && i + 24 <= n && p[i] == ':' && p[i + 2] == ' ' &&
	    (p[i + 1] == 'M' || p[i + 1] == 'S' || p[i + 1] == 'C' ||
	    p[i + 1] == 'X')) {
		i += 3;
		if (p[i + 11] != ' ' || !day_mon_year(p + i, ' ', st) ||
		    (k = clock_fraction(p + i + 12, n - i - 12, 0, st)) == 0)
			return 0;
		return stamp_civil(st, cv) ? i + 12 + k : 0;
	}
	/*
	 * The Los Alamos HPC logs: a record number, the node, the component
	 * and its state, the time in epoch seconds and a flag, then the
	 * message ("134681 node-246 unix.hw state_change.unavailable
	 * 1077804742 1 Component State Change: ..."): all of it up to the
	 * flag is the span.
	 */
	if ((i = lanl_span(p, n, cv, st)) != 0)
		return i;
	/*
	 * nginx access "172.18.0.1 - - [25/Oct/2025:23:00:00 +0000]": an
	 * address, two words, then the bracketed stamp with its offset.
	 */
	if (!is_digit((unsigned char)p[0]) && p[0] != ':')
		return 0;
	lim = n < 128 ? n : 128;
	for (i = 0, k = 0; i < lim && k < 3; i++) {
		if (p[i] == ' ')
			k++;
	}
	if (k != 3 || i + 28 > n || p[i] != '[' || p[i + 12] != ':' ||
	    p[i + 21] != ' ' || p[i + 27] != ']' ||
	    !day_mon_year(p + i + 1, '/', st) ||
	    parse_clock(p + i + 13, 8, 0, st) != 8 ||
	    parse_offset(p + i + 22, 5, 1, &st->offset) != 5)
		return 0;
	st->has_zone = 1;
	return stamp_civil(st, cv) ? i + 28 : 0;
}

/*
 * C's ctime() as Apache httpd's error log prints it, "Sat Oct 25
 * 23:00:00.123456 2025" (in brackets), and Python's time.ctime() or
 * Perl's localtime bare: the bytes of the stamp at p, filling cv and st,
 * or 0.
 */
static size_t
apache_span(const char *p, size_t n, struct civil *cv, struct stamp *st)
{
	size_t k;

	st->has_zone = 0;
	st->ms = 0;
	if (n < 24 || !is_upper((unsigned char)p[0]) || p[3] != ' ' ||
	    p[10] != ' ' || !month_day(p + 4, st) ||
	    (k = clock_fraction(p + 11, n - 11, 0, st)) == 0 ||
	    11 + k + 5 > n || p[11 + k] != ' ' || !all_digits(p + 12 + k, 4))
		return 0;
	st->year = num2(p + 12 + k) * 100 + num2(p + 14 + k);
	return stamp_civil(st, cv) ? 16 + k : 0;
}

/*
 * Whether p[0..n) starts with a level word in capitals and a blank or ']'
 * after it: what may follow a stamp inside its brackets.
 */
static int
level_in_bracket(const char *p, size_t n)
{
	size_t k;

	for (k = 0; k < n && is_upper((unsigned char)p[k]); k++)
		;
	return k < n && (p[k] == ' ' || p[k] == ']' || p[k] == '/') &&
	    level_of_word(p, k, 0) != LEVEL_NONE;
}

/*
 * The leading stamp's length (0 if none), filling cv and st; *logging
 * says whether logging_shape read it.
 */
static size_t
leading_span(struct timeparse_cache *c, const char *p, size_t n,
    struct civil *cv, struct stamp *st, int *logging)
{
	size_t i;

	*logging = 0;
	if (n < 15)
		return 0;
	if (p[0] == '[') {
		/*
		 * "[2025-10-25 23:00:00,123] ...", or the stamp and a level
		 * in the brackets (Rust's "[2025-10-25T23:00:00Z ERROR app]
		 * ...").  Another word there may be a zone not known here.
		 */
		if ((i = leading_stamp(c, p + 1, n - 1, cv, st)) == 0 &&
		    (i = apache_span(p + 1, n - 1, cv, st)) == 0 &&
		    (i = other_span(c, p + 1, n - 1, cv, st)) == 0)
			return 0;
		i++;
		/* Celery's "[2025-10-25 23:00:00,123: ERROR/MainProcess]" */
		if (i + 2 < n && p[i] == ':' && p[i + 1] == ' ' &&
		    level_in_bracket(p + i + 2, n - i - 2))
			return i + 2;
		if (i >= n || (p[i] != ']' && (p[i] != ' ' ||
		    !level_in_bracket(p + i + 1, n - i - 1))))
			return 0;
		if (p[i] == ']')
			i++;
	} else if (is_digit((unsigned char)p[0])) {
		i = 0;
		if (date_clock(c, p, n, KEY_LEADING, cv)) {
			if ((i = logging_shape(p, n, st)) != 0) {
				assert(logging_shape_agrees(p, n, i, st));
				*logging = 1;
				return i;
			}
			i = leading_rest(p, n, st);
		}
		if (i == 0 && (i = other_span(c, p, n, cv, st)) == 0)
			return 0;
	} else if (is_upper((unsigned char)p[0]) || p[0] == ':' ||
	    p[0] == '-') {
		if ((i = other_span(c, p, n, cv, st)) == 0 &&
		    (i = apache_span(p, n, cv, st)) == 0)
			return 0;
	} else
		return 0;
	if (i < n && p[i] == ' ')
		i++;
	return i;
}

/* Apart, so that timeparse_leading_cached's lookup stays short. */
__attribute__((noinline))
static size_t
leading(struct timeparse_cache *c, const char *p, size_t n,
    const struct tz *tz, int64_t *ms)
{
	struct civil cv;
	struct stamp st;
	size_t i;
	int logging, one_pass;

	if ((i = leading_span(c, p, n, &cv, &st, &logging)) != 0)
		*ms = civil_to_ms(c, &cv, &st, tz, &one_pass);
	if (c != NULL && i != 0 && logging) {
		assert(!st.has_zone);
		c->sec_ok = one_pass;
		c->sec_tz = tz;
		c->sec_ms = *ms - st.ms;
	}
	assert(i <= n);
	return i;
}

/* Apart, as leading() is, for timeparse_leading_len_cached's lookup. */
__attribute__((noinline))
static size_t
has_leading(struct timeparse_cache *c, const char *p, size_t n)
{
	struct civil cv;
	struct stamp st;
	size_t i;
	int logging;

	/* Unbracketed, the zone after the stamp cannot undo it: skip it. */
	if (n >= 19 && is_digit((unsigned char)p[0]) &&
	    (i = leading_clock(c, p, n, &cv, &st)) != 0)
		return i;
	if (p[0] != '[') {
		i = n >= 15 && (is_digit((unsigned char)p[0]) ||
		    is_upper((unsigned char)p[0]) || p[0] == ':' ||
		    p[0] == '-') ? other_span(c, p, n, &cv, &st) : 0;
		if (i == 0 && n >= 15 && is_upper((unsigned char)p[0]))
			i = apache_span(p, n, &cv, &st);
		return i;
	}
	return leading_span(c, p, n, &cv, &st, &logging);
}

size_t
timeparse_leading(const char *p, size_t n, const struct tz *tz, int64_t *ms)
{
	return leading(NULL, p, n, tz, ms);
}

size_t
timeparse_leading_cached(struct timeparse_cache *c, const char *p, size_t n,
    const struct tz *tz, int64_t *ms)
{
	struct stamp st;
	size_t i;
	int hit;
	int32_t was;

	/*
	 * A stamp in logging's shape in the second read last: leading_span
	 * would find the same date and clock and take logging_shape's
	 * reading of the rest, and civil_to_ms the one offset tz gives the
	 * second (an hour shown twice is left to it), read naive.  Apart
	 * from leading(), whose calls cost more than this.
	 */
	if (!c->sec_ok || c->sec_tz != tz || n < 19 ||
	    (hit = key_match(c, p)) == 0)
		return leading(c, p, n, tz, ms);
	if (hit == 2 && (i = logging_shape(p, n, &st)) != 0) {
		assert(logging_shape_agrees(p, n, i, &st));
		*ms = c->sec_ms + st.ms;
		c->last_ms = *ms;
		c->has_last = 1;
		c->naive = 1;
		return i;
	}
	/*
	 * Another second of that minute: date_clock would take only the
	 * seconds anew, and tz gives the offset by the hour, so the one it
	 * gave the second before.  The cache is left as leading() would
	 * leave it, which finds the key taken if the shape is another.
	 */
	if (hit == 1 && (c->ok & KEY_LEADING) != 0) {
		was = c->sod;
		if (key_second(c, p) && (i = logging_shape(p, n, &st)) != 0) {
			assert(logging_shape_agrees(p, n, i, &st));
			c->sec_ok = 1;
			c->sec_ms += (int64_t)(c->sod - was) * 1000;
			*ms = c->sec_ms + st.ms;
			c->last_ms = *ms;
			c->has_last = 1;
			c->naive = 1;
			return i;
		}
	}
	return leading(c, p, n, tz, ms);
}

int
timeparse_has_leading(const char *p, size_t n)
{
	return has_leading(NULL, p, n) != 0;
}

int
timeparse_has_leading_cached(struct timeparse_cache *c, const char *p,
    size_t n)
{
	return has_leading(c, p, n) != 0;
}

size_t
timeparse_leading_len_cached(struct timeparse_cache *c, const char *p,
    size_t n)
{
	struct stamp st;
	size_t k;
	int hit;

	/*
	 * The date and clock of the latest stamp read for a leading one, or
	 * another second of its minute, taken into the key as date_clock
	 * takes it: has_leading would find them valid and end the stamp
	 * where leading_fraction does, if it does.  Only what follows them
	 * is read, and has_leading is called for the rest.
	 */
	if (n >= 19 && (c->ok & KEY_LEADING) != 0 &&
	    (hit = key_match(c, p)) != 0 && (hit == 2 || key_second(c, p)) &&
	    (k = leading_fraction(p, n, &st)) != 0)
		return k;
	k = has_leading(c, p, n);

	/* multiline reads the words after the stamp at p + k */
	assert(k <= n);
	return k;
}

/* "24h", "7d", "90m", "30s", "2w": returns 0 and the length in ms. */
static int
parse_relative(const char *arg, int64_t *ms)
{
	static const struct {
		const char	*unit;
		int64_t		 ms;
	} units[] = {
		{ "s", 1000 }, { "m", 60000 }, { "min", 60000 },
		{ "h", 3600000 }, { "d", MS_PER_DAY }, { "w", 7 * MS_PER_DAY },
	};
	int64_t v = 0;
	size_t i;
	const char *p = arg;

	if (!is_digit((unsigned char)*p))
		return -1;
	for (; is_digit((unsigned char)*p); p++) {
		if (v > 100000000)
			return -1;
		v = v * 10 + (*p - '0');
	}
	for (i = 0; i < UTIL_ARRAY_LEN(units); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			*ms = v * units[i].ms;
			return 0;
		}
	}
	return -1;
}

/* Midnight at the start of the civil day `back` days before now, in tz. */
static int64_t
local_midnight(int64_t now_ms, const struct tz *tz, int back)
{
	int64_t local = now_ms + (int64_t)tz_offset_at(tz, now_ms) * 1000;
	int64_t days = floor_div(local, MS_PER_DAY) - back;
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	return tz_civil_to_utc(tz, y, m, d, 0, 0, 0, 0);
}

/* An ISO 8601 date or date-time that makes up all of arg. */
static int
parse_iso_arg(const char *arg, const struct tz *tz, int64_t *ms)
{
	struct stamp st;
	size_t n = strlen(arg), i, k;

	memset(&st, 0, sizeof st);
	if (parse_date(arg, n, 1, &st) == 0)
		return -1;
	if (n == 10) {
		*ms = stamp_to_ms(&st, tz);
		return 0;
	}
	if (arg[10] != 'T' && arg[10] != 't' && arg[10] != ' ')
		return -1;
	if ((k = parse_clock(arg + 11, n - 11, 1, &st)) == 0)
		return -1;
	i = 11 + k;
	i += parse_fraction(arg + i, n - i, 1, &st);
	i += parse_trailing_zone(arg + i, n - i, &st);
	if (i != n)
		return -1;
	*ms = stamp_to_ms(&st, tz);
	return 0;
}

int
timeparse_window_arg(const char *arg, int64_t now_ms, const struct tz *tz,
    int64_t *ms, char *err, size_t errlen)
{
	int64_t rel;

	if (arg == NULL || *arg == '\0') {
		util_err(err, errlen, "empty time argument (expected an ISO 8601 "
		    "date or time, 24h, 7d, 90m, 30s, 2w, now, today or "
		    "yesterday)");
		return -1;
	}
	if (strcmp(arg, "now") == 0) {
		*ms = now_ms;
		return 0;
	}
	if (strcmp(arg, "today") == 0) {
		*ms = local_midnight(now_ms, tz, 0);
		return 0;
	}
	if (strcmp(arg, "yesterday") == 0) {
		*ms = local_midnight(now_ms, tz, 1);
		return 0;
	}
	if (parse_relative(arg, &rel) == 0) {
		*ms = now_ms - rel;
		return 0;
	}
	if (parse_iso_arg(arg, tz, ms) == 0)
		return 0;
	util_err(err, errlen, "bad time '%s' (expected an ISO 8601 date or "
	    "time like 2025-10-25 or 2025-10-25T23:00:00Z, a duration back from "
	    "now like 24h, 7d, 90m, 30s or 2w, or now, today, yesterday)", arg);
	return -1;
}

/* A zone name the system zoneinfo holds (a readable TZif file). */
static int
zoneinfo_has(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[4096], magic[4];
	const char *s;
	ssize_t got;
	int fd;

	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL)
		return 0;
	for (s = name; *s != '\0'; s++) {
		if (!is_alnum((unsigned char)*s) && *s != '/' && *s != '-' &&
		    *s != '+')
			return 0;
	}
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	got = read(fd, magic, sizeof magic);
	close(fd);
	return got == 4 && memcmp(magic, "TZif", 4) == 0;
}

struct tz *
tz_open(const char *name, char *err, size_t errlen)
{
	struct tz *tz;
	int32_t off;
	size_t n;

	if (name == NULL || *name == '\0') {
		util_err(err, errlen, "empty time zone");
		return NULL;
	}
	n = strlen(name);
	if (strcmp(name, "UTC") == 0 || strcmp(name, "utc") == 0 ||
	    strcmp(name, "Z") == 0 || strcmp(name, "GMT") == 0) {
		off = 0;
	} else if ((name[0] == '+' || name[0] == '-') &&
	    parse_offset(name, n, 1, &off) == n) {
		;
	} else if (zoneinfo_has(name)) {
		tz = xcalloc(1, sizeof *tz);
		tz->kind = TZ_IANA;
		tz->tzvar = xasprintf(":%s", name);
		tz->cache = xcalloc(1, sizeof *tz->cache);
		return tz;
	} else if (lookup_abbrev(name, n, &off)) {
		;
	} else {
		util_err(err, errlen, "unknown time zone '%s' (expected UTC, an "
		    "offset like +11:00 or -0500, or a zoneinfo name like "
		    "Australia/Sydney)", name);
		return NULL;
	}
	tz = xcalloc(1, sizeof *tz);
	tz->kind = TZ_FIXED;
	tz->offset = off;
	return tz;
}

void
tz_free(struct tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->tzvar);
	free(tz->cache);
	free(tz);
}
