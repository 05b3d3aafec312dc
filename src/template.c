/*
 * template.c - masking of variable message parts and a template miner.
 *
 * The miner follows the published description of Drain (He et al., ICWS
 * 2017): a message is split into tokens; a fixed-depth tree leads to a leaf
 * by the token count and the punctuation between tokens, then by the first
 * TM_PREFIX tokens (a variable token, or one past TM_MAX_CHILDREN siblings,
 * takes the wildcard branch); within the leaf the message joins the most
 * similar template if at least TM_SIMILAR_NUM/TM_SIMILAR_DEN of its tokens
 * agree, and the template's differing tokens become wildcards.  Otherwise
 * the message founds a new template.
 *
 * Tokens are runs of bytes other than blanks and the separators in
 * sep_chars (= : , ; brackets, quotes...): "status=500" and "port:8080"
 * give a word and a number, so the number can vary while the word stays.
 * A path, a URL or a hardware address is one token; an empty value
 * ("key= ", "()") is an empty token, so "()" and "(host)" line up.  The
 * separators are kept: a template prints the text of the message that
 * founded it with the variable tokens replaced.  A token holding a digit,
 * a weekday or month name, true or false, a host's name or an app's
 * package is variable from the start, and the variable pieces of one
 * blank-free word are one token ("10.0.0.1,10.0.0.2"), as are hexadecimal
 * groups joined by colons (an IPv6 or PCI address) and a list of numbers
 * after ", " ("[0, 4, 9]").
 *
 * Beyond Drain: two messages that differ where both hold a plain word
 * (letters, '_' and '.') do not join, since "VM Paused" and "VM Resumed"
 * are different events (a unit of time after a number is no such word:
 * "67 ms" and "2 s" are one value); a leaf that holds TM_LEAF_MAX
 * templates stops keeping words apart, so a name without digits cannot
 * multiply templates.
 * template_miner_finish then merges templates that ended up equal, those
 * alike but for one word that takes TM_MERGE_VALUES or more values (a user
 * name; TM_MERGE_FEW amid TM_MERGE_CONTEXT fixed tokens) or where an alike
 * template has a variable, and, in a shape with TM_LEAF_MAX templates or
 * more, each with the most similar before it; a template whose fixed
 * tokens stand where another of its shape has variables joins that one.
 *
 * Tree edges live in one open-addressing hash table keyed by (node, token),
 * so a node costs nothing per possible child.
 */
#include "template.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TM_MAX_TOKENS	128	/* more tokens: the rest is one variable tail */
#define TM_MAX_TEXT	4096	/* bytes of a message that are mined */
#define TM_PREFIX	2	/* tree levels below the token count */
#define TM_MAX_CHILDREN	100
#define TM_SIMILAR_NUM	1	/* join at TM_SIMILAR_NUM/TM_SIMILAR_DEN alike tokens */
#define TM_SIMILAR_DEN	2

#define TM_MERGE_VALUES	8	/* a fixed word taking this many values varies */
#define TM_MERGE_FEW	5	/* or this many amid TM_MERGE_CONTEXT fixed tokens */
#define TM_MERGE_CONTEXT 3
#define TM_LEAF_MAX	256	/* templates in a leaf before words may merge */
#define TM_WILD		0	/* token hash of a variable token */
#define TM_ROOT		0

/* 1: separates tokens and is kept as text between them. */
static unsigned char sep_chars[256];

/*
 * Words the miner knows by their hash (| 1, so 0 is an empty slot): a
 * hash probe instead of a scan of the lists for every token.
 */
#define TM_KNOWN	256	/* slots, a power of two */
#define KNOWN_DATE	1	/* a weekday or month name */
#define KNOWN_UNIT	2	/* a unit of size or time */
#define KNOWN_EXT	3	/* a file name's extension */

static struct {
	uint64_t	 h;
	unsigned char	 kind;
} known[TM_KNOWN];

static void
known_add(const char *list, unsigned char kind)
{
	const char *p = list, *e;
	size_t k;
	uint64_t h;

	for (; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		if (e == p)
			continue;
		h = util_hash64(p, (size_t)(e - p), UTIL_HASH_SEED) | 1;
		for (k = h & (TM_KNOWN - 1); known[k].h != 0 && known[k].h != h;
		    k = (k + 1) & (TM_KNOWN - 1))
			;
		known[k].h = h;
		known[k].kind = kind;
	}
}

static unsigned char
known_kind(const char *p, size_t n)
{
	uint64_t h = util_hash64(p, n, UTIL_HASH_SEED) | 1;
	size_t k;

	for (k = h & (TM_KNOWN - 1); known[k].h != 0; k = (k + 1) & (TM_KNOWN - 1))
		if (known[k].h == h)
			return known[k].kind;
	return 0;
}

static void
sep_init(void)
{
	static const char seps[] = " \t\r\n\v\f=:,;()[]{}<>\"'|";
	const char *p;

	if (sep_chars[' '])
		return;
	known_add("Mon Tue Wed Thu Fri Sat Sun Jan Feb Mar Apr May Jun Jul Aug"
	    " Sep Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday"
	    " Sunday January February March April June July August September"
	    " October November December", KNOWN_DATE);
	/*
	 * After a number a unit of time belongs to the value: a program
	 * prints "67 ms" and "2 s" in one statement.  Units of size are
	 * words: "(8.0 KB)" and "(1.2 MB)" mostly come from two statements
	 * (Loghub's Proxifier and Spark templates keep them apart), and
	 * merging them would fold a rare MB line into a large KB group.
	 */
	known_add("byte bytes ns us ms s sec secs second seconds min mins minute"
	    " minutes h hr hrs hour hours d day days", KNOWN_UNIT);
	/* A file's name is a name the program prints ("chrome.exe - ..."). */
	known_add("exe dll so jar war class py pyc js sh bat ps1 log txt conf"
	    " cfg ini xml json yml yaml toml properties dat db sqlite tmp pid"
	    " sock lock pem crt key gz tgz zip tar bz2 xz msi cab iso img bin"
	    " html htm php css png jpg gif svg pdf csv", KNOWN_EXT);
	for (p = seps; *p != '\0'; p++)
		sep_chars[(unsigned char)*p] = 1;
}

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* A letter of a hexadecimal number, a..f in either case. */
static int
is_hex_letter(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
has_digit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			return 1;
	}
	return 0;
}

/*
 * A token of letters, '_' and '.' only: a word or identifier of the
 * program's text ("Paused", "TIME_TICK", "android.intent.action"), not a
 * name it prints.  A letter alone is a value: a PCI pin ("0000:02:06.5[A]"),
 * a drive, a queue.  A mark after the word is a flag the program prints
 * with it ("DNS!", "Proxy+", "DNS-"): a word still, one of a few states.
 */
static int
is_word(const char *p, size_t n)
{
	size_t i;

	if (n > 2 && (p[n - 1] == '!' || p[n - 1] == '+' || p[n - 1] == '-' ||
	    p[n - 1] == '*' || p[n - 1] == '?'))
		n--;
	for (i = 0; i < n; i++) {
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_' || p[i] == '.'))
			return 0;
	}
	return n > 1;
}

/* Weekday and month names are parts of a date, as variable as its digits. */
static int
is_date_word(const char *p, size_t n)
{
	return n >= 3 && n <= 9 && p[0] >= 'A' && p[0] <= 'Z' &&
	    known_kind(p, n) == KNOWN_DATE;
}

/* A full stop after the unit ends the sentence: "took 2 secs." */
static int
is_unit(const char *p, size_t n)
{
	if (n > 1 && p[n - 1] == '.')
		n--;
	return n > 0 && n <= 7 && known_kind(p, n) == KNOWN_UNIT;
}

/*
 * "name.ext": a file's name, without its directory.  One dot only: a
 * dotted name ("org.mortbay.log") is a logger or a class, part of the
 * program's text.
 */
static int
is_file_name(const char *p, size_t n)
{
	const char *dot;

	if (n < 3 || n > 255 || (dot = memchr(p, '.', n)) == NULL ||
	    dot == p || memchr(dot + 1, '.', n - (size_t)(dot + 1 - p)) != NULL)
		return 0;
	n -= (size_t)(dot + 1 - p);
	return n >= 2 && n <= 10 && known_kind(dot + 1, n) == KNOWN_EXT;
}

/* Whether p[0..n) is one of the words of list, in any case. */
static int
one_of(const char *p, size_t n, const char *const *list, size_t nlist)
{
	size_t k;

	for (k = 0; k < nlist; k++)
		if (n == strlen(list[k]) && strncasecmp(p, list[k], n) == 0)
			return 1;
	return 0;
}

/*
 * true and false are what a flag prints: "allDrawn= false" and "allDrawn=
 * true" come from one statement.
 */
