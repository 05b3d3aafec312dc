/*
 * test_level.c - the level reader shared by ingest and `patterns`: every
 * form it knows (JSON lines too), where the message after the level starts,
 * the logger name, and words that look like levels but are not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "level.h"
#include "rules.h"

static int
lvl(const char *s, const char **body)
{
	size_t b = 0;
	int sev = level_of_line(s, strlen(s), &b);

	*body = s + b;
	return sev;
}

static void
test_forms(void **state)
{
	const char *b;

	assert_int_equal(lvl("ERROR tools.smart_file_query: upload failed", &b), SEV_ERROR);
	assert_string_equal(b, "tools.smart_file_query: upload failed");
	assert_int_equal(lvl("ERROR:root:boom", &b), SEV_ERROR);
	assert_string_equal(b, "root:boom");
	assert_int_equal(lvl("CRITICAL:src.daemon:gone", &b), SEV_CRITICAL);
	assert_string_equal(b, "src.daemon:gone");
	assert_int_equal(lvl("[error] 7#7: *1 connect() failed", &b), SEV_ERROR);
	assert_string_equal(b, "7#7: *1 connect() failed");
	assert_int_equal(lvl("[ERROR] disk full", &b), SEV_ERROR);
	/* Python's "[%(levelname)-8s]" pads the word, either side */
	assert_int_equal(lvl("[ERROR   ] ws_shim: lost", &b), SEV_ERROR);
	assert_int_equal(lvl("[WARNING ] slow", &b), SEV_WARNING);
	assert_string_equal(b, "slow");
	assert_int_equal(lvl("[   ERROR] disk full", &b), SEV_ERROR);
	/* Envoy's level in a row of brackets */
	assert_int_equal(lvl("[1][error][config] [source/x.cc:1] boom", &b),
	    SEV_ERROR);
	assert_string_equal(b, "[config] [source/x.cc:1] boom");
	assert_int_equal(lvl("[1][2][3] no level", &b), LEVEL_NONE);
	/* ClickHouse's thread, query id and level in angle brackets */
	assert_int_equal(lvl("[ 1 ] {} <Error> Application: boom", &b), SEV_ERROR);
	assert_string_equal(b, "Application: boom");
	assert_int_equal(lvl("[ 7 ] {q-1} <Warning> slow", &b), SEV_WARNING);
	assert_int_equal(lvl("<Information> fine", &b), SEV_INFO);
	assert_string_equal(b, "fine");
	assert_int_equal(lvl("<Informational> fine", &b), LEVEL_NONE);
	assert_int_equal(lvl("<html> error page", &b), LEVEL_NONE);
	/* Serilog's three letters */
	assert_int_equal(lvl("FTL] Host terminated", &b), SEV_CRITICAL);
	assert_string_equal(b, "Host terminated");
	assert_int_equal(lvl("VRB] chatty", &b), SEV_DEBUG);
	/* logcat's process, thread and priority letter, its stamp read */
	assert_int_equal(lvl(" 1702  2395 E WindowManager: lost", &b), SEV_ERROR);
	assert_string_equal(b, "WindowManager: lost");
	assert_int_equal(lvl("1702 2395 W Tag: slow", &b), SEV_WARNING);
	assert_int_equal(lvl(" 1702  2395 F DEBUG: abort", &b), SEV_CRITICAL);
	assert_int_equal(lvl(" 1702  2395 V Tag: x", &b), SEV_DEBUG);
	assert_int_equal(lvl(" 1702  2395 X Tag: x", &b), LEVEL_NONE);
	assert_int_equal(lvl("12 apples E x", &b), LEVEL_NONE);
	assert_int_equal(lvl("200 1234 I am here", &b), LEVEL_NONE);
	/* Proxifier: the level after the program and the host, then " : " */
	assert_int_equal(lvl("chrome.exe - proxy.example.hk:5070 error : "
	    "Could not connect to proxy", &b), SEV_ERROR);
	assert_string_equal(b, "Could not connect to proxy");
	assert_int_equal(lvl("chrome.exe - proxy.example.hk:5070 open through "
	    "proxy", &b), LEVEL_NONE);
	assert_int_equal(lvl("the error count : 3", &b), LEVEL_NONE);
	/* GitHub Actions: a job log's annotation, a step's command */
	assert_int_equal(lvl("##[error]Process completed with exit code 1.", &b),
	    SEV_ERROR);
	assert_string_equal(b, "Process completed with exit code 1.");
	assert_int_equal(lvl("##[warning]Node 16 is deprecated", &b), SEV_WARNING);
	assert_int_equal(lvl("::error file=app.js,line=1::Missing semicolon",
	    &b), SEV_ERROR);
	assert_string_equal(b, "Missing semicolon");
	assert_int_equal(lvl("::warning::slow", &b), SEV_WARNING);
	assert_int_equal(lvl("##[group]Run make", &b), LEVEL_NONE);
	assert_int_equal(lvl("##[error no bracket", &b), LEVEL_NONE);
	assert_int_equal(lvl("::error file=x no end", &b), LEVEL_NONE);
	/* logcat's brief and time formats: letter, tag, (process) */
	assert_int_equal(lvl("E/AndroidRuntime(12345): FATAL EXCEPTION: main",
	    &b), SEV_ERROR);
	assert_string_equal(b, "AndroidRuntime(12345): FATAL EXCEPTION: main");
	assert_int_equal(lvl("W/Bar(  99): slow", &b), SEV_WARNING);
	assert_int_equal(lvl("F/libc( 1): abort", &b), SEV_CRITICAL);
	assert_int_equal(lvl("E/x(12) no colon", &b), LEVEL_NONE);
	assert_int_equal(lvl("a/b(1): x", &b), LEVEL_NONE);
	assert_int_equal(lvl("E/usr/lib(1): x", &b), SEV_ERROR);
	assert_int_equal(lvl("E/path/to file(1): x", &b), LEVEL_NONE);
	/* Blue Gene/L's levels, its stamp read */
	assert_int_equal(lvl("R02-M1-N0 RAS KERNEL FAILURE machine check", &b),
	    SEV_CRITICAL);
	assert_string_equal(b, "machine check");
	assert_int_equal(lvl("R02-M1-N0 RAS APP SEVERE x", &b), SEV_ERROR);
	/* Windows CBS: a capitalised level padded to its column */
	assert_int_equal(lvl(", Error                 CBS    Failed to open",
	    &b), SEV_ERROR);
	assert_string_equal(b, "CBS    Failed to open");
	assert_int_equal(lvl(", Info                  CSI    up", &b), SEV_INFO);
	assert_int_equal(lvl("Error opening the file", &b), LEVEL_NONE);
	/* Telegraf's letter */
	assert_int_equal(lvl("E! [inputs.cpu] Error in plugin", &b), SEV_ERROR);
	assert_string_equal(b, "[inputs.cpu] Error in plugin");
	assert_int_equal(lvl("W! [agent] slow flush", &b), SEV_WARNING);
	assert_int_equal(lvl("X! not a level", &b), LEVEL_NONE);
	/* Spring Boot's pid and threads; loguru's bar */
	assert_int_equal(lvl("ERROR 1 --- [app] [  main] o.s.App : failed", &b),
	    SEV_ERROR);
	assert_string_equal(b, "o.s.App : failed");
	assert_int_equal(lvl("ERROR    | app.main:run:42 - boom", &b), SEV_ERROR);
	assert_string_equal(b, "app.main:run:42 - boom");
	assert_int_equal(lvl("SUCCESS  | app.main:run:43 - ready", &b),
	    SEV_NOTICE);
	assert_string_equal(b, "app.main:run:43 - ready");
	assert_int_equal(lvl("ERROR 42 jobs failed", &b), SEV_ERROR);
	assert_string_equal(b, "42 jobs failed");
	/* log4j's thread before a logger, ZooKeeper's before a dash */
	assert_int_equal(lvl("INFO [IPC Server handler 4] org.x.Y: Created", &b),
	    SEV_INFO);
	assert_string_equal(b, "org.x.Y: Created");
	assert_int_equal(lvl("INFO  [Peer[myid=1]/0:2181:Election@774] - time out",
	    &b), SEV_INFO);
	assert_string_equal(b, "time out");
	assert_int_equal(lvl("ERROR [Errno 111] Connection refused", &b), SEV_ERROR);
	assert_string_equal(b, "[Errno 111] Connection refused");
	assert_int_equal(lvl("[ ERRORS ] none", &b), LEVEL_NONE);
	assert_int_equal(lvl("[emerg] bind() failed", &b), SEV_CRITICAL);
	assert_int_equal(lvl("ERROR something broke", &b), SEV_ERROR);
	assert_string_equal(b, "something broke");
	assert_int_equal(lvl("CRITICAL out of memory", &b), SEV_CRITICAL);
	assert_int_equal(lvl("FATAL cannot start", &b), SEV_CRITICAL);
	assert_int_equal(lvl("ERRO[0003] pull failed", &b), SEV_ERROR);
	assert_string_equal(b, "pull failed");
	assert_int_equal(lvl("WARNING httpx: slow", &b), SEV_WARNING);
	assert_int_equal(lvl("INFO httpx: ok", &b), SEV_INFO);
	assert_int_equal(lvl("app.db - ERROR - lost connection", &b), SEV_ERROR);
	assert_string_equal(b, "lost connection");
	assert_int_equal(lvl("[main] ERROR Foo - bad", &b), SEV_ERROR);
	assert_int_equal(lvl("time=1 level=error msg=x", &b), SEV_ERROR);
	/* Celery's level and process; Ruby's Logger, its progname after -- */
	assert_int_equal(lvl("ERROR/MainProcess] Task x raised", &b), SEV_ERROR);
	assert_string_equal(b, "Task x raised");
	assert_int_equal(lvl("WARNING/ForkPoolWorker-1] slow", &b), SEV_WARNING);
	assert_int_equal(lvl(" ERROR -- : boom", &b), SEV_ERROR);
	assert_string_equal(b, "boom");
	assert_int_equal(lvl("  WARN -- app: slow query", &b), SEV_WARNING);
	assert_string_equal(b, "slow query");
	assert_int_equal(lvl("ERROR -- no progname here", &b), SEV_ERROR);
	assert_string_equal(b, "-- no progname here");
	/* npm's prefix, before npm 9 and since */
	assert_int_equal(lvl("npm ERR! code ELIFECYCLE", &b), SEV_ERROR);
	assert_string_equal(b, "code ELIFECYCLE");
	assert_int_equal(lvl("npm error code ERESOLVE", &b), SEV_ERROR);
	assert_string_equal(b, "code ERESOLVE");
	assert_int_equal(lvl("npm WARN deprecated inflight@1.0.6", &b),
	    SEV_WARNING);
	assert_int_equal(lvl("npm warn config production", &b), SEV_WARNING);
	assert_int_equal(lvl("npm notice New major version", &b), SEV_NOTICE);
	assert_int_equal(lvl("npm run build", &b), LEVEL_NONE);
	assert_int_equal(lvl("npm errors none", &b), LEVEL_NONE);
	/* Monolog's channel and level (Laravel, Symfony) */
	assert_int_equal(lvl("production.ERROR: SQLSTATE[HY000] refused", &b),
	    SEV_ERROR);
	assert_string_equal(b, "SQLSTATE[HY000] refused");
	assert_int_equal(lvl("app.WARNING: slow query", &b), SEV_WARNING);
	assert_int_equal(lvl("request.CRITICAL: Uncaught PHP Exception", &b),
	    SEV_CRITICAL);
	assert_int_equal(lvl("version 2.ERROR: none", &b), LEVEL_NONE);
	assert_int_equal(lvl("see file.ERRORS: none", &b), LEVEL_NONE);
}

