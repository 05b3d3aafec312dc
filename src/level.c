/*
 * level.c - logging levels read from the text of a record; see level.h.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "level.h"
#include "jsonline.h"
#include "severity.h"
#include "util.h"

/*
 * Bit (first letter - 'A') is set for the letters a level word starts with:
 * every record asks for up to four of its words, and most of them are
 * turned away by this one test instead of a compare per table entry.
 */
#define LEVEL_FIRST	(1u << ('A' - 'A') | 1u << ('C' - 'A') | \
	1u << ('D' - 'A') | 1u << ('E' - 'A') | 1u << ('F' - 'A') | \
	1u << ('I' - 'A') | 1u << ('L' - 'A') | 1u << ('N' - 'A') | \
	1u << ('P' - 'A') | 1u << ('S' - 'A') | 1u << ('T' - 'A') | \
	1u << ('V' - 'A') | 1u << ('W' - 'A'))

/*
 * The level words, their bytes packed as memcpy would lay them out in a
 * uint64_t: every record asks for a word or more, and one compare per
 * word of its length decides (a word asked for in any case is folded to
 * capitals first).
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LW_B(c, i)	((uint64_t)(unsigned char)(c) << (8 * (i)))
#else
#define LW_B(c, i)	((uint64_t)(unsigned char)(c) << (56 - 8 * (i)))
#endif
#define LW3(a, b, c)		(LW_B(a, 0) | LW_B(b, 1) | LW_B(c, 2))
#define LW4(a, b, c, d)		(LW3(a, b, c) | LW_B(d, 3))
#define LW5(a, b, c, d, e)	(LW4(a, b, c, d) | LW_B(e, 4))
#define LW6(a, b, c, d, e, f)	(LW5(a, b, c, d, e) | LW_B(f, 5))

/* the words logs use most come first */
static const struct {
	uint64_t	 word;
	unsigned char	 len;
	signed char	 sev;
} level_packed[] = {
	{ LW4('I', 'N', 'F', 'O'), 4, SEV_INFO },
	{ LW6('W', 'A', 'R', 'N', 'I', 'N') | LW_B('G', 6), 7, SEV_WARNING },
	{ LW5('E', 'R', 'R', 'O', 'R'), 5, SEV_ERROR },
	{ LW5('D', 'E', 'B', 'U', 'G'), 5, SEV_DEBUG },
	{ LW4('W', 'A', 'R', 'N'), 4, SEV_WARNING },
	{ LW3('D', 'B', 'G'), 3, SEV_DEBUG }, { LW3('I', 'N', 'F'), 3, SEV_INFO },
	{ LW3('W', 'R', 'N'), 3, SEV_WARNING }, { LW3('E', 'R', 'R'), 3, SEV_ERROR },
	/* Serilog's three letters for Fatal and Verbose */
	{ LW3('F', 'T', 'L'), 3, SEV_CRITICAL }, { LW3('V', 'R', 'B'), 3, SEV_DEBUG },
	/* PostgreSQL's "LOG:  database system is ready" */
	{ LW3('L', 'O', 'G'), 3, SEV_INFO },
	{ LW4('D', 'E', 'B', 'U'), 4, SEV_DEBUG },
	{ LW4('E', 'R', 'R', 'O'), 4, SEV_ERROR },
	{ LW4('C', 'R', 'I', 'T'), 4, SEV_CRITICAL },
	{ LW4('F', 'A', 'T', 'A'), 4, SEV_CRITICAL },
	{ LW4('P', 'A', 'N', 'I'), 4, SEV_CRITICAL },
	{ LW5('T', 'R', 'A', 'C', 'E'), 5, SEV_DEBUG },
	{ LW5('F', 'A', 'T', 'A', 'L'), 5, SEV_CRITICAL },
	{ LW5('P', 'A', 'N', 'I', 'C'), 5, SEV_CRITICAL },
	{ LW5('E', 'M', 'E', 'R', 'G'), 5, SEV_CRITICAL },
	{ LW5('A', 'L', 'E', 'R', 'T'), 5, SEV_CRITICAL },
	{ LW6('N', 'O', 'T', 'I', 'C', 'E'), 6, SEV_NOTICE },
	{ LW6('S', 'E', 'V', 'E', 'R', 'E'), 6, SEV_ERROR },
	{ LW6('C', 'R', 'I', 'T', 'I', 'C') | LW_B('A', 6) | LW_B('L', 7), 8,
	    SEV_CRITICAL },
	/* Blue Gene/L's worst */
	{ LW6('F', 'A', 'I', 'L', 'U', 'R') | LW_B('E', 6), 7, SEV_CRITICAL },
	/* loguru's level between INFO and WARNING */
	{ LW6('S', 'U', 'C', 'C', 'E', 'S') | LW_B('S', 6), 7, SEV_NOTICE }
};

