/*
 * cmd_events.c - `logtriage events`: the stored events, one per line, as
 * ndjson or tsv, filtered by source (glob), rule, category and log time,
 * in (ts, id) order.  Reads the store only.  --after-id and --follow read
 * in id order from a stored position instead, for log shippers: --follow
 * polls for events as they are stored until SIGINT, SIGTERM or --until.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "context.h"
#include "severity.h"
#include "store.h"
#include "store_query.h"
#include "timeparse.h"
#include "util.h"

static const char events_options[] =
    "options:\n"
    "@db\n"
    "@source\n"
    "@rule\n"
    "  --category C       only rules of category C (repeatable)\n"
    "  --field KEY=VALUE  only events whose field KEY (own or inherited)\n"
    "                     is VALUE exactly (repeatable: all of them)\n"
    "@since\n"
    "@until\n"
    "@tz\n"
    "  --untimed          only the events whose input had no time (ts null),\n"
    "                     which no window holds\n"
    "  --format F         ndjson (default) or tsv\n"
    "  --limit N          at most N events\n"
    "  --after-id N       only events with id > N, in id order\n"
    "  --follow           print events as they are stored, until SIGINT,\n"
    "                     SIGTERM or (with --until) log time reaching it;\n"
    "                     the last id printed goes to stderr\n"
    "  --poll-ms N        --follow: look for new events every N ms (1000)\n"
    "  --context N        each event with N lines before and after it, as\n"
    "                     grep -C prints them (its own lines marked ':'),\n"
    "                     read again from its file or from the records kept\n"
    "                     of a stream, instead of ndjson or tsv\n"
    "  --help             this text\n";

enum {
	OPT_CATEGORY = 256,
	OPT_FIELD,
	OPT_FORMAT,
	OPT_LIMIT,
	OPT_AFTER_ID,
	OPT_FOLLOW,
	OPT_POLL_MS,
	OPT_UNTIMED,
	OPT_CONTEXT,
	OPT_HELP
};

/* With the common --db, --source, --rule, --since, --until and --tz. */
static const struct option events_longopts[] = {
	{ "category", required_argument, NULL, OPT_CATEGORY },
	{ "field", required_argument, NULL, OPT_FIELD },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "after-id", required_argument, NULL, OPT_AFTER_ID },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "poll-ms", required_argument, NULL, OPT_POLL_MS },
	{ "untimed", no_argument, NULL, OPT_UNTIMED },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* Rows a --follow poll reads at most before printing and polling again. */
#define EVENTS_FOLLOW_BATCH	1000

static volatile sig_atomic_t events_stop;

static void
events_on_signal(int sig)
{
	events_stop = 1;
}

static int
parse_count(const char *opt, const char *arg, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(arg, &end, 10);
	if (errno != 0 || *arg == '\0' || *end != '\0' || *v < 0) {
		cmd_error("events: bad %s '%s'", opt, arg);
		return -1;
	}
	return 0;
}

/* Sleep ms, cut short by a signal. */
static void
events_nap(long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static const char *
col_text(struct store_rows *st, int i)
{
	const char *p = store_rows_text(st, i);

	return p != NULL ? p : "";
}

/* Own fields, then inherited ones the event lacks. */
static void
put_fields(struct buf *b, const char *own, const char *inherited)
{
	cJSON *o = cJSON_Parse(own != NULL && *own != '\0' ? own : "{}");
	cJSON *h, *item;
	char *s;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	h = inherited != NULL && *inherited != '\0' ? cJSON_Parse(inherited) : NULL;
	if (cJSON_IsObject(h)) {
		cJSON_ArrayForEach(item, h) {
			if (item->string != NULL &&
			    !cJSON_HasObjectItem(o, item->string))
				cJSON_AddItemToObject(o, item->string,
				    cJSON_Duplicate(item, 1));
		}
	}
	s = cJSON_PrintUnformatted(o);
	buf_puts(b, s != NULL ? s : "{}");
	free(s);
	cJSON_Delete(h);
	cJSON_Delete(o);
}

static void
put_json_str(struct buf *b, const char *key, const char *p, size_t n, int first)
{
	buf_printf(b, "%s\"%s\":\"", first ? "" : ",", key);
	util_escape_json(b, p, n);
	buf_putc(b, '"');
}

/* TSV cell: backslash, tab, newline and other control bytes escaped. */
static void
put_tsv(struct buf *b, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i, k;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			buf_puts(b, "\\\\");
			continue;
		case '\t':
			buf_puts(b, "\\t");
			continue;
		case '\n':
			buf_puts(b, "\\n");
			continue;
		case '\r':
			buf_puts(b, "\\r");
			continue;
		}
		if (s[i] < 0x20 || s[i] == 0x7f) {
			buf_printf(b, "\\x%02x", s[i]);
			continue;
		}
		if (s[i] < 0x80) {
			buf_putc(b, (char)s[i]);
			continue;
		}
		k = util_utf8_seq(s + i, n - i);
		/* C1 controls are as dangerous as C0 ones on a terminal. */
		if (k == 0 || (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			buf_printf(b, "\\x%02x", s[i]);
			continue;
		}
		buf_append(b, s + i, k);
		i += k - 1;
	}
}

