/*
 * reader.c - bytes in, physical lines out: plain files, gzip (by magic
 * bytes, concatenated members too) and standard input, read with read(2)
 * in large blocks and split by a vector scan that also notes whether each
 * line is plain ASCII.  Follow mode waits at the end of a file like
 * tail -F.  Knows nothing about envelopes, formats or rules.
 *
 * Memory is bounded whatever the input: one buffer of READER_MAX_LINE plus
 * one block (three such while decompressing ahead).  A line that outgrows
 * READER_MAX_LINE keeps its first READER_MAX_LINE bytes at the front of the
 * buffer while the rest of it is read through the back half and dropped.
 *
 * A long gzip file is decompressed ahead: a thread inflates the next
 * blocks into spare buffers of the same shape while this one splits lines,
 * so decompression, which costs more than all the splitting, runs on the
 * other core.  Each spare buffer is taken whole: the unfinished line of the
 * last one is copied into the room before its block, and lines are handed
 * out from where they lie.  At the end of the input, or at an error, the
 * thread is gone and reading goes on in place, exactly as without it.
 * Plain files are read in place: there a thread would only move the
 * kernel's copy to the other core, and the bytes crossing between cores
 * cost back most of what that saves (measured on two cores, no run got
 * shorter).
 *
 * A plain file is read with read(2), not mapped: on the virtual machines
 * logtriage is measured on, scanning mapped page-cache pages costs three
 * times the CPU of read(2)'s copy and a scan of the copy in cache (0.69
 * against 0.19 s per GiB for the split alone, a line at a time; 0.55
 * with a software prefetch ahead of the scan).
 */
#include "reader.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define READER_X86 1
#endif

#include "util.h"

#define READER_BLOCK	(1024 * 1024)
/*
 * A read in place asks for at most this much, into the front of the
 * buffer while the line in progress is short: a small input touches (and
 * faults in) only the pages it needs, and what was read is still in the
 * cache when it is split.
 */
#define READER_READ	(256 * 1024)
#define READER_BUFSIZE	(READER_MAX_LINE + READER_BLOCK)
#define READER_ZBLOCK	(256 * 1024)
#define READER_FPSIZE	4096
/* What a pipe is asked to hold (the default limit of pipe-max-size). */
#define READER_PIPE	(1024 * 1024)
#define READER_POLL_MS	100
/* Buffers of a read-ahead: the one being split, and the ones inflated into. */
#define READER_AHEAD_BUFS	3
/* Bytes decompressed in place first: a few lines need no thread. */
#define READER_AHEAD_AFTER	(2 * READER_BLOCK)

/*
 * What ends a line.  Files written on classic Mac OS, and some devices'
 * logs, end lines with '\r' alone: read as '\n'-lines they would be one
 * line, cut at READER_MAX_LINE.  The first bytes decide (see eol_decide);
 * '\r' of such a file is then read as '\n', byte for byte, so offsets
 * and the resume point stay those of the file.
 */
enum eol {
	EOL_UNDECIDED,
	EOL_LF,
	EOL_CR
};

/* What follow_wait found at the end of a file. */
enum follow_event {
	FOLLOW_RETRY,		/* look for data again */
	FOLLOW_IDLE,		/* idle_ms passed without data */
	FOLLOW_TRUNCATED,	/* the file shrank below what was read */
	FOLLOW_ROTATED		/* the path names another file now */
};

/*
 * A read-ahead thread and its buffers.  buf[cur] is the reader's buf;
 * the thread decompresses into the free ones and queues them, in order,
 * with the bytes each holds at READER_MAX_LINE.
 */
struct ahead {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* a buffer queued or freed, or quit */
	char		*buf[READER_AHEAD_BUFS];
	int		 cur;
	int		 free[READER_AHEAD_BUFS];
	int		 nfree;
	int		 queue[READER_AHEAD_BUFS];
	size_t		 len[READER_AHEAD_BUFS];	/* by buffer */
	int		 head, nqueued;
	int		 done;		/* the input ended (status 0) or failed (-1) */
	ssize_t		 status;
	int		 quit;
	double		 cpu;		/* the thread's CPU seconds, once it ended */
};

struct reader {
	/* reader_set_recycle's */
	void			(*recycle)(void *);
	void			*recycle_arg;
	char			*path;
	int			 fd;
	int			 is_stdin;
	int			 is_reg;
	int			 follow;
	dev_t			 dev;
	ino_t			 ino;
	uint64_t		 raw_off;	/* bytes read from fd since it was opened */
	const char		*mem;		/* reading memory, not fd (-1) */
	size_t			 memlen, mempos;

	int			 detected;	/* gzip or not decided */
	int			 gz;
	z_stream		 zs;
	unsigned char		*zin;
	int			 zmember_done;	/* between gzip members */
	int			 zended;	/* no more gzip data to read */

	char			*buf;
	/*
	 * buf's length: READER_BUFSIZE, or less for a regular file that
	 * held less when it was opened, until it is found to hold more (a
	 * small input's heap stays on the pages the rest of the run uses)
	 */
	size_t			 cap;
	struct ahead		*ahead;		/* reading ahead, or NULL */
	double			 ahead_cpu;	/* CPU seconds of ended read-aheads */
	int			 ahead_over;	/* ... no more: the input ended once */
	uint64_t		 filled;	/* bytes fill() has added */
	size_t			 start;		/* unconsumed data is buf[start..end) */
	size_t			 end;
	size_t			 scan;		/* no '\n' in buf[start..scan) */
	int			 scan_bad;	/* ... and a NUL or non-ASCII byte there */
	int			 avx2;		/* the CPU has AVX2 */
	uint64_t		 off;		/* decompressed offset of buf[start] */
	uint64_t		 lineno;
	enum eol		 eol;

