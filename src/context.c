/*
 * context.c - keeping and reading again the lines around an event of
 * warning severity or worse (see context.h).  A block of stream records
 * is packed as, per record, LEB128 varints of its first line, of its
 * extra lines and of its length, then its text.
 */
#include "context.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "reader.h"
#include "rules.h"
#include "store_context.h"

/* How many first bytes of a file tell it apart (as reader_fingerprint). */
#define CTX_FPSIZE	4096
/* Backwards reads looking for the lines before an event's offset. */
#define CTX_CHUNK	65536
/* A pack of at least this many bytes is deflated ahead (ctx_ahead). */
#define CTX_AHEAD_MIN	(64 * 1024)

/* ---- packing ---- */

static void
put_varint(struct buf *b, uint64_t v)
{
	unsigned char c;

	do {
		c = v & 0x7f;
		v >>= 7;
		buf_putc(b, (char)(c | (v != 0 ? 0x80 : 0)));
	} while (v != 0);
}

/* 0, or -1 when p runs past end. */
static int
get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	int shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		*v |= (uint64_t)(**p & 0x7f) << shift;
		if ((*(*p)++ & 0x80) == 0)
			return 0;
		shift += 7;
	}
	return -1;
}

void
context_pack_init(struct context_pack *p)
{
	memset(p, 0, sizeof *p);
	buf_init(&p->data);
}

void
context_pack_clear(struct context_pack *p)
{
	buf_reset(&p->data);
	p->n = 0;
}

void
context_pack_free(struct context_pack *p)
{
	buf_free(&p->data);
	free(p->end);
	memset(p, 0, sizeof *p);
}

static void
pack_record(struct context_pack *p, const char *text, size_t len,
    uint64_t first, uint64_t last)
{
	put_varint(&p->data, first);
	put_varint(&p->data, last >= first ? last - first : 0);
	put_varint(&p->data, len);
	buf_append(&p->data, text, len);
	p->end[p->n - 1] = p->data.len;
}

/* ---- the stream's last records ---- */

struct ctx_rec {
	char		*text;
	size_t		 len, cap;
	uint64_t	 first, last;
};

struct context_stream {
	size_t		 keep;
	struct ctx_rec	*ring;		/* record k at ring[k % keep] */
	uint64_t	 seq;		/* records pushed */
	int		 open;		/* the pack's last block may grow */
	uint64_t	 upto;		/* records before it are in that block */
	int		 want;		/* the next record goes into it */
};

struct context_stream *
context_stream_new(int keep)
{
	struct context_stream *cs = xcalloc(1, sizeof *cs);

	cs->keep = keep < 1 ? 1 : keep > CONTEXT_MAX ? CONTEXT_MAX :
	    (size_t)keep;
	cs->ring = xcalloc(cs->keep, sizeof *cs->ring);
	return cs;
}

void
context_stream_free(struct context_stream *cs)
{
	size_t i;

	if (cs == NULL)
		return;
	for (i = 0; i < cs->keep; i++)
		free(cs->ring[i].text);
	free(cs->ring);
	free(cs);
}

size_t
context_stream_want(struct context_stream *cs, struct context_pack *p)
{
	uint64_t k, oldest = cs->seq > cs->keep ? cs->seq - cs->keep : 0;
	const struct ctx_rec *r;

	if (cs->want)
		return p->n - 1;
	cs->want = 1;
	if (!cs->open || cs->upto < oldest) {
		p->end = util_grow(p->end, &p->cap, p->n, sizeof *p->end, 16);
		p->end[p->n] = p->data.len;
		p->n++;
		cs->open = 1;
		cs->upto = oldest;
	}
	for (k = cs->upto; k < cs->seq; k++) {
		r = &cs->ring[k % cs->keep];
		pack_record(p, r->text, r->len, r->first, r->last);
	}
	cs->upto = cs->seq;
	return p->n - 1;
}

void
context_stream_push(struct context_stream *cs, struct context_pack *p,
    const char *text, size_t len, uint64_t line_first, uint64_t line_last)
{
	struct ctx_rec *r = &cs->ring[cs->seq % cs->keep];

	if (cs->want) {
		pack_record(p, text, len, line_first, line_last);
		cs->upto = cs->seq + 1;
		cs->want = 0;
	}
	if (len + 1 > r->cap) {
		r->cap = len + 1;
		r->text = xrealloc(r->text, r->cap);
	}
	memcpy(r->text, text, len);
	r->len = len;
	r->first = line_first;
	r->last = line_last;
	cs->seq++;
}

