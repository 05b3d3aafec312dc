/*
 * tui_search.h - the `/` search of the triage screen: one PCRE2 pattern
 * shared by the views, smart case (caseless unless the pattern has a
 * capital), matched by the store's search queries and for the highlight.
 */
#ifndef LOGTRIAGE_TUI_SEARCH_H
#define LOGTRIAGE_TUI_SEARCH_H

#include <stddef.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

struct store;

struct tui_search {
	char			*pattern;	/* NULL: no search */
	pcre2_code		*re;
	pcre2_match_data	*md;
};

int tui_search_set(struct tui_search *s, const char *pattern, char *err,
    size_t errlen);
void tui_search_free(struct tui_search *s);
int tui_search_find(struct tui_search *s, const char *p, size_t n,
    size_t from, size_t *so, size_t *eo);
/* Let the store's search queries match with s (store_tui_search). */
int tui_search_register(struct store *st, struct tui_search *s);
void tui_search_unregister(struct store *st);

#endif
