/*
 * cmd.h - the command table.  Each cmd_*.c exports one struct cmd_entry;
 * main.c only finds the command and calls it.  Commands are the only code
 * (with main) that prints to the user.
 */
#ifndef LOGTRIAGE_CMD_H
#define LOGTRIAGE_CMD_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

struct tz;

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
	/*
	 * 1: main advises the heap for huge pages before the command, or
	 * anything, allocates (memtune.h); 0: cmd_common_finish may start
	 * the program again with the C library's tunables for a large
	 * database (cmd_tune_memory).
	 */
	int		advise_heap;
};

extern const struct cmd_entry cmd_ingest_entry;
extern const struct cmd_entry cmd_events_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_rules_entry;
extern const struct cmd_entry cmd_tui_entry;
extern const struct cmd_entry cmd_prune_entry;
extern const struct cmd_entry cmd_patterns_entry;

/* main's argv, which cmd_tune_memory starts the program again with. */
void cmd_set_argv(char **argv);

/*
 * Before a command's work on `bytes` of database (UINT64_MAX: its size
 * unknown): from CMD_TUNE_BYTES on, the program starts itself again,
 * once, with glibc's malloc tunables for transparent huge pages (see
 * cmd.c).  Call it before anything the restart would undo.
 */
#define CMD_TUNE_BYTES	(1024 * 1024)
void cmd_tune_memory(uint64_t bytes);

/* "logtriage: " + message on stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For `--help` of a command: print "usage: logtriage NAME ARGS" and the option text. */
void cmd_usage(const struct cmd_entry *ce, const char *options_text);

/*
 * Report a bad option after getopt_long returned '?' or ':' (callers set
 * opterr = 0 and start optstring with ':').  Returns EXIT_USAGE.
 */
int cmd_option_error(const struct cmd_entry *ce, int c, char **argv);

/*
 * The options commands share, read and checked in one place so that each
 * means the same, fails with the same message and has the same default
 * everywhere.  A command names the ones it takes (CMD_OPT_* bits) and
 * reads its own around them:
 *
 *	cmd_common_init(&cc, &cmd_x_entry, CMD_OPT_DB | CMD_OPT_WINDOW, ...);
 *	while ((c = cmd_getopt(&cc, argc, argv)) != -1)
 *		switch (c) { its own options; default: cmd_option_error }
 *	... its operands (optind), its own checks ...
 *	if ((rc = cmd_common_finish(&cc)) != 0) return rc;
 *	... cmd_common_free(&cc);
 */
enum {
	CMD_OPT_DB	= 0x01,	/* --db PATH */
	CMD_OPT_WINDOW	= 0x02,	/* --since T, --until T */
	CMD_OPT_BASELINE = 0x04, /* --baseline SINCE..UNTIL */
	CMD_OPT_SOURCE	= 0x08,	/* --source NAME|GLOB, repeatable */
	CMD_OPT_RULE	= 0x10,	/* --rule ID, repeatable */
	CMD_OPT_TZ	= 0x20,	/* --tz ZONE: times printed and naive times read */
	CMD_OPT_TZ_AUTO	= 0x40	/* with CMD_OPT_TZ: --tz auto is taken too */
};

struct cmd_common {
	const struct cmd_entry	*ce;
	int			 takes;		/* CMD_OPT_* */
	const char		*shortopts;
	struct option		*longopts;	/* the command's and ours */

	/* as given (NULL when not) */
	const char		*db_arg, *since_arg, *until_arg;
	const char		*baseline_arg, *tz_arg;
	const char		**sources;	/* argv strings */
	size_t			 nsources;
	const char		**rules;
	size_t			 nrules;

	/* after cmd_common_finish */
	char			*db;		/* the database path (default applied) */
	struct tz		*tz;		/* NULL: UTC, printed with Z */
	int			 tz_auto;	/* --tz auto (CMD_OPT_TZ_AUTO) */
	int64_t			 since, until;	/* TS_NONE when not given */
	int64_t			 base_since, base_until;
};

/*
 * Start reading options: own is the command's long options (ending with
 * a zeroed entry; their val must be below 0x1000), shortopts its short
 * ones (":" is put first when missing).
 */
void cmd_common_init(struct cmd_common *cc, const struct cmd_entry *ce,
    int takes, const char *shortopts, const struct option *own);

/*
 * getopt_long over the command's options and ours: ours are kept in cc,
 * the command's are returned as getopt_long returns them ('?' and ':'
 * for cmd_option_error), -1 at the end of the options.
 */
int cmd_getopt(struct cmd_common *cc, int argc, char **argv);

/*
 * Check what was given and fill the parsed fields: the zone, the window
 * (an empty one is an error), the baseline and the database path.
 * Prints "logtriage: NAME: --opt: why" and returns EXIT_USAGE on a bad
 * value, else 0.
 */
int cmd_common_finish(struct cmd_common *cc);

void cmd_common_free(struct cmd_common *cc);

/*
 * cmd_usage for a command with common options, whose lines come from the
 * table in cmd.c, each option's text from column col on: a line "@NAME"
 * of options_text ("@db", "@since", "@tz"...) stands for option NAME's
 * lines when cc takes it, nothing when not; one cc takes and the text does
 * not place is listed after it.
 */
void cmd_common_usage(const struct cmd_common *cc, const char *options_text,
    int col);

#endif
