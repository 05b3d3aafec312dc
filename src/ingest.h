/*
 * ingest.h - the pipeline from an input to the store: reader -> envelope ->
 * multiline -> matcher -> store, with correlation brought up to date before
 * every commit.  One ingest context serves several inputs of one run.
 * Knows nothing about reports or screens; prints nothing.
 */
#ifndef LOGTRIAGE_INGEST_H
#define LOGTRIAGE_INGEST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "store.h"

struct record;
struct ruleset;
struct tz;

struct ingest_opts {
	const char		*source;	/* --source: every record's source, or NULL */
	enum envelope_format	 format;	/* --format, ENVELOPE_AUTO to detect */
	const struct tz		*tz;		/* --tz for naive stamps (NULL = UTC) */
	int			 tz_auto;	/* --tz auto (tz NULL): see multiline_set_tz_auto */
	int			 follow;	/* --follow */
	int			 no_resume;	/* read files from the start even if seen before */
	int			 final;		/* --final: files will not grow; store an unfinished last record */
	int			 commit_ms;	/* commit at least this often while following (default 1000) */
	/* records kept before an event of a stream; 0: no context at all */
	int			 context_lines;
	volatile sig_atomic_t	*stop;		/* set by a signal handler: finish cleanly */
	/*
	 * Called with every record after the rules saw it, and how many of
	 * the rules with a match pattern matched it (the built-in rules that
	 * take records by level are not counted); NULL for none.
	 */
	void			(*on_record)(void *arg, const struct record *rec,
				    int nmatched);
	void			*on_record_arg;
};

struct ingest;

/* rs and st must outlive the ingest.  Returns NULL with err. */
struct ingest *ingest_new(struct store *st, const struct ruleset *rs,
    const struct ingest_opts *opts, char *err, size_t errlen);
void ingest_free(struct ingest *in);

/*
 * Where the work of the inputs read so far went, in seconds: the writer
 * thread's CPU (the correlation's share of it) and its wait for batches,
 * the reading thread's wait for the writer, the background checkpoints'
 * CPU, the CPU of the threads that decompress long gzip inputs ahead of
 * the reading thread, and that of the writer's thread that compresses a
 * stream's context.  Complete once ingest_input has returned.
 */
struct ingest_times {
	double	write_cpu, correlate_cpu, write_idle, read_blocked;
	double	checkpoint_cpu;
	double	decompress_cpu, compress_cpu;
};
void ingest_times(struct ingest *in, struct ingest_times *t);

/*
 * Ingest one input ("-" for stdin) completely (or until *stop in follow
 * mode).  Fills *counts with this input's figures.  Returns 0, or -1 with
 * err when the input could not be read or the store failed; what was
 * committed before stays committed and a later run completes it.  A read
 * error part way (a cut .gz) first stores every line read before it, with
 * the ingest's status "failed".
 */
int ingest_input(struct ingest *in, const char *path,
    struct store_ingest_counts *counts, char *err, size_t errlen);

/*
 * Ingest text held in memory as if it were an input called name (used by
 * `rules test` scenarios), its lines split and cut by reader.c as a
 * file's are.  Same contract as ingest_input.
 */
int ingest_buffer(struct ingest *in, const char *name, const char *data,
    size_t len, struct store_ingest_counts *counts, char *err, size_t errlen);

/*
 * A source of the last input whose records' own stamps and envelope
 * stamps (docker -t, json-file, a Docker Desktop copy) differ by the same
 * whole number of hours, within 15 minutes, for more than half of the
 * records that had both (of the first ML_CLOCK_SAMPLES).
 */
struct ingest_clock {
	char		*source;
	int32_t		 offset;	/* seconds, own stamp minus envelope stamp */
	uint64_t	 n, total;	/* records at that offset, of those with both */
	int		 own_naive, env_naive;	/* which stamps had no zone */
	int		 fixable;	/* a side is naive: --tz fixes it */
	int32_t		 zone;		/* ... reading the envelope's (when naive,
					   the records' own taken as UTC) or
					   else the records' own in this zone
					   (seconds east) */
};

/*
 * The sources of the input ingest_input or ingest_buffer read last whose
 * clocks disagree, *n of them; valid until the next input.
 */
const struct ingest_clock *ingest_clocks(const struct ingest *in, size_t *n);

/*
 * The most sources one input's lines may name (compose and kubectl
 * prefixes, journald units, file names in front of lines or in tail's
 * headings): a text table or a shell transcript read as compose lines
 * names one per line, and each name costs its state until the input ends.
 * The records of the names met after these many are stored as one source
 * of the input, its own name (the file's base name, stdin) then
 * " (other sources)", so that nothing is lost and a report says what they
 * are.  A few hundred containers is a large deployment.
 */
#define INGEST_SOURCES_MAX	2048

/*
 * The records of the last input that named a source past
 * INGEST_SOURCES_MAX, and the source they were stored as; NULL when there
 * were none.  Valid until the next input.
 */
struct ingest_overflow {
	char		*source;
	uint64_t	 records;
};
const struct ingest_overflow *ingest_overflow(const struct ingest *in);

/*
 * The source name an input gets when --source is not given and its lines
 * carry none: the container name from config.v2.json beside a docker
 * json-file log, else the file's base name, "stdin" for "-".  Caller frees.
 */
char *ingest_source_for_path(const char *path);

#endif
