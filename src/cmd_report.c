/*
 * cmd_report.c - `logtriage report`: parse the options, open the store
 * read-only, build the report (and its baseline), render it and choose the
 * exit status for cron.  Decides colour (a terminal without NO_COLOR).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "report.h"
#include "rules.h"
#include "severity.h"
#include "store.h"
#include "timeparse.h"

/* --help text around the --format line, which comes from the table */
static const char report_options_head[] =
    "@db\n"
    "@since\n"
    "@until\n"
    "@tz\n"
    "@source\n";
static const char report_options_tail[] =
    "  -o, --output FILE     write FILE atomically instead of standard output (-)\n"
    "  --compare previous    compare with the window of the same length before\n"
    "@baseline\n"
    "  --slow-ms N           p95 above N ms is a finding for every duration\n"
    "                        metric (default: each rule's own slow threshold)\n"
    "  --fail-on LEVEL       exit 1 if a finding or an event is at or above LEVEL\n"
    "  --all                 also rules without events, unchanged rules, empty\n"
    "                        tables, every source, incident and\n"
    "                        metric group\n";

/*
 * The report formats.  A renderer appends the report to out; totals is
 * the store's totals when the format asks for them, else NULL; color is
 * set only for a format that takes colour, writing to a terminal.
 */
typedef void report_render_fn(const struct report *r,
    const struct report_totals *totals, struct buf *out, int color);

/* An empty window: the one-line note alone, or the note on stderr and the
 * rendered (empty) report on stdout for formats a program reads. */
enum { EMPTY_NOTE_ONLY, EMPTY_RENDER };

struct report_format {
	const char		*name;
	const char		*alias;		/* or NULL */
	report_render_fn	*render;
	int			 empty;		/* EMPTY_* */
	int			 needs_totals;
	int			 color;
};

static void
render_text(const struct report *r, const struct report_totals *t,
    struct buf *out, int color)
{
	(void)t;
	report_render_text(r, out, color);
}

static void
render_markdown(const struct report *r, const struct report_totals *t,
    struct buf *out, int color)
{
	(void)t, (void)color;
	report_render_markdown(r, out);
}

static void
render_json(const struct report *r, const struct report_totals *t,
    struct buf *out, int color)
{
	(void)t, (void)color;
	report_render_json(r, out);
}

static void
render_html(const struct report *r, const struct report_totals *t,
    struct buf *out, int color)
{
	(void)t, (void)color;
	report_render_html(r, out);
}

static void
render_prometheus(const struct report *r, const struct report_totals *t,
    struct buf *out, int color)
{
	(void)color;
	report_render_prometheus(r, t, out);
}

/* The first is the default. */
static const struct report_format report_formats[] = {
	{ "text", NULL, render_text, EMPTY_NOTE_ONLY, 0, 1 },
	{ "markdown", "md", render_markdown, EMPTY_NOTE_ONLY, 0, 0 },
	{ "json", NULL, render_json, EMPTY_RENDER, 0, 0 },
	{ "html", NULL, render_html, EMPTY_RENDER, 0, 0 },
	{ "prometheus", "prom", render_prometheus, EMPTY_RENDER, 1, 0 },
};

enum {
	OPT_FORMAT = 256, OPT_COMPARE, OPT_SLOW, OPT_FAILON, OPT_ALL, OPT_HELP
};

/* With the common --db, --since, --until, --baseline, --source and --tz. */
static const struct option report_long[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "compare", required_argument, NULL, OPT_COMPARE },
	{ "slow-ms", required_argument, NULL, OPT_SLOW },
	{ "fail-on", required_argument, NULL, OPT_FAILON },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

struct report_opts {
	struct cmd_common cc;
	const char	*output;
	const struct report_format *format;
	int		 compare_previous, fail_on, all;
	int64_t		 slow_ms;
};

static const struct report_format *
find_format(const char *s)
{
	const struct report_format *f;
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(report_formats); i++) {
		f = &report_formats[i];
		if (strcmp(s, f->name) == 0 ||
		    (f->alias != NULL && strcmp(s, f->alias) == 0))
			return f;
	}
	return NULL;
}

/* The format names joined by sep, the last by last_sep. */
static void
format_names(struct buf *b, const char *sep, const char *last_sep)
{
	size_t i, n = UTIL_ARRAY_LEN(report_formats);

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, i + 1 == n ? last_sep : sep);
		buf_puts(b, report_formats[i].name);
	}
}

static void
usage(const struct cmd_common *cc)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, report_options_head);
	buf_puts(&b, "  --format FMT          ");
	format_names(&b, ", ", " or ");
	buf_putc(&b, '\n');
	buf_puts(&b, report_options_tail);
	cmd_common_usage(cc, b.data, 24);
	buf_free(&b);
}

