/*
 * timeparse.h - every timestamp shape logtriage reads, and the time-window
 * arguments users type (--since, --until).  Pure functions on bytes: knows
 * nothing about envelopes, rules or the store.
 *
 * All results are UTC milliseconds since the epoch.
 */
#ifndef LOGTRIAGE_TIMEPARSE_H
#define LOGTRIAGE_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A zone for naive stamps (--tz).  NULL everywhere means UTC.
 * tz_open accepts "UTC", a fixed offset ("+11:00", "-0500") or an IANA
 * name ("Australia/Sydney", resolved with the system zoneinfo).
 * tz_free(NULL) is a no-op.
 */
struct tz;
struct tz *tz_open(const char *name, char *err, size_t errlen);
void tz_free(struct tz *tz);

/* Seconds east of UTC that tz's clocks show at the instant utc_ms. */
int32_t tz_offset(const struct tz *tz, int64_t utc_ms);

/* Convert a civil (naive) time in tz to UTC ms.  ms is 0..999. */
int64_t tz_civil_to_utc(const struct tz *tz, int year, int mon, int day,
    int hour, int min, int sec, int ms);

/*
 * ms as ISO 8601 with milliseconds in tz: "2026-03-01T19:00:00.000+09:00",
 * or with "Z" when tz is NULL ("2026-03-01T10:00:00.000Z").  out holds 40.
 */
void tz_format_iso(const struct tz *tz, int64_t ms, char *out, size_t outlen);

/* Days from 1970-01-01 of a proleptic Gregorian date (any year; m 1..12, d 1..31). */
int64_t timeparse_days_from_civil(int64_t y, unsigned m, unsigned d);

/*
 * RFC 3339 with optional fraction (any number of digits, truncated to ms)
 * and a zone of Z or +hh:mm, as Docker writes it:
 * "2025-10-25T23:31:11.123456789Z".  p need not be NUL-terminated.
 * On success returns the number of bytes used and sets *ms; returns 0 if
 * p does not start with such a stamp.
 */
size_t timeparse_rfc3339(const char *p, size_t n, int64_t *ms);

/*
 * A timestamp at the start of a log message, in any of the shapes
 * applications print:
 *   2025-10-25 23:31:11            Python logging asctime
 *   2025-10-25 23:31:11,123        ... with ,mmm or .mmm
 *   2025-10-25 23:31:11 AEDT       ... with a zone abbreviation
 *   2025-10-25T23:31:11.123+02:00  ISO 8601 (T or space, optional zone)
 *   [2025-10-25 23:31:11.123]      bracketed
 *   2025/10/25 23:31:11            slashes
 * and those of other programs (timeparse.c's other_span): nginx access,
 * redis, Tomcat, log4j's DATE ("25 Oct 2025 23:31:11,123"), seconds since
 * the epoch ("1761433871.123 "), java.util.logging ("Oct 25, 2025
 * 11:31:11 PM"), dates by locale ("10/25/2025 11:31:11 PM", "25/10/2025
 * 23:31:11"), syslog and klog, the last two in the year of the stamp
 * before them.
 * Naive stamps are read in tz (NULL = UTC); a zone abbreviation or offset in
 * the stamp wins over tz.  Returns the bytes used (including one following
 * space, if any) and sets *ms, or 0 if p does not start with a timestamp.
 */
size_t timeparse_leading(const char *p, size_t n, const struct tz *tz,
    int64_t *ms);
/* "Jan".."Dec" at p (three bytes): 1..12, or 0. */
int timeparse_month(const char *p);

/*
 * A clock without a date opening a line: "23:31:11", "23:31:11.123" or
 * "23:31:11,123", bare or bracketed ("[23:31:11] ..."), followed by a
 * blank, or bracketed with a level (Serilog's "[23:31:11 ERR] ...", where
 * the bytes used end before the level); Go's time.Kitchen, "11:31PM ",
 * zerolog's console default.  Python's basicConfig(datefmt="%H:%M:%S")
 * and many consoles print it.  Returns the bytes used (with the blank)
 * and sets *ms_of_day, or 0.  It names no day: timeparse_clock_near gives
 * it one.
 */
