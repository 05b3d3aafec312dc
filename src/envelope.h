/*
 * envelope.h - recognise and strip the transport around one physical line:
 * docker json-file, `docker logs -t`, `docker compose logs` prefixes, the
 * Docker Desktop copy prefix, dockerd/containerd logfmt and logrus text,
 * journald JSON, syslog text (rsyslog's files, journalctl's own output),
 * or plain.  Yields the inner message with its envelope time,
 * source and stream.  Knows nothing about rules, records or SQL.
 */
#ifndef LOGTRIAGE_ENVELOPE_H
#define LOGTRIAGE_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/* A new envelope: a value here, a row and its parser in envelope.c's table. */
enum envelope_format {
	ENVELOPE_AUTO = 0,	/* detect per line */
	ENVELOPE_PLAIN,
	ENVELOPE_DOCKER_JSON,	/* {"log":...,"stream":...,"time":...} */
	ENVELOPE_DOCKER_TS,	/* docker logs -t: RFC 3339 prefix */
	ENVELOPE_COMPOSE,	/* "name  | " prefix, optionally followed by -t stamp */
	ENVELOPE_DESKTOP,	/* "YYYY-MM-DD HH:MM:SS.mmm | " */
	ENVELOPE_LOGFMT,	/* time="..." level=... msg="..." and INFO[0000] ... */
	ENVELOPE_JOURNALD,	/* journalctl -o json */
	ENVELOPE_SYSLOG,	/* "Nov  2 00:29:08 host ident[pid]: ", RFC 5424 */
	ENVELOPE_FORMAT_COUNT
};

enum envelope_stream {
	STREAM_UNKNOWN = 0,
	STREAM_STDOUT = 1,
	STREAM_STDERR = 2
};

struct envelope_line {
	enum envelope_format	 format;	/* what was recognised */
	int64_t			 ts;		/* envelope stamp (UTC ms) or TS_NONE */
	/*
	 * The envelope stamp had no zone of its own and was read in the
	 * envelope's tz (a Docker Desktop copy, syslog's "Nov  2 00:29:08").
	 */
	int			 naive;
	/*
	 * The envelope stamp names no year (syslog's "Nov  2 00:29:08"):
	 * ts holds the envelope's guess, which the input's other stamps
	 * may correct (timeparse_year_near).
	 */
	int			 yearless;
	const char		*source;	/* container/unit name, or NULL */
	size_t			 source_len;
	/*
	 * What source names, as the store's sources.kind ("compose",
	 * "journald"): a static string, set exactly when source is.  Each
	 * line carries its own: one input may mix envelopes.
	 */
	const char		*source_kind;
	/*
	 * Nonzero when the envelope knew source from lines before (a compose
	 * prefix it remembers): while the envelope lives, the lines with one
	 * number name one source.  0 otherwise.
	 */
	uint64_t		 source_id;
	enum envelope_stream	 stream;
	const char		*level;		/* level the envelope states (logfmt, journald), or NULL */
	size_t			 level_len;
	/*
	 * level holds only when the message states none: a syslog line's
	 * priority, which Docker's syslog driver sets from the stream (3 for
	 * stderr, 6 for stdout), not from what the program logged.
	 */
	int			 level_fallback;
	const char		*msg;		/* the inner text, unescaped, without its '\n' */
	size_t			 msg_len;
	int			 partial;	/* json-file record without trailing '\n': more of this line follows */
	int			 malformed;	/* looked like an envelope but was broken: msg is the raw line */
	/*
	 * What tail (or head) given several files wrote: 0 for most lines,
	 * else ENVELOPE_TAIL_* bits.  After a heading, the lines that name
	 * no source of their own are its file's (kind "file").
	 */
	int			 tail;
	/*
	 * Whether msg opens with a word of capitals, a blank and no digit
	 * or '[' (util_capital_word: a level's word and a logger's name),
	 * which no stamp does: read once here, for the plain lines it
	 * takes at once, and for the records' reader.
	 */
	int			 capital;
};

/* "==> app.log <==": the line names a file, and is in no record. */
#define ENVELOPE_TAIL_HEADING	1
/*
 * An empty line after a heading: tail writes one before each heading
 * but the first.  It waits for the line after it, which says whether it
 * was tail's (a heading, which drops it) or the file's (see below).
 */
#define ENVELOPE_TAIL_HOLD	2
/* The empty line held before this one was the file's: it comes first. */
#define ENVELOPE_TAIL_UNHOLD	4

struct envelope;

/* forced = ENVELOPE_AUTO detects per line.  tz applies to naive envelope stamps (NULL = UTC). */
struct envelope *envelope_new(enum envelope_format forced, const struct tz *tz);
void envelope_free(struct envelope *e);

/*
 * Decode one physical line.  Pointers in *out point into line or into the
 * envelope's scratch space, valid until the next envelope_decode.  Never
 * fails: an unrecognised or broken line comes back as plain text (with
 * malformed set when it was a broken envelope).
 */
void envelope_decode(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out);
/*
 * envelope_decode for a line known to hold ASCII bytes only and no NUL
 * or ESC (reader_line.ascii): the same result, without looking for them.
 */
void envelope_decode_ascii(struct envelope *e, const char *line, size_t len,
    struct envelope_line *out);

/*
 * Whether an empty line is held (ENVELOPE_TAIL_HOLD) at the end of the
 * input; envelope_blank fills *out with it, the file's plain line (for
 * ENVELOPE_TAIL_UNHOLD too), its pointers valid while the envelope lives.
 */
int envelope_held_blank(const struct envelope *e);
void envelope_blank(const struct envelope *e, struct envelope_line *out);

struct buf;

/*
 * The text of a JSON string p[0..n), its closing quote at p[n] (as
 * jsonline_string gives it), unescaped into dst as the json-file decoder
 * unescapes a log line.  0, or -1 for a bad escape (dst then holds part).
 */
int envelope_json_text(struct buf *dst, const char *p, size_t n);

/*
 * The header of a syslog line after its stamp, at p[0..n): the host, a
 * blank, the program's name with its process id in brackets or without, a
 * colon and a blank ("host exai-mcp[1234]: ").  Sets *tag and *tag_len to
 * the program's name and returns the bytes up to the message, or 0.
 */
size_t envelope_syslog_header(const char *p, size_t n, const char **tag,
    size_t *tag_len);

/* "auto", "plain", "docker-json", ... ; returns -1 for an unknown name. */
int envelope_format_from_name(const char *name);
const char *envelope_format_name(enum envelope_format f);

#endif
