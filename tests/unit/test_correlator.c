/*
 * test_correlator.c - the window logic on log time: storm thresholds,
 * episode gaps, peak per minute, detection time, key expiry; expectation
 * pairing in FIFO order, one payment per target, unresolved against open;
 * snapshots of a tracker or pairer kept across commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "correlator.h"
#include "util.h"

#define S(x) ((int64_t)(x) * 1000)

/* --- storms ------------------------------------------------------------- */

struct got_storm {
	char		key[32];
	int64_t		start, end, detected_at, first_id, last_id;
	uint64_t	count, peak;
	int		ongoing, reported;
};

struct storms {
	struct got_storm	v[16];
	int			n;
};

static void
collect_storm(const struct storm_episode *ep, void *arg)
{
	struct storms *s = arg;
	struct got_storm *g;

	assert_true(s->n < 16);
	g = &s->v[s->n++];
	assert_true(ep->keylen < sizeof g->key);
	memcpy(g->key, ep->key, ep->keylen);
	g->key[ep->keylen] = '\0';
	g->start = ep->start;
	g->end = ep->end;
	g->detected_at = ep->detected_at;
	g->first_id = ep->first_id;
	g->last_id = ep->last_id;
	g->count = ep->count;
	g->peak = ep->peak_per_min;
	g->ongoing = ep->ongoing;
	g->reported = ep->reported;
}

static void
feed(struct storm_tracker *t, int64_t ts, const char *key, int64_t id)
{
	storm_tracker_feed(t, ts, key, strlen(key), id);
}

static void
test_storm_threshold_exact(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(3, S(60), collect_storm, &s);

	/* Two events are not a storm of three. */
	feed(t, S(0), "a", 1);
	feed(t, S(10), "a", 2);
	feed(t, S(100), "b", 3);
	assert_int_equal(s.n, 0);
	/* b's arrival 100 s later closed a's two-event episode silently. */
	assert_int_equal(storm_tracker_live_keys(t), 1);

	feed(t, S(110), "b", 4);
	feed(t, S(120), "b", 5);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].key, "b");
	assert_int_equal(s.v[0].start, S(100));
	assert_int_equal(s.v[0].end, S(120));
	assert_int_equal(s.v[0].detected_at, S(120));
	assert_int_equal(s.v[0].count, 3);
	assert_int_equal(s.v[0].first_id, 3);
	assert_int_equal(s.v[0].last_id, 5);
	assert_int_equal(s.v[0].ongoing, 1);
	assert_int_equal(storm_tracker_live_keys(t), 0);
	storm_tracker_free(t);
}

static void
test_storm_span_must_be_below_window(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(3, S(10), collect_storm, &s);

	/* 0, 5, 10: the three span exactly W, which is not "within W". */
	feed(t, S(0), "k", 1);
	feed(t, S(5), "k", 2);
	feed(t, S(10), "k", 3);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 0);

	feed(t, S(100), "k", 4);
	feed(t, S(105), "k", 5);
	feed(t, S(110) - 1, "k", 6);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].detected_at, S(110) - 1);
	storm_tracker_free(t);
}

static void
test_storm_gap_exactly_window_closes(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(3, S(60), collect_storm, &s);

	feed(t, S(0), "p", 1);
	feed(t, S(1), "p", 2);
	feed(t, S(2), "p", 3);
	feed(t, S(62), "p", 4);		/* gap of exactly 60 s: a new episode */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].count, 3);
	assert_int_equal(s.v[0].end, S(2));
	assert_int_equal(s.v[0].ongoing, 0);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);	/* the lone event at 62 s is no storm */
	storm_tracker_free(t);
}

static void
test_storm_gap_below_window_joins(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(3, S(60), collect_storm, &s);

	feed(t, S(0), "p", 1);
	feed(t, S(1), "p", 2);
	feed(t, S(2), "p", 3);
	feed(t, S(62) - 1, "p", 4);	/* 59.999 s later: same episode */
	feed(t, S(200), "q", 5);	/* closes p's episode by time */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].count, 4);
	assert_int_equal(s.v[0].start, S(0));
	assert_int_equal(s.v[0].end, S(62) - 1);
	assert_int_equal(s.v[0].detected_at, S(2));
	assert_int_equal(s.v[0].last_id, 4);
	assert_int_equal(s.v[0].ongoing, 0);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	storm_tracker_free(t);
}