/* c in capitals when case does not count (level words are ASCII letters) */
static inline unsigned
level_fold(unsigned char c, int icase)
{
	return icase && c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

int
level_of_word(const char *p, size_t n, int icase)
{
	size_t i;
	unsigned c;
	uint64_t w = 0;

	/* .NET's and Serilog's "Information", ClickHouse's "<Information>" */
	if (n == 11) {
		for (i = 0; i < n; i++)
			if (level_fold((unsigned char)p[i], icase) !=
			    (unsigned char)"INFORMATION"[i])
				return LEVEL_NONE;
		return SEV_INFO;
	}
	if (n < 3 || n > 8)
		return LEVEL_NONE;
	c = level_fold((unsigned char)p[0], icase);
	if (c < 'A' || c > 'Z' || !(LEVEL_FIRST >> (c - 'A') & 1))
		return LEVEL_NONE;
	for (i = 0; i < n; i++)
		w |= LW_B(level_fold((unsigned char)p[i], icase), i);
	for (i = 0; i < UTIL_ARRAY_LEN(level_packed); i++) {
		if (level_packed[i].word == w && level_packed[i].len == n)
			return level_packed[i].sev;
	}
	return LEVEL_NONE;
}

/* Byte classes of the scans below: one table load per byte. */
#define LC_ALPHA	1	/* A-Z, a-z */
#define LC_IDENT	2	/* what an exception name is made of after its first byte */
#define LC_BLANK	4	/* ' ', '\t' */

static const unsigned char level_class[256] = {
	['\t'] = LC_BLANK, [' '] = LC_BLANK,
	['.'] = LC_IDENT, ['_'] = LC_IDENT,
	['0'] = LC_IDENT, ['1'] = LC_IDENT, ['2'] = LC_IDENT, ['3'] = LC_IDENT,
	['4'] = LC_IDENT, ['5'] = LC_IDENT, ['6'] = LC_IDENT, ['7'] = LC_IDENT,
	['8'] = LC_IDENT, ['9'] = LC_IDENT,
#define LC_AZ(c)	[c] = LC_ALPHA | LC_IDENT, [c + 32] = LC_ALPHA | LC_IDENT
	LC_AZ('A'), LC_AZ('B'), LC_AZ('C'), LC_AZ('D'), LC_AZ('E'), LC_AZ('F'),
	LC_AZ('G'), LC_AZ('H'), LC_AZ('I'), LC_AZ('J'), LC_AZ('K'), LC_AZ('L'),
	LC_AZ('M'), LC_AZ('N'), LC_AZ('O'), LC_AZ('P'), LC_AZ('Q'), LC_AZ('R'),
	LC_AZ('S'), LC_AZ('T'), LC_AZ('U'), LC_AZ('V'), LC_AZ('W'), LC_AZ('X'),
	LC_AZ('Y'), LC_AZ('Z')
#undef LC_AZ
};

static inline int
word_char(unsigned char c)
{
	return level_class[c] & LC_ALPHA;
}

/* Past the ']' that closes the bracket at p[b], nested ones in it; 0 if none. */
static size_t
bracket_end(const char *p, size_t n, size_t b)
{
	size_t i, depth = 0;

	for (i = b; i < n && i < b + 512 && p[i] != '\n'; i++) {
		if (p[i] == '[')
			depth++;
		else if (p[i] == ']' && --depth == 0)
			return i + 1;
	}
	return 0;
}

/*
 * Whether p starts with a dotted class or logger name and the separator
 * after it ("org.x.Y: ", "c.e.App - ", "o.s.App : ").
 */
static int
dotted_name(const char *p, size_t n)
{
	size_t i;
	int dot = 0;

	for (i = 0; i < n && (word_char((unsigned char)p[i]) || p[i] == '.' ||
	    p[i] == '_' || p[i] == '$' || (p[i] >= '0' && p[i] <= '9')); i++)
		dot |= p[i] == '.';
	return dot && i > 0 && i + 2 < n && ((p[i] == ':' && p[i + 1] == ' ') ||
	    (p[i] == ' ' && (p[i + 1] == '-' || p[i + 1] == ':') &&
	    p[i + 2] == ' '));
}

/*
 * Where the message starts after a level that ends at b: past blanks, a
 * ": " that sets the level off (Proxifier's "error : msg"), loguru's
 * "| ", Spring Boot's "1 --- [main] ", a thread in brackets before a
 * logger or a dash, a "- " ("name - ERROR - msg": the dash after the
 * level is no part of the message) or Ruby's Logger's "-- progname: "
 * ("ERROR -- app: msg").  The level cache gives its lines' bodies through
 * it too, so what follows the level word is read here and nowhere else.
 */
static inline size_t
level_body(const char *p, size_t n, size_t b)
{
	const char *q;
	size_t i;

	/* the usual: one blank, then the message */
	if (b + 1 < n && p[b] == ' ' && p[b + 1] != ' ' && p[b + 1] != '\t' &&
	    p[b + 1] != '-' && p[b + 1] != '[' && p[b + 1] != ':' &&
	    !(p[b + 1] >= '0' && p[b + 1] <= '9'))
		return b + 1;
	while (b < n && (p[b] == ' ' || p[b] == '\t'))
		b++;
	if (b + 1 < n && p[b] == ':' && p[b + 1] == ' ')
		b += 2;
	/* loguru: "ERROR    | name:function:line - msg" */
	if (b + 1 < n && p[b] == '|' && p[b + 1] == ' ')
		b += 2;
	/* Spring Boot: "ERROR 1 --- [app] [main] o.s.Class : msg" */
	for (i = b; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i > b && i + 5 < n && memcmp(p + i, " --- ", 5) == 0) {
		b = i + 5;
		while (b < n && p[b] == '[' && (i = bracket_end(p, n, b)) != 0)
			for (b = i; b < n && p[b] == ' '; b++)
				;
	}
	/*
	 * log4j's and ZooKeeper's thread after the level ("INFO [main]
	 * org.x.Y: msg", "INFO  [main:QuorumPeer@1] - msg"); a bracket that
	 * neither a logger nor a dash follows is the message's ("[Errno 111]")
	 */
	if (b < n && p[b] == '[' && (i = bracket_end(p, n, b)) != 0) {
		while (i < n && p[i] == ' ')
			i++;
		if ((i + 1 < n && p[i] == '-' && p[i + 1] == ' ') ||
		    dotted_name(p + i, n - i))
			b = i;
	}
	if (b + 1 < n && p[b] == '-' && p[b + 1] == ' ')
		b += 2;
	else if (b + 2 < n && p[b] == '-' && p[b + 1] == '-' && p[b + 2] == ' ' &&
	    (q = memchr(p + b + 3, ':', n - b - 3)) != NULL &&
	    q + 1 < p + n && q[1] == ' ' &&
	    memchr(p + b + 3, ' ', (size_t)(q - p) - b - 3) == NULL)
		b = (size_t)(q - p) + 1;
	while (b < n && (p[b] == ' ' || p[b] == '\t'))
		b++;
	return b;
}

/* Does p[0..n) end with the string s? */
static int
ends_with(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && memcmp(p + n - k, s, k) == 0;
}

/*
 * (level.h)  "sh: 1: curl: not found", "bash: line 3: x: command not
 * found", "/entrypoint.sh: line 5: ...": a shell, or a script of one,
 * before the first colon; or zsh's own order.
 */
int
level_shell_failed(const char *p, size_t n)
{
	static const char *const shells[] = { "sh", "ash", "bash", "dash",
	    "ksh", "zsh" };
	const char *colon, *base;
	size_t i, len;

	/* zsh names the command last: "zsh: command not found: x", "zsh:1: ..." */
	if (UTIL_STARTS_WITH(p, n, "zsh:")) {
		for (i = 4; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i > 4 && i < n && p[i] == ':')
			i++;
		return UTIL_STARTS_WITH(p + i, n - i, " command not found: ") &&
		    n > i + 20;
	}
	if (!ends_with(p, n, ": not found") &&
	    !ends_with(p, n, ": command not found"))
		return 0;
	if ((colon = memchr(p, ':', n < 128 ? n : 128)) == NULL ||
	    colon + 1 >= p + n || colon[1] != ' ' ||
	    memchr(p, ' ', (size_t)(colon - p)) != NULL)
		return 0;
	for (base = colon; base > p && base[-1] != '/'; base--)
		;
	len = (size_t)(colon - base);
	if (len > 3 && memcmp(colon - 3, ".sh", 3) == 0)
		return 1;
	for (i = 0; i < UTIL_ARRAY_LEN(shells); i++)
		if (strlen(shells[i]) == len && memcmp(base, shells[i], len) == 0)
			return 1;
	return 0;
}

/*
 * (level.h)  runc's words for an entrypoint it could not start, a reason
 * at the end: "exec PATH: exec format error" as Docker prints them, or
 * the older "standard_init_linux.go:228: exec user process caused: ...".
 */
int
level_exec_failed(const char *p, size_t n)
{
	static const char *const reasons[] = { ": no such file or directory",
	    ": exec format error", ": permission denied",
	    ": operation not permitted" };
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(reasons); i++)
		if (ends_with(p, n, reasons[i]))
			break;
	if (i == UTIL_ARRAY_LEN(reasons))
		return 0;
	if (UTIL_STARTS_WITH(p, n, "standard_init_linux.go:"))
		return memmem(p, n, ": exec user process caused: ", 28) != NULL;
	if (!UTIL_STARTS_WITH(p, n, "exec "))
		return 0;
	/* a path or a name, no blank in it */
	for (i = 5; i < n && p[i] != ' ' && p[i] != ':'; i++)
		;
	return i > 5 && i + 1 < n && p[i] == ':' && p[i + 1] == ' ';
}

