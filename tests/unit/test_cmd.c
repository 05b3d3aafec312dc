/*
 * test_cmd.c - the common option group: a command's own options read
 * around the shared ones, only the shared ones it takes, and the checks
 * every command gets alike (zone, window, baseline, default database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"
#include "util.h"

static int
noop(int argc, char **argv)
{
	return 0;
}

static const struct cmd_entry test_entry = { "test", "", "", noop, 0 };

enum { OPT_OWN = 256 };

static const struct option own[] = {
	{ "own", required_argument, NULL, OPT_OWN },
	{ NULL, 0, NULL, 0 }
};

/* Read argv (NULL-terminated) with the shared options in takes. */
static int
parse(struct cmd_common *cc, int takes, const char **own_seen, char **argv)
{
	int argc = 0, c;

	while (argv[argc] != NULL)
		argc++;
	cmd_common_init(cc, &test_entry, takes, ":x", own);
	while ((c = cmd_getopt(cc, argc, argv)) != -1) {
		switch (c) {
		case OPT_OWN:
			*own_seen = optarg;
			break;
		case 'x':
			break;
		default:
			return EXIT_USAGE;
		}
	}
	return cmd_common_finish(cc);
}

static void
test_mixed(void **state)
{
	char *argv[] = { "test", "--source", "a*", "--own", "v", "--rule=r1",
	    "-x", "--since", "2025-10-25T23:00:00Z", "--source", "b",
	    "--until", "2025-10-27", "--rule", "r2", "--db", "/x/t.db", "--tz",
	    "+09:00", "operand", NULL };
	const char *seen = NULL;
	struct cmd_common cc;

	assert_int_equal(parse(&cc, CMD_OPT_DB | CMD_OPT_WINDOW |
	    CMD_OPT_SOURCE | CMD_OPT_RULE | CMD_OPT_TZ, &seen, argv), 0);
	assert_string_equal(seen, "v");
	assert_int_equal(cc.nsources, 2);
	assert_string_equal(cc.sources[0], "a*");
	assert_string_equal(cc.sources[1], "b");
	assert_int_equal(cc.nrules, 2);
	assert_string_equal(cc.rules[1], "r2");
	assert_string_equal(cc.db, "/x/t.db");
	assert_non_null(cc.tz);
	assert_int_equal(cc.since, 1761433200000LL);
	/* a naive date is read in --tz: midnight at +09:00 */
	assert_int_equal(cc.until, 1761490800000LL);
	assert_string_equal(argv[optind], "operand");
	cmd_common_free(&cc);
}

static void
test_defaults(void **state)
{
	char *argv[] = { "test", NULL };
	const char *seen = NULL;
	struct cmd_common cc;

	setenv("LOGTRIAGE_DB", "/x/env.db", 1);
	assert_int_equal(parse(&cc, CMD_OPT_DB | CMD_OPT_WINDOW | CMD_OPT_TZ,
	    &seen, argv), 0);
	assert_string_equal(cc.db, "/x/env.db");
	assert_null(cc.tz);
	assert_int_equal(cc.since, TS_NONE);
	assert_int_equal(cc.until, TS_NONE);
	assert_int_equal(cc.base_since, TS_NONE);
	cmd_common_free(&cc);
	unsetenv("LOGTRIAGE_DB");
}

static void
test_not_taken(void **state)
{
	char *argv[] = { "test", "--since", "24h", NULL };
	const char *seen = NULL;
	struct cmd_common cc;

	/* an option the command does not take is unknown to it */
	assert_int_equal(parse(&cc, CMD_OPT_DB, &seen, argv), EXIT_USAGE);
	cmd_common_free(&cc);
}

static void
test_bad_values(void **state)
{
	char *empty[] = { "test", "--since", "2025-10-26", "--until",
	    "2025-10-26", NULL };
	char *badtz[] = { "test", "--tz", "Mars/Olympus", NULL };
	char *autotz[] = { "test", "--tz", "auto", NULL };
	char *base[] = { "test", "--baseline", "2025-10-25..2025-10-26", NULL };
	char *badbase[] = { "test", "--baseline", "2025-10-25", NULL };
	const char *seen = NULL;
	struct cmd_common cc;

	assert_int_equal(parse(&cc, CMD_OPT_WINDOW, &seen, empty), EXIT_USAGE);
	cmd_common_free(&cc);
	assert_int_equal(parse(&cc, CMD_OPT_TZ, &seen, badtz), EXIT_USAGE);
	cmd_common_free(&cc);
	assert_int_equal(parse(&cc, CMD_OPT_TZ, &seen, autotz), EXIT_USAGE);
	cmd_common_free(&cc);
	assert_int_equal(parse(&cc, CMD_OPT_TZ | CMD_OPT_TZ_AUTO, &seen,
	    autotz), 0);
	assert_true(cc.tz_auto);
	assert_null(cc.tz);
	cmd_common_free(&cc);
	assert_int_equal(parse(&cc, CMD_OPT_BASELINE, &seen, base), 0);
	assert_int_equal(cc.base_since, 1761350400000LL);
	assert_int_equal(cc.base_until, 1761436800000LL);
	cmd_common_free(&cc);
	assert_int_equal(parse(&cc, CMD_OPT_BASELINE, &seen, badbase),
	    EXIT_USAGE);
	cmd_common_free(&cc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_not_taken),
		cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
