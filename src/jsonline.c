/*
 * jsonline.c - the fields of a JSON log line; see jsonline.h.
 */
#include "jsonline.h"

#include <string.h>

#include "timeparse.h"

/* Bytes of a line searched for a key. */
#define JSONLINE_SPAN	1024

/* Where the value of key (with its quotes, keylen bytes) starts, or 0. */
static size_t
value_at(const char *p, size_t n, const char *key, size_t keylen)
{
	const char *q = p;
	size_t i, lim = n < JSONLINE_SPAN ? n : JSONLINE_SPAN;

	while ((q = memmem(q, lim - (size_t)(q - p), key, keylen)) != NULL) {
		i = (size_t)(q - p);
		q++;
		while (i > 0 && (p[i - 1] == ' ' || p[i - 1] == '\t'))
			i--;
		if (i == 0 || (p[i - 1] != '{' && p[i - 1] != ','))
			continue;
		for (i = (size_t)(q - 1 - p) + keylen; i < n && p[i] == ' '; i++)
			;
		if (i >= n || p[i++] != ':')
			continue;
		while (i < n && p[i] == ' ')
			i++;
		return i < n ? i : 0;
	}
	return 0;
}

size_t
jsonline_value(const char *p, size_t n, const char *const *names)
{
	char key[40];
	size_t i, k, len;

	if (n < 2 || p[0] != '{')
		return 0;
	for (k = 0; names[k] != NULL; k++) {
		if ((len = strlen(names[k])) + 2 > sizeof key)
			continue;
		key[0] = '"';
		memcpy(key + 1, names[k], len);
		key[len + 1] = '"';
		if ((i = value_at(p, n, key, len + 2)) != 0)
			return i;
	}
	return 0;
}

const char *
jsonline_string(const char *p, size_t n, const char *const *names,
    size_t *len)
{
	size_t i, j;

	if ((i = jsonline_value(p, n, names)) == 0 || p[i] != '"')
		return NULL;
	for (j = ++i; j < n && p[j] != '"' && p[j] != '\n'; j++) {
		if (p[j] == '\\' && j + 1 < n)
			j++;
	}
	if (j >= n || p[j] != '"')
		return NULL;
	*len = j - i;
	return p + i;
}

/* The digits at p as a number (at most 16 of them), and how many in *digits. */
static int64_t
json_integer(const char *p, size_t n, size_t *digits)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 16 && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (p[i] - '0');
	*digits = i;
	return v;
}

int
jsonline_time(const char *p, size_t n, const struct tz *tz, int64_t *ms)
{
	/*
	 * "@t": Serilog's compact JSON, "Timestamp" its JsonFormatter's;
	 * "asctime": python-json-logger's
	 */
	static const char *const keys[] = { "time", "timestamp", "ts",
	    "@timestamp", "t", "@t", "Timestamp", "asctime", "instant", NULL };
	static const char *const dollar_date[] = { "$date", NULL };
	static const char *const epoch_second[] = { "epochSecond", NULL };
	static const char *const nano[] = { "nanoOfSecond", NULL };
	int64_t whole, frac = 0, scale = 1;
	size_t i, k, digits;

	if ((i = jsonline_value(p, n, keys)) == 0)
		return 0;
	/*
	 * MongoDB's {"$date":"2025-10-25T23:00:00.123+00:00"}, log4j2's
	 * JsonLayout {"epochSecond":1761433200,"nanoOfSecond":123000000}
	 */
	if (p[i] == '{') {
		if ((k = jsonline_value(p + i, n - i, epoch_second)) != 0) {
			whole = json_integer(p + i + k, n - i - k, &digits);
			if (digits < 9 || digits > 10)
				return 0;
			*ms = whole * 1000;
			if ((k = jsonline_value(p + i, n - i, nano)) != 0) {
				frac = json_integer(p + i + k, n - i - k, &digits);
				if (digits > 0 && digits <= 9)
					*ms += frac / 1000000;
			}
			return 1;
		}
		if ((k = jsonline_value(p + i, n - i, dollar_date)) == 0)
			return 0;
		i += k;
	}
	if (p[i] == '"')
		return timeparse_leading(p + i + 1, n - i - 1, tz, ms) > 0;
	whole = json_integer(p + i, n - i, &digits);
	i += digits;
	if (i < n && p[i] == '.') {
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
			if (scale < 1000) {
				frac = frac * 10 + (p[i] - '0');
				scale *= 10;
			}
		}
	}
	/* seconds (zap, structlog) or milliseconds (pino, bunyan) since 1970 */
	if (digits >= 9 && digits <= 10)
		*ms = whole * 1000 + frac * 1000 / scale;
	else if (digits >= 12 && digits <= 13)
		*ms = whole;
	else
		return 0;
	return 1;
}

/*
 * Serilog's message template ("@mt", or its JsonFormatter's
 * "MessageTemplate") groups best, as a template; .NET's JSON console
 * writes "Message" and "Category".
 */
const char *
jsonline_message(const char *p, size_t n, size_t *len)
{
	static const char *const names[] = { "msg", "message", "event",
	    "error", "err", "@mt", "@m", "MessageTemplate", "RenderedMessage",
	    "Message", NULL };

	return jsonline_string(p, n, names, len);
}

const char *
jsonline_logger(const char *p, size_t n, size_t *len)
{
	static const char *const names[] = { "logger", "name", "logger_name",
	    "loggerName", "Category", NULL };

	return jsonline_string(p, n, names, len);
}