static int
is_boolean(const char *p, size_t n)
{
	return (n == 4 && strncasecmp(p, "true", 4) == 0) ||
	    (n == 5 && strncasecmp(p, "false", 5) == 0);
}

/*
 * A dotted name in lower case that is a value: a host's, its last label a
 * top-level domain ("mail.example.cn"), or an app's package in reverse
 * domain order, three labels or more ("com.tencent.mm": the app a phone's
 * log names, "Process com.tencent.mm (pid 2317) has died").  A class is
 * capitalised ("org.apache.hadoop.mapred.TaskTracker"); the language's
 * packages ("java.io", "javax.net", "android.os") and other dotted names
 * ("jetty.util.log") are the program's text.
 */
static int
is_dotted_value(const char *p, size_t n)
{
	static const char *const tld[] = { "com", "net", "org", "edu", "gov",
	    "mil", "io", "cn", "ru", "de", "uk", "jp", "fr", "br", "nl", "au",
	    "ca", "es", "se", "ch", "pl", "kr", "tw", "hk", "eu", "us", "info",
	    "biz", "local", "lan", "internal", "localdomain" };
	static const char *const reverse[] = { "com", "org", "net" };
	static const char *const language[] = { "java", "javax", "android" };
	size_t i, labels = 1, first = 0, last = 0;

	if (n < 4 || n > 253 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '.') {
			/* p[n - 1] is no dot: p[i + 1] is the name's */
			if (p[i + 1] == '.')
				return 0;
			if (first == 0)
				first = i;
			last = i + 1;
			labels++;
		} else if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' &&
		    p[i] <= '9') || p[i] == '-' || p[i] == '_'))
			return 0;
	}
	if (labels < 2 || one_of(p, first, language, UTIL_ARRAY_LEN(language)))
		return 0;
	return (labels >= 3 && one_of(p, first, reverse,
	    UTIL_ARRAY_LEN(reverse))) ||
	    one_of(p + last, n - last, tld, UTIL_ARRAY_LEN(tld));
}

/*
 * An app's component as Android flattens it, its package, '/' and its
 * class ("com.tencent.mm/.ui.LauncherUI"): the activity a log names.
 */
static int
is_component(const char *p, size_t n)
{
	const char *slash = memchr(p, '/', n);
	size_t i;

	if (slash == NULL || slash == p || (size_t)(slash - p) + 1 >= n ||
	    !is_dotted_value(p, (size_t)(slash - p)))
		return 0;
	for (i = (size_t)(slash - p) + 1; i < n; i++)
		if (!util_ident_byte((unsigned char)p[i]) && p[i] != '.' &&
		    p[i] != '$')
			return 0;
	return 1;
}

/* A token that is a value, not a word of the message: it varies. */
static int
is_variable(const char *p, size_t n)
{
	return has_digit(p, n) || is_date_word(p, n) || is_file_name(p, n) ||
	    is_boolean(p, n) || is_dotted_value(p, n) || is_component(p, n);
}

/* The start of the blank-delimited word after msg[from], its end in *end. */
static size_t
word_after(const char *msg, size_t len, size_t from, size_t *end)
{
	size_t b, e;

	for (b = from; b < len && is_blank((unsigned char)msg[b]); b++)
		;
	for (e = b; e < len && !is_blank((unsigned char)msg[e]); e++)
		;
	*end = e;
	return b;
}

/*
 * Whether msg[at..at + n) is a word after which, and a blank, a message
 * prints a name: "user" or "username" that opens the message or follows
 * "for", "by", "as", "to", "invalid" or "unknown" ("session opened for
 * user news", "Invalid user admin", "User alice logged in").  The name is
 * a value however few of them a log shows, where a few would keep the
 * templates apart (TM_MERGE_VALUES).  After another word the next is no
 * name ("no more user authentication methods", "fetch user data"), and a
 * key's value, "user=root", may be what the event is about: both are
 * left to the counts of values.  Nor is a word that joins the rest of the
 * sentence ("Failed password for user from ..."): "user" was the name.
 * "for" is one too when one word and "from" follow: authentication logs
 * name who and where ("Failed password for root from 10.0.0.7",
 * "Accepted publickey for git from ...").
 */
static int
names_next(const char *msg, size_t len, size_t at, size_t n)
{
	static const char *const before[] = { "for", "by", "as", "to",
	    "invalid", "unknown" };
	static const char *const joins[] = { "from", "by", "on", "at", "in",
	    "to", "via", "with", "of", "and", "is", "was", "has", "not" };
	size_t e, b, e2, b2;

	if (n == 3 && strncasecmp(msg + at, "for", 3) == 0) {
		b = word_after(msg, len, at + n, &e);
		b2 = word_after(msg, len, e, &e2);
		return e > b && e2 - b2 == 4 && strncmp(msg + b2, "from", 4) == 0;
	}
	if (!((n == 4 && strncasecmp(msg + at, "user", 4) == 0) ||
	    (n == 8 && strncasecmp(msg + at, "username", 8) == 0)))
		return 0;
	b = word_after(msg, len, at + n, &e);
	if (one_of(msg + b, e - b, joins, UTIL_ARRAY_LEN(joins)))
		return 0;
	for (e = at; e > 0 && is_blank((unsigned char)msg[e - 1]); e--)
		;
	if (e == 0)
		return 1;
	if (e == at)
		return 0;
	for (b = e; b > 0 && ((msg[b - 1] >= 'a' && msg[b - 1] <= 'z') ||
	    (msg[b - 1] >= 'A' && msg[b - 1] <= 'Z')); b--)
		;
	return one_of(msg + b, e - b, before, UTIL_ARRAY_LEN(before));
}

/*
 * Masking
 */

/* A path: /a/b, ./a, ~/a, C:\a (the caller has found the word). */
static int
is_path(const char *p, size_t n)
{
	size_t i, slashes = 0;

	if (n >= 3 && ((p[0] == '.' && p[1] == '/') || (p[0] == '~' && p[1] == '/')))
		return 1;
	if (n >= 4 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
	    p[1] == ':' && p[2] == '\\')
		return 1;
	if (p[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		slashes += p[i] == '/';
	return slashes >= 2 || n > 1;
}

/* Long hexadecimal without a digit is as much an id as one with. */
static int
is_hex_id(const char *p, size_t n)
{
	size_t i;

	if (n < 8)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_hex_letter(p[i]) && p[i] != '-')
			return 0;
	}
	return 1;
}

/* Separators of template_mask: as the miner's, but ':' stays inside words (IPv6, times). */
static int
mask_sep(unsigned char c)
{
	return c != ':' && sep_chars[c];
}

static int
is_opener(char c)
{
	return c == '(' || c == '[' || c == '{';
}

static int
is_closer(char c)
{
	return c == ')' || c == ']' || c == '}';
}

/*
 * The part of item p[0..n) that repeats in a list, up to a bracket that
 * closes the list: for a list's first item (first), what follows the
 * last bracket that opens it ("models: {'a': 1" gives "'a': 1"), or
 * without one, its last word; for the others, what follows the brackets
 * they start with.
 */
static void
item_core(const char *p, size_t n, int first, size_t *at, size_t *len)
{
	size_t a = 0, k;

	if (first) {
		for (k = n; k > 0; k--)
			if (is_opener(p[k - 1]))
				break;
		/* no bracket: the list starts after the last blank */
		if (k == 0)
			for (k = n; k > 0; k--)
				if (p[k - 1] == ' ')
					break;
		a = k;
	} else
		while (a < n && is_opener(p[a]))
			a++;
	/* the list ends at a bracket that closes it, text after it or not */
	for (k = a; k < n && !is_closer(p[k]); k++)
		;
	*at = a;
	*len = k - a;
}

/* Where the item of s[0..n) that starts at at ends: at ", " or n. */
static size_t
item_end(const char *s, size_t n, size_t at)
{
	const char *c = memmem(s + at, n - at, ", ", 2);

	return c != NULL ? (size_t)(c - s) : n;
}

/*
 * A list of three or more alike items is shown as its first two and
 * ", ...": "models: {'<*>': <*>, '<*>': <*>, ...}" for any number of
 * models, so the list's length neither makes templates nor fills a line.
 * Items are what ", " separates in out->data[base..]; alike, they are
 * equal but for the brackets that open or close the list.  One pass, and
 * memory for a copy of the text only: a line may hold a million items.
 */