	int			 cutting;	/* dropping the rest of an overlong line */
	uint64_t		 cut_off;	/* its offset; its first bytes are buf[0..MAX) */
	uint64_t		 cut_nul;	/* NULs among its dropped bytes */

	int			 rotation_seen;	/* one more read before switching files */
	enum follow_event	 pending_switch;
	int			 read_error;	/* input failed; lines before it still come */
	int			 failed;	/* ... and were all handed out */
	char			 failmsg[256];

	int			 idle_ms;
	int			 report_idle;	/* reader_set_idle_ms was called */
	int64_t			 idle_since;
	volatile sig_atomic_t	 stop;
	volatile sig_atomic_t	*stop_flag;	/* a signal handler's, or NULL */

	unsigned char		 fp[READER_FPSIZE];
	size_t			 fplen;
	uint64_t		 last_size;	/* the file's size at the last poll */
	struct reader_stats	 st;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t
count_nul(const char *p, size_t n)
{
	const char *end = p + n, *q;
	uint64_t c = 0;

	while (p < end && (q = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		c++;
		p = q + 1;
	}
	return c;
}

static int
stopping(const struct reader *r)
{
	return r->stop || (r->stop_flag != NULL && *r->stop_flag);
}

static void
set_failed(struct reader *r, const char *what, int errnum)
{
	if (errnum != 0)
		util_err(r->failmsg, sizeof r->failmsg, "%s: %s: %s",
		    r->is_stdin ? "stdin" : r->path, what, strerror(errnum));
	else
		util_err(r->failmsg, sizeof r->failmsg, "%s: %s",
		    r->is_stdin ? "stdin" : r->path, what);
}

/*
 * One read(2).  A stream (pipe, FIFO, terminal, socket) may stay silent
 * for ever, so it is waited for with poll() in slices of READER_POLL_MS:
 * a stop, from a signal handler whichever thread it ran on, is seen
 * within one slice, and in follow mode idleness is reported.  Returns
 * bytes, 0 at end of input (or when stopped), -1 on error (failmsg set),
 * -2 when idle_ms passed without data.
 */
static ssize_t
raw_read(struct reader *r, void *dst, size_t len)
{
	struct pollfd pfd;
	int64_t wait;
	ssize_t n;
	int pr, slice;

	for (;;) {
		if (stopping(r))
			return 0;
		if (!r->is_reg) {
			slice = READER_POLL_MS;
			if (r->follow || r->report_idle) {
				wait = r->idle_ms - (mono_ms() - r->idle_since);
				if (wait <= 0) {
					r->idle_since = mono_ms();
					return -2;
				}
				if (wait < slice)
					slice = (int)wait;
			}
			pfd.fd = r->fd;
			pfd.events = POLLIN;
			pfd.revents = 0;
			pr = poll(&pfd, 1, slice);
			if (pr < 0 && errno != EINTR) {
				set_failed(r, "poll", errno);
				return -1;
			}
			if (pr <= 0)
				continue;
		}
		n = read(r->fd, dst, len);
		if (n < 0) {
			/* A non-blocking stream: poll() above waits for it. */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			set_failed(r, "read", errno);
			return -1;
		}
		if (n > 0) {
			r->raw_off += (uint64_t)n;
			r->idle_since = mono_ms();
		}
		return n;
	}
}

/* Decompress into dst; same returns as raw_read. */
static ssize_t
gz_read(struct reader *r, unsigned char *dst, size_t len)
{
	ssize_t n;
	int ret;

	for (;;) {
		if (r->zended)
			return 0;
		if (r->zs.avail_in == 0) {
			n = raw_read(r, r->zin, READER_ZBLOCK);
			if (n < 0)
				return n;
			if (n == 0) {
				if (r->zmember_done)
					return 0;
				set_failed(r, "unexpected end of gzip data", 0);
				return -1;
			}
			r->zs.next_in = r->zin;
			r->zs.avail_in = (uInt)n;
		}
		if (r->zmember_done) {
			/* Another member follows, or trailing padding ends it. */
			if (r->zs.next_in[0] != 0x1f) {
				r->zended = 1;
				return 0;
			}
			inflateReset(&r->zs);
			r->zmember_done = 0;
		}
		r->zs.next_out = dst;
		r->zs.avail_out = (uInt)len;
		ret = inflate(&r->zs, Z_NO_FLUSH);
		if (ret == Z_STREAM_END)
			r->zmember_done = 1;
		else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			set_failed(r, r->zs.msg != NULL ? r->zs.msg :
			    "corrupt gzip data", 0);
			return -1;
		}
		if (r->zs.avail_out < len)
			return (ssize_t)(len - r->zs.avail_out);
	}
}

/*
 * bzip2's "BZh" is a word a text may open with: its block size digit and
 * the magic of its first block or of its end must follow.
 */
static int
bzip2_follows(const unsigned char *p, size_t n)
{
	return n >= 10 && p[3] >= '1' && p[3] <= '9' &&
	    (memcmp(p + 4, "1AY&SY", 6) == 0 ||
	    memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0);
}

/*
 * Forms a log is kept in that are not text nor gzip, known by their first
 * bytes (and what must follow them, where a text could open so): read as
 * lines, they would be stored as binary records that say nothing.  Each
 * says what to run instead.
 */
static const struct foreign {
	const char	*magic;
	size_t		 len;
	int		(*follows)(const unsigned char *, size_t);
	const char	*what;
} foreign[] = {
	{ "\xfd" "7zXZ\0", 6, NULL,
	    "xz data: decompress it first, as with xz -dc" },
	{ "BZh", 3, bzip2_follows,
	    "bzip2 data: decompress it first, as with bzip2 -dc" },
	{ "\x28\xb5\x2f\xfd", 4, NULL,
	    "zstd data: decompress it first, as with zstd -dc" },
	{ "\x04\x22\x4d\x18", 4, NULL,
	    "lz4 data: decompress it first, as with lz4 -dc" },
	{ "PK\x03\x04", 4, NULL,
	    "a zip archive: extract it first, as with unzip -p" },
	{ "7z\xbc\xaf\x27\x1c", 6, NULL,
	    "a 7z archive: extract it first, as with 7z x -so" },
	{ "LPKSHHRH", 8, NULL, "a systemd journal file: read it through"
	    " journalctl, as with journalctl --file=FILE -o json" },
	{ "SQLite format 3", 16, NULL,
	    "an SQLite database, not a log (a store is named with --db)" },
};

/* The foreign form p[0..n) opens with, or NULL. */
static const char *
foreign_form(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(foreign); i++) {
		if (n >= foreign[i].len &&
		    memcmp(p, foreign[i].magic, foreign[i].len) == 0 &&
		    (foreign[i].follows == NULL || foreign[i].follows(p, n)))
			return foreign[i].what;
	}
	return NULL;
}

