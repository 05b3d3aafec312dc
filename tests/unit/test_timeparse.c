/*
 * test_timeparse.c - timestamp shapes, rejects, zones and --since/--until
 * arguments, with exact UTC millisecond values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timeparse.h"

/* 2025-10-25T23:31:11Z */
#define T0 1761435071000LL

static size_t
rfc(const char *s, int64_t *ms)
{
	return timeparse_rfc3339(s, strlen(s), ms);
}

static size_t
lead(const char *s, const struct tz *tz, int64_t *ms)
{
	return timeparse_leading(s, strlen(s), tz, ms);
}

static void
test_days_from_civil(void **state)
{
	assert_int_equal(timeparse_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(timeparse_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(timeparse_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(timeparse_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(timeparse_days_from_civil(1600, 1, 1), -135140);
}

static void
test_rfc3339_docker(void **state)
{
	int64_t ms = 0;

	assert_int_equal(rfc("2025-10-25T23:31:11.123456789Z stdout", &ms), 30);
	assert_int_equal(ms, T0 + 123);
	assert_int_equal(rfc("2025-10-25T23:31:11.1Z", &ms), 22);
	assert_int_equal(ms, T0 + 100);
	assert_int_equal(rfc("2025-10-25T23:31:11.12Z", &ms), 23);
	assert_int_equal(ms, T0 + 120);
	assert_int_equal(rfc("2025-10-25T23:31:11Z", &ms), 20);
	assert_int_equal(ms, T0);
	assert_int_equal(rfc("2025-10-25T23:31:11.123+02:00", &ms), 29);
	assert_int_equal(ms, T0 + 123 - 7200000);
	assert_int_equal(rfc("2025-10-25T23:31:11-05:30", &ms), 25);
	assert_int_equal(ms, 1761454871000LL);
	assert_int_equal(rfc("1969-12-31T23:59:59.999Z", &ms), 24);
	assert_int_equal(ms, -1);
	/* p need not be NUL-terminated: only n bytes are read. */
	assert_int_equal(timeparse_rfc3339("2025-10-25T23:31:11Zjunk", 20, &ms),
	    20);
	assert_int_equal(ms, T0);
}

static void
test_rfc3339_rejects(void **state)
{
	static const char *bad[] = {
		"2025-10-25 23:31:11Z",		/* space, not T */
		"2025-10-25T23:31:11",		/* no zone */
		"2025-10-25T23:31Z",		/* no seconds */
		"2025-13-25T23:31:11Z",
		"2025-00-25T23:31:11Z",
		"2025-02-29T23:31:11Z",		/* not a leap year */
		"2025-04-31T23:31:11Z",
		"2025-10-25T24:00:00Z",
		"2025-10-25T23:60:00Z",
		"2025-10-25T23:31:61Z",
		"2025-10-25T23:31:11.Z",
		"2025-10-25T23:31:11+0200",
		"2025-10-25T23:31:11+24:00",
		"2025/10/25T23:31:11Z",
		"x2025-10-25T23:31:11Z",
		"",
	};
	size_t i;
	int64_t ms = 42;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (rfc(bad[i], &ms) != 0)
			fail_msg("accepted '%s'", bad[i]);
	}
	assert_int_equal(ms, 42);
	assert_int_equal(timeparse_rfc3339("2025-10-25T23:31:11Z", 19, &ms), 0);
}

static void
test_leading_shapes(void **state)
{
	int64_t ms = 0;

	assert_int_equal(lead("2025-10-25 23:31:11 INFO x", NULL, &ms), 20);
	assert_int_equal(ms, T0);
	assert_int_equal(lead("2025-10-25 23:31:11,123 - a - INFO", NULL, &ms),
	    24);
	assert_int_equal(ms, T0 + 123);
	assert_int_equal(lead("2025-10-25 23:31:11.123456 x", NULL, &ms), 27);
	assert_int_equal(ms, T0 + 123);
	assert_int_equal(lead("2025-10-25T23:31:11.123+02:00 x", NULL, &ms), 30);
	assert_int_equal(ms, T0 + 123 - 7200000);
	assert_int_equal(lead("2025-10-25T23:31:11Z x", NULL, &ms), 21);
	assert_int_equal(ms, T0);
	assert_int_equal(lead("2025-10-25 23:31:11+0530 x", NULL, &ms), 25);
	assert_int_equal(ms, T0 - 19800000);
	assert_int_equal(lead("2025-10-25 23:31:11 -0500 x", NULL, &ms), 26);
	assert_int_equal(ms, T0 + 18000000);
	assert_int_equal(lead("[2025-10-25 23:31:11.123] INFO", NULL, &ms), 26);
	assert_int_equal(ms, T0 + 123);
	assert_int_equal(lead("[2025-10-25 23:31:11]", NULL, &ms), 21);
	assert_int_equal(ms, T0);
	/* Apache httpd's error log and PHP's, in brackets only */
	assert_int_equal(lead("[Sat Oct 25 23:31:11.123456 2025] [core:error] x", NULL, &ms), 34);
	assert_int_equal(ms, T0 + 123);
	assert_int_equal(lead("[Sat Oct  5 23:31:11 2025] x", NULL, &ms), 27);
	assert_int_equal(ms, T0 - 20 * 86400000LL);
	assert_int_equal(lead("[25-Oct-2025 23:31:11 UTC] PHP Warning:  x", NULL, &ms), 27);
	assert_int_equal(ms, T0);
	assert_int_equal(lead("[25-Oct-2025 23:31:11 AEDT] x", NULL, &ms), 28);
	assert_int_equal(ms, T0 - 11 * 3600000LL);
	assert_int_equal(lead("[25-Oct-2025 23:31:11] NOTICE: fpm is running", NULL, &ms), 23);
	assert_int_equal(ms, T0);
	assert_int_equal(lead("[Sat Oct 25 23:31:11 25] x", NULL, &ms), 0);
	assert_int_equal(lead("[Sat Foo 25 23:31:11 2025] x", NULL, &ms), 0);
	/* C's ctime() bare, as Python's time.ctime() and Perl print it */
	assert_int_equal(lead("Sat Oct 25 23:31:11 2025 ERROR x", NULL, &ms), 25);
	assert_int_equal(ms, T0);
	assert_true(timeparse_has_leading("Sat Oct 25 23:31:11 2025 ERROR x", 32));
	{
		struct timeparse_cache c;

		memset(&c, 0, sizeof c);
		assert_int_equal(timeparse_leading_len_cached(&c,
		    "Sat Oct 25 23:31:11 2025 ERROR x", 32), 24);
	}
	assert_int_equal(lead("Sat Oct  5 23:31:11.5 2025", NULL, &ms), 26);
	assert_int_equal(ms, T0 - 20 * 86400000LL + 500);
	assert_int_equal(lead("Sat Oct 25 23:31:11 x", NULL, &ms), 0);
	assert_int_equal(lead("Saturday Oct 25 23:31:11 2025", NULL, &ms), 0);
	/* a level inside the brackets, after the stamp */
	assert_int_equal(lead("[2025-10-25T23:31:11Z ERROR app] bind failed", NULL, &ms), 22);
	assert_int_equal(ms, T0);
	assert_int_equal(lead("[2025-10-25 23:31:11,5 WARNING] x", NULL, &ms), 23);
	assert_int_equal(ms, T0 + 500);
	assert_int_equal(lead("2025/10/25 23:31:11 [error] 7#7", NULL, &ms), 20);
	assert_int_equal(ms, T0);
	/* ClickHouse's dots; mixed separators are no date */
	assert_int_equal(lead("2025.10.25 23:31:11.250000 [ 1 ] {} <Error> x", NULL,
	    &ms), 27);
	assert_int_equal(ms, T0 + 250);
	assert_int_equal(lead("2025.10-25 23:31:11 x", NULL, &ms), 0);
	/* Exactly the stamp, nothing after it. */
	assert_int_equal(lead("2025-10-25 23:31:11", NULL, &ms), 19);
	assert_int_equal(ms, T0);
}

static void
test_leading_abbrev(void **state)
{
	const char *line = "2025-11-03 17:00:08 AEDT WARNING ws_daemon: x";
	int64_t ms = 0;

	assert_int_equal(lead(line, NULL, &ms), 25);
	assert_string_equal(line + 25, "WARNING ws_daemon: x");
	assert_int_equal(ms, 1762149608000LL);
	assert_int_equal(lead("2025-10-25 23:31:11,123 UTC x", NULL, &ms), 28);
	assert_int_equal(ms, T0 + 123);
	assert_int_equal(lead("2025-10-25 23:31:11 CEST", NULL, &ms), 24);
	assert_int_equal(ms, T0 - 7200000);
	assert_int_equal(lead("2025-10-25 23:31:11 PDT: x", NULL, &ms), 23);
	assert_int_equal(ms, T0 + 25200000);
	/* the daemon's own zones, IST as India's */
	assert_int_equal(lead("2025-10-25 23:31:11 AEST x", NULL, &ms), 25);
	assert_int_equal(ms, T0 - 36000000);
	assert_int_equal(lead("2025-10-25 23:31:11 JST x", NULL, &ms), 24);
	assert_int_equal(ms, T0 - 32400000);
	assert_int_equal(lead("2025-10-25 23:31:11 IST x", NULL, &ms), 24);
	assert_int_equal(ms, T0 - 19800000);
	assert_int_equal(lead("2025-10-25 23:31:11 GMT x", NULL, &ms), 24);
	assert_int_equal(ms, T0);
	assert_int_equal(lead("2025-10-25 23:31:11 CET x", NULL, &ms), 24);
	assert_int_equal(ms, T0 - 3600000);
	assert_int_equal(lead("2025-10-25 23:31:11 EST x", NULL, &ms), 24);
	assert_int_equal(ms, T0 + 18000000);
	assert_int_equal(lead("2025-10-25 23:31:11 EDT x", NULL, &ms), 24);
	assert_int_equal(ms, T0 + 14400000);
	assert_int_equal(lead("2025-10-25 23:31:11 PST x", NULL, &ms), 24);
	assert_int_equal(ms, T0 + 28800000);
	assert_int_equal(lead("2025-10-25 23:31:11 SAST x", NULL, &ms), 25);
	assert_int_equal(ms, T0 - 7200000);
	/* Level words and unknown capitals are not zones. */
	assert_int_equal(lead("2025-10-25 23:31:11 WARNING x", NULL, &ms), 20);
	assert_int_equal(ms, T0);
	assert_int_equal(lead("2025-10-25 23:31:11 INFO x", NULL, &ms), 20);
	assert_int_equal(lead("2025-10-25 23:31:11 ESTX x", NULL, &ms), 20);
	assert_int_equal(lead("2025-10-25 23:31:11 ERROR x", NULL, &ms), 20);
	assert_int_equal(lead("2025-10-25 23:31:11 ESTate", NULL, &ms), 20);
}

static void
test_leading_tz(void **state)
{
	char err[256];
	struct tz *plus11 = tz_open("+11:00", err, sizeof err);
	int64_t ms = 0;

	assert_non_null(plus11);
	assert_int_equal(lead("2025-11-03 17:00:08 x", plus11, &ms), 20);
	assert_int_equal(ms, 1762149608000LL);
	/* A zone in the stamp wins over tz. */
	assert_int_equal(lead("2025-11-03 06:00:08Z x", plus11, &ms), 21);
	assert_int_equal(ms, 1762149608000LL);
	assert_int_equal(lead("2025-11-03 17:00:08 AEDT x", plus11, &ms), 25);
	assert_int_equal(ms, 1762149608000LL);
	tz_free(plus11);
}

/* 2025-10-25T23:00:00Z */
#define T1 1761433200000LL

/* The stamps of the other containers a compose log interleaves. */
static void
test_leading_other_containers(void **state)
{
	char err[256];
	struct tz *plus11 = tz_open("+11:00", err, sizeof err);
	const char *acc = "172.18.0.1 - - [25/Oct/2025:23:00:00 +0000] \"GET / "
	    "HTTP/1.1\" 200 615";
	int64_t ms = 0;

	/* nginx access: the stamp after address and two words, with its zone */
	assert_int_equal(lead(acc, NULL, &ms), 44);
	assert_string_equal(acc + 44, "\"GET / HTTP/1.1\" 200 615");
	assert_int_equal(ms, T1);
	assert_int_equal(lead("10.0.0.7 - bob [25/Oct/2025:23:00:00 +1100] x",
	    NULL, &ms), 44);
	assert_int_equal(ms, T1 - 11 * 3600000LL);
	assert_int_equal(lead("::1 - - [25/Oct/2025:23:00:00 -0500] x", NULL,
	    &ms), 37);
	assert_int_equal(ms, T1 + 5 * 3600000LL);
	/* nginx error and Go's log default: slashes, optional micros */
	assert_int_equal(lead("2025/10/25 23:00:00 [error] 12#12: *1 x", NULL,
	    &ms), 20);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("2025/10/25 23:00:00.123456 main.go:12: x", NULL,
	    &ms), 27);
	assert_int_equal(ms, T1 + 123);
	/* redis: pid, role, day month year, ms; naive, so tz applies */
	assert_int_equal(lead("1:M 25 Oct 2025 23:00:00.123 * Ready", NULL,
	    &ms), 29);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("4711:S 25 Oct 2025 23:00:00.999 # x", plus11,
	    &ms), 32);
	assert_int_equal(ms, T1 + 999 - 11 * 3600000LL);
	assert_int_equal(lead("1:C 25 Oct 2025 23:00:00.000 # oO0OoO0OoO0Oo",
	    NULL, &ms), 29);
	assert_int_equal(ms, T1);
	/* Java: logback's comma and Tomcat's day-month-year */
	assert_int_equal(lead("2025-10-25 23:00:00,123 ERROR [main] x", NULL,
	    &ms), 24);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("25-Oct-2025 23:00:00.123 INFO [main] x", NULL,
	    &ms), 25);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("25-Oct-2025 23:00:00 SEVERE x", NULL, &ms), 21);
	assert_int_equal(ms, T1);
	/* log4j's DATE, day month year, naive */
	assert_int_equal(lead("25 Oct 2025 23:00:00,123 ERROR x", NULL, &ms),
	    25);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("25 Oct 2025 23:00:00 ERROR x", plus11, &ms), 21);
	assert_int_equal(ms, T1 - 11 * 3600000LL);
	/* seconds since the epoch, UTC whatever tz says */
	assert_int_equal(lead("1761433200 ERROR x", plus11, &ms), 11);
	assert_int_equal(ms, 1761433200000LL);
	assert_int_equal(lead("1761433200.123456\tERROR x", NULL, &ms), 17);
	assert_int_equal(ms, 1761433200123LL);
	/* mosquitto's, a colon after them */
	assert_int_equal(lead("1761433201: Warning: x", NULL, &ms), 12);
	assert_int_equal(ms, 1761433201000LL);
	assert_int_equal(lead("1761433201:x", NULL, &ms), 0);
	assert_int_equal(lead("1761433201:", NULL, &ms), 0);
	/* java.util.logging's header line, 12-hour, month first */
	assert_int_equal(lead("Oct 25, 2025 11:00:00 PM org.Foo bar", NULL,
	    &ms), 25);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("Oct 5, 2025 12:00:00 AM org.Foo bar", NULL, &ms),
	    24);
	assert_int_equal(ms, T1 - 20 * 86400000LL - 23 * 3600000LL);
	/* Ruby's Logger: severity letter, bracketed ISO stamp and pid */
	assert_int_equal(lead("E, [2025-10-25T23:00:00.123456 #1] ERROR -- : x",
	    NULL, &ms), 35);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("E, [2025-10-25T23:00:00.123456 #] ERROR", NULL,
	    &ms), 0);
	assert_int_equal(lead("E, [2025-10-25T23:00:00.123456 #12 ERROR", NULL,
	    &ms), 0);
	/* Celery: the level and process after the stamp, in its brackets */
	assert_int_equal(lead("[2025-10-25 23:00:00,123: ERROR/MainProcess] x",
	    NULL, &ms), 26);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("[2025-10-25 23:00:00,123: nothing] x", NULL, &ms),
	    0);
	/* dates by locale: en-US month first with AM/PM, else day first */
	assert_int_equal(lead("10/25/2025 11:00:00 PM ERROR x", NULL, &ms), 23);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("1/5/2025 3:04:05.250 PM x", NULL, &ms), 24);
	assert_int_equal(ms, 1736089445250LL);
	assert_int_equal(lead("25/10/2025 23:00:00 ERROR x", NULL, &ms), 20);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("05/10/2025 23:00:00 x", NULL, &ms), 20);
	assert_int_equal(ms, T1 - 20 * 86400000LL);
	assert_int_equal(lead("05/10/2025 11:00:00 PM x", NULL, &ms), 23);
	assert_int_equal(ms, 1746918000000LL);
	assert_int_equal(lead("10/25/2025 11:00:00 PM x", plus11, &ms), 23);
	assert_int_equal(ms, T1 - 11 * 3600000LL);
	/* log4j's two-digit year, Hadoop's and Spark's default */
	assert_int_equal(lead("25/10/25 23:00:00 ERROR executor.Executor: x",
	    NULL, &ms), 18);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("25/13/25 23:00:00 x", NULL, &ms), 0);
	/* old Hadoop's "%d{yyMMdd HHmmss}"; HealthApp's colon before ms */
	assert_int_equal(lead("251025 230000 148 INFO dfs.DataNode: x", NULL,
	    &ms), 14);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("251325 230000 148 INFO x", NULL, &ms), 0);
	assert_int_equal(lead("251025 236000 148 INFO x", NULL, &ms), 0);
	assert_int_equal(lead("20251025-23:00:00:123|Step_LSC|30002312|x", NULL,
	    &ms), 21);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("20251025-23:00:00:5|x", NULL, &ms), 19);
	assert_int_equal(ms, T1 + 5);
	assert_int_equal(lead("20251025-23:0:0:50|x", NULL, &ms), 18);
	assert_int_equal(ms, T1 + 50);
	assert_int_equal(lead("20251025-23:00:00|x", NULL, &ms), 0);
	assert_int_equal(lead("20251025-25:00:00:123|x", NULL, &ms), 0);
	/* Proxifier's month and day in brackets, the year the stream's */
	assert_int_equal(lead("[10.25 23:00:00] chrome.exe - x:443 open", NULL,
	    &ms), 17);
	/* Blue Gene/L: tag, epoch, date, node, then its own stamp and node */
	assert_int_equal(lead("- 1761433200 2025.10.25 R02-M1-N0-C:J12-U11 "
	    "2025-10-25-23.00.00.675872 R02-M1-N0-C:J12-U11 RAS KERNEL FATAL x",
	    plus11, &ms), 71);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("KERNDTLB 1761433200 2025.10.25 R02-M1 "
	    "2025-10-25-23.00.00.675872 R02-M1 RAS KERNEL FATAL x", NULL, &ms),
	    65);
	assert_int_equal(ms, T1);
	/* Thunderbird: the node's syslog stamp, its day unpadded */
	assert_int_equal(lead("- 1761433200 2025.10.25 dn228 Oct 5 23:00:00 "
	    "dn228/dn228 crond[2915]: x", NULL, &ms), 45);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("- 1761433200 2025.10.25 dn228 Oct  5 23:00:00 "
	    "dn228/dn228 crond[2915]: x", NULL, &ms), 46);
	assert_int_equal(lead("- 1761433200 2025.10.25 dn228 Oct 15 23:00:00 "
	    "dn228/dn228 crond[2915]: x", NULL, &ms), 46);
	assert_int_equal(ms, T1);
	/* Los Alamos HPC: number, node, component, state, epoch, flag */
	assert_int_equal(lead("134681 node-246 unix.hw state_change.unavailable "
	    "1761433200 1 Component State Change: x", plus11, &ms), 62);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("2561 node-130 action start 1761433200 1 "
	    "clusterAddMember  (command 1902)", NULL, &ms), 40);
	assert_int_equal(ms, T1);
	assert_int_equal(lead("2561 node-130 action start 176143320 1 x y z",
	    NULL, &ms), 0);
	assert_int_equal(lead("2561 node-130 action 1761433200 1 x y z w", NULL,
	    &ms), 0);
	/* no node's stamp: the span ends after the node */
	assert_int_equal(lead("- 1761433200 2025.10.25 dn228 crond: x", NULL,
	    &ms), 30);
	assert_int_equal(lead("- 176143320 2025.10.25 dn228 x", NULL, &ms), 0);
	assert_int_equal(lead("- a list item of some length", NULL, &ms), 0);
	/* the check without a value says yes to each of them */
	assert_int_equal(timeparse_has_leading(acc, strlen(acc)), 1);
	assert_int_equal(timeparse_has_leading("Oct 25, 2025 11:00:00 PM x",
	    26), 1);
	assert_int_equal(timeparse_has_leading("10/25/2025 11:00:00 PM x", 24),
	    1);
	assert_int_equal(timeparse_has_leading("::1 - - [25/Oct/2025:23:00:00 "
	    "-0500] x", 38), 1);
	assert_int_equal(timeparse_has_leading("1:M 25 Oct 2025 23:00:00.123 * "
	    "Ready", 36), 1);
	assert_int_equal(timeparse_has_leading("25-Oct-2025 23:00:00.123 INFO",
	    29), 1);
	assert_int_equal(timeparse_has_leading("2025/10/25 23:00:00.123456 x",
	    28), 1);
	tz_free(plus11);
}