/*
 * The end of a warning's category at p[i..n) ("DeprecationWarning",
 * "sqlalchemy.exc.SAWarning"), where its ": " follows, or 0.
 */
static size_t
warning_name_end(const char *p, size_t n, size_t i)
{
	size_t j;

	for (j = i; j < n && j < i + 80 && (level_class[(unsigned char)p[j]] &
	    LC_IDENT); j++)
		;
	if (j - i < 7 || j + 1 >= n || p[j] != ':' || p[j + 1] != ' ' ||
	    memcmp(p + j - 7, "Warning", 7) != 0)
		return 0;
	return j;
}

/*
 * (level.h)  Node's "(node:PID) [CODE] NameWarning: msg" and Python's
 * warnings module's "FILE.py:LINE: NameWarning: msg".
 */
int
level_runtime_warning(const char *p, size_t n, size_t *body)
{
	const char *c;
	size_t i, j;

	if (n > 20 && p[0] == '(' && UTIL_STARTS_WITH(p, n, "(node:")) {
		for (i = 6; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == 6 || i + 1 >= n || p[i] != ')' || p[i + 1] != ' ')
			return LEVEL_NONE;
		i += 2;
		if (i < n && p[i] == '[') {
			for (j = i + 1; j < n && j < i + 24 && p[j] != ']' &&
			    p[j] != ' '; j++)
				;
			if (j + 1 >= n || p[j] != ']' || p[j + 1] != ' ')
				return LEVEL_NONE;
			i = j + 2;
		}
		if (warning_name_end(p, n, i) == 0)
			return LEVEL_NONE;
		*body = i;
		return SEV_WARNING;
	}
	/* the file name ends at the first colon: a path with none before */
	if (n < 16 || (c = memchr(p, ':', n < 256 ? n : 256)) == NULL ||
	    c - p < 4 || memcmp(c - 3, ".py", 3) != 0 ||
	    memchr(p, ' ', (size_t)(c - p)) != NULL)
		return LEVEL_NONE;
	for (i = j = (size_t)(c - p) + 1; j < n && p[j] >= '0' && p[j] <= '9';
	    j++)
		;
	if (j == i || j + 2 >= n || p[j] != ':' || p[j + 1] != ' ' ||
	    warning_name_end(p, n, j + 2) == 0)
		return LEVEL_NONE;
	*body = j + 2;
	return SEV_WARNING;
}

/* Bunyan's and pino's numeric levels: 10 trace ... 60 fatal. */
static int
level_of_number(const char *p, size_t n)
{
	static const signed char sev[] = { SEV_DEBUG, SEV_DEBUG, SEV_INFO,
	    SEV_WARNING, SEV_ERROR, SEV_CRITICAL };

	if (n < 2 || p[0] < '1' || p[0] > '6' || p[1] != '0' ||
	    (n > 2 && p[2] >= '0' && p[2] <= '9'))
		return LEVEL_NONE;
	return sev[p[0] - '1'];
}

/* MongoDB's one-letter "s": "F", "E", "W", "I", or "D1" to "D5". */
static int
level_of_mongo(const char *p, size_t n)
{
	static const char *const key[] = { "s", NULL };
	size_t i;

	if ((i = jsonline_value(p, n, key)) == 0 || i + 3 >= n || p[i] != '"')
		return LEVEL_NONE;
	if (p[i + 1] == 'D')
		return p[i + 2] >= '1' && p[i + 2] <= '5' && p[i + 3] == '"' ?
		    SEV_DEBUG : LEVEL_NONE;
	if (p[i + 2] != '"')
		return LEVEL_NONE;
	switch (p[i + 1]) {
	case 'F':
		return SEV_CRITICAL;
	case 'E':
		return SEV_ERROR;
	case 'W':
		return SEV_WARNING;
	case 'I':
		return SEV_INFO;
	}
	return LEVEL_NONE;
}