/*
 * JSON log lines: the level under any of its usual keys, as a word in any
 * case or as Bunyan's and pino's number; a key quoted inside a value is
 * not one.
 */
static void
test_json(void **state)
{
	const char *b;

	assert_int_equal(lvl("{\"level\":\"error\",\"ts\":1.5,\"msg\":\"x\"}", &b), SEV_ERROR);
	assert_string_equal(b, "{\"level\":\"error\",\"ts\":1.5,\"msg\":\"x\"}");
	assert_int_equal(lvl("{\"time\":\"t\", \"level\" : \"WARN\",\"msg\":\"x\"}", &b), SEV_WARNING);
	assert_int_equal(lvl("{\"severity\":\"CRITICAL\",\"message\":\"x\"}", &b), SEV_CRITICAL);
	assert_int_equal(lvl("{\"log.level\":\"info\"}", &b), SEV_INFO);
	assert_int_equal(lvl("{\"levelname\":\"ERROR\",\"name\":\"a\"}", &b), SEV_ERROR);
	assert_int_equal(lvl("{\"lvl\":\"eror\",\"msg\":\"x\"}", &b), LEVEL_NONE);
	assert_int_equal(lvl("{\"level\":50,\"msg\":\"x\"}", &b), SEV_ERROR);
	assert_int_equal(lvl("{\"level\":60}", &b), SEV_CRITICAL);
	assert_int_equal(lvl("{\"level\":30}", &b), SEV_INFO);
	assert_int_equal(lvl("{\"level\":35}", &b), LEVEL_NONE);
	assert_int_equal(lvl("{\"level\":500}", &b), LEVEL_NONE);
	assert_int_equal(lvl("{\"msg\":\"\\\"level\\\":\\\"error\\\"\"}", &b), LEVEL_NONE);
	assert_int_equal(lvl("{\"msg\":\"set level to error\"}", &b), LEVEL_NONE);
	assert_int_equal(lvl("[{\"level\":\"error\"}]", &b), LEVEL_NONE);
	/* MongoDB's one-letter "s" */
	assert_int_equal(lvl("{\"t\":{\"$date\":\"x\"},\"s\":\"E\",\"msg\":\"x\"}", &b), SEV_ERROR);
	assert_int_equal(lvl("{\"s\":\"F\"}", &b), SEV_CRITICAL);
	assert_int_equal(lvl("{\"s\":\"W\"}", &b), SEV_WARNING);
	assert_int_equal(lvl("{\"s\":\"D2\"}", &b), SEV_DEBUG);
	assert_int_equal(lvl("{\"s\":\"D\"}", &b), LEVEL_NONE);
	assert_int_equal(lvl("{\"s\":\"Error\"}", &b), LEVEL_NONE);
	/* Serilog's compact JSON */
	assert_int_equal(lvl("{\"@t\":\"x\",\"@l\":\"Warning\",\"@mt\":\"x\"}", &b), SEV_WARNING);
	/* CLEF without "@l" is Information; other JSON without a level has none */
	assert_int_equal(lvl("{\"@t\":\"x\",\"@mt\":\"Started {App}\"}", &b), SEV_INFO);
	assert_int_equal(lvl("{\"@t\":\"x\",\"@m\":\"Started\"}", &b), SEV_INFO);
	assert_int_equal(lvl("{\"t\":\"x\",\"msg\":\"a @mt in it\"}", &b), LEVEL_NONE);
	assert_int_equal(lvl("{\"@t\":\"x\",\"@l\":\"Fatal\"}", &b), SEV_CRITICAL);
	/* its JsonFormatter, and a level under another spelling of the key */
	assert_int_equal(lvl("{\"Timestamp\":\"x\",\"Level\":\"Error\",\"MessageTemplate\":\"x\"}", &b), SEV_ERROR);
	assert_int_equal(lvl("{\"log_level\":\"warning\",\"msg\":\"x\"}", &b), SEV_WARNING);
	/* .NET's JSON console */
	assert_int_equal(lvl("{\"EventId\":0,\"LogLevel\":\"Critical\",\"Category\":\"A\",\"Message\":\"x\"}", &b), SEV_CRITICAL);
	assert_int_equal(lvl("{\"EventId\":0,\"LogLevel\":\"Warning\",\"Message\":\"x\"}", &b), SEV_WARNING);
	assert_int_equal(lvl("{\"EventId\":0,\"LogLevel\":\"Error\",\"Message\":\"x\"}", &b), SEV_ERROR);
}

