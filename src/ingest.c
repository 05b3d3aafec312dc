/*
 * ingest.c - the pipeline from one input to the store: reader -> envelope
 * -> multiline -> matcher -> store, in batched transactions with the
 * correlation brought up to date before each commit.  The resume point of
 * a file is saved in the same transaction as its events, so a run killed
 * at any moment leaves a consistent database and the next run completes it.
 *
 * SQLite runs on the writer thread (writer.h): this file packs each
 * commit's events and state into a batch and hands it over, and touches
 * the database itself (a stored source's marks, the resume point) only
 * while the writer is idle.
 * Knows nothing about reports or screens; prints nothing.
 */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "context.h"
#include "correlate.h"
#include "docker_names.h"
#include "generic.h"
#include "matcher.h"
#include "multiline.h"
#include "ordinals.h"
#include "reader.h"
#include "rules.h"
#include "timeparse.h"
#include "util.h"
#include "writer.h"

/* A batch is committed after this many events or bytes, or this much wall time. */
#define BATCH_EVENTS	8192
#define BATCH_MS	1000
/*
 * ... or once it holds this many volume rows, one per source and minute:
 * as many as its records when its sources log less than once a minute,
 * and each on a page of the database's volume that the commit changes.
 */
#define BATCH_VOLS	16384
/* Among untimed records a due batch commits at the latest with this many events. */
#define BATCH_UNTIMED_EVENTS	65536
/* Past this many records a due batch commits even inside one second. */
#define BATCH_FORCE_RECORDS	2000000
/* The first batch of a run is due after this many records, each next after twice as many. */
#define BATCH_FIRST_RECORDS	8192
/* A batch cut short towards the end of a file is at least this long. */
#define BATCH_TAIL_BYTES	(128u * 1024)
/*
 * Following, or reading a stream gone silent, pending records are
 * flushed after this much idle time.
 */
#define FOLLOW_FLUSH_MS	1000

/* Slots of ingest.ml_ids. */
#define ML_IDS	64

/* Zones are within 14 hours of UTC, so two of them within 28. */
#define CLOCK_HOURS	28

/*
 * Clock offsets of a source: records with both an envelope stamp and one
 * of their own, by whole hours of own minus envelope (CLOCK_HOURS either
 * way; the last slot for any other difference).  Apart from the source's
 * state, which there can be a million of, most with one stamp only.
 */
struct src_clock {
	uint32_t	 h[2 * CLOCK_HOURS + 2];
	uint32_t	 n;
	unsigned char	 own_naive, env_naive;
	int64_t		 env_ts;
};

/* A pending text of a source (see hi_texts): at p, else at hi_copy + off. */
struct hi_text {
	const char	*p;
	size_t		 off;
	size_t		 len;
};

struct src_state {
	int64_t		 id;
	char		*name;
	size_t		 name_len;
	int64_t		 cur_ts;	/* ts of its latest record */
	struct ordinals	 ord;
	int64_t		 min_ts, max_ts;	/* span of the open batch */
	/*
	 * The volume: mark_ts and mark are what the database had counted
	 * from this input when the source was first met (records of mark_ts
	 * still to be passed over, per text); count_all when this run reads
	 * only what was never counted.  hi_ts and hi are this run's latest
	 * time and its records per text, hi_off the input offset after the
	 * latest record counted: the mark this run leaves.
	 */
	int64_t		 mark_ts;
	struct tcount	 mark;
	int		 count_all;
	int64_t		 hi_ts;
	struct tcount	 hi;
	/*
	 * Texts of hi_ts not yet counted in hi, in the order they came, and
	 * how many: most seconds are over before a mark is saved, and their
	 * texts need not be hashed at all (see ingest_vol_counts).  A text
	 * that lies in the input's lines (record.lent) is pointed at until
	 * the reader reuses them (hi_settle); the others are copied into
	 * hi_copy.  hi_bytes is what they count against HI_PENDING_BYTES.
	 */
	struct hi_text	*hi_texts;
	size_t		 hi_pending, hi_cap;
	size_t		 hi_lent;	/* of them still in the input's lines */
	struct buf	 hi_copy;
	size_t		 hi_bytes;
	uint64_t	 hi_off;
	int		 hi_dirty;
	struct src_clock *clock;	/* NULL until a record has both stamps */
	int		 touched;	/* in ingest.touched */
	size_t		 new_row;	/* its row in the open batch's srcs + 1, or 0 */
	int		 unmarked;	/* added by this run, no volume mark saved yet */
};

struct vol {
	int64_t		sid, minute;
	uint64_t	lines, records, bytes, malformed, truncated;
	int		used;
};

struct ingest {
	struct store		*st;
	int			 event_hash;	/* store_event_hash */
	int			 by_record;	/* store_untimed_ordinal is RECORD */
	uint64_t		*rule_seed;	/* per rule: the hash of its id and NUL */
	const struct ruleset	*rs;
	uint64_t		 rules_hash;	/* ruleset_hash, kept with each resume point */
	uint64_t		 read_done;	/* bytes of the inputs ended */
	struct ingest_opts	 opts;
	struct matcher		*matcher;
	struct generic		*generic;	/* log-error, log-critical */
	struct correlate	*corr;

	struct src_state	*srcs;
	size_t			 nsrcs, srccap;
	struct ingest_clock	*clocks;	/* of the last input */
	size_t			 nclocks;
	size_t			 last_src;
	struct util_index	 src_index;	/* srcs by name */
	/*
	 * srcs by the multiline's record.source_id, slot id % ML_IDS: a
	 * compose input interleaves a few containers, whose names need then
	 * be neither compared nor hashed per record.  Emptied with srcs.
	 */
	struct {
		uint64_t	 id;
		size_t		 src;
	}			 ml_ids[ML_IDS];
	/*
	 * The id the next new source gets, and whether no source was stored
	 * that this run has not met (no name need be looked up).
	 */
	int64_t			 next_id;
	int			 srcs_known;
	struct store_vmark	 mark_vm;	/* ingest_mark_load's scratch */
	/*
	 * Sources with records since the last commit, or an ordinal log
	 * still to be saved: a commit walks these, not every source.
	 */
	size_t			*touched;
	size_t			 ntouched, touchedcap;

	struct vol		*vols;
	size_t			 nvols, volcap;
	struct vol		*last_vol;
	int64_t			 last_vol_ms;	/* where its minute begins */

	/* the input being read */
	const char		*path;
	char			*key;		/* its identity: canonical path, or "-" */
	int			 claimed;	/* store_input_claim holds key */
	int			 hold;		/* keep an unfinished last record for the next run */
	uint64_t		 start_off;	/* where this run began reading */
	uint64_t		 start_lineno;	/* the line before start_off */
	int64_t			 time;		/* the latest record's time before time_off */
	uint64_t		 time_off;
	struct ord_restore	 restore;	/* ordinal state of the resume point */
	/*
	 * The next commit saves the ordinal state of every source: the
	 * saved one is not this input's resume point (a run that starts
	 * over, a state read under another spelling or in the old form).
	 */
	int			 ords_full;
	int			 resumable;
	uint64_t		 fingerprint;
	int64_t			 ingest_id;
	double			 decompress_cpu;	/* of the inputs closed so far */
	char			*def_name;
	size_t			 def_name_len;	/* asked for by every record without a source of its own */
	size_t			 def_src;	/* its row in srcs + 1 once met, else 0 */
	const char		*def_kind;
	char			*def_identity;
	/*
	 * The sources this run gave the names the input's lines gave (of
	 * INGEST_SOURCES_MAX, with nprior), and the row in srcs + 1 of the
	 * one the records of the names past those are stored as, 0 until
	 * one was.
	 */
	size_t			 nborne;
	size_t			 ovf_src;
	struct ingest_overflow	 ovf;		/* of the input */
	/*
	 * Of a file this run resumes, the sources its lines named that the
	 * runs before counted volume of (-1 until asked): they were of its
	 * first INGEST_SOURCES_MAX names.  And how many of them this run
	 * met, which nborne does not count.
	 */
	int64_t			 nprior;
	size_t			 prior_met;
	struct multiline	*ml;
	struct context_stream	*ctx_stream;	/* a stream's last records */
	struct store_ingest_counts *counts;
	uint64_t		 cur_offset, cur_lineno;
	struct reader		*r;		/* ... its lines */
	struct reader_stats	 base;		/* reader counters where this run began */
	uint64_t		 regex_base;

