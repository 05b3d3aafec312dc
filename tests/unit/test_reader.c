/*
 * test_reader.c - physical lines from files, gzip and standard input:
 * CRLF, missing final newline, NULs, overlong lines (in memory too), resume offsets and
 * follow mode across truncation and rotation, and one matrix of plain,
 * gzip, concatenated and truncated gzip input delivered by regular files
 * and by pipes in reads of every size from 1 byte to 4 MiB.  A long .gz
 * decompressed ahead on another thread gives the lines of the same text
 * read in place, stops, resumes and reads on past its end as ever.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "reader.h"
#include "util.h"

#define MIB (1024 * 1024)

static char dir[] = "/tmp/test_reader.XXXXXX";
static char path[256];
static char err[512];

static void
write_file(const char *p, const void *data, size_t len, int flags)
{
	int fd = open(p, O_WRONLY | O_CREAT | flags, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A gzip member holding data, built with zlib; caller frees. */
static unsigned char *
gz_bytes(const char *data, size_t len, size_t *outlen)
{
	z_stream zs;
	unsigned char *out;
	uLong cap;

	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	/* Random text does not shrink much: room for the worst case. */
	cap = deflateBound(&zs, (uLong)len) + 64;
	out = malloc(cap);
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static struct reader *
open_data(const char *data, size_t len, int follow)
{
	struct reader *r;

	write_file(path, data, len, O_TRUNC);
	r = reader_open(path, follow, err, sizeof err);
	assert_non_null(r);
	return r;
}

static void
expect_line(struct reader *r, const char *text, uint64_t lineno,
    uint64_t offset, uint64_t end_offset)
{
	struct reader_line l;
	int rc = reader_next(r, &l, err, sizeof err);

	assert_int_equal(rc, 1);
	assert_int_equal(l.len, strlen(text));
	assert_memory_equal(l.p, text, l.len);
	assert_int_equal(l.lineno, lineno);
	assert_int_equal(l.offset, offset);
	assert_int_equal(l.end_offset, end_offset);
	assert_int_equal(l.truncated, 0);
}

/* The next line: its number, offsets and length. */
static void
expect_span(struct reader *r, uint64_t lineno, uint64_t offset,
    uint64_t end_offset, size_t len)
{
	struct reader_line l;

	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.lineno, lineno);
	assert_int_equal(l.offset, offset);
	assert_int_equal(l.end_offset, end_offset);
	assert_int_equal(l.len, len);
}

static void
expect_rc(struct reader *r, int want)
{
	struct reader_line l;

	assert_int_equal(reader_next(r, &l, err, sizeof err), want);
}

static int
setup(void **state)
{
	/* A matrix writer must see EPIPE, not die, if its reader gives up. */
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/in.log", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_crlf_and_last_line(void **state)
{
	struct reader *r = open_data("a\r\nbb\n\r\nlast", 12, 0);
	const struct reader_stats *st = reader_stats(r);

	expect_line(r, "a", 1, 0, 3);
	expect_line(r, "bb", 2, 3, 6);
	expect_line(r, "", 3, 6, 8);
	expect_line(r, "last", 4, 8, 12);
	expect_rc(r, 0);
	expect_rc(r, 0);
	assert_int_equal(st->lines, 4);
	assert_int_equal(st->bytes, 12);
	assert_int_equal(st->truncated, 0);
	assert_int_equal(reader_is_stdin(r), 0);
	assert_int_equal(reader_fingerprint(r),
	    util_hash64("a\r\nbb\n\r\nlast", 12, UTIL_HASH_SEED));
	reader_close(r);
}

static void
test_empty(void **state)
{
	struct reader *r = open_data("", 0, 0);

	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->lines, 0);
	assert_int_equal(reader_stats(r)->bytes, 0);
	assert_int_equal(reader_fingerprint(r), UTIL_HASH_SEED);
	reader_close(r);
}

static void
test_open_errors(void **state)
{
	char missing[300];

	snprintf(missing, sizeof missing, "%s/missing.log", dir);
	assert_null(reader_open(missing, 0, err, sizeof err));
	assert_non_null(strstr(err, "missing.log: No such file or directory"));
	assert_null(reader_open(dir, 0, err, sizeof err));
	snprintf(missing, sizeof missing, "%s: is a directory: give the logs in"
	    " it, as in %s/*.log", dir, dir);
	assert_string_equal(err, missing);
}

static void
test_nul_bytes(void **state)
{
	struct reader *r = open_data("a\0b\n\0\nc", 7, 0);
	struct reader_line l;

	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, 3);
	assert_memory_equal(l.p, "a\0b", 3);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, 1);
	assert_int_equal(l.p[0], '\0');
	expect_line(r, "c", 3, 6, 7);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->nul_bytes, 2);
	reader_close(r);
}

/*
 * Lines of every kind of length, from empty to longer than the newline
 * index's window and the read block, in runs of newlines and with '\r'
 * endings: each comes back with its bytes, number and offsets.
 */
static void
test_line_lengths(void **state)
{
	size_t n = 6 * MIB, i = 0, j, len, k, nlines = 0;
	size_t *starts = malloc(sizeof *starts * (n / 1 + 1));
	size_t *lens = malloc(sizeof *lens * (n / 1 + 1));
	char *data = malloc(n);
	uint64_t seed = 88172645463325252ULL;
	struct reader *r;
	struct reader_line l;

	while (i < n) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		switch (seed % 32) {
		case 0: case 1: len = 0; break;
		case 2: case 3: case 4: len = seed >> 8 & 15; break;
		case 5: case 6: case 7: len = 60 + (seed >> 8 & 7); break;
		case 8: len = 64 * 1024 - 4 + (seed >> 8 & 7); break;
		case 9: len = (seed >> 8) % 300000; break;
		default: len = 100 + (seed >> 8) % 200; break;
		}
		if (len + 1 > n - i)
			break;
		for (j = 0; j < len; j++)
			data[i + j] = (char)('a' + (i + j) % 26);
		k = len;
		if (len > 0 && seed >> 40 & 1)
			data[i + len - 1] = '\r', k = len - 1;
		starts[nlines] = i;
		lens[nlines] = k;
		nlines++;
		data[i + len] = '\n';
		i += len + 1;
	}
	r = open_data(data, i, 0);
	for (j = 0; j < nlines; j++) {
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
		assert_int_equal(l.lineno, j + 1);
		assert_int_equal(l.offset, starts[j]);
		assert_int_equal(l.len, lens[j]);
		assert_memory_equal(l.p, data + starts[j], lens[j]);
	}
	expect_rc(r, 0);
	assert_true(nlines > 600);
	reader_close(r);
	free(data);
	free(starts);
	free(lens);
}

/*
 * NULs counted across reads: the first reads (2 MiB) end inside a line
 * whose NULs all come before that end, the next read has none, and a
 * later one has many.
 */
static void
test_nul_bytes_late(void **state)
{
	size_t n = 5 * MIB, i, lines = 0, nuls = 0;
	char *data = malloc(n);
	struct reader *r;
	struct reader_line l;

	for (i = 0; i < n; i++)
		data[i] = i % 100 == 99 ? '\n' : 'y';
	for (i = 2 * MIB - 40; i < 2 * MIB; i += 3) {
		data[i] = '\0';
		nuls++;
	}
	for (i = 4 * MIB + MIB / 2; i < 4 * MIB + MIB / 2 + 5000; i += 7) {
		if (data[i] != '\n') {
			data[i] = '\0';
			nuls++;
		}
	}
	r = open_data(data, n, 0);
	while (reader_next(r, &l, err, sizeof err) == 1)
		lines++;
	assert_int_equal(lines, (n + 99) / 100);
	assert_int_equal(reader_stats(r)->nul_bytes, nuls);
	reader_close(r);
	free(data);
}

static int
all_bytes(const char *p, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != c)
			return 0;
	}
	return 1;
}

