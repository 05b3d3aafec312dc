/*
 * generic.h - the built-in rules log-error, log-critical and log-warning:
 * after the specific rules have seen a record, a record of error level or
 * worse (or holding a traceback) that none of them claimed, or a warning
 * record no rule matched at all, becomes an event of one of these, with the
 * fields `logger` and `template` (the message with its variable parts
 * masked; for a traceback, " | " and its exception line), and `part` for
 * the records of a logger's banner block after its banner, which take the
 * banner's template (see generic.c).  The level was
 * read with the envelope (struct record), so this costs no regex per
 * record.  Knows nothing about SQL: ingest stores the match like any other.
 */
#ifndef LOGTRIAGE_GENERIC_H
#define LOGTRIAGE_GENERIC_H

#include <stddef.h>

#include "matcher.h"
#include "multiline.h"
#include "rules.h"

struct generic;

/* rs must outlive it. */
struct generic *generic_new(const struct ruleset *rs);
void generic_free(struct generic *g);

/* A new record: nothing claims it yet. */
void generic_begin(struct generic *g);

/*
 * Rule rule_index matched the record: any rule takes a warning from
 * log-warning; a rule of category error or of severity error or worse
 * claims an error.
 */
void generic_matched(struct generic *g, int rule_index);

/*
 * The level of rec as these rules read it: the level it states, raised to
 * ERROR by a traceback or an exception line and to CRITICAL by "panic:";
 * LEVEL_NONE when it states none and is no failure.
 */
int generic_level(const struct record *rec);

/*
 * Where a record's message is not the rest of its first line msg[0..n)
 * (after its stamp and level, within text[0..len)): a JSON line states it
 * (msg, message, @mt, ...: its first line, unescaped into tmp, with the
 * logger the line names), .NET's console writes it on the line after
 * "fail: Category[13]" (the category is the logger).  Returns 1 and sets
 * *m, *mlen, *lg and *lglen (NULL, 0: no logger); 0 for any other record.
 * These rules take it for their template; `patterns` mines it.
 */
int generic_message(const char *text, size_t len, const char *msg, size_t n,
    struct buf *tmp, const char **m, size_t *mlen, const char **lg,
    size_t *lglen);

/*
 * Is rec an unclaimed failure?  Returns 1 and fills *m (the rule, and the
 * fields logger, when the message names one, template and, in a banner
 * block, part, which point into rec->text or into g, valid until the next
 * call), else 0.  Every record of warning level or worse is to be asked,
 * claimed or not: a claimed banner still opens its block.  mt runs the
 * rule's exclude patterns.
 */
int generic_match(struct generic *g, struct matcher *mt,
    const struct record *rec, struct match *m);

#endif
