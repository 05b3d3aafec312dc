/*
 * level.h - read a record's logging level from the words around its start:
 * Python logging ("ERROR name: msg", "ERROR:name:msg"), "[error]", bare
 * "ERROR"/"CRITICAL"/"FATAL", logrus "ERRO[0003]", "level=error", and the
 * lines that are failures whatever their level (a Python traceback,
 * "panic:", an uncaught exception line).  Maps level words to the rule
 * severities.  No regex: a few byte compares per record, so ingest can read
 * the level of every record where it reads the envelope.
 */
#ifndef LOGTRIAGE_LEVEL_H
#define LOGTRIAGE_LEVEL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

#define LEVEL_NONE	(-1)	/* no level could be read */
#define LEVEL_TRACEBACK	"Traceback (most recent call last):"
#define LEVEL_JAVA_UNCAUGHT	"Exception in thread \""

/*
 * A failure a runtime prints past any logger, at the start of a line:
 * Go's "panic:" or "fatal error:" (LEVEL_RUNTIME_PANIC: the unindented
 * lines after it, its goroutines' stacks, are its record's), Rust's
 * "thread 'main' panicked at", C++'s "terminate called ...", CPython's
 * "Fatal Python error:", V8's "FATAL ERROR:" (Node) or a shell's
 * "Segmentation fault" (LEVEL_RUNTIME_FATAL: the process died),
 * Java's uncaught exception ("Exception in thread \"main\" ..."), the
 * docker client's "Error response from daemon: ..." or Go's net/http
 * server's "http: panic serving ..." (a handler's panic it recovered) and
 * "http: Accept error: ..." (LEVEL_RUNTIME_ERROR: an error), a shell's
 * "sh: 1: curl: not found", "bash: line 3: x: command not found" or
 * "zsh: command not found: x" (an error), a container's entrypoint that runc could not start ("exec
 * /entrypoint.sh: exec format error", "... no such file or directory":
 * LEVEL_RUNTIME_FATAL), Python
 * logging's "--- Logging error ---" (LEVEL_RUNTIME_BLOCK: an error, a
 * record its handler failed to write, whose traceback, "Call stack:",
 * "Message: ..." and "Arguments: ..." lines after it are its record's).
 * Inline:
 * multiline asks of every unstamped line and level_of_failure_line of
 * every record, and the first byte answers for nearly all.
 */
#define LEVEL_RUST_PANIC	"' panicked at "
#define LEVEL_LOGGING_ERROR	"--- Logging error ---"

enum level_runtime {
	LEVEL_RUNTIME_NONE, LEVEL_RUNTIME_PANIC, LEVEL_RUNTIME_FATAL,
	LEVEL_RUNTIME_ERROR, LEVEL_RUNTIME_BLOCK
};

/* level_runtime's shell and exec failures, apart: few lines get there. */
int level_shell_failed(const char *p, size_t n);
int level_exec_failed(const char *p, size_t n);

/*
 * A warning a runtime prints past any logger: Node's "(node:1) [DEP0040]
 * DeprecationWarning: msg" and Python's warnings module's "/app/x.py:12:
 * UserWarning: msg".  SEV_WARNING and in *body where its category starts,
 * or LEVEL_NONE.
 */
int level_runtime_warning(const char *p, size_t n, size_t *body);

/* Whether the unindented lines after a failure of kind k are its record's. */
static inline int
level_runtime_owns_lines(enum level_runtime k)
{
	return k == LEVEL_RUNTIME_PANIC || k == LEVEL_RUNTIME_BLOCK;
}

