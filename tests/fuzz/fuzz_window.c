/*
 * fuzz_window.c - libFuzzer target for the --since/--until parser
 * timeparse_window_arg, in UTC and in a fixed offset.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz *fixed;
	char err[256];
	char *arg;
	int64_t ms;

	if (fixed == NULL)
		fixed = tz_open("+11:00", NULL, 0);
	arg = malloc(size + 1);
	memcpy(arg, data, size);
	arg[size] = '\0';
	if (timeparse_window_arg(arg, 1761435071000LL, NULL, &ms, err,
	    sizeof err) != 0 && err[0] == '\0')
		abort();
	(void)timeparse_window_arg(arg, 1761435071000LL, fixed, &ms, err,
	    sizeof err);
	free(arg);
	return 0;
}
