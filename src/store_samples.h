/*
 * store_samples.h - the samples write path (store_samples.c), for
 * store.c only: the rest of the program reads samples through
 * events_all and asks which rules keep theirs there with
 * store_rule_samples (store.h).  All take the writer's store, in or
 * out of a transaction as store.c calls them; errors go to err.
 */
#ifndef LOGTRIAGE_STORE_SAMPLES_H
#define LOGTRIAGE_STORE_SAMPLES_H

#include <stddef.h>

struct ruleset;
struct store;
struct store_event;

/*
 * Move the rows of each rule of rs whose table changed, then read
 * sample_rules; from then on store_begin reads it again.
 */
int store_samples_sync(struct store *s, const struct ruleset *rs, char *err,
    size_t errlen);
/* Read sample_rules into the store when it changed. */
int store_samples_load(struct store *s, char *err, size_t errlen);
/*
 * Mark which rows of evs[0..n) are samples and which of those are new
 * (added); *any: some are samples.
 */
int store_samples_sort(struct store *s, const struct store_event *evs,
    size_t n, unsigned char *added, int *any, char *err, size_t errlen);
/* Store the call's new samples, waiting in the store, in one statement. */
int store_samples_flush(struct store *s, char *err, size_t errlen);
/* Add the call's spans to the transaction's, written at commit. */
void store_samples_spans_note(struct store *s);
/* Forget the transaction's spans (rollback). */
void store_samples_spans_clear(struct store *s);
/* Write the transaction's spans into sample_spans and forget them. */
int store_samples_spans_flush(struct store *s, char *err, size_t errlen);

#endif
