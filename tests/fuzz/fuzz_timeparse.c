/*
 * fuzz_timeparse.c - libFuzzer target for the per-line stamp parsers:
 * timeparse_rfc3339 and timeparse_leading (UTC, a fixed offset and an IANA
 * zone), the RFC 3339 reading through a cache that the inputs share, which
 * must give what the uncached reading gives, and a dateless clock, which
 * must fall within a day of the stamp it is dated by.  The input is not
 * NUL-terminated, as lines are not.
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
	static struct tz *fixed, *iana;
	static struct timeparse_cache cache;
	char *p;
	int64_t ms, cms;
	size_t n;

	if (fixed == NULL) {
		fixed = tz_open("-03:30", NULL, 0);
		iana = tz_open("Australia/Sydney", NULL, 0);
	}
	/* An exact-size heap copy lets ASan catch any read past n. */
	p = malloc(size ? size : 1);
	memcpy(p, data, size);
	if ((n = timeparse_rfc3339(p, size, &ms)) > size)
		abort();
	if (timeparse_rfc3339_cached(&cache, p, size, &cms) != n ||
	    (n > 0 && cms != ms))
		abort();
	if ((n = timeparse_leading(p, size, NULL, &ms)) > size)
		abort();
	if ((n = timeparse_leading(p, size, fixed, &ms)) > size)
		abort();
	if (iana != NULL && (n = timeparse_leading(p, size, iana, &ms)) > size)
		abort();
	{
		int32_t tod = -1;
		int64_t near = 1761435071000LL, t;

		if ((n = timeparse_clock(p, size, &tod)) > size ||
		    (n > 0 && (tod < 0 || tod > 86400999)))
			abort();
		if (n > 0) {
			t = timeparse_clock_near(iana, near, tod);
			if (t < near - 86400000LL || t > near + 86400000LL)
				abort();
		}
	}
	free(p);
	return 0;
}
