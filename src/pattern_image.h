/*
 * pattern_image.h - the shipped rules' PCRE2 patterns, compiled at build
 * time (tools/pattern_image.c) and kept in the binary in PCRE2's
 * serialized form, so that loading the default rules decodes them instead
 * of compiling each one: compiling was two fifths of the work of a run
 * over an empty input.  A pattern is found by its text and options, so a
 * rule edited since the build, a user's rule, or a PCRE2 other than the
 * one the binary was built with simply finds nothing and is compiled.
 * Knows nothing about rules files, records or the store.
 */
#ifndef LOGTRIAGE_PATTERN_IMAGE_H
#define LOGTRIAGE_PATTERN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * The compiled pattern of source with these compile options, as a new
 * code the caller owns (pcre2_code_free), or NULL when the image has none.
 * Not thread-safe: call it from the thread that loads the rules.
 */
pcre2_code *pattern_image_code(const char *source, uint32_t options);

/*
 * The image, made by tools/pattern_image.c (tools/pattern_image_none.c
 * defines an empty one): count pattern texts sorted by strcmp, and the
 * bytes of pcre2_serialize_encode for their codes, in the same order.
 */
extern const char *const pattern_image_texts[];
extern const size_t pattern_image_count;
extern const unsigned char pattern_image_bytes[];
extern const size_t pattern_image_size;

#endif