static void
test_long_line_cut(void **state)
{
	size_t big = 3 * MIB;
	char *data = malloc(big + 6);
	struct reader *r;
	struct reader_line l;

	memset(data, 'x', big);
	data[17] = '\0';
	memcpy(data + big, "\nnext\n", 6);
	r = open_data(data, big + 6, 0);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, READER_MAX_LINE);
	assert_int_equal(l.truncated, 1);
	assert_int_equal(l.lineno, 1);
	assert_int_equal(l.offset, 0);
	assert_int_equal(l.end_offset, big + 1);
	assert_int_equal(l.p[17], '\0');
	assert_true(all_bytes(l.p + 18, READER_MAX_LINE - 18, 'x'));
	expect_line(r, "next", 2, big + 1, big + 6);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->truncated, 1);
	assert_int_equal(reader_stats(r)->lines, 2);
	assert_int_equal(reader_stats(r)->bytes, big + 6);
	assert_int_equal(reader_stats(r)->nul_bytes, 1);
	reader_close(r);
	free(data);
}

/*
 * Text in memory is split and cut as a file is: an overlong line (longer
 * than one fill) handed out cut and counted, CR dropped, NULs counted, the
 * last line unterminated.
 */
static void
test_memory_lines(void **state)
{
	size_t big = 3 * MIB, n = big + 10;
	char *data = malloc(n);
	struct reader *r;
	struct reader_line l;

	memset(data, 'x', big);
	data[big - 1] = '\0';
	memcpy(data + big, "\nnext\r\nend", 10);
	r = reader_open_memory(data, n);
	assert_non_null(r);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, READER_MAX_LINE);
	assert_int_equal(l.truncated, 1);
	assert_int_equal(l.offset, 0);
	assert_int_equal(l.end_offset, big + 1);
	assert_true(all_bytes(l.p, READER_MAX_LINE, 'x'));
	expect_line(r, "next", 2, big + 1, big + 7);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, 3);
	assert_memory_equal(l.p, "end", 3);
	assert_int_equal(l.unterminated, 1);
	assert_int_equal(l.end_offset, n);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->truncated, 1);
	assert_int_equal(reader_stats(r)->lines, 3);
	assert_int_equal(reader_stats(r)->bytes, n);
	assert_int_equal(reader_stats(r)->nul_bytes, 1);
	assert_false(reader_is_regular(r));
	assert_int_equal(reader_fingerprint(r), 0);
	reader_close(r);
	r = reader_open_memory("", 0);
	expect_rc(r, 0);
	reader_close(r);
	free(data);
}

static void
test_line_length_limits(void **state)
{
	size_t n = READER_MAX_LINE + 10;
	char *data = malloc(n + 16);
	struct reader *r;
	struct reader_line l;

	/* Exactly READER_MAX_LINE is whole; one more byte is cut. */
	memset(data, 'y', READER_MAX_LINE);
	r = open_data(data, READER_MAX_LINE, 0);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, READER_MAX_LINE);
	assert_int_equal(l.truncated, 0);
	expect_rc(r, 0);
	reader_close(r);
	memset(data, 'y', READER_MAX_LINE + 1);
	r = open_data(data, READER_MAX_LINE + 1, 0);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, READER_MAX_LINE);
	assert_int_equal(l.truncated, 1);
	assert_int_equal(l.end_offset, READER_MAX_LINE + 1);
	expect_rc(r, 0);
	reader_close(r);

	/* An overlong line that arrives whole within one buffer. */
	memcpy(data, "a\n", 2);
	memset(data + 2, 'z', n);
	memcpy(data + 2 + n, "\nb\n", 3);
	r = open_data(data, n + 5, 0);
	expect_line(r, "a", 1, 0, 2);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, READER_MAX_LINE);
	assert_int_equal(l.truncated, 1);
	assert_int_equal(l.offset, 2);
	assert_int_equal(l.end_offset, n + 3);
	assert_true(all_bytes(l.p, l.len, 'z'));
	expect_line(r, "b", 3, n + 3, n + 5);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->truncated, 1);
	reader_close(r);
	free(data);
}

static long
max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void
test_huge_line_memory(void **state)
{
	char *chunk = malloc(MIB);
	struct reader *r;
	struct reader_line l;
	long before;
	int fd, i;

	memset(chunk, 'q', MIB);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	for (i = 0; i < 30; i++)
		assert_int_equal(write(fd, chunk, MIB), MIB);
	assert_int_equal(write(fd, "\nend\n", 5), 5);
	close(fd);
	free(chunk);
	before = max_rss_kib();
	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.truncated, 1);
	assert_int_equal(l.end_offset, 30 * MIB + 1);
	expect_line(r, "end", 2, 30 * MIB + 1, 30 * MIB + 5);
	expect_rc(r, 0);
	reader_close(r);
	/* The reader's buffer is about 2 MiB however long the line. */
	assert_true(max_rss_kib() - before < 8 * 1024);
}

static void
test_gzip_members(void **state)
{
	size_t n1, n2;
	unsigned char *g1 = gz_bytes("one\ntwo\n", 8, &n1);
	unsigned char *g2 = gz_bytes("three\nfour", 10, &n2);
	struct reader *r;

	write_file(path, g1, n1, O_TRUNC);
	write_file(path, g2, n2, O_APPEND);
	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(reader_fingerprint(r),
	    util_hash64("one\ntwo\nthree\nfour", 18, UTIL_HASH_SEED));
	expect_line(r, "one", 1, 0, 4);
	expect_line(r, "two", 2, 4, 8);
	expect_line(r, "three", 3, 8, 14);
	expect_line(r, "four", 4, 14, 18);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->bytes, 18);
	reader_close(r);

	/* Resume inside decompressed data. */
	r = reader_open(path, 0, err, sizeof err);
	assert_int_equal(reader_skip_to(r, 8, 2, err, sizeof err), 0);
	expect_line(r, "three", 3, 8, 14);
	reader_close(r);
	free(g1);
	free(g2);
}

static void
test_gzip_truncated(void **state)
{
	char text[4000];
	size_t n, i;
	unsigned char *g;
	struct reader *r;
	struct reader_line l;
	int rc, lines = 0;

	for (i = 0; i < sizeof text; i++)
		text[i] = i % 40 == 39 ? '\n' : (char)('a' + (i * 7919) % 26);
	g = gz_bytes(text, sizeof text, &n);
	write_file(path, g, n - 12, O_TRUNC);
	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	while ((rc = reader_next(r, &l, err, sizeof err)) == 1)
		lines++;
	assert_int_equal(rc, -1);
	assert_true(lines > 0 && lines <= 100);
	assert_non_null(strstr(err, "in.log: unexpected end of gzip data"));
	assert_int_equal(reader_next(r, &l, err, sizeof err), -1);
	reader_close(r);
	free(g);
}

static void
test_skip_to(void **state)
{
	struct reader *r = open_data("l1\nl2\nl3\n", 9, 0);
	char *big;
	size_t i, n = 300000;

	assert_int_equal(reader_skip_to(r, 6, 2, err, sizeof err), 0);
	expect_line(r, "l3", 3, 6, 9);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->lines, 1);
	assert_int_equal(reader_skip_to(r, 3, 1, err, sizeof err), -1);
	reader_close(r);

	r = open_data("l1\n", 3, 0);
	assert_int_equal(reader_skip_to(r, 3, 1, err, sizeof err), 0);
	expect_rc(r, 0);
	reader_close(r);

	/* Past what the first read buffered: a seek, checked against the size. */
	big = malloc(n * 13 + 1);
	for (i = 0; i < n; i++)
		snprintf(big + i * 13, 14, "line %07zu\n", i + 1);
	r = open_data(big, n * 13, 0);
	assert_int_equal(reader_skip_to(r, 250000 * 13, 250000, err,
	    sizeof err), 0);
	expect_line(r, "line 0250001", 250001, 250000 * 13, 250001 * 13);
	reader_close(r);
	r = open_data(big, n * 13, 0);
	assert_int_equal(reader_skip_to(r, n * 13 + 1, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "shorter than the resume offset 3900001"));
	reader_close(r);
	free(big);
}

