/*
 * cmd.c - what every command shares for talking to the user: the error
 * line and the usage text.  Kept out of main.c so the commands link into
 * the unit tests too.
 */
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"

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
