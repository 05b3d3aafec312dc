/*
 * minutes.h - the events a transaction adds to (or removes from) each
 * (rule, source, minute of log time), kept in memory until the store
 * writes them to the event_minutes table at commit.  The table lets a
 * reader count a million events by reading a row per minute instead of
 * a row per event.  Knows nothing of SQLite: the store does the writing.
 */
#ifndef LOGTRIAGE_MINUTES_H
#define LOGTRIAGE_MINUTES_H

#include <stddef.h>
#include <stdint.h>

struct minutes;

/* The minute a log time falls in (rounded down, also before 1970). */
int64_t minutes_of(int64_t ts);

struct minutes *minutes_new(void);
void minutes_free(struct minutes *m);

/* Count delta more events of rule (copied) on source_id in ts's minute. */
void minutes_add(struct minutes *m, const char *rule, int64_t source_id,
    int64_t ts, int64_t delta);

/*
 * The changes held: minutes_get(m, i, ...) for i below minutes_count(m),
 * after minutes_sort (until the next minutes_add) in the order of
 * event_minutes' key (rule, source), each pair's minutes in the order
 * they were first counted.
 */
size_t minutes_count(const struct minutes *m);
void minutes_get(const struct minutes *m, size_t i, const char **rule,
    int64_t *source_id, int64_t *minute, int64_t *delta);

void minutes_sort(struct minutes *m);

/* Forget the changes (written, or rolled back); the rule names stay. */
void minutes_clear(struct minutes *m);

#endif