/* Near misses of those shapes are no stamps. */
static void
test_leading_other_rejects(void **state)
{
	static const char *const lines[] = {
		"172.18.0.1 - - [25/Okt/2025:23:00:00 +0000] x",
		"172.18.0.1 - - [25/Oct/2025:24:00:00 +0000] x",
		"172.18.0.1 - - [31/Nov/2025:23:00:00 +0000] x",
		"172.18.0.1 - [25/Oct/2025:23:00:00 +0000] x",
		"172.18.0.1 - - [25/Oct/2025:23:00:00] x",
		"1:Q 25 Oct 2025 23:00:00.123 * x",
		"1:M 25 Oct 25 23:00:00.123 * x",
		"25-Oct-2025 23:00 x",
		"25-Oct-2025 23:00:001 x",
		"Oct 25 23:00 x",
		"Okt 25 23:00:00 host x",
		"Oct 32 23:00:00 host x",
		"Oct  0 23:31:11,1236666666666666\377",
		"Oct 00 23:31:11 host x",
		"INFO 25 23:00:00 host x",
		"12 Oct 25 23:00:00 x",
		"12 Okt 2025 23:00:00 x",
		"0761433600 x",
		"1761433600123 x",
		"1761433600x",
		"1761433600.x",
		"1234567890123:M 25 Oct 2025 23:00:00.123 * x",
		"Oct 25, 25 11:00:00 PM x",
		"Oct 25, 2025 13:00:00 PM x",
		"Oct 32, 2025 11:00:00 PM x",
		"Okt 25, 2025 11:00:00 PM x",
		"10/25/2025 11:00 PM x",
		"13/25/2025 11:00:00 x",
		"10/25/25 11:00:00 x",
		"10/25/2025 0:00:00 AM x",
		"100/25/2025 11:00:00 x",
		"10/25/2025T11:00:00 x",
		"21/50/2025 3:04:01 x",
		"13/13/2025 3:04:01 x",
	};
	int64_t ms;
	size_t i, n;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		n = strlen(lines[i]);
		assert_int_equal(timeparse_leading(lines[i], n, NULL, &ms), 0);
		assert_int_equal(timeparse_has_leading(lines[i], n), 0);
	}
}