/*
 * The first bytes decide gzip or not.  Returns as raw_read; for plain
 * input the bytes read are already in buf[end..].  The first read is no
 * larger than the gzip input buffer, because for gzip it is moved there.
 */
static ssize_t
detect(struct reader *r, size_t room)
{
	unsigned char *p = (unsigned char *)r->buf + r->end;
	const char *what;
	ssize_t n, m;

	n = raw_read(r, p, room < READER_ZBLOCK ? room : READER_ZBLOCK);
	if (n < 0)
		return n;
	r->detected = 1;
	if (n == 1 && p[0] == 0x1f) {
		/* A pipe may hand out the magic one byte at a time. */
		while ((m = raw_read(r, p + 1, 1)) == -2)
			;
		if (m < 0)
			return m;
		n += m;
	}
	if ((what = foreign_form(p, (size_t)n)) != NULL) {
		set_failed(r, what, 0);
		return -1;
	}
	if (n < 2 || p[0] != 0x1f || p[1] != 0x8b)
		return n;
	r->gz = 1;
	if (r->is_reg)
		r->follow = 0;
	r->zin = xmalloc(READER_ZBLOCK);
	memcpy(r->zin, p, (size_t)n);
	memset(&r->zs, 0, sizeof r->zs);
	if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK) {
		set_failed(r, "cannot start gzip decoding", 0);
		return -1;
	}
	r->zs.next_in = r->zin;
	r->zs.avail_in = (uInt)n;
	return gz_read(r, p, room);
}

/* The thread that reads ahead: fills free buffers and queues them. */
static void *
ahead_main(void *arg)
{
	struct reader *r = arg;
	struct ahead *a = r->ahead;
	double cpu0 = util_thread_cpu();
	char *dst;
	size_t got;
	ssize_t n = 0;
	int i;

	for (;;) {
		pthread_mutex_lock(&a->mu);
		while (a->nfree == 0 && !a->quit)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->quit) {
			a->cpu = util_thread_cpu() - cpu0;
			pthread_mutex_unlock(&a->mu);
			return NULL;
		}
		i = a->free[--a->nfree];
		pthread_mutex_unlock(&a->mu);
		dst = a->buf[i] + READER_MAX_LINE;
		for (got = 0; got < READER_BLOCK; got += (size_t)n) {
			n = gz_read(r, (unsigned char *)dst + got,
			    READER_BLOCK - got);
			if (n <= 0)
				break;
		}
		pthread_mutex_lock(&a->mu);
		if (got > 0) {
			a->queue[(a->head + a->nqueued++) % READER_AHEAD_BUFS] = i;
			a->len[i] = got;
		} else
			a->free[a->nfree++] = i;
		if (n <= 0) {
			a->done = 1;
			a->status = n < 0 ? -1 : 0;
		}
		if (n <= 0)
			a->cpu = util_thread_cpu() - cpu0;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (n <= 0)
			return NULL;
	}
}

/*
 * Is the input worth a thread?  A gzip file (never followed: nothing to
 * wait for at its end) read a while already: a few lines do not pay for
 * it.  A stream's reads wait, go idle and stop as only this thread can
 * answer for.
 */
static int
ahead_wanted(const struct reader *r)
{
	return r->gz && r->is_reg && !r->ahead_over && !r->read_error &&
	    r->filled >= READER_AHEAD_AFTER;
}

/* buf at its full length, READER_BUFSIZE, its bytes kept. */
static void
buf_whole(struct reader *r)
{
	if (r->cap < READER_BUFSIZE) {
		r->buf = xrealloc(r->buf, READER_BUFSIZE);
		r->cap = READER_BUFSIZE;
	}
}

