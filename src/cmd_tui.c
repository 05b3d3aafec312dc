/*
 * cmd_tui.c - `logtriage tui`: parse the options, open the store and run
 * the triage screen; with `-`, start a child that ingests standard input
 * into the same database while the screen follows it.  The screen itself
 * is in tui*.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "store.h"
#include "timeparse.h"
#include "tui.h"
#include "util.h"

static const char tui_options[] =
    "  --db PATH        database (default $LOGTRIAGE_DB or ~/.local/state/logtriage/logtriage.db)\n"
    "  --since T        start of the window: ISO 8601, 24h, 7d, today, yesterday\n"
    "  --until T        end of the window (exclusive)\n"
    "  --source S       only this source (name or glob; repeatable)\n"
    "  --tz ZONE        show times in ZONE (z switches to UTC and back) and read\n"
    "                   naive --since/--until times in it\n"
    "  -                ingest standard input while showing it (keys come from the terminal)\n"
    "  -h, --help       this text\n"
    "\n"
    "Keys: Tab views, Enter drill down, Esc back, / search, t window, s source,\n"
    "z UTC or the zone, T go to a time, ? help (every key), q quit.  NO_COLOR\n"
    "turns colours off.\n";

/*
 * Start `logtriage ingest --db DB [--source S] --follow -` on our standard input,
 * its stderr on a pipe we read.  The parent lets go of standard input so
 * the writer sees the child alone.  Returns the pid or -1 with err.
 */
static pid_t
tui_spawn_ingest(const char *db, const char *source, int *err_fd, char *err,
    size_t errlen)
{
	int fds[2], devnull;
	pid_t pid;

	if (pipe(fds) == -1) {
		util_err(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		util_err(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[10];
		int n = 0;

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		/* stdout is the terminal: the ingest must never write there. */
		if ((devnull = open("/dev/null", O_WRONLY)) != -1) {
			dup2(devnull, STDOUT_FILENO);
			close(devnull);
		}
		argv[n++] = (char *)"logtriage";
		argv[n++] = (char *)"ingest";
		argv[n++] = (char *)"--db";
		argv[n++] = (char *)db;
		if (source != NULL) {
			argv[n++] = (char *)"--source";
			argv[n++] = (char *)source;
		}
		/* --follow: commit whenever the stream pauses, not only at EOF. */
		argv[n++] = (char *)"--follow";
		argv[n++] = (char *)"-";
		argv[n] = NULL;
		execv("/proc/self/exe", argv);
		dprintf(STDERR_FILENO, "cannot start the ingest: %s\n",
		    strerror(errno));
		_exit(EXIT_RUNTIME);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	if ((devnull = open("/dev/null", O_RDONLY)) != -1) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	*err_fd = fds[0];
	return pid;
}

static int
cmd_tui_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "source", required_argument, NULL, 's' },
		{ "tz", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tui_opts opts;
	const char *db_arg = NULL, *since = NULL, *until = NULL;
	struct tz *tz = NULL;
	const char **sources = NULL;
	struct store *st;
	char err[512], *db;
	int64_t now = util_now_ms();
	int c, signo = 0, rc = EXIT_OK;
	size_t nsources = 0;

	memset(&opts, 0, sizeof opts);
	opts.since = opts.until = TS_NONE;
	opts.live_fd = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db_arg = optarg;
			break;
		case 'S':
			since = optarg;
			break;
		case 'U':
			until = optarg;
			break;
		case 'z':
			tz_free(tz);
			if ((tz = tz_open(optarg, err, sizeof err)) == NULL) {
				cmd_error("tui: --tz: %s", err);
				free(sources);
				return EXIT_USAGE;
			}
			opts.tz_name = optarg;
			break;
		case 's':
			sources = xrealloc(sources, (nsources + 1) * sizeof *sources);
			sources[nsources++] = optarg;
			break;
		case 'h':
			cmd_usage(&cmd_tui_entry, tui_options);
			free(sources);
			tz_free(tz);
			return EXIT_OK;
		default:
			free(sources);
			tz_free(tz);
			return cmd_option_error(&cmd_tui_entry, c, argv);
		}
	}
	opts.tz = tz;
	/* After the loop: a naive --since is read in --tz wherever it stands. */
	for (c = 0; c < 2; c++) {
		const char *arg = c == 0 ? since : until;

		if (arg != NULL && timeparse_window_arg(arg, now, tz,
		    c == 0 ? &opts.since : &opts.until, err, sizeof err) == -1) {
			cmd_error("--%s: %s", c == 0 ? "since" : "until", err);
			free(sources);
			tz_free(tz);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && strcmp(argv[optind], "-") == 0) {
		opts.live = 1;
		optind++;
	}
	if (optind < argc) {
		cmd_error("tui: unexpected argument '%s' (only - for standard input)",
		    argv[optind]);
		free(sources);
		tz_free(tz);
		return EXIT_USAGE;
	}
	if (opts.since != TS_NONE && opts.until != TS_NONE &&
	    opts.until <= opts.since) {
		cmd_error("tui: --until is not after --since");
		free(sources);
		tz_free(tz);
		return EXIT_USAGE;
	}

	db = store_default_path(db_arg);
	/* A stream may start a new database; stored data is only read. */
	st = store_open(db, opts.live ? STORE_CREATE : STORE_READONLY, err,
	    sizeof err);
	if (st == NULL) {
		cmd_error("%s", err);
		free(db);
		free(sources);
		tz_free(tz);
		return EXIT_RUNTIME;
	}
	opts.db_path = db;
	opts.sources = sources;
	opts.nsources = nsources;
	if (opts.live) {
		opts.live_pid = tui_spawn_ingest(db, nsources == 1 ? sources[0] :
		    NULL, &opts.live_fd, err, sizeof err);
		if (opts.live_pid == -1) {
			cmd_error("%s", err);
			store_close(st);
			free(db);
			free(sources);
			tz_free(tz);
			return EXIT_RUNTIME;
		}
	}
	if (tui_run(st, &opts, &signo, err, sizeof err) == -1) {
		cmd_error("%s", err);
		rc = EXIT_RUNTIME;
	}
	if (opts.live_fd != -1)
		close(opts.live_fd);
	store_close(st);
	free(db);
	free(sources);
	tz_free(tz);
	if (signo != 0) {
		/* The terminal is restored: die of the signal as expected. */
		signal(signo, SIG_DFL);
		raise(signo);
	}
	return rc;
}

const struct cmd_entry cmd_tui_entry = {
	.name = "tui",
	.args = "[--db PATH] [--since T] [--until T] [--source S]... [--tz ZONE] [-]",
	.summary = "Interactive triage screen over stored data or a live stream.",
	.exec = cmd_tui_exec,
};