/* syslog "Oct 25 23:00:00" takes the year of the stream's previous stamp. */
static void
test_leading_syslog_year(void **state)
{
	struct timeparse_cache c;
	const char *prev = "2025-10-25 22:59:59 x";
	const char *dec = "2025-12-31 23:59:59 x";
	int64_t ms = 0;

	memset(&c, 0, sizeof c);
	assert_int_equal(timeparse_leading_cached(&c, prev, strlen(prev), NULL,
	    &ms), 20);
	assert_int_equal(timeparse_leading_cached(&c, "Oct 25 23:00:00 web "
	    "sshd[7]: x", 31, NULL, &ms), 16);
	assert_int_equal(ms, T1);
	assert_int_equal(timeparse_leading_cached(&c, "Oct  5 23:00:00 x", 17,
	    NULL, &ms), 16);
	assert_int_equal(ms, T1 - 20 * 86400000LL);
	assert_int_equal(timeparse_has_leading_cached(&c, "Oct  5 23:00:00 x",
	    17), 1);
	/* December, then January: the year turns */
	memset(&c, 0, sizeof c);
	assert_int_equal(timeparse_leading_cached(&c, dec, strlen(dec), NULL,
	    &ms), 20);
	assert_int_equal(ms, 1767225599000LL);
	assert_int_equal(timeparse_leading_cached(&c, "Jan  1 00:00:01 x", 17,
	    NULL, &ms), 16);
	assert_int_equal(ms, 1767225601000LL);
	/* Without a stream the year is this one or the last: it parses. */
	assert_int_equal(lead("Oct 25 23:00:00 host x", NULL, &ms), 16);
}

/*
 * klog and glog (Go): the level letter, month and day, then the clock;
 * the year is the stream's, as syslog's; logcat's the same without the
 * letter.  Not a month or day: no stamp.
 */
static void
test_leading_klog(void **state)
{
	struct timeparse_cache c;
	const char *prev = "2025-10-25 22:59:59 x";
	const char *e = "E1025 23:00:00.123456       1 controller.go:114] x";
	int64_t ms = 0;

	memset(&c, 0, sizeof c);
	assert_int_equal(timeparse_leading_cached(&c, prev, strlen(prev), NULL,
	    &ms), 20);
	assert_int_equal(timeparse_leading_cached(&c, e, strlen(e), NULL, &ms),
	    22);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(timeparse_has_leading_cached(&c, e, strlen(e)), 1);
	assert_int_equal(lead("I1025 23:00:00.5 1 main.go:1] up", NULL, &ms), 17);
	assert_int_equal(lead("W1325 23:00:00.123456 1 a.go:1] x", NULL, &ms), 0);
	assert_int_equal(lead("E1000 23:00:00.123456 1 a.go:1] x", NULL, &ms), 0);
	assert_int_equal(lead("X1025 23:00:00.123456 1 a.go:1] x", NULL, &ms), 0);
	/* Android's logcat: month and day, no letter, the year the stream's */
	e = "10-25 23:00:00.123  1702  2395 E WindowManager: x";
	assert_int_equal(timeparse_leading_cached(&c, e, strlen(e), NULL, &ms),
	    19);
	assert_int_equal(ms, T1 + 123);
	assert_int_equal(lead("13-25 23:00:00.123  1 2 E x", NULL, &ms), 0);
	assert_int_equal(lead("10-32 23:00:00.123  1 2 E x", NULL, &ms), 0);
}

/* Every zone abbreviation is found (the table is searched in halves). */
static void
test_leading_every_abbrev(void **state)
{
	static const struct {
		const char	*name;
		int64_t		 offset;
	} zones[] = {
		{ "ACDT", 37800 }, { "ACST", 34200 }, { "ADT", -10800 }, {
		"AEDT", 39600 }, { "AEST", 36000 }, { "AKDT", -28800 }, {
		"AKST", -32400 }, { "ART", -10800 }, { "AST", -14400 }, {
		"AWST", 28800 }, { "BRT", -10800 }, { "BST", 3600 }, { "CAT",
		7200 }, { "CDT", -18000 }, { "CEST", 7200 }, { "CET", 3600 },
		{ "CST", -21600 }, { "EAT", 10800 }, { "EDT", -14400 }, {
		"EEST", 10800 }, { "EET", 7200 }, { "EST", -18000 }, { "GMT",
		0 }, { "HKT", 28800 }, { "HST", -36000 }, { "ICT", 25200 }, {
		"IST", 19800 }, { "JST", 32400 }, { "KST", 32400 }, { "MDT",
		-21600 }, { "MEST", 7200 }, { "MET", 3600 }, { "MSK", 10800 },
		{ "MST", -25200 }, { "NDT", -9000 }, { "NST", -12600 }, {
		"NZDT", 46800 }, { "NZST", 43200 }, { "PDT", -25200 }, {
		"PHT", 28800 }, { "PKT", 18000 }, { "PST", -28800 }, { "SAST",
		7200 }, { "SGT", 28800 }, { "UT", 0 }, { "UTC", 0 }, { "WAT",
		3600 }, { "WEST", 3600 }, { "WET", 0 }, { "WIB", 25200 }, {
		"Z", 0 }
	};
	char line[64];
	int64_t ms = 0;
	size_t i;

	for (i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		snprintf(line, sizeof line, "2025-10-25 23:31:11 %s x",
		    zones[i].name);
		assert_int_equal(lead(line, NULL, &ms), 21 +
		    strlen(zones[i].name));
		assert_int_equal(ms, T0 - zones[i].offset * 1000);
	}
	assert_int_equal(lead("2025-10-25 23:31:11 AAA x", NULL, &ms), 20);
	assert_int_equal(lead("2025-10-25 23:31:11 ZZZ x", NULL, &ms), 20);
	assert_int_equal(lead("2025-10-25 23:31:11 UTCX x", NULL, &ms), 20);
}