static inline enum level_runtime
level_runtime(const char *p, size_t n)
{
	switch (n > 0 ? p[0] : 0) {
	case 'p':
		if (UTIL_STARTS_WITH(p, n, "panic:"))
			return LEVEL_RUNTIME_PANIC;
		break;
	case 'f':
		if (UTIL_STARTS_WITH(p, n, "fatal error: "))
			return LEVEL_RUNTIME_PANIC;
		break;
	case 'E':
		if (UTIL_STARTS_WITH(p, n, LEVEL_JAVA_UNCAUGHT) ||
		    UTIL_STARTS_WITH(p, n, "Error response from daemon: "))
			return LEVEL_RUNTIME_ERROR;
		break;
	case '-':
		if (UTIL_STARTS_WITH(p, n, LEVEL_LOGGING_ERROR))
			return LEVEL_RUNTIME_BLOCK;
		break;
	case 'h':
		if (UTIL_STARTS_WITH(p, n, "http: panic serving ") ||
		    UTIL_STARTS_WITH(p, n, "http: Accept error: "))
			return LEVEL_RUNTIME_ERROR;
		break;
	case 't':
		if ((UTIL_STARTS_WITH(p, n, "thread '") &&
		    memmem(p + 8, n - 8 < 120 ? n - 8 : 120, LEVEL_RUST_PANIC,
		    sizeof LEVEL_RUST_PANIC - 1) != NULL) ||
		    UTIL_STARTS_WITH(p, n, "terminate called "))
			return LEVEL_RUNTIME_FATAL;
		break;
	case 'F':
		if (UTIL_STARTS_WITH(p, n, "Fatal Python error: ") ||
		    UTIL_STARTS_WITH(p, n, "FATAL ERROR: "))
			return LEVEL_RUNTIME_FATAL;
		break;
	case 'S':
		if (UTIL_STARTS_WITH(p, n, "Segmentation fault"))
			return LEVEL_RUNTIME_FATAL;
		break;
	case 'e':
		/* nearly every record is asked: the prefix first */
		if (UTIL_STARTS_WITH(p, n, "exec ") && level_exec_failed(p, n))
			return LEVEL_RUNTIME_FATAL;
		break;
	case '/': case 'a': case 'b': case 'd': case 'k': case 's': case 'z':
		if (n > 12 && (p[n - 1] == 'd' || p[0] == 'z') &&
		    level_shell_failed(p, n))
			return LEVEL_RUNTIME_ERROR;
		if (p[0] == 's' && n > 30 && p[1] == 't' && level_exec_failed(p, n))
			return LEVEL_RUNTIME_FATAL;
		break;
	}
	return LEVEL_RUNTIME_NONE;
}

/* The severity named by p[0..n) ("ERROR", "WARN", "ERRO", ...): upper case only, or any case when icase; LEVEL_NONE if none. */
int level_of_word(const char *p, size_t n, int icase);

/*
 * The level of a line p[0..n) that starts after its timestamp, and in
 * *body where the message after the level starts (0 for level=...).
 * Looks at the first four words, level=... and a JSON line's level
 * (level_of_json).  LEVEL_NONE when there is none:
 * "error_count=3" or "no errors" are not levels.
 */
int level_of_line(const char *p, size_t n, size_t *body);

/*
 * The level a JSON log line p[0..n) states ({"level":"error",...}: the
 * key level, severity, lvl, log.level or levelname, a level word in any
 * case or Bunyan's and pino's 10 to 60; else MongoDB's one-letter s), or
 * LEVEL_NONE.  Only a line that starts with '{' is looked at, its first
 * 1 KiB.
 */
int level_of_json(const char *p, size_t n);

/*
 * The level of a klog or glog line (Go: "E1025 23:00:00.123456 1
 * file.go:114] msg"), whose stamp starts with it, and in *body where its
 * message starts (0 if not found); LEVEL_NONE for any other line.
 */
int level_of_klog(const char *p, size_t n, size_t *body);

/*
 * A syslog priority opening p, "<3>", as syslog(3) sends it, a program
 * run by systemd marks its lines with it (sd-daemon's prefixes) and a
 * kernel ring buffer shows it: its severity (the value's low three bits)
 * as a level, and the bytes of the priority in *len; LEVEL_NONE when p
 * does not open with one.
 */
int level_of_priority(const char *p, size_t n, size_t *len);