static void
collapse_lists(struct buf *out, size_t base)
{
	size_t n = out->len - base, i = 0, e, k, nx, ne, a, l, a1, l1, run;
	size_t second = 0, second_end = 0, last_core = 0, last_end = 0;
	char *copy;

	if (n < 13 || memmem(out->data + base, n, ", ", 2) == NULL)
		return;
	copy = xmalloc(n);
	memcpy(copy, out->data + base, n);
	out->len = base;
	for (;;) {
		e = item_end(copy, n, i);
		item_core(copy + i, e - i, 1, &a1, &l1);
		for (run = 1, k = e; k < n; run++, k = ne) {
			nx = k + 2;
			ne = item_end(copy, n, nx);
			item_core(copy + nx, ne - nx, 0, &a, &l);
			if (l != l1 || memcmp(copy + nx + a, copy + i + a1, l) != 0)
				break;
			if (run == 1) {
				second = nx;
				second_end = nx + a + l;
			}
			last_core = nx + a + l;
			last_end = ne;
		}
		if (i > 0)
			buf_append(out, ", ", 2);
		buf_append(out, copy + i, e - i);
		if (run < 3) {
			if (e >= n)
				break;
			i = e + 2;
			continue;
		}
		buf_append(out, ", ", 2);
		buf_append(out, copy + second, second_end - second);
		buf_append(out, ", ...", 5);
		/* the brackets that close the last item close the list */
		buf_append(out, copy + last_core, last_end - last_core);
		if (k >= n)
			break;
		i = k + 2;
	}
	free(copy);
}

void
template_mask(struct buf *out, const char *msg, size_t len)
{
	size_t i = 0, j, n, base = out->len;
	const char *q;
	int blank = 0, name = 0;

	sep_init();
	buf_reserve(out, len);
	out->data[out->len] = '\0';
	q = memchr(msg, '\n', len);
	if (q != NULL)
		len = (size_t)(q - msg);
	while (i < len) {
		unsigned char c = (unsigned char)msg[i];

		if (is_blank(c)) {
			blank = out->len > 0;
			i++;
			continue;
		}
		if (blank)
			buf_putc(out, ' ');
		blank = 0;
		/* A quote opening a string: after a separator or at the start. */
		if ((c == '\'' || c == '"') &&
		    (i == 0 || sep_chars[(unsigned char)msg[i - 1]])) {
			q = memchr(msg + i + 1, c, len - i - 1);
			if (q != NULL) {
				buf_putc(out, (char)c);
				buf_puts(out, TEMPLATE_WILDCARD);
				buf_putc(out, (char)c);
				i = (size_t)(q - msg) + 1;
				continue;
			}
		}
		if (mask_sep(c)) {
			buf_putc(out, (char)c);
			name = 0;
			i++;
			continue;
		}
		for (j = i; j < len && !mask_sep((unsigned char)msg[j]); j++)
			;
		n = j - i;
		/* A word's trailing colons and dots are punctuation ("failed:", "done."). */
		while (n > 1 && (msg[i + n - 1] == ':' || msg[i + n - 1] == '.'))
			n--;
		if (name || is_variable(msg + i, n) || is_path(msg + i, n) ||
		    is_hex_id(msg + i, n))
			buf_puts(out, TEMPLATE_WILDCARD);
		else
			buf_append(out, msg + i, n);
		buf_append(out, msg + i + n, j - i - n);
		/* as the miner does: "for user news" */
		name = n == j - i && j < len && is_blank((unsigned char)msg[j]) &&
		    names_next(msg, len, i, n);
		i = j;
	}
	collapse_lists(out, base);
}

/*
 * Miner
 */

struct tm_cluster {
	char		*text;		/* the founding message (capped) */
	uint32_t	 len;
	uint32_t	 ntok;
	uint32_t	*off;		/* token i is text[off[i] .. off[i] + tlen[i]) */
	uint32_t	*tlen;
	uint64_t	*h;		/* token hashes; TM_WILD = variable */
	unsigned char	*word;		/* token i is a plain word (is_word) */
	uint64_t	 skel;		/* the separators between tokens, hashed */
	uint64_t	 count;
	uint32_t	 parent;	/* itself, or the template it was merged into */
};

struct tm_node {
	uint32_t	 nchild;
	uint32_t	 turn;		/* a full leaf's next slot for a new template */
	uint32_t	*clusters;	/* a leaf's templates */
	size_t		 ncl, capcl;
};

struct tm_edge {
	uint64_t	 tok;
	uint32_t	 node;		/* UINT32_MAX: empty slot */
	uint32_t	 child;
};

struct template_miner {
	struct tm_cluster	*cl;
	size_t			 ncl, capcl;
	struct tm_node		*nodes;
	size_t			 nnodes, capnodes;
	struct tm_edge		*edges;
	size_t			 nedges, capedges;	/* capedges: a power of two */
	/* scratch for the message being added */
	uint32_t		 off[TM_MAX_TOKENS], tlen[TM_MAX_TOKENS];
	uint64_t		 h[TM_MAX_TOKENS];
	unsigned char		 word[TM_MAX_TOKENS];
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint32_t
node_new(struct template_miner *m)
{
	m->nodes = util_grow(m->nodes, &m->capnodes, m->nnodes,
	    sizeof(*m->nodes), 64);
	memset(&m->nodes[m->nnodes], 0, sizeof(*m->nodes));
	return (uint32_t)m->nnodes++;
}

struct template_miner *
template_miner_new(void)
{
	struct template_miner *m = xcalloc(1, sizeof(*m));
	size_t i;

	sep_init();
	m->capedges = 1024;
	m->edges = xmalloc(m->capedges * sizeof(*m->edges));
	for (i = 0; i < m->capedges; i++)
		m->edges[i].node = UINT32_MAX;
	node_new(m);
	return m;
}

void
template_miner_free(struct template_miner *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncl; i++) {
		free(m->cl[i].text);
		free(m->cl[i].h);
	}
	for (i = 0; i < m->nnodes; i++)
		free(m->nodes[i].clusters);
	free(m->cl);
	free(m->nodes);
	free(m->edges);
	free(m);
}

static size_t
edge_slot(const struct template_miner *m, uint32_t node, uint64_t tok)
{
	size_t mask = m->capedges - 1;
	size_t i = mix64(tok ^ ((uint64_t)node * 0x9e3779b97f4a7c15ULL)) & mask;

	while (m->edges[i].node != UINT32_MAX &&
	    (m->edges[i].node != node || m->edges[i].tok != tok))
		i = (i + 1) & mask;
	return i;
}

static void
edges_grow(struct template_miner *m)
{
	struct tm_edge *old = m->edges;
	size_t oldcap = m->capedges, i, k;

	m->capedges *= 2;
	m->edges = xmalloc(m->capedges * sizeof(*m->edges));
	for (i = 0; i < m->capedges; i++)
		m->edges[i].node = UINT32_MAX;
	for (i = 0; i < oldcap; i++) {
		if (old[i].node == UINT32_MAX)
			continue;
		k = edge_slot(m, old[i].node, old[i].tok);
		m->edges[k] = old[i];
	}
	free(old);
}

/* The child of node for tok, or UINT32_MAX; create it when asked. */
static uint32_t
child(struct template_miner *m, uint32_t node, uint64_t tok, int create)
{
	size_t k = edge_slot(m, node, tok);
	uint32_t c;

	if (m->edges[k].node != UINT32_MAX)
		return m->edges[k].child;
	if (!create)
		return UINT32_MAX;
	c = node_new(m);
	m->nodes[node].nchild++;
	m->edges[k].node = node;
	m->edges[k].tok = tok;
	m->edges[k].child = c;
	if (++m->nedges * 2 > m->capedges)
		edges_grow(m);
	return c;
}

static uint64_t
token_hash(const char *p, size_t n)
{
	uint64_t h = util_hash64(p, n, UTIL_HASH_SEED);

	return h == TM_WILD ? 1 : h;
}

/* An empty value where one is expected: "logname= uid", "()", "''". */
static int
empty_slot(const char *msg, size_t i, size_t len)
{
	char c = msg[i], next = i + 1 < len ? msg[i + 1] : '\0';

	if (c == '=')
		return next == '\0' || is_blank((unsigned char)next);
	return (c == '(' && next == ')') || (c == '[' && next == ']') ||
	    (c == '{' && next == '}') || (c == '\'' && next == '\'' &&
	    (i == 0 || is_blank((unsigned char)msg[i - 1]))) ||
	    (c == '"' && next == '"');
}

static void
token_put(struct template_miner *m, uint32_t n, size_t off, size_t len, uint64_t h,
    int word)
{
	m->off[n] = (uint32_t)off;
	m->tlen[n] = (uint32_t)len;
	m->h[n] = h;
	m->word[n] = (unsigned char)word;
}

/*
 * The closing quote of a quoted name that starts at p: bytes that are
 * not blanks or quotes, one of them not a letter or '_'
 * ("com.apple.performance", "node-7"), then quote.  A key's quoted value
 * (keyed) may hold blanks too: tag="View Lock" is one value, as a
 * blank-less one would be.  NULL for anything else: a quoted word of
 * letters is a state ('Active', 'Inactive').
 */
