/*
 * pattern_image.c - build tool: load the rules files of the directory
 * given, the way logtriage does, and print as C the image of
 * src/pattern_image.h: every match and exclude pattern's text, sorted and
 * without repeats, and the codes the rules compiled for them, serialized
 * by the PCRE2 the binary links.  A rule that does not load is left out:
 * logtriage reports it when it loads the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_image.h"
#include "rules.h"

static int
compare_pattern(const void *a, const void *b)
{
	const struct rule_pattern *const *x = a, *const *y = b;

	return strcmp((*x)->source, (*y)->source);
}

static void
print_text(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s >= ' ' && *s <= '~')
			putchar(*s);
		else
			printf("\\%03o", (unsigned char)*s);
	}
	putchar('"');
}

int
main(int argc, char **argv)
{
	struct diag_list diags = { 0 };
	struct rule_pattern **v = NULL;
	const pcre2_code **codes;
	struct ruleset *rs;
	const struct rule *r;
	uint8_t *bytes;
	PCRE2_SIZE size;
	size_t i, j, n = 0, kept = 0;
	int32_t rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pattern_image RULES_DIR > FILE.c\n");
		return 2;
	}
	rs = ruleset_load((const char *const *)&argv[1], 1, &diags);
	for (i = 0; i < rs->n; i++) {
		r = &rs->rules[i];
		v = xrealloc(v, (n + r->nmatch + r->nexclude + 1) * sizeof(*v));
		for (j = 0; j < r->nmatch; j++)
			v[n++] = &r->match[j];
		for (j = 0; j < r->nexclude; j++)
			v[n++] = &r->exclude[j];
	}
	qsort(v, n, sizeof(*v), compare_pattern);
	codes = xcalloc(n + 1, sizeof(*codes));
	printf("/* made by tools/pattern_image.c from the rules files */\n"
	    "#include \"pattern_image.h\"\n\n"
	    "const char *const pattern_image_texts[] = {\n");
	for (i = 0; i < n; i++) {
		if (v[i]->code == NULL ||
		    (i > 0 && strcmp(v[i]->source, v[i - 1]->source) == 0))
			continue;
		codes[kept++] = v[i]->code;
		putchar('\t');
		print_text(v[i]->source);
		printf(",\n");
	}
	if (kept == 0) {
		fprintf(stderr, "pattern_image: %s: no pattern\n", argv[1]);
		return 1;
	}
	rc = pcre2_serialize_encode(codes, (int32_t)kept, &bytes, &size, NULL);
	if (rc < 0) {
		fprintf(stderr, "pattern_image: cannot serialize (%d)\n", rc);
		return 1;
	}
	printf("};\nconst size_t pattern_image_count = %zu;\n\n"
	    "const unsigned char pattern_image_bytes[] = {", kept);
	for (i = 0; i < size; i++)
		printf("%s%u,", i % 16 == 0 ? "\n\t" : " ", bytes[i]);
	printf("\n};\nconst size_t pattern_image_size = %zu;\n", (size_t)size);
	pcre2_serialize_free(bytes);
	free(codes);
	free(v);
	ruleset_free(rs);
	diag_list_free(&diags);
	return 0;
}