	/* the open batch */
	int			 in_txn;
	uint64_t		 batch_events, batch_records;
	uint64_t		 clock_records;	/* batch_records at the last clock read */
	uint64_t		 due_records;	/* a batch this long is due (0: the first) */
	int64_t			 batch_started;
	uint64_t		 batch_offset;	/* cur_offset where it began */
	uint64_t		 input_size;	/* a plain file's, else 0: unknown */
	size_t			 hi_pending_bytes;	/* srcs' hi_bytes, all told */
	size_t			 hi_lent;	/* srcs' hi_lent, all told */
	struct batch		*batch;
	struct writer		 w;
	int			 failed;
	char			 err[512];

	/* scratch for one record */
	const struct record	*rec;
	int			 rec_matched;	/* rules with a pattern that matched it */
	struct src_state	*rec_src;
	int64_t			 rec_ts;
	int			 rec_ordinal;	/* untimed, by_record: its number */
	char			 num[64];
};

static int
ingest_fail(struct ingest *in, const char *msg)
{
	if (!in->failed)
		snprintf(in->err, sizeof in->err, "%s", msg);
	in->failed = 1;
	return -1;
}

/* 1 if the writer failed (its message is copied to in->err). */
static int
ingest_writer_failed(struct ingest *in)
{
	char err[512];

	if (!writer_failed(&in->w, err, sizeof err))
		return 0;
	ingest_fail(in, err);
	return 1;
}

struct ingest *
ingest_new(struct store *st, const struct ruleset *rs,
    const struct ingest_opts *opts, char *err, size_t errlen)
{
	struct ingest *in = xcalloc(1, sizeof *in);

	in->st = st;
	in->event_hash = store_event_hash(st);
	in->by_record = store_untimed_ordinal(st) == STORE_ORDINAL_RECORD;
	in->rs = rs;
	in->rules_hash = ruleset_hash(rs);
	in->opts = *opts;
	if (in->opts.commit_ms <= 0)
		in->opts.commit_ms = BATCH_MS;
	if ((in->matcher = matcher_new(rs, err, errlen)) == NULL)
		goto fail;
	in->generic = generic_new(rs);
	in->rule_seed = xcalloc(rs->n ? rs->n : 1, sizeof *in->rule_seed);
	for (size_t i = 0; i < rs->n; i++)
		in->rule_seed[i] = util_hash64(rs->rules[i].id,
		    strlen(rs->rules[i].id) + 1, UTIL_HASH_SEED);
	if ((in->corr = correlate_new(st, rs, err, errlen)) == NULL)
		goto fail;
	in->volcap = 256;
	in->vols = xcalloc(in->volcap, sizeof *in->vols);
	in->batch = writer_batch_new();
	writer_start(&in->w, st, in->corr, rs);
	if (in->opts.follow && writer_parallel(&in->w, err, errlen) != 0)
		goto fail;
	return in;
fail:
	ingest_free(in);
	return NULL;
}

static void
ingest_forget_clocks(struct ingest *in)
{
	size_t i;

	for (i = 0; i < in->nclocks; i++)
		free(in->clocks[i].source);
	free(in->clocks);
	in->clocks = NULL;
	in->nclocks = 0;
}

const struct ingest_clock *
ingest_clocks(const struct ingest *in, size_t *n)
{
	*n = in->nclocks;
	return in->clocks;
}

/* Count a record's two stamps towards its source's clock offset. */
static void
clock_vote(struct src_state *s, const struct record *rec)
{
	int64_t diff = rec->own_ts - rec->env_ts, h;
	struct src_clock *k;

	if (s->clock == NULL)
		s->clock = xcalloc(1, sizeof *s->clock);
	k = s->clock;
	h = (diff >= 0 ? diff + 1800000 : diff - 1800000) / 3600000;
	if (llabs(h) <= CLOCK_HOURS && llabs(diff - h * 3600000) <= 900000)
		k->h[h + CLOCK_HOURS]++;
	else
		k->h[2 * CLOCK_HOURS + 1]++;
	if (k->n++ == 0) {
		k->own_naive = rec->own_naive;
		k->env_naive = rec->env_naive;
	}
	k->env_ts = rec->env_ts;
}

/*
 * The sources of this input whose clocks disagree by whole hours for most
 * of their records, and the zone that would read their naive side right.
 */
static void
ingest_find_clocks(struct ingest *in)
{
	const struct src_state *s;
	const struct src_clock *k;
	struct ingest_clock *c;
	int32_t tzoff;
	size_t i, h, best;

	ingest_forget_clocks(in);
	for (i = 0; i < in->nsrcs; i++) {
		s = &in->srcs[i];
		if ((k = s->clock) == NULL || k->n == 0)
			continue;
		best = CLOCK_HOURS;
		for (h = 0; h <= 2 * CLOCK_HOURS; h++)
			if (k->h[h] > k->h[best])
				best = h;
		if (best == CLOCK_HOURS || (uint64_t)k->h[best] * 2 <= k->n)
			continue;
		/*
		 * Two naive stamps move alike with --tz: one given means the
		 * envelope is read as its user wants.
		 */
		if (k->own_naive && k->env_naive && in->opts.tz != NULL)
			continue;
		in->clocks = xrealloc(in->clocks, (in->nclocks + 1) *
		    sizeof *in->clocks);
		c = &in->clocks[in->nclocks++];
		memset(c, 0, sizeof *c);
		c->source = xstrdup(s->name);
		c->offset = ((int32_t)best - CLOCK_HOURS) * 3600;
		c->n = k->h[best];
		c->total = k->n;
		c->own_naive = k->own_naive;
		c->env_naive = k->env_naive;
		c->fixable = c->own_naive || c->env_naive;
		/*
		 * Naive stamps were read in --tz: the one side reads right in
		 * that zone moved by the offset.
		 */
		tzoff = tz_offset(in->opts.tz, k->env_ts);
		c->zone = c->env_naive ? tzoff - c->offset : tzoff + c->offset;
	}
}

static void
ingest_forget_sources(struct ingest *in)
{
	size_t i;

	/*
	 * The sources forgotten are stored (or about to be): a name met
	 * again must be looked up, not given a new id.
	 */
	if (in->nsrcs > 0)
		in->srcs_known = 0;
	for (i = 0; i < in->nsrcs; i++) {
		free(in->srcs[i].name);
		free(in->srcs[i].clock);
		ordinals_free(&in->srcs[i].ord);
		tcount_free(&in->srcs[i].mark);
		tcount_free(&in->srcs[i].hi);
		free(in->srcs[i].hi_texts);
		buf_free(&in->srcs[i].hi_copy);
	}
	in->hi_pending_bytes = 0;
	in->hi_lent = 0;
	in->nsrcs = 0;
	in->last_src = 0;
	in->def_src = 0;
	in->nborne = 0;
	in->ovf_src = 0;
	in->nprior = -1;
	in->prior_met = 0;
	in->ntouched = 0;
	util_index_free(&in->src_index);
	memset(in->ml_ids, 0, sizeof in->ml_ids);
}

void
ingest_times(struct ingest *in, struct ingest_times *t)
{
	struct writer_times w;

	writer_times(&in->w, &w);
	t->write_cpu = w.cpu;
	t->correlate_cpu = w.correlate_cpu;
	t->write_idle = w.idle;
	t->read_blocked = w.blocked;
	t->decompress_cpu = in->decompress_cpu;
	t->compress_cpu = w.compress_cpu;
	store_checkpoints_behind(in->st, NULL, &t->checkpoint_cpu);
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	writer_stop(&in->w);
	if (in->batch != NULL)
		writer_batch_free(in->batch);
	matcher_free(in->matcher);
	generic_free(in->generic);
	free(in->rule_seed);
	correlate_free(in->corr);
	ingest_forget_sources(in);
	ingest_forget_clocks(in);
	free(in->ovf.source);
	free(in->srcs);
	free(in->touched);
	free(in->vols);
	free(in->mark_vm.texts);
	free(in);
}

/* Open a batch (the writer begins its transaction when it gets it). */
static int
ingest_txn(struct ingest *in)
{
	if (in->in_txn)
		return 0;
	in->in_txn = 1;
	in->batch_events = in->batch_records = in->clock_records = 0;
	in->batch_started = util_now_ms();
	in->batch_offset = in->cur_offset;
	return 0;
}