/* Start reading ahead; on failure, reading goes on in place. */
static void
ahead_start(struct reader *r)
{
	struct ahead *a;
	sigset_t all, old;
	int i, rc;

	buf_whole(r);
	a = xcalloc(1, sizeof *a);
	a->buf[0] = r->buf;
	for (i = 1; i < READER_AHEAD_BUFS; i++) {
		a->buf[i] = xmalloc(READER_BUFSIZE);
		a->free[a->nfree++] = i;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	r->ahead = a;
	/* Signals are for the reading thread, which stops. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&a->thread, NULL, ahead_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		r->ahead = NULL;
		r->ahead_over = 1;
		pthread_cond_destroy(&a->cv);
		pthread_mutex_destroy(&a->mu);
		for (i = 1; i < READER_AHEAD_BUFS; i++)
			free(a->buf[i]);
		free(a);
	}
}

/* Wait for the thread to end (asking it to, if quit) and free all but buf. */
static void
ahead_end(struct reader *r, int quit)
{
	struct ahead *a = r->ahead;
	int i;

	util_thread_stop(a->thread, &a->mu, &a->cv, &a->quit, quit);
	r->ahead_cpu += a->cpu;
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	for (i = 0; i < READER_AHEAD_BUFS; i++)
		if (i != a->cur)
			free(a->buf[i]);
	free(a);
	r->ahead = NULL;
	r->ahead_over = 1;
}

/*
 * Move to the next buffer read ahead, with the unfinished line (or an
 * overlong line's head at buf[0..READER_MAX_LINE)) carried into it, and
 * leave its new bytes at buf[end].  Returns as raw_read; at the end of the
 * read-ahead the thread is gone and buf stays where it is.
 */
static ssize_t
ahead_next(struct reader *r)
{
	struct ahead *a = r->ahead;
	size_t pending = r->end - r->start;
	ssize_t status;
	char *next;
	int i;

	pthread_mutex_lock(&a->mu);
	while (a->nqueued == 0 && !a->done)
		pthread_cond_wait(&a->cv, &a->mu);
	if (a->nqueued == 0) {
		status = a->status;
		pthread_mutex_unlock(&a->mu);
		ahead_end(r, 0);
		return status;
	}
	i = a->queue[a->head];
	a->head = (a->head + 1) % READER_AHEAD_BUFS;
	a->nqueued--;
	pthread_mutex_unlock(&a->mu);
	next = a->buf[i];
	if (r->cutting)
		memcpy(next, r->buf, READER_MAX_LINE);
	else {
		/* All of it was looked at for its end already. */
		memcpy(next + READER_MAX_LINE - pending, r->buf + r->start,
		    pending);
		r->start = READER_MAX_LINE - pending;
		r->scan = r->end = READER_MAX_LINE;
	}
	pthread_mutex_lock(&a->mu);
	a->free[a->nfree++] = a->cur;
	a->cur = i;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	r->buf = next;
	return (ssize_t)a->len[i];
}

/* Every '\r' of p[0..n) becomes '\n'. */
static void
cr_to_lf(char *p, size_t n)
{
	char *end = p + n;

	while ((p = memchr(p, '\r', (size_t)(end - p))) != NULL)
		*p++ = '\n';
}

/*
 * Decide what ends a line, with the n new bytes at buf[end] (not yet
 * counted in end); ended: no more are coming.  The first
 * READER_EOL_DECIDE bytes of the input (all of it, if shorter) decide,
 * whatever the reads that bring them: a '\n' among them decides for it
 * (a '\r' inside '\n'-lines is a progress bar's overwrite, or a
 * Windows line end); else a '\r' among them for EOL_CR.  Until then no
 * line was handed out (none ended), so they are buf[start..).  Returns
 * 1 when the bytes pending were rewritten and are to be scanned again.
 */
static int
eol_decide(struct reader *r, size_t n, int ended)
{
	size_t pending = r->end + n - r->start, look;

	look = pending < READER_EOL_DECIDE ? pending : READER_EOL_DECIDE;
	if (r->cutting || memchr(r->buf + r->start, '\n', look) != NULL) {
		r->eol = EOL_LF;
		return 0;
	}
	if (look < READER_EOL_DECIDE && !ended)
		return 0;
	if (memchr(r->buf + r->start, '\r', look) == NULL) {
		if (look == READER_EOL_DECIDE)
			r->eol = EOL_LF;
		return 0;
	}
	r->eol = EOL_CR;
	cr_to_lf(r->buf + r->start, pending);
	r->scan = r->start;
	return 1;
}

/*
 * At the end of the input, or where it went idle: a short input whose
 * lines end in '\r' alone is decided on what it holds.  1 if it was,
 * and its lines are to be split again.
 */
static int
eol_at_end(struct reader *r)
{
	if (r->eol != EOL_UNDECIDED || r->end == r->start)
		return 0;
	return eol_decide(r, 0, 1);
}

/* Read more input to buf[end] in this thread.  Returns as raw_read. */
static ssize_t
read_in_place(struct reader *r)
{
	size_t room, left;
	ssize_t n;

	if (!r->cutting && r->start > 0 && (r->end - r->start <= READER_READ ||
	    r->cap - r->end < READER_BLOCK)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan -= r->start;
		r->start = 0;
	}
	if (r->read_error)
		return -1;
	left = room = r->cap - r->end;
	if (room > READER_READ)
		room = READER_READ;
	if (r->mem != NULL) {
		n = (ssize_t)(r->memlen - r->mempos < room ?
		    r->memlen - r->mempos : room);
		memcpy(r->buf + r->end, r->mem + r->mempos, (size_t)n);
		r->mempos += (size_t)n;
	} else if (!r->detected)
		n = detect(r, room);
	else if (r->gz)
		n = gz_read(r, (unsigned char *)r->buf + r->end, room);
	else
		n = raw_read(r, r->buf + r->end, room);
	/*
	 * A read that filled a buffer made for a smaller file: the file
	 * grew, and the next read needs room (none left would read as its
	 * end).  The lines handed out were recycled before the read.
	 */
	if (n == (ssize_t)left && r->cap < READER_BUFSIZE)
		buf_whole(r);
	return n;
}

/* The memory of the lines handed out is about to be used again. */
static void
recycle(struct reader *r)
{
	if (r->recycle != NULL)
		r->recycle(r->recycle_arg);
}

/*
 * Append more input at buf[end].  Returns bytes added, 0 at end of input
 * (for now, in follow mode), -1 on error, -2 when idle.
 */
static ssize_t
fill(struct reader *r)
{
	size_t keep;
	ssize_t n;

	recycle(r);
	if (r->ahead == NULL && ahead_wanted(r))
		ahead_start(r);
	n = r->ahead != NULL ? ahead_next(r) : read_in_place(r);
	if (n == -1)
		r->read_error = 1;
	if (n <= 0)
		return n;
	if (r->fplen < READER_FPSIZE) {
		keep = READER_FPSIZE - r->fplen;
		if (keep > (size_t)n)
			keep = (size_t)n;
		memcpy(r->fp + r->fplen, r->buf + r->end, keep);
		r->fplen += keep;
	}
	if (r->eol == EOL_CR)
		cr_to_lf(r->buf + r->end, (size_t)n);
	else if (r->eol == EOL_UNDECIDED)
		eol_decide(r, (size_t)n, 0);
	r->end += (size_t)n;
	r->filled += (uint64_t)n;
	return n;
}

#ifdef READER_X86
/*
 * line_end 32 bytes a step while 32 remain (n is at least 32).  A byte
 * is NUL or not ASCII exactly when, signed, it is below 1: one compare;
 * ESC is a second.
 */
__attribute__((target("avx2")))
static const char *
line_end_avx2(const char *p, size_t n, int *bad)
{
	const __m256i nl = _mm256_set1_epi8('\n'), one = _mm256_set1_epi8(1),
	    esc = _mm256_set1_epi8('\033');
	const char *last = p + n - 32;
	unsigned m;
	__m256i v, x, acc = _mm256_setzero_si256();

	for (; p <= last; p += 32) {
		v = _mm256_loadu_si256((const __m256i *)p);
		m = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, nl));
		x = _mm256_or_si256(_mm256_cmpgt_epi8(one, v),
		    _mm256_cmpeq_epi8(v, esc));
		if (m != 0) {
			/* the bytes before the '\n' only */
			m &= -m;
			*bad |= (((unsigned)_mm256_movemask_epi8(x) & (m - 1)) |
			    (unsigned)_mm256_movemask_epi8(acc)) != 0;
			return p + __builtin_ctz(m);
		}
		acc = _mm256_or_si256(acc, x);
	}
	*bad |= _mm256_movemask_epi8(acc) != 0;
	return p;
}
#endif