/* n lines "line NNNNNNN\n", 13 bytes each; caller frees. */
static char *
numbered_lines(size_t n)
{
	char *big = malloc(n * 13 + 1);
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(big + i * 13, 14, "line %07u\n",
		    (unsigned)((i + 1) % 10000000));
	return big;
}

/*
 * Lines ended by '\r' alone are lines, at the offsets of the file, in
 * plain files small and large, gzip and a resumed read; a '\r' among
 * '\n'-lines (a progress bar's) stays in its line.
 */
static void
test_cr_line_ends(void **state)
{
	struct reader *r = open_data("a\rbb\r\rlast", 10, 0);
	char *big;
	unsigned char *g;
	size_t i, n = 300000, glen;

	expect_line(r, "a", 1, 0, 2);
	expect_line(r, "bb", 2, 2, 5);
	expect_line(r, "", 3, 5, 6);
	expect_line(r, "last", 4, 6, 10);
	expect_rc(r, 0);
	assert_int_equal(reader_fingerprint(r),
	    util_hash64("a\rbb\r\rlast", 10, UTIL_HASH_SEED));
	reader_close(r);

	r = open_data("10%\r20%\r30%\ndone\n", 17, 0);
	expect_line(r, "10%\r20%\r30%", 1, 0, 12);
	expect_line(r, "done", 2, 12, 17);
	expect_rc(r, 0);
	reader_close(r);

	big = numbered_lines(n);
	for (i = 0; i < n; i++)
		big[i * 13 + 12] = '\r';
	r = open_data(big, n * 13, 0);
	expect_line(r, "line 0000001", 1, 0, 13);
	for (i = 1; i < n - 1; i++)
		expect_rc(r, 1);
	expect_line(r, "line 0300000", n, (n - 1) * 13, n * 13);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->lines, n);
	assert_int_equal(reader_stats(r)->truncated, 0);
	reader_close(r);

	r = open_data(big, n * 13, 0);
	assert_int_equal(reader_skip_to(r, 250000 * 13, 250000, err,
	    sizeof err), 0);
	expect_line(r, "line 0250001", 250001, 250000 * 13, 250001 * 13);
	reader_close(r);

	g = gz_bytes(big, 1000 * 13, &glen);
	write_file(path, g, glen, O_TRUNC);
	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	expect_line(r, "line 0000001", 1, 0, 13);
	for (i = 1; i < 999; i++)
		expect_rc(r, 1);
	expect_line(r, "line 0001000", 1000, 999 * 13, 1000 * 13);
	expect_rc(r, 0);
	reader_close(r);
	free(g);
	free(big);

	/*
	 * The first READER_EOL_DECIDE bytes decide, however they are read:
	 * a '\r' in them and a '\n' after them end lines both; a '\r' only
	 * after them is text.
	 */
	big = malloc(6000);
	memset(big, 'x', 6000);
	big[100] = '\r';
	big[5000] = '\n';
	r = open_data(big, 6000, 0);
	expect_span(r, 1, 0, 101, 100);
	expect_span(r, 2, 101, 5001, 4899);
	expect_span(r, 3, 5001, 6000, 999);
	expect_rc(r, 0);
	reader_close(r);
	big[100] = 'x';
	big[5000] = '\r';
	r = open_data(big, 6000, 0);
	expect_span(r, 1, 0, 6000, 6000);
	expect_rc(r, 0);
	reader_close(r);
	free(big);
}

/*
 * A file of many reads: the same lines, offsets and counts across the
 * reads, CRLF and an unterminated last line included.
 */
static void
test_big_file_lines(void **state)
{
	size_t n = 800000, len = n * 13, i;
	char *big = numbered_lines(n), want[32];
	struct reader *r;
	struct reader_line l;

	big = realloc(big, len + 16);
	memcpy(big + len, "cr\r\nlast", 8);
	r = open_data(big, len + 8, 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
		snprintf(want, sizeof want, "line %07zu", i + 1);
		assert_int_equal(l.len, 12);
		assert_memory_equal(l.p, want, 12);
		assert_int_equal(l.offset, i * 13);
		assert_int_equal(l.ascii, 1);
	}
	expect_line(r, "cr", n + 1, len, len + 4);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.unterminated, 1);
	assert_memory_equal(l.p, "last", 4);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->lines, n + 2);
	assert_int_equal(reader_stats(r)->bytes, len + 8);
	reader_close(r);
	free(big);
}

/*
 * A line is ASCII-clean only without NUL, ESC and bytes above 0x7f,
 * wherever they sit: in the vector steps of the split or the bytes after.
 */
static void
test_ascii_flag(void **state)
{
	static const char *const lines[] = {
		"plain line of text that is longer than thirty-two bytes",
		"short",
		"\033[31mred\033[0m and then a long tail of plain bytes after it",
		"a long line of plain bytes and then a colour at its end \033[0m",
		"tail \033",
		"caf\xc3\xa9 and more bytes to take this line past thirty-two",
	};
	static const int want[] = { 1, 1, 0, 0, 0, 0 };
	char data[512];
	struct reader *r;
	struct reader_line l;
	size_t i, len = 0;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		len += (size_t)snprintf(data + len, sizeof data - len, "%s\n",
		    lines[i]);
	r = open_data(data, len, 0);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
		assert_int_equal(l.len, strlen(lines[i]));
		assert_int_equal(l.ascii, want[i]);
	}
	expect_rc(r, 0);
	reader_close(r);
}

/*
 * A byte order mark is no text: the first line starts after it, its
 * offsets and the byte count still the file's.  Later, it is text.
 */
static void
test_byte_order_mark(void **state)
{
	static const char data[] = "\xef\xbb\xbf" "2025-10-25 23:00:00 a\n"
	    "\xef\xbb\xbf" "b\n";
	struct reader *r = open_data(data, sizeof data - 1, 0);
	struct reader_line l;

	expect_line(r, "2025-10-25 23:00:00 a", 1, 0, 25);
	expect_line(r, "\xef\xbb\xbf" "b", 2, 25, 30);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->bytes, 30);
	assert_int_equal(reader_stats(r)->utf16, 0);
	reader_close(r);
	/* UTF-16's mark is kept and said */
	r = open_data("\xff\xfe" "a\0\n", 5, 0);
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, 4);
	assert_memory_equal(l.p, "\xff\xfe" "a\0", 4);
	assert_int_equal(reader_stats(r)->utf16, 1);
	reader_close(r);
}

/* Lines written after the file was opened are read on. */
static void
test_big_file_grown(void **state)
{
	size_t n = 100000;
	char *big = numbered_lines(n);
	struct reader *r;
	struct reader_line l;
	size_t i;

	/* the last line of the file is finished by the bytes added */
	r = open_data(big, n * 13 - 1, 0);
	write_file(path, "\nadded\n", 7, O_APPEND);
	for (i = 0; i < n; i++)
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, 12);
	assert_memory_equal(l.p, "line 0100000", 12);
	assert_int_equal(l.end_offset, n * 13);
	expect_line(r, "added", n + 1, n * 13, n * 13 + 6);
	expect_rc(r, 0);
	reader_close(r);
	free(big);
}

/*
 * A file that held a few bytes when opened, then grew past the buffer's
 * full length, an overlong line among what was added: every line comes,
 * whole or cut, at its offsets.
 */
