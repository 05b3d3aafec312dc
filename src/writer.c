/*
 * writer.c - the writer thread of ingest (see writer.h): it stores each
 * batch (events several to a statement, new sources, volume, marks, the
 * resume point and the counters), runs the correlation and commits.
 */
#include "writer.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtune.h"

struct batch *
writer_batch_new(void)
{
	struct batch *b = xcalloc(1, sizeof *b);

	buf_init(&b->data);
	context_pack_init(&b->ctx);
	return b;
}

void
writer_batch_free(struct batch *b)
{
	free(b->ev);
	buf_free(&b->data);
	free(b->vols);
	free(b->seen);
	ord_save_free(&b->ords);
	free(b->fields);
	free(b->marks);
	free(b->mtexts);
	free(b->srcs);
	context_pack_free(&b->ctx);
	free(b);
}

void
writer_batch_clear(struct batch *b)
{
	b->nev = b->nfields = b->nvols = b->nseen = 0;
	ord_save_clear(&b->ords);
	b->nmarks = b->nmtexts = b->nsrcs = 0;
	b->allocs = 0;
	/* a rare huge record should not pin its buffer for the whole run */
	if (b->data.cap > 2 * WRITER_BATCH_BYTES)
		buf_free(&b->data);
	buf_reset(&b->data);
	context_pack_clear(&b->ctx);
	b->next = NULL;
}

/*
 * Append an event's fields to out as a JSON object of strings and a NUL.
 * Names and values are nearly always plain (util_json_plain_len), which goes
 * into the JSON as it is, in one piece; anything else is escaped by
 * util_escape_json.
 */