/*
 * The first '\n' in p[0..n), or NULL.  *bad is set if a byte before it
 * (or, with none, any byte) is NUL, ESC or not ASCII: the split reads
 * each byte once for both, and a line known clean is not looked at again
 * for NULs here, for bad UTF-8 by multiline.c or for terminal escapes by
 * envelope.c.  SSE2 is every x86-64's; AVX2 takes twice the bytes a step
 * where the CPU has it.
 */
static inline __attribute__((always_inline)) const char *
line_end(int avx2, const char *p, size_t n, int *bad)
{
	const char *end = p + n;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), one = _mm_set1_epi8(1),
	    esc = _mm_set1_epi8('\033');
	unsigned m, b;
	__m128i v;
#endif

#ifdef READER_X86
	if (avx2 && n >= 32) {
		p = line_end_avx2(p, n, bad);
		if (p < end && *p == '\n')
			return p;
	}
#endif
#ifdef __SSE2__
	for (; end - p >= 16; p += 16) {
		v = _mm_loadu_si128((const __m128i *)p);
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));
		/* NUL or not ASCII: below 1, signed (see line_end_avx2) */
		b = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpgt_epi8(one, v), _mm_cmpeq_epi8(v, esc)));
		if (m != 0) {
			m &= -m;
			*bad |= (b & (m - 1)) != 0;
			return p + __builtin_ctz(m);
		}
		*bad |= b != 0;
	}
#endif
	for (; p < end; p++) {
		if (*p == '\n')
			return p;
		*bad |= *p == '\0' || *p == '\033' || (unsigned char)*p >= 0x80;
	}
	return NULL;
}

static void
emit(struct reader *r, struct reader_line *line, const char *p, size_t len,
    uint64_t offset, uint64_t end_offset, int truncated, int ascii)
{
	/*
	 * A byte order mark opens many a file written on Windows: it is no
	 * text, and the first line's stamp is after it.  A cut line keeps
	 * READER_MAX_LINE bytes, mark and all.
	 */
	if (offset == 0 && len >= 2) {
		if (!truncated && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			len -= 3;
		} else if (memcmp(p, "\xff\xfe", 2) == 0 ||
		    memcmp(p, "\xfe\xff", 2) == 0)
			r->st.utf16 = 1;
	}
	line->p = p;
	line->len = len;
	line->lineno = ++r->lineno;
	line->offset = offset;
	line->end_offset = end_offset;
	line->truncated = truncated;
	line->unterminated = 0;
	line->ascii = ascii && !truncated;
	r->st.lines++;
	r->st.bytes += end_offset - offset;
	if (!line->ascii)
		r->st.nul_bytes += count_nul(p, len);
	if (truncated) {
		r->st.truncated++;
		r->st.nul_bytes += r->cut_nul;
	}
}

/*
 * Hand out buf[start..start+len) and consume `used` bytes (len + newline).
 * Inline: every line goes out through it.
 */