/* Times printed in a zone, as events --tz prints them. */
static void
test_format_iso(void **state)
{
	char err[256], out[40];
	struct tz *tokyo = tz_open("Asia/Tokyo", err, sizeof err);
	struct tz *minus = tz_open("-05:30", err, sizeof err);

	assert_non_null(tokyo);
	assert_non_null(minus);
	tz_format_iso(tokyo, 1772359200000LL, out, sizeof out);
	assert_string_equal(out, "2026-03-01T19:00:00.000+09:00");
	tz_format_iso(NULL, 1772359200000LL, out, sizeof out);
	assert_string_equal(out, "2026-03-01T10:00:00.000Z");
	tz_format_iso(minus, 1772359200007LL, out, sizeof out);
	assert_string_equal(out, "2026-03-01T04:30:00.007-05:30");
	assert_int_equal(tz_offset(tokyo, 1772359200000LL), 32400);
	tz_free(tokyo);
	tz_free(minus);
}

/* timeparse_has_leading says yes exactly where timeparse_leading reads a stamp. */
static void
test_has_leading(void **state)
{
	static const char *const lines[] = {
		"2025-10-25 23:31:11 INFO src.daemon: up",
		"2025-10-25 23:31:11,123 WARNING x",
		"2025-10-25T23:31:11.123+02:00 x",
		"2025-10-25 23:31:11 AEDT x",
		"[2025-10-25 23:31:11.123] x",
		"[2025-10-25 23:31:11 UTC] x",
		"[2025-10-25 23:31:11 XYZ] x",
		"[2025-10-25 23:31:11 INFO] x",
		"[2025-10-25T23:31:11Z ERROR app] x",
		"[2025-10-25 23:31:11 INFOS] x",
		"2025-10-25 23:31:111 x",
		"2025-13-25 23:31:11 x",
		"INFO: 2025-10-25 23:31:11",
		"2025-10-25",
		"",
	};
	static const int expect[] = { 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0 };
	int64_t ms;
	size_t i, n;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		n = strlen(lines[i]);
		assert_int_equal(timeparse_has_leading(lines[i], n), expect[i]);
		assert_int_equal(timeparse_leading(lines[i], n, NULL, &ms) > 0, expect[i]);
	}
}

static void
test_leading_rejects(void **state)
{
	static const char *bad[] = {
		"INFO 2025-10-25 23:31:11",
		"2025-10-25",
		"2025-10-25 23:31",
		"2025-10-25 23:31:111 x",
		"2025-10-32 23:31:11",
		"2025-02-29 23:31:11",
		"2025-10-25 25:31:11",
		"2025-10-25X23:31:11",
		"2025-10/25 23:31:11",
		"[2025-10-25 23:31:11",
		"[2025-10-25 23:31:11 x]",
		"12345-10-25 23:31:11",
		"13/25/2025 23:31:11",
		"",
	};
	size_t i;
	int64_t ms = 7;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (lead(bad[i], NULL, &ms) != 0)
			fail_msg("accepted '%s'", bad[i]);
	}
	assert_int_equal(ms, 7);
}

/*
 * Stamps read in sequence through one cache: across second, minute, day,
 * year and leap-day boundaries, with 0 to 12 fraction digits, zones and
 * offsets, and broken stamps right after good ones that share their first
 * 19 bytes or their minute.  Cached and uncached both give the exact value.
 */
static const struct {
	const char	*s;
	size_t		 len;
	int64_t		 ms;
} rfc_seq[] = {
	{ "2025-10-25T23:31:11.123456789Z", 30, 1761435071123LL },
	{ "2025-10-25T23:31:11.999999999Z", 30, 1761435071999LL },
	{ "2025-10-25T23:31:11Z", 20, 1761435071000LL },
	{ "2025-10-25T23:31:11.1Z", 22, 1761435071100LL },
	{ "2025-10-25T23:31:11.12Z", 23, 1761435071120LL },
	{ "2025-10-25T23:31:11.123Z", 24, 1761435071123LL },
	{ "2025-10-25T23:31:11.1234Z", 25, 1761435071123LL },
	{ "2025-10-25T23:31:11.12345Z", 26, 1761435071123LL },
	{ "2025-10-25T23:31:11.123456Z", 27, 1761435071123LL },
	{ "2025-10-25T23:31:11.1234567Z", 28, 1761435071123LL },
	{ "2025-10-25T23:31:11.12345678Z", 29, 1761435071123LL },
	{ "2025-10-25T23:31:11.123456789012Z", 33, 1761435071123LL },
	{ "2025-10-25T23:31:11.5+02:00", 27, 1761427871500LL },
	{ "2025-10-25T23:31:11.5-05:30", 27, 1761454871500LL },
	{ "2025-10-25T23:31:11.25z", 23, 1761435071250LL },
	{ "2025-10-25T23:31:11.Z", 0, 0 },
	{ "2025-10-25T23:31:11", 0, 0 },
	{ "2025-10-25T23:31:11+0200", 0, 0 },
	{ "2025-10-25T23:31:11.5", 0, 0 },
	{ "2025-10-25T23:31:11.5Q", 0, 0 },
	{ "2025-10-25T23:31:11+24:00", 0, 0 },
	{ "2025-10-25T23:31:11.250Z", 24, 1761435071250LL },
	{ "2025-10-25T23:31:12.000Z", 24, 1761435072000LL },
	{ "2025-10-25T23:32:00.001Z", 24, 1761435120001LL },
	{ "2025-10-25T23:32:61Z", 0, 0 },
	{ "2025-10-25T23:32:6xZ", 0, 0 },
	{ "2025-10-25T23:32:60Z", 20, 1761435180000LL },	/* leap second */
	{ "2025-10-25T23:32:59Z", 20, 1761435179000LL },
	{ "2025-10-2XT23:32:59Z", 0, 0 },
	{ "2025-10-25T23:32:59.7Z", 22, 1761435179700LL },
	{ "2025-10-25T23:59:59.999Z", 24, 1761436799999LL },
	{ "2025-10-26T00:00:00Z", 20, 1761436800000LL },
	{ "2025-12-31T23:59:59.999Z", 24, 1767225599999LL },
	{ "2026-01-01T00:00:00.000Z", 24, 1767225600000LL },
	{ "2024-02-28T23:59:59Z", 20, 1709164799000LL },
	{ "2024-02-29T00:00:00Z", 20, 1709164800000LL },
	{ "2024-02-29T23:59:59.5Z", 22, 1709251199500LL },
	{ "2024-03-01T00:00:00Z", 20, 1709251200000LL },
	{ "2023-02-29T00:00:00Z", 0, 0 },
	{ "2100-02-29T00:00:00Z", 0, 0 },
	{ "2000-02-29T12:00:00Z", 20, 951825600000LL },
	{ "2000-02-29t12:00:00Z", 20, 951825600000LL },
	/*
	 * Docker's own shape, nine digits and Z, read at fixed places: across
	 * second, minute, hour, day, month and year, a leap second and a
	 * leap day, and its near misses that the general reading takes.
	 */
	{ "2025-10-25T23:31:11.123456789Z", 30, 1761435071123LL },
	{ "2025-10-25T23:31:59.999999999Z", 30, 1761435119999LL },
	{ "2025-10-25T23:32:00.000000001Z", 30, 1761435120000LL },
	{ "2025-10-25T23:59:59.500000000Z", 30, 1761436799500LL },
	{ "2025-10-26T00:00:00.000000000Z", 30, 1761436800000LL },
	{ "2025-10-31T23:59:59.999999999Z", 30, 1761955199999LL },
	{ "2025-11-01T00:00:00.123456789Z", 30, 1761955200123LL },
	{ "2025-12-31T23:59:59.999999999Z", 30, 1767225599999LL },
	{ "2026-01-01T00:00:00.000000000Z", 30, 1767225600000LL },
	{ "2026-01-01T00:00:60.999999999Z", 30, 1767225660999LL },
	{ "2024-02-29T12:00:00.250000000Z", 30, 1709208000250LL },
	{ "2026-01-01T00:00:00.123456789z", 30, 1767225600123LL },
	{ "2026-01-01T00:00:00.123456789+01:00", 35, 1767222000123LL },
	{ "2026-01-01T00:00:00.123456789-00:00", 35, 1767225600123LL },
	{ "2026-01-01T00:00:00.1234567890Z", 31, 1767225600123LL },
	{ "2026-01-01T00:00:00.12345678Z", 29, 1767225600123LL },
	{ "2026-01-01T00:00:00.12345678xZ", 0, 0 },
	{ "2026-01-01T00:00:00.1234x6789Z", 0, 0 },
	{ "2026-01-01T00:00:00.12\xb3" "456789Z", 0, 0 },
	{ "2026-01-01T00:00:00.:23456789Z", 0, 0 },
	{ "2026-01-01T00:00:00,123456789Z", 0, 0 },
	{ "2026-01-01T00:00:00.123456789Q", 0, 0 },
	{ "2026-01-01T00:00:00.123456789ZZ", 30, 1767225600123LL },
};