static void
test_storm_count_includes_pre_threshold(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(3, S(10), collect_storm, &s);

	/* Gaps of 9 s keep one episode, but three within 10 s come only at 21 s. */
	feed(t, S(0), "x", 1);
	feed(t, S(9), "x", 2);
	feed(t, S(18), "x", 3);
	feed(t, S(20), "x", 4);
	feed(t, S(21), "x", 5);
	feed(t, S(25), "x", 6);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].start, S(0));
	assert_int_equal(s.v[0].end, S(25));
	assert_int_equal(s.v[0].detected_at, S(21));
	assert_int_equal(s.v[0].count, 6);
	assert_int_equal(s.v[0].peak, 6);
	storm_tracker_free(t);
}

static void
test_storm_peak_per_min(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(2, S(60), collect_storm, &s);

	/* Windows are t - t0 < 60 s: at 60.001 s the event at 0 is out. */
	feed(t, 0, "k", 1);
	feed(t, 30000, "k", 2);
	feed(t, 59999, "k", 3);
	feed(t, 60000, "k", 4);
	feed(t, 60001, "k", 5);
	feed(t, 115000, "k", 6);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].count, 6);
	assert_int_equal(s.v[0].peak, 4);
	assert_int_equal(s.v[0].detected_at, 30000);
	storm_tracker_free(t);
}

static void
test_storm_equal_timestamps(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(3, S(60), collect_storm, &s);

	feed(t, S(5), "k", 7);
	feed(t, S(5), "k", 8);
	feed(t, S(5), "k", 9);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].start, S(5));
	assert_int_equal(s.v[0].end, S(5));
	assert_int_equal(s.v[0].detected_at, S(5));
	assert_int_equal(s.v[0].count, 3);
	assert_int_equal(s.v[0].peak, 3);
	assert_int_equal(s.v[0].first_id, 7);
	storm_tracker_free(t);
}

static void
test_storm_keys_independent(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(2, S(10), collect_storm, &s);

	/* a and b interleave; only a has two within 10 s. */
	feed(t, S(0), "a", 1);
	feed(t, S(1), "b", 2);
	feed(t, S(5), "a", 3);
	feed(t, S(16), "b", 4);	/* closes both: b idle 15 s, a idle 11 s */
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].key, "a");
	assert_int_equal(s.v[0].count, 2);
	assert_int_equal(s.v[0].ongoing, 0);
	storm_tracker_free(t);
}

static void
test_storm_empty_key_and_binary_key(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(2, S(10), collect_storm, &s);

	storm_tracker_feed(t, S(0), "", 0, 1);
	storm_tracker_feed(t, S(1), "a\0b", 3, 2);
	storm_tracker_feed(t, S(2), "", 0, 3);
	storm_tracker_feed(t, S(3), "a\0c", 3, 4);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].key, "");
	assert_int_equal(s.v[0].count, 2);
	storm_tracker_free(t);
}

static void
test_storm_key_expiry_bounds_memory(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(2, S(5), collect_storm, &s);
	char key[32];
	int i;

	/* A million distinct keys, one a second: only the last 5 s stay live. */
	for (i = 0; i < 1000000; i++) {
		snprintf(key, sizeof key, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		feed(t, S(i), key, i);
		assert_true(storm_tracker_live_keys(t) <= 5);
	}
	assert_int_equal(storm_tracker_live_keys(t), 5);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 0);
	assert_int_equal(storm_tracker_live_keys(t), 0);
	storm_tracker_free(t);
}

static void
test_storm_free_with_live_keys(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(1, S(10), collect_storm, &s);

	feed(t, S(0), "a", 1);
	feed(t, S(1), "b", 2);
	assert_int_equal(storm_tracker_live_keys(t), 2);
	storm_tracker_free(t);
	assert_int_equal(s.n, 0);
}

