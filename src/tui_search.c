/*
 * tui_search.c - the pattern behind `/`: compiled once, matched by the
 * Events queries (store_tui_search) and by the drawing code to highlight
 * each hit.
 */
#include "tui_search.h"

#include <stdlib.h>
#include <string.h>

#include "store_tui.h"
#include "util.h"

/* Smart case as in less and vim: a capital (not an escape letter) means case matters. */
static int
has_capital(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				break;
			p++;
			continue;
		}
		if (*p >= 'A' && *p <= 'Z')
			return 1;
	}
	return 0;
}

void
tui_search_free(struct tui_search *s)
{
	pcre2_match_data_free(s->md);
	pcre2_code_free(s->re);
	free(s->pattern);
	s->md = NULL;
	s->re = NULL;
	s->pattern = NULL;
}

/* Compile pattern (NULL or empty: no search); on error keep the old one. */
int
tui_search_set(struct tui_search *s, const char *pattern, char *err,
    size_t errlen)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	pcre2_match_data *md;
	uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	int code;

	if (pattern == NULL || pattern[0] == '\0') {
		tui_search_free(s);
		return 0;
	}
	if (!has_capital(pattern))
		opt |= PCRE2_CASELESS;
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opt,
	    &code, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, msg, sizeof msg);
		util_err(err, errlen, "bad pattern: %s at offset %zu", msg,
		    (size_t)off);
		return -1;
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	tui_search_free(s);
	s->re = re;
	s->md = md;
	s->pattern = xstrdup(pattern);
	return 0;
}

/* The first hit in p[from..n): 1 with [so, eo), or 0. */
int
tui_search_find(struct tui_search *s, const char *p, size_t n, size_t from,
    size_t *so, size_t *eo)
{
	PCRE2_SIZE *ov;

	if (s->re == NULL || from > n)
		return 0;
	if (pcre2_match(s->re, (PCRE2_SPTR)p, n, from, 0, s->md, NULL) < 0)
		return 0;
	ov = pcre2_get_ovector_pointer(s->md);
	*so = ov[0];
	*eo = ov[1];
	return 1;
}

static int
search_match(void *arg, const char *p, size_t n)
{
	size_t so, eo;

	return tui_search_find(arg, p, n, 0, &so, &eo);
}

int
tui_search_register(struct store *st, struct tui_search *s)
{
	return store_tui_search(st, search_match, s);
}

/* s lives as long as the screen: drop the function with it. */
void
tui_search_unregister(struct store *st)
{
	store_tui_search(st, NULL, NULL);
}