/* A syslog priority's severity, with no stamp after it or with one. */
static void
test_priority(void **state)
{
	const char *b;

	assert_int_equal(lvl("<3>disk failed", &b), SEV_ERROR);
	assert_string_equal(b, "disk failed");
	assert_int_equal(lvl("<4>nearly full", &b), SEV_WARNING);
	assert_int_equal(lvl("<2>x", &b), SEV_CRITICAL);
	assert_int_equal(lvl("<6>[   12.345] eth0: link up", &b), SEV_INFO);
	/* facility 1 (user), severity 3 */
	assert_int_equal(lvl("<11>x", &b), SEV_ERROR);
	assert_int_equal(lvl("<191>x", &b), SEV_DEBUG);
	assert_int_equal(lvl("<192>x", &b), LEVEL_NONE);
	assert_int_equal(lvl("<>x", &b), LEVEL_NONE);
	assert_int_equal(lvl("<3 x", &b), LEVEL_NONE);
	assert_int_equal(lvl("<html>", &b), LEVEL_NONE);
}

/* klog's level is its first letter; the message follows "file:line] ". */
static void
test_klog(void **state)
{
	static const char e[] = "E1025 23:00:08.123456       1 controller.go:114] error syncing";
	static const char f[] = "F1025 23:00:08.123456 1 main.go:9] cannot start";
	static const char w[] = "W1025 23:00:08.1 1 no bracket";
	size_t b = 99;

	assert_int_equal(level_of_klog(e, strlen(e), &b), SEV_ERROR);
	assert_string_equal(e + b, "error syncing");
	assert_int_equal(level_of_klog(f, strlen(f), &b), SEV_CRITICAL);
	assert_string_equal(f + b, "cannot start");
	assert_int_equal(level_of_klog(w, strlen(w), &b), SEV_WARNING);
	assert_int_equal(b, 0);
	assert_int_equal(level_of_klog("Error 2025", 10, &b), LEVEL_NONE);
	assert_int_equal(level_of_klog("I10x5 23:00", 11, &b), LEVEL_NONE);
}

/* .NET's console logger: a short level, the category and its event id. */
static void
test_dotnet(void **state)
{
	const char *b;

	assert_int_equal(lvl("fail: Microsoft.AspNetCore.Server.Kestrel[13]", &b), SEV_ERROR);
	assert_string_equal(b, "Microsoft.AspNetCore.Server.Kestrel[13]");
	assert_int_equal(lvl("crit: App.Worker[0]", &b), SEV_CRITICAL);
	assert_int_equal(lvl("warn: App.Cache[3]", &b), SEV_WARNING);
	assert_int_equal(lvl("info: Microsoft.Hosting.Lifetime[14]", &b), SEV_INFO);
	assert_int_equal(lvl("dbug: App[1]", &b), SEV_DEBUG);
	/* a plain message, or the bracket on a later line */
	assert_int_equal(lvl("fail: could not connect", &b), LEVEL_NONE);
	assert_int_equal(lvl("fail: App\n[1]", &b), LEVEL_NONE);
	assert_int_equal(lvl("fails: App[1]", &b), LEVEL_NONE);
}