int
level_of_json(const char *p, size_t n)
{
	/*
	 * Serilog's compact JSON writes "@l", its JsonFormatter "Level";
	 * .NET's JSON console "LogLevel"
	 */
	static const char *const keys[] = { "level", "severity", "lvl",
	    "log.level", "levelname", "@l", "Level", "log_level", "LogLevel",
	    NULL };
	/* CLEF leaves "@l" out for Information: its template says it is CLEF */
	static const char *const clef[] = { "@mt", "@m", NULL };
	size_t i, j;
	int sev;

	if ((i = jsonline_value(p, n, keys)) == 0) {
		if ((sev = level_of_mongo(p, n)) != LEVEL_NONE)
			return sev;
		return jsonline_value(p, n, clef) != 0 ? SEV_INFO : LEVEL_NONE;
	}
	if (p[i] != '"')
		return level_of_number(p + i, n - i);
	for (j = ++i; j < n && word_char((unsigned char)p[j]); j++)
		;
	return j < n && p[j] == '"' ? level_of_word(p + i, j - i, 1) : LEVEL_NONE;
}

int
level_of_dotnet(const char *p, size_t n)
{
	static const struct {
		char	word[5];
		int	sev;
	} words[] = {
		{ "fail", SEV_ERROR }, { "crit", SEV_CRITICAL },
		{ "warn", SEV_WARNING }, { "info", SEV_INFO },
		{ "dbug", SEV_DEBUG }, { "trce", SEV_DEBUG }
	};
	size_t i;

	/* "fail: Name.Space.Category[13]", the bracket on the line */
	if (n < 8 || p[4] != ':' || p[5] != ' ' || !word_char((unsigned char)p[6]))
		return LEVEL_NONE;
	for (i = 7; i < n && i < 160 && p[i] != '[' && p[i] != '\n'; i++)
		;
	if (i == n || p[i] != '[')
		return LEVEL_NONE;
	for (i = 0; i < UTIL_ARRAY_LEN(words); i++) {
		if (memcmp(p, words[i].word, 4) == 0)
			return words[i].sev;
	}
	return LEVEL_NONE;
}

int
level_of_klog(const char *p, size_t n, size_t *body)
{
	size_t i, lim = n < 128 ? n : 128;
	int sev;

	switch (p[0]) {
	case 'I':
		sev = SEV_INFO;
		break;
	case 'W':
		sev = SEV_WARNING;
		break;
	case 'E':
		sev = SEV_ERROR;
		break;
	case 'F':
		sev = SEV_CRITICAL;
		break;
	default:
		return LEVEL_NONE;
	}
	if (n < 9 || p[5] != ' ' || p[8] != ':')
		return LEVEL_NONE;
	for (i = 1; i < 5; i++) {
		if (p[i] < '0' || p[i] > '9')
			return LEVEL_NONE;
	}
	/* the message follows the "file.go:114] " the stamp's thread precedes */
	for (i = 9; i + 1 < lim && !(p[i] == ']' && p[i + 1] == ' '); i++)
		;
	*body = i + 1 < lim ? i + 2 : 0;
	return sev;
}

int
level_of_priority(const char *p, size_t n, size_t *len)
{
	static const int sev[8] = {
		SEV_CRITICAL, SEV_CRITICAL, SEV_CRITICAL, SEV_ERROR,
		SEV_WARNING, SEV_NOTICE, SEV_INFO, SEV_DEBUG
	};
	size_t j;
	int v = 0;

	if (n < 3 || p[0] != '<')
		return LEVEL_NONE;
	for (j = 1; j < n && j < 4 && p[j] >= '0' && p[j] <= '9'; j++)
		v = v * 10 + (p[j] - '0');
	/* RFC 5424: facility 23 (local7) and severity 7 at most */
	if (j == 1 || j >= n || p[j] != '>' || v > 191)
		return LEVEL_NONE;
	*len = j + 1;
	return sev[v & 7];
}

size_t
level_lead_stamp(const char *p, size_t n, int *sev)
{
	size_t j, e, b;

	/*
	 * "<3>2025-10-25T23:00:00Z host app: ...", RFC 5424's "<3>1 2025-...",
	 * RFC 3164's "<3>Oct 25 23:00:00 host app: ..."
	 */
	if (n > 0 && p[0] == '<' && (*sev = level_of_priority(p, n, &j)) !=
	    LEVEL_NONE) {
		if (j + 2 < n && p[j] == '1' && p[j + 1] == ' ')
			j += 2;
		return j < n && ((p[j] >= '0' && p[j] <= '9') ||
		    (p[j] >= 'A' && p[j] <= 'Z')) ? j : 0;
	}
	if (n < 8 || p[0] < 'A' || p[0] > 'Z')
		return 0;
	for (j = 1; j < 9 && j < n && p[j] >= 'A' && p[j] <= 'Z'; j++)
		;
	if (j < 3 || j >= n || p[j] != ' ' ||
	    (*sev = level_of_word(p, j, 0)) == LEVEL_NONE)
		return 0;
	for (e = j; e < n && e < j + 8 && p[e] == ' '; e++)
		;
	if (e < n && p[e] == '[' && (b = bracket_end(p, n, e)) != 0)
		for (e = b; e < n && p[e] == ' '; e++)
			;
	return e < n && p[e] >= '0' && p[e] <= '9' ? e : 0;
}

int
level_of_redis(const char *p, size_t n, size_t k, size_t *body)
{
	size_t i;

	for (i = 0; i < n && i < 8 && p[i] >= '0' && p[i] <= '9'; i++)
		;
	/* the role after the pid: X sentinel, C child, S replica, M master */
	if (i == 0 || i + 3 > k || p[i] != ':' || p[i + 2] != ' ' ||
	    (p[i + 1] != 'X' && p[i + 1] != 'C' && p[i + 1] != 'S' &&
	    p[i + 1] != 'M') || k + 2 > n || p[k + 1] != ' ')
		return LEVEL_NONE;
	*body = k + 2;
	switch (p[k]) {
	case '#':
		return SEV_WARNING;
	case '*':
		return SEV_NOTICE;
	case '-':
		return SEV_INFO;
	case '.':
		return SEV_DEBUG;
	}
	return LEVEL_NONE;
}

