/*
 * main.c - find the command and run it.  Knows the command table and the
 * global options (--help, --version); everything else is in cmd_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

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

/*
 * glibc's malloc asked for transparent huge pages and a heap that grows
 * 32 MiB at a time (documented tunables, read only as a process starts:
 * hence the one exec of this same program).  On the virtual machines
 * logtriage is measured on, a page's first touch costs about 10 us; an
 * ingest touches its 25-40 MiB once, 6,000 faults that were a quarter
 * of a 100 MB run and a third of a 10 MB one, and that huge pages all
 * but remove.  Not where the user set the tunable, under valgrind (the
 * exec would leave it) or a sanitizer (its own allocator), or where the
 * exec fails: then the process goes on as it is.
 */
static void
tune_malloc(char **argv)
{
#if defined(__GLIBC__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
	static const char tune[] =
	    "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432";
	const char *old = getenv("GLIBC_TUNABLES"), *pre = getenv("LD_PRELOAD");
	char *val;
	size_t n;

	if ((old != NULL && strstr(old, "glibc.malloc.hugetlb") != NULL) ||
	    (pre != NULL && strstr(pre, "vgpreload") != NULL))
		return;
	n = (old != NULL ? strlen(old) + 1 : 0) + sizeof tune;
	if ((val = malloc(n)) == NULL)
		return;
	snprintf(val, n, "%s%s%s", old != NULL ? old : "",
	    old != NULL && *old != '\0' ? ":" : "", tune);
	if (setenv("GLIBC_TUNABLES", val, 1) == 0)
		execv("/proc/self/exe", argv);
	free(val);
	/* the exec failed: the process goes on, its environment as it was */
	if (old != NULL)
		setenv("GLIBC_TUNABLES", old, 1);
	else
		unsetenv("GLIBC_TUNABLES");
#else
	(void)argv;
#endif
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc >= 2 && strcmp(argv[1], "ingest") == 0)
		tune_malloc(argv);
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
		if (strcmp(argv[1], commands[i]->name) == 0)
			return finish(commands[i]->exec(argc - 1, argv + 1));
	}
	cmd_error("unknown command '%s' (try logtriage --help)", argv[1]);
	return EXIT_USAGE;
}
