/*
 * cmd_prune.c - `logtriage prune [--older-than DURATION] [--keep-size SIZE]
 * [--dry-run]`: retention for the nightly job.  The cut-off is measured in
 * log time, the newest stored event minus DURATION, so replayed or archived
 * logs are pruned relative to their own timeline and a database that
 * stopped receiving input is not emptied by the passing of wall-clock days.
 * --keep-size removes the oldest hours of log time until the data fits in
 * SIZE: each step aims, from the events per hour, at the cut that frees
 * the excess, then measures again.
 * Deletes in bounded transactions so readers and a running ingest are
 * never blocked for long, keeps every event an open incident still waits
 * on, then reclaims the space.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "store.h"
#include "store_query.h"
#include "timeparse.h"
#include "util.h"

static const char prune_options[] =
    "@db\n"
    "  --older-than DURATION  remove what is older than the newest log time minus\n"
    "                         DURATION (30d, 12h, 2w)\n"
    "  --keep-size SIZE       then remove the oldest hours until the data fits in\n"
    "                         SIZE (500M, 2G; K, M, G, T are powers of 1024)\n"
    "  -n, --dry-run          only count what would be removed\n"
    "@tz\n";

/* Steps of --keep-size before it gives up getting closer. */
#define PRUNE_SIZE_STEPS	64
#define HOUR_MS			3600000LL
/* Log times later than the clock by more than this are future-dated. */
#define PRUNE_FUTURE_MS		(24 * HOUR_MS)

enum { OPT_OLDER = 256, OPT_KEEP, OPT_HELP };

