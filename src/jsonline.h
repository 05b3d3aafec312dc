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
 * Where the value of the first of names (a NULL-ended list of key names)
 * that the JSON line p[0..n) has starts, past the ':' and blanks; 0 when
 * the line does not start with '{' or has none of them.  A key is taken
 * where it follows '{' or ',', so a value that quotes it is passed over.
 */
size_t jsonline_value(const char *p, size_t n, const char *const *names);

/*
 * The text of that value when it is a string, still escaped, in *len
 * bytes; NULL when there is none or it is no string.
 */
const char *jsonline_string(const char *p, size_t n, const char *const *names,
    size_t *len);

/*
 * jsonline_string of the message of a log line (msg, message, event,
 * error, err, Serilog's @mt, @m, MessageTemplate and RenderedMessage,
 * .NET's Message) and of its logger (logger, name, logger_name, log4j2's
 * loggerName, .NET's Category).
 */
const char *jsonline_message(const char *p, size_t n, size_t *len);
const char *jsonline_logger(const char *p, size_t n, size_t *len);

/*
 * The time the line states under time, timestamp, ts, @timestamp or t:
 * a stamp as timeparse_leading reads it (naive ones in tz; MongoDB's in
 * {"$date": ...}), log4j2's instant (under "instant", {"epochSecond":
 * ..., "nanoOfSecond": ...}), or a number
 * of seconds (with a fraction) or of milliseconds since the epoch.  1 and
 * *ms when it states one, else 0.
 */
int jsonline_time(const char *p, size_t n, const struct tz *tz, int64_t *ms);

#endif