/* Returns -1 to continue, else the exit status. */
static int
parse_args(int argc, char **argv, struct report_opts *o)
{
	char *end;
	int c;

	o->format = &report_formats[0];
	o->fail_on = -1;
	o->slow_ms = -1;
	while ((c = cmd_getopt(&o->cc, argc, argv)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if ((o->format = find_format(optarg)) == NULL) {
				struct buf names;

				buf_init(&names);
				format_names(&names, ", ", ", ");
				cmd_error("unknown format '%s' (%s)", optarg, names.data);
				buf_free(&names);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			/* "-" is standard output, as for the inputs */
			o->output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case OPT_COMPARE:
			if (strcmp(optarg, "previous") != 0) {
				cmd_error("--compare takes 'previous' (or use --baseline A..B)");
				return EXIT_USAGE;
			}
			o->compare_previous = 1;
			break;
		case OPT_SLOW:
			o->slow_ms = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->slow_ms < 0) {
				cmd_error("--slow-ms: '%s' is not a number of milliseconds", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_FAILON:
			if ((o->fail_on = severity_from_name(optarg)) < 0) {
				cmd_error("--fail-on: unknown level '%s' (debug, info, notice,"
				    " warning, error, critical)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ALL:
			o->all = 1;
			break;
		case OPT_HELP:
			usage(&o->cc);
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_report_entry, c, argv);
		}
	}
	if (optind < argc) {
		cmd_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (o->compare_previous && o->cc.baseline_arg != NULL) {
		cmd_error("--compare previous and --baseline exclude each other");
		return EXIT_USAGE;
	}
	if ((c = cmd_common_finish(&o->cc)) != 0)
		return c;
	return -1;
}

/*
 * The untimed events' rules, the most severe first, after ": " ("log-error
 * 2 (error), ..."), then the newline.
 */
static void
untimed_rules(const struct report *r, struct buf *out)
{
	const char *sep = ": ";
	size_t i;
	int sev;

	for (sev = SEV_COUNT - 1; sev >= 0; sev--) {
		for (i = 0; i < r->nrules; i++) {
			if (r->rules[i].untimed == 0 || r->rules[i].severity != sev)
				continue;
			buf_printf(out, "%s%s %ju (%s)", sep, r->rules[i].id,
			    (uintmax_t)r->rules[i].untimed,
			    severity_name((enum severity)sev));
			sep = ", ";
		}
	}
	buf_putc(out, '\n');
}

/* Whether an untimed event's rule is at fail_on or above. */
static int
untimed_fails(const struct report *r, int fail_on)
{
	size_t i;

	for (i = 0; i < r->nrules; i++)
		if (r->rules[i].untimed > 0 && r->rules[i].severity >= fail_on)
			return 1;
	return 0;
}

/*
 * The line for an empty window, with a hint where the data is: a window
 * of the same length ending at the newest stored record (newest: TS_NONE
 * when the sources in scope hold none).
 */
static void
empty_line(const struct report_query *q, const struct report *r, int64_t now,
    const struct tz *tz, struct buf *out)
{
	int64_t newest = r->newest;
	char a[40], b[40];
	int64_t end, len;

	if (q->since == TS_NONE && q->until == TS_NONE) {
		if (r->input.untimed_events > 0) {
			buf_printf(out, "logtriage: no timed events in the"
			    " database; %ju untimed (their input had no time;"
			    " logtriage events --untimed lists them)",
			    (uintmax_t)r->input.untimed_events);
			untimed_rules(r, out);
		} else
			buf_puts(out, "logtriage: no events in the database\n");
		return;
	}
	tz_format_iso(tz, q->since, a, sizeof(a));
	tz_format_iso(tz, q->until, b, sizeof(b));
	buf_printf(out, "logtriage: no events between %s and %s",
	    q->since == TS_NONE ? "the first record" : a,
	    q->until == TS_NONE ? "the last record" : b);
	if (newest == TS_NONE) {
		buf_putc(out, '\n');
		return;
	}
	tz_format_iso(tz, newest, a, sizeof(a));
	buf_printf(out, "; the newest stored record is %s", a);
	if (q->since == TS_NONE) {
		buf_puts(out, "\n");
		return;
	}
	/* the next whole minute after it, so the window holds it */
	end = (newest / 60000 + 1) * 60000;
	len = (q->until != TS_NONE ? q->until : now) - q->since;
	tz_format_iso(tz, (end - len) / 60000 * 60000, a, sizeof(a));
	tz_format_iso(tz, end, b, sizeof(b));
	buf_printf(out, ": try --since %s", a);
	if (q->until != TS_NONE)
		buf_printf(out, " --until %s", b);
	buf_putc(out, '\n');
}

static int
run(struct report_opts *o)
{
	struct report_query q, bq;
	struct report *r = NULL;
	struct report_totals *tot = NULL;
	struct store *st = NULL;
	struct buf out;
	char err[512], *path = o->cc.db;
	int64_t now = util_now_ms();
	int rc = EXIT_RUNTIME, color = 0, empty;
	size_t i;

	memset(&q, 0, sizeof(q));
	memset(&bq, 0, sizeof(bq));
	buf_init(&out);
	q.sources = o->cc.sources;
	q.nsources = o->cc.nsources;
	q.slow_ms = o->slow_ms;
	q.since = o->cc.since;
	q.until = o->cc.until;
	q.tz = o->cc.tz;
	bq = q;
	bq.since = o->cc.base_since;
	bq.until = o->cc.base_until;

	if ((st = store_open(path, STORE_READONLY, err, sizeof(err))) == NULL) {
		cmd_error("%s", err);
		goto done;
	}
	if (report_build(st, &q, o->cc.baseline_arg != NULL ? &bq : NULL, &r, err, sizeof(err)) != 0) {
		cmd_error("%s: %s", path, err);
		goto done;
	}
	if (o->compare_previous && r->since != TS_NONE && r->until != TS_NONE) {
		bq.until = r->since;
		bq.since = r->since - (r->until - r->since);
		if (report_build(st, &bq, NULL, &r->baseline, err, sizeof(err)) != 0) {
			cmd_error("%s: %s", path, err);
			goto done;
		}
	}

	if (o->format->needs_totals && report_totals_build(st, &q, &tot,
	    err, sizeof(err)) != 0) {
		cmd_error("%s: %s", path, err);
		goto done;
	}

	r->show_all = o->all;
	if (r->baseline != NULL)
		r->baseline->show_all = o->all;
	empty = r->total_events == 0 &&
	    (r->baseline == NULL || r->baseline->total_events == 0);
	/* untimed events alone are reported, not noted: a pasted excerpt */
	if (empty && o->format->empty == EMPTY_NOTE_ONLY &&
	    !report_untimed_only(r))
		empty_line(&q, r, now, o->cc.tz, &out);
	else {
		/* a format a program reads says on stderr that the window is empty */
		if (empty && o->format->empty == EMPTY_RENDER) {
			struct buf line;

			buf_init(&line);
			empty_line(&q, r, now, o->cc.tz, &line);
			fputs(line.data, stderr);
			buf_free(&line);
		}
		color = o->format->color && o->output == NULL &&
		    isatty(STDOUT_FILENO) &&
		    (getenv("NO_COLOR") == NULL || *getenv("NO_COLOR") == '\0');
		o->format->render(r, tot, &out, color);
	}

	if (o->output != NULL) {
		if (util_write_atomic(o->output, out.data, out.len, err, sizeof(err)) != 0) {
			cmd_error("%s", err);
			goto done;
		}
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		cmd_error("writing the report: standard output failed");
		goto done;
	}

	rc = EXIT_OK;
	for (i = 0; o->fail_on >= 0 && i < r->nfindings; i++)
		if (r->findings[i].severity >= o->fail_on)
			rc = EXIT_FINDINGS;
	/* an event at the level fails too, whether or not a finding speaks of it */
	for (i = 0; o->fail_on >= 0 && i < r->nrules; i++)
		if (r->rules[i].count > 0 && r->rules[i].severity >= o->fail_on)
			rc = EXIT_FINDINGS;
	/*
	 * and with no window asked for, an untimed one (its input told no
	 * time: an application that writes none, a pasted excerpt), which
	 * no window holds but the database does
	 */
	if (o->fail_on >= 0 && q.since == TS_NONE && q.until == TS_NONE &&
	    untimed_fails(r, o->fail_on))
		rc = EXIT_FINDINGS;
done:
	report_totals_free(tot);
	report_free(r);
	store_close(st);
	buf_free(&out);
	return rc;
}

static int
cmd_report_exec(int argc, char **argv)
{
	struct report_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	cmd_common_init(&o.cc, &cmd_report_entry, CMD_OPT_DB | CMD_OPT_WINDOW |
	    CMD_OPT_BASELINE | CMD_OPT_SOURCE | CMD_OPT_TZ, ":o:", report_long);
	if ((rc = parse_args(argc, argv, &o)) < 0)
		rc = run(&o);
	cmd_common_free(&o.cc);
	return rc;
}

const struct cmd_entry cmd_report_entry = {
	"report",
	"[--db PATH] [--since T] [--until T] [--source NAME|GLOB]... [--format FMT]"
	" [-o FILE] [--compare previous | --baseline SINCE..UNTIL] [--slow-ms N]"
	" [--fail-on LEVEL] [--tz ZONE] [--all]",
	"Summarise the stored events of a window: findings, incidents, latency.",
	cmd_report_exec,
	0
};