/*
 * Where a stamp after a level word opening p would start: Django's
 * "ERROR 2025-10-25 ...", Cassandra's "INFO  [main] 2025-10-25 ..."
 * (blanks and a thread between), or after a syslog priority ("<3>2025-...",
 * "<3>1 2025-...", "<3>Oct 25 ..."), with that level in *sev; 0 when p
 * does not start so.
 */
size_t level_lead_stamp(const char *p, size_t n, int *sev);

/*
 * The level of a redis line ("1:M 25 Oct 2025 23:00:00.123 # msg") whose
 * stamp ends k bytes in: the mark after it, '#' a warning (redis has
 * nothing worse), '*' a notice, '-' and '.' below.  *body is where its
 * message starts.  LEVEL_NONE for any other line.
 */
int level_of_redis(const char *p, size_t n, size_t k, size_t *body);

/*
 * The level of a .NET console logger's first line ("fail: Category[13]",
 * its message on the indented lines after): fail, crit, warn, info, dbug
 * or trce, a colon, a blank and a name with its event id in brackets;
 * LEVEL_NONE for any other line.
 */
int level_of_dotnet(const char *p, size_t n);

/*
 * The level word a line began with (up to seven letters and the byte
 * that ended it), as level_of_line_cached last found it: the lines of a
 * log mostly start with the same word, and one that starts with those
 * bytes again has the same level without the word being looked up.
 * Caller-owned, one per stream of lines; it must start zeroed.  The
 * fields are level.c's business.
 */
struct level_cache {
	uint64_t	key;		/* the word and the byte after it */
	uint64_t	mask;		/* the key's bytes; 0: none */
	size_t		after;		/* where the blanks before the message start */
	int		sev;
};

/* level_of_line, the same answer, through c. */
int level_of_line_cached(struct level_cache *c, const char *p, size_t n,
    size_t *body);

/*
 * The level of a record's first line p[0..n), whose stamp ends at k (0:
 * it has none): klog's letter or redis's mark, which are read with the
 * stamp, else level_of_line's after it (through c unless NULL).  *body is
 * where the message starts in p.
 */
int level_of_stamped(struct level_cache *c, const char *p, size_t n,
    size_t k, size_t *body);

/* Is p[0..n) an uncaught exception line, "ValueError: ..." or "java.io.IOException: ..."? */
int level_exception_line(const char *p, size_t n);

/*
 * The level of a line that states none but is a failure: CRITICAL for
 * "panic:", ERROR for a traceback header, Java's uncaught exception
 * (Exception in thread "main" ...) or an exception line; else
 * LEVEL_NONE.  p[0..n) may run on past the line's newline, to the end of
 * its record, with the same answer: none of these spans a newline (an
 * exception name is made of name bytes), so a caller need not look for
 * the line's end first.
 */
int level_of_failure_line(const char *p, size_t n);

/*
 * The logger name at the start of a message body ("tools.smart_file_query:
 * msg", "root:msg"): a word of letters, digits, '.', '_' and '-' right
 * before a ':', holding a '.' or '_' or starting in lower case (so "Failed:"
 * is not one), or a dotted name before a bracketed request context
 * ("nova.compute.manager [req-ID - - - - -] msg", oslo.log's), or such a
 * word before a '|' (NLog's "App.Worker|msg").  Returns its
 * length and sets *msg to where the message after it starts, or returns 0.
 */
size_t level_logger(const char *p, size_t n, size_t *msg);

/*
 * Where the message starts after a request context that follows a logger
 * name ending at p[len]: " [...] msg", as OpenStack's oslo.log writes
 * "nova.compute.manager [req-ID USER PROJECT - - -] msg" (or "[-]"
 * outside a request) and log4j's "%c [%t]" a thread.  0 when p[len] does
 * not open one.  The context changes from request to request, so it is
 * neither the logger's nor the message's.
 */
size_t level_context_end(const char *p, size_t n, size_t len);

#endif
