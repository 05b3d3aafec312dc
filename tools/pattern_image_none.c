/*
 * pattern_image_none.c - an empty pattern image (see src/pattern_image.h),
 * for the program that makes the real one and for builds without it:
 * every pattern is then compiled when its rules are loaded.
 */
#include "pattern_image.h"

const char *const pattern_image_texts[] = { "" };
const size_t pattern_image_count = 0;
const unsigned char pattern_image_bytes[] = { 0 };
const size_t pattern_image_size = 0;
