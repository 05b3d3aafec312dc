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
    "@db\n"
    "@since\n"
    "@until\n"
    "@source\n"
    "@tz\n"
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
	/* With the common --db, --since, --until, --source and --tz. */
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_common cc;
	struct tui_opts opts;
	struct store *st = NULL;
	char err[512];
	int c, signo = 0, rc = EXIT_USAGE;

	memset(&opts, 0, sizeof opts);
	opts.since = opts.until = TS_NONE;
	opts.live_fd = -1;
	cmd_common_init(&cc, &cmd_tui_entry, CMD_OPT_DB | CMD_OPT_WINDOW |
	    CMD_OPT_SOURCE | CMD_OPT_TZ, "+:h", longopts);
	while ((c = cmd_getopt(&cc, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			cmd_common_usage(&cc, tui_options, 19);
			rc = EXIT_OK;
			goto out;
		default:
			rc = cmd_option_error(&cmd_tui_entry, c, argv);
			goto out;
		}
	}
	if (optind < argc && strcmp(argv[optind], "-") == 0) {
		opts.live = 1;
		optind++;
	}
	if (optind < argc) {
		cmd_error("tui: unexpected argument '%s' (only - for standard input)",
		    argv[optind]);
		goto out;
	}
	if ((rc = cmd_common_finish(&cc)) != 0)
		goto out;
	opts.tz = cc.tz;
	opts.tz_name = cc.tz_arg;
	opts.since = cc.since;
	opts.until = cc.until;

	/* A stream may start a new database; stored data is only read. */
	st = store_open(cc.db, opts.live ? STORE_CREATE : STORE_READONLY, err,
	    sizeof err);
	if (st == NULL) {
		cmd_error("%s", err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	opts.db_path = cc.db;
	opts.sources = cc.sources;
	opts.nsources = cc.nsources;
	if (opts.live) {
		opts.live_pid = tui_spawn_ingest(cc.db, cc.nsources == 1 ?
		    cc.sources[0] : NULL, &opts.live_fd, err, sizeof err);
		if (opts.live_pid == -1) {
			cmd_error("%s", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	if (tui_run(st, &opts, &signo, err, sizeof err) == -1) {
		cmd_error("%s", err);
		rc = EXIT_RUNTIME;
	}
	if (opts.live_fd != -1)
		close(opts.live_fd);
out:
	store_close(st);
	cmd_common_free(&cc);
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