size_t timeparse_clock(const char *p, size_t n, int32_t *ms_of_day);

/*
 * The instant at which tz's clocks show ms_of_day on the local day of
 * near_ms (UTC), or on the next or the one before when that is nearer by
 * more than half a day: the day of a dateless clock is that of the stamp
 * before it, across midnight either way.
 */
int64_t timeparse_clock_near(const struct tz *tz, int64_t near_ms,
    int32_t ms_of_day);

/*
 * ms moved by whole years, its month, day and clock kept, to the year
 * that puts it nearest near_ms (UTC): the year of a stamp that names none
 * (syslog's "Nov  2 00:29:08") from the stamps around it.  A 29 February
 * goes only to leap years.
 */
int64_t timeparse_year_near(int64_t ms, int64_t near_ms);

/* Does p begin with a stamp timeparse_leading reads?  Converts nothing. */
int timeparse_has_leading(const char *p, size_t n);

/*
 * The date and clock ("2025-10-25T23:31:11", 19 bytes) of the latest stamp
 * read through it.  Logs carry long runs of stamps within one second, so
 * the *_cached functions below compare those 19 bytes with the previous
 * stamp's and, when they repeat, read only the fraction and the zone (when
 * only the seconds differ, those two digits as well).  They return exactly
 * what their uncached counterparts return, whatever the bytes, but for a
 * naive stamp in an hour that tz shows twice (the end of summer time):
 * that is read as the pass nearer to the stream's previous stamp, so the
 * second pass follows the first (uncached: always the first pass).
 * Caller-owned, one per stream of lines and never shared between threads;
 * it must start zeroed (memset, calloc or `= { 0 }`).  The fields are
 * timeparse.c's business.
 */
struct timeparse_cache {
	char		key[19];
	unsigned char	ok;		/* which parsers may reuse key */
	int32_t		hour;
	int32_t		sod;		/* key's second of the day (23:59:60 is 86400) */
	int64_t		days;		/* key's date, days from 1970-01-01 */
	int64_t		last_ms;	/* the previous leading stamp, in UTC */
	unsigned char	has_last;
	unsigned char	naive;		/* it had no zone of its own (read in tz) */
	/*
	 * key is the second of a stamp read in Python logging's shape that
	 * tz gives one reading (sec_ok, cleared when key changes): the tz
	 * and the second's start in UTC ms.
	 */
	unsigned char	sec_ok;
	const struct tz	*sec_tz;
	int64_t		sec_ms;
};

size_t timeparse_rfc3339_cached(struct timeparse_cache *c, const char *p,
    size_t n, int64_t *ms);
size_t timeparse_leading_cached(struct timeparse_cache *c, const char *p,
    size_t n, const struct tz *tz, int64_t *ms);
int timeparse_has_leading_cached(struct timeparse_cache *c, const char *p,
    size_t n);
/*
 * The length of the stamp timeparse_has_leading finds (0 if none): where
 * the words after it start.  An unbracketed stamp's zone is not part of it.
 */
size_t timeparse_leading_len_cached(struct timeparse_cache *c, const char *p,
    size_t n);

/*
 * A user's time argument for --since / --until, relative to now_ms:
 *   ISO 8601 time or date ("2025-10-25", "2025-10-25T23:00", "...Z", "...+02:00")
 *   relative durations "24h", "7d", "90m", "30s", "2w" (meaning now minus that)
 *   "now", "today", "yesterday" (midnight in tz)
 * Returns 0 and sets *ms, or -1 with a message in err.
 */
int timeparse_window_arg(const char *arg, int64_t now_ms, const struct tz *tz,
    int64_t *ms, char *err, size_t errlen);

#endif
