/*
 * test_template.c - masking of variable message parts, and the miner:
 * known groups of lines give the expected templates and ids, identifiers
 * that differ keep templates apart unless they take many values, and the
 * rule pattern of a template matches its messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "template.h"

static void
check_mask(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b);
	template_mask(&b, in, strlen(in));
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_mask_numbers_and_ids(void **state)
{
	check_mask("Retry 3 of 5 after 250ms", "Retry <*> of <*> after <*>");
	check_mask("Tool call cancelled for req=req-3a30",
	    "Tool call cancelled for req=<*>");
	check_mask("job 550e8400-e29b-41d4-a716-446655440000 done",
	    "job <*> done");
	check_mask("fault at 0x7ffd3a2b, token deadbeefcafe",
	    "fault at <*>, token <*>");
	check_mask("Semaphore leak detected: kimi expected=3, actual=2",
	    "Semaphore leak detected: kimi expected=<*>, actual=<*>");
	check_mask("elapsed 1.5s (limit 30s)", "elapsed <*> (limit <*>)");
}

static void
test_mask_addresses_and_paths(void **state)
{
	check_mask("Connection to 10.0.0.1:8080 refused",
	    "Connection to <*> refused");
	check_mask("from fe80::1ff:fe23:4567:890a port 22",
	    "from <*> port <*>");
	check_mask("open /var/lib/app/data.db: permission denied",
	    "open <*>: permission denied");
	check_mask("load ./conf/app.yaml and ~/x", "load <*> and <*>");
	check_mask("GLM generate_content failed: Connection error.",
	    "GLM generate_content failed: Connection error.");
}

/* A line of the most items a record holds: one pass, the same answer. */
static void
check_long_list(void)
{
	struct buf in;
	size_t i;

	buf_init(&in);
	buf_puts(&in, "ids [");
	for (i = 0; i < 300000; i++)
		buf_puts(&in, i > 0 ? ", 7" : "7");
	buf_puts(&in, "] gone");
	check_mask(in.data, "ids [<*>, <*>, ...] gone");
	buf_free(&in);
}

static void
test_mask_quotes_blanks_lines(void **state)
{
	check_mask("Model 'glm-4.6' is not available.",
	    "Model '<*>' is not available.");
	check_mask("key \"a b c\" missing", "key \"<*>\" missing");
	/* An apostrophe inside a word opens no string. */
	check_mask("can't find it", "can't find it");
	/* the name after "user" and a blank; not a key's value */
	check_mask("session opened for user news by (uid=0)",
	    "session opened for user <*> by (uid=<*>)");
	check_mask("User alice: denied", "User <*>: denied");
	check_mask("login refused user=root", "login refused user=root");
	check_mask("user: none", "user: none");
	check_mask("Invalid user admin from host", "Invalid user <*> from host");
	check_mask("No more user authentication methods available.",
	    "No more user authentication methods available.");
	check_mask("failed to fetch user data", "failed to fetch user data");
	/* a list of three or more alike items, of any length, is one */
	check_mask("models: {'a': <T.K: 'x'>, 'b': <T.K: 'y'>, 'c': <T.K: 'z'>}",
	    "models: {'<*>': <T.K: '<*>'>, '<*>': <T.K: '<*>'>, ...}");
	check_mask("ports [80, 443, 8080, 8443] open",
	    "ports [<*>, <*>, ...] open");
	check_mask("retry 1, 2, 3, then stop", "retry <*>, <*>, ..., then stop");
	check_mask("ports [80, 443]", "ports [<*>, <*>]");
	check_mask("a, b, c", "a, b, c");
	check_mask("call f(1), g(2), h(3)", "call f(<*>), g(<*>), h(<*>)");
	check_mask("pairs (1, 2), (3, 4), (5, 6) left", "pairs (<*>, <*>, ...) left");
	check_mask("x, , , , y", "x, , , , y");
	check_mask("a 1, 2, 3, 4, ", "a <*>, <*>, ..., <*>,");
	check_long_list();
	check_mask("  spaced   out\ttext  ", "spaced out text");
	check_mask("first line 1\nsecond line 2", "first line <*>");
	check_mask("", "");
}

/* Add lines, then finish; ids[] gets each line's final template. */
static struct template_miner *
mine(const char *const *lines, size_t n, uint32_t *ids)
{
	struct template_miner *m = template_miner_new();
	size_t i;

	for (i = 0; i < n; i++)
		ids[i] = template_miner_add(m, lines[i], strlen(lines[i]));
	template_miner_finish(m);
	for (i = 0; i < n; i++)
		ids[i] = template_miner_final(m, ids[i]);
	return m;
}

