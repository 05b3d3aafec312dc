/*
 * cmd_ingest.c - `logtriage ingest`: parse the options, load the rules,
 * open the store, run every input through the pipeline and print the one
 * summary line.  The pipeline itself is ingest.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "cmd.h"
#include "context.h"
#include "envelope.h"
#include "ingest.h"
#include "rules.h"
#include "store.h"
#include "timeparse.h"
#include "util.h"

/* The signal that asked to stop (SIGINT or SIGTERM), 0 until then. */
static volatile sig_atomic_t ingest_stop;

static void
on_signal(int sig)
{
	ingest_stop = sig;
}

/* --help text around the --format lines, which list the envelope table */
static const char ingest_options_head[] =
    "options:\n"
    "@db\n"
    "  --rules DIR      rules directory or file, added after the defaults\n"
    "                   and the drop-in directories (repeatable)\n"
    "  --no-default-rules  only the --rules paths\n"
    "  --source NAME    source name for every record of the inputs\n";
static const char ingest_options_tail[] =
    "@tz\n"
    "  -f, --follow     keep reading files across rotation, stdin until EOF\n"
    "  --no-resume      read files from the start even if seen before\n"
    "  --final          the files will not grow: store their unfinished\n"
    "                   last record instead of leaving it for the next run\n"
    "  --context-lines N  keep the N records before each event of warning\n"
    "                   severity or worse read from standard input or a\n"
    "                   pipe (default 20, at most 200; files are read\n"
    "                   again instead); 0 keeps no context at all\n"
    "  -q, --quiet      no summary line\n"
    "  --stats          then a line of where the time went: set-up,\n"
    "                   reading, the writer, correlation, checkpoints\n"
    "  --help           this text\n"
    "\nWith no FILE, or FILE -, standard input is read.\n";

/* The envelope names, space-separated; wrap: indent lines past column 68. */
static void
format_names(struct buf *b, int wrap)
{
	size_t col = 19;
	const char *name;
	int f;

	for (f = ENVELOPE_AUTO; f < ENVELOPE_FORMAT_COUNT; f++) {
		name = envelope_format_name((enum envelope_format)f);
		if (f > ENVELOPE_AUTO) {
			if (wrap && col + 1 + strlen(name) > 68) {
				buf_puts(b, "\n                   ");
				col = 19;
			} else {
				buf_putc(b, ' ');
				col++;
			}
		}
		buf_puts(b, name);
		col += strlen(name);
	}
}

static void
usage(const struct cmd_common *cc)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, ingest_options_head);
	buf_puts(&b, "  --format FMT     ");
	format_names(&b, 1);
	buf_puts(&b, " (default auto: detected per line)\n");
	buf_puts(&b, ingest_options_tail);
	cmd_common_usage(cc, b.data, 19);
	buf_free(&b);
}

enum {
	OPT_RULES = 256,
	OPT_SOURCE,
	OPT_FORMAT,
	OPT_NO_RESUME,
	OPT_FINAL,
	OPT_CONTEXT_LINES,
	OPT_NO_DEFAULT_RULES,
	OPT_STATS,
	OPT_HELP
};

/*
 * With the common --db and --tz (which takes auto here); --source names
 * what is read, it selects nothing.
 */
