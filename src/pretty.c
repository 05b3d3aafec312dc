/*
 * pretty.c - indent the JSON or Python dict payload of a log message for
 * reading (see pretty.h).
 */
#include "pretty.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "util.h"

static void
indent(struct buf *b, int depth)
{
	buf_putc(b, '\n');
	while (depth-- > 0)
		buf_puts(b, "  ");
}

/* A cJSON value, containers one member a line; scalars as cJSON prints them. */
static void
json_value(struct buf *b, const cJSON *v, int depth)
{
	const cJSON *it;
	char *s;

	if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child != NULL) {
		buf_putc(b, cJSON_IsObject(v) ? '{' : '[');
		for (it = v->child; it != NULL; it = it->next) {
			indent(b, depth + 1);
			if (cJSON_IsObject(v)) {
				buf_putc(b, '"');
				util_escape_json(b, it->string, strlen(it->string));
				buf_puts(b, "\": ");
			}
			json_value(b, it, depth + 1);
			if (it->next != NULL)
				buf_putc(b, ',');
		}
		indent(b, depth);
		buf_putc(b, cJSON_IsObject(v) ? '}' : ']');
		return;
	}
	if ((s = cJSON_PrintUnformatted(v)) != NULL) {
		buf_puts(b, s);
		cJSON_free(s);
	}
}

/*
 * The end of the bracketed repr that starts at p[0] ('{'), quotes and
 * nesting respected, or 0 when it does not close or holds no ':' (a
 * "{name}" placeholder is no dict).
 */
static size_t
repr_end(const char *p, size_t n)
{
	char stack[64], quote = 0;
	size_t i, depth = 0;
	int colon = 0;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (quote != 0) {
			if (c == '\\')
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		switch (c) {
		case '\'':
		case '"':
			quote = c;
			break;
		case '{':
		case '[':
		case '(':
			if (depth == sizeof stack)
				return 0;
			stack[depth++] = c == '{' ? '}' : c == '[' ? ']' : ')';
			break;
		case '}':
		case ']':
		case ')':
			if (depth == 0 || stack[depth - 1] != c)
				return 0;
			if (--depth == 0)
				return colon ? i + 1 : 0;
			break;
		case ':':
			colon = 1;
			break;
		}
	}
	return 0;
}

/* The repr p[0..n) (balanced, from repr_end) one member a line. */
static void
repr_value(struct buf *b, const char *p, size_t n)
{
	char quote = 0;
	size_t i, k;
	int depth = 0;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (quote != 0) {
			buf_putc(b, c);
			if (c == '\\' && i + 1 < n)
				buf_putc(b, p[++i]);
			else if (c == quote)
				quote = 0;
			continue;
		}
		switch (c) {
		case '\'':
		case '"':
			quote = c;
			buf_putc(b, c);
			break;
		case '{':
		case '[':
		case '(':
			buf_putc(b, c);
			for (k = i + 1; k < n && p[k] == ' '; k++)
				;
			/* An empty container stays as it is: {} [] (). */
			if (k < n && (p[k] == '}' || p[k] == ']' || p[k] == ')')) {
				buf_putc(b, p[k]);
				i = k;
				break;
			}
			indent(b, ++depth);
			i = k - 1;
			break;
		case '}':
		case ']':
		case ')':
			indent(b, --depth);
			buf_putc(b, c);
			break;
		case ',':
			buf_putc(b, ',');
			indent(b, depth);
			while (i + 1 < n && p[i + 1] == ' ')
				i++;
			break;
		default:
			buf_putc(b, c);
		}
	}
}

int
pretty_payload(const char *p, size_t n, struct buf *out)
{
	const char *brace = memchr(p, '{', n), *end = NULL;
	size_t at, len, rest;
	cJSON *j;

	if (brace == NULL)
		return 0;
	at = (size_t)(brace - p);
	j = cJSON_ParseWithLengthOpts(brace, n - at, &end, 0);
	if (j != NULL && cJSON_IsObject(j) && j->child != NULL) {
		len = (size_t)(end - brace);
	} else {
		cJSON_Delete(j);
		j = NULL;
		if ((len = repr_end(brace, n - at)) == 0)
			return 0;
	}
	/* The text before the payload, without the blank that led to it. */
	rest = at;
	while (rest > 0 && p[rest - 1] == ' ')
		rest--;
	if (rest > 0) {
		buf_append(out, p, rest);
		buf_putc(out, '\n');
	}
	if (j != NULL)
		json_value(out, j, 0);
	else
		repr_value(out, brace, len);
	cJSON_Delete(j);
	for (at += len; at < n && p[at] == ' '; at++)
		;
	if (at < n) {
		buf_putc(out, '\n');
		buf_append(out, p + at, n - at);
	}
	return 1;
}
