/*
 * cmd.h - the command table.  Each cmd_*.c exports one struct cmd_entry;
 * main.c only finds the command and calls it.  Commands are the only code
 * (with main) that prints to the user.
 */
#ifndef LOGTRIAGE_CMD_H
#define LOGTRIAGE_CMD_H

/* Exit status, documented in logtriage(1). */
enum exit_status {
	EXIT_OK = 0,		/* done; nothing at or above --fail-on */
	EXIT_FINDINGS = 1,	/* findings at or above --fail-on; `rules test` failures */
	EXIT_USAGE = 2,		/* bad option, time, rules or configuration */
	EXIT_RUNTIME = 3	/* database, I/O or other runtime failure */
};

struct cmd_entry {
	const char	*name;
	const char	*args;		/* one-line synopsis after the name */
	const char	*summary;	/* one sentence for `logtriage --help` */
	int		(*exec)(int argc, char **argv);	/* argv[0] is the command name */
};

extern const struct cmd_entry cmd_ingest_entry;
extern const struct cmd_entry cmd_events_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_rules_entry;
extern const struct cmd_entry cmd_tui_entry;
extern const struct cmd_entry cmd_prune_entry;
extern const struct cmd_entry cmd_patterns_entry;

/* "logtriage: " + message on stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For `--help` of a command: print "usage: logtriage NAME ARGS" and the option text. */
void cmd_usage(const struct cmd_entry *ce, const char *options_text);

/*
 * Report a bad option after getopt_long returned '?' or ':' (callers set
 * opterr = 0 and start optstring with ':').  Returns EXIT_USAGE.
 */
int cmd_option_error(const struct cmd_entry *ce, int c, char **argv);

#endif