static const struct option ingest_longopts[] = {
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "follow", no_argument, NULL, 'f' },
	{ "no-resume", no_argument, NULL, OPT_NO_RESUME },
	{ "final", no_argument, NULL, OPT_FINAL },
	{ "context-lines", required_argument, NULL, OPT_CONTEXT_LINES },
	{ "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES },
	{ "quiet", no_argument, NULL, 'q' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static void
counts_add(struct store_ingest_counts *t, const struct store_ingest_counts *c)
{
	t->bytes += c->bytes;
	t->lines += c->lines;
	t->records += c->records;
	t->events += c->events;
	t->duplicates += c->duplicates;
	t->repeats += c->repeats;
	t->reread += c->reread;
	t->malformed += c->malformed;
	t->truncated += c->truncated;
	t->no_timestamp += c->no_timestamp;
	t->untimed += c->untimed;
	t->held += c->held;
	t->backwards += c->backwards;
	t->bad_utf8 += c->bad_utf8;
	t->nul_bytes += c->nul_bytes;
	t->regex_errors += c->regex_errors;
	t->skipped_bytes += c->skipped_bytes;
}

/*
 * Is path, or the directory it would be created in, on a read-only file
 * system?  SQLite only says "unable to open database file" there.
 */
static int
on_readonly_fs(const char *path)
{
	struct statvfs vfs;
	char *dir, *slash;
	int rc;

	if (statvfs(path, &vfs) == 0)
		return (vfs.f_flag & ST_RDONLY) != 0;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL)
		rc = statvfs(".", &vfs);
	else {
		slash[slash == dir] = '\0';
		rc = statvfs(dir, &vfs);
	}
	free(dir);
	return rc == 0 && (vfs.f_flag & ST_RDONLY) != 0;
}

/*
 * Once per source of the input just read whose records' own stamps and
 * envelope stamps differ by whole hours: by how much, and the --tz that
 * reads the naive side right.  Said even with -q: the times are wrong.
 */
static void
print_clocks(const struct ingest *in, int tz_auto)
{
	const struct ingest_clock *c;
	char zone[16], fix[128];
	const char *side;
	size_t i, n;
	int32_t h, z;

	c = ingest_clocks(in, &n);
	for (i = 0; i < n; i++, c++) {
		h = c->offset / 3600;
		z = c->zone < 0 ? -c->zone : c->zone;
		if (c->zone == 0)
			snprintf(zone, sizeof zone, "UTC");
		else
			snprintf(zone, sizeof zone, "%c%02d:%02d",
			    c->zone < 0 ? '-' : '+', (int)(z / 3600),
			    (int)(z / 60 % 60));
		side = c->env_naive ? "envelope's" : "records' own";
		if (!c->fixable)
			snprintf(fix, sizeof fix, "both stamps have a zone, so"
			    " --tz cannot fix it");
		else if (tz_auto)
			snprintf(fix, sizeof fix, "--tz auto read the %s at %s%s",
			    side, zone, c->own_naive && c->env_naive ?
			    ", the records' own as UTC" : "");
		else
			snprintf(fix, sizeof fix, "%s--tz %s (or --tz auto) reads"
			    " the %s right", c->own_naive && c->env_naive ?
			    "if the records' own are UTC, " : "", zone, side);
		cmd_error("%s: the records' own stamps are %d h %s their"
		    " envelope's (%llu of %llu records); %s", c->source,
		    h < 0 ? -h : h, h < 0 ? "behind" : "ahead of",
		    (unsigned long long)c->n, (unsigned long long)c->total, fix);
	}
}

static void
print_summary(const struct store_ingest_counts *t, size_t ninputs)
{
	char same[64] = "", untimed[64] = "", again[64] = "", held[128] = "";

	/* only rules with `same` make them: said when there are some */
	if (t->repeats > 0)
		snprintf(same, sizeof same, ", %llu same-sample duplicates",
		    (unsigned long long)t->repeats);
	/* only inputs with no time at all (a pasted excerpt) have them */
	if (t->untimed > 0)
		snprintf(untimed, sizeof untimed, ", untimed %llu",
		    (unsigned long long)t->untimed);
	if (t->reread > 0)
		snprintf(again, sizeof again, " (%llu read again: the rules"
		    " changed)", (unsigned long long)t->reread);
	/* a file that may still grow: its last line may be half written */
	if (t->held > 0)
		snprintf(held, sizeof held, "; %llu line%s of an unfinished last"
		    " record left for the next run (--final stores %s)",
		    (unsigned long long)t->held, t->held == 1 ? "" : "s",
		    t->held == 1 ? "it" : "them");
	cmd_error("%llu lines, %llu bytes, %llu records, %llu events (%llu duplicates%s)"
	    " from %zu inputs%s; malformed %llu, truncated %llu, no timestamp %llu,"
	    " backwards %llu, bad UTF-8 %llu, NUL bytes %llu, regex errors %llu%s%s",
	    (unsigned long long)t->lines, (unsigned long long)t->bytes,
	    (unsigned long long)t->records, (unsigned long long)t->events,
	    (unsigned long long)t->duplicates, same, ninputs, again,
	    (unsigned long long)t->malformed, (unsigned long long)t->truncated,
	    (unsigned long long)t->no_timestamp, (unsigned long long)t->backwards,
	    (unsigned long long)t->bad_utf8, (unsigned long long)t->nul_bytes,
	    (unsigned long long)t->regex_errors, untimed, held);
}

/*
 * --stats: where the time went.  Reading is the main thread from the
 * first input to the last; closing is the final checkpoint and the
 * threads' ends.  Of the two threads, the one that waited less set the
 * pace.
 */
static void
print_times(double t_start, double t_read, double t_close, double cpu_read,
    const struct ingest_times *t)
{
	double end = util_elapsed();

	cmd_error("time %.3f s: set-up %.3f s; reading %.3f s, %.3f s CPU,"
	    " %.3f s waiting for the writer; the writer %.3f s CPU (correlation"
	    " %.3f s), %.3f s waiting for batches; checkpoints %.3f s CPU;"
	    " decompression %.3f s CPU; context compression %.3f s CPU;"
	    " closing %.3f s", end - t_start,
	    t_read - t_start, t_close - t_read, cpu_read, t->read_blocked,
	    t->write_cpu, t->correlate_cpu, t->write_idle, t->checkpoint_cpu,
	    t->decompress_cpu, t->compress_cpu, end - t_close);
}

/*
 * Whether every input is a file that ends: read whole and not followed,
 * a new database is then built unseen and appears whole (STORE_BUILD).
 * Standard input and pipes may be a live stream that a TUI beside them
 * watches; a missing input fails later.
 */
static int
inputs_are_files(char **inputs, int n)
{
	struct stat sb;
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(inputs[i], "-") == 0 || stat(inputs[i], &sb) != 0 ||
		    !S_ISREG(sb.st_mode))
			return 0;
	return n > 0;
}

