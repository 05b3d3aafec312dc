/*
 * fuzz_envelope.c - libFuzzer target for envelope_decode and multiline:
 * the first byte picks the --format (auto most of the time), the rest is
 * split into lines, each decoded and pushed, then everything is flushed.
 * Each line is an exact-size heap copy, not NUL-terminated, so ASan sees
 * any read past its end.  A journal is also decoded line by line by a
 * fresh envelope: what one envelope remembers of the entries before
 * (their layouts, their values) must never show in what it reads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "multiline.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void
check_record(void *arg, const struct record *rec)
{
	uint64_t *lines = arg;

	if (rec->text == NULL || rec->line_first > rec->line_last ||
	    rec->line_last > *lines || rec->len > 4u * 1024 * 1024)
		abort();
	/* Read every byte so ASan checks the whole text is live. */
	sink ^= util_hash64(rec->text, rec->len, UTIL_HASH_SEED);
}

static void
check_line(const struct envelope_line *el, const char *line, size_t len)
{
	if (el->msg == NULL || (el->source == NULL) != (el->source_len == 0) ||
	    (el->level == NULL) != (el->level_len == 0))
		abort();
	/* A message that points into the line must lie inside it. */
	if (el->msg >= line && el->msg <= line + len &&
	    el->msg + el->msg_len > line + len)
		abort();
	sink ^= util_hash64(el->msg, el->msg_len, UTIL_HASH_SEED);
	if (el->source != NULL)
		sink ^= util_hash64(el->source, el->source_len, UTIL_HASH_SEED);
	if ((unsigned)el->format >= ENVELOPE_FORMAT_COUNT ||
	    el->format == ENVELOPE_AUTO)
		abort();
	/* tail's marks: a heading is nothing else, and names its file */
	if ((el->tail & ~(ENVELOPE_TAIL_HEADING | ENVELOPE_TAIL_HOLD |
	    ENVELOPE_TAIL_UNHOLD)) != 0 ||
	    ((el->tail & ENVELOPE_TAIL_HEADING) &&
	    el->tail != ENVELOPE_TAIL_HEADING) ||
	    (el->tail != 0 && el->source == NULL))
		abort();
}

static int
same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Decode line with a new envelope of format f: it must read what el says. */
static void
check_fresh(enum envelope_format f, const struct envelope_line *el,
    const char *line, size_t len)
{
	struct envelope *fresh = envelope_new(f, NULL);
	struct envelope_line fl;
	int headed;

	envelope_decode(fresh, line, len, &fl);
	/*
	 * After a heading of tail's, a line that names no source is its
	 * file's; a fresh envelope saw no heading.
	 */
	headed = fl.source == NULL && el->source != NULL &&
	    strcmp(el->source_kind, "file") == 0;
	if (fl.format != el->format || fl.ts != el->ts ||
	    fl.stream != el->stream || fl.partial != el->partial ||
	    fl.malformed != el->malformed ||
	    (!headed && (fl.source_kind != el->source_kind ||
	    (fl.source == NULL) != (el->source == NULL) ||
	    !same_bytes(fl.source, fl.source_len, el->source, el->source_len))) ||
	    (fl.level == NULL) != (el->level == NULL) ||
	    !same_bytes(fl.level, fl.level_len, el->level, el->level_len) ||
	    !same_bytes(fl.msg, fl.msg_len, el->msg, el->msg_len))
		abort();
	envelope_free(fresh);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum envelope_format f = ENVELOPE_AUTO;
	struct envelope *e;
	struct multiline *m;
	struct envelope_line el;
	struct reader_line rl;
	const uint8_t *p, *end, *nl;
	uint64_t lines = 0, off = 0;
	char *line;
	size_t len;

	if (size > 0) {
		if (data[0] < ENVELOPE_FORMAT_COUNT)
			f = (enum envelope_format)data[0];
		data++;
		size--;
	}
	e = envelope_new(f, NULL);
	m = multiline_new(NULL, check_record, &lines);
	p = data;
	end = data + size;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)((nl != NULL ? nl : end) - p);
		line = malloc(len ? len : 1);
		memcpy(line, p, len);
		memset(&rl, 0, sizeof rl);
		rl.p = line;
		rl.len = len;
		rl.lineno = ++lines;
		rl.offset = off;
		off += len + 1;
		rl.end_offset = off;
		envelope_decode(e, line, len, &el);
		check_line(&el, line, len);
		if (f == ENVELOPE_JOURNALD)
			check_fresh(f, &el, line, len);
		multiline_push(m, &el, &rl);
		free(line);
		p = nl != NULL ? nl + 1 : end;
	}
	multiline_flush(m);
	multiline_free(m);
	envelope_free(e);
	return 0;
}