static void
test_storm_snapshot(void **state)
{
	struct storms s = { .n = 0 };
	struct storm_tracker *t = storm_tracker_new(3, S(10), collect_storm, &s);

	/* Nothing fed, nothing detected: a snapshot reports nothing. */
	storm_tracker_snapshot(t);
	feed(t, S(0), "a", 1);
	feed(t, S(1), "a", 2);
	feed(t, S(1), "b", 3);
	storm_tracker_snapshot(t);
	assert_int_equal(s.n, 0);

	/* a turns into a storm across snapshots and is reported, still open. */
	feed(t, S(2), "a", 4);
	feed(t, S(3), "c", 5);
	storm_tracker_snapshot(t);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].key, "a");
	assert_int_equal(s.v[0].count, 3);
	assert_int_equal(s.v[0].end, S(2));
	assert_int_equal(s.v[0].detected_at, S(2));
	assert_int_equal(s.v[0].ongoing, 1);
	assert_int_equal(s.v[0].reported, 0);
	assert_int_equal(storm_tracker_live_keys(t), 3);

	/* Only keys fed since: c alone is not reported again, nor is a. */
	feed(t, S(4), "c", 6);
	storm_tracker_snapshot(t);
	assert_int_equal(s.n, 1);

	/* a grows: reported again, as a replacement. */
	feed(t, S(5), "a", 7);
	storm_tracker_snapshot(t);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[1].count, 4);
	assert_int_equal(s.v[1].end, S(5));
	assert_int_equal(s.v[1].start, S(0));
	assert_int_equal(s.v[1].first_id, 1);
	assert_int_equal(s.v[1].last_id, 7);
	assert_int_equal(s.v[1].reported, 1);

	/* A gap of W closes a: its final state, a replacement, not ongoing. */
	feed(t, S(15), "d", 8);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[2].key, "a");
	assert_int_equal(s.v[2].count, 4);
	assert_int_equal(s.v[2].ongoing, 0);
	assert_int_equal(s.v[2].reported, 1);

	/* A new episode of a is a new one: not a replacement. */
	feed(t, S(16), "a", 9);
	feed(t, S(17), "a", 10);
	feed(t, S(18), "a", 11);
	storm_tracker_finish(t);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.v[3].start, S(16));
	assert_int_equal(s.v[3].reported, 0);
	assert_int_equal(s.v[3].ongoing, 1);
	storm_tracker_free(t);
}

/* --- expectations ------------------------------------------------------- */

struct got_expect {
	enum expect_outcome	outcome;
	char			key[32];
	int64_t			subject_id, subject_ts, target_id, target_ts;
	int			reported;
};

struct expects {
	struct got_expect	v[32];
	int			n;
};

static void
collect_expect(const struct expect_result *r, void *arg)
{
	struct expects *e = arg;
	struct got_expect *g;

	assert_true(e->n < 32);
	g = &e->v[e->n++];
	g->outcome = r->outcome;
	assert_true(r->keylen < sizeof g->key);
	memcpy(g->key, r->key, r->keylen);
	g->key[r->keylen] = '\0';
	g->subject_id = r->subject_id;
	g->subject_ts = r->subject_ts;
	g->target_id = r->target_id;
	g->target_ts = r->target_ts;
	g->reported = r->reported;
}

static void
subj(struct expect_pairer *p, int64_t ts, const char *key, int64_t id)
{
	expect_pairer_subject(p, ts, key, strlen(key), id);
}

static void
targ(struct expect_pairer *p, int64_t ts, const char *key, int64_t id)
{
	expect_pairer_target(p, ts, key, strlen(key), id);
}

static void
test_expect_fifo(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	subj(p, S(0), "global", 1);
	subj(p, S(1), "global", 2);
	targ(p, S(2), "global", 10);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].outcome, EXPECT_MET);
	assert_int_equal(e.v[0].subject_id, 1);
	assert_int_equal(e.v[0].target_id, 10);
	assert_int_equal(e.v[0].target_ts, S(2));
	assert_string_equal(e.v[0].key, "global");
	targ(p, S(3), "global", 11);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.v[1].outcome, EXPECT_MET);
	assert_int_equal(e.v[1].subject_id, 2);
	assert_int_equal(e.v[1].target_id, 11);
	assert_int_equal(expect_pairer_waiting(p), 0);
	expect_pairer_finish(p, S(100));
	assert_int_equal(e.n, 2);
	expect_pairer_free(p);
}