static void
test_small_file_grown(void **state)
{
	size_t n = 300000, big = 3 * MIB, i;
	char *lines = numbered_lines(n), *longl = malloc(big + 1);
	struct reader *r;
	struct reader_line l;
	uint64_t at = 6;

	(void)state;
	r = open_data("first\n", 6, 0);
	write_file(path, lines, n * 13, O_APPEND);
	memset(longl, 'y', big);
	longl[big] = '\n';
	write_file(path, longl, big + 1, O_APPEND);
	write_file(path, "last\n", 5, O_APPEND);
	expect_line(r, "first", 1, 0, 6);
	for (i = 0; i < n; i++) {
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
		assert_int_equal(l.len, 12);
		assert_memory_equal(l.p, lines + i * 13, 12);
		assert_int_equal(l.offset, at);
		at += 13;
	}
	assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	assert_int_equal(l.len, READER_MAX_LINE);
	assert_int_equal(l.truncated, 1);
	assert_int_equal(l.offset, at);
	assert_true(all_bytes(l.p, READER_MAX_LINE, 'y'));
	at += big + 1;
	expect_line(r, "last", n + 3, at, at + 5);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->bytes, at + 5);
	reader_close(r);
	free(lines);
	free(longl);
}

/*
 * A file cut shorter while being read: no crash, and reading goes on to
 * the new end, its cut line handed out unfinished.
 */
static void
test_big_file_cut(void **state)
{
	size_t n = 400000, cut, got;
	char *big = numbered_lines(n);
	struct reader *r;
	struct reader_line l;
	int rc;

	cut = 2 * MIB + 100;
	r = open_data(big, n * 13, 0);
	expect_line(r, "line 0000001", 1, 0, 13);
	assert_int_equal(truncate(path, (off_t)cut), 0);
	got = 1;
	while ((rc = reader_next(r, &l, err, sizeof err)) == 1 &&
	    !l.unterminated)
		got++;
	assert_int_equal(rc, 1);
	assert_int_equal(got, cut / 13);
	assert_int_equal(l.len, cut % 13);
	assert_memory_equal(l.p, "l", 1);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->bytes, cut);
	reader_close(r);
	free(big);
}

/* Put a pipe on standard input; returns its write end. */
static int
stdin_pipe(int *saved)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	*saved = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	close(p[0]);
	return p[1];
}

static void
restore_stdin(int saved)
{
	dup2(saved, STDIN_FILENO);
	close(saved);
}

/*
 * A reader of standard input, a pipe that already holds data[0..len);
 * its write end in *w, idle after idle_ms.
 */
static struct reader *
stdin_reader(const char *data, size_t len, int follow, int idle_ms,
    int *saved, int *w)
{
	struct reader *r;

	*w = stdin_pipe(saved);
	assert_int_equal(write(*w, data, len), (ssize_t)len);
	r = reader_open("-", follow, err, sizeof err);
	assert_non_null(r);
	reader_set_idle_ms(r, idle_ms);
	return r;
}

static void
test_stdin_gzip(void **state)
{
	size_t n;
	unsigned char *g = gz_bytes("x\r\ny\n", 5, &n);
	int saved, w = stdin_pipe(&saved);
	struct reader *r;

	assert_int_equal(write(w, g, n), (ssize_t)n);
	close(w);
	r = reader_open("-", 0, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(reader_is_stdin(r), 1);
	assert_int_equal(reader_fingerprint(r), 0);
	expect_line(r, "x", 1, 0, 3);
	expect_line(r, "y", 2, 3, 5);
	expect_rc(r, 0);
	reader_close(r);
	restore_stdin(saved);
	free(g);
}

/*
 * A stream, followed or not, reports a silence once asked to (idle ms
 * set), so that its reader commits what came before it, and ends at the
 * end of its input.
 */
static void
test_stdin_follow(void **state)
{
	int saved, w, follow;
	struct reader *r;

	for (follow = 1; follow >= 0; follow--) {
		r = stdin_reader("a\n", 2, follow, 50, &saved, &w);
		expect_line(r, "a", 1, 0, 2);
		expect_rc(r, 2);
		assert_int_equal(write(w, "b\npart", 6), 6);
		expect_line(r, "b", 2, 2, 4);
		expect_rc(r, 2);
		close(w);
		expect_line(r, "part", 3, 4, 8);
		expect_rc(r, 0);
		reader_close(r);
		restore_stdin(saved);
	}
	/* lines ended by '\r' alone, decided when the pipe goes idle */
	r = stdin_reader("a\rb\r", 4, 1, 50, &saved, &w);
	expect_line(r, "a", 1, 0, 2);
	expect_line(r, "b", 2, 2, 4);
	expect_rc(r, 2);
	close(w);
	expect_rc(r, 0);
	reader_close(r);
	restore_stdin(saved);
}

static void
test_follow_truncation(void **state)
{
	struct reader *r = open_data("one\ntwo\n", 8, 1);

	reader_set_idle_ms(r, 50);
	expect_line(r, "one", 1, 0, 4);
	expect_line(r, "two", 2, 4, 8);
	expect_rc(r, 2);
	write_file(path, "abc", 3, O_APPEND);
	/* A line still being written is not handed out. */
	expect_rc(r, 2);
	write_file(path, "def\n", 4, O_APPEND);
	expect_line(r, "abcdef", 3, 8, 15);
	/* copytruncate: the file starts again from nothing. */
	write_file(path, "x\n", 2, O_TRUNC);
	expect_line(r, "x", 1, 0, 2);
	write_file(path, "y\n", 2, O_APPEND);
	expect_line(r, "y", 2, 2, 4);
	expect_rc(r, 2);
	reader_stop(r);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->lines, 5);
	reader_close(r);
}

/*
 * A followed file short of READER_EOL_DECIDE is decided when it goes
 * idle; one cut and written anew decides its line ends anew.
 */
static void
test_follow_truncation_line_ends(void **state)
{
	char *cr = malloc(READER_EOL_DECIDE);
	struct reader *r;

	r = open_data("a\rbb\r", 5, 1);
	reader_set_idle_ms(r, 50);
	expect_line(r, "a", 1, 0, 2);
	expect_line(r, "bb", 2, 2, 5);
	expect_rc(r, 2);
	write_file(path, "c\r", 2, O_APPEND);
	expect_line(r, "c", 3, 5, 7);
	reader_close(r);

	memset(cr, 'x', READER_EOL_DECIDE);
	cr[9] = '\r';
	cr[READER_EOL_DECIDE - 1] = '\r';
	r = open_data(cr, READER_EOL_DECIDE, 1);
	reader_set_idle_ms(r, 50);
	expect_line(r, "xxxxxxxxx", 1, 0, 10);
	expect_rc(r, 1);
	expect_rc(r, 2);
	write_file(path, "a\r\nb\r\n", 6, O_TRUNC);
	expect_line(r, "a", 1, 0, 3);
	expect_line(r, "b", 2, 3, 6);
	expect_rc(r, 2);
	reader_close(r);
	free(cr);
}

static void
test_follow_rotation(void **state)
{
	char old[300];
	struct reader *r = open_data("one\n", 4, 1);
	int w;

	snprintf(old, sizeof old, "%s.1", path);
	reader_set_idle_ms(r, 50);
	expect_line(r, "one", 1, 0, 4);
	expect_rc(r, 2);
	/* The writer still holds the old file when it is renamed away. */
	w = open(path, O_WRONLY | O_APPEND);
	assert_true(w >= 0);
	assert_int_equal(rename(path, old), 0);
	assert_int_equal(write(w, "late\n", 5), 5);
	close(w);
	write_file(path, "new\n", 4, O_TRUNC);
	expect_line(r, "late", 2, 4, 9);
	expect_line(r, "new", 1, 0, 4);
	assert_int_equal(reader_fingerprint(r),
	    util_hash64("new\n", 4, UTIL_HASH_SEED));
	expect_rc(r, 2);
	write_file(path, "more\n", 5, O_APPEND);
	expect_line(r, "more", 2, 4, 9);
	reader_close(r);
	unlink(old);
}