static void
test_rfc3339_cached(void **state)
{
	struct timeparse_cache c;
	int64_t ms, cms;
	size_t i, n;
	int pass;

	memset(&c, 0, sizeof c);
	/* Twice: the second pass starts from the first pass's last key. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof rfc_seq / sizeof rfc_seq[0]; i++) {
			n = strlen(rfc_seq[i].s);
			ms = cms = -7;
			assert_int_equal(timeparse_rfc3339(rfc_seq[i].s, n, &ms),
			    rfc_seq[i].len);
			assert_int_equal(timeparse_rfc3339_cached(&c, rfc_seq[i].s,
			    n, &cms), rfc_seq[i].len);
			if (rfc_seq[i].len == 0) {
				assert_int_equal(ms, -7);
				assert_int_equal(cms, -7);
			} else {
				assert_int_equal(ms, rfc_seq[i].ms);
				assert_int_equal(cms, rfc_seq[i].ms);
			}
		}
	}
}

/* The same for leading stamps, in UTC, a fixed zone and an IANA zone. */
static const struct {
	const char	*s;
	size_t		 len;
	int64_t		 ms;	/* in UTC */
} lead_seq[] = {
	{ "2025-10-25 23:31:11 INFO src.daemon: up", 20, 1761435071000LL },
	{ "2025-10-25 23:31:11,123 WARNING x", 24, 1761435071123LL },
	{ "2025-10-25 23:31:11.5 AEDT x", 27, 1761395471500LL },
	{ "2025-10-25 23:31:11 +0200 x", 26, 1761427871000LL },
	{ "2025-10-25 23:31:11-05:30 x", 26, 1761454871000LL },
	{ "2025-10-25 23:31:11Z x", 21, 1761435071000LL },
	{ "2025-10-25 23:31:11 EST", 23, 1761453071000LL },
	{ "2025-10-25 23:31:11 XYZ x", 20, 1761435071000LL },
	{ "2025-10-25 23:31:111 x", 0, 0 },
	{ "2025-10-25 23:31:11.123456789 x", 30, 1761435071123LL },
	{ "2025-10-25 23:31:11.1 x", 22, 1761435071100LL },
	{ "2025-10-25 23:31:11.12 x", 23, 1761435071120LL },
	{ "2025-10-25 23:31:11.1234 x", 25, 1761435071123LL },
	{ "2025-10-25 23:31:11.", 19, 1761435071000LL },
	{ "[2025-10-25 23:31:11.123] x", 26, 1761435071123LL },
	{ "[2025-10-25 23:31:11 x", 0, 0 },
	{ "2025-10-25 23:31:12 x", 20, 1761435072000LL },
	{ "2025-10-25 23:32:00 x", 20, 1761435120000LL },
	{ "2025-10-25 23:32:61 x", 0, 0 },
	{ "2025-10-25 23:32:60 x", 20, 1761435180000LL },
	{ "2025/10/25 23:32:01 x", 20, 1761435121000LL },
	{ "2025-10/25 23:32:01 x", 0, 0 },
	{ "2025-10-25T23:32:01.5 x", 22, 1761435121500LL },
	{ "2025-10-25t23:32:01 x", 0, 0 },
	{ "2025-10-25 23:59:59.999 x", 24, 1761436799999LL },
	{ "2025-10-26 00:00:00 x", 20, 1761436800000LL },
	{ "2025-12-31 23:59:59 x", 20, 1767225599000LL },
	{ "2026-01-01 00:00:00 x", 20, 1767225600000LL },
	{ "2024-02-28 23:59:59 x", 20, 1709164799000LL },
	{ "2024-02-29 00:00:00 x", 20, 1709164800000LL },
	{ "2024-03-01 00:00:00 x", 20, 1709251200000LL },
	{ "2100-02-29 00:00:00 x", 0, 0 },
	{ "2000-02-29 12:00:00 x", 20, 951825600000LL },
	{ "2000-02-29 12:00:00", 19, 951825600000LL },
	/*
	 * Python's logging shape, read at fixed places: across minute,
	 * hour, day, month and year, a leap second, every separator, and
	 * the near misses (other fraction lengths, a zone, a lower-case or
	 * short word, two blanks) that the general reading takes.
	 */
	{ "2025-10-25 23:31:59,999 INFO x", 24, 1761435119999LL },
	{ "2025-10-25 23:32:00,000 INFO x", 24, 1761435120000LL },
	{ "2025-10-25 23:59:59.500 ERROR x", 24, 1761436799500LL },
	{ "2025-10-26 00:00:00,001 DEBUG x", 24, 1761436800001LL },
	{ "2025-10-31 23:59:59,999 WARNING x", 24, 1761955199999LL },
	{ "2025-11-01 00:00:00 INFO x", 20, 1761955200000LL },
	{ "2025-12-31 23:59:59,999 CRITICAL x", 24, 1767225599999LL },
	{ "2026-01-01 00:00:00,000 INFO x", 24, 1767225600000LL },
	{ "2026-01-01 00:00:60,250 INFO x", 24, 1767225660250LL },
	{ "2026-01-01T00:00:00,123 INFO x", 24, 1767225600123LL },
	{ "2026/01/01 00:00:00.123 INFO x", 24, 1767225600123LL },
	{ "2026-01-01 00:00:00,123 EST x", 28, 1767243600123LL },
	{ "2026-01-01 00:00:00,123 UTC x", 28, 1767225600123LL },
	{ "2026-01-01 00:00:00,123 +0100 x", 30, 1767222000123LL },
	{ "2026-01-01 00:00:00,123 IN", 24, 1767225600123LL },
	{ "2026-01-01 00:00:00,123 I", 24, 1767225600123LL },
	{ "2026-01-01 00:00:00,1234 INFO x", 25, 1767225600123LL },
	{ "2026-01-01 00:00:00,12 INFO x", 23, 1767225600120LL },
	{ "2026-01-01 00:00:00,123  INFO x", 24, 1767225600123LL },
	{ "2026-01-01 00:00:00,123 info x", 24, 1767225600123LL },
	{ "2026-01-01 00:00:00,123INFO x", 23, 1767225600123LL },
	{ "2026-01-01 00:00:00,123", 23, 1767225600123LL },
	{ "2026-01-01 00:00:00;123 INFO x", 19, 1767225600000LL },
	{ "2026-01-01 00:00:0x,123 INFO x", 0, 0 },
	/* Sydney's 2025 spring-forward (02:00 -> 03:00) and fall-back. */
	{ "2025-10-05 01:59:59 x", 20, 1759629599000LL },
	{ "2025-10-05 02:30:00 x", 20, 1759631400000LL },
	{ "2025-10-05 03:00:00 x", 20, 1759633200000LL },
	{ "2025-04-06 02:30:00 x", 20, 1743906600000LL },
};

static void
test_leading_cached(void **state)
{
	char err[256];
	struct tz *zones[3];
	struct timeparse_cache c;
	int64_t ms, cms;
	size_t i, n, len;
	int z;

	zones[0] = NULL;
	zones[1] = tz_open("+11:00", err, sizeof err);
	zones[2] = tz_open("Australia/Sydney", err, sizeof err);
	assert_non_null(zones[1]);
	assert_non_null(zones[2]);
	for (z = 0; z < 3; z++) {
		memset(&c, 0, sizeof c);
		for (i = 0; i < sizeof lead_seq / sizeof lead_seq[0]; i++) {
			n = strlen(lead_seq[i].s);
			ms = cms = -7;
			len = timeparse_leading(lead_seq[i].s, n, zones[z], &ms);
			assert_int_equal(len, lead_seq[i].len);
			assert_int_equal(timeparse_leading_cached(&c, lead_seq[i].s,
			    n, zones[z], &cms), len);
			assert_int_equal(cms, ms);
			if (len == 0)
				assert_int_equal(ms, -7);
			else if (z == 0)
				assert_int_equal(ms, lead_seq[i].ms);
			assert_int_equal(timeparse_has_leading_cached(&c,
			    lead_seq[i].s, n), len > 0);
			assert_int_equal(timeparse_has_leading(lead_seq[i].s, n),
			    len > 0);
		}
	}
	/* Naive stamps move with the zone; a stamp's own zone does not. */
	assert_int_equal(timeparse_leading("2025-11-03 17:00:08 x", 21, zones[1],
	    &ms), 20);
	assert_int_equal(ms, 1762149608000LL);
	tz_free(zones[1]);
	tz_free(zones[2]);
}

/*
 * Lines of one second repeat their stamp's date and clock, mostly all the
 * bytes it was read from: the cache then reads only the rest, or returns
 * the length it remembers.  Each line here is read through one cache and
 * through a fresh one, which reads it whole: the two agree on the
 * repeats, on lines that differ only past the bytes read, and on those
 * that differ within them ("," then a digit begins a fraction, another
 * fraction, a zone instead of a level word, a line cut short).
 */
static const char *const memo_seq[] = {
	"2025-10-25 23:31:11 INFO x",
	"2025-10-25 23:31:11 INFO x",
	"2025-10-25 23:31:11 INFO other words",
	"2025-10-25 23:31:11 IN",
	"2025-10-25 23:31:11 I",
	"2025-10-25 23:31:11 EST x",
	"2025-10-25 23:31:11 ESX x",
	"2025-10-25 23:31:11 INFO x",
	"2025-10-25 23:31:11,123 INFO x",
	"2025-10-25 23:31:11,123 INFO y",
	"2025-10-25 23:31:11,124 INFO y",
	"2025-10-25 23:31:11,124 info y",
	"2025-10-25 23:31:11,",
	"2025-10-25 23:31:11,5 x",
	"2025-10-25 23:31:11,",
	"2025-10-25 23:31:11,x",
	"2025-10-25 23:31:11,5",
	"2025-10-25 23:31:11.",
	"2025-10-25 23:31:11.25 x",
	"2025-10-25 23:31:11.25 y",
	"2025-10-25 23:31:11.251 x",
	"2025-10-25 23:31:11.25",
	"2025-10-25 23:31:11.123456789 x",
	"2025-10-25 23:31:11.123456789 x",
	"2025-10-25 23:31:11.1234567890 x",
	"2025-10-25 23:31:11",
	"2025-10-25 23:31:111 x",
	"2025-10-25 23:31:11.5x",
	"2025-10-25 23:31:11 ",
	"2025-10-25 23:31:11 INFO x",
	"2025-10-25 23:31:12 INFO x",
	"2025-10-25 23:31:12 INFO x",
	"[2025-10-25 23:31:12] INFO x",
	"2025-10-25 23:31:12 INFO x",
	"2025-10-25 23:31:12Z x",
	"2025-10-25 23:31:12 +0200 x",
	"2025-10-25 23:31:12 INFO x",
};

static void
test_leading_memo(void **state)
{
	char err[256];
	struct tz *zones[2];
	struct timeparse_cache c, fresh;
	int64_t ms, fms;
	size_t i, n, len;
	int z, pass;

	zones[0] = NULL;
	zones[1] = tz_open("+11:00", err, sizeof err);
	assert_non_null(zones[1]);
	for (z = 0; z < 2; z++) {
		/* once reading times, once lengths only, once both in turn */
		for (pass = 0; pass < 3; pass++) {
			memset(&c, 0, sizeof c);
			for (i = 0; i < sizeof memo_seq / sizeof memo_seq[0]; i++) {
				n = strlen(memo_seq[i]);
				memset(&fresh, 0, sizeof fresh);
				if (pass == 0 || (pass == 2 && i % 2 == 0)) {
					ms = fms = -7;
					len = timeparse_leading_cached(&fresh,
					    memo_seq[i], n, zones[z], &fms);
					assert_int_equal(timeparse_leading_cached(&c,
					    memo_seq[i], n, zones[z], &ms), len);
					assert_int_equal(ms, fms);
					assert_int_equal(len, timeparse_leading(
					    memo_seq[i], n, zones[z], &fms));
					assert_int_equal(ms, fms);
					/* what a stamp read says of itself */
					if (len > 0)
						assert_int_equal(c.naive,
						    fresh.naive);
				} else {
					assert_int_equal(
					    timeparse_leading_len_cached(&c,
					    memo_seq[i], n),
					    timeparse_leading_len_cached(&fresh,
					    memo_seq[i], n));
				}
			}
		}
	}
	tz_free(zones[1]);
}

/*
 * Logging stamps of one minute whose seconds change: the cache takes the
 * new seconds from the second before, going on, back, to a leap second,
 * and past the bytes it may not take (61, a letter, a zone word).  Each
 * reading agrees with an uncached one in every zone, across Sydney's
 * missing hour and Berlin's repeated one, and the UTC readings are these.
 */
static void
test_leading_minute(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
		int64_t		 ms;	/* read in UTC */
	} seq[] = {
		{ "2025-10-25 23:31:11,250 INFO a", 24, 1761435071250LL },
		{ "2025-10-25 23:31:12,000 INFO b", 24, 1761435072000LL },
		{ "2025-10-25 23:31:59 ERROR c", 20, 1761435119000LL },
		{ "2025-10-25 23:31:05,500 DEBUG d", 24, 1761435065500LL },
		{ "2025-10-25 23:31:60,001 INFO e", 24, 1761435120001LL },
		{ "2025-10-25 23:31:61 INFO f", 0, 0 },
		{ "2025-10-25 23:31:0x INFO g", 0, 0 },
		{ "2025-10-25 23:31:07 EST h", 24, 1761453067000LL },
		{ "2025-10-25 23:31:08 INFO i", 20, 1761435068000LL },
		{ "2025-10-25 23:31:09,999 INFO j", 24, 1761435069999LL },
		{ "2025-10-25 23:32:09,999 INFO k", 24, 1761435129999LL },
		{ "2025-10-05 02:30:00 INFO l", 20, 1759631400000LL },
		{ "2025-10-05 02:30:01 INFO m", 20, 1759631401000LL },
		{ "2025-10-26 02:00:30 INFO n", 20, 1761444030000LL },
		{ "2025-10-26 02:00:31 INFO o", 20, 1761444031000LL },
	};
	char err[256];
	struct tz *zones[4];
	struct timeparse_cache c, fresh;
	int64_t ms, ums;
	size_t i, n, len;
	int z;

	zones[0] = NULL;
	zones[1] = tz_open("+11:00", err, sizeof err);
	zones[2] = tz_open("Australia/Sydney", err, sizeof err);
	zones[3] = tz_open("Europe/Berlin", err, sizeof err);
	for (z = 1; z < 4; z++)
		assert_non_null(zones[z]);
	for (z = 0; z < 4; z++) {
		memset(&c, 0, sizeof c);
		for (i = 0; i < sizeof seq / sizeof seq[0]; i++) {
			n = strlen(seq[i].s);
			ms = ums = -7;
			len = timeparse_leading(seq[i].s, n, zones[z], &ums);
			assert_int_equal(timeparse_leading_cached(&c, seq[i].s,
			    n, zones[z], &ms), len);
			assert_int_equal(ms, ums);
			if (z == 0) {
				assert_int_equal(len, seq[i].len);
				if (len > 0)
					assert_int_equal(ms, seq[i].ms);
			}
			memset(&fresh, 0, sizeof fresh);
			assert_int_equal(timeparse_leading_len_cached(&c,
			    seq[i].s, n), timeparse_leading_len_cached(&fresh,
			    seq[i].s, n));
		}
	}
	/* lengths alone, the minute's seconds taken by that path */
	memset(&c, 0, sizeof c);
	for (i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		n = strlen(seq[i].s);
		memset(&fresh, 0, sizeof fresh);
		len = timeparse_leading_len_cached(&c, seq[i].s, n);
		assert_int_equal(len, timeparse_leading_len_cached(&fresh,
		    seq[i].s, n));
		assert_int_equal(len > 0, seq[i].len > 0);
	}
	for (z = 1; z < 4; z++)
		tz_free(zones[z]);
}