void
context_stream_close(struct context_stream *cs)
{
	cs->open = 0;
}

/* ---- writing ---- */

/*
 * One deflate state, reset for each block: compress2 would allocate (and
 * the kernel zero) its quarter megabyte again for each.
 */
struct ctx_deflater {
	z_stream	 zs;
	int		 zinit;		/* 1 ready, -1 failed: blocks go as they are */
};

/*
 * A pack's blocks deflated ahead by a thread of their own while the
 * writer stores the batch's events: zlib costs about as much as all the
 * rows of a stream's batch, and would otherwise set the writer's pace.
 * The thread runs at the lowest priority, on what the reading thread and
 * the writer leave of the processors, and the writer never waits for it:
 * a block the thread has not done when the writer stores it is stored as
 * it is (zlib 0, as a block that does not compress well), and the thread
 * goes on past it (mixed-1G through a pipe: 1.5-1.7 s, 1,600-4,500 of
 * 26,235 blocks deflated; at the writer's priority 1.8-2.2 s, 12,000 of
 * them; without context 1.4 s).  Block i's bytes go to out + zb[i].at,
 * room for compressBound of it set aside before the thread starts on the
 * pack, so that nothing moves while the writer copies a finished block.
 */
#define CTX_NOT_YET	SIZE_MAX

struct ctx_zblock {
	size_t		 at;		/* in out */
	size_t		 len;		/* CTX_NOT_YET, or 0: as it is */
};

struct ctx_ahead {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* a pack given, a block done, quit */
	const struct context_pack *p;	/* NULL: none */
	size_t		 next;		/* the block the thread takes next */
	int		 busy;		/* the thread is deflating one of p's */
	int		 quit;
	struct ctx_zblock *zb;		/* one for each of p's blocks */
	size_t		 zbcap;
	unsigned char	*out;
	size_t		 outcap;
	double		 cpu;
	struct ctx_deflater d;
};

struct context_writer {
	struct store_context_writes *w;
	struct ctx_deflater d;
	unsigned char	*z;
	size_t		 zcap;
	struct ctx_ahead *ahead;	/* NULL until a pack is worth it */
	int		 no_ahead;	/* the thread could not be started */
};

/*
 * raw[0..len) zlib-compressed into z (room for compressBound(len)); its
 * length, or 0 when it cannot be or does not save at least an eighth.
 */
static size_t
ctx_deflate(struct ctx_deflater *d, const char *raw, size_t len,
    unsigned char *z)
{
	if (len < 64 || d->zinit == -1)
		return 0;
	if (d->zinit == 0)
		d->zinit = deflateInit(&d->zs, Z_BEST_SPEED) == Z_OK ? 1 : -1;
	if (d->zinit != 1 || deflateReset(&d->zs) != Z_OK)
		return 0;
	d->zs.next_in = (Bytef *)(uintptr_t)raw;
	d->zs.avail_in = (uInt)len;
	d->zs.next_out = z;
	d->zs.avail_out = (uInt)compressBound((uLong)len);
	if (deflate(&d->zs, Z_FINISH) != Z_STREAM_END)
		return 0;
	return d->zs.total_out < len - len / 8 ? d->zs.total_out : 0;
}

static void
ctx_deflater_end(struct ctx_deflater *d)
{
	if (d->zinit == 1)
		deflateEnd(&d->zs);
	d->zinit = 0;
}

static const char *
pack_block(const struct context_pack *p, size_t i, size_t *len)
{
	size_t start = i > 0 ? p->end[i - 1] : 0;

	*len = p->end[i] - start;
	return p->data.data + start;
}

static void *
ahead_main(void *arg)
{
	struct ctx_ahead *a = arg;
	const struct context_pack *p;
	const char *raw;
	double cpu0 = util_thread_cpu();
	size_t i, len, zlen;

#ifdef __linux__
	/* Linux gives each thread a nice value of its own */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
#endif
	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->quit && (a->p == NULL || a->next >= a->p->n))
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->quit)
			break;
		p = a->p;
		i = a->next++;
		a->busy = 1;
		pthread_mutex_unlock(&a->mu);
		raw = pack_block(p, i, &len);
		zlen = ctx_deflate(&a->d, raw, len, a->out + a->zb[i].at);
		pthread_mutex_lock(&a->mu);
		a->busy = 0;
		a->cpu = util_thread_cpu() - cpu0;
		if (a->p == p)
			a->zb[i].len = zlen;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	ctx_deflater_end(&a->d);
	return NULL;
}