static void
writer_fields(struct writer *w, struct buf *out, const struct batch *b,
    const struct bev *e)
{
	const struct bfield *f;
	struct writer_name *nm;
	const char *v;
	size_t i, nlen;
	char *p;

	buf_putc(out, '{');
	for (i = 0; i < e->nfields; i++) {
		f = &b->fields[e->field0 + i];
		v = b->data.data + f->off;
		nm = &w->names[util_ptr_slot(f->name, WRITER_NAME_BITS)];
		if (nm->name != f->name) {
			nm->name = f->name;
			nm->len = strlen(f->name);
			nm->plain = util_json_plain_len(f->name, nm->len) ==
			    nm->len;
		}
		nlen = nm->len;
		if (nm->plain && util_json_plain_len(v, f->len) == f->len) {
			buf_reserve(out, nlen + f->len + 6);
			p = out->data + out->len;
			if (i > 0)
				*p++ = ',';
			*p++ = '"';
			memcpy(p, f->name, nlen);
			p += nlen;
			memcpy(p, "\":\"", 3);
			p += 3;
			memcpy(p, v, f->len);
			p += f->len;
			*p++ = '"';
			out->len = (size_t)(p - out->data);
			continue;
		}
		if (i > 0)
			buf_putc(out, ',');
		buf_putc(out, '"');
		util_escape_json(out, f->name, nlen);
		buf_puts(out, "\":\"");
		util_escape_json(out, v, f->len);
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
	buf_putc(out, '\0');
}

/*
 * The context of a stored event of warning severity or worse (id 0: it
 * was stored before, with its context); a stream's block is stored with
 * the first new event that needs it.
 */
static int
writer_context(struct writer *w, const struct batch *b,
    const struct store_event *ev, const struct bev *e, int64_t id)
{
	struct context_key key;
	int64_t *block = e->ctx == 2 ? &w->block_ids[e->ctx_block] : NULL;

	if (id == 0)
		return 0;
	if (block != NULL && *block == 0 && context_write_block(w->ctx,
	    b->ingest_id, &b->ctx, e->ctx_block, block, w->err,
	    sizeof w->err) != 0)
		return -1;
	key.rule = ev->rule;
	key.source_id = ev->source_id;
	key.ts = ev->ts;
	key.hash = ev->hash;
	key.ordinal = ev->ordinal;
	return context_write_event(w->ctx, id, &key, b->ingest_id, e->ctx_off,
	    block != NULL ? *block : -1, w->err, sizeof w->err);
}

/*
 * Store b->ev[first..first+n) (writer thread): their fields are written
 * into one buffer first, so that its pointers stay put while the rows go
 * to the store several to a statement.
 */
static int
writer_events(struct writer *w, struct batch *b, size_t first, size_t n)
{
	struct store_event *ev;
	const struct bev *e;
	size_t i, nadded, *at = w->fields_at;

	buf_reset(&w->fields);
	/* the names are the batch's rules': valid while it is written */
	memset(w->names, 0, sizeof w->names);
	for (i = 0; i < n; i++) {
		at[i] = w->fields.len;
		writer_fields(w, &w->fields, b, &b->ev[first + i]);
	}
	for (i = 0; i < n; i++) {
		e = &b->ev[first + i];
		ev = &w->evs[i];
		memset(ev, 0, sizeof *ev);
		ev->source_id = e->source_id;
		ev->rule = w->rs->rules[e->rule_index].id;
		ev->ts = e->ts;
		ev->hash = e->hash;
		ev->ordinal = e->ordinal;
		ev->line = e->line;
		ev->line_end = e->line_end;
		ev->stream = e->stream;
		ev->text = b->data.data + e->text_off;
		ev->text_len = e->text_len;
		ev->fields_json = w->fields.data + at[i];
		ev->fields_len = (i + 1 < n ? at[i + 1] : w->fields.len) -
		    at[i] - 1;
		ev->has_value = e->has_value;
		ev->value = e->value;
		if (e->has_grp) {
			ev->grp = b->data.data + e->grp_off;
			ev->grp_len = e->grp_len;
		}
	}
	if (store_insert_events(w->st, w->evs, n, w->added, &nadded, w->ids,
	    w->err, sizeof w->err) != 0)
		return -1;
	w->events += nadded;
	w->duplicates += n - nadded;
	for (i = 0; i < n; i++) {
		e = &b->ev[first + i];
		if (e->ctx != 0 && writer_context(w, b, &w->evs[i], e,
		    w->ids[i]) != 0)
			return -1;
		if (!w->added[i] || !correlate_wants(w->corr, e->rule_index))
			continue;
		correlate_note(w->corr, e->rule_index, e->source_id, e->ts);
		if (w->ids[i] <= 0)
			continue;
		/* each event's fields end with a NUL in w->fields */
		correlate_note_fields(w->corr, e->rule_index, e->source_id,
		    e->ts, w->ids[i], w->evs[i].fields_json,
		    (i + 1 < n ? at[i + 1] : w->fields.len) - at[i] - 1);
		correlate_note_sample(w->corr, e->rule_index, e->source_id,
		    e->ts, w->ids[i], e->has_value, e->value, w->evs[i].grp,
		    w->evs[i].grp_len);
	}
	return context_flush(w->ctx, w->err, sizeof w->err);
}

/*
 * Merge the volume marks the batch carries into the stored ones (writer
 * thread): the later time wins; at the same time each text keeps the
 * larger count, so two runs that read the same second count it once.
 */
static int
writer_marks(struct writer *w, struct batch *b)
{
	struct store_vmark *vm = &w->vm;
	struct store_vmark_row *rows;
	const struct bmark *bm;
	const struct store_vtext *t;
	size_t i, j, k, nrows = 0;
	int have, rc;

	/*
	 * Nothing stored to merge a mark with: it is the batch's, its texts
	 * distinct and counted, so it is written as it is, many at once.
	 */
	rows = xmalloc((b->nmarks > 0 ? b->nmarks : 1) * sizeof *rows);
	for (i = 0; i < b->nmarks; i++) {
		bm = &b->marks[i];
		if (!bm->unmarked)
			continue;
		rows[nrows].source_id = bm->sid;
		rows[nrows].ts = bm->ts;
		rows[nrows].offset = bm->offset;
		rows[nrows].texts = b->mtexts + bm->t0;
		rows[nrows++].n = bm->nt;
	}
	rc = store_vmark_set_rows(w->st, b->key, rows, nrows, w->err,
	    sizeof w->err);
	free(rows);
	if (rc != 0)
		return -1;
	for (i = 0; i < b->nmarks; i++) {
		bm = &b->marks[i];
		if (bm->unmarked)
			continue;
		if (store_vmark_get(w->st, bm->sid, b->key, vm, w->err,
		    sizeof w->err) != 0)
			return -1;
		if (vm->ts != TS_NONE && bm->ts < vm->ts)
			continue;
		if (vm->ts != bm->ts) {
			vm->ts = bm->ts;
			vm->n = 0;
			vm->offset = bm->offset;
		} else if (bm->offset > vm->offset)
			vm->offset = bm->offset;
		/* a source that never stamps keeps every text at one time */
		tcount_clear(&w->merge);
		for (k = 0; k < vm->n; k++)
			tcount_add(&w->merge, vm->texts[k].hash, (int)vm->texts[k].n);
		for (j = 0; j < bm->nt; j++) {
			t = &b->mtexts[bm->t0 + j];
			have = tcount_count(&w->merge, t->hash);
			if ((int)t->n > have)
				tcount_add(&w->merge, t->hash, (int)t->n - have);
		}
		if (w->merge.n > vm->cap) {
			vm->texts = xrealloc(vm->texts, w->merge.n *
			    sizeof *vm->texts);
			vm->cap = w->merge.n;
		}
		for (k = 0; k < w->merge.n; k++) {
			vm->texts[k].hash = w->merge.slot[w->merge.used[k]].hash;
			vm->texts[k].n = (uint32_t)w->merge.slot[w->merge.used[k]].n;
		}
		vm->n = w->merge.n;
		if (store_vmark_set(w->st, bm->sid, b->key, vm, w->err,
		    sizeof w->err) != 0)
			return -1;
	}
	return 0;
}

/* Add the batch's volume rows (writer thread). */
static int
writer_volume(struct writer *w, struct batch *b)
{
	if (b->nvols == 0)
		return 0;
	return store_volume_add_rows(w->st, b->vols, b->nvols, w->err,
	    sizeof w->err);
}

/* Widen the stored time span of the batch's sources (writer thread). */
static int
writer_seen(struct writer *w, struct batch *b)
{
	size_t i;
	int rc;

	if (b->nseen == 0)
		return 0;
	rc = store_sources_seen(w->st, b->seen, b->nseen, w->err, sizeof w->err);
	for (i = 0; rc == 0 && i < b->nseen; i++)
		correlate_note_time(w->corr, b->seen[i].source_id,
		    b->seen[i].max_ts);
	return rc;
}

/* Store one batch and commit it (writer thread). */
static void
writer_store(struct writer *w, struct batch *b)
{
	struct store_ingest_counts c;
	size_t i, n;
	double t0, t1;
	int rc;

	if (store_begin(w->st, w->err, sizeof w->err) != 0)
		goto fail;
	if (store_sources_insert(w->st, b->srcs, b->nsrcs, w->err,
	    sizeof w->err) != 0)
		goto fail;
	/* nothing was stored for them: correlation needs no quiet point */
	for (i = 0; i < b->nsrcs; i++) {
		correlate_note_new_source(w->corr, b->srcs[i].id);
		if (b->srcs[i].last_ts != TS_NONE)
			correlate_note_time(w->corr, b->srcs[i].id,
			    b->srcs[i].last_ts);
	}
	if (b->ctx.n > w->block_idcap) {
		w->block_idcap = b->ctx.n;
		w->block_ids = xrealloc(w->block_ids, w->block_idcap *
		    sizeof *w->block_ids);
	}
	if (b->ctx.n > 0) {
		memset(w->block_ids, 0, b->ctx.n * sizeof *w->block_ids);
		context_writer_ahead(w->ctx, &b->ctx);
	}
	for (i = 0; i < b->nev; i += n) {
		n = b->nev - i < WRITER_CHUNK ? b->nev - i : WRITER_CHUNK;
		if (writer_events(w, b, i, n) != 0)
			goto fail;
	}
	if (writer_volume(w, b) != 0)
		goto fail;
	if (writer_marks(w, b) != 0)
		goto fail;
	if (writer_seen(w, b) != 0)
		goto fail;
	if (b->resumable && store_input_set(w->st, b->key, b->fingerprint,
	    b->offset, b->lineno, w->err, sizeof w->err) != 0)
		goto fail;
	if (b->resumable && ord_save_write(&b->ords, w->st, b->key,
	    b->fingerprint, w->err, sizeof w->err) != 0)
		goto fail;
	if (b->resumable && store_input_time_set(w->st, b->key,
	    b->fingerprint, b->ts, w->err, sizeof w->err) != 0)
		goto fail;
	if (b->resumable && store_input_rules_set(w->st, b->key,
	    b->fingerprint, b->rules_hash, w->err, sizeof w->err) != 0)
		goto fail;
	c = b->counts;
	c.events = w->events;
	c.duplicates = w->duplicates;
	if (store_ingest_update(w->st, b->ingest_id, &c, b->status, w->err,
	    sizeof w->err) != 0)
		goto fail;
	t0 = util_thread_cpu();
	rc = correlate_run(w->corr, w->err, sizeof w->err);
	t1 = util_thread_cpu();
	pthread_mutex_lock(&w->mu);
	w->times.correlate_cpu += t1 - t0;
	pthread_mutex_unlock(&w->mu);
	if (rc != 0)
		goto fail;
	w->repeats += correlate_take_repeats(w->corr);
	if (store_commit(w->st, w->err, sizeof w->err) != 0)
		goto fail;
	return;
fail:
	store_rollback(w->st);
	w->failed = 1;
}

/* Write b, release the claim its ids were chosen under, and empty it. */
static void
writer_take(struct writer *w, struct batch *b)
{
	double compress_cpu;

	if (!w->failed)
		writer_store(w, b);
	/* b->ctx is cleared below */
	context_writer_settle(w->ctx);
	compress_cpu = context_writer_cpu(w->ctx);
	pthread_mutex_lock(&w->mu);
	w->times.compress_cpu = compress_cpu;
	/* after a failure the claim is held until the store closes */
	if (b->allocs && !w->failed && --w->pending == 0 && w->claimed) {
		store_sources_release(w->st);
		w->claimed = 0;
	}
	pthread_mutex_unlock(&w->mu);
	writer_batch_clear(b);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct batch *b;
	double cpu0 = util_thread_cpu(), t;

	memtune_thread();
	pthread_mutex_lock(&w->mu);
	for (;;) {
		if (w->queue == NULL && !w->quit) {
			t = util_elapsed();
			while (w->queue == NULL && !w->quit)
				pthread_cond_wait(&w->cv, &w->mu);
			w->times.idle += util_elapsed() - t;
		}
		if (w->queue == NULL)
			break;
		b = w->queue;
		w->queue = b->next;
		if (w->queue == NULL)
			w->queue_tail = NULL;
		w->nqueue--;
		w->busy = 1;
		pthread_mutex_unlock(&w->mu);
		writer_take(w, b);
		pthread_mutex_lock(&w->mu);
		b->next = w->free;
		w->free = b;
		w->busy = 0;
		w->times.cpu = util_thread_cpu() - cpu0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void
writer_drain(struct writer *w)
{

	double t;

	pthread_mutex_lock(&w->mu);
	if (w->nqueue > 0 || w->busy) {
		t = util_elapsed();
		while (w->nqueue > 0 || w->busy)
			pthread_cond_wait(&w->cv, &w->mu);
		w->times.blocked += util_elapsed() - t;
	}
	pthread_mutex_unlock(&w->mu);
}

/*
 * Room for n items when the batch before held n: a quarter more, rounded
 * up to a power of two, so that the arrays settle on a few sizes early
 * and their blocks fit the holes that earlier ones left in the heap.
 */
static size_t
batch_room(size_t n)
{
	size_t room = 1024;

	n += n / 4;
	while (room < n)
		room *= 2;
	return room;
}

/*
 * Make room in the empty batch b for the nev events, nfields fields and
 * bytes of text of the batch before it at once.  Consecutive batches are
 * about as long, and a batch grown anew by doubling would copy what it
 * held at every step.
 */
static void
batch_reserve(struct batch *b, size_t nev, size_t nfields, size_t bytes)
{
	nev = batch_room(nev);
	nfields = batch_room(nfields);
	/* as writer_batch_clear, a rare huge record is not made room for */
	bytes = batch_room(bytes);
	if (bytes > 2 * WRITER_BATCH_BYTES)
		bytes = 2 * WRITER_BATCH_BYTES;
	if (b->evcap < nev) {
		free(b->ev);
		b->evcap = nev;
		b->ev = xmalloc(nev * sizeof *b->ev);
	}
	if (b->fieldcap < nfields) {
		free(b->fields);
		b->fieldcap = nfields;
		b->fields = xmalloc(nfields * sizeof *b->fields);
	}
	if (bytes <= b->data.cap)
		return;
	buf_free(&b->data);
	buf_grow(&b->data, bytes);
	b->data.data[0] = '\0';
}

struct batch *
writer_submit(struct writer *w, struct batch *b)
{
	size_t nev = b->nev, nfields = b->nfields, bytes = b->data.len;
	struct batch *next;
	double t;

	if (!w->running) {
		t = util_thread_cpu();
		writer_take(w, b);
		t = util_thread_cpu() - t;
		pthread_mutex_lock(&w->mu);
		w->times.cpu += t;
		pthread_mutex_unlock(&w->mu);
		batch_reserve(b, nev, nfields, bytes);
		return b;
	}
	pthread_mutex_lock(&w->mu);
	if (w->nqueue >= WRITER_QUEUE) {
		t = util_elapsed();
		while (w->nqueue >= WRITER_QUEUE)
			pthread_cond_wait(&w->cv, &w->mu);
		w->times.blocked += util_elapsed() - t;
	}
	if (w->queue_tail != NULL)
		w->queue_tail->next = b;
	else
		w->queue = b;
	w->queue_tail = b;
	w->nqueue++;
	pthread_cond_broadcast(&w->cv);
	if ((next = w->free) != NULL)
		w->free = next->next;
	pthread_mutex_unlock(&w->mu);
	if (next == NULL)
		next = writer_batch_new();
	next->next = NULL;
	batch_reserve(next, nev, nfields, bytes);
	return next;
}

int
writer_failed(struct writer *w, char *err, size_t errlen)
{
	int failed;

	pthread_mutex_lock(&w->mu);
	failed = w->failed;
	pthread_mutex_unlock(&w->mu);
	if (failed)
		snprintf(err, errlen, "%s", w->err);
	return failed;
}

void
writer_times(struct writer *w, struct writer_times *t)
{
	pthread_mutex_lock(&w->mu);
	*t = w->times;
	pthread_mutex_unlock(&w->mu);
}

void
writer_start(struct writer *w, struct store *st, struct correlate *corr,
    const struct ruleset *rs)
{
	w->st = st;
	w->corr = corr;
	w->rs = rs;
	buf_init(&w->fields);
	w->ctx = context_writer_new(st);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->inited = 1;
}

int
writer_parallel(struct writer *w, char *err, size_t errlen)
{
	sigset_t block, old;
	int rc;

	if (w->running)
		return 0;
	/* SIGINT and SIGTERM are for the reading thread, which stops. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		util_err(err, errlen, "cannot start the writer thread: %s",
		    strerror(rc));
		return -1;
	}
	w->running = 1;
	return 0;
}

void
writer_stop(struct writer *w)
{
	struct batch *b;

	if (w->running) {
		util_thread_stop(w->thread, &w->mu, &w->cv, &w->quit, 1);
		w->running = 0;
	}
	while ((b = w->free) != NULL) {
		w->free = b->next;
		writer_batch_free(b);
	}
	if (w->inited) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		w->inited = 0;
	}
	context_writer_free(w->ctx);
	w->ctx = NULL;
	free(w->block_ids);
	w->block_ids = NULL;
	free(w->vm.texts);
	w->vm.texts = NULL;
	tcount_free(&w->merge);
	buf_free(&w->fields);
}

int
writer_allocs(struct writer *w)
{
	int claim;

	pthread_mutex_lock(&w->mu);
	w->pending++;
	claim = !w->claimed;
	pthread_mutex_unlock(&w->mu);
	return claim;
}

void
writer_claimed(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->claimed = 1;
	pthread_mutex_unlock(&w->mu);
}

void
writer_allocs_dropped(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	if (--w->pending == 0 && w->claimed) {
		store_sources_release(w->st);
		w->claimed = 0;
	}
	pthread_mutex_unlock(&w->mu);
}