/*
 * A metric event's value: as stored, its unit, and as a person reads it
 * ("2.28 s"); a repeat of a sample (same = ...) says so.
 */
static void
put_value(struct buf *b, struct store_rows *q)
{
	const char *unit = store_rows_text(q, 12);
	double v = store_rows_double(q, 11);
	struct buf shown;

	if (store_rows_null(q, 11))
		return;
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		buf_printf(b, ",\"value\":%lld", (long long)v);
	else
		buf_printf(b, ",\"value\":%.17g", v);
	buf_init(&shown);
	util_format_quantity(&shown, v, unit);
	if (unit != NULL)
		put_json_str(b, "unit", unit, strlen(unit), 0);
	put_json_str(b, "value_text", shown.data, shown.len, 0);
	buf_free(&shown);
	if (!store_rows_null(q, 13))
		buf_puts(b, ",\"repeat\":true");
}

/*
 * An event and the lines around it, grep -C style: a line naming it, then
 * FILE-LINE-text for the lines around and FILE:LINE:text for its own;
 * why the context is not there when it is not.  Groups are separated by
 * "--".  Returns 0, or -1 when the database cannot be read.
 */
static int
put_context(struct buf *b, struct store *s, struct store_rows *q, long long lines,
    int first)
{
	const char *name, *sevname;
	struct context c;
	char iso[40], err[512];
	size_t i;
	int sev;

	if (context_read(s, store_rows_int64(q, 10), (int)lines, (int)lines,
	    &c, err, sizeof err) != 0) {
		cmd_error("events: %s", err);
		context_free(&c);
		return -1;
	}
	if (!first)
		buf_puts(b, "--\n");
	util_format_iso(store_rows_int64(q, 0), iso, sizeof iso);
	sev = store_rows_null(q, 4) ? -1 :
	    store_rows_int(q, 4);
	sevname = sev >= 0 && sev < SEV_COUNT ? severity_name(sev) : "";
	buf_printf(b, "== event %lld  %s  ", (long long)store_rows_int64(q,
	    10), iso);
	util_escape_terminal(b, col_text(q, 1), strlen(col_text(q, 1)), 0);
	buf_printf(b, "  %s  %s\n", col_text(q, 2), sevname);
	if (c.why[0] != '\0')
		buf_printf(b, "%s\n", c.why);
	name = c.path != NULL ? c.path : col_text(q, 1);
	for (i = 0; i < c.n; i++) {
		util_escape_terminal(b, name, strlen(name), 0);
		buf_printf(b, "%c%llu%c", c.lines[i].own ? ':' : '-',
		    (unsigned long long)c.lines[i].lineno,
		    c.lines[i].own ? ':' : '-');
		util_escape_terminal(b, c.lines[i].text, c.lines[i].len, 0);
		buf_putc(b, '\n');
	}
	context_free(&c);
	return 0;
}