/*
 * What the volume of s has counted from this input so far.  A run that
 * resumes a file at or past the offset after the last record counted
 * reads only new records; any other passes over what the mark covers.
 * Borrows the writer's scratch mark: ingest_source drained the writer.
 */
static int
ingest_mark_load(struct ingest *in, struct src_state *s)
{
	struct store_vmark *vm = &in->mark_vm;
	size_t i;

	s->mark_ts = s->hi_ts = TS_NONE;
	if (store_vmark_get(in->st, s->id, in->key, vm, in->err,
	    sizeof in->err) != 0) {
		in->failed = 1;
		return -1;
	}
	s->mark_ts = vm->ts;
	s->count_all = vm->ts == TS_NONE ||
	    (in->start_off > 0 && in->start_off >= vm->offset);
	for (i = 0; i < vm->n && !s->count_all; i++)
		tcount_add(&s->mark, vm->texts[i].hash, (int)vm->texts[i].n);
	return 0;
}

/*
 * Past this many bytes of pending texts they are counted at once, so that
 * a second of many records holds no more than this.
 */
#define HI_PENDING_BYTES	(64 * 1024)

/*
 * Past this many bytes of pending texts of all sources together, a record's
 * text is counted as it comes: with a source per line (a compose prefix
 * each) every source would otherwise hold a copy of its one text.
 */
#define HI_PENDING_TOTAL	(1024 * 1024)

/* Drop the pending texts of s (counted or not needed), and their bytes. */
static void
hi_drop_pending(struct ingest *in, struct src_state *s, int release)
{
	in->hi_pending_bytes -= s->hi_bytes;
	in->hi_lent -= s->hi_lent;
	if (release) {
		free(s->hi_texts);
		s->hi_texts = NULL;
		s->hi_cap = 0;
		buf_free(&s->hi_copy);
	} else
		buf_reset(&s->hi_copy);
	s->hi_pending = s->hi_lent = s->hi_bytes = 0;
}

/* Keep a pending text of s, pointed at if it lies in the input's lines. */
static void
hi_keep(struct ingest *in, struct src_state *s, const char *p, size_t len,
    int lent)
{
	struct hi_text *t;

	s->hi_texts = util_grow(s->hi_texts, &s->hi_cap, s->hi_pending,
	    sizeof *s->hi_texts, 16);
	t = &s->hi_texts[s->hi_pending++];
	t->len = len;
	if (lent) {
		t->p = p;
		s->hi_lent++;
		in->hi_lent++;
	} else {
		t->p = NULL;
		t->off = s->hi_copy.len;
		buf_append(&s->hi_copy, p, len);
	}
	s->hi_bytes += sizeof len + len;
	in->hi_pending_bytes += sizeof len + len;
}

/*
 * The reader is about to reuse the input's lines: copy the pending texts
 * that lie there.  Sources with pending texts are all in the touched
 * list (a commit counts and drops those of the sources it lets go).
 */
static void
hi_settle(struct ingest *in)
{
	struct src_state *s;
	size_t i, j;

	for (i = 0; i < in->ntouched && in->hi_lent > 0; i++) {
		s = &in->srcs[in->touched[i]];
		for (j = 0; j < s->hi_pending && s->hi_lent > 0; j++) {
			if (s->hi_texts[j].p == NULL)
				continue;
			s->hi_texts[j].off = s->hi_copy.len;
			buf_append(&s->hi_copy, s->hi_texts[j].p,
			    s->hi_texts[j].len);
			s->hi_texts[j].p = NULL;
			s->hi_lent--;
			in->hi_lent--;
		}
	}
}

/*
 * Count the pending texts of hi_ts in hi, in the order they came; release:
 * give their buffer back too (at a commit, so that a source seen once
 * holds nothing after it).
 */
__attribute__((noinline))
static void
hi_count_pending(struct ingest *in, struct src_state *s, int release)
{
	const struct hi_text *t;
	const char *p;
	size_t i;

	for (i = 0; i < s->hi_pending; i++) {
		t = &s->hi_texts[i];
		/* hi_copy has no memory while all it holds is empty */
		if ((p = t->p) == NULL)
			p = t->len > 0 ? s->hi_copy.data + t->off : "";
		tcount_add(&s->hi, util_hash_text(p, t->len, UTIL_HASH_SEED),
		    1);
	}
	hi_drop_pending(in, s, release);
}

/*
 * Does the volume count this record (ts, hash) of s?  Not when the
 * database counted it before: it lies before the mark, or at the mark's
 * time with a text counted there as often as this run has met it.  Keeps
 * this run's mark up to date either way.
 */
static int
ingest_vol_counts(struct ingest *in, struct src_state *s,
    const struct record *rec, int64_t ts)
{
	uint64_t hash = 0;
	int counts, hashed = 0;

	if (s->count_all || ts > s->mark_ts)
		counts = 1;
	else if (ts < s->mark_ts)
		counts = 0;
	else {
		hash = util_hash_text(rec->text, rec->len, UTIL_HASH_SEED);
		hashed = 1;
		counts = !tcount_take(&s->mark, hash);
	}
	if (s->hi_ts == TS_NONE || ts >= s->hi_ts) {
		/*
		 * A second's texts are counted only if a mark needs them
		 * (batch_mark) or counting them would have grown the table,
		 * whose size decides the order the mark lists them in.
		 */
		if (ts != s->hi_ts) {
			if (tcount_fits(&s->hi, s->hi_pending))
				hi_drop_pending(in, s, 0);
			else
				hi_count_pending(in, s, 0);
			tcount_clear(&s->hi);
			s->hi_ts = ts;
		}
		if (hashed || s->hi_bytes >= HI_PENDING_BYTES ||
		    in->hi_pending_bytes >= HI_PENDING_TOTAL) {
			hi_count_pending(in, s, 0);
			if (!hashed)
				hash = util_hash_text(rec->text, rec->len,
				    UTIL_HASH_SEED);
			tcount_add(&s->hi, hash, 1);
		} else
			hi_keep(in, s, rec->text, rec->len, rec->lent);
		s->hi_dirty = 1;
	}
	if (counts) {
		s->hi_off = in->cur_offset;
		s->hi_dirty = 1;
	}
	return counts;
}

/*
 * The id of the source called name: a stored one's (*created 0), else
 * the next free one (*created 1), whose row goes to the writer with the
 * batch.  The first call of a batch counts the batch in the writer's
 * pending and takes the sources claim if the writer let it go.  0 or -1.
 */
static int
ingest_source_id(struct ingest *in, const char *name, const char *kind,
    const char *identity, int64_t *id, int *created)
{
	struct store_source_row *row;
	struct batch *b = in->batch;
	char err[512];
	int64_t max_id;

	*created = 0;
	if (!b->allocs) {
		b->allocs = 1;
		if (writer_allocs(&in->w)) {
			if (!store_sources_apart(in->st))
				writer_drain(&in->w);
			if (store_sources_claim(in->st, in->opts.stop, &max_id,
			    err, sizeof err) != 0)
				return ingest_fail(in, err);
			writer_claimed(&in->w);
			/* the ids this run chose are all that came since */
			in->srcs_known = max_id == 0 ||
			    (in->srcs_known && max_id < in->next_id);
			if (max_id >= in->next_id)
				in->next_id = max_id + 1;
		}
	}
	if (!in->srcs_known) {
		if (!store_sources_apart(in->st))
			writer_drain(&in->w);
		if (store_source_find(in->st, name, id, err, sizeof err) != 0)
			return ingest_fail(in, err);
		if (*id >= 0)
			return 0;
	}
	*id = in->next_id++;
	*created = 1;
	b->srcs = util_grow(b->srcs, &b->srccap, b->nsrcs, sizeof *b->srcs, 64);
	row = &b->srcs[b->nsrcs++];
	row->id = *id;
	row->name = name;
	row->kind = kind;
	row->identity = identity;
	row->first_ts = row->last_ts = TS_NONE;
	return 0;
}

static struct src_state *ingest_overflow_source(struct ingest *in,
    const char *kind);

/* The name of the source of the records of the names past the cap. */
static const char *
ingest_overflow_name(struct ingest *in)
{
	if (in->ovf.source == NULL)
		in->ovf.source = xasprintf("%s (other sources)", in->def_name);
	return in->ovf.source;
}

/*
 * May the name a line gave, which this run meets for the first time, be
 * a source of its own?  The first INGEST_SOURCES_MAX names of the input
 * are.  In a run that resumes a file, they include the names the runs
 * before counted volume of (by their marks): a file read in several runs
 * gets the sources of one run, so that reading it again from the start
 * stores no record again under another source.  0 (with in->failed set
 * on an error) or 1.
 */