/* With the common --db and --tz. */
static const struct option prune_long[] = {
	{ "older-than", required_argument, NULL, OPT_OLDER },
	{ "keep-size", required_argument, NULL, OPT_KEEP },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/*
 * Remove (or with dry, count) every kind's rows before cut: n[] gets each
 * kind's count, *total their sum.
 */
static int
remove_before(struct store *s, int64_t cut, int dry, uint64_t *n,
    uint64_t *total)
{
	char err[512];
	int i;

	*total = 0;
	for (i = 0; i < STORE_PRUNE_KINDS; i++) {
		if ((dry ? store_prune_count(s, i, cut, &n[i], err, sizeof err) :
		    store_prune_delete(s, i, cut, &n[i], err, sizeof err)) != 0) {
			cmd_error("%s", err);
			return -1;
		}
		*total += n[i];
	}
	return 0;
}

static int
reclaim(struct store *s)
{
	char err[512];

	if (store_reclaim(s, err, sizeof err) != 0) {
		cmd_error("%s", err);
		return -1;
	}
	return 0;
}

static int
used_bytes(struct store *s, int64_t *bytes)
{
	char err[512];

	if (store_used_bytes(s, bytes, err, sizeof err) != 0) {
		cmd_error("%s", err);
		return -1;
	}
	return 0;
}

/*
 * The next cut for --keep-size: the end of the first hour of log time,
 * later than `after`, before which `share` of the stored events lie (or
 * the end of the last hour with events).  TS_NONE when no event is left
 * in an hour ending after `after`.
 */
static int
size_cut(struct store *s, double share, int64_t after, int64_t *cut)
{
	struct store_hours h;
	int64_t total = 0, seen = 0, want;
	char err[512];
	size_t i;

	*cut = TS_NONE;
	if (store_events_per_hour(s, &h, err, sizeof err) != 0) {
		cmd_error("%s", err);
		return -1;
	}
	for (i = 0; i < h.n; i++)
		total += h.count[i];
	want = (int64_t)(share * (double)total + 0.999);
	for (i = 0; i < h.n; i++) {
		seen += h.count[i];
		if ((h.hour[i] + 1) * HOUR_MS <= after)
			continue;
		*cut = (h.hour[i] + 1) * HOUR_MS;
		if (seen >= want)
			break;
	}
	store_hours_free(&h);
	return 0;
}

static void
format_size(int64_t bytes, char *buf, size_t len)
{
	double b = (double)bytes;

	if (b >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.2f GiB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.0f KiB", b / 1024.0);
}

/*
 * Remove the oldest hours until the data fits in limit, or nothing but
 * open incidents' events is left to remove.  Space is reclaimed after each
 * step, so the next is measured on what the rows really take (deleted rows
 * leave pages half full).  n[] adds up what went.
 */
static int
prune_to_size(struct store *s, int64_t limit, int dry, uint64_t *n,
    int64_t *cut_out, int64_t *before, int64_t *after)
{
	uint64_t step[STORE_PRUNE_KINDS], removed;
	int64_t used, cut = TS_NONE, prev = TS_NONE;
	size_t i;
	int k;

	if (used_bytes(s, &used) != 0)
		return -1;
	*before = *after = used;
	for (k = 0; k < PRUNE_SIZE_STEPS && used > limit; k++) {
		/* The share of events to go: that of the excess in the data. */
		if (size_cut(s, (double)(used - limit) / (double)used,
		    prev, &cut) != 0)
			return -1;
		if (cut == TS_NONE)
			break;
		if (remove_before(s, cut, dry, step, &removed) != 0)
			return -1;
		for (i = 0; i < STORE_PRUNE_KINDS; i++)
			n[i] += step[i];
		prev = cut;
		/* A dry run cannot measure what a step would free: one step. */
		if (dry)
			break;
		if ((removed > 0 && reclaim(s) != 0) ||
		    used_bytes(s, &used) != 0)
			return -1;
	}
	*cut_out = prev;
	*after = used;
	return 0;
}

static int
cmd_prune_exec(int argc, char **argv)
{
	struct cmd_common cc;
	const char *older = NULL, *keep = NULL;
	struct store *s = NULL;
	uint64_t n[STORE_PRUNE_KINDS], m[STORE_PRUNE_KINDS];
	char err[512], cutiso[40], newiso[40], b1[40], b2[32];
	int64_t age = 0, last, cut, limit = 0, size_cut_ts = TS_NONE;
	int64_t before = 0, after = 0, sane;
	uint64_t removed = 0, future;
	int c, dry = 0, rc = EXIT_RUNTIME;

	cmd_common_init(&cc, &cmd_prune_entry, CMD_OPT_DB | CMD_OPT_TZ, ":n",
	    prune_long);
	while ((c = cmd_getopt(&cc, argc, argv)) != -1) {
		switch (c) {
		case OPT_OLDER:
			older = optarg;
			break;
		case OPT_KEEP:
			keep = optarg;
			break;
		case 'n':
			dry = 1;
			break;
		case OPT_HELP:
			cmd_common_usage(&cc, prune_options, 25);
			rc = EXIT_OK;
			goto done;
		default:
			rc = cmd_option_error(&cmd_prune_entry, c, argv);
			goto done;
		}
	}
	rc = EXIT_USAGE;
	if (optind < argc) {
		cmd_error("unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (older == NULL && keep == NULL) {
		cmd_error("prune needs --older-than DURATION (for example 30d)"
		    " or --keep-size SIZE (for example 500M)");
		goto done;
	}
	if (older != NULL && util_parse_duration(older, &age) != 0) {
		cmd_error("--older-than: '%s' is not a duration (30d, 12h, 2w)", older);
		goto done;
	}
	if (age > UTIL_DURATION_MAX_MS) {
		cmd_error("--older-than: '%s' is longer than 36500d", older);
		goto done;
	}
	if (keep != NULL && util_parse_size(keep, &limit) != 0) {
		cmd_error("--keep-size: '%s' is not a size (500M, 2G, 1048576)", keep);
		goto done;
	}
	if ((rc = cmd_common_finish(&cc)) != 0)
		goto done;
	rc = EXIT_RUNTIME;
	if ((s = store_open(cc.db, 0, err, sizeof(err))) == NULL) {
		cmd_error("%s", err);
		goto done;
	}
	/*
	 * One line with a skewed clock must not move the cut-off: times past
	 * the wall clock plus a day are not the newest log time (and stay).
	 */
	sane = util_now_ms() + PRUNE_FUTURE_MS;
	if (store_newest_before(s, sane, &last, &future, err, sizeof err) != 0) {
		cmd_error("%s", err);
		goto done;
	}
	if (future > 0) {
		tz_format_iso(cc.tz, sane, b1, sizeof(b1));
		printf("logtriage: %ju future-dated events (after %s, the clock plus"
		    " a day) are kept and not taken as the newest log time\n",
		    (uintmax_t)future, b1);
	}
	if (last == TS_NONE) {
		printf("logtriage: nothing to prune: no %sevents in %s\n",
		    future > 0 ? "other " : "", cc.db);
		rc = EXIT_OK;
		goto done;
	}
	memset(n, 0, sizeof n);
	memset(m, 0, sizeof m);
	cut = last - age;
	if (older != NULL && remove_before(s, cut, dry, n, &removed) != 0)
		goto done;
	/* Space is reclaimed before --keep-size measures, and by each of its steps. */
	if (!dry && removed > 0 && reclaim(s) != 0)
		goto done;
	if (keep != NULL && prune_to_size(s, limit, dry, m, &size_cut_ts,
	    &before, &after) != 0)
		goto done;
	if (older != NULL) {
		tz_format_iso(cc.tz, cut, cutiso, sizeof(cutiso));
		tz_format_iso(cc.tz, last, newiso, sizeof(newiso));
		printf("logtriage: %s %ju events, %ju incidents, %ju volume rows older than"
		    " %s (newest log time %s minus %s)\n", dry ? "would remove" : "removed",
		    (uintmax_t)n[0], (uintmax_t)n[1], (uintmax_t)n[2], cutiso, newiso, older);
	}
	if (keep != NULL) {
		format_size(before, b1, sizeof b1);
		format_size(after, b2, sizeof b2);
		if (size_cut_ts == TS_NONE)
			printf("logtriage: %s of data, within --keep-size %s: nothing"
			    " removed for size\n", b1, keep);
		else {
			tz_format_iso(cc.tz, size_cut_ts, cutiso, sizeof(cutiso));
			printf("logtriage: %s %ju events, %ju incidents, %ju volume rows"
			    " older than %s for --keep-size %s", dry ? "would remove" :
			    "removed", (uintmax_t)m[0], (uintmax_t)m[1], (uintmax_t)m[2],
			    cutiso, keep);
			if (dry)
				printf(" (%s of data now; a first step, a real run measures"
				    " again after each)\n", b1);
			else
				printf(" (data %s before, %s after)\n", b1, b2);
			if (!dry && after > limit)
				printf("logtriage: still over %s: what is left is newer or"
				    " held by open incidents\n", keep);
		}
	}
	rc = EXIT_OK;
done:
	store_close(s);
	cmd_common_free(&cc);
	return rc;
}

const struct cmd_entry cmd_prune_entry = {
	"prune",
	"[--db PATH] [--older-than DURATION] [--keep-size SIZE] [--dry-run]"
	" [--tz ZONE]",
	"Delete events, incidents and volume older than DURATION before the newest log time, or the oldest until the data fits in SIZE.",
	cmd_prune_exec,
	0
};