/*
 * In the hour shown twice, a line that repeats the one before it keeps
 * its pass: the second, once the stream has gone there.
 */
static void
test_leading_memo_repeated_hour(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 ms;	/* UTC */
		size_t		 len;
	} seq[] = {
		{ "2025-10-26 02:59:00 INFO x", 1761440340000LL, 20 },	/* CEST */
		{ "2025-10-26 02:00:30 INFO x", 1761440430000LL, 20 },	/* CET */
		{ "2025-10-26 02:00:30 INFO x", 1761440430000LL, 20 },
		{ "2025-10-26 02:00:30 INFO y", 1761440430000LL, 20 },
		{ "2025-10-26 02:00:31 INFO x", 1761440431000LL, 20 },
		{ "2025-10-26 02:00:31 INFO x", 1761440431000LL, 20 },
		{ "2025-10-26 02:00:31,500 INFO x", 1761440431500LL, 24 },
		{ "2025-10-26 02:00:31,250 INFO x", 1761440431250LL, 24 },
		{ "2025-10-26 03:00:00,250 INFO x", 1761444000250LL, 24 },
		{ "2025-10-26 03:00:00,500 INFO x", 1761444000500LL, 24 },
	};
	char err[256];
	struct tz *tz = tz_open("Europe/Berlin", err, sizeof err);
	struct timeparse_cache c;
	int64_t ms = 0;
	size_t i;

	assert_non_null(tz);
	memset(&c, 0, sizeof c);
	for (i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		assert_int_equal(timeparse_leading_cached(&c, seq[i].s,
		    strlen(seq[i].s), tz, &ms), seq[i].len);
		assert_int_equal(ms, seq[i].ms);
	}
	/* another zone, same bytes: read anew */
	assert_int_equal(timeparse_leading_cached(&c, seq[5].s,
	    strlen(seq[5].s), NULL, &ms), 20);
	assert_int_equal(ms, 1761444031000LL);
	assert_int_equal(timeparse_leading_cached(&c, seq[6].s,
	    strlen(seq[6].s), NULL, &ms), 24);
	assert_int_equal(ms, 1761444031500LL);
	tz_free(tz);
}

/*
 * One cache serves both parsers only where the separators suit both: a
 * leading stamp's space or an RFC 3339 't' never lets the other accept it.
 */
