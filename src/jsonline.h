/*
 * jsonline.h - the fields of a JSON log line ({"level":"error","msg":...},
 * as zap, slog, pino, structlog and logstash write them) that ingest reads
 * without parsing the line: a key's value found by its quoted name at the
 * top level of the line's first 1 KiB.  Knows nothing about levels, rules
 * or the store.
 */
#ifndef LOGTRIAGE_JSONLINE_H
#define LOGTRIAGE_JSONLINE_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/*
 * Where the value of key (its name with its quotes: "\"level\"") starts
 * in the JSON line p[0..n), past the ':' and blanks; 0 when the line does
 * not start with '{' or has no such key.  A key is taken where it follows
 * '{' or ',', so a value that quotes it is passed over.
 */
size_t jsonline_value(const char *p, size_t n, const char *key, size_t keylen);

/*
 * The text of the string value of the first of keys (a NULL-ended list of
 * key names without quotes) that the line has, still escaped, in *len
 * bytes; NULL when it has none of them.
 */
const char *jsonline_string(const char *p, size_t n, const char *const *keys,
    size_t *len);

/*
 * The time the line states under time, timestamp, ts, @timestamp or t:
 * a stamp as timeparse_leading reads it (naive ones in tz), or a number
 * of seconds (with a fraction) or of milliseconds since the epoch.  1 and
 * *ms when it states one, else 0.
 */
int jsonline_time(const char *p, size_t n, const struct tz *tz, int64_t *ms);

#endif