/* Apache's [module:level] and PHP's own words for its levels. */
static void
test_apache_php(void **state)
{
	const char *b;

	assert_int_equal(lvl("[php:error] [pid 12] PHP Fatal error:  x", &b), SEV_ERROR);
	assert_string_equal(b, "[pid 12] PHP Fatal error:  x");
	assert_int_equal(lvl("[mpm_event:notice] [pid 1] AH00489: up", &b), SEV_NOTICE);
	assert_int_equal(lvl("[core:crit] x", &b), SEV_CRITICAL);
	assert_int_equal(lvl("[proxy:trace5] x", &b), LEVEL_NONE);
	assert_int_equal(lvl("PHP Fatal error:  Allowed memory size exhausted", &b), SEV_ERROR);
	assert_string_equal(b, "Allowed memory size exhausted");
	assert_int_equal(lvl("PHP Parse error:  syntax error", &b), SEV_ERROR);
	assert_int_equal(lvl("PHP Warning:  Undefined variable $x", &b), SEV_WARNING);
	assert_int_equal(lvl("PHP Notice:  x", &b), SEV_NOTICE);
	assert_int_equal(lvl("PHP Deprecated:  x", &b), SEV_NOTICE);
	assert_int_equal(lvl("PHP version 8.3", &b), LEVEL_NONE);
}

/* syslog's tagged messages that begin with a level in lower case. */
static void
test_syslog_tagged(void **state)
{
	const char *b;

	assert_int_equal(lvl("web sshd[123]: error: kex_exchange_identification: closed", &b), SEV_ERROR);
	assert_string_equal(b, "kex_exchange_identification: closed");
	assert_int_equal(lvl("mx postfix/smtpd[9]: warning: hostname x does not resolve", &b), SEV_WARNING);
	assert_int_equal(lvl("web sshd[123]: fatal: no hostkeys", &b), SEV_CRITICAL);
	assert_int_equal(lvl("web sshd[123]: Accepted publickey for root", &b), LEVEL_NONE);
	assert_int_equal(lvl("web cron[1]: errors: none", &b), LEVEL_NONE);
}

/* A level in lower case first on the line, with a colon (winston). */
static void
test_lower_first(void **state)
{
	const char *b;

	assert_int_equal(lvl("error: connect ECONNREFUSED 127.0.0.1:5432", &b), SEV_ERROR);
	assert_string_equal(b, "connect ECONNREFUSED 127.0.0.1:5432");
	assert_int_equal(lvl("warn: slow response", &b), SEV_WARNING);
	assert_int_equal(lvl("info: listening", &b), SEV_INFO);
	assert_int_equal(lvl("errors: 0", &b), LEVEL_NONE);
	assert_int_equal(lvl("error:no blank", &b), LEVEL_NONE);
	assert_int_equal(lvl("the error: x", &b), LEVEL_NONE);
	assert_int_equal(lvl("panic: boom", &b), LEVEL_NONE);
	/* zap's console columns: the level, a tab, the caller, a tab */
	assert_int_equal(lvl("error\tmain.go:12\tdial failed", &b), SEV_ERROR);
	assert_int_equal(lvl("warn\tslow", &b), SEV_WARNING);
	assert_string_equal(b, "slow");
	assert_int_equal(lvl("info\terror in the words", &b), SEV_INFO);
	assert_int_equal(lvl("api\terror\tx", &b), LEVEL_NONE);
}

/*
 * Lines read in sequence through one cache give what level_of_line gives
 * each alone: the same word with each byte that may end it, the same
 * first bytes on lines that are no level line, and lines too short to
 * be cached.
 */
static void
test_cached(void **state)
{
	static const char *const lines[] = {
		"INFO src.daemon: up", "INFO src.daemon: up", "INFO tools: x",
		"INFO - dash", "INFO  two blanks", "INFO\tx", "INFO:root:x",
		"INFO|x", "INFO]x", "INFO[x] y", "INFOS x", "INFO", "INFO x",
		"INFO", "WARN x", "WARNING: x", "WARNING x y", "WARNING-x",
		"ERRO[0003] pull failed", "ERRO x", "ERRO[0004] again",
		"ERROR:root:boom", "ERROR root: boom", "CRITICAL: x",
		"CRITICAL: x", "info x", "Info x", "[ERROR] x", "ERROR x",
		"ERROR\xff x", "2025 INFO x", "x ERROR y", "time=1 level=warn",
		"ERROR -x", "ERROR - ", "ERR: x", "DBG x", "DBG x", "FATAL x",
		"", "ERR", "ERROR x", " INFO x", " INFO x", " INFO y", "\tINFO x",
		"  INFO:x", " INFO x", "   WARN x", "    WARN x", "  [INFO] x",
		" INFOx", " INFO - x", "INFO x",
		" ERROR -- : boom", " ERROR -- : boom", " ERROR -- app: x",
		"ERROR -- app: x", "ERROR -- app: x", "ERROR -- no name",
		"ERROR/MainProcess] x", "ERROR/MainProcess] x",
		"ERR upstream failed", "ERR : w| 2x25-10-25T23:00:00Z",
		"ERR : x", "ERR x", "error : Could not connect", "error x",
		"ERROR: : x", "ERROR: x",
	};
	struct level_cache c;
	size_t i, b, cb;
	int sev;

	memset(&c, 0, sizeof c);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		b = cb = 99;
		sev = level_of_line(lines[i], strlen(lines[i]), &b);
		assert_int_equal(level_of_line_cached(&c, lines[i],
		    strlen(lines[i]), &cb), sev);
		if (sev != LEVEL_NONE)
			assert_int_equal(cb, b);
	}
	/* and with known answers */
	assert_int_equal(level_of_line_cached(&c, "INFO|x y", 8, &b), SEV_INFO);
	assert_int_equal(b, 5);
	assert_int_equal(level_of_line_cached(&c, "INFO|x y", 8, &b), SEV_INFO);
	assert_int_equal(b, 5);
	assert_int_equal(level_of_line_cached(&c, "INFO - x", 8, &b), SEV_INFO);
	assert_int_equal(b, 7);
	assert_int_equal(level_of_line_cached(&c, "INFO -- x", 9, &b), SEV_INFO);
	assert_int_equal(b, 5);
	assert_int_equal(level_of_line_cached(&c, "INFOx yz", 8, &b),
	    LEVEL_NONE);
	assert_int_equal(level_of_line_cached(&c, " INFO yz", 8, &b), SEV_INFO);
	assert_int_equal(b, 6);
	assert_int_equal(level_of_line_cached(&c, " INFO yz", 8, &b), SEV_INFO);
	assert_int_equal(b, 6);
	assert_int_equal(level_of_line_cached(&c, "  INFO y", 8, &b), SEV_INFO);
	assert_int_equal(b, 7);
	/* a word and its end filling all eight bytes of the key */
	assert_int_equal(level_of_line_cached(&c, "WARNING x", 9, &b),
	    SEV_WARNING);
	assert_int_equal(b, 8);
	assert_int_equal(c.mask, UINT64_MAX);
	assert_int_equal(level_of_line_cached(&c, "WARNING y", 9, &b),
	    SEV_WARNING);
	assert_int_equal(b, 8);
	assert_int_equal(level_of_line_cached(&c, "WARNINGS", 8, &b),
	    LEVEL_NONE);
	/* the cached word with a blank after it, then the same set off by " : " */
	assert_int_equal(level_of_line_cached(&c, "ERR upstream", 12, &b),
	    SEV_ERROR);
	assert_int_equal(b, 4);
	assert_int_equal(level_of_line_cached(&c, "ERR : upstream", 14, &b),
	    SEV_ERROR);
	assert_int_equal(b, 6);
}