static int
ingest_room(struct ingest *in, const char *name, size_t len)
{
	char *copy;
	int64_t id;
	int rc;

	if (in->nprior < 0) {
		in->nprior = 0;
		if (in->start_off > 0) {
			writer_drain(&in->w);
			if (store_vmark_count(in->st, in->key, in->def_name,
			    ingest_overflow_name(in), &in->nprior, in->err,
			    sizeof in->err) != 0) {
				in->failed = 1;
				return 0;
			}
		}
	}
	if ((uint64_t)in->nprior + in->nborne < INGEST_SOURCES_MAX)
		return 1;
	if ((uint64_t)in->nprior <= in->prior_met)
		return 0;
	/* one of the names before is still to come: is this it? */
	writer_drain(&in->w);
	copy = xstrndup(name, len);
	rc = store_source_find(in->st, copy, &id, in->err, sizeof in->err);
	free(copy);
	if (rc == 0 && id >= 0)
		rc = store_vmark_get(in->st, id, in->key, &in->mark_vm, in->err,
		    sizeof in->err);
	if (rc != 0) {
		in->failed = 1;
		return 0;
	}
	return id >= 0 && in->mark_vm.ts != TS_NONE;
}

/*
 * The state of the source called name, created (and stored) if new.
 * borne: the name is one a line gave, which past INGEST_SOURCES_MAX of
 * them is no source of its own.
 */
static struct src_state *
ingest_source(struct ingest *in, const char *name, size_t len, const char *kind,
    const char *identity, int borne)
{
	struct src_state *s;
	char *copy;
	int64_t id;
	size_t i, it = 0;
	uint64_t h;
	int created;

	if (in->nsrcs > 0) {
		s = &in->srcs[in->last_src];
		if (s->name_len == len && util_equal(s->name, name, len))
			return s;
	}
	/* compose prefixes can be as many as the lines */
	h = util_hash_text(name, len, UTIL_HASH_SEED);
	while ((i = util_index_next(&in->src_index, h, &it)) != UTIL_INDEX_NONE) {
		s = &in->srcs[i];
		if (s->name_len == len && util_equal(s->name, name, len)) {
			in->last_src = i;
			return s;
		}
	}
	if (borne && !ingest_room(in, name, len))
		return in->failed ? NULL : ingest_overflow_source(in, kind);
	copy = xstrndup(name, len);
	if (ingest_source_id(in, copy, kind, identity, &id, &created) != 0) {
		free(copy);
		return NULL;
	}
	/* a stored source's volume mark and ordinals are read from the store */
	if (!created)
		writer_drain(&in->w);
	in->srcs = util_grow(in->srcs, &in->srccap, in->nsrcs,
	    sizeof *in->srcs, 8);
	s = &in->srcs[in->nsrcs];
	memset(s, 0, sizeof *s);
	s->id = id;
	s->name = copy;
	s->name_len = len;
	ordinals_init(&s->ord);
	s->min_ts = s->max_ts = TS_NONE;
	/* A resumed run continues the ordinals of the second it resumes in. */
	ord_restore_seed(&in->restore, id, &s->ord);
	s->cur_ts = s->ord.snap_ts;
	util_index_put(&in->src_index, h, in->nsrcs);
	in->last_src = in->nsrcs++;
	/* a row just added has no volume mark and nothing to correlate yet */
	if (created) {
		s->mark_ts = s->hi_ts = TS_NONE;
		s->count_all = 1;
		s->unmarked = 1;
		s->new_row = in->batch->nsrcs;
	} else if (ingest_mark_load(in, s) != 0)
		return NULL;
	if (borne && !created && in->nprior > 0 && s->mark_ts != TS_NONE)
		in->prior_met++;
	else if (borne)
		in->nborne++;
	return s;
}

/*
 * The source of the records whose lines name a source past
 * INGEST_SOURCES_MAX: one per input, named after the input's own source
 * (so that two inputs' never mix), of the kind the first of them named.
 */
static struct src_state *
ingest_overflow_source(struct ingest *in, const char *kind)
{
	struct src_state *s;

	if (in->ovf_src != 0)
		return &in->srcs[in->ovf_src - 1];
	ingest_overflow_name(in);
	if ((s = ingest_source(in, in->ovf.source, strlen(in->ovf.source), kind,
	    NULL, 0)) != NULL)
		in->ovf_src = (size_t)(s - in->srcs) + 1;
	return s;
}

const struct ingest_overflow *
ingest_overflow(const struct ingest *in)
{
	return in->ovf.records > 0 ? &in->ovf : NULL;
}

static size_t
vol_slot(const struct vol *v, size_t cap, int64_t sid, int64_t minute)
{
	size_t i = (size_t)((uint64_t)sid * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)minute * 0xff51afd7ed558ccdULL) & (cap - 1);

	while (v[i].used && (v[i].sid != sid || v[i].minute != minute))
		i = (i + 1) & (cap - 1);
	return i;
}

/* ingest_vol for a row other than the last one's: apart, as it is rare. */
__attribute__((noinline))
static struct vol *
vol_find(struct ingest *in, int64_t sid, int64_t ts)
{
	struct vol *old, *v;
	size_t i, n;
	int64_t minute;

	minute = ts >= 0 ? ts / 60000 : -((-ts + 59999) / 60000);
	if ((in->nvols + 1) * 2 > in->volcap) {
		old = in->vols;
		n = in->volcap;
		in->volcap *= 2;
		in->vols = xcalloc(in->volcap, sizeof *in->vols);
		for (i = 0; i < n; i++) {
			if (old[i].used)
				in->vols[vol_slot(in->vols, in->volcap, old[i].sid,
				    old[i].minute)] = old[i];
		}
		free(old);
	}
	v = &in->vols[vol_slot(in->vols, in->volcap, sid, minute)];
	if (!v->used) {
		memset(v, 0, sizeof *v);
		v->used = 1;
		v->sid = sid;
		v->minute = minute;
		in->nvols++;
	}
	in->last_vol = v;
	in->last_vol_ms = minute * 60000;
	return v;
}

/*
 * The in-memory volume row of source sid in the minute of ts; written out
 * at commit.
 */
static inline struct vol *
ingest_vol(struct ingest *in, int64_t sid, int64_t ts)
{
	/* the minute of the last row holds most records: no division */
	if (in->last_vol != NULL && in->last_vol->sid == sid &&
	    ts >= in->last_vol_ms && ts - in->last_vol_ms < 60000)
		return in->last_vol;
	return vol_find(in, sid, ts);
}

/* The physical counters of the input so far (beyond where this run began). */
static void
ingest_physical(struct ingest *in)
{
	const struct reader_stats *rs;
	struct store_ingest_counts *c = in->counts;

	c->regex_errors = matcher_stats(in->matcher)->regex_errors - in->regex_base;
	if (in->r == NULL)
		return;
	rs = reader_stats(in->r);
	c->bytes = rs->bytes - in->base.bytes;
	c->lines = rs->lines - in->base.lines;
	c->truncated = rs->truncated - in->base.truncated;
	c->nul_bytes = rs->nul_bytes - in->base.nul_bytes;
	c->utf16 = rs->utf16;
}

/* Save the volume mark s leaves. */
static void
batch_mark(struct ingest *in, struct batch *b, struct src_state *s)
{
	size_t j;

	s->hi_dirty = 0;
	hi_count_pending(in, s, 1);
	b->marks = util_grow(b->marks, &b->markcap, b->nmarks, sizeof *b->marks, 8);
	b->marks[b->nmarks].sid = s->id;
	b->marks[b->nmarks].ts = s->hi_ts;
	b->marks[b->nmarks].offset = s->hi_off;
	b->marks[b->nmarks].t0 = b->nmtexts;
	b->marks[b->nmarks].nt = s->hi.n;
	b->marks[b->nmarks].unmarked = s->unmarked;
	s->unmarked = 0;
	b->nmarks++;
	for (j = 0; j < s->hi.n; j++) {
		b->mtexts = util_grow(b->mtexts, &b->mtextcap, b->nmtexts,
		    sizeof *b->mtexts, 16);
		b->mtexts[b->nmtexts].hash = s->hi.slot[s->hi.used[j]].hash;
		b->mtexts[b->nmtexts].n = (uint32_t)s->hi.slot[s->hi.used[j]].n;
		b->nmtexts++;
	}
}