/*
 * Stopped, a file's unfinished line is left for the next run to read
 * whole; a stream cannot be read again, so its partial line comes out.
 */
static void
test_stop_partial_line(void **state)
{
	struct reader *r = open_data("whole\nhalf", 10, 1);
	int saved, w;

	reader_set_idle_ms(r, 20);
	expect_line(r, "whole", 1, 0, 6);
	expect_rc(r, 2);
	reader_stop(r);
	expect_rc(r, 0);
	assert_int_equal(reader_stats(r)->lines, 1);
	assert_int_equal(reader_stats(r)->bytes, 6);
	reader_close(r);

	r = stdin_reader("whole\nhalf", 10, 1, 20, &saved, &w);
	expect_line(r, "whole", 1, 0, 6);
	expect_rc(r, 2);
	reader_stop(r);
	expect_line(r, "half", 2, 6, 10);
	expect_rc(r, 0);
	reader_close(r);
	close(w);
	restore_stdin(saved);
}

struct late_stop {
	volatile sig_atomic_t	*flag;
	int			 fd;	/* the pipe's write end */
};

/*
 * Set the flag after 200 ms; write a line after 5 s, so that a reader
 * that missed the flag fails the test instead of hanging it (cancelled
 * when the reader did stop).
 */
static void *
late_stop_main(void *arg)
{
	struct late_stop *ls = arg;

	usleep(200 * 1000);
	*ls->flag = SIGTERM;
	usleep(4800 * 1000);
	if (write(ls->fd, "late\n", 5) != 5)
		abort();
	return NULL;
}

/*
 * A stop flag set while reader_next waits on a silent pipe (as a signal
 * handler run on another thread sets it, with no read interrupted) ends
 * the read at once, not when data or EOF arrives.  Without following,
 * with a line held and with nothing at all.
 */
static void
test_stop_flag_quiet_pipe(void **state)
{
	static volatile sig_atomic_t flag;
	struct late_stop ls;
	struct reader *r;
	pthread_t t;
	int64_t t0;
	int saved, round;

	for (round = 0; round < 2; round++) {
		flag = 0;
		ls.flag = &flag;
		ls.fd = stdin_pipe(&saved);
		if (round == 0)
			assert_int_equal(write(ls.fd, "one\ntw", 6), 6);
		r = reader_open("-", 0, err, sizeof err);
		assert_non_null(r);
		reader_set_stop_flag(r, &flag);
		assert_int_equal(pthread_create(&t, NULL, late_stop_main, &ls), 0);
		t0 = util_now_ms();
		if (round == 0) {
			expect_line(r, "one", 1, 0, 4);
			expect_line(r, "tw", 2, 4, 6);
		}
		expect_rc(r, 0);
		assert_true(util_now_ms() - t0 < 2000);
		expect_rc(r, 0);
		reader_close(r);
		pthread_cancel(t);
		pthread_join(t, NULL);
		close(ls.fd);
		restore_stdin(saved);
	}
}

/*
 * The read-size matrix.  Every input of the matrix (plain text, one gzip
 * member, several members with zero padding after them, gzip cut short)
 * is read from a regular file, whose reads are as large as the reader asks
 * for, and from a pipe on standard input written in chunks of one size or
 * of sizes that vary from 1 byte to 4 MiB.  The pipe writer waits until
 * each chunk has been read before it writes the next, so a read returns at
 * most one chunk: the reader sees reads of exactly those sizes (chunks
 * larger than the pipe arrive in pieces).  Every line must come back with
 * the same bytes, number, offsets and cut flag as splitting the decoded
 * text by hand gives.
 */
enum chunking {
	CHUNK_FILE,	/* a regular file */
	CHUNK_ONE,	/* 1 byte at a time */
	CHUNK_SMALL,	/* 1, 2, 3 ... 4099 bytes, cycling */
	CHUNK_VARIED,	/* random sizes, log-uniform from 1 byte to 4 MiB */
	CHUNK_4K,	/* 4097: a page and a byte */
	CHUNK_64K,	/* 65537: the default pipe size and a byte */
	CHUNK_1M	/* 1 MiB + 1: the largest pipe and a byte */
};

static const char *const chunking_name[] = {
	"file", "1-byte pipe", "small-read pipe", "varied-read pipe",
	"4097-byte pipe", "65537-byte pipe", "1 MiB+1 pipe"
};

struct pipe_writer {
	pthread_t		 thread;
	int			 fd;
	const unsigned char	*p;
	size_t			 len;
	enum chunking		 how;
};

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t
chunk_size(enum chunking how, size_t i, uint64_t *rng)
{
	switch (how) {
	case CHUNK_ONE:
		return 1;
	case CHUNK_SMALL:
		return 1 + i % 4099;
	case CHUNK_VARIED:
		/* 2^0 .. 2^22 bytes, then anywhere up to the next power. */
		return (size_t)1 << (xorshift(rng) % 23) |
		    (size_t)(xorshift(rng) & (((size_t)1 << (xorshift(rng) % 23)) - 1));
	case CHUNK_4K:
		return 4097;
	case CHUNK_64K:
		return 65537;
	default:
		return MIB + 1;
	}
}

/* Until the reader has taken everything written, or has gone away. */
static void
wait_drained(int fd)
{
	struct pollfd pfd;
	int queued, spins = 0;

	for (;;) {
		if (ioctl(fd, FIONREAD, &queued) == -1 || queued == 0)
			return;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
			return;
		if (++spins < 200)
			sched_yield();
		else
			usleep(20);
	}
}

static void *
pipe_writer_main(void *arg)
{
	struct pipe_writer *w = arg;
	uint64_t rng = 0x9e3779b97f4a7c15ULL ^ w->len;
	size_t pos = 0, n, i = 0;
	ssize_t k;

	while (pos < w->len) {
		n = chunk_size(w->how, i++, &rng);
		if (n > w->len - pos)
			n = w->len - pos;
		while (n > 0) {
			if ((k = write(w->fd, w->p + pos, n)) <= 0)
				goto out;
			pos += (size_t)k;
			n -= (size_t)k;
		}
		wait_drained(w->fd);
	}
out:
	close(w->fd);
	return NULL;
}

/* Everything zlib decodes from wire (all members), as one call would. */
static char *
inflate_all(const unsigned char *wire, size_t len, size_t *outlen)
{
	z_stream zs;
	size_t cap = len * 4 + 4096, n = 0;
	char *out = malloc(cap);
	int ret;

	memset(&zs, 0, sizeof zs);
	assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)wire;
	zs.avail_in = (uInt)len;
	for (;;) {
		if (cap - n < 65536) {
			cap *= 2;
			out = realloc(out, cap);
		}
		zs.next_out = (unsigned char *)out + n;
		zs.avail_out = (uInt)(cap - n);
		ret = inflate(&zs, Z_NO_FLUSH);
		n = cap - zs.avail_out;
		if (ret == Z_STREAM_END) {
			if (zs.avail_in == 0 || zs.next_in[0] != 0x1f)
				break;
			inflateReset(&zs);
			continue;
		}
		assert_true(ret == Z_OK || ret == Z_BUF_ERROR);
		if (zs.avail_in == 0 && zs.avail_out > 0)
			break;
	}
	inflateEnd(&zs);
	*outlen = n;
	return out;
}

/*
 * Read r to its end and compare every line with text[pos..len) split by
 * hand, pos the start of line lineno + 1; the end is a read error naming
 * errtext, or the end of input.
 */