static const char *
quoted_word(const char *p, size_t n, char quote, int keyed)
{
	size_t i;
	int name = 0;

	/* a stray quote after '=' must not take the rest of a long line */
	for (i = 0; i < n && (!keyed || i < 256); i++) {
		if (p[i] == quote)
			return i > 0 && name ? p + i : NULL;
		if (p[i] == '"' || p[i] == '\'' || p[i] == '\n')
			return NULL;
		if (is_blank((unsigned char)p[i])) {
			if (!keyed)
				return NULL;
			name = 1;
		} else if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_'))
			name = 1;
	}
	return NULL;
}

/*
 * Whether msg[i..j) is a value in a list of keys and values, "acquire
 * lock=1, tag="View", name=android, ws=null": a record's fields printed
 * whole by one statement, whose values are its arguments however few a
 * log shows.  A key alone between words ("rhost=h  user=root") may be
 * what the event is about and is left to the counts of values.
 */
static int
listed_value(const char *msg, size_t len, size_t i, size_t j)
{
	if (i >= 2 && msg[i - 1] == '"' && msg[i - 2] == '=' && j < len &&
	    msg[j] == '"')
		i--, j++;
	if (i == 0 || msg[i - 1] != '=')
		return 0;
	if (j < len && msg[j] == ',')
		return 1;
	for (i--; i > 0 && !sep_chars[(unsigned char)msg[i - 1]]; i--)
		;
	return i >= 2 && msg[i - 1] == ' ' && msg[i - 2] == ',';
}

/*
 * Whether the value msg[i..j) continues a list of ids with the value
 * msg[a..a + alen) before it: one blank apart, and both of one kind, the
 * same letters up to a '_' ("blk_-90165 blk_-86957", "attempt_1445_m_3"),
 * so that a list of any length is one value, as "10.0.0.1,10.0.0.2" is.
 */
static int
id_list(const char *msg, size_t a, size_t alen, size_t i, size_t j)
{
	size_t k;

	if (a + alen + 1 != i || msg[i - 1] != ' ')
		return 0;
	for (k = 0; k < alen && k < j - i && msg[a + k] == msg[i + k] &&
	    ((msg[i + k] >= 'a' && msg[i + k] <= 'z') ||
	    (msg[i + k] >= 'A' && msg[i + k] <= 'Z')); k++)
		;
	return k >= 2 && k < alen && k < j - i && msg[a + k] == '_' &&
	    msg[i + k] == '_';
}

/* A number: decimal, maybe signed or with a fraction, or 0x hexadecimal. */
static int
is_number(const char *p, size_t n)
{
	size_t i = 0;

	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		for (i = 2; i < n && ((p[i] >= '0' && p[i] <= '9') ||
		    is_hex_letter(p[i])); i++)
			;
		return i == n;
	}
	if (n > 1 && p[0] == '-')
		i++;
	for (; i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'); i++)
		;
	return i == n && p[n - 1] != '.' && p[0] != '.';
}

/*
 * Whether the value msg[i..j) continues, after ", ", a list of numbers
 * that the value msg[a..a + alen) ends ("cpus [0, 4, 9]"): the list is
 * one value whatever its length, as a list glued by commas is.
 */
static int
number_list(const char *msg, size_t a, size_t alen, size_t i, size_t j)
{
	size_t b = a + alen;

	if (b + 2 != i || msg[b] != ',' || msg[b + 1] != ' ' ||
	    !is_number(msg + i, j - i))
		return 0;
	while (b > a && msg[b - 1] != ' ')
		b--;
	return is_number(msg + b, a + alen - b);
}

/*
 * The end of a hardware address starting at msg[i] ("f8:4f:57:3b:ea:b2",
 * "00-1A-2B-3C-4D-5E"): six groups of two hex digits, one separator
 * throughout, then a separator or blank; else 0.  Its groups of letters
 * alone ("ea") would be words otherwise, so each address would make a
 * template.
 */
static size_t
mac_address(const char *msg, size_t i, size_t len)
{
	size_t g, k;
	char c;

	if (len - i < 17 || (msg[i + 2] != ':' && msg[i + 2] != '-'))
		return 0;
	for (g = 0; g < 6; g++) {
		for (k = 0; k < 2; k++) {
			c = msg[i + 3 * g + k];
			if (!(c >= '0' && c <= '9') && !is_hex_letter(c))
				return 0;
		}
		if (g < 5 && msg[i + 3 * g + 2] != msg[i + 2])
			return 0;
	}
	if (len - i > 17 && !sep_chars[(unsigned char)msg[i + 17]])
		return 0;
	return i + 17;
}

/*
 * The end of a word of hexadecimal groups joined by colons, starting at
 * msg[i]: an IPv6 address ("fe80::a00:27ff:fe4e:66a1", a prefix length
 * "/64" after it), a PCI address ("0000:ab:1f.0"), a DUID, a time.  Two
 * colons or more and a digit, up to a separator or blank (a trailing ':'
 * or '.' is punctuation); else 0.  Its groups of letters alone ("ab",
 * "fe4e") would be words otherwise, so each address would found a
 * template.
 */
static size_t
hex_colon_word(const char *msg, size_t i, size_t len)
{
	size_t j, colons = 0;
	int digit = 0;
	char c;

	for (j = i; j < len; j++) {
		c = msg[j];
		if (c >= '0' && c <= '9')
			digit = 1;
		else if (c == ':')
			colons++;
		else if (!is_hex_letter(c) && c != '.')
			break;
	}
	if (j < len && msg[j] == '/' && j + 1 < len && msg[j + 1] >= '0' &&
	    msg[j + 1] <= '9')
		for (j++; j < len && msg[j] >= '0' && msg[j] <= '9'; j++)
			;
	if (j < len && !sep_chars[(unsigned char)msg[j]])
		return 0;
	while (j > i && (msg[j - 1] == ':' || msg[j - 1] == '.'))
		colons -= msg[--j] == ':';
	return colons >= 2 && digit ? j : 0;
}

/*
 * The end (past its '}') of the braces that open at msg[at] after a
 * word of letters, nested braces within, or 0: none within 512 bytes.
 */
static size_t
object_end(const char *msg, size_t at, size_t len)
{
	size_t j, lim = len - at > 512 ? at + 512 : len;
	int depth = 0;

	for (j = at; j < lim; j++) {
		if (msg[j] == '{')
			depth++;
		else if (msg[j] == '}' && --depth == 0)
			return j + 1;
	}
	return 0;
}

/* "r00=0x0": letters and digits, '=' and a value, no path or URL. */
static int
glued_pair(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && util_ident_byte((unsigned char)p[i]); i++)
		;
	return i > 0 && i + 1 < n && p[i] == '=' && memchr(p, '/', n) == NULL;
}

/*
 * Split msg into m->off/tlen/h/word; returns the token count.  Variable
 * pieces of one blank-free word are one token ("10.0.0.1,10.0.0.2",
 * "/10.0.0.1:50010"), so a list or an address:port varies as one value.
 * *skel gets a hash of the separators between tokens (blanks apart) and
 * of which glued values pair a name with '=' (glued_pair): the message's
 * shape.
 */