static int
cmd_events_exec(int argc, char **argv)
{
	struct cmd_common cc;
	struct store_filter f;
	const char **cats, **fields;
	struct store *st = NULL;
	struct store_rows *q = NULL;
	struct buf b;
	const char *fmt = "ndjson";
	int untimed = 0;
	const char *src, *rule, *cat, *text, *sevname;
	char err[1024], iso[40], *end;
	long long limit = -1, shown = 0, after_id = -1, last_id, poll_ms = 1000;
	long long context = -1;
	int ch, rc = EXIT_RUNTIME, tsv, step = 0, sev, follow = 0;
	int last_pass = 0;
	int64_t newest, nrows;
	enum store_events_order order;
	struct sigaction sa;
	size_t n, ncats = 0, nfields = 0;

	buf_init(&b);
	cats = xcalloc((size_t)argc + 1, sizeof *cats);
	fields = xcalloc((size_t)argc + 1, sizeof *fields);
	cmd_common_init(&cc, &cmd_events_entry, CMD_OPT_DB | CMD_OPT_WINDOW |
	    CMD_OPT_SOURCE | CMD_OPT_RULE | CMD_OPT_TZ, ":", events_longopts);
	while ((ch = cmd_getopt(&cc, argc, argv)) != -1) {
		switch (ch) {
		case OPT_CATEGORY:
			cats[ncats++] = optarg;
			break;
		case OPT_FIELD:
			if (!store_field_key_ok(optarg)) {
				cmd_error("events: bad --field '%s' (KEY=VALUE,"
				    " KEY of letters, digits and '_')", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			fields[nfields++] = optarg;
			break;
		case OPT_FORMAT:
			fmt = optarg;
			break;
		case OPT_UNTIMED:
			untimed = 1;
			break;
		case OPT_LIMIT:
			errno = 0;
			limit = strtoll(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' || limit < 0) {
				cmd_error("events: bad --limit '%s'", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_AFTER_ID:
			if (parse_count("--after-id", optarg, &after_id) != 0) {
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_FOLLOW:
			follow = 1;
			break;
		case OPT_POLL_MS:
			if (parse_count("--poll-ms", optarg, &poll_ms) != 0 ||
			    poll_ms == 0) {
				if (poll_ms == 0)
					cmd_error("events: bad --poll-ms '%s'", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_CONTEXT:
			if (parse_count("--context", optarg, &context) != 0 ||
			    context > 1000) {
				if (context > 1000)
					cmd_error("events: bad --context '%s' (at"
					    " most 1000)", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_HELP:
			cmd_common_usage(&cc, events_options, 21);
			rc = EXIT_OK;
			goto out;
		default:
			rc = cmd_option_error(&cmd_events_entry, ch, argv);
			goto out;
		}
	}
	if (optind < argc) {
		cmd_error("events: unexpected argument '%s'", argv[optind]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (strcmp(fmt, "ndjson") != 0 && strcmp(fmt, "tsv") != 0) {
		cmd_error("events: unknown format '%s' (ndjson tsv)", fmt);
		rc = EXIT_USAGE;
		goto out;
	}
	tsv = strcmp(fmt, "tsv") == 0;
	if (untimed && (cc.since_arg != NULL || cc.until_arg != NULL ||
	    after_id >= 0 || follow)) {
		cmd_error("events: --untimed: such events have no time, so"
		    " --since, --until, --after-id and --follow do not apply");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cmd_common_finish(&cc)) != 0)
		goto out;
	rc = EXIT_RUNTIME;
	memset(&f, 0, sizeof f);
	f.since = cc.since;
	f.until = cc.until;
	f.sources = cc.sources;
	f.nsources = cc.nsources;
	f.rules = cc.rules;
	f.nrules = cc.nrules;
	f.categories = cats;
	f.ncategories = ncats;
	f.fields = fields;
	f.nfields = nfields;

	if ((st = store_open(cc.db, STORE_READONLY, err, sizeof err)) == NULL) {
		cmd_error("%s", err);
		goto out;
	}
	if (follow && after_id < 0)
		after_id = 0;
	last_id = after_id;
	if (follow) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = events_on_signal;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	order = untimed ? STORE_EVENTS_UNTIMED : after_id < 0 ?
	    STORE_EVENTS_BY_TIME : STORE_EVENTS_AFTER_ID;
	/* --follow comes back here for each poll. */
poll:
	if (store_events_query(st, &f, order, after_id, follow ?
	    EVENTS_FOLLOW_BATCH : limit, &q, err, sizeof err) != 0) {
		cmd_error("%s: %s", cc.db, err);
		goto out;
	}
	nrows = 0;
	while ((limit < 0 || shown < limit) && !events_stop &&
	    (step = store_rows_next(q)) == 1) {
		nrows++;
		if (after_id >= 0)
			after_id = store_rows_int64(q, 10);
		src = col_text(q, 1);
		rule = col_text(q, 2);
		cat = col_text(q, 3);
		if (store_rows_null(q, 0))
			snprintf(iso, sizeof iso, "-");
		else
			tz_format_iso(cc.tz, store_rows_int64(q, 0), iso,
			    sizeof iso);
		sev = store_rows_null(q, 4) ? -1 :
		    store_rows_int(q, 4);
		text = store_rows_blob(q, 9, &n);
		if (text == NULL)
			text = "";
		buf_reset(&b);
		if (context >= 0) {
			if (put_context(&b, st, q, context,
			    shown == 0) != 0)
				goto out;
			b.len--;	/* the newline comes below */
		} else if (tsv) {
			buf_puts(&b, iso);
			buf_putc(&b, '\t');
			put_tsv(&b, src, strlen(src));
			buf_putc(&b, '\t');
			put_tsv(&b, rule, strlen(rule));
			sevname = sev >= 0 && sev < SEV_COUNT ? severity_name(sev) : "";
			buf_printf(&b, "\t%s\t%lld\t", sevname,
			    (long long)store_rows_int64(q, 5));
			if (!store_rows_null(q, 11))
				util_format_quantity(&b,
				    store_rows_double(q, 11),
				    store_rows_text(q, 12));
			buf_putc(&b, '\t');
			put_tsv(&b, text, n);
		} else {
			buf_putc(&b, '{');
			if (store_rows_null(q, 0))
				buf_puts(&b, "\"ts\":null");
			else
				put_json_str(&b, "ts", iso, strlen(iso), 1);
			put_json_str(&b, "source", src, strlen(src), 0);
			put_json_str(&b, "rule", rule, strlen(rule), 0);
			put_json_str(&b, "category", cat, strlen(cat), 0);
			sevname = sev >= 0 && sev < SEV_COUNT ? severity_name(sev) : "";
			put_json_str(&b, "severity", sevname, strlen(sevname), 0);
			buf_printf(&b, ",\"line\":%lld,\"line_end\":%lld,\"fields\":",
			    (long long)store_rows_int64(q, 5),
			    (long long)store_rows_int64(q, 6));
			put_fields(&b, store_rows_text(q, 7),
			    store_rows_text(q, 8));
			put_value(&b, q);
			put_json_str(&b, "text", text, n, 0);
			buf_printf(&b, ",\"id\":%lld}",
			    (long long)store_rows_int64(q, 10));
		}
		buf_putc(&b, '\n');
		if (fwrite(b.data, 1, b.len, stdout) != b.len)
			break;
		last_id = store_rows_int64(q, 10);
		shown++;
	}
	if (step != 0 && step != 1) {
		store_read_error(st, err, sizeof err, NULL);
		cmd_error("%s: %s", cc.db, err);
		goto out;
	}
	store_rows_free(q);
	q = NULL;
	if (follow && !events_stop && (limit < 0 || shown < limit) &&
	    !ferror(stdout) && fflush(stdout) == 0) {
		if (nrows == EVENTS_FOLLOW_BATCH)
			goto poll;
		if (last_pass)
			goto done;
		if (cc.until != TS_NONE) {
			if (store_newest_log_time(st, &newest, err, sizeof err) != 0) {
				cmd_error("%s", err);
				goto out;
			}
			/*
			 * An ingest may have committed events before --until
			 * since the poll: one more poll prints them.
			 */
			if (newest != TS_NONE && newest >= cc.until) {
				last_pass = 1;
				goto poll;
			}
		}
		events_nap(poll_ms);
		goto poll;
	}
done:
	if (follow || after_id >= 0)
		fprintf(stderr, "logtriage: last id %lld\n", last_id);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_error("events: writing output: %s", strerror(errno));
		goto out;
	}
	rc = EXIT_OK;
out:
	store_rows_free(q);
	store_close(st);
	cmd_common_free(&cc);
	free(cats);
	free(fields);
	buf_free(&b);
	return rc;
}

const struct cmd_entry cmd_events_entry = {
	"events",
	"[--db PATH] [--source S]... [--rule R]... [--category C]... [--since T]"
	" [--until T] [--tz ZONE] [--untimed] [--format ndjson|tsv] [--limit N] [--after-id N] [--follow]"
	" [--poll-ms N] [--context N]",
	"Print the stored events, one per line (ndjson or tsv).",
	cmd_events_exec,
	0
};
