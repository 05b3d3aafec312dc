/*
 * cmd.c - what every command shares: the error line, the usage text and
 * the common options (--db, the window, --baseline, --source, --rule,
 * --tz).  Kept out of main.c so the commands link into the unit tests too.
 */
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "memtune.h"
#include "store.h"
#include "timeparse.h"
#include "util.h"

/* getopt values of the common options, above any command's own. */
enum {
	COMMON_DB = 0x1000,
	COMMON_SINCE,
	COMMON_UNTIL,
	COMMON_BASELINE,
	COMMON_SOURCE,
	COMMON_RULE,
	COMMON_TZ
};

/*
 * The common options, each with the CMD_OPT_* bit that takes it and its
 * lines of `--help` (in this order wherever a command lists them).
 */
static const struct {
	struct option	opt;
	int		takes;
	const char	*arg;
	const char	*help[3];	/* NULL-ended lines */
} common_options[] = {
	{ { "db", required_argument, NULL, COMMON_DB }, CMD_OPT_DB, "PATH",
	  { "database (default $LOGTRIAGE_DB, else",
	    "$XDG_STATE_HOME/logtriage/logtriage.db)", NULL } },
	{ { "since", required_argument, NULL, COMMON_SINCE }, CMD_OPT_WINDOW,
	  "T", { "from log time T on (ISO 8601, 24h, 7d, today...)", NULL } },
	{ { "until", required_argument, NULL, COMMON_UNTIL }, CMD_OPT_WINDOW,
	  "T", { "before log time T", NULL } },
	{ { "baseline", required_argument, NULL, COMMON_BASELINE },
	  CMD_OPT_BASELINE, "A..B", { "compare with the window A..B", NULL } },
	{ { "source", required_argument, NULL, COMMON_SOURCE }, CMD_OPT_SOURCE,
	  "S", { "only sources named S or matching the glob S",
	    "(repeatable)", NULL } },
	{ { "rule", required_argument, NULL, COMMON_RULE }, CMD_OPT_RULE, "R",
	  { "only rule R (repeatable)", NULL } },
	{ { "tz", required_argument, NULL, COMMON_TZ }, CMD_OPT_TZ, "ZONE",
	  { "zone of times shown and naive times read (default UTC)",
	    NULL } },
};

/* The --tz line of a command that takes CMD_OPT_TZ_AUTO. */
static const char common_tz_auto[] =
    "auto: per source, the zone its envelope's stamps imply";