static void
test_expect_target_pays_once(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	targ(p, S(0), "kimi", 9);	/* nobody waits: pays nothing */
	subj(p, S(1), "kimi", 1);
	targ(p, S(2), "kimi", 10);
	targ(p, S(3), "kimi", 11);	/* subject 1 is paid already */
	subj(p, S(4), "kimi", 2);
	expect_pairer_finish(p, S(4));
	assert_int_equal(e.n, 2);
	assert_int_equal(e.v[0].outcome, EXPECT_MET);
	assert_int_equal(e.v[0].subject_id, 1);
	assert_int_equal(e.v[0].target_id, 10);
	assert_int_equal(e.v[1].outcome, EXPECT_OPEN);
	assert_int_equal(e.v[1].subject_id, 2);
	assert_int_equal(e.v[1].subject_ts, S(4));
	expect_pairer_free(p);
}

static void
test_expect_keys_separate(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	subj(p, S(0), "glm", 1);
	subj(p, S(0), "kimi", 2);
	targ(p, S(1), "kimi", 10);
	expect_pairer_finish(p, S(20));
	assert_int_equal(e.n, 2);
	assert_int_equal(e.v[0].outcome, EXPECT_MET);
	assert_int_equal(e.v[0].subject_id, 2);
	assert_int_equal(e.v[1].outcome, EXPECT_UNRESOLVED);
	assert_int_equal(e.v[1].subject_id, 1);
	assert_string_equal(e.v[1].key, "glm");
	expect_pairer_free(p);
}

static void
test_expect_window_bounds(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	/* Exactly W later still pays. */
	subj(p, S(0), "a", 1);
	targ(p, S(10), "a", 10);
	/* W + 1 ms is too late: the subject is unresolved, the target unused. */
	subj(p, S(20), "a", 2);
	targ(p, S(30) + 1, "a", 11);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.v[0].outcome, EXPECT_MET);
	assert_int_equal(e.v[0].target_id, 10);
	assert_int_equal(e.v[1].outcome, EXPECT_UNRESOLVED);
	assert_int_equal(e.v[1].subject_id, 2);
	assert_int_equal(expect_pairer_waiting(p), 0);
	expect_pairer_finish(p, S(100));
	assert_int_equal(e.n, 2);
	expect_pairer_free(p);
}

static void
test_expect_equal_timestamps(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	subj(p, S(5), "a", 1);
	targ(p, S(5), "a", 10);
	expect_pairer_finish(p, S(5));
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].outcome, EXPECT_MET);
	assert_int_equal(e.v[0].target_id, 10);
	expect_pairer_free(p);
}

static void
test_expect_unresolved_vs_open(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	subj(p, S(0), "a", 1);
	subj(p, S(5), "a", 2);
	subj(p, S(6), "b", 3);
	/* Log time 10 s: the window of the first ends exactly then. */
	expect_pairer_finish(p, S(10));
	assert_int_equal(e.n, 3);
	assert_int_equal(e.v[0].outcome, EXPECT_UNRESOLVED);
	assert_int_equal(e.v[0].subject_id, 1);
	assert_int_equal(e.v[1].outcome, EXPECT_OPEN);
	assert_int_equal(e.v[1].subject_id, 2);
	assert_int_equal(e.v[2].outcome, EXPECT_OPEN);
	assert_int_equal(e.v[2].subject_id, 3);
	expect_pairer_free(p);
}

static void
test_expect_log_time_at_least_last_event(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	subj(p, S(0), "a", 1);
	targ(p, S(10), "zz", 5);	/* another key's target proves time reached 10 s */
	expect_pairer_finish(p, TS_NONE);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].outcome, EXPECT_UNRESOLVED);
	expect_pairer_free(p);
}