static void
test_not_levels(void **state)
{
	const char *b;

	assert_int_equal(lvl("error_count=3", &b), LEVEL_NONE);
	assert_int_equal(lvl("no errors", &b), LEVEL_NONE);
	assert_int_equal(lvl("Error rate is low", &b), LEVEL_NONE);
	assert_int_equal(lvl("an ERRORS list", &b), LEVEL_NONE);
	assert_int_equal(lvl("", &b), LEVEL_NONE);
	assert_int_equal(level_of_word("error", 5, 0), LEVEL_NONE);
	assert_int_equal(level_of_word("error", 5, 1), SEV_ERROR);
}

static void
test_failures(void **state)
{
	static const char tb[] = "Traceback (most recent call last):";
	static const char pn[] = "panic: runtime error: index out of range";
	static const char ex[] = "ValueError: bad value";
	static const char jx[] = "java.io.IOException: closed";
	static const char no[] = "Error rate: 3";
	static const char ju[] = "Exception in thread \"main\" java.lang.NullPointerException";
	static const char jn[] = "Exception in thread pool: none";

	assert_int_equal(level_of_failure_line(tb, strlen(tb)), SEV_ERROR);
	assert_int_equal(level_of_failure_line(pn, strlen(pn)), SEV_CRITICAL);
	assert_int_equal(level_of_failure_line(ex, strlen(ex)), SEV_ERROR);
	assert_int_equal(level_of_failure_line(jx, strlen(jx)), SEV_ERROR);
	assert_int_equal(level_of_failure_line(no, strlen(no)), LEVEL_NONE);
	assert_int_equal(level_of_failure_line("panic", 5), LEVEL_NONE);
	assert_int_equal(level_of_failure_line(ju, strlen(ju)), SEV_ERROR);
	assert_int_equal(level_of_failure_line(jn, strlen(jn)), LEVEL_NONE);
}

/* Where the stamp after a leading level word starts. */
static void
test_lead_stamp(void **state)
{
	static const char dj[] = "ERROR 2025-10-25 23:00:00,123 views 1 2 x";
	static const char ca[] = "INFO  [main] 2025-10-25 23:00:00,123 C.java:1 - x";
	static const char no[] = "ERROR happened 2025-10-25";
	static const char nl[] = "NOTE 2025-10-25 23:00:00 x";

	int sev = LEVEL_NONE;

	(void)state;
	assert_int_equal(level_lead_stamp(dj, strlen(dj), &sev), 6);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(level_lead_stamp(ca, strlen(ca), &sev), 13);
	assert_int_equal(sev, SEV_INFO);
	assert_int_equal(level_lead_stamp(no, strlen(no), &sev), 0);
	assert_int_equal(level_lead_stamp(nl, strlen(nl), &sev), 0);
	assert_int_equal(level_lead_stamp("ERROR", 5, &sev), 0);
	/* a syslog priority, RFC 5424's version after it, or RFC 3164's stamp */
	assert_int_equal(level_lead_stamp("<3>2025-10-25T23:00:00Z h a: x", 30, &sev), 3);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(level_lead_stamp("<12>1 2025-10-25T23:00:00Z h a", 30, &sev), 6);
	assert_int_equal(sev, SEV_WARNING);
	assert_int_equal(level_lead_stamp("<30>Oct 25 23:00:00 h a: x", 26, &sev), 4);
	assert_int_equal(sev, SEV_INFO);
	assert_int_equal(level_lead_stamp("<3>disk failed", 14, &sev), 0);
}