void
cmd_error(const char *fmt, ...)
{
	va_list ap;

	fputs("logtriage: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cmd_usage(const struct cmd_entry *ce, const char *options_text)
{
	printf("usage: logtriage %s %s\n\n%s\n", ce->name, ce->args, ce->summary);
	if (options_text != NULL && *options_text != '\0')
		printf("\n%s", options_text);
}

/* One option's lines: the option at 2, its text from column col on. */
static void
common_help_line(struct buf *b, const char *opt, const char *text, int col)
{
	int n = 0;

	if (opt != NULL) {
		buf_printf(b, "  %s", opt);
		n = (int)strlen(opt) + 2;
		if (n >= col) {
			buf_putc(b, ' ');
			n++;
		}
	}
	for (; n < col; n++)
		buf_putc(b, ' ');
	buf_printf(b, "%s\n", text);
}

/* The lines of common option i. */
static void
common_help(const struct cmd_common *cc, size_t i, struct buf *b, int col)
{
	char opt[64];
	size_t k;

	snprintf(opt, sizeof opt, "--%s %s", common_options[i].opt.name,
	    common_options[i].arg);
	for (k = 0; common_options[i].help[k] != NULL; k++)
		common_help_line(b, k == 0 ? opt : NULL, common_options[i].help[k],
		    col);
	if (common_options[i].takes == CMD_OPT_TZ &&
	    (cc->takes & CMD_OPT_TZ_AUTO))
		common_help_line(b, NULL, common_tz_auto, col);
}

void
cmd_common_usage(const struct cmd_common *cc, const char *options_text,
    int col)
{
	unsigned char placed[UTIL_ARRAY_LEN(common_options)] = { 0 };
	const char *p, *nl;
	struct buf b;
	size_t i, len;

	buf_init(&b);
	for (p = options_text; *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		nl = nl != NULL ? nl + 1 : p + strlen(p);
		len = (size_t)(nl - p);
		if (*p == '@' && p[len - 1] == '\n') {
			for (i = 0; i < UTIL_ARRAY_LEN(common_options); i++)
				if (strlen(common_options[i].opt.name) == len - 2 &&
				    strncmp(common_options[i].opt.name, p + 1,
				    len - 2) == 0)
					break;
			if (i < UTIL_ARRAY_LEN(common_options)) {
				if (cc->takes & common_options[i].takes)
					common_help(cc, i, &b, col);
				placed[i] = 1;
				continue;
			}
		}
		buf_append(&b, p, len);
	}
	for (i = 0; i < UTIL_ARRAY_LEN(common_options); i++)
		if (!placed[i] && (cc->takes & common_options[i].takes))
			common_help(cc, i, &b, col);
	cmd_usage(cc->ce, b.data);
	buf_free(&b);
}

int
cmd_option_error(const struct cmd_entry *ce, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		cmd_error("option '%s' needs a value", arg);
	else if (optopt != 0)
		cmd_error("unknown option '-%c' (try logtriage %s --help)", optopt,
		    ce->name);
	else
		cmd_error("unknown option '%s' (try logtriage %s --help)", arg,
		    ce->name);
	return EXIT_USAGE;
}

void
cmd_common_init(struct cmd_common *cc, const struct cmd_entry *ce, int takes,
    const char *shortopts, const struct option *own)
{
	size_t n = 0, k = 0, i;

	memset(cc, 0, sizeof(*cc));
	cc->ce = ce;
	cc->takes = takes;
	cc->shortopts = shortopts;
	cc->since = cc->until = cc->base_since = cc->base_until = TS_NONE;
	while (own != NULL && own[n].name != NULL)
		n++;
	cc->longopts = xcalloc(n + UTIL_ARRAY_LEN(common_options) + 1,
	    sizeof(*cc->longopts));
	for (i = 0; i < n; i++)
		cc->longopts[k++] = own[i];
	for (i = 0; i < UTIL_ARRAY_LEN(common_options); i++)
		if (takes & common_options[i].takes)
			cc->longopts[k++] = common_options[i].opt;
	optind = 1;
	opterr = 0;
}

int
cmd_getopt(struct cmd_common *cc, int argc, char **argv)
{
	int c;

	for (;;) {
		c = getopt_long(argc, argv, cc->shortopts, cc->longopts, NULL);
		switch (c) {
		case COMMON_DB:
			cc->db_arg = optarg;
			break;
		case COMMON_SINCE:
			cc->since_arg = optarg;
			break;
		case COMMON_UNTIL:
			cc->until_arg = optarg;
			break;
		case COMMON_BASELINE:
			cc->baseline_arg = optarg;
			break;
		case COMMON_SOURCE:
			cc->sources = xrealloc(cc->sources, (cc->nsources + 1) *
			    sizeof(*cc->sources));
			cc->sources[cc->nsources++] = optarg;
			break;
		case COMMON_RULE:
			cc->rules = xrealloc(cc->rules, (cc->nrules + 1) *
			    sizeof(*cc->rules));
			cc->rules[cc->nrules++] = optarg;
			break;
		case COMMON_TZ:
			cc->tz_arg = optarg;
			break;
		default:
			return c;
		}
	}
}

/* One time of the window, read in the zone. */
static int
common_time(struct cmd_common *cc, const char *opt, const char *arg,
    int64_t now, int64_t *ms)
{
	char err[256];

	if (arg == NULL)
		return 0;
	if (timeparse_window_arg(arg, now, cc->tz, ms, err, sizeof(err)) != 0) {
		cmd_error("%s: %s: %s", cc->ce->name, opt, err);
		return -1;
	}
	return 0;
}

/* "SINCE..UNTIL" into two times. */
static int
common_baseline(struct cmd_common *cc, int64_t now)
{
	const char *arg = cc->baseline_arg, *dots = strstr(arg, "..");
	char *first;
	int rc;

	if (dots == NULL || dots == arg || dots[2] == '\0') {
		cmd_error("%s: --baseline: '%s' is not SINCE..UNTIL",
		    cc->ce->name, arg);
		return -1;
	}
	first = xstrndup(arg, (size_t)(dots - arg));
	rc = common_time(cc, "--baseline", first, now, &cc->base_since);
	free(first);
	if (rc != 0 || common_time(cc, "--baseline", dots + 2, now,
	    &cc->base_until) != 0)
		return -1;
	if (cc->base_until <= cc->base_since) {
		cmd_error("%s: --baseline: the window '%s' is empty",
		    cc->ce->name, arg);
		return -1;
	}
	return 0;
}

static char **cmd_argv;

void
cmd_set_argv(char **argv)
{
	cmd_argv = argv;
}

/*
 * glibc's malloc asked for transparent huge pages and a heap that grows
 * 32 MiB at a time: documented tunables, read only as a process starts,
 * hence the one exec of this same program.  On the virtual machines
 * logtriage is measured on a page's first touch costs about 10 us, and a
 * report over a million models touches 200 MiB: 9,000 faults with the
 * tunables, 63,000 with the heap advised from inside (memtune.h), which
 * cannot follow the heap as the C library grows it for a copy.  Below
 * CMD_TUNE_BYTES the exec (4 ms there) costs more than it saves.  Not
 * where the user set the tunable, under valgrind (the exec would leave
 * it) or a sanitizer (its own allocator), or where the exec fails: then
 * the process goes on as it is.
 */
void
cmd_tune_memory(uint64_t bytes)
{
#if defined(__GLIBC__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
	const char *old = getenv("GLIBC_TUNABLES"), *pre = getenv("LD_PRELOAD");
	char tune[64], *keep = NULL, *val;
	size_t n;

	if (bytes < CMD_TUNE_BYTES || cmd_argv == NULL ||
	    (old != NULL && strstr(old, "glibc.malloc.hugetlb") != NULL) ||
	    (pre != NULL && strstr(pre, "vgpreload") != NULL))
		return;
	snprintf(tune, sizeof tune,
	    "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=%u", MEMTUNE_PAD);
	n = (old != NULL ? strlen(old) + 1 : 0) + strlen(tune) + 1;
	val = xmalloc(n);
	snprintf(val, n, "%s%s%s", old != NULL ? old : "",
	    old != NULL && *old != '\0' ? ":" : "", tune);
	if (old != NULL)
		keep = xstrdup(old);
	if (setenv("GLIBC_TUNABLES", val, 1) == 0)
		execv("/proc/self/exe", cmd_argv);
	/* the exec failed: the process goes on, its environment as it was */
	if (keep != NULL)
		setenv("GLIBC_TUNABLES", keep, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	free(keep);
	free(val);
#else
	(void)bytes;
#endif
}

/* Bytes of the database and its WAL at path; 0 for none. */
static uint64_t
db_bytes(const char *path)
{
	struct stat sb;
	uint64_t n = 0;
	char *wal;

	if (path == NULL || strcmp(path, ":memory:") == 0)
		return 0;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		n += (uint64_t)sb.st_size;
	wal = xasprintf("%s-wal", path);
	if (stat(wal, &sb) == 0 && S_ISREG(sb.st_mode))
		n += (uint64_t)sb.st_size;
	free(wal);
	return n;
}

int
cmd_common_finish(struct cmd_common *cc)
{
	int64_t now = util_now_ms();
	char err[512];

	if (cc->tz_arg != NULL && (cc->takes & CMD_OPT_TZ_AUTO) &&
	    strcmp(cc->tz_arg, "auto") == 0)
		cc->tz_auto = 1;
	else if (cc->tz_arg != NULL &&
	    (cc->tz = tz_open(cc->tz_arg, err, sizeof(err))) == NULL) {
		cmd_error("%s: --tz: %s", cc->ce->name, err);
		return EXIT_USAGE;
	}
	/* naive times of the window are read in --tz */
	if (common_time(cc, "--since", cc->since_arg, now, &cc->since) != 0 ||
	    common_time(cc, "--until", cc->until_arg, now, &cc->until) != 0)
		return EXIT_USAGE;
	if (cc->since != TS_NONE && cc->until != TS_NONE &&
	    cc->until <= cc->since) {
		cmd_error("%s: --until is not after --since", cc->ce->name);
		return EXIT_USAGE;
	}
	if (cc->baseline_arg != NULL && common_baseline(cc, now) != 0)
		return EXIT_USAGE;
	if (cc->takes & CMD_OPT_DB) {
		cc->db = store_default_path(cc->db_arg);
		if (!cc->ce->advise_heap)
			cmd_tune_memory(db_bytes(cc->db));
	}
	return 0;
}

void
cmd_common_free(struct cmd_common *cc)
{
	free(cc->longopts);
	free(cc->sources);
	free(cc->rules);
	free(cc->db);
	tz_free(cc->tz);
	memset(cc, 0, sizeof(*cc));
}
