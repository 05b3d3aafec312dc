/*
 * correlator.h - the window logic of correlation on log time: storm
 * episodes (N events of one key within W) and expectations (each subject
 * event paid by one later target event of the same key within W).  Callers
 * feed events in time order and receive results through a callback.
 * Knows nothing about SQL, rules files or screens; memory is bounded by
 * the keys and waiting events inside the current window, not by the input.
 */
#ifndef LOGTRIAGE_CORRELATOR_H
#define LOGTRIAGE_CORRELATOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * A storm episode: a run of events of one key, each less than window_ms
 * after the previous, in which some n consecutive events fall within
 * window_ms.  Reported once, when the episode closes (a gap of window_ms
 * or more) or at storm_tracker_finish (then ongoing is 1).  A tracker
 * kept across commits also reports its open storms at each
 * storm_tracker_snapshot; `reported` then tells the caller to replace what
 * an earlier snapshot said about the same episode.
 */
struct storm_episode {
	const char	*key;		/* valid only during the callback */
	size_t		 keylen;
	int64_t		 start, end;	/* first and last event */
	int64_t		 detected_at;	/* the event that completed n within window_ms */
	uint64_t	 count;		/* every event of the episode */
	uint64_t	 peak_per_min;	/* most events in any 60 s (t - t0 < 60000) */
	int64_t		 first_id, last_id;
	int		 ongoing;	/* the data ended inside the episode */
	int		 reported;	/* an earlier snapshot reported this episode */
};

typedef void storm_emit_fn(const struct storm_episode *ep, void *arg);

struct storm_tracker;

/* n >= 1, window_ms >= 1.  Free with storm_tracker_free. */
struct storm_tracker *storm_tracker_new(int n, int64_t window_ms,
    storm_emit_fn *emit, void *arg);

/*
 * One event.  ts must not decrease from one call to the next; key is
 * copied.  Episodes of keys idle for window_ms or more are closed (and
 * their memory released) before the event is counted.
 */
void storm_tracker_feed(struct storm_tracker *t, int64_t ts, const char *key,
    size_t keylen, int64_t id);

/* Report the storms still open, as ongoing, and forget every key. */
void storm_tracker_finish(struct storm_tracker *t);

/*
 * Report the storms still open, as ongoing, without closing them: those
 * fed since the previous snapshot (every open storm the first time).  The
 * tracker carries on; later feeds may extend or close these episodes, and
 * they are reported again, with reported set.  Costs O(keys fed since the
 * previous snapshot).
 */
void storm_tracker_snapshot(struct storm_tracker *t);

/* Number of keys currently held (for tests of expiry). */
size_t storm_tracker_live_keys(const struct storm_tracker *t);

void storm_tracker_free(struct storm_tracker *t);

enum expect_outcome {
	EXPECT_MET,		/* paid by a target event */
	EXPECT_UNRESOLVED,	/* the window passed in log time without a target */
	EXPECT_OPEN		/* the data ends inside the window */
};

struct expect_result {
	enum expect_outcome	 outcome;
	const char		*key;	/* valid only during the callback */
	size_t			 keylen;
	int64_t			 subject_id, subject_ts;
	int64_t			 target_id, target_ts;	/* EXPECT_MET only */
	int			 reported;	/* an earlier snapshot reported this subject */
};

typedef void expect_emit_fn(const struct expect_result *r, void *arg);

struct expect_pairer;

/*
 * Each subject event waits for a target event of the same key with ts in
 * [subject ts, subject ts + within_ms].  A target pays for the oldest
 * waiting subject of its key and for no other.  Free with
 * expect_pairer_free.
 */
struct expect_pairer *expect_pairer_new(int64_t within_ms,
    expect_emit_fn *emit, void *arg);

/*
 * Feed subjects and targets merged in time order; at equal ts, subjects
 * first (a target logged in the same instant still pays).  Waiting
 * subjects whose window has passed are reported unresolved as time moves.
 */
void expect_pairer_subject(struct expect_pairer *p, int64_t ts, const char *key,
    size_t keylen, int64_t id);
void expect_pairer_target(struct expect_pairer *p, int64_t ts, const char *key,
    size_t keylen, int64_t id);

/*
 * The data ends; log_time is how far the source's log is known to reach
 * (at least the last ts fed).  Subjects still waiting are unresolved if
 * their window ends at or before log_time, open otherwise.
 */
void expect_pairer_finish(struct expect_pairer *p, int64_t log_time);

/*
 * As expect_pairer_finish, but only for the subjects that came since the
 * previous snapshot, and without settling them: they keep waiting, and
 * when a later feed settles one (met or unresolved) it is reported again
 * with reported set, so the caller can replace what the snapshot said.
 * Subjects reported open stay open here even once log time passes their
 * window; the caller settles those as log time moves.
 */
void expect_pairer_snapshot(struct expect_pairer *p, int64_t log_time);

/* Number of subjects waiting (for tests of bounded state). */
size_t expect_pairer_waiting(const struct expect_pairer *p);

void expect_pairer_free(struct expect_pairer *p);

#endif