/*
 * Save the ordinal state of every source in place of what was saved: this
 * run's sources as they are at the commit point (ordinals_advance done),
 * and those of the resume point it has not met, as they were.  Once per
 * input.
 */
static void
ingest_ords_full(struct ingest *in, struct batch *b)
{
	size_t i;

	b->ords.reset = 1;
	in->ords_full = 0;
	/* an untimed source has counts in the second TS_NONE */
	for (i = 0; i < in->nsrcs; i++)
		if (in->srcs[i].ord.snap_ts != TS_NONE ||
		    in->srcs[i].ord.nsnap > 0)
			ord_save_source(&b->ords, in->srcs[i].id, &in->srcs[i].ord);
	ord_save_unmet(&b->ords, &in->restore);
}

/*
 * Write what the batch accumulated, the resume point and the counters, run
 * the correlation and commit.  offset/lineno: input before it is complete.
 */
static int
ingest_commit(struct ingest *in, uint64_t offset, uint64_t lineno,
    const char *status)
{
	struct batch *b = in->batch;
	struct src_state *s;
	struct vol *v;
	size_t i, k, nlog;
	char err[256];

	if (in->failed || ingest_txn(in) != 0)
		return -1;
	ingest_physical(in);
	b->counts = *in->counts;
	for (i = 0; i < in->volcap; i++) {
		v = &in->vols[i];
		if (!v->used)
			continue;
		b->vols = util_grow(b->vols, &b->volcap, b->nvols,
		    sizeof *b->vols, 64);
		b->vols[b->nvols++] = (struct store_volume){ v->sid, v->minute,
		    v->lines, v->records, v->bytes, v->malformed, v->truncated };
		v->used = 0;
	}
	in->nvols = 0;
	in->last_vol = NULL;
	for (i = k = 0; i < in->ntouched; i++) {
		s = &in->srcs[in->touched[i]];
		/*
		 * A source added with the batch is added with its span (one
		 * met just before a commit is added by the batch before).
		 */
		if (s->new_row > 0 && s->new_row <= b->nsrcs &&
		    b->srcs[s->new_row - 1].id == s->id) {
			b->srcs[s->new_row - 1].first_ts = s->min_ts;
			b->srcs[s->new_row - 1].last_ts = s->max_ts;
			s->new_row = 0;
			s->min_ts = s->max_ts = TS_NONE;
		} else if (s->min_ts != TS_NONE) {
			s->new_row = 0;
			b->seen = util_grow(b->seen, &b->seencap, b->nseen,
			    sizeof *b->seen, 8);
			b->seen[b->nseen].source_id = s->id;
			b->seen[b->nseen].min_ts = s->min_ts;
			b->seen[b->nseen].max_ts = s->max_ts;
			b->nseen++;
			s->min_ts = s->max_ts = TS_NONE;
		}
		nlog = s->ord.nlog;
		ordinals_advance(&s->ord, offset, &in->time, &in->time_off);
		if (in->resumable && !in->ords_full && s->ord.nlog < nlog)
			ord_save_source(&b->ords, s->id, &s->ord);
		if (s->hi_dirty)
			batch_mark(in, b, s);
		/* what is logged past offset is saved by a later commit */
		if (s->ord.nlog > 0)
			in->touched[k++] = in->touched[i];
		else
			s->touched = 0;
	}
	in->ntouched = k;
	if (in->resumable && in->ords_full)
		ingest_ords_full(in, b);
	b->offset = offset;
	b->lineno = lineno;
	b->ts = in->time;
	b->resumable = in->resumable;
	b->status = status;
	if (in->ctx_stream != NULL)
		context_stream_close(in->ctx_stream);
	b->key = in->key;
	b->fingerprint = in->fingerprint;
	b->rules_hash = in->rules_hash;
	b->ingest_id = in->ingest_id;
	if (in->read_done + in->counts->bytes >= WRITER_PARALLEL_BYTES &&
	    writer_parallel(&in->w, err, sizeof err) != 0)
		return ingest_fail(in, err);
	in->batch = writer_submit(&in->w, b);
	in->in_txn = 0;
	return ingest_writer_failed(in) ? -1 : 0;
}

/* Group names are short: compared in line, without a call to strcmp. */
static inline int
name_equal(const char *a, const char *b)
{
	while (*a == *b && *a != '\0') {
		a++;
		b++;
	}
	return *a == *b;
}

static const struct match_field *
match_find(const struct match *m, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < m->nfields; i++) {
		if (m->fields[i].value != NULL && name_equal(m->fields[i].name, name))
			return &m->fields[i];
	}
	return NULL;
}

/* A metric field as a number; 0 when it is not one. */
static int
ingest_number(struct ingest *in, const struct match_field *f, double *v)
{
	char *end;

	if (f == NULL || f->len == 0 || f->len >= sizeof in->num)
		return 0;
	if (util_decimal(f->value, f->len, v))
		return 1;
	memcpy(in->num, f->value, f->len);
	in->num[f->len] = '\0';
	errno = 0;
	*v = strtod(in->num, &end);
	return *end == '\0' && errno == 0 && *v == *v;
}

static void
ingest_on_match(void *arg, const struct match *m)
{
	struct ingest *in = arg;
	const struct record *rec = in->rec;
	const struct rule *r = m->rule;
	const struct match_field *f;
	struct batch *b = in->batch;
	struct bev *e;
	struct bfield *bf;
	const char *text, *end;
	double scale;
	size_t i, n, text_off;

	if (in->failed)
		return;
	if (r->by_level == 0)
		in->rec_matched++;
	generic_matched(in->generic, m->rule_index);
	b->ev = util_grow(b->ev, &b->evcap, b->nev, sizeof *b->ev, 1024);
	e = &b->ev[b->nev++];
	/* each member is set below: the event is not cleared as a whole first */
	e->source_id = in->rec_src->id;
	e->rule_index = m->rule_index;
	e->ts = in->rec_ts;
	e->hash = in->event_hash == 2 ?
	    util_hash_text(rec->text, rec->len, in->rule_seed[m->rule_index]) :
	    util_hash64(rec->text, rec->len, in->rule_seed[m->rule_index]);
	e->ordinal = in->rec_ts == TS_NONE && in->by_record ? in->rec_ordinal :
	    ordinals_event(&in->rec_src->ord, in->rec_src->cur_ts, e->hash,
	    rec->offset_first);
	e->line = rec->line_first;
	e->line_end = rec->line_last;
	e->stream = (int)rec->stream;
	e->ctx = 0;
	e->ctx_off = 0;
	e->ctx_block = 0;
	if (r->severity >= SEV_WARNING && in->opts.context_lines > 0) {
		if (in->ctx_stream != NULL) {
			e->ctx = 2;
			e->ctx_block = context_stream_want(in->ctx_stream,
			    &b->ctx);
		} else if (in->resumable) {
			e->ctx = 1;
			e->ctx_off = rec->offset_first;
		}
	}
	e->text_off = b->data.len;
	e->text_len = rec->len;
	buf_append(&b->data, rec->text, rec->len);
	/* field values point into rec->text, so they are spans of the copy */
	e->field0 = b->nfields;
	/* room for all of the match's fields at once, not checked per field */
	while (b->nfields + m->nfields > b->fieldcap)
		b->fields = util_grow(b->fields, &b->fieldcap, b->fieldcap,
		    sizeof *b->fields, 1024);
	/* in locals: the appends below would make the compiler reload them */
	bf = b->fields;
	n = b->nfields;
	text = rec->text;
	end = text + rec->len;
	text_off = e->text_off;
	for (i = 0; i < m->nfields; i++) {
		f = &m->fields[i];
		if (f->value == NULL)
			continue;
		bf[n].name = f->name;
		bf[n].len = f->len;
		/* a value made from the text (a template) is stored after it */
		if (f->value >= text && f->value + f->len <= end)
			bf[n].off = text_off + (size_t)(f->value - text);
		else {
			bf[n].off = b->data.len;
			buf_append(&b->data, f->value, f->len);
		}
		n++;
	}
	b->nfields = n;
	e->nfields = n - e->field0;
	e->has_value = 0;
	e->value = 0;
	e->has_grp = 0;
	e->grp_off = 0;
	e->grp_len = 0;
	if (r->metric_field != NULL) {
		e->has_value = ingest_number(in, match_find(m, r->metric_field),
		    &e->value);
		/* durations are stored in ms, whatever unit the line used */
		f = r->unit_captured ? match_find(m, "unit") : NULL;
		scale = f != NULL ? util_unit_ms(f->value, f->len) : 0;
		if (scale == 0)
			scale = r->unit_ms;
		if (e->has_value && scale != 0)
			e->value *= scale;
		if ((f = match_find(m, r->metric_by)) != NULL) {
			e->has_grp = 1;
			e->grp_off = e->text_off + (size_t)(f->value - rec->text);
			e->grp_len = f->len;
		}
	}
	in->batch_events++;
}