static void
check_text(const struct template_miner *m, uint32_t id, const char *want)
{
	struct buf b;

	buf_init(&b);
	template_miner_text(m, id, &b);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_miner_groups(void **state)
{
	static const char *const lines[] = {
		"Connection closed for 172.18.0.5:41822: sent 1011 (internal error)",
		"[instance: 9a0b] VM Paused (Lifecycle Event)",
		"Connection closed for 172.18.0.9:50110: sent 1011 (internal error)",
		"[instance: 77fe] VM Resumed (Lifecycle Event)",
		"[instance: 12cd] VM Paused (Lifecycle Event)",
		"Connection closed for 10.0.0.7:1234: sent 1000 (normal)",
		"GET /v2/9f/servers?all=True&since=2017-05-16 HTTP/1.1 status: 200",
		"GET /v2/1a/servers HTTP/1.1 status: 404",
		"connection from 1.2.3.4 () at Mon Jun 20 03:40:59 2005",
		"connection from 5.6.7.8 (host.example) at Fri Jul  1 07:57:30 2005",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	/* Founded in order: ids count from 0. */
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 1);
	assert_int_equal(ids[2], 0);
	assert_int_equal(ids[3], 2);
	assert_int_equal(ids[4], 1);
	assert_int_equal(ids[5], 3);
	assert_int_equal(ids[6], 4);
	assert_int_equal(ids[7], 4);
	assert_int_equal(ids[8], 5);
	assert_int_equal(ids[9], 5);
	assert_int_equal(template_miner_count(m), 6);
	check_text(m, 0, "Connection closed for <*>: sent <*> (internal error)");
	check_text(m, 1, "[instance: <*>] VM Paused (Lifecycle Event)");
	check_text(m, 2, "[instance: <*>] VM Resumed (Lifecycle Event)");
	check_text(m, 3, "Connection closed for <*>: sent <*> (normal)");
	check_text(m, 4, "GET <*> <*> status: <*>");
	check_text(m, 5, "connection from <*> (<*>) at <*> <*> <*> <*> <*>");
	assert_int_equal(template_miner_size(m, 0), 2);
	assert_int_equal(template_miner_size(m, 1), 2);
	assert_int_equal(template_miner_size(m, 5), 2);
	template_miner_free(m);
}

/* A word that takes eight values is a name; four values are states. */
static void
test_miner_many_values_merge(void **state)
{
	static const char *const tenants[] = {
		"cache flushed for tenant root", "cache flushed for tenant news",
		"cache flushed for tenant cyrus", "cache flushed for tenant test",
		"cache flushed for tenant guest", "cache flushed for tenant alice",
		"cache flushed for tenant bob", "cache flushed for tenant carol",
		"state now Active", "state now Inactive", "state now Idle",
		"state now Busy",
	};
	uint32_t ids[UTIL_ARRAY_LEN(tenants)];
	struct template_miner *m = mine(tenants, UTIL_ARRAY_LEN(tenants), ids);
	size_t i;

	for (i = 1; i < 8; i++)
		assert_int_equal(ids[i], ids[0]);
	check_text(m, ids[0], "cache flushed for tenant <*>");
	assert_int_equal(template_miner_size(m, ids[0]), 8);
	assert_int_not_equal(ids[8], ids[9]);
	assert_int_not_equal(ids[9], ids[10]);
	assert_int_not_equal(ids[10], ids[11]);
	check_text(m, ids[11], "state now Busy");
	/* A message after finish still lands in the merged template. */
	i = template_miner_add(m, "cache flushed for tenant dave", 29);
	assert_int_equal(template_miner_final(m, (uint32_t)i), ids[0]);
	template_miner_free(m);
}

/*
 * Amid three fixed tokens or more, five values of a word are enough to
 * show an argument; four are states, and so are words in capitals; with
 * less around it a word may be the event itself.
 */
static void
test_miner_few_values_in_context(void **state)
{
	static const char *const lines[] = {
		"relay START: rsync pid=31 from=10.0.0.1",
		"relay START: tftp pid=32 from=10.0.0.2",
		"relay START: swat pid=33 from=10.0.0.3",
		"relay START: telnet pid=34 from=10.0.0.4",
		"relay START: finger pid=35 from=10.0.0.5",
		"disk 3 now Active on node 1",
		"disk 4 now Idle on node 2",
		"disk 5 now Busy on node 3",
		"disk 6 now Failed on node 4",
		"Opening alpha", "Opening beta", "Opening gamma", "Opening delta",
		"Opening omega",
		"task 1 moved from NEW to READY by pool 4",
		"task 2 moved from NEW to QUEUED by pool 5",
		"task 3 moved from NEW to RUNNING by pool 6",
		"task 4 moved from NEW to DONE by pool 7",
		"task 5 moved from NEW to FAILED by pool 8",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);
	size_t i;

	for (i = 1; i < 5; i++)
		assert_int_equal(ids[i], ids[0]);
	check_text(m, ids[0], "relay START: <*> pid=<*> from=<*>");
	assert_int_equal(template_miner_size(m, ids[0]), 5);
	for (i = 6; i < 9; i++)
		assert_int_not_equal(ids[i], ids[i - 1]);
	check_text(m, ids[8], "disk <*> now Failed on node <*>");
	for (i = 10; i < 14; i++)
		assert_int_not_equal(ids[i], ids[i - 1]);
	check_text(m, ids[13], "Opening omega");
	for (i = 15; i < 19; i++)
		assert_int_not_equal(ids[i], ids[i - 1]);
	check_text(m, ids[18], "task <*> moved from NEW to FAILED by pool <*>");
	template_miner_free(m);
}

/*
 * The word after "user" and a blank is a name from the first message,
 * when "user" opens the message or follows "for", "invalid" and the
 * like; after other words it is a word, and a value after "user=" is
 * left to the counts, as any key's.
 */
static void
test_miner_user_names(void **state)
{
	static const char *const lines[] = {
		"session opened for user news by (uid=0)",
		"session opened for user cyrus by (uid=0)",
		"session opened for user test by (uid=509)",
		"User alice logged in",
		"User bob logged in",
		"login refused user=root",
		"login refused user=guest",
		"could not load user profile",
		"could not load user settings",
		"Failed password for root from 10.0.0.1 port 22 ssh2",
		"Failed password for user from 10.0.0.2 port 22 ssh2",
		"Failed password for user7 from 10.0.0.3 port 22 ssh2",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	check_text(m, ids[0], "session opened for user <*> by (uid=<*>)");
	assert_int_equal(ids[4], ids[3]);
	check_text(m, ids[3], "User <*> logged in");
	assert_int_not_equal(ids[5], ids[6]);
	check_text(m, ids[6], "login refused user=guest");
	assert_int_not_equal(ids[7], ids[8]);
	check_text(m, ids[8], "could not load user settings");
	/* "user" before "from" was the name, not the word before one */
	assert_int_equal(ids[10], ids[9]);
	check_text(m, ids[9], "Failed password for <*> from <*> port <*> <*>");
	template_miner_free(m);
}

/*
 * A unit of time after a number may vary with it ("15 ms", "2 s"); a
 * unit of size is text ("8.0 KB" and "1.2 MB" are two statements, as
 * Loghub's templates have them), and a unit word after a word keeps
 * events apart.  A full stop after a unit is punctuation.
 */
static void
test_miner_units(void **state)
{
	static const char *const lines[] = {
		"Block rdd_2_0 stored (estimated size 8.0 KB, free 317.5 KB)",
		"Block rdd_2_1 stored (estimated size 1.2 MB, free 96.0 B)",
		"Block rdd_3_4 stored (estimated size 12.0 KB, free 310.1 KB)",
		"Reading variable 9 took 15 ms",
		"Reading variable 4 took 2 s",
		"mode MB selected now",
		"mode KB selected now",
		"Lease renewed after 1 sec. with server 1",
		"Lease renewed after 3 secs. with server 2",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[2], ids[0]);
	assert_int_not_equal(ids[1], ids[0]);
	check_text(m, ids[0],
	    "Block <*> stored (estimated size <*> KB, free <*> KB)");
	assert_int_equal(ids[4], ids[3]);
	check_text(m, ids[3], "Reading variable <*> took <*> <*>");
	assert_int_not_equal(ids[5], ids[6]);
	assert_int_equal(ids[8], ids[7]);
	check_text(m, ids[7], "Lease renewed after <*> <*> with server <*>");
	template_miner_free(m);
}

/*
 * A flag's true or false, a host's name and an app's package or component
 * are values, however few of them a log shows; a class, the language's
 * packages and a name of no top-level domain are the program's text.
 */
static void
test_miner_flags_and_hosts(void **state)
{
	static const char *const lines[] = {
		"opening app allDrawn= false, startingMoved = true",
		"opening app allDrawn= TRUE, startingMoved = false",
		"authentication failure; rhost=mail.example.cn user=root",
		"authentication failure; rhost=ns.dsl-pool.example.com user=root",
		"start service pkg=com.example.mail failed",
		"start service pkg=com.example.chat failed",
		"class java.io failed",
		"class java.net failed",
		"loaded module db.core",
		"loaded module db.cache",
		"loaded org.apache.hadoop.mapred.TaskTracker",
		"loaded org.apache.hadoop.mapred.JobTracker",
		"Displayed com.android.settings/.Settings: +1ms",
		"Displayed com.tencent.mm/.ui.LauncherUI: +68941ms",
		"loaded java.io/Reader",
		"loaded java.net/Socket",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	check_text(m, ids[0], "opening app allDrawn= <*>, startingMoved = <*>");
	assert_int_equal(ids[3], ids[2]);
	check_text(m, ids[2], "authentication failure; rhost=<*> user=root");
	assert_int_equal(ids[5], ids[4]);
	check_text(m, ids[4], "start service pkg=<*> failed");
	assert_int_not_equal(ids[7], ids[6]);
	assert_int_not_equal(ids[9], ids[8]);
	assert_int_not_equal(ids[11], ids[10]);
	/* an app's component, its package and class, as Android flattens it */
	assert_int_equal(ids[13], ids[12]);
	check_text(m, ids[12], "Displayed <*>: <*>");
	assert_int_not_equal(ids[15], ids[14]);
	template_miner_free(m);
}

/*
 * Register dumps: every value glued to its name with '=', or only the
 * first; two statements, each one template however the values run.  A
 * path's query is no such pair.
 */
static void
test_miner_register_dumps(void **state)
{
	static const char *const lines[] = {
		"r00=0x00000000 r01=0x1eff0a40 r02=0x00000000 r03=0x1f0a0010",
		"r04=0x00000004 r05=0x00000001 r06=0x00000000 r07=0x03c4a108",
		"fpr0=0xffffffff 0x00000000 0x7fffffff 0x00000000",
		"fpr1=0x00000000 0xbff00000 0x00000000 0x3ff00000",
		"GET /v2/servers/detail HTTP/1.1 status: 200",
		"GET /v2/servers/detail?since=2017-05-14 HTTP/1.1 status: 200",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[3], ids[2]);
	assert_int_not_equal(ids[2], ids[0]);
	assert_int_equal(ids[5], ids[4]);
	template_miner_free(m);
}

/*
 * The word between "for" and "from" is who: "root" and "admin" are one
 * template however few names a log shows; "for user X from" is the
 * template of invalid users, apart.
 */
static void
test_miner_for_from(void **state)
{
	static const char *const lines[] = {
		"Failed password for root from 10.0.0.7 port 4022 ssh2",
		"Failed password for admin from 10.0.0.8 port 4023 ssh2",
		"Failed password for invalid user test9 from 10.0.0.9 port 4024 ssh2",
		"Failed password for invalid user oracle from 10.0.0.9 port 4025 ssh2",
		"Accepted password for fztu from 10.0.0.10 port 4026 ssh2",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	check_text(m, ids[0], "Failed password for <*> from <*> port <*> <*>");
	assert_int_equal(ids[3], ids[2]);
	assert_int_not_equal(ids[2], ids[0]);
	assert_int_not_equal(ids[4], ids[0]);
	template_miner_free(m);
}

/*
 * An object printed by its class's toString, braces, blanks and all, is
 * one value: package names inside it do not keep templates apart, and
 * "null" where another run prints an object joins it.
 */
static void
test_miner_objects(void **state)
{
	static const char *const lines[] = {
		"Screen frozen for +774ms due to Window{e28af60 u0 android}",
		"Screen frozen for +423ms due to Window{321c529 u0 com.android.phone}",
		"acquire lock=1, flags=0x8, name=android, ws=WorkSource{10113}, uid=518",
		"acquire lock=2, flags=0x9, name=android, ws=null, uid=3",
		"acquire lock=3, flags=0x9, name=android, ws=WorkSource{10113 {a}}, uid=3",
		"Screen frozen for +12ms due to window e28af60",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	check_text(m, ids[0], "Screen frozen for <*> due to <*>");
	assert_int_equal(ids[3], ids[2]);
	assert_int_equal(ids[4], ids[2]);
	assert_int_not_equal(ids[5], ids[0]);
	template_miner_free(m);
}

/*
 * A word where an alike template already varies is one of its values,
 * however few words the log shows: "yarn,guest" joins "yarn,<*>".
 */
static void
test_miner_word_at_wildcard(void **state)
{
	static const char *const lines[] = {
		"Changing view acls to: yarn,guest",
		"Changing view acls to: yarn,ubnt",
		"Changing view acls to: yarn,user1",
		"Changing view acls to: yarn,curi",
		"VM Paused (Lifecycle Event)",
		"VM Resumed (Lifecycle Event)",
		"ACPI: PCI Interrupt 0000:02:06.5[A] -> GSI 60 (level, low) -> IRQ 69",
		"ACPI: PCI Interrupt 0000:05:01.1[B] -> GSI 35 (level, low) -> IRQ 71",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	assert_int_equal(ids[3], ids[0]);
	check_text(m, ids[0], "Changing view acls to: yarn,<*>");
	assert_int_not_equal(ids[4], ids[5]);
	/* a letter alone is no word: a PCI pin varies as the bus does */
	assert_int_equal(ids[7], ids[6]);
	template_miner_free(m);
}

/*
 * Hexadecimal groups joined by colons are one value, whose groups of
 * letters alone ("ab", "fe4e") are no words: an IPv6 address, a prefix
 * length after it, a PCI address with its trailing colon.
 */
static void
test_miner_hex_colon(void **state)
{
	static const char *const lines[] = {
		"pcieport 0000:1a:16.0: AER: Corrected error received: id=0032",
		"pcieport 0000:ab:22.0: AER: Corrected error received: id=0084",
		"pcieport 0000:ee:03.1: AER: Corrected error received: id=0011",
		"Connection from fe80::a00:27ff:fe4e:66a1 port 50022",
		"Connection from 2001:db8::beef:cafe port 40111",
		"Connection from 2001:db8::1 port 40112",
		"wlan0: IPv6 address fd00::dead:b33f/64 added",
		"wlan0: IPv6 address fd00::1/64 added",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	check_text(m, ids[0],
	    "pcieport <*>: AER: Corrected error received: id=<*>");
	assert_int_equal(ids[4], ids[3]);
	assert_int_equal(ids[5], ids[3]);
	check_text(m, ids[3], "Connection from <*> port <*>");
	assert_int_equal(ids[7], ids[6]);
	check_text(m, ids[6], "<*>: <*> address <*> added");
	template_miner_free(m);
}

/*
 * A word with a mark ("DNS!", "DNS-") is a word, which keeps templates
 * apart as words do; a word with a digit ("MC0") is a value.
 */
static void
test_miner_marked_words(void **state)
{
	static const char *const lines[] = {
		"changed: v4(en0:10.0.0.7) DNS! Proxy SMB",
		"changed: v4(en0:10.0.0.9) DNS! Proxy SMB",
		"changed: v4(en0:10.0.0.8) DNS Proxy SMB",
		"EDAC MC0: 1 CE memory read error on DIMM",
		"EDAC MC1: 4 CE memory read error on DIMM",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_not_equal(ids[2], ids[0]);
	assert_int_equal(ids[4], ids[3]);
	check_text(m, ids[3], "EDAC <*>: <*> CE memory read error on DIMM");
	template_miner_free(m);
}

/* A list of numbers after ", " is one value, however long. */
static void
test_miner_number_lists(void **state)
{
	static const char *const lines[] = {
		"Assigned cpus [3] to job 77",
		"Assigned cpus [3, 9] to job 78",
		"Assigned cpus [0, 1, 2, 3, 60] to job 79",
		"moved to -1.5, 0x1f",
		"moved to 2.25, 0x20",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	check_text(m, ids[0], "Assigned cpus [<*>] to job <*>");
	assert_int_equal(ids[4], ids[3]);
	check_text(m, ids[3], "moved to <*>");
	template_miner_free(m);
}

/*
 * A value printed in words one time ("<1 sec") and as one word the others
 * ("00:01") ends one template; a fixed word there keeps it apart.
 */
static void
test_miner_tail(void **state)
{
	static const char *const lines[] = {
		"10.0.0.1:443 close, 403 bytes sent, lifetime 00:01",
		"10.0.0.2:80 close, 12 bytes sent, lifetime 00:07",
		"10.0.0.1:443 close, 55 bytes sent, lifetime <1 sec",
		"job 7 of queue a done in 5",
		"job 8 of queue a done in 6",
		"job 9 of queue a done in no time",
		"10.0.0.3:443 close, 9 bytes sent, lifetime 00:02 (connection reset)",
		"10.0.0.4:443 close, 7 bytes sent, lifetime 01:12 (connection reset)",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	check_text(m, ids[0], "<*> close, <*> bytes sent, lifetime <*>");
	assert_int_equal(ids[4], ids[3]);
	check_text(m, ids[3], "job <*> of queue a done in <*>");
	assert_int_not_equal(ids[5], ids[3]);
	/* words after the value are the message's, not the value's */
	assert_int_equal(ids[7], ids[6]);
	assert_int_not_equal(ids[6], ids[0]);
	template_miner_free(m);
}

/*
 * A value printed as two words one time ("chrome.exe *64") and as one the
 * others stands for both in the middle of a template too; two fixed
 * words there are a wording of their own ("for invalid user <*>").
 */
static void
test_miner_span(void **state)
{
	static const char *const lines[] = {
		"Dropbox.exe - 10.0.0.1:443 open through proxy p:5070 HTTPS",
		"QQ.exe - 10.0.0.2:443 open through proxy p:5070 HTTPS",
		"chrome.exe *64 - 10.0.0.3:80 open through proxy p:5070 HTTPS",
		"svchost.exe *64 - 10.0.0.4:80 open through proxy p:5070 HTTPS",
		"Failed password for root from 10.0.0.1 port 22 ssh2",
		"Failed password for guest7 from 10.0.0.2 port 23 ssh2",
		"Failed password for invalid user root from 10.0.0.3 port 22 ssh2",
		"Failed password for invalid user test from 10.0.0.4 port 22 ssh2",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	assert_int_equal(ids[3], ids[0]);
	check_text(m, ids[0], "<*> - <*> open through proxy p:<*> HTTPS");
	assert_int_equal(ids[5], ids[4]);
	assert_int_equal(ids[7], ids[6]);
	assert_int_not_equal(ids[6], ids[4]);
	check_text(m, ids[6],
	    "Failed password for invalid user <*> from <*> port <*> <*>");
	template_miner_free(m);
}

/*
 * A fixed word before a value at a template's end is a key with a value
 * of its own: "from <*> port <*>" is not "from <*>", as "lifetime <1 sec"
 * is "lifetime <*>".
 */
static void
test_miner_span_key(void **state)
{
	static const char *const lines[] = {
		"Bad login for mallory from 10.0.0.1 port 4022",
		"Bad login for eve from 10.0.0.2 port 4023",
		"Bad login for trent from 10.0.0.3 port 4024",
		"Bad login for carol from 10.0.0.4",
		"Bad login for dave from 10.0.0.5",
		"lease renewed in 3 sec",
		"lease renewed in 00:02",
		"lease renewed in 00:03",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	check_text(m, ids[0], "Bad login for <*> from <*> port <*>");
	assert_int_equal(template_miner_size(m, ids[0]), 3);
	assert_int_equal(ids[4], ids[3]);
	check_text(m, ids[3], "Bad login for <*> from <*>");
	assert_int_equal(template_miner_size(m, ids[3]), 2);
	assert_int_equal(ids[6], ids[5]);
	assert_int_equal(ids[7], ids[5]);
	check_text(m, ids[5], "lease renewed in <*>");
	template_miner_free(m);
}

/*
 * A file's name is a name ("WeChat.exe"), a dotted logger's is not; a
 * key's value in a list of keys and values varies however few a log
 * shows, quoted and in words or not; a key alone keeps its few values
 * apart ("user=root").
 */
static void
test_miner_names_and_fields(void **state)
{
	static const char *const lines[] = {
		"WeChat.exe - open directly",
		"QQ.exe - open directly",
		"acquire lock=1, tag=\"View Lock\", name=android, ws=null",
		"acquire lock=2, tag=\"RILJ\", name=com.android.phone, ws=null",
		"acquire lock=3, tag=\"RILJ\", name=android, ws=null",
		"login refused rhost=h1  user=root",
		"login refused rhost=h2  user=guest",
		"state mode=on",
		"state mode=off",
		"Logging to jetty.util.log now",
		"Logging to hadoop.util.log now",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	check_text(m, ids[0], "<*> - open directly");
	assert_int_equal(ids[3], ids[2]);
	assert_int_equal(ids[4], ids[2]);
	check_text(m, ids[2],
	    "acquire lock=<*>, tag=\"<*>\", name=<*>, ws=<*>");
	assert_int_not_equal(ids[5], ids[6]);
	assert_int_not_equal(ids[7], ids[8]);
	/* a dotted name is a logger's, not a file's */
	assert_int_not_equal(ids[9], ids[10]);
	check_text(m, ids[9], "Logging to jetty.util.log now");
	template_miner_free(m);
}

/* A hardware address is one value, though some of its groups are letters. */
static void
test_miner_mac(void **state)
{
	static const char *const lines[] = {
		"DHCPREQUEST from 00:0b:cd:12:ab:ef via eth1",
		"DHCPREQUEST from f8:4f:57:3b:ea:b2 via eth1",
		"DHCPREQUEST from 5C-50-15-4C-18-13 via eth1",
		"DHCPREQUEST from ab:cd:ef:ab:cd:ef via eth1",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	assert_int_equal(ids[3], ids[0]);
	check_text(m, ids[0], "DHCPREQUEST from <*> via <*>");
	template_miner_free(m);
}

/*
 * A list of ids of one kind, blank-separated, is one value whatever its
 * length; values of different kinds, or numbers, stay apart.
 */
static void
test_miner_id_lists(void **state)
{
	static const char *const lines[] = {
		"BLOCK* ask 10.0.0.5:50010 to delete blk_-901 blk_-869 blk_-716",
		"BLOCK* ask 10.0.0.7:50010 to delete blk_804",
		"BLOCK* ask 10.0.0.9:50010 to delete blk_-857 blk_-912",
		"moved job_1 task_2 to queue",
		"moved job_3 task_4 to queue",
		"sizes 10 20 30 done",
		"sizes 10 20 done",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);
	struct buf re;

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	check_text(m, ids[0], "BLOCK* ask <*> to delete <*>");
	assert_int_equal(ids[4], ids[3]);
	check_text(m, ids[3], "moved <*> <*> to queue");
	/* numbers are no ids, but a list one longer is the same statement */
	assert_int_equal(ids[6], ids[5]);
	check_text(m, ids[5], "sizes <*> <*> done");
	/* the rule's pattern takes a list of any length */
	buf_init(&re);
	assert_int_equal(template_miner_regex(m, ids[0], &re), 2);
	assert_non_null(strstr(re.data, "(?<delete>.+)"));
	buf_free(&re);
	template_miner_free(m);
}

/* A quoted name is a value; a quoted word of letters is a state. */
static void
test_miner_quoted(void **state)
{
	static const char *const lines[] = {
		"ASL Module \"com.apple.performance\" claims messages",
		"ASL Module \"com.apple.cdp.osx\" claims messages",
		"icon now in state 'Active'",
		"icon now in state 'Inactive'",
		"started service 'node-7' on port 40984",
		"started service 'node-9' on port 40985",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	check_text(m, ids[0], "ASL Module \"<*>\" claims messages");
	assert_int_not_equal(ids[2], ids[3]);
	check_text(m, ids[3], "icon now in state 'Inactive'");
	assert_int_equal(ids[5], ids[4]);
	check_text(m, ids[4], "started service '<*>' on port <*>");
	template_miner_free(m);
}

/*
 * A template whose words are another's but where that one has a wholly
 * variable word joins it: a host that was a name ("www.example.com:443",
 * a word and a number) and then addresses ("10.1.2.3:80", one value).
 * One whose other template is mostly variable does not: "<*>" alone
 * would take in every one-word message.
 */
static void
test_miner_subsumed(void **state)
{
	static const char *const lines[] = {
		"chrome.exe - www.example.com:443 open through proxy HTTPS",
		"chrome.exe - 10.1.2.3:80 open through proxy HTTPS",
		"chrome.exe - 10.9.8.7:8080 open through proxy HTTPS",
		"chrome.exe - www.example.com:80 open through proxy HTTPS",
		"chrome.exe - www.example.com:80 open through proxy FTP",
		"initEnvironment",
		"42",
		"setTotalSteps=12",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[0], ids[1]);
	assert_int_equal(ids[2], ids[1]);
	assert_int_equal(ids[3], ids[1]);
	check_text(m, ids[1], "<*> - <*> open through proxy HTTPS");
	assert_int_equal(template_miner_size(m, ids[1]), 4);
	assert_int_not_equal(ids[4], ids[1]);
	assert_int_not_equal(ids[5], ids[6]);
	assert_int_not_equal(ids[7], ids[6]);
	check_text(m, ids[5], "initEnvironment");
	check_text(m, ids[7], "setTotalSteps=<*>");
	template_miner_free(m);
}

/*
 * A template whose fixed words all stand where another of its shape has
 * variables joins it: names seen before the other had its variables,
 * which never differed from it one at a time.
 */
static void
test_miner_covered(void **state)
{
	static const char *const lines[] = {
		"acl view: Set(alice); edit: Set(bob)",
		"acl view: Set(carol); edit: Set(dave)",
		"acl view: Set(user1); edit: Set(user2)",
		"acl read: Set(gina); edit: Set(hal)",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);

	assert_int_equal(ids[1], ids[0]);
	assert_int_equal(ids[2], ids[0]);
	check_text(m, ids[0], "acl view: Set(<*>); edit: Set(<*>)");
	assert_int_equal(template_miner_size(m, ids[0]), 3);
	assert_int_not_equal(ids[3], ids[0]);
	check_text(m, ids[3], "acl read: Set(gina); edit: Set(hal)");
	template_miner_free(m);
}

/*
 * Words that are names: a shape seen with hundreds of word sets is one
 * template, however the tree spread them, and a leaf's scan stays short.
 */
static void
test_miner_crowded_shape(void **state)
{
	struct template_miner *m = template_miner_new();
	char line[128], w[3][8];
	uint32_t first = 0, id;
	size_t i, k, j;

	for (i = 0; i < 3000; i++) {
		for (k = 0; k < 3; k++) {
			for (j = 0; j < 7; j++)
				w[k][j] = (char)('a' + (i * 7919 + k * 104729 + j * 31 +
				    (i >> j)) % 26);
			w[k][7] = '\0';
		}
		snprintf(line, sizeof line, "cache %s evicted %s entries of %s",
		    w[0], w[1], w[2]);
		id = template_miner_add(m, line, strlen(line));
		if (i == 0)
			first = id;
	}
	template_miner_finish(m);
	check_text(m, template_miner_final(m, first), "cache <*> evicted <*> entries of <*>");
	assert_int_equal(template_miner_size(m, template_miner_final(m, first)), 3000);
	template_miner_free(m);
}

/*
 * Messages of random words, none alike: one leaf takes thousands of
 * templates and its scan stops at a few hundred.  A message that recurs
 * among them, first seen late, still joins its template every time.
 */
static void
test_miner_full_leaf(void **state)
{
	struct template_miner *m = template_miner_new();
	char line[128], w[4][8];
	uint32_t id, first = UINT32_MAX;
	uint64_t x = 88172645463325252ull;
	size_t i, k, j, again = 0;

	for (i = 0; i < 6000; i++) {
		if (i >= 3000 && i % 40 == 0) {
			id = template_miner_add(m, "Quorum lost on shard beta", 25);
			if (first == UINT32_MAX)
				first = id;
			assert_int_equal(template_miner_final(m, id), first);
			again++;
			continue;
		}
		for (k = 0; k < 4; k++) {
			for (j = 0; j < 7; j++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				w[k][j] = (char)('a' + x % 26);
			}
			w[k][7] = '\0';
		}
		snprintf(line, sizeof line, "%s %s %s %s %s", w[0], w[1], w[2],
		    w[3], w[0]);
		template_miner_add(m, line, strlen(line));
	}
	template_miner_finish(m);
	assert_int_equal(again, 75);
	check_text(m, template_miner_final(m, first), "Quorum lost on shard beta");
	assert_int_equal(template_miner_size(m, template_miner_final(m, first)),
	    75);
	template_miner_free(m);
}

static void
test_miner_regex(void **state)
{
	static const char *const lines[] = {
		"Connection closed for 172.18.0.5:41822: sent 1011 (internal error)",
		"Connection closed for 172.18.0.9:50110: sent 1000 (internal error)",
		"Fallback upload also failed: size=1024 path=/tmp/a.txt",
		"Fallback upload also failed: size=77 path=/tmp/b.txt",
	};
	uint32_t ids[UTIL_ARRAY_LEN(lines)];
	struct template_miner *m = mine(lines, UTIL_ARRAY_LEN(lines), ids);
	struct buf b;
	pcre2_code *re;
	pcre2_match_data *md;
	int err;
	PCRE2_SIZE off;
	const char *rec = "2025-10-25 23:33:20 WARNING ws: Connection closed for "
	    "1.2.3.4:5: sent 1011 (internal error)";

	buf_init(&b);
	assert_int_equal(template_miner_regex(m, ids[0], &b), 2);
	assert_string_equal(b.data,
	    "Connection\\s+closed\\s+for\\s+(?<v1>\\S+?):\\s+sent\\s+"
	    "(?<sent>\\S+?)\\s+\\(internal\\s+error\\)");
	re = pcre2_compile((PCRE2_SPTR)b.data, b.len, 0, &err, &off, NULL);
	assert_non_null(re);
	md = pcre2_match_data_create_from_pattern(re, NULL);
	assert_true(pcre2_match(re, (PCRE2_SPTR)rec, strlen(rec), 0, 0, md, NULL) == 3);
	assert_true(pcre2_match(re, (PCRE2_SPTR)lines[2], strlen(lines[2]), 0, 0,
	    md, NULL) < 0);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	buf_reset(&b);
	assert_int_equal(template_miner_regex(m, ids[2], &b), 2);
	assert_string_equal(b.data,
	    "Fallback\\s+upload\\s+also\\s+failed:\\s+size=(?<size>\\S+?)\\s+"
	    "path=(?<path>\\S+)");
	template_miner_free(m);

	/* A line break in the mined text spans the lines a record has between. */
	m = template_miner_new();
	ids[0] = template_miner_add(m, "Error in chat\nKeyError: 'model'", 31);
	template_miner_finish(m);
	buf_reset(&b);
	assert_int_equal(template_miner_regex(m, ids[0], &b), 0);
	assert_string_equal(b.data,
	    "Error\\s+in\\s+chat\\s*\\n(?:.*\\n)*?\\s*KeyError:\\s+'model'");
	re = pcre2_compile((PCRE2_SPTR)b.data, b.len, 0, &err, &off, NULL);
	assert_non_null(re);
	md = pcre2_match_data_create_from_pattern(re, NULL);
	rec = "E x: Error in chat\nTraceback (most recent call last):\n"
	    "  File \"a.py\", line 1\nKeyError: 'model'";
	assert_true(pcre2_match(re, (PCRE2_SPTR)rec, strlen(rec), 0, 0, md, NULL) == 1);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	buf_free(&b);
	template_miner_free(m);
}

/* Long and odd input: capped, never a crash; the same message twice is one template. */
static void
test_miner_limits(void **state)
{
	struct template_miner *m = template_miner_new();
	char *big = malloc(20000);
	uint32_t a, b, e1, e2;
	struct buf t;
	size_t i;

	assert_non_null(big);
	for (i = 0; i < 19999; i++)
		big[i] = i % 3 == 2 ? ' ' : 'x';
	big[19999] = '\0';
	a = template_miner_add(m, big, strlen(big));
	b = template_miner_add(m, big, strlen(big));
	assert_int_equal(a, b);
	e1 = template_miner_add(m, "", 0);
	e2 = template_miner_add(m, "   ", 3);
	assert_int_equal(e1, e2);
	template_miner_finish(m);
	buf_init(&t);
	template_miner_text(m, a, &t);
	assert_true(t.len <= 4096);
	buf_free(&t);
	free(big);
	template_miner_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_numbers_and_ids),
		cmocka_unit_test(test_mask_addresses_and_paths),
		cmocka_unit_test(test_mask_quotes_blanks_lines),
		cmocka_unit_test(test_miner_groups),
		cmocka_unit_test(test_miner_many_values_merge),
		cmocka_unit_test(test_miner_few_values_in_context),
		cmocka_unit_test(test_miner_user_names),
		cmocka_unit_test(test_miner_subsumed),
		cmocka_unit_test(test_miner_covered),
		cmocka_unit_test(test_miner_quoted),
		cmocka_unit_test(test_miner_units),
		cmocka_unit_test(test_miner_objects),
		cmocka_unit_test(test_miner_flags_and_hosts),
		cmocka_unit_test(test_miner_register_dumps),
		cmocka_unit_test(test_miner_for_from),
		cmocka_unit_test(test_miner_span),
		cmocka_unit_test(test_miner_span_key),
		cmocka_unit_test(test_miner_names_and_fields),
		cmocka_unit_test(test_miner_mac),
		cmocka_unit_test(test_miner_hex_colon),
		cmocka_unit_test(test_miner_marked_words),
		cmocka_unit_test(test_miner_number_lists),
		cmocka_unit_test(test_miner_tail),
		cmocka_unit_test(test_miner_word_at_wildcard),
		cmocka_unit_test(test_miner_id_lists),
		cmocka_unit_test(test_miner_full_leaf),
		cmocka_unit_test(test_miner_crowded_shape),
		cmocka_unit_test(test_miner_regex),
		cmocka_unit_test(test_miner_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