static void
ahead_free(struct ctx_ahead *a)
{
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a->zb);
	free(a->out);
	free(a);
}

static struct ctx_ahead *
ahead_start(void)
{
	struct ctx_ahead *a = xcalloc(1, sizeof *a);

	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (pthread_create(&a->thread, NULL, ahead_main, a) != 0) {
		ahead_free(a);
		return NULL;
	}
	return a;
}

struct context_writer *
context_writer_new(struct store *st)
{
	struct context_writer *cw = xcalloc(1, sizeof *cw);

	cw->w = store_context_writes_new(st);
	return cw;
}

void
context_writer_free(struct context_writer *cw)
{
	if (cw == NULL)
		return;
	if (cw->ahead != NULL) {
		util_thread_stop(cw->ahead->thread, &cw->ahead->mu,
		    &cw->ahead->cv, &cw->ahead->quit, 1);
		ahead_free(cw->ahead);
	}
	store_context_writes_free(cw->w);
	ctx_deflater_end(&cw->d);
	free(cw->z);
	free(cw);
}

void
context_writer_ahead(struct context_writer *cw, const struct context_pack *p)
{
	struct ctx_ahead *a;
	size_t i, len, room = 0;

	if (p->n == 0 || p->data.len < CTX_AHEAD_MIN || cw->no_ahead)
		return;
	if (cw->ahead == NULL && (cw->ahead = ahead_start()) == NULL) {
		cw->no_ahead = 1;
		return;
	}
	a = cw->ahead;
	/* the pack before was settled */
	assert(a->p == NULL);
	if (p->n > a->zbcap) {
		a->zbcap = p->n;
		a->zb = xrealloc(a->zb, a->zbcap * sizeof *a->zb);
	}
	for (i = 0; i < p->n; i++) {
		pack_block(p, i, &len);
		a->zb[i].at = room;
		a->zb[i].len = CTX_NOT_YET;
		room += compressBound((uLong)len);
	}
	if (room > a->outcap) {
		free(a->out);
		a->outcap = room;
		a->out = xmalloc(a->outcap);
	}
	pthread_mutex_lock(&a->mu);
	a->p = p;
	a->next = 0;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

void
context_writer_settle(struct context_writer *cw)
{
	struct ctx_ahead *a = cw->ahead;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->p = NULL;
	while (a->busy)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
}

double
context_writer_cpu(struct context_writer *cw)
{
	double cpu;

	if (cw->ahead == NULL)
		return 0;
	pthread_mutex_lock(&cw->ahead->mu);
	cpu = cw->ahead->cpu;
	pthread_mutex_unlock(&cw->ahead->mu);
	return cpu;
}

/*
 * What tells a file apart: hashes of its first min(fplen, 4096) bytes
 * and of the up to 4096 bytes before tailend (UINT64_MAX: its size; a
 * file that was only appended to since keeps both), its size and mtime
 * (ms).  -1 with errno when it cannot be read.
 */
static int
file_identity(const char *path, uint64_t fplen, uint64_t tailend,
    uint64_t *fp, uint64_t *tail, uint64_t *size, int64_t *mtime)
{
	unsigned char head[CTX_FPSIZE];
	struct stat sb;
	uint64_t n;
	ssize_t got;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	*size = (uint64_t)sb.st_size;
	*mtime = (int64_t)sb.st_mtim.tv_sec * 1000 +
	    sb.st_mtim.tv_nsec / 1000000;
	if (fplen > CTX_FPSIZE)
		fplen = CTX_FPSIZE;
	got = pread(fd, head, (size_t)fplen, 0);
	*fp = util_hash64(head, got > 0 ? (size_t)got : 0, UTIL_HASH_SEED);
	if (tailend == UINT64_MAX)
		tailend = *size;
	n = tailend < CTX_FPSIZE ? tailend : CTX_FPSIZE;
	got = pread(fd, head, (size_t)n, (off_t)(tailend - n));
	*tail = util_hash64(head, got > 0 ? (size_t)got : 0, UTIL_HASH_SEED);
	close(fd);
	return 0;
}

int
context_file_note(struct context_writer *cw, int64_t ingest_id,
    const char *path, char *err, size_t errlen)
{
	uint64_t fp, tail, size;
	int64_t mtime;

	if (file_identity(path, CTX_FPSIZE, UINT64_MAX, &fp, &tail, &size,
	    &mtime) != 0)
		return 0;
	return store_context_file(cw->w, ingest_id, path, fp, tail, size,
	    mtime, err, errlen);
}

int
context_write_block(struct context_writer *cw, int64_t ingest_id,
    const struct context_pack *p, size_t i, int64_t *id, char *err,
    size_t errlen)
{
	struct ctx_ahead *a = cw->ahead;
	size_t len, bound, zlen;
	const char *raw = pack_block(p, i, &len);
	const unsigned char *z;

	if (a != NULL && a->p == p) {
		pthread_mutex_lock(&a->mu);
		zlen = a->zb[i].len;
		if (zlen == CTX_NOT_YET) {
			zlen = 0;
			if (a->next <= i)
				a->next = i + 1;
		}
		z = a->out + a->zb[i].at;
		pthread_mutex_unlock(&a->mu);
	} else {
		bound = compressBound((uLong)len);
		if (bound > cw->zcap) {
			cw->zcap = bound;
			cw->z = xrealloc(cw->z, cw->zcap);
		}
		zlen = ctx_deflate(&cw->d, raw, len, cw->z);
		z = cw->z;
	}
	return store_context_block(cw->w, ingest_id, len, zlen > 0, zlen > 0 ?
	    (const void *)z : raw, zlen > 0 ? zlen : len, id, err, errlen);
}

int
context_write_event(struct context_writer *cw, int64_t id,
    const struct context_key *key, int64_t ingest_id, uint64_t offset,
    int64_t block, char *err, size_t errlen)
{
	if (id == 0)
		return 0;
	if (id < 0) {
		if (store_context_event_id(cw->w, key->rule, key->source_id,
		    key->ts, key->hash, key->ordinal, &id, err, errlen) != 0)
			return -1;
		if (id == 0)
			return 0;
	}
	return store_context_event(cw->w, id, ingest_id, offset, block, err,
	    errlen);
}

int
context_flush(struct context_writer *cw, char *err, size_t errlen)
{
	return store_context_events_flush(cw->w, err, errlen);
}

/* ---- reading ---- */

static void
ctx_add(struct context *c, uint64_t lineno, const char *text, size_t len,
    int own)
{
	struct context_line *l;

	c->lines = util_grow(c->lines, &c->cap, c->n, sizeof *c->lines, 64);
	l = &c->lines[c->n++];
	l->lineno = lineno;
	l->text = xmalloc(len + 1);
	memcpy(l->text, text, len);
	l->text[len] = '\0';
	l->len = len;
	l->own = own;
}

/* The event's own lines as stored, numbered from its first line. */
static void
ctx_own(struct context *c, const char *text, size_t len, uint64_t line)
{
	const char *p = text, *nl, *end = text + len;

	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		ctx_add(c, line++, p, nl != NULL ? (size_t)(nl - p) :
		    (size_t)(end - p), 1);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

void
context_free(struct context *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->lines[i].text);
	free(c->lines);
	free(c->path);
	memset(c, 0, sizeof *c);
}

static void
ctx_clear_lines(struct context *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->lines[i].text);
	c->n = 0;
}