/* A tool's prefix of its own and the word after it that is a level. */
struct level_prefix {
	const char	*word;
	size_t		 len;
	int		 sev;
};

#define LEVEL_PREFIX(w, sev)	{ w, sizeof(w) - 1, sev }

/* PHP's "PHP Fatal error:  ...", "PHP Warning:  ..." and the like */
static const struct level_prefix php_prefix[] = {
	LEVEL_PREFIX("Fatal error:", SEV_ERROR),
	LEVEL_PREFIX("Parse error:", SEV_ERROR),
	LEVEL_PREFIX("Warning:", SEV_WARNING),
	LEVEL_PREFIX("Notice:", SEV_NOTICE),
	LEVEL_PREFIX("Deprecated:", SEV_NOTICE)
};

/*
 * npm's "npm ERR!" and "npm WARN" to npm 8, "npm error", "npm warn" and
 * "npm notice" since
 */
static const struct level_prefix npm_prefix[] = {
	LEVEL_PREFIX("ERR! ", SEV_ERROR), LEVEL_PREFIX("error ", SEV_ERROR),
	LEVEL_PREFIX("WARN ", SEV_WARNING), LEVEL_PREFIX("warn ", SEV_WARNING),
	LEVEL_PREFIX("notice ", SEV_NOTICE)
};

/*
 * p[0..n) starts with head and then one of the nw words: its level, and
 * in *after the bytes of head and the word; else LEVEL_NONE.
 */
static int
level_of_prefix(const char *p, size_t n, const char *head, size_t hlen,
    const struct level_prefix *w, size_t nw, size_t *after)
{
	size_t i;

	if (n < hlen || memcmp(p, head, hlen) != 0)
		return LEVEL_NONE;
	for (i = 0; i < nw; i++) {
		if (n - hlen >= w[i].len &&
		    memcmp(p + hlen, w[i].word, w[i].len) == 0) {
			*after = hlen + w[i].len;
			return w[i].sev;
		}
	}
	return LEVEL_NONE;
}

/*
 * logcat's priority letter (Verbose, Debug, Info, Warn, Error, Fatal,
 * Assert) as a severity, or LEVEL_NONE.
 */
static int
logcat_priority(char c)
{
	switch (c) {
	case 'V':
	case 'D':
		return SEV_DEBUG;
	case 'I':
		return SEV_INFO;
	case 'W':
		return SEV_WARNING;
	case 'E':
		return SEV_ERROR;
	case 'F':
	case 'A':
		return SEV_CRITICAL;
	}
	return LEVEL_NONE;
}

/*
 * Android's logcat, its stamp read: " 1702  2395 E WindowManager: ...",
 * the process, the thread and the priority letter.  The body starts at
 * the tag.
 */
static int
level_of_logcat(const char *p, size_t n, size_t *body)
{
	size_t i = p[0] == ' ', k;
	int field;

	for (field = 0; field < 2; field++) {
		for (k = i; i < n && i < k + 10 && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == k || i >= n || p[i] != ' ')
			return LEVEL_NONE;
		while (i < n && p[i] == ' ')
			i++;
	}
	/* the tag ends in a colon: "E WindowManager: ..." */
	if (i + 2 >= n || p[i + 1] != ' ' ||
	    memchr(p + i + 2, ':', n - i - 2 < 64 ? n - i - 2 : 64) == NULL)
		return LEVEL_NONE;
	*body = i + 2;
	return logcat_priority(p[i]);
}

/*
 * logcat's older formats, brief and time: "E/ActivityManager( 1702): ...",
 * the priority letter, the tag and the process in parentheses.  The body
 * starts at the tag.
 */
static int
level_of_logcat_brief(const char *p, size_t n, size_t *body)
{
	size_t i, k;

	if (n < 8 || p[1] != '/')
		return LEVEL_NONE;
	for (i = 2; i < n && i < 100 && p[i] != '(' && p[i] != ' '; i++)
		;
	if (i == 2 || i >= n || p[i] != '(')
		return LEVEL_NONE;
	for (i++; i < n && p[i] == ' '; i++)
		;
	for (k = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == k || i + 2 >= n || p[i] != ')' || p[i + 1] != ':')
		return LEVEL_NONE;
	*body = 2;
	return logcat_priority(p[0]);
}

/* See level_of_line: "##[error]msg", "::warning file=x::msg". */
static int
level_of_actions(const char *p, size_t n, size_t *body)
{
	size_t i, j;
	int sev;

	i = p[0] == '#' ? 3 : 2;
	for (j = i; j < n && j < i + 8 && p[j] >= 'a' && p[j] <= 'z'; j++)
		;
	if (j == i || j >= n || (sev = level_of_word(p + i, j - i, 1)) ==
	    LEVEL_NONE)
		return LEVEL_NONE;
	if (p[0] == '#') {
		if (p[j] != ']')
			return LEVEL_NONE;
		*body = j + 1;
		return sev;
	}
	/* the command's parameters, then "::" and the message */
	if (p[j] != ':' && p[j] != ' ')
		return LEVEL_NONE;
	for (; j + 1 < n && !(p[j] == ':' && p[j + 1] == ':'); j++)
		;
	if (j + 1 >= n)
		return LEVEL_NONE;
	*body = j + 2;
	return sev;
}