static uint32_t
tokenize(struct template_miner *m, const char *msg, size_t len, uint64_t *skel)
{
	uint32_t n = 0, k;
	size_t i = 0, j, at;
	uint64_t s = UTIL_HASH_SEED, h;
	const char *q;
	int glued;

	if (len > TM_MAX_TEXT)
		len = TM_MAX_TEXT;
	while (i < len && n < TM_MAX_TOKENS) {
		unsigned char c = (unsigned char)msg[i];

		/* a quoted word is a value, as template_mask has it */
		if ((c == '"' || c == '\'') && (i == 0 ||
		    sep_chars[(unsigned char)msg[i - 1]]) &&
		    (q = quoted_word(msg + i + 1, len - i - 1, c,
		    i > 0 && msg[i - 1] == '=')) != NULL &&
		    n < TM_MAX_TOKENS - 1) {
			token_put(m, n++, i + 1, (size_t)(q - msg) - i - 1,
			    TM_WILD, 0);
			i = (size_t)(q - msg) + 1;
			continue;
		}
		if (sep_chars[c]) {
			if (empty_slot(msg, i, len))
				token_put(m, n++, i + 1, 0, token_hash("", 0), 0);
			i++;
			continue;
		}
		if ((i == 0 || sep_chars[(unsigned char)msg[i - 1]]) &&
		    ((j = mac_address(msg, i, len)) != 0 ||
		    (j = hex_colon_word(msg, i, len)) != 0) &&
		    n < TM_MAX_TOKENS - 1) {
			token_put(m, n++, i, j - i, TM_WILD, 0);
			i = j;
			continue;
		}
		for (j = i; j < len && !sep_chars[(unsigned char)msg[j]]; j++)
			;
		/*
		 * An object as Java's toString prints it, "Window{e28af60 u0
		 * android}", is one value up to its closing brace: its class
		 * prints it where another run prints "null".
		 */
		if (j < len && msg[j] == '{' && c >= 'A' && c <= 'Z' &&
		    (at = object_end(msg, j, len)) != 0 && n < TM_MAX_TOKENS - 1) {
			token_put(m, n++, i, at - i, TM_WILD, 0);
			i = at;
			continue;
		}
		/* A path or URL is one token up to the next blank, query and all. */
		if (c == '/' || (j + 2 < len && msg[j] == ':' && msg[j + 1] == '/' &&
		    msg[j + 2] == '/')) {
			while (j < len && !is_blank((unsigned char)msg[j]) &&
			    msg[j] != '"' && msg[j] != '\'')
				j++;
		}
		if (n == TM_MAX_TOKENS - 1 && j < len) {
			/* The tail: one variable token up to the end. */
			token_put(m, n++, i, len - i, TM_WILD, 0);
			break;
		}
		h = is_variable(msg + i, j - i) || (j == len && len == TM_MAX_TEXT) ||
		    listed_value(msg, len, i, j) ||
		    (n > 0 && m->h[n - 1] != TM_WILD &&
		    m->off[n - 1] + m->tlen[n - 1] + 1 == i &&
		    msg[i - 1] == ' ' &&
		    names_next(msg, len, m->off[n - 1], m->tlen[n - 1])) ?
		    TM_WILD : token_hash(msg + i, j - i);
		glued = 0;
		if (h == TM_WILD && n > 0 && m->h[n - 1] == TM_WILD) {
			at = m->off[n - 1] + m->tlen[n - 1];
			glued = at < i;
			while (at < i && !is_blank((unsigned char)msg[at]))
				at++;
			glued = (glued && at == i) || id_list(msg, m->off[n - 1],
			    m->tlen[n - 1], i, j) || number_list(msg,
			    m->off[n - 1], m->tlen[n - 1], i, j);
		}
		if (glued) {
			m->tlen[n - 1] = (uint32_t)(j - m->off[n - 1]);
		} else {
			/* a unit after a number may differ: it is no word */
			int word = h != TM_WILD && is_word(msg + i, j - i) &&
			    !(n > 0 && m->h[n - 1] == TM_WILD &&
			    m->off[n - 1] + m->tlen[n - 1] + 1 == i &&
			    msg[i - 1] == ' ' && msg[i - 2] >= '0' &&
			    msg[i - 2] <= '9' && is_unit(msg + i, j - i));

			token_put(m, n++, i, j - i, h, word);
		}
		i = j;
	}
	at = 0;
	for (k = 0; k <= n; k++) {
		size_t end = k < n ? m->off[k] : len;

		for (; at < end; at++) {
			if (!is_blank((unsigned char)msg[at]))
				s = (s ^ (unsigned char)msg[at]) * 0x100000001b3ULL;
		}
		s = (s ^ '.') * 0x100000001b3ULL;
		if (k < n) {
			at = m->off[k] + m->tlen[k];
			/*
			 * A value glued from a name and its value keeps the
			 * '=': "r00=0x0 r01=0x1" and "fpr0=0x0 0x1" are two
			 * register dumps
			 */
			if (m->h[k] == TM_WILD && glued_pair(msg + m->off[k],
			    m->tlen[k]))
				s = (s ^ '=') * 0x100000001b3ULL;
		}
	}
	*skel = s;
	return n;
}

/* Follow the tree to the leaf of the message in m's scratch arrays. */
static uint32_t
leaf_of(struct template_miner *m, uint32_t ntok, uint64_t skel)
{
	uint32_t node, d, c;

	node = child(m, TM_ROOT, mix64(ntok) ^ skel, 1);
	for (d = 0; d < TM_PREFIX && d < ntok; d++) {
		uint64_t t = m->h[d];

		if (t != TM_WILD) {
			c = child(m, node, t, 0);
			if (c == UINT32_MAX && m->nodes[node].nchild < TM_MAX_CHILDREN)
				c = child(m, node, t, 1);
			if (c != UINT32_MAX) {
				node = c;
				continue;
			}
		}
		node = child(m, node, TM_WILD, 1);
	}
	return node;
}

/*
 * Tokens of template c equal to the message's (both variable counts).
 * *conflict is set when they differ where both hold a plain word: "VM
 * Paused" and "VM Resumed", "mode AUTO" and "mode SUSPENDED" are different
 * events, while names with digits, dashes or slashes vary within one.
 */
static uint32_t
alike(const struct tm_cluster *c, const uint64_t *h, const unsigned char *word,
    uint32_t ntok, int *conflict)
{
	uint32_t i, same = 0;

	*conflict = 0;
	for (i = 0; i < ntok; i++) {
		if (c->h[i] == h[i])
			same++;
		else if (c->h[i] != TM_WILD && word[i] && c->word[i])
			*conflict = 1;
	}
	return same;
}

static uint32_t
cluster_new(struct template_miner *m, const char *msg, size_t len, uint32_t ntok,
    uint64_t skel)
{
	struct tm_cluster *c;
	uint32_t id = (uint32_t)m->ncl;

	m->cl = util_grow(m->cl, &m->capcl, m->ncl, sizeof(*m->cl), 64);
	c = &m->cl[m->ncl++];
	if (len > TM_MAX_TEXT)
		len = TM_MAX_TEXT;
	c->text = xstrndup(msg, len);
	c->len = (uint32_t)len;
	c->ntok = ntok;
	/* One block: the hashes first, so they are aligned, then off and tlen. */
	c->h = xmalloc((size_t)ntok * (sizeof(uint64_t) + 2 * sizeof(uint32_t) + 1));
	c->off = (uint32_t *)(void *)(c->h + ntok);
	c->tlen = c->off + ntok;
	c->word = (unsigned char *)(c->tlen + ntok);
	memcpy(c->off, m->off, ntok * sizeof(uint32_t));
	memcpy(c->tlen, m->tlen, ntok * sizeof(uint32_t));
	memcpy(c->h, m->h, ntok * sizeof(uint64_t));
	memcpy(c->word, m->word, ntok);
	c->skel = skel;
	c->count = 0;
	c->parent = id;
	return id;
}

static uint32_t
find(const struct template_miner *m, uint32_t id)
{
	while (m->cl[id].parent != id)
		id = m->cl[id].parent;
	return id;
}

static void
leaf_swap(struct tm_node *lf, size_t a, size_t b)
{
	uint32_t t = lf->clusters[a];

	lf->clusters[a] = lf->clusters[b];
	lf->clusters[b] = t;
}

/*
 * A leaf's scan stops at TM_LEAF_MAX templates: past that many (messages
 * of random words, none alike enough to join), a scan of them all made a
 * log's mining quadratic.  There the order of the leaf is kept so that
 * what recurs is scanned: a template a message joins moves halfway to the
 * front, and a new one takes, in turn, a slot of the back half of the
 * scanned ones, whose template leaves the scan.  A new template is
 * scanned for the next TM_LEAF_MAX / 2 new ones; joined once in that
 * time, it is in the front half, which new ones never take.
 */
uint32_t
template_miner_add(struct template_miner *m, const char *msg, size_t len)
{
	uint64_t skel;
	uint32_t ntok, leaf, best = UINT32_MAX, any = UINT32_MAX, i, k;
	uint32_t same, best_same = 0, any_same = 0;
	size_t scan, at = 0, any_at = 0;
	struct tm_node *lf;
	struct tm_cluster *c;
	int conflict;

	ntok = tokenize(m, msg, len, &skel);
	leaf = leaf_of(m, ntok, skel);
	lf = &m->nodes[leaf];
	scan = lf->ncl < TM_LEAF_MAX ? lf->ncl : TM_LEAF_MAX;
	for (k = 0; k < scan; k++) {
		same = alike(&m->cl[lf->clusters[k]], m->h, m->word, ntok, &conflict);
		if (!conflict && (best == UINT32_MAX || same > best_same)) {
			best = lf->clusters[k];
			best_same = same;
			at = k;
		}
		if (any == UINT32_MAX || same > any_same) {
			any = lf->clusters[k];
			any_same = same;
			any_at = k;
		}
	}
	/*
	 * A full leaf no longer keeps words apart: a word there is a name
	 * taking many values, and a leaf's scan must stay short.
	 */
	if ((best == UINT32_MAX || (uint64_t)best_same * TM_SIMILAR_DEN <
	    (uint64_t)ntok * TM_SIMILAR_NUM) && lf->ncl >= TM_LEAF_MAX) {
		best = any;
		best_same = any_same;
		at = any_at;
	}
	if (best == UINT32_MAX ||
	    (uint64_t)best_same * TM_SIMILAR_DEN < (uint64_t)ntok * TM_SIMILAR_NUM) {
		best = cluster_new(m, msg, len, ntok, skel);
		lf = &m->nodes[leaf];
		lf->clusters = util_grow(lf->clusters, &lf->capcl, lf->ncl,
		    sizeof(*lf->clusters), 4);
		lf->clusters[lf->ncl++] = best;
		if (lf->ncl > TM_LEAF_MAX) {
			leaf_swap(lf, lf->ncl - 1, TM_LEAF_MAX / 2 + lf->turn);
			lf->turn = (lf->turn + 1) % (TM_LEAF_MAX / 2);
		}
	} else {
		if (lf->ncl > TM_LEAF_MAX && at > 0)
			leaf_swap(lf, at, at / 2);
		/* A template merged at template_miner_finish grows in the survivor. */
		best = find(m, best);
		c = &m->cl[best];
		for (i = 0; i < ntok; i++) {
			if (c->h[i] != m->h[i])
				c->h[i] = TM_WILD;
		}
	}
	m->cl[best].count++;
	return best;
}

