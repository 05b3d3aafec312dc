/*
 * pretty.h - an indented form of the payload in a log message: the first
 * JSON object in it (read with cJSON), or else a Python dict repr
 * ({'a': True, 'b': None}) read by a tolerant bracket walker.  Used by the
 * Detail view of the triage screen; pure functions on bytes.
 */
#ifndef LOGTRIAGE_PRETTY_H
#define LOGTRIAGE_PRETTY_H

#include <stddef.h>

struct buf;

/*
 * Append to out the text p[0..n) with its payload indented two spaces a
 * level, one member a line, lines separated by '\n': the text before the
 * payload is the first line, any text after it the last.  Returns 1 when
 * a payload was found, 0 (out untouched) when there is none.
 */
int pretty_payload(const char *p, size_t n, struct buf *out);

#endif