/* Is the batch due for a commit? */
static int
ingest_due(struct ingest *in)
{
	if (!in->in_txn)
		return 0;
	if (in->batch_events >= BATCH_EVENTS || in->batch->data.len >= WRITER_BATCH_BYTES ||
	    in->nvols >= BATCH_VOLS)
		return 1;
	/*
	 * The first batches are cut short, each twice as long as the one
	 * before: the writer stores and correlates one while the reader
	 * parses the next, where a small input would otherwise be one batch
	 * that the writer starts on only once the reader is done.
	 */
	if (in->due_records == 0)
		in->due_records = BATCH_FIRST_RECORDS;
	if (in->due_records < BATCH_FORCE_RECORDS &&
	    in->batch_records >= in->due_records) {
		in->due_records *= 2;
		return 1;
	}
	/*
	 * Near the end of a file of known size a batch is due once it is
	 * as long as what is left to read: the batches shrink towards the
	 * end, so that after the last line the writer has a short batch to
	 * store, not the longest of the run.
	 */
	if (in->input_size > 0 && in->cur_offset < in->input_size &&
	    in->cur_offset - in->batch_offset >= BATCH_TAIL_BYTES &&
	    in->cur_offset - in->batch_offset >= in->input_size - in->cur_offset)
		return 1;
	/*
	 * Reading a file, the clock is read once per 256 records, not for
	 * every record; following, a trickle of events must show promptly.
	 */
	if (!in->opts.follow) {
		if (in->batch_records - in->clock_records < 256)
			return 0;
		in->clock_records = in->batch_records;
	} else if ((in->batch_records & 1023) != 0 && in->batch_events == 0)
		return 0;
	return util_now_ms() - in->batch_started >= in->opts.commit_ms;
}

/*
 * Untimed records are all of one second, whose counts each commit saves
 * (ordinals.h).  Numbered by record, the counts are one, and any record
 * is a point to commit at.  Numbered by text, the counts are of every
 * text: among them the second "turns" for a commit once the batch holds a
 * quarter as many events as the counts hold texts, at most
 * BATCH_UNTIMED_EVENTS.  The saving then costs no more than four times
 * the events while the texts are fewer than four times that, and a batch
 * stays bounded.
 */
static int
untimed_turn(const struct ingest *in, const struct src_state *s)
{
	size_t quarter = s->ord.nords / 4;

	return in->batch_events >= (quarter < BATCH_UNTIMED_EVENTS ? quarter :
	    BATCH_UNTIMED_EVENTS);
}

static void
ingest_on_record(void *arg, const struct record *rec)
{
	struct ingest *in = arg;
	struct store_ingest_counts *c = in->counts;
	struct src_state *s;
	struct vol *v;
	struct match gm;
	uint64_t off, lineno, ln;
	int64_t ts;

	if (in->failed)
		return;
	/* a record has a source_id exactly when it names a source */
	if (rec->source_id == 0 || in->opts.source != NULL) {
		/* the default source, a plain input's every record: no name compared */
		if (in->def_src != 0)
			s = &in->srcs[in->def_src - 1];
		else if ((s = ingest_source(in, in->def_name, in->def_name_len,
		    in->def_kind, in->def_identity, 0)) != NULL)
			in->def_src = (size_t)(s - in->srcs) + 1;
	} else if (in->ml_ids[rec->source_id % ML_IDS].id == rec->source_id)
		s = &in->srcs[in->ml_ids[rec->source_id % ML_IDS].src];
	else {
		s = ingest_source(in, rec->source, rec->source_len,
		    rec->source_kind, NULL, 1);
		if (s != NULL) {
			in->ml_ids[rec->source_id % ML_IDS].id = rec->source_id;
			in->ml_ids[rec->source_id % ML_IDS].src =
			    (size_t)(s - in->srcs);
		}
	}
	if (s == NULL)
		return;
	if ((size_t)(s - in->srcs) + 1 == in->ovf_src)
		in->ovf.records++;
	/*
	 * TS_NONE: no record of the input before it had a time.  Such a
	 * record is untimed: its events are stored with a NULL time, in no
	 * window, and the volume, which is per minute, leaves it out.
	 */
	ts = rec->ts;

	/*
	 * Commit only where a source's second changes: identical records
	 * of one second then never straddle a resume point, so their
	 * ordinals come out the same when the rest is read again.  Untimed
	 * records never change it (untimed_turn).
	 */
	if (((ts != s->cur_ts || (ts == TS_NONE && untimed_turn(in, s))) &&
	    ingest_due(in)) || in->batch_records >= BATCH_FORCE_RECORDS) {
		off = multiline_safe_offset(in->ml, rec->offset_first,
		    rec->line_first - 1, &ln);
		lineno = ln;
		if (off > rec->offset_first) {
			off = rec->offset_first;
			lineno = rec->line_first - 1;
		}
		if (ingest_commit(in, off, lineno, "running") != 0)
			return;
	}
	if (ingest_txn(in) != 0)
		return;
	in->batch_records++;
	if (!s->touched) {
		s->touched = 1;
		in->touched = util_grow(in->touched, &in->touchedcap,
		    in->ntouched, sizeof *in->touched, 64);
		in->touched[in->ntouched++] = (size_t)(s - in->srcs);
	}

	c->records++;
	/* one test for the usual record, which counts in none of these */
	if ((rec->flags & (RECORD_NO_TS | RECORD_BACKWARDS | RECORD_BAD_UTF8)) ||
	    ts == TS_NONE) {
		if (rec->flags & RECORD_NO_TS)
			c->no_timestamp++;
		if (ts == TS_NONE)
			c->untimed++;
		if (rec->flags & RECORD_BACKWARDS)
			c->backwards++;
		if (rec->flags & RECORD_BAD_UTF8)
			c->bad_utf8++;
	}
	if (rec->own_ts != TS_NONE && rec->env_ts != TS_NONE)
		clock_vote(s, rec);
	if (ts != TS_NONE) {
		/* TS_NONE is the least value: any time is past it */
		if (c->first_ts == TS_NONE || ts < c->first_ts)
			c->first_ts = ts;
		if (ts > c->last_ts)
			c->last_ts = ts;
		if (s->min_ts == TS_NONE || ts < s->min_ts)
			s->min_ts = ts;
		if (ts > s->max_ts)
			s->max_ts = ts;
	}
	if (ts != s->cur_ts) {
		s->cur_ts = ts;
		ordinals_second(&s->ord, ts, rec->offset_first);
	}

	if (ts != TS_NONE && ingest_vol_counts(in, s, rec, ts)) {
		v = ingest_vol(in, s->id, ts);
		v->records++;
		v->lines += rec->lines;
		v->bytes += rec->raw_bytes;
		v->malformed += rec->malformed_lines;
		if (rec->flags & RECORD_TRUNCATED)
			v->truncated++;
	}

	in->rec = rec;
	in->rec_src = s;
	in->rec_ts = ts;
	/* every untimed record is counted, as an "event" of no text */
	if (ts == TS_NONE && in->by_record)
		in->rec_ordinal = ordinals_event(&s->ord, ts, 0,
		    rec->offset_first);
	in->rec_matched = 0;
	generic_begin(in->generic);
	matcher_run(in->matcher, rec->text, rec->len, rec->level,
	    ingest_on_match, in);
	if (generic_match(in->generic, in->matcher, rec, &gm))
		ingest_on_match(in, &gm);
	if (in->ctx_stream != NULL)
		context_stream_push(in->ctx_stream, &in->batch->ctx, rec->text,
		    rec->len, rec->line_first, rec->line_last);
	if (in->opts.on_record != NULL)
		in->opts.on_record(in->opts.on_record_arg, rec, in->rec_matched);
}