static inline void
emit_pending(struct reader *r, struct reader_line *line, size_t len,
    size_t used)
{
	const char *p = r->buf + r->start;
	uint64_t offset = r->off;
	int unterminated = used == len;

	r->start += used;
	r->scan = r->start;
	r->off += used;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	/* every byte of the line was looked at for its end */
	emit(r, line, p, len, offset, r->off, 0, !r->scan_bad);
	line->unterminated = unterminated;
}

/* The overlong line whose first READER_MAX_LINE bytes wait in buf[0..). */
static void
emit_cut(struct reader *r, struct reader_line *line)
{
	r->cutting = 0;
	emit(r, line, r->buf, READER_MAX_LINE, r->cut_off, r->off, 1, 0);
	r->cut_nul = 0;
}

/*
 * A file that fails to read on (a .gz cut short, perhaps still being
 * written) keeps its unfinished last line for the next run, which may
 * find it whole: a line handed out now would be a fragment, and the
 * resume point would fall inside the line.  The message says so.
 */
static void
hold_back(struct reader *r)
{
	uint64_t held;
	size_t len;

	if (r->cutting)
		held = r->off - r->cut_off;
	else if (r->end > r->start)
		held = r->end - r->start;
	else
		return;
	len = strlen(r->failmsg);
	util_err(r->failmsg + len, sizeof r->failmsg - len,
	    "; an unfinished line (%llu bytes) before it is left for the"
	    " next run", (unsigned long long)held);
	r->cutting = 0;
	r->start = r->end = r->scan = 0;
}

/* fd's device and inode; -1 if fstat fails. */
static int
file_identity(int fd, dev_t *dev, ino_t *ino)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return -1;
	*dev = sb.st_dev;
	*ino = sb.st_ino;
	return 0;
}

/* Start reading the file the path names now, or this one again from 0. */
static void
switch_file(struct reader *r, enum follow_event ev)
{
	dev_t dev;
	ino_t ino;
	int fd;

	r->pending_switch = FOLLOW_RETRY;
	r->rotation_seen = 0;
	if (ev == FOLLOW_ROTATED) {
		/* If the new file is not there yet, keep the old one for now. */
		if ((fd = open(r->path, O_RDONLY | O_CLOEXEC)) == -1)
			return;
		if (file_identity(fd, &dev, &ino) == -1) {
			close(fd);
			return;
		}
		close(r->fd);
		r->fd = fd;
		r->dev = dev;
		r->ino = ino;
	} else if (lseek(r->fd, 0, SEEK_SET) == -1)
		return;
	r->raw_off = 0;
	r->off = 0;
	r->lineno = 0;
	r->start = r->end = r->scan = 0;
	r->cutting = 0;
	r->fplen = 0;
	r->last_size = 0;
	/* the new file's first bytes decide its line ends */
	r->eol = EOL_UNDECIDED;
}

/*
 * Do the file's first bytes still read as they did?  After copytruncate
 * and a quick writer the file can be as long as before or longer, so its
 * size alone does not show that it was cut and written anew.
 */
static int
head_changed(struct reader *r)
{
	unsigned char head[READER_FPSIZE];
	ssize_t n;

	if (r->fplen == 0)
		return 0;
	do
		n = pread(r->fd, head, r->fplen, 0);
	while (n < 0 && errno == EINTR);
	return n >= 0 && ((size_t)n < r->fplen ||
	    memcmp(head, r->fp, r->fplen) != 0);
}

/* At the end of a followed file: wait a little, watch for changes. */
static enum follow_event
follow_wait(struct reader *r)
{
	struct stat sb;
	int64_t now;

	if (fstat(r->fd, &sb) == 0) {
		/* cut below what was read, shrunk since the last poll, or rewritten */
		if ((uint64_t)sb.st_size < r->raw_off ||
		    (uint64_t)sb.st_size < r->last_size || head_changed(r))
			return FOLLOW_TRUNCATED;
		r->last_size = (uint64_t)sb.st_size;
		if ((uint64_t)sb.st_size > r->raw_off)
			return FOLLOW_RETRY;
	}
	if (stat(r->path, &sb) == 0 &&
	    (sb.st_ino != r->ino || sb.st_dev != r->dev)) {
		/* Read the old file once more: its writer may have just written. */
		if (r->rotation_seen)
			return FOLLOW_ROTATED;
		r->rotation_seen = 1;
		return FOLLOW_RETRY;
	}
	now = mono_ms();
	if (now - r->idle_since >= r->idle_ms) {
		r->idle_since = now;
		return FOLLOW_IDLE;
	}
	poll(NULL, 0, READER_POLL_MS);
	return FOLLOW_RETRY;
}

/*
 * reader_next for every line but the usual one; apart, so that the usual
 * one does not pay for this one's frame.
 */
