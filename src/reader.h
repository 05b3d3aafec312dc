/*
 * reader.h - bytes in, physical lines out.  Reads a file, a gzip file, a
 * file descriptor or text held in memory in large blocks, splits on '\n' (a trailing '\r' is
 * dropped), cuts lines longer than READER_MAX_LINE and counts the cut, and
 * in follow mode waits for more data across truncation and rotation.  A
 * long gzip file is decompressed ahead on a thread of the reader's own.
 * Knows nothing about envelopes, formats or rules.
 */
#ifndef LOGTRIAGE_READER_H
#define LOGTRIAGE_READER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define READER_MAX_LINE (1024 * 1024)
/*
 * An input whose first READER_EOL_DECIDE bytes (all it holds, if it ends
 * or goes idle before) hold no '\n' but a '\r' ends its lines with '\r'
 * alone (classic Mac OS, some devices); they are handed out as
 * '\n'-lines are.
 */
#define READER_EOL_DECIDE 4096

struct reader_line {
	const char	*p;		/* valid until the next reader_next (see reader_set_recycle) */
	size_t		 len;		/* without '\n' (and '\r') */
	uint64_t	 lineno;	/* 1-based physical line number */
	uint64_t	 offset;	/* byte offset of the line's start (decompressed) */
	uint64_t	 end_offset;	/* byte offset just past its '\n' */
	int		 truncated;	/* the line was longer than READER_MAX_LINE */
	int		 unterminated;	/* the input ended before its '\n' */
	/* every byte is ASCII, none NUL or ESC (never when truncated) */
	int		 ascii;
};

struct reader_stats {
	uint64_t	bytes;
	uint64_t	lines;
	uint64_t	truncated;
	uint64_t	nul_bytes;	/* NUL bytes seen (they are kept in the line) */
	int		utf16;		/* it opened with UTF-16's byte order mark */
};

struct reader;

/*
 * Open path ("-" is standard input).  Gzip is detected by its magic bytes.
 * follow: at EOF, wait for more (files: reopen on rotation, restart on
 * truncation; stdin: until EOF).  Returns NULL with err on failure.
 */
struct reader *reader_open(const char *path, int follow, char *err, size_t errlen);
/*
 * Read the len bytes at data (not copied: they must outlive the reader)
 * as an input is read: the same splitting, cut of overlong lines and
 * counters.  Never gzip, never followed.
 */
struct reader *reader_open_memory(const char *data, size_t len);
void reader_close(struct reader *r);
/* CPU seconds the reader's own decompression thread has spent, 0 without one. */
double reader_ahead_cpu(const struct reader *r);

/*
 * Next line: returns 1 and fills *line, 0 at end of input, -1 on a read
 * error (err filled).  A last line without '\n' is returned as a line,
 * but not that of a regular file that fails to read on (a .gz cut short):
 * that one is left for the next run, which may find it whole.
 * In follow mode, and from a stream once reader_set_idle_ms was called,
 * returns 2 when no data arrived for idle_ms (so the caller can commit);
 * in follow mode 0 only when stopped or stdin ended.
 */
int reader_next(struct reader *r, struct reader_line *line, char *err, size_t errlen);

/* Skip to a decompressed byte offset at a line start (resume), counting lines. */
int reader_skip_to(struct reader *r, uint64_t offset, uint64_t lineno, char *err, size_t errlen);

/*
 * fn(arg) runs before the reader writes over or gives up the memory of
 * lines it handed out (to read more input, or to keep an overlong line's
 * head); until it runs, every line handed out stays valid, past the next
 * reader_next.  A caller that keeps pointers into lines copies them then.
 */
void reader_set_recycle(struct reader *r, void (*fn)(void *), void *arg);

/*
 * How long reader_next waits in follow mode before returning 2 (default
 * 250).  Once it is set, a stream (a pipe, a terminal, a socket) that
 * stays silent that long returns 2 too, followed or not: a pipe from
 * `docker logs -f` may pause for hours, and what came before the pause
 * is what its reader is waiting to see.
 */
void reader_set_idle_ms(struct reader *r, int ms);

/*
 * Ask a reader to finish (safe from a signal handler): reader_next hands
 * out the whole lines it holds, then returns 0, within a tenth of a
 * second even from a silent stream.  The unfinished last line of a
 * regular file is left for the next run to read whole; a stream's is
 * handed out.
 */
void reader_stop(struct reader *r);

/* Stop as reader_stop does once *flag (a signal handler's) is nonzero. */
void reader_set_stop_flag(struct reader *r, volatile sig_atomic_t *flag);

const struct reader_stats *reader_stats(const struct reader *r);

/*
 * An identity for resume: a hash of the first up-to-4096 bytes of a
 * regular file (0 for any other input).
 */
uint64_t reader_fingerprint(const struct reader *r);
int reader_is_stdin(const struct reader *r);
/* Is the input a regular file (standard input redirected from one too)? */
int reader_is_regular(const struct reader *r);
/* Is the input gzip (a file that will not grow)? */
int reader_is_gzip(const struct reader *r);

#endif