static void
test_expect_snapshot(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);

	subj(p, S(0), "a", 1);
	subj(p, S(1), "b", 2);
	expect_pairer_snapshot(p, S(10) + 500);
	/* a's window ended by log time 10.5, b's did not; both keep waiting. */
	assert_int_equal(e.n, 2);
	assert_int_equal(e.v[0].outcome, EXPECT_UNRESOLVED);
	assert_int_equal(e.v[0].subject_id, 1);
	assert_int_equal(e.v[0].reported, 0);
	assert_int_equal(e.v[1].outcome, EXPECT_OPEN);
	assert_int_equal(e.v[1].subject_id, 2);
	assert_int_equal(expect_pairer_waiting(p), 2);

	/* Nothing new: nothing reported. */
	expect_pairer_snapshot(p, S(11));
	assert_int_equal(e.n, 2);

	/* A late target in a's window still pays it; a replacement. */
	targ(p, S(9), "a", 10);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.v[2].outcome, EXPECT_MET);
	assert_int_equal(e.v[2].subject_id, 1);
	assert_int_equal(e.v[2].target_id, 10);
	assert_int_equal(e.v[2].reported, 1);

	/* Only the subject that came since is reported. */
	subj(p, S(9), "c", 3);
	expect_pairer_snapshot(p, S(12));
	assert_int_equal(e.n, 4);
	assert_int_equal(e.v[3].subject_id, 3);
	assert_int_equal(e.v[3].outcome, EXPECT_OPEN);
	assert_int_equal(e.v[3].reported, 0);

	/* Time passes b's window: unresolved, replacing its open report. */
	targ(p, S(12), "c", 11);
	assert_int_equal(e.n, 6);
	assert_int_equal(e.v[4].outcome, EXPECT_UNRESOLVED);
	assert_int_equal(e.v[4].subject_id, 2);
	assert_int_equal(e.v[4].reported, 1);
	assert_int_equal(e.v[5].outcome, EXPECT_MET);
	assert_int_equal(e.v[5].subject_id, 3);
	assert_int_equal(e.v[5].reported, 1);
	assert_int_equal(expect_pairer_waiting(p), 0);
	expect_pairer_finish(p, S(12));
	assert_int_equal(e.n, 6);
	expect_pairer_free(p);
}

static void
test_expect_waiting_bounded(void **state)
{
	struct expects e = { .n = 0 };
	struct expect_pairer *p = expect_pairer_new(S(10), collect_expect, &e);
	char key[16];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		subj(p, S(i), key, i);
		targ(p, S(i), key, 10000 + i);
		assert_int_equal(expect_pairer_waiting(p), 0);
		e.n = 0;
	}
	/* Unpaid subjects are released once their window has passed. */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "u%d", i);
		subj(p, S(2000 + i), key, i);
		assert_true(expect_pairer_waiting(p) <= 11);
		e.n = 0;
	}
	assert_int_equal(expect_pairer_waiting(p), 11);
	/* Freed with subjects still waiting: no leak under ASan. */
	expect_pairer_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_threshold_exact),
		cmocka_unit_test(test_storm_span_must_be_below_window),
		cmocka_unit_test(test_storm_gap_exactly_window_closes),
		cmocka_unit_test(test_storm_gap_below_window_joins),
		cmocka_unit_test(test_storm_count_includes_pre_threshold),
		cmocka_unit_test(test_storm_peak_per_min),
		cmocka_unit_test(test_storm_equal_timestamps),
		cmocka_unit_test(test_storm_keys_independent),
		cmocka_unit_test(test_storm_empty_key_and_binary_key),
		cmocka_unit_test(test_storm_key_expiry_bounds_memory),
		cmocka_unit_test(test_storm_free_with_live_keys),
		cmocka_unit_test(test_storm_snapshot),
		cmocka_unit_test(test_expect_fifo),
		cmocka_unit_test(test_expect_target_pays_once),
		cmocka_unit_test(test_expect_keys_separate),
		cmocka_unit_test(test_expect_window_bounds),
		cmocka_unit_test(test_expect_equal_timestamps),
		cmocka_unit_test(test_expect_unresolved_vs_open),
		cmocka_unit_test(test_expect_log_time_at_least_last_event),
		cmocka_unit_test(test_expect_snapshot),
		cmocka_unit_test(test_expect_waiting_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