int
level_of_line(const char *p, size_t n, size_t *body)
{
	size_t i = 0, j, k, e, words = 0;
	const char *q;
	int sev;

	/* Telegraf's letter: "E! [inputs.cpu] Error in plugin" */
	if (n >= 3 && p[1] == '!' && p[2] == ' ') {
		sev = p[0] == 'E' ? SEV_ERROR : p[0] == 'W' ? SEV_WARNING :
		    p[0] == 'I' ? SEV_INFO : p[0] == 'D' ? SEV_DEBUG : LEVEL_NONE;
		if (sev != LEVEL_NONE) {
			*body = 3;
			return sev;
		}
	}
	/*
	 * GitHub Actions' annotations: "##[error]msg" in a job's log, the
	 * "::error file=a.c,line=3::msg" command a step prints
	 */
	if (n >= 4 && ((p[0] == '#' && p[1] == '#' && p[2] == '[') ||
	    (p[0] == ':' && p[1] == ':')) &&
	    (sev = level_of_actions(p, n, body)) != LEVEL_NONE)
		return sev;
	if (n > 1 && ((p[0] >= '0' && p[0] <= '9') || (p[0] == ' ' &&
	    p[1] >= '0' && p[1] <= '9')) &&
	    (sev = level_of_logcat(p, n, body)) != LEVEL_NONE)
		return sev;
	if (n > 1 && p[1] == '/' && (sev = level_of_logcat_brief(p, n, body)) !=
	    LEVEL_NONE)
		return sev;
	if (n > 0 && p[0] == 'n' && (sev = level_of_prefix(p, n, "npm ", 4,
	    npm_prefix, UTIL_ARRAY_LEN(npm_prefix), &i)) != LEVEL_NONE) {
		*body = i;
		goto found;
	}
	/* sd-daemon's "<3>message": a priority and no stamp after it */
	if (n > 0 && p[0] == '<' && (sev = level_of_priority(p, n, &i)) !=
	    LEVEL_NONE) {
		*body = i;
		goto found;
	}
	/* NLog's default layout: "2025-... 10:00:00.1234|ERROR|Logger|msg" */
	if (n > 0 && p[0] == '|')
		i = 1;
	while (i < n && words < 4 && i < 120) {
		while (i < n && level_class[(unsigned char)p[i]] & LC_BLANK)
			i++;
		if (i < n && p[i] == '[') {
			/*
			 * [level], or Apache's [module:level] ("mpm_event");
			 * Python's "[%(levelname)-8s]" pads it: "[ERROR   ]"
			 */
			for (k = i + 1; k < n && k < i + 9 && p[k] == ' '; k++)
				;
			for (j = k; j < n && level_class[(unsigned char)p[j]] &
			    LC_IDENT; j++)
				;
			if (j < n && p[j] == ':' && k == i + 1) {
				k = j + 1;
				for (j = k; j < n && word_char((unsigned char)p[j]); j++)
					;
			}
			e = j;
			while (j < n && j < e + 8 && p[j] == ' ')
				j++;
			if (j < n && p[j] == ']' &&
			    (sev = level_of_word(p + k, e - k, 1)) != LEVEL_NONE) {
				*body = j + 1;
				goto found;
			}
			/* Envoy's "[1][error][config]": the next bracket */
			if (j + 1 < n && p[j] == ']' && p[j + 1] == '[') {
				i = j + 1;
				continue;
			}
			/* a padded bracket is one word: ClickHouse's "[ 1 ]" */
			if (j < n && p[j] == ']') {
				i = j + 1;
				words++;
				continue;
			}
		}
		/* ClickHouse's "<Error>" */
		if (i < n && p[i] == '<') {
			for (j = i + 1; j < n && j < i + 13 && word_char((unsigned char)p[j]); j++)
				;
			if (j < n && p[j] == '>' &&
			    (sev = level_of_word(p + i + 1, j - i - 1, 1)) != LEVEL_NONE) {
				*body = j + 1;
				goto found;
			}
		}
		if (i < n && p[i] == 'P' && (sev = level_of_prefix(p + i, n - i,
		    "PHP ", 4, php_prefix, UTIL_ARRAY_LEN(php_prefix), &j)) !=
		    LEVEL_NONE) {
			*body = i + j;
			goto found;
		}
		for (j = i; j < n && word_char((unsigned char)p[j]); j++)
			;
		/*
		 * A capitalised level padded to a column: Windows CBS's
		 * "2016-09-28 04:30:30, Error                 CBS    ..."
		 */
		if (j > i + 2 && j + 2 < n && p[j] == ' ' && p[j + 1] == ' ' &&
		    p[i] >= 'A' && p[i] <= 'Z' && p[i + 1] >= 'a' &&
		    p[i + 1] <= 'z' && (sev = level_of_word(p + i, j - i, 1)) !=
		    LEVEL_NONE) {
			*body = j;
			goto found;
		}
		/*
		 * A level in either case where the separator says it is one:
		 * a tab after the first word opens a line of columns (zap's
		 * console "...Z\terror\tmain.go:12\tmsg"), " : " sets it off
		 * (Proxifier's "chrome.exe - host:443 error : Could not ...").
		 */
		if (j > i && j < n && ((p[j] == '\t' && words == 0) ||
		    (j + 2 < n && p[j] == ' ' && p[j + 1] == ':' &&
		    p[j + 2] == ' ')) &&
		    (sev = level_of_word(p + i, j - i, 1)) != LEVEL_NONE) {
			*body = j;
			goto found;
		}
		/*
		 * A capitalised level first, with a colon (mosquitto's
		 * "Warning: msg"); "Error: msg" is an exception's line, an
		 * error by level_of_failure_line, its name kept
		 */
		if (words == 0 && j > i + 2 && j + 1 < n && p[j] == ':' &&
		    p[j + 1] == ' ' && p[i] >= 'A' && p[i] <= 'Z' &&
		    p[i + 1] >= 'a' && p[i + 1] <= 'z' &&
		    !(j - i == 5 && memcmp(p + i, "Error", 5) == 0) &&
		    (sev = level_of_word(p + i, j - i, 1)) != LEVEL_NONE) {
			*body = j + 1;
			goto found;
		}
		if (j > i && (j == n || p[j] == ' ' || p[j] == ':' || p[j] == '[' ||
		    p[j] == '\t' || p[j] == '|' || p[j] == ']' || p[j] == '/') &&
		    (sev = level_of_word(p + i, j - i, 0)) != LEVEL_NONE) {
			/* logrus: ERRO[0003]; Celery: ERROR/MainProcess] */
			if (j < n && (p[j] == '[' || p[j] == '/')) {
				while (j < n && p[j] != ']' && p[j] != ' ')
					j++;
				if (j < n && p[j] == ']')
					j++;
			}
			if (j < n && (p[j] == ':' || p[j] == '|' || p[j] == ']'))
				j++;
			*body = j;
			goto found;
		}
		/* Monolog's channel and level: "production.ERROR: msg" */
		if (j > i && j + 1 < n && p[j] == '.') {
			for (k = j + 1; k < n && k < j + 10 && p[k] >= 'A' &&
			    p[k] <= 'Z'; k++)
				;
			if (k < n && p[k] == ':' &&
			    (sev = level_of_word(p + j + 1, k - j - 1, 0)) !=
			    LEVEL_NONE) {
				*body = k + 1;
				goto found;
			}
		}
		while (i < n && !(level_class[(unsigned char)p[i]] & LC_BLANK))
			i++;
		words++;
	}
	/*
	 * "error: msg" first on the line in lower case (Node's winston); Go's
	 * "panic: " is level_of_failure_line's, and names what failed
	 */
	for (i = 0; i < n && level_class[(unsigned char)p[i]] & LC_BLANK; i++)
		;
	for (j = i; j < n && p[j] >= 'a' && p[j] <= 'z'; j++)
		;
	if (j > i && j + 1 < n && p[j] == ':' && p[j + 1] == ' ' && p[i] != 'p' &&
	    (sev = level_of_word(p + i, j - i, 1)) != LEVEL_NONE) {
		*body = j + 1;
		goto found;
	}
	if (n > 0 && p[0] == '{' && (sev = level_of_json(p, n)) != LEVEL_NONE) {
		*body = 0;
		return sev;
	}
	if ((sev = level_of_dotnet(p, n)) != LEVEL_NONE) {
		*body = 6;
		return sev;
	}
	/* syslog: "host sshd[123]: error: ...", "postfix/smtpd[9]: warning: ..." */
	if ((q = memmem(p, n < 96 ? n : 96, "]: ", 3)) != NULL) {
		i = (size_t)(q - p) + 3;
		for (j = i; j < n && p[j] >= 'a' && p[j] <= 'z'; j++)
			;
		if (j < n && p[j] == ':' &&
		    (sev = level_of_word(p + i, j - i, 1)) != LEVEL_NONE) {
			*body = j + 1;
			goto found;
		}
	}
	q = memmem(p, n < 200 ? n : 200, "level=", 6);
	if (q != NULL && (q == p || q[-1] == ' ')) {
		i = (size_t)(q - p) + 6;
		if (i < n && p[i] == '"')
			i++;
		for (j = i; j < n && word_char((unsigned char)p[j]); j++)
			;
		if ((sev = level_of_word(p + i, j - i, 1)) != LEVEL_NONE) {
			*body = 0;
			return sev;
		}
	}
	return level_runtime_warning(p, n, body);
found:
	*body = level_body(p, n, *body);
	return sev;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * level_of_line_cached for a line the cache does not answer (w: its first
 * eight bytes), apart so that the lookup of one it does answer is short.
 */
__attribute__((noinline))
static int
level_fill(struct level_cache *c, const char *p, size_t n, uint64_t w,
    size_t *body)
{
	size_t i, j;
	int sev;

	sev = level_of_line(p, n, body);
	/*
	 * A level word first on the line (after blanks), ended by a byte
	 * level_of_line takes as the word's end (other than logrus's '['),
	 * is found in the first look at it, from those bytes alone: keep
	 * them.
	 */
	for (i = 0; i < 8 && level_class[(unsigned char)p[i]] & LC_BLANK; i++)
		;
	for (j = i; j < 8 && word_char((unsigned char)p[j]); j++)
		;
	if (sev != LEVEL_NONE && j - i >= 3 && j < 8 &&
	    (p[j] == ' ' || p[j] == ':' || p[j] == '\t' || p[j] == '|' ||
	    p[j] == ']') && level_of_word(p + i, j - i, 0) == sev) {
		c->key = w;
		/* "WARNING " fills the word: a shift by 64 is undefined */
		c->mask = j == 7 ? UINT64_MAX :
		    (UINT64_C(1) << (8 * (j + 1))) - 1;
		c->after = p[j] == ':' || p[j] == '|' || p[j] == ']' ? j + 1 : j;
		c->sev = sev;
	}
	return sev;
}
#endif

int
level_of_line_cached(struct level_cache *c, const char *p, size_t n,
    size_t *body)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w;
#ifndef NDEBUG
	size_t b;
#endif

	if (n < 8)
		return level_of_line(p, n, body);
	memcpy(&w, p, 8);
	if (((w ^ c->key) & c->mask) != 0 || c->mask == 0)
		return level_fill(c, p, n, w, body);
	*body = level_body(p, n, c->after);
	assert(level_of_line(p, n, &b) == c->sev && b == *body);
	return c->sev;
#else
	(void)c;
	return level_of_line(p, n, body);
#endif
}