static uint64_t
signature(const struct tm_cluster *c)
{
	uint64_t s = mix64(c->ntok ^ c->skel);
	uint32_t i;

	for (i = 0; i < c->ntok; i++)
		s = mix64(s ^ c->h[i]) + i;
	return s;
}

static int
same_template(const struct tm_cluster *a, const struct tm_cluster *b)
{
	return a->ntok == b->ntok && a->skel == b->skel &&
	    memcmp(a->h, b->h, a->ntok * sizeof(uint64_t)) == 0;
}

static void
merge_into(struct template_miner *m, uint32_t from, uint32_t to)
{
	struct tm_cluster *a = &m->cl[from], *b = &m->cl[to];
	uint32_t i;

	for (i = 0; i < b->ntok; i++) {
		if (a->h[i] != b->h[i])
			b->h[i] = TM_WILD;
	}
	b->count += a->count;
	a->count = 0;
	a->parent = to;
}

/* from's messages are to's, whose template holds them already. */
static void
join_into(struct template_miner *m, uint32_t from, uint32_t to)
{
	m->cl[to].count += m->cl[from].count;
	m->cl[from].count = 0;
	m->cl[from].parent = to;
}

/* Templates with the same tokens and shape become one. */
static void
merge_same(struct template_miner *m)
{
	size_t cap = 16, i, k, mask;
	uint32_t *slot;

	while (cap < m->ncl * 2)
		cap *= 2;
	mask = cap - 1;
	slot = xmalloc(cap * sizeof(*slot));
	for (i = 0; i < cap; i++)
		slot[i] = UINT32_MAX;
	for (i = 0; i < m->ncl; i++) {
		struct tm_cluster *c = &m->cl[i];

		if (c->parent != i)
			continue;
		k = mix64(signature(c)) & mask;
		while (slot[k] != UINT32_MAX && !same_template(&m->cl[slot[k]], c))
			k = (k + 1) & mask;
		if (slot[k] == UINT32_MAX)
			slot[k] = (uint32_t)i;
		else
			merge_into(m, (uint32_t)i, slot[k]);
	}
	free(slot);
}

struct tm_alt {
	uint64_t	key;	/* the template's tokens but one, and its shape */
	uint32_t	id;
	uint32_t	pos;
};

