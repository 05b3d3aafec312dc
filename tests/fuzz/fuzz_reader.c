/*
 * fuzz_reader.c - libFuzzer target for the reader over gzip input.  The
 * first byte picks the mode, the rest is the payload:
 *   0  the payload is the file as it is (seeds are small .gz files, so
 *      headers, members, padding and damage are all reached from there);
 *   1  the payload is gzip-compressed here, in members of the size the
 *      second byte says, and the lines read must give the payload back;
 *   2  as 1 in one member, then cut short where the second byte says:
 *      the lines read are the payload's first whole lines, and a read
 *      error ends them (the line the cut falls in waits for a next run).
 * The input is an in-memory file, read through /proc/self/fd like any
 * path.  Every line is checked against the offsets, counters and limits
 * reader.h promises.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "reader.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

/* Append one gzip member holding p[0..n) to *out. */
static void
gz_member(const uint8_t *p, size_t n, uint8_t **out, size_t *outlen)
{
	z_stream zs;
	uLong cap;

	/* A small window and little memory: many members must be cheap. */
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, 1 + (int)(n % 9), Z_DEFLATED, 16 + 9, 1,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	cap = deflateBound(&zs, (uLong)n);
	*out = realloc(*out, *outlen + cap);
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	zs.next_out = *out + *outlen;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	*outlen += zs.total_out;
	deflateEnd(&zs);
}

/* The first '\n' of p[0..n), or '\r' too when cr; NULL if none. */
static const uint8_t *
line_end(const uint8_t *p, size_t n, int cr)
{
	size_t i;

	if (!cr)
		return memchr(p, '\n', n);
	for (i = 0; i < n; i++)
		if (p[i] == '\n' || p[i] == '\r')
			return p + i;
	return NULL;
}

/*
 * Read the whole input; each line must lie where the previous one ended.
 * With want (modes 1 and 2), each line must be the next line of want.
 */
static void
read_all(const char *path, const uint8_t *want, size_t wantlen, int mode)
{
	struct reader *r;
	struct reader_line l;
	char err[512];
	uint64_t off = 0, lines = 0;
	size_t raw, keep, bom, look = wantlen < READER_EOL_DECIDE ? wantlen :
	    READER_EOL_DECIDE;
	const uint8_t *nl;
	int rc, cr;

	/* lines ended by '\r' alone: see READER_EOL_DECIDE */
	cr = want != NULL && memchr(want, '\n', look) == NULL &&
	    memchr(want, '\r', look) != NULL;

	if ((r = reader_open(path, 0, err, sizeof err)) == NULL) {
		/* Only a failure to decode the very first bytes. */
		if (mode == 1 || err[0] == '\0')
			abort();
		return;
	}
	while ((rc = reader_next(r, &l, err, sizeof err)) == 1) {
		if (l.offset != off || l.end_offset <= l.offset ||
		    l.lineno != ++lines || l.len > READER_MAX_LINE ||
		    l.len > l.end_offset - l.offset ||
		    (l.truncated && l.len != READER_MAX_LINE))
			abort();
		sink ^= util_hash64(l.p, l.len, UTIL_HASH_SEED);
		if (want != NULL) {
			if (l.end_offset > wantlen)
				abort();
			nl = line_end(want + off, wantlen - off, cr);
			raw = (size_t)((nl != NULL ? nl : want + wantlen) -
			    (want + off));
			keep = raw > READER_MAX_LINE ? READER_MAX_LINE :
			    raw > 0 && want[off + raw - 1] == '\r' ? raw - 1 : raw;
			/* a byte order mark opening a whole first line goes */
			bom = off == 0 && raw <= READER_MAX_LINE && keep >= 3 &&
			    memcmp(want, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
			/* A cut gzip keeps the line it ends in: lines are whole. */
			if ((mode == 2 && nl == NULL) || l.len != keep - bom ||
			    memcmp(l.p, want + off + bom, keep - bom) != 0 ||
			    l.end_offset != off + raw + (nl != NULL) ||
			    l.truncated != (raw > READER_MAX_LINE))
				abort();
		}
		off = l.end_offset;
	}
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && err[0] == '\0')
		abort();
	if ((mode == 1 && (rc != 0 || off != wantlen)) || (mode == 2 && rc != -1))
		abort();
	if (reader_stats(r)->bytes != off || reader_stats(r)->lines != lines)
		abort();
	/* The end and a failure are for good. */
	if (reader_next(r, &l, err, sizeof err) != rc)
		abort();
	reader_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	uint8_t *wire = NULL;
	size_t wlen = 0, at, step, cut;
	int mode;

	if (fd == -1) {
		if ((fd = memfd_create("fuzz_reader", 0)) == -1)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (size < 2)
		return 0;
	mode = data[0] % 3;
	if (mode == 0) {
		wire = malloc(size - 1);
		memcpy(wire, data + 1, size - 1);
		wlen = size - 1;
	} else if (mode == 1) {
		/* Members of step bytes (0: one member), 64 at most. */
		step = data[1] == 0 ? size : data[1];
		if (step < size / 64)
			step = size / 64;
		for (at = 2; at < size; at += step)
			gz_member(data + at, size - at < step ? size - at : step,
			    &wire, &wlen);
		if (size == 2)
			gz_member(data, 0, &wire, &wlen);
	} else {
		gz_member(data + 2, size - 2, &wire, &wlen);
		cut = wlen * data[1] / 256;
		/* At least the 10-byte header, so that it is still gzip. */
		wlen = cut < 10 ? 10 : cut;
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, wire, wlen, 0) != (ssize_t)wlen)
		abort();
	read_all(path, mode == 0 ? NULL : data + 2, size - 2, mode);
	free(wire);
	return 0;
}