static void
expect_text_at(struct reader *r, const char *text, size_t len, size_t pos,
    uint64_t lineno, const char *errtext)
{
	struct reader_line l;
	const char *nl;
	size_t end, raw, want, pos0 = pos;
	uint64_t lineno0 = lineno;

	while (pos < len) {
		nl = memchr(text + pos, '\n', len - pos);
		raw = (nl != NULL ? (size_t)(nl - text) : len) - pos;
		end = nl != NULL ? pos + raw + 1 : len;
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
		lineno++;
		assert_int_equal(l.lineno, lineno);
		assert_int_equal(l.offset, pos);
		assert_int_equal(l.end_offset, end);
		if (raw > READER_MAX_LINE) {
			assert_int_equal(l.truncated, 1);
			assert_int_equal(l.len, READER_MAX_LINE);
		} else {
			want = raw > 0 && text[pos + raw - 1] == '\r' ? raw - 1 : raw;
			assert_int_equal(l.truncated, 0);
			assert_int_equal(l.len, want);
		}
		assert_memory_equal(l.p, text + pos, l.len);
		pos = end;
	}
	if (errtext != NULL) {
		assert_int_equal(reader_next(r, &l, err, sizeof err), -1);
		assert_non_null(strstr(err, errtext));
		assert_int_equal(reader_next(r, &l, err, sizeof err), -1);
	} else {
		assert_int_equal(reader_next(r, &l, err, sizeof err), 0);
		assert_int_equal(reader_next(r, &l, err, sizeof err), 0);
	}
	assert_int_equal(reader_stats(r)->lines, lineno - lineno0);
	assert_int_equal(reader_stats(r)->bytes, len - pos0);
}

static void
expect_text(struct reader *r, const char *text, size_t len,
    const char *errtext)
{
	expect_text_at(r, text, len, 0, 0, errtext);
}

/* Deliver wire by `how` and check that the reader gives text's lines. */
static void
matrix_cell(const char *what, const unsigned char *wire, size_t wlen,
    const char *text, size_t len, const char *errtext, enum chunking how)
{
	struct pipe_writer w;
	struct reader *r;
	const char *nl;
	size_t whole;
	int p[2], saved;

	print_message("# %s, %zu bytes (%zu decoded), %s\n", what, wlen, len,
	    chunking_name[how]);
	if (how == CHUNK_FILE) {
		write_file(path, wire, wlen, O_TRUNC);
		r = reader_open(path, 0, err, sizeof err);
		if (r == NULL) {
			/* Nothing decodes before the error: open says so. */
			assert_int_equal(len, 0);
			assert_non_null(errtext);
			assert_non_null(strstr(err, errtext));
			return;
		}
		assert_int_equal(reader_fingerprint(r), util_hash64(text,
		    len < 4096 ? len : 4096, UTIL_HASH_SEED));
		/* A failing file keeps its unfinished line for the next run. */
		whole = len;
		if (errtext != NULL) {
			nl = memrchr(text, '\n', len);
			whole = nl != NULL ? (size_t)(nl - text) + 1 : 0;
		}
		expect_text(r, text, whole, errtext);
		if (whole < len)
			assert_non_null(strstr(err, "an unfinished line ("));
		reader_close(r);
		return;
	}
	assert_int_equal(pipe(p), 0);
	fcntl(p[1], F_SETPIPE_SZ, MIB);
	saved = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	close(p[0]);
	w.fd = p[1];
	w.p = wire;
	w.len = wlen;
	w.how = how;
	assert_int_equal(pthread_create(&w.thread, NULL, pipe_writer_main, &w), 0);
	r = reader_open("-", 0, err, sizeof err);
	assert_non_null(r);
	expect_text(r, text, len, errtext);
	reader_close(r);
	restore_stdin(saved);
	pthread_join(w.thread, NULL);
}

/*
 * Text of about len bytes: lines of every length class (empty, short,
 * CRLF, around a page, tens of KiB), random letters so that gzip keeps it
 * large, optionally one line longer than READER_MAX_LINE, and no newline
 * at the end.
 */
static char *
matrix_text(size_t len, int overlong, uint64_t seed)
{
	static const char alphabet[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .:=";
	char *t = malloc(len + 1);
	size_t i = 0, n, j;

	while (i < len) {
		switch (xorshift(&seed) % 16) {
		case 0: n = 0; break;
		case 1: case 2: n = xorshift(&seed) % 8; break;
		case 3: n = 4094 + xorshift(&seed) % 5; break;
		case 4: n = xorshift(&seed) % 70000; break;
		default: n = 40 + xorshift(&seed) % 200; break;
		}
		if (overlong && i >= len / 3) {
			n = READER_MAX_LINE + 4097;
			overlong = 0;
		}
		for (j = 0; j < n && i < len; j++)
			t[i++] = alphabet[xorshift(&seed) % (sizeof alphabet - 1)];
		if (i < len && n % 5 == 1)
			t[i - 1] = '\r';
		if (i < len)
			t[i++] = '\n';
	}
	if (len > 0 && t[len - 1] == '\n')
		t[len - 1] = 'z';
	return t;
}

struct matrix_input {
	const char	*name;
	size_t		 len;
	int		 overlong;
};

/* 0 and 1 byte, a few KiB, more than the gzip input block, over 4 MiB. */
static const struct matrix_input matrix_inputs[] = {
	{ "empty", 0, 0 },
	{ "1 byte", 1, 0 },
	{ "3 KiB", 3000, 0 },
	{ "70 KiB", 70000, 0 },
	{ "400 KB", 400000, 0 },
	{ "4.5 MiB with an overlong line", 4 * MIB + MIB / 2, 1 },
};

enum matrix_encoding { ENC_PLAIN, ENC_GZIP, ENC_MEMBERS, ENC_TRUNCATED };

/* Which deliveries are worth their time for a wire of this size. */
static int
matrix_delivers(enum chunking how, size_t wlen)
{
	if (how == CHUNK_ONE)
		return wlen <= 80000;
	if (how == CHUNK_SMALL)
		return wlen <= 500000;
	return 1;
}

static void
matrix_run(const unsigned char *wire, size_t wlen, const char *what,
    const char *text, size_t len, const char *errtext)
{
	int how;

	for (how = CHUNK_FILE; how <= CHUNK_1M; how++) {
		if (matrix_delivers((enum chunking)how, wlen))
			matrix_cell(what, wire, wlen, text, len, errtext,
			    (enum chunking)how);
	}
}

static void
matrix(enum matrix_encoding enc)
{
	const struct matrix_input *in;
	unsigned char *wire, *g;
	char *text, *dec, what[160];
	size_t i, k, wlen, glen, cut[3], cuts[3], declen;

	for (i = 0; i < sizeof matrix_inputs / sizeof *matrix_inputs; i++) {
		in = &matrix_inputs[i];
		text = matrix_text(in->len, in->overlong, 1000 + i);
		switch (enc) {
		case ENC_PLAIN:
			snprintf(what, sizeof what, "plain %s", in->name);
			matrix_run((unsigned char *)text, in->len, what, text,
			    in->len, NULL);
			break;
		case ENC_GZIP:
			wire = gz_bytes(text, in->len, &wlen);
			snprintf(what, sizeof what, "gzip %s", in->name);
			matrix_run(wire, wlen, what, text, in->len, NULL);
			free(wire);
			break;
		case ENC_MEMBERS:
			/*
			 * Members cut mid-line, one of them empty, and the
			 * zero padding a tape block leaves after the last.
			 */
			cut[0] = in->len / 3;
			cut[1] = in->len / 3;
			cut[2] = in->len * 3 / 4;
			wire = malloc(1);
			wlen = 0;
			for (k = 0; k <= 3; k++) {
				cuts[0] = k == 0 ? 0 : cut[k - 1];
				cuts[1] = k == 3 ? in->len : cut[k];
				g = gz_bytes(text + cuts[0], cuts[1] - cuts[0], &glen);
				wire = realloc(wire, wlen + glen + 512);
				memcpy(wire + wlen, g, glen);
				wlen += glen;
				free(g);
			}
			memset(wire + wlen, 0, 512);
			wlen += 512;
			snprintf(what, sizeof what, "4 gzip members %s", in->name);
			matrix_run(wire, wlen, what, text, in->len, NULL);
			free(wire);
			break;
		case ENC_TRUNCATED:
			wire = gz_bytes(text, in->len, &wlen);
			/* Cut in the deflate data, and in the 8-byte trailer. */
			cuts[0] = wlen * 2 / 3;
			cuts[1] = wlen - 3;
			for (k = 0; k < 2; k++) {
				dec = inflate_all(wire, cuts[k], &declen);
				snprintf(what, sizeof what, "gzip %s cut to %zu of %zu bytes",
				    in->name, cuts[k], wlen);
				if (k == 1)
					assert_int_equal(declen, in->len);
				matrix_run(wire, cuts[k], what, dec, declen,
				    "unexpected end of gzip data");
				free(dec);
			}
			free(wire);
			break;
		}
		free(text);
	}
}

static void
test_matrix_plain(void **state)
{
	matrix(ENC_PLAIN);
}

/* The first read of a .gz file over 256 KiB once overflowed the gzip input. */
static void
test_matrix_gzip(void **state)
{
	matrix(ENC_GZIP);
}

static void
test_matrix_gzip_members(void **state)
{
	matrix(ENC_MEMBERS);
}

static void
test_matrix_gzip_truncated(void **state)
{
	matrix(ENC_TRUNCATED);
}

/* A line as reader_next gave it, its bytes copied. */
struct got_line {
	char		*p;
	size_t		 len;
	uint64_t	 lineno, offset, end_offset;
	int		 truncated, unterminated, ascii;
};

struct got {
	struct got_line	*lines;
	size_t		 n;
	int		 rc;		/* what ended them */
	struct reader_stats st;
};

static void
got_read(struct reader *r, struct got *g)
{
	struct reader_line l;
	size_t cap = 0;

	memset(g, 0, sizeof *g);
	while ((g->rc = reader_next(r, &l, err, sizeof err)) == 1) {
		if (g->n == cap) {
			cap = cap ? cap * 2 : 1024;
			g->lines = realloc(g->lines, cap * sizeof *g->lines);
		}
		g->lines[g->n].p = malloc(l.len + 1);
		memcpy(g->lines[g->n].p, l.p, l.len);
		g->lines[g->n].len = l.len;
		g->lines[g->n].lineno = l.lineno;
		g->lines[g->n].offset = l.offset;
		g->lines[g->n].end_offset = l.end_offset;
		g->lines[g->n].truncated = l.truncated;
		g->lines[g->n].unterminated = l.unterminated;
		g->lines[g->n].ascii = l.ascii;
		g->n++;
	}
	g->st = *reader_stats(r);
}

static void
got_equal(const struct got *a, const struct got *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->rc, b->rc);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->lines[i].len, b->lines[i].len);
		assert_memory_equal(a->lines[i].p, b->lines[i].p, a->lines[i].len);
		assert_int_equal(a->lines[i].lineno, b->lines[i].lineno);
		assert_int_equal(a->lines[i].offset, b->lines[i].offset);
		assert_int_equal(a->lines[i].end_offset, b->lines[i].end_offset);
		assert_int_equal(a->lines[i].truncated, b->lines[i].truncated);
		assert_int_equal(a->lines[i].unterminated,
		    b->lines[i].unterminated);
		assert_int_equal(a->lines[i].ascii, b->lines[i].ascii);
	}
	assert_int_equal(a->st.bytes, b->st.bytes);
	assert_int_equal(a->st.lines, b->st.lines);
	assert_int_equal(a->st.truncated, b->st.truncated);
	assert_int_equal(a->st.nul_bytes, b->st.nul_bytes);
}