static int
cmd_ingest_exec(int argc, char **argv)
{
	struct ingest_opts opts;
	struct store_ingest_counts total, c;
	struct diag_list diags;
	struct sigaction sa;
	struct ruleset *rs = NULL;
	struct store *st = NULL;
	struct ingest *in = NULL;
	const struct ingest_overflow *ovf;
	struct cmd_common cc;
	struct stat sb;
	const char **rule_args = NULL, *path;
	const char *stdin_only[] = { "-" };
	struct rules_dir *dirs = NULL;
	char *dbpath, err[1024], *end;
	long lval;
	size_t nrule_args = 0, ndirs = 0, i, ninputs, nfailed = 0;
	char **inputs;
	int ch, quiet = 0, stats = 0, no_defaults = 0, fmt, rc = EXIT_RUNTIME, files;
	struct ingest_times times;
	double t_start = util_elapsed(), t_read = 0, t_close = 0, cpu_read = 0;

	memset(&opts, 0, sizeof opts);
	memset(&times, 0, sizeof times);
	opts.format = ENVELOPE_AUTO;
	opts.context_lines = CONTEXT_DEFAULT;
	rule_args = xcalloc((size_t)argc + 1, sizeof *rule_args);
	cmd_common_init(&cc, &cmd_ingest_entry, CMD_OPT_DB | CMD_OPT_TZ |
	    CMD_OPT_TZ_AUTO, ":fq", ingest_longopts);
	while ((ch = cmd_getopt(&cc, argc, argv)) != -1) {
		switch (ch) {
		case OPT_RULES:
			rule_args[nrule_args++] = optarg;
			break;
		case OPT_SOURCE:
			if (*optarg == '\0') {
				cmd_error("ingest: --source needs a name");
				rc = EXIT_USAGE;
				goto out;
			}
			opts.source = optarg;
			break;
		case OPT_FORMAT:
			if ((fmt = envelope_format_from_name(optarg)) < 0) {
				struct buf names;

				buf_init(&names);
				format_names(&names, 0);
				cmd_error("ingest: unknown format '%s' (%s)", optarg, names.data);
				buf_free(&names);
				rc = EXIT_USAGE;
				goto out;
			}
			opts.format = (enum envelope_format)fmt;
			break;
		case 'f':
			opts.follow = 1;
			break;
		case OPT_NO_RESUME:
			opts.no_resume = 1;
			break;
		case OPT_FINAL:
			opts.final = 1;
			break;
		case OPT_CONTEXT_LINES:
			errno = 0;
			lval = strtol(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' ||
			    lval < 0 || lval > CONTEXT_MAX) {
				cmd_error("ingest: bad --context-lines '%s' (0 to %d)",
				    optarg, CONTEXT_MAX);
				rc = EXIT_USAGE;
				goto out;
			}
			opts.context_lines = (int)lval;
			break;
		case OPT_NO_DEFAULT_RULES:
			no_defaults = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_STATS:
			stats = 1;
			break;
		case OPT_HELP:
			usage(&cc);
			rc = EXIT_OK;
			goto out;
		default:
			rc = cmd_option_error(&cmd_ingest_entry, ch, argv);
			goto out;
		}
	}
	if ((rc = cmd_common_finish(&cc)) != 0)
		goto out;
	files = inputs_are_files(argv + optind, argc - optind);
	rc = EXIT_RUNTIME;
	opts.tz_auto = cc.tz_auto;
	opts.tz = cc.tz;

	if (no_defaults && nrule_args == 0) {
		cmd_error("ingest: --no-default-rules needs --rules");
		rc = EXIT_USAGE;
		goto out;
	}
	dirs = rules_layers(rule_args, nrule_args, no_defaults, &ndirs);
	memset(&diags, 0, sizeof diags);
	rs = ruleset_load_layers(dirs, ndirs, &diags);
	if (diags.n > 0 || rs == NULL) {
		diag_print(stderr, &diags);
		diag_list_free(&diags);
		rc = EXIT_USAGE;
		goto out;
	}
	diag_list_free(&diags);

	dbpath = cc.db;
	if ((st = store_open(dbpath, STORE_CREATE | STORE_APPEND |
	    (files && !opts.follow ? STORE_BUILD : 0),
	    err, sizeof err)) == NULL) {
		if (on_readonly_fs(dbpath))
			cmd_error("%s: cannot write the database: read-only file system", dbpath);
		else
			cmd_error("%s", err);
		goto out;
	}
	if (store_begin(st, err, sizeof err) != 0 ||
	    store_sync_rules(st, rs, err, sizeof err) != 0 ||
	    store_commit(st, err, sizeof err) != 0) {
		store_rollback(st);
		cmd_error("%s", err);
		goto out;
	}
	if (store_checkpoint_behind(st, err, sizeof err) != 0) {
		cmd_error("%s", err);
		goto out;
	}

	/*
	 * No SA_RESTART: a read in progress is interrupted, and the reader
	 * polls streams in short slices in case the signal went elsewhere.
	 */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	opts.stop = &ingest_stop;
	if ((in = ingest_new(st, rs, &opts, err, sizeof err)) == NULL) {
		cmd_error("%s", err);
		goto out;
	}

	inputs = optind < argc ? argv + optind : (char **)stdin_only;
	ninputs = optind < argc ? (size_t)(argc - optind) : 1;
	memset(&total, 0, sizeof total);
	t_read = util_elapsed();
	cpu_read = util_thread_cpu();
	for (i = 0; i < ninputs && !ingest_stop; i++) {
		path = inputs[i];
		if (strcmp(path, "-") != 0 && stat(path, &sb) != 0) {
			cmd_error("%s: %s", path, strerror(errno));
			nfailed++;
			continue;
		}
		/* the terminal, not a pipe: say what ingest waits for */
		if (strcmp(path, "-") == 0 && !quiet && isatty(STDIN_FILENO))
			cmd_error("reading a log from the terminal until Ctrl-D;"
			    " give FILEs or pipe one in: docker logs NAME 2>&1 |"
			    " logtriage ingest");
		err[0] = '\0';
		if (ingest_input(in, path, &c, err, sizeof err) != 0) {
			if (strstr(err, path) != NULL)
				cmd_error("%s", err);
			else
				cmd_error("%s: %s", path, err);
			nfailed++;
		}
		if (c.reread && !quiet)
			cmd_error("%s: the rules changed since it was read: reading it"
			    " again from the start", path);
		/* its every other byte is a NUL: say why, and what to do */
		if (c.utf16)
			cmd_error("%s: UTF-16 text (it opens with that byte order"
			    " mark); logtriage reads UTF-8: convert it first, as"
			    " with iconv -f UTF-16 -t UTF-8", path);
		/*
		 * events and not one time: an application that writes no
		 * stamps, read without Docker's (or a pasted excerpt)
		 */
		if (!quiet && c.events > 0 && c.untimed == c.records)
			cmd_error("%s: no record told a time: its events are"
			    " untimed, in no window (docker logs -t gives every"
			    " line Docker's stamp)", strcmp(path, "-") == 0 ?
			    "standard input" : path);
		/*
		 * newest first (logcli query without --forward, a reversed
		 * file): each record is stored at its own time, but one of
		 * several lines was read from its last line to its first
		 */
		if (!quiet && c.records - c.untimed >= 16 &&
		    c.backwards * 2 > c.records - c.untimed)
			cmd_error("%s: %llu of %llu records are older than the"
			    " one before: the input runs newest first (as logcli"
			    " query prints without --forward), and a record of"
			    " several lines is read in the wrong order",
			    strcmp(path, "-") == 0 ? "standard input" : path,
			    (unsigned long long)c.backwards,
			    (unsigned long long)(c.records - c.untimed));
		/*
		 * a text table or a transcript read as compose lines: where
		 * the records of the names past the cap went
		 */
		if (!quiet && (ovf = ingest_overflow(in)) != NULL)
			cmd_error("%s: more than %d sources named: the %llu"
			    " records of the names past the first %d are stored"
			    " as the source '%s'", strcmp(path, "-") == 0 ?
			    "standard input" : path, INGEST_SOURCES_MAX,
			    (unsigned long long)ovf->records,
			    INGEST_SOURCES_MAX, ovf->source);
		counts_add(&total, &c);
		print_clocks(in, opts.tz_auto);
	}
	cpu_read = util_thread_cpu() - cpu_read;
	ingest_times(in, &times);
	t_close = util_elapsed();
	if (!quiet)
		print_summary(&total, ninputs);
	rc = nfailed > 0 ? EXIT_RUNTIME : EXIT_OK;
out:
	ingest_free(in);
	if (store_finish(st, err, sizeof err) != 0) {
		cmd_error("%s", err);
		rc = EXIT_RUNTIME;
	}
	store_close(st);
	if (stats && t_close > 0)
		print_times(t_start, t_read, t_close, cpu_read, &times);
	if (rs != NULL)
		ruleset_free(rs);
	rules_dirs_free(dirs, ndirs);
	cmd_common_free(&cc);
	free(rule_args);
	if (ingest_stop != 0) {
		/*
		 * What was read is committed (status stopped): end by the
		 * signal, so that the caller sees 130 or 143 and a shell
		 * loop around us stops too.
		 */
		signal(ingest_stop, SIG_DFL);
		raise(ingest_stop);
	}
	return rc;
}

const struct cmd_entry cmd_ingest_entry = {
	"ingest",
	"[--db PATH] [--rules DIR]... [--no-default-rules] [--source NAME] [--format FMT]"
	" [--tz ZONE] [-f|--follow] [--no-resume] [--final] [--context-lines N]"
	" [-q|--quiet] [--stats] [FILE|-]...",
	"Read logs, recognise events with the rules and store them.",
	cmd_ingest_exec,
	/*
	 * whatever the input: the second start of the program that
	 * cmd_tune_memory costs would be a fifth of a 10 MB ingest
	 */
	1
};
