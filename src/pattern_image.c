/*
 * pattern_image.c - compiled copies of the shipped rules' patterns from
 * the image made at build time (see pattern_image.h).
 */
#include <stdlib.h>
#include <string.h>

#include "pattern_image.h"
#include "util.h"

/* decoded on the first pattern found; kept for the life of the process */
static pcre2_code **decoded;
static int decode_tried;

static int
compare_text(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/*
 * Decode every code of the image at once, the only way PCRE2 reads a
 * serialized set.  A PCRE2 of another version or build refuses the bytes
 * (PCRE2_ERROR_BADMAGIC, PCRE2_ERROR_BADMODE): nothing is decoded then.
 */
static void
decode_image(void)
{
	int32_t n;

	decode_tried = 1;
	n = pcre2_serialize_get_number_of_codes(pattern_image_bytes);
	if (n <= 0 || (size_t)n != pattern_image_count)
		return;
	decoded = xcalloc((size_t)n, sizeof(*decoded));
	if (pcre2_serialize_decode(decoded, n, pattern_image_bytes, NULL) != n) {
		free(decoded);
		decoded = NULL;
	}
}

pcre2_code *
pattern_image_code(const char *source, uint32_t options)
{
	const char *const *at;
	uint32_t opts;
	pcre2_code *code;

	if (pattern_image_count == 0)
		return NULL;
	at = bsearch(source, pattern_image_texts, pattern_image_count,
	    sizeof(*pattern_image_texts), compare_text);
	if (at == NULL)
		return NULL;
	if (!decode_tried)
		decode_image();
	if (decoded == NULL)
		return NULL;
	code = decoded[at - pattern_image_texts];
	if (pcre2_pattern_info(code, PCRE2_INFO_ARGOPTIONS, &opts) != 0 ||
	    opts != options)
		return NULL;
	return pcre2_code_copy(code);
}