char *
ingest_source_for_path(const char *path)
{
	const char *base;
	char *id, *name;

	if (strcmp(path, "-") == 0)
		return xstrdup("stdin");
	if ((id = docker_container_id(path)) != NULL) {
		name = docker_container_name(path);
		free(id);
		if (name != NULL)
			return name;
	}
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	return xstrdup(*base != '\0' ? base : path);
}

/* The reader is about to reuse its lines: copy what is kept of them. */
static void
ingest_recycle(void *arg)
{
	struct ingest *in = arg;

	multiline_settle(in->ml);
	hi_settle(in);
}

/* The empty line held after a heading (ingest_tail) into its record. */
static void
ingest_blank(struct ingest *in, const struct envelope *env,
    const struct reader_line *blank)
{
	struct envelope_line bl;

	envelope_blank(env, &bl);
	multiline_push(in->ml, &bl, blank);
	in->cur_offset = blank->end_offset;
	in->cur_lineno = blank->lineno;
}

/*
 * A line tail wrote with several files (envelope_line.tail): a heading is
 * in no record; an empty line after one waits for the line after it
 * (held, its reader_line in *blank, the input's position before it), and
 * goes into its record before that line unless it is a heading.
 */
__attribute__((noinline, cold))
static void
ingest_tail(struct ingest *in, struct envelope *env,
    const struct envelope_line *el, const struct reader_line *rl,
    struct reader_line *blank)
{
	if (el->tail & ENVELOPE_TAIL_UNHOLD)
		ingest_blank(in, env, blank);
	if (el->tail & ENVELOPE_TAIL_HOLD) {
		*blank = *rl;
		blank->p = "";
		return;
	}
	if (!(el->tail & ENVELOPE_TAIL_HEADING))
		multiline_push(in->ml, el, rl);
	in->cur_offset = rl->end_offset;
	in->cur_lineno = rl->lineno;
}

/* Read every line of in->r through the pipeline; commits as it goes. */
static int
ingest_run(struct ingest *in, struct envelope *env, char *err, size_t errlen)
{
	struct store_ingest_counts *c = in->counts;
	struct envelope_line el;
	struct reader_line rl;
	uint64_t off, ln;
	int64_t idle_since = 0, now;
	struct reader_line blank;
	int rc, read_failed = 0;
	const char *status;

	for (;;) {
		if (in->opts.stop != NULL && *in->opts.stop)
			break;
		rc = reader_next(in->r, &rl, err, errlen);
		if (rc == 0)
			break;
		if (rc < 0) {
			/* The input ends here; what came before it is stored. */
			read_failed = 1;
			break;
		}
		if (rc == 2) {
			/*
			 * Following, or a stream gone silent, nothing new:
			 * let readers see what we have.  An open record (a
			 * traceback before its exception line) waits for the
			 * rest: flushed now, it would be split in two when
			 * the rest arrives.
			 */
			now = util_now_ms();
			if (idle_since == 0)
				idle_since = now;
			if (now - idle_since >= FOLLOW_FLUSH_MS)
				multiline_flush_finished(in->ml);
			if (in->in_txn && !in->failed) {
				off = multiline_safe_offset(in->ml, in->cur_offset,
				    in->cur_lineno, &ln);
				if (ingest_commit(in, off, ln, "running") != 0)
					break;
			}
			continue;
		}
		idle_since = 0;
		/*
		 * A file that may grow ends in a line still being written:
		 * it is the next run's, unless a rotation ended it.
		 */
		if (rl.unterminated && in->hold && (!in->opts.follow ||
		    (in->opts.stop != NULL && *in->opts.stop)))
			break;
		if (rl.ascii)
			envelope_decode_ascii(env, rl.p, rl.len, &el);
		else
			envelope_decode(env, rl.p, rl.len, &el);
		if (el.malformed)
			c->malformed++;
		if (__builtin_expect(el.tail == 0, 1)) {
			multiline_push(in->ml, &el, &rl);
			in->cur_offset = rl.end_offset;
			in->cur_lineno = rl.lineno;
		} else
			ingest_tail(in, env, &el, &rl, &blank);
		if (in->failed)
			break;
		if (!in->in_txn && ingest_txn(in) != 0)
			break;
	}
	if (!in->failed && envelope_held_blank(env))
		ingest_blank(in, env, &blank);
	if (in->failed) {
		snprintf(err, errlen, "%s", in->err);
		return -1;
	}
	/*
	 * At the end of a file that may grow, an open record is left for the
	 * next run, which resumes at its first line.
	 */
	if (in->hold)
		multiline_flush_finished(in->ml);
	else
		multiline_flush(in->ml);
	off = multiline_safe_offset(in->ml, in->cur_offset, in->cur_lineno, &ln);
	if (read_failed)
		status = "failed";
	else if (in->opts.stop != NULL && *in->opts.stop)
		status = "stopped";
	else
		status = "done";
	if (ingest_commit(in, off, ln, status) == 0) {
		writer_drain(&in->w);
		ingest_writer_failed(in);
	}
	if (in->hold && !in->failed) {
		ingest_physical(in);
		c->held = in->start_lineno + c->lines > ln ?
		    in->start_lineno + c->lines - ln : 0;
	}
	if (in->failed) {
		snprintf(err, errlen, "%s", in->err);
		return -1;
	}
	if (read_failed) {
		/* err still holds the reader's message. */
		if (in->counts->lines > 0)
			util_err(err + strlen(err), errlen - strlen(err),
			    "; the %llu lines before it are stored",
			    (unsigned long long)in->counts->lines);
		return -1;
	}
	return 0;
}

static void
ingest_reset_input(struct ingest *in, const char *path,
    struct store_ingest_counts *counts)
{
	memset(counts, 0, sizeof *counts);
	counts->first_ts = counts->last_ts = TS_NONE;
	in->counts = counts;
	in->path = path;
	in->failed = 0;
	in->err[0] = '\0';
	in->cur_offset = in->cur_lineno = 0;
	in->w.events = in->w.duplicates = in->w.repeats = 0;
	in->w.failed = 0;
	in->resumable = 0;
	in->hold = 0;
	in->start_off = 0;
	in->time = TS_NONE;
	in->time_off = 0;
	in->fingerprint = 0;
	in->ords_full = 1;
	free(in->ovf.source);
	in->ovf.source = NULL;
	in->ovf.records = 0;
	/* Ordinals and spans are per input: a new input starts fresh. */
	ingest_forget_sources(in);
}

/* Open the ingests row and settle the default source of this input. */
static int
ingest_start(struct ingest *in, const char *path, int is_stdin, char *err,
    size_t errlen)
{
	char *id;

	if (in->opts.source != NULL) {
		in->def_name = xstrdup(in->opts.source);
		in->def_kind = "named";
		in->def_identity = NULL;
	} else if (is_stdin) {
		in->def_name = xstrdup("stdin");
		in->def_kind = "stdin";
		in->def_identity = NULL;
	} else {
		in->def_name = ingest_source_for_path(path);
		if ((id = docker_container_id(path)) != NULL) {
			in->def_kind = "docker";
			in->def_identity = id;
		} else {
			in->def_kind = "file";
			in->def_identity = xstrdup(path);
		}
	}
	in->def_name_len = strlen(in->def_name);
	in->def_src = 0;
	if (ingest_txn(in) != 0) {
		snprintf(err, errlen, "%s", in->err);
		return -1;
	}
	in->ingest_id = store_ingest_begin(in->st, path, in->opts.source, err, errlen);
	if (in->ingest_id < 0) {
		ingest_fail(in, err);
		return -1;
	}
	return 0;
}

static void
ingest_end_input(struct ingest *in, int failed)
{
	char err[512];

	writer_drain(&in->w);
	in->read_done += in->counts->bytes;
	ingest_find_clocks(in);
	in->counts->events = in->w.events;
	in->counts->duplicates = in->w.duplicates;
	in->counts->repeats = in->w.repeats;
	if (in->in_txn) {
		/* an open batch that was never handed over is dropped */
		if (in->batch->allocs)
			writer_allocs_dropped(&in->w);
		/* the ids it chose were never stored: look names up again */
		in->srcs_known = 0;
		writer_batch_clear(in->batch);
		in->in_txn = 0;
		ingest_forget_sources(in);
	}
	/* Best effort: record the failure in its own transaction. */
	if (failed && in->ingest_id > 0)
		store_ingest_update(in->st, in->ingest_id, in->counts, "failed",
		    err, sizeof err);
	free(in->def_name);
	free(in->def_identity);
	in->def_name = in->def_identity = NULL;
	ord_restore_drop(&in->restore);
	context_stream_free(in->ctx_stream);
	in->ctx_stream = NULL;
	if (in->claimed)
		store_input_release(in->st, in->key);
	in->claimed = 0;
	free(in->key);
	in->key = NULL;
	util_index_free(&in->restore.index);
	in->ingest_id = 0;
	for (size_t i = 0; i < in->volcap; i++)
		in->vols[i].used = 0;
	in->nvols = 0;
	in->last_vol = NULL;
}