static int
cmp_alt(const void *a, const void *b)
{
	const struct tm_alt *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The values a fixed token of c at pos must take to be a variable.  Amid
 * TM_MERGE_CONTEXT fixed tokens or more, the statement is known well
 * enough that TM_MERGE_FEW values show an argument ("START: rsync pid=",
 * "START: tftp pid=", ... from one statement); with less around it, a
 * word may be the event itself ("Launching <*>", "KILLING <*>").  A word
 * in capitals is a constant of the program, a state or a kind ("from
 * RUNNING to SUCCEEDED"), however many a log shows.
 */
static size_t
values_needed(const struct tm_cluster *c, uint32_t pos)
{
	const char *p = c->text + c->off[pos];
	uint32_t i, fixed = 0;

	for (i = 0; i < c->tlen[pos] && !(p[i] >= 'a' && p[i] <= 'z'); i++)
		;
	if (i == c->tlen[pos])
		return TM_MERGE_VALUES;
	for (i = 0; i < c->ntok; i++)
		fixed += i != pos && c->h[i] != TM_WILD;
	return fixed >= TM_MERGE_CONTEXT ? TM_MERGE_FEW : TM_MERGE_VALUES;
}

/*
 * Templates alike but for one fixed token that takes TM_MERGE_VALUES or
 * more values (values_needed) are one template with a variable there: a
 * name (a user, a job, a host) that has no digit.  Fewer values are kept
 * apart: they are the few states an event reports ("VM Paused", "VM
 * Resumed"), unless an alike template has a variable there, which shows
 * the token is a name (a word after "yarn," where other records had
 * "user1").  Returns the number of merges.
 */
static size_t
merge_values(struct template_miner *m)
{
	struct tm_alt *alt = NULL;
	struct {
		size_t	 from, to, wild;
	} *grp = NULL;
	size_t nalt = 0, capalt = 0, ngrp = 0, capgrp = 0, i, j, k, g;
	size_t merged = 0;
	uint64_t *pre = NULL, *suf = NULL;
	size_t cappre = 0;
	uint32_t p;

	for (i = 0; i < m->ncl; i++) {
		const struct tm_cluster *c = &m->cl[i];

		if (c->parent != i || c->ntok < 2)
			continue;
		if (cappre < c->ntok + 1) {
			cappre = c->ntok + 1;
			pre = xrealloc(pre, cappre * sizeof(*pre));
			suf = xrealloc(suf, cappre * sizeof(*suf));
		}
		pre[0] = mix64(c->ntok ^ c->skel);
		for (p = 0; p < c->ntok; p++)
			pre[p + 1] = mix64(pre[p] ^ c->h[p]) + p;
		suf[c->ntok] = 0x9e3779b97f4a7c15ULL;
		for (p = c->ntok; p > 0; p--)
			suf[p - 1] = mix64(suf[p] ^ c->h[p - 1]) + p;
		for (p = 0; p < c->ntok; p++) {
			alt = util_grow(alt, &capalt, nalt, sizeof(*alt), 256);
			alt[nalt].key = mix64(pre[p] ^ (suf[p + 1] * 31)) ^ p;
			alt[nalt].id = (uint32_t)i;
			alt[nalt].pos = p;
			nalt++;
		}
	}
	if (nalt > 0)
		qsort(alt, nalt, sizeof(*alt), cmp_alt);
	/*
	 * Decide on every group first, then merge: a template that differs
	 * from one at a token and from another at a second joins both,
	 * whichever group comes first.
	 */
	for (i = 0; i < nalt; i = j) {
		size_t live = 0, wild = SIZE_MAX;

		for (j = i; j < nalt && alt[j].key == alt[i].key && alt[j].pos == alt[i].pos; j++) {
			const struct tm_cluster *c = &m->cl[alt[j].id];

			if (c->parent != alt[j].id)
				continue;
			if (c->h[alt[j].pos] != TM_WILD)
				live++;
			else if (wild == SIZE_MAX)
				wild = j;
		}
		if (live == 0 || (live < values_needed(&m->cl[alt[i].id],
		    alt[i].pos) && wild == SIZE_MAX))
			continue;
		grp = util_grow(grp, &capgrp, ngrp, sizeof(*grp), 64);
		grp[ngrp].from = i;
		grp[ngrp].to = j;
		grp[ngrp].wild = wild == SIZE_MAX ? i : wild;
		ngrp++;
	}
	for (g = 0; g < ngrp; g++) {
		uint32_t b = find(m, alt[grp[g].wild].id), a;

		for (k = grp[g].from; k < grp[g].to; k++) {
			a = find(m, alt[k].id);
			if (a != b)
				merge_into(m, a, b), merged++;
		}
		m->cl[b].h[alt[grp[g].wild].pos] = TM_WILD;
	}
	free(grp);
	free(alt);
	free(pre);
	free(suf);
	return merged;
}

static const struct template_miner *sort_m;

static int
cmp_shape(const void *x, const void *y)
{
	const struct tm_cluster *a = &sort_m->cl[*(const uint32_t *)x];
	const struct tm_cluster *b = &sort_m->cl[*(const uint32_t *)y];

	if (a->ntok != b->ntok)
		return a->ntok < b->ntok ? -1 : 1;
	if (a->skel != b->skel)
		return a->skel < b->skel ? -1 : 1;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

/*
 * A shape (token count and separators) with TM_LEAF_MAX templates or more
 * is a message whose words are names: there, words no longer keep
 * templates apart, and each template joins the most similar of the first
 * TM_LEAF_MAX before it, as later messages in a full leaf did.
 */
static void
merge_crowded(struct template_miner *m)
{
	uint32_t *ids = xmalloc((m->ncl + 1) * sizeof(*ids));
	size_t n = 0, i, j, k, seen;
	uint32_t a, b, best, same, best_same;
	int conflict;

	for (i = 0; i < m->ncl; i++) {
		if (m->cl[i].parent == i)
			ids[n++] = (uint32_t)i;
	}
	sort_m = m;
	qsort(ids, n, sizeof(*ids), cmp_shape);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && m->cl[ids[j]].ntok == m->cl[ids[i]].ntok &&
		    m->cl[ids[j]].skel == m->cl[ids[i]].skel; j++)
			;
		if (j - i < TM_LEAF_MAX)
			continue;
		for (k = i + 1; k < j; k++) {
			a = ids[k];
			best = UINT32_MAX;
			best_same = 0;
			for (seen = i; seen < k && seen < i + TM_LEAF_MAX; seen++) {
				b = ids[seen];
				if (m->cl[b].parent != b)
					continue;
				same = alike(&m->cl[b], m->cl[a].h, m->cl[a].word,
				    m->cl[a].ntok, &conflict);
				if (best == UINT32_MAX || same > best_same) {
					best = b;
					best_same = same;
				}
			}
			if (best != UINT32_MAX && (uint64_t)best_same * TM_SIMILAR_DEN >=
			    (uint64_t)m->cl[a].ntok * TM_SIMILAR_NUM)
				merge_into(m, a, best);
		}
	}
	free(ids);
}

/*
 * A template's blank-separated words, hashed, for merge_subsumed: a
 * word that is one wildcard and nothing else gets TM_WILD.
 */
#define TM_WORD_VARIES	2	/* in a word's hash: part of it is a wildcard */
#define TM_WORD_UNIT	4	/* in a word's hash: a unit of size or time */

struct tm_words {
	uint32_t	 id;
	uint32_t	 n;
	uint32_t	 nwild;
	uint64_t	*h;
	size_t		 cap;
};

static void
words_of(const struct template_miner *m, uint32_t id, struct buf *scratch,
    struct tm_words *w)
{
	size_t i = 0, j;

	buf_reset(scratch);
	template_miner_text(m, id, scratch);
	w->id = id;
	w->n = w->nwild = 0;
	w->h = NULL;
	w->cap = 0;
	while (i < scratch->len) {
		if (is_blank((unsigned char)scratch->data[i])) {
			i++;
			continue;
		}
		for (j = i; j < scratch->len &&
		    !is_blank((unsigned char)scratch->data[j]); j++)
			;
		w->h = util_grow(w->h, &w->cap, w->n, sizeof(*w->h), 8);
		if (j - i == sizeof(TEMPLATE_WILDCARD) - 1 &&
		    memcmp(scratch->data + i, TEMPLATE_WILDCARD, j - i) == 0) {
			w->h[w->n++] = TM_WILD;
			w->nwild++;
		} else
			w->h[w->n++] = (token_hash(scratch->data + i, j - i) &
			    ~(uint64_t)7) | 1 | (memmem(scratch->data + i, j - i,
			    TEMPLATE_WILDCARD, sizeof(TEMPLATE_WILDCARD) - 1) ?
			    TM_WORD_VARIES : 0) | (is_unit(scratch->data + i,
			    j - i) ? TM_WORD_UNIT : 0);
		i = j;
	}
}

/*
 * Whether b has at least half its words fixed and a's first `upto` words
 * are b's or stand where b has a wildcard word.
 */
static int
words_match(const struct tm_words *a, const struct tm_words *b, uint32_t upto)
{
	uint32_t i;

	if ((uint64_t)(b->n - b->nwild) * TM_SIMILAR_DEN <
	    (uint64_t)b->n * TM_SIMILAR_NUM)
		return 0;
	for (i = 0; i < upto; i++)
		if (b->h[i] != TM_WILD && b->h[i] != a->h[i])
			return 0;
	return 1;
}

/* Whether every word of a is b's or stands where b has a wildcard word. */
static int
words_within(const struct tm_words *a, const struct tm_words *b)
{
	return a->n == b->n && words_match(a, b, a->n);
}

/* Word i of a is wholly or partly variable. */
static int
word_varies(const struct tm_words *a, uint32_t i)
{
	return a->h[i] == TM_WILD || (a->h[i] & TM_WORD_VARIES) != 0;
}

/*
 * Whether a's words after p are each variable or a unit: the rest of a
 * value ("<1 sec"), not words that add to the message ("00:07
 * (connection reset)").
 */
static int
tail_is_value(const struct tm_words *a, uint32_t p)
{
	uint32_t i;

	for (i = p + 1; i < a->n; i++)
		if (!word_varies(a, i) && (a->h[i] & TM_WORD_UNIT) == 0)
			return 0;
	return 1;
}

/*
 * Whether a is b but for one wildcard word of b that stands for two or
 * three words of a, no more than one of them fixed ("svchost.exe <*> -"
 * within "<*> -", a program named in two words), or at b's end the first
 * of them variable and the rest variable or units ("lifetime <<*> sec"
 * within "lifetime <*>", the value printed in words one time and as one
 * the others; not "lifetime <*> (connection reset)").  Two fixed words in
 * the middle are a wording ("for invalid user <*>" is not "for <*>"), and
 * so is a fixed word before a variable one: a key naming a value of its
 * own ("from <*> port <*>" is not "from <*>"), where a unit follows its
 * value.
 */
static int
words_span_within(const struct tm_words *a, const struct tm_words *b)
{
	uint32_t d, pre, suf, p, i, vary, keyed;

	if (b->n < 2 || a->n <= b->n || a->n > b->n + 2 ||
	    !words_match(a, b, 0))
		return 0;
	d = a->n - b->n;
	for (pre = 0; pre < b->n && (b->h[pre] == TM_WILD ||
	    b->h[pre] == a->h[pre]); pre++)
		;
	for (suf = 0; suf < b->n && (b->h[b->n - 1 - suf] == TM_WILD ||
	    b->h[b->n - 1 - suf] == a->h[a->n - 1 - suf]); suf++)
		;
	for (p = b->n - 1 - (suf < b->n ? suf : b->n - 1); p <= pre &&
	    p < b->n; p++) {
		if (b->h[p] != TM_WILD)
			continue;
		for (i = p, vary = keyed = 0; i <= p + d; i++) {
			vary += (uint32_t)word_varies(a, i);
			keyed |= i > p && word_varies(a, i) &&
			    !word_varies(a, i - 1);
		}
		if (keyed)
			continue;
		if (p == b->n - 1 ? word_varies(a, p) && tail_is_value(a, p) :
		    vary >= d)
			return 1;
	}
	return 0;
}

static int
cmp_words(const void *x, const void *y)
{
	const struct tm_words *a = x, *b = y;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	if (a->nwild != b->nwild)
		return a->nwild > b->nwild ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * A template whose every word is another's, or stands where the other
 * has a word that is wholly variable, is that one: "to www.example.com:<*>"
 * within "to <*>", the host there having been a name the first time and
 * an address ever after.  The tokens cannot tell (a name and a port are
 * two tokens, an address and a port one), the words can.  Each joins the
 * largest of the most general templates that hold it.  Then a template
 * of one or two words more than another, whose extra words stand where
 * that one has a wildcard word, joins it (words_span_within).  Word
 * counts of more than TM_SUBSUME_MAX templates are left as they are:
 * their pairs would cost more than the merges give.
 */
#define TM_SUBSUME_MAX	4096

static void
merge_subsumed(struct template_miner *m)
{
	struct tm_words *w = NULL;
	struct buf scratch = { 0 };
	size_t n = 0, cap = 0, i, j, k, g;
	uint32_t best;

	for (i = 0; i < m->ncl; i++) {
		if (m->cl[i].parent != i)
			continue;
		w = util_grow(w, &cap, n, sizeof(*w), 64);
		words_of(m, (uint32_t)i, &scratch, &w[n++]);
	}
	if (n > 0)
		qsort(w, n, sizeof(*w), cmp_words);
	for (g = 0; g < n; g = j) {
		for (j = g + 1; j < n && w[j].n == w[g].n; j++)
			;
		if (j - g > TM_SUBSUME_MAX)
			continue;
		/* most wildcards first: a template may only join one before it */
		for (i = g + 1; i < j; i++) {
			best = UINT32_MAX;
			for (k = g; k < i && w[k].nwild > w[i].nwild; k++) {
				if (!words_within(&w[i], &w[k]))
					continue;
				if (best == UINT32_MAX || w[k].nwild > w[best].nwild ||
				    (w[k].nwild == w[best].nwild &&
				    m->cl[find(m, w[k].id)].count >
				    m->cl[find(m, w[best].id)].count))
					best = (uint32_t)k;
			}
			if (best != UINT32_MAX)
				join_into(m, w[i].id, find(m, w[best].id));
		}
	}
	/* then across word counts: a template of g's joins one of fewer words */
	for (g = 0; g < n; g = j) {
		for (j = g + 1; j < n && w[j].n == w[g].n; j++)
			;
		if (j - g > TM_SUBSUME_MAX)
			continue;
		for (i = g; i < j; i++) {
			if (m->cl[w[i].id].parent != w[i].id)
				continue;
			best = UINT32_MAX;
			for (k = g; k > 0 && w[k - 1].n + 2 >= w[g].n &&
			    g - k < TM_SUBSUME_MAX; k--) {
				if (!words_span_within(&w[i], &w[k - 1]))
					continue;
				if (best == UINT32_MAX || m->cl[find(m,
				    w[k - 1].id)].count > m->cl[find(m,
				    w[best].id)].count)
					best = (uint32_t)(k - 1);
			}
			if (best != UINT32_MAX)
				join_into(m, w[i].id, find(m, w[best].id));
		}
	}
	for (i = 0; i < n; i++)
		free(w[i].h);
	free(w);
	buf_free(&scratch);
}

/*
 * Whether every token of a is b's or stands where b has a variable, b
 * having more variables than a and at least half its tokens fixed.
 */
static int
covered_by(const struct tm_cluster *a, const struct tm_cluster *b)
{
	uint32_t i, wa = 0, wb = 0;

	for (i = 0; i < a->ntok; i++) {
		if (b->h[i] != TM_WILD && b->h[i] != a->h[i])
			return 0;
		wa += a->h[i] == TM_WILD;
		wb += b->h[i] == TM_WILD;
	}
	return wb > wa && (uint64_t)(b->ntok - wb) * TM_SIMILAR_DEN >=
	    (uint64_t)b->ntok * TM_SIMILAR_NUM;
}

/*
 * A template of a shape whose fixed tokens are all another's, where that
 * one has variables in their stead, is that one: "Set(git); Set(test)"
 * within "Set(<*>); Set(<*>)", names that never differed one at a time
 * from a template with one of them variable (merge_values).  Each joins
 * the largest of them.  Shapes of more than TM_LEAF_MAX templates, which
 * merge_crowded has seen to, are left as they are: their pairs would cost
 * more than the merges give.
 */
static void
merge_covered(struct template_miner *m)
{
	uint32_t *ids = xmalloc((m->ncl + 1) * sizeof(*ids));
	size_t n = 0, i, j, k, g, best;

	for (i = 0; i < m->ncl; i++) {
		if (m->cl[i].parent == i)
			ids[n++] = (uint32_t)i;
	}
	sort_m = m;
	qsort(ids, n, sizeof(*ids), cmp_shape);
	for (g = 0; g < n; g = j) {
		for (j = g + 1; j < n && m->cl[ids[j]].ntok == m->cl[ids[g]].ntok &&
		    m->cl[ids[j]].skel == m->cl[ids[g]].skel; j++)
			;
		if (j - g < 2 || j - g > TM_LEAF_MAX)
			continue;
		for (i = g; i < j; i++) {
			best = SIZE_MAX;
			for (k = g; k < j; k++) {
				if (k == i || m->cl[ids[k]].parent != ids[k] ||
				    !covered_by(&m->cl[ids[i]], &m->cl[ids[k]]))
					continue;
				if (best == SIZE_MAX || m->cl[ids[k]].count >
				    m->cl[ids[best]].count)
					best = k;
			}
			if (best != SIZE_MAX)
				join_into(m, ids[i], ids[best]);
		}
	}
	free(ids);
}

void
template_miner_finish(struct template_miner *m)
{
	size_t i, round;

	merge_crowded(m);
	merge_same(m);
	for (round = 0; round < 4 && merge_values(m) > 0; round++)
		merge_same(m);
	merge_covered(m);
	merge_subsumed(m);
	/* Flatten, so template_miner_final is one step. */
	for (i = 0; i < m->ncl; i++)
		m->cl[i].parent = find(m, (uint32_t)i);
}

uint32_t
template_miner_count(const struct template_miner *m)
{
	return (uint32_t)m->ncl;
}

uint32_t
template_miner_final(const struct template_miner *m, uint32_t id)
{
	return id < m->ncl ? find(m, id) : id;
}

uint64_t
template_miner_size(const struct template_miner *m, uint32_t id)
{
	return id < m->ncl ? m->cl[id].count : 0;
}

void
template_miner_text(const struct template_miner *m, uint32_t id, struct buf *out)
{
	const struct tm_cluster *c;
	uint32_t i, at = 0, end;

	if (id >= m->ncl)
		return;
	c = &m->cl[id];
	/* Blanks around the message are not part of it. */
	while (at < c->len && is_blank((unsigned char)c->text[at]))
		at++;
	for (i = 0; i < c->ntok; i++) {
		buf_append(out, c->text + at, c->off[i] - at);
		if (c->h[i] == TM_WILD)
			buf_puts(out, TEMPLATE_WILDCARD);
		else
			buf_append(out, c->text + c->off[i], c->tlen[i]);
		at = c->off[i] + c->tlen[i];
	}
	end = c->len;
	while (end > at && is_blank((unsigned char)c->text[end - 1]))
		end--;
	buf_append(out, c->text + at, end - at);
}

static int
has_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_blank((unsigned char)p[i]))
			return 1;
	}
	return 0;
}