/* The runtimes' own failure lines, and lines that only look like them. */
static void
test_runtimes(void **state)
{
	static const struct {
		const char		*line;
		enum level_runtime	 kind;
	} cases[] = {
		{ "panic: runtime error: index out of range", LEVEL_RUNTIME_PANIC },
		{ "thread 'main' panicked at src/main.rs:4:5:", LEVEL_RUNTIME_FATAL },
		{ "thread 'tokio-runtime-worker' panicked at 'boom', src/a.rs:1:1",
		    LEVEL_RUNTIME_FATAL },
		{ "terminate called after throwing an instance of 'std::bad_alloc'",
		    LEVEL_RUNTIME_FATAL },
		{ "Fatal Python error: Segmentation fault", LEVEL_RUNTIME_FATAL },
		{ "fatal error: concurrent map writes", LEVEL_RUNTIME_PANIC },
		{ "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
		    LEVEL_RUNTIME_FATAL },
		{ "fatal error", LEVEL_RUNTIME_NONE },
		{ "fatal errors: 0", LEVEL_RUNTIME_NONE },
		{ "Segmentation fault (core dumped)", LEVEL_RUNTIME_FATAL },
		{ "Exception in thread \"main\" java.lang.Error", LEVEL_RUNTIME_ERROR },
		{ "Error response from daemon: No such container: web",
		    LEVEL_RUNTIME_ERROR },
		{ "Error response from", LEVEL_RUNTIME_NONE },
		{ "--- Logging error ---", LEVEL_RUNTIME_BLOCK },
		{ "--- Logging", LEVEL_RUNTIME_NONE },
		{ "-- Logging error --", LEVEL_RUNTIME_NONE },
		{ "http: panic serving 10.0.0.7:51234: runtime error: invalid memory address or nil pointer dereference",
		    LEVEL_RUNTIME_ERROR },
		{ "http: Accept error: accept tcp [::]:8080: accept4: too many open files; retrying in 5ms",
		    LEVEL_RUNTIME_ERROR },
		{ "http: TLS handshake error from 10.0.0.7:51234: EOF",
		    LEVEL_RUNTIME_NONE },
		{ "http: panic", LEVEL_RUNTIME_NONE },
		{ "Error responses from daemon: 0", LEVEL_RUNTIME_NONE },
		{ "thread 'main' finished", LEVEL_RUNTIME_NONE },
		{ "threads: 4", LEVEL_RUNTIME_NONE },
		{ "Fatal error count: 0", LEVEL_RUNTIME_NONE },
		{ "Segment", LEVEL_RUNTIME_NONE },
		{ "panic", LEVEL_RUNTIME_NONE },
		{ "sh: 1: curl: not found", LEVEL_RUNTIME_ERROR },
		{ "/bin/bash: line 3: jq: command not found", LEVEL_RUNTIME_ERROR },
		{ "/docker-entrypoint.sh: line 12: x: command not found",
		    LEVEL_RUNTIME_ERROR },
		{ "bash: foo: command not found", LEVEL_RUNTIME_ERROR },
		{ "zsh: command not found: foo", LEVEL_RUNTIME_ERROR },
		{ "zsh:1: command not found: foo", LEVEL_RUNTIME_ERROR },
		{ "zsh: command not found: ", LEVEL_RUNTIME_NONE },
		{ "zsh: no matches found: *.log", LEVEL_RUNTIME_NONE },
		{ "zshrc loaded: command not found: none", LEVEL_RUNTIME_NONE },
		{ "shell: not found", LEVEL_RUNTIME_NONE },
		{ "sha256 abc: not found", LEVEL_RUNTIME_NONE },
		{ "sh: not found yet", LEVEL_RUNTIME_NONE },
		{ "exec /entrypoint.sh: exec format error", LEVEL_RUNTIME_FATAL },
		{ "exec /app/run: no such file or directory", LEVEL_RUNTIME_FATAL },
		{ "exec ./start: permission denied", LEVEL_RUNTIME_FATAL },
		{ "exec done: no such file or directory", LEVEL_RUNTIME_FATAL },
		{ "exec plan for a: no such file or directory", LEVEL_RUNTIME_NONE },
		{ "exec /app/run: ok", LEVEL_RUNTIME_NONE },
		{ "standard_init_linux.go:228: exec user process caused: exec format error",
		    LEVEL_RUNTIME_FATAL },
		{ "standard_init_linux.go:228: started", LEVEL_RUNTIME_NONE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++)
		assert_int_equal(level_runtime(cases[i].line,
		    strlen(cases[i].line)), cases[i].kind);
	assert_int_equal(level_of_failure_line("Segmentation fault (core dumped)",
	    32), SEV_CRITICAL);
	/* a colon in the first 32 bytes does not hide a runtime's failure */
	assert_int_equal(level_of_failure_line(
	    "Fatal Python error: Segmentation fault", 38), SEV_CRITICAL);
	assert_int_equal(level_of_failure_line(
	    "thread 'main' panicked at src/a.rs:4:5:", 39), SEV_CRITICAL);
	assert_int_equal(level_of_failure_line(
	    "tools.chat: a message of no failure at all", 42), LEVEL_NONE);
	assert_int_equal(level_of_failure_line("--- Logging error ---", 21),
	    SEV_ERROR);
	assert_true(level_runtime_owns_lines(LEVEL_RUNTIME_BLOCK));
	assert_true(level_runtime_owns_lines(LEVEL_RUNTIME_PANIC));
	assert_false(level_runtime_owns_lines(LEVEL_RUNTIME_ERROR));
}

/*
 * Handed a whole record, level_of_failure_line answers as for its first
 * line: what it looks for never spans a newline.
 */
static void
test_failures_first_line(void **state)
{
	static const char *const texts[] = {
		"ValueError: bad\nmore: lines",
		"Error\nValueError: later line",
		"pan\nic: split",
		"panic:\n",
		"ok line\nTraceback (most recent call last):",
		"Traceback (most recent call last):\n  File \"x\"",
		"\nValueError: empty first line",
		"java.io.IOException\n: colon on the next line",
		"KeyError: 'x'",
		"",
	};
	const char *nl;
	size_t i, n, first;

	for (i = 0; i < UTIL_ARRAY_LEN(texts); i++) {
		n = strlen(texts[i]);
		nl = memchr(texts[i], '\n', n);
		first = nl != NULL ? (size_t)(nl - texts[i]) : n;
		if (level_of_failure_line(texts[i], n) !=
		    level_of_failure_line(texts[i], first))
			fail_msg("differs past the first line: %s", texts[i]);
	}
	assert_int_equal(level_of_failure_line(texts[0], strlen(texts[0])),
	    SEV_ERROR);
	assert_int_equal(level_of_failure_line(texts[1], strlen(texts[1])),
	    LEVEL_NONE);
	assert_int_equal(level_of_failure_line(texts[3], strlen(texts[3])),
	    SEV_CRITICAL);
}

/* The exception name is everything before the first ':', and only a name. */
static void
test_exception_names(void **state)
{
	static const struct {
		const char	*line;
		int		 want;
	} cases[] = {
		{ "_private.KeyError: 'x'", 1 },
		{ "asyncio.exceptions.CancelledError:", 1 },
		{ "e2Exception: x", 1 },
		{ "Exception: x", 1 },
		{ "2Error: x", 0 },		/* starts with a digit */
		{ ".Error: x", 1 },
		{ "Error: x", 1 },
		{ "rror: x", 0 },
		{ "Some Error: x", 0 },	/* a space in the name */
		{ "x: ValueError: y", 0 },	/* the first colon decides */
		{ "ValueError", 0 },		/* no colon */
		{ "Value-Error: x", 0 },
		{ "ValueErrors: x", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(level_exception_line(cases[i].line,
		    strlen(cases[i].line)), cases[i].want);
}

/* Level words in either case where asked, upper case only where not. */
static void
test_words(void **state)
{
	(void)state;
	assert_int_equal(level_of_word("ERROR", 5, 0), SEV_ERROR);
	assert_int_equal(level_of_word("error", 5, 0), LEVEL_NONE);
	assert_int_equal(level_of_word("error", 5, 1), SEV_ERROR);
	assert_int_equal(level_of_word("eRrOr", 5, 1), SEV_ERROR);
	assert_int_equal(level_of_word("Warning", 7, 1), SEV_WARNING);
	assert_int_equal(level_of_word("alert", 5, 1), SEV_CRITICAL);
	assert_int_equal(level_of_word("ALERTS", 6, 0), LEVEL_NONE);
	assert_int_equal(level_of_word("BOGUS", 5, 0), LEVEL_NONE);
	assert_int_equal(level_of_word("[RR", 3, 1), LEVEL_NONE);
	assert_int_equal(level_of_word("ERR", 2, 0), LEVEL_NONE);
}

/*
 * Every level word, as written and cased otherwise, with case kept and
 * without (folded to capitals first); a word that is a level word's start
 * plus a NUL is none.
 */
static void
test_every_word(void **state)
{
	static const struct {
		const char	*word;
		int		 sev;
	} words[] = {
		{ "TRACE", SEV_DEBUG }, { "DEBUG", SEV_DEBUG }, { "DBG", SEV_DEBUG },
		{ "DEBU", SEV_DEBUG }, { "INFO", SEV_INFO }, { "INF", SEV_INFO },
		{ "NOTICE", SEV_NOTICE }, { "WARNING", SEV_WARNING },
		{ "WARN", SEV_WARNING }, { "WRN", SEV_WARNING },
		{ "ERROR", SEV_ERROR }, { "ERRO", SEV_ERROR }, { "ERR", SEV_ERROR },
		{ "SEVERE", SEV_ERROR }, { "CRITICAL", SEV_CRITICAL },
		{ "CRIT", SEV_CRITICAL }, { "FATAL", SEV_CRITICAL },
		{ "FATA", SEV_CRITICAL }, { "PANIC", SEV_CRITICAL },
		{ "PANI", SEV_CRITICAL }, { "EMERG", SEV_CRITICAL },
		{ "ALERT", SEV_CRITICAL }, { "FTL", SEV_CRITICAL },
		{ "VRB", SEV_DEBUG }, { "FAILURE", SEV_CRITICAL },
		{ "SUCCESS", SEV_NOTICE }, { "INFORMATION", SEV_INFO },
		{ "LOG", SEV_INFO }
	};
	char w[16];
	size_t i, n, k;

	for (i = 0; i < UTIL_ARRAY_LEN(words); i++) {
		n = strlen(words[i].word);
		assert_int_equal(level_of_word(words[i].word, n, 0), words[i].sev);
		assert_int_equal(level_of_word(words[i].word, n, 1), words[i].sev);
		for (k = 0; k < n; k++)
			w[k] = (char)(words[i].word[k] + ('a' - 'A'));
		assert_int_equal(level_of_word(w, n, 0), LEVEL_NONE);
		assert_int_equal(level_of_word(w, n, 1), words[i].sev);
		memcpy(w, words[i].word, n);
		w[n] = '\0';
		assert_int_equal(level_of_word(w, n + 1, 0), LEVEL_NONE);
		/* one byte changed */
		w[n - 1] = 'X';
		assert_int_equal(level_of_word(w, n, 0), LEVEL_NONE);
	}
}

static void
test_logger(void **state)
{
	static const char a[] = "tools.smart_file_query: Fallback upload also failed: 42";
	static const char c[] = "Failed: no";
	static const char d[] = "https://x/y failed";
	static const char e[] = "__main__: started";
	static const char f[] = "nova.compute.manager [req-3f8a 113d 54fa - - -] Terminating instance";
	static const char g[] = "nova.metadata.wsgi.server [-] 10.11.21.122 \"GET / HTTP/1.1\"";
	size_t msg = 0;

	assert_int_equal(level_logger(a, strlen(a), &msg), 22);
	assert_string_equal(a + msg, "Fallback upload also failed: 42");
	assert_int_equal(level_logger("root:boom", 9, &msg), 4);
	assert_int_equal(msg, 5);
	assert_int_equal(level_logger(c, strlen(c), &msg), 0);
	assert_int_equal(level_logger(d, strlen(d), &msg), 0);
	assert_int_equal(level_logger(e, strlen(e), &msg), 8);
	assert_int_equal(level_logger("", 0, &msg), 0);
	/* Spring Boot pads a dotted name; loguru adds function and line */
	assert_int_equal(level_logger("o.s.boot.App     : run failed", 28, &msg),
	    12);
	assert_int_equal(msg, 19);
	assert_int_equal(level_logger("Connection refused : x", 22, &msg), 0);
	assert_int_equal(level_logger("app.main:run:42 - boom", 22, &msg), 8);
	assert_int_equal(msg, 18);
	assert_int_equal(level_logger("app.main:run - boom", 19, &msg), 8);
	assert_int_equal(msg, 9);
	/* oslo.log's request context after the name is neither's */
	assert_int_equal(level_logger(f, strlen(f), &msg), 20);
	assert_string_equal(f + msg, "Terminating instance");
	assert_int_equal(level_logger(g, strlen(g), &msg), 25);
	assert_string_equal(g + msg, "10.11.21.122 \"GET / HTTP/1.1\"");
	assert_int_equal(level_logger("a.b [x]y: z", 11, &msg), 0);
	assert_int_equal(level_logger("a.b [x [y] z", 12, &msg), 0);
	assert_int_equal(level_logger("a.b [] z", 8, &msg), 0);
	assert_int_equal(level_logger("worker [3] started", 18, &msg), 0);
}

/*
 * Warnings runtimes print past any logger: Node's and Python's warnings
 * module's, their category kept in the message; lines of the same start
 * that are no such warning.
 */
static void
test_runtime_warnings(void **state)
{
	const char *b;

	(void)state;
	assert_int_equal(lvl("(node:1) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.", &b),
	    SEV_WARNING);
	assert_string_equal(b, "DeprecationWarning: The `punycode` module is deprecated.");
	assert_int_equal(lvl("(node:4242) UnhandledPromiseRejectionWarning: Error: x", &b),
	    SEV_WARNING);
	assert_string_equal(b, "UnhandledPromiseRejectionWarning: Error: x");
	assert_int_equal(lvl("(node:7) Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED", &b),
	    SEV_WARNING);
	assert_int_equal(lvl("(node:1) listening on port 3000 now", &b), LEVEL_NONE);
	assert_int_equal(lvl("(node:x) DeprecationWarning: y", &b), LEVEL_NONE);
	assert_int_equal(lvl("(node:1) [DEP0040 DeprecationWarning: y", &b), LEVEL_NONE);
	assert_int_equal(lvl("/usr/lib/python3/site-packages/a/b.py:12: DeprecationWarning: pkg_resources is deprecated", &b),
	    SEV_WARNING);
	assert_string_equal(b, "DeprecationWarning: pkg_resources is deprecated");
	assert_int_equal(lvl("app.py:3: sqlalchemy.exc.SAWarning: relationship conflicts", &b),
	    SEV_WARNING);
	assert_string_equal(b, "sqlalchemy.exc.SAWarning: relationship conflicts");
	assert_int_equal(lvl("tests/test_a.py:5: AssertionError: expected 1", &b), LEVEL_NONE);
	assert_int_equal(lvl("see app.py:12: UserWarning: x", &b), LEVEL_NONE);
	assert_int_equal(lvl("app.py:: UserWarning: something", &b), LEVEL_NONE);
	assert_int_equal(lvl("app.pyc:12: UserWarning: something", &b), LEVEL_NONE);
}

/*
 * A capitalised level first, with a colon, as mosquitto writes it; "Error:"
 * stays an exception's line, other words are no levels.
 */
static void
test_capitalised_colon(void **state)
{
	const char *b;

	(void)state;
	assert_int_equal(lvl("Warning: Mosquitto should not be run as root", &b),
	    SEV_WARNING);
	assert_string_equal(b, "Mosquitto should not be run as root");
	assert_int_equal(lvl("Notice: Opening ipv4 listen socket", &b), SEV_NOTICE);
	assert_int_equal(lvl("Information: x", &b), SEV_INFO);
	assert_int_equal(lvl("Error: Unable to open log file", &b), LEVEL_NONE);
	assert_int_equal(level_of_failure_line("Error: Unable to open log file",
	    30), SEV_ERROR);
	assert_int_equal(lvl("Warnings: 3", &b), LEVEL_NONE);
	assert_int_equal(lvl("Status: Warning: x", &b), LEVEL_NONE);
	assert_int_equal(lvl("WArning: x", &b), LEVEL_NONE);
}

/* NLog's default layout: the level and the logger between bars. */
static void
test_nlog(void **state)
{
	static const char m[] = "App.Worker|Job 42 failed";
	const char *b;
	size_t msg = 0;

	(void)state;
	assert_int_equal(lvl("|ERROR|App.Worker|Job 42 failed", &b), SEV_ERROR);
	assert_string_equal(b, m);
	assert_int_equal(lvl("|WARN|App|slow", &b), SEV_WARNING);
	assert_int_equal(lvl("|nothing|here", &b), LEVEL_NONE);
	assert_int_equal(level_logger(m, strlen(m), &msg), 10);
	assert_string_equal(m + msg, "Job 42 failed");
	/* a word of no mark before a bar is no logger */
	assert_int_equal(level_logger("Job|x", 5, &msg), 0);
}

/* klog's and redis's levels with their stamps, others after them. */
static void
test_stamped(void **state)
{
	static const char k[] = "E1102 10:00:01.000000       1 reflector.go:138] Failed to watch";
	static const char r[] = "1:M 02 Nov 2025 10:00:03.000 # Error saving";
	static const char p[] = "2025-11-02 10:00:00 ERROR db: down";
	size_t body = 0;

	(void)state;
	assert_int_equal(level_of_stamped(NULL, k, strlen(k), 21, &body), SEV_ERROR);
	assert_string_equal(k + body, "Failed to watch");
	assert_int_equal(level_of_stamped(NULL, r, strlen(r), 29, &body), SEV_WARNING);
	assert_string_equal(r + body, "Error saving");
	assert_int_equal(level_of_stamped(NULL, p, strlen(p), 20, &body), SEV_ERROR);
	assert_string_equal(p + body, "db: down");
	assert_int_equal(level_of_stamped(NULL, "plain words", 11, 0, &body), LEVEL_NONE);
	assert_int_equal(body, 0);
}

/* redis's mark after its stamp; other lines with a digit first are not redis's */
static void
test_redis(void **state)
{
	static const char w[] = "1:M 25 Oct 2025 23:00:00.123 # Failed opening";
	static const char nt[] = "12:S 25 Oct 2025 23:00:00.123 * Ready";
	static const char no[] = "2025-10-25 23:00:00 # not redis";
	size_t body = 0;

	(void)state;
	assert_int_equal(level_of_redis(w, strlen(w), 29, &body), SEV_WARNING);
	assert_int_equal(body, 31);
	assert_int_equal(level_of_redis(nt, strlen(nt), 30, &body), SEV_NOTICE);
	assert_int_equal(level_of_redis(no, strlen(no), 20, &body), LEVEL_NONE);
	assert_int_equal(level_of_redis(w, 30, 29, &body), LEVEL_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_klog),
		cmocka_unit_test(test_dotnet),
		cmocka_unit_test(test_apache_php),
		cmocka_unit_test(test_syslog_tagged),
		cmocka_unit_test(test_lower_first),
		cmocka_unit_test(test_cached),
		cmocka_unit_test(test_not_levels),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_failures_first_line),
		cmocka_unit_test(test_exception_names),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_every_word),
		cmocka_unit_test(test_logger),
		cmocka_unit_test(test_redis),
		cmocka_unit_test(test_runtime_warnings),
		cmocka_unit_test(test_nlog),
		cmocka_unit_test(test_capitalised_colon),
		cmocka_unit_test(test_stamped),
		cmocka_unit_test(test_runtimes),
		cmocka_unit_test(test_lead_stamp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