int
level_of_stamped(struct level_cache *c, const char *p, size_t n, size_t k,
    size_t *body)
{
	int sev;

	/* klog's level is its stamp's first letter, redis's a mark after it */
	if (k > 0 && (sev = level_of_klog(p, n, body)) != LEVEL_NONE) {
		if (*body == 0)
			*body = k;
		return sev;
	}
	if (k > 0 && k + 1 < n && (p[k] == '#' || p[k] == '*' || p[k] == '-' ||
	    p[k] == '.') && (sev = level_of_redis(p, n, k, body)) != LEVEL_NONE)
		return sev;
	*body = 0;
	sev = c != NULL ? level_of_line_cached(c, p + k, n - k, body) :
	    level_of_line(p + k, n - k, body);
	*body += k;
	return sev;
}

#ifdef __SSE2__
/* Bit i is set for a ':' at p[i], of the 32 bytes at p. */
static inline unsigned
colons32(const char *p)
{
	__m128i colon = _mm_set1_epi8(':');

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
	    _mm_loadu_si128((const __m128i *)p), colon)) |
	    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
	    _mm_loadu_si128((const __m128i *)(p + 16)), colon)) << 16;
}
#endif

/*
 * The first ':' in p[0..n), or NULL.  Nearly every record is asked, and
 * its first colon, if any, mostly ends a logger name within 32 bytes:
 * two SSE2 compares answer that without a call to memchr.
 */