/*
 * Where the line `before` lines before the one at offset starts, and the
 * number of lines before that point: read backwards from offset.
 */
static int
file_back(const char *path, uint64_t offset, uint64_t line, int before,
    uint64_t *start, uint64_t *lines_before)
{
	char *chunk = xmalloc(CTX_CHUNK);
	uint64_t pos = offset, at;
	int fd, found = 0;
	ssize_t n, i;

	*start = 0;
	*lines_before = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		free(chunk);
		return -1;
	}
	/* The newline at offset - 1 ends the line before; before + 1 of them. */
	while (pos > 0 && found <= before) {
		at = pos > CTX_CHUNK ? pos - CTX_CHUNK : 0;
		n = pread(fd, chunk, (size_t)(pos - at), (off_t)at);
		if (n <= 0)
			break;
		for (i = n - 1; i >= 0; i--) {
			if (chunk[i] != '\n')
				continue;
			if (++found > before) {
				*start = at + (uint64_t)i + 1;
				*lines_before = line - (uint64_t)before - 1;
				break;
			}
		}
		pos = at;
	}
	close(fd);
	free(chunk);
	return 0;
}

/* Read the lines around [line, line_end] at offset from path into c. */
static void
ctx_file(struct context *c, const char *path, uint64_t fp, uint64_t tail,
    uint64_t size, int64_t mtime, uint64_t offset, uint64_t line,
    uint64_t line_end, int before, int after)
{
	struct context_line *ring = NULL;
	struct reader_line rl;
	struct reader *r;
	uint64_t cfp, ctail, csize, start = 0, nbefore = 0, k, nring = 0;
	int64_t cmtime;
	char rerr[200];
	int rc, reached = 0;

	if (file_identity(path, size, size, &cfp, &ctail, &csize,
	    &cmtime) != 0) {
		if (errno == ENOENT)
			snprintf(c->why, sizeof c->why, "context not available:"
			    " the file has moved (%s is gone)", path);
		else
			snprintf(c->why, sizeof c->why, "context not available:"
			    " %s: %s", path, strerror(errno));
		return;
	}
	if (csize < size || cfp != fp || ctail != tail ||
	    (csize == size && cmtime != mtime)) {
		snprintf(c->why, sizeof c->why, "context not available: the file"
		    " has changed since it was read (%s %s)", path, csize < size ?
		    "is shorter" : cfp != fp ? "holds other data" :
		    "was rewritten");
		return;
	}
	if ((r = reader_open(path, 0, rerr, sizeof rerr)) == NULL) {
		snprintf(c->why, sizeof c->why, "context not available: %s", rerr);
		return;
	}
	/* A plain file is entered near the event; a .gz is read from its start. */
	if (!reader_is_gzip(r) && before > 0 &&
	    file_back(path, offset, line, before, &start, &nbefore) == 0 &&
	    start > 0 && reader_skip_to(r, start, nbefore, rerr, sizeof rerr) != 0)
		goto changed;
	if (!reader_is_gzip(r) && before == 0 &&
	    reader_skip_to(r, offset, line - 1, rerr, sizeof rerr) != 0)
		goto changed;
	if (before > 0)
		ring = xcalloc((size_t)before, sizeof *ring);
	while ((rc = reader_next(r, &rl, rerr, sizeof rerr)) == 1) {
		if (rl.lineno < line) {
			if (before == 0)
				continue;
			k = nring++ % (uint64_t)before;
			free(ring[k].text);
			ring[k].lineno = rl.lineno;
			ring[k].text = xstrndup(rl.p, rl.len);
			ring[k].len = rl.len;
			continue;
		}
		if (rl.lineno == line) {
			if (rl.offset != offset)
				goto changed;
			reached = 1;
			k = nring > (uint64_t)before ? nring - (uint64_t)before : 0;
			for (; k < nring; k++)
				ctx_add(c, ring[k % (uint64_t)before].lineno,
				    ring[k % (uint64_t)before].text,
				    ring[k % (uint64_t)before].len, 0);
		}
		ctx_add(c, rl.lineno, rl.p, rl.len, rl.lineno <= line_end);
		if (rl.lineno >= line_end + (uint64_t)after)
			break;
	}
	if (!reached && rc < 0) {
		/* a .gz damaged since, or a read error */
		ctx_clear_lines(c);
		snprintf(c->why, sizeof c->why, "context not available: %s",
		    rerr);
		goto out;
	}
	if (!reached)
		goto changed;
	goto out;
changed:
	ctx_clear_lines(c);
	snprintf(c->why, sizeof c->why, "context not available: the file has"
	    " changed since it was read (%s no longer holds line %llu where it"
	    " was)", path, (unsigned long long)line);
out:
	for (k = 0; ring != NULL && k < (uint64_t)before; k++)
		free(ring[k].text);
	free(ring);
	reader_close(r);
}