static void
regex_literal(struct buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (is_blank(c)) {
			int lines = c == '\n';

			while (i + 1 < n && is_blank((unsigned char)p[i + 1]))
				lines |= p[++i] == '\n';
			/* A line break joins lines of a record that had others between. */
			buf_puts(out, lines ? "\\s*\\n(?:.*\\n)*?\\s*" : "\\s+");
		} else if (strchr("\\^$.|?*+()[]{}", c) != NULL && c != '\0') {
			buf_putc(out, '\\');
			buf_putc(out, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(out, "\\x%02x", c);
		} else {
			buf_putc(out, (char)c);
		}
	}
}

/* A group name from the word before a variable: letters, digits, '_', not a digit first. */
static int
group_name(const char *p, size_t n, char *name, size_t namelen)
{
	size_t i;

	static const char small[] =
	    " a an the to of in on at by for from with after before into as is"
	    " was are be and or not no ";
	const char *q;

	if (n < 2 || n >= namelen || n > 24 || (p[0] >= '0' && p[0] <= '9'))
		return 0;
	/* A preposition names nothing: "for <*>" is better v1. */
	for (q = small; (q = strstr(q, " ")) != NULL && q[1] != '\0'; q++) {
		if (strncasecmp(q + 1, p, n) == 0 && q[1 + n] == ' ')
			return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!util_ident_byte(c))
			return 0;
		name[i] = (char)c;
	}
	name[n] = '\0';
	return 1;
}

int
template_miner_regex(const struct template_miner *m, uint32_t id, struct buf *out)
{
	const struct tm_cluster *c;
	uint32_t i, k, at = 0;
	int groups = 0, used;
	char name[32];
	struct buf names;

	if (id >= m->ncl)
		return 0;
	c = &m->cl[id];
	buf_init(&names);
	buf_putc(&names, ' ');
	for (i = 0; i < c->ntok; i++) {
		const char *gap = c->text + at;
		size_t glen = c->off[i] - at;

		/* Leading blanks of the message are not part of the pattern. */
		if (i == 0)
			while (glen > 0 && is_blank((unsigned char)*gap))
				gap++, glen--;
		regex_literal(out, gap, glen);
		at = c->off[i] + c->tlen[i];
		if (c->h[i] != TM_WILD) {
			regex_literal(out, c->text + c->off[i], c->tlen[i]);
			continue;
		}
		groups++;
		used = 0;
		/* The nearest fixed word before it, in the same phrase. */
		for (k = i; k > 0 && c->h[k - 1] == TM_WILD; k--)
			;
		if (k > 0 && k == i &&
		    group_name(c->text + c->off[k - 1], c->tlen[k - 1], name,
		    sizeof(name))) {
			struct buf key;

			buf_init(&key);
			buf_printf(&key, " %s ", name);
			used = strstr(names.data, key.data) != NULL ||
			    (name[0] == 'v' && name[1] >= '0' && name[1] <= '9');
			buf_free(&key);
		} else {
			used = 1;
		}
		if (used)
			snprintf(name, sizeof(name), "v%d", groups);
		buf_printf(&names, "%s ", name);
		/*
		 * The last token may run to the end, others stop at their
		 * separator; the tail of a message past TM_MAX_TOKENS has blanks.
		 */
		buf_printf(out, "(?<%s>%s%s)", name,
		    has_blank(c->text + c->off[i], c->tlen[i]) ? "." : "\\S",
		    i + 1 == c->ntok && at == c->len ? "+" : "+?");
	}
	{
		const char *gap = c->text + at;
		size_t glen = c->len - at;

		while (glen > 0 && is_blank((unsigned char)gap[glen - 1]))
			glen--;
		regex_literal(out, gap, glen);
	}
	buf_free(&names);
	return groups;
}
