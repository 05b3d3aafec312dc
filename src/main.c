/*
 * main.c - find the command and run it.  Knows the command table and the
 * global options (--help, --version); everything else is in cmd_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "memtune.h"

static const struct cmd_entry *commands[] = {
	&cmd_ingest_entry,
	&cmd_report_entry,
	&cmd_events_entry,
	&cmd_tui_entry,
	&cmd_rules_entry,
	&cmd_prune_entry,
	&cmd_patterns_entry,
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: logtriage COMMAND [OPTIONS] [ARGS]\n\n"
	    "Turn noisy container and daemon logs into incidents, latency\n"
	    "figures and a report.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(fp, "\n`logtriage COMMAND --help` shows a command's options; "
	    "man logtriage has the rest.\n");
}

/*
 * Standard output that could not be written (a full disk, /dev/full) must
 * not look like success to cron.  A command that already failed has said
 * why.
 */
static int
finish(int rc)
{
	int failed = fflush(stdout) != 0, e = errno;

	if (!failed && !ferror(stdout))
		return rc;
	if (rc != EXIT_RUNTIME)
		cmd_error("writing to standard output: %s",
		    failed ? strerror(e) : "write error");
	return EXIT_RUNTIME;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return finish(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("logtriage %s\n", LOGTRIAGE_VERSION);
		return finish(EXIT_OK);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i]->name) == 0) {
			if (commands[i]->advise_heap)
				(void)memtune_process();
			cmd_set_argv(argv);
			return finish(commands[i]->exec(argc - 1, argv + 1));
		}
	}
	cmd_error("unknown command '%s' (try logtriage --help)", argv[1]);
	return EXIT_USAGE;
}