static int
line_cmp(const void *a, const void *b)
{
	const struct context_line *x = a, *y = b;

	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

/* The lines of a stream block around [line, line_end] into c. */
static int
ctx_block(struct store *s, struct context *c, int64_t block, uint64_t line,
    uint64_t line_end, int before, int after, char *err, size_t errlen)
{
	struct store_rows *st = NULL;
	const unsigned char *p, *end;
	unsigned char *raw = NULL;
	uint64_t first, extra, len = 0, i;
	uLongf rawlen;
	const char *t, *nl;
	size_t start = 0, pos, from, last, blen;
	int rc, found = 0;

	if (store_context_block_read(s, block, &st, err, errlen) != 0)
		return -1;
	if ((rc = store_rows_next(st)) != 1) {
		store_rows_free(st);
		if (rc != 0)
			return store_read_error(s, err, errlen, "context");
		snprintf(c->why, sizeof c->why, "context not available: its"
		    " records are no longer stored");
		return 0;
	}
	rawlen = (uLongf)store_rows_int64(st, 0);
	raw = xmalloc(rawlen + 1);
	p = store_rows_blob(st, 2, &blen);
	if (store_rows_int(st, 1)) {
		if (uncompress(raw, &rawlen, p, (uLong)blen) != Z_OK)
			rawlen = 0;
	} else {
		rawlen = (uLongf)blen;
		memcpy(raw, p != NULL ? (const void *)p : "", rawlen);
	}
	store_rows_free(st);
	/* The records' lines; the event's are found by its first line. */
	for (p = raw, end = raw + rawlen; p < end; p += len) {
		if (get_varint(&p, end, &first) != 0 ||
		    get_varint(&p, end, &extra) != 0 ||
		    get_varint(&p, end, &len) != 0 || len > (uint64_t)(end - p))
			break;
		found |= first == line;
		for (t = (const char *)p, i = 0;; i++) {
			nl = memchr(t, '\n', (size_t)((const char *)p + len - t));
			ctx_add(c, first + (i < extra ? i : extra), t,
			    nl != NULL ? (size_t)(nl - t) :
			    (size_t)((const char *)p + len - t), first == line);
			if (nl == NULL)
				break;
			t = nl + 1;
		}
	}
	free(raw);
	if (!found) {
		ctx_clear_lines(c);
		snprintf(c->why, sizeof c->why, "context not available: its"
		    " records are not in the block kept for it");
		return 0;
	}
	/*
	 * Records are kept in the order they were completed, which differs
	 * from the order of their lines where sources interleave.
	 */
	qsort(c->lines, c->n, sizeof *c->lines, line_cmp);
	while (!c->lines[start].own)
		start++;
	/* Keep `before` lines before the event's, and `after` after. */
	for (last = start; last + 1 < c->n && c->lines[last + 1].own; last++)
		;
	while (c->n > last + 1 + (size_t)after)
		free(c->lines[--c->n].text);
	from = start > (size_t)before ? start - (size_t)before : 0;
	for (pos = 0; pos < from; pos++)
		free(c->lines[pos].text);
	memmove(c->lines, c->lines + from, (c->n - from) * sizeof *c->lines);
	c->n -= from;
	return 0;
}

int
context_read(struct store *s, int64_t id, int before, int after,
    struct context *c, char *err, size_t errlen)
{
	struct store_rows *st = NULL;
	const char *text;
	uint64_t line, line_end;
	size_t len;
	int rc, ret = 0;

	memset(c, 0, sizeof *c);
	if (before < 0)
		before = 0;
	if (after < 0)
		after = 0;
	if (store_context_of(s, id, &st, err, errlen) != 0)
		return -1;
	if ((rc = store_rows_next(st)) != 1) {
		if (rc == 0)
			snprintf(c->why, sizeof c->why, "context not available:"
			    " event %lld is not stored", (long long)id);
		else {
			store_read_error(s, err, errlen, "context");
			ret = -1;
		}
		store_rows_free(st);
		return ret;
	}
	line = (uint64_t)store_rows_int64(st, 0);
	line_end = (uint64_t)store_rows_int64(st, 1);
	if (line_end < line)
		line_end = line;
	text = store_rows_blob(st, 2, &len);
	if (text == NULL)
		text = "";
	if (!store_rows_null(st, 6)) {
		c->path = xstrdup("(standard input)");
		ret = ctx_block(s, c, store_rows_int64(st, 6), line,
		    line_end, before, after, err, errlen);
	} else if (!store_rows_null(st, 5) &&
	    !store_rows_null(st, 7)) {
		c->path = xstrdup(store_rows_text(st, 7));
		ctx_file(c, c->path, (uint64_t)store_rows_int64(st, 8),
		    (uint64_t)store_rows_int64(st, 11),
		    (uint64_t)store_rows_int64(st, 9),
		    store_rows_int64(st, 10),
		    (uint64_t)store_rows_int64(st, 5), line, line_end,
		    before, after);
	} else {
		snprintf(c->why, sizeof c->why, "context not available: %s",
		    store_rows_int(st, 3) < SEV_WARNING ? "none is kept for"
		    " events below warning severity" : "none was kept when it"
		    " was ingested");
	}
	if (ret == 0 && c->why[0] != '\0')
		ctx_own(c, text, len, line);
	store_rows_free(st);
	return ret;
}