static inline const char *
first_colon(const char *p, size_t n)
{
#ifdef __SSE2__
	unsigned m;

	if (n >= 32) {
		if ((m = colons32(p)) != 0)
			return p + __builtin_ctz(m);
		return memchr(p + 32, ':', n - 32);
	}
#endif
	return n > 0 ? memchr(p, ':', n) : NULL;
}

/* A name ending at p[c] ends as an exception's does. */
static inline int
exception_name_end(const char *p, size_t c)
{
	return (c >= 5 && memcmp(p + c - 5, "Error", 5) == 0) ||
	    (c >= 9 && memcmp(p + c - 9, "Exception", 9) == 0);
}

int
level_exception_line(const char *p, size_t n)
{
	const char *colon;
	size_t i, c;

	/*
	 * The name is all that comes before the first ':', so the cheap tests
	 * of that colon and the name's ending come first: nearly every record
	 * fails one of them.
	 */
	if ((colon = first_colon(p, n)) == NULL)
		return 0;
	c = (size_t)(colon - p);
	if (!exception_name_end(p, c))
		return 0;
	/* a name starts with a letter, '.' or '_', then digits may come */
	if (p[0] >= '0' && p[0] <= '9')
		return 0;
	for (i = 0; i < c; i++) {
		if (!(level_class[(unsigned char)p[i]] & LC_IDENT))
			return 0;
	}
	return 1;
}

/*
 * level_of_failure_line's whole test, apart from it: the usual record,
 * answered there before this is called, then needs no frame.
 */
__attribute__((noinline))
static int
failure_line(const char *p, size_t n)
{
	if (n == 0)
		return LEVEL_NONE;
	/* nearly every record is asked: its first byte picks the compare */
	switch (level_runtime(p, n)) {
	case LEVEL_RUNTIME_PANIC:
	case LEVEL_RUNTIME_FATAL:
		return SEV_CRITICAL;
	case LEVEL_RUNTIME_ERROR:
	case LEVEL_RUNTIME_BLOCK:
		return SEV_ERROR;
	case LEVEL_RUNTIME_NONE:
		break;
	}
	if (p[0] == 'T' && UTIL_STARTS_WITH(p, n, LEVEL_TRACEBACK))
		return SEV_ERROR;
	if (level_exception_line(p, n))
		return SEV_ERROR;
	return LEVEL_NONE;
}

int
level_of_failure_line(const char *p, size_t n)
{
#ifdef __SSE2__
	unsigned m;

	/*
	 * The usual record: neither a traceback header nor a runtime's
	 * failure, and a first colon within 32 bytes after a name no
	 * exception's ends as.
	 */
	if (n >= 32 && p[0] != 'T' && level_runtime(p, n) == LEVEL_RUNTIME_NONE &&
	    (m = colons32(p)) != 0 &&
	    !exception_name_end(p, (size_t)__builtin_ctz(m)))
		return LEVEL_NONE;
#endif
	return failure_line(p, n);
}

size_t
level_context_end(const char *p, size_t n, size_t len)
{
	size_t i, end = n - len < 256 ? n : len + 256;

	if (len + 2 >= n || p[len] != ' ' || p[len + 1] != '[')
		return 0;
	for (i = len + 2; i < end && p[i] != ']'; i++)
		if (p[i] == '[' || p[i] == '\n')
			return 0;
	if (i == len + 2 || i >= end || (i + 1 < n && p[i + 1] != ' '))
		return 0;
	for (i++; i < n && p[i] == ' '; i++)
		;
	return i;
}

size_t
level_logger(const char *p, size_t n, size_t *msg)
{
	size_t i, len;
	int marked = n > 0 && p[0] >= 'a' && p[0] <= 'z', dotted = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n && i < 100; i++) {
		if (p[i] == '.' || p[i] == '_') {
			marked = 1;
			dotted |= p[i] == '.';
		}
		/* a Rust path, as tracing prints its target: "my_crate::db" */
		else if (p[i] == ':' && i > 0 && i + 2 < n && p[i + 1] == ':' &&
		    word_char((unsigned char)p[i + 2])) {
			marked = 1;
			i++;
		}
		else if (!word_char((unsigned char)p[i]) && p[i] != '-' &&
		    !(p[i] >= '0' && p[i] <= '9'))
			break;
	}
	len = i;
	if (dotted && (i = level_context_end(p, n, len)) > 0) {
		*msg = i;
		return len;
	}
	i = len;
	/* Spring Boot pads a dotted name to its column: "o.s.Class     : msg" */
	if (dotted)
		while (i < n && p[i] == ' ')
			i++;
	/* NLog's "Logger|msg", after its "|LEVEL|" */
	if (marked && i == len && i + 1 < n && p[i] == '|') {
		*msg = i + 1;
		return len;
	}
	/* logback's and log4j's "%logger - %msg": a dotted name, a dash */
	if (dotted && i > len && i + 1 < n && p[i] == '-' && p[i + 1] == ' ') {
		for (*msg = i + 2; *msg < n && p[*msg] == ' '; (*msg)++)
			;
		return len;
	}
	if (len == 0 || i >= n || p[i] != ':' || !marked ||
	    (i + 1 < n && p[i + 1] == '/') || (i > len && (i + 1 >= n ||
	    p[i + 1] != ' ')))
		return 0;
	*msg = i + 1;
	/* loguru's "name:function:line - msg" */
	for (i = *msg; i < n && (word_char((unsigned char)p[i]) ||
	    p[i] == ':' || (p[i] >= '0' && p[i] <= '9')); i++)
		;
	if (i > *msg && i + 3 <= n && p[i - 1] >= '0' && p[i - 1] <= '9' &&
	    memcmp(p + i, " - ", 3) == 0 &&
	    memchr(p + *msg, ':', i - *msg) != NULL)
		*msg = i + 3;
	while (*msg < n && p[*msg] == ' ')
		(*msg)++;
	return len;
}