static void
got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->lines[i].p);
	free(g->lines);
}

/* Letters, no newline, over t[from..to). */
static void
text_run(char *t, size_t from, size_t to)
{
	for (; from < to; from++)
		t[from] = (char)('a' + from % 26);
}

/*
 * 16 MiB of text for a .gz read ahead: lines of the matrix's lengths and
 * some CRLF, and something awkward at each MiB from the third, where the
 * blocks inflated ahead end (the text shrinks so well that the first read
 * fills the buffer, 2 MiB): a CRLF split between two blocks, a newline as
 * a block's last byte, a NUL and a non-ASCII byte late in a block in a
 * line that goes on, a line of exactly READER_MAX_LINE bytes and one a
 * byte longer across a block's end, and a line cut across four blocks
 * with a NUL and a CR in what is dropped.  The last line has no newline.
 */
static char *
ahead_text(size_t *len)
{
	size_t n = 16 * MIB, i = 0, k, at;
	char *t = malloc(n);
	uint64_t seed = 4242;

	while (i < n) {
		switch (xorshift(&seed) % 16) {
		case 0: k = 0; break;
		case 1: case 2: k = xorshift(&seed) % 8; break;
		case 3: k = 4094 + xorshift(&seed) % 5; break;
		case 4: k = xorshift(&seed) % 70000; break;
		default: k = 40 + xorshift(&seed) % 200; break;
		}
		if (k > n - i)
			k = n - i;
		text_run(t, i, i + k);
		i += k;
		if (i < n && k % 5 == 1)
			t[i - 1] = '\r';
		if (i < n)
			t[i++] = '\n';
	}
	t[3 * MIB - 1] = '\r';
	t[3 * MIB] = '\n';
	t[4 * MIB - 1] = '\n';
	text_run(t, 5 * MIB - 300, 5 * MIB + 300);
	t[5 * MIB - 2] = '\0';
	t[5 * MIB - 1] = (char)0xc3;
	at = 6 * MIB - MIB / 2;
	t[at - 1] = '\n';
	text_run(t, at, at + READER_MAX_LINE);
	t[at + READER_MAX_LINE] = '\n';
	at = 8 * MIB - 100;
	t[at - 1] = '\n';
	text_run(t, at, at + READER_MAX_LINE + 1);
	t[at + READER_MAX_LINE + 1] = '\n';
	at = 10 * MIB - 7;
	t[at - 1] = '\n';
	text_run(t, at, 13 * MIB + 5);
	t[12 * MIB + 3] = '\0';
	t[13 * MIB + 4] = '\r';
	t[13 * MIB + 5] = '\n';
	t[n - 1] = 'z';
	*len = n;
	return t;
}

/* Read path (or standard input, for "-") to its end into g. */
static void
got_path(const char *p, struct got *g)
{
	struct reader *r = reader_open(p, 0, err, sizeof err);

	assert_non_null(r);
	got_read(r, g);
	reader_close(r);
}

/* Read wire through a pipe on standard input into g. */
static void
got_pipe(const void *wire, size_t wlen, struct got *g)
{
	struct pipe_writer w;
	int saved;

	w.fd = stdin_pipe(&saved);
	w.p = wire;
	w.len = wlen;
	w.how = CHUNK_64K;
	assert_int_equal(pthread_create(&w.thread, NULL, pipe_writer_main, &w), 0);
	got_path("-", g);
	restore_stdin(saved);
	pthread_join(w.thread, NULL);
}

/*
 * A long .gz file is decompressed ahead on another thread; a .gz on a
 * pipe, plain text and text in memory are read in place.  The same text
 * gives the same lines, flags and counts every way, from a path and from
 * standard input, and they are those of splitting it by hand.
 */