__attribute__((noinline))
static int
next_slow(struct reader *r, struct reader_line *line, char *err,
    size_t errlen)
{
	enum follow_event ev;
	const char *nl;
	size_t pending;
	ssize_t n;

	if (r->failed) {
		util_err(err, errlen, "%s", r->failmsg);
		return -1;
	}
	if (r->pending_switch != FOLLOW_RETRY)
		switch_file(r, r->pending_switch);
	for (;;) {
		if (r->end == r->start && !r->cutting && stopping(r))
			return 0;
		if (r->cutting) {
			nl = memchr(r->buf + r->start, '\n', r->end - r->start);
			if (nl != NULL) {
				pending = (size_t)(nl - (r->buf + r->start));
				r->cut_nul += count_nul(r->buf + r->start, pending);
				r->off += pending + 1;
				r->start += pending + 1;
				r->scan = r->start;
				emit_cut(r, line);
				return 1;
			}
			r->cut_nul += count_nul(r->buf + r->start,
			    r->end - r->start);
			r->off += r->end - r->start;
			r->start = r->end = r->scan = READER_MAX_LINE;
		} else {
			/* a line looked at from its start */
			if (r->scan == r->start)
				r->scan_bad = 0;
			nl = line_end(r->avx2, r->buf + r->scan,
			    r->end - r->scan, &r->scan_bad);
			if (nl != NULL) {
				pending = (size_t)(nl - (r->buf + r->start));
				if (pending <= READER_MAX_LINE) {
					emit_pending(r, line, pending,
					    pending + 1);
					return 1;
				}
				/* Too long, but whole in the buffer: cut in place. */
				r->cut_off = r->off;
				r->cut_nul = count_nul(r->buf + r->start +
				    READER_MAX_LINE, pending - READER_MAX_LINE);
				r->off += pending + 1;
				emit(r, line, r->buf + r->start, READER_MAX_LINE,
				    r->cut_off, r->off, 1, 0);
				r->cut_nul = 0;
				r->start += pending + 1;
				r->scan = r->start;
				return 1;
			}
			r->scan = r->end;
			pending = r->end - r->start;
			if (pending > READER_MAX_LINE) {
				/* Keep the head of the line at the front, drop the rest. */
				r->cut_nul = count_nul(r->buf + r->start +
				    READER_MAX_LINE, pending - READER_MAX_LINE);
				recycle(r);
				memmove(r->buf, r->buf + r->start, READER_MAX_LINE);
				r->cutting = 1;
				r->cut_off = r->off;
				r->off += pending;
				r->start = r->end = r->scan = READER_MAX_LINE;
				continue;
			}
		}
		if (stopping(r)) {
			/*
			 * A file's unfinished line is read again, whole, by the
			 * next run; a stream's is handed out as it is.
			 */
			if (r->is_reg)
				return 0;
			n = 0;
		} else
			n = fill(r);
		if (n > 0)
			continue;
		/*
		 * Idle: a short input whose lines end in '\r' alone is
		 * decided on what it holds, not left waiting for 4 KiB.
		 */
		if (n == -2) {
			if (eol_at_end(r))
				continue;
			return 2;
		}
		if (n == 0 && r->follow && r->is_reg && !stopping(r)) {
			ev = follow_wait(r);
			if (ev == FOLLOW_RETRY)
				continue;
			if (ev == FOLLOW_IDLE) {
				if (eol_at_end(r))
					continue;
				return 2;
			}
			/* Finish what the old content left, then switch. */
			if (r->cutting) {
				r->pending_switch = ev;
				emit_cut(r, line);
				return 1;
			}
			if (r->end > r->start) {
				r->pending_switch = ev;
				emit_pending(r, line, r->end - r->start,
				    r->end - r->start);
				return 1;
			}
			switch_file(r, ev);
			continue;
		}
		if (n == 0 && eol_at_end(r))
			continue;
		if (n < 0) {
			r->failed = 1;
			if (r->is_reg)
				hold_back(r);
		}
		if (r->cutting) {
			emit_cut(r, line);
			return 1;
		}
		if (r->end > r->start) {
			emit_pending(r, line, r->end - r->start,
			    r->end - r->start);
			return 1;
		}
		if (n < 0) {
			util_err(err, errlen, "%s", r->failmsg);
			return -1;
		}
		return 0;
	}
}

/*
 * The usual line lies whole in the buffer, with no failure, switch of
 * files or cut pending: it is found and handed out here.  1, or 0 when
 * next_slow is to go on.  avx2: as reader.avx2.
 */
static inline __attribute__((always_inline)) int
next_usual(struct reader *r, struct reader_line *line, int avx2)
{
	const char *nl;
	size_t pending;

	if (r->failed || r->pending_switch != FOLLOW_RETRY || r->cutting)
		return 0;
	if (r->scan == r->start)
		r->scan_bad = 0;
	nl = line_end(avx2, r->buf + r->scan, r->end - r->scan, &r->scan_bad);
	if (nl == NULL) {
		/* as next_slow would leave it: no '\n' up to end */
		r->scan = r->end;
		return 0;
	}
	if ((pending = (size_t)(nl - (r->buf + r->start))) > READER_MAX_LINE)
		return 0;
	emit_pending(r, line, pending, pending + 1);
	return 1;
}

#ifdef READER_X86
/*
 * reader_next where the CPU has AVX2: of a function of that target, so
 * that line_end_avx2 is inlined (it can be only into one) and the usual
 * line costs no call.
 */
__attribute__((target("avx2"), flatten))
static int
next_avx2(struct reader *r, struct reader_line *line, char *err,
    size_t errlen)
{
	if (next_usual(r, line, 1))
		return 1;
	return next_slow(r, line, err, errlen);
}
#endif

/* reader_next without AVX2: apart, so that choosing costs no frame. */
__attribute__((noinline))
static int
next_plain(struct reader *r, struct reader_line *line, char *err,
    size_t errlen)
{
	if (next_usual(r, line, 0))
		return 1;
	return next_slow(r, line, err, errlen);
}

int
reader_next(struct reader *r, struct reader_line *line, char *err,
    size_t errlen)
{
#ifdef READER_X86
	if (r->avx2)
		return next_avx2(r, line, err, errlen);
#endif
	return next_plain(r, line, err, errlen);
}

