/*
 * level.c - logging levels read from the text of a record; see level.h.
 */
#include <string.h>
#include <strings.h>

#include "level.h"
#include "severity.h"
#include "util.h"

static const struct {
	const char	*word;
	int		 sev;
} level_words[] = {
	{ "TRACE", SEV_DEBUG }, { "DEBUG", SEV_DEBUG }, { "DBG", SEV_DEBUG },
	{ "DEBU", SEV_DEBUG }, { "INFO", SEV_INFO }, { "INF", SEV_INFO },
	{ "NOTICE", SEV_NOTICE }, { "WARNING", SEV_WARNING },
	{ "WARN", SEV_WARNING }, { "WRN", SEV_WARNING }, { "ERROR", SEV_ERROR },
	{ "ERRO", SEV_ERROR }, { "ERR", SEV_ERROR }, { "SEVERE", SEV_ERROR },
	{ "CRITICAL", SEV_CRITICAL }, { "CRIT", SEV_CRITICAL },
	{ "FATAL", SEV_CRITICAL }, { "FATA", SEV_CRITICAL },
	{ "PANIC", SEV_CRITICAL }, { "PANI", SEV_CRITICAL },
	{ "EMERG", SEV_CRITICAL }, { "ALERT", SEV_CRITICAL }
};

int
level_of_word(const char *p, size_t n, int icase)
{
	size_t i;

	if (n < 3 || n > 8)
		return LEVEL_NONE;
	for (i = 0; i < UTIL_ARRAY_LEN(level_words); i++) {
		if (strlen(level_words[i].word) == n &&
		    (icase ? strncasecmp(p, level_words[i].word, n) == 0 :
		    memcmp(p, level_words[i].word, n) == 0))
			return level_words[i].sev;
	}
	return LEVEL_NONE;
}

static int
word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
level_of_line(const char *p, size_t n, size_t *body)
{
	size_t i = 0, j, words = 0;
	const char *q;
	int sev;

	while (i < n && words < 4 && i < 120) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i < n && p[i] == '[') {
			for (j = i + 1; j < n && word_char((unsigned char)p[j]); j++)
				;
			if (j < n && p[j] == ']' &&
			    (sev = level_of_word(p + i + 1, j - i - 1, 1)) != LEVEL_NONE) {
				*body = j + 1;
				goto found;
			}
		}
		for (j = i; j < n && word_char((unsigned char)p[j]); j++)
			;
		if (j > i && (j == n || p[j] == ' ' || p[j] == ':' || p[j] == '[' ||
		    p[j] == '\t' || p[j] == '|' || p[j] == ']') &&
		    (sev = level_of_word(p + i, j - i, 0)) != LEVEL_NONE) {
			/* logrus: ERRO[0003] */
			if (j < n && p[j] == '[') {
				while (j < n && p[j] != ']')
					j++;
				if (j < n)
					j++;
			}
			if (j < n && (p[j] == ':' || p[j] == '|' || p[j] == ']'))
				j++;
			*body = j;
			goto found;
		}
		while (i < n && p[i] != ' ' && p[i] != '\t')
			i++;
		words++;
	}
	q = memmem(p, n < 200 ? n : 200, "level=", 6);
	if (q != NULL && (q == p || q[-1] == ' ')) {
		i = (size_t)(q - p) + 6;
		if (i < n && p[i] == '"')
			i++;
		for (j = i; j < n && word_char((unsigned char)p[j]); j++)
			;
		if ((sev = level_of_word(p + i, j - i, 1)) != LEVEL_NONE) {
			*body = 0;
			return sev;
		}
	}
	return LEVEL_NONE;
found:
	/* "name - ERROR - msg": the dash after the level is no part of the message */
	while (*body < n && (p[*body] == ' ' || p[*body] == '\t'))
		(*body)++;
	if (*body + 1 < n && p[*body] == '-' && p[*body + 1] == ' ')
		*body += 2;
	while (*body < n && (p[*body] == ' ' || p[*body] == '\t'))
		(*body)++;
	return sev;
}

int
level_exception_line(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (word_char((unsigned char)p[i]) || p[i] == '.' ||
	    p[i] == '_' || (i > 0 && p[i] >= '0' && p[i] <= '9')))
		i++;
	if (i == 0 || i >= n || p[i] != ':')
		return 0;
	return (i >= 5 && memcmp(p + i - 5, "Error", 5) == 0) ||
	    (i >= 9 && memcmp(p + i - 9, "Exception", 9) == 0);
}

int
level_of_failure_line(const char *p, size_t n)
{
	if (n >= 6 && memcmp(p, "panic:", 6) == 0)
		return SEV_CRITICAL;
	if (n >= sizeof LEVEL_TRACEBACK - 1 &&
	    memcmp(p, LEVEL_TRACEBACK, sizeof LEVEL_TRACEBACK - 1) == 0)
		return SEV_ERROR;
	if (level_exception_line(p, n))
		return SEV_ERROR;
	return LEVEL_NONE;
}

size_t
level_logger(const char *p, size_t n, size_t *msg)
{
	size_t i;
	int marked = p[0] >= 'a' && p[0] <= 'z';

	if (n == 0)
		return 0;
	for (i = 0; i < n && i < 100; i++) {
		if (p[i] == '.' || p[i] == '_')
			marked = 1;
		else if (!word_char((unsigned char)p[i]) && p[i] != '-' &&
		    !(p[i] >= '0' && p[i] <= '9'))
			break;
	}
	if (i == 0 || i >= n || p[i] != ':' || !marked ||
	    (i + 1 < n && p[i + 1] == '/'))
		return 0;
	*msg = i + 1;
	while (*msg < n && p[*msg] == ' ')
		(*msg)++;
	return i;
}