static void
test_read_ahead_same_lines(void **state)
{
	struct got file, in, gzpipe, plain, mem;
	struct reader *r;
	size_t len, glen;
	char *text = ahead_text(&len);
	unsigned char *g = gz_bytes(text, len, &glen);
	int saved, fd;

	write_file(path, g, glen, O_TRUNC);
	got_path(path, &file);
	assert_int_equal(file.rc, 0);
	assert_int_equal(file.st.truncated, 2);
	assert_int_equal(file.st.nul_bytes, 2);
	assert_int_equal(file.lines[file.n - 1].unterminated, 1);
	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(reader_is_gzip(r), 1);
	expect_text(r, text, len, NULL);
	reader_close(r);

	fd = open(path, O_RDONLY);
	saved = dup(STDIN_FILENO);
	dup2(fd, STDIN_FILENO);
	close(fd);
	got_path("-", &in);
	restore_stdin(saved);
	got_equal(&file, &in);

	got_pipe(g, glen, &gzpipe);
	got_equal(&file, &gzpipe);
	got_pipe(text, len, &plain);
	got_equal(&file, &plain);
	r = reader_open_memory(text, len);
	got_read(r, &mem);
	reader_close(r);
	got_equal(&file, &mem);

	got_free(&file);
	got_free(&in);
	got_free(&gzpipe);
	got_free(&plain);
	got_free(&mem);
	free(g);
	free(text);
}

/*
 * Stopped while decompressing ahead, the reader hands out the whole lines
 * it holds, then 0, and leaves the rest of the file; closed while the
 * thread waits for a buffer, it does not hang.
 */
static void
test_read_ahead_stop(void **state)
{
	struct reader_line l;
	struct reader *r;
	size_t len, glen;
	char *text = ahead_text(&len);
	unsigned char *g = gz_bytes(text, len, &glen);
	uint64_t lineno = 0, end = 0;
	int rc;

	write_file(path, g, glen, O_TRUNC);
	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	while (end < 5 * MIB) {
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
		end = l.end_offset;
		lineno = l.lineno;
	}
	reader_stop(r);
	while ((rc = reader_next(r, &l, err, sizeof err)) == 1) {
		assert_int_equal(l.lineno, ++lineno);
		assert_int_equal(l.offset, end);
		assert_int_equal(l.unterminated, 0);
		assert_int_equal(text[l.end_offset - 1], '\n');
		end = l.end_offset;
	}
	assert_int_equal(rc, 0);
	assert_true(end < len);
	expect_rc(r, 0);
	reader_close(r);

	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	do
		assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
	while (l.end_offset < 3 * MIB);
	usleep(100 * 1000);
	reader_close(r);
	free(g);
	free(text);
}

/*
 * Past the end of a .gz decompressed ahead, reading goes on in place: a
 * member added after the end was seen is read, as without a thread.  A
 * long plain file, followed or not, is read in place: idleness and what is
 * appended come as ever.
 */
static void
test_read_ahead_then_more(void **state)
{
	size_t n = 5 * MIB, i, lines, glen;
	char *data = malloc(n);
	unsigned char *g;
	struct reader_line l;
	struct reader *r;
	int round;

	for (i = 0; i < n; i++)
		data[i] = i % 64 == 63 ? '\n' : 'k';
	for (round = 0; round < 3; round++) {
		if (round == 0) {
			g = gz_bytes(data, n, &glen);
			write_file(path, g, glen, O_TRUNC);
			free(g);
		} else
			write_file(path, data, n, O_TRUNC);
		r = reader_open(path, round == 2, err, sizeof err);
		assert_non_null(r);
		reader_set_idle_ms(r, 50);
		for (lines = 0; lines < n / 64; lines++)
			assert_int_equal(reader_next(r, &l, err, sizeof err), 1);
		expect_rc(r, round == 2 ? 2 : 0);
		if (round == 0) {
			g = gz_bytes("more\n", 5, &glen);
			write_file(path, g, glen, O_APPEND);
			free(g);
		} else
			write_file(path, "more\n", 5, O_APPEND);
		expect_line(r, "more", n / 64 + 1, n, n + 5);
		expect_rc(r, round == 2 ? 2 : 0);
		reader_close(r);
	}
	free(data);
}

/* A resume point in a .gz is reached by reading through, ahead. */
static void
test_read_ahead_gzip_skip(void **state)
{
	size_t len, glen, at, lineno = 0, i;
	char *text = ahead_text(&len);
	unsigned char *g = gz_bytes(text, len, &glen);
	struct reader *r;

	for (at = i = 0; i < 6 * MIB; i++) {
		if (text[i] == '\n') {
			at = i + 1;
			lineno++;
		}
	}
	write_file(path, g, glen, O_TRUNC);
	r = reader_open(path, 0, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(reader_skip_to(r, at, lineno, err, sizeof err), 0);
	expect_text_at(r, text, len, at, lineno, NULL);
	reader_close(r);
	free(g);
	free(text);
}

/* Lines handed out since the last recycle, with copies of their bytes. */
struct held {
	const char	*p[4096];
	char		*copy[4096];
	size_t		 len[4096];
	size_t		 n, recycles;
};

static void
held_check(struct held *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		assert_memory_equal(h->p[i], h->copy[i], h->len[i]);
}

static void
held_release(void *arg)
{
	struct held *h = arg;
	size_t i;

	held_check(h);
	for (i = 0; i < h->n; i++)
		free(h->copy[i]);
	h->n = 0;
	h->recycles++;
}

/*
 * reader_set_recycle: every line handed out stays as it was until the
 * hook runs, across reads, moves of the unfinished line and the cut of
 * overlong lines.
 */
static void
test_recycle(void **state)
{
	size_t n = 0, cap = 12 * MIB, len, i;
	char *data = malloc(cap);
	struct held *h = calloc(1, sizeof *h);
	struct reader *r;
	struct reader_line l;
	uint64_t lines = 0;
	int rc;

	srand(3);
	while (n < cap - 2 * MIB) {
		i = (size_t)rand() % 1000;
		len = i == 0 ? (size_t)rand() % (2 * MIB) : i < 4 ?
		    (size_t)rand() % MIB : (size_t)rand() % 300;
		memset(data + n, 'a' + (int)(lines++ % 26), len);
		n += len;
		data[n++] = '\n';
	}
	r = reader_open_memory(data, n);
	reader_set_recycle(r, held_release, h);
	while ((rc = reader_next(r, &l, err, sizeof err)) == 1) {
		held_check(h);
		assert_true(h->n < 4096);
		h->p[h->n] = l.p;
		h->len[h->n] = l.len;
		h->copy[h->n] = malloc(l.len + 1);
		memcpy(h->copy[h->n], l.p, l.len);
		h->n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(reader_stats(r)->lines, lines);
	assert_true(h->recycles > 4);
	held_release(h);
	reader_close(r);
	free(h);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_and_last_line),
		cmocka_unit_test(test_cr_line_ends),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_nul_bytes_late),
		cmocka_unit_test(test_line_lengths),
		cmocka_unit_test(test_long_line_cut),
		cmocka_unit_test(test_memory_lines),
		cmocka_unit_test(test_line_length_limits),
		cmocka_unit_test(test_huge_line_memory),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_gzip_truncated),
		cmocka_unit_test(test_skip_to),
		cmocka_unit_test(test_stdin_gzip),
		cmocka_unit_test(test_stdin_follow),
		cmocka_unit_test(test_follow_truncation),
		cmocka_unit_test(test_follow_truncation_line_ends),
		cmocka_unit_test(test_follow_rotation),
		cmocka_unit_test(test_stop_partial_line),
		cmocka_unit_test(test_stop_flag_quiet_pipe),
		cmocka_unit_test(test_matrix_plain),
		cmocka_unit_test(test_matrix_gzip),
		cmocka_unit_test(test_matrix_gzip_members),
		cmocka_unit_test(test_matrix_gzip_truncated),
		cmocka_unit_test(test_read_ahead_same_lines),
		cmocka_unit_test(test_read_ahead_stop),
		cmocka_unit_test(test_read_ahead_then_more),
		cmocka_unit_test(test_read_ahead_gzip_skip),
		cmocka_unit_test(test_recycle),
		cmocka_unit_test(test_big_file_lines),
		cmocka_unit_test(test_ascii_flag),
		cmocka_unit_test(test_byte_order_mark),
		cmocka_unit_test(test_big_file_grown),
		cmocka_unit_test(test_small_file_grown),
		cmocka_unit_test(test_big_file_cut),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
