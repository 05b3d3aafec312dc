/*
 * severity.c - the one table of severity names; see severity.h.
 */
#include "severity.h"

#include <string.h>

static const char *const severity_names[SEV_COUNT] = {
	"debug", "info", "notice", "warning", "error", "critical"
};

const char *
severity_name(enum severity s)
{
	if ((int)s < 0 || s >= SEV_COUNT)
		return "unknown";
	return severity_names[s];
}

int
severity_from_name(const char *name)
{
	int i;

	for (i = 0; i < SEV_COUNT; i++)
		if (strcmp(name, severity_names[i]) == 0)
			return i;
	return -1;
}