/*
 * A file's identity for resume and volume: ./app.log, app.log and
 * /var/log/app.log through a symlink are one file.
 */
static char *
canonical_path(const char *path)
{
	char *p = realpath(path, NULL);

	return p != NULL ? p : xstrdup(path);
}

/*
 * The resume point of the file at path, by its canonical path (found by
 * the spelling it was given too, as databases made before kept it), with
 * the ordinal state and the time there.  Sets in->key.  When the file was
 * read with other rules, the point is its start: the rules added or
 * changed since see every line, the events stored before are found again
 * by their key and the volume marks count no line twice.
 */
/*
 * A file nobody has written to for INGEST_SETTLED_S is finished: its
 * unfinished last record is stored now (as with --final), or a log copied
 * off a host without a last newline would keep its last line back forever.
 */
#define INGEST_SETTLED_S	300

static int
ingest_settled(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 &&
	    (int64_t)time(NULL) - (int64_t)sb.st_mtime >= INGEST_SETTLED_S;
}

static int
ingest_resume_point(struct ingest *in, const char *path, uint64_t *off,
    uint64_t *lineno, char *err, size_t errlen)
{
	const char *key = in->key;
	int old;
	uint64_t rules;

	if (store_input_get(in->st, key, in->fingerprint, off, lineno,
	    &in->time, err, errlen) != 0)
		return -1;
	if (*off == 0 && strcmp(path, key) != 0) {
		if (store_input_get(in->st, path, in->fingerprint, off, lineno,
		    &in->time, err, errlen) != 0)
			return -1;
		if (*off > 0)
			key = path;
	}
	if (*off > 0 && store_input_rules_get(in->st, key, in->fingerprint,
	    &rules, err, errlen) != 0)
		return -1;
	if (*off > 0 && rules != 0 && rules != in->rules_hash) {
		*off = *lineno = 0;
		in->counts->reread = 1;
	}
	if (*off == 0) {
		/* nothing to resume: no time carries over either */
		in->time = TS_NONE;
		return 0;
	}
	if (ord_restore_load(&in->restore, in->st, key, in->fingerprint, &old,
	    err, errlen) != 0)
		return -1;
	in->ords_full = old || key != in->key;
	return 0;
}

int
ingest_input(struct ingest *in, const char *path,
    struct store_ingest_counts *counts, char *err, size_t errlen)
{
	struct envelope *env = NULL;
	struct reader *r;
	struct stat sb;
	uint64_t off = 0, lineno = 0;
	int rc = -1;

	ingest_reset_input(in, path, counts);
	if ((r = reader_open(path, in->opts.follow, err, errlen)) == NULL)
		return -1;
	in->input_size = 0;
	if (reader_is_regular(r) && !reader_is_stdin(r) && !reader_is_gzip(r) &&
	    !in->opts.follow && stat(path, &sb) == 0)
		in->input_size = (uint64_t)sb.st_size;
	reader_set_idle_ms(r, 250);
	reader_set_stop_flag(r, in->opts.stop);
	if (reader_is_regular(r) && !reader_is_stdin(r)) {
		in->key = canonical_path(path);
		/*
		 * One reader of a file per database at a time, so that two
		 * never count its volume both from the same mark.
		 */
		switch (store_input_claim(in->st, in->key, in->opts.follow,
		    in->opts.stop, err, errlen)) {
		case 0:
			in->claimed = 1;
			break;
		case 1:
			util_err(err, errlen, "%s: another logtriage follows it"
			    " into this database", path);
			/* FALLTHROUGH */
		case -1:
			reader_close(r);
			free(in->key);
			in->key = NULL;
			return -1;
		default:
			reader_close(r);
			free(in->key);
			in->key = NULL;
			return 0;
		}
	}
	if (ingest_start(in, path, reader_is_stdin(r), err, errlen) != 0)
		goto out;
	/*
	 * Only a regular file named by a path can be resumed: a pipe, a FIFO
	 * or a terminal delivers a new stream each time, whatever its name,
	 * and "-" names whatever standard input is this time.
	 */
	if (reader_is_regular(r) && !reader_is_stdin(r)) {
		in->resumable = 1;
		in->hold = !in->opts.final && !reader_is_gzip(r) &&
		    (in->opts.follow || !ingest_settled(path));
		in->fingerprint = reader_fingerprint(r);
		if (!in->opts.no_resume && ingest_resume_point(in, path, &off,
		    &lineno, err, errlen) != 0) {
			ingest_fail(in, err);
			goto out;
		}
	} else
		in->key = xstrdup("-");
	/* A file is read again for context; a stream's records are kept. */
	if (in->opts.context_lines > 0 && in->resumable &&
	    context_file_note(in->w.ctx, in->ingest_id, in->key, err,
	    errlen) != 0) {
		ingest_fail(in, err);
		goto out;
	}
	if (in->opts.context_lines > 0 && !in->resumable)
		in->ctx_stream = context_stream_new(in->opts.context_lines);
	if (off > 0 && reader_skip_to(r, off, lineno, err, errlen) != 0 &&
	    (in->opts.stop == NULL || !*in->opts.stop)) {
		/* The file is shorter than it was: read it again from the start. */
		reader_close(r);
		off = lineno = 0;
		in->time = TS_NONE;
		in->ords_full = 1;
		ord_restore_drop(&in->restore);
		if ((r = reader_open(path, in->opts.follow, err, errlen)) == NULL) {
			ingest_fail(in, err);
			goto out;
		}
		reader_set_idle_ms(r, 250);
		reader_set_stop_flag(r, in->opts.stop);
	}
	counts->skipped_bytes = off;
	in->start_off = in->time_off = in->cur_offset = off;
	in->start_lineno = in->cur_lineno = lineno;
	in->base = *reader_stats(r);
	in->regex_base = matcher_stats(in->matcher)->regex_errors;
	in->r = r;
	env = envelope_new(in->opts.format, in->opts.tz);
	in->ml = multiline_new(in->opts.tz, ingest_on_record, in);
	multiline_lend(in->ml);
	reader_set_recycle(r, ingest_recycle, in);
	if (in->opts.tz_auto)
		multiline_set_tz_auto(in->ml);
	/* Unstamped lines after the resume point belong to the record before it. */
	if (in->time != TS_NONE)
		multiline_set_time(in->ml, in->time);
	rc = ingest_run(in, env, err, errlen);
out:
	/* the reader's lines go with it */
	hi_settle(in);
	if (rc != 0 && in->failed && err[0] == '\0')
		snprintf(err, errlen, "%s", in->err);
	multiline_free(in->ml);
	in->ml = NULL;
	envelope_free(env);
	in->decompress_cpu += reader_ahead_cpu(r);
	reader_close(r);
	in->r = NULL;
	ingest_end_input(in, rc != 0);
	return rc;
}

int
ingest_buffer(struct ingest *in, const char *name, const char *data,
    size_t len, struct store_ingest_counts *counts, char *err, size_t errlen)
{
	struct envelope *env;
	int rc = -1;

	ingest_reset_input(in, name, counts);
	in->key = xstrdup(name);
	if (ingest_start(in, name, 0, err, errlen) != 0) {
		ingest_end_input(in, 1);
		return -1;
	}
	in->regex_base = matcher_stats(in->matcher)->regex_errors;
	in->r = reader_open_memory(data, len);
	in->base = *reader_stats(in->r);
	env = envelope_new(in->opts.format, in->opts.tz);
	in->ml = multiline_new(in->opts.tz, ingest_on_record, in);
	multiline_lend(in->ml);
	reader_set_recycle(in->r, ingest_recycle, in);
	if (in->opts.tz_auto)
		multiline_set_tz_auto(in->ml);
	rc = ingest_run(in, env, err, errlen);
	hi_settle(in);
	multiline_free(in->ml);
	in->ml = NULL;
	envelope_free(env);
	reader_close(in->r);
	in->r = NULL;
	ingest_end_input(in, rc != 0);
	return rc;
}