struct reader *
reader_open(const char *path, int follow, char *err, size_t errlen)
{
	struct reader *r;
	struct stat sb;
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		util_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || S_ISDIR(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode))
			util_err(err, errlen, "%s: is a directory: give the logs"
			    " in it, as in %s/*.log", path, path);
		else
			util_err(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != STDIN_FILENO)
			close(fd);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->fd = fd;
	r->is_stdin = fd == STDIN_FILENO;
	r->is_reg = S_ISREG(sb.st_mode);
	r->follow = follow;
	r->dev = sb.st_dev;
	r->ino = sb.st_ino;
	/* one byte more than it holds: the read that finds its end has room */
	r->cap = READER_BUFSIZE;
	if (r->is_reg && !follow && sb.st_size >= 0 &&
	    (uint64_t)sb.st_size < READER_BUFSIZE)
		r->cap = (size_t)sb.st_size + 1;
	r->buf = xmalloc(r->cap);
	/*
	 * A pipe holds 64 KiB by default: its writer (cat, docker logs)
	 * blocks and is woken for every 64 KiB this side takes.  A larger
	 * one, where the system allows it, lets both run a block at a time.
	 */
	if (S_ISFIFO(sb.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, READER_PIPE);
	r->idle_ms = 250;
	r->idle_since = mono_ms();
	r->avx2 = util_has_avx2();
	/* A file's first bytes are its identity for resume: read them now. */
	while (r->is_reg && !r->is_stdin && r->fplen < READER_FPSIZE) {
		if ((n = fill(r)) == 0 || (n < 0 && r->fplen > 0))
			break;
		if (n < 0) {
			util_err(err, errlen, "%s", r->failmsg);
			reader_close(r);
			return NULL;
		}
	}
	return r;
}

struct reader *
reader_open_memory(const char *data, size_t len)
{
	struct reader *r;

	r = xcalloc(1, sizeof *r);
	r->path = xstrdup("(memory)");
	r->fd = -1;
	r->mem = data;
	r->memlen = len;
	r->detected = 1;
	r->cap = READER_BUFSIZE;
	r->buf = xmalloc(r->cap);
	r->idle_ms = 250;
	r->idle_since = mono_ms();
	r->avx2 = util_has_avx2();
	return r;
}

double
reader_ahead_cpu(const struct reader *r)
{
	clockid_t clock;
	struct timespec ts;
	double cpu = r->ahead_cpu;

	if (r->ahead != NULL &&
	    pthread_getcpuclockid(r->ahead->thread, &clock) == 0 &&
	    clock_gettime(clock, &ts) == 0)
		cpu += (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return cpu;
}

void
reader_close(struct reader *r)
{
	if (r == NULL)
		return;
	if (r->ahead != NULL)
		ahead_end(r, 1);
	if (r->gz)
		inflateEnd(&r->zs);
	free(r->buf);
	if (!r->is_stdin && r->fd != -1)
		close(r->fd);
	free(r->zin);
	free(r->path);
	free(r);
}

int
reader_skip_to(struct reader *r, uint64_t offset, uint64_t lineno, char *err,
    size_t errlen)
{
	struct stat sb;
	ssize_t n;

	if (r->cutting || offset < r->off) {
		util_err(err, errlen, "%s: cannot skip back to offset %llu",
		    r->path, (unsigned long long)offset);
		return -1;
	}
	if (offset - r->off > r->end - r->start && r->detected && !r->gz &&
	    r->is_reg) {
		if (fstat(r->fd, &sb) == -1 || (uint64_t)sb.st_size < offset) {
			util_err(err, errlen, "%s: shorter than the resume "
			    "offset %llu", r->path, (unsigned long long)offset);
			return -1;
		}
		if (lseek(r->fd, (off_t)offset, SEEK_SET) == -1) {
			util_err(err, errlen, "%s: %s", r->path,
			    strerror(errno));
			return -1;
		}
		r->raw_off = offset;
		r->off = offset;
		r->start = r->end = r->scan = 0;
	}
	/* Compressed input and streams can only be read through. */
	while (offset - r->off > r->end - r->start) {
		r->off += r->end - r->start;
		r->start = r->end = r->scan = 0;
		n = fill(r);
		if (n == -2)
			continue;
		if (n < 0) {
			r->failed = 1;
			util_err(err, errlen, "%s", r->failmsg);
			return -1;
		}
		if (n == 0) {
			util_err(err, errlen, "%s: ended before the resume "
			    "offset %llu", r->path, (unsigned long long)offset);
			return -1;
		}
	}
	r->start += (size_t)(offset - r->off);
	r->scan = r->start;
	r->off = offset;
	r->lineno = lineno;
	return 0;
}

void
reader_set_recycle(struct reader *r, void (*fn)(void *), void *arg)
{
	r->recycle = fn;
	r->recycle_arg = arg;
}

void
reader_set_idle_ms(struct reader *r, int ms)
{
	r->idle_ms = ms > 0 ? ms : 1;
	r->report_idle = 1;
}

void
reader_stop(struct reader *r)
{
	r->stop = 1;
}

void
reader_set_stop_flag(struct reader *r, volatile sig_atomic_t *flag)
{
	r->stop_flag = flag;
}

const struct reader_stats *
reader_stats(const struct reader *r)
{
	return &r->st;
}

uint64_t
reader_fingerprint(const struct reader *r)
{
	if (!r->is_reg)
		return 0;
	return util_hash64(r->fp, r->fplen, UTIL_HASH_SEED);
}

int
reader_is_stdin(const struct reader *r)
{
	return r->is_stdin;
}

int
reader_is_regular(const struct reader *r)
{
	return r->is_reg;
}

int
reader_is_gzip(const struct reader *r)
{
	return r->gz;
}
