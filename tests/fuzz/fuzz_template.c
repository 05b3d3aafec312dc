/*
 * fuzz_template.c - libFuzzer target for template_mask and the miner: the
 * input is masked whole (not NUL-terminated, as a record is not), then
 * mined a line at a time.  The masked text stays within three times the
 * input (a one-byte value becomes "<*>"), every line lands in a final
 * template, and the final templates' sizes add up to the lines.  The
 * logger level_logger reads at a line's start, and the message after it,
 * stay within the line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "level.h"
#include "template.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template_miner *m;
	struct buf out;
	uint32_t *ids, id, n = 0, i;
	uint64_t total = 0;
	size_t lg, after = 0;
	const char *line, *nl;
	char *p;

	/* An exact-size heap copy lets ASan catch any read past size. */
	p = malloc(size ? size : 1);
	memcpy(p, data, size);
	buf_init(&out);
	template_mask(&out, p, size);
	if (out.len > 3 * size + 3)
		abort();
	ids = malloc((size + 1) * sizeof(*ids));
	m = template_miner_new();
	for (line = p; line < p + size; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(p + size - line));
		if (nl == NULL)
			nl = p + size;
		ids[n++] = template_miner_add(m, line, (size_t)(nl - line));
		lg = level_logger(line, (size_t)(nl - line), &after);
		if (lg > 0 && (lg > (size_t)(nl - line) ||
		    after > (size_t)(nl - line) || after < lg))
			abort();
	}
	template_miner_finish(m);
	for (i = 0; i < n; i++) {
		id = template_miner_final(m, ids[i]);
		if (id >= template_miner_count(m) ||
		    template_miner_final(m, id) != id)
			abort();
	}
	for (id = 0; id < template_miner_count(m); id++) {
		if (template_miner_final(m, id) != id)
			continue;
		total += template_miner_size(m, id);
		buf_reset(&out);
		template_miner_text(m, id, &out);
		buf_reset(&out);
		template_miner_regex(m, id, &out);
	}
	if (total != n)
		abort();
	template_miner_free(m);
	free(ids);
	buf_free(&out);
	free(p);
	return 0;
}