static void
test_cache_shared_separators(void **state)
{
	struct timeparse_cache c;
	int64_t ms = -7;

	memset(&c, 0, sizeof c);
	assert_int_equal(timeparse_leading_cached(&c, "2025-10-25 23:31:11 x", 21,
	    NULL, &ms), 20);
	assert_int_equal(timeparse_rfc3339_cached(&c, "2025-10-25 23:31:11Z", 20,
	    &ms), 0);
	assert_int_equal(timeparse_rfc3339_cached(&c, "2000-02-29t12:00:00Z", 20,
	    &ms), 20);
	assert_int_equal(timeparse_leading_cached(&c, "2000-02-29t12:00:00 x", 21,
	    NULL, &ms), 0);
	assert_int_equal(timeparse_has_leading_cached(&c, "2000-02-29t12:00:00 x",
	    21), 0);
	assert_int_equal(timeparse_leading_cached(&c, "2025/10/25T23:31:11 x", 21,
	    NULL, &ms), 20);
	assert_int_equal(timeparse_rfc3339_cached(&c, "2025/10/25T23:31:11Z", 20,
	    &ms), 0);
	ms = -7;
	assert_int_equal(timeparse_rfc3339_cached(&c, "2025-10-25T23:31:11Z", 20,
	    &ms), 20);
	assert_int_equal(ms, T0);
	ms = -7;
	assert_int_equal(timeparse_leading_cached(&c, "2025-10-25T23:31:11.5 x",
	    23, NULL, &ms), 22);
	assert_int_equal(ms, T0 + 500);
}

/*
 * The tests above go through the cache: a cache whose day is pushed one
 * day on shows in the answer for the same second and for a later second
 * of the same minute, and no longer once the minute changes.
 */
static void
test_cache_is_used(void **state)
{
	struct timeparse_cache c;
	int64_t ms = 0;

	memset(&c, 0, sizeof c);
	assert_int_equal(timeparse_rfc3339_cached(&c, "2025-10-25T23:31:11.5Z",
	    22, &ms), 22);
	assert_int_equal(ms, T0 + 500);
	assert_memory_equal(c.key, "2025-10-25T23:31:11", 19);
	c.days++;
	assert_int_equal(timeparse_rfc3339_cached(&c, "2025-10-25T23:31:11.7Z",
	    22, &ms), 22);
	assert_int_equal(ms, T0 + 86400000 + 700);
	assert_int_equal(timeparse_rfc3339_cached(&c, "2025-10-25T23:31:42Z",
	    20, &ms), 20);
	assert_int_equal(ms, T0 + 86400000 + 31000);
	assert_memory_equal(c.key, "2025-10-25T23:31:42", 19);
	assert_int_equal(timeparse_rfc3339_cached(&c, "2025-10-25T23:32:00Z",
	    20, &ms), 20);
	assert_int_equal(ms, T0 + 49000);
}

static void
test_tz_open(void **state)
{
	char err[256];
	struct tz *tz;

	tz = tz_open("UTC", err, sizeof err);
	assert_non_null(tz);
	assert_int_equal(tz_civil_to_utc(tz, 2025, 10, 25, 23, 31, 11, 5),
	    T0 + 5);
	tz_free(tz);
	tz = tz_open("-0500", err, sizeof err);
	assert_non_null(tz);
	assert_int_equal(tz_civil_to_utc(tz, 2025, 10, 25, 23, 31, 11, 0),
	    T0 + 18000000);
	tz_free(tz);
	tz = tz_open("+05:30", err, sizeof err);
	assert_non_null(tz);
	assert_int_equal(tz_civil_to_utc(tz, 2025, 10, 25, 23, 31, 11, 0),
	    T0 - 19800000);
	tz_free(tz);
	assert_int_equal(tz_civil_to_utc(NULL, 2025, 10, 25, 23, 31, 11, 0), T0);

	assert_null(tz_open("Mars/Olympus_Mons", err, sizeof err));
	assert_string_equal(err, "unknown time zone 'Mars/Olympus_Mons' "
	    "(expected UTC, an offset like +11:00 or -0500, or a zoneinfo name "
	    "like Australia/Sydney)");
	assert_null(tz_open("../../etc/passwd", err, sizeof err));
	assert_null(tz_open("+25:00", err, sizeof err));
	assert_null(tz_open("", err, sizeof err));
	tz_free(NULL);
}

static void
test_tz_iana_dst(void **state)
{
	char err[256];
	struct tz *syd;
	int64_t ms = 0;
	const char *before;

	setenv("TZ", "America/New_York", 1);
	syd = tz_open("Australia/Sydney", err, sizeof err);
	assert_non_null(syd);
	/* Standard time (AEST, +10) and daylight time (AEDT, +11). */
	assert_int_equal(tz_civil_to_utc(syd, 2025, 7, 1, 12, 0, 0, 0),
	    1751335200000LL);
	assert_int_equal(tz_civil_to_utc(syd, 2025, 1, 15, 12, 0, 0, 0),
	    1736902800000LL);
	/* Either side of the 2025-10-05 02:00 spring-forward. */
	assert_int_equal(tz_civil_to_utc(syd, 2025, 10, 5, 1, 30, 0, 0),
	    1759591800000LL);
	assert_int_equal(tz_civil_to_utc(syd, 2025, 10, 5, 3, 30, 0, 250),
	    1759595400250LL);
	/* Cached hours give the same answers. */
	assert_int_equal(tz_civil_to_utc(syd, 2025, 10, 5, 1, 30, 0, 0),
	    1759591800000LL);
	assert_int_equal(lead("2025-10-05 03:30:00,250 x", syd, &ms), 24);
	assert_int_equal(ms, 1759595400250LL);
	/* The process's own TZ is left as it was. */
	before = getenv("TZ");
	assert_non_null(before);
	assert_string_equal(before, "America/New_York");
	tz_free(syd);
	unsetenv("TZ");
	syd = tz_open("Australia/Sydney", err, sizeof err);
	assert_int_equal(tz_civil_to_utc(syd, 2025, 7, 1, 12, 0, 0, 0),
	    1751335200000LL);
	assert_null(getenv("TZ"));
	tz_free(syd);
}

/*
 * The hour shown twice at the end of summer time (Berlin, 2025-10-26, 03:00
 * CEST back to 02:00 CET): a stream's stamps run on through the second pass
 * (UTC keeps increasing); a stamp alone, or a stream starting there, is the
 * first pass; a stamp a few seconds back within the first pass stays there.
 */
static void
test_tz_repeated_hour(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 ms;	/* UTC */
	} seq[] = {
		{ "2025-10-26 01:59:00 x", 1761436740000LL },	/* 23:59:00Z */
		{ "2025-10-26 02:30:00 x", 1761438600000LL },	/* 00:30:00Z, CEST */
		{ "2025-10-26 02:29:57 x", 1761438597000LL },	/* a little back */
		{ "2025-10-26 02:59:00 x", 1761440340000LL },	/* 00:59:00Z */
		{ "2025-10-26 02:00:30 x", 1761440430000LL },	/* 01:00:30Z, CET */
		{ "2025-10-26 02:30:00 x", 1761442200000LL },	/* 01:30:00Z */
		{ "2025-10-26 02:59:59 x", 1761443999000LL },	/* 01:59:59Z */
		{ "2025-10-26 03:00:00 x", 1761444000000LL },	/* 02:00:00Z */
	};
	char err[256];
	struct tz *tz = tz_open("Europe/Berlin", err, sizeof err);
	struct timeparse_cache c;
	int64_t ms = 0;
	size_t i;

	assert_non_null(tz);
	memset(&c, 0, sizeof c);
	for (i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		assert_int_equal(timeparse_leading_cached(&c, seq[i].s,
		    strlen(seq[i].s), tz, &ms), 20);
		assert_int_equal(ms, seq[i].ms);
	}
	assert_int_equal(lead("2025-10-26 02:30:00 x", tz, &ms), 20);
	assert_int_equal(ms, 1761438600000LL);
	memset(&c, 0, sizeof c);
	assert_int_equal(timeparse_leading_cached(&c, "2025-10-26 02:10:00 x",
	    20, tz, &ms), 20);
	assert_int_equal(ms, 1761437400000LL);
	tz_free(tz);
}

static void
test_window_relative(void **state)
{
	char err[256];
	int64_t ms = 0;

	assert_int_equal(timeparse_window_arg("24h", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, T0 - 86400000LL);
	assert_int_equal(timeparse_window_arg("7d", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, T0 - 7 * 86400000LL);
	assert_int_equal(timeparse_window_arg("90m", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, T0 - 90 * 60000LL);
	assert_int_equal(timeparse_window_arg("30s", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, T0 - 30000);
	assert_int_equal(timeparse_window_arg("2w", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, T0 - 14 * 86400000LL);
	assert_int_equal(timeparse_window_arg("now", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, T0);
	assert_int_equal(timeparse_window_arg("today", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, 1761350400000LL);
	assert_int_equal(timeparse_window_arg("yesterday", T0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, 1761264000000LL);
}

static void
test_window_today_in_zone(void **state)
{
	char err[256];
	struct tz *tz = tz_open("+02:00", err, sizeof err);
	struct tz *syd = tz_open("Australia/Sydney", err, sizeof err);
	int64_t ms = 0;

	/* 23:31 UTC is already the 26th at +02:00. */
	assert_int_equal(timeparse_window_arg("today", T0, tz, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, 1761436800000LL - 7200000);
	/* Midnight of 2025-10-06 in Sydney is AEDT; of the 5th, AEST. */
	assert_int_equal(timeparse_window_arg("today", 1759700000000LL, syd,
	    &ms, err, sizeof err), 0);
	assert_int_equal(ms, 1759669200000LL);
	assert_int_equal(timeparse_window_arg("yesterday", 1759700000000LL, syd,
	    &ms, err, sizeof err), 0);
	assert_int_equal(ms, 1759586400000LL);
	tz_free(tz);
	tz_free(syd);
}

static void
test_window_iso(void **state)
{
	char err[256];
	struct tz *tz = tz_open("+02:00", err, sizeof err);
	int64_t ms = 0;

	assert_int_equal(timeparse_window_arg("2025-10-25", 0, NULL, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, 1761350400000LL);
	assert_int_equal(timeparse_window_arg("2025-10-25", 0, tz, &ms, err,
	    sizeof err), 0);
	assert_int_equal(ms, 1761350400000LL - 7200000);
	assert_int_equal(timeparse_window_arg("2025-10-25T23:00", 0, NULL, &ms,
	    err, sizeof err), 0);
	assert_int_equal(ms, 1761433200000LL);
	assert_int_equal(timeparse_window_arg("2025-10-25 23:00:00", 0, tz, &ms,
	    err, sizeof err), 0);
	assert_int_equal(ms, 1761426000000LL);
	assert_int_equal(timeparse_window_arg("2025-10-25T23:00:00Z", 0, tz,
	    &ms, err, sizeof err), 0);
	assert_int_equal(ms, 1761433200000LL);
	assert_int_equal(timeparse_window_arg("2025-10-25T23:00:00+02:00", 0,
	    NULL, &ms, err, sizeof err), 0);
	assert_int_equal(ms, 1761426000000LL);
	assert_int_equal(timeparse_window_arg("2025-10-25T23:31:11.123Z", 0,
	    NULL, &ms, err, sizeof err), 0);
	assert_int_equal(ms, T0 + 123);
	tz_free(tz);
}

/*
 * A clock without a date: bare or bracketed, with a fraction, then a
 * blank; dated by the stamp near it, across midnight either way.
 */
static void
test_clock_only(void **state)
{
	int32_t tod = -1;
	int64_t day = tz_civil_to_utc(NULL, 2025, 10, 25, 0, 0, 0, 0);

	assert_int_equal(timeparse_clock("23:31:11 [ERROR] x", 18, &tod), 9);
	assert_int_equal(tod, (23 * 3600 + 31 * 60 + 11) * 1000);
	assert_int_equal(timeparse_clock("[23:31:11.5] x", 14, &tod), 13);
	assert_int_equal(tod, (23 * 3600 + 31 * 60 + 11) * 1000 + 500);
	assert_int_equal(timeparse_clock("00:00:01,123456 x", 17, &tod), 16);
	assert_int_equal(tod, 1123);
	assert_int_equal(timeparse_clock("23:31:11x", 9, &tod), 0);
	assert_int_equal(timeparse_clock("24:00:00 x", 10, &tod), 0);
	assert_int_equal(timeparse_clock("23:31 up", 8, &tod), 0);
	assert_int_equal(timeparse_clock("[23:31:11 x", 11, &tod), 0);
	/* Serilog's level in the bracket: the bytes end before it */
	assert_int_equal(timeparse_clock("[23:31:11 ERR] x", 16, &tod), 10);
	assert_int_equal(tod, (23 * 3600 + 31 * 60 + 11) * 1000);
	assert_int_equal(timeparse_clock("[23:31:11 PM] x", 15, &tod), 0);
	/* Go's time.Kitchen */
	assert_int_equal(timeparse_clock("11:31PM ERR x", 13, &tod), 8);
	assert_int_equal(tod, (23 * 60 + 31) * 60000);
	assert_int_equal(timeparse_clock("3:04AM INF x", 12, &tod), 7);
	assert_int_equal(tod, (3 * 60 + 4) * 60000);
	assert_int_equal(timeparse_clock("12:00AM x", 9, &tod), 8);
	assert_int_equal(tod, 0);
	assert_int_equal(timeparse_clock("13:00PM x", 9, &tod), 0);
	assert_int_equal(timeparse_clock("3:04PMx", 7, &tod), 0);
	assert_int_equal(timeparse_clock("23:31:11.", 9, &tod), 0);
	/* the day of the stamp before, or the next one after midnight */
	assert_int_equal(timeparse_clock_near(NULL, day + 3600000, 7200000),
	    day + 7200000);
	assert_int_equal(timeparse_clock_near(NULL, day + 86340000, 30000),
	    day + 86400000 + 30000);
	assert_int_equal(timeparse_clock_near(NULL, day + 30000, 86390000),
	    day - 10000);
	/* in the zone of naive stamps */
	{
		char err[128];
		struct tz *tz = tz_open("+11:00", err, sizeof err);

		assert_non_null(tz);
		assert_int_equal(timeparse_clock_near(tz, day, 12 * 3600000),
		    day + 3600000);
		tz_free(tz);
		/*
		 * an IANA zone, across midnight and across
		 * the start of summer time (Melbourne, 2025-10-05 02:00 AEST
		 * became 03:00 AEDT)
		 */
		int64_t dst = tz_civil_to_utc(NULL, 2025, 10, 4, 15, 0, 0, 0);

		tz = tz_open("Australia/Melbourne", err, sizeof err);
		assert_non_null(tz);
		assert_int_equal(timeparse_clock_near(tz, day + 12 * 3600000,
		    3600000), tz_civil_to_utc(tz, 2025, 10, 26, 1, 0, 0, 0));
		assert_int_equal(timeparse_clock_near(tz, day + 12 * 3600000 +
		    1000, 3600000 + 1000), tz_civil_to_utc(tz, 2025, 10, 26, 1, 0,
		    1, 0));
		assert_int_equal(timeparse_clock_near(tz, dst, 4 * 3600000),
		    dst + 2 * 3600000);
		tz_free(tz);
	}
}

/*
 * A stamp without a year moved to the year nearest the stamps around it:
 * the same month, day and clock; 29 February only in leap years.
 */
static void
test_year_near(void **state)
{
	(void)state;
	/* 2026-11-02 00:29:08 near 2025-10-25 23:00:01: of 2025 */
	assert_int_equal(timeparse_year_near(1793579348000LL, 1761433201000LL),
	    1762043348000LL);
	/* already the nearest */
	assert_int_equal(timeparse_year_near(1762043348000LL, 1761433201000LL),
	    1762043348000LL);
	/* 2025-01-01 00:00:01 after 2025-12-31 23:59:59: the next year's */
	assert_int_equal(timeparse_year_near(1767225601000LL - 365 * 86400000LL,
	    1767225599000LL), 1767225601000LL);
	/* and back: 2026-12-31 23:59:59 before 2026-01-01 00:00:01 */
	assert_int_equal(timeparse_year_near(1767225599000LL + 365 * 86400000LL,
	    1767225601000LL), 1767225599000LL);
	/* 2024-02-29 12:00 near 2025-03-01: no other leap year is near */
	assert_int_equal(timeparse_year_near(1709208000000LL, 1740787200000LL),
	    1709208000000LL);
	/* near 2027-03-01: 2028 is */
	assert_int_equal(timeparse_year_near(1709208000000LL, 1803859200000LL),
	    1835438400000LL);
}

static void
test_window_errors(void **state)
{
	static const char *bad[] = {
		"yesterday-ish", "", "24", "24x", "h", "-24h", "2025-10-25T",
		"2025-10-25T23", "2025-10-25T23:00:00Zjunk", "2025-13-01",
		"2025-10-25 23:00 WARNING", "Now", " 24h", "24h ",
		"99999999999999999999d",
	};
	char err[256];
	size_t i;
	int64_t ms = 5;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (timeparse_window_arg(bad[i], T0, NULL, &ms, err,
		    sizeof err) != -1)
			fail_msg("accepted '%s'", bad[i]);
	}
	assert_int_equal(ms, 5);
	assert_int_equal(timeparse_window_arg("yesterday-ish", T0, NULL, &ms,
	    err, sizeof err), -1);
	assert_string_equal(err, "bad time 'yesterday-ish' (expected an ISO "
	    "8601 date or time like 2025-10-25 or 2025-10-25T23:00:00Z, a "
	    "duration back from now like 24h, 7d, 90m, 30s or 2w, or now, "
	    "today, yesterday)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_tz_repeated_hour),
		cmocka_unit_test(test_leading_memo),
		cmocka_unit_test(test_leading_minute),
		cmocka_unit_test(test_leading_memo_repeated_hour),
		cmocka_unit_test(test_rfc3339_docker),
		cmocka_unit_test(test_has_leading),
		cmocka_unit_test(test_rfc3339_rejects),
		cmocka_unit_test(test_leading_shapes),
		cmocka_unit_test(test_leading_abbrev),
		cmocka_unit_test(test_leading_tz),
		cmocka_unit_test(test_leading_other_containers),
		cmocka_unit_test(test_leading_other_rejects),
		cmocka_unit_test(test_leading_syslog_year),
		cmocka_unit_test(test_leading_klog),
		cmocka_unit_test(test_format_iso),
		cmocka_unit_test(test_leading_every_abbrev),
		cmocka_unit_test(test_leading_rejects),
		cmocka_unit_test(test_rfc3339_cached),
		cmocka_unit_test(test_leading_cached),
		cmocka_unit_test(test_cache_shared_separators),
		cmocka_unit_test(test_cache_is_used),
		cmocka_unit_test(test_tz_open),
		cmocka_unit_test(test_tz_iana_dst),
		cmocka_unit_test(test_window_relative),
		cmocka_unit_test(test_window_today_in_zone),
		cmocka_unit_test(test_window_iso),
		cmocka_unit_test(test_window_errors),
		cmocka_unit_test(test_clock_only),
		cmocka_unit_test(test_year_near),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
